//! The payload of each outbox event, as webhooks and `GET /api/v1/events`
//! deliver it (seed 001 §5.2 field names: `listing_id` for the SKU). Every
//! payload carries `type` and the schema version `v`; a change to a
//! payload's fields is a new version, and `tests/event_payloads.rs` keeps a
//! snapshot of every type so that no change goes unnoticed.

use serde::{Deserialize, Serialize};

/// The version of the payloads below. Version 2 (issue 17, seed 001 §5.2)
/// added `timestamp` to every payload, `sku` beside `listing_id` (which is
/// now the product's listing in the Listings service, present only where
/// the product has one; version 1 put the SKU there), and `shipment_id`
/// and `tracking_number` to `shipment.created`.
pub const VERSION: u32 = 2;

/// What a subscriber receives for one event (a webhook's body, an event
/// stream's `data:`): the outbox row around the payload. `P` is
/// [`EventPayload`] for a reader of this version; the relay passes the
/// stored JSON through as it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery<P = EventPayload> {
    pub id: i64,
    #[serde(rename = "type")]
    pub event_type: String,
    pub aggregate_type: String,
    pub aggregate_id: String,
    pub stream: String,
    /// RFC 3339, UTC.
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub payload: P,
}

/// A product as events name it: its SKU, and its listing in the Listings
/// service where it has one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    /// Empty in version 1 payloads, which put the SKU in `listing_id`.
    #[serde(default)]
    pub sku: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listing_id: Option<String>,
}

/// One event's payload: its version and its typed body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventPayload {
    /// Payloads stored before versioning had exactly version 1's fields.
    #[serde(default = "first")]
    pub v: u32,
    /// When the event was committed, in Unix seconds (seed 001 §5.3).
    #[serde(default)]
    pub timestamp: i64,
    #[serde(flatten)]
    pub body: EventBody,
}

fn first() -> u32 {
    1
}

impl EventPayload {
    /// `body` in this version, committed at `timestamp` (Unix seconds).
    pub fn new(body: EventBody, timestamp: i64) -> Self {
        EventPayload { v: VERSION, timestamp, body }
    }
}

/// The body of each event type; `type` names it.
/// One line of `order.short_shipped`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShortLineBody {
    #[serde(flatten)]
    pub product: Product,
    pub ordered: u32,
    pub shipped: u32,
    pub missing: u32,
}

