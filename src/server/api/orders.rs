//! Orders: intake (idempotent on the request id), get, list, cancel.

use super::run;
use crate::app::Command;
use crate::app::command::{OrderRequest, Outcome};
use crate::app::floor_op::Verdict;
use crate::app::task_views::PickingTaskView;
use crate::app::views::OrderView;
use crate::contract::requests::Reason;
use crate::server::AppState;
use crate::server::error::{ApiError, ErrorBody};
use crate::server::extract::{Body, Ids, Params, from_value, op_id};
use crate::server::openapi::params::{Id, IdempotencyKey};
use crate::storage::queues::TaskFilter;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Order intake. The body is the order, plus an optional `op_id`; without
/// one (and without an Idempotency-Key header) the op id is derived from
/// `request_id`, so a resubmission is a replay. Intake prefers waiting to
/// failing: under the short policy `backorder` (the site's `short_policy`,
/// or the order's own `short_policy`) an order short of stock is accepted
/// and waits (its lines show `backordered`) until stock arrives; under
/// `ship` it is refused (409 E201), and that refusal for a passing condition
/// is not kept as the request's answer, so the same `request_id` is taken
/// once stock arrives. Bad input (400) stores nothing either and is refused
/// the same way until the request changes.
#[utoipa::path(post, path = "/api/v1/orders", tag = "orders", request_body = crate::server::openapi::params::OrderIntake, params(IdempotencyKey),
    security(("bearer" = [])),
    responses((status = 201, body = Outcome, description = "created"), (status = 200, body = Outcome, description = "already known"),
              (status = 202, body = Outcome, description = "accepted by the Temporal engine: the order is made when its intake workflow runs"),
              (status = 400, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn submit_order(
    State(st): State<AppState>,
    headers: HeaderMap,
    Body(mut body): Body<serde_json::Value>,
) -> Result<(StatusCode, Json<Outcome>), ApiError> {
    let body_op = match body.as_object_mut().and_then(|o| o.remove("op_id")) {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(s)) => Some(s),
        Some(_) => return Err(ApiError::invalid("op_id", "must be a string")),
    };
    let order: OrderRequest = from_value(body)?;
    let op = op_id(&headers, body_op.as_deref(), Some(order.default_op_id()))?;
    let Json(outcome) = run(&st, op, Command::SubmitOrder(order)).await?;
    let status = match outcome {
        Outcome::Order { existing: false, .. } => StatusCode::CREATED,
        Outcome::Accepted { .. } => StatusCode::ACCEPTED,
        _ => StatusCode::OK,
    };
    Ok((status, Json(outcome)))
}

/// Many orders in one request.
#[derive(Debug, Deserialize, ToSchema)]
pub struct OrderBatch {
    /// Each is idempotent on its `request_id` (op id `order-intake-{request_id}`);
    /// request ids must differ. At most `max_intake_batch` (1,000 by default).
    #[schema(min_items = 1, max_items = 1000)]
    pub orders: Vec<OrderRequest>,
}

/// One order's result in a batch.
#[derive(Debug, Serialize, ToSchema)]
pub struct BatchResult {
    pub request_id: String,
    pub status: BatchStatus,
    pub outcome: Option<Outcome>,
    pub error: Option<ErrorBody>,
}

/// One order's fate in a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BatchStatus {
    Created,
    /// A repeat of a request already taken: its stored answer.
    Existing,
    /// Refused: see `error`.
    Rejected,
    /// The store failed: send that order again.
    Retry,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BatchResponse {
    pub results: Vec<BatchResult>,
}

/// Batch intake: each order runs as its own op (one order's rejection does
/// not touch another), all through the writer together, so they share
/// commits. Results come in the request's order; priorities carry into the
/// task queues.
#[utoipa::path(post, path = "/api/v1/orders/batch", tag = "orders", request_body = OrderBatch, security(("bearer" = [])),
    responses((status = 200, body = BatchResponse), (status = 400, body = ErrorBody)))]
