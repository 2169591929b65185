//! The floor TUIs as pure models: keys and server replies in, commands and
//! screens out. Every picker and packer screen is rendered through
//! ratatui's TestBackend at 20x16, 40x8 and 80x24 and compared with a
//! committed insta snapshot. The models read no clock, so the screens are
//! the same on every run.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tote::app::command::{Outcome, PackageDto, PackagingTypeDto, QueueDto};
use tote::app::floor_op::FloorOp;
use tote::app::floor_op::PickScans;
use tote::app::task_views::PickingTaskView;
use tote::domain::DomainError;

use tote::domain::ids::Qty;
use tote::keymap::KeyName;
use tote::tui::dock::{Dock, Job};
use tote::tui::input::Input;
use tote::tui::packer::{self, Packer};
use tote::tui::picker::{self, Picker};
use tote::tui::{App, Call, Cmd, Failure, KeyIn, Labels, Msg, Reply, view};

mod common;

use common::screens::*;

const SIZES: [(u16, u16); 3] = [(20, 16), (40, 8), (80, 24)];

/// `app`'s screen on a `w`x`h` terminal (told its size, as the runtime
/// tells it).
fn screen<A: App + Clone>(app: &A, w: u16, h: u16) -> String {
    let mut term = Terminal::new(TestBackend::new(w, h)).expect("test backend");
    let mut app = app.clone();
    app.resize(w, h);
    let v = app.view();
    term.draw(|f| view::render(&v, f.area(), f.buffer_mut())).expect("draw");
    format!("{}", term.backend())
}

/// Snapshots the app's screen at every size as `{name}@{w}x{h}`.
fn shot<A: App + Clone>(app: &A, name: &str) {
    for (w, h) in SIZES {
        insta::assert_snapshot!(format!("{name}@{w}x{h}"), screen(app, w, h));
    }
}

/// A picker logged in, holding task 12 in progress.
fn picker_on_task() -> Picker {
    on_task(Picker::new(Input::default()))
}

/// `p` logged in, holding task 12 in progress.
fn on_task(mut p: Picker) -> Picker {
    enter(&mut p, "P-001", true);
    enter(&mut p, "4711", false);
    assert_eq!(reply(&mut p, session("picker")), [Cmd::Call(Call::Claim { queue: QueueDto::Picking })]);
    let claimed = Outcome::Claimed { queue: QueueDto::Picking, task_id: Some(12), resumed: false, next_task_id: None };
    assert_eq!(reply(&mut p, Reply::Outcome(Ok(claimed))), [Cmd::Call(Call::PickingTask { id: 12 })]);
    assert_eq!(
        reply(&mut p, Reply::PickingTask(Ok(picking_task("assigned", three_items())))),
        [Cmd::Call(Call::Op(FloorOp::StartPicking { task_id: 12 }))]
    );
    reply(&mut p, Reply::Outcome(Ok(picking_outcome("in_progress"))));
    reply(&mut p, Reply::PickingTask(Ok(picking_task("in_progress", three_items()))));
    p
}

#[test]
fn picker_login_screens() {
    let mut p = Picker::new(Input::default());
    shot(&p, "pick_login_badge");
    enter(&mut p, "P-001", true);
    "47".chars().for_each(|c| drop(p.update(Msg::Key(KeyIn::char(c, 1)))));
    shot(&p, "pick_login_pin");
    let cmds = enter(&mut p, "11", false);
    assert_eq!(cmds, [Cmd::Call(Call::Login { badge: "P-001".into(), pin: "4711".into() })]);
    shot(&p, "pick_login_busy");
    let bad = Failure::domain(&DomainError::Unauthenticated { reason: "wrong PIN".into() });
    assert_eq!(reply(&mut p, Reply::Session(Err(bad))), [Cmd::Beep]);
    shot(&p, "pick_login_refused");
    assert!(p.view().lines.iter().any(|l| l.contains("wrong PIN")), "says why, not only the code");
    enter(&mut p, "P-001", true);
    enter(&mut p, "11", false);
    let locked = Failure::domain(&DomainError::LockedOut { until: "09:15 UTC on 2026-12-02".into() });
    reply(&mut p, Reply::Session(Err(locked)));
    assert!(p.view().lines.iter().any(|l| l.contains("until 09:15 UTC")), "{:?}", p.view());
}

