//! The request bodies that clients send and the server reads, one type for
//! both: the server's handlers deserialise them, `tote pick`, `tote pack`
//! and `tote board` serialise them (no hand-built JSON), and the OpenAPI
//! document is derived from them.

use crate::app::command::QueueDto;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LoginRequest {
    /// The badge id, scanned or typed.
    // `\x85` is spelled out: the server trims it as whitespace, and
    // ECMA-262's `\s` (the spec's regex dialect) does not include it.
    #[schema(min_length = 1, max_length = 64, pattern = r"[^\s\x85]")]
    pub badge: String,
    #[schema(min_length = 1, max_length = 64)]
    pub pin: String,
    /// The terminal logging in, for the board's device list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(min_length = 1, max_length = 64, pattern = r"[^\s\x85]")]
    pub device_id: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct WorkerBody {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = crate::server::openapi::params::op_id)]
    pub op_id: Option<String>,
    /// Defaults to the caller; only supervisors may name another worker.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worker_id: Option<i64>,
}

/// Who gets a task: a worker by id, or by the badge they carry (what a
/// supervisor on the floor knows).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AssignBody {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = crate::server::openapi::params::op_id)]
    pub op_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worker_id: Option<i64>,
    /// Used when `worker_id` is not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(min_length = 1, max_length = 64)]
    pub badge: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ClaimBody {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = crate::server::openapi::params::op_id)]
    pub op_id: Option<String>,
    /// Which queue; defaults to picking for pickers, packing for packers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue: Option<QueueDto>,
    /// Supervisors may claim for another worker.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worker_id: Option<i64>,
    /// Also hold the next picking task (for devices that may go offline).
    #[serde(default)]
    pub lookahead: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct WaveBody {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = crate::server::openapi::params::op_id)]
    pub op_id: Option<String>,
    pub warehouse: String,
    /// Only these priorities (low, normal, high, urgent); empty: any.
    #[serde(default)]
    #[schema(value_type = Vec<crate::domain::order::Priority>)]
    pub priorities: Vec<String>,
    /// Only tasks whose every location starts with this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<String>,
    /// Only orders taken before this moment (a carrier cut-off).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(
        pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})$"
    )]
    pub cutoff: Option<DateTime<Utc>>,
    /// Tasks in the wave at most: 1 to 1000, 50 by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 1000, format = Int64)]
    pub max_tasks: Option<u32>,
    /// Totes per cart: 1 to 24, 4 by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 24, format = Int64)]
    pub batch_size: Option<u32>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BatchClaimBody {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = crate::server::openapi::params::op_id)]
    pub op_id: Option<String>,
    /// A supervisor may claim for a picker.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worker_id: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Reason {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = crate::server::openapi::params::op_id)]
    pub op_id: Option<String>,
    pub reason: String,
}

/// A put-back location scanned: the task's units from there are back.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PutBackBody {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = crate::server::openapi::params::op_id)]
    pub op_id: Option<String>,
    /// The location as scanned.
    #[schema(min_length = 1, max_length = 64)]
    pub location: String,
    /// Supervisors may act for another worker.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worker_id: Option<i64>,
}

/// A parcel scanned onto the truck.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DispatchBody {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = crate::server::openapi::params::op_id)]
    pub op_id: Option<String>,
    /// The parcel's tracking number, as scanned from its label.
    #[schema(min_length = 1, max_length = 64)]
    pub tracking: String,
}

/// A carrier's truck leaving a warehouse.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ManifestBody {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = crate::server::openapi::params::op_id)]
    pub op_id: Option<String>,
    /// The warehouse's code.
    pub warehouse: String,
    /// The carrier whose manifest closes (`local` for the built-in one).
    #[schema(min_length = 1, max_length = 64)]
    pub carrier: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NewPriority {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = crate::server::openapi::params::op_id)]
    pub op_id: Option<String>,
    /// low, normal, high or urgent.
    #[schema(value_type = crate::domain::order::Priority)]
    pub priority: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Retried {
    pub retried: usize,
}

/// What a device says with every `POST /api/v1/ops` (heartbeats included),
/// ahead of its ops: who it is and its queue, for the board.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DeviceHead {
    /// The device sending; recorded with its queue for the board.
    #[schema(min_length = 1, max_length = 64, pattern = r"[^\s\x85]")]
    pub device_id: String,
    /// Ops queued on the device when it sent this (these included).
    #[serde(default)]
    #[schema(minimum = 0, format = Int64, maximum = 4_294_967_295_u64)]
    pub queued: u32,
    /// When the oldest of them was made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(
        pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})$"
    )]
    pub oldest_queued_at: Option<DateTime<Utc>>,
}
