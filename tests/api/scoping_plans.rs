//! Unit scoping of plans (issue 17, §1): a binding at unit U covers U and the
//! units below it, never those above or beside it. A district D with schools
//! S1 (with a sub-unit S1a) and S2; a plan issued by S1; for a representative
//! write and read of each resource kind, a caller bound at S1, at D, at S1a
//! and at S2. Then the officers of the unit a task is assigned to, the
//! evidence placeholder and ListTasksByEvidence on a restricted document of
//! another unit, and the event stream.

use eiso_proto::eiso::documents::v1 as docs;
use eiso_proto::eiso::identity::v1::{Role, Unit};
use eiso_proto::eiso::plans::v1::*;
use eiso_proto::prost_types::FieldMask;
use eiso_tests::TestServer;
use tonic::Code;

/// Where the caller is bound, relative to the resource's unit S1.
pub const WHERE: [&str; 4] = ["S1 (same)", "D (ancestor)", "S1a (descendant)", "S2 (sibling)"];

/// The answer: `None` is OK.
pub type Expect = Option<Code>;
pub const OK: Expect = None;
pub const NOT_FOUND: Expect = Some(Code::NotFound);
pub const DENIED: Expect = Some(Code::PermissionDenied);

/// Changing or reading something of S1: only S1 and D reach it; the others do
/// not see it at all.
pub const REACHES_S1: [Expect; 4] = [OK, OK, NOT_FOUND, NOT_FOUND];
/// Creating in S1: the others may not.
pub const CREATES_IN_S1: [Expect; 4] = [OK, OK, DENIED, DENIED];

pub struct Tree {
    pub d: Unit,
    pub s1: Unit,
    pub s1a: Unit,
    pub s2: Unit,
}

impl Tree {
    pub async fn new(server: &TestServer) -> Self {
        let root = server.root_unit().await;
        let d = server
            .create_unit("PGD-HA", "Phòng Giáo dục và Đào tạo quận Hải An", &root.name)
            .await;
        let s1 = server.create_unit("TH-CL", "Trường Tiểu học Cát Linh", &d.name).await;
        let s1a = server.create_unit("TH-CL-TO1", "Tổ chuyên môn khối 1", &s1.name).await;
        let s2 = server.create_unit("TH-DL", "Trường Tiểu học Đằng Lâm", &d.name).await;
        Self { d, s1, s1a, s2 }
    }

    /// The four places, in the order of [`WHERE`].
    pub fn places(&self) -> [&str; 4] {
        [&self.s1.name, &self.d.name, &self.s1a.name, &self.s2.name]
    }

    /// A user with `role` at each of the four places: their tokens.
    pub async fn users(&self, server: &TestServer, prefix: &str, role: Role) -> Vec<String> {
        let mut tokens = Vec::new();
        for (i, unit) in self.places().iter().enumerate() {
            let (_, token) = server.user_with_role(&format!("{prefix}{i}"), role, unit).await;
            tokens.push(token);
        }
        tokens
    }
}

/// Compares every answer with the table and reports all mismatches at once.
#[derive(Default)]
pub struct Table {
    wrong: Vec<String>,
}

impl Table {
    pub fn check<T>(&mut self, what: &str, place: usize, expected: Expect, got: &Result<T, tonic::Status>) {
        let actual = got.as_ref().err().map(|status| status.code());
        if actual != expected {
            let detail = got.as_ref().err().map(|s| s.message().to_string()).unwrap_or_default();
            self.wrong.push(format!(
                "{what}, caller at {}: expected {expected:?}, got {actual:?} {detail}",
                WHERE[place]
            ));
        }
    }

    pub fn assert_all_right(self) {
        assert!(
            self.wrong.is_empty(),
            "answers that differ from the table:\n{}",
            self.wrong.join("\n")
        );
    }
}

