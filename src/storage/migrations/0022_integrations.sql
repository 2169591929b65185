-- Seed 001's integrations (issue 17).
-- A product's listing in the Listings service: events name it beside the
-- SKU, and orders from Listings name their items by it.
ALTER TABLE products ADD COLUMN listing_id TEXT;
CREATE UNIQUE INDEX idx_products_listing ON products (listing_id) WHERE listing_id IS NOT NULL;

-- How far each outbound integration (Redis Streams, Listings) has taken
-- the outbox: it moves only after the far side took the events (at least
-- once), and retention keeps every event a cursor has not passed.
CREATE TABLE integration_cursors (
    name      TEXT PRIMARY KEY,
    event_id  INTEGER NOT NULL
);
