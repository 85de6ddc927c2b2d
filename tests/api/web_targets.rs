//! The targets page: each target's figure from live data against its goal,
//! with its status in Vietnamese and "–" where there is no data yet, the
//! figure month by month, and the plan's reports printable and as a
//! workbook; the same unit scoping as the API.

use chrono::Datelike;
use eiso_proto::eiso::identity::v1::Role;
use eiso_proto::eiso::plans::v1::*;
use eiso_tests::TestServer;
use eiso_tests::plans::{create_plan, reform_plan};

#[tokio::test]
async fn a_plans_targets_and_reports_are_shown_to_those_who_read_the_plan() {
    let server = TestServer::start().await;
    let office = server.education_office().await;
    let root = server.root_unit().await;
    let school = server
        .create_unit("TH-CL", "Trường Tiểu học Cát Linh", &office.unit.name)
        .await;
    let other = server
        .create_unit("PGD-LC", "Phòng GD&ĐT quận Lê Chân", &root.name)
        .await;
    let (_, leader_token) = server.user_with_role("lanh.dao", Role::Leader, &office.unit.name).await;
    let mut plans = server.plans(&leader_token);
    let year = chrono::Utc::now().year();
    let plan = create_plan(&mut plans, reform_plan(&office.unit.name, year)).await;
    let target = |number: &str, text: &str, measure: Measure, numerator: i64, denominator: i64| CreateTargetRequest {
        parent: plan.name.clone(),
        target: Some(Target {
            number: number.into(),
            text: text.into(),
            measure: measure as i32,
            comparator: Comparator::AtLeast as i32,
            threshold_percent: 90.0,
            manual_numerator: numerator,
            manual_denominator: denominator,
            ..Default::default()
        }),
        request_id: String::new(),
    };
    plans
        .create_target(target(
            "1",
            "Tối thiểu 90% cán bộ được tập huấn",
            Measure::Manual,
            19,
            20,
        ))
        .await
        .unwrap();
    plans
        .create_target(target(
            "2",
            "Trên 90% hồ sơ giải quyết đúng hạn",
            Measure::DossiersOnTime,
            0,
            0,
        ))
        .await
        .unwrap();
    let report = plans
        .generate_report(GenerateReportRequest {
            parent: plan.name.clone(),
            kind: ReportKind::OnDemand as i32,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let plan_id = plan.name.trim_start_matches("plans/");
    let page_address = format!("/ke-hoach/{plan_id}/chi-tieu");
    let report_address = format!(
        "/ke-hoach/{plan_id}/bao-cao/{}",
        report.name.rsplit('/').next().unwrap()
    );

    for (who, unit, sees) in eiso_tests::web::scoped_readers(&office.unit.name, &root.name, &school.name, &other.name) {
        let mut browser = server.signed_in(&format!("xem.{who}"), Role::Leader, unit).await;
        let page = browser.get(&page_address).await;
        assert_eq!(page.status, if sees { 200 } else { 404 }, "{who}");
        assert_eq!(
            browser.get(&report_address).await.status,
            if sees { 200 } else { 404 },
            "{who}: report"
        );
        assert_eq!(
            browser.get(&format!("/ke-hoach/{plan_id}/xuat")).await.status,
            if sees { 200 } else { 404 },
            "{who}: the plan's table"
        );
    }

    let mut leader = server.browser_of("lanh.dao").await;
    let page = leader.get(&page_address).await;
    for expected in [
        "Tối thiểu 90% cán bộ được tập huấn",
        "95%",
        "chỉ tiêu ≥ 90%",
        "Đạt",
        "Chưa có số liệu",
        "<svg class=\"chart\"",
        &report.title,
    ] {
        assert!(page.body.contains(expected), "{expected} in {}", page.body);
    }
    assert!(page.body.contains(">–<"), "no data is a dash, not 0%");
    // The report as filed: printable, and a workbook to download.
    let printed = leader.get(&report_address).await;
    assert_eq!(printed.status, 200);
    assert!(
        printed.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(printed.body.contains(&report.title));
    let workbook = leader.get(&format!("{report_address}?dinh-dang=xlsx")).await;
    assert_eq!(workbook.status, 200);
    assert!(
        workbook.headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
    assert_eq!(&workbook.bytes[..2], b"PK", "an XLSX is a zip");
    let disposition = workbook.headers["content-disposition"].to_str().unwrap();
    assert!(disposition.contains("filename*=UTF-8''"), "{disposition}");

    // The plan's tables, to download as the import reads them.
    let plan_page = leader.get(&format!("/ke-hoach/{plan_id}")).await;
    assert!(plan_page.body.contains(&format!("/ke-hoach/{plan_id}/xuat")));
    let tasks = leader.get(&format!("/ke-hoach/{plan_id}/xuat?dinh-dang=csv")).await;
    assert_eq!(tasks.status, 200);
    assert!(tasks.headers["content-type"].to_str().unwrap().starts_with("text/csv"));
    let csv = String::from_utf8_lossy(&tasks.bytes).into_owned();
    assert!(csv.contains("Thời gian hoàn thành"), "{csv}");
    let targets = leader.get(&format!("/ke-hoach/{plan_id}/xuat?chi-tieu=1")).await;
    assert_eq!(targets.status, 200);
    assert_eq!(&targets.bytes[..2], b"PK", "the targets' workbook");
    server.stop().await;
}
