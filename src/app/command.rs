//! Commands (what a client asks for) and outcomes (what it gets back), in
//! their wire shape. Every command is run through [`super::Services::execute`]
//! under an op id; its JSON form is the request fingerprint stored with the
//! outcome, so an op id reused for a different request is refused.

use super::floor_op::PickScans;
use super::{AppError, Ctx};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

mod dto;
mod outcome;
pub use dto::*;
pub use outcome::*;

/// Every state-changing request the services accept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Command {
    SubmitOrder(OrderRequest),
    CancelOrder {
        order_id: i64,
        reason: String,
    },
    AssignPicking {
        task_id: i64,
        worker_id: i64,
    },
    StartPicking {
        task_id: i64,
        worker_id: i64,
    },
    /// `location` and `item` are what was scanned; `tote`, in cluster
    /// picking, the scanned tote (a tote not the task's is refused, E107).
    #[serde(alias = "pick_item_into_tote")]
    PickItem {
        task_id: i64,
        item_id: i64,
        worker_id: Option<i64>,
        #[serde(flatten)]
        scan: PickScans,
    },
    ShortItem {
        task_id: i64,
        item_id: i64,
        worker_id: Option<i64>,
        #[serde(default)]
        quantity: u32,
        reason: String,
    },
    SkipItem {
        task_id: i64,
        item_id: i64,
        worker_id: Option<i64>,
        reason: String,
    },
    CompletePicking {
        task_id: i64,
        worker_id: Option<i64>,
    },
    CancelPicking {
        task_id: i64,
        reason: String,
    },
    StartPacking {
        task_id: i64,
        worker_id: i64,
    },
    SetPackageDetails {
        task_id: i64,
        worker_id: Option<i64>,
        #[serde(default = "first")]
        sequence: u32,
        package: PackageDto,
    },
    AddPackage {
        task_id: i64,
        worker_id: Option<i64>,
        package: Option<PackageDto>,
    },
    CompletePacking {
        task_id: i64,
        worker_id: Option<i64>,
    },
    CancelPacking {
        task_id: i64,
        reason: String,
    },
    PlaceStock {
        warehouse: String,
        location: String,
        sku: String,
        quantity: u32,
        #[serde(default)]
        received_at: Option<DateTime<Utc>>,
        #[serde(default)]
        lot: Option<String>,
        #[serde(default)]
        expiry: Option<NaiveDate>,
    },
    MoveStock {
        warehouse: String,
        from_location: String,
        to_location: String,
        sku: String,
        quantity: u32,
    },
    RemoveStock {
        warehouse: String,
        location: String,
        sku: String,
        quantity: u32,
        reason: String,
    },
    ReserveStock {
        warehouse: String,
        sku: String,
        quantity: u32,
        ttl_seconds: u32,
    },
    ReleaseReservation {
        reservation_id: i64,
        reason: String,
    },
    ReleaseExpired,
    /// Master data: a location's walk order and the check digits on its label.
    DefineLocation {
        warehouse: String,
        location: String,
        walk_order: Option<i64>,
        check_digits: Option<String>,
    },
    /// Master data: where a warehouse's parcels ship from (labels and carriers).
    SetWarehouseAddress {
        warehouse: String,
        address: AddressDto,
    },
    /// A worker takes its current task in `queue`, or the next pending one.
    ClaimTask {
        worker_id: i64,
        queue: QueueDto,
        /// Also hold the next picking task (offline devices keep working
        /// after the current one).
        #[serde(default)]
        lookahead: bool,
    },
    /// A new picking task for a fulfillment whose pick failed.
    RetryPicking {
        fulfillment_id: i64,
    },
    /// Master data: a product's name and barcode (GTIN).
    DefineProduct {
        sku: String,
        name: String,
        barcode: Option<String>,
        /// Its listing in the Listings service (seed 001's `listing_id`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        listing_id: Option<String>,
    },
    /// The engine: a queued local activity (a retry) runs now.
    RunActivity {
        task_id: i64,
        attempt: u32,
    },
    /// The engine: a carrier activity's result (`result`) or failure
    /// (`error`: code, message, retryable).
    CompleteActivity {
        task_id: i64,
        attempt: u32,
        #[serde(default)]
        result: Option<crate::domain::workflow::ActivityResult>,
        #[serde(default)]
        error: Option<crate::domain::workflow::ActivityError>,
        #[serde(default)]
        started_at: Option<DateTime<Utc>>,
    },
    /// The engine: a due timer fires.
    FireTimer {
        workflow_id: String,
        name: String,
    },
    /// A supervisor asks a stuck workflow to run its failed step again.
    RetryWorkflow {
        workflow_id: String,
    },
    /// A supervisor releases a wave: pending picking tasks chosen by
    /// priority, zone and cut-off, grouped into batches of `batch_size` totes.
    ReleaseWave {
        warehouse: String,
        #[serde(default)]
        priorities: Vec<String>,
        #[serde(default)]
        zone: Option<String>,
        #[serde(default)]
        cutoff: Option<DateTime<Utc>>,
        #[serde(default = "wave_size")]
        max_tasks: u32,
        #[serde(default = "cart_size")]
        batch_size: u32,
    },
    /// A picker takes the batch it holds, or the next one: every task of it
    /// is assigned to the picker.
    ClaimBatch {
        worker_id: i64,
    },
    /// A supervisor moves an order (its open tasks, workflows and queued
    /// activities) to another priority.
    ChangePriority {
        order_id: i64,
        priority: String,
    },
    /// A new ship-to address (seed 004), refused once a label exists.
    UpdateAddress {
        order_id: i64,
        ship_to: AddressDto,
    },
    /// A parcel scanned onto the truck at the dock, by tracking number.
    DispatchParcel {
        tracking: String,
    },
    /// The carrier's truck leaves: every parcel of its open manifest at the
    /// warehouse is dispatched.
    CloseManifest {
        warehouse: String,
        carrier: String,
    },
    /// A local activity of a workflow another engine hosts (Temporal).
    RunHosted {
        call: Box<super::workflow::hosted::HostedCall>,
    },
    /// A decision of a workflow another engine hosts, recorded here.
    RecordHosted {
        record: Box<super::workflow::hosted::HostedRecord>,
    },
    /// A packer set a started box aside, and why.
    SetAsidePacking {
        task_id: i64,
        worker_id: Option<i64>,
        reason: crate::domain::packing::SetAsideReason,
    },
    /// A station printed a packed box's label.
    MarkLabelPrinted {
        task_id: i64,
    },
    /// A worker scanned `location` for a put-back task: its units from
    /// there are back on the shelf.
    PutBack {
        task_id: i64,
        worker_id: Option<i64>,
        location: String,
    },
    /// A supervisor takes damaged units out of quarantine: back on sale
    /// (`restock`) or disposed of.
    ResolveQuarantine {
        warehouse: String,
        location: String,
        sku: String,
        quantity: u32,
        restock: bool,
    },
}

