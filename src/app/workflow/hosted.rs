//! Workflows hosted by another engine (Temporal, feature `temporal`): the
//! same deciders run there, and what they do to the warehouse reaches the
//! site's store as commands, each under an op id (so a repeat applies
//! once). `RunHosted` runs one local activity; `RecordHosted` writes one
//! decision into the store: the workflow's row (its query columns), its
//! history and the fulfillment's status, as the embedded driver does, so
//! `tote workflows` and `tote order describe` read either engine.

use super::super::command::{OrderRequest, Outcome, Routed};
use super::super::{AppError, Ctx};
use super::activities;
use crate::domain::DomainError;
use crate::domain::fulfillment::FulfillmentAction;
use crate::domain::ids::OrderId;
use crate::domain::workflow::intake::IntakeStart;
use crate::domain::workflow::{Activity, ActivityResult, WorkflowKind, WorkflowStatus};
use crate::storage::workflow::WorkflowRow;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

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
///
/// Lines for a warehouse another site holds ([`Sites`]) are routed: each
/// such warehouse's lines are an intake of their own (request id
/// `{request_id}/{warehouse}`), started on that site's task queue, so
/// that site's `tote serve` makes and runs its part in its own store. That
/// site checks its part; this one checks only its own lines.
pub(in crate::app) fn submit(ctx: &mut Ctx<'_, '_>, req: &OrderRequest) -> Result<Outcome, AppError> {
    let request_id = req.request_id.trim().to_owned();
    let (local, parts) = ctx.config.sites.split(req);
    if !parts.is_empty() {
        super::super::intake::check_shape(req)?;
    }
    if let Some(local) = &local {
        super::super::intake::check(ctx, local)?;
    }
    let mut routed = Vec::with_capacity(parts.len());
    for (warehouse, queue, part) in parts {
        let id = crate::domain::workflow::intake_id(&part.request_id);
        let launch = Launch::intake(&part, ctx.config.workflow)?;
        ctx.tx.queue_hosted_start(&id, &serde_json::to_string(&launch)?, Some(&queue), ctx.now)?;
        routed.push(Routed { warehouse, request_id: part.request_id.clone(), workflow_id: cluster_id(&queue, &id) });
    }
    let Some(local) = local else {
        let first = routed.first().map(|r| r.workflow_id.clone()).unwrap_or_default();
        return Ok(Outcome::Accepted { request_id, workflow_id: first, existing: false, routed });
    };
    let id = crate::domain::workflow::intake_id(&request_id);
    let priority = super::intake_priority(&local);
    let launch = Launch::intake(&local, ctx.config.workflow)?;
    let mut row = super::new_row(ctx, id.clone(), WorkflowKind::OrderIntake, priority, launch.input.clone());
    row.step = "starting".into();
    let new = ctx.tx.insert_workflow(&row)?;
    if new {
        ctx.tx.mark_hosted(&id, ctx.config.engine.as_str(), ctx.now)?;
        ctx.tx.queue_hosted_start(&id, &serde_json::to_string(&launch)?, None, ctx.now)?;
    }
    Ok(Outcome::Accepted { request_id, workflow_id: id, existing: !new, routed })
}

impl Launch<IntakeStart> {
    /// An intake's launch: the decider's start and the request as its input.
    pub fn intake(req: &OrderRequest, settings: crate::domain::workflow::Settings) -> serde_json::Result<Self> {
        let start = super::intake_start(req, settings);
        Ok(Launch { start, input: serde_json::to_string(req)?, order_id: None, fulfillment_id: None })
    }
}

/// The task queue of the site that holds warehouse `code` when none is
/// configured: `tote-{code}`.
pub fn site_queue(code: &str) -> String {
    format!("tote-{code}")
}

/// A Tote workflow id as the cluster knows it: under the task queue of its
/// site, so that two sites' `order-fulfillment-1` never meet.
pub fn cluster_id(task_queue: &str, tote_id: &str) -> String {
    format!("{task_queue}/{tote_id}")
}

/// The Tote id inside `cluster_id` of a workflow on `task_queue`.
pub fn tote_id<'a>(task_queue: &str, cluster_id: &'a str) -> &'a str {
    cluster_id.strip_prefix(task_queue).and_then(|r| r.strip_prefix('/')).unwrap_or(cluster_id)
}

/// Warehouses other sites hold, each with its site's task queue: the
/// `[server]` key `temporal_sites`, `W2 W3=tote-B` (a bare code is on
/// `tote-{code}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Sites(BTreeMap<String, String>);

impl std::str::FromStr for Sites {
    type Err = String;
    fn from_str(s: &str) -> Result<Sites, String> {
        let mut out = BTreeMap::new();
        for item in s.split([',', ' ']).map(str::trim).filter(|i| !i.is_empty()) {
            let (code, queue) = match item.split_once('=') {
                Some((c, q)) => (c.trim(), q.trim().to_owned()),
                None => (item, site_queue(item)),
            };
            if code.is_empty() || queue.is_empty() {
                return Err(format!("{item:?} is not WAREHOUSE or WAREHOUSE=TASK_QUEUE"));
            }
            out.insert(code.to_owned(), queue);
        }
        Ok(Sites(out))
    }
}

