//! `tote serve`: the HTTP/JSON API over the services. The only module that
//! knows axum.
//!
//! [`run`] serves on a listener until `shutdown` resolves, then stops
//! accepting, lets in-flight requests finish, lets the writer commit what it
//! holds, and returns. Every mutating request goes through the [`writer`]
//! (group commit); reads use the store's read connections. Every endpoint is
//! declared once, with who may call it, in [`routes`]: the router, the auth
//! layer's table [`routes::ROUTES`] and the OpenAPI paths come from there.

mod api;
pub mod auth;
pub mod config;
pub mod engine;
pub mod error;
mod extract;
mod health;
mod http;
pub mod listings;
pub mod metrics;
pub mod openapi;
pub mod relay;
pub mod request_id;
pub mod retention;
pub mod routes;
pub mod streams;
mod throttle;
mod wire_errors;
pub mod writer;

pub use api::{OpResult, OpsResponse};
/// Limits of the API that clients size their requests by.
pub mod api_limits {
    pub use super::api::MAX_OPS;
}
pub use config::ServerConfig;
pub use error::ApiError;

use crate::app::Services;
use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

/// What every handler can reach: one shared value, so that the clone each
/// middleware layer takes per request is one reference count (cloning the
/// fields was about 4% of a pick request's CPU in `tote bench api`).
#[derive(Debug, Clone)]
pub(crate) struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

#[derive(Debug)]
pub(crate) struct Shared {
    pub services: Services,
    pub writer: writer::WriterHandle,
    pub config: Arc<ServerConfig>,
    pub metrics: Arc<metrics::HttpMetrics>,
    pub started: Instant,
    /// Turns true when the server begins to stop (ends event streams).
    pub stopping: tokio::sync::watch::Receiver<bool>,
    /// Login attempts per address and badge; unknown badges' lockouts.
    pub logins: Arc<throttle::LoginThrottle>,
    /// The carriers (`[carrier]`): the engine's and the label endpoint's.
    pub carrier: Arc<dyn crate::shipping::Carrier>,
}

/// Runs a read (blocking SQLite) off the async workers.
pub(crate) async fn read<T: Send + 'static>(
    services: &Services,
    f: impl FnOnce(&Services) -> Result<T, crate::app::AppError> + Send + 'static,
) -> Result<T, crate::app::AppError> {
    let services = services.clone();
    tokio::task::spawn_blocking(move || f(&services)).await.map_err(|e| {
        crate::app::AppError::Storage(crate::storage::StorageError::Unavailable(format!("read task failed: {e}")))
    })?
}

impl AppState {
    /// A read of the services, run off the async workers.
    pub(crate) async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Services) -> Result<T, crate::app::AppError> + Send + 'static,
    ) -> Result<T, crate::app::AppError> {
        read(&self.services, f).await
    }
}

/// Serves the API on `listener` until `shutdown` resolves; returns once
/// every accepted request is answered and the writer has committed and
/// stopped.
pub async fn run(
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
    services: Services,
    config: ServerConfig,
) -> std::io::Result<()> {
    // The carriers of `[carrier]`, their tokens read now: a missing one
    // stops the start instead of the first shipment. Their blocking HTTP
    // clients are made (and, in `run_with_carrier`, dropped) off the
    // async workers, where reqwest allows it.
    let spec = config.carrier.clone();
    let carrier = tokio::task::spawn_blocking(move || {
        spec.build(Arc::new(crate::app::SystemClock), |var| std::env::var(var).ok())
    })
    .await
    .map_err(std::io::Error::other)?
    .map_err(std::io::Error::other)?;
    run_with_carrier(listener, shutdown, services, config, Arc::new(carrier)).await
}

