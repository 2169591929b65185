//! Retention: what the site no longer needs is deleted by age, a bounded
//! batch per table per call, so a sweep never holds the writer for long.
//!
//! Only finished things go: events every webhook subscriber has had
//! delivered, deliveries delivered or dead, the histories and logs of
//! workflows that ended, sessions that expired or were revoked, and the
//! stored outcomes of ops older than the longest a handheld may stay
//! offline. A running workflow's history, a pending delivery and the event
//! it carries are never touched.

use super::convert::ms;
use super::{Result, Tx};
use crate::domain::Timestamp;
use rusqlite::params;

/// Rows older than these instants may go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cutoffs {
    /// Outbox events (once delivered to every subscriber).
    pub events: Timestamp,
    /// Finished webhook deliveries (delivered or dead).
    pub deliveries: Timestamp,
    /// Histories, activity and timer rows, and logs of finished workflows.
    pub workflows: Timestamp,
    /// Stored outcomes of ops (`applied_ops`): a repeat after this gets no
    /// stored answer, so this is at least the offline window.
    pub ops: Timestamp,
    /// Sessions that expired or were revoked.
    pub sessions: Timestamp,
}

/// Rows deleted by one call, per table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Swept {
    pub outbox_events: usize,
    pub webhook_deliveries: usize,
    pub workflow_events: usize,
    pub activity_tasks: usize,
    pub timers: usize,
    pub fulfillment_tasks: usize,
    pub applied_ops: usize,
    pub sessions: usize,
}

impl Swept {
    pub fn total(&self) -> usize {
        self.outbox_events
            + self.webhook_deliveries
            + self.workflow_events
            + self.activity_tasks
            + self.timers
            + self.fulfillment_tasks
            + self.applied_ops
            + self.sessions
    }
}

/// Deletes the rows of `$table` that belong to finished workflows last
/// changed before `?1` (`$extra`: a further condition on the rows), for at
/// most `?2` workflows that still have such rows.
macro_rules! of_finished {
    ($table:literal, $extra:literal) => {
        concat!(
            "DELETE FROM ",
            $table,
            " WHERE ",
            $extra,
            " workflow_id IN (SELECT w.id FROM workflows w
             WHERE w.status != 'running' AND w.updated_at < ?1
               AND EXISTS (SELECT 1 FROM ",
            $table,
            " x WHERE x.workflow_id = w.id AND ",
            $extra,
            " 1)
             ORDER BY w.updated_at LIMIT ?2)"
        )
    };
}

impl Tx<'_> {
    /// Deletes at most `limit` rows of each kind older than its cutoff.
    /// Call again while [`Swept::total`] is not 0.
    pub fn sweep(&self, c: &Cutoffs, limit: u32) -> Result<Swept> {
        let deliveries = self.exec(
            "DELETE FROM webhook_deliveries WHERE (endpoint_id, event_id) IN (
                SELECT endpoint_id, event_id FROM webhook_deliveries
                WHERE status IN ('delivered', 'dead') AND COALESCE(delivered_at, next_attempt_at) < ?1 LIMIT ?2)",
            params![ms(c.deliveries), limit],
        )?;
        // An event goes once every active subscriber is past it, no delivery
        // of it is left, and it is old enough. Ids grow with time, so the
        // old ones are the oldest ids: the first `limit` by id are looked at
        // (no index on the time needed) and the old among them go.
        let events = self.exec(
            "DELETE FROM outbox_events WHERE id IN (
                SELECT id FROM outbox_events
                WHERE id <= COALESCE((SELECT MIN(cursor) FROM webhook_endpoints WHERE active = 1), id)
                  AND id <= COALESCE((SELECT MIN(event_id) FROM integration_cursors), id)
                ORDER BY id LIMIT ?2)
              AND created_at < ?1
              AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = outbox_events.id)",
            params![ms(c.events), limit],
        )?;
        let wf = params![ms(c.workflows), limit];
        let mut s = Swept {
            outbox_events: events,
            webhook_deliveries: deliveries,
            workflow_events: self.exec(of_finished!("workflow_events", ""), wf)?,
            activity_tasks: self.exec(of_finished!("activity_tasks", "status != 'pending' AND"), wf)?,
            timers: self.exec(of_finished!("timers", "status != 'pending' AND"), wf)?,
            fulfillment_tasks: self.exec(of_finished!("fulfillment_tasks", ""), wf)?,
            ..Swept::default()
        };
        s.applied_ops = self.exec(
            "DELETE FROM applied_ops WHERE op_id IN (SELECT op_id FROM applied_ops WHERE created_at < ?1 LIMIT ?2)",
            params![ms(c.ops), limit],
        )?;
        s.sessions = self.exec(
            "DELETE FROM sessions WHERE token_hash IN (SELECT token_hash FROM sessions
             WHERE COALESCE(revoked_at, expires_at) < ?1 LIMIT ?2)",
            params![ms(c.sessions), limit],
        )?;
        Ok(s)
    }
}
