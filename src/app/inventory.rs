//! Inventory commands: place, move, remove, hold (reserve) and release.
//! Moves and removals only touch available stock, oldest first, so they
//! never take units promised to a reservation.

use super::command::{AddressDto, Outcome};
use super::reservations::Purpose;
use super::{AppError, Ctx};
use crate::domain::event::DomainEvent;
use crate::domain::ids::{Qty, ReservationId, Sku};
use crate::domain::shipment::PostalAddress;
use crate::domain::stock::{StockSlot, allocate};
use crate::domain::{DomainError, Timestamp};
use crate::storage::adjustments::Adjustment;
use crate::storage::stock::NewSlot;
use crate::storage::{Location, SlotRow, Warehouse};
use chrono::NaiveDate;

/// Where a placed quantity came from: its receipt time decides FIFO order.
#[derive(Debug, Clone, Copy)]
pub struct Receipt<'a> {
    pub received_at: Timestamp,
    pub lot: Option<&'a str>,
    pub expiry: Option<NaiveDate>,
}

fn warehouse(ctx: &Ctx<'_, '_>, code: &str) -> Result<Warehouse, AppError> {
    Ok(ctx
        .tx
        .warehouse_by_code(code.trim())?
        .ok_or_else(|| DomainError::invalid("warehouse", format!("unknown warehouse {code:?}")))?)
}

fn location(ctx: &Ctx<'_, '_>, wh: &Warehouse, code: &str, field: &str) -> Result<Location, AppError> {
    Ok(ctx
        .tx
        .location_by_code(wh.id, code.trim())?
        .ok_or_else(|| DomainError::invalid(field, format!("unknown location {code:?} in {}", wh.code)))?)
}

fn positive(quantity: u32) -> Result<Qty, DomainError> {
    if quantity == 0 { Err(DomainError::invalid("quantity", "must be at least 1")) } else { Ok(Qty(quantity)) }
}

fn location_code(code: &str) -> Result<&str, DomainError> {
    let c = code.trim();
    if c.is_empty() || c.chars().count() > 32 || c.chars().any(char::is_control) {
        return Err(DomainError::invalid("location", "must be 1 to 32 printable characters"));
    }
    Ok(c)
}

pub fn place(
    ctx: &mut Ctx<'_, '_>,
    wh: &str,
    loc: &str,
    sku: &str,
    quantity: u32,
    receipt: &Receipt<'_>,
) -> Result<Outcome, AppError> {
    let wh = warehouse(ctx, wh)?;
    let sku = Sku::parse(sku, "sku")?;
    let qty = positive(quantity)?;
    let code = location_code(loc)?;
    let location = ctx.tx.ensure_location(wh.id, code, None, None)?;
    ctx.tx.ensure_product(&sku, "", None)?;
    let slot = ctx.tx.add_stock(
        &NewSlot {
            warehouse: wh.id,
            location,
            sku: &sku,
            quantity: qty,
            received_at: receipt.received_at,
            lot: receipt.lot,
            expiry: receipt.expiry,
        },
        ctx.now,
    )?;
    ctx.tx.record_receipt(wh.id, location, sku.as_str(), qty.0, ctx.now)?;
    ctx.emit(DomainEvent::InventoryPlaced {
        sku: sku.clone(),
        warehouse_id: wh.id,
        quantity: qty,
        location: code.into(),
    });
    let row = ctx.tx.slot(slot)?.ok_or_else(|| DomainError::not_found("stock slot", slot))?;
    Ok(Outcome::Stock {
        slot_id: slot.0,
        sku: sku.to_string(),
        location: code.to_owned(),
        on_hand: row.slot.on_hand.0,
        reserved: row.slot.reserved.0,
    })
}