fn first() -> u32 {
    1
}

fn wave_size() -> u32 {
    50
}

fn cart_size() -> u32 {
    4
}

impl Command {
    /// What the command acts on, for its log line (`task_id=7`,
    /// `order_id=3`, `sku=SKU-A`), or nothing. Every command says: a new
    /// one does not compile until it does.
    pub fn subject(&self) -> String {
        use Command as C;
        let (key, value) = match self {
            C::AssignPicking { task_id, .. }
            | C::StartPicking { task_id, .. }
            | C::PickItem { task_id, .. }
            | C::ShortItem { task_id, .. }
            | C::SkipItem { task_id, .. }
            | C::CompletePicking { task_id, .. }
            | C::CancelPicking { task_id, .. }
            | C::StartPacking { task_id, .. }
            | C::SetPackageDetails { task_id, .. }
            | C::AddPackage { task_id, .. }
            | C::CompletePacking { task_id, .. }
            | C::CancelPacking { task_id, .. }
            | C::RunActivity { task_id, .. }
            | C::CompleteActivity { task_id, .. }
            | C::SetAsidePacking { task_id, .. }
            | C::MarkLabelPrinted { task_id }
            | C::PutBack { task_id, .. } => ("task_id", task_id.to_string()),
            C::CancelOrder { order_id, .. }
            | C::ChangePriority { order_id, .. }
            | C::UpdateAddress { order_id, .. } => ("order_id", order_id.to_string()),
            C::RetryPicking { fulfillment_id } => ("fulfillment_id", fulfillment_id.to_string()),
            C::DispatchParcel { tracking } => ("tracking", tracking.clone()),
            C::FireTimer { workflow_id, .. } | C::RetryWorkflow { workflow_id } => ("workflow_id", workflow_id.clone()),
            C::RunHosted { call } => ("workflow_id", call.workflow.id.clone()),
            C::RecordHosted { record } => ("workflow_id", record.workflow.id.clone()),
            C::SubmitOrder(req) => ("request_id", req.request_id.clone()),
            C::PlaceStock { sku, .. }
            | C::MoveStock { sku, .. }
            | C::RemoveStock { sku, .. }
            | C::ReserveStock { sku, .. }
            | C::DefineProduct { sku, .. }
            | C::ResolveQuarantine { sku, .. } => ("sku", sku.clone()),
            C::ReleaseReservation { reservation_id, .. } => ("reservation_id", reservation_id.to_string()),
            C::DefineLocation { location, .. } => ("location", location.clone()),
            C::SetWarehouseAddress { warehouse, .. }
            | C::ReleaseWave { warehouse, .. }
            | C::CloseManifest { warehouse, .. } => ("warehouse", warehouse.clone()),
            C::ClaimTask { worker_id, .. } | C::ClaimBatch { worker_id } => ("worker_id", worker_id.to_string()),
            C::ReleaseExpired => return String::new(),
        };
        format!("{key}={value}")
    }

