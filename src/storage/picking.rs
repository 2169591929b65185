//! Picking tasks and their items.

use super::convert::{ms, opt_ms, opt_time, sku, status, time, u32_of};
use super::{Result, StorageError, Tx};
use crate::contract::scan::PickScans;
use crate::domain::Timestamp;
use crate::domain::ids::{
    FulfillmentId, LocationId, OrderId, PickingItemId, PickingTaskId, Qty, ReservationId, SlotId, WarehouseId, WorkerId,
};
use crate::domain::order::Priority;
use crate::domain::picking::{ItemStatus, PickingItem, PickingStatus, PickingTask, ReasonCode};
use crate::gs1::Element;
use rusqlite::{OptionalExtension, params};

/// What was scanned for one pick, stored as its evidence.
#[derive(Debug, Clone, Copy)]
pub struct PickEvidence<'a> {
    pub task: PickingTaskId,
    pub item: PickingItemId,
    pub worker: Option<WorkerId>,
    pub scans: &'a PickScans,
}

/// One stored pick scan, as read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickScanRow {
    pub item: PickingItemId,
    pub worker: Option<WorkerId>,
    pub location: String,
    pub item_scan: String,
    pub item_gs1: Vec<Element>,
    pub tote: Option<String>,
    pub quantity: Qty,
}

