//! Waves, their batches and totes (migration 0007).

use super::convert::{ms, time};
use super::{Result, Tx};
use crate::domain::Timestamp;
use crate::domain::order::Priority;
use crate::domain::wave::Candidate;
use rusqlite::{OptionalExtension, params};

/// One task of a batch, with its tote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tote {
    pub task_id: i64,
    pub position: u32,
    pub tote: String,
}

impl Tx<'_> {
    /// Pending, unassigned, unbatched picking tasks of a warehouse, with
    /// their order's time and their items' locations.
    pub fn wave_candidates(&self, warehouse: i64) -> Result<Vec<Candidate>> {
        let mut st = self.conn.prepare_cached(
            "SELECT t.id, t.priority, o.created_at, COALESCE(GROUP_CONCAT(l.code, char(31)), '')
             FROM picking_tasks t JOIN orders o ON o.id = t.order_id
             LEFT JOIN picking_task_items i ON i.task_id = t.id LEFT JOIN locations l ON l.id = i.location_id
             WHERE t.warehouse_id = ?1 AND t.status = 'pending' AND t.worker_id IS NULL
               AND NOT EXISTS (SELECT 1 FROM batch_totes b WHERE b.picking_task_id = t.id)
             GROUP BY t.id ORDER BY t.id",
        )?;
        let rows = st
            .query_map([warehouse], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?, r.get::<_, String>(3)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|(task_id, rank, at, locs)| {
                Ok(Candidate {
                    task_id,
                    priority: Priority::from_rank(rank)
                        .ok_or_else(|| super::StorageError::Corrupt(format!("priority rank {rank}")))?,
                    ordered_at: time(at)?,
                    locations: locs.split('\u{1f}').filter(|s| !s.is_empty()).map(str::to_owned).collect(),
                })
            })
            .collect()
    }

    pub fn insert_wave(&self, warehouse: i64, criteria: &str, now: Timestamp) -> Result<i64> {
        self.exec(
            "INSERT INTO waves (warehouse_id, criteria, created_at) VALUES (?1, ?2, ?3)",
            params![warehouse, criteria, ms(now)],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    pub fn insert_batch(&self, wave: i64, now: Timestamp) -> Result<i64> {
        self.exec("INSERT INTO wave_batches (wave_id, created_at) VALUES (?1, ?2)", params![wave, ms(now)])?;
        Ok(self.conn.last_insert_rowid())
    }

    pub fn add_tote(&self, batch: i64, task: i64, position: u32, tote: &str) -> Result<()> {
        self.exec(
            "INSERT INTO batch_totes (batch_id, picking_task_id, position, tote) VALUES (?1, ?2, ?3, ?4)",
            params![batch, task, position, tote],
        )?;
        Ok(())
    }

    /// The batch `worker` holds that still has open tasks.
    pub fn held_batch(&self, worker: i64) -> Result<Option<i64>> {
        Ok(self
            .row(
                "SELECT b.id FROM wave_batches b WHERE b.worker_id = ?1 AND EXISTS (
                    SELECT 1 FROM batch_totes x JOIN picking_tasks t ON t.id = x.picking_task_id
                    WHERE x.batch_id = b.id AND t.status IN ('pending', 'assigned', 'in_progress'))
                 ORDER BY b.id LIMIT 1",
                [worker],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// The oldest batch no one holds yet, of a wave in a warehouse `worker`
    /// works in.
    pub fn next_open_batch(&self, worker: i64) -> Result<Option<i64>> {
        Ok(self
            .row(
                "SELECT b.id FROM wave_batches b JOIN waves v ON v.id = b.wave_id
                 WHERE b.worker_id IS NULL AND EXISTS (
                    SELECT 1 FROM batch_totes x JOIN picking_tasks t ON t.id = x.picking_task_id
                    WHERE x.batch_id = b.id AND t.status = 'pending')
                   AND v.warehouse_id IN (SELECT warehouse_id FROM worker_warehouses WHERE worker_id = ?1)
                 ORDER BY b.id LIMIT 1",
                [worker],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Frees the tasks of every batch no one holds that was made before
    /// `before`: they are claimed one by one again. Returns the tasks freed.
    pub fn release_stale_batches(&self, before: Timestamp) -> Result<usize> {
        Ok(self.exec(
            "DELETE FROM batch_totes WHERE batch_id IN (
                SELECT id FROM wave_batches WHERE worker_id IS NULL AND created_at < ?1)",
            [ms(before)],
        )?)
    }

    pub fn set_batch_worker(&self, batch: i64, worker: i64) -> Result<()> {
        self.exec("UPDATE wave_batches SET worker_id = ?2 WHERE id = ?1", params![batch, worker])?;
        Ok(())
    }

    pub fn batch_totes(&self, batch: i64) -> Result<Vec<Tote>> {
        let mut st = self.conn.prepare_cached(
            "SELECT picking_task_id, position, tote FROM batch_totes WHERE batch_id = +?1 ORDER BY position",
        )?;
        let rows = st
            .query_map([batch], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, String>(2)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows
            .into_iter()
            .map(|(task_id, position, tote)| Tote { task_id, position: u32::try_from(position).unwrap_or(0), tote })
            .collect())
    }
}
