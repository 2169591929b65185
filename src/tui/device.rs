//! The device: a floor terminal's own SQLite file (the same schema as the
//! server's; it uses `device_ops`, `device_cache` and `print_jobs`) and the
//! calls that go through it.
//!
//! - An op ([`Call::Op`]) is queued durably, applied to the cached task at
//!   once ([`crate::sync::local`]) and answered from there; [`Device::sync`]
//!   sends it later, in order, through `POST /api/v1/ops`.
//! - A read is answered by the server when it answers, and cached; without
//!   the server (or while ops for that task are still queued, when the local
//!   copy is the newer one) it is answered from the cache. Once a call has
//!   found the server away, reads with a cached copy do not wait on the
//!   network again: the sync worker's rounds find it back.
//! - A claim first sends what is queued; offline, it hands out the task
//!   held as lookahead (at once when the device already knows it is
//!   offline).

use super::client::Client;
use super::{Call, Failure, FailureKind, Reply, Session};
use crate::app::command::{Outcome, QueueDto};
use crate::app::floor_op::{FloorOp, Work};
use crate::app::task_views::{PackingTaskView, PickingTaskView};
use crate::app::{Clock, new_op_id};
use crate::domain::Timestamp;
use crate::domain::picking::PickingStatus;
use crate::storage::device::OpStatus;
use crate::storage::{StorageError, Store};
use crate::sync::{self, Verdict, local};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

const SESSION: &str = "session";
const SCREEN: &str = "screen";
const LOOKAHEAD: &str = "lookahead";
/// How long a claim waits on the server when a task is held ahead: a
/// picker in a dead spot gets the held task within a second.
const QUICK_CLAIM: std::time::Duration = std::time::Duration::from_millis(900);

fn picking_key(id: i64) -> String {
    format!("picking:{id}")
}

fn packing_key(id: i64) -> String {
    format!("packing:{id}")
}

/// Online or not, and the queue: what the status bar shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SyncStatus {
    pub online: bool,
    pub queued: u32,
    /// Seconds since the oldest queued op was made.
    pub oldest_age_s: Option<i64>,
}

/// What one round of sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Round {
    pub applied: usize,
    /// Ops the server refused, with why: shown to the worker.
    pub rejected: Vec<(FloorOp, Failure)>,
}

#[derive(Debug)]
pub struct Device {
    store: Arc<Store>,
    client: Client,
    clock: Arc<dyn Clock>,
    online: AtomicBool,
    batch: usize,
    /// Refusals not yet shown to the worker (whoever's sync round found them).
    refused: std::sync::Mutex<Vec<(FloorOp, Failure)>>,
}

fn cached_in<T: DeserializeOwned>(tx: &crate::storage::Tx<'_>, key: &str) -> Result<Option<T>, StorageError> {
    Ok(tx.cached(key)?.and_then(|b| serde_json::from_str(&b).ok()))
}

fn storage(e: StorageError) -> Failure {
    Failure::local(e.to_string())
}

impl Device {
    pub fn new(store: Arc<Store>, client: Client, clock: Arc<dyn Clock>) -> Device {
        Device {
            store,
            client,
            clock,
            online: AtomicBool::new(true),
            batch: sync::BATCH,
            refused: std::sync::Mutex::new(Vec::new()),
        }
    }

    /// Deletes the ops the server answered more than `keep` ago (retention:
    /// the device file does not grow shift after shift); returns how many.
    pub fn forget_settled(&self, keep: chrono::Duration) -> Result<usize, Failure> {
        let before = self.clock.now() - keep;
        self.store.write(|tx| tx.forget_settled_ops(before)).map_err(storage)
    }

    /// Ops per request (default [`sync::BATCH`]).
    pub fn with_batch(mut self, n: usize) -> Device {
        self.batch = n.clamp(1, crate::server::api_limits::MAX_OPS);
        self
    }

    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    fn get<T: DeserializeOwned>(&self, key: &str) -> Option<T> {
        let body = self.store.read(|tx| tx.cached(key)).ok().flatten()?;
        serde_json::from_str(&body).ok()
    }

    fn put<T: Serialize>(&self, key: &str, value: &T) -> Result<(), Failure> {
        let body = serde_json::to_string(value).map_err(|e| Failure::network(e.to_string()))?;
        let now = self.clock.now();
        self.store.write(|tx| tx.cache(key, &body, now)).map_err(storage)
    }

