//! The supervisor board: its read model on seeded data with a frozen clock
//! (every alert rule firing), its screens at 80x24 and 120x40 as insta
//! snapshots, its keys and actions, and a priority change reaching the
//! queues.

mod common;

use common::{Fixture, accepted, order};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::json;
use tote::app::Command;
use tote::app::board::Scope;
use tote::app::command::{PackageDto, PackagingTypeDto};
use tote::app::floor_op::PickScans;
use tote::domain::alerts::Thresholds;
use tote::tui::board::{Action, Board, BoardCmd, BoardKey, BoardMsg, OrderDetail};

fn screen(b: &Board, w: u16, h: u16) -> String {
    let mut term = Terminal::new(TestBackend::new(w, h)).expect("backend");
    term.draw(|f| b.render(f.area(), f.buffer_mut())).expect("draw");
    format!("{}", term.backend())
}

fn shot(b: &Board, name: &str) {
    for (w, h) in [(80, 24), (120, 40)] {
        insta::assert_snapshot!(format!("{name}@{w}x{h}"), screen(b, w, h));
    }
}

fn keys(b: &mut Board, text: &str) -> Vec<BoardCmd> {
    text.chars().flat_map(|c| b.update(BoardMsg::Key(BoardKey::Char(c)))).collect()
}

fn package() -> PackageDto {
    PackageDto { packaging_type: PackagingTypeDto::Box, weight_g: 500, length_mm: 200, width_mm: 150, height_mm: 100 }
}

/// Assigns, starts and picks the single item of `task` (all its units at
/// `loc`), completes it; returns the order's packing task.
fn picked(f: &Fixture, order_id: i64, task: i64, loc: &str, sku: &str) -> i64 {
    f.ok(Command::AssignPicking { task_id: task, worker_id: f.picker });
    f.ok(Command::StartPicking { task_id: task, worker_id: f.picker });
    let item = f.svc.picking_task_view(task).expect("task").items[0].clone();
    f.ok(Command::PickItem {
        task_id: task,
        item_id: item.item_id,
        worker_id: Some(f.picker),
        scan: PickScans::new(loc, sku, item.required),
    });
    f.ok(Command::CompletePicking { task_id: task, worker_id: Some(f.picker) });
    f.svc.order_view(order_id).expect("order").fulfillments[0].packing[0].task_id
}

/// A floor at 10:45: one order shipped, one picking task started at
/// 08:40 and never finished, one packing task open without dimensions, an
/// expired hold, urgent work waiting, a device silent since 08:40.
fn floor() -> (Fixture, i64) {
    let f = Fixture::new();
    // Shipped: picked, packed, carrier steps reported by hand, dispatched.
    let (o1, t1) = accepted(&f.ok(order("b-1", &[("SKU-A", 2, "W1")])));
    let pack = picked(&f, o1, t1[0].1, "A-01", "SKU-A");
    f.ok(Command::StartPacking { task_id: pack, worker_id: f.packer });
    f.ok(Command::SetPackageDetails { task_id: pack, worker_id: Some(f.packer), sequence: 1, package: package() });
    f.clock.advance(chrono::Duration::minutes(40));
    f.ok(Command::CompletePacking { task_id: pack, worker_id: Some(f.packer) });
    report(&f, json!({"kind": "shipment", "carrier": "local", "tracking": ["TT000000017RS"]}));
    report(&f, json!({"kind": "done"}));
    f.ok(Command::DispatchParcel { tracking: "TT000000017RS".into() });
    // Stuck: a picking task in progress since 08:40.
    let (_, t2) = accepted(&f.ok(order("b-2", &[("SKU-B", 1, "W2")])));
    f.ok(Command::AssignPicking { task_id: t2[0].1, worker_id: f.picker });
    f.ok(Command::StartPicking { task_id: t2[0].1, worker_id: f.picker });
    // A packing task without dimensions: picked and started, no box yet.
    let (o3, t3) = accepted(&f.ok(order("b-3", &[("SKU-C", 1, "W3")])));
    let pack3 = picked(&f, o3, t3[0].1, "C-01", "SKU-C");
    f.ok(Command::StartPacking { task_id: pack3, worker_id: f.packer });
    // An expired hold, and urgent work waiting.
    f.ok(Command::ReserveStock { warehouse: "W1".into(), sku: "SKU-A".into(), quantity: 1, ttl_seconds: 600 });
    let mut urgent = order("b-4", &[("SKU-A", 1, "W1")]);
    if let Command::SubmitOrder(r) = &mut urgent {
        r.priority = "urgent".into();
    }
    f.ok(urgent);
    // A device heard from at 09:00.
    f.svc
        .store()
        .write(|tx| {
            tx.device_seen(&tote::storage::device::DeviceRow {
                device_id: "HH-07".into(),
                worker_id: Some(f.picker),
                last_seen: f.svc.now(),
                queued: 3,
                oldest_queued_at: None,
            })
        })
        .expect("device");
    f.clock.advance(chrono::Duration::minutes(125));
    // At the dock for 10 minutes: packed, labelled and confirmed, not loaded.
    let (o5, t5) = accepted(&f.ok(order("b-5", &[("SKU-A", 1, "W1")])));
    let pack5 = picked(&f, o5, t5[0].1, "A-01", "SKU-A");
    f.ok(Command::StartPacking { task_id: pack5, worker_id: f.packer });
    f.ok(Command::SetPackageDetails { task_id: pack5, worker_id: Some(f.packer), sequence: 1, package: package() });
    f.ok(Command::CompletePacking { task_id: pack5, worker_id: Some(f.packer) });
    report(&f, json!({"kind": "shipment", "carrier": "local", "tracking": ["TT000000025RS"]}));
    report(&f, json!({"kind": "done"}));
    f.clock.advance(chrono::Duration::minutes(10));
    (f, o3)
}

