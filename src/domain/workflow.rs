//! Durable workflows as pure deciders (seed 003): a workflow's state is the
//! fold of its history (`evolve`), and `decide(state, input, now)` answers an
//! input (start, an activity's result, a signal, a timer) with new history
//! events and effects for the engine to carry out (run an activity with a
//! retry policy, start or cancel a timer, start a child workflow, finish).
//!
//! Nothing here runs anything: the engine (`app::workflow`, driven by
//! `server::engine`) writes the events and effects in the transaction of the
//! decision that produced them. The same deciders could run under Temporal:
//! inputs, events and effects are plain serialisable values.

pub mod definition;
pub mod fulfillment;
pub mod intake;
pub mod projection;

use super::Timestamp;
use super::order::Address;
use super::shipment::ShipmentRequest;
use serde::{Deserialize, Serialize};

/// Which workflow a row runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkflowKind {
    OrderIntake,
    OrderFulfillment,
}

impl WorkflowKind {
    pub fn as_str(self) -> &'static str {
        match self {
            WorkflowKind::OrderIntake => "order_intake",
            WorkflowKind::OrderFulfillment => "order_fulfillment",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [WorkflowKind::OrderIntake, WorkflowKind::OrderFulfillment].into_iter().find(|k| k.as_str() == s)
    }
}

/// The workflow id of an order intake (seed 003): one per request id, so a
/// second start finds the first.
pub fn intake_id(request_id: &str) -> String {
    format!("order-intake-{}", request_id.trim())
}

