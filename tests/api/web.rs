//! The office's web app, through the server's own port as a browser uses it:
//! sign-in with its CSRF guard, receiving a dossier at the counter (once,
//! however often the form is sent), the dossier's pages and forms, and the
//! same unit scoping as the gRPC API.

use eiso_proto::eiso::identity::v1::Role;
use eiso_proto::eiso::procedures::v1::{Channel, ListDossiersRequest};
use eiso_tests::TestServer;
use eiso_tests::browser::Browser;
use eiso_tests::counter::{TRANSFER, transfer_receipt};

/// The password the harness gives every user it creates.
fn password(username: &str) -> String {
    format!("{username}-password")
}

/// An office with a counter clerk, a published procedure, and a browser.
async fn counter() -> (TestServer, eiso_tests::counter::Office, Browser) {
    let server = TestServer::start().await;
    let office = server.education_office().await;
    server.transfer_procedure(&office.controller, &office.unit.name).await;
    server
        .user_with_role("mot.cua", Role::CounterStaff, &office.unit.name)
        .await;
    let browser = Browser::new(server.addr);
    (server, office, browser)
}

/// A second counter clerk's token, and a processing officer with a token, at
/// the office.
async fn staff(
    server: &TestServer,
    office: &eiso_tests::counter::Office,
) -> (String, eiso_proto::eiso::identity::v1::User, String) {
    let (_, clerk) = server
        .user_with_role("mot.cua.2", Role::CounterStaff, &office.unit.name)
        .await;
    let (officer, officer_token) = server
        .user_with_role("chuyen.vien", Role::ProcessingOfficer, &office.unit.name)
        .await;
    (clerk, officer, officer_token)
}

/// A dossier received over gRPC by `clerk` at `agency` from `applicant`.
async fn receive(
    server: &TestServer,
    clerk: &str,
    agency: &str,
    applicant: &str,
) -> eiso_proto::eiso::procedures::v1::Dossier {
    server
        .dossiers(clerk)
        .receive_dossier(transfer_receipt(agency, applicant, Channel::Direct))
        .await
        .unwrap()
        .into_inner()
}

/// `dossier` handed by `clerk` to `officer` (`users/{id}`) for the step after
/// the intake.
async fn hand_over(server: &TestServer, clerk: &str, dossier: &str, officer: &str) {
    server
        .dossiers(clerk)
        .hand_over_dossier(eiso_proto::eiso::procedures::v1::HandOverDossierRequest {
            name: dossier.to_string(),
            step: 1,
            receiver: officer.to_string(),
            note: String::new(),
        })
        .await
        .unwrap();
}

/// The procedures service's audit trail, as the administrator reads it.
async fn procedures_trail(server: &TestServer) -> Vec<eiso_proto::eiso::audit::v1::AuditEntry> {
    server
        .audit(Some(&server.admin_token))
        .list_audit_entries(eiso_proto::eiso::audit::v1::ListAuditEntriesRequest {
            parent: "trails/procedures".into(),
            page_size: 1000,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .audit_entries
}

/// Every dossier, as the administrator lists them over gRPC.
async fn all_dossiers(server: &TestServer) -> eiso_proto::eiso::procedures::v1::ListDossiersResponse {
    server
        .dossiers(&server.admin_token)
        .list_dossiers(ListDossiersRequest::default())
        .await
        .unwrap()
        .into_inner()
}

#[tokio::test]
async fn a_page_without_a_session_leads_to_sign_in_and_back() {
    let (server, _office, mut browser) = counter().await;
    let page = browser.get("/ho-so?loai=qua-han").await;
    assert_eq!(page.status, 303);
    assert_eq!(
        page.location.as_deref(),
        Some("/dang-nhap?tiep=/ho-so%3Floai%3Dqua-han")
    );

    let form = browser.get("/dang-nhap?tiep=/ho-so%3Floai%3Dqua-han").await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("Đăng nhập"));
    assert_eq!(form.input("tiep").as_deref(), Some("/ho-so?loai=qua-han"));
    let csrf = form.input("csrf").unwrap();
    assert_eq!(browser.cookie("eiso_csrf"), Some(csrf.as_str()));

    let wrong = browser
        .post(
            "/dang-nhap",
            &[
                ("csrf", &csrf),
                ("tiep", "/ho-so"),
                ("ten_dang_nhap", "mot.cua"),
                ("mat_khau", "not it"),
            ],
        )
        .await;
    assert_eq!(wrong.status, 401);
    assert!(wrong.body.contains("Tên đăng nhập hoặc mật khẩu không đúng."));
    assert!(browser.cookie("eiso_session").is_none());

    let right = browser
        .post(
            "/dang-nhap",
            &[
                ("csrf", &csrf),
                ("tiep", "/ho-so?loai=qua-han"),
                ("ten_dang_nhap", "mot.cua"),
                ("mat_khau", &password("mot.cua")),
            ],
        )
        .await;
    assert_eq!(right.status, 303);
    assert_eq!(right.location.as_deref(), Some("/ho-so?loai=qua-han"));
    let set_cookie = right.headers.get("set-cookie").unwrap().to_str().unwrap();
    assert!(
        set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"),
        "{set_cookie}"
    );

    let list = browser.get("/ho-so?loai=qua-han").await;
    assert_eq!(list.status, 200);
    assert!(list.body.contains("Hồ sơ: Quá hạn"));
    assert!(list.headers.get("content-security-policy").is_some());

    // Signing out ends the session in the browser.
    let out = browser.post("/dang-xuat", &[("csrf", &browser.csrf())]).await;
    assert_eq!(out.status, 303);
    assert!(browser.cookie("eiso_session").is_none());
    assert_eq!(browser.get("/ho-so").await.status, 303);
    server.stop().await;
}

#[tokio::test]
async fn a_person_changes_their_own_password_with_the_current_one() {
    let (server, _office, mut browser) = counter().await;
    browser.sign_in("mot.cua", &password("mot.cua")).await;
    let form = browser.get("/doi-mat-khau").await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("Mật khẩu đang dùng"));
    let csrf = browser.csrf();
    let change = |current: &'static str, new: &'static str, again: &'static str| {
        [
            ("csrf", csrf.clone()),
            ("mat_khau_hien_tai", current.to_string()),
            ("mat_khau_moi", new.to_string()),
            ("nhap_lai", again.to_string()),
        ]
    };
    let send = async |browser: &mut Browser, fields: [(&'static str, String); 4]| {
        let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        browser.post("/doi-mat-khau", &pairs).await
    };
    // Each mistake is named on its field, in Vietnamese; nothing changes.
    let short = send(&mut browser, change("mot.cua-password", "ngan", "ngan")).await;
    assert_eq!(short.status, 422);
    assert!(short.body.contains("Mật khẩu mới cần ít nhất 10 ký tự."));
    let mismatch = send(
        &mut browser,
        change("mot.cua-password", "mat-khau-moi-1", "mat-khau-moi-2"),
    )
    .await;
    assert!(mismatch.body.contains("Hai lần nhập mật khẩu mới không giống nhau."));
    let wrong = send(
        &mut browser,
        change("not-the-password", "mat-khau-moi-1", "mat-khau-moi-1"),
    )
    .await;
    assert_eq!(wrong.status, 422);
    assert!(wrong.body.contains("Mật khẩu đang dùng không đúng."), "{}", wrong.body);

    let done = send(
        &mut browser,
        change("mot.cua-password", "mat-khau-moi-1", "mat-khau-moi-1"),
    )
    .await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.body.contains("Đã đổi mật khẩu."));
    // The new password signs in; the old one no longer does.
    let mut again = Browser::new(server.addr);
    again.sign_in("mot.cua", "mat-khau-moi-1").await;
    let old = server
        .identity(None)
        .login(eiso_proto::eiso::identity::v1::LoginRequest {
            credentials: Some(eiso_proto::eiso::identity::v1::login_request::Credentials::Password(
                eiso_proto::eiso::identity::v1::PasswordCredentials {
                    username: "mot.cua".into(),
                    password: password("mot.cua"),
                },
            )),
        })
        .await;
    assert_eq!(old.unwrap_err().code(), tonic::Code::Unauthenticated);
    server.stop().await;
}

