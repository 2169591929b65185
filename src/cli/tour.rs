//! `tote demo --tour`: a scripted tour on a fresh database, through the same
//! services every client uses.

use super::order::{explain, print_outcome};
use anyhow::{Result, bail};
use std::path::Path;
use tote::app::command::{AddressDto, LineDto, OrderRequest, PackageDto, PackagingTypeDto};
use tote::app::floor_op::PickScans;
use tote::app::{Command, Outcome, Services, new_op_id};

pub fn run(db: &Path) -> Result<()> {
    if db.exists() {
        bail!(
            "{} already exists; the demo needs a fresh file (try --db /tmp/tote-demo.db after removing it)",
            db.display()
        );
    }
    let svc = super::open(db)?;
    let now = svc.now();
    let (picker, packer) = svc.store().write(|tx| {
        tx.ensure_warehouse("BG1", "Beograd", now)?;
        tx.ensure_warehouse("NS1", "Novi Sad", now)?;
        let (picker, packer) =
            (tx.insert_worker("P-001", "Pia", "picker", now)?, tx.insert_worker("K-001", "Kosta", "packer", now)?);
        for w in ["BG1", "NS1"] {
            tx.bind_worker(picker, w)?;
            tx.bind_worker(packer, w)?;
        }
        Ok::<_, tote::storage::StorageError>((picker.0, packer.0))
    })?;
    let exec = |c: Command| svc.execute(&new_op_id(), &c).map_err(explain);
    println!("== stock: BG1 has SKU-MUG at A-01 (received March, 4) and A-07 (April, 10); NS1 has SKU-TEA");
    for (wh, loc, sku, qty, day) in [
        ("BG1", "A-07", "SKU-MUG", 10, "2026-04-01"),
        ("BG1", "A-01", "SKU-MUG", 4, "2026-03-01"),
        ("NS1", "T-01", "SKU-TEA", 6, "2026-04-02"),
    ] {
        exec(Command::PlaceStock {
            warehouse: wh.into(),
            location: loc.into(),
            sku: sku.into(),
            quantity: qty,
            received_at: chrono::DateTime::parse_from_rfc3339(&format!("{day}T00:00:00Z")).ok().map(|t| t.to_utc()),
            lot: None,
            expiry: None,
        })?;
    }
    print_totals(&svc)?;

    println!("\n== intake: one order for both warehouses -> two fulfillments, FIFO reservations, two picking tasks");
    let out = exec(order("demo-1", &[("SKU-MUG", 6, "BG1"), ("SKU-TEA", 2, "NS1")]))?;
    print_outcome(&out);
    let Outcome::Order { order_id, fulfillments, .. } = out else { bail!("unexpected outcome") };
    let bg1 = fulfillments.iter().find(|f| f.warehouse == "BG1").and_then(|f| f.picking_task_id);
    let Some(task) = bg1 else { bail!("no BG1 picking task") };
    print_totals(&svc)?;

    println!("\n== picking task {task}: walk order puts the older stock (A-01) first");
    exec(Command::AssignPicking { task_id: task, worker_id: picker })?;
    exec(Command::StartPicking { task_id: task, worker_id: picker })?;
    let items = svc
        .store()
        .read(|tx| tx.picking_task(tote::domain::ids::PickingTaskId(task)))?
        .map(|t| t.items)
        .unwrap_or_default();
    for it in &items {
        println!("  item {} at {}: {} x{}", it.sequence, it.location_code, it.sku, it.required);
    }
    let (Some(first), Some(second)) = (items.first(), items.get(1)) else { bail!("expected two items") };
    let wrong = svc.execute(
        &new_op_id(),
        &Command::PickItem {
            task_id: task,
            item_id: first.id.0,
            worker_id: Some(picker),
            scan: PickScans::new("B-99", first.sku.to_string(), 1),
        },
    );
    if let Err(tote::app::AppError::Rejected(r)) = wrong {
        println!("  scan at the wrong shelf -> \x07{} ({})", r.short, r.message);
    }
    exec(Command::PickItem {
        task_id: task,
        item_id: first.id.0,
        worker_id: Some(picker),
        scan: PickScans::new(first.location_code.clone(), first.sku.to_string(), first.required.0),
    })?;
    println!("  picked {} at {}", first.required, first.location_code);
    exec(Command::ShortItem {
        task_id: task,
        item_id: second.id.0,
        worker_id: Some(picker),
        quantity: 1,
        reason: "damaged".into(),
    })?;
    println!("  short at {}: 1 of {} picked, reason damaged, the rest released", second.location_code, second.required);
    let Outcome::Picking { packing_task_id: Some(pack), .. } =
        exec(Command::CompletePicking { task_id: task, worker_id: Some(picker) })?
    else {
        bail!("no packing task")
    };
    println!("  task complete -> packing task {pack} created in the same transaction");
    print_totals(&svc)?;

    println!("\n== packing task {pack}: two boxes, weights and dimensions");
    exec(Command::StartPacking { task_id: pack, worker_id: packer })?;
    let bx = |w| PackageDto {
        packaging_type: PackagingTypeDto::Box,
        weight_g: w,
        length_mm: 300,
        width_mm: 200,
        height_mm: 150,
    };
    exec(Command::SetPackageDetails { task_id: pack, worker_id: Some(packer), sequence: 1, package: bx(1800) })?;
    exec(Command::AddPackage { task_id: pack, worker_id: Some(packer), package: Some(bx(900)) })?;
    exec(Command::CompletePacking { task_id: pack, worker_id: Some(packer) })?;
    println!("  packed: 300x200x150 mm is 1.800 kg volumetric, so each box bills at least that");
    super::order::status(&svc, order_id, false)?;

    println!("\n== the customer cancels: reservations released, picked units wait in a tote to be put back");
    super::order::cancel(&svc, order_id, "customer request", new_op_id())?;
    print_totals(&svc)?;
    let events = svc.store().read(|tx| tx.events_after(0, 1000))?;
    println!(
        "\n{} events in the outbox, e.g. {}",
        events.len(),
        events.iter().take(4).map(|e| e.event_type.as_str()).collect::<Vec<_>>().join(", ")
    );
    println!("database: {}", db.display());
    Ok(())
}

fn print_totals(svc: &Services) -> Result<()> {
    let (t, transit, back) = svc.store().read(|tx| {
        Ok::<_, tote::storage::StorageError>((tx.stock_totals(None)?, tx.units_in_transit()?, tx.put_back_pending()?))
    })?;
    println!(
        "  stock: {} on shelves ({} reserved), {} picked in transit, {} to put back, {} in all",
        t.on_hand,
        t.reserved,
        transit,
        back,
        t.on_hand + transit + back
    );
    Ok(())
}

fn order(request_id: &str, lines: &[(&str, i64, &str)]) -> Command {
    Command::SubmitOrder(OrderRequest {
        request_id: request_id.into(),
        external_ref: None,
        priority: "high".into(),
        ship_to: AddressDto {
            contact_name: "Ana Anić".into(),
            street: "Knez Mihailova 1".into(),
            city: "Beograd".into(),
            postal_code: "11000".into(),
            country: "RS".into(),
            phone: String::new(),
        },
        lines: lines
            .iter()
            .map(|(s, q, w)| LineDto { sku: (*s).into(), quantity: *q, warehouse: Some((*w).into()) })
            .collect(),
        short_policy: None,
    })
}
