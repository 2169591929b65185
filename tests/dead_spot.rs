//! A Wi-Fi dead spot as the floor meets it (issue 16): the server stops
//! answering (SIGSTOP: connections open, packets unanswered, nothing
//! refused). The picker model on a real `Device` against `tote serve` as a
//! child process finishes its task, and the next one (held as lookahead)
//! is on screen within a second (a claim with a task held ahead waits
//! 0.9 s at most), not after three 10-second timeouts; the
//! device knows it is offline, and what was queued applies once the server
//! answers again.
//!
//! The bounds are generous for a loaded CI machine; the closing note
//! reports what was measured.

mod common;

use common::floor::{enter, press};
use common::process::{KillOnDrop, serve, signal};
use common::server::PIN;
use common::{Fixture, accepted, order};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tote::app::SystemClock;
use tote::keymap::KeyName;
use tote::tui::App;
use tote::tui::client::Client;
use tote::tui::device::Device;
use tote::tui::input::Input;
use tote::tui::picker::{Picker, Step};

/// Scans the task's location and its one unit, and completes it.
async fn pick_the_task(p: &mut Picker, d: &Device) {
    let location = p.view().big.clone().unwrap_or_default();
    enter(p, d, &location).await;
    enter(p, d, "SKU-A").await;
    assert_eq!(p.step(), &Step::AllDone, "{:?}", p.view());
    press(p, d, KeyName::F(1)).await;
    assert!(matches!(p.step(), Step::Finished { .. }), "{:?}", p.view());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_a_dead_spot_the_next_task_comes_from_the_lookahead_within_seconds() {
    let f = Fixture::new();
    common::server::give_pins(&f);
    let orders: Vec<i64> =
        (1..=2).map(|n| accepted(&f.ok(order(&format!("dead-{n}"), &[("SKU-A", 1, "W1")]))).0).collect();
    let (child, base, _log) = serve(&f.dir.path().join("tote.db"));
    let server = KillOnDrop(child);
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Arc::new(tote::storage::Store::open(&dir.path().join("device.db")).expect("device store"));
    let client = Client::new(&base, "HH-DEAD", tote::tui::term::REQUEST_TIMEOUT).expect("client");
    let device = Device::new(store, client, Arc::new(SystemClock));
    let mut p = Picker::new(Input::default());
    enter(&mut p, &device, "B-100").await;
    enter(&mut p, &device, PIN).await;
    assert_eq!(p.step(), &Step::Location, "claimed with a lookahead: {:?}", p.view());
    pick_the_task(&mut p, &device).await;

    // The server stops answering; the picker asks for the next task.
    signal(&server.0, "-STOP");
    let asked = Instant::now();
    press(&mut p, &device, KeyName::F(1)).await;
    let took = asked.elapsed();
    assert_eq!(p.step(), &Step::Location, "the task held ahead: {:?}", p.view());
    assert!(!device.status().online, "the device knows it is offline");
    eprintln!("dead spot: next task after {took:?}");
    assert!(took < Duration::from_secs(4), "next task after {took:?} (31 s, then 2.5 s before; the target is 1 s)");
    // Known offline: the next task's work and its completion wait on nothing.
    let asked = Instant::now();
    pick_the_task(&mut p, &device).await;
    assert!(asked.elapsed() < Duration::from_secs(2), "picking offline took {:?}", asked.elapsed());
    let queued = device.status().queued;
    assert!(queued >= 4, "both tasks' starts, picks and completions wait in the queue: {queued}");

    // The server answers again: the queue applies, once.
    signal(&server.0, "-CONT");
    let token = p.token().map(str::to_owned);
    let mut left = u32::MAX;
    for _ in 0..20 {
        if device.sync(token.as_deref()).await.is_ok() {
            left = device.status().queued;
            if left == 0 {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(left, 0, "the queue drained");
    assert!(device.status().online);
    // (The fixture's orders are older than the server's clock: its engine
    // re-queued their first picking tasks, and the picker got the new ones.)
    for o in orders {
        let view = f.svc.order_view(o).expect("order");
        let picked = view.fulfillments[0].picking.iter().any(|t| t.status == "completed");
        assert!(picked, "order {o} picked on the server: {view:?}");
    }
}
