use super::Command;

#[test]
fn a_command_names_what_it_acts_on_for_its_log_line() {
    assert_eq!(Command::CompletePicking { task_id: 7, worker_id: None }.subject(), "task_id=7");
    assert_eq!(Command::CancelOrder { order_id: 3, reason: "x".into() }.subject(), "order_id=3");
    assert_eq!(Command::DispatchParcel { tracking: "TT1".into() }.subject(), "tracking=TT1");
    assert_eq!(
        Command::RetryWorkflow { workflow_id: "order-fulfillment-2".into() }.subject(),
        "workflow_id=order-fulfillment-2"
    );
    assert_eq!(Command::ReleaseExpired.subject(), "");
}
