//! Waves and cluster picking: a supervisor releases a wave, a picker claims
//! a batch. (A pick into a tote is the pick endpoint with `tote` set.)

use super::{acting_worker, run};
use crate::app::{Command, Outcome};
use crate::domain::auth::Caller;
use crate::domain::order::Priority as PriorityName;
use crate::server::AppState;
use crate::server::error::{ApiError, ErrorBody};
use crate::server::extract::{Body, op_id};
use crate::server::openapi::params::IdempotencyKey;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::{Extension, Json};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
pub struct WaveBody {
    #[serde(default)]
    #[schema(schema_with = crate::server::openapi::params::op_id)]
    pub op_id: Option<String>,
    pub warehouse: String,
    /// Only these priorities (low, normal, high, urgent); empty: any.
    #[serde(default)]
    #[schema(value_type = Vec<PriorityName>)]
    pub priorities: Vec<String>,
    /// Only tasks whose every location starts with this.
    #[serde(default)]
    pub zone: Option<String>,
    /// Only orders taken before this moment (a carrier cut-off).
    #[serde(default)]
    #[schema(
        pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})$"
    )]
    pub cutoff: Option<DateTime<Utc>>,
    /// Tasks in the wave at most: 1 to 1000, 50 by default.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 1000, format = Int64)]
    pub max_tasks: Option<u32>,
    /// Totes per cart: 1 to 24, 4 by default.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 24, format = Int64)]
    pub batch_size: Option<u32>,
}

#[utoipa::path(post, path = "/api/v1/waves", tag = "waves", request_body = WaveBody, params(IdempotencyKey), security(("bearer" = [])),
    responses((status = 200, body = Outcome), (status = 400, body = ErrorBody, description = "a bad criterion, or nothing matches")))]
pub async fn release_wave(
    State(st): State<AppState>,
    headers: HeaderMap,
    Body(b): Body<WaveBody>,
) -> Result<Json<Outcome>, ApiError> {
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

#[derive(Debug, Deserialize, ToSchema)]
pub struct BatchClaimBody {
    #[serde(default)]
    #[schema(schema_with = crate::server::openapi::params::op_id)]
    pub op_id: Option<String>,
    /// A supervisor may claim for a picker.
    #[serde(default)]
    pub worker_id: Option<i64>,
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
