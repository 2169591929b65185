//! `/metrics` in the Prometheus text format (version 0.0.4).
//!
//! HTTP metrics are counted in memory per route template (not per raw path,
//! so ids do not explode the series). The domain metrics of seed 001 §12.1
//! are read from the database at scrape time, so they survive a restart and
//! always agree with the tables; a registry crate would keep them in memory
//! and lose them. One small encoder writes both.

use super::AppState;
use crate::storage::metrics::{DomainMetrics, Histogram};
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::Ordering;
use std::time::Instant;

/// Request-duration bucket bounds, seconds.
const HTTP_BUCKETS: &[f64] = &[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

#[derive(Debug, Default)]
struct RouteStats {
    /// Responses by status code.
    by_status: BTreeMap<u16, u64>,
    /// Cumulative counts per bucket of [`HTTP_BUCKETS`].
    buckets: Vec<u64>,
    count: u64,
    sum: f64,
}

/// Per-route request counts and durations.
#[derive(Debug, Default)]
pub struct HttpMetrics {
    routes: Mutex<BTreeMap<(String, String), RouteStats>>,
}

impl HttpMetrics {
    pub fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let mut routes = self.routes.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let s = routes.entry((method.to_owned(), route.to_owned())).or_default();
        if s.buckets.is_empty() {
            s.buckets = vec![0; HTTP_BUCKETS.len()];
        }
        *s.by_status.entry(status).or_default() += 1;
        for (b, n) in HTTP_BUCKETS.iter().zip(s.buckets.iter_mut()) {
            if seconds <= *b {
                *n += 1;
            }
        }
        s.count += 1;
        s.sum += seconds;
    }
}

/// The layer that times every routed request.
pub(crate) async fn track(
    State(state): State<AppState>,
    matched: Option<MatchedPath>,
    req: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let method = method_label(req.method());
    let resp = next.run(req).await;
    let route = matched.as_ref().map_or("unmatched", |m| m.as_str());
    state.metrics.observe(method, route, resp.status().as_u16(), started.elapsed().as_secs_f64());
    resp
}

/// The `method` label: the standard methods by name, anything else (a
/// client may invent methods without end) as `other`, so the label set
/// and `/metrics` stay bounded.
pub fn method_label(m: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    const KNOWN: [(Method, &str); 8] = [
        (Method::GET, "GET"),
        (Method::POST, "POST"),
        (Method::PUT, "PUT"),
        (Method::DELETE, "DELETE"),
        (Method::PATCH, "PATCH"),
        (Method::HEAD, "HEAD"),
        (Method::OPTIONS, "OPTIONS"),
        (Method::TRACE, "TRACE"),
    ];
    KNOWN.iter().find(|(k, _)| k == m).map_or("other", |(_, name)| name)
}

fn head(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

fn histogram(out: &mut String, name: &str, labels: &str, h: &Histogram) {
    let sep = if labels.is_empty() { "" } else { "," };
    for (le, n) in &h.buckets {
        let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"{le}\"}} {n}");
    }
    let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {}", h.count);
    let braces = if labels.is_empty() { String::new() } else { format!("{{{labels}}}") };
    let _ = writeln!(out, "{name}_sum{braces} {}\n{name}_count{braces} {}", h.sum, h.count);
}

fn ratio(num: u64, den: u64) -> f64 {
    if den == 0 { 0.0 } else { num as f64 / den as f64 }
}

