//! The HTTP calls behind [`Call`]: one request each, with the session's
//! token and a fresh op id per call. A call refused at once (nobody
//! listening) is retried a few times with the same op id, so it applies at
//! most once; a call that timed out is not: in a Wi-Fi dead spot (packets
//! unanswered) each try would cost the whole timeout, so the device goes
//! offline after one. An answer from the server is final.

use super::{Call, Failure, Reply};
use crate::app::command::{Outcome, QueueDto};
use crate::app::floor_op::FloorOp;
use crate::app::floor_op::Verdict;
use crate::app::new_op_id;
use crate::contract::requests::{BatchClaimBody, ClaimBody, DeviceHead, DispatchBody, LoginRequest, PutBackBody};
use crate::domain::Timestamp;
use crate::server::error::ErrorBody;
use crate::server::{OpResult, OpsResponse};
use reqwest::Method;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::time::Duration;

/// Attempts of a call refused at once.
const ATTEMPTS: u32 = 3;

/// How long a connection may take to open: on a LAN it takes milliseconds,
/// so a dead spot shows within this.
const CONNECT: Duration = Duration::from_millis(1500);

#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    device: String,
}

struct Request {
    method: Method,
    path: String,
    /// JSON text, written from a contract type (queued ops are sent as the
    /// device stored them, not decoded and encoded again).
    body: Option<String>,
}

fn post(path: String, body: &impl Serialize) -> Result<Request, Failure> {
    let text = serde_json::to_string(body).map_err(|e| Failure::local(e.to_string()))?;
    Ok(Request { method: Method::POST, path, body: Some(text) })
}

fn get(path: String) -> Request {
    Request { method: Method::GET, path, body: None }
}

/// `{"op_id": ID, ...the op}`: the stored op's JSON object with its op id
/// put in front, as text. `None` if the stored text is not an object.
fn envelope(op_id: &str, payload: &str) -> Option<String> {
    let rest = payload.trim_start().strip_prefix('{')?;
    let id = serde_json::to_string(op_id).ok()?;
    let sep = if rest.trim_start().starts_with('}') { "" } else { "," };
    Some(format!("{{\"op_id\":{id}{sep}{rest}"))
}

impl Client {
    /// `base` is the server's address, e.g. `http://127.0.0.1:8080`.
    pub fn new(base: &str, device: &str, timeout: Duration) -> Result<Client, reqwest::Error> {
        let http = crate::tls::client().connect_timeout(CONNECT.min(timeout)).timeout(timeout).build()?;
        Ok(Client { http, base: base.trim_end_matches('/').to_owned(), device: device.to_owned() })
    }

    /// Runs `call`; the answer comes back typed by the call.
    pub async fn run(&self, call: &Call, token: Option<&str>) -> Reply {
        let op = new_op_id();
        let kt = |id: &i64| format!("/api/v1/packing-tasks/{id}");
        let device_id = Some(self.device.clone());
        let req = match call {
            Call::Login { badge, pin } => {
                post("/api/v1/auth/login".into(), &LoginRequest { badge: badge.clone(), pin: pin.clone(), device_id })
            }
            Call::Logout => post("/api/v1/auth/logout".into(), &serde_json::Map::new()),
            Call::Claim { queue } => post(
                "/api/v1/tasks/claim".into(),
                &ClaimBody {
                    op_id: Some(op),
                    queue: Some(*queue),
                    lookahead: *queue == QueueDto::Picking,
                    ..ClaimBody::default()
                },
            ),
            Call::ClaimBatch => {
                post("/api/v1/batches/claim".into(), &BatchClaimBody { op_id: Some(op), ..BatchClaimBody::default() })
            }
            Call::PickingTask { id } => Ok(get(format!("/api/v1/picking-tasks/{id}"))),
            Call::PackingTasksOfOrder { order } => Ok(get(format!("/api/v1/packing-tasks?order_id={order}"))),
            Call::PackingTasksOfParcel { tracking } => {
                Ok(get(format!("/api/v1/packing-tasks?tracking={}", query_value(tracking))))
            }
            Call::PackingTask { id } => Ok(get(kt(id))),
            Call::Labels { task } => Ok(get(format!("{}/label", kt(task)))),
            Call::Dispatch { tracking } => {
                post("/api/v1/dispatch/parcels".into(), &DispatchBody { op_id: Some(op), tracking: tracking.clone() })
            }
            Call::PutBacks => Ok(get("/api/v1/put-backs".into())),
            Call::PutBack { task, location } => post(
                format!("/api/v1/put-backs/{task}/put"),
                &PutBackBody { op_id: Some(op), location: location.clone(), worker_id: None },
            ),
            Call::Op(o) => {
                let r = self.push(token, &[(op, o.clone())], 1, None).await;
                return Reply::Outcome(r.and_then(|mut resp| one_result(resp.results.pop())));
            }
        };
        let req = match req {
            Ok(r) => r,
            Err(e) => return Reply::Outcome(Err(e)),
        };
        let token = token.map(str::to_owned);
        match call {
            Call::Login { .. } => Reply::Session(self.send(&req, None).await),
            Call::Logout => Reply::Ack(self.send_raw(&req, token.as_deref()).await.map(|_| ())),
            Call::PickingTask { .. } => Reply::PickingTask(self.send(&req, token.as_deref()).await),
            Call::PackingTask { .. } => Reply::PackingTask(self.send(&req, token.as_deref()).await),
            Call::PackingTasksOfOrder { .. } | Call::PackingTasksOfParcel { .. } => {
                Reply::PackingTasks(self.send(&req, token.as_deref()).await)
            }
            Call::Labels { .. } => Reply::Labels(self.send(&req, token.as_deref()).await),
            Call::PutBacks => Reply::PutBacks(self.send(&req, token.as_deref()).await),
            _ => Reply::Outcome(self.send(&req, token.as_deref()).await),
        }
    }

