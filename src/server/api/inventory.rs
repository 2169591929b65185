//! Inventory (seed 001 §8.3) and master data: place, move, remove, reserve,
//! release, picking locations, locations and products.

use super::run;
use crate::app::Command;
use crate::app::command::Outcome;
use crate::app::views::SlotView;
use crate::server::AppState;
use crate::server::error::{ApiError, ErrorBody};
use crate::server::extract::{Body, Params, op_id};
use crate::server::openapi::params::{Id, IdempotencyKey};
use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, ToSchema)]
pub struct PlaceBody {
    #[serde(default)]
    #[schema(schema_with = crate::server::openapi::params::op_id)]
    pub op_id: Option<String>,
    pub warehouse: String,
    #[schema(schema_with = crate::server::openapi::params::location)]
    pub location: String,
    #[schema(schema_with = crate::server::openapi::params::sku)]
    pub sku: String,
    #[schema(minimum = 1, format = Int64, maximum = 4_294_967_295_u64)]
    pub quantity: u32,
    /// When the stock arrived (FIFO order); now by default.
    #[serde(default)]
    #[schema(
        pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})$"
    )]
    pub received_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub lot: Option<String>,
    /// Best-before date; lots with one are picked first-expiry-first-out.
    #[serde(default)]
    #[schema(pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    pub expiry: Option<NaiveDate>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct MoveBody {
    #[serde(default)]
    #[schema(schema_with = crate::server::openapi::params::op_id)]
    pub op_id: Option<String>,
    pub warehouse: String,
    #[schema(schema_with = crate::server::openapi::params::location)]
    pub from_location: String,
    #[schema(schema_with = crate::server::openapi::params::location)]
    pub to_location: String,
    #[schema(schema_with = crate::server::openapi::params::sku)]
    pub sku: String,
    #[schema(minimum = 1, format = Int64, maximum = 4_294_967_295_u64)]
    pub quantity: u32,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RemoveBody {
    #[serde(default)]
    #[schema(schema_with = crate::server::openapi::params::op_id)]
    pub op_id: Option<String>,
    pub warehouse: String,
    #[schema(schema_with = crate::server::openapi::params::location)]
    pub location: String,
    #[schema(schema_with = crate::server::openapi::params::sku)]
    pub sku: String,
    #[schema(minimum = 1, format = Int64, maximum = 4_294_967_295_u64)]
    pub quantity: u32,
    pub reason: String,
}

