//! `tote pick`: claim a task, then for each item in walk order scan the
//! location, scan the item, confirm the quantity; short or skip with a
//! reason; complete; next task. Pure: see [`crate::tui`].
//!
//! Scans are checked here first with the domain's own rules
//! ([`location_scan_matches`], [`item_scan_matches`]), so a wrong scan
//! beeps at once; the server checks again when the pick is sent.

mod screen;

use super::input::{Event, Input, feed};
use super::login::Login;
use super::view::View;
use super::{App, Call, Cmd, Failure, FailureKind, Flash, Msg, Reply, Session, SyncStatus};
use crate::app::command::{Outcome, QueueDto};
use crate::app::floor_op::PickScans;
use crate::app::floor_op::{FloorOp, Scanned};
use crate::app::task_views::{PickingItemView, PickingTaskView};
use crate::domain::DomainError;
use crate::domain::ids::Qty;
use crate::domain::picking::{ItemStatus, PickingStatus, ReasonCode, item_scan_matches, location_scan_matches};
use crate::keymap::Action;
use crate::scanner::Scan;
use serde::{Deserialize, Serialize};

/// Short or skip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Exception {
    Short { found: u32 },
    Skip,
}

/// Where the picker is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Step {
    Login(Login),
    /// Waiting for an answer (never saved: a resumed picker asks again).
    #[serde(skip)]
    Busy(String),
    NoWork,
    Location,
    Item,
    Quantity {
        count: u32,
    },
    Menu,
    /// Typing how many units were found before the shelf ran out.
    ShortFound,
    Reason(Exception),
    AllDone,
    Finished {
        task: i64,
        packing: Option<i64>,
    },
    Cancelled {
        reason: String,
    },
    /// A supervisor gave the task to another picker: what was picked stays
    /// with the task, so the tote is handed over, not put back.
    Reassigned,
}

#[derive(Debug, Clone)]
pub struct Picker {
    input: Input,
    session: Option<Session>,
    step: Step,
    task: Option<PickingTaskView>,
    flash: Option<Flash>,
    sync: SyncStatus,
    /// Queued ops the server refused for the current task, with why.
    refused: Vec<String>,
    /// What was scanned for the item in hand: sent with the pick as evidence.
    scans: Scans,
    /// 0 keys between tasks (`[floor] auto_next`): the last pick completes
    /// the task and the next one is claimed, the tote's destination said
    /// on the next screen.
    auto_next: bool,
}

/// The location and item scans of the pick being made.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Scans {
    location: Option<Scanned>,
    item: Option<Scanned>,
}

/// What a picker resumes on after a restart.
#[derive(Debug, Serialize, Deserialize)]
struct Saved {
    session: Option<Session>,
    task: Option<PickingTaskView>,
    step: Option<Step>,
    #[serde(default)]
    scans: Scans,
}

const MENU: [&str; 3] = ["1 Short", "2 Skip", "3 Log out"];

impl Picker {
    pub fn new(input: Input) -> Picker {
        Picker {
            input,
            session: None,
            step: Step::Login(Login::default()),
            task: None,
            flash: None,
            sync: SyncStatus { online: true, ..SyncStatus::default() },
            refused: vec![],
            scans: Scans::default(),
            auto_next: false,
        }
    }

    /// With `on`, a task completes itself after its last pick and the next
    /// is claimed: no key between tasks.
    pub fn with_auto_next(mut self, on: bool) -> Picker {
        self.auto_next = on;
        self
    }

    pub fn step(&self) -> &Step {
        &self.step
    }

    /// The task now belongs to another worker (a supervisor reassigned it).
    fn taken_away(&self, t: &PickingTaskView) -> bool {
        let mine = self.session.as_ref().map(|s| s.worker_id);
        t.worker_id.is_some() && t.worker_id != mine
    }

    fn item(&self) -> Option<&PickingItemView> {
        self.task.as_ref()?.items.iter().find(|i| i.status == ItemStatus::Pending)
    }

    fn claim(&mut self) -> Vec<Cmd> {
        self.task = None;
        self.refused.clear();
        self.step = Step::Busy("Getting work...".into());
        vec![Cmd::Call(Call::Claim { queue: QueueDto::Picking })]
    }

    fn busy(&mut self, what: impl Into<String>, call: Call) -> Vec<Cmd> {
        self.step = Step::Busy(what.into());
        vec![Cmd::Call(call)]
    }

