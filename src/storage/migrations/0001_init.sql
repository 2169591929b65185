-- Tote schema, version 1. Migrations are append-only: never edit this file
-- once shipped; add 0002_*.sql instead.
-- Times are INTEGER milliseconds since the Unix epoch (UTC); dates are TEXT YYYY-MM-DD.
-- Quantities are INTEGER units, weights INTEGER grams, lengths INTEGER millimetres.

CREATE TABLE warehouses (
    id          INTEGER PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE locations (
    id            INTEGER PRIMARY KEY,
    warehouse_id  INTEGER NOT NULL REFERENCES warehouses(id),
    code          TEXT NOT NULL,
    zone          TEXT,
    walk_order    INTEGER NOT NULL DEFAULT 0,
    check_digits  TEXT,
    UNIQUE (warehouse_id, code)
);

CREATE TABLE products (
    sku      TEXT PRIMARY KEY,
    name     TEXT NOT NULL DEFAULT '',
    barcode  TEXT UNIQUE
);

-- Stock of one SKU at one location from one receipt (lot).
CREATE TABLE product_locations (
    id                 INTEGER PRIMARY KEY,
    warehouse_id       INTEGER NOT NULL REFERENCES warehouses(id),
    location_id        INTEGER NOT NULL REFERENCES locations(id),
    sku                TEXT NOT NULL REFERENCES products(sku),
    quantity           INTEGER NOT NULL CHECK (quantity >= 0),
    reserved_quantity  INTEGER NOT NULL DEFAULT 0 CHECK (reserved_quantity >= 0 AND reserved_quantity <= quantity),
    received_at        INTEGER NOT NULL,
    lot                TEXT,
    expiry             TEXT,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
);
-- The FIFO query: one SKU in one warehouse, oldest first.
CREATE INDEX idx_product_locations_fifo ON product_locations (warehouse_id, sku, received_at, id);
CREATE INDEX idx_product_locations_location ON product_locations (location_id);

CREATE TABLE workers (
    id             INTEGER PRIMARY KEY,
    badge          TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('picker', 'packer', 'supervisor', 'admin')),
    pin_hash       TEXT,
    active         INTEGER NOT NULL DEFAULT 1,
    failed_logins  INTEGER NOT NULL DEFAULT 0,
    locked_until   INTEGER,
    created_at     INTEGER NOT NULL
);

