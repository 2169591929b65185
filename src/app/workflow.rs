//! The workflow engine's durable core. A workflow is a row (its state
//! snapshot, status, step and blocking reason) plus its history; an input
//! (start, an activity's result, a signal, a timer) is decided by the pure
//! deciders of `domain::workflow`, and the events and effects of that
//! decision are written in the transaction of the op that delivered the
//! input. Local activities run right there, inside a savepoint, and their
//! result is decided in the same transaction; carrier activities and
//! retries wait in `activity_tasks` for `server::engine`, and timers in
//! `timers`. Every entry point is a `Command`, so each runs once under its
//! op id and a crash between two steps loses nothing and repeats nothing.

mod activities;
#[macro_use]
mod driver;
pub mod hosted;
pub mod view;

use super::command::{OrderRequest, Outcome};
use super::{AppError, Ctx, Rejection};
use crate::domain::DomainError;
use crate::domain::error::ErrorKind;
use crate::domain::ids::{FulfillmentId, OrderId};
use crate::domain::order::Priority;
use crate::domain::workflow::definition::{Fulfillment, Intake, Workflow};
use crate::domain::workflow::{
    self as wf, Activity, ActivityError, ActivityResult, Effect, FulfillmentStart, Input, Signal, WorkflowKind,
    WorkflowStatus, fulfillment, intake,
};
use crate::storage::workflow::{ActivityTask, WorkflowRow};
use driver::Live;
use std::collections::VecDeque;

/// What reaches a workflow, whatever its kind.
#[derive(Debug, Clone)]
enum Feed {
    Start,
    Done { activity: Activity, result: ActivityResult },
    Failed { activity: Activity, attempt: u32, error: ActivityError },
    Signal(Signal),
    Timer(String),
}

/// Spreads retries: a fixed function of the workflow, activity and attempt,
/// so a replayed decision draws the same jitter (no randomness in the core).
fn jitter(id: &str, activity: &Activity, attempt: u32) -> u16 {
    let mut h: u32 = 2_166_136_261;
    for b in id.bytes().chain(activity.name().bytes()).chain(attempt.to_le_bytes()) {
        h = (h ^ u32::from(b)).wrapping_mul(16_777_619);
    }
    (h % 1001) as u16
}

fn to_input<S>(feed: &Feed, start: S, id: &str) -> Input<S> {
    match feed.clone() {
        Feed::Start => Input::Start(start),
        Feed::Done { activity, result } => Input::ActivityDone { activity, result },
        Feed::Failed { activity, attempt, error } => {
            let jitter_permille = jitter(id, &activity, attempt);
            Input::ActivityFailed { activity, attempt, error, jitter_permille }
        }
        Feed::Signal(s) => Input::Signal(s),
        Feed::Timer(name) => Input::TimerFired { name },
    }
}

/// How the intake of `req` starts under the site's `settings` (the order
/// may choose its own short policy over the site's), on either engine.
pub fn intake_start(req: &OrderRequest, settings: wf::Settings) -> intake::IntakeStart {
    let settings = wf::Settings { short_policy: req.short_policy.unwrap_or(settings.short_policy), ..settings };
    intake::IntakeStart { request_id: req.request_id.trim().to_owned(), settings }
}

/// A rejection as an activity failure: only a passing condition (stock
/// may arrive) is worth retrying; validation and illegal transitions are not.
pub fn failure(r: &Rejection) -> ActivityError {
    ActivityError {
        code: r.code.clone(),
        message: r.message.clone(),
        retryable: r.kind.is_retryable(),
        shortage: r.kind == ErrorKind::Shortage,
    }
}

/// The rank an intake's row is queued by: its order's priority.
fn intake_priority(req: &OrderRequest) -> i64 {
    Priority::parse(&req.priority, "priority").unwrap_or_default().rank()
}

