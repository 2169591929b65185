//! `tote bench workflows --engine temporal`: the same orders as the
//! embedded run (two lines each), end to end on a Temporal cluster: the
//! intakes start by their Tote ids, the site's worker runs the activities
//! through the app services and records each decision, the floor work is
//! sent in group commits as on the embedded run (its signals forwarded
//! from the site's queue), the carrier is called by the worker, and the
//! manifest closes until every fulfillment workflow has completed. A dev
//! server is started when no `--temporal-address` is given.

use super::bench_workflows::{finished, floor, order, setup};
use anyhow::Result;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tote::app::command::OrderRequest;
use tote::app::{Command, ServiceConfig, Services, SystemClock};
use tote::domain::workflow::{Settings, WorkflowStatus};
use tote::storage::Store;
use tote::storage::queues::TaskFilter;
use tote::temporal::client;
use tote::temporal::devserver::DevServer;

/// One measured run on Temporal; returns fulfillment workflows completed
/// per second end to end.
pub async fn one_run(orders: usize, durability: tote::storage::Durability, address: Option<&str>) -> Result<f64> {
    let dev = match address {
        Some(_) => None,
        None => Some(DevServer::start()?),
    };
    let address = address.map(str::to_owned).or_else(|| dev.as_ref().map(|d| d.address.clone())).unwrap_or_default();
    let dir = tempfile::tempdir()?;
    let store = Store::open_with(&dir.path().join("bench.db"), durability)?;
    let services = Services::new(Arc::new(store), Arc::new(SystemClock), ServiceConfig::default());
    let (picker, packer, _) = setup(&services, orders)?;
    let queue = format!("tote-bench-{}", std::process::id());
    let carrier: Arc<dyn tote::shipping::Carrier> = Arc::new(tote::shipping::local::LocalCarrier::default());
    let worker =
        client::spawn_worker(client::Site::standalone(services.clone(), carrier, queue.clone())?, address.clone());
    let c = client::connect(&address).await?;

    let started = Instant::now();
    let requests: Vec<OrderRequest> =
        (0..orders).map(|i| serde_json::from_value(order(i))).collect::<Result<_, _>>()?;
    let starts = requests.iter().map(|r| client::start_intake(&c, &queue, r, Settings::default()));
    for s in futures::future::join_all(starts).await {
        s?;
    }
    // Every fulfillment has made its pick work.
    let filter = TaskFilter { limit: 1_000_000, ..TaskFilter::default() };
    while services.picking_tasks(&filter)?.len() < orders {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let intake = started.elapsed();
    let svc = services.clone();
    tokio::task::spawn_blocking(move || floor(&svc, picker, packer)).await??;
    let floor_done = started.elapsed();
    // The truck: the manifest closes until every fulfillment completed.
    for n in 0.. {
        let running = services.workflows(Some(WorkflowStatus::Running), u32::MAX)?;
        if running.is_empty() && n > 0 {
            break;
        }
        let close = Command::CloseManifest { warehouse: "W1".into(), carrier: "local".into() };
        let svc = services.clone();
        tokio::task::spawn_blocking(move || svc.execute(&format!("bench-t-manifest-{n}"), &close)).await??;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let done = started.elapsed();
    worker.stop()?;
    println!("intake to pick work (started by id):     {:>7.2} s", intake.as_secs_f64());
    finished(&services, orders, " on Temporal", floor_done - intake, done - floor_done, done)
}
