//! Shared test fixture: a real SQLite file in a temp dir, a frozen clock,
//! three warehouses with stock and two workers.
#![allow(dead_code)]

pub mod floor;
pub mod flow;
pub mod process;
pub mod screens;
pub mod server;
pub mod station;
pub mod tmux;

use chrono::{TimeZone, Utc};
use std::sync::Arc;
use tote::app::command::{AddressDto, LineDto, OrderRequest};
use tote::app::{AppError, Command, FixedClock, Outcome, ServiceConfig, Services};
use tote::storage::Store;

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub svc: Services,
    pub clock: Arc<FixedClock>,
    pub picker: i64,
    pub packer: i64,
    next_op: std::cell::Cell<u32>,
}

pub fn t0() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 5, 4, 8, 0, 0).single().expect("valid time")
}

impl Fixture {
    /// Warehouses W1..W3; SKU-A in W1 at A-01 (5, older) and A-02 (10);
    /// SKU-B in W2 at B-01 (4); SKU-C in W3 at C-01 (2).
    pub fn new() -> Fixture {
        Fixture::site(&["W1", "W2", "W3"])
    }

    /// A site that holds only `warehouses` (of W1..W3), with their stock
    /// as [`Fixture::new`] places it and the same two workers.
    pub fn site(warehouses: &[&str]) -> Fixture {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Arc::new(Store::open(&dir.path().join("tote.db")).expect("open store"));
        let clock = Arc::new(FixedClock::new(t0()));
        let svc = Services::new(store, clock.clone(), ServiceConfig::default());
        let (picker, packer) = svc
            .store()
            .write(|tx| {
                for w in warehouses {
                    tx.ensure_warehouse(w, &format!("Warehouse {w}"), t0())?;
                }
                let picker = tx.insert_worker("B-100", "Pia Picker", "picker", t0())?;
                let packer = tx.insert_worker("B-200", "Pat Packer", "packer", t0())?;
                for w in warehouses {
                    tx.bind_worker(picker, w)?;
                    tx.bind_worker(packer, w)?;
                }
                Ok::<_, tote::storage::StorageError>((picker.0, packer.0))
            })
            .expect("seed workers");
        let f = Fixture { dir, svc, clock, picker, packer, next_op: std::cell::Cell::new(0) };
        let stock = [
            ("W1", "A-01", "SKU-A", 5, 1),
            ("W1", "A-02", "SKU-A", 10, 2),
            ("W2", "B-01", "SKU-B", 4, 1),
            ("W3", "C-01", "SKU-C", 2, 1),
        ];
        for (wh, loc, sku, qty, day) in stock {
            if warehouses.contains(&wh) {
                f.place(wh, loc, sku, qty, day);
            }
        }
        f
    }

    pub fn place(&self, wh: &str, loc: &str, sku: &str, qty: u32, day: u32) {
        let received = Utc.with_ymd_and_hms(2026, 4, day, 0, 0, 0).single();
        self.ok(Command::PlaceStock {
            warehouse: wh.into(),
            location: loc.into(),
            sku: sku.into(),
            quantity: qty,
            received_at: received,
            lot: None,
            expiry: None,
        });
    }

    /// A fresh op id for each call.
    pub fn op(&self) -> String {
        let n = self.next_op.get() + 1;
        self.next_op.set(n);
        format!("op-{n}")
    }

    pub fn run(&self, c: Command) -> Result<Outcome, AppError> {
        self.svc.execute(&self.op(), &c)
    }

    pub fn ok(&self, c: Command) -> Outcome {
        let name = c.name();
        self.run(c).unwrap_or_else(|e| panic!("{name} failed: {e}"))
    }

    /// The rejection code of a command expected to fail.
    pub fn code(&self, c: Command) -> String {
        match self.run(c) {
            Err(AppError::Rejected(r)) => r.code,
            other => panic!("expected a rejection, got {other:?}"),
        }
    }

    pub fn count(&self, table: &str) -> i64 {
        self.svc.store().read(|tx| tx.count(table)).expect("count")
    }

    /// `(on hand, reserved, in transit, outstanding reservations)`.
    pub fn stock(&self) -> (i64, i64, i64, i64) {
        self.svc
            .store()
            .read(|tx| {
                let t = tx.stock_totals(None)?;
                Ok::<_, tote::storage::StorageError>((
                    t.on_hand,
                    t.reserved,
                    tx.units_in_transit()?,
                    tx.outstanding_reserved()?,
                ))
            })
            .expect("stock")
    }

