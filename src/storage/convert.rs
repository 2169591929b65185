//! Conversions between stored columns and domain values.

use super::{Result, StorageError};
use crate::domain::Timestamp;
use chrono::{DateTime, NaiveDate};

pub fn ms(t: Timestamp) -> i64 {
    t.timestamp_millis()
}

pub fn opt_ms(t: Option<Timestamp>) -> Option<i64> {
    t.map(ms)
}

pub fn time(ms: i64) -> Result<Timestamp> {
    DateTime::from_timestamp_millis(ms).ok_or_else(|| StorageError::Corrupt(format!("timestamp {ms} out of range")))
}

pub fn opt_time(ms: Option<i64>) -> Result<Option<Timestamp>> {
    ms.map(time).transpose()
}

pub fn date(s: Option<String>) -> Result<Option<NaiveDate>> {
    s.map(|s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").map_err(|e| StorageError::Corrupt(format!("date {s:?}: {e}"))))
        .transpose()
}

/// A non-negative integer column as `u32`.
pub fn u32_of(v: i64, what: &str) -> Result<u32> {
    u32::try_from(v).map_err(|_| StorageError::Corrupt(format!("{what} = {v} out of range")))
}

pub fn i64_of(v: u32) -> i64 {
    i64::from(v)
}

/// Parses a stored status with `parse`, naming `what` when it is unknown.
pub fn status<T>(s: &str, what: &str, parse: impl Fn(&str) -> Option<T>) -> Result<T> {
    parse(s).ok_or_else(|| StorageError::Corrupt(format!("unknown {what} {s:?}")))
}

pub fn sku(s: &str) -> Result<crate::domain::ids::Sku> {
    crate::domain::ids::Sku::parse(s, "sku").map_err(|e| StorageError::Corrupt(format!("stored sku {s:?}: {e}")))
}

/// A serde enum's wire name (`snake_case`), as a column stores it.
pub fn name<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

/// A stored wire name read back: one this build does not know is corrupt.
pub fn named<T: serde::de::DeserializeOwned>(s: &str, what: &str) -> Result<T> {
    serde_json::from_value(serde_json::Value::String(s.to_owned()))
        .map_err(|_| super::StorageError::Corrupt(format!("{what} {s:?}")))
}
