//! Floor ops: the operations a handheld or pack station may do without the
//! server, in their wire form. A device queues them (with their op ids) and
//! sends them in order through `POST /api/v1/ops`; the server turns each
//! into a [`Command`] acting as the caller. The offline capability table is
//! [`OFFLINE`]: what is not a floor op needs the server.

use super::command::{Command, PackageDto};
use serde::{Deserialize, Serialize};

/// One offline-capable operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FloorOp {
    StartPicking {
        task_id: i64,
    },
    Pick {
        task_id: i64,
        item_id: i64,
        location: String,
        item: String,
        quantity: u32,
    },
    /// Cluster picking: the units go into the task's tote, scanned too.
    PickToTote {
        task_id: i64,
        item_id: i64,
        location: String,
        item: String,
        quantity: u32,
        tote: String,
    },
    /// `quantity`: units found before the shelf ran out.
    Short {
        task_id: i64,
        item_id: i64,
        quantity: u32,
        reason: String,
    },
    Skip {
        task_id: i64,
        item_id: i64,
        reason: String,
    },
    CompletePicking {
        task_id: i64,
    },
    StartPacking {
        task_id: i64,
    },
    PackageDetails {
        task_id: i64,
        sequence: u32,
        package: PackageDto,
    },
    AddPackage {
        task_id: i64,
        package: PackageDto,
    },
    /// The label is made when the op reaches the server (deferred offline).
    CompletePacking {
        task_id: i64,
    },
}

/// Which work a floor op belongs to (and so which role may send it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Work {
    Picking,
    Packing,
}

/// What a device may do offline, and what needs the server. Documentation
/// that the code keeps: `offline_table_matches_the_ops` checks it.
pub const OFFLINE: &[(&str, bool)] = &[
    ("start_picking", true),
    ("pick", true),
    ("pick_to_tote", true),
    ("short", true),
    ("skip", true),
    ("complete_picking", true),
    ("verify_pack_item", true),
    ("start_packing", true),
    ("package_details", true),
    ("add_package", true),
    ("complete_packing", true),
    ("login", false),
    ("claim", false),
    ("claim_batch", false),
    ("find_packing_task", false),
    ("label", false),
];

impl FloorOp {
    pub fn kind(&self) -> &'static str {
        match self {
            FloorOp::StartPicking { .. } => "start_picking",
            FloorOp::Pick { .. } => "pick",
            FloorOp::PickToTote { .. } => "pick_to_tote",
            FloorOp::Short { .. } => "short",
            FloorOp::Skip { .. } => "skip",
            FloorOp::CompletePicking { .. } => "complete_picking",
            FloorOp::StartPacking { .. } => "start_packing",
            FloorOp::PackageDetails { .. } => "package_details",
            FloorOp::AddPackage { .. } => "add_package",
            FloorOp::CompletePacking { .. } => "complete_packing",
        }
    }

    pub fn task_id(&self) -> i64 {
        match self {
            FloorOp::StartPicking { task_id }
            | FloorOp::Pick { task_id, .. }
            | FloorOp::PickToTote { task_id, .. }
            | FloorOp::Short { task_id, .. }
            | FloorOp::Skip { task_id, .. }
            | FloorOp::CompletePicking { task_id }
            | FloorOp::StartPacking { task_id }
            | FloorOp::PackageDetails { task_id, .. }
            | FloorOp::AddPackage { task_id, .. }
            | FloorOp::CompletePacking { task_id } => *task_id,
        }
    }

    pub fn work(&self) -> Work {
        match self {
            FloorOp::StartPicking { .. }
            | FloorOp::Pick { .. }
            | FloorOp::PickToTote { .. }
            | FloorOp::Short { .. }
            | FloorOp::Skip { .. }
            | FloorOp::CompletePicking { .. } => Work::Picking,
            _ => Work::Packing,
        }
    }

    /// The command this op is, done by `worker`.
    pub fn command(&self, worker: i64) -> Command {
        let w = Some(worker);
        match self.clone() {
            FloorOp::StartPicking { task_id } => Command::StartPicking { task_id, worker_id: worker },
            FloorOp::Pick { task_id, item_id, location, item, quantity } => {
                Command::PickItem { task_id, item_id, worker_id: w, location, item, quantity }
            }
            FloorOp::PickToTote { task_id, item_id, location, item, quantity, tote } => {
                Command::PickItemIntoTote { task_id, item_id, worker_id: w, location, item, quantity, tote }
            }
            FloorOp::Short { task_id, item_id, quantity, reason } => {
                Command::ShortItem { task_id, item_id, worker_id: w, quantity, reason }
            }
            FloorOp::Skip { task_id, item_id, reason } => Command::SkipItem { task_id, item_id, worker_id: w, reason },
            FloorOp::CompletePicking { task_id } => Command::CompletePicking { task_id, worker_id: w },
            FloorOp::StartPacking { task_id } => Command::StartPacking { task_id, worker_id: worker },
            FloorOp::PackageDetails { task_id, sequence, package } => {
                Command::SetPackageDetails { task_id, worker_id: w, sequence, package }
            }
            FloorOp::AddPackage { task_id, package } => {
                Command::AddPackage { task_id, worker_id: w, package: Some(package) }
            }
            FloorOp::CompletePacking { task_id } => Command::CompletePacking { task_id, worker_id: w },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offline_table_matches_the_ops() {
        let package = PackageDto {
            packaging_type: crate::app::command::PackagingTypeDto::Box,
            weight_g: 1,
            length_mm: 1,
            width_mm: 1,
            height_mm: 1,
        };
        let ops = [
            FloorOp::StartPicking { task_id: 1 },
            FloorOp::Pick { task_id: 1, item_id: 1, location: "A".into(), item: "S".into(), quantity: 1 },
            FloorOp::PickToTote {
                task_id: 1,
                item_id: 1,
                location: "A".into(),
                item: "S".into(),
                quantity: 1,
                tote: "TOTE-1".into(),
            },
            FloorOp::Short { task_id: 1, item_id: 1, quantity: 0, reason: "damaged".into() },
            FloorOp::Skip { task_id: 1, item_id: 1, reason: "other".into() },
            FloorOp::CompletePicking { task_id: 1 },
            FloorOp::StartPacking { task_id: 1 },
            FloorOp::PackageDetails { task_id: 1, sequence: 1, package },
            FloorOp::AddPackage { task_id: 1, package },
            FloorOp::CompletePacking { task_id: 1 },
        ];
        let kinds: Vec<&str> = ops.iter().map(FloorOp::kind).collect();
        for k in &kinds {
            assert!(OFFLINE.contains(&(k, true)), "{k} is a floor op but not offline in the table");
        }
        for (kind, offline) in OFFLINE {
            // Verifying a packed unit is local: nothing is sent for it.
            let op_or_local = kinds.contains(kind) || *kind == "verify_pack_item";
            assert_eq!(op_or_local, *offline, "{kind}");
        }
    }
}
