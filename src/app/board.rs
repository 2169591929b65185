//! The supervisor board's read model (`GET /api/v1/board`, `tote board`):
//! open work by queue, status and priority with its age, the stuck-work
//! alerts, throughput over the last hour and day (seed 001 §12.1), stock-out
//! follow-ups, devices and workflows.

use super::{AppError, Services};
use crate::domain::DomainError;
use crate::domain::Timestamp;
use crate::domain::alerts::{self, Alert, Thresholds};
use crate::domain::order::Priority;
pub use crate::storage::board::Scope;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct QueueDepth {
    /// picking, packing or shipping.
    pub queue: String,
    /// A task status, or the shipping step.
    pub status: String,
    pub priority: String,
    pub count: u64,
    /// How long the oldest of them has waited.
    pub oldest_secs: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AlertView {
    pub rule: String,
    pub subject: String,
    pub since: DateTime<Utc>,
    pub age_secs: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct WorkerPicks {
    pub worker: String,
    pub picks: u64,
}

/// Output over one window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Throughput {
    pub window_secs: i64,
    /// Items picked per worker in the window, busiest first.
    pub picks_by_worker: Vec<WorkerPicks>,
    /// Share of closed items that were short or skipped.
    pub shortage_rate: f64,
    pub shipped: usize,
    pub order_to_ship_p50_secs: Option<i64>,
    pub order_to_ship_p95_secs: Option<i64>,
    /// Stock-out follow-ups: units drawn from another location, and lines
    /// no location could cover.
    pub reallocated: u64,
    pub unfulfillable: u64,
}

/// A device silent longer than this is shown as off the network.
pub const SILENT_SECS: i64 = 60;

/// A worker who takes picking work: what the board's reassign list offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PickerView {
    pub worker_id: i64,
    pub badge: String,
    pub name: String,
    /// The warehouses they work in (empty: every one).
    pub warehouses: Vec<String>,
    /// A device of theirs was heard from within [`SILENT_SECS`].
    pub online: bool,
}

/// A device as the server last heard from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DeviceView {
    pub device_id: String,
    pub worker_id: Option<i64>,
    pub last_seen: String,
    /// Seconds since the last contact.
    pub silent_seconds: i64,
    pub queued: u32,
    pub oldest_queued_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct WorkflowCount {
    pub kind: String,
    pub status: String,
    pub count: i64,
}

/// Webhook deliveries by state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Deliveries {
    pub pending: u32,
    pub delivered: u32,
    pub dead: u32,
}

/// A shipment whose parcels wait at a dock, with how long.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DockView {
    pub warehouse: String,
    pub carrier: String,
    pub order_id: i64,
    pub parcels: Vec<String>,
    /// Since its shipment was created (the box was packed just before).
    pub age_secs: i64,
}

/// Shipments listed on the board's dock, oldest first.
const DOCK_SHOWN: u32 = 50;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BoardView {
    pub at: DateTime<Utc>,
    /// The newest outbox event: follow `/api/v1/events?after=` from here.
    pub event_cursor: i64,
    pub queues: Vec<QueueDepth>,
    pub alerts: Vec<AlertView>,
    pub hour: Throughput,
    pub day: Throughput,
    pub devices: Vec<DeviceView>,
    pub workflows: Vec<WorkflowCount>,
    pub webhooks: Deliveries,
    /// Parcels waiting at the docks, oldest first (at most 50).
    pub dock: Vec<DockView>,
    /// The active workers who take picking work, by badge.
    #[serde(default)]
    pub pickers: Vec<PickerView>,
}

/// The nearest-rank percentile of sorted values.
pub fn percentile(sorted: &[i64], p: f64) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted.get(rank.min(sorted.len()) - 1).copied()
}

fn alert_view(a: Alert, now: Timestamp) -> AlertView {
    AlertView {
        rule: a.rule.as_str().to_owned(),
        age_secs: a.age(now).num_seconds(),
        subject: a.subject,
        since: a.since,
    }
}

impl Services {
    /// The alerts firing now.
    pub fn alerts(&self, thresholds: &Thresholds) -> Result<Vec<Alert>, AppError> {
        let now = self.now();
        let facts = self.query(|tx| Ok(tx.alert_facts(now, &Scope::all())?))?;
        Ok(alerts::evaluate(&facts, now, thresholds))
    }

    pub fn devices(&self) -> Result<Vec<DeviceView>, AppError> {
        let now = self.now();
        let rows = self.query(|tx| Ok(tx.devices()?))?;
        Ok(rows
            .into_iter()
            .map(|d| DeviceView {
                silent_seconds: (now - d.last_seen).num_seconds().max(0),
                last_seen: d.last_seen.to_rfc3339(),
                oldest_queued_at: d.oldest_queued_at.map(|t| t.to_rfc3339()),
                device_id: d.device_id,
                worker_id: d.worker_id,
                queued: d.queued,
            })
            .collect())
    }

