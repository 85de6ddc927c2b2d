//! CountSyncedDossiers: of the dossiers an agency received in a period, how
//! many the national portal has up to date (what a reform plan's target
//! measures), for a caller whose binding covers the agency (the same unit or
//! one above it; never below or beside). Without a portal the count is 0 and
//! says so, after the same checks.

use std::time::Duration;

use chrono::{DateTime, Utc};
use eiso_platform::aip::time::timestamp;
use eiso_proto::eiso::identity::v1::Role;
use eiso_proto::eiso::procedures::v1::Channel;
use eiso_proto::eiso::sync::v1::{CountSyncedDossiersRequest, CountSyncedDossiersResponse, GetDossierSyncRequest};
use eiso_proto::prost_types::Timestamp;
use eiso_tests::TestServer;
use eiso_tests::counter::transfer_receipt;
use eiso_tests::values::bad_field;
use tonic::Code;

fn request(agency: &str, start: Option<DateTime<Utc>>, end: Option<DateTime<Utc>>) -> CountSyncedDossiersRequest {
    CountSyncedDossiersRequest {
        agency: agency.into(),
        start_time: start.map(timestamp),
        end_time: end.map(timestamp),
    }
}

async fn count(
    server: &TestServer,
    token: &str,
    request: CountSyncedDossiersRequest,
) -> Result<CountSyncedDossiersResponse, tonic::Status> {
    server
        .sync(token)
        .count_synced_dossiers(request)
        .await
        .map(|answer| answer.into_inner())
}

fn instant(time: Option<&Timestamp>) -> DateTime<Utc> {
    let time = time.expect("a receive time");
    DateTime::from_timestamp(time.seconds, time.nanos as u32).expect("an instant")
}

