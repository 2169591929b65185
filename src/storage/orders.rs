//! Orders, order lines and fulfillments.

use super::convert::{ms, status, time, u32_of};
use super::{Result, StorageError, Tx};
use crate::domain::Timestamp;
use crate::domain::fulfillment::{Fulfillment, FulfillmentStatus};
use crate::domain::ids::{FulfillmentId, OrderId, Qty, Sku, WarehouseId};
use crate::domain::order::{Address, OrderStatus, Priority, ValidOrder};
use rusqlite::{OptionalExtension, Row, params};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRow {
    pub id: OrderId,
    pub request_id: String,
    pub external_ref: Option<String>,
    pub status: OrderStatus,
    pub priority: Priority,
    pub ship_to: Address,
    pub cancel_reason: Option<String>,
    pub created_at: Timestamp,
}

/// One stored order line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineRow {
    pub warehouse_id: WarehouseId,
    pub sku: Sku,
    pub quantity: Qty,
}

fn address_json(a: &Address) -> String {
    serde_json::json!({
        "contact_name": a.contact_name, "street": a.street, "city": a.city,
        "postal_code": a.postal_code, "country": a.country, "phone": a.phone,
    })
    .to_string()
}

fn address_of(s: &str) -> Result<Address> {
    let v: serde_json::Value = serde_json::from_str(s)?;
    let f = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or_default().to_owned();
    Ok(Address {
        contact_name: f("contact_name"),
        street: f("street"),
        city: f("city"),
        postal_code: f("postal_code"),
        country: f("country"),
        phone: f("phone"),
    })
}

type RawFulfillment = (i64, i64, i64, String, i64, i64, i64);

fn fulfillment_raw(r: &Row<'_>) -> rusqlite::Result<RawFulfillment> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?))
}

fn to_fulfillment(raw: RawFulfillment) -> Result<Fulfillment> {
    let (id, order, wh, st, pick, pack, max) = raw;
    Ok(Fulfillment {
        id: FulfillmentId(id),
        order_id: OrderId(order),
        warehouse_id: WarehouseId(wh),
        status: status(&st, "fulfillment status", FulfillmentStatus::parse)?,
        pick_attempts: u32_of(pick, "pick_attempts")?,
        pack_attempts: u32_of(pack, "pack_attempts")?,
        max_attempts: u32_of(max, "max_attempts")?,
    })
}

const FULFILLMENT_COLUMNS: &str = "id, order_id, warehouse_id, status, pick_attempts, pack_attempts, max_attempts";

