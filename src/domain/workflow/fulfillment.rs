//! `OrderFulfillmentWorkflow` (seed 003), one per fulfillment, id
//! `order-fulfillment-{id}`: allocate inventory → mark reserved → create pick
//! work → wait for PickCompleted (a timer re-queues or fails a pick that never
//! completes) → consume inventory → wait for PackCompleted → create shipment
//! (under the backorder policy, the units the pick did not find become a
//! new fulfillment that waits for stock) → generate label → confirm shipment → wait at the dock until every parcel
//! is Dispatched (scanned onto the truck, or its manifest closed) → mark
//! shipped. "Shipped" means the parcels left.
//!
//! CancelOrder at any step compensates (seed 003's table): release inventory
//! and cancel open tasks, then void a created shipment, then end cancelled.
//! UpdateAddress is refused once a shipment is being created or a label
//! exists.

use super::{
    Activity, ActivityError, ActivityResult, Decision, Effect, FulfillmentStart, Input, OnPickTimeout, PICK_TIMEOUT,
    Running, STOCK_RECHECK, ShortPolicy, Signal, Stuck, WorkflowStatus,
};
use crate::domain::order::Address;
use crate::domain::{DomainError, Timestamp};
use serde::{Deserialize, Serialize};

/// Where the workflow is (the `getCurrentStep` query).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    #[default]
    New,
    AllocateInventory,
    /// Short of stock under the backorder policy: allocates again when
    /// stock arrives.
    AwaitStock,
    MarkReserved,
    CreatePickWork,
    AwaitPick,
    ConsumeInventory,
    AwaitPack,
    CreateShipment,
    GenerateLabel,
    ConfirmShipment,
    /// Labelled and confirmed: the parcels wait at the dock.
    AwaitDispatch,
    MarkShipped,
    Compensate,
    Done,
}

impl Step {
    pub fn as_str(self) -> &'static str {
        match self {
            Step::New => "new",
            Step::AllocateInventory => "allocate_inventory",
            Step::AwaitStock => "await_stock",
            Step::MarkReserved => "mark_reserved",
            Step::CreatePickWork => "create_pick_work",
            Step::AwaitPick => "await_pick",
            Step::ConsumeInventory => "consume_inventory",
            Step::AwaitPack => "await_pack",
            Step::CreateShipment => "create_shipment",
            Step::GenerateLabel => "generate_label",
            Step::ConfirmShipment => "confirm_shipment",
            Step::AwaitDispatch => "await_dispatch",
            Step::MarkShipped => "mark_shipped",
            Step::Compensate => "compensate",
            Step::Done => "done",
        }
    }

    fn of(a: &Activity) -> Option<Step> {
        Some(match a {
            Activity::AllocateInventory => Step::AllocateInventory,
            Activity::MarkReserved => Step::MarkReserved,
            Activity::CreatePickWork | Activity::RequeuePick => Step::CreatePickWork,
            Activity::ConsumeInventory => Step::ConsumeInventory,
            Activity::RequeuePack | Activity::CreateBackorder => Step::AwaitPack,
            Activity::PlanShipment | Activity::CreateShipment { .. } => Step::CreateShipment,
            Activity::GenerateLabel => Step::GenerateLabel,
            Activity::ConfirmShipment { .. } => Step::ConfirmShipment,
            Activity::MarkShipped => Step::MarkShipped,
            Activity::ReleaseInventory { .. } | Activity::VoidShipment { .. } => Step::Compensate,
            Activity::ValidateOrder | Activity::CreateOrder | Activity::UpdateAddress { .. } => return None,
        })
    }
}

