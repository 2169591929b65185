//! `tote pack`: scan a tote or an order (or take the next task from the
//! queue), verify every unit by scanning it, choose the packaging, enter
//! weight and L×W×H, add boxes, complete; the labels print through the
//! station's spooler and the tracking numbers are shown; scanning a box's
//! tracking number reprints its label, and scanning an order or tote that
//! is already packed prints its labels here (a reprint, said on screen).
//! Pure: see [`crate::tui`].

use super::input::{Event, Input, feed};
use super::login::Login;
use super::view::View;
use super::{App, Call, Cmd, Failure, FailureKind, Flash, Labels, Msg, Reply, Session, SyncStatus};
use crate::app::command::{Outcome, PackageDto, PackagingTypeDto, QueueDto};
use crate::app::floor_op::FloorOp;
use crate::app::task_views::{PackingTaskView, PickingTaskView};
use crate::domain::DomainError;
use crate::domain::ids::Qty;
use crate::domain::packing::{PackingStatus, SetAsideReason};
use crate::domain::picking::item_scan_matches;
use crate::keymap::Action;
use crate::scanner::Scan;

mod measure;
mod screen;

pub use measure::{Limits, measure};

/// What the packer is waiting for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Wait {
    Find,
    Task,
    Start,
    Items,
    Save,
    Complete,
    Labels,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Step {
    Login(Login),
    Busy(Wait),
    /// Scan a tote or an order.
    Find,
    Verify,
    Packaging,
    /// Entering weight (g), then length, width, height (mm).
    Measure(usize),
    BoxSaved,
    Done,
    /// Leaving Verify with units scanned: why (a damaged unit, the wrong
    /// order), kept on the task for the next packer.
    SetAside,
}

/// One SKU to verify: units picked and units scanned so far, with its
/// name and the units ordered (more than picked: the line was shorted).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Line {
    pub sku: String,
    pub barcode: Option<String>,
    pub want: u32,
    pub got: u32,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub ordered: u32,
}

/// What a packer resumes on after a restart.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Saved {
    session: Option<Session>,
    step: Option<Step>,
    task: Option<PackingTaskView>,
    lines: Vec<Line>,
    packaging: usize,
    measures: [u64; 4],
    sequence: u32,
    labels: Vec<(String, String)>,
}

const TYPES: [(PackagingTypeDto, &str); 5] = [
    (PackagingTypeDto::Box, "box"),
    (PackagingTypeDto::Bag, "bag"),
    (PackagingTypeDto::Envelope, "envelope"),
    (PackagingTypeDto::Pallet, "pallet"),
    (PackagingTypeDto::Custom, "custom"),
];
const FIELDS: [&str; 4] = ["Weight g ", "Length mm ", "Width mm ", "Height mm "];
/// Verify lines per page until the terminal's size is known (fits the
/// 20x16 body); [`App::resize`] fits it to the terminal.
pub const PAGE: usize = 5;

#[derive(Debug, Clone)]
pub struct Packer {
    input: Input,
    session: Option<Session>,
    step: Step,
    flash: Option<Flash>,
    task: Option<PackingTaskView>,
    lines: Vec<Line>,
    page: usize,
    /// Verify lines per page: two rows each, as many as the screen holds.
    per_page: usize,
    packaging: usize,
    measures: [u64; 4],
    sequence: u32,
    /// (tracking number, spooler key) per package, once packed.
    labels: Vec<(String, String)>,
    /// The labels are a box packed earlier, found by a scan: a reprint.
    reprint: bool,
    printed: Option<Result<String, String>>,
    sync: SyncStatus,
    limits: Limits,
}

impl Packer {
    /// With the station's own measurement limits.
    pub fn with_limits(mut self, limits: Limits) -> Packer {
        self.limits = limits;
        self
    }

    pub fn new(input: Input) -> Packer {
        Packer {
            input,
            session: None,
            step: Step::Login(Login::default()),
            flash: None,
            task: None,
            lines: vec![],
            page: 0,
            per_page: PAGE,
            packaging: 0,
            measures: [0; 4],
            sequence: 1,
            labels: vec![],
            reprint: false,
            printed: None,
            sync: SyncStatus { online: true, ..SyncStatus::default() },
            limits: Limits::default(),
        }
    }