    /// The screen to resume on, as the app saved it.
    pub fn screen(&self) -> Option<String> {
        self.store.read(|tx| tx.cached(SCREEN)).ok().flatten()
    }

    pub fn save_screen(&self, snapshot: &str) -> Result<(), Failure> {
        let now = self.clock.now();
        self.store.write(|tx| tx.cache(SCREEN, snapshot, now)).map_err(storage)
    }

    /// The logged-in session's token, for the sync worker.
    pub fn token(&self) -> Option<String> {
        self.get::<Session>(SESSION).map(|s| s.token)
    }

    pub fn status(&self) -> SyncStatus {
        let (queued, oldest) = self.store.read(|tx| tx.queue_depth()).unwrap_or((0, None));
        let now = self.clock.now();
        SyncStatus {
            online: self.online.load(Ordering::Relaxed),
            queued,
            oldest_age_s: oldest.map(|t| (now - t).num_seconds().max(0)),
        }
    }

    fn mark(&self, result: &Result<impl Sized, Failure>) {
        let offline = matches!(result, Err(f) if f.kind == FailureKind::Offline);
        self.online.store(!offline, Ordering::Relaxed);
    }

    /// Applies `op` to the cached task by the domain's rules and queues it,
    /// in one transaction; answers from the cached copy. An op the rules
    /// refuse is answered with the refusal and not queued.
    pub fn queue(&self, op: FloorOp) -> Result<Outcome, Failure> {
        let payload = serde_json::to_string(&op).map_err(|e| Failure::local(e.to_string()))?;
        let (now, op_id) = (self.clock.now(), new_op_id());
        let id = op.task_id();
        let applied = self.store.write(|tx| {
            let outcome = match op.work() {
                Work::Picking => {
                    let mut t: Option<PickingTaskView> = cached_in(tx, &picking_key(id))?;
                    let o = match t.as_mut() {
                        Some(t) => local::apply_picking(t, &op),
                        None => Ok(Outcome::Picking {
                            task_id: id,
                            status: PickingStatus::InProgress,
                            done: 0,
                            total: 0,
                            next_item_id: None,
                            packing_task_id: None,
                        }),
                    };
                    if let (Some(t), Ok(_)) = (t, &o) {
                        tx.cache(&picking_key(id), &serde_json::to_string(&t).unwrap_or_default(), now)?;
                    }
                    o
                }
                Work::Packing => {
                    let mut t: Option<PackingTaskView> = cached_in(tx, &packing_key(id))?;
                    let o = local::apply_packing(t.as_mut(), &op);
                    if let (Some(t), Ok(_)) = (t, &o) {
                        tx.cache(&packing_key(id), &serde_json::to_string(&t).unwrap_or_default(), now)?;
                    }
                    o
                }
            };
            if outcome.is_ok() {
                tx.enqueue_op(&op_id, op.kind(), &payload, now)?;
            }
            Ok::<_, StorageError>(outcome)
        });
        applied.map_err(storage)?.map_err(|e| Failure::domain(&e))
    }

    /// Whether the task still has queued ops: then its local copy is the
    /// newer one. (A picking and a packing task may share an id: the work tells them apart.)
    fn has_open_ops(&self, work: Work, id: i64) -> bool {
        let open = self.store.read(|tx| tx.open_ops(10_000)).unwrap_or_default();
        open.iter()
            .filter_map(|o| serde_json::from_str::<FloorOp>(&o.payload).ok())
            .any(|o| o.work() == work && o.task_id() == id)
    }

    /// A read: the server's answer (cached), or the cache when the server is
    /// away or the local copy is newer.
    async fn read<T: Serialize + DeserializeOwned>(
        &self,
        key: String,
        local_newer: bool,
        call: &Call,
        token: Option<&str>,
        pick: fn(Reply) -> Option<Result<T, Failure>>,
    ) -> Result<T, Failure> {
        if (local_newer || !self.online.load(Ordering::Relaxed))
            && let Some(t) = self.get::<T>(&key)
        {
            return Ok(t);
        }
        let answer = pick(self.client.run(call, token).await).unwrap_or_else(|| Err(Failure::network("bad reply")));
        self.mark(&answer);
        match answer {
            Ok(t) => {
                self.put(&key, &t)?;
                Ok(t)
            }
            Err(f) if f.is_offline() => self.get::<T>(&key).ok_or(f),
            Err(f) => Err(f),
        }
    }