    fn fail(&mut self, text: impl Into<String>) -> Vec<Cmd> {
        self.flash = Flash::error(text);
        vec![Cmd::Beep]
    }

    /// The step a fresh copy of the task puts the picker on.
    fn apply(&mut self, t: PickingTaskView) -> Vec<Cmd> {
        let id = t.task_id;
        let reassigned = self.taken_away(&t) && t.status != PickingStatus::Completed;
        let (status, reason) = (t.status, t.cancellation_reason.clone());
        self.task = Some(t);
        if reassigned {
            self.step = Step::Reassigned;
            return vec![Cmd::Beep];
        }
        match status {
            PickingStatus::Assigned => self.busy("Starting...", Call::Op(FloorOp::StartPicking { task_id: id })),
            PickingStatus::Cancelled => {
                self.step = Step::Cancelled { reason: reason.unwrap_or_default() };
                vec![Cmd::Beep]
            }
            PickingStatus::Completed => self.claim(),
            PickingStatus::Pending | PickingStatus::InProgress if self.item().is_none() && self.auto_next => {
                self.busy("Completing...", Call::Op(FloorOp::CompletePicking { task_id: id }))
            }
            PickingStatus::Pending | PickingStatus::InProgress => {
                self.step = if self.item().is_some() { Step::Location } else { Step::AllDone };
                vec![]
            }
        }
    }

    fn on_reply(&mut self, r: Reply) -> Vec<Cmd> {
        let waiting = matches!(self.step, Step::Busy(_));
        match r {
            Reply::Session(r) => {
                let Step::Login(login) = &mut self.step else { return vec![] };
                let (session, mut cmds) = login.reply(r);
                if let Some(s) = session {
                    self.session = Some(s);
                    cmds.extend(self.claim());
                }
                cmds
            }
            Reply::PickingTask(Ok(t)) if !waiting => self.polled(t),
            Reply::PickingTask(Ok(t)) => self.apply(t),
            Reply::Outcome(Ok(o)) if waiting => self.on_outcome(o),
            Reply::Outcome(Err(f)) | Reply::PickingTask(Err(f)) if waiting => self.on_failure(f),
            _ => vec![],
        }
    }

    /// A poll's copy of the task: a cancellation or reassignment interrupts;
    /// another change (a refused op) moves the picker only if its item changed.
    fn polled(&mut self, t: PickingTaskView) -> Vec<Cmd> {
        if t.status == PickingStatus::Cancelled || self.taken_away(&t) {
            return self.apply(t);
        }
        if self.task.as_ref().is_some_and(|c| c.task_id != t.task_id) {
            return vec![];
        }
        let before = self.item().map(|i| (i.item_id, i.picked));
        self.task = Some(t);
        if self.item().map(|i| (i.item_id, i.picked)) != before {
            self.step = if self.item().is_some() { Step::Location } else { Step::AllDone };
        }
        vec![]
    }

    fn on_outcome(&mut self, o: Outcome) -> Vec<Cmd> {
        let task = self.task.as_ref().map(|t| t.task_id);
        match o {
            Outcome::Claimed { task_id: Some(id), .. } => self.busy("Loading task...", Call::PickingTask { id }),
            Outcome::Claimed { task_id: None, .. } => {
                self.step = Step::NoWork;
                vec![]
            }
            Outcome::Picking { task_id, status: PickingStatus::Completed, packing_task_id, .. } if self.auto_next => {
                // Where the tote goes, said over the next task's screen.
                self.flash = Flash::info(match packing_task_id {
                    Some(p) => format!("#{task_id} tote: pack #{p}"),
                    // The device answered from its copy: the packing task
                    // is the server's to make.
                    None => format!("#{task_id} tote: packing"),
                });
                self.claim()
            }
            Outcome::Picking { task_id, status: PickingStatus::Completed, packing_task_id, .. } => {
                self.flash = None;
                self.step = Step::Finished { task: task_id, packing: packing_task_id };
                vec![]
            }
            // The same words until the step is ready: one less redraw.
            _ => match (task, self.step.clone()) {
                (Some(id), Step::Busy(what)) => self.busy(what, Call::PickingTask { id }),
                (Some(id), _) => self.busy("Loading task...", Call::PickingTask { id }),
                (None, _) => self.claim(),
            },
        }
    }

