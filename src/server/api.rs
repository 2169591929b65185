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

mod dispatch;
mod events;
mod inventory;
mod labels;
mod ops;
mod orders;
mod packing;
mod picking;
mod put_back;
mod session;
mod waves;
mod workflows;

use super::AppState;
use super::error::ApiError;
use crate::app::{Command, Outcome};
use crate::domain::auth::Caller;
use axum::Json;
use axum::Router;

pub use dispatch::*;
pub use events::*;
pub use inventory::*;
pub use labels::*;
pub use ops::*;
pub use orders::*;
pub use packing::*;
pub use picking::*;
pub use put_back::*;
pub use session::*;
pub use waves::*;
pub use workflows::*;

/// Every route of the application, from the one list in [`super::routes`].
pub fn routes() -> Router<AppState> {
    super::routes::declared().into_iter().fold(Router::new(), |r, (spec, method)| r.route(spec.path, method))
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
) -> Result<Outcome, (crate::app::floor_op::Verdict, Box<super::error::ErrorBody>)> {
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
