use super::*;

#[test]
fn migrates_a_new_file_once_and_refuses_a_newer_schema() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let store = Store::open(&path).unwrap();
    assert_eq!(store.read(|tx| tx.count("orders")).unwrap(), 0);
    drop(store);
    // Reopening runs no migration twice.
    let store = Store::open(&path).unwrap();
    let mode: String = lock(&store.writer).query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
    lock(&store.writer).execute_batch("PRAGMA user_version = 99").unwrap();
    drop(store);
    assert!(matches!(Store::open(&path), Err(StorageError::TooNew { found: 99, .. })));
}

#[test]
fn write_rolls_back_on_error_and_savepoint_keeps_neighbours() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("t.db")).unwrap();
    let now = chrono::DateTime::from_timestamp_millis(1_700_000_000_000).unwrap();
    let r: Result<(), StorageError> = store.write(|tx| {
        tx.ensure_warehouse("W1", "one", now)?;
        Err(StorageError::Corrupt("boom".into()))
    });
    assert!(r.is_err());
    assert_eq!(store.read(|tx| tx.count("warehouses")).unwrap(), 0);

    store
        .write(|tx| {
            tx.ensure_warehouse("W1", "one", now)?;
            let failed: Result<(), StorageError> = tx.savepoint(|tx| {
                tx.ensure_warehouse("W2", "two", now)?;
                Err(StorageError::Corrupt("inner".into()))
            });
            assert!(failed.is_err());
            tx.ensure_warehouse("W3", "three", now).map(drop)
        })
        .unwrap();
    let codes: Vec<String> = store.read(|tx| tx.warehouses()).unwrap().into_iter().map(|w| w.code).collect();
    assert_eq!(codes, vec!["W1", "W3"]);
}

#[test]
fn schema_refuses_negative_stock() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("t.db")).unwrap();
    let now = chrono::DateTime::from_timestamp_millis(1_700_000_000_000).unwrap();
    let sku = crate::domain::ids::Sku::parse("S", "sku").unwrap();
    let r = store.write(|tx| {
        let w = tx.ensure_warehouse("W1", "one", now)?;
        let l = tx.ensure_location(w, "A-01", None, None)?;
        tx.ensure_product(&sku, "", None)?;
        let slot = tx.add_stock(
            &stock::NewSlot {
                warehouse: w,
                location: l,
                sku: &sku,
                quantity: crate::domain::ids::Qty(2),
                received_at: now,
                lot: None,
                expiry: None,
            },
            now,
        )?;
        tx.adjust_slot(slot, 0, 3, now)
    });
    assert!(r.is_err(), "reserved above on hand must be refused");
}

#[test]
fn a_panic_inside_a_write_commits_nothing_and_the_store_keeps_working() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("t.db")).unwrap();
    let now = chrono::DateTime::from_timestamp_millis(1_700_000_000_000).unwrap();
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _: Result<(), StorageError> = store.write(|tx| {
            tx.ensure_warehouse("W1", "one", now)?;
            panic!("handler bug");
        });
    }));
    assert!(panicked.is_err());
    store.write(|tx| tx.ensure_warehouse("W2", "two", now).map(drop)).unwrap();
    let codes: Vec<String> = store.read(|tx| tx.warehouses()).unwrap().into_iter().map(|w| w.code).collect();
    assert_eq!(codes, vec!["W2"]);
}

#[test]
fn the_repack_migration_keeps_packing_tasks_and_their_packages() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v8.db");
    // A file as the build before 0009 left it: one packed task with a package.
    let conn = connect(&path, Durability::default()).unwrap();
    for (_, sql) in &MIGRATIONS[..8] {
        conn.execute_batch(sql).unwrap();
    }
    conn.execute_batch(
        "PRAGMA user_version = 8;
         INSERT INTO warehouses (id, code, name, created_at) VALUES (1, 'W1', 'One', 0);
         INSERT INTO workers (id, badge, name, role, created_at) VALUES (3, 'B-1', 'Old Hand', 'picker', 0);
         INSERT INTO orders (id, request_id, status, priority, ship_to, created_at, updated_at)
             VALUES (1, 'r1', 'packed', 1, '{}', 0, 0);
         INSERT INTO fulfillments (id, order_id, warehouse_id, status, max_attempts, created_at, updated_at)
             VALUES (1, 1, 1, 'packed', 3, 0, 0);
         INSERT INTO picking_tasks (id, order_id, fulfillment_id, warehouse_id, status, priority, created_at, updated_at)
             VALUES (1, 1, 1, 1, 'completed', 1, 0, 0);
         INSERT INTO packing_tasks (id, order_id, fulfillment_id, picking_task_id, warehouse_id, status, priority,
             created_at, updated_at) VALUES (7, 1, 1, 1, 1, 'packed', 1, 0, 0);
         INSERT INTO packages (packing_task_id, sequence_number, packaging_type, weight_g, created_at, updated_at)
             VALUES (7, 1, 'box', 500, 0, 0);",
    )
    .unwrap();
    drop(conn);
    let store = Store::open(&path).unwrap();
    let c = lock(&store.writer);
    let kept: (i64, i64) = c
        .query_row(
            "SELECT t.id, p.weight_g FROM packing_tasks t JOIN packages p ON p.packing_task_id = t.id",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(kept, (7, 500));
    drop(c);
    // A worker from before warehouse scope keeps the reach it had (0010).
    let reach = store.read(|tx| tx.worker_warehouses(crate::domain::ids::WorkerId(3))).unwrap();
    assert_eq!(reach, ["W1"]);
    let c = lock(&store.writer);
    let broken: i64 = c.query_row("SELECT COUNT(*) FROM pragma_foreign_key_check", [], |r| r.get(0)).unwrap();
    assert_eq!(broken, 0);
    // A second task for the same pick may follow a cancelled one; two open ones may not.
    let insert = "INSERT INTO packing_tasks (order_id, fulfillment_id, picking_task_id, warehouse_id, status, priority,
                      created_at, updated_at) VALUES (1, 1, 1, 1, 'pending', 1, 0, 0)";
    c.execute_batch(insert).unwrap();
    assert!(c.execute_batch(insert).is_err(), "one open packing task per pick");
}