#[test]
fn picker_walks_a_task() {
    let mut p = picker_on_task();
    assert_eq!(p.step(), &picker::Step::Location);
    shot(&p, "pick_location");
    // A wrong shelf beeps and names the error in 20 columns.
    assert_eq!(enter(&mut p, "B-99-99", true), [Cmd::Beep]);
    shot(&p, "pick_wrong_location");
    // The check digits typed from a damaged label are accepted.
    assert!(enter(&mut p, "11", false).is_empty());
    shot(&p, "pick_item");
    assert_eq!(enter(&mut p, "4006381333948", true), [Cmd::Beep], "the tea is not the mug");
    shot(&p, "pick_wrong_item");
    // One unit required: the item scan sends the pick at once.
    let pick = enter(&mut p, "4006381333931", true);
    assert_eq!(
        pick,
        [Cmd::Call(Call::Op(FloorOp::Pick {
            task_id: 12,
            item_id: 1,
            scan: PickScans::new("11", "4006381333931", 1)
        }))],
        "the op carries what was scanned, not what was expected"
    );
    shot(&p, "pick_saving");
    let mut items = three_items();
    items[0].picked = 1;
    items[0].status = wire("picked");
    assert_eq!(
        reply(&mut p, Reply::Outcome(Ok(picking_outcome("in_progress")))),
        [Cmd::Call(Call::PickingTask { id: 12 })]
    );
    reply(&mut p, Reply::PickingTask(Ok(picking_task("in_progress", items.clone()))));
    // Four required: scans count up, typed digits set the count, F1 sends.
    enter(&mut p, "b-02-03", true);
    enter(&mut p, "SKU-TEA", true);
    assert_eq!(p.step(), &picker::Step::Quantity { count: 1 });
    enter(&mut p, "4006381333948", true);
    shot(&p, "pick_quantity");
    assert_eq!(enter(&mut p, "5", false), [Cmd::Beep], "over-pick refused");
    shot(&p, "pick_over_pick");
    assert!(enter(&mut p, "3", false).is_empty());
    assert_eq!(
        key(&mut p, KeyName::F(1)),
        [Cmd::Call(Call::Op(FloorOp::Pick {
            task_id: 12,
            item_id: 2,
            scan: PickScans::new("b-02-03", "4006381333948", 3)
        }))]
    );
    // The server refuses: the step comes back with the server's short error.
    let refused = Failure::domain(&DomainError::OverPick { requested: Qty(4), remaining: Qty(3) });
    assert_eq!(reply(&mut p, Reply::Outcome(Err(refused))), [Cmd::Beep]);
    assert_eq!(p.step(), &picker::Step::Location);
}

/// A "no network" line goes once the terminal is back online, instead of
/// staying on screen and following onto the next task (issue 16).
#[test]
fn a_no_network_line_clears_when_the_terminal_is_back_online() {
    let mut p = picker_on_task();
    enter(&mut p, "A-01-01", true);
    assert!(matches!(enter(&mut p, "4006381333931", true).as_slice(), [Cmd::Call(Call::Op(FloorOp::Pick { .. }))]));
    let lost = Failure::network("timed out");
    let short = lost.short.clone();
    assert_eq!(reply(&mut p, Reply::Outcome(Err(lost))), [Cmd::Beep]);
    assert!(screen(&p, 20, 16).contains(&short), "{}", screen(&p, 20, 16));
    let offline = tote::tui::SyncStatus { online: false, queued: 1, oldest_age_s: Some(4) };
    p.update(Msg::Sync(offline));
    assert!(screen(&p, 20, 16).contains(&short), "still offline: the line stays");
    p.update(Msg::Sync(tote::tui::SyncStatus { online: true, queued: 0, oldest_age_s: None }));
    assert!(!screen(&p, 20, 16).contains(&short), "{}", screen(&p, 20, 16));
}

