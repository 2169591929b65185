//! The outbox relay: delivers committed outbox events to webhook
//! subscribers. It reads only `outbox_events` rows, which exist only once
//! their transaction committed, so no event is published that was not.
//!
//! Each round fans new events out to the endpoints that want them (one
//! pending delivery per endpoint and event), then posts the due deliveries,
//! at most `concurrency` at once, each signed ([`crate::relay::sign`]). A
//! 2xx marks it delivered; anything else retries with backoff until the
//! endpoint's `max_attempts`, then the delivery is dead (replay with
//! `tote events replay`). It stops when the server stops; deliveries under
//! way finish first.

use super::writer::WriterHandle;
use crate::app::{AppError, Services};
use crate::relay;
use crate::storage::StorageError;
use crate::storage::relay::Due;
use std::time::Duration;
use tokio::sync::watch;

/// How the relay runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RelayConfig {
    /// The longest sleep when nothing is due: the relay wakes on every
    /// commit and when the next retry is due, at the latest after this.
    pub idle: Duration,
    /// Deliveries posted at once.
    pub concurrency: usize,
    /// Per request.
    pub timeout: Duration,
}

impl Default for RelayConfig {
    fn default() -> Self {
        RelayConfig { idle: Duration::from_secs(1), concurrency: 8, timeout: Duration::from_secs(5) }
    }
}

/// Runs until `stop` turns true.
pub async fn run(services: Services, writer: WriterHandle, config: RelayConfig, mut stop: watch::Receiver<bool>) {
    let mut commits = writer.commits();
    let Ok(http) = crate::tls::client().timeout(config.timeout).build() else {
        tracing::error!("the relay could not build its HTTP client");
        return;
    };
    loop {
        if *stop.borrow() {
            return;
        }
        let worked = match round(&services, &writer, &http, config).await {
            Ok(n) => n > 0,
            Err(e) => {
                tracing::warn!(error = %e, "relay round failed");
                false
            }
        };
        if !worked {
            let next = super::read(&services, |s| Ok(s.store().read(|tx| tx.next_delivery_due())?)).await;
            let wait = match next {
                Ok(Some(at)) => (at - services.now()).to_std().unwrap_or(Duration::ZERO),
                _ => config.idle,
            };
            tokio::select! {
                _ = tokio::time::sleep(wait.clamp(Duration::from_millis(50), config.idle)) => {}
                _ = commits.changed() => tokio::time::sleep(super::writer::COALESCE).await,
                _ = stop.changed() => {}
            }
        }
    }
}

/// One round; returns the deliveries tried.
async fn round(
    services: &Services,
    writer: &WriterHandle,
    http: &reqwest::Client,
    config: RelayConfig,
) -> Result<usize, AppError> {
    let now = services.now();
    let (endpoints, newest) = super::read(services, |s| {
        Ok(s.store().read(|tx| Ok::<_, StorageError>((tx.endpoints()?, tx.outbox_newest()?)))?)
    })
    .await?;
    if endpoints.is_empty() {
        return Ok(0);
    }
    // Only endpoints behind the outbox need a fan-out: an idle relay does
    // not take the write lock (the writer thread's) four times a second.
    let behind: Vec<_> = endpoints.into_iter().filter(|e| e.active && e.cursor < newest).collect();
    if !behind.is_empty() {
        writer
            .write(move |tx| {
                for e in &behind {
                    tx.fan_out(e, 500, now)?;
                }
                Ok(())
            })
            .await?;
    }
    let due = super::read(services, move |s| Ok(s.store().read(|tx| tx.due_deliveries(now, 256))?)).await?;
    let tried = due.len();
    for chunk in due.chunks(config.concurrency.max(1)) {
        let mut set = tokio::task::JoinSet::new();
        for d in chunk.iter().cloned() {
            let http = http.clone();
            let ts = now.timestamp();
            set.spawn(async move {
                let result = deliver(&http, &d, ts).await;
                (d, result)
            });
        }
        let mut results = Vec::with_capacity(chunk.len());
        while let Some(r) = set.join_next().await {
            if let Ok(r) = r {
                results.push(r);
            }
        }
        let now = services.now();
        writer
            .write(move |tx| {
            for (d, result) in &results {
                match result {
                    Ok(()) => tx.delivered(d.endpoint.id, d.event.id, now)?,
                    Err(why) => {
                        let attempts = d.attempts + 1;
                        let jitter = rand_core::RngCore::next_u64(&mut rand_core::OsRng);
                        let at = relay::retry_at(now, attempts, d.endpoint.max_attempts, jitter);
                        if at.is_none() {
                            tracing::warn!(endpoint = %d.endpoint.name, event = d.event.id, error = %why, "delivery dead");
                        }
                        tx.delivery_failed(d.endpoint.id, d.event.id, why, at)?;
                    }
                }
            }
            Ok(())
        })
        .await?;
    }
    Ok(tried)
}

async fn deliver(http: &reqwest::Client, d: &Due, timestamp: i64) -> Result<(), String> {
    let body = relay::body(&d.event);
    let resp = http
        .post(&d.endpoint.url)
        .header("content-type", "application/json")
        .header("x-tote-event-id", d.event.id.to_string())
        .header("x-tote-event-type", &d.event.event_type)
        .header("x-tote-timestamp", timestamp.to_string())
        .header("x-tote-signature", relay::sign(&d.endpoint.secret, timestamp, &body))
        .body(body)
        .send()
        .await
        .map_err(|e| crate::tls::describe(&e))?;
    if resp.status().is_success() { Ok(()) } else { Err(format!("HTTP {}", resp.status().as_u16())) }
}
