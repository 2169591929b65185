//! Property: whatever sequence of intake (under either short policy, so
//! orders and short picks wait as backorders), receipt, pick, short, skip,
//! complete, pack and ship to the dock and onto the truck, cancel, hold and
//! expiry runs against the real store, stock is conserved
//! (on shelves + quarantined + picked in transit + waiting to be put back =
//! received + the adjustments recorded by counts on short, removals and disposals)
//! and slot reservations always
//! equal the outstanding reservation rows. Rejections are fine; storage
//! failures are not.

mod common;
use common::flow::{due, package, shipment};
use common::{Fixture, order};
use proptest::prelude::*;
use tote::app::floor_op::PickScans;
use tote::app::{AppError, Command, Outcome};
use tote::domain::ids::PickingTaskId;
use tote::domain::workflow::ShortPolicy;

const INITIAL: i64 = 5 + 10 + 4 + 2;
const SKUS: [(&str, &str); 3] = [("SKU-A", "W1"), ("SKU-B", "W2"), ("SKU-C", "W3")];

#[derive(Debug, Clone)]
enum Op {
    /// An order's lines; `true`: under the backorder policy.
    Submit(Vec<(usize, i64)>, bool),
    /// Units of a SKU received at a new location (wakes backorders).
    Receive(usize, u32),
    Start(usize),
    Pick(usize, usize, u32),
    /// `damaged` or a stock-out.
    Short(usize, usize, u32, bool),
    /// Units of a SKU written off a shelf (a removal with a reason).
    Remove(usize, u32),
    /// A supervisor restocks (or disposes of) one quarantined unit of a SKU.
    Resolve(usize, bool),
    /// A worker puts back the oldest put-back task at one of its locations.
    PutBack(usize),
    Skip(usize, usize),
    Complete(usize),
    Cancel(usize),
    Hold(usize, u32),
    Expire,
    /// The packing task of a completed pick is packed, the carrier answers
    /// (the test plays it) and every parcel at the dock is loaded.
    Ship(usize),
}

fn arb_op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => (prop::collection::vec((0usize..3, 1i64..6), 1..3), any::<bool>()).prop_map(|(l, b)| Op::Submit(l, b)),
        1 => (0usize..3, 1u32..6).prop_map(|(s, q)| Op::Receive(s, q)),
        3 => (0usize..4).prop_map(Op::Start),
        6 => (0usize..4, 0usize..3, 1u32..3).prop_map(|(t, i, q)| Op::Pick(t, i, q)),
        1 => (0usize..8, 0usize..3, 0u32..3, any::<bool>()).prop_map(|(t, i, q, d)| Op::Short(t, i, q, d)),
        1 => (0usize..3, any::<bool>()).prop_map(|(s, r)| Op::Resolve(s, r)),
        1 => (0usize..3, 1u32..3).prop_map(|(s, q)| Op::Remove(s, q)),
        1 => (0usize..3).prop_map(Op::PutBack),
        1 => (0usize..8, 0usize..3).prop_map(|(t, i)| Op::Skip(t, i)),
        2 => (0usize..4).prop_map(Op::Complete),
        2 => (0usize..4).prop_map(Op::Cancel),
        1 => (0usize..3, 1u32..4).prop_map(|(s, q)| Op::Hold(s, q)),
        1 => Just(Op::Expire),
        2 => (0usize..4).prop_map(Op::Ship),
    ]
}

struct World {
    f: Fixture,
    orders: Vec<i64>,
    tasks: Vec<i64>,
    n: usize,
    received: i64,
}

impl World {
    fn item(&self, t: usize, i: usize) -> Option<(i64, i64, String, String)> {
        let task = *self.tasks.get(t % self.tasks.len().max(1))?;
        let pt = self.f.svc.store().read(|tx| tx.picking_task(PickingTaskId(task))).ok()??;
        let it = pt.items.get(i % pt.items.len().max(1))?;
        Some((task, it.id.0, it.location_code.clone(), it.sku.to_string()))
    }

    fn task(&self, t: usize) -> Option<i64> {
        self.tasks.get(t % self.tasks.len().max(1)).copied()
    }

    /// `Op::Ship`: several commands; a refusal anywhere is fine.
    fn ship(&mut self, t: usize) {
        let f = &self.f;
        let Some(task) = self.task(t) else { return };
        let pick = f.svc.store().read(|tx| tx.picking_task(PickingTaskId(task))).ok().flatten();
        let Some(pick) = pick else { return };
        let packs = f.svc.store().read(|tx| tx.packing_tasks_for_order(pick.order_id)).unwrap_or_default();
        for id in packs {
            let Ok(Some(p)) = f.svc.store().read(|tx| tx.packing_task(id)) else { continue };
            if p.picking_task_id != pick.id {
                continue;
            }
            let task_id = p.id.0;
            let _ = f.run(Command::StartPacking { task_id, worker_id: f.packer });
            let details = Command::SetPackageDetails { task_id, worker_id: None, sequence: 1, package: package() };
            let _ = f.run(details);
            let _ = f.run(Command::CompletePacking { task_id, worker_id: None });
        }
        // The carrier creates and confirms; every parcel then leaves.
        for _ in 0..2 {
            for a in due(f) {
                self.n += 1;
                let result = match a.activity.as_str() {
                    "create_shipment" => shipment(&format!("TT{:09}RS", self.n)),
                    _ => serde_json::json!({"kind": "done"}),
                };
                let _ = f.run(Command::CompleteActivity {
                    task_id: a.id,
                    attempt: a.attempt,
                    result: serde_json::from_value(result).ok(),
                    error: None,
                    started_at: None,
                });
            }
        }
        for w in ["W1", "W2", "W3"] {
            let _ = f.run(Command::CloseManifest { warehouse: w.into(), carrier: "local".into() });
        }
    }

