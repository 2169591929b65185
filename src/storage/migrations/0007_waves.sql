-- Waves and cluster picking (issue 8): a supervisor releases a wave of
-- picking tasks chosen by criteria; they are grouped into batches, one
-- picker walks a batch once, each task's units into its own tote.

CREATE TABLE waves (
    id            INTEGER PRIMARY KEY,
    warehouse_id  INTEGER NOT NULL REFERENCES warehouses(id),
    criteria      TEXT NOT NULL,
    created_at    INTEGER NOT NULL
);

CREATE TABLE wave_batches (
    id          INTEGER PRIMARY KEY,
    wave_id     INTEGER NOT NULL REFERENCES waves(id),
    worker_id   INTEGER REFERENCES workers(id),
    created_at  INTEGER NOT NULL
);
CREATE INDEX idx_wave_batches_worker ON wave_batches (worker_id);

CREATE TABLE batch_totes (
    batch_id         INTEGER NOT NULL REFERENCES wave_batches(id),
    picking_task_id  INTEGER NOT NULL UNIQUE REFERENCES picking_tasks(id),
    position         INTEGER NOT NULL,
    tote             TEXT NOT NULL,
    PRIMARY KEY (batch_id, picking_task_id)
) WITHOUT ROWID;
