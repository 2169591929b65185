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
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            group_commit: true,
            max_batch: 1024,
            durability: Durability::Full,
            body_limit_bytes: 1024 * 1024,
            request_timeout: Duration::from_secs(30),
            token_ttl: chrono::Duration::hours(12),
            lockout: LockoutPolicy::default(),
            max_page: 500,
            max_intake_batch: 1000,
            engine: super::engine::EngineConfig::default(),
            workflow: crate::domain::workflow::Settings::default(),
            alerts: crate::domain::alerts::Thresholds::default(),
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
    token_ttl_hours: Option<i64>,
    lockout_failures: Option<u32>,
    lockout_minutes: Option<i64>,
    max_page: Option<u32>,
    max_intake_batch: Option<usize>,
    engine_workers: Option<usize>,
    pick_timeout_secs: Option<u64>,
    on_pick_timeout: Option<String>,
    alert_picking_minutes: Option<i64>,
    alert_packing_minutes: Option<i64>,
    alert_carrier_minutes: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
struct FileConfig {
    #[serde(default)]
    server: FileServer,
}

/// A config file read: the settings and the listen address and database it
/// names, if any.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    pub config: ServerConfig,
    pub listen: Option<String>,
    pub db: Option<String>,
}

impl ServerConfig {
    pub fn writer(&self) -> WriterConfig {
        WriterConfig { max_batch: if self.group_commit { self.max_batch.max(1) } else { 1 } }
    }

    /// Reads a TOML config (the `[server]` table) over the defaults. Unknown
    /// keys are an error, so a typo is not silently ignored.
    pub fn from_toml(text: &str) -> Result<Loaded, String> {
        let file: FileConfig = toml::from_str(text).map_err(|e| e.to_string())?;
        let s = file.server;
        let mut c = ServerConfig::default();
        if let Some(v) = s.group_commit {
            c.group_commit = v;
        }
        if let Some(v) = s.max_batch {
            c.max_batch = v.max(1);
        }
        if let Some(v) = s.synchronous {
            c.durability = parse_durability(&v)?;
        }
        if let Some(v) = s.body_limit_bytes {
            c.body_limit_bytes = v;
        }
        if let Some(v) = s.request_timeout_secs {
            c.request_timeout = Duration::from_secs(v.max(1));
        }
        if let Some(v) = s.token_ttl_hours {
            c.token_ttl = chrono::Duration::hours(v.max(1));
        }
        if let Some(v) = s.lockout_failures {
            c.lockout.max_failures = v.max(1);
        }
        if let Some(v) = s.lockout_minutes {
            c.lockout.lock_for = chrono::Duration::minutes(v.max(1));
        }
        if let Some(v) = s.max_page {
            c.max_page = v.max(1);
        }
        if let Some(v) = s.max_intake_batch {
            c.max_intake_batch = v.max(1);
        }
        if let Some(v) = s.engine_workers {
            c.engine.workers = v.max(1);
        }
        if let Some(v) = s.pick_timeout_secs {
            c.workflow.pick_timeout_secs = v;
        }
        if let Some(v) = s.alert_picking_minutes {
            c.alerts.picking_in_progress = chrono::Duration::minutes(v.max(1));
        }
        if let Some(v) = s.alert_packing_minutes {
            c.alerts.packing_without_dimensions = chrono::Duration::minutes(v.max(1));
        }
        if let Some(v) = s.alert_carrier_minutes {
            c.alerts.carrier_unavailable = chrono::Duration::minutes(v.max(1));
        }
        if let Some(v) = s.on_pick_timeout {
            c.workflow.on_pick_timeout = match v.as_str() {
                "requeue" => crate::domain::workflow::OnPickTimeout::Requeue,
                "fail" => crate::domain::workflow::OnPickTimeout::Fail,
                other => return Err(format!("on_pick_timeout must be requeue or fail, not {other:?}")),
            };
        }
        Ok(Loaded { config: c, listen: s.listen, db: s.db })
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

    #[test]
    fn the_packaged_config_parses_and_states_the_defaults() {
        let l = ServerConfig::from_toml(include_str!("../../packaging/tote.toml")).expect("packaged config");
        assert_eq!(l.config, ServerConfig::default(), "packaging/tote.toml must show the real defaults");
        assert_eq!(l.db.as_deref(), Some("/var/lib/tote/tote.db"));
    }
}
