//! `tote demo`: a fresh demo warehouse (assets/demo: 300 locations, 240
//! SKUs with barcodes, dated lots, 36 orders of mixed priority, demo
//! workers), the server running in-process, and a menu to be a picker or a
//! packer on this terminal. Labels go to a file printer in the demo folder;
//! each role keeps its device file (queue, cache, screen) there too.
//! Without a terminal (a pipe, CI) it sets everything up, prints what is
//! where, and stops. `--tour` runs the scripted text tour instead.

use super::stock;
use anyhow::{Context, Result};
use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tote::app::command::OrderRequest;
use tote::app::{Command, Services};
use tote::printing::PrinterUri;
use tote::server::auth::hash_pin;
use tote::tui::input::Input;
use tote::tui::menu::Menu;
use tote::tui::term::{self, Options};
use tote::tui::{packer::Packer, picker::Picker};

const STOCK: &[u8] = include_bytes!("../../assets/demo/stock.csv");
const ORDERS: &str = include_str!("../../assets/demo/orders.json");
/// Badge, name, role; every demo worker's PIN is [`PIN`].
const WORKERS: [(&str, &str, &str); 4] = [
    ("P-001", "Pia", "picker"),
    ("P-002", "Petar", "picker"),
    ("K-001", "Kosta", "packer"),
    ("S-001", "Sara", "supervisor"),
];
const PIN: &str = "1234";

#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// The demo's folder: database, station spooler, labels, log. Its demo
    /// files are replaced on every run.
    #[arg(long, default_value = "tote-demo")]
    dir: PathBuf,
    /// Run the scripted text tour on a fresh --db file instead.
    #[arg(long)]
    tour: bool,
}

impl DemoArgs {
    /// The TUI's log file (the tour logs to standard error).
    pub fn log(&self) -> Option<PathBuf> {
        (!self.tour).then(|| self.dir.join("tui.log"))
    }
}

pub fn run(args: &DemoArgs, db: &Path) -> Result<()> {
    if args.tour {
        return super::tour::run(db);
    }
    let dir = args.dir.as_path();
    let db = fresh(dir)?;
    let svc = super::open(&db)?;
    let counts = seed(&svc)?;
    let server = Server::start(svc)?;
    let url = format!("http://{}", server.addr);
    println!("demo warehouse BG1: {counts}");
    println!("server {url}, database {}", db.display());
    println!(
        "log in with badge P-001 (picker), K-001 (packer) or S-001 (board), PIN {PIN}; labels go to {}",
        labels(dir).display()
    );
    let interactive = std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
    if !interactive {
        println!("no terminal here, so no menu: the demo stops. Run it in a terminal to pick and pack.");
        return server.stop();
    }
    let result = menu(dir, &url);
    server.stop()?;
    result?;
    println!("demo stopped; its files are in {}", dir.display());
    Ok(())
}

fn labels(dir: &Path) -> PathBuf {
    dir.join("labels")
}

/// Creates `dir` and removes the files an earlier demo left there.
fn fresh(dir: &Path) -> Result<PathBuf> {
    std::fs::create_dir_all(labels(dir)).with_context(|| format!("creating {}", dir.display()))?;
    for entry in std::fs::read_dir(dir)? {
        let p = entry?.path();
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if name.starts_with("tote.db") || name.starts_with("device-") {
            std::fs::remove_file(&p).with_context(|| format!("removing {}", p.display()))?;
        }
    }
    for entry in std::fs::read_dir(labels(dir))? {
        let p = entry?.path();
        if p.extension().is_some_and(|e| e == "zpl") {
            std::fs::remove_file(&p)?;
        }
    }
    Ok(dir.join("tote.db"))
}

/// The sample warehouse, its workers and its orders; returns a summary.
fn seed(svc: &Services) -> Result<String> {
    let now = svc.now();
    let hash = hash_pin(PIN).map_err(anyhow::Error::msg)?;
    svc.store().write(|tx| {
        tx.ensure_warehouse("BG1", "Beograd", now)?;
        for (badge, name, role) in WORKERS {
            let id = tx.insert_worker(badge, name, role, now)?;
            tx.set_worker_pin(id, &hash)?;
            tx.bind_worker(id, "BG1")?;
        }
        Ok::<_, tote::storage::StorageError>(())
    })?;
    let address = tote::app::command::AddressDto {
        contact_name: "Tote demo, dock 1".into(),
        street: "Bulevar Zorana Djindjica 8".into(),
        city: "Beograd".into(),
        postal_code: "11070".into(),
        country: "RS".into(),
        phone: "+381 11 000 0000".into(),
    };
    let ship_from = Command::SetWarehouseAddress { warehouse: "BG1".into(), address };
    svc.execute(&tote::app::new_op_id(), &ship_from).map_err(super::order::explain)?;
    let rows = stock::import_bytes(svc, STOCK, Path::new("assets/demo/stock.csv"))?;
    let orders: Vec<OrderRequest> = serde_json::from_str(ORDERS).context("assets/demo/orders.json")?;
    for o in &orders {
        let op = o.default_op_id();
        svc.execute(&op, &Command::SubmitOrder(o.clone())).map_err(super::order::explain)?;
    }
    Ok(format!("{rows} stock lots, {} orders, {} workers", orders.len(), WORKERS.len()))
}

fn menu(dir: &Path, url: &str) -> Result<()> {
    loop {
        let info = vec![format!("Badges P-001 K-001 S-001, PIN {PIN}"), format!("Server {url}")];
        let items = vec![("Picker".to_owned(), true), ("Packer".to_owned(), true), ("Board".to_owned(), true)];
        let mut m = Menu::new("TOTE DEMO", info, items);
        let opts = |device: &str, printer| -> Result<Options> {
            Ok(Options {
                server: url.to_owned(),
                device: device.into(),
                tick: Duration::from_secs(3),
                printer,
                device_db: Some(super::floor::device_file(dir, device)?),
                keep_answered: chrono::Duration::days(7),
            })
        };
        term::run(&mut m, Options { device_db: None, ..opts("demo-menu", None)? })?;
        match m.chosen() {
            Some(0) => term::run(&mut Picker::new(Input::default()), opts("demo-picker", None)?)?,
            Some(1) => {
                let uri: PrinterUri = format!("file://{}/", std::path::absolute(labels(dir))?.display()).parse()?;
                term::run(&mut Packer::new(Input::default()), opts("demo-packer", Some(uri))?)?
            }
            Some(2) => {
                let token = super::board::login(url, "S-001", PIN)?;
                let refresh = Duration::from_secs(5);
                tote::tui::board_run::run(tote::tui::board_run::BoardOptions {
                    server: url.to_owned(),
                    token,
                    refresh,
                    warehouse: None,
                })?
            }
            _ => return Ok(()),
        }
    }
}

/// `tote serve` in this process, on a free port.
struct Server {
    addr: SocketAddr,
    stop: tokio::sync::oneshot::Sender<()>,
    thread: std::thread::JoinHandle<Result<()>>,
}

impl Server {
    fn start(services: Services) -> Result<Server> {
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || -> Result<()> {
            let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
                addr_tx.send(listener.local_addr()?)?;
                let shutdown = async {
                    let _ = stopped.await;
                };
                tote::server::run(listener, shutdown, services, tote::server::ServerConfig::default()).await?;
                Ok(())
            })
        });
        let addr = addr_rx.recv().context("the demo server did not start")?;
        Ok(Server { addr, stop, thread })
    }

    fn stop(self) -> Result<()> {
        let _ = self.stop.send(());
        self.thread.join().map_err(|_| anyhow::anyhow!("the demo server panicked"))?
    }
}
