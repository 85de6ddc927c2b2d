//! The dossiers' sync with the national portal, run by the server against
//! the portal's simulator: a dossier received at the counter reaches the
//! portal with its procedure's and agency's names, then its completion and
//! return, in order; while the portal is down the changes wait, and they
//! arrive once it is back.

use std::time::Duration;

use eiso_platform::config::PortalConfig;
use eiso_portal_sim::{Config as SimConfig, Simulator};
use eiso_proto::eiso::identity::v1::Role;
use eiso_proto::eiso::procedures::v1::{CompleteDossierRequest, ReturnResultRequest};
use eiso_tests::TestServer;

const AGENCY: &str = "000.31.H31";

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
    let simulator = Simulator::start(SimConfig::default().with_account("hp-gddt", "mat-khau-cong", AGENCY))
        .await
        .expect("the simulator");
    let url = simulator.url();
    let server = TestServer::start_configured(|config| {
        config.portal = Some(PortalConfig {
            url,
            username: "hp-gddt".into(),
            password: "mat-khau-cong".into(),
            agency_code: AGENCY.into(),
            timeout_seconds: 5,
            interval_seconds: 1,
            procedure_codes: Default::default(),
        });
    })
    .await;
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

    // The portal goes down; the dossier is completed and returned meanwhile.
    simulator.set_down(true);
    let (_, leader) = server
        .user_with_role("lanh.dao", Role::Leader, &school.school.name)
        .await;
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
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        simulator.dossier(&code).expect("held").states,
        ["2"],
        "nothing arrives while down"
    );
    simulator.set_down(false);
    // Back up: both changes arrive, in order (the first backoff is 5 s at most).
    until_states(&simulator, &code, &["2", "9", "10"]).await;
    assert_eq!(
        simulator.dossier(&code).expect("held").dossier["DanhSachGiayToKetQua"][0]["DuocSoHoa"],
        "1"
    );
    simulator.shutdown().await;
}
