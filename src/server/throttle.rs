//! Login throttling, in memory: attempts per client address and per badge
//! in a one-minute window, and a lockout count for badges that do not
//! exist, kept with the same rule as real ones
//! ([`LoginState::attempt`]), so that neither a wrong PIN nor a lockout
//! tells whether a badge exists.

use crate::domain::Timestamp;
use crate::domain::auth::{LockoutPolicy, LoginState, LoginVerdict};
use std::collections::HashMap;
use std::sync::Mutex;

/// Keys kept at most per map; past it the map starts over (a flood of
/// invented badges or addresses cannot grow memory without bound).
const MAX_KEYS: usize = 10_000;

#[derive(Debug, Default)]
pub struct LoginThrottle {
    windows: Mutex<HashMap<String, (Timestamp, u32)>>,
    ghosts: Mutex<HashMap<String, LoginState>>,
}

impl LoginThrottle {
    /// Counts one attempt under each key (`ip:…`, `badge:…`); false when
    /// any of them has had its limit of attempts in the current minute.
    pub fn admit(&self, keys: &[(String, u32)], now: Timestamp) -> bool {
        let Ok(mut w) = self.windows.lock() else { return true };
        if w.len() > MAX_KEYS {
            w.clear();
        }
        let mut admitted = true;
        for (key, per_minute) in keys {
            let slot = w.entry(key.clone()).or_insert((now, 0));
            if now - slot.0 >= chrono::Duration::minutes(1) {
                *slot = (now, 0);
            }
            slot.1 = slot.1.saturating_add(1);
            admitted &= slot.1 <= *per_minute;
        }
        admitted
    }

    /// A wrong PIN for a badge that does not exist: the verdict a real
    /// badge would get after the same attempts.
    pub fn ghost_attempt(&self, badge: &str, now: Timestamp, policy: LockoutPolicy) -> LoginVerdict {
        let Ok(mut g) = self.ghosts.lock() else { return LoginVerdict::Refused };
        if g.len() > MAX_KEYS {
            g.clear();
        }
        let state = g.entry(badge.to_owned()).or_insert(LoginState { failed: 0, locked_until: None });
        let (verdict, next) = state.attempt(false, now, policy);
        *state = next;
        verdict
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(s: i64) -> Timestamp {
        chrono::Utc.with_ymd_and_hms(2026, 12, 1, 8, 0, 0).single().unwrap_or_default() + chrono::Duration::seconds(s)
    }

    #[test]
    fn attempts_are_limited_per_key_per_minute() {
        let t = LoginThrottle::default();
        let keys = [("ip:1".to_owned(), 4), ("badge:B".to_owned(), 3)];
        assert!((0..3).all(|i| t.admit(&keys, at(i))));
        assert!(!t.admit(&keys, at(10)), "a fourth try for badge B");
        // The address has had its four: another badge from it is refused too.
        assert!(!t.admit(&[("ip:1".to_owned(), 4), ("badge:C".to_owned(), 3)], at(20)));
        assert!(t.admit(&[("ip:2".to_owned(), 4), ("badge:C".to_owned(), 3)], at(20)));
        // A new minute starts over.
        assert!(t.admit(&keys, at(61)));
    }

    #[test]
    fn an_unknown_badge_locks_like_a_real_one() {
        let t = LoginThrottle::default();
        let policy = LockoutPolicy { max_failures: 3, lock_for: chrono::Duration::minutes(15) };
        let real = LoginState { failed: 0, locked_until: None };
        let (mut real_verdicts, mut state) = (Vec::new(), real);
        for i in 0..4 {
            let (v, next) = state.attempt(false, at(i), policy);
            state = next;
            real_verdicts.push(v);
        }
        let ghost: Vec<_> = (0..4).map(|i| t.ghost_attempt("NOPE", at(i), policy)).collect();
        assert_eq!(ghost, real_verdicts);
        assert!(matches!(ghost[3], LoginVerdict::Locked(_)));
    }
}
