//! Order intake: validate, create the order, and for each warehouse one
//! fulfillment with FIFO reservations and a picking task, all in the
//! caller's one transaction. If any warehouse fails (no stock, a storage
//! fault), nothing of the order remains (seed 002 P0-1).

use super::command::{FulfillmentRef, OrderRequest, Outcome};
use super::reservations::Purpose;
use super::{AppError, Ctx};
use crate::domain::DomainError;
use crate::domain::event::DomainEvent;
use crate::domain::fulfillment::Fulfillment;
use crate::domain::fulfillment::FulfillmentAction;
use crate::domain::ids::{OrderId, PickingItemId, PickingTaskId, Qty, Sku};
use crate::domain::order::{Address, LineDraft, OrderDraft, OrderLine, Priority, ValidOrder};
use crate::domain::picking::{ItemStatus, PickingItem, PickingStatus, PickingTask, sequence_items};
use crate::storage::Warehouse;
use std::collections::HashMap;

pub fn submit(ctx: &mut Ctx<'_, '_>, req: &OrderRequest) -> Result<Outcome, AppError> {
    let warehouses = ctx.tx.warehouses()?;
    let draft = to_draft(req, &warehouses)?;
    let default = match warehouses.as_slice() {
        [only] => Some(only.code.as_str()),
        _ => None,
    };
    let order = draft.validate(default)?;
    if let Some(existing) = ctx.tx.order_by_request(&order.request_id)? {
        return summary(ctx, existing, true);
    }
    let order_id = ctx.tx.insert_order(&order, ctx.now)?;
    for (code, lines) in &order.groups {
        let wh = warehouses
            .iter()
            .find(|w| &w.code == code)
            .ok_or_else(|| DomainError::invalid("lines.warehouse", format!("unknown warehouse {code}")))?;
        create_fulfillment(ctx, order_id, &order, wh, lines)?;
    }
    ctx.emit(DomainEvent::OrderCreated {
        order_id,
        request_id: order.request_id.clone(),
        fulfillments: order.groups.len(),
    });
    summary(ctx, order_id, false)
}

fn to_draft(req: &OrderRequest, warehouses: &[Warehouse]) -> Result<OrderDraft, DomainError> {
    for (i, l) in req.lines.iter().enumerate() {
        if let Some(w) = &l.warehouse {
            if !warehouses.iter().any(|x| x.code == w.trim()) {
                return Err(DomainError::invalid(format!("lines[{i}].warehouse"), format!("unknown warehouse {w:?}")));
            }
        }
    }
    Ok(OrderDraft {
        request_id: req.request_id.clone(),
        external_ref: req.external_ref.clone(),
        priority: Priority::parse(&req.priority, "priority")?,
        ship_to: Address::from(&req.ship_to),
        lines: req
            .lines
            .iter()
            .map(|l| LineDraft { sku: l.sku.clone(), quantity: l.quantity, warehouse: l.warehouse.clone() })
            .collect(),
    })
}

/// One warehouse's share: fulfillment, reservations, picking task.
fn create_fulfillment(
    ctx: &mut Ctx<'_, '_>,
    order_id: OrderId,
    order: &ValidOrder,
    wh: &Warehouse,
    lines: &[OrderLine],
) -> Result<(), AppError> {
    let mut f = ctx.tx.insert_fulfillment(order_id, wh.id, ctx.config.max_attempts, ctx.now)?;
    f.apply(FulfillmentAction::Plan)?;
    let mut wanted = Vec::with_capacity(lines.len());
    for line in lines {
        ctx.tx.insert_order_line(order_id, wh.id, &line.sku, line.quantity)?;
        wanted.push((line.sku.clone(), line.quantity));
    }
    create_picking_task(ctx, &f, order.priority, wh, &wanted)?;
    f.apply(FulfillmentAction::StartPicking)?;
    ctx.tx.save_fulfillment(&f, ctx.now)?;
    ctx.emit(DomainEvent::FulfillmentCreated { fulfillment_id: f.id, order_id, warehouse_id: wh.id });
    Ok(())
}

/// Reserves `lines` FIFO in `wh` for fulfillment `f` and creates the
/// picking task over them, in walk order. Used by intake and by a retry.
pub(super) fn create_picking_task(
    ctx: &mut Ctx<'_, '_>,
    f: &Fulfillment,
    priority: Priority,
    wh: &Warehouse,
    lines: &[(Sku, Qty)],
) -> Result<PickingTaskId, AppError> {
    let mut items = Vec::new();
    let mut walk: HashMap<crate::domain::ids::LocationId, i64> = HashMap::new();
    for (sku, quantity) in lines {
        let (barcode, name) = ctx.tx.product(sku.as_str())?.map(|p| (p.barcode, p.name)).unwrap_or_default();
        // A fulfillment's reservations do not expire: the picker holds them.
        let purpose = Purpose { order: Some(f.order_id), fulfillment: Some(f.id), expires_at: None };
        for (row, qty, reservation) in ctx.reserve(wh, sku, *quantity, purpose)? {
            walk.insert(row.slot.location_id, row.walk_order);
            items.push(PickingItem {
                id: PickingItemId(0),
                sku: sku.clone(),
                barcode: barcode.clone(),
                name: name.clone(),
                location_id: row.slot.location_id,
                location_code: row.location_code.clone(),
                check_digits: None,
                slot_id: row.slot.id,
                reservation_id: reservation,
                required: qty,
                picked: Qty::ZERO,
                status: ItemStatus::Pending,
                sequence: 0,
                reason: None,
                picked_at: None,
            });
        }
    }
    sequence_items(&mut items, |i| walk.get(&i.location_id).copied().unwrap_or(0));
    let task = PickingTask {
        id: PickingTaskId(0),
        order_id: f.order_id,
        warehouse_id: wh.id,
        fulfillment_id: f.id,
        worker_id: None,
        status: PickingStatus::Pending,
        priority,
        items,
        created_at: ctx.now,
        started_at: None,
        completed_at: None,
        cancelled_at: None,
        cancellation_reason: None,
    };
    let task_id = ctx.tx.insert_picking_task(&task, ctx.now)?;
    ctx.emit(DomainEvent::PickingCreated { task_id, order_id: f.order_id, warehouse_id: wh.id });
    Ok(task_id)
}

fn summary(ctx: &Ctx<'_, '_>, order_id: OrderId, existing: bool) -> Result<Outcome, AppError> {
    let order = ctx.tx.order(order_id)?.ok_or_else(|| DomainError::not_found("order", order_id))?;
    let warehouses = ctx.tx.warehouses()?;
    // Each task is loaded once, not once per fulfillment.
    let mut picks = Vec::new();
    for id in ctx.tx.picking_tasks_for_order(order_id)? {
        picks.extend(ctx.tx.picking_task(id)?);
    }
    let mut fulfillments = Vec::new();
    for f in ctx.tx.fulfillments_for_order(order_id)? {
        // The latest task wins, as before: a retried pick has a newer one.
        let picking_task_id = picks.iter().rev().find(|t| t.fulfillment_id == f.id).map(|t| t.id.0);
        fulfillments.push(FulfillmentRef {
            fulfillment_id: f.id.0,
            warehouse: warehouses.iter().find(|w| w.id == f.warehouse_id).map(|w| w.code.clone()).unwrap_or_default(),
            status: f.status.as_str().to_owned(),
            picking_task_id,
        });
    }
    Ok(Outcome::Order { order_id: order_id.0, status: order.status.as_str().to_owned(), fulfillments, existing })
}
