//! Server settings: defaults, then a TOML file, then flags (the CLI applies
//! flags and `TOTE_*` variables on top of what [`ServerConfig::from_toml`]
//! gives).

use crate::domain::auth::LockoutPolicy;
use crate::storage::Durability;
use serde::Deserialize;
use std::time::Duration;

/// Everything `tote serve` can be told.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerConfig {
    /// Commit concurrent commands together (true) or one commit per op.
    pub group_commit: bool,
    /// Most ops in one group commit.
    pub max_batch: usize,
    pub durability: Durability,
    pub body_limit_bytes: usize,
    pub request_timeout: Duration,
    /// How long a client may take to send a request's headers before its
    /// connection is closed (a request timeout starts only after them).
    pub header_read_timeout: Duration,
    /// How long a stopping server waits for open connections to finish.
    pub shutdown_grace: Duration,
    /// Login attempts for one badge in a minute (ten times this from one
    /// client address).
    pub login_attempts_per_minute: u32,
    /// How long a login token lives.
    pub token_ttl: chrono::Duration,
    pub lockout: LockoutPolicy,
    /// Longest list a request may ask for.
    pub max_page: u32,
    /// Orders one `POST /api/v1/orders/batch` may carry.
    pub max_intake_batch: usize,
    /// The workflow engine's workers.
    pub engine: super::engine::EngineConfig,
    /// What new fulfillment workflows are started with.
    pub workflow: crate::domain::workflow::Settings,
    /// When the stuck-work alerts fire (board and metrics).
    pub alerts: crate::domain::alerts::Thresholds,
    /// How long finished things are kept.
    pub retention: super::retention::RetentionConfig,
    /// Serve HTTPS with this certificate chain and key (PEM files).
    pub tls: Option<(std::path::PathBuf, std::path::PathBuf)>,
    /// A wave's batch no cluster picker claimed in this many minutes goes
    /// back to the single queue.
    pub batch_claim_minutes: u32,
    /// Which carrier ships each warehouse's parcels (`[carrier]`).
    pub carrier: crate::shipping::config::CarrierConfig,
    /// Redis Streams out and in (`[redis]`), if set.
    pub redis: Option<crate::integrations::RedisConfig>,
    /// The Listings service (`[listings]`), if set.
    pub listings: Option<crate::integrations::ListingsConfig>,
    /// Which engine runs new workflows: the embedded one, or Temporal.
    pub workflow_engine: crate::app::workflow::hosted::Engine,
    /// The Temporal cluster, with `workflow_engine = "temporal"`.
    pub temporal: Option<TemporalConfig>,
    /// Warehouses other sites on the same Temporal cluster hold, with
    /// their task queues: an order's lines for them are routed there.
    pub temporal_sites: crate::app::workflow::hosted::Sites,
}

/// Where the site's workflows run on Temporal (feature `temporal`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemporalConfig {
    /// The frontend, `HOST:PORT`.
    pub address: String,
    /// The site's task queue; `tote-<first warehouse>` when not given.
    pub task_queue: Option<String>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            group_commit: true,
            max_batch: 1024,
            durability: Durability::Full,
            body_limit_bytes: 1024 * 1024,
            request_timeout: Duration::from_secs(30),
            header_read_timeout: Duration::from_secs(10),
            shutdown_grace: Duration::from_secs(10),
            login_attempts_per_minute: 20,
            token_ttl: chrono::Duration::hours(12),
            lockout: LockoutPolicy::default(),
            max_page: 500,
            max_intake_batch: 1000,
            engine: super::engine::EngineConfig::default(),
            workflow: crate::domain::workflow::Settings::default(),
            alerts: crate::domain::alerts::Thresholds::default(),
            retention: super::retention::RetentionConfig::default(),
            tls: None,
            batch_claim_minutes: 15,
            carrier: Default::default(),
            redis: None,
            listings: None,
            workflow_engine: crate::app::workflow::hosted::Engine::Embedded,
            temporal: None,
            temporal_sites: Default::default(),
        }
    }
}

