-- Damaged units are quarantined (issue 15): taken out of a slot's on-hand
-- (nothing allocates them) and kept on the slot until a supervisor disposes
-- of them (an adjustment) or puts them back on sale. Conservation reads it:
-- on hand + quarantined + in transit = received + adjustments.

ALTER TABLE product_locations ADD COLUMN quarantined INTEGER NOT NULL DEFAULT 0 CHECK (quarantined >= 0);
