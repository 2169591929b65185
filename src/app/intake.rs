//! Order intake and the local activities of the workflows that serve it:
//! validate, create the order and its fulfillments, allocate stock, create
//! pick work. Intake runs them all in the caller's one transaction: if any
//! warehouse fails (no stock, a storage fault), nothing of the order remains
//! (seed 002 P0-1).

use super::command::{FulfillmentRef, OrderRequest, Outcome};
use super::reservations::Purpose;
use super::{AppError, Ctx};
use crate::domain::DomainError;
use crate::domain::event::DomainEvent;
use crate::domain::fulfillment::Fulfillment;
use crate::domain::ids::{FulfillmentId, OrderId, PickingItemId, PickingTaskId, Qty, ReservationId, Sku};
use crate::domain::order::{Address, LineDraft, OrderDraft, Priority, ValidOrder};
use crate::domain::picking::{ItemStatus, PickingItem, PickingStatus, PickingTask, sequence_items};
use crate::domain::stock::ReservationStatus;
use crate::storage::{SlotRow, Warehouse};

/// Intake: the intake workflow runs. Every local step (validate, create,
/// allocate, mark reserved, create pick work) runs in this one transaction,
/// so a refusal anywhere, a bad request first, leaves nothing of the order
/// (seed 002 P0-1); the workflows then wait for the pick. The request is
/// validated by the workflow's ValidateOrder step, not here as well.
pub fn submit(ctx: &mut Ctx<'_, '_>, req: &OrderRequest) -> Result<Outcome, AppError> {
    if let Some(existing) = ctx.tx.order_by_request(req.request_id.trim())? {
        return summary(ctx, existing, true);
    }
    if ctx.config.engine != super::workflow::hosted::Engine::Embedded {
        return super::workflow::hosted::submit(ctx, req);
    }
    let order_id = super::workflow::start_intake(ctx, req)?;
    summary(ctx, order_id, false)
}

/// Validates a request against the warehouses (the ValidateOrder activity).
pub(super) fn check(ctx: &Ctx<'_, '_>, req: &OrderRequest) -> Result<ValidOrder, AppError> {
    let warehouses = ctx.tx.warehouses()?;
    let draft = to_draft(req, &warehouses)?;
    let default = match warehouses.as_slice() {
        [only] => Some(only.code.as_str()),
        _ => None,
    };
    Ok(draft.validate(default)?)
}

/// The CreateOrder activity: the order, its lines and one pending
/// fulfillment per warehouse, with `order.created` in the same transaction.
/// A request id seen before returns the existing order.
pub(super) fn create_order(
    ctx: &mut Ctx<'_, '_>,
    req: &OrderRequest,
) -> Result<(OrderId, Vec<FulfillmentId>), AppError> {
    let order = check(ctx, req)?;
    if let Some(existing) = ctx.tx.order_by_request(&order.request_id)? {
        let fs = ctx.tx.fulfillments_for_order(existing)?.into_iter().map(|f| f.id).collect();
        return Ok((existing, fs));
    }
    let warehouses = ctx.tx.warehouses()?;
    let order_id = ctx.tx.insert_order(&order, ctx.now)?;
    let mut ids = Vec::with_capacity(order.groups.len());
    for (code, lines) in &order.groups {
        let wh = warehouses
            .iter()
            .find(|w| &w.code == code)
            .ok_or_else(|| DomainError::invalid("lines.warehouse", format!("unknown warehouse {code}")))?;
        let f = ctx.tx.insert_fulfillment(order_id, wh.id, ctx.config.max_attempts, ctx.now)?;
        for line in lines {
            ctx.tx.insert_order_line(order_id, wh.id, &line.sku, line.quantity)?;
            ctx.tx.insert_fulfillment_line(f.id, &line.sku, line.quantity)?;
        }
        ctx.emit(DomainEvent::FulfillmentCreated { fulfillment_id: f.id, order_id, warehouse_id: wh.id });
        ids.push(f.id);
    }
    ctx.emit(DomainEvent::OrderCreated {
        order_id,
        request_id: order.request_id.clone(),
        fulfillments: order.groups.len(),
    });
    Ok((order_id, ids))
}

fn to_draft(req: &OrderRequest, warehouses: &[Warehouse]) -> Result<OrderDraft, DomainError> {
    for (i, l) in req.lines.iter().enumerate() {
        if let Some(w) = &l.warehouse
            && !warehouses.iter().any(|x| x.code == w.trim())
        {
            return Err(DomainError::invalid(format!("lines[{i}].warehouse"), format!("unknown warehouse {w:?}")));
        }
    }
    draft(req)
}

