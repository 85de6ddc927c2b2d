//! The web page of the dossiers' sync with the national portal
//! (`/quan-tri/dong-bo`) against the portal's simulator: a dossier the portal
//! keeps refusing is parked and listed, with its agency, attempts and error;
//! an administrator of its unit (or a unit above) sends it again from the
//! page and it is delivered; administrators below or beside do not see it
//! and cannot send it; the dossier's page shows its sync; without a portal
//! the page says so.

use std::time::Duration;

use eiso_portal_sim::{Fault, Simulator};
use eiso_proto::eiso::identity::v1::Role;
use eiso_proto::eiso::procedures::v1::Dossier;
use eiso_proto::eiso::sync::v1::{DossierSync, GetDossierSyncRequest, GetSyncStatusRequest, dossier_sync};
use eiso_tests::TestServer;
use eiso_tests::browser::Page;
use eiso_tests::outward::{Administrators, OutwardPage, until};
use eiso_tests::web::{id_of, next_page};

const PAGE: &str = "/quan-tri/dong-bo";
const LIST: OutwardPage = OutwardPage {
    path: PAGE,
    rows,
    none_listed: "Không có hồ sơ nào trong danh sách này.",
    not_configured: "Chưa cấu hình kết nối Cổng Dịch vụ công quốc gia",
    on_dossier_page: |page| page.body.contains("Đồng bộ Cổng DVCQG"),
    back: None,
};
/// What the simulated portal answers while it refuses.
const REFUSAL: &str = "Mã thủ tục hành chính không có trong Cơ sở dữ liệu quốc gia";

