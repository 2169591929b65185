//! The fulfillment decider's decisions, pinned. A workflow running on
//! Temporal replays its history through the decider of the build that
//! runs it, so a build that decides differently for the same inputs breaks
//! the workflows already running (a non-determinism error on the cluster).
//! These tests fail on any change of a decision: named scripts show what
//! changed in a readable snapshot, and a digest of 2,000 steered input
//! sequences catches the rest. A change that fails them needs a version
//! gate for running workflows, or a note of why none runs (ADR 0046).

#[path = "common/deciders.rs"]
mod deciders;

use deciders::{address, at, request};

use sha2::{Digest, Sha256};
use tote::domain::workflow::definition::{Fulfillment, Intake, Workflow};
use tote::domain::workflow::fulfillment::State;
use tote::domain::workflow::intake::IntakeStart;
use tote::domain::workflow::{
    Activity, ActivityError, ActivityResult, FulfillmentStart, Input, OnPickTimeout, PICK_TIMEOUT, Running,
    STOCK_RECHECK, Settings, ShortPolicy, Signal,
};

fn start(policy: ShortPolicy, on_timeout: OnPickTimeout) -> FulfillmentStart {
    FulfillmentStart {
        fulfillment_id: 3,
        order_id: 2,
        settings: Settings {
            pick_timeout_secs: 600,
            on_pick_timeout: on_timeout,
            short_policy: policy,
            ..Settings::default()
        },
    }
}

/// A result of the kind `a`'s handler returns.
fn fitting(a: &Activity, k: u8) -> ActivityResult {
    use ActivityResult as R;
    match a {
        Activity::CreateOrder => R::OrderCreated { order_id: 2, fulfillments: vec![3] },
        Activity::AllocateInventory => R::Allocated { units: 2 },
        Activity::CreatePickWork | Activity::RequeuePick => R::PickWork { task_id: 40 + i64::from(k % 3) },
        Activity::RequeuePack => R::PackWork { task_id: 50 + i64::from(k % 2) },
        Activity::ConsumeInventory => R::Consumed { units: 2 },
        Activity::PlanShipment => R::ShipmentPlanned { request: request() },
        Activity::CreateShipment { .. } => {
            R::Shipment { carrier: "local".into(), tracking: vec!["RR1".into()], shipment_ids: vec![] }
        }
        Activity::GenerateLabel => R::Labelled { labels: 1 },
        Activity::ReleaseInventory { .. } => R::Released { released: 1, returned: 0, tasks_cancelled: 1 },
        Activity::CreateBackorder => R::Backorder { fulfillment_id: k.is_multiple_of(2).then_some(9), units: 1 },
        Activity::ValidateOrder
        | Activity::MarkReserved
        | Activity::ConfirmShipment { .. }
        | Activity::MarkShipped
        | Activity::UpdateAddress { .. }
        | Activity::VoidShipment { .. } => R::Done,
    }
}

fn signal(k: u8) -> Signal {
    let (t, p) = (40 + i64::from(k % 3), 50 + i64::from(k % 2));
    match (k / 3) % 12 {
        0 => Signal::PickCompleted { task_id: t, units: 2 },
        1 => Signal::PickFailed { task_id: t, reason: "short".into() },
        2 => Signal::PickRetried { task_id: t },
        3 => Signal::PackStarted { task_id: p },
        4 => Signal::PackCompleted { task_id: p, packages: 1 },
        5 => Signal::PackFailed { task_id: p, reason: "damaged".into() },
        6 => Signal::CancelOrder { reason: "customer".into() },
        7 => Signal::UpdateAddress { ship_to: address() },
        8 => Signal::Dispatched { tracking: vec!["RR1".into()] },
        9 => Signal::Dispatched { tracking: vec!["XX9".into()] },
        10 => Signal::StockArrived,
        _ => Signal::Retry,
    }
}

/// The next input, steered by `(kind, k, j)`: mostly the running activity's
/// result or failure (so that runs reach the dock, cancels, retries and
/// stuck steps), else a floor signal or a timer.
fn steered<S>(at: (bool, Option<Running>), (kind, k, j): (u8, u8, u8), first: S) -> Input<S> {
    let (started, running) = at;
    if !started {
        return Input::Start(first);
    }
    match (kind % 10, running) {
        (0..=3, Some(r)) => Input::ActivityDone { result: fitting(&r.activity, k), activity: r.activity },
        (4, Some(r)) => Input::ActivityFailed {
            attempt: if j.is_multiple_of(4) { r.attempt + 1 } else { r.attempt },
            activity: r.activity,
            error: ActivityError {
                code: "E901".into(),
                message: "down".into(),
                retryable: j % 2 == 0,
                shortage: j % 3 == 0,
            },
            jitter_permille: u16::from(j),
        },
        (5, _) => Input::TimerFired { name: [PICK_TIMEOUT, STOCK_RECHECK, "other"][usize::from(k % 3)].to_owned() },
        _ => Input::Signal(signal(k)),
    }
}

/// Feeds `inputs` in order; one line per input: the input, then what was
/// decided (events and effects) or the refusal.
fn run(inputs: impl IntoIterator<Item = Input<FulfillmentStart>>) -> String {
    let mut s = State::default();
    let mut out = String::new();
    for (n, input) in inputs.into_iter().enumerate() {
        out.push_str(&decide::<Fulfillment>(&mut s, &input, n));
    }
    out
}

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|e| format!("<{e}>"))
}