/// Takes `qty` available units of `sku` at `loc`, oldest first.
fn take_available(
    ctx: &Ctx<'_, '_>,
    wh: &Warehouse,
    loc: &Location,
    sku: &Sku,
    qty: Qty,
) -> Result<Vec<(SlotRow, Qty)>, AppError> {
    let rows: Vec<SlotRow> = ctx.tx.slots_at(loc.id)?.into_iter().filter(|r| &r.sku == sku).collect();
    // Expiry does not matter for a move or removal: use FIFO on received_at.
    let slots: Vec<StockSlot> = rows.iter().map(|r| StockSlot { expiry: None, ..r.slot.clone() }).collect();
    let allocs = allocate(&slots, qty, ctx.now, sku.as_str(), &wh.code)?;
    let mut out = Vec::new();
    for a in allocs {
        if let Some(row) = rows.iter().find(|r| r.slot.id == a.slot) {
            ctx.tx.adjust_slot(a.slot, -i64::from(a.qty.0), 0, ctx.now)?;
            out.push((row.clone(), a.qty));
        }
    }
    Ok(out)
}

pub fn move_stock(
    ctx: &mut Ctx<'_, '_>,
    wh: &str,
    from: &str,
    to: &str,
    sku: &str,
    quantity: u32,
) -> Result<Outcome, AppError> {
    let wh = warehouse(ctx, wh)?;
    let sku = Sku::parse(sku, "sku")?;
    let qty = positive(quantity)?;
    let source = location(ctx, &wh, from, "from_location")?;
    let target_code = location_code(to)?;
    if target_code == source.code {
        return Err(DomainError::invalid("to_location", "same as from_location").into());
    }
    let target = ctx.tx.ensure_location(wh.id, target_code, None, None)?;
    for (row, q) in take_available(ctx, &wh, &source, &sku, qty)? {
        // The moved units keep their receipt time, lot and expiry.
        ctx.tx.add_stock(
            &NewSlot {
                warehouse: wh.id,
                location: target,
                sku: &sku,
                quantity: q,
                received_at: row.slot.received_at,
                lot: row.slot.lot.as_deref(),
                expiry: row.slot.expiry,
            },
            ctx.now,
        )?;
    }
    ctx.emit(DomainEvent::InventoryMoved {
        sku: sku.clone(),
        warehouse_id: wh.id,
        quantity: qty,
        from_location: source.code.clone(),
        to_location: target_code.to_owned(),
    });
    Ok(Outcome::Moved { sku: sku.to_string(), quantity })
}

pub fn remove(
    ctx: &mut Ctx<'_, '_>,
    wh: &str,
    loc: &str,
    sku: &str,
    quantity: u32,
    reason: &str,
) -> Result<Outcome, AppError> {
    let wh = warehouse(ctx, wh)?;
    let sku = Sku::parse(sku, "sku")?;
    let qty = positive(quantity)?;
    let source = location(ctx, &wh, loc, "location")?;
    take_available(ctx, &wh, &source, &sku, qty)?;
    // Units leaving the site other than by shipment are written off in the
    // books, with the reason given: the stock ledger stays balanced.
    ctx.tx.record_adjustment(
        &Adjustment {
            warehouse: wh.id,
            location: source.id,
            sku: sku.as_str(),
            quantity: -i64::from(qty.0),
            reason,
            worker: None,
            task: None,
        },
        ctx.now,
    )?;
    ctx.emit(DomainEvent::InventoryRemoved {
        sku: sku.clone(),
        warehouse_id: wh.id,
        quantity: qty,
        location: source.code.clone(),
        reason: reason.to_owned(),
    });
    Ok(Outcome::Moved { sku: sku.to_string(), quantity })
}

/// A standalone hold: reserves `quantity` FIFO for `ttl_seconds`, after
/// which [`release_expired`] gives it back.
pub fn reserve(ctx: &mut Ctx<'_, '_>, wh: &str, sku: &str, quantity: u32, ttl: u32) -> Result<Outcome, AppError> {
    let wh = warehouse(ctx, wh)?;
    let sku = Sku::parse(sku, "sku")?;
    let qty = positive(quantity)?;
    if ttl == 0 {
        return Err(DomainError::invalid("ttl_seconds", "must be at least 1").into());
    }
    let expires = ctx.now + chrono::Duration::seconds(i64::from(ttl));
    let purpose = Purpose { order: None, fulfillment: None, expires_at: Some(expires) };
    let ids = ctx.reserve(&wh, &sku, qty, purpose)?.into_iter().map(|(_, _, id)| id.0).collect();
    Ok(Outcome::Reserved { reservation_ids: ids, quantity })
}

