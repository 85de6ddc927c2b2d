//! The quality service through the API on a controlled clock: inspections and
//! their coverage, a full internal audit with findings and evidence links,
//! nonconformity → corrective action → verification → closure, an overdue
//! corrective action, a management review pack filed as a record, and the
//! ISO 18091 diagnostic of two periods compared.

use std::io::Cursor;
use std::time::Duration;

use calamine::Reader;
use chrono::{DateTime, Utc};
use eiso_platform::clock::Clock;
use eiso_proto::eiso::documents::v1 as docs;
use eiso_proto::eiso::identity::v1::Role;
use eiso_proto::eiso::procedures::v1 as procs;
use eiso_proto::eiso::quality::v1::*;
use eiso_proto::prost::Message;
use eiso_tests::counter::transfer_receipt;
use eiso_tests::documents::{download, file_record, kept_record};
use eiso_tests::values::{bad_field, date, local_time, mask};
use eiso_tests::{Backend, TestServer};
use tonic::Code;

/// 09:00 local (UTC+7) on a day of 2024.
fn at(m: u32, d: u32) -> DateTime<Utc> {
    local_time(2024, m, d, 9, 0)
}

fn link(name: &str) -> EvidenceLink {
    EvidenceLink {
        name: name.into(),
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audits_actions_inspections_reviews_and_the_diagnostic() {
    let (clock, time) = Clock::manual(at(6, 3));
    let server = TestServer::start_with_clock(Backend::fresh().await, clock).await;
    let root = server.root_unit().await;
    let office = server.create_unit("PGD", "Phòng Giáo dục và Đào tạo", &root.name).await;
    let counter_unit = server.create_unit("BPMC", "Bộ phận Một cửa", &office.name).await;
    let s1 = server
        .create_unit("THCS-CL", "Trường THCS Cát Linh", &office.name)
        .await;
    let s2 = server
        .create_unit("TH-DL", "Trường Tiểu học Đằng Lâm", &office.name)
        .await;
    let s3 = server.create_unit("MN-HA", "Trường Mầm non Hải An", &office.name).await;
    let (leader_user, leader_token) = server.user_with_role("lanh.dao", Role::Leader, &office.name).await;
    let (_, controller_token) = server
        .user_with_role("thu.ky", Role::DocumentController, &office.name)
        .await;
    // Bound where the audits are: at the office (a binding covers the units below it).
    let (auditor, auditor_token) = server
        .user_with_role("danh.gia", Role::InternalAuditor, &office.name)
        .await;
    // The counter's head, a trained auditor too, answers for its processes.
    let (insider, _) = server
        .user_with_bindings(
            "danh.gia.2",
            &[
                (Role::Leader, &counter_unit.name),
                (Role::InternalAuditor, &counter_unit.name),
            ],
        )
        .await;
    let (officer, officer_token) = server
        .user_with_role("chuyen.vien", Role::ProcessingOfficer, &counter_unit.name)
        .await;
    // The office's inspector: the inspections belong to the office's programme.
    let (inspector, inspector_token) = server
        .user_with_role("thanh.tra", Role::ProcessingOfficer, &office.name)
        .await;
    let (_, counter_token) = server.user_with_role("mot.cua", Role::CounterStaff, &office.name).await;
    let mut leader = server.quality(&leader_token);
    let mut controller = server.quality(&controller_token);
    let mut auditor_client = server.quality(&auditor_token);
    let mut officer_client = server.quality(&officer_token);
    let mut inspector_client = server.quality(&inspector_token);

    // Evidence kept by the other services: a controlled document, a record, a dossier.
    let mut documents = server.documents(&controller_token);
    let document = documents
        .create_document(eiso_tests::documents::counter_procedure(&office.name))
        .await
        .unwrap()
        .into_inner();
    let record = file_record(&mut documents, kept_record("Sổ theo dõi hồ sơ năm 2024", &office.name)).await;
    server.transfer_procedure(&controller_token, &office.name).await;
    let mut counter = server.dossiers(&counter_token);
    let mut dossiers = Vec::new();
    for name in ["Nguyễn Văn An", "Trần Thị Bình"] {
        let dossier = counter
            .receive_dossier(transfer_receipt(&office.name, name, procs::Channel::Direct))
            .await
            .unwrap()
            .into_inner();
        dossiers.push(dossier);
    }

    // ── Inspections: the programme's population must lie under the office.
    let programme = |population: Vec<String>| CreateInspectionProgrammeRequest {
        programme: Some(InspectionProgramme {
            unit: office.name.clone(),
            year: 2024,
            title: "Kế hoạch kiểm tra các trường năm 2024".into(),
            population,
            ..Default::default()
        }),
        request_id: "ip-2024".into(),
    };
    let status = leader
        .create_inspection_programme(programme(vec![root.name.clone()]))
        .await
        .unwrap_err();
    assert_eq!(bad_field(&status), "programme.population[0]");
    let programme = leader
        .create_inspection_programme(programme(vec![s1.name.clone(), s2.name.clone(), s3.name.clone()]))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(programme.population.len(), 3);
    let inspection = |unit: &str, day: i32, request_id: &str| CreateInspectionRequest {
        inspection: Some(Inspection {
            programme: programme.name.clone(),
            unit: unit.into(),
            planned_date: date(2024, 5, day),
            inspectors: vec![inspector.name.clone()],
            ..Default::default()
        }),
        request_id: request_id.into(),
    };
    let status = leader
        .create_inspection(inspection(&counter_unit.name, 10, ""))
        .await
        .unwrap_err();
    assert_eq!(bad_field(&status), "inspection.unit");
    let i1 = leader
        .create_inspection(inspection(&s1.name, 10, "i-1"))
        .await
        .unwrap()
        .into_inner();
    let retried = leader
        .create_inspection(inspection(&s1.name, 10, "i-1"))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(retried.name, i1.name, "a retry does not plan twice");
    let i2 = leader
        .create_inspection(inspection(&s2.name, 20, "i-2"))
        .await
        .unwrap()
        .into_inner();
    let status = inspector_client
        .complete_inspection(CompleteInspectionRequest {
            name: i1.name.clone(),
            done_date: date(2024, 6, 4),
            findings: "Hồ sơ tuyển sinh đầy đủ".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(bad_field(&status), "done_date", "not in the future");
    let done = inspector_client
        .complete_inspection(CompleteInspectionRequest {
            name: i1.name.clone(),
            done_date: date(2024, 5, 10),
            findings: "Hồ sơ tuyển sinh đầy đủ; sổ điểm cập nhật đúng hạn.".into(),
            evidence: vec![record.name.clone()],
            etag: String::new(),
            // Entered long after the day it was done.
            reason: "Nhập từ biên bản kiểm tra".into(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(done.state, inspection::State::Done as i32);
    assert_eq!(done.evidence[0].title, "Sổ theo dõi hồ sơ năm 2024");
    leader
        .cancel_inspection(CancelInspectionRequest {
            name: i2.name.clone(),
            reason: "Trùng lịch thi học kỳ".into(),
            etag: String::new(),
        })
        .await
        .unwrap();
    let coverage = leader
        .get_inspection_coverage(GetInspectionCoverageRequest {
            unit: office.name.clone(),
            start_date: date(2024, 1, 1),
            end_date: date(2024, 12, 31),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(coverage.inspected, std::slice::from_ref(&s1.name));
    let mut population = vec![s1.name.clone(), s2.name.clone(), s3.name.clone()];
    population.sort();
    assert_eq!(coverage.population, population);
    assert!((coverage.share - 1.0 / 3.0).abs() < 1e-9);
    let before = leader
        .get_inspection_coverage(GetInspectionCoverageRequest {
            unit: office.name.clone(),
            start_date: date(2024, 1, 1),
            end_date: date(2024, 5, 9),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(before.inspected.is_empty(), "done on 10/5, after the period");

    // ── An internal audit: independence, checklist, findings with evidence.
    let audit_programme = leader
        .create_audit_programme(eiso_tests::quality::audit_programme_2024(&office.name))
        .await
        .unwrap()
        .into_inner();
    let audit = |auditors: Vec<String>| CreateAuditRequest {
        audit: Some(Audit {
            programme: audit_programme.name.clone(),
            title: "Đánh giá nội bộ Bộ phận Một cửa".into(),
            scope: "Quy trình tiếp nhận và trả kết quả hồ sơ".into(),
            criteria: vec!["7.5".into(), "8.5.1".into()],
            auditees: vec![counter_unit.name.clone()],
            auditors,
            start_date: date(2024, 6, 3),
            end_date: date(2024, 6, 4),
            checklist: vec![ChecklistItem {
                clause: "7.5.3".into(),
                question: "Hồ sơ có được lưu đúng thời hạn không?".into(),
                ..Default::default()
            }],
            ..Default::default()
        }),
        request_id: String::new(),
    };
    let status = auditor_client
        .create_audit(audit(vec![auditor.name.clone(), insider.name.clone()]))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::FailedPrecondition, "{status:?}");
    assert!(status.message().contains("own work"), "{status:?}");
    let mut bad = audit(vec![auditor.name.clone()]);
    bad.audit.as_mut().unwrap().criteria = vec!["12.1".into()];
    assert_eq!(
        bad_field(&auditor_client.create_audit(bad).await.unwrap_err()),
        "audit.criteria[0]"
    );
    let audit = auditor_client
        .create_audit(audit(vec![auditor.name.clone()]))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(audit.state, audit::State::Planned as i32);
    let finding = |kind: FindingType, statement: &str, evidence: Vec<EvidenceLink>| CreateFindingRequest {
        parent: audit.name.clone(),
        finding: Some(Finding {
            r#type: kind as i32,
            clause: "7.5.3".into(),
            statement: statement.into(),
            auditee: counter_unit.name.clone(),
            evidence,
            ..Default::default()
        }),
        request_id: String::new(),
    };
    let status = auditor_client
        .create_finding(finding(FindingType::Observation, "Chưa bắt đầu", vec![]))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::FailedPrecondition, "not started yet");
    let started = auditor_client
        .start_audit(StartAuditRequest {
            name: audit.name.clone(),
            etag: audit.etag.clone(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    auditor_client
        .update_audit(UpdateAuditRequest {
            audit: Some(Audit {
                name: audit.name.clone(),
                checklist: vec![ChecklistItem {
                    clause: "7.5.3".into(),
                    question: "Hồ sơ có được lưu đúng thời hạn không?".into(),
                    result: ChecklistResult::Nonconforming as i32,
                    note: "Sổ theo dõi thiếu ngày trả kết quả".into(),
                }],
                ..Default::default()
            }),
            update_mask: mask(&["checklist"]),
            etag: started.etag.clone(),
        })
        .await
        .unwrap();
    let status = auditor_client
        .create_finding(finding(
            FindingType::MinorNonconformity,
            "Thiếu bằng chứng",
            vec![link("documents/khong-co")],
        ))
        .await
        .unwrap_err();
    assert_eq!(bad_field(&status), "finding.evidence[0]");
    let minor = auditor_client
        .create_finding(CreateFindingRequest {
            request_id: "f-minor".into(),
            ..finding(
                FindingType::MinorNonconformity,
                "Sổ theo dõi hồ sơ không ghi ngày trả kết quả cho 3 hồ sơ",
                vec![link(&document.name), link(&record.name), link(&dossiers[0].name)],
            )
        })
        .await
        .unwrap()
        .into_inner();
    let kinds: Vec<&str> = minor.evidence.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["document", "record", "dossier"]);
    assert!(minor.evidence[0].title.contains("QT-TTHC-01"));
    assert_eq!(minor.evidence[2].title, dossiers[0].code);
    assert_eq!(minor.author, auditor.name);
    let major = auditor_client
        .create_finding(finding(
            FindingType::MajorNonconformity,
            "Không kiểm soát hồ sơ quá hạn trong quý II",
            vec![link(&dossiers[1].name)],
        ))
        .await
        .unwrap()
        .into_inner();
    auditor_client
        .create_finding(finding(
            FindingType::Observation,
            "Bảng niêm yết thủ tục đặt ở vị trí khó thấy",
            vec![],
        ))
        .await
        .unwrap();
    let listed = leader
        .list_findings(ListFindingsRequest {
            parent: "audits/-".into(),
            filter: "type = MINOR_NONCONFORMITY".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .findings;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].name, minor.name);
    let status = auditor_client
        .complete_audit(CompleteAuditRequest {
            name: audit.name.clone(),
            conclusion: "Hệ thống cơ bản phù hợp".into(),
            etag: String::new(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::FailedPrecondition);
    assert!(status.message().contains(&minor.name) && status.message().contains(&major.name));

    // ── Nonconformity → corrective action.
    let open = |finding: &str, request_id: &str| CreateCorrectiveActionRequest {
        corrective_action: Some(CorrectiveAction {
            finding: finding.into(),
            ..Default::default()
        }),
        request_id: request_id.into(),
        reason: String::new(),
    };
    let ca1 = auditor_client
        .create_corrective_action(open(&minor.name, "ca-1"))
        .await
        .unwrap()
        .into_inner();
    let again = auditor_client
        .create_corrective_action(open(&minor.name, "ca-1"))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(again.name, ca1.name, "a retry does not open twice");
    let status = auditor_client
        .create_corrective_action(open(&minor.name, "ca-1-other"))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::AlreadyExists);
    assert_eq!(ca1.state, corrective_action::State::Open as i32);
    assert_eq!(ca1.unit, counter_unit.name);
    let ca2 = auditor_client
        .create_corrective_action(open(&major.name, ""))
        .await
        .unwrap()
        .into_inner();
    let linked = leader
        .get_finding(GetFindingRequest {
            name: minor.name.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(linked.corrective_action, ca1.name);
    let completed = auditor_client
        .complete_audit(CompleteAuditRequest {
            name: audit.name.clone(),
            conclusion: "Hệ thống cơ bản phù hợp; 02 điểm không phù hợp cần khắc phục".into(),
            etag: String::new(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(completed.state, audit::State::Completed as i32);
    assert_eq!(completed.finding_count, 3);

    let plan = |name: &str, owner: &str, due_day: i32| PlanCorrectiveActionRequest {
        name: name.into(),
        root_cause: "Chưa phân công người cập nhật sổ theo dõi".into(),
        actions: vec![PlannedAction {
            description: "Phân công cán bộ cập nhật sổ hằng ngày".into(),
            owner: owner.into(),
            due_date: date(2024, 6, due_day),
        }],
        etag: String::new(),
        ..Default::default()
    };
    let status = leader
        .plan_corrective_action(plan(&ca1.name, &leader_user.name, 1))
        .await
        .unwrap_err();
    assert_eq!(bad_field(&status), "actions[0].due_date", "in the past");
    let planned = leader
        .plan_corrective_action(plan(&ca1.name, &leader_user.name, 14))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(planned.state, corrective_action::State::ActionsPlanned as i32);
    leader
        .plan_corrective_action(plan(&ca2.name, &officer.name, 10))
        .await
        .unwrap();
    let verify = |name: &str, effective: bool| VerifyCorrectiveActionRequest {
        name: name.into(),
        effective,
        note: "Kiểm tra 10 hồ sơ ngẫu nhiên".into(),
        etag: String::new(),
        ..Default::default()
    };
    let status = auditor_client
        .verify_corrective_action(verify(&ca1.name, true))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::FailedPrecondition, "not implemented yet");
    let implement = |name: &str| ImplementCorrectiveActionRequest {
        name: name.into(),
        note: "Đã phân công và cập nhật sổ".into(),
        etag: String::new(),
        ..Default::default()
    };
    let status = officer_client
        .implement_corrective_action(implement(&ca1.name))
        .await
        .unwrap_err();
    assert_eq!(
        status.code(),
        Code::PermissionDenied,
        "the officer owns no action of CA 1"
    );
    leader.implement_corrective_action(implement(&ca1.name)).await.unwrap();
    // The owner does not verify their own action.
    let status = leader
        .verify_corrective_action(verify(&ca1.name, true))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::FailedPrecondition);
    assert!(status.message().contains("someone else"));
    let effective = auditor_client
        .verify_corrective_action(verify(&ca1.name, true))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(effective.state, corrective_action::State::VerifiedEffective as i32);
    assert_eq!(effective.verifications[0].verifier, auditor.name);
    let closed = controller
        .close_corrective_action(CloseCorrectiveActionRequest {
            name: ca1.name.clone(),
            etag: effective.etag.clone(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(closed.state, corrective_action::State::Closed as i32);
    assert!(closed.close_time.is_some());

    // CA 2: not effective sends it back to planning.
    officer_client
        .implement_corrective_action(implement(&ca2.name))
        .await
        .unwrap();
    let not_effective = auditor_client
        .verify_corrective_action(verify(&ca2.name, false))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(not_effective.state, corrective_action::State::NotEffective as i32);
    leader
        .plan_corrective_action(plan(&ca2.name, &officer.name, 10))
        .await
        .unwrap();
    let status = auditor_client
        .verify_corrective_action(verify(&ca2.name, true))
        .await
        .unwrap_err();
    assert_eq!(
        status.code(),
        Code::FailedPrecondition,
        "planned again, not implemented"
    );

    // ── Overdue, by the server's clock.
    let overdue = |client: &mut eiso_tests::Quality| {
        let mut client = client.clone();
        async move {
            client
                .list_overdue_corrective_actions(ListOverdueCorrectiveActionsRequest::default())
                .await
                .unwrap()
                .into_inner()
                .corrective_actions
                .into_iter()
                .map(|a| a.name)
                .collect::<Vec<_>>()
        }
    };
    assert!(overdue(&mut leader).await.is_empty());
    time.set(at(6, 10));
    assert!(overdue(&mut leader).await.is_empty(), "due today is not overdue");
    time.set(at(6, 11));
    assert_eq!(overdue(&mut leader).await, std::slice::from_ref(&ca2.name));
    time.set(at(12, 20));

    // ── The management review pack, filed as a record.
    let generate = GenerateManagementReviewPackRequest {
        unit: office.name.clone(),
        start_date: date(2024, 1, 1),
        end_date: date(2024, 12, 31),
        title: String::new(),
        request_id: "review-2024".into(),
    };
    let review = leader
        .generate_management_review_pack(generate.clone())
        .await
        .unwrap()
        .into_inner();
    let again = leader
        .generate_management_review_pack(generate)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (again.name.as_str(), again.record.as_str()),
        (review.name.as_str(), review.record.as_str())
    );
    assert_eq!(review.title, "Báo cáo xem xét của lãnh đạo năm 2024");
    let pack = review.pack.clone().unwrap();
    let quality = pack.quality.unwrap();
    assert_eq!((quality.audits, quality.audits_completed), (1, 1));
    assert_eq!(
        (
            quality.major_nonconformities,
            quality.minor_nonconformities,
            quality.observations,
            quality.opportunities_for_improvement
        ),
        (1, 1, 1, 0)
    );
    assert_eq!(
        (
            quality.corrective_actions_open,
            quality.corrective_actions_overdue,
            quality.corrective_actions_closed
        ),
        (1, 1, 1)
    );
    assert_eq!(
        (quality.verifications_effective, quality.verifications_not_effective),
        (1, 1)
    );
    assert_eq!(pack.open_corrective_actions[0].name, ca2.name);
    let service = pack.service.unwrap();
    assert_eq!(service.received, 2, "from the procedures service");
    // The period as the reporting forms count it: nothing before it, the two
    // dossiers still running at its end.
    assert_eq!((service.carried_over, service.in_progress + service.overdue), (0, 2));
    assert_eq!(pack.inspections.unwrap().inspected, std::slice::from_ref(&s1.name));
    let stored = docs_record(&mut documents, &review.record).await;
    assert_eq!(stored.state, docs::record::State::Closed as i32);
    assert_eq!(stored.title, review.title);
    assert_eq!(stored.owner_unit, office.name);
    let mut names: Vec<&str> = stored.files.iter().map(|f| f.file_name.as_str()).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "xem-xet-lanh-dao-2024-01-01-2024-12-31.html",
            "xem-xet-lanh-dao-2024-01-01-2024-12-31.xlsx"
        ]
    );
    let html_file = stored.files.iter().find(|f| f.file_name.ends_with(".html")).unwrap();
    let html = String::from_utf8(download(&mut documents, &html_file.name).await.1).unwrap();
    for expected in [
        "<h1 class=\"kind\">BÁO CÁO</h1>\n<div class=\"subject\">Xem xét của lãnh đạo năm 2024</div>",
        "Số: 01/BC</div>",
        "Từ ngày 01/01/2024 đến ngày 31/12/2024",
        "Ngày 20 tháng 12 năm 2024",
        "Phòng Giáo dục và Đào tạo",
        "Không kiểm soát hồ sơ quá hạn trong quý II",
        "Đánh giá nội bộ Bộ phận Một cửa",
        "33,3%",
        "10/06/2024",
    ] {
        assert!(html.contains(expected), "{expected} missing from the page");
    }
    if let Ok(path) = std::env::var("EISO_REVIEW_HTML_OUT") {
        std::fs::write(path, &html).unwrap();
    }
    let xlsx_file = stored.files.iter().find(|f| f.file_name.ends_with(".xlsx")).unwrap();
    let xlsx = download(&mut documents, &xlsx_file.name).await.1;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(xlsx)).unwrap();
    let summary = book.worksheet_range("Tổng hợp").unwrap();
    let cells: Vec<String> = summary.cells().map(|(_, _, c)| c.to_string()).collect();
    let value_of = |label: &str| {
        let i = cells.iter().position(|c| c == label).unwrap();
        cells[i + 1].clone()
    };
    assert_eq!(value_of("Hồ sơ tiếp nhận"), "2");
    assert_eq!(value_of("Kỳ trước chuyển sang"), "0");
    assert_eq!(value_of("Điểm không phù hợp nặng"), "1");
    assert_eq!(value_of("Trong đó quá hạn"), "1");

    // ── The ISO 18091 diagnostic of two periods.
    let indicators = leader
        .list_indicators(ListIndicatorsRequest::default())
        .await
        .unwrap()
        .into_inner()
        .indicators;
    assert_eq!(indicators.len(), 39);
    assert!(
        indicators.iter().all(|i| !i.wording_verified),
        "shipped wording is unverified"
    );
    let diagnostic = |period: &str| CreateDiagnosticRequest {
        diagnostic: Some(Diagnostic {
            unit: office.name.clone(),
            period: period.into(),
            title: format!("Tự đánh giá theo TCVN ISO 18091:2020 năm {period}"),
            ..Default::default()
        }),
        request_id: String::new(),
    };
    let d2023 = leader.create_diagnostic(diagnostic("2023")).await.unwrap().into_inner();
    let d2024 = leader.create_diagnostic(diagnostic("2024")).await.unwrap().into_inner();
    assert_eq!(
        leader.create_diagnostic(diagnostic("2024")).await.unwrap_err().code(),
        Code::AlreadyExists
    );
    let assess =
        |diagnostic: &str, indicator: &str, colour: Colour, evidence: Vec<EvidenceLink>| AssessIndicatorRequest {
            diagnostic: diagnostic.into(),
            assessment: Some(Assessment {
                indicator: format!("indicators/{indicator}"),
                colour: colour as i32,
                evidence,
                note: "Theo báo cáo tổng kết năm".into(),
                ..Default::default()
            }),
        };
    for (d, indicator, colour) in [
        (&d2023.name, "1-1", Colour::Red),
        (&d2023.name, "1-2", Colour::Green),
        (&d2023.name, "2-1", Colour::Yellow),
        (&d2024.name, "1-1", Colour::Yellow),
        (&d2024.name, "1-1", Colour::Green),
        // By its number as people read it: the same indicator.
        (&d2024.name, "1.2", Colour::Yellow),
        (&d2024.name, "2-1", Colour::Yellow),
        (&d2024.name, "3-1", Colour::Red),
    ] {
        auditor_client
            .assess_indicator(assess(d, indicator, colour, vec![link(&record.name)]))
            .await
            .unwrap();
    }
    let status = auditor_client
        .assess_indicator(assess(&d2024.name, "1-1", Colour::Unspecified, vec![]))
        .await
        .unwrap_err();
    assert_eq!(bad_field(&status), "assessment.colour");
    let got = diagnostic_named(&mut leader, &d2024.name).await;
    assert_eq!(got.assessments.len(), 4, "assessing again replaces");
    assert_eq!(got.assessments[0].colour, Colour::Green as i32);
    assert_eq!(got.assessments[0].evidence[0].kind, "record");
    let compared = leader
        .compare_periods(ComparePeriodsRequest {
            base: d2023.name.clone(),
            current: d2024.name.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!((compared.improved, compared.worsened, compared.unchanged), (1, 1, 1));
    assert_eq!(compared.changes.len(), 39);
    let change_of = |number: &str| {
        compared
            .changes
            .iter()
            .find(|c| c.number == number)
            .map(|c| Change::try_from(c.change).unwrap())
            .unwrap()
    };
    assert_eq!(change_of("1.1"), Change::Improved);
    assert_eq!(change_of("1.2"), Change::Worsened);
    assert_eq!(change_of("2.1"), Change::Unchanged);
    assert_eq!(change_of("3.1"), Change::Unspecified, "not assessed in 2023");
    let institutional = |counts: &[QuadrantCounts]| {
        let c = counts
            .iter()
            .find(|c| c.quadrant == Quadrant::Institutional as i32)
            .unwrap();
        (c.red, c.yellow, c.green, c.unassessed)
    };
    assert_eq!(institutional(&compared.base_counts), (1, 0, 1, 10));
    assert_eq!(institutional(&compared.current_counts), (0, 1, 1, 10));
    let social = compared
        .current_counts
        .iter()
        .find(|c| c.quadrant == Quadrant::Social as i32)
        .unwrap();
    assert_eq!((social.red, social.unassessed), (1, 11));

    // Each assessment carries its change from the period before, kept up to
    // date when the earlier period is assessed again.
    let by_indicator = |diagnostic: &Diagnostic, code: &str| {
        let found = diagnostic
            .assessments
            .iter()
            .find(|a| a.indicator.ends_with(code))
            .unwrap();
        (
            Colour::try_from(found.previous_colour).unwrap(),
            Change::try_from(found.change).unwrap(),
        )
    };
    assert_eq!(by_indicator(&got, "/1-1"), (Colour::Red, Change::Improved));
    assert_eq!(by_indicator(&got, "/1-2"), (Colour::Green, Change::Worsened));
    assert_eq!(by_indicator(&got, "/2-1"), (Colour::Yellow, Change::Unchanged));
    assert_eq!(by_indicator(&got, "/3-1"), (Colour::Unspecified, Change::Unspecified));
    auditor_client
        .assess_indicator(assess(&d2023.name, "2-1", Colour::Red, vec![]))
        .await
        .unwrap();
    let got = diagnostic_named(&mut leader, &d2024.name).await;
    assert_eq!(by_indicator(&got, "/2-1"), (Colour::Red, Change::Improved));
    let earlier = diagnostic_named(&mut leader, &d2023.name).await;
    assert_eq!(
        by_indicator(&earlier, "/1-1"),
        (Colour::Unspecified, Change::Unspecified)
    );

    // ── Events carry the full resource (the search service indexes them).
    let mut events = server
        .quality(&server.admin_token)
        .watch_events(WatchEventsRequest { after_sequence: 0 })
        .await
        .unwrap()
        .into_inner();
    let mut seen_finding = false;
    let mut seen_closed = false;
    while let Ok(Some(message)) = tokio::time::timeout(Duration::from_secs(5), events.message())
        .await
        .unwrap()
    {
        let event = message.event.unwrap();
        let payload = event.payload.unwrap();
        if event.r#type == "quality.finding.created" && event.resource == minor.name {
            let finding = Finding::decode(payload.value.as_slice()).unwrap();
            assert_eq!(finding.statement, minor.statement);
            assert_eq!(finding.evidence.len(), 3);
            seen_finding = true;
        }
        if event.r#type == "quality.corrective_action.closed" {
            let action = CorrectiveAction::decode(payload.value.as_slice()).unwrap();
            assert_eq!(action.root_cause, "Chưa phân công người cập nhật sổ theo dõi");
            seen_closed = true;
        }
        if event.r#type == "quality.assessment.recorded" && event.resource.ends_with("/3-1") {
            break;
        }
    }
    assert!(seen_finding && seen_closed);

    // Findings and corrective actions are searchable by the quality system's
    // readers, diacritics optional; the counter does not see them.
    let found = crate::search::searchable(
        &server,
        &leader_token,
        "phan cong nguoi cap nhat so theo doi",
        "corrective_action",
    )
    .await;
    // Two actions share that root cause; one of them is closed.
    assert_eq!(found.results.len(), 2, "{found:?}");
    assert!(found.results.iter().any(|r| r.status == "closed"), "{found:?}");
    let found = crate::search::searchable(&server, &leader_token, &minor.statement, "finding").await;
    assert_eq!(
        found.results.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
        [minor.name.as_str()]
    );
    let hidden = crate::search::searchable(&server, &counter_token, &minor.statement, "finding").await;
    assert!(hidden.results.is_empty(), "the counter does not read findings");

    // A finding's type is searchable in Vietnamese and by its code, and shown
    // in Vietnamese; the minor nonconformities are not major ones.
    let names = |found: &eiso_proto::eiso::search::v1::SearchResponse| {
        found.results.iter().map(|r| r.name.clone()).collect::<Vec<_>>()
    };
    let found = crate::search::searchable(&server, &leader_token, "không phù hợp nặng", "finding").await;
    assert_eq!(names(&found), std::slice::from_ref(&major.name), "{found:?}");
    assert!(found.results[0].title.contains("Điểm không phù hợp nặng"), "{found:?}");
    let found = crate::search::searchable(&server, &leader_token, "major nonconformity", "finding").await;
    assert_eq!(names(&found), std::slice::from_ref(&major.name), "{found:?}");
    let found = crate::search::searchable(&server, &leader_token, "khong phu hop nhe", "finding").await;
    assert!(found.results.iter().any(|r| r.name == minor.name), "{found:?}");
    assert!(!names(&found).contains(&major.name), "{found:?}");
    // A corrective action's state, in Vietnamese.
    let found = crate::search::searchable(&server, &leader_token, "\"đã đóng\"", "corrective_action").await;
    assert!(!found.results.is_empty(), "{found:?}");
    assert!(found.results.iter().all(|r| r.status == "closed"), "{found:?}");

    // A diagnostic's results, in Vietnamese and by their codes: the 2024
    // indicators that got better, and the one that got worse.
    let assessment = |d: &Diagnostic, code: &str| format!("{}/assessments/{code}", d.name);
    let mut found = names(&crate::search::searchable(&server, &leader_token, "\"tốt lên\"", "assessment").await);
    found.sort();
    assert_eq!(found, [assessment(&d2024, "1-1"), assessment(&d2024, "2-1")]);
    let found = crate::search::searchable(&server, &leader_token, "xau di", "assessment").await;
    assert_eq!(names(&found), [assessment(&d2024, "1-2")], "{found:?}");
    assert_eq!(found.results[0].title, "Chỉ số 1.2: Vàng (Xấu đi, kỳ trước xanh)");
    assert_eq!(found.results[0].unit, office.name, "the diagnostic's unit");
    let found = crate::search::searchable(&server, &leader_token, "improved", "assessment").await;
    assert_eq!(found.results.len(), 2, "{found:?}");
    let hidden = crate::search::searchable(&server, &counter_token, "tốt lên", "assessment").await;
    assert!(hidden.results.is_empty(), "the counter does not read the diagnostic");
    let found = crate::search::searchable(&server, &leader_token, "ISO 18091 2023", "diagnostic").await;
    assert_eq!(names(&found), std::slice::from_ref(&d2023.name), "{found:?}");

    // An inspection is found by the school's name and shown with it, not its id.
    let found = crate::search::searchable(&server, &leader_token, "Tiểu học Đằng Lâm", "inspection").await;
    assert_eq!(names(&found), std::slice::from_ref(&i2.name), "{found:?}");
    assert_eq!(found.results[0].title, "Kiểm tra Trường Tiểu học Đằng Lâm");
    let found = crate::search::searchable(&server, &leader_token, "kiem tra", "inspection").await;
    assert_eq!(found.results.len(), 2, "{found:?}");
    assert!(found.results.iter().all(|r| !r.title.contains("units/")), "{found:?}");
    let found = crate::search::searchable(&server, &leader_token, "đã hủy", "inspection").await;
    assert_eq!(names(&found), std::slice::from_ref(&i2.name), "{found:?}");
    server.stop().await;
}

/// A corrective action planned three times: changed before it was carried
/// out, then carried out and found not effective. Each replaced plan stays
/// in its history with its root cause, actions, due date, who planned it
/// and when, what was done of it, and why and by whom it was replaced.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replanning_a_corrective_action_keeps_the_earlier_plans() {
    let (clock, time) = Clock::manual(at(6, 3));
    let server = TestServer::start_with_clock(Backend::fresh().await, clock).await;
    let mut quality = server.quality_office().await;
    let (officer, officer_token) = server
        .user_with_role("chuyen.vien", Role::ProcessingOfficer, &quality.counter_unit.name)
        .await;
    let (_, finding) = quality.audit_counter(date(2024, 6, 3)).await;
    let eiso_tests::quality::QualityOffice {
        leader_user,
        mut leader,
        mut auditing,
        ..
    } = quality;
    let action = auditing
        .create_corrective_action(eiso_tests::quality::corrective_action_of(&finding.name))
        .await
        .unwrap()
        .into_inner();
    assert!(action.history.is_empty());
    let plan = |root_cause: &str, description: &str, due_day: i32| PlanCorrectiveActionRequest {
        name: action.name.clone(),
        root_cause: root_cause.into(),
        actions: vec![PlannedAction {
            description: description.into(),
            owner: officer.name.clone(),
            due_date: date(2024, 6, due_day),
        }],
        ..Default::default()
    };

    // 3 June: the first plan.
    let first = leader
        .plan_corrective_action(plan("Chưa phân công người ghi sổ", "Phân công người ghi sổ", 14))
        .await
        .unwrap()
        .into_inner();
    assert!(first.history.is_empty(), "nothing replaced yet");
    assert_eq!(first.planner, leader_user.name);
    assert_eq!(first.plan_time.as_ref().map(|t| t.seconds), Some(at(6, 3).timestamp()));
    // 4 June: changed before it was carried out.
    time.set(at(6, 4));
    let second = leader
        .plan_corrective_action(plan(
            "Mẫu sổ không có cột ngày trả kết quả",
            "Sửa mẫu sổ theo dõi, bổ sung cột ngày trả",
            20,
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(second.root_cause, "Mẫu sổ không có cột ngày trả kết quả");
    assert_eq!(second.history.len(), 1);
    let kept = &second.history[0];
    assert_eq!(kept.root_cause, "Chưa phân công người ghi sổ");
    assert_eq!(kept.actions, first.actions);
    assert_eq!(kept.due_date, date(2024, 6, 14));
    assert_eq!(
        (kept.planner.as_str(), kept.plan_date),
        (leader_user.name.as_str(), date(2024, 6, 3))
    );
    assert_eq!(kept.plan_time, first.plan_time);
    assert_eq!(kept.replaced_state, corrective_action::State::ActionsPlanned as i32);
    assert_eq!(kept.replaced_by, leader_user.name);
    assert_eq!(
        kept.replace_time.as_ref().map(|t| t.seconds),
        Some(at(6, 4).timestamp())
    );
    assert!(kept.implementation_note.is_empty() && kept.implement_date.is_none());

    // 5 June carried out; 6 June verified not effective.
    time.set(at(6, 5));
    server
        .quality(&officer_token)
        .implement_corrective_action(ImplementCorrectiveActionRequest {
            name: action.name.clone(),
            note: "Đã in sổ theo mẫu mới".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    time.set(at(6, 6));
    auditing
        .verify_corrective_action(VerifyCorrectiveActionRequest {
            name: action.name.clone(),
            effective: false,
            note: "Sổ mới vẫn bỏ trống ngày trả ở 4/10 hồ sơ".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    // 10 June: the third plan, made on 7 June and entered late.
    time.set(at(6, 10));
    let late = "Biên bản họp ngày 07/6 chuyển về muộn";
    let third = leader
        .plan_corrective_action(PlanCorrectiveActionRequest {
            effective_date: date(2024, 6, 7),
            reason: late.into(),
            ..plan(
                "Cán bộ chưa được hướng dẫn ghi sổ",
                "Tập huấn ghi sổ cho cán bộ một cửa",
                28,
            )
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (third.plan_date, third.plan_late_reason.as_str()),
        (date(2024, 6, 7), late)
    );
    assert!(
        third.implementation_note.is_empty() && third.implement_date.is_none(),
        "the new plan is not carried out yet"
    );
    let shown = leader
        .get_corrective_action(GetCorrectiveActionRequest {
            name: action.name.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(shown.history.len(), 2, "{shown:?}");
    assert_eq!(shown.history[0], second.history[0], "the first plan is kept as it was");
    let failed = &shown.history[1];
    assert_eq!(failed.root_cause, "Mẫu sổ không có cột ngày trả kết quả");
    assert_eq!(failed.actions, second.actions);
    assert_eq!(failed.due_date, date(2024, 6, 20));
    assert_eq!(failed.plan_date, date(2024, 6, 4));
    assert_eq!(
        (failed.implementation_note.as_str(), failed.implement_date),
        ("Đã in sổ theo mẫu mới", date(2024, 6, 5))
    );
    assert_eq!(failed.replaced_state, corrective_action::State::NotEffective as i32);
    assert_eq!(shown.root_cause, "Cán bộ chưa được hướng dẫn ghi sổ");
    assert_eq!(shown.verifications.len(), 1, "the verification stays with the action");
    server.stop().await;
}

async fn docs_record(client: &mut eiso_tests::Documents, name: &str) -> docs::Record {
    client
        .get_record(docs::GetRecordRequest { name: name.into() })
        .await
        .unwrap()
        .into_inner()
}

/// The diagnostic `name` with its assessments.
async fn diagnostic_named(client: &mut eiso_tests::Quality, name: &str) -> Diagnostic {
    client
        .get_diagnostic(GetDiagnosticRequest { name: name.into() })
        .await
        .unwrap()
        .into_inner()
}
