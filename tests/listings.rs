//! `tote serve` with `[listings]` tells a fake Listings service
//! (`tests/fakes/fake_listings.py`, a real HTTP process) that an order from
//! it is ready for shipment once it is packed (seed 001 §6.1's
//! `UpdateOrderStatus`). Listings is down for its first seconds: the report
//! is retried with backoff under one idempotency key until it lands, once;
//! an order that did not come from Listings is not reported.

mod common;

use common::flow::{pack, pick_all};
use common::process::{KillOnDrop, fake_service, logged, serve_env};
use common::{Fixture, accepted, order};
use std::time::{Duration, Instant};
use tote::app::Command;

const TOKEN: &str = "listings-token-9";

#[test]
fn a_packed_order_is_reported_to_listings_once_after_it_comes_back() {
    let f = Fixture::new();
    let mut from_listings = order("shop-1", &[("SKU-A", 1, "W1")]);
    if let Command::SubmitOrder(o) = &mut from_listings {
        o.external_ref = Some("LST-77".into());
    }
    for c in [from_listings, order("phone-1", &[("SKU-A", 1, "W1")])] {
        let (_, tasks) = accepted(&f.ok(c));
        pack(&f, pick_all(&f, tasks[0].1));
    }
    let dir = f.dir.path();
    let log = dir.join("listings.jsonl");
    let vars = [("FAKE_LISTINGS_TOKEN", TOKEN), ("FAKE_LISTINGS_DOWN_SECS", "2")];
    let (_listings, port) = fake_service("fake_listings.py", &log, &vars);
    let config = dir.join("tote.toml");
    let text = format!("[listings]\nbase_url = \"http://127.0.0.1:{port}\"\ntoken_env = \"TEST_LISTINGS_TOKEN\"\n");
    std::fs::write(&config, text).expect("config");
    let args = ["--config", config.to_str().expect("utf-8")];
    let (child, _, _) = serve_env(&dir.join("tote.db"), &args, &[("TEST_LISTINGS_TOKEN", TOKEN)]);
    let _server = KillOnDrop(child);

    let end = Instant::now() + Duration::from_secs(60);
    while !logged(&log).iter().any(|c| c["answered"] == 200) {
        assert!(Instant::now() < end, "never reported: {:?}", logged(&log));
        std::thread::sleep(Duration::from_millis(50));
    }
    let calls = logged(&log);
    assert!(calls.iter().any(|c| c["answered"] == 503), "it was down at first: {calls:?}");
    assert!(calls.iter().all(|c| c["order"] == "LST-77"), "only the order from Listings: {calls:?}");
    assert!(calls.iter().all(|c| c["method"] == "POST" && c["status"] == "ready_for_shipment"), "{calls:?}");
    let keys: std::collections::BTreeSet<_> = calls.iter().map(|c| c["key"].to_string()).collect();
    assert_eq!(keys.len(), 1, "every attempt under one idempotency key: {calls:?}");
    assert_eq!(calls.iter().filter(|c| c["answered"] == 200).count(), 1, "{calls:?}");
    assert!(calls.iter().all(|c| c["answered"] != 401), "the token from the variable: {calls:?}");
}
