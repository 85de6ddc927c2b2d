//! Unit scoping of the quality service (issue 17, §1), on the tree of
//! [`crate::scoping_plans`]: a district D with schools S1 (with a sub-unit
//! S1a) and S2; resources of S1; for a representative write and read of each
//! resource kind, a caller bound at S1, at D, at S1a and at S2.
//!
//! An inspection is of a unit below its programme's (S1's programme inspects
//! S1a): it is read within the unit inspected, so S1a reads its own
//! inspection, and changed only by those holding the programme, so S1a may
//! not cancel it.

use eiso_proto::eiso::documents::v1 as docs;
use eiso_proto::eiso::identity::v1::Role;
use eiso_proto::eiso::procedures::v1::LocalDate;
use eiso_proto::eiso::quality::v1::*;
use eiso_tests::TestServer;
use tonic::Code;

use crate::scoping_plans::{
    CREATES_IN_S1, DENIED, Expect, NOT_FOUND, OK, REACHES_S1, Table, Tree, mask, seen_as_result, user_with_bindings,
};

fn date(y: i32, m: i32, d: i32) -> Option<LocalDate> {
    Some(LocalDate {
        year: y,
        month: m,
        day: d,
    })
}

fn link(name: &str) -> EvidenceLink {
    EvidenceLink {
        name: name.into(),
        ..Default::default()
    }
}

/// A reference to a resource the caller may not read is as one to a missing one.
const INVALID: Expect = Some(Code::InvalidArgument);

