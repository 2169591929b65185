//! The workflow engine's workers, a task of `tote serve`. Each round
//! releases holds past their expiry, fires the timers that are due and
//! dispatches due activities, most urgent
//! first (urgent > high > normal > low, then age), at most `workers` at
//! once. A local activity (a retry) runs as `Command::RunActivity`; a
//! carrier activity calls the carrier on a blocking thread and reports with
//! `Command::CompleteActivity`. Both go through the writer under the op id
//! `act-{task}-{attempt}`, so a result is recorded once however often it
//! is reported.
//!
//! Recovery needs no step of its own: the queue and the timers are tables,
//! so after a crash the first round finds every attempt that had not
//! reported and runs it again. The carrier is asked with the fulfillment's
//! idempotency key, so a call repeated after a crash returns the same
//! shipment, and the shipments table keeps one per fulfillment.

use super::writer::WriterHandle;
use crate::app::{Command, Services};
use crate::domain::error::Code;
use crate::domain::workflow::{Activity, ActivityError, ActivityResult};
use crate::shipping::{Carrier, CarrierError};
use crate::storage::workflow::ActivityTask;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinSet;

/// How the engine runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EngineConfig {
    /// Activities run at once.
    pub workers: usize,
    /// The longest sleep when nothing is due: the engine wakes on every
    /// commit and at the next due time, and at the latest after this (a
    /// write by another process, a clock that jumped).
    pub idle: Duration,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig { workers: 8, idle: Duration::from_secs(1) }
    }
}

/// Runs until `stop` turns true; activities under way finish first.
pub async fn run(
    services: Services,
    writer: WriterHandle,
    carrier: Arc<dyn Carrier>,
    config: EngineConfig,
    mut stop: watch::Receiver<bool>,
) {
    let mut commits = writer.commits();
    let mut running: JoinSet<i64> = JoinSet::new();
    let mut busy: HashSet<i64> = HashSet::new();
    loop {
        while let Some(done) = running.try_join_next() {
            if let Ok(id) = done {
                busy.remove(&id);
            }
        }
        if *stop.borrow() {
            break;
        }
        let started = match round(&services, &writer, &carrier, config, &mut running, &mut busy).await {
            Ok(n) => n,
            Err(e) => {
                tracing::warn!(error = %e, "engine round failed");
                0
            }
        };
        if started == 0 {
            let wait = until_due(&services, config.idle).await;
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                // Commits come hundreds a second under load: one round
                // serves all that land within COALESCE.
                _ = commits.changed() => tokio::time::sleep(super::writer::COALESCE).await,
                Some(done) = running.join_next(), if !running.is_empty() => {
                    if let Ok(id) = done { busy.remove(&id); }
                }
                _ = stop.changed() => {}
            }
        }
    }
    while running.join_next().await.is_some() {}
}

/// The shortest sleep between rounds that started nothing.
const RETRY_SOON: Duration = Duration::from_millis(100);

/// How long to sleep: until the earliest pending activity or timer is
/// due, at most `idle`.
async fn until_due(services: &Services, idle: Duration) -> Duration {
    let next = super::read(services, |s| s.query(|tx| Ok(tx.engine_next_due()?))).await;
    match next {
        // Overdue work that did not start (every worker busy, a timer that
        // failed to fire) is tried again soon, not in a hot loop.
        Ok(Some(at)) => {
            (at - services.now()).to_std().unwrap_or(Duration::ZERO).clamp(RETRY_SOON, idle.max(RETRY_SOON))
        }
        _ => idle,
    }
}

