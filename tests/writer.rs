//! The single writer survives a panicking item: that item is rolled back
//! and answered E903, its neighbours in the same commit stand, and the
//! writer goes on taking work; every commit is announced on its watch.

mod common;

use common::Fixture;
use tote::app::Command;
use tote::app::command::Outcome;
use tote::server::config::WriterConfig;
use tote::server::writer;

/// `n` units of `SKU-{prefix}` placed at a location of their own.
fn place(prefix: &str, n: u32) -> Command {
    Command::PlaceStock {
        warehouse: "W1".into(),
        location: format!("{prefix}-{n:02}"),
        sku: format!("SKU-{prefix}"),
        quantity: n,
        received_at: None,
        lot: None,
        expiry: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_item_is_refused_and_the_writer_lives_on() {
    let f = Fixture::new();
    let (w, thread) = writer::start(f.svc.clone(), WriterConfig { max_batch: 64 }).expect("writer");
    let mut commits = w.commits();
    let place = |n: u32| place("P", n);
    // Three items queued together: an op, a write that panics after
    // writing, another op.
    let (a, boom, b) = tokio::join!(
        w.execute("p-1".into(), place(1)),
        w.write(|tx| {
            tx.ensure_warehouse("W9", "Never", common::t0())?;
            if tx.count("warehouses")? > 0 {
                panic!("a bug in one op");
            }
            Ok(())
        }),
        w.execute("p-2".into(), place(2)),
    );
    assert!(matches!(a, Ok(Outcome::Stock { .. })), "{a:?}");
    assert!(matches!(b, Ok(Outcome::Stock { .. })), "{b:?}");
    let e = boom.expect_err("the panic is an answer");
    assert_eq!(e.code(), Some("E903"), "{e}");
    let warehouses = f.svc.store().read(|tx| tx.warehouses()).expect("read");
    assert!(!warehouses.iter().any(|w| w.code == "W9"), "the panicking item's write was rolled back");
    // The writer still takes work, and announces its commits.
    assert!(commits.has_changed().unwrap_or(false));
    commits.borrow_and_update();
    assert!(w.execute("p-3".into(), place(3)).await.is_ok());
    assert!(commits.has_changed().unwrap_or(false), "a commit wakes the watchers");
    drop((w, commits));
    tokio::task::spawn_blocking(move || thread.join()).await.expect("join").expect("the writer thread did not panic");
}

/// An op refused for good in the middle of a group is undone back to the
/// start of its own item, its refusal is recorded under its op id (a repeat
/// gets the same answer, not a run), and the ops around it stand.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_op_in_a_group_is_recorded_and_its_neighbours_stand() {
    let f = Fixture::new();
    let (w, thread) = writer::start(f.svc.clone(), WriterConfig { max_batch: 64 }).expect("writer");
    let place = |n: u32| place("R", n);
    let missing = || Command::StartPicking { task_id: 987_654, worker_id: 1 };
    let (a, refused, b) = tokio::join!(
        w.execute("r-1".into(), place(1)),
        w.execute("r-2".into(), missing()),
        w.execute("r-3".into(), place(2))
    );
    assert!(matches!(a, Ok(Outcome::Stock { .. })), "{a:?}");
    assert!(matches!(b, Ok(Outcome::Stock { .. })), "{b:?}");
    let first = refused.expect_err("no such task").code().map(str::to_owned);
    assert!(first.is_some(), "a refusal has a code");
    let stored = f.svc.store().read(|tx| tx.applied_op("r-2")).expect("read").expect("the refusal is recorded");
    assert!(!stored.ok, "recorded as refused");
    let again = w.execute("r-2".into(), missing()).await.expect_err("the same answer");
    assert_eq!(again.code().map(str::to_owned), first);
    let on_hand = f.svc.store().read(|tx| tx.stock_totals(Some("SKU-R"))).expect("read").on_hand;
    assert_eq!(on_hand, 3, "both neighbours' stock is there");
    drop(w);
    tokio::task::spawn_blocking(move || thread.join()).await.expect("join").expect("the writer thread did not panic");
}
