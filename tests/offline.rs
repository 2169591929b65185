//! Offline floor terminals against a real server that goes away and comes
//! back: the picker model drives a `Device` (its own SQLite file) whose
//! calls reach `server::run` over HTTP while it runs.
//!
//! - a task picked offline drains to the same server state as the same
//!   work done online, every op applied once;
//! - a task cancelled on the server while the device was offline: the
//!   queued picks come back rejected and the picker shows why.
//!
//! `faults.rs` covers dropped and duplicated requests.

mod common;

use common::floor::{drive, enter, press};

use common::server::TestServer;
use common::{Fixture, order};
use std::sync::Arc;
use std::time::Duration;
use tote::app::SystemClock;
use tote::app::command::Command;
use tote::app::task_views::PickingTaskView;
use tote::keymap::KeyName;
use tote::server::ServerConfig;
use tote::storage::Store;
use tote::tui::client::Client;
use tote::tui::device::Device;
use tote::tui::input::Input;
use tote::tui::picker::{Picker, Step};
use tote::tui::{App, Cmd, Msg};

/// Orders for two tasks of SKU-A in W1: task 1 takes 5 at A-01 and 1 at
/// A-02; task 2 takes 2 at A-02.
fn warehouse() -> Fixture {
    let f = Fixture::new();
    f.ok(order("off-1", &[("SKU-A", 6, "W1")]));
    f.ok(order("off-2", &[("SKU-A", 2, "W1")]));
    f
}

fn device(dir: &tempfile::TempDir, base: &str) -> Device {
    let store = Arc::new(Store::open(&dir.path().join("device.db")).expect("device store"));
    let client = Client::new(base, "HH-1", Duration::from_secs(2)).expect("client");
    Device::new(store, client, Arc::new(SystemClock))
}

