//! Tote's side of a Temporal cluster: connect, serve a site's task queue
//! (its workflows and activities), and start, signal and query workflows
//! by Tote's own ids (`order-intake-{request_id}`,
//! `order-fulfillment-{id}`): a second start of a running id finds it.

use super::bridge::Bridge;
use super::{FulfillmentFlow, IntakeFlow, Launch};
use crate::app::Services;
use crate::app::command::OrderRequest;
use crate::domain::workflow::{self as wf, Signal};
use crate::shipping::Carrier;
use anyhow::Context;
use serde_json::Value;
use std::str::FromStr;
use std::sync::Arc;
use temporalio_client::{
    Client, ClientOptions, ConnectionOptions, Url, WorkflowGetResultOptions, WorkflowIdConflictPolicy,
    WorkflowQueryOptions, WorkflowSignalOptions, WorkflowStartOptions, errors::WorkflowInteractionError,
};
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

/// Serves `task_queue` (a site's) until `stop` is called: the hosted
/// workflows and the site's activities. The worker's future is not `Send`:
/// run it on a thread of its own (see [`spawn_worker`]).
pub async fn serve(
    svc: Arc<Services>,
    carrier: Arc<dyn Carrier>,
    client: Client,
    task_queue: &str,
) -> anyhow::Result<()> {
    let runtime = Runtime::from_current_tokio(RuntimeOptions::default())?;
    let bridge = Bridge { svc, carrier, client: client.clone(), task_queue: task_queue.to_owned() };
    let opts = WorkerOptions::new(task_queue.to_owned())
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
        match self.thread.take().map(std::thread::JoinHandle::join) {
            Some(Ok(r)) => r,
            Some(Err(_)) => anyhow::bail!("the worker thread panicked"),
            None => Ok(()),
        }
    }
}

/// Starts [`serve`] for `task_queue` at `address` on a thread of its own.
pub fn spawn_worker(
    svc: Arc<Services>,
    carrier: Arc<dyn Carrier>,
    address: String,
    task_queue: String,
) -> WorkerThread {
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::spawn(move || -> anyhow::Result<()> {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        rt.block_on(async move {
            let client = connect(&address).await?;
            tokio::select! {
                r = serve(svc.clone(), carrier, client.clone(), &task_queue) => r,
                r = forward_signals(svc, client) => r,
                _ = stopped => Ok(()),
            }
        })
    });
    WorkerThread { stop: Some(stop), thread: Some(thread) }
}

/// Forwards the signals floor ops queued for hosted workflows, oldest
/// first, each taken off the queue once Temporal has it (at least once:
/// the decider ignores a repeat). Runs until an error it cannot wait out.
pub async fn forward_signals(svc: Arc<Services>, client: Client) -> anyhow::Result<()> {
    loop {
        let mut failed = false;
        let waiting = svc.query(|tx| Ok(tx.hosted_signals(100)?))?;
        for s in &waiting {
            let signal: Signal = serde_json::from_str(&s.signal).context("a queued signal")?;
            let opts = WorkflowSignalOptions::default();
            let sent = match wf::WorkflowKind::parse(&s.kind) {
                Some(wf::WorkflowKind::OrderIntake) => {
                    let h = client.get_workflow_handle::<IntakeFlow>(s.workflow_id.clone());
                    h.signal(IntakeFlow::signal, signal, opts).await
                }
                _ => {
                    let h = client.get_workflow_handle::<FulfillmentFlow>(s.workflow_id.clone());
                    h.signal(FulfillmentFlow::signal, signal, opts).await
                }
            };
            match sent {
                Ok(()) => svc.store().write(|tx| tx.forwarded(s.id))?,
                // The workflow has ended (a late dock scan, a second
                // manifest close): nothing will ever decide the signal.
                Err(WorkflowInteractionError::NotFound(_)) => {
                    tracing::info!(workflow = %s.workflow_id, signal = %s.signal, "signal dropped: the workflow has ended");
                    svc.store().write(|tx| tx.forwarded(s.id))?;
                }
                Err(e) => {
                    tracing::warn!(workflow = %s.workflow_id, error = %e, "signal not forwarded yet");
                    failed = true;
                    break;
                }
            }
        }
        // Idle, or the cluster did not answer: look again a little later.
        if waiting.is_empty() || failed {
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
    }
}

/// Starts the intake of `req` on `task_queue`; a second start of the same
/// request id finds the first. Returns the workflow id.
pub async fn start_intake(
    client: &Client,
    task_queue: &str,
    req: &OrderRequest,
    settings: wf::Settings,
) -> anyhow::Result<String> {
    let id = wf::intake_id(&req.request_id);
    let launch = Launch {
        start: crate::app::workflow::intake_start(req, settings),
        input: serde_json::to_string(req)?,
        order_id: None,
        fulfillment_id: None,
    };
    let opts = WorkflowStartOptions::new(task_queue.to_owned(), id.clone())
        .id_conflict_policy(WorkflowIdConflictPolicy::UseExisting)
        .build();
    client.start_workflow(IntakeFlow::run, launch, opts).await?;
    Ok(id)
}

/// Sends `signal` to the fulfillment workflow `id`.
pub async fn signal_fulfillment(client: &Client, fulfillment: i64, signal: Signal) -> anyhow::Result<()> {
    let handle = client.get_workflow_handle::<FulfillmentFlow>(wf::fulfillment_id(fulfillment));
    handle.signal(FulfillmentFlow::signal, signal, WorkflowSignalOptions::default()).await?;
    Ok(())
}

/// The `status` query of fulfillment `id`: status, step, blocking reason.
pub async fn fulfillment_status(client: &Client, fulfillment: i64) -> anyhow::Result<Value> {
    let handle = client.get_workflow_handle::<FulfillmentFlow>(wf::fulfillment_id(fulfillment));
    Ok(handle.query(FulfillmentFlow::status, (), WorkflowQueryOptions::default()).await?)
}

/// Waits for fulfillment `id` to end: its result (`{"status": …}`).
pub async fn fulfillment_result(client: &Client, fulfillment: i64) -> anyhow::Result<Value> {
    let handle = client.get_workflow_handle::<FulfillmentFlow>(wf::fulfillment_id(fulfillment));
    Ok(handle.get_result(WorkflowGetResultOptions::default()).await?)
}

/// Waits for the intake of `request_id` to end.
pub async fn intake_result(client: &Client, request_id: &str) -> anyhow::Result<Value> {
    let handle = client.get_workflow_handle::<IntakeFlow>(wf::intake_id(request_id));
    Ok(handle.get_result(WorkflowGetResultOptions::default()).await?)
}
