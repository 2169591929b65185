//! A hosted workflow's decisions (issue 18: Temporal) are recorded in the
//! site's store in their order, each once: a repeat changes nothing, and a
//! decision that skips an unrecorded one is refused, naming the version,
//! instead of numbering its events wrongly and missing the other's moves.

mod common;

use common::Fixture;
use serde_json::json;
use tote::app::Command;
use tote::app::workflow::hosted::{HostedRecord, HostedWorkflow};
use tote::domain::workflow::{WorkflowKind, WorkflowStatus};

fn decision(version: i64, events: &[&str]) -> Command {
    let workflow = HostedWorkflow {
        id: "order-intake-rec-1".into(),
        kind: WorkflowKind::OrderIntake,
        input: "{}".into(),
        order_id: None,
        fulfillment_id: None,
    };
    let record = HostedRecord {
        workflow,
        version,
        state: json!({}),
        status: WorkflowStatus::Running,
        step: format!("step-{version}"),
        blocking: None,
        events: events.iter().map(|e| json!({ "event": e })).collect(),
        moves: vec![],
        taken: vec![],
    };
    Command::RecordHosted { record: Box::new(record) }
}

fn history(f: &Fixture) -> Vec<String> {
    let h = f.svc.store().read(|tx| tx.history("order-intake-rec-1")).expect("history");
    h.into_iter().map(|e| e.event_type).collect()
}

#[test]
fn decisions_are_recorded_in_order_once_and_a_gap_is_refused() {
    let f = Fixture::new();
    f.ok(decision(2, &["started", "scheduled"]));
    assert_eq!(history(&f), ["started", "scheduled"]);
    // A decision after one that was not recorded: refused, nothing written.
    let refused = f.run(decision(4, &["done"])).expect_err("a gap");
    assert!(refused.to_string().contains("an earlier decision is not recorded"), "{refused}");
    assert_eq!(history(&f), ["started", "scheduled"]);
    f.ok(decision(3, &["completed"]));
    f.ok(decision(4, &["done"]));
    // A repeat (a retried activity) changes nothing.
    f.ok(decision(3, &["completed"]));
    assert_eq!(history(&f), ["started", "scheduled", "completed", "done"]);
    let row = f.svc.store().read(|tx| tx.workflow("order-intake-rec-1")).expect("read").expect("row");
    assert_eq!((row.version, row.step.as_str()), (4, "step-4"));
}

/// A hosted workflow's row is made by its first record (on a site that did
/// not accept the order itself, as another site's part of it) with the
/// priority the embedded engine would give it: its request's for an intake,
/// its order's for a fulfillment. It was 0, so the board sorted them last.
#[test]
fn a_hosted_workflows_first_record_makes_its_row_with_its_orders_priority() {
    let f = Fixture::new();
    let Command::SubmitOrder(mut req) = common::order("rec-2", &[("SKU-A", 1, "W1")]) else { unreachable!() };
    req.priority = "urgent".into();
    let urgent = tote::domain::order::Priority::Urgent.rank();
    let intake = HostedWorkflow {
        id: "order-intake-rec-2".into(),
        kind: WorkflowKind::OrderIntake,
        input: serde_json::to_string(&req).expect("JSON"),
        order_id: None,
        fulfillment_id: None,
    };
    let Command::RecordHosted { mut record } = decision(1, &["started"]) else { unreachable!() };
    record.workflow = intake;
    f.ok(Command::RecordHosted { record: record.clone() });
    let row = f.svc.store().read(|tx| tx.workflow("order-intake-rec-2")).expect("read").expect("row");
    assert_eq!(row.priority, urgent, "the request's priority");

    req.request_id = "rec-3".into();
    let order = f.ok(Command::SubmitOrder(req));
    let tote::app::Outcome::Order { order_id, .. } = order else { panic!("{order:?}") };
    record.workflow = HostedWorkflow {
        id: "order-fulfillment-rec-2".into(),
        kind: WorkflowKind::OrderFulfillment,
        input: "{}".into(),
        order_id: Some(order_id),
        fulfillment_id: None,
    };
    f.ok(Command::RecordHosted { record });
    let row = f.svc.store().read(|tx| tx.workflow("order-fulfillment-rec-2")).expect("read").expect("row");
    assert_eq!(row.priority, urgent, "the order's priority");
}

