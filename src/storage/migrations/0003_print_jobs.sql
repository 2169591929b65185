-- The print spooler (issue 5). One job per (label, version, copy): copy 0 is
-- the print itself, so a retry or a double key press finds the existing job
-- and never prints twice; an explicit reprint is copy 1, 2, … with a reason.
CREATE TABLE print_jobs (
    id             INTEGER PRIMARY KEY,
    label_key      TEXT NOT NULL,
    label_version  INTEGER NOT NULL,
    copy           INTEGER NOT NULL DEFAULT 0,
    reason         TEXT,
    printer        TEXT NOT NULL,
    zpl            BLOB NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'printed', 'failed')),
    attempts       INTEGER NOT NULL DEFAULT 0,
    last_error     TEXT,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    UNIQUE (label_key, label_version, copy)
);
CREATE INDEX idx_print_jobs_status ON print_jobs (status, id);
