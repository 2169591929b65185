//! Redis Streams (seed 001 §5), when `[redis]` is set.
//!
//! - **Out**: every committed outbox event is `XADD`ed to its stream
//!   (`integrations::stream_of`, trimmed with `MAXLEN ~`), in outbox order.
//!   The cursor (`integration_cursors.redis`) moves through the writer only
//!   after Redis took the batch: at least once; a reader drops repeats by
//!   `event_id`.
//! - **In**: `listings:events:orders` is read in group `wms-consumers`.
//!   `order.confirmed` is taken in as an intake, `order.cancelled` cancels,
//!   each under the op id `redis-{entry id}`, so an entry applied twice is
//!   answered from the record. An entry is `XACK`ed only after its commit;
//!   one that cannot be applied goes to `listings:events:orders:dead` with
//!   the reason, then is acknowledged. A restarted server finishes its own
//!   pending entries first, and entries a dead consumer held longer than
//!   `claim_idle` are claimed (`XAUTOCLAIM`). An `order.confirmed` without
//!   items gets them from Listings (`GetOrder`).
//!
//! The Redis client is blocking; each exchange runs on a blocking thread.

use super::writer::WriterHandle;
use crate::app::{AppError, Command, Services};
use crate::integrations::{self, GROUP, Inbound, ORDERS_STREAM, RedisConfig};
use redis::Value;
use std::collections::BTreeMap;
use std::time::Duration;
use tokio::sync::watch;

const CURSOR: &str = "redis";
const BATCH: u32 = 500;
const DEAD: &str = "listings:events:orders:dead";

/// Waits for the next commit, a stop, or `idle`, whichever comes first.
async fn pause(commits: &mut watch::Receiver<u64>, stop: &mut watch::Receiver<bool>, idle: Duration) {
    tokio::select! {
        _ = tokio::time::sleep(idle) => {}
        _ = commits.changed() => tokio::time::sleep(super::writer::COALESCE).await,
        _ = stop.changed() => {}
    }
}

/// A connection made on a blocking thread (Redis may be slow to answer).
async fn connect(url: &str) -> Result<redis::Connection, String> {
    let url = url.to_owned();
    tokio::task::spawn_blocking(move || {
        let client = redis::Client::open(url.as_str()).map_err(|e| e.to_string())?;
        let conn = client.get_connection_with_timeout(Duration::from_secs(5)).map_err(|e| e.to_string())?;
        conn.set_read_timeout(Some(Duration::from_secs(10))).map_err(|e| e.to_string())?;
        conn.set_write_timeout(Some(Duration::from_secs(10))).map_err(|e| e.to_string())?;
        Ok(conn)
    })
    .await
    .map_err(|e| e.to_string())?
}

/// Runs `f` with the connection on a blocking thread; a failure drops the
/// connection (the next call makes a new one).
async fn with<T: Send + 'static>(
    slot: &mut Option<redis::Connection>,
    url: &str,
    f: impl FnOnce(&mut redis::Connection) -> redis::RedisResult<T> + Send + 'static,
) -> Result<T, String> {
    let mut conn = match slot.take() {
        Some(c) => c,
        None => connect(url).await?,
    };
    let (conn, r) = tokio::task::spawn_blocking(move || {
        let r = f(&mut conn);
        (conn, r)
    })
    .await
    .map_err(|e| e.to_string())?;
    match r {
        Ok(v) => {
            *slot = Some(conn);
            Ok(v)
        }
        Err(e) => Err(e.to_string()),
    }
}

/// Publishes the outbox until `stop` turns true.
pub async fn publish(services: Services, writer: WriterHandle, cfg: RedisConfig, mut stop: watch::Receiver<bool>) {
    let mut commits = writer.commits();
    let mut conn = None;
    let mut backoff = Duration::from_millis(250);
    while !*stop.borrow() {
        let batch = super::read(&services, |s| {
            Ok(s.store().read(|tx| {
                let after = tx.integration_cursor(CURSOR)?.unwrap_or(0);
                tx.events_after(after, BATCH)
            })?)
        })
        .await;
        let events = match batch {
            Ok(e) => e,
            Err(e) => {
                tracing::warn!(error = %e, "redis publisher could not read the outbox");
                pause(&mut commits, &mut stop, Duration::from_secs(1)).await;
                continue;
            }
        };
        let Some(last) = events.last().map(|e| e.id) else {
            pause(&mut commits, &mut stop, Duration::from_secs(1)).await;
            continue;
        };
        let max_len = cfg.max_len;
        let sent = with(&mut conn, &cfg.url, move |c| {
            let mut pipe = redis::pipe();
            for e in &events {
                let cmd = pipe.cmd("XADD").arg(integrations::stream_of(&e.event_type));
                cmd.arg("MAXLEN").arg("~").arg(max_len).arg("*");
                for (k, v) in integrations::entry_fields(e) {
                    cmd.arg(k).arg(v);
                }
            }
            pipe.query::<()>(c)
        })
        .await;
        match sent {
            Ok(()) => {
                backoff = Duration::from_millis(250);
                if let Err(e) = writer.write(move |tx| Ok(tx.set_integration_cursor(CURSOR, last)?)).await {
                    tracing::warn!(error = %e, "redis publisher could not move its cursor");
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "redis publisher: XADD failed; retrying");
                tokio::select! {
                    _ = tokio::time::sleep(backoff) => {}
                    _ = stop.changed() => {}
                }
                backoff = (backoff * 2).min(Duration::from_secs(10));
            }
        }
    }
}

