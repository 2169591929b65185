//! `tote pick --cluster`: cluster picking. The picker claims a batch of a
//! wave (several orders, one tote each) and walks it once: for each stop,
//! scan the location, scan the item, then scan the tote the units go into.
//! A wrong location, item or tote beeps (`E107 wrong tote` for a tote that
//! is not this order's); the pick is sent with the tote and the server
//! checks it again. After the last stop every task is completed (each
//! becomes its own packing task). Pure: see [`crate::tui`].
//!
//! Stops run across the orders in walk order (the locations' rank), then by
//! location code and order. Short and
//! skip stay in the one-order picker (`tote pick`).

use super::input::{Event, Input, feed};
use super::login::Login;
use super::picker::Exception;
use super::view::{Prompt, View};
use super::{App, Call, Cmd, Failure, Flash, Msg, Reply, SyncStatus, status_text};
use crate::app::command::{BatchDto, Outcome};
use crate::app::floor_op::PickScans;
use crate::app::floor_op::{FloorOp, Scanned};
use crate::app::task_views::{PickingItemView, PickingTaskView};
use crate::domain::DomainError;
use crate::domain::picking::{ItemStatus, PickingStatus, ReasonCode, item_scan_matches, location_scan_matches};
use crate::domain::wave::check_tote;
use crate::keymap::Action;
use crate::scanner::Scan;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Login(Login),
    Busy(String),
    NoWork,
    Location,
    Item,
    Tote,
    /// 1 short, 2 skip.
    Menu,
    ShortFound,
    Reason(Exception),
    Done {
        totes: usize,
    },
}

#[derive(Debug, Clone)]
pub struct Cluster {
    input: Input,
    token: Option<String>,
    step: Step,
    batch: Option<BatchDto>,
    tasks: Vec<PickingTaskView>,
    /// Calls still to make, one at a time, before the next step.
    queue: Vec<Call>,
    flash: Option<Flash>,
    sync: SyncStatus,
    /// The location and item scans of the stop in hand, sent with its pick.
    scans: (Option<Scanned>, Option<Scanned>),
}

impl Cluster {
    pub fn new(input: Input) -> Cluster {
        Cluster {
            input,
            token: None,
            step: Step::Login(Login::default()),
            batch: None,
            tasks: Vec::new(),
            queue: Vec::new(),
            flash: None,
            sync: SyncStatus { online: true, ..SyncStatus::default() },
            scans: (None, None),
        }
    }

    pub fn step(&self) -> &Step {
        &self.step
    }

    /// The next stop: the task, its item and its tote.
    fn stop(&self) -> Option<(&PickingTaskView, &PickingItemView, String)> {
        let batch = self.batch.as_ref()?;
        self.tasks
            .iter()
            .flat_map(|t| t.items.iter().filter(|i| i.status == ItemStatus::Pending).map(move |i| (t, i)))
            .min_by(|a, b| {
                (a.1.walk_order, &a.1.location, a.0.task_id).cmp(&(b.1.walk_order, &b.1.location, b.0.task_id))
            })
            .and_then(|(t, i)| {
                let tote = batch.totes.iter().find(|x| x.task_id == t.task_id)?.tote.clone();
                Some((t, i, tote))
            })
    }

    fn left(&self) -> usize {
        self.tasks.iter().flat_map(|t| &t.items).filter(|i| i.status == ItemStatus::Pending).count()
    }

    fn busy(&mut self, what: &str, call: Call) -> Vec<Cmd> {
        self.step = Step::Busy(what.to_owned());
        vec![Cmd::Call(call)]
    }

    fn fail(&mut self, text: impl Into<String>) -> Vec<Cmd> {
        self.flash = Flash::error(text);
        vec![Cmd::Beep]
    }

    fn claim(&mut self) -> Vec<Cmd> {
        self.batch = None;
        self.tasks.clear();
        self.busy("Getting a batch...", Call::ClaimBatch)
    }

    /// Runs the queued calls in order, then moves to the next stop (or, with
    /// none left, completes the tasks, then says done).
    fn next(&mut self) -> Vec<Cmd> {
        if !self.queue.is_empty() {
            let call = self.queue.remove(0);
            return self.busy("Working...", call);
        }
        if self.stop().is_some() {
            self.step = Step::Location;
            return Vec::new();
        }
        let open: Vec<Call> = self
            .tasks
            .iter()
            .filter(|t| t.status == PickingStatus::InProgress)
            .map(|t| Call::Op(FloorOp::CompletePicking { task_id: t.task_id }))
            .collect();
        if open.is_empty() {
            self.step = Step::Done { totes: self.tasks.len() };
            return Vec::new();
        }
        self.queue = open;
        let reload: Vec<Call> = self.tasks.iter().map(|t| Call::PickingTask { id: t.task_id }).collect();
        self.queue.extend(reload);
        self.next()
    }

