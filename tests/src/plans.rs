//! Fixtures of the action plans: a year's reform plan and its tasks
//! created, the sample plan of 2024 and its import, a quarterly report and
//! its printed page.

use eiso_proto::eiso::plans::v1::{
    CreatePlanRequest, CreateTaskRequest, ExportReportRequest, GenerateReportRequest, ImportPlanRequest, Plan,
    ReportFormat, ReportKind, TableFormat, Task,
};

use crate::Plans;

/// The sample table of the administrative reform plan of 2024 (CSV).
pub const SAMPLE_PLAN: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../services/plans/samples/ke-hoach-cchc-2024.csv"
);

/// `issuing_unit`'s administrative reform plan of `year`, "Kế hoạch cải
/// cách hành chính năm {year}"; nothing else set.
pub fn reform_plan(issuing_unit: &str, year: i32) -> Plan {
    Plan {
        year,
        issuing_unit: issuing_unit.into(),
        title: format!("Kế hoạch cải cách hành chính năm {year}"),
        ..Default::default()
    }
}

/// Creates `plan` through `plans` (its id chosen by the server): the plan as
/// created.
pub async fn create_plan(plans: &mut Plans, plan: Plan) -> Plan {
    plans
        .create_plan(CreatePlanRequest {
            plan: Some(plan),
            ..Default::default()
        })
        .await
        .expect("the plan is created")
        .into_inner()
}

/// Creates `task` in the plan `parent` through `plans`: the task as created.
pub async fn create_task(plans: &mut Plans, parent: &str, task: Task) -> Task {
    plans
        .create_task(CreateTaskRequest {
            parent: parent.into(),
            task: Some(task),
            request_id: String::new(),
        })
        .await
        .expect("the task is created")
        .into_inner()
}

/// The request that imports [`SAMPLE_PLAN`] as `issuing_unit`'s plan
/// "cchc-2024" ("Kế hoạch cải cách hành chính năm 2024"), without its
/// targets or a request id.
pub fn import_sample_plan(issuing_unit: &str) -> ImportPlanRequest {
    ImportPlanRequest {
        plan: Some(reform_plan(issuing_unit, 2024)),
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

/// The report `name` as `plans` exports it for printing: its HTML page.
pub async fn report_html(plans: &mut Plans, name: &str) -> String {
    let page = plans
        .export_report(ExportReportRequest {
            name: name.into(),
            format: ReportFormat::Html as i32,
        })
        .await
        .expect("the report is exported")
        .into_inner();
    String::from_utf8(page.content).expect("an HTML page")
}