    fn on_failure(&mut self, f: Failure) -> Vec<Cmd> {
        if f.kind == FailureKind::Unauthenticated {
            self.session = None;
            self.step = Step::Login(Login::default());
            return self.fail(f.short);
        }
        match self.task.as_ref() {
            Some(t) if t.status == PickingStatus::InProgress => {
                self.step = if self.item().is_some() { Step::Location } else { Step::AllDone };
            }
            _ => self.step = Step::NoWork,
        }
        self.flash = Flash::failure(&f);
        vec![Cmd::Beep]
    }

    /// Sends the pick with what was scanned; without both scans (a picker
    /// resumed by an older build) it asks for the location again.
    fn send_pick(&mut self, count: u32) -> Vec<Cmd> {
        let (Some(t), Some(i)) = (self.task.as_ref(), self.item()) else { return vec![] };
        let (task_id, item_id) = (t.task_id, i.item_id);
        // Taken, not copied: once the pick is the op's, the resume
        // snapshot no longer carries (and encodes) its scans.
        let (Some(location), Some(item)) = (self.scans.location.take(), self.scans.item.take()) else {
            self.step = Step::Location;
            return self.fail("Scan location");
        };
        let call = Call::Op(FloorOp::Pick { task_id, item_id, scan: PickScans::new(location, item, count) });
        self.busy("Saving pick...", call)
    }

    fn on_scan(&mut self, scan: Scan) -> Vec<Cmd> {
        let Some(item) = self.item().cloned() else { return vec![] };
        let remaining = item.required - item.picked;
        match self.step.clone() {
            Step::Location => {
                if location_scan_matches(&item.location, item.check_digits.as_deref(), &scan.text) {
                    self.scans = Scans { location: Some(Scanned::from(&scan)), item: None };
                    self.step = Step::Item;
                    vec![]
                } else {
                    let e = DomainError::WrongLocation { expected: item.location.clone(), scanned: scan.text };
                    self.fail(e.short())
                }
            }
            Step::Item | Step::Quantity { .. } => {
                let count = match self.step {
                    Step::Quantity { count } => count,
                    _ => 0,
                };
                let scanned = Scanned::from(&scan);
                let next = if item_scan_matches(&item.sku, item.barcode.as_deref(), &scanned.as_item()) {
                    self.scans.item = Some(scanned);
                    count + 1
                } else if let (Step::Quantity { .. }, Ok(n)) = (&self.step, scan.text.trim().parse::<u32>()) {
                    n
                } else {
                    let e = DomainError::WrongItem { expected: item.sku.clone(), scanned: scan.text };
                    return self.fail(e.short());
                };
                if next > remaining {
                    let e = DomainError::OverPick { requested: Qty(next), remaining: Qty(remaining) };
                    return self.fail(e.short());
                }
                if next == remaining {
                    return self.send_pick(next);
                }
                self.step = Step::Quantity { count: next };
                vec![]
            }
            Step::Menu => match scan.text.trim() {
                "1" => {
                    self.step = Step::ShortFound;
                    vec![]
                }
                "2" => {
                    self.step = Step::Reason(Exception::Skip);
                    vec![]
                }
                "3" => self.logout(),
                _ => self.fail("choose 1-3"),
            },
            Step::ShortFound => match scan.text.trim().parse::<u32>() {
                Ok(found) if found < remaining => {
                    self.step = Step::Reason(Exception::Short { found });
                    vec![]
                }
                _ => self.fail(format!("0 to {}", remaining.saturating_sub(1))),
            },
            Step::Reason(kind) => {
                let pick = scan.text.trim().parse::<usize>().ok().and_then(|n| ReasonCode::ALL.get(n.wrapping_sub(1)));
                let (Some(reason), Some(t)) = (pick, self.task.as_ref()) else { return self.fail("choose 1-5") };
                let (task_id, item_id, reason) = (t.task_id, item.item_id, reason.as_str().to_owned());
                let op = match kind {
                    Exception::Short { found } => FloorOp::Short { task_id, item_id, quantity: found, reason },
                    Exception::Skip => FloorOp::Skip { task_id, item_id, reason },
                };
                self.busy("Saving...", Call::Op(op))
            }
            _ => vec![],
        }
    }

