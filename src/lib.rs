//! Tote: a terminal-first warehouse floor application.
//!
//! # Layout
//! - [`domain`]: pure rules (state machines, allocation, validation); no IO.
//! - [`storage`]: the SQLite store; the only module that knows SQL.
//! - [`app`]: application services; one command = one write transaction
//!   with its outbox events and its idempotency record.
//! - [`cli`]: the `tote` command line (clap definitions and handlers).

pub mod app;
pub mod domain;
pub mod storage;
