use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use chrono::TimeZone;

use super::*;

fn sample() -> Document {
    let date = |y, m, d| eiso_proto::eiso::procedures::v1::LocalDate {
        year: y,
        month: m,
        day: d,
    };
    Document {
        review: pb::ManagementReview {
            name: "managementReviews/r1".into(),
            unit: "units/u1".into(),
            start_date: Some(date(2024, 1, 1)),
            end_date: Some(date(2024, 12, 31)),
            title: "Báo cáo xem xét của lãnh đạo năm 2024".into(),
            document_number: "07/BC-PGDĐT".into(),
            pack: Some(pb::ManagementReviewPack {
                quality: Some(pb::QualityFigures {
                    audits: 2,
                    audits_completed: 1,
                    major_nonconformities: 1,
                    minor_nonconformities: 3,
                    corrective_actions_open: 1,
                    corrective_actions_overdue: 1,
                    ..Default::default()
                }),
                audits: vec![pb::AuditSummary {
                    name: "audits/a1".into(),
                    title: "Đánh giá quy trình <tiếp nhận> hồ sơ".into(),
                    state: pb::audit::State::Completed as i32,
                    start_date: Some(date(2024, 3, 5)),
                    finding_count: 4,
                }],
                open_corrective_actions: vec![pb::CorrectiveAction {
                    nonconformity: "Sổ theo dõi hồ sơ không ghi ngày trả kết quả".into(),
                    root_cause: "Chưa phân công người cập nhật".into(),
                    state: pb::corrective_action::State::ActionsPlanned as i32,
                    actions: vec![pb::PlannedAction {
                        description: "Phân công".into(),
                        owner: "users/x".into(),
                        due_date: Some(date(2024, 4, 30)),
                    }],
                    ..Default::default()
                }],
                service: Some(pb::ServiceFigures {
                    received: 120,
                    early: 50,
                    on_time: 54,
                    late: 4,
                    on_time_rate: 0.963,
                    satisfaction_rate: 0.9,
                    rated: 40,
                    ..Default::default()
                }),
                inspections: Some(pb::InspectionCoverage {
                    unit: "units/u1".into(),
                    population: vec!["units/s1".into(), "units/s2".into(), "units/s3".into()],
                    inspected: vec!["units/s1".into()],
                    share: 1.0 / 3.0,
                }),
                targets: vec![pb::TargetFigure {
                    title: "Hồ sơ giải quyết trước và đúng hạn".into(),
                    threshold: "≥ 95%".into(),
                    actual: "96,3%".into(),
                    status: "Đạt".into(),
                }],
            }),
            ..Default::default()
        },
        unit_name: "Phòng Giáo dục và Đào tạo".into(),
        author_name: "Nguyễn Thị Hà".into(),
        issue_time: Utc.with_ymd_and_hms(2024, 12, 30, 20, 0, 0).single().expect("valid"),
        place_name: "Hải An".into(),
        letterhead: eiso_platform::directory::Letterhead {
            document_symbol: "PGDĐT".into(),
            signer_title: "TRƯỞNG PHÒNG".into(),
            signer_name: "Nguyễn Thị Minh Thu".into(),
        },
        superior_name: "UBND quận Hải An".into(),
    }
}

#[test]
fn the_page_is_vietnamese_with_local_dates_and_escaped_text() {
    let html = Templates::builtin().page(&sample()).expect("renders");
    // Nghị định 30/2020: the type as the heading, the subject under it once.
    assert!(
        html.contains("<h1 class=\"kind\">BÁO CÁO</h1>\n<div class=\"subject\">Xem xét của lãnh đạo năm 2024</div>"),
        "{html}"
    );
    assert!(html.contains("Số: 07/BC-PGDĐT"), "the number line");
    assert!(html.contains("<div class=\"title\">TRƯỞNG PHÒNG</div>"));
    assert!(html.contains("<div class=\"signer\">Nguyễn Thị Minh Thu</div>"));
    assert!(html.contains("<div class=\"superior\">UBND quận Hải An</div>"));
    assert!(html.contains("Người lập: Nguyễn Thị Hà"));
    assert!(html.contains("Từ ngày 01/01/2024 đến ngày 31/12/2024"));
    // 20:00 UTC on 30/12 is 31/12 in Hà Nội.
    assert!(html.contains("Hải An, ngày 31 tháng 12 năm 2024"), "{html}");
    assert!(html.contains("Đánh giá quy trình &lt;tiếp nhận&gt; hồ sơ"));
    assert!(html.contains("96,3%") && html.contains("90,0%") && html.contains("33,3%"));
    assert!(html.contains("Sổ theo dõi hồ sơ không ghi ngày trả kết quả"));
    assert!(html.contains("30/04/2024"), "the action's due date");
}

#[test]
fn the_workbook_has_a_sheet_per_part() {
    let bytes = workbook(&sample()).expect("writes");
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).expect("reads");
    assert_eq!(
        book.sheet_names(),
        ["Tổng hợp", "Đánh giá nội bộ", "Hành động khắc phục", "Chỉ tiêu"]
    );
    let summary = book.worksheet_range("Tổng hợp").expect("summary");
    let cells: Vec<String> = summary.cells().map(|(_, _, c)| c.to_string()).collect();
    assert!(cells.contains(&"Điểm không phù hợp nhẹ".to_string()));
    assert!(cells.contains(&"96,3%".to_string()));
    let targets = book.worksheet_range("Chỉ tiêu").expect("targets");
    assert_eq!(targets.get((0, 0)), Some(&Data::String("STT".into())));
    assert_eq!(targets.get((1, 0)), Some(&Data::String("1".into())));
    assert_eq!(
        targets.get((1, 1)),
        Some(&Data::String("Hồ sơ giải quyết trước và đúng hạn".into()))
    );
    assert_eq!(targets.get((1, 4)), Some(&Data::String("Đạt".into())));
}
