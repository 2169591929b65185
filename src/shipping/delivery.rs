//! The `delivery-service` carrier: seed 001 §6.2 over HTTP.
//!
//! - `GET  {base}/api/v1/delivery/addresses/order/{id}`: the ship-to address;
//! - `POST {base}/api/v1/shipments`: one call per package, with the package's
//!   idempotency key in `Idempotency-Key`, so a retry is safe.
//!
//! 5xx answers and transport errors (timeouts, refused connections) are
//! retried with exponential backoff and jitter; 4xx is not. A circuit
//! breaker stops calling a service that keeps failing.

use super::breaker::Breaker;
use super::{Carrier, CarrierError, PostalAddress, Shipment, ShipmentRequest, TrackingStatus, package_key, validate};
use crate::app::Clock;
use serde::{Deserialize, Serialize};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Settings of the delivery-service adapter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryConfig {
    pub base_url: String,
    /// The provider every shipment is booked with (PostExpress, …); a
    /// request's own provider wins when it names one.
    pub provider: String,
    /// Sent as `Authorization: Bearer …` when set.
    pub token: Option<String>,
    pub timeout: Duration,
    /// Calls per request, the first included.
    pub attempts: u32,
    /// Backoff before retry n is `base_backoff * 2^(n-1)`, plus up to 50% jitter.
    pub base_backoff: Duration,
    pub breaker_threshold: u32,
    pub breaker_cool_down: chrono::Duration,
}

impl DeliveryConfig {
    pub fn new(base_url: &str) -> Self {
        DeliveryConfig {
            base_url: base_url.trim_end_matches('/').to_owned(),
            provider: "PostExpress".into(),
            token: None,
            timeout: Duration::from_secs(5),
            attempts: 3,
            base_backoff: Duration::from_millis(200),
            breaker_threshold: 5,
            breaker_cool_down: chrono::Duration::seconds(30),
        }
    }
}

#[derive(Debug, Serialize)]
struct WireAddress<'a> {
    street: &'a str,
    city: &'a str,
    postal_code: &'a str,
    country: &'a str,
    contact_name: &'a str,
    phone: &'a str,
}

impl<'a> From<&'a PostalAddress> for WireAddress<'a> {
    fn from(a: &'a PostalAddress) -> Self {
        WireAddress {
            street: &a.street,
            city: &a.city,
            postal_code: &a.postal_code,
            country: &a.country,
            contact_name: &a.contact_name,
            phone: &a.phone,
        }
    }
}

/// Weight in kg, sizes in cm, as seed 001 has them.
#[derive(Debug, Serialize)]
struct WirePackage {
    weight: f64,
    length: f64,
    width: f64,
    height: f64,
    description: String,
}

#[derive(Debug, Serialize)]
struct WireRequest<'a> {
    order_id: i64,
    warehouse_id: i64,
    provider: &'a str,
    from_address: WireAddress<'a>,
    to_address: WireAddress<'a>,
    package: WirePackage,
}

#[derive(Debug, Deserialize)]
struct WireShipment {
    id: serde_json::Value,
    tracking_number: String,
    #[serde(default)]
    label_url: Option<String>,
}

#[derive(Debug)]
pub struct DeliveryServiceCarrier {
    config: DeliveryConfig,
    http: reqwest::blocking::Client,
    clock: Arc<dyn Clock>,
    breaker: Mutex<Breaker>,
}

impl DeliveryServiceCarrier {
    pub fn new(config: DeliveryConfig, clock: Arc<dyn Clock>) -> Result<Self, CarrierError> {
        let http = crate::tls::blocking_client()
            .timeout(config.timeout)
            .build()
            .map_err(|e| CarrierError::Invalid { field: "delivery_service".into(), reason: e.to_string() })?;
        let breaker = Mutex::new(Breaker::new(config.breaker_threshold, config.breaker_cool_down));
        Ok(DeliveryServiceCarrier { config, http, clock, breaker })
    }

    /// The ship-to address the delivery service holds for `order_id`.
    pub fn address_for_order(&self, order_id: i64) -> Result<PostalAddress, CarrierError> {
        let url = format!("{}/api/v1/delivery/addresses/order/{order_id}", self.config.base_url);
        let body = self.call("", || self.http.get(&url))?;
        serde_json::from_str(&body)
            .map_err(|e| CarrierError::Refused { status: 200, body: format!("bad address: {e}") })
    }

