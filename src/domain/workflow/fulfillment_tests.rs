//! Given a history, when an input arrives, then this decision.

use super::*;
use crate::domain::order::Address;
use crate::domain::workflow::Settings;
use chrono::TimeZone;

fn now() -> Timestamp {
    chrono::Utc.with_ymd_and_hms(2026, 11, 23, 8, 0, 0).single().expect("time")
}

fn start(on_timeout: OnPickTimeout) -> FulfillmentStart {
    FulfillmentStart {
        fulfillment_id: 3,
        order_id: 2,
        settings: Settings { pick_timeout_secs: 600, on_pick_timeout: on_timeout, ..Settings::default() },
    }
}

fn given(events: &[Event]) -> State {
    events.iter().fold(State::default(), evolve)
}

fn when(events: &[Event], input: Input<FulfillmentStart>) -> (Decision<Event>, State) {
    let s = given(events);
    let d = decide(&s, &input, now()).expect("decides");
    let after = d.events.iter().fold(s, evolve);
    (d, after)
}

fn run(a: Activity) -> Effect {
    Effect::RunActivity { activity: a, attempt: 1, not_before: None }
}

fn done(a: Activity, r: ActivityResult) -> Input<FulfillmentStart> {
    Input::ActivityDone { activity: a, result: r }
}

fn fail(a: Activity, attempt: u32, retryable: bool) -> Input<FulfillmentStart> {
    let error = ActivityError { code: "E900".into(), message: "down".into(), retryable, shortage: false };
    Input::ActivityFailed { activity: a, attempt, error, jitter_permille: 0 }
}

fn sched(a: Activity) -> Event {
    Event::Scheduled { activity: a, attempt: 1 }
}

fn ok(a: Activity, r: ActivityResult) -> Event {
    Event::Completed { activity: a, result: r }
}

fn timer_at(secs: i64) -> Effect {
    Effect::StartTimer { name: PICK_TIMEOUT.into(), at: now() + chrono::Duration::seconds(secs) }
}

/// The history up to waiting for the pick of task 40.
fn awaiting_pick() -> Vec<Event> {
    vec![
        Event::Started(start(OnPickTimeout::Requeue)),
        sched(Activity::AllocateInventory),
        ok(Activity::AllocateInventory, ActivityResult::Allocated { units: 4 }),
        sched(Activity::MarkReserved),
        ok(Activity::MarkReserved, ActivityResult::Done),
        sched(Activity::CreatePickWork),
        ok(Activity::CreatePickWork, ActivityResult::PickWork { task_id: 40 }),
    ]
}

fn awaiting_pack() -> Vec<Event> {
    let mut h = awaiting_pick();
    h.push(Event::PickCompleted { task_id: 40, units: 4 });
    h.push(sched(Activity::ConsumeInventory));
    h.push(ok(Activity::ConsumeInventory, ActivityResult::Consumed { units: 4 }));
    h
}

/// The planned carrier request the CreateShipment call carries.
fn request() -> Box<crate::domain::shipment::ShipmentRequest> {
    Box::new(crate::domain::shipment::ShipmentRequest {
        idempotency_key: "shipment-3".into(),
        order_id: 2,
        warehouse_id: 1,
        warehouse_code: "W1".into(),
        provider: "local".into(),
        from: Default::default(),
        to: Default::default(),
        packages: vec![],
    })
}

fn create() -> Activity {
    Activity::CreateShipment { request: Some(request()) }
}

fn confirm() -> Activity {
    Activity::ConfirmShipment { tracking: vec!["RR000000017RS".into()] }
}

fn shipment() -> ActivityResult {
    ActivityResult::Shipment { carrier: "local".into(), tracking: vec!["RR000000017RS".into()], shipment_ids: vec![] }
}

fn creating_shipment() -> Vec<Event> {
    let mut h = awaiting_pack();
    h.push(Event::PackCompleted { task_id: 50, packages: 1 });
    h.push(sched(Activity::PlanShipment));
    h.push(ok(Activity::PlanShipment, ActivityResult::ShipmentPlanned { request: request() }));
    h.push(sched(create()));
    h
}

