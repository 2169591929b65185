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
use crate::domain::{DomainError, Timestamp};

#[path = "fulfillment_state.rs"]
mod state;
pub use state::{Booking, Ending, Event, FailedPick, Pack, Shipment, State, Step, evolve};

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
    if s.short_of_stock().is_none() || s.ending.is_some() {
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
        || (matches!(activity, Activity::CreateShipment { .. }) && s.shipment_pending())
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
            if n.packed() {
                schedule(d, Activity::PlanShipment);
            }
        }
        Activity::PlanShipment => {
            if let ActivityResult::ShipmentPlanned { request } = result {
                schedule(d, Activity::CreateShipment { request: Some(request.clone()) });
            }
        }
        Activity::CreateShipment { .. } => schedule(d, Activity::GenerateLabel),
        Activity::GenerateLabel => schedule(d, Activity::ConfirmShipment { tracking: n.tracking().to_vec() }),
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
    let Some(end) = &n.ending else { return };
    let busy = n
        .running
        .as_ref()
        .is_some_and(|r| matches!(r.activity, Activity::ReleaseInventory { .. } | Activity::VoidShipment { .. }));
    if busy || n.stuck.is_some() {
        return;
    }
    if !end.released {
        return schedule(d, Activity::ReleaseInventory { reason: end.reason.clone() });
    }
    if n.shipment_pending() {
        return; // the carrier's answer decides whether there is a shipment to void
    }
    if !n.tracking().is_empty() && !end.voided {
        return schedule(d, Activity::VoidShipment { tracking: n.tracking().to_vec() });
    }
    finish(d, end.status, Some(end.reason.clone()));
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
    let late_shipment = matches!(activity, Activity::CreateShipment { .. }) && s.shipment_pending() && !running_it;
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
    s.booking().is_some_and(|b| !b.tracking.is_empty() && b.tracking.iter().all(|t| b.dispatched.contains(t)))
}

fn timer(s: &State, name: &str, d: &mut Decision<Event>) {
    if name == STOCK_RECHECK {
        return stock_arrived(s, d);
    }
    if name != PICK_TIMEOUT || !matches!(s.step, Step::AwaitPick { failed: None, .. }) || s.ending.is_some() {
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
    if s.shipment_pending() {
        return Some("waiting for the carrier's answer to create_shipment".into());
    }
    if let Some(failed) = s.step.failed_pick() {
        return Some(format!("pick failed: {}; waiting for a retry or a cancel", failed.reason));
    }
    if let Pack::Failed { reason, .. } = &s.pack {
        return Some(format!("pack failed: {reason}; waiting for a retry (packs again) or a cancel"));
    }
    match &s.step {
        Step::AwaitStock { reason } => {
            Some(format!("waiting for stock ({reason}); allocates when stock arrives, or on a retry"))
        }
        Step::AwaitPick { task, .. } => Some(format!("waiting for picking task {task} (PickCompleted)")),
        Step::AwaitPack => Some("waiting for packing (PackCompleted)".into()),
        Step::AwaitDispatch => Some(format!(
            "waiting at the dock: {} of {} parcel(s) dispatched (scan onto the truck, or close the manifest)",
            s.dispatched().len(),
            s.tracking().len()
        )),
        Step::New
        | Step::AllocateInventory
        | Step::MarkReserved
        | Step::CreatePickWork { .. }
        | Step::ConsumeInventory
        | Step::CreateShipment
        | Step::GenerateLabel
        | Step::ConfirmShipment
        | Step::MarkShipped
        | Step::Compensate
        | Step::Done { .. } => None,
    }
}

#[path = "fulfillment_signals.rs"]
mod signals;
use signals::signal;

#[cfg(test)]
#[path = "fulfillment_tests.rs"]
mod tests;
