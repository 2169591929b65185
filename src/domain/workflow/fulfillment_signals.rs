//! The fulfillment workflow's answers to signals: facts from the floor
//! (pick, pack, dock), from the supervisor (retry) and from the customer
//! (cancel, address). Part of [`super`]'s decider.

use super::{
    Activity, Decision, Effect, Event, PICK_TIMEOUT, Pack, STOCK_RECHECK, Signal, State, Step, Timestamp,
    WorkflowStatus, all_dispatched, compensate, evolve, refused, schedule, start_pick_timer, stock_arrived,
};
use crate::domain::DomainError;

pub(super) fn signal(s: &State, sig: &Signal, now: Timestamp, d: &mut Decision<Event>) -> Result<(), DomainError> {
    let live = s.ending.is_none();
    // Waiting for this task's pick, and it has not failed.
    let awaits = |task_id: &i64| matches!(&s.step, Step::AwaitPick { task, failed: None } if task == task_id);
    match sig {
        Signal::PickCompleted { task_id, units } => {
            if live && awaits(task_id) {
                d.events.push(Event::PickCompleted { task_id: *task_id, units: *units });
                d.effects.push(Effect::CancelTimer { name: PICK_TIMEOUT.into() });
                schedule(d, Activity::ConsumeInventory);
            }
        }
        Signal::PickFailed { task_id, reason } => {
            if live && awaits(task_id) {
                d.events.push(Event::PickFailed { task_id: *task_id, reason: reason.clone() });
                d.effects.push(Effect::CancelTimer { name: PICK_TIMEOUT.into() });
            }
        }
        Signal::PickRetried { task_id } => {
            if live && s.step.failed_pick().is_some_and(|f| f.task != *task_id) {
                d.events.push(Event::PickRetried { task_id: *task_id });
                start_pick_timer(s, now, d);
            }
        }
        Signal::PackStarted { task_id } => {
            // A repeat (the same task, not failed since) decides nothing.
            let known = s.pack == Pack::Started { task: *task_id };
            if live && !s.packed() && !known {
                d.events.push(Event::PackStarted { task_id: *task_id });
            }
        }
        Signal::PackCompleted { task_id, packages } => {
            if live && !s.packed() {
                d.events.push(Event::PackCompleted { task_id: *task_id, packages: *packages });
                if s.step == Step::AwaitPack {
                    schedule(d, Activity::PlanShipment);
                }
            }
        }
        Signal::PackFailed { task_id, reason } => {
            // A repeated failure of the same task decides nothing.
            let known = matches!(&s.pack, Pack::Failed { task, .. } if task == task_id);
            if live && !s.packed() && !known {
                d.events.push(Event::PackFailed { task_id: *task_id, reason: reason.clone() });
            }
        }
        Signal::CancelOrder { .. } if !s.dispatched().is_empty() => {
            return Err(refused(format!("parcels have left the dock ({})", s.dispatched().join(", "))));
        }
        Signal::Dispatched { tracking } => {
            if !live {
                return Err(refused("the order is being cancelled: take the parcel off the truck"));
            }
            let unknown: Vec<&String> = tracking.iter().filter(|t| !s.tracking().contains(t)).collect();
            if !unknown.is_empty() {
                return Err(refused(format!("no parcel of this shipment has tracking {unknown:?}")));
            }
            let mut new: Vec<String> = tracking.iter().filter(|t| !s.dispatched().contains(t)).cloned().collect();
            new.dedup();
            if !new.is_empty() {
                let e = Event::Dispatched { tracking: new };
                let n = evolve(s.clone(), &e);
                d.events.push(e);
                if n.step == Step::AwaitDispatch && all_dispatched(&n) {
                    schedule(d, Activity::MarkShipped);
                }
            }
        }
        Signal::CancelOrder { reason } => {
            if live {
                let e = Event::Ending { status: WorkflowStatus::Cancelled, reason: reason.clone() };
                let n = evolve(s.clone(), &e);
                d.events.push(e);
                d.effects.push(Effect::CancelTimer { name: PICK_TIMEOUT.into() });
                if s.short_of_stock().is_some() {
                    d.effects.push(Effect::CancelTimer { name: STOCK_RECHECK.into() });
                }
                compensate(&n, d);
            }
        }
        Signal::UpdateAddress { ship_to } => {
            if s.booking().is_some_and(|b| b.labelled) || !s.tracking().is_empty() {
                return Err(refused(format!(
                    "a shipping label exists (tracking {}); the parcel is labelled for the old address: cancel the order and place it again",
                    s.tracking().join(", ")
                )));
            }
            if s.shipment_pending() {
                return Err(refused("the shipment is being created with the current address"));
            }
            if !live {
                return Err(refused("the order is being cancelled"));
            }
            // The same address again (a duplicated signal) decides nothing.
            if s.ship_to.as_ref() == Some(ship_to) {
                return Ok(());
            }
            d.events.push(Event::AddressUpdated { ship_to: Some(ship_to.clone()) });
            d.effects.push(Effect::RunActivity {
                activity: Activity::UpdateAddress { ship_to: ship_to.clone() },
                attempt: 1,
                not_before: None,
            });
        }
        Signal::StockArrived => stock_arrived(s, d),
        Signal::Retry if s.short_of_stock().is_some() && live => {
            d.events.push(Event::RetryRequested);
            stock_arrived(s, d);
        }
        Signal::Retry => match (&s.stuck, s.step.failed_pick()) {
            (None, None) if live && matches!(s.pack, Pack::Failed { .. }) => {
                // A re-queue already asked for (a repeated retry) decides nothing.
                if !s.running.as_ref().is_some_and(|r| r.activity == Activity::RequeuePack) {
                    d.events.push(Event::RetryRequested);
                    schedule(d, Activity::RequeuePack);
                }
            }
            (Some(stuck), _) => {
                d.events.push(Event::RetryRequested);
                // A booking is planned again, so what the supervisor mended
                // before the retry (the warehouse's ship-from address, the
                // carrier) is in the request; its idempotency key is the
                // fulfillment's, so a carrier that booked the first request
                // answers with that booking.
                let again = match &stuck.activity {
                    Activity::CreateShipment { .. } => Activity::PlanShipment,
                    other => other.clone(),
                };
                schedule(d, again);
            }
            // A re-queue already asked for (a repeated retry) decides nothing.
            (None, Some(_)) if live && s.running.as_ref().is_some_and(|r| r.activity == Activity::RequeuePick) => {}
            (None, Some(_)) if live => {
                d.events.push(Event::RetryRequested);
                schedule(d, Activity::RequeuePick);
            }
            (None, _) => return Err(refused(format!("nothing to retry: the workflow is at {}", s.step.as_str()))),
        },
    }
    Ok(())
}
