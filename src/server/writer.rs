//! The single writer: one thread owns the write path and commits what
//! arrives while it is busy together, in one transaction with a savepoint
//! per item ([`Services::execute_work`]). Items are ops (idempotent, under
//! their op id) and bookkeeping writes (a device's contact, sessions, the
//! relay's cursors): every write of `tote serve` goes through here. A
//! caller's answer is sent only after the commit that holds its item
//! returned, so with `synchronous=FULL` every acknowledged op is on disk.
//!
//! After each commit the writer counts it on a watch channel
//! ([`WriterHandle::commits`]): the engine, the relay and the event streams
//! wait on it (and their own deadlines) instead of polling. A panic in one
//! item rolls back that item only and answers it E903; the thread lives on.
//!
//! With `max_batch = 1` the same thread commits each op alone: the "one
//! commit per op" design that `tote bench api` compares against.

use super::config::WriterConfig;
use crate::app::{AppError, Command, Done, Outcome, Services, Work};
use crate::storage::device::DeviceRow;
use crate::storage::{StorageError, Tx};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::{mpsc, oneshot, watch};

/// How long a watcher woken by a commit waits for more before its round,
/// so a busy writer's hundreds of commits a second cost a few rounds.
pub const COALESCE: std::time::Duration = std::time::Duration::from_millis(20);

/// Where an item's answer arrives once its commit returned.
type Answer = oneshot::Receiver<Result<Done, AppError>>;

/// Items waiting beyond this many make callers wait to enqueue.
const QUEUE_DEPTH: usize = 8192;

type Reply = oneshot::Sender<Result<Done, AppError>>;

enum Job {
    Work {
        work: Box<Work>,
        reply: Reply,
    },
    /// A device's last contact: of several in one group, the last per
    /// device is written (nobody waits for it).
    Contact(DeviceRow),
}

/// Counters the writer keeps, for `/metrics` and `/health/detailed`.
#[derive(Debug, Default)]
pub struct WriterStats {
    /// Items handed to the writer's queue.
    pub submitted: AtomicU64,
    pub commits: AtomicU64,
    pub ops: AtomicU64,
    pub failed_commits: AtomicU64,
    pub largest_batch: AtomicU64,
}

/// A cheap handle for submitting work to the writer.
#[derive(Debug, Clone)]
pub struct WriterHandle {
    tx: mpsc::Sender<Job>,
    stats: Arc<WriterStats>,
    commits: watch::Receiver<u64>,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Job::Work { work, .. } => write!(f, "Job({work:?})"),
            Job::Contact(d) => write!(f, "Contact({})", d.device_id),
        }
    }
}

/// Starts the writer thread. It ends when every handle is dropped and the
/// queue is drained.
pub fn start(services: Services, config: WriterConfig) -> std::io::Result<(WriterHandle, std::thread::JoinHandle<()>)> {
    let (tx, rx) = mpsc::channel(QUEUE_DEPTH);
    let stats = Arc::new(WriterStats::default());
    let (committed, commits) = watch::channel(0u64);
    let thread_stats = stats.clone();
    let thread = std::thread::Builder::new()
        .name("tote-writer".into())
        .spawn(move || writer_loop(&services, rx, config.max_batch.max(1), &thread_stats, &committed))?;
    Ok((WriterHandle { tx, stats, commits }, thread))
}

fn stopped() -> AppError {
    AppError::Storage(StorageError::Unavailable("the writer has stopped".into()))
}

impl WriterHandle {
    /// Runs `command` under `op_id` and waits until it is committed.
    pub async fn execute(&self, op_id: String, command: Command) -> Result<Outcome, AppError> {
        let started = std::time::Instant::now();
        let log = OpLog::of(&op_id, &command);
        let r = outcome(self.submit(Work::Op { op_id, command }).await).await;
        log.done(&r, started);
        r
    }

    /// Runs `jobs` in their order and waits until all are committed: they
    /// enter the queue together, so they share commits; each is its own op
    /// (one's rejection does not undo another).
    pub async fn execute_many(&self, jobs: Vec<(String, Command)>) -> Vec<Result<Outcome, AppError>> {
        let started = std::time::Instant::now();
        let mut answers = Vec::with_capacity(jobs.len());
        for (op_id, command) in jobs {
            let log = OpLog::of(&op_id, &command);
            answers.push((log, self.submit(Work::Op { op_id, command }).await));
        }
        let mut out = Vec::with_capacity(answers.len());
        for (log, a) in answers {
            let r = outcome(a).await;
            log.done(&r, started);
            out.push(r);
        }
        out
    }

