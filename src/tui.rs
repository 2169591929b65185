//! The floor TUI: `tote pick` and `tote pack`, Elm-style.
//!
//! - [`input`]: keys → actions (through the [`crate::keymap`]) or scans
//!   (through the [`crate::scanner`]). Pure.
//! - [`login`], [`picker`], [`packer`]: each a model with
//!   `update(&mut self, Msg) -> Vec<Cmd>` and `view(&self) -> View`. No IO,
//!   no clock, no awaiting: network calls, printing and beeps leave as
//!   [`Cmd`] values and come back as [`Msg::Reply`].
//! - [`view`]: one [`View`] (a screen's facts) laid out for the terminal's
//!   size: compact below 40x16, bordered from 40x16, a "too small" notice
//!   below 20x8. Pure: it renders into a ratatui buffer.
//! - [`client`]: the HTTP calls behind [`Call`] (reqwest), at the edge.
//! - [`term`]: the terminal loop (crossterm): raw mode, one `select!` over
//!   keys, replies and ticks, input drained before each draw, the terminal
//!   restored on panic, logs to a file.

pub mod board;
pub mod board_run;
pub mod client;
pub mod cluster;
pub mod device;
pub mod dock;
pub mod input;
pub mod login;
pub mod menu;
pub mod packer;
pub mod picker;
pub mod term;
pub mod view;

use crate::app::command::{Outcome, QueueDto};
use crate::app::floor_op::FloorOp;
use crate::app::task_views::{PackingTaskView, PickingTaskView};
use crate::domain::ErrorKind;
use crate::domain::error::Code;
use crate::server::error::ErrorBody;
use serde::{Deserialize, Serialize};

pub use device::SyncStatus;
pub use input::KeyIn;
pub use view::View;

/// What reaches a model. (A handful per second: size does not matter.)
#[derive(Debug, Clone)]
#[allow(clippy::large_enum_variant)]
pub enum Msg {
    /// One key from the terminal.
    Key(KeyIn),
    /// A periodic tick (polls for pushed changes such as cancellations).
    Tick,
    /// The answer to a [`Cmd::Call`].
    Reply(Reply),
    /// The answer to a [`Cmd::Print`] or [`Cmd::Reprint`]: the job's state or an error.
    Printed(Result<String, String>),
    /// Online or not, and the device's queue (for the status bar).
    Sync(SyncStatus),
    /// The server refused a queued op (final): the worker must see why.
    Rejected(FloorOp, Failure),
}

/// What a model asks the runtime to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Cmd {
    /// Ring the terminal bell (BEL).
    Beep,
    Call(Call),
    /// Print a label through the station's spooler; `key` makes a repeat
    /// print once. With `again` (the reason), a label this station printed
    /// before prints one more copy (a box scanned at the station).
    Print {
        key: String,
        zpl: String,
        again: Option<String>,
    },
    /// Print another copy of a label already printed.
    Reprint {
        key: String,
        reason: String,
    },
    Quit,
}

/// An API request. The runtime adds the token and a fresh op id per call
/// (kept across its own retries, so a retried call applies once).
#[derive(Debug, Clone, PartialEq)]
pub enum Call {
    Login {
        badge: String,
        pin: String,
    },
    Logout,
    Claim {
        queue: QueueDto,
    },
    /// Cluster picking: the batch this picker holds, or the next one.
    ClaimBatch,
    PickingTask {
        id: i64,
    },
    PackingTasksOfOrder {
        order: i64,
    },
    /// The packing tasks of the fulfillment a parcel (tracking number) is of.
    PackingTasksOfParcel {
        tracking: String,
    },
    PackingTask {
        id: i64,
    },
    Labels {
        task: i64,
    },
    /// A parcel scanned onto the truck (the dock needs the answer at once).
    Dispatch {
        tracking: String,
    },
    /// The pending put-back tasks, oldest first.
    PutBacks,
    /// A shelf scanned for put-back task `task`.
    PutBack {
        task: i64,
        location: String,
    },
    /// An op the device may do offline: queued, applied to the local view
    /// at once, sent in order through `POST /api/v1/ops`.
    Op(FloorOp),
}

