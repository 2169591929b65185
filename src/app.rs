//! Application services: the commands of the warehouse, each run as one
//! write transaction.
//!
//! [`Services::execute`] takes an `op_id` and a [`Command`]. In ONE
//! transaction it looks the op up in `applied_ops` (a repeat returns the
//! stored outcome, ok or rejected, without touching anything), runs the
//! command inside a savepoint, appends the command's outbox events, and
//! records the outcome under the op id. A rejected command leaves only its
//! `applied_ops` row; a storage failure leaves nothing at all.
//!
//! Handlers load domain values through [`crate::storage::Tx`], apply the pure
//! rules from [`crate::domain`], and save the result. Time comes from the
//! injected [`Clock`].

mod backorder;
pub mod board;
mod cancel;
mod claim;
pub mod clock;
pub mod command;
mod dispatch;
pub mod events;
pub mod floor_op;
mod intake;
mod inventory;
mod packing;
mod picking;
mod put_back;
mod reservations;
mod shelf;
pub mod shipments;
pub mod task_views;
pub mod views;
mod wave;
pub mod workflow;

pub use clock::{Clock, FixedClock, SystemClock, new_op_id};
pub use command::{Command, Outcome};

use crate::domain::error::Code;
use crate::domain::event::DomainEvent;
use crate::domain::fulfillment::DEFAULT_MAX_ATTEMPTS;
use crate::domain::{DomainError, ErrorKind, Timestamp};
use crate::storage::{AppliedOp, StorageError, Store, Tx};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Settings of the services. `tote serve` records them in the site's
/// database at each start ([`ServiceConfig::save_for_site`]), and other
/// commands on that database run with them ([`ServiceConfig::of_site`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ServiceConfig {
    /// Pick (and pack) attempts per fulfillment before a failure is final.
    pub max_attempts: u32,
    /// What new fulfillment workflows are started with (pick timeout).
    pub workflow: crate::domain::workflow::Settings,
    /// A wave's batch no cluster picker claimed in this many minutes goes
    /// back to the single queue (its tasks are claimed one by one).
    pub batch_claim_minutes: u32,
    /// Which engine runs new workflows.
    pub engine: workflow::hosted::Engine,
    /// Warehouses other sites hold, each with its site's task queue
    /// (Temporal, many sites): an order's lines for them are routed there.
    pub sites: workflow::hosted::Sites,
}

impl Default for ServiceConfig {
    fn default() -> Self {
        ServiceConfig {
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            workflow: crate::domain::workflow::Settings::default(),
            batch_claim_minutes: 15,
            engine: workflow::hosted::Engine::Embedded,
            sites: workflow::hosted::Sites::default(),
        }
    }
}

impl ServiceConfig {
    const SITE_KEY: &'static str = "services";

    /// The settings `tote serve` last ran this database's site with (its
    /// engine, short policy, pick timeout, other sites' warehouses); the
    /// defaults when it never ran. Settings this build cannot read are an
    /// error, not the defaults: a Temporal site's order run on the embedded
    /// engine would make the site mixed.
    pub fn of_site(store: &Store) -> Result<ServiceConfig, StorageError> {
        match store.read(|tx| tx.site_setting(Self::SITE_KEY))? {
            Some(text) => serde_json::from_str(&text)
                .map_err(|e| StorageError::Corrupt(format!("the site's settings ({text}): {e}"))),
            None => Ok(ServiceConfig::default()),
        }
    }

    /// Records these as the site's settings.
    pub fn save_for_site(&self, store: &Store, now: Timestamp) -> Result<(), StorageError> {
        let text = serde_json::to_string(self)?;
        store.write(|tx| tx.set_site_setting(Self::SITE_KEY, &text, now))
    }
}

/// A refused command, as returned the first time and every repeat after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error, utoipa::ToSchema)]
#[error("{code}: {message}")]
pub struct Rejection {
    pub kind: ErrorKind,
    /// Stable code, e.g. `E101`.
    pub code: String,
    /// Fits a 20-column screen: `E101 wrong loc`.
    pub short: String,
    /// The long form, for logs and API bodies.
    pub message: String,
    /// The input field at fault, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// One unit of a group commit ([`Services::execute_work`]).
#[allow(clippy::large_enum_variant)] // ops are the common case; boxing them costs an allocation each
pub enum Work {
    /// A command under its op id: idempotent, its answer stored.
    Op { op_id: String, command: Command },
    /// Bookkeeping with no op id (a device's contact, a session, the
    /// relay's cursors): it runs in the writer's transaction all the same.
    Write(WriteFn),
}

/// A bookkeeping write.
pub type WriteFn = Box<dyn FnOnce(&Tx<'_>) -> Result<(), AppError> + Send>;

impl std::fmt::Debug for Work {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Work::Op { op_id, command } => write!(f, "Op({op_id}, {})", command.name()),
            Work::Write(_) => f.write_str("Write"),
        }
    }
}

