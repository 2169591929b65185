//! The `local` carrier: no network. Tracking numbers are S10-shaped with a
//! check digit, one per package, derived from the package's idempotency key,
//! so a retry returns the same number.

use super::{Carrier, CarrierError, Shipment, ShipmentRequest, TrackingStatus, package_key, tracking, validate};
use std::collections::HashSet;
use std::sync::Mutex;

#[derive(Debug)]
pub struct LocalCarrier {
    /// Two letters before the digits.
    pub prefix: String,
    /// ISO country code after them.
    pub country: String,
    voided: Mutex<HashSet<String>>,
}

impl LocalCarrier {
    pub fn new(prefix: &str, country: &str) -> Self {
        LocalCarrier { prefix: prefix.to_owned(), country: country.to_owned(), voided: Mutex::new(HashSet::new()) }
    }
}

impl Default for LocalCarrier {
    fn default() -> Self {
        LocalCarrier::new("TT", "RS")
    }
}

impl Carrier for LocalCarrier {
    fn name(&self) -> &str {
        "local"
    }

    fn create_shipment(&self, req: &ShipmentRequest) -> Result<Shipment, CarrierError> {
        validate(req)?;
        let tracking_numbers: Vec<String> = req
            .packages
            .iter()
            .map(|p| tracking::tracking_number(&package_key(req, p.sequence), &self.prefix, &self.country))
            .collect();
        Ok(Shipment {
            carrier: "local".into(),
            provider: if req.provider.is_empty() { "local".into() } else { req.provider.clone() },
            shipment_ids: tracking_numbers.clone(),
            label_urls: vec![None; tracking_numbers.len()],
            tracking_numbers,
        })
    }

    fn void(&self, number: &str) -> Result<(), CarrierError> {
        if !tracking::is_valid(number) {
            return Err(CarrierError::UnknownTracking(number.to_owned()));
        }
        self.voided.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(number.to_owned());
        Ok(())
    }

    fn track(&self, number: &str) -> Result<TrackingStatus, CarrierError> {
        if !tracking::is_valid(number) {
            return Err(CarrierError::UnknownTracking(number.to_owned()));
        }
        let voided = self.voided.lock().unwrap_or_else(std::sync::PoisonError::into_inner).contains(number);
        Ok(if voided { TrackingStatus::Voided } else { TrackingStatus::Created })
    }
}
