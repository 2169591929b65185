//! Every endpoint and who may call it, declared once: each line names a
//! handler and its access rule. The handler's `#[utoipa::path]` annotation
//! gives the method and path, so the router, the access table the auth
//! layer reads ([`ROUTES`]) and the OpenAPI document ([`Paths`]) all come
//! from this one list and cannot drift. A test checks that each endpoint
//! admits exactly the callers its [`Access`] says.

use super::AppState;
use super::{api, health, openapi};
use crate::domain::auth::Access;
use axum::routing::{MethodFilter, MethodRouter};
use std::sync::LazyLock;
use utoipa::openapi::path::HttpMethod;

/// One endpoint: method, path (axum and OpenAPI syntax) and access.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteSpec {
    pub method: &'static str,
    pub path: &'static str,
    pub access: Access,
}

/// One endpoint from its handler `H` and the handler's OpenAPI path item `P`.
fn endpoint<P: utoipa::Path, H, T>(handler: H, access: Access) -> (RouteSpec, MethodRouter<AppState>)
where
    H: axum::handler::Handler<T, AppState>,
    T: 'static,
{
    let (method, filter) = match P::methods().first() {
        Some(HttpMethod::Post) => ("POST", MethodFilter::POST),
        Some(HttpMethod::Put) => ("PUT", MethodFilter::PUT),
        Some(HttpMethod::Delete) => ("DELETE", MethodFilter::DELETE),
        Some(HttpMethod::Patch) => ("PATCH", MethodFilter::PATCH),
        Some(HttpMethod::Get | HttpMethod::Head | HttpMethod::Options | HttpMethod::Trace) | None => {
            ("GET", MethodFilter::GET)
        }
    };
    // Built once per process (the table is a static): leaking the path
    // gives it the `'static` the auth layer's lookups use.
    let path: &'static str = Box::leak(P::path().into_boxed_str());
    (RouteSpec { method, path, access }, axum::routing::on(filter, handler))
}

macro_rules! endpoints {
    ($( $m:ident :: $f:ident => $access:ident ),* $(,)?) => {
        paste::paste! {
            /// Every endpoint with its method router, in declaration order.
            pub(super) fn declared() -> Vec<(RouteSpec, MethodRouter<AppState>)> {
                vec![$( endpoint::<$m::[<__path_ $f>], _, _>($m::$f, Access::$access) ),*]
            }

            /// The OpenAPI paths of every endpoint (merged into the document
            /// by `openapi::document`).
            #[derive(Debug, utoipa::OpenApi)]
            #[openapi(paths($( $m::$f ),*))]
            pub struct Paths;
        }
    };
}

endpoints! {
    health::health => Public,
    health::live => Public,
    health::ready => Public,
    health::detailed => Supervise,
    health::metrics => Public,
    openapi::serve => Public,
    api::login => Public,
    api::logout => Authenticated,
    api::me => Authenticated,
    api::submit_order => Manage,
    api::list_orders => Manage,
    api::submit_order_batch => Manage,
    api::get_order => Authenticated,
    api::cancel_order => Manage,
    api::update_address => Manage,
    api::change_priority => Supervise,
    api::release_wave => Supervise,
    api::claim_batch => Picking,
    api::board => Supervise,
    api::retry_dead => Supervise,
    api::list_workflows => Manage,
    api::get_workflow => Manage,
    api::retry_workflow => Supervise,
    api::order_picking_tasks => Floor,
    api::claim_task => Floor,
    api::push_ops => Floor,
    api::list_devices => Supervise,
    api::event_stream => Authenticated,
    api::create_picking_task => Supervise,
    api::list_picking_tasks => Floor,
    api::get_picking_task => Floor,
    api::next_item => Picking,
    api::assign_picking => Supervise,
    api::start_picking => Picking,
    api::pick_item => Picking,
    api::short_item => Picking,
    api::skip_item => Picking,
    api::complete_picking => Picking,
    api::cancel_picking => Supervise,
    api::list_put_backs => Floor,
    api::put_back => Picking,
    api::list_packing_tasks => Floor,
    api::get_packing_task => Floor,
    api::start_packing => Packing,
    api::set_package_details => Packing,
    api::add_package => Packing,
    api::complete_packing => Packing,
    api::cancel_packing => Supervise,
    api::packing_label => Packing,
    api::dispatch_parcel => Floor,
    api::close_manifest => Supervise,
    api::place_stock => Manage,
    api::move_stock => Manage,
    api::remove_stock => Manage,
    api::resolve_quarantine => Supervise,
    api::reserve_stock => Manage,
    api::release_reservation => Manage,
    api::picking_locations => Authenticated,
    api::define_location => Manage,
    api::define_product => Manage,
    api::set_warehouse_address => Manage,
}

/// Every endpoint's method, path and access rule.
pub static ROUTES: LazyLock<Vec<RouteSpec>> = LazyLock::new(|| declared().into_iter().map(|(r, _)| r).collect());

/// The access rule of `method path` (path as matched, with `{params}`).
pub fn access(method: &str, path: &str) -> Option<Access> {
    ROUTES.iter().find(|r| r.method == method && r.path == path).map(|r| r.access)
}
