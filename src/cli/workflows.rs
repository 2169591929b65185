//! `tote order update-address|describe` and `tote workflows list|retry`
//! (seed 004's verbs): the workflows as their queries see them.

use super::order::explain;
use anyhow::Result;
use tote::app::command::AddressDto;
use tote::app::workflow::view::WorkflowSummary;
use tote::app::{Command, Outcome, Services};

fn line(w: &WorkflowSummary) -> String {
    let blocking = w.blocking_reason.as_deref().map(|b| format!(" — {b}")).unwrap_or_default();
    format!("{} {} at {} ({}){blocking}", w.workflow_id, w.status, w.current_step, w.priority)
}

pub fn update_address(svc: &Services, id: i64, to: AddressDto, op_id: String) -> Result<()> {
    let out = svc.execute(&op_id, &Command::UpdateAddress { order_id: id, ship_to: to }).map_err(explain)?;
    if let Outcome::AddressUpdated { workflows, .. } = out {
        println!("order {id}: address updated ({workflows} workflow(s) took it)");
    }
    Ok(())
}

pub fn describe(svc: &Services, id: i64, json: bool) -> Result<()> {
    let summaries = svc.order_workflows(id).map_err(explain)?;
    if summaries.is_empty() {
        svc.order_view(id).map_err(explain)?;
        println!("order {id} has no workflows (taken before the engine existed)");
        return Ok(());
    }
    let mut views = Vec::new();
    for s in &summaries {
        views.push(svc.workflow_view(&s.workflow_id).map_err(explain)?);
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&views)?);
        return Ok(());
    }
    for v in &views {
        println!("{}", line(&v.summary));
        for h in &v.history {
            let activity = h.detail.pointer("/activity/name").and_then(|a| a.as_str()).unwrap_or_default();
            let error = h.detail.get("error").and_then(|e| e.as_str()).map(|e| format!(": {e}")).unwrap_or_default();
            println!("  {:>3} {} {} {activity}{error}", h.seq, h.at.format("%Y-%m-%d %H:%M:%S"), h.event);
        }
    }
    Ok(())
}

pub fn list(svc: &Services, status: Option<tote::domain::workflow::WorkflowStatus>, limit: u32) -> Result<()> {
    for w in svc.workflows(status, limit).map_err(explain)? {
        println!("{}", line(&w));
    }
    Ok(())
}

pub fn retry(svc: &Services, id: &str, op_id: String) -> Result<()> {
    let out = svc.execute(&op_id, &Command::RetryWorkflow { workflow_id: id.to_owned() }).map_err(explain)?;
    if let Outcome::Workflow { status, step, .. } = out {
        println!("{id}: {status} at {step}");
    }
    Ok(())
}
