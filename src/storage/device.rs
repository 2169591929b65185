//! Devices. On the server: each floor terminal's last contact (`devices`).
//! On a device's own file: the op queue (`device_ops`) and the cache of
//! tasks, session and screen (`device_cache`).

use super::convert::{ms, opt_ms, opt_time, time, u32_of};
use super::{Result, StorageError, Tx};
use crate::domain::Timestamp;
use rusqlite::{OptionalExtension, params};

/// An op's place in the device queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpStatus {
    Pending,
    Sent,
    Applied,
    Rejected,
}

impl OpStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OpStatus::Pending => "pending",
            OpStatus::Sent => "sent",
            OpStatus::Applied => "applied",
            OpStatus::Rejected => "rejected",
        }
    }

    fn parse(s: &str) -> Option<OpStatus> {
        [OpStatus::Pending, OpStatus::Sent, OpStatus::Applied, OpStatus::Rejected].into_iter().find(|o| o.as_str() == s)
    }

    /// Still to be acknowledged by the server.
    pub fn open(self) -> bool {
        matches!(self, OpStatus::Pending | OpStatus::Sent)
    }
}

/// One queued op.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedOp {
    pub seq: i64,
    pub op_id: String,
    pub kind: String,
    /// The op as JSON (`app::floor_op::FloorOp`).
    pub payload: String,
    pub status: OpStatus,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub created_at: Timestamp,
}

/// A device as the server last heard from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRow {
    pub device_id: String,
    pub worker_id: Option<i64>,
    pub last_seen: Timestamp,
    pub queued: u32,
    pub oldest_queued_at: Option<Timestamp>,
}

const OP_COLUMNS: &str = "seq, op_id, kind, payload, status, attempts, last_error, created_at";

type OpRow = (i64, String, String, String, String, i64, Option<String>, i64);

fn op_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<OpRow> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?))
}

fn to_op((seq, op_id, kind, payload, status, attempts, last_error, created): OpRow) -> Result<QueuedOp> {
    Ok(QueuedOp {
        seq,
        op_id,
        kind,
        payload,
        status: OpStatus::parse(&status).ok_or_else(|| StorageError::Corrupt(format!("op status {status:?}")))?,
        attempts: u32_of(attempts, "attempts")?,
        last_error,
        created_at: time(created)?,
    })
}

impl Tx<'_> {
    /// Server: records a device's contact.
    pub fn device_seen(&self, d: &DeviceRow) -> Result<()> {
        self.exec(
            "INSERT INTO devices (device_id, worker_id, last_seen, queued, oldest_queued_at)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (device_id) DO UPDATE SET worker_id = excluded.worker_id,
                 last_seen = excluded.last_seen, queued = excluded.queued,
                 oldest_queued_at = excluded.oldest_queued_at",
            params![d.device_id, d.worker_id, ms(d.last_seen), d.queued, opt_ms(d.oldest_queued_at)],
        )?;
        Ok(())
    }

    /// Server: every device, the longest silent first.
    pub fn devices(&self) -> Result<Vec<DeviceRow>> {
        let mut st = self.conn.prepare_cached(
            "SELECT device_id, worker_id, last_seen, queued, oldest_queued_at FROM devices ORDER BY last_seen, device_id",
        )?;
        let rows = st
            .query_map([], |r| {
                Ok((r.get::<_, String>(0)?, r.get(1)?, r.get::<_, i64>(2)?, r.get::<_, i64>(3)?, r.get(4)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|(device_id, worker_id, seen, queued, oldest)| {
                Ok(DeviceRow {
                    device_id,
                    worker_id,
                    last_seen: time(seen)?,
                    queued: u32_of(queued, "queued")?,
                    oldest_queued_at: opt_time(oldest)?,
                })
            })
            .collect()
    }

    /// Device: appends an op to the queue; returns its sequence number.
    pub fn enqueue_op(&self, op_id: &str, kind: &str, payload: &str, now: Timestamp) -> Result<i64> {
        self.exec(
            "INSERT INTO device_ops (op_id, kind, payload, status, created_at, updated_at)
             VALUES (?1, ?2, ?3, 'pending', ?4, ?4)",
            params![op_id, kind, payload, ms(now)],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Device: the ops not yet acknowledged, in order, at most `limit`.
    pub fn open_ops(&self, limit: u32) -> Result<Vec<QueuedOp>> {
        let sql =
            format!("SELECT {OP_COLUMNS} FROM device_ops WHERE status IN ('pending', 'sent') ORDER BY seq LIMIT +?1");
        let mut st = self.conn.prepare_cached(&sql)?;
        let rows = st.query_map([limit], op_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter().map(to_op).collect()
    }

    /// Device: how many ops wait for the server, and since when the oldest.
    pub fn queue_depth(&self) -> Result<(u32, Option<Timestamp>)> {
        let (n, oldest): (i64, Option<i64>) = self.row(
            "SELECT COUNT(*), MIN(created_at) FROM device_ops WHERE status IN ('pending', 'sent')",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok((u32_of(n, "queued")?, opt_time(oldest)?))
    }

    /// Device: deletes ops the server answered (applied or rejected) before
    /// `before`; ops still waiting are never touched.
    pub fn forget_settled_ops(&self, before: Timestamp) -> Result<usize> {
        Ok(self.exec(
            "DELETE FROM device_ops WHERE status IN ('applied', 'rejected') AND updated_at < ?1",
            params![ms(before)],
        )?)
    }

    /// Device: an op's new state (and the server's answer or the error).
    pub fn set_op_status(
        &self,
        op_id: &str,
        status: OpStatus,
        result: Option<&str>,
        error: Option<&str>,
        now: Timestamp,
    ) -> Result<()> {
        let attempt = i64::from(status == OpStatus::Sent);
        self.exec(
            "UPDATE device_ops SET status = ?2, result = COALESCE(?3, result), last_error = ?4,
                 attempts = attempts + ?5, updated_at = ?6
             WHERE op_id = ?1",
            params![op_id, status.as_str(), result, error, attempt, ms(now)],
        )?;
        Ok(())
    }

    /// Device: a cached value by key.
    pub fn cached(&self, key: &str) -> Result<Option<String>> {
        Ok(self.row("SELECT body FROM device_cache WHERE key = ?1", [key], |r| r.get(0)).optional()?)
    }

    pub fn cache(&self, key: &str, body: &str, now: Timestamp) -> Result<()> {
        self.exec(
            "INSERT INTO device_cache (key, body, updated_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (key) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
            params![key, body, ms(now)],
        )?;
        Ok(())
    }

    pub fn uncache(&self, key: &str) -> Result<()> {
        self.exec("DELETE FROM device_cache WHERE key = ?1", [key])?;
        Ok(())
    }
}