    /// Runs a call the device way (see the module doc).
    pub async fn call(&self, call: &Call, token: Option<&str>) -> Reply {
        match call {
            Call::Op(op) => Reply::Outcome(self.queue(op.clone())),
            Call::PickingTask { id } => {
                let newer = self.has_open_ops(Work::Picking, *id);
                let pick = |r| if let Reply::PickingTask(r) = r { Some(r) } else { None };
                Reply::PickingTask(self.read(picking_key(*id), newer, call, token, pick).await)
            }
            Call::PackingTask { id } => {
                let newer = self.has_open_ops(Work::Packing, *id);
                let pick = |r| if let Reply::PackingTask(r) = r { Some(r) } else { None };
                Reply::PackingTask(self.read(packing_key(*id), newer, call, token, pick).await)
            }
            Call::Claim { queue } => Reply::Outcome(self.claim(*queue, token).await),
            // The label of a box packed here follows its queued completion
            // to the server: it is asked for only once the queue is sent.
            Call::Labels { .. } => match self.drain(token).await {
                Ok(()) => {
                    let r = self.client.run(call, token).await;
                    if let Reply::Labels(answer) = &r {
                        self.mark(answer);
                    }
                    r
                }
                Err(f) => Reply::Labels(Err(f)),
            },
            Call::Login { .. } => {
                let r = self.client.run(call, token).await;
                if let Reply::Session(Ok(s)) = &r {
                    let _ = self.put(SESSION, s);
                }
                r
            }
            Call::Logout => {
                let r = self.client.run(call, token).await;
                let _ = self.store.write(|tx| {
                    tx.uncache(SESSION)?;
                    tx.uncache(SCREEN)
                });
                r
            }
            _ => self.client.run(call, token).await,
        }
    }

    /// Sends the queue first (the server must see a finished task before it
    /// hands out the next); offline, the lookahead task.
    /// The queue sent, then the claim asked of the server; `None` when the
    /// queue could not be sent (offline).
    async fn claim_online(&self, queue: QueueDto, token: Option<&str>) -> Option<Result<Outcome, Failure>> {
        self.drain(token).await.ok()?;
        let answer = match self.client.run(&Call::Claim { queue }, token).await {
            Reply::Outcome(r) => r,
            _ => Err(Failure::network("bad reply")),
        };
        self.mark(&answer);
        match &answer {
            Ok(Outcome::Claimed { next_task_id: Some(next), .. }) => {
                let _ = self.put(LOOKAHEAD, next);
                let call = Call::PickingTask { id: *next };
                let pick = |r| if let Reply::PickingTask(r) = r { Some(r) } else { None };
                let _ = self.read(picking_key(*next), false, &call, token, pick).await;
            }
            Ok(Outcome::Claimed { .. }) => {
                let _ = self.store.write(|tx| tx.uncache(LOOKAHEAD));
            }
            _ => {}
        }
        Some(answer)
    }

    async fn claim(&self, queue: QueueDto, token: Option<&str>) -> Result<Outcome, Failure> {
        // Known to be offline with a task held ahead: no wait on the network.
        let held = self.held_ahead(queue).is_some();
        let skip = !self.online.load(Ordering::Relaxed) && held;
        if !skip {
            // With a task held ahead the picker never waits long: a server
            // that does not answer within QUICK_CLAIM (a dead spot, where
            // packets go unanswered) is taken for offline. What was sent
            // stays sent and goes again under its op id.
            let answer = match held {
                true => tokio::time::timeout(QUICK_CLAIM, self.claim_online(queue, token)).await.unwrap_or_else(|_| {
                    self.online.store(false, Ordering::Relaxed);
                    None
                }),
                false => self.claim_online(queue, token).await,
            };
            if let Some(answer) = answer
                && !matches!(&answer, Err(f) if f.is_offline())
            {
                return answer;
            }
        }
        // Offline: the task held for this moment, if it is still open here.
        match self.held_ahead(queue) {
            Some(t) => {
                let _ = self.store.write(|tx| tx.uncache(LOOKAHEAD));
                Ok(Outcome::Claimed { queue, task_id: Some(t.task_id), resumed: true, next_task_id: None })
            }
            None => Err(Failure::network("offline, and no task held ahead")),
        }
    }

