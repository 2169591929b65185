//! Supervisor changes to a whole order. Cancellation (seed 001 §7.2): every fulfillment is cancelled, open
//! picking and packing tasks with it, reservations released and picked
//! units put back on their shelves, in one transaction. A fulfillment run by
//! a workflow is cancelled through it (the CancelOrder signal), so its
//! compensation also voids a shipment already created. An order with a
//! shipped fulfillment cannot be cancelled, and nothing changes.

use super::command::Outcome;
use super::{AppError, Ctx, picking, workflow};
use crate::domain::DomainError;
use crate::domain::event::DomainEvent;
use crate::domain::fulfillment::FulfillmentStatus;
use crate::domain::ids::{FulfillmentId, OrderId};
use crate::domain::order::OrderStatus;
use crate::domain::packing::PackingStatus;
use crate::domain::picking::PickingStatus;
use crate::domain::stock::ReservationStatus;
use crate::domain::workflow::{ActivityResult, Signal};

pub fn cancel_order(ctx: &mut Ctx<'_, '_>, order_id: i64, reason: &str) -> Result<Outcome, AppError> {
    let id = OrderId(order_id);
    let order = ctx.tx.order(id)?.ok_or_else(|| DomainError::not_found("order", order_id))?;
    if order.status != OrderStatus::Open {
        return Err(
            DomainError::IllegalTransition { entity: "order", from: order.status.as_str(), action: "cancel" }.into()
        );
    }
    // A fulfillment that left (a warehouse of a split order, or the first
    // part of a backordered one) cannot be called back: nothing changes.
    let all = ctx.tx.fulfillments_for_order(id)?;
    if let Some(gone) =
        all.iter().find(|f| matches!(f.status, FulfillmentStatus::Shipped | FulfillmentStatus::Completed))
    {
        let reason = format!("fulfillment {} has shipped: the order cannot be cancelled", gone.id);
        return Err(DomainError::WorkflowRefused { reason }.into());
    }
    let reason = if reason.trim().is_empty() { "cancelled" } else { reason.trim() };
    // The order is cancelled first, so the fulfillments' compensation does
    // not cancel it a second time.
    ctx.tx.set_order_status(id, OrderStatus::Cancelled, Some(reason), ctx.now)?;
    ctx.emit(DomainEvent::OrderCancelled { order_id: id, reason: reason.to_owned() });
    let mut undone = Vec::new();
    for f in all {
        if f.status == FulfillmentStatus::Cancelled {
            continue;
        }
        // The workflow compensates: its first step gives back the stock and
        // cancels the tasks, here, in this transaction.
        for r in workflow::signal_fulfillment(ctx, f.id, Signal::CancelOrder { reason: reason.to_owned() })? {
            if let ActivityResult::Released { released, returned, tasks_cancelled } = r {
                undone.push((released, returned, tasks_cancelled));
            }
        }
    }
    let released = undone.iter().map(|u| u.0).sum();
    let returned = undone.iter().map(|u| u.1).sum();
    let tasks_cancelled = undone.iter().map(|u| u.2 as usize).sum();
    Ok(Outcome::OrderCancelled { order_id, released, returned, tasks_cancelled })
}

/// Cancels one fulfillment's work: its open tasks, its reservations, the
/// units it picked (back to their shelves). When every fulfillment of the
/// order is then cancelled, so is the order. Returns `(released, returned,
/// tasks cancelled)`. The compensation of a fulfillment workflow.
pub(super) fn cancel_fulfillment_work(
    ctx: &mut Ctx<'_, '_>,
    order_id: OrderId,
    fid: FulfillmentId,
    reason: &str,
) -> Result<(u32, u32, u32), AppError> {
    let (mut released, mut returned, mut tasks) = (0u32, 0u32, 0u32);
    for task_id in ctx.tx.picking_tasks_for_order(order_id)? {
        let mut t = picking::load(ctx, task_id.0)?;
        if t.fulfillment_id != fid {
            continue;
        }
        match t.status {
            // Already cancelled: its stock went back then.
            PickingStatus::Cancelled => {}
            // Picked goods of a finished task are at packing: a put-back task takes them back.
            PickingStatus::Completed => returned += super::put_back::create(ctx, &t, reason)?,
            PickingStatus::Pending | PickingStatus::Assigned | PickingStatus::InProgress => {
                let (r, p) = picking::cancel_task(ctx, &mut t, reason)?;
                released += r;
                returned += p;
                tasks += 1;
            }
        }
    }
    for task_id in ctx.tx.packing_tasks_for_order(order_id)? {
        let Some(mut t) = ctx.tx.packing_task(task_id)? else { continue };
        if t.fulfillment_id == fid
            && matches!(t.status, PackingStatus::Pending | PackingStatus::InProgress | PackingStatus::Packed)
        {
            t.cancel(reason, ctx.now)?;
            ctx.tx.save_packing_task(&t, ctx.now)?;
            ctx.emit(DomainEvent::PackingCancelled { task_id: t.id, order_id, reason: reason.to_owned() });
            tasks += 1;
        }
    }
    // Reservations not tied to a task item (allocated, no pick work yet).
    for mut row in ctx.tx.reservations_for_order(order_id)? {
        if row.fulfillment_id == Some(fid) && row.reservation.status == ReservationStatus::Pending {
            released += ctx.release(&mut row, reason)?.0;
        }
    }
    let open = ctx.tx.order(order_id)?.is_some_and(|o| o.status == OrderStatus::Open);
    if open && ctx.tx.fulfillments_for_order(order_id)?.iter().all(|x| x.status == FulfillmentStatus::Cancelled) {
        ctx.tx.set_order_status(order_id, OrderStatus::Cancelled, Some(reason), ctx.now)?;
        ctx.emit(DomainEvent::OrderCancelled { order_id, reason: reason.to_owned() });
    }
    Ok((released, returned, tasks))
}

/// Moves an open order, with its open tasks, workflows and queued
/// activities, to `priority`.
pub fn change_priority(ctx: &mut Ctx<'_, '_>, order_id: i64, priority: &str) -> Result<Outcome, AppError> {
    let id = OrderId(order_id);
    let order = ctx.tx.order(id)?.ok_or_else(|| DomainError::not_found("order", order_id))?;
    let to = crate::domain::order::Priority::parse(priority.trim(), "priority")?;
    if order.status != OrderStatus::Open {
        let from = order.status.as_str();
        return Err(DomainError::IllegalTransition { entity: "order", from, action: "reprioritise" }.into());
    }
    if to != order.priority {
        ctx.tx.set_order_priority(id, to.rank(), ctx.now)?;
        ctx.emit(DomainEvent::OrderPriorityChanged { order_id: id, from: order.priority.as_str(), to: to.as_str() });
    }
    Ok(Outcome::PriorityChanged { order_id, priority: to.as_str().to_owned() })
}