#[tokio::test]
async fn a_first_start_offers_the_demo_office_to_the_administrator_once() {
    let server = TestServer::start().await;
    let mut admin = server.browser_of("admin").await;
    let home = admin.get("/").await;
    assert!(home.body.contains("nạp dữ liệu mẫu"), "{}", home.body);
    let offer = admin.get("/du-lieu-mau").await;
    assert_eq!(offer.status, 200);
    // A form without its CSRF value loads nothing.
    assert_eq!(admin.post("/du-lieu-mau", &[]).await.status, 403);

    let loaded = admin.post("/du-lieu-mau", &[("csrf", &admin.csrf())]).await;
    assert_eq!(loaded.status, 200, "{}", loaded.body);
    assert!(loaded.body.contains("Đã nạp dữ liệu mẫu"));
    let marker = "<strong class=\"mono\">";
    let at = loaded.body.find(marker).expect("the password is shown") + marker.len();
    let password = loaded.body[at..at + 14].to_string();
    assert_eq!(password.len(), 14, "xxxx-xxxx-xxxx: {password}");
    for username in ["mot.cua", "chuyen.vien", "lanh.dao", "thu.ky", "hieu.truong"] {
        assert!(loaded.body.contains(username), "{username}");
    }
    // Offered once: the office is no longer empty.
    assert!(!admin.get("/").await.body.contains("nạp dữ liệu mẫu"));
    let again = admin.post("/du-lieu-mau", &[("csrf", &admin.csrf())]).await;
    assert_eq!(again.status, 400);
    assert!(again.body.contains("Hệ thống đã có dữ liệu"));

    // The demo people sign in with the password shown, and find a living office.
    let mut clerk = Browser::new(server.addr);
    clerk.sign_in("mot.cua", &password).await;
    let list = clerk.get("/ho-so").await;
    assert_eq!(list.body.matches("<tr").count() - 1, 5, "five dossiers: {}", list.body);
    assert!(
        clerk
            .get("/ho-so?loai=cho-bo-sung")
            .await
            .body
            .contains("Phạm Thị Dung")
    );
    assert!(clerk.get("/ho-so?loai=da-tra").await.body.contains("Vũ Minh Đức"));
    let mut leader = Browser::new(server.addr);
    leader.sign_in("lanh.dao", &password).await;
    let dashboard = leader.get("/tong-quan").await;
    assert!(dashboard.body.contains("Chỉ tiêu ≥ 95%"), "{}", dashboard.body);
    // A school's leader may not load anything, and sees no offer.
    let mut head = Browser::new(server.addr);
    head.sign_in("hieu.truong", &password).await;
    assert_eq!(head.get("/du-lieu-mau").await.status, 403);
    assert_eq!(head.post("/du-lieu-mau", &[("csrf", &head.csrf())]).await.status, 403);

    // The plans: the seed's 2024 plan and this year's sample.
    let plans = server
        .plans(&server.admin_token)
        .list_plans(eiso_proto::eiso::plans::v1::ListPlansRequest::default())
        .await
        .unwrap()
        .into_inner()
        .plans;
    let mut ids: Vec<_> = plans.iter().map(|p| p.name.clone()).collect();
    ids.sort();
    assert_eq!(ids.len(), 2, "{ids:?}");
    assert!(ids.contains(&"plans/cchc-2024".to_string()));
    assert!(
        plans.iter().all(|p| (p.task_count, p.target_count) == (28, 8)),
        "the seed's tasks and targets"
    );
    // Each step is recorded as the person whose work it is, with the reason.
    let entries = procedures_trail(&server).await;
    let import = entries
        .iter()
        .find(|e| e.method.ends_with("/ImportProcedures"))
        .expect("the catalogue import is in the trail");
    assert_eq!(import.reason, "dữ liệu mẫu");
    assert!(import.actor.starts_with("users/"));
    server.stop().await;
}

/// A session token for `username` signed with the server's own key, as if
/// issued `signed_in` ago (renewals since keep that time) and expiring in
/// `left`.
async fn aged_token(
    server: &TestServer,
    username: &str,
    signed_in: chrono::Duration,
    left: chrono::Duration,
) -> String {
    use sea_orm::ConnectionTrait;
    let db = server.backend.as_ref().unwrap().connect_raw("identity").await;
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT secret FROM signing_keys WHERE id = 'primary'",
        ))
        .await
        .unwrap()
        .unwrap();
    let secret: String = row.try_get("", "secret").unwrap();
    let signer = eiso_platform::auth::TokenSigner::new("primary", secret.into_bytes());
    let token = server.login(username, &password(username)).await.unwrap();
    let mut principal = signer.verify(&token, chrono::Utc::now()).unwrap();
    let now = chrono::Utc::now();
    principal.issue_time = now - signed_in;
    principal.expire_time = now + left;
    signer.issue(&principal)
}

#[tokio::test]
async fn a_session_in_use_is_renewed_until_the_sign_in_is_a_working_day_old() {
    use chrono::Duration;
    let (server, _office, mut browser) = counter().await;
    browser.sign_in("mot.cua", &password("mot.cua")).await;
    // A young session is left alone.
    let page = browser.get("/ho-so").await;
    assert_eq!(page.status, 200);
    assert!(page.headers.get("set-cookie").is_none(), "{:?}", page.headers);

    // Past half of its hour: the page's answer carries a renewed session,
    // valid for another hour.
    let old = aged_token(&server, "mot.cua", Duration::minutes(40), Duration::minutes(20)).await;
    browser.set_cookie("eiso_session", &old);
    let page = browser.get("/ho-so").await;
    assert_eq!(page.status, 200);
    let renewed = browser.cookie("eiso_session").unwrap().to_string();
    assert_ne!(renewed, old, "renewed");
    let set = page.headers["set-cookie"].to_str().unwrap().to_string();
    assert!(set.contains("HttpOnly") && set.contains("Max-Age=3"), "{set}");
    let who = server
        .identity(Some(&renewed))
        .who_am_i(eiso_proto::eiso::identity::v1::WhoAmIRequest {})
        .await
        .unwrap()
        .into_inner();
    let expires = who.expire_time.unwrap().seconds - chrono::Utc::now().timestamp();
    assert!((3500..=3600).contains(&expires), "{expires}");

    // Signing out is not undone by a renewal.
    browser.set_cookie("eiso_session", &old);
    let out = browser.post("/dang-xuat", &[("csrf", &browser.csrf())]).await;
    assert_eq!(out.status, 303);
    assert!(browser.cookie("eiso_session").is_none());

    // A sign-in of 12 hours ago is not renewed: the person signs in again.
    let day_old = aged_token(&server, "mot.cua", Duration::hours(12), Duration::minutes(20)).await;
    browser.set_cookie("eiso_session", &day_old);
    let page = browser.get("/ho-so").await;
    assert_eq!(page.status, 200);
    assert_eq!(browser.cookie("eiso_session"), Some(day_old.as_str()), "not renewed");
    server.stop().await;
}

#[tokio::test]
async fn sign_in_never_sends_the_browser_elsewhere() {
    let (server, _office, mut browser) = counter().await;
    let form = browser.get("/dang-nhap").await;
    let csrf = form.input("csrf").unwrap();
    for next in ["//evil.example/", "https://evil.example/", "/\\evil.example"] {
        let page = browser
            .post(
                "/dang-nhap",
                &[
                    ("csrf", &csrf),
                    ("tiep", next),
                    ("ten_dang_nhap", "mot.cua"),
                    ("mat_khau", &password("mot.cua")),
                ],
            )
            .await;
        assert_eq!(page.location.as_deref(), Some("/"), "{next}");
    }
    server.stop().await;
}

#[tokio::test]
async fn a_form_without_its_csrf_value_is_refused() {
    let (server, office, mut browser) = counter().await;
    browser.sign_in("mot.cua", &password("mot.cua")).await;
    let page = browser
        .post(
            "/ho-so/tiep-nhan",
            &[
                ("csrf", "forged-forged-forged-forged-forged-forged"),
                ("request_id", "r-1"),
                ("thu_tuc", TRANSFER),
                ("co_quan", &office.unit.name),
                ("ho_ten", "Nguyễn Văn An"),
            ],
        )
        .await;
    assert_eq!(page.status, 403);
    assert!(page.body.contains("Biểu mẫu đã hết hiệu lực"));
    let listed = all_dossiers(&server).await;
    assert!(listed.dossiers.is_empty(), "nothing was received");
    server.stop().await;
}

