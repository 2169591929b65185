//! End to end on a real terminal: `tote serve` and `tote pick` in a private
//! tmux server (`tmux -L NAME`) at 20x16. The badge and the location and
//! item scans arrive as raw bytes, the way a scanner types them (LF as the
//! terminator, a GS1 DataMatrix with its GS separator); the pick is then
//! checked through the API. Then the picker is killed (SIGKILL) mid-item
//! and started again with the same device id: it resumes on the same task,
//! item and step.
//!
//! `tools/test.sh` (README's test command) installs tmux; without it the
//! test fails and says so.

mod common;

use common::process::{KillOnDrop, serve, tote};
use common::tmux::{Tmux, assets, floor_db, get_as_supervisor, pick_command, supervisor, tmux_missing};
use serde_json::Value;
use std::process::Command;
use std::time::{Duration, Instant};

async fn picking_task(base: &str, id: i64) -> Value {
    get_as_supervisor(base, &format!("/api/v1/picking-tasks/{id}")).await
}

/// Posts `assets/sample-order.json` through the API as the supervisor.
async fn post_sample_order(base: &str) {
    let http = reqwest::Client::new();
    let token = supervisor(&http, base).await;
    let order: Value = serde_json::from_str(&std::fs::read_to_string(assets("sample-order.json")).expect("order"))
        .expect("order json");
    let resp = http.post(format!("{base}/api/v1/orders")).bearer_auth(token).json(&order).send().await.expect("submit");
    assert!(resp.status().is_success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_picker_scans_in_tmux_the_pick_is_recorded_and_a_killed_picker_resumes() {
    if tmux_missing() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let db = floor_db(dir.path(), true);
    tote(&db, &["order", "submit", &assets("sample-order.json")]);
    let (server, base, _log) = serve(&db);
    let _server = KillOnDrop(server);

    let pick = pick_command(&base, "HH-7", dir.path(), "--poll-seconds 1");
    let tmux = Tmux::start("e2e", &pick);
    // The badge as a Code 128 scan with its AIM id, ended by CR.
    tmux.log_in(b"]C0P-001\r", "4711");
    // FIFO: the older mugs at A-01-01 (4 of the 6 ordered) come first.
    let s = tmux.wait_for("A-01-01");
    assert!(s.contains("4 x SKU-MUG"), "{s}");
    assert!(s.lines().all(|l| l.chars().count() <= 20));

    // A wrong shelf, ended by LF (Ctrl+J to the terminal): refused on screen.
    tmux.raw(b"A-07-02\n");
    tmux.wait_for("E101 wrong loc");
    tmux.raw(b"A-01-01\n");
    tmux.wait_for("Item _");
    // The mug as a GS1 DataMatrix: lot, GS, GTIN.
    tmux.raw(b"]d210LOT-1\x1d0104006381333931\r");
    tmux.wait_for("1 of 4 x SKU-MUG");
    tmux.run(&["send-keys", "-t", "s", "4", "Enter"]);
    // Sent when the count reaches the required quantity; the next item shows.
    let s = tmux.wait_for("PICK 2/3");
    assert!(!s.contains("A-01-01"), "{s}");

    // The pick went through the device's queue: wait until it is applied.
    let start = Instant::now();
    let task = loop {
        let task = picking_task(&base, 1).await;
        if task["items"][0]["status"] == "picked" || start.elapsed() > Duration::from_secs(20) {
            break task;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let item = &task["items"][0];
    assert_eq!((item["location"].as_str(), item["picked"].as_u64()), (Some("A-01-01"), Some(4)), "{task}");
    assert_eq!(item["status"], "picked");
    assert_eq!(task["status"], "in_progress");

    // Relayout on resize: too small, then the compact 40x8.
    tmux.run(&["resize-window", "-t", "s", "-x", "18", "-y", "6"]);
    tmux.wait_for("need 20x8");
    tmux.run(&["resize-window", "-t", "s", "-x", "40", "-y", "8"]);
    let s = tmux.wait_for("PICK 2/3");
    assert!(s.contains("Loc _"), "{s}");

    // Resume: the picker is killed (SIGKILL) mid-item and started again
    // with the same device id: same task, item and step, no login.
    tmux.raw(b"B-02-03\r");
    tmux.wait_for("Item _");
    tmux.run(&["set-option", "-t", "s", "remain-on-exit", "on"]);
    let pid = tmux.run(&["display-message", "-p", "-t", "s", "#{pane_pid}"]);
    // The shell's own kill: /bin/kill comes from procps, which a fresh machine may lack.
    let killed = Command::new("sh").args(["-c", &format!("kill -9 {}", pid.trim())]).status().expect("kill");
    assert!(killed.success());
    let start = Instant::now();
    while tmux.run(&["display-message", "-p", "-t", "s", "#{pane_dead}"]).trim() != "1" {
        assert!(start.elapsed() < Duration::from_secs(20), "the killed picker's pane is not dead");
        std::thread::sleep(Duration::from_millis(50));
    }
    tmux.run(&["respawn-pane", "-k", "-t", "s", &pick]);
    let s = tmux.wait_for("Item _");
    assert!(s.contains("PICK 2/3") && s.contains("B-02-03") && s.contains("2 x SKU-TEA"), "{s}");
    assert!(!s.contains("Badge"), "no second login: {s}");
}

/// `tote board` at 80x24: it goes live on the event stream, a new order
/// shows up in the queues without a key pressed, an order opens by id and
/// a priority change goes through.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_board_goes_live_and_acts_on_an_order() {
    if tmux_missing() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let db = floor_db(dir.path(), false);
    let (server, base, _log) = serve(&db);
    let _server = KillOnDrop(server);
    let board = format!(
        "exec {} board --server {base} --badge S-001 --pin 4711 --refresh-seconds 60",
        env!("CARGO_BIN_EXE_tote")
    );
    let tmux = Tmux::start_sized("board", &board, 80, 24);
    tmux.run(&["set-option", "-t", "s", "remain-on-exit", "on"]);
    let s = tmux.wait_for("live");
    assert!(s.contains("TOTE BOARD") && s.contains("no open work"), "{s}");
    // An order arrives over the API: the stream, not the 60 s refresh, shows it.
    post_sample_order(&base).await;
    let s = tmux.wait_for("picking  pending");
    assert!(s.contains("high"), "{s}");
    tmux.run(&["send-keys", "-t", "s", "o", "1", "Enter"]);
    let s = tmux.wait_for("order-fulfillment-1 running at await_pick");
    assert!(s.contains("waiting for picking task 1"), "{s}");
    tmux.run(&["send-keys", "-t", "s", "p", "4"]);
    tmux.wait_for("order 1 is now urgent");
    tmux.wait_for("priority urgent");
    tmux.run(&["send-keys", "-t", "s", "Escape", "q"]);
    let start = Instant::now();
    while tmux.run(&["display-message", "-p", "-t", "s", "#{pane_dead}"]).trim() != "1" {
        assert!(start.elapsed() < Duration::from_secs(10), "q did not quit the board");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A picker leaves a task in progress; the supervisor, on `tote board`
/// in tmux, chooses the task and then another picker from the lists (↑/↓,
/// Enter). The first picker's screen says the task went to another
/// picker; the task keeps its picked units and is the second picker's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_board_reassigns_a_task_in_progress_chosen_from_lists() {
    if tmux_missing() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let db = floor_db(dir.path(), true);
    tote(&db, &["worker", "add", "--badge", "P-002", "--name", "Petra", "--role", "picker", "--pin", "4711"]);
    tote(&db, &["order", "submit", &assets("sample-order.json")]);
    let (server, base, _log) = serve(&db);
    let _server = KillOnDrop(server);
    let picker = Tmux::start("reassign-pick", &pick_command(&base, "HH-3", dir.path(), "--poll-seconds 1"));
    picker.log_in(b"P-001\r", "4711");
    picker.wait_for("A-01-01");
    picker.raw(b"A-01-01\r");
    picker.wait_for("Item _");
    picker.raw(b"4006381333931\r");
    picker.run(&["send-keys", "-t", "s", "4", "Enter"]);
    picker.wait_for("PICK 2/3");
    let pia = picking_task(&base, 1).await["worker_id"].clone();

    let board = format!(
        "exec {} board --server {base} --badge S-001 --pin 4711 --refresh-seconds 60",
        env!("CARGO_BIN_EXE_tote")
    );
    let tmux = Tmux::start_sized("reassign-board", &board, 80, 24);
    tmux.wait_for("live");
    tmux.run(&["send-keys", "-t", "s", "o", "1", "Enter"]);
    tmux.wait_for("order-fulfillment-1");
    tmux.run(&["send-keys", "-t", "s", "a"]);
    let s = tmux.wait_for("Reassign which picking task?");
    assert!(s.contains("> pick 1 in_progress 1/3 (Pia)"), "{s}");
    tmux.run(&["send-keys", "-t", "s", "Enter"]);
    // Pia's handheld was heard from: she comes first, online.
    let s = tmux.wait_for("Task 1 to which picker?");
    assert!(s.contains("> P-001") && s.contains("P-002    Petra"), "{s}");
    tmux.run(&["send-keys", "-t", "s", "Down"]);
    tmux.wait_for("> P-002");
    tmux.run(&["send-keys", "-t", "s", "Enter"]);
    tmux.wait_for("picking task 1 now with worker P-002");

    let task = picking_task(&base, 1).await;
    assert_eq!(
        (task["status"].as_str(), task["items"][0]["picked"].as_u64()),
        (Some("in_progress"), Some(4)),
        "{task}"
    );
    assert!(task["worker_id"].is_i64() && task["worker_id"] != pia, "Petra's now: {task}");
    let s = picker.wait_for("TASK MOVED");
    assert!(s.contains("Hand over the tote:") && s.contains("4 SKU-MUG") && !s.contains("Put back"), "{s}");
    assert!(s.lines().all(|l| l.chars().count() <= 20), "{s}");
}

/// Work is pushed: a picker waiting with "No work now" and polling only
/// every 10 minutes gets an order posted to the API within seconds, through
/// the event stream.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_waiting_picker_gets_new_work_through_the_event_stream() {
    if tmux_missing() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let db = floor_db(dir.path(), true);
    let (server, base, _log) = serve(&db);
    let _server = KillOnDrop(server);
    let tmux = Tmux { socket: format!("tote-push-{}", std::process::id()) };
    let pick = pick_command(&base, "HH-8", dir.path(), "--poll-seconds 600");
    tmux.run(&["-f", "/dev/null", "new-session", "-d", "-s", "s", "-x", "20", "-y", "16", &pick]);
    tmux.wait_for("Badge _");
    tmux.run(&["send-keys", "-t", "s", "P-001", "Enter"]);
    tmux.wait_for("PIN _");
    tmux.run(&["send-keys", "-t", "s", "4711", "Enter"]);
    tmux.wait_for("No work now");
    // Give the stream a moment to connect, then post an order.
    std::thread::sleep(Duration::from_millis(1500));
    post_sample_order(&base).await;
    // Polling would take 10 minutes; wait_for gives up after 20 s.
    let s = tmux.wait_for("A-01-01");
    assert!(s.contains("SKU-MUG"), "{s}");
}
