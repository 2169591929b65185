//! The handheld picker's screen for each step (`App::view` of the picker).

use super::super::view::{Prompt, View};
use super::super::{Flash, status_text};
use super::{Exception, MENU, Picker, Step};
use crate::app::task_views::PickingItemView;
use crate::domain::picking::{PickingStatus, ReasonCode};

impl Picker {
    /// What the handheld shows: pure, from the model alone.
    pub(super) fn screen(&self) -> View {
        let pending = self.input.pending();
        let item = self.item();
        let mut v =
            View { title: self.title(), status: status_text(&self.sync), flash: self.flash.clone(), ..View::default() };
        // The facts keep their rows from step to step (and while the server
        // answers), so a step redraws only what changed.
        let count = match self.step {
            Step::Quantity { count } => count,
            _ => 0,
        };
        let facts = |v: &mut View, i: &PickingItemView| {
            v.big = Some(i.location.clone());
            let left = i.required - i.picked;
            v.lines.push(if count > 0 {
                format!("{count} of {left} x {}", i.sku)
            } else {
                format!("{left} x {}", i.sku)
            });
            if !i.name.is_empty() {
                v.lines.push(i.name.clone());
            }
        };
        match (&self.step, item) {
            (Step::Login(l), _) => return l.view("PICK", pending),
            (Step::Busy(what), Some(i))
                if self.task.as_ref().is_some_and(|t| t.status == PickingStatus::InProgress) =>
            {
                facts(&mut v, i);
                v.flash = Flash::info(what.clone());
                v.keys = vec![("Esc", "menu")];
            }
            (Step::Busy(what), _) => v.lines.push(what.clone()),
            (Step::NoWork, _) => {
                v.lines = vec!["No work now".into(), "Checking again".into(), "every few seconds".into()];
                v.keys = vec![("F4", "check"), ("Esc", "log out")];
            }
            (Step::Location, Some(i)) => {
                facts(&mut v, i);
                v.prompt = Prompt::new("Loc ", pending);
                v.keys = vec![("Esc", "menu")];
            }
            (Step::Item, Some(i)) => {
                facts(&mut v, i);
                v.prompt = Prompt::new("Item ", pending);
                v.keys = vec![("F3", "back"), ("Esc", "menu")];
            }
            (Step::Quantity { .. }, Some(i)) => {
                facts(&mut v, i);
                v.prompt = Prompt::new("Qty ", pending);
                v.keys = vec![("F1", "ok"), ("F3", "back")];
            }
            (Step::Menu, _) => {
                v.choices = MENU.iter().map(|s| (*s).to_owned()).collect();
                v.prompt = Prompt::new("Choice ", pending);
                v.keys = vec![("F3", "back")];
            }
            (Step::ShortFound, Some(i)) => {
                facts(&mut v, i);
                v.lines.insert(0, "SHORT: units found?".into());
                v.prompt = Prompt::new("Found ", pending);
                v.keys = vec![("F3", "back")];
            }
            (Step::Reason(kind), _) => {
                let head = match kind {
                    Exception::Short { found } => format!("SHORT ({found} found)"),
                    Exception::Skip => "SKIP: why?".to_owned(),
                };
                v.lines.push(head);
                v.choices =
                    ReasonCode::ALL.iter().enumerate().map(|(n, r)| format!("{} {}", n + 1, r.as_str())).collect();
                v.prompt = Prompt::new("Reason ", pending);
                v.keys = vec![("F3", "back")];
            }
            (Step::AllDone, _) => {
                v.lines = vec!["All items done".into()];
                v.keys = vec![("F1", "complete")];
            }
            (Step::Finished { task, packing }, _) => {
                v.title = "PICK DONE".into();
                v.lines.push(format!("Task #{task} done"));
                // Where the tote goes, always: the packing task's number
                // once the server has made it (a completion answered from
                // the device's queue has none yet).
                v.lines.push(match packing {
                    Some(p) => format!("Tote to packing #{p}"),
                    None => "Tote to packing".into(),
                });
                v.keys = vec![("F1", "next task")];
            }
            (Step::Cancelled { reason }, _) => {
                v.lines = vec!["TASK STOPPED".into(), reason.clone()];
                // Each refusal once (with how many ops it refused), and not
                // again as the flash.
                let mut seen: Vec<(&String, usize)> = Vec::new();
                for r in &self.refused {
                    match seen.iter_mut().find(|(s, _)| *s == r) {
                        Some((_, n)) => *n += 1,
                        None => seen.push((r, 1)),
                    }
                }
                for (r, n) in seen {
                    v.lines.push(if n > 1 { format!("{r} x{n}") } else { r.clone() });
                }
                if v.flash.as_ref().is_some_and(|f| self.refused.contains(&f.text)) {
                    v.flash = None;
                }
                // What goes back, and where it came from.
                self.picked_units(&mut v, "Put back:", "Nothing to put back", |i| {
                    format!("{} {} >{}", i.picked, i.sku, i.location)
                });
            }
            (Step::Reassigned, _) => {
                v.lines = vec!["TASK MOVED".into(), "given to another picker".into()];
                // They stay with the task: the tote goes to whoever has it now.
                self.picked_units(&mut v, "Hand over the tote:", "Nothing picked yet", |i| {
                    format!("{} {}", i.picked, i.sku)
                });
            }
            (_, None) => v.lines.push("No item".into()),
        }
        v
    }

    /// The task's picked units under `head` (one row each, by `row`), or
    /// `none`; F1 goes on to the next task.
    fn picked_units(&self, v: &mut View, head: &str, none: &str, row: impl Fn(&PickingItemView) -> String) {
        let rows: Vec<String> = self.task.iter().flat_map(|t| &t.items).filter(|i| i.picked > 0).map(row).collect();
        if rows.is_empty() {
            v.lines.push(none.into());
        } else {
            v.lines.push(head.into());
            v.lines.extend(rows);
        }
        v.keys = vec![("F1", "next task")];
    }
}
