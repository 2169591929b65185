//! Put-back (issue 15): units picked for work that was cancelled or timed
//! out are in a tote, not on a shelf. A put-back task lists them by the
//! slot they came from; a worker scans each location and its units are on
//! hand again (`inventory.returned`), not before.

use super::command::Outcome;
use super::{AppError, Ctx};
use crate::domain::DomainError;
use crate::domain::event::DomainEvent;
use crate::domain::ids::{Qty, Sku, WorkerId};
use crate::domain::picking::PickingTask;
use crate::storage::put_back::PutBackStatus;

impl super::Services {
    /// Pending put-back tasks in the warehouses of `scope` (a worker's own:
    /// [`super::Services::warehouse_scope`]), oldest first.
    pub fn put_backs(
        &self,
        limit: u32,
        scope: &crate::storage::board::Scope,
    ) -> Result<Vec<crate::storage::put_back::PutBackTask>, AppError> {
        self.query(|tx| {
            let mut out = Vec::new();
            for id in tx.open_put_backs(limit, scope)? {
                out.extend(tx.put_back_task(id)?);
            }
            Ok(out)
        })
    }
}

/// A put-back task for what `t` picked; returns the units (0: none made).
pub(super) fn create(ctx: &mut Ctx<'_, '_>, t: &PickingTask, reason: &str) -> Result<u32, AppError> {
    let picked: Vec<_> = t.items.iter().filter(|i| !i.picked.is_zero()).collect();
    if picked.is_empty() {
        return Ok(0);
    }
    let id = ctx.tx.insert_put_back(t.warehouse_id.0, t.id.0, reason, ctx.now)?;
    let mut units = 0;
    for it in picked {
        ctx.tx.add_put_back_line(id, it.slot_id, it.sku.as_str(), it.picked.0)?;
        units += it.picked.0;
    }
    ctx.emit(DomainEvent::PutBackCreated { task_id: id, picking_task_id: t.id, warehouse_id: t.warehouse_id, units });
    Ok(units)
}

/// `Command::PutBack`: the worker scanned `location`; the task's units
/// from there are back on the shelf. A location the task has nothing for
/// is refused with what it expects.
pub(super) fn put(ctx: &mut Ctx<'_, '_>, id: i64, worker: Option<i64>, location: &str) -> Result<Outcome, AppError> {
    let task = ctx.tx.put_back_task(id)?.ok_or_else(|| DomainError::not_found("put-back task", id))?;
    if task.status != PutBackStatus::Pending {
        return Err(DomainError::IllegalTransition { entity: "put-back task", from: "done", action: "put back" }.into());
    }
    let worker = worker.map(|w| ctx.active_worker_in(w, task.warehouse_id)).transpose()?;
    let scanned = location.trim();
    let open: Vec<_> = task.lines.iter().filter(|l| l.put_at.is_none()).collect();
    let here: Vec<_> = open.iter().filter(|l| l.location.eq_ignore_ascii_case(scanned)).collect();
    if here.is_empty() {
        let mut expected: Vec<&str> = open.iter().map(|l| l.location.as_str()).collect();
        expected.dedup();
        return Err(DomainError::WrongLocation { expected: expected.join(" or "), scanned: scanned.to_owned() }.into());
    }
    let mut put = 0;
    for line in &here {
        ctx.tx.adjust_slot(crate::domain::ids::SlotId(line.slot_id), i64::from(line.quantity), 0, ctx.now)?;
        ctx.tx.set_line_put(line.line_id, ctx.now)?;
        put += line.quantity;
        ctx.emit(DomainEvent::InventoryReturned {
            sku: Sku::parse(&line.sku, "sku")?,
            warehouse_id: crate::domain::ids::WarehouseId(task.warehouse_id),
            quantity: Qty(line.quantity),
            location: line.location.clone(),
        });
    }
    let left: u32 = open.iter().filter(|l| !l.location.eq_ignore_ascii_case(scanned)).map(|l| l.quantity).sum();
    if left == 0 {
        ctx.tx.finish_put_back(id, worker.map(|w: WorkerId| w), ctx.now)?;
    }
    Ok(Outcome::PutBack { task_id: id, put, left })
}
