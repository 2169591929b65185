//! The `tote` binary as a user runs it: real processes on a real file.

mod common;

use common::process::{run as tote, text};
use std::path::Path;
use std::process::Command;

fn asset(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("assets").join(name).display().to_string()
}

#[test]
fn help_lists_the_subcommands() {
    let o = Command::new(env!("CARGO_BIN_EXE_tote")).arg("--help").output().expect("run");
    assert!(o.status.success());
    let t = text(&o);
    for sub in ["init", "stock", "order", "worker", "demo", "workflows"] {
        assert!(t.contains(sub), "--help lacks {sub}: {t}");
    }
}

#[test]
fn import_submit_status_cancel() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("t.db");
    let o = tote(&db, &["order", "status", "1"]);
    assert!(!o.status.success());
    assert!(text(&o).contains("tote init"), "{}", text(&o));
    assert!(tote(&db, &["init", "--warehouse", "W1=Main"]).status.success());

    // A bad row names its line and field, and nothing is imported.
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "warehouse,location,sku,quantity\nW1,A-01,SKU-1,5\nW1,A-02,SKU-1,five\n").expect("write");
    let o = tote(&db, &["stock", "import", bad.to_str().expect("utf8")]);
    assert!(!o.status.success());
    assert!(text(&o).contains(":3: quantity:"), "{}", text(&o));
    let unknown = dir.path().join("unknown.csv");
    std::fs::write(&unknown, "warehouse,location,sku,quantity\nW1,A-01,SKU-1,5\nW9,A-02,SKU-1,5\n").expect("write");
    let o = tote(&db, &["stock", "import", unknown.to_str().expect("utf8")]);
    assert!(text(&o).contains(":3: E001 invalid warehouse: unknown warehouse"), "{}", text(&o));
    let o = tote(&db, &["stock", "locations", "--warehouse", "W1", "SKU-1"]);
    assert!(text(&o).contains("no stock of SKU-1"), "the failed imports left stock behind: {}", text(&o));

    // A good file imports once, however often it is run.
    for _ in 0..2 {
        let o = tote(&db, &["stock", "import", &asset("sample-stock.csv")]);
        assert!(o.status.success(), "{}", text(&o));
    }
    let o = tote(&db, &["stock", "locations", "--warehouse", "W1", "SKU-TEA"]);
    let t = text(&o);
    // FEFO: the lot expiring in December comes before the older January lot.
    let dec = t.find("2026-12-31").expect("December lot listed");
    let jan = t.find("2027-01-31").expect("January lot listed");
    assert!(dec < jan, "{t}");
    assert_eq!(t.matches("B-02-").count(), 2, "imported twice? {t}");

    let first = tote(&db, &["order", "submit", &asset("sample-order.json")]);
    assert!(first.status.success(), "{}", text(&first));
    assert!(text(&first).contains("order 1 open"), "{}", text(&first));
    // The same request again answers the same, and creates nothing.
    let again = tote(&db, &["order", "submit", &asset("sample-order.json")]);
    assert_eq!(text(&again), text(&first));
    assert!(!tote(&db, &["order", "status", "2"]).status.success());
    let o = tote(&db, &["order", "status", "1"]);
    assert!(text(&o).contains("picking task 1: pending 0/3"), "{}", text(&o));
    // Seed 004's verbs: start is submit; the address changes until a label
    // exists; describe shows the workflows' step, blocking reason and history.
    let o = tote(&db, &["order", "start", &asset("sample-order.json")]);
    assert_eq!(text(&o), text(&first), "start finds the same intake");
    let moved = ["order", "update-address", "1", "--contact-name", "Ana", "--street", "Nova 2", "--city", "Niš"];
    let o = tote(&db, &[&moved[..], &["--country", "RS"]].concat());
    assert!(text(&o).contains("address updated (1 workflow(s) took it)"), "{}", text(&o));
    let o = tote(&db, &[&moved[..], &["--country", "serbia"]].concat());
    assert!(!o.status.success() && text(&o).contains("ship_to.country"), "{}", text(&o));
    let o = tote(&db, &["order", "describe", "1"]);
    let t = text(&o);
    assert!(t.contains("order-intake-shop-2026-0001 completed at CREATED"), "{t}");
    assert!(t.contains("order-fulfillment-1 running at await_pick (high) — waiting for picking task 1"), "{t}");
    assert!(t.contains("address_updated") && t.contains("completed create_pick_work"), "{t}");
    let o = tote(&db, &["workflows", "list", "--status", "running"]);
    assert_eq!(text(&o).lines().count(), 1, "{}", text(&o));
    let o = tote(&db, &["workflows", "retry", "order-fulfillment-1"]);
    assert!(!o.status.success() && text(&o).contains("E601 refused: nothing to retry"), "{}", text(&o));
    let o = tote(&db, &["order", "cancel", "1", "--reason", "test"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("8 reserved units released"), "{}", text(&o));
    let o = tote(&db, &["order", "cancel", "1"]);
    assert!(!o.status.success());
    assert!(text(&o).contains("E003"), "{}", text(&o));
}