/// One line of `order.backordered`: units that wait for stock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackorderLineBody {
    #[serde(flatten)]
    pub product: Product,
    pub quantity: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum EventBody {
    #[serde(rename = "order.created")]
    OrderCreated { order_id: i64, request_id: String, fulfillments: usize },
    #[serde(rename = "order.cancelled")]
    OrderCancelled { order_id: i64, reason: String },
    #[serde(rename = "order.reserved")]
    OrderReserved { order_id: i64, fulfillment_id: i64 },
    #[serde(rename = "order.priority_changed")]
    OrderPriorityChanged { order_id: i64, old_priority: String, new_priority: String },
    #[serde(rename = "order.short_shipped")]
    OrderShortShipped { order_id: i64, fulfillment_id: i64, lines: Vec<ShortLineBody> },
    #[serde(rename = "order.backordered")]
    OrderBackordered { order_id: i64, fulfillment_id: i64, backorder_id: i64, lines: Vec<BackorderLineBody> },
    #[serde(rename = "order.shipped")]
    OrderShipped { order_id: i64, fulfillment_id: i64, tracking_numbers: Vec<String> },
    #[serde(rename = "fulfillment.created")]
    FulfillmentCreated { fulfillment_id: i64, order_id: i64, warehouse_id: i64 },
    #[serde(rename = "fulfillment.status_changed")]
    FulfillmentStatusChanged { fulfillment_id: i64, order_id: i64, old_status: String, new_status: String },
    #[serde(rename = "inventory.reserved")]
    InventoryReserved {
        reservation_id: i64,
        #[serde(flatten)]
        product: Product,
        warehouse_id: i64,
        quantity: u32,
        order_id: Option<i64>,
    },
    #[serde(rename = "inventory.released")]
    InventoryReleased {
        reservation_id: i64,
        #[serde(flatten)]
        product: Product,
        warehouse_id: i64,
        quantity: u32,
        reason: String,
    },
    #[serde(rename = "inventory.placed")]
    InventoryPlaced {
        #[serde(flatten)]
        product: Product,
        warehouse_id: i64,
        quantity: u32,
        location: String,
    },
    #[serde(rename = "inventory.moved")]
    InventoryMoved {
        #[serde(flatten)]
        product: Product,
        warehouse_id: i64,
        quantity: u32,
        from_location: String,
        to_location: String,
    },
    #[serde(rename = "inventory.removed")]
    InventoryRemoved {
        #[serde(flatten)]
        product: Product,
        warehouse_id: i64,
        quantity: u32,
        location: String,
        reason: String,
    },
    #[serde(rename = "inventory.adjusted")]
    InventoryAdjusted {
        #[serde(flatten)]
        product: Product,
        warehouse_id: i64,
        location: String,
        quantity: i64,
        reason: String,
        worker_id: Option<i64>,
    },
    #[serde(rename = "putback.created")]
    PutBackCreated { task_id: i64, picking_task_id: i64, warehouse_id: i64, units: u32 },
    #[serde(rename = "inventory.returned")]
    InventoryReturned {
        #[serde(flatten)]
        product: Product,
        warehouse_id: i64,
        quantity: u32,
        location: String,
    },
    #[serde(rename = "picking.created")]
    PickingCreated { task_id: i64, order_id: i64, warehouse_id: i64 },
    #[serde(rename = "picking.assigned")]
    PickingAssigned { task_id: i64, order_id: i64, worker_id: i64 },
    #[serde(rename = "picking.started")]
    PickingStarted { task_id: i64, order_id: i64, worker_id: i64 },
    #[serde(rename = "picking.item_picked")]
    PickingItemPicked {
        task_id: i64,
        item_id: i64,
        #[serde(flatten)]
        product: Product,
        quantity: u32,
    },
    #[serde(rename = "picking.item_short")]
    PickingItemShort {
        task_id: i64,
        item_id: i64,
        #[serde(flatten)]
        product: Product,
        missing: u32,
        reason: String,
    },
    #[serde(rename = "picking.item_skipped")]
    PickingItemSkipped {
        task_id: i64,
        item_id: i64,
        #[serde(flatten)]
        product: Product,
        missing: u32,
        reason: String,
    },
    #[serde(rename = "picking.item_reallocated")]
    PickingItemReallocated {
        task_id: i64,
        item_id: i64,
        #[serde(flatten)]
        product: Product,
        quantity: u32,
        location: String,
    },
    #[serde(rename = "picking.unfulfillable")]
    PickingUnfulfillable {
        task_id: i64,
        order_id: i64,
        #[serde(flatten)]
        product: Product,
        missing: u32,
    },
    #[serde(rename = "picking.completed")]
    PickingCompleted { task_id: i64, order_id: i64 },
    #[serde(rename = "picking.cancelled")]
    PickingCancelled { task_id: i64, order_id: i64, reason: String },
    #[serde(rename = "packing.created")]
    PackingCreated { task_id: i64, order_id: i64 },
    #[serde(rename = "packing.started")]
    PackingStarted { task_id: i64, order_id: i64, worker_id: i64 },
    #[serde(rename = "packing.completed")]
    PackingCompleted { task_id: i64, order_id: i64, packages: usize },
    #[serde(rename = "packing.cancelled")]
    PackingCancelled { task_id: i64, order_id: i64, reason: String },
    #[serde(rename = "shipment.created")]
    ShipmentCreated {
        /// The carrier's id of the (first package's) shipment.
        shipment_id: String,
        order_id: i64,
        fulfillment_id: i64,
        carrier: String,
        /// The first package's tracking number; every package's follow.
        tracking_number: String,
        tracking_numbers: Vec<String>,
    },
    #[serde(rename = "shipment.voided")]
    ShipmentVoided { order_id: i64, fulfillment_id: i64, tracking_numbers: Vec<String> },
    #[serde(rename = "shipment.dispatched")]
    ShipmentDispatched { order_id: i64, fulfillment_id: i64, tracking_numbers: Vec<String> },
}
