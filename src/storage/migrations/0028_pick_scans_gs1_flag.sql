-- A GS1 item scan is kept as its text and a flag (the device read it as
-- GS1), not as its elements in JSON: the server checked that the elements
-- are what the text says, so they are read again from the text. Rows
-- written before keep their JSON in item_gs1.
ALTER TABLE pick_scans ADD COLUMN item_is_gs1 INTEGER NOT NULL DEFAULT 0;