fn plan(unit: &str, title: &str) -> Plan {
    Plan {
        year: 2024,
        issuing_unit: unit.into(),
        title: title.into(),
        ..Default::default()
    }
}

fn task(number: &str) -> Task {
    Task {
        number: number.into(),
        content: "Rà soát quy trình tiếp nhận hồ sơ".into(),
        responsible_units_text: "Trường Tiểu học Cát Linh".into(),
        product: "Báo cáo rà soát".into(),
        time_frame: "Quý II năm 2024".into(),
        ..Default::default()
    }
}

pub fn mask(paths: &[&str]) -> Option<FieldMask> {
    Some(FieldMask {
        paths: paths.iter().map(|p| p.to_string()).collect(),
    })
}

#[tokio::test]
async fn plans_tasks_targets_and_reports_are_reached_from_their_unit_and_above() {
    let server = TestServer::start().await;
    let tree = Tree::new(&server).await;
    let leaders = tree.users(&server, "lanh.dao.", Role::Leader).await;
    let officers = tree.users(&server, "chuyen.vien.", Role::ProcessingOfficer).await;
    let viewers = tree.users(&server, "xem.", Role::Viewer).await;
    let mut table = Table::default();

    // S1's plan with a task and a target, made by S1's leader.
    let mut s1_leader = server.plans(&leaders[0]);
    let the_plan = s1_leader
        .create_plan(CreatePlanRequest {
            plan: Some(plan(&tree.s1.name, "Kế hoạch cải cách hành chính năm 2024")),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let the_task = s1_leader
        .create_task(CreateTaskRequest {
            parent: the_plan.name.clone(),
            task: Some(task("1")),
            request_id: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    let the_target = s1_leader
        .create_target(CreateTargetRequest {
            parent: the_plan.name.clone(),
            target: Some(Target {
                number: "1".into(),
                text: "100% giáo viên được tập huấn".into(),
                measure: Measure::Manual as i32,
                threshold_percent: 100.0,
                ..Default::default()
            }),
            request_id: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    let the_report = s1_leader
        .generate_report(GenerateReportRequest {
            parent: the_plan.name.clone(),
            kind: ReportKind::Annual as i32,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();

    for place in 0..4 {
        let mut leader = server.plans(&leaders[place]);
        let mut officer = server.plans(&officers[place]);
        let mut viewer = server.plans(&viewers[place]);

        // Plans.
        let created = leader
            .create_plan(CreatePlanRequest {
                plan: Some(plan(&tree.s1.name, &format!("Kế hoạch bổ sung {place}"))),
                ..Default::default()
            })
            .await;
        table.check("CreatePlan in S1", place, CREATES_IN_S1[place], &created);
        let imported = leader
            .import_plan(ImportPlanRequest {
                plan: Some(plan(&tree.s1.name, &format!("Kế hoạch nhập {place}"))),
                format: TableFormat::Csv as i32,
                content: "STT,Nội dung công việc,Đơn vị thực hiện,Sản phẩm,Thời gian hoàn thành,Ghi chú\n\
                          1,Tập huấn,Trường Tiểu học Cát Linh,Báo cáo,Quý I năm 2024,\n"
                    .as_bytes()
                    .to_vec(),
                ..Default::default()
            })
            .await;
        table.check("ImportPlan into S1", place, CREATES_IN_S1[place], &imported);
        let current = s1_leader
            .get_plan(GetPlanRequest {
                name: the_plan.name.clone(),
            })
            .await
            .unwrap()
            .into_inner();
        let updated = leader
            .update_plan(UpdatePlanRequest {
                plan: Some(Plan {
                    name: the_plan.name.clone(),
                    title: format!("Kế hoạch cải cách hành chính năm 2024 ({place})"),
                    ..Default::default()
                }),
                update_mask: mask(&["title"]),
                etag: current.etag,
            })
            .await;
        table.check("UpdatePlan", place, REACHES_S1[place], &updated);
        let got = viewer
            .get_plan(GetPlanRequest {
                name: the_plan.name.clone(),
            })
            .await;
        table.check("GetPlan", place, REACHES_S1[place], &got);
        let listed = viewer
            .list_plans(ListPlansRequest::default())
            .await
            .unwrap()
            .into_inner();
        let seen = listed.plans.iter().any(|p| p.name == the_plan.name);
        table.check("ListPlans shows it", place, REACHES_S1[place], &seen_as_result(seen));
        let exported = viewer
            .export_plan(ExportPlanRequest {
                name: the_plan.name.clone(),
                format: TableFormat::Csv as i32,
                targets: false,
            })
            .await;
        table.check("ExportPlan", place, REACHES_S1[place], &exported);

        // Tasks.
        let created = leader
            .create_task(CreateTaskRequest {
                parent: the_plan.name.clone(),
                task: Some(task(&format!("{}", place + 2))),
                request_id: String::new(),
            })
            .await;
        table.check("CreateTask", place, REACHES_S1[place], &created);
        let updated = leader
            .update_task(UpdateTaskRequest {
                task: Some(Task {
                    name: the_task.name.clone(),
                    notes: format!("Ghi chú {place}"),
                    ..Default::default()
                }),
                update_mask: mask(&["notes"]),
                etag: String::new(),
            })
            .await;
        table.check("UpdateTask", place, REACHES_S1[place], &updated);
        let progressed = officer
            .record_task_progress(RecordTaskProgressRequest {
                name: the_task.name.clone(),
                percent: 10 + place as i32,
                note: "Đang thực hiện".into(),
                request_id: String::new(),
            })
            .await;
        table.check("RecordTaskProgress", place, REACHES_S1[place], &progressed);
        let got = viewer
            .get_task(GetTaskRequest {
                name: the_task.name.clone(),
            })
            .await;
        table.check("GetTask", place, REACHES_S1[place], &got);
        let listed = viewer
            .list_tasks(ListTasksRequest {
                parent: the_plan.name.clone(),
                ..Default::default()
            })
            .await;
        table.check("ListTasks", place, REACHES_S1[place], &listed);

        // Targets.
        let created = leader
            .create_target(CreateTargetRequest {
                parent: the_plan.name.clone(),
                target: Some(Target {
                    number: format!("{}", place + 2),
                    text: "Chỉ tiêu bổ sung".into(),
                    measure: Measure::Manual as i32,
                    threshold_percent: 50.0,
                    ..Default::default()
                }),
                request_id: String::new(),
            })
            .await;
        table.check("CreateTarget", place, REACHES_S1[place], &created);
        let updated = leader
            .update_target(UpdateTargetRequest {
                target: Some(Target {
                    name: the_target.name.clone(),
                    manual_numerator: place as i64,
                    manual_denominator: 10,
                    ..Default::default()
                }),
                update_mask: mask(&["manual_numerator", "manual_denominator"]),
                etag: String::new(),
            })
            .await;
        table.check("UpdateTarget", place, REACHES_S1[place], &updated);
        let got = viewer
            .get_target(GetTargetRequest {
                name: the_target.name.clone(),
            })
            .await;
        table.check("GetTarget", place, REACHES_S1[place], &got);
        let evaluated = viewer
            .evaluate_targets(EvaluateTargetsRequest {
                name: the_plan.name.clone(),
                ..Default::default()
            })
            .await;
        table.check("EvaluateTargets", place, REACHES_S1[place], &evaluated);

        // Reports.
        let generated = leader
            .generate_report(GenerateReportRequest {
                parent: the_plan.name.clone(),
                kind: ReportKind::Quarterly as i32,
                quarter: 1,
                ..Default::default()
            })
            .await;
        table.check("GenerateReport", place, REACHES_S1[place], &generated);
        let got = viewer
            .get_report(GetReportRequest {
                name: the_report.name.clone(),
            })
            .await;
        table.check("GetReport", place, REACHES_S1[place], &got);
        let exported = viewer
            .export_report(ExportReportRequest {
                name: the_report.name.clone(),
                format: ReportFormat::Html as i32,
            })
            .await;
        table.check("ExportReport", place, REACHES_S1[place], &exported);
        let listed = viewer
            .list_reports(ListReportsRequest {
                parent: the_plan.name.clone(),
                ..Default::default()
            })
            .await;
        table.check("ListReports", place, REACHES_S1[place], &listed);
    }

    // Seen but not changeable: a viewer at S1 who leads S2 is refused, not
    // told that the plan does not exist.
    let both = user_with_bindings(
        &server,
        "hai.vai",
        &[(Role::Leader, &tree.s2.name), (Role::Viewer, &tree.s1.name)],
    )
    .await;
    let status = server
        .plans(&both)
        .update_task(UpdateTaskRequest {
            task: Some(Task {
                name: the_task.name.clone(),
                notes: "Ghi chú".into(),
                ..Default::default()
            }),
            update_mask: mask(&["notes"]),
            etag: String::new(),
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::PermissionDenied, "{status:?}");
    table.assert_all_right();
    server.stop().await;
}

/// A read of "is it in the list" as an answer: OK when listed, NOT_FOUND when not.
pub fn seen_as_result(seen: bool) -> Result<(), tonic::Status> {
    if seen {
        Ok(())
    } else {
        Err(tonic::Status::not_found("not listed"))
    }
}

/// A user with several role bindings: its token.
pub async fn user_with_bindings(server: &TestServer, username: &str, bindings: &[(Role, &str)]) -> String {
    server.user_with_bindings(username, bindings).await.1
}

#[tokio::test]
async fn the_officers_of_the_unit_a_task_is_assigned_to_record_its_progress() {
    let server = TestServer::start().await;
    let tree = Tree::new(&server).await;
    let (_, district_leader) = server.user_with_role("lanh.dao.d", Role::Leader, &tree.d.name).await;
    let officers = tree.users(&server, "chuyen.vien.", Role::ProcessingOfficer).await;
    let mut table = Table::default();

    // The district's plan; its task is assigned to S1 by the unit written in the table.
    let imported = server
        .plans(&district_leader)
        .import_plan(ImportPlanRequest {
            plan: Some(plan(&tree.d.name, "Kế hoạch cải cách hành chính năm 2024")),
            format: TableFormat::Csv as i32,
            content: "STT,Nội dung công việc,Đơn vị thực hiện,Sản phẩm,Thời gian hoàn thành,Ghi chú\n\
                      1,Niêm yết thủ tục hành chính,Trường Cát Linh,Bảng niêm yết,Quý II năm 2024,\n"
                .as_bytes()
                .to_vec(),
            unit_aliases: [("Trường Cát Linh".to_string(), tree.s1.name.clone())].into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let plan_name = imported.plan.unwrap().name;
    let tasks = server
        .plans(&district_leader)
        .list_tasks(ListTasksRequest {
            parent: plan_name.clone(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .tasks;
    let the_task = &tasks[0];
    assert_eq!(the_task.responsible_units, std::slice::from_ref(&tree.s1.name));

    // S1's officers (responsible) and the district's (the plan's unit) record
    // progress; S1a's (below the responsible unit) and S2's may not, and do not see it.
    for place in 0..4 {
        let progressed = server
            .plans(&officers[place])
            .record_task_progress(RecordTaskProgressRequest {
                name: the_task.name.clone(),
                percent: 20,
                note: "Đã niêm yết".into(),
                request_id: String::new(),
            })
            .await;
        table.check(
            "RecordTaskProgress on D's task assigned to S1",
            place,
            [OK, OK, NOT_FOUND, NOT_FOUND][place],
            &progressed,
        );
    }
    table.assert_all_right();
    server.stop().await;
}

#[tokio::test]
async fn evidence_that_the_caller_may_not_see_shows_a_placeholder_and_is_not_disclosed() {
    let server = TestServer::start().await;
    let tree = Tree::new(&server).await;
    let (_, s2_controller) = server
        .user_with_role("thu.ky.s2", Role::DocumentController, &tree.s2.name)
        .await;
    let (_, district_leader) = server.user_with_role("lanh.dao.d", Role::Leader, &tree.d.name).await;
    let viewers = tree.users(&server, "xem.", Role::Viewer).await;

    // S2's restricted document.
    let secret = server
        .documents(&s2_controller)
        .create_document(docs::CreateDocumentRequest {
            document: Some(docs::Document {
                code: "HS-MAT-01".into(),
                title: "Hồ sơ kỷ luật giáo viên".into(),
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

    // S1's plan; the district's leader (who sees both) links the document to a task.
    let mut district = server.plans(&district_leader);
    let the_plan = district
        .create_plan(CreatePlanRequest {
            plan: Some(plan(&tree.s1.name, "Kế hoạch cải cách hành chính năm 2024")),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let the_task = district
        .create_task(CreateTaskRequest {
            parent: the_plan.name.clone(),
            task: Some(task("1")),
            request_id: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    let linked = district
        .add_task_evidence(AddTaskEvidenceRequest {
            name: the_task.name.clone(),
            resource: secret.name.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(linked.evidence[0].title.contains("Hồ sơ kỷ luật giáo viên"));

    // S1's viewer reads the task but not the document: a placeholder.
    let mut s1_viewer = server.plans(&viewers[0]);
    let seen = s1_viewer
        .get_task(GetTaskRequest {
            name: the_task.name.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(seen.evidence[0].resource, secret.name);
    assert_eq!(seen.evidence[0].title, "Tài liệu không có quyền xem");
    let listed = s1_viewer
        .list_tasks(ListTasksRequest {
            parent: the_plan.name.clone(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(listed.tasks[0].evidence[0].title, "Tài liệu không có quyền xem");
    // The district's viewer sees both.
    let seen = server
        .plans(&viewers[1])
        .get_task(GetTaskRequest {
            name: the_task.name.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(seen.evidence[0].title.contains("Hồ sơ kỷ luật giáo viên"));

    // ListTasksByEvidence: to S1's viewer the document is as one that does
    // not exist; S2's viewer sees the document but not S1's plan; the
    // district's viewer sees both.
    let by_evidence = |token: &str, resource: &str| {
        let mut client = server.plans(token);
        let resource = resource.to_string();
        async move {
            client
                .list_tasks_by_evidence(ListTasksByEvidenceRequest {
                    resource,
                    ..Default::default()
                })
                .await
                .unwrap()
                .into_inner()
        }
    };
    let missing = by_evidence(&viewers[0], "documents/khong-ton-tai").await;
    assert_eq!(by_evidence(&viewers[0], &secret.name).await, missing);
    assert!(by_evidence(&viewers[3], &secret.name).await.tasks.is_empty());
    let found = by_evidence(&viewers[1], &secret.name).await;
    assert_eq!(found.tasks.len(), 1);
    assert!(found.tasks[0].evidence[0].title.contains("Hồ sơ kỷ luật giáo viên"));
    server.stop().await;
}

#[tokio::test]
async fn the_event_stream_is_the_root_units() {
    let server = TestServer::start().await;
    let tree = Tree::new(&server).await;
    let (_, district_admin) = server.user_with_role("quan.tri.d", Role::Admin, &tree.d.name).await;
    let status = server
        .plans(&district_admin)
        .watch_events(WatchEventsRequest { after_sequence: 0 })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::PermissionDenied);
    assert!(
        server
            .plans(&server.admin_token)
            .watch_events(WatchEventsRequest { after_sequence: 0 })
            .await
            .is_ok()
    );
    server.stop().await;
}
