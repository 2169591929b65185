//! What the supervisor board and the alert rules read: open work by queue,
//! status and priority with the oldest waiting; the facts of the stuck-work
//! rules; throughput over a window; stock-out follow-ups.

use super::convert::{ms, opt_time, time};
use super::{Result, Tx};
use crate::domain::Timestamp;
use crate::domain::alerts::Facts;
use rusqlite::params;

/// Which warehouses the board covers: every one, or a supervisor's own.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope(Option<Vec<i64>>);

impl Scope {
    /// Every warehouse.
    pub fn all() -> Scope {
        Scope(None)
    }

    /// These warehouses only.
    pub fn of(ids: Vec<i64>) -> Scope {
        Scope(Some(ids))
    }

    pub fn covers(&self, warehouse: i64) -> bool {
        self.0.as_ref().is_none_or(|ids| ids.contains(&warehouse))
    }

    /// The SQL parameter of `in_scope!`: `NULL` for every warehouse, else
    /// the ids as a JSON array.
    pub(super) fn param(&self) -> Option<String> {
        self.0.as_ref().map(|ids| format!("{ids:?}"))
    }
}

/// Open work in one queue, status and priority.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Depth {
    pub queue: &'static str,
    pub status: String,
    pub priority: i64,
    pub count: u64,
    /// When the oldest of them started waiting.
    pub oldest: Timestamp,
}

/// Floor output since a moment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Output {
    /// `(worker name, items picked)`, busiest first.
    pub picks_by_worker: Vec<(String, u64)>,
    pub items_closed: u64,
    pub items_short: u64,
    /// Order created to shipped, in milliseconds, for parcels shipped since.
    pub order_to_ship_ms: Vec<i64>,
    pub reallocated: u64,
    pub unfulfillable: u64,
}

