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
    let mut admin = server.browser_of("admin").await;
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
    assert_eq!(depth_of(&units.body, "Tổ Tổng hợp"), 2, "{}", units.body);
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
        units.body.matches(">Trường Tiểu học Đằng Lâm</a>").count(),
        1,
        "made once"
    );
    assert_eq!(depth_of(&units.body, "Trường Tiểu học Đằng Lâm"), 2, "under the office");
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

/// How deep in the units' tree the row of the unit `name` is shown.
fn depth_of(body: &str, name: &str) -> usize {
    let at = body
        .find(&format!(">{name}</a>"))
        .unwrap_or_else(|| panic!("{name}: {body}"));
    let cell = body[..at].rfind(r#"<td class="depth-"#).expect("the cell") + r#"<td class="depth-"#.len();
    body[cell..cell + 1].parse().expect("a depth")
}

/// The id of a unit from its name (`units/{id}`).
fn id_of(unit: &Unit) -> &str {
    unit.name.trim_start_matches("units/")
}

#[tokio::test]
async fn a_unit_keeps_its_letterhead_and_history_and_is_renamed_merged_and_dissolved_from_its_page() {
    let server = TestServer::start().await;
    let eiso_tests::Neighbours {
        root,
        office,
        below,
        sibling,
    } = server.office_with_neighbours().await;
    let mut admin = server.browser_of("admin").await;
    let csrf = admin.csrf();
    let at = |unit: &Unit| format!("/quan-tri/don-vi/{}", id_of(unit));
    let tree = admin.get("/quan-tri/don-vi").await;
    assert!(
        tree.body.contains(&format!(r#"href="{}""#, at(&office))),
        "the tree links each unit"
    );
    let page = admin.get(&at(&office)).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("<h1>Phòng Giáo dục và Đào tạo</h1>"),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains(&format!(r#"<a href="{}">Tổ Tổng hợp</a>"#, at(&below))),
        "its team is listed"
    );
    let etag = page.input("etag").expect("the etag");

    // The letterhead: a symbol with a slash is refused with its field marked, then saved.
    let post_letterhead = |symbol: &str, etag: &str| {
        vec![
            ("csrf", csrf.clone()),
            ("etag", etag.to_string()),
            ("dia_danh", "Hải An".to_string()),
            ("ky_hieu", symbol.to_string()),
            ("chuc_danh", "TRƯỞNG PHÒNG".to_string()),
            ("nguoi_ky", "Nguyễn Thị Minh Thu".to_string()),
        ]
    };
    let bad = admin
        .post(
            &format!("{}/tieu-de", at(&office)),
            &borrowed(&post_letterhead("PGD/ĐT", &etag)),
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(bad.body.contains("Chữ viết tắt tên cơ quan: chữ cái"), "{}", bad.body);
    assert!(
        bad.body
            .contains(r#"id="ky_hieu" name="ky_hieu" type="text" value="PGD/ĐT""#),
        "what was typed comes back"
    );
    assert!(bad.body.contains(r#"aria-invalid="true""#));
    let saved = admin
        .post(
            &format!("{}/tieu-de", at(&office)),
            &borrowed(&post_letterhead("PGDĐT", &etag)),
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let stale = admin
        .post(
            &format!("{}/tieu-de", at(&office)),
            &borrowed(&post_letterhead("PGDĐT", &etag)),
        )
        .await;
    assert_eq!(stale.status, 422, "an old etag is refused");
    assert!(stale.body.contains("vừa được người khác thay đổi"), "{}", stale.body);
    let unit = server
        .identity(Some(&server.admin_token))
        .get_unit(GetUnitRequest {
            name: office.name.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (
            unit.place_name.as_str(),
            unit.document_symbol.as_str(),
            unit.signer_title.as_str(),
            unit.signer_name.as_str()
        ),
        ("Hải An", "PGDĐT", "TRƯỞNG PHÒNG", "Nguyễn Thị Minh Thu")
    );
    let page = admin.get(&format!("{}?da=tieu-de", at(&office))).await;
    assert!(page.body.contains("Số: 15/BC-PGDĐT"), "{}", page.body);

    // Renamed: the decision is required; the old name stays in the history.
    let etag = page.input("etag").expect("the etag");
    let rename = |basis: &str| {
        vec![
            ("csrf", csrf.clone()),
            ("etag", etag.clone()),
            ("ten_moi", "Phòng Giáo dục và Đào tạo quận Hải An".to_string()),
            ("ma_moi", String::new()),
            ("can_cu_doi_ten", basis.to_string()),
        ]
    };
    let bare = admin
        .post(&format!("{}/doi-ten", at(&office)), &borrowed(&rename("")))
        .await;
    assert_eq!(bare.status, 422);
    assert!(bare.body.contains("Nhập căn cứ"), "{}", bare.body);
    let renamed = admin
        .post(
            &format!("{}/doi-ten", at(&office)),
            &borrowed(&rename("Quyết định 12/QĐ-UBND ngày 02/01/2025")),
        )
        .await;
    assert_eq!(renamed.status, 303, "{}", renamed.body);
    let page = admin.get(&at(&office)).await;
    assert!(page.body.contains("<h1>Phòng Giáo dục và Đào tạo quận Hải An</h1>"));
    assert!(page.body.contains("Tên và mã trước đây"));
    assert!(
        page.body.contains("<td>Phòng Giáo dục và Đào tạo</td>"),
        "{}",
        page.body
    );

    // Two schools: one merged into the other, which lists it; the merged one names its successor.
    let a = server.create_unit("TH-A", "Trường Tiểu học A", &office.name).await;
    let b = server.create_unit("TH-B", "Trường Tiểu học B", &office.name).await;
    let merge = |into: &Unit, basis: &str| {
        vec![
            ("csrf", csrf.clone()),
            ("vao_don_vi", into.name.clone()),
            ("can_cu_sap_nhap", basis.to_string()),
        ]
    };
    let unchosen = admin
        .post(
            &format!("{}/sap-nhap", at(&a)),
            &[("csrf", csrf.as_str()), ("vao_don_vi", ""), ("can_cu_sap_nhap", "QĐ 5")],
        )
        .await;
    assert_eq!(unchosen.status, 422);
    assert!(
        unchosen.body.contains("Chọn đơn vị khác để sáp nhập vào."),
        "{}",
        unchosen.body
    );
    let merged = admin
        .post(
            &format!("{}/sap-nhap", at(&a)),
            &borrowed(&merge(&b, "Quyết định 30/QĐ-UBND")),
        )
        .await;
    assert_eq!(merged.status, 303, "{}", merged.body);
    let page = admin.get(&at(&a)).await;
    assert!(page.body.contains("Đã sáp nhập"), "{}", page.body);
    assert!(
        page.body
            .contains(&format!(r#"<a href="{}">Trường Tiểu học B</a> tiếp nhận"#, at(&b)))
    );
    assert!(!page.body.contains(r#"/sap-nhap""#), "a merged unit changes no more");
    let page = admin.get(&at(&b)).await;
    assert!(page.body.contains("Đơn vị đã chuyển vào đơn vị này"));
    assert!(
        page.body
            .contains(&format!(r#"<a href="{}">Trường Tiểu học A</a>"#, at(&a)))
    );
    let again = admin
        .post(&format!("{}/sap-nhap", at(&a)), &borrowed(&merge(&b, "lần nữa")))
        .await;
    assert_eq!(again.status, 422);
    assert!(again.body.contains("đã sáp nhập hay giải thể"), "{}", again.body);

    // Dissolved: not while units below are active without a successor; the team can be.
    let dissolve = |basis: &str| {
        vec![
            ("csrf", csrf.clone()),
            ("etag", String::new()),
            ("tiep_nhan", String::new()),
            ("can_cu_giai_the", basis.to_string()),
        ]
    };
    let blocked = admin
        .post(&format!("{}/giai-the", at(&office)), &borrowed(&dissolve("QĐ 40")))
        .await;
    assert_eq!(blocked.status, 422);
    assert!(blocked.body.contains("còn đơn vị trực thuộc"), "{}", blocked.body);
    let dissolved = admin
        .post(
            &format!("{}/giai-the", at(&below)),
            &borrowed(&dissolve("Quyết định 41/QĐ-PGDĐT")),
        )
        .await;
    assert_eq!(dissolved.status, 303, "{}", dissolved.body);
    assert!(admin.get(&at(&below)).await.body.contains("Đã giải thể"));

    // An office's administrator: the same unit and the ones below, not above nor beside.
    let below2 = server.create_unit("PGD-TO2", "Tổ Chuyên môn", &office.name).await;
    let mut office_admin = server.signed_in("quan.tri.pgd", Role::Admin, &office.name).await;
    let office_csrf = office_admin.csrf();
    for (unit, allowed) in [(&office, true), (&root, false), (&below2, true), (&sibling, false)] {
        let page = office_admin.get(&at(unit)).await;
        assert_eq!(page.status, 200);
        assert_eq!(
            page.body.contains("Sửa thể thức văn bản"),
            allowed,
            "{}: the form shows where the binding covers",
            unit.display_name
        );
        let answer = office_admin
            .post(
                &format!("{}/tieu-de", at(unit)),
                &[
                    ("csrf", office_csrf.as_str()),
                    ("etag", ""),
                    ("dia_danh", "Hải An"),
                    ("ky_hieu", "X"),
                    ("chuc_danh", ""),
                    ("nguoi_ky", ""),
                ],
            )
            .await;
        if allowed {
            assert_eq!(answer.status, 303, "{}: {}", unit.display_name, answer.body);
        } else {
            assert_eq!(answer.status, 422, "{}", unit.display_name);
            assert!(answer.body.contains("Bạn không quản trị đơn vị này"), "{}", answer.body);
        }
    }
    // Someone who is no administrator sees no forms and is refused.
    let mut leader = server.signed_in("lanh.dao", Role::Leader, &root.name).await;
    let leader_csrf = leader.csrf();
    assert!(!leader.get(&at(&office)).await.body.contains(r#"<form method="post""#));
    let refused = leader
        .post(
            &format!("{}/doi-ten", at(&office)),
            &[
                ("csrf", leader_csrf.as_str()),
                ("ten_moi", "Khác"),
                ("can_cu_doi_ten", "x"),
            ],
        )
        .await;
    assert_eq!(refused.status, 403);
    assert_eq!(admin.get("/quan-tri/don-vi/khong-co").await.status, 404);
    assert_eq!(
        admin
            .post(&format!("{}/xoa", at(&office)), &[("csrf", csrf.as_str())])
            .await
            .status,
        404
    );
}

/// A form built of owned values, as the browser posts it.
fn borrowed<'a>(pairs: &'a [(&'a str, String)]) -> Vec<(&'a str, &'a str)> {
    pairs.iter().map(|(k, v)| (*k, v.as_str())).collect()
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
    let mut admin = server.browser_of("admin").await;
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
    assert!(
        server.login_client(&client_id, &secret).await.is_ok(),
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
    assert!(
        server.login_client(&client_id, &secret).await.is_err(),
        "a revoked system signs in no more"
    );
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
