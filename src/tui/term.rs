//! The terminal loop: the only part of the TUI that does IO.
//!
//! A thread reads crossterm events and forwards keys (translated to
//! [`KeyIn`]) and resizes; calls and prints run as tasks and report back as
//! [`Msg`]s; a tick polls. One `select!` takes the next message, then every
//! message already waiting is handled too, and only then is the screen drawn
//! (one draw per scanner burst, not per key). The terminal is restored on
//! exit and on panic.

use super::client::Client;
use super::device::Device;
use super::{App, Call, Cmd, KeyIn, Msg, Reply, view};
use crate::app::SystemClock;
use crate::keymap::KeyName;
use crate::printing::PrinterUri;
use crate::printing::spooler::Spooler;
use crate::scanner::Key;
use crate::storage::Store;
use anyhow::Context;
use crossterm::event::{Event as TermEvent, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use crossterm::{execute, terminal};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// How a floor terminal is set up.
#[derive(Debug, Clone)]
pub struct Options {
    /// The server, e.g. `http://127.0.0.1:8080`.
    pub server: String,
    pub device: String,
    /// How often the app polls (new work, cancellations).
    pub tick: Duration,
    /// The station's label printer (its jobs are spooled in the device file).
    pub printer: Option<PrinterUri>,
    /// The device's own SQLite file: op queue, cached tasks, session,
    /// screen, print jobs. Without it every op needs the server.
    pub device_db: Option<PathBuf>,
    /// How long the device keeps the ops the server answered.
    pub keep_answered: chrono::Duration,
}

/// Translates a crossterm key event; key releases and unknown keys are
/// `None`. LF arrives as Ctrl+J and GS as Ctrl+5 (FIELD-NOTES).
pub fn translate(e: KeyEvent, at_ms: u64) -> Option<KeyIn> {
    if e.kind == KeyEventKind::Release {
        return None;
    }
    let ctrl = e.modifiers.contains(KeyModifiers::CONTROL);
    let (name, key) = match e.code {
        KeyCode::Char(c) if ctrl => (Some(KeyName::Ctrl(c.to_ascii_lowercase())), Some(Key::Ctrl(c))),
        KeyCode::Char(c) => (Some(KeyName::Char(c)), Some(Key::Char(c))),
        KeyCode::Enter => (Some(KeyName::Enter), Some(Key::Enter)),
        KeyCode::Tab => (Some(KeyName::Tab), Some(Key::Tab)),
        KeyCode::Backspace => (Some(KeyName::Backspace), Some(Key::Backspace)),
        KeyCode::Esc => (Some(KeyName::Esc), None),
        KeyCode::F(n) => (Some(KeyName::F(n)), None),
        KeyCode::Up => (Some(KeyName::Up), None),
        KeyCode::Down => (Some(KeyName::Down), None),
        KeyCode::Left => (Some(KeyName::Left), None),
        KeyCode::Right => (Some(KeyName::Right), None),
        KeyCode::PageUp => (Some(KeyName::PageUp), None),
        KeyCode::PageDown => (Some(KeyName::PageDown), None),
        _ => return None,
    };
    Some(KeyIn { name, key, at_ms })
}

pub(super) fn restore() {
    let _ = terminal::disable_raw_mode();
    let _ = execute!(io::stdout(), terminal::LeaveAlternateScreen, crossterm::cursor::Show);
}

/// How long a call may wait for the server's answer before the terminal
/// works offline (issue 16: OFF within 3 s in a dead spot).
pub const REQUEST_TIMEOUT: Duration = Duration::from_millis(2500);

/// Runs `app` on this terminal until it quits (Esc on the login screen, or Ctrl+C).
pub fn run<A: App>(app: &mut A, opts: Options) -> anyhow::Result<()> {
    let client = Client::new(&opts.server, &opts.device, REQUEST_TIMEOUT)?;
    let device = match &opts.device_db {
        Some(db) => {
            let store = Arc::new(Store::open(db).with_context(|| format!("opening {}", db.display()))?);
            let device = Device::new(store, client.clone(), Arc::new(SystemClock));
            match device.forget_settled(opts.keep_answered) {
                Ok(n) if n > 0 => tracing::info!(ops = n, "forgot ops the server answered long ago"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e.message, "could not trim the device's op log"),
            }
            Some(Arc::new(device))
        }
        None => None,
    };
    if let Some(screen) = device.as_ref().and_then(|d| d.screen()) {
        app.restore(&screen);
    }
    let spooler = match (&opts.printer, &device) {
        (Some(uri), Some(d)) => Some((uri.clone(), Spooler::new(d.store().clone(), Arc::new(SystemClock)))),
        (Some(_), None) => anyhow::bail!("a printer needs the device file (its print spool)"),
        _ => None,
    };
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    restore_on_panic();
    terminal::enable_raw_mode()?;
    execute!(io::stdout(), terminal::EnterAlternateScreen, crossterm::cursor::Hide)?;
    let result = rt.block_on(event_loop(app, Calls { client, device }, spooler, opts.tick, opts.server.clone()));
    restore();
    result
}

/// Puts the terminal back before a panic's message is printed.
pub(super) fn restore_on_panic() {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            hook(info);
        }));
    });
}

