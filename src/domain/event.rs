//! Facts that happened, written to the outbox in the same transaction as the
//! change they describe. Names follow seed 001 §5.2 (`picking.created`,
//! `inventory.reserved`, ...); [`DomainEvent::stream`] gives the Redis stream
//! each belongs to (`wms:events:picking`, ...).

use super::ids::{
    FulfillmentId, OrderId, PackingTaskId, PickingItemId, PickingTaskId, Qty, ReservationId, Sku, WarehouseId, WorkerId,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DomainEvent {
    OrderCreated {
        order_id: OrderId,
        request_id: String,
        fulfillments: usize,
    },
    OrderCancelled {
        order_id: OrderId,
        reason: String,
    },
    FulfillmentCreated {
        fulfillment_id: FulfillmentId,
        order_id: OrderId,
        warehouse_id: WarehouseId,
    },
    FulfillmentStatusChanged {
        fulfillment_id: FulfillmentId,
        order_id: OrderId,
        from: &'static str,
        to: &'static str,
    },
    InventoryReserved {
        reservation_id: ReservationId,
        sku: Sku,
        warehouse_id: WarehouseId,
        quantity: Qty,
        order_id: Option<OrderId>,
    },
    InventoryReleased {
        reservation_id: ReservationId,
        sku: Sku,
        warehouse_id: WarehouseId,
        quantity: Qty,
        reason: String,
    },
    InventoryPlaced {
        sku: Sku,
        warehouse_id: WarehouseId,
        quantity: Qty,
        location: String,
    },
    InventoryMoved {
        sku: Sku,
        warehouse_id: WarehouseId,
        quantity: Qty,
        from_location: String,
        to_location: String,
    },
    InventoryRemoved {
        sku: Sku,
        warehouse_id: WarehouseId,
        quantity: Qty,
        location: String,
        reason: String,
    },
    /// A count that disagreed with the books: `quantity` (signed) units
    /// taken off (or added to) a slot, found by `worker` for `reason`.
    InventoryAdjusted {
        sku: Sku,
        warehouse_id: WarehouseId,
        location: String,
        quantity: i64,
        reason: String,
        worker_id: Option<WorkerId>,
    },
    /// Picked units of cancelled work wait in a tote for a put-back task.
    PutBackCreated {
        task_id: i64,
        picking_task_id: PickingTaskId,
        warehouse_id: WarehouseId,
        units: u32,
    },
    /// Units back on sale on their shelf: picked units put back after a
    /// cancellation, or damaged ones restocked from quarantine.
    InventoryReturned {
        sku: Sku,
        warehouse_id: WarehouseId,
        quantity: Qty,
        location: String,
    },
    PickingCreated {
        task_id: PickingTaskId,
        order_id: OrderId,
        warehouse_id: WarehouseId,
    },
    PickingAssigned {
        task_id: PickingTaskId,
        order_id: OrderId,
        worker_id: WorkerId,
    },
    PickingStarted {
        task_id: PickingTaskId,
        order_id: OrderId,
        worker_id: WorkerId,
    },
    PickingItemPicked {
        task_id: PickingTaskId,
        item_id: PickingItemId,
        sku: Sku,
        quantity: Qty,
    },
    PickingItemShort {
        task_id: PickingTaskId,
        item_id: PickingItemId,
        sku: Sku,
        missing: Qty,
        reason: &'static str,
    },
    PickingItemSkipped {
        task_id: PickingTaskId,
        item_id: PickingItemId,
        sku: Sku,
        missing: Qty,
        reason: &'static str,
    },
    /// A stock-out's missing units, drawn from another location as a new item.
    PickingItemReallocated {
        task_id: PickingTaskId,
        item_id: PickingItemId,
        sku: Sku,
        quantity: Qty,
        location: String,
    },
    /// A stock-out's missing units that no other location holds.
    PickingUnfulfillable {
        task_id: PickingTaskId,
        order_id: OrderId,
        sku: Sku,
        missing: Qty,
    },
    PickingCompleted {
        task_id: PickingTaskId,
        order_id: OrderId,
    },
    PickingCancelled {
        task_id: PickingTaskId,
        order_id: OrderId,
        reason: String,
    },
    PackingCreated {
        task_id: PackingTaskId,
        order_id: OrderId,
    },
    PackingStarted {
        task_id: PackingTaskId,
        order_id: OrderId,
        worker_id: WorkerId,
    },
    PackingCompleted {
        task_id: PackingTaskId,
        order_id: OrderId,
        packages: usize,
    },
    PackingCancelled {
        task_id: PackingTaskId,
        order_id: OrderId,
        reason: String,
    },
    /// A supervisor moved an order up or down the queues.
    OrderPriorityChanged {
        order_id: OrderId,
        from: &'static str,
        to: &'static str,
    },
    /// A fulfillment's stock is reserved (seed 003's MarkOrderReserved).
    OrderReserved {
        order_id: OrderId,
        fulfillment_id: FulfillmentId,
    },
    /// A fulfillment left with fewer units than ordered (the site ships
    /// what there is): each short line with what is missing.
    OrderShortShipped {
        order_id: OrderId,
        fulfillment_id: FulfillmentId,
        lines: Vec<ShortLine>,
    },
    /// Units a pick did not find wait for stock as a new fulfillment of the
    /// order (short policy `backorder`): `backorder_id`, with its lines.
    OrderBackordered {
        order_id: OrderId,
        fulfillment_id: FulfillmentId,
        backorder_id: FulfillmentId,
        lines: Vec<(Sku, Qty)>,
    },
    /// The parcel left the building (seed 003's MarkOrderShipped).
    OrderShipped {
        order_id: OrderId,
        fulfillment_id: FulfillmentId,
        tracking: Vec<String>,
    },
    ShipmentCreated {
        order_id: OrderId,
        fulfillment_id: FulfillmentId,
        carrier: String,
        tracking: Vec<String>,
        /// The carrier's ids per package (may be empty: then the tracking
        /// numbers name the shipment).
        shipment_ids: Vec<String>,
    },
    ShipmentVoided {
        order_id: OrderId,
        fulfillment_id: FulfillmentId,
        tracking: Vec<String>,
    },
    /// Every parcel of the shipment left the dock (scanned onto the truck,
    /// or its carrier's manifest closed).
    ShipmentDispatched {
        order_id: OrderId,
        fulfillment_id: FulfillmentId,
        tracking: Vec<String>,
    },
}

/// One line of a short shipment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShortLine {
    pub sku: Sku,
    pub ordered: u32,
    pub shipped: u32,
    pub missing: u32,
}

