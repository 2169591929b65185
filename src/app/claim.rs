//! Handing out work: a worker claims the next task (priority, then age),
//! and a supervisor retries a failed pick with a fresh picking task.
//!
//! A claim runs in the writer like every command, so two workers claiming at
//! the same moment never get the same task.

use super::command::{Outcome, QueueDto};
use super::{AppError, Ctx};
use crate::domain::DomainError;
use crate::domain::fulfillment::{FulfillmentAction, FulfillmentStatus};
use crate::domain::ids::{FulfillmentId, PickingTaskId};
use crate::domain::workflow::Signal;
use crate::storage::queues::Queue;

/// Gives `worker_id` the task it already holds in `queue` (one in progress
/// first), or the next pending one: a picking task is assigned to it, a
/// packing task started. With `lookahead` (picking only) the worker also
/// holds the task after it, assigned but not started.
pub fn claim(ctx: &mut Ctx<'_, '_>, worker_id: i64, queue: QueueDto, lookahead: bool) -> Result<Outcome, AppError> {
    let w = ctx.active_worker(worker_id)?;
    // A packer holding a picking task (or a picker a packing one) could
    // not work it: the task would be stranded.
    let role = ctx.tx.worker(w)?.map(|r| r.role).ok_or_else(|| DomainError::not_found("worker", worker_id))?;
    if !role.takes(queue == QueueDto::Picking) {
        let work = if queue == QueueDto::Picking { "picking" } else { "packing" };
        let reason = format!("a {} does not take {work} work", role.as_str());
        return Err(DomainError::Forbidden { reason }.into());
    }
    let q = match queue {
        QueueDto::Picking => Queue::Picking,
        QueueDto::Packing => Queue::Packing,
    };
    if ctx.tx.worker_warehouses(w)?.is_empty() {
        let reason = format!("worker {worker_id} works in no warehouse: bind one (`tote worker add --warehouse`)");
        return Err(DomainError::Forbidden { reason }.into());
    }
    if q == Queue::Picking {
        // Batches no cluster picker took in time return to this queue.
        let stale = ctx.now - chrono::Duration::minutes(i64::from(ctx.config.batch_claim_minutes));
        ctx.tx.release_stale_batches(stale)?;
    }
    let mut held = ctx.tx.held_tasks(q, w)?;
    let resumed = !held.is_empty();
    let want = if lookahead && queue == QueueDto::Picking { 2 } else { 1 };
    while held.len() < want {
        let Some(task_id) = ctx.tx.next_pending_task(q, w)? else { break };
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
    let task = new_pick_work(ctx, id)?;
    super::workflow::signal_fulfillment(ctx, id, Signal::PickRetried { task_id: task.0 })?;
    let t = super::picking::load(ctx, task.0)?;
    Ok(super::picking::outcome(&t, None))
}

/// A new picking task for a fulfillment whose pick failed: its lines are
/// reserved again and the retry counts against its attempts (E401 past the
/// limit). Used by RetryPicking and by the workflow's re-queue.
pub(super) fn new_pick_work(ctx: &mut Ctx<'_, '_>, id: FulfillmentId) -> Result<PickingTaskId, AppError> {
    let s = super::intake::share(ctx, id)?;
    // The workflow moves the row (`domain::workflow::projection`); the
    // limit is checked here so that a retry past it is refused before any
    // work is made: a running pick (a timeout) first fails.
    let mut f = s.f.clone();
    if f.status == FulfillmentStatus::Picking {
        f.apply(FulfillmentAction::FailPick)?;
    }
    f.apply(FulfillmentAction::RetryPick)?;
    let reserved = super::intake::reserve_lines(ctx, &s.f, &s.wh, &s.lines)?;
    super::intake::build_picking_task(ctx, &s.f, s.priority, &s.wh, reserved)
}
