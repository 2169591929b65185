//! Every error the API returns, as JSON `{code, kind, message, field?, short, request_id}`
//! with a status that says who should act: 400 the caller's input (naming
//! the field), 401 credentials, 403 role, 404 missing, 409 state, 413 size,
//! 408 time, 503 the store. Codes come from the one registry,
//! [`crate::domain::error::Code`]; clients branch on `kind`.

use crate::app::{AppError, Rejection};
use crate::domain::error::Code;
use crate::domain::{DomainError, ErrorKind};
use axum::Json;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// The body of every error response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, ToSchema)]
pub struct ErrorBody {
    /// Stable code, e.g. `E101`.
    pub code: String,
    /// What sort of failure: clients decide from it (retry, log in again,
    /// show and stop), never from the code.
    pub kind: ErrorKind,
    pub message: String,
    /// The request field at fault, e.g. `lines[0].quantity`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// At most 20 columns, for a handheld: `E101 wrong loc`.
    pub short: String,
    /// The request's id (`X-Request-Id`), as in the server's log.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// An error on its way to becoming a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    /// Boxed: handlers return `Result<_, ApiError>` everywhere, and a small
    /// `Err` keeps every `Ok` path small too.
    pub body: Box<ErrorBody>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: Code, message: impl Into<String>) -> Self {
        ApiError {
            status,
            body: Box::new(ErrorBody {
                code: code.as_str().into(),
                kind: code.kind(),
                message: message.into(),
                field: None,
                short: code.short(),
                request_id: None,
            }),
        }
    }

    /// A 400 naming `field`.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        DomainError::invalid(field, message).into()
    }

    pub fn unauthenticated(reason: &str) -> Self {
        DomainError::Unauthenticated { reason: reason.into() }.into()
    }

    pub fn forbidden(reason: impl Into<String>) -> Self {
        DomainError::Forbidden { reason: reason.into() }.into()
    }
}

pub fn status_of(kind: ErrorKind) -> StatusCode {
    match kind {
        ErrorKind::Validation => StatusCode::BAD_REQUEST,
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::Conflict => StatusCode::CONFLICT,
        ErrorKind::Forbidden => StatusCode::FORBIDDEN,
        ErrorKind::Unauthenticated => StatusCode::UNAUTHORIZED,
        ErrorKind::Shortage => StatusCode::CONFLICT,
        ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
    }
}

impl From<Rejection> for ApiError {
    fn from(r: Rejection) -> Self {
        ApiError {
            status: status_of(r.kind),
            body: Box::new(ErrorBody {
                code: r.code,
                kind: r.kind,
                message: r.message,
                field: r.field,
                short: r.short,
                request_id: None,
            }),
        }
    }
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        Rejection::from(e).into()
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Rejected(r) => r.into(),
            AppError::Storage(s) if s.is_corrupt() => {
                tracing::error!(error = %s, "stored data cannot be read");
                ApiError::new(
                    StatusCode::CONFLICT,
                    Code::E902,
                    "stored data for this request cannot be read; retrying will not help",
                )
            }
            AppError::Storage(s) => {
                tracing::error!(error = %s, "storage failure");
                // The detail stays in the log; the caller learns only that
                // a retry (same op id) is safe.
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    Code::E900,
                    "the store could not complete the request; retry with the same op_id",
                )
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}

/// The fallback for unknown paths.
pub async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, Code::E002, "no such endpoint")
}

/// Gives the errors that come from layers (body limit, timeout, method not
/// allowed) the same JSON shape as the handlers' own.
pub async fn json_errors(req: Request, next: Next) -> Response {
    let resp = next.run(req).await;
    let is_json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let status = resp.status();
    if is_json || !(status.is_client_error() || status.is_server_error()) {
        return resp;
    }
    let (code, message) = match status {
        StatusCode::PAYLOAD_TOO_LARGE => (Code::E413, "request body is larger than the limit"),
        StatusCode::REQUEST_TIMEOUT => {
            (Code::E408, "the request took longer than the limit; retry with the same op_id")
        }
        StatusCode::METHOD_NOT_ALLOWED => (Code::E406, "method not allowed on this path"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (Code::E415, "send Content-Type: application/json"),
        s if s.is_client_error() => (Code::E001, "the request could not be read"),
        _ => (Code::E900, "internal error"),
    };
    let mut out = ApiError::new(status, code, message).into_response();
    if let Some(allow) = resp.headers().get(header::ALLOW) {
        out.headers_mut().insert(header::ALLOW, allow.clone());
    }
    out
}