type Station = Option<(PrinterUri, Spooler)>;

/// Where calls go: through the device (queue and cache) when there is one.
#[derive(Debug, Clone)]
struct Calls {
    client: Client,
    device: Option<Arc<Device>>,
}

impl Calls {
    async fn run(&self, call: &Call, token: Option<&str>) -> Reply {
        match &self.device {
            Some(d) => d.call(call, token).await,
            None => self.client.run(call, token).await,
        }
    }
}

/// Sends the device's queue while the app runs: at once after an op, every
/// two seconds otherwise (which also tells the server the device is alive),
/// with backoff while the server cannot be reached. Rejections and the
/// queue's state go to the app.
async fn sync_worker(device: Arc<Device>, wake: Arc<tokio::sync::Notify>, tx: mpsc::UnboundedSender<Msg>) {
    let mut failures = 0u32;
    loop {
        let token = device.token();
        let round = match token.as_deref() {
            Some(t) => device.sync(Some(t)).await,
            None => Ok(Default::default()),
        };
        let wait = match round {
            Ok(r) => {
                failures = 0;
                if r.applied > 0 || !r.rejected.is_empty() { Duration::ZERO } else { Duration::from_secs(2) }
            }
            Err(_) => {
                failures += 1;
                crate::sync::backoff(failures, rand_core::RngCore::next_u64(&mut rand_core::OsRng))
            }
        };
        for (op, why) in device.take_refusals() {
            let _ = tx.send(Msg::Rejected(op, why));
        }
        if tx.send(Msg::Sync(device.status())).is_err() {
            return;
        }
        if !wait.is_zero() {
            tokio::select! {
                _ = wake.notified() => {}
                _ = tokio::time::sleep(wait) => {}
            }
        }
    }
}

/// The pause in typing after which the echo is drawn (a scanner types
/// a character every ~10 ms, a person far slower).
const ECHO: Duration = Duration::from_millis(30);
/// The longest the echo waits while keys keep coming.
const ECHO_MAX: Duration = Duration::from_millis(200);
/// How long the frame after a call waits for the call's answer.
const ANSWER: Duration = Duration::from_millis(100);

/// What the terminal thread reports.
#[allow(clippy::large_enum_variant)]
pub(super) enum FromTerm {
    Msg(Msg),
    Resize,
    Quit,
}

