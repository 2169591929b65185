-- Sessions and API keys (issue 3). Tokens and keys are stored only as
-- SHA-256 hashes: a copy of the database lets no one log in.

CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,
    worker_id   INTEGER NOT NULL REFERENCES workers(id),
    device_id   TEXT,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    revoked_at  INTEGER
);
CREATE INDEX idx_sessions_worker ON sessions (worker_id);

CREATE TABLE api_keys (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    key_hash    TEXT NOT NULL UNIQUE,
    scope       TEXT NOT NULL CHECK (scope IN ('integration')),
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER
);
