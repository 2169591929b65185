//! Data migrations SQL cannot do, each run inside its migration's
//! transaction right after that migration's SQL (see `migrate`).

use rusqlite::{Connection, params};

/// The Rust step of migration `name`, if it has one.
pub(super) fn step(name: &str) -> Option<fn(&Connection) -> rusqlite::Result<()>> {
    match name {
        "0029_fulfillment_state" => Some(refold_fulfillments),
        _ => None,
    }
}

fn corrupt(e: serde_json::Error) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
}

/// The fulfillment workflow's state changed shape (its step carries its
/// data): every snapshot is folded again from its history, the truth the
/// snapshot only caches. Events did not change, so any history replays.
fn refold_fulfillments(conn: &Connection) -> rusqlite::Result<()> {
    use crate::domain::workflow::fulfillment::{Event, State, evolve};
    let ids = conn
        .prepare("SELECT id FROM workflows WHERE kind = 'order_fulfillment'")?
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    let mut history = conn.prepare("SELECT payload FROM workflow_events WHERE workflow_id = ?1 ORDER BY seq")?;
    for id in ids {
        let mut state = State::default();
        for payload in history.query_map([&id], |r| r.get::<_, String>(0))? {
            let event: Event = serde_json::from_str(&payload?).map_err(corrupt)?;
            state = evolve(state, &event);
        }
        let json = serde_json::to_string(&state).map_err(corrupt)?;
        conn.execute("UPDATE workflows SET state = ?2 WHERE id = ?1", params![id, json])?;
    }
    Ok(())
}
