//! Who may do what: roles, callers, and the login lockout rule.
//!
//! Hashing PINs and drawing tokens need randomness and live at the edge
//! (`server::auth`); here are only the rules, over values.

use super::Timestamp;
use super::ids::WorkerId;

/// A worker's role. A supervisor can do what pickers and packers do; an
/// admin can do everything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Picker,
    Packer,
    Supervisor,
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Picker, Role::Packer, Role::Supervisor, Role::Admin];

    /// Whether a worker of this role takes picking work (`picking`) or
    /// packing work: pickers only the one, packers only the other,
    /// supervisors and admins both.
    pub fn takes(self, picking: bool) -> bool {
        match self {
            Role::Picker => picking,
            Role::Packer => !picking,
            Role::Supervisor | Role::Admin => true,
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Picker => "picker",
            Role::Packer => "packer",
            Role::Supervisor => "supervisor",
            Role::Admin => "admin",
        }
    }
}

/// Who is calling: a logged-in worker or an integration's API key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    Worker { id: WorkerId, role: Role },
    Integration { key_id: i64 },
}

impl Caller {
    /// The worker behind the call, if it is one.
    pub fn worker(&self) -> Option<WorkerId> {
        match self {
            Caller::Worker { id, .. } => Some(*id),
            Caller::Integration { .. } => None,
        }
    }

    /// True for supervisors and admins: they may act for other workers.
    pub fn manages(&self) -> bool {
        matches!(self, Caller::Worker { role: Role::Supervisor | Role::Admin, .. })
    }
}

/// Who may call an endpoint. Each variant lists the callers it admits;
/// admins are admitted everywhere a worker is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, without credentials (health, metrics, login, the API spec).
    Public,
    /// Any logged-in worker or API key.
    Authenticated,
    /// Pickers, supervisors, admins.
    Picking,
    /// Packers, supervisors, admins.
    Packing,
    /// Any worker on the floor (not integrations).
    Floor,
    /// Supervisors and admins.
    Supervise,
    /// Supervisors, admins and integrations (order intake, stock feeds).
    Manage,
}

impl Access {
    /// Whether `caller` may use an endpoint with this access.
    pub fn admits(self, caller: &Caller) -> bool {
        use Role::*;
        match (self, caller) {
            (Access::Public | Access::Authenticated, _) => true,
            (Access::Manage, Caller::Integration { .. }) => true,
            (_, Caller::Integration { .. }) => false,
            (_, Caller::Worker { role, .. }) => match self {
                Access::Public | Access::Authenticated | Access::Floor => true,
                Access::Picking => matches!(role, Picker | Supervisor | Admin),
                Access::Packing => matches!(role, Packer | Supervisor | Admin),
                Access::Supervise | Access::Manage => matches!(role, Supervisor | Admin),
            },
        }
    }
}

/// How many wrong PINs lock a badge, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockoutPolicy {
    pub max_failures: u32,
    pub lock_for: chrono::Duration,
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        LockoutPolicy { max_failures: 5, lock_for: chrono::Duration::minutes(15) }
    }
}

/// A worker's login state as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginState {
    pub failed: u32,
    pub locked_until: Option<Timestamp>,
}

/// What a login attempt comes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginVerdict {
    /// Let in; failures reset.
    Accepted,
    /// Wrong PIN; the new state may lock the badge.
    Refused,
    /// Locked until the given time; the PIN was not even checked.
    Locked(Timestamp),
}

impl LoginState {
    /// Locked at `now`? A lock that has run out no longer counts.
    pub fn locked_at(&self, now: Timestamp) -> Option<Timestamp> {
        self.locked_until.filter(|t| *t > now)
    }

    /// The verdict on one attempt whose PIN check gave `pin_ok`, and the
    /// state to store afterwards.
    pub fn attempt(self, pin_ok: bool, now: Timestamp, policy: LockoutPolicy) -> (LoginVerdict, LoginState) {
        if let Some(until) = self.locked_at(now) {
            return (LoginVerdict::Locked(until), self);
        }
        if pin_ok {
            return (LoginVerdict::Accepted, LoginState { failed: 0, locked_until: None });
        }
        // A lock that ran out starts a fresh count.
        let failed = if self.locked_until.is_some() { 1 } else { self.failed.saturating_add(1) };
        if failed >= policy.max_failures {
            let until = now + policy.lock_for;
            (LoginVerdict::Locked(until), LoginState { failed, locked_until: Some(until) })
        } else {
            (LoginVerdict::Refused, LoginState { failed, locked_until: None })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t0() -> Timestamp {
        chrono::Utc.with_ymd_and_hms(2026, 5, 4, 8, 0, 0).single().expect("valid time")
    }

    #[test]
    fn five_wrong_pins_lock_and_the_lock_runs_out() {
        let p = LockoutPolicy::default();
        let mut s = LoginState { failed: 0, locked_until: None };
        for i in 1..5 {
            let (v, next) = s.attempt(false, t0(), p);
            assert_eq!(v, LoginVerdict::Refused, "attempt {i}");
            s = next;
        }
        let (v, s) = s.attempt(false, t0(), p);
        let until = t0() + p.lock_for;
        assert_eq!(v, LoginVerdict::Locked(until));
        // The right PIN does not help while locked.
        assert_eq!(s.attempt(true, t0() + chrono::Duration::minutes(1), p).0, LoginVerdict::Locked(until));
        // After the lock: accepted, counter reset.
        let (v, s) = s.attempt(true, until + chrono::Duration::seconds(1), p);
        assert_eq!(v, LoginVerdict::Accepted);
        assert_eq!(s, LoginState { failed: 0, locked_until: None });
    }

    #[test]
    fn access_table() {
        let w = |role| Caller::Worker { id: WorkerId(1), role };
        let api = Caller::Integration { key_id: 1 };
        assert!(Access::Picking.admits(&w(Role::Picker)));
        assert!(!Access::Picking.admits(&w(Role::Packer)));
        assert!(Access::Packing.admits(&w(Role::Packer)));
        assert!(!Access::Packing.admits(&w(Role::Picker)));
        assert!(Access::Supervise.admits(&w(Role::Admin)));
        assert!(!Access::Supervise.admits(&api));
        assert!(Access::Manage.admits(&api));
        assert!(!Access::Floor.admits(&api));
        assert!(!Access::Picking.admits(&api));
    }
}
