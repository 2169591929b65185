//! `tote serve` with `[redis]` against a real `redis-server` the test starts
//! on 127.0.0.1: orders confirmed and cancelled on `listings:events:orders`
//! are taken in and cancelled (items named by listing, or asked of a fake
//! Listings service when the entry has none), a bad entry goes to
//! the dead-letter stream, every committed event is published to its
//! `wms:events:*` stream with seed 001 §5.2's fields; and a server killed
//! between an entry's commit and its XACK (Redis, which keeps an fsynced
//! append-only file, killed so that the XACK cannot land, then started
//! again) leaves the entry pending, which a replacement server claims and
//! applies once.

mod common;

use common::process::{KillOnDrop, fake_service, logged, serve_env};
use common::{Fixture, address};
use redis::Commands;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// `redis-server` on `port` (a free one if `None`), its append-only file
/// fsynced on every write, in `dir`.
fn redis_server(dir: &Path, port: Option<u16>) -> (KillOnDrop, u16) {
    let port = port.unwrap_or_else(|| {
        std::net::TcpListener::bind("127.0.0.1:0").expect("port").local_addr().expect("addr").port()
    });
    let child = Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", ""])
        .args(["--appendonly", "yes", "--appendfsync", "always"])
        .current_dir(dir)
        .stdout(Stdio::null())
        .spawn()
        .expect("redis-server (apt redis-server; tools/test.sh installs it)");
    let child = KillOnDrop(child);
    wait_until("redis-server answers", 20, || connect(port).is_some());
    (child, port)
}

fn connect(port: u16) -> Option<redis::Connection> {
    let c = redis::Client::open(format!("redis://127.0.0.1:{port}/")).ok()?;
    let mut conn = c.get_connection_with_timeout(Duration::from_secs(1)).ok()?;
    redis::cmd("PING").query::<String>(&mut conn).ok()?;
    Some(conn)
}