fn new_row(ctx: &Ctx<'_, '_>, id: String, kind: WorkflowKind, priority: i64, input: String) -> WorkflowRow {
    WorkflowRow {
        id,
        kind: kind.as_str().to_owned(),
        status: WorkflowStatus::Running.as_str().to_owned(),
        step: "new".into(),
        blocking: None,
        priority,
        order_id: None,
        fulfillment_id: None,
        input,
        state: "{}".into(),
        version: 0,
        created_at: ctx.now,
        updated_at: ctx.now,
    }
}

/// Starts the intake workflow of `req` and runs it, with the fulfillment
/// workflows it starts, as far as local work goes. Strict: any refusal
/// refuses the whole intake. Returns the order.
pub(super) fn start_intake(ctx: &mut Ctx<'_, '_>, req: &OrderRequest) -> Result<OrderId, AppError> {
    let id = wf::intake_id(req.request_id.trim());
    let mut row = new_row(ctx, id.clone(), Intake::KIND, intake_priority(req), serde_json::to_string(req)?);
    row.state = serde_json::to_string(&intake::State::default())?;
    if ctx.tx.insert_workflow(&row)? {
        drive(ctx, &id, Feed::Start, true)?;
    }
    let row = ctx.tx.workflow(&id)?.ok_or_else(|| DomainError::not_found("workflow", &id))?;
    let live = Live::<Intake>::from_row(row)?;
    match live.state.order_id() {
        Some(order) => Ok(OrderId(order)),
        None => Err(DomainError::WorkflowRefused {
            reason: format!("intake {id} has not created its order: {}", live.row.blocking.unwrap_or_default()),
        }
        .into()),
    }
}

fn start_fulfillment(ctx: &Ctx<'_, '_>, start: FulfillmentStart) -> Result<Option<String>, AppError> {
    let id = wf::fulfillment_id(start.fulfillment_id);
    let order = ctx.tx.order(OrderId(start.order_id))?;
    let priority = order.map(|o| o.priority.rank()).unwrap_or_default();
    let mut row = new_row(ctx, id.clone(), Fulfillment::KIND, priority, serde_json::to_string(&start)?);
    row.order_id = Some(start.order_id);
    row.fulfillment_id = Some(start.fulfillment_id);
    row.state = serde_json::to_string(&fulfillment::State::default())?;
    Ok(ctx.tx.insert_workflow(&row)?.then_some(id))
}

/// Delivers `feed` to workflow `id` and carries out what follows: local
/// activities inline (their results decided in turn), the rest queued.
/// `strict` (intake) turns any activity's refusal into the op's refusal.
/// Returns the results of the local activities that ran.
fn drive(ctx: &mut Ctx<'_, '_>, id: &str, feed: Feed, strict: bool) -> Result<Vec<ActivityResult>, AppError> {
    let mut queue = VecDeque::from([(id.to_owned(), feed)]);
    let mut results = Vec::new();
    while let Some((wid, feed)) = queue.pop_front() {
        let Some(row) = ctx.tx.workflow(&wid)? else { continue };
        // Another engine decides for it: a signal waits to be forwarded.
        if ctx.tx.is_hosted(&wid)? {
            if let Feed::Signal(signal) = &feed
                && !by_kind!(&row, W => hosted_ended::<W>(&row, signal, ctx.now)?)
            {
                ctx.tx.queue_hosted_signal(&wid, &serde_json::to_string(signal)?, ctx.now)?;
            }
            continue;
        }
        by_kind!(&row, W => step::<W>(ctx, row, feed, strict, &mut queue, &mut results)?);
    }
    Ok(results)
}

/// Whether the other engine has ended hosted workflow `row`. An ended
/// workflow stays ended, so its recorded state answers `signal` at once as
/// this engine would: a refusal ("the order is cancelled: take the parcel
/// off the truck") refuses the op that sent it, on the floor, now; anything
/// else would decide nothing, so nothing is queued. A running one's
/// recorded state may lag the cluster's: its signals are forwarded.
fn hosted_ended<W: driver::Driven>(
    row: &WorkflowRow,
    signal: &Signal,
    now: crate::domain::Timestamp,
) -> Result<bool, AppError> {
    if !WorkflowStatus::parse(&row.status).is_some_and(WorkflowStatus::is_terminal) {
        return Ok(false);
    }
    let state: W::State = serde_json::from_str(&row.state)?;
    W::decide(&state, &Input::Signal(signal.clone()), now)?;
    Ok(true)
}

