//! Workers belong to warehouses: a picker of W1 is never offered W2's work,
//! however urgent, by a claim, a batch or a supervisor's assignment. The
//! worker is added as a site adds one (`tote worker add`, a child process)
//! and works through `server::run` over HTTP.

mod common;

use common::process;
use common::server::{PIN, TestServer};
use common::{Fixture, accepted, order};
use reqwest::StatusCode;
use serde_json::json;
use tote::app::Command;

fn urgent(request_id: &str, lines: &[(&str, i64, &str)]) -> Command {
    let Command::SubmitOrder(mut o) = order(request_id, lines) else { unreachable!("order() makes a SubmitOrder") };
    o.priority = "urgent".into();
    Command::SubmitOrder(o)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_of_w1_is_never_offered_w2_work() {
    let f = Fixture::new();
    let db = f.dir.path().join("tote.db");
    process::tote(
        &db,
        &[
            "worker",
            "add",
            "--badge",
            "B-110",
            "--name",
            "New Picker",
            "--role",
            "picker",
            "--pin",
            PIN,
            "--warehouse",
            "W1",
        ],
    );
    // W2's order is urgent and older; W1's is normal.
    let (_, w2) = accepted(&f.ok(urgent("far-1", &[("SKU-B", 1, "W2")])));
    let (_, w1) = accepted(&f.ok(order("near-1", &[("SKU-A", 1, "W1")])));
    let s = TestServer::start(&f).await;
    let t = s.tokens(&f).await;
    let (st, body) = s.login("B-110", PIN).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let new = body["token"].as_str().expect("token").to_owned();
    let new_id = body["worker_id"].as_i64().expect("worker id");

    let (st, claimed) = s.post("/api/v1/tasks/claim", &new, json!({"op_id": "c-1", "queue": "picking"})).await;
    assert_eq!(st, StatusCode::OK, "{claimed}");
    assert_eq!(claimed["task_id"].as_i64(), Some(w1[0].1), "W1's task, not W2's urgent one: {claimed}");

    // W1's work taken, W2's left: nothing for this picker (a picker of all
    // three warehouses gets W2's task).
    let done = json!({"op_id": "cancel-w1", "reason": "test"});
    let (st, body) = s.post(&format!("/api/v1/picking-tasks/{}/cancel", w1[0].1), &t.supervisor, done).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let (st, claimed) = s.post("/api/v1/tasks/claim", &new, json!({"op_id": "c-2", "queue": "picking"})).await;
    assert_eq!((st, claimed["task_id"].as_i64()), (StatusCode::OK, None), "{claimed}");

    // A supervisor cannot hand W2's task to W1's picker either.
    let assign = json!({"op_id": "a-1", "worker_id": new_id});
    let (st, body) = s.post(&format!("/api/v1/picking-tasks/{}/assign", w2[0].1), &t.supervisor, assign).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{body}");
    assert!(body["message"].as_str().is_some_and(|m| m.contains("warehouse")), "{body}");

    // Nor a cluster batch of W2's wave.
    let mut wave = common::wave_of(10, 2);
    if let Command::ReleaseWave { warehouse, .. } = &mut wave {
        *warehouse = "W2".into();
    }
    f.ok(wave);
    let (st, batch) = s.post("/api/v1/batches/claim", &new, json!({"op_id": "b-1"})).await;
    assert_eq!(st, StatusCode::OK, "{batch}");
    assert!(batch["batch"].is_null(), "no W2 batch for a W1 picker: {batch}");

    let (st, batch) = s.post("/api/v1/batches/claim", &t.picker, json!({"op_id": "b-2"})).await;
    assert_eq!((st, batch["batch"].is_object()), (StatusCode::OK, true), "B-100 works in W2: {batch}");
}

#[test]
fn a_worker_added_to_a_site_of_several_warehouses_must_say_where() {
    let f = Fixture::new();
    let db = f.dir.path().join("tote.db");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tote"))
        .arg("--db")
        .arg(&db)
        .args(["worker", "add", "--badge", "B-120", "--name", "Nowhere", "--role", "picker"])
        .env_remove("TOTE_DB")
        .output()
        .expect("run tote");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--warehouse") && err.contains("W1, W2, W3"), "{err}");
    let out = process::tote(&db, &["worker", "bind", "B-100", "W2"]);
    assert!(out.contains("B-100 works in W1, W2, W3"), "{out}");
}

/// The board and waves are scoped the same way: a supervisor of W1 sees
/// W1's queues only, may not ask for W2's board or release its wave (403), and an unknown warehouse is a
/// 400 naming the field; a supervisor of every warehouse sees them all, or
/// one when asked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supervisor_of_w1_sees_w1_on_the_board() {
    let f = Fixture::new();
    let db = f.dir.path().join("tote.db");
    let add = ["worker", "add", "--badge", "S-110", "--name", "Wanda W1", "--role", "supervisor", "--pin", PIN];
    process::tote(&db, &[&add[..], &["--warehouse", "W1"]].concat());
    f.ok(order("w1-order", &[("SKU-A", 1, "W1")]));
    f.ok(order("w2-order", &[("SKU-B", 1, "W2")]));
    let s = TestServer::start(&f).await;
    let t = s.tokens(&f).await;
    let (_, body) = s.login("S-110", PIN).await;
    let w1 = body["token"].as_str().expect("token").to_owned();
    let picking = |board: &serde_json::Value| -> i64 {
        let queues = board["queues"].as_array().cloned().unwrap_or_default();
        queues.iter().filter(|q| q["queue"] == "picking").map(|q| q["count"].as_i64().unwrap_or(0)).sum()
    };
    let (st, board) = s.get("/api/v1/board", &w1).await;
    assert_eq!((st, picking(&board)), (StatusCode::OK, 1), "W1's task only: {board}");
    let (st, body) = s.get("/api/v1/board?warehouse=W2", &w1).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{body}");
    let (st, body) = s.get("/api/v1/board?warehouse=W9", &w1).await;
    assert_eq!((st, body["field"].as_str()), (StatusCode::BAD_REQUEST, Some("warehouse")), "{body}");
    // Waves too: W2's is not hers to release.
    let wave = json!({"op_id": "wave-w2", "warehouse": "W2"});
    let (st, body) = s.post("/api/v1/waves", &w1, wave).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{body}");
    let (_, all) = s.get("/api/v1/board", &t.supervisor).await;
    assert_eq!(picking(&all), 2, "a supervisor of every warehouse sees both: {all}");
    let (_, w2) = s.get("/api/v1/board?warehouse=W2", &t.supervisor).await;
    assert_eq!(picking(&w2), 1, "{w2}");
    s.stop().await;
}

