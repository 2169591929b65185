-- Put-back tasks (issue 15): units picked for work that was then cancelled
-- (or timed out) are in a tote, not on a shelf. They wait here until a
-- worker scans them back onto their location; only then are they on hand.
-- Conservation reads it: on hand + quarantined + in transit + waiting to be
-- put back = received + adjustments.

CREATE TABLE put_back_tasks (
    id               INTEGER PRIMARY KEY,
    warehouse_id     INTEGER NOT NULL REFERENCES warehouses(id),
    picking_task_id  INTEGER NOT NULL REFERENCES picking_tasks(id),
    status           TEXT NOT NULL CHECK (status IN ('pending', 'done')),
    reason           TEXT NOT NULL,
    worker_id        INTEGER REFERENCES workers(id),
    created_at       INTEGER NOT NULL,
    done_at          INTEGER
);
CREATE INDEX idx_put_back_tasks_open ON put_back_tasks (warehouse_id, status, created_at);

CREATE TABLE put_back_lines (
    id        INTEGER PRIMARY KEY,
    task_id   INTEGER NOT NULL REFERENCES put_back_tasks(id),
    -- The slot the units came from: they go back to it.
    slot_id   INTEGER NOT NULL REFERENCES product_locations(id),
    sku       TEXT NOT NULL,
    quantity  INTEGER NOT NULL CHECK (quantity > 0),
    put_at    INTEGER
);
CREATE INDEX idx_put_back_lines_task ON put_back_lines (task_id);
