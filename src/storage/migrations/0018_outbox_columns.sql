-- The outbox's per-row delivery columns have been dead since the relay
-- moved to per-subscriber cursors (issue 4): nothing updated them, and
-- `tote_outbox_depth` counted 'pending' rows that never left (issue 19).
-- The backlog is now the newest event id minus the slowest subscriber's
-- position (`storage::health::outbox_backlog`). Retention deletes old events
-- by id and age.
DROP INDEX idx_outbox_status;
ALTER TABLE outbox_events DROP COLUMN status;
ALTER TABLE outbox_events DROP COLUMN retry_count;
ALTER TABLE outbox_events DROP COLUMN max_retries;
ALTER TABLE outbox_events DROP COLUMN error_message;
ALTER TABLE outbox_events DROP COLUMN processed_at;
CREATE INDEX idx_outbox_created ON outbox_events (created_at);