/// One input to one workflow, whatever its kind, and what follows from it.
fn step<W: driver::Driven>(
    ctx: &mut Ctx<'_, '_>,
    row: WorkflowRow,
    feed: Feed,
    strict: bool,
    queue: &mut VecDeque<(String, Feed)>,
    results: &mut Vec<ActivityResult>,
) -> Result<(), AppError> {
    let mut live = Live::<W>::from_row(row)?;
    let wid = live.row.id.clone();
    let decided = live.decide(ctx, &feed)?;
    if let Some((activity, result)) = &decided.taken {
        activities::record_external(ctx, &live.row, activity, result)?;
    }
    for effect in decided.effects {
        if let Effect::RunActivity { activity, .. } = &effect
            && let Some(keep) = activity.keeps_queued()
        {
            ctx.tx.drop_queued_except(&wid, &keep, ctx.now)?;
        }
        match effect {
            Effect::RunActivity { activity, attempt, not_before: None } if activity.is_local() => {
                match run_inline(ctx, &live.row, &activity, attempt) {
                    Ok(result) => {
                        results.push(result.clone());
                        queue.push_back((wid.clone(), Feed::Done { activity, result }));
                    }
                    Err(AppError::Rejected(r))
                        if !strict || (r.kind == ErrorKind::Shortage && W::waits_for_stock(&live.state)) =>
                    {
                        queue.push_back((wid.clone(), Feed::Failed { activity, attempt, error: failure(&r) }));
                    }
                    Err(e) => return Err(e),
                }
            }
            Effect::RunActivity { activity, attempt, not_before } => {
                let task = ActivityTask {
                    id: 0,
                    workflow_id: wid.clone(),
                    activity: activity.name().to_owned(),
                    payload: serde_json::to_string(&activity)?,
                    status: "pending".into(),
                    priority: live.row.priority,
                    attempt,
                    next_run_at: not_before.unwrap_or(ctx.now),
                    last_error: None,
                };
                ctx.tx.queue_activity(&task, ctx.now)?;
            }
            Effect::StartTimer { name, at } => ctx.tx.set_timer(&wid, &name, at, ctx.now)?,
            Effect::CancelTimer { name } => ctx.tx.cancel_timer(&wid, &name, ctx.now)?,
            Effect::StartFulfillment(start) => {
                if let Some(child) = start_fulfillment(ctx, start)? {
                    queue.push_back((child, Feed::Start));
                }
            }
            Effect::Finish { .. } => ctx.tx.drop_workflow_work(&wid, ctx.now)?,
        }
    }
    Ok(())
}

/// Runs a local activity in a savepoint: a refusal undoes its writes and
/// its events. Its result is in the workflow's history (the decider records
/// it); only carrier calls, with their durations, go to `fulfillment_tasks`
/// (issue 19: a local step logged twice cost ~1 KB per order).
fn run_inline(
    ctx: &mut Ctx<'_, '_>,
    row: &WorkflowRow,
    activity: &Activity,
    attempt: u32,
) -> Result<ActivityResult, AppError> {
    let mark = ctx.events.len();
    let tx = ctx.tx;
    let ran = tx.savepoint(|_| activities::run(ctx, row, activity));
    if ran.is_err() {
        ctx.events.truncate(mark);
    }
    if let Err(AppError::Rejected(r)) = &ran {
        tracing::info!(workflow = %row.id, activity = activity.name(), attempt, code = %r.code, "local activity refused");
    }
    ran
}

