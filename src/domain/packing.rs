//! Packing tasks (seed 001 §2.2, §4.2) and packages.
//!
//! A task walks `pending → in_progress → packed → shipped` and may be
//! cancelled from any state but shipped. It holds one or more packages
//! (multi-box shipments, numbered from 1). Packing needs every package to
//! have a weight above zero and all three dimensions; shipping needs a
//! tracking number.

use super::Timestamp;
use super::error::DomainError;
use super::ids::{
    Actor, FulfillmentId, Grams, Millimetres, OrderId, PackingTaskId, PickingTaskId, WarehouseId, WorkerId, check_actor,
};
use super::machine::{self, Action, Status};
use super::order::Priority;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PackingStatus {
    Pending,
    InProgress,
    Packed,
    Shipped,
    Cancelled,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PackingAction {
    Start,
    Pack,
    Ship,
    Cancel,
}

use PackingAction as A;
use PackingStatus as S;

pub const TRANSITIONS: &[(S, A, S)] = &[
    (S::Pending, A::Start, S::InProgress),
    (S::InProgress, A::Pack, S::Packed),
    (S::Packed, A::Ship, S::Shipped),
    (S::Pending, A::Cancel, S::Cancelled),
    (S::InProgress, A::Cancel, S::Cancelled),
    (S::Packed, A::Cancel, S::Cancelled),
];

impl Status for PackingStatus {
    const ENTITY: &'static str = "packing task";
    fn as_str(self) -> &'static str {
        match self {
            S::Pending => "pending",
            S::InProgress => "in_progress",
            S::Packed => "packed",
            S::Shipped => "shipped",
            S::Cancelled => "cancelled",
        }
    }
}

impl Action for PackingAction {
    fn as_str(self) -> &'static str {
        match self {
            A::Start => "start",
            A::Pack => "pack",
            A::Ship => "ship",
            A::Cancel => "cancel",
        }
    }
}

impl PackingStatus {
    pub const ALL: [S; 5] = [S::Pending, S::InProgress, S::Packed, S::Shipped, S::Cancelled];
    pub fn parse(s: &str) -> Option<Self> {
        machine::parse_status(&Self::ALL, s)
    }
    pub fn as_str(self) -> &'static str {
        Status::as_str(self)
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PackagingType {
    #[default]
    Box,
    Bag,
    Envelope,
    Pallet,
    Custom,
}

impl PackagingType {
    pub const ALL: [PackagingType; 5] =
        [PackagingType::Box, PackagingType::Bag, PackagingType::Envelope, PackagingType::Pallet, PackagingType::Custom];

    pub fn as_str(self) -> &'static str {
        match self {
            PackagingType::Box => "box",
            PackagingType::Bag => "bag",
            PackagingType::Envelope => "envelope",
            PackagingType::Pallet => "pallet",
            PackagingType::Custom => "custom",
        }
    }

    pub fn parse(s: &str, field: &str) -> super::Result<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s).ok_or_else(|| {
            DomainError::invalid(field, format!("{s:?} is not one of box, bag, envelope, pallet, custom"))
        })
    }
}

/// Outside dimensions of a package.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Dimensions {
    pub length: Millimetres,
    pub width: Millimetres,
    pub height: Millimetres,
}

/// The divisor carriers use: (L×W×H in cm) / 5000 = kg, which is the same
/// as (L×W×H in mm³) / 5000 = grams.
pub const VOLUMETRIC_DIVISOR: u64 = 5000;

impl Dimensions {
    /// Volumetric weight, rounded up to the next gram as carriers do.
    pub fn volumetric_weight(&self) -> Grams {
        let mm3 = u64::from(self.length.0) * u64::from(self.width.0) * u64::from(self.height.0);
        Grams(mm3.div_ceil(VOLUMETRIC_DIVISOR))
    }
}

/// What a carrier bills: the larger of the actual and volumetric weight.
pub fn chargeable_weight(actual: Grams, dims: &Dimensions) -> Grams {
    actual.max(dims.volumetric_weight())
}

/// One box (bag, envelope...) of a shipment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    /// 1-based position within the packing task.
    pub sequence: u32,
    pub packaging_type: PackagingType,
    pub weight: Option<Grams>,
    pub dims: Option<Dimensions>,
}

impl Package {
    pub fn is_complete(&self) -> bool {
        self.weight.is_some() && self.dims.is_some()
    }
}

/// Beyond these nothing is one package (a typo, or a number scanned into
/// the wrong field): refused whatever a station allows. A station's own,
/// tighter limits come from its config (`tui::packer::Limits`).
pub const MAX_WEIGHT_G: u64 = 2_000_000;
pub const MAX_SIDE_MM: u32 = 5_000;

/// What a packer enters for one package.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PackageDetails {
    pub packaging_type: PackagingType,
    pub weight: Grams,
    pub dims: Dimensions,
}

impl PackageDetails {
    /// Refuses zero weight and zero dimensions (a known cause of carrier
    /// failures), and what no single package weighs or measures.
    pub fn validate(&self) -> super::Result<()> {
        if self.weight.0 == 0 {
            return Err(DomainError::invalid("weight", "must be above zero"));
        }
        if self.weight.0 > MAX_WEIGHT_G {
            return Err(DomainError::invalid("weight", format!("over {} kg: not one package", MAX_WEIGHT_G / 1000)));
        }
        for (field, v) in [("length", self.dims.length), ("width", self.dims.width), ("height", self.dims.height)] {
            if v.0 == 0 {
                return Err(DomainError::invalid(field, "must be above zero"));
            }
            if v.0 > MAX_SIDE_MM {
                return Err(DomainError::invalid(field, format!("over {MAX_SIDE_MM} mm: not one package")));
            }
        }
        Ok(())
    }
}

