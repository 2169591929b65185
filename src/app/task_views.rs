//! Read models of tasks and lists: what the API returns for picking and
//! packing tasks, task lists and order lists.

use super::views::OrderView;
use super::{AppError, Services};
use crate::domain::DomainError;
use crate::domain::ids::{PackingTaskId, PickingTaskId};
use crate::domain::order::OrderStatus;
use crate::domain::order::Priority;
use crate::domain::packing::{PackagingType, PackingStatus, PackingTask};
use crate::domain::picking::{ItemStatus, PickingStatus, PickingTask, ReasonCode};
use crate::storage::queues::{Queue, TaskFilter};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A picking task with its items in walk order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PickingTaskView {
    pub task_id: i64,
    pub order_id: i64,
    pub fulfillment_id: i64,
    pub warehouse_id: i64,
    pub worker_id: Option<i64>,
    pub status: PickingStatus,
    pub priority: Priority,
    pub total_items: usize,
    pub done_items: usize,
    pub next_item_id: Option<i64>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub started_at: Option<chrono::DateTime<chrono::Utc>>,
    pub completed_at: Option<chrono::DateTime<chrono::Utc>>,
    pub cancellation_reason: Option<String>,
    pub items: Vec<PickingItemView>,
}

/// One line of a picking task: where to go, what to take, how many.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PickingItemView {
    pub item_id: i64,
    pub sequence: u32,
    pub location: String,
    /// Digits printed on the location label, typed when its barcode is damaged.
    pub check_digits: Option<String>,
    /// The location's rank on the walk: orders stops across tasks.
    #[serde(default)]
    pub walk_order: i64,
    pub sku: String,
    pub barcode: Option<String>,
    /// The product's short description (may be empty).
    pub name: String,
    pub required: u32,
    pub picked: u32,
    pub status: ItemStatus,
    pub reason: Option<ReasonCode>,
}

/// A packing task with its packages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PackingTaskView {
    pub task_id: i64,
    pub order_id: i64,
    pub fulfillment_id: i64,
    pub picking_task_id: i64,
    pub warehouse_id: i64,
    pub worker_id: Option<i64>,
    pub status: PackingStatus,
    pub priority: Priority,
    pub tracking_number: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub packed_at: Option<chrono::DateTime<chrono::Utc>>,
    pub cancellation_reason: Option<String>,
    pub packages: Vec<PackageView>,
    /// Why a packer last set the box aside (none: never).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set_aside: Option<crate::domain::packing::SetAsideReason>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set_aside_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PackageView {
    pub sequence: u32,
    pub packaging_type: PackagingType,
    pub weight_g: Option<u64>,
    pub length_mm: Option<u32>,
    pub width_mm: Option<u32>,
    pub height_mm: Option<u32>,
    /// Actual or volumetric weight, whichever is larger; once both are known.
    pub chargeable_weight_g: Option<u64>,
}

pub fn picking_view(t: &PickingTask) -> PickingTaskView {
    let (done, total) = t.progress();
    PickingTaskView {
        task_id: t.id.0,
        order_id: t.order_id.0,
        fulfillment_id: t.fulfillment_id.0,
        warehouse_id: t.warehouse_id.0,
        worker_id: t.worker_id.map(|w| w.0),
        status: t.status,
        priority: t.priority,
        total_items: total,
        done_items: done,
        next_item_id: t.next_item().map(|i| i.id.0),
        created_at: t.created_at,
        started_at: t.started_at,
        completed_at: t.completed_at,
        cancellation_reason: t.cancellation_reason.clone(),
        items: t
            .items
            .iter()
            .map(|i| PickingItemView {
                item_id: i.id.0,
                sequence: i.sequence,
                location: i.location_code.clone(),
                check_digits: i.check_digits.clone(),
                walk_order: i.walk_order,
                sku: i.sku.to_string(),
                barcode: i.barcode.clone(),
                name: i.name.clone(),
                required: i.required.0,
                picked: i.picked.0,
                status: i.status,
                reason: i.reason,
            })
            .collect(),
    }
}

