//! The activities the Tote worker of a site serves: each runs through the
//! site's single writer as one op, under an op id made of the workflow id
//! and the Temporal activity id, so a retried or repeated activity applies
//! once (its stored answer is returned again).

use super::client::Site;
use super::{ActivityCall, FulfillmentFlow, Launch, Record, error_text};
use crate::app::{AppError, Command, Outcome};
use crate::domain::workflow::{self as wf, FulfillmentStart};
use serde_json::Value;
use std::sync::Arc;
use temporalio_client::Client;
use temporalio_macros::activities;
use temporalio_sdk::ApplicationFailure;
use temporalio_sdk::activities::{ActivityContext, ActivityError};

/// How often a running activity tells Temporal it lives.
pub const HEARTBEAT: std::time::Duration = std::time::Duration::from_secs(1);

/// The site, and the client that starts its fulfillments (on the site's
/// task queue).
#[derive(Debug)]
pub struct Bridge {
    pub site: Site,
    pub client: Client,
}

/// A Tote refusal as a Temporal failure: non-retryable unless Tote says a
/// retry may mend it.
fn failure(e: AppError) -> ActivityError {
    refusal(&match &e {
        AppError::Rejected(r) => crate::app::workflow::failure(r),
        // The store was busy or failed: a retry may mend it.
        AppError::Storage(s) => super::tote_error(&s.to_string(), true),
    })
}

/// A Tote activity error as a Temporal failure: non-retryable unless a
/// retry may mend it, its code and message carried in the text.
fn refusal(err: &crate::domain::workflow::ActivityError) -> ActivityError {
    let f = ApplicationFailure::builder(error_text(err));
    let f = if err.retryable {
        f.build()
    } else {
        f.type_name(super::NON_RETRYABLE.to_owned()).non_retryable(true).build()
    };
    ActivityError::application(f)
}

impl Bridge {
    async fn execute(&self, op_id: String, command: Command) -> Result<Outcome, ActivityError> {
        self.site.writer.execute(op_id, command).await.map_err(failure)
    }

    /// The activity itself: a carrier call, or a local activity through
    /// the app services.
    async fn run_call(&self, op_id: String, call: ActivityCall) -> Result<Value, ActivityError> {
        if call.activity.calls_carrier() {
            // The call carries its whole input; the carrier is idempotent by
            // the request's key, so Temporal's retries book it once.
            let (carrier, activity) = (self.site.carrier.clone(), call.activity.clone());
            let called =
                tokio::task::spawn_blocking(move || crate::server::engine::call_carrier(carrier.as_ref(), &activity))
                    .await
                    .map_err(|e| ActivityError::application(ApplicationFailure::new(e.to_string())))?;
            return match called {
                Ok(result) => Ok(serde_json::to_value(result).unwrap_or(Value::Null)),
                Err(e) => Err(refusal(&e)),
            };
        }
        match self.execute(op_id, Command::RunHosted { call: Box::new(call) }).await? {
            Outcome::Hosted { result } => Ok(result),
            other => Ok(serde_json::to_value(other).unwrap_or(Value::Null)),
        }
    }
}

#[activities]
impl Bridge {
    /// A decider's activity (allocate, create pick work, release, …).
    #[activity(name = "tote.run")]
    pub async fn run(self: Arc<Self>, ctx: ActivityContext, call: ActivityCall) -> Result<Value, ActivityError> {
        let op_id = format!("temporal:{}:{}", call.workflow.id, ctx.info().activity_id);
        let work = self.run_call(op_id, call);
        tokio::pin!(work);
        // Heartbeats while it runs: a worker killed mid-call is noticed by
        // the heartbeat timeout, not the call's whole timeout.
        loop {
            tokio::select! {
                r = &mut work => return r,
                _ = tokio::time::sleep(HEARTBEAT) => {
                    let _ = ctx.record_heartbeat(()).await;
                }
            }
        }
    }

    /// A decision recorded in the site's store (history, query columns,
    /// the fulfillment's status).
    #[activity(name = "tote.record")]
    pub async fn record(self: Arc<Self>, _ctx: ActivityContext, record: Record) -> Result<Value, ActivityError> {
        let op_id = format!("temporal:{}:v{}", record.workflow.id, record.version);
        self.execute(op_id, Command::RecordHosted { record: Box::new(record) }).await?;
        Ok(Value::Null)
    }

    /// An intake's fulfillment, started as its own workflow (a second
    /// start of the same id finds the first).
    #[activity(name = "tote.start_fulfillment")]
    pub async fn start_fulfillment(
        self: Arc<Self>,
        _ctx: ActivityContext,
        start: FulfillmentStart,
    ) -> Result<Value, ActivityError> {
        let launch = Launch {
            start,
            input: serde_json::to_string(&start).unwrap_or_default(),
            order_id: Some(start.order_id),
            fulfillment_id: Some(start.fulfillment_id),
        };
        let id = wf::fulfillment_id(start.fulfillment_id);
        super::client::start_once(&self.client, FulfillmentFlow::run, launch, &self.site.task_queue, &id)
            .await
            .map_err(|e| ActivityError::application(ApplicationFailure::new(e.to_string())))?;
        Ok(Value::String(id))
    }
}
