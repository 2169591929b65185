//! The command line: clap definitions and the handlers behind them. This is
//! the binary's edge: it opens the store, makes op ids, reads files, prints.

mod admin;
mod bench;
mod bench_intake;
mod bench_load;
mod bench_sync;
#[cfg(feature = "temporal")]
mod bench_temporal;
mod bench_workflows;
mod bench_writer;
mod board;
mod demo;
mod floor;
mod label;
mod order;
mod people;
mod printer;
mod serve;
mod stock;
#[cfg(feature = "temporal")]
mod temporal_cmd;
mod tour;
mod warehouse;
mod webhook;
mod workflows;

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
    /// The SQLite database file [default: tote.db].
    #[arg(long, global = true, env = "TOTE_DB")]
    db: Option<PathBuf>,
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
    /// Warehouses: list them, set where one ships from.
    #[command(subcommand)]
    Warehouse(warehouse::WarehouseCmd),
    /// Stock: import receipts, list picking locations.
    #[command(subcommand)]
    Stock(StockCmd),
    /// Orders: submit, show status, cancel.
    #[command(subcommand)]
    Order(OrderCmd),
    /// Workers who pick, pack and supervise.
    #[command(subcommand)]
    Worker(WorkerCmd),
    /// The dock: parcels leave (only then is an order shipped).
    #[command(subcommand)]
    Dispatch(DispatchCmd),
    /// API keys for integrations (scope: integration).
    #[command(subcommand)]
    Apikey(ApikeyCmd),
    /// The supervisor board: queues, alerts, throughput, devices, orders.
    Board(board::BoardArgs),
    /// Durable workflows (order intake and fulfillment).
    #[command(subcommand)]
    Workflows(WorkflowsCmd),
    /// Webhook subscribers of the outbox relay (tote serve delivers to them).
    #[command(subcommand)]
    Webhook(WebhookCmd),
    /// The outbox's events.
    #[command(subcommand)]
    Events(EventsCmd),
    /// ZPL labels: list the templates, render one from JSON data.
    #[command(subcommand)]
    Label(LabelCmd),
    /// Printers by URI: serial:///dev/ttyUSB0?baud=9600, usb:///dev/usb/lp0,
    /// tcp://HOST:9100, file:///dir/, - (stdout).
    #[command(subcommand)]
    Printer(PrinterCmd),
    /// The picker's screen: claim work, scan location and item, confirm.
    Pick(floor::FloorArgs),
    /// The packer's screen: verify, box, weigh, complete, print the label.
    Pack(floor::FloorArgs),
    /// The dock's screen: scan each parcel onto the truck (it ships then).
    Dock(floor::FloorArgs),
    /// The put-back screen: carry cancelled picks back, scanning each shelf.
    PutBack(floor::FloorArgs),
    /// Serve the HTTP API until SIGTERM or Ctrl-C.
    Serve(serve::ServeArgs),
    /// Copy the database to a new file while tote serve keeps writing
    /// (SQLite's online backup: one consistent snapshot).
    Backup(admin::BackupArgs),
    /// Replace the database with a backup (refused while anything has it open).
    Restore(admin::RestoreArgs),
    /// Check a database: integrity, foreign keys, stock conservation,
    /// workflows with no next action, outbox backlog; exit 1 on problems.
    Check(admin::CheckArgs),
    /// Make a site CA and a server certificate for HTTPS (tote serve's
    /// tls_cert / tls_key; clients trust the CA with --ca).
    Cert(admin::CertArgs),
    /// Print a shell completion script: bash, zsh, fish, elvish or powershell
    /// (e.g. `tote completions bash > /etc/bash_completion.d/tote`).
    Completions { shell: clap_complete::Shell },
    /// Print the man page (tote.1), or with --dir write one page per command there.
    Man {
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Benchmarks.
    #[command(subcommand)]
    Bench(bench::BenchCmd),
    /// The same workflows on a Temporal cluster (built with `--features temporal`).
    #[cfg(feature = "temporal")]
    #[command(subcommand)]
    Temporal(temporal_cmd::TemporalCmd),
    /// The demo: a sample warehouse, the server in-process, and a menu to be a
    /// picker or a packer on this terminal (--tour: a scripted text tour).
    Demo(demo::DemoArgs),
}