/// A server answer, typed by the call that asked.
#[derive(Debug, Clone)]
pub enum Reply {
    Session(Result<Session, Failure>),
    Outcome(Result<Outcome, Failure>),
    PickingTask(Result<PickingTaskView, Failure>),
    PackingTask(Result<PackingTaskView, Failure>),
    PackingTasks(Result<Vec<PackingTaskView>, Failure>),
    Labels(Result<Labels, Failure>),
    PutBacks(Result<Vec<crate::storage::put_back::PutBackTask>, Failure>),
    /// A call with nothing to return (logout).
    Ack(Result<(), Failure>),
}

/// A logged-in worker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub token: String,
    pub worker_id: i64,
    pub name: String,
    pub role: String,
}

/// Shipping labels for a packed task.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Labels {
    pub task_id: i64,
    pub tracking_numbers: Vec<String>,
    pub labels: Vec<String>,
}

/// What a client makes of a failure. Screens and the device decide from
/// this, never from the code (which is for people and logs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// The server was not reached, or its answer could not be read.
    Offline,
    /// No session, or the credentials are wrong: log in (again).
    Unauthenticated,
    /// The server refused; the same request will be refused again, but for
    /// a [`ErrorKind::Shortage`] that passes.
    Rejected(ErrorKind),
    /// The server could not do it now: send the same request again.
    Retry,
}

/// Why a call failed: its kind, and the server's code and short form (or
/// `E900 no network`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub kind: FailureKind,
    pub code: String,
    /// At most 20 columns, e.g. `E101 wrong loc`.
    pub short: String,
    pub message: String,
}

impl Failure {
    /// The server was not reached.
    pub fn network(message: impl Into<String>) -> Failure {
        let code = Code::E900.as_str();
        Failure {
            kind: FailureKind::Offline,
            code: code.into(),
            short: format!("{code} no network"),
            message: message.into(),
        }
    }

    /// The device's own store failed: try again.
    pub fn local(message: impl Into<String>) -> Failure {
        let code = Code::E900.as_str();
        Failure {
            kind: FailureKind::Retry,
            code: code.into(),
            short: format!("{code} device store"),
            message: message.into(),
        }
    }

    /// A refusal as the domain states it (the device checks some rules itself).
    pub fn domain(e: &crate::domain::DomainError) -> Failure {
        Failure::from_body(&ErrorBody {
            code: e.code().into(),
            kind: e.kind(),
            message: e.to_string(),
            field: e.field().map(str::to_owned),
            short: e.short(),
            request_id: None,
        })
    }

    /// The server's error body.
    pub fn from_body(body: &ErrorBody) -> Failure {
        let kind = match body.kind {
            ErrorKind::Unauthenticated => FailureKind::Unauthenticated,
            ErrorKind::Unavailable => FailureKind::Retry,
            k => FailureKind::Rejected(k),
        };
        Failure { kind, code: body.code.clone(), short: body.short.clone(), message: body.message.clone() }
    }

    /// An error answer without a readable body: the status says the kind.
    pub fn from_status(status: u16, message: impl Into<String>) -> Failure {
        let kind = match status {
            401 => FailureKind::Unauthenticated,
            408 | 429 | 500.. => FailureKind::Retry,
            404 => FailureKind::Rejected(ErrorKind::NotFound),
            403 => FailureKind::Rejected(ErrorKind::Forbidden),
            409 => FailureKind::Rejected(ErrorKind::Conflict),
            _ => FailureKind::Rejected(ErrorKind::Validation),
        };
        Failure { kind, code: format!("HTTP {status}"), short: format!("HTTP {status}"), message: message.into() }
    }

    /// The server was not reached (or could not answer now): a cached copy
    /// may stand in.
    pub fn is_offline(&self) -> bool {
        matches!(self.kind, FailureKind::Offline | FailureKind::Retry)
    }
}

