//! A private tmux server (`tmux -L NAME`) as a real terminal for the floor
//! TUIs, and the floor database the terminal tests start from.

use super::process::tote;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

pub struct Tmux {
    pub socket: String,
}

impl Tmux {
    pub fn run(&self, args: &[&str]) -> String {
        let o = Command::new("tmux").arg("-L").arg(&self.socket).args(args).output().expect("run tmux");
        assert!(o.status.success(), "tmux {args:?}: {}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stdout).into_owned()
    }

    pub fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", "s"])
    }

    /// A private tmux server named after `tag` and this process, with one
    /// session `s` at 20x16 running `cmd`.
    pub fn start(tag: &str, cmd: &str) -> Tmux {
        Tmux::start_sized(tag, cmd, 20, 16)
    }

    /// [`Tmux::start`] on a terminal `width` x `height` (the board: 80x24).
    pub fn start_sized(tag: &str, cmd: &str, width: u16, height: u16) -> Tmux {
        let tmux = Tmux { socket: format!("tote-{tag}-{}", std::process::id()) };
        let (w, h) = (width.to_string(), height.to_string());
        tmux.run(&["-f", "/dev/null", "new-session", "-d", "-s", "s", "-x", &w, "-y", &h, cmd]);
        tmux
    }

    /// On the login screen: scans `badge` (raw bytes, terminator included)
    /// and types `pin`.
    pub fn log_in(&self, badge: &[u8], pin: &str) {
        self.wait_for("Badge _");
        self.raw(badge);
        self.wait_for("PIN _");
        self.run(&["send-keys", "-t", "s", pin, "Enter"]);
    }

    /// Polls the pane until it shows `text` (20 s at most).
    pub fn wait_for(&self, text: &str) -> String {
        self.wait_for_or(text, &String::new)
    }

    /// [`Tmux::wait_for`], showing `more()` (a log) too if it never comes.
    pub fn wait_for_or(&self, text: &str, more: &dyn Fn() -> String) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if s.contains(text) {
                return s;
            }
            if start.elapsed() > Duration::from_secs(20) {
                panic!("waited for {text:?}; the screen shows:\n{s}\n{}", more());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Sends bytes as they are, as a scanner would type them.
    pub fn raw(&self, bytes: &[u8]) {
        let hex: Vec<String> = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let mut args = vec!["send-keys", "-t", "s", "-H"];
        args.extend(hex.iter().map(String::as_str));
        self.run(&args);
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux").arg("-L").arg(&self.socket).arg("kill-server").status();
    }
}

pub fn tmux_missing() -> bool {
    let missing = Command::new("tmux").arg("-V").output().map(|o| !o.status.success()).unwrap_or(true);
    if missing {
        // Nothing passes by skipping: tools/test.sh installs tmux.
        panic!("tmux is not installed (apt install tmux, or run tools/test.sh)");
    }
    missing
}

pub fn assets(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("assets").join(name).display().to_string()
}

/// The floor database's supervisor (S-001) logged in: their token.
pub async fn supervisor(http: &reqwest::Client, base: &str) -> String {
    let body = serde_json::json!({"badge": "S-001", "pin": "4711"});
    let login: serde_json::Value = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&body)
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("login body");
    login["token"].as_str().expect("token").to_owned()
}

/// `GET path` as the supervisor, as JSON.
pub async fn get_as_supervisor(base: &str, path: &str) -> serde_json::Value {
    let http = reqwest::Client::new();
    let token = supervisor(&http, base).await;
    let resp = http.get(format!("{base}{path}")).bearer_auth(token).send().await.expect("get");
    resp.json().await.expect("a JSON body")
}

/// A floor database: warehouse W1 with the sample stock, a supervisor
/// S-001 and, with `picker`, a picker P-001 (PIN 4711 both).
pub fn floor_db(dir: &Path, picker: bool) -> std::path::PathBuf {
    let db = dir.join("floor.db");
    tote(&db, &["init", "--warehouse", "W1=Main"]);
    tote(&db, &["stock", "import", &assets("sample-stock.csv")]);
    if picker {
        tote(&db, &["worker", "add", "--badge", "P-001", "--name", "Pia", "--role", "picker", "--pin", "4711"]);
    }
    tote(&db, &["worker", "add", "--badge", "S-001", "--name", "Sam", "--role", "supervisor", "--pin", "4711"]);
    db
}

/// The command line of `tote pick` against `base` as device `device`,
/// logging and keeping its file in `dir`, with `extra` flags
/// (`--poll-seconds 30`, `--ca FILE`).
pub fn pick_command(base: &str, device: &str, dir: &Path, extra: &str) -> String {
    format!(
        "exec {} pick --server {base} --device {device} --log {} --data-dir {} {extra}",
        env!("CARGO_BIN_EXE_tote"),
        dir.join("pick.log").display(),
        dir.display()
    )
}
