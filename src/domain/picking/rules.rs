//! The rules of a picking task: transitions, scan checks, quantities.

use super::super::Timestamp;
use super::super::error::DomainError;
use super::super::ids::{PickingItemId, Qty, WorkerId};
use super::super::machine;
use super::{IA, ItemDelta, PA, PS, PickScan, PickingItem, PickingTask, ReasonCode};

use super::super::ids::{Actor, check_actor};

impl PickingTask {
    /// The next pending item in walk order.
    pub fn next_item(&self) -> Option<&PickingItem> {
        self.items.iter().filter(|i| !i.is_done()).min_by_key(|i| (i.sequence, i.id))
    }

    /// `(finished items, all items)` for a `3/12` progress line.
    pub fn progress(&self) -> (usize, usize) {
        (self.items.iter().filter(|i| i.is_done()).count(), self.items.len())
    }

    /// Assigns (or reassigns) the task to `worker`.
    pub fn assign(&mut self, worker: WorkerId) -> super::super::Result<()> {
        self.status = machine::step(super::TASK_TRANSITIONS, self.status, PA::Assign)?;
        self.worker_id = Some(worker);
        Ok(())
    }

    /// Starts picking; only the assigned worker may start.
    pub fn start(&mut self, worker: WorkerId, now: Timestamp) -> super::super::Result<()> {
        let to = machine::step(super::TASK_TRANSITIONS, self.status, PA::Start)?;
        match self.worker_id {
            None => return Err(DomainError::WorkerRequired { action: "start picking" }),
            Some(assigned) if assigned != worker => {
                return Err(DomainError::NotAssignee { assigned: assigned.to_string(), worker: worker.to_string() });
            }
            Some(_) => {}
        }
        self.status = to;
        self.started_at = Some(now);
        Ok(())
    }

    /// Takes `scan.qty` units of `item` after checking both scans. Partial
    /// quantities leave the item pending; the last unit marks it picked.
    pub fn pick(
        &mut self,
        item: PickingItemId,
        actor: Actor,
        scan: &PickScan<'_>,
        now: Timestamp,
    ) -> super::super::Result<ItemDelta> {
        let task = self.id.0;
        let it = self.item_for_work(item, actor)?;
        if !it.location_matches(scan.location) {
            return Err(DomainError::WrongLocation {
                expected: it.location_code.clone(),
                scanned: scan.location.into(),
            });
        }
        if !it.item_matches(&scan.item) {
            return Err(DomainError::WrongItem { expected: it.sku.to_string(), scanned: scan.item.text.into() });
        }
        if let Some(tote) = scan.tote {
            super::super::wave::check_tote(task, tote)?;
        }
        let action = pick_action(scan.qty, it.remaining())?;
        let to = machine::step(super::ITEM_TRANSITIONS, it.status, action)?;
        it.picked = Qty(it.picked.0 + scan.qty.0);
        it.status = to;
        it.picked_at = Some(now);
        Ok(ItemDelta {
            item,
            slot: it.slot_id,
            reservation: it.reservation_id,
            picked: scan.qty,
            released: Qty::ZERO,
            finished: action == IA::PickAll,
        })
    }

    /// Ends `item` short: `extra` more units are taken now (may be zero) and
    /// the rest of the reservation is released. A short that would complete
    /// the item is refused: that is a pick.
    pub fn short(
        &mut self,
        item: PickingItemId,
        actor: Actor,
        extra: Qty,
        reason: ReasonCode,
        now: Timestamp,
    ) -> super::super::Result<ItemDelta> {
        let it = self.item_for_work(item, actor)?;
        if extra >= it.remaining() {
            return Err(DomainError::invalid(
                "quantity",
                format!("a short must leave units missing; {} remaining", it.remaining()),
            ));
        }
        it.status = machine::step(super::ITEM_TRANSITIONS, it.status, IA::Short)?;
        it.picked = Qty(it.picked.0 + extra.0);
        it.reason = Some(reason);
        it.picked_at = Some(now);
        Ok(ItemDelta {
            item,
            slot: it.slot_id,
            reservation: it.reservation_id,
            picked: extra,
            released: it.remaining(),
            finished: true,
        })
    }

    /// Skips an untouched item; its whole reservation is released.
    pub fn skip(
        &mut self,
        item: PickingItemId,
        actor: Actor,
        reason: ReasonCode,
        now: Timestamp,
    ) -> super::super::Result<ItemDelta> {
        let it = self.item_for_work(item, actor)?;
        if !it.picked.is_zero() {
            return Err(DomainError::invalid("item", "units already picked: short the item instead of skipping"));
        }
        it.status = machine::step(super::ITEM_TRANSITIONS, it.status, IA::Skip)?;
        it.reason = Some(reason);
        it.picked_at = Some(now);
        Ok(ItemDelta {
            item,
            slot: it.slot_id,
            reservation: it.reservation_id,
            picked: Qty::ZERO,
            released: it.remaining(),
            finished: true,
        })
    }

