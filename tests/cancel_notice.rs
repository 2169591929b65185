//! A cancel reaches the picker on a real terminal within seconds (issue
//! 16): `tote serve` and `tote pick` in tmux at 20x16, polling only every
//! 30 s, so what brings the news is the event stream. The order is
//! cancelled over the API while the picker stands at the location, and
//! again (a second order) at "All items done", where the old picker heard
//! of it only after F1. The screen says the task stopped and what goes
//! back where.

mod common;

use common::process::{KillOnDrop, serve, tote};
use common::tmux::{Tmux, assets, floor_db, pick_command, tmux_missing};
use serde_json::json;
use std::time::{Duration, Instant};

async fn cancel(base: &str, order: i64) {
    let http = reqwest::Client::new();
    let token = common::tmux::supervisor(&http, base).await;
    let r = http
        .post(format!("{base}/api/v1/orders/{order}/cancel"))
        .bearer_auth(token)
        .header("Idempotency-Key", format!("cancel-{order}"))
        .json(&json!({"reason": "customer cancelled"}))
        .send()
        .await
        .expect("cancel");
    assert!(r.status().is_success(), "{:?}", r.text().await);
}

/// Seconds from the cancel's answer until "TASK STOPPED" is on screen.
async fn time_to_notice(tmux: &Tmux, base: &str, order: i64, log: &std::path::Path) -> (Duration, String) {
    cancel(base, order).await;
    let asked = Instant::now();
    let screen = tmux.wait_for_or("TASK STOPPED", &|| std::fs::read_to_string(log).unwrap_or_default());
    (asked.elapsed(), screen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancel_reaches_the_picker_in_seconds_wherever_it_stands() {
    if tmux_missing() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let db = floor_db(dir.path(), true);
    tote(&db, &["order", "submit", &assets("sample-order.json")]);
    let (server, base, _log) = serve(&db);
    let _server = KillOnDrop(server);
    let pick = pick_command(&base, "HH-C", dir.path(), "--poll-seconds 30");
    let tmux = Tmux::start("cancel", &pick);
    tmux.log_in(b"P-001\r", "4711");
    tmux.wait_for("A-01-01");

    // At the location step.
    let (took, s) = time_to_notice(&tmux, &base, 1, &dir.path().join("pick.log")).await;
    eprintln!("cancel at the location: on screen after {took:?}");
    assert!(took < Duration::from_secs(5), "{took:?} (bound for a loaded CI machine; the target is 2 s)\n{s}");
    assert!(s.contains("customer") && s.contains("Nothing to put"), "{s}");

    // At "All items done": a one-mug order, picked with two scans.
    let small = dir.path().join("small.json");
    let order = serde_json::json!({"request_id": "shop-small", "priority": "high",
        "ship_to": {"contact_name": "Ana", "street": "Knez Mihailova 1", "city": "Beograd", "country": "RS"},
        "lines": [{"sku": "SKU-MUG", "quantity": 1, "warehouse": "W1"}]});
    std::fs::write(&small, order.to_string()).expect("order file");
    tote(&db, &["order", "submit", small.to_str().expect("utf-8")]);
    tmux.run(&["send-keys", "-t", "s", "F1"]);
    tmux.wait_for("A-01-01");
    tmux.raw(b"A-01-01\n");
    tmux.wait_for("Item _");
    tmux.raw(b"SKU-MUG\n");
    tmux.wait_for("All items done");
    let (took, s) = time_to_notice(&tmux, &base, 2, &dir.path().join("pick.log")).await;
    eprintln!("cancel at all items done: on screen after {took:?}");
    assert!(took < Duration::from_secs(5), "{took:?} (it waited for F1 before)\n{s}");
    assert!(s.contains("Put back:") && s.contains("1 SKU-MUG"), "{s}");
}
