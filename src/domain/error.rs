//! The domain error family.
//!
//! Every error has a [`ErrorKind`] (which decides the HTTP status and
//! whether a client should retry), a stable short code such as `E101` and a
//! [`DomainError::short`] text that fits a 20-column handheld screen. The
//! `Display` text is the long form for logs and API bodies.

use super::ids::Qty;

/// What sort of failure this is: it decides the HTTP status (400 / 404 /
/// 409 / 403 / 401 / 503) and whether trying again may succeed
/// ([`ErrorKind::is_retryable`]). Clients branch on this, never on a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
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
    /// The state is fine but something is short for now (stock): the same
    /// request may succeed later.
    Shortage,
    /// The server could not do it now (store busy, a carrier down, a
    /// timeout): send the same request again, same op id.
    Unavailable,
}

impl ErrorKind {
    /// Whether the same request, sent again later, may succeed.
    pub fn is_retryable(self) -> bool {
        match self {
            ErrorKind::Shortage | ErrorKind::Unavailable => true,
            ErrorKind::Validation
            | ErrorKind::NotFound
            | ErrorKind::Conflict
            | ErrorKind::Forbidden
            | ErrorKind::Unauthenticated => false,
        }
    }
}

/// Declares the code registry: one variant per code, with its label (at
/// most 15 characters, so `E101 wrong loc` fits 20 columns) and kind.
macro_rules! codes {
    ($($(#[$doc:meta])* $code:ident $label:literal $kind:ident,)*) => {
        /// Every error code of the product (domain, server, engine, client),
        /// in one place: the uniqueness and 20-column tests iterate [`Code::ALL`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Code {
            $($(#[$doc])* $code,)*
        }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$code,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$code => stringify!($code),)*
                }
            }

            /// At most 15 characters.
            pub fn label(self) -> &'static str {
                match self {
                    $(Code::$code => $label,)*
                }
            }

            pub fn kind(self) -> ErrorKind {
                match self {
                    $(Code::$code => ErrorKind::$kind,)*
                }
            }
        }
    };
}

codes! {
    E001 "bad input" Validation,
    E002 "not found" NotFound,
    E003 "not allowed" Conflict,
    /// A value that must be unique is another's (a barcode, a listing).
    E004 "in use" Conflict,
    E101 "wrong loc" Validation,
    E102 "wrong item" Validation,
    E103 "too many" Validation,
    E104 "items left" Conflict,
    E105 "no worker" Conflict,
    E106 "not your task" Forbidden,
    E107 "wrong tote" Validation,
    E201 "no stock" Shortage,
    E301 "need dims" Conflict,
    E302 "need tracking" Conflict,
    /// The carrier refused for good (an activity's permanent failure).
    E303 "carrier refused" Conflict,
    E401 "retry limit" Conflict,
    E402 "log in first" Unauthenticated,
    /// HTTP: the request itself could not be read (its request line or a
    /// header is malformed, or the headers are too large).
    E400 "bad request" Validation,
    E403 "forbidden" Forbidden,
    E405 "badge locked" Forbidden,
    /// HTTP: the method is not allowed on this path.
    E406 "bad method" Validation,
    /// Too many login attempts from one address or for one badge.
    E407 "slow down" Unavailable,
    /// HTTP: the request took longer than the limit.
    E408 "timed out" Unavailable,
    /// HTTP: the body is larger than the limit.
    E413 "too large" Validation,
    /// HTTP: the body is not JSON.
    E415 "not json" Validation,
    E501 "op reused" Conflict,
    E601 "refused" Conflict,
    /// The engine: an activity ran past its deadline.
    E602 "activity late" Unavailable,
    /// The server: the store (or the server) could not complete it now.
    E900 "try again" Unavailable,
    /// The engine: a transient failure of an activity's IO.
    E901 "try later" Unavailable,
    /// Stored data this build cannot read: permanent, an operator must look.
    E902 "data corrupt" Conflict,
    /// The server failed on this one request (a bug); the rest goes on.
    E903 "server fault" Conflict,
}

impl Code {
    /// `E101 wrong loc`: code and label, at most 20 columns.
    pub fn short(self) -> String {
        format!("{} {}", self.as_str(), self.label())
    }

    /// The code named by `s`, if the product has one.
    pub fn parse(s: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.as_str() == s)
    }
}

