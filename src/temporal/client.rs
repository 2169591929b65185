//! Tote's side of a Temporal cluster: connect, serve a site's task queue
//! (its workflows and activities), and start, signal and query workflows
//! by Tote's own ids (`order-intake-{request_id}`,
//! `order-fulfillment-{id}`) under the site's task queue
//! (`tote-W1/order-fulfillment-1`, [`super::cluster_id`]), so that sites
//! sharing a cluster never meet: a second start of a running id finds it.

use super::bridge::Bridge;
use super::{FulfillmentFlow, IntakeFlow, Launch};
use crate::app::Services;
use crate::app::command::OrderRequest;
use crate::domain::workflow::{self as wf, Signal};
use crate::server::config::WriterConfig;
use crate::server::writer::WriterHandle;
use crate::shipping::Carrier;
use anyhow::Context;
use serde_json::Value;
use std::str::FromStr;
use std::sync::Arc;
use temporalio_client::errors::{WorkflowInteractionError, WorkflowStartError};
use temporalio_client::{
    Client, ClientOptions, ConnectionOptions, Url, WorkflowGetResultOptions, WorkflowIdConflictPolicy,
    WorkflowIdReusePolicy, WorkflowQueryOptions, WorkflowSignalOptions, WorkflowStartOptions,
};
use temporalio_common::HasWorkflowDefinition;
use temporalio_sdk::runtime::RuntimeOptions;
use temporalio_sdk::{Runtime, Worker, WorkerOptions};

/// A client of the cluster at `address` (`HOST:PORT`), namespace `default`.
pub async fn connect(address: &str) -> anyhow::Result<Client> {
    let url = Url::from_str(&format!("http://{address}")).context("temporal address")?;
    let client = Client::connect(ConnectionOptions::new(url).build(), ClientOptions::new("default").build())
        .await
        .with_context(|| format!("connecting to Temporal at {address}"))?;
    Ok(client)
}

/// A site as its Temporal worker sees it: reads from its services, every
/// write through its single writer, its carrier, and its task queue.
#[derive(Debug, Clone)]
pub struct Site {
    pub svc: Arc<Services>,
    pub writer: WriterHandle,
    pub carrier: Arc<dyn Carrier>,
    pub task_queue: String,
}

impl Site {
    /// A site with a writer of its own (`tote temporal worker`, the tests,
    /// the bench); `tote serve` passes its own. The writer ends with the
    /// last handle.
    pub fn standalone(svc: Services, carrier: Arc<dyn Carrier>, task_queue: String) -> anyhow::Result<Site> {
        let (writer, _thread) = crate::server::writer::start(svc.clone(), WriterConfig { max_batch: 256 })?;
        Ok(Site { svc: Arc::new(svc), writer, carrier, task_queue })
    }
}

/// Serves the site's task queue until it fails: the hosted workflows and
/// the site's activities. The worker's future is not `Send`: run it on a
/// thread of its own (see [`spawn_worker`]).
pub async fn serve(site: Site, client: Client) -> anyhow::Result<()> {
    let runtime = Runtime::from_current_tokio(RuntimeOptions::default())?;
    let queue = site.task_queue.clone();
    let bridge = Bridge { site, client: client.clone() };
    let opts = WorkerOptions::new(queue)
        .register_workflow::<IntakeFlow>()?
        .register_workflow::<FulfillmentFlow>()?
        .register_activities(bridge)
        .build();
    let mut worker = Worker::new(&runtime, client, opts)?;
    worker.run().await?;
    Ok(())
}

/// A worker on its own thread and runtime; dropping the handle leaves it
/// running, [`WorkerThread::stop`] ends it.
#[derive(Debug)]
pub struct WorkerThread {
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<anyhow::Result<()>>>,
}

impl WorkerThread {
    pub fn stop(mut self) -> anyhow::Result<()> {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        self.join()
    }

    /// Waits for the worker to end (it runs until stopped or killed).
    pub fn join(mut self) -> anyhow::Result<()> {
        match self.thread.take().map(std::thread::JoinHandle::join) {
            Some(Ok(r)) => r,
            Some(Err(_)) => anyhow::bail!("the worker thread panicked"),
            None => Ok(()),
        }
    }
}

