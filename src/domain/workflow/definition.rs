//! What every workflow kind is to an engine: a start value, a state folded
//! from its history, a pure decider and the queries. The embedded engine
//! (`app::workflow`) drives any `Workflow` with one generic driver, and
//! another engine (Temporal) can run the same deciders unchanged.

use super::fulfillment as f;
use super::intake as i;
use super::{Activity, ActivityResult, Decision, FulfillmentStart, Input, WorkflowKind, WorkflowStatus};
use crate::domain::fulfillment::FulfillmentAction;
use crate::domain::{DomainError, Timestamp};
use serde::Serialize;
use serde::de::DeserializeOwned;

pub trait Workflow {
    const KIND: WorkflowKind;
    type Start: Clone + Serialize + DeserializeOwned;
    type State: Clone + Default + PartialEq + Serialize + DeserializeOwned;
    type Event: Clone + Serialize + DeserializeOwned;

    /// Answers one input with new history events and effects.
    fn decide(
        s: &Self::State,
        input: &Input<Self::Start>,
        now: Timestamp,
    ) -> Result<Decision<Self::Event>, DomainError>;
    /// Folds one event into the state.
    fn evolve(s: Self::State, e: &Self::Event) -> Self::State;
    /// Whether the workflow still waits on `activity`'s `attempt`.
    fn wants(s: &Self::State, activity: &Activity, attempt: u32) -> bool;
    /// The `getStatus`, `getCurrentStep` and `getBlockingReason` queries.
    fn status(s: &Self::State) -> WorkflowStatus;
    fn step(s: &Self::State) -> &'static str;
    fn blocking_reason(s: &Self::State) -> Option<String>;
    /// The order a workflow has made or serves.
    fn order(s: &Self::State) -> Option<i64>;
    /// The activity whose result `e` records, if it records one: the
    /// engine changes the warehouse's tables for a carrier's answer only
    /// when the workflow took it.
    fn completes(e: &Self::Event) -> Option<&Activity>;
    /// What `e` does to the fulfillment's status (the row is a projection
    /// of the fulfillment workflow; other kinds move nothing).
    fn moves(before: &Self::State, e: &Self::Event) -> &'static [FulfillmentAction];
}

/// The carrier's answer in `input` that `events` took, if they took one:
/// only then does it change the warehouse's tables (a stale or superseded
/// answer changes nothing), on either engine.
pub fn carrier_answer_taken<'a, W: Workflow>(
    input: &'a Input<W::Start>,
    events: &[W::Event],
) -> Option<(&'a Activity, &'a ActivityResult)> {
    let Input::ActivityDone { activity, result } = input else { return None };
    let took = activity.calls_carrier() && events.iter().any(|e| W::completes(e) == Some(activity));
    took.then_some((activity, result))
}

/// `order-intake-{request_id}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Intake;

impl Workflow for Intake {
    const KIND: WorkflowKind = WorkflowKind::OrderIntake;
    type Start = i::IntakeStart;
    type State = i::State;
    type Event = i::Event;

    fn decide(s: &i::State, input: &Input<i::IntakeStart>, now: Timestamp) -> Result<Decision<i::Event>, DomainError> {
        i::decide(s, input, now)
    }
    fn evolve(s: i::State, e: &i::Event) -> i::State {
        i::evolve(s, e)
    }
    fn wants(s: &i::State, activity: &Activity, attempt: u32) -> bool {
        i::wants(s, activity, attempt)
    }
    fn status(s: &i::State) -> WorkflowStatus {
        s.status
    }
    fn step(s: &i::State) -> &'static str {
        s.step.as_str()
    }
    fn blocking_reason(s: &i::State) -> Option<String> {
        i::blocking_reason(s)
    }
    fn order(s: &i::State) -> Option<i64> {
        s.order_id()
    }
    fn completes(e: &i::Event) -> Option<&Activity> {
        match e {
            i::Event::Completed { activity, .. } => Some(activity),
            i::Event::Started(_) | i::Event::Scheduled { .. } | i::Event::Failed { .. } | i::Event::Finished { .. } => {
                None
            }
        }
    }
    fn moves(_: &i::State, _: &i::Event) -> &'static [FulfillmentAction] {
        &[]
    }
}

/// `order-fulfillment-{id}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fulfillment;

impl Workflow for Fulfillment {
    const KIND: WorkflowKind = WorkflowKind::OrderFulfillment;
    type Start = FulfillmentStart;
    type State = f::State;
    type Event = f::Event;

    fn decide(
        s: &f::State,
        input: &Input<FulfillmentStart>,
        now: Timestamp,
    ) -> Result<Decision<f::Event>, DomainError> {
        f::decide(s, input, now)
    }
    fn evolve(s: f::State, e: &f::Event) -> f::State {
        f::evolve(s, e)
    }
    fn wants(s: &f::State, activity: &Activity, attempt: u32) -> bool {
        f::wants(s, activity, attempt)
    }
    fn status(s: &f::State) -> WorkflowStatus {
        s.status
    }
    fn step(s: &f::State) -> &'static str {
        s.step.as_str()
    }
    fn blocking_reason(s: &f::State) -> Option<String> {
        f::blocking_reason(s)
    }
    fn order(s: &f::State) -> Option<i64> {
        s.start.map(|st| st.order_id)
    }
    fn completes(e: &f::Event) -> Option<&Activity> {
        use f::Event as E;
        match e {
            E::Completed { activity, .. } => Some(activity),
            // Named one by one: a new event must say whether it completes an activity.
            E::Started(_)
            | E::Scheduled { .. }
            | E::Failed { .. }
            | E::PickCompleted { .. }
            | E::PickFailed { .. }
            | E::PickRetried { .. }
            | E::PackStarted { .. }
            | E::PackCompleted { .. }
            | E::PackFailed { .. }
            | E::AddressUpdated { .. }
            | E::Ending { .. }
            | E::TimedOut { .. }
            | E::RetryRequested
            | E::AwaitingStock { .. }
            | E::Dispatched { .. }
            | E::Finished { .. } => None,
        }
    }
    fn moves(before: &f::State, e: &f::Event) -> &'static [FulfillmentAction] {
        super::projection::actions(before, e)
    }
}