/// Writes the whole exposition.
pub(crate) fn render(state: &AppState, domain: &DomainMetrics) -> String {
    let mut out = String::new();
    head(&mut out, "tote_http_requests_total", "counter", "HTTP responses by route and status.");
    let routes = state.metrics.routes.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    for ((method, route), s) in routes.iter() {
        for (status, n) in &s.by_status {
            let _ = writeln!(
                out,
                "tote_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {n}"
            );
        }
    }
    head(&mut out, "tote_http_request_errors_total", "counter", "HTTP responses with status >= 400, by route.");
    for ((method, route), s) in routes.iter() {
        let errors: u64 = s.by_status.iter().filter(|(st, _)| **st >= 400).map(|(_, n)| n).sum();
        let _ = writeln!(out, "tote_http_request_errors_total{{method=\"{method}\",route=\"{route}\"}} {errors}");
    }
    head(&mut out, "tote_http_request_duration_seconds", "histogram", "HTTP request duration by route.");
    for ((method, route), s) in routes.iter() {
        let h = Histogram {
            buckets: HTTP_BUCKETS.iter().copied().zip(s.buckets.iter().copied()).collect(),
            count: s.count,
            sum: s.sum,
        };
        histogram(
            &mut out,
            "tote_http_request_duration_seconds",
            &format!("method=\"{method}\",route=\"{route}\""),
            &h,
        );
    }
    drop(routes);

    let w = state.writer.stats();
    head(&mut out, "tote_commits_total", "counter", "Write transactions committed by the writer.");
    let _ = writeln!(out, "tote_commits_total {}", w.commits.load(Ordering::Relaxed));
    head(&mut out, "tote_committed_ops_total", "counter", "Ops committed; divided by commits, the mean group size.");
    let _ = writeln!(out, "tote_committed_ops_total {}", w.ops.load(Ordering::Relaxed));
    head(&mut out, "tote_failed_commits_total", "counter", "Group commits that failed (no op of them applied).");
    let _ = writeln!(out, "tote_failed_commits_total {}", w.failed_commits.load(Ordering::Relaxed));
    head(&mut out, "tote_writer_queue_depth", "gauge", "Commands waiting for the writer.");
    let _ = writeln!(out, "tote_writer_queue_depth {}", state.writer.queued());

    head(&mut out, "picking_task_duration_seconds", "histogram", "Picking task, created to completed.");
    histogram(&mut out, "picking_task_duration_seconds", "", &domain.picking_task_duration);
    head(&mut out, "picking_shortage_rate", "gauge", "Share of closed pick items that were short or skipped.");
    let _ = writeln!(out, "picking_shortage_rate {}", ratio(domain.items_short, domain.items_closed));
    head(&mut out, "picking_items_per_hour", "gauge", "Units each worker picked in the last hour, by badge.");
    for (badge, n) in &domain.picking_items_last_hour {
        let _ = writeln!(out, "picking_items_per_hour{{worker=\"{}\"}} {n}", label(badge));
    }
    head(&mut out, "packing_tasks_per_hour", "gauge", "Packing tasks packed in the last hour.");
    let _ = writeln!(out, "packing_tasks_per_hour {}", domain.packing_tasks_last_hour);
    head(&mut out, "average_package_weight", "gauge", "Mean weight of the packages weighed, in kilograms.");
    let _ = writeln!(out, "average_package_weight {}", domain.average_package_weight_g.unwrap_or(0.0) / 1000.0);
    head(&mut out, "packing_task_duration_seconds", "histogram", "Packing task, created to packed.");
    histogram(&mut out, "packing_task_duration_seconds", "", &domain.packing_task_duration);
    head(&mut out, "order_to_shipment_duration_seconds", "histogram", "Order created to shipment.");
    histogram(&mut out, "order_to_shipment_duration_seconds", "", &domain.order_to_shipment_duration);
    head(&mut out, "fulfillment_success_rate", "gauge", "Share of finished fulfillments that were packed or shipped.");
    let _ = writeln!(
        out,
        "fulfillment_success_rate {}",
        ratio(domain.fulfillments_succeeded, domain.fulfillments_finished)
    );
    head(&mut out, "tote_outbox_depth", "gauge", "Outbox events the slowest webhook subscriber has not had delivered.");
    let _ = writeln!(out, "tote_outbox_depth {}", domain.outbox_pending);
    if let Ok(sizes) = state.services.store().read(|tx| tx.table_sizes()) {
        head(&mut out, "tote_table_rows", "gauge", "Rows in the tables that grow with use (retention trims them).");
        for (table, n) in sizes {
            let _ = writeln!(out, "tote_table_rows{{table=\"{table}\"}} {n}");
        }
    }
    if let Ok(r) = state.services.store().read(|tx| tx.relay_stats()) {
        head(&mut out, "tote_webhook_deliveries", "gauge", "Webhook deliveries by status.");
        for (status, n) in [("pending", r.pending), ("delivered", r.delivered), ("dead", r.dead)] {
            let _ = writeln!(out, "tote_webhook_deliveries{{status=\"{status}\"}} {n}");
        }
        head(&mut out, "tote_webhook_oldest_pending_seconds", "gauge", "Age of the oldest undelivered event.");
        let age = r.oldest_pending.map_or(0, |t| (state.services.now() - t).num_seconds().max(0));
        let _ = writeln!(out, "tote_webhook_oldest_pending_seconds {age}");
    }
    let now = state.services.now();
    let stats = state
        .services
        .store()
        .read(|tx| Ok::<_, crate::storage::StorageError>((tx.workflow_counts()?, tx.due_activity_stats(now)?)));
    if let Ok((counts, (due, first))) = stats {
        head(&mut out, "tote_workflows", "gauge", "Workflows by kind and status.");
        for (kind, status, n) in counts {
            let _ = writeln!(out, "tote_workflows{{kind=\"{kind}\",status=\"{status}\"}} {n}");
        }
        head(&mut out, "tote_activities_due", "gauge", "Queued workflow activities due now (waiting for a worker).");
        let _ = writeln!(out, "tote_activities_due {due}");
        head(
            &mut out,
            "tote_activity_oldest_due_seconds",
            "gauge",
            "How long the longest-waiting due activity has waited.",
        );
        let age = first.map_or(0, |t| (now - t).num_seconds().max(0));
        let _ = writeln!(out, "tote_activity_oldest_due_seconds {age}");
    }
    if let Ok(alerts) = state.services.alerts(&state.config.alerts) {
        head(&mut out, "tote_alerts", "gauge", "Stuck-work alerts firing, by rule (seed 001 §12.3).");
        for rule in crate::domain::alerts::Rule::ALL {
            let n = alerts.iter().filter(|a| a.rule == rule).count();
            let _ = writeln!(out, "tote_alerts{{rule=\"{}\"}} {n}", rule.as_str());
        }
    }
    head(&mut out, "tote_tasks", "gauge", "Tasks by queue, status and priority.");
    for (queue, status, rank, n) in &domain.queue_depth {
        let priority = crate::domain::order::Priority::from_rank(*rank).map_or("unknown", |p| p.as_str());
        let _ = writeln!(out, "tote_tasks{{queue=\"{queue}\",status=\"{status}\",priority=\"{priority}\"}} {n}");
    }
    out
}

/// A label value as the text format wants it: `\`, `"` and newlines escaped.
fn label(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invented_methods_share_one_label() {
        let m = |s: &str| axum::http::Method::from_bytes(s.as_bytes()).map(|m| method_label(&m)).ok();
        assert_eq!(m("GET"), Some("GET"));
        assert_eq!(m("PATCH"), Some("PATCH"));
        assert_eq!(m("FROB"), Some("other"));
        assert_eq!(m("XYZZY1"), Some("other"));
    }
}