/// The site's worker at `address` on a thread of its own: [`serve`] and
/// [`forward`], connected again a second after the cluster is lost (or
/// was not up yet), until stopped.
pub fn spawn_worker(site: Site, address: String) -> WorkerThread {
    let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::spawn(move || -> anyhow::Result<()> {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        rt.block_on(async move {
            loop {
                let round = async {
                    let client = connect(&address).await?;
                    tokio::select! {
                        r = serve(site.clone(), client.clone()) => r,
                        r = forward(site.clone(), client) => r,
                    }
                };
                tokio::select! {
                    r = round => match r {
                        Ok(()) => return Ok(()),
                        Err(e) => tracing::warn!(%address, error = %format!("{e:#}"), "the Temporal worker stopped; again in 1 s"),
                    },
                    _ = &mut stopped => return Ok(()),
                }
                tokio::select! {
                    _ = tokio::time::sleep(std::time::Duration::from_secs(1)) => {}
                    _ = &mut stopped => return Ok(()),
                }
            }
        })
    });
    WorkerThread { stop: Some(stop), thread: Some(thread) }
}

/// Forwards what the site's ops queued for the hosted engine, oldest
/// first: the intakes `POST /api/v1/orders` accepted (started, a second
/// start of an id finding the first), then the signals floor ops sent
/// (at least once: the decider ignores a repeat). Each is taken off its
/// queue once Temporal has it. Woken by the writer's commits; ends when
/// the writer has.
pub async fn forward(site: Site, client: Client) -> anyhow::Result<()> {
    let mut commits = site.writer.commits();
    loop {
        let svc = site.svc.clone();
        let (starts, signals) =
            tokio::task::spawn_blocking(move || svc.query(|tx| Ok((tx.hosted_starts(100)?, tx.hosted_signals(100)?))))
                .await??;
        let mut failed = false;
        for start in &starts {
            let launch: Launch<crate::domain::workflow::intake::IntakeStart> =
                serde_json::from_str(&start.launch).context("a queued start")?;
            // Another site's part of an order goes to that site's queue.
            let queue = start.task_queue.as_deref().unwrap_or(&site.task_queue);
            match start_once(&client, IntakeFlow::run, launch, queue, &start.workflow_id).await {
                Ok(_) => {
                    let id = start.workflow_id.clone();
                    site.writer.write(move |tx| Ok(tx.started(&id)?)).await?;
                }
                Err(e) => {
                    tracing::warn!(workflow = %start.workflow_id, %queue, error = %e, "not started yet");
                    failed = true;
                    break;
                }
            }
        }
        // A signal waits for its workflow's start.
        let signals = if failed { Vec::new() } else { signals };
        for s in &signals {
            let signal: Signal = serde_json::from_str(&s.signal).context("a queued signal")?;
            let opts = WorkflowSignalOptions::default();
            let id = super::cluster_id(&site.task_queue, &s.workflow_id);
            let sent = match wf::WorkflowKind::parse(&s.kind) {
                Some(wf::WorkflowKind::OrderIntake) => {
                    let h = client.get_workflow_handle::<IntakeFlow>(id);
                    h.signal(IntakeFlow::signal, signal, opts).await
                }
                _ => {
                    let h = client.get_workflow_handle::<FulfillmentFlow>(id);
                    h.signal(FulfillmentFlow::signal, signal, opts).await
                }
            };
            let done = match sent {
                Ok(()) => true,
                // The workflow has ended (a late dock scan, a second
                // manifest close): nothing will ever decide the signal.
                Err(WorkflowInteractionError::NotFound(_)) => {
                    tracing::info!(workflow = %s.workflow_id, signal = %s.signal, "signal dropped: the workflow has ended");
                    true
                }
                Err(e) => {
                    tracing::warn!(workflow = %s.workflow_id, error = %e, "signal not forwarded yet");
                    false
                }
            };
            if !done {
                failed = true;
                break;
            }
            let id = s.id;
            site.writer.write(move |tx| Ok(tx.forwarded(id)?)).await?;
        }
        if failed {
            // The cluster did not answer: try again a little later.
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        } else if starts.is_empty() && signals.is_empty() {
            tokio::select! {
                r = commits.changed() => {
                    if r.is_err() {
                        return Ok(());
                    }
                    // A busy writer's many commits cost a few rounds.
                    tokio::time::sleep(crate::server::writer::COALESCE).await;
                }
                _ = tokio::time::sleep(std::time::Duration::from_secs(1)) => {}
            }
        }
    }
}

