//! `tote serve`: settings from defaults, the config file, a `TOTE_<KEY>`
//! variable for every key (`server::config::KEYS`) and flags (in that
//! order), then the server until SIGTERM or Ctrl-C.

use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tote::app::{Clock, ServiceConfig, Services, SystemClock};
use tote::server::ServerConfig;
use tote::server::config::parse_durability;
use tote::storage::Store;

/// Flags of `tote serve`; `None` means "not given" so the file can decide.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "TOTE_LISTEN")]
    listen: Option<String>,
    /// A TOML file with a [server] table.
    #[arg(long, env = "TOTE_CONFIG")]
    config: Option<PathBuf>,
    /// SQLite synchronous mode: full (survives power loss) or normal.
    #[arg(long, env = "TOTE_SYNCHRONOUS")]
    synchronous: Option<String>,
    /// Commit each op alone instead of grouping concurrent ones.
    #[arg(long)]
    no_group_commit: bool,
    /// Which engine runs new workflows: embedded, or temporal (a build
    /// with `--features temporal`; needs --temporal-address).
    #[arg(long)]
    engine: Option<String>,
    /// The Temporal frontend, HOST:PORT (with --engine temporal).
    #[arg(long)]
    temporal_address: Option<String>,
    /// Log lines as text, or as one JSON object per line for log shippers.
    #[arg(long, env = "TOTE_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

pub fn serve(db_flag: Option<&Path>, args: &ServeArgs) -> Result<()> {
    let text = match &args.config {
        Some(path) => Some(std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?),
        None => None,
    };
    let from = match &args.config {
        Some(path) => format!("config file {} or a TOTE_* variable", path.display()),
        None => "a TOTE_* variable".into(),
    };
    let loaded = ServerConfig::load(text.as_deref(), |var| std::env::var(var).ok())
        .map_err(anyhow::Error::msg)
        .with_context(|| format!("in {from}"))?;
    if let Some(ca) = &loaded.trust_ca {
        tote::tls::trust(ca).context("trust_ca")?;
    }
    let mut config = loaded.config;
    if let Some(s) = &args.synchronous {
        config.durability = parse_durability(s).map_err(anyhow::Error::msg)?;
    }
    if args.no_group_commit {
        config.group_commit = false;
    }
    if let Some(e) = &args.engine {
        config.workflow_engine = e.parse().map_err(|m| anyhow::anyhow!("--engine {m}"))?;
    }
    if let Some(address) = &args.temporal_address {
        let task_queue = config.temporal.take().and_then(|t| t.task_queue);
        config.temporal = Some(tote::server::config::TemporalConfig { address: address.clone(), task_queue });
    }
    config.check_engine().map_err(anyhow::Error::msg)?;
    let listen = args.listen.clone().or(loaded.listen).unwrap_or_else(|| DEFAULT_LISTEN.to_owned());
    let db = db_flag.map(Path::to_owned).or(loaded.db.map(PathBuf::from)).unwrap_or_else(|| super::DEFAULT_DB.into());
    let store = Store::open_with(&db, config.durability).with_context(|| format!("opening {}", db.display()))?;
    let service_config = ServiceConfig {
        workflow: config.workflow,
        batch_claim_minutes: config.batch_claim_minutes,
        engine: config.workflow_engine,
        sites: config.temporal_sites.clone(),
        ..ServiceConfig::default()
    };
    // Other commands on this database (`tote order submit`) act as the site does.
    service_config.save_for_site(&store, SystemClock.now()).context("recording the site's settings")?;
    let services = Services::new(Arc::new(store), Arc::new(SystemClock), service_config);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting the runtime")?;
    runtime.block_on(async {
        let listener =
            tokio::net::TcpListener::bind(&listen).await.with_context(|| format!("listening on {listen}"))?;
        let shutdown = tote::server::shutdown_signal().context("installing signal handlers")?;
        let addr = listener.local_addr()?;
        let scheme = if config.tls.is_some() { "https" } else { "http" };
        let engine = match &config.temporal {
            Some(t) if config.workflow_engine == tote::app::workflow::hosted::Engine::Temporal => {
                format!("temporal at {}", t.address)
            }
            _ => "embedded".into(),
        };
        eprintln!(
            "tote serve: {} on {scheme}://{addr} (group commit {}, workflows {engine})",
            db.display(),
            on_off(config.group_commit)
        );
        tote::server::run(listener, shutdown, services, config).await?;
        eprintln!("tote serve: stopped cleanly");
        Ok(())
    })
}

fn on_off(b: bool) -> &'static str {
    if b { "on" } else { "off" }
}