/// Why a packer set a started box aside: backed out of Verify with units
/// already scanned (issue 16), so the next packer who scans the order
/// knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SetAsideReason {
    DamagedUnit,
    WrongOrder,
    Other,
}

impl SetAsideReason {
    pub const ALL: [SetAsideReason; 3] = [Self::DamagedUnit, Self::WrongOrder, Self::Other];

    /// The words a screen shows.
    pub fn words(self) -> &'static str {
        match self {
            Self::DamagedUnit => "damaged unit",
            Self::WrongOrder => "wrong order",
            Self::Other => "other",
        }
    }
}

/// A box set aside: why and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SetAside {
    pub reason: SetAsideReason,
    pub at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackingTask {
    pub id: PackingTaskId,
    pub order_id: OrderId,
    pub fulfillment_id: FulfillmentId,
    pub picking_task_id: PickingTaskId,
    pub warehouse_id: WarehouseId,
    pub worker_id: Option<WorkerId>,
    pub status: PackingStatus,
    pub priority: Priority,
    pub packages: Vec<Package>,
    pub tracking_number: Option<String>,
    pub created_at: Timestamp,
    pub started_at: Option<Timestamp>,
    pub packed_at: Option<Timestamp>,
    pub shipped_at: Option<Timestamp>,
    pub cancelled_at: Option<Timestamp>,
    pub cancellation_reason: Option<String>,
    /// The last time a packer set the box aside, and why.
    pub set_aside: Option<SetAside>,
}

impl PackingTask {
    /// The packer leaves the box (a damaged unit, the wrong order): it stays
    /// started for whoever scans the order next, who is told why.
    pub fn set_aside(&mut self, actor: Actor, reason: SetAsideReason, now: Timestamp) -> super::Result<()> {
        self.check_working(actor, "set aside")?;
        self.set_aside = Some(SetAside { reason, at: now });
        Ok(())
    }

    pub fn start(&mut self, worker: WorkerId, now: Timestamp) -> super::Result<()> {
        self.status = machine::step(TRANSITIONS, self.status, A::Start)?;
        self.worker_id = Some(worker);
        self.started_at = Some(now);
        Ok(())
    }

    /// Sets the details of package `sequence`; package 1 is created on first use.
    pub fn set_package_details(&mut self, actor: Actor, sequence: u32, details: PackageDetails) -> super::Result<()> {
        self.check_working(actor, "set package details")?;
        details.validate()?;
        if self.packages.is_empty() && sequence == 1 {
            self.packages.push(empty_package(1, details.packaging_type));
        }
        let p = self
            .packages
            .iter_mut()
            .find(|p| p.sequence == sequence)
            .ok_or_else(|| DomainError::not_found("package", sequence))?;
        p.packaging_type = details.packaging_type;
        p.weight = Some(details.weight);
        p.dims = Some(details.dims);
        Ok(())
    }

    /// Adds a package (multi-box); returns its sequence number.
    pub fn add_package(&mut self, actor: Actor, details: Option<PackageDetails>) -> super::Result<u32> {
        self.check_working(actor, "add package")?;
        if let Some(d) = &details {
            d.validate()?;
        }
        let sequence = self.packages.iter().map(|p| p.sequence).max().unwrap_or(0) + 1;
        let mut p = empty_package(sequence, details.map(|d| d.packaging_type).unwrap_or_default());
        if let Some(d) = details {
            p.weight = Some(d.weight);
            p.dims = Some(d.dims);
        }
        self.packages.push(p);
        Ok(sequence)
    }

    /// Finishes packing: needs at least one package, each weighed and measured.
    pub fn pack(&mut self, actor: Actor, now: Timestamp) -> super::Result<()> {
        let to = machine::step(TRANSITIONS, self.status, A::Pack)?;
        check_actor(actor, self.worker_id)?;
        if self.packages.is_empty() {
            return Err(DomainError::DimensionsMissing { sequence: 1 });
        }
        if let Some(p) = self.packages.iter().find(|p| !p.is_complete()) {
            return Err(DomainError::DimensionsMissing { sequence: p.sequence });
        }
        self.status = to;
        self.packed_at = Some(now);
        Ok(())
    }

    /// Marks the packed parcels handed to the carrier.
    pub fn ship(&mut self, tracking_number: &str, now: Timestamp) -> super::Result<()> {
        let to = machine::step(TRANSITIONS, self.status, A::Ship)?;
        if tracking_number.trim().is_empty() {
            return Err(DomainError::TrackingMissing);
        }
        self.status = to;
        self.tracking_number = Some(tracking_number.trim().to_owned());
        self.shipped_at = Some(now);
        Ok(())
    }

    pub fn cancel(&mut self, reason: &str, now: Timestamp) -> super::Result<()> {
        self.status = machine::step(TRANSITIONS, self.status, A::Cancel)?;
        self.cancelled_at = Some(now);
        self.cancellation_reason = Some(reason.to_owned());
        Ok(())
    }

    /// Sum of the packages' chargeable weights.
    pub fn chargeable_weight(&self) -> Grams {
        Grams(self.packages.iter().filter_map(|p| Some(chargeable_weight(p.weight?, p.dims.as_ref()?).0)).sum())
    }

    fn check_working(&self, actor: Actor, action: &'static str) -> super::Result<()> {
        if self.status != S::InProgress {
            return Err(DomainError::IllegalTransition { entity: "packing task", from: self.status.as_str(), action });
        }
        check_actor(actor, self.worker_id)
    }
}

fn empty_package(sequence: u32, packaging_type: PackagingType) -> Package {
    Package { sequence, packaging_type, weight: None, dims: None }
}

#[cfg(test)]
mod tests;
