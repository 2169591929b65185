//! Online backup and restore with SQLite's backup API.
//!
//! A backup copies the whole database in one step from one read snapshot:
//! in WAL mode a reader never blocks the writer, so `tote serve` keeps
//! committing while the copy is taken, and the copy is exactly the database
//! as of one commit. It is written beside its destination and renamed into
//! place only once complete and checked, so a crash never leaves half a
//! backup under the name asked for.
//!
//! A restore refuses a database that any process has open (it takes an
//! exclusive lock first, so a running `tote serve` is never pulled from
//! under), refuses a backup that fails SQLite's check or comes from a newer
//! tote, and writes through SQLite's pager, so a stale WAL cannot survive.

use super::{MIGRATIONS, Result, StorageError};
use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long a backup or restore waits for a busy database before failing.
const PATIENCE: Duration = Duration::from_secs(30);

/// What a backup or restore copied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Copied {
    pub pages: u32,
    pub bytes: u64,
    pub schema: usize,
}

fn open_err(path: &Path) -> impl Fn(rusqlite::Error) -> StorageError + '_ {
    move |source| StorageError::Open { path: path.to_owned(), source }
}

fn unavailable(msg: String) -> StorageError {
    StorageError::Unavailable(msg)
}

/// Copies `from` into `to` in one step, waiting while the source is busy.
fn copy(from: &Connection, to: &mut Connection) -> Result<()> {
    let started = Instant::now();
    let backup = Backup::new(from, to)?;
    loop {
        match backup.step(-1)? {
            StepResult::Done => return Ok(()),
            StepResult::More | StepResult::Busy | StepResult::Locked if started.elapsed() < PATIENCE => {
                std::thread::sleep(Duration::from_millis(50));
            }
            _ => return Err(unavailable(format!("the database stayed busy for {}s", PATIENCE.as_secs()))),
        }
    }
}

fn quick_check(conn: &Connection, what: &Path) -> Result<()> {
    let verdict: String = conn.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
    if verdict == "ok" {
        Ok(())
    } else {
        Err(StorageError::Corrupt(format!("{} fails SQLite's check: {verdict}", what.display())))
    }
}

fn schema_of(conn: &Connection, path: &Path) -> Result<usize> {
    let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let v = usize::try_from(v).unwrap_or(usize::MAX);
    if v > MIGRATIONS.len() {
        return Err(StorageError::TooNew { path: path.to_owned(), found: v, known: MIGRATIONS.len() });
    }
    Ok(v)
}

fn size_of(conn: &Connection) -> Result<(u32, u64)> {
    let pages: u32 = conn.query_row("PRAGMA page_count", [], |r| r.get(0))?;
    let size: u32 = conn.query_row("PRAGMA page_size", [], |r| r.get(0))?;
    Ok((pages, u64::from(pages) * u64::from(size)))
}

/// A sibling path for the copy in progress.
fn partial(to: &Path) -> PathBuf {
    let mut name = to.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(format!(".partial-{}", std::process::id()));
    to.with_file_name(name)
}

/// Backs the database at `db` up to the new file `out` while others may be
/// writing it. Refuses to overwrite an existing file.
pub fn backup(db: &Path, out: &Path) -> Result<Copied> {
    if out.exists() {
        return Err(unavailable(format!("{} exists; a backup never overwrites a file", out.display())));
    }
    if !db.exists() {
        return Err(unavailable(format!("no database at {}", db.display())));
    }
    let src = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .map_err(open_err(db))?;
    src.busy_timeout(PATIENCE).map_err(open_err(db))?;
    let schema = schema_of(&src, db)?;
    let tmp = partial(out);
    let result = (|| {
        let mut dst = Connection::open(&tmp).map_err(open_err(&tmp))?;
        copy(&src, &mut dst)?;
        quick_check(&dst, &tmp)?;
        let (pages, bytes) = size_of(&dst)?;
        // Leave a single self-contained file: no WAL beside it.
        dst.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")?;
        drop(dst);
        sync_file(&tmp)?;
        std::fs::rename(&tmp, out).map_err(|e| unavailable(format!("cannot move the backup into place: {e}")))?;
        sync_dir(out);
        Ok(Copied { pages, bytes, schema })
    })();
    if result.is_err() {
        for suffix in ["", "-wal", "-shm"] {
            let mut p = tmp.clone().into_os_string();
            p.push(suffix);
            let _ = std::fs::remove_file(p);
        }
    }
    result
}

/// Replaces the database at `db` (created if missing) with the backup at
/// `from`. Refuses while any process has `db` open.
pub fn restore(from: &Path, db: &Path) -> Result<Copied> {
    let src = Connection::open_with_flags(from, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .map_err(open_err(from))?;
    let schema = schema_of(&src, from)?;
    quick_check(&src, from)?;
    let mut dst = Connection::open(db).map_err(open_err(db))?;
    // Exclusive locking: the lock taken by the first transaction is kept, and
    // it cannot be had while another connection (a running `tote serve`,
    // a terminal's `tote` command) has the file open.
    dst.execute_batch("PRAGMA locking_mode=EXCLUSIVE")?;
    if let Err(e) = dst.execute_batch("BEGIN EXCLUSIVE; COMMIT") {
        return Err(unavailable(format!(
            "{} is in use ({e}); stop tote serve and every tote using it, then restore",
            db.display()
        )));
    }
    copy(&src, &mut dst)?;
    quick_check(&dst, db)?;
    let (pages, bytes) = size_of(&dst)?;
    Ok(Copied { pages, bytes, schema })
}

fn sync_file(path: &Path) -> Result<()> {
    std::fs::File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(|e| unavailable(format!("cannot flush {}: {e}", path.display())))
}

/// Makes a rename durable; best effort where directories cannot be opened.
fn sync_dir(path: &Path) {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
    }
}
