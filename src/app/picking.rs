//! Picking commands: assign, start, pick, short, skip, complete, cancel.
//! Every stock effect of a pick is applied here in the same transaction:
//! units leave the slot, the reservation is consumed, and whatever a short or
//! skip leaves behind goes back to available stock.

use super::command::Outcome;
use super::reservations::Purpose;
use super::{AppError, Ctx};
use crate::contract::scan::PickScans;
use crate::domain::DomainError;
use crate::domain::event::DomainEvent;
use crate::domain::ids::{PickingItemId, PickingTaskId, Qty, WorkerId};
use crate::domain::picking::{ItemDelta, PickScan, PickingTask, ReasonCode};
use crate::domain::workflow::Signal;

pub(super) fn load(ctx: &Ctx<'_, '_>, id: i64) -> Result<PickingTask, AppError> {
    Ok(ctx.tx.picking_task(PickingTaskId(id))?.ok_or_else(|| DomainError::not_found("picking task", id))?)
}

pub(super) fn outcome(t: &PickingTask, packing_task_id: Option<i64>) -> Outcome {
    let (done, total) = t.progress();
    Outcome::Picking {
        task_id: t.id.0,
        status: t.status,
        done,
        total,
        next_item_id: t.next_item().map(|i| i.id.0),
        packing_task_id,
    }
}

pub fn assign(ctx: &mut Ctx<'_, '_>, task_id: i64, worker_id: i64) -> Result<Outcome, AppError> {
    let mut t = load(ctx, task_id)?;
    let w = ctx.active_worker_in(worker_id, t.warehouse_id.0)?;
    t.assign(w)?;
    ctx.tx.save_picking_task(&t, ctx.now)?;
    ctx.emit(DomainEvent::PickingAssigned { task_id: t.id, order_id: t.order_id, worker_id: w });
    Ok(outcome(&t, None))
}

pub fn start(ctx: &mut Ctx<'_, '_>, task_id: i64, worker_id: i64) -> Result<Outcome, AppError> {
    let mut t = load(ctx, task_id)?;
    let w = ctx.active_worker(worker_id)?;
    t.start(w, ctx.now)?;
    ctx.tx.save_picking_task(&t, ctx.now)?;
    ctx.emit(DomainEvent::PickingStarted { task_id: t.id, order_id: t.order_id, worker_id: w });
    Ok(outcome(&t, None))
}

/// Checks the scans with the domain's rule (the one the device ran) and
/// stores them with the pick as its evidence.
pub fn pick(
    ctx: &mut Ctx<'_, '_>,
    task_id: i64,
    item_id: i64,
    worker: Option<i64>,
    scans: &PickScans,
) -> Result<Outcome, AppError> {
    scans.check()?;
    let mut t = load(ctx, task_id)?;
    let scan = PickScan {
        location: &scans.location.text,
        item: scans.item.as_item(),
        qty: Qty(scans.quantity),
        tote: scans.tote.as_deref(),
    };
    let delta = t.pick(PickingItemId(item_id), worker.map(WorkerId), &scan, ctx.now)?;
    apply_delta(ctx, &t, delta, "picked")?;
    let evidence =
        crate::storage::picking::PickEvidence { task: t.id, item: delta.item, worker: worker.map(WorkerId), scans };
    ctx.tx.record_pick_scan(&evidence, ctx.now)?;
    item_outcome(ctx, &t, delta.item)
}

pub fn short(
    ctx: &mut Ctx<'_, '_>,
    task_id: i64,
    item_id: i64,
    worker: Option<i64>,
    quantity: u32,
    reason: &str,
) -> Result<Outcome, AppError> {
    let mut t = load(ctx, task_id)?;
    let reason = ReasonCode::parse(reason, "reason")?;
    let delta = t.short(PickingItemId(item_id), worker.map(WorkerId), Qty(quantity), reason, ctx.now)?;
    apply_delta(ctx, &t, delta, reason.as_str())?;
    super::shelf::after_short(ctx, &t, &delta, reason, worker.map(WorkerId))?;
    if matches!(reason, ReasonCode::StockOut | ReasonCode::Damaged) {
        reallocate(ctx, &mut t, delta.item)?;
    }
    item_outcome(ctx, &t, delta.item)
}