fn labelled() -> Vec<Event> {
    let mut h = creating_shipment();
    h.push(ok(create(), shipment()));
    h.push(sched(Activity::GenerateLabel));
    h.push(ok(Activity::GenerateLabel, ActivityResult::Labelled { labels: 1 }));
    h
}

#[test]
fn start_allocates_and_a_second_start_decides_nothing() {
    let (d, s) = when(&[], Input::Start(start(OnPickTimeout::Requeue)));
    assert_eq!(d.effects, vec![run(Activity::AllocateInventory)]);
    assert_eq!(s.step, Step::AllocateInventory);
    let again = decide(&s, &Input::Start(start(OnPickTimeout::Requeue)), now()).expect("again");
    assert_eq!(again, Decision::default());
}

#[test]
fn each_step_of_the_happy_path_asks_for_the_next() {
    let h = &awaiting_pick()[..2];
    assert_eq!(
        when(h, done(Activity::AllocateInventory, ActivityResult::Allocated { units: 4 })).0.effects,
        vec![run(Activity::MarkReserved)]
    );
    let h = &awaiting_pick()[..4];
    assert_eq!(
        when(h, done(Activity::MarkReserved, ActivityResult::Done)).0.effects,
        vec![run(Activity::CreatePickWork)]
    );
    let h = &awaiting_pick()[..6];
    let (d, s) = when(h, done(Activity::CreatePickWork, ActivityResult::PickWork { task_id: 40 }));
    assert_eq!(d.effects, vec![timer_at(600)]);
    assert_eq!(s.step, Step::AwaitPick { task: 40, failed: None });
    assert_eq!(blocking_reason(&s).as_deref(), Some("waiting for picking task 40 (PickCompleted)"));
}

/// A pick timeout too large for a timestamp (`u64::MAX` seconds) starts
/// no timer instead of overflowing.
#[test]
fn a_pick_timeout_beyond_any_date_starts_no_timer() {
    let huge = FulfillmentStart {
        settings: Settings { pick_timeout_secs: u64::MAX, ..start(OnPickTimeout::Fail).settings },
        ..start(OnPickTimeout::Fail)
    };
    let mut h = awaiting_pick();
    h[0] = Event::Started(huge);
    let (d, s) = when(&h[..6], done(Activity::CreatePickWork, ActivityResult::PickWork { task_id: 40 }));
    assert_eq!((d.effects, s.step), (vec![], Step::AwaitPick { task: 40, failed: None }));
    let policy = create().policy();
    let far = chrono::DateTime::<chrono::Utc>::MAX_UTC - chrono::Duration::seconds(1);
    assert!(policy.next_attempt_at(1, far, 1000).is_some_and(|t| t >= far));
}

#[test]
fn pick_completed_cancels_the_timer_and_consumes_then_waits_for_the_pack() {
    let (d, s) = when(&awaiting_pick(), Input::Signal(Signal::PickCompleted { task_id: 40, units: 4 }));
    assert_eq!(d.effects, vec![Effect::CancelTimer { name: PICK_TIMEOUT.into() }, run(Activity::ConsumeInventory)]);
    assert_eq!(s.step, Step::ConsumeInventory);
    // A PickCompleted for another task, or a second one, changes nothing.
    let other = when(&awaiting_pick(), Input::Signal(Signal::PickCompleted { task_id: 41, units: 4 })).0;
    assert_eq!(other, Decision::default());
    let mut h = awaiting_pick();
    h.extend(d.events);
    assert_eq!(when(&h, Input::Signal(Signal::PickCompleted { task_id: 40, units: 4 })).0, Decision::default());
    let (d, s) = when(&h, done(Activity::ConsumeInventory, ActivityResult::Consumed { units: 4 }));
    assert!(d.effects.is_empty());
    assert_eq!(s.step, Step::AwaitPack);
}

