//! The HTTP/1 connection loop under the router: hyper with a header-read
//! timeout (a client that never finishes its headers is cut off; tower's
//! request timeout starts only once they are in), each request tagged with
//! its peer address (login is rate-limited by it), and a graceful stop
//! with a deadline: after `shutdown`, no new connection is taken, open ones
//! get `grace` to finish, and then they are closed whatever the clients do.

use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpListener;
use tower::ServiceExt;

/// The connection-level limits, and TLS when the server speaks HTTPS.
#[derive(Clone)]
pub struct ConnLimits {
    pub header_read_timeout: Duration,
    pub grace: Duration,
    /// The handshake must finish within `header_read_timeout` too.
    pub tls: Option<tokio_rustls::TlsAcceptor>,
}

impl std::fmt::Debug for ConnLimits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnLimits")
            .field("header_read_timeout", &self.header_read_timeout)
            .field("grace", &self.grace)
            .field("tls", &self.tls.is_some())
            .finish()
    }
}

/// Serves `app` on `listener` until `shutdown` resolves, then drains.
pub async fn serve(
    listener: TcpListener,
    app: super::App,
    shutdown: impl Future<Output = ()> + Send,
    limits: ConnLimits,
) -> std::io::Result<()> {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(limits.header_read_timeout);
    let graceful = GracefulShutdown::new();
    // The connections' tasks: after the grace they are aborted, which drops
    // their copies of the router (and so the writer's handles).
    let mut conns = tokio::task::JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(c) => c,
                Err(e) => {
                    // Out of file descriptors and the like: wait, don't spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let svc = app.clone().map_request(move |req: axum::http::Request<Incoming>| {
            let mut req = req.map(axum::body::Body::new);
            req.extensions_mut().insert(ConnectInfo(peer));
            req
        });
        let (http, watcher, tls) = (http.clone(), graceful.watcher(), limits.tls.clone());
        let handshake = limits.header_read_timeout;
        conns.spawn(async move {
            let svc = TowerToHyperService::new(svc);
            let ended = match tls {
                None => {
                    let io = TokioIo::new(super::wire_errors::JsonErrors::new(stream));
                    watcher.watch(http.serve_connection(io, svc)).await
                }
                Some(tls) => match tokio::time::timeout(handshake, tls.accept(stream)).await {
                    Ok(Ok(stream)) => {
                        let io = TokioIo::new(super::wire_errors::JsonErrors::new(stream));
                        watcher.watch(http.serve_connection(io, svc)).await
                    }
                    Ok(Err(e)) => {
                        tracing::info!(%peer, error = %e, "TLS handshake refused");
                        return;
                    }
                    Err(_) => {
                        tracing::info!(%peer, "TLS handshake not finished in time");
                        return;
                    }
                },
            };
            if let Err(e) = ended {
                tracing::debug!(%peer, error = %e, "connection ended with an error");
            }
        });
        // Reap finished connections so the set does not grow.
        while conns.try_join_next().is_some() {}
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(limits.grace) => {
            tracing::warn!(grace_s = limits.grace.as_secs(), "connections still open after the grace period; closing them");
        }
    }
    conns.abort_all();
    while conns.join_next().await.is_some() {}
    Ok(())
}

/// The peer address of a request, when it came through [`serve`].
pub fn peer(extensions: &axum::http::Extensions) -> Option<SocketAddr> {
    extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0)
}