/// Where an item of `t` can be drawn from instead of its own location: the
/// task's warehouse, the SKU's slots elsewhere (allocation order is the
/// caller's), and what its units are reserved for.
pub(super) fn elsewhere(
    ctx: &Ctx<'_, '_>,
    t: &PickingTask,
    item: &crate::domain::picking::PickingItem,
) -> Result<(crate::storage::Warehouse, Vec<crate::storage::SlotRow>, Purpose), AppError> {
    let wh = ctx.warehouse(t.warehouse_id)?;
    let rows: Vec<_> =
        ctx.tx.slots_for(wh.id, &item.sku)?.into_iter().filter(|r| r.slot.location_id != item.location_id).collect();
    let purpose = Purpose { order: Some(t.order_id), fulfillment: Some(t.fulfillment_id), expires_at: None };
    Ok((wh, rows, purpose))
}

/// A stock-out's follow-up (seed 001 §13.4): the missing units are drawn
/// from other locations (FEFO/FIFO) as new items at the end of the walk;
/// what no other location holds is reported unfulfillable.
fn reallocate(ctx: &mut Ctx<'_, '_>, t: &mut PickingTask, item: PickingItemId) -> Result<(), AppError> {
    let Some(short) = t.items.iter().find(|i| i.id == item).cloned() else { return Ok(()) };
    let missing = short.remaining();
    if missing.is_zero() {
        return Ok(());
    }
    let (wh, rows, purpose) = elsewhere(ctx, t, &short)?;
    let slots: Vec<_> = rows.iter().map(|r| r.slot.clone()).collect();
    let plan = crate::domain::stock::allocate_up_to(&slots, missing, ctx.now);
    let mut found = 0;
    for (row, qty, reservation) in ctx.reserve_plan(&rows, &plan, &wh, &short.sku, purpose)? {
        let follow_up = super::intake::pending_item(&row, qty, reservation, short.barcode.clone(), short.name.clone());
        t.add_item(follow_up)?;
        let added = t.items.last_mut().ok_or_else(|| DomainError::not_found("picking item", 0))?;
        added.id = ctx.tx.add_picking_item(t.id, added, ctx.now)?;
        found += qty.0;
        ctx.emit(DomainEvent::PickingItemReallocated {
            task_id: t.id,
            item_id: added.id,
            sku: short.sku.clone(),
            quantity: qty,
            location: row.location_code,
        });
    }
    let rest = missing.saturating_sub(Qty(found));
    if !rest.is_zero() {
        ctx.emit(DomainEvent::PickingUnfulfillable {
            task_id: t.id,
            order_id: t.order_id,
            sku: short.sku,
            missing: rest,
        });
    }
    Ok(())
}

pub fn skip(
    ctx: &mut Ctx<'_, '_>,
    task_id: i64,
    item_id: i64,
    worker: Option<i64>,
    reason: &str,
) -> Result<Outcome, AppError> {
    let mut t = load(ctx, task_id)?;
    let reason = ReasonCode::parse(reason, "reason")?;
    let delta = t.skip(PickingItemId(item_id), worker.map(WorkerId), reason, ctx.now)?;
    apply_delta(ctx, &t, delta, reason.as_str())?;
    super::shelf::after_short(ctx, &t, &delta, reason, worker.map(WorkerId))?;
    item_outcome(ctx, &t, delta.item)
}

fn item_outcome(ctx: &Ctx<'_, '_>, t: &PickingTask, item: PickingItemId) -> Result<Outcome, AppError> {
    ctx.tx.save_picking_item(t, item, ctx.now)?;
    let it = t.items.iter().find(|i| i.id == item).ok_or_else(|| DomainError::not_found("picking item", item))?;
    let (done, total) = t.progress();
    Ok(Outcome::PickedItem {
        task_id: t.id.0,
        item_id: it.id.0,
        status: it.status,
        picked: it.picked.0,
        required: it.required.0,
        done,
        total,
        next_item_id: t.next_item().map(|i| i.id.0),
    })
}

