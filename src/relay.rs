//! The outbox relay's rules, pure: the body a subscriber receives, its
//! HMAC-SHA256 signature, and when a failed delivery is tried again.
//!
//! A receiver checks `X-Tote-Signature: sha256=<hex>` over
//! `"{X-Tote-Timestamp}.{body}"` with its secret, and deduplicates by
//! `X-Tote-Event-Id` (a delivery is at least once: an answer lost after the
//! receiver stored the event means it comes again).

use crate::contract::events::Delivery;
use crate::domain::Timestamp;
use crate::storage::outbox::OutboxRow;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::fmt::Write as _;
use std::time::Duration;

/// The JSON a subscriber receives for one event (`contract::events::Delivery`).
pub fn body(e: &OutboxRow) -> String {
    let d = Delivery {
        id: e.id,
        event_type: e.event_type.clone(),
        aggregate_type: e.aggregate_type.clone(),
        aggregate_id: e.aggregate_id.clone(),
        stream: e.stream.clone(),
        created_at: e.created_at,
        payload: &e.payload,
    };
    serde_json::to_string(&d).unwrap_or_default()
}

/// `sha256=<hex>` of HMAC-SHA256(secret, "{timestamp}.{body}").
pub fn sign(secret: &str, timestamp: i64, body: &str) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else { return String::new() };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    let mut out = String::from("sha256=");
    for b in mac.finalize().into_bytes() {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// After try number `attempts` failed: when to try again, or `None` (dead)
/// once `max_attempts` are used. Backoff as the devices' ([`crate::sync::backoff`]).
pub fn retry_at(now: Timestamp, attempts: u32, max_attempts: u32, jitter: u64) -> Option<Timestamp> {
    if attempts >= max_attempts {
        return None;
    }
    let wait = crate::sync::backoff(attempts, jitter).min(Duration::from_secs(300));
    Some(now + chrono::Duration::milliseconds(wait.as_millis() as i64))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    #[test]
    fn signatures_are_hmac_sha256_over_timestamp_and_body() {
        // RFC 4231 test case 2 ("Jefe"), with the message split as "{ts}.{body}".
        let s = sign("Jefe", 0, "what do ya want for nothing?");
        assert_eq!(s.len(), "sha256=".len() + 64);
        assert_ne!(s, sign("Jefe", 1, "what do ya want for nothing?"), "the timestamp is signed");
        assert_ne!(s, sign("jefe", 0, "what do ya want for nothing?"), "the key matters");
        let mut mac = Hmac::<Sha256>::new_from_slice(b"Jefe").expect("key");
        mac.update(b"what do ya want for nothing?");
        let plain: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(plain, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }

    #[test]
    fn retries_back_off_then_stop() {
        let now = Utc.with_ymd_and_hms(2026, 5, 4, 8, 0, 0).single().unwrap_or_default();
        let first = retry_at(now, 1, 3, 0).expect("retry");
        let second = retry_at(now, 2, 3, 0).expect("retry");
        assert!(now < first && first < second);
        assert_eq!(retry_at(now, 3, 3, 0), None, "dead after max attempts");
    }
}