/// The fold of the history.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    pub start: Option<FulfillmentStart>,
    pub status: WorkflowStatus,
    pub step: Step,
    pub running: Option<Running>,
    pub stuck: Option<Stuck>,
    pub pick_task: Option<i64>,
    pub pick_failed: Option<String>,
    pub packed: bool,
    pub pack_task: Option<i64>,
    pub pack_failed: Option<String>,
    /// A `create_shipment` was asked for and has not answered yet.
    pub shipment_pending: bool,
    pub carrier: Option<String>,
    pub tracking: Vec<String>,
    pub labelled: bool,
    /// Tracking numbers of the parcels that left the dock.
    #[serde(default)]
    pub dispatched: Vec<String>,
    pub released: bool,
    pub voided: bool,
    /// Compensating towards this end (cancelled, or failed with a reason).
    pub ending: Option<(WorkflowStatus, String)>,
    pub reason: Option<String>,
    /// The last address this workflow was told to ship to.
    #[serde(default)]
    pub ship_to: Option<Address>,
    /// Why it waits for stock (backorder policy), while it does.
    #[serde(default)]
    pub short_of_stock: Option<String>,
}

/// The history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    Started(FulfillmentStart),
    Scheduled {
        activity: Activity,
        attempt: u32,
    },
    Completed {
        activity: Activity,
        result: ActivityResult,
    },
    Failed {
        activity: Activity,
        attempt: u32,
        error: String,
        retry_at: Option<Timestamp>,
    },
    PickCompleted {
        task_id: i64,
        units: u32,
    },
    PickFailed {
        task_id: i64,
        reason: String,
    },
    PickRetried {
        task_id: i64,
    },
    PackStarted {
        task_id: i64,
    },
    PackCompleted {
        task_id: i64,
        packages: u32,
    },
    PackFailed {
        task_id: i64,
        reason: String,
    },
    /// `ship_to`: the new address (histories written before it was kept
    /// read as `None`).
    AddressUpdated {
        #[serde(default)]
        ship_to: Option<Address>,
    },
    Ending {
        status: WorkflowStatus,
        reason: String,
    },
    TimedOut {
        name: String,
    },
    RetryRequested,
    /// Allocation found too little stock and the policy is to wait for it.
    AwaitingStock {
        reason: String,
    },
    /// Parcels that left the dock (new ones only).
    Dispatched {
        tracking: Vec<String>,
    },
    Finished {
        status: WorkflowStatus,
        reason: Option<String>,
    },
}

