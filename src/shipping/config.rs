//! Which carrier ships a warehouse's parcels: `[carrier]` in `tote.toml`,
//! with `[carrier.warehouses.CODE]` for a warehouse that ships otherwise.
//!
//! ```toml
//! [carrier]
//! kind = "delivery-service"          # or "local" (the default: no network)
//! base_url = "https://delivery.example.com"
//! provider = "PostExpress"           # PostExpress, D Express, ACS, Bex, YunExpress
//! token_env = "TOTE_CARRIER_TOKEN"   # the API token: from a variable ...
//! # token_file = "/etc/tote/carrier.token"   # ... or a file, never this file
//! ```
//!
//! Credentials never sit in the config file: a `token` (or `password`,
//! `api_key`, `secret`) key is refused.

use super::delivery::{DeliveryConfig, DeliveryServiceCarrier};
use super::local::LocalCarrier;
use super::{Carrier, CarrierError, Shipment, ShipmentRequest, TrackingStatus};
use crate::app::Clock;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// The providers seed 001 §3.2 names, as the delivery service spells them.
pub const PROVIDERS: &[&str] = &["PostExpress", "D Express", "ACS", "Bex", "YunExpress"];

/// Where a carrier's API token comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenSource {
    Env(String),
    File(PathBuf),
}

impl TokenSource {
    /// From a table's `token_env` and `token_file` keys (at most one);
    /// an error names the table `at`.
    pub fn from_keys(at: &str, env: Option<String>, file: Option<String>) -> Result<Option<TokenSource>, String> {
        match (env, file) {
            (Some(v), None) => Ok(Some(TokenSource::Env(v))),
            (None, Some(p)) => Ok(Some(TokenSource::File(p.into()))),
            (None, None) => Ok(None),
            (Some(_), Some(_)) => Err(format!("{at}: token_env or token_file, not both")),
        }
    }

    /// The token: the variable's value (`env` looks it up) or the file's
    /// first line; an error names what is missing.
    pub fn read(&self, env: &impl Fn(&str) -> Option<String>) -> Result<String, String> {
        match self {
            TokenSource::Env(var) => env(var).ok_or_else(|| format!("token_env: the variable {var} is not set")),
            TokenSource::File(path) => Ok(std::fs::read_to_string(path)
                .map_err(|e| format!("token_file {}: {e}", path.display()))?
                .trim()
                .to_owned()),
        }
    }
}

/// One carrier's settings.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum CarrierSpec {
    /// No network: tracking numbers made here (the demo, tests, a site
    /// that books its parcels elsewhere).
    #[default]
    Local,
    /// Seed 001 §6.2's delivery service over HTTP(S).
    DeliveryService { base_url: String, provider: String, token: Option<TokenSource>, timeout: Duration, attempts: u32 },
}

/// The `[carrier]` table: one carrier for every warehouse but those listed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CarrierConfig {
    pub default: CarrierSpec,
    pub by_warehouse: BTreeMap<String, CarrierSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileCarrier {
    kind: Option<String>,
    base_url: Option<String>,
    provider: Option<String>,
    token_env: Option<String>,
    token_file: Option<String>,
    timeout_secs: Option<u64>,
    attempts: Option<u32>,
    #[serde(default)]
    warehouses: BTreeMap<String, toml::Value>,
}

const SECRETS: &[&str] = &["token", "password", "api_key", "apikey", "secret", "credentials"];

impl CarrierConfig {
    /// Reads the `[carrier]` table; errors name the key.
    pub fn from_toml(v: toml::Value) -> Result<CarrierConfig, String> {
        let (default, warehouses) = spec("carrier", v)?;
        let mut by_warehouse = BTreeMap::new();
        for (code, v) in warehouses {
            let (s, nested) = spec(&format!("carrier.warehouses.{code}"), v)?;
            if !nested.is_empty() {
                return Err(format!("carrier.warehouses.{code}: warehouses do not nest"));
            }
            by_warehouse.insert(code, s);
        }
        Ok(CarrierConfig { default, by_warehouse })
    }

