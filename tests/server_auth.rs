//! Login, lockout, token expiry and revocation, disabled workers, revoked
//! API keys, and acting for another worker.

mod common;

use common::server::{PIN, TestServer};
use common::{Fixture, accepted, order};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_pins_lock_the_badge_and_the_lock_expires() {
    let f = Fixture::new();
    let s = TestServer::start(&f).await;
    s.tokens(&f).await;
    let (st, err) = s.login("NOBODY", PIN).await;
    assert_eq!((st, err["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("E402")));
    for i in 1..5 {
        let (st, err) = s.login("B-100", "0000").await;
        assert_eq!(st, StatusCode::UNAUTHORIZED, "attempt {i}: {err}");
        assert_eq!(err["message"], "not authenticated: unknown badge or wrong PIN", "same answer as an unknown badge");
    }
    let (st, err) = s.login("B-100", "0000").await;
    assert_eq!((st, err["code"].as_str()), (StatusCode::FORBIDDEN, Some("E405")), "fifth wrong PIN locks: {err}");
    let (st, _) = s.login("B-100", PIN).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "the right PIN does not open a locked badge");
    f.clock.advance(chrono::Duration::minutes(16));
    let (st, body) = s.login("B-100", PIN).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(body["role"], "picker");
    let (st, err) = s.login("B-100", "").await;
    assert_eq!((st, err["field"].as_str()), (StatusCode::BAD_REQUEST, Some("pin")));
    s.stop().await;
}

/// Whether a badge exists cannot be read from the answers: a real badge
/// and an invented one get the same statuses and codes, attempt by
/// attempt, lockout included; and attempts are limited per badge.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_badge_answers_like_a_real_one_and_attempts_are_limited() {
    let f = Fixture::new();
    let config = tote::server::ServerConfig { login_attempts_per_minute: 8, ..Default::default() };
    let s = TestServer::start_with(&f, config).await;
    s.tokens(&f).await;
    let mut answers = Vec::new();
    for badge in ["B-100", "NOBODY"] {
        let mut seen = Vec::new();
        for _ in 0..7 {
            let (st, err) = s.login(badge, "0000").await;
            seen.push((st, err["code"].as_str().map(str::to_owned), err["kind"].as_str().map(str::to_owned)));
        }
        answers.push(seen);
    }
    assert_eq!(answers[0], answers[1], "real vs missing badge");
    assert_eq!(answers[0][5].1.as_deref(), Some("E405"), "locked after five: {:?}", answers[0]);
    // Eight tries a minute per badge: the ninth is throttled before any PIN check.
    s.login("NOBODY", "0000").await;
    let (st, err) = s.login("NOBODY", "0000").await;
    assert_eq!(
        (st, err["code"].as_str(), err["kind"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("E407"), Some("unavailable"))
    );
    f.clock.advance(chrono::Duration::minutes(16));
    assert_eq!(s.login("B-100", PIN).await.0, StatusCode::OK, "a new minute and an expired lock");
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_expire_and_can_be_revoked() {
    let f = Fixture::new();
    let s = TestServer::start(&f).await;
    let t = s.tokens(&f).await;
    let (st, me) = s.get("/api/v1/me", &t.picker).await;
    assert_eq!((st, me["role"].as_str()), (StatusCode::OK, Some("picker")));
    let (st, me) = s.get("/api/v1/me", &t.integration).await;
    assert_eq!((st, me["kind"].as_str()), (StatusCode::OK, Some("integration")));

    // Logout ends that token only.
    let (st, _) = s.call("POST", "/api/v1/auth/logout", Some(&t.packer), None).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    assert_eq!(s.get("/api/v1/me", &t.packer).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(s.get("/api/v1/me", &t.picker).await.0, StatusCode::OK);

    // Disabling a worker ends their sessions and stops new logins.
    let now = f.svc.now();
    f.svc.store().write(|tx| tx.set_worker_active("B-100", false, now)).expect("disable");
    assert_eq!(s.get("/api/v1/me", &t.picker).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(s.login("B-100", PIN).await.0, StatusCode::UNAUTHORIZED);

    // A revoked API key stops at once.
    f.svc.store().write(|tx| tx.revoke_api_key("shop", now)).expect("revoke");
    assert_eq!(s.get("/api/v1/me", &t.integration).await.0, StatusCode::UNAUTHORIZED);

    // Tokens live 12 hours by default.
    assert_eq!(s.get("/api/v1/me", &t.supervisor).await.0, StatusCode::OK);
    f.clock.advance(chrono::Duration::hours(12) + chrono::Duration::seconds(1));
    let (st, err) = s.get("/api/v1/me", &t.supervisor).await;
    assert_eq!((st, err["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("E402")));
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_picker_acts_only_as_itself() {
    let f = Fixture::new();
    let s = TestServer::start(&f).await;
    let t = s.tokens(&f).await;
    let (_, tasks) = accepted(&f.ok(order("o-1", &[("SKU-B", 1, "W2")])));
    let task = tasks[0].1;
    // Claiming for somebody else is a supervisor's right.
    let (st, _) = s.post("/api/v1/tasks/claim", &t.picker, json!({"op_id": "c-1", "worker_id": t.supervisor_id})).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, out) = s
        .post("/api/v1/tasks/claim", &t.supervisor, json!({"op_id": "c-2", "queue": "picking", "worker_id": f.picker}))
        .await;
    assert_eq!((st, out["task_id"].as_i64()), (StatusCode::OK, Some(task)), "{out}");
    // The task is the picker's: the admin (as a worker) may not start it as itself...
    let (st, err) = s.post(&format!("/api/v1/picking-tasks/{task}/start"), &t.admin, json!({"op_id": "s-1"})).await;
    assert_eq!((st, err["code"].as_str()), (StatusCode::FORBIDDEN, Some("E106")), "{err}");
    // ...but the picker may.
    let (st, _) = s.post(&format!("/api/v1/picking-tasks/{task}/start"), &t.picker, json!({"op_id": "s-2"})).await;
    assert_eq!(st, StatusCode::OK);
    s.stop().await;
}

/// A packer cannot take picking work nor a picker packing work (the task
/// would be stranded with someone who cannot work it); nothing is assigned.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claims_take_only_the_callers_own_kind_of_work() {
    let f = Fixture::new();
    f.ok(order("role-1", &[("SKU-A", 1, "W1")]));
    let s = TestServer::start(&f).await;
    let t = s.tokens(&f).await;
    for (token, queue) in [(&t.packer, "picking"), (&t.picker, "packing")] {
        let (st, err) =
            s.post("/api/v1/tasks/claim", token, json!({"op_id": format!("c-{queue}"), "queue": queue})).await;
        assert_eq!((st, err["code"].as_str()), (StatusCode::FORBIDDEN, Some("E403")), "{queue}: {err}");
    }
    let task = f.svc.picking_task_view(1).expect("task");
    assert_eq!((task.status.as_str(), task.worker_id), ("pending", None));
    let (st, claimed) = s.post("/api/v1/tasks/claim", &t.picker, json!({"op_id": "c-ok", "queue": "picking"})).await;
    assert_eq!((st, claimed["task_id"].as_i64()), (StatusCode::OK, Some(1)), "{claimed}");
    s.stop().await;
}

/// An open event stream ends when its session is revoked (logout, or the
/// worker disabled); a malformed `Last-Event-ID` and an unknown status
/// filter are refused naming the field.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn event_streams_end_with_their_session_and_bad_filters_name_the_field() {
    let f = Fixture::new();
    let s = TestServer::start(&f).await;
    let t = s.tokens(&f).await;
    let mut stream =
        s.http.get(s.url("/api/v1/events?after=-1&follow=true")).bearer_auth(&t.picker).send().await.expect("stream");
    assert_eq!(stream.status(), StatusCode::OK);
    let (st, _) = s.call("POST", "/api/v1/auth/logout", Some(&t.picker), None).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let ended = tokio::time::timeout(std::time::Duration::from_secs(20), async {
        while let Ok(Some(_)) = stream.chunk().await {}
    })
    .await;
    assert!(ended.is_ok(), "the stream stayed open after logout");

    let bad = s
        .http
        .get(s.url("/api/v1/events?follow=false"))
        .bearer_auth(&t.supervisor)
        .header("Last-Event-ID", "yesterday")
        .send()
        .await
        .expect("events");
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = bad.json().await.expect("json");
    assert_eq!(body["field"], "Last-Event-ID");
    for path in ["/api/v1/orders?status=nope", "/api/v1/picking-tasks?status=nope", "/api/v1/packing-tasks?status=nope"]
    {
        let (st, err) = s.get(path, &t.supervisor).await;
        assert_eq!((st, err["field"].as_str()), (StatusCode::BAD_REQUEST, Some("status")), "{path}: {err}");
    }
    let (st, list) = s.get("/api/v1/picking-tasks?status=pending", &t.supervisor).await;
    assert!(st == StatusCode::OK && list.is_array(), "{list}");
    s.stop().await;
}
