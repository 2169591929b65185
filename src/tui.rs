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
    /// Print a label through the station's spooler; `key` makes a repeat print once.
    Print {
        key: String,
        zpl: String,
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
    PackingTask {
        id: i64,
    },
    Labels {
        task: i64,
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

/// Why a call failed: the server's error code and short form, or the
/// network (`E900 no network`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub code: String,
    /// At most 20 columns, e.g. `E101 wrong loc`.
    pub short: String,
    pub message: String,
}

impl Failure {
    pub fn network(message: impl Into<String>) -> Failure {
        Failure { code: "E900".into(), short: "E900 no network".into(), message: message.into() }
    }
}

/// A line of feedback under the facts: an error beeps and stays until the
/// next input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flash {
    pub text: String,
    pub error: bool,
}

impl Flash {
    pub fn error(text: impl Into<String>) -> Option<Flash> {
        Some(Flash { text: text.into(), error: true })
    }
    pub fn info(text: impl Into<String>) -> Option<Flash> {
        Some(Flash { text: text.into(), error: false })
    }
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
