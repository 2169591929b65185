//! Log in with badge + PIN, log out, and who am I.

use crate::contract::requests::LoginRequest;
use crate::domain::DomainError;
use crate::domain::auth::{Caller, LoginVerdict};
use crate::domain::error::Code;
use crate::server::AppState;
use crate::server::auth::{bearer, decoy_hash, new_secret, secret_hash, verify_pin};
use crate::server::error::{ApiError, ErrorBody};
use crate::server::extract::Body;
use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::{Extension, http::StatusCode};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
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
pub async fn login(
    State(st): State<AppState>,
    extensions: axum::http::Extensions,
    Body(req): Body<LoginRequest>,
) -> Result<Json<LoginResponse>, ApiError> {
    let badge = req.badge.trim();
    if badge.is_empty() || badge.chars().count() > 64 {
        return Err(ApiError::invalid("badge", "1 to 64 characters"));
    }
    if req.pin.is_empty() || req.pin.chars().count() > 64 {
        return Err(ApiError::invalid("pin", "1 to 64 characters"));
    }
    if let Some(d) = &req.device_id {
        super::ops::check_device_id(d)?;
    }
    // A whole shift may log in from behind one address (a Wi-Fi gateway):
    // ten times the per-badge limit.
    let per_badge = st.config.login_attempts_per_minute;
    let mut keys = vec![(format!("badge:{badge}"), per_badge)];
    if let Some(peer) = crate::server::http::peer(&extensions) {
        keys.push((format!("ip:{}", peer.ip()), per_badge.saturating_mul(10)));
    }
    if !st.logins.admit(&keys, st.services.now()) {
        let e = ApiError::new(StatusCode::TOO_MANY_REQUESTS, Code::E407, "too many login attempts; wait a minute");
        return Err(e);
    }
    // argon2 takes tens of milliseconds of CPU: keep it off the async threads.
    let (st2, badge, pin) = (st.clone(), badge.to_owned(), req.pin.clone());
    let (worker, pin_ok) = tokio::task::spawn_blocking(move || {
        let worker = st2.services.query(|tx| Ok(tx.worker_by_badge(&badge)?))?;
        let usable = worker.filter(|w| w.active && w.pin_hash.is_some());
        let pin_ok = verify_pin(usable.as_ref().and_then(|w| w.pin_hash.as_deref()).unwrap_or(decoy_hash()), &pin);
        Ok::<_, ApiError>((usable, pin_ok))
    })
    .await
    .map_err(|_| ApiError::new(StatusCode::SERVICE_UNAVAILABLE, Code::E900, "login failed"))??;
    login_verdict(&st, &req, worker, pin_ok).await
}

async fn login_verdict(
    st: &AppState,
    req: &LoginRequest,
    usable: Option<crate::storage::WorkerRow>,
    pin_ok: bool,
) -> Result<Json<LoginResponse>, ApiError> {
    let badge = req.badge.trim().to_owned();
    let refused = || ApiError::unauthenticated("unknown badge or wrong PIN");
    let now = st.services.now();
    let locked = |until: crate::domain::Timestamp| -> ApiError {
        DomainError::LockedOut { until: until.format("%H:%M UTC on %Y-%m-%d").to_string() }.into()
    };
    // No such badge (or no PIN): answered as a real badge would be after
    // the same wrong PINs, lockout included.
    let Some(w) = usable else {
        return Err(match st.logins.ghost_attempt(&badge, now, st.config.lockout) {
            LoginVerdict::Locked(until) => locked(until),
            LoginVerdict::Refused | LoginVerdict::Accepted => refused(),
        });
    };
    let token = new_secret("tote_");
    let expires_at = now + st.config.token_ttl;
    let policy = st.config.lockout;
    // The lockout count is re-read and written in one transaction, so
    // concurrent wrong PINs are all counted.
    let (hash, device) = (secret_hash(&token), req.device_id.clone());
    let verdict = st
        .writer
        .write(move |tx| {
            let Some(current) = tx.worker_by_badge(&badge)? else { return Ok(LoginVerdict::Refused) };
            let (verdict, next) = current.login.attempt(pin_ok, now, policy);
            if next != current.login {
                tx.set_login_state(current.id, next)?;
            }
            if verdict == LoginVerdict::Accepted {
                tx.insert_session(&hash, current.id, device.as_deref(), now, expires_at)?;
            }
            Ok(verdict)
        })
        .await?;
    match verdict {
        LoginVerdict::Accepted => {
            tracing::info!(worker = w.id.0, device = ?req.device_id, "login");
            Ok(Json(LoginResponse {
                token,
                expires_at,
                worker_id: w.id.0,
                name: w.name.clone(),
                role: w.role.as_str(),
            }))
        }
        LoginVerdict::Refused => Err(refused()),
        LoginVerdict::Locked(until) => {
            tracing::warn!(worker = w.id.0, %until, "badge locked after wrong PINs");
            Err(locked(until))
        }
    }
}

#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "session", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn logout(State(st): State<AppState>, headers: HeaderMap) -> Result<StatusCode, ApiError> {
    // The auth layer has already checked the token; revoke that one.
    let hash = secret_hash(bearer(&headers).unwrap_or_default());
    let now = st.services.now();
    st.writer.write(move |tx| Ok(tx.revoke_session(&hash, now)?)).await?;
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
