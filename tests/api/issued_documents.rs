//! Paper a leader signs (issue 18, Nghị định 30/2020/NĐ-CP): the documents a
//! unit issues — periodic plan reports and management review packs — are
//! numbered in one register per unit and year (`Số: 01/BC-PGDĐT`, from 01
//! each January), carry the unit's symbol, signer's title and name and the
//! plan's recipients, say their subject once under `BÁO CÁO`, and print `–`
//! for a rate over nothing.

use chrono::{DateTime, Utc};
use eiso_platform::clock::Clock;
use eiso_proto::eiso::identity::v1::{Role, Unit, UpdateUnitRequest};
use eiso_proto::eiso::plans::v1::*;
use eiso_proto::eiso::procedures::v1 as procs;
use eiso_proto::eiso::quality::v1::GenerateManagementReviewPackRequest;
use eiso_tests::values::{bad_fields, local_time, mask};
use eiso_tests::{Backend, TestServer};

fn at(year: i32, m: u32, d: u32) -> DateTime<Utc> {
    local_time(year, m, d, 9, 0)
}

async fn plan(server: &TestServer, token: &str, unit: &str, year: i32, recipients: &[&str]) -> Plan {
    server
        .plans(token)
        .create_plan(CreatePlanRequest {
            plan: Some(Plan {
                year,
                issuing_unit: unit.into(),
                title: format!("Kế hoạch cải cách hành chính năm {year}"),
                report_recipients: recipients.iter().map(|r| r.to_string()).collect(),
                ..Default::default()
            }),
            plan_id: format!("cchc-{year}-{}", unit.trim_start_matches("units/")),
            request_id: String::new(),
        })
        .await
        .unwrap()
        .into_inner()
}

async fn quarterly(server: &TestServer, token: &str, plan: &Plan, quarter: i32) -> (Report, String) {
    let mut plans = server.plans(token);
    let report = plans
        .generate_report(eiso_tests::plans::quarterly_report(&plan.name, quarter))
        .await
        .unwrap()
        .into_inner();
    let page = eiso_tests::plans::report_html(&mut plans, &report.name).await;
    (report, page)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_and_review_packs_are_numbered_per_unit_and_year_and_signed_as_the_unit_says() {
    let (clock, time) = Clock::manual(at(2024, 4, 1));
    let server = TestServer::start_with_clock(Backend::fresh().await, clock.clone()).await;
    let root = server.root_unit().await;
    let office = server
        .create_unit("31-HAIAN-GDDT", "Phòng Giáo dục và Đào tạo quận Hải An", &root.name)
        .await;
    let school = server
        .create_unit("THCS-DL", "Trường THCS Đằng Lâm", &office.name)
        .await;

    // The administrator sets how the office's documents are numbered and signed.
    let letterhead = |symbol: &str| UpdateUnitRequest {
        unit: Some(Unit {
            name: office.name.clone(),
            place_name: "Hải An".into(),
            document_symbol: symbol.into(),
            signer_title: " TRƯỞNG PHÒNG ".into(),
            signer_name: "Nguyễn Thị Minh Thu".into(),
            ..Default::default()
        }),
        update_mask: mask(&["place_name", "document_symbol", "signer_title", "signer_name"]),
        etag: String::new(),
    };
    let status = server.admin().update_unit(letterhead("PGD ĐT")).await.unwrap_err();
    assert_eq!(status.code(), tonic::Code::InvalidArgument);
    assert_eq!(bad_fields(&status), ["unit.document_symbol"], "a space in the symbol");
    let updated = server
        .admin()
        .update_unit(letterhead("PGDĐT"))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (
            updated.document_symbol.as_str(),
            updated.signer_title.as_str(),
            updated.signer_name.as_str()
        ),
        ("PGDĐT", "TRƯỞNG PHÒNG", "Nguyễn Thị Minh Thu")
    );

    let (_, leader) = server.user_with_role("truong.phong", Role::Leader, &office.name).await;
    let (_, head) = server.user_with_role("hieu.truong", Role::Leader, &school.name).await;
    let plan_2024 = plan(&server, &leader, &office.name, 2024, &["Sở GD&ĐT", "UBND quận"]).await;

    // The first document the office issues in 2024: 01.
    let (q1, html) = quarterly(&server, &leader, &plan_2024, 1).await;
    assert_eq!(q1.document_number, "01/BC-PGDĐT");
    assert!(html.contains("<div class=\"number\">Số: 01/BC-PGDĐT</div>"), "{html}");
    assert!(html.contains("Hải An, ngày 25 tháng 3 năm 2024"));
    // The heading says the type; the subject under it does not say it again.
    assert!(html.contains(
        "<h1 class=\"kind\">BÁO CÁO</h1>\n<div class=\"subject\">Kết quả thực hiện cải cách hành chính quý I năm 2024</div>"
    ));
    assert!(!html.contains("subject\">Báo cáo"));
    // Nơi nhận: the plan's recipients in order, then the office's own copy.
    let recipients = html.find("- Sở GD&amp;ĐT;").expect("first recipient");
    let second = html.find("- UBND quận;").expect("second recipient");
    let archive = html.find("- Lưu: VT.").expect("the office's copy");
    assert!(recipients < second && second < archive);
    assert!(html.contains("<div class=\"title\">TRƯỞNG PHÒNG</div>"));
    assert!(html.contains("<div class=\"signer\">Nguyễn Thị Minh Thu</div>"));
    // No dossier in the quarter: the rates print "–", not "0%".
    assert!(!html.contains(">0%<"), "{html}");
    assert!(html.contains("<td class=\"c\">–</td>"));
    assert!(html.contains("tỷ lệ hài lòng: –"));

    // Asked again, the same report under the same number; the next report, 02.
    let (again, _) = quarterly(&server, &leader, &plan_2024, 1).await;
    assert_eq!(again.document_number, "01/BC-PGDĐT");
    time.set(at(2024, 7, 1));
    let (q2, _) = quarterly(&server, &leader, &plan_2024, 2).await;
    assert_eq!(q2.document_number, "02/BC-PGDĐT");

    // A management review pack is in the same register: 03.
    let review = server
        .quality(&leader)
        .generate_management_review_pack(GenerateManagementReviewPackRequest {
            unit: office.name.clone(),
            start_date: Some(procs::LocalDate {
                year: 2024,
                month: 1,
                day: 1,
            }),
            end_date: Some(procs::LocalDate {
                year: 2024,
                month: 6,
                day: 30,
            }),
            title: String::new(),
            request_id: "review-h1".into(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(review.document_number, "03/BC-PGDĐT");

    // The school keeps its own register; without a symbol, `01/BC`; without
    // recipients, the office above it; without a signer, the generic title.
    let school_plan = plan(&server, &head, &school.name, 2024, &[]).await;
    let (school_q1, html) = quarterly(&server, &head, &school_plan, 1).await;
    assert_eq!(school_q1.document_number, "01/BC");
    assert!(html.contains("- Phòng Giáo dục và Đào tạo quận Hải An;"), "{html}");
    assert!(html.contains("<div class=\"title\">THỦ TRƯỞNG ĐƠN VỊ</div>"));
    assert!(!html.contains("class=\"signer\""));

    // A new year starts the register again from 01.
    time.set(at(2025, 4, 1));
    let plan_2025 = plan(&server, &leader, &office.name, 2025, &[]).await;
    let (next_year, _) = quarterly(&server, &leader, &plan_2025, 1).await;
    assert_eq!(next_year.document_number, "01/BC-PGDĐT");
}