async fn event_loop<A: App>(
    app: &mut A,
    calls: Calls,
    spooler: Station,
    tick: Duration,
    server: String,
) -> anyhow::Result<()> {
    let mut term = Terminal::new(CrosstermBackend::new(io::stdout()))?;
    let size = term.size()?;
    app.resize(size.width, size.height);
    let (keys_tx, mut keys) = mpsc::unbounded_channel::<FromTerm>();
    let (replies_tx, mut replies) = mpsc::unbounded_channel::<Msg>();
    listen(keys_tx);
    let wake = Arc::new(tokio::sync::Notify::new());
    let syncing = calls.device.clone().map(|d| tokio::spawn(sync_worker(d, wake.clone(), replies_tx.clone())));
    let _stop = StopOnDrop(syncing);
    let token = Arc::new(std::sync::Mutex::new(app.token().map(str::to_owned)));
    let _push = StopOnDrop(Some(tokio::spawn(push_worker(server, token.clone(), replies_tx.clone()))));
    let mut saved = app.snapshot();
    let mut ticker = tokio::time::interval(tick);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let spooler = Arc::new(spooler);
    let mut shown: Option<view::View> = None;
    // Frames held back (issue 16, bytes over weak Wi-Fi): while a scanner
    // types 10 ms a character the echo is drawn at most every ECHO, and the
    // frame after a call ("Saving pick...") waits up to ANSWER for the
    // answer, so a quick answer is drawn instead of both.
    let mut hold: Option<tokio::time::Instant> = None;
    // When the keys not yet drawn began to come.
    let mut typing_since: Option<tokio::time::Instant> = None;
    loop {
        // Draw only when the screen changed: a tick that changed nothing
        // writes nothing to the terminal.
        let v = app.view();
        let held = hold.is_some_and(|until| tokio::time::Instant::now() < until);
        if !held && shown.as_ref() != Some(&v) {
            term.draw(|f| view::render(&v, f.area(), f.buffer_mut()))?;
            shown = Some(v);
            hold = None;
            typing_since = None;
        }
        let first = tokio::select! {
            k = keys.recv() => k.unwrap_or(FromTerm::Quit),
            Some(m) = replies.recv() => FromTerm::Msg(m),
            _ = ticker.tick() => FromTerm::Msg(Msg::Tick),
            _ = tokio::time::sleep_until(hold.unwrap_or_else(tokio::time::Instant::now)), if held => {
                hold = None;
                continue;
            }
        };
        let mut batch = vec![];
        let mut next = Some(first);
        while let Some(k) = next.take().or_else(|| keys.try_recv().ok()) {
            match k {
                FromTerm::Msg(m) => batch.push(m),
                FromTerm::Resize => {
                    term.autoresize()?;
                    let size = term.size()?;
                    app.resize(size.width, size.height);
                    shown = None;
                }
                FromTerm::Quit => return Ok(()),
            }
        }
        while let Ok(m) = replies.try_recv() {
            batch.push(m);
        }
        let typed = batch.iter().any(|m| matches!(m, Msg::Key(_)));
        // A tick changes nothing a worker resumes on (what it starts comes
        // back as a reply), so only other messages are worth a snapshot.
        let only_ticks = batch.iter().all(|m| matches!(m, Msg::Tick));
        let mut called = false;
        for msg in batch {
            for cmd in app.update(msg) {
                match cmd {
                    Cmd::Quit => return Ok(()),
                    Cmd::Beep => {
                        let out = term.backend_mut();
                        out.write_all(b"\x07")?;
                        out.flush()?;
                    }
                    Cmd::Call(call) => {
                        called = true;
                        let (calls, tx, token) = (calls.clone(), replies_tx.clone(), app.token().map(str::to_owned));
                        let wake = wake.clone();
                        tokio::spawn(async move {
                            let reply = calls.run(&call, token.as_deref()).await;
                            let _ = tx.send(Msg::Reply(reply));
                            if matches!(call, Call::Op(_)) {
                                wake.notify_one();
                            }
                        });
                    }
                    print @ (Cmd::Print { .. } | Cmd::Reprint { .. }) => {
                        let (spooler, tx) = (spooler.clone(), replies_tx.clone());
                        tokio::task::spawn_blocking(move || {
                            if let Some(done) = spool(spooler.as_ref().as_ref(), print) {
                                let _ = tx.send(done);
                            }
                        });
                    }
                }
            }
        }
        let now = tokio::time::Instant::now();
        if called {
            hold = Some(now + ANSWER);
        } else if typed {
            // Keys keep coming: the echo waits for a pause of ECHO, but is
            // drawn at least every ECHO_MAX (a person typing sees it).
            let since = *typing_since.get_or_insert(now);
            hold = Some((now + ECHO).min(since + ECHO_MAX));
        }
        if let Ok(mut t) = token.lock()
            && t.as_deref() != app.token()
        {
            *t = app.token().map(str::to_owned);
        }
        // What the worker would resume on, kept whenever it changes.
        if let Some(d) = calls.device.as_ref().filter(|_| !only_ticks) {
            let now = app.snapshot();
            if now != saved {
                if let Some(snap) = &now
                    && let Err(e) = d.save_screen(snap)
                {
                    tracing::warn!(error = %e.message, "could not save the screen");
                }
                saved = now;
            }
        }
    }
}

