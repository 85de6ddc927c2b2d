//! Unit scoping of plans beyond the table of `scoping/` (which checks every
//! method for every role bound at S1, at its ancestor D, its descendant S1a
//! and its sibling S2): the officers of the unit a task is assigned to, the
//! evidence placeholder and ListTasksByEvidence on a restricted document of
//! another unit, and the event stream. A district D with schools S1 (with a
//! sub-unit S1a) and S2.

use eiso_proto::eiso::documents::v1 as docs;
use eiso_proto::eiso::identity::v1::{DissolveUnitRequest, Role, Unit, UnitKind};
use eiso_proto::eiso::plans::v1::*;
use eiso_tests::TestServer;
use eiso_tests::documents::{create, procedure};
use eiso_tests::plans::{create_plan, create_task, reform_plan};
use tonic::Code;

/// Where the caller is bound, relative to the resource's unit S1.
pub const WHERE: [&str; 4] = ["S1 (same)", "D (ancestor)", "S1a (descendant)", "S2 (sibling)"];

/// The answer: `None` is OK.
pub type Expect = Option<Code>;
pub const OK: Expect = None;
pub const NOT_FOUND: Expect = Some(Code::NotFound);

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
            plan: Some(reform_plan(&tree.d.name, 2024)),
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
                ..Default::default()
            })
            .await;
        table.check(
            "RecordTaskProgress on D's task assigned to S1",
            place,
            [OK, OK, NOT_FOUND, NOT_FOUND][place],
            &progressed,
        );
        // Those who record it read it, as its page shows it to them.
        let read = server
            .plans(&officers[place])
            .get_task(GetTaskRequest {
                name: the_task.name.clone(),
            })
            .await;
        table.check(
            "GetTask of D's task assigned to S1",
            place,
            [OK, OK, NOT_FOUND, NOT_FOUND][place],
            &read,
        );
    }
    table.assert_all_right();
    server.stop().await;
}

