//! Every packed box gets its label, through the path a packing station
//! takes: the packer model on a `Device` (its own SQLite queue), `tote
//! serve` as a child process with its real configuration, and the station's
//! print spooler writing to a file printer, the way `tote pack --printer`
//! runs them (`tui::term::spool`).
//!
//! - F1 on a packed box writes exactly one label file, for box after box
//!   (the label is asked for only once the queued completion reached the
//!   server: before, it raced the queue and failed on every box);
//! - a station whose printer is not ready shows the failure; scanning the
//!   order at another station prints the label there, once, as a reprint,
//!   and so does scanning the box's tracking number at a third.

mod common;

use common::floor::{drive, enter, press};
use common::process::{self, KillOnDrop};
use common::server::PIN;
use common::{Fixture, order};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tote::app::SystemClock;
use tote::keymap::KeyName;
use tote::printing::PrinterUri;
use tote::printing::spooler::Spooler;
use tote::tui::client::Client;
use tote::tui::device::Device;
use tote::tui::input::Input;
use tote::tui::packer::{self, Packer};
use tote::tui::picker::{self, Picker};
use tote::tui::{App, Cmd};

/// A terminal: its device file, and (for a packing station) its printer.
struct Station {
    device: Device,
    printer: Option<(PrinterUri, Spooler)>,
    _dir: tempfile::TempDir,
}

