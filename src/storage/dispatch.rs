//! The dock: shipments found by a parcel's tracking number, a carrier's
//! open manifest, and the parcels waiting to leave.

use super::convert::time;
use super::workflow::{SHIPMENT, ShipmentRow, shipment_row};
use super::{Result, Tx};
use crate::domain::Timestamp;
use rusqlite::{OptionalExtension, params};

/// A parcel's shipment still at the dock, for the board.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AtDock {
    pub shipment: ShipmentRow,
    pub warehouse: String,
    /// When its shipment was created (the box was packed just before).
    pub since: Timestamp,
}

/// Shipment statuses of parcels that have not left.
const AT_DOCK: &str = "s.status IN ('created', 'labelled', 'confirmed')";

impl Tx<'_> {
    /// The shipment one of whose parcels has `tracking`.
    pub fn shipment_by_tracking(&self, tracking: &str) -> Result<Option<ShipmentRow>> {
        let sql = format!(
            "SELECT {SHIPMENT} FROM shipments s, json_each(s.tracking) j WHERE j.value = ?1 ORDER BY s.id DESC LIMIT 1"
        );
        Ok(self.row(&sql, [tracking], shipment_row).optional()?)
    }

    /// The open manifest of `carrier` at `warehouse` (code): its shipments
    /// whose parcels have not left.
    pub fn manifest(&self, warehouse: &str, carrier: &str) -> Result<Vec<ShipmentRow>> {
        let sql = format!(
            "SELECT {SHIPMENT} FROM shipments s JOIN fulfillments f ON f.id = s.fulfillment_id
             JOIN warehouses w ON w.id = f.warehouse_id
             WHERE w.code = ?1 AND s.carrier = ?2 AND {AT_DOCK} ORDER BY s.id"
        );
        let mut st = self.conn.prepare_cached(&sql)?;
        Ok(st.query_map(params![warehouse, carrier], shipment_row)?.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// The shipments whose parcels wait at a dock in `scope`, oldest first.
    pub fn at_dock(&self, limit: u32, scope: &super::board::Scope) -> Result<Vec<AtDock>> {
        let sql = format!(
            "SELECT {SHIPMENT}, w.code, s.created_at FROM shipments s JOIN fulfillments f ON f.id = s.fulfillment_id
             JOIN warehouses w ON w.id = f.warehouse_id WHERE {AT_DOCK} AND {}
             ORDER BY s.created_at, s.id LIMIT ?1",
            in_scope!("f.warehouse_id", 2)
        );
        let mut st = self.conn.prepare_cached(&sql)?;
        let rows = st
            .query_map(params![limit, scope.param()], |r| {
                Ok((shipment_row(r)?, r.get::<_, String>(6)?, r.get::<_, i64>(7)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter().map(|(shipment, warehouse, at)| Ok(AtDock { shipment, warehouse, since: time(at)? })).collect()
    }
}
