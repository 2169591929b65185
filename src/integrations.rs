//! Seed 001's integrations, the pure half: which Redis stream an event goes
//! to and the fields it carries there (§5.1, §5.3), what an entry of
//! `listings:events:orders` asks (§5.4), and the `[redis]` and `[listings]`
//! settings. `server::streams` and `server::listings` do the IO.

use crate::app::command::{AddressDto, LineDto, OrderRequest};
use crate::storage::OutboxRow;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::time::Duration;

/// The stream the Listings service publishes orders on.
pub const ORDERS_STREAM: &str = "listings:events:orders";
/// The consumer group Tote reads it in.
pub const GROUP: &str = "wms-consumers";

/// The stream an event type is published on: `wms:events:picking`,
/// `:packing`, `:shipment`, `:inventory` (seed 001 §5.1), and
/// `wms:events:orders` for order and fulfillment events, which the seed
/// does not list.
pub fn stream_of(event_type: &str) -> &'static str {
    match event_type.split('.').next().unwrap_or("") {
        "picking" => "wms:events:picking",
        "packing" => "wms:events:packing",
        "shipment" => "wms:events:shipment",
        "inventory" | "putback" => "wms:events:inventory",
        _ => "wms:events:orders",
    }
}

/// An outbox event as a stream entry's fields: `event_id` (the outbox id,
/// for a reader that drops the repeats at-least-once delivery may bring),
/// then the payload's fields (`type`, `timestamp`, …), text as it is,
/// numbers in decimal, lists and objects as JSON.
pub fn entry_fields(e: &OutboxRow) -> Vec<(String, String)> {
    let mut out = vec![("event_id".to_owned(), e.id.to_string())];
    if let serde_json::Value::Object(m) = &e.payload {
        for (k, v) in m {
            let text = match v {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Null => continue,
                other => other.to_string(),
            };
            out.push((k.clone(), text));
        }
    }
    if !out.iter().any(|(k, _)| k == "type") {
        out.push(("type".into(), e.event_type.clone()));
    }
    out
}

/// What an entry of `listings:events:orders` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inbound {
    /// `order.confirmed`: take the order in. Its items name listings; the
    /// caller maps each to a SKU. No lines: the entry carried no items, and
    /// the caller asks Listings (`GetOrder`) for them, each line going to
    /// `warehouse`.
    Confirmed { order: Box<OrderRequest>, warehouse: Option<String> },
    /// `order.cancelled`.
    Cancelled { listings_order: String, reason: String },
}

/// One item of an `order.confirmed` entry (seed 001 §6.1's `OrderItem`).
#[derive(Debug, Clone, Deserialize)]
struct Item {
    listing_id: String,
    quantity: i64,
}

/// The request id a Listings order is taken in under: a second entry for
/// the same order is the same intake.
pub fn request_id(listings_order: &str) -> String {
    format!("listings-{listings_order}")
}

/// Reads an entry's fields. `order.confirmed` carries `order_id`, `items`
/// (JSON `[{"listing_id", "quantity"}]`), `ship_to` (JSON address) and
/// optionally `warehouse` and `priority`; `order.cancelled` carries
/// `order_id` and optionally `reason`. Line SKUs are the listing ids, for
/// the caller to map. An error names the field.
pub fn read_entry(fields: &BTreeMap<String, String>, warehouse: Option<&str>) -> Result<Inbound, String> {
    let get = |k: &str| fields.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    let order_id = get("order_id").ok_or("order_id: missing")?;
    if order_id.len() > 100 || order_id.chars().any(char::is_control) {
        return Err("order_id: at most 100 printable characters".into());
    }
    match get("type") {
        Some("order.confirmed") => {
            let items: Vec<Item> = match get("items") {
                Some(items) => serde_json::from_str(items).map_err(|e| format!("items: {e}"))?,
                None => Vec::new(),
            };
            let ship_to: AddressDto =
                serde_json::from_str(get("ship_to").ok_or("ship_to: missing")?).map_err(|e| format!("ship_to: {e}"))?;
            let warehouse = get("warehouse").or(warehouse).map(str::to_owned);
            let lines = items
                .into_iter()
                .map(|i| LineDto { sku: i.listing_id, quantity: i.quantity, warehouse: warehouse.clone() })
                .collect();
            Ok(Inbound::Confirmed {
                warehouse,
                order: Box::new(OrderRequest {
                    request_id: request_id(order_id),
                    external_ref: Some(order_id.to_owned()),
                    priority: get("priority").unwrap_or("normal").to_owned(),
                    ship_to,
                    lines,
                    short_policy: None,
                }),
            })
        }
        Some("order.cancelled") => Ok(Inbound::Cancelled {
            listings_order: order_id.to_owned(),
            reason: get("reason").unwrap_or("cancelled in Listings").to_owned(),
        }),
        Some(other) => Err(format!("type: order.confirmed or order.cancelled, not {other:?}")),
        None => Err("type: missing".into()),
    }
}

