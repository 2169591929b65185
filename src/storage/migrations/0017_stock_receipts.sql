-- The receipts ledger (issue 19): every unit that entered the site, so that
-- `tote check` can prove stock conserved from the database alone:
-- on hand + quarantined + in transit + waiting to be put back
--   = received + adjustments.
-- A database made before this ledger gets one 'opening' row: the balance of
-- that equation when it migrated, so what it held then counts as received.

CREATE TABLE stock_receipts (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('receipt', 'opening')),
    warehouse_id  INTEGER REFERENCES warehouses(id),
    location_id   INTEGER REFERENCES locations(id),
    sku           TEXT,
    quantity      INTEGER NOT NULL,
    created_at    INTEGER NOT NULL
);

INSERT INTO stock_receipts (kind, quantity, created_at)
SELECT 'opening', balance, CAST(unixepoch('subsec') * 1000 AS INTEGER)
FROM (
    SELECT (SELECT COALESCE(SUM(quantity + quarantined), 0) FROM product_locations)
         + (SELECT COALESCE(SUM(i.quantity_picked), 0) FROM picking_task_items i
              JOIN picking_tasks t ON t.id = i.task_id JOIN orders o ON o.id = t.order_id
             WHERE t.status != 'cancelled' AND o.status != 'cancelled')
         + (SELECT COALESCE(SUM(quantity), 0) FROM put_back_lines WHERE put_at IS NULL)
         - (SELECT COALESCE(SUM(quantity), 0) FROM stock_adjustments) AS balance
)
WHERE balance != 0;
