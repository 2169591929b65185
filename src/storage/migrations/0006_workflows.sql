-- The embedded workflow engine (issue 4): each workflow's state snapshot,
-- its history, its queued activities and its timers, all written in the
-- transaction of the decision that produced them. `fulfillment_tasks`
-- (0001) logs every activity execution; `shipments` holds at most one
-- shipment per fulfillment.

CREATE TABLE workflows (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('running', 'completed', 'cancelled', 'failed')),
    step            TEXT NOT NULL,
    blocking        TEXT,
    priority        INTEGER NOT NULL,
    order_id        INTEGER REFERENCES orders(id),
    fulfillment_id  INTEGER UNIQUE REFERENCES fulfillments(id),
    input           TEXT NOT NULL,
    state           TEXT NOT NULL,
    version         INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX idx_workflows_status ON workflows (status, updated_at);
CREATE INDEX idx_workflows_order ON workflows (order_id);

CREATE TABLE workflow_events (
    workflow_id  TEXT NOT NULL REFERENCES workflows(id),
    seq          INTEGER NOT NULL,
    event_type   TEXT NOT NULL,
    payload      TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (workflow_id, seq)
) WITHOUT ROWID;

CREATE TABLE activity_tasks (
    id           INTEGER PRIMARY KEY,
    workflow_id  TEXT NOT NULL REFERENCES workflows(id),
    activity     TEXT NOT NULL,
    payload      TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('pending', 'done', 'failed', 'dropped')),
    priority     INTEGER NOT NULL,
    attempt      INTEGER NOT NULL,
    next_run_at  INTEGER NOT NULL,
    last_error   TEXT,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX idx_activity_tasks_dispatch ON activity_tasks (status, priority DESC, created_at, id);
CREATE INDEX idx_activity_tasks_workflow ON activity_tasks (workflow_id, activity);

CREATE TABLE timers (
    workflow_id  TEXT NOT NULL REFERENCES workflows(id),
    name         TEXT NOT NULL,
    fire_at      INTEGER NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('pending', 'fired', 'cancelled')),
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (workflow_id, name)
) WITHOUT ROWID;
CREATE INDEX idx_timers_due ON timers (status, fire_at);

CREATE TABLE shipments (
    id              INTEGER PRIMARY KEY,
    fulfillment_id  INTEGER NOT NULL UNIQUE REFERENCES fulfillments(id),
    order_id        INTEGER NOT NULL REFERENCES orders(id),
    carrier         TEXT NOT NULL,
    tracking        TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('created', 'labelled', 'confirmed', 'shipped', 'voided')),
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
