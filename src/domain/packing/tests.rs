use super::*;
use chrono::{TimeZone, Utc};
use proptest::prelude::*;

fn now() -> Timestamp {
    Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).single().unwrap_or_default()
}

fn dims(l: u32, w: u32, h: u32) -> Dimensions {
    Dimensions { length: Millimetres(l), width: Millimetres(w), height: Millimetres(h) }
}

fn details(weight: u64, d: Dimensions) -> PackageDetails {
    PackageDetails { packaging_type: PackagingType::Box, weight: Grams(weight), dims: d }
}

fn task() -> PackingTask {
    PackingTask {
        id: PackingTaskId(1),
        order_id: OrderId(1),
        fulfillment_id: FulfillmentId(1),
        picking_task_id: PickingTaskId(1),
        warehouse_id: WarehouseId(1),
        worker_id: None,
        status: S::Pending,
        priority: Priority::Normal,
        packages: vec![],
        tracking_number: None,
        created_at: now(),
        started_at: None,
        packed_at: None,
        shipped_at: None,
        cancelled_at: None,
        cancellation_reason: None,
        set_aside: None,
    }
}

#[test]
fn volumetric_and_chargeable_weight() {
    let check = |d: Dimensions, actual: u64, vol: u64, chargeable: u64| {
        assert_eq!(d.volumetric_weight(), Grams(vol), "{d:?}");
        assert_eq!(chargeable_weight(Grams(actual), &d), Grams(chargeable), "{d:?}");
    };
    // 40 x 30 x 20 cm = 24,000 cm3 / 5000 = 4.8 kg.
    check(dims(400, 300, 200), 1000, 4800, 4800);
    check(dims(400, 300, 200), 6000, 4800, 6000);
    // Rounded up to the next gram.
    check(dims(1, 1, 1), 0, 1, 1);
    check(dims(100, 100, 10), 50, 20, 50);
}

#[test]
fn packing_flow_with_two_boxes() {
    let mut t = task();
    assert_eq!(t.set_package_details(None, 1, details(500, dims(10, 10, 10))).map_err(|e| e.code()), Err("E003"));
    assert_eq!(t.start(WorkerId(3), now()), Ok(()));
    assert_eq!(t.pack(None, now()).map_err(|e| e.code()), Err("E301"));
    assert_eq!(t.set_package_details(Some(WorkerId(3)), 1, details(500, dims(300, 200, 100))), Ok(()));
    assert_eq!(t.add_package(Some(WorkerId(3)), None), Ok(2));
    assert_eq!(t.pack(None, now()), Err(DomainError::DimensionsMissing { sequence: 2 }));
    assert_eq!(
        t.set_package_details(Some(WorkerId(4)), 2, details(1, dims(1, 1, 1))).map_err(|e| e.code()),
        Err("E106")
    );
    assert_eq!(t.set_package_details(None, 2, details(0, dims(1, 1, 1))).map_err(|e| e.code()), Err("E001"));
    assert_eq!(t.set_package_details(None, 3, details(1, dims(1, 1, 1))).map_err(|e| e.code()), Err("E002"));
    assert_eq!(t.set_package_details(None, 2, details(2000, dims(100, 100, 100))), Ok(()));
    assert_eq!(t.pack(Some(WorkerId(3)), now()), Ok(()));
    // 300x200x100 mm -> 1200 g volumetric; 100^3 mm -> 200 g, actual 2000 g.
    assert_eq!(t.chargeable_weight(), Grams(1200 + 2000));
    assert_eq!(t.ship(" ", now()), Err(DomainError::TrackingMissing));
    assert_eq!(t.ship("TT123", now()), Ok(()));
    assert_eq!(t.cancel("x", now()).map_err(|e| e.code()), Err("E003"));
}

/// What no single package weighs or measures is refused by the server,
/// naming the field (a 350 g parcel of 4,000,000,000 x 1 x 1 mm was taken).
#[test]
fn implausible_packages_are_refused_naming_the_field() {
    let field = |d: PackageDetails| d.validate().err().and_then(|e| e.field().map(str::to_owned));
    assert_eq!(field(details(350, dims(4_000_000_000, 1, 1))).as_deref(), Some("length"));
    assert_eq!(field(details(350, dims(1, 1, 5_001))).as_deref(), Some("height"));
    assert_eq!(field(details(2_000_001, dims(1, 1, 1))).as_deref(), Some("weight"));
    assert_eq!(field(details(2_000_000, dims(5_000, 5_000, 5_000))), None, "at the limits");
}

#[test]
fn cancel_from_any_state_but_shipped() {
    for s in PackingStatus::ALL {
        let allowed = machine::step(TRANSITIONS, s, A::Cancel).is_ok();
        assert_eq!(allowed, !matches!(s, S::Shipped | S::Cancelled), "{s:?}");
        assert_eq!(PackingStatus::parse(s.as_str()), Some(s));
    }
}

proptest! {
    #[test]
    fn chargeable_at_least_actual_and_volumetric(l in 1u32..3000, w in 1u32..3000, h in 1u32..3000, g in 0u64..2_000_000) {
        let d = dims(l, w, h);
        let c = chargeable_weight(Grams(g), &d);
        prop_assert!(c >= Grams(g));
        prop_assert!(c >= d.volumetric_weight());
        prop_assert!(c == Grams(g) || c == d.volumetric_weight());
    }
}
