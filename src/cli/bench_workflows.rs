//! `tote bench workflows`: orders end to end through the workflow engine of
//! a real server (in this process, on a temporary database). The orders
//! arrive over HTTP (`POST /api/v1/orders/batch`); the floor work (pick,
//! pack) is sent in group commits as the writer would; the engine's workers
//! create, label and confirm; the carrier's manifest closes (the parcels
//! leave) and they ship. Reports workflows completed per second, end to end
//! and for the engine's tail after the last pack.

use anyhow::{Result, bail};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tote::app::command::{PackageDto, PackagingTypeDto};
use tote::app::floor_op::PickScans;
use tote::app::{Command, ServiceConfig, Services, SystemClock};
use tote::server::ServerConfig;
use tote::server::auth::secret_hash;
use tote::storage::Store;
use tote::storage::queues::TaskFilter;

const SKUS: usize = 20;

/// `tote bench storage`: the bytes a database holds per order, open (just
/// taken, waiting for the floor) and shipped, each before and after the
/// retention sweep as it would run a month later (issue 19).
pub fn storage(orders: usize) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    println!("tote bench storage: {orders} two-line orders, end to end as in `tote bench workflows`");
    runtime.block_on(one_run(orders.max(1), tote::storage::Durability::Normal, 8, true)).map(|_| ())
}

/// The engines `tote bench workflows` runs the same orders through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Engine {
    Embedded,
    /// A Temporal cluster (feature `temporal`).
    Temporal,
}

pub fn run(
    orders: usize,
    synchronous: &str,
    workers: &[usize],
    engines: &[Engine],
    temporal_address: Option<&str>,
) -> Result<()> {
    let durability = tote::server::config::parse_durability(synchronous).map_err(anyhow::Error::msg)?;
    let orders = orders.max(1);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    println!("tote bench workflows: {orders} orders, synchronous={synchronous}");
    let mut by_engine = Vec::new();
    for &engine in engines {
        match engine {
            Engine::Embedded => {
                let mut rates = Vec::new();
                for &w in workers {
                    println!("embedded engine, workers: {w}");
                    rates.push((w, runtime.block_on(one_run(orders, durability, w.max(1), false))?));
                }
                if let [(w0, r0), .., (wn, rn)] = rates[..] {
                    println!("{wn} workers / {w0} workers = {:.2}x workflows/s", rn / r0.max(1e-9));
                }
                by_engine.extend(rates.last().map(|(_, r)| ("embedded", *r)));
            }
            #[cfg(feature = "temporal")]
            Engine::Temporal => {
                println!("temporal engine ({})", temporal_address.unwrap_or("a dev server started for the run"));
                let rate = runtime.block_on(super::bench_temporal::one_run(orders, durability, temporal_address))?;
                by_engine.push(("temporal", rate));
            }
            #[cfg(not(feature = "temporal"))]
            Engine::Temporal => {
                let _ = temporal_address;
                bail!("this tote was built without the `temporal` feature (cargo build --features temporal)");
            }
        }
    }
    if let [(a, ra), (b, rb)] = by_engine[..] {
        println!("{b} / {a} = {:.2}x workflows/s", rb / ra.max(1e-9));
    }
    Ok(())
}

