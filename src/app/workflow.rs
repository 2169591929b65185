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
pub mod view;

use super::command::{OrderRequest, Outcome};
use super::{AppError, Ctx, Rejection};
use crate::domain::DomainError;
use crate::domain::fulfillment::FulfillmentAction;
use crate::domain::ids::{FulfillmentId, OrderId};
use crate::domain::order::Priority;
use crate::domain::workflow::{
    self as wf, Activity, ActivityError, ActivityResult, Effect, FulfillmentStart, Input, Signal, WorkflowKind,
    WorkflowStatus, fulfillment, intake,
};
use crate::storage::Tx;
use crate::storage::workflow::{ActivityTask, WorkflowRow};
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

#[derive(Debug, Clone)]
enum Machine {
    Intake(Box<intake::State>),
    Fulfillment(Box<fulfillment::State>),
}

/// A workflow loaded for a decision.
#[derive(Debug, Clone)]
struct Live {
    row: WorkflowRow,
    machine: Machine,
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

/// A rejection as an activity failure: only a passing condition (stock
/// may arrive) is worth retrying; validation and illegal transitions are not.
fn failure(r: &Rejection) -> ActivityError {
    ActivityError { code: r.code.clone(), message: r.message.clone(), retryable: r.kind.is_retryable() }
}

impl Live {
    fn load(tx: &Tx<'_>, id: &str) -> Result<Option<Live>, AppError> {
        let Some(row) = tx.workflow(id)? else { return Ok(None) };
        let machine = match WorkflowKind::parse(&row.kind) {
            Some(WorkflowKind::OrderIntake) => Machine::Intake(serde_json::from_str(&row.state)?),
            Some(WorkflowKind::OrderFulfillment) => Machine::Fulfillment(serde_json::from_str(&row.state)?),
            None => {
                return Err(AppError::Storage(crate::storage::StorageError::Corrupt(format!(
                    "workflow {id} has unknown kind {}",
                    row.kind
                ))));
            }
        };
        Ok(Some(Live { row, machine }))
    }

    fn wants(&self, activity: &Activity, attempt: u32) -> bool {
        match &self.machine {
            Machine::Intake(s) => intake::wants(s, activity, attempt),
            Machine::Fulfillment(s) => fulfillment::wants(s, activity, attempt),
        }
    }

    fn fulfillment_state(&self) -> Option<&fulfillment::State> {
        match &self.machine {
            Machine::Fulfillment(s) => Some(s),
            Machine::Intake(_) => None,
        }
    }

    /// Decides `feed`, appends the events to the history and saves the row.
    /// Returns the effects, and what the events do to the fulfillment's
    /// status (`domain::workflow::projection`).
    fn decide(
        &mut self,
        ctx: &Ctx<'_, '_>,
        feed: &Feed,
        settings: wf::Settings,
    ) -> Result<(Vec<Effect>, Vec<FulfillmentAction>), AppError> {
        let mut moves = Vec::new();
        let (events, effects) = match &mut self.machine {
            Machine::Intake(s) => {
                let req: OrderRequest = serde_json::from_str(&self.row.input)?;
                let start = intake::IntakeStart { request_id: req.request_id.trim().to_owned(), settings };
                let d = intake::decide(s, &to_input(feed, start, &self.row.id), ctx.now)?;
                let mut out = Vec::with_capacity(d.events.len());
                for e in d.events {
                    **s = intake::evolve(std::mem::take(&mut **s), &e);
                    out.push(serde_json::to_value(&e)?);
                }
                (out, d.effects)
            }
            Machine::Fulfillment(s) => {
                let start: FulfillmentStart = serde_json::from_str(&self.row.input)?;
                let d = fulfillment::decide(s, &to_input(feed, start, &self.row.id), ctx.now)?;
                let mut out = Vec::with_capacity(d.events.len());
                for e in d.events {
                    moves.extend_from_slice(wf::projection::actions(s, &e));
                    **s = fulfillment::evolve(std::mem::take(&mut **s), &e);
                    out.push(serde_json::to_value(&e)?);
                }
                (out, d.effects)
            }
        };
        if events.is_empty() {
            return Ok((effects, moves));
        }
        for e in &events {
            self.row.version += 1;
            let kind = e.get("event").and_then(|k| k.as_str()).unwrap_or("event");
            ctx.tx.append_history(&self.row.id, self.row.version, kind, &e.to_string(), ctx.now)?;
        }
        self.refresh();
        self.row.state = match &self.machine {
            Machine::Intake(s) => serde_json::to_string(s)?,
            Machine::Fulfillment(s) => serde_json::to_string(s)?,
        };
        ctx.tx.save_workflow(&self.row, ctx.now)?;
        Ok((effects, moves))
    }

    /// The one writer of a fulfillment's status: the workflow's events,
    /// through the status table (an illegal move refuses the input).
    fn project(&self, ctx: &mut Ctx<'_, '_>, moves: &[FulfillmentAction]) -> Result<(), AppError> {
        let Some(start) = self.fulfillment_state().and_then(|s| s.start) else { return Ok(()) };
        let id = FulfillmentId(start.fulfillment_id);
        for action in moves {
            let mut f = ctx.tx.fulfillment(id)?.ok_or_else(|| DomainError::not_found("fulfillment", id))?;
            let from = f.apply(*action)?;
            ctx.tx.save_fulfillment(&f, ctx.now)?;
            ctx.emit(crate::domain::event::DomainEvent::FulfillmentStatusChanged {
                fulfillment_id: id,
                order_id: f.order_id,
                from: from.as_str(),
                to: f.status.as_str(),
            });
        }
        Ok(())
    }

