//! A reform plan of S1, with a task, a target and a report.

use eiso_proto::eiso::plans::v1::*;
use eiso_tests::TestServer;
use eiso_tests::plans::{create_plan, create_task, reform_plan};
use eiso_tests::values::mask;

use super::identity::fresh;
use super::{Call, Case, Seen, Units};
use crate::{listed, unary};

#[derive(Debug, Clone, Default)]
pub struct Fixture {
    pub plan: String,
    pub task: String,
    pub target: String,
    pub report: String,
    /// Evidence linked to the task: the restricted effective document of S1.
    pub evidence: String,
}

/// A plan of `unit` for 2024 called `title`.
fn plan(unit: &str, title: &str) -> Plan {
    Plan {
        title: title.into(),
        ..reform_plan(unit, 2024)
    }
}

fn task(number: String) -> Task {
    Task {
        number,
        content: "Rà soát quy trình tiếp nhận hồ sơ".into(),
        responsible_units_text: "Trường Tiểu học số 1".into(),
        product: "Báo cáo rà soát".into(),
        time_frame: "Quý II năm 2024".into(),
        ..Default::default()
    }
}

fn target(number: String) -> Target {
    Target {
        number,
        text: "100% giáo viên được tập huấn".into(),
        measure: Measure::Manual as i32,
        threshold_percent: 100.0,
        ..Default::default()
    }
}

const TABLE: &str = "STT,Nội dung công việc,Đơn vị thực hiện,Sản phẩm,Thời gian hoàn thành,Ghi chú\n\
                     1,Tập huấn,Trường Tiểu học số 1,Báo cáo,Quý I năm 2024,\n";