/// What one unit of work came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Done {
    Op(Outcome),
    Write,
}

impl Rejection {
    /// A refusal under a registry code that no domain error carries.
    pub fn of(code: Code, message: impl Into<String>) -> Rejection {
        Rejection {
            kind: code.kind(),
            code: code.as_str().into(),
            short: code.short(),
            message: message.into(),
            field: None,
        }
    }

    /// Whether the refusal is remembered under its op id, so a repeat gets
    /// it again: only a valid request that the state refused (conflict,
    /// not found, forbidden). Bad input and passing conditions are not.
    pub fn is_final(&self) -> bool {
        self.kind != ErrorKind::Validation && !self.kind.is_retryable()
    }
}

/// Whether a stored request and a new one are the same request. Compared
/// as commands, not as text, so a release that adds a defaulted field (or
/// renames a variant, keeping its old name as an alias) does not turn the
/// replay of an op applied before the upgrade into E501. A stored request
/// this build cannot read is corrupt: a permanent error, never "retry".
fn same_request(stored: &str, new: &str, command: &Command) -> Result<bool, AppError> {
    if stored == new {
        return Ok(true);
    }
    match serde_json::from_str::<Command>(stored) {
        Ok(before) => Ok(before == *command),
        Err(e) => Err(AppError::Storage(StorageError::Corrupt(format!("stored request: {e}")))),
    }
}

