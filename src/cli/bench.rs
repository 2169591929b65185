//! `tote bench api`: pick-item scans over real HTTP against a real server on
//! a temporary database, from 1, 16 and 64 concurrent clients, for group
//! commit and for one commit per op, side by side in one run with a ceiling
//! row (the same clients against a route that does nothing), since the
//! machine is shared: only ratios within one run mean anything.

use super::bench_load;
use anyhow::{Context, Result, bail};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tote::app::command::{AddressDto, LineDto, OrderRequest};
use tote::app::{Command, Outcome, ServiceConfig, Services, SystemClock};
use tote::server::ServerConfig;
use tote::server::auth::secret_hash;
use tote::storage::{Durability, Store};

#[derive(Debug, clap::Subcommand)]
pub enum BenchCmd {
    /// Drive pick-item scans through the HTTP API; compare group commit
    /// with one commit per op.
    Api {
        /// Seconds per measured run.
        #[arg(long, default_value_t = 3.0)]
        seconds: f64,
        /// Client counts to try.
        #[arg(long, value_delimiter = ',', default_values_t = [1, 16, 64])]
        clients: Vec<usize>,
        /// SQLite synchronous mode: full or normal.
        #[arg(long, default_value = "full")]
        synchronous: String,
    },
    /// Reconnect after an offline spell: devices with queued pick ops drain
    /// them through POST /api/v1/ops; reports the time to apply them all.
    Sync {
        /// Queued ops in all, spread over the devices.
        #[arg(long, default_value_t = 10_000)]
        ops: usize,
        #[arg(long, default_value_t = 1)]
        devices: usize,
        /// SQLite synchronous mode (server and devices): full or normal.
        #[arg(long, default_value = "full")]
        synchronous: String,
    },
    /// The writer alone: the pick ops of `bench api` in groups, with no
    /// HTTP in front; the writer's CPU per op bounds durable ops per second.
    Writer {
        #[arg(long, default_value_t = 20_000)]
        ops: usize,
        /// Ops per commit (`bench api` at 64 clients forms about 20).
        #[arg(long, default_value_t = 20)]
        group: usize,
        #[arg(long, default_value_t = 3)]
        rounds: usize,
        #[arg(long, default_value = "full")]
        synchronous: String,
        /// Lines per order, so items per picking task: the lanes pick one
        /// of them; the others wait (a floor's orders have several).
        #[arg(long, default_value_t = 1)]
        lines: usize,
    },
    /// Allocation at scale: one-line orders through the batch intake over a
    /// small and a large stock table (same slots per SKU), µs per line.
    Intake {
        /// Orders per size, in 5 interleaved rounds.
        #[arg(long, default_value_t = 10_000)]
        orders: usize,
        /// SKUs in the large run (the small one has a hundredth of them).
        #[arg(long, default_value_t = 10_000)]
        skus: usize,
        /// Slots (locations) per SKU.
        #[arg(long, default_value_t = 100)]
        slots: usize,
        #[arg(long, default_value = "full")]
        synchronous: String,
    },
    /// Bytes the database holds per order, open and shipped, before and after
    /// a month's retention sweep.
    Storage {
        #[arg(long, default_value_t = 2000)]
        orders: usize,
    },
    /// Orders end to end through the workflow engine: batch intake over
    /// HTTP, pick and pack, carrier steps by the engine's workers; reports
    /// workflows completed per second.
    Workflows {
        #[arg(long, default_value_t = 1000)]
        orders: usize,
        #[arg(long, default_value = "full")]
        synchronous: String,
        /// Engine worker counts to compare, one run each.
        #[arg(long, value_delimiter = ',', default_values_t = [8])]
        workers: Vec<usize>,
        /// The engines to run the same orders through, one after the other
        /// (temporal: built with `--features temporal`).
        #[arg(long, value_enum, value_delimiter = ',', default_values = ["embedded"])]
        engine: Vec<super::bench_workflows::Engine>,
        /// A Temporal frontend (`HOST:PORT`); without it a dev server is
        /// started (`temporal` from TOTE_TEMPORAL or PATH).
        #[arg(long)]
        temporal_address: Option<String>,
    },
}

