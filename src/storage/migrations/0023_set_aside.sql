-- A packer set a started box aside (issue 16: backed out of Verify with
-- units scanned): why (damaged_unit, wrong_order, other) and when, so the
-- next packer who scans the order is told. NULL when never set aside.
ALTER TABLE packing_tasks ADD COLUMN set_aside_reason TEXT;
ALTER TABLE packing_tasks ADD COLUMN set_aside_at INTEGER;