    /// Sends queued ops in order (`queued` and `oldest` describe the
    /// device's whole queue, for the board); one result per op.
    pub async fn push(
        &self,
        token: Option<&str>,
        ops: &[(String, FloorOp)],
        queued: u32,
        oldest: Option<Timestamp>,
    ) -> Result<OpsResponse, Failure> {
        let mut stored = Vec::with_capacity(ops.len());
        for (id, op) in ops {
            stored.push((id.clone(), serde_json::to_string(op).map_err(|e| Failure::local(e.to_string()))?));
        }
        self.push_stored(token, &stored, queued, oldest).await
    }

    /// Sends queued ops as the device stored them (their JSON text, each
    /// given its op id), in order; one result per op.
    pub async fn push_stored(
        &self,
        token: Option<&str>,
        ops: &[(String, String)],
        queued: u32,
        oldest: Option<Timestamp>,
    ) -> Result<OpsResponse, Failure> {
        let mut text = String::with_capacity(96 + ops.iter().map(|(i, p)| i.len() + p.len() + 16).sum::<usize>());
        let head = DeviceHead { device_id: self.device.clone(), queued, oldest_queued_at: oldest };
        let head = serde_json::to_string(&head).map_err(|e| Failure::local(e.to_string()))?;
        text.push_str(head.strip_suffix('}').unwrap_or("{"));
        text.push_str(if head.len() > 2 { ",\"ops\":[" } else { "\"ops\":[" });
        for (n, (id, payload)) in ops.iter().enumerate() {
            let op =
                envelope(id, payload).ok_or_else(|| Failure::local(format!("queued op {id} is not a JSON object")))?;
            if n > 0 {
                text.push(',');
            }
            text.push_str(&op);
        }
        text.push_str("]}");
        let req = Request { method: Method::POST, path: "/api/v1/ops".into(), body: Some(text) };
        self.send(&req, token).await
    }

    async fn send<T: DeserializeOwned>(&self, req: &Request, token: Option<&str>) -> Result<T, Failure> {
        let bytes = self.send_raw(req, token).await?;
        serde_json::from_slice(&bytes).map_err(|e| Failure {
            short: "E900 bad answer".into(),
            ..Failure::network(format!("unexpected answer to {}: {e}", req.path))
        })
    }

    async fn send_raw(&self, req: &Request, token: Option<&str>) -> Result<Vec<u8>, Failure> {
        let url = format!("{}{}", self.base, req.path);
        let mut last = String::new();
        for attempt in 0..ATTEMPTS {
            if attempt > 0 {
                tokio::time::sleep(Duration::from_millis(200 << attempt)).await;
            }
            let mut b = self.http.request(req.method.clone(), &url);
            if let Some(t) = token {
                b = b.bearer_auth(t);
            }
            if let Some(t) = &req.body {
                b = b.header(reqwest::header::CONTENT_TYPE, "application/json").body(t.clone());
            }
            let resp = match b.send().await {
                Ok(r) => r,
                Err(e) if e.is_connect() && !e.is_timeout() => {
                    last = crate::tls::describe(&e);
                    tracing::warn!(url, attempt, error = %e, "call did not reach the server");
                    continue;
                }
                Err(e) if e.is_timeout() => {
                    tracing::warn!(url, error = %e, "no answer in time: offline");
                    return Err(Failure::network(e.to_string()));
                }
                Err(e) => return Err(Failure::network(crate::tls::describe(&e))),
            };
            let status = resp.status();
            let bytes = resp.bytes().await.map_err(|e| Failure::network(e.to_string()))?;
            if status.is_success() {
                return Ok(bytes.to_vec());
            }
            return Err(match serde_json::from_slice::<ErrorBody>(&bytes) {
                Ok(body) => Failure::from_body(&body),
                Err(_) => Failure::from_status(status.as_u16(), String::from_utf8_lossy(&bytes)),
            });
        }
        Err(Failure::network(last))
    }
}

/// One op's result as a call's answer: applied is its outcome; rejected
/// or retry is a failure with the server's code.
pub fn one_result(r: Option<OpResult>) -> Result<Outcome, Failure> {
    let Some(r) = r else { return Err(Failure::network("no result for the op")) };
    match (r.status, r.outcome, r.error) {
        (Verdict::Applied, Some(o), _) => Ok(o),
        (_, _, Some(e)) => Err(Failure::from_body(&e)),
        (status, _, None) => Err(Failure::network(format!("op {status:?} without its answer"))),
    }
}

/// `v` percent-encoded for a query string (unreserved bytes kept).
pub(crate) fn query_value(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::floor_op::PickScans;

    #[test]
    fn a_stored_op_is_sent_as_stored_with_its_op_id_in_front() {
        let op = FloorOp::Pick { task_id: 1, item_id: 2, scan: PickScans::new("A-01", "SKU \"x\"", 1) };
        let payload = serde_json::to_string(&op).unwrap_or_default();
        let text = envelope("op-\"1\"", &payload).unwrap_or_default();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
        assert_eq!(v["op_id"], "op-\"1\"");
        assert_eq!(v["kind"], "pick");
        assert_eq!(serde_json::from_value::<FloorOp>(v).ok(), Some(op));
        assert_eq!(envelope("x", "{}").as_deref(), Some(r#"{"op_id":"x"}"#));
        assert_eq!(envelope("x", "[1]"), None);
    }
}