    pub fn step(&self) -> &Step {
        &self.step
    }

    fn wait(&mut self, w: Wait, call: Call) -> Vec<Cmd> {
        self.step = Step::Busy(w);
        vec![Cmd::Call(call)]
    }

    fn fail(&mut self, text: impl Into<String>) -> Vec<Cmd> {
        self.flash = Flash::error(text);
        vec![Cmd::Beep]
    }

    /// Back to Find from Verify; the box set aside says why (an op, so it
    /// waits in the queue offline like the rest).
    fn leave(&mut self, why: Option<SetAsideReason>) -> Vec<Cmd> {
        let task = self.task.as_ref().map(|t| (t.task_id, t.order_id));
        self.reset();
        match (task, why) {
            (Some((task_id, order)), Some(reason)) => {
                self.flash = Flash::info(format!("Set aside {order}: {}", reason.words()));
                vec![Cmd::Call(Call::Op(FloorOp::SetAside { task_id, reason }))]
            }
            (task, _) => {
                self.flash = Flash::info(format!("Left order {}", task.map_or(0, |t| t.1)));
                vec![]
            }
        }
    }

    fn reset(&mut self) {
        // The next order starts clean; the login and what the status bar knows stay.
        *self = Packer {
            input: self.input.clone(),
            session: self.session.take(),
            sync: self.sync,
            limits: self.limits,
            per_page: self.per_page,
            ..Packer::new(Input::default())
        };
        self.step = Step::Find;
    }

    /// A tote label carries `TOTE-<picking task>`; an order is its number,
    /// optionally as `ORD-<n>`; anything else is taken for a box's tracking
    /// number (a packed box scanned prints its labels again).
    fn find(&mut self, text: &str) -> Vec<Cmd> {
        let t = text.trim().to_ascii_uppercase();
        if let Some(id) = t.strip_prefix("TOTE-").and_then(|n| n.parse().ok()) {
            return self.wait(Wait::Find, Call::PickingTask { id });
        }
        match t.strip_prefix("ORD-").unwrap_or(&t).parse() {
            Ok(order) => self.wait(Wait::Find, Call::PackingTasksOfOrder { order }),
            Err(_) if !t.is_empty() && t.len() <= 64 => {
                self.wait(Wait::Find, Call::PackingTasksOfParcel { tracking: text.trim().to_owned() })
            }
            Err(_) => self.fail("E001 tote/order?"),
        }
    }

    fn take(&mut self, t: PackingTaskView) -> Vec<Cmd> {
        let (id, picking, status) = (t.task_id, t.picking_task_id, t.status);
        self.task = Some(t);
        match status {
            PackingStatus::Pending => self.wait(Wait::Start, Call::Op(FloorOp::StartPacking { task_id: id })),
            PackingStatus::InProgress => self.wait(Wait::Items, Call::PickingTask { id: picking }),
            PackingStatus::Packed | PackingStatus::Shipped | PackingStatus::Cancelled => {
                self.reset();
                self.fail(format!("E003 task {}", status.as_str()))
            }
        }
    }

    fn items(&mut self, t: PickingTaskView) {
        self.lines.clear();
        // Every line, a shorted one too: the packer sees what is missing
        // instead of a line that silently is not there.
        for i in &t.items {
            match self.lines.iter_mut().find(|l| l.sku == i.sku) {
                Some(l) => {
                    l.want += i.picked;
                    l.ordered += i.required;
                }
                None => self.lines.push(Line {
                    sku: i.sku.clone(),
                    barcode: i.barcode.clone(),
                    want: i.picked,
                    got: 0,
                    name: i.name.clone(),
                    ordered: i.required,
                }),
            }
        }
        self.page = 0;
        self.step = Step::Verify;
        // A box set aside before: the packer is told why.
        if let Some(why) = self.task.as_ref().and_then(|t| t.set_aside) {
            self.flash = Flash::info(format!("set aside: {}", why.words()));
        }
    }

