//! Picking tasks (seed 001 §1.2, §4.1) and their items.
//!
//! A task walks `pending → assigned → in_progress → completed` and may be
//! cancelled from any state but completed. Each item is one SKU at one
//! location, visited in `sequence` (walk order), and ends `picked`, `short`
//! or `skipped`. Scans are checked here: the right location (or its check
//! digits, for a damaged label), then the right item.

use super::Timestamp;
use super::error::DomainError;
use super::ids::{LocationId, OrderId, PickingItemId, PickingTaskId, Qty, ReservationId, Sku, SlotId, WorkerId};
use super::machine::{self, Action, Status};
use super::order::Priority;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PickingStatus {
    Pending,
    Assigned,
    InProgress,
    Completed,
    Cancelled,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PickingAction {
    Assign,
    Start,
    Complete,
    Cancel,
}

use PickingAction as PA;
use PickingStatus as PS;

/// Assigning an already assigned task reassigns it (a supervisor action);
/// so does assigning one in progress, the usual case (a picker left
/// mid-task): the units picked stay with the task, and the new picker goes
/// on from the next open item.
pub const TASK_TRANSITIONS: &[(PS, PA, PS)] = &[
    (PS::Pending, PA::Assign, PS::Assigned),
    (PS::Assigned, PA::Assign, PS::Assigned),
    (PS::InProgress, PA::Assign, PS::InProgress),
    (PS::Assigned, PA::Start, PS::InProgress),
    (PS::InProgress, PA::Complete, PS::Completed),
    (PS::Pending, PA::Cancel, PS::Cancelled),
    (PS::Assigned, PA::Cancel, PS::Cancelled),
    (PS::InProgress, PA::Cancel, PS::Cancelled),
];

impl Status for PickingStatus {
    const ENTITY: &'static str = "picking task";
    fn as_str(self) -> &'static str {
        match self {
            PS::Pending => "pending",
            PS::Assigned => "assigned",
            PS::InProgress => "in_progress",
            PS::Completed => "completed",
            PS::Cancelled => "cancelled",
        }
    }
}

impl Action for PickingAction {
    fn as_str(self) -> &'static str {
        match self {
            PA::Assign => "assign",
            PA::Start => "start",
            PA::Complete => "complete",
            PA::Cancel => "cancel",
        }
    }
}

impl PickingStatus {
    pub const ALL: [PS; 5] = [PS::Pending, PS::Assigned, PS::InProgress, PS::Completed, PS::Cancelled];
    pub fn parse(s: &str) -> Option<Self> {
        machine::parse_status(&Self::ALL, s)
    }
    pub fn as_str(self) -> &'static str {
        Status::as_str(self)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    Pending,
    Picked,
    Short,
    Skipped,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ItemAction {
    /// Some units taken, more remain.
    PickPart,
    /// The last units taken.
    PickAll,
    Short,
    Skip,
}

use ItemAction as IA;
use ItemStatus as IS;

pub const ITEM_TRANSITIONS: &[(IS, IA, IS)] = &[
    (IS::Pending, IA::PickPart, IS::Pending),
    (IS::Pending, IA::PickAll, IS::Picked),
    (IS::Pending, IA::Short, IS::Short),
    (IS::Pending, IA::Skip, IS::Skipped),
];

impl Status for ItemStatus {
    const ENTITY: &'static str = "picking item";
    fn as_str(self) -> &'static str {
        match self {
            IS::Pending => "pending",
            IS::Picked => "picked",
            IS::Short => "short",
            IS::Skipped => "skipped",
        }
    }
}

impl Action for ItemAction {
    fn as_str(self) -> &'static str {
        match self {
            IA::PickPart | IA::PickAll => "pick",
            IA::Short => "short",
            IA::Skip => "skip",
        }
    }
}

impl ItemStatus {
    pub const ALL: [IS; 4] = [IS::Pending, IS::Picked, IS::Short, IS::Skipped];
    pub fn parse(s: &str) -> Option<Self> {
        machine::parse_status(&Self::ALL, s)
    }
    pub fn as_str(self) -> &'static str {
        Status::as_str(self)
    }
}

/// Why an item was shorted or skipped. At most five, so the list fits one
/// handheld screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReasonCode {
    /// Nothing (or not enough) on the shelf.
    StockOut,
    Damaged,
    /// The location could not be reached or found.
    NoAccess,
    Expired,
    Other,
}

impl ReasonCode {
    pub const ALL: [ReasonCode; 5] =
        [ReasonCode::StockOut, ReasonCode::Damaged, ReasonCode::NoAccess, ReasonCode::Expired, ReasonCode::Other];

