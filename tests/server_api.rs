//! The HTTP API against a real server on port 0: every route family, the
//! error shapes and codes, and idempotent replay (same op id twice →
//! identical status and body, one effect).

mod common;

use common::server::TestServer;
use common::{Fixture, order};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn order_body(request_id: &str, sku: &str, qty: i64, wh: &str) -> Value {
    json!({
        "request_id": request_id,
        "priority": "normal",
        "ship_to": {"contact_name": "Ana", "street": "Knez Mihailova 1", "city": "Beograd", "country": "RS"},
        "lines": [{"sku": sku, "quantity": qty, "warehouse": wh}]
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn order_to_packed_through_the_api_with_replay_and_errors() {
    let f = Fixture::new();
    let s = TestServer::start(&f).await;
    let t = s.tokens(&f).await;

    // Intake by an integration: 201, then the same request again is a replay.
    let (st, first) = s.post("/api/v1/orders", &t.integration, order_body("shop-1", "SKU-A", 7, "W1")).await;
    assert_eq!(st, StatusCode::CREATED, "{first}");
    let (st2, again) = s.post("/api/v1/orders", &t.integration, order_body("shop-1", "SKU-A", 7, "W1")).await;
    assert_eq!((st2, &again), (StatusCode::CREATED, &first), "replay must be identical");
    // Same request id under another op id: the existing order, 200.
    let mut other = order_body("shop-1", "SKU-A", 7, "W1");
    other["op_id"] = json!("another-op");
    let (st3, existing) = s.post("/api/v1/orders", &t.integration, other).await;
    assert_eq!(st3, StatusCode::OK);
    assert_eq!(existing["existing"], json!(true));
    assert_eq!(f.count("orders"), 1);
    let order_id = first["order_id"].as_i64().expect("order id");

    // Validation names the field.
    let (st, err) = s.post("/api/v1/orders", &t.integration, order_body("shop-2", "SKU-A", 0, "W1")).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert_eq!((err["code"].as_str(), err["kind"].as_str()), (Some("E001"), Some("validation")));
    assert_eq!(err["field"], "lines[0].quantity");
    let (st, err) = s.post("/api/v1/orders", &t.integration, json!({"request_id": "x", "lines": []})).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert_eq!(err["field"], "ship_to", "{err}");
    let (st, err) = s.post("/api/v1/orders", &t.integration, json!({"request_id": 5})).await;
    assert_eq!((st, err["field"].as_str()), (StatusCode::BAD_REQUEST, Some("request_id")), "{err}");
    let (st, err) = s.get("/api/v1/orders/999", &t.supervisor).await;
    assert_eq!(
        (st, err["code"].as_str(), err["kind"].as_str()),
        (StatusCode::NOT_FOUND, Some("E002"), Some("not_found"))
    );
    let (st, err) = s.get("/api/v1/orders/abc", &t.supervisor).await;
    assert_eq!((st, err["field"].as_str()), (StatusCode::BAD_REQUEST, Some("id")));

    let (st, view) = s.get(&format!("/api/v1/orders/{order_id}"), &t.picker).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(view["lines"][0]["quantity"], 7);
    let (st, list) = s.get("/api/v1/orders?status=open", &t.integration).await;
    assert_eq!((st, list.as_array().map(Vec::len)), (StatusCode::OK, Some(1)));

    // The picker claims the task; claiming again resumes it.
    let (st, claim) = s.post("/api/v1/tasks/claim", &t.picker, json!({"op_id": "claim-1"})).await;
    assert_eq!(st, StatusCode::OK, "{claim}");
    let task = claim["task_id"].as_i64().expect("claimed a task");
    let (_, claim2) = s.post("/api/v1/tasks/claim", &t.picker, json!({"op_id": "claim-2"})).await;
    assert_eq!((claim2["task_id"].as_i64(), claim2["resumed"].as_bool()), (Some(task), Some(true)));
    let (st, by_order) = s.get(&format!("/api/v1/orders/{order_id}/picking-tasks"), &t.picker).await;
    assert_eq!((st, by_order[0]["task_id"].as_i64()), (StatusCode::OK, Some(task)));

    let base = format!("/api/v1/picking-tasks/{task}");
    let (st, _) = s.post(&format!("{base}/start"), &t.picker, json!({"op_id": "start-1"})).await;
    assert_eq!(st, StatusCode::OK);
    let (_, next) = s.get(&format!("{base}/next-item"), &t.picker).await;
    let item = next["item"]["item_id"].as_i64().expect("next item");
    assert_eq!(next["item"]["location"], "A-01", "FIFO: the older slot first");
    let pick_url = format!("{base}/items/{item}/pick");

    // A wrong location: 400, E101, names the field, fits 20 columns.
    let (st, err) = s.post(&pick_url, &t.picker, json!({"op_id": "p-bad", "location": "A-02", "item": "SKU-A"})).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert_eq!((err["code"].as_str(), err["field"].as_str()), (Some("E101"), Some("location")));
    assert!(err["short"].as_str().is_some_and(|x| x.chars().count() <= 20));
    // The rejection is replayed too.
    let (st_again, mut err_again) =
        s.post(&pick_url, &t.picker, json!({"op_id": "p-bad", "location": "A-02", "item": "SKU-A"})).await;
    // The same answer but for the id of the request that got it.
    let mut err = err;
    let (id, id_again) = (err["request_id"].take(), err_again["request_id"].take());
    assert!(id.is_string() && id_again.is_string() && id != id_again, "{id} {id_again}");
    assert_eq!((st_again, err_again), (st, err));

    // A pick, replayed through the header: identical answer, one effect.
    let body = json!({"location": "A-01", "item": "SKU-A", "quantity": 2});
    let send =
        || s.http.post(s.url(&pick_url)).bearer_auth(&t.picker).header("Idempotency-Key", "p-1").json(&body).send();
    let r1 = send().await.expect("send");
    let (s1, b1) = (r1.status(), r1.text().await.expect("text"));
    let r2 = send().await.expect("send");
    let (s2, b2) = (r2.status(), r2.text().await.expect("text"));
    assert_eq!((s1, &b1), (s2, &b2));
    assert_eq!(s1, StatusCode::OK, "{b1}");
    let (_, task_view) = s.get(&base, &t.picker).await;
    assert_eq!(task_view["items"][0]["picked"], 2, "the replay must not pick again");
    // Same op id, different request: 409 E501.
    let (st, err) = s.post(&pick_url, &t.picker, json!({"op_id": "p-1", "location": "A-01", "item": "SKU-A"})).await;
    assert_eq!((st, err["code"].as_str()), (StatusCode::CONFLICT, Some("E501")));
    // No op id at all: 400 naming op_id.
    let (st, err) = s.post(&pick_url, &t.picker, json!({"location": "A-01", "item": "SKU-A"})).await;
    assert_eq!((st, err["field"].as_str()), (StatusCode::BAD_REQUEST, Some("op_id")));

    // Over-pick, then short the rest with a reason.
    let (st, err) =
        s.post(&pick_url, &t.picker, json!({"op_id": "p-2", "location": "A-01", "item": "SKU-A", "quantity": 9})).await;
    assert_eq!((st, err["code"].as_str()), (StatusCode::BAD_REQUEST, Some("E103")));
    let (st, _) =
        s.post(&pick_url, &t.picker, json!({"op_id": "p-3", "location": "A-01", "item": "SKU-A", "quantity": 3})).await;
    assert_eq!(st, StatusCode::OK);
    let (_, next) = s.get(&format!("{base}/next-item"), &t.picker).await;
    let item2 = next["item"]["item_id"].as_i64().expect("second item");
    let (st, out) = s
        .post(
            &format!("{base}/items/{item2}/short"),
            &t.picker,
            json!({"op_id": "s-1", "quantity": 1, "reason": "damaged"}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{out}");
    // Another picker may not complete someone else's task: the packer is
    // not even allowed on the route.
    let (st, _) = s.post(&format!("{base}/complete"), &t.packer, json!({"op_id": "c-x"})).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, done) = s.post(&format!("{base}/complete"), &t.picker, json!({"op_id": "c-1"})).await;
    assert_eq!(st, StatusCode::OK, "{done}");
    let packing = done["packing_task_id"].as_i64().expect("packing task created");
    // Completing again: illegal transition, 409.
    let (st, err) = s.post(&format!("{base}/complete"), &t.picker, json!({"op_id": "c-2"})).await;
    assert_eq!((st, err["code"].as_str()), (StatusCode::CONFLICT, Some("E003")));

    // Packing: the packer claims, enters a package, completes.
    let (_, claim) = s.post("/api/v1/tasks/claim", &t.packer, json!({"op_id": "pc-1"})).await;
    assert_eq!(claim["task_id"].as_i64(), Some(packing));
    let pbase = format!("/api/v1/packing-tasks/{packing}");
    let pkg = |w: u64| json!({"weight_g": w, "length_mm": 300, "width_mm": 200, "height_mm": 100});
    let (st, err) =
        s.post(&format!("{pbase}/package-details"), &t.packer, json!({"op_id": "d-0", "package": pkg(0)})).await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "zero weight refused: {err}");
    let (st, _) =
        s.post(&format!("{pbase}/package-details"), &t.packer, json!({"op_id": "d-1", "package": pkg(1200)})).await;
    assert_eq!(st, StatusCode::OK);
    let (st, out) = s.post(&format!("{pbase}/packages"), &t.packer, json!({"op_id": "d-2", "package": pkg(800)})).await;
    assert_eq!((st, out["packages"].as_u64()), (StatusCode::OK, Some(2)));
    let (st, err) = s.get(&format!("{pbase}/label"), &t.packer).await;
    assert_eq!((st, err["code"].as_str()), (StatusCode::CONFLICT, Some("E003")), "no label before packed");
    let (st, out) = s.post(&format!("{pbase}/complete"), &t.packer, json!({"op_id": "d-3"})).await;
    assert_eq!((st, out["status"].as_str()), (StatusCode::OK, Some("packed")), "{out}");
    let (st, labels) = s.get(&format!("{pbase}/label"), &t.packer).await;
    assert_eq!(st, StatusCode::OK, "{labels}");
    let numbers: Vec<&str> =
        labels["tracking_numbers"].as_array().expect("numbers").iter().filter_map(|n| n.as_str()).collect();
    assert_eq!(numbers.len(), 2, "one per package");
    assert!(numbers.iter().all(|n| tote::shipping::tracking::is_valid(n)));
    for (zpl, number) in labels["labels"].as_array().expect("labels").iter().zip(&numbers) {
        let zpl = zpl.as_str().expect("zpl");
        assert!(zpl.starts_with("^XA\n^CI28") && zpl.contains(number) && zpl.contains("Ana"), "{zpl}");
    }
    assert_eq!(s.get(&format!("{pbase}/label"), &t.packer).await.1, labels, "asking again gives the same labels");
    let (_, view) = s.get(&pbase, &t.supervisor).await;
    assert_eq!(view["packages"][0]["chargeable_weight_g"], 1200);
    // The engine ships a packed task as soon as it wakes (the writer's
    // commit wakes it): the task is listed as packed or already shipped.
    // Each list holds only tasks of its status, and the task is in one of them.
    let mut listed = 0;
    for status in ["packed", "shipped"] {
        let (st, list) = s.get(&format!("/api/v1/packing-tasks?status={status}"), &t.supervisor).await;
        assert_eq!(st, StatusCode::OK, "{list}");
        let tasks = list.as_array().cloned().unwrap_or_default();
        assert!(tasks.iter().all(|t| t["status"] == status), "{list}");
        listed += tasks.len();
    }
    assert!((1..=2).contains(&listed), "{listed}");
    let (st, list) = s.get("/api/v1/picking-tasks?warehouse=W1&status=completed", &t.supervisor).await;
    assert_eq!((st, list.as_array().map(Vec::len)), (StatusCode::OK, Some(1)));
    let (st, err) = s.get("/api/v1/picking-tasks?warehouse=NOPE", &t.supervisor).await;
    assert_eq!((st, err["field"].as_str()), (StatusCode::BAD_REQUEST, Some("warehouse")));
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn supervisor_and_inventory_routes() {
    let f = Fixture::new();
    let s = TestServer::start(&f).await;
    let t = s.tokens(&f).await;
    let key = &t.integration;

    let (st, out) = s
        .post(
            "/api/v1/products",
            key,
            json!({"op_id": "m-1", "sku": "SKU-Z", "name": "Zeta", "barcode": "3800000000017"}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{out}");
    let (st, _) = s
        .post("/api/v1/locations", key, json!({"op_id": "m-2", "warehouse": "W1", "location": "Z-01", "walk_order": 5}))
        .await;
    assert_eq!(st, StatusCode::OK);
    let (st, out) = s
        .post(
            "/api/v1/inventory/place",
            key,
            json!({"op_id": "i-1", "warehouse": "W1", "location": "Z-01", "sku": "SKU-Z", "quantity": 10}),
        )
        .await;
    assert_eq!((st, out["on_hand"].as_u64()), (StatusCode::OK, Some(10)), "{out}");
    let (st, _) = s.post("/api/v1/inventory/move", key, json!({"op_id": "i-2", "warehouse": "W1", "from_location": "Z-01", "to_location": "Z-02", "sku": "SKU-Z", "quantity": 4})).await;
    assert_eq!(st, StatusCode::OK);
    let (st, _) = s.post("/api/v1/inventory/remove", key, json!({"op_id": "i-3", "warehouse": "W1", "location": "Z-02", "sku": "SKU-Z", "quantity": 1, "reason": "damaged"})).await;
    assert_eq!(st, StatusCode::OK);
    let (st, res) = s
        .post(
            "/api/v1/inventory/reserve",
            key,
            json!({"op_id": "i-4", "warehouse": "W1", "sku": "SKU-Z", "quantity": 2, "ttl_seconds": 600}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{res}");
    let rid = res["reservation_ids"][0].as_i64().expect("reservation");
    let (st, _) = s
        .post(&format!("/api/v1/inventory/reservations/{rid}/release"), key, json!({"op_id": "i-5", "reason": "test"}))
        .await;
    assert_eq!(st, StatusCode::OK);
    let (st, err) = s
        .post(&format!("/api/v1/inventory/reservations/{rid}/release"), key, json!({"op_id": "i-6", "reason": "again"}))
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{err}");
    let (st, err) = s
        .post(
            "/api/v1/inventory/reserve",
            key,
            json!({"op_id": "i-7", "warehouse": "W1", "sku": "SKU-Z", "quantity": 99, "ttl_seconds": 60}),
        )
        .await;
    assert_eq!((st, err["code"].as_str()), (StatusCode::CONFLICT, Some("E201")));
    let (st, slots) = s.get("/api/v1/inventory/picking-locations?warehouse=W1&sku=SKU-Z", &t.picker).await;
    assert_eq!(st, StatusCode::OK);
    let on_hand: u64 = slots.as_array().expect("slots").iter().filter_map(|x| x["on_hand"].as_u64()).sum();
    assert_eq!(on_hand, 9);
    let (st, err) = s.get("/api/v1/inventory/picking-locations?warehouse=W1", &t.picker).await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{err}");

    // Supervisor: assign, cancel a task (the pick fails), create a retry task.
    let (_, tasks) = common::accepted(&f.ok(order("o-2", &[("SKU-B", 2, "W2")])));
    let ids = tasks[0].1;
    let (st, out) = s
        .post(
            &format!("/api/v1/picking-tasks/{ids}/assign"),
            &t.supervisor,
            json!({"op_id": "a-1", "worker_id": f.picker}),
        )
        .await;
    assert_eq!((st, out["status"].as_str()), (StatusCode::OK, Some("assigned")), "{out}");
    let (st, err) =
        s.post(&format!("/api/v1/picking-tasks/{ids}/assign"), &t.supervisor, json!({"op_id": "a-2"})).await;
    assert_eq!((st, err["field"].as_str()), (StatusCode::BAD_REQUEST, Some("worker_id")));
    let (st, _) = s
        .post(
            &format!("/api/v1/picking-tasks/{ids}/cancel"),
            &t.supervisor,
            json!({"op_id": "x-1", "reason": "recount"}),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let fulfillment =
        f.svc.order_view(f.svc.picking_task_view(ids).expect("task").order_id).expect("order").fulfillments[0]
            .fulfillment_id;
    let (st, retry) =
        s.post("/api/v1/picking-tasks", &t.supervisor, json!({"op_id": "r-1", "fulfillment_id": fulfillment})).await;
    assert_eq!((st, retry["status"].as_str()), (StatusCode::OK, Some("pending")), "{retry}");
    assert_ne!(retry["task_id"].as_i64(), Some(ids));
    let (st, err) =
        s.post("/api/v1/picking-tasks", &t.supervisor, json!({"op_id": "r-2", "fulfillment_id": fulfillment})).await;
    assert_eq!(st, StatusCode::CONFLICT, "only a failed pick may be retried: {err}");

    // Cancel the order through the API: the retry task is cancelled too.
    let order_id = f.svc.picking_task_view(ids).expect("task").order_id;
    let (st, out) =
        s.post(&format!("/api/v1/orders/{order_id}/cancel"), key, json!({"op_id": "oc-1", "reason": "customer"})).await;
    assert_eq!((st, out["tasks_cancelled"].as_u64()), (StatusCode::OK, Some(1)), "{out}");
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limits_and_unknown_paths_answer_in_json() {
    let f = Fixture::new();
    let config = tote::server::ServerConfig { body_limit_bytes: 1024, ..Default::default() };
    let s = TestServer::start_with(&f, config).await;
    let t = s.tokens(&f).await;
    let big = json!({"request_id": "x".repeat(4000)});
    let (st, err) = s.post("/api/v1/orders", &t.integration, big).await;
    assert_eq!((st, err["code"].as_str()), (StatusCode::PAYLOAD_TOO_LARGE, Some("E413")), "{err}");
    let (st, err) = s.get("/api/v1/nope", &t.admin).await;
    assert_eq!((st, err["code"].as_str()), (StatusCode::NOT_FOUND, Some("E002")));
    let (st, err) = s.call("DELETE", "/api/v1/orders", Some(&t.admin), None).await;
    assert_eq!(st, StatusCode::METHOD_NOT_ALLOWED);
    assert!(err["code"].is_string(), "{err}");
    let resp =
        s.http.post(s.url("/api/v1/orders")).bearer_auth(&t.integration).body("{not json").send().await.expect("send");
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let err: Value = resp.json().await.expect("json");
    assert_eq!(err["field"], "body");
    s.stop().await;
}

/// Malformed input on every mutating endpoint is a 4xx with a JSON error,
/// never a 5xx or a dropped connection (no panic is reachable from input).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_on_every_endpoint_is_a_4xx() {
    let f = Fixture::new();
    let s = TestServer::start(&f).await;
    let t = s.tokens(&f).await;
    let bodies = [
        "{",
        "[]",
        "null",
        "\"text\"",
        r#"{"op_id": 7}"#,
        r#"{"op_id": "g", "quantity": -1, "weight_g": 1e99, "worker_id": "x"}"#,
        r#"{"op_id": "g2", "quantity": 4294967296, "task_id": 9223372036854775807}"#,
        r#"{"op_id": "\u0000", "reason": "", "location": "", "item": ""}"#,
        r#"{"op_id": "g3", "request_id": "r", "ship_to": {}, "lines": [{"sku": "", "quantity": 0}]}"#,
    ];
    for route in tote::server::routes::ROUTES.iter().filter(|r| r.method == "POST") {
        for id in ["1", "0", "-5", "99999999999999999999", "%FF"] {
            let path = route.path.replace("{id}", id).replace("{item_id}", id);
            for body in bodies {
                let resp = s
                    .http
                    .post(s.url(&path))
                    .bearer_auth(&t.admin)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await
                    .unwrap_or_else(|e| panic!("POST {path} {body}: connection failed: {e}"));
                let status = resp.status();
                let json: Value = resp.json().await.unwrap_or(Value::Null);
                assert!(status.is_client_error() || status.is_success(), "POST {path} {body}: {status} {json}");
                if status.is_client_error() {
                    assert!(json["code"].is_string(), "POST {path} {body}: {status} without a JSON error");
                }
            }
        }
    }
    // The server still answers.
    assert_eq!(s.call("GET", "/health/ready", None, None).await.0, StatusCode::OK);
    s.stop().await;
}

/// A barcode or a listing another product already has is a conflict with
/// stored data (409, E004, naming the field), not bad input: the request
/// itself is well formed (Schemathesis, issue 17).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_barcode_or_listing_another_product_has_is_a_409_naming_the_field() {
    let f = Fixture::new();
    let s = TestServer::start(&f).await;
    let t = s.tokens(&f).await;
    let mug = json!({"op_id": "p-1", "sku": "SKU-A", "name": "Mug", "barcode": "4006381333931", "listing_id": "L-1"});
    let (st, body) = s.post("/api/v1/products", &t.supervisor, mug).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    for (n, (field, value)) in [("barcode", "4006381333931"), ("listing_id", "L-1")].into_iter().enumerate() {
        let mut tea = json!({"op_id": format!("p-2-{n}"), "sku": "SKU-B", "name": "Tea"});
        tea[field] = json!(value);
        let (st, body) = s.post("/api/v1/products", &t.supervisor, tea).await;
        assert_eq!(st, StatusCode::CONFLICT, "{body}");
        assert_eq!((body["code"].as_str(), body["field"].as_str()), (Some("E004"), Some(field)), "{body}");
        assert!(body["message"].as_str().is_some_and(|m| m.contains("SKU-A")), "{body}");
    }
    s.stop().await;
}
