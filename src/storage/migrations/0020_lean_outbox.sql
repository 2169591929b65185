-- Bytes per order (issue 19): nothing reads the outbox by aggregate, and
-- retention finds old events by id (ids grow with time), so neither index
-- earns its ~300 bytes per order.
DROP INDEX idx_outbox_aggregate;
DROP INDEX idx_outbox_created;
