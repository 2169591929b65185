//! Packing tasks and packages.

use super::convert::{ms, name, named, opt_ms, opt_time, status, time, u32_of};
use super::{Result, StorageError, Tx};
use crate::domain::Timestamp;
use crate::domain::ids::{
    FulfillmentId, Grams, Millimetres, OrderId, PackingTaskId, PickingTaskId, WarehouseId, WorkerId,
};
use crate::domain::order::Priority;
use crate::domain::packing::{Dimensions, Package, PackagingType, PackingStatus, PackingTask, SetAside};
use rusqlite::{OptionalExtension, params};

impl Tx<'_> {
    /// Inserts `task` (its id is ignored) with its packages; returns the new id.
    pub fn insert_packing_task(&self, task: &PackingTask, now: Timestamp) -> Result<PackingTaskId> {
        self.exec(
            "INSERT INTO packing_tasks (order_id, fulfillment_id, picking_task_id, warehouse_id, worker_id, status,
                                        priority, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
            params![
                task.order_id.0,
                task.fulfillment_id.0,
                task.picking_task_id.0,
                task.warehouse_id.0,
                task.worker_id.map(|w| w.0),
                task.status.as_str(),
                task.priority.rank(),
                ms(now)
            ],
        )?;
        let id = PackingTaskId(self.conn.last_insert_rowid());
        self.save_packages(id, &task.packages, now)?;
        Ok(id)
    }

    pub fn packing_task(&self, id: PackingTaskId) -> Result<Option<PackingTask>> {
        let head = self
            .row(
                "SELECT order_id, fulfillment_id, picking_task_id, warehouse_id, worker_id, status, priority,
                        tracking_number, created_at, started_at, packed_at, shipped_at, cancelled_at, cancellation_reason,
                        set_aside_reason, set_aside_at
                 FROM packing_tasks WHERE id = ?1",
                [id.0],
                |r| {
                    Ok((
                        (r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?, r.get::<_, i64>(3)?),
                        r.get::<_, Option<i64>>(4)?,
                        r.get::<_, String>(5)?,
                        r.get::<_, i64>(6)?,
                        r.get::<_, Option<String>>(7)?,
                        r.get::<_, i64>(8)?,
                        (r.get::<_, Option<i64>>(9)?, r.get::<_, Option<i64>>(10)?, r.get::<_, Option<i64>>(11)?),
                        r.get::<_, Option<i64>>(12)?,
                        r.get::<_, Option<String>>(13)?,
                        (r.get::<_, Option<String>>(14)?, r.get::<_, Option<i64>>(15)?),
                    ))
                },
            )
            .optional()?;
        let Some((
            (order, ful, pick, wh),
            worker,
            st,
            prio,
            tracking,
            created,
            (started, packed, shipped),
            cancelled,
            reason,
            aside,
        )) = head
        else {
            return Ok(None);
        };
        Ok(Some(PackingTask {
            id,
            order_id: OrderId(order),
            fulfillment_id: FulfillmentId(ful),
            picking_task_id: PickingTaskId(pick),
            warehouse_id: WarehouseId(wh),
            worker_id: worker.map(WorkerId),
            status: status(&st, "packing status", PackingStatus::parse)?,
            priority: Priority::from_rank(prio).ok_or_else(|| StorageError::Corrupt(format!("priority {prio}")))?,
            packages: self.packages(id)?,
            tracking_number: tracking,
            created_at: time(created)?,
            started_at: opt_time(started)?,
            packed_at: opt_time(packed)?,
            shipped_at: opt_time(shipped)?,
            cancelled_at: opt_time(cancelled)?,
            cancellation_reason: reason,
            set_aside: match aside {
                (Some(why), Some(at)) => Some(SetAside { reason: named(&why, "set-aside reason")?, at: time(at)? }),
                _ => None,
            },
        }))
    }

    fn packages(&self, task: PackingTaskId) -> Result<Vec<Package>> {
        let mut st = self.conn.prepare_cached(
            "SELECT sequence_number, packaging_type, weight_g, length_mm, width_mm, height_mm
             FROM packages WHERE packing_task_id = +?1 ORDER BY sequence_number",
        )?;
        let raws = st
            .query_map([task.0], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<i64>>(2)?,
                    r.get::<_, Option<i64>>(3)?,
                    r.get::<_, Option<i64>>(4)?,
                    r.get::<_, Option<i64>>(5)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        raws.into_iter()
            .map(|(seq, ty, w, l, wd, h)| {
                let dims = match (l, wd, h) {
                    (Some(l), Some(wd), Some(h)) => Some(Dimensions {
                        length: Millimetres(u32_of(l, "length_mm")?),
                        width: Millimetres(u32_of(wd, "width_mm")?),
                        height: Millimetres(u32_of(h, "height_mm")?),
                    }),
                    _ => None,
                };
                Ok(Package {
                    sequence: u32_of(seq, "sequence_number")?,
                    packaging_type: PackagingType::parse(&ty, "packaging_type")
                        .map_err(|e| StorageError::Corrupt(e.to_string()))?,
                    weight: w
                        .map(|w| u64::try_from(w).map(Grams))
                        .transpose()
                        .map_err(|_| StorageError::Corrupt(format!("weight {w:?}")))?,
                    dims,
                })
            })
            .collect()
    }

    fn save_packages(&self, task: PackingTaskId, packages: &[Package], now: Timestamp) -> Result<()> {
        let mut st = self.conn.prepare_cached(
            "INSERT INTO packages (packing_task_id, sequence_number, packaging_type, weight_g, length_mm, width_mm,
                                   height_mm, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)
             ON CONFLICT (packing_task_id, sequence_number) DO UPDATE SET
               packaging_type = ?3, weight_g = ?4, length_mm = ?5, width_mm = ?6, height_mm = ?7, updated_at = ?8",
        )?;
        for p in packages {
            let weight = p.weight.map(|g| i64::try_from(g.0).unwrap_or(i64::MAX));
            st.execute(params![
                task.0,
                p.sequence,
                p.packaging_type.as_str(),
                weight,
                p.dims.map(|d| d.length.0),
                p.dims.map(|d| d.width.0),
                p.dims.map(|d| d.height.0),
                ms(now)
            ])?;
        }
        Ok(())
    }

    /// Writes back the task's status, worker, times, tracking and packages.
    pub fn save_packing_task(&self, t: &PackingTask, now: Timestamp) -> Result<()> {
        self.exec(
            "UPDATE packing_tasks SET worker_id = ?2, status = ?3, priority = ?4, tracking_number = ?5, started_at = ?6,
                    packed_at = ?7, shipped_at = ?8, cancelled_at = ?9, cancellation_reason = ?10, updated_at = ?11,
                    set_aside_reason = ?12, set_aside_at = ?13
             WHERE id = ?1",
            params![
                t.id.0,
                t.worker_id.map(|w| w.0),
                t.status.as_str(),
                t.priority.rank(),
                t.tracking_number,
                opt_ms(t.started_at),
                opt_ms(t.packed_at),
                opt_ms(t.shipped_at),
                opt_ms(t.cancelled_at),
                t.cancellation_reason,
                ms(now),
                t.set_aside.map(|a| name(&a.reason)),
                opt_ms(t.set_aside.map(|a| a.at)),
            ],
        )?;
        self.save_packages(t.id, &t.packages, now)
    }

    pub fn packing_tasks_for_order(&self, order: OrderId) -> Result<Vec<PackingTaskId>> {
        let mut st = self.conn.prepare_cached("SELECT id FROM packing_tasks WHERE order_id = +?1 ORDER BY id")?;
        let ids = st.query_map([order.0], |r| r.get(0))?.collect::<rusqlite::Result<Vec<i64>>>()?;
        Ok(ids.into_iter().map(PackingTaskId).collect())
    }

    /// Records that a packed box's label printed (the first time counts).
    pub fn set_label_printed(&self, id: PackingTaskId, now: Timestamp) -> Result<()> {
        self.exec(
            "UPDATE packing_tasks SET label_printed_at = COALESCE(label_printed_at, ?2) WHERE id = ?1",
            params![id.0, ms(now)],
        )?;
        Ok(())
    }

    /// When the task's label printed, if it has.
    pub fn label_printed_at(&self, id: PackingTaskId) -> Result<Option<Timestamp>> {
        let at: Option<i64> =
            self.row("SELECT label_printed_at FROM packing_tasks WHERE id = ?1", [id.0], |r| r.get(0))?;
        at.map(super::convert::time).transpose()
    }

    /// `(task, packed at)` of packed boxes whose label has not printed.
    pub fn labels_not_printed(&self, scope: &super::board::Scope) -> Result<Vec<(i64, Timestamp)>> {
        let mut st = self.conn.prepare_cached(concat!(
            "SELECT id, packed_at FROM packing_tasks
             WHERE status = 'packed' AND label_printed_at IS NULL AND packed_at IS NOT NULL AND ",
            in_scope!("warehouse_id", 1),
            " ORDER BY packed_at"
        ))?;
        let rows = st
            .query_map([scope.param()], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter().map(|(id, at)| Ok((id, super::convert::time(at)?))).collect()
    }
}