pub fn run(cmd: &BenchCmd) -> Result<()> {
    if let BenchCmd::Sync { ops, devices, synchronous } = cmd {
        return super::bench_sync::run(*ops, *devices, synchronous);
    }
    if let BenchCmd::Writer { ops, group, rounds, synchronous, lines } = cmd {
        return super::bench_writer::run(*ops, *group, *rounds, synchronous, *lines);
    }
    if let BenchCmd::Intake { orders, skus, slots, synchronous } = cmd {
        return super::bench_intake::run(*orders, *skus, *slots, synchronous);
    }
    if let BenchCmd::Storage { orders } = cmd {
        return super::bench_workflows::storage(*orders);
    }
    if let BenchCmd::Workflows { orders, synchronous, workers, engine, temporal_address } = cmd {
        return super::bench_workflows::run(*orders, synchronous, workers, engine, temporal_address.as_deref());
    }
    let BenchCmd::Api { seconds, clients, synchronous } = cmd else { return Ok(()) };
    let durability = tote::server::config::parse_durability(synchronous).map_err(anyhow::Error::msg)?;
    println!("tote bench api: POST pick-item over HTTP, synchronous={synchronous}, {seconds} s per run");
    println!("(CPU µs per op: the server's HTTP runtime, its writer thread, the load generator; 2 cores in all)");
    println!(
        "{:>7}  {:<15} {:>8} {:>7} {:>7} {:>10} {:>7} {:>7} {:>7} {:>6}",
        "clients", "design", "ops/s", "p50 ms", "p99 ms", "ops/commit", "http µs", "wrt µs", "gen µs", "errors"
    );
    let length = Duration::from_secs_f64(seconds.max(0.1));
    for &n in clients {
        let mut rates = Vec::new();
        for design in [Design::Ceiling, Design::GroupCommit, Design::CommitPerOp] {
            let r = one_run(n.max(1), design, durability, length)?;
            println!(
                "{:>7}  {:<15} {:>8.0} {:>7.2} {:>7.2} {:>10.1} {:>7.0} {:>7.0} {:>7.0} {:>6}",
                n,
                design.name(),
                r.ops_per_sec,
                r.p50_ms,
                r.p99_ms,
                r.ops_per_commit,
                r.cpu_us[0],
                r.cpu_us[1],
                r.cpu_us[2],
                r.errors
            );
            rates.push(r.ops_per_sec);
        }
        if let [c, g, p] = rates[..] {
            let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { f64::INFINITY };
            println!("{:>7}  group / per-op = {:.1}x, group / ceiling = {:.2}", "", ratio(g, p), ratio(g, c));
        }
    }
    Ok(())
}

/// What one run measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Design {
    /// The same clients and server against `GET /health/live`: what the load
    /// generator and the HTTP stack alone can do on this machine.
    Ceiling,
    GroupCommit,
    CommitPerOp,
}

impl Design {
    fn name(self) -> &'static str {
        match self {
            Design::Ceiling => "ceiling (no-op)",
            Design::GroupCommit => "group commit",
            Design::CommitPerOp => "commit per op",
        }
    }
}

struct RunResult {
    ops_per_sec: f64,
    p50_ms: f64,
    p99_ms: f64,
    ops_per_commit: f64,
    /// CPU per acknowledged op of the threads named in [`THREADS`].
    cpu_us: [f64; 3],
    errors: usize,
}

/// The one slot every lane picks from: its location and SKU, as `setup`
/// stocks it and the lanes scan it.
pub(super) const LOCATION: &str = "A-01";
pub(super) const SKU: &str = "SKU-BENCH";

/// One client's fixture: its token and the item it scans (at `url`).
pub(super) struct Lane {
    pub worker: i64,
    pub token: String,
    pub url: String,
    pub task: i64,
    pub item: i64,
}