    /// The net of the recorded stock adjustments (counts on short).
    pub fn adjusted(&self) -> i64 {
        self.svc.store().read(|tx| tx.adjusted_total()).expect("adjustments")
    }

    /// Picked units of cancelled work waiting in totes to be put back.
    pub fn awaiting_put_back(&self) -> i64 {
        self.svc.store().read(|tx| tx.put_back_pending()).expect("put-back")
    }

    /// Puts back every pending put-back task at its locations, as a worker
    /// scanning each shelf would; returns the units put back.
    pub fn put_everything_back(&self) -> u32 {
        let open = self
            .svc
            .store()
            .read(|tx| tx.open_put_backs(1000, &tote::storage::board::Scope::all()))
            .expect("put-backs");
        let mut units = 0;
        for id in open {
            let task = self.svc.store().read(|tx| tx.put_back_task(id)).expect("read").expect("task");
            let mut places: Vec<String> = task.lines.iter().map(|l| l.location.clone()).collect();
            places.dedup();
            for location in places {
                if let Outcome::PutBack { put, .. } =
                    self.ok(Command::PutBack { task_id: id, worker_id: Some(self.picker), location })
                {
                    units += put;
                }
            }
        }
        units
    }

    /// Damaged units in quarantine.
    pub fn quarantined(&self) -> i64 {
        self.svc.store().read(|tx| tx.quarantined_total()).expect("quarantine")
    }

    /// Checks that stock is conserved against `initial` on-hand units (and
    /// the recorded adjustments) and that slot reservations agree with the
    /// reservation rows.
    pub fn assert_conserved(&self, initial: i64) {
        let (on_hand, reserved, transit, outstanding) = self.stock();
        let (adjusted, quarantined, waiting) = (self.adjusted(), self.quarantined(), self.awaiting_put_back());
        assert_eq!(
            on_hand + quarantined + transit + waiting,
            initial + adjusted,
            "on hand {on_hand} + quarantined {quarantined} + in transit {transit} + to put back {waiting} != {initial} received {adjusted:+} adjusted"
        );
        assert_eq!(reserved, outstanding, "slot reservations disagree with reservation rows");
        assert!(reserved <= on_hand);
        // The database's own ledger (what `tote check` reads) agrees.
        let ledger = self.svc.store().read(|tx| tx.stock_ledger()).expect("ledger");
        assert_eq!(ledger.imbalance(), 0, "{ledger:?}");
        assert_eq!(ledger.received + ledger.adjusted, initial + adjusted, "{ledger:?}");
    }

    pub fn event_types(&self) -> Vec<String> {
        self.svc
            .store()
            .read(|tx| tx.events_after(0, 10_000))
            .expect("events")
            .into_iter()
            .map(|e| e.event_type)
            .collect()
    }
}

/// A warehouse's ship-from address (W1's dock in Novi Sad).
pub fn ship_from() -> AddressDto {
    AddressDto {
        contact_name: "Tote W1 dock".into(),
        street: "Kvai 7".into(),
        city: "Novi Sad".into(),
        postal_code: "21000".into(),
        country: "RS".into(),
        phone: String::new(),
    }
}

pub fn address() -> AddressDto {
    AddressDto {
        contact_name: "Ana Anić".into(),
        street: "Knez Mihailova 1".into(),
        city: "Beograd".into(),
        postal_code: "11000".into(),
        country: "RS".into(),
        phone: String::new(),
    }
}

pub fn order(request_id: &str, lines: &[(&str, i64, &str)]) -> Command {
    Command::SubmitOrder(OrderRequest {
        request_id: request_id.into(),
        external_ref: None,
        priority: "normal".into(),
        ship_to: address(),
        lines: lines
            .iter()
            .map(|(sku, q, w)| LineDto { sku: (*sku).into(), quantity: *q, warehouse: Some((*w).into()) })
            .collect(),
        short_policy: None,
    })
}

/// `(order id, [(warehouse, picking task id)])` of an accepted order.
pub fn accepted(o: &Outcome) -> (i64, Vec<(String, i64)>) {
    match o {
        Outcome::Order { order_id, fulfillments, .. } => (
            *order_id,
            fulfillments.iter().map(|f| (f.warehouse.clone(), f.picking_task_id.unwrap_or_default())).collect(),
        ),
        other => panic!("not an order outcome: {other:?}"),
    }
}

/// A wave of W1's pending picking work: any priority, no zone, no cut-off.
pub fn wave_of(max_tasks: u32, batch_size: u32) -> Command {
    Command::ReleaseWave { warehouse: "W1".into(), priorities: vec![], zone: None, cutoff: None, max_tasks, batch_size }
}
