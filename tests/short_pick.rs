//! Short-pick follow-ups (seed 001 §13.4): a short for a stock-out (or for
//! damage) draws the missing units from another location as a new item of
//! the same task, or reports what no location holds as unfulfillable; what
//! a short says about the shelf (a count, a quarantine) is kept true.

mod common;

use common::{Fixture, accepted, order};
use tote::app::floor_op::PickScans;
use tote::app::{Command, Outcome};

fn start(f: &Fixture, task: i64) {
    f.ok(Command::AssignPicking { task_id: task, worker_id: f.picker });
    f.ok(Command::StartPicking { task_id: task, worker_id: f.picker });
}

fn short(f: &Fixture, task: i64, item: i64, found: u32) {
    f.ok(Command::ShortItem {
        task_id: task,
        item_id: item,
        worker_id: Some(f.picker),
        quantity: found,
        reason: "stock_out".into(),
    });
}

#[test]
fn a_stock_out_is_reallocated_to_another_location_and_completed() {
    let f = Fixture::new();
    let initial = f.stock().0;
    // SKU-A: 5 at A-01 (older, drawn first) and 10 at A-02.
    let (order_id, tasks) = accepted(&f.ok(order("short-1", &[("SKU-A", 4, "W1")])));
    let task = tasks[0].1;
    start(&f, task);
    let before = f.svc.picking_task_view(task).expect("task");
    assert_eq!((before.items.len(), before.items[0].location.as_str()), (1, "A-01"));
    // Only 1 of 4 on the shelf: the 3 missing come from A-02.
    short(&f, task, before.items[0].item_id, 1);
    let after = f.svc.picking_task_view(task).expect("task");
    assert_eq!(after.items.len(), 2, "{after:?}");
    let follow = &after.items[1];
    assert_eq!((follow.location.as_str(), follow.required, follow.status.as_str()), ("A-02", 3, "pending"));
    assert_eq!(after.next_item_id, Some(follow.item_id));
    f.assert_conserved(initial);
    f.ok(Command::PickItem {
        task_id: task,
        item_id: follow.item_id,
        worker_id: Some(f.picker),
        scan: PickScans::new("A-02", "SKU-A", 3),
    });
    let done = f.ok(Command::CompletePicking { task_id: task, worker_id: Some(f.picker) });
    assert!(matches!(done, Outcome::Picking { packing_task_id: Some(_), .. }), "{done:?}");
    f.assert_conserved(initial);
    let (_, reserved, transit, _) = f.stock();
    assert_eq!((reserved, transit), (0, 4), "all 4 units picked, nothing left reserved");
    let types = f.event_types();
    assert_eq!(types.iter().filter(|t| *t == "picking.item_reallocated").count(), 1);
    assert!(!types.iter().any(|t| t == "picking.unfulfillable"));
    let fid = f.svc.order_view(order_id).expect("order").fulfillments[0].fulfillment_id;
    let w = f.svc.workflow_view(&format!("order-fulfillment-{fid}")).expect("workflow");
    assert_eq!(w.summary.current_step, "await_pack");
}

#[test]
fn a_stock_out_no_other_location_covers_is_reported_unfulfillable() {
    let f = Fixture::new();
    let initial = f.stock().0;
    // SKU-B: 4 at B-01 only.
    let (_, tasks) = accepted(&f.ok(order("short-2", &[("SKU-B", 3, "W2")])));
    let task = tasks[0].1;
    start(&f, task);
    let item = f.svc.picking_task_view(task).expect("task").items[0].item_id;
    short(&f, task, item, 1);
    let after = f.svc.picking_task_view(task).expect("task");
    assert_eq!(after.items.len(), 1, "nothing to draw from: {after:?}");
    assert_eq!(f.event_types().iter().filter(|t| *t == "picking.unfulfillable").count(), 1);
    let payload = f
        .svc
        .store()
        .read(|tx| tx.events_after(0, 10_000))
        .expect("events")
        .into_iter()
        .find(|e| e.event_type == "picking.unfulfillable")
        .expect("event")
        .payload;
    assert_eq!(payload["missing"], 2, "{payload}");
    f.ok(Command::CompletePicking { task_id: task, worker_id: Some(f.picker) });
    f.assert_conserved(initial);
    // A shelf out of reach is not drawn elsewhere (the picker may come back);
    // damaged units are (they wait in quarantine, see below).
    for (n, reason, items) in [(3, "no_access", 1), (4, "damaged", 2)] {
        let (_, tasks) = accepted(&f.ok(order(&format!("short-{n}"), &[("SKU-A", 2, "W1")])));
        start(&f, tasks[0].1);
        let item = f.svc.picking_task_view(tasks[0].1).expect("task").items[0].item_id;
        f.ok(Command::ShortItem {
            task_id: tasks[0].1,
            item_id: item,
            worker_id: Some(f.picker),
            quantity: 1,
            reason: reason.into(),
        });
        assert_eq!(f.svc.picking_task_view(tasks[0].1).expect("task").items.len(), items, "{reason}");
    }
}

