//! Picking tasks and claiming work.

use super::{acting_worker, as_worker, run};
use crate::app::Command;
use crate::app::command::{Outcome, QueueDto};
use crate::app::floor_op::PickScans;
use crate::app::floor_op::Scanned;
use crate::app::task_views::{PickingItemView, PickingTaskView};
use crate::contract::requests::Reason;
use crate::contract::requests::{AssignBody, ClaimBody, WorkerBody};
use crate::domain::auth::{Caller, Role};
use crate::domain::ids::{OrderId, WorkerId};
use crate::domain::order::Priority;
use crate::server::AppState;
use crate::server::error::{ApiError, ErrorBody};
use crate::server::extract::{Body, Ids, Params, op_id};
use crate::server::openapi::params::{Id, IdempotencyKey, TaskItem};
use crate::storage::queues::TaskFilter;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Filters of a task list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TaskQuery {
    /// A task status (picking: pending, assigned, in_progress, completed,
    /// cancelled; packing: pending, in_progress, packed, shipped, cancelled).
    #[param(inline, value_type = Option<crate::server::openapi::params::TaskStatusName>)]
    pub status: Option<String>,
    /// Warehouse code.
    pub warehouse: Option<String>,
    pub worker_id: Option<i64>,
    pub order_id: Option<i64>,
    /// Only tasks of the fulfillment one of whose parcels has this tracking
    /// number (a packer scanning a box).
    #[param(max_length = 64)]
    pub tracking: Option<String>,
    /// low, normal, high or urgent.
    #[param(inline, value_type = Option<crate::domain::order::Priority>)]
    pub priority: Option<String>,
    /// Only tasks with a larger id (keyset paging).
    pub after_id: Option<i64>,
    /// Page size (default 50; more than `max_page` gives `max_page`).
    #[param(minimum = 0, format = Int64, maximum = 4_294_967_295_u64)]
    pub limit: Option<u32>,
}

