//! Waves and cluster picking: a supervisor releases a wave, a picker claims
//! a batch. (A pick into a tote is the pick endpoint with `tote` set.)

use super::{acting_worker, run};
use crate::app::{Command, Outcome};
use crate::contract::requests::{BatchClaimBody, WaveBody};
use crate::domain::auth::Caller;
use crate::server::AppState;
use crate::server::error::{ApiError, ErrorBody};
use crate::server::extract::{Body, op_id};
use crate::server::openapi::params::IdempotencyKey;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::{Extension, Json};

#[utoipa::path(post, path = "/api/v1/waves", tag = "waves", request_body = WaveBody, params(IdempotencyKey), security(("bearer" = [])),
    responses((status = 200, body = Outcome), (status = 400, body = ErrorBody, description = "a bad criterion, or nothing matches"),
        (status = 403, body = ErrorBody, description = "a warehouse the caller does not work in")))]
pub async fn release_wave(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    Body(b): Body<WaveBody>,
) -> Result<Json<Outcome>, ApiError> {
    // A supervisor releases waves of the warehouses they work in (403).
    let (worker, warehouse) = (caller.worker(), b.warehouse.clone());
    st.read(move |s| s.warehouse_scope(worker, Some(&warehouse))).await?;
    let command = Command::ReleaseWave {
        warehouse: b.warehouse,
        priorities: b.priorities,
        zone: b.zone,
        cutoff: b.cutoff,
        max_tasks: b.max_tasks.unwrap_or(50),
        batch_size: b.batch_size.unwrap_or(4),
    };
    run(&st, op_id(&headers, b.op_id.as_deref(), None)?, command).await
}

#[utoipa::path(post, path = "/api/v1/batches/claim", tag = "waves", request_body = BatchClaimBody, params(IdempotencyKey),
    security(("bearer" = [])),
    responses((status = 200, body = Outcome), (status = 404, body = ErrorBody, description = "no such worker")))]
pub async fn claim_batch(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    Body(b): Body<BatchClaimBody>,
) -> Result<Json<Outcome>, ApiError> {
    let worker_id = acting_worker(&caller, b.worker_id)?;
    run(&st, op_id(&headers, b.op_id.as_deref(), None)?, Command::ClaimBatch { worker_id }).await
}
