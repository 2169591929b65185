//! A request id on every request: the caller's `X-Request-Id` when it sends
//! a sane one, else a fresh one. It is echoed in the response header, put
//! in every error body (`request_id`) and on the request's log span, so an
//! error a client shows can be found in the log by one string.

use crate::app::clock::new_op_id;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

pub const HEADER: &str = "x-request-id";

/// The id of the request in hand (a request extension).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(pub String);

/// Up to 64 visible ASCII characters: anything else is replaced, so a log
/// line cannot be forged or flooded through the header.
fn sane(v: &str) -> bool {
    !v.is_empty() && v.len() <= 64 && v.bytes().all(|b| b.is_ascii_graphic())
}

/// Largest error body rewritten to carry the id (error bodies are small).
const ERROR_BODY_LIMIT: usize = 64 * 1024;

pub async fn layer(mut req: Request, next: Next) -> Response {
    let id = req
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| sane(v))
        .map_or_else(new_op_id, str::to_owned);
    req.extensions_mut().insert(RequestId(id.clone()));
    let resp = next.run(req).await;
    let mut resp = if resp.status().is_client_error() || resp.status().is_server_error() {
        with_id(resp, &id).await
    } else {
        resp
    };
    if let Ok(v) = HeaderValue::from_str(&id) {
        resp.headers_mut().insert(HEADER, v);
    }
    resp
}

/// Adds `request_id` to a JSON error body.
async fn with_id(resp: Response, id: &str) -> Response {
    let json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !json {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, ERROR_BODY_LIMIT).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let body = match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Ok(serde_json::Value::Object(mut o)) => {
            o.insert("request_id".into(), id.into());
            serde_json::to_vec(&o).map_or(bytes, Into::into)
        }
        _ => bytes,
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(body))
}

/// The span of one request: its id, method and path; the auth layer adds
/// the caller. Every log line made while serving it carries them.
pub fn span(req: &Request) -> tracing::Span {
    let id = req.extensions().get::<RequestId>().map_or("-", |r| r.0.as_str());
    tracing::info_span!("request", id = %id, method = %req.method(), path = %req.uri().path(), caller = tracing::field::Empty)
}