    fn logout(&mut self) -> Vec<Cmd> {
        self.session = None;
        self.task = None;
        self.step = Step::Login(Login::default());
        vec![Cmd::Call(Call::Logout)]
    }

    fn on_action(&mut self, a: Action) -> Vec<Cmd> {
        let step = self.step.clone();
        match (a, step) {
            (
                Action::Confirm | Action::Next,
                Step::NoWork | Step::Finished { .. } | Step::Cancelled { .. } | Step::Reassigned,
            ) => self.claim(),
            (Action::Confirm, Step::AllDone) => match self.task.as_ref() {
                Some(t) => self.busy("Completing...", Call::Op(FloorOp::CompletePicking { task_id: t.task_id })),
                None => vec![],
            },
            (Action::Confirm, Step::Quantity { count }) if count > 0 => self.send_pick(count),
            (Action::Menu, Step::Location | Step::Item | Step::Quantity { .. }) => {
                self.step = Step::Menu;
                vec![]
            }
            (Action::Menu, Step::NoWork) => self.logout(),
            (Action::Back | Action::Menu, Step::Menu | Step::ShortFound | Step::Reason(_)) => {
                self.step = Step::Location;
                vec![]
            }
            (Action::Back, Step::Item | Step::Quantity { .. }) => {
                self.step = Step::Location;
                vec![]
            }
            _ => vec![],
        }
    }

    fn title(&self) -> String {
        match self.task.as_ref() {
            Some(t) => format!("PICK {}/{} #{}", (t.done_items + 1).min(t.total_items), t.total_items, t.task_id),
            None => "PICK".to_owned(),
        }
    }
}

impl App for Picker {
    fn update(&mut self, msg: Msg) -> Vec<Cmd> {
        match msg {
            Msg::Key(k) => {
                let Some(ev) = feed(&mut self.input, &mut self.flash, k) else { return vec![] };
                match (&mut self.step, ev) {
                    (Step::Login(login), ev) => login.event(ev),
                    (Step::Busy(_), _) => vec![],
                    (_, Event::Scan(s)) => self.on_scan(s),
                    (_, Event::Action(a)) => self.on_action(a),
                    (_, Event::Edited) => vec![],
                }
            }
            Msg::Tick => match (&self.step, self.task.as_ref()) {
                (Step::NoWork, _) => self.claim(),
                // Every step with a task in hand looks again, "All items
                // done" too: a cancel there must not wait for F1.
                (Step::Location | Step::Item | Step::Quantity { .. } | Step::Menu | Step::AllDone, Some(t)) => {
                    vec![Cmd::Call(Call::PickingTask { id: t.task_id })]
                }
                _ => vec![],
            },
            Msg::Reply(r) => self.on_reply(r),
            Msg::Printed(_) => vec![],
            Msg::Sync(s) => {
                super::on_sync(&mut self.sync, &mut self.flash, s);
                vec![]
            }
            Msg::Rejected(_op, f) => {
                self.refused.push(f.short.clone());
                let mut cmds = self.fail(f.short);
                if let (Some(t), false) = (self.task.as_ref(), matches!(self.step, Step::Busy(_))) {
                    cmds.push(Cmd::Call(Call::PickingTask { id: t.task_id }));
                }
                cmds
            }
        }
    }

    fn token(&self) -> Option<&str> {
        self.session.as_ref().map(|s| s.token.as_str())
    }

    fn snapshot(&self) -> Option<String> {
        let step = match &self.step {
            Step::Busy(_) | Step::Login(_) => None,
            s => Some(s.clone()),
        };
        let saved = Saved { session: self.session.clone(), task: self.task.clone(), step, scans: self.scans.clone() };
        serde_json::to_string(&saved).ok()
    }

    fn restore(&mut self, snapshot: &str) {
        let Ok(saved) = serde_json::from_str::<Saved>(snapshot) else { return };
        let Some(session) = saved.session else { return };
        self.session = Some(session);
        self.task = saved.task;
        self.scans = saved.scans;
        self.step = match (saved.step, self.task.as_ref()) {
            (Some(step), _) => step,
            (None, Some(t)) if t.status == PickingStatus::InProgress => {
                if self.item().is_some() {
                    Step::Location
                } else {
                    Step::AllDone
                }
            }
            _ => Step::NoWork,
        };
    }

    fn view(&self) -> View {
        self.screen()
    }
}