/// Whether workflow row `row` still waits on `activity`'s `attempt`.
fn wants(row: WorkflowRow, activity: &Activity, attempt: u32) -> Result<bool, AppError> {
    Ok(by_kind!(&row, W => Live::<W>::from_row(row)?.wants(activity, attempt)))
}

fn pending_task(ctx: &Ctx<'_, '_>, task_id: i64, attempt: u32) -> Result<Option<(ActivityTask, Activity)>, AppError> {
    let task = ctx.tx.activity_task(task_id)?.ok_or_else(|| DomainError::not_found("activity task", task_id))?;
    if task.status != "pending" || task.attempt != attempt {
        return Ok(None);
    }
    let activity: Activity = serde_json::from_str(&task.payload)?;
    Ok(Some((task, activity)))
}

fn activity_outcome(ctx: &Ctx<'_, '_>, task_id: i64) -> Result<Outcome, AppError> {
    let status = ctx.tx.activity_task(task_id)?.map(|t| t.status).unwrap_or_default();
    Ok(Outcome::Activity { task_id, status })
}

/// `Command::RunActivity`: a queued local activity (a retry) runs now.
pub(super) fn run_activity(ctx: &mut Ctx<'_, '_>, task_id: i64, attempt: u32) -> Result<Outcome, AppError> {
    let Some((task, activity)) = pending_task(ctx, task_id, attempt)? else {
        return activity_outcome(ctx, task_id);
    };
    if !activity.is_local() {
        return Err(DomainError::invalid("task_id", "a carrier activity runs on the engine's workers").into());
    }
    let Some(row) = ctx.tx.workflow(&task.workflow_id)? else { return activity_outcome(ctx, task_id) };
    if !wants(row.clone(), &activity, attempt)? {
        ctx.tx.finish_activity(task_id, "dropped", None, ctx.now)?;
        return activity_outcome(ctx, task_id);
    }
    let feed = match run_inline(ctx, &row, &activity, attempt) {
        Ok(result) => {
            ctx.tx.finish_activity(task_id, "done", None, ctx.now)?;
            Feed::Done { activity, result }
        }
        Err(AppError::Rejected(r)) => {
            ctx.tx.finish_activity(task_id, "failed", Some(&r.message), ctx.now)?;
            Feed::Failed { activity, attempt, error: failure(&r) }
        }
        Err(e) => return Err(e),
    };
    drive(ctx, &task.workflow_id, feed, false)?;
    activity_outcome(ctx, task_id)
}

/// `Command::CompleteActivity`: a carrier activity's result from a worker.
pub(super) fn complete_activity(
    ctx: &mut Ctx<'_, '_>,
    task_id: i64,
    attempt: u32,
    result: Result<ActivityResult, ActivityError>,
    started_at: Option<crate::domain::Timestamp>,
) -> Result<Outcome, AppError> {
    let Some((task, activity)) = pending_task(ctx, task_id, attempt)? else {
        return activity_outcome(ctx, task_id);
    };
    let millis = started_at.map(|s| (ctx.now - s).num_milliseconds());
    let (status, meta, feed) = match result {
        Ok(result) => (
            "completed",
            serde_json::json!({ "attempt": attempt, "result": &result, "duration_ms": millis }),
            Feed::Done { activity: activity.clone(), result },
        ),
        Err(error) => (
            "failed",
            serde_json::json!({ "attempt": attempt, "error": &error, "duration_ms": millis }),
            Feed::Failed { activity: activity.clone(), attempt, error },
        ),
    };
    ctx.tx.finish_activity(task_id, if status == "completed" { "done" } else { "failed" }, None, ctx.now)?;
    ctx.tx.log_execution(&task.workflow_id, activity.name(), status, attempt, &meta.to_string(), ctx.now)?;
    drive(ctx, &task.workflow_id, feed, false)?;
    activity_outcome(ctx, task_id)
}