impl Tx<'_> {
    pub fn record_pick_scan(&self, e: &PickEvidence<'_>, now: Timestamp) -> Result<()> {
        let scans = e.scans;
        // The elements are what the text says (`Scanned::check` refused
        // any others), so the text and a flag keep them: no JSON.
        self.exec(
            "INSERT INTO pick_scans (picking_task_id, item_id, worker_id, location_scan, item_scan, item_is_gs1,
                                     tote_scan, quantity, scanned_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                e.task.0,
                e.item.0,
                e.worker.map(|w| w.0),
                scans.location.text,
                scans.item.text,
                !scans.item.gs1.is_empty(),
                scans.tote,
                scans.quantity,
                ms(now)
            ],
        )?;
        Ok(())
    }

    /// The scans recorded for a task's picks, oldest first. For audit: no
    /// index serves it, as an index by task would cost every pick a page of
    /// its own in the group commit (ADR 0048).
    pub fn pick_scans(&self, task: PickingTaskId) -> Result<Vec<PickScanRow>> {
        let mut st = self.conn.prepare_cached(
            "SELECT item_id, worker_id, location_scan, item_scan, item_gs1, tote_scan, quantity, item_is_gs1
             FROM pick_scans WHERE picking_task_id = ?1 ORDER BY id",
        )?;
        let rows = st.query_map([task.0], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, Option<i64>>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, i64>(6)?,
                r.get::<_, bool>(7)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (item, worker, location, item_scan, gs1, tote, qty, is_gs1) = row?;
            let item_gs1 = match gs1 {
                Some(j) => serde_json::from_str(&j)?,
                None if is_gs1 => crate::gs1::parse(&item_scan)
                    .map_err(|e| StorageError::Corrupt(format!("pick scan {item_scan:?}: {e}")))?,
                None => Vec::new(),
            };
            out.push(PickScanRow {
                item: PickingItemId(item),
                worker: worker.map(WorkerId),
                location,
                item_scan,
                item_gs1,
                tote,
                quantity: Qty(u32_of(qty, "pick_scans.quantity")?),
            });
        }
        Ok(out)
    }

    /// Inserts `task` and its items (their ids are ignored) and returns the new id.
    pub fn insert_picking_task(&self, task: &PickingTask, now: Timestamp) -> Result<PickingTaskId> {
        self.exec(
            "INSERT INTO picking_tasks (order_id, fulfillment_id, warehouse_id, worker_id, status, priority,
                                        total_items, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
            params![
                task.order_id.0,
                task.fulfillment_id.0,
                task.warehouse_id.0,
                task.worker_id.map(|w| w.0),
                task.status.as_str(),
                task.priority.rank(),
                i64::try_from(task.items.len()).unwrap_or(i64::MAX),
                ms(now)
            ],
        )?;
        let id = PickingTaskId(self.conn.last_insert_rowid());
        for it in &task.items {
            self.insert_item(id, it, now)?;
        }
        Ok(id)
    }

    fn insert_item(&self, task: PickingTaskId, it: &PickingItem, now: Timestamp) -> Result<PickingItemId> {
        self.exec(
            "INSERT INTO picking_task_items (task_id, sku, location_id, product_location_id, reservation_id,
                                             quantity_required, status, sequence, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
            params![
                task.0,
                it.sku.as_str(),
                it.location_id.0,
                it.slot_id.0,
                it.reservation_id.0,
                it.required.0,
                it.status.as_str(),
                it.sequence,
                ms(now)
            ],
        )?;
        Ok(PickingItemId(self.conn.last_insert_rowid()))
    }

    /// Saves where an untouched item now points (`PickingTask::redirect`).
    pub fn repoint_picking_item(&self, it: &PickingItem, now: Timestamp) -> Result<()> {
        self.exec(
            "UPDATE picking_task_items SET location_id = ?2, product_location_id = ?3, reservation_id = ?4,
                    quantity_required = ?5, updated_at = ?6
             WHERE id = ?1 AND quantity_picked = 0 AND status = 'pending'",
            params![it.id.0, it.location_id.0, it.slot_id.0, it.reservation_id.0, it.required.0, ms(now)],
        )?;
        Ok(())
    }

    /// The items of tasks nobody holds yet (pending: on no handheld) that
    /// draw from `slot`: `(task, item)`.
    pub fn untouched_items_on_slot(&self, slot: SlotId) -> Result<Vec<(PickingTaskId, PickingItemId)>> {
        let mut st = self.conn.prepare_cached(
            "SELECT i.task_id, i.id FROM picking_task_items i JOIN picking_tasks t ON t.id = i.task_id
             WHERE i.product_location_id = ?1 AND i.status = 'pending' AND i.quantity_picked = 0
               AND t.status = 'pending'
             ORDER BY t.priority DESC, t.created_at, i.id",
        )?;
        let rows = st
            .query_map([slot.0], |r| Ok((PickingTaskId(r.get(0)?), PickingItemId(r.get(1)?))))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Adds one item to an existing task (a stock-out's follow-up).
    pub fn add_picking_item(&self, task: PickingTaskId, it: &PickingItem, now: Timestamp) -> Result<PickingItemId> {
        let id = self.insert_item(task, it, now)?;
        self.exec("UPDATE picking_tasks SET total_items = total_items + 1 WHERE id = ?1", [task.0])?;
        Ok(id)
    }

    pub fn picking_task(&self, id: PickingTaskId) -> Result<Option<PickingTask>> {
        let head = self
            .row(
                "SELECT order_id, fulfillment_id, warehouse_id, worker_id, status, priority, created_at, started_at,
                        completed_at, cancelled_at, cancellation_reason
                 FROM picking_tasks WHERE id = ?1",
                [id.0],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, i64>(2)?,
                        r.get::<_, Option<i64>>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, i64>(5)?,
                        r.get::<_, i64>(6)?,
                        r.get::<_, Option<i64>>(7)?,
                        r.get::<_, Option<i64>>(8)?,
                        r.get::<_, Option<i64>>(9)?,
                        r.get::<_, Option<String>>(10)?,
                    ))
                },
            )
            .optional()?;
        let Some((order, ful, wh, worker, st, prio, created, started, completed, cancelled, reason)) = head else {
            return Ok(None);
        };
        Ok(Some(PickingTask {
            id,
            order_id: OrderId(order),
            fulfillment_id: FulfillmentId(ful),
            warehouse_id: WarehouseId(wh),
            worker_id: worker.map(WorkerId),
            status: status(&st, "picking status", PickingStatus::parse)?,
            priority: Priority::from_rank(prio).ok_or_else(|| StorageError::Corrupt(format!("priority {prio}")))?,
            items: self.picking_items(id)?,
            created_at: time(created)?,
            started_at: opt_time(started)?,
            completed_at: opt_time(completed)?,
            cancelled_at: opt_time(cancelled)?,
            cancellation_reason: reason,
        }))
    }

    fn picking_items(&self, task: PickingTaskId) -> Result<Vec<PickingItem>> {
        let mut st = self.conn.prepare_cached(
            "SELECT i.id, i.sku, p.barcode, COALESCE(p.name, ''), i.location_id, l.code, l.check_digits, i.product_location_id,
                    i.reservation_id, i.quantity_required, i.quantity_picked, i.status, i.sequence, i.reason, i.picked_at,
                    l.walk_order
             FROM picking_task_items i
             JOIN locations l ON l.id = i.location_id
             LEFT JOIN products p ON p.sku = i.sku
             WHERE i.task_id = +?1 ORDER BY i.sequence, i.id",
        )?;
        let raws = st
            .query_map([task.0], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, Option<String>>(6)?,
                    r.get::<_, i64>(7)?,
                    r.get::<_, i64>(8)?,
                    r.get::<_, i64>(9)?,
                    r.get::<_, i64>(10)?,
                    r.get::<_, String>(11)?,
                    r.get::<_, i64>(12)?,
                    r.get::<_, Option<String>>(13)?,
                    r.get::<_, Option<i64>>(14)?,
                    r.get::<_, Option<i64>>(15)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        raws.into_iter()
            .map(
                |(id, s, barcode, name, loc, code, check, slot, res, req, picked, st, seq, reason, picked_at, walk)| {
                    Ok(PickingItem {
                        id: PickingItemId(id),
                        sku: sku(&s)?,
                        barcode,
                        name,
                        location_id: LocationId(loc),
                        location_code: code,
                        walk_order: walk.unwrap_or(0),
                        check_digits: check,
                        slot_id: SlotId(slot),
                        reservation_id: ReservationId(res),
                        required: Qty(u32_of(req, "quantity_required")?),
                        picked: Qty(u32_of(picked, "quantity_picked")?),
                        status: status(&st, "item status", ItemStatus::parse)?,
                        sequence: u32_of(seq, "sequence")?,
                        reason: reason
                            .map(|r| ReasonCode::parse(&r, "reason").map_err(|e| StorageError::Corrupt(e.to_string())))
                            .transpose()?,
                        picked_at: opt_time(picked_at)?,
                    })
                },
            )
            .collect()
    }

    /// Writes back the task's status, worker, times and every item's progress.
    pub fn save_picking_task(&self, t: &PickingTask, now: Timestamp) -> Result<()> {
        self.save_task_row(t, now)?;
        self.save_items(t.items.iter(), now)
    }

    /// After a pick, short or skip, which change one item: the task's row and
    /// that item's row. `save_picking_task` probes every item of the task, a
    /// statement each: twenty for a twenty-line order, on every scan.
    pub fn save_picking_item(&self, t: &PickingTask, item: PickingItemId, now: Timestamp) -> Result<()> {
        self.save_task_row(t, now)?;
        self.save_items(t.items.iter().filter(|i| i.id == item), now)
    }

    fn save_task_row(&self, t: &PickingTask, now: Timestamp) -> Result<()> {
        let done = t.items.iter().filter(|i| i.is_done()).count();
        let head = params![
            t.id.0,
            t.worker_id.map(|w| w.0),
            t.status.as_str(),
            t.priority.rank(),
            i64::try_from(done).unwrap_or(i64::MAX),
            opt_ms(t.started_at),
            opt_ms(t.completed_at),
            opt_ms(t.cancelled_at),
            t.cancellation_reason,
            ms(now)
        ];
        // A pick moves the counts alone: the indexed columns are set only
        // when something else changed.
        self.update_narrow_first(
            "UPDATE picking_tasks SET picked_items = ?5, updated_at = ?10
             WHERE id = ?1 AND worker_id IS ?2 AND status = ?3 AND priority = ?4 AND started_at IS ?6
               AND completed_at IS ?7 AND cancelled_at IS ?8 AND cancellation_reason IS ?9",
            "UPDATE picking_tasks SET worker_id = ?2, status = ?3, priority = ?4, picked_items = ?5, started_at = ?6,
                    completed_at = ?7, cancelled_at = ?8, cancellation_reason = ?9, updated_at = ?10
             WHERE id = ?1",
            head,
        )
    }

    fn save_items<'i>(&self, items: impl Iterator<Item = &'i PickingItem>, now: Timestamp) -> Result<()> {
        let mut st = self.conn.prepare_cached(
            "UPDATE picking_task_items SET quantity_picked = ?2, status = ?3, reason = ?4, picked_at = ?5, updated_at = ?6
             WHERE id = ?1 AND (quantity_picked != ?2 OR status != ?3)",
        )?;
        for it in items {
            st.execute(params![
                it.id.0,
                it.picked.0,
                it.status.as_str(),
                it.reason.map(ReasonCode::as_str),
                opt_ms(it.picked_at),
                ms(now)
            ])?;
        }
        Ok(())
    }

    pub fn picking_tasks_for_order(&self, order: OrderId) -> Result<Vec<PickingTaskId>> {
        let mut st = self.conn.prepare_cached("SELECT id FROM picking_tasks WHERE order_id = +?1 ORDER BY id")?;
        let ids = st.query_map([order.0], |r| r.get(0))?.collect::<rusqlite::Result<Vec<i64>>>()?;
        Ok(ids.into_iter().map(PickingTaskId).collect())
    }
}
