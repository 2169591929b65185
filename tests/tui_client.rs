//! The floor models against a real server: every `Call` the picker and
//! the packer make goes through `tui::client` over HTTP to `server::run`,
//! and every reply goes back into the model. A whole order is picked and
//! packed this way; the result is read back through the API.

mod common;

use common::floor::{enter, press};
use common::server::TestServer;
use common::{Fixture, order};
use reqwest::StatusCode;
use std::time::Duration;
use tote::keymap::KeyName;
use tote::tui::client::Client;
use tote::tui::input::Input;
use tote::tui::packer::{self, Packer};
use tote::tui::picker::{self, Picker};
use tote::tui::{App, Cmd};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_is_picked_and_packed_through_the_floor_models() {
    let f = Fixture::new();
    let server = TestServer::start(&f).await;
    let tokens = server.tokens(&f).await;
    // SKU-A: 5 at A-01 (older) and 1 more from A-02.
    f.ok(order("tui-1", &[("SKU-A", 6, "W1")]));
    let client = Client::new(&server.base, "HH-1", Duration::from_secs(5)).expect("client");

    let mut p = Picker::new(Input::default());
    enter(&mut p, &client, "B-100").await;
    assert!(enter(&mut p, &client, "4711").await.is_empty());
    assert_eq!(p.step(), &picker::Step::Location, "claimed and started: {:?}", p.view());
    assert_eq!(p.view().big.as_deref(), Some("A-01"));
    assert_eq!(enter(&mut p, &client, "A-02").await, [Cmd::Beep]);
    enter(&mut p, &client, "A-01").await;
    enter(&mut p, &client, "SKU-A").await;
    enter(&mut p, &client, "5").await;
    assert_eq!(p.view().big.as_deref(), Some("A-02"), "{:?}", p.view());
    enter(&mut p, &client, "A-02").await;
    // One unit: the item scan alone sends the pick.
    enter(&mut p, &client, "SKU-A").await;
    assert_eq!(p.step(), &picker::Step::AllDone, "{:?}", p.view());
    press(&mut p, &client, KeyName::F(1)).await;
    assert!(matches!(p.step(), picker::Step::Finished { packing: Some(_), .. }), "{:?}", p.step());

    let mut k = Packer::new(Input::default());
    enter(&mut k, &client, "B-200").await;
    enter(&mut k, &client, "4711").await;
    enter(&mut k, &client, "ORD-1").await;
    assert_eq!(k.step(), &packer::Step::Verify, "{:?}", k.view());
    for _ in 0..6 {
        assert!(enter(&mut k, &client, "SKU-A").await.is_empty());
    }
    enter(&mut k, &client, "1").await;
    for v in ["1800", "300", "200", "150"] {
        enter(&mut k, &client, v).await;
    }
    assert_eq!(k.step(), &packer::Step::BoxSaved, "{:?}", k.view());
    let prints = press(&mut k, &client, KeyName::F(1)).await;
    assert_eq!(k.step(), &packer::Step::Done, "{:?}", k.view());
    let [Cmd::Print { key, zpl, .. }] = prints.as_slice() else { panic!("one label to print: {prints:?}") };
    assert_eq!(key, "pack-1-pkg-1");
    assert!(zpl.starts_with("^XA") && zpl.contains("^XZ"));

    let (status, task) = server.get("/api/v1/packing-tasks/1", &tokens.supervisor).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(task["status"], "packed", "{task}");
    assert_eq!(task["packages"][0]["weight_g"], 1800);
    let tracking = k.view().lines[0].clone();
    assert!(zpl.contains(&tracking), "the label carries the tracking number shown: {tracking}");
    server.stop().await;
}
