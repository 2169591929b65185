//! Parameters many operations share: the `Idempotency-Key` header and the
//! numeric ids in paths, with the limits the server enforces
//! ([`crate::server::extract`]).

use utoipa::IntoParams;
use utoipa::openapi::schema::{Object, ObjectBuilder, SchemaType, Type};

/// Text that is not blank and has no control characters (what the server
/// checks with `trim().is_empty()` and `char::is_control`).
pub const TEXT_PATTERN: &str = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$";

fn text(nullable: bool, max: usize, description: &str) -> Object {
    let ty = if nullable { SchemaType::from_iter([Type::String, Type::Null]) } else { SchemaType::new(Type::String) };
    ObjectBuilder::new()
        .schema_type(ty)
        .min_length(Some(1))
        .max_length(Some(max))
        .pattern(Some(TEXT_PATTERN))
        .description(Some(description))
        .build()
}

/// A body's `op_id`: 1 to 128 characters, not blank, no control characters
/// ([`crate::app::MAX_OP_ID_LEN`]).
pub fn op_id() -> Object {
    text(
        true,
        crate::app::MAX_OP_ID_LEN,
        "The call's op id (a UUIDv7 from the client). Required unless the `Idempotency-Key` header carries it; \
         when both are sent they must be equal. A repeat returns the stored answer; an op id already used for a \
         different request is refused (409, E501).",
    )
}

/// An op of `POST /api/v1/ops`: its op id, required.
pub fn envelope_op_id() -> Object {
    text(false, crate::app::MAX_OP_ID_LEN, "The op's id; sending it again returns the stored result.")
}

/// A SKU: 1 to 64 characters once trimmed ([`crate::domain::ids::Sku`]).
pub fn sku() -> Object {
    text(false, crate::domain::ids::Sku::MAX_LEN, "A SKU (stock keeping unit) code.")
}

/// The op id of a mutating call, as a header.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IdempotencyKey {
    /// The call's op id, instead of the body's `op_id`: one of the two is
    /// required, and when both are sent they must be equal (else 400).
    /// Sending the same op id again returns the stored answer; an op id
    /// already used for a different request is refused (409, E501).
    #[param(
        rename = "Idempotency-Key",
        nullable = false,
        min_length = 1,
        max_length = 128,
        pattern = r"^[\x20-\x7E]*[\x21-\x7E][\x20-\x7E]*$"
    )]
    pub idempotency_key: Option<String>,
}

/// `{id}`: a positive integer id.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct Id {
    /// The resource's id; ids start at 1 (anything else is a 400).
    #[param(minimum = 1)]
    pub id: i64,
}

/// `{id}` and `{item_id}`: a task and one of its items.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct TaskItem {
    /// The picking task's id.
    #[param(minimum = 1)]
    pub id: i64,
    /// The item's id (an item of that task, else 404).
    #[param(minimum = 1)]
    pub item_id: i64,
}

/// A location code: 1 to 32 characters once trimmed, no control characters.
pub fn location() -> Object {
    text(false, 32, "A location code, e.g. `A-01-01`.")
}

/// The body of `POST /api/v1/orders`: the order, plus an optional `op_id`.
#[derive(Debug, utoipa::ToSchema)]
pub struct OrderIntake {
    /// Optional here: without it (and without an Idempotency-Key header)
    /// the op id is `order-intake-{request_id}`, so a resubmission is a
    /// replay. When both are sent they must be equal.
    #[serde(default)]
    #[schema(schema_with = op_id)]
    pub op_id: Option<String>,
    #[serde(flatten)]
    pub order: crate::app::command::OrderRequest,
}

/// A task status filter: any status of a picking or a packing task (one of
/// the other queue's matches nothing).
#[derive(Debug, utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum TaskStatusName {
    Pending,
    Assigned,
    InProgress,
    Completed,
    Packed,
    Shipped,
    Cancelled,
}