impl Tx<'_> {
    pub fn order_by_request(&self, request_id: &str) -> Result<Option<OrderId>> {
        Ok(self.row("SELECT id FROM orders WHERE request_id = ?1", [request_id], |r| r.get(0)).optional()?.map(OrderId))
    }

    pub fn insert_order(&self, o: &ValidOrder, now: Timestamp) -> Result<OrderId> {
        self.exec(
            "INSERT INTO orders (request_id, external_ref, status, priority, ship_to, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
            params![
                o.request_id,
                o.external_ref,
                OrderStatus::Open.as_str(),
                o.priority.rank(),
                address_json(&o.ship_to),
                ms(now)
            ],
        )?;
        Ok(OrderId(self.conn.last_insert_rowid()))
    }

    pub fn insert_order_line(&self, order: OrderId, warehouse: WarehouseId, sku: &Sku, qty: Qty) -> Result<()> {
        self.exec(
            "INSERT INTO order_lines (order_id, warehouse_id, sku, quantity) VALUES (?1, ?2, ?3, ?4)",
            params![order.0, warehouse.0, sku.as_str(), qty.0],
        )?;
        Ok(())
    }

    pub fn order_lines(&self, order: OrderId) -> Result<Vec<LineRow>> {
        let mut st = self
            .conn
            .prepare_cached("SELECT warehouse_id, sku, quantity FROM order_lines WHERE order_id = +?1 ORDER BY id")?;
        let raws = st
            .query_map([order.0], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        raws.into_iter()
            .map(|(w, s, q)| {
                Ok(LineRow {
                    warehouse_id: WarehouseId(w),
                    sku: super::convert::sku(&s)?,
                    quantity: Qty(u32_of(q, "quantity")?),
                })
            })
            .collect()
    }

    pub fn order(&self, id: OrderId) -> Result<Option<OrderRow>> {
        let raw = self
            .row(
                "SELECT id, request_id, external_ref, status, priority, ship_to, cancel_reason, created_at
                 FROM orders WHERE id = ?1",
                [id.0],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, Option<String>>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, i64>(4)?,
                        r.get::<_, String>(5)?,
                        r.get::<_, Option<String>>(6)?,
                        r.get::<_, i64>(7)?,
                    ))
                },
            )
            .optional()?;
        let Some((id, request_id, external_ref, st, prio, ship_to, cancel_reason, created)) = raw else {
            return Ok(None);
        };
        Ok(Some(OrderRow {
            id: OrderId(id),
            request_id,
            external_ref,
            status: status(&st, "order status", OrderStatus::parse)?,
            priority: Priority::from_rank(prio).ok_or_else(|| StorageError::Corrupt(format!("priority {prio}")))?,
            ship_to: address_of(&ship_to)?,
            cancel_reason,
            created_at: time(created)?,
        }))
    }

    /// A new priority for an order and everything still waiting for it: its
    /// open tasks, its workflows and their queued activities.
    pub fn set_order_priority(&self, id: OrderId, rank: i64, now: Timestamp) -> Result<()> {
        let now = ms(now);
        self.exec("UPDATE orders SET priority = ?2, updated_at = ?3 WHERE id = ?1", params![id.0, rank, now])?;
        self.exec(
            "UPDATE picking_tasks SET priority = ?2, updated_at = ?3
             WHERE order_id = ?1 AND status IN ('pending', 'assigned', 'in_progress')",
            params![id.0, rank, now],
        )?;
        self.exec(
            "UPDATE packing_tasks SET priority = ?2, updated_at = ?3
             WHERE order_id = ?1 AND status IN ('pending', 'in_progress')",
            params![id.0, rank, now],
        )?;
        self.exec("UPDATE workflows SET priority = ?2 WHERE order_id = ?1", params![id.0, rank])?;
        self.exec(
            "UPDATE activity_tasks SET priority = ?2
             WHERE status = 'pending' AND workflow_id IN (SELECT id FROM workflows WHERE order_id = ?1)",
            params![id.0, rank],
        )?;
        Ok(())
    }

    /// A new ship-to address (a workflow's UpdateAddress).
    pub fn set_order_ship_to(&self, id: OrderId, to: &Address, now: Timestamp) -> Result<()> {
        self.exec(
            "UPDATE orders SET ship_to = ?2, updated_at = ?3 WHERE id = ?1",
            params![id.0, address_json(to), ms(now)],
        )?;
        Ok(())
    }

    pub fn set_order_status(&self, id: OrderId, st: OrderStatus, reason: Option<&str>, now: Timestamp) -> Result<()> {
        self.exec(
            "UPDATE orders SET status = ?2, cancel_reason = COALESCE(?3, cancel_reason), updated_at = ?4 WHERE id = ?1",
            params![id.0, st.as_str(), reason, ms(now)],
        )?;
        Ok(())
    }

    /// Inserts a fulfillment in `Pending` and returns it.
    pub fn insert_fulfillment(
        &self,
        order: OrderId,
        warehouse: WarehouseId,
        max_attempts: u32,
        now: Timestamp,
    ) -> Result<Fulfillment> {
        self.exec(
            "INSERT INTO fulfillments (order_id, warehouse_id, status, max_attempts, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
            params![order.0, warehouse.0, FulfillmentStatus::Pending.as_str(), max_attempts, ms(now)],
        )?;
        Ok(Fulfillment {
            id: FulfillmentId(self.conn.last_insert_rowid()),
            order_id: order,
            warehouse_id: warehouse,
            status: FulfillmentStatus::Pending,
            pick_attempts: 0,
            pack_attempts: 0,
            max_attempts,
        })
    }

    pub fn fulfillment(&self, id: FulfillmentId) -> Result<Option<Fulfillment>> {
        let raw = self
            .row(&format!("SELECT {FULFILLMENT_COLUMNS} FROM fulfillments WHERE id = ?1"), [id.0], fulfillment_raw)
            .optional()?;
        raw.map(to_fulfillment).transpose()
    }

    pub fn fulfillments_for_order(&self, order: OrderId) -> Result<Vec<Fulfillment>> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {FULFILLMENT_COLUMNS} FROM fulfillments WHERE order_id = +?1 ORDER BY id"
        ))?;
        let raws = st.query_map([order.0], fulfillment_raw)?.collect::<rusqlite::Result<Vec<_>>>()?;
        raws.into_iter().map(to_fulfillment).collect()
    }

    pub fn save_fulfillment(&self, f: &Fulfillment, now: Timestamp) -> Result<()> {
        self.exec(
            "UPDATE fulfillments SET status = ?2, pick_attempts = ?3, pack_attempts = ?4, updated_at = ?5 WHERE id = ?1",
            params![f.id.0, f.status.as_str(), f.pick_attempts, f.pack_attempts, ms(now)],
        )?;
        Ok(())
    }
}
