//! The procedure catalogue's page: the table checked, then imported as
//! drafts; a refused row shown with its column; a procedure's version
//! published from the page; the catalogue exported as the import reads it;
//! a unit beside the agency changes none of its procedures.

use eiso_proto::eiso::identity::v1::Role;
use eiso_proto::eiso::procedures::v1::*;
use eiso_tests::TestServer;

const SAMPLE: &str = include_str!("../../services/procedures/samples/thu-tuc-giao-duc.csv");
const CSV: &str = "text/csv";

#[tokio::test]
async fn a_leader_checks_imports_and_publishes_the_catalogue_from_the_page() {
    let server = TestServer::start().await;
    let eiso_tests::Neighbours { office, sibling, .. } = server.office_with_neighbours().await;
    let table = SAMPLE.replace("units/replace-me", &office.name);
    let mut leader = server.signed_in("lanh.dao", Role::Leader, &office.name).await;
    let csrf = leader.csrf();
    let page = leader.get("/quan-tri/thu-tuc").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Nhập danh mục từ bảng"), "{}", page.body);

    let send = |action: &str| vec![("csrf", csrf.clone()), ("hanh_dong", action.to_string())];
    let checked_fields = send("kiem_tra");
    let borrowed: Vec<(&str, &str)> = checked_fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let checked = leader
        .post_multipart(
            "/quan-tri/thu-tuc",
            &borrowed,
            &[("bang", "thu-tuc.csv", CSV, table.as_bytes())],
        )
        .await;
    assert_eq!(checked.status, 200, "{}", checked.body);
    assert!(checked.body.contains("Bảng đọc được: "), "{}", checked.body);
    let listed = |server: &TestServer| {
        let mut procedures = server.catalogue(&server.admin_token);
        async move {
            procedures
                .list_procedures(ListProceduresRequest {
                    page_size: 1000,
                    ..Default::default()
                })
                .await
                .unwrap()
                .into_inner()
                .procedures
        }
    };
    assert!(listed(&server).await.is_empty(), "a check imports nothing");

    // A row whose code is not one: shown with its row and column, nothing imported.
    let broken = table.replacen("2.002481,", "khong-phai-ma,", 1);
    let refused = leader
        .post_multipart(
            "/quan-tri/thu-tuc",
            &borrowed,
            &[("bang", "thu-tuc.csv", CSV, broken.as_bytes())],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.body.contains("<td class=\"num\">2</td><td>Mã TTHC</td>"),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("“khong-phai-ma” không phải mã thủ tục quốc gia"),
        "what is wrong, in Vietnamese, with the value typed: {}",
        refused.body
    );

    let import_fields = send("nhap");
    let borrowed: Vec<(&str, &str)> = import_fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let imported = leader
        .post_multipart(
            "/quan-tri/thu-tuc",
            &borrowed,
            &[("bang", "thu-tuc.csv", CSV, table.as_bytes())],
        )
        .await;
    assert_eq!(imported.status, 200, "{}", imported.body);
    assert!(imported.body.contains("Đã nhập: "), "{}", imported.body);
    let procedures = listed(&server).await;
    assert!(!procedures.is_empty());
    let transfer = procedures
        .iter()
        .find(|p| p.code == "2.002481")
        .expect("the transfer procedure");
    assert_eq!(transfer.published_version, 0, "imported as a draft");
    let version = format!("{}/versions/{}", transfer.name, transfer.latest_version);
    assert!(imported.body.contains(&version), "a publish button: {}", imported.body);
    let published = leader
        .post(
            "/quan-tri/thu-tuc/ban-hanh",
            &[("csrf", csrf.as_str()), ("phien_ban", version.as_str())],
        )
        .await;
    assert_eq!(published.status, 303, "{}", published.body);
    let transfer = listed(&server)
        .await
        .into_iter()
        .find(|p| p.code == "2.002481")
        .unwrap();
    assert_eq!(transfer.published_version, transfer.latest_version);

    let exported = leader.get("/quan-tri/thu-tuc/xuat?dinh-dang=csv").await;
    assert_eq!(exported.status, 200);
    assert!(String::from_utf8_lossy(&exported.bytes).contains("2.002481"));

    // A leader beside the agency: its procedures are not theirs to change.
    let mut other = server.signed_in("lanh.dao.ptp", Role::Leader, &sibling.name).await;
    let other_csrf = other.csrf();
    let refused = other
        .post_multipart(
            "/quan-tri/thu-tuc",
            &[("csrf", other_csrf.as_str()), ("hanh_dong", "nhap")],
            &[(
                "bang",
                "thu-tuc.csv",
                CSV,
                table.replace("Chuyển trường", "Đổi tên").as_bytes(),
            )],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    let publish_refused = other
        .post(
            "/quan-tri/thu-tuc/ban-hanh",
            &[("csrf", other_csrf.as_str()), ("phien_ban", version.as_str())],
        )
        .await;
    assert_eq!(publish_refused.status, 422);
    let mut viewer = server.signed_in("xem", Role::Viewer, &office.name).await;
    assert!(
        !viewer
            .get("/quan-tri/thu-tuc")
            .await
            .body
            .contains("Nhập danh mục từ bảng")
    );
}

#[tokio::test]
async fn a_table_form_takes_a_large_table_and_refuses_a_form_past_its_bound() {
    let server = TestServer::start().await;
    let eiso_tests::Neighbours { office, .. } = server.office_with_neighbours().await;
    let mut leader = server.signed_in("lanh.dao", Role::Leader, &office.name).await;
    let csrf = leader.csrf();
    let fields = [("csrf", csrf.as_str()), ("hanh_dong", "kiem_tra")];
    // 3 MiB: past axum's default body limit, within the form's: read, and judged as a table.
    let large = format!("Mã TTHC,Tên thủ tục\n{}", "x,y\n".repeat(3 << 18));
    let page = leader
        .post_multipart(
            "/quan-tri/thu-tuc",
            &fields,
            &[("bang", "a.csv", CSV, large.as_bytes())],
        )
        .await;
    assert_eq!(page.status, 422, "{}", page.body);
    assert!(!page.body.contains("Bảng quá lớn"), "{}", page.body);
    assert!(
        page.body.contains("Dòng tiêu đề không đúng mẫu danh mục."),
        "a header that is not the catalogue's, in Vietnamese: {}",
        page.body
    );
    // Three tables of 8 MiB: each within the per-file bound, together past the form's.
    let big = vec![b'a'; 8 << 20];
    let page = leader
        .post_multipart(
            "/quan-tri/thu-tuc",
            &fields,
            &[
                ("bang", "a.csv", CSV, &big),
                ("bang", "b.csv", CSV, &big),
                ("bang", "c.csv", CSV, &big),
            ],
        )
        .await;
    assert_eq!(page.status, 422, "{}", page.body);
    assert!(page.body.contains("Bảng quá lớn"), "{}", page.body);
    // One table past its own bound.
    let huge = vec![b'a'; 11 << 20];
    let page = leader
        .post_multipart("/quan-tri/thu-tuc", &fields, &[("bang", "a.csv", CSV, &huge)])
        .await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("Bảng quá lớn"), "{}", page.body);
}
