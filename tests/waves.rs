//! Waves and cluster picking: a wave takes the tasks its criteria choose,
//! most urgent first, in batches of the cart's size; a picker claims a
//! batch and picks each order's units into that order's tote (another tote
//! is refused and changes nothing); stock is conserved throughout.

mod common;

use common::{Fixture, accepted, order, wave_of};
use tote::app::command::{BatchDto, QueueDto};
use tote::app::floor_op::PickScans;
use tote::app::{Command, Outcome};

fn with_priority(c: Command, p: &str) -> Command {
    match c {
        Command::SubmitOrder(mut r) => {
            r.priority = p.into();
            Command::SubmitOrder(r)
        }
        other => other,
    }
}

fn wave(f: &Fixture, priorities: &[&str], zone: Option<&str>, batch_size: u32) -> Vec<BatchDto> {
    let c = Command::ReleaseWave {
        warehouse: "W1".into(),
        priorities: priorities.iter().map(|p| (*p).into()).collect(),
        zone: zone.map(str::to_owned),
        cutoff: None,
        max_tasks: 50,
        batch_size,
    };
    match f.ok(c) {
        Outcome::Wave { batches, .. } => batches,
        other => panic!("{other:?}"),
    }
}

fn tasks(b: &BatchDto) -> Vec<i64> {
    b.totes.iter().map(|t| t.task_id).collect()
}

#[test]
fn a_wave_takes_what_its_criteria_choose_in_batches_most_urgent_first() {
    let f = Fixture::new();
    f.place("W1", "Z-01", "SKU-Z", 50, 1);
    let (_, low) = accepted(&f.ok(with_priority(order("w-1", &[("SKU-A", 1, "W1")]), "low")));
    let (_, urgent) = accepted(&f.ok(with_priority(order("w-2", &[("SKU-A", 1, "W1")]), "urgent")));
    let (_, high) = accepted(&f.ok(with_priority(order("w-3", &[("SKU-A", 1, "W1")]), "high")));
    let (_, zoned) = accepted(&f.ok(order("w-4", &[("SKU-Z", 2, "W1")])));
    let (_, mixed) = accepted(&f.ok(order("w-5", &[("SKU-Z", 1, "W1"), ("SKU-A", 1, "W1")])));
    let id = |t: &Vec<(String, i64)>| t[0].1;
    // By zone: only the order whose every location is in Z-.
    let z = wave(&f, &[], Some("Z-"), 4);
    assert_eq!(z.iter().map(tasks).collect::<Vec<_>>(), vec![vec![id(&zoned)]]);
    // By priority, in batches of 1: urgent before high; low and normal stay out.
    let p = wave(&f, &["urgent", "high"], None, 1);
    assert_eq!(p.iter().map(tasks).collect::<Vec<_>>(), vec![vec![id(&urgent)], vec![id(&high)]]);
    // A task is in one wave only: the rest go to the next wave.
    let rest = wave(&f, &[], None, 4);
    assert_eq!(rest.iter().map(tasks).collect::<Vec<_>>(), vec![vec![id(&mixed), id(&low)]], "normal before low");
    assert_eq!(f.code(wave_of(50, 4)), "E001", "nothing left to take");
    assert_eq!(
        f.code(Command::ReleaseWave {
            warehouse: "W1".into(),
            priorities: vec!["asap".into()],
            zone: None,
            cutoff: None,
            max_tasks: 50,
            batch_size: 4
        }),
        "E001"
    );
}

