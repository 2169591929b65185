//! `tote serve --engine temporal` (issue 18) on the path a floor takes:
//! `tote serve` as a child process with its real flags, a Temporal dev
//! server the test starts, the integration's `POST /api/v1/orders`, and
//! the picker, the packing station (its label printer a directory) and the
//! dock as models on real `Device`s with their own queues.
//!
//! - The order is accepted (202) with its intake workflow's id, and a
//!   resubmission gets the same answer; a bad one is refused (400) at
//!   once; the intake starts on Temporal
//!   from the site's outbox and makes the order and its pick work.
//! - Pick, pack and dock commit in the site's store and reach the Temporal
//!   workflow as signals; the carrier is called by the site's worker; the
//!   parcel's label prints at the station; the dock scan completes the
//!   workflow, with one shipment, and nothing is left to forward.
//! - SIGTERM stops `tote serve` (and its worker) cleanly.
//! - The Temporal server SIGKILLed twice mid-run and started again on its
//!   file: every workflow still finishes once, with no second shipment.
//! - The site's `[carrier]` refuses a booking; the supervisor mends the
//!   cause and retries; the retry reaches Temporal and books once.
//! - Two sites, two `tote serve` processes with two databases, on one
//!   cluster: an order split across their warehouses is routed, each part
//!   made and shipped by the site that holds it; a site that is down holds
//!   only its own part.

#![cfg(feature = "temporal")]

mod common;

use common::floor::enter;
use common::process::{KillOnDrop, signal, tote};
use common::station::{Station, files, label_printed, logged_in, pack, pack_of, pick_one, pick_one_of};
use common::{Fixture, order};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tote::app::Command;
use tote::printing::PrinterUri;
use tote::storage::workflow::WorkflowRow;
use tote::temporal::devserver::DevServer;
use tote::tui::App;
use tote::tui::dock::{Dock, Job};
use tote::tui::input::Input;
use tote::tui::packer::Packer;
use tote::tui::picker::Picker;

