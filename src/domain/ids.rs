//! Typed ids and units. Bare integers and floats do not cross module
//! boundaries: a quantity is a [`Qty`], a weight is [`Grams`], a length is
//! [`Millimetres`], and a picking task id cannot be passed where an order id
//! is expected.

use std::fmt;

macro_rules! id_type {
    ($($(#[$meta:meta])* $name:ident),* $(,)?) => {$(
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    )*};
}

id_type!(
    /// A warehouse (site).
    WarehouseId,
    /// A storage location (bin) inside a warehouse.
    LocationId,
    /// Stock of one SKU at one location, received at one time (a lot).
    SlotId,
    /// A customer order.
    OrderId,
    /// The part of an order served by one warehouse.
    FulfillmentId,
    /// A picking task.
    PickingTaskId,
    /// One line of a picking task: one SKU from one location.
    PickingItemId,
    /// A packing task.
    PackingTaskId,
    /// A stock reservation.
    ReservationId,
    /// A floor worker (picker, packer, supervisor).
    WorkerId,
);

/// Who is acting on a task: the worker, or `None` for a supervisor or the
/// system, who may act on any task.
pub type Actor = Option<WorkerId>;

/// A worker may only act on a task assigned to them (or unassigned).
pub fn check_actor(actor: Actor, assigned: Option<WorkerId>) -> crate::domain::Result<()> {
    match (actor, assigned) {
        (Some(w), Some(a)) if w != a => {
            Err(crate::domain::DomainError::NotAssignee { assigned: a.to_string(), worker: w.to_string() })
        }
        _ => Ok(()),
    }
}

/// A count of units. Never negative.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Qty(pub u32);

impl Qty {
    pub const ZERO: Qty = Qty(0);

    /// `self - other`, or `None` when `other` is larger.
    pub fn checked_sub(self, other: Qty) -> Option<Qty> {
        self.0.checked_sub(other.0).map(Qty)
    }

    /// `self - other`, floored at zero.
    pub fn saturating_sub(self, other: Qty) -> Qty {
        Qty(self.0.saturating_sub(other.0))
    }

    /// `self + other`, or `None` on overflow.
    pub fn checked_add(self, other: Qty) -> Option<Qty> {
        self.0.checked_add(other.0).map(Qty)
    }

    pub fn is_zero(self) -> bool {
        self.0 == 0
    }
}

impl fmt::Display for Qty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A weight in grams.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Grams(pub u64);

impl fmt::Display for Grams {
    /// Shown as kilograms with three decimals: `1.250 kg`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:03} kg", self.0 / 1000, self.0 % 1000)
    }
}

/// A length in millimetres.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Millimetres(pub u32);

impl fmt::Display for Millimetres {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} mm", self.0)
    }
}

/// A stock keeping unit code (a product may also have a `listing_id` in the Listings service).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Sku(String);

impl Sku {
    /// Longest SKU accepted; longer input is a validation error.
    pub const MAX_LEN: usize = 64;

    /// A SKU from user input: trimmed, non-empty, printable, at most
    /// [`Sku::MAX_LEN`] characters. `field` names the input for the error.
    pub fn parse(raw: &str, field: &str) -> crate::domain::Result<Sku> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(crate::domain::DomainError::invalid(field, "must not be empty"));
        }
        if s.chars().count() > Self::MAX_LEN {
            return Err(crate::domain::DomainError::invalid(
                field,
                format!("longer than {} characters", Self::MAX_LEN),
            ));
        }
        if s.chars().any(char::is_control) {
            return Err(crate::domain::DomainError::invalid(field, "contains control characters"));
        }
        Ok(Sku(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Sku {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grams_display_as_kilograms() {
        let check = |g: u64, s: &str| assert_eq!(Grams(g).to_string(), s);
        check(0, "0.000 kg");
        check(1250, "1.250 kg");
        check(7, "0.007 kg");
    }

    #[test]
    fn sku_parse() {
        assert_eq!(Sku::parse("  ABC-1 ", "sku").map(|s| s.0), Ok("ABC-1".to_owned()));
        assert!(Sku::parse("", "sku").is_err());
        assert!(Sku::parse("a\u{1d}b", "sku").is_err());
        assert!(Sku::parse(&"x".repeat(65), "sku").is_err());
    }

    #[test]
    fn qty_arithmetic() {
        assert_eq!(Qty(3).checked_sub(Qty(4)), None);
        assert_eq!(Qty(3).saturating_sub(Qty(4)), Qty(0));
        assert_eq!(Qty(3).checked_add(Qty(4)), Some(Qty(7)));
    }
}