/// A workflow row as a build before 0029 left it: `state`, the old-shape
/// snapshot, and its history, `events`.
fn old_workflow<E: serde::Serialize>(conn: &Connection, id: &str, kind: &str, state: &str, events: &[E]) {
    conn.execute(
        "INSERT INTO workflows (id, kind, status, step, priority, input, state, version, created_at, updated_at)
         VALUES (?1, ?2, 'running', 'old', 1, '{}', ?3, ?4, 0, 0)",
        rusqlite::params![id, kind, state, events.len() as i64],
    )
    .unwrap();
    for (seq, e) in events.iter().enumerate() {
        conn.execute(
            "INSERT INTO workflow_events (workflow_id, seq, event_type, payload, created_at) VALUES (?1, ?2, 'e', ?3, 0)",
            rusqlite::params![id, seq as i64 + 1, serde_json::to_string(e).unwrap()],
        )
        .unwrap();
    }
}

/// 0029: snapshots of the old shape (flags and ids beside a bare step) are
/// folded again from their histories into the new one, for both kinds.
#[test]
fn the_workflow_state_migration_folds_each_snapshot_from_its_history() {
    use crate::domain::workflow::fulfillment::{Event, State, Step};
    use crate::domain::workflow::{Activity, ActivityResult, FulfillmentStart, Settings, WorkflowStatus, intake};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v28.db");
    let conn = connect(&path, Durability::default()).unwrap();
    for (_, sql) in &MIGRATIONS[..28] {
        conn.execute_batch(sql).unwrap();
    }
    conn.execute_batch("PRAGMA user_version = 28").unwrap();
    let start = FulfillmentStart { fulfillment_id: 3, order_id: 2, settings: Settings::default() };
    let history = [
        Event::Started(start),
        Event::Scheduled { activity: Activity::CreatePickWork, attempt: 1 },
        Event::Completed { activity: Activity::CreatePickWork, result: ActivityResult::PickWork { task_id: 40 } },
        Event::PickFailed { task_id: 40, reason: "short".into() },
    ];
    let old = r#"{"start":null,"status":"running","step":"await_pick","running":null,"stuck":null,"pick_task":40,
        "pick_failed":"short","packed":false,"pack_task":null,"pack_failed":null,"shipment_pending":false,
        "carrier":null,"tracking":[],"labelled":false,"dispatched":[],"released":false,"voided":false,
        "ending":null,"reason":null,"ship_to":null,"short_of_stock":null}"#;
    old_workflow(&conn, "order-fulfillment-3", "order_fulfillment", old, &history);
    let made = [
        intake::Event::Completed { activity: Activity::ValidateOrder, result: ActivityResult::Done },
        intake::Event::Completed {
            activity: Activity::CreateOrder,
            result: ActivityResult::OrderCreated { order_id: 2, fulfillments: vec![3] },
        },
        intake::Event::Finished { status: WorkflowStatus::Completed, reason: None },
    ];
    let old = r#"{"start":null,"status":"completed","step":"CREATED","running":null,"order_id":2,"fulfillments":[3],
        "reason":null}"#;
    old_workflow(&conn, "order-intake-r", "order_intake", old, &made);
    drop(conn);

    let store = Store::open(&path).unwrap();
    let row = store.read(|tx| tx.workflow("order-intake-r")).unwrap().unwrap();
    let intake: intake::State = serde_json::from_str(&row.state).unwrap();
    assert_eq!(intake.step, intake::Step::Created { order_id: 2, fulfillments: vec![3] });
    let row = store.read(|tx| tx.workflow("order-fulfillment-3")).unwrap().unwrap();
    let state: State = serde_json::from_str(&row.state).unwrap();
    assert_eq!(state, history.iter().fold(State::default(), crate::domain::workflow::fulfillment::evolve));
    assert_eq!(state.step, Step::AwaitPick { task: 40, failed: Some("short".into()) });
}

/// A pick inserts into these tables. An index keyed by task, item or
/// worker would put each pick's entry in a page of its own, one more page
/// per pick for the group commit to write and fsync (ADR 0048): every
/// index on them must start with a column whose new values come last.
#[test]
fn the_tables_a_pick_inserts_into_have_only_append_ordered_indexes() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("t.db")).unwrap();
    let conn = lock(&store.writer);
    let mut st = conn
        .prepare(
            "SELECT m.tbl_name, m.name, (SELECT name FROM pragma_index_info(m.name) WHERE seqno = 0)
             FROM sqlite_master m
             WHERE m.type = 'index' AND m.tbl_name IN ('pick_scans', 'applied_ops', 'outbox_events')
             ORDER BY m.tbl_name, m.name",
        )
        .unwrap();
    let indexes: Vec<(String, String, String)> =
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().collect::<Result<_, _>>().unwrap();
    // op_id: UUIDv7, time first; status: pending rows, then by id.
    let ordered = ["scanned_at", "created_at", "id", "op_id", "status"];
    let keyed_elsewhere: Vec<_> = indexes.iter().filter(|(_, _, first)| !ordered.contains(&first.as_str())).collect();
    assert!(keyed_elsewhere.is_empty(), "indexes whose entries land mid-tree on every pick: {keyed_elsewhere:?}");
    assert!(indexes.iter().any(|(t, _, c)| t == "pick_scans" && c == "scanned_at"), "{indexes:?}");
}
