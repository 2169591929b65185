//! WAL checkpoints off the writer's path. SQLite copies the WAL into the
//! database file (with two fsyncs) on the connection whose commit filled
//! it: the writer thread, so the ops of that commit and of the next waited
//! behind the copy, the tail of `tote bench api`'s latencies. Here a
//! connection of its own does it instead, a passive checkpoint (it never
//! blocks the writer or a reader) a little after commits, woken by the
//! writer's commit watch rather than polling (ADR 0048).

use crate::app::Services;
use crate::storage::Checkpointer;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;

/// How long after a commit the next checkpoint waits: the commits of that
/// time are copied together (about what SQLite's 1,000 pages would hold at
/// full load).
pub const EVERY: Duration = Duration::from_millis(100);

/// Runs until `stop` turns true; then the write connection checkpoints
/// after its commits again, as any other use of the file expects.
pub async fn run(services: Services, mut commits: watch::Receiver<u64>, mut stop: watch::Receiver<bool>) {
    let checkpointer = match services.store().checkpoints_elsewhere() {
        Ok(c) => Arc::new(Mutex::new(c)),
        Err(e) => {
            tracing::warn!(error = %e, "no checkpoint connection; the writer checkpoints after its commits");
            return;
        }
    };
    while !*stop.borrow() {
        tokio::select! {
            changed = commits.changed() => if changed.is_err() { break },
            _ = stop.changed() => break,
        }
        tokio::time::sleep(EVERY).await;
        let c = checkpointer.clone();
        let ran = tokio::task::spawn_blocking(move || once(&c)).await;
        if let Ok(Err(e)) = ran {
            tracing::warn!(error = %e, "WAL checkpoint failed; the next commit tries again");
        }
    }
    let store = services.clone();
    let back = tokio::task::spawn_blocking(move || store.store().checkpoint_after_commits()).await;
    if let Ok(Err(e)) = back {
        tracing::warn!(error = %e, "the writer could not take its checkpoints back");
    }
}

fn once(c: &Mutex<Checkpointer>) -> crate::storage::Result<(i64, i64)> {
    c.lock().unwrap_or_else(std::sync::PoisonError::into_inner).run()
}
