//! The pack station's screen for each step (`App::view` of the packer).

use super::super::status_text;
use super::super::view::{Prompt, View};
use super::{FIELDS, Packer, Step, TYPES, Wait};
use crate::domain::packing::SetAsideReason;

impl Packer {
    /// What the station shows: pure, from the model alone.
    pub(super) fn screen(&self) -> View {
        let pending = self.input.pending();
        let mut v =
            View { title: self.title(), status: status_text(&self.sync), flash: self.flash.clone(), ..View::default() };
        match &self.step {
            Step::Login(l) => return l.view("PACK", pending),
            Step::Busy(w) => v.lines.push(
                match w {
                    Wait::Find | Wait::Task => "Finding task...",
                    Wait::Start => "Starting...",
                    Wait::Items => "Loading items...",
                    Wait::Save => "Saving box...",
                    Wait::Complete => "Completing...",
                    Wait::Labels => "Getting labels...",
                }
                .to_owned(),
            ),
            Step::Find => {
                v.lines = vec!["Scan tote or order".into()];
                v.prompt = Prompt::new("Scan ", pending);
                v.keys = vec![("F4", "queue"), ("Esc", "log out")];
            }
            Step::Verify => {
                let left: u32 = self.lines.iter().map(|l| l.want - l.got).sum();
                v.big = Some(format!("Verify: {left} left"));
                // Two rows per line: the count and SKU, then (indented) what
                // was shorted and the product's name.
                for l in self.lines.iter().skip(self.page * self.per_page).take(self.per_page) {
                    let mark = if l.got == l.want { "+" } else { " " };
                    v.lines.push(format!("{mark} {}/{} {}", l.got, l.want, l.sku));
                    let short = l.ordered.saturating_sub(l.want);
                    let detail = match (short, l.name.is_empty()) {
                        (0, true) => continue,
                        (0, false) => l.name.clone(),
                        (n, true) => format!("{n} short"),
                        (n, false) => format!("{n} short; {}", l.name),
                    };
                    v.lines.push(format!("   {detail}"));
                }
                v.prompt = Prompt::new("Item ", pending);
                // Paging only when there is more than one page (20 columns).
                v.keys = if self.lines.len() > self.per_page {
                    vec![("F3", "leave"), ("F6", "up"), ("F7", "dn")]
                } else {
                    vec![("F3", "leave")]
                };
            }
            Step::SetAside => {
                let scanned: u32 = self.lines.iter().map(|l| l.got).sum();
                v.big = Some("Set aside: why?".into());
                v.lines = vec![format!("{scanned} unit(s) scanned")];
                v.choices =
                    SetAsideReason::ALL.iter().enumerate().map(|(n, r)| format!("{} {}", n + 1, r.words())).collect();
                v.prompt = Prompt::new("Why ", pending);
                v.keys = vec![("F3", "back")];
            }
            Step::Packaging => {
                v.big = Some(format!("Box {}: type?", self.sequence));
                v.choices = TYPES.iter().enumerate().map(|(n, (_, name))| format!("{} {name}", n + 1)).collect();
                v.prompt = Prompt::new("Type ", pending);
            }
            Step::Measure(field) => {
                v.big = Some(format!("Box {} {}", self.sequence, TYPES[self.packaging].1));
                for (n, label) in FIELDS.iter().enumerate().take(*field) {
                    v.lines.push(format!("{label}{}", self.measures[n]));
                }
                v.prompt = Prompt::new(FIELDS[*field], pending);
                v.keys = vec![("F3", "back")];
            }
            Step::BoxSaved => {
                let [w, l, wd, h] = self.measures;
                v.big = Some(format!("Box {} saved", self.sequence));
                v.lines = vec![format!("{w} g"), format!("{l}x{wd}x{h} mm")];
                v.keys = vec![("F1", "done"), ("F4", "add box")];
            }
            Step::Done => {
                v.big = Some(if self.reprint { "REPRINT" } else { "PACKED" }.into());
                if self.labels.is_empty() {
                    v.lines = vec!["Label deferred:".into(), "server not reached".into()];
                    v.keys = vec![("F4", "label"), ("F1", "next")];
                    return v;
                }
                v.lines.extend(self.labels.iter().map(|(t, _)| t.clone()));
                v.lines.push(match &self.printed {
                    None => "Printing...".into(),
                    Some(Ok(state)) => format!("Label {state}"),
                    Some(Err(e)) => e.clone(),
                });
                v.prompt = Prompt::new("Reprint ", pending);
                v.keys = vec![("F1", "next")];
            }
        }
        v
    }
}
