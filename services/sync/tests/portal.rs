//! The portal client against the simulator of the portal (real HTTP): a
//! dossier's life arrives in order; create-or-update lands once whatever eiso
//! believes; sessions are renewed; faults come back as retryable or not.

use std::time::Duration;

use eiso_portal_sim::{Config, Fault, Simulator};
use eiso_proto::eiso::procedures::v1::{Applicant, ApplicantType, Channel, Dossier, DossierStatus, Handover};
use eiso_proto::prost_types::Timestamp;
use eiso_sync::record::{self, Handler, Names};
use eiso_sync::{Portal, PortalConfig, PortalError};

const AGENCY: &str = "000.31.H31";

async fn portal() -> (Simulator, Portal) {
    let simulator = Simulator::start(Config::default().with_account("eiso", "mat-khau-cong", AGENCY))
        .await
        .expect("the simulator starts");
    let mut config = PortalConfig::new(&simulator.url(), "eiso", "mat-khau-cong", AGENCY);
    config.timeout = Duration::from_millis(500);
    let portal = Portal::new(config).expect("a client");
    (simulator, portal)
}

fn at(seconds: i64) -> Option<Timestamp> {
    Some(Timestamp { seconds, nanos: 0 })
}

fn names() -> Names {
    Names {
        procedure_code: "1.004492".into(),
        procedure_name: "Chuyển trường đối với học sinh trung học cơ sở".into(),
        field_code: "GDDT".into(),
        field_name: "Giáo dục và Đào tạo".into(),
        agency_name: "Phòng Giáo dục và Đào tạo".into(),
    }
}

fn dossier(code: &str, status: DossierStatus) -> Dossier {
    let received = 1_741_159_800;
    Dossier {
        code: code.into(),
        applicant: Some(Applicant {
            full_name: "Trần Văn Nam".into(),
            r#type: ApplicantType::Citizen as i32,
            ..Default::default()
        }),
        summary: "Chuyển trường".into(),
        channel: Channel::Direct as i32,
        status: status as i32,
        receive_time: at(received),
        appointment_time: at(received + 3 * 86_400),
        handovers: vec![Handover {
            step: 1,
            receiver: "users/chuyen-vien".into(),
            handover_time: at(received + 600),
            step_due_time: at(received + 86_400),
            ..Default::default()
        }],
        ..Default::default()
    }
}

fn record_of(d: &Dossier) -> serde_json::Map<String, serde_json::Value> {
    record::dossier(d, &names())
}

#[tokio::test]
async fn a_dossier_life_arrives_in_order_with_its_steps() {
    let (simulator, portal) = portal().await;
    let code = "H31-0001";
    let mut d = dossier(code, DossierStatus::Received);
    assert!(
        !portal.send_dossier(&record_of(&d), None).await.expect("created"),
        "new to the portal"
    );
    for (status, ended) in [
        (DossierStatus::InProgress, false),
        (DossierStatus::Completed, true),
        (DossierStatus::Returned, true),
    ] {
        d.status = status as i32;
        if ended {
            d.complete_time = at(1_741_159_800 + 86_400);
        }
        if status == DossierStatus::Returned {
            d.return_time = at(1_741_159_800 + 2 * 86_400);
        }
        assert!(portal.send_dossier(&record_of(&d), Some(true)).await.expect("updated"));
    }
    let steps = record::steps(&d, |user| Handler {
        name: if user == "users/chuyen-vien" {
            "Lê Thu Hà".into()
        } else {
            user.into()
        },
        title: "Chuyên viên".into(),
        department: "Tổ Tổng hợp".into(),
    });
    portal.send_steps(steps).await.expect("steps");

    let held = simulator.dossier(code).expect("the portal has it");
    assert_eq!(held.states, ["2", "4", "9", "10"]);
    assert_eq!(held.dossier["NgayTra"], "20250307143000");
    assert_eq!(held.dossier["MaTTHC"], "1.004492");
    assert_eq!(held.progress.len(), 1);
    assert_eq!(held.progress[0]["NguoiXuLy"], "Lê Thu Hà");
    let found = portal.lookup(code).await.expect("lookup").expect("found");
    assert_eq!(found["TrangThaiHoSo"], "10");
    assert!(portal.lookup("H31-9999").await.expect("lookup").is_none());
    simulator.shutdown().await;
}

