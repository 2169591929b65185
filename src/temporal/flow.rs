//! The Temporal workflows: one generic interpreter of a Tote decider
//! (`domain::workflow::definition::Workflow`), instantiated once per kind
//! under the kind's name (`order_intake`, `order_fulfillment`). It feeds
//! each input to `decide`, folds the events with `evolve`, records each
//! decision in the site's store (the mirror `tote workflows` reads), runs
//! each effect as a Temporal activity or timer, and ends when the decider
//! finishes. Signals (`signal`) queue inputs; the `status` query answers
//! from the decider's own queries. Nothing here reads a clock or does IO:
//! time is the workflow's, and everything else is an activity.

use super::{ActivityCall, Launch, RECORD, RUN, Record, START_FULFILLMENT, ToteActivity, tote_error};
use crate::app::workflow::hosted::HostedWorkflow;
use crate::domain::workflow::definition::{Fulfillment, Intake, Workflow, carrier_answer_taken};
use crate::domain::workflow::{Activity, ActivityError, Effect, Input, Signal, WorkflowStatus};
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::Poll;
use std::time::{Duration, UNIX_EPOCH};
use temporalio_common::RetryPolicy;
use temporalio_macros::{workflow, workflow_methods};
use temporalio_sdk::{
    ActivityExecutionError, ActivityOptions, ApplicationFailure, SyncWorkflowContext, WorkflowContext,
    WorkflowContextView, WorkflowResult,
};

/// What a decider's host keeps between activations: the decider's state,
/// the signals not yet decided, and how many events the history has.
#[derive(Debug)]
pub struct Host<W: Workflow> {
    pub state: W::State,
    pub inbox: VecDeque<Signal>,
    pub version: i64,
}

impl<W: Workflow> Default for Host<W> {
    fn default() -> Self {
        Host { state: W::State::default(), inbox: VecDeque::new(), version: 0 }
    }
}

impl<W: Workflow> Host<W> {
    fn status(&self) -> Value {
        json!({
            "status": W::status(&self.state),
            "step": W::step(&self.state),
            "blocking_reason": W::blocking_reason(&self.state),
        })
    }
}

/// A Temporal workflow type that hosts decider `W`.
pub trait Hosts: Sized + 'static {
    type W: Workflow;
    fn host(&self) -> &Host<Self::W>;
    fn host_mut(&mut self) -> &mut Host<Self::W>;
}

type Pending<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// An activity the workflow waits on, with its attempt.
type Running<'a> = (Activity, u32, Pending<'a, Result<Value, ActivityExecutionError>>);

/// What woke the workflow.
enum Wake {
    Activity(usize, Box<Result<Value, ActivityExecutionError>>),
    Timer(usize),
    Signal,
}

/// The workflow's time as the deciders take it.
fn now<T>(ctx: &WorkflowContext<T>) -> crate::domain::Timestamp {
    let at = ctx.workflow_time().and_then(|t| t.duration_since(UNIX_EPOCH).ok()).unwrap_or_default();
    chrono::DateTime::from_timestamp_millis(i64::try_from(at.as_millis()).unwrap_or(i64::MAX)).unwrap_or_default()
}

fn options(task_queue: &str, activity: &Activity, id: String) -> ActivityOptions {
    let p = activity.policy();
    // Tote's retry policy as Temporal's; Tote's refusals are non-retryable.
    let retry = RetryPolicy::builder()
        .initial_interval(Duration::from_millis(p.initial_ms))
        .maximum_interval(Duration::from_millis(p.max_ms))
        .maximum_attempts(p.max_attempts)
        .non_retryable_error_types([super::NON_RETRYABLE])
        .build();
    // The bridge heartbeats every second: a worker killed mid-call is
    // noticed after 5 s, not after the call's whole minute.
    ActivityOptions::with_start_to_close_timeout(Duration::from_secs(60))
        .task_queue(task_queue.to_owned())
        .activity_id(id)
        .retry_policy(retry)
        .heartbeat_timeout(Duration::from_secs(5))
        .build()
}

/// A quick bookkeeping activity (a record, a start by id): retried after
/// 10 s when its worker died.
fn plain(options: &str, id: String) -> ActivityOptions {
    ActivityOptions::with_start_to_close_timeout(Duration::from_secs(10))
        .task_queue(options.to_owned())
        .activity_id(id)
        .build()
}