/// Checks what any site would check of `req` (request id, address,
/// priority, every line's SKU and quantity), whichever site holds its
/// warehouses: an order split across sites is refused here, naming the
/// field as it was sent, not accepted and then failed at another site.
pub(super) fn check_shape(req: &OrderRequest) -> Result<(), DomainError> {
    // Which warehouse a line goes to is the sites' routing, not its shape.
    draft(req)?.validate(Some("")).map(drop)
}

fn draft(req: &OrderRequest) -> Result<OrderDraft, DomainError> {
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

/// A fulfillment with its warehouse and the lines it serves.
pub(super) struct Share {
    pub f: Fulfillment,
    pub wh: Warehouse,
    pub lines: Vec<(Sku, Qty)>,
    pub priority: Priority,
}

pub(super) fn share(ctx: &Ctx<'_, '_>, id: FulfillmentId) -> Result<Share, AppError> {
    let f = ctx.tx.fulfillment(id)?.ok_or_else(|| DomainError::not_found("fulfillment", id))?;
    let order = ctx.tx.order(f.order_id)?.ok_or_else(|| DomainError::not_found("order", f.order_id))?;
    let wh = ctx.warehouse(f.warehouse_id)?;
    // A fulfillment's own lines: a backorder serves only what it makes up.
    let lines = ctx.tx.fulfillment_lines(id)?;
    Ok(Share { f, wh, lines, priority: order.priority })
}

/// The AllocateInventory activity: every line reserved FIFO/FEFO, or
/// nothing (E201); the fulfillment moves to planning.
pub(super) fn allocate(ctx: &mut Ctx<'_, '_>, id: FulfillmentId) -> Result<u32, AppError> {
    let s = share(ctx, id)?;
    Ok(reserve_lines(ctx, &s.f, &s.wh, &s.lines)?.iter().map(|r| r.1.0).sum())
}

/// The CreatePickWork activity: a picking task over the fulfillment's
/// pending reservations, in walk order; the fulfillment moves to picking.
pub(super) fn create_pick_work(ctx: &mut Ctx<'_, '_>, id: FulfillmentId) -> Result<PickingTaskId, AppError> {
    let s = share(ctx, id)?;
    let mut reserved = Vec::new();
    for row in ctx.tx.reservations_for_order(s.f.order_id)? {
        if row.fulfillment_id != Some(id) || row.reservation.status != ReservationStatus::Pending {
            continue;
        }
        let slot = ctx
            .tx
            .slot(row.reservation.slot)?
            .ok_or_else(|| DomainError::not_found("stock slot", row.reservation.slot))?;
        reserved.push((slot, row.reservation.outstanding(), row.reservation.id));
    }
    build_picking_task(ctx, &s.f, s.priority, &s.wh, reserved)
}

/// Reserves `lines` FIFO in `wh` for fulfillment `f`.
pub(super) fn reserve_lines(
    ctx: &mut Ctx<'_, '_>,
    f: &Fulfillment,
    wh: &Warehouse,
    lines: &[(Sku, Qty)],
) -> Result<Vec<(SlotRow, Qty, ReservationId)>, AppError> {
    let mut out = Vec::new();
    for (sku, quantity) in lines {
        // A fulfillment's reservations do not expire: the picker holds them.
        let purpose = Purpose { order: Some(f.order_id), fulfillment: Some(f.id), expires_at: None };
        out.extend(ctx.reserve(wh, sku, *quantity, purpose)?);
    }
    Ok(out)
}

/// A new pending item for `qty` units reserved (`reservation`) in `row`.
pub(super) fn pending_item(
    row: &SlotRow,
    qty: Qty,
    reservation: ReservationId,
    barcode: Option<String>,
    name: String,
) -> PickingItem {
    PickingItem {
        id: PickingItemId(0),
        sku: row.sku.clone(),
        barcode,
        name,
        location_id: row.slot.location_id,
        location_code: row.location_code.clone(),
        walk_order: row.walk_order,
        check_digits: None,
        slot_id: row.slot.id,
        reservation_id: reservation,
        required: qty,
        picked: Qty::ZERO,
        status: ItemStatus::Pending,
        sequence: 0,
        reason: None,
        picked_at: None,
    }
}

/// The picking task over `reserved` units, in walk order. Used by the
/// workflow's pick work and by a retry.
pub(super) fn build_picking_task(
    ctx: &mut Ctx<'_, '_>,
    f: &Fulfillment,
    priority: Priority,
    wh: &Warehouse,
    reserved: Vec<(SlotRow, Qty, ReservationId)>,
) -> Result<PickingTaskId, AppError> {
    let mut items = Vec::new();
    for (row, qty, reservation) in reserved {
        let (barcode, name) = ctx.tx.product(row.sku.as_str())?.map(|p| (p.barcode, p.name)).unwrap_or_default();
        items.push(pending_item(&row, qty, reservation, barcode, name));
    }
    sequence_items(&mut items, |i| i.walk_order);
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