/// Starts Tote's workflow `id` (of type `run`) on `task_queue` once, under
/// its id on the cluster ([`super::cluster_id`]), which it returns: a start
/// of an id that runs finds it, and one of an id that has ended is refused
/// by Temporal and taken as done (a second run of a fulfillment would
/// allocate its stock again).
pub async fn start_once<W>(
    client: &Client,
    run: W,
    input: W::Input,
    task_queue: &str,
    id: &str,
) -> Result<String, WorkflowStartError>
where
    W: HasWorkflowDefinition,
    W::Input: Send,
{
    let cluster_id = super::cluster_id(task_queue, id);
    let opts = WorkflowStartOptions::new(task_queue.to_owned(), cluster_id.clone())
        .id_conflict_policy(WorkflowIdConflictPolicy::UseExisting)
        .id_reuse_policy(WorkflowIdReusePolicy::RejectDuplicate)
        .build();
    match client.start_workflow(run, input, opts).await {
        Ok(_) | Err(WorkflowStartError::AlreadyStarted { .. }) => Ok(cluster_id),
        Err(e) => Err(e),
    }
}

/// Starts the intake of `req` on `task_queue` (once, see [`start_once`]).
/// Returns its id on the cluster.
pub async fn start_intake(
    client: &Client,
    task_queue: &str,
    req: &OrderRequest,
    settings: wf::Settings,
) -> anyhow::Result<String> {
    let launch = Launch::intake(req, settings)?;
    Ok(start_once(client, IntakeFlow::run, launch, task_queue, &wf::intake_id(&req.request_id)).await?)
}

/// Fulfillment `id` of the site on `task_queue`, as the cluster knows it.
fn fulfillment(
    client: &Client,
    task_queue: &str,
    id: i64,
) -> temporalio_client::WorkflowHandle<Client, FulfillmentFlow> {
    client.get_workflow_handle::<FulfillmentFlow>(super::cluster_id(task_queue, &wf::fulfillment_id(id)))
}

/// Sends `signal` to fulfillment `id` of the site on `task_queue`.
pub async fn signal_fulfillment(client: &Client, task_queue: &str, id: i64, signal: Signal) -> anyhow::Result<()> {
    let handle = fulfillment(client, task_queue, id);
    handle.signal(FulfillmentFlow::signal, signal, WorkflowSignalOptions::default()).await?;
    Ok(())
}

/// The `status` query of fulfillment `id`: status, step, blocking reason.
pub async fn fulfillment_status(client: &Client, task_queue: &str, id: i64) -> anyhow::Result<Value> {
    let handle = fulfillment(client, task_queue, id);
    Ok(handle.query(FulfillmentFlow::status, (), WorkflowQueryOptions::default()).await?)
}

/// Waits for fulfillment `id` to end: its result (`{"status": …}`).
pub async fn fulfillment_result(client: &Client, task_queue: &str, id: i64) -> anyhow::Result<Value> {
    let handle = fulfillment(client, task_queue, id);
    Ok(handle.get_result(WorkflowGetResultOptions::default()).await?)
}

/// Waits for the intake of `request_id` on `task_queue` to end.
pub async fn intake_result(client: &Client, task_queue: &str, request_id: &str) -> anyhow::Result<Value> {
    let handle = client.get_workflow_handle::<IntakeFlow>(super::cluster_id(task_queue, &wf::intake_id(request_id)));
    Ok(handle.get_result(WorkflowGetResultOptions::default()).await?)
}
