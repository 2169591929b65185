//! An op applied to the device's own copy of a task, so the screen moves on
//! at once, online or not. The copy moves by the domain's own transition
//! tables ([`crate::domain::picking`], [`crate::domain::packing`]), so an op
//! the rules refuse (completing a task with items pending, picking a done
//! item) is refused here with the server's code and never queued. The
//! server applies the op later with the full rules; if it refuses, the
//! device shows why and takes the server's copy again. Pure.

use crate::app::command::Outcome;
use crate::app::floor_op::FloorOp;
use crate::app::task_views::{PackageView, PackingTaskView, PickingTaskView};
use crate::domain::DomainError;
use crate::domain::ids::Qty;
use crate::domain::machine::step;
use crate::domain::packing::{self, PackingAction, PackingStatus};
use crate::domain::picking::{
    ITEM_TRANSITIONS, ItemAction, ItemStatus, PickingAction, ReasonCode, TASK_TRANSITIONS, pick_action,
    ready_to_complete,
};

fn progress(t: &mut PickingTaskView) {
    t.done_items = t.items.iter().filter(|i| i.status != ItemStatus::Pending).count();
    t.total_items = t.items.len();
    t.next_item_id = t.items.iter().find(|i| i.status == ItemStatus::Pending).map(|i| i.item_id);
}

fn task_outcome(t: &PickingTaskView) -> Outcome {
    Outcome::Picking {
        task_id: t.task_id,
        status: t.status,
        done: t.done_items,
        total: t.total_items,
        next_item_id: t.next_item_id,
        packing_task_id: None,
    }
}

/// Applies a picking op to `t` by the domain's tables; returns what the
/// server would answer (without the ids only the server knows, such as the
/// packing task), or the domain's refusal, leaving `t` as it was.
pub fn apply_picking(t: &mut PickingTaskView, op: &FloorOp) -> Result<Outcome, DomainError> {
    let item_of = |t: &mut PickingTaskView, id: i64| -> Result<usize, DomainError> {
        t.items.iter().position(|i| i.item_id == id).ok_or_else(|| DomainError::not_found("picking item", id))
    };
    match op {
        FloorOp::StartPicking { .. } => t.status = step(TASK_TRANSITIONS, t.status, PickingAction::Start)?,
        FloorOp::CompletePicking { .. } => {
            let to = step(TASK_TRANSITIONS, t.status, PickingAction::Complete)?;
            ready_to_complete(t.items.iter().filter(|i| i.status == ItemStatus::Pending).count())?;
            t.status = to;
        }
        FloorOp::Pick { item_id, scan, .. } => {
            let n = item_of(t, *item_id)?;
            let i = &mut t.items[n];
            let action = pick_action(Qty(scan.quantity), Qty(i.required.saturating_sub(i.picked)))?;
            i.status = step(ITEM_TRANSITIONS, i.status, action)?;
            i.picked += scan.quantity;
            let (status, picked, required) = (i.status, i.picked, i.required);
            progress(t);
            return Ok(Outcome::PickedItem {
                task_id: t.task_id,
                item_id: *item_id,
                status,
                picked,
                required,
                done: t.done_items,
                total: t.total_items,
                next_item_id: t.next_item_id,
            });
        }
        FloorOp::Short { item_id, quantity, reason, .. } => {
            let reason = ReasonCode::parse(reason, "reason")?;
            let n = item_of(t, *item_id)?;
            let i = &mut t.items[n];
            i.status = step(ITEM_TRANSITIONS, i.status, ItemAction::Short)?;
            i.picked = (i.picked + quantity).min(i.required);
            i.reason = Some(reason);
        }
        FloorOp::Skip { item_id, reason, .. } => {
            let reason = ReasonCode::parse(reason, "reason")?;
            let n = item_of(t, *item_id)?;
            let i = &mut t.items[n];
            i.status = step(ITEM_TRANSITIONS, i.status, ItemAction::Skip)?;
            i.reason = Some(reason);
        }
        _ => {}
    }
    progress(t);
    Ok(task_outcome(t))
}

