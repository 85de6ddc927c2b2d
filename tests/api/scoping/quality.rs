//! The quality system of S1: inspections, internal audits and findings,
//! corrective actions, management reviews, diagnostics; and the indicator set.

use eiso_proto::eiso::identity::v1::Role;
use eiso_proto::eiso::quality::v1::*;
use eiso_tests::TestServer;
use eiso_tests::values::{date, mask};
use tonic::Code;

use super::identity::fresh;
use super::{Answer, Call, Caller, Case, Seen, Units};
use crate::{listed, unary};

#[derive(Debug, Clone, Default)]
pub struct Fixture {
    pub inspection_programme: String,
    /// Inspections of S1a in S1's programme: one to complete, one to cancel.
    pub inspection: String,
    pub cancelled: String,
    pub audit_programme: String,
    /// Audits of S1a in S1's programme: one planned, one in progress
    /// (started by S1's auditor) with a finding and its corrective action
    /// (which belongs to S1a, the unit audited).
    pub audit: String,
    pub started: String,
    pub finding: String,
    pub action: String,
    /// Every caller who may implement an action owns one.
    pub owners: Vec<String>,
    /// The internal auditors of the callers not bound at S1a.
    pub auditors: Vec<String>,
    pub review: String,
    pub diagnostic: String,
    pub earlier_diagnostic: String,
    pub indicator: Indicator,
}

/// A reference in a request field that the caller may not see is answered
/// as a missing one (INVALID_ARGUMENT on the field): a refusal.
fn reference_refused(answer: Answer) -> Answer {
    match answer {
        Err(status) if status.code() == Code::InvalidArgument && status.message().contains("does not exist") => {
            Err(tonic::Status::not_found(status.message()))
        }
        other => other,
    }
}

fn inspection(programme: &str, unit: &str, day: i32, inspectors: &[String]) -> Inspection {
    Inspection {
        programme: programme.into(),
        unit: unit.into(),
        planned_date: date(2024, 5, day),
        inspectors: inspectors.to_vec(),
        ..Default::default()
    }
}

fn audit(programme: &str, unit: &str, auditors: &[String]) -> Audit {
    Audit {
        programme: programme.into(),
        title: "Đánh giá nội bộ Trường Tiểu học số 1".into(),
        scope: "Quy trình tuyển sinh".into(),
        criteria: vec!["7.5".into()],
        auditees: vec![unit.into()],
        auditors: auditors.to_vec(),
        start_date: date(2024, 6, 3),
        end_date: date(2024, 6, 4),
        ..Default::default()
    }
}

fn finding(unit: &str) -> Finding {
    Finding {
        r#type: FindingType::MinorNonconformity as i32,
        clause: "7.5.3".into(),
        statement: "Sổ tuyển sinh thiếu chữ ký".into(),
        auditee: unit.into(),
        ..Default::default()
    }
}

