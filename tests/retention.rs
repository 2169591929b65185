//! Retention through `tote serve` as a process with its real config: the
//! sweep deletes what is finished and old (histories and logs of ended
//! workflows, events every subscriber had, expired sessions, the stored
//! answers of ops older than the offline window) and keeps what is still
//! needed: a running workflow's history, a finished workflow's final state,
//! and the stored answer of a recent op, which a replay still gets.
//!
//! The fixture's clock stands in May 2026, months before the server's
//! clock: everything the fixture did is old to the server.

mod common;

use common::flow::{to_dock, wf};
use common::process::{KillOnDrop, run, serve_with, text, tote};
use common::{Fixture, accepted, order};
use serde_json::{Value, json};
use tote::app::Command;

fn history(f: &Fixture, id: &str) -> usize {
    f.svc.store().read(|tx| tx.history(id)).expect("history").len()
}

fn stored(f: &Fixture, op: &str) -> bool {
    f.svc.store().read(|tx| tx.applied_op(op)).expect("read").is_some()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sweep_forgets_finished_things_and_keeps_what_a_replay_needs() {
    let f = Fixture::new();
    let (_, done) = to_dock(&f, "old-1", "TT000000201RS");
    f.ok(Command::DispatchParcel { tracking: "TT000000201RS".into() });
    assert_eq!(wf(&f, &done).status, "completed");
    let (order_id, _) = accepted(&f.ok(order("old-2", &[("SKU-B", 1, "W2")])));
    let running = f.svc.store().read(|tx| tx.workflows_for_order(order_id)).expect("read");
    let running = running.iter().find(|w| w.status == "running").expect("a running workflow").id.clone();
    let now = common::t0();
    f.svc
        .store()
        .write(|tx| tx.insert_session("expired", tote::domain::ids::WorkerId(f.picker), None, now, now))
        .expect("session");
    let (done_before, running_before) = (history(&f, &done), history(&f, &running));
    let logs_before = f.count("fulfillment_tasks");
    assert!(done_before > 0 && running_before > 0);
    assert!(stored(&f, "op-1") && f.count("outbox_events") > 0 && f.count("fulfillment_tasks") > 0);

    let db = f.dir.path().join("tote.db");
    let key = tote(&db, &["apikey", "create", "shop"]).trim().to_owned();
    let config = f.dir.path().join("tote.toml");
    std::fs::write(&config, "[server]\nretention_sweep_secs = 1\noffline_window_days = 7\n").expect("config");
    let (child, base, log) = serve_with(&db, &["--config", config.to_str().expect("utf-8")]);
    let mut server = KillOnDrop(child);
    let http = reqwest::Client::new();
    let place = json!({"op_id": "fresh-1", "warehouse": "W1", "location": "F-01", "sku": "SKU-F", "quantity": 4});
    let send = || http.post(format!("{base}/api/v1/inventory/place")).bearer_auth(&key).json(&place).send();
    let first: Value = send().await.expect("place").json().await.expect("json");

    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while history(&f, &done) > 0 || stored(&f, "op-1") {
        assert!(std::time::Instant::now() < deadline, "no sweep within 20 s");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    // Gone: the ended workflow's history and log, old answers, old events
    // (no subscriber), the expired session.
    assert!(f.count("fulfillment_tasks") < logs_before, "the ended workflow's activity log is gone");
    let events = f.svc.store().read(|tx| tx.events_after(0, 10_000)).expect("events");
    assert!(events.iter().all(|e| e.created_at > now + chrono::Duration::days(30)), "old events are gone");
    assert_eq!(f.count("sessions"), 0, "the expired session is gone");
    // Kept: the final state, the running workflow's history, a recent answer.
    assert_eq!(wf(&f, &done).status, "completed");
    assert!(history(&f, &running) >= running_before, "a running workflow keeps its history");
    assert!(stored(&f, "fresh-1"));
    let again: Value = send().await.expect("replay").json().await.expect("json");
    assert_eq!(again, first, "a replay inside the window gets the stored answer");
    let slots: Value = http
        .get(format!("{base}/api/v1/inventory/picking-locations?warehouse=W1&sku=SKU-F"))
        .bearer_auth(&key)
        .send()
        .await
        .expect("read")
        .json()
        .await
        .expect("json");
    assert_eq!(slots[0]["on_hand"], 4, "placed once: {slots}");

    let metrics = http.get(format!("{base}/metrics")).send().await.expect("metrics").text().await.expect("text");
    assert!(metrics.contains("tote_table_rows{table=\"workflow_events\"}"), "{metrics}");
    let _ = server.0.kill();
    let _ = server.0.wait();
    assert!(log.join().expect("log").contains("retention sweep deleted"));
    let check = run(&db, &["check"]);
    assert!(check.status.success(), "{}", text(&check));
}
