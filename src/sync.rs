//! Offline sync, the pure part: what a device sends next, what the
//! server's answers make of each op, how long to wait after a failure, and
//! how an op changes the device's own copy of a task ([`local`]).
//!
//! The device runtime (`tui::device`) does the IO: it keeps the queue in
//! SQLite, asks [`next_batch`] what to send, posts it, and writes back what
//! [`settle`] says. An op stays `sent` until the server answers for it, and
//! a `sent` op is sent again under the same op id: the server applies an op
//! id once, so a lost answer or a duplicated request never applies twice.

pub mod local;

use crate::storage::device::{OpStatus, QueuedOp};
use std::time::Duration;

/// Ops per request.
pub const BATCH: usize = 500;

/// The next ops to send: the oldest open ones (pending, or sent without an
/// answer), in queue order, at most `max`. Order matters (a pick before the
/// completion of its task), so nothing after an open op is sent ahead of it.
pub fn next_batch(queue: &[QueuedOp], max: usize) -> Vec<&QueuedOp> {
    let mut open: Vec<&QueuedOp> = queue.iter().filter(|o| o.status.open()).collect();
    open.sort_by_key(|o| o.seq);
    open.truncate(max);
    open
}

pub use crate::app::floor_op::Verdict;

/// The new status of each op sent, from the answers: applied and rejected
/// are final; an op with no answer, or told to retry, stays `sent`.
pub fn settle(sent: &[&str], answers: &[(String, Verdict)]) -> Vec<(String, OpStatus)> {
    sent.iter()
        .map(|id| {
            let status = match answers.iter().find(|(a, _)| a == id).map(|(_, v)| *v) {
                Some(Verdict::Applied) => OpStatus::Applied,
                Some(Verdict::Rejected) => OpStatus::Rejected,
                Some(Verdict::Retry) | None => OpStatus::Sent,
            };
            ((*id).to_owned(), status)
        })
        .collect()
}

/// How long to wait before try number `attempt` (1 = first retry):
/// 250 ms doubling to at most 30 s, with jitter in [½, 1] of that from
/// `jitter` (any number; the edge passes a random one) so a floor of
/// devices coming back at once does not retry in step.
pub fn backoff(attempt: u32, jitter: u64) -> Duration {
    let base = 250u64.saturating_mul(1 << attempt.min(7)).min(30_000);
    let half = base / 2;
    Duration::from_millis(half + jitter % (half + 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn op(seq: i64, status: OpStatus) -> QueuedOp {
        QueuedOp {
            seq,
            op_id: format!("op-{seq}"),
            kind: "pick".into(),
            payload: "{}".into(),
            status,
            attempts: 0,
            last_error: None,
            created_at: Utc.with_ymd_and_hms(2026, 5, 4, 8, 0, 0).single().unwrap_or_default(),
        }
    }

    #[test]
    fn the_oldest_open_ops_go_first_and_sent_ones_go_again() {
        let q = vec![
            op(4, OpStatus::Pending),
            op(1, OpStatus::Applied),
            op(2, OpStatus::Sent),
            op(3, OpStatus::Rejected),
            op(5, OpStatus::Pending),
        ];
        let ids: Vec<i64> = next_batch(&q, 2).iter().map(|o| o.seq).collect();
        assert_eq!(ids, [2, 4]);
        assert!(next_batch(&[op(1, OpStatus::Applied)], 10).is_empty());
    }

    #[test]
    fn answers_settle_ops_and_silence_keeps_them_sent() {
        let answers =
            vec![("a".to_owned(), Verdict::Applied), ("b".into(), Verdict::Rejected), ("c".into(), Verdict::Retry)];
        let s = settle(&["a", "b", "c", "d"], &answers);
        assert_eq!(
            s,
            [
                ("a".to_owned(), OpStatus::Applied),
                ("b".into(), OpStatus::Rejected),
                ("c".into(), OpStatus::Sent),
                ("d".into(), OpStatus::Sent),
            ]
        );
    }

    /// A verdict the device does not know is an unreadable answer (the ops
    /// stay `sent` and the device reports it), never a silent "retry".
    #[test]
    fn verdicts_are_a_closed_set() {
        assert_eq!(serde_json::from_str::<Verdict>(r#""applied""#).ok(), Some(Verdict::Applied));
        assert_eq!(serde_json::from_str::<Verdict>(r#""retry""#).ok(), Some(Verdict::Retry));
        assert!(serde_json::from_str::<Verdict>(r#""aplied""#).is_err());
    }

    #[test]
    fn backoff_grows_is_capped_and_jittered() {
        assert_eq!(backoff(1, 0), Duration::from_millis(250));
        assert_eq!(backoff(1, 250), Duration::from_millis(500));
        assert!(backoff(3, 7) > backoff(1, 7));
        for j in [0, 1, 999, u64::MAX] {
            let d = backoff(40, j);
            assert!(d >= Duration::from_secs(15) && d <= Duration::from_secs(30), "{d:?}");
        }
    }
}