#[tokio::test]
async fn the_counter_receives_a_dossier_once_and_prints_its_receipt() {
    let (server, office, mut browser) = counter().await;
    browser.sign_in("mot.cua", &password("mot.cua")).await;
    let form = browser.get(&format!("/ho-so/tiep-nhan?thu_tuc={TRANSFER}")).await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(form.body.contains("Chuyển trường đối với học sinh trung học cơ sở"));
    assert!(form.body.contains("3 ngày làm việc"));
    let request_id = form.input("request_id").unwrap();
    assert!(!request_id.is_empty());
    let csrf = browser.csrf();
    let fields = [
        ("csrf", csrf.as_str()),
        ("request_id", request_id.as_str()),
        ("thu_tuc", TRANSFER),
        ("co_quan", office.unit.name.as_str()),
        ("ho_ten", "Nguyễn Văn An"),
        ("so_dinh_danh", "031204001234"),
        ("dien_thoai", "0912345678"),
        ("dia_chi", "Số 5, phường Đằng Lâm"),
        ("trich_yeu", "Xin chuyển trường cho con"),
        ("kenh", "truc-tiep"),
    ];

    // A bad value comes back on the form, marked, in Vietnamese.
    let mut bad = fields.to_vec();
    bad[4] = ("ho_ten", "");
    let refused = browser.post("/ho-so/tiep-nhan", &bad).await;
    assert_eq!(refused.status, 422);
    assert!(
        refused.body.contains("Nhập họ và tên người nộp hồ sơ"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("aria-invalid=\"true\""));
    assert_eq!(
        refused.input("so_dinh_danh").as_deref(),
        Some("031204001234"),
        "what was typed stays"
    );

    // Sent twice (a double click, a reload): one dossier.
    let first = browser.post("/ho-so/tiep-nhan", &fields).await;
    assert_eq!(first.status, 303, "{}", first.body);
    let again = browser.post("/ho-so/tiep-nhan", &fields).await;
    assert_eq!(again.location, first.location);
    let listed = all_dossiers(&server).await;
    assert_eq!(listed.dossiers.len(), 1);
    let dossier = &listed.dossiers[0];
    assert_eq!(dossier.channel, Channel::Direct as i32);
    let id = dossier.name.trim_start_matches("dossiers/");
    assert_eq!(
        first.location.as_deref(),
        Some(format!("/ho-so/{id}/da-tiep-nhan").as_str())
    );

    let done = browser.get(first.location.as_deref().unwrap()).await;
    assert_eq!(done.status, 200);
    assert!(done.body.contains(&dossier.code));
    let receipt = browser.get(&format!("/ho-so/{id}/bieu-mau/01")).await;
    assert_eq!(receipt.status, 200);
    assert!(receipt.body.contains(&dossier.code));
    assert!(receipt.body.contains("Nguyễn Văn An"));
    // The citizen's lookup page, as an address and a QR code.
    assert!(receipt.body.contains(&format!("/tra-cuu?ma={}", dossier.code)));
    assert!(receipt.body.contains("<svg"));

    // The list and the dossier's page show it, with names rather than ids.
    let list = browser.get("/ho-so?loai=moi").await;
    assert!(list.body.contains(&dossier.code));
    assert!(list.body.contains("Nguyễn Văn An"));
    assert!(list.body.contains("làm việc"), "the working time left is shown");
    let page = browser.get(&format!("/ho-so/{id}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Phòng Giáo dục và Đào tạo"));
    assert!(page.body.contains("Chuyển trường đối với học sinh trung học cơ sở"));
    assert!(!page.body.contains(&office.unit.name), "no unit id on the page");

    // Two sets handed in by a business: the receipt counts the sets and
    // addresses the business as one; a type the page does not offer is named.
    let form = browser.get(&format!("/ho-so/tiep-nhan?thu_tuc={TRANSFER}")).await;
    let request_id = form.input("request_id").unwrap();
    let mut business = fields.to_vec();
    business[1] = ("request_id", request_id.as_str());
    business[4] = ("ho_ten", "Công ty TNHH Sao Biển");
    business.push(("so_bo", "2"));
    let mut unknown = business.clone();
    unknown.push(("loai_nguoi_nop", "ca-nhan-nuoc-ngoai"));
    let refused = browser.post("/ho-so/tiep-nhan", &unknown).await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("Chọn người nộp là"), "{}", refused.body);
    business.push(("loai_nguoi_nop", "doanh-nghiep"));
    let received = browser.post("/ho-so/tiep-nhan", &business).await;
    assert_eq!(received.status, 303, "{}", received.body);
    let id = received
        .location
        .as_deref()
        .unwrap()
        .trim_start_matches("/ho-so/")
        .trim_end_matches("/da-tiep-nhan")
        .to_string();
    let receipt = browser.get(&format!("/ho-so/{id}/bieu-mau/01")).await;
    assert!(receipt.body.contains("Mã số doanh nghiệp, tổ chức"), "{}", receipt.body);
    assert!(receipt.body.contains("Số lượng hồ sơ: 02 bộ"), "{}", receipt.body);
    server.stop().await;
}

#[tokio::test]
async fn the_counter_finds_a_procedure_by_typing_words_or_its_code() {
    let (server, office, mut browser) = counter().await;
    // A second published procedure, so that a search has something to leave out.
    let standard = eiso_proto::eiso::procedures::v1::ProcedureVersion {
        display_name: "Công nhận trường tiểu học đạt chuẩn quốc gia".into(),
        ..eiso_tests::counter::transfer_version(&office.unit.name)
    };
    server.publish_procedure(&office.controller, "1.004492", standard).await;
    // The indexer follows the catalogue asynchronously.
    let indexed = crate::search::searchable(&server, &server.admin_token, "chuan quoc gia", "procedure").await;
    assert_eq!(indexed.results.len(), 1);
    browser.sign_in("mot.cua", &password("mot.cua")).await;

    // Without script: words and Enter (the search button) list the matches,
    // best first and marked, for a second Enter to take.
    let page = browser.get("/ho-so/tiep-nhan?tim=chuyen+truong&tim_nut=1").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains(&format!("<option value=\"{TRANSFER}\" selected>")),
        "{}",
        page.body
    );
    assert!(!page.body.contains("1.004492"), "{}", page.body);
    assert!(page.body.contains("1 thủ tục khớp"));
    // Taking it opens the intake form of that procedure.
    let chosen = browser
        .get(&format!("/ho-so/tiep-nhan?tim=chuyen+truong&thu_tuc={TRANSFER}"))
        .await;
    assert!(chosen.body.contains("Thành phần hồ sơ đã nhận"), "{}", chosen.body);

    // What the script asks while the clerk types: with diacritics, without,
    // by code with or without its dots, with the last word half typed, in the
    // office's abbreviations, and with a slip of the fingers.
    for typed in [
        "chuyển trường",
        "CHUYEN TRUONG",
        "2.002481",
        "2002481",
        "chuyen tru",
        "chuyen truong thcs",
        "chuyen truogn",
    ] {
        let options = browser
            .get(&format!("/ho-so/tiep-nhan/thu-tuc?tim={}", typed.replace(' ', "+")))
            .await;
        assert_eq!(options.status, 200);
        assert!(
            options
                .body
                .starts_with(&format!("<option value=\"{TRANSFER}\" selected>")),
            "{typed}: {}",
            options.body
        );
        assert!(!options.body.contains("1.004492"), "{typed}: {}", options.body);
    }
    let other = browser.get("/ho-so/tiep-nhan/thu-tuc?tim=dat+chuan").await;
    assert!(
        other.body.contains("1.004492") && !other.body.contains(TRANSFER),
        "{}",
        other.body
    );
    let none = browser.get("/ho-so/tiep-nhan/thu-tuc?tim=xyzzy").await;
    assert!(none.body.contains("Không tìm thấy thủ tục nào"));
    // Words that only exclude find nothing, rather than an error page.
    for typed in ["-thcs", "-"] {
        let excluded = browser.get(&format!("/ho-so/tiep-nhan/thu-tuc?tim={typed}")).await;
        assert_eq!(excluded.status, 200, "{typed}: {}", excluded.body);
        assert!(
            excluded.body.contains("Không tìm thấy thủ tục nào"),
            "{typed}: {}",
            excluded.body
        );
        let page = browser.get(&format!("/ho-so/tiep-nhan?tim={typed}&tim_nut=1")).await;
        assert_eq!(page.status, 200, "{typed}: {}", page.body);
    }

    // Only the counter asks: a viewer is refused.
    server.user_with_role("xem", Role::Viewer, &office.unit.name).await;
    let mut viewer = server.browser_of("xem").await;
    assert_eq!(viewer.get("/ho-so/tiep-nhan/thu-tuc?tim=chuyen").await.status, 403);
    server.stop().await;
}