    /// Points an item nobody has touched at other stock: its shelf was
    /// counted empty before its picker came. `to` carries the new slot,
    /// location, reservation and quantity; the rest of the item stays.
    pub fn redirect(&mut self, item: PickingItemId, to: &PickingItem) -> super::super::Result<()> {
        if !matches!(self.status, PS::Pending | PS::Assigned | PS::InProgress) {
            let from = self.status.as_str();
            return Err(DomainError::IllegalTransition { entity: "picking task", from, action: "redirect an item of" });
        }
        let it =
            self.items.iter_mut().find(|i| i.id == item).ok_or_else(|| DomainError::not_found("picking item", item))?;
        if it.status != super::ItemStatus::Pending || !it.picked.is_zero() {
            let from = it.status.as_str();
            return Err(DomainError::IllegalTransition { entity: "picking item", from, action: "redirect" });
        }
        it.slot_id = to.slot_id;
        it.location_id = to.location_id;
        it.location_code = to.location_code.clone();
        it.walk_order = to.walk_order;
        it.check_digits = to.check_digits.clone();
        it.reservation_id = to.reservation_id;
        it.required = to.required;
        Ok(())
    }

    /// A follow-up item for units a stock-out left unpicked (drawn from
    /// another location): it joins the task at the end of the walk. Only a
    /// task still being worked takes one.
    pub fn add_item(&mut self, mut item: PickingItem) -> super::super::Result<()> {
        if !matches!(self.status, PS::Pending | PS::Assigned | PS::InProgress) {
            let from = self.status.as_str();
            return Err(DomainError::IllegalTransition { entity: "picking task", from, action: "add an item to" });
        }
        item.sequence = self.items.iter().map(|i| i.sequence).max().unwrap_or(0) + 1;
        self.items.push(item);
        Ok(())
    }

    /// Completes the task once every item is picked, short or skipped.
    pub fn complete(&mut self, actor: Actor, now: Timestamp) -> super::super::Result<()> {
        let to = machine::step(super::TASK_TRANSITIONS, self.status, PA::Complete)?;
        self.check_actor(actor)?;
        ready_to_complete(self.items.iter().filter(|i| !i.is_done()).count())?;
        self.status = to;
        self.completed_at = Some(now);
        Ok(())
    }

    /// Cancels the task from any state but completed.
    pub fn cancel(&mut self, reason: &str, now: Timestamp) -> super::super::Result<()> {
        self.status = machine::step(super::TASK_TRANSITIONS, self.status, PA::Cancel)?;
        self.cancelled_at = Some(now);
        self.cancellation_reason = Some(reason.to_owned());
        Ok(())
    }

    /// Units picked in total: these left the shelves.
    pub fn picked_total(&self) -> Qty {
        Qty(self.items.iter().map(|i| i.picked.0).sum())
    }

    fn check_actor(&self, actor: Actor) -> super::super::Result<()> {
        check_actor(actor, self.worker_id)
    }

    /// The item to work on, after checking the task is in progress and the
    /// actor may work it.
    fn item_for_work(&mut self, item: PickingItemId, actor: Actor) -> super::super::Result<&mut PickingItem> {
        if self.status != PS::InProgress {
            return Err(DomainError::IllegalTransition {
                entity: "picking task",
                from: self.status.as_str(),
                action: "pick",
            });
        }
        self.check_actor(actor)?;
        self.items.iter_mut().find(|i| i.id == item).ok_or_else(|| DomainError::not_found("picking item", item))
    }
}

/// Gives items their walk order: by location walk order, then location
/// code, then SKU, numbered from 1. `walk` returns a location's walk rank.
pub fn sequence_items(items: &mut [PickingItem], walk: impl Fn(&PickingItem) -> i64) {
    items.sort_by(|a, b| (walk(a), &a.location_code, &a.sku).cmp(&(walk(b), &b.location_code, &b.sku)));
    for (i, item) in items.iter_mut().enumerate() {
        item.sequence = u32::try_from(i + 1).unwrap_or(u32::MAX);
    }
}

/// How picking `qty` of the `remaining` units moves an item: all of it, or
/// part; zero and more than remain are refused. The server's task and the
/// device's cached copy (`sync::local`) both ask this.
pub fn pick_action(qty: Qty, remaining: Qty) -> super::super::Result<IA> {
    if qty.is_zero() {
        return Err(DomainError::invalid("quantity", "must be at least 1"));
    }
    if qty > remaining {
        return Err(DomainError::OverPick { requested: qty, remaining });
    }
    Ok(if qty == remaining { IA::PickAll } else { IA::PickPart })
}

/// A task completes only with no item `pending`.
pub fn ready_to_complete(pending: usize) -> super::super::Result<()> {
    if pending > 0 {
        return Err(DomainError::ItemsIncomplete { pending });
    }
    Ok(())
}
