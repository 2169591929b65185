//! The domain error family.
//!
//! Every error has a [`ErrorKind`] (which decides the HTTP status and
//! whether a client should retry), a stable short code such as `E101` and a
//! [`DomainError::short`] text that fits a 20-column handheld screen. The
//! `Display` text is the long form for logs and API bodies.

use super::ids::Qty;

/// What sort of failure this is; maps to 400 / 404 / 409 / 403 / 401.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The input is malformed or does not match what was expected.
    Validation,
    /// The thing named does not exist.
    NotFound,
    /// The input is fine but the current state forbids it (illegal transition, no stock).
    Conflict,
    /// The caller may not do this.
    Forbidden,
    /// The caller did not say who it is, or the credentials are wrong.
    Unauthenticated,
}

/// Every way a domain rule can refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    #[error("invalid {field}: {reason}")]
    Invalid { field: String, reason: String },
    #[error("{entity} {id} not found")]
    NotFound { entity: &'static str, id: String },
    #[error("cannot {action} {entity} in status {from}")]
    IllegalTransition { entity: &'static str, from: &'static str, action: &'static str },
    #[error("wrong location: scanned {scanned:?}, expected {expected}")]
    WrongLocation { expected: String, scanned: String },
    #[error("wrong item: scanned {scanned:?}, expected {expected}")]
    WrongItem { expected: String, scanned: String },
    #[error("wrong tote: scanned {scanned:?}, expected {expected}")]
    WrongTote { expected: String, scanned: String },
    #[error("over-pick: {requested} requested but only {remaining} remaining")]
    OverPick { requested: Qty, remaining: Qty },
    #[error("{pending} item(s) still pending")]
    ItemsIncomplete { pending: usize },
    #[error("a worker is required to {action}")]
    WorkerRequired { action: &'static str },
    #[error("task is assigned to worker {assigned}, not {worker}")]
    NotAssignee { assigned: String, worker: String },
    #[error("insufficient stock of {sku} in warehouse {warehouse}: need {requested}, available {available}")]
    InsufficientStock { sku: String, warehouse: String, requested: Qty, available: Qty },
    #[error("package {sequence} has no dimensions or weight")]
    DimensionsMissing { sequence: u32 },
    #[error("a tracking number is required to ship")]
    TrackingMissing,
    #[error("retry limit reached: {attempts} of {max} attempts used")]
    RetryLimit { attempts: u32, max: u32 },
    #[error("op_id {op_id} was already used for a different request")]
    OpReused { op_id: String },
    #[error("forbidden: {reason}")]
    Forbidden { reason: String },
    #[error("not authenticated: {reason}")]
    Unauthenticated { reason: String },
    #[error("badge locked after repeated wrong PINs until {until}")]
    LockedOut { until: String },
    /// A workflow refused a signal in its current step (e.g. an address
    /// change once a label exists); the reason says why and what to do.
    #[error("refused: {reason}")]
    WorkflowRefused { reason: String },
}

impl DomainError {
    /// Shorthand for a validation error naming `field`.
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        DomainError::Invalid { field: field.into(), reason: reason.into() }
    }

    /// Shorthand for a missing entity.
    pub fn not_found(entity: &'static str, id: impl ToString) -> Self {
        DomainError::NotFound { entity, id: id.to_string() }
    }

    pub fn kind(&self) -> ErrorKind {
        use DomainError as E;
        match self {
            E::Invalid { .. }
            | E::WrongLocation { .. }
            | E::WrongItem { .. }
            | E::WrongTote { .. }
            | E::OverPick { .. } => ErrorKind::Validation,
            E::NotFound { .. } => ErrorKind::NotFound,
            E::IllegalTransition { .. }
            | E::ItemsIncomplete { .. }
            | E::WorkerRequired { .. }
            | E::InsufficientStock { .. }
            | E::DimensionsMissing { .. }
            | E::TrackingMissing
            | E::RetryLimit { .. }
            | E::OpReused { .. }
            | E::WorkflowRefused { .. } => ErrorKind::Conflict,
            E::NotAssignee { .. } | E::Forbidden { .. } | E::LockedOut { .. } => ErrorKind::Forbidden,
            E::Unauthenticated { .. } => ErrorKind::Unauthenticated,
        }
    }

    /// The stable code, e.g. `E101`.
    pub fn code(&self) -> &'static str {
        self.code_and_label().0
    }

    /// Code and a label of at most 15 characters: `E101 wrong loc` fits a
    /// 20-column screen.
    pub fn short(&self) -> String {
        let (code, label) = self.code_and_label();
        format!("{code} {label}")
    }

    /// The input field this error is about, when there is one.
    pub fn field(&self) -> Option<&str> {
        use DomainError as E;
        match self {
            E::Invalid { field, .. } => Some(field),
            E::WrongLocation { .. } => Some("location"),
            E::WrongItem { .. } => Some("item"),
            E::WrongTote { .. } => Some("tote"),
            E::OverPick { .. } => Some("quantity"),
            _ => None,
        }
    }

    fn code_and_label(&self) -> (&'static str, &'static str) {
        use DomainError as E;
        match self {
            E::Invalid { .. } => ("E001", "bad input"),
            E::NotFound { .. } => ("E002", "not found"),
            E::IllegalTransition { .. } => ("E003", "not allowed"),
            E::WrongLocation { .. } => ("E101", "wrong loc"),
            E::WrongItem { .. } => ("E102", "wrong item"),
            E::OverPick { .. } => ("E103", "too many"),
            E::WrongTote { .. } => ("E107", "wrong tote"),
            E::ItemsIncomplete { .. } => ("E104", "items left"),
            E::WorkerRequired { .. } => ("E105", "no worker"),
            E::NotAssignee { .. } => ("E106", "not your task"),
            E::InsufficientStock { .. } => ("E201", "no stock"),
            E::DimensionsMissing { .. } => ("E301", "need dims"),
            E::TrackingMissing => ("E302", "need tracking"),
            E::RetryLimit { .. } => ("E401", "retry limit"),
            E::OpReused { .. } => ("E501", "op reused"),
            E::Forbidden { .. } => ("E403", "forbidden"),
            E::Unauthenticated { .. } => ("E402", "log in first"),
            E::LockedOut { .. } => ("E405", "badge locked"),
            E::WorkflowRefused { .. } => ("E601", "refused"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all() -> Vec<DomainError> {
        vec![
            DomainError::invalid("lines[0].quantity", "must be positive"),
            DomainError::not_found("order", 7),
            DomainError::IllegalTransition { entity: "picking task", from: "completed", action: "cancel" },
            DomainError::WrongLocation { expected: "A-01-01".into(), scanned: "B".into() },
            DomainError::WrongItem { expected: "SKU1".into(), scanned: "X".into() },
            DomainError::OverPick { requested: Qty(3), remaining: Qty(1) },
            DomainError::WrongTote { expected: "TOTE-1".into(), scanned: "TOTE-2".into() },
            DomainError::ItemsIncomplete { pending: 2 },
            DomainError::WorkerRequired { action: "start" },
            DomainError::NotAssignee { assigned: "1".into(), worker: "2".into() },
            DomainError::InsufficientStock {
                sku: "S".into(),
                warehouse: "W".into(),
                requested: Qty(5),
                available: Qty(1),
            },
            DomainError::DimensionsMissing { sequence: 1 },
            DomainError::TrackingMissing,
            DomainError::RetryLimit { attempts: 3, max: 3 },
            DomainError::OpReused { op_id: "x".into() },
            DomainError::Forbidden { reason: "role".into() },
            DomainError::Unauthenticated { reason: "no token".into() },
            DomainError::LockedOut { until: "later".into() },
            DomainError::WorkflowRefused { reason: "label exists".into() },
        ]
    }

    #[test]
    fn short_form_fits_a_20_column_screen_and_codes_are_unique() {
        let mut codes = std::collections::HashSet::new();
        for e in all() {
            assert!(e.short().chars().count() <= 20, "{:?} -> {}", e, e.short());
            assert!(codes.insert(e.code()), "duplicate code {}", e.code());
        }
    }

    #[test]
    fn kinds() {
        let check = |e: DomainError, k: ErrorKind| assert_eq!(e.kind(), k, "{e}");
        check(DomainError::invalid("f", "r"), ErrorKind::Validation);
        check(DomainError::not_found("order", 1), ErrorKind::NotFound);
        check(DomainError::TrackingMissing, ErrorKind::Conflict);
        check(DomainError::Forbidden { reason: "r".into() }, ErrorKind::Forbidden);
        assert_eq!(DomainError::invalid("lines[2].sku", "x").field(), Some("lines[2].sku"));
    }
}
