//! The office calendar and the procedures catalogue through the API.

use eiso_proto::eiso::identity::v1::Role;
use eiso_proto::eiso::procedures::v1::*;
use eiso_proto::prost_types::Timestamp;
use eiso_tests::TestServer;
use eiso_tests::counter::Office;
use tonic::Code;

/// A local (UTC+7) time as a timestamp.
fn local(y: i32, m: u32, d: u32, h: u32, min: u32) -> Timestamp {
    let utc = chrono::NaiveDate::from_ymd_opt(y, m, d)
        .unwrap()
        .and_hms_opt(h, min, 0)
        .unwrap()
        - chrono::Duration::hours(7);
    Timestamp {
        seconds: utc.and_utc().timestamp(),
        nanos: 0,
    }
}

fn days(n: i32) -> Option<ProcessingTime> {
    Some(ProcessingTime {
        budget: Some(processing_time::Budget::WorkingDays(n)),
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deadlines_are_computed_on_the_agency_calendar() {
    let server = TestServer::start().await;
    let office = server
        .create_unit("PGD", "Phòng Giáo dục và Đào tạo", &server.root_unit().await.name)
        .await;
    let unit_id = office.name.trim_start_matches("units/");
    let calendar_name = format!("calendars/{unit_id}");
    let mut calendars = server.calendars(&server.admin_token);

    let calendar = calendars
        .get_calendar(GetCalendarRequest {
            name: calendar_name.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(calendar.office_hours.len(), 2, "07:00–11:30 and 13:30–17:00 by default");
    let years: Vec<i32> = calendars
        .list_calendar_years(ListCalendarYearsRequest {
            parent: calendar_name.clone(),
        })
        .await
        .unwrap()
        .into_inner()
        .years
        .iter()
        .map(|y| y.year)
        .collect();
    assert_eq!(years, [2024, 2025, 2026], "shipped years");

    let compute =
        |received: Timestamp, n: i32, suspensions: Vec<Suspension>, mode: SupplementMode| ComputeDeadlineRequest {
            calendar: calendar_name.clone(),
            receive_time: Some(received),
            processing_time: days(n),
            suspensions,
            supplement_mode: mode as i32,
        };
    // Monday 10/3/2025 08:00 + 1 working day → Tuesday 08:00.
    let due = calendars
        .compute_deadline(compute(local(2025, 3, 10, 8, 0), 1, vec![], SupplementMode::Restart))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(due.due_time.unwrap(), local(2025, 3, 11, 8, 0));
    // Received on a Sunday: the clock starts Monday 07:00, and one working
    // day (8 h) runs out exactly at Monday's closing time, which is the due time.
    let due = calendars
        .compute_deadline(compute(local(2025, 3, 9, 10, 0), 1, vec![], SupplementMode::Restart))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(due.start_time.unwrap(), local(2025, 3, 10, 7, 0));
    assert_eq!(due.due_time.unwrap(), local(2025, 3, 10, 17, 0));
    // A supplement requested Monday 14:00 and received Wednesday 14:00 with
    // 3 working days: restart counts 24 h from Wednesday 14:00 (Wed 3 h, Thu
    // 8 h, Fri 8 h, Mon 07:00–11:30 and 13:30–14:00 → Monday 14:00); pause
    // keeps the 4 h used before the request (Mon 08:00–11:30, 13:30–14:00), so
    // 20 h are left from Wed 14:00 (Wed 3, Thu 8, Fri 8, Mon 07:00–08:00 →
    // Monday 08:00).
    let supplement = vec![Suspension {
        start_time: Some(local(2025, 3, 10, 14, 0)),
        end_time: Some(local(2025, 3, 12, 14, 0)),
    }];
    let restart = calendars
        .compute_deadline(compute(
            local(2025, 3, 10, 8, 0),
            3,
            supplement.clone(),
            SupplementMode::Restart,
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(restart.due_time.unwrap(), local(2025, 3, 17, 14, 0));
    let pause = calendars
        .compute_deadline(compute(local(2025, 3, 10, 8, 0), 3, supplement, SupplementMode::Pause))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(pause.due_time.unwrap(), local(2025, 3, 17, 8, 0));

    // 2027 is not configured: an administrator must confirm it.
    let status = calendars
        .compute_deadline(compute(local(2027, 3, 10, 8, 0), 1, vec![], SupplementMode::Restart))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::FailedPrecondition);
    let proposal = calendars
        .propose_calendar_year(ProposeCalendarYearRequest {
            name: format!("{calendar_name}/years/2027"),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(proposal.proposal);
    // Tết 2027 (Đinh Mùi) falls on 6 February.
    assert!(proposal.days_off.iter().any(|d| d.date
        == Some(LocalDate {
            year: 2027,
            month: 2,
            day: 6
        })));
    let confirmed = calendars
        .update_calendar_year(UpdateCalendarYearRequest {
            year: Some(CalendarYear {
                name: proposal.name.clone(),
                ..proposal.clone()
            }),
            etag: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(!confirmed.proposal);
    calendars
        .compute_deadline(compute(local(2027, 3, 10, 8, 0), 1, vec![], SupplementMode::Restart))
        .await
        .unwrap();

    // Only administrators change calendars.
    let (_, counter) = server.user_with_role("mot.cua", Role::CounterStaff, &office.name).await;
    let status = server
        .calendars(&counter)
        .update_calendar_year(UpdateCalendarYearRequest {
            year: Some(confirmed),
            etag: String::new(),
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::PermissionDenied);
    server.stop().await;
}

fn transfer_procedure(agency: &str, hours: [i32; 3]) -> ProcedureVersion {
    ProcedureVersion {
        display_name: "Chuyển trường đối với học sinh trung học cơ sở".into(),
        field: "Giáo dục trung học".into(),
        level: ProcedureLevel::Commune as i32,
        agency: agency.into(),
        processing_time: days(3),
        steps: vec![
            ProcedureStep {
                display_name: "Tiếp nhận hồ sơ".into(),
                handler: "Bộ phận một cửa".into(),
                working_hours: hours[0],
            },
            ProcedureStep {
                display_name: "Thẩm định, trình ký".into(),
                handler: "Chuyên viên".into(),
                working_hours: hours[1],
            },
            ProcedureStep {
                display_name: "Ký duyệt".into(),
                handler: "Lãnh đạo phòng".into(),
                working_hours: hours[2],
            },
        ],
        required_documents: vec![RequiredDocument {
            display_name: "Đơn xin chuyển trường".into(),
            copy_kind: CopyKind::Original as i32,
            sets: 1,
        }],
        legal_basis: vec!["Thông tư 50/2021/TT-BGDĐT".into()],
        online_level: OnlineLevel::Full as i32,
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn procedures_are_versioned() {
    let server = TestServer::start().await;
    let Office {
        unit: office,
        controller: editor,
    } = server.education_office().await;
    let mut catalogue = server.catalogue(&editor);

    // Steps that do not add up to 3 working days (24 h) cannot be published.
    let created = catalogue
        .create_procedure(CreateProcedureRequest {
            code: "2.002481".into(),
            version: Some(transfer_procedure(&office.name, [4, 12, 4])),
            request_id: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(created.name, "procedures/2.002481");
    assert_eq!(created.state, procedure::State::Draft as i32);
    let v1 = created.version.unwrap();
    let status = catalogue
        .publish_procedure_version(PublishProcedureVersionRequest { name: v1.name.clone() })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::FailedPrecondition);
    assert!(status.message().contains("20"), "{}", status.message());
    catalogue
        .update_procedure_version(UpdateProcedureVersionRequest {
            version: Some(ProcedureVersion {
                name: v1.name.clone(),
                ..transfer_procedure(&office.name, [4, 16, 4])
            }),
            etag: String::new(),
        })
        .await
        .unwrap();
    let published = catalogue
        .publish_procedure_version(PublishProcedureVersionRequest { name: v1.name.clone() })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(published.state, procedure_version::State::Published as i32);

    // A published version never changes; a new one is drafted and published.
    let status = catalogue
        .update_procedure_version(UpdateProcedureVersionRequest {
            version: Some(ProcedureVersion {
                name: v1.name.clone(),
                ..transfer_procedure(&office.name, [4, 16, 4])
            }),
            etag: String::new(),
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::FailedPrecondition);
    let v2 = catalogue
        .create_procedure_version(CreateProcedureVersionRequest {
            parent: "procedures/2.002481".into(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(v2.number, 2);
    let mut content = transfer_procedure(&office.name, [4, 16, 4]);
    content.fees = vec![Fee {
        description: "Không thu phí".into(),
        amount_vnd: 0,
    }];
    catalogue
        .update_procedure_version(UpdateProcedureVersionRequest {
            version: Some(ProcedureVersion {
                name: v2.name.clone(),
                ..content
            }),
            etag: String::new(),
        })
        .await
        .unwrap();
    catalogue
        .publish_procedure_version(PublishProcedureVersionRequest { name: v2.name.clone() })
        .await
        .unwrap();

    let current = catalogue
        .get_procedure(GetProcedureRequest {
            name: "procedures/2.002481".into(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (current.published_version, current.version.as_ref().unwrap().number),
        (2, 2)
    );
    let old = catalogue
        .get_procedure(GetProcedureRequest { name: v1.name.clone() })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(old.version.unwrap().state, procedure_version::State::Superseded as i32);

    let listed = catalogue
        .list_procedures(ListProceduresRequest {
            filter: "field = \"Giáo dục trung học\" AND state = STATE_PUBLISHED".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .procedures;
    assert_eq!(listed.len(), 1);

    // Bad input names the fields.
    let status = catalogue
        .create_procedure(CreateProcedureRequest {
            code: "2.002481/x".into(),
            version: None,
            request_id: String::new(),
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument);
    let status = catalogue
        .create_procedure(CreateProcedureRequest {
            code: "2.000001".into(),
            version: Some(ProcedureVersion::default()),
            request_id: String::new(),
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument);
    assert!(
        status.message().contains("version.display_name"),
        "{}",
        status.message()
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_catalogue_imports_and_exports_as_csv_and_xlsx() {
    let server = TestServer::start().await;
    let office = server
        .create_unit("VHXH", "Phòng Văn hóa - Xã hội", &server.root_unit().await.name)
        .await;
    let (_, editor) = server
        .user_with_role("thu.ky", Role::DocumentController, &office.name)
        .await;
    let mut catalogue = server.catalogue(&editor);
    let sample = include_str!("../../services/procedures/samples/thu-tuc-giao-duc.csv")
        .replace("units/replace-me", &office.name);

    // A dry run changes nothing.
    let dry = catalogue
        .import_procedures(ImportProceduresRequest {
            format: TableFormat::Csv as i32,
            content: sample.clone().into_bytes(),
            publish: true,
            validate_only: true,
        })
        .await
        .unwrap()
        .into_inner();
    assert!(dry.errors.is_empty(), "{:?}", dry.errors);
    assert_eq!(dry.created, 12);
    let listed = catalogue
        .list_procedures(ListProceduresRequest::default())
        .await
        .unwrap()
        .into_inner()
        .procedures;
    assert!(listed.is_empty());

    let imported = catalogue
        .import_procedures(ImportProceduresRequest {
            format: TableFormat::Csv as i32,
            content: sample.clone().into_bytes(),
            publish: true,
            validate_only: false,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (imported.created, imported.versioned, imported.unchanged),
        (12, 0, 0),
        "{:?}",
        imported.errors
    );

    // Export as XLSX and import it back: nothing changes.
    let xlsx = catalogue
        .export_procedures(ExportProceduresRequest {
            format: TableFormat::Xlsx as i32,
            filter: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(xlsx.file_name, "thu-tuc-hanh-chinh.xlsx");
    let again = catalogue
        .import_procedures(ImportProceduresRequest {
            format: TableFormat::Xlsx as i32,
            content: xlsx.content,
            publish: true,
            validate_only: false,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (again.created, again.versioned, again.unchanged),
        (0, 0, 12),
        "{:?}",
        again.errors
    );

    // One changed row drafts and publishes a new version; a bad row is reported
    // with its row and column and does not stop the rest.
    let changed = sample.replacen("3 ngày làm việc", "2 ngày làm việc", 1);
    let mut lines: Vec<&str> = changed.lines().collect();
    let bad = "9.999999,Thủ tục thử,Giáo dục,Cấp xã,units/does-not-exist,5 ngày làm việc,,,,,,,";
    lines.push(bad);
    let result = catalogue
        .import_procedures(ImportProceduresRequest {
            format: TableFormat::Csv as i32,
            content: lines.join("\n").into_bytes(),
            publish: true,
            validate_only: false,
        })
        .await
        .unwrap()
        .into_inner();
    // The first procedure's steps no longer add up to 2 days, and the last
    // row names an agency that does not exist: both reported on their rows and
    // columns; the other eleven are unchanged.
    let errors: Vec<(i32, &str)> = result.errors.iter().map(|e| (e.row, e.column.as_str())).collect();
    assert_eq!(
        errors,
        [(2, "Các bước"), (14, "Cơ quan thực hiện")],
        "{:?}",
        result.errors
    );
    assert_eq!(result.unchanged, 11, "{result:?}");

    // Garbage is an INVALID_ARGUMENT naming the content.
    let status = catalogue
        .import_procedures(ImportProceduresRequest {
            format: TableFormat::Xlsx as i32,
            content: b"not a workbook".to_vec(),
            publish: false,
            validate_only: false,
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument);
    server.stop().await;
}
