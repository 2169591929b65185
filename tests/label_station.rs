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

use common::floor::{enter, press};
use common::process::{self, KillOnDrop};
use common::station::{Station, files, label_printed, logged_in, pack, pick_one};
use common::{Fixture, order};
use tote::keymap::KeyName;
use tote::printing::PrinterUri;
use tote::tui::input::Input;
use tote::tui::packer::{self, Packer};
use tote::tui::picker::Picker;
use tote::tui::{App, Cmd};

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
