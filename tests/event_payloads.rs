//! The event payloads subscribers read (webhooks, `GET /api/v1/events`) are
//! a versioned contract: one sample of every event type is kept as a
//! snapshot (`tests/snapshots/event_payloads__every_event_type.snap`), so a
//! changed field shows in review and calls for a new `contract::events::VERSION`.

use tote::contract::events::{EventPayload, VERSION};
use tote::domain::event::DomainEvent as E;
use tote::domain::ids::*;

/// Committed at 2026-05-04 08:00:00 UTC; SKU-A is listing L-100.
fn payload(e: &E) -> EventPayload {
    let at = chrono::DateTime::from_timestamp(1_777_881_600, 0).expect("a time");
    tote::app::events::payload(e, at, &|sku| (sku == "SKU-A").then(|| "L-100".to_owned()))
}

/// Seed 001 §5.2's fields are in its events: `timestamp` in every one,
/// `listing_id` beside the SKU where the product has a listing (and not
/// where it has none), `shipment_id` and `tracking_number` in
/// `shipment.created`.
#[test]
fn seed_fields_are_in_the_payloads() {
    let sku = Sku::parse("SKU-A", "sku").expect("sku");
    let placed = |sku: &Sku| E::InventoryPlaced {
        sku: sku.clone(),
        warehouse_id: WarehouseId(1),
        quantity: Qty(3),
        location: "A-01".into(),
    };
    let json = serde_json::to_value(payload(&placed(&sku))).expect("json");
    assert_eq!(json["timestamp"], 1_777_881_600);
    assert_eq!((json["sku"].as_str(), json["listing_id"].as_str()), (Some("SKU-A"), Some("L-100")));
    let other = Sku::parse("SKU-Z", "sku").expect("sku");
    let json = serde_json::to_value(payload(&placed(&other))).expect("json");
    assert!(json.get("listing_id").is_none(), "no listing, no field: {json}");
    let created = every_event().into_iter().find(|e| e.name() == "shipment.created").expect("sample");
    let json = serde_json::to_value(payload(&created)).expect("json");
    assert_eq!(
        (json["shipment_id"].as_str(), json["tracking_number"].as_str()),
        (Some("DS-17"), Some("TT000000017RS"))
    );
}

