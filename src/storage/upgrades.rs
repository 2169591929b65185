//! Data migrations SQL cannot do, each run inside its migration's
//! transaction right after that migration's SQL (see `migrate`).

use rusqlite::{Connection, params};

/// The Rust step of migration `name`, if it has one.
pub(super) fn step(name: &str) -> Option<fn(&Connection) -> rusqlite::Result<()>> {
    match name {
        "0029_workflow_state" => Some(refold_workflows),
        _ => None,
    }
}

fn corrupt(e: serde_json::Error) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
}

/// The workflows' states changed shape (each step carries its data, ADR
/// 0046): every snapshot is folded again from its history, the truth the
/// snapshot only caches. Events did not change, so any history replays.
fn refold_workflows(conn: &Connection) -> rusqlite::Result<()> {
    use crate::domain::workflow::definition::{Fulfillment, Intake};
    refold::<Fulfillment>(conn, "order_fulfillment")?;
    refold::<Intake>(conn, "order_intake")
}

fn refold<W: crate::domain::workflow::definition::Workflow>(conn: &Connection, kind: &str) -> rusqlite::Result<()> {
    let ids = conn
        .prepare("SELECT id FROM workflows WHERE kind = ?1")?
        .query_map([kind], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    let mut history = conn.prepare("SELECT payload FROM workflow_events WHERE workflow_id = ?1 ORDER BY seq")?;
    for id in ids {
        let mut state = W::State::default();
        for payload in history.query_map([&id], |r| r.get::<_, String>(0))? {
            let event: W::Event = serde_json::from_str(&payload?).map_err(corrupt)?;
            state = W::evolve(state, &event);
        }
        let json = serde_json::to_string(&state).map_err(corrupt)?;
        conn.execute("UPDATE workflows SET state = ?2 WHERE id = ?1", params![id, json])?;
    }
    Ok(())
}
