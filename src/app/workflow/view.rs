//! What a workflow looks like from outside: seed 003's queries (status,
//! current step, blocking reason) and its history, for
//! `GET /api/v1/workflows/{id}` and `tote order describe`.

use super::super::{AppError, Services};
use crate::domain::DomainError;
use crate::storage::StorageError;
use crate::storage::workflow::WorkflowRow;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct WorkflowSummary {
    pub workflow_id: String,
    pub kind: String,
    pub status: crate::domain::workflow::WorkflowStatus,
    pub current_step: String,
    pub blocking_reason: Option<String>,
    /// A supervisor's retry would do something now (a step is stuck, a
    /// task failed, stock is short): the workflow's own decider is asked.
    #[serde(default)]
    pub retryable: bool,
    pub priority: crate::domain::order::Priority,
    pub order_id: Option<i64>,
    pub fulfillment_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct HistoryEvent {
    pub seq: i64,
    pub event: String,
    pub at: DateTime<Utc>,
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
}

/// An activity waiting in the engine's queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct QueuedActivity {
    pub task_id: i64,
    pub activity: String,
    pub attempt: u32,
    pub next_run_at: DateTime<Utc>,
    pub last_error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct WorkflowView {
    #[serde(flatten)]
    pub summary: WorkflowSummary,
    pub history: Vec<HistoryEvent>,
}

/// Whether a retry signal would decide anything for `row` now.
fn retryable<W: crate::domain::workflow::definition::Workflow>(row: &WorkflowRow) -> Result<bool, AppError> {
    use crate::domain::workflow::{Input, Signal};
    let s: W::State = serde_json::from_str(&row.state)?;
    Ok(W::decide(&s, &Input::Signal(Signal::Retry), row.updated_at).is_ok_and(|d| !d.events.is_empty()))
}

fn summary(w: WorkflowRow) -> Result<WorkflowSummary, AppError> {
    let status = crate::domain::workflow::WorkflowStatus::parse(&w.status)
        .ok_or_else(|| StorageError::Corrupt(format!("workflow {} has status {:?}", w.id, w.status)))?;
    let retryable = by_kind!(&w, W => retryable::<W>(&w)?);
    Ok(WorkflowSummary {
        retryable,
        priority: crate::domain::order::Priority::from_rank(w.priority).unwrap_or_default(),
        workflow_id: w.id,
        kind: w.kind,
        status,
        current_step: w.step,
        blocking_reason: w.blocking,
        order_id: w.order_id,
        fulfillment_id: w.fulfillment_id,
        created_at: w.created_at,
        updated_at: w.updated_at,
    })
}

impl Services {
    pub fn workflow_view(&self, id: &str) -> Result<WorkflowView, AppError> {
        self.query(|tx| {
            let w = tx.workflow(id)?.ok_or_else(|| DomainError::not_found("workflow", id))?;
            let history = tx
                .history(id)?
                .into_iter()
                .map(|h| HistoryEvent {
                    seq: h.seq,
                    event: h.event_type,
                    at: h.at,
                    detail: serde_json::from_str(&h.payload).unwrap_or(serde_json::Value::Null),
                })
                .collect();
            Ok(WorkflowView { summary: summary(w)?, history })
        })
    }

    /// Workflows, most recently changed first, optionally of one status.
    pub fn workflows(
        &self,
        status: Option<crate::domain::workflow::WorkflowStatus>,
        limit: u32,
    ) -> Result<Vec<WorkflowSummary>, AppError> {
        self.query(|tx| tx.workflows(status.map(|s| s.as_str()), limit)?.into_iter().map(summary).collect())
    }

    /// The workflows of one order: its intake, then its fulfillments.
    pub fn order_workflows(&self, order_id: i64) -> Result<Vec<WorkflowSummary>, AppError> {
        self.query(|tx| tx.workflows_for_order(order_id)?.into_iter().map(summary).collect())
    }
}