impl TaskQuery {
    pub(super) fn filter(&self, st: &AppState) -> Result<TaskFilter, ApiError> {
        let warehouse = match &self.warehouse {
            Some(code) => Some(
                st.services
                    .query(|tx| Ok(tx.warehouse_by_code(code)?))?
                    .ok_or_else(|| ApiError::invalid("warehouse", format!("unknown warehouse {code:?}")))?
                    .id,
            ),
            None => None,
        };
        let priority = self.priority.as_deref().map(|p| Priority::parse(p, "priority")).transpose()?;
        if self.tracking.as_ref().is_some_and(|t| t.chars().count() > 64) {
            return Err(ApiError::invalid("tracking", "at most 64 characters"));
        }
        Ok(TaskFilter {
            status: self.status.clone(),
            warehouse,
            worker: self.worker_id.map(WorkerId),
            order: self.order_id.map(OrderId),
            tracking: self.tracking.clone(),
            priority: priority.map(Priority::rank),
            after_id: self.after_id,
            limit: self.limit.unwrap_or(50).clamp(1, st.config.max_page),
        })
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreatePicking {
    #[serde(default)]
    #[schema(schema_with = crate::server::openapi::params::op_id)]
    pub op_id: Option<String>,
    /// A fulfillment whose pick failed; its lines are reserved again.
    pub fulfillment_id: i64,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PickBody {
    #[serde(default)]
    #[schema(schema_with = crate::server::openapi::params::op_id)]
    pub op_id: Option<String>,
    #[serde(default)]
    pub worker_id: Option<i64>,
    /// What was scanned at the location: its code or its check digits.
    pub location: Scanned,
    /// What was scanned on the item: SKU, barcode, or a GS1 symbol (text and its elements).
    pub item: Scanned,
    /// Units taken; 1 by default.
    #[serde(default = "one")]
    #[schema(minimum = 1, format = Int64, maximum = 4_294_967_295_u64)]
    pub quantity: u32,
    /// Cluster picking: the scanned tote; a tote not the task's is refused (E107).
    #[serde(default)]
    pub tote: Option<String>,
}

fn one() -> u32 {
    1
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ShortBody {
    #[serde(default)]
    #[schema(schema_with = crate::server::openapi::params::op_id)]
    pub op_id: Option<String>,
    #[serde(default)]
    pub worker_id: Option<i64>,
    /// Units found (picked) before the shelf ran out.
    #[serde(default)]
    #[schema(minimum = 0, format = Int64, maximum = 4_294_967_295_u64)]
    pub quantity: u32,
    /// stock_out, damaged, no_access, expired or other.
    #[schema(value_type = crate::domain::picking::ReasonCode)]
    pub reason: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct SkipBody {
    #[serde(default)]
    #[schema(schema_with = crate::server::openapi::params::op_id)]
    pub op_id: Option<String>,
    #[serde(default)]
    pub worker_id: Option<i64>,
    /// stock_out, damaged, no_access, expired or other.
    #[schema(value_type = crate::domain::picking::ReasonCode)]
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NextItem {
    /// The next pending item in walk order, or null when none is left.
    pub item: Option<PickingItemView>,
    pub done: usize,
    pub total: usize,
}

#[utoipa::path(post, path = "/api/v1/tasks/claim", tag = "picking", request_body = ClaimBody, params(IdempotencyKey),
    security(("bearer" = [])),
    responses((status = 200, body = Outcome), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "no such worker")))]
pub async fn claim_task(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    Body(b): Body<ClaimBody>,
) -> Result<Json<Outcome>, ApiError> {
    let queue = match (b.queue, &caller) {
        (Some(q), _) => q,
        (None, Caller::Worker { role: Role::Packer, .. }) => QueueDto::Packing,
        (None, Caller::Worker { role: Role::Picker, .. }) => QueueDto::Picking,
        (None, _) => return Err(ApiError::invalid("queue", "required: picking or packing")),
    };
    let worker_id = acting_worker(&caller, b.worker_id)?;
    let lookahead = b.lookahead;
    run(&st, op_id(&headers, b.op_id.as_deref(), None)?, Command::ClaimTask { worker_id, queue, lookahead }).await
}

#[utoipa::path(post, path = "/api/v1/picking-tasks", tag = "picking", request_body = CreatePicking, params(IdempotencyKey),
    security(("bearer" = [])),
    responses((status = 200, body = Outcome), (status = 404, body = ErrorBody, description = "no such fulfillment"),
        (status = 409, body = ErrorBody)))]
pub async fn create_picking_task(
    State(st): State<AppState>,
    headers: HeaderMap,
    Body(b): Body<CreatePicking>,
) -> Result<Json<Outcome>, ApiError> {
    run(&st, op_id(&headers, b.op_id.as_deref(), None)?, Command::RetryPicking { fulfillment_id: b.fulfillment_id })
        .await
}

#[utoipa::path(get, path = "/api/v1/picking-tasks", tag = "picking", params(TaskQuery), security(("bearer" = [])),
    responses((status = 200, body = Vec<PickingTaskView>)))]
pub async fn list_picking_tasks(
    State(st): State<AppState>,
    Params(q): Params<TaskQuery>,
) -> Result<Json<Vec<PickingTaskView>>, ApiError> {
    let filter = q.filter(&st)?;
    Ok(Json(st.read(move |s| s.picking_tasks(&filter)).await?))
}

#[utoipa::path(get, path = "/api/v1/picking-tasks/{id}", tag = "picking", params(Id), security(("bearer" = [])),
    responses((status = 200, body = PickingTaskView), (status = 404, body = ErrorBody)))]
pub async fn get_picking_task(State(st): State<AppState>, ids: Ids) -> Result<Json<PickingTaskView>, ApiError> {
    let id = ids.get("id")?;
    Ok(Json(st.read(move |s| s.picking_task_view(id)).await?))
}

#[utoipa::path(get, path = "/api/v1/picking-tasks/{id}/next-item", tag = "picking", params(Id),
    security(("bearer" = [])), responses((status = 200, body = NextItem), (status = 404, body = ErrorBody)))]
pub async fn next_item(State(st): State<AppState>, ids: Ids) -> Result<Json<NextItem>, ApiError> {
    let id = ids.get("id")?;
    let t = st.read(move |s| s.picking_task_view(id)).await?;
    let item = t.next_item_id.and_then(|id| t.items.iter().find(|i| i.item_id == id).cloned());
    Ok(Json(NextItem { item, done: t.done_items, total: t.total_items }))
}

#[utoipa::path(post, path = "/api/v1/picking-tasks/{id}/assign", tag = "picking", params(Id, IdempotencyKey),
    request_body = AssignBody, security(("bearer" = [])),
    responses((status = 200, body = Outcome), (status = 404, body = ErrorBody, description = "no worker with that badge"),
              (status = 409, body = ErrorBody)))]
