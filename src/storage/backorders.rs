//! A fulfillment's own lines, backorders (a fulfillment made of the units a
//! pick did not find) and the fulfillments that wait for stock.

use super::convert::{sku, u32_of};
use super::{Result, Tx};
use crate::domain::ids::{FulfillmentId, OrderId, Qty, Sku, WarehouseId};
use rusqlite::params;

/// One line a fulfillment must ship.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FulfillmentLine {
    pub fulfillment_id: FulfillmentId,
    pub sku: Sku,
    pub quantity: Qty,
}

impl Tx<'_> {
    pub fn insert_fulfillment_line(&self, f: FulfillmentId, sku: &Sku, qty: Qty) -> Result<()> {
        self.exec(
            "INSERT INTO fulfillment_lines (fulfillment_id, sku, quantity) VALUES (?1, ?2, ?3)",
            params![f.0, sku.as_str(), qty.0],
        )?;
        Ok(())
    }

    /// The lines of every fulfillment of `order`, by fulfillment then line.
    pub fn fulfillment_lines_for_order(&self, order: OrderId) -> Result<Vec<FulfillmentLine>> {
        let mut st = self.conn.prepare_cached(
            "SELECT l.fulfillment_id, l.sku, l.quantity FROM fulfillment_lines l
             JOIN fulfillments f ON f.id = l.fulfillment_id WHERE f.order_id = ?1 ORDER BY l.fulfillment_id, l.id",
        )?;
        let raws = st
            .query_map([order.0], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        raws.into_iter()
            .map(|(f, s, q)| {
                Ok(FulfillmentLine {
                    fulfillment_id: FulfillmentId(f),
                    sku: sku(&s)?,
                    quantity: Qty(u32_of(q, "quantity")?),
                })
            })
            .collect()
    }

    /// The lines of fulfillment `f`.
    pub fn fulfillment_lines(&self, f: FulfillmentId) -> Result<Vec<(Sku, Qty)>> {
        let mut st = self
            .conn
            .prepare_cached("SELECT sku, quantity FROM fulfillment_lines WHERE fulfillment_id = ?1 ORDER BY id")?;
        let raws = st
            .query_map([f.0], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        raws.into_iter().map(|(s, q)| Ok((sku(&s)?, Qty(u32_of(q, "quantity")?)))).collect()
    }

    /// Marks fulfillment `f` as the backorder of `of`.
    pub fn set_backorder_of(&self, f: FulfillmentId, of: FulfillmentId) -> Result<()> {
        self.exec("UPDATE fulfillments SET backorder_of = ?2 WHERE id = ?1", params![f.0, of.0])?;
        Ok(())
    }

    /// The workflows of the fulfillments in `warehouse` that wait for stock
    /// of one of `skus`, most urgent and then oldest first.
    pub fn waiting_for_stock(&self, warehouse: WarehouseId, skus: &[Sku]) -> Result<Vec<String>> {
        let skus = serde_json::to_string(&skus.iter().map(Sku::as_str).collect::<Vec<_>>())
            .map_err(|e| super::StorageError::Corrupt(e.to_string()))?;
        let mut st = self.conn.prepare_cached(
            "SELECT w.id FROM workflows w JOIN fulfillments f ON f.id = w.fulfillment_id
             WHERE w.step = 'await_stock' AND w.status = 'running' AND f.warehouse_id = ?1
               AND EXISTS (SELECT 1 FROM fulfillment_lines l WHERE l.fulfillment_id = f.id
                           AND l.sku IN (SELECT value FROM json_each(?2)))
             ORDER BY w.priority DESC, w.created_at, w.id",
        )?;
        let ids = st.query_map(params![warehouse.0, skus], |r| r.get::<_, String>(0))?;
        Ok(ids.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}
