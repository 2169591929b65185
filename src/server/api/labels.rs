//! Shipping labels of a packing task: one ZPL label per package, with the
//! `local` carrier's tracking numbers (stable per fulfillment and package,
//! so asking again gives the same labels). Creating the shipment with an
//! external carrier and storing its numbers is the workflow's step (#4).

use crate::app::shipments::ShipmentPlan;
use crate::app::task_views::PackingTaskView;
use crate::domain::DomainError;
use crate::domain::packing::PackingStatus;
use crate::labels::templates::{Party, ShippingLabel};
use crate::server::AppState;
use crate::server::error::{ApiError, ErrorBody};
use crate::server::extract::Ids;
use crate::server::openapi::params::Id;
use crate::shipping::local::LocalCarrier;
use crate::shipping::{Carrier, CarrierError, PostalAddress};
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

fn invalid(e: CarrierError) -> ApiError {
    match e {
        CarrierError::Invalid { field, reason } => ApiError::invalid(field, reason),
        other => ApiError::from(DomainError::Forbidden { reason: other.to_string() }),
    }
}

#[utoipa::path(get, path = "/api/v1/packing-tasks/{id}/label", tag = "packing", params(Id),
    security(("bearer" = [])),
    responses((status = 200, body = LabelSet), (status = 409, body = ErrorBody, description = "not packed yet"),
              (status = 400, body = ErrorBody, description = "a package lacks weight or size")))]
pub async fn packing_label(State(st): State<AppState>, ids: Ids) -> Result<Json<LabelSet>, ApiError> {
    let id = ids.get("id")?;
    let task: PackingTaskView = st.read(move |s| s.packing_task_view(id)).await?;
    if !matches!(task.status, PackingStatus::Packed | PackingStatus::Shipped) {
        return Err(
            DomainError::IllegalTransition { entity: "packing task", from: "not packed", action: "label" }.into()
        );
    }
    let ShipmentPlan { request, warehouse, order_ref } = st.read(move |s| s.shipment_plan(id)).await?;
    let to = request.to.clone();
    let shipment = LocalCarrier::default().create_shipment(&request).map_err(invalid)?;
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
    for (p, tracking) in task.packages.iter().zip(&shipment.tracking_numbers) {
        let label = ShippingLabel {
            from: Party { name: warehouse.clone(), ..Default::default() },
            to: party(&to),
            carrier: shipment.carrier.clone(),
            service: "standard".into(),
            tracking: tracking.clone(),
            order: order_ref.clone(),
            package: p.sequence,
            packages: count,
            weight_g: p.weight_g.unwrap_or(0),
        };
        labels.push(label.render().map_err(|e| ApiError::invalid("package", e.to_string()))?);
    }
    Ok(Json(LabelSet {
        task_id: task.task_id,
        carrier: shipment.carrier,
        tracking_numbers: shipment.tracking_numbers,
        labels,
    }))
}