/// Applies a packing op to `t` (if the device has the task) by the domain's
/// table; returns what the server would answer, or the domain's refusal.
pub fn apply_packing(t: Option<&mut PackingTaskView>, op: &FloorOp) -> Result<Outcome, DomainError> {
    let task_id = op.task_id();
    let Some(t) = t else {
        let status = if matches!(op, FloorOp::CompletePacking { .. }) {
            PackingStatus::Packed
        } else {
            PackingStatus::InProgress
        };
        return Ok(Outcome::Packing { task_id, status, packages: 0, sequence: None });
    };
    let view = |p: &crate::app::command::PackageDto, sequence: u32| PackageView {
        sequence,
        packaging_type: p.packaging_type,
        weight_g: Some(p.weight_g),
        length_mm: Some(p.length_mm),
        width_mm: Some(p.width_mm),
        height_mm: Some(p.height_mm),
        chargeable_weight_g: None,
    };
    let mut sequence = None;
    match op {
        FloorOp::StartPacking { .. } => t.status = step(packing::TRANSITIONS, t.status, PackingAction::Start)?,
        FloorOp::CompletePacking { .. } => t.status = step(packing::TRANSITIONS, t.status, PackingAction::Pack)?,
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
    Ok(Outcome::Packing { task_id, status: t.status, packages: t.packages.len(), sequence })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::floor_op::PickScans;
    use crate::app::task_views::PickingItemView;
    use crate::domain::picking::PickingStatus;

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
            status: ItemStatus::Pending,
            reason: None,
        };
        PickingTaskView {
            task_id: 9,
            order_id: 1,
            fulfillment_id: 1,
            warehouse_id: 1,
            worker_id: Some(1),
            status: PickingStatus::Assigned,
            priority: crate::domain::order::Priority::Normal,
            total_items: 2,
            done_items: 0,
            next_item_id: Some(1),
            created_at: chrono::DateTime::<chrono::Utc>::UNIX_EPOCH,
            started_at: None,
            completed_at: None,
            cancellation_reason: None,
            items: vec![item(1, 3), item(2, 2)],
        }
    }

    #[test]
    fn picks_shorts_and_completion_move_the_local_copy() {
        let mut t = task();
        let apply = |t: &mut PickingTaskView, op: FloorOp| apply_picking(t, &op).unwrap_or_else(|e| panic!("{e}"));
        apply(&mut t, FloorOp::StartPicking { task_id: 9 });
        assert_eq!(t.status, PickingStatus::InProgress);
        let pick = |q| FloorOp::Pick { task_id: 9, item_id: 1, scan: PickScans::new("A-01", "SKU-A", q) };
        let o = apply(&mut t, pick(2));
        assert!(matches!(o, Outcome::PickedItem { picked: 2, required: 3, done: 0, .. }), "{o:?}");
        let o = apply(&mut t, pick(1));
        assert!(matches!(o, Outcome::PickedItem { done: 1, next_item_id: Some(2), .. }), "{o:?}");
        apply(&mut t, FloorOp::Short { task_id: 9, item_id: 2, quantity: 1, reason: "damaged".into() });
        assert_eq!((t.items[1].status, t.items[1].picked, t.next_item_id), (ItemStatus::Short, 1, None));
        let o = apply(&mut t, FloorOp::CompletePicking { task_id: 9 });
        assert!(matches!(o, Outcome::Picking { status: PickingStatus::Completed, done: 2, .. }), "{o:?}");
    }

    /// The local copy follows the domain's rules, not a looser copy of them:
    /// what the server would refuse is refused here, with its code, and the
    /// copy is left as it was.
    #[test]
    fn the_rules_refuse_locally_what_the_server_would() {
        let check = |ops: &[FloorOp], code: &str| {
            let mut t = task();
            let (last, before) = ops.split_last().unwrap_or_else(|| unreachable!());
            for op in before {
                apply_picking(&mut t, op).unwrap_or_else(|e| panic!("{op:?}: {e}"));
            }
            let copy = t.clone();
            let e = apply_picking(&mut t, last).expect_err("refused");
            assert_eq!((e.code(), &t), (code, &copy), "{last:?}");
        };
        let start = FloorOp::StartPicking { task_id: 9 };
        let complete = FloorOp::CompletePicking { task_id: 9 };
        let pick = |q| FloorOp::Pick { task_id: 9, item_id: 1, scan: PickScans::new("A-01", "S", q) };
        check(&[start.clone(), complete.clone()], "E104");
        check(std::slice::from_ref(&complete), "E003");
        check(&[start.clone(), start.clone()], "E003");
        check(&[start.clone(), pick(4)], "E103");
        check(&[start.clone(), pick(3), pick(1)], "E103");
        let skip = FloorOp::Skip { task_id: 9, item_id: 1, reason: "nope".into() };
        check(&[start, skip], "E001");
    }
}