impl Station {
    fn new(base: &str, name: &str, printer: Option<PrinterUri>) -> Station {
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
    async fn print<A: App>(&self, app: &mut A, cmds: Vec<Cmd>) -> Vec<Cmd> {
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
    async fn sync<A: App>(&self, app: &A) {
        let token = app.token().map(str::to_owned);
        self.device.sync(token.as_deref()).await.expect("station's queue sent");
        assert_eq!(self.device.status().queued, 0);
    }
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> =
        std::fs::read_dir(dir).map(|d| d.flatten().map(|e| e.path()).collect()).unwrap_or_default();
    v.sort();
    v
}

/// The fixture's database with `orders` one-unit orders of SKU-A, PINs for
/// its picker and packer, served by `tote serve` as a child process.
fn serve(orders: usize) -> (Fixture, KillOnDrop, String) {
    // (the database is the fixture's: `f.dir/tote.db`)
    let f = Fixture::new();
    f.place("W1", "A-03", "SKU-A", 100, 3);
    common::server::give_pins(&f);
    for n in 1..=orders {
        f.ok(order(&format!("label-{n}"), &[("SKU-A", 1, "W1")]));
    }
    let (child, base, _log) = process::serve(&f.dir.path().join("tote.db"));
    (f, KillOnDrop(child), base)
}

/// The picker on its own handheld picks the next order (one unit) and
/// completes it; its queue reaches the server.
async fn pick_one(h: &Station, p: &mut Picker) {
    if matches!(p.step(), picker::Step::Finished { .. }) {
        press(p, &h.device, KeyName::F(1)).await;
    }
    let view = p.view();
    let location = view.big.clone().unwrap_or_default();
    enter(p, &h.device, &location).await;
    enter(p, &h.device, "SKU-A").await;
    assert_eq!(p.step(), &picker::Step::AllDone, "{:?}", p.view());
    press(p, &h.device, KeyName::F(1)).await;
    assert!(matches!(p.step(), picker::Step::Finished { .. }), "{:?}", p.view());
    let token = p.token().map(str::to_owned);
    h.device.sync(token.as_deref()).await.expect("picker's queue sent");
    assert_eq!(h.device.status().queued, 0);
}

/// The packer scans the order, verifies the unit, enters one box and
/// presses F1; returns what the station printed.
async fn pack(s: &Station, k: &mut Packer, order: i64) -> Vec<Cmd> {
    enter(k, &s.device, &format!("ORD-{order}")).await;
    assert_eq!(k.step(), &packer::Step::Verify, "{:?}", k.view());
    enter(k, &s.device, "SKU-A").await;
    enter(k, &s.device, "1").await;
    for v in ["400", "200", "150", "100"] {
        enter(k, &s.device, v).await;
    }
    assert_eq!(k.step(), &packer::Step::BoxSaved, "{:?}", k.view());
    let cmds = press(k, &s.device, KeyName::F(1)).await;
    s.print(k, cmds).await
}

/// When the server says the packing task's label printed.
fn label_printed(db: &Path, task: i64) -> bool {
    let store = tote::storage::Store::open(db).expect("server db");
    store.read(|tx| tx.label_printed_at(tote::domain::ids::PackingTaskId(task))).expect("read").is_some()
}

async fn logged_in<A: App>(app: &mut A, s: &Station, badge: &str) {
    enter(app, &s.device, badge).await;
    let cmds = enter(app, &s.device, PIN).await;
    drive(app, &s.device, cmds).await;
    assert!(app.token().is_some(), "{badge} logged in");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn f1_on_a_packed_box_prints_exactly_one_label_every_time() {
    const BOXES: usize = 3;
    let (f, _server, base) = serve(BOXES);
    let labels = tempfile::tempdir().expect("label dir");
    let handheld = Station::new(&base, "HH-1", None);
    let station = Station::new(&base, "PACK-1", Some(PrinterUri::File { dir: labels.path().to_owned() }));
    let mut p = Picker::new(Input::default());
    logged_in(&mut p, &handheld, "B-100").await;
    let mut k = Packer::new(Input::default());
    logged_in(&mut k, &station, "B-200").await;

    for n in 1..=BOXES {
        pick_one(&handheld, &mut p).await;
        let left = pack(&station, &mut k, n as i64).await;
        assert!(left.is_empty(), "every command run: {left:?}");
        assert_eq!(k.step(), &packer::Step::Done, "{:?}", k.view());
        let v = k.view();
        assert_eq!(v.big.as_deref(), Some("PACKED"), "{v:?}");
        assert!(v.lines.iter().any(|l| l == "Label printed"), "box {n}: {v:?}");
        assert_eq!(files(labels.path()).len(), n, "box {n}: one more label file");
        station.sync(&k).await;
        assert!(label_printed(&f.dir.path().join("tote.db"), n as i64), "box {n}: the server knows it printed");
        press(&mut k, &station.device, KeyName::F(1)).await;
        assert_eq!(k.step(), &packer::Step::Find, "{:?}", k.view());
    }
    for file in files(labels.path()) {
        let zpl = std::fs::read_to_string(&file).expect("label file");
        assert!(zpl.starts_with("^XA") && zpl.trim_end().ends_with("^XZ"), "{file:?}: {zpl}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_label_not_printed_prints_once_when_another_station_scans_the_order() {
    let (f, _server, base) = serve(1);
    let db = f.dir.path().join("tote.db");
    // A printer that is not there: nothing listens on the port.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("port");
    let gone = PrinterUri::Tcp { addr: closed.local_addr().expect("addr").to_string() };
    drop(closed);
    let handheld = Station::new(&base, "HH-1", None);
    let broken = Station::new(&base, "PACK-1", Some(gone));
    let labels = tempfile::tempdir().expect("label dir");
    let other = Station::new(&base, "PACK-2", Some(PrinterUri::File { dir: labels.path().to_owned() }));

    let mut p = Picker::new(Input::default());
    logged_in(&mut p, &handheld, "B-100").await;
    pick_one(&handheld, &mut p).await;
    let mut k = Packer::new(Input::default());
    logged_in(&mut k, &broken, "B-200").await;
    pack(&broken, &mut k, 1).await;
    let v = k.view();
    assert_eq!(k.step(), &packer::Step::Done, "{v:?}");
    assert!(v.lines.iter().any(|l| l.starts_with("print failed")), "the station says so: {v:?}");
    broken.sync(&k).await;
    assert!(!label_printed(&db, 1), "listed as label not printed");

    let mut k2 = Packer::new(Input::default());
    logged_in(&mut k2, &other, "B-200").await;
    let cmds = enter(&mut k2, &other.device, "ORD-1").await;
    let left = other.print(&mut k2, cmds).await;
    assert!(left.is_empty(), "{left:?}");
    let v = k2.view();
    assert_eq!(v.big.as_deref(), Some("REPRINT"), "a reprint says so: {v:?}");
    assert!(v.lines.iter().any(|l| l == "Label printed"), "{v:?}");
    assert_eq!(files(labels.path()).len(), 1, "printed once at the other station");
    other.sync(&k2).await;
    assert!(label_printed(&db, 1), "no longer listed");

    // Any station finds the box by its tracking number too.
    let tracking = v.lines.iter().find(|l| l.starts_with("TT")).expect("the tracking number on screen").clone();
    let more = tempfile::tempdir().expect("label dir");
    let third = Station::new(&base, "PACK-3", Some(PrinterUri::File { dir: more.path().to_owned() }));
    let mut k3 = Packer::new(Input::default());
    logged_in(&mut k3, &third, "B-200").await;
    let cmds = enter(&mut k3, &third.device, &tracking).await;
    assert!(third.print(&mut k3, cmds).await.is_empty());
    assert_eq!(k3.view().big.as_deref(), Some("REPRINT"), "{:?}", k3.view());
    assert_eq!(files(more.path()).len(), 1, "one copy at the third station");
    press(&mut k3, &third.device, KeyName::F(1)).await;
    assert_eq!(k3.step(), &packer::Step::Find);
    let cmds = enter(&mut k3, &third.device, "NO-SUCH-PARCEL").await;
    assert_eq!(cmds, [Cmd::Beep], "an unknown parcel beeps: {:?}", k3.view());
}
