//! The OpenAPI 3.1 document, generated from the handlers' annotations and
//! served at `/api/v1/openapi.json`. A test checks it names exactly the
//! endpoints of [`super::routes::ROUTES`]; `tests/openapi.rs` checks its
//! parameters and error answers, and `tools/api-check/run.sh` holds a
//! running server to it with Schemathesis.

mod conventions;
pub mod params;

use axum::Json;
use conventions::{ClosedVariants, ErrorAnswers};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(Debug)]
struct Bearer;

impl Modify for Bearer {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

#[derive(Debug, OpenApi)]
#[openapi(
    info(
        title = "Tote API",
        description = "Warehouse floor API: orders, picking, packing, inventory. \
        Every mutating call takes an op_id (body) or Idempotency-Key (header); a repeat returns the stored answer. \
        Errors are `ErrorBody` JSON: 400 names the field, 401 asks for a login, 403 the role, 404 the resource, \
        409 the state, 413 the body size, 503 a retry."
    ),
    components(schemas(super::error::ErrorBody))
)]
pub struct ApiDoc;

/// The document: the info and shared schemas, every endpoint's path from
/// [`super::routes::Paths`], then the conventions applied to all of them.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.merge(<super::routes::Paths as OpenApi>::openapi());
    for m in [&Bearer as &dyn Modify, &ErrorAnswers, &ClosedVariants] {
        m.modify(&mut doc);
    }
    doc
}

#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "operations",
    responses((status = 200, description = "this document (OpenAPI 3.1)", content_type = "application/json")))]
pub async fn serve() -> Json<utoipa::openapi::OpenApi> {
    Json(document())
}
