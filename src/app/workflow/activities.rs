//! The local activities: each is one warehouse operation in the open
//! transaction, reusing the services' own steps (intake, reservations,
//! picking, cancellation). Carrier activities only leave their trace here
//! (`record_external`): the call itself is made by `server::engine`.

use super::super::command::OrderRequest;
use super::super::{AppError, Ctx, backorder, cancel, claim, intake, packing, picking};
use crate::domain::DomainError;
use crate::domain::event::{DomainEvent, ShortLine};
use crate::domain::fulfillment::FulfillmentStatus;
use crate::domain::ids::{FulfillmentId, OrderId};
use crate::domain::order::OrderStatus;
use crate::domain::packing::PackingStatus;
use crate::domain::picking::PickingStatus;
use crate::domain::stock::ReservationStatus;
use crate::domain::workflow::{Activity, ActivityResult};
use crate::storage::workflow::WorkflowRow;

/// The fulfillment (and its order) that a fulfillment workflow's row serves.
fn fulfillment_of(row: &WorkflowRow) -> Result<(FulfillmentId, OrderId), AppError> {
    let (f, o) = row.fulfillment_id.zip(row.order_id).ok_or_else(|| {
        DomainError::invalid("activity", format!("workflow {} is not a fulfillment workflow", row.id))
    })?;
    Ok((FulfillmentId(f), OrderId(o)))
}

pub(super) fn run(ctx: &mut Ctx<'_, '_>, row: &WorkflowRow, activity: &Activity) -> Result<ActivityResult, AppError> {
    match activity {
        Activity::ValidateOrder => {
            let req: OrderRequest = serde_json::from_str(&row.input)?;
            intake::check(ctx, &req)?;
            Ok(ActivityResult::Done)
        }
        Activity::CreateOrder => {
            let req: OrderRequest = serde_json::from_str(&row.input)?;
            let (order, fs) = intake::create_order(ctx, &req)?;
            Ok(ActivityResult::OrderCreated { order_id: order.0, fulfillments: fs.iter().map(|f| f.0).collect() })
        }
        Activity::AllocateInventory => {
            let (f, _) = fulfillment_of(row)?;
            Ok(ActivityResult::Allocated { units: intake::allocate(ctx, f)? })
        }
        Activity::MarkReserved => {
            let (f, order_id) = fulfillment_of(row)?;
            ctx.emit(DomainEvent::OrderReserved { order_id, fulfillment_id: f });
            Ok(ActivityResult::Done)
        }
        Activity::CreatePickWork => {
            let (f, _) = fulfillment_of(row)?;
            Ok(ActivityResult::PickWork { task_id: intake::create_pick_work(ctx, f)?.0 })
        }
        Activity::RequeuePick => requeue_pick(ctx, row),
        Activity::RequeuePack => {
            let (f, order_id) = fulfillment_of(row)?;
            Ok(ActivityResult::PackWork { task_id: packing::requeue(ctx, f, order_id)?.0 })
        }
        Activity::ConsumeInventory => consume(ctx, row),
        Activity::CreateBackorder => {
            let (f, order_id) = fulfillment_of(row)?;
            backorder::create(ctx, f, order_id)
        }
        Activity::GenerateLabel => {
            let (f, order_id) = fulfillment_of(row)?;
            let t = packed_task(ctx, order_id, f)?;
            ctx.tx.set_shipment_status(f.0, "labelled", ctx.now)?;
            Ok(ActivityResult::Labelled { labels: u32::try_from(t.packages.len()).unwrap_or(u32::MAX) })
        }
        Activity::MarkShipped => mark_shipped(ctx, row),
        Activity::UpdateAddress { ship_to } => {
            let (_, order_id) = fulfillment_of(row)?;
            ctx.tx.set_order_ship_to(order_id, ship_to, ctx.now)?;
            Ok(ActivityResult::Done)
        }
        Activity::ReleaseInventory { reason } => {
            let (f, order_id) = fulfillment_of(row)?;
            let (released, returned, tasks) = cancel::cancel_fulfillment_work(ctx, order_id, f, reason)?;
            Ok(ActivityResult::Released { released, returned, tasks_cancelled: tasks })
        }
        Activity::PlanShipment => {
            let (f, order_id) = fulfillment_of(row)?;
            let plan = crate::app::shipments::plan(ctx.tx, &packed_task(ctx, order_id, f)?)?;
            Ok(ActivityResult::ShipmentPlanned { request: Box::new(plan.request) })
        }
        Activity::CreateShipment { .. } | Activity::ConfirmShipment { .. } | Activity::VoidShipment { .. } => {
            Err(DomainError::invalid("activity", format!("{} calls the carrier", activity.name())).into())
        }
    }
}

/// Pick timeout with re-queue: the stuck task is cancelled (its stock goes
/// back to the shelves) and a new one is made, counted as a retry.
fn requeue_pick(ctx: &mut Ctx<'_, '_>, row: &WorkflowRow) -> Result<ActivityResult, AppError> {
    let (f, order_id) = fulfillment_of(row)?;
    for id in ctx.tx.picking_tasks_for_order(order_id)? {
        let mut t = picking::load(ctx, id.0)?;
        if t.fulfillment_id != f
            || !matches!(t.status, PickingStatus::Pending | PickingStatus::Assigned | PickingStatus::InProgress)
        {
            continue;
        }
        picking::cancel_task(ctx, &mut t, "pick timed out: re-queued")?;
    }
    Ok(ActivityResult::PickWork { task_id: claim::new_pick_work(ctx, f)?.0 })
}

