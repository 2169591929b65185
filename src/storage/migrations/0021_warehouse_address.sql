-- A warehouse's ship-from address (issue 17): JSON of a postal address, as
-- orders keep their ship-to; NULL until someone sets it.
ALTER TABLE warehouses ADD COLUMN address TEXT;
