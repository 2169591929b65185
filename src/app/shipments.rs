//! What a packed task's shipment is created from, with the names its labels
//! print: one plan, made by the fulfillment workflow's PlanShipment step
//! (carried by its CreateShipment call) and by the label endpoint, so both
//! ask the carrier with the same idempotency key and get the same tracking
//! numbers.

use super::{AppError, Services};
use crate::domain::DomainError;
use crate::domain::ids::PackingTaskId;
use crate::domain::packing::PackingTask;
use crate::domain::shipment::{PackageSpec, PostalAddress, ShipmentRequest};
use crate::storage::Tx;

/// A shipment request with the names a label prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShipmentPlan {
    pub request: ShipmentRequest,
    pub warehouse: String,
    pub order_ref: String,
    /// The shipment the workflow created, if it has: `(carrier, tracking
    /// numbers in package order)`.
    pub created: Option<(String, Vec<String>)>,
}

/// The plan of `task`'s shipment, from the order and the warehouse as they
/// are now.
pub(crate) fn plan(tx: &Tx<'_>, task: &PackingTask) -> Result<ShipmentPlan, AppError> {
    let order = tx.order(task.order_id)?.ok_or_else(|| DomainError::not_found("order", task.order_id))?;
    let wh = tx.warehouse(task.warehouse_id)?.ok_or_else(|| DomainError::not_found("warehouse", task.warehouse_id))?;
    let to = PostalAddress::from(&order.ship_to);
    // Without a ship-from address the sender block is the warehouse's name
    // (the local carrier takes that; a real carrier refuses it, naming the
    // warehouse to set one for).
    let from =
        wh.address.clone().unwrap_or_else(|| PostalAddress { contact_name: wh.name.clone(), ..Default::default() });
    let request = ShipmentRequest {
        idempotency_key: format!("shipment-{}", task.fulfillment_id.0),
        order_id: task.order_id.0,
        warehouse_id: task.warehouse_id.0,
        warehouse_code: wh.code,
        // The carrier names its provider (`[carrier] provider`).
        provider: String::new(),
        from,
        to,
        packages: task
            .packages
            .iter()
            .map(|p| PackageSpec {
                sequence: p.sequence,
                weight_g: p.weight.map(|g| g.0),
                length_mm: p.dims.map_or(0, |d| d.length.0),
                width_mm: p.dims.map_or(0, |d| d.width.0),
                height_mm: p.dims.map_or(0, |d| d.height.0),
            })
            .collect(),
    };
    let created = match tx.shipment(task.fulfillment_id.0)? {
        Some(row) => Some((row.carrier, serde_json::from_str(&row.tracking)?)),
        None => None,
    };
    Ok(ShipmentPlan { request, warehouse: wh.name, order_ref: order.request_id, created })
}

impl Services {
    /// The plan of packing task `id`'s shipment (the label endpoint's).
    pub fn shipment_plan(&self, id: i64) -> Result<ShipmentPlan, AppError> {
        self.query(|tx| {
            let t = tx.packing_task(PackingTaskId(id))?.ok_or_else(|| DomainError::not_found("packing task", id))?;
            plan(tx, &t)
        })
    }
}
