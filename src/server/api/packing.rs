//! Packing tasks. A packing task is created when its picking task completes
//! (in the same transaction), so there is no create call here.

use super::orders::Reason;
use super::picking::{TaskQuery, WorkerBody};
use super::{acting_worker, as_worker, run};
use crate::app::Command;
use crate::app::command::{Outcome, PackageDto};
use crate::app::task_views::PackingTaskView;
use crate::domain::auth::Caller;
use crate::server::AppState;
use crate::server::error::{ApiError, ErrorBody};
use crate::server::extract::{Body, Ids, Params, op_id};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::{Extension, Json};
use serde::Deserialize;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
pub struct PackageDetailsBody {
    #[serde(default)]
    pub op_id: Option<String>,
    #[serde(default)]
    pub worker_id: Option<i64>,
    /// Which package (1-based); the first by default.
    #[serde(default = "first")]
    pub sequence: u32,
    pub package: PackageDto,
}

fn first() -> u32 {
    1
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AddPackageBody {
    #[serde(default)]
    pub op_id: Option<String>,
    #[serde(default)]
    pub worker_id: Option<i64>,
    /// The new package's details, if already known.
    #[serde(default)]
    pub package: Option<PackageDto>,
}

#[utoipa::path(get, path = "/api/v1/packing-tasks", tag = "packing", params(TaskQuery), security(("bearer" = [])),
    responses((status = 200, body = Vec<PackingTaskView>)))]
pub async fn list_packing_tasks(
    State(st): State<AppState>,
    Params(q): Params<TaskQuery>,
) -> Result<Json<Vec<PackingTaskView>>, ApiError> {
    Ok(Json(st.services.packing_tasks(&q.filter(&st)?)?))
}

#[utoipa::path(get, path = "/api/v1/packing-tasks/{id}", tag = "packing", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = PackingTaskView), (status = 404, body = ErrorBody)))]
pub async fn get_packing_task(State(st): State<AppState>, ids: Ids) -> Result<Json<PackingTaskView>, ApiError> {
    Ok(Json(st.services.packing_task_view(ids.get("id")?)?))
}

#[utoipa::path(post, path = "/api/v1/packing-tasks/{id}/start", tag = "packing", params(("id" = i64, Path)),
    request_body = WorkerBody, security(("bearer" = [])),
    responses((status = 200, body = Outcome), (status = 409, body = ErrorBody)))]
pub async fn start_packing(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    ids: Ids,
    headers: HeaderMap,
    Body(b): Body<WorkerBody>,
) -> Result<Json<Outcome>, ApiError> {
    let cmd = Command::StartPacking { task_id: ids.get("id")?, worker_id: acting_worker(&caller, b.worker_id)? };
    run(&st, op_id(&headers, b.op_id.as_deref(), None)?, cmd).await
}

#[utoipa::path(post, path = "/api/v1/packing-tasks/{id}/package-details", tag = "packing", params(("id" = i64, Path)),
    request_body = PackageDetailsBody, security(("bearer" = [])),
    responses((status = 200, body = Outcome), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn set_package_details(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    ids: Ids,
    headers: HeaderMap,
    Body(b): Body<PackageDetailsBody>,
) -> Result<Json<Outcome>, ApiError> {
    let cmd = Command::SetPackageDetails {
        task_id: ids.get("id")?,
        worker_id: as_worker(&caller, b.worker_id)?,
        sequence: b.sequence,
        package: b.package,
    };
    run(&st, op_id(&headers, b.op_id.as_deref(), None)?, cmd).await
}

#[utoipa::path(post, path = "/api/v1/packing-tasks/{id}/packages", tag = "packing", params(("id" = i64, Path)),
    request_body = AddPackageBody, security(("bearer" = [])),
    responses((status = 200, body = Outcome), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn add_package(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    ids: Ids,
    headers: HeaderMap,
    Body(b): Body<AddPackageBody>,
) -> Result<Json<Outcome>, ApiError> {
    let cmd = Command::AddPackage {
        task_id: ids.get("id")?,
        worker_id: as_worker(&caller, b.worker_id)?,
        package: b.package,
    };
    run(&st, op_id(&headers, b.op_id.as_deref(), None)?, cmd).await
}

#[utoipa::path(post, path = "/api/v1/packing-tasks/{id}/complete", tag = "packing", params(("id" = i64, Path)),
    request_body = WorkerBody, security(("bearer" = [])),
    responses((status = 200, body = Outcome), (status = 409, body = ErrorBody)))]
pub async fn complete_packing(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    ids: Ids,
    headers: HeaderMap,
    Body(b): Body<WorkerBody>,
) -> Result<Json<Outcome>, ApiError> {
    let cmd = Command::CompletePacking { task_id: ids.get("id")?, worker_id: as_worker(&caller, b.worker_id)? };
    run(&st, op_id(&headers, b.op_id.as_deref(), None)?, cmd).await
}

#[utoipa::path(post, path = "/api/v1/packing-tasks/{id}/cancel", tag = "packing", params(("id" = i64, Path)),
    request_body = Reason, security(("bearer" = [])),
    responses((status = 200, body = Outcome), (status = 409, body = ErrorBody)))]
pub async fn cancel_packing(
    State(st): State<AppState>,
    ids: Ids,
    headers: HeaderMap,
    Body(b): Body<Reason>,
) -> Result<Json<Outcome>, ApiError> {
    let cmd = Command::CancelPacking { task_id: ids.get("id")?, reason: b.reason };
    run(&st, op_id(&headers, b.op_id.as_deref(), None)?, cmd).await
}
