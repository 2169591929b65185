//! The SQLite store: the only module that knows SQL.
//!
//! One [`Store`] owns a write connection and a few read connections to one SQLite
//! file in WAL mode with foreign keys on. [`Store::write`] runs a closure in
//! one `BEGIN IMMEDIATE` transaction and commits only if it returns `Ok`;
//! [`Store::read`] gives a consistent snapshot. Inside, the closure gets a
//! [`Tx`] whose typed methods (in the submodules) are the whole storage API:
//! nothing outside this module builds SQL.
//!
//! Statements are compiled once per connection and cached. A parameter
//! compared by equality in a statement that also has an ORDER BY is written
//! `+?N`: SQLite lets the plan of such a statement depend on the bound value,
//! and rusqlite clears the bindings of every statement it returns to the
//! cache, so SQLite recompiled it on every run (measured: half the writer's
//! time per pick). The unary `+` keeps the index and the cached plan.
//!
//! Migrations in `storage/migrations/` are append-only and tracked with
//! `PRAGMA user_version`.

/// The SQL condition of a hold: a pending reservation with an expiry that no
/// fulfillment holds. One definition for every query about holds.
macro_rules! hold {
    () => {
        "status = 'pending' AND expires_at IS NOT NULL AND fulfillment_id IS NULL"
    };
}

/// `{col}` is in a warehouse scope given as parameter `?{n}`
/// (`board::Scope::param`: `NULL` for every warehouse, else a JSON array).
macro_rules! in_scope {
    ($col:literal, $n:literal) => {
        concat!("(?", $n, " IS NULL OR ", $col, " IN (SELECT value FROM json_each(?", $n, ")))")
    };
}

pub mod adjustments;
mod auth;
pub mod backorders;
pub mod backup;
pub mod board;
mod catalog;
mod convert;
pub mod device;
pub mod dispatch;
pub mod health;
pub mod hosted;
pub mod metrics;
mod orders;
pub mod outbox;
mod packing;
pub mod picking;
pub mod print_jobs;
pub mod put_back;
pub mod queues;
pub mod relay;
pub mod retention;
mod settings;
pub mod stock;
mod upgrades;
pub mod waves;
pub mod workflow;

pub use auth::{SessionRow, WorkerRow};
pub use catalog::{Location, Product, Warehouse};
pub use orders::OrderRow;
pub use outbox::{AppliedOp, OutboxRow};
pub use stock::{SlotRow, StockTotals};

use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

/// The schema version this build writes: the number of migrations.
pub const SCHEMA_VERSION: usize = MIGRATIONS.len();

/// The migrations, in order. Append only.
const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_init", include_str!("storage/migrations/0001_init.sql")),
    ("0002_auth", include_str!("storage/migrations/0002_auth.sql")),
    ("0003_print_jobs", include_str!("storage/migrations/0003_print_jobs.sql")),
    ("0004_devices", include_str!("storage/migrations/0004_devices.sql")),
    ("0005_webhooks", include_str!("storage/migrations/0005_webhooks.sql")),
    ("0006_workflows", include_str!("storage/migrations/0006_workflows.sql")),
    ("0007_waves", include_str!("storage/migrations/0007_waves.sql")),
    ("0008_pick_scans", include_str!("storage/migrations/0008_pick_scans.sql")),
    ("0009_repack", include_str!("storage/migrations/0009_repack.sql")),
    ("0010_worker_warehouses", include_str!("storage/migrations/0010_worker_warehouses.sql")),
    ("0011_stock_adjustments", include_str!("storage/migrations/0011_stock_adjustments.sql")),
    ("0012_quarantine", include_str!("storage/migrations/0012_quarantine.sql")),
    ("0013_put_back", include_str!("storage/migrations/0013_put_back.sql")),
    ("0014_label_printed", include_str!("storage/migrations/0014_label_printed.sql")),
    ("0015_backorders", include_str!("storage/migrations/0015_backorders.sql")),
    ("0016_open_items_by_slot", include_str!("storage/migrations/0016_open_items_by_slot.sql")),
    ("0017_stock_receipts", include_str!("storage/migrations/0017_stock_receipts.sql")),
    ("0018_outbox_columns", include_str!("storage/migrations/0018_outbox_columns.sql")),
    ("0019_throughput_indexes", include_str!("storage/migrations/0019_throughput_indexes.sql")),
    ("0020_lean_outbox", include_str!("storage/migrations/0020_lean_outbox.sql")),
    ("0021_warehouse_address", include_str!("storage/migrations/0021_warehouse_address.sql")),
    ("0022_integrations", include_str!("storage/migrations/0022_integrations.sql")),
    ("0023_set_aside", include_str!("storage/migrations/0023_set_aside.sql")),
    ("0024_hosted_workflows", include_str!("storage/migrations/0024_hosted_workflows.sql")),
    ("0025_hosted_starts", include_str!("storage/migrations/0025_hosted_starts.sql")),
    ("0026_routed_starts", include_str!("storage/migrations/0026_routed_starts.sql")),
    ("0027_site_settings", include_str!("storage/migrations/0027_site_settings.sql")),
    ("0028_pick_scans_gs1_flag", include_str!("storage/migrations/0028_pick_scans_gs1_flag.sql")),
    ("0029_workflow_state", include_str!("storage/migrations/0029_workflow_state.sql")),
    ("0030_pick_scans_no_item_index", include_str!("storage/migrations/0030_pick_scans_no_item_index.sql")),
];

