//! Orders: intake (idempotent on the request id), get, list, cancel.

use super::run;
use crate::app::Command;
use crate::app::command::{OrderRequest, Outcome};
use crate::app::task_views::PickingTaskView;
use crate::app::views::OrderView;
use crate::server::AppState;
use crate::server::error::{ApiError, ErrorBody};
use crate::server::extract::{Body, Ids, Params, from_value, op_id};
use crate::storage::queues::TaskFilter;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

/// Order intake. The body is the order, plus an optional `op_id`; without
/// one (and without an Idempotency-Key header) the op id is derived from
/// `request_id`, so a resubmission is a replay.
#[utoipa::path(post, path = "/api/v1/orders", tag = "orders", request_body = OrderRequest, security(("bearer" = [])),
    responses((status = 201, body = Outcome, description = "created"), (status = 200, body = Outcome, description = "already known"),
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
        _ => StatusCode::OK,
    };
    Ok((status, Json(outcome)))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct OrderQuery {
    /// open, cancelled or shipped.
    pub status: Option<String>,
    /// Only orders with a smaller id (the last id of the previous page).
    pub before_id: Option<i64>,
    pub limit: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/orders", tag = "orders", params(OrderQuery), security(("bearer" = [])),
    responses((status = 200, body = Vec<OrderView>)))]
pub async fn list_orders(
    State(st): State<AppState>,
    Params(q): Params<OrderQuery>,
) -> Result<Json<Vec<OrderView>>, ApiError> {
    let limit = q.limit.unwrap_or(50).clamp(1, st.config.max_page);
    Ok(Json(st.services.orders(q.status.as_deref(), q.before_id, limit)?))
}

#[utoipa::path(get, path = "/api/v1/orders/{id}", tag = "orders", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = OrderView), (status = 404, body = ErrorBody)))]
pub async fn get_order(State(st): State<AppState>, ids: Ids) -> Result<Json<OrderView>, ApiError> {
    Ok(Json(st.services.order_view(ids.get("id")?)?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct Reason {
    #[serde(default)]
    pub op_id: Option<String>,
    pub reason: String,
}

command_handler! {
    #[utoipa::path(post, path = "/api/v1/orders/{id}/cancel", tag = "orders", params(("id" = i64, Path)),
        request_body = Reason, security(("bearer" = [])),
        responses((status = 200, body = Outcome), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
    cancel_order(Reason) => |_caller, ids, b| Command::CancelOrder { order_id: ids.get("id")?, reason: b.reason }
}

#[utoipa::path(get, path = "/api/v1/orders/{id}/picking-tasks", tag = "picking", params(("id" = i64, Path)),
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
    Ok(Json(st.services.picking_tasks(&filter)?))
}
