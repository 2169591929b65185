//! `tote pick`, `tote pack`, `tote dock` and `tote put-back`: the floor TUIs on this terminal, talking to
//! a `tote serve` over HTTP. Settings: defaults, then the `[floor]` table
//! of a `--config` file (packaging/floor.toml lists every key), then a
//! `TOTE_*` variable for every key, then flags.

use anyhow::{Context, Result};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tote::keymap::Keymap;
use tote::printing::PrinterUri;
use tote::scanner::ScannerConfig;
use tote::tui::input::Input;
use tote::tui::term::{self, Options};

/// Flags shared by `tote pick` and `tote pack`; `None` means "not given".
#[derive(Debug, clap::Args)]
pub struct FloorArgs {
    /// A TOML file with a [floor] table (see packaging/floor.toml).
    #[arg(long, env = "TOTE_FLOOR_CONFIG")]
    config: Option<PathBuf>,
    /// The server's address [default: http://127.0.0.1:8080].
    #[arg(long, env = "TOTE_SERVER")]
    server: Option<String>,
    /// This terminal's id, recorded with the session [default: handheld].
    #[arg(long, env = "TOTE_DEVICE")]
    device: Option<String>,
    /// A site keymap (TOML, like assets/keymap.toml).
    #[arg(long, env = "TOTE_KEYMAP")]
    keymap: Option<PathBuf>,
    /// Characters this site's scanners send before every scan.
    #[arg(long, env = "TOTE_SCAN_PREFIX")]
    scan_prefix: Option<String>,
    /// Where the TUI logs, never to the screen [default: tote-tui.log].
    #[arg(long, env = "TOTE_TUI_LOG")]
    log: Option<PathBuf>,
    /// Seconds between looks for new work and cancellations when the event
    /// stream is down (it wakes the app at once otherwise) [default: 5].
    #[arg(long, env = "TOTE_POLL_SECONDS")]
    poll_seconds: Option<u64>,
    /// The station's label printer (tote pack): serial:///dev/ttyUSB0?baud=9600,
    /// usb:///dev/usb/lp0, tcp://HOST:9100, file:///dir/ or -.
    #[arg(long, env = "TOTE_PRINTER")]
    printer: Option<String>,
    /// Where the device keeps its own file (op queue, cached tasks,
    /// session, screen, print jobs) [default: $XDG_DATA_HOME/tote].
    #[arg(long, env = "TOTE_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// (tote pick) Cluster picking: walk a wave's batch, one tote per order.
    #[arg(long)]
    cluster: bool,
    /// The site CA (PEM) to trust for an https:// server (`tote cert` makes it).
    #[arg(long, env = "TOTE_CA")]
    ca: Option<PathBuf>,
    /// (tote pack) The heaviest package this station takes, in kg.
    #[arg(long, env = "TOTE_MAX_WEIGHT_KG")]
    max_weight_kg: Option<u64>,
    /// (tote pack) The longest side of a package here, in mm.
    #[arg(long, env = "TOTE_MAX_SIDE_MM")]
    max_side_mm: Option<u32>,
    /// Days the device keeps the ops the server answered [default: 7].
    #[arg(long, env = "TOTE_KEEP_ANSWERED_DAYS")]
    keep_answered_days: Option<u32>,
    /// (tote pick) true: the last pick completes the task and the next is
    /// claimed, no key between tasks [default: false].
    #[arg(long, env = "TOTE_AUTO_NEXT")]
    auto_next: Option<bool>,
}

/// The `[floor]` table; every key optional.
#[derive(Debug, Default, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Floor {
    pub server: Option<String>,
    pub device: Option<String>,
    pub keymap: Option<PathBuf>,
    pub scan_prefix: Option<String>,
    pub log: Option<PathBuf>,
    pub poll_seconds: Option<u64>,
    pub printer: Option<String>,
    pub data_dir: Option<PathBuf>,
    /// (tote pack) The heaviest package this station takes, in kg.
    pub max_weight_kg: Option<u64>,
    /// (tote pack) The longest side of a package here, in mm.
    pub max_side_mm: Option<u32>,
    /// The site CA (PEM) to trust for an https:// server.
    pub ca: Option<PathBuf>,
    /// Days the device keeps the ops the server answered (retention).
    pub keep_answered_days: Option<u32>,
    /// (tote pick) No key between tasks.
    pub auto_next: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    floor: Floor,
}

