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

pub mod client;
pub mod input;
pub mod login;
pub mod menu;
pub mod packer;
pub mod picker;
pub mod term;
pub mod view;

use crate::app::command::{Outcome, PackageDto, QueueDto};
use crate::app::task_views::{PackingTaskView, PickingTaskView};
use serde::Deserialize;

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
    Login { badge: String, pin: String },
    Logout,
    Claim { queue: QueueDto },
    PickingTask { id: i64 },
    StartPicking { task: i64 },
    Pick { task: i64, item: i64, location: String, code: String, quantity: u32 },
    Short { task: i64, item: i64, found: u32, reason: String },
    Skip { task: i64, item: i64, reason: String },
    CompletePicking { task: i64 },
    PackingTasksOfOrder { order: i64 },
    PackingTask { id: i64 },
    StartPacking { task: i64 },
    PackageDetails { task: i64, sequence: u32, package: PackageDto },
    AddPackage { task: i64, package: PackageDto },
    CompletePacking { task: i64 },
    Labels { task: i64 },
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
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Eq)]
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
}
