//! An op applied to the device's own copy of a task, so the screen moves on
//! at once, online or not. The server applies the same op later with the
//! full rules; if it refuses, the device shows why and takes the server's
//! copy again. Pure.

use crate::app::command::Outcome;
use crate::app::floor_op::FloorOp;
use crate::app::task_views::{PackageView, PackingTaskView, PickingTaskView};

fn progress(t: &mut PickingTaskView) {
    t.done_items = t.items.iter().filter(|i| i.status != "pending").count();
    t.total_items = t.items.len();
    t.next_item_id = t.items.iter().find(|i| i.status == "pending").map(|i| i.item_id);
}

fn task_outcome(t: &PickingTaskView) -> Outcome {
    Outcome::Picking {
        task_id: t.task_id,
        status: t.status.clone(),
        done: t.done_items,
        total: t.total_items,
        next_item_id: t.next_item_id,
        packing_task_id: None,
    }
}

/// Applies a picking op to `t`; returns what the server would answer
/// (without the ids only the server knows, such as the packing task).
pub fn apply_picking(t: &mut PickingTaskView, op: &FloorOp) -> Outcome {
    match op {
        FloorOp::StartPicking { .. } => t.status = "in_progress".into(),
        FloorOp::CompletePicking { .. } => t.status = "completed".into(),
        FloorOp::Pick { item_id, quantity, .. } => {
            if let Some(i) = t.items.iter_mut().find(|i| i.item_id == *item_id) {
                i.picked = (i.picked + quantity).min(i.required);
                if i.picked == i.required {
                    i.status = "picked".into();
                }
            }
            progress(t);
            let i = t.items.iter().find(|i| i.item_id == *item_id);
            return Outcome::PickedItem {
                task_id: t.task_id,
                item_id: *item_id,
                status: i.map_or_else(|| "pending".into(), |i| i.status.clone()),
                picked: i.map_or(0, |i| i.picked),
                required: i.map_or(0, |i| i.required),
                done: t.done_items,
                total: t.total_items,
                next_item_id: t.next_item_id,
            };
        }
        FloorOp::Short { item_id, quantity, reason, .. } => {
            if let Some(i) = t.items.iter_mut().find(|i| i.item_id == *item_id) {
                i.picked = (i.picked + quantity).min(i.required);
                i.status = "short".into();
                i.reason = Some(reason.clone());
            }
        }
        FloorOp::Skip { item_id, reason, .. } => {
            if let Some(i) = t.items.iter_mut().find(|i| i.item_id == *item_id) {
                i.status = "skipped".into();
                i.reason = Some(reason.clone());
            }
        }
        _ => {}
    }
    progress(t);
    task_outcome(t)
}

/// Applies a packing op to `t` (if the device has the task); returns what
/// the server would answer.
pub fn apply_packing(t: Option<&mut PackingTaskView>, op: &FloorOp) -> Outcome {
    let task_id = op.task_id();
    let Some(t) = t else {
        let status = if matches!(op, FloorOp::CompletePacking { .. }) { "packed" } else { "in_progress" };
        return Outcome::Packing { task_id, status: status.into(), packages: 0, sequence: None };
    };
    let view = |p: &crate::app::command::PackageDto, sequence: u32| PackageView {
        sequence,
        packaging_type: format!("{:?}", p.packaging_type).to_lowercase(),
        weight_g: Some(p.weight_g),
        length_mm: Some(p.length_mm),
        width_mm: Some(p.width_mm),
        height_mm: Some(p.height_mm),
        chargeable_weight_g: None,
    };
    let mut sequence = None;
    match op {
        FloorOp::StartPacking { .. } => t.status = "in_progress".into(),
        FloorOp::CompletePacking { .. } => t.status = "packed".into(),
        FloorOp::PackageDetails { sequence: n, package, .. } => {
            t.packages.retain(|p| p.sequence != *n);
            t.packages.push(view(package, *n));
            t.packages.sort_by_key(|p| p.sequence);
            sequence = Some(*n);
        }
        FloorOp::AddPackage { package, .. } => {
            let n = t.packages.iter().map(|p| p.sequence).max().unwrap_or(0) + 1;
            t.packages.push(view(package, n));
            sequence = Some(n);
        }
        _ => {}
    }
    Outcome::Packing { task_id, status: t.status.clone(), packages: t.packages.len(), sequence }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::task_views::PickingItemView;

    fn task() -> PickingTaskView {
        let item = |id: i64, required: u32| PickingItemView {
            walk_order: 0,
            item_id: id,
            sequence: id as u32,
            location: format!("A-0{id}"),
            check_digits: None,
            sku: "SKU-A".into(),
            barcode: None,
            name: String::new(),
            required,
            picked: 0,
            status: "pending".into(),
            reason: None,
        };
        PickingTaskView {
            task_id: 9,
            order_id: 1,
            fulfillment_id: 1,
            warehouse_id: 1,
            worker_id: Some(1),
            status: "assigned".into(),
            priority: "normal".into(),
            total_items: 2,
            done_items: 0,
            next_item_id: Some(1),
            created_at: String::new(),
            started_at: None,
            completed_at: None,
            cancellation_reason: None,
            items: vec![item(1, 3), item(2, 2)],
        }
    }

    #[test]
    fn picks_shorts_and_completion_move_the_local_copy() {
        let mut t = task();
        apply_picking(&mut t, &FloorOp::StartPicking { task_id: 9 });
        assert_eq!(t.status, "in_progress");
        let pick = |q| FloorOp::Pick {
            task_id: 9,
            item_id: 1,
            location: "A-01".into(),
            item: "SKU-A".into(),
            quantity: q,
            tote: None,
        };
        let o = apply_picking(&mut t, &pick(2));
        assert!(matches!(o, Outcome::PickedItem { picked: 2, required: 3, done: 0, .. }), "{o:?}");
        let o = apply_picking(&mut t, &pick(1));
        assert!(matches!(o, Outcome::PickedItem { done: 1, next_item_id: Some(2), .. }), "{o:?}");
        apply_picking(&mut t, &FloorOp::Short { task_id: 9, item_id: 2, quantity: 1, reason: "damaged".into() });
        assert_eq!((t.items[1].status.as_str(), t.items[1].picked, t.next_item_id), ("short", 1, None));
        let o = apply_picking(&mut t, &FloorOp::CompletePicking { task_id: 9 });
        assert!(matches!(o, Outcome::Picking { ref status, done: 2, .. } if status == "completed"), "{o:?}");
    }
}
