-- The workflows' state snapshots changed shape: each step now carries what
-- only that step knows (ADR 0046). Every workflow's snapshot is folded
-- again from its history by this migration's Rust step (`storage::upgrades`);
-- the tables do not change.
SELECT 1;