/// Drives decider `T::W` from `launch` to its end.
pub async fn drive<T: Hosts>(
    ctx: &mut WorkflowContext<T>,
    launch: Launch<<T::W as Workflow>::Start>,
) -> WorkflowResult<Value> {
    let ctx: &WorkflowContext<T> = ctx;
    let queue = ctx.task_queue().to_owned();
    // The site's store knows it by Tote's id, without the queue.
    let workflow_id = super::tote_id(&queue, ctx.workflow_id()).to_owned();
    let mut inputs: VecDeque<Input<<T::W as Workflow>::Start>> = VecDeque::from([Input::Start(launch.start.clone())]);
    let mut activities: Vec<Running<'_>> = Vec::new();
    let mut timers: Vec<(String, Pending<'_, ()>)> = Vec::new();
    let mut seq = 0u32;
    loop {
        while let Some(input) = inputs.pop_front() {
            let at = now(ctx);
            let decided = ctx.state(|s| T::W::decide(&s.host().state, &input, at));
            let d = match decided {
                Ok(d) => d,
                // A refused input (a late or repeated signal) changes nothing.
                Err(e) => {
                    tracing::info!(workflow = %workflow_id, error = %e, "input refused");
                    continue;
                }
            };
            // A carrier's answer the decider took changes the site's tables.
            let taken: Vec<_> = carrier_answer_taken::<T::W>(&input, &d.events)
                .map(|(a, r)| (a.clone(), r.clone()))
                .into_iter()
                .collect();
            if !d.events.is_empty() {
                let record = ctx.state_mut(|s| fold(s.host_mut(), &workflow_id, &launch, &d.events, taken));
                let id = format!("record-{}", record.version);
                ctx.execute_activity(ToteActivity(RECORD), json(&record)?, plain(&queue, id)).await?;
            }
            for effect in d.effects {
                match effect {
                    Effect::RunActivity { activity, attempt, not_before } => {
                        seq += 1;
                        let call = ActivityCall {
                            workflow: hosted::<T::W>(&workflow_id, &launch, launch.order_id),
                            activity: activity.clone(),
                        };
                        let wait = not_before.map(|t| (t - now(ctx)).to_std().unwrap_or_default());
                        let opts = options(&queue, &activity, format!("{}-{attempt}-{seq}", activity.name()));
                        let ctx2 = ctx.clone();
                        let input = json(&call)?;
                        activities.push((
                            activity,
                            attempt,
                            Box::pin(async move {
                                if let Some(d) = wait.filter(|d| !d.is_zero()) {
                                    ctx2.timer(d).await;
                                }
                                ctx2.execute_activity(ToteActivity(RUN), input, opts).await
                            }),
                        ));
                    }
                    Effect::StartTimer { name, at } => {
                        let d = (at - now(ctx)).to_std().unwrap_or_default();
                        let ctx2 = ctx.clone();
                        timers.retain(|(n, _)| *n != name);
                        timers.push((
                            name,
                            Box::pin(async move {
                                ctx2.timer(d).await;
                            }),
                        ));
                    }
                    // Dropped: its firing is never decided.
                    Effect::CancelTimer { name } => timers.retain(|(n, _)| *n != name),
                    Effect::StartFulfillment(start) => {
                        seq += 1;
                        let id = format!("start-{}-{seq}", start.fulfillment_id);
                        ctx.execute_activity(ToteActivity(START_FULFILLMENT), json(&start)?, plain(&queue, id)).await?;
                    }
                    Effect::Finish { status } => return finish(status),
                }
            }
        }
        let status = ctx.state(|s| T::W::status(&s.host().state));
        if status.is_terminal() && activities.is_empty() {
            return finish(status);
        }
        let signalled = ctx.wait_condition(|s: &T| !s.host().inbox.is_empty());
        let mut signalled = std::pin::pin!(signalled);
        let wake = std::future::poll_fn(|cx| {
            for (i, (_, _, f)) in activities.iter_mut().enumerate() {
                if let Poll::Ready(r) = f.as_mut().poll(cx) {
                    return Poll::Ready(Wake::Activity(i, Box::new(r)));
                }
            }
            for (i, (_, f)) in timers.iter_mut().enumerate() {
                if f.as_mut().poll(cx).is_ready() {
                    return Poll::Ready(Wake::Timer(i));
                }
            }
            match signalled.as_mut().poll(cx) {
                Poll::Ready(_) => Poll::Ready(Wake::Signal),
                Poll::Pending => Poll::Pending,
            }
        })
        .await;
        match wake {
            Wake::Activity(i, result) => {
                let (activity, attempt, _) = activities.remove(i);
                inputs.push_back(match *result {
                    Ok(v) => match serde_json::from_value(v) {
                        Ok(result) => Input::ActivityDone { activity, result },
                        Err(e) => failed(activity, attempt, tote_error(&e.to_string(), false)),
                    },
                    // Temporal retried it as the policy says: what reaches
                    // the decider is final (it would otherwise retry the
                    // retries). The attempt stays the one the decider waits
                    // on, or it would not take the answer.
                    Err(e) => {
                        let error = ActivityError { retryable: false, ..super::error_of(&e) };
                        failed(activity, attempt, error)
                    }
                });
            }
            Wake::Timer(i) => {
                let (name, _) = timers.remove(i);
                inputs.push_back(Input::TimerFired { name });
            }
            Wake::Signal => {
                let signals: Vec<Signal> = ctx.state_mut(|s| s.host_mut().inbox.drain(..).collect());
                inputs.extend(signals.into_iter().map(Input::Signal));
            }
        }
    }
}

/// Folds `events` into the host's state: what the site's store records of
/// them (the query columns after them, the fulfillment's moves, the
/// carrier answers they took).
fn fold<W: Workflow>(
    h: &mut Host<W>,
    workflow_id: &str,
    launch: &Launch<W::Start>,
    events: &[W::Event],
    taken: Vec<(Activity, crate::domain::workflow::ActivityResult)>,
) -> Record {
    let mut json_events = Vec::new();
    let mut moves = Vec::new();
    for e in events {
        moves.extend_from_slice(W::moves(&h.state, e));
        h.state = W::evolve(std::mem::take(&mut h.state), e);
        h.version += 1;
        json_events.push(serde_json::to_value(e).unwrap_or(Value::Null));
    }
    Record {
        workflow: hosted::<W>(workflow_id, launch, W::order(&h.state).or(launch.order_id)),
        version: h.version,
        state: serde_json::to_value(&h.state).unwrap_or(Value::Null),
        status: W::status(&h.state),
        step: W::step(&h.state).to_owned(),
        blocking: W::blocking_reason(&h.state),
        events: json_events,
        moves,
        taken,
    }
}

/// The workflow as the site's store knows it, with `order_id`.
fn hosted<W: Workflow>(id: &str, launch: &Launch<W::Start>, order_id: Option<i64>) -> HostedWorkflow {
    HostedWorkflow {
        id: id.to_owned(),
        kind: W::KIND,
        input: launch.input.clone(),
        order_id,
        fulfillment_id: launch.fulfillment_id,
    }
}

/// `v` as JSON; what cannot be written fails the workflow task. (The
/// SDK's failure type is large; this is the failure path only.)
#[allow(clippy::result_large_err)]
fn json(v: &impl serde::Serialize) -> Result<Value, ApplicationFailure> {
    serde_json::to_value(v).map_err(|e| ApplicationFailure::non_retryable(e.to_string()))
}

fn failed<S>(activity: Activity, attempt: u32, error: ActivityError) -> Input<S> {
    Input::ActivityFailed { activity, attempt, error, jitter_permille: 0 }
}

fn finish(status: WorkflowStatus) -> WorkflowResult<Value> {
    match status {
        WorkflowStatus::Failed => Err(ApplicationFailure::non_retryable("the workflow failed").into()),
        s => Ok(json!({ "status": s })),
    }
}

/// One Temporal workflow type per decider, named as the kind.
macro_rules! hosted {
    ($ty:ident, $w:ty, $name:literal) => {
        #[workflow]
        #[derive(Debug, Default)]
        pub struct $ty {
            host: Host<$w>,
        }

        impl Hosts for $ty {
            type W = $w;
            fn host(&self) -> &Host<$w> {
                &self.host
            }
            fn host_mut(&mut self) -> &mut Host<$w> {
                &mut self.host
            }
        }

        #[workflow_methods]
        impl $ty {
            #[run(name = $name)]
            pub async fn run(
                ctx: &mut WorkflowContext<Self>,
                launch: Launch<<$w as Workflow>::Start>,
            ) -> WorkflowResult<Value> {
                drive(ctx, launch).await
            }

            /// A Tote signal (PickCompleted, CancelOrder, …), decided in turn.
            #[signal(name = "signal")]
            pub fn signal(&mut self, _ctx: &mut SyncWorkflowContext<Self>, signal: Signal) {
                self.host.inbox.push_back(signal);
            }

            /// The decider's `getStatus`, `getCurrentStep` and `getBlockingReason`.
            #[query(name = "status")]
            pub fn status(&self, _ctx: &WorkflowContextView) -> Value {
                self.host.status()
            }
        }
    };
}

hosted!(IntakeFlow, Intake, "order_intake");
hosted!(FulfillmentFlow, Fulfillment, "order_fulfillment");