    /// Runs a bookkeeping write (no op id) in the writer's transaction and
    /// waits until it is committed; `f`'s value comes back.
    pub async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Tx<'_>) -> Result<T, AppError> + Send + 'static,
    ) -> Result<T, AppError> {
        let (value_tx, value) = oneshot::channel();
        let work = Work::Write(Box::new(move |tx: &Tx<'_>| {
            let v = f(tx)?;
            let _ = value_tx.send(v);
            Ok(())
        }));
        self.submit(work).await?.await.map_err(|_| stopped())??;
        value.await.map_err(|_| stopped())
    }

    /// Records a device's contact; it is written with the next commit
    /// (merged with others of the same device), nobody waits for it.
    pub async fn contact(&self, seen: DeviceRow) {
        if self.tx.send(Job::Contact(seen)).await.is_ok() {
            self.stats.submitted.fetch_add(1, Ordering::Relaxed);
        }
    }

    async fn submit(&self, work: Work) -> Result<Answer, AppError> {
        let (reply, answer) = oneshot::channel();
        self.tx.send(Job::Work { work: Box::new(work), reply }).await.map_err(|_| stopped())?;
        self.stats.submitted.fetch_add(1, Ordering::Relaxed);
        Ok(answer)
    }

    pub fn stats(&self) -> &WriterStats {
        &self.stats
    }

    /// Commits so far, as a watch: `changed()` wakes after the next one.
    pub fn commits(&self) -> watch::Receiver<u64> {
        self.commits.clone()
    }

    /// Items waiting for the writer right now.
    pub fn queued(&self) -> usize {
        QUEUE_DEPTH - self.tx.capacity()
    }
}

fn writer_loop(
    services: &Services,
    mut rx: mpsc::Receiver<Job>,
    max_batch: usize,
    stats: &WriterStats,
    committed: &watch::Sender<u64>,
) {
    let mut batch: Vec<Job> = Vec::with_capacity(max_batch);
    while let Some(first) = rx.blocking_recv() {
        batch.push(first);
        // Everything that queued while the last commit was on disk goes in
        // this one; nobody waits for a timer.
        while batch.len() < max_batch {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        commit(services, &mut batch, stats, committed);
    }
}

/// Commits one group, announces the commit, then answers its callers (so
/// a caller that hears "done" finds the commit announced).
fn commit(services: &Services, batch: &mut Vec<Job>, stats: &WriterStats, committed: &watch::Sender<u64>) {
    let mut work = Vec::with_capacity(batch.len());
    let mut replies = Vec::with_capacity(batch.len());
    let mut contacts: Vec<DeviceRow> = Vec::new();
    for job in batch.drain(..) {
        match job {
            Job::Work { work: w, reply } => {
                work.push(*w);
                replies.push(reply);
            }
            Job::Contact(seen) => match contacts.iter_mut().find(|c| c.device_id == seen.device_id) {
                Some(c) => *c = seen,
                None => contacts.push(seen),
            },
        }
    }
    if !contacts.is_empty() {
        work.push(Work::Write(Box::new(move |tx: &Tx<'_>| {
            for seen in &contacts {
                tx.device_seen(seen)?;
            }
            Ok(())
        })));
    }
    let n = work.len() as u64;
    match services.execute_work(work) {
        Ok(results) => {
            stats.commits.fetch_add(1, Ordering::Relaxed);
            stats.ops.fetch_add(n, Ordering::Relaxed);
            stats.largest_batch.fetch_max(n, Ordering::Relaxed);
            committed.send_modify(|c| *c += 1);
            for (reply, result) in replies.into_iter().zip(results) {
                // A caller that gave up (timeout, dropped connection) no
                // longer listens; its op is committed all the same and a
                // retry with the same op id gets the stored answer.
                let _ = reply.send(result);
            }
        }
        Err(e) => {
            stats.failed_commits.fetch_add(1, Ordering::Relaxed);
            tracing::error!(error = %e, items = n, "group commit failed; nothing of the group was applied");
            let msg = e.to_string();
            for reply in replies {
                let _ = reply.send(Err(AppError::Storage(StorageError::Unavailable(format!("commit failed: {msg}")))));
            }
        }
    }
}

/// An op's answer once its commit returned.
async fn outcome(submitted: Result<Answer, AppError>) -> Result<Outcome, AppError> {
    match submitted?.await {
        Ok(Ok(Done::Op(o))) => Ok(o),
        Ok(Err(e)) => Err(e),
        Ok(Ok(Done::Write)) | Err(_) => Err(stopped()),
    }
}

/// The INFO line of one op: its id, command, subject, outcome and time
/// from submission to the answer. The request's span adds who sent it.
#[derive(Debug)]
struct OpLog {
    op_id: String,
    command: &'static str,
    subject: String,
}

impl OpLog {
    fn of(op_id: &str, command: &Command) -> Option<OpLog> {
        if !tracing::enabled!(tracing::Level::INFO) {
            return None;
        }
        Some(OpLog { op_id: op_id.to_owned(), command: command.name(), subject: command.subject() })
    }
}

trait Logged {
    fn done(&self, r: &Result<Outcome, AppError>, started: std::time::Instant);
}

impl Logged for Option<OpLog> {
    fn done(&self, r: &Result<Outcome, AppError>, started: std::time::Instant) {
        let Some(l) = self else { return };
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        match r {
            Ok(_) => tracing::info!(op_id = %l.op_id, command = l.command, subject = %l.subject, ms, "op applied"),
            Err(AppError::Rejected(e)) => tracing::info!(
                op_id = %l.op_id, command = l.command, subject = %l.subject, ms, code = %e.code, "op refused: {}", e.message
            ),
            Err(e) => {
                tracing::warn!(op_id = %l.op_id, command = l.command, subject = %l.subject, ms, error = %e, "op failed; a retry may succeed")
            }
        }
    }
}
