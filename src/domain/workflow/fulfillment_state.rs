//! The fulfillment workflow's state, folded from its history: the step it
//! is at carries what only that step knows (the pick it waits for, the
//! stock it waits for); what runs beside the steps (the floor's packing,
//! the carrier's booking, a cancel's compensation) is one small enum or
//! struct each, so a state the workflow cannot be in cannot be written.
//! Part of [`super`]'s decider.

use super::{Activity, ActivityResult, FulfillmentStart, Running, Stuck, WorkflowStatus};
use crate::domain::Timestamp;
use crate::domain::order::Address;
use serde::{Deserialize, Serialize};

/// Where the workflow is (the `getCurrentStep` query), with what that step
/// alone needs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    #[default]
    New,
    AllocateInventory,
    /// Short of stock under the backorder policy (`reason`): allocates
    /// again when stock arrives.
    AwaitStock {
        reason: String,
    },
    MarkReserved,
    /// Making pick work; `failed` is the failed pick a requeue replaces.
    CreatePickWork {
        failed: Option<FailedPick>,
    },
    /// Waiting for `task`'s PickCompleted; `failed` once the floor failed
    /// it, until a retry.
    AwaitPick {
        task: i64,
        failed: Option<String>,
    },
    ConsumeInventory,
    AwaitPack,
    CreateShipment,
    GenerateLabel,
    ConfirmShipment,
    /// Labelled and confirmed: the parcels wait at the dock.
    AwaitDispatch,
    MarkShipped,
    Compensate,
    Done {
        reason: Option<String>,
    },
}

/// A pick the floor failed, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailedPick {
    pub task: i64,
    pub reason: String,
}

impl Step {
    pub fn as_str(&self) -> &'static str {
        match self {
            Step::New => "new",
            Step::AllocateInventory => "allocate_inventory",
            Step::AwaitStock { .. } => "await_stock",
            Step::MarkReserved => "mark_reserved",
            Step::CreatePickWork { .. } => "create_pick_work",
            Step::AwaitPick { .. } => "await_pick",
            Step::ConsumeInventory => "consume_inventory",
            Step::AwaitPack => "await_pack",
            Step::CreateShipment => "create_shipment",
            Step::GenerateLabel => "generate_label",
            Step::ConfirmShipment => "confirm_shipment",
            Step::AwaitDispatch => "await_dispatch",
            Step::MarkShipped => "mark_shipped",
            Step::Compensate => "compensate",
            Step::Done { .. } => "done",
        }
    }

    /// The step `activity` starts, from this one (a requeue keeps the
    /// failed pick it replaces); `None` for activities that start none.
    fn starting(&self, a: &Activity) -> Option<Step> {
        Some(match a {
            Activity::AllocateInventory => Step::AllocateInventory,
            Activity::MarkReserved => Step::MarkReserved,
            Activity::CreatePickWork | Activity::RequeuePick => Step::CreatePickWork { failed: self.failed_pick() },
            Activity::ConsumeInventory => Step::ConsumeInventory,
            Activity::RequeuePack | Activity::CreateBackorder => Step::AwaitPack,
            Activity::PlanShipment | Activity::CreateShipment { .. } => Step::CreateShipment,
            Activity::GenerateLabel => Step::GenerateLabel,
            Activity::ConfirmShipment { .. } => Step::ConfirmShipment,
            Activity::MarkShipped => Step::MarkShipped,
            Activity::ReleaseInventory { .. } | Activity::VoidShipment { .. } => Step::Compensate,
            Activity::ValidateOrder | Activity::CreateOrder | Activity::UpdateAddress { .. } => return None,
        })
    }

    /// The failed pick this step waits to retry, if any.
    pub fn failed_pick(&self) -> Option<FailedPick> {
        match self {
            Step::AwaitPick { task, failed: Some(reason) } => Some(FailedPick { task: *task, reason: reason.clone() }),
            Step::CreatePickWork { failed } => failed.clone(),
            _ => None,
        }
    }
}

