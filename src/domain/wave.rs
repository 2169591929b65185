//! Waves and cluster picking (seed 001 §13.1): which pending picking tasks
//! a wave takes, and how they are grouped into batches one picker walks at
//! once, each task (one order's share) into its own tote.

use super::Timestamp;
use super::order::Priority;

/// What a supervisor releases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Criteria {
    /// Only these priorities (empty: any).
    pub priorities: Vec<Priority>,
    /// Only tasks whose every location starts with this (a zone or aisle).
    pub zone: Option<String>,
    /// Only orders taken before this moment (a carrier's cut-off).
    pub cutoff: Option<Timestamp>,
    /// At most this many tasks in the wave.
    pub max_tasks: usize,
    /// Totes on one cart: tasks per batch.
    pub batch_size: usize,
}

/// A pending picking task a wave may take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub task_id: i64,
    pub priority: Priority,
    pub ordered_at: Timestamp,
    pub locations: Vec<String>,
}

/// The tasks a wave takes, most urgent then oldest first, in batches of
/// `batch_size`. A task is in at most one batch.
pub fn plan(candidates: &[Candidate], c: &Criteria) -> Vec<Vec<i64>> {
    let mut chosen: Vec<&Candidate> = candidates
        .iter()
        .filter(|t| c.priorities.is_empty() || c.priorities.contains(&t.priority))
        .filter(|t| c.cutoff.is_none_or(|cut| t.ordered_at < cut))
        .filter(|t| {
            c.zone.as_deref().is_none_or(|z| !t.locations.is_empty() && t.locations.iter().all(|l| l.starts_with(z)))
        })
        .collect();
    chosen.sort_by_key(|t| (std::cmp::Reverse(t.priority), t.ordered_at, t.task_id));
    chosen.truncate(c.max_tasks);
    chosen.chunks(c.batch_size.max(1)).map(|b| b.iter().map(|t| t.task_id).collect()).collect()
}

/// The label of a task's tote: the packer resolves it to the order.
pub fn tote(task_id: i64) -> String {
    format!("TOTE-{task_id}")
}

/// A tote scan for a pick of `task_id`: the task's own tote, or E107.
pub fn check_tote(task_id: i64, scanned: &str) -> super::Result<()> {
    let expected = tote(task_id);
    if scanned.trim().eq_ignore_ascii_case(&expected) {
        Ok(())
    } else {
        Err(super::DomainError::WrongTote { expected, scanned: scanned.trim().to_owned() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32) -> Timestamp {
        chrono::Utc.with_ymd_and_hms(2026, 11, 23, h, 0, 0).single().expect("time")
    }

    fn c(id: i64, p: Priority, h: u32, locs: &[&str]) -> Candidate {
        Candidate { task_id: id, priority: p, ordered_at: at(h), locations: locs.iter().map(|s| (*s).into()).collect() }
    }

    fn all() -> Criteria {
        Criteria { priorities: vec![], zone: None, cutoff: None, max_tasks: 100, batch_size: 2 }
    }

    #[test]
    fn most_urgent_then_oldest_in_batches_of_the_cart_size() {
        let cands = [
            c(1, Priority::Normal, 8, &["A-1"]),
            c(2, Priority::Urgent, 9, &["B-1"]),
            c(3, Priority::Normal, 7, &["A-2"]),
            c(4, Priority::High, 10, &["A-3"]),
            c(5, Priority::Low, 6, &["A-4"]),
        ];
        assert_eq!(plan(&cands, &all()), vec![vec![2, 4], vec![3, 1], vec![5]]);
        assert_eq!(plan(&cands, &Criteria { max_tasks: 3, ..all() }), vec![vec![2, 4], vec![3]]);
    }

    #[test]
    fn zone_cutoff_and_priority_filter_the_wave() {
        let cands = [
            c(1, Priority::Normal, 8, &["A-1", "A-2"]),
            c(2, Priority::Normal, 9, &["A-1", "B-1"]),
            c(3, Priority::High, 11, &["A-3"]),
            c(4, Priority::High, 9, &[]),
        ];
        let zone = Criteria { zone: Some("A-".into()), ..all() };
        assert_eq!(plan(&cands, &zone), vec![vec![3, 1]], "task 2 leaves the zone, task 4 has no items");
        let cutoff = Criteria { cutoff: Some(at(10)), ..all() };
        assert_eq!(plan(&cands, &cutoff), vec![vec![4, 1], vec![2]]);
        let high = Criteria { priorities: vec![Priority::High], ..all() };
        assert_eq!(plan(&cands, &high), vec![vec![4, 3]]);
    }

    #[test]
    fn totes_are_named_after_their_task_and_another_tote_is_refused() {
        assert_eq!(tote(12), "TOTE-12");
        assert!(check_tote(12, " tote-12 ").is_ok());
        let e = check_tote(12, "TOTE-13").expect_err("wrong tote");
        assert_eq!((e.code(), e.field()), ("E107", Some("tote")));
    }
}
