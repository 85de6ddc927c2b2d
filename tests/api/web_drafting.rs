//! Writing a document from the pages: a new document with its first draft
//! (once, however often the form is sent), its file uploaded as a
//! `multipart/form-data` post streamed to the documents service, the
//! check-out lock holding another author off, and the draft sent to its
//! reviewers; refusals in Vietnamese beside the draft; the same unit
//! scoping as the API for every unit's author.

use eiso_proto::eiso::documents::v1::*;
use eiso_proto::eiso::identity::v1::Role;
use eiso_tests::TestServer;
use eiso_tests::documents::{PDF, create, first_revision, procedure};

/// The document id a creation redirected to (`/tai-lieu/{id}?da=…`).
fn id_from(location: &str) -> String {
    location
        .trim_start_matches("/tai-lieu/")
        .split('?')
        .next()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn an_author_writes_a_document_uploads_its_file_and_sends_it_to_reviewers_from_the_pages() {
    let server = TestServer::start().await;
    let office = server.education_office().await;
    let school = server.create_unit("THCS-A", "Trường THCS A", &office.unit.name).await;
    let mut author = server
        .signed_in("thu.ky.truong", Role::DocumentController, &school.name)
        .await;
    let (head, _) = server.user_with_role("hieu.truong", Role::Leader, &school.name).await;
    let (deputy, _) = server
        .user_with_role("pho.hieu.truong", Role::ProcessingOfficer, &school.name)
        .await;
    let csrf = author.csrf();

    // The list offers the form; the form offers the units the author writes for.
    let list = author.get("/tai-lieu").await;
    assert!(list.body.contains(r#"href="/tai-lieu/moi""#), "{}", list.body);
    let form = author.get("/tai-lieu/moi").await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("Trường THCS A"), "{}", form.body);
    assert!(
        !form.body.contains("Phòng Giáo dục và Đào tạo</option>"),
        "not the office above"
    );
    let request_id = form.input("request_id").expect("a request id");

    // A code that is not one: the field is named, what was typed kept.
    let refused = author
        .post(
            "/tai-lieu/moi",
            &[
                ("csrf", &csrf),
                ("request_id", &request_id),
                ("ma", "QT TS 01 !"),
                ("ten", "Quy trình tuyển sinh lớp 6"),
                ("loai", "procedure"),
                ("don_vi", &school.name),
                ("muc_mat", "internal"),
                ("chu_ky", "12"),
                ("noi_dung", "Ban hành lần đầu"),
            ],
        )
        .await;
    assert_eq!(refused.status, 200, "{}", refused.body);
    assert!(refused.body.contains("Có lỗi cần sửa"), "{}", refused.body);
    assert!(refused.body.contains(r##"href="#ma""##), "{}", refused.body);
    assert!(refused.body.contains("Quy trình tuyển sinh lớp 6"), "kept");

    let fields = [
        ("csrf", csrf.as_str()),
        ("request_id", request_id.as_str()),
        ("ma", "QT-TS-01"),
        ("ten", "Quy trình tuyển sinh lớp 6"),
        ("loai", "procedure"),
        ("don_vi", school.name.as_str()),
        ("muc_mat", "internal"),
        ("chu_ky", "12"),
        ("tu_khoa", "tuyển sinh, lớp 6"),
        ("noi_dung", "Ban hành lần đầu"),
    ];
    let created = author.post("/tai-lieu/moi", &fields).await;
    assert_eq!(created.status, 303, "{}", created.body);
    let location = created.location.clone().unwrap();
    assert!(location.contains("?da=tao"), "{location}");
    // The form sent again (a double click, a retry) creates nothing more.
    let again = author.post("/tai-lieu/moi", &fields).await;
    assert_eq!(again.status, 303, "{}", again.body);
    assert_eq!(id_from(&again.location.unwrap()), id_from(&location));
    let id = id_from(&location);
    let name = format!("documents/{id}");
    let listed = server
        .documents(&office.controller)
        .list_documents(ListDocumentsRequest {
            filter: "code = \"QT-TS-01\"".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(listed.documents.len(), 1);
    assert_eq!(listed.documents[0].tags, ["tuyển sinh", "lớp 6"]);
    let draft = format!("{name}/revisions/1");

    let page = author.get(&format!("/tai-lieu/{id}?da=tao")).await;
    for expected in [
        "Đã tạo tài liệu và bản dự thảo lần 1",
        "Bản dự thảo lần 1",
        "Kéo thả tệp vào đây",
        "Trình xem xét",
        "Người dùng hieu.truong",
        "Người dùng pho.hieu.truong",
    ] {
        assert!(page.body.contains(expected), "{expected}: {}", page.body);
    }
    assert!(
        !page.body.contains(">Người dùng thu.ky.truong</label>"),
        "the author is not offered as a reviewer"
    );

    // Sent without a file: refused beside the draft.
    let bare = author
        .post(
            &format!("/tai-lieu/{id}/lan/1/trinh"),
            &[("csrf", &csrf), ("nguoi_xem_xet", &head.name)],
        )
        .await;
    assert_eq!(bare.status, 422);
    assert!(bare.body.contains("Bản dự thảo chưa có tệp"), "{}", bare.body);

    // An upload whose first part is not the form's CSRF value is refused before anything is read.
    let forged = author
        .post_multipart(
            &format!("/tai-lieu/{id}/lan/1/tep"),
            &[("csrf", "not-the-cookie-value-not-the-cookie-value")],
            &[("tep", "a.pdf", PDF, b"%PDF-1.4")],
        )
        .await;
    assert_eq!(forged.status, 403, "{}", forged.body);
    let content = b"%PDF-1.4 quy trinh tuyen sinh lop 6 ".repeat(50_000);
    let uploaded = author
        .post_multipart(
            &format!("/tai-lieu/{id}/lan/1/tep"),
            &[("csrf", &csrf)],
            &[
                ("tep", "QT-TS-01 Quy trình tuyển sinh.pdf", PDF, &content),
                ("tep", "Lưu đồ.png", "image/png", b"\x89PNG\r\n\x1a\n"),
            ],
        )
        .await;
    assert_eq!(uploaded.status, 303, "{}", uploaded.body);
    let revision = server
        .documents(&office.controller)
        .get_revision(GetRevisionRequest { name: draft.clone() })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(revision.files.len(), 2);
    let pdf = revision
        .files
        .iter()
        .find(|f| f.file_name == "QT-TS-01 Quy trình tuyển sinh.pdf")
        .expect("the PDF");
    assert_eq!(pdf.size as usize, content.len());
    assert_eq!(pdf.content_type, PDF);
    let (_, stored) = eiso_tests::documents::download(&mut server.documents(&office.controller), &pdf.name).await;
    assert_eq!(stored, content, "stored as sent");
    // A file added by mistake is removed from the draft.
    let png = revision.files.iter().find(|f| f.file_name == "Lưu đồ.png").unwrap();
    let removed = author
        .post(
            &format!("/tai-lieu/{id}/lan/1/xoa-tep"),
            &[("csrf", &csrf), ("tep", &png.name)],
        )
        .await;
    assert_eq!(removed.status, 303, "{}", removed.body);

    // The lock: while the author holds the draft, another author cannot change it.
    let mut other = server
        .signed_in("to.truong", Role::ProcessingOfficer, &school.name)
        .await;
    let other_csrf = other.csrf();
    let held = author
        .post(&format!("/tai-lieu/{id}/lan/1/giu"), &[("csrf", &csrf)])
        .await;
    assert_eq!(held.status, 303);
    let locked_out = other
        .post(
            &format!("/tai-lieu/{id}/lan/1/sua"),
            &[("csrf", &other_csrf), ("noi_dung", "Sửa chồng")],
        )
        .await;
    assert_eq!(locked_out.status, 422);
    assert!(locked_out.body.contains("đang giữ bản dự thảo"), "{}", locked_out.body);
    let other_page = other.get(&format!("/tai-lieu/{id}")).await;
    assert!(
        other_page.body.contains("Người dùng thu.ky.truong</strong> đang giữ"),
        "{}",
        other_page.body
    );
    let saved = author
        .post(
            &format!("/tai-lieu/{id}/lan/1/sua"),
            &[
                ("csrf", &csrf),
                ("noi_dung", "Ban hành lần đầu theo Thông tư 30/2024"),
                ("ly_do", "Quy trình mới"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let released = author
        .post(&format!("/tai-lieu/{id}/lan/1/tra"), &[("csrf", &csrf)])
        .await;
    assert_eq!(released.status, 303);

    // Sent to two reviewers: it waits in their inboxes.
    let sent = author
        .post(
            &format!("/tai-lieu/{id}/lan/1/trinh"),
            &[
                ("csrf", &csrf),
                ("nguoi_xem_xet", &head.name),
                ("nguoi_xem_xet", &deputy.name),
            ],
        )
        .await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    let revision = server
        .documents(&office.controller)
        .get_revision(GetRevisionRequest { name: draft.clone() })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(revision.state, revision::State::InReview as i32);
    assert_eq!(revision.change_summary, "Ban hành lần đầu theo Thông tư 30/2024");
    assert_eq!(revision.reviews.len(), 2);
    assert_eq!(revision.files.len(), 1);
    let mut reviewer = server.browser_of("hieu.truong").await;
    let inbox = reviewer.get("/cho-duyet").await;
    assert!(inbox.body.contains("QT-TS-01"), "{}", inbox.body);
    // No longer a draft: nothing to write on the page.
    let page = author.get(&format!("/tai-lieu/{id}")).await;
    assert!(!page.body.contains("Kéo thả tệp vào đây"));

    // Nothing of this for a viewer: no form, and the server refuses anyway.
    let mut viewer = server.signed_in("xem", Role::Viewer, &school.name).await;
    let viewer_csrf = viewer.csrf();
    assert!(!viewer.get("/tai-lieu").await.body.contains("/tai-lieu/moi"));
    assert_eq!(viewer.get("/tai-lieu/moi").await.status, 403);
    let mut refused_fields = fields.to_vec();
    refused_fields[0] = ("csrf", viewer_csrf.as_str());
    refused_fields[2] = ("ma", "QT-TS-02");
    assert_eq!(viewer.post("/tai-lieu/moi", &refused_fields).await.status, 403);
}

#[tokio::test]
async fn writing_a_document_follows_the_unit_scoping_of_the_api() {
    let server = TestServer::start().await;
    let units = server.school_units().await;
    let (office, school) = (&units.office, &units.school);
    let mut controller = server.documents(&office.controller);
    let document = controller
        .create_document(create(procedure(
            "QT-TS-01",
            "Quy trình tuyển sinh lớp 6",
            &school.name,
            Confidentiality::Internal,
        )))
        .await
        .unwrap()
        .into_inner();
    let draft = controller
        .create_revision(first_revision(&document.name))
        .await
        .unwrap()
        .into_inner();
    let id = document.name.trim_start_matches("documents/").to_string();

    for (who, unit, writes) in units.readers() {
        let mut browser = server
            .signed_in(&format!("soan.thao.{who}"), Role::DocumentController, unit)
            .await;
        let csrf = browser.csrf();
        // A new document of the school.
        let form = browser.get("/tai-lieu/moi").await;
        assert_eq!(form.status, 200, "{who}");
        assert_eq!(
            form.body.contains(&format!(r#"value="{}""#, school.name)),
            writes,
            "{who}: the school offered"
        );
        let request_id = form.input("request_id").unwrap();
        let code = format!("HD-{who}");
        let created = browser
            .post(
                "/tai-lieu/moi",
                &[
                    ("csrf", &csrf),
                    ("request_id", &request_id),
                    ("ma", &code),
                    ("ten", "Hướng dẫn"),
                    ("loai", "instruction"),
                    ("don_vi", &school.name),
                    ("muc_mat", "internal"),
                    ("chu_ky", "0"),
                ],
            )
            .await;
        if writes {
            assert_eq!(created.status, 303, "{who}: {}", created.body);
        } else {
            assert_eq!(created.status, 200, "{who}");
            assert!(
                created.body.contains("Bạn không soạn tài liệu cho đơn vị này"),
                "{who}: {}",
                created.body
            );
        }
        // A file on the school's draft.
        let uploaded = browser
            .post_multipart(
                &format!("/tai-lieu/{id}/lan/1/tep"),
                &[("csrf", &csrf)],
                &[("tep", &format!("{who}.pdf"), PDF, b"%PDF-1.4")],
            )
            .await;
        if writes {
            assert_eq!(uploaded.status, 303, "{who}: {}", uploaded.body);
        } else {
            assert!(matches!(uploaded.status, 403 | 404), "{who}: {}", uploaded.status);
        }
        let files = server
            .documents(&office.controller)
            .get_revision(GetRevisionRequest {
                name: draft.name.clone(),
            })
            .await
            .unwrap()
            .into_inner()
            .files;
        assert_eq!(
            files.iter().any(|f| f.file_name == format!("{who}.pdf")),
            writes,
            "{who}: the file"
        );
    }
    let listed = server
        .documents(&office.controller)
        .list_documents(ListDocumentsRequest {
            filter: format!("owner_unit = \"{}\"", school.name),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let mut codes: Vec<_> = listed.documents.iter().map(|d| d.code.as_str()).collect();
    codes.sort();
    assert_eq!(codes, ["HD-ancestor", "HD-same", "QT-TS-01"]);
}