    /// One HTTP exchange with retries, backoff and the breaker. `key`
    /// seeds the jitter, so retries of one package spread the same way.
    fn call(&self, key: &str, build: impl Fn() -> reqwest::blocking::RequestBuilder) -> Result<String, CarrierError> {
        let mut last = String::new();
        for attempt in 1..=self.config.attempts.max(1) {
            if !self.lock_breaker().allow(self.clock.now()) {
                return Err(CarrierError::CircuitOpen);
            }
            let request = match &self.config.token {
                Some(t) => build().bearer_auth(t),
                None => build(),
            };
            match request.send() {
                Ok(resp) if resp.status().is_success() => {
                    self.lock_breaker().success();
                    return resp
                        .text()
                        .map_err(|e| CarrierError::Unavailable { attempts: attempt, reason: e.to_string() });
                }
                Ok(resp) if resp.status().is_client_error() => {
                    // The service works; the request is wrong.
                    self.lock_breaker().success();
                    let status = resp.status().as_u16();
                    return Err(CarrierError::Refused { status, body: resp.text().unwrap_or_default() });
                }
                Ok(resp) => last = format!("HTTP {}", resp.status()),
                Err(e) => last = e.to_string(),
            }
            self.lock_breaker().failure(self.clock.now());
            if attempt < self.config.attempts {
                std::thread::sleep(backoff(self.config.base_backoff, attempt, key));
            }
        }
        Err(CarrierError::Unavailable { attempts: self.config.attempts.max(1), reason: last })
    }

    fn lock_breaker(&self) -> std::sync::MutexGuard<'_, Breaker> {
        self.breaker.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// `base * 2^(attempt-1)` plus up to half of that again, the jitter drawn
/// from `key` and `attempt` (stable, so tests can reason about it).
pub fn backoff(base: Duration, attempt: u32, key: &str) -> Duration {
    let exp = base.saturating_mul(1u32 << attempt.saturating_sub(1).min(10));
    let seed = key.bytes().fold(u64::from(attempt), |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    let jitter_ms = u64::try_from(exp.as_millis() / 2).unwrap_or(0).max(1);
    exp + Duration::from_millis(seed % jitter_ms)
}

impl Carrier for DeliveryServiceCarrier {
    fn name(&self) -> &str {
        "delivery-service"
    }

    fn create_shipment(&self, req: &ShipmentRequest) -> Result<Shipment, CarrierError> {
        validate(req)?;
        if !super::complete(&req.from) {
            let code = &req.warehouse_code;
            return Err(CarrierError::Invalid {
                field: "from_address".into(),
                reason: format!(
                    "warehouse {code} has no ship-from address: set it with `tote warehouse address {code} …`"
                ),
            });
        }
        let provider = if req.provider.is_empty() { self.config.provider.as_str() } else { req.provider.as_str() };
        let url = format!("{}/api/v1/shipments", self.config.base_url);
        let mut out = Shipment {
            carrier: "delivery-service".into(),
            provider: provider.to_owned(),
            shipment_ids: Vec::new(),
            tracking_numbers: Vec::new(),
            label_urls: Vec::new(),
        };
        for p in &req.packages {
            let key = package_key(req, p.sequence);
            let body = WireRequest {
                order_id: req.order_id,
                warehouse_id: req.warehouse_id,
                provider,
                from_address: (&req.from).into(),
                to_address: (&req.to).into(),
                package: WirePackage {
                    weight: p.weight_g.unwrap_or(0) as f64 / 1000.0,
                    length: f64::from(p.length_mm) / 10.0,
                    width: f64::from(p.width_mm) / 10.0,
                    height: f64::from(p.height_mm) / 10.0,
                    description: format!("order {} package {}", req.order_id, p.sequence),
                },
            };
            let text = self.call(&key, || self.http.post(&url).header("Idempotency-Key", &key).json(&body))?;
            let s: WireShipment = serde_json::from_str(&text)
                .map_err(|e| CarrierError::Refused { status: 200, body: format!("unreadable shipment: {e}") })?;
            out.shipment_ids.push(match s.id {
                serde_json::Value::String(id) => id,
                other => other.to_string(),
            });
            out.tracking_numbers.push(s.tracking_number);
            out.label_urls.push(s.label_url);
        }
        Ok(out)
    }

    fn void(&self, tracking: &str) -> Result<(), CarrierError> {
        let url = format!("{}/api/v1/shipments/{tracking}/void", self.config.base_url);
        self.call(tracking, || self.http.post(&url).header("Idempotency-Key", format!("void-{tracking}"))).map(|_| ())
    }

    fn track(&self, tracking: &str) -> Result<TrackingStatus, CarrierError> {
        let url = format!("{}/api/v1/shipments/{tracking}", self.config.base_url);
        let text = self.call(tracking, || self.http.get(&url))?;
        let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        Ok(match v["status"].as_str().unwrap_or("") {
            "created" => TrackingStatus::Created,
            "in_transit" => TrackingStatus::InTransit,
            "delivered" => TrackingStatus::Delivered,
            "voided" | "cancelled" => TrackingStatus::Voided,
            other => TrackingStatus::Unknown(other.to_owned()),
        })
    }
}
