//! Packing commands: start, set package details, add package, complete, cancel.

use super::command::{Outcome, PackageDto};
use super::{AppError, Ctx};
use crate::domain::DomainError;
use crate::domain::event::DomainEvent;
use crate::domain::fulfillment::FulfillmentAction;
use crate::domain::ids::{FulfillmentId, Grams, Millimetres, OrderId, PackingTaskId, WorkerId};
use crate::domain::packing::{Dimensions, PackageDetails, PackingStatus, PackingTask, SetAsideReason};
use crate::domain::picking::PickingTask;
use crate::domain::workflow::Signal;

fn load(ctx: &Ctx<'_, '_>, id: i64) -> Result<PackingTask, AppError> {
    Ok(ctx.tx.packing_task(PackingTaskId(id))?.ok_or_else(|| DomainError::not_found("packing task", id))?)
}

/// A pending packing task for the units `picked` holds (a completed
/// pick, or the same pick packed again after a cancelled pack).
pub(super) fn open_task(ctx: &mut Ctx<'_, '_>, picked: &PickingTask) -> Result<PackingTaskId, AppError> {
    let packing = PackingTask {
        id: PackingTaskId(0),
        order_id: picked.order_id,
        fulfillment_id: picked.fulfillment_id,
        picking_task_id: picked.id,
        warehouse_id: picked.warehouse_id,
        worker_id: None,
        status: PackingStatus::Pending,
        priority: picked.priority,
        packages: Vec::new(),
        tracking_number: None,
        created_at: ctx.now,
        started_at: None,
        packed_at: None,
        shipped_at: None,
        cancelled_at: None,
        cancellation_reason: None,
        set_aside: None,
    };
    let id = ctx.tx.insert_packing_task(&packing, ctx.now)?;
    ctx.emit(DomainEvent::PackingCreated { task_id: id, order_id: picked.order_id });
    Ok(id)
}

/// The workflow's re-queue after a failed or cancelled pack: the open
/// packing task of `f` if there is one (a repeat), else a new one for its
/// last packed-from pick. A retry past the fulfillment's limit is refused
/// (E401) before any task is made.
pub(super) fn requeue(ctx: &mut Ctx<'_, '_>, f: FulfillmentId, order: OrderId) -> Result<PackingTaskId, AppError> {
    let mut last = None;
    for id in ctx.tx.packing_tasks_for_order(order)? {
        let t = load(ctx, id.0)?;
        if t.fulfillment_id != f {
            continue;
        }
        if matches!(t.status, PackingStatus::Pending | PackingStatus::InProgress) {
            return Ok(t.id);
        }
        last = Some(t);
    }
    let last = last.ok_or_else(|| DomainError::not_found("packing task of fulfillment", f))?;
    // The workflow moves the row (`domain::workflow::projection`); the
    // limit is checked on a copy so that no task is made past it.
    let mut copy = ctx.tx.fulfillment(f)?.ok_or_else(|| DomainError::not_found("fulfillment", f))?;
    copy.apply(FulfillmentAction::RetryPack)?;
    let picked = super::picking::load(ctx, last.picking_task_id.0)?;
    open_task(ctx, &picked)
}

/// A station printed the box's label: it is no longer listed as waiting
/// for one. Only a packed (or shipped) box has a label.
pub fn label_printed(ctx: &mut Ctx<'_, '_>, task_id: i64) -> Result<Outcome, AppError> {
    let t = load(ctx, task_id)?;
    if !matches!(t.status, PackingStatus::Packed | PackingStatus::Shipped) {
        return Err(DomainError::IllegalTransition {
            entity: "packing task",
            from: t.status.as_str(),
            action: "label printed",
        }
        .into());
    }
    ctx.tx.set_label_printed(t.id, ctx.now)?;
    Ok(outcome(&t, None))
}

fn outcome(t: &PackingTask, sequence: Option<u32>) -> Outcome {
    Outcome::Packing { task_id: t.id.0, status: t.status, packages: t.packages.len(), sequence }
}