fn decide<W: Workflow>(s: &mut W::State, input: &Input<W::Start>, n: usize) -> String {
    let line = match W::decide(s, input, at(n)) {
        Ok(d) => {
            let line = format!("  events {}\n  effects {}\n", json(&d.events), json(&d.effects));
            *s = d.events.iter().fold(std::mem::take(s), W::evolve);
            line
        }
        Err(e) => format!("  error {e}\n"),
    };
    format!("{}\n{line}", json(input))
}

fn done(activity: Activity) -> Input<FulfillmentStart> {
    Input::ActivityDone { result: fitting(&activity, 0), activity }
}

fn sig(s: Signal) -> Input<FulfillmentStart> {
    Input::Signal(s)
}

#[test]
fn from_the_start_to_the_truck() {
    let create = Activity::CreateShipment { request: Some(request()) };
    insta::assert_snapshot!(run([
        Input::Start(start(ShortPolicy::default(), OnPickTimeout::Requeue)),
        done(Activity::AllocateInventory),
        done(Activity::MarkReserved),
        done(Activity::CreatePickWork),
        sig(Signal::PickCompleted { task_id: 40, units: 2 }),
        sig(Signal::PackStarted { task_id: 50 }),
        done(Activity::ConsumeInventory),
        sig(Signal::PackCompleted { task_id: 50, packages: 1 }),
        done(Activity::PlanShipment),
        done(create),
        done(Activity::GenerateLabel),
        done(Activity::ConfirmShipment { tracking: vec!["RR1".into()] }),
        sig(Signal::Dispatched { tracking: vec!["RR1".into()] }),
        done(Activity::MarkShipped),
    ]));
}

#[test]
fn a_failed_pick_retried_then_a_cancel_after_the_label() {
    let create = Activity::CreateShipment { request: Some(request()) };
    insta::assert_snapshot!(run([
        Input::Start(start(ShortPolicy::default(), OnPickTimeout::Fail)),
        done(Activity::AllocateInventory),
        done(Activity::MarkReserved),
        done(Activity::CreatePickWork),
        sig(Signal::PickFailed { task_id: 40, reason: "short".into() }),
        sig(Signal::Retry),
        done(Activity::RequeuePick),
        sig(Signal::PickCompleted { task_id: 40, units: 2 }),
        sig(Signal::PackCompleted { task_id: 50, packages: 1 }),
        done(Activity::ConsumeInventory),
        done(Activity::PlanShipment),
        Input::ActivityFailed {
            activity: create.clone(),
            attempt: 1,
            error: ActivityError { code: "E901".into(), message: "down".into(), retryable: true, shortage: false },
            jitter_permille: 500,
        },
        done(create),
        sig(Signal::UpdateAddress { ship_to: address() }),
        done(Activity::GenerateLabel),
        sig(Signal::CancelOrder { reason: "customer".into() }),
        done(Activity::ReleaseInventory { reason: "customer".into() }),
        done(Activity::VoidShipment { tracking: vec!["RR1".into()] }),
    ]));
}

#[test]
fn short_of_stock_under_the_backorder_policy_waits_then_allocates() {
    insta::assert_snapshot!(run([
        Input::Start(start(ShortPolicy::Backorder, OnPickTimeout::Requeue)),
        Input::ActivityFailed {
            activity: Activity::AllocateInventory,
            attempt: 1,
            error: ActivityError { code: "E201".into(), message: "short".into(), retryable: true, shortage: true },
            jitter_permille: 0,
        },
        Input::TimerFired { name: STOCK_RECHECK.into() },
        done(Activity::AllocateInventory),
        done(Activity::MarkReserved),
        done(Activity::CreatePickWork),
        Input::TimerFired { name: PICK_TIMEOUT.into() },
        done(Activity::RequeuePick),
    ]));
}

/// The digest of every decision of `runs` steered sequences of up to
/// `longest` inputs, each started by `first`; `at` says whether a state
/// has started and what it runs.
fn corpus<W: Workflow>(
    runs: usize,
    longest: u64,
    first: impl Fn(&mut dyn FnMut() -> u64) -> W::Start,
    at: impl Fn(&W::State) -> (bool, Option<Running>),
) -> String {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut digest = Sha256::new();
    for _ in 0..runs {
        let start = first(&mut next);
        let mut s = W::State::default();
        for n in 0..(1 + next() % longest) as usize {
            let v = next().to_le_bytes();
            let input = steered(at(&s), (v[0], v[1], v[2]), start.clone());
            digest.update(decide::<W>(&mut s, &input, n).as_bytes());
        }
    }
    digest.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// 2,000 steered sequences of up to 120 inputs, both policies and both
/// timeout rules: the digest of every decision.
#[test]
fn every_decision_of_a_steered_corpus() {
    let first = |next: &mut dyn FnMut() -> u64| {
        let policy = if next().is_multiple_of(2) { ShortPolicy::Backorder } else { ShortPolicy::default() };
        let timeout = if next().is_multiple_of(2) { OnPickTimeout::Requeue } else { OnPickTimeout::Fail };
        start(policy, timeout)
    };
    let hex = corpus::<Fulfillment>(2000, 120, first, |s| (s.start.is_some(), s.running.clone()));
    insta::assert_snapshot!(hex);
}

/// The intake decider's decisions: 500 steered sequences of up to 12 inputs.
#[test]
fn every_intake_decision_of_a_steered_corpus() {
    let first = |_: &mut dyn FnMut() -> u64| IntakeStart { request_id: "r-1".into(), settings: Settings::default() };
    let hex = corpus::<Intake>(500, 12, first, |s| (s.start.is_some(), s.running.clone()));
    insta::assert_snapshot!(hex);
}