/// Order `id` as the board opens it: the order and its workflows.
fn detail(f: &Fixture, id: i64) -> OrderDetail {
    let order = f.svc.order_view(id).expect("order");
    let workflows =
        f.svc.order_workflows(id).expect("wf").into_iter().map(|w| f.svc.workflow_view(&w.workflow_id).expect("view"));
    OrderDetail { order, workflows: workflows.collect() }
}

fn report(f: &Fixture, result: serde_json::Value) {
    let now = f.svc.now();
    let t = f.svc.store().read(|tx| tx.due_activities(now, 10)).expect("due").remove(0);
    f.ok(Command::CompleteActivity {
        task_id: t.id,
        attempt: t.attempt,
        result: Some(serde_json::from_value(result).expect("an activity result")),
        error: None,
        started_at: None,
    });
}

#[test]
fn the_board_shows_queues_alerts_throughput_and_devices() {
    let (f, _) = floor();
    let data = f.svc.board(&Thresholds::default(), &Scope::all()).expect("board");
    let rules: Vec<&str> = data.alerts.iter().map(|a| a.rule.as_str()).collect();
    assert_eq!(
        rules,
        vec!["picking_stuck", "packing_without_dimensions", "reservation_not_released"],
        "{:?}",
        data.alerts
    );
    assert_eq!(data.day.shipped, 1);
    assert_eq!(data.day.order_to_ship_p50_secs, Some(40 * 60));
    assert_eq!(data.hour.shipped, 0, "shipped 2 h ago");
    assert!(data.queues.iter().any(|q| q.queue == "picking" && q.priority == "urgent" && q.status == "pending"));
    assert_eq!(data.devices[0].silent_seconds, 135 * 60);
    let dock: Vec<_> = data.dock.iter().map(|d| (d.parcels.join(" "), d.age_secs)).collect();
    assert_eq!(dock, [("TT000000025RS".to_owned(), 10 * 60)], "the parcel at the dock, with its age");
    let mut b = Board::new();
    b.update(BoardMsg::Live(true));
    b.update(BoardMsg::Data(Ok(data.clone())));
    shot(&b, "board_overview");
    // At 80 columns every throughput line fits its 40-column pane whole.
    let s = screen(&b, 80, 24);
    assert!(s.contains("day  1 ship p50 40m p95 40m short 0.0%") && s.contains("0 realloc, 0 unfulfillable"), "{s}");
    // 23 devices do not fit: the pane says how many more there are.
    let mut many = data;
    many.devices = (1..=23)
        .map(|n| tote::app::board::DeviceView { device_id: format!("HH-{n:02}"), ..many.devices[0].clone() })
        .collect();
    b.update(BoardMsg::Data(Ok(many)));
    let text = screen(&b, 80, 24);
    assert!(text.contains("Devices (23)") && text.contains(" more"), "{text}");
    // ↓ scrolls the pane, ↑ back; never past the last device.
    for _ in 0..5 {
        b.update(BoardMsg::Key(BoardKey::Down));
    }
    let text = screen(&b, 80, 24);
    assert!(text.contains("Devices (23, 5 above)") && text.contains("HH-06") && !text.contains("HH-05"), "{text}");
    for _ in 0..40 {
        b.update(BoardMsg::Key(BoardKey::Down));
    }
    let text = screen(&b, 80, 24);
    assert!(text.contains("HH-23") && !text.contains(" more"), "the last page, full: {text}");
    for _ in 0..40 {
        b.update(BoardMsg::Key(BoardKey::Up));
    }
    assert!(screen(&b, 80, 24).contains("Devices (23) "), "back at the top");
}

