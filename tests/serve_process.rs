//! `tote serve` as a real process: an acknowledged op survives SIGKILL, and
//! SIGTERM stops the server cleanly (exit 0) after answering what it took.

mod common;

use common::process::{serve, tote};

use reqwest::StatusCode;
use serde_json::json;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

fn setup() -> (tempfile::TempDir, std::path::PathBuf, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("serve.db");
    tote(&db, &["init", "--warehouse", "W1=Main"]);
    let key = tote(&db, &["apikey", "create", "shop"]).trim().to_owned();
    assert!(key.starts_with("tote_key_"), "{key}");
    (dir, db, key)
}

async fn place(http: &reqwest::Client, base: &str, key: &str, n: usize) -> Option<StatusCode> {
    let body = json!({"op_id": format!("place-{n}"), "warehouse": "W1", "location": format!("K-{n:03}"), "sku": "SKU-K", "quantity": 1});
    http.post(format!("{base}/api/v1/inventory/place"))
        .bearer_auth(key)
        .json(&body)
        .send()
        .await
        .ok()
        .map(|r| r.status())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_ops_survive_sigkill() {
    let (_dir, db, key) = setup();
    let (mut child, base, _log) = serve(&db);
    let http = reqwest::Client::new();
    let mut calls = Vec::new();
    for n in 0..40 {
        let (http, base, key) = (http.clone(), base.clone(), key.clone());
        calls.push(tokio::spawn(async move { (n, place(&http, &base, &key, n).await) }));
    }
    let mut acked = Vec::new();
    for c in calls {
        if let (n, Some(StatusCode::OK)) = c.await.expect("join") {
            acked.push(n);
        }
    }
    assert_eq!(acked.len(), 40, "all placed while the server ran");
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");

    let (mut child, base, _log) = serve(&db);
    let (st, slots) = {
        let r = http
            .get(format!("{base}/api/v1/inventory/picking-locations?warehouse=W1&sku=SKU-K"))
            .bearer_auth(&key)
            .send()
            .await
            .expect("read after restart");
        (r.status(), r.json::<serde_json::Value>().await.expect("json"))
    };
    assert_eq!(st, StatusCode::OK);
    let locations: Vec<&str> = slots.as_array().expect("slots").iter().filter_map(|s| s["location"].as_str()).collect();
    for n in acked {
        assert!(locations.contains(&format!("K-{n:03}").as_str()), "acknowledged op {n} lost after SIGKILL");
    }
    // A retry of an acknowledged op after the restart is a replay.
    assert_eq!(place(&http, &base, &key, 3).await, Some(StatusCode::OK));
    child.kill().expect("kill");
    child.wait().expect("reaped");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_finishes_in_flight_requests_and_exits_zero() {
    let (_dir, db, key) = setup();
    let (mut child, base, log) = serve(&db);
    let http = reqwest::Client::new();
    let mut calls = Vec::new();
    for n in 0..30 {
        let (http, base, key) = (http.clone(), base.clone(), key.clone());
        calls.push(tokio::spawn(async move { (n, place(&http, &base, &key, n).await) }));
    }
    let pid = child.id().to_string();
    // The shell's builtin kill: no procps needed on a fresh machine.
    let killed = Command::new("sh").args(["-c", &format!("kill -TERM {pid}")]).status().expect("kill -TERM");
    assert!(killed.success());
    let mut answered = Vec::new();
    for c in calls {
        match c.await.expect("join") {
            (n, Some(StatusCode::OK)) => answered.push(n),
            (_, None) => {} // arrived after the listener closed: refused, never half-done
            (n, Some(other)) => panic!("request {n} answered {other} during shutdown"),
        }
    }
    let status = child.wait().expect("wait");
    assert!(status.success(), "exit status {status:?}");
    let log = log.join().expect("log");
    assert!(log.contains("stopped cleanly"), "{log}");
    // Every answered op is on disk.
    let store = tote::storage::Store::open(&db).expect("open");
    for n in answered {
        let op = store.read(|tx| tx.applied_op(&format!("place-{n}"))).expect("read");
        assert!(op.is_some(), "answered op {n} is not in the database");
    }
}

#[test]
fn a_config_file_is_read_and_a_typo_in_it_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("c.db");
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[server]\ngroup_comit = false\n").expect("write");
    let o = Command::new(env!("CARGO_BIN_EXE_tote"))
        .arg("--db")
        .arg(&db)
        .args(["serve", "--config"])
        .arg(&bad)
        .env_remove("TOTE_DB")
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    assert!(err.contains("group_comit") && err.contains("bad.toml"), "{err}");

    // A good file: its listen address and group_commit = false are used.
    let good = dir.path().join("good.toml");
    std::fs::write(&good, "[server]\nlisten = \"127.0.0.1:0\"\ngroup_commit = false\n").expect("write");
    let mut child = Command::new(env!("CARGO_BIN_EXE_tote"))
        .arg("--db")
        .arg(&db)
        .args(["serve", "--config"])
        .arg(&good)
        .env_remove("TOTE_DB")
        .env_remove("TOTE_LISTEN")
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
    let first = lines.find_map(|l| l.ok().filter(|l| l.contains("http://"))).expect("announced");
    assert!(first.contains("http://127.0.0.1:") && first.contains("group commit off"), "{first}");
    child.kill().expect("kill");
    child.wait().expect("reaped");
}

/// An operator finds an error a client showed in the log by its request id:
/// `X-Request-Id` is kept (or made), echoed, put in every error body, and
/// on the log line of the request and of its op, which says the command,
/// what it acted on and its outcome. `--log-format json` writes the same
/// as one JSON object per line.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_and_ops_are_logged_under_their_request_id() {
    for json in [false, true] {
        let (_dir, db, key) = setup();
        let extra: &[&str] = if json { &["--log-format", "json"] } else { &[] };
        let (child, base, log) = common::process::serve_with(&db, extra);
        let mut server = common::process::KillOnDrop(child);
        let http = reqwest::Client::new();
        let body = json!({"op_id": "log-1", "warehouse": "W1", "location": "K-1", "sku": "SKU-K", "quantity": 1});
        let r = http
            .post(format!("{base}/api/v1/inventory/place"))
            .bearer_auth(&key)
            .header("x-request-id", "req-log-1")
            .json(&body)
            .send()
            .await
            .expect("place");
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()["x-request-id"], "req-log-1");
        let bad = json!({"op_id": "log-2", "warehouse": "W9", "location": "K-1", "sku": "SKU-K", "quantity": 1});
        let r =
            http.post(format!("{base}/api/v1/inventory/place")).bearer_auth(&key).json(&bad).send().await.expect("bad");
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        let made = r.headers()["x-request-id"].to_str().expect("ascii").to_owned();
        let err: serde_json::Value = r.json().await.expect("json");
        assert_eq!(err["request_id"], made.as_str(), "the error body names the request: {err}");
        let _ = server.0.kill();
        let _ = server.0.wait();
        let log = log.join().expect("log");
        let line = |needles: &[&str]| log.lines().find(|l| needles.iter().all(|n| l.contains(n))).map(str::to_owned);
        let applied = line(&["req-log-1", "op applied", "log-1", "place_stock", "sku=SKU-K", "api key"]);
        assert!(applied.is_some(), "no op line for req-log-1 in\n{log}");
        assert!(line(&[&made, "op refused", "log-2", "E001"]).is_some(), "no refusal line for {made} in\n{log}");
        assert!(line(&["req-log-1", "status", "200"]).is_some(), "no request line in\n{log}");
        if json {
            for l in log.lines().filter(|l| l.starts_with('{')) {
                let v: serde_json::Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"));
                assert!(v["level"].is_string() && v["fields"].is_object(), "{l}");
            }
            let applied = applied.expect("line");
            let v: serde_json::Value = serde_json::from_str(&applied).expect("json line");
            assert_eq!(v["fields"]["op_id"], "log-1", "{v}");
            assert_eq!(v["span"]["id"], "req-log-1", "{v}");
        }
    }
}