#[tokio::test]
async fn pages_show_a_dossier_only_inside_the_viewers_units() {
    let server = TestServer::start().await;
    let eiso_tests::counter::SchoolWithDossier {
        office,
        school,
        below,
        sibling,
        dossier,
    } = server.school_with_dossier().await;
    let root = server.root_unit().await.name;
    let id = dossier.name.trim_start_matches("dossiers/").to_string();
    for (who, unit, sees) in [
        ("same", school.name.as_str(), true),
        ("ancestor", office.unit.name.as_str(), true),
        ("root", root.as_str(), true),
        ("descendant", below.name.as_str(), false),
        ("sibling", sibling.name.as_str(), false),
    ] {
        let username = format!("xem.{who}");
        server.user_with_role(&username, Role::Leader, unit).await;
        let mut browser = Browser::new(server.addr);
        browser.sign_in(&username, &password(&username)).await;
        let page = browser.get(&format!("/ho-so/{id}")).await;
        assert_eq!(page.status, if sees { 200 } else { 404 }, "{who}");
        let list = browser.get("/ho-so").await;
        assert_eq!(list.body.contains(&dossier.code), sees, "{who}: list");
        // Naming the school in the unit filter shows nothing more.
        let filtered = browser.get(&format!("/ho-so?don_vi={}", school.name)).await;
        assert_eq!(filtered.status, 200, "{who}: filtered");
        assert_eq!(
            filtered.body.contains(&dossier.code),
            sees,
            "{who}: filtered by the school"
        );
        let form = browser.get(&format!("/ho-so/{id}/bieu-mau/01")).await;
        assert_eq!(form.status, if sees { 200 } else { 404 }, "{who}: form 01");
        if !sees {
            assert!(!page.body.contains("Trần Thị Bình") && !form.body.contains("Trần Thị Bình"));
        }
    }
    server.stop().await;
}

#[tokio::test]
async fn the_dossier_list_filters_by_procedure_unit_channel_and_day() {
    let (server, office, mut browser) = counter().await;
    let (clerk, _, _) = staff(&server, &office).await;
    let direct = receive(&server, &clerk, &office.unit.name, "Lê Văn Cường").await;
    let online = server
        .dossiers(&clerk)
        .receive_dossier(transfer_receipt(&office.unit.name, "Trần Thị Bình", Channel::Online))
        .await
        .unwrap()
        .into_inner();
    browser.sign_in("mot.cua", &password("mot.cua")).await;
    let shows = async |browser: &mut Browser, query: &str| {
        let page = browser.get(&format!("/ho-so?{query}")).await;
        assert_eq!(page.status, 200, "{query}: {}", page.body);
        (page.body.contains(&direct.code), page.body.contains(&online.code))
    };
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Ho_Chi_Minh)
        .date_naive();
    let tomorrow = today.succ_opt().unwrap();
    let yesterday = today.pred_opt().unwrap();
    assert_eq!(shows(&mut browser, "").await, (true, true));
    assert_eq!(shows(&mut browser, "kenh=truc-tuyen").await, (false, true));
    assert_eq!(shows(&mut browser, "kenh=truc-tiep").await, (true, false));
    assert_eq!(shows(&mut browser, &format!("thu_tuc={TRANSFER}")).await, (true, true));
    assert_eq!(shows(&mut browser, "thu_tuc=1.004492").await, (false, false));
    assert_eq!(
        shows(&mut browser, &format!("don_vi={}", office.unit.name)).await,
        (true, true)
    );
    assert_eq!(
        shows(&mut browser, &format!("tu_ngay={today}&den_ngay={today}")).await,
        (true, true)
    );
    assert_eq!(
        shows(&mut browser, &format!("tu_ngay={tomorrow}")).await,
        (false, false)
    );
    // Days as a clerk types them: day/month/year, whatever the browser's language.
    let typed = |day: chrono::NaiveDate| format!("{}", day.format("%d%%2F%m%%2F%Y"));
    assert_eq!(
        shows(
            &mut browser,
            &format!("tu_ngay={}&den_ngay={}", typed(today), typed(today))
        )
        .await,
        (true, true)
    );
    assert_eq!(
        shows(&mut browser, &format!("tu_ngay={}", typed(tomorrow))).await,
        (false, false)
    );
    assert_eq!(
        shows(&mut browser, &format!("den_ngay={yesterday}")).await,
        (false, false)
    );
    // Filters combine with a tab and are kept by the next page's link.
    assert_eq!(shows(&mut browser, "loai=moi&kenh=truc-tuyen").await, (false, true));
    let page = browser.get("/ho-so?kenh=truc-tuyen").await;
    assert!(
        page.body.contains("<option value=\"truc-tuyen\" selected>"),
        "the choice is kept"
    );
    // What is not a filter value is refused, named, not passed on.
    for bad in [
        "kenh=fax",
        "tu_ngay=31%2F02%2F2026",
        "den_ngay=12%2F31%2F2026",
        "thu_tuc=x%22%20OR",
        "don_vi=units%2F%22x",
    ] {
        let page = browser.get(&format!("/ho-so?{bad}")).await;
        assert_eq!(page.status, 400, "{bad}");
        assert!(page.body.contains("không hợp lệ"), "{bad}: {}", page.body);
    }
    server.stop().await;
}

#[tokio::test]
async fn roles_that_may_not_receive_see_no_counter_and_are_refused_by_it() {
    let (server, office, mut browser) = counter().await;
    server.user_with_role("lanh.dao", Role::Leader, &office.unit.name).await;
    browser.sign_in("lanh.dao", &password("lanh.dao")).await;
    let home = browser.get("/").await;
    assert_eq!(home.status, 200);
    assert!(!home.body.contains("/ho-so/tiep-nhan"));
    let form = browser.get("/ho-so/tiep-nhan").await;
    assert_eq!(form.status, 403);
    assert!(form.body.contains("Không có quyền"));
    server.stop().await;
}

#[tokio::test]
async fn unknown_pages_and_grpc_share_the_port() {
    let (server, _office, mut browser) = counter().await;
    browser.sign_in("mot.cua", &password("mot.cua")).await;
    let missing = browser.get("/khong-co").await;
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("Không tìm thấy"));
    let asset = browser.get("/static/app.css").await;
    assert_eq!(asset.status, 200);
    assert!(
        asset
            .headers
            .get("cache-control")
            .unwrap()
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    // gRPC on the same port still answers.
    let listed = server
        .dossiers(&server.admin_token)
        .list_dossiers(ListDossiersRequest::default())
        .await;
    assert!(listed.is_ok());
    server.stop().await;
}

