-- Intakes accepted while the site runs on a hosted engine (issue 18,
-- Temporal): written with the workflow's row in the op's transaction,
-- taken off once the engine has started the workflow (at least once: a
-- second start of the same id finds the first).
CREATE TABLE hosted_starts (
    workflow_id TEXT PRIMARY KEY,
    launch TEXT NOT NULL,
    created_at INTEGER NOT NULL
) WITHOUT ROWID;
