//! A numbered menu (the demo's "be a picker, a packer, …"): type or scan a
//! number, Enter. Pure.

use super::input::{Event, Input};
use super::view::{Prompt, View};
use super::{App, Cmd, Flash, Msg};
use crate::keymap::Action;

#[derive(Debug, Clone)]
pub struct Menu {
    input: Input,
    title: String,
    info: Vec<String>,
    items: Vec<(String, bool)>,
    chosen: Option<usize>,
    flash: Option<Flash>,
}

impl Menu {
    /// `items` are (label, available); an unavailable item is listed but refused.
    pub fn new(title: &str, info: Vec<String>, items: Vec<(String, bool)>) -> Menu {
        Menu { input: Input::default(), title: title.into(), info, items, chosen: None, flash: None }
    }

    /// The item chosen (0-based) when the menu quit; `None` for Esc.
    pub fn chosen(&self) -> Option<usize> {
        self.chosen
    }
}

impl App for Menu {
    fn update(&mut self, msg: Msg) -> Vec<Cmd> {
        let Msg::Key(k) = msg else { return vec![] };
        match self.input.feed(k) {
            Some(Event::Scan(s)) => match s.text.trim().parse::<usize>().ok().and_then(|n| n.checked_sub(1)) {
                Some(n) if self.items.get(n).is_some_and(|(_, ok)| *ok) => {
                    self.chosen = Some(n);
                    vec![Cmd::Quit]
                }
                _ => {
                    self.flash = Flash::error(format!("choose 1-{}", self.items.len()));
                    vec![Cmd::Beep]
                }
            },
            Some(Event::Action(Action::Menu | Action::Back)) => vec![Cmd::Quit],
            _ => vec![],
        }
    }

    fn view(&self) -> View {
        let mut lines = self.info.clone();
        lines.push(String::new());
        View {
            title: self.title.clone(),
            lines,
            choices: self
                .items
                .iter()
                .enumerate()
                .map(|(n, (label, ok))| format!("{} {label}{}", n + 1, if *ok { "" } else { " (not yet)" }))
                .collect(),
            prompt: Prompt::new("Choice ", self.input.pending()),
            flash: self.flash.clone(),
            keys: vec![("Esc", "quit")],
            ..View::default()
        }
    }

    fn token(&self) -> Option<&str> {
        None
    }
}
