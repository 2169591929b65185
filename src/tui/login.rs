//! Login: scan a badge (or type its id), then type the PIN. Shared by the
//! picker and the packer. Pure.

use super::input::Event;
use super::view::{Prompt, View};
use super::{Call, Cmd, Failure, Flash, Session};
use crate::keymap::Action;

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Login {
    badge: Option<String>,
    busy: bool,
    flash: Option<Flash>,
    /// Why the last login was refused, in the server's words (a wrong PIN,
    /// a badge locked until a time), not only its code.
    #[serde(default)]
    why: Option<String>,
}

impl Login {
    pub fn event(&mut self, ev: Event) -> Vec<Cmd> {
        if self.busy {
            return vec![];
        }
        match ev {
            Event::Scan(scan) => {
                self.flash = None;
                self.why = None;
                match self.badge.clone() {
                    None => {
                        self.badge = Some(scan.text.trim().to_owned());
                        vec![]
                    }
                    Some(badge) => {
                        self.busy = true;
                        vec![Cmd::Call(Call::Login { badge, pin: scan.text })]
                    }
                }
            }
            Event::Action(Action::Back | Action::Clear) => {
                *self = Login::default();
                vec![]
            }
            Event::Action(Action::Menu) => vec![Cmd::Quit],
            Event::Action(_) | Event::Edited => vec![],
        }
    }

    /// The server's answer: the session, or a beep and the badge prompt again.
    pub fn reply(&mut self, r: Result<Session, Failure>) -> (Option<Session>, Vec<Cmd>) {
        self.busy = false;
        match r {
            Ok(s) => (Some(s), vec![]),
            Err(f) => {
                *self = Login { flash: Flash::error(f.short), why: Some(f.message), ..Login::default() };
                (None, vec![Cmd::Beep])
            }
        }
    }

    pub fn view(&self, app: &str, pending: &str) -> View {
        let (mut lines, prompt) = match &self.badge {
            None => (vec!["Scan your badge".to_owned(), "or type its id".to_owned()], Prompt::new("Badge ", pending)),
            Some(b) => (
                vec![format!("Badge {b}"), "Type your PIN".to_owned()],
                Some(Prompt { label: "PIN ".into(), value: pending.to_owned(), secret: true }),
            ),
        };
        if let (None, Some(why)) = (&self.badge, &self.why) {
            lines.push(String::new());
            lines.push(why.clone());
        }
        let flash = if self.busy { Flash::info("Logging in...") } else { self.flash.clone() };
        View {
            title: format!("{app} LOGIN"),
            lines,
            prompt,
            flash,
            keys: if self.badge.is_some() { vec![("F3", "back")] } else { vec![("Esc", "quit")] },
            ..View::default()
        }
    }
}
