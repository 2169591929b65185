//! `tote temporal …` (feature `temporal`): the site's Temporal worker in
//! the foreground, and an order's intake started on Temporal.

use anyhow::{Context, Result};
use clap::Subcommand;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tote::app::Services;
use tote::app::command::OrderRequest;
use tote::temporal::client;

#[derive(Debug, Subcommand)]
pub enum TemporalCmd {
    /// Serve the site's task queue (its workflows and activities, and the
    /// signals its floor ops queue) until killed.
    Worker {
        /// The Temporal frontend, HOST:PORT.
        #[arg(long, env = "TOTE_TEMPORAL_ADDRESS")]
        temporal_address: String,
        /// The site's task queue [default: tote-<first warehouse>].
        #[arg(long)]
        task_queue: Option<String>,
    },
    /// Start the intake of an order (a JSON file) on Temporal; a second
    /// start of the same request id finds the first.
    Start {
        file: PathBuf,
        #[arg(long, env = "TOTE_TEMPORAL_ADDRESS")]
        temporal_address: String,
        #[arg(long)]
        task_queue: Option<String>,
    },
}

fn queue(svc: &Services, given: Option<&str>) -> Result<String> {
    match given {
        Some(q) => Ok(q.to_owned()),
        None => tote::temporal::default_task_queue(svc),
    }
}

pub fn run(svc: Services, db: &Path, cmd: &TemporalCmd) -> Result<()> {
    match cmd {
        TemporalCmd::Worker { temporal_address, task_queue } => {
            let queue = queue(&svc, task_queue.as_deref())?;
            // The local carrier; a site's `[carrier]` comes with `tote serve --engine temporal`.
            let carrier: Arc<dyn tote::shipping::Carrier> = Arc::new(tote::shipping::local::LocalCarrier::default());
            eprintln!("tote temporal worker: {} on {queue} at {temporal_address}", db.display());
            let site = client::Site::standalone(svc, carrier, queue)?;
            client::spawn_worker(site, temporal_address.clone()).join()
        }
        TemporalCmd::Start { file, temporal_address, task_queue } => {
            let queue = queue(&svc, task_queue.as_deref())?;
            let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
            let req: OrderRequest = serde_json::from_str(&text).with_context(|| format!("{}", file.display()))?;
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
            let id = rt.block_on(async {
                let c = client::connect(temporal_address).await?;
                client::start_intake(&c, &queue, &req, tote::domain::workflow::Settings::default()).await
            })?;
            println!("{id} started on {queue}");
            Ok(())
        }
    }
}
