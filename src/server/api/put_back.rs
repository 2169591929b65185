//! Put-back tasks: picked units of cancelled work, scanned back onto their
//! shelves location by location.

use super::as_worker;
use crate::app::Command;
use crate::contract::requests::PutBackBody;
use crate::storage::put_back::PutBackTask;

#[utoipa::path(get, path = "/api/v1/put-backs", tag = "picking", security(("bearer" = [])),
    responses((status = 200, body = Vec<PutBackTask>, description = "pending put-back tasks of the caller's warehouses, oldest first")))]
pub async fn list_put_backs(
    axum::extract::State(st): axum::extract::State<crate::server::AppState>,
    axum::Extension(caller): axum::Extension<crate::domain::auth::Caller>,
) -> Result<axum::Json<Vec<PutBackTask>>, crate::server::error::ApiError> {
    // A worker sees the put-backs of the warehouses they work in.
    Ok(axum::Json(st.read(move |s| s.put_backs(500, &s.warehouse_scope(caller.worker(), None)?)).await?))
}

command_handler! {
    #[utoipa::path(post, path = "/api/v1/put-backs/{id}/put", tag = "picking",
        params(crate::server::openapi::params::Id, crate::server::openapi::params::IdempotencyKey),
        request_body = PutBackBody, security(("bearer" = [])),
        responses((status = 200, body = crate::app::Outcome),
            (status = 400, body = crate::server::error::ErrorBody, description = "the task has nothing for this location"),
            (status = 404, body = crate::server::error::ErrorBody),
            (status = 409, body = crate::server::error::ErrorBody, description = "already put back")))]
    put_back(PutBackBody) => |caller, ids, b| Command::PutBack {
        task_id: ids.get("id")?,
        worker_id: as_worker(&caller, b.worker_id)?,
        location: b.location,
    }
}