    pub fn as_str(self) -> &'static str {
        match self {
            ReasonCode::StockOut => "stock_out",
            ReasonCode::Damaged => "damaged",
            ReasonCode::NoAccess => "no_access",
            ReasonCode::Expired => "expired",
            ReasonCode::Other => "other",
        }
    }

    pub fn parse(s: &str, field: &str) -> super::Result<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s).ok_or_else(|| {
            DomainError::invalid(field, format!("{s:?} is not one of stock_out, damaged, no_access, expired, other"))
        })
    }
}

/// One SKU to take from one location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickingItem {
    pub id: PickingItemId,
    pub sku: Sku,
    /// The product's barcode (GTIN), if it has one; scanning it or the SKU both count.
    pub barcode: Option<String>,
    /// The product's short description (may be empty).
    pub name: String,
    pub location_id: LocationId,
    pub location_code: String,
    /// The location's rank on the walk (`locations.walk_order`).
    pub walk_order: i64,
    /// Digits printed on the location label, typed when the barcode is damaged.
    pub check_digits: Option<String>,
    pub slot_id: SlotId,
    pub reservation_id: ReservationId,
    pub required: Qty,
    pub picked: Qty,
    pub status: ItemStatus,
    pub sequence: u32,
    pub reason: Option<ReasonCode>,
    pub picked_at: Option<Timestamp>,
}

impl PickingItem {
    pub fn remaining(&self) -> Qty {
        self.required.saturating_sub(self.picked)
    }

    pub fn is_done(&self) -> bool {
        self.status != IS::Pending
    }

    /// A location scan matches the code (ignoring case and spaces) or the check digits.
    pub fn location_matches(&self, scan: &str) -> bool {
        location_scan_matches(&self.location_code, self.check_digits.as_deref(), scan)
    }

    /// An item scan matches the SKU, the barcode, or (a GS1 scan) its GTIN.
    pub fn item_matches(&self, scan: &ItemScan<'_>) -> bool {
        item_scan_matches(self.sku.as_str(), self.barcode.as_deref(), scan)
    }
}

/// What the scanner read for an item: the text, and the GTIN (AI 01) when
/// it was a GS1 symbol whose elements the edge parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ItemScan<'a> {
    pub text: &'a str,
    pub gtin: Option<&'a str>,
}

impl<'a> ItemScan<'a> {
    /// A plain scan or typed text, with no GS1 elements.
    pub fn text(text: &'a str) -> Self {
        ItemScan { text, gtin: None }
    }
}

/// The location rule on plain values, for clients that hold a task view:
/// the code (ignoring case and surrounding spaces) or the label's check digits.
pub fn location_scan_matches(code: &str, check_digits: Option<&str>, scan: &str) -> bool {
    let scan = scan.trim();
    scan.eq_ignore_ascii_case(code) || check_digits.is_some_and(|d| d == scan)
}

/// The item rule on plain values, run by the device for instant feedback
/// and by the server on what the device says was scanned: the SKU (ignoring
/// case), the barcode, or a GS1 scan whose GTIN is the barcode. GTINs
/// compare as numbers (leading zeros ignored), so a GTIN-14 `0…` matches
/// the EAN-13 printed on the product.
pub fn item_scan_matches(sku: &str, barcode: Option<&str>, scan: &ItemScan<'_>) -> bool {
    let text = scan.text.trim();
    let same_gtin = |a: &str, b: &str| {
        let (a, b) = (a.trim().trim_start_matches('0'), b.trim().trim_start_matches('0'));
        !a.is_empty() && a == b
    };
    text.eq_ignore_ascii_case(sku)
        || barcode.is_some_and(|b| b == text)
        || matches!((barcode, scan.gtin), (Some(b), Some(g)) if same_gtin(b, g))
}

/// What a pick, short or skip did to stock: `picked` units left the shelf
/// now, `released` reserved units went back to available.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ItemDelta {
    pub item: PickingItemId,
    pub slot: SlotId,
    pub reservation: ReservationId,
    pub picked: Qty,
    pub released: Qty,
    pub finished: bool,
}

/// What a picker scanned for one pick, and the count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickScan<'a> {
    pub location: &'a str,
    pub item: ItemScan<'a>,
    pub qty: Qty,
    /// Cluster picking: the tote the units go into, which must be the task's.
    pub tote: Option<&'a str>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickingTask {
    pub id: PickingTaskId,
    pub order_id: OrderId,
    pub warehouse_id: super::ids::WarehouseId,
    pub fulfillment_id: super::ids::FulfillmentId,
    pub worker_id: Option<WorkerId>,
    pub status: PickingStatus,
    pub priority: Priority,
    pub items: Vec<PickingItem>,
    pub created_at: Timestamp,
    pub started_at: Option<Timestamp>,
    pub completed_at: Option<Timestamp>,
    pub cancelled_at: Option<Timestamp>,
    pub cancellation_reason: Option<String>,
}

mod rules;
pub use rules::{pick_action, ready_to_complete, sequence_items};

#[cfg(test)]
mod tests;