/// The writer's share of the settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriterConfig {
    pub max_batch: usize,
}

/// The `[server]` table of a config file; every key optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileServer {
    listen: Option<String>,
    db: Option<String>,
    group_commit: Option<bool>,
    max_batch: Option<usize>,
    synchronous: Option<String>,
    body_limit_bytes: Option<usize>,
    request_timeout_secs: Option<u64>,
    header_read_timeout_secs: Option<u64>,
    shutdown_grace_secs: Option<u64>,
    login_attempts_per_minute: Option<u32>,
    token_ttl_hours: Option<i64>,
    lockout_failures: Option<u32>,
    lockout_minutes: Option<i64>,
    max_page: Option<u32>,
    max_intake_batch: Option<usize>,
    engine_workers: Option<usize>,
    pick_timeout_secs: Option<u64>,
    on_pick_timeout: Option<String>,
    short_policy: Option<String>,
    stock_recheck_secs: Option<u64>,
    alert_picking_minutes: Option<i64>,
    alert_packing_minutes: Option<i64>,
    alert_carrier_minutes: Option<i64>,
    alert_dispatch_minutes: Option<i64>,
    alert_label_minutes: Option<i64>,
    retain_events_days: Option<u32>,
    retain_deliveries_days: Option<u32>,
    retain_workflows_days: Option<u32>,
    retain_sessions_days: Option<u32>,
    offline_window_days: Option<u32>,
    retention_sweep_secs: Option<u64>,
    tls_cert: Option<String>,
    tls_key: Option<String>,
    trust_ca: Option<String>,
    batch_claim_minutes: Option<u32>,
    workflow_engine: Option<String>,
    temporal_address: Option<String>,
    temporal_task_queue: Option<String>,
    temporal_sites: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct FileConfig {
    #[serde(default)]
    server: FileServer,
    /// Read by `shipping::config`, which names its own keys.
    carrier: Option<toml::Value>,
    /// Read by `integrations`, likewise.
    redis: Option<toml::Value>,
    listings: Option<toml::Value>,
}

/// A config file read: the settings and the listen address and database it
/// names, if any.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    pub config: ServerConfig,
    pub listen: Option<String>,
    pub db: Option<String>,
    /// A site CA the server's own calls (webhooks, carriers) trust.
    pub trust_ca: Option<std::path::PathBuf>,
}

impl ServerConfig {
    pub fn writer(&self) -> WriterConfig {
        WriterConfig { max_batch: if self.group_commit { self.max_batch.max(1) } else { 1 } }
    }

    /// Whether the workflow engine chosen can run: Temporal needs an
    /// address and a build with the `temporal` feature.
    pub fn check_engine(&self) -> Result<(), String> {
        if self.workflow_engine != crate::app::workflow::hosted::Engine::Temporal {
            return Ok(());
        }
        if !cfg!(feature = "temporal") {
            return Err("workflow_engine = temporal needs a tote built with `--features temporal`".into());
        }
        if self.temporal.is_none() {
            return Err("workflow_engine = temporal needs temporal_address (HOST:PORT)".into());
        }
        Ok(())
    }

    /// Reads a TOML config (the `[server]` table) over the defaults. Unknown
    /// keys are an error, so a typo is not silently ignored.
    pub fn from_toml(text: &str) -> Result<Loaded, String> {
        Self::load(Some(text), |_| None)
    }