/// Waits (60 s at most) until `probe` finds something.
async fn until<T>(what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(found) = probe() {
            return found;
        }
        assert!(start.elapsed() < Duration::from_secs(60), "waited 60 s for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn workflow(f: &Fixture, id: &str) -> Option<WorkflowRow> {
    f.svc.store().read(|tx| tx.workflow(id)).expect("read")
}

/// The fixture's store (100 x SKU-A at W1 A-03, PINs for its picker and
/// packer) and an API key for the shop: (fixture, database, key).
fn stocked() -> (Fixture, std::path::PathBuf, String) {
    let f = Fixture::new();
    f.place("W1", "A-03", "SKU-A", 100, 3);
    common::server::give_pins(&f);
    let db = f.dir.path().join("tote.db");
    let key = tote(&db, &["apikey", "create", "shop"]).trim().to_owned();
    (f, db, key)
}

/// `tote serve --engine temporal --temporal-address ADDRESS EXTRA…` on
/// `db`, with `vars`: the server, its base URL and its log.
fn serve_on(
    db: &std::path::Path,
    address: &str,
    extra: &[&str],
    vars: &[(&str, &str)],
) -> (KillOnDrop, String, std::thread::JoinHandle<String>) {
    let args = [&["--engine", "temporal", "--temporal-address", address][..], extra].concat();
    let (child, base, log) = common::process::serve_env(db, &args, vars);
    (KillOnDrop(child), base, log)
}

async fn submit(http: &reqwest::Client, base: &str, key: &str, body: &Value) -> (StatusCode, Value) {
    let r = http.post(format!("{base}/api/v1/orders")).bearer_auth(key).json(body).send().await.expect("POST");
    (r.status(), r.json().await.expect("JSON"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tote_serve_on_temporal_takes_an_order_from_the_api_to_the_truck() {
    let temporal = DevServer::start().unwrap_or_else(|e| panic!("{e:#}"));
    let (f, db, key) = stocked();
    let (mut server, base, log) = serve_on(&db, &temporal.address, &[], &[]);
    let http = reqwest::Client::new();

    let Command::SubmitOrder(req) = order("tsv-1", &[("SKU-A", 1, "W1")]) else { unreachable!() };
    let body = serde_json::to_value(&req).expect("JSON");
    let (status, accepted) = submit(&http, &base, &key, &body).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{accepted}");
    assert_eq!(
        (accepted["type"].as_str(), accepted["workflow_id"].as_str()),
        (Some("accepted"), Some("order-intake-tsv-1"))
    );
    let (status, again) = submit(&http, &base, &key, &body).await;
    assert_eq!((status, &again), (StatusCode::ACCEPTED, &accepted), "a resubmission is a replay");
    let mut bad = body.clone();
    bad["lines"][0]["quantity"] = 0.into();
    bad["request_id"] = "tsv-bad".into();
    let (status, refused) = submit(&http, &base, &key, &bad).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a bad order is refused at once, as on the embedded engine: {refused}");

    // The intake runs on Temporal: the order and its pick work appear.
    let order_id = until("the order", || workflow(&f, "order-intake-tsv-1")?.order_id).await;
    let fid = until("the pick work", || {
        let view = f.svc.order_view(order_id).ok()?;
        let fl = view.fulfillments.first()?;
        (!fl.picking.is_empty()).then_some(fl.fulfillment_id)
    })
    .await;
    let fulfillment = format!("order-fulfillment-{fid}");

    let handheld = Station::new(&base, "HH-T1", None);
    let mut p = Picker::new(Input::default());
    logged_in(&mut p, &handheld, "B-100").await;
    pick_one(&handheld, &mut p).await;
    until("PickCompleted on Temporal", || (workflow(&f, &fulfillment)?.step == "await_pack").then_some(())).await;

    let labels = tempfile::tempdir().expect("label dir");
    let station = Station::new(&base, "PACK-T1", Some(PrinterUri::File { dir: labels.path().to_owned() }));
    let mut k = Packer::new(Input::default());
    logged_in(&mut k, &station, "B-200").await;
    pack(&station, &mut k, order_id).await;
    station.sync(&k).await;
    let tracking = until("the shipment booked by the site's worker", || {
        let s = f.svc.store().read(|tx| tx.shipment(fid)).expect("read")?;
        let t: Vec<String> = serde_json::from_str(&s.tracking).ok()?;
        (s.status == "confirmed").then(|| t.first().cloned()).flatten()
    })
    .await;

    let dock = Station::new(&base, "DOCK-T1", None);
    let mut d = Dock::new(Job::Dock, Input::default());
    logged_in(&mut d, &dock, "B-200").await;
    assert!(enter(&mut d, &dock.device, &tracking).await.is_empty(), "no beep: {:?}", d.view());
    dock.sync(&d).await;
    let done = until("the workflow's end", || workflow(&f, &fulfillment).filter(|w| w.status != "running")).await;
    assert_eq!(done.status, "completed", "{done:?}");
    let view = f.svc.order_view(order_id).expect("order");
    assert_eq!((view.status.as_str(), view.fulfillments[0].status.as_str()), ("shipped", "completed"), "{view:?}");
    assert_eq!(f.count("shipments"), 1, "one shipment");
    let history = f.svc.store().read(|tx| tx.history(&fulfillment)).expect("history");
    assert_eq!(i64::try_from(history.len()).ok(), Some(done.version), "every decision recorded once");
    let left =
        f.svc.store().read(|tx| Ok::<_, tote::storage::StorageError>((tx.hosted_starts(10)?, tx.hosted_signals(10)?)));
    let (starts, signals) = left.expect("read");
    assert!(starts.is_empty() && signals.is_empty(), "all forwarded: {starts:?} {signals:?}");
    // The CLI reads either engine's workflows from the site's store.
    let described = tote(&db, &["order", "describe", &order_id.to_string()]);
    for expected in ["order-intake-tsv-1", &fulfillment, "completed"] {
        assert!(described.contains(expected), "{expected} in:\n{described}");
    }
    // The label printed at the station, once, and the server knows.
    assert_eq!(files(labels.path()).len(), 1, "{:?}", k.view());
    assert!(label_printed(&db, view.fulfillments[0].packing[0].task_id));

    // `tote order submit` on the site's database acts as the site does: it
    // is accepted for Temporal (tote serve recorded the engine) and the
    // running server starts it there.
    let Command::SubmitOrder(cli) = order("tsv-cli", &[("SKU-A", 1, "W1")]) else { unreachable!() };
    let file = f.dir.path().join("tsv-cli.json");
    std::fs::write(&file, serde_json::to_string(&cli).expect("JSON")).expect("write");
    let said = tote(&db, &["order", "submit", &file.display().to_string()]);
    assert!(said.contains("accepted: intake order-intake-tsv-cli starts on Temporal"), "{said}");
    until("the CLI's order, made on Temporal", || workflow(&f, "order-intake-tsv-cli")?.order_id).await;

    signal(&server.0, "-TERM");
    let exit = server.0.wait().expect("reaped");
    let log = log.join().expect("log");
    assert!(exit.success(), "SIGTERM stops cleanly: {exit:?}\n{log}");
    assert!(log.contains("stopped cleanly"), "{log}");
}

/// The fulfillment of the order of `request`, once its pick work is made:
/// (order, fulfillment, picking task).
async fn picking_of(f: &Fixture, request: &str) -> (i64, i64, i64) {
    let order_id = until("the order", || workflow(f, &format!("order-intake-{request}"))?.order_id).await;
    until("the pick work", || {
        let view = f.svc.order_view(order_id).ok()?;
        let fl = view.fulfillments.first()?;
        Some((order_id, fl.fulfillment_id, fl.picking.first()?.task_id))
    })
    .await
}

/// The Temporal server is SIGKILLed twice under a running `tote serve`:
/// right after the API accepted four intakes, and right after the floor
/// packed their parcels (while the carrier steps run); one more order is
/// accepted while it is down. Started again on its file and port, every
/// workflow finishes once: one order, one pick task and one shipment per
/// request, all shipped, every decision recorded once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_temporal_server_starts_again_and_every_workflow_finishes_once() {
    let state = tempfile::tempdir().expect("tempdir");
    let file = state.path().join("temporal.db");
    let temporal = DevServer::start_persistent(&file, None).unwrap_or_else(|e| panic!("{e:#}"));
    let port = temporal.port();
    let (f, db, key) = stocked();
    let (mut server, base, log) = serve_on(&db, &temporal.address, &[], &[]);
    let http = reqwest::Client::new();
    let accept = |request: String| {
        let (http, base, key) = (http.clone(), base.clone(), key.clone());
        async move {
            let Command::SubmitOrder(req) = order(&request, &[("SKU-A", 1, "W1")]) else { unreachable!() };
            let (status, body) = submit(&http, &base, &key, &serde_json::to_value(&req).expect("JSON")).await;
            assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        }
    };
    let requests: Vec<String> = (1..=5).map(|n| format!("tk-{n}")).collect();
    for r in &requests[..4] {
        accept(r.clone()).await;
    }
    temporal.kill();
    accept(requests[4].clone()).await;
    let temporal = DevServer::start_persistent(&file, port).unwrap_or_else(|e| panic!("{e:#}"));

    // The floor, on device queues against `tote serve`: one handheld picks
    // the five orders, and a packing station packs each.
    let mut fulfillments = Vec::new();
    for r in &requests {
        let (order_id, fid, _) = picking_of(&f, r).await;
        fulfillments.push((order_id, fid));
    }
    let handheld = Station::new(&base, "HH-K", None);
    let mut p = Picker::new(Input::default());
    logged_in(&mut p, &handheld, "B-100").await;
    for _ in &fulfillments {
        pick_one(&handheld, &mut p).await;
    }
    for (order_id, _) in &fulfillments {
        let station = Station::new(&base, "PACK-K", None);
        let mut k = Packer::new(Input::default());
        logged_in(&mut k, &station, "B-200").await;
        pack_of(&station, &mut k, *order_id, "SKU-A").await;
        station.sync(&k).await;
    }
    temporal.kill();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let _temporal = DevServer::start_persistent(&file, port).unwrap_or_else(|e| panic!("{e:#}"));

    for (_, fid) in &fulfillments {
        let booked = until("the shipment", || {
            let s = f.svc.store().read(|tx| tx.shipment(*fid)).expect("read")?;
            let t: Vec<String> = serde_json::from_str(&s.tracking).ok()?;
            (s.status == "confirmed").then(|| t.first().cloned()).flatten()
        });
        let Ok(tracking) = tokio::time::timeout(Duration::from_secs(50), booked).await else {
            let rows: Vec<_> =
                fulfillments.iter().map(|(_, id)| workflow(&f, &format!("order-fulfillment-{id}"))).collect();
            let _ = server.0.kill();
            let log = log.join().unwrap_or_default();
            let warnings: Vec<&str> =
                log.lines().filter(|l| l.contains("WARN") || l.contains("ERROR")).take(20).collect();
            panic!("fulfillment {fid} not shipped: {rows:#?}\n{warnings:#?}");
        };
        let dock = Station::new(&base, "DOCK-K", None);
        let mut d = Dock::new(Job::Dock, Input::default());
        logged_in(&mut d, &dock, "B-200").await;
        assert!(enter(&mut d, &dock.device, &tracking).await.is_empty(), "no beep: {:?}", d.view());
        dock.sync(&d).await;
    }
    for (order_id, fid) in &fulfillments {
        let id = format!("order-fulfillment-{fid}");
        let done = until("the workflow's end", || workflow(&f, &id).filter(|w| w.status != "running")).await;
        assert_eq!(done.status, "completed", "{done:?}");
        let history = f.svc.store().read(|tx| tx.history(&id)).expect("history");
        assert_eq!(i64::try_from(history.len()).ok(), Some(done.version), "every decision recorded once");
        assert_eq!(f.svc.order_view(*order_id).expect("order").status.as_str(), "shipped");
    }
    let n = i64::try_from(requests.len()).expect("n");
    let counts = [f.count("orders"), f.count("picking_tasks"), f.count("shipments")];
    assert_eq!(counts, [n, n, n], "once each: orders, pick tasks, shipments");
}

/// A supervisor (B-300, PIN 4711) logged in at `base`: their token.
async fn supervisor(f: &Fixture, http: &reqwest::Client, base: &str) -> String {
    let hash = tote::server::auth::hash_pin(common::server::PIN).expect("hash");
    let now = f.svc.now();
    f.svc
        .store()
        .write(|tx| {
            let s = tx.insert_worker("B-300", "Sam Supervisor", "supervisor", now)?;
            tx.set_worker_pin(s, &hash)?;
            tx.bind_worker(s, "W1")
        })
        .expect("a supervisor");
    let body = serde_json::json!({"badge": "B-300", "pin": common::server::PIN});
    let r = http.post(format!("{base}/api/v1/auth/login")).json(&body).send().await.expect("login");
    let v: Value = r.json().await.expect("JSON");
    v["token"].as_str().expect("token").to_owned()
}

/// The site's own `[carrier]` (a delivery service over HTTP, its token from
/// a variable) books for the workflows on Temporal. The warehouse has no
/// ship-from address yet, so the booking is refused (E303): not retried,
/// the workflow waits and says why; the supervisor sets the address and
/// retries (the board's `t`: `POST /api/v1/workflows/{id}/retry`), the
/// retry reaches Temporal as a signal through the site's queue, and the
/// parcel is booked once, from the new address.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_booking_waits_for_the_supervisors_retry_on_temporal() {
    let temporal = DevServer::start().unwrap_or_else(|e| panic!("{e:#}"));
    let (f, db, key) = stocked();
    let dir = f.dir.path();
    let log = dir.join("carrier.jsonl");
    let (_carrier, port) = common::process::fake_service("fake_carrier.py", &log, &[("FAKE_CARRIER_TOKEN", "tk")]);
    let config = dir.join("tote.toml");
    let carrier = format!(
        "[carrier]\nkind = \"delivery-service\"\nbase_url = \"http://127.0.0.1:{port}\"\nprovider = \"D Express\"\ntoken_env = \"TEST_TOKEN\"\n"
    );
    std::fs::write(&config, carrier).expect("config");
    let config = ["--config", config.to_str().expect("utf-8 path")];
    let (_server, base, _log) = serve_on(&db, &temporal.address, &config, &[("TEST_TOKEN", "tk")]);
    let http = reqwest::Client::new();

    let Command::SubmitOrder(req) = order("tsv-r", &[("SKU-A", 1, "W1")]) else { unreachable!() };
    let (status, body) = submit(&http, &base, &key, &serde_json::to_value(&req).expect("JSON")).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let (order_id, fid, _) = picking_of(&f, "tsv-r").await;
    let handheld = Station::new(&base, "HH-R", None);
    let mut p = Picker::new(Input::default());
    logged_in(&mut p, &handheld, "B-100").await;
    pick_one(&handheld, &mut p).await;
    let station = Station::new(&base, "PACK-R", None);
    let mut k = Packer::new(Input::default());
    logged_in(&mut k, &station, "B-200").await;
    pack_of(&station, &mut k, order_id, "SKU-A").await;
    station.sync(&k).await;
    let id = format!("order-fulfillment-{fid}");
    let refused = |w: &WorkflowRow| w.blocking.as_deref().is_some_and(|b| b.contains("no ship-from address"));
    let stuck = until("the refusal as the blocking reason", || workflow(&f, &id).filter(refused)).await;
    assert_eq!((stuck.status.as_str(), stuck.step.as_str()), ("running", "create_shipment"), "it waits: {stuck:?}");
    assert!(common::process::logged(&log).is_empty(), "nothing reached the carrier");

    f.ok(Command::SetWarehouseAddress { warehouse: "W1".into(), address: common::ship_from() });
    let token = supervisor(&f, &http, &base).await;
    let retry = serde_json::json!({"op_id": "board-retry-1", "reason": "board"});
    let r = http.post(format!("{base}/api/v1/workflows/{id}/retry")).bearer_auth(&token).json(&retry).send().await;
    let r = r.expect("retry");
    assert_eq!(r.status(), StatusCode::OK, "{:?}", r.text().await);
    let booked = until("the booking after the retry", || {
        let s = f.svc.store().read(|tx| tx.shipment(fid)).expect("read")?;
        (s.status == "confirmed").then_some(())
    });
    if tokio::time::timeout(Duration::from_secs(30), booked).await.is_err() {
        let waiting = f.svc.store().read(|tx| tx.hosted_signals(10)).expect("read");
        panic!(
            "not booked: {:?}\nwaiting: {waiting:?}\ncarrier: {:?}",
            workflow(&f, &id),
            common::process::logged(&log)
        );
    }
    let calls = common::process::logged(&log);
    assert_eq!(calls.iter().filter(|c| c["new"] == true).count(), 1, "booked once: {calls:?}");
    assert_eq!(calls[0]["from_city"], "Novi Sad", "from the address set before the retry: {calls:?}");
}

/// Ships order `order_id` (fulfillment `fid`, one unit of `sku`) of site
/// `f` from its floor, as test 1 does: the picker's handheld, the packing station (its label
/// printer a directory) and the dock, each a device model on its own queue
/// against the site's `tote serve` at `base`; waits for the workflow's end.
async fn ship_from_the_floor(f: &Fixture, base: &str, (order_id, fid): (i64, i64), sku: &str) {
    let handheld = Station::new(base, "HH-S", None);
    let mut p = Picker::new(Input::default());
    logged_in(&mut p, &handheld, "B-100").await;
    pick_one_of(&handheld, &mut p, sku).await;
    let labels = tempfile::tempdir().expect("label dir");
    let station = Station::new(base, "PACK-S", Some(PrinterUri::File { dir: labels.path().to_owned() }));
    let mut k = Packer::new(Input::default());
    logged_in(&mut k, &station, "B-200").await;
    pack_of(&station, &mut k, order_id, sku).await;
    station.sync(&k).await;
    let tracking = until("the shipment booked by the site's worker", || {
        let s = f.svc.store().read(|tx| tx.shipment(fid)).expect("read")?;
        let t: Vec<String> = serde_json::from_str(&s.tracking).ok()?;
        (s.status == "confirmed").then(|| t.first().cloned()).flatten()
    })
    .await;
    let dock = Station::new(base, "DOCK-S", None);
    let mut d = Dock::new(Job::Dock, Input::default());
    logged_in(&mut d, &dock, "B-200").await;
    assert!(enter(&mut d, &dock.device, &tracking).await.is_empty(), "no beep: {:?}", d.view());
    dock.sync(&d).await;
    let id = format!("order-fulfillment-{fid}");
    let done = until("the workflow's end", || workflow(f, &id).filter(|w| w.status != "running")).await;
    assert_eq!(done.status, "completed", "{done:?}");
    assert_eq!(files(labels.path()).len(), 1, "one label at the station");
}

/// Two sites share one Temporal cluster: site A (`tote serve` on its own
/// database, W1, told that W2 is another site's) and site B (W2, task
/// queue `tote-W2`). Site B is down (SIGSTOP: it answers nothing) when an
/// order for both warehouses reaches site A. A's part is made and shipped
/// at A meanwhile; B's part waits on the cluster, and B's store has no
/// order. B comes back and makes and ships its part, as an order of its
/// own (`ms-1/W2`). A line for a warehouse no site holds is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_split_across_two_sites_ships_from_each_and_a_site_down_holds_only_its_part() {
    let temporal = DevServer::start().unwrap_or_else(|e| panic!("{e:#}"));
    let (a, b) = (Fixture::site(&["W1"]), Fixture::site(&["W2"]));
    common::server::give_pins(&a);
    common::server::give_pins(&b);
    let (db_a, db_b) = (a.dir.path().join("tote.db"), b.dir.path().join("tote.db"));
    let key = tote(&db_a, &["apikey", "create", "shop"]).trim().to_owned();
    let (_site_a, base, _log_a) = serve_on(&db_a, &temporal.address, &[], &[("TOTE_TEMPORAL_SITES", "W2")]);
    let (site_b, base_b, _log_b) = serve_on(&db_b, &temporal.address, &[], &[]);
    let http = reqwest::Client::new();

    let Command::SubmitOrder(req) = order("ms-bad", &[("SKU-A", 1, "W1"), ("SKU-C", 1, "W3")]) else { unreachable!() };
    let (status, refused) = submit(&http, &base, &key, &serde_json::to_value(&req).expect("JSON")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "W3 is no site's: {refused}");
    assert!(refused["message"].as_str().is_some_and(|m| m.contains("W3")), "{refused}");
    // A malformed line for another site's warehouse is refused here too,
    // naming the field as sent, not accepted for that site to fail.
    let Command::SubmitOrder(req) = order("ms-zero", &[("SKU-A", 1, "W1"), ("SKU-B", 0, "W2")]) else { unreachable!() };
    let (status, refused) = submit(&http, &base, &key, &serde_json::to_value(&req).expect("JSON")).await;
    assert_eq!((status, &refused["field"]), (StatusCode::BAD_REQUEST, &json!("lines[1].quantity")), "{refused}");

    signal(&site_b.0, "-STOP");
    let Command::SubmitOrder(req) = order("ms-1", &[("SKU-A", 1, "W1"), ("SKU-B", 1, "W2")]) else { unreachable!() };
    let (status, accepted) = submit(&http, &base, &key, &serde_json::to_value(&req).expect("JSON")).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{accepted}");
    assert_eq!(accepted["workflow_id"], "order-intake-ms-1", "{accepted}");
    let routed = serde_json::json!([{
        "warehouse": "W2", "request_id": "ms-1/W2", "workflow_id": "tote-W2/order-intake-ms-1/W2"
    }]);
    assert_eq!(accepted["routed"], routed, "{accepted}");

    let (order_a, fid_a, _) = picking_of(&a, "ms-1").await;
    let view = a.svc.order_view(order_a).expect("order");
    let skus: Vec<&str> = view.lines.iter().map(|l| l.sku.as_str()).collect();
    assert_eq!(skus, ["SKU-A"], "site A made only its own lines: {view:?}");
    ship_from_the_floor(&a, &base, (order_a, fid_a), "SKU-A").await;
    assert_eq!(b.count("orders"), 0, "site B is down: its part waits on the cluster");

    signal(&site_b.0, "-CONT");
    let (order_b, fid_b, _) = picking_of(&b, "ms-1/W2").await;
    let view = b.svc.order_view(order_b).expect("order");
    let skus: Vec<&str> = view.lines.iter().map(|l| l.sku.as_str()).collect();
    assert_eq!(skus, ["SKU-B"], "site B made its part: {view:?}");
    ship_from_the_floor(&b, &base_b, (order_b, fid_b), "SKU-B").await;
    for (site, f) in [("A", &a), ("B", &b)] {
        let counts = [f.count("orders"), f.count("fulfillments"), f.count("shipments")];
        assert_eq!(counts, [1, 1, 1], "site {site}: one order, fulfillment and shipment");
    }
}
