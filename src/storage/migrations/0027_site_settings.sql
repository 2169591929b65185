-- The settings `tote serve` runs the site's services with (engine, short
-- policy, pick timeout, other sites' warehouses), written at each start,
-- so that a CLI command on the same database (`tote order submit`) acts as
-- the site does instead of on the defaults.
CREATE TABLE site_settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at INTEGER NOT NULL
) WITHOUT ROWID;