#[test]
fn one_picker_walks_a_batch_into_separate_totes() {
    let f = Fixture::new();
    let initial = f.stock().0;
    let orders: Vec<i64> =
        (0..3).map(|i| accepted(&f.ok(order(&format!("c-{i}"), &[("SKU-A", 2, "W1")])))).map(|(_, t)| t[0].1).collect();
    let (_, single) = accepted(&f.ok(order("c-single", &[("SKU-A", 1, "W1")])));
    let batches = {
        let c = wave_of(3, 3);
        match f.ok(c) {
            Outcome::Wave { batches, .. } => batches,
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(tasks(&batches[0]), orders);
    // The batch goes to one picker; a one-by-one claim gets only the rest.
    let batch = match f.ok(Command::ClaimBatch { worker_id: f.picker }) {
        Outcome::Batch { batch: Some(b) } => b,
        other => panic!("{other:?}"),
    };
    assert_eq!(batch, batches[0]);
    for t in &orders {
        let v = f.svc.picking_task_view(*t).expect("task");
        assert_eq!((v.status.as_str(), v.worker_id), ("assigned", Some(f.picker)));
    }
    let now = f.svc.now();
    let second = f
        .svc
        .store()
        .write(|tx| {
            let w = tx.insert_worker("B-101", "Second Picker", "picker", now)?;
            tx.bind_worker(w, "W1")?;
            Ok::<_, tote::storage::StorageError>(w)
        })
        .expect("picker")
        .0;
    let claimed = f.ok(Command::ClaimTask { worker_id: second, queue: QueueDto::Picking, lookahead: false });
    assert!(matches!(claimed, Outcome::Claimed { task_id: Some(t), .. } if t == single[0].1), "{claimed:?}");
    // Claiming again gives the same batch.
    assert!(
        matches!(f.ok(Command::ClaimBatch { worker_id: f.picker }), Outcome::Batch { batch: Some(ref b) } if *b == batch)
    );

    for t in &batch.totes {
        f.ok(Command::StartPicking { task_id: t.task_id, worker_id: f.picker });
        for item in f.svc.picking_task_view(t.task_id).expect("task").items {
            let into = |tote: &str| Command::PickItem {
                task_id: t.task_id,
                item_id: item.item_id,
                worker_id: Some(f.picker),
                scan: PickScans::new(item.location.as_str(), "SKU-A", item.required).into_tote(tote),
            };
            // Another order's tote: refused, nothing moves.
            let other = batch.totes.iter().find(|o| o.task_id != t.task_id).expect("another tote");
            let before = f.stock();
            assert_eq!(f.code(into(&other.tote)), "E107");
            assert_eq!(f.stock(), before);
            f.ok(into(&t.tote));
        }
        let done = f.ok(Command::CompletePicking { task_id: t.task_id, worker_id: Some(f.picker) });
        assert!(matches!(done, Outcome::Picking { packing_task_id: Some(_), .. }), "{done:?}");
        f.assert_conserved(initial);
    }
    // Each tote became its own packing task, of its own order.
    for t in &batch.totes {
        let v = f.svc.picking_task_view(t.task_id).expect("task");
        let order = f.svc.order_view(v.order_id).expect("order");
        let packing = &order.fulfillments[0].packing;
        assert_eq!(packing.len(), 1, "{order:?}");
    }
    assert!(matches!(f.ok(Command::ClaimBatch { worker_id: f.picker }), Outcome::Batch { batch: None }));
}

/// A batch no cluster picker claims in `batch_claim_minutes` (15 by
/// default) goes back to the single queue (issue 16: a wave had taken all
/// the pending work, and single pickers got "No work now" while the board
/// listed it pending); a batch that goes back is no longer offered whole.
#[test]
fn a_batch_nobody_claims_in_time_returns_to_the_single_queue() {
    let f = Fixture::new();
    for n in 0..2 {
        accepted(&f.ok(order(&format!("st-{n}"), &[("SKU-A", 1, "W1")])));
    }
    let batches = wave(&f, &[], None, 4);
    assert_eq!(batches.len(), 1);
    let single = |f: &Fixture| match f.ok(Command::ClaimTask {
        worker_id: f.picker,
        queue: QueueDto::Picking,
        lookahead: false,
    }) {
        Outcome::Claimed { task_id, .. } => task_id,
        other => panic!("{other:?}"),
    };
    assert_eq!(single(&f), None, "the wave holds all the work, for now");
    f.clock.advance(chrono::Duration::minutes(16));
    let task = single(&f).expect("after 15 minutes unclaimed, the batch's tasks are single work");
    assert!(tasks(&batches[0]).contains(&task));
    // Another picker, holding nothing, finds no batch to take.
    let other = f
        .svc
        .store()
        .write(|tx| {
            let w = tx.insert_worker("B-102", "Cluster Picker", "picker", f.svc.now())?;
            tx.bind_worker(w, "W1")?;
            Ok::<_, tote::storage::StorageError>(w.0)
        })
        .expect("a second picker");
    let cluster = f.run(Command::ClaimBatch { worker_id: other });
    assert!(matches!(&cluster, Ok(Outcome::Batch { batch: None })), "not offered whole any more: {cluster:?}");
}