    /// The picking task held as lookahead, if it is still open here.
    fn held_ahead(&self, queue: QueueDto) -> Option<PickingTaskView> {
        if queue != QueueDto::Picking {
            return None;
        }
        let next: Option<i64> = self.get(LOOKAHEAD);
        next.and_then(|id| self.get::<PickingTaskView>(&picking_key(id)))
            .filter(|t| matches!(t.status, PickingStatus::Assigned | PickingStatus::InProgress))
    }

    /// Sends every queued op, round after round, until a round has nothing
    /// left to send; an error means the server was not reached.
    async fn drain(&self, token: Option<&str>) -> Result<(), Failure> {
        loop {
            let r = self.sync(token).await?;
            if r.applied == 0 && r.rejected.is_empty() {
                return Ok(());
            }
        }
    }

    /// Refused ops found since the last call, for the worker's screen (a
    /// claim's sync round finds them too, not only the sync worker's).
    pub fn take_refusals(&self) -> Vec<(FloorOp, Failure)> {
        self.refused.lock().map(|mut r| std::mem::take(&mut *r)).unwrap_or_default()
    }

    /// One round: sends the oldest open ops (at most the batch size) and
    /// records the answers. An error means the server was not reached.
    pub async fn sync(&self, token: Option<&str>) -> Result<Round, Failure> {
        let queue = self.store.read(|tx| tx.open_ops(self.batch as u32)).map_err(storage)?;
        let (depth, oldest) = self.store.read(|tx| tx.queue_depth()).map_err(storage)?;
        let batch = sync::next_batch(&queue, self.batch);
        // Read back for the answers (which op, which task); sent as stored.
        let mut ops = Vec::with_capacity(batch.len());
        let mut stored = Vec::with_capacity(batch.len());
        for o in &batch {
            let op: FloorOp = serde_json::from_str(&o.payload).map_err(|e| Failure::local(e.to_string()))?;
            ops.push((o.op_id.clone(), op));
            stored.push((o.op_id.clone(), o.payload.clone()));
        }
        let now = self.clock.now();
        let ids: Vec<&str> = batch.iter().map(|o| o.op_id.as_str()).collect();
        self.store
            .write(|tx| {
                for id in &ids {
                    tx.set_op_status(id, OpStatus::Sent, None, None, now)?;
                }
                Ok::<_, StorageError>(())
            })
            .map_err(storage)?;
        let answer = self.client.push_stored(token, &stored, depth, oldest).await;
        self.mark(&answer);
        let resp = answer?;
        let verdicts: Vec<(String, Verdict)> = resp.results.iter().map(|r| (r.op_id.clone(), r.status)).collect();
        let settled = sync::settle(&ids, &verdicts);
        let mut round = Round::default();
        let now: Timestamp = self.clock.now();
        self.store
            .write(|tx| {
                for (id, status) in &settled {
                    let r = resp.results.iter().find(|r| &r.op_id == id);
                    let result = r.and_then(|r| serde_json::to_string(r).ok());
                    let error = r.and_then(|r| r.error.as_ref()).map(|e| e.short.clone());
                    tx.set_op_status(id, *status, result.as_deref(), error.as_deref(), now)?;
                }
                Ok::<_, StorageError>(())
            })
            .map_err(storage)?;
        for (id, status) in settled {
            let op = ops.iter().find(|(o, _)| *o == id).map(|(_, op)| op.clone());
            match (status, op) {
                (OpStatus::Applied, _) => round.applied += 1,
                (OpStatus::Rejected, Some(op)) => {
                    let e = resp.results.iter().find(|r| r.op_id == id).and_then(|r| r.error.clone());
                    let f = e.map_or_else(|| Failure::network("rejected"), |e| Failure::from_body(&e));
                    // The server's copy wins: drop the local one.
                    let key = match op.work() {
                        Work::Picking => picking_key(op.task_id()),
                        Work::Packing => packing_key(op.task_id()),
                    };
                    let _ = self.store.write(|tx| tx.uncache(&key));
                    tracing::warn!(op = op.kind(), task = op.task_id(), code = %f.code, why = %f.message, "op refused");
                    if let Ok(mut r) = self.refused.lock() {
                        r.push((op.clone(), f.clone()));
                    }
                    round.rejected.push((op, f));
                }
                _ => {}
            }
        }
        Ok(round)
    }
}
