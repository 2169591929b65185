//! Stock slots (`product_locations`) and reservations.

use super::convert::{date, i64_of, ms, opt_ms, opt_time, sku, status, time, u32_of};
use super::{Result, Tx};
use crate::domain::Timestamp;
use crate::domain::ids::{FulfillmentId, LocationId, OrderId, Qty, ReservationId, Sku, SlotId, WarehouseId};
use crate::domain::stock::{Reservation, ReservationStatus, StockSlot};
use chrono::NaiveDate;
use rusqlite::{OptionalExtension, Row, params};

/// A slot with the names around it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotRow {
    pub slot: StockSlot,
    pub sku: Sku,
    pub warehouse_id: WarehouseId,
    pub location_code: String,
    pub walk_order: i64,
}

/// A reservation with what it is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReservationRow {
    pub reservation: Reservation,
    pub sku: Sku,
    pub warehouse_id: WarehouseId,
    pub order_id: Option<OrderId>,
    pub fulfillment_id: Option<FulfillmentId>,
}

/// Sums over stock, for status screens and conservation checks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StockTotals {
    pub on_hand: i64,
    pub reserved: i64,
}

const SLOT_COLUMNS: &str = "p.id, p.location_id, p.received_at, p.lot, p.expiry, p.quantity, p.reserved_quantity,
     p.sku, p.warehouse_id, l.code, l.walk_order";

fn slot_row(r: &Row<'_>) -> rusqlite::Result<RawSlot> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
        r.get(9)?,
        r.get(10)?,
    ))
}

type RawSlot = (i64, i64, i64, Option<String>, Option<String>, i64, i64, String, i64, String, i64);

fn to_slot(raw: RawSlot) -> Result<SlotRow> {
    let (id, loc, received, lot, expiry, qty, reserved, s, wh, code, walk) = raw;
    Ok(SlotRow {
        slot: StockSlot {
            id: SlotId(id),
            location_id: LocationId(loc),
            received_at: time(received)?,
            lot,
            expiry: date(expiry)?,
            on_hand: Qty(u32_of(qty, "quantity")?),
            reserved: Qty(u32_of(reserved, "reserved_quantity")?),
        },
        sku: sku(&s)?,
        warehouse_id: WarehouseId(wh),
        location_code: code,
        walk_order: walk,
    })
}

const RESERVATION_COLUMNS: &str =
    "id, product_location_id, quantity, consumed, status, expires_at, sku, warehouse_id, order_id, fulfillment_id";

type RawReservation = (i64, i64, i64, i64, String, Option<i64>, String, i64, Option<i64>, Option<i64>);

fn reservation_raw(r: &Row<'_>) -> rusqlite::Result<RawReservation> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?, r.get(9)?))
}

fn to_reservation(raw: RawReservation) -> Result<ReservationRow> {
    let (id, slot, qty, consumed, st, expires, s, wh, order, ful) = raw;
    Ok(ReservationRow {
        reservation: Reservation {
            id: ReservationId(id),
            slot: SlotId(slot),
            quantity: Qty(u32_of(qty, "quantity")?),
            consumed: Qty(u32_of(consumed, "consumed")?),
            status: status(&st, "reservation status", ReservationStatus::parse)?,
            expires_at: opt_time(expires)?,
        },
        sku: sku(&s)?,
        warehouse_id: WarehouseId(wh),
        order_id: order.map(OrderId),
        fulfillment_id: ful.map(FulfillmentId),
    })
}

/// A new receipt of stock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSlot<'a> {
    pub warehouse: WarehouseId,
    pub location: LocationId,
    pub sku: &'a Sku,
    pub quantity: Qty,
    pub received_at: Timestamp,
    pub lot: Option<&'a str>,
    pub expiry: Option<NaiveDate>,
}

