//! `eiso notifications` against a real eiso-server that notifies applicants
//! through a real SMTP server and an SMS gateway's simulator: a dossier's
//! messages, the parked ones (none), and a resend refused when nothing is
//! parked.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::Person;
use eiso_tests::TestServer;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_follows_the_notifications_from_the_command_line() {
    let (_mail, sms, server) = TestServer::with_notifications().await;
    let school = server.school_with_dossier().await;
    for _ in 0..200 {
        if !sms.requests().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let admin = Person::admin(server.addr).await;

    let id = school.dossier.name.trim_start_matches("dossiers/").to_string();
    let listed = admin.json(&["notifications", "list", "--dossier", &id]).await;
    let notifications = listed["notifications"].as_array().expect("a list");
    assert_eq!(notifications.len(), 1, "her receipt, by SMS only: {listed}");
    let receipt = &notifications[0];
    assert_eq!(receipt["kind"], "received");
    assert_eq!(receipt["channel"], "sms");
    assert_eq!(receipt["state"], "sent");
    assert_eq!(receipt["recipient"], "0912***678", "masked");
    let table = admin.ok(&["notifications", "list", "--dossier", &id]).await;
    assert!(table.contains("received") && table.contains("sent"), "{table}");
    assert!(
        admin
            .ok(&["notifications", "list", "--state", "parked"])
            .await
            .contains("no notifications")
    );

    // Nothing parked: FAILED_PRECONDITION's exit code (10 + 9), said plainly.
    let refused = admin.fails(19, &["notifications", "resend", &id]).await;
    assert!(refused.contains("is parked"), "{refused}");
}
