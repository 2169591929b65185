use super::*;
use crate::domain::ids::{FulfillmentId, WarehouseId};
use chrono::{TimeZone, Utc};
use proptest::prelude::*;

fn now() -> Timestamp {
    Utc.with_ymd_and_hms(2026, 3, 1, 8, 0, 0).single().unwrap_or_default()
}

fn item(id: i64, loc: &str, sku: &str, required: u32, seq: u32) -> PickingItem {
    PickingItem {
        walk_order: 0,
        id: PickingItemId(id),
        sku: Sku::parse(sku, "sku").unwrap_or_else(|_| unreachable!()),
        barcode: Some(format!("0400000{id}")),
        name: String::new(),
        location_id: LocationId(id),
        location_code: loc.into(),
        check_digits: Some(format!("{id}{id}")),
        slot_id: SlotId(id),
        reservation_id: ReservationId(id),
        required: Qty(required),
        picked: Qty(0),
        status: IS::Pending,
        sequence: seq,
        reason: None,
        picked_at: None,
    }
}

fn task(items: Vec<PickingItem>) -> PickingTask {
    PickingTask {
        id: PickingTaskId(1),
        order_id: OrderId(1),
        warehouse_id: WarehouseId(1),
        fulfillment_id: FulfillmentId(1),
        worker_id: None,
        status: PS::Pending,
        priority: Priority::Normal,
        items,
        created_at: now(),
        started_at: None,
        completed_at: None,
        cancelled_at: None,
        cancellation_reason: None,
    }
}

fn started(items: Vec<PickingItem>) -> PickingTask {
    let mut t = task(items);
    assert_eq!(t.assign(WorkerId(7)), Ok(()));
    assert_eq!(t.start(WorkerId(7), now()), Ok(()));
    t
}

/// One pick on a fresh in-progress task with item 1 = A-01 / SKU1 x3:
/// `expected` is `Ok((item status, picked))` or `Err(code)`.
fn check_pick(actor: Option<i64>, loc: &str, sku: &str, qty: u32, expected: Result<(IS, u32), &str>) {
    let mut t = started(vec![item(1, "A-01", "SKU1", 3, 1)]);
    let scan = PickScan { location: loc, item: ItemScan::text(sku), qty: Qty(qty), tote: None };
    let got =
        t.pick(PickingItemId(1), actor.map(WorkerId), &scan, now()).map(|_| (t.items[0].status, t.items[0].picked.0));
    assert_eq!(got.map_err(|e| e.code()), expected, "{loc} {sku} {qty}");
}

#[test]
fn pick_cases() {
    check_pick(Some(7), "A-01", "SKU1", 3, Ok((IS::Picked, 3)));
    check_pick(Some(7), "a-01", "sku1", 1, Ok((IS::Pending, 1)));
    check_pick(Some(7), "11", "04000001", 2, Ok((IS::Pending, 2)));
    check_pick(None, "A-01", "SKU1", 3, Ok((IS::Picked, 3)));
    check_pick(Some(7), "B-02", "SKU1", 1, Err("E101"));
    check_pick(Some(7), "A-01", "SKU2", 1, Err("E102"));
    check_pick(Some(7), "A-01", "SKU1", 4, Err("E103"));
    check_pick(Some(7), "A-01", "SKU1", 0, Err("E001"));
    check_pick(Some(8), "A-01", "SKU1", 1, Err("E106"));
}

