//! The operator's safety net, through the binary as an operator runs it:
//! `tote backup` taken while `tote serve` commits under load is one
//! consistent database (SQLite's check, foreign keys and the stock ledger
//! hold on the copy, and every op acknowledged before it began is in it);
//! `tote restore` is refused while the server has the file open and brings
//! the backup back once it is stopped; `tote check` fails on a database
//! whose stock does not add up.

mod common;

use common::process::{KillOnDrop, run, serve, text, tote};
use serde_json::json;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tote::storage::Store;

fn setup() -> (tempfile::TempDir, std::path::PathBuf, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("site.db");
    tote(&db, &["init", "--warehouse", "W1=Main"]);
    let key = tote(&db, &["apikey", "create", "shop"]).trim().to_owned();
    (dir, db, key)
}

fn applied(db: &Path, op: &str) -> bool {
    let store = Store::open(db).expect("open");
    store.read(|tx| tx.applied_op(op)).expect("read").is_some()
}

/// Places stock and submits orders against it until told to stop; returns
/// the op ids acknowledged, in order.
async fn load(base: String, key: String, stop: Arc<AtomicBool>) -> Vec<String> {
    let http = reqwest::Client::new();
    let mut acked = Vec::new();
    let mut n = 0;
    while !stop.load(Ordering::Relaxed) {
        n += 1;
        let place = format!("place-{n}");
        let body = json!({"op_id": place, "warehouse": "W1", "location": format!("L-{:03}", n % 50),
                          "sku": format!("SKU-{}", n % 7), "quantity": 3});
        let r = http.post(format!("{base}/api/v1/inventory/place")).bearer_auth(&key).json(&body).send().await;
        if r.is_ok_and(|r| r.status().is_success()) {
            acked.push(place);
        }
        let order = json!({"request_id": format!("order-{n}"), "priority": "normal",
            "ship_to": {"contact_name": "Ana", "street": "Main 1", "city": "Beograd", "postal_code": "11000", "country": "RS"},
            "lines": [{"sku": format!("SKU-{}", n % 7), "quantity": 1, "warehouse": "W1"}]});
        let _ = http.post(format!("{base}/api/v1/orders")).bearer_auth(&key).json(&order).send().await;
    }
    acked
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_under_load_is_one_consistent_database() {
    let (dir, db, key) = setup();
    let (child, base, _log) = serve(&db);
    let _server = KillOnDrop(child);
    let stop = Arc::new(AtomicBool::new(false));
    let writer = tokio::spawn(load(base, key, stop.clone()));
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;

    let mut copies = Vec::new();
    for i in 0..3 {
        let out = dir.path().join(format!("backup-{i}.db"));
        let (db2, out2) = (db.clone(), out.clone());
        let o = tokio::task::spawn_blocking(move || run(&db2, &["backup", out2.to_str().expect("utf-8")]))
            .await
            .expect("join");
        assert!(o.status.success(), "{}", text(&o));
        copies.push(out);
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    }
    stop.store(true, Ordering::Relaxed);
    let acked = writer.await.expect("join");
    assert!(acked.len() > 20, "the server was under load: {} ops", acked.len());

    let mut held = Vec::new();
    for copy in &copies {
        let o = run(copy, &["check"]);
        assert!(o.status.success(), "check of {}: {}", copy.display(), text(&o));
        assert!(text(&o).contains("= "), "{}", text(&o));
        // A copy is the database as of one commit: a prefix of the ops.
        let count = acked.iter().take_while(|op| applied(copy, op)).count();
        assert!(acked[count..].iter().all(|op| !applied(copy, op)), "backup {} is not a prefix", copy.display());
        held.push(count);
    }
    assert!(held.windows(2).all(|w| w[0] <= w[1]) && held[0] > 0, "later backups hold more: {held:?}");
    assert!(held[2] < acked.len(), "the last backup was taken while ops kept coming: {held:?}");
}

#[test]
fn restore_waits_for_the_server_to_stop_then_brings_the_backup_back() {
    let (dir, db, _key) = setup();
    let backup = dir.path().join("before.db");
    tote(&db, &["backup", backup.to_str().expect("utf-8")]);
    let (child, _base, _log) = serve(&db);
    let mut server = KillOnDrop(child);
    let o = run(&db, &["restore", backup.to_str().expect("utf-8")]);
    assert!(!o.status.success(), "restore under a running server: {}", text(&o));
    assert!(text(&o).contains("in use"), "{}", text(&o));
    let _ = server.0.kill();
    let _ = server.0.wait();

    // After the backup: a second warehouse. The restore takes the site back.
    tote(&db, &["init", "--warehouse", "W2=Late"]);
    let o = run(&db, &["restore", backup.to_str().expect("utf-8")]);
    assert!(o.status.success(), "{}", text(&o));
    let codes: Vec<String> =
        Store::open(&db).expect("open").read(|tx| tx.warehouses()).expect("read").into_iter().map(|w| w.code).collect();
    assert_eq!(codes, ["W1"], "the backup's warehouses, not the later one");
    let o = run(&db, &["check"]);
    assert!(o.status.success(), "{}", text(&o));
}

#[test]
fn check_fails_on_stock_the_books_cannot_explain() {
    let (_dir, db, _key) = setup();
    let csv = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/sample-stock.csv");
    tote(&db, &["stock", "import", csv.to_str().expect("utf-8")]);
    let o = run(&db, &["check"]);
    assert!(o.status.success(), "{}", text(&o));
    // A unit appears on a shelf with no receipt: phantom stock.
    Store::open(&db)
        .expect("open")
        .write(|tx| tx.execute_batch_for_tests("UPDATE product_locations SET quantity = quantity + 1 WHERE id = 1"))
        .expect("tamper");
    let o = run(&db, &["check"]);
    assert!(!o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("+1 units unaccounted for"), "{}", text(&o));
}
