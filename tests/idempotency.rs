//! Every mutation is idempotent by op id: a repeat returns the stored
//! outcome and changes nothing.

mod common;
use common::{Fixture, accepted, order};
use tote::app::floor_op::PickScans;
use tote::app::{AppError, Command};

fn ready_to_pick(f: &Fixture) -> (i64, i64) {
    let (_, tasks) = accepted(&f.ok(order("r-1", &[("SKU-A", 3, "W1")])));
    let task = tasks[0].1;
    f.ok(Command::AssignPicking { task_id: task, worker_id: f.picker });
    let tote::app::Outcome::Picking { next_item_id: Some(item), .. } =
        f.ok(Command::StartPicking { task_id: task, worker_id: f.picker })
    else {
        panic!("no next item")
    };
    (task, item)
}

/// The picker's pick of `quantity` on the task's item, scanned at `location`.
fn pick_at(f: &Fixture, (task, item): (i64, i64), location: &str, quantity: u32, tote: Option<String>) -> Command {
    Command::PickItem {
        task_id: task,
        item_id: item,
        worker_id: Some(f.picker),
        scan: PickScans { tote, ..PickScans::new(location, "SKU-A", quantity) },
    }
}

#[test]
fn the_same_pick_op_twice_changes_stock_once_and_returns_the_same_result() {
    let f = Fixture::new();
    let (task, item) = ready_to_pick(&f);
    let pick = pick_at(&f, (task, item), "A-01", 2, None);
    let before = f.stock();
    let first = f.svc.execute("pick-1", &pick).expect("first pick");
    let after_first = f.stock();
    let events_after_first = f.count("outbox_events");
    let second = f.svc.execute("pick-1", &pick).expect("repeat");
    assert_eq!(first, second);
    assert_eq!(f.stock(), after_first, "the repeat moved no stock");
    assert_eq!(f.count("outbox_events"), events_after_first, "the repeat wrote no events");
    assert_eq!(after_first.0, before.0 - 2, "two units left the shelf once");
}

#[test]
fn a_rejected_op_replays_its_rejection_and_an_op_id_cannot_be_reused() {
    let f = Fixture::new();
    let (task, item) = ready_to_pick(&f);
    let wrong = pick_at(&f, (task, item), "Z-99", 1, None);
    let first = f.svc.execute("op-wrong", &wrong).expect_err("wrong location");
    let AppError::Rejected(r) = &first else { panic!("{first:?}") };
    assert_eq!((r.code.as_str(), r.short.as_str(), r.field.as_deref()), ("E101", "E101 wrong loc", Some("location")));
    let again = f.svc.execute("op-wrong", &wrong).expect_err("refused again");
    assert_eq!(format!("{first:?}"), format!("{again:?}"));
    // A refusal of the state (409) is remembered: the op id is used.
    let complete = Command::CompletePicking { task_id: task, worker_id: Some(f.picker) };
    let refused = f.svc.execute("op-early", &complete).expect_err("items left");
    assert_eq!(refused.code(), Some("E104"));
    let other = Command::CancelOrder { order_id: 1, reason: "x".into() };
    let reused = f.svc.execute("op-early", &other).expect_err("reuse refused");
    assert_eq!(reused.code(), Some("E501"));
    assert_eq!(f.svc.execute("", &other).expect_err("empty op id").code(), Some("E001"));
}

/// One rule for every 400: bad input does not use up its op id (here a zero
/// quantity, refused by the rule, like a body the server cannot read), so
/// the corrected request under the same op id is applied once.
#[test]
fn bad_input_does_not_use_up_the_op_id() {
    let f = Fixture::new();
    let (task, item) = ready_to_pick(&f);
    let pick = |quantity| pick_at(&f, (task, item), "A-01", quantity, None);
    let zero = f.svc.execute("op-q", &pick(0)).expect_err("zero");
    assert_eq!(zero.code(), Some("E001"));
    let before = f.stock();
    f.svc.execute("op-q", &pick(1)).expect("the corrected pick, same op id");
    assert_eq!(f.stock().0, before.0 - 1);
    assert_eq!(f.svc.execute("op-q", &pick(1)).expect("replay"), f.svc.execute("op-q", &pick(1)).expect("replay"));
    assert_eq!(f.stock().0, before.0 - 1, "applied once");
}

/// An op applied by an older build (stored without fields added since, or
/// under an old command name) replays as itself, not as E501; a stored
/// request that cannot be read is a permanent error, not "retry".
#[test]
fn ops_applied_before_an_upgrade_replay_and_corrupt_records_are_permanent() {
    let f = Fixture::new();
    let (task, item) = ready_to_pick(&f);
    let pick = pick_at(&f, (task, item), "A-01", 1, Some(format!("TOTE-{task}")));
    let outcome = f.svc.execute("op-new", &pick).expect("pick");
    let response = serde_json::to_string(&outcome).expect("json");
    let old = format!(
        r#"{{"kind":"pick_item_into_tote","task_id":{task},"item_id":{item},"worker_id":{},"location":"A-01","item":"SKU-A","quantity":1,"tote":"TOTE-{task}"}}"#,
        f.picker
    );
    let now = f.svc.now();
    f.svc
        .store()
        .write(|tx| {
            let stored = |request: &str| tote::storage::AppliedOp {
                command: "pick_item_into_tote".into(),
                request: request.into(),
                ok: true,
                response: response.clone(),
            };
            tx.record_op("op-old", &stored(&old), now)?;
            tx.record_op("op-bad", &stored("{not json"), now)
        })
        .expect("stored");
    let stock = f.stock();
    assert_eq!(f.svc.execute("op-old", &pick).expect("replayed as itself"), outcome);
    assert_eq!(f.stock(), stock, "the replay moved nothing");
    let corrupt = f.svc.execute("op-bad", &pick).expect_err("corrupt");
    let AppError::Storage(e) = &corrupt else { panic!("{corrupt:?}") };
    assert!(e.is_corrupt() && !e.is_retryable(), "{e}");
}
