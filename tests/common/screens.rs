//! Values and keys for the floor models' screen tests (`tests/tui_screens.rs`):
//! a task of three items, its outcomes, a packing task, a put-back task,
//! and keys typed as a person or a scanner types them.

use tote::app::command::Outcome;
use tote::app::task_views::{PackingTaskView, PickingItemView, PickingTaskView};
use tote::keymap::KeyName;
use tote::tui::{App, Cmd, KeyIn, Msg, Reply, Session};

/// A status or priority by its wire name, as a test writes it.
pub fn wire<T: serde::de::DeserializeOwned>(name: &str) -> T {
    serde_json::from_value(serde_json::Value::String(name.into())).unwrap_or_else(|e| panic!("{name}: {e}"))
}
/// Typed slowly (a person) or fast (a scanner), then Enter.
pub fn enter<A: App>(app: &mut A, text: &str, scanner: bool) -> Vec<Cmd> {
    let gap = if scanner { 2 } else { 150 };
    let mut t = 10_000;
    let mut cmds = vec![];
    for c in text.chars() {
        t += gap;
        cmds.extend(app.update(Msg::Key(KeyIn::char(c, t))));
    }
    cmds.extend(app.update(Msg::Key(KeyIn::enter(t + gap))));
    cmds
}

pub fn key<A: App>(app: &mut A, name: KeyName) -> Vec<Cmd> {
    app.update(Msg::Key(KeyIn::named(name, 0)))
}

pub fn reply<A: App>(app: &mut A, r: Reply) -> Vec<Cmd> {
    app.update(Msg::Reply(r))
}

pub fn session(role: &str) -> Reply {
    Reply::Session(Ok(Session { token: "t".into(), worker_id: 1, name: "Pia".into(), role: role.into() }))
}

pub fn item(id: i64, loc: &str, check: &str, sku: &str, barcode: &str, name: &str, required: u32) -> PickingItemView {
    PickingItemView {
        walk_order: 0,
        item_id: id,
        sequence: id as u32,
        location: loc.into(),
        check_digits: Some(check.into()),
        sku: sku.into(),
        barcode: Some(barcode.into()),
        name: name.into(),
        required,
        picked: 0,
        status: wire("pending"),
        reason: None,
    }
}

pub fn picking_task(status: &str, items: Vec<PickingItemView>) -> PickingTaskView {
    let done = items.iter().filter(|i| i.status.as_str() != "pending").count();
    PickingTaskView {
        task_id: 12,
        order_id: 7,
        fulfillment_id: 7,
        warehouse_id: 1,
        worker_id: Some(1),
        status: wire(status),
        priority: wire("high"),
        total_items: items.len(),
        done_items: done,
        next_item_id: items.iter().find(|i| i.status.as_str() == "pending").map(|i| i.item_id),
        created_at: "2026-05-04T08:00:00Z".parse().expect("a time"),
        started_at: None,
        completed_at: None,
        cancellation_reason: None,
        items,
    }
}

pub fn three_items() -> Vec<PickingItemView> {
    vec![
        item(1, "A-01-01", "11", "SKU-MUG", "4006381333931", "Enamel mug 350 ml", 1),
        item(2, "B-02-03", "23", "SKU-TEA", "4006381333948", "Black tea 100 g", 4),
        item(3, "C-11-04", "14", "SKU-PEN", "4006381333955", "", 2),
    ]
}

pub fn picking_outcome(status: &str) -> Outcome {
    Outcome::Picking {
        task_id: 12,
        status: wire(status),
        done: 0,
        total: 3,
        next_item_id: None,
        packing_task_id: (status == "completed").then_some(5),
    }
}

pub fn packing_task(status: &str) -> PackingTaskView {
    PackingTaskView {
        task_id: 5,
        order_id: 7,
        fulfillment_id: 7,
        picking_task_id: 12,
        warehouse_id: 1,
        worker_id: Some(2),
        status: wire(status),
        priority: wire("high"),
        tracking_number: None,
        created_at: "2026-05-04T08:00:00Z".parse().expect("a time"),
        packed_at: None,
        cancellation_reason: None,
        packages: vec![],
        set_aside: None,
        set_aside_at: None,
    }
}

pub fn put_back_task(lines: &[(&str, u32, &str)]) -> tote::storage::put_back::PutBackTask {
    let lines = lines
        .iter()
        .enumerate()
        .map(|(n, (sku, quantity, location))| tote::storage::put_back::PutBackLine {
            line_id: n as i64 + 1,
            slot_id: n as i64 + 1,
            location: (*location).into(),
            sku: (*sku).into(),
            quantity: *quantity,
            put_at: None,
        })
        .collect();
    tote::storage::put_back::PutBackTask {
        task_id: 7,
        warehouse_id: 1,
        picking_task_id: 3,
        status: wire("pending"),
        reason: "customer called".into(),
        created_at: chrono::DateTime::from_timestamp(1_780_000_000, 0).expect("time"),
        lines,
    }
}