/// One entry read from the stream: its id and fields.
type Entry = (String, BTreeMap<String, String>);

fn entries(v: &Value) -> Vec<Entry> {
    let text = |v: &Value| match v {
        Value::BulkString(b) => String::from_utf8_lossy(b).into_owned(),
        Value::SimpleString(s) => s.clone(),
        other => format!("{other:?}"),
    };
    let mut out = Vec::new();
    if let Value::Array(list) = v {
        for e in list {
            if let Value::Array(pair) = e
                && let [id, Value::Array(kv)] = pair.as_slice()
            {
                let fields = kv.chunks(2).filter_map(|c| Some((text(c.first()?), text(c.get(1)?)))).collect();
                out.push((text(id), fields));
            }
        }
    }
    out
}

/// XREADGROUP's answer: `[[stream, [entries…]]]`, or nil on timeout.
fn read_group_entries(v: &Value) -> Vec<Entry> {
    match v {
        Value::Array(streams) => streams
            .iter()
            .filter_map(|s| match s {
                Value::Array(pair) => pair.get(1).map(entries),
                Value::Map(m) => m.first().map(|(_, e)| entries(e)),
                _ => None,
            })
            .flatten()
            .collect(),
        Value::Map(m) => m.iter().flat_map(|(_, e)| entries(e)).collect(),
        _ => Vec::new(),
    }
}

/// Takes orders from `listings:events:orders` until `stop` turns true.
pub async fn consume(
    services: Services,
    writer: WriterHandle,
    cfg: RedisConfig,
    listings: Option<std::sync::Arc<super::listings::ListingsClient>>,
    mut stop: watch::Receiver<bool>,
) {
    let mut conn = None;
    let mut own_pending = true;
    let mut last_claim = tokio::time::Instant::now() - cfg.claim_idle;
    while !*stop.borrow() {
        let (consumer, idle_ms) = (cfg.consumer.clone(), cfg.claim_idle.as_millis().min(u128::from(u32::MAX)));
        let claim = last_claim.elapsed() >= cfg.claim_idle;
        let read = with(&mut conn, &cfg.url, move |c| {
            match redis::cmd("XGROUP").arg("CREATE").arg(ORDERS_STREAM).arg(GROUP).arg("0").arg("MKSTREAM").exec(c) {
                Err(e) if e.code() != Some("BUSYGROUP") => return Err(e),
                _ => {}
            }
            if claim {
                let v: Value = redis::cmd("XAUTOCLAIM")
                    .arg(ORDERS_STREAM)
                    .arg(GROUP)
                    .arg(&consumer)
                    .arg(idle_ms as u64)
                    .arg("0")
                    .arg("COUNT")
                    .arg(100)
                    .query(c)?;
                if let Value::Array(parts) = &v {
                    let claimed = parts.get(1).map(entries).unwrap_or_default();
                    if !claimed.is_empty() {
                        return Ok((true, claimed));
                    }
                }
            }
            // Own pending entries first (from "0"), then new ones.
            let from = if own_pending { "0" } else { ">" };
            let mut cmd = redis::cmd("XREADGROUP");
            cmd.arg("GROUP").arg(GROUP).arg(&consumer).arg("COUNT").arg(50);
            if !own_pending {
                cmd.arg("BLOCK").arg(1000);
            }
            let v: Value = cmd.arg("STREAMS").arg(ORDERS_STREAM).arg(from).query(c)?;
            Ok((false, read_group_entries(&v)))
        })
        .await;
        if claim {
            last_claim = tokio::time::Instant::now();
        }
        let (claimed, batch) = match read {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(error = %e, "redis consumer could not read {ORDERS_STREAM}; retrying");
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                    _ = stop.changed() => {}
                }
                continue;
            }
        };
        if batch.is_empty() && !claimed {
            own_pending = false;
            continue;
        }
        let mut done = Vec::new();
        let mut dead = Vec::new();
        let mut again = false;
        for (id, fields) in batch {
            match apply(&services, &writer, listings.as_deref(), &cfg, &id, &fields).await {
                Ok(()) => done.push(id),
                Err(Applied::Refused(reason)) => {
                    tracing::warn!(entry = %id, %reason, "order entry refused; sent to {DEAD}");
                    dead.push((id.clone(), reason, fields));
                    done.push(id);
                }
                Err(Applied::Later(reason)) => {
                    tracing::warn!(entry = %id, %reason, "order entry not applied; will try again");
                    again = true;
                    break;
                }
            }
        }
        let acked = with(&mut conn, &cfg.url, move |c| {
            for (id, reason, fields) in &dead {
                let mut cmd = redis::cmd("XADD");
                cmd.arg(DEAD).arg("*").arg("entry_id").arg(id).arg("reason").arg(reason);
                for (k, v) in fields {
                    cmd.arg(k).arg(v);
                }
                cmd.exec(c)?;
            }
            if !done.is_empty() {
                redis::cmd("XACK").arg(ORDERS_STREAM).arg(GROUP).arg(&done).exec(c)?;
            }
            Ok(())
        })
        .await;
        if let Err(e) = &acked {
            tracing::warn!(error = %e, "redis consumer could not acknowledge; the entries come again");
        }
        // What was not acknowledged is this consumer's pending: read it again.
        own_pending = again || acked.is_err() || claimed;
        if again {
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                _ = stop.changed() => {}
            }
        }
    }
}

