//! Orders, their lines and priorities, and intake validation.
//!
//! An intake request arrives as an [`OrderDraft`] of raw values; [`OrderDraft::validate`]
//! either names the first bad field (`lines[2].quantity`) or returns a
//! [`ValidOrder`] whose lines are already grouped by warehouse: one group
//! becomes one fulfillment.

use super::error::DomainError;
use super::ids::{Qty, Sku};
use std::collections::BTreeMap;

/// Work priority; the derived order is the dispatch order (`Urgent` highest).
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    Low,
    #[default]
    Normal,
    High,
    Urgent,
}

impl Priority {
    pub const ALL: [Priority; 4] = [Priority::Low, Priority::Normal, Priority::High, Priority::Urgent];

    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Normal => "normal",
            Priority::High => "high",
            Priority::Urgent => "urgent",
        }
    }

    /// Parses `low|normal|high|urgent`; `field` names the input for the error.
    pub fn parse(s: &str, field: &str) -> super::Result<Priority> {
        Priority::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| DomainError::invalid(field, format!("{s:?} is not one of low, normal, high, urgent")))
    }

    /// Numeric rank for SQL ordering: higher is more urgent.
    pub fn rank(self) -> i64 {
        match self {
            Priority::Low => 0,
            Priority::Normal => 1,
            Priority::High => 2,
            Priority::Urgent => 3,
        }
    }

    pub fn from_rank(rank: i64) -> Option<Priority> {
        Priority::ALL.into_iter().find(|p| p.rank() == rank)
    }
}

/// Lifecycle of the customer order as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Accepted; its fulfillments are in progress.
    Open,
    /// Cancelled before shipping; stock released.
    Cancelled,
    /// Every fulfillment shipped.
    Shipped,
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 3] = [OrderStatus::Open, OrderStatus::Cancelled, OrderStatus::Shipped];

    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Open => "open",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::Shipped => "shipped",
        }
    }

    pub fn parse(s: &str) -> Option<OrderStatus> {
        OrderStatus::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// Where a parcel goes.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Address {
    pub contact_name: String,
    pub street: String,
    pub city: String,
    pub postal_code: String,
    /// ISO 3166-1 alpha-2, upper case.
    pub country: String,
    pub phone: String,
}

/// One line of an intake request, as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineDraft {
    pub sku: String,
    pub quantity: i64,
    /// Warehouse code; may be omitted when the site has one warehouse.
    pub warehouse: Option<String>,
}

/// An intake request, as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderDraft {
    pub request_id: String,
    pub external_ref: Option<String>,
    pub priority: Priority,
    pub ship_to: Address,
    pub lines: Vec<LineDraft>,
}

/// A validated order line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderLine {
    pub sku: Sku,
    pub quantity: Qty,
}

/// A validated intake request, lines grouped by warehouse code (sorted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidOrder {
    pub request_id: String,
    pub external_ref: Option<String>,
    pub priority: Priority,
    pub ship_to: Address,
    pub groups: BTreeMap<String, Vec<OrderLine>>,
}

/// Limits on one intake request.
pub const MAX_LINES: usize = 500;
pub const MAX_LINE_QTY: i64 = 100_000;
const MAX_TEXT: usize = 200;

impl OrderDraft {
    /// Checks every field, naming the first bad one. Lines without a
    /// warehouse go to `default_warehouse`; repeated SKUs in one warehouse
    /// are merged into one line.
    pub fn validate(self, default_warehouse: Option<&str>) -> super::Result<ValidOrder> {
        check_text("request_id", &self.request_id, true)?;
        if let Some(r) = &self.external_ref {
            check_text("external_ref", r, false)?;
        }
        validate_address(&self.ship_to)?;
        if self.lines.is_empty() {
            return Err(DomainError::invalid("lines", "an order needs at least one line"));
        }
        if self.lines.len() > MAX_LINES {
            return Err(DomainError::invalid("lines", format!("more than {MAX_LINES} lines")));
        }
        let mut groups: BTreeMap<String, Vec<OrderLine>> = BTreeMap::new();
        for (i, line) in self.lines.iter().enumerate() {
            let sku = Sku::parse(&line.sku, &format!("lines[{i}].sku"))?;
            if !(1..=MAX_LINE_QTY).contains(&line.quantity) {
                return Err(DomainError::invalid(
                    format!("lines[{i}].quantity"),
                    format!("must be between 1 and {MAX_LINE_QTY}, got {}", line.quantity),
                ));
            }
            let quantity = Qty(u32::try_from(line.quantity).unwrap_or(u32::MAX));
            let warehouse = match (&line.warehouse, default_warehouse) {
                (Some(w), _) if !w.trim().is_empty() => w.trim().to_owned(),
                (_, Some(d)) => d.to_owned(),
                _ => {
                    return Err(DomainError::invalid(
                        format!("lines[{i}].warehouse"),
                        "required when the site has more than one warehouse",
                    ));
                }
            };
            let lines = groups.entry(warehouse).or_default();
            match lines.iter_mut().find(|l| l.sku == sku) {
                Some(existing) => {
                    existing.quantity = existing.quantity.checked_add(quantity).ok_or_else(|| {
                        DomainError::invalid(format!("lines[{i}].quantity"), "total quantity too large")
                    })?;
                }
                None => lines.push(OrderLine { sku, quantity }),
            }
        }
        Ok(ValidOrder {
            request_id: self.request_id.trim().to_owned(),
            external_ref: self.external_ref,
            priority: self.priority,
            ship_to: self.ship_to,
            groups,
        })
    }
}

