//! Stuck-work alerts (seed 001 §12.3) as rules over facts read from the
//! store: a picking task in progress too long, a packing task without its
//! dimensions too long, a hold that expired but was not released, and a
//! carrier that has been failing too long, a parcel packed but not
//! dispatched too long, and a workflow waiting for a task that no longer
//! exists (it needs a retry or a cancel). The clock and the thresholds are
//! passed in.

use super::Timestamp;

/// When each rule fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    pub picking_in_progress: chrono::Duration,
    pub packing_without_dimensions: chrono::Duration,
    pub carrier_unavailable: chrono::Duration,
    /// A parcel labelled and waiting at the dock.
    pub not_dispatched: chrono::Duration,
    /// A box packed whose label no station printed.
    pub label_not_printed: chrono::Duration,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            picking_in_progress: chrono::Duration::hours(2),
            packing_without_dimensions: chrono::Duration::hours(1),
            carrier_unavailable: chrono::Duration::minutes(5),
            not_dispatched: chrono::Duration::hours(4),
            label_not_printed: chrono::Duration::minutes(10),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    PickingStuck,
    PackingWithoutDimensions,
    ReservationNotReleased,
    CarrierUnavailable,
    NotDispatched,
    WaitingWithoutTask,
    LabelNotPrinted,
}

impl Rule {
    pub const ALL: [Rule; 7] = [
        Rule::PickingStuck,
        Rule::PackingWithoutDimensions,
        Rule::ReservationNotReleased,
        Rule::CarrierUnavailable,
        Rule::NotDispatched,
        Rule::WaitingWithoutTask,
        Rule::LabelNotPrinted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Rule::PickingStuck => "picking_stuck",
            Rule::PackingWithoutDimensions => "packing_without_dimensions",
            Rule::ReservationNotReleased => "reservation_not_released",
            Rule::CarrierUnavailable => "carrier_unavailable",
            Rule::NotDispatched => "not_dispatched",
            Rule::WaitingWithoutTask => "waiting_without_task",
            Rule::LabelNotPrinted => "label_not_printed",
        }
    }
}

/// What the rules look at.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    /// `(task, started at, worker name)` of picking tasks in progress.
    pub picking_in_progress: Vec<(i64, Timestamp, String)>,
    /// `(task, started at)` of packing tasks in progress whose packages lack
    /// weight or dimensions (or that have none).
    pub packing_without_dimensions: Vec<(i64, Timestamp)>,
    /// `(reservation, expired at)` of holds still pending after expiry.
    pub expired_holds: Vec<(i64, Timestamp)>,
    /// Since when a carrier call has been failing and retrying, if one is.
    pub carrier_failing_since: Option<Timestamp>,
    /// `(tracking numbers, at the dock since)` of parcels not dispatched.
    pub at_dock: Vec<(String, Timestamp)>,
    /// `(workflow id, what it waits for, since)` of running workflows whose
    /// wait has no open task behind it (a failed or cancelled pick or pack).
    pub waiting_without_task: Vec<(String, String, Timestamp)>,
    /// `(packing task, packed at)` of boxes whose label did not print.
    pub labels_not_printed: Vec<(i64, Timestamp)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    pub rule: Rule,
    /// What is stuck: `picking task 12 (Pia)`.
    pub subject: String,
    pub since: Timestamp,
}

impl Alert {
    pub fn age(&self, now: Timestamp) -> chrono::Duration {
        now - self.since
    }
}

