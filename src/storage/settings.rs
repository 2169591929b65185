//! The site's settings as `tote serve` last started with them (JSON by
//! key), so that other commands on the database act as the site does.

use super::convert::ms;
use super::{Result, Tx};
use crate::domain::Timestamp;
use rusqlite::{OptionalExtension, params};

impl Tx<'_> {
    pub fn set_site_setting(&self, key: &str, value: &str, now: Timestamp) -> Result<()> {
        self.exec(
            "INSERT INTO site_settings (key, value, updated_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            params![key, value, ms(now)],
        )?;
        Ok(())
    }

    pub fn site_setting(&self, key: &str) -> Result<Option<String>> {
        Ok(self.row("SELECT value FROM site_settings WHERE key = ?1", [key], |r| r.get(0)).optional()?)
    }
}
