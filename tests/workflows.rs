//! The workflow engine on a real store. The test plays the engine's workers
//! by hand (it reads the queue and reports carrier results as commands), so
//! every step is deterministic; `tests/workflow_crash.rs` runs the real
//! workers in `tote serve` under SIGKILL.

mod common;

use common::flow::{assert_replays, due, pack, pick_all, report, shipment, state, to_dock, wf};
use common::{Fixture, accepted, address, order};
use serde_json::json;
use tote::app::{AppError, Command, Outcome};
use tote::domain::alerts::{Rule, Thresholds};
use tote::domain::fulfillment::FulfillmentStatus;
use tote::domain::ids::FulfillmentId;
use tote::domain::workflow::fulfillment::{Pack, Step};

#[test]
fn an_order_runs_from_intake_to_shipped_and_its_history_replays() {
    let f = Fixture::new();
    let initial = f.stock().0;
    let (order_id, tasks) = accepted(&f.ok(order("wf-1", &[("SKU-A", 3, "W1")])));
    let fid = f.svc.order_view(order_id).expect("order").fulfillments[0].fulfillment_id;
    let id = format!("order-fulfillment-{fid}");
    let intake = wf(&f, "order-intake-wf-1");
    assert_eq!((intake.status.as_str(), intake.step.as_str()), ("completed", "CREATED"));
    let w = wf(&f, &id);
    assert_eq!((w.status.as_str(), w.step.as_str()), ("running", "await_pick"));
    assert_eq!(
        w.blocking.as_deref(),
        Some(format!("waiting for picking task {} (PickCompleted)", tasks[0].1).as_str())
    );
    assert!(due(&f).is_empty(), "local steps ran inline");

    let packing = pick_all(&f, tasks[0].1);
    assert_eq!(wf(&f, &id).step, "await_pack");
    pack(&f, packing);
    let queued = due(&f);
    assert_eq!(queued.iter().map(|t| t.activity.as_str()).collect::<Vec<_>>(), vec!["create_shipment"]);
    // The carrier call carries its whole request, planned by a local step:
    // the engine reads no workflow state to make it.
    let call: tote::domain::workflow::Activity = serde_json::from_str(&queued[0].payload).expect("activity");
    let tote::domain::workflow::Activity::CreateShipment { request: Some(request) } = call else { panic!("{call:?}") };
    let ship_to = f.svc.order_view(order_id).expect("order").ship_to;
    assert_eq!(
        (request.to.city.as_str(), request.idempotency_key.as_str()),
        (ship_to.city.as_str(), format!("shipment-{fid}").as_str())
    );
    assert_eq!(request.packages.iter().map(|p| p.weight_g).collect::<Vec<_>>(), vec![Some(900)]);
    report(&f, &queued[0], shipment("TT000000017RS"));
    let queued = due(&f);
    assert_eq!(queued.iter().map(|t| t.activity.as_str()).collect::<Vec<_>>(), vec!["confirm_shipment"]);
    // The same report twice (a worker that crashed after reporting) changes nothing.
    let again = report(&f, &due(&f)[0], json!({"kind": "done"}));
    assert!(matches!(again, Outcome::Activity { ref status, .. } if status == "done"), "{again:?}");
    f.ok(Command::CompleteActivity {
        task_id: queued[0].id,
        attempt: 1,
        result: Some(tote::domain::workflow::ActivityResult::Done),
        error: None,
        started_at: None,
    });
    // Labelled and confirmed is not shipped: the parcel waits at the dock.
    let w = wf(&f, &id);
    assert_eq!((w.status.as_str(), w.step.as_str()), ("running", "await_dispatch"));
    assert_eq!(f.svc.order_view(order_id).expect("order").status.as_str(), "open");
    let row = f.svc.store().read(|tx| tx.fulfillment(FulfillmentId(fid))).expect("read").expect("row");
    assert_eq!(row.status, FulfillmentStatus::Ready);
    let code = f.code(Command::DispatchParcel { tracking: "TT-NOT-OURS".into() });
    assert_eq!(code, "E002", "an unknown parcel");
    f.ok(Command::DispatchParcel { tracking: "TT000000017RS".into() });
    let w = wf(&f, &id);
    assert_eq!((w.status.as_str(), w.step.as_str(), w.blocking.as_deref()), ("completed", "done", None));
    assert_eq!(f.svc.order_view(order_id).expect("order").status.as_str(), "shipped");
    let counts = f.svc.store().read(|tx| tx.shipment_counts()).expect("shipments");
    assert_eq!(counts, vec![("shipped".to_owned(), 1)]);
    f.assert_conserved(initial);
    assert_replays(&f, &id);
    let types = f.event_types();
    for t in ["order.reserved", "shipment.created", "shipment.dispatched", "order.shipped"] {
        assert_eq!(types.iter().filter(|x| *x == t).count(), 1, "{t} in {types:?}");
    }
    // Every carrier call is logged (seed 000's fulfillment_tasks); local
    // steps are in the workflow's history only.
    assert_eq!(f.count("fulfillment_tasks"), 2, "create_shipment and confirm_shipment");
}

