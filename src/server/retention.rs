//! The retention sweep: every `every`, deletes through the writer what the
//! site no longer needs (`storage::retention`), a bounded batch per
//! commit so floor ops never wait long behind it, and logs what went.

use super::writer::WriterHandle;
use crate::app::Services;
use crate::storage::retention::{Cutoffs, Swept};
use std::time::Duration;
use tokio::sync::watch;

/// How long things are kept, and how often the sweep runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetentionConfig {
    /// Outbox events, once every webhook subscriber has had them.
    pub events_days: u32,
    /// Delivered and dead webhook deliveries.
    pub deliveries_days: u32,
    /// Histories and logs of finished workflows (the workflow's own row,
    /// its final state, stays).
    pub workflows_days: u32,
    /// The longest a handheld may stay offline and still have a queued op
    /// answered from its stored outcome: `applied_ops` is kept this long.
    pub offline_days: u32,
    /// Expired or revoked sessions are kept this long for the record.
    pub sessions_days: u32,
    pub every: Duration,
}

impl Default for RetentionConfig {
    fn default() -> Self {
        RetentionConfig {
            events_days: 30,
            deliveries_days: 30,
            workflows_days: 30,
            offline_days: 7,
            sessions_days: 1,
            every: Duration::from_secs(3600),
        }
    }
}

/// Rows deleted per table per commit.
const BATCH: u32 = 2000;

impl RetentionConfig {
    pub fn cutoffs(&self, now: crate::domain::Timestamp) -> Cutoffs {
        let ago = |d: u32| now - chrono::Duration::days(i64::from(d));
        Cutoffs {
            events: ago(self.events_days),
            deliveries: ago(self.deliveries_days),
            workflows: ago(self.workflows_days),
            ops: ago(self.offline_days),
            sessions: ago(self.sessions_days),
        }
    }
}

/// Runs until `stop` turns true: a first sweep soon after start, then one
/// every `config.every`.
pub async fn run(services: Services, writer: WriterHandle, config: RetentionConfig, mut stop: watch::Receiver<bool>) {
    let mut wait = config.every.min(Duration::from_secs(5));
    loop {
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = stop.changed() => {}
        }
        if *stop.borrow() {
            return;
        }
        wait = config.every;
        let cutoffs = config.cutoffs(services.now());
        let mut total = Swept::default();
        loop {
            match writer.write(move |tx| Ok(tx.sweep(&cutoffs, BATCH)?)).await {
                Ok(s) if s.total() > 0 => add(&mut total, &s),
                Ok(_) => break,
                Err(e) => {
                    tracing::warn!(error = %e, "retention sweep failed; trying again next round");
                    break;
                }
            }
            if *stop.borrow() {
                return;
            }
            // Let queued floor ops into the writer between batches.
            tokio::task::yield_now().await;
        }
        if total.total() > 0 {
            tracing::info!(
                outbox_events = total.outbox_events,
                webhook_deliveries = total.webhook_deliveries,
                workflow_events = total.workflow_events,
                activity_tasks = total.activity_tasks,
                timers = total.timers,
                fulfillment_tasks = total.fulfillment_tasks,
                applied_ops = total.applied_ops,
                sessions = total.sessions,
                "retention sweep deleted {} rows",
                total.total()
            );
        }
    }
}

fn add(t: &mut Swept, s: &Swept) {
    t.outbox_events += s.outbox_events;
    t.webhook_deliveries += s.webhook_deliveries;
    t.workflow_events += s.workflow_events;
    t.activity_tasks += s.activity_tasks;
    t.timers += s.timers;
    t.fulfillment_tasks += s.fulfillment_tasks;
    t.applied_ops += s.applied_ops;
    t.sessions += s.sessions;
}
