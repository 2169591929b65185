//! `tote bench intake`: allocation at scale. One-line orders through
//! `POST /api/v1/orders/batch` against a real server (in this process, on a
//! temporary database), once over a small stock table and once over a large
//! one with the same number of slots per SKU, one right after the other;
//! reports µs per order line for each and the difference (issue 15: at most
//! 100 µs more per line with 1,000,000 rows than with 10,000).

use anyhow::{Result, bail};
use std::sync::Arc;
use std::time::Instant;
use tote::app::{ServiceConfig, Services, SystemClock};
use tote::domain::ids::Sku;
use tote::server::ServerConfig;
use tote::server::auth::secret_hash;
use tote::storage::stock::NewSlot;
use tote::storage::{Durability, Store};

pub fn run(orders: usize, skus: usize, slots: usize, synchronous: &str) -> Result<()> {
    let durability = tote::server::config::parse_durability(synchronous).map_err(anyhow::Error::msg)?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let small = (skus / 100).max(1);
    println!("tote bench intake: {orders} one-line orders per run, {slots} slots per SKU, synchronous={synchronous}");
    println!("{:>10} {:>8} {:>12} {:>14}", "rows", "skus", "setup s", "µs per line");
    let mut per_line = Vec::new();
    for n in [small, skus] {
        let us = runtime.block_on(one_run(orders, n, slots, durability))?;
        per_line.push(us);
    }
    if let [a, b] = per_line[..] {
        println!("large - small = {:+.0} µs per line (target: at most +100)", b - a);
    }
    Ok(())
}

async fn one_run(orders: usize, skus: usize, slots: usize, durability: Durability) -> Result<f64> {
    let dir = tempfile::tempdir()?;
    let store = Store::open_with(&dir.path().join("bench.db"), durability)?;
    let services = Services::new(Arc::new(store), Arc::new(SystemClock), ServiceConfig::default());
    let started = Instant::now();
    let token = setup(&services, skus, slots)?;
    let setup_s = started.elapsed().as_secs_f64();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let shutdown = async {
        let _ = stopped.await;
    };
    let config = ServerConfig { durability, ..ServerConfig::default() };
    let server = tokio::spawn(tote::server::run(listener, shutdown, services.clone(), config));
    let http = reqwest::Client::new();
    let all: Vec<serde_json::Value> = (0..orders)
        .map(|i| {
            serde_json::json!({
                "request_id": format!("bench-in-{i}"),
                "ship_to": {"contact_name": "Bench", "street": "1 Loop Road", "city": "Localhost", "country": "RS"},
                // Spread over the SKUs: each order allocates from a different part of the table.
                "lines": [{"sku": format!("SKU-{}", (i * 7919) % skus), "quantity": 1, "warehouse": "W1"}],
            })
        })
        .collect();
    let t = Instant::now();
    super::bench_workflows::submit_batches(&http, &base, &token, &all, 500).await?;
    let us = t.elapsed().as_secs_f64() * 1e6 / orders.max(1) as f64;
    let _ = stop.send(());
    server.await??;
    let accepted = services.store().read(|tx| tx.count("orders"))?;
    if accepted != orders as i64 {
        bail!("{accepted} of {orders} orders taken");
    }
    println!("{:>10} {:>8} {:>12.1} {:>14.0}", skus * slots, skus, setup_s, us);
    Ok(us)
}

/// `skus` × `slots` stock rows in W1 (one location per slot index), in one
/// transaction, and a supervisor session for the intake.
fn setup(svc: &Services, skus: usize, slots: usize) -> Result<String> {
    let now = svc.now();
    svc.store().write(|tx| {
        let wh = tx.ensure_warehouse("W1", "Bench", now)?;
        let mut locations = Vec::with_capacity(slots);
        for l in 0..slots {
            locations.push(tx.ensure_location(wh, &format!("L-{l:03}"), None, None)?);
        }
        for s in 0..skus {
            let sku = Sku::parse(&format!("SKU-{s}"), "sku")
                .map_err(|e| tote::storage::StorageError::Unavailable(e.to_string()))?;
            tx.ensure_product(&sku, "", None)?;
            for (l, location) in locations.iter().enumerate() {
                // Distinct receipt times: FIFO has an order to keep.
                let received_at = now - chrono::Duration::minutes(i64::try_from(l).unwrap_or(0));
                tx.insert_slot(
                    &NewSlot {
                        warehouse: wh,
                        location: *location,
                        sku: &sku,
                        quantity: tote::domain::ids::Qty(50),
                        received_at,
                        lot: None,
                        expiry: None,
                    },
                    now,
                )?;
            }
        }
        let boss = tx.insert_worker("BENCH-S", "Supervisor", "supervisor", now)?;
        tx.bind_worker(boss, "W1")?;
        tx.insert_session(&secret_hash("bench-boss"), boss, None, now, now + chrono::Duration::days(1))?;
        Ok::<_, tote::storage::StorageError>(())
    })?;
    Ok("bench-boss".to_owned())
}