#[test]
fn pack_completed_creates_the_shipment_then_label_confirm_dock_and_ship() {
    let (d, s) = when(&awaiting_pack(), Input::Signal(Signal::PackCompleted { task_id: 50, packages: 1 }));
    assert_eq!(d.effects, vec![run(Activity::PlanShipment)]);
    assert!(!s.shipment_pending(), "nothing is asked of the carrier before the plan");
    let mut h = awaiting_pack();
    h.extend(d.events);
    // The carrier call carries the plan: the engine needs nothing else.
    let (d, s) = when(&h, done(Activity::PlanShipment, ActivityResult::ShipmentPlanned { request: request() }));
    assert_eq!(d.effects, vec![run(create())]);
    assert!(s.shipment_pending());
    assert_eq!(blocking_reason(&s).as_deref(), Some("waiting for the carrier: create_shipment"));
    let (d, s) = when(&creating_shipment(), done(create(), shipment()));
    assert_eq!(d.effects, vec![run(Activity::GenerateLabel)]);
    assert_eq!(s.tracking(), ["RR000000017RS".to_owned()]);
    let (d, _) = when(&labelled(), done(Activity::GenerateLabel, ActivityResult::Labelled { labels: 1 }));
    assert_eq!(d.effects, Vec::<Effect>::new(), "a repeated result is stale");
    let mut h = labelled();
    h.push(sched(confirm()));
    let (d, s) = when(&h, done(confirm(), ActivityResult::Done));
    assert_eq!(d.effects, Vec::<Effect>::new(), "labelled and confirmed, the parcel waits at the dock");
    assert_eq!(s.step, Step::AwaitDispatch);
    assert!(blocking_reason(&s).is_some_and(|b| b.contains("0 of 1 parcel")), "{:?}", blocking_reason(&s));
    h.push(ok(confirm(), ActivityResult::Done));
    // A parcel of another shipment is refused; this one ships the order.
    let other = decide(&s, &Input::Signal(Signal::Dispatched { tracking: vec!["XX1".into()] }), now());
    assert!(other.is_err(), "{other:?}");
    let (d, s) = when(&h, Input::Signal(Signal::Dispatched { tracking: vec!["RR000000017RS".into()] }));
    assert_eq!(d.effects, vec![run(Activity::MarkShipped)]);
    assert_eq!(s.dispatched(), ["RR000000017RS".to_owned()]);
    let cancel = decide(&s, &Input::Signal(Signal::CancelOrder { reason: "late".into() }), now());
    assert!(cancel.is_err(), "the parcel left: {cancel:?}");
    h.extend(d.events);
    // A second scan of the same parcel decides nothing.
    assert_eq!(
        when(&h, Input::Signal(Signal::Dispatched { tracking: vec!["RR000000017RS".into()] })).0.effects,
        vec![]
    );
    let (d, s) = when(&h, done(Activity::MarkShipped, ActivityResult::Done));
    assert_eq!(d.effects, vec![Effect::Finish { status: WorkflowStatus::Completed }]);
    assert_eq!((s.status, &s.step), (WorkflowStatus::Completed, &Step::Done { reason: None }));
    assert_eq!(blocking_reason(&s), None);
}

#[test]
fn a_pack_that_finishes_before_consume_is_remembered() {
    let mut h = awaiting_pick();
    h.push(Event::PickCompleted { task_id: 40, units: 4 });
    h.push(sched(Activity::ConsumeInventory));
    let (d, s) = when(&h, Input::Signal(Signal::PackCompleted { task_id: 50, packages: 1 }));
    assert!(d.effects.is_empty());
    assert!(s.packed());
    h.extend(d.events);
    let (d, _) = when(&h, done(Activity::ConsumeInventory, ActivityResult::Consumed { units: 4 }));
    assert_eq!(d.effects, vec![run(Activity::PlanShipment)]);
}

