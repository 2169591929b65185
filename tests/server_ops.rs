//! Operations: health endpoints, Prometheus metrics, and the group commit
//! (concurrent ops share commits; one op's failure spares its neighbours;
//! every acknowledged op is applied exactly once).

mod common;

use common::server::TestServer;
use common::{Fixture, accepted, order};
use reqwest::StatusCode;
use serde_json::json;
use tote::app::{AppError, Command, Outcome};
use tote::server::config::WriterConfig;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_and_metrics() {
    let f = Fixture::new();
    let s = TestServer::start(&f).await;
    let t = s.tokens(&f).await;
    for path in ["/health", "/health/live", "/health/ready"] {
        let (st, body) = s.call("GET", path, None, None).await;
        assert_eq!(st, StatusCode::OK, "{path}: {body}");
    }
    // Work that feeds the domain metrics: a pick with a short, completed.
    let (_, tasks) = accepted(&f.ok(order("o-1", &[("SKU-A", 7, "W1")])));
    let task = tasks[0].1;
    f.ok(Command::AssignPicking { task_id: task, worker_id: f.picker });
    f.ok(Command::StartPicking { task_id: task, worker_id: f.picker });
    let items = f.svc.picking_task_view(task).expect("task").items;
    let (st, _) = s
        .post(
            &format!("/api/v1/picking-tasks/{task}/items/{}/pick", items[0].item_id),
            &t.picker,
            json!({"op_id": "p-1", "location": "A-01", "item": "SKU-A", "quantity": items[0].required}),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (st, _) = s
        .post(
            &format!("/api/v1/picking-tasks/{task}/items/{}/short", items[1].item_id),
            &t.picker,
            json!({"op_id": "p-2", "reason": "stock_out"}),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    f.clock.advance(chrono::Duration::seconds(90));
    let (st, _) = s.post(&format!("/api/v1/picking-tasks/{task}/complete"), &t.picker, json!({"op_id": "p-3"})).await;
    assert_eq!(st, StatusCode::OK);

    let resp = s.http.get(s.url("/metrics")).send().await.expect("metrics");
    assert!(resp.headers()["content-type"].to_str().is_ok_and(|c| c.starts_with("text/plain")));
    let text = resp.text().await.expect("text");
    for line in [
        "picking_task_duration_seconds_count 1",
        "picking_task_duration_seconds_bucket{le=\"60\"} 0",
        "picking_task_duration_seconds_bucket{le=\"300\"} 1",
        "picking_shortage_rate 0.5",
        "packing_task_duration_seconds_count 0",
        "order_to_shipment_duration_seconds_count 0",
        "fulfillment_success_rate 0",
        "packing_tasks_per_hour 0",
        "average_package_weight 0",
        "tote_tasks{queue=\"packing\",status=\"pending\",priority=\"normal\"} 1",
        "tote_http_requests_total{method=\"POST\",route=\"/api/v1/picking-tasks/{id}/items/{item_id}/pick\",status=\"200\"} 1",
    ] {
        assert!(text.lines().any(|l| l == line), "missing {line:?} in\n{text}");
    }
    let picked = format!("picking_items_per_hour{{worker=\"B-100\"}} {}", items[0].required);
    assert!(text.lines().any(|l| l == picked), "missing {picked:?} in\n{text}");
    let families = independent_parse(&text);
    for family in
        ["picking_items_per_hour gauge 1", "tote_table_rows gauge 11", "picking_task_duration_seconds histogram"]
    {
        assert!(families.lines().any(|l| l.starts_with(family)), "{family} in\n{families}");
    }
    // The outbox backlog is what a subscriber has not had: with none, 0;
    // with one that has had nothing (its endpoint refuses), every event.
    let depth = |text: &str| text.lines().find_map(|l| l.strip_prefix("tote_outbox_depth ")).map(str::to_owned);
    assert_eq!(depth(&text).as_deref(), Some("0"), "no subscriber waits");
    let now = f.svc.now();
    let newest = f
        .svc
        .store()
        .write(|tx| {
            tx.add_endpoint("down", "http://127.0.0.1:9/hook", "0123456789abcdef", "*", 8, now)?;
            tx.outbox_newest()
        })
        .expect("endpoint");
    assert!(newest > 0);
    let text = s.http.get(s.url("/metrics")).send().await.expect("metrics").text().await.expect("text");
    assert_eq!(depth(&text), Some(newest.to_string()), "the slowest subscriber is at the start");
    assert!(text.contains("tote_http_request_duration_seconds_bucket{method=\"POST\""));

    // Invented methods share the label `other`: once that series exists,
    // more of them do not grow /metrics (only its counters' digits change).
    let frob = |from: usize, n: usize| {
        let s = &s;
        async move {
            for i in from..from + n {
                let m = reqwest::Method::from_bytes(format!("FROB{i}").as_bytes()).expect("method");
                let _ = s.http.request(m, s.url("/api/v1/orders")).send().await;
            }
            s.http.get(s.url("/metrics")).send().await.expect("metrics").text().await.expect("text")
        }
    };
    let first = frob(0, 5).await;
    let later = frob(5, 100).await;
    assert!(!later.contains("FROB") && later.contains("method=\"other\""), "{later}");
    assert!(later.len() < first.len() + 100, "{} -> {} bytes", first.len(), later.len());

    let (st, _) = s.get("/health/detailed", &t.picker).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, d) = s.get("/health/detailed", &t.supervisor).await;
    assert_eq!(st, StatusCode::OK);
    let version = i64::try_from(tote::storage::SCHEMA_VERSION).expect("small");
    assert_eq!((d["schema_version"].as_i64(), d["group_commit"].as_bool()), (Some(version), Some(true)));
    assert_eq!(d["pending_packing_tasks"], 1);
    s.stop().await;
}

/// While the writer waits on the store, every op that arrives queues; they
/// are then committed together, and each gets its own answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queued_ops_share_one_commit_and_a_failure_spares_its_neighbours() {
    let f = Fixture::new();
    f.svc
        .store()
        .write(|tx| {
            tx.execute_batch_for_tests(
                "CREATE TRIGGER boom BEFORE INSERT ON product_locations WHEN NEW.sku = 'SKU-BOOM'
             BEGIN SELECT RAISE(ABORT, 'injected fault'); END;",
            )
        })
        .expect("trigger");
    let (writer, thread) =
        tote::server::writer::start(f.svc.clone(), WriterConfig { max_batch: 1024 }).expect("writer");
    // Hold the write lock so the writer blocks on its first commit.
    let (release, released) = std::sync::mpsc::channel::<()>();
    let (held, is_held) = std::sync::mpsc::channel::<()>();
    let svc = f.svc.clone();
    let blocker = std::thread::spawn(move || {
        svc.store()
            .write(|_| {
                let _ = held.send(());
                let _ = released.recv();
                Ok::<_, tote::storage::StorageError>(())
            })
            .expect("blocker");
    });
    is_held.recv().expect("lock held");
    let place = |sku: &str, n: u32| Command::PlaceStock {
        warehouse: "W1".into(),
        location: format!("Q-{n:02}"),
        sku: sku.into(),
        quantity: 1,
        received_at: None,
        lot: None,
        expiry: None,
    };
    let mut calls = Vec::new();
    for n in 0..20u32 {
        let w = writer.clone();
        let sku = if n == 7 { "SKU-BOOM" } else { "SKU-Q" };
        let cmd = place(sku, n);
        calls.push(tokio::spawn(async move { w.execute(format!("q-{n}"), cmd).await }));
    }
    // Wait until all 20 are in the writer's hands (queued, or taken into
    // the batch it is trying to commit).
    let all_in = async {
        while writer.stats().submitted.load(std::sync::atomic::Ordering::Relaxed) < 20 {
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(20), all_in).await.expect("20 ops reach the writer");
    release.send(()).expect("release");
    blocker.join().expect("blocker thread");
    let mut results = Vec::new();
    for c in calls {
        results.push(c.await.expect("join"));
    }
    for (n, r) in results.iter().enumerate() {
        match (n, r) {
            (7, Err(AppError::Storage(_))) => {}
            (7, other) => panic!("op 7 should fail in the store: {other:?}"),
            (_, Ok(Outcome::Stock { .. })) => {}
            (_, other) => panic!("op {n}: {other:?}"),
        }
    }
    let stats = writer.stats();
    let commits = stats.commits.load(std::sync::atomic::Ordering::Relaxed);
    assert!(commits <= 2, "20 queued ops should need at most 2 commits, took {commits}");
    assert_eq!(stats.ops.load(std::sync::atomic::Ordering::Relaxed), 20);
    // The failed op left nothing, not even its op record; the others stand.
    let recorded = f.svc.store().read(|tx| tx.applied_op("q-7")).expect("read");
    assert!(recorded.is_none(), "a storage failure is not recorded, so a retry runs again");
    assert_eq!(f.count("applied_ops") - 4, 19, "fixture ops plus the 19 that succeeded");
    drop(writer);
    thread.join().expect("writer stops when its handles are gone");
}

/// Debian's own Python, where apt installs python3-prometheus-client (a
/// `python3` earlier on the PATH, such as pyenv's, does not see it).
const SYSTEM_PYTHON: &str = "/usr/bin/python3";

/// `/metrics` through the reference Prometheus client's parser
/// (`tools/prom-check.py`, python3-prometheus-client from apt): it must
/// parse, and no series may repeat. Returns its list of families.
fn independent_parse(text: &str) -> String {
    use std::io::Write;
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tools/prom-check.py");
    let mut child = std::process::Command::new(SYSTEM_PYTHON)
        .arg(script)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("/usr/bin/python3 (tools/test.sh installs what the tests need)");
    child.stdin.take().expect("stdin").write_all(text.as_bytes()).expect("write");
    let o = child.wait_with_output().expect("wait");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains("No module named"), "{err}: run tools/test.sh, or apt install python3-prometheus-client");
    assert!(o.status.success(), "/metrics refused by the reference parser: {err}\n{text}");
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The checker itself refuses what Prometheus would: a repeated series.
#[test]
fn the_independent_parser_refuses_a_repeated_series() {
    let ok = "# HELP a A.\n# TYPE a gauge\na{x=\"1\"} 1\na{x=\"2\"} 2\n";
    assert!(independent_parse(ok).contains("a gauge 2"));
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tools/prom-check.py");
    let twice = "# HELP a A.\n# TYPE a gauge\na{x=\"1\"} 1\na{x=\"1\"} 2\n";
    let o = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("printf '%s' '{twice}' | {SYSTEM_PYTHON} {script}"))
        .output()
        .expect("sh");
    assert!(!o.status.success(), "a duplicate series must be refused");
    assert!(String::from_utf8_lossy(&o.stderr).contains("duplicate series"), "{}", String::from_utf8_lossy(&o.stderr));
}
