//! The single writer: one thread owns the write path and commits the
//! commands that arrive while it is busy together, in one transaction with
//! a savepoint per command ([`Services::execute_group`]). A caller's answer
//! is sent only after the commit that holds its command returned, so with
//! `synchronous=FULL` every acknowledged op is on disk.
//!
//! With `max_batch = 1` the same thread commits each op alone: the "one
//! commit per op" design that `tote bench api` compares against.

use super::config::WriterConfig;
use crate::app::{AppError, Command, Outcome, Services};
use crate::storage::StorageError;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::{mpsc, oneshot};

/// Commands waiting beyond this many make callers wait to enqueue.
const QUEUE_DEPTH: usize = 8192;

type Reply = oneshot::Sender<Result<Outcome, AppError>>;

struct Job {
    op_id: String,
    command: Command,
    reply: Reply,
}

/// Counters the writer keeps, for `/metrics` and `/health/detailed`.
#[derive(Debug, Default)]
pub struct WriterStats {
    /// Commands handed to the writer's queue.
    pub submitted: AtomicU64,
    pub commits: AtomicU64,
    pub ops: AtomicU64,
    pub failed_commits: AtomicU64,
    pub largest_batch: AtomicU64,
}

/// A cheap handle for submitting commands to the writer.
#[derive(Debug, Clone)]
pub struct WriterHandle {
    tx: mpsc::Sender<Job>,
    stats: Arc<WriterStats>,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job").field("op_id", &self.op_id).field("command", &self.command.name()).finish()
    }
}

/// Starts the writer thread. It ends when every handle is dropped and the
/// queue is drained.
pub fn start(services: Services, config: WriterConfig) -> std::io::Result<(WriterHandle, std::thread::JoinHandle<()>)> {
    let (tx, rx) = mpsc::channel(QUEUE_DEPTH);
    let stats = Arc::new(WriterStats::default());
    let thread_stats = stats.clone();
    let thread = std::thread::Builder::new()
        .name("tote-writer".into())
        .spawn(move || writer_loop(&services, rx, config.max_batch.max(1), &thread_stats))?;
    Ok((WriterHandle { tx, stats }, thread))
}

impl WriterHandle {
    /// Runs `command` under `op_id` and waits until it is committed.
    pub async fn execute(&self, op_id: String, command: Command) -> Result<Outcome, AppError> {
        let (reply, answer) = oneshot::channel();
        let stopped = || AppError::Storage(StorageError::Unavailable("the writer has stopped".into()));
        self.tx.send(Job { op_id, command, reply }).await.map_err(|_| stopped())?;
        self.stats.submitted.fetch_add(1, Ordering::Relaxed);
        answer.await.map_err(|_| stopped())?
    }

    /// Runs `jobs` in their order and waits until all are committed: they
    /// enter the queue together, so they share commits; each is its own op
    /// (one's rejection does not undo another).
    pub async fn execute_many(&self, jobs: Vec<(String, Command)>) -> Vec<Result<Outcome, AppError>> {
        let stopped = || AppError::Storage(StorageError::Unavailable("the writer has stopped".into()));
        let mut answers = Vec::with_capacity(jobs.len());
        for (op_id, command) in jobs {
            let (reply, answer) = oneshot::channel();
            if self.tx.send(Job { op_id, command, reply }).await.is_err() {
                answers.push(None);
                continue;
            }
            self.stats.submitted.fetch_add(1, Ordering::Relaxed);
            answers.push(Some(answer));
        }
        let mut out = Vec::with_capacity(answers.len());
        for a in answers {
            out.push(match a {
                Some(a) => a.await.unwrap_or_else(|_| Err(stopped())),
                None => Err(stopped()),
            });
        }
        out
    }

    pub fn stats(&self) -> &WriterStats {
        &self.stats
    }

    /// Commands waiting for the writer right now.
    pub fn queued(&self) -> usize {
        QUEUE_DEPTH - self.tx.capacity()
    }
}

fn writer_loop(services: &Services, mut rx: mpsc::Receiver<Job>, max_batch: usize, stats: &WriterStats) {
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
        commit(services, &mut batch, stats);
    }
}

fn commit(services: &Services, batch: &mut Vec<Job>, stats: &WriterStats) {
    let (ops, replies): (Vec<(String, Command)>, Vec<Reply>) =
        batch.drain(..).map(|j| ((j.op_id, j.command), j.reply)).unzip();
    let n = ops.len() as u64;
    match services.execute_group(&ops) {
        Ok(results) => {
            stats.commits.fetch_add(1, Ordering::Relaxed);
            stats.ops.fetch_add(n, Ordering::Relaxed);
            stats.largest_batch.fetch_max(n, Ordering::Relaxed);
            for (reply, result) in replies.into_iter().zip(results) {
                // A caller that gave up (timeout, dropped connection) no
                // longer listens; its op is committed all the same and a
                // retry with the same op id gets the stored answer.
                let _ = reply.send(result);
            }
        }
        Err(e) => {
            stats.failed_commits.fetch_add(1, Ordering::Relaxed);
            tracing::error!(error = %e, ops = n, "group commit failed; no op of the group was applied");
            let msg = e.to_string();
            for reply in replies {
                let _ = reply.send(Err(AppError::Storage(StorageError::Unavailable(format!("commit failed: {msg}")))));
            }
        }
    }
}