fn check_text(field: &str, value: &str, required: bool) -> super::Result<()> {
    if required && value.trim().is_empty() {
        return Err(DomainError::invalid(field, "must not be empty"));
    }
    if value.chars().count() > MAX_TEXT {
        return Err(DomainError::invalid(field, format!("longer than {MAX_TEXT} characters")));
    }
    if value.chars().any(char::is_control) {
        return Err(DomainError::invalid(field, "contains control characters"));
    }
    Ok(())
}

/// An order's ship-to address, its errors naming `ship_to.*`.
pub fn validate_address(a: &Address) -> super::Result<()> {
    validate_address_as("ship_to", a)
}

/// A postal address, its errors naming `{field}.street` and so on.
pub fn validate_address_as(field: &str, a: &Address) -> super::Result<()> {
    check_text(&format!("{field}.contact_name"), &a.contact_name, true)?;
    check_text(&format!("{field}.street"), &a.street, true)?;
    check_text(&format!("{field}.city"), &a.city, true)?;
    check_text(&format!("{field}.postal_code"), &a.postal_code, false)?;
    check_text(&format!("{field}.phone"), &a.phone, false)?;
    if a.country.len() != 2 || !a.country.chars().all(|c| c.is_ascii_uppercase()) {
        return Err(DomainError::invalid(format!("{field}.country"), "must be a two-letter upper-case ISO code"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn address() -> Address {
        Address {
            contact_name: "Ana".into(),
            street: "Knez Mihailova 1".into(),
            city: "Beograd".into(),
            postal_code: "11000".into(),
            country: "RS".into(),
            phone: String::new(),
        }
    }

    fn draft(lines: &[(&str, i64, Option<&str>)]) -> OrderDraft {
        OrderDraft {
            request_id: "r1".into(),
            external_ref: None,
            priority: Priority::Normal,
            ship_to: address(),
            lines: lines
                .iter()
                .map(|(s, q, w)| LineDraft { sku: (*s).into(), quantity: *q, warehouse: w.map(str::to_owned) })
                .collect(),
        }
    }

    /// `expected` is `Ok(groups as "W:SKUxQ,...")` or `Err(field)`.
    fn check(lines: &[(&str, i64, Option<&str>)], default: Option<&str>, expected: Result<&str, &str>) {
        let got = draft(lines).validate(default).map(|v| {
            v.groups
                .iter()
                .flat_map(|(w, ls)| ls.iter().map(move |l| format!("{w}:{}x{}", l.sku, l.quantity)))
                .collect::<Vec<_>>()
                .join(",")
        });
        match (got, expected) {
            (Ok(g), Ok(e)) => assert_eq!(g, e),
            (Err(err), Err(field)) => assert_eq!(err.field(), Some(field), "{err}"),
            (got, e) => panic!("got {got:?}, expected {e:?}"),
        }
    }

    #[test]
    fn validation_cases() {
        check(&[("A", 1, Some("W1"))], None, Ok("W1:Ax1"));
        check(&[("A", 1, None)], Some("W1"), Ok("W1:Ax1"));
        check(&[("A", 1, None)], None, Err("lines[0].warehouse"));
        check(&[("A", 2, Some("W2")), ("B", 1, Some("W1")), ("A", 3, Some("W2"))], None, Ok("W1:Bx1,W2:Ax5"));
        check(&[("A", 0, Some("W1"))], None, Err("lines[0].quantity"));
        check(&[("A", 1, Some("W1")), ("A", -4, Some("W1"))], None, Err("lines[1].quantity"));
        check(&[("A", 1, Some("W1")), ("", 1, Some("W1"))], None, Err("lines[1].sku"));
        check(&[], None, Err("lines"));
    }

    #[test]
    fn address_and_ids_are_checked() {
        let mut d = draft(&[("A", 1, Some("W"))]);
        d.ship_to.country = "serbia".into();
        assert_eq!(
            d.clone().validate(None).err().and_then(|e| e.field().map(str::to_owned)).as_deref(),
            Some("ship_to.country")
        );
        d.ship_to.country = "RS".into();
        d.request_id = " ".into();
        assert_eq!(d.validate(None).err().and_then(|e| e.field().map(str::to_owned)).as_deref(), Some("request_id"));
    }

    #[test]
    fn priority_orders_urgent_first() {
        let mut v = vec![Priority::Normal, Priority::Urgent, Priority::Low, Priority::High];
        v.sort_by(|a, b| b.cmp(a));
        assert_eq!(v, vec![Priority::Urgent, Priority::High, Priority::Normal, Priority::Low]);
        for p in Priority::ALL {
            assert_eq!(Priority::parse(p.as_str(), "priority"), Ok(p));
            assert_eq!(Priority::from_rank(p.rank()), Some(p));
        }
        assert!(Priority::parse("asap", "priority").is_err());
    }
}