/// Whether an event makes a floor app look again at once (instead of at the
/// next tick): new work, a cancellation or reassignment, a new item. An
/// event this build cannot read (a newer server) counts: looking again is
/// never wrong.
fn wakes(data: &str) -> bool {
    use crate::contract::events::{Delivery, EventBody as B};
    let Ok(d) = serde_json::from_str::<Delivery>(data) else { return true };
    match d.payload.body {
        B::PickingCreated { .. }
        | B::PickingAssigned { .. }
        | B::PickingCancelled { .. }
        | B::PickingItemReallocated { .. }
        | B::PackingCreated { .. }
        | B::PackingCancelled { .. }
        | B::OrderCancelled { .. }
        | B::OrderPriorityChanged { .. } => true,
        B::OrderCreated { .. }
        | B::OrderReserved { .. }
        | B::OrderShipped { .. }
        | B::OrderShortShipped { .. }
        | B::OrderBackordered { .. }
        | B::FulfillmentCreated { .. }
        | B::FulfillmentStatusChanged { .. }
        | B::InventoryReserved { .. }
        | B::InventoryReleased { .. }
        | B::InventoryPlaced { .. }
        | B::InventoryMoved { .. }
        | B::InventoryRemoved { .. }
        | B::InventoryAdjusted { .. }
        | B::PutBackCreated { .. }
        | B::InventoryReturned { .. }
        | B::PickingStarted { .. }
        | B::PickingItemPicked { .. }
        | B::PickingItemShort { .. }
        | B::PickingItemSkipped { .. }
        | B::PickingUnfulfillable { .. }
        | B::PickingCompleted { .. }
        | B::PackingStarted { .. }
        | B::PackingCompleted { .. }
        | B::ShipmentCreated { .. }
        | B::ShipmentVoided { .. }
        | B::ShipmentDispatched { .. } => false,
    }
}