#[test]
fn picker_shorts_skips_and_completes() {
    let mut p = picker_on_task();
    key(&mut p, KeyName::Esc);
    shot(&p, "pick_menu");
    enter(&mut p, "1", false);
    shot(&p, "pick_short_found");
    assert_eq!(enter(&mut p, "1", false), [Cmd::Beep], "found must be below the required 1");
    enter(&mut p, "0", false);
    shot(&p, "pick_short_reason");
    let cmds = enter(&mut p, "2", false);
    assert_eq!(
        cmds,
        [Cmd::Call(Call::Op(FloorOp::Short { task_id: 12, item_id: 1, quantity: 0, reason: "damaged".into() }))]
    );
    let mut items = three_items();
    items[0].status = wire("short");
    reply(&mut p, Reply::Outcome(Ok(picking_outcome("in_progress"))));
    reply(&mut p, Reply::PickingTask(Ok(picking_task("in_progress", items.clone()))));
    key(&mut p, KeyName::Esc);
    enter(&mut p, "2", false);
    shot(&p, "pick_skip_reason");
    assert_eq!(
        enter(&mut p, "3", false),
        [Cmd::Call(Call::Op(FloorOp::Skip { task_id: 12, item_id: 2, reason: "no_access".into() }))]
    );
    for i in &mut items[1..] {
        i.status = wire("skipped");
    }
    reply(&mut p, Reply::Outcome(Ok(picking_outcome("in_progress"))));
    reply(&mut p, Reply::PickingTask(Ok(picking_task("in_progress", items))));
    assert_eq!(p.step(), &picker::Step::AllDone);
    shot(&p, "pick_all_done");
    assert_eq!(key(&mut p, KeyName::F(1)), [Cmd::Call(Call::Op(FloorOp::CompletePicking { task_id: 12 }))]);
    reply(&mut p, Reply::Outcome(Ok(picking_outcome("completed"))));
    shot(&p, "pick_finished");
    assert_eq!(key(&mut p, KeyName::F(1)), [Cmd::Call(Call::Claim { queue: QueueDto::Picking })]);
    let none = Outcome::Claimed { queue: QueueDto::Picking, task_id: None, resumed: false, next_task_id: None };
    reply(&mut p, Reply::Outcome(Ok(none)));
    shot(&p, "pick_no_work");
    // No work: every tick asks again.
    assert_eq!(p.update(Msg::Tick), [Cmd::Call(Call::Claim { queue: QueueDto::Picking })]);
}

#[test]
fn a_supervisor_cancellation_reaches_the_picker_on_the_next_poll() {
    let mut p = picker_on_task();
    enter(&mut p, "A-01-01", true);
    assert_eq!(p.update(Msg::Tick), [Cmd::Call(Call::PickingTask { id: 12 })]);
    // A poll that shows no change leaves the step alone.
    reply(&mut p, Reply::PickingTask(Ok(picking_task("in_progress", three_items()))));
    assert_eq!(p.step(), &picker::Step::Item);
    let mut cancelled = picking_task("cancelled", three_items());
    cancelled.cancellation_reason = Some("customer cancelled".into());
    assert_eq!(reply(&mut p, Reply::PickingTask(Ok(cancelled))), [Cmd::Beep]);
    shot(&p, "pick_cancelled");
    let s = screen(&p, 20, 16);
    assert!(s.contains("Nothing to put back"), "nothing was picked yet: {s}");
    assert_eq!(key(&mut p, KeyName::F(1)), [Cmd::Call(Call::Claim { queue: QueueDto::Picking })]);
}

/// `[floor] auto_next`: the task's last pick completes it with no key, the
/// next task is claimed, and its screen says where the last tote goes.
#[test]
fn auto_next_completes_claims_and_says_where_the_tote_goes() {
    let mut p = on_task(Picker::new(Input::default()).with_auto_next(true));
    // The one mug left: its location and item scans are the last pick.
    let mut items = three_items();
    for i in &mut items[1..] {
        i.picked = i.required;
        i.status = wire("picked");
    }
    reply(&mut p, Reply::PickingTask(Ok(picking_task("in_progress", items.clone()))));
    enter(&mut p, "A-01-01", true);
    let cmds = enter(&mut p, "4006381333931", true);
    assert!(matches!(cmds.as_slice(), [Cmd::Call(Call::Op(FloorOp::Pick { .. }))]), "{cmds:?}");
    reply(&mut p, Reply::Outcome(Ok(picking_outcome("in_progress"))));
    items[0].picked = 1;
    items[0].status = wire("picked");
    let cmds = reply(&mut p, Reply::PickingTask(Ok(picking_task("in_progress", items))));
    assert_eq!(cmds, [Cmd::Call(Call::Op(FloorOp::CompletePicking { task_id: 12 }))], "no key");
    let cmds = reply(&mut p, Reply::Outcome(Ok(picking_outcome("completed"))));
    assert_eq!(cmds, [Cmd::Call(Call::Claim { queue: QueueDto::Picking })]);
    let claimed = Outcome::Claimed { queue: QueueDto::Picking, task_id: Some(12), resumed: false, next_task_id: None };
    reply(&mut p, Reply::Outcome(Ok(claimed)));
    reply(&mut p, Reply::PickingTask(Ok(picking_task("in_progress", three_items()))));
    assert_eq!(p.step(), &picker::Step::Location);
    shot(&p, "pick_auto_next");
    assert!(screen(&p, 20, 16).contains("#12 tote: pack #5"), "{}", screen(&p, 20, 16));
}

