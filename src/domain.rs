//! The pure domain core: warehouse rules as functions over values.
//!
//! Nothing in here performs IO, awaits, reads a clock, draws randomness or
//! knows SQL, HTTP or the terminal. Time (`now`) and ids arrive as arguments,
//! so every rule can be replayed and tested without a database.
//! `tests/domain_purity.rs` enforces this by reading the sources.
//!
//! # Layout
//! - [`ids`]: typed ids and units (quantities, grams, millimetres).
//! - [`error`]: the one error family with short codes for 20-column screens.
//! - [`order`]: orders, lines, priorities and intake validation.
//! - [`fulfillment`]: the per-warehouse fulfillment status machine.
//! - [`picking`]: picking tasks and items, walk order, scan checks.
//! - [`packing`]: packing tasks, packages, volumetric and chargeable weight.
//! - [`stock`]: stock slots, reservations, FIFO/FEFO allocation.
//! - [`event`]: facts written to the outbox.
//! - [`alerts`]: stuck-work alert rules over facts (clock and thresholds passed in).
//! - [`auth`]: roles, callers, endpoint access and the PIN lockout rule.
//! - [`wave`]: which tasks a wave takes and how they are batched for cluster picking.
//! - [`workflow`]: the intake and fulfillment workflows as pure deciders.

pub mod alerts;
pub mod auth;
pub mod error;
pub mod event;
pub mod fulfillment;
pub mod ids;
pub mod machine;
pub mod order;
pub mod packing;
pub mod picking;
pub mod shipment;
pub mod stock;
pub mod wave;
pub mod workflow;

pub use error::{DomainError, ErrorKind};

/// A point in time. Always passed in by the caller, never read here.
pub type Timestamp = chrono::DateTime<chrono::Utc>;

/// Result of a domain rule.
pub type Result<T, E = DomainError> = std::result::Result<T, E>;

/// Statuses and names print as their wire form (`in_progress`), the one
/// serde gives them too (`wire_names_are_the_display_names` checks).
macro_rules! display_as_str {
    ($($t:ty),*) => {$(
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    )*};
}

display_as_str!(
    order::OrderStatus,
    order::Priority,
    fulfillment::FulfillmentStatus,
    workflow::WorkflowStatus,
    picking::PickingStatus,
    picking::ItemStatus,
    picking::ReasonCode,
    packing::PackingStatus,
    packing::PackagingType
);
