//! The command line: clap definitions and the handlers behind them. This is
//! the binary's edge: it opens the store, makes op ids, reads files, prints.

mod demo;
mod order;
mod stock;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tote::app::{ServiceConfig, Services, SystemClock};
use tote::storage::Store;

/// Tote: a terminal-first warehouse floor application.
#[derive(Debug, Parser)]
#[command(name = "tote", version, about, long_about = None)]
pub struct Cli {
    /// The SQLite database file.
    #[arg(long, global = true, env = "TOTE_DB", default_value = "tote.db")]
    db: PathBuf,
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Create (or migrate) the database and optionally add warehouses.
    Init {
        /// A warehouse to create, as CODE or CODE=Name; repeatable.
        #[arg(long = "warehouse", value_name = "CODE[=NAME]")]
        warehouses: Vec<String>,
    },
    /// Stock: import receipts, list picking locations.
    #[command(subcommand)]
    Stock(StockCmd),
    /// Orders: submit, show status, cancel.
    #[command(subcommand)]
    Order(OrderCmd),
    /// Workers who pick, pack and supervise.
    #[command(subcommand)]
    Worker(WorkerCmd),
    /// Run a guided demo on a fresh database: intake, pick, short, pack, cancel.
    Demo,
}

#[derive(Debug, Subcommand)]
enum StockCmd {
    /// Import stock from CSV (header: warehouse,location,sku,quantity and
    /// optionally received_at,lot,expiry,walk_order,check_digits,name,barcode).
    /// All rows or none; importing the same file again changes nothing.
    Import { file: PathBuf },
    /// Where to pick a SKU, in allocation order (FEFO, then FIFO).
    Locations {
        #[arg(long)]
        warehouse: String,
        sku: String,
    },
}

#[derive(Debug, Subcommand)]
enum OrderCmd {
    /// Submit an order from a JSON file; its request_id makes a repeat safe.
    Submit { file: PathBuf },
    /// Show an order with its fulfillments and tasks.
    Status {
        id: i64,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Cancel an order: release reservations, cancel tasks, return picked stock.
    Cancel {
        id: i64,
        #[arg(long, default_value = "cancelled by operator")]
        reason: String,
        /// Idempotency key; a fresh one when omitted.
        #[arg(long)]
        op_id: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum WorkerCmd {
    /// Add a worker.
    Add {
        #[arg(long)]
        badge: String,
        #[arg(long)]
        name: String,
        #[arg(long, value_parser = ["picker", "packer", "supervisor", "admin"])]
        role: String,
    },
}

pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Cmd::Init { warehouses } => init(&cli.db, &warehouses),
        Cmd::Stock(StockCmd::Import { file }) => stock::import(&services(&cli.db)?, &file),
        Cmd::Stock(StockCmd::Locations { warehouse, sku }) => stock::locations(&services(&cli.db)?, &warehouse, &sku),
        Cmd::Order(OrderCmd::Submit { file }) => order::submit(&services(&cli.db)?, &file),
        Cmd::Order(OrderCmd::Status { id, json }) => order::status(&services(&cli.db)?, id, json),
        Cmd::Order(OrderCmd::Cancel { id, reason, op_id }) => {
            order::cancel(&services(&cli.db)?, id, &reason, op_id.unwrap_or_else(tote::app::new_op_id))
        }
        Cmd::Worker(WorkerCmd::Add { badge, name, role }) => worker_add(&services(&cli.db)?, &badge, &name, &role),
        Cmd::Demo => demo::run(&cli.db),
    }
}

/// Opens an existing database; a missing file is an error, not a silent new one.
fn services(db: &Path) -> Result<Services> {
    if !db.exists() {
        anyhow::bail!("database {} does not exist; create it with `tote init --db {}`", db.display(), db.display());
    }
    open(db)
}

fn open(db: &Path) -> Result<Services> {
    let store = Store::open(db).with_context(|| format!("opening {}", db.display()))?;
    Ok(Services::new(Arc::new(store), Arc::new(SystemClock), ServiceConfig::default()))
}

fn init(db: &Path, warehouses: &[String]) -> Result<()> {
    let svc = open(db)?;
    let now = svc.now();
    svc.store().write(|tx| {
        for w in warehouses {
            let (code, name) = w.split_once('=').unwrap_or((w.as_str(), w.as_str()));
            let code = code.trim();
            if code.is_empty() || code.len() > 16 || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                anyhow::bail!("warehouse {code:?}: a code is 1 to 16 letters, digits or '-'");
            }
            tx.ensure_warehouse(code, name.trim(), now)?;
        }
        Ok(())
    })?;
    let codes: Vec<String> = svc.store().read(|tx| tx.warehouses())?.into_iter().map(|w| w.code).collect();
    println!(
        "database {} ready; warehouses: {}",
        db.display(),
        if codes.is_empty() { "none".into() } else { codes.join(", ") }
    );
    Ok(())
}

fn worker_add(svc: &Services, badge: &str, name: &str, role: &str) -> Result<()> {
    if badge.trim().is_empty() || name.trim().is_empty() {
        anyhow::bail!("badge and name must not be empty");
    }
    let now = svc.now();
    let id = svc
        .store()
        .write(|tx| tx.insert_worker(badge.trim(), name.trim(), role, now))
        .with_context(|| format!("adding worker with badge {badge:?} (is the badge already taken?)"))?;
    println!("worker {id} added: {name} ({role}), badge {badge}");
    Ok(())
}
