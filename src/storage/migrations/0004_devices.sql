-- Devices (issue 7). A handheld's own file has the same schema as the
-- server's; each side uses its own tables.
--
-- Server: each floor terminal's last contact and what it still had queued
-- then, so the board can show devices that are offline or behind.
CREATE TABLE devices (
    device_id         TEXT PRIMARY KEY,
    worker_id         INTEGER REFERENCES workers(id),
    last_seen         INTEGER NOT NULL,
    queued            INTEGER NOT NULL DEFAULT 0,
    oldest_queued_at  INTEGER
);

-- Device: the op queue, in the order the worker did the ops. pending →
-- sent → applied | rejected; a sent op without an answer is sent again
-- under the same op id (the server applies it once).
CREATE TABLE device_ops (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    op_id       TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL,
    payload     TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'applied', 'rejected')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,
    result      TEXT,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX idx_device_ops_status ON device_ops (status, seq);

-- Device: cached tasks (current and lookahead), the session and the screen,
-- as JSON by key, so the terminal works offline and resumes after a restart.
CREATE TABLE device_cache (
    key         TEXT PRIMARY KEY,
    body        TEXT NOT NULL,
    updated_at  INTEGER NOT NULL
);