pub fn evolve(mut s: State, e: &Event) -> State {
    match e {
        Event::Started(start) => s.start = Some(*start),
        Event::Scheduled { activity: Activity::UpdateAddress { .. }, .. } => {}
        Event::Scheduled { activity, attempt } => {
            if matches!(activity, Activity::CreateShipment { .. }) {
                s.shipment_pending = true;
            }
            if let Some(step) = Step::of(activity) {
                s.step = step;
            }
            s.running =
                Some(Running { activity: activity.clone(), attempt: *attempt, retry_at: None, last_error: None });
            s.stuck = None;
            s.short_of_stock = None;
        }
        Event::Completed { activity, result } => {
            if s.running.as_ref().is_some_and(|r| r.activity == *activity) {
                s.running = None;
            }
            match (activity, result) {
                (_, ActivityResult::PickWork { task_id }) => {
                    s.pick_task = Some(*task_id);
                    s.pick_failed = None;
                    s.step = Step::AwaitPick;
                }
                (Activity::ConsumeInventory | Activity::CreateBackorder, _) => s.step = Step::AwaitPack,
                (_, ActivityResult::PackWork { task_id }) => {
                    s.pack_task = Some(*task_id);
                    s.pack_failed = None;
                }
                (_, ActivityResult::Shipment { carrier, tracking, .. }) => {
                    s.shipment_pending = false;
                    s.carrier = Some(carrier.clone());
                    s.tracking = tracking.clone();
                }
                (Activity::GenerateLabel, _) => s.labelled = true,
                (Activity::ConfirmShipment { .. }, _) => s.step = Step::AwaitDispatch,
                (Activity::ReleaseInventory { .. }, _) => s.released = true,
                (Activity::VoidShipment { .. }, _) => s.voided = true,
                (
                    Activity::ValidateOrder
                    | Activity::CreateOrder
                    | Activity::AllocateInventory
                    | Activity::MarkReserved
                    | Activity::CreatePickWork
                    | Activity::RequeuePick
                    | Activity::RequeuePack
                    | Activity::PlanShipment
                    | Activity::CreateShipment { .. }
                    | Activity::MarkShipped
                    | Activity::UpdateAddress { .. },
                    _,
                ) => {}
            }
        }
        Event::Failed { activity, attempt, error, retry_at } => {
            let mine = s.running.as_ref().is_some_and(|r| r.activity == *activity);
            if matches!(activity, Activity::CreateShipment { .. }) && retry_at.is_none() {
                s.shipment_pending = false;
            }
            if mine {
                match retry_at {
                    Some(at) => {
                        s.running = Some(Running {
                            activity: activity.clone(),
                            attempt: attempt + 1,
                            retry_at: Some(*at),
                            last_error: Some(error.clone()),
                        })
                    }
                    None => {
                        s.running = None;
                        s.stuck = Some(Stuck { activity: activity.clone(), attempts: *attempt, error: error.clone() });
                    }
                }
            }
        }
        Event::PickCompleted { .. } => s.pick_failed = None,
        Event::PickFailed { reason, .. } => s.pick_failed = Some(reason.clone()),
        Event::PickRetried { task_id } => {
            s.pick_task = Some(*task_id);
            s.pick_failed = None;
            s.step = Step::AwaitPick;
        }
        Event::PackStarted { task_id } => {
            s.pack_task = Some(*task_id);
            s.pack_failed = None;
        }
        Event::PackCompleted { task_id, .. } => {
            s.packed = true;
            s.pack_task = Some(*task_id);
            s.pack_failed = None;
        }
        Event::PackFailed { task_id, reason } => {
            s.pack_task = Some(*task_id);
            s.pack_failed = Some(reason.clone());
        }
        Event::AddressUpdated { ship_to } => s.ship_to = ship_to.clone(),
        Event::TimedOut { .. } => {}
        Event::Ending { status, reason } => {
            s.ending = Some((*status, reason.clone()));
            s.stuck = None;
        }
        Event::RetryRequested => s.stuck = None,
        Event::AwaitingStock { reason } => {
            s.running = None;
            s.stuck = None;
            s.step = Step::AwaitStock;
            s.short_of_stock = Some(reason.clone());
        }
        Event::Dispatched { tracking } => s.dispatched.extend(tracking.iter().cloned()),
        Event::Finished { status, reason } => {
            s.status = *status;
            s.step = Step::Done;
            s.running = None;
            s.reason = reason.clone();
        }
    }
    s
}

/// Whether the engine should still run `activity`'s `attempt`: a queued
/// attempt that a later decision superseded (a cancel, a retry) is not run.
pub fn wants(s: &State, activity: &Activity, attempt: u32) -> bool {
    Running::wanted(s.status, s.running.as_ref(), activity, attempt)
}

fn refused(reason: impl Into<String>) -> DomainError {
    DomainError::WorkflowRefused { reason: reason.into() }
}

fn schedule(d: &mut Decision<Event>, activity: Activity) {
    d.events.push(Event::Scheduled { activity: activity.clone(), attempt: 1 });
    d.effects.push(Effect::RunActivity { activity, attempt: 1, not_before: None });
}

fn finish(d: &mut Decision<Event>, status: WorkflowStatus, reason: Option<String>) {
    d.events.push(Event::Finished { status, reason });
    d.effects.push(Effect::Finish { status });
}

/// `now` plus `secs`, or `None` for 0 or a time beyond what a timestamp
/// can hold (no timer at all).
fn after_secs(now: Timestamp, secs: u64) -> Option<Timestamp> {
    i64::try_from(secs)
        .ok()
        .filter(|s| *s > 0)
        .and_then(chrono::TimeDelta::try_seconds)
        .and_then(|d| now.checked_add_signed(d))
}