#[tokio::test]
async fn quality_resources_are_reached_from_their_unit_and_above() {
    let server = TestServer::start().await;
    let tree = Tree::new(&server).await;
    let leaders = tree.users(&server, "lanh.dao.", Role::Leader).await;
    let viewers = tree.users(&server, "xem.", Role::Viewer).await;
    let mut auditors = Vec::new();
    let mut auditor_names = Vec::new();
    for (i, unit) in tree.places().iter().enumerate() {
        let (user, token) = server
            .user_with_role(&format!("danh.gia.{i}"), Role::InternalAuditor, unit)
            .await;
        auditors.push(token);
        auditor_names.push(user.name);
    }
    // The audit's auditors: D's and S2's (S1's would audit their own unit).
    let auditor_names = vec![auditor_names[1].clone(), auditor_names[3].clone()];
    let mut table = Table::default();
    let mut s1 = server.quality(&leaders[0]);

    // S1's inspection programme of S1a, with one planned inspection per caller.
    let inspections_programme = s1
        .create_inspection_programme(CreateInspectionProgrammeRequest {
            programme: Some(InspectionProgramme {
                unit: tree.s1.name.clone(),
                year: 2024,
                title: "Kế hoạch kiểm tra năm 2024".into(),
                population: vec![tree.s1a.name.clone()],
                ..Default::default()
            }),
            request_id: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    let mut inspections = Vec::new();
    for place in 0..4 {
        let inspection = s1
            .create_inspection(CreateInspectionRequest {
                inspection: Some(Inspection {
                    programme: inspections_programme.name.clone(),
                    unit: tree.s1a.name.clone(),
                    planned_date: date(2024, 5, 10 + place),
                    inspectors: vec![auditor_names[0].clone()],
                    ..Default::default()
                }),
                request_id: String::new(),
            })
            .await
            .unwrap()
            .into_inner();
        inspections.push(inspection);
    }

    // S1's audit programme and an audit of S1 by auditors of D and S2 (an
    // auditor does not audit their own unit), started, with a nonconformity
    // and its corrective action.
    let audit_programme = s1
        .create_audit_programme(CreateAuditProgrammeRequest {
            programme: Some(AuditProgramme {
                unit: tree.s1.name.clone(),
                year: 2024,
                title: "Chương trình đánh giá nội bộ năm 2024".into(),
                ..Default::default()
            }),
            request_id: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    let the_audit = s1
        .create_audit(CreateAuditRequest {
            audit: Some(Audit {
                programme: audit_programme.name.clone(),
                title: "Đánh giá nội bộ trường Cát Linh".into(),
                scope: "Quy trình tuyển sinh".into(),
                criteria: vec!["7.5".into()],
                auditees: vec![tree.s1.name.clone()],
                auditors: auditor_names.clone(),
                start_date: date(2024, 6, 3),
                end_date: date(2024, 6, 4),
                ..Default::default()
            }),
            request_id: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    let mut district_auditor = server.quality(&auditors[1]);
    district_auditor
        .start_audit(StartAuditRequest {
            name: the_audit.name.clone(),
            etag: String::new(),
        })
        .await
        .unwrap();
    let the_finding = district_auditor
        .create_finding(CreateFindingRequest {
            parent: the_audit.name.clone(),
            finding: Some(Finding {
                r#type: FindingType::MinorNonconformity as i32,
                clause: "7.5.3".into(),
                statement: "Sổ tuyển sinh thiếu chữ ký".into(),
                auditee: tree.s1.name.clone(),
                ..Default::default()
            }),
            request_id: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    let the_action = s1
        .create_corrective_action(CreateCorrectiveActionRequest {
            corrective_action: Some(CorrectiveAction {
                finding: the_finding.name.clone(),
                ..Default::default()
            }),
            request_id: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    let the_review = s1
        .generate_management_review_pack(GenerateManagementReviewPackRequest {
            unit: tree.s1.name.clone(),
            start_date: date(2024, 1, 1),
            end_date: date(2024, 12, 31),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let the_diagnostic = s1
        .create_diagnostic(CreateDiagnosticRequest {
            diagnostic: Some(Diagnostic {
                unit: tree.s1.name.clone(),
                period: "2024".into(),
                ..Default::default()
            }),
            request_id: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    let earlier = s1
        .create_diagnostic(CreateDiagnosticRequest {
            diagnostic: Some(Diagnostic {
                unit: tree.s1.name.clone(),
                period: "2023".into(),
                ..Default::default()
            }),
            request_id: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    let indicator = server
        .quality(&viewers[0])
        .list_indicators(ListIndicatorsRequest {
            page_size: 1,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .indicators
        .remove(0);

    for place in 0..4 {
        let mut leader = server.quality(&leaders[place]);
        let mut auditor = server.quality(&auditors[place]);
        let mut viewer = server.quality(&viewers[place]);

        // Inspection programmes and inspections.
        let created = leader
            .create_inspection_programme(CreateInspectionProgrammeRequest {
                programme: Some(InspectionProgramme {
                    unit: tree.s1.name.clone(),
                    year: 2030 + place as i32,
                    title: "Kế hoạch kiểm tra".into(),
                    ..Default::default()
                }),
                request_id: String::new(),
            })
            .await;
        table.check("CreateInspectionProgramme in S1", place, CREATES_IN_S1[place], &created);
        let updated = leader
            .update_inspection_programme(UpdateInspectionProgrammeRequest {
                programme: Some(InspectionProgramme {
                    name: inspections_programme.name.clone(),
                    title: format!("Kế hoạch kiểm tra năm 2024 ({place})"),
                    ..Default::default()
                }),
                update_mask: mask(&["title"]),
                etag: String::new(),
            })
            .await;
        table.check("UpdateInspectionProgramme", place, REACHES_S1[place], &updated);
        let got = viewer
            .get_inspection_programme(GetInspectionProgrammeRequest {
                name: inspections_programme.name.clone(),
            })
            .await;
        table.check("GetInspectionProgramme", place, REACHES_S1[place], &got);
        let created = leader
            .create_inspection(CreateInspectionRequest {
                inspection: Some(Inspection {
                    programme: inspections_programme.name.clone(),
                    unit: tree.s1a.name.clone(),
                    planned_date: date(2024, 9, 1 + place as i32),
                    inspectors: vec![auditor_names[0].clone()],
                    ..Default::default()
                }),
                request_id: String::new(),
            })
            .await;
        table.check(
            "CreateInspection in S1's programme",
            place,
            [OK, OK, INVALID, INVALID][place],
            &created,
        );
        let cancelled = leader
            .cancel_inspection(CancelInspectionRequest {
                name: inspections[place].name.clone(),
                reason: "Trùng lịch".into(),
                etag: String::new(),
            })
            .await;
        table.check(
            "CancelInspection of S1a by S1's programme",
            place,
            [OK, OK, DENIED, NOT_FOUND][place],
            &cancelled,
        );
        let got = viewer
            .get_inspection(GetInspectionRequest {
                name: inspections[0].name.clone(),
            })
            .await;
        table.check("GetInspection of S1a", place, [OK, OK, OK, NOT_FOUND][place], &got);
        let listed = viewer
            .list_inspections(ListInspectionsRequest::default())
            .await
            .unwrap();
        let seen = listed
            .into_inner()
            .inspections
            .iter()
            .any(|i| i.name == inspections[0].name);
        table.check(
            "ListInspections shows S1a's",
            place,
            [OK, OK, OK, NOT_FOUND][place],
            &seen_as_result(seen),
        );
        let coverage = viewer
            .get_inspection_coverage(GetInspectionCoverageRequest {
                unit: tree.s1.name.clone(),
                start_date: date(2024, 1, 1),
                end_date: date(2024, 12, 31),
            })
            .await;
        table.check("GetInspectionCoverage of S1", place, REACHES_S1[place], &coverage);

        // Audit programmes and audits.
        let created = leader
            .create_audit_programme(CreateAuditProgrammeRequest {
                programme: Some(AuditProgramme {
                    unit: tree.s1.name.clone(),
                    year: 2025,
                    title: "Chương trình đánh giá".into(),
                    ..Default::default()
                }),
                request_id: String::new(),
            })
            .await;
        table.check("CreateAuditProgramme in S1", place, CREATES_IN_S1[place], &created);
        let got = viewer
            .get_audit_programme(GetAuditProgrammeRequest {
                name: audit_programme.name.clone(),
            })
            .await;
        table.check("GetAuditProgramme", place, REACHES_S1[place], &got);
        let updated = auditor
            .update_audit(UpdateAuditRequest {
                audit: Some(Audit {
                    name: the_audit.name.clone(),
                    title: format!("Đánh giá nội bộ trường Cát Linh ({place})"),
                    ..Default::default()
                }),
                update_mask: mask(&["title"]),
                etag: String::new(),
            })
            .await;
        table.check("UpdateAudit", place, REACHES_S1[place], &updated);
        let got = viewer
            .get_audit(GetAuditRequest {
                name: the_audit.name.clone(),
            })
            .await;
        table.check("GetAudit", place, REACHES_S1[place], &got);
        let listed = viewer.list_audits(ListAuditsRequest::default()).await.unwrap();
        let seen = listed.into_inner().audits.iter().any(|a| a.name == the_audit.name);
        table.check("ListAudits shows it", place, REACHES_S1[place], &seen_as_result(seen));

        // Findings: S2's auditor is one of the audit's auditors, and still
        // does not reach S1.
        let created = auditor
            .create_finding(CreateFindingRequest {
                parent: the_audit.name.clone(),
                finding: Some(Finding {
                    r#type: FindingType::Observation as i32,
                    clause: "7.5".into(),
                    statement: "Bảng niêm yết khó thấy".into(),
                    auditee: tree.s1.name.clone(),
                    ..Default::default()
                }),
                request_id: String::new(),
            })
            .await;
        table.check(
            "CreateFinding (S1's auditor is not one of the audit's)",
            place,
            [DENIED, OK, NOT_FOUND, NOT_FOUND][place],
            &created,
        );
        let updated = auditor
            .update_finding(UpdateFindingRequest {
                finding: Some(Finding {
                    name: the_finding.name.clone(),
                    statement: format!("Sổ tuyển sinh thiếu chữ ký ({place})"),
                    ..Default::default()
                }),
                update_mask: mask(&["statement"]),
                etag: String::new(),
            })
            .await;
        table.check("UpdateFinding", place, REACHES_S1[place], &updated);
        let got = viewer
            .get_finding(GetFindingRequest {
                name: the_finding.name.clone(),
            })
            .await;
        table.check("GetFinding", place, REACHES_S1[place], &got);
        let listed = viewer
            .list_findings(ListFindingsRequest {
                parent: "audits/-".into(),
                ..Default::default()
            })
            .await
            .unwrap();
        let seen = listed.into_inner().findings.iter().any(|f| f.name == the_finding.name);
        table.check("ListFindings shows it", place, REACHES_S1[place], &seen_as_result(seen));

        // Corrective actions.
        let planned = leader
            .plan_corrective_action(PlanCorrectiveActionRequest {
                name: the_action.name.clone(),
                root_cause: "Chưa phân công người ký".into(),
                actions: vec![PlannedAction {
                    description: "Phân công người ký sổ".into(),
                    owner: auditor_names[0].clone(),
                    due_date: date(2099, 12, 31),
                }],
                etag: String::new(),
            })
            .await;
        table.check("PlanCorrectiveAction", place, REACHES_S1[place], &planned);
        let got = viewer
            .get_corrective_action(GetCorrectiveActionRequest {
                name: the_action.name.clone(),
            })
            .await;
        table.check("GetCorrectiveAction", place, REACHES_S1[place], &got);
        let overdue = viewer
            .list_overdue_corrective_actions(ListOverdueCorrectiveActionsRequest {
                unit: tree.s1.name.clone(),
                ..Default::default()
            })
            .await;
        table.check("ListOverdueCorrectiveActions of S1", place, REACHES_S1[place], &overdue);

        // Management reviews.
        let generated = leader
            .generate_management_review_pack(GenerateManagementReviewPackRequest {
                unit: tree.s1.name.clone(),
                start_date: date(2024, 1, 1),
                end_date: date(2024, 6, 30),
                ..Default::default()
            })
            .await;
        table.check(
            "GenerateManagementReviewPack for S1",
            place,
            CREATES_IN_S1[place],
            &generated,
        );
        let got = viewer
            .get_management_review(GetManagementReviewRequest {
                name: the_review.name.clone(),
            })
            .await;
        table.check("GetManagementReview", place, REACHES_S1[place], &got);

        // Diagnostics.
        let created = leader
            .create_diagnostic(CreateDiagnosticRequest {
                diagnostic: Some(Diagnostic {
                    unit: tree.s1.name.clone(),
                    period: format!("203{place}"),
                    ..Default::default()
                }),
                request_id: String::new(),
            })
            .await;
        table.check("CreateDiagnostic in S1", place, CREATES_IN_S1[place], &created);
        let assessed = leader
            .assess_indicator(AssessIndicatorRequest {
                diagnostic: the_diagnostic.name.clone(),
                assessment: Some(Assessment {
                    indicator: indicator.name.clone(),
                    colour: Colour::Yellow as i32,
                    ..Default::default()
                }),
            })
            .await;
        table.check("AssessIndicator", place, REACHES_S1[place], &assessed);
        let got = viewer
            .get_diagnostic(GetDiagnosticRequest {
                name: the_diagnostic.name.clone(),
            })
            .await;
        table.check("GetDiagnostic", place, REACHES_S1[place], &got);
        let compared = viewer
            .compare_periods(ComparePeriodsRequest {
                base: earlier.name.clone(),
                current: the_diagnostic.name.clone(),
            })
            .await;
        table.check("ComparePeriods", place, REACHES_S1[place], &compared);
        let listed = viewer.list_indicators(ListIndicatorsRequest::default()).await;
        table.check("ListIndicators", place, OK, &listed);
    }
    table.assert_all_right();
    server.stop().await;
}

#[tokio::test]
async fn the_indicator_set_and_the_event_stream_are_the_root_units() {
    let server = TestServer::start().await;
    let tree = Tree::new(&server).await;
    let (_, district_admin) = server.user_with_role("quan.tri.d", Role::Admin, &tree.d.name).await;
    let mut district = server.quality(&district_admin);
    let indicator = Indicator {
        quadrant: Quadrant::Institutional as i32,
        number: "1.99".into(),
        title: "Chỉ số thử".into(),
        active: true,
        ..Default::default()
    };
    let status = district
        .create_indicator(CreateIndicatorRequest {
            indicator: Some(indicator.clone()),
            indicator_id: "1-99".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::PermissionDenied, "{status:?}");
    let mut root = server.quality(&server.admin_token);
    let created = root
        .create_indicator(CreateIndicatorRequest {
            indicator: Some(indicator),
            indicator_id: "1-99".into(),
        })
        .await
        .unwrap()
        .into_inner();
    let status = district
        .update_indicator(UpdateIndicatorRequest {
            indicator: Some(Indicator {
                name: created.name.clone(),
                title: "Đổi tên".into(),
                ..Default::default()
            }),
            update_mask: mask(&["title"]),
            etag: String::new(),
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::PermissionDenied, "{status:?}");
    let status = district
        .watch_events(WatchEventsRequest { after_sequence: 0 })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::PermissionDenied);
    assert!(
        root.watch_events(WatchEventsRequest { after_sequence: 0 })
            .await
            .is_ok()
    );
    server.stop().await;
}

#[tokio::test]
async fn a_findings_evidence_the_caller_may_not_see_shows_a_placeholder() {
    let server = TestServer::start().await;
    let tree = Tree::new(&server).await;
    let (_, s2_controller) = server
        .user_with_role("thu.ky.s2", Role::DocumentController, &tree.s2.name)
        .await;
    let (_, s1_leader) = server.user_with_role("lanh.dao.s1", Role::Leader, &tree.s1.name).await;
    let (auditor, district_auditor) = server
        .user_with_role("danh.gia.d", Role::InternalAuditor, &tree.d.name)
        .await;
    let (_, s1_viewer) = server.user_with_role("xem.s1", Role::Viewer, &tree.s1.name).await;
    let (_, d_viewer) = server.user_with_role("xem.d", Role::Viewer, &tree.d.name).await;
    // Reads S1 and S2, changes nothing: sees S2's document through the finding.
    let both = user_with_bindings(
        &server,
        "xem.hai",
        &[(Role::Viewer, &tree.s1.name), (Role::Viewer, &tree.s2.name)],
    )
    .await;

    let secret = server
        .documents(&s2_controller)
        .create_document(docs::CreateDocumentRequest {
            document: Some(docs::Document {
                code: "HS-MAT-02".into(),
                title: "Biên bản xử lý vi phạm".into(),
                r#type: docs::DocumentType::Procedure as i32,
                owner_unit: tree.s2.name.clone(),
                confidentiality: docs::Confidentiality::Restricted as i32,
                review_interval_months: 12,
                ..Default::default()
            }),
            request_id: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    let mut s1 = server.quality(&s1_leader);
    let programme = s1
        .create_audit_programme(CreateAuditProgrammeRequest {
            programme: Some(AuditProgramme {
                unit: tree.s1.name.clone(),
                year: 2024,
                title: "Chương trình đánh giá nội bộ năm 2024".into(),
                ..Default::default()
            }),
            request_id: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    let audit = s1
        .create_audit(CreateAuditRequest {
            audit: Some(Audit {
                programme: programme.name.clone(),
                title: "Đánh giá nội bộ".into(),
                scope: "Quy trình tuyển sinh".into(),
                criteria: vec!["7.5".into()],
                auditees: vec![tree.s1.name.clone()],
                auditors: vec![auditor.name.clone()],
                start_date: date(2024, 6, 3),
                end_date: date(2024, 6, 4),
                ..Default::default()
            }),
            request_id: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    let mut district = server.quality(&district_auditor);
    district
        .start_audit(StartAuditRequest {
            name: audit.name.clone(),
            etag: String::new(),
        })
        .await
        .unwrap();
    let finding = district
        .create_finding(CreateFindingRequest {
            parent: audit.name.clone(),
            finding: Some(Finding {
                r#type: FindingType::Observation as i32,
                clause: "7.5.3".into(),
                statement: "Biên bản lưu chưa đúng nơi".into(),
                auditee: tree.s1.name.clone(),
                evidence: vec![link(&secret.name)],
                ..Default::default()
            }),
            request_id: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(finding.evidence[0].title.contains("Biên bản xử lý vi phạm"));

    let title = |token: String| {
        let mut client = server.quality(&token);
        let name = finding.name.clone();
        async move {
            client
                .get_finding(GetFindingRequest { name })
                .await
                .unwrap()
                .into_inner()
                .evidence
                .remove(0)
                .title
        }
    };
    assert_eq!(title(s1_viewer.clone()).await, "Tài liệu không có quyền xem");
    assert!(title(d_viewer).await.contains("Biên bản xử lý vi phạm"));
    assert!(title(both).await.contains("Biên bản xử lý vi phạm"));
    let listed = server
        .quality(&s1_viewer)
        .list_findings(ListFindingsRequest {
            parent: audit.name.clone(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(listed.findings[0].evidence[0].title, "Tài liệu không có quyền xem");
    server.stop().await;
}
