//! Workers' credentials, sessions and API keys. Secrets arrive here already
//! hashed; this module never sees a PIN or a token.

use super::convert::{ms, opt_time, status, u32_of};
use super::{Result, Tx};
use crate::domain::Timestamp;
use crate::domain::auth::{LoginState, Role};
use crate::domain::ids::WorkerId;
use rusqlite::{OptionalExtension, params};

/// A worker as the login and admin screens see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkerRow {
    pub id: WorkerId,
    pub badge: String,
    pub name: String,
    pub role: Role,
    pub active: bool,
    pub pin_hash: Option<String>,
    pub login: LoginState,
}

/// A live session: who holds the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub worker_id: WorkerId,
    pub role: Role,
    pub expires_at: Timestamp,
}

const WORKER_COLUMNS: &str = "id, badge, name, role, active, pin_hash, failed_logins, locked_until";

fn worker_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawWorker> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?))
}

type RawWorker = (i64, String, String, String, bool, Option<String>, i64, Option<i64>);

fn to_worker(raw: RawWorker) -> Result<WorkerRow> {
    let (id, badge, name, role, active, pin_hash, failed, locked) = raw;
    Ok(WorkerRow {
        id: WorkerId(id),
        badge,
        name,
        role: status(&role, "role", Role::parse)?,
        active,
        pin_hash,
        login: LoginState { failed: u32_of(failed, "failed_logins")?, locked_until: opt_time(locked)? },
    })
}

impl Tx<'_> {
    pub fn worker_by_badge(&self, badge: &str) -> Result<Option<WorkerRow>> {
        let sql = format!("SELECT {WORKER_COLUMNS} FROM workers WHERE badge = ?1");
        self.row(&sql, [badge], worker_row).optional()?.map(to_worker).transpose()
    }

    pub fn worker(&self, id: WorkerId) -> Result<Option<WorkerRow>> {
        let sql = format!("SELECT {WORKER_COLUMNS} FROM workers WHERE id = ?1");
        self.row(&sql, [id.0], worker_row).optional()?.map(to_worker).transpose()
    }

    pub fn workers(&self) -> Result<Vec<WorkerRow>> {
        let mut stmt = self.conn.prepare_cached(&format!("SELECT {WORKER_COLUMNS} FROM workers ORDER BY id"))?;
        let rows = stmt.query_map([], worker_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter().map(to_worker).collect()
    }

    pub fn set_login_state(&self, worker: WorkerId, s: LoginState) -> Result<()> {
        self.exec(
            "UPDATE workers SET failed_logins = ?2, locked_until = ?3 WHERE id = ?1",
            params![worker.0, i64::from(s.failed), s.locked_until.map(ms)],
        )?;
        Ok(())
    }

    pub fn set_worker_pin(&self, worker: WorkerId, pin_hash: &str) -> Result<()> {
        self.exec("UPDATE workers SET pin_hash = ?2 WHERE id = ?1", params![worker.0, pin_hash])?;
        Ok(())
    }

    /// Disables (or re-enables) the worker with `badge`; a disabled worker's
    /// sessions end at once. False when no such badge exists.
    pub fn set_worker_active(&self, badge: &str, active: bool, now: Timestamp) -> Result<bool> {
        let n = self.exec("UPDATE workers SET active = ?2 WHERE badge = ?1", params![badge, active])?;
        if !active {
            self.exec(
                "UPDATE sessions SET revoked_at = ?2 WHERE revoked_at IS NULL
                   AND worker_id = (SELECT id FROM workers WHERE badge = ?1)",
                params![badge, ms(now)],
            )?;
        }
        Ok(n > 0)
    }

    pub fn insert_session(
        &self,
        token_hash: &str,
        worker: WorkerId,
        device: Option<&str>,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> Result<()> {
        self.exec(
            "INSERT INTO sessions (token_hash, worker_id, device_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![token_hash, worker.0, device, ms(now), ms(expires_at)],
        )?;
        Ok(())
    }

    /// The session for `token_hash` if it is live at `now` and its worker active.
    pub fn session(&self, token_hash: &str, now: Timestamp) -> Result<Option<SessionRow>> {
        let row = self
            .row(
                "SELECT s.worker_id, w.role, s.expires_at FROM sessions s JOIN workers w ON w.id = s.worker_id
                 WHERE s.token_hash = +?1 AND s.revoked_at IS NULL AND s.expires_at > +?2 AND w.active = 1",
                params![token_hash, ms(now)],
                |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?)),
            )
            .optional()?;
        row.map(|(w, role, exp)| {
            Ok(SessionRow {
                worker_id: WorkerId(w),
                role: status(&role, "role", Role::parse)?,
                expires_at: super::convert::time(exp)?,
            })
        })
        .transpose()
    }

    pub fn revoke_session(&self, token_hash: &str, now: Timestamp) -> Result<bool> {
        let n = self.exec(
            "UPDATE sessions SET revoked_at = ?2 WHERE token_hash = ?1 AND revoked_at IS NULL",
            params![token_hash, ms(now)],
        )?;
        Ok(n > 0)
    }

    pub fn insert_api_key(&self, name: &str, key_hash: &str, now: Timestamp) -> Result<i64> {
        self.exec(
            "INSERT INTO api_keys (name, key_hash, scope, created_at) VALUES (?1, ?2, 'integration', ?3)",
            params![name, key_hash, ms(now)],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// The id of the live API key with `key_hash`.
    pub fn api_key(&self, key_hash: &str) -> Result<Option<i64>> {
        Ok(self
            .row("SELECT id FROM api_keys WHERE key_hash = ?1 AND revoked_at IS NULL", [key_hash], |r| r.get(0))
            .optional()?)
    }

    pub fn revoke_api_key(&self, name: &str, now: Timestamp) -> Result<bool> {
        let n = self.exec(
            "UPDATE api_keys SET revoked_at = ?2 WHERE name = ?1 AND revoked_at IS NULL",
            params![name, ms(now)],
        )?;
        Ok(n > 0)
    }
}
