//! The board's runtime: the IO around [`super::board::Board`]. It follows
//! the outbox as Server-Sent Events (`/api/v1/events`, from the board's
//! cursor, resuming with `Last-Event-ID`) and refreshes the board shortly
//! after each burst of events; every `refresh` it refreshes anyway (the
//! fallback while the stream is down). Keys come from the one terminal
//! reader thread of `tui::term`.

use super::Failure;
use super::board::{Action, Board, BoardCmd, BoardKey, BoardMsg, OrderDetail};
use super::term::{FromTerm, listen, restore, restore_on_panic};
use crate::app::board::BoardView;
use crate::app::views::OrderView;
use crate::app::workflow::view::{WorkflowSummary, WorkflowView};
use crate::keymap::KeyName;
use crossterm::{execute, terminal};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use serde::de::DeserializeOwned;
use std::io::{self, Write};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, mpsc};

#[derive(Debug, Clone)]
pub struct BoardOptions {
    pub server: String,
    pub token: String,
    pub refresh: Duration,
    /// One warehouse's board (default: the supervisor's own warehouses).
    pub warehouse: Option<String>,
}

#[derive(Debug, Clone)]
struct Api {
    http: reqwest::Client,
    base: String,
    token: String,
}

fn failure(status: u16, body: &serde_json::Value) -> Failure {
    match serde_json::from_value::<crate::server::error::ErrorBody>(body.clone()) {
        Ok(b) => Failure::from_body(&b),
        Err(_) => Failure::from_status(status, body.to_string()),
    }
}

