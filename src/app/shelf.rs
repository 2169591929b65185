//! What a short says about the shelf (issue 15): a stock-out is a count
//! (the slot drops to what the picker found, the difference recorded as an
//! adjustment); damaged units go to quarantine, where nothing allocates them
//! until a supervisor disposes of them or puts them back on sale.

use super::command::Outcome;
use super::{AppError, Ctx};
use crate::domain::DomainError;
use crate::domain::event::DomainEvent;
use crate::domain::ids::{Qty, SlotId, WorkerId};
use crate::domain::picking::{ItemDelta, PickingTask, ReasonCode};
use crate::storage::adjustments::Adjustment;

/// After a short or skip has released what the item left behind: a
/// stock-out counts the shelf empty, damaged units are quarantined.
pub(super) fn after_short(
    ctx: &mut Ctx<'_, '_>,
    t: &PickingTask,
    delta: &ItemDelta,
    reason: ReasonCode,
    worker: Option<WorkerId>,
) -> Result<(), AppError> {
    match reason {
        ReasonCode::StockOut => count_empty(ctx, t, delta.slot, worker),
        ReasonCode::Damaged => {
            let it = t.items.iter().find(|i| i.id == delta.item);
            let damaged = it.map_or(Qty::ZERO, |i| i.remaining());
            quarantine(ctx, delta.slot, damaged)
        }
        ReasonCode::NoAccess | ReasonCode::Expired | ReasonCode::Other => Ok(()),
    }
}

/// The picker took what was there (the short's quantity) and found the
/// shelf empty. The items there of tasks nobody holds yet are pointed at
/// other stock first (`picking.item_reallocated`); the slot's on-hand then
/// drops to what other holds still claim (a task a picker already holds,
/// maybe as a cached copy on a handheld, or an item no other slot can take
/// whole: its picker finds the shelf short and is drawn elsewhere then), so
/// no new order is sent to an empty shelf; the
/// difference is recorded with the worker (`inventory.adjusted`).
fn count_empty(ctx: &mut Ctx<'_, '_>, t: &PickingTask, slot: SlotId, worker: Option<WorkerId>) -> Result<(), AppError> {
    redirect_others(ctx, t, slot)?;
    let row = ctx.tx.slot(slot)?.ok_or_else(|| DomainError::not_found("stock slot", slot))?;
    let gone = i64::from(row.slot.on_hand.0) - i64::from(row.slot.reserved.0);
    if gone <= 0 {
        return Ok(());
    }
    ctx.tx.adjust_slot(slot, -gone, 0, ctx.now)?;
    let reason = ReasonCode::StockOut.as_str();
    adjusted(ctx, &row, -gone, reason, worker, Some(t))
}

/// Points the items on `slot` of tasks nobody holds yet at one other slot
/// that holds each whole (FEFO/FIFO), releasing their hold on the empty one.
fn redirect_others(ctx: &mut Ctx<'_, '_>, t: &PickingTask, slot: SlotId) -> Result<(), AppError> {
    for (task_id, item_id) in ctx.tx.untouched_items_on_slot(slot)? {
        if task_id == t.id {
            continue;
        }
        let mut other = super::picking::load(ctx, task_id.0)?;
        let Some(it) = other.items.iter().find(|i| i.id == item_id).cloned() else { continue };
        let (wh, rows, purpose) = super::picking::elsewhere(ctx, &other, &it)?;
        let slots: Vec<_> = rows.iter().map(|r| r.slot.clone()).collect();
        let Ok(plan) = crate::domain::stock::allocate(&slots, it.required, ctx.now, it.sku.as_str(), &wh.code) else {
            continue;
        };
        let [one] = plan.as_slice() else { continue };
        let mut hold = ctx
            .tx
            .reservation(it.reservation_id)?
            .ok_or_else(|| DomainError::not_found("reservation", it.reservation_id))?;
        ctx.release(&mut hold, "shelf counted empty")?;
        let drawn = ctx.reserve_plan(&rows, std::slice::from_ref(one), &wh, &it.sku, purpose)?;
        let Some((row, qty, reservation)) = drawn.into_iter().next() else { continue };
        let to = super::intake::pending_item(&row, qty, reservation, it.barcode.clone(), it.name.clone());
        other.redirect(item_id, &to)?;
        if let Some(moved) = other.items.iter().find(|i| i.id == item_id) {
            ctx.tx.repoint_picking_item(moved, ctx.now)?;
        }
        ctx.emit(DomainEvent::PickingItemReallocated {
            task_id,
            item_id,
            sku: it.sku.clone(),
            quantity: qty,
            location: row.location_code,
        });
    }
    Ok(())
}

