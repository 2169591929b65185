//! Task queues and listings: which task a worker gets next, and the filtered
//! lists the API serves. Order is always priority (urgent first), then age,
//! then id, so two calls agree.

use super::{Result, Tx};
use crate::domain::ids::{OrderId, WarehouseId, WorkerId};
use rusqlite::types::Value;
use rusqlite::{OptionalExtension, params};

/// Which queue: picking or packing tasks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Queue {
    Picking,
    Packing,
}

impl Queue {
    fn table(self) -> &'static str {
        match self {
            Queue::Picking => "picking_tasks",
            Queue::Packing => "packing_tasks",
        }
    }

    /// Tasks a wave batched are claimed with their batch, not one by one.
    fn unbatched(self) -> &'static str {
        match self {
            Queue::Picking => "AND NOT EXISTS (SELECT 1 FROM batch_totes b WHERE b.picking_task_id = picking_tasks.id)",
            Queue::Packing => "",
        }
    }
}

/// Filters of a task list; `None` means any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskFilter {
    pub status: Option<String>,
    pub warehouse: Option<WarehouseId>,
    pub worker: Option<WorkerId>,
    pub order: Option<OrderId>,
    /// Tasks of the fulfillment that shipped (or ships) this parcel.
    pub tracking: Option<String>,
    /// Priority rank (see `Priority::rank`).
    pub priority: Option<i64>,
    /// Only ids above this one (keyset paging).
    pub after_id: Option<i64>,
    pub limit: u32,
}

impl Tx<'_> {
    /// The tasks `worker` holds (assigned or in progress): one in progress
    /// first, then by priority and age.
    pub fn held_tasks(&self, queue: Queue, worker: WorkerId) -> Result<Vec<i64>> {
        let sql = format!(
            "SELECT id FROM {} WHERE worker_id = +?1 AND status IN ('assigned', 'in_progress')
             ORDER BY status = 'in_progress' DESC, priority DESC, created_at, id",
            queue.table()
        );
        let mut st = self.conn.prepare_cached(&sql)?;
        Ok(st.query_map([worker.0], |r| r.get(0))?.collect::<rusqlite::Result<Vec<i64>>>()?)
    }

    /// The next unclaimed task in a warehouse `worker` works in: pending,
    /// highest priority, then oldest.
    pub fn next_pending_task(&self, queue: Queue, worker: WorkerId) -> Result<Option<i64>> {
        let sql = format!(
            "SELECT id FROM {} WHERE status = 'pending' AND worker_id IS NULL {}
               AND warehouse_id IN (SELECT warehouse_id FROM worker_warehouses WHERE worker_id = ?1)
             ORDER BY priority DESC, created_at, id LIMIT 1",
            queue.table(),
            queue.unbatched()
        );
        Ok(self.row(&sql, [worker.0], |r| r.get(0)).optional()?)
    }

    /// Ids of the tasks matching `f`, in queue order.
    pub fn list_tasks(&self, queue: Queue, f: &TaskFilter) -> Result<Vec<i64>> {
        let mut sql = format!("SELECT id FROM {} WHERE 1 = 1", queue.table());
        let mut args: Vec<Value> = Vec::new();
        // `clause` names its parameter `?#`.
        let mut add = |clause: &str, v: Value| {
            args.push(v);
            sql.push_str(&format!(" AND {}", clause.replace("?#", &format!("?{}", args.len()))));
        };
        if let Some(s) = &f.status {
            add("status = ?#", Value::Text(s.clone()));
        }
        if let Some(w) = f.warehouse {
            add("warehouse_id = ?#", Value::Integer(w.0));
        }
        if let Some(w) = f.worker {
            add("worker_id = ?#", Value::Integer(w.0));
        }
        if let Some(o) = f.order {
            add("order_id = ?#", Value::Integer(o.0));
        }
        if let Some(p) = f.priority {
            add("priority = ?#", Value::Integer(p));
        }
        if let Some(t) = &f.tracking {
            let shipped = "fulfillment_id IN (SELECT s.fulfillment_id FROM shipments s, json_each(s.tracking) j
                           WHERE j.value = ?#)";
            add(shipped, Value::Text(t.clone()));
        }
        if let Some(a) = f.after_id {
            add("id > ?#", Value::Integer(a));
        }
        sql.push_str(" ORDER BY priority DESC, created_at, id LIMIT ");
        sql.push_str(&f.limit.to_string());
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let ids = stmt.query_map(rusqlite::params_from_iter(args), |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        Ok(ids)
    }

    /// Order ids, newest first, optionally of one status; keyset paged by id.
    pub fn list_orders(&self, status: Option<&str>, before_id: Option<i64>, limit: u32) -> Result<Vec<OrderId>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id FROM orders WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR id < ?2)
             ORDER BY id DESC LIMIT ?3",
        )?;
        let ids = stmt
            .query_map(params![status, before_id, limit], |r| r.get(0).map(OrderId))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(ids)
    }
}