    fn on_reply(&mut self, r: Reply) -> Vec<Cmd> {
        let Step::Busy(wait) = self.step.clone() else {
            if let (Step::Login(login), Reply::Session(r)) = (&mut self.step, r) {
                let (session, cmds) = login.reply(r);
                if session.is_some() {
                    self.session = session;
                    self.step = Step::Find;
                }
                return cmds;
            }
            return vec![];
        };
        match (wait, r) {
            (Wait::Find, Reply::PickingTask(Ok(t))) => {
                self.wait(Wait::Find, Call::PackingTasksOfOrder { order: t.order_id })
            }
            (Wait::Find, Reply::PackingTasks(Ok(mut list))) => {
                let open = |t: &PackingTaskView| matches!(t.status, PackingStatus::Pending | PackingStatus::InProgress);
                let packed = |t: &PackingTaskView| matches!(t.status, PackingStatus::Packed | PackingStatus::Shipped);
                match (list.iter().position(open), list.iter().rposition(packed)) {
                    (Some(n), _) => self.take(list.swap_remove(n)),
                    // A box packed earlier (here or at another station):
                    // its labels print here, said on screen as a reprint.
                    (None, Some(n)) => {
                        let t = list.swap_remove(n);
                        let task = t.task_id;
                        self.task = Some(t);
                        self.reprint = true;
                        self.wait(Wait::Labels, Call::Labels { task })
                    }
                    (None, None) => {
                        self.step = Step::Find;
                        self.fail("E002 no pack task")
                    }
                }
            }
            (Wait::Task, Reply::Outcome(Ok(Outcome::Claimed { task_id: Some(id), .. }))) => {
                self.wait(Wait::Task, Call::PackingTask { id })
            }
            (Wait::Task, Reply::Outcome(Ok(Outcome::Claimed { task_id: None, .. }))) => {
                self.step = Step::Find;
                self.flash = Flash::info("Queue is empty");
                vec![]
            }
            (Wait::Task, Reply::PackingTask(Ok(t))) => self.take(t),
            (Wait::Start, Reply::Outcome(Ok(_))) => match self.task.as_ref() {
                Some(t) => self.wait(Wait::Items, Call::PickingTask { id: t.picking_task_id }),
                None => vec![],
            },
            (Wait::Items, Reply::PickingTask(Ok(t))) => {
                self.items(t);
                vec![]
            }
            (Wait::Save, Reply::Outcome(Ok(_))) => {
                self.step = Step::BoxSaved;
                vec![]
            }
            (Wait::Complete, Reply::Outcome(Ok(_))) => match self.task.as_ref() {
                Some(t) => self.wait(Wait::Labels, Call::Labels { task: t.task_id }),
                None => vec![],
            },
            (Wait::Labels, Reply::Labels(Ok(l))) => self.print(l),
            (_, Reply::Session(_)) => vec![],
            (wait, Reply::Outcome(Err(f)) | Reply::PickingTask(Err(f)) | Reply::PackingTask(Err(f)))
            | (wait, Reply::PackingTasks(Err(f)) | Reply::Labels(Err(f))) => self.on_failure(wait, f),
            _ => vec![],
        }
    }

    fn on_failure(&mut self, wait: Wait, f: Failure) -> Vec<Cmd> {
        self.step = match wait {
            _ if f.kind == FailureKind::Unauthenticated => {
                self.session = None;
                Step::Login(Login::default())
            }
            Wait::Find | Wait::Task | Wait::Start | Wait::Items => Step::Find,
            Wait::Save => Step::Measure(0),
            Wait::Complete => Step::BoxSaved,
            Wait::Labels => Step::Done,
        };
        self.fail(f.short)
    }

    fn print(&mut self, l: Labels) -> Vec<Cmd> {
        self.step = Step::Done;
        self.printed = None;
        self.labels.clear();
        let mut cmds = vec![];
        for (n, (tracking, zpl)) in l.tracking_numbers.into_iter().zip(l.labels).enumerate() {
            let key = format!("pack-{}-pkg-{}", l.task_id, n + 1);
            let again = self.reprint.then(|| "order scanned at station".to_owned());
            cmds.push(Cmd::Print { key: key.clone(), zpl, again });
            self.labels.push((tracking, key));
        }
        cmds
    }

