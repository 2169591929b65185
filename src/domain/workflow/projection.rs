//! The `fulfillments` row is a projection of its workflow: each event of
//! the fulfillment workflow's history moves the row's status by the actions
//! below, through the status machine's table (`domain::fulfillment`, which
//! also counts attempts and refuses a retry past the limit). Nothing else
//! writes a fulfillment's status, so the row and the workflow cannot
//! disagree: command handlers only signal the workflow.

use super::fulfillment::{Event, Pack, State};
use super::{Activity, ActivityResult};
use crate::domain::fulfillment::FulfillmentAction as A;

/// What `e` does to the fulfillment's status, given the state before it.
/// No arm is a catch-all: a new event must say what it moves.
pub fn actions(before: &State, e: &Event) -> &'static [A] {
    match e {
        Event::Completed { activity, result } => completed(before, activity, result),
        Event::PickCompleted { .. } => &[A::ConfirmPicked],
        Event::PickFailed { .. } => &[A::FailPick],
        Event::PickRetried { .. } => &[A::RetryPick],
        Event::PackStarted { .. } if matches!(before.pack, Pack::Failed { .. }) => &[A::RetryPack],
        Event::PackStarted { .. } => &[A::StartPacking],
        Event::PackCompleted { .. } => &[A::ConfirmPacked],
        Event::PackFailed { .. } => &[A::FailPack],
        // Cancelled or failed, the workflow now gives everything back.
        Event::Ending { .. } => &[A::Cancel],
        Event::Started(_)
        | Event::Scheduled { .. }
        | Event::Failed { .. }
        | Event::AddressUpdated { .. }
        | Event::TimedOut { .. }
        | Event::RetryRequested
        | Event::AwaitingStock { .. }
        | Event::Dispatched { .. }
        | Event::Finished { .. } => &[],
    }
}

