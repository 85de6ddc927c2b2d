//! Fixtures of the quality system: a unit's internal-audit programme, the
//! audit of its one-stop counter and what it finds there.

use eiso_proto::eiso::identity::v1::{Role, Unit, User};
use eiso_proto::eiso::procedures::v1::LocalDate;
use eiso_proto::eiso::quality::v1::{
    Audit, AuditProgramme, CorrectiveAction, CreateAuditProgrammeRequest, CreateAuditRequest,
    CreateCorrectiveActionRequest, CreateFindingRequest, Finding, FindingType, StartAuditRequest,
};

use crate::{Quality, TestServer};

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

/// An office keeping a quality system: "Phòng Giáo dục và Đào tạo" under
/// the root with its one-stop counter "Bộ phận Một cửa" below it, its
/// leader `lanh.dao` and its internal auditor `danh.gia` (both bound at the
/// office), each with a token and a client.
pub struct QualityOffice {
    pub root: Unit,
    pub office: Unit,
    pub counter_unit: Unit,
    pub leader_user: User,
    pub leader_token: String,
    pub leader: Quality,
    pub auditor: User,
    pub auditor_token: String,
    pub auditing: Quality,
}

impl TestServer {
    /// A [`QualityOffice`].
    pub async fn quality_office(&self) -> QualityOffice {
        let root = self.root_unit().await;
        let office = self.create_unit("PGD", "Phòng Giáo dục và Đào tạo", &root.name).await;
        let counter_unit = self.create_unit("BPMC", "Bộ phận Một cửa", &office.name).await;
        let (leader_user, leader_token) = self.user_with_role("lanh.dao", Role::Leader, &office.name).await;
        let (auditor, auditor_token) = self
            .user_with_role("danh.gia", Role::InternalAuditor, &office.name)
            .await;
        QualityOffice {
            leader: self.quality(&leader_token),
            auditing: self.quality(&auditor_token),
            root,
            office,
            counter_unit,
            leader_user,
            leader_token,
            auditor,
            auditor_token,
        }
    }
}

impl TestServer {
    /// The units a scoping test of `quality`'s counter asks from, besides
    /// the office above it: "Tổ tiếp nhận" below the counter and "Tổ Tài
    /// chính – Kế toán" beside it, under the office.
    pub async fn counter_neighbours(&self, quality: &QualityOffice) -> (Unit, Unit) {
        let below = self
            .create_unit("BPMC-TO", "Tổ tiếp nhận", &quality.counter_unit.name)
            .await;
        let sibling = self
            .create_unit("TCKT", "Tổ Tài chính – Kế toán", &quality.office.name)
            .await;
        (below, sibling)
    }
}

impl QualityOffice {
    /// The [`audited_counter`] of this office's counter, by its auditor, on
    /// `day`: the audit and the finding.
    pub async fn audit_counter(&mut self, day: Option<LocalDate>) -> (Audit, Finding) {
        audited_counter(
            &mut self.leader,
            &mut self.auditing,
            &self.office.name,
            &self.counter_unit.name,
            &self.auditor.name,
            day,
        )
        .await
    }
}

/// The request that opens a corrective action of `finding` (`…/findings/…`)
/// with nothing else given, without a request id or a reason.
pub fn corrective_action_of(finding: &str) -> CreateCorrectiveActionRequest {
    CreateCorrectiveActionRequest {
        corrective_action: Some(CorrectiveAction {
            finding: finding.into(),
            ..Default::default()
        }),
        request_id: String::new(),
        reason: String::new(),
    }
}
