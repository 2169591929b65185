//! `tote board`: the supervisor board on this terminal (see `tui::board`).

use anyhow::{Context, Result, bail};
use std::io::Write;
use std::time::Duration;
use tote::tui::board_run::{BoardOptions, run};

#[derive(Debug, clap::Args)]
pub struct BoardArgs {
    /// The server, e.g. http://127.0.0.1:8080.
    #[arg(long, env = "TOTE_SERVER", default_value = "http://127.0.0.1:8080")]
    pub server: String,
    /// A supervisor's or admin's badge.
    #[arg(long, env = "TOTE_BADGE")]
    pub badge: String,
    /// The PIN; asked for (not echoed) when not given.
    #[arg(long, env = "TOTE_PIN", hide_env_values = true)]
    pub pin: Option<String>,
    /// Refresh at least this often, also while the event stream is down.
    #[arg(long, default_value_t = 5)]
    pub refresh_seconds: u64,
    /// One warehouse's board (default: the warehouses the supervisor works in).
    #[arg(long, env = "TOTE_WAREHOUSE")]
    pub warehouse: Option<String>,
    /// The site CA (PEM) to trust for an https:// server (`tote cert` makes it).
    #[arg(long, env = "TOTE_CA")]
    pub ca: Option<std::path::PathBuf>,
}

/// Reads a PIN without echoing it.
fn ask_pin() -> Result<String> {
    use crossterm::event::{Event, KeyCode, read};
    eprint!("PIN: ");
    std::io::stderr().flush()?;
    crossterm::terminal::enable_raw_mode()?;
    let mut pin = String::new();
    let read_pin = loop {
        match read() {
            Ok(Event::Key(k)) => match k.code {
                KeyCode::Enter => break Ok(pin),
                KeyCode::Esc => break Err(anyhow::anyhow!("cancelled")),
                KeyCode::Backspace => {
                    pin.pop();
                }
                KeyCode::Char(c) => pin.push(c),
                _ => {}
            },
            Ok(_) => {}
            Err(e) => break Err(e.into()),
        }
    };
    crossterm::terminal::disable_raw_mode()?;
    eprintln!();
    read_pin
}

/// Logs a supervisor in; returns the session token.
pub fn login(server: &str, badge: &str, pin: &str) -> Result<String> {
    let http = tote::tls::blocking_client().timeout(Duration::from_secs(10)).build()?;
    let url = format!("{}/api/v1/auth/login", server.trim_end_matches('/'));
    let resp = http
        .post(&url)
        .json(&tote::contract::requests::LoginRequest { badge: badge.into(), pin: pin.into(), device_id: None })
        .send()
        .with_context(|| format!("reaching {server}"))?;
    let status = resp.status();
    let body: serde_json::Value = resp.json().context("reading the login answer")?;
    if !status.is_success() {
        bail!("login refused: {} {}", body["code"].as_str().unwrap_or(""), body["message"].as_str().unwrap_or(""));
    }
    if !matches!(body["role"].as_str(), Some("supervisor" | "admin")) {
        bail!("the board is for supervisors; {badge} is a {}", body["role"].as_str().unwrap_or("?"));
    }
    Ok(body["token"].as_str().context("no token in the login answer")?.to_owned())
}

pub fn board(args: &BoardArgs) -> Result<()> {
    if let Some(ca) = &args.ca {
        tote::tls::trust(ca).context("the site CA (--ca, TOTE_CA)")?;
    }
    let pin = match &args.pin {
        Some(p) => p.clone(),
        None => ask_pin()?,
    };
    let token = login(&args.server, &args.badge, &pin)?;
    let refresh = Duration::from_secs(args.refresh_seconds.max(1));
    run(BoardOptions { server: args.server.clone(), token, refresh, warehouse: args.warehouse.clone() })
}