fn start_pick_timer(s: &State, now: Timestamp, d: &mut Decision<Event>) {
    let secs = s.start.map(|st| st.settings.pick_timeout_secs).unwrap_or(0);
    if let Some(at) = after_secs(now, secs) {
        d.effects.push(Effect::StartTimer { name: PICK_TIMEOUT.into(), at });
    }
}

/// The short policy this fulfillment was started with.
fn policy(s: &State) -> ShortPolicy {
    s.start.map(|st| st.settings.short_policy).unwrap_or_default()
}

/// Stock arrived (a signal, the recheck timer or a retry): a fulfillment
/// waiting for it allocates again; any other decides nothing.
fn stock_arrived(s: &State, d: &mut Decision<Event>) {
    if s.step != Step::AwaitStock || s.short_of_stock.is_none() || s.ending.is_some() {
        return;
    }
    d.effects.push(Effect::CancelTimer { name: STOCK_RECHECK.into() });
    schedule(d, Activity::AllocateInventory);
}

/// Answers one input. An input that no longer applies (a duplicate signal, a
/// late result) decides nothing; a signal the workflow cannot take in its
/// step is refused with the reason.
pub fn decide(s: &State, input: &Input<FulfillmentStart>, now: Timestamp) -> Result<Decision<Event>, DomainError> {
    let mut d = Decision::default();
    if s.status.is_terminal() {
        return match input {
            Input::Signal(Signal::UpdateAddress { .. } | Signal::Retry) => {
                Err(refused(format!("the fulfillment workflow is {}", s.status.as_str())))
            }
            // A parcel scanned again after it shipped changes nothing; one
            // of a cancelled or failed order must not leave.
            Input::Signal(Signal::Dispatched { .. }) if s.status == WorkflowStatus::Completed => Ok(d),
            Input::Signal(Signal::Dispatched { .. }) => {
                Err(refused(format!("the order is {}: take the parcel off the truck", s.status.as_str())))
            }
            // Late results, timers and floor signals after the end decide nothing.
            Input::Start(_)
            | Input::ActivityDone { .. }
            | Input::ActivityFailed { .. }
            | Input::TimerFired { .. }
            | Input::Signal(
                Signal::StockArrived
                | Signal::PickCompleted { .. }
                | Signal::PickFailed { .. }
                | Signal::PickRetried { .. }
                | Signal::PackStarted { .. }
                | Signal::PackCompleted { .. }
                | Signal::PackFailed { .. }
                | Signal::CancelOrder { .. },
            ) => Ok(d),
        };
    }
    match input {
        Input::Start(start) => {
            if s.start.is_none() {
                d.events.push(Event::Started(*start));
                schedule(&mut d, Activity::AllocateInventory);
            }
        }
        Input::ActivityDone { activity, result } => done(s, activity, result, now, &mut d),
        Input::ActivityFailed { activity, attempt, error, jitter_permille } => {
            failed(s, activity, *attempt, error, now, *jitter_permille, &mut d)
        }
        Input::Signal(sig) => signal(s, sig, now, &mut d)?,
        Input::TimerFired { name } => timer(s, name, &mut d),
    }
    Ok(d)
}