    /// The command's name, as stored with its outcome.
    pub fn name(&self) -> &'static str {
        match self {
            Command::SubmitOrder(_) => "submit_order",
            Command::CancelOrder { .. } => "cancel_order",
            Command::AssignPicking { .. } => "assign_picking",
            Command::StartPicking { .. } => "start_picking",
            Command::PickItem { .. } => "pick_item",
            Command::ShortItem { .. } => "short_item",
            Command::SkipItem { .. } => "skip_item",
            Command::CompletePicking { .. } => "complete_picking",
            Command::CancelPicking { .. } => "cancel_picking",
            Command::StartPacking { .. } => "start_packing",
            Command::SetPackageDetails { .. } => "set_package_details",
            Command::AddPackage { .. } => "add_package",
            Command::CompletePacking { .. } => "complete_packing",
            Command::CancelPacking { .. } => "cancel_packing",
            Command::PlaceStock { .. } => "place_stock",
            Command::MoveStock { .. } => "move_stock",
            Command::RemoveStock { .. } => "remove_stock",
            Command::ReserveStock { .. } => "reserve_stock",
            Command::ReleaseReservation { .. } => "release_reservation",
            Command::ReleaseExpired => "release_expired",
            Command::DefineLocation { .. } => "define_location",
            Command::DefineProduct { .. } => "define_product",
            Command::SetWarehouseAddress { .. } => "set_warehouse_address",
            Command::ClaimTask { .. } => "claim_task",
            Command::RetryPicking { .. } => "retry_picking",
            Command::RunActivity { .. } => "run_activity",
            Command::CompleteActivity { .. } => "complete_activity",
            Command::FireTimer { .. } => "fire_timer",
            Command::RetryWorkflow { .. } => "retry_workflow",
            Command::UpdateAddress { .. } => "update_address",
            Command::ChangePriority { .. } => "change_priority",
            Command::ReleaseWave { .. } => "release_wave",
            Command::ClaimBatch { .. } => "claim_batch",
            Command::DispatchParcel { .. } => "dispatch_parcel",
            Command::CloseManifest { .. } => "close_manifest",
            Command::ResolveQuarantine { .. } => "resolve_quarantine",
            Command::PutBack { .. } => "put_back",
            Command::MarkLabelPrinted { .. } => "mark_label_printed",
            Command::SetAsidePacking { .. } => "set_aside_packing",
            Command::RunHosted { .. } => "run_hosted",
            Command::RecordHosted { .. } => "record_hosted",
        }
    }

    pub(super) fn run(&self, ctx: &mut Ctx<'_, '_>) -> Result<Outcome, AppError> {
        use super::{cancel, claim, dispatch, intake, inventory, packing, picking, put_back, shelf, wave, workflow};
        match self {
            Command::SubmitOrder(req) => intake::submit(ctx, req),
            Command::CancelOrder { order_id, reason } => cancel::cancel_order(ctx, *order_id, reason),
            Command::AssignPicking { task_id, worker_id } => picking::assign(ctx, *task_id, *worker_id),
            Command::StartPicking { task_id, worker_id } => picking::start(ctx, *task_id, *worker_id),
            Command::PickItem { task_id, item_id, worker_id, scan } => {
                picking::pick(ctx, *task_id, *item_id, *worker_id, scan)
            }
            Command::ShortItem { task_id, item_id, worker_id, quantity, reason } => {
                picking::short(ctx, *task_id, *item_id, *worker_id, *quantity, reason)
            }
            Command::SkipItem { task_id, item_id, worker_id, reason } => {
                picking::skip(ctx, *task_id, *item_id, *worker_id, reason)
            }
            Command::CompletePicking { task_id, worker_id } => picking::complete(ctx, *task_id, *worker_id),
            Command::CancelPicking { task_id, reason } => picking::cancel(ctx, *task_id, reason),
            Command::StartPacking { task_id, worker_id } => packing::start(ctx, *task_id, *worker_id),
            Command::SetPackageDetails { task_id, worker_id, sequence, package } => {
                packing::set_details(ctx, *task_id, *worker_id, *sequence, package)
            }
            Command::AddPackage { task_id, worker_id, package } => {
                packing::add_package(ctx, *task_id, *worker_id, package.as_ref())
            }
            Command::CompletePacking { task_id, worker_id } => packing::complete(ctx, *task_id, *worker_id),
            Command::CancelPacking { task_id, reason } => packing::cancel(ctx, *task_id, reason),
            Command::PlaceStock { warehouse, location, sku, quantity, received_at, lot, expiry } => {
                let receipt = inventory::Receipt {
                    received_at: received_at.unwrap_or(ctx.now),
                    lot: lot.as_deref(),
                    expiry: *expiry,
                };
                inventory::place(ctx, warehouse, location, sku, *quantity, &receipt)
            }
            Command::MoveStock { warehouse, from_location, to_location, sku, quantity } => {
                inventory::move_stock(ctx, warehouse, from_location, to_location, sku, *quantity)
            }
            Command::RemoveStock { warehouse, location, sku, quantity, reason } => {
                inventory::remove(ctx, warehouse, location, sku, *quantity, reason)
            }
            Command::ReserveStock { warehouse, sku, quantity, ttl_seconds } => {
                inventory::reserve(ctx, warehouse, sku, *quantity, *ttl_seconds)
            }
            Command::ReleaseReservation { reservation_id, reason } => inventory::release(ctx, *reservation_id, reason),
            Command::ReleaseExpired => inventory::release_expired(ctx),
            Command::DefineLocation { warehouse, location, walk_order, check_digits } => {
                inventory::define_location(ctx, warehouse, location, *walk_order, check_digits.as_deref())
            }
            Command::SetWarehouseAddress { warehouse, address } => inventory::set_address(ctx, warehouse, address),
            Command::ClaimTask { worker_id, queue, lookahead } => claim::claim(ctx, *worker_id, *queue, *lookahead),
            Command::RetryPicking { fulfillment_id } => claim::retry_picking(ctx, *fulfillment_id),
            Command::DefineProduct { sku, name, barcode, listing_id } => {
                inventory::define_product(ctx, sku, name, barcode.as_deref(), listing_id.as_deref())
            }
            Command::RunActivity { task_id, attempt } => workflow::run_activity(ctx, *task_id, *attempt),
            Command::CompleteActivity { task_id, attempt, result, error, started_at } => {
                let outcome = match (result, error) {
                    (Some(r), _) => Ok(r.clone()),
                    (None, Some(e)) => Err(e.clone()),
                    (None, None) => return Err(bad("result", "either result or error is required")),
                };
                workflow::complete_activity(ctx, *task_id, *attempt, outcome, *started_at)
            }
            Command::FireTimer { workflow_id, name } => workflow::fire_timer(ctx, workflow_id, name),
            Command::RetryWorkflow { workflow_id } => {
                workflow::signal(ctx, workflow_id, crate::domain::workflow::Signal::Retry)
            }
            Command::UpdateAddress { order_id, ship_to } => workflow::update_address(ctx, *order_id, ship_to),
            Command::ChangePriority { order_id, priority } => cancel::change_priority(ctx, *order_id, priority),
            Command::ReleaseWave { warehouse, priorities, zone, cutoff, max_tasks, batch_size } => {
                let criteria = wave::criteria(priorities, zone.as_deref(), *cutoff, *max_tasks, *batch_size)?;
                wave::release(ctx, warehouse, &criteria)
            }
            Command::ClaimBatch { worker_id } => wave::claim(ctx, *worker_id),
            Command::DispatchParcel { tracking } => dispatch::parcel(ctx, tracking),
            Command::CloseManifest { warehouse, carrier } => dispatch::close_manifest(ctx, warehouse, carrier),
            Command::MarkLabelPrinted { task_id } => packing::label_printed(ctx, *task_id),
            Command::RunHosted { call } => workflow::hosted::run(ctx, call),
            Command::RecordHosted { record } => workflow::hosted::record(ctx, record),
            Command::SetAsidePacking { task_id, worker_id, reason } => {
                packing::set_aside(ctx, *task_id, *worker_id, *reason)
            }
            Command::PutBack { task_id, worker_id, location } => put_back::put(ctx, *task_id, *worker_id, location),
            Command::ResolveQuarantine { warehouse, location, sku, quantity, restock } => {
                shelf::resolve(ctx, warehouse, location, sku, *quantity, *restock)
            }
        }
    }
}

fn bad(field: &str, e: impl std::fmt::Display) -> AppError {
    crate::domain::DomainError::invalid(field, e.to_string()).into()
}
