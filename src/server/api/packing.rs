//! Packing tasks. A packing task is created when its picking task completes
//! (in the same transaction), so there is no create call here.

use super::picking::TaskQuery;
use super::{acting_worker, as_worker};
use crate::app::Command;
use crate::app::command::{Outcome, PackageDto};
use crate::app::task_views::PackingTaskView;
use crate::contract::requests::Reason;
use crate::contract::requests::WorkerBody;
use crate::server::AppState;
use crate::server::error::{ApiError, ErrorBody};
use crate::server::extract::{Ids, Params};
use crate::server::openapi::params::{Id, IdempotencyKey};
use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
pub struct PackageDetailsBody {
    #[serde(default)]
    #[schema(schema_with = crate::server::openapi::params::op_id)]
    pub op_id: Option<String>,
    #[serde(default)]
    pub worker_id: Option<i64>,
    /// Which package (1-based); the first by default.
    #[serde(default = "first")]
    #[schema(minimum = 1, format = Int64, maximum = 4_294_967_295_u64)]
    pub sequence: u32,
    pub package: PackageDto,
}

fn first() -> u32 {
    1
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AddPackageBody {
    #[serde(default)]
    #[schema(schema_with = crate::server::openapi::params::op_id)]
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
    let filter = q.filter(&st)?;
    Ok(Json(st.read(move |s| s.packing_tasks(&filter)).await?))
}

#[utoipa::path(get, path = "/api/v1/packing-tasks/{id}", tag = "packing", params(Id), security(("bearer" = [])),
    responses((status = 200, body = PackingTaskView), (status = 404, body = ErrorBody)))]
pub async fn get_packing_task(State(st): State<AppState>, ids: Ids) -> Result<Json<PackingTaskView>, ApiError> {
    let id = ids.get("id")?;
    Ok(Json(st.read(move |s| s.packing_task_view(id)).await?))
}

command_handler! {
    #[utoipa::path(post, path = "/api/v1/packing-tasks/{id}/start", tag = "packing", params(Id, IdempotencyKey),
        request_body = WorkerBody, security(("bearer" = [])),
        responses((status = 200, body = Outcome), (status = 409, body = ErrorBody)))]
    start_packing(WorkerBody) => |caller, ids, b| Command::StartPacking { task_id: ids.get("id")?, worker_id: acting_worker(&caller, b.worker_id)? }
}

command_handler! {
    #[utoipa::path(post, path = "/api/v1/packing-tasks/{id}/package-details", tag = "packing", params(Id, IdempotencyKey),
        request_body = PackageDetailsBody, security(("bearer" = [])),
        responses((status = 200, body = Outcome), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody)))]
    set_package_details(PackageDetailsBody) => |caller, ids, b| Command::SetPackageDetails {
        task_id: ids.get("id")?,
        worker_id: as_worker(&caller, b.worker_id)?,
        sequence: b.sequence,
        package: b.package,
    }
}

command_handler! {
    #[utoipa::path(post, path = "/api/v1/packing-tasks/{id}/packages", tag = "packing", params(Id, IdempotencyKey),
        request_body = AddPackageBody, security(("bearer" = [])),
        responses((status = 200, body = Outcome), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody)))]
    add_package(AddPackageBody) => |caller, ids, b| Command::AddPackage { task_id: ids.get("id")?, worker_id: as_worker(&caller, b.worker_id)?, package: b.package }
}

command_handler! {
    #[utoipa::path(post, path = "/api/v1/packing-tasks/{id}/complete", tag = "packing", params(Id, IdempotencyKey),
        request_body = WorkerBody, security(("bearer" = [])),
        responses((status = 200, body = Outcome), (status = 409, body = ErrorBody)))]
    complete_packing(WorkerBody) => |caller, ids, b| Command::CompletePacking { task_id: ids.get("id")?, worker_id: as_worker(&caller, b.worker_id)? }
}

command_handler! {
    #[utoipa::path(post, path = "/api/v1/packing-tasks/{id}/cancel", tag = "packing", params(Id, IdempotencyKey),
        request_body = Reason, security(("bearer" = [])),
        responses((status = 200, body = Outcome), (status = 409, body = ErrorBody)))]
    cancel_packing(Reason) => |_caller, ids, b| Command::CancelPacking { task_id: ids.get("id")?, reason: b.reason }
}