#[test]
fn cancel_after_the_label_releases_stock_and_voids_the_shipment() {
    let f = Fixture::new();
    let initial = f.stock().0;
    let (order_id, tasks) = accepted(&f.ok(order("wf-2", &[("SKU-A", 2, "W1")])));
    let fid = f.svc.order_view(order_id).expect("order").fulfillments[0].fulfillment_id;
    let id = format!("order-fulfillment-{fid}");
    pack(&f, pick_all(&f, tasks[0].1));
    report(&f, &due(&f)[0], shipment("TT000000021RS"));
    assert!(state(&f, &id).booking().is_some_and(|b| b.labelled));
    // The address can no longer change: the parcel is labelled.
    let to = tote::app::command::AddressDto { street: "Nova 2".into(), ..address() };
    let refused = f.run(Command::UpdateAddress { order_id, ship_to: to });
    match refused {
        Err(AppError::Rejected(r)) => {
            assert_eq!(r.code, "E601");
            assert!(r.message.contains("TT000000021RS"), "{}", r.message);
        }
        other => panic!("{other:?}"),
    }
    let out = f.ok(Command::CancelOrder { order_id, reason: "customer".into() });
    assert!(matches!(out, Outcome::OrderCancelled { returned: 2, .. }), "{out:?}");
    let queued = due(&f);
    let names: Vec<&str> = queued.iter().map(|t| t.activity.as_str()).collect();
    assert_eq!(names, vec!["void_shipment"], "the confirm was dropped, the void queued");
    assert_eq!(wf(&f, &id).step, "compensate");
    report(&f, &queued[0], json!({"kind": "done"}));
    let w = wf(&f, &id);
    assert_eq!(w.status, "cancelled");
    assert_eq!(f.svc.store().read(|tx| tx.shipment_counts()).expect("s"), vec![("voided".to_owned(), 1)]);
    // Its parcel, if someone carries it to the truck anyway, must not leave.
    assert_eq!(f.code(Command::DispatchParcel { tracking: "TT000000021RS".into() }), "E403");
    f.assert_conserved(initial);
    assert_eq!(f.stock().1, 0, "nothing stays reserved");
    assert_replays(&f, &id);
}

/// Shipped means it left: closing the carrier's manifest at the warehouse
/// ships every parcel waiting at its dock, and only those.
#[test]
fn a_closed_manifest_ships_the_parcels_at_the_dock() {
    let f = Fixture::new();
    let (first, id1) = to_dock(&f, "dock-1", "TT000000101RS");
    let (second, id2) = to_dock(&f, "dock-2", "TT000000102RS");
    let late = |f: &Fixture| {
        let alerts = f.svc.alerts(&Thresholds::default()).expect("alerts");
        alerts.into_iter().filter(|a| a.rule == Rule::NotDispatched).map(|a| a.subject).collect::<Vec<_>>()
    };
    assert!(late(&f).is_empty());
    f.clock.advance(chrono::Duration::hours(5));
    assert_eq!(late(&f), ["parcel TT000000101RS at the dock", "parcel TT000000102RS at the dock"]);
    let none = f.ok(Command::CloseManifest { warehouse: "W1".into(), carrier: "other".into() });
    assert!(matches!(&none, Outcome::Dispatched { parcels, .. } if parcels.is_empty()), "{none:?}");
    let out = f.ok(Command::CloseManifest { warehouse: "W1".into(), carrier: "local".into() });
    let Outcome::Dispatched { mut parcels, .. } = out else { panic!("{out:?}") };
    parcels.sort();
    assert_eq!(parcels, ["TT000000101RS", "TT000000102RS"]);
    for (order_id, id) in [(first, &id1), (second, &id2)] {
        assert_eq!(wf(&f, id).status, "completed");
        assert_eq!(f.svc.order_view(order_id).expect("order").status.as_str(), "shipped");
        assert_replays(&f, id);
    }
    // Nothing is left on the manifest; a repeat scan of a shipped parcel changes nothing.
    let again = f.ok(Command::CloseManifest { warehouse: "W1".into(), carrier: "local".into() });
    assert!(matches!(&again, Outcome::Dispatched { parcels, .. } if parcels.is_empty()), "{again:?}");
    assert!(late(&f).is_empty(), "the alert cleared with the truck");
    f.ok(Command::DispatchParcel { tracking: "TT000000101RS".into() });
    assert_eq!(f.code(Command::CloseManifest { warehouse: "W9".into(), carrier: "local".into() }), "E002");
    let types = f.event_types();
    assert_eq!(types.iter().filter(|t| *t == "shipment.dispatched").count(), 2, "{types:?}");
}

