//! The fulfillment status machine (seed 002): the part of an order served by
//! one warehouse, from planning to shipped, with failed pick/pack states that
//! may be retried up to a maximum number of attempts.

use super::error::DomainError;
use super::ids::{FulfillmentId, OrderId, WarehouseId};
use super::machine::{self, Action, Status};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FulfillmentStatus {
    Pending,
    Planning,
    Picking,
    Picked,
    Packing,
    Packed,
    Ready,
    Shipped,
    Completed,
    PickFailed,
    PackFailed,
    Cancelled,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FulfillmentAction {
    Plan,
    StartPicking,
    ConfirmPicked,
    FailPick,
    RetryPick,
    StartPacking,
    ConfirmPacked,
    FailPack,
    RetryPack,
    MarkReady,
    Ship,
    Complete,
    Cancel,
}

use FulfillmentAction as A;
use FulfillmentStatus as S;

/// Every legal transition. Cancellation is allowed wherever no parcel has
/// left the building; from `Ready` the caller must void the shipment.
pub const TRANSITIONS: &[(S, A, S)] = &[
    (S::Pending, A::Plan, S::Planning),
    (S::Planning, A::StartPicking, S::Picking),
    (S::Picking, A::ConfirmPicked, S::Picked),
    (S::Picking, A::FailPick, S::PickFailed),
    (S::PickFailed, A::RetryPick, S::Picking),
    (S::Picked, A::StartPacking, S::Packing),
    (S::Packing, A::ConfirmPacked, S::Packed),
    (S::Packing, A::FailPack, S::PackFailed),
    // A packing task cancelled before anyone started it.
    (S::Picked, A::FailPack, S::PackFailed),
    (S::PackFailed, A::RetryPack, S::Packing),
    (S::Packed, A::MarkReady, S::Ready),
    (S::Ready, A::Ship, S::Shipped),
    (S::Shipped, A::Complete, S::Completed),
    (S::Pending, A::Cancel, S::Cancelled),
    (S::Planning, A::Cancel, S::Cancelled),
    (S::Picking, A::Cancel, S::Cancelled),
    (S::PickFailed, A::Cancel, S::Cancelled),
    (S::Picked, A::Cancel, S::Cancelled),
    (S::Packing, A::Cancel, S::Cancelled),
    (S::PackFailed, A::Cancel, S::Cancelled),
    (S::Packed, A::Cancel, S::Cancelled),
    (S::Ready, A::Cancel, S::Cancelled),
];

impl Status for FulfillmentStatus {
    const ENTITY: &'static str = "fulfillment";
    fn as_str(self) -> &'static str {
        match self {
            S::Pending => "pending",
            S::Planning => "planning",
            S::Picking => "picking",
            S::Picked => "picked",
            S::Packing => "packing",
            S::Packed => "packed",
            S::Ready => "ready",
            S::Shipped => "shipped",
            S::Completed => "completed",
            S::PickFailed => "pick_failed",
            S::PackFailed => "pack_failed",
            S::Cancelled => "cancelled",
        }
    }
}

impl Action for FulfillmentAction {
    fn as_str(self) -> &'static str {
        match self {
            A::Plan => "plan",
            A::StartPicking => "start picking",
            A::ConfirmPicked => "confirm picked",
            A::FailPick => "fail pick",
            A::RetryPick => "retry pick",
            A::StartPacking => "start packing",
            A::ConfirmPacked => "confirm packed",
            A::FailPack => "fail pack",
            A::RetryPack => "retry pack",
            A::MarkReady => "mark ready",
            A::Ship => "ship",
            A::Complete => "complete",
            A::Cancel => "cancel",
        }
    }
}

impl FulfillmentStatus {
    pub const ALL: [S; 12] = [
        S::Pending,
        S::Planning,
        S::Picking,
        S::Picked,
        S::Packing,
        S::Packed,
        S::Ready,
        S::Shipped,
        S::Completed,
        S::PickFailed,
        S::PackFailed,
        S::Cancelled,
    ];

    pub fn parse(s: &str) -> Option<Self> {
        machine::parse_status(&Self::ALL, s)
    }

    pub fn as_str(self) -> &'static str {
        Status::as_str(self)
    }

    /// No further transition except possibly `Complete`.
    pub fn is_terminal(self) -> bool {
        matches!(self, S::Completed | S::Cancelled)
    }
}

