//! Workflows another engine hosts (Temporal): which they are, and the
//! signals waiting to be forwarded to them.

use super::convert::ms;
use super::{Result, Tx};
use crate::domain::Timestamp;
use rusqlite::{OptionalExtension, params};

/// A workflow waiting to be started on the hosting engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostedStart {
    /// Tote's id of it (`order-intake-{request_id}`).
    pub workflow_id: String,
    /// Its launch, as JSON.
    pub launch: String,
    /// The task queue of the site that runs it; `None`: this site's.
    pub task_queue: Option<String>,
}

/// A signal waiting for the hosting engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostedSignal {
    pub id: i64,
    pub workflow_id: String,
    /// The workflow's kind, as its row names it.
    pub kind: String,
    /// The signal, as JSON.
    pub signal: String,
}

impl Tx<'_> {
    /// Marks `workflow_id` as hosted by `engine` (again: no change).
    pub fn mark_hosted(&self, workflow_id: &str, engine: &str, now: Timestamp) -> Result<()> {
        self.exec(
            "INSERT OR IGNORE INTO hosted_workflows (workflow_id, engine, created_at) VALUES (?1, ?2, ?3)",
            params![workflow_id, engine, ms(now)],
        )?;
        Ok(())
    }

    /// Whether another engine hosts `workflow_id`.
    pub fn is_hosted(&self, workflow_id: &str) -> Result<bool> {
        Ok(self
            .row("SELECT 1 FROM hosted_workflows WHERE workflow_id = ?1", [workflow_id], |_| Ok(()))
            .optional()?
            .is_some())
    }

    pub fn queue_hosted_signal(&self, workflow_id: &str, signal: &str, now: Timestamp) -> Result<()> {
        self.exec(
            "INSERT INTO hosted_signals (workflow_id, signal, created_at) VALUES (?1, ?2, ?3)",
            params![workflow_id, signal, ms(now)],
        )?;
        Ok(())
    }

    /// The oldest `limit` signals waiting, in the order they were sent.
    pub fn hosted_signals(&self, limit: u32) -> Result<Vec<HostedSignal>> {
        let mut st = self.conn.prepare_cached(
            "SELECT s.id, s.workflow_id, w.kind, s.signal FROM hosted_signals s JOIN workflows w ON w.id = s.workflow_id
             ORDER BY s.id LIMIT ?1",
        )?;
        let rows = st.query_map([limit], |r| {
            Ok(HostedSignal { id: r.get(0)?, workflow_id: r.get(1)?, kind: r.get(2)?, signal: r.get(3)? })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// A hosted workflow to start, with its launch (JSON), on another
    /// site's task queue or (`None`) this site's own.
    pub fn queue_hosted_start(
        &self,
        workflow_id: &str,
        launch: &str,
        task_queue: Option<&str>,
        now: Timestamp,
    ) -> Result<()> {
        self.exec(
            "INSERT OR IGNORE INTO hosted_starts (workflow_id, launch, task_queue, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![workflow_id, launch, task_queue, ms(now)],
        )?;
        Ok(())
    }

    /// The oldest `limit` workflows waiting to be started.
    pub fn hosted_starts(&self, limit: u32) -> Result<Vec<HostedStart>> {
        let mut st = self.conn.prepare_cached(
            "SELECT workflow_id, launch, task_queue FROM hosted_starts ORDER BY created_at, workflow_id LIMIT ?1",
        )?;
        let rows = st.query_map([limit], |r| {
            Ok(HostedStart { workflow_id: r.get(0)?, launch: r.get(1)?, task_queue: r.get(2)? })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// A start the engine has taken.
    pub fn started(&self, workflow_id: &str) -> Result<()> {
        self.exec("DELETE FROM hosted_starts WHERE workflow_id = ?1", [workflow_id])?;
        Ok(())
    }

    /// A signal the engine has taken.
    pub fn forwarded(&self, id: i64) -> Result<()> {
        self.exec("DELETE FROM hosted_signals WHERE id = ?1", [id])?;
        Ok(())
    }
}
