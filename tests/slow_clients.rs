//! `tote serve` against clients that never finish: a connection that does
//! not complete its headers is closed after the header-read timeout, and
//! SIGTERM ends the process within the grace period whatever a client is
//! doing (here: a body that never arrives, under a long request timeout).

mod common;

use common::process::{serve_with, tote};
use std::process::Command;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Generous bounds for a shared CI machine; the settings are 1 s and 2 s.
const CLOSE_BOUND: Duration = Duration::from_secs(15);

type Served = (std::process::Child, String, std::thread::JoinHandle<String>);

fn start(dir: &tempfile::TempDir) -> Served {
    start_with(dir, "request_timeout_secs = 600")
}

/// `tote serve` with a 1 s header-read timeout, a 2 s grace and `extra`.
fn start_with(dir: &tempfile::TempDir, extra: &str) -> Served {
    let db = dir.path().join("slow.db");
    tote(&db, &["init", "--warehouse", "W1=Main"]);
    let config = dir.path().join("tote.toml");
    let text = format!("[server]\nheader_read_timeout_secs = 1\nshutdown_grace_secs = 2\n{extra}\n");
    std::fs::write(&config, text).expect("config");
    let config = config.to_string_lossy().into_owned();
    serve_with(&db, &["--config", &config])
}

/// Reads until the server closes the connection; false if it stays open.
async fn closed_by_server(s: &mut TcpStream, bound: Duration) -> bool {
    let mut buf = [0u8; 1024];
    let deadline = Instant::now() + bound;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, s.read(&mut buf)).await {
            Ok(Ok(0) | Err(_)) => return true,
            Ok(Ok(_)) => continue,
            Err(_) => return false,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headers_that_never_finish_are_cut_off() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut child, base, _log) = start(&dir);
    let addr = base.trim_start_matches("http://").to_owned();
    let mut slow = Vec::new();
    for _ in 0..50 {
        let mut s = TcpStream::connect(&addr).await.expect("connect");
        s.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n").await.expect("partial headers");
        slow.push(s);
    }
    for (n, s) in slow.iter_mut().enumerate() {
        assert!(closed_by_server(s, CLOSE_BOUND).await, "connection {n} still open");
    }
    // The server still answers others.
    let ok = reqwest::get(format!("{base}/health")).await.expect("health");
    assert!(ok.status().is_success());
    child.kill().expect("kill");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_ends_the_server_within_its_grace_whatever_clients_do() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut child, base, _log) = start(&dir);
    let addr = base.trim_start_matches("http://").to_owned();
    // A request whose body never comes (the request timeout is 600 s).
    let mut hung = TcpStream::connect(&addr).await.expect("connect");
    let head = "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"badge\"";
    hung.write_all(head.as_bytes()).await.expect("send");
    // And one with half its headers.
    let mut half = TcpStream::connect(&addr).await.expect("connect");
    half.write_all(b"GET /health HTTP/1.1\r\n").await.expect("send");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let pid = child.id();
    let killed = Command::new("sh").args(["-c", &format!("kill -TERM {pid}")]).status().expect("kill -TERM");
    assert!(killed.success());
    let deadline = Instant::now() + CLOSE_BOUND;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break Some(status);
        }
        if Instant::now() > deadline {
            break None;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let Some(status) = status else {
        child.kill().expect("kill");
        panic!("tote serve still running {CLOSE_BOUND:?} after SIGTERM");
    };
    assert!(status.success(), "{status:?}");
    drop((hung, half));
}

/// A body that stops coming is answered 408 with the JSON error body once
/// the request timeout passes, and the server goes on answering.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_stops_coming_gets_a_json_408() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut child, base, _log) = start_with(&dir, "request_timeout_secs = 1");
    let addr = base.trim_start_matches("http://").to_owned();
    let head = "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"badge\"";
    // The body never comes, so the server closes the connection after its answer.
    let answer = raw_answer(&addr, head.as_bytes()).await;
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    assert!(head.starts_with("HTTP/1.1 408 "), "{head}");
    let e: serde_json::Value = serde_json::from_str(body).unwrap_or_else(|_| panic!("JSON body: {body:?}"));
    assert_eq!(e["code"].as_str(), Some("E408"), "{body}");
    let ok = reqwest::get(format!("{base}/health")).await.expect("health");
    assert!(ok.status().is_success());
    child.kill().expect("kill");
}

/// Sends `raw` on a fresh connection and reads the answer to the end.
async fn raw_answer(addr: &str, raw: &[u8]) -> String {
    let mut s = TcpStream::connect(addr).await.expect("connect");
    s.write_all(raw).await.expect("write");
    let mut out = Vec::new();
    let _ = tokio::time::timeout(CLOSE_BOUND, s.read_to_end(&mut out)).await;
    String::from_utf8_lossy(&out).into_owned()
}

/// Requests the HTTP layer cannot read (before any handler) still get the
/// JSON error body, with hyper's status, and the server goes on answering.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_that_cannot_be_parsed_get_a_json_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut child, base, _log) = start(&dir);
    let addr = base.trim_start_matches("http://").to_owned();
    // Headers past hyper's limit that never end: however much of them one
    // read takes in (its buffer may grow past the limit on a busy machine),
    // they can never parse as a whole request.
    let big = [b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ".as_slice(), &[b'a'; 500_000]].concat();
    let cases: [(&[u8], &str); 3] = [
        (b"GARBAGE\r\n\r\n", "HTTP/1.1 400 "),
        (b"GET /health HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n", "HTTP/1.1 400 "),
        (&big, "HTTP/1.1 431 "),
    ];
    for (raw, status) in cases {
        let answer = raw_answer(&addr, raw).await;
        let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
        assert!(head.starts_with(status), "{head}");
        assert!(head.to_ascii_lowercase().contains("content-type: application/json"), "{head}");
        let e: serde_json::Value = serde_json::from_str(body).unwrap_or_else(|_| panic!("JSON body: {body:?}"));
        assert_eq!((e["code"].as_str(), e["kind"].as_str()), (Some("E400"), Some("validation")), "{body}");
    }
    let ok = reqwest::get(format!("{base}/health")).await.expect("health");
    assert!(ok.status().is_success());
    child.kill().expect("kill");
}