/// Quantities are true end to end: a line shorted on the shelf (2 ordered,
/// 1 found, nowhere else) shows ordered, allocated, picked, packed and
/// shipped at each step, and leaves as an explicit short shipment.
#[test]
fn a_short_line_is_shipped_short_and_says_so() {
    let f = Fixture::new();
    let (order_id, tasks) = accepted(&f.ok(order("short-ship", &[("SKU-C", 2, "W3")])));
    let line = |f: &Fixture| f.svc.order_view(order_id).expect("order").lines[0].clone();
    let l = line(&f);
    assert_eq!((l.quantity, l.allocated, l.picked, l.shipped, l.short), (2, 2, 0, 0, None));
    let task = tasks[0].1;
    f.ok(Command::AssignPicking { task_id: task, worker_id: f.picker });
    f.ok(Command::StartPicking { task_id: task, worker_id: f.picker });
    let item = f.svc.picking_task_view(task).expect("task").items[0].item_id;
    f.ok(Command::ShortItem {
        task_id: task,
        item_id: item,
        worker_id: Some(f.picker),
        quantity: 1,
        reason: "stock_out".into(),
    });
    let packing = match f.ok(Command::CompletePicking { task_id: task, worker_id: Some(f.picker) }) {
        Outcome::Picking { packing_task_id: Some(p), .. } => p,
        other => panic!("{other:?}"),
    };
    let l = line(&f);
    assert_eq!((l.allocated, l.picked, l.packed, l.short), (1, 1, 0, Some(1)), "{l:?}");
    pack(&f, packing);
    assert_eq!(line(&f).packed, 1);
    let created = due(&f).remove(0);
    report(&f, &created, shipment("TT000000201RS"));
    report(&f, &due(&f).remove(0), json!({"kind": "done"}));
    assert_eq!(line(&f).shipped, 0, "at the dock, not shipped");
    f.ok(Command::DispatchParcel { tracking: "TT000000201RS".into() });
    let l = line(&f);
    assert_eq!((l.quantity, l.picked, l.packed, l.shipped, l.short), (2, 1, 1, 1, Some(1)));
    let events = f.svc.store().read(|tx| tx.events_after(0, 10_000)).expect("events");
    let short = events.iter().find(|e| e.event_type == "order.short_shipped").expect("order.short_shipped");
    assert_eq!(short.payload["lines"], json!([{"sku": "SKU-C", "ordered": 2, "shipped": 1, "missing": 1}]));
}

#[test]
fn cancel_before_the_pick_compensates_in_the_same_op() {
    let f = Fixture::new();
    let initial = f.stock().0;
    let (order_id, _) = accepted(&f.ok(order("wf-3", &[("SKU-A", 7, "W1")])));
    f.ok(Command::UpdateAddress {
        order_id,
        ship_to: tote::app::command::AddressDto { city: "Niš".into(), ..address() },
    });
    assert_eq!(f.svc.order_view(order_id).expect("order").ship_to.city, "Niš");
    f.ok(Command::CancelOrder { order_id, reason: "duplicate".into() });
    let fid = f.svc.order_view(order_id).expect("order").fulfillments[0].fulfillment_id;
    let w = wf(&f, &format!("order-fulfillment-{fid}"));
    assert_eq!((w.status.as_str(), w.blocking), ("cancelled", None));
    assert_eq!(f.stock().1, 0);
    f.assert_conserved(initial);
}

