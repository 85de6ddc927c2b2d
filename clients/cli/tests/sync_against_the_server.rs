//! `eiso sync` against a real eiso-server that synchronises to the portal's
//! simulator: the status, the dossiers by state, one dossier, and a resend
//! refused for a dossier that is not parked.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::Person;
use eiso_tests::TestServer;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_follows_the_sync_from_the_command_line() {
    let (simulator, server) = TestServer::with_portal().await;
    let school = server.school_with_dossier().await;
    let code = school.dossier.code.clone();
    for _ in 0..200 {
        if simulator.dossier(&code).is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let admin = Person::admin(server.addr).await;

    let status = admin.json(&["sync", "status"]).await;
    assert_eq!(status["configured"], true);
    assert_eq!(status["synced_dossiers"], 1, "{status}");
    let table = admin.ok(&["sync", "status"]).await;
    assert!(table.contains(&simulator.url()), "{table}");

    let synced = admin.ok(&["sync", "list", "--state", "synced"]).await;
    assert!(synced.contains(&code) && synced.contains("synced"), "{synced}");
    assert!(
        admin
            .ok(&["sync", "list", "--state", "parked"])
            .await
            .contains("no dossiers")
    );

    let id = school.dossier.name.trim_start_matches("dossiers/").to_string();
    let shown = admin.json(&["sync", "show", &id]).await;
    assert_eq!(shown["code"], code.as_str());
    assert_eq!(shown["state"], "synced");

    // Not parked: FAILED_PRECONDITION's exit code (10 + 9), said plainly.
    let refused = admin.fails(19, &["sync", "resend", &school.dossier.name]).await;
    assert!(refused.contains("not parked"), "{refused}");
    simulator.shutdown().await;
}
