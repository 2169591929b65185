//! The error answers every operation can give, added to the document from
//! the rules that produce them, so no handler can forget one:
//!
//! - 401 on every route whose [`Access`] is not public (the auth layer), and
//!   403 where the access rule checks a role;
//! - 400 on every operation with a body or parameters (the extractors and
//!   the validation behind them), 404 on every operation with a path id,
//!   413 on every body (the body limit);
//! - 409 on every operation that runs a command under an op id (an op id
//!   reused for another request, or a state that forbids the command);
//! - 503 wherever the store is read or written.
//!
//! A handler's own description of one of these answers is kept.
//!
//! [`ClosedVariants`] says what serde does with an externally tagged enum
//! (`{"gtin": "…"}`): one key, nothing beside it.

use crate::domain::auth::Access;
use crate::server::routes;
use utoipa::Modify;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::{AdditionalProperties, Schema};
use utoipa::openapi::security::SecurityRequirement;
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, ResponseBuilder};

/// Adds the error answers; see the module documentation.
#[derive(Debug)]
pub struct ErrorAnswers;

/// Operations that touch neither the store nor the caller's credentials.
const STORELESS: &[&str] = &["/health", "/health/live", "/api/v1/openapi.json"];

impl Modify for ErrorAnswers {
    fn modify(&self, doc: &mut OpenApi) {
        for (path, item) in doc.paths.paths.iter_mut() {
            let storeless = STORELESS.contains(&path.as_str());
            let ops = [
                ("GET", &mut item.get),
                ("POST", &mut item.post),
                ("PUT", &mut item.put),
                ("DELETE", &mut item.delete),
                ("PATCH", &mut item.patch),
            ];
            for (method, op) in ops {
                // A route missing from ROUTES is the routes test's to report.
                let (Some(op), Some(access)) = (op.as_mut(), routes::access(method, path)) else { continue };
                add_answers(op, access, storeless);
            }
        }
    }
}

fn add_answers(op: &mut Operation, access: Access, storeless: bool) {
    let params = op.parameters.as_deref().unwrap_or_default();
    let has = |place: ParameterIn| params.iter().any(|p| p.parameter_in == place);
    let takes_op_id = params.iter().any(|p| p.name == "Idempotency-Key");
    let input = op.request_body.is_some() || has(ParameterIn::Path) || has(ParameterIn::Query);
    let path_id = has(ParameterIn::Path);
    let body = op.request_body.is_some();
    let mut answer = |status: &str, why: &str| {
        match op.responses.responses.entry(status.to_owned()).or_insert_with(|| error(why)) {
            // A handler that names the status without saying why gets the usual reason.
            RefOr::T(r) if r.description.is_empty() => r.description = why.to_owned(),
            _ => {}
        }
    };
    if access != Access::Public {
        answer("401", "No bearer token, or one unknown, expired or revoked: log in again (E402).");
    }
    if !matches!(access, Access::Public | Access::Authenticated) {
        answer("403", "The caller's role may not do this (E403).");
    }
    if input {
        answer("400", "A parameter or body field is invalid; `field` names it.");
    }
    if path_id {
        answer("404", "No such resource (E002).");
    }
    if takes_op_id {
        answer("409", "The state forbids this now, or the op id was used for a different request (E501).");
    }
    if body {
        answer("413", "The body is larger than the server's limit (E413).");
    }
    if !storeless {
        answer("503", "The store could not answer; retry (with the same op id) (E900).");
    }
    if access != Access::Public && op.security.is_none() {
        op.security = Some(vec![SecurityRequirement::new("bearer", Vec::<String>::new())]);
    }
}

/// Closes the one-key objects of every externally tagged enum: serde
/// refuses a second key beside the variant's.
#[derive(Debug)]
pub struct ClosedVariants;

impl Modify for ClosedVariants {
    fn modify(&self, doc: &mut OpenApi) {
        let Some(components) = doc.components.as_mut() else { return };
        for schema in components.schemas.values_mut() {
            let RefOr::T(Schema::OneOf(one_of)) = schema else { continue };
            for item in &mut one_of.items {
                if let RefOr::T(Schema::Object(o)) = item
                    && o.properties.len() == 1
                    && o.required.len() == 1
                {
                    o.additional_properties = Some(Box::new(AdditionalProperties::FreeForm(false)));
                }
            }
        }
    }
}

fn error(description: &str) -> RefOr<utoipa::openapi::Response> {
    let content = ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build();
    RefOr::T(ResponseBuilder::new().description(description).content("application/json", content).build())
}
