//! What a carrier is asked for, as values: the request is planned by a
//! local workflow step and carried by the `create_shipment` activity, so
//! the engine's carrier call needs nothing but its input (and the same
//! input runs on any engine).

use serde::{Deserialize, Serialize};

/// A postal address as carriers take it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PostalAddress {
    pub contact_name: String,
    pub street: String,
    pub city: String,
    pub postal_code: String,
    pub country: String,
    #[serde(default)]
    pub phone: String,
}

impl From<&crate::domain::order::Address> for PostalAddress {
    fn from(a: &crate::domain::order::Address) -> Self {
        PostalAddress {
            contact_name: a.contact_name.clone(),
            street: a.street.clone(),
            city: a.city.clone(),
            postal_code: a.postal_code.clone(),
            country: a.country.clone(),
            phone: a.phone.clone(),
        }
    }
}

/// One box to ship.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageSpec {
    /// 1-based position in the shipment.
    pub sequence: u32,
    pub weight_g: Option<u64>,
    pub length_mm: u32,
    pub width_mm: u32,
    pub height_mm: u32,
}

/// What a shipment is created from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipmentRequest {
    /// Stable across retries, e.g. `shipment-{fulfillment id}`; each package
    /// adds `-pkg-{n}`.
    pub idempotency_key: String,
    pub order_id: i64,
    pub warehouse_id: i64,
    /// The warehouse's code, which chooses its carrier (`[carrier.W1]`);
    /// empty in requests planned before it was added.
    #[serde(default)]
    pub warehouse_code: String,
    /// PostExpress, D Express, ACS, Bex, YunExpress…; empty: the carrier's
    /// configured provider.
    pub provider: String,
    pub from: PostalAddress,
    pub to: PostalAddress,
    pub packages: Vec<PackageSpec>,
}
