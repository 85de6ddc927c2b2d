//! Values that decode but make no sense for the domain are refused with
//! INVALID_ARGUMENT naming the field, and errors stay small however bad the
//! request: timestamps outside the years an office works in, enum numbers the
//! proto does not define, calendar years out of range, file names that mean a
//! path, oversized drafts, and a CSV of 100,000 columns.

use eiso_proto::eiso::documents::v1::*;
use eiso_proto::eiso::identity::v1::Role;
use eiso_proto::eiso::procedures::v1::*;
use eiso_proto::prost_types::Timestamp;
use eiso_tests::TestServer;
use eiso_tests::counter::{Office, transfer_version};
use eiso_tests::documents;
use eiso_tests::values::bad_fields;
use tonic::Code;

fn assert_invalid(result: Result<impl std::fmt::Debug, tonic::Status>, field: &str, case: &str) {
    let status = result.expect_err(case);
    assert_eq!(status.code(), Code::InvalidArgument, "{case}: {status:?}");
    assert_eq!(bad_fields(&status), [field], "{case}: {status:?}");
}

/// 1 January 10000, 2^62 seconds either way, and bad nanos.
fn absurd_times() -> Vec<(&'static str, Timestamp)> {
    vec![
        (
            "year 10000",
            Timestamp {
                seconds: 253_402_300_800,
                nanos: 0,
            },
        ),
        (
            "2^62",
            Timestamp {
                seconds: 1 << 62,
                nanos: 0,
            },
        ),
        (
            "-2^62",
            Timestamp {
                seconds: -(1 << 62),
                nanos: 0,
            },
        ),
        (
            "year 2200",
            Timestamp {
                seconds: 7_258_118_400,
                nanos: 0,
            },
        ),
        (
            "negative nanos",
            Timestamp {
                seconds: 1_750_000_000,
                nanos: -1,
            },
        ),
        (
            "nanos of a second",
            Timestamp {
                seconds: 1_750_000_000,
                nanos: 1_000_000_000,
            },
        ),
    ]
}

/// The transfer procedure, with one step.
fn version(agency: &str) -> ProcedureVersion {
    ProcedureVersion {
        steps: vec![ProcedureStep {
            display_name: "Tiếp nhận".into(),
            handler: "Một cửa".into(),
            working_hours: 4,
        }],
        ..transfer_version(agency)
    }
}

#[tokio::test]
async fn timestamps_outside_the_domain_are_refused() {
    let server = TestServer::start().await;
    let Office {
        unit: office,
        controller,
    } = server.education_office().await;
    let (_, leader) = server.user_with_role("lanh.dao", Role::Leader, &office.name).await;
    let mut documents = server.documents(&controller);
    let mut calendars = server.calendars(&controller);
    let mut dossiers = server.dossiers(&leader);

    for (case, time) in absurd_times() {
        assert_invalid(
            documents
                .get_document(GetDocumentRequest {
                    name: "documents/x".into(),
                    as_of_time: Some(time),
                })
                .await,
            "as_of_time",
            case,
        );
        assert_invalid(
            documents
                .list_records_due_for_disposition(ListRecordsDueForDispositionRequest {
                    as_of_time: Some(time),
                    ..Default::default()
                })
                .await,
            "as_of_time",
            case,
        );
        assert_invalid(
            calendars
                .compute_deadline(ComputeDeadlineRequest {
                    calendar: format!("calendars/{}", office.name.trim_start_matches("units/")),
                    receive_time: Some(time),
                    processing_time: Some(ProcessingTime {
                        budget: Some(processing_time::Budget::WorkingDays(3)),
                    }),
                    ..Default::default()
                })
                .await,
            "receive_time",
            case,
        );
        // The finding: an extension to the year 10000 was stored and printed.
        assert_invalid(
            dossiers
                .extend_dossier(ExtendDossierRequest {
                    name: "dossiers/x".into(),
                    reason: "Cần xác minh thêm".into(),
                    new_appointment_time: Some(time),
                })
                .await,
            "new_appointment_time",
            case,
        );
        // An external document's issue time.
        assert_invalid(
            documents
                .create_document(CreateDocumentRequest {
                    document: Some(Document {
                        code: "QD-12".into(),
                        title: "Quyết định của UBND".into(),
                        confidentiality: Confidentiality::Internal as i32,
                        r#type: DocumentType::External as i32,
                        owner_unit: office.name.clone(),
                        external_origin: Some(ExternalOrigin {
                            issuer: "UBND huyện".into(),
                            reference: "12/QĐ-UBND".into(),
                            issue_time: Some(time),
                        }),
                        ..Default::default()
                    }),
                    ..Default::default()
                })
                .await,
            "document.external_origin.issue_time",
            case,
        );
    }

    // Dates too: statistics over the year 10000.
    assert_invalid(
        server
            .dossiers(&server.admin_token)
            .get_service_statistics(GetServiceStatisticsRequest {
                agency: office.name.clone(),
                start_date: Some(LocalDate {
                    year: 2025,
                    month: 1,
                    day: 1,
                }),
                end_date: Some(LocalDate {
                    year: 10_000,
                    month: 1,
                    day: 1,
                }),
                ..Default::default()
            })
            .await,
        "end_date",
        "statistics to 10000",
    );
    server.stop().await;
}

