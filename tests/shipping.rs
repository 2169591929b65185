//! Carriers: the local carrier's tracking numbers, and the delivery-service
//! adapter against a loopback HTTP service that fails on cue.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tote::app::FixedClock;
use tote::shipping::delivery::{DeliveryConfig, DeliveryServiceCarrier};
use tote::shipping::local::LocalCarrier;
use tote::shipping::{Carrier, CarrierError, PackageSpec, PostalAddress, ShipmentRequest, TrackingStatus, tracking};

fn address(name: &str) -> PostalAddress {
    PostalAddress {
        contact_name: name.into(),
        street: "Knez Mihailova 1".into(),
        city: "Beograd".into(),
        postal_code: "11000".into(),
        country: "RS".into(),
        phone: String::new(),
    }
}

fn request(weights: &[Option<u64>]) -> ShipmentRequest {
    ShipmentRequest {
        idempotency_key: "shipment-7".into(),
        order_id: 42,
        warehouse_id: 1,
        warehouse_code: "W1".into(),
        provider: "PostExpress".into(),
        from: address("Tote BG1"),
        to: address("Ana"),
        packages: weights
            .iter()
            .enumerate()
            .map(|(i, w)| PackageSpec {
                sequence: u32::try_from(i + 1).expect("small"),
                weight_g: *w,
                length_mm: 300,
                width_mm: 200,
                height_mm: 100,
            })
            .collect(),
    }
}

#[test]
fn local_carrier_numbers_are_valid_unique_and_stable() {
    let c = LocalCarrier::default();
    let s = c.create_shipment(&request(&[Some(1200), Some(800)])).expect("shipment");
    assert_eq!(s.tracking_numbers.len(), 2);
    assert!(s.tracking_numbers.iter().all(|t| tracking::is_valid(t)), "{:?}", s.tracking_numbers);
    assert_ne!(s.tracking_numbers[0], s.tracking_numbers[1]);
    let again = c.create_shipment(&request(&[Some(1200), Some(800)])).expect("retry");
    assert_eq!(again.tracking_numbers, s.tracking_numbers, "a retry gets the same numbers");
    c.void(&s.tracking_numbers[0]).expect("void");
    assert_eq!(c.track(&s.tracking_numbers[0]), Ok(TrackingStatus::Voided));
    assert_eq!(c.track(&s.tracking_numbers[1]), Ok(TrackingStatus::Created));
    assert!(matches!(c.track("nonsense"), Err(CarrierError::UnknownTracking(_))));
}

#[test]
fn zero_or_missing_weight_is_refused_before_sending() {
    for weights in [vec![Some(1200), Some(0)], vec![None]] {
        let err = LocalCarrier::default().create_shipment(&request(&weights)).expect_err("refused");
        assert!(matches!(&err, CarrierError::Invalid { field, .. } if field.ends_with("weight_g")), "{err}");
        assert!(!err.is_retryable());
    }
}

/// One recorded request: method and path, idempotency key, JSON body.
type Seen = Arc<Mutex<Vec<(String, Option<String>, serde_json::Value)>>>;

/// A delivery service on loopback answering from a script of (status, body).
fn fake_service(script: Vec<(u16, &'static str)>) -> (String, Seen) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let seen: Seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        let mut script = script.into_iter();
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { break };
            let mut reader = BufReader::new(conn.try_clone().expect("clone"));
            let mut line = String::new();
            let _ = reader.read_line(&mut line);
            let request_line = line.trim().to_owned();
            let (mut length, mut key) = (0usize, None);
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                    break;
                }
                let lower = h.to_ascii_lowercase();
                if let Some(v) = lower.strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
                if lower.starts_with("idempotency-key:") {
                    key = h.split_once(':').map(|(_, v)| v.trim().to_owned());
                }
            }
            let mut body = vec![0u8; length];
            let _ = reader.read_exact(&mut body);
            log.lock().expect("lock").push((request_line, key, serde_json::from_slice(&body).unwrap_or_default()));
            let (status, text) = script.next().unwrap_or((500, "{}"));
            let _ = write!(
                conn,
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{text}",
                text.len()
            );
        }
    });
    (base, seen)
}

fn carrier(base: &str, attempts: u32, threshold: u32) -> DeliveryServiceCarrier {
    let mut config = DeliveryConfig::new(base);
    config.attempts = attempts;
    config.base_backoff = Duration::from_millis(5);
    config.breaker_threshold = threshold;
    let clock = Arc::new(FixedClock::new(chrono::DateTime::UNIX_EPOCH));
    DeliveryServiceCarrier::new(config, clock).expect("carrier")
}

#[test]
fn delivery_service_retries_5xx_with_the_same_key_and_sends_seed_shapes() {
    let ok = r#"{"id": 991, "tracking_number": "PE000000001RS", "label_url": "https://labels/991"}"#;
    let (base, seen) = fake_service(vec![(503, "{}"), (502, "{}"), (201, ok)]);
    let s = carrier(&base, 3, 10).create_shipment(&request(&[Some(1250)])).expect("shipment after retries");
    assert_eq!(s.tracking_numbers, vec!["PE000000001RS".to_owned()]);
    assert_eq!(s.shipment_ids, vec!["991".to_owned()]);
    let seen = seen.lock().expect("lock");
    assert_eq!(seen.len(), 3);
    assert!(seen.iter().all(
        |(line, key, _)| line.starts_with("POST /api/v1/shipments ") && key.as_deref() == Some("shipment-7-pkg-1")
    ));
    let body = &seen[2].2;
    assert_eq!(body["provider"], "PostExpress");
    assert_eq!(body["package"]["weight"], 1.25);
    assert_eq!(body["package"]["length"], 30.0);
    assert_eq!(body["to_address"]["contact_name"], "Ana");
    assert_eq!(body["order_id"], 42);
}

#[test]
fn delivery_service_does_not_retry_4xx() {
    let (base, seen) = fake_service(vec![(422, r#"{"error":"bad postal code"}"#)]);
    let err = carrier(&base, 3, 10).create_shipment(&request(&[Some(500)])).expect_err("refused");
    assert!(matches!(&err, CarrierError::Refused { status: 422, body } if body.contains("postal")), "{err}");
    assert_eq!(seen.lock().expect("lock").len(), 1);
}

#[test]
fn the_circuit_opens_after_repeated_failures() {
    let (base, seen) = fake_service(vec![(500, "{}"); 10]);
    let c = carrier(&base, 1, 2);
    for _ in 0..2 {
        assert!(matches!(c.create_shipment(&request(&[Some(500)])), Err(CarrierError::Unavailable { .. })));
    }
    let err = c.create_shipment(&request(&[Some(500)])).expect_err("open");
    assert_eq!(err, CarrierError::CircuitOpen);
    assert!(err.is_retryable());
    assert_eq!(seen.lock().expect("lock").len(), 2, "an open circuit sends nothing");
    // Nothing is sent for a weightless package either.
    assert!(matches!(c.create_shipment(&request(&[Some(0)])), Err(CarrierError::Invalid { .. })));
    assert_eq!(seen.lock().expect("lock").len(), 2);
}

#[test]
fn a_dead_service_is_unavailable_not_a_hang() {
    // A port nobody listens on: refused at once, retried, then reported.
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    drop(listener);
    let err = carrier(&base, 2, 10).create_shipment(&request(&[Some(500)])).expect_err("down");
    assert!(matches!(err, CarrierError::Unavailable { attempts: 2, .. }), "{err}");
}
