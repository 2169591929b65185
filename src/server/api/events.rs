//! `GET /api/v1/events?after=CURSOR`: the committed outbox as a
//! Server-Sent Events stream, for boards and clients. Each event's SSE `id`
//! is its outbox id: a client that reconnects with `Last-Event-ID` (or
//! `after`) misses nothing and gets nothing twice. `follow=false` sends what
//! is there and ends (catch-up).

use crate::relay;
use crate::server::AppState;
use crate::server::error::{ApiError, ErrorBody};
use crate::server::extract::Params;
use crate::storage::outbox::OutboxRow;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use serde::Deserialize;
use std::collections::VecDeque;
use std::convert::Infallible;
use std::time::{Duration, Instant};
use utoipa::IntoParams;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventsQuery {
    /// Only events with a larger id (the last id you saw). Defaults to the
    /// `Last-Event-ID` header, else 0 (from the beginning); a negative value
    /// means "from now": only events committed after the request.
    pub after: Option<i64>,
    /// `false`: send the events there are now and end. Default: keep
    /// the stream open and send new events as they commit.
    pub follow: Option<bool>,
}

struct Cursor {
    st: AppState,
    after: i64,
    follow: bool,
    buf: VecDeque<OutboxRow>,
    /// The request's credentials, checked again while the stream is open:
    /// a revoked session or a disabled worker ends it.
    headers: HeaderMap,
    checked: Instant,
    commits: tokio::sync::watch::Receiver<u64>,
}

/// How often an open stream checks that its caller may still read it.
const RECHECK: Duration = Duration::from_secs(2);

fn sse(e: &OutboxRow) -> Event {
    Event::default().id(e.id.to_string()).event(e.event_type.clone()).data(relay::body(e))
}

#[utoipa::path(get, path = "/api/v1/events", tag = "events", security(("bearer" = [])),
    params(EventsQuery, ("Last-Event-ID" = Option<i64>, Header, description = "The SSE reconnection header: where to resume when `after` is not given.")),
    responses((status = 200, content_type = "text/event-stream", body = String,
        description = "A Server-Sent Events stream (not JSON): per committed outbox event one SSE event with \
            `id:` its outbox id, `event:` its type (e.g. `picking.completed`) and `data:` the JSON body webhooks \
            get; comment lines keep the connection alive. It stays open unless `follow=false`."),
        (status = 400, body = ErrorBody)))]
pub async fn event_stream(
    State(st): State<AppState>,
    headers: HeaderMap,
    Params(q): Params<EventsQuery>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let last = match headers.get("last-event-id") {
        None => None,
        Some(v) => Some(
            v.to_str()
                .ok()
                .and_then(|v| v.trim().parse::<i64>().ok())
                .ok_or_else(|| ApiError::invalid("Last-Event-ID", "must be an event id (an integer)"))?,
        ),
    };
    let after = match q.after.or(last) {
        Some(a) if a < 0 => st.read(|s| s.query(|tx| Ok(tx.outbox_newest()?))).await?,
        a => a.unwrap_or(0),
    };
    let follow = q.follow.unwrap_or(true);
    let commits = st.writer.commits();
    let cursor = Cursor { st, after, follow, buf: VecDeque::new(), headers, checked: Instant::now(), commits };
    let stream = futures_util::stream::unfold(cursor, |mut c| async move {
        loop {
            if let Some(e) = c.buf.pop_front() {
                let item = sse(&e);
                return Some((Ok(item), c));
            }
            if *c.st.stopping.borrow() {
                return None;
            }
            if c.checked.elapsed() >= RECHECK {
                let (st, headers) = (c.st.clone(), c.headers.clone());
                let still = tokio::task::spawn_blocking(move || crate::server::auth::resolve(&st, &headers).is_ok());
                if !still.await.unwrap_or(false) {
                    return None;
                }
                c.checked = Instant::now();
            }
            let after = c.after;
            // Marked before reading: a commit after the read wakes the wait.
            c.commits.borrow_and_update();
            let rows = c.st.read(move |s| s.query(|tx| Ok(tx.events_after(after, 200)?)));
            match rows.await {
                Ok(rows) if !rows.is_empty() => {
                    c.after = rows.last().map_or(after, |r| r.id);
                    c.buf.extend(rows);
                }
                _ if !c.follow => return None,
                _ => {
                    // Woken by the next commit; the deadline covers writes
                    // by another process and the session check.
                    let mut stop = c.st.stopping.clone();
                    tokio::select! {
                        _ = tokio::time::sleep(RECHECK) => {}
                        _ = c.commits.changed() => tokio::time::sleep(crate::server::writer::COALESCE).await,
                        _ = stop.changed() => {}
                    }
                }
            }
        }
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}
