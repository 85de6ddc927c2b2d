//! The inspections' page: an office's coverage of its schools over a year
//! (which were inspected, which wait), each inspection with its inspectors,
//! and a planned one recorded as done from the page — refused, named, when
//! its findings are missing; the same unit scoping as the API.

use chrono::Datelike;
use eiso_proto::eiso::identity::v1::Role;
use eiso_proto::eiso::procedures::v1::LocalDate;
use eiso_proto::eiso::quality::v1::*;
use eiso_tests::TestServer;

#[tokio::test]
async fn an_office_sees_which_schools_were_inspected_and_records_an_inspection_from_the_page() {
    let server = TestServer::start().await;
    let root = server.root_unit().await;
    let office = server.create_unit("PGD", "Phòng Giáo dục và Đào tạo", &root.name).await;
    let sibling = server.create_unit("PTP", "Phòng Tư pháp", &root.name).await;
    let mut schools = Vec::new();
    for (code, name) in [
        ("TH-A", "Trường Tiểu học Đằng Lâm"),
        ("TH-B", "Trường Tiểu học Cát Bi"),
        ("THCS-C", "Trường THCS Chu Văn An"),
    ] {
        schools.push(server.create_unit(code, name, &office.name).await);
    }
    let (_, leader_token) = server.user_with_role("lanh.dao", Role::Leader, &office.name).await;
    let (inspector, _) = server
        .user_with_role("thanh.tra", Role::InternalAuditor, &office.name)
        .await;
    let mut leader = server.quality(&leader_token);
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Ho_Chi_Minh)
        .date_naive();
    let local = |d: chrono::NaiveDate| LocalDate {
        year: d.year(),
        month: d.month() as i32,
        day: d.day() as i32,
    };
    let programme = leader
        .create_inspection_programme(CreateInspectionProgrammeRequest {
            programme: Some(InspectionProgramme {
                unit: office.name.clone(),
                year: today.year(),
                title: format!("Kế hoạch kiểm tra các trường năm {}", today.year()),
                population: schools.iter().map(|s| s.name.clone()).collect(),
                ..Default::default()
            }),
            request_id: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    let mut inspections = Vec::new();
    for school in &schools[..2] {
        inspections.push(
            leader
                .create_inspection(CreateInspectionRequest {
                    inspection: Some(Inspection {
                        programme: programme.name.clone(),
                        unit: school.name.clone(),
                        planned_date: Some(local(today)),
                        inspectors: vec![inspector.name.clone()],
                        ..Default::default()
                    }),
                    request_id: String::new(),
                })
                .await
                .unwrap()
                .into_inner(),
        );
    }
    leader
        .complete_inspection(CompleteInspectionRequest {
            name: inspections[0].name.clone(),
            done_date: Some(local(today)),
            findings: "Hồ sơ tuyển sinh đầy đủ".into(),
            ..Default::default()
        })
        .await
        .unwrap();

    let mut browser = server.browser_of("thanh.tra").await;
    let csrf = browser.csrf();
    let address = format!("/chat-luong/kiem-tra?don_vi={}&nam={}", office.name, today.year());
    let page = browser.get(&address).await;
    assert_eq!(page.status, 200, "{}", page.body);
    for expected in [
        "đã kiểm tra 1/3 trường (33,3%)",
        "Chưa kiểm tra:</strong> Trường Tiểu học Cát Bi, Trường THCS Chu Văn An",
        "Hồ sơ tuyển sinh đầy đủ",
        "Người dùng thanh.tra",
        "Ghi nhận kết quả kiểm tra",
    ] {
        assert!(page.body.contains(expected), "{expected}: {}", page.body);
    }
    let second = inspections[1].name.trim_start_matches("inspections/");
    let action = format!("/chat-luong/kiem-tra/{second}/hoan-thanh");
    let day = today.format("%d/%m/%Y").to_string();
    let bare = browser
        .post(
            &action,
            &[
                ("csrf", &csrf),
                ("ngay", &day),
                ("ket_qua", ""),
                ("don_vi", &office.name),
            ],
        )
        .await;
    assert_eq!(bare.status, 422);
    assert!(bare.body.contains("Nhập kết quả kiểm tra."), "{}", bare.body);
    let done = browser
        .post(
            &action,
            &[
                ("csrf", &csrf),
                ("ngay", &day),
                ("ket_qua", "Sổ điểm cập nhật đúng hạn"),
                ("don_vi", &office.name),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let page = browser.get(&address).await;
    assert!(page.body.contains("đã kiểm tra 2/3 trường (66,7%)"), "{}", page.body);
    assert!(page.body.contains("Sổ điểm cập nhật đúng hạn"));

    // A school's leader sees its own inspection only; a unit beside sees none.
    for (who, unit, sees_first, sees_second) in [
        ("descendant", schools[0].name.as_str(), true, false),
        ("sibling", sibling.name.as_str(), false, false),
    ] {
        let mut other = server.signed_in(&format!("lanh.dao.{who}"), Role::Leader, unit).await;
        let page = other.get("/chat-luong/kiem-tra").await;
        assert_eq!(page.status, 200, "{who}");
        assert_eq!(page.body.contains("Hồ sơ tuyển sinh đầy đủ"), sees_first, "{who}");
        assert_eq!(page.body.contains("Sổ điểm cập nhật đúng hạn"), sees_second, "{who}");
        assert!(
            !page.body.contains("Chưa kiểm tra:"),
            "{who}: not the office's coverage"
        );
    }
}