#[test]
fn a_pick_that_times_out_is_requeued_with_its_stock_back() {
    let f = Fixture::new();
    let initial = f.stock().0;
    let (order_id, tasks) = accepted(&f.ok(order("wf-4", &[("SKU-A", 4, "W1")])));
    let fid = f.svc.order_view(order_id).expect("order").fulfillments[0].fulfillment_id;
    let id = format!("order-fulfillment-{fid}");
    f.ok(Command::AssignPicking { task_id: tasks[0].1, worker_id: f.picker });
    f.ok(Command::StartPicking { task_id: tasks[0].1, worker_id: f.picker });
    // Not due yet: the timer does not fire.
    f.ok(Command::FireTimer { workflow_id: id.clone(), name: "pick_timeout".into() });
    assert!(matches!(state(&f, &id).step, Step::AwaitPick { task, .. } if task == tasks[0].1));
    f.clock.advance(chrono::Duration::hours(9));
    let timers = f.svc.store().read(|tx| tx.due_timers(f.svc.now(), 10)).expect("timers");
    assert_eq!(timers.len(), 1);
    f.ok(Command::FireTimer { workflow_id: id.clone(), name: "pick_timeout".into() });
    let Step::AwaitPick { task: new_task, .. } = state(&f, &id).step else { panic!("a new task") };
    assert_ne!(new_task, tasks[0].1);
    assert_eq!(f.svc.picking_task_view(tasks[0].1).expect("old").status.as_str(), "cancelled");
    assert_eq!(f.svc.picking_task_view(new_task).expect("new").status.as_str(), "pending");
    f.assert_conserved(initial);
    // The re-queued pick completes the workflow as usual.
    pack(&f, pick_all(&f, new_task));
    assert_eq!(due(&f)[0].activity, "create_shipment");
    assert_replays(&f, &id);
}

/// Cancelling a packing task strands nothing: started or not, the
/// fulfillment shows `pack_failed` with why, a retry of its workflow makes a
/// new packing task for the units already picked, and that pack ships.
#[test]
fn a_cancelled_packing_task_is_packed_again_on_retry() {
    for started in [false, true] {
        let f = Fixture::new();
        let initial = f.stock().0;
        let (order_id, tasks) = accepted(&f.ok(order("wf-repack", &[("SKU-A", 2, "W1")])));
        let fid = f.svc.order_view(order_id).expect("order").fulfillments[0].fulfillment_id;
        let id = format!("order-fulfillment-{fid}");
        let packing = pick_all(&f, tasks[0].1);
        if started {
            f.ok(Command::StartPacking { task_id: packing, worker_id: f.packer });
        }
        f.ok(Command::CancelPacking { task_id: packing, reason: "box crushed".into() });
        let row = f.svc.store().read(|tx| tx.fulfillment(FulfillmentId(fid))).expect("read").expect("row");
        assert_eq!(row.status, FulfillmentStatus::PackFailed, "started={started}");
        let w = wf(&f, &id);
        assert!(w.blocking.as_deref().is_some_and(|b| b.contains("box crushed") && b.contains("retry")), "{w:?}");
        let rules = |f: &Fixture| -> Vec<Rule> {
            f.svc.alerts(&Thresholds::default()).expect("alerts").into_iter().map(|a| a.rule).collect()
        };
        assert_eq!(rules(&f), [Rule::WaitingWithoutTask], "nothing moves it on its own: the board says so");
        let retryable = |f: &Fixture| f.svc.workflow_view(&id).expect("view").summary.retryable;
        assert!(retryable(&f), "the board offers a retry");

        f.ok(Command::RetryWorkflow { workflow_id: id.clone() });
        assert!(!retryable(&f), "and no second one while the new task is open");
        assert!(rules(&f).is_empty(), "a new packing task is open");
        let Pack::Started { task: again } = state(&f, &id).pack else { panic!("a new packing task") };
        assert_ne!(again, packing);
        assert_eq!(f.svc.packing_task_view(again).expect("new").status.as_str(), "pending");
        // A second retry while the new task is open makes no third one.
        let second = f.run(Command::RetryWorkflow { workflow_id: id.clone() });
        assert!(second.is_err(), "nothing to retry: {second:?}");
        let of_order = tote::storage::queues::TaskFilter {
            order: Some(tote::domain::ids::OrderId(order_id)),
            limit: 10,
            ..Default::default()
        };
        assert_eq!(f.svc.packing_tasks(&of_order).expect("tasks").len(), 2, "the cancelled one and its successor");

        pack(&f, again);
        assert_eq!(due(&f)[0].activity, "create_shipment", "started={started}");
        f.assert_conserved(initial);
        assert_replays(&f, &id);
    }
}

