//! The print spooler. A label is printed through a job keyed by
//! (label, version, copy):
//!
//! - `enqueue` of the same label and version finds the existing job, so a
//!   retried request or a double key press never prints twice;
//! - `reprint` (with a reason, e.g. the box was scanned) makes a new copy,
//!   which prints once, and is logged;
//! - a job is marked `sent` (committed) *before* its bytes go out, so a crash
//!   mid-send leaves it `sent`, never re-sent on its own: a person decides
//!   with a reprint. A printer that is not ready (or silent to `~HS`) fails
//!   the job without sending; it is retried up to `MAX_ATTEMPTS`.

use super::{PrintError, PrinterUri};
use crate::app::Clock;
use crate::storage::print_jobs::{JobStatus, PrintJob};
use crate::storage::{StorageError, Store};
use std::sync::Arc;
use std::time::Duration;

/// A job's id and how its send went.
pub type JobResult = (i64, Result<(), PrintError>);

/// Sends of one job before it stays failed.
pub const MAX_ATTEMPTS: u32 = 5;

#[derive(Debug, thiserror::Error)]
pub enum SpoolError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Print(#[from] PrintError),
    #[error("{0} was never printed, so it cannot be reprinted")]
    NeverPrinted(String),
}

#[derive(Debug, Clone)]
pub struct Spooler {
    store: Arc<Store>,
    clock: Arc<dyn Clock>,
    /// How long to wait for a printer (connect, write, `~HS`).
    pub timeout: Duration,
}

impl Spooler {
    pub fn new(store: Arc<Store>, clock: Arc<dyn Clock>) -> Self {
        Spooler { store, clock, timeout: Duration::from_secs(2) }
    }

    /// The job printing `key` at `version` on `printer`: the existing one if
    /// there is one. Returns `(job id, created now)`.
    pub fn enqueue(
        &self,
        key: &str,
        version: u32,
        printer: &PrinterUri,
        zpl: &[u8],
    ) -> Result<(i64, bool), SpoolError> {
        let now = self.clock.now();
        let printer = printer.to_string();
        Ok(self.store.write(|tx| tx.enqueue_print(key, version, &printer, zpl, now))?)
    }

    /// Prints `key` now on `printer` (the job enqueued, then every printable
    /// job sent once) and says how this job went: `printed`, or why not.
    /// With `again`, a label already printed here prints one more copy.
    pub fn print_now(
        &self,
        key: &str,
        zpl: &[u8],
        printer: &PrinterUri,
        again: Option<&str>,
    ) -> Result<String, String> {
        let job = self.enqueue(key, 1, printer, zpl).and_then(|(id, created)| match again {
            Some(reason) if !created => self.reprint(key, reason, Some(printer)),
            _ => Ok(id),
        });
        self.send(job)
    }

    /// One more copy of `key`, sent now; see [`Spooler::print_now`].
    pub fn reprint_now(&self, key: &str, reason: &str) -> Result<String, String> {
        self.send(self.reprint(key, reason, None))
    }

    fn send(&self, job: Result<i64, SpoolError>) -> Result<String, String> {
        let id = job.map_err(|e| e.to_string())?;
        let done = self.run_once().map_err(|e| e.to_string())?;
        match done.into_iter().find(|(j, _)| *j == id) {
            Some((_, Ok(()))) => Ok("printed".to_owned()),
            Some((_, Err(e))) => Err(format!("print failed: {e}")),
            // Not sent this round: printed earlier (a repeat of the same
            // label), or failed past its attempts.
            None => match self.job(id).map_err(|e| e.to_string())? {
                Some(j) if j.status == JobStatus::Printed => Ok("printed".to_owned()),
                Some(j) => {
                    Err(format!("print failed: {}", j.last_error.unwrap_or_else(|| j.status.as_str().to_owned())))
                }
                None => Err(format!("print job {id} vanished")),
            },
        }
    }

    /// A new copy of the latest version of `key`, printed once more.
    pub fn reprint(&self, key: &str, reason: &str, printer: Option<&PrinterUri>) -> Result<i64, SpoolError> {
        let now = self.clock.now();
        let printer = printer.map(ToString::to_string);
        let id = self
            .store
            .write(|tx| tx.reprint(key, reason, printer.as_deref(), now))?
            .ok_or_else(|| SpoolError::NeverPrinted(key.to_owned()))?;
        tracing::info!(label = key, job = id, reason, "reprint requested");
        Ok(id)
    }

    pub fn job(&self, id: i64) -> Result<Option<PrintJob>, SpoolError> {
        Ok(self.store.read(|tx| tx.print_job(id))?)
    }

    /// Sends every printable job once; returns each job's id and outcome.
    pub fn run_once(&self) -> Result<Vec<JobResult>, SpoolError> {
        let jobs = self.store.read(|tx| tx.printable_jobs(MAX_ATTEMPTS, 100))?;
        let mut out = Vec::with_capacity(jobs.len());
        for job in jobs {
            let result = self.print(&job);
            let now = self.clock.now();
            let (status, error) = match &result {
                Ok(()) => (JobStatus::Printed, None),
                Err(e) => (JobStatus::Failed, Some(e.to_string())),
            };
            if let Some(e) = &error {
                tracing::warn!(job = job.id, label = %job.label_key, error = %e, "print failed");
            }
            self.store.write(|tx| tx.set_print_status(job.id, status, error.as_deref(), now))?;
            out.push((job.id, result));
        }
        Ok(out)
    }

    fn print(&self, job: &PrintJob) -> Result<(), PrintError> {
        let printer: PrinterUri = job.printer.parse()?;
        let name = format!("job-{}-{}-v{}-c{}", job.id, job.label_key, job.label_version, job.copy);
        let mut mark_sent = || {
            let now = self.clock.now();
            self.store
                .write(|tx| tx.set_print_status(job.id, JobStatus::Sent, None, now))
                .map_err(|e| PrintError::Io { uri: job.printer.clone(), error: std::io::Error::other(e.to_string()) })
        };
        printer.print(&name, &job.zpl, self.timeout, &mut mark_sent).map(|_| ())
    }
}