    /// The row's query columns from the state.
    fn refresh(&mut self) {
        let (status, step, blocking) = match &self.machine {
            Machine::Intake(s) => {
                if let Some(o) = s.order_id {
                    self.row.order_id = Some(o);
                }
                (s.status, s.step.as_str(), intake::blocking_reason(s))
            }
            Machine::Fulfillment(s) => (s.status, s.step.as_str(), fulfillment::blocking_reason(s)),
        };
        self.row.status = status.as_str().to_owned();
        self.row.step = step.to_owned();
        self.row.blocking = blocking;
    }
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
    let priority = Priority::parse(&req.priority, "priority").unwrap_or_default().rank();
    let mut row = new_row(ctx, id.clone(), WorkflowKind::OrderIntake, priority, serde_json::to_string(req)?);
    row.state = serde_json::to_string(&intake::State::default())?;
    if ctx.tx.insert_workflow(&row)? {
        drive(ctx, &id, Feed::Start, true)?;
    }
    let live = Live::load(ctx.tx, &id)?.ok_or_else(|| DomainError::not_found("workflow", &id))?;
    match live.machine {
        Machine::Intake(s) if s.order_id.is_some() => Ok(OrderId(s.order_id.unwrap_or_default())),
        _ => Err(DomainError::WorkflowRefused {
            reason: format!("intake {id} has not created its order: {}", live.row.blocking.unwrap_or_default()),
        }
        .into()),
    }
}

fn start_fulfillment(ctx: &Ctx<'_, '_>, start: FulfillmentStart) -> Result<Option<String>, AppError> {
    let id = wf::fulfillment_id(start.fulfillment_id);
    let order = ctx.tx.order(OrderId(start.order_id))?;
    let priority = order.map(|o| o.priority.rank()).unwrap_or_default();
    let mut row = new_row(ctx, id.clone(), WorkflowKind::OrderFulfillment, priority, serde_json::to_string(&start)?);
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
    let settings = ctx.config.workflow;
    let mut queue = VecDeque::from([(id.to_owned(), feed)]);
    let mut results = Vec::new();
    while let Some((wid, feed)) = queue.pop_front() {
        let Some(mut live) = Live::load(ctx.tx, &wid)? else { continue };
        if let Feed::Done { activity, result } = &feed {
            activities::record_external(ctx, &live, activity, result)?;
        }
        let (effects, moves) = live.decide(ctx, &feed, settings)?;
        live.project(ctx, &moves)?;
        for effect in effects {
            if let Effect::RunActivity { activity, .. } = &effect {
                if !matches!(activity, Activity::UpdateAddress { .. }) {
                    ctx.tx.drop_superseded(&wid, activity.name(), ctx.now)?;
                }
            }
            match effect {
                Effect::RunActivity { activity, attempt, not_before: None } if activity.is_local() => {
                    match run_inline(ctx, &live, &activity, attempt) {
                        Ok(result) => {
                            results.push(result.clone());
                            queue.push_back((wid.clone(), Feed::Done { activity, result }));
                        }
                        Err(AppError::Rejected(r)) if !strict => {
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
    }
    Ok(results)
}

/// Runs a local activity in a savepoint: a refusal undoes its writes and
/// its events. Every execution is logged in `fulfillment_tasks`.
fn run_inline(
    ctx: &mut Ctx<'_, '_>,
    live: &Live,
    activity: &Activity,
    attempt: u32,
) -> Result<ActivityResult, AppError> {
    let mark = ctx.events.len();
    let tx = ctx.tx;
    let ran = tx.savepoint(|_| activities::run(ctx, live, activity));
    if ran.is_err() {
        ctx.events.truncate(mark);
    }
    let (status, meta) = match &ran {
        Ok(r) => ("completed", serde_json::json!({ "attempt": attempt, "inline": true, "result": r })),
        Err(AppError::Rejected(r)) => ("failed", serde_json::json!({ "attempt": attempt, "inline": true, "error": r })),
        Err(AppError::Storage(_)) => return ran,
    };
    ctx.tx.log_execution(&live.row.id, activity.name(), status, attempt, &meta.to_string(), ctx.now)?;
    ran
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
    let Some(live) = Live::load(ctx.tx, &task.workflow_id)? else { return activity_outcome(ctx, task_id) };
    if !live.wants(&activity, attempt) {
        ctx.tx.finish_activity(task_id, "dropped", None, ctx.now)?;
        return activity_outcome(ctx, task_id);
    }
    let feed = match run_inline(ctx, &live, &activity, attempt) {
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
        self.query(|tx| Ok(Live::load(tx, &task.workflow_id)?.is_some_and(|l| l.wants(activity, task.attempt))))
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
        return Err(AppError::Storage(crate::storage::StorageError::Corrupt(format!(
            "fulfillment {id} has no workflow {wid}"
        ))));
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
