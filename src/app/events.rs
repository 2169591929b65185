//! Each domain event as its wire payload (`contract::events`): the one
//! mapping from the pure `DomainEvent` to what subscribers read.

use crate::contract::events::{EventBody, EventPayload, Product};
use crate::domain::Timestamp;
use crate::domain::event::DomainEvent;

/// The payload of `e`, committed at `at`; `listing` gives a SKU's listing
/// in the Listings service, if it has one.
pub fn payload(e: &DomainEvent, at: Timestamp, listing: &dyn Fn(&str) -> Option<String>) -> EventPayload {
    let product = |sku: &str| Product { sku: sku.to_owned(), listing_id: listing(sku) };
    use DomainEvent as E;
    use EventBody as B;
    let body = match e.clone() {
        E::OrderCreated { order_id, request_id, fulfillments } => {
            B::OrderCreated { order_id: order_id.0, request_id, fulfillments }
        }
        E::OrderCancelled { order_id, reason } => B::OrderCancelled { order_id: order_id.0, reason },
        E::PickingItemReallocated { task_id, item_id, sku, quantity, location } => B::PickingItemReallocated {
            task_id: task_id.0,
            item_id: item_id.0,
            product: product(sku.as_str()),
            quantity: quantity.0,
            location,
        },
        E::PickingUnfulfillable { task_id, order_id, sku, missing } => B::PickingUnfulfillable {
            task_id: task_id.0,
            order_id: order_id.0,
            product: product(sku.as_str()),
            missing: missing.0,
        },
        E::OrderPriorityChanged { order_id, from, to } => {
            B::OrderPriorityChanged { order_id: order_id.0, old_priority: from.into(), new_priority: to.into() }
        }
        E::OrderReserved { order_id, fulfillment_id } => {
            B::OrderReserved { order_id: order_id.0, fulfillment_id: fulfillment_id.0 }
        }
        E::OrderShortShipped { order_id, fulfillment_id, lines } => B::OrderShortShipped {
            order_id: order_id.0,
            fulfillment_id: fulfillment_id.0,
            lines: lines
                .into_iter()
                .map(|l| crate::contract::events::ShortLineBody {
                    product: product(l.sku.as_str()),
                    ordered: l.ordered,
                    shipped: l.shipped,
                    missing: l.missing,
                })
                .collect(),
        },
        E::OrderBackordered { order_id, fulfillment_id, backorder_id, lines } => B::OrderBackordered {
            order_id: order_id.0,
            fulfillment_id: fulfillment_id.0,
            backorder_id: backorder_id.0,
            lines: lines
                .into_iter()
                .map(|(sku, q)| crate::contract::events::BackorderLineBody {
                    product: product(sku.as_str()),
                    quantity: q.0,
                })
                .collect(),
        },
        E::OrderShipped { order_id, fulfillment_id, tracking } => {
            B::OrderShipped { order_id: order_id.0, fulfillment_id: fulfillment_id.0, tracking_numbers: tracking }
        }
        E::ShipmentVoided { order_id, fulfillment_id, tracking } => {
            B::ShipmentVoided { order_id: order_id.0, fulfillment_id: fulfillment_id.0, tracking_numbers: tracking }
        }
        E::ShipmentDispatched { order_id, fulfillment_id, tracking } => {
            B::ShipmentDispatched { order_id: order_id.0, fulfillment_id: fulfillment_id.0, tracking_numbers: tracking }
        }
        E::ShipmentCreated { order_id, fulfillment_id, carrier, tracking, shipment_ids } => B::ShipmentCreated {
            shipment_id: shipment_ids.first().or(tracking.first()).cloned().unwrap_or_default(),
            order_id: order_id.0,
            fulfillment_id: fulfillment_id.0,
            carrier,
            tracking_number: tracking.first().cloned().unwrap_or_default(),
            tracking_numbers: tracking,
        },
        E::FulfillmentCreated { fulfillment_id, order_id, warehouse_id } => B::FulfillmentCreated {
            fulfillment_id: fulfillment_id.0,
            order_id: order_id.0,
            warehouse_id: warehouse_id.0,
        },
        E::FulfillmentStatusChanged { fulfillment_id, order_id, from, to } => B::FulfillmentStatusChanged {
            fulfillment_id: fulfillment_id.0,
            order_id: order_id.0,
            old_status: from.into(),
            new_status: to.into(),
        },
        E::InventoryReserved { reservation_id, sku, warehouse_id, quantity, order_id } => B::InventoryReserved {
            reservation_id: reservation_id.0,
            product: product(sku.as_str()),
            warehouse_id: warehouse_id.0,
            quantity: quantity.0,
            order_id: order_id.map(|o| o.0),
        },
        E::InventoryReleased { reservation_id, sku, warehouse_id, quantity, reason } => B::InventoryReleased {
            reservation_id: reservation_id.0,
            product: product(sku.as_str()),
            warehouse_id: warehouse_id.0,
            quantity: quantity.0,
            reason,
        },
        E::InventoryPlaced { sku, warehouse_id, quantity, location } => B::InventoryPlaced {
            product: product(sku.as_str()),
            warehouse_id: warehouse_id.0,
            quantity: quantity.0,
            location,
        },
        E::InventoryMoved { sku, warehouse_id, quantity, from_location, to_location } => B::InventoryMoved {
            product: product(sku.as_str()),
            warehouse_id: warehouse_id.0,
            quantity: quantity.0,
            from_location,
            to_location,
        },
        E::InventoryRemoved { sku, warehouse_id, quantity, location, reason } => B::InventoryRemoved {
            product: product(sku.as_str()),
            warehouse_id: warehouse_id.0,
            quantity: quantity.0,
            location,
            reason,
        },
        E::InventoryAdjusted { sku, warehouse_id, location, quantity, reason, worker_id } => B::InventoryAdjusted {
            product: product(sku.as_str()),
            warehouse_id: warehouse_id.0,
            location,
            quantity,
            reason,
            worker_id: worker_id.map(|w| w.0),
        },
        E::PutBackCreated { task_id, picking_task_id, warehouse_id, units } => {
            B::PutBackCreated { task_id, picking_task_id: picking_task_id.0, warehouse_id: warehouse_id.0, units }
        }
        E::InventoryReturned { sku, warehouse_id, quantity, location } => B::InventoryReturned {
            product: product(sku.as_str()),
            warehouse_id: warehouse_id.0,
            quantity: quantity.0,
            location,
        },
        E::PickingCreated { task_id, order_id, warehouse_id } => {
            B::PickingCreated { task_id: task_id.0, order_id: order_id.0, warehouse_id: warehouse_id.0 }
        }
        E::PickingAssigned { task_id, order_id, worker_id } => {
            B::PickingAssigned { task_id: task_id.0, order_id: order_id.0, worker_id: worker_id.0 }
        }
        E::PickingStarted { task_id, order_id, worker_id } => {
            B::PickingStarted { task_id: task_id.0, order_id: order_id.0, worker_id: worker_id.0 }
        }
        E::PickingItemPicked { task_id, item_id, sku, quantity } => B::PickingItemPicked {
            task_id: task_id.0,
            item_id: item_id.0,
            product: product(sku.as_str()),
            quantity: quantity.0,
        },
        E::PickingItemShort { task_id, item_id, sku, missing, reason } => B::PickingItemShort {
            task_id: task_id.0,
            item_id: item_id.0,
            product: product(sku.as_str()),
            missing: missing.0,
            reason: reason.into(),
        },
        E::PickingItemSkipped { task_id, item_id, sku, missing, reason } => B::PickingItemSkipped {
            task_id: task_id.0,
            item_id: item_id.0,
            product: product(sku.as_str()),
            missing: missing.0,
            reason: reason.into(),
        },
        E::PickingCompleted { task_id, order_id } => B::PickingCompleted { task_id: task_id.0, order_id: order_id.0 },
        E::PickingCancelled { task_id, order_id, reason } => {
            B::PickingCancelled { task_id: task_id.0, order_id: order_id.0, reason }
        }
        E::PackingCreated { task_id, order_id } => B::PackingCreated { task_id: task_id.0, order_id: order_id.0 },
        E::PackingStarted { task_id, order_id, worker_id } => {
            B::PackingStarted { task_id: task_id.0, order_id: order_id.0, worker_id: worker_id.0 }
        }
        E::PackingCompleted { task_id, order_id, packages } => {
            B::PackingCompleted { task_id: task_id.0, order_id: order_id.0, packages }
        }
        E::PackingCancelled { task_id, order_id, reason } => {
            B::PackingCancelled { task_id: task_id.0, order_id: order_id.0, reason }
        }
    };
    EventPayload::new(body, at.timestamp())
}