/// Every way a domain rule can refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    #[error("invalid {field}: {reason}")]
    Invalid { field: String, reason: String },
    /// `field`'s value belongs to `owner` already: a conflict with stored
    /// data (409), not bad input.
    #[error("{field} is already used by {owner}")]
    InUse { field: String, owner: String },
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

    /// The kind, from the code's registry entry.
    pub fn kind(&self) -> ErrorKind {
        self.registry_code().kind()
    }

    /// The stable code, e.g. `E101`.
    pub fn code(&self) -> &'static str {
        self.registry_code().as_str()
    }

    /// Code and a label of at most 15 characters: `E101 wrong loc` fits a
    /// 20-column screen.
    pub fn short(&self) -> String {
        self.registry_code().short()
    }

    /// The input field this error is about, when there is one.
    pub fn field(&self) -> Option<&str> {
        use DomainError as E;
        match self {
            E::Invalid { field, .. } | E::InUse { field, .. } => Some(field),
            E::WrongLocation { .. } => Some("location"),
            E::WrongItem { .. } => Some("item"),
            E::WrongTote { .. } => Some("tote"),
            E::OverPick { .. } => Some("quantity"),
            _ => None,
        }
    }

    /// This error's entry in the [`Code`] registry.
    pub fn registry_code(&self) -> Code {
        use DomainError as E;
        match self {
            E::Invalid { .. } => Code::E001,
            E::InUse { .. } => Code::E004,
            E::NotFound { .. } => Code::E002,
            E::IllegalTransition { .. } => Code::E003,
            E::WrongLocation { .. } => Code::E101,
            E::WrongItem { .. } => Code::E102,
            E::OverPick { .. } => Code::E103,
            E::WrongTote { .. } => Code::E107,
            E::ItemsIncomplete { .. } => Code::E104,
            E::WorkerRequired { .. } => Code::E105,
            E::NotAssignee { .. } => Code::E106,
            E::InsufficientStock { .. } => Code::E201,
            E::DimensionsMissing { .. } => Code::E301,
            E::TrackingMissing => Code::E302,
            E::RetryLimit { .. } => Code::E401,
            E::OpReused { .. } => Code::E501,
            E::Forbidden { .. } => Code::E403,
            E::Unauthenticated { .. } => Code::E402,
            E::LockedOut { .. } => Code::E405,
            E::WorkflowRefused { .. } => Code::E601,
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
            DomainError::InUse { field: "barcode".into(), owner: "SKU-A".into() },
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

    /// The registry is the whole list: every code is `E` and three digits,
    /// unique, and its short form fits a 20-column screen.
    #[test]
    fn every_code_is_unique_well_formed_and_fits_20_columns() {
        let mut seen = std::collections::HashSet::new();
        for c in Code::ALL {
            let s = c.as_str();
            assert!(s.len() == 4 && s.starts_with('E') && s[1..].bytes().all(|b| b.is_ascii_digit()), "{s}");
            assert!(seen.insert(s), "duplicate code {s}");
            assert!(c.short().chars().count() <= 20, "{}", c.short());
            assert_eq!(Code::parse(s), Some(*c));
        }
        assert_eq!(Code::parse("E999"), None);
    }

    #[test]
    fn domain_errors_take_their_code_from_the_registry() {
        let mut codes = std::collections::HashSet::new();
        for e in all() {
            assert!(e.short().chars().count() <= 20, "{:?} -> {}", e, e.short());
            assert!(codes.insert(e.code()), "two domain errors share {}", e.code());
            assert_eq!(e.kind(), e.registry_code().kind());
        }
    }

    #[test]
    fn only_passing_conditions_are_retryable() {
        let retryable: Vec<&str> = Code::ALL.iter().filter(|c| c.kind().is_retryable()).map(|c| c.as_str()).collect();
        assert_eq!(retryable, ["E201", "E407", "E408", "E602", "E900", "E901"]);
    }

    #[test]
    fn kinds() {
        let check = |e: DomainError, k: ErrorKind| assert_eq!(e.kind(), k, "{e}");
        check(DomainError::invalid("f", "r"), ErrorKind::Validation);
        check(DomainError::not_found("order", 1), ErrorKind::NotFound);
        check(DomainError::TrackingMissing, ErrorKind::Conflict);
        check(
            DomainError::InsufficientStock {
                sku: "S".into(),
                warehouse: "W".into(),
                requested: Qty(2),
                available: Qty(0),
            },
            ErrorKind::Shortage,
        );
        check(DomainError::Forbidden { reason: "r".into() }, ErrorKind::Forbidden);
        assert_eq!(DomainError::invalid("lines[2].sku", "x").field(), Some("lines[2].sku"));
    }
}
