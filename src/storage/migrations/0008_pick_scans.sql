-- Scan evidence (issue 14): what the picker scanned for each pick, as the
-- device read it, after the server checked it with the domain's rule.
-- One row per pick op (a line picked in parts has several).

CREATE TABLE pick_scans (
    id              INTEGER PRIMARY KEY,
    picking_task_id INTEGER NOT NULL REFERENCES picking_tasks(id),
    item_id         INTEGER NOT NULL REFERENCES picking_task_items(id),
    worker_id       INTEGER REFERENCES workers(id),
    location_scan   TEXT NOT NULL,
    item_scan       TEXT NOT NULL,
    -- The GS1 elements of the item scan as JSON, NULL for a plain scan.
    item_gs1        TEXT,
    tote_scan       TEXT,
    quantity        INTEGER NOT NULL,
    scanned_at      INTEGER NOT NULL
);
CREATE INDEX idx_pick_scans_item ON pick_scans (item_id);