pub async fn fixture(server: &TestServer, units: &Units, setup: &str, evidence: &str) -> Fixture {
    let mut plans = server.plans(setup);
    let the_plan = create_plan(&mut plans, reform_plan(&units.s1, 2024)).await;
    let the_task = create_task(&mut plans, &the_plan.name, task("1".into())).await;
    plans
        .add_task_evidence(AddTaskEvidenceRequest {
            name: the_task.name.clone(),
            resource: evidence.into(),
        })
        .await
        .unwrap();
    let the_target = plans
        .create_target(CreateTargetRequest {
            parent: the_plan.name.clone(),
            target: Some(target("1".into())),
            request_id: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    let the_report = plans
        .generate_report(GenerateReportRequest {
            parent: the_plan.name.clone(),
            kind: ReportKind::Annual as i32,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    Fixture {
        plan: the_plan.name,
        task: the_task.name,
        target: the_target.name,
        report: the_report.name,
        evidence: evidence.into(),
    }
}

pub fn cases() -> Vec<Case> {
    vec![
        Case {
            method: "/eiso.plans.v1.PlanService/CreatePlan",
            run: unary!(plans, create_plan, |c| CreatePlanRequest {
                plan: Some(plan(&c.units.s1, &format!("Kế hoạch bổ sung {}", fresh()))),
                ..Default::default()
            }),
        },
        Case {
            method: "/eiso.plans.v1.PlanService/ImportPlan",
            run: unary!(plans, import_plan, |c| ImportPlanRequest {
                plan: Some(plan(&c.units.s1, "Kế hoạch nhập từ bảng")),
                format: TableFormat::Csv as i32,
                content: TABLE.as_bytes().to_vec(),
                validate_only: true,
                ..Default::default()
            }),
        },
        Case {
            method: "/eiso.plans.v1.PlanService/GetPlan",
            run: unary!(plans, get_plan, |c| GetPlanRequest {
                name: c.fixture.plans.plan.clone()
            }),
        },
        Case {
            method: "/eiso.plans.v1.PlanService/ListPlans",
            run: listed!(
                plans,
                list_plans,
                |c| ListPlansRequest {
                    page_size: 1000,
                    ..Default::default()
                },
                c.fixture.plans.plan.clone()
            ),
        },
        Case {
            method: "/eiso.plans.v1.PlanService/ExportPlan",
            run: unary!(plans, export_plan, |c| ExportPlanRequest {
                name: c.fixture.plans.plan.clone(),
                format: TableFormat::Csv as i32,
                targets: false,
            }),
        },
        Case {
            method: "/eiso.plans.v1.PlanService/UpdatePlan",
            run: unary!(plans, update_plan, |c| UpdatePlanRequest {
                plan: Some(Plan {
                    name: c.fixture.plans.plan.clone(),
                    title: format!("Kế hoạch cải cách hành chính năm 2024 ({})", fresh()),
                    ..Default::default()
                }),
                update_mask: mask(&["title"]),
                etag: String::new(),
            }),
        },
        Case {
            method: "/eiso.plans.v1.PlanService/CreateTask",
            run: unary!(plans, create_task, |c| CreateTaskRequest {
                parent: c.fixture.plans.plan.clone(),
                task: Some(task(format!("{}", 100 + fresh()))),
                request_id: String::new(),
            }),
        },
        Case {
            method: "/eiso.plans.v1.PlanService/GetTask",
            run: unary!(plans, get_task, |c| GetTaskRequest {
                name: c.fixture.plans.task.clone()
            }),
        },
        Case {
            method: "/eiso.plans.v1.PlanService/ListTasks",
            run: listed!(
                plans,
                list_tasks,
                |c| ListTasksRequest {
                    parent: c.fixture.plans.plan.clone(),
                    page_size: 1000,
                    ..Default::default()
                },
                c.fixture.plans.task.clone()
            ),
        },
        Case {
            method: "/eiso.plans.v1.PlanService/UpdateTask",
            run: unary!(plans, update_task, |c| UpdateTaskRequest {
                task: Some(Task {
                    name: c.fixture.plans.task.clone(),
                    notes: format!("Ghi chú {}", fresh()),
                    ..Default::default()
                }),
                update_mask: mask(&["notes"]),
                etag: String::new(),
            }),
        },
        Case {
            method: "/eiso.plans.v1.PlanService/RecordTaskProgress",
            run: unary!(plans, record_task_progress, |c| RecordTaskProgressRequest {
                name: c.fixture.plans.task.clone(),
                percent: 50,
                note: "Đang thực hiện".into(),
                ..Default::default()
            }),
        },
        Case {
            method: "/eiso.plans.v1.PlanService/AddTaskEvidence",
            run: unary!(plans, add_task_evidence, |c| AddTaskEvidenceRequest {
                name: c.fixture.plans.task.clone(),
                resource: c.fixture.plans.evidence.clone(),
            }),
        },
        Case {
            // Tasks linking a restricted document of S1: whoever may not see
            // it learns nothing, not even that it exists.
            method: "/eiso.plans.v1.PlanService/ListTasksByEvidence",
            run: listed!(
                plans,
                list_tasks_by_evidence,
                |c| ListTasksByEvidenceRequest {
                    resource: c.fixture.plans.evidence.clone(),
                    ..Default::default()
                },
                c.fixture.plans.task.clone()
            ),
        },
        Case {
            method: "/eiso.plans.v1.PlanService/RemoveTaskEvidence",
            run: unary!(plans, remove_task_evidence, |c| RemoveTaskEvidenceRequest {
                name: c.fixture.plans.task.clone(),
                resource: c.fixture.plans.evidence.clone(),
            }),
        },
        Case {
            method: "/eiso.plans.v1.PlanService/CreateTarget",
            run: unary!(plans, create_target, |c| CreateTargetRequest {
                parent: c.fixture.plans.plan.clone(),
                target: Some(target(format!("{}", 100 + fresh()))),
                request_id: String::new(),
            }),
        },
        Case {
            method: "/eiso.plans.v1.PlanService/GetTarget",
            run: unary!(plans, get_target, |c| GetTargetRequest {
                name: c.fixture.plans.target.clone()
            }),
        },
        Case {
            method: "/eiso.plans.v1.PlanService/ListTargets",
            run: listed!(
                plans,
                list_targets,
                |c| ListTargetsRequest {
                    parent: c.fixture.plans.plan.clone(),
                    page_size: 1000,
                    page_token: String::new(),
                },
                c.fixture.plans.target.clone()
            ),
        },
        Case {
            method: "/eiso.plans.v1.PlanService/UpdateTarget",
            run: unary!(plans, update_target, |c| UpdateTargetRequest {
                target: Some(Target {
                    name: c.fixture.plans.target.clone(),
                    manual_numerator: 5,
                    manual_denominator: 10,
                    ..Default::default()
                }),
                update_mask: mask(&["manual_numerator", "manual_denominator"]),
                etag: String::new(),
            }),
        },
        Case {
            method: "/eiso.plans.v1.PlanService/EvaluateTargets",
            run: unary!(plans, evaluate_targets, |c| EvaluateTargetsRequest {
                name: c.fixture.plans.plan.clone(),
                as_of_date: None,
            }),
        },
        Case {
            method: "/eiso.plans.v1.PlanService/GenerateReport",
            run: unary!(plans, generate_report, |c| GenerateReportRequest {
                parent: c.fixture.plans.plan.clone(),
                kind: ReportKind::Quarterly as i32,
                quarter: 1,
                ..Default::default()
            }),
        },
        Case {
            method: "/eiso.plans.v1.PlanService/ReissueReport",
            run: unary!(plans, reissue_report, |c| ReissueReportRequest {
                name: c.fixture.plans.report.clone(),
                reason: "Số liệu nhập muộn".into(),
            }),
        },
        Case {
            method: "/eiso.plans.v1.PlanService/GetReport",
            run: unary!(plans, get_report, |c| GetReportRequest {
                name: c.fixture.plans.report.clone()
            }),
        },
        Case {
            method: "/eiso.plans.v1.PlanService/ListReports",
            run: listed!(
                plans,
                list_reports,
                |c| ListReportsRequest {
                    parent: c.fixture.plans.plan.clone(),
                    page_size: 1000,
                    ..Default::default()
                },
                c.fixture.plans.report.clone()
            ),
        },
        Case {
            method: "/eiso.plans.v1.PlanService/ExportReport",
            run: unary!(plans, export_report, |c| ExportReportRequest {
                name: c.fixture.plans.report.clone(),
                format: ReportFormat::Html as i32,
            }),
        },
        Case {
            method: "/eiso.plans.v1.PlanService/WatchEvents",
            run: Box::new(|c: Call| {
                Box::pin(async move {
                    c.server
                        .plans(c.token())
                        .watch_events(WatchEventsRequest { after_sequence: 0 })
                        .await
                        .map(|_| Seen::Done)
                })
            }),
        },
    ]
}
