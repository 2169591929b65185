//! Crash test of the workflow engine: `tote serve` runs as a child process;
//! 200 orders are started in batches and driven through picking and
//! packing over HTTP while the server is SIGKILLed at pseudo-random moments
//! (at least 10 times) and restarted on the same port. Every request is
//! retried under its own op id until it gets an answer. At the end every
//! workflow is completed or cancelled as expected, no task or shipment is
//! duplicated, and stock is conserved.

mod common;

use common::process::tote;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tote::storage::Store;

const ORDERS: usize = 200;
const SKUS: usize = 5;
const PER_SLOT: u32 = 1_000;
const KILLS: usize = 12;

/// Kills the child when dropped, so a failed assertion leaves no server.
struct Server {
    child: Option<Child>,
    db: PathBuf,
    port: u16,
}

impl Server {
    fn start(db: &Path, port: u16) -> Server {
        let mut s = Server { child: None, db: db.to_owned(), port };
        s.spawn();
        s
    }

    fn spawn(&mut self) {
        let child = Command::new(env!("CARGO_BIN_EXE_tote"))
            .arg("--db")
            .arg(&self.db)
            .args(["serve", "--listen", &format!("127.0.0.1:{}", self.port)])
            .env_remove("TOTE_DB")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn tote serve");
        self.child = Some(child);
    }

    fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill(); // SIGKILL
            let _ = c.wait();
        }
    }

    fn terminate(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = Command::new("sh").args(["-c", &format!("kill -TERM {}", c.id())]).status();
            let _ = c.wait();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

struct Api {
    http: reqwest::blocking::Client,
    base: String,
}

impl Api {
    /// Sends until the server answers with anything but a 5xx, 408 or a
    /// dropped connection; the op id in `body` makes the repeats safe.
    fn send(&self, method: &str, path: &str, token: Option<&str>, body: Option<&Value>) -> (u16, Value) {
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let url = format!("{}{path}", self.base);
            let mut rq = if method == "GET" { self.http.get(&url) } else { self.http.post(&url) };
            if let Some(t) = token {
                rq = rq.bearer_auth(t);
            }
            if let Some(b) = body {
                rq = rq.json(b);
            }
            if let Ok(resp) = rq.send() {
                let status = resp.status().as_u16();
                let value = resp.json::<Value>().unwrap_or(Value::Null);
                if status < 500 && status != 408 {
                    return (status, value);
                }
            }
            assert!(Instant::now() < deadline, "{method} {path}: no answer for 2 minutes");
            std::thread::sleep(Duration::from_millis(40));
        }
    }

    fn ok(&self, method: &str, path: &str, token: &str, body: Option<Value>) -> Value {
        let (status, v) = self.send(method, path, Some(token), body.as_ref());
        assert!((200..300).contains(&status), "{method} {path}: {status} {v}");
        v
    }

    fn login(&self, badge: &str) -> String {
        let body = json!({"badge": badge, "pin": "1234"});
        let (status, v) = self.send("POST", "/api/v1/auth/login", None, Some(&body));
        assert_eq!(status, 200, "login {badge}: {v}");
        v["token"].as_str().expect("token").to_owned()
    }
}