#[test]
fn a_retryable_failure_backs_off_and_then_gets_stuck_until_a_retry_signal() {
    let h = creating_shipment();
    let (d, s) = when(&h, fail(create(), 1, true));
    let at = now() + chrono::Duration::milliseconds(500);
    assert_eq!(d.effects, vec![Effect::RunActivity { activity: create(), attempt: 2, not_before: Some(at) }]);
    assert!(wants(&s, &create(), 2) && !wants(&s, &create(), 1));
    assert!(blocking_reason(&s).is_some_and(|b| b.contains("create_shipment attempt 1 failed: E900 down")));
    // The last attempt fails: stuck, no effect, the reason says what to do.
    let max = create().policy().max_attempts;
    let mut h2 = h.clone();
    h2.push(Event::Failed { activity: create(), attempt: max - 1, error: "x".into(), retry_at: Some(at) });
    let (d, s) = when(&h2, fail(create(), max, true));
    assert!(d.effects.is_empty());
    assert!(blocking_reason(&s).is_some_and(|b| b.ends_with("waiting for a retry or a cancel")), "{s:?}");
    h2.extend(d.events);
    // A retry plans the booking again (what was mended goes into the request).
    let (d, _) = when(&h2, Input::Signal(Signal::Retry));
    assert_eq!(d.effects, vec![run(Activity::PlanShipment)]);
    // A non-retryable failure is stuck at once.
    let (d, s) = when(&h, fail(create(), 1, false));
    assert!(d.effects.is_empty());
    assert!(s.stuck.is_some());
}

#[test]
fn allocation_that_fails_for_good_releases_and_fails_the_workflow() {
    let h = &awaiting_pick()[..2];
    let (d, s) = when(h, fail(Activity::AllocateInventory, 1, false));
    let reason = "allocation failed: E900 down".to_owned();
    assert_eq!(d.effects, vec![run(Activity::ReleaseInventory { reason: reason.clone() })]);
    let mut h = h.to_vec();
    h.extend(d.events);
    assert_eq!(s.step, Step::Compensate);
    let (d, s) = when(&h, done(Activity::ReleaseInventory { reason }, ActivityResult::Done));
    assert_eq!(d.effects, vec![Effect::Finish { status: WorkflowStatus::Failed }]);
    assert_eq!(s.status, WorkflowStatus::Failed);
}

#[test]
fn pick_timeout_requeues_or_fails_as_configured() {
    let (d, _) = when(&awaiting_pick(), Input::TimerFired { name: PICK_TIMEOUT.into() });
    assert_eq!(d.effects, vec![run(Activity::RequeuePick)]);
    let mut h = awaiting_pick();
    h.extend(d.events);
    let (d, s) = when(&h, done(Activity::RequeuePick, ActivityResult::PickWork { task_id: 41 }));
    assert_eq!(d.effects, vec![timer_at(600)]);
    assert_eq!(s.step, Step::AwaitPick { task: 41, failed: None });

    let mut h = awaiting_pick();
    h[0] = Event::Started(start(OnPickTimeout::Fail));
    let (d, s) = when(&h, Input::TimerFired { name: PICK_TIMEOUT.into() });
    let reason = "pick not completed within 600 s".to_owned();
    assert_eq!(d.effects, vec![run(Activity::ReleaseInventory { reason: reason.clone() })]);
    h.extend(d.events);
    let (d, f) = when(&h, done(Activity::ReleaseInventory { reason: reason.clone() }, ActivityResult::Done));
    assert_eq!(d.effects, vec![Effect::Finish { status: WorkflowStatus::Failed }]);
    assert_eq!((f.status, f.step), (WorkflowStatus::Failed, Step::Done { reason: Some(reason) }));
    assert_eq!(s.step, Step::Compensate);
    // A timer that fires after the pick completed is ignored.
    let (d, _) = when(&awaiting_pack(), Input::TimerFired { name: PICK_TIMEOUT.into() });
    assert_eq!(d, Decision::default());
}