    /// The settings: the defaults, then the config file's `[server]` table
    /// (`file`, if any), then a `TOTE_<KEY>` variable for every key of
    /// [`KEYS`] (`env` looks one up), each checked as the file's would be.
    pub fn load(file: Option<&str>, env: impl Fn(&str) -> Option<String>) -> Result<Loaded, String> {
        let mut table: toml::Table = match file {
            Some(text) => toml::from_str(text).map_err(|e| e.to_string())?,
            None => toml::Table::new(),
        };
        let server = table.entry("server").or_insert_with(|| toml::Value::Table(toml::Table::new()));
        let toml::Value::Table(server) = server else { return Err("[server] must be a table".into()) };
        for key in KEYS {
            let var = format!("TOTE_{}", key.to_ascii_uppercase());
            if let Some(v) = env(&var) {
                server.insert((*key).to_owned(), env_value(&v));
            }
        }
        let file: FileConfig =
            toml::Value::Table(table).try_into().map_err(|e: toml::de::Error| e.to_string().trim().to_owned())?;
        let s = file.server;
        let mut c = ServerConfig::default();
        if let Some(v) = file.carrier {
            c.carrier = crate::shipping::config::CarrierConfig::from_toml(v)?;
        }
        if let Some(v) = file.redis {
            let host = env("HOSTNAME").unwrap_or_else(|| "server".into());
            c.redis = Some(crate::integrations::RedisConfig::from_toml(v, &host)?);
        }
        if let Some(v) = file.listings {
            c.listings = Some(crate::integrations::ListingsConfig::from_toml(v)?);
        }
        let secs = |v: u64| Duration::from_secs(v);
        let minutes = chrono::Duration::minutes;
        set(&mut c.group_commit, s.group_commit, |v| v);
        set(&mut c.max_batch, within("max_batch", s.max_batch, 1, 65_536)?, |v| v);
        if let Some(v) = s.synchronous {
            c.durability = parse_durability(&v)?;
        }
        set(&mut c.body_limit_bytes, within("body_limit_bytes", s.body_limit_bytes, 1024, 64 << 20)?, |v| v);
        set(&mut c.request_timeout, within("request_timeout_secs", s.request_timeout_secs, 1, 3600)?, secs);
        set(&mut c.header_read_timeout, within("header_read_timeout_secs", s.header_read_timeout_secs, 1, 300)?, secs);
        set(&mut c.shutdown_grace, within("shutdown_grace_secs", s.shutdown_grace_secs, 1, 300)?, secs);
        let per_minute = within("login_attempts_per_minute", s.login_attempts_per_minute, 1, 10_000)?;
        set(&mut c.login_attempts_per_minute, per_minute, |v| v);
        set(&mut c.token_ttl, within("token_ttl_hours", s.token_ttl_hours, 1, 24 * 90)?, chrono::Duration::hours);
        set(&mut c.lockout.max_failures, within("lockout_failures", s.lockout_failures, 1, 1000)?, |v| v);
        set(&mut c.lockout.lock_for, within("lockout_minutes", s.lockout_minutes, 1, 24 * 60)?, minutes);
        set(&mut c.max_page, within("max_page", s.max_page, 1, 10_000)?, |v| v);
        set(&mut c.max_intake_batch, within("max_intake_batch", s.max_intake_batch, 1, 10_000)?, |v| v);
        set(&mut c.engine.workers, within("engine_workers", s.engine_workers, 1, 64)?, |v| v);
        // Up to 30 days; 0 turns the pick timeout off.
        let pick = within("pick_timeout_secs", s.pick_timeout_secs, 0, 30 * 24 * 3600)?;
        set(&mut c.workflow.pick_timeout_secs, pick, |v| v);
        let recheck = within("stock_recheck_secs", s.stock_recheck_secs, 10, 24 * 3600)?;
        set(&mut c.workflow.stock_recheck_secs, recheck, |v| v);
        const WEEK_MINUTES: i64 = 7 * 24 * 60;
        let alert = |name, v| within(name, v, 1, WEEK_MINUTES);
        set(&mut c.alerts.picking_in_progress, alert("alert_picking_minutes", s.alert_picking_minutes)?, minutes);
        set(
            &mut c.alerts.packing_without_dimensions,
            alert("alert_packing_minutes", s.alert_packing_minutes)?,
            minutes,
        );
        set(&mut c.alerts.carrier_unavailable, alert("alert_carrier_minutes", s.alert_carrier_minutes)?, minutes);
        set(&mut c.alerts.not_dispatched, alert("alert_dispatch_minutes", s.alert_dispatch_minutes)?, minutes);
        set(&mut c.alerts.label_not_printed, alert("alert_label_minutes", s.alert_label_minutes)?, minutes);
        let r = &mut c.retention;
        let days = |name, v| within(name, v, 1, 3650);
        set(&mut r.events_days, days("retain_events_days", s.retain_events_days)?, |v| v);
        set(&mut r.deliveries_days, days("retain_deliveries_days", s.retain_deliveries_days)?, |v| v);
        set(&mut r.workflows_days, days("retain_workflows_days", s.retain_workflows_days)?, |v| v);
        set(&mut r.sessions_days, days("retain_sessions_days", s.retain_sessions_days)?, |v| v);
        set(&mut r.offline_days, days("offline_window_days", s.offline_window_days)?, |v| v);
        set(&mut r.every, within("retention_sweep_secs", s.retention_sweep_secs, 1, 7 * 24 * 3600)?, secs);
        set(&mut c.batch_claim_minutes, within("batch_claim_minutes", s.batch_claim_minutes, 1, 24 * 60)?, |v| v);
        if let Some(v) = s.on_pick_timeout {
            c.workflow.on_pick_timeout = match v.as_str() {
                "requeue" => crate::domain::workflow::OnPickTimeout::Requeue,
                "fail" => crate::domain::workflow::OnPickTimeout::Fail,
                other => return Err(format!("on_pick_timeout must be requeue or fail, not {other:?}")),
            };
        }
        if let Some(v) = s.short_policy {
            c.workflow.short_policy = match v.as_str() {
                "ship" => crate::domain::workflow::ShortPolicy::Ship,
                "backorder" => crate::domain::workflow::ShortPolicy::Backorder,
                other => return Err(format!("short_policy must be ship or backorder, not {other:?}")),
            };
        }
        if let Some(v) = s.workflow_engine {
            c.workflow_engine = v.parse().map_err(|e| format!("workflow_engine {e}"))?;
        }
        c.temporal = s.temporal_address.map(|address| TemporalConfig { address, task_queue: s.temporal_task_queue });
        if let Some(v) = s.temporal_sites {
            c.temporal_sites = v.parse().map_err(|e| format!("temporal_sites: {e}"))?;
        }
        c.check_engine()?;
        c.tls = match (s.tls_cert, s.tls_key) {
            (Some(cert), Some(key)) => Some((cert.into(), key.into())),
            (None, None) => None,
            _ => return Err("tls_cert and tls_key go together: give both or neither".into()),
        };
        Ok(Loaded { config: c, listen: s.listen, db: s.db, trust_ca: s.trust_ca.map(Into::into) })
    }
}