#[test]
fn a_malformed_order_file_is_refused_with_its_position() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("t.db");
    assert!(tote(&db, &["init", "--warehouse", "W1"]).status.success());
    let f = dir.path().join("o.json");
    std::fs::write(&f, "{\"request_id\": \"r\", \"lines\": []}").expect("write");
    let o = tote(&db, &["order", "submit", f.to_str().expect("utf8")]);
    assert!(!o.status.success());
    assert!(text(&o).contains("ship_to"), "{}", text(&o));
    let f2 = dir.path().join("o2.json");
    let body = std::fs::read_to_string(asset("sample-order.json"))
        .expect("read")
        .replace("\"quantity\": 6", "\"quantity\": 0");
    std::fs::write(&f2, body).expect("write");
    let o = tote(&db, &["order", "submit", f2.to_str().expect("utf8")]);
    assert!(text(&o).contains("lines[0].quantity"), "{}", text(&o));
}

#[test]
fn the_demo_builds_a_fresh_warehouse_each_run_and_stops_without_a_terminal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let demo = dir.path().join("demo");
    let run = || {
        Command::new(env!("CARGO_BIN_EXE_tote"))
            .args(["demo", "--dir"])
            .arg(&demo)
            .stdin(std::process::Stdio::null())
            .output()
            .expect("run demo")
    };
    for _ in 0..2 {
        let o = run();
        assert!(o.status.success(), "{}", text(&o));
        let t = text(&o);
        assert!(t.contains("300 stock lots, 36 orders, 4 workers"), "{t}");
        assert!(t.contains("no terminal here"), "{t}");
    }
    // The database is a real one: its orders are there, each with a picking task.
    let o = tote(&demo.join("tote.db"), &["order", "status", "36"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("picking task"), "{}", text(&o));
    // The scripted tour still runs on its own file.
    let o = tote(&dir.path().join("tour.db"), &["demo", "--tour"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("events in the outbox"), "{}", text(&o));
}

#[test]
fn webhooks_are_added_listed_and_replayed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("t.db");
    assert!(tote(&db, &["init", "--warehouse", "W1"]).status.success());
    let short = tote(&db, &["webhook", "add", "shop", "http://127.0.0.1:9/hook", "--secret", "short"]);
    assert!(!short.status.success() && text(&short).contains("16 characters"), "{}", text(&short));
    let ok = tote(&db, &["webhook", "add", "shop", "http://127.0.0.1:9/hook", "--secret", "0123456789abcdef0123"]);
    assert!(ok.status.success(), "{}", text(&ok));
    let again = tote(&db, &["webhook", "add", "shop", "http://127.0.0.1:9/x", "--secret", "0123456789abcdef0123"]);
    assert!(!again.status.success() && text(&again).contains("name taken"), "{}", text(&again));
    let list = tote(&db, &["webhook", "list"]);
    assert!(text(&list).contains("shop") && text(&list).contains("0 pending"), "{}", text(&list));
    let replay = tote(&db, &["events", "replay", "shop", "--from", "1"]);
    assert!(replay.status.success() && text(&replay).contains("0 deliveries"), "{}", text(&replay));
    assert!(!tote(&db, &["events", "replay", "nobody"]).status.success());
}

/// The dock and quarantine from the command line: a manifest with nothing
/// at the dock says so, an unknown parcel or warehouse is a clear error,
/// and quarantine refuses more than it holds.
#[test]
fn dispatch_and_quarantine_commands() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("t.db");
    assert!(tote(&db, &["init", "--warehouse", "W1=Main"]).status.success());
    let o = tote(&db, &["dispatch", "close", "--warehouse", "W1"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("nothing at the dock"), "{}", text(&o));
    let o = tote(&db, &["dispatch", "close", "--warehouse", "W9"]);
    assert!(!o.status.success() && text(&o).contains("W9"), "{}", text(&o));
    let o = tote(&db, &["dispatch", "scan", "TT000000999RS"]);
    assert!(!o.status.success() && text(&o).contains("TT000000999RS"), "{}", text(&o));
    assert!(tote(&db, &["stock", "import", &asset("sample-stock.csv")]).status.success());
    let o = tote(&db, &["stock", "quarantine", "--warehouse", "W1", "--location", "A-01-01", "--sku", "SKU-MUG"]);
    assert!(!o.status.success() && text(&o).contains("quarantine at A-01-01: need 1, available 0"), "{}", text(&o));
}