CREATE TABLE orders (
    id            INTEGER PRIMARY KEY,
    request_id    TEXT NOT NULL UNIQUE,
    external_ref  TEXT,
    status        TEXT NOT NULL,
    priority      INTEGER NOT NULL,
    ship_to       TEXT NOT NULL,
    cancel_reason TEXT,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX idx_orders_status ON orders (status, created_at);

CREATE TABLE order_lines (
    id            INTEGER PRIMARY KEY,
    order_id      INTEGER NOT NULL REFERENCES orders(id),
    warehouse_id  INTEGER NOT NULL REFERENCES warehouses(id),
    sku           TEXT NOT NULL,
    quantity      INTEGER NOT NULL CHECK (quantity > 0)
);
CREATE INDEX idx_order_lines_order ON order_lines (order_id);

CREATE TABLE fulfillments (
    id             INTEGER PRIMARY KEY,
    order_id       INTEGER NOT NULL REFERENCES orders(id),
    warehouse_id   INTEGER NOT NULL REFERENCES warehouses(id),
    status         TEXT NOT NULL,
    pick_attempts  INTEGER NOT NULL DEFAULT 0,
    pack_attempts  INTEGER NOT NULL DEFAULT 0,
    max_attempts   INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    UNIQUE (order_id, warehouse_id)
);
CREATE INDEX idx_fulfillments_status ON fulfillments (status);

CREATE TABLE wms_reservations (
    id                   INTEGER PRIMARY KEY,
    sku                  TEXT NOT NULL,
    warehouse_id         INTEGER NOT NULL REFERENCES warehouses(id),
    order_id             INTEGER REFERENCES orders(id),
    fulfillment_id       INTEGER REFERENCES fulfillments(id),
    product_location_id  INTEGER NOT NULL REFERENCES product_locations(id),
    quantity             INTEGER NOT NULL CHECK (quantity > 0),
    consumed             INTEGER NOT NULL DEFAULT 0 CHECK (consumed >= 0 AND consumed <= quantity),
    status               TEXT NOT NULL CHECK (status IN ('pending', 'fulfilled', 'cancelled')),
    expires_at           INTEGER,
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL
);
CREATE INDEX idx_wms_reservations_order ON wms_reservations (order_id);
CREATE INDEX idx_wms_reservations_status ON wms_reservations (status, expires_at);
CREATE INDEX idx_wms_reservations_sku ON wms_reservations (sku, warehouse_id);

CREATE TABLE picking_tasks (
    id                   INTEGER PRIMARY KEY,
    order_id             INTEGER NOT NULL REFERENCES orders(id),
    fulfillment_id       INTEGER NOT NULL REFERENCES fulfillments(id),
    warehouse_id         INTEGER NOT NULL REFERENCES warehouses(id),
    worker_id            INTEGER REFERENCES workers(id),
    status               TEXT NOT NULL,
    priority             INTEGER NOT NULL,
    total_items          INTEGER NOT NULL DEFAULT 0,
    picked_items         INTEGER NOT NULL DEFAULT 0,
    started_at           INTEGER,
    completed_at         INTEGER,
    cancelled_at         INTEGER,
    cancellation_reason  TEXT,
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL
);
-- The work queue: by status, most urgent first, then oldest.
CREATE INDEX idx_picking_tasks_queue ON picking_tasks (warehouse_id, status, priority DESC, created_at, id);
CREATE INDEX idx_picking_tasks_order ON picking_tasks (order_id);
CREATE INDEX idx_picking_tasks_worker ON picking_tasks (worker_id, status);

CREATE TABLE picking_task_items (
    id                   INTEGER PRIMARY KEY,
    task_id              INTEGER NOT NULL REFERENCES picking_tasks(id),
    sku                  TEXT NOT NULL,
    location_id          INTEGER NOT NULL REFERENCES locations(id),
    product_location_id  INTEGER NOT NULL REFERENCES product_locations(id),
    reservation_id       INTEGER NOT NULL REFERENCES wms_reservations(id),
    quantity_required    INTEGER NOT NULL CHECK (quantity_required > 0),
    quantity_picked      INTEGER NOT NULL DEFAULT 0 CHECK (quantity_picked >= 0 AND quantity_picked <= quantity_required),
    status               TEXT NOT NULL,
    sequence             INTEGER NOT NULL,
    reason               TEXT,
    picked_at            INTEGER,
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL
);
CREATE INDEX idx_picking_task_items_task ON picking_task_items (task_id, sequence);

CREATE TABLE packing_tasks (
    id                   INTEGER PRIMARY KEY,
    order_id             INTEGER NOT NULL REFERENCES orders(id),
    fulfillment_id       INTEGER NOT NULL REFERENCES fulfillments(id),
    picking_task_id      INTEGER NOT NULL UNIQUE REFERENCES picking_tasks(id),
    warehouse_id         INTEGER NOT NULL REFERENCES warehouses(id),
    worker_id            INTEGER REFERENCES workers(id),
    status               TEXT NOT NULL,
    priority             INTEGER NOT NULL,
    tracking_number      TEXT,
    label_url            TEXT,
    started_at           INTEGER,
    packed_at            INTEGER,
    shipped_at           INTEGER,
    cancelled_at         INTEGER,
    cancellation_reason  TEXT,
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL
);
CREATE INDEX idx_packing_tasks_queue ON packing_tasks (warehouse_id, status, priority DESC, created_at, id);
CREATE INDEX idx_packing_tasks_order ON packing_tasks (order_id);

CREATE TABLE packages (
    id               INTEGER PRIMARY KEY,
    packing_task_id  INTEGER NOT NULL REFERENCES packing_tasks(id),
    sequence_number  INTEGER NOT NULL,
    packaging_type   TEXT NOT NULL,
    weight_g         INTEGER CHECK (weight_g > 0),
    length_mm        INTEGER CHECK (length_mm > 0),
    width_mm         INTEGER CHECK (width_mm > 0),
    height_mm        INTEGER CHECK (height_mm > 0),
    barcode          TEXT,
    label_url        TEXT,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    UNIQUE (packing_task_id, sequence_number)
);

-- One row per activity execution of a workflow (seed 000).
CREATE TABLE fulfillment_tasks (
    id           INTEGER PRIMARY KEY,
    workflow_id  TEXT NOT NULL,
    task_type    TEXT NOT NULL,
    status       TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    metadata     TEXT NOT NULL DEFAULT '{}',
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX idx_fulfillment_tasks_workflow ON fulfillment_tasks (workflow_id);
CREATE INDEX idx_fulfillment_tasks_status ON fulfillment_tasks (status, updated_at);

-- Transactional outbox (seed 002 P0-2): written in the same transaction as
-- the change; a relay publishes and marks rows.
CREATE TABLE outbox_events (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    aggregate_type  TEXT NOT NULL,
    aggregate_id    TEXT NOT NULL,
    event_type      TEXT NOT NULL,
    stream          TEXT NOT NULL,
    payload         TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'published', 'failed')),
    retry_count     INTEGER NOT NULL DEFAULT 0,
    max_retries     INTEGER NOT NULL DEFAULT 5,
    error_message   TEXT,
    created_at      INTEGER NOT NULL,
    processed_at    INTEGER
);
CREATE INDEX idx_outbox_status ON outbox_events (status, id);
CREATE INDEX idx_outbox_aggregate ON outbox_events (aggregate_type, aggregate_id);

-- Idempotency: the stored outcome of every op, written with the op's changes.
CREATE TABLE applied_ops (
    op_id       TEXT PRIMARY KEY,
    command     TEXT NOT NULL,
    request     TEXT NOT NULL,
    outcome     TEXT NOT NULL CHECK (outcome IN ('ok', 'rejected')),
    response    TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