/// Every key of the `[server]` table, as in `packaging/tote.toml`: each may
/// also be set by the variable `TOTE_<KEY>` (upper case), which wins over
/// the file (`every_key_is_packaged_and_set_by_its_variable`).
pub const KEYS: &[&str] = &[
    "listen",
    "db",
    "synchronous",
    "group_commit",
    "max_batch",
    "body_limit_bytes",
    "request_timeout_secs",
    "header_read_timeout_secs",
    "shutdown_grace_secs",
    "login_attempts_per_minute",
    "token_ttl_hours",
    "lockout_failures",
    "lockout_minutes",
    "max_page",
    "max_intake_batch",
    "engine_workers",
    "pick_timeout_secs",
    "on_pick_timeout",
    "short_policy",
    "stock_recheck_secs",
    "batch_claim_minutes",
    "workflow_engine",
    "temporal_address",
    "temporal_task_queue",
    "temporal_sites",
    "alert_picking_minutes",
    "alert_packing_minutes",
    "alert_carrier_minutes",
    "alert_dispatch_minutes",
    "alert_label_minutes",
    "retain_events_days",
    "retain_deliveries_days",
    "retain_workflows_days",
    "retain_sessions_days",
    "offline_window_days",
    "retention_sweep_secs",
    "tls_cert",
    "tls_key",
    "trust_ca",
];