/// The units the item missed are damaged: as many as the slot still holds
/// beyond other holds move to quarantine.
fn quarantine(ctx: &mut Ctx<'_, '_>, slot: SlotId, damaged: Qty) -> Result<(), AppError> {
    let row = ctx.tx.slot(slot)?.ok_or_else(|| DomainError::not_found("stock slot", slot))?;
    let free = row.slot.on_hand.0.saturating_sub(row.slot.reserved.0);
    let n = damaged.0.min(free);
    if n > 0 {
        ctx.tx.quarantine(slot, n, ctx.now)?;
    }
    Ok(())
}

fn adjusted(
    ctx: &mut Ctx<'_, '_>,
    row: &crate::storage::stock::SlotRow,
    quantity: i64,
    reason: &str,
    worker: Option<WorkerId>,
    task: Option<&PickingTask>,
) -> Result<(), AppError> {
    let adjustment = Adjustment {
        warehouse: row.warehouse_id,
        location: row.slot.location_id,
        sku: row.sku.as_str(),
        quantity,
        reason,
        worker,
        task: task.map(|t| t.id),
    };
    ctx.tx.record_adjustment(&adjustment, ctx.now)?;
    ctx.emit(DomainEvent::InventoryAdjusted {
        sku: row.sku.clone(),
        warehouse_id: row.warehouse_id,
        location: row.location_code.clone(),
        quantity,
        reason: reason.to_owned(),
        worker_id: worker,
    });
    Ok(())
}

/// `Command::ResolveQuarantine`: a supervisor takes `quantity` quarantined
/// units of `sku` at `location` out of quarantine: back on sale
/// (`restock`), or disposed of (written off, `inventory.adjusted`).
pub(super) fn resolve(
    ctx: &mut Ctx<'_, '_>,
    warehouse: &str,
    location: &str,
    sku: &str,
    quantity: u32,
    restock: bool,
) -> Result<Outcome, AppError> {
    if quantity == 0 {
        return Err(DomainError::invalid("quantity", "must be at least 1").into());
    }
    let unknown = |field: &str, v: &str| DomainError::invalid(field, format!("unknown {field} {v:?}"));
    let wh = ctx.tx.warehouse_by_code(warehouse)?.ok_or_else(|| unknown("warehouse", warehouse))?;
    let loc = ctx.tx.location_by_code(wh.id, location)?.ok_or_else(|| unknown("location", location))?;
    let held = ctx.tx.quarantined_at(loc.id, sku)?;
    let total: u32 = held.iter().map(|(_, n)| n).sum();
    if total < quantity {
        // A state of the shelf, not bad input: 409, like any shortage.
        return Err(DomainError::InsufficientStock {
            sku: sku.to_owned(),
            warehouse: format!("{warehouse} quarantine at {location}"),
            requested: Qty(quantity),
            available: Qty(total),
        }
        .into());
    }
    let mut left = quantity;
    for (slot, n) in held {
        let take = n.min(left);
        ctx.tx.release_quarantine(slot, take, restock, ctx.now)?;
        let row = ctx.tx.slot(slot)?.ok_or_else(|| DomainError::not_found("stock slot", slot))?;
        if restock {
            // Back on sale: an order waiting for the SKU may take it now.
            ctx.emit(DomainEvent::InventoryReturned {
                sku: row.sku.clone(),
                warehouse_id: wh.id,
                quantity: Qty(take),
                location: row.location_code.clone(),
            });
        } else {
            adjusted(ctx, &row, -i64::from(take), "disposed", None, None)?;
        }
        left -= take;
        if left == 0 {
            break;
        }
    }
    Ok(Outcome::Quarantine { sku: sku.to_owned(), location: location.to_owned(), quantity, restocked: restock })
}
