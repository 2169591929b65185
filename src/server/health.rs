//! Health endpoints (seed 002): live (the process answers), ready (the
//! database takes a write), detailed (for a supervisor: queues, writer,
//! outbox), and `/metrics`.

use super::AppState;
use super::error::ApiError;
use crate::domain::error::Code;
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde::Serialize;
use std::sync::atomic::Ordering;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    pub status: &'static str,
}

#[utoipa::path(get, path = "/health", tag = "operations", responses((status = 200, body = Health)))]
pub async fn health() -> Json<Health> {
    Json(Health { status: "ok" })
}

#[utoipa::path(get, path = "/health/live", tag = "operations", responses((status = 200, body = Health)))]
pub async fn live() -> Json<Health> {
    Json(Health { status: "ok" })
}

#[utoipa::path(get, path = "/health/ready", tag = "operations",
    responses((status = 200, body = Health), (status = 503, body = super::error::ErrorBody)))]
pub async fn ready(State(st): State<AppState>) -> Result<Json<Health>, ApiError> {
    // Ready means the writer answers: it takes a write and commits it.
    let unready = |why: &str| ApiError::new(StatusCode::SERVICE_UNAVAILABLE, Code::E900, why.to_owned());
    match tokio::time::timeout(READY_WITHIN, st.writer.write(|tx| Ok(tx.count("applied_ops").map(|_| ())?))).await {
        Ok(Ok(())) => Ok(Json(Health { status: "ready" })),
        Ok(Err(e)) => Err(unready(&format!("the writer failed: {e}"))),
        Err(_) => Err(unready("the writer did not answer in time")),
    }
}

/// How long `/health/ready` waits for the writer.
const READY_WITHIN: std::time::Duration = std::time::Duration::from_secs(2);

/// What `/health/detailed` reports.
#[derive(Debug, Serialize, ToSchema)]
pub struct Detailed {
    pub status: &'static str,
    pub version: &'static str,
    pub uptime_seconds: u64,
    pub database: String,
    pub schema_version: i64,
    pub group_commit: bool,
    pub writer_queue: usize,
    pub commits: u64,
    pub committed_ops: u64,
    pub failed_commits: u64,
    pub largest_batch: u64,
    pub outbox_pending: u64,
    pub pending_picking_tasks: u64,
    pub pending_packing_tasks: u64,
}

#[utoipa::path(get, path = "/health/detailed", tag = "operations", security(("bearer" = [])),
    responses((status = 200, body = Detailed)))]
pub async fn detailed(State(st): State<AppState>) -> Result<Json<Detailed>, ApiError> {
    let now = st.services.now();
    let (m, schema_version) = st.services.query(|tx| Ok((tx.domain_metrics(now)?, tx.schema_version()?)))?;
    let pending = |queue: &str| {
        m.queue_depth.iter().filter(|(q, s, _, _)| *q == queue && s == "pending").map(|(_, _, _, n)| n).sum()
    };
    let w = st.writer.stats();
    Ok(Json(Detailed {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
        uptime_seconds: st.started.elapsed().as_secs(),
        database: st.services.store().path().display().to_string(),
        schema_version,
        group_commit: st.config.group_commit,
        writer_queue: st.writer.queued(),
        commits: w.commits.load(Ordering::Relaxed),
        committed_ops: w.ops.load(Ordering::Relaxed),
        failed_commits: w.failed_commits.load(Ordering::Relaxed),
        largest_batch: w.largest_batch.load(Ordering::Relaxed),
        outbox_pending: m.outbox_pending,
        pending_picking_tasks: pending("picking"),
        pending_packing_tasks: pending("packing"),
    }))
}

#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, content_type = "text/plain; version=0.0.4", body = String,
        description = "Prometheus text exposition format 0.0.4 (not JSON): the `tote_*` metrics.")))]
pub async fn metrics(State(st): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    // Several queries: off the async workers.
    let state = st.clone();
    let body = st
        .read(move |s| {
            let now = s.now();
            let domain = s.query(|tx| Ok(tx.domain_metrics(now)?))?;
            Ok(super::metrics::render(&state, &domain))
        })
        .await?;
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], body))
}