impl Tx<'_> {
    /// Every slot of `sku` in `warehouse` holding stock, oldest first.
    pub fn slots_for(&self, warehouse: WarehouseId, sku: &Sku) -> Result<Vec<SlotRow>> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {SLOT_COLUMNS} FROM product_locations p JOIN locations l ON l.id = p.location_id
             WHERE p.warehouse_id = +?1 AND p.sku = +?2 AND p.quantity > 0 ORDER BY p.received_at, p.id"
        ))?;
        let raws = st.query_map(params![warehouse.0, sku.as_str()], slot_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
        raws.into_iter().map(to_slot).collect()
    }

    /// Every slot at one location.
    pub fn slots_at(&self, location: LocationId) -> Result<Vec<SlotRow>> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {SLOT_COLUMNS} FROM product_locations p JOIN locations l ON l.id = p.location_id
             WHERE p.location_id = +?1 AND p.quantity > 0 ORDER BY p.received_at, p.id"
        ))?;
        let raws = st.query_map([location.0], slot_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
        raws.into_iter().map(to_slot).collect()
    }

    pub fn slot(&self, id: SlotId) -> Result<Option<SlotRow>> {
        let raw = self
            .row(
                &format!(
                    "SELECT {SLOT_COLUMNS} FROM product_locations p JOIN locations l ON l.id = p.location_id
                     WHERE p.id = ?1"
                ),
                [id.0],
                slot_row,
            )
            .optional()?;
        raw.map(to_slot).transpose()
    }

    /// Adds stock: merges into the slot with the same location, SKU, receipt
    /// time, lot and expiry (so a move keeps its FIFO age), or makes a new one.
    pub fn add_stock(&self, s: &NewSlot<'_>, now: Timestamp) -> Result<SlotId> {
        let expiry = s.expiry.map(|d| d.format("%Y-%m-%d").to_string());
        let existing: Option<i64> = self
            .row(
                "SELECT id FROM product_locations WHERE location_id = ?1 AND sku = ?2 AND received_at = ?3
                 AND lot IS ?4 AND expiry IS ?5",
                params![s.location.0, s.sku.as_str(), ms(s.received_at), s.lot, expiry],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(id) = existing {
            self.adjust_slot(SlotId(id), i64_of(s.quantity.0), 0, now)?;
            return Ok(SlotId(id));
        }
        self.insert_slot(s, now)
    }

    /// A new slot, without looking for one to merge into (bulk loads whose
    /// rows are distinct by construction; `add_stock` otherwise).
    pub fn insert_slot(&self, s: &NewSlot<'_>, now: Timestamp) -> Result<SlotId> {
        let expiry = s.expiry.map(|d| d.format("%Y-%m-%d").to_string());
        self.exec(
            "INSERT INTO product_locations (warehouse_id, location_id, sku, quantity, received_at, lot, expiry,
                                            created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
            params![
                s.warehouse.0,
                s.location.0,
                s.sku.as_str(),
                s.quantity.0,
                ms(s.received_at),
                s.lot,
                expiry,
                ms(now)
            ],
        )?;
        Ok(SlotId(self.conn.last_insert_rowid()))
    }

    /// Changes a slot's on-hand and reserved counts by the given deltas. The
    /// schema refuses negative stock and reserved above on hand.
    pub fn adjust_slot(&self, id: SlotId, d_on_hand: i64, d_reserved: i64, now: Timestamp) -> Result<()> {
        self.exec(
            "UPDATE product_locations SET quantity = quantity + ?2, reserved_quantity = reserved_quantity + ?3,
             updated_at = ?4 WHERE id = ?1",
            params![id.0, d_on_hand, d_reserved, ms(now)],
        )?;
        Ok(())
    }

    /// Stock totals over the whole site, or one SKU.
    pub fn stock_totals(&self, sku: Option<&str>) -> Result<StockTotals> {
        Ok(self.row(
            "SELECT COALESCE(SUM(quantity), 0), COALESCE(SUM(reserved_quantity), 0) FROM product_locations
             WHERE ?1 IS NULL OR sku = ?1",
            [sku],
            |r| Ok(StockTotals { on_hand: r.get(0)?, reserved: r.get(1)? }),
        )?)
    }

    #[allow(clippy::too_many_arguments)]
    pub fn insert_reservation(
        &self,
        slot: &SlotRow,
        quantity: Qty,
        order: Option<OrderId>,
        fulfillment: Option<FulfillmentId>,
        expires_at: Option<Timestamp>,
        now: Timestamp,
    ) -> Result<ReservationId> {
        self.exec(
            "INSERT INTO wms_reservations (sku, warehouse_id, order_id, fulfillment_id, product_location_id, quantity,
                                           status, expires_at, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending', ?7, ?8, ?8)",
            params![
                slot.sku.as_str(),
                slot.warehouse_id.0,
                order.map(|o| o.0),
                fulfillment.map(|f| f.0),
                slot.slot.id.0,
                quantity.0,
                opt_ms(expires_at),
                ms(now)
            ],
        )?;
        Ok(ReservationId(self.conn.last_insert_rowid()))
    }

    pub fn reservation(&self, id: ReservationId) -> Result<Option<ReservationRow>> {
        let raw = self
            .row(&format!("SELECT {RESERVATION_COLUMNS} FROM wms_reservations WHERE id = ?1"), [id.0], reservation_raw)
            .optional()?;
        raw.map(to_reservation).transpose()
    }

    pub fn reservations_for_order(&self, order: OrderId) -> Result<Vec<ReservationRow>> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {RESERVATION_COLUMNS} FROM wms_reservations WHERE order_id = +?1 ORDER BY id"
        ))?;
        let raws = st.query_map([order.0], reservation_raw)?.collect::<rusqlite::Result<Vec<_>>>()?;
        raws.into_iter().map(to_reservation).collect()
    }

    /// Pending reservations past their expiry that no picking task holds.
    pub fn expired_holds(&self, now: Timestamp) -> Result<Vec<ReservationRow>> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {RESERVATION_COLUMNS} FROM wms_reservations WHERE {} AND expires_at <= ?1 ORDER BY expires_at, id",
            hold!()
        ))?;
        let raws = st.query_map([ms(now)], reservation_raw)?.collect::<rusqlite::Result<Vec<_>>>()?;
        raws.into_iter().map(to_reservation).collect()
    }

    /// Whether any hold is past its expiry (the engine's cheap check before
    /// it sends `ReleaseExpired`).
    pub fn any_expired_hold(&self, now: Timestamp) -> Result<bool> {
        Ok(self.row(
            concat!("SELECT EXISTS (SELECT 1 FROM wms_reservations WHERE ", hold!(), " AND expires_at <= ?1)"),
            [ms(now)],
            |r| r.get(0),
        )?)
    }

    /// Saves a reservation's status and consumed count.
    pub fn save_reservation(&self, r: &Reservation, now: Timestamp) -> Result<()> {
        // A pick moves the count alone: the (indexed) status is set only
        // when it changed.
        self.update_narrow_first(
            "UPDATE wms_reservations SET consumed = ?3, updated_at = ?4 WHERE id = ?1 AND status = ?2",
            "UPDATE wms_reservations SET status = ?2, consumed = ?3, updated_at = ?4 WHERE id = ?1",
            params![r.id.0, r.status.as_str(), r.consumed.0, ms(now)],
        )
    }
}

impl Tx<'_> {
    /// Units held by pending reservations and not yet picked; always equals
    /// the sum of `reserved_quantity` over all slots.
    pub fn outstanding_reserved(&self) -> Result<i64> {
        Ok(self.row(
            "SELECT COALESCE(SUM(quantity - consumed), 0) FROM wms_reservations WHERE status = 'pending'",
            [],
            |r| r.get(0),
        )?)
    }

    /// Units picked off the shelves for orders still open (in totes or at
    /// packing); with on-hand stock this is conserved by every command.
    pub fn units_in_transit(&self) -> Result<i64> {
        Ok(self.row(
            "SELECT COALESCE(SUM(i.quantity_picked), 0) FROM picking_task_items i
             JOIN picking_tasks t ON t.id = i.task_id JOIN orders o ON o.id = t.order_id
             WHERE t.status != 'cancelled' AND o.status != 'cancelled'",
            [],
            |r| r.get(0),
        )?)
    }
}
