//! 0 keys between tasks (issue 16, `[floor] auto_next = true`): the picker
//! model on a real `Device` against `tote serve` as a child process. The
//! last scan of a task completes it and claims the next, which is on
//! screen with where the tote goes; the server has the first task
//! completed. Without the setting, F1 completes and F1 asks again.

mod common;

use common::floor::{enter, press};
use common::process::{KillOnDrop, serve};
use common::server::PIN;
use common::{Fixture, accepted, order};
use std::sync::Arc;
use tote::app::SystemClock;
use tote::keymap::KeyName;
use tote::tui::App;
use tote::tui::client::Client;
use tote::tui::device::Device;
use tote::tui::input::Input;
use tote::tui::picker::{Picker, Step};

/// Scans the task on screen: its location, then its one unit.
async fn scan_the_task(p: &mut Picker, d: &Device) {
    let location = p.view().big.clone().unwrap_or_default();
    enter(p, d, &location).await;
    enter(p, d, "SKU-A").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_last_scan_completes_the_task_and_the_next_is_on_screen() {
    let f = Fixture::new();
    common::server::give_pins(&f);
    let orders: Vec<i64> =
        (1..=3).map(|n| accepted(&f.ok(order(&format!("auto-{n}"), &[("SKU-A", 1, "W1")]))).0).collect();
    let (child, base, _log) = serve(&f.dir.path().join("tote.db"));
    let _server = KillOnDrop(child);
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Arc::new(tote::storage::Store::open(&dir.path().join("device.db")).expect("device store"));
    let client = Client::new(&base, "HH-AUTO", tote::tui::term::REQUEST_TIMEOUT).expect("client");
    let device = Device::new(store, client, Arc::new(SystemClock));

    let mut p = Picker::new(Input::default()).with_auto_next(true);
    enter(&mut p, &device, "B-100").await;
    enter(&mut p, &device, PIN).await;
    assert_eq!(p.step(), &Step::Location, "{:?}", p.view());
    let first = p.view().title.clone();
    scan_the_task(&mut p, &device).await;
    // No key: the next task is on screen, with where the tote goes.
    assert_eq!(p.step(), &Step::Location, "the next task: {:?}", p.view());
    let v = p.view();
    assert_ne!(v.title, first, "another task");
    let done = first.rsplit('#').next().unwrap_or_default().to_owned();
    assert!(v.flash.as_ref().is_some_and(|f| f.text.starts_with(&format!("#{done} tote: pack"))), "{v:?}");

    // The default: the picker confirms the finished task, then asks again.
    let mut q = Picker::new(Input::default());
    enter(&mut q, &device, "B-100").await;
    enter(&mut q, &device, PIN).await;
    scan_the_task(&mut q, &device).await;
    assert_eq!(q.step(), &Step::AllDone, "{:?}", q.view());
    press(&mut q, &device, KeyName::F(1)).await;
    assert!(matches!(q.step(), Step::Finished { .. }), "{:?}", q.view());

    let token = p.token().map(str::to_owned);
    device.sync(token.as_deref()).await.expect("synced");
    let completed = orders
        .iter()
        .filter(|o| {
            let view = f.svc.order_view(**o).expect("order");
            view.fulfillments[0].picking.iter().any(|t| t.status == "completed")
        })
        .count();
    assert!(completed >= 2, "both finished tasks completed on the server ({completed})");
}
