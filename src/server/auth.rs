//! Credentials at the edge: argon2 PIN hashes, random bearer tokens and API
//! keys stored as SHA-256 hashes, and the layer that turns a request's
//! `Authorization: Bearer …` into a [`Caller`] and checks it against
//! [`super::routes::ROUTES`].

use super::AppState;
use super::error::ApiError;
use super::routes;
use crate::domain::auth::{Access, Caller};
use argon2::Argon2;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

/// Checks a PIN's shape: 4 to 12 digits.
pub fn check_pin(pin: &str) -> Result<(), String> {
    if (4..=12).contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err("a PIN is 4 to 12 digits".into())
    }
}

/// An argon2id hash of `pin` with a fresh salt, in PHC string form.
pub fn hash_pin(pin: &str) -> Result<String, String> {
    check_pin(pin)?;
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(pin.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| e.to_string())
}

/// Whether `pin` matches the stored hash. A hash that does not parse
/// matches nothing.
pub fn verify_pin(stored: &str, pin: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|h| Argon2::default().verify_password(pin.as_bytes(), &h).is_ok())
}

/// A hash to verify against when the badge is unknown, so a wrong badge
/// takes as long as a wrong PIN and the timing tells nothing.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_pin("00000000").unwrap_or_default())
}

/// A new 256-bit secret as 64 hex digits, with a prefix saying what it is.
pub fn new_secret(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    let mut s = String::with_capacity(prefix.len() + 64);
    s.push_str(prefix);
    for b in bytes {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// The stored form of a token or API key.
pub fn secret_hash(secret: &str) -> String {
    use std::fmt::Write;
    let mut hex = String::with_capacity(64);
    for b in Sha256::digest(secret.as_bytes()) {
        let _ = write!(hex, "{b:02x}");
    }
    hex
}

/// The token of `Authorization: Bearer <token>`, if the header has one.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim()).filter(|t| !t.is_empty())
}

/// Who holds the request's bearer token: a live session's worker or a live
/// API key.
pub(crate) fn resolve(state: &AppState, headers: &HeaderMap) -> Result<Caller, ApiError> {
    let token = bearer(headers).ok_or_else(|| ApiError::unauthenticated("send Authorization: Bearer <token>"))?;
    let hash = secret_hash(token);
    let now = state.services.now();
    let found = state.services.query(|tx| {
        if let Some(s) = tx.session(&hash, now)? {
            return Ok(Some(Caller::Worker { id: s.worker_id, role: s.role }));
        }
        Ok(tx.api_key(&hash)?.map(|key_id| Caller::Integration { key_id }))
    })?;
    found.ok_or_else(|| ApiError::unauthenticated("token unknown, expired or revoked; log in again"))
}

/// The auth layer: public endpoints pass; others need a caller the route's
/// [`Access`] admits. The caller is handed to the handler as an extension.
pub(crate) async fn authorize(
    State(state): State<AppState>,
    matched: Option<MatchedPath>,
    mut req: Request,
    next: Next,
) -> Response {
    let access = matched.as_ref().and_then(|m| routes::access(req.method().as_str(), m.as_str()));
    let Some(access) = access else {
        // A known path with another method: the router answers 405.
        if matched.as_ref().is_some_and(|m| routes::ROUTES.iter().any(|r| r.path == m.as_str())) {
            return next.run(req).await;
        }
        tracing::error!(path = ?matched.as_ref().map(|m| m.as_str()), "route without an access rule");
        return ApiError::forbidden("this endpoint has no access rule").into_response();
    };
    if access == Access::Public {
        return next.run(req).await;
    }
    // One indexed row on a cached statement, read here on the async worker:
    // handing it to the blocking pool cost a quarter of the pick throughput
    // at 64 clients (`tote bench api`, ADR 0027). Other reads go off-thread.
    let caller = match resolve(&state, req.headers()) {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    if !access.admits(&caller) {
        let who = match &caller {
            Caller::Worker { role, .. } => role.as_str(),
            Caller::Integration { .. } => "integration",
        };
        return ApiError::forbidden(format!("a {who} may not {} {}", req.method(), req.uri().path())).into_response();
    }
    // The request's span (its log line) names the caller; with request
    // logging off, nothing is formatted.
    let span = tracing::Span::current();
    if !span.is_disabled() {
        let who = match &caller {
            Caller::Worker { id, role } => format!("worker {} ({})", id.0, role.as_str()),
            Caller::Integration { key_id } => format!("api key {key_id}"),
        };
        span.record("caller", who.as_str());
    }
    req.extensions_mut().insert(caller);
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins_hash_and_verify() {
        let h = hash_pin("4711").expect("hash");
        assert!(verify_pin(&h, "4711"));
        assert!(!verify_pin(&h, "4712"));
        assert!(!verify_pin("not a hash", "4711"));
        assert!(hash_pin("12a4").is_err());
        assert!(hash_pin("123").is_err());
    }

    #[test]
    fn secrets_are_random_and_hashed() {
        let a = new_secret("tok_");
        assert_eq!(a.len(), 4 + 64);
        assert_ne!(a, new_secret("tok_"));
        assert_eq!(secret_hash(&a).len(), 64);
        assert_ne!(secret_hash(&a), a);
    }
}
