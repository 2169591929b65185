//! Read models: what `tote order status` and the API show.

use super::{AppError, Services};
use crate::domain::DomainError;
use crate::domain::fulfillment::FulfillmentStatus;
use crate::domain::ids::OrderId;
use crate::domain::packing::PackingStatus;
use crate::domain::picking::{ItemStatus, PickingStatus};
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
    /// Ordered.
    pub quantity: u32,
    /// Secured for the line: picked, plus still to pick on open items.
    pub allocated: u32,
    pub picked: u32,
    /// Picked units in a packed (or shipped) box.
    pub packed: u32,
    /// Units that left the dock.
    pub shipped: u32,
    /// Units waiting for stock (short policy `backorder`): a fulfillment
    /// accepted short, or the backorder of a short pick, not yet allocated.
    pub backordered: u32,
    /// Units the line will not get: ordered but not picked once every pick
    /// serving it is done and nothing waits for stock (a short or skip no
    /// other location or backorder covered). `None` while open.
    pub short: Option<u32>,
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
    /// Who works it (its assignee), if anyone does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worker: Option<String>,
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
    // The assignees' names, read once each.
    let mut names = std::collections::BTreeMap::new();
    for w in picks.iter().map(|t| t.worker_id).chain(packs.iter().map(|t| t.worker_id)).flatten() {
        if let std::collections::btree_map::Entry::Vacant(e) = names.entry(w) {
            e.insert(tx.worker(w)?.map(|r| r.name));
        }
    }
    let name = |w: Option<crate::domain::ids::WorkerId>| w.and_then(|w| names.get(&w).cloned().flatten());
    let rows = tx.fulfillments_for_order(order.id)?;
    let fulfillments = rows
        .iter()
        .map(|f| FulfillmentView {
            fulfillment_id: f.id.0,
            warehouse: wh_code(f.warehouse_id),
            status: f.status,
            picking: picks
                .iter()
                .filter(|t| t.fulfillment_id == f.id)
                .map(|t| {
                    let (done, total) = t.progress();
                    TaskView {
                        task_id: t.id.0,
                        status: t.status.as_str().into(),
                        progress: format!("{done}/{total}"),
                        worker: name(t.worker_id),
                    }
                })
                .collect(),
            packing: packs
                .iter()
                .filter(|t| t.fulfillment_id == f.id)
                .map(|t| TaskView {
                    task_id: t.id.0,
                    status: t.status.as_str().into(),
                    // A box set aside says why while it waits for a packer.
                    progress: match t
                        .set_aside
                        .filter(|_| t.status == crate::domain::packing::PackingStatus::InProgress)
                    {
                        Some(a) => format!("{} pkg, set aside: {}", t.packages.len(), a.reason.words()),
                        None => format!("{} pkg", t.packages.len()),
                    },
                    worker: name(t.worker_id),
                })
                .collect(),
        })
        .collect();
    let own = tx.fulfillment_lines_for_order(order.id)?;
    let mut lines = Vec::new();
    for l in tx.order_lines(order.id)? {
        let mut line = LineView {
            warehouse: wh_code(l.warehouse_id),
            sku: l.sku.to_string(),
            quantity: l.quantity.0,
            allocated: 0,
            picked: 0,
            packed: 0,
            shipped: 0,
            backordered: 0,
            short: None,
        };
        // Every live fulfillment that serves the line (the first, and its
        // backorders) adds what it has done; a cancelled one adds nothing.
        let (mut serving, mut all_picked) = (0, true);
        for f in rows.iter().filter(|f| f.warehouse_id == l.warehouse_id && f.status != FulfillmentStatus::Cancelled) {
            let Some(mine) = own.iter().find(|x| x.fulfillment_id == f.id && x.sku == l.sku) else { continue };
            serving += 1;
            let tasks: Vec<_> =
                picks.iter().filter(|t| t.fulfillment_id == f.id && t.status != PickingStatus::Cancelled).collect();
            if tasks.is_empty() {
                // Never allocated: it waits for stock. (A failed pick waiting
                // for a retry has no open task either, but is not backordered.)
                if f.status == FulfillmentStatus::Pending {
                    line.backordered += mine.quantity.0;
                }
                all_picked = false;
                continue;
            }
            let items = || tasks.iter().flat_map(|t| &t.items).filter(|i| i.sku == l.sku);
            let picked: u32 = items().map(|i| i.picked.0).sum();
            let open: u32 = items().filter(|i| i.status == ItemStatus::Pending).map(|i| i.remaining().0).sum();
            let boxed =
                |done: &[PackingStatus]| packs.iter().any(|p| p.fulfillment_id == f.id && done.contains(&p.status));
            line.allocated += picked + open;
            line.picked += picked;
            line.packed += if boxed(&[PackingStatus::Packed, PackingStatus::Shipped]) { picked } else { 0 };
            line.shipped += if boxed(&[PackingStatus::Shipped]) { picked } else { 0 };
            all_picked &= tasks.iter().all(|t| t.status == PickingStatus::Completed);
        }
        line.short = (serving > 0 && all_picked).then(|| line.quantity.saturating_sub(line.picked));
        lines.push(line);
    }
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