/// The put-back list a worker's handheld shows (`tote put-back`) holds the
/// put-backs of their warehouses only; a worker of every warehouse sees all.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_of_w1_sees_only_w1_put_backs() {
    let f = Fixture::new();
    let db = f.dir.path().join("tote.db");
    let add = ["worker", "add", "--badge", "B-111", "--name", "Putter", "--role", "picker", "--pin", PIN];
    process::tote(&db, &[&add[..], &["--warehouse", "W1"]].concat());
    // Units picked in W1 and in W2, then both orders cancelled: two put-backs.
    for (request, line) in [("pb-1", ("SKU-A", 1, "W1")), ("pb-2", ("SKU-B", 1, "W2"))] {
        let (order_id, tasks) = accepted(&f.ok(order(request, &[line])));
        common::flow::pick_all(&f, tasks[0].1);
        f.ok(Command::CancelOrder { order_id, reason: "customer".into() });
    }
    let s = TestServer::start(&f).await;
    let t = s.tokens(&f).await;
    let (st, body) = s.login("B-111", PIN).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let w1_only = body["token"].as_str().expect("token").to_owned();
    let warehouses = |list: &serde_json::Value| {
        list.as_array().expect("a list").iter().map(|p| p["warehouse_id"].as_i64().unwrap_or(0)).collect::<Vec<_>>()
    };
    let (st, mine) = s.get("/api/v1/put-backs", &w1_only).await;
    assert_eq!(st, StatusCode::OK, "{mine}");
    let (_, all) = s.get("/api/v1/put-backs", &t.picker).await;
    assert_eq!(warehouses(&all).len(), 2, "a picker of every warehouse sees both: {all}");
    assert_eq!(warehouses(&mine).len(), 1, "W1's only: {mine}");
    assert!(warehouses(&all).contains(&warehouses(&mine)[0]));
    s.stop().await;
}