/// Completions and man pages come from the same clap definitions as the
/// parser, so they name every command, the new ones too.
#[test]
fn completions_and_man_pages_name_the_commands() {
    let run = |args: &[&str]| Command::new(env!("CARGO_BIN_EXE_tote")).args(args).output().expect("run");
    let bash = run(&["completions", "bash"]);
    assert!(bash.status.success(), "{}", text(&bash));
    let bash = String::from_utf8_lossy(&bash.stdout);
    assert!(bash.contains("_tote()") && bash.contains("backup") && bash.contains("put-back"), "bash completion");
    let zsh = run(&["completions", "zsh"]);
    assert!(String::from_utf8_lossy(&zsh.stdout).starts_with("#compdef tote"));
    assert!(!run(&["completions", "tcsh"]).status.success(), "an unknown shell is refused");
    let man = run(&["man"]);
    let page = String::from_utf8_lossy(&man.stdout);
    assert!(page.contains(".TH tote 1") && page.contains("backup"), "{page}");
    let dir = tempfile::tempdir().expect("tempdir");
    let o = run(&["man", "--dir", dir.path().to_str().expect("utf-8")]);
    assert!(o.status.success(), "{}", text(&o));
    for page in ["tote.1", "tote-backup.1", "tote-serve.1", "tote-order-status.1"] {
        assert!(dir.path().join(page).exists(), "{page} written");
    }
}

/// `tote … | head`: the reader goes away before the output is written; the
/// command ends by SIGPIPE as any Unix tool does, without a panic message.
#[test]
fn a_closed_pipe_ends_a_command_quietly() {
    use std::os::unix::process::ExitStatusExt;
    let mut child = Command::new(env!("CARGO_BIN_EXE_tote"))
        .args(["completions", "bash"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    // Close the read end at once: the 120 KB script cannot all fit the pipe.
    drop(child.stdout.take());
    let o = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(o.status.signal(), Some(13), "ended by SIGPIPE, not a panic: {:?} {stderr}", o.status);
}

#[test]
fn a_warehouse_gets_a_ship_from_address_checked_field_by_field() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("t.db");
    assert!(tote(&db, &["init", "--warehouse", "W1=Main"]).status.success());
    let list = text(&tote(&db, &["warehouse", "list"]));
    assert!(list.contains("W1\tMain\tno ship-from address"), "{list}");
    let set = |country: &str| {
        tote(
            &db,
            &[
                "warehouse",
                "address",
                "W1",
                "--contact-name",
                "Dock 1",
                "--street",
                "Kvai 7",
                "--city",
                "Novi Sad",
                "--postal-code",
                "21000",
                "--country",
                country,
            ],
        )
    };
    let o = set("rs");
    assert!(!o.status.success() && text(&o).contains("address.country"), "{}", text(&o));
    assert!(set("RS").status.success());
    let list = text(&tote(&db, &["warehouse", "list"]));
    assert!(list.contains("W1\tMain\tDock 1, Kvai 7, 21000 Novi Sad, RS"), "{list}");
    let o = tote(
        &db,
        &["warehouse", "address", "W9", "--contact-name", "x", "--street", "y", "--city", "z", "--country", "RS"],
    );
    assert!(!o.status.success() && text(&o).contains("W9"), "{}", text(&o));
}

/// `tote bench api` runs its three designs and checks that every
/// acknowledged scan is in its database once (it fails otherwise): a
/// short run, so the bench the notes quote keeps working.
#[test]
fn the_api_bench_runs_and_every_acknowledged_scan_is_stored_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = tote(&dir.path().join("unused.db"), &["bench", "api", "--clients", "3", "--seconds", "0.3"]);
    let t = text(&o);
    assert!(o.status.success(), "{t}");
    for design in ["ceiling (no-op)", "group commit", "commit per op"] {
        let row = t.lines().find(|l| l.contains(design)).unwrap_or_else(|| panic!("{design} in:\n{t}"));
        // The last column counts failed requests; the three before it the
        // CPU per op of the server's runtime, its writer and the generator,
        // read from the threads (this runs on Linux).
        let cols: Vec<&str> = row.split_whitespace().collect();
        assert_eq!(cols.last(), Some(&"0"), "{row}");
        let cpu: f64 = cols[cols.len() - 4..cols.len() - 1].iter().filter_map(|c| c.parse::<f64>().ok()).sum();
        assert!(cpu > 0.0, "no CPU counted: {row}");
    }
    assert!(t.contains("group / per-op"), "{t}");
}

/// `tote bench writer` with several items per task: the lanes' picks are
/// all stored once (it checks, and fails otherwise), and it reports the
/// writer's CPU per op.
#[test]
fn the_writer_bench_runs_with_several_items_per_task() {
    let dir = tempfile::tempdir().expect("tempdir");
    let args = ["bench", "writer", "--ops", "300", "--rounds", "1", "--lines", "3"];
    let o = tote(&dir.path().join("unused.db"), &args);
    let t = text(&o);
    assert!(o.status.success() && t.contains("3 items per task"), "{t}");
    let row = t.lines().last().unwrap_or_default();
    let cpu: f64 = row.split_whitespace().last().and_then(|c| c.parse().ok()).unwrap_or(0.0);
    assert!(cpu > 0.0, "no CPU counted: {t}");
}
