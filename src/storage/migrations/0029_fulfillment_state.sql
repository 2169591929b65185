-- The fulfillment workflow's state snapshot changed shape: its step now
-- carries what only that step knows. Every fulfillment's snapshot is folded
-- again from its history by this migration's Rust step
-- (`storage::upgrades`); the tables do not change.
SELECT 1;
