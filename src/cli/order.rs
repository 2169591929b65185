//! `tote order submit|status|cancel`.

use anyhow::{Context, Result, anyhow};
use std::path::Path;
use tote::app::command::OrderRequest;
use tote::app::{AppError, Command, Outcome, Services};

/// Turns a rejection into a one-line message (which names the field).
pub fn explain(e: AppError) -> anyhow::Error {
    match e {
        AppError::Rejected(r) => anyhow!("{} {}", r.code, r.message),
        AppError::Storage(s) => anyhow!(s),
    }
}

pub fn submit(svc: &Services, file: &Path) -> Result<()> {
    let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let req: OrderRequest =
        serde_json::from_str(&text).map_err(|e| anyhow!("{}:{}:{}: {e}", file.display(), e.line(), e.column()))?;
    // The request id is the idempotency key, so the op id derives from it.
    let op_id = req.default_op_id();
    let out = svc.execute(&op_id, &Command::SubmitOrder(req)).map_err(explain)?;
    print_outcome(&out);
    Ok(())
}

pub fn print_outcome(out: &Outcome) {
    match out {
        Outcome::Order { order_id, status, fulfillments, existing } => {
            let note = if *existing { " (already submitted)" } else { "" };
            println!("order {order_id} {status}{note}");
            for f in fulfillments {
                let task = f.picking_task_id.map(|t| format!(", picking task {t}")).unwrap_or_default();
                println!("  fulfillment {} in {}: {}{task}", f.fulfillment_id, f.warehouse, f.status);
            }
        }
        // A Temporal site: `tote serve` starts the intake on the cluster.
        Outcome::Accepted { request_id, workflow_id, existing, routed } => {
            let note = if *existing { " (already submitted)" } else { "" };
            println!("order {request_id} accepted{note}: intake {workflow_id} starts on Temporal");
            for r in routed {
                println!("  {} lines routed to their site: {} ({})", r.warehouse, r.workflow_id, r.request_id);
            }
        }
        _ => {}
    }
}

pub fn status(svc: &Services, id: i64, json: bool) -> Result<()> {
    let v = svc.order_view(id).map_err(explain)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(());
    }
    println!("order {} ({}) {} priority {}", v.order_id, v.request_id, v.status, v.priority);
    if let Some(r) = &v.cancel_reason {
        println!("  cancelled: {r}");
    }
    for l in &v.lines {
        let short = l.short.filter(|s| *s > 0).map(|s| format!(", SHORT {s}")).unwrap_or_default();
        println!(
            "  line {} x{} from {}: allocated {}, picked {}, packed {}, shipped {}{short}",
            l.sku, l.quantity, l.warehouse, l.allocated, l.picked, l.packed, l.shipped
        );
    }
    for f in &v.fulfillments {
        println!("  fulfillment {} in {}: {}", f.fulfillment_id, f.warehouse, f.status);
        for t in &f.picking {
            println!("    picking task {}: {} {}", t.task_id, t.status, t.progress);
        }
        for t in &f.packing {
            println!("    packing task {}: {} {}", t.task_id, t.status, t.progress);
        }
    }
    for w in svc.order_workflows(id).map_err(explain)? {
        let blocking = w.blocking_reason.map(|b| format!(" — {b}")).unwrap_or_default();
        println!("  workflow {}: {} at {}{blocking}", w.workflow_id, w.status, w.current_step);
    }
    Ok(())
}

/// `tote dispatch scan|close`: parcels leave the dock.
pub fn dispatch(svc: &Services, command: Command) -> Result<()> {
    let out = svc.execute(&tote::app::new_op_id(), &command).map_err(explain)?;
    if let Outcome::Dispatched { parcels, fulfillments } = out {
        match parcels.as_slice() {
            [] => println!("nothing at the dock for this manifest"),
            _ => println!(
                "{} parcel(s) left: {} ({} fulfillment(s))",
                parcels.len(),
                parcels.join(", "),
                fulfillments.len()
            ),
        }
    }
    Ok(())
}

pub fn cancel(svc: &Services, id: i64, reason: &str, op_id: String) -> Result<()> {
    let out = svc.execute(&op_id, &Command::CancelOrder { order_id: id, reason: reason.into() }).map_err(explain)?;
    if let Outcome::OrderCancelled { released, returned, tasks_cancelled, .. } = out {
        println!(
            "order {id} cancelled: {released} reserved units released, {returned} picked units returned, {tasks_cancelled} tasks cancelled"
        );
    }
    Ok(())
}
