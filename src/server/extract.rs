//! Request extractors whose failures are [`ApiError`]s naming the field:
//! JSON bodies, path ids, query strings, and the op id of a mutating call.

use super::error::ApiError;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

/// A JSON body. An empty body reads as `{}`, so calls without fields need
/// none. A malformed one is a 400 naming the field at fault.
#[derive(Debug)]
pub struct Body<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let bytes = axum::body::Bytes::from_request(req, state).await.map_err(|e| match e.status() {
            axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                ApiError::new(e.status(), crate::domain::error::Code::E413, e.body_text())
            }
            status => ApiError::new(status, crate::domain::error::Code::E001, e.body_text()),
        })?;
        let bytes: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) { b"{}" } else { &bytes };
        parse(bytes).map(Body)
    }
}

/// Parses JSON into `T`, naming the field of the first error.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        field_error(path, &e.into_inner().to_string())
    })
}

/// Reads `T` out of an already parsed JSON value, naming the field of the
/// first error as [`parse`] does.
pub fn from_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        field_error(path, &e.into_inner().to_string())
    })
}

/// serde reports a missing field at its parent; name the field itself.
fn field_error(path: String, msg: &str) -> ApiError {
    // "." is the root; "?" is where malformed JSON stopped making sense.
    let root = path == "." || path == "?";
    let field = match missing_field(msg) {
        Some(name) if root => name.to_owned(),
        Some(name) => format!("{path}.{name}"),
        None if root => "body".to_owned(),
        None => path,
    };
    ApiError::invalid(field, msg)
}

fn missing_field(msg: &str) -> Option<&str> {
    let rest = msg.strip_prefix("missing field `")?;
    rest.split('`').next()
}

/// The numeric ids in the path, by name: `/picking-tasks/{id}/items/{item_id}`.
#[derive(Debug)]
pub struct Ids(Vec<(String, i64)>);

impl Ids {
    pub fn get(&self, name: &str) -> Result<i64, ApiError> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| *v)
            .ok_or_else(|| ApiError::invalid(name, "missing path parameter"))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Ids {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Path(raw) = Path::<Vec<(String, String)>>::from_request_parts(parts, state)
            .await
            .map_err(|e| ApiError::invalid("path", e.body_text()))?;
        raw.into_iter()
            .map(|(name, v)| match v.parse::<i64>() {
                Ok(n) if n > 0 => Ok((name, n)),
                _ => Err(ApiError::invalid(name.clone(), format!("{v:?} is not a positive integer id"))),
            })
            .collect::<Result<_, _>>()
            .map(Ids)
    }
}

/// A query string; a bad parameter is a 400 naming it.
#[derive(Debug)]
pub struct Params<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Params<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        Query::<T>::from_request_parts(parts, state).await.map(|Query(v)| Params(v)).map_err(|e| {
            let text = e.body_text();
            ApiError::invalid(query_field(&text).unwrap_or("query"), text.clone())
        })
    }
}

/// The parameter a query-string error is about: axum reports serde's path
/// first (`Failed to deserialize query string: status: unknown variant …`).
fn query_field(text: &str) -> Option<&str> {
    let rest = text.strip_prefix("Failed to deserialize query string: ")?;
    let (path, _) = rest.split_once(": ")?;
    let plain =
        !path.is_empty() && path != "." && path.chars().all(|c| c.is_ascii_alphanumeric() || "_.[]".contains(c));
    plain.then_some(path)
}

/// The op id of a mutating request: the `Idempotency-Key` header or the
/// body's `op_id` (they must agree when both are given), else `fallback`.
pub fn op_id(headers: &HeaderMap, body: Option<&str>, fallback: Option<String>) -> Result<String, ApiError> {
    let header = match headers.get("idempotency-key") {
        Some(v) => Some(v.to_str().map_err(|_| ApiError::invalid("Idempotency-Key", "must be printable ASCII"))?),
        None => None,
    };
    match (header, body) {
        (Some(h), Some(b)) if h != b => {
            Err(ApiError::invalid("op_id", "the body's op_id and the Idempotency-Key header differ"))
        }
        (Some(id), _) | (None, Some(id)) => Ok(id.to_owned()),
        (None, None) => fallback
            .ok_or_else(|| ApiError::invalid("op_id", "required: send an op_id field or an Idempotency-Key header")),
    }
}
