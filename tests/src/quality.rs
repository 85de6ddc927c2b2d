//! Fixtures of the quality system: a unit's internal-audit programme.

use eiso_proto::eiso::quality::v1::{AuditProgramme, CreateAuditProgrammeRequest};

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
