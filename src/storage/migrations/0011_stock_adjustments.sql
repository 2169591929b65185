-- Stock counts that disagree with the books (issue 15): a picker who finds
-- a shelf short (a stock-out short) sets its on-hand to what is there, and
-- the difference is kept here with who found it and why. Conservation reads
-- it: on hand + in transit = received + the sum of `quantity`.

CREATE TABLE stock_adjustments (
    id            INTEGER PRIMARY KEY,
    warehouse_id  INTEGER NOT NULL REFERENCES warehouses(id),
    location_id   INTEGER NOT NULL REFERENCES locations(id),
    sku           TEXT NOT NULL,
    -- Signed: units added to (positive) or taken from (negative) the books.
    quantity      INTEGER NOT NULL CHECK (quantity != 0),
    reason        TEXT NOT NULL,
    worker_id     INTEGER REFERENCES workers(id),
    picking_task_id INTEGER REFERENCES picking_tasks(id),
    created_at    INTEGER NOT NULL
);
CREATE INDEX idx_stock_adjustments_sku ON stock_adjustments (sku, created_at);
