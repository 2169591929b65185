//! The JSON payload of each outbox event (seed 001 §5.2 field names).

use crate::domain::event::DomainEvent;
use serde_json::{Value, json};

pub fn payload(e: &DomainEvent) -> Value {
    use DomainEvent as E;
    let mut v = match e {
        E::OrderCreated { order_id, request_id, fulfillments } => {
            json!({"order_id": order_id.0, "request_id": request_id, "fulfillments": fulfillments})
        }
        E::OrderCancelled { order_id, reason } => json!({"order_id": order_id.0, "reason": reason}),
        E::PickingItemReallocated { task_id, item_id, sku, quantity, location } => json!({
            "task_id": task_id.0, "item_id": item_id.0, "listing_id": sku.as_str(), "quantity": quantity.0,
            "location": location,
        }),
        E::PickingUnfulfillable { task_id, order_id, sku, missing } => json!({
            "task_id": task_id.0, "order_id": order_id.0, "listing_id": sku.as_str(), "missing": missing.0,
        }),
        E::OrderPriorityChanged { order_id, from, to } => {
            json!({"order_id": order_id.0, "old_priority": from, "new_priority": to})
        }
        E::OrderReserved { order_id, fulfillment_id } => {
            json!({"order_id": order_id.0, "fulfillment_id": fulfillment_id.0})
        }
        E::OrderShipped { order_id, fulfillment_id, tracking }
        | E::ShipmentVoided { order_id, fulfillment_id, tracking } => {
            json!({"order_id": order_id.0, "fulfillment_id": fulfillment_id.0, "tracking_numbers": tracking})
        }
        E::ShipmentCreated { order_id, fulfillment_id, carrier, tracking } => json!({
            "order_id": order_id.0, "fulfillment_id": fulfillment_id.0, "carrier": carrier, "tracking_numbers": tracking,
        }),
        E::FulfillmentCreated { fulfillment_id, order_id, warehouse_id } => {
            json!({"fulfillment_id": fulfillment_id.0, "order_id": order_id.0, "warehouse_id": warehouse_id.0})
        }
        E::FulfillmentStatusChanged { fulfillment_id, order_id, from, to } => {
            json!({"fulfillment_id": fulfillment_id.0, "order_id": order_id.0, "old_status": from, "new_status": to})
        }
        E::InventoryReserved { reservation_id, sku, warehouse_id, quantity, order_id } => json!({
            "reservation_id": reservation_id.0, "listing_id": sku.as_str(), "warehouse_id": warehouse_id.0,
            "quantity": quantity.0, "order_id": order_id.map(|o| o.0),
        }),
        E::InventoryReleased { reservation_id, sku, warehouse_id, quantity, reason } => json!({
            "reservation_id": reservation_id.0, "listing_id": sku.as_str(), "warehouse_id": warehouse_id.0,
            "quantity": quantity.0, "reason": reason,
        }),
        E::InventoryPlaced { sku, warehouse_id, quantity, location } => json!({
            "listing_id": sku.as_str(), "warehouse_id": warehouse_id.0, "quantity": quantity.0, "location": location,
        }),
        E::InventoryMoved { sku, warehouse_id, quantity, from_location, to_location } => json!({
            "listing_id": sku.as_str(), "warehouse_id": warehouse_id.0, "quantity": quantity.0,
            "from_location": from_location, "to_location": to_location,
        }),
        E::InventoryRemoved { sku, warehouse_id, quantity, location, reason } => json!({
            "listing_id": sku.as_str(), "warehouse_id": warehouse_id.0, "quantity": quantity.0,
            "location": location, "reason": reason,
        }),
        E::InventoryReturned { sku, warehouse_id, quantity, location } => json!({
            "listing_id": sku.as_str(), "warehouse_id": warehouse_id.0, "quantity": quantity.0, "location": location,
        }),
        E::PickingCreated { task_id, order_id, warehouse_id } => {
            json!({"task_id": task_id.0, "order_id": order_id.0, "warehouse_id": warehouse_id.0})
        }
        E::PickingAssigned { task_id, order_id, worker_id } | E::PickingStarted { task_id, order_id, worker_id } => {
            json!({"task_id": task_id.0, "order_id": order_id.0, "worker_id": worker_id.0})
        }
        E::PickingItemPicked { task_id, item_id, sku, quantity } => {
            json!({"task_id": task_id.0, "item_id": item_id.0, "listing_id": sku.as_str(), "quantity": quantity.0})
        }
        E::PickingItemShort { task_id, item_id, sku, missing, reason }
        | E::PickingItemSkipped { task_id, item_id, sku, missing, reason } => json!({
            "task_id": task_id.0, "item_id": item_id.0, "listing_id": sku.as_str(), "missing": missing.0,
            "reason": reason,
        }),
        E::PickingCompleted { task_id, order_id } => json!({"task_id": task_id.0, "order_id": order_id.0}),
        E::PickingCancelled { task_id, order_id, reason } => {
            json!({"task_id": task_id.0, "order_id": order_id.0, "reason": reason})
        }
        E::PackingCreated { task_id, order_id } => json!({"task_id": task_id.0, "order_id": order_id.0}),
        E::PackingStarted { task_id, order_id, worker_id } => {
            json!({"task_id": task_id.0, "order_id": order_id.0, "worker_id": worker_id.0})
        }
        E::PackingCompleted { task_id, order_id, packages } => {
            json!({"task_id": task_id.0, "order_id": order_id.0, "packages": packages})
        }
        E::PackingCancelled { task_id, order_id, reason } => {
            json!({"task_id": task_id.0, "order_id": order_id.0, "reason": reason})
        }
    };
    if let Some(obj) = v.as_object_mut() {
        obj.insert("type".into(), Value::from(e.name()));
    }
    v
}