pub async fn submit_order_batch(
    State(st): State<AppState>,
    Body(batch): Body<OrderBatch>,
) -> Result<Json<BatchResponse>, ApiError> {
    let max = st.config.max_intake_batch;
    if batch.orders.is_empty() || batch.orders.len() > max {
        return Err(ApiError::invalid("orders", format!("1 to {max} orders per request")));
    }
    for (i, o) in batch.orders.iter().enumerate() {
        if let Some(j) = batch.orders[..i].iter().position(|p| p.request_id == o.request_id) {
            return Err(ApiError::invalid(format!("orders[{i}].request_id"), format!("repeats orders[{j}]")));
        }
    }
    let ids: Vec<String> = batch.orders.iter().map(|o| o.request_id.clone()).collect();
    let jobs = batch.orders.into_iter().map(|o| (o.default_op_id(), Command::SubmitOrder(o))).collect();
    let answers = st.writer.execute_many(jobs).await;
    let results = ids
        .into_iter()
        .zip(answers)
        .map(|(request_id, answer)| match super::many_answer(answer) {
            Ok(o) => {
                let existing = matches!(o, Outcome::Order { existing: true, .. });
                let status = if existing { BatchStatus::Existing } else { BatchStatus::Created };
                BatchResult { request_id, status, outcome: Some(o), error: None }
            }
            Err((verdict, body)) => {
                let status = if verdict == Verdict::Retry { BatchStatus::Retry } else { BatchStatus::Rejected };
                BatchResult { request_id, status, outcome: None, error: Some(*body) }
            }
        })
        .collect();
    Ok(Json(BatchResponse { results }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrderQuery {
    /// open, cancelled or shipped.
    #[param(inline, value_type = Option<crate::domain::order::OrderStatus>)]
    pub status: Option<String>,
    /// Only orders with a smaller id (the last id of the previous page).
    pub before_id: Option<i64>,
    /// Page size (default 50; more than `max_page` gives `max_page`).
    #[param(minimum = 0, format = Int64, maximum = 4_294_967_295_u64)]
    pub limit: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/orders", tag = "orders", params(OrderQuery), security(("bearer" = [])),
    responses((status = 200, body = Vec<OrderView>)))]
pub async fn list_orders(
    State(st): State<AppState>,
    Params(q): Params<OrderQuery>,
) -> Result<Json<Vec<OrderView>>, ApiError> {
    let limit = q.limit.unwrap_or(50).clamp(1, st.config.max_page);
    Ok(Json(st.read(move |s| s.orders(q.status.as_deref(), q.before_id, limit)).await?))
}

#[utoipa::path(get, path = "/api/v1/orders/{id}", tag = "orders", params(Id), security(("bearer" = [])),
    responses((status = 200, body = OrderView), (status = 404, body = ErrorBody)))]
pub async fn get_order(State(st): State<AppState>, ids: Ids) -> Result<Json<OrderView>, ApiError> {
    let id = ids.get("id")?;
    Ok(Json(st.read(move |s| s.order_view(id)).await?))
}

command_handler! {
    #[utoipa::path(post, path = "/api/v1/orders/{id}/cancel", tag = "orders", params(Id, IdempotencyKey),
        request_body = Reason, security(("bearer" = [])),
        responses((status = 200, body = Outcome), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
    cancel_order(Reason) => |_caller, ids, b| Command::CancelOrder { order_id: ids.get("id")?, reason: b.reason }
}

#[utoipa::path(get, path = "/api/v1/orders/{id}/picking-tasks", tag = "picking", params(Id),
    security(("bearer" = [])), responses((status = 200, body = Vec<PickingTaskView>)))]
pub async fn order_picking_tasks(State(st): State<AppState>, ids: Ids) -> Result<Json<Vec<PickingTaskView>>, ApiError> {
    let order = ids.get("id")?;
    // 404 for an unknown order, not an empty list.
    if st.services.query(|tx| Ok(tx.order(crate::domain::ids::OrderId(order))?))?.is_none() {
        return Err(crate::domain::DomainError::not_found("order", order).into());
    }
    let filter = TaskFilter {
        order: Some(crate::domain::ids::OrderId(order)),
        limit: st.config.max_page,
        ..TaskFilter::default()
    };
    Ok(Json(st.read(move |s| s.picking_tasks(&filter)).await?))
}
