//! Statuses, priorities and reason codes cross the wire as serde enums; the
//! domain's own names (`as_str`, used in SQL and on screens) must be the
//! same words, or a stored status and a sent one would disagree.

use serde::Serialize;
use tote::domain::fulfillment::FulfillmentStatus;
use tote::domain::order::{OrderStatus, Priority};
use tote::domain::packing::{PackagingType, PackingStatus};
use tote::domain::picking::{ItemStatus, PickingStatus, ReasonCode};
use tote::domain::workflow::WorkflowStatus;

fn check<T: Serialize + std::fmt::Display + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug>(all: &[T]) {
    for v in all {
        let wire = serde_json::to_value(v).unwrap_or_default();
        assert_eq!(wire.as_str(), Some(v.to_string().as_str()), "{v:?}");
        let back: T = serde_json::from_value(wire).unwrap_or_else(|e| panic!("{v:?}: {e}"));
        assert_eq!(&back, v);
    }
}

#[test]
fn wire_names_are_the_display_names() {
    check(&PickingStatus::ALL);
    check(&ItemStatus::ALL);
    check(&ReasonCode::ALL);
    check(&PackingStatus::ALL);
    check(&PackagingType::ALL);
    check(&OrderStatus::ALL);
    check(&Priority::ALL);
    check(&FulfillmentStatus::ALL);
    check(&WorkflowStatus::ALL);
    // A misspelt status is refused, not read as some default.
    assert!(serde_json::from_str::<PickingStatus>(r#""in-progress""#).is_err());
}
