//! What `tote check`, `/metrics` and the tests ask of a database as a whole:
//! SQLite's own integrity and foreign-key checks, the stock ledger, the
//! outbox backlog, workflows with nothing left to move them, table sizes.

use super::convert::ms;
use super::{Result, Tx};
use crate::domain::Timestamp;
use crate::domain::ids::{LocationId, WarehouseId};
use rusqlite::params;

/// Every unit of the site, by where it is and where it came from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StockLedger {
    pub on_hand: i64,
    pub quarantined: i64,
    /// Picked for orders still open (totes, packing, parcels).
    pub in_transit: i64,
    /// Picked for cancelled work, waiting to go back to a shelf.
    pub to_put_back: i64,
    /// Receipts (and a pre-ledger database's opening balance).
    pub received: i64,
    /// Counted differences and written-off units (signed).
    pub adjusted: i64,
    /// Units reserved on slots, and units held by pending reservation rows.
    pub reserved_on_slots: i64,
    pub reserved_by_rows: i64,
}

impl StockLedger {
    /// Units present minus units accounted for: 0 when stock is conserved.
    pub fn imbalance(&self) -> i64 {
        self.on_hand + self.quarantined + self.in_transit + self.to_put_back - self.received - self.adjusted
    }
}

/// A workflow still running that no timer, activity or worker will move.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdleWorkflow {
    pub id: String,
    pub step: String,
    pub blocking: Option<String>,
    pub updated_at: Timestamp,
}

/// The tables that grow with use, in the order `tote check` lists them.
pub const GROWING_TABLES: &[&str] = &[
    "orders",
    "outbox_events",
    "applied_ops",
    "workflows",
    "workflow_events",
    "activity_tasks",
    "fulfillment_tasks",
    "webhook_deliveries",
    "sessions",
    "pick_scans",
    "stock_receipts",
];

impl Tx<'_> {
    /// `PRAGMA integrity_check`: empty when SQLite finds nothing wrong.
    pub fn integrity_problems(&self) -> Result<Vec<String>> {
        let mut st = self.conn.prepare("PRAGMA integrity_check")?;
        let rows = st.query_map([], |r| r.get::<_, String>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows.into_iter().filter(|r| r != "ok").collect())
    }

    /// `PRAGMA foreign_key_check`: one line per row whose parent is missing.
    pub fn foreign_key_problems(&self) -> Result<Vec<String>> {
        let mut st = self.conn.prepare("PRAGMA foreign_key_check")?;
        let rows = st.query_map([], |r| {
            Ok(format!(
                "{} row {} has no {} parent",
                r.get::<_, String>(0)?,
                r.get::<_, Option<i64>>(1)?.unwrap_or(0),
                r.get::<_, String>(2)?
            ))
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Records units received onto a shelf (the ledger `tote check` reads).
    pub fn record_receipt(
        &self,
        warehouse: WarehouseId,
        location: LocationId,
        sku: &str,
        quantity: u32,
        now: Timestamp,
    ) -> Result<()> {
        self.exec(
            "INSERT INTO stock_receipts (kind, warehouse_id, location_id, sku, quantity, created_at)
             VALUES ('receipt', ?1, ?2, ?3, ?4, ?5)",
            params![warehouse.0, location.0, sku, quantity, ms(now)],
        )?;
        Ok(())
    }

    /// The whole stock ledger in one snapshot.
    pub fn stock_ledger(&self) -> Result<StockLedger> {
        let (on_hand, quarantined, reserved_on_slots) = self.row(
            "SELECT COALESCE(SUM(quantity), 0), COALESCE(SUM(quarantined), 0), COALESCE(SUM(reserved_quantity), 0)
             FROM product_locations",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        Ok(StockLedger {
            on_hand,
            quarantined,
            in_transit: self.units_in_transit()?,
            to_put_back: self.put_back_pending()?,
            received: self.row("SELECT COALESCE(SUM(quantity), 0) FROM stock_receipts", [], |r| r.get(0))?,
            adjusted: self.adjusted_total()?,
            reserved_on_slots,
            reserved_by_rows: self.outstanding_reserved()?,
        })
    }

    /// Events committed that the slowest webhook subscriber has not yet
    /// had delivered (fanned out or not): the newest event id minus the
    /// slowest subscriber's position. 0 with no active subscriber.
    pub fn outbox_backlog(&self) -> Result<i64> {
        let slowest: Option<i64> = self.row(
            "SELECT MIN(CASE WHEN p.first IS NULL THEN e.cursor ELSE MIN(e.cursor, p.first - 1) END)
             FROM webhook_endpoints e
             LEFT JOIN (SELECT endpoint_id, MIN(event_id) AS first FROM webhook_deliveries
                        WHERE status = 'pending' GROUP BY endpoint_id) p ON p.endpoint_id = e.id
             WHERE e.active = 1",
            [],
            |r| r.get(0),
        )?;
        slowest.map_or(Ok(0), |s| self.outbox_newest().map(|n| (n - s).max(0)))
    }

    /// Running workflows not touched since `before` with no pending timer
    /// and no pending activity: only a signal can move them, and none came.
    pub fn idle_workflows(&self, before: Timestamp, limit: u32) -> Result<Vec<IdleWorkflow>> {
        let mut st = self.conn.prepare_cached(
            "SELECT w.id, w.step, w.blocking, w.updated_at FROM workflows w
             WHERE w.status = 'running' AND w.updated_at < ?1
               AND NOT EXISTS (SELECT 1 FROM timers t WHERE t.workflow_id = w.id AND t.status = 'pending')
               AND NOT EXISTS (SELECT 1 FROM activity_tasks a WHERE a.workflow_id = w.id AND a.status = 'pending')
             ORDER BY w.updated_at LIMIT ?2",
        )?;
        let rows = st
            .query_map(params![ms(before), limit], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, i64>(3)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|(id, step, blocking, at)| {
                Ok(IdleWorkflow { id, step, blocking, updated_at: super::convert::time(at)? })
            })
            .collect()
    }

    /// Bytes the database holds in live pages (free pages not counted), as
    /// this snapshot sees it (WAL included).
    pub fn live_bytes(&self) -> Result<u64> {
        let (pages, free, size): (i64, i64, i64) = self.row(
            "SELECT (SELECT page_count FROM pragma_page_count()), (SELECT freelist_count FROM pragma_freelist_count()),
                    (SELECT page_size FROM pragma_page_size())",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        Ok(((pages - free).max(0) * size).unsigned_abs())
    }

    /// Bytes per table and index, largest first (SQLite's `dbstat`).
    pub fn table_bytes(&self) -> Result<Vec<(String, i64)>> {
        let mut st = self.conn.prepare("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC")?;
        Ok(st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Rows in each of [`GROWING_TABLES`].
    pub fn table_sizes(&self) -> Result<Vec<(&'static str, i64)>> {
        GROWING_TABLES
            .iter()
            .map(|t| Ok((*t, self.row(&format!("SELECT COUNT(*) FROM {t}"), [], |r| r.get(0))?)))
            .collect()
    }
}