/// One measured run; returns workflows completed per second end to end.
/// With `storage`, prints the bytes per order open and shipped instead.
async fn one_run(orders: usize, durability: tote::storage::Durability, workers: usize, storage: bool) -> Result<f64> {
    {
        let dir = tempfile::tempdir()?;
        let store = Store::open_with(&dir.path().join("bench.db"), durability)?;
        let services = Services::new(Arc::new(store), Arc::new(SystemClock), ServiceConfig::default());
        let (picker, packer, token) = setup(&services, orders)?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base = format!("http://{}", listener.local_addr()?);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let mut config = ServerConfig { durability, ..ServerConfig::default() };
        config.engine.workers = workers;
        let shutdown = async {
            let _ = stopped.await;
        };
        let server = tokio::spawn(tote::server::run(listener, shutdown, services.clone(), config));

        let started = Instant::now();
        let http = reqwest::Client::new();
        let all: Vec<serde_json::Value> = (0..orders).map(order).collect();
        submit_batches(&http, &base, &token, &all, 1000).await?;
        let intake = started.elapsed();
        if storage {
            // The engine finishes the intake workflows first.
            while !services
                .workflows(Some(tote::domain::workflow::WorkflowStatus::Running), u32::MAX)?
                .iter()
                .all(|w| w.kind == "order_fulfillment")
            {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            footprint(&services, orders, "open")?;
        }
        let svc = services.clone();
        tokio::task::spawn_blocking(move || floor(&svc, picker, packer)).await??;
        let floor_done = started.elapsed();
        // The truck: the carrier's manifest closes until every parcel left.
        for n in 0.. {
            let running = services.workflows(Some(tote::domain::workflow::WorkflowStatus::Running), 1)?;
            if running.is_empty() {
                break;
            }
            let body =
                serde_json::json!({"op_id": format!("bench-manifest-{n}"), "warehouse": "W1", "carrier": "local"});
            let r =
                http.post(format!("{base}/api/v1/dispatch/manifests")).bearer_auth(&token).json(&body).send().await?;
            if !r.status().is_success() {
                bail!("manifest close: {} {}", r.status(), r.text().await?);
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let done = started.elapsed();
        let _ = stop.send(());
        server.await??;
        if storage {
            footprint(&services, orders, "shipped")?;
        }
        println!(
            "intake (HTTP batch, workflows started):  {:>7.2} s  {:>8.0} orders/s",
            intake.as_secs_f64(),
            orders as f64 / intake.as_secs_f64().max(1e-9)
        );
        finished(&services, orders, "", floor_done - intake, done - floor_done, done)
    }
}

/// Checks that every fulfillment workflow completed with one shipment
/// each, prints the floor, tail and end-to-end times; returns the
/// workflows completed per second end to end.
pub(super) fn finished(
    services: &Services,
    orders: usize,
    on: &str,
    floor: Duration,
    tail: Duration,
    done: Duration,
) -> Result<f64> {
    let completed = services.workflows(Some(tote::domain::workflow::WorkflowStatus::Completed), u32::MAX)?;
    let fulfilled = completed.iter().filter(|w| w.kind == "order_fulfillment").count();
    let shipped = services.store().read(|tx| tx.shipment_counts())?;
    if fulfilled != orders || shipped != vec![("shipped".to_owned(), orders as i64)] {
        bail!("{fulfilled} of {orders} fulfillment workflows completed{on}; shipments {shipped:?}");
    }
    let rate = orders as f64 / done.as_secs_f64().max(1e-9);
    println!("floor work (pick + pack, group commit):  {:>7.2} s", floor.as_secs_f64());
    println!("engine tail after the last pack:        {:>7.2} s", tail.as_secs_f64());
    println!(
        "end to end: {orders} fulfillment workflows completed{on} in {:.2} s = {rate:.0} workflows/s; each shipped once",
        done.as_secs_f64()
    );
    Ok(rate)
}

/// Prints the live bytes per order, and the largest tables, now and after
/// the retention sweep that would run 31 days later with the defaults.
fn footprint(svc: &Services, orders: usize, what: &str) -> Result<()> {
    let per_order = |b: u64| b as f64 / orders as f64;
    let before = svc.store().read(|tx| tx.live_bytes())?;
    let tables = svc.store().read(|tx| tx.table_bytes()).unwrap_or_default();
    let top: Vec<String> =
        tables.iter().take(6).map(|(t, b)| format!("{t} {:.0}", per_order(b.max(&0).unsigned_abs()))).collect();
    let mut cutoffs =
        tote::server::retention::RetentionConfig::default().cutoffs(svc.now() + chrono::Duration::days(31));
    // The bench's own session must live on (sessions are a few rows a day).
    cutoffs.sessions = svc.now() - chrono::Duration::days(1);
    let mut swept = 0;
    loop {
        let s = svc.store().write(|tx| tx.sweep(&cutoffs, 5000))?;
        swept += s.total();
        if s.total() == 0 {
            break;
        }
    }
    let after = svc.store().read(|tx| tx.live_bytes())?;
    println!(
        "{what:>8}: {:>6.0} B/order; after a month's retention ({swept} rows) {:>6.0} B/order = {:.2}x\n          largest (B/order): {}",
        per_order(before),
        per_order(after),
        after as f64 / before.max(1) as f64,
        top.join(", ")
    );
    Ok(())
}

/// Sends `orders` through `POST /api/v1/orders/batch`, `chunk` at a time.
pub(super) async fn submit_batches(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    orders: &[serde_json::Value],
    chunk: usize,
) -> Result<()> {
    for part in orders.chunks(chunk) {
        let r = http
            .post(format!("{base}/api/v1/orders/batch"))
            .bearer_auth(token)
            .json(&serde_json::json!({ "orders": part }))
            .send()
            .await?;
        if !r.status().is_success() {
            bail!("batch intake: {} {}", r.status(), r.text().await?);
        }
    }
    Ok(())
}

pub(super) fn order(i: usize) -> serde_json::Value {
    let priority = ["low", "normal", "high", "urgent"][i % 4];
    serde_json::json!({
        "request_id": format!("bench-wf-{i}"), "priority": priority,
        "ship_to": {"contact_name": "Bench", "street": "1 Loop Road", "city": "Localhost", "country": "RS"},
        "lines": [{"sku": format!("SKU-{}", i % SKUS), "quantity": 1}, {"sku": format!("SKU-{}", (i + 7) % SKUS), "quantity": 2}],
    })
}

/// A warehouse with stock for every order, a picker, a packer and a
/// supervisor session for the intake.
pub(super) fn setup(svc: &Services, orders: usize) -> Result<(i64, i64, String)> {
    let now = svc.now();
    let (picker, packer) = svc.store().write(|tx| {
        tx.ensure_warehouse("W1", "Bench", now)?;
        let picker = tx.insert_worker("BENCH-P", "Picker", "picker", now)?;
        let packer = tx.insert_worker("BENCH-K", "Packer", "packer", now)?;
        let boss = tx.insert_worker("BENCH-S", "Supervisor", "supervisor", now)?;
        for w in [picker, packer, boss] {
            tx.bind_worker(w, "W1")?;
        }
        tx.insert_session(&secret_hash("bench-boss"), boss, None, now, now + chrono::Duration::days(1))?;
        Ok::<_, tote::storage::StorageError>((picker.0, packer.0))
    })?;
    let stock: Vec<(String, Command)> = (0..SKUS)
        .map(|s| {
            let c = Command::PlaceStock {
                warehouse: "W1".into(),
                location: format!("L-{s:02}"),
                sku: format!("SKU-{s}"),
                quantity: u32::try_from(orders * 3 + 10).unwrap_or(u32::MAX),
                received_at: None,
                lot: None,
                expiry: None,
            };
            (format!("bench-stock-{s}"), c)
        })
        .collect();
    svc.execute_all(&stock).map_err(|e| anyhow::anyhow!("bench setup: {e}"))?;
    Ok((picker, packer, "bench-boss".to_owned()))
}

/// Picks and packs every order, 100 tasks per group commit.
pub(super) fn floor(svc: &Services, picker: i64, packer: i64) -> Result<()> {
    let filter = TaskFilter { limit: 1_000_000, ..TaskFilter::default() };
    let mut ops = Vec::new();
    for t in svc.picking_tasks(&filter)? {
        let id = t.task_id;
        ops.push((format!("b-a-{id}"), Command::AssignPicking { task_id: id, worker_id: picker }));
        ops.push((format!("b-s-{id}"), Command::StartPicking { task_id: id, worker_id: picker }));
        for it in &t.items {
            let pick = Command::PickItem {
                task_id: id,
                item_id: it.item_id,
                worker_id: Some(picker),
                scan: PickScans::new(it.location.clone(), it.sku.clone(), it.required),
            };
            ops.push((format!("b-p-{}", it.item_id), pick));
        }
        ops.push((format!("b-c-{id}"), Command::CompletePicking { task_id: id, worker_id: Some(picker) }));
    }
    group(svc, &ops, 400)?;
    let package = PackageDto {
        packaging_type: PackagingTypeDto::Box,
        weight_g: 700,
        length_mm: 300,
        width_mm: 200,
        height_mm: 100,
    };
    let mut ops = Vec::new();
    for t in svc.packing_tasks(&filter)? {
        let id = t.task_id;
        ops.push((format!("b-ks-{id}"), Command::StartPacking { task_id: id, worker_id: packer }));
        let details = Command::SetPackageDetails { task_id: id, worker_id: Some(packer), sequence: 1, package };
        ops.push((format!("b-kd-{id}"), details));
        ops.push((format!("b-kc-{id}"), Command::CompletePacking { task_id: id, worker_id: Some(packer) }));
    }
    group(svc, &ops, 300)
}

fn group(svc: &Services, ops: &[(String, Command)], size: usize) -> Result<()> {
    for chunk in ops.chunks(size) {
        for (r, (op, _)) in svc.execute_group(chunk)?.into_iter().zip(chunk) {
            if let Err(e) = r {
                bail!("{op}: {e}");
            }
        }
    }
    Ok(())
}
