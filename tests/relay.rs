//! The outbox relay against real local HTTP receivers: signatures verify
//! (checked here with the hmac crate, not with tote's own code), a
//! receiver that fails 3 times still gets every event exactly once after
//! it recovers (it deduplicates by event id, and a replay changes nothing),
//! a dead receiver ends in the dead-letter state; and the committed outbox
//! as Server-Sent Events, from a cursor, live, and ending when the server
//! stops.

mod common;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use common::server::TestServer;
use common::{Fixture, order};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tote::app::command::Command;

const SECRET: &str = "a-receiver-secret-of-32-characters";

#[derive(Default)]
struct Receiver {
    requests: usize,
    failures_left: usize,
    bad_signatures: usize,
    /// Accepted events by id (the receiver's own dedup).
    accepted: BTreeMap<i64, String>,
    duplicates: usize,
}

fn verify(headers: &HeaderMap, body: &str) -> bool {
    let get = |k: &str| headers.get(k).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).expect("key");
    mac.update(format!("{}.{body}", get("x-tote-timestamp")).as_bytes());
    let want: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    get("x-tote-signature") == format!("sha256={want}")
}

async fn hook(State(r): State<Arc<Mutex<Receiver>>>, headers: HeaderMap, body: String) -> StatusCode {
    let mut r = r.lock().expect("receiver");
    r.requests += 1;
    if !verify(&headers, &body) {
        r.bad_signatures += 1;
        return StatusCode::UNAUTHORIZED;
    }
    if r.failures_left > 0 {
        r.failures_left -= 1;
        return StatusCode::INTERNAL_SERVER_ERROR;
    }
    let id: i64 =
        headers.get("x-tote-event-id").and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok()).unwrap_or(-1);
    let body: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
    assert_eq!(body["id"], id, "the body names the same event");
    if r.accepted.insert(id, body["type"].as_str().unwrap_or_default().to_owned()).is_some() {
        r.duplicates += 1;
    }
    StatusCode::NO_CONTENT
}

async fn receiver(failures: usize) -> (String, Arc<Mutex<Receiver>>) {
    let state = Arc::new(Mutex::new(Receiver { failures_left: failures, ..Receiver::default() }));
    let app = Router::new().route("/hook", post(hook)).with_state(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, state)
}

fn event_ids(f: &Fixture) -> Vec<i64> {
    f.svc.store().read(|tx| tx.events_after(0, 10_000)).expect("events").into_iter().map(|e| e.id).collect()
}

