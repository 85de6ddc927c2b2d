//! The quality records' pages: the list by tab and unit, a record with its
//! files by revision, and its disposition at the end of its retention as a
//! recorded act, with the same unit scoping as the API.

use eiso_proto::eiso::documents::v1::*;
use eiso_proto::eiso::identity::v1::Role;
use eiso_tests::TestServer;
use eiso_tests::documents::{PDF, file_record, record_to_destroy, upload};

#[tokio::test]
async fn a_record_is_kept_shown_by_revision_and_disposed_of_from_its_page() {
    let server = TestServer::start().await;
    let units = server.school_units().await;
    let (office, school) = (&units.office, &units.school);
    let mut client = server.documents(&office.controller);
    let record = file_record(
        &mut client,
        record_to_destroy("Sổ theo dõi hồ sơ tuyển sinh năm 2024", &school.name),
    )
    .await;
    upload(&mut client, &record.name, "so-tuyen-sinh-2024.pdf", PDF, b"%PDF-1.4 so")
        .await
        .unwrap();
    client
        .close_record(CloseRecordRequest {
            name: record.name.clone(),
            etag: String::new(),
        })
        .await
        .unwrap();
    let id = record.name.trim_start_matches("records/");
    let address = format!("/ho-so-chat-luong/{id}");

    for (who, unit, sees) in units.readers() {
        let mut browser = server.signed_in(&format!("lanh.dao.{who}"), Role::Leader, unit).await;
        let list = browser.get("/ho-so-chat-luong?loai=da-dong").await;
        assert_eq!(list.status, 200, "{who}");
        assert_eq!(
            list.body.contains("Sổ theo dõi hồ sơ tuyển sinh"),
            sees,
            "{who}: the list"
        );
        let page = browser.get(&address).await;
        assert_eq!(page.status, if sees { 200 } else { 404 }, "{who}: the page");
    }

    let mut browser = server.browser_of("thu.ky").await;
    let page = browser.get(&address).await;
    for expected in [
        "Trường THCS A",
        "Đã đóng",
        "5 năm",
        "Hủy",
        "Lần 1 (lập hồ sơ)",
        "so-tuyen-sinh-2024.pdf",
    ] {
        assert!(page.body.contains(expected), "{expected} in {}", page.body);
    }
    assert!(!page.body.contains("Ghi nhận đã xử lý"), "not due: no disposition form");
    assert!(
        !browser
            .get("/ho-so-chat-luong?loai=den-han")
            .await
            .body
            .contains("tuyển sinh")
    );

    // Five years pass: due, listed, and disposed of with its reason and minutes.
    server.end_record_retention().await;
    let due = browser.get("/ho-so-chat-luong?loai=den-han").await;
    assert!(due.body.contains("Sổ theo dõi hồ sơ tuyển sinh"), "{}", due.body);
    let page = browser.get(&address).await;
    assert!(page.body.contains("đã đến hạn") && page.body.contains("Ghi nhận đã xử lý"));
    let csrf = browser.csrf();
    let refused = browser
        .post(
            &format!("{address}/xu-ly"),
            &[("csrf", &csrf), ("ly_do", "Hết thời hạn lưu trữ"), ("so_bien_ban", "")],
        )
        .await;
    assert_eq!(refused.status, 200);
    assert!(
        refused.body.contains("Nhập số biên bản hoặc quyết định."),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("Hết thời hạn lưu trữ"),
        "the reason typed is kept"
    );
    let disposed = browser
        .post(
            &format!("{address}/xu-ly"),
            &[
                ("csrf", &csrf),
                ("ly_do", "Hết thời hạn lưu trữ theo quy định"),
                ("so_bien_ban", "Biên bản hủy số 05/BB-PGDĐT"),
            ],
        )
        .await;
    assert_eq!(disposed.status, 303);
    let page = browser.get(&format!("{address}?da=xu-ly")).await;
    assert!(page.body.contains("Đã xử lý khi hết hạn lưu"), "{}", page.body);
    assert!(page.body.contains("Biên bản hủy số 05/BB-PGDĐT"));
    assert!(
        page.body.contains("Người dùng thu.ky"),
        "the act names who carried it out"
    );
    let got = client
        .get_record(GetRecordRequest {
            name: record.name.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(got.state, record::State::Disposed as i32);

    // A leader may read the record but not dispose of it.
    let mut leader = server.browser_of("lanh.dao.same").await;
    let csrf = leader.csrf();
    let refused = leader
        .post(
            &format!("{address}/xu-ly"),
            &[("csrf", &csrf), ("ly_do", "x"), ("so_bien_ban", "y")],
        )
        .await;
    assert_eq!(refused.status, 403);
    server.stop().await;
}
