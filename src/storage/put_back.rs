//! Put-back tasks: picked units of cancelled work, waiting in a tote until
//! a worker scans them back onto their shelf.

use super::convert::{ms, time};
use super::{Result, Tx};
use crate::domain::Timestamp;
use crate::domain::ids::{SlotId, WorkerId};
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One SKU's units from one slot, to go back there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PutBackLine {
    pub line_id: i64,
    pub slot_id: i64,
    pub location: String,
    pub sku: String,
    pub quantity: u32,
    /// Set once the units are back on the shelf.
    pub put_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// Where a put-back task stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PutBackStatus {
    /// Some units are still in the tote.
    Pending,
    /// Every unit is back on its shelf.
    Done,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PutBackTask {
    pub task_id: i64,
    pub warehouse_id: i64,
    pub picking_task_id: i64,
    pub status: PutBackStatus,
    pub reason: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub lines: Vec<PutBackLine>,
}

impl Tx<'_> {
    pub fn insert_put_back(&self, warehouse: i64, picking_task: i64, reason: &str, now: Timestamp) -> Result<i64> {
        self.exec(
            "INSERT INTO put_back_tasks (warehouse_id, picking_task_id, status, reason, created_at)
             VALUES (?1, ?2, 'pending', ?3, ?4)",
            params![warehouse, picking_task, reason, ms(now)],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    pub fn add_put_back_line(&self, task: i64, slot: SlotId, sku: &str, quantity: u32) -> Result<()> {
        self.exec(
            "INSERT INTO put_back_lines (task_id, slot_id, sku, quantity) VALUES (?1, ?2, ?3, ?4)",
            params![task, slot.0, sku, quantity],
        )?;
        Ok(())
    }

    pub fn put_back_task(&self, id: i64) -> Result<Option<PutBackTask>> {
        let head = self
            .row(
                "SELECT id, warehouse_id, picking_task_id, status, reason, created_at FROM put_back_tasks WHERE id = ?1",
                [id],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, i64>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, i64>(5)?,
                    ))
                },
            )
            .optional()?;
        let Some((task_id, warehouse_id, picking_task_id, status, reason, created)) = head else { return Ok(None) };
        let status = match status.as_str() {
            "pending" => PutBackStatus::Pending,
            "done" => PutBackStatus::Done,
            other => return Err(super::StorageError::Corrupt(format!("put-back task {task_id} status {other:?}"))),
        };
        let mut st = self.conn.prepare_cached(
            "SELECT b.id, b.slot_id, l.code, b.sku, b.quantity, b.put_at FROM put_back_lines b
             JOIN product_locations p ON p.id = b.slot_id JOIN locations l ON l.id = p.location_id
             WHERE b.task_id = ?1 ORDER BY l.walk_order, l.code, b.id",
        )?;
        let raw = st
            .query_map([id], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, u32>(4)?,
                    r.get::<_, Option<i64>>(5)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut lines = Vec::with_capacity(raw.len());
        for (line_id, slot_id, location, sku, quantity, put) in raw {
            lines.push(PutBackLine { line_id, slot_id, location, sku, quantity, put_at: put.map(time).transpose()? });
        }
        Ok(Some(PutBackTask {
            task_id,
            warehouse_id,
            picking_task_id,
            status,
            reason,
            created_at: time(created)?,
            lines,
        }))
    }

    /// Ids of pending put-back tasks in the warehouses of `scope`, oldest first.
    pub fn open_put_backs(&self, limit: u32, scope: &super::board::Scope) -> Result<Vec<i64>> {
        let mut st = self.conn.prepare_cached(concat!(
            "SELECT id FROM put_back_tasks WHERE status = 'pending' AND ",
            in_scope!("warehouse_id", 2),
            " ORDER BY created_at, id LIMIT ?1"
        ))?;
        Ok(st
            .query_map(rusqlite::params![limit, scope.param()], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<i64>>>()?)
    }

    pub fn set_line_put(&self, line: i64, now: Timestamp) -> Result<()> {
        self.exec("UPDATE put_back_lines SET put_at = ?2 WHERE id = ?1", params![line, ms(now)])?;
        Ok(())
    }

    pub fn finish_put_back(&self, id: i64, worker: Option<WorkerId>, now: Timestamp) -> Result<()> {
        self.exec(
            "UPDATE put_back_tasks SET status = 'done', worker_id = ?2, done_at = ?3 WHERE id = ?1",
            params![id, worker.map(|w| w.0), ms(now)],
        )?;
        Ok(())
    }

    /// Units waiting in totes to be put back.
    pub fn put_back_pending(&self) -> Result<i64> {
        Ok(self.row("SELECT COALESCE(SUM(quantity), 0) FROM put_back_lines WHERE put_at IS NULL", [], |r| r.get(0))?)
    }
}
