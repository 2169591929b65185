//! The outbox relay's tables: webhook endpoints and their deliveries. See
//! `server::relay` for the worker and `relay` for the pure rules.

use super::convert::{ms, opt_time, u32_of};
use super::outbox::OutboxRow;
use super::{Result, Tx};
use crate::domain::Timestamp;
use rusqlite::{OptionalExtension, params};

/// A subscriber.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub id: i64,
    pub name: String,
    pub url: String,
    pub secret: String,
    /// `*` or a comma-separated list of event types.
    pub event_types: String,
    pub max_attempts: u32,
    pub active: bool,
    pub cursor: i64,
}

impl Endpoint {
    pub fn wants(&self, event_type: &str) -> bool {
        self.event_types.split(',').map(str::trim).any(|t| t == "*" || t == event_type)
    }
}

/// A delivery that is due: its endpoint, its event, the tries so far.
#[derive(Debug, Clone, PartialEq)]
pub struct Due {
    pub endpoint: Endpoint,
    pub event: OutboxRow,
    pub attempts: u32,
}

/// Deliveries by state, and the oldest pending one's event time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RelayStats {
    pub pending: u32,
    pub delivered: u32,
    pub dead: u32,
    pub oldest_pending: Option<Timestamp>,
}

const ENDPOINT: &str = "id, name, url, secret, event_types, max_attempts, active, cursor";

fn endpoint(r: &rusqlite::Row<'_>) -> rusqlite::Result<Endpoint> {
    Ok(Endpoint {
        id: r.get(0)?,
        name: r.get(1)?,
        url: r.get(2)?,
        secret: r.get(3)?,
        event_types: r.get(4)?,
        max_attempts: r.get::<_, i64>(5)?.clamp(1, 1_000) as u32,
        active: r.get(6)?,
        cursor: r.get(7)?,
    })
}

