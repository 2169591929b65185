-- A pick inserts one row into pick_scans. idx_pick_scans_item put that
-- row's entry at its item's place in the index, so with 64 pickers on 64
-- tasks each pick dirtied one more page of its own: half the pages a group
-- commit wrote to the WAL and fsynced (ADR 0048). Nothing reads scans by
-- item, and no item row is ever deleted (a foreign key's parent check
-- needs no child index), so it goes. The tables a pick inserts into keep
-- only indexes whose new entries land at the end (time, id, status+id).
DROP INDEX idx_pick_scans_item;
