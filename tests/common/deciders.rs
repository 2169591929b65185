//! Fixtures the decider tests share (`decider_props.rs`, `decider_golden.rs`),
//! included by path so neither pulls in the rest of `common`.

use chrono::TimeZone;
use tote::domain::Timestamp;
use tote::domain::order::Address;
use tote::domain::shipment::ShipmentRequest;

/// The time of input `step`: 7 s apart from a fixed start.
pub fn at(step: usize) -> Timestamp {
    let t0 = chrono::Utc.with_ymd_and_hms(2026, 12, 1, 8, 0, 0).single().unwrap_or_default();
    t0 + chrono::Duration::seconds(step as i64 * 7)
}

pub fn address() -> Address {
    Address {
        contact_name: "Ana".into(),
        street: "1 Loop Road".into(),
        city: "Novi Sad".into(),
        postal_code: "21000".into(),
        country: "RS".into(),
        phone: String::new(),
    }
}

/// One planned request, so a planned call and the call a decider scheduled
/// from it are the same activity.
pub fn request() -> Box<ShipmentRequest> {
    Box::new(ShipmentRequest {
        idempotency_key: "shipment-3".into(),
        order_id: 2,
        warehouse_id: 1,
        warehouse_code: "W1".into(),
        provider: "local".into(),
        from: Default::default(),
        to: Default::default(),
        packages: vec![],
    })
}