/// A cancel at "All items done" reaches the picker on the next tick (not
/// only after F1), and the screen says what goes back where, each refusal
/// once.
#[test]
fn a_cancel_at_all_items_done_lists_what_goes_back_where() {
    let mut p = picker_on_task();
    let mut done = three_items();
    for i in &mut done {
        i.picked = i.required;
        i.status = wire("picked");
    }
    reply(&mut p, Reply::PickingTask(Ok(picking_task("in_progress", done.clone()))));
    assert_eq!(p.step(), &picker::Step::AllDone);
    assert_eq!(p.update(Msg::Tick), [Cmd::Call(Call::PickingTask { id: 12 })], "a tick looks again");
    let refusal = tote::tui::Failure {
        kind: tote::tui::FailureKind::Rejected(tote::domain::error::ErrorKind::Conflict),
        code: "E003".into(),
        short: "E003 not allowed".into(),
        message: "task cancelled".into(),
    };
    p.update(Msg::Rejected(FloorOp::CompletePicking { task_id: 12 }, refusal));
    let mut cancelled = picking_task("cancelled", done);
    cancelled.cancellation_reason = Some("cancelled from the board".into());
    reply(&mut p, Reply::PickingTask(Ok(cancelled)));
    shot(&p, "pick_cancelled_put_back");
    let s = screen(&p, 20, 16);
    assert!(s.contains("Put back:") && s.contains("1 SKU-MUG >A-01-01") && s.contains("4 SKU-TEA >B-02-03"), "{s}");
    assert_eq!(s.matches("E003").count(), 1, "the refusal once: {s}");
}

/// 20x16 uses its rows: a long SKU and a long name wrap onto the blank
/// rows instead of being cut at 20 columns.
#[test]
fn a_long_sku_and_name_wrap_onto_the_blank_rows() {
    let mut p = picker_on_task();
    let mut items = three_items();
    items[0].sku = "SKU-ENAMEL-MUG-350-NAVY-BLUE".into();
    items[0].name = "Enamel camping mug 350 ml, navy blue, with a lid".into();
    reply(&mut p, Reply::PickingTask(Ok(picking_task("in_progress", items))));
    shot(&p, "pick_long_names");
    let s = screen(&p, 20, 16);
    let rows: Vec<&str> = s.lines().map(|l| l.trim_matches('"').trim_end()).collect();
    assert!(rows.contains(&"1 x SKU-ENAMEL-MUG-3") && rows.contains(&"50-NAVY-BLUE"), "{s}");
    assert!(rows.contains(&"Enamel camping mug") && rows.contains(&"with a lid"), "{s}");
}

/// A task given to another picker mid-task: its picked units stay with
/// it, so the screen says to hand the tote over, not to put anything back.
#[test]
fn a_task_given_to_another_picker_says_to_hand_the_tote_over() {
    let mut p = picker_on_task();
    let mut moved = picked_task();
    moved.worker_id = Some(2);
    moved.status = wire("in_progress");
    assert_eq!(reply(&mut p, Reply::PickingTask(Ok(moved))), [Cmd::Beep]);
    assert_eq!(p.step(), &picker::Step::Reassigned);
    shot(&p, "pick_reassigned");
    let s = screen(&p, 20, 16);
    assert!(s.contains("Hand over the tote:") && s.contains("1 SKU-MUG") && s.contains("3 SKU-TEA"), "{s}");
    assert!(!s.contains("Put back"), "{s}");
    assert_eq!(key(&mut p, KeyName::F(1)), [Cmd::Call(Call::Claim { queue: QueueDto::Picking })]);
}