/// Moves stock for one item change: picked units leave the shelf and the
/// reservation; a finished item closes its reservation, releasing the rest.
fn apply_delta(ctx: &mut Ctx<'_, '_>, t: &PickingTask, d: ItemDelta, reason: &str) -> Result<(), AppError> {
    let mut row =
        ctx.tx.reservation(d.reservation)?.ok_or_else(|| DomainError::not_found("reservation", d.reservation))?;
    let r = &mut row.reservation;
    if !d.picked.is_zero() {
        r.consume(d.picked)?;
    }
    let released = if d.finished { r.close()? } else { Qty::ZERO };
    ctx.tx.save_reservation(r, ctx.now)?;
    let picked = i64::from(d.picked.0);
    ctx.tx.adjust_slot(d.slot, -picked, -(picked + i64::from(released.0)), ctx.now)?;
    let it = t.items.iter().find(|i| i.id == d.item).ok_or_else(|| DomainError::not_found("picking item", d.item))?;
    if !d.picked.is_zero() {
        ctx.emit(DomainEvent::PickingItemPicked {
            task_id: t.id,
            item_id: d.item,
            sku: it.sku.clone(),
            quantity: d.picked,
        });
    }
    if d.finished && it.reason.is_some() {
        let (missing, reason_code) = (it.remaining(), it.reason.map_or("other", ReasonCode::as_str));
        let (task_id, item_id, sku) = (t.id, d.item, it.sku.clone());
        ctx.emit(if it.picked.is_zero() {
            DomainEvent::PickingItemSkipped { task_id, item_id, sku, missing, reason: reason_code }
        } else {
            DomainEvent::PickingItemShort { task_id, item_id, sku, missing, reason: reason_code }
        });
    }
    ctx.emit_released(&row, released, reason);
    Ok(())
}

/// Completes the task and, in the same transaction, hands the fulfillment to
/// packing (seed 002 P1-2). A task where nothing could be picked fails the
/// pick instead: there is nothing to pack.
pub fn complete(ctx: &mut Ctx<'_, '_>, task_id: i64, worker: Option<i64>) -> Result<Outcome, AppError> {
    let mut t = load(ctx, task_id)?;
    t.complete(worker.map(WorkerId), ctx.now)?;
    ctx.tx.save_picking_task(&t, ctx.now)?;
    ctx.emit(DomainEvent::PickingCompleted { task_id: t.id, order_id: t.order_id });
    if t.picked_total().is_zero() {
        let reason = "nothing was picked".to_owned();
        super::workflow::signal_fulfillment(ctx, t.fulfillment_id, Signal::PickFailed { task_id: t.id.0, reason })?;
        return Ok(outcome(&t, None));
    }
    let packing_id = super::packing::open_task(ctx, &t)?;
    let units = t.picked_total().0;
    super::workflow::signal_fulfillment(ctx, t.fulfillment_id, Signal::PickCompleted { task_id: t.id.0, units })?;
    Ok(outcome(&t, Some(packing_id.0)))
}

/// A supervisor cancels one picking task: its stock goes back and the
/// fulfillment's pick fails (it may be retried).
pub fn cancel(ctx: &mut Ctx<'_, '_>, task_id: i64, reason: &str) -> Result<Outcome, AppError> {
    let mut t = load(ctx, task_id)?;
    cancel_task(ctx, &mut t, reason)?;
    let signal = Signal::PickFailed { task_id: t.id.0, reason: format!("cancelled: {reason}") };
    super::workflow::signal_fulfillment(ctx, t.fulfillment_id, signal)?;
    Ok(outcome(&t, None))
}

/// Cancels `t`, releases its open reservations and puts its picked units
/// back on their shelves. Returns `(released, returned)` units.
pub(super) fn cancel_task(ctx: &mut Ctx<'_, '_>, t: &mut PickingTask, reason: &str) -> Result<(u32, u32), AppError> {
    t.cancel(reason, ctx.now)?;
    ctx.tx.save_picking_task(t, ctx.now)?;
    ctx.emit(DomainEvent::PickingCancelled { task_id: t.id, order_id: t.order_id, reason: reason.to_owned() });
    let released = release_open_reservations(ctx, t, reason)?;
    let returned = super::put_back::create(ctx, t, reason)?;
    Ok((released, returned))
}

fn release_open_reservations(ctx: &mut Ctx<'_, '_>, t: &PickingTask, reason: &str) -> Result<u32, AppError> {
    let mut total = 0;
    for it in &t.items {
        let Some(mut row) = ctx.tx.reservation(it.reservation_id)? else { continue };
        if row.reservation.status != crate::domain::stock::ReservationStatus::Pending {
            continue;
        }
        total += ctx.release(&mut row, reason)?.0;
    }
    Ok(total)
}
