//! The load generator of `tote bench api` and what it measures besides
//! rates: each lane is one kept-alive HTTP/1.1 connection that sends the
//! next scan as soon as the last is answered. A lane is one task that
//! writes its request and reads the answer on its own socket (httparse
//! reads the head; the body is sized by `Content-Length`): no connection
//! task, no pool, no channel between them. The generator and the server
//! run on runtimes of their own, so the CPU each side spends per op can be
//! read from its threads.
//!
//! The generator shares the server's 2 cores, while a floor's handhelds are
//! other machines: the lighter it is, the closer the rates come to what the
//! server can do. The ceiling row uses the same generator, so the ratio
//! between the rows stays honest.

use anyhow::{Context, Result, bail};
use std::io::Write as _;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The body of `POST …/pick` the bench sends.
#[derive(serde::Serialize)]
struct Pick {
    op_id: String,
    location: &'static str,
    item: &'static str,
    quantity: u32,
}

/// One lane's results: the latency of each acknowledged op, and the
/// number of failed ones.
pub(super) struct Driven {
    pub latencies: Vec<Duration>,
    pub errors: usize,
}

/// Sends scans on one connection until `deadline`. `no_op` sends the same
/// request (body, token) as a GET to a route that does nothing with it.
pub(super) async fn drive(url: &str, token: &str, deadline: Instant, no_op: bool) -> Result<Driven> {
    let uri: axum::http::Uri = url.parse().context("lane URL")?;
    let authority = uri.authority().context("lane URL has no host")?.as_str().to_owned();
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    let mut stream = tokio::net::TcpStream::connect(authority.as_str()).await?;
    stream.set_nodelay(true)?;
    let method = if no_op { "GET" } else { "POST" };
    let head = format!(
        "{method} {path} HTTP/1.1\r\nhost: {authority}\r\nauthorization: Bearer {token}\r\n\
         content-type: application/json\r\ncontent-length: "
    );
    let (mut request, mut answer) = (Vec::with_capacity(512), Vec::with_capacity(1024));
    let mut out = Driven { latencies: Vec::new(), errors: 0 };
    while Instant::now() < deadline {
        // Op ids as a handheld makes them (UUIDv7, in time order). Per-client
        // counters (`bench-3-17`) put each op's index entry on another page:
        // ~20% fewer ops/s than the floor's own ids (issue 14's measurement).
        let body = Pick {
            op_id: tote::app::new_op_id(),
            location: super::bench::LOCATION,
            item: super::bench::SKU,
            quantity: 1,
        };
        let body = serde_json::to_vec(&body)?;
        request.clear();
        request.extend_from_slice(head.as_bytes());
        write!(request, "{}\r\n\r\n", body.len())?;
        request.extend_from_slice(&body);
        let t = Instant::now();
        stream.write_all(&request).await?;
        if (200..300).contains(&read_answer(&mut stream, &mut answer).await?) {
            out.latencies.push(t.elapsed());
        } else {
            out.errors += 1;
        }
    }
    Ok(out)
}

/// Reads one whole answer (head and `Content-Length` body) into `buf` and
/// returns its status code, leaving the connection ready for the next.
async fn read_answer(stream: &mut tokio::net::TcpStream, buf: &mut Vec<u8>) -> Result<u16> {
    buf.clear();
    loop {
        let mut headers = [httparse::EMPTY_HEADER; 32];
        let mut head = httparse::Response::new(&mut headers);
        if let httparse::Status::Complete(head_len) = head.parse(buf)? {
            let code = head.code.context("answer without a status")?;
            let length = head
                .headers
                .iter()
                .find(|h| h.name.eq_ignore_ascii_case("content-length"))
                .and_then(|h| std::str::from_utf8(h.value).ok()?.trim().parse::<usize>().ok())
                .context("answer without a Content-Length (the generator reads no chunked bodies)")?;
            let whole = head_len + length;
            while buf.len() < whole {
                if stream.read_buf(buf).await? == 0 {
                    bail!("the server closed the connection inside an answer");
                }
            }
            if buf.len() > whole {
                bail!("the server sent more than one answer");
            }
            return Ok(code);
        }
        if stream.read_buf(buf).await? == 0 {
            bail!("the server closed the connection");
        }
    }
}

/// CPU time (user + system) of this process's threads, by the prefix of
/// their name, from `/proc/self/task` (Linux; elsewhere zero).
pub(super) fn cpu_by_thread(prefixes: &[&str]) -> Vec<Duration> {
    let mut out = vec![Duration::ZERO; prefixes.len()];
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else { return out };
    for task in tasks.flatten() {
        let Ok(stat) = std::fs::read_to_string(task.path().join("stat")) else { continue };
        let Some((name, cpu)) = thread_stat(&stat) else { continue };
        if let Some(i) = prefixes.iter().position(|p| name.starts_with(p)) {
            out[i] += cpu;
        }
    }
    out
}

/// The calling thread's CPU time so far (Linux; elsewhere zero).
pub(super) fn this_thread_cpu() -> Duration {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
    thread_stat(&stat).map_or(Duration::ZERO, |(_, d)| d)
}

/// A thread's name and CPU time from its `stat` line: `pid (comm) state
/// ...`, where the name may hold spaces, so it is split at the last
/// parenthesis; utime and stime are fields 14 and 15, in clock ticks of
/// 10 ms (100 per second on every Linux this runs on).
fn thread_stat(stat: &str) -> Option<(&str, Duration)> {
    let (open, close) = (stat.find('(')?, stat.rfind(')')?);
    let fields: Vec<&str> = stat.get(close + 1..)?.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<u32>().ok()).unwrap_or(0);
    Some((stat.get(open + 1..close)?, Duration::from_millis(10) * (ticks(11) + ticks(12))))
}