/// A signal to a hosted workflow that the other engine has ended is
/// answered at once from its recorded state, as the embedded engine would:
/// a retry of a cancelled fulfillment is refused to the caller (it was
/// queued for the cluster, which refused it where nobody saw), and nothing
/// is queued. A running one's signal is still forwarded.
#[test]
fn a_signal_to_an_ended_hosted_workflow_is_refused_at_once_and_not_forwarded() {
    use tote::domain::workflow::fulfillment::{Event, State, evolve};
    use tote::domain::workflow::{FulfillmentStart, Settings};
    let f = Fixture::new();
    let record = |id: &str, events: Vec<Event>| {
        let state = events.iter().fold(State::default(), evolve);
        let Command::RecordHosted { mut record } = decision(1, &[]) else { unreachable!() };
        record.workflow = HostedWorkflow {
            id: id.into(),
            kind: WorkflowKind::OrderFulfillment,
            input: "{}".into(),
            order_id: None,
            fulfillment_id: None,
        };
        record.version = events.len() as i64;
        record.status = state.status;
        record.state = serde_json::to_value(&state).expect("JSON");
        record.events = events.iter().map(|e| serde_json::to_value(e).expect("JSON")).collect();
        f.ok(Command::RecordHosted { record });
    };
    let started = Event::Started(FulfillmentStart { fulfillment_id: 7, order_id: 5, settings: Settings::default() });
    let cancelled = Event::Finished { status: WorkflowStatus::Cancelled, reason: Some("customer".into()) };
    record("order-fulfillment-ended", vec![started.clone(), cancelled]);
    record("order-fulfillment-running", vec![started]);
    let queued = |f: &Fixture| f.svc.store().read(|tx| tx.hosted_signals(10)).expect("read").len();

    let refused = f.run(Command::RetryWorkflow { workflow_id: "order-fulfillment-ended".into() });
    let e = refused.expect_err("an ended workflow refuses a retry");
    assert!(e.to_string().contains("the fulfillment workflow is cancelled"), "{e}");
    assert_eq!(queued(&f), 0, "nothing queued for the cluster");

    f.ok(Command::RetryWorkflow { workflow_id: "order-fulfillment-running".into() });
    assert_eq!(queued(&f), 1, "a running workflow's signal is forwarded");
}

/// An order split across Temporal sites is checked here as far as any site
/// would check it (SKUs, quantities, address), its own lines fully: a bad
/// line for another site's warehouse is a 400 naming the field as sent,
/// not a 202 whose part then fails as an intake at the other site.
#[test]
fn a_routed_line_is_checked_here_before_the_order_is_accepted() {
    use std::sync::Arc;
    use tote::app::workflow::hosted::Engine;
    use tote::app::{FixedClock, Outcome, ServiceConfig, Services};
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Arc::new(tote::storage::Store::open(&dir.path().join("a.db")).expect("open"));
    store.write(|tx| tx.ensure_warehouse("W1", "One", common::t0()).map(drop)).expect("W1");
    let config = ServiceConfig { engine: Engine::Temporal, sites: "W2".parse().expect("sites"), ..Default::default() };
    let svc = Services::new(store, Arc::new(FixedClock::new(common::t0())), config);
    let submit = |id: &str, lines: &[(&str, i64, &str)]| svc.execute(&format!("op-{id}"), &common::order(id, lines));

    for (i, (lines, field)) in [
        (&[("SKU-A", 1, "W1"), ("SKU-B", 0, "W2")][..], "lines[1].quantity"),
        (&[("SKU-A", 1, "W1"), ("  ", 1, "W2")][..], "lines[1].sku"),
        (&[("SKU-B", 100_001, "W2")][..], "lines[0].quantity"),
    ]
    .into_iter()
    .enumerate()
    {
        let e = submit(&format!("split-bad-{i}"), lines).expect_err(field);
        let tote::app::AppError::Rejected(r) = &e else { panic!("{e}") };
        assert_eq!(r.field.as_deref(), Some(field), "{e}");
    }
    assert!(svc.store().read(|tx| tx.hosted_starts(10)).expect("read").is_empty(), "nothing queued");

    let ok = submit("split-ok", &[("SKU-A", 1, "W1"), ("SKU-B", 2, "W2")]).expect("accepted");
    let Outcome::Accepted { routed, .. } = ok else { panic!("{ok:?}") };
    assert_eq!(routed.iter().map(|r| r.request_id.as_str()).collect::<Vec<_>>(), ["split-ok/W2"]);
}