/// The alerts that fire at `now`, oldest first within each rule.
pub fn evaluate(f: &Facts, now: Timestamp, t: &Thresholds) -> Vec<Alert> {
    let mut out = Vec::new();
    let mut fire = |rule: Rule, subject: String, since: Timestamp, limit: chrono::Duration| {
        if now - since > limit {
            out.push(Alert { rule, subject, since });
        }
    };
    for (task, since, worker) in &f.picking_in_progress {
        fire(Rule::PickingStuck, format!("picking task {task} ({worker})"), *since, t.picking_in_progress);
    }
    for (task, since) in &f.packing_without_dimensions {
        fire(Rule::PackingWithoutDimensions, format!("packing task {task}"), *since, t.packing_without_dimensions);
    }
    for (reservation, expired) in &f.expired_holds {
        fire(Rule::ReservationNotReleased, format!("reservation {reservation}"), *expired, chrono::Duration::zero());
    }
    if let Some(since) = f.carrier_failing_since {
        fire(Rule::CarrierUnavailable, "carrier".into(), since, t.carrier_unavailable);
    }
    for (task, since) in &f.labels_not_printed {
        let subject = format!("packing task {task}: label not printed (scan its order or tote at a station)");
        fire(Rule::LabelNotPrinted, subject, *since, t.label_not_printed);
    }
    for (parcels, since) in &f.at_dock {
        fire(Rule::NotDispatched, format!("parcel {parcels} at the dock"), *since, t.not_dispatched);
    }
    // Nothing will move these on its own: they fire at once.
    for (workflow, waits, since) in &f.waiting_without_task {
        let subject = format!("{workflow} waits for {waits} with no open task: retry or cancel");
        out.push(Alert { rule: Rule::WaitingWithoutTask, subject, since: *since });
    }
    out.sort_by_key(|a| (a.rule, a.since));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32) -> Timestamp {
        chrono::Utc.with_ymd_and_hms(2026, 11, 23, h, m, 0).single().expect("time")
    }

    fn rules(f: &Facts, now: Timestamp) -> Vec<(Rule, String)> {
        evaluate(f, now, &Thresholds::default()).into_iter().map(|a| (a.rule, a.subject)).collect()
    }

    #[test]
    fn picking_in_progress_fires_after_two_hours() {
        let f = Facts { picking_in_progress: vec![(7, at(8, 0), "Pia".into())], ..Facts::default() };
        assert!(rules(&f, at(10, 0)).is_empty(), "exactly 2 h is not over");
        assert_eq!(rules(&f, at(10, 1)), vec![(Rule::PickingStuck, "picking task 7 (Pia)".into())]);
    }

    #[test]
    fn packing_without_dimensions_fires_after_one_hour() {
        let f = Facts { packing_without_dimensions: vec![(4, at(8, 0))], ..Facts::default() };
        assert!(rules(&f, at(8, 59)).is_empty());
        assert_eq!(rules(&f, at(9, 1)), vec![(Rule::PackingWithoutDimensions, "packing task 4".into())]);
    }

    #[test]
    fn an_expired_hold_fires_once_it_is_past_expiry() {
        let f = Facts { expired_holds: vec![(3, at(8, 0))], ..Facts::default() };
        assert!(rules(&f, at(8, 0)).is_empty());
        assert_eq!(rules(&f, at(8, 1)), vec![(Rule::ReservationNotReleased, "reservation 3".into())]);
    }

    #[test]
    fn a_carrier_failing_for_five_minutes_fires_and_thresholds_are_configurable() {
        let f = Facts { carrier_failing_since: Some(at(8, 0)), ..Facts::default() };
        assert!(rules(&f, at(8, 4)).is_empty());
        assert_eq!(rules(&f, at(8, 6)), vec![(Rule::CarrierUnavailable, "carrier".into())]);
        let strict = Thresholds { carrier_unavailable: chrono::Duration::minutes(1), ..Thresholds::default() };
        assert_eq!(evaluate(&f, at(8, 2), &strict).len(), 1);
    }

    #[test]
    fn a_parcel_at_the_dock_fires_after_four_hours_and_a_stranded_wait_at_once() {
        let f = Facts {
            at_dock: vec![("TT1RS".into(), at(8, 0))],
            waiting_without_task: vec![("order-fulfillment-3".into(), "packing".into(), at(9, 0))],
            ..Facts::default()
        };
        assert_eq!(
            rules(&f, at(11, 0)),
            vec![(
                Rule::WaitingWithoutTask,
                "order-fulfillment-3 waits for packing with no open task: retry or cancel".into()
            )]
        );
        assert_eq!(rules(&f, at(12, 1))[0], (Rule::NotDispatched, "parcel TT1RS at the dock".into()));
    }

    #[test]
    fn a_box_whose_label_did_not_print_fires_after_ten_minutes() {
        let f = Facts { labels_not_printed: vec![(12, at(8, 0))], ..Facts::default() };
        assert!(rules(&f, at(8, 10)).is_empty());
        let subject = "packing task 12: label not printed (scan its order or tote at a station)";
        assert_eq!(rules(&f, at(8, 11)), vec![(Rule::LabelNotPrinted, subject.into())]);
    }

    #[test]
    fn alerts_come_by_rule_then_oldest_first() {
        let f = Facts {
            picking_in_progress: vec![(2, at(5, 0), "B".into()), (1, at(4, 0), "A".into())],
            expired_holds: vec![(9, at(7, 0))],
            ..Facts::default()
        };
        let got = evaluate(&f, at(9, 0), &Thresholds::default());
        let subjects: Vec<&str> = got.iter().map(|a| a.subject.as_str()).collect();
        assert_eq!(subjects, vec!["picking task 1 (A)", "picking task 2 (B)", "reservation 9"]);
        assert_eq!(got[0].age(at(9, 0)), chrono::Duration::hours(5));
    }
}
