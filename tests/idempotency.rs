//! Every mutation is idempotent by op id: a repeat returns the stored
//! outcome and changes nothing.

mod common;
use common::{Fixture, accepted, order};
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

#[test]
fn the_same_pick_op_twice_changes_stock_once_and_returns_the_same_result() {
    let f = Fixture::new();
    let (task, item) = ready_to_pick(&f);
    let pick = Command::PickItem {
        task_id: task,
        item_id: item,
        worker_id: Some(f.picker),
        location: "A-01".into(),
        item: "SKU-A".into(),
        quantity: 2,
        tote: None,
    };
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
    let wrong = Command::PickItem {
        task_id: task,
        item_id: item,
        worker_id: Some(f.picker),
        location: "Z-99".into(),
        item: "SKU-A".into(),
        quantity: 1,
        tote: None,
    };
    let first = f.svc.execute("op-wrong", &wrong).expect_err("wrong location");
    let AppError::Rejected(r) = &first else { panic!("{first:?}") };
    assert_eq!((r.code.as_str(), r.short.as_str(), r.field.as_deref()), ("E101", "E101 wrong loc", Some("location")));
    let again = f.svc.execute("op-wrong", &wrong).expect_err("replayed");
    assert_eq!(format!("{first:?}"), format!("{again:?}"));
    let other = Command::CancelOrder { order_id: 1, reason: "x".into() };
    let reused = f.svc.execute("op-wrong", &other).expect_err("reuse refused");
    assert_eq!(reused.code(), Some("E501"));
    assert_eq!(f.svc.execute("", &other).expect_err("empty op id").code(), Some("E001"));
}
