//! The built-in templates and the typed data that fills them.

use super::{Data, LabelError};
use crate::gs1;

/// Template names and sources, in the order `tote label` lists them.
pub const TEMPLATES: &[(&str, &str)] = &[
    ("shipping", include_str!("../../labels/shipping.zpl")),
    ("gs1", include_str!("../../labels/gs1.zpl")),
    ("tote", include_str!("../../labels/tote.zpl")),
    ("location", include_str!("../../labels/location.zpl")),
];

/// The source of the template called `name`.
pub fn source(name: &str) -> Option<&'static str> {
    TEMPLATES.iter().find(|(n, _)| *n == name).map(|(_, s)| *s)
}

/// A postal party on a label.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Party {
    pub name: String,
    pub street: String,
    pub postal_code: String,
    pub city: String,
    pub country: String,
    pub phone: String,
}

/// Everything a shipping label shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShippingLabel {
    pub from: Party,
    pub to: Party,
    pub carrier: String,
    pub service: String,
    pub tracking: String,
    pub order: String,
    /// 1-based package number and the count of packages.
    pub package: u32,
    pub packages: u32,
    pub weight_g: u64,
}

fn party(data: &mut Data, prefix: &str, p: &Party) {
    for (k, v) in [
        ("name", &p.name),
        ("street", &p.street),
        ("postal_code", &p.postal_code),
        ("city", &p.city),
        ("country", &p.country),
        ("phone", &p.phone),
    ] {
        data.insert(format!("{prefix}.{k}"), v.clone());
    }
}

/// Grams as kilograms with two decimals, without floating point: 1250 → "1.25".
pub fn kilograms(grams: u64) -> String {
    let centi = grams.div_ceil(10);
    format!("{}.{:02}", centi / 100, centi % 100)
}

impl ShippingLabel {
    pub fn data(&self) -> Result<Data, LabelError> {
        if self.weight_g == 0 {
            return Err(LabelError::Invalid { field: "weight_g".into(), reason: "a package has a weight".into() });
        }
        if self.package == 0 || self.package > self.packages {
            return Err(LabelError::Invalid {
                field: "package".into(),
                reason: format!("package {} of {} is not a package", self.package, self.packages),
            });
        }
        if self.tracking.trim().is_empty() {
            return Err(LabelError::Missing("tracking".into()));
        }
        let mut d = Data::new();
        party(&mut d, "from", &self.from);
        party(&mut d, "to", &self.to);
        d.insert("carrier".into(), self.carrier.clone());
        d.insert("service".into(), self.service.clone());
        d.insert("tracking".into(), self.tracking.clone());
        d.insert("order".into(), self.order.clone());
        d.insert("package".into(), self.package.to_string());
        d.insert("packages".into(), self.packages.to_string());
        d.insert("weight_kg".into(), kilograms(self.weight_g));
        Ok(d)
    }

    pub fn render(&self) -> Result<String, LabelError> {
        super::fill(source("shipping").unwrap_or_default(), &self.data()?)
    }
}

/// A GS1-128 logistic label for one package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogisticLabel {
    pub from: Party,
    pub to: Party,
    pub order: String,
    pub package: u32,
    pub packages: u32,
    /// The full 18-digit SSCC, check digit included.
    pub sscc: String,
}

/// An SSCC as a label prints it: 18 digits, the last the mod-10 check.
pub fn check_sscc(sscc: &str) -> Result<(), LabelError> {
    if sscc.len() != 18 || !sscc.bytes().all(|b| b.is_ascii_digit()) || !gs1::is_valid(sscc) {
        return Err(LabelError::Invalid {
            field: "sscc".into(),
            reason: format!("{sscc:?} is not an 18-digit SSCC with a valid check digit"),
        });
    }
    Ok(())
}

impl LogisticLabel {
    pub fn data(&self) -> Result<Data, LabelError> {
        check_sscc(&self.sscc)?;
        let mut d = Data::new();
        party(&mut d, "from", &self.from);
        party(&mut d, "to", &self.to);
        d.insert("order".into(), self.order.clone());
        d.insert("package".into(), self.package.to_string());
        d.insert("packages".into(), self.packages.to_string());
        d.insert("sscc".into(), self.sscc.clone());
        Ok(d)
    }
}
