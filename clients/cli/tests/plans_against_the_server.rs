//! Runs `eiso plans …` against a real eiso-server (the workspace harness, on SQLite or, with
//! `EISO_TEST_DATABASE_URL`, PostgreSQL): the leader imports the seed's 2024 plan with its
//! targets in one command, an officer records progress and links a record as evidence, the
//! auditor goes from the record to the task, the targets and a report come out.

#![allow(clippy::unwrap_used)]

mod common;

use common::{Person, assert_contains, text};
use eiso_proto::eiso::identity::v1::Role;
use eiso_tests::TestServer;

const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../services/plans/samples");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_seed_plan_from_the_command_line() {
    let server = TestServer::start().await;
    let office = server
        .create_unit(
            "31-HAIAN-GDDT",
            "Phòng Giáo dục và Đào tạo quận Hải An",
            &server.root_unit().await.name,
        )
        .await;
    let leader = Person::with_role(&server, "truong.phong", Role::Leader, &office.name).await;
    let officer = Person::with_role(&server, "chuyen.vien", Role::ProcessingOfficer, &office.name).await;
    let auditor = Person::with_role(&server, "danh.gia", Role::InternalAuditor, &office.name).await;
    let (_, controller) = server
        .user_with_role("thu.ky", Role::DocumentController, &office.name)
        .await;
    let tasks_csv = format!("{SAMPLES}/ke-hoach-cchc-2024.csv");
    let targets_csv = format!("{SAMPLES}/ke-hoach-cchc-2024-chi-tieu.csv");
    let import = |extra: &'static [&'static str]| {
        let mut args = vec![
            "plans",
            "import",
            tasks_csv.as_str(),
            "--targets",
            targets_csv.as_str(),
            "--year",
            "2024",
            "--unit",
            office.name.as_str(),
            "--title",
            "Kế hoạch cải cách hành chính nhà nước Giáo dục và Đào tạo năm 2024",
            "--id",
            "cchc-2024",
        ];
        args.extend_from_slice(extra);
        args
    };

    // An officer may not import; the leader checks, then imports in one command.
    let refused = officer.fails(17, &import(&[])).await;
    assert_contains(&refused, &["your roles do not allow ImportPlan"]);
    let dry = leader.json(&import(&["--dry-run"])).await;
    assert_eq!(dry["task_count"], 28);
    assert_eq!(dry["target_count"], 8);
    assert_eq!(leader.json(&["plans", "list"]).await["plans"], serde_json::json!([]));
    let out = leader.ok(&import(&[])).await;
    assert_contains(&out, &["plan:    plans/cchc-2024", "tasks:   28", "targets: 8"]);

    // The issuing unit and the tasks' units by name; their ids only in JSON.
    let shown = leader.ok(&["plans", "show", "plans/cchc-2024"]).await;
    assert_contains(
        &shown,
        &[
            "Kế hoạch cải cách hành chính nhà nước",
            "28",
            "Phòng Giáo dục và Đào tạo quận Hải An",
        ],
    );
    assert!(!shown.contains(&office.name), "{shown}");
    let listed = leader.ok(&["plans", "list"]).await;
    assert_contains(&listed, &["Phòng Giáo dục và Đào tạo quận Hải An"]);
    assert!(!listed.contains(&office.name), "{listed}");
    let table = leader.ok(&["plans", "tasks", "plans/cchc-2024"]).await;
    assert_contains(&table, &["Đơn vị thực hiện", "Phòng Giáo dục và Đào tạo quận Hải An"]);
    assert!(!table.contains("units/"), "{table}");
    let tasks = leader.json(&["plans", "tasks", "plans/cchc-2024"]).await;
    let tasks = tasks["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), 28);
    let first = tasks.iter().find(|t| t["number"] == "1.1").unwrap();
    assert_eq!(first["time_frame"], "Tháng 1,2 năm 2024");
    assert_eq!(first["end_date"], "29/02/2024");
    assert_eq!(first["responsible_units"], serde_json::json!([office.name]));
    let task_name = text(&first["name"]);

    // Progress and evidence by the officer; the auditor's reverse lookup.
    let done = officer
        .json(&[
            "plans",
            "progress",
            &task_name,
            "--percent",
            "100",
            "--note",
            "Đã ban hành kế hoạch",
        ])
        .await;
    assert_eq!(done["tasks"][0]["status"], "TASK_STATUS_DONE");
    let record = server
        .documents(&controller)
        .create_record(eiso_tests::documents::kept_record(
            "Kế hoạch CCHC năm 2024",
            &office.name,
        ))
        .await
        .unwrap()
        .into_inner();
    let linked = officer
        .ok(&["plans", "evidence", "add", &task_name, &record.name])
        .await;
    assert_contains(&linked, &[record.name.as_str(), "Kế hoạch CCHC năm 2024"]);
    let missing = officer
        .fails(13, &["plans", "evidence", "add", &task_name, "records/nothing-here"])
        .await;
    assert_contains(&missing, &["resource", "does not exist"]);
    let supported = auditor.json(&["plans", "evidence", "tasks", &record.name]).await;
    assert_eq!(supported["tasks"][0]["number"], "1.1");

    // Targets and a report.
    let targets = auditor
        .json(&["plans", "targets", "plans/cchc-2024", "--as-of", "31/03/2024"])
        .await;
    let evaluations = targets["evaluations"].as_array().unwrap();
    assert_eq!(evaluations.len(), 8);
    let tasks_target = evaluations
        .iter()
        .find(|e| e["measure"] == "MEASURE_PLAN_TASKS_ON_TIME")
        .unwrap();
    // By 31/3/2024: 1.1, 1.2 and 1.3 were due and none was done then (1.1 was done today).
    assert_eq!(tasks_target["denominator"], 3);
    assert_eq!(tasks_target["numerator"], 0);
    assert_eq!(
        tasks_target["status"], "TARGET_STATUS_AT_RISK",
        "the year is still running"
    );
    let report = leader
        .json(&[
            "plans",
            "report",
            "generate",
            "plans/cchc-2024",
            "--kind",
            "quarterly",
            "--quarter",
            "1",
        ])
        .await;
    assert_eq!(report["name"], "plans/cchc-2024/reports/2024-q1");
    assert!(text(&report["record"]).starts_with("records/"));
    let listed = leader.ok(&["plans", "reports", "plans/cchc-2024"]).await;
    assert_contains(&listed, &["2024-q1", "quý I năm 2024"]);
    leader
        .ok(&[
            "plans",
            "report",
            "export",
            "plans/cchc-2024/reports/2024-q1",
            "q1.html",
        ])
        .await;
    let html = std::fs::read_to_string(leader.cwd.path().join("q1.html")).unwrap();
    assert_contains(&html, &["BÁO CÁO", "quý I năm 2024"]);
    leader
        .ok(&["plans", "export", "plans/cchc-2024", "ke-hoach.xlsx"])
        .await;
    assert!(
        std::fs::read(leader.cwd.path().join("ke-hoach.xlsx"))
            .unwrap()
            .starts_with(b"PK")
    );
    server.stop().await;
}