#[test]
fn each_alert_rule_can_be_turned_by_its_threshold() {
    let (f, _) = floor();
    let loose = Thresholds {
        picking_in_progress: chrono::Duration::hours(4),
        packing_without_dimensions: chrono::Duration::hours(4),
        carrier_unavailable: chrono::Duration::hours(4),
        not_dispatched: chrono::Duration::hours(4),
        label_not_printed: chrono::Duration::hours(4),
    };
    let rules: Vec<String> = f.svc.alerts(&loose).expect("alerts").iter().map(|a| a.rule.as_str().to_owned()).collect();
    assert_eq!(rules, vec!["reservation_not_released"], "only the expired hold has no threshold");
    // Releasing the hold clears its alert.
    f.ok(Command::ReleaseExpired);
    assert!(f.svc.alerts(&loose).expect("alerts").is_empty());
    // A carrier that keeps failing: the alert fires after 5 minutes.
    let (o, t) = accepted(&f.ok(order("b-9", &[("SKU-A", 1, "W1")])));
    let pack = picked(&f, o, t[0].1, "A-01", "SKU-A");
    f.ok(Command::StartPacking { task_id: pack, worker_id: f.packer });
    f.ok(Command::SetPackageDetails { task_id: pack, worker_id: Some(f.packer), sequence: 1, package: package() });
    f.ok(Command::CompletePacking { task_id: pack, worker_id: Some(f.packer) });
    let now = f.svc.now();
    let task = f.svc.store().read(|tx| tx.due_activities(now, 10)).expect("due").remove(0);
    let error = json!({"code": "E901", "message": "carrier unavailable", "retryable": true});
    f.ok(Command::CompleteActivity {
        task_id: task.id,
        attempt: 1,
        result: None,
        error: Some(serde_json::from_value(error).expect("an activity error")),
        started_at: None,
    });
    let carrier = |f: &Fixture| {
        f.svc.alerts(&Thresholds::default()).expect("alerts").iter().any(|a| a.rule.as_str() == "carrier_unavailable")
    };
    f.clock.advance(chrono::Duration::minutes(4));
    assert!(!carrier(&f), "4 minutes is within the threshold");
    f.clock.advance(chrono::Duration::minutes(2));
    assert!(carrier(&f), "6 minutes of failing");
}