/// The pick is final: reservations it left open are released, and the
/// units it took are counted as leaving stock for the parcel.
fn consume(ctx: &mut Ctx<'_, '_>, row: &WorkflowRow) -> Result<ActivityResult, AppError> {
    let (f, order_id) = fulfillment_of(row)?;
    for mut row in ctx.tx.reservations_for_order(order_id)? {
        if row.fulfillment_id == Some(f) && row.reservation.status == ReservationStatus::Pending {
            ctx.release(&mut row, "pick completed")?;
        }
    }
    let mut units = 0;
    for id in ctx.tx.picking_tasks_for_order(order_id)? {
        let t = picking::load(ctx, id.0)?;
        if t.fulfillment_id == f && t.status == PickingStatus::Completed {
            units += t.picked_total().0;
        }
    }
    Ok(ActivityResult::Consumed { units })
}

fn packed_task(
    ctx: &Ctx<'_, '_>,
    order_id: OrderId,
    f: FulfillmentId,
) -> Result<crate::domain::packing::PackingTask, AppError> {
    for id in ctx.tx.packing_tasks_for_order(order_id)?.into_iter().rev() {
        if let Some(t) = ctx.tx.packing_task(id)?
            && t.fulfillment_id == f
            && matches!(t.status, PackingStatus::Packed | PackingStatus::Shipped)
        {
            return Ok(t);
        }
    }
    Err(DomainError::IllegalTransition { entity: "fulfillment", from: "not packed", action: "label" }.into())
}

fn mark_shipped(ctx: &mut Ctx<'_, '_>, row: &WorkflowRow) -> Result<ActivityResult, AppError> {
    let (f, order_id) = fulfillment_of(row)?;
    let shipment = ctx.tx.shipment(f.0)?.ok_or(DomainError::TrackingMissing)?;
    let tracking: Vec<String> = serde_json::from_str(&shipment.tracking)?;
    let mut t = packed_task(ctx, order_id, f)?;
    if t.status == PackingStatus::Packed {
        t.ship(tracking.first().map(String::as_str).unwrap_or_default(), ctx.now)?;
        ctx.tx.save_packing_task(&t, ctx.now)?;
    }
    ctx.tx.set_shipment_status(f.0, "shipped", ctx.now)?;
    ctx.emit(DomainEvent::ShipmentDispatched { order_id, fulfillment_id: f, tracking: tracking.clone() });
    ctx.emit(DomainEvent::OrderShipped { order_id, fulfillment_id: f, tracking });
    short_shipped(ctx, order_id, f)?;
    let all = ctx.tx.fulfillments_for_order(order_id)?;
    let shipped = |s: FulfillmentStatus| matches!(s, FulfillmentStatus::Shipped | FulfillmentStatus::Completed);
    // This fulfillment's own row moves when the workflow records the step.
    if all.iter().all(|x| x.id == f || shipped(x.status) || x.status == FulfillmentStatus::Cancelled) {
        ctx.tx.set_order_status(order_id, OrderStatus::Shipped, None, ctx.now)?;
    }
    Ok(ActivityResult::Done)
}

/// A fulfillment that left with fewer units than ordered says so, line by
/// line (`order.short_shipped`), unless the missing units wait as a
/// backorder (short policy `backorder`).
/// The quantities are the order view's own (one place counts them).
fn short_shipped(ctx: &mut Ctx<'_, '_>, order_id: OrderId, f: FulfillmentId) -> Result<(), AppError> {
    let view = super::super::views::order_view_in(ctx.tx, order_id.0)?;
    let Some(warehouse) = view.fulfillments.iter().find(|x| x.fulfillment_id == f.0).map(|x| &x.warehouse) else {
        return Ok(());
    };
    let mut lines = Vec::new();
    // A line whose missing units wait as a backorder is not short (yet).
    for l in view.lines.iter().filter(|l| &l.warehouse == warehouse) {
        let Some(missing) = l.short.filter(|n| *n > 0) else { continue };
        let sku = crate::domain::ids::Sku::parse(&l.sku, "sku")?;
        lines.push(ShortLine { sku, ordered: l.quantity, shipped: l.shipped, missing });
    }
    if !lines.is_empty() {
        ctx.emit(DomainEvent::OrderShortShipped { order_id, fulfillment_id: f, lines });
    }
    Ok(())
}

/// What a carrier activity's result changes in the warehouse's tables, in
/// the transaction that records it, once the workflow took the result: a
/// created shipment is stored once per fulfillment (a second answer finds
/// the first), a confirmation marks it confirmed, a void voided.
pub(in crate::app) fn record_external(
    ctx: &mut Ctx<'_, '_>,
    row: &WorkflowRow,
    activity: &Activity,
    result: &ActivityResult,
) -> Result<(), AppError> {
    let (f, order_id) = fulfillment_of(row)?;
    match (activity, result) {
        (Activity::CreateShipment { .. }, ActivityResult::Shipment { carrier, tracking, shipment_ids })
            if ctx.tx.shipment(f.0)?.is_none() =>
        {
            ctx.tx.insert_shipment(f.0, order_id.0, carrier, &serde_json::to_string(tracking)?, ctx.now)?;
            ctx.emit(DomainEvent::ShipmentCreated {
                order_id,
                fulfillment_id: f,
                carrier: carrier.clone(),
                tracking: tracking.clone(),
                shipment_ids: shipment_ids.clone(),
            });
        }
        (Activity::ConfirmShipment { .. }, _) => ctx.tx.set_shipment_status(f.0, "confirmed", ctx.now)?,
        (Activity::VoidShipment { tracking }, _) => {
            ctx.tx.set_shipment_status(f.0, "voided", ctx.now)?;
            ctx.emit(DomainEvent::ShipmentVoided { order_id, fulfillment_id: f, tracking: tracking.clone() });
        }
        _ => {}
    }
    Ok(())
}
