-- Workflows another engine hosts (issue 18: Temporal). Their rows in
-- `workflows` record that engine's decisions; the embedded engine never
-- decides for them. A signal a floor op sends to one waits in
-- `hosted_signals` until the engine's worker has forwarded it (at least
-- once: the decider ignores a repeat).
CREATE TABLE hosted_workflows (
    workflow_id TEXT PRIMARY KEY,
    engine TEXT NOT NULL,
    created_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE hosted_signals (
    id INTEGER PRIMARY KEY,
    workflow_id TEXT NOT NULL,
    signal TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
