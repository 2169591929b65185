//! Exactly once under network faults: a proxy between the devices and the
//! server drops requests, drops answers after the server applied them, and
//! sends requests twice, at random (seeded). Four devices push many picks
//! each; at the end every op is applied exactly once and stock is conserved.

mod common;

use common::server::TestServer;
use common::{Fixture, order};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tote::app::SystemClock;
use tote::app::command::Command;
use tote::app::floor_op::FloorOp;
use tote::app::floor_op::PickScans;
use tote::storage::Store;
use tote::tui::client::Client;
use tote::tui::device::Device;
use tote::tui::{Call, Reply};

#[derive(Debug, Default)]
struct Stats {
    forwarded: AtomicU64,
    dropped_requests: AtomicU64,
    dropped_answers: AtomicU64,
    duplicated: AtomicU64,
}

/// Reads one HTTP/1.1 message (headers and a Content-Length body).
async fn read_message(s: &mut TcpStream) -> Option<Vec<u8>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let len = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:").map(|v| v.trim().parse::<usize>().unwrap_or(0)))
                .unwrap_or(0);
            while buf.len() < end + 4 + len {
                let n = s.read(&mut chunk).await.ok().filter(|n| *n > 0)?;
                buf.extend_from_slice(&chunk[..n]);
            }
            return Some(buf);
        }
        let n = s.read(&mut chunk).await.ok().filter(|n| *n > 0)?;
        buf.extend_from_slice(&chunk[..n]);
    }
}

async fn forward(backend: &str, request: &[u8]) -> Option<Vec<u8>> {
    let mut b = TcpStream::connect(backend).await.ok()?;
    b.write_all(request).await.ok()?;
    read_message(&mut b).await
}

/// A tiny deterministic generator (xorshift), one per connection.
fn next(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

/// Starts the proxy; returns its address.
async fn proxy(backend: String, stats: Arc<Stats>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
    let addr = listener.local_addr().expect("addr").to_string();
    tokio::spawn(async move {
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        while let Ok((mut client, _)) = listener.accept().await {
            seed = seed.wrapping_add(0x2545_F491_4F6C_DD1D);
            let (backend, stats, mut rng) = (backend.clone(), stats.clone(), seed);
            tokio::spawn(async move {
                while let Some(request) = read_message(&mut client).await {
                    match next(&mut rng) % 100 {
                        // Lost on the way: the server never sees it.
                        0..=14 => {
                            stats.dropped_requests.fetch_add(1, Ordering::Relaxed);
                            return;
                        }
                        // Applied, but the answer is lost.
                        15..=29 => {
                            let _ = forward(&backend, &request).await;
                            stats.dropped_answers.fetch_add(1, Ordering::Relaxed);
                            return;
                        }
                        // Sent twice (a retrying middlebox); the second answer goes back.
                        30..=44 => {
                            let _ = forward(&backend, &request).await;
                            stats.duplicated.fetch_add(1, Ordering::Relaxed);
                            let Some(answer) = forward(&backend, &request).await else { return };
                            if client.write_all(&answer).await.is_err() {
                                return;
                            }
                        }
                        _ => {
                            let Some(answer) = forward(&backend, &request).await else { return };
                            stats.forwarded.fetch_add(1, Ordering::Relaxed);
                            if client.write_all(&answer).await.is_err() {
                                return;
                            }
                        }
                    }
                }
            });
        }
    });
    addr
}

const DEVICES: usize = 4;
const PICKS: u32 = 60;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_op_is_applied_exactly_once_through_a_lossy_duplicating_network() {
    let f = Fixture::new();
    f.place("W1", "P-01", "SKU-P", DEVICES as u32 * PICKS, 3);
    let initial = f.stock().0 + f.stock().2;
    let server = TestServer::start(&f).await;
    server.tokens(&f).await;
    // One task per device, all held by the picker (B-100).
    for n in 0..DEVICES {
        f.ok(order(&format!("fault-{n}"), &[("SKU-P", i64::from(PICKS), "W1")]));
    }
    let tasks: Vec<(i64, i64)> = f
        .svc
        .picking_tasks(&tote::storage::queues::TaskFilter { limit: 100, ..Default::default() })
        .expect("tasks")
        .into_iter()
        .filter(|t| t.items.iter().any(|i| i.sku == "SKU-P"))
        .map(|t| (t.task_id, t.items[0].item_id))
        .collect();
    assert_eq!(tasks.len(), DEVICES);
    for (task, _) in &tasks {
        f.ok(Command::AssignPicking { task_id: *task, worker_id: f.picker });
        f.ok(Command::StartPicking { task_id: *task, worker_id: f.picker });
    }
    let ops_before = f.count("applied_ops");
    let stats = Arc::new(Stats::default());
    let via = format!("http://{}", proxy(server.base.trim_start_matches("http://").to_owned(), stats.clone()).await);

    let dir = tempfile::tempdir().expect("tempdir");
    let mut runs = Vec::new();
    for (n, (task, item)) in tasks.iter().copied().enumerate() {
        let store = Arc::new(Store::open(&dir.path().join(format!("device-{n}.db"))).expect("device store"));
        let client = Client::new(&via, &format!("HH-{n}"), Duration::from_secs(2)).expect("client");
        // Small batches: many requests, so many faults.
        let d = Device::new(store, client, Arc::new(SystemClock)).with_batch(4);
        runs.push(tokio::spawn(async move {
            // Log in through the faulty network (a lost login is just retried).
            let token = loop {
                let login = Call::Login { badge: "B-100".into(), pin: "4711".into() };
                if let Reply::Session(Ok(s)) = d.call(&login, None).await {
                    break s.token;
                }
            };
            for _ in 0..PICKS {
                let op = FloorOp::Pick { task_id: task, item_id: item, scan: PickScans::new("P-01", "SKU-P", 1) };
                d.queue(op).expect("queued");
            }
            d.queue(FloorOp::CompletePicking { task_id: task }).expect("queued");
            let mut rounds = 0;
            while d.status().queued > 0 {
                rounds += 1;
                assert!(rounds < 2_000, "the queue does not drain");
                match d.sync(Some(&token)).await {
                    Ok(r) => assert!(r.rejected.is_empty(), "{:?}", r.rejected),
                    Err(_) => tokio::time::sleep(Duration::from_millis(5)).await,
                }
            }
            rounds
        }));
    }
    for r in runs {
        r.await.expect("device run");
    }
    let total_ops = DEVICES as i64 * (i64::from(PICKS) + 1);
    assert_eq!(f.count("applied_ops") - ops_before, total_ops, "one applied op per queued op");
    for (task, _) in &tasks {
        let t = f.svc.picking_task_view(*task).expect("task");
        assert_eq!((t.status.as_str(), t.items[0].picked), ("completed", PICKS), "task {task}");
    }
    f.assert_conserved(initial);
    let s = &stats;
    let (drops, lost, dups) = (
        s.dropped_requests.load(Ordering::Relaxed),
        s.dropped_answers.load(Ordering::Relaxed),
        s.duplicated.load(Ordering::Relaxed),
    );
    eprintln!("{total_ops} ops; faults: {drops} requests dropped, {lost} answers lost, {dups} duplicated");
    assert!(
        drops > 0 && lost > 0 && dups > 0,
        "the faults happened: {drops} dropped, {lost} answers lost, {dups} duplicated"
    );
    server.stop().await;
}