/// Read connections per store: readers never wait on the writer (WAL), and
/// this many can read at once.
const READERS: usize = 4;

/// Compiled statements kept per connection; more than the schema's
/// distinct statements, so the hot paths never recompile.
const STATEMENT_CACHE: usize = 256;

/// How long a connection waits on a lock held by another process.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("cannot open database {path}: {source}")]
    Open { path: PathBuf, source: rusqlite::Error },
    #[error("migration {name} failed: {source}")]
    Migration { name: &'static str, source: rusqlite::Error },
    #[error("database {path} has schema version {found}, newer than this tote ({known}); upgrade tote")]
    TooNew { path: PathBuf, found: usize, known: usize },
    #[error("stored value is corrupt: {0}")]
    Corrupt(String),
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("serialisation error: {0}")]
    Json(#[from] serde_json::Error),
}

impl StorageError {
    /// Worth retrying: the database was busy or locked by another writer.
    /// Stored data this build cannot read: trying again cannot help.
    pub fn is_corrupt(&self) -> bool {
        matches!(self, StorageError::Corrupt(_) | StorageError::Json(_))
    }

    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            StorageError::Sqlite(rusqlite::Error::SqliteFailure(e, _))
                if matches!(e.code, rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
        )
    }
}

pub type Result<T, E = StorageError> = std::result::Result<T, E>;

/// How hard a commit is pushed to disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Durability {
    /// `synchronous=FULL`: an acknowledged commit survives a power cut.
    #[default]
    Full,
    /// `synchronous=NORMAL`: survives a crash of tote, may lose the last
    /// commits on power loss.
    Normal,
}

/// An open Tote database.
#[derive(Debug)]
pub struct Store {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Vec<Mutex<Connection>>,
    next_reader: AtomicUsize,
}

/// A transaction in progress; see the submodules for its methods.
#[derive(Debug)]
pub struct Tx<'c> {
    conn: &'c Connection,
}

impl Store {
    /// Opens (creating if needed) the database at `path` and migrates it.
    pub fn open(path: &Path) -> Result<Store> {
        Self::open_with(path, Durability::default())
    }

