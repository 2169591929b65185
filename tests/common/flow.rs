//! The fulfillment flow step by step on a `Fixture`, the test playing the
//! floor and the engine's carrier workers by hand: pick, pack, report a
//! carrier's answer, and check that a history replays to its row.

use super::{Fixture, accepted, order};
use serde_json::json;
use tote::app::Command;
use tote::app::Outcome;
use tote::app::command::PackageDto;
use tote::app::floor_op::PickScans;
use tote::domain::fulfillment::{Fulfillment, FulfillmentStatus};
use tote::domain::ids::FulfillmentId;
use tote::domain::workflow::{fulfillment, projection};
use tote::storage::workflow::ActivityTask;

pub fn due(f: &Fixture) -> Vec<ActivityTask> {
    let now = f.svc.now();
    f.svc.store().read(|tx| tx.due_activities(now, 100)).expect("due")
}

pub fn wf(f: &Fixture, id: &str) -> tote::storage::workflow::WorkflowRow {
    f.svc.store().read(|tx| tx.workflow(id)).expect("read").expect("workflow exists")
}

pub fn state(f: &Fixture, id: &str) -> fulfillment::State {
    serde_json::from_str(&wf(f, id).state).expect("state")
}

/// Reports a carrier activity's result, as `server::engine` does.
pub fn report(f: &Fixture, t: &ActivityTask, result: serde_json::Value) -> Outcome {
    f.ok(Command::CompleteActivity {
        task_id: t.id,
        attempt: t.attempt,
        result: Some(serde_json::from_value(result).expect("an activity result")),
        error: None,
        started_at: Some(f.svc.now()),
    })
}

pub fn shipment(tracking: &str) -> serde_json::Value {
    json!({"kind": "shipment", "carrier": "local", "tracking": [tracking]})
}

pub fn package() -> PackageDto {
    PackageDto {
        packaging_type: tote::app::command::PackagingTypeDto::Box,
        weight_g: 900,
        length_mm: 300,
        width_mm: 200,
        height_mm: 100,
    }
}

/// Picks every item of `task` fully and completes it; returns the packing task.
pub fn pick_all(f: &Fixture, task: i64) -> i64 {
    if f.svc.picking_task_view(task).expect("task").status.as_str() == "pending" {
        f.ok(Command::AssignPicking { task_id: task, worker_id: f.picker });
        f.ok(Command::StartPicking { task_id: task, worker_id: f.picker });
    }
    let t = f.svc.picking_task_view(task).expect("task");
    for it in &t.items {
        f.ok(Command::PickItem {
            task_id: task,
            item_id: it.item_id,
            worker_id: Some(f.picker),
            scan: PickScans::new(it.location.clone(), it.sku.clone(), it.required),
        });
    }
    match f.ok(Command::CompletePicking { task_id: task, worker_id: Some(f.picker) }) {
        Outcome::Picking { packing_task_id: Some(p), .. } => p,
        other => panic!("{other:?}"),
    }
}

pub fn pack(f: &Fixture, task: i64) {
    f.ok(Command::StartPacking { task_id: task, worker_id: f.packer });
    f.ok(Command::SetPackageDetails { task_id: task, worker_id: Some(f.packer), sequence: 1, package: package() });
    f.ok(Command::CompletePacking { task_id: task, worker_id: Some(f.packer) });
}

/// A recorded history, replayed through `evolve` from its stored JSON,
/// gives the stored state snapshot; projected through the fulfillment's
/// status table, it gives the `fulfillments` row (status and attempts):
/// the workflow is the row's one owner (ADR 0028).
pub fn assert_replays(f: &Fixture, id: &str) {
    let history = f.svc.store().read(|tx| tx.history(id)).expect("history");
    let fid = FulfillmentId(wf(f, id).fulfillment_id.expect("a fulfillment workflow"));
    let row = f.svc.store().read(|tx| tx.fulfillment(fid)).expect("read").expect("fulfillment");
    let mut projected =
        Fulfillment { status: FulfillmentStatus::Pending, pick_attempts: 0, pack_attempts: 0, ..row.clone() };
    let mut replayed = fulfillment::State::default();
    for h in &history {
        let e = serde_json::from_str::<fulfillment::Event>(&h.payload).expect("event");
        for a in projection::actions(&replayed, &e) {
            projected.apply(*a).expect("every recorded move is legal");
        }
        replayed = fulfillment::evolve(replayed, &e);
    }
    assert_eq!(replayed, state(f, id), "{id}: history and snapshot disagree");
    assert_eq!(projected, row, "{id}: history and fulfillment row disagree");
}

/// Drives a one-unit order to the dock, the test playing the carrier:
/// packed, shipment created with `tracking`, labelled, confirmed. Returns
/// `(order id, workflow id)`.
pub fn to_dock(f: &Fixture, request_id: &str, tracking: &str) -> (i64, String) {
    let (order_id, tasks) = accepted(&f.ok(order(request_id, &[("SKU-A", 1, "W1")])));
    let fid = f.svc.order_view(order_id).expect("order").fulfillments[0].fulfillment_id;
    pack(f, pick_all(f, tasks[0].1));
    let created = due(f).into_iter().find(|t| t.workflow_id.ends_with(&format!("-{fid}"))).expect("create_shipment");
    report(f, &created, shipment(tracking));
    let confirm = due(f).into_iter().find(|t| t.workflow_id.ends_with(&format!("-{fid}"))).expect("confirm_shipment");
    report(f, &confirm, json!({"kind": "done"}));
    let id = format!("order-fulfillment-{fid}");
    assert_eq!(wf(f, &id).step, "await_dispatch");
    (order_id, id)
}
