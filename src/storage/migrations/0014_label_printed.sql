-- When a packed box's label came out of a station's printer (issue 15): a
-- box packed but without it is listed (alert `label_not_printed`) until any
-- station that scans its order or tote prints it.

ALTER TABLE packing_tasks ADD COLUMN label_printed_at INTEGER;