fn setup(dir: &Path) -> PathBuf {
    let db = dir.join("tote.db");
    tote(&db, &["init", "--warehouse", "W1=Main"]);
    for (badge, role) in [("P-1", "picker"), ("K-1", "packer"), ("S-1", "supervisor")] {
        tote(&db, &["worker", "add", "--badge", badge, "--name", badge, "--role", role, "--pin", "1234"]);
    }
    let mut csv = String::from("warehouse,location,sku,quantity,received_at\n");
    for s in 1..=SKUS {
        for l in 1..=2 {
            csv.push_str(&format!("W1,L-{s:02}-{l},SKU-{s},{PER_SLOT},2026-0{l}-01T00:00:00Z\n"));
        }
    }
    let file = dir.join("stock.csv");
    std::fs::write(&file, csv).expect("write stock");
    tote(&db, &["stock", "import", file.to_str().expect("path")]);
    db
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

fn orders() -> Vec<Value> {
    (0..ORDERS)
        .map(|i| {
            let priority = ["low", "normal", "high", "urgent"][i % 4];
            let mut lines = vec![json!({"sku": format!("SKU-{}", i % SKUS + 1), "quantity": (i % 3 + 1)})];
            if i % 2 == 0 {
                lines.push(json!({"sku": format!("SKU-{}", (i + 2) % SKUS + 1), "quantity": 1}));
            }
            json!({"request_id": format!("crash-{i}"), "priority": priority, "lines": lines,
                   "ship_to": {"contact_name": "A", "street": "S 1", "city": "Beograd", "country": "RS"}})
        })
        .collect()
}

/// One picker: claims, picks every item, completes; until `done`.
fn picker(api: &Api, token: &str, done: &AtomicBool, picked: &AtomicUsize) {
    let mut n = 0;
    while !done.load(Ordering::Relaxed) {
        n += 1;
        let claim =
            api.ok("POST", "/api/v1/tasks/claim", token, Some(json!({"op_id": format!("pc-{n}"), "queue": "picking"})));
        let Some(task) = claim["task_id"].as_i64() else {
            std::thread::sleep(Duration::from_millis(50));
            continue;
        };
        let t = api.ok("GET", &format!("/api/v1/picking-tasks/{task}"), token, None);
        if t["status"] == "assigned" {
            api.ok(
                "POST",
                &format!("/api/v1/picking-tasks/{task}/start"),
                token,
                Some(json!({"op_id": format!("ps-{task}")})),
            );
        }
        for it in t["items"].as_array().expect("items") {
            if it["status"] != "pending" {
                continue;
            }
            let path = format!("/api/v1/picking-tasks/{task}/items/{}/pick", it["item_id"]);
            let body = json!({"op_id": format!("pp-{}", it["item_id"]), "location": it["location"], "item": it["sku"],
                              "quantity": it["required"]});
            let (status, v) = api.send("POST", &path, Some(token), Some(&body));
            // A task cancelled meanwhile refuses (409); anything else must pass.
            assert!(status == 200 || status == 409, "pick: {status} {v}");
        }
        let (status, v) = api.send(
            "POST",
            &format!("/api/v1/picking-tasks/{task}/complete"),
            Some(token),
            Some(&json!({"op_id": format!("pk-{task}")})),
        );
        assert!(status == 200 || status == 409, "complete: {status} {v}");
        picked.fetch_add(1, Ordering::Relaxed);
    }
}

/// One packer: claims (which starts), one box, completes.
fn packer(api: &Api, token: &str, done: &AtomicBool) {
    let mut n = 0;
    while !done.load(Ordering::Relaxed) {
        n += 1;
        let claim =
            api.ok("POST", "/api/v1/tasks/claim", token, Some(json!({"op_id": format!("kc-{n}"), "queue": "packing"})));
        let Some(task) = claim["task_id"].as_i64() else {
            std::thread::sleep(Duration::from_millis(50));
            continue;
        };
        let pkg = json!({"weight_g": 800, "length_mm": 300, "width_mm": 200, "height_mm": 100});
        let body = json!({"op_id": format!("kd-{task}"), "package": pkg});
        let (status, v) =
            api.send("POST", &format!("/api/v1/packing-tasks/{task}/package-details"), Some(token), Some(&body));
        assert!(status == 200 || status == 409, "details: {status} {v}");
        let body = json!({"op_id": format!("kp-{task}")});
        let (status, v) = api.send("POST", &format!("/api/v1/packing-tasks/{task}/complete"), Some(token), Some(&body));
        assert!(status == 200 || status == 409, "pack: {status} {v}");
    }
}

/// The truck: closes the local carrier's manifest at W1 now and then, so
/// parcels waiting at the dock ship.
fn loader(api: &Api, token: &str, done: &AtomicBool) {
    let mut n = 0;
    while !done.load(Ordering::Relaxed) {
        n += 1;
        let body = json!({"op_id": format!("manifest-{n}"), "warehouse": "W1", "carrier": "local"});
        api.ok("POST", "/api/v1/dispatch/manifests", token, Some(body));
        std::thread::sleep(Duration::from_millis(300));
    }
}

#[test]
fn workflows_survive_repeated_sigkills_of_tote_serve() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = setup(dir.path());
    let initial = i64::from(PER_SLOT) * 2 * SKUS as i64;
    let port = free_port();
    let server = Arc::new(Mutex::new(Server::start(&db, port)));
    let http = reqwest::blocking::Client::builder().timeout(Duration::from_secs(5)).build().expect("client");
    let api = Api { http, base: format!("http://127.0.0.1:{port}") };
    let supervisor = api.login("S-1");

    // The killer: SIGKILL, restart on the same port, at pseudo-random moments.
    let stop = Arc::new(AtomicBool::new(false));
    let kills = Arc::new(AtomicUsize::new(0));
    let killer = {
        let (server, stop, kills) = (server.clone(), stop.clone(), kills.clone());
        std::thread::spawn(move || {
            let mut seed: u64 = 0x5EED_2026;
            while kills.load(Ordering::Relaxed) < KILLS && !stop.load(Ordering::Relaxed) {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                std::thread::sleep(Duration::from_millis(250 + (seed >> 33) % 900));
                let mut s = server.lock().expect("server");
                s.kill();
                kills.fetch_add(1, Ordering::Relaxed);
                s.spawn();
            }
        })
    };

    // Orders in batches of 50; every 10th is cancelled right after.
    let all = orders();
    let mut cancelled = Vec::new();
    for chunk in all.chunks(50) {
        let v = api.ok("POST", "/api/v1/orders/batch", &supervisor, Some(json!({"orders": chunk})));
        for r in v["results"].as_array().expect("results") {
            assert!(r["status"] == "created" || r["status"] == "existing", "{r}");
        }
    }
    for i in (0..ORDERS).step_by(10) {
        let id = order_id(&api, &supervisor, i);
        let body = json!({"op_id": format!("cancel-{id}"), "reason": "customer"});
        let (status, v) = api.send("POST", &format!("/api/v1/orders/{id}/cancel"), Some(&supervisor), Some(&body));
        assert_eq!(status, 200, "cancel {id}: {v}");
        cancelled.push(id);
    }

    let done = Arc::new(AtomicBool::new(false));
    let picked = Arc::new(AtomicUsize::new(0));
    let floor = std::thread::scope(|scope| {
        let p = scope.spawn(|| {
            let token = api.login("P-1");
            picker(&api, &token, &done, &picked);
        });
        let k = scope.spawn(|| {
            let token = api.login("K-1");
            packer(&api, &token, &done);
        });
        let l = scope.spawn(|| loader(&api, &supervisor, &done));
        // Until every workflow has ended (and the killer is through).
        let deadline = Instant::now() + Duration::from_secs(300);
        let running = loop {
            let v = api.ok("GET", "/api/v1/workflows?status=running&limit=500", &supervisor, None);
            let n = v.as_array().map_or(0, Vec::len);
            if (n == 0 && kills.load(Ordering::Relaxed) >= KILLS) || Instant::now() > deadline {
                break n;
            }
            std::thread::sleep(Duration::from_millis(200));
        };
        done.store(true, Ordering::Relaxed);
        stop.store(true, Ordering::Relaxed);
        p.join().expect("picker");
        k.join().expect("packer");
        l.join().expect("loader");
        running
    });
    killer.join().expect("killer");
    server.lock().expect("server").terminate();
    eprintln!(
        "{ORDERS} orders, {} cancelled, {} SIGKILLs, {} picking tasks worked",
        cancelled.len(),
        kills.load(Ordering::Relaxed),
        picked.load(Ordering::Relaxed)
    );
    assert_eq!(floor, 0, "workflows still running after 5 minutes");
    assert!(kills.load(Ordering::Relaxed) >= 10, "only {} kills", kills.load(Ordering::Relaxed));
    check(&db, &cancelled, initial);
}

