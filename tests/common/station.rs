//! A floor terminal as the tests run it: the picker or packer model on a
//! real `Device` (its own SQLite queue) against a `tote serve`, and for a
//! packing station its print spooler writing to a file printer, the way
//! `tote pick` and `tote pack --printer` run them (`tui::term`).

use super::floor::{drive, enter, press};
use super::server::PIN;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tote::app::SystemClock;
use tote::keymap::KeyName;
use tote::printing::PrinterUri;
use tote::printing::spooler::Spooler;
use tote::tui::client::Client;
use tote::tui::device::Device;
use tote::tui::packer::{self, Packer};
use tote::tui::picker::{self, Picker};
use tote::tui::{App, Cmd};

/// A terminal: its device file, and (for a packing station) its printer.
pub struct Station {
    pub device: Device,
    printer: Option<(PrinterUri, Spooler)>,
    _dir: tempfile::TempDir,
}

impl Station {
    pub fn new(base: &str, name: &str, printer: Option<PrinterUri>) -> Station {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Arc::new(tote::storage::Store::open(&dir.path().join("device.db")).expect("device store"));
        let client = Client::new(base, name, Duration::from_secs(5)).expect("client");
        let printer = printer.map(|uri| {
            let mut s = Spooler::new(store.clone(), Arc::new(SystemClock));
            s.timeout = Duration::from_millis(500);
            (uri, s)
        });
        Station { device: Device::new(store, client, Arc::new(SystemClock)), printer, _dir: dir }
    }

    /// Runs the model's print commands on this station's spooler, hands
    /// each job's state back to the model and runs the calls that follow
    /// (a printed label is reported through the device queue).
    pub async fn print<A: App>(&self, app: &mut A, cmds: Vec<Cmd>) -> Vec<Cmd> {
        let mut rest = vec![];
        for cmd in cmds {
            match tote::tui::term::spool(self.printer.as_ref(), cmd.clone()) {
                Some(done) => {
                    let then = app.update(done);
                    rest.extend(drive(app, &self.device, then).await);
                }
                None => rest.push(cmd),
            }
        }
        rest
    }

    /// Sends the device's queue (the sync worker's job in `tote pack`).
    pub async fn sync<A: App>(&self, app: &A) {
        let token = app.token().map(str::to_owned);
        self.device.sync(token.as_deref()).await.expect("station's queue sent");
        assert_eq!(self.device.status().queued, 0);
    }
}

pub fn files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> =
        std::fs::read_dir(dir).map(|d| d.flatten().map(|e| e.path()).collect()).unwrap_or_default();
    v.sort();
    v
}

/// The picker on its own handheld picks the next order (one unit of
/// SKU-A) and completes it; its queue reaches the server.
pub async fn pick_one(h: &Station, p: &mut Picker) {
    pick_one_of(h, p, "SKU-A").await;
}

/// [`pick_one`] of one unit of `sku`.
pub async fn pick_one_of(h: &Station, p: &mut Picker, sku: &str) {
    if matches!(p.step(), picker::Step::Finished { .. }) {
        press(p, &h.device, KeyName::F(1)).await;
    }
    let view = p.view();
    let location = view.big.clone().unwrap_or_default();
    enter(p, &h.device, &location).await;
    enter(p, &h.device, sku).await;
    assert_eq!(p.step(), &picker::Step::AllDone, "{:?}", p.view());
    press(p, &h.device, KeyName::F(1)).await;
    assert!(matches!(p.step(), picker::Step::Finished { .. }), "{:?}", p.view());
    let token = p.token().map(str::to_owned);
    h.device.sync(token.as_deref()).await.expect("picker's queue sent");
    assert_eq!(h.device.status().queued, 0);
}

/// The packer scans the order, verifies the unit (SKU-A), enters one box
/// and presses F1; returns what the station printed.
pub async fn pack(s: &Station, k: &mut Packer, order: i64) -> Vec<Cmd> {
    pack_of(s, k, order, "SKU-A").await
}

/// [`pack`] of an order of one unit of `sku`.
pub async fn pack_of(s: &Station, k: &mut Packer, order: i64, sku: &str) -> Vec<Cmd> {
    enter(k, &s.device, &format!("ORD-{order}")).await;
    assert_eq!(k.step(), &packer::Step::Verify, "{:?}", k.view());
    enter(k, &s.device, sku).await;
    enter(k, &s.device, "1").await;
    for v in ["400", "200", "150", "100"] {
        enter(k, &s.device, v).await;
    }
    assert_eq!(k.step(), &packer::Step::BoxSaved, "{:?}", k.view());
    let cmds = press(k, &s.device, KeyName::F(1)).await;
    s.print(k, cmds).await
}

/// When the server says the packing task's label printed.
pub fn label_printed(db: &Path, task: i64) -> bool {
    let store = tote::storage::Store::open(db).expect("server db");
    store.read(|tx| tx.label_printed_at(tote::domain::ids::PackingTaskId(task))).expect("read").is_some()
}

pub async fn logged_in<A: App>(app: &mut A, s: &Station, badge: &str) {
    enter(app, &s.device, badge).await;
    let cmds = enter(app, &s.device, PIN).await;
    drive(app, &s.device, cmds).await;
    assert!(app.token().is_some(), "{badge} logged in");
}
