//! The domain core stays pure: no IO, no async, no SQL, no terminal, no
//! clock, no randomness. This reads every source file under `src/domain`
//! and fails on any use of the crates and APIs that would break that.

use std::path::{Path, PathBuf};

const BANNED: &[&str] = &[
    "rusqlite",
    "tokio",
    "axum",
    "reqwest",
    "ratatui",
    "crossterm",
    "serialport",
    "std::fs",
    "std::net",
    "std::io",
    "std::thread",
    "std::process",
    "std::env",
    "SystemTime",
    "Instant::now",
    "Utc::now",
    "Local::now",
    "now_v7",
    "new_v4",
    "rand::",
    "async fn",
    ".await",
    "serde_json",
];

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src/domain") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn domain_sources_use_no_io_clock_or_randomness() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = vec![root.join("domain.rs")];
    sources(&root.join("domain"), &mut files);
    assert!(files.len() > 5, "domain sources not found: {files:?}");
    let mut found = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("read source");
        for (n, line) in text.lines().enumerate() {
            for banned in BANNED {
                if line.contains(banned) {
                    found.push(format!("{}:{}: {banned}", file.display(), n + 1));
                }
            }
        }
    }
    assert!(found.is_empty(), "the domain must stay pure:\n{}", found.join("\n"));
}

#[test]
fn the_check_catches_a_violation() {
    // Guard against a scan that silently matches nothing.
    let sample = "use std::fs::read;";
    assert!(BANNED.iter().any(|b| sample.contains(b)));
}

/// Clients send the contract's request types (`tote::contract::requests`),
/// never JSON built by hand: no `json!` anywhere in the floor and board
/// clients.
#[test]
fn no_client_builds_a_json_body_by_hand() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = vec![root.join("tui.rs")];
    sources(&root.join("tui"), &mut files);
    assert!(files.len() > 5, "tui sources not found: {files:?}");
    let mut found = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("read source");
        for (n, line) in text.lines().enumerate() {
            if line.contains("json!") {
                found.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(found.is_empty(), "clients must send contract types:\n{}", found.join("\n"));
}