/// [`run`] with the carrier the workflow engine ships with.
pub async fn run_with_carrier(
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
    services: Services,
    config: ServerConfig,
    carrier: Arc<dyn crate::shipping::Carrier>,
) -> std::io::Result<()> {
    // The Listings client, its token read before anything starts.
    let listings = match &config.listings {
        Some(cfg) => {
            let token = cfg.token.as_ref().map(|t| t.read(&|var| std::env::var(var).ok())).transpose();
            let token = token.map_err(std::io::Error::other)?;
            let client = listings::ListingsClient::new(cfg, token, services.clone()).map_err(std::io::Error::other)?;
            Some(Arc::new(client))
        }
        None => None,
    };
    let (writer, writer_thread) = writer::start(services.clone(), config.writer())?;
    let temporal = hosted_worker(&services, &writer, &carrier, &config).await?;
    let (stop_tx, stopping) = tokio::sync::watch::channel(false);
    let state = AppState(Arc::new(Shared {
        services,
        writer,
        config: Arc::new(config),
        metrics: Arc::new(metrics::HttpMetrics::default()),
        started: Instant::now(),
        stopping: stopping.clone(),
        logins: Arc::default(),
        carrier: carrier.clone(),
    }));
    let relay = tokio::spawn(relay::run(
        state.services.clone(),
        state.writer.clone(),
        relay::RelayConfig::default(),
        stopping.clone(),
    ));
    let retention = tokio::spawn(retention::run(
        state.services.clone(),
        state.writer.clone(),
        state.config.retention,
        stopping.clone(),
    ));
    let engine = tokio::spawn(engine::run(
        state.services.clone(),
        state.writer.clone(),
        carrier.clone(),
        state.config.engine,
        stopping.clone(),
    ));
    let mut integrations = Vec::new();
    if let Some(client) = listings.clone() {
        let (s, w) = (state.services.clone(), state.writer.clone());
        integrations.push(tokio::spawn(listings::report(s, w, client, stopping.clone())));
    }
    if let Some(redis) = state.config.redis.clone() {
        let (s, w) = (state.services.clone(), state.writer.clone());
        integrations.push(tokio::spawn(streams::publish(s, w, redis.clone(), stopping.clone())));
        if redis.consume {
            let (s, w) = (state.services.clone(), state.writer.clone());
            integrations.push(tokio::spawn(streams::consume(s, w, redis, listings.clone(), stopping.clone())));
        }
    }
    let state_config = state.config.clone();
    let app = app(state);
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, "tote serve listening");
    }
    // Stopping: tell the relay and the event streams first, so open
    // streams end and the graceful shutdown is not held by them.
    let shutdown = async move {
        shutdown.await;
        let _ = stop_tx.send(true);
    };
    let tls = match &state_config.tls {
        Some((cert, key)) => Some(crate::tls::acceptor(cert, key).map_err(std::io::Error::other)?),
        None => None,
    };
    let limits = http::ConnLimits {
        header_read_timeout: state_config.header_read_timeout,
        grace: state_config.shutdown_grace,
        tls,
    };
    http::serve(listener, app, shutdown, limits).await?;
    if let Some(worker) = temporal {
        stop_hosted(worker).await;
    }
    let _ = relay.await;
    let _ = retention.await;
    let _ = engine.await;
    for task in integrations {
        let _ = task.await;
    }
    // The last handle on the carriers goes on a blocking thread (a blocking
    // HTTP client may not be dropped on an async worker).
    let _ = tokio::task::spawn_blocking(move || drop(carrier)).await;
    // The router (and with it every writer handle) is gone: the writer
    // drains its queue, commits, and ends.
    tokio::task::spawn_blocking(move || writer_thread.join())
        .await
        .map_err(std::io::Error::other)?
        .map_err(|_| std::io::Error::other("writer thread panicked"))?;
    tracing::info!("tote serve stopped");
    Ok(())
}

