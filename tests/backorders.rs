//! The short policy (issue 15): under `ship` a short pick ships what there
//! is and says so (`tests/workflows.rs`, `a_short_line_is_shipped_short_and_says_so`)
//! and an order short of stock is refused; under `backorder` an order
//! short of stock is accepted and waits, and a short pick's missing units
//! become a backorder that allocates when stock arrives. The site's policy
//! comes from `tote serve`'s config; an order may choose its own.

mod common;

use common::flow::{assert_replays, due, pack, pick_all, report, shipment, wf};
use common::process::{KillOnDrop, serve_with, tote};
use common::{Fixture, accepted, order};
use serde_json::json;
use tote::app::floor_op::PickScans;
use tote::app::{Command, Outcome};
use tote::domain::workflow::ShortPolicy;

/// `order(..)` with the order's own short policy.
fn order_with(request_id: &str, lines: &[(&str, i64, &str)], policy: ShortPolicy) -> Command {
    match order(request_id, lines) {
        Command::SubmitOrder(mut r) => {
            r.short_policy = Some(policy);
            Command::SubmitOrder(r)
        }
        other => other,
    }
}

fn fulfillments(f: &Fixture, order_id: i64) -> Vec<i64> {
    f.svc.order_view(order_id).expect("order").fulfillments.iter().map(|x| x.fulfillment_id).collect()
}

/// Ships fulfillment `fid`'s packed parcel, the test playing the carrier and the dock.
fn ship(f: &Fixture, fid: i64, tracking: &str) {
    let mine = |f: &Fixture| due(f).into_iter().find(|t| t.workflow_id == format!("order-fulfillment-{fid}"));
    report(f, &mine(f).expect("create_shipment"), shipment(tracking));
    report(f, &mine(f).expect("confirm_shipment"), json!({"kind": "done"}));
    f.ok(Command::DispatchParcel { tracking: tracking.into() });
}

/// A short pick under the backorder policy: 3 of SKU-B ordered, 1 found at
/// B-01 (the only slot). The found unit ships; the 2 missing wait as a
/// backorder (`order.backordered`, no `order.short_shipped`), which
/// allocates when 5 arrive and ships in turn; only then is the order shipped.
#[test]
fn a_short_pick_backorders_the_rest_which_ships_when_stock_arrives() {
    let f = Fixture::new();
    let initial = f.stock().0;
    let (order_id, tasks) = accepted(&f.ok(order_with("bo-1", &[("SKU-B", 3, "W2")], ShortPolicy::Backorder)));
    let task = tasks[0].1;
    f.ok(Command::AssignPicking { task_id: task, worker_id: f.picker });
    f.ok(Command::StartPicking { task_id: task, worker_id: f.picker });
    let item = f.svc.picking_task_view(task).expect("task").items[0].item_id;
    let found = Command::PickItem {
        task_id: task,
        item_id: item,
        worker_id: Some(f.picker),
        scan: PickScans::new("B-01", "SKU-B", 1),
    };
    f.ok(found);
    let short = Command::ShortItem {
        task_id: task,
        item_id: item,
        worker_id: Some(f.picker),
        quantity: 0,
        reason: "stock_out".into(),
    };
    f.ok(short);
    let packing = match f.ok(Command::CompletePicking { task_id: task, worker_id: Some(f.picker) }) {
        Outcome::Picking { packing_task_id: Some(p), .. } => p,
        other => panic!("{other:?}"),
    };
    let ids = fulfillments(&f, order_id);
    assert_eq!(ids.len(), 2, "the first fulfillment and its backorder");
    let backorder = format!("order-fulfillment-{}", ids[1]);
    assert_eq!(wf(&f, &backorder).step, "await_stock");
    let blocking = wf(&f, &backorder).blocking.unwrap_or_default();
    assert!(blocking.contains("waiting for stock") && blocking.contains("SKU-B"), "{blocking}");
    let line = |f: &Fixture| f.svc.order_view(order_id).expect("order").lines[0].clone();
    let l = line(&f);
    assert_eq!((l.quantity, l.picked, l.backordered, l.short), (3, 1, 2, None), "{l:?}");
    f.assert_conserved(initial);

    pack(&f, packing);
    ship(&f, ids[0], "TT000000301RS");
    let view = f.svc.order_view(order_id).expect("order");
    assert_eq!(view.status.as_str(), "open", "2 units still to come");
    assert_eq!((view.lines[0].shipped, view.lines[0].backordered), (1, 2));
    let types = f.event_types();
    assert!(types.contains(&"order.backordered".to_owned()), "{types:?}");
    assert!(!types.contains(&"order.short_shipped".to_owned()), "nothing is short: it is on backorder");

    // Part of it left: the order cannot be cancelled, and nothing changes.
    let code = f.code(Command::CancelOrder { order_id, reason: "too late".into() });
    assert_eq!((code.as_str(), wf(&f, &backorder).step.as_str()), ("E601", "await_stock"));
    // Stock arrives: the backorder allocates in the same op and gets pick work.
    f.place("W2", "B-02", "SKU-B", 5, 3);
    assert_eq!(wf(&f, &backorder).step, "await_pick");
    let next = f.svc.order_view(order_id).expect("order").fulfillments[1].picking[0].task_id;
    let view = f.svc.picking_task_view(next).expect("task");
    assert_eq!((view.items.len(), view.items[0].location.as_str(), view.items[0].required), (1, "B-02", 2));
    pack(&f, pick_all(&f, next));
    ship(&f, ids[1], "TT000000302RS");
    let view = f.svc.order_view(order_id).expect("order");
    assert_eq!(view.status.as_str(), "shipped");
    let l = &view.lines[0];
    assert_eq!((l.quantity, l.picked, l.shipped, l.backordered, l.short), (3, 3, 3, 0, Some(0)), "{l:?}");
    assert!(!f.event_types().contains(&"order.short_shipped".to_owned()));
    for id in ids {
        assert_replays(&f, &format!("order-fulfillment-{id}"));
    }
    f.assert_conserved(initial + 5);
}