fn every_event() -> Vec<E> {
    let sku = Sku::parse("SKU-A", "sku").expect("sku");
    let (o, f, w, t, i, p) =
        (OrderId(7), FulfillmentId(8), WarehouseId(1), PickingTaskId(40), PickingItemId(41), PackingTaskId(50));
    let tracking = vec!["TT000000017RS".to_owned()];
    vec![
        E::OrderCreated { order_id: o, request_id: "r-1".into(), fulfillments: 1 },
        E::OrderCancelled { order_id: o, reason: "customer".into() },
        E::OrderReserved { order_id: o, fulfillment_id: f },
        E::OrderPriorityChanged { order_id: o, from: "normal", to: "urgent" },
        E::OrderShipped { order_id: o, fulfillment_id: f, tracking: tracking.clone() },
        E::FulfillmentCreated { fulfillment_id: f, order_id: o, warehouse_id: w },
        E::FulfillmentStatusChanged { fulfillment_id: f, order_id: o, from: "picking", to: "picked" },
        E::InventoryReserved {
            reservation_id: ReservationId(3),
            sku: sku.clone(),
            warehouse_id: w,
            quantity: Qty(2),
            order_id: Some(o),
        },
        E::InventoryReleased {
            reservation_id: ReservationId(3),
            sku: sku.clone(),
            warehouse_id: w,
            quantity: Qty(2),
            reason: "cancelled".into(),
        },
        E::InventoryPlaced { sku: sku.clone(), warehouse_id: w, quantity: Qty(10), location: "A-01".into() },
        E::InventoryMoved {
            sku: sku.clone(),
            warehouse_id: w,
            quantity: Qty(1),
            from_location: "A-01".into(),
            to_location: "B-02".into(),
        },
        E::InventoryRemoved {
            sku: sku.clone(),
            warehouse_id: w,
            quantity: Qty(1),
            location: "A-01".into(),
            reason: "damaged".into(),
        },
        E::InventoryAdjusted {
            sku: sku.clone(),
            warehouse_id: w,
            location: "A-01".into(),
            quantity: -3,
            reason: "stock_out".into(),
            worker_id: Some(WorkerId(5)),
        },
        E::PutBackCreated { task_id: 3, picking_task_id: t, warehouse_id: w, units: 2 },
        E::InventoryReturned { sku: sku.clone(), warehouse_id: w, quantity: Qty(1), location: "A-01".into() },
        E::PickingCreated { task_id: t, order_id: o, warehouse_id: w },
        E::PickingAssigned { task_id: t, order_id: o, worker_id: WorkerId(5) },
        E::PickingStarted { task_id: t, order_id: o, worker_id: WorkerId(5) },
        E::PickingItemPicked { task_id: t, item_id: i, sku: sku.clone(), quantity: Qty(2) },
        E::PickingItemShort { task_id: t, item_id: i, sku: sku.clone(), missing: Qty(1), reason: "stock_out" },
        E::PickingItemSkipped { task_id: t, item_id: i, sku: sku.clone(), missing: Qty(2), reason: "damaged" },
        E::PickingItemReallocated {
            task_id: t,
            item_id: i,
            sku: sku.clone(),
            quantity: Qty(1),
            location: "B-02".into(),
        },
        E::PickingUnfulfillable { task_id: t, order_id: o, sku: sku.clone(), missing: Qty(1) },
        E::PickingCompleted { task_id: t, order_id: o },
        E::PickingCancelled { task_id: t, order_id: o, reason: "board".into() },
        E::PackingCreated { task_id: p, order_id: o },
        E::PackingStarted { task_id: p, order_id: o, worker_id: WorkerId(6) },
        E::PackingCompleted { task_id: p, order_id: o, packages: 1 },
        E::PackingCancelled { task_id: p, order_id: o, reason: "damaged".into() },
        E::OrderShortShipped {
            order_id: o,
            fulfillment_id: f,
            lines: vec![tote::domain::event::ShortLine { sku: sku.clone(), ordered: 3, shipped: 2, missing: 1 }],
        },
        E::OrderBackordered {
            order_id: o,
            fulfillment_id: f,
            backorder_id: tote::domain::ids::FulfillmentId(13),
            lines: vec![(sku, tote::domain::ids::Qty(2))],
        },
        E::ShipmentCreated {
            order_id: o,
            fulfillment_id: f,
            carrier: "delivery-service".into(),
            tracking: tracking.clone(),
            shipment_ids: vec!["DS-17".into()],
        },
        E::ShipmentVoided { order_id: o, fulfillment_id: f, tracking: tracking.clone() },
        E::ShipmentDispatched { order_id: o, fulfillment_id: f, tracking },
    ]
}

#[test]
fn every_event_type_has_a_versioned_payload_named_as_stored() {
    let events = every_event();
    let mut names: Vec<&str> = events.iter().map(E::name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), events.len(), "one sample per event type");
    for e in &events {
        let json = serde_json::to_value(payload(e)).expect("serialises");
        assert_eq!(json["type"], e.name(), "the payload's type is the stored event_type");
        assert_eq!(json["v"], VERSION);
        // A subscriber written against the contract reads it back.
        let back: EventPayload = serde_json::from_value(json).expect("reads back");
        assert_eq!(back, payload(e));
    }
}

#[test]
fn every_event_type() {
    let all: Vec<EventPayload> = every_event().iter().map(payload).collect();
    insta::assert_snapshot!(serde_json::to_string_pretty(&all).expect("serialises"));
}