impl Api {
    async fn send<T: DeserializeOwned>(&self, rq: reqwest::RequestBuilder) -> Result<T, Failure> {
        let resp = rq.bearer_auth(&self.token).send().await.map_err(|e| Failure::network(e.to_string()))?;
        let status = resp.status().as_u16();
        let body: serde_json::Value = resp.json().await.map_err(|e| Failure::network(e.to_string()))?;
        if !(200..300).contains(&status) {
            return Err(failure(status, &body));
        }
        serde_json::from_value(body).map_err(|e| Failure::network(format!("unexpected answer: {e}")))
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, Failure> {
        self.send(self.http.get(format!("{}{path}", self.base))).await
    }

    async fn post<R: DeserializeOwned>(&self, path: &str, body: &impl serde::Serialize) -> Result<R, Failure> {
        self.send(self.http.post(format!("{}{path}", self.base)).json(body)).await
    }

    async fn order(&self, id: i64) -> Result<OrderDetail, Failure> {
        let order: OrderView = self.get(&format!("/api/v1/orders/{id}")).await?;
        let list: Vec<WorkflowSummary> = self.get(&format!("/api/v1/workflows?order_id={id}")).await?;
        let mut workflows = Vec::new();
        for w in list {
            workflows.push(self.get::<WorkflowView>(&format!("/api/v1/workflows/{}", w.workflow_id)).await?);
        }
        Ok(OrderDetail { order, workflows })
    }

    async fn act(&self, a: Action) -> Result<String, Failure> {
        use crate::app::command::Outcome;
        use crate::contract::requests::{AssignBody, ManifestBody, NewPriority, Reason, Retried, WaveBody};
        let op_id = Some(crate::app::new_op_id());
        match a {
            Action::Cancel { order } => {
                let body = Reason { op_id, reason: "cancelled from the board".into() };
                self.post::<Outcome>(&format!("/api/v1/orders/{order}/cancel"), &body).await?;
                Ok(format!("order {order} cancelled"))
            }
            Action::Priority { order, priority } => {
                let body = NewPriority { op_id, priority: priority.into() };
                self.post::<Outcome>(&format!("/api/v1/orders/{order}/priority"), &body).await?;
                Ok(format!("order {order} is now {priority}"))
            }
            Action::Retry { workflow } => {
                let body = Reason { op_id, reason: "board".into() };
                match self.post(&format!("/api/v1/workflows/{workflow}/retry"), &body).await? {
                    Outcome::Workflow { status, step, .. } => Ok(format!("{workflow}: {status} at {step}")),
                    other => Ok(format!("{workflow}: {other:?}")),
                }
            }
            Action::ReleaseWave { warehouse, batch, max_tasks, priorities } => {
                let body = WaveBody {
                    op_id,
                    warehouse,
                    batch_size: Some(batch),
                    max_tasks,
                    priorities,
                    ..WaveBody::default()
                };
                match self.post("/api/v1/waves", &body).await? {
                    Outcome::Wave { wave_id, batches } => {
                        Ok(format!("wave {wave_id} released: {} batch(es)", batches.len()))
                    }
                    other => Ok(format!("wave released: {other:?}")),
                }
            }
            Action::RetryDead => {
                let r: Retried = self.post("/api/v1/webhooks/retry-dead", &serde_json::Map::new()).await?;
                Ok(format!("{} dead deliveries sent again", r.retried))
            }
            Action::CloseManifest { warehouse, carrier } => {
                let body = ManifestBody { op_id, warehouse: warehouse.clone(), carrier: carrier.clone() };
                match self.post("/api/v1/dispatch/manifests", &body).await? {
                    Outcome::Dispatched { parcels, .. } => {
                        Ok(format!("{carrier} at {warehouse}: {} parcel(s) left", parcels.len()))
                    }
                    other => Ok(format!("manifest closed: {other:?}")),
                }
            }
            Action::Reassign { task, worker } => {
                let body = match worker.parse::<i64>() {
                    Ok(id) => AssignBody { op_id, worker_id: Some(id), badge: None },
                    Err(_) => AssignBody { op_id, worker_id: None, badge: Some(worker.clone()) },
                };
                self.post::<Outcome>(&format!("/api/v1/picking-tasks/{task}/assign"), &body).await?;
                Ok(format!("picking task {task} now with worker {worker}"))
            }
        }
    }
}

/// Runs the board on this terminal until `q` or Ctrl+C.
pub fn run(opts: BoardOptions) -> anyhow::Result<()> {
    let http = crate::tls::client().connect_timeout(Duration::from_secs(5)).build()?;
    let api = Api { http, base: opts.server.trim_end_matches('/').to_owned(), token: opts.token.clone() };
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    restore_on_panic();
    terminal::enable_raw_mode()?;
    execute!(io::stdout(), terminal::EnterAlternateScreen, crossterm::cursor::Hide)?;
    let result = rt.block_on(board_loop(api, opts.refresh, opts.warehouse.clone()));
    restore();
    result
}

fn key(k: &super::KeyIn) -> Option<BoardKey> {
    match k.name? {
        KeyName::Char(c) => Some(BoardKey::Char(c)),
        KeyName::Enter => Some(BoardKey::Enter),
        KeyName::Esc => Some(BoardKey::Esc),
        KeyName::Backspace => Some(BoardKey::Backspace),
        KeyName::Up => Some(BoardKey::Up),
        KeyName::Down => Some(BoardKey::Down),
        _ => None,
    }
}

async fn board_loop(api: Api, refresh: Duration, warehouse: Option<String>) -> anyhow::Result<()> {
    let (keys_tx, mut keys) = mpsc::unbounded_channel::<FromTerm>();
    listen(keys_tx);
    let (tx, mut rx) = mpsc::unbounded_channel::<BoardMsg>();
    let changed = Arc::new(Notify::new());
    let cursor = Arc::new(std::sync::atomic::AtomicI64::new(-1));
    tokio::spawn(refresher(api.clone(), tx.clone(), changed.clone(), cursor.clone(), refresh, warehouse));
    tokio::spawn(follow(api.clone(), tx.clone(), changed.clone(), cursor));
    let mut board = Board::new();
    let mut term = Terminal::new(CrosstermBackend::new(io::stdout()))?;
    term.clear()?;
    loop {
        term.draw(|f| board.render(f.area(), f.buffer_mut()))?;
        let msg = tokio::select! {
            k = keys.recv() => match k {
                Some(FromTerm::Msg(super::Msg::Key(k))) => match key(&k) {
                    Some(k) => BoardMsg::Key(k),
                    None => continue,
                },
                Some(FromTerm::Resize) => { term.autoresize()?; continue }
                Some(FromTerm::Quit) | None => return Ok(()),
                Some(FromTerm::Msg(_)) => continue,
            },
            Some(m) = rx.recv() => m,
        };
        for cmd in board.update(msg) {
            match cmd {
                BoardCmd::Quit => return Ok(()),
                BoardCmd::Beep => {
                    let mut out = io::stdout();
                    let _ = out.write_all(b"\x07").and_then(|()| out.flush());
                }
                BoardCmd::Refresh => changed.notify_one(),
                BoardCmd::LoadOrder(id) => {
                    let (api, tx) = (api.clone(), tx.clone());
                    tokio::spawn(async move { tx.send(BoardMsg::Order(api.order(id).await)) });
                }
                BoardCmd::Act(a) => {
                    let (api, tx) = (api.clone(), tx.clone());
                    tokio::spawn(async move { tx.send(BoardMsg::Done(api.act(a).await)) });
                }
            }
        }
    }
}

/// Refreshes the board when told (an event, an action) and every `every`.
async fn refresher(
    api: Api,
    tx: mpsc::UnboundedSender<BoardMsg>,
    changed: Arc<Notify>,
    cursor: Arc<std::sync::atomic::AtomicI64>,
    every: Duration,
    warehouse: Option<String>,
) {
    let board_path = match &warehouse {
        Some(w) => format!("/api/v1/board?warehouse={}", super::client::query_value(w)),
        None => "/api/v1/board".to_owned(),
    };
    loop {
        let data: Result<BoardView, Failure> = api.get(&board_path).await;
        if let Ok(d) = &data {
            // The stream starts from the first board's cursor.
            let _ = cursor.compare_exchange(
                -1,
                d.event_cursor,
                std::sync::atomic::Ordering::Relaxed,
                std::sync::atomic::Ordering::Relaxed,
            );
        }
        if tx.send(BoardMsg::Data(data)).is_err() {
            return;
        }
        tokio::select! {
            _ = changed.notified() => tokio::time::sleep(Duration::from_millis(250)).await,
            _ = tokio::time::sleep(every) => {}
        }
    }
}

/// Follows the event stream; each event asks for a refresh. Reconnects
/// with `Last-Event-ID` after a failure, reporting live or not.
async fn follow(
    api: Api,
    tx: mpsc::UnboundedSender<BoardMsg>,
    changed: Arc<Notify>,
    cursor: Arc<std::sync::atomic::AtomicI64>,
) {
    let mut last = loop {
        let c = cursor.load(std::sync::atomic::Ordering::Relaxed);
        if c >= 0 {
            break c;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    loop {
        let url = format!("{}/api/v1/events?after={last}&follow=true", api.base);
        let resp = api.http.get(&url).bearer_auth(&api.token).header("Last-Event-ID", last.to_string()).send().await;
        if let Ok(resp) = resp.and_then(reqwest::Response::error_for_status) {
            if tx.send(BoardMsg::Live(true)).is_err() {
                return;
            }
            let mut resp = resp;
            let mut pending = String::new();
            while let Ok(Some(chunk)) = resp.chunk().await {
                pending.push_str(&String::from_utf8_lossy(&chunk));
                while let Some(end) = pending.find("\n\n") {
                    let block: String = pending.drain(..end + 2).collect();
                    if let Some(id) = block.lines().find_map(|l| l.strip_prefix("id:")) {
                        last = id.trim().parse().unwrap_or(last);
                        changed.notify_one();
                    }
                }
            }
        }
        if tx.send(BoardMsg::Live(false)).is_err() {
            return;
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}
