//! The Listings service (seed 001 §6.1), when `[listings]` is set.
//!
//! - `UpdateOrderStatus`: when an order that came from Listings (it has an
//!   `external_ref`) is packed, `POST {base}/api/v1/orders/{ref}/status`
//!   with `{"status": "ready_for_shipment", "message": …}`. Driven by the
//!   outbox (`packing.completed`) from a cursor that moves only after
//!   Listings answered, so a report survives a restart; each call carries
//!   `Idempotency-Key: tote-event-{id}`. A 5xx or no answer is retried
//!   with backoff behind a circuit breaker; a 4xx is final (logged).
//! - `GetOrder`: `GET {base}/api/v1/orders/{id}`, for an `order.confirmed`
//!   stream entry that carries no items.

use super::writer::WriterHandle;
use crate::app::Services;
use crate::integrations::ListingsConfig;
use crate::shipping::breaker::Breaker;
use serde::Deserialize;
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::watch;

const CURSOR: &str = "listings";

/// Why a call to Listings did not succeed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ListingsError {
    /// Listings said no (4xx): asking again will not help.
    #[error("listings refused ({status}): {body}")]
    Refused { status: u16, body: String },
    /// No answer or a 5xx: ask again later.
    #[error("listings unavailable: {0}")]
    Unavailable(String),
    /// It failed repeatedly; not called until it has cooled down.
    #[error("listings circuit open")]
    CircuitOpen,
}

/// An order as Listings holds it (the part Tote reads).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ListingsOrder {
    #[serde(default)]
    pub items: Vec<ListingsItem>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ListingsItem {
    pub listing_id: String,
    pub quantity: i64,
}

/// The HTTP client, with its circuit breaker.
#[derive(Debug)]
pub struct ListingsClient {
    base: String,
    token: Option<String>,
    http: reqwest::Client,
    services: Services,
    breaker: Mutex<Breaker>,
}

impl ListingsClient {
    /// `token` is the API token, read from where the config names.
    pub fn new(cfg: &ListingsConfig, token: Option<String>, services: Services) -> Result<Self, String> {
        let http = crate::tls::client().timeout(cfg.timeout).build().map_err(|e| e.to_string())?;
        let breaker = Mutex::new(Breaker::new(5, chrono::Duration::seconds(30)));
        Ok(ListingsClient { base: cfg.base_url.clone(), token, http, services, breaker })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Breaker> {
        self.breaker.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    async fn call(&self, req: reqwest::RequestBuilder) -> Result<String, ListingsError> {
        if !self.lock().allow(self.services.now()) {
            return Err(ListingsError::CircuitOpen);
        }
        let req = match &self.token {
            Some(t) => req.bearer_auth(t),
            None => req,
        };
        let failed = |reason: String| {
            self.lock().failure(self.services.now());
            Err(ListingsError::Unavailable(reason))
        };
        match req.send().await {
            Ok(r) if r.status().is_success() => {
                self.lock().success();
                r.text().await.map_err(|e| ListingsError::Unavailable(e.to_string()))
            }
            Ok(r) if r.status().is_client_error() => {
                self.lock().success();
                let status = r.status().as_u16();
                Err(ListingsError::Refused { status, body: r.text().await.unwrap_or_default() })
            }
            Ok(r) => failed(format!("HTTP {}", r.status())),
            Err(e) => failed(crate::tls::describe(&e)),
        }
    }

    /// `UpdateOrderStatus(order, status, message)`.
    pub async fn update_order_status(
        &self,
        order: &str,
        status: &str,
        message: &str,
        key: &str,
    ) -> Result<(), ListingsError> {
        let url = format!("{}/api/v1/orders/{order}/status", self.base);
        let body = serde_json::json!({"status": status, "message": message});
        self.call(self.http.post(url).header("Idempotency-Key", key).json(&body)).await.map(|_| ())
    }

    /// `GetOrder(order)`.
    pub async fn get_order(&self, order: &str) -> Result<ListingsOrder, ListingsError> {
        let text = self.call(self.http.get(format!("{}/api/v1/orders/{order}", self.base))).await?;
        serde_json::from_str(&text).map_err(|e| ListingsError::Refused { status: 200, body: e.to_string() })
    }
}

/// Reports packed orders to Listings until `stop` turns true.
pub async fn report(
    services: Services,
    writer: WriterHandle,
    client: std::sync::Arc<ListingsClient>,
    mut stop: watch::Receiver<bool>,
) {
    let mut commits = writer.commits();
    let mut backoff = Duration::from_millis(250);
    while !*stop.borrow() {
        let batch = super::read(&services, |s| {
            Ok(s.store().read(|tx| {
                let after = tx.integration_cursor(CURSOR)?.unwrap_or(0);
                let events = tx.events_after(after, 200)?;
                // The Listings order of each packed order, where it has one.
                let mut out = Vec::with_capacity(events.len());
                for e in events {
                    let order = match (e.event_type.as_str(), e.payload["order_id"].as_i64()) {
                        ("packing.completed", Some(id)) => {
                            tx.order(crate::domain::ids::OrderId(id))?.and_then(|o| o.external_ref)
                        }
                        _ => None,
                    };
                    let packages = e.payload["packages"].as_u64().unwrap_or(0);
                    out.push((e.id, order, packages));
                }
                Ok::<_, crate::storage::StorageError>(out)
            })?)
        })
        .await;
        let events = match batch {
            Ok(e) if !e.is_empty() => e,
            Ok(_) => {
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                    _ = commits.changed() => tokio::time::sleep(super::writer::COALESCE).await,
                    _ = stop.changed() => {}
                }
                continue;
            }
            Err(e) => {
                tracing::warn!(error = %e, "listings reporter could not read the outbox");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        let mut done = None;
        let mut blocked = false;
        for (id, order, packages) in events {
            if let Some(order) = order {
                let message = format!("packed in {packages} package(s)");
                let key = format!("tote-event-{id}");
                match client.update_order_status(&order, "ready_for_shipment", &message, &key).await {
                    Ok(()) => tracing::info!(%order, "listings: order ready for shipment"),
                    Err(e @ ListingsError::Refused { .. }) => tracing::warn!(%order, error = %e, "listings refused"),
                    Err(e) => {
                        tracing::warn!(%order, error = %e, "listings not reached; will try again");
                        blocked = true;
                        break;
                    }
                }
            }
            done = Some(id);
        }
        if let Some(last) = done
            && let Err(e) = writer.write(move |tx| Ok(tx.set_integration_cursor(CURSOR, last)?)).await
        {
            tracing::warn!(error = %e, "listings reporter could not move its cursor");
        }
        if blocked {
            tokio::select! {
                _ = tokio::time::sleep(backoff) => {}
                _ = stop.changed() => {}
            }
            backoff = (backoff * 2).min(Duration::from_secs(30));
        } else {
            backoff = Duration::from_millis(250);
        }
    }
}
