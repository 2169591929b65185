//! The role matrix: every endpoint of `ROUTES`, called without a token
//! (401), with a caller its access rule refuses (403), and with each caller
//! it admits, on state prepared so the call succeeds (2xx). Also checks that
//! the router, the table and the OpenAPI document name the same endpoints.

mod common;

use common::server::{PIN, TestServer, Tokens};
use common::{Fixture, accepted, order};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::cell::Cell;
use tote::app::Command;
use tote::app::command::PackageDto;
use tote::app::floor_op::PickScans;
use tote::domain::auth::{Caller, Role};
use tote::domain::ids::WorkerId;
use tote::server::routes::{ROUTES, RouteSpec};

#[derive(Clone, Copy, Debug, PartialEq)]
enum Who {
    Picker,
    Packer,
    Supervisor,
    Admin,
    Integration,
}

const EVERYONE: [Who; 5] = [Who::Picker, Who::Packer, Who::Supervisor, Who::Admin, Who::Integration];

struct World<'a> {
    f: &'a Fixture,
    t: &'a Tokens,
    n: Cell<u32>,
}

impl World<'_> {
    fn token(&self, who: Who) -> &str {
        match who {
            Who::Picker => &self.t.picker,
            Who::Packer => &self.t.packer,
            Who::Supervisor => &self.t.supervisor,
            Who::Admin => &self.t.admin,
            Who::Integration => &self.t.integration,
        }
    }

    fn caller(&self, who: Who) -> Caller {
        let w = |id, role| Caller::Worker { id: WorkerId(id), role };
        match who {
            Who::Picker => w(self.f.picker, Role::Picker),
            Who::Packer => w(self.f.packer, Role::Packer),
            Who::Supervisor => w(self.t.supervisor_id, Role::Supervisor),
            Who::Admin => w(self.t.admin_id, Role::Admin),
            Who::Integration => Caller::Integration { key_id: 1 },
        }
    }

    /// The worker id a caller acts as on the floor.
    fn worker(&self, who: Who) -> i64 {
        self.caller(who).worker().map_or(self.f.picker, |w| w.0)
    }

    fn next(&self) -> u32 {
        self.n.set(self.n.get() + 1);
        self.n.get()
    }

    /// A new order of one SKU-M line in W1: `(order id, picking task id)`.
    fn order(&self) -> (i64, i64) {
        let n = self.next();
        let (order_id, tasks) = accepted(&self.f.ok(order(&format!("m-{n}"), &[("SKU-M", 2, "W1")])));
        (order_id, tasks[0].1)
    }

    /// A picking task assigned to `worker` and started: `(task, item)`.
    fn started(&self, worker: i64) -> (i64, i64) {
        let (_, task) = self.order();
        self.f.ok(Command::AssignPicking { task_id: task, worker_id: worker });
        self.f.ok(Command::StartPicking { task_id: task, worker_id: worker });
        let item = self.f.svc.picking_task_view(task).expect("task").items[0].item_id;
        (task, item)
    }

    /// A started task whose items are all picked.
    fn picked(&self, worker: i64) -> i64 {
        let (task, item) = self.started(worker);
        self.f.ok(Command::PickItem {
            task_id: task,
            item_id: item,
            worker_id: Some(worker),
            scan: PickScans::new("M-01", "SKU-M", 2),
        });
        task
    }

    /// A pending packing task.
    fn packing(&self) -> i64 {
        let task = self.picked(self.f.picker);
        match self.f.ok(Command::CompletePicking { task_id: task, worker_id: Some(self.f.picker) }) {
            tote::app::Outcome::Picking { packing_task_id: Some(p), .. } => p,
            other => panic!("no packing task: {other:?}"),
        }
    }

    /// A packing task started by `worker`, with its package entered.
    fn packing_started(&self, worker: i64) -> i64 {
        let p = self.packing();
        self.f.ok(Command::StartPacking { task_id: p, worker_id: worker });
        self.f.ok(Command::SetPackageDetails { task_id: p, worker_id: None, sequence: 1, package: package() });
        p
    }

    /// A packed parcel waiting at the dock (the server's engine created its
    /// shipment with the local carrier): its tracking number.
    fn at_dock(&self) -> String {
        let p = self.packing_started(self.f.packer);
        self.f.ok(Command::CompletePacking { task_id: p, worker_id: None });
        let task = self.f.svc.packing_task_view(p).expect("packing task");
        let wid = format!("order-fulfillment-{}", task.fulfillment_id);
        for _ in 0..500 {
            let w = self.f.svc.store().read(|tx| tx.workflow(&wid)).expect("read").expect("workflow");
            if w.step == "await_dispatch" {
                let s =
                    self.f.svc.store().read(|tx| tx.shipment(task.fulfillment_id)).expect("read").expect("shipment");
                let tracking: Vec<String> = serde_json::from_str(&s.tracking).expect("tracking");
                return tracking[0].clone();
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        panic!("{wid} never reached the dock");
    }
}

fn package() -> PackageDto {
    PackageDto {
        packaging_type: tote::app::command::PackagingTypeDto::Box,
        weight_g: 500,
        length_mm: 200,
        width_mm: 150,
        height_mm: 100,
    }
}

fn pkg_json() -> Value {
    json!({"weight_g": 500, "length_mm": 200, "width_mm": 150, "height_mm": 100})
}

/// A request to `route` that succeeds for `who`: the path with ids filled
/// in and the body, with state set up for it. `None` body: no body sent.
async fn prepare(w: &World<'_>, s: &TestServer, route: &RouteSpec, who: Who) -> (String, Option<Value>, String) {
    let op = json!(format!("matrix-{}", w.next()));
    let me = w.worker(who);
    let token = w.token(who).to_owned();
    let p = route.path;
    let (path, body) = match (route.method, p) {
        ("POST", "/api/v1/auth/login") => (p.into(), Some(json!({"badge": "B-100", "pin": PIN}))),
        ("POST", "/api/v1/auth/logout") => {
            let fresh = match who {
                Who::Integration => token.clone(),
                _ => {
                    let badge =
                        ["B-100", "B-200", "B-300", "B-400"][[Who::Picker, Who::Packer, Who::Supervisor, Who::Admin]
                            .iter()
                            .position(|x| *x == who)
                            .expect("worker")];
                    s.login(badge, PIN).await.1["token"].as_str().expect("token").to_owned()
                }
            };
            return (p.into(), None, fresh);
        }
        ("GET", "/api/v1/orders/{id}") | ("GET", "/api/v1/orders/{id}/picking-tasks") => {
            (p.replace("{id}", &w.order().0.to_string()), None)
        }
        ("POST", "/api/v1/orders") => {
            let n = w.next();
            let body = json!({"op_id": op, "request_id": format!("r-{n}"),
                "ship_to": {"contact_name": "A", "street": "S 1", "city": "C", "country": "RS"},
                "lines": [{"sku": "SKU-M", "quantity": 1, "warehouse": "W1"}]});
            (p.into(), Some(body))
        }
        ("POST", "/api/v1/orders/batch") => {
            let n = w.next();
            let body = json!({"orders": [{"request_id": format!("rb-{n}"),
                "ship_to": {"contact_name": "A", "street": "S 1", "city": "C", "country": "RS"},
                "lines": [{"sku": "SKU-M", "quantity": 1, "warehouse": "W1"}]}]});
            (p.into(), Some(body))
        }
        ("POST", "/api/v1/orders/{id}/cancel") => {
            (p.replace("{id}", &w.order().0.to_string()), Some(json!({"op_id": op, "reason": "test"})))
        }
        ("POST", "/api/v1/orders/{id}/address") => {
            let to = json!({"contact_name": "B", "street": "New St 2", "city": "C", "country": "RS"});
            (p.replace("{id}", &w.order().0.to_string()), Some(json!({"op_id": op, "ship_to": to})))
        }
        ("POST", "/api/v1/orders/{id}/priority") => {
            (p.replace("{id}", &w.order().0.to_string()), Some(json!({"op_id": op, "priority": "urgent"})))
        }
        ("GET", "/api/v1/workflows/{id}") => {
            let fid = w.f.svc.order_view(w.order().0).expect("order").fulfillments[0].fulfillment_id;
            (p.replace("{id}", &format!("order-fulfillment-{fid}")), None)
        }
        ("POST", "/api/v1/workflows/{id}/retry") => {
            let (order_id, task) = w.order();
            w.f.ok(Command::CancelPicking { task_id: task, reason: "recount".into() });
            let fid = w.f.svc.order_view(order_id).expect("order").fulfillments[0].fulfillment_id;
            (p.replace("{id}", &format!("order-fulfillment-{fid}")), Some(json!({"op_id": op, "reason": "retry"})))
        }
        ("POST", "/api/v1/tasks/claim") => {
            w.order();
            let queue = if who == Who::Packer { "packing" } else { "picking" };
            (p.into(), Some(json!({"op_id": op, "queue": queue})))
        }
        ("POST", "/api/v1/webhooks/retry-dead") => (p.into(), Some(json!({}))),
        ("POST", "/api/v1/waves") => {
            w.order();
            (p.into(), Some(json!({"op_id": op, "warehouse": "W1", "batch_size": 2})))
        }
        ("POST", "/api/v1/batches/claim") => {
            w.order();
            w.f.ok(common::wave_of(1, 1));
            (p.into(), Some(json!({"op_id": op})))
        }
        ("POST", "/api/v1/ops") => (p.into(), Some(json!({"device_id": "HH-1", "queued": 0, "ops": []}))),
        ("GET", "/api/v1/devices") => (p.into(), None),
        ("GET", "/api/v1/events") => (format!("{p}?after=0&follow=false"), None),
        ("POST", "/api/v1/picking-tasks") => {
            let (order_id, task) = w.order();
            w.f.ok(Command::CancelPicking { task_id: task, reason: "recount".into() });
            let fid = w.f.svc.order_view(order_id).expect("order").fulfillments[0].fulfillment_id;
            (p.into(), Some(json!({"op_id": op, "fulfillment_id": fid})))
        }
        ("GET", "/api/v1/picking-tasks/{id}") | ("GET", "/api/v1/picking-tasks/{id}/next-item") => {
            (p.replace("{id}", &w.order().1.to_string()), None)
        }
        ("POST", "/api/v1/picking-tasks/{id}/assign") => {
            (p.replace("{id}", &w.order().1.to_string()), Some(json!({"op_id": op, "worker_id": w.f.picker})))
        }
        ("POST", "/api/v1/picking-tasks/{id}/start") => {
            let (_, task) = w.order();
            w.f.ok(Command::AssignPicking { task_id: task, worker_id: me });
            (p.replace("{id}", &task.to_string()), Some(json!({"op_id": op})))
        }
        ("POST", "/api/v1/picking-tasks/{id}/items/{item_id}/pick") => {
            let (task, item) = w.started(me);
            let path = p.replace("{id}", &task.to_string()).replace("{item_id}", &item.to_string());
            (path, Some(json!({"op_id": op, "location": "M-01", "item": "SKU-M"})))
        }
        ("POST", "/api/v1/picking-tasks/{id}/items/{item_id}/short") => {
            let (task, item) = w.started(me);
            let path = p.replace("{id}", &task.to_string()).replace("{item_id}", &item.to_string());
            (path, Some(json!({"op_id": op, "reason": "damaged"})))
        }
        ("POST", "/api/v1/picking-tasks/{id}/items/{item_id}/skip") => {
            let (task, item) = w.started(me);
            let path = p.replace("{id}", &task.to_string()).replace("{item_id}", &item.to_string());
            (path, Some(json!({"op_id": op, "reason": "no_access"})))
        }
        ("POST", "/api/v1/picking-tasks/{id}/complete") => {
            (p.replace("{id}", &w.picked(me).to_string()), Some(json!({"op_id": op})))
        }
        ("POST", "/api/v1/picking-tasks/{id}/cancel") => {
            (p.replace("{id}", &w.order().1.to_string()), Some(json!({"op_id": op, "reason": "test"})))
        }
        ("GET", "/api/v1/packing-tasks/{id}") => (p.replace("{id}", &w.packing().to_string()), None),
        ("GET", "/api/v1/packing-tasks/{id}/label") => {
            let id = w.packing_started(w.f.packer);
            w.f.ok(Command::CompletePacking { task_id: id, worker_id: None });
            (p.replace("{id}", &id.to_string()), None)
        }
        ("POST", "/api/v1/packing-tasks/{id}/start") => {
            (p.replace("{id}", &w.packing().to_string()), Some(json!({"op_id": op})))
        }
        ("POST", "/api/v1/packing-tasks/{id}/package-details") => {
            let id = w.packing_started(me);
            (p.replace("{id}", &id.to_string()), Some(json!({"op_id": op, "package": pkg_json()})))
        }
        ("POST", "/api/v1/packing-tasks/{id}/packages") => {
            let id = w.packing_started(me);
            (p.replace("{id}", &id.to_string()), Some(json!({"op_id": op, "package": pkg_json()})))
        }
        ("POST", "/api/v1/packing-tasks/{id}/complete") => {
            (p.replace("{id}", &w.packing_started(me).to_string()), Some(json!({"op_id": op})))
        }
        ("POST", "/api/v1/packing-tasks/{id}/cancel") => {
            (p.replace("{id}", &w.packing().to_string()), Some(json!({"op_id": op, "reason": "test"})))
        }
        ("POST", "/api/v1/put-backs/{id}/put") => {
            let (task, _) = w.started(w.f.picker);
            let item = w.f.svc.picking_task_view(task).expect("task").items[0].clone();
            w.f.ok(Command::PickItem {
                task_id: task,
                item_id: item.item_id,
                worker_id: Some(w.f.picker),
                scan: PickScans::new(item.location.clone(), "SKU-M", 1),
            });
            w.f.ok(Command::CancelPicking { task_id: task, reason: "test".into() });
            let id =
                w.f.svc
                    .put_backs(100, &tote::storage::board::Scope::all())
                    .expect("put-backs")
                    .last()
                    .expect("a put-back task")
                    .task_id;
            (p.replace("{id}", &id.to_string()), Some(json!({"op_id": op, "location": item.location})))
        }
        ("POST", "/api/v1/dispatch/parcels") => (p.into(), Some(json!({"op_id": op, "tracking": w.at_dock()}))),
        ("POST", "/api/v1/dispatch/manifests") => {
            (p.into(), Some(json!({"op_id": op, "warehouse": "W1", "carrier": "local"})))
        }
        ("POST", "/api/v1/inventory/place") => {
            (p.into(), Some(json!({"op_id": op, "warehouse": "W1", "location": "M-02", "sku": "SKU-M", "quantity": 5})))
        }
        ("POST", "/api/v1/inventory/move") => (
            p.into(),
            Some(json!({"op_id": op, "warehouse": "W1", "from_location": "M-01", "to_location": "M-03",
                        "sku": "SKU-M", "quantity": 1})),
        ),
        ("POST", "/api/v1/inventory/remove") => (
            p.into(),
            Some(json!({"op_id": op, "warehouse": "W1", "location": "M-01", "sku": "SKU-M", "quantity": 1,
                        "reason": "damaged"})),
        ),
        ("POST", "/api/v1/inventory/quarantine/resolve") => {
            // One unit of SKU-M found damaged on its shelf.
            let (task, item) = w.started(w.f.picker);
            let location = w.f.svc.picking_task_view(task).expect("task").items[0].location.clone();
            let short = Command::ShortItem {
                task_id: task,
                item_id: item,
                worker_id: Some(w.f.picker),
                quantity: 1,
                reason: "damaged".into(),
            };
            w.f.ok(short);
            (
                p.into(),
                Some(json!({"op_id": op, "warehouse": "W1", "location": location, "sku": "SKU-M", "quantity": 1})),
            )
        }
        ("POST", "/api/v1/inventory/reserve") => {
            (p.into(), Some(json!({"op_id": op, "warehouse": "W1", "sku": "SKU-M", "quantity": 1, "ttl_seconds": 60})))
        }
        ("POST", "/api/v1/inventory/reservations/{id}/release") => {
            let cmd =
                Command::ReserveStock { warehouse: "W1".into(), sku: "SKU-M".into(), quantity: 1, ttl_seconds: 60 };
            let id = match w.f.ok(cmd) {
                tote::app::Outcome::Reserved { reservation_ids, .. } => reservation_ids[0],
                other => panic!("{other:?}"),
            };
            (p.replace("{id}", &id.to_string()), Some(json!({"op_id": op, "reason": "test"})))
        }
        ("GET", "/api/v1/inventory/picking-locations") => (format!("{p}?warehouse=W1&sku=SKU-M"), None),
        ("POST", "/api/v1/locations") => (p.into(), Some(json!({"op_id": op, "warehouse": "W1", "location": "M-09"}))),
        ("POST", "/api/v1/products") => (p.into(), Some(json!({"op_id": op, "sku": "SKU-N", "name": "N"}))),
        ("POST", "/api/v1/warehouses/address") => (
            p.into(),
            Some(json!({"op_id": op, "warehouse": "W1",
                "address": {"contact_name": "Dock 1", "street": "Kvai 1", "city": "Novi Sad", "country": "RS"}})),
        ),
        ("POST", other) => panic!("no scenario for POST {other}"),
        _ => (p.into(), None),
    };
    (path, body, token)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_endpoint_by_every_caller() {
    let f = Fixture::new();
    f.place("W1", "M-01", "SKU-M", 100_000, 1);
    let s = TestServer::start(&f).await;
    let t = s.tokens(&f).await;
    let w = World { f: &f, t: &t, n: Cell::new(0) };
    let mut failures = Vec::new();
    for route in ROUTES.iter() {
        let public = route.access == tote::domain::auth::Access::Public;
        if !public {
            let (st, body) = s.call(route.method, route.path, None, None).await;
            if st != StatusCode::UNAUTHORIZED || body["code"] != "E402" {
                failures.push(format!("{} {} without a token: {st} {body}", route.method, route.path));
            }
            let (st, _) = s.call(route.method, route.path, Some("tote_forged"), None).await;
            if st != StatusCode::UNAUTHORIZED {
                failures.push(format!("{} {} with a forged token: {st}", route.method, route.path));
            }
        }
        for who in EVERYONE {
            let admitted = route.access.admits(&w.caller(who));
            let (path, body, token) = prepare(&w, &s, route, who).await;
            let (st, answer) = s.call(route.method, &path, Some(&token), body).await;
            let ok = if admitted || public { st.is_success() } else { st == StatusCode::FORBIDDEN };
            if !ok {
                failures.push(format!("{} {path} as {who:?} (admitted: {admitted}): {st} {answer}", route.method));
            }
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_document_names_exactly_the_routes() {
    let f = Fixture::new();
    let s = TestServer::start(&f).await;
    let (st, doc) = s.call("GET", "/api/v1/openapi.json", None, None).await;
    assert_eq!(st, StatusCode::OK);
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
    let mut documented = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("item").keys() {
            documented.push(format!("{} {path}", method.to_uppercase()));
        }
    }
    let mut table: Vec<String> = ROUTES.iter().map(|r| format!("{} {}", r.method, r.path)).collect();
    documented.sort();
    table.sort();
    assert_eq!(documented, table, "the OpenAPI document and ROUTES disagree");
    // Every route in the table is served (not the 404 fallback).
    for r in ROUTES.iter() {
        let (st, body) = s.call(r.method, r.path, None, None).await;
        assert!(
            !(st == StatusCode::NOT_FOUND && body["message"] == "no such endpoint"),
            "{} {} is not routed",
            r.method,
            r.path
        );
    }
    s.stop().await;
}

/// The intended policy, written out independently of `ROUTES`: who may call
/// each endpoint (k picker, p packer, s supervisor, a admin, i integration,
/// * anyone without a token). Loosening a rule in `ROUTES` fails here.
const POLICY: &[(&str, &str)] = &[
    ("GET /health", "*"),
    ("GET /health/live", "*"),
    ("GET /health/ready", "*"),
    ("GET /health/detailed", "sa"),
    ("GET /metrics", "*"),
    ("GET /api/v1/openapi.json", "*"),
    ("POST /api/v1/auth/login", "*"),
    ("POST /api/v1/auth/logout", "kpsai"),
    ("GET /api/v1/me", "kpsai"),
    ("POST /api/v1/orders", "sai"),
    ("POST /api/v1/orders/batch", "sai"),
    ("GET /api/v1/orders", "sai"),
    ("GET /api/v1/orders/{id}", "kpsai"),
    ("POST /api/v1/orders/{id}/cancel", "sai"),
    ("POST /api/v1/orders/{id}/address", "sai"),
    ("POST /api/v1/orders/{id}/priority", "sa"),
    ("GET /api/v1/board", "sa"),
    ("POST /api/v1/webhooks/retry-dead", "sa"),
    ("GET /api/v1/workflows", "sai"),
    ("GET /api/v1/workflows/{id}", "sai"),
    ("POST /api/v1/workflows/{id}/retry", "sa"),
    ("GET /api/v1/orders/{id}/picking-tasks", "kpsa"),
    ("POST /api/v1/tasks/claim", "kpsa"),
    ("POST /api/v1/waves", "sa"),
    ("POST /api/v1/batches/claim", "ksa"),
    ("POST /api/v1/ops", "kpsa"),
    ("GET /api/v1/devices", "sa"),
    ("GET /api/v1/events", "kpsai"),
    ("POST /api/v1/picking-tasks", "sa"),
    ("GET /api/v1/picking-tasks", "kpsa"),
    ("GET /api/v1/picking-tasks/{id}", "kpsa"),
    ("GET /api/v1/picking-tasks/{id}/next-item", "ksa"),
    ("POST /api/v1/picking-tasks/{id}/assign", "sa"),
    ("POST /api/v1/picking-tasks/{id}/start", "ksa"),
    ("POST /api/v1/picking-tasks/{id}/items/{item_id}/pick", "ksa"),
    ("POST /api/v1/picking-tasks/{id}/items/{item_id}/short", "ksa"),
    ("POST /api/v1/picking-tasks/{id}/items/{item_id}/skip", "ksa"),
    ("POST /api/v1/picking-tasks/{id}/complete", "ksa"),
    ("POST /api/v1/picking-tasks/{id}/cancel", "sa"),
    ("GET /api/v1/put-backs", "kpsa"),
    ("POST /api/v1/put-backs/{id}/put", "ksa"),
    ("GET /api/v1/packing-tasks", "kpsa"),
    ("GET /api/v1/packing-tasks/{id}", "kpsa"),
    ("POST /api/v1/packing-tasks/{id}/start", "psa"),
    ("POST /api/v1/packing-tasks/{id}/package-details", "psa"),
    ("POST /api/v1/packing-tasks/{id}/packages", "psa"),
    ("POST /api/v1/packing-tasks/{id}/complete", "psa"),
    ("POST /api/v1/packing-tasks/{id}/cancel", "sa"),
    ("GET /api/v1/packing-tasks/{id}/label", "psa"),
    ("POST /api/v1/dispatch/parcels", "kpsa"),
    ("POST /api/v1/dispatch/manifests", "sa"),
    ("POST /api/v1/inventory/place", "sai"),
    ("POST /api/v1/inventory/move", "sai"),
    ("POST /api/v1/inventory/remove", "sai"),
    ("POST /api/v1/inventory/quarantine/resolve", "sa"),
    ("POST /api/v1/inventory/reserve", "sai"),
    ("POST /api/v1/inventory/reservations/{id}/release", "sai"),
    ("GET /api/v1/inventory/picking-locations", "kpsai"),
    ("POST /api/v1/locations", "sai"),
    ("POST /api/v1/products", "sai"),
    ("POST /api/v1/warehouses/address", "sai"),
];

#[test]
fn routes_table_matches_the_written_policy() {
    let callers = [
        ('k', Caller::Worker { id: WorkerId(1), role: Role::Picker }),
        ('p', Caller::Worker { id: WorkerId(1), role: Role::Packer }),
        ('s', Caller::Worker { id: WorkerId(1), role: Role::Supervisor }),
        ('a', Caller::Worker { id: WorkerId(1), role: Role::Admin }),
        ('i', Caller::Integration { key_id: 1 }),
    ];
    assert_eq!(POLICY.len(), ROUTES.len(), "every route needs a policy line");
    for r in ROUTES.iter() {
        let key = format!("{} {}", r.method, r.path);
        let (_, who) = POLICY.iter().find(|(k, _)| *k == key).unwrap_or_else(|| panic!("no policy for {key}"));
        assert_eq!(*who == "*", r.access == tote::domain::auth::Access::Public, "{key}: public?");
        for (c, caller) in &callers {
            let expected = *who == "*" || who.contains(*c);
            assert_eq!(r.access.admits(caller), expected, "{key} for {c}");
        }
    }
}
