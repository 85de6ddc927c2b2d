//! Things happen before they are entered (issue 18): a quarter's progress
//! entered a month late carries the day it happened, with the reason, in the
//! task and in the audit trail; the quarterly report filed at its cut-off
//! stays as filed, and is re-issued as its second revision — and the second
//! revision of its record — with the changed figures, who, why and what
//! changed.

use chrono::{DateTime, Utc};
use eiso_platform::clock::Clock;
use eiso_proto::eiso::audit::v1::ListAuditEntriesRequest;
use eiso_proto::eiso::documents::v1 as docs;
use eiso_proto::eiso::identity::v1::Role;
use eiso_proto::eiso::plans::v1::*;
use eiso_proto::tonic_types::StatusExt;
use eiso_tests::values::local_time;
use eiso_tests::{Backend, TestServer};
use tonic::Code;

const SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../services/plans/samples/ke-hoach-cchc-2024.csv"
);

fn at(m: u32, d: u32, h: u32) -> DateTime<Utc> {
    local_time(2024, m, d, h, 0)
}

fn day(year: i32, month: i32, day: i32) -> Option<LocalDate> {
    Some(LocalDate { year, month, day })
}

fn field_of(status: &tonic::Status) -> Vec<String> {
    status
        .get_details_bad_request()
        .map(|b| b.field_violations.into_iter().map(|v| v.field).collect())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quarters_progress_entered_a_month_late_and_the_report_reissued() {
    let (clock, time) = Clock::manual(at(1, 2, 8));
    let server = TestServer::start_with_clock(Backend::fresh().await, clock.clone()).await;
    let root = server.root_unit().await;
    let office = server
        .create_unit("31-HAIAN-GDDT", "Phòng Giáo dục và Đào tạo quận Hải An", &root.name)
        .await;
    let (leader_user, leader) = server.user_with_role("truong.phong", Role::Leader, &office.name).await;
    let (officer_user, officer) = server
        .user_with_role("chuyen.vien", Role::ProcessingOfficer, &office.name)
        .await;
    let mut plans = server.plans(&leader);
    let plan = plans
        .import_plan(ImportPlanRequest {
            plan: Some(Plan {
                year: 2024,
                issuing_unit: office.name.clone(),
                title: "Kế hoạch cải cách hành chính năm 2024".into(),
                ..Default::default()
            }),
            plan_id: "cchc-2024".into(),
            format: TableFormat::Csv as i32,
            content: std::fs::read(SAMPLE).unwrap(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .plan
        .unwrap();
    let tasks = plans
        .list_tasks(ListTasksRequest {
            parent: plan.name.clone(),
            page_size: 1000,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .tasks;
    let task = |number: &str| tasks.iter().find(|t| t.number == number).unwrap().name.clone();
    // Task 1.2 is due by 31 March.
    let mut work = server.plans(&officer);
    time.set(at(3, 10, 9));
    work.record_task_progress(RecordTaskProgressRequest {
        name: task("1.2"),
        percent: 30,
        note: "Đã dự thảo kế hoạch".into(),
        ..Default::default()
    })
    .await
    .unwrap();

    // The Q1 report, filed at its cut-off (25 March).
    time.set(at(3, 25, 18));
    let q1 = plans
        .generate_report(GenerateReportRequest {
            parent: plan.name.clone(),
            kind: ReportKind::Quarterly as i32,
            quarter: 1,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let in_q1 = |report: &Report| {
        let t = report.tasks.iter().find(|t| t.number == "1.2").unwrap();
        (t.percent, TaskStatus::try_from(t.status).unwrap(), t.late)
    };
    assert_eq!((q1.revision, in_q1(&q1)), (1, (30, TaskStatus::InProgress, false)));

    // A month later the officer enters what was done on 20 March.
    time.set(at(4, 22, 10));
    let late = |percent: i32, effective: Option<LocalDate>, reason: &str| RecordTaskProgressRequest {
        name: task("1.2"),
        percent,
        note: "Đã ban hành kế hoạch".into(),
        effective_date: effective,
        reason: reason.into(),
        ..Default::default()
    };
    for (request, field) in [
        (late(100, day(2024, 4, 23), ""), "effective_date"),
        (late(100, day(2024, 3, 20), ""), "reason"),
        (late(100, day(2024, 3, 20), "   "), "reason"),
        (late(100, None, "nhập muộn"), "reason"),
        (late(100, day(2023, 12, 31), "nhập muộn"), "effective_date"),
        (late(100, day(2024, 2, 30), "nhập muộn"), "effective_date"),
    ] {
        let status = work.record_task_progress(request.clone()).await.unwrap_err();
        assert_eq!(
            (status.code(), field_of(&status)),
            (Code::InvalidArgument, vec![field.to_string()]),
            "{request:?}"
        );
    }
    let reason = "Phòng nhận được quyết định ban hành sau ngày chốt số liệu";
    let done = work
        .record_task_progress(late(100, day(2024, 3, 20), reason))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (TaskStatus::try_from(done.status).unwrap(), done.complete_date),
        (TaskStatus::Done, day(2024, 3, 20)),
        "done the day it happened, not the day it was entered"
    );
    let update = done.progress.last().unwrap();
    assert_eq!(
        (update.effective_date, update.reason.as_str(), update.author.as_str()),
        (day(2024, 3, 20), reason, officer_user.name.as_str())
    );
    // An update entered late about an earlier day does not move the current percent.
    let earlier = work
        .record_task_progress(late(60, day(2024, 3, 15), "Bổ sung tiến độ giữa tháng"))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (earlier.progress_percent, TaskStatus::try_from(earlier.status).unwrap()),
        (100, TaskStatus::Done)
    );

    // The trail: entered now by the officer, effective 20 March, with the reason.
    let entries = server
        .audit(Some(&server.admin_token))
        .list_audit_entries(ListAuditEntriesRequest {
            parent: "trails/plans".into(),
            filter: format!(
                "method = \"/eiso.plans.v1.PlanService/RecordTaskProgress\" AND actor = \"{}\" AND code = 0",
                officer_user.name
            ),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .audit_entries;
    let entered = entries.iter().find(|e| e.reason.contains(reason)).unwrap();
    assert_eq!(entered.reason, format!("effective 2024-03-20: {reason}"));
    // The trail stamps the entry with the machine's own time, whatever the services' clock.
    assert!(entered.create_time.is_some());

    // Generating Q1 again returns it as filed.
    let again = plans
        .generate_report(GenerateReportRequest {
            parent: plan.name.clone(),
            kind: ReportKind::Quarterly as i32,
            quarter: 1,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(again, q1);

    // Re-issued: only by a plan writer, with a reason.
    let reissue = |reason: &str| ReissueReportRequest {
        name: q1.name.clone(),
        reason: reason.into(),
    };
    let status = work.reissue_report(reissue("Cập nhật")).await.unwrap_err();
    assert_eq!(status.code(), Code::PermissionDenied);
    let status = plans.reissue_report(reissue("")).await.unwrap_err();
    assert_eq!(field_of(&status), ["reason"]);
    time.set(at(4, 23, 9));
    let why = "Cập nhật tiến độ nhiệm vụ 1.2 nhập muộn";
    let second = plans.reissue_report(reissue(why)).await.unwrap().into_inner();
    assert_eq!(second.revision, 2);
    assert_eq!(
        in_q1(&second),
        (100, TaskStatus::Done, false),
        "done 20/3, by its end 31/3"
    );
    assert_eq!(
        (second.cut_off_date, second.record.clone()),
        (q1.cut_off_date, q1.record.clone())
    );
    let revision = &second.revisions[0];
    assert_eq!(
        (revision.revision, revision.issued_by.as_str(), revision.reason.as_str()),
        (2, leader_user.name.as_str(), why)
    );
    assert!(
        revision
            .changes
            .contains(&"Nhiệm vụ 1.2: 30% → 100%, đang thực hiện → đã hoàn thành".to_string()),
        "{:?}",
        revision.changes
    );
    let status = plans.reissue_report(reissue(why)).await.unwrap_err();
    assert_eq!(
        status.code(),
        Code::FailedPrecondition,
        "nothing changed since: {status:?}"
    );
    let kept = plans
        .get_report(GetReportRequest { name: q1.name.clone() })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(kept, second);

    // The printed page says it is the second issue, why, and what changed.
    let page = plans
        .export_report(ExportReportRequest {
            name: q1.name.clone(),
            format: ReportFormat::Html as i32,
        })
        .await
        .unwrap()
        .into_inner();
    let html = String::from_utf8(page.content).unwrap();
    assert!(html.contains("Ban hành lại lần 2"), "{html}");
    assert!(html.contains("Nhiệm vụ 1.2: 30% → 100%"));
    assert!(
        html.contains("Ngày 23 tháng 4 năm 2024"),
        "dated the day it is re-issued"
    );

    // The record: what was filed stays as revision 1; revision 2 adds the new files.
    let record = server
        .documents(&leader)
        .get_record(docs::GetRecordRequest {
            name: q1.record.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (record.revision, record.state, record.files.len()),
        (2, docs::record::State::Closed as i32, 4)
    );
    let revised = &record.revisions[0];
    assert_eq!(
        (revised.revision, revised.actor.as_str()),
        (2, leader_user.name.as_str())
    );
    assert!(revised.reason.contains(why));
    let names: Vec<&str> = record
        .files
        .iter()
        .filter(|f| revised.files.contains(&f.name))
        .map(|f| f.file_name.as_str())
        .collect();
    assert_eq!(names.len(), 2);
    assert!(names.iter().all(|n| n.contains("-lan-2")), "{names:?}");
    server.stop().await;
}

/// A record is revised only once closed, with a reason; its files are told
/// apart by revision.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_record_is_revised_with_a_reason_and_keeps_what_was_filed() {
    let server = TestServer::start().await;
    let root = server.root_unit().await;
    let office = server.create_unit("PGD", "Phòng Giáo dục", &root.name).await;
    let (_, controller) = server
        .user_with_role("thu.ky", Role::DocumentController, &office.name)
        .await;
    let mut documents = server.documents(&controller);
    let record = documents
        .create_record(eiso_tests::documents::kept_record(
            "Biên bản họp xem xét của lãnh đạo",
            &office.name,
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!((record.revision, record.revisions.len()), (1, 0));
    let revise = |reason: &str| docs::ReviseRecordRequest {
        name: record.name.clone(),
        reason: reason.into(),
        etag: String::new(),
    };
    let status = documents.revise_record(revise("Bổ sung")).await.unwrap_err();
    assert_eq!(
        status.code(),
        Code::FailedPrecondition,
        "an open record is not revised: {status:?}"
    );
    eiso_tests::documents::upload(
        &mut documents,
        &record.name,
        "bien-ban.txt",
        "text/plain",
        "Biên bản".as_bytes(),
    )
    .await
    .unwrap();
    documents
        .close_record(docs::CloseRecordRequest {
            name: record.name.clone(),
            etag: String::new(),
        })
        .await
        .unwrap();
    let status = documents.revise_record(revise(" ")).await.unwrap_err();
    assert_eq!(field_of(&status), ["reason"]);
    let opened = documents
        .revise_record(revise("Bổ sung ý kiến kết luận"))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (opened.revision, opened.state, opened.close_time),
        (2, docs::record::State::Open as i32, None)
    );
    eiso_tests::documents::upload(
        &mut documents,
        &record.name,
        "bien-ban-bo-sung.txt",
        "text/plain",
        "Bổ sung".as_bytes(),
    )
    .await
    .unwrap();
    let closed = documents
        .close_record(docs::CloseRecordRequest {
            name: record.name.clone(),
            etag: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(closed.files.len(), 2, "what was filed stays");
    let second: Vec<&str> = closed
        .files
        .iter()
        .filter(|f| closed.revisions[0].files.contains(&f.name))
        .map(|f| f.file_name.as_str())
        .collect();
    assert_eq!(second, ["bien-ban-bo-sung.txt"]);
    assert_eq!(closed.revisions[0].reason, "Bổ sung ý kiến kết luận");
    server.stop().await;
}