/// Waits up to 20 s until the count of `request` is `expected`.
async fn until_count(server: &TestServer, request: &CountSyncedDossiersRequest, expected: i64) {
    let mut last = None;
    for _ in 0..200 {
        let answer = count(server, &server.admin_token, request.clone())
            .await
            .expect("counted");
        if answer.synced_dossiers == expected {
            return;
        }
        last = Some(answer);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("expected {expected} synced dossiers, still {last:?}");
}

/// The bad requests every server refuses, portal or not: (request, code, the
/// field the answer names).
fn bad_requests(agency: &str, now: DateTime<Utc>) -> Vec<(CountSyncedDossiersRequest, Code, &'static str)> {
    let hour = chrono::Duration::hours(1);
    let (start, end) = (Some(now - hour), Some(now + hour));
    vec![
        (request("", start, end), Code::InvalidArgument, "agency"),
        (request("THCS-A", start, end), Code::InvalidArgument, "agency"),
        (request("dossiers/x", start, end), Code::InvalidArgument, "agency"),
        (request("units/khong-co", start, end), Code::NotFound, "agency"),
        (request(agency, None, end), Code::InvalidArgument, "start_time"),
        (request(agency, start, None), Code::InvalidArgument, "end_time"),
        (request(agency, start, start), Code::InvalidArgument, "end_time"),
        (request(agency, end, start), Code::InvalidArgument, "end_time"),
    ]
}

fn check_bad(answer: Result<CountSyncedDossiersResponse, tonic::Status>, code: Code, field: &str) {
    let status = answer.expect_err(field);
    assert_eq!(status.code(), code, "{field}: {status:?}");
    if code == Code::InvalidArgument {
        assert_eq!(bad_field(&status), field, "{status:?}");
    }
    assert!(status.message().contains(field), "{field}: {}", status.message());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn synced_dossiers_are_counted_for_the_agency_and_period_within_the_callers_units() {
    let (simulator, server) = TestServer::with_portal().await;
    let school = server.school_with_dossier().await;
    let agency = school.school.name.clone();
    let received = instant(school.dossier.receive_time.as_ref());
    let hour = chrono::Duration::hours(1);
    let milli = chrono::Duration::milliseconds(1);
    let around = request(&agency, Some(received - hour), Some(received + hour));
    until_count(&server, &around, 1).await;

    // The period: from its start (inclusive) to its end (exclusive).
    let periods = [
        (received, received + milli, 1),
        (received - hour, received, 0),
        (received + milli, received + hour, 0),
        (received - hour * 48, received - hour * 24, 0),
    ];
    for (start, end, expected) in periods {
        let answer = count(&server, &server.admin_token, request(&agency, Some(start), Some(end)))
            .await
            .expect("counted");
        assert!(answer.configured);
        assert_eq!(answer.synced_dossiers, expected, "{start} to {end}");
    }
    // Only the agency's own dossiers: not the school beside it, nor the office above.
    for other in [&school.sibling.name, &school.office.unit.name] {
        let answer = count(
            &server,
            &server.admin_token,
            request(other, Some(received - hour), Some(received + hour)),
        )
        .await
        .expect("counted");
        assert_eq!((answer.configured, answer.synced_dossiers), (true, 0), "{other}");
    }

    // A dossier the portal does not have yet is not counted.
    simulator.set_down(true);
    let clerk = server
        .login("mot.cua.a", "mot.cua.a-password")
        .await
        .expect("the clerk");
    let second = server
        .dossiers(&clerk)
        .receive_dossier(transfer_receipt(&agency, "Lê Văn Cường", Channel::Direct))
        .await
        .expect("received")
        .into_inner();
    let sync_name = format!("{}/sync", second.name);
    let mut tried = false;
    for _ in 0..200 {
        let state = server
            .sync(&server.admin_token)
            .get_dossier_sync(GetDossierSyncRequest {
                name: sync_name.clone(),
            })
            .await;
        if state.is_ok_and(|s| s.into_inner().attempts > 0) {
            tried = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(tried, "the sync tried {sync_name}");
    let answer = count(&server, &server.admin_token, around.clone())
        .await
        .expect("counted");
    assert_eq!(answer.synced_dossiers, 1, "the second is not on the portal yet");
    simulator.set_down(false);
    until_count(&server, &around, 2).await;

    // Callers: a leader bound at the school, the office above, the team
    // below and the school beside; an administrator at the school; a
    // viewer at the school (the method's row does not grant it).
    let rows = [
        ("same", Role::Leader, &school.school.name, None),
        ("ancestor", Role::Leader, &school.office.unit.name, None),
        (
            "descendant",
            Role::Leader,
            &school.below.name,
            Some(Code::PermissionDenied),
        ),
        (
            "sibling",
            Role::Leader,
            &school.sibling.name,
            Some(Code::PermissionDenied),
        ),
        ("admin", Role::Admin, &school.school.name, None),
        (
            "viewer",
            Role::Viewer,
            &school.school.name,
            Some(Code::PermissionDenied),
        ),
    ];
    for (who, role, unit, refused) in rows {
        let (_, token) = server.user_with_role(&format!("nguoi.{who}"), role, unit).await;
        let answer = count(&server, &token, around.clone()).await;
        match refused {
            None => assert_eq!(answer.expect(who).synced_dossiers, 2, "{who}"),
            Some(code) => {
                let status = answer.expect_err(who);
                assert_eq!(status.code(), code, "{who}: {status:?}");
            }
        }
    }
    // A refusal inside the service names the agency.
    let (_, below) = server
        .user_with_role("nguoi.below", Role::Leader, &school.below.name)
        .await;
    let status = count(&server, &below, around.clone()).await.expect_err("below");
    assert!(status.message().contains(&agency), "{}", status.message());

    for (request, code, field) in bad_requests(&agency, received) {
        check_bad(count(&server, &server.admin_token, request).await, code, field);
    }
    server.stop().await;
    simulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_portal_no_dossier_is_synced_after_the_same_checks() {
    let server = TestServer::start().await;
    let school = server.school_with_dossier().await;
    let agency = school.school.name.clone();
    let received = instant(school.dossier.receive_time.as_ref());
    let hour = chrono::Duration::hours(1);
    let around = request(&agency, Some(received - hour), Some(received + hour));
    let answer = count(&server, &server.admin_token, around.clone())
        .await
        .expect("counted");
    assert_eq!((answer.configured, answer.synced_dossiers), (false, 0));

    let (_, leader) = server.user_with_role("lanh.dao", Role::Leader, &agency).await;
    assert!(!count(&server, &leader, around.clone()).await.expect("same").configured);
    let (_, beside) = server
        .user_with_role("lanh.dao.b", Role::Leader, &school.sibling.name)
        .await;
    let status = count(&server, &beside, around).await.expect_err("beside");
    assert_eq!(status.code(), Code::PermissionDenied, "{status:?}");
    for (request, code, field) in bad_requests(&agency, received) {
        check_bad(count(&server, &server.admin_token, request).await, code, field);
    }
    server.stop().await;
}