fn done(s: &State, activity: &Activity, result: &ActivityResult, now: Timestamp, d: &mut Decision<Event>) {
    let expected = s.running.as_ref().is_some_and(|r| r.activity == *activity)
        || (matches!(activity, Activity::CreateShipment { .. }) && s.shipment_pending)
        || matches!(activity, Activity::UpdateAddress { .. });
    if !expected {
        return;
    }
    let e = Event::Completed { activity: activity.clone(), result: result.clone() };
    let n = evolve(s.clone(), &e);
    d.events.push(e);
    if n.ending.is_some() {
        return compensate(&n, d);
    }
    match activity {
        Activity::AllocateInventory => schedule(d, Activity::MarkReserved),
        Activity::MarkReserved => schedule(d, Activity::CreatePickWork),
        Activity::CreatePickWork | Activity::RequeuePick => start_pick_timer(&n, now, d),
        Activity::ConsumeInventory if policy(s) == ShortPolicy::Backorder => schedule(d, Activity::CreateBackorder),
        Activity::ConsumeInventory | Activity::CreateBackorder => {
            if let (ActivityResult::Backorder { fulfillment_id: Some(id), .. }, Some(start)) = (result, s.start) {
                d.effects.push(Effect::StartFulfillment(FulfillmentStart { fulfillment_id: *id, ..start }));
            }
            if n.packed {
                schedule(d, Activity::PlanShipment);
            }
        }
        Activity::PlanShipment => {
            if let ActivityResult::ShipmentPlanned { request } = result {
                schedule(d, Activity::CreateShipment { request: Some(request.clone()) });
            }
        }
        Activity::CreateShipment { .. } => schedule(d, Activity::GenerateLabel),
        Activity::GenerateLabel => schedule(d, Activity::ConfirmShipment { tracking: n.tracking.clone() }),
        Activity::ConfirmShipment { .. } if all_dispatched(&n) => schedule(d, Activity::MarkShipped),
        Activity::MarkShipped => finish(d, WorkflowStatus::Completed, None),
        // Waits at the dock; compensation steps are followed by `compensate`;
        // intake's and the address change's results need no next step here.
        Activity::ConfirmShipment { .. }
        | Activity::RequeuePack
        | Activity::ValidateOrder
        | Activity::CreateOrder
        | Activity::UpdateAddress { .. }
        | Activity::ReleaseInventory { .. }
        | Activity::VoidShipment { .. } => {}
    }
}

/// The next compensation step, or the end once nothing is left to undo.
fn compensate(n: &State, d: &mut Decision<Event>) {
    let Some((status, reason)) = n.ending.clone() else { return };
    let busy = n
        .running
        .as_ref()
        .is_some_and(|r| matches!(r.activity, Activity::ReleaseInventory { .. } | Activity::VoidShipment { .. }));
    if busy || n.stuck.is_some() {
        return;
    }
    if !n.released {
        return schedule(d, Activity::ReleaseInventory { reason });
    }
    if n.shipment_pending {
        return; // the carrier's answer decides whether there is a shipment to void
    }
    if !n.tracking.is_empty() && !n.voided {
        return schedule(d, Activity::VoidShipment { tracking: n.tracking.clone() });
    }
    finish(d, status, Some(reason));
}

fn failed(
    s: &State,
    activity: &Activity,
    attempt: u32,
    error: &ActivityError,
    now: Timestamp,
    jitter: u16,
    d: &mut Decision<Event>,
) {
    // A carrier answer that arrives after the workflow moved on (a cancel
    // while the call was in flight) still counts; while the workflow still
    // runs the call, only the attempt it waits for does.
    let running_it = s.running.as_ref().is_some_and(|r| matches!(r.activity, Activity::CreateShipment { .. }));
    let late_shipment = matches!(activity, Activity::CreateShipment { .. }) && s.shipment_pending && !running_it;
    if !wants(s, activity, attempt) && !late_shipment {
        return;
    }
    // Short of stock under the backorder policy: wait for it, no retries.
    if *activity == Activity::AllocateInventory
        && error.shortage
        && s.ending.is_none()
        && policy(s) == ShortPolicy::Backorder
    {
        d.events.push(Event::AwaitingStock { reason: format!("{} {}", error.code, error.message) });
        let secs = s.start.map(|st| st.settings.stock_recheck_secs).unwrap_or(0);
        if let Some(at) = after_secs(now, secs) {
            d.effects.push(Effect::StartTimer { name: STOCK_RECHECK.into(), at });
        }
        return;
    }
    // No new shipment is worth waiting for while compensating.
    let retry_at = if error.retryable && s.ending.is_none() {
        activity.policy().next_attempt_at(attempt, now, jitter)
    } else {
        None
    };
    let e = Event::Failed {
        activity: activity.clone(),
        attempt,
        error: format!("{} {}", error.code, error.message),
        retry_at,
    };
    let n = evolve(s.clone(), &e);
    d.events.push(e);
    if let Some(at) = retry_at {
        d.effects.push(Effect::RunActivity { activity: activity.clone(), attempt: attempt + 1, not_before: Some(at) });
        return;
    }
    if n.ending.is_some() {
        return compensate(&n, d);
    }
    if *activity == Activity::AllocateInventory {
        let reason = format!("allocation failed: {} {}", error.code, error.message);
        d.events.push(Event::Ending { status: WorkflowStatus::Failed, reason: reason.clone() });
        // Stuck cleared by `Ending`: give back whatever was reserved.
        schedule(d, Activity::ReleaseInventory { reason });
    }
    // Otherwise the workflow is stuck: a supervisor retries or cancels.
}

