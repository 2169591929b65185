//! Backorders (short policy `backorder`, ADR 0036). The units a pick did not
//! find become a new fulfillment of the same order and warehouse, with its
//! own workflow, which allocates at once if another slot has the SKU and
//! otherwise waits for stock. A fulfillment waiting for stock is woken by
//! the op that makes some available in its warehouse: received or placed,
//! put back, restocked from quarantine, released by another order, or
//! counted up.

use super::{AppError, Ctx, intake, picking};
use crate::domain::event::DomainEvent;
use crate::domain::ids::{FulfillmentId, OrderId, Qty, Sku, WarehouseId};
use crate::domain::picking::PickingStatus;
use crate::domain::workflow::{ActivityResult, Signal};
use std::collections::BTreeMap;

/// The CreateBackorder activity: what fulfillment `f`'s completed picks
/// left short, line by line, as a new fulfillment (none when nothing is
/// missing).
pub(super) fn create(ctx: &mut Ctx<'_, '_>, f: FulfillmentId, order_id: OrderId) -> Result<ActivityResult, AppError> {
    let share = intake::share(ctx, f)?;
    let mut picked: BTreeMap<Sku, u32> = BTreeMap::new();
    for id in ctx.tx.picking_tasks_for_order(order_id)? {
        let t = picking::load(ctx, id.0)?;
        if t.fulfillment_id == f && t.status == PickingStatus::Completed {
            for i in &t.items {
                *picked.entry(i.sku.clone()).or_default() += i.picked.0;
            }
        }
    }
    let missing: Vec<(Sku, Qty)> = share
        .lines
        .iter()
        .filter_map(|(sku, q)| {
            let got = picked.get(sku).copied().unwrap_or(0);
            (q.0 > got).then(|| (sku.clone(), Qty(q.0 - got)))
        })
        .collect();
    let units: u32 = missing.iter().map(|(_, q)| q.0).sum();
    if units == 0 {
        return Ok(ActivityResult::Backorder { fulfillment_id: None, units });
    }
    let b = ctx.tx.insert_fulfillment(order_id, share.wh.id, ctx.config.max_attempts, ctx.now)?;
    ctx.tx.set_backorder_of(b.id, f)?;
    for (sku, q) in &missing {
        ctx.tx.insert_fulfillment_line(b.id, sku, *q)?;
    }
    ctx.emit(DomainEvent::FulfillmentCreated { fulfillment_id: b.id, order_id, warehouse_id: share.wh.id });
    ctx.emit(DomainEvent::OrderBackordered { order_id, fulfillment_id: f, backorder_id: b.id, lines: missing });
    Ok(ActivityResult::Backorder { fulfillment_id: Some(b.id.0), units })
}

/// The warehouses and SKUs whose available stock the op's events raised.
fn freed(events: &[DomainEvent]) -> BTreeMap<WarehouseId, Vec<Sku>> {
    let mut out: BTreeMap<WarehouseId, Vec<Sku>> = BTreeMap::new();
    for e in events {
        let (wh, sku) = match e {
            DomainEvent::InventoryReleased { warehouse_id, sku, .. }
            | DomainEvent::InventoryPlaced { warehouse_id, sku, .. }
            | DomainEvent::InventoryReturned { warehouse_id, sku, .. } => (warehouse_id, sku),
            DomainEvent::InventoryAdjusted { warehouse_id, sku, quantity, .. } if *quantity > 0 => (warehouse_id, sku),
            _ => continue,
        };
        let skus = out.entry(*wh).or_default();
        if !skus.contains(sku) {
            skus.push(sku.clone());
        }
    }
    out
}

/// Wakes the fulfillments that wait for stock the op made available, most
/// urgent and oldest first: each allocates if it can now (in this
/// transaction) and otherwise keeps waiting. Run once per op, after its
/// command.
pub(super) fn wake(ctx: &mut Ctx<'_, '_>) -> Result<(), AppError> {
    let freed = freed(&ctx.events);
    for (wh, skus) in freed {
        for id in ctx.tx.waiting_for_stock(wh, &skus)? {
            super::workflow::signal(ctx, &id, Signal::StockArrived)?;
        }
    }
    Ok(())
}
