//! A circuit breaker (seed 001 §10.4): after `threshold` consecutive
//! failures the circuit opens and calls fail at once, without touching the
//! service; after `cool_down` one trial call is let through (half-open): its
//! success closes the circuit, its failure opens it again. Pure: the time
//! is passed in.

use crate::domain::Timestamp;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakerState {
    Closed { failures: u32 },
    Open { until: Timestamp },
    HalfOpen,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Breaker {
    pub state: BreakerState,
    pub threshold: u32,
    pub cool_down: chrono::Duration,
}

impl Breaker {
    pub fn new(threshold: u32, cool_down: chrono::Duration) -> Self {
        Breaker { state: BreakerState::Closed { failures: 0 }, threshold: threshold.max(1), cool_down }
    }

    /// May a call go out at `now`? An open circuit whose cool-down has run
    /// out lets one trial through.
    pub fn allow(&mut self, now: Timestamp) -> bool {
        match self.state {
            BreakerState::Closed { .. } => true,
            BreakerState::HalfOpen => false,
            BreakerState::Open { until } if now >= until => {
                self.state = BreakerState::HalfOpen;
                true
            }
            BreakerState::Open { .. } => false,
        }
    }

    pub fn success(&mut self) {
        self.state = BreakerState::Closed { failures: 0 };
    }

    pub fn failure(&mut self, now: Timestamp) {
        self.state = match self.state {
            BreakerState::Closed { failures } if failures + 1 < self.threshold => {
                BreakerState::Closed { failures: failures + 1 }
            }
            _ => BreakerState::Open { until: now + self.cool_down },
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn opens_after_threshold_and_half_opens_after_cool_down() {
        let t0 = chrono::Utc.with_ymd_and_hms(2026, 5, 4, 8, 0, 0).single().expect("time");
        let mut b = Breaker::new(3, chrono::Duration::seconds(30));
        for _ in 0..2 {
            assert!(b.allow(t0));
            b.failure(t0);
        }
        assert!(b.allow(t0));
        b.failure(t0);
        assert!(!b.allow(t0 + chrono::Duration::seconds(29)), "open");
        assert!(b.allow(t0 + chrono::Duration::seconds(30)), "one trial");
        assert!(!b.allow(t0 + chrono::Duration::seconds(30)), "only one");
        b.failure(t0 + chrono::Duration::seconds(30));
        assert!(!b.allow(t0 + chrono::Duration::seconds(31)), "open again");
        assert!(b.allow(t0 + chrono::Duration::seconds(60)));
        b.success();
        assert_eq!(b.state, BreakerState::Closed { failures: 0 });
    }
}
