//! The administration's pages: the units as a tree, a unit added; the
//! people with their roles, an account created, a role added and taken, an
//! account locked (and its sign-in refused); an office's administrator acts
//! within the office only, and nobody else sees the pages' forms.

use eiso_proto::eiso::identity::v1::*;
use eiso_tests::TestServer;

#[tokio::test]
async fn an_administrator_keeps_the_units_and_the_people_from_the_pages() {
    let server = TestServer::start().await;
    let eiso_tests::Neighbours {
        root,
        office,
        below,
        sibling,
    } = server.office_with_neighbours().await;
    let mut admin = eiso_tests::browser::Browser::new(server.addr);
    admin.sign_in("admin", eiso_tests::ADMIN_PASSWORD).await;
    let csrf = admin.csrf();
    let home = admin.get("/").await;
    assert!(
        home.body.contains(r#"href="/quan-tri/don-vi""#),
        "the menu has the administration"
    );

    // The tree: the office under the root, its team under it.
    let units = admin.get("/quan-tri/don-vi").await;
    assert_eq!(units.status, 200);
    let at = |name: &str| {
        units
            .body
            .find(name)
            .unwrap_or_else(|| panic!("{name}: {}", units.body))
    };
    assert!(at(&root.display_name) < at("Phòng Giáo dục và Đào tạo"));
    assert!(at("Phòng Giáo dục và Đào tạo") < at("Tổ Tổng hợp"));
    assert!(
        units.body.contains(r#"<td class="depth-2">Tổ Tổng hợp"#),
        "{}",
        units.body
    );
    let request_id = units.input("request_id").unwrap();
    let school = [
        ("csrf", csrf.as_str()),
        ("request_id", request_id.as_str()),
        ("ten", "Trường Tiểu học Đằng Lâm"),
        ("ma", "TH-DANG-LAM"),
        ("loai", "primary_school"),
        ("cap_tren", office.name.as_str()),
    ];
    let added = admin.post("/quan-tri/don-vi", &school).await;
    assert_eq!(added.status, 303, "{}", added.body);
    assert_eq!(admin.post("/quan-tri/don-vi", &school).await.status, 303, "a retry");
    let units = admin.get("/quan-tri/don-vi?da=them").await;
    assert_eq!(
        units
            .body
            .matches(r#"<td class="depth-2">Trường Tiểu học Đằng Lâm"#)
            .count(),
        1,
        "made once, under the office"
    );
    assert!(units.body.contains("Trường tiểu học"), "its kind in Vietnamese");
    let clash = admin
        .post(
            "/quan-tri/don-vi",
            &[
                ("csrf", csrf.as_str()),
                ("request_id", "another"),
                ("ten", "Trường khác"),
                ("ma", "TH-DANG-LAM"),
                ("loai", "primary_school"),
                ("cap_tren", office.name.as_str()),
            ],
        )
        .await;
    assert_eq!(clash.status, 422);
    assert!(clash.body.contains("Đã có đơn vị mã TH-DANG-LAM."), "{}", clash.body);

    // People: one made with a role, given another, one taken, locked.
    let people = admin.get("/quan-tri/nguoi-dung").await;
    let request_id = people.input("request_id").unwrap();
    let made = admin
        .post(
            "/quan-tri/nguoi-dung",
            &[
                ("csrf", csrf.as_str()),
                ("request_id", request_id.as_str()),
                ("ho_ten", "Phạm Thị Hoa"),
                ("ten_dang_nhap", "hoa.pt"),
                ("email", "hoa.pt@haiphong.edu.vn"),
                ("mat_khau", "mat-khau-ban-dau-1"),
                ("vai_tro", "counter_staff"),
                ("don_vi", office.name.as_str()),
            ],
        )
        .await;
    assert_eq!(made.status, 303, "{}", made.body);
    let short = admin
        .post(
            "/quan-tri/nguoi-dung",
            &[
                ("csrf", csrf.as_str()),
                ("request_id", "short-password"),
                ("ho_ten", "Nguyễn Văn Nam"),
                ("ten_dang_nhap", "nam.nv"),
                ("mat_khau", "ngan"),
                ("vai_tro", "viewer"),
                ("don_vi", office.name.as_str()),
            ],
        )
        .await;
    assert_eq!(short.status, 422);
    assert!(short.body.contains("Mật khẩu ít nhất 10 ký tự."), "{}", short.body);
    let hoa = server
        .identity(Some(&server.admin_token))
        .list_users(ListUsersRequest {
            filter: "username = \"hoa.pt\"".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .users
        .remove(0);
    let id = hoa.name.trim_start_matches("users/").to_string();
    let people = admin.get("/quan-tri/nguoi-dung").await;
    assert!(
        people.body.contains("Cán bộ một cửa – Phòng Giáo dục và Đào tạo"),
        "{}",
        people.body
    );
    let etag = |page: &eiso_tests::browser::Page| {
        let row = page
            .body
            .split(&format!(r#"<tr id="u-{id}">"#))
            .nth(1)
            .expect("the row");
        let start = row.find(r#"name="etag" value=""#).expect("an etag") + r#"name="etag" value=""#.len();
        row[start..start + row[start..].find('"').expect("the end")]
            .replace("&#34;", "\"")
            .replace("&quot;", "\"")
    };
    let given = admin
        .post(
            &format!("/quan-tri/nguoi-dung/{id}/vai-tro"),
            &[
                ("csrf", csrf.as_str()),
                ("etag", etag(&people).as_str()),
                ("vai_tro", "processing_officer"),
                ("don_vi", below.name.as_str()),
            ],
        )
        .await;
    assert_eq!(given.status, 303, "{}", given.body);
    let people = admin.get("/quan-tri/nguoi-dung").await;
    assert!(
        people.body.contains("Chuyên viên xử lý hồ sơ – Tổ Tổng hợp"),
        "{}",
        people.body
    );
    let taken = admin
        .post(
            &format!("/quan-tri/nguoi-dung/{id}/bo-vai-tro"),
            &[("csrf", csrf.as_str()), ("etag", etag(&people).as_str()), ("so", "0")],
        )
        .await;
    assert_eq!(taken.status, 303, "{}", taken.body);
    let people = admin.get("/quan-tri/nguoi-dung").await;
    assert!(!people.body.contains("Cán bộ một cửa – Phòng Giáo dục và Đào tạo"));
    assert!(server.login("hoa.pt", "mat-khau-ban-dau-1").await.is_ok());
    let locked = admin
        .post(
            &format!("/quan-tri/nguoi-dung/{id}/khoa"),
            &[("csrf", csrf.as_str()), ("etag", etag(&people).as_str())],
        )
        .await;
    assert_eq!(locked.status, 303, "{}", locked.body);
    assert!(
        server.login("hoa.pt", "mat-khau-ban-dau-1").await.is_err(),
        "a locked account signs in no more"
    );
    let people = admin.get("/quan-tri/nguoi-dung?da=khoa").await;
    assert!(people.body.contains("Mở khóa"), "{}", people.body);

    // An office's administrator: a unit under the office, not beside it.
    let mut office_admin = server.signed_in("quan.tri.pgd", Role::Admin, &office.name).await;
    let office_csrf = office_admin.csrf();
    for (parent, allowed) in [(office.name.as_str(), true), (sibling.name.as_str(), false)] {
        let page = office_admin
            .post(
                "/quan-tri/don-vi",
                &[
                    ("csrf", office_csrf.as_str()),
                    ("request_id", parent),
                    ("ten", "Trường Mầm non Hoa Sen"),
                    ("ma", if allowed { "MN-HOA-SEN" } else { "MN-KHAC" }),
                    ("loai", "preschool"),
                    ("cap_tren", parent),
                ],
            )
            .await;
        if allowed {
            assert_eq!(page.status, 303, "{}", page.body);
        } else {
            assert_eq!(page.status, 422);
            assert!(
                page.body.contains("Bạn không quản trị đơn vị cấp trên này."),
                "{}",
                page.body
            );
        }
    }
    // Everyone else reads neither the forms nor the menu entry, and is refused.
    let mut leader = server.signed_in("lanh.dao", Role::Leader, &root.name).await;
    let leader_csrf = leader.csrf();
    assert!(!leader.get("/").await.body.contains("/quan-tri/"));
    assert!(!leader.get("/quan-tri/don-vi").await.body.contains("Thêm đơn vị"));
    let refused = leader
        .post(
            "/quan-tri/nguoi-dung",
            &[
                ("csrf", leader_csrf.as_str()),
                ("request_id", "leader"),
                ("ho_ten", "Ai đó"),
                ("ten_dang_nhap", "ai.do"),
                ("mat_khau", "mat-khau-ban-dau-1"),
                ("vai_tro", "admin"),
                ("don_vi", root.name.as_str()),
            ],
        )
        .await;
    assert_eq!(refused.status, 403);
}

/// The value of the definition after `<dt>{label}</dt><dd class="mono">`.
fn shown(body: &str, label: &str) -> String {
    let marker = format!("<dt>{label}</dt><dd class=\"mono\">");
    let start = body.find(&marker).unwrap_or_else(|| panic!("{label}: {body}")) + marker.len();
    body[start..start + body[start..].find('<').expect("the end")].to_string()
}

#[tokio::test]
async fn another_system_is_registered_with_its_secret_shown_once_and_revoked_with_a_reason() {
    let server = TestServer::start().await;
    let eiso_tests::Neighbours { office, .. } = server.office_with_neighbours().await;
    let mut admin = eiso_tests::browser::Browser::new(server.addr);
    admin.sign_in("admin", eiso_tests::ADMIN_PASSWORD).await;
    let csrf = admin.csrf();
    let page = admin.get("/quan-tri/ket-noi").await;
    assert_eq!(page.status, 200);
    let made = admin
        .post(
            "/quan-tri/ket-noi",
            &[
                ("csrf", csrf.as_str()),
                ("request_id", "portal"),
                ("ten", "Cổng dịch vụ công tỉnh"),
                ("vai_tro", "viewer"),
                ("don_vi", office.name.as_str()),
            ],
        )
        .await;
    assert_eq!(made.status, 200, "{}", made.body);
    assert_eq!(
        made.headers["cache-control"], "no-store",
        "the secret is kept by no cache"
    );
    let client_id = shown(&made.body, "Mã hệ thống (client_id)");
    let secret = shown(&made.body, "Mã bí mật (client_secret)");
    let login = |secret: String| {
        let mut identity = server.identity(None);
        let client_id = client_id.clone();
        async move {
            identity
                .login(LoginRequest {
                    credentials: Some(login_request::Credentials::Client(ClientCredentials {
                        client_id,
                        client_secret: secret,
                    })),
                })
                .await
        }
    };
    assert!(
        login(secret.clone()).await.is_ok(),
        "the credentials shown sign the system in"
    );
    let listed = admin.get("/quan-tri/ket-noi").await;
    assert!(listed.body.contains("Cổng dịch vụ công tỉnh"));
    assert!(
        listed.body.contains("Người xem – Phòng Giáo dục và Đào tạo"),
        "{}",
        listed.body
    );
    assert!(!listed.body.contains(&secret), "the secret is shown once only");
    let id = listed
        .body
        .split("/quan-tri/ket-noi/")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .expect("the revoke form")
        .to_string();
    let bare = admin
        .post(
            &format!("/quan-tri/ket-noi/{id}/thu-hoi"),
            &[("csrf", csrf.as_str()), ("ly_do", "")],
        )
        .await;
    assert_eq!(bare.status, 422);
    assert!(bare.body.contains("Nhập lý do thu hồi."), "{}", bare.body);
    let revoked = admin
        .post(
            &format!("/quan-tri/ket-noi/{id}/thu-hoi"),
            &[("csrf", csrf.as_str()), ("ly_do", "Hết hợp đồng kết nối")],
        )
        .await;
    assert_eq!(revoked.status, 303, "{}", revoked.body);
    assert!(login(secret).await.is_err(), "a revoked system signs in no more");
    assert!(
        admin
            .get("/quan-tri/ket-noi?da=thu-hoi")
            .await
            .body
            .contains("Đã thu hồi")
    );

    // Nobody but an administrator reads the page.
    let mut leader = server.signed_in("lanh.dao", Role::Leader, &office.name).await;
    assert_eq!(leader.get("/quan-tri/ket-noi").await.status, 403);
}
