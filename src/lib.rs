//! Tote: a terminal-first warehouse floor application.
//!
//! # Layout
//! - [`domain`]: pure rules (state machines, allocation, validation); no IO.
//! - [`storage`]: the SQLite store; the only module that knows SQL.
//! - [`app`]: application services; one command = one write transaction
//!   with its outbox events and its idempotency record.
//! - [`labels`]: ZPL templates and the pure generator that fills them.
//! - [`printing`]: printer transports by URI, `~HS` status, the print spooler.
//! - [`shipping`]: carriers (`local`, `delivery-service` over HTTP), tracking
//!   numbers, the circuit breaker.
//! - [`gs1`]: GS1 check digits, SSCC, element-string parsing.
//! - [`keymap`]: the floor TUI's keymap as data (defaults in assets/keymap.toml).
//! - [`scanner`]: key presses back into scans (terminators, GS, prefix, AIM
//!   ids, GS1), for the floor TUI.
//! - [`relay`]: the outbox relay's pure rules: webhook body, HMAC
//!   signature, retry schedule.
//! - [`server`]: `tote serve`, the HTTP/JSON API (axum), group commit,
//!   auth, health, metrics, OpenAPI.
//! - [`sync`]: offline sync, pure: what a device sends next, how answers
//!   settle its queue, backoff, and ops applied to its own copy of a task.
//! - [`tui`]: the floor TUIs (`tote pick`, `tote pack`): pure models and
//!   layouts, the HTTP client and the terminal loop at the edge.
//! - `temporal` (feature `temporal`): the same deciders on a Temporal
//!   cluster: the generic workflow, the site's activities, the client.
//! - `cli` (in the binary): the `tote` command line.

pub mod app;
pub mod contract;
pub mod domain;
pub mod gs1;
pub mod integrations;
pub mod keymap;
pub mod labels;
pub mod printing;
pub mod relay;
pub mod scanner;
pub mod server;
pub mod shipping;
pub mod storage;
pub mod sync;
#[cfg(feature = "temporal")]
pub mod temporal;
pub mod tls;
pub mod tui;