#[test]
fn an_order_drills_down_and_the_keys_ask_for_actions() {
    let (f, o3) = floor();
    let mut b = Board::new();
    b.update(BoardMsg::Data(Ok(f.svc.board(&Thresholds::default(), &Scope::all()).expect("board"))));
    assert_eq!(keys(&mut b, "d"), vec![BoardCmd::Beep], "no dead deliveries to retry");
    assert!(keys(&mut b, "wW1 2").is_empty());
    let wave = b.update(BoardMsg::Key(BoardKey::Enter));
    assert_eq!(
        wave,
        vec![BoardCmd::Act(Action::ReleaseWave {
            warehouse: "W1".into(),
            batch: 2,
            max_tasks: None,
            priorities: vec![]
        })]
    );
    // A wave of what the criteria select: 6 tasks at most, urgent and high.
    assert!(keys(&mut b, "wW1 2 6 urgent,high").is_empty());
    assert_eq!(
        b.update(BoardMsg::Key(BoardKey::Enter)),
        vec![BoardCmd::Act(Action::ReleaseWave {
            warehouse: "W1".into(),
            batch: 2,
            max_tasks: Some(6),
            priorities: vec!["urgent".into(), "high".into()]
        })]
    );
    assert!(keys(&mut b, "wW1 2 lots").is_empty());
    assert_eq!(b.update(BoardMsg::Key(BoardKey::Enter)), vec![BoardCmd::Beep], "not a number of tasks");
    keys(&mut b, "mW1 local");
    let manifest = b.update(BoardMsg::Key(BoardKey::Enter));
    let close = Action::CloseManifest { warehouse: "W1".into(), carrier: "local".into() };
    assert_eq!(manifest, vec![BoardCmd::Act(close)]);
    keys(&mut b, "mW1");
    assert_eq!(b.update(BoardMsg::Key(BoardKey::Enter)), vec![BoardCmd::Beep], "warehouse and carrier");
    assert!(keys(&mut b, "o").is_empty());
    let cmds = keys(&mut b, &o3.to_string());
    assert!(cmds.is_empty());
    assert_eq!(b.update(BoardMsg::Key(BoardKey::Enter)), vec![BoardCmd::LoadOrder(o3)]);
    b.update(BoardMsg::Order(Ok(detail(&f, o3))));
    shot(&b, "board_order");
    // Who works each task, and each line's ordered, picked, packed, shipped.
    let s = screen(&b, 80, 24);
    assert!(s.contains("(Pia Picker)") && s.contains("(Pat"), "{s}");
    assert!(s.contains("W3 SKU-C 1 ordered, 1 picked, 0 packed, 0 shipped"), "{s}");
    assert_eq!(keys(&mut b, "p4"), vec![BoardCmd::Act(Action::Priority { order: o3, priority: "urgent" })]);
    assert_eq!(keys(&mut b, "p9"), vec![BoardCmd::Beep], "not a priority");
    assert!(keys(&mut b, "cn").is_empty(), "n does not confirm");
    assert_eq!(keys(&mut b, "cy"), vec![BoardCmd::Act(Action::Cancel { order: o3 })]);
    // Order 3 waits for its packer, healthy: retry is neither shown nor sent.
    assert!(!s.contains("t retry"), "{s}");
    assert_eq!(keys(&mut b, "t"), vec![BoardCmd::Beep], "nothing is stuck");
    keys(&mut b, "a12 5");
    let reassign = |worker: &str| vec![BoardCmd::Act(Action::Reassign { task: 12, worker: worker.into() })];
    assert_eq!(b.update(BoardMsg::Key(BoardKey::Enter)), reassign("5"));
    // Or by the badge the picker carries, which the supervisor knows.
    keys(&mut b, "a12 B-101");
    assert_eq!(b.update(BoardMsg::Key(BoardKey::Enter)), reassign("B-101"));
    assert_eq!(b.update(BoardMsg::Key(BoardKey::Esc)), vec![]);
    assert_eq!(keys(&mut b, "q"), vec![BoardCmd::Quit]);
}

