//! `tote worker …` and `tote apikey …`: who may log in, and the keys
//! integrations call with. Secrets are hashed here, at the edge; the
//! database never holds a PIN, a token or a key in clear.

use anyhow::{Context, Result, bail};
use tote::app::Services;
use tote::domain::auth::Role;
use tote::server::auth::{hash_pin, new_secret, secret_hash};
use tote::storage::StorageError;

pub fn add(
    svc: &Services,
    badge: &str,
    name: &str,
    role: &str,
    pin: Option<&str>,
    warehouses: &[String],
) -> Result<()> {
    let (badge, name) = (badge.trim(), name.trim());
    if badge.is_empty() || name.is_empty() {
        bail!("badge and name must not be empty");
    }
    let role = Role::parse(role).with_context(|| format!("unknown role {role:?}"))?;
    let pin_hash = pin.map(hash_pin).transpose().map_err(anyhow::Error::msg)?;
    // A worker always belongs somewhere: only a one-warehouse site may
    // leave the warehouse out.
    let codes = warehouse_codes(svc)?;
    let warehouses = match (warehouses, codes.as_slice()) {
        ([], [only]) => vec![only.clone()],
        ([], []) => bail!("no warehouse yet: create one first (`tote init --warehouse CODE`)"),
        ([], _) => bail!("say where {badge} works: --warehouse CODE (repeatable); warehouses: {}", codes.join(", ")),
        (given, _) => known(&codes, given)?,
    };
    let now = svc.now();
    let id = svc
        .store()
        .write(|tx| {
            let id = tx.insert_worker(badge, name, role.as_str(), now)?;
            if let Some(h) = &pin_hash {
                tx.set_worker_pin(id, h)?;
            }
            for code in &warehouses {
                tx.bind_worker(id, code)?;
            }
            Ok::<_, StorageError>(id)
        })
        .with_context(|| format!("adding worker with badge {badge:?} (is the badge already taken?)"))?;
    let login = if pin_hash.is_some() { "can log in" } else { "no PIN yet: set one with `tote worker set-pin`" };
    println!(
        "worker {id} added: {name} ({}), badge {badge}, works in {}; {login}",
        role.as_str(),
        warehouses.join(", ")
    );
    Ok(())
}

/// The site's warehouse codes.
fn warehouse_codes(svc: &Services) -> Result<Vec<String>> {
    Ok(svc.store().read(|tx| tx.warehouses())?.into_iter().map(|w| w.code).collect())
}

/// `given` codes, trimmed, each one of the site's `codes`.
fn known(codes: &[String], given: &[String]) -> Result<Vec<String>> {
    let given: Vec<String> = given.iter().map(|c| c.trim().to_owned()).collect();
    if let Some(unknown) = given.iter().find(|c| !codes.contains(c)) {
        bail!("no warehouse {unknown:?}; warehouses: {}", codes.join(", "));
    }
    Ok(given)
}

pub fn bind(svc: &Services, badge: &str, warehouses: &[String]) -> Result<()> {
    let warehouses = known(&warehouse_codes(svc)?, warehouses)?;
    let bound = svc.store().write(|tx| {
        let Some(w) = tx.worker_by_badge(badge.trim())? else { return Ok::<_, StorageError>(None) };
        for code in &warehouses {
            tx.bind_worker(w.id, code)?;
        }
        Ok(Some(tx.worker_warehouses(w.id)?))
    })?;
    let Some(now_in) = bound else { bail!("no worker has badge {badge:?}") };
    println!("{badge} works in {}", now_in.join(", "));
    Ok(())
}

pub fn set_pin(svc: &Services, badge: &str, pin: &str) -> Result<()> {
    let hash = hash_pin(pin).map_err(anyhow::Error::msg)?;
    let found = svc.store().write(|tx| {
        let Some(w) = tx.worker_by_badge(badge.trim())? else { return Ok::<_, tote::storage::StorageError>(false) };
        tx.set_worker_pin(w.id, &hash)?;
        // A new PIN lifts a lockout.
        tx.set_login_state(w.id, tote::domain::auth::LoginState { failed: 0, locked_until: None })?;
        Ok(true)
    })?;
    if !found {
        bail!("no worker has badge {badge:?}");
    }
    println!("PIN set for badge {badge}");
    Ok(())
}

pub fn list(svc: &Services) -> Result<()> {
    let workers = svc.store().read(|tx| tx.workers())?;
    let now = svc.now();
    println!("{:>4}  {:<12} {:<24} {:<10} {:<8} login", "id", "badge", "name", "role", "active");
    for w in workers {
        let login = match (w.pin_hash.is_some(), w.login.locked_at(now)) {
            (false, _) => "no PIN".to_owned(),
            (true, Some(until)) => format!("locked until {}", until.format("%H:%M")),
            (true, None) => "ok".to_owned(),
        };
        println!(
            "{:>4}  {:<12} {:<24} {:<10} {:<8} {login}",
            w.id.0,
            w.badge,
            w.name,
            w.role.as_str(),
            if w.active { "yes" } else { "no" }
        );
    }
    Ok(())
}

pub fn set_active(svc: &Services, badge: &str, active: bool) -> Result<()> {
    let now = svc.now();
    if !svc.store().write(|tx| tx.set_worker_active(badge.trim(), active, now))? {
        bail!("no worker has badge {badge:?}");
    }
    let what = if active { "enabled" } else { "disabled; their sessions have ended" };
    println!("badge {badge} {what}");
    Ok(())
}

pub fn apikey_create(svc: &Services, name: &str) -> Result<()> {
    let name = name.trim();
    if name.is_empty() {
        bail!("an API key needs a name");
    }
    let key = new_secret("tote_key_");
    let now = svc.now();
    svc.store()
        .write(|tx| tx.insert_api_key(name, &secret_hash(&key), now))
        .with_context(|| format!("creating API key {name:?} (is the name taken?)"))?;
    eprintln!("API key {name:?} created with scope integration. It is shown once; store it now:");
    println!("{key}");
    Ok(())
}

pub fn apikey_revoke(svc: &Services, name: &str) -> Result<()> {
    let now = svc.now();
    if !svc.store().write(|tx| tx.revoke_api_key(name.trim(), now))? {
        bail!("no live API key is named {name:?}");
    }
    println!("API key {name:?} revoked");
    Ok(())
}