impl Sites {
    /// `req` split into the lines this site holds (`None` when every line
    /// is another site's) and one part per other site's warehouse:
    /// (warehouse, task queue, the part's request).
    pub fn split(&self, req: &OrderRequest) -> (Option<OrderRequest>, Vec<(String, String, OrderRequest)>) {
        let mut parts: BTreeMap<&str, (&String, OrderRequest)> = BTreeMap::new();
        let mut local = req.clone();
        local.lines.clear();
        for line in &req.lines {
            let elsewhere = line.warehouse.as_deref().and_then(|w| self.0.get_key_value(w.trim()));
            match elsewhere {
                Some((code, queue)) => {
                    let part = parts.entry(code).or_insert_with(|| {
                        let mut p = req.clone();
                        p.request_id = format!("{}/{code}", req.request_id.trim());
                        p.lines.clear();
                        (queue, p)
                    });
                    part.1.lines.push(line.clone());
                }
                None => local.lines.push(line.clone()),
            }
        }
        // An order with no lines at all is this site's to refuse.
        let local = (!local.lines.is_empty() || parts.is_empty()).then_some(local);
        let parts = parts.into_iter().map(|(code, (queue, p))| (code.to_owned(), queue.clone(), p)).collect();
        (local, parts)
    }
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
    /// Its row as the local activities take it (its ids and input).
    fn row(&self, ctx: &Ctx<'_, '_>) -> WorkflowRow {
        let mut r = super::new_row(ctx, self.id.clone(), self.kind, 0, self.input.clone());
        r.order_id = self.order_id;
        r.fulfillment_id = self.fulfillment_id;
        r
    }

    /// The priority the embedded engine gives it: its order's, or its
    /// request's while an intake has made no order yet.
    fn priority(&self, ctx: &Ctx<'_, '_>) -> Result<i64, AppError> {
        Ok(match self.order_id {
            Some(id) => ctx.tx.order(OrderId(id))?.map(|o| o.priority.rank()).unwrap_or_default(),
            None => serde_json::from_str::<OrderRequest>(&self.input).map_or(0, |r| super::intake_priority(&r)),
        })
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
    // The first record makes the row (another site's part of an order has
    // none yet); its priority is looked up then, not at every decision.
    if ctx.tx.workflow(id)?.is_none() {
        let mut row = r.workflow.row(ctx);
        row.priority = r.workflow.priority(ctx)?;
        ctx.tx.insert_workflow(&row)?;
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::command::{AddressDto, LineDto};

    fn req(lines: &[(&str, Option<&str>)]) -> OrderRequest {
        OrderRequest {
            request_id: " r1 ".into(),
            external_ref: None,
            priority: "high".into(),
            ship_to: AddressDto {
                contact_name: "A".into(),
                street: "S".into(),
                city: "C".into(),
                postal_code: "1".into(),
                country: "RS".into(),
                phone: String::new(),
            },
            lines: lines
                .iter()
                .map(|(sku, w)| LineDto { sku: (*sku).into(), quantity: 1, warehouse: w.map(Into::into) })
                .collect(),
            short_policy: None,
        }
    }

    #[test]
    fn sites_parse_bare_codes_and_named_queues_and_refuse_half_pairs() {
        let s: Sites = "W2, W3=tote-B".parse().expect("sites");
        let want: BTreeMap<String, String> =
            [("W2".into(), "tote-W2".into()), ("W3".into(), "tote-B".into())].into_iter().collect();
        assert_eq!(s, Sites(want));
        assert!("W2=".parse::<Sites>().is_err());
        assert!("=q".parse::<Sites>().is_err());
        assert_eq!("".parse::<Sites>(), Ok(Sites::default()));
    }

    #[test]
    fn an_order_splits_into_its_own_lines_and_one_part_per_other_sites_warehouse() {
        let sites: Sites = "W2 W3=tote-B".parse().expect("sites");
        let r = req(&[("A", Some("W1")), ("B", Some("W2")), ("C", None), ("D", Some(" W2")), ("E", Some("W3"))]);
        let (local, parts) = sites.split(&r);
        let skus = |o: &OrderRequest| o.lines.iter().map(|l| l.sku.clone()).collect::<Vec<_>>();
        assert_eq!(local.as_ref().map(skus), Some(vec!["A".to_owned(), "C".to_owned()]));
        let got: Vec<_> =
            parts.iter().map(|(w, q, p)| (w.as_str(), q.as_str(), p.request_id.as_str(), skus(p))).collect();
        assert_eq!(
            got,
            [
                ("W2", "tote-W2", "r1/W2", vec!["B".to_owned(), "D".to_owned()]),
                ("W3", "tote-B", "r1/W3", vec!["E".to_owned()])
            ]
        );
        assert!(parts.iter().all(|(_, _, p)| p.priority == "high" && p.ship_to == r.ship_to));
        // Every line another site's: no part here. No lines: this site refuses it.
        assert!(sites.split(&req(&[("B", Some("W2"))])).0.is_none());
        assert_eq!(sites.split(&req(&[])).0.map(|o| o.lines.len()), Some(0));
        // Without sites, every line stays.
        assert_eq!(Sites::default().split(&r).1.len(), 0);
    }

    #[test]
    fn a_cluster_id_is_the_sites_queue_then_totes_id_and_back() {
        let id = cluster_id("tote-W2", "order-intake-r/1");
        assert_eq!(id, "tote-W2/order-intake-r/1");
        assert_eq!(tote_id("tote-W2", &id), "order-intake-r/1");
        assert_eq!(tote_id("tote-W1", "order-fulfillment-3"), "order-fulfillment-3", "an id of no queue stays");
    }
}