/// Picks both tasks with the picker model; `offline` stops the server after
/// the claim (the lookahead task is held by then) and restarts it at the end.
async fn pick_both(f: &Fixture, offline: bool) -> (Vec<PickingTaskView>, i64) {
    let first = TestServer::start(f).await;
    first.tokens(f).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let d = device(&dir, &first.base);
    let addr = first.base.trim_start_matches("http://").to_owned();
    let mut server = Some(first);
    let ops_before = f.count("applied_ops");
    let mut p = Picker::new(Input::default());
    enter(&mut p, &d, "B-100").await;
    enter(&mut p, &d, "4711").await;
    assert_eq!(p.view().big.as_deref(), Some("A-01"), "{:?}", p.view());
    if offline && let Some(s) = server.take() {
        s.stop().await;
    }
    for scan in ["A-01", "SKU-A", "5", "A-02", "SKU-A"] {
        assert!(enter(&mut p, &d, scan).await.is_empty(), "{scan}: {:?}", p.view());
    }
    assert_eq!(p.step(), &Step::AllDone, "{:?}", p.view());
    press(&mut p, &d, KeyName::F(1)).await;
    assert!(matches!(p.step(), Step::Finished { .. }), "{:?}", p.step());
    // The next task: claimed online, or the lookahead one offline.
    press(&mut p, &d, KeyName::F(1)).await;
    assert_eq!(p.view().big.as_deref(), Some("A-02"), "{:?}", p.view());
    for scan in ["A-02", "SKU-A", "2"] {
        enter(&mut p, &d, scan).await;
    }
    press(&mut p, &d, KeyName::F(1)).await;
    assert!(matches!(p.step(), Step::Finished { .. }), "{:?}", p.step());
    let status = d.status();
    if offline {
        assert!(!status.online, "{status:?}");
        assert_eq!(status.queued, 7, "start, pick, pick, complete (task 1), start, pick, complete (task 2)");
        p.update(Msg::Sync(status));
        assert!(p.view().status.starts_with("OFF q7"), "the status bar: {:?}", p.view().status);
        server = Some(TestServer::start_on(f, ServerConfig::default(), &addr).await);
    }
    // Drain: every op reaches the server, none is refused.
    let token = d.token();
    for _ in 0..50 {
        if d.status().queued == 0 {
            break;
        }
        match d.sync(token.as_deref()).await {
            Ok(r) => assert!(r.rejected.is_empty(), "{:?}", r.rejected),
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
    assert_eq!(d.status().queued, 0);
    // Retention on the device: answered ops stay for a week, then go.
    assert_eq!(d.forget_settled(chrono::Duration::days(7)).expect("trim"), 0, "recent answers are kept");
    let forgotten = d.forget_settled(chrono::Duration::seconds(-1)).expect("trim");
    assert!(forgotten >= 7, "every answered op is forgotten once old enough: {forgotten}");
    let tasks = (1..=2).map(|id| f.svc.picking_task_view(id).expect("task")).collect();
    let applied = f.count("applied_ops") - ops_before;
    if let Some(s) = server {
        s.stop().await;
    }
    (tasks, applied)
}

/// The parts of a task the work decides (not its times).
fn outcome(t: &PickingTaskView) -> (String, Vec<(String, u32, String)>) {
    (t.status.to_string(), t.items.iter().map(|i| (i.location.clone(), i.picked, i.status.to_string())).collect())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn work_done_offline_drains_to_the_online_result() {
    let online = warehouse();
    let (want, _) = pick_both(&online, false).await;
    let f = warehouse();
    let initial = f.stock().0 + f.stock().2;
    let (got, applied) = pick_both(&f, true).await;
    assert_eq!(got.iter().map(outcome).collect::<Vec<_>>(), want.iter().map(outcome).collect::<Vec<_>>());
    assert!(got.iter().all(|t| t.status.as_str() == "completed"));
    // The claim (online) and the 7 queued ops, each applied once.
    assert_eq!(applied, 8, "every op applied exactly once");
    assert_eq!(f.stock(), online.stock());
    f.assert_conserved(initial);
    assert_eq!(f.count("packing_tasks"), 2, "each completed task made one packing task");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_cancelled_while_offline_rejects_the_queued_picks_and_says_why() {
    let f = warehouse();
    let initial = f.stock().0 + f.stock().2;
    let server = TestServer::start(&f).await;
    server.tokens(&f).await;
    let addr = server.base.trim_start_matches("http://").to_owned();
    let dir = tempfile::tempdir().expect("tempdir");
    let d = device(&dir, &server.base);
    let mut p = Picker::new(Input::default());
    enter(&mut p, &d, "B-100").await;
    enter(&mut p, &d, "4711").await;
    server.stop().await;
    for scan in ["A-01", "SKU-A", "5"] {
        enter(&mut p, &d, scan).await;
    }
    assert_eq!(p.view().big.as_deref(), Some("A-02"), "the device moved on offline");
    // Meanwhile the supervisor cancels the task on the server.
    f.ok(Command::CancelPicking { task_id: 1, reason: "customer cancelled".into() });
    let server = TestServer::start_on(&f, ServerConfig::default(), &addr).await;
    let round = d.sync(d.token().as_deref()).await.expect("server back");
    // The start (queued before the server went away) and the pick.
    let kinds: Vec<(&str, &str)> = round.rejected.iter().map(|(op, why)| (op.kind(), why.code.as_str())).collect();
    assert_eq!(kinds, [("start_picking", "E003"), ("pick", "E003")], "{round:?}");
    assert_eq!(d.status().queued, 0, "a refused op is final, not retried");
    for (op, why) in round.rejected {
        let cmds = p.update(Msg::Rejected(op, why));
        assert_eq!(cmds[0], Cmd::Beep);
        drive(&mut p, &d, cmds).await;
    }
    assert_eq!(p.step(), &Step::Cancelled { reason: "customer cancelled".into() });
    let screen = format!("{:?}", p.view().lines);
    assert!(screen.contains("E003 not allowed x2"), "both refusals, said once: {screen}");
    // Nothing of the refused pick reached stock.
    assert_eq!(f.svc.picking_task_view(1).expect("task").items[0].picked, 0);
    f.assert_conserved(initial);
    server.stop().await;
}