    /// The warehouses a board (or a wave) covers: `warehouse` when named (a worker
    /// bound to other warehouses may not look: 403), else the worker's own,
    /// else (an admin bound to none, an API key) every one.
    pub fn warehouse_scope(
        &self,
        worker: Option<crate::domain::ids::WorkerId>,
        warehouse: Option<&str>,
    ) -> Result<Scope, AppError> {
        self.query(|tx| {
            let all = tx.warehouses()?;
            let own: Vec<i64> = match worker {
                Some(w) => {
                    let codes = tx.worker_warehouses(w)?;
                    all.iter().filter(|h| codes.contains(&h.code)).map(|h| h.id.0).collect()
                }
                None => vec![],
            };
            let Some(code) = warehouse else {
                return Ok(if own.is_empty() { Scope::all() } else { Scope::of(own) });
            };
            let unknown = || DomainError::invalid("warehouse", format!("unknown warehouse {code:?}"));
            let wh = all.iter().find(|h| h.code == code.trim()).ok_or_else(unknown)?;
            if !own.is_empty() && !own.contains(&wh.id.0) {
                let reason = format!("you work in other warehouses than {code}");
                return Err(DomainError::Forbidden { reason }.into());
            }
            Ok(Scope::of(vec![wh.id.0]))
        })
    }

    /// The board of the warehouses in `scope` (a supervisor's own); the
    /// devices, workflow counts, webhooks and stock-out follow-ups are the
    /// site's.
    pub fn board(&self, thresholds: &Thresholds, scope: &Scope) -> Result<BoardView, AppError> {
        let now = self.now();
        let (cursor, depths, facts, hour, day, workflows, relay, dock) = self.query(|tx| {
            Ok((
                tx.outbox_newest()?,
                tx.depths(scope)?,
                tx.alert_facts(now, scope)?,
                tx.output_since(now - chrono::Duration::hours(1), scope)?,
                tx.output_since(now - chrono::Duration::days(1), scope)?,
                tx.workflow_counts()?,
                tx.relay_stats()?,
                tx.at_dock(DOCK_SHOWN, scope)?,
            ))
        })?;
        let mut docked = Vec::with_capacity(dock.len());
        for d in dock {
            docked.push(DockView {
                parcels: serde_json::from_str(&d.shipment.tracking)?,
                warehouse: d.warehouse,
                carrier: d.shipment.carrier,
                order_id: d.shipment.order_id,
                age_secs: (now - d.since).num_seconds().max(0),
            });
        }
        let throughput = |o: crate::storage::board::Output, window: chrono::Duration| Throughput {
            window_secs: window.num_seconds(),
            picks_by_worker: o
                .picks_by_worker
                .into_iter()
                .map(|(worker, picks)| WorkerPicks { worker, picks })
                .collect(),
            shortage_rate: if o.items_closed == 0 { 0.0 } else { o.items_short as f64 / o.items_closed as f64 },
            shipped: o.order_to_ship_ms.len(),
            order_to_ship_p50_secs: percentile(&o.order_to_ship_ms, 50.0).map(|ms| ms / 1000),
            order_to_ship_p95_secs: percentile(&o.order_to_ship_ms, 95.0).map(|ms| ms / 1000),
            reallocated: o.reallocated,
            unfulfillable: o.unfulfillable,
        };
        let devices = self.devices()?;
        let pickers = self.query(|tx| {
            let mut out = Vec::new();
            for w in tx.workers()?.into_iter().filter(|w| w.active && w.role.takes(true)) {
                let online = devices.iter().any(|d| d.worker_id == Some(w.id.0) && d.silent_seconds <= SILENT_SECS);
                out.push(PickerView {
                    warehouses: tx.worker_warehouses(w.id)?,
                    worker_id: w.id.0,
                    badge: w.badge,
                    name: w.name,
                    online,
                });
            }
            out.sort_by(|a, b| b.online.cmp(&a.online).then_with(|| a.badge.cmp(&b.badge)));
            Ok(out)
        })?;
        Ok(BoardView {
            at: now,
            event_cursor: cursor,
            queues: depths
                .into_iter()
                .map(|d| QueueDepth {
                    queue: d.queue.to_owned(),
                    status: d.status,
                    priority: Priority::from_rank(d.priority).unwrap_or_default().as_str().to_owned(),
                    count: d.count,
                    oldest_secs: (now - d.oldest).num_seconds().max(0),
                })
                .collect(),
            alerts: alerts::evaluate(&facts, now, thresholds).into_iter().map(|a| alert_view(a, now)).collect(),
            hour: throughput(hour, chrono::Duration::hours(1)),
            day: throughput(day, chrono::Duration::days(1)),
            devices,
            workflows: workflows
                .into_iter()
                .map(|(kind, status, count)| WorkflowCount { kind, status, count })
                .collect(),
            webhooks: Deliveries { pending: relay.pending, delivered: relay.delivered, dead: relay.dead },
            dock: docked,
            pickers,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::percentile;

    #[test]
    fn nearest_rank_percentiles() {
        assert_eq!(percentile(&[], 50.0), None);
        assert_eq!(percentile(&[7], 95.0), Some(7));
        let v: Vec<i64> = (1..=20).collect();
        assert_eq!((percentile(&v, 50.0), percentile(&v, 95.0), percentile(&v, 100.0)), (Some(10), Some(19), Some(20)));
    }
}
