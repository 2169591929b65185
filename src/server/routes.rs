//! Every endpoint and who may call it: the one place the access policy is
//! written. The auth layer looks requests up here; a test checks that the
//! router, this table and the OpenAPI document name the same endpoints, and
//! that each admits exactly the callers its [`Access`] says.

use crate::domain::auth::Access;

/// One endpoint: method, path (axum and OpenAPI syntax) and access.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteSpec {
    pub method: &'static str,
    pub path: &'static str,
    pub access: Access,
}

const fn r(method: &'static str, path: &'static str, access: Access) -> RouteSpec {
    RouteSpec { method, path, access }
}

use Access::*;

pub const ROUTES: &[RouteSpec] = &[
    // Operations.
    r("GET", "/health", Public),
    r("GET", "/health/live", Public),
    r("GET", "/health/ready", Public),
    r("GET", "/health/detailed", Supervise),
    r("GET", "/metrics", Public),
    r("GET", "/api/v1/openapi.json", Public),
    // Sessions.
    r("POST", "/api/v1/auth/login", Public),
    r("POST", "/api/v1/auth/logout", Authenticated),
    r("GET", "/api/v1/me", Authenticated),
    // Orders.
    r("POST", "/api/v1/orders", Manage),
    r("GET", "/api/v1/orders", Manage),
    r("POST", "/api/v1/orders/batch", Manage),
    r("GET", "/api/v1/orders/{id}", Authenticated),
    r("POST", "/api/v1/orders/{id}/cancel", Manage),
    r("POST", "/api/v1/orders/{id}/address", Manage),
    r("POST", "/api/v1/orders/{id}/priority", Supervise),
    // Waves and cluster picking.
    r("POST", "/api/v1/waves", Supervise),
    r("POST", "/api/v1/batches/claim", Picking),
    // Supervision.
    r("GET", "/api/v1/board", Supervise),
    r("POST", "/api/v1/webhooks/retry-dead", Supervise),
    // Workflows.
    r("GET", "/api/v1/workflows", Manage),
    r("GET", "/api/v1/workflows/{id}", Manage),
    r("POST", "/api/v1/workflows/{id}/retry", Supervise),
    r("GET", "/api/v1/orders/{id}/picking-tasks", Floor),
    // Work.
    r("POST", "/api/v1/tasks/claim", Floor),
    r("POST", "/api/v1/ops", Floor),
    r("GET", "/api/v1/devices", Supervise),
    r("GET", "/api/v1/events", Authenticated),
    // Picking.
    r("POST", "/api/v1/picking-tasks", Supervise),
    r("GET", "/api/v1/picking-tasks", Floor),
    r("GET", "/api/v1/picking-tasks/{id}", Floor),
    r("GET", "/api/v1/picking-tasks/{id}/next-item", Picking),
    r("POST", "/api/v1/picking-tasks/{id}/assign", Supervise),
    r("POST", "/api/v1/picking-tasks/{id}/start", Picking),
    r("POST", "/api/v1/picking-tasks/{id}/items/{item_id}/pick", Picking),
    r("POST", "/api/v1/picking-tasks/{id}/items/{item_id}/short", Picking),
    r("POST", "/api/v1/picking-tasks/{id}/items/{item_id}/skip", Picking),
    r("POST", "/api/v1/picking-tasks/{id}/complete", Picking),
    r("POST", "/api/v1/picking-tasks/{id}/cancel", Supervise),
    // Packing.
    r("GET", "/api/v1/packing-tasks", Floor),
    r("GET", "/api/v1/packing-tasks/{id}", Floor),
    r("POST", "/api/v1/packing-tasks/{id}/start", Packing),
    r("POST", "/api/v1/packing-tasks/{id}/package-details", Packing),
    r("POST", "/api/v1/packing-tasks/{id}/packages", Packing),
    r("POST", "/api/v1/packing-tasks/{id}/complete", Packing),
    r("POST", "/api/v1/packing-tasks/{id}/cancel", Supervise),
    r("GET", "/api/v1/packing-tasks/{id}/label", Packing),
    // Inventory and master data.
    r("POST", "/api/v1/inventory/place", Manage),
    r("POST", "/api/v1/inventory/move", Manage),
    r("POST", "/api/v1/inventory/remove", Manage),
    r("POST", "/api/v1/inventory/reserve", Manage),
    r("POST", "/api/v1/inventory/reservations/{id}/release", Manage),
    r("GET", "/api/v1/inventory/picking-locations", Authenticated),
    r("POST", "/api/v1/locations", Manage),
    r("POST", "/api/v1/products", Manage),
];

/// The access rule of `method path` (path as matched, with `{params}`).
pub fn access(method: &str, path: &str) -> Option<Access> {
    ROUTES.iter().find(|r| r.method == method && r.path == path).map(|r| r.access)
}
