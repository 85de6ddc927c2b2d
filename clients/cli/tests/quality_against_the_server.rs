//! Runs `eiso quality …` against a real eiso-server (the workspace harness, on
//! SQLite or, with `EISO_TEST_DATABASE_URL`, PostgreSQL) the way an office
//! works: the leader plans the school inspections and an officer records one;
//! the auditor runs an audit, records a nonconformity with evidence and opens
//! its corrective action; the leader plans it, the officer implements it, the
//! auditor verifies it and closes it; the leader generates the management
//! review and runs the ISO 18091 diagnostic of two periods.

#![allow(clippy::unwrap_used)]

mod common;

use chrono::{Datelike, Duration, NaiveDate, Utc};
use common::{Person, assert_contains, text, units_under};
use eiso_proto::eiso::identity::v1::Role;
use eiso_tests::TestServer;
use eiso_tests::quality::QualityOffice;

/// A server with a [`QualityOffice`], and its leader `lanh.dao` and its
/// auditor `danh.gia` signed in.
async fn quality_office_signed_in() -> (TestServer, QualityOffice, Person, Person) {
    let server = TestServer::start().await;
    let quality = server.quality_office().await;
    let leader = Person::login(server.addr, "lanh.dao").await;
    let auditor = Person::login(server.addr, "danh.gia").await;
    (server, quality, leader, auditor)
}

/// Today in Vietnam, and as `dd/mm/yyyy` today and thirty days on.
fn today_and_due() -> (NaiveDate, String, String) {
    let today = (Utc::now() + Duration::hours(7)).date_naive();
    let day = today.format("%d/%m/%Y").to_string();
    let due = (today + Duration::days(30)).format("%d/%m/%Y").to_string();
    (today, day, due)
}

/// Creates the `kind` programme (`inspections` or `audits`) of `unit` for
/// `year`, with the `more` flags; its name.
async fn create_programme(leader: &Person, kind: &str, unit: &str, year: &str, title: &str, more: &[&str]) -> String {
    let mut args = vec![
        "quality",
        kind,
        "programme",
        "--unit",
        unit,
        "--year",
        year,
        "--title",
        title,
    ];
    args.extend_from_slice(more);
    text(&leader.json(&args).await["name"])
}

