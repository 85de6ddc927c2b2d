//! Importing a year's plan from its appendix table on the page: checked
//! first (how many tasks and targets were read), a broken table's problems
//! shown against their row and column in Vietnamese, then imported; refused
//! to a viewer and for a unit the person does not write plans for.

use eiso_proto::eiso::identity::v1::Role;
use eiso_proto::eiso::plans::v1::ListPlansRequest;
use eiso_tests::TestServer;

const TASKS: &str = include_str!("../../services/plans/samples/ke-hoach-cchc-2024.csv");
const TARGETS: &str = include_str!("../../services/plans/samples/ke-hoach-cchc-2024-chi-tieu.csv");
const CSV: &str = "text/csv";

/// A form's fields as the test browser takes them.
fn send(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

#[tokio::test]
async fn a_leader_checks_then_imports_the_appendix_table_and_sees_each_problem_on_its_row() {
    let server = TestServer::start().await;
    let neighbours = server.office_with_neighbours().await;
    let office = &neighbours.office;
    let (leader_token, mut leader) = server
        .signed_in_with_token("lanh.dao", Role::Leader, &office.name)
        .await;
    let csrf = leader.csrf();
    assert!(leader.get("/ke-hoach").await.body.contains(r#"href="/ke-hoach/nhap""#));
    let form = leader.get("/ke-hoach/nhap").await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("Phòng Giáo dục và Đào tạo"), "{}", form.body);

    let fields = |action: &'static str, year: &'static str, unit: &str, csrf: &str| -> Vec<(String, String)> {
        vec![
            ("csrf".into(), csrf.to_string()),
            ("ten".into(), format!("Kế hoạch cải cách hành chính năm {year}")),
            ("nam".into(), year.into()),
            ("don_vi".into(), unit.to_string()),
            ("hanh_dong".into(), action.into()),
        ]
    };

    // Checked: read, nothing made.
    let checked_fields = fields("kiem_tra", "2024", &office.name, &csrf);
    let checked = leader
        .post_multipart(
            "/ke-hoach/nhap",
            &send(&checked_fields),
            &[
                ("bang", "ke-hoach-cchc-2024.csv", CSV, TASKS.as_bytes()),
                ("chi_tieu", "chi-tieu.csv", CSV, TARGETS.as_bytes()),
            ],
        )
        .await;
    assert_eq!(checked.status, 200, "{}", checked.body);
    assert!(
        checked.body.contains("Bảng đọc được: 28 nhiệm vụ, 8 chỉ tiêu."),
        "{}",
        checked.body
    );
    let plans = |token: &str| {
        let server = &server;
        let token = token.to_string();
        async move {
            server
                .plans(&token)
                .list_plans(ListPlansRequest::default())
                .await
                .unwrap()
                .into_inner()
                .plans
        }
    };
    assert!(plans(&leader_token).await.is_empty(), "a check makes no plan");

    // A broken table: each problem on its row and column. The table's own
    // shape is read first (a number given twice), then each task's values.
    for (broken, expected) in [
        (
            TASKS.replacen("\n1.3,", "\n1.2,", 1),
            "<td>Bảng nhiệm vụ</td><td class=\"num\">5</td><td>STT</td><td>Số thứ tự trùng với một dòng phía trên.</td>",
        ),
        (
            TASKS.replacen("\"Tháng 1,2 năm 2024\"", "sớm", 1),
            "<td>Bảng nhiệm vụ</td><td class=\"num\">3</td><td>Thời gian hoàn thành</td><td>Không đọc được thời gian hoàn thành",
        ),
    ] {
        let refused = leader
            .post_multipart(
                "/ke-hoach/nhap",
                &send(&checked_fields),
                &[("bang", "ke-hoach-cchc-2024.csv", CSV, broken.as_bytes())],
            )
            .await;
        assert_eq!(refused.status, 422, "{}", refused.body);
        assert!(refused.body.contains(expected), "{expected}: {}", refused.body);
    }
    // Not a table at all.
    let wrong = leader
        .post_multipart(
            "/ke-hoach/nhap",
            &send(&checked_fields),
            &[("bang", "ke-hoach.docx", "application/octet-stream", b"PK\x03\x04")],
        )
        .await;
    assert_eq!(wrong.status, 422);
    assert!(
        wrong.body.contains("không phải tệp Excel (.xlsx) hay CSV (.csv)"),
        "{}",
        wrong.body
    );

    // Imported: the plan's page.
    let imported = leader
        .post_multipart(
            "/ke-hoach/nhap",
            &send(&fields("nhap", "2024", &office.name, &csrf)),
            &[
                ("bang", "ke-hoach-cchc-2024.csv", CSV, TASKS.as_bytes()),
                ("chi_tieu", "chi-tieu.csv", CSV, TARGETS.as_bytes()),
            ],
        )
        .await;
    assert_eq!(imported.status, 303, "{}", imported.body);
    let made = plans(&leader_token).await;
    assert_eq!(made.len(), 1);
    assert_eq!(made[0].task_count, 28);
    assert_eq!(made[0].target_count, 8);
    assert_eq!(
        imported.location.as_deref(),
        Some(format!("/ke-hoach/{}", made[0].name.trim_start_matches("plans/")).as_str())
    );

    // For the office's 2025 plan: allowed above it, refused below and beside.
    for (who, unit, writes) in neighbours.around() {
        let mut other = server.signed_in(&format!("lanh.dao.{who}"), Role::Leader, unit).await;
        let csrf = other.csrf();
        let page = other
            .post_multipart(
                "/ke-hoach/nhap",
                &send(&fields("kiem_tra", "2025", &office.name, &csrf)),
                &[("bang", "ke-hoach.csv", CSV, TASKS.replace("2024", "2025").as_bytes())],
            )
            .await;
        if writes {
            assert_eq!(page.status, 200, "{who}: {}", page.body);
            assert!(page.body.contains("Bảng đọc được"), "{who}");
        } else {
            assert_eq!(page.status, 422, "{who}");
            assert!(
                page.body.contains("Bạn không lập kế hoạch cho đơn vị này."),
                "{who}: {}",
                page.body
            );
        }
    }
    let mut viewer = server.signed_in("xem", Role::Viewer, &office.name).await;
    assert_eq!(viewer.get("/ke-hoach/nhap").await.status, 403);
    assert!(!viewer.get("/ke-hoach").await.body.contains("/ke-hoach/nhap"));
}