fn wait_until(what: &str, secs: u64, mut done: impl FnMut() -> bool) {
    let end = Instant::now() + Duration::from_secs(secs);
    while !done() {
        assert!(Instant::now() < end, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn confirmed(r: &mut redis::Connection, order: &str, listing: &str) {
    let ship_to = serde_json::to_string(&address()).expect("json");
    let items = format!(r#"[{{"listing_id":"{listing}","quantity":1,"price":12.5}}]"#);
    let _: String = r
        .xadd(
            "listings:events:orders",
            "*",
            &[("type", "order.confirmed"), ("order_id", order), ("items", &items), ("ship_to", &ship_to)],
        )
        .expect("XADD");
}

fn pending(r: &mut redis::Connection) -> i64 {
    let v: redis::Value =
        redis::cmd("XPENDING").arg("listings:events:orders").arg("wms-consumers").query(r).expect("XPENDING");
    match v {
        redis::Value::Array(parts) => match parts.first() {
            Some(redis::Value::Int(n)) => *n,
            _ => 0,
        },
        _ => 0,
    }
}

/// `(event_id, fields)` of every entry of `stream`.
fn published(r: &mut redis::Connection, stream: &str) -> Vec<BTreeMap<String, String>> {
    let v: redis::streams::StreamRangeReply = r.xrange_all(stream).expect("XRANGE");
    v.ids
        .into_iter()
        .map(|e| {
            e.map.into_iter().map(|(k, v)| (k, redis::from_redis_value::<String>(v).unwrap_or_default())).collect()
        })
        .collect()
}

fn order_of(f: &Fixture, listings_order: &str) -> Option<i64> {
    let request = format!("listings-{listings_order}");
    f.svc.store().read(|tx| tx.order_by_request(&request)).expect("read").map(|o| o.0)
}

#[test]
fn orders_come_in_and_events_go_out_through_redis_streams_and_a_kill_before_xack_applies_once() {
    let f = Fixture::new();
    f.ok(tote::app::Command::DefineProduct {
        sku: "SKU-A".into(),
        name: "Mug".into(),
        barcode: None,
        listing_id: Some("L-100".into()),
    });
    let dir = f.dir.path();
    let (mut redis_child, port) = redis_server(dir, None);
    let mut r = connect(port).expect("redis");
    let listings_log = dir.join("listings.jsonl");
    let (_listings, listings_port) = fake_service("fake_listings.py", &listings_log, &[]);
    let config = dir.join("tote.toml");
    let write_config = |consumer: &str| {
        std::fs::write(
            &config,
            format!(
                "[redis]\nurl = \"redis://127.0.0.1:{port}/\"\nconsumer = \"{consumer}\"\n\
                 claim_idle_secs = 1\nwarehouse = \"W1\"\n\
                 [listings]\nbase_url = \"http://127.0.0.1:{listings_port}\"\n"
            ),
        )
        .expect("config")
    };
    write_config("tote-a");
    let db = dir.join("tote.db");
    let args = ["--config", config.to_str().expect("utf-8")];
    let (child, _, _) = serve_env(&db, &args, &[]);
    let mut server = KillOnDrop(child);

    // In: two orders confirmed, one cancelled, one entry unreadable.
    confirmed(&mut r, "1001", "L-100");
    confirmed(&mut r, "1002", "L-100");
    let _: String =
        r.xadd("listings:events:orders", "*", &[("type", "order.confirmed"), ("order_id", "9")]).expect("x");
    wait_until("both orders taken in", 30, || order_of(&f, "1001").is_some() && order_of(&f, "1002").is_some());
    let _: String = r
        .xadd("listings:events:orders", "*", &[("type", "order.cancelled"), ("order_id", "1002"), ("reason", "buyer")])
        .expect("XADD");
    let second = order_of(&f, "1002").expect("order");
    wait_until("the cancel applied", 30, || {
        f.svc.order_view(second).is_ok_and(|o| o.status == tote::domain::order::OrderStatus::Cancelled)
    });
    let view = f.svc.order_view(order_of(&f, "1001").expect("order")).expect("view");
    assert_eq!(view.external_ref.as_deref(), Some("1001"), "the Listings order id is kept");
    // An entry without items: they come from Listings (GetOrder).
    let ship_to = serde_json::to_string(&address()).expect("json");
    let _: String = r
        .xadd(
            "listings:events:orders",
            "*",
            &[("type", "order.confirmed"), ("order_id", "1005"), ("ship_to", &ship_to)],
        )
        .expect("XADD");
    wait_until("the order without items taken in", 30, || order_of(&f, "1005").is_some());
    let view = f.svc.order_view(order_of(&f, "1005").expect("order")).expect("view");
    assert_eq!(
        view.lines.iter().map(|l| (l.sku.as_str(), l.warehouse.as_str())).collect::<Vec<_>>(),
        [("SKU-A", "W1")]
    );
    assert!(logged(&listings_log).iter().any(|c| c["method"] == "GET" && c["order"] == "1005"));
    wait_until("every entry acknowledged", 30, || pending(&mut r) == 0);
    let dead = published(&mut r, "listings:events:orders:dead");
    assert_eq!(dead.len(), 1, "{dead:?}");
    assert!(dead[0]["reason"].starts_with("ship_to"), "{dead:?}");

    // Out: every committed event on its stream, with the seed's fields.
    let outbox = || f.svc.store().read(|tx| tx.events_after(0, 10_000)).expect("outbox");
    let streams = ["wms:events:orders", "wms:events:picking", "wms:events:inventory", "wms:events:packing"];
    wait_until("the outbox published", 30, || {
        let n: usize = streams.iter().map(|s| published(&mut r, s).len()).sum();
        n >= outbox().len()
    });
    let reserved = published(&mut r, "wms:events:inventory")
        .into_iter()
        .find(|e| e["type"] == "inventory.reserved")
        .expect("inventory.reserved published");
    assert_eq!((reserved["listing_id"].as_str(), reserved["sku"].as_str()), ("L-100", "SKU-A"));
    assert!(reserved["timestamp"].parse::<i64>().is_ok_and(|t| t > 1_700_000_000), "{reserved:?}");
    assert!(reserved.contains_key("order_id") && reserved.contains_key("warehouse_id"), "{reserved:?}");
    let created = published(&mut r, "wms:events:picking").into_iter().find(|e| e["type"] == "picking.created");
    assert!(created.is_some_and(|e| e.contains_key("task_id") && e.contains_key("warehouse_id")));

    // A kill between commit and XACK: the writer is held off the database
    // until the entry is read (pending), Redis dies, then the commit lands
    // while the XACK cannot; the server dies too, and Redis comes back from
    // its append-only file with the entry still pending.
    let (hold, held) = std::sync::mpsc::channel::<()>();
    let (locked_tx, locked) = std::sync::mpsc::channel::<()>();
    let store = tote::storage::Store::open(&db).expect("a second connection");
    let holder = std::thread::spawn(move || {
        store
            .write(|_| {
                let _ = locked_tx.send(());
                let _ = held.recv();
                Ok::<_, tote::storage::StorageError>(())
            })
            .expect("lock")
    });
    locked.recv().expect("locked");
    confirmed(&mut r, "1003", "L-100");
    wait_until("the entry read, its commit waiting", 20, || pending(&mut r) == 1);
    redis_child.0.kill().expect("SIGKILL redis");
    redis_child.0.wait().expect("reaped");
    hold.send(()).expect("release");
    holder.join().expect("holder");
    wait_until("the order committed", 20, || order_of(&f, "1003").is_some());
    server.0.kill().expect("SIGKILL");
    server.0.wait().expect("reaped");
    let (_redis_again, _) = redis_server(dir, Some(port));
    let mut r = connect(port).expect("redis again");
    assert_eq!(pending(&mut r), 1, "the entry was never acknowledged");
    let published_before = streams.iter().map(|s| published(&mut r, s).len()).sum::<usize>();

    // A replacement server (another consumer) claims it and applies it once.
    write_config("tote-b");
    let (child, _, _) = serve_env(&db, &args, &[]);
    let _server = KillOnDrop(child);
    wait_until("the claimed entry acknowledged", 30, || pending(&mut r) == 0);
    let requests = f.svc.store().read(|tx| tx.events_after(0, 10_000)).expect("outbox");
    let intakes = requests.iter().filter(|e| e.event_type == "order.created").count();
    assert_eq!(intakes, 4, "orders 1001, 1002, 1003 and 1005 each taken in once");
    wait_until("the restarted publisher caught up", 30, || {
        let n: usize = streams.iter().map(|s| published(&mut r, s).len()).sum();
        n >= outbox().len()
    });
    // The cursor survived the kill: the restart did not publish it all again.
    let ids: Vec<String> = streams.iter().flat_map(|s| published(&mut r, s)).map(|e| e["event_id"].clone()).collect();
    let distinct: BTreeSet<&String> = ids.iter().collect();
    assert_eq!(distinct.len(), outbox().len(), "every event published");
    assert!(ids.len() < published_before + outbox().len(), "{} entries for {} events", ids.len(), distinct.len());
}
