//! The dock: a parcel scanned onto the truck, a carrier's manifest closed.
//! Either is what makes a shipment (and its order) shipped.

use super::run;
use crate::app::{Command, Outcome};
use crate::contract::requests::{DispatchBody, ManifestBody};
use crate::server::AppState;
use crate::server::error::{ApiError, ErrorBody};
use crate::server::extract::{Body, op_id};
use crate::server::openapi::params::IdempotencyKey;
use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;

#[utoipa::path(post, path = "/api/v1/dispatch/parcels", tag = "dispatch", request_body = DispatchBody,
    params(IdempotencyKey), security(("bearer" = [])),
    responses((status = 200, body = Outcome), (status = 400, body = ErrorBody, description = "no tracking number"),
        (status = 403, body = ErrorBody, description = "the parcel's shipment is voided: it must not leave"),
        (status = 404, body = ErrorBody, description = "no parcel has this tracking number"),
        (status = 409, body = ErrorBody, description = "the order is cancelled")))]
pub async fn dispatch_parcel(
    State(st): State<AppState>,
    headers: HeaderMap,
    Body(b): Body<DispatchBody>,
) -> Result<Json<Outcome>, ApiError> {
    run(&st, op_id(&headers, b.op_id.as_deref(), None)?, Command::DispatchParcel { tracking: b.tracking }).await
}

#[utoipa::path(post, path = "/api/v1/dispatch/manifests", tag = "dispatch", request_body = ManifestBody,
    params(IdempotencyKey), security(("bearer" = [])),
    responses((status = 200, body = Outcome), (status = 400, body = ErrorBody, description = "no carrier"),
        (status = 403, body = ErrorBody, description = "a parcel of the manifest belongs to a voided shipment"),
        (status = 404, body = ErrorBody, description = "no such warehouse"),
        (status = 409, body = ErrorBody, description = "an order of the manifest is being cancelled")))]
pub async fn close_manifest(
    State(st): State<AppState>,
    headers: HeaderMap,
    Body(b): Body<ManifestBody>,
) -> Result<Json<Outcome>, ApiError> {
    let command = Command::CloseManifest { warehouse: b.warehouse, carrier: b.carrier };
    run(&st, op_id(&headers, b.op_id.as_deref(), None)?, command).await
}
