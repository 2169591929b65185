//! The OpenAPI 3.1 document, generated from the handlers' annotations and
//! served at `/api/v1/openapi.json`. A test checks it names exactly the
//! endpoints of [`super::routes::ROUTES`]; `tests/openapi.rs` checks its
//! parameters and error answers, and `tools/api-check/run.sh` holds a
//! running server to it with Schemathesis.

mod conventions;
pub mod params;

use super::api;
use super::health;
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
    info(title = "Tote API", description = "Warehouse floor API: orders, picking, packing, inventory. \
        Every mutating call takes an op_id (body) or Idempotency-Key (header); a repeat returns the stored answer. \
        Errors are `ErrorBody` JSON: 400 names the field, 401 asks for a login, 403 the role, 404 the resource, \
        409 the state, 413 the body size, 503 a retry."),
    modifiers(&Bearer, &ErrorAnswers, &ClosedVariants),
    components(schemas(super::error::ErrorBody)),
    paths(
        health::health, health::live, health::ready, health::detailed, health::metrics, serve,
        api::login, api::logout, api::me,
        api::submit_order, api::list_orders, api::get_order, api::cancel_order, api::order_picking_tasks,
        api::update_address, api::change_priority, api::board, api::retry_dead, api::list_workflows, api::get_workflow, api::retry_workflow,
        api::claim_task, api::release_wave, api::claim_batch,
        api::push_ops,
        api::list_devices,
        api::submit_order_batch,
        api::event_stream,
        api::create_picking_task, api::list_picking_tasks, api::get_picking_task, api::next_item,
        api::assign_picking, api::start_picking, api::pick_item, api::short_item, api::skip_item,
        api::complete_picking, api::cancel_picking,
        api::list_packing_tasks, api::get_packing_task, api::start_packing, api::set_package_details,
        api::add_package, api::complete_packing, api::cancel_packing, api::packing_label,
        api::place_stock, api::move_stock, api::remove_stock, api::reserve_stock, api::release_reservation,
        api::picking_locations, api::define_location, api::define_product,
    )
)]
pub struct ApiDoc;

/// The document as JSON.
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "operations",
    responses((status = 200, description = "this document (OpenAPI 3.1)", content_type = "application/json")))]
pub async fn serve() -> Json<utoipa::openapi::OpenApi> {
    Json(document())
}