/// The database file when neither --db, TOTE_DB nor a config file names one.
pub const DEFAULT_DB: &str = "tote.db";

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
    /// Take damaged units out of quarantine: dispose of them (written off),
    /// or with --restock put them back on sale.
    Quarantine {
        #[arg(long)]
        warehouse: String,
        #[arg(long)]
        location: String,
        #[arg(long)]
        sku: String,
        #[arg(long, default_value_t = 1)]
        quantity: u32,
        #[arg(long)]
        restock: bool,
    },
}

#[derive(Debug, Subcommand)]
enum DispatchCmd {
    /// A parcel scanned onto the truck, by its tracking number.
    Scan { tracking: String },
    /// The carrier's truck leaves: every parcel of its manifest at the warehouse ships.
    Close {
        #[arg(long)]
        warehouse: String,
        #[arg(long, default_value = "local")]
        carrier: String,
    },
}

#[derive(Debug, Subcommand)]
enum OrderCmd {
    /// Submit an order from a JSON file; its request_id makes a repeat safe.
    Submit { file: PathBuf },
    /// Start an order's intake workflow from a JSON file (the same as submit).
    Start { file: PathBuf },
    /// Change where an order ships; refused once a label exists.
    UpdateAddress {
        id: i64,
        #[command(flatten)]
        address: warehouse::AddressArgs,
        #[arg(long)]
        op_id: Option<String>,
    },
    /// An order's workflows: status, current step, blocking reason, history.
    Describe {
        id: i64,
        #[arg(long)]
        json: bool,
    },
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
enum WorkflowsCmd {
    /// Workflows, most recently changed first.
    List {
        /// running, completed, cancelled or failed.
        #[arg(long, value_parser = workflow_status)]
        status: Option<tote::domain::workflow::WorkflowStatus>,
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Run a stuck workflow's failed step again.
    Retry {
        id: String,
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
        /// The PIN to log in with (4 to 12 digits); stored as an argon2 hash.
        #[arg(long, env = "TOTE_PIN")]
        pin: Option<String>,
        /// A warehouse (code) the worker works in; repeatable. May be left
        /// out only where the database has one warehouse.
        #[arg(long = "warehouse", value_name = "CODE")]
        warehouses: Vec<String>,
    },
    /// Bind a worker to more warehouses (codes).
    Bind {
        badge: String,
        #[arg(required = true)]
        warehouses: Vec<String>,
    },
    /// List workers with role, state and lockout.
    List,
    /// Set (or reset) a worker's PIN; lifts a lockout.
    SetPin {
        badge: String,
        #[arg(long, env = "TOTE_PIN")]
        pin: String,
    },
    /// Disable a worker: no new logins, live sessions end.
    Disable { badge: String },
    /// Enable a disabled worker again.
    Enable { badge: String },
}

#[derive(Debug, Subcommand)]
enum LabelCmd {
    /// The built-in templates and the data keys each needs.
    List,
    /// Fill TEMPLATE (shipping, gs1, tote, location) from a JSON object.
    Render {
        template: String,
        #[arg(long)]
        data: PathBuf,
        /// Write here instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum PrinterCmd {
    /// Print a test label (after checking ~HS where the printer answers it).
    Test {
        uri: String,
        /// Which template's sample to print.
        #[arg(long, default_value = "shipping")]
        template: String,
    },
    /// Ask ~HS and show paper, pause, head, ribbon and labels remaining;
    /// exits non-zero when the printer is silent or not ready.
    Status { uri: String },
}

#[derive(Debug, Subcommand)]
enum WebhookCmd {
    /// Add a subscriber: every delivery is POSTed as JSON with
    /// X-Tote-Signature (HMAC-SHA256 with SECRET) and X-Tote-Event-Id.
    Add {
        name: String,
        url: String,
        #[arg(long, env = "TOTE_WEBHOOK_SECRET")]
        secret: String,
        /// Event types, comma-separated, or * for all.
        #[arg(long, default_value = "*")]
        events: String,
        /// Tries before a delivery is dead (replay brings it back).
        #[arg(long, default_value_t = 8)]
        max_attempts: u32,
    },
    /// Subscribers and their deliveries.
    List,
}

#[derive(Debug, Subcommand)]
enum EventsCmd {
    /// Send a subscriber's events again from an event id on (delivered and
    /// dead alike); receivers deduplicate by X-Tote-Event-Id.
    Replay {
        webhook: String,
        #[arg(long, default_value_t = 0)]
        from: i64,
    },
}

#[derive(Debug, Subcommand)]
enum ApikeyCmd {
    /// Create a key; it is printed once and stored only as a hash.
    Create { name: String },
    /// Revoke a key at once.
    Revoke { name: String },
}

impl Cli {
    /// A command that prints its answer and exits (not the server, the
    /// terminals or the demo).
    pub fn prints_and_exits(&self) -> bool {
        !matches!(
            self.command,
            Cmd::Serve(_) | Cmd::Pick(_) | Cmd::Pack(_) | Cmd::Dock(_) | Cmd::PutBack(_) | Cmd::Board(_) | Cmd::Demo(_)
        )
    }

