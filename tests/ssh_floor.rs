//! A handheld over SSH, as a site serves `tote pick` to Android terminals:
//! a real OpenSSH server runs the `Match` block of `packaging/sshd-tote.conf`
//! (its `ForceCommand` with this build's binary and a floor config naming
//! the test's server; matched by user instead of group, since the test
//! cannot create users), a real `ssh` client runs in tmux at 20x16, and the
//! picker logs in and scans. The connection is then dropped (the client
//! SIGKILLed, as when a handheld leaves Wi-Fi for good) and a new one
//! resumes at the same step of the same task.

mod common;

use common::process::{KillOnDrop, serve, tote};
use common::tmux::{Tmux, assets, floor_db};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn keygen(path: &Path) {
    let o = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(path)
        .output()
        .expect("ssh-keygen (apt openssh-client; tools/test.sh installs it)");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

/// The packaged recipe's `Match` block, for this user and this build.
fn recipe(user: &str, floor: &Path) -> String {
    let packaged = include_str!("../packaging/sshd-tote.conf");
    let block = &packaged[packaged.find("Match Group tote-floor").expect("a Match block")..];
    block
        .replace("Match Group tote-floor", &format!("Match User {user}"))
        .replace("/usr/bin/tote", env!("CARGO_BIN_EXE_tote"))
        .replace("/etc/tote/floor.toml", &floor.display().to_string())
}

/// An OpenSSH server on a free port that takes only `key` for this user.
fn sshd(dir: &Path, user: &str, floor: &Path) -> (KillOnDrop, u16) {
    let sshd = ["/usr/sbin/sshd", "/usr/bin/sshd"].into_iter().find(|p| Path::new(p).exists());
    let sshd = sshd.expect("sshd (apt openssh-server; tools/test.sh installs it)");
    keygen(&dir.join("host_key"));
    keygen(&dir.join("client_key"));
    std::fs::copy(dir.join("client_key.pub"), dir.join("authorized_keys")).expect("authorized_keys");
    // Privilege separation needs this directory when sshd runs as root.
    let _ = std::fs::create_dir_all("/run/sshd");
    let port = free_port();
    let config = format!(
        "Port {port}\nListenAddress 127.0.0.1\nHostKey {}\nAuthorizedKeysFile {}\nPidFile {}\n\
         StrictModes no\nUsePAM no\nPubkeyAuthentication yes\nKbdInteractiveAuthentication no\n\
         PermitRootLogin prohibit-password\nLogLevel VERBOSE\n{}",
        dir.join("host_key").display(),
        dir.join("authorized_keys").display(),
        dir.join("sshd.pid").display(),
        recipe(user, floor)
    );
    let path = dir.join("sshd_config");
    std::fs::write(&path, config).expect("sshd_config");
    let check = Command::new(sshd).arg("-t").arg("-f").arg(&path).output().expect("sshd -t");
    assert!(check.status.success(), "sshd refuses the recipe: {}", String::from_utf8_lossy(&check.stderr));
    let child = Command::new(sshd)
        .args(["-D", "-e", "-f"])
        .arg(&path)
        .stderr(Stdio::from(std::fs::File::create(dir.join("sshd.log")).expect("log")))
        .spawn()
        .expect("sshd");
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(start.elapsed() < Duration::from_secs(10), "sshd did not listen");
        std::thread::sleep(Duration::from_millis(50));
    }
    (KillOnDrop(child), port)
}

/// A process whose command line contains `needle` is running (read from
/// /proc: no procps needed).
fn running(needle: &str) -> bool {
    let Ok(procs) = std::fs::read_dir("/proc") else { return false };
    procs.flatten().any(|p| {
        std::fs::read(p.path().join("cmdline"))
            .is_ok_and(|c| String::from_utf8_lossy(&c).replace('\0', " ").contains(needle))
    })
}

/// `ssh` into the handheld session in tmux window `s` at 20x16.
fn connect(tmux: &Tmux, dir: &Path, user: &str, port: u16, first: bool) {
    let ssh = format!(
        "exec ssh -tt -p {port} -i {} -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
         -o LogLevel=ERROR -o BatchMode=yes {user}@127.0.0.1",
        dir.join("client_key").display()
    );
    if first {
        tmux.run(&["-f", "/dev/null", "new-session", "-d", "-s", "s", "-x", "20", "-y", "16", &ssh]);
    } else {
        tmux.run(&["respawn-pane", "-k", "-t", "s", &ssh]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handheld_over_ssh_picks_and_resumes_after_the_connection_drops() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = floor_db(dir.path(), true);
    tote(&db, &["order", "submit", &assets("sample-order.json")]);
    let (server, base, _log) = serve(&db);
    let _server = KillOnDrop(server);
    let user = std::env::var("USER").ok().filter(|u| !u.is_empty()).unwrap_or_else(|| "root".into());
    let floor = dir.path().join("floor.toml");
    let data = dir.path().join("data");
    std::fs::write(
        &floor,
        format!(
            "[floor]\nserver = \"{base}\"\nlog = \"{}\"\npoll_seconds = 1\ndata_dir = \"{}\"\n",
            dir.path().join("pick.log").display(),
            data.display()
        ),
    )
    .expect("floor.toml");
    let (_sshd, port) = sshd(dir.path(), &user, &floor);

    let tmux = Tmux { socket: format!("tote-ssh-{}", std::process::id()) };
    connect(&tmux, dir.path(), &user, port, true);
    tmux.run(&["set-option", "-t", "s", "remain-on-exit", "on"]);
    let log = || std::fs::read_to_string(dir.path().join("sshd.log")).unwrap_or_default();
    let s = tmux.wait_for_or("Badge _", &log);
    assert!(s.lines().all(|l| l.chars().count() <= 20), "{s}");
    tmux.log_in(b"P-001\r", "4711");
    tmux.wait_for("A-01-01");
    tmux.raw(b"A-01-01\r");
    tmux.wait_for("Item _");

    // The connection drops for good: the client is SIGKILLed, sshd sees the
    // connection close and hangs up on the session, and `tote pick` ends.
    let client = tmux.run(&["display-message", "-p", "-t", "s", "#{pane_pid}"]).trim().to_owned();
    let killed = Command::new("sh").args(["-c", &format!("kill -KILL {client}")]).status().expect("kill");
    assert!(killed.success());
    assert!(data.join(format!("device-{user}.db")).exists(), "the device is named after the SSH user");
    let pick = format!("pick --config {}", floor.display());
    let start = Instant::now();
    while running(&pick) {
        assert!(start.elapsed() < Duration::from_secs(15), "tote pick outlived its SSH session");
        std::thread::sleep(Duration::from_millis(100));
    }

    // A new connection: logged in again, the same task, at the item step.
    connect(&tmux, dir.path(), &user, port, false);
    let s = tmux.wait_for_or("Item _", &log);
    assert!(s.contains("A-01-01") || s.contains("SKU-MUG"), "resumed on the same item:\n{s}");
    assert!(!s.contains("Badge _"), "no second login:\n{s}");
}