    /// The carriers, their tokens read (`env` looks a variable up): one
    /// [`Carrier`] that sends each request to its warehouse's carrier.
    pub fn build(&self, clock: Arc<dyn Clock>, env: impl Fn(&str) -> Option<String>) -> Result<Carriers, String> {
        let default = make(&self.default, &clock, &env).map_err(|e| format!("[carrier]: {e}"))?;
        let mut by_code = BTreeMap::new();
        for (code, s) in &self.by_warehouse {
            by_code
                .insert(code.clone(), make(s, &clock, &env).map_err(|e| format!("[carrier.warehouses.{code}]: {e}"))?);
        }
        Ok(Carriers { default, by_code })
    }
}

fn spec(at: &str, v: toml::Value) -> Result<(CarrierSpec, BTreeMap<String, toml::Value>), String> {
    if let Some(t) = v.as_table()
        && let Some(k) = t.keys().find(|k| SECRETS.contains(&k.to_ascii_lowercase().as_str()))
    {
        return Err(format!(
            "{at}.{k}: credentials never go in the config file; name a variable (token_env) or a file (token_file)"
        ));
    }
    let f: FileCarrier = v.try_into().map_err(|e: toml::de::Error| format!("{at}: {}", e.to_string().trim()))?;
    let s = match f.kind.as_deref().unwrap_or("local") {
        "local" => CarrierSpec::Local,
        "delivery-service" => {
            let base_url = f.base_url.ok_or_else(|| format!("{at}.base_url: required for delivery-service"))?;
            if !(base_url.starts_with("https://") || base_url.starts_with("http://")) {
                return Err(format!("{at}.base_url: must be an http:// or https:// URL, not {base_url:?}"));
            }
            let provider = f.provider.ok_or_else(|| format!("{at}.provider: required ({})", PROVIDERS.join(", ")))?;
            if !PROVIDERS.contains(&provider.as_str()) {
                return Err(format!("{at}.provider: one of {}, not {provider:?}", PROVIDERS.join(", ")));
            }
            let token = TokenSource::from_keys(at, f.token_env, f.token_file)?;
            let timeout = f.timeout_secs.unwrap_or(5);
            if !(1..=120).contains(&timeout) {
                return Err(format!("{at}.timeout_secs: must be 1 to 120, not {timeout}"));
            }
            let attempts = f.attempts.unwrap_or(3);
            if !(1..=10).contains(&attempts) {
                return Err(format!("{at}.attempts: must be 1 to 10, not {attempts}"));
            }
            CarrierSpec::DeliveryService { base_url, provider, token, timeout: Duration::from_secs(timeout), attempts }
        }
        other => return Err(format!("{at}.kind: local or delivery-service, not {other:?}")),
    };
    Ok((s, f.warehouses))
}

fn make(
    s: &CarrierSpec,
    clock: &Arc<dyn Clock>,
    env: &impl Fn(&str) -> Option<String>,
) -> Result<Arc<dyn Carrier>, String> {
    Ok(match s {
        CarrierSpec::Local => Arc::new(LocalCarrier::default()),
        CarrierSpec::DeliveryService { base_url, provider, token, timeout, attempts } => {
            let token = token.as_ref().map(|t| t.read(env)).transpose()?;
            let mut c = DeliveryConfig::new(base_url);
            c.provider = provider.clone();
            c.token = token.filter(|t| !t.is_empty());
            c.timeout = *timeout;
            c.attempts = *attempts;
            Arc::new(DeliveryServiceCarrier::new(c, clock.clone()).map_err(|e| e.to_string())?)
        }
    })
}

/// Every configured carrier behind one: a request goes to its warehouse's.
#[derive(Debug, Clone)]
pub struct Carriers {
    default: Arc<dyn Carrier>,
    by_code: BTreeMap<String, Arc<dyn Carrier>>,
}