#[test]
fn task_transitions() {
    let mut t = task(vec![item(1, "A", "S", 1, 1)]);
    let scan = PickScan { location: "A", item: ItemScan::text("S"), qty: Qty(1), tote: None };
    // Picking before start is illegal; start needs an assigned worker.
    assert_eq!(t.pick(PickingItemId(1), None, &scan, now()).map_err(|e| e.code()), Err("E003"));
    assert_eq!(t.start(WorkerId(1), now()).map_err(|e| e.code()), Err("E003"));
    assert_eq!(t.assign(WorkerId(1)), Ok(()));
    assert_eq!(t.start(WorkerId(2), now()).map_err(|e| e.code()), Err("E106"));
    assert_eq!(t.start(WorkerId(1), now()), Ok(()));
    assert_eq!(t.complete(None, now()).map_err(|e| e.code()), Err("E104"));
    assert!(t.pick(PickingItemId(1), None, &scan, now()).is_ok());
    assert_eq!(t.complete(None, now()), Ok(()));
    assert_eq!(t.cancel("late", now()).map_err(|e| e.code()), Err("E003"));
}

#[test]
fn cancel_from_any_state_but_completed() {
    for s in PickingStatus::ALL {
        let allowed = machine::step(TASK_TRANSITIONS, s, PA::Cancel).is_ok();
        assert_eq!(allowed, !matches!(s, PS::Completed | PS::Cancelled), "{s:?}");
    }
}

#[test]
fn short_skip_and_next_item_in_walk_order() {
    let mut t = started(vec![item(1, "C", "S1", 4, 3), item(2, "A", "S2", 2, 1), item(3, "B", "S3", 1, 2)]);
    assert_eq!(t.next_item().map(|i| i.id), Some(PickingItemId(2)));
    let d = t.short(PickingItemId(2), Some(WorkerId(7)), Qty(1), ReasonCode::StockOut, now());
    assert_eq!(d.map(|d| (d.picked, d.released)), Ok((Qty(1), Qty(1))));
    assert_eq!(t.next_item().map(|i| i.id), Some(PickingItemId(3)));
    // A short that takes everything is a pick, not a short.
    assert_eq!(t.short(PickingItemId(3), None, Qty(1), ReasonCode::Damaged, now()).map_err(|e| e.code()), Err("E001"));
    assert_eq!(t.skip(PickingItemId(3), None, ReasonCode::NoAccess, now()).map(|d| d.released), Ok(Qty(1)));
    let scan = PickScan { location: "C", item: ItemScan::text("S1"), qty: Qty(1), tote: None };
    assert!(t.pick(PickingItemId(1), None, &scan, now()).is_ok());
    // Partly picked items are shorted, not skipped.
    assert_eq!(t.skip(PickingItemId(1), None, ReasonCode::Other, now()).map_err(|e| e.code()), Err("E001"));
    assert_eq!(t.progress(), (2, 3));
    assert!(t.short(PickingItemId(1), None, Qty(0), ReasonCode::StockOut, now()).is_ok());
    assert_eq!(t.next_item(), None);
    assert_eq!(t.complete(Some(WorkerId(7)), now()), Ok(()));
    assert_eq!(t.picked_total(), Qty(2));
}

#[test]
fn sequencing_follows_walk_order() {
    let mut items = vec![item(1, "C-1", "X", 1, 0), item(2, "A-1", "Y", 1, 0), item(3, "B-1", "Z", 1, 0)];
    // Walk rank: B first, then A and C tied (code breaks the tie).
    sequence_items(&mut items, |i| if i.location_code.starts_with('B') { 0 } else { 1 });
    let order: Vec<(&str, u32)> = items.iter().map(|i| (i.location_code.as_str(), i.sequence)).collect();
    assert_eq!(order, vec![("B-1", 1), ("A-1", 2), ("C-1", 3)]);
}

#[derive(Debug, Clone)]
enum Op {
    Pick(usize, u32),
    Short(usize, u32),
    Skip(usize),
}

fn arb_op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0usize..3, 0u32..6).prop_map(|(i, q)| Op::Pick(i, q)),
        (0usize..3, 0u32..6).prop_map(|(i, q)| Op::Short(i, q)),
        (0usize..3).prop_map(Op::Skip),
    ]
}

