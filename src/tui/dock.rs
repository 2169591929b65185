//! `tote dock` and `tote put-back`: two one-scan floor jobs on a handheld.
//!
//! - **Dock**: scan each parcel's label as it goes onto the truck; the
//!   server ships it (`POST /api/v1/dispatch/parcels`). A parcel that must
//!   not leave (voided, its order cancelled) beeps and says to take it off.
//! - **Put-back**: the oldest put-back task (picked units of cancelled
//!   work) lists its SKUs and their shelves; scan a shelf and the units for
//!   it go back on sale; a wrong shelf beeps and says which are expected.
//!
//! Both need the server's answer at once (a parcel refused at the dock must
//! come off before the truck leaves; a put-back makes stock sellable), so
//! they are calls, not queued floor ops: offline, a scan beeps and says to
//! scan again. Pure: see [`crate::tui`].

use super::input::{Event, Input, feed};
use super::login::Login;
use super::view::{Prompt, View};
use super::{App, Call, Cmd, Failure, FailureKind, Flash, Msg, Reply, Session, SyncStatus, status_text};
use crate::app::command::Outcome;
use crate::keymap::Action;
use crate::storage::put_back::PutBackTask;

/// Which job this terminal does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    Dock,
    PutBack,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Login(Login),
    /// Waiting for the server.
    Busy,
    /// Waiting for a scan.
    Scan,
}

/// Parcels listed on the dock screen (the latest first).
const SHOWN: usize = 4;

#[derive(Debug, Clone)]
pub struct Dock {
    job: Job,
    input: Input,
    session: Option<Session>,
    step: Step,
    flash: Option<Flash>,
    sync: SyncStatus,
    /// Parcels loaded from this terminal since login, the latest last.
    loaded: Vec<String>,
    /// Why the last parcel may not leave, in full.
    refused: Option<String>,
    /// The put-back task at hand (`None`: nothing waits).
    task: Option<PutBackTask>,
}

impl Dock {
    pub fn new(job: Job, input: Input) -> Dock {
        Dock {
            job,
            input,
            session: None,
            step: Step::Login(Login::default()),
            flash: None,
            sync: SyncStatus { online: true, ..SyncStatus::default() },
            loaded: vec![],
            refused: None,
            task: None,
        }
    }

    pub fn step(&self) -> &Step {
        &self.step
    }

    fn call(&mut self, call: Call) -> Vec<Cmd> {
        self.step = Step::Busy;
        vec![Cmd::Call(call)]
    }

    fn fail(&mut self, text: impl Into<String>) -> Vec<Cmd> {
        self.flash = Flash::error(text);
        vec![Cmd::Beep]
    }

    /// The screen after login, or after a put-back: the next task.
    fn ready(&mut self) -> Vec<Cmd> {
        match self.job {
            Job::Dock => {
                self.step = Step::Scan;
                vec![]
            }
            Job::PutBack => self.call(Call::PutBacks),
        }
    }

    fn on_scan(&mut self, text: &str) -> Vec<Cmd> {
        let text = text.trim();
        if text.is_empty() || text.chars().count() > 64 {
            return self.fail("E001 scan again");
        }
        self.refused = None;
        match (self.job, &self.task) {
            (Job::Dock, _) => self.call(Call::Dispatch { tracking: text.to_owned() }),
            (Job::PutBack, Some(t)) => {
                let call = Call::PutBack { task: t.task_id, location: text.to_owned() };
                self.call(call)
            }
            (Job::PutBack, None) => self.fail("nothing to put back"),
        }
    }

    fn on_reply(&mut self, r: Reply) -> Vec<Cmd> {
        if let Step::Login(login) = &mut self.step {
            let Reply::Session(r) = r else { return vec![] };
            let (session, mut cmds) = login.reply(r);
            if let Some(s) = session {
                self.session = Some(s);
                cmds.extend(self.ready());
            }
            return cmds;
        }
        if self.step != Step::Busy {
            return vec![];
        }
        self.step = Step::Scan;
        match r {
            Reply::Outcome(Ok(Outcome::Dispatched { parcels, .. })) => {
                self.flash = match parcels.last() {
                    Some(p) if self.loaded.contains(p) => Flash::info("already loaded"),
                    Some(p) => {
                        self.loaded.push(p.clone());
                        Flash::info(format!("LOADED {p}"))
                    }
                    None => Flash::info("already loaded"),
                };
                vec![]
            }
            Reply::Outcome(Ok(Outcome::PutBack { put, left, .. })) => {
                self.flash = Flash::info(format!("{put} put back, {left} left"));
                self.call(Call::PutBacks)
            }
            Reply::PutBacks(Ok(tasks)) => {
                self.task = tasks.into_iter().next();
                vec![]
            }
            Reply::Outcome(Err(f)) | Reply::PutBacks(Err(f)) => self.failed(f),
            _ => self.fail("E900 bad answer"),
        }
    }