fn details(p: &PackageDto) -> PackageDetails {
    PackageDetails {
        packaging_type: p.packaging_type,
        weight: Grams(p.weight_g),
        dims: Dimensions {
            length: Millimetres(p.length_mm),
            width: Millimetres(p.width_mm),
            height: Millimetres(p.height_mm),
        },
    }
}

pub fn start(ctx: &mut Ctx<'_, '_>, task_id: i64, worker_id: i64) -> Result<Outcome, AppError> {
    let mut t = load(ctx, task_id)?;
    let w = ctx.active_worker_in(worker_id, t.warehouse_id.0)?;
    t.start(w, ctx.now)?;
    ctx.tx.save_packing_task(&t, ctx.now)?;
    ctx.emit(DomainEvent::PackingStarted { task_id: t.id, order_id: t.order_id, worker_id: w });
    super::workflow::signal_fulfillment(ctx, t.fulfillment_id, Signal::PackStarted { task_id: t.id.0 })?;
    Ok(outcome(&t, None))
}

pub fn set_details(
    ctx: &mut Ctx<'_, '_>,
    task_id: i64,
    worker: Option<i64>,
    sequence: u32,
    package: &PackageDto,
) -> Result<Outcome, AppError> {
    let mut t = load(ctx, task_id)?;
    t.set_package_details(worker.map(WorkerId), sequence, details(package))?;
    ctx.tx.save_packing_task(&t, ctx.now)?;
    Ok(outcome(&t, Some(sequence)))
}

/// The packer left the box (backed out of Verify with units scanned): why
/// is kept for whoever scans the order next.
pub fn set_aside(
    ctx: &mut Ctx<'_, '_>,
    task_id: i64,
    worker: Option<i64>,
    reason: SetAsideReason,
) -> Result<Outcome, AppError> {
    let mut t = load(ctx, task_id)?;
    t.set_aside(worker.map(WorkerId), reason, ctx.now)?;
    ctx.tx.save_packing_task(&t, ctx.now)?;
    Ok(outcome(&t, None))
}

pub fn add_package(
    ctx: &mut Ctx<'_, '_>,
    task_id: i64,
    worker: Option<i64>,
    package: Option<&PackageDto>,
) -> Result<Outcome, AppError> {
    let mut t = load(ctx, task_id)?;
    let sequence = t.add_package(worker.map(WorkerId), package.map(details))?;
    ctx.tx.save_packing_task(&t, ctx.now)?;
    Ok(outcome(&t, Some(sequence)))
}

pub fn complete(ctx: &mut Ctx<'_, '_>, task_id: i64, worker: Option<i64>) -> Result<Outcome, AppError> {
    let mut t = load(ctx, task_id)?;
    t.pack(worker.map(WorkerId), ctx.now)?;
    ctx.tx.save_packing_task(&t, ctx.now)?;
    ctx.emit(DomainEvent::PackingCompleted { task_id: t.id, order_id: t.order_id, packages: t.packages.len() });
    let packages = u32::try_from(t.packages.len()).unwrap_or(u32::MAX);
    super::workflow::signal_fulfillment(ctx, t.fulfillment_id, Signal::PackCompleted { task_id: t.id.0, packages })?;
    Ok(outcome(&t, None))
}

/// A supervisor cancels one packing task: the fulfillment's pack fails (it
/// may be retried); the picked goods stay at the station.
pub fn cancel(ctx: &mut Ctx<'_, '_>, task_id: i64, reason: &str) -> Result<Outcome, AppError> {
    let mut t = load(ctx, task_id)?;
    t.cancel(reason, ctx.now)?;
    ctx.tx.save_packing_task(&t, ctx.now)?;
    ctx.emit(DomainEvent::PackingCancelled { task_id: t.id, order_id: t.order_id, reason: reason.to_owned() });
    // Started or not, the pack failed: the fulfillment shows it, and a
    // retry of its workflow re-queues packing (nothing waits for a task
    // that will never come).
    let signal = Signal::PackFailed { task_id: t.id.0, reason: format!("cancelled: {reason}") };
    super::workflow::signal_fulfillment(ctx, t.fulfillment_id, signal)?;
    Ok(outcome(&t, None))
}