#[tokio::test]
async fn unknown_enum_values_and_calendar_years_are_refused() {
    let server = TestServer::start().await;
    let office = server
        .create_unit("PGD", "Phòng Giáo dục", &server.root_unit().await.name)
        .await;
    let (_, controller) = server.user_with_role("thu.ky", Role::Admin, &office.name).await;
    let mut calendars = server.calendars(&controller);
    let calendar = format!("calendars/{}", office.name.trim_start_matches("units/"));
    let request = |mode: i32| ComputeDeadlineRequest {
        calendar: calendar.clone(),
        receive_time: Some(Timestamp {
            seconds: 1_767_229_200,
            nanos: 0,
        }), // 2026-01-01 01:00 UTC
        processing_time: Some(ProcessingTime {
            budget: Some(processing_time::Budget::WorkingDays(3)),
        }),
        supplement_mode: mode,
        ..Default::default()
    };
    // The finding: a supplement mode of 9 was taken as RESTART.
    assert_invalid(
        calendars.compute_deadline(request(9)).await,
        "supplement_mode",
        "mode 9",
    );
    assert_invalid(
        calendars.compute_deadline(request(-1)).await,
        "supplement_mode",
        "mode -1",
    );
    let restart = calendars
        .compute_deadline(request(SupplementMode::Restart as i32))
        .await
        .unwrap();
    let unset = calendars.compute_deadline(request(0)).await.unwrap();
    assert_eq!(
        restart.into_inner(),
        unset.into_inner(),
        "unset is RESTART, as the proto says"
    );

    // Calendar years outside 1900..=2199: INVALID_ARGUMENT, never FAILED_PRECONDITION.
    for year in [1899, 2200, 10_000, -5] {
        let name = format!("{calendar}/years/{year}");
        assert_invalid(
            calendars
                .get_calendar_year(GetCalendarYearRequest { name: name.clone() })
                .await,
            "name",
            &format!("get {year}"),
        );
        assert_invalid(
            calendars
                .propose_calendar_year(ProposeCalendarYearRequest { name: name.clone() })
                .await,
            "name",
            &format!("propose {year}"),
        );
    }
    // The last year of the range has its proposal (its Tết is in the lunar tables).
    let last = calendars
        .propose_calendar_year(ProposeCalendarYearRequest {
            name: format!("{calendar}/years/2199"),
        })
        .await;
    match last {
        Ok(_) => {}
        Err(status) => assert_eq!(status.code(), Code::InvalidArgument, "{status:?}"),
    }
    // A deadline that would run past 2199 is the request's fault too.
    let status = calendars
        .compute_deadline(ComputeDeadlineRequest {
            receive_time: Some(Timestamp {
                seconds: 7_258_000_000,
                nanos: 0,
            }), // late December 2199
            processing_time: Some(ProcessingTime {
                budget: Some(processing_time::Budget::WorkingDays(365)),
            }),
            ..request(0)
        })
        .await
        .unwrap_err();
    assert_ne!(status.code(), Code::Internal, "{status:?}");
    server.stop().await;
}

/// Uploads a one-line PDF named `file_name` to a document that does not exist.
async fn upload(client: &mut eiso_tests::Documents, file_name: &str) -> Result<File, tonic::Status> {
    documents::upload(client, "documents/x", file_name, documents::PDF, b"%PDF-1.4").await
}

#[tokio::test]
async fn file_names_that_mean_a_path_are_refused() {
    let server = TestServer::start().await;
    let Office { controller, .. } = server.education_office().await;
    let mut documents = server.documents(&controller);
    let long = "a".repeat(256);
    for name in [
        "..",
        ".",
        "",
        "   ",
        "../../etc/passwd",
        "a/b.pdf",
        "a\\b.pdf",
        "a\0b.pdf",
        "a\u{7}b.pdf",
        &long,
    ] {
        assert_invalid(
            upload(&mut documents, name).await,
            "header.file_name",
            &format!("{name:?}"),
        );
    }
    // A good name gets past the name check (to the missing parent).
    let status = upload(&mut documents, "Quyết định 12.pdf").await.unwrap_err();
    assert_ne!(bad_fields(&status), ["header.file_name"], "{status:?}");
    server.stop().await;
}

