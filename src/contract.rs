//! The wire contract: the typed payloads that cross a process boundary and
//! are read by someone else's code. Event payloads (outbox, webhooks, the
//! event stream) live here, versioned; request and response bodies live with
//! their commands and views (`app::command`, `app::views`), shared by the
//! server's handlers and the clients.

pub mod events;
pub mod requests;
pub mod scan;