/// `[redis]`: publish every committed event to its stream and take orders
/// from `listings:events:orders`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedisConfig {
    /// `redis://host:port/db` (or `rediss://` for TLS).
    pub url: String,
    /// Each stream is trimmed to about this many entries (`MAXLEN ~`).
    pub max_len: u64,
    /// This server's name in the consumer group: stable across restarts,
    /// so a restarted server finishes its own pending entries first.
    pub consumer: String,
    /// An entry another consumer has held this long unacknowledged is
    /// claimed (`XAUTOCLAIM`): its consumer is taken for dead.
    pub claim_idle: Duration,
    /// The warehouse of orders whose entry names none.
    pub warehouse: Option<String>,
    /// Read `listings:events:orders` (false: publish only).
    pub consume: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileRedis {
    url: String,
    max_len: Option<u64>,
    consumer: Option<String>,
    claim_idle_secs: Option<u64>,
    warehouse: Option<String>,
    consume: Option<bool>,
}

impl RedisConfig {
    /// Reads `[redis]`; `host` names the consumer when the file does not.
    pub fn from_toml(v: toml::Value, host: &str) -> Result<RedisConfig, String> {
        let f: FileRedis = v.try_into().map_err(|e: toml::de::Error| format!("redis: {}", e.to_string().trim()))?;
        if !(f.url.starts_with("redis://") || f.url.starts_with("rediss://")) {
            return Err(format!("redis.url: a redis:// or rediss:// URL, not {:?}", f.url));
        }
        let max_len = f.max_len.unwrap_or(100_000);
        if !(100..=100_000_000).contains(&max_len) {
            return Err(format!("redis.max_len: 100 to 100000000, not {max_len}"));
        }
        let idle = f.claim_idle_secs.unwrap_or(60);
        if !(1..=86_400).contains(&idle) {
            return Err(format!("redis.claim_idle_secs: 1 to 86400, not {idle}"));
        }
        Ok(RedisConfig {
            url: f.url,
            max_len,
            consumer: f.consumer.unwrap_or_else(|| format!("tote-{host}")),
            claim_idle: Duration::from_secs(idle),
            warehouse: f.warehouse,
            consume: f.consume.unwrap_or(true),
        })
    }
}

/// `[listings]`: seed 001 §6.1's Listings service over HTTP(S).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListingsConfig {
    pub base_url: String,
    /// The variable or file that holds its API token (never the config).
    pub token: Option<crate::shipping::config::TokenSource>,
    pub timeout: Duration,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileListings {
    base_url: String,
    token_env: Option<String>,
    token_file: Option<String>,
    timeout_secs: Option<u64>,
}

