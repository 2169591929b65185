//! Warehouses, locations, products and workers: the master data.

use super::convert::ms;
use super::{Result, Tx};
use crate::domain::Timestamp;
use crate::domain::ids::{LocationId, Sku, WarehouseId, WorkerId};
use crate::domain::shipment::PostalAddress;
use rusqlite::{OptionalExtension, params};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warehouse {
    pub id: WarehouseId,
    pub code: String,
    pub name: String,
    /// Where its parcels ship from; `None` until set.
    pub address: Option<PostalAddress>,
}

const WAREHOUSE: &str = "SELECT id, code, name, address FROM warehouses";

fn warehouse(r: &rusqlite::Row<'_>) -> rusqlite::Result<Warehouse> {
    let address: Option<String> = r.get(3)?;
    Ok(Warehouse {
        id: WarehouseId(r.get(0)?),
        code: r.get(1)?,
        name: r.get(2)?,
        // Written only by `set_warehouse_address`; unreadable JSON would be
        // a corrupt file, shown as no address rather than no warehouse.
        address: address.and_then(|a| serde_json::from_str(&a).ok()),
    })
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub id: LocationId,
    pub warehouse_id: WarehouseId,
    pub code: String,
    pub walk_order: i64,
    pub check_digits: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    pub sku: String,
    pub name: String,
    pub barcode: Option<String>,
}