/// Reads the `[floor]` table of `path`; an unknown key is an error naming it.
pub fn read_config(path: &Path) -> Result<Floor> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let file: File = toml::from_str(&text).with_context(|| format!("in config file {}", path.display()))?;
    Ok(file.floor)
}

impl FloorArgs {
    /// Flags (and variables) over the file over the defaults.
    fn resolve(&self) -> Result<Floor> {
        let file = self.config.as_deref().map(read_config).transpose()?.unwrap_or_default();
        let pick = |flag: &Option<String>, file: Option<String>, default: &str| {
            flag.clone().or(file).unwrap_or_else(|| default.to_owned())
        };
        Ok(Floor {
            server: Some(pick(&self.server, file.server, "http://127.0.0.1:8080")),
            device: Some(pick(&self.device, file.device, "handheld")),
            keymap: self.keymap.clone().or(file.keymap),
            scan_prefix: self.scan_prefix.clone().or(file.scan_prefix),
            log: Some(self.log.clone().or(file.log).unwrap_or_else(|| "tote-tui.log".into())),
            poll_seconds: Some(self.poll_seconds.or(file.poll_seconds).unwrap_or(5)),
            printer: self.printer.clone().or(file.printer),
            data_dir: Some(self.data_dir.clone().or(file.data_dir).unwrap_or_else(default_data_dir)),
            max_weight_kg: self.max_weight_kg.or(file.max_weight_kg),
            max_side_mm: self.max_side_mm.or(file.max_side_mm),
            ca: self.ca.clone().or(file.ca),
            keep_answered_days: Some(self.keep_answered_days.or(file.keep_answered_days).unwrap_or(7)),
            auto_next: Some(self.auto_next.or(file.auto_next).unwrap_or(false)),
        })
    }

    /// The log file, as early as main needs it (before anything else runs).
    pub fn log(&self) -> PathBuf {
        self.resolve().ok().and_then(|f| f.log).unwrap_or_else(|| "tote-tui.log".into())
    }
}

/// `$XDG_DATA_HOME/tote`, else `~/.local/share/tote`, else `./tote-data`.
fn default_data_dir() -> PathBuf {
    match (std::env::var_os("XDG_DATA_HOME"), std::env::var_os("HOME")) {
        (Some(x), _) if !x.is_empty() => PathBuf::from(x).join("tote"),
        (_, Some(h)) if !h.is_empty() => PathBuf::from(h).join(".local/share/tote"),
        _ => PathBuf::from("tote-data"),
    }
}

/// The device's file in `dir`: one per device id, so a restarted terminal
/// with the same id resumes where it was.
pub fn device_file(dir: &Path, device: &str) -> Result<PathBuf> {
    let ok = !device.is_empty() && device.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !ok {
        anyhow::bail!("device id {device:?}: letters, digits, '-' and '_' only");
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir.join(format!("device-{device}.db")))
}

