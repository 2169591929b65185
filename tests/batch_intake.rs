//! `POST /api/v1/orders/batch`: many orders in one request, each its own op
//! (idempotent on its request id, refused alone), priorities carried into
//! the task queues.

mod common;

use common::Fixture;
use common::server::TestServer;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tote::server::ServerConfig;

fn order(request_id: &str, priority: &str, sku: &str, quantity: i64) -> Value {
    json!({"request_id": request_id, "priority": priority,
        "ship_to": {"contact_name": "A", "street": "S 1", "city": "Beograd", "postal_code": "11000", "country": "RS"},
        "lines": [{"sku": sku, "quantity": quantity, "warehouse": "W1"}]})
}

fn statuses(body: &Value) -> Vec<(String, String)> {
    body["results"]
        .as_array()
        .map(|rs| {
            rs.iter()
                .map(|r| {
                    (r["request_id"].as_str().unwrap_or("").to_owned(), r["status"].as_str().unwrap_or("").to_owned())
                })
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_of_orders_each_on_its_own() {
    let f = Fixture::new();
    let server = TestServer::start_with(&f, ServerConfig { max_intake_batch: 3, ..ServerConfig::default() }).await;
    let t = server.tokens(&f).await;
    let batch = json!({"orders": [
        order("b-low", "low", "SKU-A", 1),
        order("b-short", "normal", "SKU-A", 999),
        order("b-urgent", "urgent", "SKU-A", 2),
    ]});
    let (status, body) = server.post("/api/v1/orders/batch", &t.integration, batch.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let want = [("b-low", "created"), ("b-short", "rejected"), ("b-urgent", "created")]
        .map(|(a, b)| (a.to_owned(), b.to_owned()));
    assert_eq!(statuses(&body), want);
    assert_eq!(body["results"][1]["error"]["code"], "E201", "{body}");
    assert_eq!(f.count("orders"), 2, "the shortage refused only its own order");
    // The same batch again: the orders made replay, nothing new is made;
    // the shortage was not remembered (stock may come), so it is tried
    // again and refused again (now with the others' units reserved).
    let (_, again) = server.post("/api/v1/orders/batch", &t.integration, batch).await;
    assert_eq!((&again["results"][0], &again["results"][2]), (&body["results"][0], &body["results"][2]));
    assert_eq!(
        (again["results"][1]["status"].as_str(), again["results"][1]["error"]["code"].as_str()),
        (Some("rejected"), Some("E201"))
    );
    assert_eq!(f.count("orders"), 2);
    // Once stock arrives, the same request (same request id) is taken.
    f.place("W1", "A-03", "SKU-A", 999, 3);
    let (_, late) = server
        .post("/api/v1/orders/batch", &t.integration, json!({"orders": [order("b-short", "normal", "SKU-A", 999)]}))
        .await;
    assert_eq!(late["results"][0]["status"], "created", "{late}");
    assert_eq!(f.count("orders"), 3);
    // Priority flows into claiming: the urgent order's task comes first.
    let urgent_task = body["results"][2]["outcome"]["fulfillments"][0]["picking_task_id"].clone();
    let (_, claim) = server.post("/api/v1/tasks/claim", &t.picker, json!({"op_id": "c-1"})).await;
    assert_eq!(claim["task_id"], urgent_task, "{claim}");
    // Bad batches are refused whole, naming the field.
    for (bad, field) in [
        (json!({"orders": []}), "orders"),
        (
            json!({"orders": [order("x", "low", "SKU-A", 1), order("y", "low", "SKU-A", 1), order("z", "low", "SKU-A", 1), order("w", "low", "SKU-A", 1)]}),
            "orders",
        ),
        (json!({"orders": [order("d", "low", "SKU-A", 1), order("d", "low", "SKU-A", 1)]}), "orders[1].request_id"),
        (json!({"orders": [order("q", "low", "SKU-A", 1), {"request_id": "r"}]}), "orders[1].ship_to"),
    ] {
        let (status, body) = server.post("/api/v1/orders/batch", &t.integration, bad).await;
        assert_eq!((status, body["field"].as_str()), (StatusCode::BAD_REQUEST, Some(field)), "{body}");
    }
    assert_eq!(f.count("orders"), 3, "no bad batch made an order");
    server.stop().await;
}