/// Thread names: the server's runtime, its writer, the load generator.
const THREADS: [&str; 3] = ["tote-srv", "tote-writer", "tote-load"];

/// A runtime of `threads` workers named `name`. The server's has 2, as
/// `tote serve` has on 2 cores; the generator's has 1: its 64 lanes are
/// mostly waiting, and a second thread of its own only adds wake-ups and
/// context switches on the cores the server runs on.
fn runtime(name: &str, threads: usize) -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread().worker_threads(threads).thread_name(name).enable_all().build()?)
}

fn one_run(clients: usize, design: Design, durability: Durability, length: Duration) -> Result<RunResult> {
    let group = design != Design::CommitPerOp;
    let ceiling = design == Design::Ceiling;
    let (server_rt, load_rt) = (runtime(THREADS[0], 2)?, runtime(THREADS[2], 1)?);
    let dir = tempfile::tempdir()?;
    let store = Store::open_with(&dir.path().join("bench.db"), durability)?;
    let services = Services::new(Arc::new(store), Arc::new(SystemClock), ServiceConfig::default());
    let config = ServerConfig { group_commit: group, durability, ..ServerConfig::default() };
    let (base, lanes, stop, server) = server_rt.block_on(serve(&services, clients, config))?;
    let cpu_before = bench_load::cpu_by_thread(&THREADS);
    let started = Instant::now();
    let deadline = started + length;
    let tasks: Vec<_> = lanes
        .into_iter()
        .map(|lane| {
            let url = if ceiling { format!("{base}/health/live") } else { lane.url };
            load_rt.spawn(async move { bench_load::drive(&url, &lane.token, deadline, ceiling).await })
        })
        .collect();
    let mut latencies = Vec::new();
    let mut errors = 0;
    for t in tasks {
        match load_rt.block_on(t)? {
            Ok(d) => {
                latencies.extend(d.latencies);
                errors += d.errors;
            }
            Err(e) => {
                eprintln!("a lane stopped: {e:#}");
                errors += 1;
            }
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let cpu = bench_load::cpu_by_thread(&THREADS);
    let spent = |i: usize| cpu[i].saturating_sub(cpu_before[i]).as_secs_f64() * 1e6;
    let metrics = load_rt.block_on(async { reqwest::get(format!("{base}/metrics")).await?.text().await })?;
    let _ = stop.send(());
    server_rt.block_on(server)??;
    let ok = latencies.len();
    check_applied_once(&services, if ceiling { 0 } else { ok })?;
    latencies.sort_unstable();
    let pct = |p: f64| {
        latencies.get(((ok as f64 * p) as usize).min(ok.saturating_sub(1))).map_or(0.0, |d| d.as_secs_f64() * 1e3)
    };
    let per_op = |us: f64| us / (ok.max(1) as f64);
    let commits = metric(&metrics, "tote_commits_total").max(1.0);
    Ok(RunResult {
        ops_per_sec: ok as f64 / elapsed,
        p50_ms: pct(0.50),
        p99_ms: pct(0.99),
        ops_per_commit: metric(&metrics, "tote_committed_ops_total") / commits,
        cpu_us: [per_op(spent(0)), per_op(spent(1)), per_op(spent(2))],
        errors,
    })
}

/// A running server in this process.
pub(super) type Running = tokio::task::JoinHandle<std::io::Result<()>>;

/// Sets up `clients` lanes ([`setup`]) and serves `services` on a free
/// port; returns the base URL, the lanes, the stop switch and the server.
pub(super) async fn serve(
    services: &Services,
    clients: usize,
    config: ServerConfig,
) -> Result<(String, Vec<Lane>, tokio::sync::oneshot::Sender<()>, Running)> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let lanes = setup(services, clients, &base, 1)?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let shutdown = async {
        let _ = stopped.await;
    };
    let server = tokio::spawn(tote::server::run(listener, shutdown, services.clone(), config));
    Ok((base, lanes, stop, server))
}

/// A warehouse with plenty of stock, one picker per client with a session,
/// and one started picking task per picker.
pub(super) fn setup(svc: &Services, clients: usize, base: &str, lines: usize) -> Result<Vec<Lane>> {
    let now = svc.now();
    let workers = svc.store().write(|tx| {
        tx.ensure_warehouse("W1", "Bench", now)?;
        let mut out = Vec::new();
        for i in 0..clients {
            let id = tx.insert_worker(&format!("BENCH-{i}"), &format!("Picker {i}"), "picker", now)?;
            tx.bind_worker(id, "W1")?;
            let token = format!("bench-token-{i}");
            tx.insert_session(&secret_hash(&token), id, None, now, now + chrono::Duration::days(1))?;
            out.push((id.0, token));
        }
        Ok::<_, tote::storage::StorageError>(out)
    })?;
    // Intake caps a line at 100,000 units: enough for any run here.
    let per_client = 100_000u32;
    let exec = |op: String, c: Command| svc.execute(&op, &c).map_err(|e| anyhow::anyhow!("bench setup: {e}"));
    let place = |op: String, location: String, sku: String| {
        let c = Command::PlaceStock {
            warehouse: "W1".into(),
            location,
            sku,
            quantity: 10_000_000,
            received_at: None,
            lot: None,
            expiry: None,
        };
        exec(op, c)
    };
    place("setup-stock".into(), LOCATION.into(), SKU.into())?;
    // Each further line: one unit of another SKU on a shelf of its own.
    let others: Vec<String> = (1..lines.max(1)).map(|k| format!("{SKU}-{k}")).collect();
    for (k, sku) in others.iter().enumerate() {
        place(format!("setup-stock-{k}"), format!("B-{k:03}"), sku.clone())?;
    }
    let mut lanes = Vec::new();
    for (i, (worker, token)) in workers.into_iter().enumerate() {
        let mut order_lines = vec![LineDto { sku: SKU.into(), quantity: i64::from(per_client), warehouse: None }];
        order_lines.extend(others.iter().map(|sku| LineDto { sku: sku.clone(), quantity: 1, warehouse: None }));
        let order = OrderRequest {
            request_id: format!("bench-{i}"),
            external_ref: None,
            priority: "normal".into(),
            ship_to: AddressDto {
                contact_name: "Bench".into(),
                street: "1 Loop Road".into(),
                city: "Localhost".into(),
                postal_code: "00000".into(),
                country: "RS".into(),
                phone: String::new(),
            },
            lines: order_lines,
            short_policy: None,
        };
        let Outcome::Order { fulfillments, .. } = exec(format!("setup-order-{i}"), Command::SubmitOrder(order))? else {
            bail!("bench setup: intake gave no order");
        };
        let task = fulfillments.first().and_then(|f| f.picking_task_id).context("bench setup: no picking task")?;
        exec(format!("setup-assign-{i}"), Command::AssignPicking { task_id: task, worker_id: worker })?;
        exec(format!("setup-start-{i}"), Command::StartPicking { task_id: task, worker_id: worker })?;
        let view = svc.picking_task_view(task)?;
        let item = view.items.iter().find(|it| it.sku == SKU).map(|it| it.item_id).context("bench setup: no item")?;
        lanes.push(Lane {
            worker,
            token,
            url: format!("{base}/api/v1/picking-tasks/{task}/items/{item}/pick"),
            task,
            item,
        });
    }
    Ok(lanes)
}

/// Every acknowledged scan is in the database exactly once.
pub(super) fn check_applied_once(svc: &Services, acknowledged: usize) -> Result<()> {
    let filter = tote::storage::queues::TaskFilter { limit: 10_000, ..Default::default() };
    let picked: u64 = svc.picking_tasks(&filter)?.iter().flat_map(|t| &t.items).map(|i| u64::from(i.picked)).sum();
    if picked != acknowledged as u64 {
        bail!("{acknowledged} scans acknowledged but {picked} units picked in the database");
    }
    Ok(())
}

fn metric(text: &str, name: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(name).and_then(|rest| rest.strip_prefix(' ')))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0.0)
}