    fn command(&mut self, op: &Op) -> Option<Command> {
        let f = &self.f;
        Some(match op {
            Op::Submit(lines, backorder) => {
                self.n += 1;
                let lines: Vec<(&str, i64, &str)> = lines.iter().map(|(s, q)| (SKUS[*s].0, *q, SKUS[*s].1)).collect();
                match order(&format!("r-{}", self.n), &lines) {
                    Command::SubmitOrder(mut r) => {
                        r.short_policy = backorder.then_some(ShortPolicy::Backorder);
                        Command::SubmitOrder(r)
                    }
                    other => other,
                }
            }
            Op::Receive(s, q) => {
                self.n += 1;
                let (sku, wh) = SKUS[*s];
                Command::PlaceStock {
                    warehouse: wh.into(),
                    location: format!("R-{}", self.n),
                    sku: sku.into(),
                    quantity: *q,
                    received_at: None,
                    lot: None,
                    expiry: None,
                }
            }
            Op::Start(t) => {
                let task = self.task(*t)?;
                // Assign then start; the assign is its own op.
                let _ = f.run(Command::AssignPicking { task_id: task, worker_id: f.picker });
                Command::StartPicking { task_id: task, worker_id: f.picker }
            }
            Op::Pick(t, i, q) => {
                let (task, item, location, sku) = self.item(*t, *i)?;
                Command::PickItem {
                    task_id: task,
                    item_id: item,
                    worker_id: None,
                    scan: PickScans::new(location, sku, *q),
                }
            }
            Op::Short(t, i, q, damaged) => {
                let (task, item, ..) = self.item(*t, *i)?;
                Command::ShortItem {
                    task_id: task,
                    item_id: item,
                    worker_id: None,
                    quantity: *q,
                    reason: if *damaged { "damaged" } else { "stock_out" }.into(),
                }
            }
            Op::PutBack(n) => {
                let id = *f
                    .svc
                    .store()
                    .read(|tx| tx.open_put_backs(1, &tote::storage::board::Scope::all()))
                    .ok()?
                    .first()?;
                let task = f.svc.store().read(|tx| tx.put_back_task(id)).ok()??;
                let open: Vec<_> = task.lines.iter().filter(|l| l.put_at.is_none()).collect();
                let line = open.get(n % open.len().max(1))?;
                Command::PutBack { task_id: id, worker_id: None, location: line.location.clone() }
            }
            Op::Remove(s, q) => {
                let (sku, wh) = SKUS[*s];
                Command::RemoveStock {
                    warehouse: wh.into(),
                    location: ["A-01", "B-01", "C-01"][*s].into(),
                    sku: sku.into(),
                    quantity: *q,
                    reason: "water damage".into(),
                }
            }
            Op::Resolve(s, restock) => {
                let (sku, wh) = SKUS[*s];
                let location = ["A-01", "B-01", "C-01"][*s];
                Command::ResolveQuarantine {
                    warehouse: wh.into(),
                    location: location.into(),
                    sku: sku.into(),
                    quantity: 1,
                    restock: *restock,
                }
            }
            Op::Skip(t, i) => {
                let (task, item, ..) = self.item(*t, *i)?;
                Command::SkipItem { task_id: task, item_id: item, worker_id: None, reason: "damaged".into() }
            }
            Op::Complete(t) => Command::CompletePicking { task_id: self.task(*t)?, worker_id: None },
            Op::Cancel(o) => Command::CancelOrder {
                order_id: *self.orders.get(o % self.orders.len().max(1))?,
                reason: "prop".into(),
            },
            Op::Hold(s, q) => Command::ReserveStock {
                warehouse: SKUS[*s].1.into(),
                sku: SKUS[*s].0.into(),
                quantity: *q,
                ttl_seconds: 30,
            },
            Op::Expire => {
                f.clock.advance(chrono::Duration::seconds(20));
                Command::ReleaseExpired
            }
            Op::Ship(_) => return None,
        })
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]
    #[test]
    fn stock_is_conserved(ops in prop::collection::vec(arb_op(), 10..60)) {
        let mut w = World { f: Fixture::new(), orders: vec![], tasks: vec![], n: 0, received: 0 };
        for op in &ops {
            if let Op::Ship(t) = op {
                w.ship(*t);
            }
            if let Some(cmd) = w.command(op) {
                let ran = w.f.run(cmd);
                if let (Op::Receive(_, q), Ok(_)) = (op, &ran) {
                    w.received += i64::from(*q);
                }
                match ran {
                    Ok(Outcome::Order { order_id, existing: false, .. }) => w.orders.push(order_id),
                    Ok(_) | Err(AppError::Rejected(_)) => {}
                    Err(e) => prop_assert!(false, "storage failure on {op:?}: {e}"),
                }
            }
            // Backorders get their picking work later: every order's tasks.
            let orders = w.orders.clone();
            w.tasks = w.f.svc.store().read(|tx| {
                let mut all = Vec::new();
                for o in orders {
                    all.extend(tx.picking_tasks_for_order(tote::domain::ids::OrderId(o))?.into_iter().map(|t| t.0));
                }
                Ok::<_, tote::storage::StorageError>(all)
            }).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let (on_hand, reserved, transit, outstanding) = w.f.stock();
            let (quarantined, waiting) = (w.f.quarantined(), w.f.awaiting_put_back());
            prop_assert_eq!(on_hand + quarantined + transit + waiting, INITIAL + w.received + w.f.adjusted(), "after {:?}", op);
            prop_assert_eq!(reserved, outstanding, "after {:?}", op);
        }
    }
}