impl super::Services {
    /// Whether the engine should still run `task`'s attempt: a later
    /// decision (a cancel, a retry) may have superseded it. Asked of the
    /// workflow, whatever its kind; the engine never reads a state.
    pub fn activity_wanted(&self, task: &ActivityTask, activity: &Activity) -> Result<bool, AppError> {
        self.query(|tx| match tx.workflow(&task.workflow_id)? {
            Some(row) => wants(row, activity, task.attempt),
            None => Ok(false),
        })
    }
}

/// `Command::FireTimer`: a due timer reaches its workflow once.
pub(super) fn fire_timer(ctx: &mut Ctx<'_, '_>, workflow_id: &str, name: &str) -> Result<Outcome, AppError> {
    if ctx.tx.fire_timer(workflow_id, name, ctx.now)? {
        drive(ctx, workflow_id, Feed::Timer(name.to_owned()), false)?;
    }
    workflow_outcome(ctx, workflow_id)
}

/// `Command::SignalWorkflow`: a signal sent by id (a supervisor's retry).
pub(super) fn signal(ctx: &mut Ctx<'_, '_>, workflow_id: &str, signal: Signal) -> Result<Outcome, AppError> {
    if ctx.tx.workflow(workflow_id)?.is_none() {
        return Err(DomainError::not_found("workflow", workflow_id).into());
    }
    drive(ctx, workflow_id, Feed::Signal(signal), false)?;
    workflow_outcome(ctx, workflow_id)
}

fn workflow_outcome(ctx: &Ctx<'_, '_>, id: &str) -> Result<Outcome, AppError> {
    let row = ctx.tx.workflow(id)?.ok_or_else(|| DomainError::not_found("workflow", id))?;
    Ok(Outcome::Workflow { workflow_id: row.id, status: row.status, step: row.step, blocking_reason: row.blocking })
}

/// Sends `signal` to the workflow of fulfillment `id`, the one owner of the
/// fulfillment (every fulfillment is started with its workflow, so a
/// missing one is corrupt data, not an older order). A refusal refuses the
/// op that sent it. Returns the results of local activities it ran.
pub(super) fn signal_fulfillment(
    ctx: &mut Ctx<'_, '_>,
    id: FulfillmentId,
    signal: Signal,
) -> Result<Vec<ActivityResult>, AppError> {
    let wid = wf::fulfillment_id(id.0);
    if ctx.tx.workflow(&wid)?.is_none() {
        return Err(crate::storage::StorageError::Corrupt(format!("fulfillment {id} has no workflow {wid}")).into());
    }
    drive(ctx, &wid, Feed::Signal(signal), false)
}

/// `Command::UpdateAddress`: every running fulfillment workflow of the order
/// must take the new address (a label already made refuses it, E601); when
/// none runs any more, the order's row takes it.
pub(super) fn update_address(
    ctx: &mut Ctx<'_, '_>,
    order_id: i64,
    ship_to: &super::command::AddressDto,
) -> Result<Outcome, AppError> {
    let id = OrderId(order_id);
    let order = ctx.tx.order(id)?.ok_or_else(|| DomainError::not_found("order", order_id))?;
    if order.status != crate::domain::order::OrderStatus::Open {
        let from = order.status.as_str();
        return Err(DomainError::IllegalTransition { entity: "order", from, action: "change the address of" }.into());
    }
    let to = crate::domain::order::Address::from(ship_to);
    crate::domain::order::validate_address(&to)?;
    let mut workflows = 0;
    for f in ctx.tx.fulfillments_for_order(id)? {
        let running =
            ctx.tx.workflow(&wf::fulfillment_id(f.id.0))?.is_some_and(|w| w.status == WorkflowStatus::Running.as_str());
        if running {
            signal_fulfillment(ctx, f.id, Signal::UpdateAddress { ship_to: to.clone() })?;
            workflows += 1;
        }
    }
    if workflows == 0 {
        ctx.tx.set_order_ship_to(id, &to, ctx.now)?;
    }
    Ok(Outcome::AddressUpdated { order_id, workflows })
}