#[tokio::test]
async fn a_dossier_goes_from_hand_over_to_rating_on_its_page() {
    let (server, office, mut clerk) = counter().await;
    let (clerk_token, officer, _) = staff(&server, &office).await;
    let dossier = receive(&server, &clerk_token, &office.unit.name, "Lê Văn Cường").await;
    let id = dossier.name.trim_start_matches("dossiers/").to_string();
    let action = |key: &str| format!("/ho-so/{id}/thao-tac/{key}");
    clerk.sign_in("mot.cua", &password("mot.cua")).await;

    // The clerk's page offers what the counter does, not what officers do.
    let page = clerk.get(&format!("/ho-so/{id}")).await;
    assert!(page.body.contains("Chuyển xử lý"));
    assert!(
        !page.body.contains("Hoàn thành giải quyết"),
        "completing is the officers'"
    );
    assert!(
        page.body.contains("Người dùng chuyen.vien"),
        "the officer is offered by name"
    );
    // The intake is step 1, done at receipt by the clerk for the counter; the
    // hand-over is to step 2.
    assert!(
        page.body.contains(
            "<strong>Bước 1: Tiếp nhận hồ sơ</strong> – tiếp nhận: Người dùng mot.cua.2 (Phòng Giáo dục và Đào tạo)"
        ),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("<dd>Người dùng mot.cua.2</dd>"),
        "the clerk holds it"
    );
    assert!(page.body.contains("Chuyển sang bước 2."), "{}", page.body);
    assert!(!page.body.contains(&office.unit.name), "no unit id on the page");

    let csrf = clerk.csrf();
    let handed = clerk
        .post(
            &action("ban-giao"),
            &[
                ("csrf", &csrf),
                ("buoc", "1"),
                ("nguoi_nhan", &officer.name),
                ("ghi_chu", "Đủ hồ sơ"),
            ],
        )
        .await;
    assert_eq!(handed.status, 303, "{}", handed.body);
    assert_eq!(
        handed.location.as_deref(),
        Some(format!("/ho-so/{id}?da=ban-giao").as_str())
    );
    let after = clerk.get(handed.location.as_deref().unwrap()).await;
    assert!(after.body.contains("Đã ghi nhận: <strong>Chuyển xử lý</strong>"));
    assert!(
        after.body.contains(
            "<strong>Bước 2</strong> – Người dùng mot.cua (Phòng Giáo dục và Đào tạo) chuyển cho Người dùng chuyen.vien"
        ),
        "{}",
        after.body
    );

    let mut officer_browser = server.browser_of("chuyen.vien").await;
    let csrf = officer_browser.csrf();
    let asked = officer_browser
        .post(
            &action("yeu-cau-bo-sung"),
            &[
                ("csrf", &csrf),
                ("ly_do", "Thiếu học bạ"),
                ("giay_to", "Học bạ bản sao\n\nGiấy khai sinh"),
            ],
        )
        .await;
    assert_eq!(asked.status, 303, "{}", asked.body);
    // The deadline's account: the procedure's time, and the wait.
    let waiting = clerk.get(&format!("/ho-so/{id}")).await;
    assert!(waiting.body.contains("Cách tính hạn giải quyết"));
    assert!(
        waiting
            .body
            .contains("Thời hạn giải quyết theo quy định: 3 ngày làm việc.")
    );
    // Stopped by the request (or asked before the clock started: on a
    // weekend or after hours, when this test may run).
    assert!(
        waiting.body.contains("Dừng tính lúc") || waiting.body.contains("trước khi bắt đầu tính"),
        "{}",
        waiting.body
    );
    assert!(waiting.body.contains("Đang chờ người nộp bổ sung hồ sơ từ"));
    assert!(waiting.body.contains("còn 3 ngày làm việc"), "restarts in full");
    let received = clerk.post(&action("nhan-bo-sung"), &[("csrf", &clerk.csrf())]).await;
    assert_eq!(received.status, 303, "{}", received.body);
    let resumed = clerk.get(&format!("/ho-so/{id}")).await;
    assert!(
        resumed.body.contains("Nhận đủ hồ sơ bổ sung lúc") && resumed.body.contains("thời hạn tính lại từ đầu"),
        "{}",
        resumed.body
    );
    assert!(
        resumed
            .body
            .contains("Quy tắc khi bổ sung hồ sơ của thủ tục này: tính lại từ đầu.")
    );
    assert!(resumed.body.contains(": hạn giải quyết."));

    // A refused action comes back on the page, in Vietnamese, nothing changed.
    let empty = officer_browser
        .post(&action("hoan-thanh"), &[("csrf", &csrf), ("ket_qua", "")])
        .await;
    assert_eq!(empty.status, 422);
    assert!(empty.body.contains("Nhập kết quả giải quyết."), "{}", empty.body);
    let completed = officer_browser
        .post(
            &action("hoan-thanh"),
            &[("csrf", &csrf), ("ket_qua", "Đồng ý chuyển trường"), ("so_hoa", "co")],
        )
        .await;
    assert_eq!(completed.status, 303, "{}", completed.body);
    // Returning is the counter's: the officer is refused as over gRPC.
    let refused = officer_browser.post(&action("tra-ket-qua"), &[("csrf", &csrf)]).await;
    assert_eq!(refused.status, 403);

    let returned = clerk.post(&action("tra-ket-qua"), &[("csrf", &clerk.csrf())]).await;
    assert_eq!(returned.status, 303, "{}", returned.body);
    let rated = clerk
        .post(
            &action("danh-gia"),
            &[("csrf", &clerk.csrf()), ("muc_do", "rat-hai-long"), ("y_kien", "Nhanh")],
        )
        .await;
    assert_eq!(rated.status, 303, "{}", rated.body);

    let done = server
        .dossiers(&server.admin_token)
        .get_dossier(eiso_proto::eiso::procedures::v1::GetDossierRequest {
            name: dossier.name.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    use eiso_proto::eiso::procedures::v1::{DossierStatus, Satisfaction};
    assert_eq!(done.status, DossierStatus::Returned as i32);
    assert_eq!(done.satisfaction, Satisfaction::VerySatisfied as i32);
    assert_eq!(done.handovers.len(), 2, "the intake and the hand-over");
    assert_eq!(done.supplements.len(), 1);
    assert_eq!(done.supplements[0].documents, ["Học bạ bản sao", "Giấy khai sinh"]);
    assert_eq!(done.result_summary, "Đồng ý chuyển trường");
    assert!(done.result_digitised);
    // The trail names the person who acted from the web, as for a gRPC call.
    let history: Vec<_> = done.history.iter().map(|c| c.actor.clone()).collect();
    assert!(history.contains(&officer.name), "{history:?}");
    // What was refused from the web is in the audit trail, with who tried,
    // as a refused gRPC call is.
    let entries = procedures_trail(&server).await;
    let refused: Vec<_> = entries
        .iter()
        .filter(|e| e.actor == officer.name && e.code != 0)
        .map(|e| (e.method.rsplit('/').next().unwrap().to_string(), e.code))
        .collect();
    assert!(
        refused.contains(&("CompleteDossier".to_string(), tonic::Code::InvalidArgument as i32)),
        "{refused:?}"
    );
    assert!(
        refused.contains(&("ReturnResult".to_string(), tonic::Code::PermissionDenied as i32)),
        "{refused:?}"
    );
    server.stop().await;
}

#[tokio::test]
async fn the_dossier_page_explains_its_deadline_across_the_30_april_holidays() {
    // Tuesday 29/4/2025, 10:00: 30/4, 1/5 and the bridge day 2/5 are off.
    let (clock, _time) = eiso_platform::clock::Clock::manual(eiso_tests::values::local_time(2025, 4, 29, 10, 0));
    let server = TestServer::start_with_clock(eiso_tests::Backend::fresh().await, clock).await;
    let office = server.education_office().await;
    server.transfer_procedure(&office.controller, &office.unit.name).await;
    let (_, clerk) = server
        .user_with_role("mot.cua", Role::CounterStaff, &office.unit.name)
        .await;
    let dossier = receive(&server, &clerk, &office.unit.name, "Lê Văn Cường").await;
    let id = dossier.name.trim_start_matches("dossiers/");
    let mut browser = server.browser_of("mot.cua").await;
    let page = browser.get(&format!("/ho-so/{id}")).await;
    assert_eq!(page.status, 200);
    for said in [
        "Thời hạn giải quyết theo quy định: 3 ngày làm việc.",
        "Tiếp nhận lúc 29/04/2025 10:00 (Thứ Ba).",
        "Hết 3 ngày làm việc lúc 07/05/2025 10:00 (Thứ Tư): hạn giải quyết.",
        "Ngày nghỉ không tính: 30/04/2025 (Ngày Chiến thắng), 01/05/2025 (Quốc tế Lao động), \
         02/05/2025 (Ngày nghỉ hoán đổi).",
        "Không tính 2 ngày nghỉ cuối tuần trong khoảng này.",
    ] {
        assert!(page.body.contains(said), "{said}\n{}", page.body);
    }
    server.stop().await;
}

#[tokio::test]
async fn the_counter_page_says_in_vietnamese_who_confirms_an_unconfirmed_calendar_year() {
    use eiso_proto::eiso::procedures::v1::{ProcedureStep, ProcedureVersion};
    use eiso_tests::values::local_time;
    // Monday 21/12/2026: a dossier of a procedure in steps of 4, 16 and 4
    // working hours is received, due on Thursday.
    let (clock, time) = eiso_platform::clock::Clock::manual(local_time(2026, 12, 21, 9, 0));
    let server = TestServer::start_with_clock(eiso_tests::Backend::fresh().await, clock).await;
    let office = server.education_office().await;
    server.transfer_procedure(&office.controller, &office.unit.name).await;
    let step = |name: &str, hours| ProcedureStep {
        display_name: name.into(),
        handler: String::new(),
        working_hours: hours,
    };
    let in_steps = ProcedureVersion {
        steps: vec![step("Tiếp nhận", 4), step("Thẩm định", 16), step("Ký duyệt", 4)],
        ..eiso_tests::counter::transfer_version(&office.unit.name)
    };
    server.publish_procedure(&office.controller, "2.002482", in_steps).await;
    let (_, clerk) = server
        .user_with_role("mot.cua", Role::CounterStaff, &office.unit.name)
        .await;
    let (officer, _) = server
        .user_with_role("chuyen.vien", Role::ProcessingOfficer, &office.unit.name)
        .await;
    let dossier = server
        .dossiers(&clerk)
        .receive_dossier(eiso_proto::eiso::procedures::v1::ReceiveDossierRequest {
            procedure: "procedures/2.002482".into(),
            ..transfer_receipt(&office.unit.name, "Lê Văn Cường", Channel::Direct)
        })
        .await
        .unwrap()
        .into_inner();
    // Tuesday 29/12/2026, 09:00: three working days from now run into 2027,
    // whose days off nobody has confirmed.
    time.set(local_time(2026, 12, 29, 9, 0));
    let mut browser = server.browser_of("mot.cua").await;
    let form = browser.get(&format!("/ho-so/tiep-nhan?thu_tuc={TRANSFER}")).await;
    let request_id = form.input("request_id").unwrap();
    let csrf = browser.csrf();
    let fields = [
        ("csrf", csrf.as_str()),
        ("request_id", request_id.as_str()),
        ("thu_tuc", TRANSFER),
        ("co_quan", office.unit.name.as_str()),
        ("ho_ten", "Nguyễn Văn An"),
        ("trich_yeu", "Xin chuyển trường cho con"),
        ("kenh", "truc-tiep"),
    ];
    let refused = browser.post("/ho-so/tiep-nhan", &fields).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    let unit_id = office.unit.name.trim_start_matches("units/");
    for said in [
        "Chưa tiếp nhận được: lịch năm 2027 chưa được xác nhận".to_string(),
        "Thời hạn giải quyết của hồ sơ này kéo sang năm 2027, nhưng lịch nghỉ lễ, Tết năm 2027 \
         của cơ quan mới là đề xuất, chưa được xác nhận."
            .to_string(),
        "Người có vai trò Quản trị hệ thống tại cơ quan này hoặc đơn vị cấp trên xác nhận lịch năm 2027".to_string(),
        format!("<code>eiso calendar confirm {unit_id} --year 2027</code>"),
    ] {
        assert!(refused.body.contains(&said), "{said}\n{}", refused.body);
    }
    assert!(
        !refused.body.contains("Thủ tục này chưa công bố"),
        "not the message of an unpublished procedure"
    );
    assert_eq!(
        refused.input("ho_ten").as_deref(),
        Some("Nguyễn Văn An"),
        "what was typed stays"
    );
    assert_eq!(all_dossiers(&server).await.dossiers.len(), 1, "nothing received");

    // Wednesday 30/12: the earlier dossier's second step, 16 working hours
    // from now, would be due in 2027: its page says the same.
    time.set(local_time(2026, 12, 30, 9, 0));
    let id = dossier.name.trim_start_matches("dossiers/");
    let csrf = browser.csrf();
    let handed = browser
        .post(
            &format!("/ho-so/{id}/thao-tac/ban-giao"),
            &[
                ("csrf", csrf.as_str()),
                ("buoc", "1"),
                ("nguoi_nhan", officer.name.as_str()),
            ],
        )
        .await;
    assert_eq!(handed.status, 422, "{}", handed.body);
    for said in [
        "Thời gian cần tính cho thao tác này kéo sang năm 2027".to_string(),
        format!("<code>eiso calendar confirm {unit_id} --year 2027</code>. Sau đó thực hiện lại thao tác."),
    ] {
        assert!(handed.body.contains(&said), "{said}\n{}", handed.body);
    }
    server.stop().await;
}

#[tokio::test]
async fn a_citizen_follows_a_dossier_with_its_code_and_four_digits_only() {
    let (server, office, _) = counter().await;
    let (clerk, officer, officer_token) = staff(&server, &office).await;
    let dossier = receive(&server, &clerk, &office.unit.name, "Lê Văn Cường").await;
    let mut citizen = Browser::new(server.addr);
    let form = citizen.get(&format!("/tra-cuu?ma={}", dossier.code)).await;
    assert_eq!(form.status, 200);
    assert_eq!(form.input("ma").as_deref(), Some(dossier.code.as_str()));
    let csrf = citizen.csrf();

    let wrong = citizen
        .post("/tra-cuu", &[("csrf", &csrf), ("ma", &dossier.code), ("so", "9999")])
        .await;
    let unknown = citizen
        .post(
            "/tra-cuu",
            &[("csrf", &csrf), ("ma", "PGD-000000-0000"), ("so", "1234")],
        )
        .await;
    assert_eq!((wrong.status, unknown.status), (404, 404));
    let refusal = |page: &eiso_tests::browser::Page| {
        let start = page.body.find("error-summary").unwrap();
        page.body[start..start + 200].to_string()
    };
    assert_eq!(
        refusal(&wrong),
        refusal(&unknown),
        "a wrong code and wrong digits read the same"
    );
    assert!(!wrong.body.contains("Đã tiếp nhận"));

    let found = citizen
        .post(
            "/tra-cuu",
            &[("csrf", &csrf), ("ma", &dossier.code.to_lowercase()), ("so", "1234")],
        )
        .await;
    assert_eq!(found.status, 200, "{}", found.body);
    assert!(found.body.contains("Đã tiếp nhận"));
    assert!(found.body.contains("Chuyển trường đối với học sinh trung học cơ sở"));
    for personal in ["Lê Văn Cường", "031204001234", "0912 345 678", "Đằng Lâm"] {
        assert!(!found.body.contains(personal), "{personal} must not show");
    }

    // What is missing shows while a supplement is awaited.
    hand_over(&server, &clerk, &dossier.name, &officer.name).await;
    server
        .dossiers(&officer_token)
        .request_supplement(eiso_proto::eiso::procedures::v1::RequestSupplementRequest {
            name: dossier.name.clone(),
            reason: "Thiếu học bạ".into(),
            documents: vec!["Học bạ bản sao".into()],
        })
        .await
        .unwrap();
    let waiting = citizen
        .post("/tra-cuu", &[("csrf", &csrf), ("ma", &dossier.code), ("so", "1234")])
        .await;
    assert!(waiting.body.contains("Học bạ bản sao") && waiting.body.contains("Thiếu học bạ"));

    // Guessing is cut off per address.
    let mut last = 0;
    for _ in 0..eiso_web::LOOKUPS_PER_WINDOW {
        last = citizen
            .post("/tra-cuu", &[("csrf", &csrf), ("ma", &dossier.code), ("so", "0000")])
            .await
            .status;
    }
    assert_eq!(last, 429);
    server.stop().await;
}

#[tokio::test]
async fn a_citizen_rates_the_service_once_with_the_code_on_the_receipt() {
    use eiso_proto::eiso::procedures::v1 as pb;
    let (server, office, _) = counter().await;
    let (clerk, officer, officer_token) = staff(&server, &office).await;
    let dossier = receive(&server, &clerk, &office.unit.name, "Lê Văn Cường").await;
    let receipt = server
        .dossiers(&clerk)
        .render_form(pb::RenderFormRequest {
            form: pb::Form::Receipt as i32,
            dossier: dossier.name.clone(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .html;
    let marker = "mã đánh giá <span class=\"strong keep\">";
    let at = receipt.find(marker).expect("the receipt prints a rating code") + marker.len();
    let printed = receipt[at..at + 9].to_string();
    assert_eq!(printed.len(), 9, "ABCD-EFGH: {printed}");
    assert_eq!(&printed[4..5], "-");
    // The code is the dossier's own and is never in an API message.
    let got = server
        .dossiers(&clerk)
        .get_dossier(pb::GetDossierRequest {
            name: dossier.name.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(!format!("{got:?}").contains(&printed.replace('-', "")));

    let mut citizen = Browser::new(server.addr);
    citizen.get(&format!("/tra-cuu?ma={}", dossier.code)).await;
    let csrf = citizen.csrf();
    let rate = |code: &str, level: &str| {
        vec![
            ("csrf".to_string(), csrf.clone()),
            ("ma".to_string(), dossier.code.clone()),
            ("so".to_string(), "1234".to_string()),
            ("ma_danh_gia".to_string(), code.to_string()),
            ("muc_do".to_string(), level.to_string()),
            ("y_kien".to_string(), "Cán bộ hướng dẫn tận tình".to_string()),
        ]
    };
    let send = async |citizen: &mut Browser, fields: Vec<(String, String)>| {
        let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        citizen.post("/tra-cuu/danh-gia", &pairs).await
    };
    let satisfaction = async || {
        server
            .dossiers(&server.admin_token)
            .get_dossier(pb::GetDossierRequest {
                name: dossier.name.clone(),
            })
            .await
            .unwrap()
            .into_inner()
            .satisfaction
    };

    // Before the result is returned: no rating form, and a rating is refused.
    let open = citizen
        .post("/tra-cuu", &[("csrf", &csrf), ("ma", &dossier.code), ("so", "1234")])
        .await;
    assert!(!open.body.contains("Gửi đánh giá"));
    let early = send(&mut citizen, rate(&printed, "hai-long")).await;
    assert!(early.body.contains("Hồ sơ chưa trả kết quả"), "{}", early.body);
    assert_eq!(satisfaction().await, 0);

    hand_over(&server, &clerk, &dossier.name, &officer.name).await;
    server
        .dossiers(&officer_token)
        .complete_dossier(pb::CompleteDossierRequest {
            name: dossier.name.clone(),
            result_summary: "Đồng ý chuyển trường".into(),
            digitised: false,
        })
        .await
        .unwrap();
    server
        .dossiers(&clerk)
        .return_result(pb::ReturnResultRequest {
            name: dossier.name.clone(),
        })
        .await
        .unwrap();

    // Returned: the lookup offers the rating form.
    let returned = citizen
        .post("/tra-cuu", &[("csrf", &csrf), ("ma", &dossier.code), ("so", "1234")])
        .await;
    assert!(returned.body.contains("Gửi đánh giá"), "{}", returned.body);
    // A wrong code, and the right code for another dossier's applicant, are refused.
    let wrong = send(&mut citizen, rate("ABCD-EFGH", "hai-long")).await;
    assert!(wrong.body.contains("Mã đánh giá không đúng"), "{}", wrong.body);
    let mut wrong_digits = rate(&printed, "hai-long");
    wrong_digits[2].1 = "9999".into();
    let stranger = send(&mut citizen, wrong_digits).await;
    assert_eq!(stranger.status, 404);
    // No level chosen: said, nothing recorded.
    let none = send(&mut citizen, rate(&printed, "")).await;
    assert!(none.body.contains("Chọn một mức độ hài lòng."), "{}", none.body);
    assert_eq!(satisfaction().await, 0);

    // Typed as people type it: lower case, without the dash.
    let typed = printed.replace('-', "").to_lowercase();
    let thanked = send(&mut citizen, rate(&typed, "hai-long")).await;
    assert_eq!(thanked.status, 200);
    assert!(thanked.body.contains("Cảm ơn ông/bà đã đánh giá"), "{}", thanked.body);
    assert!(!thanked.body.contains("Gửi đánh giá"), "the form is gone");
    assert_eq!(satisfaction().await, pb::Satisfaction::Satisfied as i32);

    // Once only: the same code again changes nothing.
    let again = send(&mut citizen, rate(&printed, "khong-hai-long")).await;
    assert!(again.body.contains("Hồ sơ này đã được đánh giá."), "{}", again.body);
    assert_eq!(satisfaction().await, pb::Satisfaction::Satisfied as i32);

    // The audit trail has the applicant's rating, with the comment as its reason.
    let entries = procedures_trail(&server).await;
    let rating: Vec<_> = entries
        .iter()
        .filter(|e| e.actor == "public/applicant" && e.method.ends_with("/RateDossier"))
        .collect();
    assert_eq!(rating.len(), 1, "{entries:?}");
    assert_eq!(rating[0].reason, "Cán bộ hướng dẫn tận tình");
    assert_eq!(rating[0].resource, dossier.name);
    server.stop().await;
}

/// The number a dashboard figure shows: `<span class="n">N</span> {label}`.
fn figure(body: &str, label: &str) -> String {
    let end = body
        .find(&format!("</span> {label}"))
        .unwrap_or_else(|| panic!("no figure {label}"));
    let start = body[..end].rfind('>').unwrap() + 1;
    body[start..end].to_string()
}

#[tokio::test]
async fn the_dashboard_shows_what_get_service_statistics_answers() {
    use chrono::Datelike;
    let (server, office, _) = counter().await;
    let (clerk, officer, officer_token) = staff(&server, &office).await;
    let mut names = Vec::new();
    for applicant in ["An", "Bình", "Cường"] {
        names.push(receive(&server, &clerk, &office.unit.name, applicant).await.name);
    }
    use eiso_proto::eiso::procedures::v1::CompleteDossierRequest;
    hand_over(&server, &clerk, &names[0], &officer.name).await;
    server
        .dossiers(&officer_token)
        .complete_dossier(CompleteDossierRequest {
            name: names[0].clone(),
            result_summary: "Đồng ý".into(),
            digitised: false,
        })
        .await
        .unwrap();

    let (leader, mut browser) = server
        .signed_in_with_token("lanh.dao", Role::Leader, &office.unit.name)
        .await;
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Ho_Chi_Minh)
        .date_naive();
    // The year's reform plan sets the on-time and satisfaction targets.
    {
        use eiso_proto::eiso::plans::v1 as plans;
        let mut planner = server.plans(&leader);
        let plan = eiso_tests::plans::create_plan(
            &mut planner,
            plans::Plan {
                title: "Kế hoạch CCHC".into(),
                ..eiso_tests::plans::reform_plan(&office.unit.name, today.year())
            },
        )
        .await;
        for (number, measure, threshold) in [
            ("4.1", plans::Measure::DossiersOnTime, 95.0),
            ("4.2", plans::Measure::Satisfaction, 90.0),
        ] {
            planner
                .create_target(plans::CreateTargetRequest {
                    parent: plan.name.clone(),
                    target: Some(plans::Target {
                        number: number.into(),
                        text: "Chỉ tiêu".into(),
                        measure: measure as i32,
                        comparator: plans::Comparator::AtLeast as i32,
                        threshold_percent: threshold,
                        ..Default::default()
                    }),
                    request_id: String::new(),
                })
                .await
                .unwrap();
        }
    }
    let page = browser.get(&format!("/tong-quan?nam={}&ky=", today.year())).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let local = |month: u32, day: u32| eiso_proto::eiso::procedures::v1::LocalDate {
        year: today.year(),
        month: month as i32,
        day: day as i32,
    };
    let stats = server
        .dossiers(&leader)
        .get_service_statistics(eiso_proto::eiso::procedures::v1::GetServiceStatisticsRequest {
            agency: String::new(),
            procedure: String::new(),
            start_date: Some(local(1, 1)),
            end_date: Some(local(12, 31)),
            group_by: 0,
        })
        .await
        .unwrap()
        .into_inner();
    let period = stats.period.unwrap();
    assert_eq!(period.to_handle, 3);
    let finished = period.finished_early + period.finished_on_time + period.finished_late;
    assert_eq!(figure(&page.body, "cần giải quyết"), period.to_handle.to_string());
    assert_eq!(figure(&page.body, "đã giải quyết"), finished.to_string());
    assert_eq!(
        figure(&page.body, "đang giải quyết quá hạn"),
        period.in_progress_overdue.to_string()
    );
    assert_eq!(
        figure(&page.body, "đúng hạn"),
        format!("{:.1}%", period.on_time_rate * 100.0).replace('.', ",")
    );
    // The by-unit and by-procedure lines are GetServiceStatistics asked for
    // that unit, that procedure: carried over, received, to handle,
    // finished, late, overdue.
    let line = |name: &str| -> Vec<i64> {
        let at = page
            .body
            .find(&format!("<td>{name}"))
            .unwrap_or_else(|| panic!("no line {name}"));
        let row = &page.body[at..at + page.body[at..].find("</tr>").unwrap()];
        row.split("<td class=\"num\">")
            .skip(1)
            .filter_map(|cell| cell.split('<').next().unwrap().parse().ok())
            .collect()
    };
    for (name, agency, procedure) in [
        ("Phòng Giáo dục và Đào tạo", office.unit.name.clone(), String::new()),
        (
            "2.002481 Chuyển trường",
            String::new(),
            format!("procedures/{TRANSFER}"),
        ),
    ] {
        let asked = server
            .dossiers(&leader)
            .get_service_statistics(eiso_proto::eiso::procedures::v1::GetServiceStatisticsRequest {
                agency,
                procedure,
                start_date: Some(local(1, 1)),
                end_date: Some(local(12, 31)),
                group_by: 0,
            })
            .await
            .unwrap()
            .into_inner()
            .period
            .unwrap();
        let finished = asked.finished_early + asked.finished_on_time + asked.finished_late;
        assert_eq!(
            line(name),
            [
                asked.carried_over,
                asked.received,
                asked.to_handle,
                finished,
                asked.finished_late,
                asked.in_progress_overdue
            ],
            "{name}"
        );
    }
    // The same breakdowns over gRPC: `group_by` answers each agency's and
    // each procedure's figures as asking for it alone does.
    {
        use eiso_proto::eiso::procedures::v1::{GetServiceStatisticsRequest, StatisticsGroup};
        let ask = |agency: String, procedure: String, group_by: StatisticsGroup| GetServiceStatisticsRequest {
            agency,
            procedure,
            start_date: Some(local(1, 1)),
            end_date: Some(local(12, 31)),
            group_by: group_by as i32,
        };
        for (by, key, alone) in [
            (
                StatisticsGroup::Agency,
                office.unit.name.clone(),
                ask(office.unit.name.clone(), String::new(), StatisticsGroup::Unspecified),
            ),
            (
                StatisticsGroup::Procedure,
                format!("procedures/{TRANSFER}"),
                ask(
                    String::new(),
                    format!("procedures/{TRANSFER}"),
                    StatisticsGroup::Unspecified,
                ),
            ),
        ] {
            let grouped = server
                .dossiers(&leader)
                .get_service_statistics(ask(String::new(), String::new(), by))
                .await
                .unwrap()
                .into_inner();
            assert_eq!(grouped.groups.len(), 1, "{by:?}: {:?}", grouped.groups);
            assert_eq!(grouped.groups[0].key, key);
            let one = server
                .dossiers(&leader)
                .get_service_statistics(alone)
                .await
                .unwrap()
                .into_inner();
            let (mut a, mut b) = (grouped.groups[0].period.unwrap(), one.period.unwrap());
            // Both are as at the time of their own call.
            a.as_of_time = None;
            b.as_of_time = None;
            assert_eq!(a, b, "{by:?}");
        }
        let status = server
            .dossiers(&leader)
            .get_service_statistics(GetServiceStatisticsRequest {
                group_by: 99,
                ..ask(String::new(), String::new(), StatisticsGroup::Unspecified)
            })
            .await
            .unwrap_err();
        assert_eq!(status.code(), tonic::Code::InvalidArgument);
        assert!(status.message().contains("group_by"), "{}", status.message());
    }
    assert!(page.body.contains("<svg class=\"chart\""));
    // One bar per month so far; this month's: the one finished dossier, on time.
    assert_eq!(
        page.body.matches("<rect").count(),
        1,
        "only this month has finished dossiers"
    );
    assert_eq!(
        page.body.matches("fill=\"#505a5f\">T").count(),
        today.month() as usize,
        "a label per month through this one"
    );
    assert!(page.body.contains(">100%</text>"));
    // Beside the rates, the plan's targets: the one finished dossier was on
    // time (100% ≥ 95%), and nobody has rated yet.
    assert!(page.body.contains("Chỉ tiêu ≥ 95%: đạt"), "{}", page.body);
    assert!(page.body.contains("Kế hoạch CCHC, chỉ tiêu 4.1"));
    assert!(page.body.contains("Chỉ tiêu ≥ 90%: chưa có số liệu"), "{}", page.body);

    // The same figures as a workbook.
    let download = browser.get(&format!("/tong-quan.xlsx?nam={}&ky=", today.year())).await;
    assert_eq!(download.status, 200);
    assert!(
        download.headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains(".xlsx")
    );
    use calamine::Reader;
    let mut workbook = calamine::Xlsx::new(std::io::Cursor::new(download.bytes.to_vec())).unwrap();
    let sheet = workbook.worksheet_range("Tổng quan").unwrap();
    let value_of = |label: &str| {
        sheet
            .rows()
            .find(|row| row.first().map(|c| c.to_string()) == Some(label.to_string()))
            .and_then(|row| row.get(1).map(|c| c.to_string()))
            .unwrap_or_else(|| panic!("no row {label}"))
    };
    assert_eq!(value_of("Cần giải quyết"), period.to_handle.to_string());
    assert_eq!(value_of("Đã giải quyết"), finished.to_string());
    assert_eq!(
        value_of("Chỉ tiêu tỷ lệ đúng hạn (Kế hoạch CCHC, chỉ tiêu 4.1)"),
        "≥ 95%: đạt"
    );

    // A quarter that is not a quarter is refused, not a page of zeros.
    assert_eq!(browser.get("/tong-quan?nam=2025&ky=q5").await.status, 400);
    server.stop().await;
}

#[tokio::test]
async fn the_counter_refuses_a_dossier_with_its_reason_and_prints_form_03() {
    let (server, office, mut browser) = counter().await;
    browser.sign_in("mot.cua", &password("mot.cua")).await;
    let receive = browser.get(&format!("/ho-so/tiep-nhan?thu_tuc={TRANSFER}")).await;
    assert!(receive.body.contains(&format!("/ho-so/tu-choi?thu_tuc={TRANSFER}")));
    let form = browser.get(&format!("/ho-so/tu-choi?thu_tuc={TRANSFER}")).await;
    assert_eq!(form.status, 200, "{}", form.body);
    let request_id = form.input("request_id").unwrap();
    let csrf = browser.csrf();
    let mut fields = vec![
        ("csrf", csrf.as_str()),
        ("request_id", request_id.as_str()),
        ("thu_tuc", TRANSFER),
        ("co_quan", office.unit.name.as_str()),
        ("ho_ten", "Phạm Văn Dũng"),
        ("so_dinh_danh", "031204009876"),
        ("ly_do", ""),
    ];
    let refused = browser.post("/ho-so/tu-choi", &fields).await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("Nhập lý do từ chối"), "{}", refused.body);
    fields[6] = ("ly_do", "Hồ sơ thuộc thẩm quyền của trường");
    let first = browser.post("/ho-so/tu-choi", &fields).await;
    assert_eq!(first.status, 303, "{}", first.body);
    let again = browser.post("/ho-so/tu-choi", &fields).await;
    assert_eq!(again.location, first.location, "a retry refuses once");
    assert_eq!(all_dossiers(&server).await.dossiers.len(), 1);
    let page = browser.get(first.location.as_deref().unwrap()).await;
    assert!(page.body.contains("Từ chối tiếp nhận hồ sơ"));
    assert!(page.body.contains("bieu-mau/03") && !page.body.contains("bieu-mau/01"));
    let id = first
        .location
        .as_deref()
        .unwrap()
        .trim_start_matches("/ho-so/")
        .trim_end_matches("?da=tu-choi");
    let form_03 = browser.get(&format!("/ho-so/{id}/bieu-mau/03")).await;
    assert_eq!(form_03.status, 200);
    assert!(form_03.body.contains("Hồ sơ thuộc thẩm quyền của trường"));
    server.stop().await;
}
