//! Shipping labels of a packing task: one ZPL label per package, with the
//! carrier's tracking numbers: the shipment the workflow created, or, when
//! the packer is quicker than the workflow, the configured carrier asked
//! with the same plan and idempotency keys the workflow uses, so both get
//! the same shipment (a carrier books one per key).

use crate::app::shipments::ShipmentPlan;
use crate::app::task_views::PackingTaskView;
use crate::domain::DomainError;
use crate::domain::error::Code;
use crate::domain::packing::PackingStatus;
use crate::labels::templates::{Party, ShippingLabel};
use crate::server::AppState;
use crate::server::error::{ApiError, ErrorBody};
use crate::server::extract::Ids;
use crate::server::openapi::params::Id;
use crate::shipping::{CarrierError, PostalAddress};
use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct LabelSet {
    pub task_id: i64,
    pub carrier: String,
    pub tracking_numbers: Vec<String>,
    /// One ZPL document per package, in package order.
    pub labels: Vec<String>,
}

/// A carrier's refusal as an answer: bad data is the request's (400), a
/// refusal final (409, E303), a carrier down worth a retry (503, E901).
fn carrier_failed(e: CarrierError) -> ApiError {
    use axum::http::StatusCode;
    match e {
        CarrierError::Invalid { field, reason } => ApiError::invalid(field, reason),
        e if e.is_retryable() => ApiError::new(StatusCode::SERVICE_UNAVAILABLE, Code::E901, e.to_string()),
        e => ApiError::new(StatusCode::CONFLICT, Code::E303, e.to_string()),
    }
}

#[utoipa::path(get, path = "/api/v1/packing-tasks/{id}/label", tag = "packing", params(Id),
    security(("bearer" = [])),
    responses((status = 200, body = LabelSet), (status = 409, body = ErrorBody, description = "not packed yet"),
              (status = 400, body = ErrorBody, description = "a package lacks weight or size, or the warehouse a ship-from address"),
              (status = 503, body = ErrorBody, description = "the carrier is not answering: ask again")))]
pub async fn packing_label(State(st): State<AppState>, ids: Ids) -> Result<Json<LabelSet>, ApiError> {
    let id = ids.get("id")?;
    let task: PackingTaskView = st.read(move |s| s.packing_task_view(id)).await?;
    if !matches!(task.status, PackingStatus::Packed | PackingStatus::Shipped) {
        return Err(
            DomainError::IllegalTransition { entity: "packing task", from: "not packed", action: "label" }.into()
        );
    }
    let ShipmentPlan { request, order_ref, created, .. } = st.read(move |s| s.shipment_plan(id)).await?;
    let (to, from) = (request.to.clone(), request.from.clone());
    let (carrier, tracking_numbers) = match created {
        Some(created) => created,
        None => {
            let carrier = st.carrier.clone();
            let s = tokio::task::spawn_blocking(move || carrier.create_shipment(&request))
                .await
                .map_err(|e| carrier_failed(CarrierError::Unavailable { attempts: 1, reason: e.to_string() }))?
                .map_err(carrier_failed)?;
            (s.carrier, s.tracking_numbers)
        }
    };
    let count = u32::try_from(task.packages.len()).unwrap_or(u32::MAX);
    let party = |p: &PostalAddress| Party {
        name: p.contact_name.clone(),
        street: p.street.clone(),
        postal_code: p.postal_code.clone(),
        city: p.city.clone(),
        country: p.country.clone(),
        phone: p.phone.clone(),
    };
    let mut labels = Vec::new();
    for (p, tracking) in task.packages.iter().zip(&tracking_numbers) {
        let label = ShippingLabel {
            from: party(&from),
            to: party(&to),
            carrier: carrier.clone(),
            service: "standard".into(),
            tracking: tracking.clone(),
            order: order_ref.clone(),
            package: p.sequence,
            packages: count,
            weight_g: p.weight_g.unwrap_or(0),
        };
        labels.push(label.render().map_err(|e| ApiError::invalid("package", e.to_string()))?);
    }
    Ok(Json(LabelSet { task_id: task.task_id, carrier, tracking_numbers, labels }))
}
