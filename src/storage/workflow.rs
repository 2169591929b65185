//! The workflow engine's tables (migration 0006): workflows with their
//! state snapshot, their history, queued activities, timers, the execution
//! log (`fulfillment_tasks`) and shipments. Payloads are JSON text made by
//! `app::workflow`; this module only stores and finds them.

use super::convert::{ms, time, u32_of};
use super::{Result, Tx};
use crate::domain::Timestamp;
use rusqlite::{OptionalExtension, params};

/// One workflow row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkflowRow {
    pub id: String,
    pub kind: String,
    pub status: String,
    pub step: String,
    pub blocking: Option<String>,
    pub priority: i64,
    pub order_id: Option<i64>,
    pub fulfillment_id: Option<i64>,
    pub input: String,
    pub state: String,
    pub version: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// One history event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryRow {
    pub seq: i64,
    pub event_type: String,
    pub payload: String,
    pub at: Timestamp,
}

/// A queued activity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityTask {
    pub id: i64,
    pub workflow_id: String,
    pub activity: String,
    pub payload: String,
    pub status: String,
    pub priority: i64,
    pub attempt: u32,
    pub next_run_at: Timestamp,
    pub last_error: Option<String>,
}

/// A stored shipment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShipmentRow {
    pub id: i64,
    pub fulfillment_id: i64,
    pub order_id: i64,
    pub carrier: String,
    pub tracking: String,
    pub status: String,
}

/// The columns [`shipment_row`] reads, of `shipments s`.
pub(super) const SHIPMENT: &str = "s.id, s.fulfillment_id, s.order_id, s.carrier, s.tracking, s.status";

pub(super) fn shipment_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ShipmentRow> {
    Ok(ShipmentRow {
        id: r.get(0)?,
        fulfillment_id: r.get(1)?,
        order_id: r.get(2)?,
        carrier: r.get(3)?,
        tracking: r.get(4)?,
        status: r.get(5)?,
    })
}

const WORKFLOW: &str = "id, kind, status, step, blocking, priority, order_id, fulfillment_id, input, state, version,
     created_at, updated_at";

fn workflow(r: &rusqlite::Row<'_>) -> rusqlite::Result<(WorkflowRow, i64, i64)> {
    Ok((
        WorkflowRow {
            id: r.get(0)?,
            kind: r.get(1)?,
            status: r.get(2)?,
            step: r.get(3)?,
            blocking: r.get(4)?,
            priority: r.get(5)?,
            order_id: r.get(6)?,
            fulfillment_id: r.get(7)?,
            input: r.get(8)?,
            state: r.get(9)?,
            version: r.get(10)?,
            created_at: Timestamp::default(),
            updated_at: Timestamp::default(),
        },
        r.get(11)?,
        r.get(12)?,
    ))
}

fn with_times((mut w, c, u): (WorkflowRow, i64, i64)) -> Result<WorkflowRow> {
    w.created_at = time(c)?;
    w.updated_at = time(u)?;
    Ok(w)
}

const TASK: &str = "id, workflow_id, activity, payload, status, priority, attempt, next_run_at, last_error";

fn task(r: &rusqlite::Row<'_>) -> rusqlite::Result<(ActivityTask, i64, i64)> {
    Ok((
        ActivityTask {
            id: r.get(0)?,
            workflow_id: r.get(1)?,
            activity: r.get(2)?,
            payload: r.get(3)?,
            status: r.get(4)?,
            priority: r.get(5)?,
            attempt: 0,
            next_run_at: Timestamp::default(),
            last_error: r.get(8)?,
        },
        r.get(6)?,
        r.get(7)?,
    ))
}

fn task_of((mut t, attempt, next): (ActivityTask, i64, i64)) -> Result<ActivityTask> {
    t.attempt = u32_of(attempt, "attempt")?;
    t.next_run_at = time(next)?;
    Ok(t)
}