/// Releases a standalone hold. Reservations of a fulfillment belong to its
/// picking task and are released by cancelling the order or task.
pub fn release(ctx: &mut Ctx<'_, '_>, id: i64, reason: &str) -> Result<Outcome, AppError> {
    let mut row = ctx.tx.reservation(ReservationId(id))?.ok_or_else(|| DomainError::not_found("reservation", id))?;
    if let Some(f) = row.fulfillment_id {
        return Err(DomainError::invalid(
            "reservation_id",
            format!("held by fulfillment {f}: cancel the order or picking task instead"),
        )
        .into());
    }
    let q = ctx.release(&mut row, reason)?;
    Ok(Outcome::Released { reservations: 1, quantity: q.0 })
}

/// Releases every standalone hold past its expiry.
pub fn release_expired(ctx: &mut Ctx<'_, '_>) -> Result<Outcome, AppError> {
    let (mut n, mut total) = (0, 0);
    for mut row in ctx.tx.expired_holds(ctx.now)? {
        total += ctx.release(&mut row, "expired")?.0;
        n += 1;
    }
    Ok(Outcome::Released { reservations: n, quantity: total })
}

pub fn define_location(
    ctx: &mut Ctx<'_, '_>,
    wh: &str,
    loc: &str,
    walk_order: Option<i64>,
    check_digits: Option<&str>,
) -> Result<Outcome, AppError> {
    let wh = warehouse(ctx, wh)?;
    let code = location_code(loc)?;
    if let Some(d) = check_digits
        && (d.is_empty() || d.len() > 8 || !d.chars().all(|c| c.is_ascii_digit()))
    {
        return Err(DomainError::invalid("check_digits", "must be 1 to 8 digits").into());
    }
    ctx.tx.ensure_location(wh.id, code, walk_order, check_digits)?;
    Ok(Outcome::Defined { what: "location".into(), key: format!("{}/{code}", wh.code) })
}

/// Sets warehouse `wh`'s ship-from address.
pub fn set_address(ctx: &mut Ctx<'_, '_>, wh: &str, address: &AddressDto) -> Result<Outcome, AppError> {
    let wh = warehouse(ctx, wh)?;
    let a = crate::domain::order::Address::from(address);
    crate::domain::order::validate_address_as("address", &a)?;
    ctx.tx.set_warehouse_address(wh.id, &PostalAddress::from(&a))?;
    Ok(Outcome::Defined { what: "warehouse address".into(), key: wh.code })
}

pub fn define_product(
    ctx: &mut Ctx<'_, '_>,
    sku: &str,
    name: &str,
    barcode: Option<&str>,
    listing_id: Option<&str>,
) -> Result<Outcome, AppError> {
    let sku = Sku::parse(sku, "sku")?;
    if name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err(DomainError::invalid("name", "must be at most 200 printable characters").into());
    }
    if let Some(b) = barcode {
        if b.is_empty() || b.len() > 64 || b.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(DomainError::invalid("barcode", "must be 1 to 64 characters without spaces").into());
        }
        if let Some(owner) = ctx.tx.sku_by_barcode(b)?.filter(|o| o != sku.as_str()) {
            return Err(DomainError::InUse { field: "barcode".into(), owner }.into());
        }
    }
    ctx.tx.ensure_product(&sku, name.trim(), barcode)?;
    if let Some(l) = listing_id {
        if l.is_empty() || l.len() > 64 || l.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(DomainError::invalid("listing_id", "must be 1 to 64 characters without spaces").into());
        }
        if let Some(owner) = ctx.tx.sku_of_listing(l)?.filter(|o| o != sku.as_str()) {
            return Err(DomainError::InUse { field: "listing_id".into(), owner }.into());
        }
        ctx.tx.set_listing(&sku, Some(l))?;
    }
    Ok(Outcome::Defined { what: "product".into(), key: sku.to_string() })
}
