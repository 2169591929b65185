use super::*;
use chrono::{TimeZone, Utc};
use proptest::prelude::*;

fn at(day: u32) -> Timestamp {
    Utc.with_ymd_and_hms(2026, 1, day, 0, 0, 0).single().unwrap_or_default()
}

fn slot(id: i64, day: u32, on_hand: u32, reserved: u32, expiry: Option<(u32, u32)>) -> StockSlot {
    StockSlot {
        id: SlotId(id),
        location_id: LocationId(id),
        received_at: at(day),
        lot: None,
        expiry: expiry.and_then(|(m, d)| NaiveDate::from_ymd_opt(2026, m, d)),
        on_hand: Qty(on_hand),
        reserved: Qty(reserved),
    }
}

/// `expected`: `Ok("slot:qty,...")` or `Err(available)`.
fn check(slots: &[StockSlot], wanted: u32, expected: Result<&str, u32>) {
    let got = allocate(slots, Qty(wanted), at(10), "SKU", "W1");
    match (got, expected) {
        (Ok(a), Ok(e)) => {
            let s: Vec<String> = a.iter().map(|a| format!("{}:{}", a.slot, a.qty)).collect();
            assert_eq!(s.join(","), e);
        }
        (Err(DomainError::InsufficientStock { available, .. }), Err(e)) => assert_eq!(available, Qty(e)),
        (got, e) => panic!("got {got:?}, expected {e:?}"),
    }
}

#[test]
fn fifo_cases() {
    check(&[slot(1, 5, 10, 0, None)], 3, Ok("1:3"));
    check(&[slot(2, 5, 10, 0, None), slot(1, 3, 2, 0, None)], 5, Ok("1:2,2:3"));
    check(&[slot(2, 3, 5, 0, None), slot(1, 3, 5, 0, None)], 6, Ok("1:5,2:1"));
    check(&[slot(1, 1, 5, 4, None), slot(2, 2, 5, 0, None)], 3, Ok("1:1,2:2"));
    check(&[slot(1, 1, 5, 5, None), slot(2, 2, 5, 0, None)], 3, Ok("2:3"));
    check(&[slot(1, 1, 2, 0, None), slot(2, 2, 1, 0, None)], 4, Err(3));
    check(&[], 1, Err(0));
}

#[test]
fn fefo_when_lots_carry_expiry() {
    // The newer receipt expires first, so it goes first; undated stock last.
    check(&[slot(1, 1, 5, 0, None), slot(2, 4, 5, 0, Some((3, 1))), slot(3, 2, 5, 0, Some((6, 1)))], 7, Ok("2:5,3:2"));
    // A lot that expired before today is never allocated.
    check(&[slot(1, 1, 5, 0, Some((1, 9))), slot(2, 2, 5, 0, None)], 5, Ok("2:5"));
    check(&[slot(1, 1, 5, 0, Some((1, 9)))], 1, Err(0));
}

#[test]
fn reservation_lifecycle() {
    let mut r = Reservation {
        id: ReservationId(1),
        slot: SlotId(1),
        quantity: Qty(5),
        consumed: Qty(0),
        status: RS::Pending,
        expires_at: Some(at(10)),
    };
    assert!(r.is_expired(at(10)));
    assert!(!r.is_expired(at(9)));
    assert_eq!(r.consume(Qty(3)), Ok(()));
    assert_eq!(r.consume(Qty(3)).map_err(|e| e.code()), Err("E103"));
    assert_eq!(r.close(), Ok(Qty(2)));
    assert_eq!(r.status, RS::Fulfilled);
    assert_eq!(r.cancel().map_err(|e| e.code()), Err("E003"));
    let mut untouched = Reservation { status: RS::Pending, consumed: Qty(0), ..r.clone() };
    assert_eq!(untouched.close(), Ok(Qty(5)));
    assert_eq!(untouched.status, RS::Cancelled);
}

fn arb_slots() -> impl Strategy<Value = Vec<StockSlot>> {
    prop::collection::vec((1u32..28, 0u32..50, 0u32..50, prop::option::of((1u32..13, 1u32..28))), 0..12).prop_map(|v| {
        v.into_iter()
            .enumerate()
            .map(|(i, (day, on_hand, res, exp))| {
                slot(i64::try_from(i).unwrap_or(0) + 1, day, on_hand, res.min(on_hand), exp)
            })
            .collect()
    })
}

proptest! {
    /// Never allocate more than a slot has available, exactly what was
    /// asked when it succeeds, and drain older (earlier-expiring) stock
    /// before touching newer stock.
    #[test]
    fn allocation_invariants(slots in arb_slots(), wanted in 1u32..200) {
        let today = at(10).date_naive();
        let usable: u32 = slots.iter().filter(|s| !s.is_expired(today)).map(|s| s.available().0).sum();
        match allocate(&slots, Qty(wanted), at(10), "S", "W") {
            Ok(allocs) => {
                prop_assert!(wanted <= usable);
                prop_assert_eq!(allocs.iter().map(|a| a.qty.0).sum::<u32>(), wanted);
                for a in &allocs {
                    let s = slots.iter().find(|s| s.id == a.slot).expect("allocated slot exists");
                    prop_assert!(a.qty <= s.available());
                    prop_assert!(!s.is_expired(today));
                }
                // Every usable slot that sorts before the last one used is drained.
                let order: Vec<_> = allocation_order(&slots).into_iter().filter(|s| !s.is_expired(today)).collect();
                let last = allocs.last().map(|a| a.slot);
                for s in order.iter().take_while(|s| Some(s.id) != last) {
                    let taken = allocs.iter().find(|a| a.slot == s.id).map_or(0, |a| a.qty.0);
                    prop_assert_eq!(taken, s.available().0, "older slot {} not drained", s.id);
                }
            }
            Err(DomainError::InsufficientStock { available, .. }) => {
                prop_assert!(wanted > usable);
                prop_assert_eq!(available.0, usable);
            }
            Err(e) => prop_assert!(false, "unexpected {e}"),
        }
    }
}