impl Carriers {
    /// One carrier for every warehouse.
    pub fn one(carrier: Arc<dyn Carrier>) -> Carriers {
        Carriers { default: carrier, by_code: BTreeMap::new() }
    }

    /// The carrier of warehouse `code`.
    pub fn of(&self, code: &str) -> &Arc<dyn Carrier> {
        self.by_code.get(code).unwrap_or(&self.default)
    }

    fn all(&self) -> impl Iterator<Item = &Arc<dyn Carrier>> {
        std::iter::once(&self.default).chain(self.by_code.values())
    }
}

impl Carrier for Carriers {
    fn name(&self) -> &str {
        self.default.name()
    }

    fn create_shipment(&self, req: &ShipmentRequest) -> Result<Shipment, CarrierError> {
        self.of(&req.warehouse_code).create_shipment(req)
    }

    /// A tracking number names no warehouse: every carrier is asked until
    /// one knows it.
    fn void(&self, tracking: &str) -> Result<(), CarrierError> {
        first_ok(self.all(), |c| c.void(tracking))
    }

    fn track(&self, tracking: &str) -> Result<TrackingStatus, CarrierError> {
        first_ok(self.all(), |c| c.track(tracking))
    }
}

fn first_ok<'a, T>(
    carriers: impl Iterator<Item = &'a Arc<dyn Carrier>>,
    f: impl Fn(&dyn Carrier) -> Result<T, CarrierError>,
) -> Result<T, CarrierError> {
    let mut last = CarrierError::UnknownTracking(String::new());
    for c in carriers {
        match f(c.as_ref()) {
            Ok(v) => return Ok(v),
            Err(e) => last = e,
        }
    }
    Err(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<CarrierConfig, String> {
        let t: toml::Table = toml::from_str(text).expect("toml");
        CarrierConfig::from_toml(t["carrier"].clone())
    }

    #[test]
    fn a_carrier_per_warehouse_and_secrets_only_by_reference() {
        let c = parse(
            "[carrier]\nkind = \"delivery-service\"\nbase_url = \"https://d.example\"\nprovider = \"D Express\"\n\
             token_env = \"T\"\n[carrier.warehouses.W2]\nkind = \"local\"\n",
        )
        .expect("valid");
        assert!(matches!(&c.default, CarrierSpec::DeliveryService { provider, token: Some(TokenSource::Env(v)), .. }
            if provider == "D Express" && v == "T"));
        assert_eq!(c.by_warehouse.get("W2"), Some(&CarrierSpec::Local));
        let e = parse("[carrier]\nkind = \"delivery-service\"\nbase_url = \"https://d\"\nprovider = \"Bex\"\ntoken = \"s3cret\"\n")
            .expect_err("a token in the file");
        assert!(e.contains("carrier.token") && e.contains("token_env"), "{e}");
        for (text, key) in [
            ("kind = \"fedex\"", "carrier.kind"),
            ("kind = \"delivery-service\"\nprovider = \"Bex\"", "carrier.base_url"),
            ("kind = \"delivery-service\"\nbase_url = \"https://d\"\nprovider = \"DHL\"", "carrier.provider"),
            ("kind = \"delivery-service\"\nbase_url = \"https://d\"\nprovider = \"Bex\"\nattempts = 0", "attempts"),
            ("kind = \"local\"\nbase_ulr = \"x\"", "base_ulr"),
        ] {
            let e = parse(&format!("[carrier]\n{text}\n")).expect_err(text);
            assert!(e.contains(key), "{text}: {e}");
        }
        let built = parse("[carrier]\nkind = \"delivery-service\"\nbase_url = \"https://d\"\nprovider = \"ACS\"\ntoken_env = \"NOPE\"\n")
            .expect("valid")
            .build(Arc::new(crate::app::SystemClock), |_| None);
        assert!(built.is_err_and(|e| e.contains("NOPE")), "a missing token variable stops the start");
    }
}