fn setup(f: &Floor, with_printer: bool) -> Result<(Input, Options)> {
    if let Some(ca) = &f.ca {
        tote::tls::trust(ca).context("the site CA (ca, --ca, TOTE_CA)")?;
    }
    let keymap = match &f.keymap {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
            Keymap::from_toml(&text).map_err(anyhow::Error::msg).with_context(|| format!("in {}", path.display()))?
        }
        None => Keymap::defaults(),
    };
    let printer = match &f.printer {
        Some(uri) if with_printer => Some(uri.parse::<PrinterUri>()?),
        _ => None,
    };
    let device = f.device.clone().unwrap_or_default();
    let device_db = device_file(f.data_dir.as_deref().unwrap_or(Path::new(".")), &device)?;
    let scanner = ScannerConfig { prefix: f.scan_prefix.clone(), ..ScannerConfig::default() };
    let opts = Options {
        server: f.server.clone().unwrap_or_default(),
        device,
        tick: Duration::from_secs(f.poll_seconds.unwrap_or(5).max(1)),
        printer,
        device_db: Some(device_db),
        keep_answered: chrono::Duration::days(i64::from(f.keep_answered_days.unwrap_or(7).clamp(1, 365))),
    };
    Ok((Input::new(keymap, scanner), opts))
}

pub fn pick(a: &FloorArgs) -> Result<()> {
    let floor = a.resolve()?;
    let (input, opts) = setup(&floor, false)?;
    if a.cluster {
        return term::run(&mut tote::tui::cluster::Cluster::new(input), opts);
    }
    let auto_next = floor.auto_next.unwrap_or(false);
    term::run(&mut tote::tui::picker::Picker::new(input).with_auto_next(auto_next), opts)
}

pub fn pack(a: &FloorArgs) -> Result<()> {
    let floor = a.resolve()?;
    let limits = limits(&floor)?;
    let (input, opts) = setup(&floor, true)?;
    term::run(&mut tote::tui::packer::Packer::new(input).with_limits(limits), opts)
}

/// The station's measurement limits: the `[floor]` keys over the defaults,
/// never beyond what the server takes.
fn limits(f: &Floor) -> Result<tote::tui::packer::Limits> {
    use tote::domain::packing::{MAX_SIDE_MM, MAX_WEIGHT_G};
    let mut l = tote::tui::packer::Limits::default();
    if let Some(kg) = f.max_weight_kg {
        if kg == 0 || kg.saturating_mul(1000) > MAX_WEIGHT_G {
            anyhow::bail!("max_weight_kg must be 1 to {}, not {kg}", MAX_WEIGHT_G / 1000);
        }
        l.max_weight_g = kg * 1000;
    }
    if let Some(mm) = f.max_side_mm {
        if mm == 0 || mm > MAX_SIDE_MM {
            anyhow::bail!("max_side_mm must be 1 to {MAX_SIDE_MM}, not {mm}");
        }
        l.max_side_mm = mm;
    }
    Ok(l)
}

/// `tote dock` or `tote put-back`: a one-scan job on a handheld.
pub fn errand(a: &FloorArgs, job: tote::tui::dock::Job) -> Result<()> {
    let (input, opts) = setup(&a.resolve()?, false)?;
    term::run(&mut tote::tui::dock::Dock::new(job, input), opts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_packaged_floor_config_names_every_key_and_typos_are_refused() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("packaging/floor.toml");
        let f = read_config(&path).expect("packaging/floor.toml parses");
        assert_eq!(f.printer.as_deref(), Some("serial:///dev/ttyUSB0?baud=9600"));
        assert!(f.server.is_some() && f.device.is_some() && f.poll_seconds.is_some() && f.data_dir.is_some());
        assert_eq!(f.keep_answered_days, Some(7), "the file shows the default");
        assert_eq!(f.auto_next, Some(false), "the file shows the default");
        assert_eq!(limits(&f).expect("limits"), tote::tui::packer::Limits::default(), "the file shows the defaults");
        let heavy = Floor { max_weight_kg: Some(5000), ..f.clone() };
        assert!(limits(&heavy).expect_err("over the server's").to_string().contains("max_weight_kg"));
        let dir = tempfile::tempdir().expect("tempdir");
        let bad = dir.path().join("bad.toml");
        std::fs::write(&bad, "[floor]\nprinterr = \"-\"\n").expect("write");
        let e = format!("{:#}", read_config(&bad).expect_err("a typo is refused"));
        assert!(e.contains("printerr") && e.contains("bad.toml"), "{e}");
    }
}