proptest! {
    /// Whatever a picker sends, picked never exceeds required, and the
    /// deltas account for every reserved unit exactly once.
    #[test]
    fn picked_never_exceeds_required(reqs in prop::collection::vec(1u32..6, 3), ops in prop::collection::vec(arb_op(), 0..30)) {
        let items: Vec<_> = reqs.iter().enumerate().map(|(i, r)| {
            let id = i64::try_from(i).unwrap_or(0) + 1;
            item(id, &format!("L{id}"), &format!("S{id}"), *r, u32::try_from(i).unwrap_or(0))
        }).collect();
        let mut t = started(items);
        let mut accounted = [0u32; 3];
        for op in ops {
            let res = match op {
                Op::Pick(i, q) => {
                    let (loc, sku) = (format!("L{}", i + 1), format!("S{}", i + 1));
                    let scan = PickScan { location: &loc, item: ItemScan::text(&sku), qty: Qty(q), tote: None };
                    t.pick(t.items[i].id, None, &scan, now()).map(|d| (i, d))
                }
                Op::Short(i, q) => t.short(t.items[i].id, None, Qty(q), ReasonCode::StockOut, now()).map(|d| (i, d)),
                Op::Skip(i) => t.skip(t.items[i].id, None, ReasonCode::Other, now()).map(|d| (i, d)),
            };
            if let Ok((i, d)) = res {
                accounted[i] += d.picked.0 + d.released.0;
            }
            for it in &t.items {
                prop_assert!(it.picked <= it.required);
            }
        }
        for (i, it) in t.items.iter().enumerate() {
            // Finished items have had every reserved unit picked or released;
            // pending ones only what was picked.
            let expect = if it.is_done() { it.required.0 } else { it.picked.0 };
            prop_assert_eq!(accounted[i], expect);
        }
    }
}

/// The item rule: `check(sku, barcode, scanned text, scanned GTIN, matches)`.
#[test]
fn item_scans_match_sku_barcode_or_gs1_gtin() {
    let check = |sku: &str, barcode: Option<&str>, text: &str, gtin: Option<&str>, expected: bool| {
        let scan = ItemScan { text, gtin };
        assert_eq!(item_scan_matches(sku, barcode, &scan), expected, "{sku} {barcode:?} {text:?} {gtin:?}");
    };
    check("SKU-MUG", None, "sku-mug", None, true);
    check("SKU-MUG", None, " SKU-MUG ", None, true);
    check("SKU-MUG", Some("4006381333931"), "4006381333931", None, true);
    check("SKU-MUG", Some("4006381333931"), "4006381333932", None, false);
    // A GS1 DataMatrix on the product: the text is the element string, the GTIN-14 its AI 01.
    let gs1 = "0104006381333931\u{1d}10LOT7";
    check("SKU-MUG", Some("4006381333931"), gs1, Some("04006381333931"), true);
    check("SKU-MUG", Some("4006381333931"), gs1, Some("04006381333948"), false);
    // The same text without parsed elements is not a barcode match: the edge must parse it.
    check("SKU-MUG", Some("4006381333931"), gs1, None, false);
    // A product with no barcode never matches a GTIN, and zeros alone are no GTIN.
    check("SKU-MUG", None, gs1, Some("04006381333931"), false);
    check("SKU-MUG", Some("000"), "x", Some("0000"), false);
}

#[test]
fn the_task_refuses_a_gs1_scan_of_another_product() {
    let mut t = started(vec![item(1, "A-01", "SKU1", 3, 1)]);
    let other = ItemScan { text: "0104000000000000", gtin: Some("04000000000000") };
    let scan = PickScan { location: "A-01", item: other, qty: Qty(1), tote: None };
    let refused = t.pick(PickingItemId(1), Some(WorkerId(7)), &scan, now());
    assert!(matches!(refused, Err(DomainError::WrongItem { .. })), "{refused:?}");
    let own = ItemScan { text: "0100000004000001", gtin: Some("00000004000001") };
    let scan = PickScan { location: "A-01", item: own, qty: Qty(1), tote: None };
    assert!(t.pick(PickingItemId(1), Some(WorkerId(7)), &scan, now()).is_ok());
}