    fn failed(&mut self, f: Failure) -> Vec<Cmd> {
        match f.kind {
            FailureKind::Unauthenticated => {
                self.session = None;
                self.step = Step::Login(Login::default());
                self.fail(f.short)
            }
            FailureKind::Offline | FailureKind::Retry => self.fail(format!("{}: scan again", f.short)),
            FailureKind::Rejected(_) => {
                self.refused = Some(f.message);
                self.fail(f.short)
            }
        }
    }

    fn on_action(&mut self, a: Action) -> Vec<Cmd> {
        match a {
            Action::Menu => {
                self.session = None;
                self.step = Step::Login(Login::default());
                vec![Cmd::Call(Call::Logout)]
            }
            Action::Confirm | Action::Next if self.job == Job::PutBack => self.call(Call::PutBacks),
            _ => vec![],
        }
    }

    fn dock_view(&self, v: &mut View) {
        v.big = Some(format!("Loaded {}", self.loaded.len()));
        match &self.refused {
            Some(why) => v.lines = vec!["TAKE IT OFF:".into(), why.clone()],
            None => v.lines = self.loaded.iter().rev().take(SHOWN).cloned().collect(),
        }
        v.prompt = Prompt::new("Parcel ", self.input.pending());
        v.keys = vec![("Esc", "log out")];
    }

    fn put_back_view(&self, v: &mut View) {
        let Some(t) = &self.task else {
            v.lines = vec!["Nothing to put back".into()];
            v.keys = vec![("F1", "look again"), ("Esc", "log out")];
            return;
        };
        let open: Vec<_> = t.lines.iter().filter(|l| l.put_at.is_none()).collect();
        v.big = open.first().map(|l| l.location.clone());
        v.lines = vec![format!("Task {} ({} units)", t.task_id, open.iter().map(|l| l.quantity).sum::<u32>())];
        v.lines.extend(open.iter().map(|l| format!("{} x{} > {}", l.sku, l.quantity, l.location)));
        if let Some(why) = &self.refused {
            v.lines.push(why.clone());
        }
        v.prompt = Prompt::new("Shelf ", self.input.pending());
        v.keys = vec![("F1", "refresh"), ("Esc", "log out")];
    }
}

impl App for Dock {
    fn update(&mut self, msg: Msg) -> Vec<Cmd> {
        match msg {
            Msg::Key(k) => {
                let Some(ev) = feed(&mut self.input, &mut self.flash, k) else { return vec![] };
                match (&mut self.step, ev) {
                    (Step::Login(login), ev) => login.event(ev),
                    (Step::Busy, _) => vec![],
                    (Step::Scan, Event::Scan(s)) => self.on_scan(&s.text),
                    (Step::Scan, Event::Action(a)) => self.on_action(a),
                    (Step::Scan, Event::Edited) => vec![],
                }
            }
            Msg::Reply(r) => self.on_reply(r),
            Msg::Sync(s) => {
                super::on_sync(&mut self.sync, &mut self.flash, s);
                vec![]
            }
            Msg::Tick | Msg::Printed(_) | Msg::Rejected(..) => vec![],
        }
    }

    fn view(&self) -> View {
        let title = match self.job {
            Job::Dock => "DOCK",
            Job::PutBack => "PUT BACK",
        };
        if let Step::Login(l) = &self.step {
            return l.view(title, self.input.pending());
        }
        let mut v =
            View { title: title.into(), status: status_text(&self.sync), flash: self.flash.clone(), ..View::default() };
        match (&self.step, self.job) {
            (Step::Busy, _) => v.lines = vec!["Asking the server...".into()],
            (_, Job::Dock) => self.dock_view(&mut v),
            (_, Job::PutBack) => self.put_back_view(&mut v),
        }
        v
    }

    fn token(&self) -> Option<&str> {
        self.session.as_ref().map(|s| s.token.as_str())
    }
}
