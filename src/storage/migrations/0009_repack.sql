-- A pick may be packed more than once (issue 15): a cancelled packing task
-- is followed, on a retry of its workflow, by a new one for the same picked
-- units. `picking_task_id` loses its UNIQUE; at most one packing task per
-- pick is open (pending or in progress) at a time.
-- SQLite cannot drop a column constraint: the table is rebuilt (foreign
-- keys are off while migrating and checked before the commit).

CREATE TABLE packing_tasks_new (
    id                   INTEGER PRIMARY KEY,
    order_id             INTEGER NOT NULL REFERENCES orders(id),
    fulfillment_id       INTEGER NOT NULL REFERENCES fulfillments(id),
    picking_task_id      INTEGER NOT NULL REFERENCES picking_tasks(id),
    warehouse_id         INTEGER NOT NULL REFERENCES warehouses(id),
    worker_id            INTEGER REFERENCES workers(id),
    status               TEXT NOT NULL,
    priority             INTEGER NOT NULL,
    tracking_number      TEXT,
    label_url            TEXT,
    started_at           INTEGER,
    packed_at            INTEGER,
    shipped_at           INTEGER,
    cancelled_at         INTEGER,
    cancellation_reason  TEXT,
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL
);
INSERT INTO packing_tasks_new SELECT
    id, order_id, fulfillment_id, picking_task_id, warehouse_id, worker_id, status, priority, tracking_number,
    label_url, started_at, packed_at, shipped_at, cancelled_at, cancellation_reason, created_at, updated_at
FROM packing_tasks;
DROP TABLE packing_tasks;
ALTER TABLE packing_tasks_new RENAME TO packing_tasks;
CREATE INDEX idx_packing_tasks_queue ON packing_tasks (warehouse_id, status, priority DESC, created_at, id);
CREATE INDEX idx_packing_tasks_order ON packing_tasks (order_id);
CREATE UNIQUE INDEX idx_packing_tasks_open_pick ON packing_tasks (picking_task_id)
    WHERE status IN ('pending', 'in_progress');
