//! `tote bench writer`: the writer's share of a pick alone. The same pick
//! ops `tote bench api` sends, handed to [`Services::execute_work`] in
//! groups as the writer thread forms them, with no HTTP in front: the CPU
//! per op the single writer spends, which bounds the durable ops per
//! second of a server whatever its HTTP side does.

use super::bench::{check_applied_once, setup};
use super::bench_load;
use anyhow::Result;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tote::app::floor_op::PickScans;
use tote::app::{Command, ServiceConfig, Services, SystemClock, Work};
use tote::storage::Store;

pub fn run(ops: usize, group: usize, rounds: usize, synchronous: &str, lines: usize) -> Result<()> {
    let durability = tote::server::config::parse_durability(synchronous).map_err(anyhow::Error::msg)?;
    let group = group.max(1);
    println!(
        "tote bench writer: {ops} pick ops in groups of {group}, {lines} items per task, synchronous={synchronous}, {rounds} rounds"
    );
    println!("{:>5} {:>9} {:>9} {:>9}", "round", "ops/s", "µs/op", "cpu µs/op");
    for round in 1..=rounds.max(1) {
        let dir = tempfile::tempdir()?;
        let store = Store::open_with(&dir.path().join("bench.db"), durability)?;
        let services = Services::new(Arc::new(store), Arc::new(SystemClock), ServiceConfig::default());
        // 64 pickers as in `tote bench api`, their scans interleaved.
        let lanes = setup(&services, 64, "http://unused", lines)?;
        let cpu = bench_load::this_thread_cpu();
        let started = Instant::now();
        let mut done = 0;
        while done < ops {
            let work: Vec<Work> = (done..(done + group).min(ops))
                .map(|i| {
                    let lane = &lanes[i % lanes.len()];
                    let command = Command::PickItem {
                        task_id: lane.task,
                        item_id: lane.item,
                        worker_id: Some(lane.worker),
                        scan: PickScans::new(super::bench::LOCATION, super::bench::SKU, 1),
                    };
                    Work::Op { op_id: tote::app::new_op_id(), command }
                })
                .collect();
            let n = work.len();
            for r in services.execute_work(work)? {
                r.map_err(|e| anyhow::anyhow!("a pick failed: {e}"))?;
            }
            done += n;
        }
        let wall = started.elapsed();
        let cpu = bench_load::this_thread_cpu().saturating_sub(cpu);
        check_applied_once(&services, ops)?;
        let per_op = |d: Duration| d.as_secs_f64() * 1e6 / ops.max(1) as f64;
        println!("{round:>5} {:>9.0} {:>9.1} {:>9.1}", ops as f64 / wall.as_secs_f64(), per_op(wall), per_op(cpu));
    }
    Ok(())
}
