//! Workflows hosted by another engine (Temporal, feature `temporal`): the
//! same deciders run there, and what they do to the warehouse reaches the
//! site's store as commands, each under an op id (so a repeat applies
//! once). `RunHosted` runs one local activity; `RecordHosted` writes one
//! decision into the store: the workflow's row (its query columns), its
//! history and the fulfillment's status, as the embedded driver does, so
//! `tote workflows` and `tote order describe` read either engine.

use super::super::command::{OrderRequest, Outcome};
use super::super::{AppError, Ctx};
use super::activities;
use crate::domain::DomainError;
use crate::domain::fulfillment::FulfillmentAction;
use crate::domain::workflow::{Activity, ActivityResult, WorkflowKind, WorkflowStatus};
use crate::storage::workflow::WorkflowRow;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Which engine runs a site's new workflows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Engine {
    /// `server::engine`, in the site's own store.
    #[default]
    Embedded,
    /// A Temporal cluster (feature `temporal`): the site's `tote serve`
    /// runs its activities and forwards its signals.
    Temporal,
}

impl Engine {
    pub fn as_str(self) -> &'static str {
        match self {
            Engine::Embedded => "embedded",
            Engine::Temporal => "temporal",
        }
    }
}

impl std::str::FromStr for Engine {
    type Err = String;
    /// `embedded` or `temporal`; anything else says what it may be.
    fn from_str(s: &str) -> Result<Engine, String> {
        [Engine::Embedded, Engine::Temporal]
            .into_iter()
            .find(|e| e.as_str() == s)
            .ok_or_else(|| format!("must be embedded or temporal, not {s:?}"))
    }
}

/// How a hosted workflow starts: the decider's start value, and what its
/// activities need to know of it (the row input: the order request of an
/// intake, the start of a fulfillment).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Launch<S> {
    pub start: S,
    pub input: String,
    #[serde(default)]
    pub order_id: Option<i64>,
    #[serde(default)]
    pub fulfillment_id: Option<i64>,
}

/// Intake on a hosted engine: the request is checked now (a bad one is
/// refused here, as on the embedded engine), and the intake workflow's row
/// and its start are written in this transaction; the site's worker
/// starts it on the engine (at least once; a second start of the id finds
/// the first). The order is made when the workflow runs.
pub(in crate::app) fn submit(ctx: &mut Ctx<'_, '_>, req: &OrderRequest) -> Result<Outcome, AppError> {
    super::super::intake::check(ctx, req)?;
    let request_id = req.request_id.trim().to_owned();
    let id = crate::domain::workflow::intake_id(&request_id);
    let input = serde_json::to_string(req)?;
    let priority = super::intake_priority(req);
    let mut row = super::new_row(ctx, id.clone(), WorkflowKind::OrderIntake, priority, input.clone());
    row.step = "starting".into();
    let new = ctx.tx.insert_workflow(&row)?;
    if new {
        let start = super::intake_start(req, ctx.config.workflow);
        let launch = Launch { start, input, order_id: None, fulfillment_id: None };
        ctx.tx.mark_hosted(&id, ctx.config.engine.as_str(), ctx.now)?;
        ctx.tx.queue_hosted_start(&id, &serde_json::to_string(&launch)?, ctx.now)?;
    }
    Ok(Outcome::Accepted { request_id, workflow_id: id, existing: !new })
}

/// A hosted workflow as the site's store knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostedWorkflow {
    pub id: String,
    pub kind: WorkflowKind,
    /// The row input: an intake's order request, a fulfillment's start.
    pub input: String,
    pub order_id: Option<i64>,
    pub fulfillment_id: Option<i64>,
}

impl HostedWorkflow {
    /// Its row, as the local activities and a first record take it.
    fn row(&self, ctx: &Ctx<'_, '_>) -> WorkflowRow {
        let mut r = super::new_row(ctx, self.id.clone(), self.kind, 0, self.input.clone());
        r.order_id = self.order_id;
        r.fulfillment_id = self.fulfillment_id;
        r
    }
}

/// One activity of a hosted workflow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostedCall {
    pub workflow: HostedWorkflow,
    pub activity: Activity,
}

/// One decision of a hosted workflow: its events, the query columns after
/// them, and what they do to the fulfillment's status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostedRecord {
    /// Its order is the one the decision knows (an intake's, once made).
    pub workflow: HostedWorkflow,
    /// The history's length after these events.
    pub version: i64,
    pub state: Value,
    pub status: WorkflowStatus,
    pub step: String,
    pub blocking: Option<String>,
    pub events: Vec<Value>,
    pub moves: Vec<FulfillmentAction>,
    /// Carrier answers these events took: they change the warehouse's
    /// tables (a shipment stored, confirmed, voided) as on the embedded engine.
    #[serde(default)]
    pub taken: Vec<(Activity, ActivityResult)>,
}

/// `Command::RunHosted`: one local activity, in this transaction (a
/// carrier call is made by the bridge itself, outside any transaction).
pub(in crate::app) fn run(ctx: &mut Ctx<'_, '_>, call: &HostedCall) -> Result<Outcome, AppError> {
    if !call.activity.is_local() {
        let reason = "a carrier activity is called by the engine's worker, not in a transaction";
        return Err(DomainError::invalid("activity", reason).into());
    }
    let result = activities::run(ctx, &call.workflow.row(ctx), &call.activity)?;
    Ok(Outcome::Hosted { result: serde_json::to_value(result)? })
}

/// `Command::RecordHosted`: one decision, once (an older or repeated
/// version changes nothing).
pub(in crate::app) fn record(ctx: &mut Ctx<'_, '_>, r: &HostedRecord) -> Result<Outcome, AppError> {
    let id = &r.workflow.id;
    ctx.tx.insert_workflow(&r.workflow.row(ctx))?;
    ctx.tx.mark_hosted(id, Engine::Temporal.as_str(), ctx.now)?;
    let mut w = ctx.tx.workflow(id)?.ok_or_else(|| DomainError::not_found("workflow", id))?;
    let first = w.version + 1;
    let added = usize::try_from(r.version - w.version).unwrap_or(0);
    // Decisions are recorded in their order: one that skips another would
    // number its events wrongly and miss the other's moves.
    if added > r.events.len() {
        let why = format!(
            "decision v{} of {id} carries {} event(s), but the store has v{}: an earlier decision is not recorded",
            r.version,
            r.events.len(),
            w.version
        );
        return Err(DomainError::invalid("version", why).into());
    }
    if added > 0 {
        let new = &r.events[r.events.len().saturating_sub(added)..];
        for (seq, e) in (first..).zip(new) {
            let name = e.get("event").and_then(Value::as_str).unwrap_or("event");
            ctx.tx.append_history(&w.id, seq, name, &e.to_string(), ctx.now)?;
        }
        w.version = r.version;
        w.status = r.status.as_str().to_owned();
        w.step.clone_from(&r.step);
        w.blocking.clone_from(&r.blocking);
        w.state = r.state.to_string();
        w.order_id = w.order_id.or(r.workflow.order_id);
        ctx.tx.save_workflow(&w, ctx.now)?;
        super::driver::project(ctx, w.fulfillment_id, &r.moves)?;
        for (activity, result) in &r.taken {
            activities::record_external(ctx, &w, activity, result)?;
        }
    }
    Ok(Outcome::Workflow { workflow_id: w.id, status: w.status, step: w.step, blocking_reason: w.blocking })
}