fn depth_rows(tx: &Tx<'_>, queue: &'static str, sql: &str, scope: &Scope, out: &mut Vec<Depth>) -> Result<()> {
    let mut st = tx.conn.prepare_cached(sql)?;
    let rows = st
        .query_map([scope.param()], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?, r.get::<_, i64>(3)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for (status, priority, count, oldest) in rows {
        out.push(Depth { queue, status, priority, count: count.max(0).unsigned_abs(), oldest: time(oldest)? });
    }
    Ok(())
}

impl Tx<'_> {
    /// Open picking, packing and shipping work by status and priority.
    pub fn depths(&self, scope: &Scope) -> Result<Vec<Depth>> {
        let mut out = Vec::new();
        depth_rows(
            self,
            "picking",
            concat!(
                "SELECT status, priority, COUNT(*), MIN(created_at) FROM picking_tasks
                 WHERE status IN ('pending', 'assigned', 'in_progress') AND ",
                in_scope!("warehouse_id", 1),
                " GROUP BY status, priority ORDER BY status, priority"
            ),
            scope,
            &mut out,
        )?;
        depth_rows(
            self,
            "packing",
            concat!(
                "SELECT status, priority, COUNT(*), MIN(created_at) FROM packing_tasks
                 WHERE status IN ('pending', 'in_progress', 'packed') AND ",
                in_scope!("warehouse_id", 1),
                " GROUP BY status, priority ORDER BY status, priority"
            ),
            scope,
            &mut out,
        )?;
        depth_rows(
            self,
            "shipping",
            concat!(
                "SELECT w.step, w.priority, COUNT(*), MIN(w.updated_at) FROM workflows w
                 JOIN fulfillments f ON f.id = w.fulfillment_id
                 WHERE w.status = 'running' AND w.kind = 'order_fulfillment'
                   AND w.step IN ('create_shipment', 'generate_label', 'confirm_shipment', 'await_dispatch', 'mark_shipped')
                   AND ",
                in_scope!("f.warehouse_id", 1),
                " GROUP BY w.step, w.priority ORDER BY w.step, w.priority"
            ),
            scope,
            &mut out,
        )?;
        Ok(out)
    }

    /// The facts the stuck-work rules look at.
    pub fn alert_facts(&self, now: Timestamp, scope: &Scope) -> Result<Facts> {
        let mut st = self.conn.prepare_cached(concat!(
            "SELECT t.id, t.started_at, COALESCE(w.name, '') FROM picking_tasks t LEFT JOIN workers w ON w.id = t.worker_id
             WHERE t.status = 'in_progress' AND t.started_at IS NOT NULL AND ",
            in_scope!("t.warehouse_id", 1),
            " ORDER BY t.started_at"
        ))?;
        let picking = st
            .query_map([scope.param()], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, String>(2)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut st = self.conn.prepare_cached(concat!(
            "SELECT t.id, COALESCE(t.started_at, t.created_at) FROM packing_tasks t
             WHERE t.status = 'in_progress'
               AND (NOT EXISTS (SELECT 1 FROM packages p WHERE p.packing_task_id = t.id)
                    OR EXISTS (SELECT 1 FROM packages p WHERE p.packing_task_id = t.id
                               AND (p.weight_g IS NULL OR p.length_mm IS NULL OR p.width_mm IS NULL
                                    OR p.height_mm IS NULL)))
               AND ",
            in_scope!("t.warehouse_id", 1),
            " ORDER BY 2"
        ))?;
        let packing = st
            .query_map([scope.param()], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let carrier: Option<i64> = self.row(
            concat!(
                "SELECT MIN(a.created_at) FROM activity_tasks a JOIN workflows w ON w.id = a.workflow_id
                 JOIN fulfillments f ON f.id = w.fulfillment_id
                 WHERE a.status = 'pending' AND a.attempt > 1
                   AND a.activity IN ('create_shipment', 'confirm_shipment', 'void_shipment') AND ",
                in_scope!("f.warehouse_id", 1)
            ),
            [scope.param()],
            |r| r.get(0),
        )?;
        let holds = self
            .expired_holds(now)?
            .into_iter()
            .filter(|h| scope.covers(h.warehouse_id.0))
            .filter_map(|h| h.reservation.expires_at.map(|at| (h.reservation.id.0, at)))
            .collect();
        let mut at_dock = Vec::new();
        for d in self.at_dock(1000, scope)? {
            let parcels: Vec<String> = serde_json::from_str(&d.shipment.tracking).unwrap_or_default();
            at_dock.push((parcels.join(", "), d.since));
        }
        Ok(Facts {
            at_dock,
            waiting_without_task: self.waiting_without_task(scope)?,
            labels_not_printed: self.labels_not_printed(scope)?,
            picking_in_progress: picking
                .into_iter()
                .map(|(id, at, w)| Ok((id, time(at)?, w)))
                .collect::<Result<Vec<_>>>()?,
            packing_without_dimensions: packing
                .into_iter()
                .map(|(id, at)| Ok((id, time(at)?)))
                .collect::<Result<_>>()?,
            expired_holds: holds,
            carrier_failing_since: opt_time(carrier)?,
        })
    }

    /// Running fulfillment workflows waiting for a pick or a pack that has
    /// no open task (it failed or was cancelled) and no step under way:
    /// `(workflow, what it waits for, since)`.
    fn waiting_without_task(&self, scope: &Scope) -> Result<Vec<(String, String, Timestamp)>> {
        let mut st = self.conn.prepare_cached(concat!(
            "SELECT w.id, CASE w.step WHEN 'await_pick' THEN 'picking' ELSE 'packing' END, w.updated_at
             FROM workflows w JOIN fulfillments f ON f.id = w.fulfillment_id
             WHERE w.status = 'running' AND w.kind = 'order_fulfillment' AND ",
            in_scope!("f.warehouse_id", 1),
            "
               AND ((w.step = 'await_pick' AND NOT EXISTS (SELECT 1 FROM picking_tasks t
                        WHERE t.order_id = w.order_id AND t.fulfillment_id = w.fulfillment_id
                          AND t.status IN ('pending', 'assigned', 'in_progress')))
                 OR (w.step = 'await_pack' AND NOT EXISTS (SELECT 1 FROM packing_tasks p
                        WHERE p.order_id = w.order_id AND p.fulfillment_id = w.fulfillment_id
                          AND p.status IN ('pending', 'in_progress', 'packed', 'shipped'))))
               AND NOT EXISTS (SELECT 1 FROM activity_tasks a WHERE a.workflow_id = w.id AND a.status = 'pending')
             ORDER BY w.updated_at"
        ))?;
        let rows = st
            .query_map([scope.param()], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter().map(|(w, what, at)| Ok((w, what, time(at)?))).collect()
    }

    /// What the floor did since `since`.
    pub fn output_since(&self, since: Timestamp, scope: &Scope) -> Result<Output> {
        let mut st = self.conn.prepare_cached(concat!(
            "SELECT COALESCE(w.name, '?'), COUNT(*) FROM picking_task_items i
             JOIN picking_tasks t ON t.id = i.task_id LEFT JOIN workers w ON w.id = t.worker_id
             WHERE i.status = 'picked' AND i.picked_at >= ?1 AND ",
            in_scope!("t.warehouse_id", 2),
            " GROUP BY 1 ORDER BY 2 DESC, 1"
        ))?;
        let picks_by_worker = st
            .query_map(params![ms(since), scope.param()], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?.max(0).unsigned_abs()))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let (closed, short): (i64, i64) = self.row(
            concat!(
                "SELECT COUNT(*), COALESCE(SUM(i.status IN ('short', 'skipped')), 0) FROM picking_task_items i
                 JOIN picking_tasks t ON t.id = i.task_id
                 WHERE i.status != 'pending' AND i.picked_at >= ?1 AND ",
                in_scope!("t.warehouse_id", 2)
            ),
            params![ms(since), scope.param()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let mut st = self.conn.prepare_cached(concat!(
            "SELECT p.shipped_at - o.created_at FROM packing_tasks p JOIN orders o ON o.id = p.order_id
             WHERE p.shipped_at >= ?1 AND ",
            in_scope!("p.warehouse_id", 2),
            " ORDER BY 1"
        ))?;
        let order_to_ship_ms = st
            .query_map(params![ms(since), scope.param()], |r| r.get::<_, i64>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let (reallocated, unfulfillable): (i64, i64) = self.row(
            "SELECT COALESCE(SUM(event_type = 'picking.item_reallocated'), 0),
                    COALESCE(SUM(event_type = 'picking.unfulfillable'), 0)
             FROM outbox_events WHERE created_at >= ?1
               AND event_type IN ('picking.item_reallocated', 'picking.unfulfillable')",
            params![ms(since)],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(Output {
            picks_by_worker,
            items_closed: closed.max(0).unsigned_abs(),
            items_short: short.max(0).unsigned_abs(),
            order_to_ship_ms,
            reallocated: reallocated.max(0).unsigned_abs(),
            unfulfillable: unfulfillable.max(0).unsigned_abs(),
        })
    }
}
