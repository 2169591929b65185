//! Log in with badge + PIN, log out, and who am I.

use crate::domain::DomainError;
use crate::domain::auth::{Caller, LoginVerdict};
use crate::server::AppState;
use crate::server::auth::{bearer, decoy_hash, new_secret, secret_hash, verify_pin};
use crate::server::error::{ApiError, ErrorBody};
use crate::server::extract::Body;
use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::{Extension, http::StatusCode};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginRequest {
    /// The badge id, scanned or typed.
    #[schema(min_length = 1, pattern = r"\S")]
    pub badge: String,
    #[schema(min_length = 1)]
    pub pin: String,
    /// The terminal logging in, for the board's device list.
    #[serde(default)]
    pub device_id: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    pub expires_at: String,
    pub worker_id: i64,
    pub name: String,
    /// picker, packer, supervisor or admin.
    pub role: &'static str,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    /// `worker` or `integration`.
    pub kind: &'static str,
    pub worker_id: Option<i64>,
    pub role: Option<&'static str>,
    pub api_key_id: Option<i64>,
}

#[utoipa::path(post, path = "/api/v1/auth/login", tag = "session", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn login(State(st): State<AppState>, Body(req): Body<LoginRequest>) -> Result<Json<LoginResponse>, ApiError> {
    if req.badge.trim().is_empty() {
        return Err(ApiError::invalid("badge", "required"));
    }
    if req.pin.is_empty() {
        return Err(ApiError::invalid("pin", "required"));
    }
    // argon2 takes tens of milliseconds of CPU: keep it off the async threads.
    tokio::task::spawn_blocking(move || login_blocking(&st, &req))
        .await
        .map_err(|_| ApiError::new(StatusCode::SERVICE_UNAVAILABLE, crate::domain::error::Code::E900, "login failed"))?
}

fn login_blocking(st: &AppState, req: &LoginRequest) -> Result<Json<LoginResponse>, ApiError> {
    let badge = req.badge.trim();
    let worker = st.services.query(|tx| Ok(tx.worker_by_badge(badge)?))?;
    let usable = worker.as_ref().filter(|w| w.active && w.pin_hash.is_some());
    let pin_ok = verify_pin(usable.and_then(|w| w.pin_hash.as_deref()).unwrap_or(decoy_hash()), &req.pin);
    let refused = || ApiError::unauthenticated("unknown badge or wrong PIN");
    let Some(w) = usable else { return Err(refused()) };
    let now = st.services.now();
    let token = new_secret("tote_");
    let expires_at = now + st.config.token_ttl;
    let policy = st.config.lockout;
    // The lockout count is re-read and written in one transaction, so
    // concurrent wrong PINs are all counted.
    let verdict = st.services.store().write(|tx| {
        let Some(current) = tx.worker_by_badge(badge)? else {
            return Ok::<_, crate::app::AppError>(LoginVerdict::Refused);
        };
        let (verdict, next) = current.login.attempt(pin_ok, now, policy);
        if next != current.login {
            tx.set_login_state(current.id, next)?;
        }
        if verdict == LoginVerdict::Accepted {
            tx.insert_session(&secret_hash(&token), current.id, req.device_id.as_deref(), now, expires_at)?;
        }
        Ok(verdict)
    })?;
    match verdict {
        LoginVerdict::Accepted => {
            tracing::info!(worker = w.id.0, device = ?req.device_id, "login");
            Ok(Json(LoginResponse {
                token,
                expires_at: expires_at.to_rfc3339(),
                worker_id: w.id.0,
                name: w.name.clone(),
                role: w.role.as_str(),
            }))
        }
        LoginVerdict::Refused => Err(refused()),
        LoginVerdict::Locked(until) => {
            tracing::warn!(worker = w.id.0, %until, "badge locked after wrong PINs");
            Err(DomainError::LockedOut { until: until.to_rfc3339() }.into())
        }
    }
}

#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "session", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn logout(State(st): State<AppState>, headers: HeaderMap) -> Result<StatusCode, ApiError> {
    // The auth layer has already checked the token; revoke that one.
    let hash = secret_hash(bearer(&headers).unwrap_or_default());
    let now = st.services.now();
    st.services.store().write(|tx| Ok::<_, crate::app::AppError>(tx.revoke_session(&hash, now)?))?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/me", tag = "session", security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
pub async fn me(Extension(caller): Extension<Caller>) -> Json<Me> {
    Json(match caller {
        Caller::Worker { id, role } => {
            Me { kind: "worker", worker_id: Some(id.0), role: Some(role.as_str()), api_key_id: None }
        }
        Caller::Integration { key_id } => {
            Me { kind: "integration", worker_id: None, role: None, api_key_id: Some(key_id) }
        }
    })
}