/// One round: due timers, then due activities. Returns the work started.
async fn round(
    services: &Services,
    writer: &WriterHandle,
    carrier: &Arc<dyn Carrier>,
    config: EngineConfig,
    running: &mut JoinSet<i64>,
    busy: &mut HashSet<i64>,
) -> Result<usize, crate::app::AppError> {
    let now = services.now();
    let timers = super::read(services, move |s| s.query(|tx| Ok(tx.due_timers(now, 64)?))).await?;
    let mut started = 0;
    // Holds past their expiry go back to available stock (and their alert
    // clears): one command for all that are due.
    let expired = super::read(services, move |s| s.query(|tx| Ok(tx.any_expired_hold(now)?))).await?;
    if expired {
        let op = format!("release-expired-{}", now.timestamp_millis());
        match writer.execute(op, Command::ReleaseExpired).await {
            Ok(_) => started += 1,
            Err(e) => tracing::warn!(error = %e, "releasing expired holds failed"),
        }
    }
    for (workflow_id, name, at) in timers {
        let op = format!("timer-{workflow_id}-{name}-{}", at.timestamp_millis());
        // A timer that could not fire stays due; it is not counted, so the
        // loop idles before trying it again.
        match writer.execute(op, Command::FireTimer { workflow_id, name }).await {
            Ok(_) => started += 1,
            Err(e) => tracing::warn!(error = %e, "firing a timer failed"),
        }
    }
    let free = config.workers.saturating_sub(busy.len());
    if free == 0 {
        return Ok(started);
    }
    let limit = u32::try_from(free + busy.len()).unwrap_or(u32::MAX);
    let due = super::read(services, move |s| s.query(|tx| Ok(tx.due_activities(now, limit)?))).await?;
    let fresh: Vec<ActivityTask> = due.into_iter().filter(|t| !busy.contains(&t.id)).take(free).collect();
    for task in fresh {
        busy.insert(task.id);
        let (services, writer, carrier) = (services.clone(), writer.clone(), carrier.clone());
        running.spawn(async move {
            let id = task.id;
            if let Err(e) = execute(&services, &writer, carrier, task).await {
                tracing::warn!(task = id, error = %e, "activity did not report");
                // Still due: held back a moment, so a failing store is not hammered.
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            id
        });
        started += 1;
    }
    Ok(started)
}

async fn execute(
    services: &Services,
    writer: &WriterHandle,
    carrier: Arc<dyn Carrier>,
    task: ActivityTask,
) -> Result<(), crate::app::AppError> {
    let op_id = format!("act-{}-{}", task.id, task.attempt);
    let activity: Activity = serde_json::from_str(&task.payload)?;
    if activity.is_local() {
        writer.execute(op_id, Command::RunActivity { task_id: task.id, attempt: task.attempt }).await?;
        return Ok(());
    }
    let started_at = Some(services.now());
    let wanted = {
        let (services, task, activity) = (services.clone(), task.clone(), activity.clone());
        super::read(&services, move |s| s.activity_wanted(&task, &activity)).await?
    };
    let result = if wanted {
        tokio::task::spawn_blocking(move || call_carrier(carrier.as_ref(), &activity))
            .await
            .unwrap_or_else(|e| Err(unavailable(format!("carrier call panicked: {e}"))))
    } else {
        // A later decision (a cancel) superseded it: report that it never ran.
        Err(ActivityError {
            code: Code::E602.as_str().into(),
            message: "not run: the workflow no longer needs it".into(),
            retryable: false,
            shortage: false,
        })
    };
    let (result, error) = match result {
        Ok(r) => (Some(r), None),
        Err(e) => (None, Some(e)),
    };
    let command = Command::CompleteActivity { task_id: task.id, attempt: task.attempt, result, error, started_at };
    writer.execute(op_id, command).await?;
    Ok(())
}

fn unavailable(reason: String) -> ActivityError {
    ActivityError { code: Code::E901.as_str().into(), message: reason, retryable: true, shortage: false }
}

fn carrier_error(e: &CarrierError) -> ActivityError {
    let code = if e.is_retryable() { Code::E901 } else { Code::E303 };
    ActivityError {
        code: code.as_str().into(),
        message: e.to_string(),
        retryable: code.kind().is_retryable(),
        shortage: false,
    }
}

/// The carrier call of `activity`, from its own input alone (also what a
/// workflow hosted on Temporal calls through `temporal::bridge`).
pub fn call_carrier(carrier: &dyn Carrier, activity: &Activity) -> Result<ActivityResult, ActivityError> {
    match activity {
        Activity::CreateShipment { request: Some(request) } => {
            let s = carrier.create_shipment(request).map_err(|e| carrier_error(&e))?;
            Ok(ActivityResult::Shipment {
                carrier: s.carrier,
                tracking: s.tracking_numbers,
                shipment_ids: s.shipment_ids,
            })
        }
        // Queued before shipments were planned: a retry plans it first.
        Activity::CreateShipment { request: None } => Err(ActivityError {
            code: Code::E602.as_str().into(),
            message: "create_shipment has no planned request (queued by an older version): retry to plan it".into(),
            retryable: false,
            shortage: false,
        }),
        Activity::ConfirmShipment { tracking } => {
            for t in tracking {
                carrier.track(t).map_err(|e| carrier_error(&e))?;
            }
            Ok(ActivityResult::Done)
        }
        Activity::VoidShipment { tracking } => {
            for t in tracking {
                carrier.void(t).map_err(|e| carrier_error(&e))?;
            }
            Ok(ActivityResult::Done)
        }
        other => Err(ActivityError {
            code: Code::E001.as_str().into(),
            message: format!("{} is not a carrier activity", other.name()),
            retryable: false,
            shortage: false,
        }),
    }
}
