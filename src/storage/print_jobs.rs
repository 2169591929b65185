//! Print jobs: the spooler's queue. See `printing::spooler` for the rules.

use super::convert::{ms, u32_of};
use super::{Result, StorageError, Tx};
use crate::domain::Timestamp;
use rusqlite::{OptionalExtension, params};

/// A job's state: queued → sent → printed, or failed (retried while
/// attempts last). `sent` is written before the bytes go out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobStatus {
    Queued,
    Sent,
    Printed,
    Failed,
}

impl JobStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Queued => "queued",
            JobStatus::Sent => "sent",
            JobStatus::Printed => "printed",
            JobStatus::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Option<JobStatus> {
        [JobStatus::Queued, JobStatus::Sent, JobStatus::Printed, JobStatus::Failed]
            .into_iter()
            .find(|j| j.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintJob {
    pub id: i64,
    pub label_key: String,
    pub label_version: u32,
    pub copy: u32,
    pub reason: Option<String>,
    pub printer: String,
    pub zpl: Vec<u8>,
    pub status: JobStatus,
    pub attempts: u32,
    pub last_error: Option<String>,
}

const COLUMNS: &str = "id, label_key, label_version, copy, reason, printer, zpl, status, attempts, last_error";

type RawJob = (i64, String, i64, i64, Option<String>, String, Vec<u8>, String, i64, Option<String>);

fn job(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawJob> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?, r.get(9)?))
}

fn finish(raw: RawJob) -> Result<PrintJob> {
    let (id, label_key, version, copy, reason, printer, zpl, status, attempts, last_error) = raw;
    Ok(PrintJob {
        id,
        label_key,
        label_version: u32_of(version, "label_version")?,
        copy: u32_of(copy, "copy")?,
        reason,
        printer,
        zpl,
        status: JobStatus::parse(&status)
            .ok_or_else(|| StorageError::Corrupt(format!("print job status {status:?}")))?,
        attempts: u32_of(attempts, "attempts")?,
        last_error,
    })
}

impl Tx<'_> {
    /// The job for (`key`, `version`, copy 0), created if new. Returns the
    /// job id and whether it was created now.
    pub fn enqueue_print(
        &self,
        key: &str,
        version: u32,
        printer: &str,
        zpl: &[u8],
        now: Timestamp,
    ) -> Result<(i64, bool)> {
        let n = self.exec(
            "INSERT INTO print_jobs (label_key, label_version, copy, printer, zpl, status, created_at, updated_at)
             VALUES (?1, ?2, 0, ?3, ?4, 'queued', ?5, ?5) ON CONFLICT DO NOTHING",
            params![key, version, printer, zpl, ms(now)],
        )?;
        let id = self.row(
            "SELECT id FROM print_jobs WHERE label_key = ?1 AND label_version = ?2 AND copy = 0",
            params![key, version],
            |r| r.get(0),
        )?;
        Ok((id, n > 0))
    }

    /// A new copy of the latest version of `key`, with the reason; `None`
    /// when `key` was never printed.
    pub fn reprint(&self, key: &str, reason: &str, printer: Option<&str>, now: Timestamp) -> Result<Option<i64>> {
        let latest = self
            .row(
                "SELECT label_version, printer, zpl, (SELECT MAX(copy) FROM print_jobs p2
                     WHERE p2.label_key = p.label_key AND p2.label_version = p.label_version)
                 FROM print_jobs p WHERE label_key = ?1 AND copy = 0 ORDER BY label_version DESC LIMIT 1",
                [key],
                |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, Vec<u8>>(2)?, r.get::<_, i64>(3)?)),
            )
            .optional()?;
        let Some((version, original_printer, zpl, max_copy)) = latest else { return Ok(None) };
        self.exec(
            "INSERT INTO print_jobs (label_key, label_version, copy, reason, printer, zpl, status, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'queued', ?7, ?7)",
            params![key, version, max_copy + 1, reason, printer.unwrap_or(&original_printer), zpl, ms(now)],
        )?;
        Ok(Some(self.conn.last_insert_rowid()))
    }

    /// Jobs to send: queued, or failed with fewer than `max_attempts`.
    pub fn printable_jobs(&self, max_attempts: u32, limit: u32) -> Result<Vec<PrintJob>> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM print_jobs
             WHERE status = 'queued' OR (status = 'failed' AND attempts < ?1) ORDER BY id LIMIT ?2"
        ))?;
        let rows = st.query_map(params![max_attempts, limit], job)?.collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter().map(finish).collect()
    }

    pub fn print_job(&self, id: i64) -> Result<Option<PrintJob>> {
        let sql = format!("SELECT {COLUMNS} FROM print_jobs WHERE id = ?1");
        self.row(&sql, [id], job).optional()?.map(finish).transpose()
    }

    /// Moves a job on; `sent` counts an attempt.
    pub fn set_print_status(&self, id: i64, status: JobStatus, error: Option<&str>, now: Timestamp) -> Result<()> {
        self.exec(
            "UPDATE print_jobs SET status = ?2, last_error = ?3, updated_at = ?4,
                    attempts = attempts + (CASE WHEN ?2 = 'sent' THEN 1 ELSE 0 END)
             WHERE id = ?1",
            params![id, status.as_str(), error, ms(now)],
        )?;
        Ok(())
    }
}