#[tokio::test]
async fn a_draft_procedure_is_bounded_in_size() {
    let server = TestServer::start().await;
    let Office {
        unit: office,
        controller,
    } = server.education_office().await;
    let mut catalogue = server.catalogue(&controller);
    let step = ProcedureStep {
        display_name: "Bước".into(),
        handler: "Một cửa".into(),
        working_hours: 1,
    };
    let cases: Vec<(&str, ProcedureVersion)> = vec![
        (
            "version.steps",
            ProcedureVersion {
                steps: vec![step; 51],
                ..version(&office.name)
            },
        ),
        (
            "version.legal_basis",
            ProcedureVersion {
                legal_basis: vec!["Luật Giáo dục 2019".into(); 10_000],
                ..version(&office.name)
            },
        ),
        (
            "version.fees",
            ProcedureVersion {
                fees: vec![
                    Fee {
                        description: "Lệ phí".into(),
                        amount_vnd: 1000
                    };
                    51
                ],
                ..version(&office.name)
            },
        ),
        (
            "version.required_documents",
            ProcedureVersion {
                required_documents: vec![
                    RequiredDocument {
                        display_name: "Đơn".into(),
                        copy_kind: CopyKind::Original as i32,
                        sets: 1,
                    };
                    101
                ],
                ..version(&office.name)
            },
        ),
        (
            "version.display_name",
            ProcedureVersion {
                display_name: "Đ".repeat(501),
                ..version(&office.name)
            },
        ),
        (
            "version.agency",
            ProcedureVersion {
                agency: format!("units/{}", "x".repeat(300)),
                ..version(&office.name)
            },
        ),
    ];
    for (field, bad) in cases {
        let status = catalogue
            .create_procedure(CreateProcedureRequest {
                code: "2.002481".into(),
                version: Some(bad),
                request_id: String::new(),
            })
            .await
            .unwrap_err();
        assert_eq!(status.code(), Code::InvalidArgument, "{field}: {status:?}");
        assert_eq!(bad_fields(&status), [field], "{field}: {status:?}");
        assert!(
            status.message().len() < 4096,
            "{field}: {} bytes",
            status.message().len()
        );
    }
    // The same bounds hold for a new version and for an update.
    let created = catalogue
        .create_procedure(CreateProcedureRequest {
            code: "2.002481".into(),
            version: Some(version(&office.name)),
            request_id: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    let status = catalogue
        .update_procedure_version(UpdateProcedureVersionRequest {
            version: Some(ProcedureVersion {
                steps: vec![
                    ProcedureStep {
                        display_name: "Bước".into(),
                        handler: String::new(),
                        working_hours: 1,
                    };
                    1000
                ],
                ..created.version.clone().unwrap()
            }),
            etag: created.version.clone().unwrap().etag,
        })
        .await
        .unwrap_err();
    assert_eq!(bad_fields(&status), ["version.steps"], "{status:?}");
    server.stop().await;
}

#[tokio::test]
async fn a_hundred_thousand_bad_columns_make_a_small_error() {
    let server = TestServer::start().await;
    let Office { controller, .. } = server.education_office().await;
    let mut catalogue = server.catalogue(&controller);
    let header: Vec<String> = (0..100_000).map(|i| format!("Cột lạ số {i}")).collect();
    let content = format!("{}\n{}\n", header.join(","), vec!["x"; 100_000].join(",")).into_bytes();
    assert!(content.len() > 1_000_000);
    let status = catalogue
        .import_procedures(ImportProceduresRequest {
            format: TableFormat::Csv as i32,
            content,
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument, "{}", status.message());
    let message = status.message().len();
    let details = status.details().len();
    println!("ImportProcedures with 100,000 columns: message {message} bytes, details {details} bytes");
    assert!(message <= 4096, "message of {message} bytes");
    assert!(details <= 4096, "details of {details} bytes");

    // The failed import's audit entry is bounded too.
    let entries = server
        .audit_entries(
            "trails/procedures",
            "method = \"/eiso.procedures.v1.ProcedureService/ImportProcedures\"",
        )
        .await;
    let entry = entries.last().expect("the failed import is in the trail");
    assert_eq!(entry.code, Code::InvalidArgument as i32);
    println!("its audit entry: message {} bytes", entry.message.len());
    assert!(
        entry.message.len() <= 4096,
        "audit message of {} bytes",
        entry.message.len()
    );
    server.stop().await;
}

#[tokio::test]
async fn an_import_of_many_bad_rows_lists_the_first_hundred_and_counts_them_all() {
    let server = TestServer::start().await;
    let Office {
        unit: _,
        controller: editor,
    } = server.education_office().await;
    let sample = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../services/procedures/samples/thu-tuc-giao-duc.csv"
    ))
    .unwrap();
    let header = sample.lines().next().unwrap();
    let mut csv = format!("{header}\n");
    for i in 0..300 {
        csv.push_str(&format!(
            "9.{i:06},Thủ tục thử,Giáo dục,Cấp xã,units/khong-co,3 ngày làm việc,Tính lại từ đầu,,,,,,\n"
        ));
    }
    let response = server
        .catalogue(&editor)
        .import_procedures(ImportProceduresRequest {
            format: TableFormat::Csv as i32,
            content: csv.into_bytes(),
            publish: false,
            validate_only: true,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(response.errors.len(), 100, "the first hundred are listed");
    assert!(response.error_count >= 300, "{}", response.error_count);
    assert_eq!(response.created, 0);
    server.stop().await;
}