/// Damaged units taken out of quarantine at a location.
#[derive(Debug, Deserialize, ToSchema)]
pub struct QuarantineBody {
    #[serde(default)]
    #[schema(schema_with = crate::server::openapi::params::op_id)]
    pub op_id: Option<String>,
    pub warehouse: String,
    #[schema(schema_with = crate::server::openapi::params::location)]
    pub location: String,
    #[schema(schema_with = crate::server::openapi::params::sku)]
    pub sku: String,
    #[schema(minimum = 1, format = Int64, maximum = 4_294_967_295_u64)]
    pub quantity: u32,
    /// Back on sale; otherwise disposed of (written off).
    #[serde(default)]
    pub restock: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ReserveBody {
    #[serde(default)]
    #[schema(schema_with = crate::server::openapi::params::op_id)]
    pub op_id: Option<String>,
    pub warehouse: String,
    #[schema(schema_with = crate::server::openapi::params::sku)]
    pub sku: String,
    #[schema(minimum = 1, format = Int64, maximum = 4_294_967_295_u64)]
    pub quantity: u32,
    /// The hold lapses after this many seconds unless consumed.
    #[schema(minimum = 1, format = Int64, maximum = 4_294_967_295_u64)]
    pub ttl_seconds: u32,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ReleaseBody {
    #[serde(default)]
    #[schema(schema_with = crate::server::openapi::params::op_id)]
    pub op_id: Option<String>,
    pub reason: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct WarehouseAddressBody {
    #[serde(default)]
    #[schema(schema_with = crate::server::openapi::params::op_id)]
    pub op_id: Option<String>,
    /// The warehouse's code.
    pub warehouse: String,
    /// Where its parcels ship from: printed on labels, sent to carriers.
    pub address: crate::app::command::AddressDto,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct LocationBody {
    #[serde(default)]
    #[schema(schema_with = crate::server::openapi::params::op_id)]
    pub op_id: Option<String>,
    pub warehouse: String,
    #[schema(schema_with = crate::server::openapi::params::location)]
    pub location: String,
    /// Position on the picker's walk; lower comes first.
    #[serde(default)]
    pub walk_order: Option<i64>,
    /// Digits printed on the label, typed when the barcode is damaged.
    #[serde(default)]
    #[schema(pattern = "^[0-9]{1,8}$")]
    pub check_digits: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ProductBody {
    #[serde(default)]
    #[schema(schema_with = crate::server::openapi::params::op_id)]
    pub op_id: Option<String>,
    #[schema(schema_with = crate::server::openapi::params::sku)]
    pub sku: String,
    #[schema(max_length = 200, pattern = r"^[^\x00-\x1F\x7F-\x9F]*$")]
    pub name: String,
    /// GTIN or other barcode; scanning it counts as scanning the SKU.
    /// Another product's barcode is refused.
    #[serde(default)]
    #[schema(pattern = r"^[^\s\x00-\x1F\x7F-\x9F]{1,64}$")]
    pub barcode: Option<String>,
    /// Its listing in the Listings service: events name it beside the SKU,
    /// and orders from Listings name their items by it.
    #[serde(default)]
    #[schema(pattern = r"^[^\s\x00-\x1F\x7F-\x9F]{1,64}$")]
    pub listing_id: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LocationsQuery {
    /// Warehouse code.
    pub warehouse: String,
    #[param(
        min_length = 1,
        max_length = 64,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub sku: String,
}

macro_rules! command_endpoint {
    ($name:ident, $path:literal, $body:ty, |$b:ident| $cmd:expr) => {
        #[utoipa::path(post, path = $path, tag = "inventory", request_body = $body, params(IdempotencyKey),
            security(("bearer" = [])),
            responses((status = 200, body = Outcome), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody)))]
        pub async fn $name(
            State(st): State<AppState>,
            headers: HeaderMap,
            Body($b): Body<$body>,
        ) -> Result<Json<Outcome>, ApiError> {
            let op = op_id(&headers, $b.op_id.as_deref(), None)?;
            run(&st, op, $cmd).await
        }
    };
}

command_endpoint!(place_stock, "/api/v1/inventory/place", PlaceBody, |b| Command::PlaceStock {
    warehouse: b.warehouse,
    location: b.location,
    sku: b.sku,
    quantity: b.quantity,
    received_at: b.received_at,
    lot: b.lot,
    expiry: b.expiry,
});

command_endpoint!(move_stock, "/api/v1/inventory/move", MoveBody, |b| Command::MoveStock {
    warehouse: b.warehouse,
    from_location: b.from_location,
    to_location: b.to_location,
    sku: b.sku,
    quantity: b.quantity,
});

command_endpoint!(remove_stock, "/api/v1/inventory/remove", RemoveBody, |b| Command::RemoveStock {
    warehouse: b.warehouse,
    location: b.location,
    sku: b.sku,
    quantity: b.quantity,
    reason: b.reason,
});

command_endpoint!(resolve_quarantine, "/api/v1/inventory/quarantine/resolve", QuarantineBody, |b| {
    Command::ResolveQuarantine {
        warehouse: b.warehouse,
        location: b.location,
        sku: b.sku,
        quantity: b.quantity,
        restock: b.restock,
    }
});

command_endpoint!(reserve_stock, "/api/v1/inventory/reserve", ReserveBody, |b| Command::ReserveStock {
    warehouse: b.warehouse,
    sku: b.sku,
    quantity: b.quantity,
    ttl_seconds: b.ttl_seconds,
});

command_endpoint!(define_location, "/api/v1/locations", LocationBody, |b| Command::DefineLocation {
    warehouse: b.warehouse,
    location: b.location,
    walk_order: b.walk_order,
    check_digits: b.check_digits,
});

command_endpoint!(set_warehouse_address, "/api/v1/warehouses/address", WarehouseAddressBody, |b| {
    Command::SetWarehouseAddress { warehouse: b.warehouse, address: b.address }
});

command_endpoint!(define_product, "/api/v1/products", ProductBody, |b| Command::DefineProduct {
    sku: b.sku,
    name: b.name,
    barcode: b.barcode,
    listing_id: b.listing_id,
});

command_handler! {
    #[utoipa::path(post, path = "/api/v1/inventory/reservations/{id}/release", tag = "inventory", params(Id, IdempotencyKey),
        request_body = ReleaseBody, security(("bearer" = [])),
        responses((status = 200, body = Outcome), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
    release_reservation(ReleaseBody) => |_caller, ids, b| Command::ReleaseReservation { reservation_id: ids.get("id")?, reason: b.reason }
}

#[utoipa::path(get, path = "/api/v1/inventory/picking-locations", tag = "inventory", params(LocationsQuery),
    security(("bearer" = [])), responses((status = 200, body = Vec<SlotView>), (status = 400, body = ErrorBody)))]
pub async fn picking_locations(
    State(st): State<AppState>,
    Params(q): Params<LocationsQuery>,
) -> Result<Json<Vec<SlotView>>, ApiError> {
    Ok(Json(st.read(move |s| s.picking_locations(&q.warehouse, &q.sku)).await?))
}
