//! Stock by location and reservations, and the allocation rule that picks
//! which stock serves a line: first-expiry-first-out when lots carry an
//! expiry date, otherwise first-in-first-out (oldest `received_at`, then id).

use super::Timestamp;
use super::error::DomainError;
use super::ids::{LocationId, Qty, ReservationId, SlotId};
use super::machine::{self, Action, Status};
use chrono::NaiveDate;

/// Stock of one SKU at one location from one receipt (lot).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockSlot {
    pub id: SlotId,
    pub location_id: LocationId,
    pub received_at: Timestamp,
    pub lot: Option<String>,
    pub expiry: Option<NaiveDate>,
    /// Physically present.
    pub on_hand: Qty,
    /// Promised to reservations, not yet picked.
    pub reserved: Qty,
}

impl StockSlot {
    /// What may still be reserved.
    pub fn available(&self) -> Qty {
        self.on_hand.saturating_sub(self.reserved)
    }

    fn is_expired(&self, today: NaiveDate) -> bool {
        self.expiry.is_some_and(|e| e < today)
    }
}

/// `qty` units taken from slot `slot`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Allocation {
    pub slot: SlotId,
    pub qty: Qty,
}

/// The order in which slots are drawn from: dated lots by earliest expiry,
/// then undated stock oldest first, ties broken by id.
pub fn allocation_order(slots: &[StockSlot]) -> Vec<&StockSlot> {
    let mut ordered: Vec<&StockSlot> = slots.iter().collect();
    ordered.sort_by_key(|s| (s.expiry.is_none(), s.expiry, s.received_at, s.id));
    ordered
}

/// Splits `wanted` across `slots` in [`allocation_order`], skipping lots that
/// expired before `now`. Never takes more than a slot has available; when
/// the total is short, fails with `InsufficientStock` and allocates nothing.
pub fn allocate(
    slots: &[StockSlot],
    wanted: Qty,
    now: Timestamp,
    sku: &str,
    warehouse: &str,
) -> super::Result<Vec<Allocation>> {
    let out = allocate_up_to(slots, wanted, now);
    let found = out.iter().fold(Qty::ZERO, |a, x| Qty(a.0 + x.qty.0));
    if found == wanted {
        Ok(out)
    } else {
        Err(DomainError::InsufficientStock {
            sku: sku.to_owned(),
            warehouse: warehouse.to_owned(),
            requested: wanted,
            available: found,
        })
    }
}

/// As [`allocate`], but takes what there is when the total is short (a
/// stock-out's follow-up draws what other locations still hold).
pub fn allocate_up_to(slots: &[StockSlot], wanted: Qty, now: Timestamp) -> Vec<Allocation> {
    let today = now.date_naive();
    let mut left = wanted;
    let mut out = Vec::new();
    for slot in allocation_order(slots) {
        if left.is_zero() {
            break;
        }
        if slot.is_expired(today) {
            continue;
        }
        let take = slot.available().min(left);
        if !take.is_zero() {
            out.push(Allocation { slot: slot.id, qty: take });
            left = left.saturating_sub(take);
        }
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReservationStatus {
    Pending,
    Fulfilled,
    Cancelled,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReservationAction {
    Consume,
    Fulfill,
    Cancel,
}

use ReservationAction as RA;
use ReservationStatus as RS;

pub const RESERVATION_TRANSITIONS: &[(RS, RA, RS)] = &[
    (RS::Pending, RA::Consume, RS::Pending),
    (RS::Pending, RA::Fulfill, RS::Fulfilled),
    (RS::Pending, RA::Cancel, RS::Cancelled),
];

impl Status for ReservationStatus {
    const ENTITY: &'static str = "reservation";
    fn as_str(self) -> &'static str {
        match self {
            RS::Pending => "pending",
            RS::Fulfilled => "fulfilled",
            RS::Cancelled => "cancelled",
        }
    }
}

impl Action for ReservationAction {
    fn as_str(self) -> &'static str {
        match self {
            RA::Consume => "consume",
            RA::Fulfill => "fulfill",
            RA::Cancel => "cancel",
        }
    }
}

impl ReservationStatus {
    pub const ALL: [RS; 3] = [RS::Pending, RS::Fulfilled, RS::Cancelled];
    pub fn parse(s: &str) -> Option<Self> {
        machine::parse_status(&Self::ALL, s)
    }
    pub fn as_str(self) -> &'static str {
        Status::as_str(self)
    }
}

/// Stock held at one slot for one purpose until picked, released or expired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reservation {
    pub id: ReservationId,
    pub slot: SlotId,
    pub quantity: Qty,
    /// Already picked (taken off the shelf) against this reservation.
    pub consumed: Qty,
    pub status: ReservationStatus,
    pub expires_at: Option<Timestamp>,
}

impl Reservation {
    /// What is still held on the shelf.
    pub fn outstanding(&self) -> Qty {
        self.quantity.saturating_sub(self.consumed)
    }

    /// Records `qty` picked against this reservation.
    pub fn consume(&mut self, qty: Qty) -> super::Result<()> {
        machine::step(RESERVATION_TRANSITIONS, self.status, RA::Consume)?;
        if qty > self.outstanding() {
            return Err(DomainError::OverPick { requested: qty, remaining: self.outstanding() });
        }
        self.consumed = Qty(self.consumed.0 + qty.0);
        Ok(())
    }

    /// Closes the reservation: fulfilled if anything was picked, otherwise
    /// cancelled. Returns what goes back to available stock.
    pub fn close(&mut self) -> super::Result<Qty> {
        let action = if self.consumed.is_zero() { RA::Cancel } else { RA::Fulfill };
        self.status = machine::step(RESERVATION_TRANSITIONS, self.status, action)?;
        Ok(self.outstanding())
    }

    /// Cancels the reservation; returns what goes back to available stock.
    pub fn cancel(&mut self) -> super::Result<Qty> {
        self.status = machine::step(RESERVATION_TRANSITIONS, self.status, RA::Cancel)?;
        Ok(self.outstanding())
    }

    pub fn is_expired(&self, now: Timestamp) -> bool {
        self.status == RS::Pending && self.expires_at.is_some_and(|e| e <= now)
    }
}

#[cfg(test)]
mod tests;