/// Polls `ok`, moving the fixture's frozen clock on a second each time so
/// the relay's backoff comes due.
async fn until(f: &Fixture, what: &str, mut ok: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ok() {
        assert!(start.elapsed() < Duration::from_secs(20), "waited 20 s for {what}");
        f.clock.advance(chrono::Duration::seconds(1));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_receiver_gets_each_event_once_after_it_recovers() {
    let f = Fixture::new();
    let (url, rx) = receiver(3).await;
    let now = f.svc.now();
    let endpoint = f.svc.store().write(|tx| tx.add_endpoint("shop", &url, SECRET, "*", 8, now)).expect("endpoint");
    let server = TestServer::start(&f).await;
    f.ok(order("relay-1", &[("SKU-A", 2, "W1")]));
    let ids = event_ids(&f);
    assert!(ids.len() > 5, "stock placements and the intake made events: {ids:?}");
    until(&f, "every event delivered", || rx.lock().expect("rx").accepted.len() == ids.len()).await;
    // The relay records a delivery once the receiver's answer is in.
    let settled = || f.svc.store().read(|tx| tx.relay_stats()).map(|s| s.delivered as usize == ids.len());
    until(&f, "the deliveries recorded", || settled().unwrap_or(false)).await;
    let stats = f.svc.store().read(|tx| tx.relay_stats()).expect("stats");
    assert_eq!((stats.pending, stats.dead, stats.delivered as usize), (0, 0, ids.len()));
    {
        let r = rx.lock().expect("rx");
        assert_eq!(r.accepted.keys().copied().collect::<Vec<_>>(), ids, "each committed event, none other");
        assert_eq!((r.bad_signatures, r.duplicates, r.failures_left), (0, 0, 0));
        assert_eq!(r.requests, ids.len() + 3, "the three failures were retried, nothing else sent twice");
    }
    // A replay sends everything again; the receiver's dedup keeps one of each.
    let replayed = f.svc.store().write(|tx| tx.replay(endpoint, 0, now)).expect("replay");
    assert_eq!(replayed, ids.len());
    until(&f, "the replay delivered", || rx.lock().expect("rx").duplicates == ids.len()).await;
    assert_eq!(rx.lock().expect("rx").accepted.len(), ids.len());
    // A rejected op commits no event, so the relay has nothing more to send.
    let before = event_ids(&f).len();
    assert_eq!(f.code(Command::CancelPicking { task_id: 999, reason: "none".into() }), "E002");
    assert_eq!(event_ids(&f).len(), before);
    let metrics = server.http.get(server.url("/metrics")).send().await.expect("metrics").text().await.expect("text");
    assert!(metrics.contains("tote_webhook_deliveries{status=\"dead\"} 0"), "{metrics}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_receiver_ends_in_the_dead_letter_state() {
    let f = Fixture::new();
    // Nothing listens there.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/hook", closed.local_addr().expect("addr"));
    drop(closed);
    let now = f.svc.now();
    let endpoint = f.svc.store().write(|tx| tx.add_endpoint("gone", &url, SECRET, "*", 2, now)).expect("endpoint");
    let server = TestServer::start(&f).await;
    let ids = event_ids(&f);
    until(&f, "every delivery dead", || {
        f.svc.store().read(|tx| tx.relay_stats()).map(|s| s.dead as usize == ids.len()).unwrap_or(false)
    })
    .await;
    let (status, attempts, error) =
        f.svc.store().read(|tx| tx.delivery(endpoint, ids[0])).expect("read").expect("a delivery");
    assert_eq!((status.as_str(), attempts), ("dead", 2));
    assert!(error.is_some_and(|e| !e.is_empty()));
    // The board shows them; a supervisor's retry makes them pending again.
    let t = server.tokens(&f).await;
    let (_, board) = server.get("/api/v1/board", &t.supervisor).await;
    assert_eq!(board["webhooks"]["dead"].as_u64(), Some(ids.len() as u64), "{board}");
    let (st, _) = server.post("/api/v1/webhooks/retry-dead", &t.picker, serde_json::json!({})).await;
    assert_eq!(st, reqwest::StatusCode::FORBIDDEN);
    server.stop().await;
    let (st, v) = {
        let s = TestServer::start(&f).await;
        let t2 = s.login("B-300", common::server::PIN).await.1["token"].as_str().expect("token").to_owned();
        let r = s.post("/api/v1/webhooks/retry-dead", &t2, serde_json::json!({})).await;
        s.stop().await;
        r
    };
    assert_eq!((st, v["retried"].as_u64()), (reqwest::StatusCode::OK, Some(ids.len() as u64)));
    let stats = f.svc.store().read(|tx| tx.relay_stats()).expect("stats");
    assert_eq!(stats.dead, 0, "{stats:?}");
}

/// `(id, event type)` of each event in an SSE text.
fn parse_sse(text: &str) -> Vec<(i64, String)> {
    let mut out = Vec::new();
    let (mut id, mut kind) = (None, None);
    for line in text.lines() {
        if let Some(v) = line.strip_prefix("id:") {
            id = v.trim().parse().ok();
        } else if let Some(v) = line.strip_prefix("event:") {
            kind = Some(v.trim().to_owned());
        } else if line.is_empty()
            && let (Some(i), Some(k)) = (id.take(), kind.take())
        {
            out.push((i, k));
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_outbox_as_server_sent_events() {
    let f = Fixture::new();
    let server = TestServer::start(&f).await;
    let tokens = server.tokens(&f).await;
    f.ok(order("sse-1", &[("SKU-A", 1, "W1")]));
    let ids = event_ids(&f);
    // Catch-up from a cursor, then the end.
    let from = ids[2];
    let text = server
        .http
        .get(server.url(&format!("/api/v1/events?after={from}&follow=false")))
        .bearer_auth(&tokens.picker)
        .send()
        .await
        .expect("events")
        .text()
        .await
        .expect("text");
    let got: Vec<i64> = parse_sse(&text).into_iter().map(|(i, _)| i).collect();
    assert_eq!(got, ids.iter().copied().filter(|i| *i > from).collect::<Vec<_>>(), "{text}");
    // Live: a stream from the newest id gets the next committed event.
    let newest = *ids.last().expect("events");
    let mut live = server
        .http
        .get(server.url("/api/v1/events"))
        .header("last-event-id", newest.to_string())
        .bearer_auth(&tokens.supervisor)
        .send()
        .await
        .expect("stream");
    assert_eq!(live.headers()["content-type"], "text/event-stream");
    f.ok(Command::CancelPicking { task_id: 1, reason: "recount".into() });
    let mut seen = String::new();
    let start = Instant::now();
    while !parse_sse(&seen).iter().any(|(i, _)| *i > newest) {
        assert!(start.elapsed() < Duration::from_secs(20), "no live event: {seen}");
        match tokio::time::timeout(Duration::from_secs(5), live.chunk()).await {
            Ok(Ok(Some(bytes))) => seen.push_str(&String::from_utf8_lossy(&bytes)),
            other => panic!("stream ended early: {other:?}"),
        }
    }
    let events = parse_sse(&seen);
    assert_eq!(events[0].0, newest + 1, "nothing missed, nothing repeated");
    assert!(events.iter().any(|(_, k)| k == "picking.cancelled"), "{events:?}");
    // Stopping the server ends open streams (the graceful stop is not held).
    tokio::time::timeout(Duration::from_secs(20), server.stop()).await.expect("the server stopped with a stream open");
}