#[test]
fn a_failed_pick_waits_and_a_retry_makes_new_pick_work() {
    let (d, s) =
        when(&awaiting_pick(), Input::Signal(Signal::PickFailed { task_id: 40, reason: "nothing picked".into() }));
    assert_eq!(d.effects, vec![Effect::CancelTimer { name: PICK_TIMEOUT.into() }]);
    assert_eq!(blocking_reason(&s).as_deref(), Some("pick failed: nothing picked; waiting for a retry or a cancel"));
    let mut h = awaiting_pick();
    h.extend(d.events);
    // Retried outside (RetryPicking made task 41):
    let (d, s) = when(&h, Input::Signal(Signal::PickRetried { task_id: 41 }));
    assert_eq!(d.effects, vec![timer_at(600)]);
    assert_eq!(s.step, Step::AwaitPick { task: 41, failed: None });
    // Or by the Retry signal:
    let (d, _) = when(&h, Input::Signal(Signal::Retry));
    assert_eq!(d.effects, vec![run(Activity::RequeuePick)]);
}

#[test]
fn cancel_before_shipment_releases_and_ends_cancelled() {
    let (d, s) = when(&awaiting_pick(), Input::Signal(Signal::CancelOrder { reason: "customer".into() }));
    assert_eq!(
        d.effects,
        vec![
            Effect::CancelTimer { name: PICK_TIMEOUT.into() },
            run(Activity::ReleaseInventory { reason: "customer".into() })
        ]
    );
    let mut h = awaiting_pick();
    h.extend(d.events);
    // Late signals change nothing while compensating.
    assert_eq!(when(&h, Input::Signal(Signal::PickCompleted { task_id: 40, units: 4 })).0, Decision::default());
    assert_eq!(when(&h, Input::Signal(Signal::CancelOrder { reason: "again".into() })).0, Decision::default());
    let (d, f) = when(&h, done(Activity::ReleaseInventory { reason: "customer".into() }, ActivityResult::Done));
    assert_eq!(d.effects, vec![Effect::Finish { status: WorkflowStatus::Cancelled }]);
    assert_eq!((f.status, f.step), (WorkflowStatus::Cancelled, Step::Done { reason: Some("customer".into()) }));
    assert_eq!(s.step, Step::Compensate);
}

#[test]
fn cancel_after_the_label_voids_the_shipment() {
    let mut h = labelled();
    h.push(sched(confirm()));
    let (d, _) = when(&h, Input::Signal(Signal::CancelOrder { reason: "fraud".into() }));
    h.extend(d.events);
    let (d, _) = when(&h, done(Activity::ReleaseInventory { reason: "fraud".into() }, ActivityResult::Done));
    let void = Activity::VoidShipment { tracking: vec!["RR000000017RS".into()] };
    assert_eq!(d.effects, vec![run(void.clone())]);
    h.extend(d.events);
    // The confirm that was under way comes back: stale.
    assert_eq!(when(&h, done(confirm(), ActivityResult::Done)).0.effects, vec![]);
    let (d, s) = when(&h, done(void, ActivityResult::Done));
    assert_eq!(d.effects, vec![Effect::Finish { status: WorkflowStatus::Cancelled }]);
    assert!(s.ending.is_some_and(|e| e.voided));
}

#[test]
fn cancel_while_the_carrier_is_creating_waits_for_its_answer() {
    let mut h = creating_shipment();
    let (d, _) = when(&h, Input::Signal(Signal::CancelOrder { reason: "customer".into() }));
    h.extend(d.events);
    let (d, s) = when(&h, done(Activity::ReleaseInventory { reason: "customer".into() }, ActivityResult::Done));
    assert!(d.effects.is_empty(), "waits for the carrier: {d:?}");
    assert!(blocking_reason(&s).is_some_and(|b| b.contains("create_shipment")));
    h.extend(d.events);
    // The shipment was made after all: void it.
    let (d, _) = when(&h, done(create(), shipment()));
    assert_eq!(d.effects, vec![run(Activity::VoidShipment { tracking: vec!["RR000000017RS".into()] })]);
    // Or the carrier call never happened (superseded): end cancelled, no retry.
    let (d, s) = when(&h, fail(create(), 1, true));
    assert_eq!(d.effects, vec![Effect::Finish { status: WorkflowStatus::Cancelled }]);
    assert!(!s.shipment_pending());
}