fn picked_task() -> PickingTaskView {
    let mut items = three_items();
    for (i, picked) in items.iter_mut().zip([1, 3, 0]) {
        i.picked = picked;
        i.status = wire(if picked == 0 { "short" } else { "picked" });
    }
    picking_task("completed", items)
}

fn packer_verifying() -> Packer {
    let mut k = Packer::new(Input::default());
    enter(&mut k, "K-001", true);
    enter(&mut k, "4711", false);
    reply(&mut k, session("packer"));
    assert_eq!(k.step(), &packer::Step::Find);
    shot(&k, "pack_find");
    assert_eq!(enter(&mut k, "TOTE-12", true), [Cmd::Call(Call::PickingTask { id: 12 })]);
    assert_eq!(
        reply(&mut k, Reply::PickingTask(Ok(picked_task()))),
        [Cmd::Call(Call::PackingTasksOfOrder { order: 7 })]
    );
    assert_eq!(
        reply(&mut k, Reply::PackingTasks(Ok(vec![packing_task("pending")]))),
        [Cmd::Call(Call::Op(FloorOp::StartPacking { task_id: 5 }))]
    );
    let started = Outcome::Packing { task_id: 5, status: wire("in_progress"), packages: 1, sequence: None };
    assert_eq!(reply(&mut k, Reply::Outcome(Ok(started))), [Cmd::Call(Call::PickingTask { id: 12 })]);
    reply(&mut k, Reply::PickingTask(Ok(picked_task())));
    k
}

fn saved() -> Reply {
    Reply::Outcome(Ok(Outcome::Packing { task_id: 5, status: wire("in_progress"), packages: 1, sequence: Some(1) }))
}

