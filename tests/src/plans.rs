//! Fixtures of the action plans: the sample plan of 2024, its import and
//! its quarterly report.

use eiso_proto::eiso::plans::v1::{GenerateReportRequest, ImportPlanRequest, Plan, ReportKind, TableFormat};

/// The sample table of the administrative reform plan of 2024 (CSV).
pub const SAMPLE_PLAN: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../services/plans/samples/ke-hoach-cchc-2024.csv"
);

/// The request that imports [`SAMPLE_PLAN`] as `issuing_unit`'s plan
/// "cchc-2024" ("Kế hoạch cải cách hành chính năm 2024"), without its
/// targets or a request id.
pub fn import_sample_plan(issuing_unit: &str) -> ImportPlanRequest {
    ImportPlanRequest {
        plan: Some(Plan {
            year: 2024,
            issuing_unit: issuing_unit.into(),
            title: "Kế hoạch cải cách hành chính năm 2024".into(),
            ..Default::default()
        }),
        plan_id: "cchc-2024".into(),
        format: TableFormat::Csv as i32,
        content: std::fs::read(SAMPLE_PLAN).unwrap(),
        ..Default::default()
    }
}

/// The request that generates `plan`'s report of `quarter` (1 to 4).
pub fn quarterly_report(plan: &str, quarter: i32) -> GenerateReportRequest {
    GenerateReportRequest {
        parent: plan.into(),
        kind: ReportKind::Quarterly as i32,
        quarter,
        ..Default::default()
    }
}
