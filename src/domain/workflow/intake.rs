//! `OrderIntakeWorkflow` (seed 003), id `order-intake-{request_id}`: validate
//! (a structural fault fails for good) → create the order (its
//! `order.created` event is written to the outbox in the same transaction, so
//! the seed's separate "emit event" step cannot lose or repeat it) → start one
//! fulfillment workflow per fulfillment → complete.

use super::{
    Activity, ActivityError, ActivityResult, Decision, Effect, FulfillmentStart, Input, Running, Settings, Signal,
    WorkflowStatus,
};
use crate::domain::{DomainError, Timestamp};
use serde::{Deserialize, Serialize};

/// How an intake starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntakeStart {
    pub request_id: String,
    /// Handed to the fulfillment workflows it starts.
    pub settings: Settings,
}

/// The `getStatus` query of seed 003, with what each step made.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Step {
    #[default]
    Received,
    Validated,
    /// The order and one fulfillment per warehouse.
    Created {
        order_id: i64,
        fulfillments: Vec<i64>,
    },
    Failed {
        reason: Option<String>,
    },
}

impl Step {
    pub fn as_str(&self) -> &'static str {
        match self {
            Step::Received => "RECEIVED",
            Step::Validated => "VALIDATED",
            Step::Created { .. } => "CREATED",
            Step::Failed { .. } => "FAILED",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    pub start: Option<IntakeStart>,
    pub status: WorkflowStatus,
    pub step: Step,
    pub running: Option<Running>,
}

impl State {
    /// The order it made, once made.
    pub fn order_id(&self) -> Option<i64> {
        match &self.step {
            Step::Created { order_id, .. } => Some(*order_id),
            Step::Received | Step::Validated | Step::Failed { .. } => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    Started(IntakeStart),
    Scheduled { activity: Activity, attempt: u32 },
    Completed { activity: Activity, result: ActivityResult },
    Failed { activity: Activity, attempt: u32, error: String, retry_at: Option<Timestamp> },
    Finished { status: WorkflowStatus, reason: Option<String> },
}

pub fn evolve(mut s: State, e: &Event) -> State {
    match e {
        Event::Started(start) => s.start = Some(start.clone()),
        Event::Scheduled { activity, attempt } => {
            s.running =
                Some(Running { activity: activity.clone(), attempt: *attempt, retry_at: None, last_error: None })
        }
        Event::Completed { activity, result } => {
            s.running = None;
            match (activity, result) {
                (Activity::ValidateOrder, _) => s.step = Step::Validated,
                (_, ActivityResult::OrderCreated { order_id, fulfillments }) => {
                    s.step = Step::Created { order_id: *order_id, fulfillments: fulfillments.clone() };
                }
                // A result intake has no use for changes only `running`.
                (
                    Activity::CreateOrder
                    | Activity::AllocateInventory
                    | Activity::MarkReserved
                    | Activity::CreatePickWork
                    | Activity::RequeuePick
                    | Activity::RequeuePack
                    | Activity::ConsumeInventory
                    | Activity::PlanShipment
                    | Activity::CreateShipment { .. }
                    | Activity::GenerateLabel
                    | Activity::ConfirmShipment { .. }
                    | Activity::MarkShipped
                    | Activity::UpdateAddress { .. }
                    | Activity::ReleaseInventory { .. }
                    | Activity::CreateBackorder
                    | Activity::VoidShipment { .. },
                    _,
                ) => {}
            }
        }
        Event::Failed { activity, attempt, error, retry_at } => {
            s.running = retry_at.map(|at| Running {
                activity: activity.clone(),
                attempt: attempt + 1,
                retry_at: Some(at),
                last_error: Some(error.clone()),
            });
        }
        Event::Finished { status, reason } => {
            s.status = *status;
            s.running = None;
            if *status == WorkflowStatus::Failed {
                s.step = Step::Failed { reason: reason.clone() };
            }
        }
    }
    s
}

pub fn wants(s: &State, activity: &Activity, attempt: u32) -> bool {
    Running::wanted(s.status, s.running.as_ref(), activity, attempt)
}

fn schedule(d: &mut Decision<Event>, activity: Activity) {
    d.events.push(Event::Scheduled { activity: activity.clone(), attempt: 1 });
    d.effects.push(Effect::RunActivity { activity, attempt: 1, not_before: None });
}

pub fn decide(s: &State, input: &Input<IntakeStart>, now: Timestamp) -> Result<Decision<Event>, DomainError> {
    let mut d = Decision::default();
    match input {
        Input::Start(start) => {
            if s.start.is_none() {
                d.events.push(Event::Started(start.clone()));
                schedule(&mut d, Activity::ValidateOrder);
            }
        }
        Input::ActivityDone { activity, result } => {
            if !s.running.as_ref().is_some_and(|r| r.activity == *activity) || s.status.is_terminal() {
                return Ok(d);
            }
            d.events.push(Event::Completed { activity: activity.clone(), result: result.clone() });
            match result {
                ActivityResult::OrderCreated { order_id, fulfillments } => {
                    let settings = s.start.as_ref().map(|st| st.settings).unwrap_or_default();
                    for f in fulfillments {
                        d.effects.push(Effect::StartFulfillment(FulfillmentStart {
                            fulfillment_id: *f,
                            order_id: *order_id,
                            settings,
                        }));
                    }
                    d.events.push(Event::Finished { status: WorkflowStatus::Completed, reason: None });
                    d.effects.push(Effect::Finish { status: WorkflowStatus::Completed });
                }
                ActivityResult::Done
                | ActivityResult::Allocated { .. }
                | ActivityResult::PickWork { .. }
                | ActivityResult::PackWork { .. }
                | ActivityResult::Consumed { .. }
                | ActivityResult::ShipmentPlanned { .. }
                | ActivityResult::Shipment { .. }
                | ActivityResult::Labelled { .. }
                | ActivityResult::Released { .. }
                | ActivityResult::Backorder { .. } => {
                    if *activity == Activity::ValidateOrder {
                        schedule(&mut d, Activity::CreateOrder);
                    }
                }
            }
        }
        Input::ActivityFailed { activity, attempt, error, jitter_permille } => {
            if !wants(s, activity, *attempt) {
                return Ok(d);
            }
            failed(activity, *attempt, error, now, *jitter_permille, &mut d);
        }
        Input::Signal(Signal::CancelOrder { .. }) | Input::TimerFired { .. } => {}
        Input::Signal(sig) => {
            return Err(DomainError::WorkflowRefused {
                reason: format!("an order intake takes no {} signal; signal its fulfillment workflow", sig.name()),
            });
        }
    }
    Ok(d)
}

fn failed(
    activity: &Activity,
    attempt: u32,
    error: &ActivityError,
    now: Timestamp,
    jitter: u16,
    d: &mut Decision<Event>,
) {
    let retry_at = if error.retryable { activity.policy().next_attempt_at(attempt, now, jitter) } else { None };
    let message = format!("{} {}", error.code, error.message);
    d.events.push(Event::Failed { activity: activity.clone(), attempt, error: message.clone(), retry_at });
    match retry_at {
        Some(at) => d.effects.push(Effect::RunActivity {
            activity: activity.clone(),
            attempt: attempt + 1,
            not_before: Some(at),
        }),
        None => {
            d.events.push(Event::Finished { status: WorkflowStatus::Failed, reason: Some(message) });
            d.effects.push(Effect::Finish { status: WorkflowStatus::Failed });
        }
    }
}

pub fn blocking_reason(s: &State) -> Option<String> {
    let r = s.running.as_ref()?;
    Some(r.retry_note().unwrap_or_else(|| format!("running {}", r.activity.name())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> Timestamp {
        chrono::Utc.with_ymd_and_hms(2026, 11, 23, 8, 0, 0).single().expect("time")
    }

    fn start() -> IntakeStart {
        IntakeStart { request_id: "r-1".into(), settings: Settings::default() }
    }

    fn given(events: &[Event]) -> State {
        events.iter().fold(State::default(), evolve)
    }

    fn created() -> ActivityResult {
        ActivityResult::OrderCreated { order_id: 7, fulfillments: vec![10, 11] }
    }

    #[test]
    fn start_validates_first_and_a_second_start_decides_nothing() {
        let d = decide(&State::default(), &Input::Start(start()), now()).expect("start");
        assert_eq!(
            d.effects,
            vec![Effect::RunActivity { activity: Activity::ValidateOrder, attempt: 1, not_before: None }]
        );
        let s = given(&d.events);
        assert_eq!(s.step, Step::Received);
        assert_eq!(decide(&s, &Input::Start(start()), now()).expect("again"), Decision::default());
    }

    #[test]
    fn validated_then_created_starts_one_fulfillment_per_warehouse_and_completes() {
        let s = given(&[Event::Started(start()), Event::Scheduled { activity: Activity::ValidateOrder, attempt: 1 }]);
        let d =
            decide(&s, &Input::ActivityDone { activity: Activity::ValidateOrder, result: ActivityResult::Done }, now())
                .expect("validated");
        assert_eq!(
            d.effects,
            vec![Effect::RunActivity { activity: Activity::CreateOrder, attempt: 1, not_before: None }]
        );
        let s = d.events.iter().fold(s, evolve);
        assert_eq!(s.step, Step::Validated);
        let d = decide(&s, &Input::ActivityDone { activity: Activity::CreateOrder, result: created() }, now())
            .expect("created");
        let starts: Vec<i64> = d
            .effects
            .iter()
            .filter_map(|e| match e {
                Effect::StartFulfillment(f) => Some(f.fulfillment_id),
                _ => None,
            })
            .collect();
        assert_eq!(starts, vec![10, 11]);
        assert_eq!(d.effects.last(), Some(&Effect::Finish { status: WorkflowStatus::Completed }));
        let s = d.events.iter().fold(s, evolve);
        assert_eq!(s.order_id(), Some(7));
        assert_eq!(
            (s.step, s.status),
            (Step::Created { order_id: 7, fulfillments: vec![10, 11] }, WorkflowStatus::Completed)
        );
    }

    #[test]
    fn a_structural_fault_fails_for_good_and_a_busy_store_is_retried() {
        let s = given(&[Event::Started(start()), Event::Scheduled { activity: Activity::ValidateOrder, attempt: 1 }]);
        let bad = ActivityError {
            code: "E001".into(),
            message: "invalid lines[0].quantity".into(),
            retryable: false,
            shortage: false,
        };
        let input =
            Input::ActivityFailed { activity: Activity::ValidateOrder, attempt: 1, error: bad, jitter_permille: 0 };
        let d = decide(&s, &input, now()).expect("failed");
        assert_eq!(d.effects, vec![Effect::Finish { status: WorkflowStatus::Failed }]);
        let f = d.events.iter().fold(s.clone(), evolve);
        assert_eq!(f.status, WorkflowStatus::Failed);
        assert!(matches!(&f.step, Step::Failed { reason: Some(r) } if r.contains("lines[0].quantity")), "{:?}", f.step);

        let busy =
            ActivityError { code: "E900".into(), message: "store busy".into(), retryable: true, shortage: false };
        let input =
            Input::ActivityFailed { activity: Activity::ValidateOrder, attempt: 1, error: busy, jitter_permille: 1000 };
        let d = decide(&s, &input, now()).expect("retry");
        let at = now() + chrono::Duration::milliseconds(500);
        assert_eq!(
            d.effects,
            vec![Effect::RunActivity { activity: Activity::ValidateOrder, attempt: 2, not_before: Some(at) }]
        );
        let r = d.events.iter().fold(s, evolve);
        assert!(blocking_reason(&r).is_some_and(|b| b.contains("next attempt")));
    }

    #[test]
    fn signals_other_than_cancel_are_refused_with_a_reason() {
        let s = given(&[Event::Started(start())]);
        let e = decide(&s, &Input::Signal(Signal::Retry), now()).expect_err("refused");
        assert!(e.to_string().contains("fulfillment workflow"), "{e}");
        assert!(decide(&s, &Input::Signal(Signal::CancelOrder { reason: "x".into() }), now()).is_ok());
    }
}
