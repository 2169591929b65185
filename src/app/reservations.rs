//! The two stock moves every reservation makes, in one place: reserving
//! FIFO/FEFO (intake and holds) and releasing what is still outstanding
//! (short, skip, cancel, expiry). Each keeps the slot's `reserved` count and
//! the reservation row in step and emits the matching outbox event.

use super::{AppError, Ctx};
use crate::domain::event::DomainEvent;
use crate::domain::ids::{FulfillmentId, OrderId, Qty, ReservationId, Sku};
use crate::domain::stock::{Allocation, StockSlot, allocate};
use crate::domain::{DomainError, Timestamp};
use crate::storage::stock::ReservationRow;
use crate::storage::{SlotRow, Warehouse};

/// What a reservation is for: an order's fulfillment, or a standalone hold
/// that expires.
#[derive(Debug, Clone, Copy)]
pub struct Purpose {
    pub order: Option<OrderId>,
    pub fulfillment: Option<FulfillmentId>,
    pub expires_at: Option<Timestamp>,
}

impl Ctx<'_, '_> {
    /// Reserves `qty` of `sku` in `wh` in allocation order, one reservation
    /// per slot drawn from. All or nothing: short stock reserves nothing.
    pub fn reserve(
        &mut self,
        wh: &Warehouse,
        sku: &Sku,
        qty: Qty,
        purpose: Purpose,
    ) -> Result<Vec<(SlotRow, Qty, ReservationId)>, AppError> {
        let rows = self.tx.slots_for(wh.id, sku)?;
        let slots: Vec<StockSlot> = rows.iter().map(|r| r.slot.clone()).collect();
        let plan = allocate(&slots, qty, self.now, sku.as_str(), &wh.code)?;
        self.reserve_plan(&rows, &plan, wh, sku, purpose)
    }

    /// Reserves the units `plan` draws from `rows`: one reservation per
    /// slot, the slot's `reserved` raised, `inventory.reserved` emitted.
    pub fn reserve_plan(
        &mut self,
        rows: &[SlotRow],
        plan: &[Allocation],
        wh: &Warehouse,
        sku: &Sku,
        purpose: Purpose,
    ) -> Result<Vec<(SlotRow, Qty, ReservationId)>, AppError> {
        let mut out = Vec::new();
        for a in plan {
            let row = rows
                .iter()
                .find(|r| r.slot.id == a.slot)
                .ok_or_else(|| DomainError::not_found("stock slot", a.slot))?;
            self.tx.adjust_slot(a.slot, 0, i64::from(a.qty.0), self.now)?;
            let id = self.tx.insert_reservation(
                row,
                a.qty,
                purpose.order,
                purpose.fulfillment,
                purpose.expires_at,
                self.now,
            )?;
            self.emit(DomainEvent::InventoryReserved {
                reservation_id: id,
                sku: sku.clone(),
                warehouse_id: wh.id,
                quantity: a.qty,
                order_id: purpose.order,
            });
            out.push((row.clone(), a.qty, id));
        }
        Ok(out)
    }

    /// Cancels a pending reservation and gives its outstanding units back to
    /// available stock. Returns how many went back.
    pub fn release(&mut self, row: &mut ReservationRow, reason: &str) -> Result<Qty, AppError> {
        let q = row.reservation.cancel()?;
        self.tx.save_reservation(&row.reservation, self.now)?;
        self.tx.adjust_slot(row.reservation.slot, 0, -i64::from(q.0), self.now)?;
        self.emit_released(row, q, reason);
        Ok(q)
    }

    /// Records `q` units of `row` going back to available stock.
    pub fn emit_released(&mut self, row: &ReservationRow, q: Qty, reason: &str) {
        if !q.is_zero() {
            self.emit(DomainEvent::InventoryReleased {
                reservation_id: row.reservation.id,
                sku: row.sku.clone(),
                warehouse_id: row.warehouse_id,
                quantity: q,
                reason: reason.to_owned(),
            });
        }
    }

    /// The worker `id`, if it exists and is active.
    pub fn active_worker(&self, id: i64) -> Result<crate::domain::ids::WorkerId, AppError> {
        let w = crate::domain::ids::WorkerId(id);
        if !self.tx.worker_active(w)? {
            return Err(DomainError::not_found("worker", id).into());
        }
        Ok(w)
    }

    /// The warehouse with id `id` (a task's or a fulfillment's).
    pub fn warehouse(&self, id: crate::domain::ids::WarehouseId) -> Result<Warehouse, AppError> {
        self.tx
            .warehouses()?
            .into_iter()
            .find(|w| w.id == id)
            .ok_or_else(|| DomainError::not_found("warehouse", id).into())
    }

    /// The worker `id`, if it exists, is active and works in `warehouse`
    /// (a task's): a task is never handed to a worker of another site.
    pub fn active_worker_in(&self, id: i64, warehouse: i64) -> Result<crate::domain::ids::WorkerId, AppError> {
        let w = self.active_worker(id)?;
        if !self.tx.works_in(w, warehouse)? {
            let reason = format!("worker {id} does not work in this task's warehouse");
            return Err(DomainError::Forbidden { reason }.into());
        }
        Ok(w)
    }
}
