-- Workers belong to warehouses (issue 15): claims and batches offer a worker
-- only the work of its warehouses, and a task is assigned only to a worker
-- of the task's warehouse. A worker without a row here gets no floor work.

CREATE TABLE worker_warehouses (
    worker_id     INTEGER NOT NULL REFERENCES workers(id),
    warehouse_id  INTEGER NOT NULL REFERENCES warehouses(id),
    PRIMARY KEY (worker_id, warehouse_id)
) WITHOUT ROWID;

-- Workers made before this keep the reach they had: every warehouse.
INSERT INTO worker_warehouses (worker_id, warehouse_id) SELECT w.id, h.id FROM workers w CROSS JOIN warehouses h;
