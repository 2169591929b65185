//! Seed 002 P0-1: an order spanning several warehouses is created whole or
//! not at all.

mod common;
use common::{Fixture, order};
use tote::app::AppError;

const ROWS: &[&str] = &[
    "orders",
    "order_lines",
    "fulfillments",
    "wms_reservations",
    "picking_tasks",
    "picking_task_items",
    "outbox_events",
];

fn counts(f: &Fixture) -> Vec<i64> {
    ROWS.iter().map(|t| f.count(t)).collect()
}

#[test]
fn third_fulfillment_short_of_stock_leaves_nothing_behind() {
    let f = Fixture::new();
    let before = counts(&f);
    let stock_before = f.stock();
    // W3 has only 2 of SKU-C.
    let code = f.code(order("r-1", &[("SKU-A", 3, "W1"), ("SKU-B", 2, "W2"), ("SKU-C", 3, "W3")]));
    assert_eq!(code, "E201");
    assert_eq!(counts(&f), before, "tables {ROWS:?}");
    assert_eq!(f.stock(), stock_before, "no stock stays reserved");
}

#[test]
fn storage_fault_in_third_fulfillment_leaves_nothing_and_a_retry_succeeds() {
    let f = Fixture::new();
    let before = counts(&f);
    let stock_before = f.stock();
    // Inject a real storage failure when the third warehouse's task is written.
    f.svc
        .store()
        .write(|tx| {
            tx.execute_batch_for_tests(
                "CREATE TRIGGER fail_w3 BEFORE INSERT ON picking_tasks
                 WHEN NEW.warehouse_id = (SELECT id FROM warehouses WHERE code = 'W3')
                 BEGIN SELECT RAISE(ABORT, 'injected fault'); END;",
            )
        })
        .expect("install trigger");
    let cmd = order("r-2", &[("SKU-A", 3, "W1"), ("SKU-B", 2, "W2"), ("SKU-C", 1, "W3")]);
    let err = f.svc.execute("intake-op", &cmd).expect_err("injected fault");
    assert!(matches!(err, AppError::Storage(_)), "{err:?}");
    assert_eq!(counts(&f), before);
    assert_eq!(f.stock(), stock_before);
    // A storage failure is not recorded as the op's outcome: the retry runs.
    assert_eq!(f.count("applied_ops"), 4, "only the fixture's placements");
    f.svc.store().write(|tx| tx.execute_batch_for_tests("DROP TRIGGER fail_w3")).expect("drop trigger");
    let (_, tasks) = common::accepted(&f.svc.execute("intake-op", &cmd).expect("retry succeeds"));
    assert_eq!(tasks.iter().map(|(w, _)| w.as_str()).collect::<Vec<_>>(), ["W1", "W2", "W3"]);
    assert_eq!(f.count("fulfillments"), 3);
}

#[test]
fn same_request_id_returns_the_same_order() {
    let f = Fixture::new();
    let first = f.ok(order("r-3", &[("SKU-A", 6, "W1")]));
    let again = f.ok(order("r-3", &[("SKU-A", 6, "W1")]));
    assert_eq!(common::accepted(&first), common::accepted(&again));
    assert!(matches!(again, tote::app::Outcome::Order { existing: true, .. }));
    assert_eq!(f.count("orders"), 1);
    // FIFO: the older A-01 (5) is drained before A-02.
    let (on_hand, reserved, _, _) = f.stock();
    assert_eq!((on_hand, reserved), (21, 6));
}

#[test]
fn bad_input_names_the_field() {
    let f = Fixture::new();
    let check = |lines: &[(&str, i64, &str)], field: &str| match f.run(order("r-x", lines)) {
        Err(AppError::Rejected(r)) => assert_eq!(r.field.as_deref(), Some(field), "{r:?}"),
        other => panic!("expected rejection, got {other:?}"),
    };
    check(&[("SKU-A", 0, "W1")], "lines[0].quantity");
    check(&[("SKU-A", 1, "W1"), ("SKU-A", 1, "W9")], "lines[1].warehouse");
    check(&[("", 1, "W1")], "lines[0].sku");
}
