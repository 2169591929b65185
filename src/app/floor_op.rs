//! Floor ops: the operations a handheld or pack station may do without the
//! server, in their wire form. A device queues them (with their op ids) and
//! sends them in order through `POST /api/v1/ops`; the server turns each
//! into a [`Command`] acting as the caller. The offline capability table is
//! [`OFFLINE`]: what is not a floor op needs the server.

use super::command::{Command, PackageDto};
use serde::{Deserialize, Serialize};

pub use crate::contract::scan::{MAX_SCAN, PickScans, Scanned};

/// One offline-capable operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FloorOp {
    StartPicking {
        task_id: i64,
    },
    /// `location` and `item` are what was scanned; `tote`, in cluster
    /// picking, the tote the units went into (scanned too).
    #[serde(alias = "pick_to_tote")]
    Pick {
        task_id: i64,
        item_id: i64,
        #[serde(flatten)]
        scan: PickScans,
    },
    /// `quantity`: units found before the shelf ran out.
    Short {
        task_id: i64,
        item_id: i64,
        #[schema(minimum = 0, format = Int64, maximum = 4_294_967_295_u64)]
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
        #[schema(minimum = 0, format = Int64, maximum = 4_294_967_295_u64)]
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
    /// The packed box's label came out of the station's printer.
    LabelPrinted {
        task_id: i64,
    },
    /// The packer left a started box (units scanned), and says why.
    SetAside {
        task_id: i64,
        reason: crate::domain::packing::SetAsideReason,
    },
}

/// The server's answer for one op of `POST /api/v1/ops`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Applied,
    /// Final: the worker is told why.
    Rejected,
    /// The server could not store it now: send again, same op id.
    Retry,
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
    ("short", true),
    ("skip", true),
    ("complete_picking", true),
    ("verify_pack_item", true),
    ("start_packing", true),
    ("package_details", true),
    ("add_package", true),
    ("complete_packing", true),
    ("label_printed", true),
    ("set_aside", true),
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
            FloorOp::Short { .. } => "short",
            FloorOp::Skip { .. } => "skip",
            FloorOp::CompletePicking { .. } => "complete_picking",
            FloorOp::StartPacking { .. } => "start_packing",
            FloorOp::PackageDetails { .. } => "package_details",
            FloorOp::AddPackage { .. } => "add_package",
            FloorOp::CompletePacking { .. } => "complete_packing",
            FloorOp::LabelPrinted { .. } => "label_printed",
            FloorOp::SetAside { .. } => "set_aside",
        }
    }

    pub fn task_id(&self) -> i64 {
        match self {
            FloorOp::StartPicking { task_id }
            | FloorOp::Pick { task_id, .. }
            | FloorOp::Short { task_id, .. }
            | FloorOp::Skip { task_id, .. }
            | FloorOp::CompletePicking { task_id }
            | FloorOp::StartPacking { task_id }
            | FloorOp::PackageDetails { task_id, .. }
            | FloorOp::AddPackage { task_id, .. }
            | FloorOp::CompletePacking { task_id }
            | FloorOp::LabelPrinted { task_id }
            | FloorOp::SetAside { task_id, .. } => *task_id,
        }
    }

    pub fn work(&self) -> Work {
        match self {
            FloorOp::StartPicking { .. }
            | FloorOp::Pick { .. }
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
            FloorOp::Pick { task_id, item_id, scan } => Command::PickItem { task_id, item_id, worker_id: w, scan },
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
            FloorOp::LabelPrinted { task_id } => Command::MarkLabelPrinted { task_id },
            FloorOp::SetAside { task_id, reason } => Command::SetAsidePacking { task_id, worker_id: w, reason },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gs1::Element;

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
            FloorOp::Pick { task_id: 1, item_id: 1, scan: PickScans::new("A", "S", 1).into_tote("TOTE-1") },
            FloorOp::Short { task_id: 1, item_id: 1, quantity: 0, reason: "damaged".into() },
            FloorOp::Skip { task_id: 1, item_id: 1, reason: "other".into() },
            FloorOp::CompletePicking { task_id: 1 },
            FloorOp::StartPacking { task_id: 1 },
            FloorOp::PackageDetails { task_id: 1, sequence: 1, package },
            FloorOp::AddPackage { task_id: 1, package },
            FloorOp::CompletePacking { task_id: 1 },
            FloorOp::LabelPrinted { task_id: 1 },
            FloorOp::SetAside { task_id: 1, reason: crate::domain::packing::SetAsideReason::DamagedUnit },
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

    /// Ops queued by an older build still read: a bare scan string, and a
    /// cluster pick under its old name.
    #[test]
    fn older_queued_picks_still_read() {
        let old = r#"{"kind":"pick_to_tote","task_id":3,"item_id":4,"location":"A-01","item":"SKU","quantity":2,"tote":"TOTE-3"}"#;
        let op: FloorOp = serde_json::from_str(old).unwrap_or_else(|e| panic!("{e}"));
        let FloorOp::Pick { scan, .. } = &op else { panic!("{op:?}") };
        assert_eq!((scan.location.text.as_str(), scan.tote.as_deref()), ("A-01", Some("TOTE-3")));
        let gs1 = Scanned { text: "0104006381333931".into(), gs1: vec![Element::Gtin("04006381333931".into())] };
        let json = serde_json::to_string(&gs1).unwrap_or_default();
        assert_eq!(json, r#"{"text":"0104006381333931","gs1":[{"gtin":"04006381333931"}]}"#);
        assert_eq!(serde_json::from_str::<Scanned>(&json).ok(), Some(gs1.clone()));
        assert_eq!(gs1.check("item"), Ok(()));
        assert_eq!(serde_json::to_string(&Scanned::from("A-01")).ok().as_deref(), Some(r#""A-01""#));
    }

    #[test]
    fn gs1_elements_must_be_what_the_text_says() {
        let forged = Scanned { text: "SKU-X".into(), gs1: vec![Element::Gtin("04006381333931".into())] };
        let e = forged.check("item").err().map(|e| (e.code(), e.field().map(str::to_owned)));
        assert_eq!(e, Some(("E001", Some("item.gs1".to_owned()))));
        let long = Scanned::from("x".repeat(MAX_SCAN + 1).as_str());
        assert!(long.check("location").is_err());
    }
}