#[test]
fn carrier_activities_are_dispatched_urgent_first_and_retried_with_backoff() {
    let f = Fixture::new();
    let mut low = order("wf-low", &[("SKU-A", 1, "W1")]);
    let mut urgent = order("wf-urgent", &[("SKU-A", 1, "W1")]);
    if let (Command::SubmitOrder(l), Command::SubmitOrder(u)) = (&mut low, &mut urgent) {
        l.priority = "low".into();
        u.priority = "urgent".into();
    }
    let (_, low_tasks) = accepted(&f.ok(low));
    let (_, urgent_tasks) = accepted(&f.ok(urgent));
    pack(&f, pick_all(&f, low_tasks[0].1));
    f.clock.advance(chrono::Duration::seconds(1));
    pack(&f, pick_all(&f, urgent_tasks[0].1));
    let queued = due(&f);
    assert_eq!(queued.len(), 2);
    assert!(queued[0].priority > queued[1].priority, "urgent first: {queued:?}");
    assert!(queued[0].workflow_id != queued[1].workflow_id);
    // A carrier outage: retryable, so the task waits with a later next_run_at.
    let t = &queued[0];
    let error = json!({"code": "E901", "message": "carrier unavailable", "retryable": true});
    f.ok(Command::CompleteActivity {
        task_id: t.id,
        attempt: 1,
        result: None,
        error: Some(serde_json::from_value(error).expect("an activity error")),
        started_at: None,
    });
    let again = f.svc.store().read(|tx| tx.activity_task(t.id)).expect("read").expect("task");
    assert_eq!((again.status.as_str(), again.attempt), ("pending", 2));
    assert!(again.next_run_at > f.svc.now());
    let w = wf(&f, &t.workflow_id);
    assert!(w.blocking.as_deref().is_some_and(|b| b.contains("create_shipment attempt 1 failed")), "{w:?}");
    assert_eq!(due(&f).len(), 1, "only the other one is due now");
    // A supervisor cannot retry what is not stuck, and is not offered it.
    assert!(!f.svc.workflow_view(&t.workflow_id).expect("view").summary.retryable);
    let refused = f.code(Command::RetryWorkflow { workflow_id: t.workflow_id.clone() });
    assert_eq!(refused, "E601");
}

#[test]
fn a_refused_intake_leaves_no_order_and_no_workflow() {
    let f = Fixture::new();
    let code = f.code(order("wf-short", &[("SKU-A", 500, "W1")]));
    assert_eq!(code, "E201");
    assert_eq!(f.count("orders"), 0);
    assert_eq!(f.count("workflows"), 0);
    assert_eq!(f.count("workflow_events"), 0);
}