/// The site's Temporal worker, with `workflow_engine = "temporal"`.
#[cfg(feature = "temporal")]
async fn hosted_worker(
    services: &Services,
    writer: &writer::WriterHandle,
    carrier: &Arc<dyn crate::shipping::Carrier>,
    config: &ServerConfig,
) -> std::io::Result<Option<HostedWorker>> {
    use crate::temporal::client::{Site, spawn_worker};
    let Some(t) =
        config.temporal.clone().filter(|_| config.workflow_engine == crate::app::workflow::hosted::Engine::Temporal)
    else {
        return Ok(None);
    };
    let task_queue = match t.task_queue {
        Some(q) => q,
        None => {
            let svc = services.clone();
            tokio::task::spawn_blocking(move || crate::temporal::default_task_queue(&svc))
                .await
                .map_err(std::io::Error::other)?
                .map_err(|e| std::io::Error::other(format!("workflow_engine = temporal: {e:#}")))?
        }
    };
    tracing::info!(address = %t.address, %task_queue, "workflows run on Temporal");
    let site = Site { svc: Arc::new(services.clone()), writer: writer.clone(), carrier: carrier.clone(), task_queue };
    Ok(Some(spawn_worker(site, t.address)))
}

#[cfg(not(feature = "temporal"))]
async fn hosted_worker(
    _: &Services,
    _: &writer::WriterHandle,
    _: &Arc<dyn crate::shipping::Carrier>,
    config: &ServerConfig,
) -> std::io::Result<Option<HostedWorker>> {
    config.check_engine().map_err(std::io::Error::other)?;
    Ok(None)
}

/// The Temporal worker of a `tote serve` (none without the feature).
#[cfg(feature = "temporal")]
type HostedWorker = crate::temporal::client::WorkerThread;
#[cfg(not(feature = "temporal"))]
type HostedWorker = std::convert::Infallible;

/// Stops the Temporal worker, before the writer it writes through.
async fn stop_hosted(worker: HostedWorker) {
    #[cfg(feature = "temporal")]
    if let Ok(Err(e)) = tokio::task::spawn_blocking(move || worker.stop()).await {
        tracing::warn!(error = %e, "the Temporal worker stopped with an error");
    }
    #[cfg(not(feature = "temporal"))]
    match worker {}
}

/// The whole application: the routes, each with its access check and its
/// timing (they read the matched path), inside one stack of layers that
/// every request passes once: its id, its log span, JSON error bodies, the
/// body limit and the request timeout. Layered on the router as a whole,
/// not on each route (`Router::layer`), the stack costs no boxed service
/// and future per layer and request: 3-8 µs of a pick's 30-40 on the HTTP
/// side (`tote bench api`, ADR 0049).
fn app(state: AppState) -> App {
    use axum::middleware::{from_fn, from_fn_with_state};
    use tower_http::limit::RequestBodyLimitLayer;
    use tower_http::timeout::TimeoutLayer;
    use tower_http::trace::TraceLayer;
    let limit = state.config.body_limit_bytes;
    let timeout = state.config.request_timeout;
    let routes = api::routes()
        .route_layer(from_fn_with_state(state.clone(), auth::authorize))
        .route_layer(from_fn_with_state(state.clone(), metrics::track))
        .fallback(error::not_found)
        .with_state(state);
    let stack = tower::ServiceBuilder::new()
        .layer(from_fn(request_id::layer))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &axum::extract::Request| request_id::span(req))
                .on_response(tower_http::trace::DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(from_fn(error::json_errors))
        .layer(RequestBodyLimitLayer::new(limit))
        .layer(axum::extract::DefaultBodyLimit::max(limit))
        .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::REQUEST_TIMEOUT, timeout))
        .service(routes);
    App::new(stack)
}

/// The application as one service: what each connection serves.
type App = tower::util::BoxCloneSyncService<axum::extract::Request, axum::response::Response, std::convert::Infallible>;

/// The shutdown signal for `tote serve`: a future that resolves on Ctrl-C
/// or SIGTERM. The handlers are installed when this returns, not when the
/// future is first polled, so a signal sent right after the server says it
/// is listening is never lost (nor kills the process).
pub fn shutdown_signal() -> std::io::Result<impl Future<Output = ()> + Send + 'static> {
    #[cfg(unix)]
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    #[cfg(unix)]
    let mut int = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())?;
    Ok(async move {
        #[cfg(unix)]
        tokio::select! {
            _ = term.recv() => {},
            _ = int.recv() => {},
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutdown requested");
    })
}