/// The workflow id of one fulfillment.
pub fn fulfillment_id(fulfillment: i64) -> String {
    format!("order-fulfillment-{fulfillment}")
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WorkflowStatus {
    #[default]
    Running,
    Completed,
    Cancelled,
    Failed,
}

impl WorkflowStatus {
    pub const ALL: [WorkflowStatus; 4] =
        [WorkflowStatus::Running, WorkflowStatus::Completed, WorkflowStatus::Cancelled, WorkflowStatus::Failed];

    pub fn as_str(self) -> &'static str {
        match self {
            WorkflowStatus::Running => "running",
            WorkflowStatus::Completed => "completed",
            WorkflowStatus::Cancelled => "cancelled",
            WorkflowStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn is_terminal(self) -> bool {
        self != WorkflowStatus::Running
    }
}

/// One unit of work a workflow asks for. Local activities change the
/// warehouse's own tables and run in the transaction of the decision that
/// asked for them; the others call a carrier and run on the engine's
/// workers, their result coming back as a new input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "name", rename_all = "snake_case")]
pub enum Activity {
    ValidateOrder,
    CreateOrder,
    AllocateInventory,
    MarkReserved,
    CreatePickWork,
    /// Pick timeout with re-queue: cancel the open picking task (its stock
    /// goes back) and create a new one.
    RequeuePick,
    /// After a failed or cancelled pack, on a retry: a new packing task for
    /// the units already picked.
    RequeuePack,
    ConsumeInventory,
    /// Plans the carrier request from the packed task, the order and the
    /// warehouse (local), so that `CreateShipment` carries its whole input.
    PlanShipment,
    /// The carrier call. `request` is `None` only in histories written
    /// before shipments were planned; a retry of such a call plans first.
    CreateShipment {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request: Option<Box<ShipmentRequest>>,
    },
    GenerateLabel,
    /// Asks the carrier about each tracking number of the shipment.
    ConfirmShipment {
        #[serde(default)]
        tracking: Vec<String>,
    },
    MarkShipped,
    UpdateAddress {
        ship_to: Address,
    },
    /// Compensation: cancel open tasks, release reservations, return picked
    /// units to their shelves.
    ReleaseInventory {
        reason: String,
    },
    /// Under the backorder policy, after the pick: the units it did not find
    /// become a new fulfillment of the same order that waits for stock.
    CreateBackorder,
    /// Compensation: void a created shipment with the carrier.
    VoidShipment {
        tracking: Vec<String>,
    },
}

impl Activity {
    pub fn name(&self) -> &'static str {
        match self {
            Activity::ValidateOrder => "validate_order",
            Activity::CreateOrder => "create_order",
            Activity::AllocateInventory => "allocate_inventory",
            Activity::MarkReserved => "mark_reserved",
            Activity::CreatePickWork => "create_pick_work",
            Activity::RequeuePick => "requeue_pick",
            Activity::RequeuePack => "requeue_pack",
            Activity::ConsumeInventory => "consume_inventory",
            Activity::PlanShipment => "plan_shipment",
            Activity::CreateShipment { .. } => "create_shipment",
            Activity::GenerateLabel => "generate_label",
            Activity::ConfirmShipment { .. } => "confirm_shipment",
            Activity::MarkShipped => "mark_shipped",
            Activity::UpdateAddress { .. } => "update_address",
            Activity::ReleaseInventory { .. } => "release_inventory",
            Activity::CreateBackorder => "create_backorder",
            Activity::VoidShipment { .. } => "void_shipment",
        }
    }

    /// The queued activities that scheduling `self` leaves in the queue, by
    /// name, or `None` when it supersedes nothing. A new step supersedes the
    /// queued attempts of every other step (a cancel makes a pending retry
    /// moot), except its own next attempt and a carrier call whose late
    /// answer still counts (a created shipment must be known to be voided);
    /// an address change is a side step and supersedes nothing.
    pub fn keeps_queued(&self) -> Option<[&'static str; 2]> {
        match self {
            Activity::UpdateAddress { .. } => None,
            other => Some([other.name(), "create_shipment"]),
        }
    }

    /// Runs inside the deciding transaction (no IO but the store).
    pub fn is_local(&self) -> bool {
        !self.calls_carrier()
    }

    /// Calls the carrier (runs on the engine's workers).
    pub fn calls_carrier(&self) -> bool {
        matches!(
            self,
            Activity::CreateShipment { .. } | Activity::ConfirmShipment { .. } | Activity::VoidShipment { .. }
        )
    }

    /// How often and how patiently this activity is retried.
    pub fn policy(&self) -> RetryPolicy {
        match self {
            // A carrier may be down for minutes: keep trying, up to 5 min apart.
            Activity::CreateShipment { .. } | Activity::ConfirmShipment { .. } | Activity::VoidShipment { .. } => {
                RetryPolicy { initial_ms: 1_000, max_ms: 300_000, max_attempts: 12 }
            }
            // Intake must not be lost while the store is busy (seed 003).
            Activity::ValidateOrder | Activity::CreateOrder => {
                RetryPolicy { initial_ms: 500, max_ms: 60_000, max_attempts: 20 }
            }
            // Stock may arrive: wait a while before giving the order up.
            Activity::AllocateInventory => RetryPolicy { initial_ms: 5_000, max_ms: 600_000, max_attempts: 6 },
            Activity::MarkReserved
            | Activity::CreatePickWork
            | Activity::RequeuePick
            | Activity::RequeuePack
            | Activity::ConsumeInventory
            | Activity::PlanShipment
            | Activity::GenerateLabel
            | Activity::MarkShipped
            | Activity::UpdateAddress { .. }
            | Activity::CreateBackorder
            | Activity::ReleaseInventory { .. } => RetryPolicy { initial_ms: 500, max_ms: 30_000, max_attempts: 5 },
        }
    }
}

/// Exponential backoff with jitter and a limit on attempts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub initial_ms: u64,
    pub max_ms: u64,
    pub max_attempts: u32,
}

