//! The `/api/v1` handlers, one submodule per resource. Each mutating handler
//! turns its request into one [`Command`] and hands it to the writer under
//! the request's op id; each read handler calls a view of the services.

/// A mutating endpoint under a path id: reads the op id, builds one
/// [`Command`] from the caller, the path ids and the body, and runs it
/// through the writer. The attributes (the OpenAPI description) come first.
macro_rules! command_handler {
    ($(#[$meta:meta])* $name:ident($body:ty) => |$caller:ident, $ids:ident, $b:ident| $cmd:expr) => {
        $(#[$meta])*
        pub async fn $name(
            axum::extract::State(st): axum::extract::State<crate::server::AppState>,
            axum::Extension($caller): axum::Extension<crate::domain::auth::Caller>,
            $ids: crate::server::extract::Ids,
            headers: axum::http::HeaderMap,
            crate::server::extract::Body($b): crate::server::extract::Body<$body>,
        ) -> Result<axum::Json<crate::app::Outcome>, crate::server::error::ApiError> {
            let _ = (&$caller, &$ids);
            let op = crate::server::extract::op_id(&headers, $b.op_id.as_deref(), None)?;
            let command: crate::app::Command = $cmd;
            super::run(&st, op, command).await
        }
    };
}

mod events;
mod inventory;
mod labels;
mod ops;
mod orders;
mod packing;
mod picking;
mod session;
mod waves;
mod workflows;

use super::AppState;
use super::error::ApiError;
use crate::app::{Command, Outcome};
use crate::domain::auth::Caller;
use axum::Json;
use axum::Router;
use axum::routing::{get, post};

pub use events::*;
pub use inventory::*;
pub use labels::*;
pub use ops::*;
pub use orders::*;
pub use packing::*;
pub use picking::*;
pub use session::*;
pub use waves::*;
pub use workflows::*;

/// Every route of the application; [`super::routes::ROUTES`] says who may
/// call each.
pub fn routes() -> Router<AppState> {
    use super::health;
    Router::new()
        .route("/health", get(health::health))
        .route("/health/live", get(health::live))
        .route("/health/ready", get(health::ready))
        .route("/health/detailed", get(health::detailed))
        .route("/metrics", get(health::metrics))
        .route("/api/v1/openapi.json", get(super::openapi::serve))
        .route("/api/v1/auth/login", post(login))
        .route("/api/v1/auth/logout", post(logout))
        .route("/api/v1/me", get(me))
        .route("/api/v1/orders", post(submit_order).get(list_orders))
        .route("/api/v1/orders/batch", post(submit_order_batch))
        .route("/api/v1/orders/{id}", get(get_order))
        .route("/api/v1/orders/{id}/cancel", post(cancel_order))
        .route("/api/v1/orders/{id}/address", post(update_address))
        .route("/api/v1/orders/{id}/priority", post(change_priority))
        .route("/api/v1/board", get(board))
        .route("/api/v1/webhooks/retry-dead", post(retry_dead))
        .route("/api/v1/workflows", get(list_workflows))
        .route("/api/v1/workflows/{id}", get(get_workflow))
        .route("/api/v1/workflows/{id}/retry", post(retry_workflow))
        .route("/api/v1/orders/{id}/picking-tasks", get(order_picking_tasks))
        .route("/api/v1/tasks/claim", post(claim_task))
        .route("/api/v1/waves", post(release_wave))
        .route("/api/v1/batches/claim", post(claim_batch))
        .route("/api/v1/ops", post(push_ops))
        .route("/api/v1/events", get(event_stream))
        .route("/api/v1/devices", get(list_devices))
        .route("/api/v1/picking-tasks", post(create_picking_task).get(list_picking_tasks))
        .route("/api/v1/picking-tasks/{id}", get(get_picking_task))
        .route("/api/v1/picking-tasks/{id}/next-item", get(next_item))
        .route("/api/v1/picking-tasks/{id}/assign", post(assign_picking))
        .route("/api/v1/picking-tasks/{id}/start", post(start_picking))
        .route("/api/v1/picking-tasks/{id}/items/{item_id}/pick", post(pick_item))
        .route("/api/v1/picking-tasks/{id}/items/{item_id}/short", post(short_item))
        .route("/api/v1/picking-tasks/{id}/items/{item_id}/skip", post(skip_item))
        .route("/api/v1/picking-tasks/{id}/complete", post(complete_picking))
        .route("/api/v1/picking-tasks/{id}/cancel", post(cancel_picking))
        .route("/api/v1/packing-tasks", get(list_packing_tasks))
        .route("/api/v1/packing-tasks/{id}", get(get_packing_task))
        .route("/api/v1/packing-tasks/{id}/start", post(start_packing))
        .route("/api/v1/packing-tasks/{id}/package-details", post(set_package_details))
        .route("/api/v1/packing-tasks/{id}/packages", post(add_package))
        .route("/api/v1/packing-tasks/{id}/complete", post(complete_packing))
        .route("/api/v1/packing-tasks/{id}/cancel", post(cancel_packing))
        .route("/api/v1/packing-tasks/{id}/label", get(packing_label))
        .route("/api/v1/inventory/place", post(place_stock))
        .route("/api/v1/inventory/move", post(move_stock))
        .route("/api/v1/inventory/remove", post(remove_stock))
        .route("/api/v1/inventory/reserve", post(reserve_stock))
        .route("/api/v1/inventory/reservations/{id}/release", post(release_reservation))
        .route("/api/v1/inventory/picking-locations", get(picking_locations))
        .route("/api/v1/locations", post(define_location))
        .route("/api/v1/products", post(define_product))
}

/// Runs `command` through the writer and answers once it is committed.
async fn run(st: &AppState, op_id: String, command: Command) -> Result<Json<Outcome>, ApiError> {
    Ok(Json(st.writer.execute(op_id, command).await?))
}

/// One op's answer inside a many-op request: the outcome, or the error
/// body with `rejected` (final) or `retry` (the store failed; send the op
/// again under the same op id).
fn many_answer(
    answer: Result<Outcome, crate::app::AppError>,
) -> Result<Outcome, (crate::app::floor_op::Verdict, super::error::ErrorBody)> {
    use crate::app::floor_op::Verdict;
    answer.map_err(|e| {
        let retry = matches!(&e, crate::app::AppError::Storage(s) if !s.is_corrupt());
        let status = if retry { Verdict::Retry } else { Verdict::Rejected };
        (status, ApiError::from(e).body)
    })
}

/// The worker a floor command is checked against: the caller itself; for
/// a supervisor or admin, the worker named in the request, or `None` (act
/// as supervisor, not bound to the task's assignee).
fn as_worker(caller: &Caller, asked: Option<i64>) -> Result<Option<i64>, ApiError> {
    match (caller.worker(), asked) {
        _ if caller.manages() => Ok(asked),
        (Some(own), Some(a)) if a != own.0 => Err(ApiError::forbidden("only a supervisor may act for another worker")),
        (Some(own), _) => Ok(Some(own.0)),
        (None, asked) => Ok(asked),
    }
}

/// The worker who takes a task (start, claim): as [`as_worker`], falling
/// back to the caller itself.
fn acting_worker(caller: &Caller, asked: Option<i64>) -> Result<i64, ApiError> {
    as_worker(caller, asked)?
        .or(caller.worker().map(|w| w.0))
        .ok_or_else(|| ApiError::invalid("worker_id", "required when calling with an API key"))
}
