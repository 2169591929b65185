//! The backorder policy: short of stock, a fulfillment waits instead of
//! failing, and a short pick leaves its missing units as a backorder.

use super::*;
use crate::domain::workflow::ShortPolicy;

fn backordering() -> FulfillmentStart {
    let mut s = start(OnPickTimeout::Requeue);
    s.settings.short_policy = ShortPolicy::Backorder;
    s.settings.stock_recheck_secs = 300;
    s
}

fn short_of_stock() -> Input<FulfillmentStart> {
    let error = ActivityError { code: "E201".into(), message: "SKU-A: 0 of 4".into(), retryable: true, shortage: true };
    Input::ActivityFailed { activity: Activity::AllocateInventory, attempt: 1, error, jitter_permille: 0 }
}

fn allocating(s: FulfillmentStart) -> Vec<Event> {
    vec![Event::Started(s), sched(Activity::AllocateInventory)]
}

fn recheck() -> Effect {
    Effect::StartTimer { name: STOCK_RECHECK.into(), at: now() + chrono::Duration::seconds(300) }
}

#[test]
fn short_of_stock_it_waits_without_retries_and_says_why() {
    let (d, s) = when(&allocating(backordering()), short_of_stock());
    assert_eq!(d.effects, vec![recheck()], "no retry, no compensation: a recheck timer");
    assert_eq!((s.step.as_str(), s.status, s.stuck.is_none()), ("await_stock", WorkflowStatus::Running, true));
    let why = blocking_reason(&s).expect("blocked");
    assert!(why.contains("waiting for stock") && why.contains("SKU-A"), "{why}");
}

#[test]
fn under_the_ship_policy_a_shortage_is_retried_then_fails() {
    let (d, s) = when(&allocating(start(OnPickTimeout::Requeue)), short_of_stock());
    assert!(matches!(d.effects[..], [Effect::RunActivity { attempt: 2, not_before: Some(_), .. }]), "{d:?}");
    assert!(s.short_of_stock().is_none());
}

#[test]
fn stock_arriving_a_retry_or_the_recheck_allocates_again_and_nothing_else_does() {
    let (_, waiting) = when(&allocating(backordering()), short_of_stock());
    for input in [
        Input::Signal(Signal::StockArrived),
        Input::TimerFired { name: STOCK_RECHECK.into() },
        Input::Signal(Signal::Retry),
    ] {
        let d = decide(&waiting, &input, now()).expect("decides");
        assert!(d.effects.contains(&run(Activity::AllocateInventory)), "{input:?}: {d:?}");
        let after = d.events.iter().fold(waiting.clone(), evolve);
        assert_eq!((&after.step, after.short_of_stock()), (&Step::AllocateInventory, None));
    }
    // Stock arriving for a fulfillment that is not waiting decides nothing.
    let busy = given(&awaiting_pick());
    assert_eq!(decide(&busy, &Input::Signal(Signal::StockArrived), now()).expect("ok"), Decision::default());
}

#[test]
fn a_cancel_while_waiting_ends_it_and_drops_the_recheck() {
    let (_, waiting) = when(&allocating(backordering()), short_of_stock());
    let cancel = Input::Signal(Signal::CancelOrder { reason: "customer".into() });
    let d = decide(&waiting, &cancel, now()).expect("cancel");
    assert!(d.effects.contains(&Effect::CancelTimer { name: STOCK_RECHECK.into() }), "{d:?}");
    assert!(d.effects.contains(&run(Activity::ReleaseInventory { reason: "customer".into() })), "{d:?}");
}

#[test]
fn after_the_pick_the_missing_units_become_a_backorder_with_the_same_settings() {
    let mut h = awaiting_pick();
    h[0] = Event::Started(backordering());
    h.push(Event::PickCompleted { task_id: 40, units: 3 });
    h.push(sched(Activity::ConsumeInventory));
    let (d, s) = when(&h, done(Activity::ConsumeInventory, ActivityResult::Consumed { units: 3 }));
    assert_eq!(d.effects, vec![run(Activity::CreateBackorder)]);
    h.extend(d.events);
    let made = ActivityResult::Backorder { fulfillment_id: Some(9), units: 1 };
    let (d, s2) = when(&h, done(Activity::CreateBackorder, made));
    let child = FulfillmentStart { fulfillment_id: 9, ..backordering() };
    assert_eq!(d.effects, vec![Effect::StartFulfillment(child)], "then waits for the pack");
    assert_eq!((s.step, s2.step), (Step::AwaitPack, Step::AwaitPack));
    // Nothing missing: no backorder, and a pack already done goes on.
    h.push(Event::PackCompleted { task_id: 50, packages: 1 });
    let none = ActivityResult::Backorder { fulfillment_id: None, units: 0 };
    let (d, _) = when(&h, done(Activity::CreateBackorder, none));
    assert_eq!(d.effects, vec![run(Activity::PlanShipment)]);
}