/// Adds to `audit` a minor nonconformity of `auditee` against `clause`; its name.
async fn minor_finding(auditor: &Person, audit: &str, clause: &str, statement: &str, auditee: &str) -> String {
    let finding = auditor
        .json(&[
            "quality",
            "findings",
            "add",
            audit,
            "--type",
            "minor",
            "--clause",
            clause,
            "--statement",
            statement,
            "--auditee",
            auditee,
        ])
        .await;
    text(&finding["findings"][0]["name"])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_quality_cycle_from_the_command_line() {
    let (server, quality, leader, auditor_person) = quality_office_signed_in().await;
    let (office, counter_unit, auditor) = (&quality.office, &quality.counter_unit, &quality.auditor);
    let [s1, s2] = units_under(
        &server,
        office,
        [
            ("THCS-CL", "Trường THCS Cát Linh"),
            ("TH-DL", "Trường Tiểu học Đằng Lâm"),
        ],
    )
    .await;
    // Bound, like the auditor, at the office whose inspections they work: a
    // binding covers its unit and those below it, not the units beside it.
    let (inspector, inspector_person) =
        Person::user_with_role(&server, "thanh.tra", Role::ProcessingOfficer, &office.name).await;
    let (officer, officer_person) =
        Person::user_with_role(&server, "chuyen.vien", Role::ProcessingOfficer, &counter_unit.name).await;
    let (today, day, due) = today_and_due();
    let year = today.year().to_string();

    // Inspections and their coverage.
    let programme = create_programme(
        &leader,
        "inspections",
        &office.name,
        &year,
        "Kế hoạch kiểm tra các trường",
        &["--member", &s1.name, "--member", &s2.name],
    )
    .await;
    let planned = leader
        .json(&[
            "quality",
            "inspections",
            "plan",
            "--programme",
            &programme,
            "--unit",
            &s1.name,
            "--date",
            &day,
            "--inspector",
            &inspector.name,
        ])
        .await;
    let inspection = text(&planned["inspections"][0]["name"]);
    let done = inspector_person
        .json(&[
            "quality",
            "inspections",
            "complete",
            &inspection,
            "--date",
            &day,
            "--findings",
            "Hồ sơ tuyển sinh đầy đủ",
        ])
        .await;
    assert_eq!(done["inspections"][0]["state"], "done");
    let (first_day, last_day) = (format!("01/01/{year}"), format!("31/12/{year}"));
    let this_year = ["--unit", office.name.as_str(), "--from", &first_day, "--to", &last_day];
    let coverage = leader
        .ok(&[&["quality", "inspections", "coverage"][..], &this_year].concat())
        .await;
    assert_contains(&coverage, &["1/2", "50,0%"]);

    // An audit with a nonconformity and its corrective action.
    let audit_programme = create_programme(
        &leader,
        "audits",
        &office.name,
        &year,
        "Chương trình đánh giá nội bộ",
        &[],
    )
    .await;
    let audit_create = |auditor_name: &str| {
        vec![
            "quality".to_string(),
            "audits".into(),
            "create".into(),
            "--programme".into(),
            audit_programme.clone(),
            "--title".into(),
            "Đánh giá Bộ phận Một cửa".into(),
            "--scope".into(),
            "Tiếp nhận và trả kết quả".into(),
            "--clause".into(),
            "7.5".into(),
            "--auditee".into(),
            counter_unit.name.clone(),
            "--auditor".into(),
            auditor_name.to_string(),
            "--from".into(),
            day.clone(),
            "--to".into(),
            day.clone(),
        ]
    };
    // The office's leader answers for the counter's processes: auditing
    // them would be auditing their own work.
    let refused = auditor_person
        .fails(
            19,
            &audit_create(&quality.leader_user.name)
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
        )
        .await;
    assert_contains(&refused, &["own work", "AUDITOR_NOT_INDEPENDENT"]);
    let audit = auditor_person
        .json(
            &audit_create(&auditor.name)
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
        )
        .await;
    let audit = text(&audit["audits"][0]["name"]);
    auditor_person.ok(&["quality", "audits", "start", &audit]).await;
    let finding = minor_finding(
        &auditor_person,
        &audit,
        "7.5.3",
        "Sổ theo dõi hồ sơ thiếu ngày trả kết quả",
        &counter_unit.name,
    )
    .await;
    let stderr = auditor_person
        .fails(
            19,
            &["quality", "audits", "complete", &audit, "--conclusion", "Phù hợp"],
        )
        .await;
    assert_contains(&stderr, &[&finding]);
    let opened = auditor_person.json(&["quality", "actions", "open", &finding]).await;
    let action = text(&opened["corrective_actions"][0]["name"]);
    let audit_done = auditor_person
        .json(&[
            "quality",
            "audits",
            "complete",
            &audit,
            "--conclusion",
            "Cơ bản phù hợp",
        ])
        .await;
    assert_eq!(audit_done["audits"][0]["state"], "completed");
    let plan_action = format!("Phân công cán bộ cập nhật sổ|{}|{due}", officer.name);
    let planned = leader
        .json(&[
            "quality",
            "actions",
            "plan",
            &action,
            "--root-cause",
            "Chưa phân công người cập nhật",
            "--action",
            &plan_action,
        ])
        .await;
    assert_eq!(planned["corrective_actions"][0]["state"], "actions_planned");
    officer_person
        .ok(&["quality", "actions", "implement", &action, "--note", "Đã phân công"])
        .await;
    auditor_person
        .ok(&["quality", "actions", "verify", &action, "--note", "Kiểm tra 10 hồ sơ"])
        .await;
    let closed = auditor_person.json(&["quality", "actions", "close", &action]).await;
    assert_eq!(closed["corrective_actions"][0]["state"], "closed");
    let overdue = leader.json(&["quality", "actions", "overdue"]).await;
    assert_eq!(overdue["corrective_actions"], serde_json::json!([]));

    // The management review, filed as a record.
    let review = leader
        .json(&[&["quality", "reviews", "generate"][..], &this_year].concat())
        .await;
    assert_eq!(review["minor_nonconformities"], 1);
    assert_eq!(review["corrective_actions_closed"], 1);
    assert_eq!(review["inspected"], 1);
    assert!(text(&review["record"]).starts_with("records/"));
    let shown = leader.ok(&["quality", "reviews", "show", &text(&review["name"])]).await;
    assert_contains(&shown, &[&format!("Báo cáo xem xét của lãnh đạo năm {year}"), "1/2"]);

    // The diagnostic of two periods.
    let indicators = leader.json(&["quality", "diagnostic", "indicators"]).await;
    assert_eq!(indicators["indicators"].as_array().unwrap().len(), 39);
    let mut diagnostics = Vec::new();
    for period in ["2023", "2024"] {
        let created = leader
            .ok(&[
                "quality",
                "diagnostic",
                "create",
                "--unit",
                &office.name,
                "--period",
                period,
            ])
            .await;
        diagnostics.push(created.split_whitespace().next().unwrap().to_string());
    }
    let (before, after) = (diagnostics[0].clone(), diagnostics[1].clone());
    // The indicator by its id, then by its number as the diagnostic prints it.
    for (diagnostic, indicator, colour) in [(&before, "1-1", "red"), (&after, "1.1", "green")] {
        leader
            .ok(&[
                "quality",
                "diagnostic",
                "assess",
                diagnostic,
                "--indicator",
                indicator,
                "--colour",
                colour,
            ])
            .await;
    }
    let compared = leader
        .json(&["quality", "diagnostic", "compare", &before, &after])
        .await;
    assert_eq!(
        (compared["improved"].as_i64(), compared["worsened"].as_i64()),
        (Some(1), Some(0))
    );
    let table = leader.ok(&["quality", "diagnostic", "compare", &before, &after]).await;
    assert_contains(&table, &["1.1", "Đỏ", "Xanh", "Tốt lên", "tốt lên 1"]);
    // The later period's diagnostic shows each indicator against the period before.
    let shown = leader.ok(&["quality", "diagnostic", "show", &after]).await;
    assert_contains(&shown, &["1.1", "Xanh", "Tốt lên (kỳ trước đỏ)"]);
    server.stop().await;
}

/// An audit planned with the procedure it examines, shown with its people
/// and subject by name, its checklist built question by question; then a
/// corrective action planned twice, shown with the plan it replaced.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_audit_its_checklist_and_a_replanned_action_from_the_command_line() {
    use eiso_tests::documents::counter_procedure;

    let (server, quality, leader, auditing) = quality_office_signed_in().await;
    let (office, counter_unit, auditor) = (&quality.office, &quality.counter_unit, &quality.auditor);
    let (officer, _) = server
        .user_with_role("chuyen.vien", Role::ProcessingOfficer, &counter_unit.name)
        .await;
    let (_, controller_token) = server
        .user_with_role("thu.ky", Role::DocumentController, &office.name)
        .await;
    let document = server
        .documents(&controller_token)
        .create_document(counter_procedure(&counter_unit.name))
        .await
        .unwrap()
        .into_inner();
    let (today, day, due) = today_and_due();

    let programme = create_programme(
        &leader,
        "audits",
        &office.name,
        &today.year().to_string(),
        "Chương trình đánh giá nội bộ",
        &[],
    )
    .await;
    let created = auditing
        .json(&[
            "quality",
            "audits",
            "create",
            "--programme",
            &programme,
            "--title",
            "Đánh giá quy trình một cửa",
            "--scope",
            "Tiếp nhận và trả kết quả hồ sơ",
            "--clause",
            "7.5",
            "--clause",
            "8.5.1",
            "--auditee",
            &counter_unit.name,
            "--auditor",
            &auditor.name,
            "--subject",
            &document.name,
            "--from",
            &day,
            "--to",
            &day,
        ])
        .await;
    let audit = text(&created["audits"][0]["name"]);

    // Shown by name; as JSON, by id.
    let shown = auditing.ok(&["quality", "audits", "show", &audit]).await;
    assert_contains(
        &shown,
        &[
            "Đánh giá quy trình một cửa",
            "Tiếp nhận và trả kết quả hồ sơ",
            "7.5, 8.5.1",
            "QT-TTHC-01 Quy trình tiếp nhận và trả kết quả hồ sơ",
            "Bộ phận Một cửa",
            "Người dùng danh.gia",
            &format!("{day} – {day}"),
            "planned",
            "Chưa có câu hỏi đánh giá",
        ],
    );
    for id in [&auditor.name, &counter_unit.name, &document.name] {
        assert!(!shown.contains(id.as_str()), "{id} shown instead of its name:\n{shown}");
    }
    let json = auditing.json(&["quality", "audits", "show", &audit]).await;
    let shown = &json["audits"][0];
    assert_eq!(shown["auditors"], serde_json::json!([auditor.name]));
    assert_eq!(shown["auditees"], serde_json::json!([counter_unit.name]));
    assert_eq!(shown["subjects"], serde_json::json!([document.name]));
    assert_eq!(shown["criteria"], serde_json::json!(["7.5", "8.5.1"]));

    // The checklist, question by question.
    for (clause, question) in [
        ("7.5.3", "Hồ sơ có được lưu đúng thời hạn không?"),
        ("8.5.1", "Phiếu hẹn có ghi đúng ngày trả kết quả không?"),
    ] {
        auditing
            .ok(&[
                "quality",
                "audits",
                "checklist",
                "add",
                &audit,
                "--clause",
                clause,
                "--question",
                question,
            ])
            .await;
    }
    let listed = auditing.json(&["quality", "audits", "checklist", "list", &audit]).await;
    let questions: Vec<(i64, String)> = listed["checklist"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| (q["number"].as_i64().unwrap(), text(&q["question"])))
        .collect();
    assert_eq!(
        questions,
        [
            (1, "Hồ sơ có được lưu đúng thời hạn không?".to_string()),
            (2, "Phiếu hẹn có ghi đúng ngày trả kết quả không?".to_string())
        ]
    );
    let refused = auditing
        .fails(2, &["quality", "audits", "checklist", "remove", &audit, "3"])
        .await;
    assert_contains(&refused, &["has 2 question(s)", "from 1 to 2"]);
    let left = auditing
        .ok(&["quality", "audits", "checklist", "remove", &audit, "1"])
        .await;
    assert_contains(&left, &["Phiếu hẹn có ghi đúng ngày trả kết quả không?", "8.5.1"]);
    assert!(!left.contains("lưu đúng thời hạn"), "{left}");
    let shown = auditing.ok(&["quality", "audits", "show", &audit]).await;
    assert_contains(
        &shown,
        &[
            "Danh mục câu hỏi đánh giá (1)",
            "Phiếu hẹn có ghi đúng ngày trả kết quả không?",
        ],
    );

    // A nonconformity's corrective action, planned twice.
    auditing.ok(&["quality", "audits", "start", &audit]).await;
    let finding = minor_finding(
        &auditing,
        &audit,
        "8.5.1",
        "Phiếu hẹn ghi sai ngày trả kết quả",
        &counter_unit.name,
    )
    .await;
    let opened = auditing.json(&["quality", "actions", "open", &finding]).await;
    let action = text(&opened["corrective_actions"][0]["name"]);
    for (root_cause, what) in [
        ("Cán bộ tính nhầm ngày làm việc", "Hướng dẫn cách tính ngày làm việc"),
        ("Phần mềm chưa trừ ngày nghỉ lễ", "Cập nhật lịch nghỉ lễ vào phần mềm"),
    ] {
        leader
            .ok(&[
                "quality",
                "actions",
                "plan",
                &action,
                "--root-cause",
                root_cause,
                "--action",
                &format!("{what}|{}|{due}", officer.name),
            ])
            .await;
    }
    let shown = leader.ok(&["quality", "actions", "show", &action]).await;
    assert_contains(
        &shown,
        &[
            "Phần mềm chưa trừ ngày nghỉ lễ",
            "Kế hoạch trước đây 1 (đã thay)",
            "Cán bộ tính nhầm ngày làm việc",
            "Hướng dẫn cách tính ngày làm việc",
            "thay đổi trước khi thực hiện",
            "Người dùng chuyen.vien",
            "Người dùng lanh.dao",
        ],
    );
    let json = leader.json(&["quality", "actions", "show", &action]).await;
    let history = &json["corrective_actions"][0]["history"];
    assert_eq!(history.as_array().map(Vec::len), Some(1), "{json}");
    assert_eq!(history[0]["root_cause"], "Cán bộ tính nhầm ngày làm việc");
    assert_eq!(history[0]["actions"][0]["owner"], officer.name.as_str());
    assert_eq!(history[0]["replaced_state"], "actions_planned");
    server.stop().await;
}
