//! Cluster picking through the floor model against a real server: a wave's
//! batch of three orders is walked once; each pick goes into its order's
//! tote (a wrong tote beeps with E107 and changes nothing); at the end each
//! order has its own packing task and stock is conserved.

mod common;

use common::floor::{drive, enter};
use common::server::TestServer;
use common::{Fixture, accepted, order, wave_of};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::time::Duration;
use tote::app::{Command, Outcome};
use tote::keymap::KeyName;
use tote::tui::client::Client;
use tote::tui::cluster::{Cluster, Step};
use tote::tui::input::Input;
use tote::tui::{App, Cmd, KeyIn, Msg, view};

fn screen(app: &Cluster) -> String {
    let mut term = Terminal::new(TestBackend::new(20, 16)).expect("backend");
    let v = app.view();
    term.draw(|f| view::render(&v, f.area(), f.buffer_mut())).expect("draw");
    format!("{}", term.backend())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_is_walked_once_into_separate_totes() {
    let f = Fixture::new();
    f.place("W1", "Z-01", "SKU-Z", 20, 1);
    let initial = f.stock().0;
    let server = TestServer::start(&f).await;
    let _tokens = server.tokens(&f).await;
    let (_, t1) = accepted(&f.ok(order("cl-1", &[("SKU-A", 1, "W1")])));
    let (_, t2) = accepted(&f.ok(order("cl-2", &[("SKU-Z", 2, "W1")])));
    let (_, t3) = accepted(&f.ok(order("cl-3", &[("SKU-A", 2, "W1")])));
    let wave = wave_of(10, 3);
    assert!(matches!(f.ok(wave), Outcome::Wave { .. }));
    // The walk goes through Z-01 before A-01.
    for (loc, walk) in [("Z-01", 1), ("A-01", 5)] {
        let define = Command::DefineLocation {
            warehouse: "W1".into(),
            location: loc.into(),
            walk_order: Some(walk),
            check_digits: None,
        };
        f.ok(define);
    }
    let client = Client::new(&server.base, "HH-9", Duration::from_secs(5)).expect("client");
    let mut c = Cluster::new(Input::default());
    enter(&mut c, &client, "B-100").await;
    enter(&mut c, &client, "4711").await;
    assert_eq!(c.step(), &Step::Location, "{:?}", c.view());
    // Z-01 first (walk order), for order 2's tote.
    assert_eq!(c.view().big.as_deref(), Some("Z-01"));
    let tote2 = format!("TOTE-{}", t2[0].1);
    assert!(c.view().lines.iter().any(|l| l.contains(&tote2)), "{:?}", c.view());
    enter(&mut c, &client, "Z-01").await;
    enter(&mut c, &client, "SKU-Z").await;
    assert_eq!(c.step(), &Step::Tote);
    insta::assert_snapshot!("cluster_tote@20x16", screen(&c));
    // Order 3's tote is the wrong one here.
    let before = f.stock();
    assert_eq!(enter(&mut c, &client, &format!("TOTE-{}", t3[0].1)).await, [Cmd::Beep]);
    assert!(c.view().flash.is_some_and(|fl| fl.text == "E107 wrong tote"));
    assert_eq!(f.stock(), before, "a wrong tote moves nothing");
    enter(&mut c, &client, &tote2).await;
    // Then A-01: the older order first.
    for (loc, sku, task) in [("A-01", "SKU-A", t1[0].1), ("A-01", "SKU-A", t3[0].1)] {
        assert_eq!(c.view().big.as_deref(), Some(loc), "{:?}", c.view());
        enter(&mut c, &client, loc).await;
        enter(&mut c, &client, sku).await;
        enter(&mut c, &client, &format!("TOTE-{task}")).await;
    }
    assert_eq!(c.step(), &Step::Done { totes: 3 }, "{:?}", c.view());
    for t in [t1[0].1, t2[0].1, t3[0].1] {
        let v = f.svc.picking_task_view(t).expect("task");
        assert_eq!(v.status.as_str(), "completed");
        let o = f.svc.order_view(v.order_id).expect("order");
        assert_eq!(o.fulfillments[0].packing.len(), 1, "each tote its own packing task");
    }
    f.assert_conserved(initial);
    // No batch left: F4 asks again and finds none.
    let cmds = c.update(Msg::Key(KeyIn::named(KeyName::F(4), 0)));
    drive(&mut c, &client, cmds).await;
    assert_eq!(c.step(), &Step::NoWork);
    server.stop().await;
}

/// A stock-out in the middle of a batch: the stop is shorted from the menu,
/// the server draws the missing unit from another location, and that stop
/// joins the walk into the same tote.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stock_out_in_a_batch_is_shorted_and_its_follow_up_joins_the_walk() {
    let f = Fixture::new();
    let initial = f.stock().0;
    let server = TestServer::start(&f).await;
    let _tokens = server.tokens(&f).await;
    for (loc, walk) in [("A-01", 1), ("A-02", 2)] {
        let define = Command::DefineLocation {
            warehouse: "W1".into(),
            location: loc.into(),
            walk_order: Some(walk),
            check_digits: None,
        };
        f.ok(define);
    }
    let (_, ta) = accepted(&f.ok(order("so-a", &[("SKU-A", 2, "W1")])));
    let (_, tb) = accepted(&f.ok(order("so-b", &[("SKU-A", 2, "W1")])));
    let wave = wave_of(10, 2);
    f.ok(wave);
    let client = Client::new(&server.base, "HH-10", Duration::from_secs(5)).expect("client");
    let mut c = Cluster::new(Input::default());
    enter(&mut c, &client, "B-100").await;
    enter(&mut c, &client, "4711").await;
    assert_eq!(c.view().big.as_deref(), Some("A-01"));
    // Only 1 of 2 on the shelf: Esc, 1 short, 1 found, reason 1 (stock_out).
    let cmds = c.update(Msg::Key(KeyIn::named(KeyName::Esc, 0)));
    drive(&mut c, &client, cmds).await;
    assert_eq!(c.step(), &Step::Menu);
    enter(&mut c, &client, "1").await;
    assert_eq!(c.step(), &Step::ShortFound);
    enter(&mut c, &client, "1").await;
    enter(&mut c, &client, "1").await;
    // Order b at A-01, then order a's follow-up at A-02, into a's tote.
    for (loc, task, units) in [("A-01", tb[0].1, "2 x SKU-A"), ("A-02", ta[0].1, "1 x SKU-A")] {
        let v = c.view();
        assert_eq!(v.big.as_deref(), Some(loc), "{v:?}");
        assert!(v.lines.iter().any(|l| l == units), "{v:?}");
        enter(&mut c, &client, loc).await;
        enter(&mut c, &client, "SKU-A").await;
        enter(&mut c, &client, &format!("TOTE-{task}")).await;
    }
    assert_eq!(c.step(), &Step::Done { totes: 2 }, "{:?}", c.view());
    let a = f.svc.picking_task_view(ta[0].1).expect("task");
    let got: Vec<(&str, &str, u32)> =
        a.items.iter().map(|i| (i.location.as_str(), i.status.as_str(), i.picked)).collect();
    assert_eq!(got, vec![("A-01", "short", 1), ("A-02", "picked", 1)]);
    assert_eq!(a.status.as_str(), "completed");
    f.assert_conserved(initial);
    server.stop().await;
}
