//! `tote webhook …` and `tote events replay`: the outbox relay's
//! subscribers, and sending their events again.

use anyhow::{Context, Result, bail};
use tote::app::Services;

/// Adds a subscriber; `tote serve` delivers to it from the next event on.
pub fn add(svc: &Services, name: &str, url: &str, secret: &str, events: &str, max_attempts: u32) -> Result<()> {
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        bail!("url {url:?}: http:// or https:// expected");
    }
    if secret.len() < 16 {
        bail!("the secret must be at least 16 characters");
    }
    let now = svc.now();
    // New endpoints start at the newest event: history is sent only on replay.
    let id = svc
        .store()
        .write(|tx| {
            let newest = tx.outbox_newest()?;
            let id = tx.add_endpoint(name, url, secret, events, max_attempts.max(1), now)?;
            tx.set_endpoint_cursor(id, newest)?;
            Ok::<_, tote::storage::StorageError>(id)
        })
        .with_context(|| format!("adding webhook {name:?} (is the name taken?)"))?;
    println!("webhook {id} {name}: {url}, events {events}, {max_attempts} attempts; signed with HMAC-SHA256");
    Ok(())
}

pub fn list(svc: &Services) -> Result<()> {
    let (endpoints, stats) =
        svc.store().read(|tx| Ok::<_, tote::storage::StorageError>((tx.endpoints()?, tx.relay_stats()?)))?;
    for e in endpoints {
        println!(
            "{:>3} {:<16} {} events={} cursor={} {}",
            e.id,
            e.name,
            e.url,
            e.event_types,
            e.cursor,
            if e.active { "" } else { "(inactive)" }
        );
    }
    println!("deliveries: {} pending, {} delivered, {} dead", stats.pending, stats.delivered, stats.dead);
    Ok(())
}

/// Sends `name`'s events from `from` on again (delivered and dead alike).
pub fn replay(svc: &Services, name: &str, from: i64) -> Result<()> {
    let now = svc.now();
    let n = svc.store().write(|tx| {
        let e = tx
            .endpoint_by_name(name)?
            .ok_or_else(|| tote::storage::StorageError::Corrupt(format!("no webhook {name:?}")))?;
        tx.replay(e.id, from, now)
    })?;
    println!("{n} deliveries to {name} from event {from} on are pending again");
    Ok(())
}
