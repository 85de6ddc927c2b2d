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
use eiso_proto::eiso::plans::v1::plan_service_client::PlanServiceClient;
use eiso_proto::eiso::plans::v1::*;
use eiso_tests::documents::{file_record, kept_record};
use eiso_tests::values::{bad_fields, local_time};
use eiso_tests::{Backend, TestServer};
use tonic::Code;

fn at(m: u32, d: u32, h: u32) -> DateTime<Utc> {
    local_time(2024, m, d, h, 0)
}

fn day(year: i32, month: i32, day: i32) -> Option<LocalDate> {
    Some(LocalDate { year, month, day })
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
        .import_plan(eiso_tests::plans::import_sample_plan(&office.name))
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
        .generate_report(eiso_tests::plans::quarterly_report(&plan.name, 1))
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
            (status.code(), bad_fields(&status)),
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
        .audit_entries(
            "trails/plans",
            &format!(
                "method = \"/eiso.plans.v1.PlanService/RecordTaskProgress\" AND actor = \"{}\" AND code = 0",
                officer_user.name
            ),
        )
        .await;
    let entered = entries.iter().find(|e| e.reason.contains(reason)).unwrap();
    assert_eq!(entered.reason, format!("effective 2024-03-20: {reason}"));
    // The trail stamps the entry with the machine's own time, whatever the services' clock.
    assert!(entered.create_time.is_some());

    // Generating Q1 again returns it as filed.
    let again = plans
        .generate_report(eiso_tests::plans::quarterly_report(&plan.name, 1))
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
    assert_eq!(bad_fields(&status), ["reason"]);
    time.set(at(4, 23, 9));
    let why = "Cập nhật tiến độ nhiệm vụ 1.2 nhập muộn";
    // Two re-issues at the same moment, sent to two replicas on the same
    // storage, make one revision of the report and of its record (checked
    // below); the other is refused.
    let replica = eiso_tests::replica::Replica::start(&server, clock.clone()).await;
    let mut first_client = plans.clone();
    let mut second_client =
        PlanServiceClient::with_interceptor(replica.lazy_channel(), eiso_tests::bearer(Some(&leader)));
    let (one, other) = tokio::join!(
        first_client.reissue_report(reissue(why)),
        second_client.reissue_report(reissue(why))
    );
    replica.stop().await;
    let (second, refused) = match (one, other) {
        (Ok(second), Err(refused)) | (Err(refused), Ok(second)) => (second.into_inner(), refused),
        (one, other) => panic!("one re-issue must win: {one:?} {other:?}"),
    };
    assert!(
        matches!(refused.code(), Code::Aborted | Code::FailedPrecondition),
        "{refused:?}"
    );
    assert_eq!(second.revision, 2);
    assert_eq!(
        in_q1(&second),
        (100, TaskStatus::Done, false),
        "done 20/3, by its end 31/3"
    );
    assert_eq!(
        (
            second.cut_off_date,
            second.record.clone(),
            second.document_number.clone()
        ),
        (q1.cut_off_date, q1.record.clone(), q1.document_number.clone()),
        "the same document, under its number"
    );
    assert!(!q1.document_number.is_empty());
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
    let html = eiso_tests::plans::report_html(&mut plans, &q1.name).await;
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
    let record = file_record(
        &mut documents,
        kept_record("Biên bản họp xem xét của lãnh đạo", &office.name),
    )
    .await;
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
    assert_eq!(bad_fields(&status), ["reason"]);
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

/// A corrective action whose steps are entered weeks after they happened:
/// each step keeps its day (not before the step it follows, a reason when
/// late), the due date is checked against the day it was opened, and the
/// management review pack of the first half-year counts it by those days.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corrective_action_steps_entered_late_count_by_the_days_they_happened() {
    use eiso_proto::eiso::quality::v1::*;
    let quality_day = |m: i32, d: i32| {
        Some(eiso_proto::eiso::procedures::v1::LocalDate {
            year: 2024,
            month: m,
            day: d,
        })
    };
    let (clock, time) = Clock::manual(at(6, 3, 8));
    let server = TestServer::start_with_clock(Backend::fresh().await, clock.clone()).await;
    let mut quality = server.quality_office().await;
    let (officer, officer_token) = server
        .user_with_role("chuyen.vien", Role::ProcessingOfficer, &quality.counter_unit.name)
        .await;
    let (_, finding) = quality.audit_counter(quality_day(6, 3)).await;
    let eiso_tests::quality::QualityOffice {
        office,
        mut leader,
        mut auditing,
        ..
    } = quality;

    // Entered on 15 July: opened on 4 June, due 20 June (in the past now, not then).
    time.set(at(7, 15, 9));
    let open = |open_date, due_date, reason: &str| CreateCorrectiveActionRequest {
        corrective_action: Some(CorrectiveAction {
            finding: finding.name.clone(),
            open_date,
            due_date,
            ..Default::default()
        }),
        request_id: String::new(),
        reason: reason.into(),
    };
    for (request, field) in [
        (open(None, quality_day(6, 20), ""), "corrective_action.due_date"),
        (open(quality_day(6, 4), quality_day(6, 20), ""), "reason"),
        (
            open(quality_day(7, 16), None, "nhập muộn"),
            "corrective_action.open_date",
        ),
        (
            open(quality_day(6, 4), quality_day(6, 1), "nhập muộn"),
            "corrective_action.due_date",
        ),
    ] {
        let status = auditing.create_corrective_action(request.clone()).await.unwrap_err();
        assert_eq!(
            (status.code(), bad_fields(&status)),
            (Code::InvalidArgument, vec![field.to_string()]),
            "{request:?}"
        );
    }
    let late = "Biên bản đánh giá được chuyển về sau";
    let action = auditing
        .create_corrective_action(open(quality_day(6, 4), quality_day(6, 20), late))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(action.open_date, quality_day(6, 4));
    let planned = leader
        .plan_corrective_action(PlanCorrectiveActionRequest {
            name: action.name.clone(),
            root_cause: "Chưa phân công người ghi sổ".into(),
            actions: vec![PlannedAction {
                description: "Phân công và hướng dẫn ghi sổ".into(),
                owner: officer.name.clone(),
                due_date: quality_day(6, 14),
            }],
            effective_date: quality_day(6, 5),
            reason: late.into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(planned.plan_date, quality_day(6, 5));
    // Carried out on 12 June — not before it was planned.
    let implement = |day| ImplementCorrectiveActionRequest {
        name: action.name.clone(),
        note: "Đã phân công, sổ ghi đủ ngày trả".into(),
        effective_date: day,
        reason: late.into(),
        ..Default::default()
    };
    let status = server
        .quality(&officer_token)
        .implement_corrective_action(implement(quality_day(6, 4)))
        .await
        .unwrap_err();
    assert_eq!(bad_fields(&status), ["effective_date"], "before it was planned");
    server
        .quality(&officer_token)
        .implement_corrective_action(implement(quality_day(6, 12)))
        .await
        .unwrap();
    let verified = leader
        .verify_corrective_action(VerifyCorrectiveActionRequest {
            name: action.name.clone(),
            effective: true,
            note: "Kiểm tra 20 hồ sơ tháng 6: đủ ngày trả".into(),
            effective_date: quality_day(6, 28),
            reason: late.into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(verified.verifications[0].verify_date, quality_day(6, 28));
    assert_eq!(verified.verifications[0].late_reason, late);
    // Closed on 2 July, in the second half-year.
    let closed = leader
        .close_corrective_action(CloseCorrectiveActionRequest {
            name: action.name.clone(),
            effective_date: quality_day(7, 2),
            reason: late.into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (closed.implement_date, closed.close_date),
        (quality_day(6, 12), quality_day(7, 2))
    );

    // The first half-year: open at its end (closed on 2 July), not overdue
    // (carried out on 12 June, before its due date), verified effective in it.
    let pack = |start, end, request_id: &str| GenerateManagementReviewPackRequest {
        unit: office.name.clone(),
        start_date: start,
        end_date: end,
        title: String::new(),
        request_id: request_id.into(),
    };
    let h1 = leader
        .generate_management_review_pack(pack(quality_day(1, 1), quality_day(6, 30), "h1"))
        .await
        .unwrap()
        .into_inner();
    let figures = h1.pack.unwrap().quality.unwrap();
    assert_eq!(
        (
            figures.corrective_actions_open,
            figures.corrective_actions_overdue,
            figures.corrective_actions_closed,
            figures.verifications_effective
        ),
        (1, 0, 0, 1)
    );
    // July: closed in it; nothing open at its end.
    let july = leader
        .generate_management_review_pack(pack(quality_day(7, 1), quality_day(7, 31), "july"))
        .await
        .unwrap()
        .into_inner();
    let figures = july.pack.unwrap().quality.unwrap();
    assert_eq!(
        (
            figures.corrective_actions_open,
            figures.corrective_actions_closed,
            figures.verifications_effective
        ),
        (0, 1, 0)
    );
    // A period that ended before it was opened does not see it.
    let may = leader
        .generate_management_review_pack(pack(quality_day(5, 1), quality_day(5, 31), "may"))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(may.pack.unwrap().quality.unwrap().corrective_actions_open, 0);
    server.stop().await;
}

/// An audit's opening and closing meetings and a school's inspection carry
/// the days they happened, entered later with a reason the trail keeps; a
/// closing before the opening, a day in the future, a late day without a
/// reason or a reason for today are refused by field.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audits_and_inspections_entered_late_carry_the_days_they_happened() {
    use eiso_proto::eiso::quality::v1::*;
    let quality_day = |m: i32, d: i32| {
        Some(eiso_proto::eiso::procedures::v1::LocalDate {
            year: 2024,
            month: m,
            day: d,
        })
    };
    let (clock, _time) = Clock::manual(at(6, 10, 9));
    let server = TestServer::start_with_clock(Backend::fresh().await, clock.clone()).await;
    let eiso_tests::quality::QualityOffice {
        office,
        counter_unit,
        mut leader,
        auditor,
        mut auditing,
        ..
    } = server.quality_office().await;
    let school = server
        .create_unit("THCS-DL", "Trường THCS Đằng Lâm", &office.name)
        .await;
    let programme = leader
        .create_audit_programme(eiso_tests::quality::audit_programme_2024(&office.name))
        .await
        .unwrap()
        .into_inner();
    let audit = auditing
        .create_audit(eiso_tests::quality::counter_audit(
            &programme.name,
            &counter_unit.name,
            &auditor.name,
            quality_day(6, 3),
            quality_day(6, 4),
        ))
        .await
        .unwrap()
        .into_inner();

    // Opened on 3 June, entered on 10 June.
    let start = |effective_date, reason: &str| StartAuditRequest {
        name: audit.name.clone(),
        etag: String::new(),
        effective_date,
        reason: reason.into(),
    };
    for (request, field) in [
        (start(quality_day(6, 3), ""), "reason"),
        (start(quality_day(6, 11), "Họp sau"), "effective_date"),
        (start(None, "Nhập ngay trong ngày"), "reason"),
    ] {
        let status = auditing.start_audit(request).await.unwrap_err();
        assert_eq!(bad_fields(&status), [field], "{status:?}");
    }
    let why = "Biên bản họp khai mạc nhận được ngày 10/6";
    let started = auditing
        .start_audit(start(quality_day(6, 3), why))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(started.started_date, quality_day(6, 3));

    // Closed on 4 June; not before it was opened.
    let complete = |effective_date, reason: &str| CompleteAuditRequest {
        name: audit.name.clone(),
        conclusion: "Hệ thống được duy trì".into(),
        etag: String::new(),
        effective_date,
        reason: reason.into(),
    };
    let status = auditing
        .complete_audit(complete(quality_day(6, 2), why))
        .await
        .unwrap_err();
    assert_eq!(bad_fields(&status), ["effective_date"]);
    assert!(status.message().contains("started") || format!("{status:?}").contains("started"));
    let completed = auditing
        .complete_audit(complete(quality_day(6, 4), why))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (completed.started_date, completed.completed_date),
        (quality_day(6, 3), quality_day(6, 4))
    );

    // A school inspected on 5 June, entered on 10 June.
    let inspections = leader
        .create_inspection_programme(CreateInspectionProgrammeRequest {
            programme: Some(InspectionProgramme {
                unit: office.name.clone(),
                year: 2024,
                title: "Kế hoạch kiểm tra năm 2024".into(),
                population: vec![school.name.clone()],
                ..Default::default()
            }),
            request_id: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    let inspection = leader
        .create_inspection(CreateInspectionRequest {
            inspection: Some(Inspection {
                programme: inspections.name.clone(),
                unit: school.name.clone(),
                planned_date: quality_day(6, 5),
                inspectors: vec![auditor.name.clone()],
                ..Default::default()
            }),
            request_id: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    let done = |done_date, reason: &str| CompleteInspectionRequest {
        name: inspection.name.clone(),
        done_date,
        findings: "Thực hiện đúng quy định".into(),
        reason: reason.into(),
        ..Default::default()
    };
    let status = leader
        .complete_inspection(done(quality_day(6, 5), ""))
        .await
        .unwrap_err();
    assert_eq!(bad_fields(&status), ["reason"]);
    let inspected = leader
        .complete_inspection(done(quality_day(6, 5), "Biên bản kiểm tra gửi về muộn"))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (inspected.done_date, inspected.late_reason.as_str()),
        (quality_day(6, 5), "Biên bản kiểm tra gửi về muộn")
    );

    // The trail keeps when each was entered and the day it happened.
    let entries = server
        .audit(Some(&server.admin_token))
        .list_audit_entries(ListAuditEntriesRequest {
            parent: "trails/quality".into(),
            filter: "code = 0".into(),
            page_size: 1000,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .audit_entries;
    let reasons: Vec<(&str, &str)> = entries
        .iter()
        .filter(|e| e.reason.starts_with("effective "))
        .map(|e| (e.method.as_str(), e.reason.as_str()))
        .collect();
    for (method, reason) in [
        (
            "/eiso.quality.v1.QualityService/StartAudit",
            format!("effective 2024-06-03: {why}"),
        ),
        (
            "/eiso.quality.v1.QualityService/CompleteAudit",
            format!("effective 2024-06-04: {why}"),
        ),
        (
            "/eiso.quality.v1.QualityService/CompleteInspection",
            "effective 2024-06-05: Biên bản kiểm tra gửi về muộn".to_string(),
        ),
    ] {
        assert!(reasons.contains(&(method, reason.as_str())), "{method}: {reasons:?}");
    }
}
