//! Scale-out on Temporal (issue 18, feature `temporal`): the same pure
//! deciders the embedded engine drives run on a Temporal cluster.
//!
//! - `flow`: the Temporal workflows, one generic interpreter of a Tote
//!   decider per kind (`order_intake`, `order_fulfillment`).
//! - `bridge`: the activities, served by the Tote worker of the site:
//!   each runs through the app services in one transaction, idempotent by
//!   its Temporal activity id (the op id), and each decision is recorded
//!   in the site's store, so `tote workflows` reads either engine.
//! - `client`: start, signal and query by Tote's own workflow ids.
//!
//! The default build compiles none of this.

// The SDK's macros make marker types (one per activity, signal, query)
// that have no `Debug`.
#[allow(missing_debug_implementations)]
pub mod bridge;
pub mod client;
pub mod devserver;
#[allow(missing_debug_implementations)]
mod flow;

pub use flow::{FulfillmentFlow, IntakeFlow};

use crate::domain::workflow::ActivityError;
use serde_json::Value;
use temporalio_common::ActivityDefinition;

/// A decider's activity, run by Tote's app services.
pub const RUN: &str = "tote.run";
/// A decision recorded in the site's store.
pub const RECORD: &str = "tote.record";
/// An intake's fulfillment started as its own workflow.
pub const START_FULFILLMENT: &str = "tote.start_fulfillment";
/// The failure type of Tote's refusals: Temporal does not retry them.
pub const NON_RETRYABLE: &str = "ToteRefused";

/// The task queue of a site (`tote-{warehouse}`): its activities run on
/// the `tote serve` that holds its database. Workflow ids on the cluster
/// are Tote's under the site's queue ([`cluster_id`]).
pub use crate::app::workflow::hosted::{cluster_id, site_queue, tote_id};

/// The site's task queue when none is configured: `tote-<first warehouse>`.
pub fn default_task_queue(svc: &crate::app::Services) -> anyhow::Result<String> {
    let first = svc.store().read(|tx| tx.warehouses())?.into_iter().next();
    let first = first.ok_or_else(|| anyhow::anyhow!("the site has no warehouse to name its task queue"))?;
    Ok(site_queue(&first.code))
}

/// A Tote activity called by name, JSON in and out.
#[derive(Debug, Clone, Copy)]
pub struct ToteActivity(pub &'static str);

impl ActivityDefinition for ToteActivity {
    type Input = Value;
    type Output = Value;
    fn name(&self) -> &str {
        self.0
    }
}

pub use crate::app::workflow::hosted::{HostedCall as ActivityCall, HostedRecord as Record, Launch};

/// The marker a Tote activity error carries through Temporal's failure.
const MARK: &str = "tote-error:";

/// A Tote activity error as the text of a Temporal failure.
pub fn error_text(e: &ActivityError) -> String {
    format!("{MARK}{}", serde_json::to_string(e).unwrap_or_default())
}

pub fn tote_error(message: &str, retryable: bool) -> ActivityError {
    ActivityError { code: "E903".into(), message: message.to_owned(), retryable, shortage: false }
}

/// The Tote error inside a failed activity's chain of causes (or the
/// failure's own words when there is none).
pub fn error_of(e: &(dyn std::error::Error + 'static)) -> ActivityError {
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = next {
        let text = err.to_string();
        if let Some(at) = text.find(MARK)
            && let Ok(found) = serde_json::Deserializer::from_str(&text[at + MARK.len()..])
                .into_iter::<ActivityError>()
                .next()
                .transpose()
            && let Some(found) = found
        {
            return found;
        }
        next = err.source();
    }
    tote_error(&e.to_string(), false)
}