/// `tote serve` records the settings it runs the site with, and a command
/// on the same database acts as the site does: with `short_policy =
/// backorder` (a variable here), `tote order submit` of an order short of
/// stock is taken and waits for stock, as `POST /api/v1/orders` does, instead of the
/// default policy's refusal. Before, the CLI ran on the defaults (and on a
/// Temporal site, on the embedded engine).
#[test]
fn a_cli_command_on_the_database_runs_with_the_settings_tote_serve_recorded() {
    let (dir, db, _key) = setup();
    tote(&db, &["stock", "import", &write(&dir, "stock.csv", "warehouse,location,sku,quantity\nW1,A-01,SKU-S,2\n")]);
    let order = |id: &str| {
        let body = json!({"request_id": id, "priority": "normal",
            "ship_to": {"contact_name": "A", "street": "1 Road", "city": "Novi Sad", "postal_code": "21000", "country": "RS"},
            "lines": [{"sku": "SKU-S", "quantity": 5, "warehouse": "W1"}]});
        write(&dir, &format!("{id}.json"), &body.to_string())
    };
    let refused = common::process::run(&db, &["order", "submit", &order("before")]);
    assert!(!refused.status.success(), "on the defaults, 5 of 2 in stock is refused");

    let (mut child, _base, log) = common::process::serve_env(&db, &[], &[("TOTE_SHORT_POLICY", "backorder")]);
    let killed = Command::new("sh").args(["-c", &format!("kill -TERM {}", child.id())]).status().expect("kill");
    assert!(killed.success() && child.wait().expect("wait").success(), "{}", log.join().unwrap_or_default());

    let made = tote(&db, &["order", "submit", &order("after")]);
    let svc = tote::app::Services::new(
        std::sync::Arc::new(tote::storage::Store::open(&db).expect("open")),
        std::sync::Arc::new(tote::app::SystemClock),
        tote::app::ServiceConfig::default(),
    );
    let orders = svc.orders(None, None, 10).expect("orders");
    let view = svc.order_view(orders.first().expect("an order").order_id).expect("view");
    // The whole line waits for stock (the backorder policy at intake).
    assert_eq!((view.lines[0].quantity, view.lines[0].backordered), (5, 5), "{made}\n{view:?}");
}

/// Writes `text` to `name` in `dir`: its path.
fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("write");
    path.display().to_string()
}
