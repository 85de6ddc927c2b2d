//! Runs `eiso procedures …`, `eiso calendar …` and `eiso dossiers …` against
//! a real eiso-server (the workspace harness, on SQLite or, with
//! `EISO_TEST_DATABASE_URL`, PostgreSQL) the way an office works: the
//! document controller imports the catalogue, the counter clerk receives a
//! dossier and prints the receipt, hands it to an officer who completes it,
//! the clerk returns the result and records the rating; the statistics count
//! it.

#![allow(clippy::unwrap_used)]

mod common;

use chrono::{Duration, Utc};
use common::{Person, assert_contains, server_with_office, text};
use eiso_proto::eiso::identity::v1::Role;
use eiso_tests::values::local_time;
use eiso_tests::{Backend, Clock, TestServer};
use serde_json::Value;

/// The sample catalogue with its agency set to `agency`.
fn sample_catalogue(agency: &str) -> String {
    include_str!("../../../services/procedures/samples/thu-tuc-giao-duc.csv").replace("units/replace-me", agency)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dossier_from_the_catalogue_to_the_rating() {
    let (server, office) = server_with_office().await;
    server
        .user_with_role("thu.ky", Role::DocumentController, &office.name)
        .await;
    server.user_with_role("mot.cua", Role::CounterStaff, &office.name).await;
    let (officer, _) = server
        .user_with_role("chuyen.vien", Role::ProcessingOfficer, &office.name)
        .await;
    server.user_with_role("thanh.tra", Role::Viewer, &office.name).await;
    let addr = server.addr;
    let agency = office.name.as_str();
    let unit_id = agency.strip_prefix("units/").unwrap();

    // The catalogue: a dry run changes nothing, then the import publishes.
    let controller = Person::login(addr, "thu.ky").await;
    let csv = controller.cwd.path().join("thu-tuc-giao-duc.csv");
    std::fs::write(&csv, sample_catalogue(agency)).unwrap();
    let csv_arg = csv.to_str().unwrap();
    let dry = controller
        .json(&["procedures", "import", csv_arg, "--publish", "--dry-run"])
        .await;
    assert_eq!(dry["created"], 12);
    assert_eq!(dry["validate_only"], true);
    assert_eq!(dry["errors"], Value::Array(Vec::new()));
    let listed = controller.json(&["procedures", "list"]).await;
    assert_eq!(listed["procedures"], Value::Array(Vec::new()));
    let report = controller.ok(&["procedures", "import", csv_arg, "--publish"]).await;
    assert_contains(
        &report,
        &["created:   12", "versioned: 0", "unchanged: 0", "are published"],
    );
    // A refused row is listed by row and column and exits with 4; the
    // other rows are imported (here: unchanged).
    let with_bad_row = controller.cwd.path().join("co-dong-loi.csv");
    std::fs::write(
        &with_bad_row,
        format!(
            "{}\n9.999999,Thủ tục thử,Giáo dục,Cấp xã,units/khong-co,5 ngày làm việc,,,,,,,",
            sample_catalogue(agency).trim_end()
        ),
    )
    .unwrap();
    let run = controller
        .run(
            &["procedures", "import", with_bad_row.to_str().unwrap(), "--publish"],
            "",
        )
        .await;
    assert_eq!(run.code, 4, "{}{}", run.stdout, run.stderr);
    assert_contains(&run.stdout, &["unchanged: 12", "row 14, Cơ quan thực hiện: "]);
    assert_contains(&run.stderr, &["1 row(s) refused"]);
    // The format follows the extension.
    let stderr = controller.fails(2, &["procedures", "import", "thu-tuc.txt"]).await;
    assert_contains(&stderr, &[".csv or .xlsx"]);

    let listed = controller.json(&["procedures", "list", "--all"]).await;
    assert_eq!(listed["procedures"].as_array().unwrap().len(), 12);
    let table = controller
        .ok(&["procedures", "list", "--filter", "field = \"Giáo dục trung học\""])
        .await;
    assert_contains(
        &table,
        &[
            "2.002481",
            "Chuyển trường đối với học sinh trung học cơ sở",
            "3 ngày làm việc",
        ],
    );
    let shown = controller.ok(&["procedures", "show", "2.002481"]).await;
    assert_contains(
        &shown,
        &[
            "Chuyển trường đối với học sinh trung học cơ sở",
            "Thẩm định hồ sơ, dự thảo kết quả",
            "Công chức Phòng Văn hóa - Xã hội",
            "Bản sao có chứng thực",
            "Thông tư số 50/2021/TT-BGDĐT",
            "Tính lại từ đầu",
            "Fees: none",
            "Phòng Giáo dục và Đào tạo",
        ],
    );
    assert!(!shown.contains(agency), "the agency by name: {shown}");
    let version = controller
        .json(&["procedures", "show", "procedures/2.002481/versions/1"])
        .await;
    assert_eq!(version["state"], "STATE_PUBLISHED");
    assert_eq!(version["version"]["number"], 1);
    assert_eq!(version["version"]["steps"][1]["working_hours"], 16);
    assert_eq!(
        version["version"]["required_documents"][3]["copy_kind"],
        "COPY_KIND_CERTIFIED_COPY"
    );
    assert_eq!(version["version"]["processing_time"]["working_days"], 3);
    controller.fails(15, &["procedures", "show", "9.999999"]).await;
    // Export: saved, and not written over without --force.
    let exported = controller.cwd.path().join("danh-muc.xlsx");
    let exported_arg = exported.to_str().unwrap();
    controller.ok(&["procedures", "export", exported_arg]).await;
    assert!(std::fs::read(&exported).unwrap().starts_with(b"PK"), "an XLSX is a zip");
    let stderr = controller.fails(2, &["procedures", "export", exported_arg]).await;
    assert_contains(&stderr, &["already exists", "--force"]);
    // Withdrawal needs a reason.
    controller.fails(2, &["procedures", "withdraw", "1.008950"]).await;
    let withdrawn = controller
        .json(&[
            "--reason",
            "Bãi bỏ theo Quyết định 12/QĐ-UBND",
            "procedures",
            "withdraw",
            "1.008950",
        ])
        .await;
    assert_eq!(withdrawn["state"], "STATE_WITHDRAWN");

    // The calendar: Monday 10/3/2025 08:00 plus 3 working days is Thursday 08:00.
    let clerk = Person::login(addr, "mot.cua").await;
    let three_days_from_monday = |agency| {
        [
            "calendar",
            "deadline",
            agency,
            "--received",
            "10/03/2025 08:00",
            "--days",
            "3",
        ]
    };
    let deadline = clerk.ok(&three_days_from_monday(unit_id)).await;
    assert_contains(&deadline, &["13/03/2025 08:00 (Thứ Năm)", "10/03/2025 08:00 (Thứ Hai)"]);
    let computed = clerk.json(&three_days_from_monday(agency)).await;
    assert_eq!(computed["due_time"], "2025-03-13T01:00:00Z");
    assert_eq!(computed["start_time"], "2025-03-10T01:00:00Z");
    // A supplement still awaited: no due time, the working time left (paused
    // after 08:00–11:30 and 13:30–14:00 were used).
    let waiting = clerk
        .json(
            &[
                &three_days_from_monday(agency)[..],
                &["--supplement", "10/03/2025 14:00..", "--pause"],
            ]
            .concat(),
        )
        .await;
    assert_eq!(waiting["due_time"], Value::Null);
    assert_eq!(waiting["remaining"], "72000s");
    let calendar = clerk.ok(&["calendar", "show", agency, "--year", "2025"]).await;
    assert_contains(
        &calendar,
        &[
            "07:00–11:30, 13:30–17:00",
            "Thứ Hai",
            "26/04/2025",
            "ngày làm bù",
            "30/04/2025",
        ],
    );

    // The counter receives: the code and the appointment come first.
    let received = clerk
        .ok(&[
            "dossiers",
            "receive",
            "--agency",
            agency,
            "--procedure",
            "2.002481",
            "--name",
            "Nguyễn Văn An",
            "--id-number",
            "031204001234",
            "--phone",
            "0912 345 678",
            "--summary",
            "Xin chuyển trường cho con",
            "--document",
            "Đơn xin chuyển trường|ban-chinh|1",
            "--document",
            "Giấy khai sinh|ban-sao-chung-thuc|1",
        ])
        .await;
    assert_contains(&received, &["CODE", "APPOINTMENT", "PGD-"]);
    let start = received.find("PGD-").unwrap();
    let code: String = received[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    let dossier = clerk.json(&["dossiers", "show", &code]).await;
    assert_eq!(dossier["code"], code.as_str());
    assert_eq!(dossier["status"], "DOSSIER_STATUS_RECEIVED");
    assert_eq!(dossier["channel"], "CHANNEL_DIRECT");
    assert_eq!(dossier["applicant"]["full_name"], "Nguyễn Văn An");
    assert_eq!(dossier["documents"][1]["copy_kind"], "COPY_KIND_CERTIFIED_COPY");
    assert_eq!(dossier["procedure_version"], "procedures/2.002481/versions/1");
    assert!(dossier["appointment_time"].is_string(), "{dossier}");
    let name = text(&dossier["name"]);
    let id = name.strip_prefix("dossiers/").unwrap().to_string();
    // A withdrawn procedure receives no new dossiers.
    clerk
        .fails(
            19,
            &[
                "dossiers",
                "receive",
                "--agency",
                agency,
                "--procedure",
                "1.008950",
                "--name",
                "Trần Thị Bình",
            ],
        )
        .await;

    // The receipt, under the name the server suggests; not written twice.
    clerk.ok(&["dossiers", "print", &code, "--form", "receipt"]).await;
    let receipt = clerk.cwd.path().join(format!("phieu-tiep-nhan-{code}.html"));
    let html = std::fs::read_to_string(&receipt).unwrap();
    assert_contains(&html, &["GIẤY TIẾP NHẬN HỒ SƠ", "Nguyễn Văn An", &code]);
    let stderr = clerk.fails(2, &["dossiers", "print", &id, "--form", "receipt"]).await;
    assert_contains(&stderr, &["already exists"]);
    let elsewhere = clerk.cwd.path().join("giay-hen.html");
    let printed = clerk
        .json(&[
            "dossiers",
            "print",
            &name,
            "--form",
            "receipt",
            "-O",
            elsewhere.to_str().unwrap(),
        ])
        .await;
    assert_eq!(printed["form"], "FORM_RECEIPT");
    assert_eq!(printed["path"], elsewhere.to_str().unwrap());
    assert!(
        std::fs::read_to_string(&elsewhere)
            .unwrap()
            .contains("GIẤY TIẾP NHẬN HỒ SƠ")
    );

    // The list shows the applicant to the counter, not to a viewer.
    let list = clerk.ok(&["dossiers", "list", "--agency", agency]).await;
    assert_contains(&list, &[&code, "Đã tiếp nhận", "Nguyễn Văn An", "APPOINTMENT"]);
    let viewer = Person::login(addr, "thanh.tra").await;
    let seen = viewer.json(&["dossiers", "list", "--agency", agency]).await;
    assert_eq!(seen["dossiers"][0]["code"], code.as_str());
    assert_eq!(seen["dossiers"][0]["applicant"], Value::Null);
    let list = viewer.ok(&["dossiers", "list"]).await;
    assert!(!list.contains("Nguyễn Văn An"), "{list}");
    let overdue = clerk.json(&["dossiers", "list", "--due", "overdue"]).await;
    assert_eq!(overdue["dossiers"], Value::Array(Vec::new()));
    let shown = clerk.ok(&["dossiers", "show", &id]).await;
    assert_contains(
        &shown,
        &[
            "Đã tiếp nhận",
            "Xin chuyển trường cho con",
            "Giấy khai sinh",
            "Bản sao có chứng thực",
            // The intake is the clerk's, done at receipt: step 1.
            "1. Tiếp nhận, kiểm tra và chuyển hồ sơ (intake, not handed over yet)",
            "1. Tiếp nhận, kiểm tra và chuyển hồ sơ (intake)",
            "History",
        ],
    );

    // Not waiting for a supplement: FAILED_PRECONDITION is exit 19.
    let stderr = clerk.fails(19, &["dossiers", "resume", &code]).await;
    assert_contains(&stderr, &["current state"]);
    // A supplement request needs its reason.
    clerk
        .fails(2, &["dossiers", "supplement", &code, "--document", "Học bạ"])
        .await;

    // The control slip: after the intake (step 1), the counter hands step 2
    // to the officer.
    let stderr = clerk
        .fails(
            19,
            &["dossiers", "handover", &code, "--step", "1", "--to", &officer.name],
        )
        .await;
    assert_contains(&stderr, &["the next hand-over is to step 2"]);
    let handed = clerk
        .json(&[
            "dossiers",
            "handover",
            &code,
            "--step",
            "2",
            "--to",
            &officer.name,
            "--note",
            "Đủ hồ sơ",
        ])
        .await;
    assert_eq!(handed["status"], "DOSSIER_STATUS_IN_PROGRESS");
    assert_eq!(handed["assignee"], officer.name.as_str());
    assert_eq!(handed["current_step"], 1);
    assert_eq!(handed["handovers"][0]["intake"], true);
    assert_eq!(handed["handovers"][1]["note"], "Đủ hồ sơ");
    let officer_session = Person::login(addr, "chuyen.vien").await;
    let mine = officer_session
        .json(&["dossiers", "list", "--assignee", &officer.name])
        .await;
    assert_eq!(mine["dossiers"][0]["name"], name.as_str());
    // Tables name the assignee, the agency and who handed over; JSON keeps the ids.
    let list = clerk.ok(&["dossiers", "list", "--agency", agency]).await;
    assert_contains(&list, &[&code, "Người dùng chuyen.vien"]);
    assert!(!list.contains(&officer.name), "{list}");
    let shown = clerk.ok(&["dossiers", "show", &code]).await;
    assert_contains(
        &shown,
        &["Người dùng chuyen.vien", "Người dùng mot.cua", &office.display_name],
    );
    assert!(!shown.contains("users/"), "{shown}");
    assert!(!shown.contains(agency), "{shown}");
    let completed = officer_session
        .json(&[
            "dossiers",
            "complete",
            &code,
            "--result",
            "Đồng ý chuyển trường",
            "--digitised",
        ])
        .await;
    assert_eq!(completed["status"], "DOSSIER_STATUS_COMPLETED");
    assert_eq!(completed["result_summary"], "Đồng ý chuyển trường");
    assert_eq!(completed["result_digitised"], true);
    assert_eq!(completed["outcome"], "OUTCOME_EARLY");
    let shown = officer_session.ok(&["dossiers", "show", &name]).await;
    assert_contains(
        &shown,
        &[
            "Đã có kết quả",
            "Trước hạn",
            "1. Tiếp nhận, kiểm tra và chuyển hồ sơ",
            "Control slip",
        ],
    );

    // The counter returns the result and records the rating, once.
    let returned = clerk.json(&["dossiers", "return", &code]).await;
    assert_eq!(returned["status"], "DOSSIER_STATUS_RETURNED");
    let rated = clerk
        .json(&[
            "dossiers",
            "rate",
            &code,
            "very-satisfied",
            "--comment",
            "Nhanh, chu đáo",
        ])
        .await;
    assert_eq!(rated["satisfaction"], "SATISFACTION_VERY_SATISFIED");
    let stderr = clerk.fails(19, &["dossiers", "rate", &code, "satisfied"]).await;
    assert_contains(&stderr, &["already rated"]);
    let shown = clerk.ok(&["dossiers", "show", &code]).await;
    assert_contains(&shown, &["Đã trả kết quả", "Rất hài lòng"]);
    clerk.fails(15, &["dossiers", "show", "PGD-200101-9999"]).await;

    // The control slip and the year's register print too.
    let slip = clerk
        .json(&[
            "dossiers",
            "print",
            &code,
            "--form",
            "control-slip",
            "-O",
            clerk.cwd.path().to_str().unwrap(),
        ])
        .await;
    let slip_html = std::fs::read_to_string(text(&slip["path"])).unwrap();
    assert_contains(&slip_html, &["PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ"]);
    let today = (Utc::now() + Duration::hours(7)).date_naive();
    let year = today.format("%Y").to_string();
    let register = clerk.cwd.path().join("so-theo-doi.html");
    clerk
        .ok(&[
            "dossiers",
            "print",
            "--register",
            "--agency",
            agency,
            "--year",
            &year,
            "-O",
            register.to_str().unwrap(),
        ])
        .await;
    assert_contains(
        &std::fs::read_to_string(&register).unwrap(),
        &["SỔ THEO DÕI HỒ SƠ", &code],
    );

    // The statistics count the one dossier received.
    let from = (today - Duration::days(1)).format("%d/%m/%Y").to_string();
    let to = (today + Duration::days(1)).format("%d/%m/%Y").to_string();
    let stats = viewer
        .json(&["dossiers", "stats", "--agency", agency, "--from", &from, "--to", &to])
        .await;
    assert_eq!(stats["received"], 1);
    assert_eq!(stats["early"], 1);
    assert_eq!(stats["rated"], 1);
    assert_eq!(stats["on_time_rate"], 1.0);
    assert_eq!(stats["satisfaction_rate"], 1.0);
    let table = viewer
        .ok(&[
            "dossiers",
            "stats",
            "--agency",
            agency,
            "--procedure",
            "2.002481",
            "--from",
            &from,
            "--to",
            &to,
        ])
        .await;
    assert_contains(&table, &["received", "100,0%"]);
    viewer
        .fails(
            2,
            &["dossiers", "stats", "--agency", agency, "--from", &to, "--to", &from],
        )
        .await;

    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receipt_into_an_unconfirmed_calendar_year_waits_for_the_administrator_to_confirm_it() {
    // Tuesday 29/12/2026, 09:00: three working days run into 2027, a year
    // nobody has confirmed the days off of.
    let (clock, _time) = Clock::manual(local_time(2026, 12, 29, 9, 0));
    let server = TestServer::start_with_clock(Backend::fresh().await, clock).await;
    let office = server.education_office().await;
    server.transfer_procedure(&office.controller, &office.unit.name).await;
    let clerk = Person::with_role(&server, "mot.cua", Role::CounterStaff, &office.unit.name).await;
    let agency = office.unit.name.as_str();
    let unit_id = agency.strip_prefix("units/").unwrap();
    let receive = |name: &'static str| {
        [
            "dossiers",
            "receive",
            "--agency",
            agency,
            "--procedure",
            "2.002481",
            "--name",
            name,
        ]
    };

    // The clerk is told the year, who confirms it, and how.
    let stderr = clerk.fails(19, &receive("Nguyễn Văn An")).await;
    assert_contains(
        &stderr,
        &[
            "the 2027 holiday calendar is not confirmed yet",
            "an administrator (role ROLE_ADMIN)",
            &format!("`eiso calendar confirm {unit_id} --year 2027`"),
        ],
    );
    // And cannot do it.
    clerk
        .fails(17, &["calendar", "confirm", unit_id, "--year", "2027"])
        .await;

    // The administrator confirms the rules' proposal; a second time changes nothing.
    let admin = Person::admin(server.addr).await;
    let run = admin.run(&["calendar", "confirm", unit_id, "--year", "2027"], "").await;
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_contains(
        &run.stdout,
        &["Days off and make-up working days in 2027, confirmed", "01/01/2027"],
    );
    assert_contains(&run.stderr, &["2027 is confirmed"]);
    let again = admin.run(&["calendar", "confirm", agency, "--year", "2027"], "").await;
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_contains(&again.stderr, &["2027 is already confirmed: nothing changed"]);
    let shown = admin.json(&["calendar", "show", unit_id, "--year", "2027"]).await;
    assert_eq!(shown["year"]["proposal"], false);

    // Now the receipt goes through: 6 h on Tuesday, Wednesday, Thursday, and
    // 1/1 off: due Monday 4/1/2027 at 09:00.
    let first = clerk.json(&receive("Nguyễn Văn An")).await;
    assert_eq!(first["due_time"], "2027-01-04T02:00:00Z", "{first}");

    // The government announces Monday 4/1 off as well: the administrator
    // confirms the corrected days from a file, and they count.
    let mut corrected = admin.json(&["calendar", "propose", unit_id, "--year", "2027"]).await;
    corrected["days_off"].as_array_mut().unwrap().push(serde_json::json!({
        "date": { "year": 2027, "month": 1, "day": 4 },
        "label": "Nghỉ bù Tết Dương lịch",
    }));
    let file = admin.cwd.path().join("2027.json");
    std::fs::write(&file, corrected.to_string()).unwrap();
    let file = file.to_str().unwrap();
    let stderr = admin
        .fails(2, &["calendar", "confirm", unit_id, "--year", "2028", "--from", file])
        .await;
    assert_contains(&stderr, &["holds the year 2027, not 2028"]);
    let replaced = admin
        .json(&["calendar", "confirm", unit_id, "--year", "2027", "--from", file])
        .await;
    assert_eq!(replaced["proposal"], false);
    assert!(
        replaced["days_off"]
            .as_array()
            .unwrap()
            .iter()
            .any(|day| day["label"] == "Nghỉ bù Tết Dương lịch"),
        "{replaced}"
    );
    let second = clerk.json(&receive("Trần Thị Bình")).await;
    assert_eq!(second["due_time"], "2027-01-05T02:00:00Z", "{second}");
    server.stop().await;
}
