//! A supervisor gives a task in progress to another picker (issue 16: the
//! usual case is a picker who left mid-task). Through the real path: two
//! picker models, each on its own `Device`, against `server::run` over
//! HTTP; the reassign goes through the API. The first picker's screen
//! says the task was given away; the second claims it, goes on from the
//! item after the one already picked, and completes it; the units picked
//! by the first stay with the task.

mod common;

use common::floor::{enter, press};
use common::server::{PIN, TestServer};
use common::{Fixture, accepted, order};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use tote::app::SystemClock;
use tote::keymap::KeyName;
use tote::storage::Store;
use tote::tui::client::Client;
use tote::tui::device::Device;
use tote::tui::input::Input;
use tote::tui::picker::{Picker, Step};
use tote::tui::{App, Msg};

fn device(dir: &tempfile::TempDir, base: &str, id: &str) -> Device {
    let store = Arc::new(Store::open(&dir.path().join(format!("{id}.db"))).expect("device store"));
    let client = Client::new(base, id, Duration::from_secs(5)).expect("client");
    Device::new(store, client, Arc::new(SystemClock))
}

async fn logged_in(d: &Device, badge: &str) -> Picker {
    let mut p = Picker::new(Input::default());
    enter(&mut p, d, badge).await;
    enter(&mut p, d, PIN).await;
    p
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_in_progress_goes_to_another_picker_who_goes_on_from_where_it_stopped() {
    let f = Fixture::new();
    f.place("W1", "A-05", "SKU-B", 5, 3);
    let (_, tasks) = accepted(&f.ok(order("re-1", &[("SKU-A", 1, "W1"), ("SKU-B", 1, "W1")])));
    let task = tasks[0].1;
    let s = TestServer::start(&f).await;
    let t = s.tokens(&f).await;
    let hash = tote::server::auth::hash_pin(PIN).expect("hash");
    let second = f
        .svc
        .store()
        .write(|tx| {
            let w = tx.insert_worker("B-101", "Pero Picker", "picker", f.svc.now())?;
            tx.set_worker_pin(w, &hash)?;
            tx.bind_worker(w, "W1")?;
            Ok::<_, tote::storage::StorageError>(w.0)
        })
        .expect("second picker");
    let dir = tempfile::tempdir().expect("tempdir");
    let (d1, d2) = (device(&dir, &s.base, "HH-1"), device(&dir, &s.base, "HH-2"));

    // The first picker picks the first item, then leaves the task.
    let mut p1 = logged_in(&d1, "B-100").await;
    assert_eq!(p1.step(), &Step::Location, "{:?}", p1.view());
    let location = p1.view().big.clone().unwrap_or_default();
    let sku = if location.starts_with("A-05") { "SKU-B" } else { "SKU-A" };
    enter(&mut p1, &d1, &location).await;
    enter(&mut p1, &d1, sku).await;
    d1.sync(p1.token()).await.expect("synced");
    let first = f.svc.picking_task_view(task).expect("task");
    assert_eq!((first.status.as_str(), first.done_items), ("in_progress", 1), "{first:?}");

    // The supervisor gives it to the second picker.
    let (st, body) = s
        .post(
            &format!("/api/v1/picking-tasks/{task}/assign"),
            &t.supervisor,
            json!({"op_id": "re-a", "badge": "B-101"}),
        )
        .await;
    assert!(st.is_success(), "an in-progress task can be reassigned, by badge: {body}");
    assert_eq!(f.svc.picking_task_view(task).expect("task").worker_id, Some(second));
    let unknown = json!({"op_id": "re-b", "badge": "B-999"});
    let (st, body) = s.post(&format!("/api/v1/picking-tasks/{task}/assign"), &t.supervisor, unknown).await;
    assert_eq!((st.as_u16(), body["code"].as_str()), (404, Some("E002")), "an unknown badge: {body}");
    let cmds = p1.update(Msg::Tick);
    common::floor::drive(&mut p1, &d1, cmds).await;
    assert_eq!(p1.step(), &Step::Reassigned, "{:?}", p1.view());
    let moved = p1.view().lines.join("\n");
    assert!(
        moved.contains("Hand over the tote") && !moved.contains("Put back"),
        "picked units stay with the task: {moved}"
    );

    // The second picker gets it and goes on from the item left open.
    let mut p2 = logged_in(&d2, "B-101").await;
    assert_eq!(p2.step(), &Step::Location, "{:?}", p2.view());
    assert!(p2.view().title.contains(&format!("#{task}")) && p2.view().title.contains("2/2"), "{:?}", p2.view());
    let location = p2.view().big.clone().unwrap_or_default();
    let sku = if location.starts_with("A-05") { "SKU-B" } else { "SKU-A" };
    enter(&mut p2, &d2, &location).await;
    enter(&mut p2, &d2, sku).await;
    assert_eq!(p2.step(), &Step::AllDone, "{:?}", p2.view());
    press(&mut p2, &d2, KeyName::F(1)).await;
    d2.sync(p2.token()).await.expect("synced");
    let done = f.svc.picking_task_view(task).expect("task");
    assert_eq!(done.status.as_str(), "completed", "{done:?}");
    assert!(done.items.iter().all(|i| i.picked == i.required), "both units picked, one by each: {done:?}");
    s.stop().await;
}