/// Every parcel of the shipment has left the dock.
fn all_dispatched(s: &State) -> bool {
    !s.tracking.is_empty() && s.tracking.iter().all(|t| s.dispatched.contains(t))
}

fn timer(s: &State, name: &str, d: &mut Decision<Event>) {
    if name == STOCK_RECHECK {
        return stock_arrived(s, d);
    }
    if name != PICK_TIMEOUT || s.step != Step::AwaitPick || s.pick_failed.is_some() || s.ending.is_some() {
        return;
    }
    let Some(start) = s.start else { return };
    d.events.push(Event::TimedOut { name: name.to_owned() });
    match start.settings.on_pick_timeout {
        OnPickTimeout::Requeue => schedule(d, Activity::RequeuePick),
        OnPickTimeout::Fail => {
            let reason = format!("pick not completed within {} s", start.settings.pick_timeout_secs);
            let e = Event::Ending { status: WorkflowStatus::Failed, reason };
            let n = evolve(s.clone(), &e);
            d.events.push(e);
            compensate(&n, d);
        }
    }
}

/// The `getBlockingReason` query: what the workflow waits for, if anything.
pub fn blocking_reason(s: &State) -> Option<String> {
    if s.status.is_terminal() {
        return None;
    }
    if let Some(st) = &s.stuck {
        return Some(format!(
            "{} failed after {} attempt(s): {}; waiting for a retry or a cancel",
            st.activity.name(),
            st.attempts,
            st.error
        ));
    }
    if let Some(r) = &s.running {
        return Some(r.retry_note().unwrap_or_else(|| {
            if r.activity.is_local() {
                format!("running {}", r.activity.name())
            } else {
                format!("waiting for the carrier: {}", r.activity.name())
            }
        }));
    }
    if s.shipment_pending {
        return Some("waiting for the carrier's answer to create_shipment".into());
    }
    if let Some(reason) = &s.pick_failed {
        return Some(format!("pick failed: {reason}; waiting for a retry or a cancel"));
    }
    if let Some(reason) = &s.pack_failed {
        return Some(format!("pack failed: {reason}; waiting for a retry (packs again) or a cancel"));
    }
    if let Some(reason) = &s.short_of_stock {
        return Some(format!("waiting for stock ({reason}); allocates when stock arrives, or on a retry"));
    }
    match s.step {
        Step::AwaitPick => Some(match s.pick_task {
            Some(t) => format!("waiting for picking task {t} (PickCompleted)"),
            None => "waiting for pick work".into(),
        }),
        Step::AwaitPack => Some("waiting for packing (PackCompleted)".into()),
        Step::AwaitDispatch => Some(format!(
            "waiting at the dock: {} of {} parcel(s) dispatched (scan onto the truck, or close the manifest)",
            s.dispatched.len(),
            s.tracking.len()
        )),
        Step::New
        | Step::AllocateInventory
        | Step::AwaitStock
        | Step::MarkReserved
        | Step::CreatePickWork
        | Step::ConsumeInventory
        | Step::CreateShipment
        | Step::GenerateLabel
        | Step::ConfirmShipment
        | Step::MarkShipped
        | Step::Compensate
        | Step::Done => None,
    }
}

#[path = "fulfillment_signals.rs"]
mod signals;
use signals::signal;

#[cfg(test)]
#[path = "fulfillment_tests.rs"]
mod tests;