    fn on_outcome(&mut self, o: Outcome) -> Vec<Cmd> {
        match o {
            Outcome::Batch { batch: None } => {
                self.step = Step::NoWork;
                Vec::new()
            }
            Outcome::Batch { batch: Some(b) } => {
                self.queue = b.totes.iter().map(|t| Call::PickingTask { id: t.task_id }).collect();
                self.batch = Some(b);
                self.next()
            }
            Outcome::PickedItem { task_id, .. } => {
                self.queue.insert(0, Call::PickingTask { id: task_id });
                self.next()
            }
            _ => self.next(),
        }
    }

    fn on_task(&mut self, t: PickingTaskView) -> Vec<Cmd> {
        let id = t.task_id;
        if t.status == PickingStatus::Assigned {
            self.queue.insert(0, Call::Op(FloorOp::StartPicking { task_id: id }));
            self.queue.insert(1, Call::PickingTask { id });
        }
        match self.tasks.iter_mut().find(|x| x.task_id == id) {
            Some(slot) => *slot = t,
            None => self.tasks.push(t),
        }
        self.next()
    }

    fn on_failure(&mut self, f: Failure) -> Vec<Cmd> {
        self.queue.clear();
        self.step = if self.stop().is_some() { Step::Location } else { Step::NoWork };
        self.fail(f.short)
    }

    fn on_scan(&mut self, scan: Scan) -> Vec<Cmd> {
        let Some((task, item)) = self.stop().map(|(t, i, _)| (t.task_id, i.clone())) else {
            return Vec::new();
        };
        match self.step {
            Step::Location if location_scan_matches(&item.location, item.check_digits.as_deref(), &scan.text) => {
                self.scans = (Some(Scanned::from(&scan)), None);
                self.step = Step::Item;
                Vec::new()
            }
            Step::Location => {
                let e = DomainError::WrongLocation { expected: item.location.clone(), scanned: scan.text };
                self.fail(e.short())
            }
            Step::Item if item_scan_matches(&item.sku, item.barcode.as_deref(), &Scanned::from(&scan).as_item()) => {
                self.scans.1 = Some(Scanned::from(&scan));
                self.step = Step::Tote;
                Vec::new()
            }
            Step::Item => {
                let e = DomainError::WrongItem { expected: item.sku.clone(), scanned: scan.text };
                self.fail(e.short())
            }
            Step::Menu => match scan.text.trim() {
                "1" => {
                    self.step = Step::ShortFound;
                    Vec::new()
                }
                "2" => {
                    self.step = Step::Reason(Exception::Skip);
                    Vec::new()
                }
                _ => self.fail("choose 1-2"),
            },
            Step::ShortFound => match scan.text.trim().parse::<u32>() {
                Ok(found) if found < item.required - item.picked => {
                    self.step = Step::Reason(Exception::Short { found });
                    Vec::new()
                }
                _ => self.fail(format!("0 to {}", (item.required - item.picked).saturating_sub(1))),
            },
            Step::Reason(kind) => {
                let pick = scan.text.trim().parse::<usize>().ok().and_then(|n| ReasonCode::ALL.get(n.wrapping_sub(1)));
                let Some(reason) = pick else { return self.fail("choose 1-5") };
                let reason = reason.as_str().to_owned();
                let op = match kind {
                    Exception::Short { found } => {
                        FloorOp::Short { task_id: task, item_id: item.item_id, quantity: found, reason }
                    }
                    Exception::Skip => FloorOp::Skip { task_id: task, item_id: item.item_id, reason },
                };
                self.busy("Saving...", Call::Op(op))
            }
            Step::Tote => match (check_tote(task, &scan.text), self.scans.clone()) {
                (Ok(()), (Some(location), Some(scanned))) => {
                    let op = FloorOp::Pick {
                        task_id: task,
                        item_id: item.item_id,
                        scan: PickScans::new(location, scanned, item.required - item.picked)
                            .into_tote(scan.text.trim().to_owned()),
                    };
                    self.busy("Saving pick...", Call::Op(op))
                }
                (Ok(()), _) => {
                    self.step = Step::Location;
                    self.fail("Scan location")
                }
                (Err(e), _) => self.fail(e.short()),
            },
            _ => Vec::new(),
        }
    }

    fn title(&self) -> String {
        let total: usize = self.tasks.iter().map(|t| t.items.len()).sum();
        match &self.batch {
            Some(b) => format!("CLU {}/{total} B{}", total - self.left(), b.batch_id),
            None => "CLUSTER".to_owned(),
        }
    }
}