#[test]
fn update_address_is_taken_until_a_shipment_is_under_way() {
    let to = Address { street: "2 New St".into(), ..Address::default() };
    let (d, _) = when(&awaiting_pack(), Input::Signal(Signal::UpdateAddress { ship_to: to.clone() }));
    assert!(matches!(d.events.as_slice(), [Event::AddressUpdated { ship_to: Some(_) }]), "{:?}", d.events);
    assert_eq!(d.effects, vec![run(Activity::UpdateAddress { ship_to: to.clone() })]);
    let e = decide(&given(&creating_shipment()), &Input::Signal(Signal::UpdateAddress { ship_to: to.clone() }), now());
    assert!(e.is_err_and(|e| e.to_string().contains("being created")));
    let e =
        decide(&given(&labelled()), &Input::Signal(Signal::UpdateAddress { ship_to: to }), now()).expect_err("refused");
    assert_eq!(e.code(), "E601");
    assert!(e.to_string().contains("a shipping label exists (tracking RR000000017RS)"), "{e}");
}

#[test]
fn a_finished_workflow_ignores_late_inputs_and_refuses_retries() {
    let mut h = awaiting_pick();
    h.push(Event::Finished { status: WorkflowStatus::Cancelled, reason: None });
    assert_eq!(when(&h, Input::Signal(Signal::PickCompleted { task_id: 40, units: 1 })).0, Decision::default());
    assert_eq!(when(&h, Input::TimerFired { name: PICK_TIMEOUT.into() }).0, Decision::default());
    assert!(decide(&given(&h), &Input::Signal(Signal::Retry), now()).is_err());
}

/// A recorded history, replayed through `evolve`, gives the state that was
/// built step by step while deciding.
#[test]
fn replaying_a_recorded_history_gives_the_same_state() {
    let inputs = vec![
        Input::Start(start(OnPickTimeout::Requeue)),
        done(Activity::AllocateInventory, ActivityResult::Allocated { units: 4 }),
        done(Activity::MarkReserved, ActivityResult::Done),
        done(Activity::CreatePickWork, ActivityResult::PickWork { task_id: 40 }),
        Input::Signal(Signal::UpdateAddress { ship_to: Address::default() }),
        Input::Signal(Signal::PickCompleted { task_id: 40, units: 4 }),
        done(Activity::ConsumeInventory, ActivityResult::Consumed { units: 4 }),
        Input::Signal(Signal::PackCompleted { task_id: 50, packages: 1 }),
        done(Activity::PlanShipment, ActivityResult::ShipmentPlanned { request: request() }),
        fail(create(), 1, true),
        done(create(), shipment()),
        done(Activity::GenerateLabel, ActivityResult::Labelled { labels: 1 }),
        done(confirm(), ActivityResult::Done),
        Input::Signal(Signal::Dispatched { tracking: vec!["RR000000017RS".into()] }),
        done(Activity::MarkShipped, ActivityResult::Done),
    ];
    let mut live = State::default();
    let mut history = Vec::new();
    for input in &inputs {
        let d = decide(&live, input, now()).expect("decides");
        for e in d.events {
            live = evolve(live, &e);
            history.push(e);
        }
    }
    assert_eq!(live.status, WorkflowStatus::Completed);
    // The engine keeps the history as JSON and folds it back the same way
    // (tests/workflows.rs checks that round trip on a real store).
    let replayed = history.iter().fold(State::default(), evolve);
    assert_eq!(replayed, live);
    assert_eq!(history.iter().filter(|e| matches!(e, Event::Failed { .. })).count(), 1);
}

/// Scheduling a step drops the other queued attempts but its own and a
/// pending carrier call for a shipment; an address change drops nothing.
#[test]
fn a_new_step_supersedes_queued_attempts_but_a_shipment_call() {
    assert_eq!(Activity::GenerateLabel.keeps_queued(), Some(["generate_label", "create_shipment"]));
    assert_eq!(
        Activity::ReleaseInventory { reason: "x".into() }.keeps_queued(),
        Some(["release_inventory", "create_shipment"])
    );
    assert_eq!(Activity::UpdateAddress { ship_to: Address::default() }.keeps_queued(), None);
}

#[path = "fulfillment_backorder_tests.rs"]
mod backorder;