    /// How `tote serve` logs: INFO by default (a line per request, op and
    /// workflow step), as text or JSON; everything else WARN as text.
    pub fn log_style(&self) -> (&'static str, bool) {
        match &self.command {
            Cmd::Serve(a) => ("info", a.log_format == serve::LogFormat::Json),
            _ => ("warn", false),
        }
    }

    /// The floor TUIs log to a file: the screen is theirs.
    pub fn log_file(&self) -> Option<PathBuf> {
        match &self.command {
            Cmd::Pick(a) | Cmd::Pack(a) | Cmd::Dock(a) | Cmd::PutBack(a) => Some(a.log()),
            Cmd::Demo(a) => a.log(),
            _ => None,
        }
    }
}

pub fn run(cli: Cli) -> Result<()> {
    match &cli.command {
        Cmd::Serve(args) => return serve::serve(cli.db.as_deref(), args),
        Cmd::Pick(args) => return floor::pick(args),
        Cmd::Pack(args) => return floor::pack(args),
        Cmd::Dock(args) => return floor::errand(args, tote::tui::dock::Job::Dock),
        Cmd::PutBack(args) => return floor::errand(args, tote::tui::dock::Job::PutBack),
        Cmd::Board(args) => return board::board(args),
        Cmd::Completions { shell } => return admin::completions(*shell),
        Cmd::Man { dir } => return admin::man(dir.as_deref()),
        Cmd::Cert(args) => return admin::cert(args),
        _ => {}
    }
    let db = cli.db.clone().unwrap_or_else(|| PathBuf::from(DEFAULT_DB));
    let db = db.as_path();
    match cli.command {
        Cmd::Init { warehouses } => init(db, &warehouses),
        Cmd::Stock(StockCmd::Import { file }) => stock::import(&services(db)?, &file),
        Cmd::Stock(StockCmd::Locations { warehouse, sku }) => stock::locations(&services(db)?, &warehouse, &sku),
        Cmd::Stock(StockCmd::Quarantine { warehouse, location, sku, quantity, restock }) => {
            let c = tote::app::Command::ResolveQuarantine { warehouse, location, sku, quantity, restock };
            let out = services(db)?.execute(&tote::app::new_op_id(), &c).map_err(order::explain)?;
            if let tote::app::Outcome::Quarantine { sku, location, quantity, restocked } = out {
                let what = if restocked { "back on sale" } else { "disposed of (written off)" };
                println!("{quantity} x {sku} at {location} {what}");
            }
            Ok(())
        }
        Cmd::Order(OrderCmd::Submit { file } | OrderCmd::Start { file }) => order::submit(&services(db)?, &file),
        Cmd::Order(OrderCmd::UpdateAddress { id, address, op_id }) => {
            workflows::update_address(&services(db)?, id, address.into(), op_id.unwrap_or_else(tote::app::new_op_id))
        }
        Cmd::Warehouse(cmd) => warehouse::run(&services(db)?, cmd),
        Cmd::Order(OrderCmd::Describe { id, json }) => workflows::describe(&services(db)?, id, json),
        Cmd::Workflows(WorkflowsCmd::List { status, limit }) => workflows::list(&services(db)?, status, limit),
        Cmd::Workflows(WorkflowsCmd::Retry { id, op_id }) => {
            workflows::retry(&services(db)?, &id, op_id.unwrap_or_else(tote::app::new_op_id))
        }
        Cmd::Order(OrderCmd::Status { id, json }) => order::status(&services(db)?, id, json),
        Cmd::Order(OrderCmd::Cancel { id, reason, op_id }) => {
            order::cancel(&services(db)?, id, &reason, op_id.unwrap_or_else(tote::app::new_op_id))
        }
        Cmd::Worker(WorkerCmd::Add { badge, name, role, pin, warehouses }) => {
            people::add(&services(db)?, &badge, &name, &role, pin.as_deref(), &warehouses)
        }
        Cmd::Worker(WorkerCmd::Bind { badge, warehouses }) => people::bind(&services(db)?, &badge, &warehouses),
        Cmd::Worker(WorkerCmd::List) => people::list(&services(db)?),
        Cmd::Dispatch(DispatchCmd::Scan { tracking }) => {
            order::dispatch(&services(db)?, tote::app::Command::DispatchParcel { tracking })
        }
        Cmd::Dispatch(DispatchCmd::Close { warehouse, carrier }) => {
            order::dispatch(&services(db)?, tote::app::Command::CloseManifest { warehouse, carrier })
        }
        Cmd::Worker(WorkerCmd::SetPin { badge, pin }) => people::set_pin(&services(db)?, &badge, &pin),
        Cmd::Worker(WorkerCmd::Disable { badge }) => people::set_active(&services(db)?, &badge, false),
        Cmd::Worker(WorkerCmd::Enable { badge }) => people::set_active(&services(db)?, &badge, true),
        Cmd::Apikey(ApikeyCmd::Create { name }) => people::apikey_create(&services(db)?, &name),
        Cmd::Apikey(ApikeyCmd::Revoke { name }) => people::apikey_revoke(&services(db)?, &name),
        Cmd::Bench(cmd) => bench::run(&cmd),
        #[cfg(feature = "temporal")]
        Cmd::Temporal(cmd) => temporal_cmd::run(services(db)?, db, &cmd),
        Cmd::Webhook(WebhookCmd::Add { name, url, secret, events, max_attempts }) => {
            webhook::add(&services(db)?, &name, &url, &secret, &events, max_attempts)
        }
        Cmd::Webhook(WebhookCmd::List) => webhook::list(&services(db)?),
        Cmd::Events(EventsCmd::Replay { webhook, from }) => webhook::replay(&services(db)?, &webhook, from),
        Cmd::Printer(PrinterCmd::Test { uri, template }) => printer::test(&uri, &template),
        Cmd::Printer(PrinterCmd::Status { uri }) => printer::status(&uri),
        Cmd::Label(LabelCmd::List) => {
            label::list();
            Ok(())
        }
        Cmd::Label(LabelCmd::Render { template, data, out }) => label::render(&template, &data, out.as_deref()),
        Cmd::Serve(_)
        | Cmd::Pick(_)
        | Cmd::Pack(_)
        | Cmd::Dock(_)
        | Cmd::PutBack(_)
        | Cmd::Board(_)
        | Cmd::Completions { .. }
        | Cmd::Man { .. }
        | Cmd::Cert(_) => Ok(()),
        Cmd::Demo(args) => demo::run(&args, db),
        Cmd::Backup(args) => admin::backup(db, &args),
        Cmd::Restore(args) => admin::restore(db, &args),
        Cmd::Check(args) => admin::check(&services(db)?, &args),
    }
}

/// Opens an existing database; a missing file is an error, not a silent new one.
fn services(db: &Path) -> Result<Services> {
    if !db.exists() {
        anyhow::bail!("database {} does not exist; create it with `tote init --db {}`", db.display(), db.display());
    }
    open(db)
}

/// The database's services, with the settings `tote serve` last ran its
/// site with (its engine, short policy, other sites' warehouses).
fn open(db: &Path) -> Result<Services> {
    let store = Store::open(db).with_context(|| format!("opening {}", db.display()))?;
    let config = ServiceConfig::of_site(&store).with_context(|| format!("reading {}", db.display()))?;
    Ok(Services::new(Arc::new(store), Arc::new(SystemClock), config))
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

/// `--status` of `tote workflows list`.
fn workflow_status(s: &str) -> std::result::Result<tote::domain::workflow::WorkflowStatus, String> {
    tote::domain::workflow::WorkflowStatus::parse(s)
        .ok_or_else(|| format!("{s:?}: one of running, completed, cancelled, failed"))
}