    fn package(&self) -> PackageDto {
        let [w, l, wd, h] = self.measures;
        PackageDto {
            packaging_type: TYPES[self.packaging].0,
            weight_g: w,
            length_mm: l as u32,
            width_mm: wd as u32,
            height_mm: h as u32,
        }
    }

    fn verify(&mut self, scan: &Scan) -> Vec<Cmd> {
        let text = scan.text.as_str();
        let scanned = crate::app::floor_op::Scanned::from(scan);
        let matches = |l: &&Line| item_scan_matches(&l.sku, l.barcode.as_deref(), &scanned.as_item());
        let Some(n) = self.lines.iter().position(|l| matches(&l)) else {
            let e = DomainError::WrongItem { expected: "an item of this order".into(), scanned: text.into() };
            return self.fail(e.short());
        };
        let line = &mut self.lines[n];
        if line.got >= line.want {
            let e = DomainError::OverPick { requested: Qty(line.got + 1), remaining: Qty(line.want) };
            return self.fail(e.short());
        }
        line.got += 1;
        self.page = n / self.per_page;
        if self.lines.iter().all(|l| l.got == l.want) {
            self.step = Step::Packaging;
        }
        vec![]
    }

    fn on_scan(&mut self, scan: Scan) -> Vec<Cmd> {
        match self.step.clone() {
            Step::Find => self.find(&scan.text),
            Step::Verify => self.verify(&scan),
            Step::SetAside => match scan.text.trim().parse::<usize>().ok().and_then(|n| n.checked_sub(1)) {
                Some(n) if n < SetAsideReason::ALL.len() => self.leave(Some(SetAsideReason::ALL[n])),
                _ => self.fail(format!("choose 1-{}", SetAsideReason::ALL.len())),
            },
            Step::Packaging => match scan.text.trim().parse::<usize>() {
                Ok(n @ 1..=5) => {
                    self.packaging = n - 1;
                    self.step = Step::Measure(0);
                    vec![]
                }
                _ => self.fail("choose 1-5"),
            },
            Step::Measure(field) => match measure(&scan.text, field == 0, self.limits) {
                Ok(v) => {
                    self.measures[field] = v;
                    if field + 1 < FIELDS.len() {
                        self.step = Step::Measure(field + 1);
                        return vec![];
                    }
                    let (task_id, package) = (self.task.as_ref().map_or(0, |t| t.task_id), self.package());
                    let op = if self.sequence == 1 {
                        FloorOp::PackageDetails { task_id, sequence: 1, package }
                    } else {
                        FloorOp::AddPackage { task_id, package }
                    };
                    self.wait(Wait::Save, Call::Op(op))
                }
                Err(why) => self.fail(why),
            },
            Step::Done => {
                let text = scan.text.trim();
                match self.labels.iter().find(|(t, _)| t == text) {
                    Some((_, key)) => vec![Cmd::Reprint { key: key.clone(), reason: "box scanned at station".into() }],
                    None => self.fail("E002 not this box"),
                }
            }
            _ => vec![],
        }
    }