/// The sync of `dossier` once `done` holds of it (up to 40 s: three
/// refusals park a dossier after two backoffs of at most 5 and 10 s).
async fn sync_until(server: &TestServer, dossier: &Dossier, done: impl Fn(&DossierSync) -> bool) -> DossierSync {
    let mut sync = server.sync(&server.admin_token);
    let name = format!("{}/sync", dossier.name);
    let mut last = None;
    for _ in 0..400 {
        if let Ok(answer) = sync
            .get_dossier_sync(GetDossierSyncRequest { name: name.clone() })
            .await
        {
            let state = answer.into_inner();
            if done(&state) {
                return state;
            }
            last = Some(state);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{}: {last:?}", dossier.code);
}

/// Waits up to 20 s for the portal to hold `code`.
async fn until_held(simulator: &Simulator, code: &str) {
    for _ in 0..200 {
        if simulator.dossier(code).is_some() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{code} never reached the portal: {:?}", simulator.counters());
}

/// How many dossiers a list page shows.
fn rows(page: &Page) -> usize {
    page.body.matches(r#"<a class="mono" href="/ho-so/"#).count()
}

#[tokio::test]
async fn a_parked_dossier_is_listed_and_sent_again_by_an_administrator_of_its_units() {
    let (simulator, server) = TestServer::with_portal().await;
    // The portal refuses the first three calls: the dossier's first three
    // attempts, after which it is parked.
    simulator.fail_next(
        3,
        Fault::ErrorCode {
            error_code: 99,
            message: REFUSAL.into(),
        },
    );
    let school = server.school_with_dossier().await;
    let dossier = school.dossier.clone();
    let parked = sync_until(&server, &dossier, |s| s.state == dossier_sync::State::Parked as i32).await;
    assert_eq!(parked.attempts, 3, "{parked:?}");
    assert!(simulator.dossier(&dossier.code).is_none(), "nothing delivered");

    // The system's administrator (at the root): the sync as a whole and the parked dossier.
    let mut admin = server.browser_of("admin").await;
    let units = admin.get("/quan-tri/don-vi").await;
    assert!(
        units
            .body
            .contains(r#"<a href="/quan-tri/dong-bo">Đồng bộ Cổng DVCQG</a>"#),
        "the administration links the page"
    );
    let page = admin.get(PAGE).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let body = &page.body;
    assert!(body.contains("<h1>Đồng bộ Cổng Dịch vụ công quốc gia</h1>"), "{body}");
    assert!(body.contains(&simulator.url()), "the portal's address: {body}");
    assert!(body.contains(r#"<span class="n">1</span> hồ sơ bị dừng"#), "{body}");
    assert!(body.contains(r#"<span class="n">0</span> hồ sơ đã đồng bộ"#), "{body}");
    assert!(
        body.contains(r#"aria-current="page">Bị dừng</a>"#),
        "opens on the parked: {body}"
    );
    assert!(
        body.contains(&format!(r#"href="/ho-so/{}">{}</a>"#, id_of(&dossier), dossier.code)),
        "the dossier, linked: {body}"
    );
    assert!(body.contains("<td>Trường THCS A</td>"), "its agency by name: {body}");
    assert!(
        !body.contains(&format!("<td>{}</td>", school.school.name)),
        "not its id"
    );
    assert!(body.contains(r#"<td class="num">3</td>"#), "three attempts: {body}");
    assert!(body.contains(REFUSAL), "the portal's answer: {body}");
    let last_attempt = eiso_web::format::timestamp(parked.last_attempt_time.as_ref());
    assert!(
        body.contains(&format!("<td>{last_attempt}</td>")),
        "the last attempt in Vietnam's time ({last_attempt}): {body}"
    );
    assert!(body.contains(&LIST.resend_form(&dossier)), "{body}");
    // The lag: the change waiting since the dossier was received, in Vietnam's time.
    let status = server
        .sync(&server.admin_token)
        .get_sync_status(GetSyncStatusRequest {})
        .await
        .unwrap()
        .into_inner();
    let oldest = eiso_web::format::timestamp(status.oldest_pending_time.as_ref());
    assert!(!oldest.is_empty());
    assert!(
        body.contains(&format!("{oldest} <span class=\"lag\">(chậm ")),
        "{oldest}: {body}"
    );
    let other_tab = admin.get(&format!("{PAGE}?loai=dang-loi")).await;
    assert_eq!(rows(&other_tab), 0, "not failing: parked");
    assert!(
        other_tab
            .body
            .contains(r#"aria-current="page">Đang lỗi, sẽ thử lại</a>"#)
    );
    assert_eq!(admin.get(&format!("{PAGE}?loai=khac")).await.status, 400);

    // The dossier's page says where its sync stands.
    let dossier_page = admin.get(&format!("/ho-so/{}", id_of(&dossier))).await;
    assert_eq!(dossier_page.status, 200);
    let line = dossier_page
        .body
        .split("<dt>Đồng bộ Cổng DVCQG</dt>")
        .nth(1)
        .unwrap_or_else(|| panic!("the sync's line: {}", dossier_page.body));
    let line = &line[..line.find("</dd>").unwrap()];
    assert!(
        line.contains(r#"<span class="status status-parked">Bị dừng</span>"#),
        "{line}"
    );
    assert!(line.contains("3 lần gửi lỗi"), "{line}");
    assert!(line.contains(REFUSAL), "{line}");
    assert!(
        line.contains(&format!(r#"<a href="{PAGE}">Xem danh sách đồng bộ</a>"#)),
        "{line}"
    );

    // One rule: an administrator of the school or of the office above sees
    // it and may send it again; one of the team below or the school beside
    // sees nothing of it and is refused.
    let Administrators {
        school_admin,
        mut at_school,
        mut above,
        mut below,
        mut beside,
    } = server.administrators_around(&school).await;
    for (who, browser) in [("same unit", &mut at_school), ("above", &mut above)] {
        let page = LIST.sees_parked(who, browser, &dossier).await;
        assert!(
            !page.body.contains("hồ sơ đã đồng bộ"),
            "{who}: the office's figures are a root reader's"
        );
    }
    for (who, browser) in [("below", &mut below), ("beside", &mut beside)] {
        LIST.sees_none_of(who, browser, &dossier).await;
    }
    // A leader of the school reads the list, without the button; the
    // counter's clerk reads neither the page nor the dossier's line.
    let mut leader = server.signed_in("lanh.dao", Role::Leader, &school.school.name).await;
    LIST.leader_reads_without_button(&mut leader).await;
    assert!(
        leader
            .get(&format!("/ho-so/{}", id_of(&dossier)))
            .await
            .body
            .contains("<dt>Đồng bộ Cổng DVCQG</dt>")
    );
    let refused = LIST.resend_from_list(&mut leader, &dossier).await;
    assert_eq!(refused.status, 403, "a leader does not send again");
    LIST.clerk_reads_neither(&server, &dossier).await;
    assert!(
        leader.get("/").await.body.contains(&format!(r#"href="{PAGE}""#)),
        "the leader's home links it"
    );
    let still = sync_until(&server, &dossier, |_| true).await;
    assert_eq!(
        still.state,
        dossier_sync::State::Parked as i32,
        "the refusals changed nothing"
    );

    LIST.forged_resend_is_refused(&mut at_school, &dossier).await;
    // The school's administrator sends it again: it is delivered.
    let sent = LIST.resend_from_list(&mut at_school, &dossier).await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    let back = sent.location.expect("back to the list");
    let page = at_school.get(&back).await;
    assert!(page.body.contains("Đã đưa hồ sơ vào hàng chờ gửi lại"), "{}", page.body);
    until_held(&simulator, &dossier.code).await;
    let synced = sync_until(&server, &dossier, |s| s.state == dossier_sync::State::Synced as i32).await;
    let page = at_school.get(&format!("{PAGE}?loai=da-dong-bo")).await;
    assert_eq!(rows(&page), 1, "{}", page.body);
    assert_eq!(rows(&at_school.get(PAGE).await), 0, "parked no more");
    let dossier_page = at_school.get(&format!("/ho-so/{}", id_of(&dossier))).await;
    assert!(
        dossier_page.body.contains(&format!(
            r#"<span class="status status-synced">Đã đồng bộ</span>: Cổng đã có đến thay đổi số {}"#,
            synced.synced_sequence
        )),
        "{}",
        dossier_page.body
    );
    assert!(dossier_page.body.contains(&format!(
        r#"<a href="{PAGE}?loai=da-dong-bo">Xem danh sách đồng bộ</a>"#
    )));
    // Sent again once: a second time is refused, since it is not parked.
    let again = LIST.resend_from_list(&mut at_school, &dossier).await;
    assert_eq!(again.status, 422);
    assert!(again.body.contains("Hồ sơ này không còn bị dừng"), "{}", again.body);

    // The trail keeps who sent it again, as for the same call over gRPC.
    let resent = server
        .actors_of("trails/sync", &format!("{}/sync", dossier.name), "/ResendDossierSync")
        .await;
    assert_eq!(resent, [school_admin]);
    simulator.shutdown().await;
}

#[tokio::test]
async fn the_lists_page_fifty_at_a_time_by_state_and_unit() {
    let (simulator, server) = TestServer::with_portal().await;
    let school = server.school_with_dossier().await;
    server.receive_fifty(&school).await;
    until(|| simulator.dossiers().len() == 51).await;
    assert_eq!(simulator.dossiers().len(), 51);
    let mut admin = server.browser_of("admin").await;
    let mut first = admin.get(&format!("{PAGE}?loai=da-dong-bo")).await;
    for _ in 0..100 {
        // The last delivery's state is written just after the portal took it.
        if rows(&first) == 50 && first.body.contains(r#"<span class="n">51</span> hồ sơ đã đồng bộ"#) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        first = admin.get(&format!("{PAGE}?loai=da-dong-bo")).await;
    }
    assert_eq!(rows(&first), 50);
    assert!(
        first.body.contains("Không có: Cổng đã nhận mọi thay đổi."),
        "no lag: {}",
        first.body
    );
    let next = next_page(&first).expect("a next page");
    assert!(next.starts_with(&format!("{PAGE}?loai=da-dong-bo&trang=")), "{next}");
    let second = admin.get(&next).await;
    assert_eq!(rows(&second), 1, "{}", second.body);
    assert!(!second.body.contains("Trang sau"));
    // By unit: the school's, none beside it.
    LIST.filters_by_unit(&mut admin, &format!("{PAGE}?loai=da-dong-bo"), &school)
        .await;
    simulator.shutdown().await;
}

#[tokio::test]
async fn without_a_portal_the_page_says_it_is_not_configured() {
    let server = TestServer::start().await;
    LIST.says_it_is_not_configured(&server).await;
}