#[tokio::test]
async fn a_task_for_a_group_of_schools_reaches_the_schools_of_those_kinds_as_they_come_and_go() {
    let server = TestServer::start().await;
    let root = server.root_unit().await;
    let d = server
        .create_unit("PGD-HA", "Phòng Giáo dục và Đào tạo quận Hải An", &root.name)
        .await;
    let school = |code: &'static str, name: &'static str, kind: UnitKind, parent: String| {
        let server = &server;
        async move { server.create_unit_of_kind(code, name, kind, &parent).await }
    };
    let mn = school("MN-HS", "Trường Mầm non Hoa Sen", UnitKind::Preschool, d.name.clone()).await;
    let th = school(
        "TH-CL",
        "Trường Tiểu học Cát Linh",
        UnitKind::PrimarySchool,
        d.name.clone(),
    )
    .await;
    let th_team = server.create_unit("TH-CL-TO1", "Tổ chuyên môn khối 1", &th.name).await;
    let thcs = school(
        "THCS-CT",
        "Trường THCS Chu Văn An",
        UnitKind::LowerSecondarySchool,
        d.name.clone(),
    )
    .await;
    let multi = school(
        "PT-NC",
        "Trường PT nhiều cấp học Ngôi Sao",
        UnitKind::MultiLevelSchool,
        d.name.clone(),
    )
    .await;
    let other_district = server
        .create_unit("PGD-NQ", "Phòng GD&ĐT quận Ngô Quyền", &root.name)
        .await;
    let elsewhere = school(
        "TH-NQ",
        "Trường Tiểu học Lê Lợi",
        UnitKind::PrimarySchool,
        other_district.name.clone(),
    )
    .await;
    let (_, leader) = server.user_with_role("lanh.dao.d", Role::Leader, &d.name).await;

    // The seed plan's row, as imported.
    let imported = server
        .plans(&leader)
        .import_plan(ImportPlanRequest {
            plan: Some(reform_plan(&d.name, 2024)),
            format: TableFormat::Csv as i32,
            content: "STT,Nội dung công việc,Đơn vị thực hiện,Sản phẩm,Thời gian hoàn thành,Ghi chú\n\
                      1,Xây dựng kế hoạch CCHC năm 2024,\"Phòng GD&ĐT, các trường MN, TH, THCS\",Kế hoạch,Tháng 1 năm 2024,\n"
                .as_bytes()
                .to_vec(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let plan_name = imported.plan.unwrap().name;
    let the_task = |token: String| {
        let server = &server;
        let plan_name = plan_name.clone();
        async move {
            server
                .plans(&token)
                .list_tasks(ListTasksRequest {
                    parent: plan_name,
                    ..Default::default()
                })
                .await
                .unwrap()
                .into_inner()
                .tasks
                .remove(0)
        }
    };
    let task = the_task(leader.clone()).await;
    // The office by its name, then the schools of the group by theirs.
    assert_eq!(
        task.responsible_units,
        [d.name.as_str(), &mn.name, &thcs.name, &th.name]
    );
    assert_eq!(
        task.responsible_unit_kinds,
        [
            UnitKind::Preschool as i32,
            UnitKind::PrimarySchool as i32,
            UnitKind::LowerSecondarySchool as i32
        ]
    );
    let got = server
        .plans(&leader)
        .get_task(GetTaskRequest {
            name: task.name.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(got.responsible_units, task.responsible_units);

    // A school of the group (same), the district (ancestor), a team inside a school
    // of the group (descendant), a school beside them of a kind not named (sibling)
    // and a primary school of another district.
    let places = [&th.name, &d.name, &th_team.name, &multi.name, &elsewhere.name];
    let mut wrong = Vec::new();
    for (i, unit) in places.iter().enumerate() {
        let (_, officer) = server
            .user_with_role(&format!("chuyen.vien.{i}"), Role::ProcessingOfficer, unit)
            .await;
        let progressed = server
            .plans(&officer)
            .record_task_progress(RecordTaskProgressRequest {
                name: task.name.clone(),
                percent: 10,
                note: "Đã xây dựng dự thảo".into(),
                ..Default::default()
            })
            .await;
        let expected = [OK, OK, NOT_FOUND, NOT_FOUND, NOT_FOUND][i];
        if progressed.as_ref().err().map(|s| s.code()) != expected {
            wrong.push(format!("officer at {unit}: expected {expected:?}, got {progressed:?}"));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");

    // A lower-secondary school opened later is in the group at once, and may record;
    // the preschool dissolved is out.
    let new_school = school(
        "THCS-NS",
        "Trường THCS Nam Sơn",
        UnitKind::LowerSecondarySchool,
        d.name.clone(),
    )
    .await;
    server
        .admin()
        .dissolve_unit(DissolveUnitRequest {
            name: mn.name.clone(),
            reason: "Sáp nhập theo quyết định của UBND quận".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let task = the_task(leader.clone()).await;
    assert_eq!(
        task.responsible_units,
        [d.name.as_str(), &thcs.name, &new_school.name, &th.name]
    );
    let (_, newcomer) = server
        .user_with_role("chuyen.vien.ns", Role::ProcessingOfficer, &new_school.name)
        .await;
    server
        .plans(&newcomer)
        .record_task_progress(RecordTaskProgressRequest {
            name: task.name.clone(),
            percent: 30,
            note: "Trường đã ban hành kế hoạch".into(),
            ..Default::default()
        })
        .await
        .unwrap();
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
        .create_document(create(procedure(
            "HS-MAT-01",
            "Hồ sơ kỷ luật giáo viên",
            &tree.s2.name,
            docs::Confidentiality::Restricted,
        )))
        .await
        .unwrap()
        .into_inner();

    // S1's plan; the district's leader (who sees both) links the document to a task.
    let mut district = server.plans(&district_leader);
    let the_plan = create_plan(&mut district, reform_plan(&tree.s1.name, 2024)).await;
    let the_task = create_task(&mut district, &the_plan.name, task("1")).await;
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
