//! `tote` as a child process: run a command, or start `tote serve` on a free port.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

/// Runs `tote --db DB ARGS…`, which must succeed; returns its stdout.
pub fn tote(db: &Path, args: &[&str]) -> String {
    let o = run(db, args);
    assert!(o.status.success(), "tote {args:?}: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Runs `tote --db DB ARGS…`, succeed or not.
pub fn run(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tote"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("TOTE_DB")
        .output()
        .expect("run tote")
}

/// A finished command's stdout and stderr.
pub fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// Starts `tote serve` on a free port; returns the child and its base URL.
pub fn serve(db: &Path) -> (Child, String, std::thread::JoinHandle<String>) {
    serve_with(db, &[])
}

/// [`serve`] with more arguments (`--config FILE`).
pub fn serve_with(db: &Path, extra: &[&str]) -> (Child, String, std::thread::JoinHandle<String>) {
    serve_env(db, extra, &[])
}

/// [`serve_with`] with variables set for the server (a carrier's token).
pub fn serve_env(db: &Path, extra: &[&str], vars: &[(&str, &str)]) -> (Child, String, std::thread::JoinHandle<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tote"))
        .arg("--db")
        .arg(db)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(extra)
        .env_remove("TOTE_DB")
        .envs(vars.iter().copied())
        .env("TOTE_LOG", "info")
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn serve");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let mut base = None;
    for line in lines.by_ref() {
        let line = line.expect("line");
        if let Some(at) = line.find("http://").or_else(|| line.find("https://")) {
            base = Some(line[at..].split_whitespace().next().expect("url").to_owned());
            break;
        }
    }
    // Keep draining stderr so the server never blocks on a full pipe.
    let rest = std::thread::spawn(move || lines.map_while(Result::ok).collect::<Vec<_>>().join("\n"));
    (child, base.expect("serve printed its address"), rest)
}

/// A child process killed (and reaped) when the test ends, pass or fail.
/// `kill SIG pid` through the shell's builtin (no `procps` needed on a
/// fresh machine): `-STOP` makes a Wi-Fi dead spot, `-CONT` ends it.
pub fn signal(child: &Child, sig: &str) {
    let line = format!("kill {sig} {}", child.id());
    let ok = Command::new("sh").args(["-c", &line]).status().expect("sh");
    assert!(ok.success(), "{line}");
}

pub struct KillOnDrop(pub Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `tests/fakes/SCRIPT` (a fake outside service in Python) logging
/// its calls to `log`, with `vars` set; returns it and the port it printed.
pub fn fake_service(script: &str, log: &Path, vars: &[(&str, &str)]) -> (KillOnDrop, u16) {
    let mut child = Command::new("python3")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fakes").join(script))
        .arg(log)
        .envs(vars.iter().copied())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 runs the fake service");
    let mut line = String::new();
    let stdout = child.stdout.take().expect("stdout");
    BufReader::new(stdout).read_line(&mut line).expect("port line");
    (KillOnDrop(child), line.trim().parse().expect("the fake service prints its port"))
}

/// The JSON lines a fake service logged so far.
pub fn logged(log: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}