impl App for Cluster {
    fn update(&mut self, msg: Msg) -> Vec<Cmd> {
        match msg {
            Msg::Key(k) => {
                let Some(ev) = feed(&mut self.input, &mut self.flash, k) else { return Vec::new() };
                match (&mut self.step, ev) {
                    (Step::Login(login), ev) => login.event(ev),
                    (Step::Busy(_), _) => Vec::new(),
                    (_, Event::Scan(s)) => self.on_scan(s),
                    (Step::NoWork | Step::Done { .. }, Event::Action(Action::Confirm | Action::Next)) => self.claim(),
                    (Step::Item | Step::Tote, Event::Action(Action::Back)) => {
                        self.step = Step::Location;
                        Vec::new()
                    }
                    (Step::Location | Step::Item | Step::Tote, Event::Action(Action::Menu)) => {
                        self.step = Step::Menu;
                        Vec::new()
                    }
                    (Step::Menu | Step::ShortFound | Step::Reason(_), Event::Action(Action::Back | Action::Menu)) => {
                        self.step = Step::Location;
                        Vec::new()
                    }
                    (Step::NoWork | Step::Done { .. }, Event::Action(Action::Menu)) => vec![Cmd::Quit],
                    _ => Vec::new(),
                }
            }
            Msg::Tick if self.step == Step::NoWork => self.claim(),
            Msg::Reply(Reply::Session(r)) => {
                let Step::Login(login) = &mut self.step else { return Vec::new() };
                let (session, mut cmds) = login.reply(r);
                if let Some(s) = session {
                    self.token = Some(s.token);
                    cmds.extend(self.claim());
                }
                cmds
            }
            Msg::Reply(Reply::Outcome(Ok(o))) => self.on_outcome(o),
            Msg::Reply(Reply::PickingTask(Ok(t))) => self.on_task(t),
            Msg::Reply(Reply::Outcome(Err(f)) | Reply::PickingTask(Err(f))) => self.on_failure(f),
            Msg::Sync(s) => {
                super::on_sync(&mut self.sync, &mut self.flash, s);
                Vec::new()
            }
            Msg::Rejected(_, f) => self.fail(f.short),
            _ => Vec::new(),
        }
    }

    fn view(&self) -> View {
        let pending = self.input.pending();
        let mut v =
            View { title: self.title(), status: status_text(&self.sync), flash: self.flash.clone(), ..View::default() };
        let stop = self.stop();
        match (&self.step, stop) {
            (Step::Login(l), _) => return l.view("CLUSTER", pending),
            (Step::Busy(what), _) => v.lines.push(what.clone()),
            (Step::NoWork, _) => {
                v.lines = vec!["No batch now".into(), "Checking again".into()];
                v.keys = vec![("F4", "check"), ("Esc", "quit")];
            }
            (Step::Done { totes }, _) => {
                v.big = Some("BATCH DONE".into());
                v.lines = vec![format!("{totes} totes to packing")];
                v.keys = vec![("F4", "next batch"), ("Esc", "quit")];
            }
            (Step::Menu, _) => {
                v.choices = vec!["1 Short".into(), "2 Skip".into()];
                v.prompt = Prompt::new("Choice ", pending);
                v.keys = vec![("F3", "back")];
            }
            (Step::ShortFound, Some((_, i, _))) => {
                v.big = Some(i.location.clone());
                v.lines = vec!["SHORT: units found?".into(), format!("{} x {}", i.required - i.picked, i.sku)];
                v.prompt = Prompt::new("Found ", pending);
                v.keys = vec![("F3", "back")];
            }
            (Step::Reason(kind), _) => {
                v.lines.push(match kind {
                    Exception::Short { found } => format!("SHORT ({found} found)"),
                    Exception::Skip => "SKIP: why?".to_owned(),
                });
                v.choices =
                    ReasonCode::ALL.iter().enumerate().map(|(n, r)| format!("{} {}", n + 1, r.as_str())).collect();
                v.prompt = Prompt::new("Reason ", pending);
                v.keys = vec![("F3", "back")];
            }
            (step, Some((t, i, tote))) => {
                v.big = Some(match step {
                    Step::Tote => tote.clone(),
                    _ => i.location.clone(),
                });
                v.lines.push(format!("{} x {}", i.required - i.picked, i.sku));
                v.lines.push(format!("{tote} ord {}", t.order_id));
                let label = match step {
                    Step::Location => "Loc ",
                    Step::Item => "Item ",
                    _ => "Tote ",
                };
                v.prompt = Prompt::new(label, pending);
                v.keys = vec![("F3", "back"), ("Esc", "short")];
            }
            (_, None) => v.lines.push("Nothing left".into()),
        }
        v
    }

    fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }
}