/// A line of feedback under the facts: an error beeps and stays until the
/// next input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flash {
    pub text: String,
    pub error: bool,
    /// It says the server could not be reached: it goes as soon as the
    /// terminal is back online, instead of following onto the next task.
    #[serde(default)]
    pub offline: bool,
}

impl Flash {
    pub fn error(text: impl Into<String>) -> Option<Flash> {
        Some(Flash { text: text.into(), error: true, offline: false })
    }
    pub fn info(text: impl Into<String>) -> Option<Flash> {
        Some(Flash { text: text.into(), error: false, offline: false })
    }
    /// The line for a failed call: an error, marked offline when it was one.
    pub fn failure(f: &Failure) -> Option<Flash> {
        Some(Flash { text: f.short.clone(), error: true, offline: f.is_offline() })
    }
}

/// A new sync status for an app: kept, and a stale "no network" line
/// cleared once the terminal is back online (issue 16).
pub fn on_sync(sync: &mut SyncStatus, flash: &mut Option<Flash>, new: SyncStatus) {
    if new.online && flash.as_ref().is_some_and(|f| f.offline) {
        *flash = None;
    }
    *sync = new;
}

/// The floor apps, as the runtime drives them.
pub trait App {
    fn update(&mut self, msg: Msg) -> Vec<Cmd>;
    fn view(&self) -> View;
    /// The session token, once logged in (the runtime sends it with calls).
    fn token(&self) -> Option<&str>;
    /// The state to resume on after a restart (JSON), if the app keeps one.
    fn snapshot(&self) -> Option<String> {
        None
    }
    /// Takes up a [`App::snapshot`] again.
    fn restore(&mut self, _snapshot: &str) {}
    /// The terminal is `width` x `height` now (at start and on each
    /// resize): an app that pages its lines fits a page to it.
    fn resize(&mut self, _width: u16, _height: u16) {}
}

/// The status bar's words: nothing while online with an empty queue;
/// `q3` (ops waiting) online; `OFF q3 5m` (and the oldest op's age) offline.
pub fn status_text(s: &SyncStatus) -> String {
    let age = |a: i64| match a {
        ..=59 => format!("{a}s"),
        60..=3599 => format!("{}m", a / 60),
        _ => format!("{}h", a / 3600),
    };
    match (s.online, s.queued) {
        (true, 0) => String::new(),
        (true, q) => format!("q{q}"),
        (false, 0) => "OFF".into(),
        (false, q) => format!("OFF q{q} {}", s.oldest_age_s.map(age).unwrap_or_default()).trim_end().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::DomainError;

    /// What a client does comes from the kind: `check(error, kind)`.
    #[test]
    fn failures_are_typed_by_kind_not_code() {
        let check = |e: DomainError, kind: FailureKind| assert_eq!(Failure::domain(&e).kind, kind, "{e}");
        check(DomainError::Unauthenticated { reason: "pin".into() }, FailureKind::Unauthenticated);
        check(DomainError::invalid("quantity", "0"), FailureKind::Rejected(ErrorKind::Validation));
        let short = DomainError::InsufficientStock {
            sku: "S".into(),
            warehouse: "W".into(),
            requested: crate::domain::ids::Qty(2),
            available: crate::domain::ids::Qty(0),
        };
        check(short, FailureKind::Rejected(ErrorKind::Shortage));
        let busy = ErrorBody {
            code: "E900".into(),
            kind: ErrorKind::Unavailable,
            message: "store".into(),
            field: None,
            short: "E900 try again".into(),
            request_id: None,
        };
        assert_eq!(Failure::from_body(&busy).kind, FailureKind::Retry);
        assert_eq!(Failure::network("refused").kind, FailureKind::Offline);
        assert!(Failure::network("x").is_offline() && Failure::from_body(&busy).is_offline());
        for (status, kind) in [
            (401, FailureKind::Unauthenticated),
            (502, FailureKind::Retry),
            (408, FailureKind::Retry),
            (409, FailureKind::Rejected(ErrorKind::Conflict)),
            (400, FailureKind::Rejected(ErrorKind::Validation)),
        ] {
            assert_eq!(Failure::from_status(status, "").kind, kind, "{status}");
        }
    }
}