pub fn packing_view(t: &PackingTask) -> PackingTaskView {
    PackingTaskView {
        task_id: t.id.0,
        order_id: t.order_id.0,
        fulfillment_id: t.fulfillment_id.0,
        picking_task_id: t.picking_task_id.0,
        warehouse_id: t.warehouse_id.0,
        worker_id: t.worker_id.map(|w| w.0),
        status: t.status,
        priority: t.priority,
        tracking_number: t.tracking_number.clone(),
        created_at: t.created_at,
        packed_at: t.packed_at,
        cancellation_reason: t.cancellation_reason.clone(),
        set_aside: t.set_aside.map(|a| a.reason),
        set_aside_at: t.set_aside.map(|a| a.at),
        packages: t
            .packages
            .iter()
            .map(|p| PackageView {
                sequence: p.sequence,
                packaging_type: p.packaging_type,
                weight_g: p.weight.map(|w| w.0),
                length_mm: p.dims.map(|d| d.length.0),
                width_mm: p.dims.map(|d| d.width.0),
                height_mm: p.dims.map(|d| d.height.0),
                chargeable_weight_g: p
                    .weight
                    .zip(p.dims)
                    .map(|(w, d)| crate::domain::packing::chargeable_weight(w, &d).0),
            })
            .collect(),
    }
}

impl Services {
    pub fn picking_task_view(&self, id: i64) -> Result<PickingTaskView, AppError> {
        self.query(|tx| {
            let t = tx.picking_task(PickingTaskId(id))?.ok_or_else(|| DomainError::not_found("picking task", id))?;
            Ok(picking_view(&t))
        })
    }

    pub fn packing_task_view(&self, id: i64) -> Result<PackingTaskView, AppError> {
        self.query(|tx| {
            let t = tx.packing_task(PackingTaskId(id))?.ok_or_else(|| DomainError::not_found("packing task", id))?;
            Ok(packing_view(&t))
        })
    }

    pub fn picking_tasks(&self, filter: &TaskFilter) -> Result<Vec<PickingTaskView>, AppError> {
        known_status(filter.status.as_deref(), &TASK_STATUSES)?;
        self.query(|tx| {
            let mut out = Vec::new();
            for id in tx.list_tasks(Queue::Picking, filter)? {
                out.extend(tx.picking_task(PickingTaskId(id))?.as_ref().map(picking_view));
            }
            Ok(out)
        })
    }

    pub fn packing_tasks(&self, filter: &TaskFilter) -> Result<Vec<PackingTaskView>, AppError> {
        known_status(filter.status.as_deref(), &TASK_STATUSES)?;
        self.query(|tx| {
            let mut out = Vec::new();
            for id in tx.list_tasks(Queue::Packing, filter)? {
                out.extend(tx.packing_task(PackingTaskId(id))?.as_ref().map(packing_view));
            }
            Ok(out)
        })
    }

    /// Orders, newest first.
    pub fn orders(&self, status: Option<&str>, before_id: Option<i64>, limit: u32) -> Result<Vec<OrderView>, AppError> {
        known_status(status, &OrderStatus::ALL.map(OrderStatus::as_str))?;
        self.query(|tx| {
            tx.list_orders(status, before_id, limit)?
                .into_iter()
                .map(|id| super::views::order_view_in(tx, id.0))
                .collect()
        })
    }
}

/// A task list's status filter: a status of a picking or a packing task
/// (one of the other queue's matches nothing).
const TASK_STATUSES: [&str; 7] = ["pending", "assigned", "in_progress", "completed", "packed", "shipped", "cancelled"];

/// A status filter names one of `known`, or it is refused naming the
/// field (a typo must not answer "nothing found").
fn known_status(status: Option<&str>, known: &[&str]) -> Result<(), AppError> {
    match status {
        Some(s) if !known.contains(&s) => {
            Err(DomainError::invalid("status", format!("{s:?} is not one of {}", known.join(", "))).into())
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_task_status_filter_is_both_machines_statuses() {
        let mut both: Vec<&str> = PickingStatus::ALL.iter().map(|s| s.as_str()).collect();
        both.extend(PackingStatus::ALL.iter().map(|s| s.as_str()));
        both.sort_unstable();
        both.dedup();
        let mut known = TASK_STATUSES.to_vec();
        known.sort_unstable();
        assert_eq!(known, both);
    }
}
