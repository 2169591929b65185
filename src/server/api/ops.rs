//! `POST /api/v1/ops`: a device's queued floor ops, in order, each
//! idempotent by its op id; one result per op. And `GET /api/v1/devices`:
//! each device's last contact and queue, for the board.

use crate::app::board::DeviceView;
use crate::app::command::Outcome;
use crate::app::floor_op::{FloorOp, Verdict, Work};
use crate::contract::requests::DeviceHead;
use crate::domain::auth::{Access, Caller};
use crate::server::AppState;
use crate::server::error::{ApiError, ErrorBody};
use crate::server::extract::Body;
use crate::storage::device::DeviceRow;
use axum::extract::State;
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Ops per request at most.
pub const MAX_OPS: usize = 1000;

#[derive(Debug, Deserialize, ToSchema)]
pub struct OpsRequest {
    /// The device and its queue.
    #[serde(flatten)]
    pub head: DeviceHead,
    /// In the order the worker did them; at most 1,000.
    #[serde(default)]
    #[schema(max_items = 1000)]
    pub ops: Vec<OpEnvelope>,
}

/// One queued op: its id and the op.
#[derive(Debug, Deserialize, ToSchema)]
pub struct OpEnvelope {
    #[schema(schema_with = crate::server::openapi::params::envelope_op_id)]
    pub op_id: String,
    #[serde(flatten)]
    pub op: FloorOp,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct OpResult {
    pub op_id: String,
    pub status: Verdict,
    pub outcome: Option<Outcome>,
    pub error: Option<ErrorBody>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct OpsResponse {
    pub results: Vec<OpResult>,
}

#[utoipa::path(post, path = "/api/v1/ops", tag = "sync", request_body = OpsRequest, security(("bearer" = [])),
    responses((status = 200, body = OpsResponse), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn push_ops(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    Body(req): Body<OpsRequest>,
) -> Result<Json<OpsResponse>, ApiError> {
    let Some(worker) = caller.worker() else { return Err(ApiError::forbidden("floor ops are sent by a worker")) };
    let device = check_device_id(&req.head.device_id)?;
    if req.ops.len() > MAX_OPS {
        return Err(ApiError::invalid("ops", format!("at most {MAX_OPS} ops per request")));
    }
    for (n, o) in req.ops.iter().enumerate() {
        if o.op_id.trim().is_empty() || o.op_id.chars().count() > crate::app::MAX_OP_ID_LEN {
            return Err(ApiError::invalid(format!("ops[{n}].op_id"), "1 to 128 characters"));
        }
        let access = match o.op.work() {
            Work::Picking => Access::Picking,
            Work::Packing => Access::Packing,
        };
        if !access.admits(&caller) {
            return Err(ApiError::forbidden(format!("ops[{n}]: a {} op needs another role", o.op.kind())));
        }
    }
    // Contact is telemetry, not a warehouse op: the writer writes it with
    // the next commit, the last per device of a group.
    let seen = DeviceRow {
        device_id: device.to_owned(),
        worker_id: Some(worker.0),
        last_seen: st.services.now(),
        queued: req.head.queued,
        oldest_queued_at: req.head.oldest_queued_at,
    };
    st.writer.contact(seen).await;
    let jobs = req.ops.iter().map(|o| (o.op_id.clone(), o.op.command(worker.0))).collect();
    let answers = st.writer.execute_many(jobs).await;
    let results = req
        .ops
        .into_iter()
        .zip(answers)
        .map(|(o, answer)| match super::many_answer(answer) {
            Ok(outcome) => OpResult { op_id: o.op_id, status: Verdict::Applied, outcome: Some(outcome), error: None },
            Err((status, body)) => OpResult { op_id: o.op_id, status, outcome: None, error: Some(*body) },
        })
        .collect();
    Ok(Json(OpsResponse { results }))
}

/// A terminal's id, as login and `/ops` take it: 1 to 64 characters, not all blank.
pub(super) fn check_device_id(id: &str) -> Result<&str, ApiError> {
    let device = id.trim();
    if device.is_empty() || device.chars().count() > 64 {
        return Err(ApiError::invalid("device_id", "1 to 64 characters, not all blank"));
    }
    Ok(device)
}

#[utoipa::path(get, path = "/api/v1/devices", tag = "sync", security(("bearer" = [])),
    responses((status = 200, body = Vec<DeviceView>)))]
pub async fn list_devices(State(st): State<AppState>) -> Result<Json<Vec<DeviceView>>, ApiError> {
    Ok(Json(st.read(|s| s.devices()).await?))
}