/// Issue 15 (5): a stock-out is a count. The picker found 1 where the books
/// said 5: A-01's on-hand drops to 0 with the difference recorded against
/// the picker (`inventory.adjusted`), and the next order is not sent back
/// to the empty shelf.
#[test]
fn a_stock_out_sets_the_shelf_to_its_count_and_the_next_order_goes_elsewhere() {
    let f = Fixture::new();
    let initial = f.stock().0;
    let (_, tasks) = accepted(&f.ok(order("count-1", &[("SKU-A", 4, "W1")])));
    let task = tasks[0].1;
    start(&f, task);
    let item = f.svc.picking_task_view(task).expect("task").items[0].item_id;
    short(&f, task, item, 1);
    let at_a01 = |f: &Fixture| {
        let slots = f.svc.picking_locations("W1", "SKU-A").expect("locations");
        slots.iter().filter(|s| s.location == "A-01").map(|s| s.on_hand).sum::<u32>()
    };
    assert_eq!(at_a01(&f), 0, "the shelf is what the picker counted");
    assert_eq!(f.adjusted(), -4, "5 on the books, 1 found and picked: 4 written off");
    f.assert_conserved(initial);
    let types = f.event_types();
    assert_eq!(types.iter().filter(|t| *t == "inventory.adjusted").count(), 1, "{types:?}");
    let (_, next) = accepted(&f.ok(order("count-2", &[("SKU-A", 2, "W1")])));
    let view = f.svc.picking_task_view(next[0].1).expect("next task");
    assert!(view.items.iter().all(|i| i.location == "A-02"), "not back to the empty shelf: {view:?}");
}

/// Issue 15 (5): damaged units go to quarantine, not back on sale. A short
/// for damage moves the units the item missed out of A-01's on-hand (the
/// next order is drawn from A-02); a supervisor disposes of one (written
/// off, `inventory.adjusted`) and puts the other back on sale.
#[test]
fn damaged_units_are_quarantined_until_a_supervisor_resolves_them() {
    let f = Fixture::new();
    let initial = f.stock().0;
    let (_, tasks) = accepted(&f.ok(order("dmg-1", &[("SKU-A", 3, "W1")])));
    let task = tasks[0].1;
    start(&f, task);
    let item = f.svc.picking_task_view(task).expect("task").items[0].item_id;
    f.ok(Command::ShortItem {
        task_id: task,
        item_id: item,
        worker_id: Some(f.picker),
        quantity: 1,
        reason: "damaged".into(),
    });
    assert_eq!(f.quarantined(), 2, "the 2 units not picked were damaged");
    let a01 = |f: &Fixture| {
        let slots = f.svc.picking_locations("W1", "SKU-A").expect("locations");
        slots.iter().filter(|s| s.location == "A-01").map(|s| s.available).sum::<u32>()
    };
    assert_eq!(a01(&f), 2, "5 - 1 picked - 2 quarantined: nothing allocates the damaged units");
    f.assert_conserved(initial);
    let resolve = |quantity, restock| Command::ResolveQuarantine {
        warehouse: "W1".into(),
        location: "A-01".into(),
        sku: "SKU-A".into(),
        quantity,
        restock,
    };
    assert_eq!(f.code(resolve(3, false)), "E201", "only 2 are in quarantine");
    f.ok(resolve(1, false));
    assert_eq!((f.quarantined(), f.adjusted()), (1, -1), "one disposed of, written off");
    f.ok(resolve(1, true));
    assert_eq!((f.quarantined(), a01(&f)), (0, 3), "one back on sale");
    f.assert_conserved(initial);
    assert!(f.event_types().iter().any(|t| t == "inventory.adjusted"));
}

/// Issue 15 (5): a count moves waiting orders off the empty shelf. Two
/// orders hold 2 units each at A-01 (5 on the books); the first picker finds
/// 1 there. The second order (a task nobody holds yet) is pointed at A-02 at once
/// (`picking.item_reallocated`), so A-01 drops to 0 instead of keeping 2
/// phantom units for it, and its picker is sent to A-02.
#[test]
fn a_count_points_other_orders_untouched_items_at_other_stock() {
    let f = Fixture::new();
    let initial = f.stock().0;
    let (_, first) = accepted(&f.ok(order("held-1", &[("SKU-A", 2, "W1")])));
    let (_, second) = accepted(&f.ok(order("held-2", &[("SKU-A", 2, "W1")])));
    let at = |f: &Fixture, task: i64| f.svc.picking_task_view(task).expect("task").items[0].location.clone();
    assert_eq!((at(&f, first[0].1), at(&f, second[0].1)), ("A-01".to_owned(), "A-01".to_owned()));
    start(&f, first[0].1);
    let item = f.svc.picking_task_view(first[0].1).expect("task").items[0].item_id;
    short(&f, first[0].1, item, 1);
    assert_eq!(at(&f, second[0].1), "A-02", "the second order no longer waits on the empty shelf");
    let a01 = f.svc.picking_locations("W1", "SKU-A").expect("locations");
    let a01: u32 = a01.iter().filter(|s| s.location == "A-01").map(|s| s.on_hand + s.reserved).sum();
    assert_eq!(a01, 0, "nothing left on the books at A-01");
    let types = f.event_types();
    assert_eq!(types.iter().filter(|t| *t == "picking.item_reallocated").count(), 2, "{types:?}");
    f.assert_conserved(initial);
    // Its picker picks the 2 at A-02 and completes.
    start(&f, second[0].1);
    let view = f.svc.picking_task_view(second[0].1).expect("task");
    f.ok(Command::PickItem {
        task_id: second[0].1,
        item_id: view.items[0].item_id,
        worker_id: Some(f.picker),
        scan: PickScans::new("A-02", "SKU-A", 2),
    });
    f.ok(Command::CompletePicking { task_id: second[0].1, worker_id: Some(f.picker) });
    f.assert_conserved(initial);
}