    fn on_action(&mut self, a: Action) -> Vec<Cmd> {
        match (a, self.step.clone()) {
            (Action::Next, Step::Find) => self.wait(Wait::Task, Call::Claim { queue: QueueDto::Packing }),
            (Action::Menu, Step::Find) => {
                self.session = None;
                self.step = Step::Login(Login::default());
                vec![Cmd::Call(Call::Logout)]
            }
            (Action::PageDown, Step::Verify) if (self.page + 1) * self.per_page < self.lines.len() => {
                self.page += 1;
                vec![]
            }
            (Action::PageUp, Step::Verify) => {
                self.page = self.page.saturating_sub(1);
                vec![]
            }
            // A wrong order or a damaged unit must not block the station:
            // back to Find (the task stays started for whoever scans it
            // next), saying why when units were scanned.
            (Action::Back | Action::Menu, Step::Verify) => {
                let scanned: u32 = self.lines.iter().map(|l| l.got).sum();
                if scanned > 0 {
                    self.step = Step::SetAside;
                    return vec![];
                }
                self.leave(None)
            }
            (Action::Back | Action::Menu, Step::SetAside) => {
                self.step = Step::Verify;
                vec![]
            }
            (Action::Confirm, Step::Verify) => {
                let left: u32 = self.lines.iter().map(|l| l.want - l.got).sum();
                self.fail(DomainError::ItemsIncomplete { pending: left as usize }.short())
            }
            (Action::Back, Step::Measure(0)) => {
                self.step = Step::Packaging;
                vec![]
            }
            (Action::Back, Step::Measure(f)) => {
                self.step = Step::Measure(f - 1);
                vec![]
            }
            (Action::Next, Step::BoxSaved) => {
                self.sequence += 1;
                self.measures = [0; 4];
                self.step = Step::Packaging;
                vec![]
            }
            (Action::Confirm, Step::BoxSaved) => match self.task.as_ref() {
                Some(t) => self.wait(Wait::Complete, Call::Op(FloorOp::CompletePacking { task_id: t.task_id })),
                None => vec![],
            },
            // Packed offline: the label comes when the server does (F4 asks again).
            (Action::Next, Step::Done) if self.labels.is_empty() => match self.task.as_ref() {
                Some(t) => self.wait(Wait::Labels, Call::Labels { task: t.task_id }),
                None => vec![],
            },
            (Action::Confirm | Action::Next, Step::Done) => {
                self.reset();
                vec![]
            }
            _ => vec![],
        }
    }

    fn title(&self) -> String {
        match self.task.as_ref() {
            Some(t) => format!("PACK #{} ord {}", t.task_id, t.order_id),
            None => "PACK".to_owned(),
        }
    }
}

impl App for Packer {
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
            Msg::Reply(r) => self.on_reply(r),
            Msg::Printed(r) => {
                let printed = r.is_ok();
                if !printed {
                    self.flash = Flash::error("PRINT FAILED");
                }
                // The server lists the box as labelled (through the queue),
                // told once: not again for its other packages or a reprint.
                let first = printed && !matches!(self.printed, Some(Ok(_)));
                self.printed = Some(r);
                match self.task.as_ref() {
                    Some(t) if first && !self.labels.is_empty() => {
                        vec![Cmd::Call(Call::Op(FloorOp::LabelPrinted { task_id: t.task_id }))]
                    }
                    _ => vec![],
                }
            }
            Msg::Tick => vec![],
            Msg::Sync(s) => {
                super::on_sync(&mut self.sync, &mut self.flash, s);
                vec![]
            }
            Msg::Rejected(op, f) => self.fail(format!("{} {}", op.kind(), f.short)),
        }
    }

    fn token(&self) -> Option<&str> {
        self.session.as_ref().map(|s| s.token.as_str())
    }

    /// Verify shows as many lines as the screen has rows for (two each),
    /// on the page that holds the line shown first before.
    fn resize(&mut self, width: u16, height: u16) {
        let first = self.page * self.per_page;
        self.per_page = (super::view::line_rows(width, height) / 2).max(1);
        self.page = first / self.per_page;
    }

    /// The box being packed survives a restart: the task, the units
    /// verified, the packaging and measures typed so far, the labels.
    fn snapshot(&self) -> Option<String> {
        let step = match &self.step {
            Step::Busy(_) | Step::Login(_) => None,
            s => Some(s.clone()),
        };
        let saved = Saved {
            session: self.session.clone(),
            step,
            task: self.task.clone(),
            lines: self.lines.clone(),
            packaging: self.packaging,
            measures: self.measures,
            sequence: self.sequence,
            labels: self.labels.clone(),
        };
        serde_json::to_string(&saved).ok()
    }

    fn restore(&mut self, snapshot: &str) {
        let Ok(saved) = serde_json::from_str::<Saved>(snapshot) else { return };
        let Some(session) = saved.session else { return };
        self.session = Some(session);
        self.step = match (saved.step, &saved.task) {
            (Some(step), _) => step,
            (None, Some(_)) => Step::Verify,
            (None, None) => Step::Find,
        };
        self.task = saved.task;
        self.lines = saved.lines;
        self.packaging = saved.packaging;
        self.measures = saved.measures;
        self.sequence = saved.sequence;
        self.labels = saved.labels;
    }

    fn view(&self) -> View {
        self.screen()
    }
}
