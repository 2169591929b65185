//! Packing commands: start, set package details, add package, complete, cancel.

use super::command::{Outcome, PackageDto};
use super::{AppError, Ctx};
use crate::domain::DomainError;
use crate::domain::event::DomainEvent;
use crate::domain::ids::{Grams, Millimetres, PackingTaskId, WorkerId};
use crate::domain::packing::{Dimensions, PackageDetails, PackingTask};
use crate::domain::workflow::Signal;

fn load(ctx: &Ctx<'_, '_>, id: i64) -> Result<PackingTask, AppError> {
    Ok(ctx.tx.packing_task(PackingTaskId(id))?.ok_or_else(|| DomainError::not_found("packing task", id))?)
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
    let w = ctx.active_worker(worker_id)?;
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
    let was_started = t.started_at.is_some();
    t.cancel(reason, ctx.now)?;
    ctx.tx.save_packing_task(&t, ctx.now)?;
    ctx.emit(DomainEvent::PackingCancelled { task_id: t.id, order_id: t.order_id, reason: reason.to_owned() });
    if was_started {
        let signal = Signal::PackFailed { task_id: t.id.0, reason: format!("cancelled: {reason}") };
        super::workflow::signal_fulfillment(ctx, t.fulfillment_id, signal)?;
    }
    Ok(outcome(&t, None))
}