/// Intake prefers waiting: under `ship` an order short of stock is refused
/// (409 E201, not remembered); the same order under `backorder` is
/// accepted, holds nothing while it waits, says why, and a supervisor's
/// retry or stock arriving allocates it. A waiting order can be cancelled.
#[test]
fn an_order_short_of_stock_is_accepted_under_backorder_and_waits() {
    let f = Fixture::new();
    let initial = f.stock().0;
    assert_eq!(f.code(order_with("wait-0", &[("SKU-B", 6, "W2")], ShortPolicy::Ship)), "E201");
    let (order_id, tasks) = accepted(&f.ok(order_with("wait-1", &[("SKU-B", 6, "W2")], ShortPolicy::Backorder)));
    assert!(tasks.iter().all(|(_, t)| *t == 0), "no pick work while short: {tasks:?}");
    let id = format!("order-fulfillment-{}", fulfillments(&f, order_id)[0]);
    assert_eq!(wf(&f, &id).step, "await_stock");
    assert_eq!(f.stock().1, 0, "nothing held while it waits");
    assert_eq!(f.svc.order_view(order_id).expect("order").lines[0].backordered, 6);
    // A retry with too little stock changes nothing but the attempt.
    let retried = f.ok(Command::RetryWorkflow { workflow_id: id.clone() });
    assert!(matches!(&retried, Outcome::Workflow { step, .. } if step == "await_stock"), "{retried:?}");
    // Another order waits too; cancelling it releases nothing and ends it.
    let (other, _) = accepted(&f.ok(order_with("wait-2", &[("SKU-B", 9, "W2")], ShortPolicy::Backorder)));
    f.ok(Command::CancelOrder { order_id: other, reason: "customer".into() });
    let other_id = format!("order-fulfillment-{}", fulfillments(&f, other)[0]);
    assert_eq!(wf(&f, &other_id).status, "cancelled");
    // 2 more arrive: 6 available, the first waiting order takes them.
    f.place("W2", "B-02", "SKU-B", 2, 3);
    assert_eq!(wf(&f, &id).step, "await_pick");
    let l = f.svc.order_view(order_id).expect("order").lines[0].clone();
    assert_eq!((l.allocated, l.backordered), (6, 0));
    f.assert_conserved(initial + 2);
    assert_replays(&f, &id);
    assert_replays(&f, &other_id);
}

/// The site's policy from `tote serve`'s config file: an integrator's
/// order short of stock is accepted over HTTP and waits; stock imported
/// with `tote stock import` (another process) allocates it at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_site_policy_comes_from_the_serve_config() {
    let f = Fixture::new();
    let db = f.dir.path().join("tote.db");
    let key = tote(&db, &["apikey", "create", "shop"]).trim().to_owned();
    let config = f.dir.path().join("tote.toml");
    std::fs::write(&config, "[server]\nshort_policy = \"backorder\"\n").expect("config");
    let (child, base, _log) = serve_with(&db, &["--config", config.to_str().expect("utf-8 path")]);
    let _serve = KillOnDrop(child);
    let http = reqwest::Client::new();
    let Command::SubmitOrder(req) = order("http-short", &[("SKU-C", 7, "W3")]) else { unreachable!() };
    let resp = http.post(format!("{base}/api/v1/orders")).bearer_auth(&key).json(&req).send().await.expect("post");
    let status = resp.status();
    let body: serde_json::Value = resp.json().await.expect("json");
    assert!(status.is_success(), "{status} {body}");
    let order_id = body["order_id"].as_i64().expect("order id");
    let get = |path: String| {
        let (http, key) = (http.clone(), key.clone());
        async move {
            let r = http.get(path).bearer_auth(&key).send().await.expect("get");
            r.json::<serde_json::Value>().await.expect("json")
        }
    };
    let view = get(format!("{base}/api/v1/orders/{order_id}")).await;
    assert_eq!((view["status"].as_str(), view["lines"][0]["backordered"].as_i64()), (Some("open"), Some(7)), "{view}");
    let csv = f.dir.path().join("receipt.csv");
    std::fs::write(&csv, "warehouse,location,sku,quantity\nW3,C-02,SKU-C,10\n").expect("csv");
    tote(&db, &["stock", "import", csv.to_str().expect("utf-8 path")]);
    let view = get(format!("{base}/api/v1/orders/{order_id}")).await;
    assert_eq!((view["lines"][0]["allocated"].as_i64(), view["lines"][0]["backordered"].as_i64()), (Some(7), Some(0)));
    let fid = view["fulfillments"][0]["fulfillment_id"].as_i64().expect("fulfillment");
    let w = get(format!("{base}/api/v1/workflows/order-fulfillment-{fid}")).await;
    assert_eq!(w["current_step"], "await_pick", "{w}");
}