/// Reassign from lists: the open order's task in progress, then a picker
/// of its warehouse (online first), chosen with ↑/↓ and Enter; a worker
/// bound elsewhere and a packer are not offered.
#[test]
fn a_reassign_chooses_the_task_and_then_a_picker_of_its_warehouse_from_lists() {
    let (f, o3) = floor();
    f.svc
        .store()
        .write(|tx| {
            let now = f.svc.now();
            let w1 = tx.insert_worker("B-101", "Walt W1only", "picker", now)?;
            tx.bind_worker(w1, "W1")?;
            let w2 = tx.insert_worker("B-102", "Wanda W2", "picker", now)?;
            tx.bind_worker(w2, "W2")?;
            tx.device_seen(&tote::storage::device::DeviceRow {
                device_id: "HH-09".into(),
                worker_id: Some(w2.0),
                last_seen: now,
                queued: 0,
                oldest_queued_at: None,
            })
        })
        .expect("workers");
    let mut b = Board::new();
    b.update(BoardMsg::Data(Ok(f.svc.board(&Thresholds::default(), &Scope::all()).expect("board"))));
    // Order 3's picking is done: nothing to choose, a typed id still goes.
    b.update(BoardMsg::Order(Ok(detail(&f, o3))));
    assert!(keys(&mut b, "a").is_empty());
    assert!(screen(&b, 80, 24).contains("nobody to choose"), "{}", screen(&b, 80, 24));
    assert_eq!(b.update(BoardMsg::Key(BoardKey::Enter)), vec![BoardCmd::Beep]);
    // Order b-2 (W2) has a task in progress since 08:40.
    let stuck = detail(&f, 2);
    assert_eq!(stuck.order.request_id, "b-2");
    let task = stuck.order.fulfillments[0].picking[0].task_id;
    b.update(BoardMsg::Order(Ok(stuck)));
    assert!(keys(&mut b, "a").is_empty());
    let s = screen(&b, 80, 24);
    assert!(s.contains(&format!("> pick {task} in_progress 0/1 (Pia Picker)")), "{s}");
    assert!(b.update(BoardMsg::Key(BoardKey::Enter)).is_empty(), "then the picker");
    shot(&b, "board_reassign_to");
    let s = screen(&b, 80, 24);
    let (wanda, pia) = (s.find("B-102").expect("W2's picker"), s.find("B-100").expect("everywhere"));
    assert!(wanda < pia && s.contains("online") && s.contains(" off"), "online first: {s}");
    assert!(!s.contains("B-101") && !s.contains("B-200"), "W1's picker and the packer are not offered: {s}");
    b.update(BoardMsg::Key(BoardKey::Down));
    b.update(BoardMsg::Key(BoardKey::Down));
    let cmds = b.update(BoardMsg::Key(BoardKey::Enter));
    assert_eq!(
        cmds,
        vec![BoardCmd::Act(Action::Reassign { task, worker: "B-100".into() })],
        "the cursor stops at the last"
    );
    // Or typed: the task id, then a badge.
    keys(&mut b, &format!("a{task}"));
    b.update(BoardMsg::Key(BoardKey::Enter));
    keys(&mut b, "B-777");
    let cmds = b.update(BoardMsg::Key(BoardKey::Enter));
    assert_eq!(cmds, vec![BoardCmd::Act(Action::Reassign { task, worker: "B-777".into() })]);
}

#[test]
fn a_priority_change_moves_the_open_work_up_the_queue() {
    let f = Fixture::new();
    let (low_order, low) = accepted(&f.ok(order("p-1", &[("SKU-A", 1, "W1")])));
    let (_, other) = accepted(&f.ok(order("p-2", &[("SKU-A", 1, "W1")])));
    let claim = |f: &Fixture| match f.ok(Command::ClaimTask {
        worker_id: f.picker,
        queue: tote::app::command::QueueDto::Picking,
        lookahead: false,
    }) {
        tote::app::Outcome::Claimed { task_id, .. } => task_id,
        o => panic!("{o:?}"),
    };
    f.ok(Command::ChangePriority { order_id: low_order, priority: "urgent".into() });
    assert_eq!(claim(&f), Some(low[0].1), "the urgent order first, though older is {}", other[0].1);
    assert_eq!(f.svc.order_view(low_order).expect("order").priority.as_str(), "urgent");
    let fid = f.svc.order_view(low_order).expect("order").fulfillments[0].fulfillment_id;
    assert_eq!(
        f.svc.workflow_view(&format!("order-fulfillment-{fid}")).expect("wf").summary.priority.as_str(),
        "urgent"
    );
    assert_eq!(f.code(Command::ChangePriority { order_id: low_order, priority: "asap".into() }), "E001");
    assert!(f.event_types().iter().any(|t| t == "order.priority_changed"));
}