impl RetryPolicy {
    /// When the attempt after `attempt` (1-based, just failed) may run, or
    /// `None` when the attempts are used up. The delay doubles from
    /// `initial_ms` up to `max_ms`; half of it is jitter (`jitter_permille`,
    /// 0..=1000, drawn by the caller), so retries of many workflows spread out.
    pub fn next_attempt_at(&self, attempt: u32, now: Timestamp, jitter_permille: u16) -> Option<Timestamp> {
        if attempt >= self.max_attempts {
            return None;
        }
        let doubled = self.initial_ms.saturating_mul(1u64 << attempt.saturating_sub(1).min(30));
        let delay = doubled.min(self.max_ms);
        let half = delay / 2;
        let jitter = half * u64::from(jitter_permille.min(1000)) / 1000;
        let ms = i64::try_from(half + jitter).unwrap_or(i64::MAX);
        let far = chrono::DateTime::<chrono::Utc>::MAX_UTC;
        Some(chrono::TimeDelta::try_milliseconds(ms).and_then(|d| now.checked_add_signed(d)).unwrap_or(far))
    }
}

/// What an activity produced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ActivityResult {
    Done,
    OrderCreated {
        order_id: i64,
        fulfillments: Vec<i64>,
    },
    Allocated {
        units: u32,
    },
    PickWork {
        task_id: i64,
    },
    PackWork {
        task_id: i64,
    },
    Consumed {
        units: u32,
    },
    ShipmentPlanned {
        request: Box<ShipmentRequest>,
    },
    Shipment {
        carrier: String,
        tracking: Vec<String>,
        /// The carrier's shipment ids, per package (empty in results
        /// recorded before they were kept).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        shipment_ids: Vec<String>,
    },
    Labelled {
        labels: u32,
    },
    Released {
        released: u32,
        returned: u32,
        tasks_cancelled: u32,
    },
    /// The backorder made of the units a pick did not find, if any.
    Backorder {
        fulfillment_id: Option<i64>,
        units: u32,
    },
}

/// Why an activity failed; `retryable` is false for validation errors and
/// illegal transitions (seed 003), which no retry can mend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityError {
    pub code: String,
    pub message: String,
    pub retryable: bool,
    /// Refused for want of stock (a shortage), which stock arriving may mend.
    #[serde(default)]
    pub shortage: bool,
}

/// Signals: facts from outside that a workflow waits for or reacts to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "signal", rename_all = "snake_case")]
pub enum Signal {
    PickCompleted {
        task_id: i64,
        units: u32,
    },
    PickFailed {
        task_id: i64,
        reason: String,
    },
    PickRetried {
        task_id: i64,
    },
    /// A packer started the fulfillment's packing task.
    PackStarted {
        task_id: i64,
    },
    PackCompleted {
        task_id: i64,
        packages: u32,
    },
    PackFailed {
        task_id: i64,
        reason: String,
    },
    CancelOrder {
        reason: String,
    },
    UpdateAddress {
        ship_to: Address,
    },
    /// A supervisor asks for a failed activity to run again.
    Retry,
    /// Parcels left the dock (scanned onto the truck, or their carrier's
    /// manifest closed), by tracking number.
    Dispatched {
        tracking: Vec<String>,
    },
    /// Stock of a SKU the fulfillment waits for became available in its
    /// warehouse (received, put back, restocked, released by another order).
    StockArrived,
}

impl Signal {
    pub fn name(&self) -> &'static str {
        match self {
            Signal::PickCompleted { .. } => "pick_completed",
            Signal::PickFailed { .. } => "pick_failed",
            Signal::PickRetried { .. } => "pick_retried",
            Signal::PackStarted { .. } => "pack_started",
            Signal::PackCompleted { .. } => "pack_completed",
            Signal::PackFailed { .. } => "pack_failed",
            Signal::CancelOrder { .. } => "cancel_order",
            Signal::UpdateAddress { .. } => "update_address",
            Signal::Retry => "retry",
            Signal::Dispatched { .. } => "dispatched",
            Signal::StockArrived => "stock_arrived",
        }
    }
}

/// An input to a decider. `S` is the workflow's start value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "input", rename_all = "snake_case")]
pub enum Input<S> {
    Start(S),
    ActivityDone { activity: Activity, result: ActivityResult },
    ActivityFailed { activity: Activity, attempt: u32, error: ActivityError, jitter_permille: u16 },
    Signal(Signal),
    TimerFired { name: String },
}

