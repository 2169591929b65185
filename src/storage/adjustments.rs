//! Stock adjustments: counts that disagree with the books, kept with who
//! found them and why (`stock_adjustments`); and quarantine, where damaged
//! units wait for a supervisor (`product_locations.quarantined`).

use super::convert::ms;
use super::{Result, Tx};
use crate::domain::Timestamp;
use crate::domain::ids::{LocationId, PickingTaskId, SlotId, WarehouseId, WorkerId};
use rusqlite::params;

/// One counted difference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Adjustment<'a> {
    pub warehouse: WarehouseId,
    pub location: LocationId,
    pub sku: &'a str,
    /// Signed: negative when the shelf held less than the books said.
    pub quantity: i64,
    pub reason: &'a str,
    pub worker: Option<WorkerId>,
    pub task: Option<PickingTaskId>,
}

impl Tx<'_> {
    pub fn record_adjustment(&self, a: &Adjustment<'_>, now: Timestamp) -> Result<()> {
        self.exec(
            "INSERT INTO stock_adjustments (warehouse_id, location_id, sku, quantity, reason, worker_id,
                                            picking_task_id, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                a.warehouse.0,
                a.location.0,
                a.sku,
                a.quantity,
                a.reason,
                a.worker.map(|w| w.0),
                a.task.map(|t| t.0),
                ms(now)
            ],
        )?;
        Ok(())
    }

    /// Moves `quantity` units of a slot from on-hand to quarantine.
    pub fn quarantine(&self, slot: SlotId, quantity: u32, now: Timestamp) -> Result<()> {
        self.exec(
            "UPDATE product_locations SET quantity = quantity - ?2, quarantined = quarantined + ?2, updated_at = ?3
             WHERE id = ?1",
            params![slot.0, quantity, ms(now)],
        )?;
        Ok(())
    }

    /// Units in quarantine at a location for a SKU, by slot, oldest first.
    pub fn quarantined_at(&self, location: LocationId, sku: &str) -> Result<Vec<(SlotId, u32)>> {
        let mut st = self.conn.prepare_cached(
            "SELECT id, quarantined FROM product_locations
             WHERE location_id = ?1 AND sku = ?2 AND quarantined > 0 ORDER BY received_at, id",
        )?;
        Ok(st
            .query_map(params![location.0, sku], |r| Ok((SlotId(r.get(0)?), r.get(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Takes `quantity` units out of a slot's quarantine: back on sale
    /// (`restock`) or gone (the caller records the adjustment).
    pub fn release_quarantine(&self, slot: SlotId, quantity: u32, restock: bool, now: Timestamp) -> Result<()> {
        self.exec(
            "UPDATE product_locations SET quarantined = quarantined - ?2,
                    quantity = quantity + CASE WHEN ?3 THEN ?2 ELSE 0 END, updated_at = ?4 WHERE id = ?1",
            params![slot.0, quantity, restock, ms(now)],
        )?;
        Ok(())
    }

    /// Every quarantined unit of the site.
    pub fn quarantined_total(&self) -> Result<i64> {
        Ok(self.row("SELECT COALESCE(SUM(quarantined), 0) FROM product_locations", [], |r| r.get(0))?)
    }

    /// The net of every adjustment: what the books gained (or, negative,
    /// lost) by counting.
    pub fn adjusted_total(&self) -> Result<i64> {
        Ok(self.row("SELECT COALESCE(SUM(quantity), 0) FROM stock_adjustments", [], |r| r.get(0))?)
    }
}