#[tokio::test]
async fn create_or_update_lands_once_whatever_eiso_believes() {
    let (simulator, portal) = portal().await;
    let d = dossier("H31-0002", DossierStatus::Received);
    // Believed new, but already there: updated instead.
    portal.send_dossier(&record_of(&d), Some(false)).await.expect("created");
    assert!(
        portal
            .send_dossier(&record_of(&d), Some(false))
            .await
            .expect("then updated")
    );
    // Believed there, but missing: created instead.
    let e = dossier("H31-0003", DossierStatus::Received);
    assert!(!portal.send_dossier(&record_of(&e), Some(true)).await.expect("created"));
    assert_eq!(simulator.dossiers().len(), 2);
    assert_eq!(simulator.dossier("H31-0002").expect("held").states, ["2"]);
    simulator.shutdown().await;
}

#[tokio::test]
async fn an_ended_session_is_renewed_and_the_call_goes_through() {
    let (simulator, portal) = portal().await;
    portal
        .send_dossier(&record_of(&dossier("H31-0004", DossierStatus::Received)), None)
        .await
        .expect("sent");
    simulator.fail_next(1, Fault::ExpireSessions);
    let mut d = dossier("H31-0004", DossierStatus::InProgress);
    d.status = DossierStatus::InProgress as i32;
    portal
        .send_dossier(&record_of(&d), Some(true))
        .await
        .expect("sent after signing in again");
    assert_eq!(simulator.counters().calls.get("login").copied(), Some(2));
    assert_eq!(simulator.dossier("H31-0004").expect("held").states, ["2", "4"]);
    simulator.shutdown().await;
}

#[tokio::test]
async fn faults_come_back_as_worth_retrying_or_not() {
    let (simulator, portal) = portal().await;
    let d = dossier("H31-0005", DossierStatus::Received);
    // Signed in first, so that each fault meets the call it is meant for.
    assert!(portal.lookup("H31-0005").await.expect("signed in").is_none());

    simulator.fail_next(1, Fault::Http500);
    let error = portal
        .send_dossier(&record_of(&d), Some(false))
        .await
        .expect_err("HTTP 500");
    assert!(error.is_retryable(), "{error}");

    simulator.set_down(true);
    let error = portal
        .send_dossier(&record_of(&d), Some(false))
        .await
        .expect_err("down");
    assert!(error.is_retryable(), "{error}");
    simulator.set_down(false);

    // No answer in time, though the portal did take it: the retry updates.
    simulator.fail_next(1, Fault::Delay { millis: 2_000 });
    let error = portal
        .send_dossier(&record_of(&d), Some(false))
        .await
        .expect_err("timed out");
    assert!(matches!(error, PortalError::Unavailable { .. }), "{error}");
    assert!(
        portal
            .send_dossier(&record_of(&d), Some(false))
            .await
            .expect("the retry lands")
    );

    // A status the portal does not allow after the one it holds: refused, not worth retrying.
    let mut returned = dossier("H31-0005", DossierStatus::Returned);
    returned.return_time = at(1_741_159_800 + 86_400);
    portal
        .send_dossier(&record_of(&returned), Some(true))
        .await
        .expect("returned");
    let error = portal
        .send_dossier(&record_of(&dossier("H31-0005", DossierStatus::InProgress)), Some(true))
        .await
        .expect_err("10 → 4");
    assert!(!error.is_retryable(), "{error}");
    assert!(error.to_string().contains("error_code 2"), "{error}");

    // A date the portal cannot read: refused, the field named.
    let mut bad = record_of(&dossier("H31-0006", DossierStatus::Received));
    bad.insert("NgayHenTra".into(), "2025-03-08".into());
    let error = portal.send_dossier(&bad, Some(false)).await.expect_err("bad date");
    assert!(error.to_string().contains("NgayHenTra"), "{error}");
    simulator.shutdown().await;
}

#[tokio::test]
async fn a_wrong_password_is_refused_at_sign_in() {
    let simulator = Simulator::start(Config::default().with_account("eiso", "mat-khau-cong", AGENCY))
        .await
        .expect("the simulator starts");
    let portal = Portal::new(PortalConfig::new(&simulator.url(), "eiso", "sai", AGENCY)).expect("a client");
    let error = portal.lookup("H31-0001").await.expect_err("refused");
    assert!(
        matches!(error, PortalError::Refused { operation: "login", .. }),
        "{error}"
    );
    assert!(!error.is_retryable());
    simulator.shutdown().await;
}