/// A variable's text as the TOML value it stands for: a whole number, a
/// boolean, else a string.
fn env_value(v: &str) -> toml::Value {
    let v = v.trim();
    if let Ok(n) = v.parse::<i64>() {
        return toml::Value::Integer(n);
    }
    match v {
        "true" => toml::Value::Boolean(true),
        "false" => toml::Value::Boolean(false),
        _ => toml::Value::String(v.to_owned()),
    }
}

/// Puts `v`, made into the setting's type, into `slot` when the file gave one.
fn set<T, V>(slot: &mut T, v: Option<V>, into: impl FnOnce(V) -> T) {
    if let Some(v) = v {
        *slot = into(v);
    }
}

/// A setting from the file, refused (naming the key) outside `min..=max`:
/// a typo such as a timeout in milliseconds must not start a server that
/// overflows or never times out.
fn within<T: PartialOrd + std::fmt::Display + Copy>(
    key: &str,
    v: Option<T>,
    min: T,
    max: T,
) -> Result<Option<T>, String> {
    match v {
        Some(v) if v < min || v > max => Err(format!("{key} must be {min} to {max}, not {v}")),
        v => Ok(v),
    }
}

/// `full` or `normal`, as in SQLite's `PRAGMA synchronous`.
pub fn parse_durability(s: &str) -> Result<Durability, String> {
    match s.to_ascii_lowercase().as_str() {
        "full" => Ok(Durability::Full),
        "normal" => Ok(Durability::Normal),
        other => Err(format!("synchronous must be full or normal, not {other:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_overrides_defaults_and_rejects_typos() {
        let l = ServerConfig::from_toml(
            "[server]\nlisten = \"0.0.0.0:8080\"\ngroup_commit = false\nsynchronous = \"normal\"\n",
        )
        .expect("valid config");
        assert_eq!(l.listen.as_deref(), Some("0.0.0.0:8080"));
        assert!(!l.config.group_commit);
        assert_eq!(l.config.writer().max_batch, 1);
        assert_eq!(l.config.durability, Durability::Normal);
        assert!(ServerConfig::from_toml("[server]\ngroup_comit = true\n").is_err());
        assert!(ServerConfig::from_toml("[server]\nsynchronous = \"off\"\n").is_err());
    }

    /// Out-of-range durations and sizes are refused with the key's name,
    /// never clamped or left to overflow.
    #[test]
    fn settings_out_of_range_name_their_key() {
        let check = |line: &str, key: &str| {
            let e = ServerConfig::from_toml(&format!("[server]\n{line}\n")).expect_err(line);
            assert!(e.contains(key), "{line}: {e}");
        };
        check("pick_timeout_secs = 18446744073709551615", "pick_timeout_secs");
        check("request_timeout_secs = 0", "request_timeout_secs");
        check("header_read_timeout_secs = 100000", "header_read_timeout_secs");
        check("token_ttl_hours = -1", "token_ttl_hours");
        check("lockout_minutes = 9999999999", "lockout_minutes");
        check("alert_picking_minutes = 0", "alert_picking_minutes");
        check("engine_workers = 0", "engine_workers");
        check("offline_window_days = 0", "offline_window_days");
        check("retention_sweep_secs = 0", "retention_sweep_secs");
        let ok = ServerConfig::from_toml("[server]\npick_timeout_secs = 0\n").expect("0 turns it off");
        assert_eq!(ok.config.workflow.pick_timeout_secs, 0);
    }

    /// Every key the file takes is in `KEYS` and in the packaged config,
    /// and its variable sets it over the file, checked the same way.
    #[test]
    fn every_key_is_packaged_and_set_by_its_variable() {
        let packaged = include_str!("../../packaging/tote.toml");
        let table: toml::Table = toml::from_str(packaged).expect("packaged config");
        // Keys without a default (the TLS files) are in the file commented out.
        let commented = packaged
            .lines()
            .filter_map(|l| l.strip_prefix("# ")?.split_once(" = ").map(|(k, _)| k))
            .filter(|k| KEYS.contains(k));
        let mut in_file: Vec<&str> =
            table["server"].as_table().expect("[server]").keys().map(String::as_str).chain(commented).collect();
        let mut keys = KEYS.to_vec();
        in_file.sort_unstable();
        keys.sort_unstable();
        assert_eq!(in_file, keys, "packaging/tote.toml and KEYS list the same keys");
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |k: &str| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| (*v).to_owned())
        };
        let l = ServerConfig::load(Some(packaged), env(&[("TOTE_MAX_PAGE", "7"), ("TOTE_SHORT_POLICY", "backorder")]))
            .expect("valid");
        assert_eq!(l.config.max_page, 7);
        assert_eq!(l.config.workflow.short_policy, crate::domain::workflow::ShortPolicy::Backorder);
        assert_eq!(l.listen.as_deref(), Some("0.0.0.0:8080"), "the file's, where no variable is set");
        let l = ServerConfig::load(None, env(&[("TOTE_GROUP_COMMIT", "false"), ("TOTE_LISTEN", "127.0.0.1:9")]))
            .expect("no file");
        assert!(!l.config.group_commit);
        assert_eq!(l.listen.as_deref(), Some("127.0.0.1:9"));
        let e = ServerConfig::load(None, env(&[("TOTE_OFFLINE_WINDOW_DAYS", "0")])).expect_err("out of range");
        assert!(e.starts_with("offline_window_days"), "{e}");
        let e = ServerConfig::load(None, env(&[("TOTE_MAX_BATCH", "many")])).expect_err("not a number");
        assert!(e.contains("max_batch"), "{e}");
    }

    /// The commented `[carrier]`, `[redis]` and `[listings]` examples of
    /// the packaged config, switched on, are valid settings.
    #[test]
    fn the_packaged_integration_examples_parse() {
        let packaged = include_str!("../../packaging/tote.toml");
        let at = packaged.find("# [carrier]").expect("a [carrier] example");
        let example: String = packaged[at..]
            .lines()
            .filter_map(|l| l.strip_prefix("# "))
            .filter(|l| l.starts_with('[') || l.contains(" = "))
            .collect::<Vec<_>>()
            .join("\n");
        let l = ServerConfig::from_toml(&example).expect("the example parses");
        assert!(matches!(l.config.carrier.default, crate::shipping::config::CarrierSpec::DeliveryService { .. }));
        assert!(l.config.carrier.by_warehouse.contains_key("W2"));
        assert_eq!(l.config.redis.map(|r| r.consumer).as_deref(), Some("tote-site1"));
        assert!(l.config.listings.is_some_and(|c| c.base_url == "https://listings.example.com"));
    }

    #[test]
    fn the_packaged_config_parses_and_states_the_defaults() {
        let l = ServerConfig::from_toml(include_str!("../../packaging/tote.toml")).expect("packaged config");
        assert_eq!(l.config, ServerConfig::default(), "packaging/tote.toml must show the real defaults");
        assert_eq!(l.db.as_deref(), Some("/var/lib/tote/tote.db"));
    }

    #[test]
    fn the_temporal_engine_needs_the_feature_and_an_address() {
        let engine = |text: &str| ServerConfig::from_toml(text).map(|l| (l.config.workflow_engine, l.config.temporal));
        let no_address = engine("[server]\nworkflow_engine = \"temporal\"\n").expect_err("refused");
        let full = "[server]\nworkflow_engine = \"temporal\"\ntemporal_address = \"127.0.0.1:7233\"\n";
        if cfg!(feature = "temporal") {
            assert!(no_address.contains("temporal_address"), "{no_address}");
            let (e, t) = engine(full).expect("valid");
            assert_eq!(e, crate::app::workflow::hosted::Engine::Temporal);
            assert_eq!(t.map(|t| t.address), Some("127.0.0.1:7233".to_owned()));
        } else {
            assert!(no_address.contains("--features temporal"), "{no_address}");
            let refused = engine(full).expect_err("a build without the feature refuses it");
            assert!(refused.contains("--features temporal"), "{refused}");
        }
        let typo = engine("[server]\nworkflow_engine = \"temporl\"\n").expect_err("refused");
        assert!(typo.contains("embedded or temporal"), "{typo}");
    }
}