impl Tx<'_> {
    /// The warehouse with `code`, creating it if new.
    pub fn ensure_warehouse(&self, code: &str, name: &str, now: Timestamp) -> Result<WarehouseId> {
        self.exec(
            "INSERT INTO warehouses (code, name, created_at) VALUES (?1, ?2, ?3) ON CONFLICT (code) DO NOTHING",
            params![code, name, ms(now)],
        )?;
        Ok(WarehouseId(self.row("SELECT id FROM warehouses WHERE code = ?1", [code], |r| r.get(0))?))
    }

    pub fn warehouse_by_code(&self, code: &str) -> Result<Option<Warehouse>> {
        Ok(self.row(&format!("{WAREHOUSE} WHERE code = ?1"), [code], warehouse).optional()?)
    }

    pub fn warehouse(&self, id: WarehouseId) -> Result<Option<Warehouse>> {
        Ok(self.row(&format!("{WAREHOUSE} WHERE id = ?1"), [id.0], warehouse).optional()?)
    }

    pub fn warehouses(&self) -> Result<Vec<Warehouse>> {
        let mut st = self.conn.prepare_cached(&format!("{WAREHOUSE} ORDER BY code"))?;
        let rows = st.query_map([], warehouse)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Sets the ship-from address of warehouse `id`.
    pub fn set_warehouse_address(&self, id: WarehouseId, address: &PostalAddress) -> Result<()> {
        let json = serde_json::to_string(address)?;
        self.exec("UPDATE warehouses SET address = ?2 WHERE id = ?1", params![id.0, json])?;
        Ok(())
    }

    /// The location `code` in `warehouse`, creating it if new; walk order
    /// and check digits are updated when given.
    pub fn ensure_location(
        &self,
        warehouse: WarehouseId,
        code: &str,
        walk_order: Option<i64>,
        check_digits: Option<&str>,
    ) -> Result<LocationId> {
        self.exec(
            "INSERT INTO locations (warehouse_id, code, walk_order, check_digits) VALUES (?1, ?2, COALESCE(?3, 0), ?4)
             ON CONFLICT (warehouse_id, code) DO UPDATE SET
               walk_order = COALESCE(?3, walk_order), check_digits = COALESCE(?4, check_digits)",
            params![warehouse.0, code, walk_order, check_digits],
        )?;
        Ok(LocationId(self.row(
            "SELECT id FROM locations WHERE warehouse_id = ?1 AND code = ?2",
            params![warehouse.0, code],
            |r| r.get(0),
        )?))
    }

    pub fn location_by_code(&self, warehouse: WarehouseId, code: &str) -> Result<Option<Location>> {
        Ok(self
            .row(
                "SELECT id, warehouse_id, code, walk_order, check_digits FROM locations
                 WHERE warehouse_id = ?1 AND code = ?2",
                params![warehouse.0, code],
                |r| {
                    Ok(Location {
                        id: LocationId(r.get(0)?),
                        warehouse_id: WarehouseId(r.get(1)?),
                        code: r.get(2)?,
                        walk_order: r.get(3)?,
                        check_digits: r.get(4)?,
                    })
                },
            )
            .optional()?)
    }

    /// Creates or updates a product; empty name or missing barcode keep what is stored.
    pub fn ensure_product(&self, sku: &Sku, name: &str, barcode: Option<&str>) -> Result<()> {
        self.exec(
            "INSERT INTO products (sku, name, barcode) VALUES (?1, ?2, ?3)
             ON CONFLICT (sku) DO UPDATE SET
               name = CASE WHEN ?2 = '' THEN name ELSE ?2 END, barcode = COALESCE(?3, barcode)",
            params![sku.as_str(), name, barcode],
        )?;
        Ok(())
    }

    pub fn product(&self, sku: &str) -> Result<Option<Product>> {
        Ok(self
            .row("SELECT sku, name, barcode FROM products WHERE sku = ?1", [sku], |r| {
                Ok(Product { sku: r.get(0)?, name: r.get(1)?, barcode: r.get(2)? })
            })
            .optional()?)
    }

    /// Links `sku` to its listing in the Listings service (`None` unlinks).
    pub fn set_listing(&self, sku: &Sku, listing_id: Option<&str>) -> Result<()> {
        self.exec("UPDATE products SET listing_id = ?2 WHERE sku = ?1", params![sku.as_str(), listing_id])?;
        Ok(())
    }

    /// The listing `sku` is sold as, if linked.
    pub fn listing_of(&self, sku: &str) -> Result<Option<String>> {
        Ok(self.row("SELECT listing_id FROM products WHERE sku = ?1", [sku], |r| r.get(0)).optional()?.flatten())
    }

    /// The SKU linked to `listing_id`, if any.
    pub fn sku_of_listing(&self, listing_id: &str) -> Result<Option<String>> {
        Ok(self.row("SELECT sku FROM products WHERE listing_id = ?1", [listing_id], |r| r.get(0)).optional()?)
    }

    /// The SKU that owns `barcode`, if any.
    pub fn sku_by_barcode(&self, barcode: &str) -> Result<Option<String>> {
        Ok(self.row("SELECT sku FROM products WHERE barcode = ?1", [barcode], |r| r.get(0)).optional()?)
    }

    /// Lets `worker` work in the warehouse with `code`; false when there is
    /// no such warehouse.
    pub fn bind_worker(&self, worker: WorkerId, code: &str) -> Result<bool> {
        let found: Option<i64> =
            self.row("SELECT id FROM warehouses WHERE code = ?1", [code], |r| r.get(0)).optional()?;
        let Some(warehouse) = found else { return Ok(false) };
        self.exec(
            "INSERT OR IGNORE INTO worker_warehouses (worker_id, warehouse_id) VALUES (?1, ?2)",
            params![worker.0, warehouse],
        )?;
        Ok(true)
    }

    /// The codes of the warehouses `worker` works in.
    pub fn worker_warehouses(&self, worker: WorkerId) -> Result<Vec<String>> {
        let mut st = self.conn.prepare_cached(
            "SELECT h.code FROM worker_warehouses ww JOIN warehouses h ON h.id = ww.warehouse_id
             WHERE ww.worker_id = ?1 ORDER BY h.code",
        )?;
        Ok(st.query_map([worker.0], |r| r.get(0))?.collect::<rusqlite::Result<Vec<String>>>()?)
    }

    /// Whether `worker` works in the warehouse with id `warehouse`.
    pub fn works_in(&self, worker: WorkerId, warehouse: i64) -> Result<bool> {
        Ok(self
            .row(
                "SELECT 1 FROM worker_warehouses WHERE worker_id = ?1 AND warehouse_id = ?2",
                params![worker.0, warehouse],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    /// Adds a worker; `role` is checked by the schema.
    pub fn insert_worker(&self, badge: &str, name: &str, role: &str, now: Timestamp) -> Result<WorkerId> {
        self.exec(
            "INSERT INTO workers (badge, name, role, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![badge, name, role, ms(now)],
        )?;
        Ok(WorkerId(self.conn.last_insert_rowid()))
    }

    /// Whether `worker` exists and is active.
    pub fn worker_active(&self, worker: WorkerId) -> Result<bool> {
        Ok(self
            .row("SELECT active FROM workers WHERE id = ?1", [worker.0], |r| r.get::<_, bool>(0))
            .optional()?
            .unwrap_or(false))
    }
}