pub async fn assign_picking(
    State(st): State<AppState>,
    ids: Ids,
    headers: HeaderMap,
    Body(b): Body<AssignBody>,
) -> Result<Json<Outcome>, ApiError> {
    let op = op_id(&headers, b.op_id.as_deref(), None)?;
    let command = Command::AssignPicking { task_id: ids.get("id")?, worker_id: assignee(&st, &b).await? };
    run(&st, op, command).await
}

command_handler! {
    #[utoipa::path(post, path = "/api/v1/picking-tasks/{id}/start", tag = "picking", params(Id, IdempotencyKey),
        request_body = WorkerBody, security(("bearer" = [])),
        responses((status = 200, body = Outcome), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
    start_picking(WorkerBody) => |caller, ids, b| Command::StartPicking { task_id: ids.get("id")?, worker_id: acting_worker(&caller, b.worker_id)? }
}

command_handler! {
    #[utoipa::path(post, path = "/api/v1/picking-tasks/{id}/items/{item_id}/pick", tag = "picking",
        params(TaskItem, IdempotencyKey), request_body = PickBody, security(("bearer" = [])),
        responses((status = 200, body = Outcome), (status = 400, body = ErrorBody, description = "wrong location, wrong item, over-pick"),
        (status = 409, body = ErrorBody)))]
    pick_item(PickBody) => |caller, ids, b| Command::PickItem { task_id: ids.get("id")?, item_id: ids.get("item_id")?, worker_id: as_worker(&caller, b.worker_id)?, scan: PickScans { tote: b.tote, ..PickScans::new(b.location, b.item, b.quantity) } }
}

command_handler! {
    #[utoipa::path(post, path = "/api/v1/picking-tasks/{id}/items/{item_id}/short", tag = "picking",
        params(TaskItem, IdempotencyKey), request_body = ShortBody, security(("bearer" = [])),
        responses((status = 200, body = Outcome), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody)))]
    short_item(ShortBody) => |caller, ids, b| Command::ShortItem {
        task_id: ids.get("id")?,
        item_id: ids.get("item_id")?,
        worker_id: as_worker(&caller, b.worker_id)?,
        quantity: b.quantity,
        reason: b.reason,
    }
}

command_handler! {
    #[utoipa::path(post, path = "/api/v1/picking-tasks/{id}/items/{item_id}/skip", tag = "picking",
        params(TaskItem, IdempotencyKey), request_body = SkipBody, security(("bearer" = [])),
        responses((status = 200, body = Outcome), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody)))]
    skip_item(SkipBody) => |caller, ids, b| Command::SkipItem {
        task_id: ids.get("id")?,
        item_id: ids.get("item_id")?,
        worker_id: as_worker(&caller, b.worker_id)?,
        reason: b.reason,
    }
}

command_handler! {
    #[utoipa::path(post, path = "/api/v1/picking-tasks/{id}/complete", tag = "picking", params(Id, IdempotencyKey),
        request_body = WorkerBody, security(("bearer" = [])),
        responses((status = 200, body = Outcome), (status = 409, body = ErrorBody)))]
    complete_picking(WorkerBody) => |caller, ids, b| Command::CompletePicking { task_id: ids.get("id")?, worker_id: as_worker(&caller, b.worker_id)? }
}

command_handler! {
    #[utoipa::path(post, path = "/api/v1/picking-tasks/{id}/cancel", tag = "picking", params(Id, IdempotencyKey),
        request_body = Reason, security(("bearer" = [])),
        responses((status = 200, body = Outcome), (status = 409, body = ErrorBody)))]
    cancel_picking(Reason) => |_caller, ids, b| Command::CancelPicking { task_id: ids.get("id")?, reason: b.reason }
}

/// The worker an assign names: by id, else by badge.
async fn assignee(st: &AppState, b: &AssignBody) -> Result<i64, ApiError> {
    match (b.worker_id, b.badge.as_deref().map(str::trim)) {
        (Some(id), _) => Ok(id),
        (None, Some(badge)) if !badge.is_empty() => {
            let badge = badge.to_owned();
            let found = st.read(move |s| Ok(s.store().read(|tx| tx.worker_by_badge(&badge))?.map(|w| w.id.0))).await?;
            let badge = b.badge.clone().unwrap_or_default();
            found.ok_or_else(|| crate::domain::DomainError::not_found("worker with badge", badge).into())
        }
        _ => Err(ApiError::invalid("worker_id", "required: the worker to assign (or their badge)")),
    }
}
