//! Waves and cluster picking: a supervisor releases a wave (which tasks,
//! in which batches: `domain::wave::plan`); a picker claims a batch and
//! walks it once, each task's units into its own tote
//! (a `Command::PickItem` with a tote checks the tote scan).

use super::command::{BatchDto, Outcome, ToteDto};
use super::{AppError, Ctx};
use crate::domain::DomainError;
use crate::domain::order::Priority;
use crate::domain::picking::PickingStatus;
use crate::domain::wave::{Criteria, plan, tote};
use chrono::{DateTime, Utc};

/// The criteria of a request, checked: each bad field is named.
pub(super) fn criteria(
    priorities: &[String],
    zone: Option<&str>,
    cutoff: Option<DateTime<Utc>>,
    max_tasks: u32,
    batch_size: u32,
) -> Result<Criteria, DomainError> {
    let priorities = priorities
        .iter()
        .enumerate()
        .map(|(i, p)| Priority::parse(p.trim(), &format!("priorities[{i}]")))
        .collect::<Result<Vec<_>, _>>()?;
    if !(1..=1000).contains(&max_tasks) {
        return Err(DomainError::invalid("max_tasks", "must be 1 to 1000"));
    }
    if !(1..=24).contains(&batch_size) {
        return Err(DomainError::invalid("batch_size", "must be 1 to 24 totes"));
    }
    let zone = zone.map(str::trim).filter(|z| !z.is_empty()).map(str::to_owned);
    Ok(Criteria { priorities, zone, cutoff, max_tasks: max_tasks as usize, batch_size: batch_size as usize })
}

pub(super) fn release(ctx: &mut Ctx<'_, '_>, warehouse: &str, c: &Criteria) -> Result<Outcome, AppError> {
    let wh = ctx
        .tx
        .warehouse_by_code(warehouse.trim())?
        .ok_or_else(|| DomainError::invalid("warehouse", format!("unknown warehouse {warehouse:?}")))?;
    let batches = plan(&ctx.tx.wave_candidates(wh.id.0)?, c);
    if batches.is_empty() {
        return Err(DomainError::invalid("criteria", "no pending picking task matches").into());
    }
    let described = serde_json::json!({
        "priorities": c.priorities.iter().map(|p| p.as_str()).collect::<Vec<_>>(),
        "zone": c.zone, "cutoff": c.cutoff, "max_tasks": c.max_tasks, "batch_size": c.batch_size,
    });
    let wave_id = ctx.tx.insert_wave(wh.id.0, &described.to_string(), ctx.now)?;
    let mut out = Vec::new();
    for tasks in batches {
        let batch_id = ctx.tx.insert_batch(wave_id, ctx.now)?;
        let mut totes = Vec::new();
        for (i, task_id) in tasks.into_iter().enumerate() {
            let label = tote(task_id);
            ctx.tx.add_tote(batch_id, task_id, u32::try_from(i + 1).unwrap_or(u32::MAX), &label)?;
            totes.push(ToteDto { task_id, tote: label });
        }
        out.push(BatchDto { batch_id, totes });
    }
    Ok(Outcome::Wave { wave_id, batches: out })
}

/// The batch `worker_id` holds, or the next one, with every pending task of
/// it assigned to the worker.
pub(super) fn claim(ctx: &mut Ctx<'_, '_>, worker_id: i64) -> Result<Outcome, AppError> {
    ctx.active_worker(worker_id)?;
    let batch = match ctx.tx.held_batch(worker_id)? {
        Some(b) => b,
        None => match ctx.tx.next_open_batch(worker_id)? {
            Some(b) => b,
            None => return Ok(Outcome::Batch { batch: None }),
        },
    };
    ctx.tx.set_batch_worker(batch, worker_id)?;
    let mut totes = Vec::new();
    for t in ctx.tx.batch_totes(batch)? {
        let task = super::picking::load(ctx, t.task_id)?;
        if task.status == PickingStatus::Pending {
            super::picking::assign(ctx, t.task_id, worker_id)?;
        }
        totes.push(ToteDto { task_id: t.task_id, tote: t.tote });
    }
    Ok(Outcome::Batch { batch: Some(BatchDto { batch_id: batch, totes }) })
}
