//! `tote bench sync`: devices come back online with queued pick ops and
//! drain them through `POST /api/v1/ops` against a real server (in this
//! process, on a temporary database). Reports the time until every op is
//! applied, and checks each was applied once.

use super::bench::{check_applied_once, serve};
use anyhow::{Context, Result, bail};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tote::app::floor_op::FloorOp;
use tote::app::floor_op::PickScans;
use tote::app::{ServiceConfig, Services, SystemClock, new_op_id};
use tote::server::ServerConfig;
use tote::storage::Store;
use tote::tui::client::Client;
use tote::tui::device::Device;

pub fn run(ops: usize, devices: usize, synchronous: &str) -> Result<()> {
    let durability = tote::server::config::parse_durability(synchronous).map_err(anyhow::Error::msg)?;
    let devices = devices.max(1);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async {
        let dir = tempfile::tempdir()?;
        let store = Store::open_with(&dir.path().join("bench.db"), durability)?;
        let services = Services::new(Arc::new(store), Arc::new(SystemClock), ServiceConfig::default());
        let config = ServerConfig { durability, ..ServerConfig::default() };
        let (base, lanes, stop, server) = serve(&services, devices, config).await?;
        // Each device's queue, written while "offline" (one transaction:
        // setup, not the measurement).
        let mut queued = Vec::new();
        for (n, lane) in lanes.iter().enumerate() {
            let store = Arc::new(Store::open_with(&dir.path().join(format!("device-{n}.db")), durability)?);
            let client = Client::new(&base, &format!("BENCH-{n}"), Duration::from_secs(30))?;
            let d = Device::new(store, client, Arc::new(SystemClock));
            let share = ops / devices + usize::from(n < ops % devices);
            let op = FloorOp::Pick {
                task_id: lane.task,
                item_id: lane.item,
                scan: PickScans::new(super::bench::LOCATION, super::bench::SKU, 1),
            };
            let payload = serde_json::to_string(&op)?;
            let now = tote::app::Clock::now(&SystemClock);
            d.store().write(|tx| {
                for _ in 0..share {
                    tx.enqueue_op(&new_op_id(), op.kind(), &payload, now)?;
                }
                Ok::<_, tote::storage::StorageError>(())
            })?;
            queued.push((d, lane.token.clone()));
        }
        println!("tote bench sync: {ops} queued pick ops on {devices} device(s), synchronous={synchronous}");
        let started = Instant::now();
        let mut runs = Vec::new();
        for (d, token) in queued {
            runs.push(tokio::spawn(async move {
                let mut requests = 0;
                while d.status().queued > 0 {
                    requests += 1;
                    let round =
                        d.sync(Some(&token)).await.map_err(|f| anyhow::anyhow!("{}: {}", f.short, f.message))?;
                    if !round.rejected.is_empty() {
                        bail!("{} ops rejected, e.g. {:?}", round.rejected.len(), round.rejected[0]);
                    }
                }
                Ok::<_, anyhow::Error>(requests)
            }));
        }
        let mut requests = 0;
        for r in runs {
            requests += r.await.context("device task")??;
        }
        let elapsed = started.elapsed();
        let _ = stop.send(());
        server.await??;
        check_applied_once(&services, ops)?;
        println!(
            "applied {ops} ops in {:.2} s ({:.0} ops/s) with {requests} requests; each applied once",
            elapsed.as_secs_f64(),
            ops as f64 / elapsed.as_secs_f64()
        );
        Ok(())
    })
}
