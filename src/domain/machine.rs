//! The one way state machines are written here: an explicit table of
//! `(from, action, to)` rows, looked up by [`step`]. A pair that is not in the
//! table is illegal and becomes a typed `IllegalTransition` conflict; there is
//! no catch-all arm that could let a new state slip through unnoticed.

use super::error::DomainError;

/// A status that can name itself in errors and storage.
pub trait Status: Copy + Eq + 'static {
    /// The entity's name in error messages: `picking task`.
    const ENTITY: &'static str;
    fn as_str(self) -> &'static str;
}

/// An action on a state machine.
pub trait Action: Copy + Eq + 'static {
    fn as_str(self) -> &'static str;
}

/// Looks `(from, action)` up in `table`.
pub fn step<S: Status, A: Action>(table: &[(S, A, S)], from: S, action: A) -> super::Result<S> {
    table
        .iter()
        .find(|(f, a, _)| *f == from && *a == action)
        .map(|(_, _, to)| *to)
        .ok_or(DomainError::IllegalTransition { entity: S::ENTITY, from: from.as_str(), action: action.as_str() })
}

/// Parses a stored status name back, for storage adapters.
pub fn parse_status<S: Status>(all: &[S], s: &str) -> Option<S> {
    all.iter().copied().find(|x| x.as_str() == s)
}