impl ListingsConfig {
    pub fn from_toml(v: toml::Value) -> Result<ListingsConfig, String> {
        if let Some(k) = v.as_table().and_then(|t| t.keys().find(|k| k.as_str() == "token")) {
            return Err(format!("listings.{k}: credentials never go in the config file; use token_env or token_file"));
        }
        let f: FileListings =
            v.try_into().map_err(|e: toml::de::Error| format!("listings: {}", e.to_string().trim()))?;
        if !(f.base_url.starts_with("https://") || f.base_url.starts_with("http://")) {
            return Err(format!("listings.base_url: an http:// or https:// URL, not {:?}", f.base_url));
        }
        let token = crate::shipping::config::TokenSource::from_keys("listings", f.token_env, f.token_file)?;
        let timeout = f.timeout_secs.unwrap_or(5);
        if !(1..=120).contains(&timeout) {
            return Err(format!("listings.timeout_secs: 1 to 120, not {timeout}"));
        }
        Ok(ListingsConfig {
            base_url: f.base_url.trim_end_matches('/').to_owned(),
            token,
            timeout: Duration::from_secs(timeout),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn entries_become_intakes_and_cancels_or_name_the_bad_field() {
        let ship_to = r#"{"contact_name":"Ana","street":"Kvai 1","city":"Novi Sad","country":"RS"}"#;
        let e = fields(&[
            ("type", "order.confirmed"),
            ("order_id", "1001"),
            ("items", r#"[{"listing_id":"L-100","quantity":2,"price":9.5}]"#),
            ("ship_to", ship_to),
        ]);
        let Ok(Inbound::Confirmed { order, .. }) = read_entry(&e, Some("W1")) else { panic!("an intake") };
        assert_eq!((order.request_id.as_str(), order.external_ref.as_deref()), ("listings-1001", Some("1001")));
        assert_eq!((order.lines[0].sku.as_str(), order.lines[0].quantity), ("L-100", 2));
        assert_eq!(order.lines[0].warehouse.as_deref(), Some("W1"));
        let c = read_entry(&fields(&[("type", "order.cancelled"), ("order_id", "1001")]), None);
        assert!(matches!(c, Ok(Inbound::Cancelled { listings_order, .. }) if listings_order == "1001"));
        for (bad, field) in [
            (fields(&[("type", "order.confirmed"), ("order_id", "1"), ("items", "[]")]), "ship_to"),
            (fields(&[("type", "order.confirmed"), ("order_id", "1"), ("items", "{"), ("ship_to", ship_to)]), "items"),
            (fields(&[("type", "order.shipped"), ("order_id", "1")]), "type"),
            (fields(&[("type", "order.cancelled")]), "order_id"),
        ] {
            let e = read_entry(&bad, None).expect_err("refused");
            assert!(e.starts_with(field), "{field}: {e}");
        }
    }

    /// An entry without items is an intake whose lines Listings gives.
    #[test]
    fn an_entry_without_items_leaves_them_to_listings() {
        let ship_to = r#"{"contact_name":"Ana","street":"Kvai 1","city":"Novi Sad","country":"RS"}"#;
        let e = fields(&[("type", "order.confirmed"), ("order_id", "7"), ("ship_to", ship_to), ("warehouse", "W2")]);
        let Ok(Inbound::Confirmed { order, warehouse }) = read_entry(&e, Some("W1")) else { panic!("an intake") };
        assert!(order.lines.is_empty());
        assert_eq!(warehouse.as_deref(), Some("W2"), "the entry's warehouse wins over the default");
    }

    #[test]
    fn events_go_to_their_seed_streams_with_flat_fields() {
        assert_eq!(stream_of("picking.created"), "wms:events:picking");
        assert_eq!(stream_of("shipment.created"), "wms:events:shipment");
        assert_eq!(stream_of("inventory.reserved"), "wms:events:inventory");
        assert_eq!(stream_of("order.created"), "wms:events:orders");
        let row = OutboxRow {
            id: 9,
            event_type: "shipment.created".into(),
            aggregate_type: "order".into(),
            aggregate_id: "7".into(),
            stream: "shipment".into(),
            payload: serde_json::json!({"v": 2, "type": "shipment.created", "timestamp": 1700000000,
                "shipment_id": "DS-1", "order_id": 7, "tracking_numbers": ["A", "B"]}),
            created_at: chrono::DateTime::UNIX_EPOCH,
        };
        let f: BTreeMap<String, String> = entry_fields(&row).into_iter().collect();
        assert_eq!(f["event_id"], "9");
        assert_eq!(f["type"], "shipment.created");
        assert_eq!(f["timestamp"], "1700000000");
        assert_eq!(f["order_id"], "7");
        assert_eq!(f["tracking_numbers"], r#"["A","B"]"#);
    }
}
