//! The request bodies' parts on the wire: addresses, order lines, the
//! order intake request, packages, batches.

use serde::{Deserialize, Serialize};

/// A postal address on the wire.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AddressDto {
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub contact_name: String,
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub street: String,
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub city: String,
    #[serde(default)]
    #[schema(max_length = 200, pattern = r"^[^\x00-\x1F\x7F-\x9F]*$")]
    pub postal_code: String,
    /// ISO 3166-1 alpha-2, upper case.
    #[schema(pattern = "^[A-Z]{2}$")]
    pub country: String,
    #[serde(default)]
    #[schema(max_length = 200, pattern = r"^[^\x00-\x1F\x7F-\x9F]*$")]
    pub phone: String,
}

impl From<&AddressDto> for crate::domain::order::Address {
    fn from(a: &AddressDto) -> Self {
        crate::domain::order::Address {
            contact_name: a.contact_name.clone(),
            street: a.street.clone(),
            city: a.city.clone(),
            postal_code: a.postal_code.clone(),
            country: a.country.clone(),
            phone: a.phone.clone(),
        }
    }
}

impl From<&crate::domain::order::Address> for AddressDto {
    fn from(a: &crate::domain::order::Address) -> Self {
        AddressDto {
            contact_name: a.contact_name.clone(),
            street: a.street.clone(),
            city: a.city.clone(),
            postal_code: a.postal_code.clone(),
            country: a.country.clone(),
            phone: a.phone.clone(),
        }
    }
}

/// One order line on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LineDto {
    #[schema(
        min_length = 1,
        max_length = 64,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub sku: String,
    #[schema(minimum = 1, maximum = 100_000)]
    pub quantity: i64,
    /// Warehouse code; required when the site has more than one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warehouse: Option<String>,
}

/// An order intake request. `request_id` is the integrator's idempotency
/// key: submitting it again returns the order created the first time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OrderRequest {
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub request_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 200, pattern = r"^[^\x00-\x1F\x7F-\x9F]*$")]
    pub external_ref: Option<String>,
    /// low, normal (the default), high or urgent.
    #[serde(default = "normal")]
    #[schema(pattern = "^(low|normal|high|urgent)$")]
    pub priority: String,
    pub ship_to: AddressDto,
    #[schema(min_items = 1, max_items = 500)]
    pub lines: Vec<LineDto>,
    /// What happens to units short of stock, over the site's `short_policy`:
    /// `ship` (refuse an order short at intake; ship a short pick as it is,
    /// `order.short_shipped`) or `backorder` (accept and wait for stock; a
    /// short pick's missing units wait as a backorder, `order.backordered`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub short_policy: Option<crate::domain::workflow::ShortPolicy>,
}

impl OrderRequest {
    /// The op id an intake runs under when the caller gives none: one per
    /// request id, so a resubmission is a replay (seed 003's workflow id).
    pub fn default_op_id(&self) -> String {
        format!("order-intake-{}", self.request_id.trim())
    }
}

fn normal() -> String {
    "normal".to_owned()
}

/// A packer's entry for one package.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PackageDto {
    #[serde(default = "box_type")]
    pub packaging_type: PackagingTypeDto,
    /// Grams, 1 to 2,000,000 (`domain::packing::MAX_WEIGHT_G`).
    #[schema(minimum = 1, maximum = 2_000_000)]
    pub weight_g: u64,
    /// Millimetres, 1 to 5,000 (`domain::packing::MAX_SIDE_MM`), as are the other sides.
    #[schema(minimum = 1, format = Int64, maximum = 5_000)]
    pub length_mm: u32,
    #[schema(minimum = 1, format = Int64, maximum = 5_000)]
    pub width_mm: u32,
    #[schema(minimum = 1, format = Int64, maximum = 5_000)]
    pub height_mm: u32,
}

/// The packaging of a package, as the domain names it.
pub type PackagingTypeDto = crate::domain::packing::PackagingType;

fn box_type() -> PackagingTypeDto {
    PackagingTypeDto::Box
}

/// A task of a batch and the tote its units go into.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ToteDto {
    pub task_id: i64,
    pub tote: String,
}

/// A batch of a wave: one picker, one walk, a tote per task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BatchDto {
    pub batch_id: i64,
    pub totes: Vec<ToteDto>,
}
