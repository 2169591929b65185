//! The workflows, as seed 003's queries see them (status, current step,
//! blocking reason) with their history; a supervisor's retry of a stuck
//! step; and an order's address change, which its workflows may refuse.

use crate::app::Command;
use crate::app::command::AddressDto;
use crate::app::workflow::view::{WorkflowSummary, WorkflowView};
use crate::contract::requests::{NewPriority, Reason, Retried};
use crate::server::AppState;
use crate::server::error::{ApiError, ErrorBody};
use crate::server::extract::Params;
use crate::server::openapi::params::{Id, IdempotencyKey};
use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WorkflowQuery {
    /// running, completed, cancelled or failed.
    #[param(inline)]
    pub status: Option<crate::domain::workflow::WorkflowStatus>,
    /// Only this order's workflows (its intake and its fulfillments).
    pub order_id: Option<i64>,
    #[param(minimum = 0, format = Int64, maximum = 4_294_967_295_u64)]
    pub limit: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/workflows", tag = "workflows", params(WorkflowQuery), security(("bearer" = [])),
    responses((status = 200, body = Vec<WorkflowSummary>), (status = 400, body = ErrorBody)))]
pub async fn list_workflows(
    State(st): State<AppState>,
    Params(q): Params<WorkflowQuery>,
) -> Result<Json<Vec<WorkflowSummary>>, ApiError> {
    if let Some(order) = q.order_id {
        // The status filter applies here too, rather than being ignored.
        let all = st.read(move |s| s.order_workflows(order)).await?;
        return Ok(Json(all.into_iter().filter(|w| q.status.is_none_or(|s| w.status == s)).collect()));
    }
    let limit = q.limit.unwrap_or(50).clamp(1, st.config.max_page);
    Ok(Json(st.read(move |s| s.workflows(q.status, limit)).await?))
}

#[utoipa::path(get, path = "/api/v1/workflows/{id}", tag = "workflows", params(("id" = String, Path, description = "A workflow id, e.g. `order-fulfillment-1`.")),
    security(("bearer" = [])), responses((status = 200, body = WorkflowView), (status = 404, body = ErrorBody)))]
pub async fn get_workflow(State(st): State<AppState>, Path(id): Path<String>) -> Result<Json<WorkflowView>, ApiError> {
    Ok(Json(st.read(move |s| s.workflow_view(&id)).await?))
}

#[utoipa::path(post, path = "/api/v1/workflows/{id}/retry", tag = "workflows", params(("id" = String, Path, description = "A workflow id, e.g. `order-fulfillment-1`."), IdempotencyKey),
    request_body = Reason, security(("bearer" = [])),
    responses((status = 200, body = crate::app::Outcome), (status = 409, body = ErrorBody, description = "nothing to retry")))]
pub async fn retry_workflow(
    State(st): State<AppState>,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
    crate::server::extract::Body(b): crate::server::extract::Body<Reason>,
) -> Result<Json<crate::app::Outcome>, ApiError> {
    let op = crate::server::extract::op_id(&headers, b.op_id.as_deref(), None)?;
    super::run(&st, op, Command::RetryWorkflow { workflow_id: id }).await
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewAddress {
    #[serde(default)]
    #[schema(schema_with = crate::server::openapi::params::op_id)]
    pub op_id: Option<String>,
    pub ship_to: AddressDto,
}

command_handler! {
    #[utoipa::path(post, path = "/api/v1/orders/{id}/address", tag = "orders", params(Id, IdempotencyKey),
        request_body = NewAddress, security(("bearer" = [])),
        responses((status = 200, body = crate::app::Outcome), (status = 400, body = ErrorBody),
                  (status = 409, body = ErrorBody, description = "a label exists (E601)")))]
    update_address(NewAddress) => |_caller, ids, b| Command::UpdateAddress { order_id: ids.get("id")?, ship_to: b.ship_to }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BoardQuery {
    /// One warehouse's board (by default a supervisor's own warehouses, or
    /// every one for a caller bound to none).
    pub warehouse: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/board", tag = "board", params(BoardQuery), security(("bearer" = [])),
    responses((status = 200, body = crate::app::board::BoardView),
              (status = 400, body = ErrorBody, description = "unknown warehouse"),
              (status = 403, body = ErrorBody, description = "a warehouse the caller does not work in")))]
pub async fn board(
    State(st): State<AppState>,
    axum::Extension(caller): axum::Extension<crate::domain::auth::Caller>,
    Params(q): Params<BoardQuery>,
) -> Result<Json<crate::app::board::BoardView>, ApiError> {
    let alerts = st.config.alerts;
    Ok(Json(
        st.read(move |s| {
            let scope = s.warehouse_scope(caller.worker(), q.warehouse.as_deref())?;
            s.board(&alerts, &scope)
        })
        .await?,
    ))
}

command_handler! {
    #[utoipa::path(post, path = "/api/v1/orders/{id}/priority", tag = "orders", params(Id, IdempotencyKey),
        request_body = NewPriority, security(("bearer" = [])),
        responses((status = 200, body = crate::app::Outcome), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody)))]
    change_priority(NewPriority) => |_caller, ids, b| Command::ChangePriority { order_id: ids.get("id")?, priority: b.priority }
}

#[utoipa::path(post, path = "/api/v1/webhooks/retry-dead", tag = "events", security(("bearer" = [])),
    responses((status = 200, body = Retried)))]
pub async fn retry_dead(State(st): State<AppState>) -> Result<Json<Retried>, ApiError> {
    let now = st.services.now();
    Ok(Json(Retried { retried: st.writer.write(move |tx| Ok(tx.retry_dead(now)?)).await? }))
}