#[test]
fn packer_verifies_boxes_and_prints() {
    let mut k = packer_verifying();
    assert_eq!(k.step(), &packer::Step::Verify);
    shot(&k, "pack_verify");
    // Names, and the shorted lines: one unit of tea, and the pens not at all.
    let s = screen(&k, 20, 16);
    assert!(s.contains("Enamel mug") && s.contains("1 short; Black tea"), "{s}");
    assert!(s.contains("+ 0/0 SKU-PEN") && s.contains("2 short"), "{s}");
    assert!(enter(&mut k, "4006381333931", true).is_empty());
    assert_eq!(enter(&mut k, "SKU-MUG", true), [Cmd::Beep], "over-scan beeps");
    shot(&k, "pack_over_scan");
    assert_eq!(enter(&mut k, "SKU-PEN", true), [Cmd::Beep], "a shorted item is not in the box");
    assert_eq!(key(&mut k, KeyName::F(1)), [Cmd::Beep], "confirm before every unit is scanned");
    for _ in 0..3 {
        enter(&mut k, "SKU-TEA", true);
    }
    assert_eq!(k.step(), &packer::Step::Packaging);
    shot(&k, "pack_packaging");
    enter(&mut k, "1", false);
    shot(&k, "pack_weight");
    assert_eq!(enter(&mut k, "0", false), [Cmd::Beep], "zero weight refused");
    shot(&k, "pack_zero_weight");
    for v in ["1800", "300", "200"] {
        assert!(enter(&mut k, v, false).is_empty());
    }
    shot(&k, "pack_height");
    // A packer restarted here comes back on the same box, measures and all.
    let snap = k.snapshot().expect("a packer keeps a snapshot");
    let mut again = Packer::new(Input::default());
    again.restore(&snap);
    assert_eq!((again.step(), again.view()), (k.step(), k.view()));
    assert_eq!(again.token(), k.token());
    let package = PackageDto {
        packaging_type: PackagingTypeDto::Box,
        weight_g: 1800,
        length_mm: 300,
        width_mm: 200,
        height_mm: 150,
    };
    assert_eq!(
        enter(&mut k, "150", false),
        [Cmd::Call(Call::Op(FloorOp::PackageDetails { task_id: 5, sequence: 1, package }))]
    );
    reply(&mut k, saved());
    shot(&k, "pack_box_saved");
    // A second box goes through AddPackage.
    key(&mut k, KeyName::F(4));
    enter(&mut k, "3", false);
    for v in ["250", "250", "180"] {
        enter(&mut k, v, false);
    }
    let envelope = PackageDto {
        packaging_type: PackagingTypeDto::Envelope,
        weight_g: 250,
        length_mm: 250,
        width_mm: 180,
        height_mm: 20,
    };
    assert_eq!(
        enter(&mut k, "20", false),
        [Cmd::Call(Call::Op(FloorOp::AddPackage { task_id: 5, package: envelope }))]
    );
    reply(&mut k, saved());
    assert_eq!(key(&mut k, KeyName::F(1)), [Cmd::Call(Call::Op(FloorOp::CompletePacking { task_id: 5 }))]);
    let packed = Outcome::Packing { task_id: 5, status: wire("packed"), packages: 2, sequence: None };
    assert_eq!(reply(&mut k, Reply::Outcome(Ok(packed))), [Cmd::Call(Call::Labels { task: 5 })]);
    let labels = Labels {
        task_id: 5,
        tracking_numbers: vec!["TT953439840RS".into(), "TT120471145RS".into()],
        labels: vec!["^XA^FDone^XZ".into(), "^XA^FDtwo^XZ".into()],
    };
    assert_eq!(
        reply(&mut k, Reply::Labels(Ok(labels))),
        [
            Cmd::Print { key: "pack-5-pkg-1".into(), zpl: "^XA^FDone^XZ".into(), again: None },
            Cmd::Print { key: "pack-5-pkg-2".into(), zpl: "^XA^FDtwo^XZ".into(), again: None },
        ]
    );
    k.update(Msg::Printed(Ok("printed".into())));
    shot(&k, "pack_done");
    // Scanning a box's tracking number reprints that box's label.
    assert_eq!(
        enter(&mut k, "TT120471145RS", true),
        [Cmd::Reprint { key: "pack-5-pkg-2".into(), reason: "box scanned at station".into() }]
    );
    assert_eq!(enter(&mut k, "TT000000000RS", true), [Cmd::Beep]);
    k.update(Msg::Printed(Err("print failed: paper out".into())));
    shot(&k, "pack_print_failed");
    k.update(Msg::Sync(tote::tui::SyncStatus { online: false, queued: 1, oldest_age_s: Some(5) }));
    key(&mut k, KeyName::F(1));
    assert_eq!(k.step(), &packer::Step::Find);
    assert_eq!(k.view().status, "OFF q1 5s", "the next order keeps the status bar");
}

#[test]
fn packer_takes_the_next_task_from_the_queue() {
    let mut k = Packer::new(Input::default());
    enter(&mut k, "K-001", true);
    enter(&mut k, "4711", false);
    reply(&mut k, session("packer"));
    assert_eq!(key(&mut k, KeyName::F(4)), [Cmd::Call(Call::Claim { queue: QueueDto::Packing })]);
    let claimed = Outcome::Claimed { queue: QueueDto::Packing, task_id: Some(5), resumed: false, next_task_id: None };
    assert_eq!(reply(&mut k, Reply::Outcome(Ok(claimed))), [Cmd::Call(Call::PackingTask { id: 5 })]);
    // The claim already started it: the items are loaded next.
    assert_eq!(
        reply(&mut k, Reply::PackingTask(Ok(packing_task("in_progress")))),
        [Cmd::Call(Call::PickingTask { id: 12 })]
    );
    assert_eq!(enter(&mut k, "hello", true), vec![], "busy: keys wait for the answer");
    reply(&mut k, Reply::PickingTask(Ok(picked_task())));
    assert_eq!(k.step(), &packer::Step::Verify);
}

#[test]
fn a_tiny_terminal_says_what_it_needs() {
    let p = Picker::new(Input::default());
    let s = screen(&p, 19, 7);
    assert!(s.contains("too small:") && s.contains("need 20x8"), "{s}");
}