/// The floor's packing of this fulfillment, which runs beside the steps
/// (a packer may start before the pick is consumed).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pack {
    #[default]
    NotStarted,
    Started {
        task: i64,
    },
    Failed {
        task: i64,
        reason: String,
    },
    Packed,
}

/// The carrier's booking.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Shipment {
    #[default]
    None,
    /// A `create_shipment` was asked for and has not answered yet.
    Pending,
    Booked(Booking),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Booking {
    pub carrier: String,
    pub tracking: Vec<String>,
    pub labelled: bool,
    /// Tracking numbers of the parcels that left the dock.
    pub dispatched: Vec<String>,
}

/// Compensating towards an end (cancelled, or failed with a reason): what
/// has been given back so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ending {
    pub status: WorkflowStatus,
    pub reason: String,
    pub released: bool,
    pub voided: bool,
}

/// The fold of the history.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    pub start: Option<FulfillmentStart>,
    pub status: WorkflowStatus,
    pub step: Step,
    pub running: Option<Running>,
    pub stuck: Option<Stuck>,
    pub pack: Pack,
    pub shipment: Shipment,
    pub ending: Option<Ending>,
    /// The last address this workflow was told to ship to.
    pub ship_to: Option<Address>,
}

impl State {
    pub fn booking(&self) -> Option<&Booking> {
        match &self.shipment {
            Shipment::Booked(b) => Some(b),
            Shipment::None | Shipment::Pending => None,
        }
    }

    /// The booked parcels' tracking numbers (none before a booking).
    pub fn tracking(&self) -> &[String] {
        self.booking().map_or(&[], |b| &b.tracking)
    }

    pub fn dispatched(&self) -> &[String] {
        self.booking().map_or(&[], |b| &b.dispatched)
    }

    pub fn shipment_pending(&self) -> bool {
        self.shipment == Shipment::Pending
    }

    pub fn packed(&self) -> bool {
        self.pack == Pack::Packed
    }

    /// Why it waits for stock, while it does.
    pub fn short_of_stock(&self) -> Option<&str> {
        match &self.step {
            Step::AwaitStock { reason } => Some(reason),
            _ => None,
        }
    }
}

/// The history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    Started(FulfillmentStart),
    Scheduled {
        activity: Activity,
        attempt: u32,
    },
    Completed {
        activity: Activity,
        result: ActivityResult,
    },
    Failed {
        activity: Activity,
        attempt: u32,
        error: String,
        retry_at: Option<Timestamp>,
    },
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
    /// `ship_to`: the new address (histories written before it was kept
    /// read as `None`).
    AddressUpdated {
        #[serde(default)]
        ship_to: Option<Address>,
    },
    Ending {
        status: WorkflowStatus,
        reason: String,
    },
    TimedOut {
        name: String,
    },
    RetryRequested,
    /// Allocation found too little stock and the policy is to wait for it.
    AwaitingStock {
        reason: String,
    },
    /// Parcels that left the dock (new ones only).
    Dispatched {
        tracking: Vec<String>,
    },
    Finished {
        status: WorkflowStatus,
        reason: Option<String>,
    },
}

