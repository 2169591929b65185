//! Carriers behind one trait: create a shipment (a tracking number per
//! package), void it, track it. `local` is the default (no network);
//! `delivery-service` speaks seed 001 §6.2 over HTTP with retries on 5xx and
//! timeouts only, a circuit breaker, and an idempotency key per package.
//!
//! A package with zero or missing weight is refused before anything is sent:
//! a carrier that gets one fails later, somewhere worse.

pub mod breaker;
pub mod config;
pub mod delivery;
pub mod local;
pub mod tracking;

pub use crate::domain::shipment::{PackageSpec, PostalAddress, ShipmentRequest};

/// A created shipment: one tracking number per package, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shipment {
    pub carrier: String,
    pub provider: String,
    pub shipment_ids: Vec<String>,
    pub tracking_numbers: Vec<String>,
    pub label_urls: Vec<Option<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrackingStatus {
    Created,
    InTransit,
    Delivered,
    Voided,
    Unknown(String),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CarrierError {
    /// The request itself is wrong; a retry will not help.
    #[error("invalid {field}: {reason}")]
    Invalid { field: String, reason: String },
    /// The carrier said no (4xx); a retry will not help.
    #[error("carrier refused ({status}): {body}")]
    Refused { status: u16, body: String },
    /// The carrier failed or did not answer, after all retries.
    #[error("carrier unavailable after {attempts} attempt(s): {reason}")]
    Unavailable { attempts: u32, reason: String },
    /// The circuit is open: the carrier failed repeatedly and is not called.
    #[error("carrier circuit open: not calling it until it has cooled down")]
    CircuitOpen,
    #[error("unknown tracking number {0}")]
    UnknownTracking(String),
}

impl CarrierError {
    /// Worth retrying later (the workflow's retry policy asks this).
    pub fn is_retryable(&self) -> bool {
        matches!(self, CarrierError::Unavailable { .. } | CarrierError::CircuitOpen)
    }
}

/// A carrier. Blocking: callers run it on a worker thread.
pub trait Carrier: Send + Sync + std::fmt::Debug {
    fn name(&self) -> &str;
    fn create_shipment(&self, req: &ShipmentRequest) -> Result<Shipment, CarrierError>;
    fn void(&self, tracking: &str) -> Result<(), CarrierError>;
    fn track(&self, tracking: &str) -> Result<TrackingStatus, CarrierError>;
}

/// The checks every carrier makes before sending anything.
pub fn validate(req: &ShipmentRequest) -> Result<(), CarrierError> {
    let invalid = |field: String, reason: &str| CarrierError::Invalid { field, reason: reason.to_owned() };
    if req.idempotency_key.trim().is_empty() {
        return Err(invalid("idempotency_key".into(), "required"));
    }
    if req.packages.is_empty() {
        return Err(invalid("packages".into(), "a shipment has at least one package"));
    }
    for (i, p) in req.packages.iter().enumerate() {
        match p.weight_g {
            None | Some(0) => {
                return Err(invalid(
                    format!("packages[{i}].weight_g"),
                    "zero or missing weight: weigh the package first",
                ));
            }
            Some(_) => {}
        }
        if p.length_mm == 0 || p.width_mm == 0 || p.height_mm == 0 {
            return Err(invalid(format!("packages[{i}].dimensions"), "length, width and height must be set"));
        }
    }
    if !complete(&req.to) {
        return Err(invalid("to_address".into(), "street, city and country are required"));
    }
    Ok(())
}

/// Street, city and country are all there.
pub fn complete(a: &PostalAddress) -> bool {
    !(a.street.trim().is_empty() || a.city.trim().is_empty() || a.country.trim().is_empty())
}

/// The idempotency key of package `sequence` of a shipment.
pub fn package_key(req: &ShipmentRequest, sequence: u32) -> String {
    format!("{}-pkg-{sequence}", req.idempotency_key)
}
