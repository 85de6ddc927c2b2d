//! The management reviews' page: a leader generates the pack of a period
//! from the page (once, however often the form is sent), it is listed with
//! its number and opens as the quality record it was filed as; a bad period
//! is refused in Vietnamese; the same unit scoping as the API.

use eiso_proto::eiso::identity::v1::Role;
use eiso_proto::eiso::quality::v1::*;
use eiso_tests::TestServer;

#[tokio::test]
async fn a_leader_generates_the_review_pack_from_the_page_and_opens_its_record() {
    let server = TestServer::start().await;
    let neighbours = server.office_with_neighbours().await;
    let office = &neighbours.office;
    let (leader_token, mut leader) = server
        .signed_in_with_token("lanh.dao", Role::Leader, &office.name)
        .await;
    let csrf = leader.csrf();

    let page = leader.get("/chat-luong/xem-xet").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Lập hồ sơ xem xét mới"), "{}", page.body);
    let request_id = page.input("request_id").expect("a request id");
    let refused = leader
        .post(
            "/chat-luong/xem-xet",
            &[
                ("csrf", &csrf),
                ("request_id", &request_id),
                ("don_vi", &office.name),
                ("tu_ngay", "30/06/2024"),
                ("den_ngay", "01/01/2024"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(
        refused.body.contains("Đến ngày không trước từ ngày."),
        "{}",
        refused.body
    );
    let form = [
        ("csrf", csrf.as_str()),
        ("request_id", request_id.as_str()),
        ("don_vi", office.name.as_str()),
        ("tu_ngay", "01/01/2024"),
        ("den_ngay", "30/06/2024"),
        ("tieu_de", "Xem xét của lãnh đạo 6 tháng đầu năm 2024"),
    ];
    let made = leader.post("/chat-luong/xem-xet", &form).await;
    assert_eq!(made.status, 303, "{}", made.body);
    assert_eq!(leader.post("/chat-luong/xem-xet", &form).await.status, 303);
    let reviews = server
        .quality(&leader_token)
        .list_management_reviews(ListManagementReviewsRequest::default())
        .await
        .unwrap()
        .into_inner()
        .management_reviews;
    assert_eq!(reviews.len(), 1, "sent twice, made once");
    let record_href = format!("/ho-so-chat-luong/{}", reviews[0].record.trim_start_matches("records/"));
    let page = leader.get("/chat-luong/xem-xet?da=lap").await;
    for expected in [
        "Đã lập hồ sơ xem xét của lãnh đạo",
        "Xem xét của lãnh đạo 6 tháng đầu năm 2024",
        "01/01/2024 – 30/06/2024",
        reviews[0].document_number.as_str(),
        record_href.as_str(),
    ] {
        assert!(page.body.contains(expected), "{expected}: {}", page.body);
    }
    let record = leader.get(&record_href).await;
    assert_eq!(record.status, 200);
    assert!(record.body.contains("Xem xét của lãnh đạo 6 tháng đầu năm 2024"));

    for (who, unit, sees) in neighbours.around() {
        let mut other = server.signed_in(&format!("lanh.dao.{who}"), Role::Leader, unit).await;
        let page = other.get("/chat-luong/xem-xet").await;
        assert_eq!(page.status, 200, "{who}");
        assert_eq!(page.body.contains("6 tháng đầu năm 2024"), sees, "{who}: the list");
        // A pack for the office: allowed above it, refused (nothing made) below and beside.
        let csrf = other.csrf();
        let made = other
            .post(
                "/chat-luong/xem-xet",
                &[
                    ("csrf", &csrf),
                    ("request_id", &format!("{who}-pack")),
                    ("don_vi", &office.name),
                    ("tu_ngay", "01/07/2024"),
                    ("den_ngay", "31/12/2024"),
                ],
            )
            .await;
        assert_eq!(made.status, if sees { 303 } else { 422 }, "{who}: {}", made.body);
    }
    let count = server
        .quality(&leader_token)
        .list_management_reviews(ListManagementReviewsRequest::default())
        .await
        .unwrap()
        .into_inner()
        .management_reviews
        .len();
    assert_eq!(count, 2, "the ancestor's pack only");

    // A viewer reads the list but has no form, and is refused anyway.
    let mut viewer = server.signed_in("xem", Role::Viewer, &office.name).await;
    let page = viewer.get("/chat-luong/xem-xet").await;
    assert!(!page.body.contains("Lập hồ sơ xem xét mới") || page.status != 200);
    let csrf = viewer.csrf();
    let refused = viewer
        .post(
            "/chat-luong/xem-xet",
            &[
                ("csrf", &csrf),
                ("request_id", "viewer-pack"),
                ("don_vi", &office.name),
                ("tu_ngay", "01/07/2024"),
                ("den_ngay", "31/12/2024"),
            ],
        )
        .await;
    assert_eq!(refused.status, 403);
}