impl DomainEvent {
    /// The event type, e.g. `picking.created`.
    pub fn name(&self) -> &'static str {
        use DomainEvent as E;
        match self {
            E::OrderCreated { .. } => "order.created",
            E::OrderCancelled { .. } => "order.cancelled",
            E::FulfillmentCreated { .. } => "fulfillment.created",
            E::FulfillmentStatusChanged { .. } => "fulfillment.status_changed",
            E::InventoryReserved { .. } => "inventory.reserved",
            E::InventoryReleased { .. } => "inventory.released",
            E::InventoryPlaced { .. } => "inventory.placed",
            E::InventoryMoved { .. } => "inventory.moved",
            E::InventoryRemoved { .. } => "inventory.removed",
            E::InventoryAdjusted { .. } => "inventory.adjusted",
            E::InventoryReturned { .. } => "inventory.returned",
            E::PutBackCreated { .. } => "putback.created",
            E::PickingCreated { .. } => "picking.created",
            E::PickingAssigned { .. } => "picking.assigned",
            E::PickingStarted { .. } => "picking.started",
            E::PickingItemPicked { .. } => "picking.item_picked",
            E::PickingItemShort { .. } => "picking.item_short",
            E::PickingItemSkipped { .. } => "picking.item_skipped",
            E::PickingItemReallocated { .. } => "picking.item_reallocated",
            E::PickingUnfulfillable { .. } => "picking.unfulfillable",
            E::PickingCompleted { .. } => "picking.completed",
            E::PickingCancelled { .. } => "picking.cancelled",
            E::PackingCreated { .. } => "packing.created",
            E::PackingStarted { .. } => "packing.started",
            E::PackingCompleted { .. } => "packing.completed",
            E::PackingCancelled { .. } => "packing.cancelled",
            E::OrderReserved { .. } => "order.reserved",
            E::OrderPriorityChanged { .. } => "order.priority_changed",
            E::OrderShipped { .. } => "order.shipped",
            E::OrderShortShipped { .. } => "order.short_shipped",
            E::OrderBackordered { .. } => "order.backordered",
            E::ShipmentCreated { .. } => "shipment.created",
            E::ShipmentVoided { .. } => "shipment.voided",
            E::ShipmentDispatched { .. } => "shipment.dispatched",
        }
    }

    /// The aggregate the event is about: `("picking_task", 12)`. Inventory
    /// events are keyed by SKU.
    pub fn aggregate(&self) -> (&'static str, String) {
        use DomainEvent as E;
        match self {
            E::OrderCreated { order_id, .. }
            | E::OrderCancelled { order_id, .. }
            | E::OrderReserved { order_id, .. }
            | E::OrderPriorityChanged { order_id, .. }
            | E::OrderShortShipped { order_id, .. }
            | E::OrderBackordered { order_id, .. }
            | E::OrderShipped { order_id, .. } => ("order", order_id.to_string()),
            E::ShipmentCreated { fulfillment_id, .. }
            | E::ShipmentVoided { fulfillment_id, .. }
            | E::ShipmentDispatched { fulfillment_id, .. } => ("shipment", fulfillment_id.to_string()),
            E::PutBackCreated { task_id, .. } => ("put_back_task", task_id.to_string()),
            E::FulfillmentCreated { fulfillment_id, .. } | E::FulfillmentStatusChanged { fulfillment_id, .. } => {
                ("fulfillment", fulfillment_id.to_string())
            }
            E::InventoryReserved { sku, .. }
            | E::InventoryReleased { sku, .. }
            | E::InventoryPlaced { sku, .. }
            | E::InventoryMoved { sku, .. }
            | E::InventoryRemoved { sku, .. }
            | E::InventoryAdjusted { sku, .. }
            | E::InventoryReturned { sku, .. } => ("sku", sku.to_string()),
            E::PickingCreated { task_id, .. }
            | E::PickingAssigned { task_id, .. }
            | E::PickingStarted { task_id, .. }
            | E::PickingItemPicked { task_id, .. }
            | E::PickingItemShort { task_id, .. }
            | E::PickingItemSkipped { task_id, .. }
            | E::PickingItemReallocated { task_id, .. }
            | E::PickingUnfulfillable { task_id, .. }
            | E::PickingCompleted { task_id, .. }
            | E::PickingCancelled { task_id, .. } => ("picking_task", task_id.to_string()),
            E::PackingCreated { task_id, .. }
            | E::PackingStarted { task_id, .. }
            | E::PackingCompleted { task_id, .. }
            | E::PackingCancelled { task_id, .. } => ("packing_task", task_id.to_string()),
        }
    }

    /// The stream the event is published on (seed 001 §5.1).
    pub fn stream(&self) -> &'static str {
        match self.name().split('.').next() {
            Some("picking") => "wms:events:picking",
            Some("packing") => "wms:events:packing",
            Some("inventory") => "wms:events:inventory",
            Some("shipment") => "wms:events:shipment",
            _ => "wms:events:orders",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_aggregates_and_streams() {
        let check = |e: DomainEvent, name: &str, agg: (&str, &str), stream: &str| {
            assert_eq!(e.name(), name);
            let (t, id) = e.aggregate();
            assert_eq!((t, id.as_str()), agg);
            assert_eq!(e.stream(), stream);
        };
        check(
            DomainEvent::PickingCreated {
                task_id: PickingTaskId(4),
                order_id: OrderId(1),
                warehouse_id: WarehouseId(2),
            },
            "picking.created",
            ("picking_task", "4"),
            "wms:events:picking",
        );
        check(
            DomainEvent::OrderCancelled { order_id: OrderId(9), reason: "r".into() },
            "order.cancelled",
            ("order", "9"),
            "wms:events:orders",
        );
        check(
            DomainEvent::PackingCompleted { task_id: PackingTaskId(3), order_id: OrderId(1), packages: 2 },
            "packing.completed",
            ("packing_task", "3"),
            "wms:events:packing",
        );
    }
}