pub fn evolve(mut s: State, e: &Event) -> State {
    match e {
        Event::Started(start) => s.start = Some(*start),
        Event::Scheduled { activity: Activity::UpdateAddress { .. }, .. } => {}
        Event::Scheduled { activity, attempt } => {
            if matches!(activity, Activity::CreateShipment { .. }) {
                s.shipment = Shipment::Pending;
            }
            if let Some(step) = s.step.starting(activity) {
                s.step = step;
            }
            s.running =
                Some(Running { activity: activity.clone(), attempt: *attempt, retry_at: None, last_error: None });
            s.stuck = None;
        }
        Event::Completed { activity, result } => {
            if s.running.as_ref().is_some_and(|r| r.activity == *activity) {
                s.running = None;
            }
            completed(&mut s, activity, result);
        }
        Event::Failed { activity, attempt, error, retry_at } => {
            if matches!(activity, Activity::CreateShipment { .. }) && retry_at.is_none() && s.shipment_pending() {
                s.shipment = Shipment::None;
            }
            if s.running.as_ref().is_some_and(|r| r.activity == *activity) {
                match retry_at {
                    Some(at) => {
                        s.running = Some(Running {
                            activity: activity.clone(),
                            attempt: attempt + 1,
                            retry_at: Some(*at),
                            last_error: Some(error.clone()),
                        })
                    }
                    None => {
                        s.running = None;
                        s.stuck = Some(Stuck { activity: activity.clone(), attempts: *attempt, error: error.clone() });
                    }
                }
            }
        }
        Event::PickCompleted { .. } => {
            if let Step::AwaitPick { failed, .. } = &mut s.step {
                *failed = None;
            }
        }
        Event::PickFailed { reason, .. } => {
            if let Step::AwaitPick { failed, .. } = &mut s.step {
                *failed = Some(reason.clone());
            }
        }
        Event::PickRetried { task_id } => s.step = Step::AwaitPick { task: *task_id, failed: None },
        Event::PackStarted { task_id } => s.pack = Pack::Started { task: *task_id },
        Event::PackCompleted { .. } => s.pack = Pack::Packed,
        Event::PackFailed { task_id, reason } => s.pack = Pack::Failed { task: *task_id, reason: reason.clone() },
        Event::AddressUpdated { ship_to } => s.ship_to = ship_to.clone(),
        Event::TimedOut { .. } => {}
        Event::Ending { status, reason } => {
            let (released, voided) = s.ending.as_ref().map_or((false, false), |e| (e.released, e.voided));
            s.ending = Some(Ending { status: *status, reason: reason.clone(), released, voided });
            s.stuck = None;
        }
        Event::RetryRequested => s.stuck = None,
        Event::AwaitingStock { reason } => {
            s.running = None;
            s.stuck = None;
            s.step = Step::AwaitStock { reason: reason.clone() };
        }
        Event::Dispatched { tracking } => {
            if let Shipment::Booked(b) = &mut s.shipment {
                b.dispatched.extend(tracking.iter().cloned());
            }
        }
        Event::Finished { status, reason } => {
            s.status = *status;
            s.step = Step::Done { reason: reason.clone() };
            s.running = None;
        }
    }
    s
}

/// What an activity's result tells the state.
fn completed(s: &mut State, activity: &Activity, result: &ActivityResult) {
    match (activity, result) {
        (_, ActivityResult::PickWork { task_id }) => s.step = Step::AwaitPick { task: *task_id, failed: None },
        (Activity::ConsumeInventory | Activity::CreateBackorder, _) => s.step = Step::AwaitPack,
        (_, ActivityResult::PackWork { task_id }) if !s.packed() => s.pack = Pack::Started { task: *task_id },
        (_, ActivityResult::Shipment { carrier, tracking, .. }) => {
            s.shipment = Shipment::Booked(Booking {
                carrier: carrier.clone(),
                tracking: tracking.clone(),
                labelled: false,
                dispatched: Vec::new(),
            })
        }
        (Activity::GenerateLabel, _) => {
            if let Shipment::Booked(b) = &mut s.shipment {
                b.labelled = true;
            }
        }
        (Activity::ConfirmShipment { .. }, _) => s.step = Step::AwaitDispatch,
        (Activity::ReleaseInventory { .. }, _) => {
            if let Some(e) = &mut s.ending {
                e.released = true;
            }
        }
        (Activity::VoidShipment { .. }, _) => {
            if let Some(e) = &mut s.ending {
                e.voided = true;
            }
        }
        (
            Activity::ValidateOrder
            | Activity::CreateOrder
            | Activity::AllocateInventory
            | Activity::MarkReserved
            | Activity::CreatePickWork
            | Activity::RequeuePick
            | Activity::RequeuePack
            | Activity::PlanShipment
            | Activity::CreateShipment { .. }
            | Activity::MarkShipped
            | Activity::UpdateAddress { .. },
            _,
        ) => {}
    }
}