pub async fn fixture(server: &TestServer, units: &Units, setup: &str, callers: &[Caller]) -> Fixture {
    let of_role = |role: Role| -> Vec<&Caller> { callers.iter().filter(|c| c.role == role).collect() };
    // Every auditor of the callers but the one bound at the unit audited
    // (S1a): rows about S1a's own staff stay about their scope.
    let auditors: Vec<String> = of_role(Role::InternalAuditor)
        .iter()
        .filter(|c| c.relation != super::Relation::Descendant)
        .map(|c| c.user.clone())
        .collect();
    let owners: Vec<String> = of_role(Role::ProcessingOfficer)
        .iter()
        .map(|c| c.user.clone())
        .collect();
    let s1_auditor = of_role(Role::InternalAuditor)
        .into_iter()
        .find(|c| c.relation == super::Relation::Same)
        .unwrap()
        .token
        .clone();
    let mut quality = server.quality(setup);

    let inspections = quality
        .create_inspection_programme(CreateInspectionProgrammeRequest {
            programme: Some(InspectionProgramme {
                unit: units.s1.clone(),
                year: 2024,
                title: "Kế hoạch kiểm tra năm 2024".into(),
                population: vec![units.s1a.clone()],
                ..Default::default()
            }),
            request_id: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    let mut planned = Vec::new();
    for day in [10, 11] {
        planned.push(
            quality
                .create_inspection(CreateInspectionRequest {
                    inspection: Some(inspection(&inspections.name, &units.s1a, day, &auditors)),
                    request_id: String::new(),
                })
                .await
                .unwrap()
                .into_inner()
                .name,
        );
    }

    let audits = quality
        .create_audit_programme(eiso_tests::quality::audit_programme_2024(&units.s1))
        .await
        .unwrap()
        .into_inner();
    let mut created = Vec::new();
    for _ in 0..2 {
        created.push(
            quality
                .create_audit(CreateAuditRequest {
                    audit: Some(audit(&audits.name, &units.s1a, &auditors)),
                    request_id: String::new(),
                })
                .await
                .unwrap()
                .into_inner()
                .name,
        );
    }
    let mut auditing = server.quality(&s1_auditor);
    auditing
        .start_audit(StartAuditRequest {
            name: created[1].clone(),
            etag: String::new(),
            ..Default::default()
        })
        .await
        .unwrap();
    let the_finding = auditing
        .create_finding(CreateFindingRequest {
            parent: created[1].clone(),
            finding: Some(finding(&units.s1a)),
            request_id: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    let the_action = quality
        .create_corrective_action(eiso_tests::quality::corrective_action_of(&the_finding.name))
        .await
        .unwrap()
        .into_inner();
    let review = quality
        .generate_management_review_pack(GenerateManagementReviewPackRequest {
            unit: units.s1.clone(),
            start_date: date(2024, 1, 1),
            end_date: date(2024, 12, 31),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let mut diagnostics = Vec::new();
    for period in ["2024", "2023"] {
        diagnostics.push(
            quality
                .create_diagnostic(CreateDiagnosticRequest {
                    diagnostic: Some(Diagnostic {
                        unit: units.s1.clone(),
                        period: period.into(),
                        ..Default::default()
                    }),
                    request_id: String::new(),
                })
                .await
                .unwrap()
                .into_inner()
                .name,
        );
    }
    let indicator = quality
        .list_indicators(ListIndicatorsRequest {
            page_size: 1,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .indicators
        .remove(0);

    Fixture {
        inspection_programme: inspections.name,
        inspection: planned[0].clone(),
        cancelled: planned[1].clone(),
        audit_programme: audits.name,
        audit: created[0].clone(),
        started: created[1].clone(),
        finding: the_finding.name,
        action: the_action.name,
        owners,
        auditors,
        review: review.name,
        diagnostic: diagnostics[0].clone(),
        earlier_diagnostic: diagnostics[1].clone(),
        indicator,
    }
}

pub fn cases() -> Vec<Case> {
    vec![
        Case {
            method: "/eiso.quality.v1.QualityService/CreateInspectionProgramme",
            run: unary!(quality, create_inspection_programme, |c| {
                CreateInspectionProgrammeRequest {
                    programme: Some(InspectionProgramme {
                        unit: c.units.s1.clone(),
                        year: 2025,
                        title: format!("Kế hoạch kiểm tra bổ sung {}", fresh()),
                        population: vec![c.units.s1a.clone()],
                        ..Default::default()
                    }),
                    request_id: String::new(),
                }
            }),
        },
        Case {
            method: "/eiso.quality.v1.QualityService/GetInspectionProgramme",
            run: unary!(quality, get_inspection_programme, |c| GetInspectionProgrammeRequest {
                name: c.fixture.quality.inspection_programme.clone()
            }),
        },
        Case {
            method: "/eiso.quality.v1.QualityService/ListInspectionProgrammes",
            run: listed!(
                quality,
                list_inspection_programmes,
                |c| ListInspectionProgrammesRequest {
                    page_size: 1000,
                    ..Default::default()
                },
                c.fixture.quality.inspection_programme.clone()
            ),
        },
        Case {
            method: "/eiso.quality.v1.QualityService/UpdateInspectionProgramme",
            run: unary!(quality, update_inspection_programme, |c| {
                UpdateInspectionProgrammeRequest {
                    programme: Some(InspectionProgramme {
                        name: c.fixture.quality.inspection_programme.clone(),
                        title: format!("Kế hoạch kiểm tra năm 2024 ({})", fresh()),
                        ..Default::default()
                    }),
                    update_mask: mask(&["title"]),
                    etag: String::new(),
                }
            }),
        },
        Case {
            method: "/eiso.quality.v1.QualityService/CreateInspection",
            run: Box::new(|c: Call| {
                Box::pin(async move {
                    let request = CreateInspectionRequest {
                        inspection: Some(inspection(
                            &c.fixture.quality.inspection_programme,
                            &c.units.s1a,
                            20,
                            &c.fixture.quality.auditors,
                        )),
                        request_id: String::new(),
                    };
                    reference_refused(
                        c.server
                            .quality(c.token())
                            .create_inspection(request)
                            .await
                            .map(|_| Seen::Done),
                    )
                })
            }),
        },
        Case {
            method: "/eiso.quality.v1.QualityService/GetInspection",
            run: unary!(quality, get_inspection, |c| GetInspectionRequest {
                name: c.fixture.quality.inspection.clone()
            }),
        },
        Case {
            method: "/eiso.quality.v1.QualityService/ListInspections",
            run: listed!(
                quality,
                list_inspections,
                |c| ListInspectionsRequest {
                    page_size: 1000,
                    ..Default::default()
                },
                c.fixture.quality.inspection.clone()
            ),
        },
        Case {
            method: "/eiso.quality.v1.QualityService/GetInspectionCoverage",
            run: unary!(quality, get_inspection_coverage, |c| GetInspectionCoverageRequest {
                unit: c.units.s1.clone(),
                start_date: date(2024, 1, 1),
                end_date: date(2024, 12, 31),
            }),
        },
        Case {
            method: "/eiso.quality.v1.QualityService/CompleteInspection",
            run: unary!(quality, complete_inspection, |c| CompleteInspectionRequest {
                name: c.fixture.quality.inspection.clone(),
                done_date: date(2024, 5, 10),
                findings: "Hồ sơ tuyển sinh đầy đủ".into(),
                evidence: Vec::new(),
                etag: String::new(),
                // Done in 2024, entered now.
                reason: "Nhập từ biên bản kiểm tra".into(),
            }),
        },
        Case {
            method: "/eiso.quality.v1.QualityService/CancelInspection",
            run: unary!(quality, cancel_inspection, |c| CancelInspectionRequest {
                name: c.fixture.quality.cancelled.clone(),
                reason: "Trùng lịch".into(),
                etag: String::new(),
            }),
        },
        Case {
            method: "/eiso.quality.v1.QualityService/CreateAuditProgramme",
            run: unary!(quality, create_audit_programme, |c| CreateAuditProgrammeRequest {
                programme: Some(AuditProgramme {
                    unit: c.units.s1.clone(),
                    year: 2025,
                    title: format!("Chương trình đánh giá {}", fresh()),
                    ..Default::default()
                }),
                request_id: String::new(),
            }),
        },
        Case {
            method: "/eiso.quality.v1.QualityService/GetAuditProgramme",
            run: unary!(quality, get_audit_programme, |c| GetAuditProgrammeRequest {
                name: c.fixture.quality.audit_programme.clone()
            }),
        },
        Case {
            method: "/eiso.quality.v1.QualityService/ListAuditProgrammes",
            run: listed!(
                quality,
                list_audit_programmes,
                |c| ListAuditProgrammesRequest {
                    page_size: 1000,
                    ..Default::default()
                },
                c.fixture.quality.audit_programme.clone()
            ),
        },
        Case {
            method: "/eiso.quality.v1.QualityService/CreateAudit",
            run: Box::new(|c: Call| {
                Box::pin(async move {
                    let request = CreateAuditRequest {
                        audit: Some(audit(
                            &c.fixture.quality.audit_programme,
                            &c.units.s1a,
                            &c.fixture.quality.auditors,
                        )),
                        request_id: String::new(),
                    };
                    reference_refused(
                        c.server
                            .quality(c.token())
                            .create_audit(request)
                            .await
                            .map(|_| Seen::Done),
                    )
                })
            }),
        },
        Case {
            method: "/eiso.quality.v1.QualityService/GetAudit",
            run: unary!(quality, get_audit, |c| GetAuditRequest {
                name: c.fixture.quality.audit.clone()
            }),
        },
        Case {
            method: "/eiso.quality.v1.QualityService/ListAudits",
            run: listed!(
                quality,
                list_audits,
                |c| ListAuditsRequest {
                    page_size: 1000,
                    ..Default::default()
                },
                c.fixture.quality.audit.clone()
            ),
        },
        Case {
            method: "/eiso.quality.v1.QualityService/UpdateAudit",
            run: unary!(quality, update_audit, |c| UpdateAuditRequest {
                audit: Some(Audit {
                    name: c.fixture.quality.audit.clone(),
                    title: format!("Đánh giá nội bộ ({})", fresh()),
                    ..Default::default()
                }),
                update_mask: mask(&["title"]),
                etag: String::new(),
            }),
        },
        Case {
            method: "/eiso.quality.v1.QualityService/StartAudit",
            run: unary!(quality, start_audit, |c| StartAuditRequest {
                name: c.fixture.quality.audit.clone(),
                etag: String::new(),
                ..Default::default()
            }),
        },
        Case {
            method: "/eiso.quality.v1.QualityService/CreateFinding",
            run: unary!(quality, create_finding, |c| CreateFindingRequest {
                parent: c.fixture.quality.started.clone(),
                finding: Some(finding(&c.units.s1a)),
                request_id: String::new(),
            }),
        },
        Case {
            method: "/eiso.quality.v1.QualityService/GetFinding",
            run: unary!(quality, get_finding, |c| GetFindingRequest {
                name: c.fixture.quality.finding.clone()
            }),
        },
        Case {
            method: "/eiso.quality.v1.QualityService/ListFindings",
            run: listed!(
                quality,
                list_findings,
                |c| ListFindingsRequest {
                    parent: c.fixture.quality.started.clone(),
                    page_size: 1000,
                    ..Default::default()
                },
                c.fixture.quality.finding.clone()
            ),
        },
        Case {
            method: "/eiso.quality.v1.QualityService/UpdateFinding",
            run: unary!(quality, update_finding, |c| UpdateFindingRequest {
                finding: Some(Finding {
                    name: c.fixture.quality.finding.clone(),
                    statement: format!("Sổ tuyển sinh thiếu chữ ký ({})", fresh()),
                    ..Default::default()
                }),
                update_mask: mask(&["statement"]),
                etag: String::new(),
            }),
        },
        Case {
            method: "/eiso.quality.v1.QualityService/CompleteAudit",
            run: unary!(quality, complete_audit, |c| CompleteAuditRequest {
                name: c.fixture.quality.started.clone(),
                conclusion: "Hệ thống vận hành phù hợp".into(),
                etag: String::new(),
                ..Default::default()
            }),
        },
        Case {
            method: "/eiso.quality.v1.QualityService/CreateCorrectiveAction",
            run: Box::new(|c: Call| {
                Box::pin(async move {
                    let request = CreateCorrectiveActionRequest {
                        corrective_action: Some(CorrectiveAction {
                            finding: c.fixture.quality.finding.clone(),
                            ..Default::default()
                        }),
                        request_id: String::new(),
                        reason: String::new(),
                    };
                    reference_refused(
                        c.server
                            .quality(c.token())
                            .create_corrective_action(request)
                            .await
                            .map(|_| Seen::Done),
                    )
                })
            }),
        },
        Case {
            method: "/eiso.quality.v1.QualityService/GetCorrectiveAction",
            run: unary!(quality, get_corrective_action, |c| GetCorrectiveActionRequest {
                name: c.fixture.quality.action.clone()
            }),
        },
        Case {
            method: "/eiso.quality.v1.QualityService/ListCorrectiveActions",
            run: listed!(
                quality,
                list_corrective_actions,
                |c| ListCorrectiveActionsRequest {
                    page_size: 1000,
                    ..Default::default()
                },
                c.fixture.quality.action.clone()
            ),
        },
        Case {
            method: "/eiso.quality.v1.QualityService/ListOverdueCorrectiveActions",
            run: unary!(quality, list_overdue_corrective_actions, |c| {
                ListOverdueCorrectiveActionsRequest {
                    unit: c.units.s1.clone(),
                    ..Default::default()
                }
            }),
        },
        Case {
            method: "/eiso.quality.v1.QualityService/PlanCorrectiveAction",
            run: unary!(quality, plan_corrective_action, |c| PlanCorrectiveActionRequest {
                name: c.fixture.quality.action.clone(),
                root_cause: "Chưa phân công người ký".into(),
                actions: c
                    .fixture
                    .quality
                    .owners
                    .iter()
                    .map(|owner| PlannedAction {
                        description: "Phân công người ký sổ".into(),
                        owner: owner.clone(),
                        due_date: date(2099, 12, 31),
                    })
                    .collect(),
                etag: String::new(),
                ..Default::default()
            }),
        },
        Case {
            method: "/eiso.quality.v1.QualityService/ImplementCorrectiveAction",
            run: unary!(quality, implement_corrective_action, |c| {
                ImplementCorrectiveActionRequest {
                    name: c.fixture.quality.action.clone(),
                    note: "Đã phân công".into(),
                    etag: String::new(),
                    ..Default::default()
                }
            }),
        },
        Case {
            method: "/eiso.quality.v1.QualityService/VerifyCorrectiveAction",
            run: unary!(quality, verify_corrective_action, |c| VerifyCorrectiveActionRequest {
                name: c.fixture.quality.action.clone(),
                effective: true,
                note: "Sổ đã đủ chữ ký".into(),
                etag: String::new(),
                ..Default::default()
            }),
        },
        Case {
            method: "/eiso.quality.v1.QualityService/CloseCorrectiveAction",
            run: unary!(quality, close_corrective_action, |c| CloseCorrectiveActionRequest {
                name: c.fixture.quality.action.clone(),
                etag: String::new(),
                ..Default::default()
            }),
        },
        Case {
            method: "/eiso.quality.v1.QualityService/GenerateManagementReviewPack",
            run: unary!(quality, generate_management_review_pack, |c| {
                GenerateManagementReviewPackRequest {
                    unit: c.units.s1.clone(),
                    start_date: date(2024, 1, 1),
                    end_date: date(2024, 6, 30),
                    ..Default::default()
                }
            }),
        },
        Case {
            method: "/eiso.quality.v1.QualityService/GetManagementReview",
            run: unary!(quality, get_management_review, |c| GetManagementReviewRequest {
                name: c.fixture.quality.review.clone()
            }),
        },
        Case {
            method: "/eiso.quality.v1.QualityService/ListManagementReviews",
            run: listed!(
                quality,
                list_management_reviews,
                |c| ListManagementReviewsRequest {
                    page_size: 1000,
                    ..Default::default()
                },
                c.fixture.quality.review.clone()
            ),
        },
        Case {
            method: "/eiso.quality.v1.QualityService/CreateDiagnostic",
            run: unary!(quality, create_diagnostic, |c| CreateDiagnosticRequest {
                diagnostic: Some(Diagnostic {
                    unit: c.units.s1.clone(),
                    period: format!("{}", 1950 + fresh()),
                    ..Default::default()
                }),
                request_id: String::new(),
            }),
        },
        Case {
            method: "/eiso.quality.v1.QualityService/GetDiagnostic",
            run: unary!(quality, get_diagnostic, |c| GetDiagnosticRequest {
                name: c.fixture.quality.diagnostic.clone()
            }),
        },
        Case {
            method: "/eiso.quality.v1.QualityService/ListDiagnostics",
            run: listed!(
                quality,
                list_diagnostics,
                |c| ListDiagnosticsRequest {
                    page_size: 1000,
                    ..Default::default()
                },
                c.fixture.quality.diagnostic.clone()
            ),
        },
        Case {
            method: "/eiso.quality.v1.QualityService/AssessIndicator",
            run: unary!(quality, assess_indicator, |c| AssessIndicatorRequest {
                diagnostic: c.fixture.quality.diagnostic.clone(),
                assessment: Some(Assessment {
                    indicator: c.fixture.quality.indicator.name.clone(),
                    colour: Colour::Yellow as i32,
                    ..Default::default()
                }),
            }),
        },
        Case {
            method: "/eiso.quality.v1.QualityService/ComparePeriods",
            run: unary!(quality, compare_periods, |c| ComparePeriodsRequest {
                base: c.fixture.quality.earlier_diagnostic.clone(),
                current: c.fixture.quality.diagnostic.clone(),
            }),
        },
        Case {
            method: "/eiso.quality.v1.QualityService/ListIndicators",
            run: unary!(quality, list_indicators, |c| ListIndicatorsRequest::default()),
        },
        Case {
            method: "/eiso.quality.v1.QualityService/CreateIndicator",
            run: unary!(quality, create_indicator, |c| CreateIndicatorRequest {
                indicator: Some(Indicator {
                    name: String::new(),
                    number: format!(
                        "{}.9{}",
                        c.fixture.quality.indicator.number.split('.').next().unwrap_or("1"),
                        fresh()
                    ),
                    etag: String::new(),
                    ..c.fixture.quality.indicator.clone()
                }),
                indicator_id: format!("9-{}", fresh()),
            }),
        },
        Case {
            method: "/eiso.quality.v1.QualityService/UpdateIndicator",
            run: unary!(quality, update_indicator, |c| UpdateIndicatorRequest {
                indicator: Some(Indicator {
                    name: c.fixture.quality.indicator.name.clone(),
                    title: format!("Chỉ số ({})", fresh()),
                    ..Default::default()
                }),
                update_mask: mask(&["title"]),
                etag: String::new(),
            }),
        },
        Case {
            method: "/eiso.quality.v1.QualityService/WatchEvents",
            run: Box::new(|c: Call| {
                Box::pin(async move {
                    c.server
                        .quality(c.token())
                        .watch_events(WatchEventsRequest { after_sequence: 0 })
                        .await
                        .map(|_| Seen::Done)
                })
            }),
        },
    ]
}
