//! `tote pick` and `tote pack`: the floor TUIs on this terminal, talking to
//! a `tote serve` over HTTP.

use anyhow::{Context, Result};
use std::path::PathBuf;
use std::time::Duration;
use tote::keymap::Keymap;
use tote::printing::PrinterUri;
use tote::scanner::ScannerConfig;
use tote::tui::input::Input;
use tote::tui::term::{self, Options};

/// Flags shared by `tote pick` and `tote pack`.
#[derive(Debug, clap::Args)]
pub struct FloorArgs {
    /// The server's address.
    #[arg(long, env = "TOTE_SERVER", default_value = "http://127.0.0.1:8080")]
    server: String,
    /// This terminal's id, recorded with the session.
    #[arg(long, env = "TOTE_DEVICE", default_value = "handheld")]
    device: String,
    /// A site keymap (TOML, like assets/keymap.toml).
    #[arg(long, env = "TOTE_KEYMAP")]
    keymap: Option<PathBuf>,
    /// Characters this site's scanners send before every scan.
    #[arg(long, env = "TOTE_SCAN_PREFIX")]
    scan_prefix: Option<String>,
    /// Where the TUI logs (never to the screen).
    #[arg(long, env = "TOTE_TUI_LOG", default_value = "tote-tui.log")]
    pub log: PathBuf,
    /// Seconds between polls for new work and cancellations.
    #[arg(long, default_value_t = 5)]
    poll_seconds: u64,
}

/// Extra flags of `tote pack`.
#[derive(Debug, clap::Args)]
pub struct PackArgs {
    #[command(flatten)]
    pub floor: FloorArgs,
    /// The station's label printer: serial:///dev/ttyUSB0?baud=9600,
    /// usb:///dev/usb/lp0, tcp://HOST:9100, file:///dir/ or -.
    #[arg(long, env = "TOTE_PRINTER")]
    printer: Option<String>,
    /// The station's spooler database (print jobs, so a reprint is one copy).
    #[arg(long, env = "TOTE_STATION_DB", default_value = "tote-station.db")]
    station_db: PathBuf,
}

fn setup(a: &FloorArgs, printer: Option<(PrinterUri, PathBuf)>) -> Result<(Input, Options)> {
    let keymap = match &a.keymap {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
            Keymap::from_toml(&text).map_err(anyhow::Error::msg).with_context(|| format!("in {}", path.display()))?
        }
        None => Keymap::defaults(),
    };
    let scanner = ScannerConfig { prefix: a.scan_prefix.clone(), ..ScannerConfig::default() };
    let opts = Options {
        server: a.server.clone(),
        device: a.device.clone(),
        tick: Duration::from_secs(a.poll_seconds.max(1)),
        printer,
    };
    Ok((Input::new(keymap, scanner), opts))
}

pub fn pick(a: &FloorArgs) -> Result<()> {
    let (input, opts) = setup(a, None)?;
    term::run(&mut tote::tui::picker::Picker::new(input), opts)
}

pub fn pack(a: &PackArgs) -> Result<()> {
    let printer = match &a.printer {
        Some(uri) => Some((uri.parse::<PrinterUri>()?, a.station_db.clone())),
        None => None,
    };
    let (input, opts) = setup(&a.floor, printer)?;
    term::run(&mut tote::tui::packer::Packer::new(input), opts)
}
