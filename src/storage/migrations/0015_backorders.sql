-- Each fulfillment's own lines (issue 15): what it must ship. Until now a
-- fulfillment served its order's lines in its warehouse; a backorder is a
-- second fulfillment of the same order and warehouse, for the units a pick
-- did not find, so the lines move to the fulfillment. Existing ones are
-- copied from their order's lines.

CREATE TABLE fulfillment_lines (
    id              INTEGER PRIMARY KEY,
    fulfillment_id  INTEGER NOT NULL REFERENCES fulfillments(id),
    sku             TEXT NOT NULL,
    quantity        INTEGER NOT NULL CHECK (quantity > 0)
);
CREATE INDEX idx_fulfillment_lines ON fulfillment_lines (fulfillment_id);

INSERT INTO fulfillment_lines (fulfillment_id, sku, quantity)
SELECT f.id, l.sku, l.quantity
FROM fulfillments f JOIN order_lines l ON l.order_id = f.order_id AND l.warehouse_id = f.warehouse_id
ORDER BY f.id, l.id;

-- An order may now have more than one fulfillment in a warehouse: the
-- UNIQUE (order_id, warehouse_id) goes, and `backorder_of` names the
-- fulfillment whose short pick a backorder makes up. SQLite cannot drop a
-- table constraint: the table is rebuilt (foreign keys are off while
-- migrating and checked before the commit).
CREATE TABLE fulfillments_new (
    id             INTEGER PRIMARY KEY,
    order_id       INTEGER NOT NULL REFERENCES orders(id),
    warehouse_id   INTEGER NOT NULL REFERENCES warehouses(id),
    status         TEXT NOT NULL,
    pick_attempts  INTEGER NOT NULL DEFAULT 0,
    pack_attempts  INTEGER NOT NULL DEFAULT 0,
    max_attempts   INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    backorder_of   INTEGER REFERENCES fulfillments_new(id)
);
INSERT INTO fulfillments_new
    (id, order_id, warehouse_id, status, pick_attempts, pack_attempts, max_attempts, created_at, updated_at)
SELECT id, order_id, warehouse_id, status, pick_attempts, pack_attempts, max_attempts, created_at, updated_at
FROM fulfillments;
DROP TABLE fulfillments;
ALTER TABLE fulfillments_new RENAME TO fulfillments;
CREATE INDEX idx_fulfillments_status ON fulfillments (status);
CREATE INDEX idx_fulfillments_order ON fulfillments (order_id, warehouse_id);

-- Fulfillments waiting for stock, found when stock arrives.
CREATE INDEX idx_workflows_await_stock ON workflows (fulfillment_id) WHERE step = 'await_stock' AND status = 'running';
