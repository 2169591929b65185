-- Seed 001 §12.1's throughput metrics read the last hour at every scrape
-- (issue 19): picks by scan time, packs by packing time.
CREATE INDEX idx_pick_scans_time ON pick_scans (scanned_at);
CREATE INDEX idx_packing_tasks_packed ON packing_tasks (packed_at) WHERE packed_at IS NOT NULL;
