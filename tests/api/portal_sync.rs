//! The dossiers' sync with the national portal, run by the server against
//! the portal's simulator: a dossier received at the counter reaches the
//! portal with its procedure's and agency's names, then its completion and
//! return, in order; while the portal is down the changes wait, and they
//! arrive once it is back.

use std::time::Duration;

use eiso_portal_sim::Simulator;
use eiso_proto::eiso::identity::v1::Role;
use eiso_proto::eiso::plans::v1::{Comparator, CreateTargetRequest, EvaluateTargetsRequest, Measure, Plan, Target};
use eiso_proto::eiso::procedures::v1::{CompleteDossierRequest, ReturnResultRequest};
use eiso_proto::eiso::sync::v1::{
    DossierSync, GetDossierSyncRequest, GetSyncStatusRequest, ListDossierSyncsRequest, ResendDossierSyncRequest,
    dossier_sync,
};
use eiso_tests::TestServer;
use eiso_tests::plans::{create_plan, reform_plan};
use tonic::Code;

/// Waits up to 20 s for the portal to hold `code` in `states`.
async fn until_states(simulator: &Simulator, code: &str, states: &[&str]) {
    for _ in 0..200 {
        if simulator.dossier(code).is_some_and(|held| held.states == states) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "{code}: {:?}; the portal saw {:?}",
        simulator.dossier(code).map(|held| held.states),
        simulator.counters()
    );
}