fn completed(before: &State, activity: &Activity, result: &ActivityResult) -> &'static [A] {
    match (activity, result) {
        (Activity::AllocateInventory, _) => &[A::Plan],
        (Activity::CreatePickWork, ActivityResult::PickWork { .. }) => &[A::StartPicking],
        // After a failed pick the retry starts it again; after a timeout
        // the running pick first fails.
        (Activity::RequeuePick, ActivityResult::PickWork { .. }) if before.step.failed_pick().is_some() => {
            &[A::RetryPick]
        }
        (Activity::RequeuePick, ActivityResult::PickWork { .. }) => &[A::FailPick, A::RetryPick],
        (Activity::RequeuePack, ActivityResult::PackWork { .. }) => &[A::RetryPack],
        // Labelled and confirmed: ready, waiting at the dock; shipped once
        // every parcel left, and then the fulfillment is done.
        (Activity::ConfirmShipment { .. }, _) => &[A::MarkReady],
        (Activity::MarkShipped, _) => &[A::Ship, A::Complete],
        (
            Activity::ValidateOrder
            | Activity::CreateOrder
            | Activity::MarkReserved
            | Activity::CreatePickWork
            | Activity::RequeuePick
            | Activity::RequeuePack
            | Activity::ConsumeInventory
            | Activity::PlanShipment
            | Activity::CreateShipment { .. }
            | Activity::GenerateLabel
            | Activity::UpdateAddress { .. }
            | Activity::ReleaseInventory { .. }
            | Activity::CreateBackorder
            | Activity::VoidShipment { .. },
            _,
        ) => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fulfillment::{Fulfillment, FulfillmentStatus as S};
    use crate::domain::ids::{FulfillmentId, OrderId, WarehouseId};
    use crate::domain::workflow::fulfillment::evolve;
    use crate::domain::workflow::{Settings, WorkflowStatus};

    fn row() -> Fulfillment {
        Fulfillment {
            id: FulfillmentId(1),
            order_id: OrderId(1),
            warehouse_id: WarehouseId(1),
            status: S::Pending,
            pick_attempts: 0,
            pack_attempts: 0,
            max_attempts: 3,
        }
    }

    /// Folds `events` into the workflow state and the row, as the driver does.
    fn project(events: &[Event]) -> Result<(State, Fulfillment), crate::domain::DomainError> {
        let (mut s, mut f) = (State::default(), row());
        for e in events {
            for a in actions(&s, e) {
                f.apply(*a)?;
            }
            s = evolve(s, e);
        }
        Ok((s, f))
    }

    fn done(activity: Activity, result: ActivityResult) -> Event {
        Event::Completed { activity, result }
    }

    fn start() -> Event {
        let settings = Settings::default();
        Event::Started(crate::domain::workflow::FulfillmentStart { fulfillment_id: 1, order_id: 1, settings })
    }

    #[test]
    fn the_happy_path_moves_the_row_from_pending_to_completed() -> Result<(), crate::domain::DomainError> {
        let path = [
            start(),
            done(Activity::AllocateInventory, ActivityResult::Allocated { units: 2 }),
            done(Activity::CreatePickWork, ActivityResult::PickWork { task_id: 7 }),
            Event::PickCompleted { task_id: 7, units: 2 },
            Event::PackStarted { task_id: 9 },
            Event::PackCompleted { task_id: 9, packages: 1 },
            done(Activity::ConfirmShipment { tracking: vec!["T1".into()] }, ActivityResult::Done),
        ];
        let (_, f) = project(&path)?;
        assert_eq!(f.status, S::Ready, "labelled and confirmed: waiting at the dock");
        let left =
            [Event::Dispatched { tracking: vec!["T1".into()] }, done(Activity::MarkShipped, ActivityResult::Done)];
        let (_, f) = project(&[path.as_slice(), &left].concat())?;
        assert_eq!((f.status, f.pick_attempts, f.pack_attempts), (S::Completed, 1, 1));
        Ok(())
    }

    #[test]
    fn a_timeout_requeue_and_a_cancel_follow_the_table() -> Result<(), crate::domain::DomainError> {
        let path = [
            start(),
            done(Activity::AllocateInventory, ActivityResult::Allocated { units: 2 }),
            done(Activity::CreatePickWork, ActivityResult::PickWork { task_id: 7 }),
            Event::TimedOut { name: "pick_timeout".into() },
            done(Activity::RequeuePick, ActivityResult::PickWork { task_id: 8 }),
            Event::PickFailed { task_id: 8, reason: "cancelled".into() },
            done(Activity::RequeuePick, ActivityResult::PickWork { task_id: 10 }),
        ];
        let (s, f) = project(&path)?;
        assert_eq!((f.status, f.pick_attempts), (S::Picking, 3));
        let cancel = Event::Ending { status: WorkflowStatus::Cancelled, reason: "customer".into() };
        let (_, f) = project(&[path.as_slice(), &[cancel]].concat())?;
        assert_eq!(f.status, S::Cancelled);
        // One more retry is past the limit: the table refuses it.
        let again = [path.as_slice(), &[Event::PickFailed { task_id: 10, reason: "x".into() }]].concat();
        let (s2, mut f2) = project(&again)?;
        assert!(
            actions(&s2, &Event::PickRetried { task_id: 11 }).iter().try_for_each(|a| f2.apply(*a).map(drop)).is_err()
        );
        assert!(s.step.failed_pick().is_none());
        Ok(())
    }

    #[test]
    fn a_restarted_pack_after_a_failed_one_is_a_retry() -> Result<(), crate::domain::DomainError> {
        let path = [
            start(),
            done(Activity::AllocateInventory, ActivityResult::Allocated { units: 1 }),
            done(Activity::CreatePickWork, ActivityResult::PickWork { task_id: 7 }),
            Event::PickCompleted { task_id: 7, units: 1 },
            Event::PackStarted { task_id: 9 },
            Event::PackFailed { task_id: 9, reason: "damaged".into() },
            Event::PackStarted { task_id: 12 },
        ];
        let (_, f) = project(&path)?;
        assert_eq!((f.status, f.pack_attempts), (S::Packing, 2));
        Ok(())
    }
}
