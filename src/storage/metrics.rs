//! The domain metrics of seed 001 §12.1, read from the tables at scrape
//! time: they agree with the truth and survive a restart.

use super::convert::ms;
use super::{Result, Tx};
use crate::domain::Timestamp;

/// Upper bounds (seconds) of the duration histograms' buckets.
pub const DURATION_BUCKETS: &[f64] = &[30.0, 60.0, 300.0, 900.0, 1800.0, 3600.0, 7200.0, 14400.0, 86400.0];

/// A histogram read from the database: cumulative counts per bucket bound.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Histogram {
    /// `(le, count)` for each of [`DURATION_BUCKETS`], cumulative.
    pub buckets: Vec<(f64, u64)>,
    pub count: u64,
    pub sum: f64,
}

/// Everything `/metrics` shows about the warehouse.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DomainMetrics {
    pub picking_task_duration: Histogram,
    pub packing_task_duration: Histogram,
    pub order_to_shipment_duration: Histogram,
    /// Items closed short or skipped, and all closed items.
    pub items_short: u64,
    pub items_closed: u64,
    /// Fulfillments packed or beyond, and fulfillments that reached an end
    /// (packed, shipped, completed, failed, cancelled).
    pub fulfillments_succeeded: u64,
    pub fulfillments_finished: u64,
    /// Events not yet delivered to the slowest webhook subscriber.
    pub outbox_pending: u64,
    /// Tasks by (queue, status, priority rank).
    pub queue_depth: Vec<(&'static str, String, i64, u64)>,
    /// Units each worker (by badge) picked in the hour before now.
    pub picking_items_last_hour: Vec<(String, u64)>,
    /// Packing tasks packed in the hour before now.
    pub packing_tasks_last_hour: u64,
    /// Mean weight of the packages weighed so far, in grams.
    pub average_package_weight_g: Option<f64>,
}

impl Tx<'_> {
    /// Reads every domain metric in one snapshot; the hourly rates are of
    /// the hour before `now`.
    pub fn domain_metrics(&self, now: Timestamp) -> Result<DomainMetrics> {
        let hour_ago = ms(now - chrono::Duration::hours(1));
        let mut st = self.conn.prepare_cached(
            "SELECT w.badge, SUM(s.quantity) FROM pick_scans s JOIN workers w ON w.id = s.worker_id
             WHERE s.scanned_at >= ?1 GROUP BY w.badge ORDER BY w.badge",
        )?;
        let picking_items_last_hour = st
            .query_map([hour_ago], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?.max(0).unsigned_abs())))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let packed: i64 =
            self.row("SELECT COUNT(*) FROM packing_tasks WHERE packed_at >= ?1", [hour_ago], |r| r.get(0))?;
        let average_package_weight_g: Option<f64> =
            self.row("SELECT AVG(weight_g) FROM packages WHERE weight_g IS NOT NULL", [], |r| r.get(0))?;
        let items: (i64, i64) = self.row(
            "SELECT COALESCE(SUM(status IN ('short', 'skipped')), 0), COALESCE(SUM(status != 'pending'), 0)
             FROM picking_task_items",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let fulfillments: (i64, i64) = self.row(
            "SELECT COALESCE(SUM(status IN ('packed', 'ready', 'shipped', 'completed')), 0),
                    COALESCE(SUM(status IN ('packed', 'ready', 'shipped', 'completed', 'pick_failed',
                                            'pack_failed', 'cancelled')), 0)
             FROM fulfillments",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let mut queue_depth = Vec::new();
        for (name, table) in [("picking", "picking_tasks"), ("packing", "packing_tasks")] {
            let mut stmt = self.conn.prepare_cached(&format!(
                "SELECT status, priority, COUNT(*) FROM {table} GROUP BY status, priority ORDER BY status, priority"
            ))?;
            let rows =
                stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?)))?;
            for row in rows {
                let (status, priority, n) = row?;
                queue_depth.push((name, status, priority, n.max(0).unsigned_abs()));
            }
        }
        Ok(DomainMetrics {
            picking_task_duration: self.histogram(
                "SELECT (completed_at - created_at) / 1000.0 AS d FROM picking_tasks WHERE completed_at IS NOT NULL",
            )?,
            packing_task_duration: self
                .histogram("SELECT (packed_at - created_at) / 1000.0 AS d FROM packing_tasks WHERE packed_at IS NOT NULL")?,
            order_to_shipment_duration: self.histogram(
                "SELECT (p.shipped_at - o.created_at) / 1000.0 AS d FROM packing_tasks p JOIN orders o ON o.id = p.order_id
                 WHERE p.shipped_at IS NOT NULL",
            )?,
            items_short: items.0.max(0).unsigned_abs(),
            items_closed: items.1.max(0).unsigned_abs(),
            fulfillments_succeeded: fulfillments.0.max(0).unsigned_abs(),
            fulfillments_finished: fulfillments.1.max(0).unsigned_abs(),
            outbox_pending: self.outbox_backlog()?.max(0).unsigned_abs(),
            queue_depth,
            picking_items_last_hour,
            packing_tasks_last_hour: packed.max(0).unsigned_abs(),
            average_package_weight_g,
        })
    }

    /// Buckets the column `d` of `durations` (seconds) in SQL, so a
    /// scrape costs one pass however many rows there are.
    fn histogram(&self, durations: &str) -> Result<Histogram> {
        let cases: Vec<String> = DURATION_BUCKETS.iter().map(|b| format!("COALESCE(SUM(d <= {b}), 0)")).collect();
        let sql = format!("SELECT COUNT(*), COALESCE(SUM(d), 0.0), {} FROM ({durations})", cases.join(", "));
        self.conn
            .query_row(&sql, [], |r| {
                let count: i64 = r.get(0)?;
                let sum: f64 = r.get(1)?;
                let mut buckets = Vec::with_capacity(DURATION_BUCKETS.len());
                for (i, b) in DURATION_BUCKETS.iter().enumerate() {
                    let n: i64 = r.get(i + 2)?;
                    buckets.push((*b, n.max(0).unsigned_abs()));
                }
                Ok(Histogram { buckets, count: count.max(0).unsigned_abs(), sum })
            })
            .map_err(Into::into)
    }
}