/// Default number of pick (or pack) attempts before a failure is final.
pub const DEFAULT_MAX_ATTEMPTS: u32 = 3;

/// One warehouse's share of an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fulfillment {
    pub id: FulfillmentId,
    pub order_id: OrderId,
    pub warehouse_id: WarehouseId,
    pub status: FulfillmentStatus,
    pub pick_attempts: u32,
    pub pack_attempts: u32,
    pub max_attempts: u32,
}

impl Fulfillment {
    /// Applies `action`, counting attempts and refusing a retry past
    /// `max_attempts`. Returns the previous status.
    pub fn apply(&mut self, action: FulfillmentAction) -> super::Result<FulfillmentStatus> {
        let to = machine::step(TRANSITIONS, self.status, action)?;
        match action {
            A::RetryPick if self.pick_attempts >= self.max_attempts => {
                return Err(DomainError::RetryLimit { attempts: self.pick_attempts, max: self.max_attempts });
            }
            A::RetryPack if self.pack_attempts >= self.max_attempts => {
                return Err(DomainError::RetryLimit { attempts: self.pack_attempts, max: self.max_attempts });
            }
            A::StartPicking | A::RetryPick => self.pick_attempts += 1,
            A::StartPacking | A::RetryPack => self.pack_attempts += 1,
            A::Plan
            | A::ConfirmPicked
            | A::FailPick
            | A::ConfirmPacked
            | A::FailPack
            | A::MarkReady
            | A::Ship
            | A::Complete
            | A::Cancel => {}
        }
        Ok(std::mem::replace(&mut self.status, to))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new() -> Fulfillment {
        Fulfillment {
            id: FulfillmentId(1),
            order_id: OrderId(1),
            warehouse_id: WarehouseId(1),
            status: S::Pending,
            pick_attempts: 0,
            pack_attempts: 0,
            max_attempts: 2,
        }
    }

    /// Runs `actions` from pending; `expected` is the final status or the
    /// error code of the first refusal.
    fn check(actions: &[A], expected: Result<S, &str>) {
        let mut f = new();
        let got = actions.iter().try_for_each(|a| f.apply(*a).map(drop)).map(|()| f.status);
        assert_eq!(got.map_err(|e| e.code()), expected, "{actions:?}");
    }

    #[test]
    fn happy_path_and_failures() {
        let to_picking = [A::Plan, A::StartPicking];
        check(&to_picking, Ok(S::Picking));
        check(
            &[
                A::Plan,
                A::StartPicking,
                A::ConfirmPicked,
                A::StartPacking,
                A::ConfirmPacked,
                A::MarkReady,
                A::Ship,
                A::Complete,
            ],
            Ok(S::Completed),
        );
        check(&[A::Plan, A::StartPicking, A::FailPick, A::RetryPick], Ok(S::Picking));
        check(&[A::Plan, A::StartPicking, A::FailPick, A::RetryPick, A::FailPick, A::RetryPick], Err("E401"));
        check(
            &[A::Plan, A::StartPicking, A::ConfirmPicked, A::StartPacking, A::FailPack, A::RetryPack],
            Ok(S::Packing),
        );
        check(&[A::ConfirmPicked], Err("E003"));
        check(&[A::Plan, A::StartPicking, A::Cancel], Ok(S::Cancelled));
        check(
            &[
                A::Plan,
                A::StartPicking,
                A::ConfirmPicked,
                A::StartPacking,
                A::ConfirmPacked,
                A::MarkReady,
                A::Ship,
                A::Cancel,
            ],
            Err("E003"),
        );
        check(&[A::Plan, A::Cancel, A::Cancel], Err("E003"));
    }

    #[test]
    fn cancel_only_before_shipping() {
        for s in FulfillmentStatus::ALL {
            let allowed = machine::step(TRANSITIONS, s, A::Cancel).is_ok();
            let safe = !matches!(s, S::Shipped | S::Completed | S::Cancelled);
            assert_eq!(allowed, safe, "{s:?}");
        }
    }

    #[test]
    fn every_status_round_trips_and_table_is_deterministic() {
        for s in FulfillmentStatus::ALL {
            assert_eq!(FulfillmentStatus::parse(s.as_str()), Some(s));
        }
        for (i, (f, a, _)) in TRANSITIONS.iter().enumerate() {
            assert!(!TRANSITIONS[i + 1..].iter().any(|(f2, a2, _)| f2 == f && a2 == a), "duplicate row {f:?} {a:?}");
        }
    }
}