impl Tx<'_> {
    /// Creates a workflow; `false` when one with this id exists already.
    pub fn insert_workflow(&self, w: &WorkflowRow) -> Result<bool> {
        Ok(self.exec(
            "INSERT OR IGNORE INTO workflows (id, kind, status, step, blocking, priority, order_id, fulfillment_id,
                 input, state, version, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12)",
            params![
                w.id,
                w.kind,
                w.status,
                w.step,
                w.blocking,
                w.priority,
                w.order_id,
                w.fulfillment_id,
                w.input,
                w.state,
                w.version,
                ms(w.created_at)
            ],
        )? == 1)
    }

    pub fn workflow(&self, id: &str) -> Result<Option<WorkflowRow>> {
        let sql = format!("SELECT {WORKFLOW} FROM workflows WHERE id = ?1");
        self.row(&sql, [id], workflow).optional()?.map(with_times).transpose()
    }

    /// Saves what a decision changed: status, step, blocking reason, state.
    pub fn save_workflow(&self, w: &WorkflowRow, now: Timestamp) -> Result<()> {
        self.exec(
            "UPDATE workflows SET status = ?2, step = ?3, blocking = ?4, state = ?5, version = ?6, order_id = ?7,
                 updated_at = ?8
             WHERE id = ?1",
            params![w.id, w.status, w.step, w.blocking, w.state, w.version, w.order_id, ms(now)],
        )?;
        Ok(())
    }

    pub fn append_history(
        &self,
        workflow_id: &str,
        seq: i64,
        event_type: &str,
        payload: &str,
        now: Timestamp,
    ) -> Result<()> {
        self.exec(
            "INSERT INTO workflow_events (workflow_id, seq, event_type, payload, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![workflow_id, seq, event_type, payload, ms(now)],
        )?;
        Ok(())
    }

    pub fn history(&self, workflow_id: &str) -> Result<Vec<HistoryRow>> {
        let mut st = self.conn.prepare_cached(
            "SELECT seq, event_type, payload, created_at FROM workflow_events WHERE workflow_id = +?1 ORDER BY seq",
        )?;
        let rows = st
            .query_map([workflow_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get::<_, i64>(3)?)))?
            .collect::<rusqlite::Result<Vec<(i64, String, String, i64)>>>()?;
        rows.into_iter()
            .map(|(seq, event_type, payload, at)| Ok(HistoryRow { seq, event_type, payload, at: time(at)? }))
            .collect()
    }

    /// The workflows of an order (its intake and its fulfillments).
    pub fn workflows_for_order(&self, order_id: i64) -> Result<Vec<WorkflowRow>> {
        let sql = format!("SELECT {WORKFLOW} FROM workflows WHERE order_id = +?1 ORDER BY created_at, id");
        let mut st = self.conn.prepare_cached(&sql)?;
        let rows = st.query_map([order_id], workflow)?.collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter().map(with_times).collect()
    }

    /// Workflows, newest first, optionally of one status, at most `limit`.
    pub fn workflows(&self, status: Option<&str>, limit: u32) -> Result<Vec<WorkflowRow>> {
        let sql = format!(
            "SELECT {WORKFLOW} FROM workflows WHERE (?1 IS NULL OR status = +?1) ORDER BY updated_at DESC, id LIMIT ?2"
        );
        let mut st = self.conn.prepare_cached(&sql)?;
        let rows = st.query_map(params![status, limit], workflow)?.collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter().map(with_times).collect()
    }

    /// Workflows per status.
    pub fn workflow_counts(&self) -> Result<Vec<(String, String, i64)>> {
        let mut st = self
            .conn
            .prepare_cached("SELECT kind, status, COUNT(*) FROM workflows GROUP BY kind, status ORDER BY 1, 2")?;
        Ok(st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Queues an activity. A retry (`attempt > 1`) moves the workflow's
    /// latest row for this activity instead of adding one.
    pub fn queue_activity(&self, t: &ActivityTask, now: Timestamp) -> Result<i64> {
        if t.attempt > 1 {
            let updated = self.exec(
                "UPDATE activity_tasks SET status = 'pending', payload = ?3, attempt = ?4, next_run_at = ?5,
                     last_error = ?6, updated_at = ?7
                 WHERE id = (SELECT MAX(id) FROM activity_tasks WHERE workflow_id = ?1 AND activity = ?2)",
                params![t.workflow_id, t.activity, t.payload, t.attempt, ms(t.next_run_at), t.last_error, ms(now)],
            )?;
            if updated == 1 {
                return Ok(self.row(
                    "SELECT MAX(id) FROM activity_tasks WHERE workflow_id = ?1 AND activity = ?2",
                    params![t.workflow_id, t.activity],
                    |r| r.get(0),
                )?);
            }
        }
        self.exec(
            "INSERT INTO activity_tasks (workflow_id, activity, payload, status, priority, attempt, next_run_at,
                 last_error, created_at, updated_at)
             VALUES (?1, ?2, ?3, 'pending', ?4, ?5, ?6, ?7, ?8, ?8)",
            params![
                t.workflow_id,
                t.activity,
                t.payload,
                t.priority,
                t.attempt,
                ms(t.next_run_at),
                t.last_error,
                ms(now)
            ],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    pub fn activity_task(&self, id: i64) -> Result<Option<ActivityTask>> {
        let sql = format!("SELECT {TASK} FROM activity_tasks WHERE id = ?1");
        self.row(&sql, [id], task).optional()?.map(task_of).transpose()
    }

    /// Ends a queued attempt: `done`, `failed` or `dropped`.
    pub fn finish_activity(&self, id: i64, status: &str, error: Option<&str>, now: Timestamp) -> Result<()> {
        self.exec(
            "UPDATE activity_tasks SET status = ?2, last_error = COALESCE(?3, last_error), updated_at = ?4
             WHERE id = ?1",
            params![id, status, error, ms(now)],
        )?;
        Ok(())
    }

    /// Pending activities due by `now`: most urgent first, then oldest.
    pub fn due_activities(&self, now: Timestamp, limit: u32) -> Result<Vec<ActivityTask>> {
        let sql = format!(
            "SELECT {TASK} FROM activity_tasks WHERE status = 'pending' AND next_run_at <= +?1
             ORDER BY priority DESC, created_at, id LIMIT ?2"
        );
        let mut st = self.conn.prepare_cached(&sql)?;
        let rows = st.query_map(params![ms(now), limit], task)?.collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter().map(task_of).collect()
    }

    /// Pending activities due by `now`: how many, and the earliest due time.
    pub fn due_activity_stats(&self, now: Timestamp) -> Result<(u64, Option<Timestamp>)> {
        let (n, first): (i64, Option<i64>) = self.row(
            "SELECT COUNT(*), MIN(next_run_at) FROM activity_tasks WHERE status = 'pending' AND next_run_at <= ?1",
            [ms(now)],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok((n.max(0).unsigned_abs(), first.map(time).transpose()?))
    }

    /// When the engine next has work: the earliest pending activity, timer
    /// or hold expiry (the engine sleeps until then, or until the next commit).
    pub fn engine_next_due(&self) -> Result<Option<Timestamp>> {
        let at: Option<i64> = self.row(
            concat!(
                "SELECT MIN(t) FROM (SELECT MIN(next_run_at) AS t FROM activity_tasks WHERE status = 'pending'
                                     UNION ALL SELECT MIN(fire_at) FROM timers WHERE status = 'pending'
                                     UNION ALL SELECT MIN(expires_at) FROM wms_reservations WHERE ",
                hold!(),
                ")"
            ),
            [],
            |r| r.get(0),
        )?;
        at.map(time).transpose()
    }

    /// Drops a workflow's queued attempts but those named in `keep` (which
    /// ones is the domain's rule: `Activity::keeps_queued`).
    pub fn drop_queued_except(&self, workflow_id: &str, keep: &[&str; 2], now: Timestamp) -> Result<()> {
        self.exec(
            "UPDATE activity_tasks SET status = 'dropped', updated_at = ?4
             WHERE workflow_id = ?1 AND status = 'pending' AND activity NOT IN (?2, ?3)",
            params![workflow_id, keep[0], keep[1], ms(now)],
        )?;
        Ok(())
    }

    /// A finished workflow's queued activities and timers are dropped.
    pub fn drop_workflow_work(&self, workflow_id: &str, now: Timestamp) -> Result<()> {
        self.exec(
            "UPDATE activity_tasks SET status = 'dropped', updated_at = ?2 WHERE workflow_id = ?1 AND status = 'pending'",
            params![workflow_id, ms(now)],
        )?;
        self.exec(
            "UPDATE timers SET status = 'cancelled', updated_at = ?2 WHERE workflow_id = ?1 AND status = 'pending'",
            params![workflow_id, ms(now)],
        )?;
        Ok(())
    }

    pub fn set_timer(&self, workflow_id: &str, name: &str, at: Timestamp, now: Timestamp) -> Result<()> {
        self.exec(
            "INSERT INTO timers (workflow_id, name, fire_at, status, updated_at) VALUES (?1, ?2, ?3, 'pending', ?4)
             ON CONFLICT (workflow_id, name) DO UPDATE SET fire_at = ?3, status = 'pending', updated_at = ?4",
            params![workflow_id, name, ms(at), ms(now)],
        )?;
        Ok(())
    }

    pub fn cancel_timer(&self, workflow_id: &str, name: &str, now: Timestamp) -> Result<()> {
        self.exec(
            "UPDATE timers SET status = 'cancelled', updated_at = ?3 WHERE workflow_id = ?1 AND name = ?2
                 AND status = 'pending'",
            params![workflow_id, name, ms(now)],
        )?;
        Ok(())
    }

    /// Marks a due pending timer fired; `false` if it is not pending or due.
    pub fn fire_timer(&self, workflow_id: &str, name: &str, now: Timestamp) -> Result<bool> {
        Ok(self.exec(
            "UPDATE timers SET status = 'fired', updated_at = ?3 WHERE workflow_id = ?1 AND name = ?2
                 AND status = 'pending' AND fire_at <= ?3",
            params![workflow_id, name, ms(now)],
        )? == 1)
    }

    /// Pending timers due by `now`, soonest first: `(workflow, name, fire_at)`.
    pub fn due_timers(&self, now: Timestamp, limit: u32) -> Result<Vec<(String, String, Timestamp)>> {
        let mut st = self.conn.prepare_cached(
            "SELECT workflow_id, name, fire_at FROM timers WHERE status = 'pending' AND fire_at <= +?1
             ORDER BY fire_at LIMIT ?2",
        )?;
        let rows = st
            .query_map(params![ms(now), limit], |r| Ok((r.get(0)?, r.get(1)?, r.get::<_, i64>(2)?)))?
            .collect::<rusqlite::Result<Vec<(String, String, i64)>>>()?;
        rows.into_iter().map(|(w, n, at)| Ok((w, n, time(at)?))).collect()
    }

    /// Logs one activity execution (seed 000's `fulfillment_tasks`).
    pub fn log_execution(
        &self,
        workflow_id: &str,
        activity: &str,
        status: &str,
        attempt: u32,
        metadata: &str,
        now: Timestamp,
    ) -> Result<()> {
        self.exec(
            "INSERT INTO fulfillment_tasks (workflow_id, task_type, status, attempts, metadata, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
            params![workflow_id, activity, status, attempt, metadata, ms(now)],
        )?;
        Ok(())
    }

    /// Records a fulfillment's shipment once: a second call keeps the first
    /// and returns it.
    pub fn insert_shipment(
        &self,
        fulfillment_id: i64,
        order_id: i64,
        carrier: &str,
        tracking: &str,
        now: Timestamp,
    ) -> Result<ShipmentRow> {
        self.exec(
            "INSERT OR IGNORE INTO shipments (fulfillment_id, order_id, carrier, tracking, status, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, 'created', ?5, ?5)",
            params![fulfillment_id, order_id, carrier, tracking, ms(now)],
        )?;
        self.shipment(fulfillment_id)?
            .ok_or_else(|| super::StorageError::Corrupt(format!("shipment of fulfillment {fulfillment_id} vanished")))
    }

    pub fn shipment(&self, fulfillment_id: i64) -> Result<Option<ShipmentRow>> {
        let sql = format!("SELECT {SHIPMENT} FROM shipments s WHERE fulfillment_id = ?1");
        Ok(self.row(&sql, [fulfillment_id], shipment_row).optional()?)
    }

    /// Shipments by status, for tests and checks: `(status, count)`.
    pub fn shipment_counts(&self) -> Result<Vec<(String, i64)>> {
        let mut st = self.conn.prepare_cached("SELECT status, COUNT(*) FROM shipments GROUP BY status ORDER BY 1")?;
        Ok(st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    pub fn set_shipment_status(&self, fulfillment_id: i64, status: &str, now: Timestamp) -> Result<()> {
        self.exec(
            "UPDATE shipments SET status = ?2, updated_at = ?3 WHERE fulfillment_id = ?1",
            params![fulfillment_id, status, ms(now)],
        )?;
        Ok(())
    }
}
