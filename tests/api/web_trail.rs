//! The audit trail page (nhật ký): an internal auditor at the root reads
//! who did what, filters by resource, person and result, and checks the
//! hash chain — which finds an entry rewritten in the database. Reading a
//! trail is for the oversight roles at the root unit, as over gRPC.

use eiso_proto::eiso::identity::v1::Role;
use eiso_tests::TestServer;
use eiso_tests::documents::{create, procedure};
use sea_orm::ConnectionTrait;

#[tokio::test]
async fn an_auditor_reads_filters_and_verifies_a_trail_from_its_page() {
    let server = TestServer::start().await;
    let office = server.education_office().await;
    let root = server.root_unit().await;
    let document = server
        .documents(&office.controller)
        .create_document(create(procedure(
            "QT-TTHC-01",
            "Quy trình tiếp nhận hồ sơ",
            &office.unit.name,
            eiso_proto::eiso::documents::v1::Confidentiality::Internal,
        )))
        .await
        .unwrap()
        .into_inner();
    // A viewer's refused attempt, recorded with its result.
    let (_, viewer) = server.user_with_role("xem", Role::Viewer, &office.unit.name).await;
    server
        .documents(&viewer)
        .create_document(create(procedure(
            "QT-X",
            "Thử",
            &office.unit.name,
            eiso_proto::eiso::documents::v1::Confidentiality::Internal,
        )))
        .await
        .unwrap_err();

    let mut auditor = server.signed_in("danh.gia", Role::InternalAuditor, &root.name).await;
    let home = auditor.get("/").await;
    assert!(home.body.contains(r#"href="/nhat-ky""#), "the menu has the trail");
    let page = auditor.get("/nhat-ky?so=documents").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Nhật ký: Tài liệu và hồ sơ chất lượng"));
    assert!(
        page.body.contains("CreateDocument") && page.body.contains(&document.name),
        "{}",
        page.body
    );
    assert!(page.body.contains("Người dùng thu.ky"), "the person by name");
    assert!(
        page.body.find("Người dùng xem") < page.body.find("Người dùng thu.ky"),
        "the newest entry (the refused attempt) comes first"
    );

    // By resource, by person, by result.
    let by_resource = auditor
        .get(&format!("/nhat-ky?so=documents&doi_tuong={}", document.name))
        .await;
    assert!(by_resource.body.contains(&document.name));
    assert!(!by_resource.body.contains("Người dùng xem"));
    let by_person = auditor.get("/nhat-ky?so=documents&nguoi=xem").await;
    assert!(
        by_person.body.contains("Bị từ chối (PERMISSION_DENIED)"),
        "{}",
        by_person.body
    );
    assert!(!by_person.body.contains(&document.name));
    let refused = auditor.get("/nhat-ky?so=documents&ket_qua=7").await;
    assert!(refused.body.contains("Người dùng xem") && !refused.body.contains("Người dùng thu.ky"));
    let nobody = auditor.get("/nhat-ky?so=documents&nguoi=khong.co").await;
    assert!(nobody.body.contains("Không có người dùng “khong.co”"));
    assert_eq!(auditor.get("/nhat-ky?so=documents&ket_qua=99").await.status, 400);
    assert_eq!(auditor.get("/nhat-ky?so=khac").await.status, 400);
    assert_eq!(auditor.get("/nhat-ky?so=documents&doi_tuong=a%22b").await.status, 400);

    // The chain: intact, then broken where an entry was rewritten.
    let checked = auditor.get("/nhat-ky?so=documents&kiem_tra=1").await;
    assert!(checked.body.contains("Nhật ký toàn vẹn"), "{}", checked.body);
    let raw = server.backend.as_ref().unwrap().connect_raw("documents").await;
    raw.execute_unprepared("UPDATE audit_entries SET actor = 'users/someone-else' WHERE sequence = 1")
        .await
        .unwrap();
    raw.close().await.unwrap();
    let broken = auditor.get("/nhat-ky?so=documents&kiem_tra=1").await;
    assert!(broken.body.contains("Nhật ký bị can thiệp"), "{}", broken.body);
    assert!(broken.body.contains("đứt tại mục số 1"));

    // An auditor of the office (not the root) may not read a whole trail.
    let mut office_auditor = server
        .signed_in("danh.gia.pgd", Role::InternalAuditor, &office.unit.name)
        .await;
    assert_eq!(office_auditor.get("/nhat-ky").await.status, 403);
    assert!(
        !office_auditor.get("/").await.body.contains(r#"href="/nhat-ky""#),
        "the menu offers only what is allowed"
    );
    let mut root_leader = server.signed_in("lanh.dao", Role::Leader, &root.name).await;
    assert_eq!(root_leader.get("/nhat-ky").await.status, 200);
    assert!(root_leader.get("/").await.body.contains(r#"href="/nhat-ky""#));
    let mut clerk = server.signed_in("mot.cua", Role::CounterStaff, &root.name).await;
    assert!(!clerk.get("/").await.body.contains(r#"href="/nhat-ky""#));
    assert_eq!(clerk.get("/nhat-ky").await.status, 403);
    server.stop().await;
}
