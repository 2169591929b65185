//! Scans are evidence: the handheld sends what was scanned, the server
//! checks it with the same domain rule the handheld ran and stores it with
//! the pick. Through the real path: the picker model drives a `Device`
//! (its own SQLite queue) whose ops reach `server::run` over HTTP.
//!
//! - a GS1 DataMatrix on the product (GTIN of the barcode, plus a lot) is a
//!   good item scan on the handheld and on the server, and its text and
//!   elements are what the server stores with the pick;
//! - a pick queued with a scan that does not match (an older or foreign
//!   device, or a forged request) is refused by the server with the code
//!   the handheld would show, and moves no stock.

mod common;

use common::floor::enter;
use tote::app::floor_op::PickScans;

use common::server::TestServer;
use common::{Fixture, order};
use std::sync::Arc;
use std::time::Duration;
use tote::app::SystemClock;
use tote::app::command::Command;
use tote::app::floor_op::{FloorOp, Scanned};
use tote::domain::ids::PickingTaskId;
use tote::gs1::{Element, GS};
use tote::storage::Store;
use tote::tui::App;
use tote::tui::client::Client;
use tote::tui::device::Device;
use tote::tui::input::Input;
use tote::tui::picker::{Picker, Step};

const BARCODE: &str = "4006381333931";

fn device(dir: &tempfile::TempDir, base: &str) -> Device {
    let store = Arc::new(Store::open(&dir.path().join("device.db")).expect("device store"));
    let client = Client::new(base, "HH-1", Duration::from_secs(5)).expect("client");
    Device::new(store, client, Arc::new(SystemClock))
}

fn scans(f: &Fixture, task: i64) -> Vec<tote::storage::picking::PickScanRow> {
    f.svc.store().read(|tx| tx.pick_scans(PickingTaskId(task))).expect("pick scans")
}

/// A mug with a barcode, an order of `units` of it, a running server, and
/// the picker model logged in on a device, standing at the first location.
async fn at_the_shelf(units: i64) -> (Fixture, TestServer, tempfile::TempDir, Device, Picker) {
    let f = Fixture::new();
    f.ok(Command::DefineProduct {
        sku: "SKU-A".into(),
        name: "Mug".into(),
        barcode: Some(BARCODE.into()),
        listing_id: None,
    });
    f.ok(order("ev-1", &[("SKU-A", units, "W1")]));
    let server = TestServer::start(&f).await;
    server.tokens(&f).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let d = device(&dir, &server.base);
    let mut p = Picker::new(Input::default());
    enter(&mut p, &d, "B-100").await;
    enter(&mut p, &d, "4711").await;
    assert_eq!(p.view().big.as_deref(), Some("A-01"), "{:?}", p.view());
    (f, server, dir, d, p)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gs1_scan_is_checked_by_the_server_and_stored_with_the_pick() {
    let (f, server, _dir, d, mut p) = at_the_shelf(1).await;
    assert!(enter(&mut p, &d, "a-01").await.is_empty(), "{:?}", p.view());
    // A GS1 DataMatrix (AIM id ]d2): GTIN-14 of the EAN-13 barcode, then a lot.
    let datamatrix = format!("]d201040063813339311726120010LOT-7{GS}21SN9");
    assert!(enter(&mut p, &d, &datamatrix).await.is_empty(), "{:?}", p.view());
    assert_eq!(p.step(), &Step::AllDone, "{:?}", p.view());
    let token = p.token().map(str::to_owned);
    d.sync(token.as_deref()).await.expect("synced");
    assert!(d.take_refusals().is_empty());
    assert_eq!(d.status().queued, 0, "start and pick reached the server");

    let rows = scans(&f, 1);
    assert_eq!(rows.len(), 1, "{rows:?}");
    let row = &rows[0];
    assert_eq!(row.location, "a-01", "the location as scanned, not the expected code");
    assert_eq!(row.item_scan, format!("01040063813339311726120010LOT-7{GS}21SN9"));
    assert!(row.item_gs1.contains(&Element::Gtin("04006381333931".into())), "{row:?}");
    assert!(row.item_gs1.contains(&Element::Lot("LOT-7".into())), "{row:?}");
    assert_eq!(
        (row.worker, row.quantity.0, row.tote.as_deref()),
        (Some(tote::domain::ids::WorkerId(f.picker)), 1, None)
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_queued_pick_whose_scan_does_not_match_is_refused_by_the_server() {
    let (f, server, _dir, d, p) = at_the_shelf(3).await;
    let stock = f.stock();
    let pick = |location: &str, item: Scanned| FloorOp::Pick {
        task_id: 1,
        item_id: 1,
        scan: PickScans::new(location, item, 1),
    };
    // Another product's GTIN; the right location scanned at the wrong slot;
    // GS1 elements that the text does not carry.
    let other = Scanned { text: "0104000000000006".into(), gs1: vec![Element::Gtin("04000000000006".into())] };
    let forged = Scanned { text: "SKU-Z".into(), gs1: vec![Element::Gtin(format!("0{BARCODE}"))] };
    for op in [pick("A-01", other), pick("A-02", "SKU-A".into()), pick("A-01", forged)] {
        d.queue(op).expect("queued");
    }
    let token = p.token().map(str::to_owned);
    d.sync(token.as_deref()).await.expect("synced");
    let refused: Vec<String> = d.take_refusals().into_iter().map(|(_, f)| f.short).collect();
    assert_eq!(refused, ["E102 wrong item", "E101 wrong loc", "E001 bad input"]);
    assert_eq!(f.stock(), stock, "no stock moved");
    assert!(scans(&f, 1).is_empty(), "a refused pick leaves no evidence row");
    server.stop().await;
}
