//! The transactional outbox and the idempotency record of applied ops.

use super::convert::{ms, time};
use super::{Result, Tx};
use crate::domain::Timestamp;
use crate::domain::event::DomainEvent;
use rusqlite::{OptionalExtension, params};

/// A stored event.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxRow {
    pub id: i64,
    pub event_type: String,
    pub aggregate_type: String,
    pub aggregate_id: String,
    pub stream: String,
    pub payload: serde_json::Value,
    pub created_at: Timestamp,
}

/// The stored outcome of an op.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedOp {
    pub command: String,
    pub request: String,
    pub ok: bool,
    pub response: String,
}

impl Tx<'_> {
    /// Appends `event` with its JSON `payload` (`contract::events`) to the outbox.
    pub fn append_event(&self, event: &DomainEvent, payload: &str, now: Timestamp) -> Result<i64> {
        let (agg_type, agg_id) = event.aggregate();
        self.exec(
            "INSERT INTO outbox_events (aggregate_type, aggregate_id, event_type, stream, payload, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![agg_type, agg_id, event.name(), event.stream(), payload, ms(now)],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Events after `after_id`, oldest first, at most `limit`.
    pub fn events_after(&self, after_id: i64, limit: u32) -> Result<Vec<OutboxRow>> {
        let mut st = self.conn.prepare_cached(
            "SELECT id, event_type, aggregate_type, aggregate_id, stream, payload, created_at
             FROM outbox_events WHERE id > ?1 ORDER BY id LIMIT ?2",
        )?;
        let raws = st
            .query_map(params![after_id, limit], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, i64>(6)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        raws.into_iter()
            .map(|(id, event_type, aggregate_type, aggregate_id, stream, payload, created)| {
                Ok(OutboxRow {
                    id,
                    event_type,
                    aggregate_type,
                    aggregate_id,
                    stream,
                    payload: serde_json::from_str(&payload)?,
                    created_at: time(created)?,
                })
            })
            .collect()
    }

    /// The stored outcome of `op_id`, if it was applied before.
    pub fn applied_op(&self, op_id: &str) -> Result<Option<AppliedOp>> {
        Ok(self
            .row("SELECT command, request, outcome, response FROM applied_ops WHERE op_id = ?1", [op_id], |r| {
                Ok(AppliedOp {
                    command: r.get(0)?,
                    request: r.get(1)?,
                    ok: r.get::<_, String>(2)? == "ok",
                    response: r.get(3)?,
                })
            })
            .optional()?)
    }

    /// Records the outcome of `op_id`, in the same transaction as its effects.
    pub fn record_op(&self, op_id: &str, op: &AppliedOp, now: Timestamp) -> Result<()> {
        self.exec(
            "INSERT INTO applied_ops (op_id, command, request, outcome, response, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![op_id, op.command, op.request, if op.ok { "ok" } else { "rejected" }, op.response, ms(now)],
        )?;
        Ok(())
    }

    /// How far integration `name` has taken the outbox (the last event id
    /// the far side took), if it has started.
    pub fn integration_cursor(&self, name: &str) -> Result<Option<i64>> {
        Ok(self.row("SELECT event_id FROM integration_cursors WHERE name = ?1", [name], |r| r.get(0)).optional()?)
    }

    /// Moves integration `name`'s cursor to `event_id` (never back).
    pub fn set_integration_cursor(&self, name: &str, event_id: i64) -> Result<()> {
        self.exec(
            "INSERT INTO integration_cursors (name, event_id) VALUES (?1, ?2)
             ON CONFLICT (name) DO UPDATE SET event_id = MAX(event_id, excluded.event_id)",
            params![name, event_id],
        )?;
        Ok(())
    }
}