/// Follows the server's event stream while a worker is logged in and turns
/// the events that [`wakes`] picks into an immediate [`Msg::Tick`]; the periodic tick
/// stays as the fallback while the stream is down. Resumes after the last
/// event seen.
async fn push_worker(server: String, token: Arc<std::sync::Mutex<Option<String>>>, tx: mpsc::UnboundedSender<Msg>) {
    let Ok(http) = crate::tls::client().connect_timeout(Duration::from_secs(5)).build() else { return };
    let mut after = -1i64;
    loop {
        let bearer = token.lock().ok().and_then(|t| t.clone());
        let Some(bearer) = bearer else {
            tokio::time::sleep(Duration::from_millis(500)).await;
            continue;
        };
        let url = format!("{}/api/v1/events?after={after}&follow=true", server.trim_end_matches('/'));
        if let Ok(mut resp) = http.get(&url).bearer_auth(&bearer).send().await.and_then(|r| r.error_for_status()) {
            // Connected: look again once, for what changed before the
            // stream began (the first one starts "from now", so a cancel
            // between the login and the connection would wait for the tick).
            if tx.send(Msg::Tick).is_err() {
                return;
            }
            let mut pending = String::new();
            while let Ok(Some(chunk)) = resp.chunk().await {
                pending.push_str(&String::from_utf8_lossy(&chunk));
                let mut wake = false;
                while let Some(end) = pending.find("\n\n") {
                    let block: String = pending.drain(..end + 2).collect();
                    for line in block.lines() {
                        if let Some(id) = line.strip_prefix("id:") {
                            after = id.trim().parse().unwrap_or(after);
                        } else if let Some(data) = line.strip_prefix("data:") {
                            wake |= wakes(data.trim());
                        }
                    }
                }
                if wake && tx.send(Msg::Tick).is_err() {
                    return;
                }
            }
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}

/// Stops the sync worker with the loop.
struct StopOnDrop(Option<tokio::task::JoinHandle<()>>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        if let Some(h) = &self.0 {
            h.abort();
        }
    }
}

/// Where the terminal's events go now: one reader thread per process (a
/// second one would steal keys from the first), handing events to the loop
/// that runs at the moment (the demo runs several apps one after another).
static KEYS: std::sync::Mutex<Option<mpsc::UnboundedSender<FromTerm>>> = std::sync::Mutex::new(None);

pub(super) fn listen(tx: mpsc::UnboundedSender<FromTerm>) {
    static READER: std::sync::Once = std::sync::Once::new();
    if let Ok(mut slot) = KEYS.lock() {
        *slot = Some(tx);
    }
    READER.call_once(|| {
        let start = Instant::now();
        std::thread::spawn(move || {
            while let Ok(ev) = crossterm::event::read() {
                let at = start.elapsed().as_millis() as u64;
                let msg = match ev {
                    TermEvent::Key(k)
                        if k.code == KeyCode::Char('c') && k.modifiers.contains(KeyModifiers::CONTROL) =>
                    {
                        Some(FromTerm::Quit)
                    }
                    TermEvent::Key(k) => translate(k, at).map(|k| FromTerm::Msg(Msg::Key(k))),
                    TermEvent::Resize(..) => Some(FromTerm::Resize),
                    _ => None,
                };
                if let (Some(m), Ok(slot)) = (msg, KEYS.lock())
                    && let Some(tx) = slot.as_ref()
                {
                    let _ = tx.send(m);
                }
            }
        });
    });
}

/// Runs a print command on the station's printer and spooler (blocking:
/// the loop calls it off its thread); the job's final state is the
/// [`Msg::Printed`] for the model. `None` for a command that is no print.
pub fn spool(station: Option<&(PrinterUri, Spooler)>, cmd: Cmd) -> Option<Msg> {
    let done = match (station, cmd) {
        (Some((uri, s)), Cmd::Print { key, zpl, again }) => s.print_now(&key, zpl.as_bytes(), uri, again.as_deref()),
        (Some((_, s)), Cmd::Reprint { key, reason }) => s.reprint_now(&key, &reason),
        (None, Cmd::Print { .. } | Cmd::Reprint { .. }) => Err("no printer configured".to_owned()),
        _ => return None,
    };
    Some(Msg::Printed(done))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gs1::{Element, GS};
    use crate::scanner::Symbology;
    use crate::tui::input::{Event, Input};

    /// A raw byte as crossterm reports it in raw mode (FIELD-NOTES): CR is
    /// Enter, LF is Ctrl+J, GS (0x1D) is Ctrl+5, other C0 bytes Ctrl+letter.
    fn crossterm_event(b: u8) -> KeyEvent {
        let (code, mods) = match b {
            b'\r' => (KeyCode::Enter, KeyModifiers::NONE),
            b'\t' => (KeyCode::Tab, KeyModifiers::NONE),
            0x7f => (KeyCode::Backspace, KeyModifiers::NONE),
            0x1c..=0x1f => (KeyCode::Char((b'4' + b - 0x1c) as char), KeyModifiers::CONTROL),
            0x01..=0x1a => (KeyCode::Char((b'a' + b - 1) as char), KeyModifiers::CONTROL),
            _ => (KeyCode::Char(b as char), KeyModifiers::NONE),
        };
        KeyEvent::new(code, mods)
    }

    fn scans(bytes: &[u8]) -> Vec<crate::scanner::Scan> {
        let mut input = Input::default();
        bytes
            .iter()
            .enumerate()
            .filter_map(|(n, b)| translate(crossterm_event(*b), n as u64))
            .filter_map(|k| match input.feed(k) {
                Some(Event::Scan(s)) => Some(s),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn raw_scanner_bytes_become_scans() {
        // A GS1 DataMatrix ended by LF: the GS separator survives as GS.
        let s = scans(b"]d201095060001343521726120010LOT-7\x1d21SN42\n");
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].symbology, Some(Symbology::Gs1DataMatrix));
        assert_eq!(s[0].text, format!("01095060001343521726120010LOT-7{GS}21SN42"));
        let els = s[0].gs1.clone().expect("parsed").expect("valid");
        assert!(els.contains(&Element::Lot("LOT-7".into())) && els.contains(&Element::Serial("SN42".into())));
        // CR, LF and Tab each end one scan; DEL edits.
        let s = scans(b"A-01-01\rSKU-MUG\nB-9x\x7f9\t");
        let texts: Vec<&str> = s.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(texts, ["A-01-01", "SKU-MUG", "B-99"]);
    }

    #[test]
    fn function_keys_and_releases() {
        let f1 = translate(KeyEvent::new(KeyCode::F(1), KeyModifiers::NONE), 5).expect("F1");
        assert_eq!((f1.name, f1.key), (Some(KeyName::F(1)), None));
        let mut release = KeyEvent::new(KeyCode::Char('a'), KeyModifiers::NONE);
        release.kind = KeyEventKind::Release;
        assert_eq!(translate(release, 5), None);
    }

    /// The event stream's `data:` is read through the contract: new work
    /// wakes the floor app, stock moves do not, and an unreadable event
    /// (a newer server) wakes it rather than being missed.
    #[test]
    fn new_work_wakes_the_floor_app_and_unknown_events_do_too() {
        let data = |payload: &str| {
            format!(
                r#"{{"id":1,"type":"x","aggregate_type":"a","aggregate_id":"1","stream":"s","created_at":"2026-12-02T08:00:00Z","payload":{payload}}}"#
            )
        };
        assert!(wakes(&data(r#"{"v":1,"type":"picking.created","task_id":4,"order_id":2,"warehouse_id":1}"#)));
        assert!(!wakes(&data(
            r#"{"v":1,"type":"inventory.placed","listing_id":"S","warehouse_id":1,"quantity":3,"location":"A"}"#
        )));
        // Stored before payloads were versioned: read as version 1.
        assert!(wakes(&data(r#"{"type":"packing.created","task_id":5,"order_id":2}"#)));
        assert!(wakes(&data(r#"{"v":2,"type":"picking.teleported"}"#)));
    }
}
