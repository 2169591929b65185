//! Order cancellation (seed 001 §7.2): every fulfillment is cancelled, open
//! picking and packing tasks with it, reservations released and picked
//! units put back on their shelves, in one transaction. An order with a
//! shipped fulfillment cannot be cancelled, and nothing changes.

use super::command::Outcome;
use super::{AppError, Ctx, picking};
use crate::domain::DomainError;
use crate::domain::event::DomainEvent;
use crate::domain::fulfillment::FulfillmentAction;
use crate::domain::ids::OrderId;
use crate::domain::order::OrderStatus;
use crate::domain::packing::PackingStatus;
use crate::domain::picking::PickingStatus;
use crate::domain::stock::ReservationStatus;

pub fn cancel_order(ctx: &mut Ctx<'_, '_>, order_id: i64, reason: &str) -> Result<Outcome, AppError> {
    let id = OrderId(order_id);
    let order = ctx.tx.order(id)?.ok_or_else(|| DomainError::not_found("order", order_id))?;
    if order.status != OrderStatus::Open {
        return Err(
            DomainError::IllegalTransition { entity: "order", from: order.status.as_str(), action: "cancel" }.into()
        );
    }
    let reason = if reason.trim().is_empty() { "cancelled" } else { reason.trim() };
    for f in ctx.tx.fulfillments_for_order(id)? {
        ctx.transition_fulfillment(f.id, FulfillmentAction::Cancel)?;
    }
    let (mut released, mut returned, mut tasks_cancelled) = (0u32, 0u32, 0usize);
    for task_id in ctx.tx.picking_tasks_for_order(id)? {
        let mut t = picking::load(ctx, task_id.0)?;
        match t.status {
            // Already cancelled: its stock went back then.
            PickingStatus::Cancelled => {}
            // Picked goods of a finished task are at packing: back to the shelf.
            PickingStatus::Completed => returned += picking::return_picked(ctx, &t)?,
            PickingStatus::Pending | PickingStatus::Assigned | PickingStatus::InProgress => {
                let (r, p) = picking::cancel_task(ctx, &mut t, reason)?;
                released += r;
                returned += p;
                tasks_cancelled += 1;
            }
        }
    }
    for task_id in ctx.tx.packing_tasks_for_order(id)? {
        let Some(mut t) = ctx.tx.packing_task(task_id)? else { continue };
        if matches!(t.status, PackingStatus::Pending | PackingStatus::InProgress | PackingStatus::Packed) {
            t.cancel(reason, ctx.now)?;
            ctx.tx.save_packing_task(&t, ctx.now)?;
            ctx.emit(DomainEvent::PackingCancelled { task_id: t.id, order_id: id, reason: reason.to_owned() });
            tasks_cancelled += 1;
        }
    }
    // Reservations not tied to a task item (none today) are released too.
    for mut row in ctx.tx.reservations_for_order(id)? {
        if row.reservation.status != ReservationStatus::Pending {
            continue;
        }
        released += ctx.release(&mut row, reason)?.0;
    }
    ctx.tx.set_order_status(id, OrderStatus::Cancelled, Some(reason), ctx.now)?;
    ctx.emit(DomainEvent::OrderCancelled { order_id: id, reason: reason.to_owned() });
    Ok(Outcome::OrderCancelled { order_id, released, returned, tasks_cancelled })
}