enum Applied {
    /// Final: the entry is wrong or the order cannot be taken.
    Refused(String),
    /// The store failed: try again.
    Later(String),
}

async fn apply(
    services: &Services,
    writer: &WriterHandle,
    listings: Option<&super::listings::ListingsClient>,
    cfg: &RedisConfig,
    id: &str,
    fields: &BTreeMap<String, String>,
) -> Result<(), Applied> {
    let inbound = integrations::read_entry(fields, cfg.warehouse.as_deref()).map_err(Applied::Refused)?;
    let later = |e: AppError| Applied::Later(e.to_string());
    let command = match inbound {
        Inbound::Confirmed { mut order, warehouse } => {
            if order.lines.is_empty() {
                let Some(listings) = listings else {
                    return Err(Applied::Refused("items: missing, and no [listings] to ask for them".into()));
                };
                let id = order.external_ref.clone().unwrap_or_default();
                let got = listings.get_order(&id).await.map_err(|e| match e {
                    super::listings::ListingsError::Refused { .. } => Applied::Refused(format!("items: {e}")),
                    e => Applied::Later(e.to_string()),
                })?;
                order.lines = got
                    .items
                    .into_iter()
                    .map(|i| crate::app::command::LineDto {
                        sku: i.listing_id,
                        quantity: i.quantity,
                        warehouse: warehouse.clone(),
                    })
                    .collect();
            }
            // Items name listings; a linked product's SKU is used, else the
            // listing id is taken to be the SKU.
            let listings: Vec<String> = order.lines.iter().map(|l| l.sku.clone()).collect();
            let skus = super::read(services, move |s| {
                Ok(s.store().read(|tx| {
                    listings.iter().map(|l| Ok(tx.sku_of_listing(l)?.unwrap_or_else(|| l.clone()))).collect::<Result<
                        Vec<_>,
                        crate::storage::StorageError,
                    >>(
                    )
                })?)
            })
            .await
            .map_err(later)?;
            for (line, sku) in order.lines.iter_mut().zip(skus) {
                line.sku = sku;
            }
            Command::SubmitOrder(*order)
        }
        Inbound::Cancelled { listings_order, reason } => {
            let request = integrations::request_id(&listings_order);
            let found = super::read(services, move |s| Ok(s.store().read(|tx| tx.order_by_request(&request))?))
                .await
                .map_err(later)?;
            let order = found.ok_or_else(|| Applied::Refused(format!("order_id: no order {listings_order} here")))?;
            Command::CancelOrder { order_id: order.0, reason }
        }
    };
    match writer.execute(format!("redis-{id}"), command).await {
        Ok(_) => Ok(()),
        Err(AppError::Rejected(r)) => Err(Applied::Refused(format!("{} {}", r.code, r.message))),
        Err(e) => Err(later(e)),
    }
}
