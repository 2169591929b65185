//! The dock and put-back handhelds (issue 15) on the path a floor takes:
//! the `tui::dock` model on a real `Device`, `tote serve` as a child process
//! whose engine ships with the local carrier.
//!
//! - A parcel scanned at the dock ships its order; scanning it again says
//!   it is already loaded; the parcel of an order cancelled at the dock
//!   beeps and says to take it off the truck.
//! - Put-back: the picked units of a cancelled order are listed with their
//!   shelf; a wrong shelf beeps and says which are expected; the right one
//!   puts them back on sale and the screen says there is nothing left.

mod common;

use common::floor::{enter, press};
use common::flow::{pack, pick_all};
use common::process::{KillOnDrop, serve};
use common::server::PIN;
use common::{Fixture, accepted, order};
use std::sync::Arc;
use std::time::Duration;
use tote::app::floor_op::PickScans;
use tote::app::{Command, SystemClock};
use tote::domain::ids::FulfillmentId;
use tote::keymap::KeyName;
use tote::tui::client::Client;
use tote::tui::device::Device;
use tote::tui::dock::{Dock, Job, Step};
use tote::tui::input::Input;
use tote::tui::{App, Cmd};

fn handheld(base: &str, name: &str) -> (Device, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Arc::new(tote::storage::Store::open(&dir.path().join("device.db")).expect("device store"));
    let client = Client::new(base, name, Duration::from_secs(5)).expect("client");
    (Device::new(store, client, Arc::new(SystemClock)), dir)
}

/// The tracking number of fulfillment `fid`'s parcel once the server's
/// engine has created, labelled and confirmed its shipment.
async fn at_the_dock(f: &Fixture, fid: i64) -> String {
    for _ in 0..200 {
        let found = f.svc.store().read(|tx| tx.shipment(fid)).expect("read");
        if let Some(s) = found.filter(|s| s.status == "confirmed") {
            let tracking: Vec<String> = serde_json::from_str(&s.tracking).expect("tracking");
            return tracking[0].clone();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("fulfillment {fid} never reached the dock");
}

/// A one-unit order picked and packed; its fulfillment id.
fn packed(f: &Fixture, request: &str) -> i64 {
    let (order_id, tasks) = accepted(&f.ok(order(request, &[("SKU-A", 1, "W1")])));
    pack(f, pick_all(f, tasks[0].1));
    f.svc.order_view(order_id).expect("order").fulfillments[0].fulfillment_id
}

async fn logged_in(d: &mut Dock, device: &Device, badge: &str) {
    enter(d, device, badge).await;
    enter(d, device, PIN).await;
    assert_eq!(d.step(), &Step::Scan, "{badge} logged in: {:?}", d.view());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_parcel_scanned_at_the_dock_ships_and_a_cancelled_one_must_come_off() {
    let f = Fixture::new();
    common::server::give_pins(&f);
    let (kept, cancelled) = (packed(&f, "dock-1"), packed(&f, "dock-2"));
    let (child, base, _log) = serve(&f.dir.path().join("tote.db"));
    let _server = KillOnDrop(child);
    let (tracking, doomed) = (at_the_dock(&f, kept).await, at_the_dock(&f, cancelled).await);
    let (device, _dir) = handheld(&base, "DOCK-1");
    let mut d = Dock::new(Job::Dock, Input::default());
    logged_in(&mut d, &device, "B-200").await;

    assert!(enter(&mut d, &device, &tracking).await.is_empty(), "no beep: {:?}", d.view());
    let v = d.view();
    assert_eq!((v.big.as_deref(), v.lines.first()), (Some("Loaded 1"), Some(&tracking)), "{v:?}");
    let fulfillment = |id| f.svc.store().read(|tx| tx.fulfillment(FulfillmentId(id))).expect("read").expect("row");
    assert_eq!(fulfillment(kept).status.as_str(), "completed", "shipped means it left");
    enter(&mut d, &device, &tracking).await;
    assert_eq!(d.view().flash.map(|f| f.text).as_deref(), Some("already loaded"));

    let order_id = fulfillment(cancelled).order_id.0;
    f.ok(Command::CancelOrder { order_id, reason: "customer called".into() });
    assert_eq!(enter(&mut d, &device, &doomed).await, [Cmd::Beep]);
    let v = d.view();
    assert_eq!(v.lines.first().map(String::as_str), Some("TAKE IT OFF:"), "{v:?}");
    assert_eq!(v.big.as_deref(), Some("Loaded 1"), "the refused parcel is not counted");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_pick_is_put_back_shelf_by_shelf() {
    let f = Fixture::new();
    common::server::give_pins(&f);
    let (order_id, tasks) = accepted(&f.ok(order("back-1", &[("SKU-A", 2, "W1")])));
    let task = tasks[0].1;
    f.ok(Command::AssignPicking { task_id: task, worker_id: f.picker });
    f.ok(Command::StartPicking { task_id: task, worker_id: f.picker });
    let item = f.svc.picking_task_view(task).expect("task").items[0].item_id;
    f.ok(Command::PickItem {
        task_id: task,
        item_id: item,
        worker_id: Some(f.picker),
        scan: PickScans::new("A-01", "SKU-A", 2),
    });
    f.ok(Command::CancelOrder { order_id, reason: "customer called".into() });
    let on_shelf = |f: &Fixture| {
        let slots = f.svc.picking_locations("W1", "SKU-A").expect("locations");
        slots.iter().filter(|s| s.location == "A-01").map(|s| s.available).sum::<u32>()
    };
    assert_eq!((on_shelf(&f), f.awaiting_put_back()), (3, 2), "the 2 picked wait in the tote");
    let (child, base, _log) = serve(&f.dir.path().join("tote.db"));
    let _server = KillOnDrop(child);
    let (device, _dir) = handheld(&base, "HH-2");
    let mut d = Dock::new(Job::PutBack, Input::default());
    logged_in(&mut d, &device, "B-100").await;
    let v = d.view();
    assert_eq!(v.big.as_deref(), Some("A-01"), "{v:?}");
    assert!(v.lines.iter().any(|l| l == "SKU-A x2 > A-01"), "{v:?}");

    assert_eq!(enter(&mut d, &device, "A-02").await, [Cmd::Beep]);
    let v = d.view();
    assert!(v.flash.as_ref().is_some_and(|f| f.error && f.text.starts_with("E101")), "{v:?}");
    assert_eq!(v.lines.len(), 3, "the task, its line, and why the shelf was refused: {v:?}");
    assert_eq!(f.awaiting_put_back(), 2, "nothing moved");

    assert!(enter(&mut d, &device, "A-01").await.is_empty());
    let v = d.view();
    assert_eq!(v.flash.map(|f| f.text).as_deref(), Some("2 put back, 0 left"));
    assert_eq!(v.lines, ["Nothing to put back"]);
    assert_eq!((on_shelf(&f), f.awaiting_put_back()), (5, 0), "back on sale");
    press(&mut d, &device, KeyName::F(1)).await;
    assert_eq!(d.view().lines, ["Nothing to put back"], "F1 looks again");
}
