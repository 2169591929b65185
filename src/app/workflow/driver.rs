//! The one generic driver: a workflow of any kind, loaded from its row,
//! decides an input through its `domain::workflow::definition::Workflow`,
//! appends the events to its history, saves the row's query columns and
//! moves the fulfillment's status by the events (ADR 0028). Nothing here
//! knows one kind's insides; `by_kind!` is the one place a row's kind picks
//! the type.

use super::super::command::OrderRequest;
use super::super::{AppError, Ctx};
use super::Feed;
use crate::domain::DomainError;
use crate::domain::fulfillment::FulfillmentAction;
use crate::domain::ids::FulfillmentId;
use crate::domain::workflow::definition::{Fulfillment, Intake, Workflow};
use crate::domain::workflow::{self as wf, Activity, ActivityResult, Effect, Input, WorkflowKind, intake};
use crate::storage::workflow::WorkflowRow;

/// How the embedded engine starts a kind from its row's input.
pub(super) trait Driven: Workflow {
    fn start(row: &WorkflowRow, settings: wf::Settings) -> Result<Self::Start, AppError>;
    /// Whether it waits for stock rather than failing when short of it
    /// (the backorder policy), so that a strict intake accepts the order.
    fn waits_for_stock(_: &Self::State) -> bool {
        false
    }
}

impl Driven for Intake {
    fn start(row: &WorkflowRow, settings: wf::Settings) -> Result<intake::IntakeStart, AppError> {
        let req: OrderRequest = serde_json::from_str(&row.input)?;
        Ok(super::intake_start(&req, settings))
    }
}

impl Driven for Fulfillment {
    fn start(row: &WorkflowRow, _: wf::Settings) -> Result<wf::FulfillmentStart, AppError> {
        Ok(serde_json::from_str(&row.input)?)
    }
    fn waits_for_stock(s: &wf::fulfillment::State) -> bool {
        s.start.is_some_and(|st| st.settings.short_policy == wf::ShortPolicy::Backorder)
    }
}

/// The kind a row names; an unknown one is corrupt data.
pub(super) fn kind_of(row: &WorkflowRow) -> Result<WorkflowKind, AppError> {
    WorkflowKind::parse(&row.kind).ok_or_else(|| {
        crate::storage::StorageError::Corrupt(format!("workflow {} has unknown kind {}", row.id, row.kind)).into()
    })
}

/// Runs `$body` with `$w` naming the `Workflow` type of `$row`'s kind.
macro_rules! by_kind {
    ($row:expr, $w:ident => $body:expr) => {
        match $crate::app::workflow::driver::kind_of($row)? {
            $crate::domain::workflow::WorkflowKind::OrderIntake => {
                type $w = $crate::domain::workflow::definition::Intake;
                $body
            }
            $crate::domain::workflow::WorkflowKind::OrderFulfillment => {
                type $w = $crate::domain::workflow::definition::Fulfillment;
                $body
            }
        }
    };
}

/// A workflow loaded for a decision.
pub(super) struct Live<W: Workflow> {
    pub row: WorkflowRow,
    pub state: W::State,
}

/// What one decision did: the effects to carry out, and the carrier's
/// answer the workflow took, if it took one.
pub(super) struct Decided {
    pub effects: Vec<Effect>,
    pub taken: Option<(Activity, ActivityResult)>,
}

impl<W: Driven> Live<W> {
    pub fn from_row(row: WorkflowRow) -> Result<Self, AppError> {
        let state = serde_json::from_str(&row.state)?;
        Ok(Live { row, state })
    }

    pub fn wants(&self, activity: &Activity, attempt: u32) -> bool {
        W::wants(&self.state, activity, attempt)
    }

    /// Decides `feed`: the events go to the history, the row's columns
    /// follow the state, and the fulfillment's status moves with them.
    pub fn decide(&mut self, ctx: &mut Ctx<'_, '_>, feed: &Feed) -> Result<Decided, AppError> {
        let start = W::start(&self.row, ctx.config.workflow)?;
        let input: Input<W::Start> = super::to_input(feed, start, &self.row.id);
        let d = W::decide(&self.state, &input, ctx.now)?;
        let mut moves: Vec<FulfillmentAction> = Vec::new();
        let taken = wf::definition::carrier_answer_taken::<W>(&input, &d.events).map(|(a, r)| (a.clone(), r.clone()));
        let mut names = Vec::new();
        for e in &d.events {
            moves.extend_from_slice(W::moves(&self.state, e));
            self.state = W::evolve(std::mem::take(&mut self.state), e);
            let json = serde_json::to_value(e)?;
            let name = json.get("event").and_then(|k| k.as_str()).unwrap_or("event");
            self.row.version += 1;
            ctx.tx.append_history(&self.row.id, self.row.version, name, &json.to_string(), ctx.now)?;
            names.push(name.to_owned());
        }
        if !d.events.is_empty() {
            if let Some(o) = W::order(&self.state) {
                self.row.order_id = Some(o);
            }
            self.row.status = W::status(&self.state).as_str().to_owned();
            self.row.step = W::step(&self.state).to_owned();
            self.row.blocking = W::blocking_reason(&self.state);
            self.row.state = serde_json::to_string(&self.state)?;
            ctx.tx.save_workflow(&self.row, ctx.now)?;
            project(ctx, self.row.fulfillment_id, &moves)?;
            tracing::info!(
                workflow = %self.row.id, step = %self.row.step, status = %self.row.status,
                events = %names.join(","), "workflow step"
            );
        }
        Ok(Decided { effects: d.effects, taken })
    }
}

/// The one writer of a fulfillment's status: the workflow's events,
/// through the status table (an illegal move refuses the input). Also
/// what a hosted workflow's recorded decision moves.
pub(super) fn project(ctx: &mut Ctx<'_, '_>, id: Option<i64>, moves: &[FulfillmentAction]) -> Result<(), AppError> {
    let Some(id) = id.map(FulfillmentId) else { return Ok(()) };
    if moves.is_empty() {
        return Ok(());
    }
    let mut f = ctx.tx.fulfillment(id)?.ok_or_else(|| DomainError::not_found("fulfillment", id))?;
    for action in moves {
        let from = f.apply(*action)?;
        ctx.emit(crate::domain::event::DomainEvent::FulfillmentStatusChanged {
            fulfillment_id: id,
            order_id: f.order_id,
            from: from.as_str(),
            to: f.status.as_str(),
        });
    }
    ctx.tx.save_fulfillment(&f, ctx.now)?;
    Ok(())
}