/// What a workflow may do when it pauses for a pick (seed 003: "pick never
/// completes → timeout → release inventory"), configurable.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnPickTimeout {
    /// Cancel the stuck task (its stock goes back) and queue a new one.
    #[default]
    Requeue,
    /// Release the stock, cancel the fulfillment, fail the workflow.
    Fail,
}

/// What happens to units an order cannot have now: the site's policy
/// (config `short_policy`), which an order may override.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ShortPolicy {
    /// Intake refuses an order short of stock (409, the same request id may
    /// be sent again later); a short pick ships what there is and says so
    /// (`order.short_shipped`).
    #[default]
    Ship,
    /// Intake accepts an order short of stock and it waits; a short pick
    /// ships what there is and the rest becomes a backorder that allocates
    /// when stock arrives (`order.backordered`).
    Backorder,
}

/// Settings a fulfillment workflow is started with (recorded in its
/// history, so a replay decides the same).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// 0 = no pick timeout.
    pub pick_timeout_secs: u64,
    pub on_pick_timeout: OnPickTimeout,
    /// Histories written before the policy existed read as `Ship`.
    #[serde(default)]
    pub short_policy: ShortPolicy,
    /// How often a fulfillment waiting for stock looks again on its own, in
    /// seconds (arrivals also wake it at once).
    #[serde(default = "stock_recheck_default")]
    pub stock_recheck_secs: u64,
}

fn stock_recheck_default() -> u64 {
    300
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            pick_timeout_secs: 8 * 3600,
            on_pick_timeout: OnPickTimeout::Requeue,
            short_policy: ShortPolicy::Ship,
            stock_recheck_secs: stock_recheck_default(),
        }
    }
}

/// How a fulfillment workflow starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FulfillmentStart {
    pub fulfillment_id: i64,
    pub order_id: i64,
    pub settings: Settings,
}

/// What the engine must do after a decision, in this order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "effect", rename_all = "snake_case")]
pub enum Effect {
    /// Run `activity`; `not_before` delays a retry.
    RunActivity {
        activity: Activity,
        attempt: u32,
        not_before: Option<Timestamp>,
    },
    StartTimer {
        name: String,
        at: Timestamp,
    },
    CancelTimer {
        name: String,
    },
    StartFulfillment(FulfillmentStart),
    /// The workflow ended: its timers and queued activities are dropped.
    Finish {
        status: WorkflowStatus,
    },
}

/// A decider's answer: history events to append, effects to carry out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision<E> {
    pub events: Vec<E>,
    pub effects: Vec<Effect>,
}

impl<E> Default for Decision<E> {
    fn default() -> Self {
        Decision { events: Vec::new(), effects: Vec::new() }
    }
}

/// The name of the pick timeout timer.
pub const PICK_TIMEOUT: &str = "pick_timeout";

/// The name of the timer a fulfillment waiting for stock looks again on.
pub const STOCK_RECHECK: &str = "stock_recheck";

/// The activity a workflow is waiting on, with its attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Running {
    pub activity: Activity,
    pub attempt: u32,
    /// Set while a failed attempt waits for its retry.
    pub retry_at: Option<Timestamp>,
    pub last_error: Option<String>,
}

impl Running {
    /// Whether a workflow in `status` waits on exactly this attempt.
    pub fn wanted(status: WorkflowStatus, running: Option<&Running>, activity: &Activity, attempt: u32) -> bool {
        status == WorkflowStatus::Running && running.is_some_and(|r| r.activity == *activity && r.attempt == attempt)
    }

    /// "create_shipment attempt 1 failed: …; next attempt at …" while a
    /// retry waits.
    pub fn retry_note(&self) -> Option<String> {
        let (at, err) = (self.retry_at?, self.last_error.as_ref()?);
        Some(format!(
            "{} attempt {} failed: {err}; next attempt at {}",
            self.activity.name(),
            self.attempt.saturating_sub(1),
            at.to_rfc3339()
        ))
    }
}

/// An activity that failed for good: the workflow waits for a retry signal
/// or a cancel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stuck {
    pub activity: Activity,
    pub attempts: u32,
    pub error: String,
}
