//! The operator's commands: `tote backup`, `tote restore`, `tote check`,
//! `tote cert`, `tote completions`, `tote man`.

use anyhow::{Context, Result, bail};
use clap::Args;
use std::path::{Path, PathBuf};
use tote::app::Services;
use tote::storage::backup;
use tote::storage::health::{IdleWorkflow, StockLedger};

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// `OUT`, or `DB OUT`: the database (else --db) and the new backup file.
    #[arg(num_args = 1..=2, value_name = "[DB] OUT", required = true)]
    paths: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// `BACKUP`, or `BACKUP DB`: the backup and the database to replace (else --db).
    #[arg(num_args = 1..=2, value_name = "BACKUP [DB]", required = true)]
    paths: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// A running workflow untouched this long with no timer or activity
    /// pending is reported as having no next action.
    #[arg(long, default_value_t = 24)]
    idle_hours: u32,
    /// Outbox events not yet delivered to the slowest webhook subscriber
    /// above which the backlog is a problem.
    #[arg(long, default_value_t = 10_000)]
    max_backlog: i64,
}

pub fn backup(db: &Path, args: &BackupArgs) -> Result<()> {
    let (db, out) = match args.paths.as_slice() {
        [out] => (db, out.as_path()),
        [db, out] => (db.as_path(), out.as_path()),
        _ => bail!("give OUT, or DB OUT"),
    };
    let c = backup::backup(db, out).with_context(|| format!("backing {} up", db.display()))?;
    println!(
        "backed up {} to {}: {} pages, {} KiB, schema {}; checked by SQLite",
        db.display(),
        out.display(),
        c.pages,
        c.bytes / 1024,
        c.schema
    );
    Ok(())
}

pub fn restore(db: &Path, args: &RestoreArgs) -> Result<()> {
    let (from, db) = match args.paths.as_slice() {
        [from] => (from.as_path(), db),
        [from, db] => (from.as_path(), db.as_path()),
        _ => bail!("give BACKUP, or BACKUP DB"),
    };
    let c = backup::restore(from, db).with_context(|| format!("restoring {} into {}", from.display(), db.display()))?;
    println!(
        "restored {} into {}: {} pages, {} KiB, schema {}",
        from.display(),
        db.display(),
        c.pages,
        c.bytes / 1024,
        c.schema
    );
    Ok(())
}

/// What `tote check` found; problems make the exit status non-zero.
#[derive(Debug, Default)]
struct Findings {
    problems: Vec<String>,
    notes: Vec<String>,
}

pub fn check(svc: &Services, args: &CheckArgs) -> Result<()> {
    let before = svc.now() - chrono::Duration::hours(i64::from(args.idle_hours));
    let (integrity, foreign, ledger, idle, backlog, sizes) = svc.store().read(|tx| {
        Ok::<_, tote::storage::StorageError>((
            tx.integrity_problems()?,
            tx.foreign_key_problems()?,
            tx.stock_ledger()?,
            tx.idle_workflows(before, 20)?,
            tx.outbox_backlog()?,
            tx.table_sizes()?,
        ))
    })?;
    let mut f = Findings::default();
    f.problems.extend(integrity.into_iter().map(|p| format!("integrity: {p}")));
    f.problems.extend(foreign.into_iter().map(|p| format!("foreign key: {p}")));
    stock(&ledger, &mut f);
    idle_workflows(&idle, args.idle_hours, &mut f);
    if backlog > args.max_backlog {
        f.problems.push(format!("outbox: {backlog} events not yet delivered to the slowest subscriber"));
    } else {
        f.notes.push(format!("outbox backlog: {backlog} events"));
    }
    let sizes: Vec<String> = sizes.iter().map(|(t, n)| format!("{t} {n}")).collect();
    f.notes.push(format!("rows: {}", sizes.join(", ")));
    for n in &f.notes {
        println!("  {n}");
    }
    for p in &f.problems {
        println!("PROBLEM {p}");
    }
    if f.problems.is_empty() {
        println!("{}: ok", svc.store().path().display());
        Ok(())
    } else {
        bail!("{}: {} problem(s)", svc.store().path().display(), f.problems.len())
    }
}

fn stock(l: &StockLedger, f: &mut Findings) {
    f.notes.push(format!(
        "stock: {} on hand + {} quarantined + {} in transit + {} to put back = {} received {:+} adjusted",
        l.on_hand, l.quarantined, l.in_transit, l.to_put_back, l.received, l.adjusted
    ));
    if l.imbalance() != 0 {
        f.problems
            .push(format!("stock: {:+} units unaccounted for (present minus received and adjusted)", l.imbalance()));
    }
    if l.reserved_on_slots != l.reserved_by_rows {
        f.problems.push(format!(
            "stock: slots hold {} units reserved, pending reservations {}",
            l.reserved_on_slots, l.reserved_by_rows
        ));
    }
}

fn idle_workflows(idle: &[IdleWorkflow], hours: u32, f: &mut Findings) {
    for w in idle {
        f.problems.push(format!(
            "workflow {} at {} since {}: no timer or activity pending for {hours}h{}",
            w.id,
            w.step,
            w.updated_at.format("%Y-%m-%d %H:%M UTC"),
            w.blocking.as_deref().map(|b| format!(" ({b})")).unwrap_or_default()
        ));
    }
}

pub fn completions(shell: clap_complete::Shell) -> Result<()> {
    let mut cmd = <super::Cli as clap::CommandFactory>::command();
    clap_complete::generate(shell, &mut cmd, "tote", &mut std::io::stdout());
    Ok(())
}

pub fn man(dir: Option<&Path>) -> Result<()> {
    let cmd = <super::Cli as clap::CommandFactory>::command();
    match dir {
        Some(dir) => {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
            clap_mangen::generate_to(cmd, dir).with_context(|| format!("writing man pages to {}", dir.display()))?;
            println!("man pages written to {}", dir.display());
        }
        None => clap_mangen::Man::new(cmd).render(&mut std::io::stdout())?,
    }
    Ok(())
}

#[derive(Debug, Args)]
pub struct CertArgs {
    /// Where to write ca.pem, ca.key, server.pem and server.key (new files only).
    #[arg(long)]
    dir: PathBuf,
    /// A host name or IP address clients reach the server by; repeatable.
    #[arg(long = "name", required = true)]
    names: Vec<String>,
    /// The site's name, in the CA's name.
    #[arg(long, default_value = "Warehouse")]
    site: String,
}

/// Makes a site CA and a server certificate signed by it.
pub fn cert(args: &CertArgs) -> Result<()> {
    let certs = tote::tls::make_site(&args.site, &args.names)?;
    std::fs::create_dir_all(&args.dir).with_context(|| format!("creating {}", args.dir.display()))?;
    let files = [
        ("ca.pem", &certs.ca, 0o644),
        ("ca.key", &certs.ca_key, 0o600),
        ("server.pem", &certs.cert, 0o644),
        ("server.key", &certs.key, 0o600),
    ];
    for (name, _, _) in &files {
        if args.dir.join(name).exists() {
            bail!("{} exists; tote cert never overwrites a key", args.dir.join(name).display());
        }
    }
    for (name, pem, mode) in files {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let path = args.dir.join(name);
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(mode)
            .open(&path)
            .with_context(|| format!("writing {}", path.display()))?;
        f.write_all(pem.as_bytes())?;
    }
    println!(
        "site CA and server certificate for {} in {}: serve with tls_cert = server.pem, tls_key = server.key; \
         clients trust ca.pem (--ca / TOTE_CA); keep ca.key off the network",
        args.names.join(", "),
        args.dir.display()
    );
    Ok(())
}
