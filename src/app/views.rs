//! Read models: what `tote order status` and the API show.

use super::{AppError, Services};
use crate::domain::DomainError;
use crate::domain::ids::OrderId;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct OrderView {
    pub order_id: i64,
    pub request_id: String,
    pub external_ref: Option<String>,
    pub status: crate::domain::order::OrderStatus,
    pub priority: crate::domain::order::Priority,
    pub cancel_reason: Option<String>,
    pub ship_to: super::command::AddressDto,
    pub lines: Vec<LineView>,
    pub fulfillments: Vec<FulfillmentView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct LineView {
    pub warehouse: String,
    pub sku: String,
    pub quantity: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct FulfillmentView {
    pub fulfillment_id: i64,
    pub warehouse: String,
    pub status: crate::domain::fulfillment::FulfillmentStatus,
    pub picking: Vec<TaskView>,
    pub packing: Vec<TaskView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct TaskView {
    pub task_id: i64,
    pub status: String,
    /// `done/total` items for picking, packages for packing.
    pub progress: String,
}

/// One slot of stock, as listed for picking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct SlotView {
    pub slot_id: i64,
    pub location: String,
    pub on_hand: u32,
    pub reserved: u32,
    pub available: u32,
    pub received_at: chrono::DateTime<chrono::Utc>,
    pub lot: Option<String>,
    pub expiry: Option<String>,
}

impl Services {
    /// Where to pick `sku` in `warehouse`, in the order allocation draws
    /// from (FEFO when lots carry expiry dates, otherwise FIFO).
    pub fn picking_locations(&self, warehouse: &str, sku: &str) -> Result<Vec<SlotView>, AppError> {
        let sku = crate::domain::ids::Sku::parse(sku, "sku")?;
        self.query(|tx| {
            let wh = tx
                .warehouse_by_code(warehouse)?
                .ok_or_else(|| DomainError::invalid("warehouse", format!("unknown warehouse {warehouse:?}")))?;
            let rows = tx.slots_for(wh.id, &sku)?;
            let slots: Vec<_> = rows.iter().map(|r| r.slot.clone()).collect();
            Ok(crate::domain::stock::allocation_order(&slots)
                .into_iter()
                .filter_map(|s| rows.iter().find(|r| r.slot.id == s.id))
                .map(|r| SlotView {
                    slot_id: r.slot.id.0,
                    location: r.location_code.clone(),
                    on_hand: r.slot.on_hand.0,
                    reserved: r.slot.reserved.0,
                    available: r.slot.available().0,
                    received_at: r.slot.received_at,
                    lot: r.slot.lot.clone(),
                    expiry: r.slot.expiry.map(|d| d.to_string()),
                })
                .collect())
        })
    }

    /// The order with its fulfillments and their tasks.
    pub fn order_view(&self, id: i64) -> Result<OrderView, AppError> {
        self.query(|tx| order_view_in(tx, id))
    }
}

/// The order with its fulfillments and their tasks, read in `tx` (one
/// snapshot, also for lists of orders).
pub(crate) fn order_view_in(tx: &crate::storage::Tx<'_>, id: i64) -> Result<OrderView, AppError> {
    let order = tx.order(OrderId(id))?.ok_or_else(|| DomainError::not_found("order", id))?;
    let warehouses = tx.warehouses()?;
    let wh_code = |wid| warehouses.iter().find(|w| w.id == wid).map(|w| w.code.clone()).unwrap_or_default();
    let picks = tx
        .picking_tasks_for_order(order.id)?
        .into_iter()
        .filter_map(|t| tx.picking_task(t).transpose())
        .collect::<Result<Vec<_>, _>>()?;
    let packs = tx
        .packing_tasks_for_order(order.id)?
        .into_iter()
        .filter_map(|t| tx.packing_task(t).transpose())
        .collect::<Result<Vec<_>, _>>()?;
    let fulfillments = tx
        .fulfillments_for_order(order.id)?
        .into_iter()
        .map(|f| FulfillmentView {
            fulfillment_id: f.id.0,
            warehouse: wh_code(f.warehouse_id),
            status: f.status,
            picking: picks
                .iter()
                .filter(|t| t.fulfillment_id == f.id)
                .map(|t| {
                    let (done, total) = t.progress();
                    TaskView { task_id: t.id.0, status: t.status.as_str().into(), progress: format!("{done}/{total}") }
                })
                .collect(),
            packing: packs
                .iter()
                .filter(|t| t.fulfillment_id == f.id)
                .map(|t| TaskView {
                    task_id: t.id.0,
                    status: t.status.as_str().into(),
                    progress: format!("{} pkg", t.packages.len()),
                })
                .collect(),
        })
        .collect();
    let lines = tx
        .order_lines(order.id)?
        .into_iter()
        .map(|l| LineView { warehouse: wh_code(l.warehouse_id), sku: l.sku.to_string(), quantity: l.quantity.0 })
        .collect();
    Ok(OrderView {
        order_id: order.id.0,
        request_id: order.request_id,
        external_ref: order.external_ref,
        status: order.status,
        priority: order.priority,
        cancel_reason: order.cancel_reason,
        ship_to: super::command::AddressDto::from(&order.ship_to),
        lines,
        fulfillments,
    })
}