impl Tx<'_> {
    pub fn add_endpoint(
        &self,
        name: &str,
        url: &str,
        secret: &str,
        types: &str,
        max_attempts: u32,
        now: Timestamp,
    ) -> Result<i64> {
        self.exec(
            "INSERT INTO webhook_endpoints (name, url, secret, event_types, max_attempts, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![name, url, secret, types, max_attempts, ms(now)],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Where an endpoint's fan-out resumes (events after it).
    pub fn set_endpoint_cursor(&self, id: i64, cursor: i64) -> Result<()> {
        self.exec("UPDATE webhook_endpoints SET cursor = ?2 WHERE id = ?1", params![id, cursor])?;
        Ok(())
    }

    /// The newest outbox event's id (0 when there is none).
    pub fn outbox_newest(&self) -> Result<i64> {
        Ok(self.row("SELECT COALESCE(MAX(id), 0) FROM outbox_events", [], |r| r.get(0))?)
    }

    pub fn endpoints(&self) -> Result<Vec<Endpoint>> {
        let mut st = self.conn.prepare_cached(&format!("SELECT {ENDPOINT} FROM webhook_endpoints ORDER BY id"))?;
        Ok(st.query_map([], endpoint)?.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    pub fn endpoint_by_name(&self, name: &str) -> Result<Option<Endpoint>> {
        let sql = format!("SELECT {ENDPOINT} FROM webhook_endpoints WHERE name = ?1");
        Ok(self.row(&sql, [name], endpoint).optional()?)
    }

    /// Makes a pending delivery for each committed event after the
    /// endpoint's cursor that it subscribes to (at most `limit` events),
    /// and moves the cursor past them. Returns the deliveries made.
    pub fn fan_out(&self, e: &Endpoint, limit: u32, now: Timestamp) -> Result<usize> {
        let events = self.events_after(e.cursor, limit)?;
        let mut made = 0;
        for ev in &events {
            if e.wants(&ev.event_type) {
                made += self.exec(
                    "INSERT OR IGNORE INTO webhook_deliveries (endpoint_id, event_id, status, next_attempt_at)
                     VALUES (?1, ?2, 'pending', ?3)",
                    params![e.id, ev.id, ms(now)],
                )?;
            }
        }
        if let Some(last) = events.last() {
            self.exec("UPDATE webhook_endpoints SET cursor = ?2 WHERE id = ?1", params![e.id, last.id])?;
        }
        Ok(made)
    }

    /// Pending deliveries due by `now`, oldest event first, at most `limit`.
    /// When the next pending delivery is due.
    pub fn next_delivery_due(&self) -> Result<Option<Timestamp>> {
        let at: Option<i64> =
            self.row("SELECT MIN(next_attempt_at) FROM webhook_deliveries WHERE status = 'pending'", [], |r| r.get(0))?;
        at.map(super::convert::time).transpose()
    }

    pub fn due_deliveries(&self, now: Timestamp, limit: u32) -> Result<Vec<Due>> {
        let mut st = self.conn.prepare_cached(
            "SELECT endpoint_id, event_id, attempts FROM webhook_deliveries
             WHERE status = 'pending' AND next_attempt_at <= ?1 ORDER BY event_id, endpoint_id LIMIT ?2",
        )?;
        let keys = st
            .query_map(params![ms(now), limit], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let endpoints = self.endpoints()?;
        let mut out = Vec::with_capacity(keys.len());
        for (endpoint_id, event_id, attempts) in keys {
            let (Some(endpoint), Some(event)) = (
                endpoints.iter().find(|e| e.id == endpoint_id && e.active).cloned(),
                self.events_after(event_id - 1, 1)?.into_iter().next().filter(|ev| ev.id == event_id),
            ) else {
                continue;
            };
            out.push(Due { endpoint, event, attempts: u32_of(attempts, "attempts")? });
        }
        Ok(out)
    }

    pub fn delivered(&self, endpoint_id: i64, event_id: i64, now: Timestamp) -> Result<()> {
        self.exec(
            "UPDATE webhook_deliveries SET status = 'delivered', attempts = attempts + 1, delivered_at = ?3,
                 last_error = NULL
             WHERE endpoint_id = ?1 AND event_id = ?2",
            params![endpoint_id, event_id, ms(now)],
        )?;
        Ok(())
    }

    /// A failed try: again at `retry_at`, or dead when `None`.
    pub fn delivery_failed(
        &self,
        endpoint_id: i64,
        event_id: i64,
        error: &str,
        retry_at: Option<Timestamp>,
    ) -> Result<()> {
        let status = if retry_at.is_some() { "pending" } else { "dead" };
        self.exec(
            "UPDATE webhook_deliveries SET status = ?3, attempts = attempts + 1, last_error = ?4,
                 next_attempt_at = COALESCE(?5, next_attempt_at)
             WHERE endpoint_id = ?1 AND event_id = ?2",
            params![endpoint_id, event_id, status, error, retry_at.map(ms)],
        )?;
        Ok(())
    }

    /// `(status, attempts, last_error)` of one delivery.
    pub fn delivery(&self, endpoint_id: i64, event_id: i64) -> Result<Option<(String, u32, Option<String>)>> {
        Ok(self
            .row(
                "SELECT status, attempts, last_error FROM webhook_deliveries WHERE endpoint_id = ?1 AND event_id = ?2",
                params![endpoint_id, event_id],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get(2)?)),
            )
            .optional()?
            .map(|(s, a, e)| (s, a.max(0) as u32, e)))
    }

    /// Sends an endpoint's events from `from_event` on again (delivered and
    /// dead alike): they become pending with fresh attempts. Returns how many.
    pub fn replay(&self, endpoint_id: i64, from_event: i64, now: Timestamp) -> Result<usize> {
        Ok(self.exec(
            "UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = ?3, last_error = NULL
             WHERE endpoint_id = ?1 AND event_id >= ?2",
            params![endpoint_id, from_event, ms(now)],
        )?)
    }

    /// Every dead delivery, of every endpoint, becomes pending again with
    /// fresh attempts (a supervisor's retry once a receiver is back).
    pub fn retry_dead(&self, now: Timestamp) -> Result<usize> {
        Ok(self.exec(
            "UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = ?1, last_error = NULL
             WHERE status = 'dead'",
            [ms(now)],
        )?)
    }

    pub fn relay_stats(&self) -> Result<RelayStats> {
        let (pending, delivered, dead, oldest): (i64, i64, i64, Option<i64>) = self.row(
            "SELECT COALESCE(SUM(d.status = 'pending'), 0), COALESCE(SUM(d.status = 'delivered'), 0),
                    COALESCE(SUM(d.status = 'dead'), 0),
                    MIN(CASE WHEN d.status = 'pending' THEN e.created_at END)
             FROM webhook_deliveries d JOIN outbox_events e ON e.id = d.event_id",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )?;
        Ok(RelayStats {
            pending: u32_of(pending, "pending")?,
            delivered: u32_of(delivered, "delivered")?,
            dead: u32_of(dead, "dead")?,
            oldest_pending: opt_time(oldest)?,
        })
    }
}