#[test]
fn offline_status_refusals_and_resume() {
    let mut p = picker_on_task();
    enter(&mut p, "A-01-01", true);
    p.update(Msg::Sync(tote::tui::SyncStatus { online: false, queued: 3, oldest_age_s: Some(125) }));
    shot(&p, "pick_offline");
    // At 20 columns the task number stays and the queue's age gives way.
    let narrow = screen(&p, 20, 16);
    assert!(narrow.contains("#12") && narrow.contains("OFF q3"), "{narrow}");
    assert!(screen(&p, 40, 8).contains("OFF q3 2m"), "{}", screen(&p, 40, 8));

    // A restarted picker with the same device comes back on the same item and step.
    let snap = p.snapshot().expect("a picker keeps a snapshot");
    let mut again = Picker::new(Input::default());
    again.restore(&snap);
    assert_eq!(again.step(), &picker::Step::Item);
    assert_eq!(again.view().big.as_deref(), Some("A-01-01"));
    assert_eq!(again.token(), Some("t"));

    // The server refused a queued pick (the task was cancelled meanwhile):
    // the picker beeps, says why, and takes the server's copy.
    let why =
        Failure::domain(&DomainError::IllegalTransition { entity: "picking task", from: "cancelled", action: "pick" });
    let op = FloorOp::Pick { task_id: 12, item_id: 1, scan: PickScans::new("A-01-01", "SKU-MUG", 1) };
    assert_eq!(p.update(Msg::Rejected(op, why)), [Cmd::Beep, Cmd::Call(Call::PickingTask { id: 12 })]);
    let mut cancelled = picking_task("cancelled", three_items());
    cancelled.cancellation_reason = Some("customer cancelled".into());
    reply(&mut p, Reply::PickingTask(Ok(cancelled)));
    let s = screen(&p, 20, 16);
    assert!(s.contains("E003 not allowed") && s.contains("customer cancelled"), "{s}");
    assert_eq!(s.matches("E003").count(), 1, "the refusal once: {s}");
    shot(&p, "pick_refused");
}

#[test]
fn a_box_packed_offline_defers_its_label() {
    let mut k = packer_verifying();
    for sku in ["SKU-MUG", "SKU-TEA", "SKU-TEA", "SKU-TEA"] {
        enter(&mut k, sku, true);
    }
    enter(&mut k, "1", false);
    for v in ["900", "300", "200", "150"] {
        enter(&mut k, v, false);
    }
    reply(&mut k, saved());
    key(&mut k, KeyName::F(1));
    // The queue answered the completion locally; the label needs the server.
    let packed = Outcome::Packing { task_id: 5, status: wire("packed"), packages: 1, sequence: None };
    assert_eq!(reply(&mut k, Reply::Outcome(Ok(packed))), [Cmd::Call(Call::Labels { task: 5 })]);
    assert_eq!(reply(&mut k, Reply::Labels(Err(Failure::network("connection refused")))), [Cmd::Beep]);
    assert_eq!(k.step(), &packer::Step::Done);
    shot(&k, "pack_label_deferred");
    assert_eq!(key(&mut k, KeyName::F(4)), [Cmd::Call(Call::Labels { task: 5 })], "F4 asks again");
}

/// The dock: a parcel loaded, then one that must come off the truck.
#[test]
fn dock_loads_parcels_and_refuses_one_that_must_stay() {
    let mut d = Dock::new(Job::Dock, Input::default());
    shot(&d, "dock_login");
    enter(&mut d, "B-200", true);
    enter(&mut d, "4711", false);
    reply(&mut d, session("packer"));
    let call = enter(&mut d, "TT000000017RS", true);
    assert_eq!(call, [Cmd::Call(Call::Dispatch { tracking: "TT000000017RS".into() })]);
    let loaded = Outcome::Dispatched { parcels: vec!["TT000000017RS".into()], fulfillments: vec![4] };
    assert!(reply(&mut d, Reply::Outcome(Ok(loaded))).is_empty());
    shot(&d, "dock_loaded");
    enter(&mut d, "TT000000021RS", true);
    let refused =
        DomainError::WorkflowRefused { reason: "the order is cancelled: take the parcel off the truck".into() };
    assert_eq!(reply(&mut d, Reply::Outcome(Err(Failure::domain(&refused)))), [Cmd::Beep]);
    shot(&d, "dock_refused");
    // Offline: the scan is not kept; it says to scan again.
    enter(&mut d, "TT000000022RS", true);
    assert_eq!(reply(&mut d, Reply::Outcome(Err(Failure::network("timed out")))), [Cmd::Beep]);
    assert!(d.view().flash.is_some_and(|f| f.text.contains("scan again")));
}

