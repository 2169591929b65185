//! `tote bench intake`: allocation at scale. One-line orders through
//! `POST /api/v1/orders/batch` against real servers (in this process, on
//! temporary databases), one over a small stock table and one over a large
//! one with the same number of slots per SKU, in interleaved rounds; reports
//! the median µs per order line for each and the median difference (issue
//! 15: at most 100 µs more per line with 1,000,000 rows than with 10,000).

use anyhow::{Result, bail};
use std::sync::Arc;
use std::time::Instant;
use tote::app::{ServiceConfig, Services, SystemClock};
use tote::domain::ids::Sku;
use tote::server::ServerConfig;
use tote::server::auth::secret_hash;
use tote::storage::stock::NewSlot;
use tote::storage::{Durability, Store};

/// Rounds per size, interleaved (small, large, small, large, …): the
/// difference is the median of the rounds', so one noisy moment on a
/// shared machine does not decide it.
const ROUNDS: usize = 5;

pub fn run(orders: usize, skus: usize, slots: usize, synchronous: &str) -> Result<()> {
    let durability = tote::server::config::parse_durability(synchronous).map_err(anyhow::Error::msg)?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let small = (skus / 100).max(1);
    let per_round = (orders / ROUNDS).max(1);
    println!(
        "tote bench intake: {ROUNDS} interleaved rounds of {per_round} one-line orders per size, {slots} slots per SKU, synchronous={synchronous}"
    );
    runtime.block_on(async {
        let a = Site::start(small, slots, durability).await?;
        let b = Site::start(skus, slots, durability).await?;
        let (mut us_a, mut us_b, mut diff) = (Vec::new(), Vec::new(), Vec::new());
        for round in 0..ROUNDS {
            let x = a.intake(round, per_round).await?;
            let y = b.intake(round, per_round).await?;
            us_a.push(x);
            us_b.push(y);
            diff.push(y - x);
        }
        println!("{:>10} {:>8} {:>12} {:>16}", "rows", "skus", "setup s", "µs per line p50");
        for (site, us) in [(&a, &mut us_a), (&b, &mut us_b)] {
            println!("{:>10} {:>8} {:>12.1} {:>16.0}", site.skus * slots, site.skus, site.setup_s, median(us));
        }
        let rounds: Vec<String> = diff.iter().map(|d| format!("{d:+.0}")).collect();
        println!(
            "large - small = {:+.0} µs per line, median of rounds [{}] (target: at most +100)",
            median(&mut diff),
            rounds.join(" ")
        );
        a.stop(ROUNDS * per_round).await?;
        b.stop(ROUNDS * per_round).await
    })
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or_default()
}

/// One stock table served by a real server on a temporary database.
struct Site {
    skus: usize,
    setup_s: f64,
    base: String,
    token: String,
    http: reqwest::Client,
    services: Services,
    stop: tokio::sync::oneshot::Sender<()>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
    _dir: tempfile::TempDir,
}

impl Site {
    async fn start(skus: usize, slots: usize, durability: Durability) -> Result<Site> {
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
        Ok(Site { skus, setup_s, base, token, http, services, stop, server, _dir: dir })
    }

    /// `orders` one-line orders of round `round`: µs per line.
    async fn intake(&self, round: usize, orders: usize) -> Result<f64> {
        let all: Vec<serde_json::Value> = (0..orders)
            .map(|i| {
                let n = round * orders + i;
                serde_json::json!({
                    "request_id": format!("bench-in-{n}"),
                    "ship_to": {"contact_name": "Bench", "street": "1 Loop Road", "city": "Localhost", "country": "RS"},
                    // Spread over the SKUs: each order allocates from a different part of the table.
                    "lines": [{"sku": format!("SKU-{}", (n * 7919) % self.skus), "quantity": 1, "warehouse": "W1"}],
                })
            })
            .collect();
        let t = Instant::now();
        super::bench_workflows::submit_batches(&self.http, &self.base, &self.token, &all, 500).await?;
        Ok(t.elapsed().as_secs_f64() * 1e6 / orders.max(1) as f64)
    }

    /// Stops the server; every order submitted must have been taken.
    async fn stop(self, submitted: usize) -> Result<()> {
        let _ = self.stop.send(());
        self.server.await??;
        let accepted = self.services.store().read(|tx| tx.count("orders"))?;
        if accepted != submitted as i64 {
            bail!("{accepted} of {submitted} orders taken");
        }
        Ok(())
    }
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