#[tokio::test]
async fn a_dossier_reaches_the_portal_in_order_and_waits_while_it_is_down() {
    let (simulator, server) = TestServer::with_portal().await;
    let school = server.school_with_dossier().await;
    let code = school.dossier.code.clone();
    until_states(&simulator, &code, &["2"]).await;
    let held = simulator.dossier(&code).expect("held");
    assert_eq!(held.dossier["MaTTHC"], "2.002481");
    assert_eq!(
        held.dossier["TenTTHC"],
        "Chuyển trường đối với học sinh trung học cơ sở"
    );
    assert_eq!(held.dossier["DonViXuLy"], "Trường THCS A");
    assert_eq!(held.dossier["ChuHoSo"], "Trần Thị Bình");

    // The reform plan's target "dossiers synchronised to the portal": the true ratio.
    let (_, leader) = server
        .user_with_role("lanh.dao", Role::Leader, &school.school.name)
        .await;
    let mut plans = server.plans(&leader);
    let year: i32 = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Ho_Chi_Minh)
        .format("%Y")
        .to_string()
        .parse()
        .expect("a year");
    let plan = create_plan(
        &mut plans,
        Plan {
            title: "Kế hoạch cải cách hành chính".into(),
            ..reform_plan(&school.school.name, year)
        },
    )
    .await;
    plans
        .create_target(CreateTargetRequest {
            parent: plan.name.clone(),
            target: Some(Target {
                number: "1".into(),
                text: "100% hồ sơ được cập nhật, theo dõi và đồng bộ lên Cổng Dịch vụ công quốc gia".into(),
                measure: Measure::DossiersTracked as i32,
                comparator: Comparator::AtLeast as i32,
                threshold_percent: 100.0,
                ..Default::default()
            }),
            ..Default::default()
        })
        .await
        .expect("a target");
    let tracked = || {
        let mut plans = plans.clone();
        let name = plan.name.clone();
        async move {
            let evaluation = plans
                .evaluate_targets(EvaluateTargetsRequest {
                    name,
                    ..Default::default()
                })
                .await
                .expect("evaluated")
                .into_inner()
                .evaluations
                .remove(0);
            (evaluation.numerator, evaluation.denominator)
        }
    };
    assert_eq!(tracked().await, (1, 1), "received and synchronised");

    // The portal goes down; the dossier is completed and returned meanwhile.
    simulator.set_down(true);
    server
        .dossiers(&leader)
        .complete_dossier(CompleteDossierRequest {
            name: school.dossier.name.clone(),
            result_summary: "Đồng ý chuyển trường".into(),
            digitised: true,
        })
        .await
        .expect("completed");
    let clerk = server
        .login("mot.cua.a", "mot.cua.a-password")
        .await
        .expect("the clerk");
    server
        .dossiers(&clerk)
        .return_result(ReturnResultRequest {
            name: school.dossier.name.clone(),
        })
        .await
        .expect("returned");
    let mut sync = server.sync(&server.admin_token);
    let name = format!("{}/sync", school.dossier.name);
    for _ in 0..200 {
        let state = sync
            .get_dossier_sync(GetDossierSyncRequest { name: name.clone() })
            .await
            .expect("its sync")
            .into_inner();
        if state.attempts > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        simulator.dossier(&code).expect("held").states,
        ["2"],
        "nothing arrives while down"
    );
    assert_eq!(
        tracked().await,
        (0, 1),
        "its newest changes wait: not synchronised meanwhile"
    );
    simulator.set_down(false);
    // Back up: both changes arrive, in order (the first backoff is 5 s at most).
    until_states(&simulator, &code, &["2", "9", "10"]).await;
    assert_eq!(
        simulator.dossier(&code).expect("held").dossier["DanhSachGiayToKetQua"][0]["DuocSoHoa"],
        "1"
    );

    assert_eq!(tracked().await, (1, 1), "caught up: 100%");

    // What the administrator sees of it.
    let state = sync
        .get_dossier_sync(GetDossierSyncRequest { name: name.clone() })
        .await
        .expect("its sync")
        .into_inner();
    assert_eq!(state.state, dossier_sync::State::Synced as i32, "{state:?}");
    assert_eq!(state.synced_sequence, state.seen_sequence);
    assert_eq!((state.code.as_str(), state.last_error.as_str()), (code.as_str(), ""));
    assert!(state.pending_since_time.is_none());
    let status = sync
        .get_sync_status(GetSyncStatusRequest {})
        .await
        .expect("status")
        .into_inner();
    assert!(status.configured);
    assert_eq!(status.portal_url, simulator.url());
    assert_eq!(
        (status.synced_dossiers, status.pending_dossiers, status.parked_dossiers),
        (1, 0, 0)
    );
    assert!(status.oldest_pending_time.is_none(), "no lag once delivered");
    let listed = |filter: &str| {
        let mut sync = sync.clone();
        let filter = filter.to_string();
        async move {
            sync.list_dossier_syncs(ListDossierSyncsRequest {
                filter,
                ..Default::default()
            })
            .await
            .map(|answer| answer.into_inner().dossier_syncs)
        }
    };
    assert_eq!(listed("state = SYNCED").await.expect("listed").len(), 1);
    assert!(listed("state = PARKED").await.expect("listed").is_empty());
    assert_eq!(
        listed("state = LOST").await.expect_err("no such state").code(),
        Code::InvalidArgument
    );
    let not_parked = sync
        .resend_dossier_sync(ResendDossierSyncRequest { name: name.clone() })
        .await
        .expect_err("not parked");
    assert_eq!(not_parked.code(), Code::FailedPrecondition, "{not_parked:?}");
    let bad = sync
        .get_dossier_sync(GetDossierSyncRequest {
            name: school.dossier.name.clone(),
        })
        .await
        .expect_err("not a sync's name");
    assert_eq!(bad.code(), Code::InvalidArgument);
    assert!(bad.message().contains("name"), "{}", bad.message());
    simulator.shutdown().await;
}

#[tokio::test]
async fn without_a_portal_nothing_is_synchronised_and_the_api_says_so() {
    let server = TestServer::start().await;
    let school = server.school_with_dossier().await;
    let mut sync = server.sync(&server.admin_token);
    let status = sync
        .get_sync_status(GetSyncStatusRequest {})
        .await
        .expect("status")
        .into_inner();
    assert!(!status.configured);
    let missing = sync
        .get_dossier_sync(GetDossierSyncRequest {
            name: format!("{}/sync", school.dossier.name),
        })
        .await
        .expect_err("nothing synchronised");
    assert_eq!(missing.code(), Code::NotFound);
    let listed: Vec<DossierSync> = sync
        .list_dossier_syncs(ListDossierSyncsRequest::default())
        .await
        .expect("listed")
        .into_inner()
        .dossier_syncs;
    assert!(listed.is_empty());
}
