-- The outbox relay's webhook subscribers (issue 4, part 5) and their
-- deliveries: one row per (endpoint, event), made when the relay fans a
-- committed outbox event out to the endpoint.
CREATE TABLE webhook_endpoints (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    url           TEXT NOT NULL,
    -- The HMAC-SHA256 key the receiver verifies signatures with. Kept as
    -- given: signing needs the key itself (unlike a PIN or a token).
    secret        TEXT NOT NULL,
    -- Event types delivered, comma-separated; '*' for all.
    event_types   TEXT NOT NULL DEFAULT '*',
    max_attempts  INTEGER NOT NULL DEFAULT 8 CHECK (max_attempts >= 1),
    active        INTEGER NOT NULL DEFAULT 1,
    -- The last outbox event fanned out to this endpoint.
    cursor        INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL
);

CREATE TABLE webhook_deliveries (
    endpoint_id      INTEGER NOT NULL REFERENCES webhook_endpoints(id),
    event_id         INTEGER NOT NULL REFERENCES outbox_events(id),
    status           TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER NOT NULL,
    last_error       TEXT,
    delivered_at     INTEGER,
    PRIMARY KEY (endpoint_id, event_id)
) WITHOUT ROWID;
CREATE INDEX idx_webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
