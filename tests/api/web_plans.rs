//! The reform plan's pages: the plans, a plan's tasks with the late ones,
//! and a task's page where the unit it is assigned to records progress
//! (also late, with the day and why) and links the ISO evidence it finds
//! by searching; the same unit scoping as the API.

use chrono::Datelike;
use eiso_proto::eiso::identity::v1::Role;
use eiso_proto::eiso::plans::v1::*;
use eiso_tests::TestServer;
use eiso_tests::documents::{create, procedure};

#[tokio::test]
async fn a_school_records_its_task_and_links_evidence_from_the_plans_pages() {
    let server = TestServer::start().await;
    let office = server.education_office().await;
    let school = server
        .create_unit("TH-CL", "Trường Tiểu học Cát Linh", &office.unit.name)
        .await;
    let below = server
        .create_unit("TH-CL-TO1", "Tổ chuyên môn khối 1", &school.name)
        .await;
    let sibling = server
        .create_unit("TH-DL", "Trường Tiểu học Đằng Lâm", &office.unit.name)
        .await;
    let (_, leader_token) = server.user_with_role("lanh.dao", Role::Leader, &office.unit.name).await;
    let year = chrono::Utc::now().year();
    let imported = server
        .plans(&leader_token)
        .import_plan(ImportPlanRequest {
            plan: Some(Plan {
                year,
                issuing_unit: office.unit.name.clone(),
                title: format!("Kế hoạch cải cách hành chính năm {year}"),
                ..Default::default()
            }),
            format: TableFormat::Csv as i32,
            content: format!(
                "STT,Nội dung công việc,Đơn vị thực hiện,Sản phẩm,Thời gian hoàn thành,Ghi chú\n\
                 1,Cải cách thủ tục hành chính,,,,\n\
                 1.1,Niêm yết công khai thủ tục hành chính,Trường Cát Linh,Bảng niêm yết,Quý I năm {year},\n\
                 1.2,Tổng kết công tác cải cách hành chính,Phòng GD&ĐT,Báo cáo,Tháng 12 năm {year},\n"
            )
            .into_bytes(),
            unit_aliases: [("Trường Cát Linh".to_string(), school.name.clone())].into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let plan = imported.plan.unwrap();
    let plan_id = plan.name.trim_start_matches("plans/").to_string();
    let tasks = server
        .plans(&leader_token)
        .list_tasks(ListTasksRequest {
            parent: plan.name.clone(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .tasks;
    let task = tasks.iter().find(|t| t.number == "1.1").unwrap();
    let task_id = task.name.rsplit('/').next().unwrap().to_string();
    let task_page = format!("/ke-hoach/{plan_id}/nhiem-vu/{task_id}");

    // The leader's plan: both tasks, the school's by its name, the late one apart.
    let mut leader = server.browser_of("lanh.dao").await;
    assert!(leader.get("/ke-hoach").await.body.contains(&plan.title));
    let outline = leader.get(&format!("/ke-hoach/{plan_id}")).await;
    for expected in [
        "Niêm yết công khai",
        "Tổng kết công tác",
        "Trường Tiểu học Cát Linh",
        "Trễ hạn (1)",
    ] {
        assert!(outline.body.contains(expected), "{expected} in {}", outline.body);
    }
    let late = leader.get(&format!("/ke-hoach/{plan_id}?tre-han=1")).await;
    assert!(late.body.contains("Niêm yết công khai") && !late.body.contains("Tổng kết công tác"));

    // The school's officer (the task's unit) and the office's leader open the
    // task; a team below the school and the school beside it do not.
    for (who, unit, sees) in
        eiso_tests::web::scoped_readers(&school.name, &office.unit.name, &below.name, &sibling.name)
    {
        let mut browser = server
            .signed_in(&format!("chuyen.vien.{who}"), Role::ProcessingOfficer, unit)
            .await;
        let page = browser.get(&task_page).await;
        assert_eq!(page.status, if sees { 200 } else { 404 }, "{who}");
    }

    // Progress: a bad percent, a late day without its reason, then recorded.
    let mut officer = server.browser_of("chuyen.vien.same").await;
    let csrf = officer.csrf();
    let progress = format!("{task_page}/tien-do");
    let refused = officer
        .post(
            &progress,
            &[("csrf", &csrf), ("phan_tram", "150"), ("noi_dung", "Đã niêm yết")],
        )
        .await;
    assert_eq!(refused.status, 200);
    assert!(refused.body.contains("Nhập phần trăm hoàn thành từ 0 đến 100."));
    let last_month = chrono::Utc::now().date_naive() - chrono::Days::new(40);
    let day = last_month.format("%d/%m/%Y").to_string();
    let refused = officer
        .post(
            &progress,
            &[
                ("csrf", &csrf),
                ("phan_tram", "100"),
                ("noi_dung", "Đã niêm yết"),
                ("ngay", &day),
            ],
        )
        .await;
    assert!(refused.body.contains("Nhập lý do nhập muộn"), "{}", refused.body);
    assert!(refused.body.contains(&day), "the day typed is kept");
    let recorded = officer
        .post(
            &progress,
            &[
                ("csrf", &csrf),
                ("phan_tram", "100"),
                ("noi_dung", "Đã niêm yết tại bảng tin của trường"),
                ("ngay", &day),
                ("ly_do", "Quên cập nhật khi hoàn thành"),
            ],
        )
        .await;
    assert_eq!(recorded.status, 303, "{}", recorded.body);
    let page = officer.get(&format!("{task_page}?da=tien-do")).await;
    for expected in [
        "Đã ghi tiến độ.",
        "Đã hoàn thành",
        "Quên cập nhật khi hoàn thành",
        day.as_str(),
    ] {
        assert!(page.body.contains(expected), "{expected} in {}", page.body);
    }

    // Evidence: found by searching, linked, shown with a link to its page.
    let document = server
        .documents(&office.controller)
        .create_document(create(procedure(
            "QT-NY-01",
            "Quy trình niêm yết thủ tục hành chính",
            &office.unit.name,
            eiso_proto::eiso::documents::v1::Confidentiality::Internal,
        )))
        .await
        .unwrap()
        .into_inner();
    crate::search::caught_up(&mut server.search(&server.admin_token)).await;
    let found = officer.get(&format!("{task_page}?tim=niem+yet+thu+tuc")).await;
    assert!(
        found.body.contains("Quy trình niêm yết thủ tục hành chính"),
        "{}",
        found.body
    );
    assert!(found.body.contains("Gắn làm minh chứng"));
    let linked = officer
        .post(
            &format!("{task_page}/minh-chung"),
            &[("csrf", &csrf), ("minh_chung", &document.name)],
        )
        .await;
    assert_eq!(linked.status, 303);
    let page = officer.get(&task_page).await;
    let id = document.name.trim_start_matches("documents/");
    assert!(
        page.body.contains(&format!(r#"href="/tai-lieu/{id}""#)),
        "{}",
        page.body
    );
    let again = officer.get(&format!("{task_page}?tim=niem+yet+thu+tuc")).await;
    assert!(again.body.contains("(đã gắn)"));
    // A resource the officer cannot name is refused on the page.
    let refused = officer
        .post(
            &format!("{task_page}/minh-chung"),
            &[("csrf", &csrf), ("minh_chung", "documents/khong-co")],
        )
        .await;
    assert_eq!(refused.status, 200);
    assert!(refused.body.contains("Không gắn được minh chứng này"));
    server.stop().await;
}