/// The real engine in `tote serve`: the carrier steps run on its workers
/// and the API shows the workflow's queries and history.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_engine_ships_and_the_api_shows_the_history() {
    let f = Fixture::new();
    let s = common::server::TestServer::start(&f).await;
    let t = s.tokens(&f).await;
    let (order_id, tasks) = accepted(&f.ok(order("wf-live", &[("SKU-A", 2, "W1")])));
    let fid = f.svc.order_view(order_id).expect("order").fulfillments[0].fulfillment_id;
    let id = format!("order-fulfillment-{fid}");
    let (st, v) = s.get(&format!("/api/v1/workflows/{id}"), &t.integration).await;
    assert_eq!(st, 200, "{v}");
    assert_eq!((v["status"].as_str(), v["current_step"].as_str()), (Some("running"), Some("await_pick")));
    assert!(v["blocking_reason"].as_str().is_some_and(|b| b.contains("PickCompleted")), "{v}");
    let packing = pick_all(&f, tasks[0].1);
    pack(&f, packing);
    let wait_for = |want: &'static str| {
        let (s, t, id) = (&s, &t, &id);
        async move {
            let mut last = serde_json::Value::Null;
            for _ in 0..200 {
                let (_, v) = s.get(&format!("/api/v1/workflows/{id}"), &t.supervisor).await;
                if v["current_step"] == want {
                    return v;
                }
                last = v;
                tokio::time::sleep(std::time::Duration::from_millis(25)).await;
            }
            panic!("the engine never reached {want}: {last}");
        }
    };
    // Packed, labelled, confirmed: not shipped until the parcel leaves.
    let at_dock = wait_for("await_dispatch").await;
    assert_eq!(at_dock["status"], "running");
    assert_eq!(f.svc.order_view(order_id).expect("order").status.as_str(), "open");
    assert_eq!(f.svc.packing_task_view(packing).expect("task").status.as_str(), "packed");
    let (_, label) = s.get(&format!("/api/v1/packing-tasks/{packing}/label"), &t.packer).await;
    let tracking = label["tracking_numbers"][0].as_str().expect("tracking").to_owned();
    let (st, out) =
        s.post("/api/v1/dispatch/parcels", &t.packer, json!({"op_id": "dock-1", "tracking": tracking})).await;
    assert_eq!(st, 200, "{out}");
    let last = wait_for("done").await;
    assert_eq!(last["status"], "completed", "the engine did not finish: {last}");
    let events: Vec<&str> =
        last["history"].as_array().expect("history").iter().filter_map(|e| e["event"].as_str()).collect();
    assert_eq!(events.first(), Some(&"started"));
    assert_eq!(events.last(), Some(&"finished"));
    assert!(events.contains(&"pick_completed") && events.contains(&"pack_completed"), "{events:?}");
    let (_, list) = s.get("/api/v1/workflows?status=completed", &t.supervisor).await;
    assert_eq!(list.as_array().map(Vec::len), Some(2), "intake and fulfillment: {list}");
    let (st, bad) = s.get("/api/v1/workflows?status=stuck", &t.supervisor).await;
    assert_eq!((st, bad["field"].as_str()), (reqwest::StatusCode::BAD_REQUEST, Some("status")));
    let (st, _) = s.get("/api/v1/workflows/order-fulfillment-999", &t.supervisor).await;
    assert_eq!(st, reqwest::StatusCode::NOT_FOUND);
    // The label the packer prints carries the tracking number the engine stored.
    let (_, label) = s.get(&format!("/api/v1/packing-tasks/{packing}/label"), &t.packer).await;
    let stored = f.svc.store().read(|tx| tx.shipment(fid)).expect("read").expect("shipment");
    assert_eq!(serde_json::to_string(&label["tracking_numbers"]).expect("json"), stored.tracking);
    assert_eq!(f.svc.packing_task_view(packing).expect("task").status.as_str(), "shipped");
    assert_eq!(f.svc.order_view(order_id).expect("order").status.as_str(), "shipped");
    let metrics = s.http.get(s.url("/metrics")).send().await.expect("metrics").text().await.expect("text");
    assert!(metrics.contains("tote_workflows{kind=\"order_fulfillment\",status=\"completed\"} 1"), "{metrics}");
    assert!(metrics.contains("tote_activities_due 0"), "{metrics}");
    s.stop().await;
}

/// Issue 15 (7): a hold past its expiry is released by the engine of a
/// running `tote serve` (no one has to call `ReleaseExpired`), its units are
/// available again and the "reservation not released" alert clears.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_engine_releases_expired_holds() {
    let f = Fixture::new();
    let server = common::server::TestServer::start(&f).await;
    let hold =
        f.ok(Command::ReserveStock { warehouse: "W1".into(), sku: "SKU-A".into(), quantity: 3, ttl_seconds: 60 });
    assert!(matches!(hold, Outcome::Reserved { quantity: 3, .. }), "{hold:?}");
    let reserved = |f: &Fixture| f.stock().1;
    assert_eq!(reserved(&f), 3);
    let thresholds = tote::domain::alerts::Thresholds::default();
    f.clock.advance(chrono::Duration::seconds(61));
    assert!(!f.svc.alerts(&thresholds).expect("alerts").is_empty(), "the expired hold alerts");
    // The engine wakes at the latest after a second; allow a slow machine.
    let mut released = false;
    for _ in 0..100 {
        if reserved(&f) == 0 {
            released = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(released, "the hold is still reserved: {:?}", f.stock());
    assert!(f.svc.alerts(&thresholds).expect("alerts").is_empty(), "the alert cleared");
    server.stop().await;
}
