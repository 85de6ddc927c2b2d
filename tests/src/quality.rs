//! Fixtures of the quality system: a unit's internal-audit programme, the
//! audit of its one-stop counter and what it finds there.

use eiso_proto::eiso::procedures::v1::LocalDate;
use eiso_proto::eiso::quality::v1::{
    Audit, AuditProgramme, CreateAuditProgrammeRequest, CreateAuditRequest, CreateFindingRequest, Finding, FindingType,
    StartAuditRequest,
};

use crate::Quality;

/// The request that creates `unit`'s internal-audit programme of 2024,
/// without a request id.
pub fn audit_programme_2024(unit: &str) -> CreateAuditProgrammeRequest {
    CreateAuditProgrammeRequest {
        programme: Some(AuditProgramme {
            unit: unit.into(),
            year: 2024,
            title: "Chương trình đánh giá nội bộ năm 2024".into(),
            ..Default::default()
        }),
        request_id: String::new(),
    }
}

/// The internal audit of the one-stop counter `auditee` under `programme`,
/// by `auditor` (`users/{id}`), planned from `start` to `end`; without a
/// request id.
pub fn counter_audit(
    programme: &str,
    auditee: &str,
    auditor: &str,
    start: Option<LocalDate>,
    end: Option<LocalDate>,
) -> CreateAuditRequest {
    CreateAuditRequest {
        audit: Some(Audit {
            programme: programme.into(),
            title: "Đánh giá nội bộ Bộ phận Một cửa".into(),
            scope: "Quy trình tiếp nhận và trả kết quả hồ sơ".into(),
            criteria: vec!["7.5".into()],
            auditees: vec![auditee.into()],
            auditors: vec![auditor.into()],
            start_date: start,
            end_date: end,
            ..Default::default()
        }),
        request_id: String::new(),
    }
}

/// The counter's register found wanting at `auditee`: a minor
/// nonconformity of `audit`; without a request id.
pub fn register_finding(audit: &str, auditee: &str) -> CreateFindingRequest {
    CreateFindingRequest {
        parent: audit.into(),
        finding: Some(Finding {
            r#type: FindingType::MinorNonconformity as i32,
            clause: "7.5.3".into(),
            statement: "Sổ theo dõi không ghi ngày trả kết quả".into(),
            auditee: auditee.into(),
            ..Default::default()
        }),
        request_id: String::new(),
    }
}

/// `unit`'s 2024 programme (made by `leader`), the audit of its counter
/// `auditee` by `auditor` on `day`, started today by `auditing` (the
/// auditor's client), and its [`register_finding`]: the audit and the finding.
pub async fn audited_counter(
    leader: &mut Quality,
    auditing: &mut Quality,
    unit: &str,
    auditee: &str,
    auditor: &str,
    day: Option<LocalDate>,
) -> (Audit, Finding) {
    let programme = leader
        .create_audit_programme(audit_programme_2024(unit))
        .await
        .unwrap()
        .into_inner();
    let audit = auditing
        .create_audit(counter_audit(&programme.name, auditee, auditor, day, day))
        .await
        .unwrap()
        .into_inner();
    auditing
        .start_audit(StartAuditRequest {
            name: audit.name.clone(),
            ..Default::default()
        })
        .await
        .unwrap();
    let finding = auditing
        .create_finding(register_finding(&audit.name, auditee))
        .await
        .unwrap()
        .into_inner();
    (audit, finding)
}