    pub fn open_with(path: &Path, durability: Durability) -> Result<Store> {
        let writer = connect(path, durability)?;
        migrate(&writer, path)?;
        let readers = (0..READERS).map(|_| connect(path, durability).map(Mutex::new)).collect::<Result<_>>()?;
        Ok(Store { path: path.to_owned(), writer: Mutex::new(writer), readers, next_reader: AtomicUsize::new(0) })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` in one write transaction: commits if it returns `Ok`, rolls
    /// back everything if it returns `Err`.
    pub fn write<T, E: From<StorageError>>(&self, f: impl FnOnce(&Tx<'_>) -> Result<T, E>) -> Result<T, E> {
        let conn = lock(&self.writer);
        reset(&conn);
        let tx = Tx { conn: &conn };
        tx.exec("BEGIN IMMEDIATE", []).map_err(StorageError::from)?;
        match f(&tx) {
            Ok(v) => {
                if let Err(e) = tx.exec("COMMIT", []) {
                    let _ = tx.exec("ROLLBACK", []);
                    return Err(StorageError::from(e).into());
                }
                Ok(v)
            }
            Err(e) => {
                // A failed rollback leaves nothing committed either; the
                // original error is the one worth reporting.
                let _ = tx.exec("ROLLBACK", []);
                Err(e)
            }
        }
    }

    /// Runs `f` over a consistent read snapshot.
    pub fn read<T, E: From<StorageError>>(&self, f: impl FnOnce(&Tx<'_>) -> Result<T, E>) -> Result<T, E> {
        // Take a free reader if there is one, else wait on the next in turn.
        let conn = self
            .readers
            .iter()
            .find_map(|m| m.try_lock().ok())
            .unwrap_or_else(|| lock(&self.readers[self.next_reader.fetch_add(1, Ordering::Relaxed) % READERS]));
        reset(&conn);
        let tx = Tx { conn: &conn };
        tx.exec("BEGIN DEFERRED", []).map_err(StorageError::from)?;
        let out = f(&tx);
        let _ = tx.exec("COMMIT", []);
        out
    }
}

/// A savepoint's statements: `op` around one op, `job` around one item of
/// the writer's group commit (an op or a bookkeeping write).
struct Savepoint {
    begin: &'static str,
    release: &'static str,
    rollback: &'static str,
}

const OP: Savepoint = Savepoint { begin: "SAVEPOINT op", release: "RELEASE op", rollback: "ROLLBACK TO op" };
const JOB: Savepoint = Savepoint { begin: "SAVEPOINT job", release: "RELEASE job", rollback: "ROLLBACK TO job" };

impl Tx<'_> {
    /// Runs one statement, compiled once per connection and then reused:
    /// the hot paths run the same few statements thousands of times.
    fn exec<P: rusqlite::Params>(&self, sql: &str, params: P) -> rusqlite::Result<usize> {
        self.conn.prepare_cached(sql)?.execute(params)
    }

    /// Runs `narrow`, an UPDATE that sets only what a frequent change moves
    /// (the other columns are in its WHERE), and `full` only when `narrow`
    /// matched no row. SQLite rewrites the index entries of every column an
    /// UPDATE names, even when the value stays the same (ADR 0047).
    fn update_narrow_first<P: rusqlite::Params + Copy>(&self, narrow: &str, full: &str, params: P) -> Result<()> {
        if self.exec(narrow, params)? == 0 {
            self.exec(full, params)?;
        }
        Ok(())
    }

    /// Reads one row with a cached statement; see [`Tx::exec`].
    fn row<T, P: rusqlite::Params>(
        &self,
        sql: &str,
        params: P,
        f: impl FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<T> {
        self.conn.prepare_cached(sql)?.query_row(params, f)
    }

    /// Runs `f` inside a savepoint: if it fails, only its own changes are
    /// undone and the surrounding transaction carries on.
    pub fn savepoint<T, E: From<StorageError>>(&self, f: impl FnOnce(&Tx<'_>) -> Result<T, E>) -> Result<T, E> {
        self.within(&OP, f)
    }

    /// The one savepoint: `sp` around `f`, released on `Ok`, rolled back
    /// (and released) on `Err`.
    fn within<T, E: From<StorageError>>(
        &self,
        sp: &Savepoint,
        f: impl FnOnce(&Tx<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        self.exec(sp.begin, []).map_err(StorageError::from)?;
        match f(self) {
            Ok(v) => {
                self.exec(sp.release, []).map_err(StorageError::from)?;
                Ok(v)
            }
            Err(e) => {
                self.undo(sp).map_err(StorageError::from)?;
                Err(e)
            }
        }
    }

    fn undo(&self, sp: &Savepoint) -> rusqlite::Result<()> {
        self.exec(sp.rollback, [])?;
        self.exec(sp.release, []).map(drop)
    }

    /// Runs `f` in a savepoint of its own (`job`): an error or a panic in
    /// `f` undoes only what `f` did, and the transaction goes on. The outer
    /// `Err` is a panic's message; storage errors of the savepoint itself
    /// come back as `f`'s error.
    pub fn isolated<T, E: From<StorageError>>(
        &self,
        f: impl FnOnce(&Tx<'_>) -> Result<T, E>,
    ) -> Result<Result<T, E>, String> {
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.within(&JOB, f))) {
            Ok(ran) => Ok(ran),
            Err(panic) => {
                // Rolls back to `job`, dropping any savepoint the panic left open inside it.
                let _ = self.undo(&JOB);
                Err(panic
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown panic".into()))
            }
        }
    }

    /// Inside [`Tx::isolated`]: undoes everything the job did so far and
    /// keeps it open, so it can go on (record a refusal) and be released.
    /// Outside a job it fails and undoes nothing.
    pub fn rewind_job(&self) -> Result<()> {
        self.exec(JOB.rollback, [])?;
        Ok(())
    }

    /// Rows in `table`; for tests and health checks. `table` must be one of
    /// the schema's tables.
    pub fn count(&self, table: &str) -> Result<i64> {
        const TABLES: &[&str] = &[
            "warehouses",
            "locations",
            "products",
            "product_locations",
            "workers",
            "orders",
            "order_lines",
            "fulfillments",
            "wms_reservations",
            "picking_tasks",
            "picking_task_items",
            "packing_tasks",
            "packages",
            "fulfillment_tasks",
            "outbox_events",
            "applied_ops",
            "sessions",
            "api_keys",
            "print_jobs",
            "workflows",
            "workflow_events",
            "activity_tasks",
            "timers",
            "shipments",
            "waves",
            "wave_batches",
            "batch_totes",
        ];
        let table = TABLES
            .iter()
            .find(|t| **t == table)
            .ok_or_else(|| StorageError::Corrupt(format!("unknown table {table}")))?;
        Ok(self.row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))?)
    }

    /// The schema version (`PRAGMA user_version`): migrations applied.
    pub fn schema_version(&self) -> Result<i64> {
        Ok(self.row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// Runs raw SQL; only for tests that inject faults (triggers).
    #[doc(hidden)]
    pub fn execute_batch_for_tests(&self, sql: &str) -> Result<()> {
        Ok(self.conn.execute_batch(sql)?)
    }
}

fn lock(m: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    // A panic while holding the lock poisons it; `reset` cleans up the
    // connection, so keep serving.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Rolls back a transaction left open by a panic in an earlier closure, so
/// the next BEGIN starts clean and nothing half-done is ever committed.
fn reset(conn: &Connection) {
    if !conn.is_autocommit() {
        let _ = conn.execute_batch("ROLLBACK");
    }
}

fn connect(path: &Path, durability: Durability) -> Result<Connection> {
    let open_err = |source| StorageError::Open { path: path.to_owned(), source };
    let conn = Connection::open(path).map_err(open_err)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(open_err)?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    let sync = match durability {
        Durability::Full => "FULL",
        Durability::Normal => "NORMAL",
    };
    // temp_store=MEMORY: each op runs in its own savepoint, and the pages a
    // savepoint changes are copied to a statement journal first; past 64 KiB
    // SQLite spills that journal to a temp file. In a group commit of tens
    // of ops it did: two pwrites per page, half the writer's syscalls
    // (`strace` on `tote bench api`). It is only for rolling a savepoint
    // back, so RAM loses nothing a crash would not.
    conn.execute_batch(&format!(
        "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous={sync}; PRAGMA temp_store=MEMORY;"
    ))
    .map_err(open_err)?;
    Ok(conn)
}

fn migrate(conn: &Connection, path: &Path) -> Result<()> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let version = usize::try_from(version).unwrap_or(usize::MAX);
    if version > MIGRATIONS.len() {
        return Err(StorageError::TooNew { path: path.to_owned(), found: version, known: MIGRATIONS.len() });
    }
    // Foreign keys are off while migrating, so that a migration may rebuild
    // a table others refer to (SQLite's documented procedure); each one is
    // checked before its commit instead.
    conn.execute_batch("PRAGMA foreign_keys=OFF")?;
    let result = MIGRATIONS.iter().enumerate().skip(version).try_for_each(|(i, (name, sql))| {
        let step = |source| StorageError::Migration { name, source };
        conn.execute_batch("BEGIN IMMEDIATE").map_err(step)?;
        let applied = conn
            .execute_batch(sql)
            .and_then(|()| upgrades::step(name).map_or(Ok(()), |rust| rust(conn)))
            .and_then(|()| foreign_keys_hold(conn))
            .and_then(|()| conn.execute_batch(&format!("PRAGMA user_version = {}", i + 1)));
        match applied {
            Ok(()) => conn.execute_batch("COMMIT").map_err(step),
            Err(e) => {
                let _ = conn.execute_batch("ROLLBACK");
                Err(step(e))
            }
        }
    });
    conn.execute_batch("PRAGMA foreign_keys=ON")?;
    result
}

/// Fails when any row refers to a row that is not there.
fn foreign_keys_hold(conn: &Connection) -> rusqlite::Result<()> {
    let broken: i64 = conn.query_row("SELECT COUNT(*) FROM pragma_foreign_key_check", [], |r| r.get(0))?;
    if broken == 0 {
        return Ok(());
    }
    Err(rusqlite::Error::SqliteFailure(
        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY),
        Some(format!("{broken} row(s) refer to rows that are not there")),
    ))
}

#[cfg(test)]
mod tests;