impl From<DomainError> for Rejection {
    fn from(e: DomainError) -> Self {
        Rejection {
            kind: e.kind(),
            code: e.code().to_owned(),
            short: e.short(),
            message: e.to_string(),
            field: e.field().map(str::to_owned),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The command was refused by a rule; the refusal is stored under the op id.
    #[error(transparent)]
    Rejected(#[from] Rejection),
    /// The store failed; nothing was written. Retry may succeed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<DomainError> for AppError {
    fn from(e: DomainError) -> Self {
        AppError::Rejected(e.into())
    }
}

impl From<serde_json::Error> for AppError {
    fn from(e: serde_json::Error) -> Self {
        AppError::Storage(StorageError::Json(e))
    }
}

impl AppError {
    /// The rejection code, if this is a rejection.
    pub fn code(&self) -> Option<&str> {
        match self {
            AppError::Rejected(r) => Some(&r.code),
            AppError::Storage(_) => None,
        }
    }
}

/// Why a batch was not applied: the op at `index` failed (`None` when the
/// commit itself failed). Nothing of the batch was kept.
#[derive(Debug, thiserror::Error)]
#[error("{}{error}", index.map(|i| format!("op {}: ", i + 1)).unwrap_or_default())]
pub struct BatchError {
    pub index: Option<usize>,
    pub error: AppError,
}

impl From<StorageError> for BatchError {
    fn from(e: StorageError) -> Self {
        BatchError { index: None, error: AppError::Storage(e) }
    }
}

/// The warehouse services over one store.
#[derive(Debug, Clone)]
pub struct Services {
    store: Arc<Store>,
    clock: Arc<dyn Clock>,
    config: ServiceConfig,
}

/// Longest op id accepted (a UUID is 36 characters).
pub const MAX_OP_ID_LEN: usize = 128;

impl Services {
    pub fn new(store: Arc<Store>, clock: Arc<dyn Clock>, config: ServiceConfig) -> Self {
        Services { store, clock, config }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// Runs `command` once under `op_id`; a repeat returns the stored outcome.
    pub fn execute(&self, op_id: &str, command: &Command) -> Result<Outcome, AppError> {
        let now = self.clock.now();
        let result = self.store.write(|tx| self.run_op(tx, op_id, command, now, Undo::Savepoint))?;
        result.map_err(AppError::Rejected)
    }

    /// Runs every op in ONE transaction, all or nothing: if any op is
    /// rejected, nothing is kept and the error names its position. Used for
    /// imports, where half a file must never be applied.
    pub fn execute_all(&self, ops: &[(String, Command)]) -> Result<Vec<Outcome>, BatchError> {
        let now = self.clock.now();
        self.store.write(|tx| {
            let mut out = Vec::with_capacity(ops.len());
            for (i, (op_id, command)) in ops.iter().enumerate() {
                match self.run_op(tx, op_id, command, now, Undo::Savepoint) {
                    Ok(Ok(o)) => out.push(o),
                    Ok(Err(r)) => return Err(BatchError { index: Some(i), error: AppError::Rejected(r) }),
                    Err(e) => return Err(BatchError { index: Some(i), error: e }),
                }
            }
            Ok(out)
        })
    }

    /// Runs every op in one transaction with a savepoint each: one op's
    /// rejection (or panic) does not undo another. Used by the writer
    /// (through [`Services::execute_work`]) and the workflow bench.
    pub fn execute_group(&self, ops: &[(String, Command)]) -> Result<Vec<Result<Outcome, AppError>>, StorageError> {
        let work = ops.iter().map(|(op_id, command)| Work::Op { op_id: op_id.clone(), command: command.clone() });
        Ok(self
            .execute_work(work.collect())?
            .into_iter()
            .map(|r| match r {
                Ok(Done::Op(o)) => Ok(o),
                Ok(Done::Write) => Err(DomainError::invalid("op", "not an op").into()),
                Err(e) => Err(e),
            })
            .collect())
    }

    /// Runs `work` in ONE transaction (one commit, one fsync), each item
    /// isolated: an op's rejection, a storage error or a panic in one item
    /// is that item's answer only. `Err` when the commit itself failed:
    /// then nothing was kept.
    pub fn execute_work(&self, work: Vec<Work>) -> Result<Vec<Result<Done, AppError>>, StorageError> {
        let now = self.clock.now();
        self.store.write(|tx| {
            let mut answers: Vec<Option<Result<Done, AppError>>> = Vec::with_capacity(work.len());
            let mut ops = Vec::new();
            // Bookkeeping first, each write in a savepoint of its own: it
            // runs once (it is `FnOnce`), so it stands outside the ops'
            // group, which may be rolled back and run again. A group's items
            // come from concurrent callers, so this is an order they could
            // have arrived in.
            for (i, item) in work.into_iter().enumerate() {
                match item {
                    Work::Write(f) => answers.push(Some(answer(tx.isolated(|tx| f(tx).map(|()| Done::Write))))),
                    Work::Op { op_id, command } => {
                        answers.push(None);
                        ops.push((i, op_id, command));
                    }
                }
            }
            for (i, done) in self.run_ops(tx, &ops, now) {
                answers[i] = Some(done);
            }
            let lost = || Err(AppError::Storage(StorageError::Unavailable("an item got no answer".into())));
            Ok(answers.into_iter().map(|a| a.unwrap_or_else(lost)).collect())
        })
    }

    /// The ops of one group, each answer with its position. First they run
    /// together in one savepoint and none of their own: a savepoint per op
    /// copies every page the op changes to the statement journal again.
    /// When each applied cleanly that is all. When one did not (refused,
    /// failed, panicked, or a repeat of a refusal), the group is rolled back
    /// and they run again each in its own savepoint, so that a refusal
    /// undoes its own op alone (ADR 0047).
    fn run_ops(
        &self,
        tx: &Tx<'_>,
        ops: &[(usize, String, Command)],
        now: Timestamp,
    ) -> Vec<(usize, Result<Done, AppError>)> {
        if ops.len() > 1 {
            let together = tx.isolated(|tx| {
                ops.iter()
                    .map(|(i, op_id, command)| match self.run_op(tx, op_id, command, now, Undo::Group)? {
                        Ok(o) => Ok((*i, Ok(Done::Op(o)))),
                        Err(r) => Err(AppError::Rejected(r)),
                    })
                    .collect::<Result<Vec<_>, AppError>>()
            });
            if let Ok(Ok(done)) = together {
                return done;
            }
        }
        ops.iter()
            .map(|(i, op_id, command)| {
                let ran = tx.isolated(|tx| self.run_op(tx, op_id, command, now, Undo::Job));
                (*i, answer(ran.map(|r| r.and_then(|o| o.map(Done::Op).map_err(AppError::Rejected)))))
            })
            .collect()
    }

    /// One op inside an open transaction: the stored outcome of a repeat, or
    /// the command run (undone by `undo` if it fails) and its outcome
    /// recorded. `Err` only for storage failures, which must roll the
    /// transaction back.
    fn run_op(
        &self,
        tx: &Tx<'_>,
        op_id: &str,
        command: &Command,
        now: Timestamp,
        undo: Undo,
    ) -> Result<Result<Outcome, Rejection>, AppError> {
        if op_id.trim().is_empty() || op_id.chars().count() > MAX_OP_ID_LEN || op_id.chars().any(char::is_control) {
            let e = DomainError::invalid("op_id", format!("must be 1 to {MAX_OP_ID_LEN} printable characters"));
            return Ok(Err(e.into()));
        }
        let request = serde_json::to_string(command)?;
        if let Some(prev) = tx.applied_op(op_id)? {
            if !same_request(&prev.request, &request, command)? {
                return Ok(Err(DomainError::OpReused { op_id: op_id.to_owned() }.into()));
            }
            return Ok(if prev.ok {
                Ok(serde_json::from_str(&prev.response)?)
            } else {
                Err(serde_json::from_str(&prev.response)?)
            });
        }
        let run = |tx: &Tx<'_>| {
            let mut ctx = Ctx { tx, now, config: &self.config, events: Vec::new() };
            let outcome = command.run(&mut ctx)?;
            backorder::wake(&mut ctx)?;
            // A SKU's listing, read in this transaction; a failed read
            // fails the op rather than dropping the field.
            let failed = std::cell::RefCell::new(None);
            let listing = |sku: &str| {
                tx.listing_of(sku).unwrap_or_else(|e| {
                    failed.borrow_mut().get_or_insert(e);
                    None
                })
            };
            for e in &ctx.events {
                let payload = serde_json::to_string(&events::payload(e, now, &listing))?;
                if let Some(e) = failed.borrow_mut().take() {
                    return Err(e.into());
                }
                tx.append_event(e, &payload, now)?;
            }
            Ok::<_, AppError>(outcome)
        };
        let ran = match undo {
            Undo::Savepoint => tx.savepoint(run),
            // Nothing but reads ran in the job before the command, so going
            // back to its start undoes the command alone, one savepoint
            // (two statements) less per op on the writer's path.
            Undo::Job => run(tx).or_else(|e| {
                tx.rewind_job()?;
                Err(e)
            }),
            // Any answer but "applied" rolls the whole group back.
            Undo::Group => run(tx),
        };
        let (ok, response, result) = match ran {
            Ok(outcome) => (true, serde_json::to_string(&outcome)?, Ok(outcome)),
            // Not remembered: bad input (the same request is refused again
            // anyway; a corrected one may take the op id) and a passing
            // condition (short of stock: the same request may succeed later).
            Err(AppError::Rejected(r)) if !r.is_final() => return Ok(Err(r)),
            Err(AppError::Rejected(r)) => (false, serde_json::to_string(&r)?, Err(r)),
            Err(storage) => return Err(storage),
        };
        tx.record_op(op_id, &AppliedOp { command: command.name().to_owned(), request, ok, response }, now)?;
        Ok(result)
    }

    /// Runs a read-only query over a consistent snapshot.
    pub fn query<T>(&self, f: impl FnOnce(&Tx<'_>) -> Result<T, AppError>) -> Result<T, AppError> {
        self.store.read(f)
    }
}

/// How [`Services::run_op`] undoes a command that failed, before it
/// records the refusal.
#[derive(Debug, Clone, Copy)]
enum Undo {
    /// A savepoint of its own around the command.
    Savepoint,
    /// The op runs alone in a [`Tx::isolated`] job: back to its start.
    Job,
    /// The op runs in a group that is rolled back whole if it fails.
    Group,
}

/// An item's answer; a panic is refused E903 (its savepoint was rolled
/// back, so nothing of it stays).
fn answer(ran: Result<Result<Done, AppError>, String>) -> Result<Done, AppError> {
    ran.unwrap_or_else(|panic| {
        tracing::error!(%panic, "an op panicked; its savepoint was rolled back");
        Err(Rejection::of(Code::E903, format!("the server failed on this request: {panic}")).into())
    })
}

/// What a command handler works with: the open transaction, the time, the
/// settings, and the events it has produced so far.
pub(crate) struct Ctx<'a, 'c> {
    pub tx: &'a Tx<'c>,
    pub now: Timestamp,
    pub config: &'a ServiceConfig,
    pub events: Vec<DomainEvent>,
}

impl Ctx<'_, '_> {
    pub fn emit(&mut self, e: DomainEvent) {
        self.events.push(e);
    }
}

#[cfg(test)]
mod tests;