/// Put-back: the task's shelves, a wrong shelf, then nothing left.
#[test]
fn put_back_lists_shelves_and_refuses_a_wrong_one() {
    let mut d = Dock::new(Job::PutBack, Input::default());
    enter(&mut d, "B-100", true);
    enter(&mut d, "4711", false);
    assert_eq!(reply(&mut d, session("picker")), [Cmd::Call(Call::PutBacks)]);
    reply(&mut d, Reply::PutBacks(Ok(vec![put_back_task(&[("SKU-A", 2, "A-01"), ("SKU-B", 1, "B-01")])])));
    shot(&d, "put_back_task");
    assert_eq!(enter(&mut d, "A-02", true), [Cmd::Call(Call::PutBack { task: 7, location: "A-02".into() })]);
    let wrong = DomainError::WrongLocation { expected: "A-01 or B-01".into(), scanned: "A-02".into() };
    assert_eq!(reply(&mut d, Reply::Outcome(Err(Failure::domain(&wrong)))), [Cmd::Beep]);
    shot(&d, "put_back_wrong_shelf");
    enter(&mut d, "A-01", true);
    let put = Outcome::PutBack { task_id: 7, put: 2, left: 1 };
    assert_eq!(reply(&mut d, Reply::Outcome(Ok(put))), [Cmd::Call(Call::PutBacks)]);
    reply(&mut d, Reply::PutBacks(Ok(vec![])));
    shot(&d, "put_back_nothing_left");
}

/// A wrong order or a damaged unit must not block the station: F3 leaves
/// Verify, back to Find; with units scanned it asks why, and the reason
/// goes to the server as an op (kept on the task for the next packer).
#[test]
fn packer_backs_out_of_verify() {
    let mut k = packer_verifying();
    assert!(key(&mut k, KeyName::F(3)).is_empty(), "nothing scanned: leaves at once");
    assert_eq!(k.step(), &packer::Step::Find);
    assert_eq!(k.view().flash.map(|f| f.text).as_deref(), Some("Left order 7"));
    let mut k = packer_verifying();
    enter(&mut k, "SKU-TEA", true);
    assert!(key(&mut k, KeyName::F(3)).is_empty());
    assert_eq!(k.step(), &packer::Step::SetAside, "units scanned: asks why");
    shot(&k, "pack_verify_leave");
    assert!(key(&mut k, KeyName::F(3)).is_empty());
    assert_eq!(k.step(), &packer::Step::Verify, "F3 again: back to Verify, the scans kept");
    assert!(screen(&k, 20, 16).contains("1/4 SKU-TEA") || screen(&k, 20, 16).contains("1/3 SKU-TEA"));
    key(&mut k, KeyName::F(3));
    assert_eq!(enter(&mut k, "7", false), [Cmd::Beep], "not a reason");
    let cmds = enter(&mut k, "1", false);
    let reason = tote::domain::packing::SetAsideReason::DamagedUnit;
    assert_eq!(cmds, [Cmd::Call(Call::Op(FloorOp::SetAside { task_id: 5, reason }))]);
    assert_eq!(k.step(), &packer::Step::Find);
    assert_eq!(k.view().flash.map(|f| f.text).as_deref(), Some("Set aside 7: damaged unit"));
}

/// A measure that is not plausible says what is wrong with it.
#[test]
fn packer_measures_say_what_is_wrong() {
    let mut k = packer_verifying();
    for _ in 0..3 {
        enter(&mut k, "SKU-TEA", true);
    }
    enter(&mut k, "4006381333931", true);
    enter(&mut k, "1", false);
    assert_eq!(enter(&mut k, "99999999999", false), [Cmd::Beep]);
    shot(&k, "pack_weight_over_limit");
    for (text, says) in [("abc", "E001 not a number"), ("12.5", "E001 whole numbers"), ("-5", "E001 above zero")] {
        assert_eq!(enter(&mut k, text, false), [Cmd::Beep], "{text}");
        assert_eq!(k.view().flash.map(|f| f.text).as_deref(), Some(says), "{text}");
    }
    enter(&mut k, "350", false);
    assert_eq!(enter(&mut k, "4000000000", false), [Cmd::Beep]);
    assert_eq!(k.view().flash.map(|f| f.text).as_deref(), Some("E001 over 3000 mm"));
}
