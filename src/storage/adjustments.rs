//! Stock adjustments: counts that disagree with the books, kept with who
//! found them and why (`stock_adjustments`).

use super::convert::ms;
use super::{Result, Tx};
use crate::domain::Timestamp;
use crate::domain::ids::{LocationId, PickingTaskId, WarehouseId, WorkerId};
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

    /// The net of every adjustment: what the books gained (or, negative,
    /// lost) by counting.
    pub fn adjusted_total(&self) -> Result<i64> {
        Ok(self.row("SELECT COALESCE(SUM(quantity), 0) FROM stock_adjustments", [], |r| r.get(0))?)
    }
}
