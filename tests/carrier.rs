//! `tote serve` books parcels with a real carrier process over HTTP, as
//! `[carrier]` in its config file says: a counting fake delivery service
//! (`tests/fakes/fake_carrier.py`) that books one shipment per
//! Idempotency-Key and logs every call. The server is SIGKILLed while the
//! carrier holds its calls and started again: every package is booked once,
//! under one key, with the token from the variable the config names, the
//! provider and the warehouse's ship-from address; the label prints the
//! carrier's tracking number.

mod common;

use common::flow::{pack, pick_all};
use common::process::{KillOnDrop, fake_service, logged as calls, serve_env};
use common::server::{PIN, give_pins};
use common::{Fixture, accepted, order};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

const ORDERS: usize = 6;
const TOKEN: &str = "carrier-token-123";

fn wait_until(what: &str, secs: u64, mut done: impl FnMut() -> bool) {
    let end = Instant::now() + Duration::from_secs(secs);
    while !done() {
        assert!(Instant::now() < end, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn a_sigkilled_server_books_every_package_with_the_carrier_once() {
    let f = Fixture::new();
    f.place("W1", "A-03", "SKU-A", 20, 3);
    give_pins(&f);
    f.ok(tote::app::Command::SetWarehouseAddress { warehouse: "W1".into(), address: common::ship_from() });
    // Packed before the server starts: each fulfillment's create_shipment
    // call is queued, for the engine's first round.
    let mut packing = Vec::new();
    for i in 0..ORDERS {
        let (_, tasks) = accepted(&f.ok(order(&format!("R-{i}"), &[("SKU-A", 1, "W1")])));
        let p = pick_all(&f, tasks[0].1);
        pack(&f, p);
        packing.push(p);
    }
    let dir = f.dir.path();
    let log = dir.join("carrier.jsonl");
    let vars = [("FAKE_CARRIER_TOKEN", TOKEN), ("FAKE_CARRIER_DELAY", "1.0")];
    let (_carrier, port) = fake_service("fake_carrier.py", &log, &vars);
    let config = dir.join("tote.toml");
    std::fs::write(
        &config,
        format!(
            "[carrier]\nkind = \"delivery-service\"\nbase_url = \"http://127.0.0.1:{port}\"\n\
             provider = \"D Express\"\ntoken_env = \"TEST_CARRIER_TOKEN\"\n"
        ),
    )
    .expect("config");
    let db = dir.join("tote.db");
    let args = ["--config", config.to_str().expect("utf-8 path")];
    let vars = [("TEST_CARRIER_TOKEN", TOKEN)];

    // The carrier books and holds its answers; the server dies meanwhile.
    let (child, _, first_log) = serve_env(&db, &args, &vars);
    let mut first = KillOnDrop(child);
    let booked_any = || !calls(&log).is_empty();
    let end = Instant::now() + Duration::from_secs(60);
    while !booked_any() && Instant::now() < end {
        std::thread::sleep(Duration::from_millis(10));
    }
    first.0.kill().expect("SIGKILL");
    first.0.wait().expect("reaped");
    assert!(booked_any(), "the carrier was called: {}", first_log.join().unwrap_or_default());
    let before_restart = calls(&log).len();

    let (child, base, _) = serve_env(&db, &args, &vars);
    let _second = KillOnDrop(child);
    let shipments = || f.svc.store().read(|tx| tx.shipment_counts()).expect("read");
    wait_until("every shipment recorded", 90, || shipments().iter().map(|(_, n)| n).sum::<i64>() == ORDERS as i64);

    let calls = calls(&log);
    assert!(calls.len() > before_restart, "the restarted server called the carrier again");
    let mut keys: BTreeMap<(i64, String), BTreeSet<String>> = BTreeMap::new();
    let mut tracking_of: BTreeMap<String, String> = BTreeMap::new();
    for c in &calls {
        assert_eq!(c["provider"], "D Express", "{c}");
        assert_eq!(c["from_city"], "Novi Sad", "the warehouse's ship-from address: {c}");
        let package = (c["order_id"].as_i64().expect("order"), c["package"].as_str().expect("package").to_owned());
        keys.entry(package).or_default().insert(c["key"].as_str().expect("key").to_owned());
        tracking_of.insert(c["key"].as_str().expect("key").to_owned(), c["tracking"].as_str().expect("t").to_owned());
    }
    assert_eq!(keys.len(), ORDERS, "one package per order reached the carrier: {keys:?}");
    assert!(keys.values().all(|k| k.len() == 1), "each package under one idempotency key: {keys:?}");
    let booked = calls.iter().filter(|c| c["new"] == true).count();
    assert_eq!(booked, ORDERS, "the carrier booked each package once, over {} calls", calls.len());
    assert!(calls.len() > ORDERS, "some calls were repeats after the kill ({} calls)", calls.len());

    // The stored shipments and the labels carry the carrier's numbers.
    let stored: BTreeSet<String> = f
        .svc
        .store()
        .read(|tx| (1..=ORDERS as i64).map(|id| tx.shipment(id)).collect::<Result<Vec<_>, _>>())
        .expect("shipments")
        .into_iter()
        .flatten()
        .flat_map(|s| serde_json::from_str::<Vec<String>>(&s.tracking).expect("tracking"))
        .collect();
    assert_eq!(stored, tracking_of.values().cloned().collect(), "tote holds the carrier's tracking numbers");
    let http = reqwest::blocking::Client::new();
    let login: Value = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"badge": "B-200", "pin": PIN}))
        .send()
        .and_then(|r| r.json())
        .expect("login");
    let token = login["token"].as_str().expect("token");
    let label: Value = http
        .get(format!("{base}/api/v1/packing-tasks/{}/label", packing[0]))
        .bearer_auth(token)
        .send()
        .and_then(|r| r.json())
        .expect("label");
    let number = label["tracking_numbers"][0].as_str().expect("a tracking number");
    assert!(stored.contains(number), "{label}");
    assert_eq!(label["carrier"], "delivery-service");
    let zpl = label["labels"][0].as_str().expect("zpl");
    assert!(zpl.contains(number) && zpl.contains("Kvai 7") && zpl.contains("Novi Sad"), "{zpl}");
}