/// The order an intake created, by its workflow.
fn order_id(api: &Api, token: &str, i: usize) -> i64 {
    let v = api.ok("GET", &format!("/api/v1/workflows/order-intake-crash-{i}"), token, None);
    v["order_id"].as_i64().unwrap_or_else(|| panic!("intake crash-{i} has no order: {v}"))
}

/// The final state, read from the database file.
fn check(db: &Path, cancelled: &[i64], initial: i64) {
    let store = Store::open(db).expect("open");
    let (workflows, shipments, on_hand, reserved, transit, outstanding) = store
        .read(|tx| {
            Ok::<_, tote::storage::StorageError>((
                tx.workflow_counts()?,
                tx.shipment_counts()?,
                tx.stock_totals(None)?.on_hand,
                tx.stock_totals(None)?.reserved,
                tx.units_in_transit()?,
                tx.outstanding_reserved()?,
            ))
        })
        .expect("read");
    let count = |kind: &str, status: &str| {
        workflows.iter().find(|(k, s, _)| k == kind && s == status).map_or(0, |(_, _, n)| *n)
    };
    let shipped = ORDERS as i64 - cancelled.len() as i64;
    assert_eq!(count("order_intake", "completed"), ORDERS as i64, "{workflows:?}");
    assert_eq!(count("order_fulfillment", "completed"), shipped, "{workflows:?}");
    assert_eq!(count("order_fulfillment", "cancelled"), cancelled.len() as i64, "{workflows:?}");
    assert_eq!(workflows.iter().map(|(_, _, n)| n).sum::<i64>(), ORDERS as i64 * 2, "{workflows:?}");
    assert_eq!(shipments, vec![("shipped".to_owned(), shipped)], "one shipment per shipped fulfillment");
    assert_eq!(on_hand + transit, initial, "stock conserved");
    assert_eq!((reserved, outstanding), (0, 0), "nothing left reserved");
    let svc = tote::app::Services::new(
        Arc::new(store),
        Arc::new(tote::app::SystemClock),
        tote::app::ServiceConfig::default(),
    );
    let mut orders = svc.orders(None, None, 500).expect("orders");
    orders.sort_by_key(|o| o.order_id);
    assert_eq!(orders.len(), ORDERS);
    for o in &orders {
        let want = if cancelled.contains(&o.order_id) { "cancelled" } else { "shipped" };
        assert_eq!(o.status.as_str(), want, "order {}", o.order_id);
        for f in &o.fulfillments {
            let live_picks = f.picking.iter().filter(|t| t.status != "cancelled").count();
            let packs = f.packing.iter().filter(|t| t.status != "cancelled").count();
            if want == "shipped" {
                assert_eq!((live_picks, packs), (1, 1), "order {}: duplicated or missing tasks: {f:?}", o.order_id);
            }
        }
    }
}
