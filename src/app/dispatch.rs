//! The dock: a parcel scanned onto the truck, or a carrier's manifest
//! closed, is a `Dispatched` signal to its fulfillment's workflow, which
//! then marks the shipment and the order shipped. Only then: "shipped"
//! means the parcels left.

use super::command::Outcome;
use super::{AppError, Ctx};
use crate::domain::DomainError;
use crate::domain::ids::FulfillmentId;
use crate::domain::workflow::Signal;
use crate::storage::workflow::ShipmentRow;

/// The tracking numbers of a shipment (stored as a JSON list).
fn parcels(s: &ShipmentRow) -> Result<Vec<String>, AppError> {
    Ok(serde_json::from_str(&s.tracking)?)
}

fn dispatch(ctx: &mut Ctx<'_, '_>, s: &ShipmentRow, tracking: Vec<String>) -> Result<(), AppError> {
    if s.status == "voided" {
        let reason = format!("the shipment of {} is voided: take the parcel off the truck", tracking.join(", "));
        return Err(DomainError::Forbidden { reason }.into());
    }
    super::workflow::signal_fulfillment(ctx, FulfillmentId(s.fulfillment_id), Signal::Dispatched { tracking })?;
    Ok(())
}

/// `Command::DispatchParcel`: one parcel, by its tracking number. A repeat
/// scan of a shipment that already left changes nothing and lists no parcel.
pub(super) fn parcel(ctx: &mut Ctx<'_, '_>, tracking: &str) -> Result<Outcome, AppError> {
    let code = tracking.trim();
    if code.is_empty() || code.chars().count() > 64 {
        return Err(DomainError::invalid("tracking", "scan the parcel's tracking number (1 to 64 characters)").into());
    }
    let s = ctx.tx.shipment_by_tracking(code)?.ok_or_else(|| DomainError::not_found("parcel", code))?;
    let left_before = s.status == "shipped";
    dispatch(ctx, &s, vec![code.to_owned()])?;
    let parcels = if left_before { vec![] } else { vec![code.to_owned()] };
    Ok(Outcome::Dispatched { parcels, fulfillments: vec![s.fulfillment_id] })
}

/// `Command::CloseManifest`: every parcel of `carrier` still at the dock of
/// `warehouse` leaves.
pub(super) fn close_manifest(ctx: &mut Ctx<'_, '_>, warehouse: &str, carrier: &str) -> Result<Outcome, AppError> {
    if carrier.trim().is_empty() || carrier.chars().count() > 64 {
        return Err(DomainError::invalid("carrier", "name the carrier (1 to 64 characters)").into());
    }
    if ctx.tx.warehouse_by_code(warehouse)?.is_none() {
        return Err(DomainError::not_found("warehouse", warehouse).into());
    }
    let (mut all, mut fulfillments) = (Vec::new(), Vec::new());
    for s in ctx.tx.manifest(warehouse, carrier)? {
        let tracking = parcels(&s)?;
        dispatch(ctx, &s, tracking.clone())?;
        all.extend(tracking);
        fulfillments.push(s.fulfillment_id);
    }
    Ok(Outcome::Dispatched { parcels: all, fulfillments })
}
