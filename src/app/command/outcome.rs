//! What a command returns, in its wire shape.

use super::BatchDto;
use crate::domain::packing::PackingStatus;
use crate::domain::picking::{ItemStatus, PickingStatus};
use serde::{Deserialize, Serialize};

/// What a successful command returns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Outcome {
    Order {
        order_id: i64,
        status: String,
        fulfillments: Vec<FulfillmentRef>,
        existing: bool,
    },
    Picking {
        task_id: i64,
        status: PickingStatus,
        done: usize,
        total: usize,
        next_item_id: Option<i64>,
        packing_task_id: Option<i64>,
    },
    PickedItem {
        task_id: i64,
        item_id: i64,
        status: ItemStatus,
        picked: u32,
        required: u32,
        done: usize,
        total: usize,
        next_item_id: Option<i64>,
    },
    Packing {
        task_id: i64,
        status: PackingStatus,
        packages: usize,
        sequence: Option<u32>,
    },
    Stock {
        slot_id: i64,
        sku: String,
        location: String,
        on_hand: u32,
        reserved: u32,
    },
    Moved {
        sku: String,
        quantity: u32,
    },
    Reserved {
        reservation_ids: Vec<i64>,
        quantity: u32,
    },
    Released {
        reservations: usize,
        quantity: u32,
    },
    OrderCancelled {
        order_id: i64,
        released: u32,
        returned: u32,
        tasks_cancelled: usize,
    },
    Defined {
        what: String,
        key: String,
    },
    /// A queued activity and where it stands (pending, done, failed, dropped).
    Activity {
        task_id: i64,
        status: String,
    },
    /// An order's intake, accepted by a hosted engine (Temporal): the order
    /// is made when its workflow runs (`GET /api/v1/workflows/{workflow_id}`).
    /// Lines for warehouses other sites hold are `routed` to them, each
    /// part an intake of its own on that site; `workflow_id` is this
    /// site's part, or the first routed one when every line went elsewhere.
    Accepted {
        request_id: String,
        workflow_id: String,
        existing: bool,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        routed: Vec<Routed>,
    },
    /// A hosted workflow's activity ran: its result.
    Hosted {
        #[schema(value_type = Object)]
        result: serde_json::Value,
    },
    Workflow {
        workflow_id: String,
        status: String,
        step: String,
        blocking_reason: Option<String>,
    },
    AddressUpdated {
        order_id: i64,
        workflows: usize,
    },
    PriorityChanged {
        order_id: i64,
        priority: String,
    },
    Wave {
        wave_id: i64,
        batches: Vec<BatchDto>,
    },
    /// Units back on the shelf from a put-back task, and units still to go.
    PutBack {
        task_id: i64,
        put: u32,
        left: u32,
    },
    /// Units taken out of quarantine.
    Quarantine {
        sku: String,
        location: String,
        quantity: u32,
        restocked: bool,
    },
    /// Parcels that left the dock, and the fulfillments they belong to.
    Dispatched {
        parcels: Vec<String>,
        fulfillments: Vec<i64>,
    },
    /// The batch the picker now holds (`None`: no batch is waiting).
    Batch {
        batch: Option<BatchDto>,
    },
    /// The claimed task, or `None` when the queue is empty.
    Claimed {
        queue: QueueDto,
        task_id: Option<i64>,
        /// True when the worker already held this task.
        resumed: bool,
        /// With lookahead: the next task the worker now holds as well.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        next_task_id: Option<i64>,
    },
}

/// A task queue on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum QueueDto {
    Picking,
    Packing,
}

/// A fulfillment created by intake.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FulfillmentRef {
    pub fulfillment_id: i64,
    pub warehouse: String,
    pub status: String,
    pub picking_task_id: Option<i64>,
}

/// A part of an order routed to the site that holds its warehouse
/// (Temporal, many sites): its own intake on that site's task queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Routed {
    pub warehouse: String,
    /// The part's request id there: `{request_id}/{warehouse}`.
    pub request_id: String,
    /// The intake's workflow id on the cluster: `{task_queue}/order-intake-{request_id}`.
    pub workflow_id: String,
}
