//! Handing out work: a worker claims the next task (priority, then age),
//! and a supervisor retries a failed pick with a fresh picking task.
//!
//! A claim runs in the writer like every command, so two workers claiming at
//! the same moment never get the same task.

use super::command::{Outcome, QueueDto};
use super::{AppError, Ctx};
use crate::domain::DomainError;
use crate::domain::fulfillment::{FulfillmentAction, FulfillmentStatus};
use crate::domain::ids::{FulfillmentId, Qty, Sku};
use crate::storage::queues::Queue;

/// Gives `worker_id` the task it already holds in `queue` (one in progress
/// first), or the next pending one: a picking task is assigned to it, a
/// packing task started. With `lookahead` (picking only) the worker also
/// holds the task after it, assigned but not started.
pub fn claim(ctx: &mut Ctx<'_, '_>, worker_id: i64, queue: QueueDto, lookahead: bool) -> Result<Outcome, AppError> {
    let w = ctx.active_worker(worker_id)?;
    let q = match queue {
        QueueDto::Picking => Queue::Picking,
        QueueDto::Packing => Queue::Packing,
    };
    let mut held = ctx.tx.held_tasks(q, w)?;
    let resumed = !held.is_empty();
    let want = if lookahead && queue == QueueDto::Picking { 2 } else { 1 };
    while held.len() < want {
        let Some(task_id) = ctx.tx.next_pending_task(q)? else { break };
        match queue {
            QueueDto::Picking => super::picking::assign(ctx, task_id, worker_id)?,
            QueueDto::Packing => super::packing::start(ctx, task_id, worker_id)?,
        };
        held.push(task_id);
    }
    let next_task_id = if lookahead { held.get(1).copied() } else { None };
    Ok(Outcome::Claimed { queue, task_id: held.first().copied(), resumed, next_task_id })
}

/// Retries the pick of a fulfillment in `pick_failed`: its lines are
/// reserved again (FIFO) and a new picking task is created, counted against
/// the fulfillment's attempts.
pub fn retry_picking(ctx: &mut Ctx<'_, '_>, fulfillment_id: i64) -> Result<Outcome, AppError> {
    let id = FulfillmentId(fulfillment_id);
    let f = ctx.tx.fulfillment(id)?.ok_or_else(|| DomainError::not_found("fulfillment", fulfillment_id))?;
    if f.status != FulfillmentStatus::PickFailed {
        return Err(DomainError::IllegalTransition {
            entity: "fulfillment",
            from: f.status.as_str(),
            action: "create a picking task for",
        }
        .into());
    }
    let order = ctx.tx.order(f.order_id)?.ok_or_else(|| DomainError::not_found("order", f.order_id))?;
    let wh = ctx
        .tx
        .warehouses()?
        .into_iter()
        .find(|w| w.id == f.warehouse_id)
        .ok_or_else(|| DomainError::not_found("warehouse", f.warehouse_id))?;
    let lines: Vec<(Sku, Qty)> = ctx
        .tx
        .order_lines(f.order_id)?
        .into_iter()
        .filter(|l| l.warehouse_id == f.warehouse_id)
        .map(|l| (l.sku, l.quantity))
        .collect();
    ctx.transition_fulfillment(id, FulfillmentAction::RetryPick)?;
    let task = super::intake::create_picking_task(ctx, &f, order.priority, &wh, &lines)?;
    let t = super::picking::load(ctx, task.0)?;
    Ok(super::picking::outcome(&t, None))
}
