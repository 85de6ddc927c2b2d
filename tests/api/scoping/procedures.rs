//! Calendars, the procedures catalogue and dossiers of S1.

use eiso_proto::eiso::procedures::v1::*;
use eiso_proto::prost_types::Timestamp;
use eiso_tests::TestServer;
use eiso_tests::counter::{primary_transfer_version, transfer_receipt};
use eiso_tests::values::mask;

use super::identity::fresh;
use super::{Call, Case, Seen, Units};
use crate::{listed, unary};

#[derive(Debug, Clone, Default)]
pub struct Fixture {
    /// `calendars/{S1 id}`, its current year (as stored) and the next one.
    pub calendar: String,
    pub year: CalendarYear,
    pub next_year: String,
    /// Published procedures of S1: one received on, one to withdraw.
    pub procedure: String,
    pub withdrawn: String,
    /// A draft version 2 of a third published procedure.
    pub draft: ProcedureVersion,
    /// A dossier received at S1.
    pub dossier: String,
    /// The catalogue sample, its rows performed by S1.
    pub import: Vec<u8>,
}

async fn published(catalogue: &mut eiso_tests::Catalogue, code: &str, agency: &str) -> Procedure {
    eiso_tests::counter::publish_procedure(catalogue, code, primary_transfer_version(agency)).await
}

fn applicant() -> Option<Applicant> {
    Some(Applicant {
        full_name: "Trần Thị Bình".into(),
        id_number: "031204009876".into(),
        phone: "0987 654 321".into(),
        address: "Số 12, phường Lạch Tray, Hải Phòng".into(),
        email: String::new(),
        r#type: eiso_proto::eiso::procedures::v1::ApplicantType::Citizen as i32,
    })
}

/// The [`transfer_receipt`] of [`applicant`]'s dossier for `procedure`.
fn receive(agency: &str, procedure: &str) -> ReceiveDossierRequest {
    ReceiveDossierRequest {
        procedure: procedure.into(),
        applicant: applicant(),
        ..transfer_receipt(agency, "", Channel::Direct)
    }
}

fn now_plus_days(days: i64) -> Timestamp {
    let time = chrono::Utc::now() + chrono::Duration::days(days);
    Timestamp {
        seconds: time.timestamp(),
        nanos: 0,
    }
}

pub async fn fixture(server: &TestServer, units: &Units, setup: &str) -> Fixture {
    let unit_id = units.s1.trim_start_matches("units/");
    let calendar = format!("calendars/{unit_id}");
    let this_year = chrono::Utc::now().format("%Y").to_string();
    let year = server
        .calendars(setup)
        .get_calendar_year(GetCalendarYearRequest {
            name: format!("{calendar}/years/{this_year}"),
        })
        .await
        .unwrap()
        .into_inner();
    let next: i32 = this_year.parse::<i32>().unwrap() + 1;

    let mut catalogue = server.catalogue(setup);
    let procedure = published(&mut catalogue, "1.000001", &units.s1).await;
    let withdrawn = published(&mut catalogue, "1.000002", &units.s1).await;
    let third = published(&mut catalogue, "1.000003", &units.s1).await;
    let draft = catalogue
        .create_procedure_version(CreateProcedureVersionRequest {
            parent: third.name.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    let dossier = server
        .dossiers(setup)
        .receive_dossier(receive(&units.s1, &procedure.name))
        .await
        .unwrap()
        .into_inner();
    let sample = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../services/procedures/samples/thu-tuc-giao-duc.csv"
    ))
    .unwrap();

    Fixture {
        calendar: calendar.clone(),
        year,
        next_year: format!("{calendar}/years/{next}"),
        procedure: procedure.name,
        withdrawn: withdrawn.name,
        draft,
        dossier: dossier.name,
        import: sample.replace("units/replace-me", &units.s1).into_bytes(),
    }
}

pub fn cases() -> Vec<Case> {
    vec![
        Case {
            method: "/eiso.procedures.v1.CalendarService/GetCalendar",
            run: unary!(calendars, get_calendar, |c| GetCalendarRequest {
                name: c.fixture.procedures.calendar.clone()
            }),
        },
        Case {
            method: "/eiso.procedures.v1.CalendarService/GetCalendarYear",
            run: unary!(calendars, get_calendar_year, |c| GetCalendarYearRequest {
                name: c.fixture.procedures.year.name.clone()
            }),
        },
        Case {
            method: "/eiso.procedures.v1.CalendarService/ListCalendarYears",
            run: listed!(
                calendars,
                list_calendar_years,
                |c| ListCalendarYearsRequest {
                    parent: c.fixture.procedures.calendar.clone()
                },
                c.fixture.procedures.year.name.clone()
            ),
        },
        Case {
            method: "/eiso.procedures.v1.CalendarService/ComputeDeadline",
            run: unary!(calendars, compute_deadline, |c| ComputeDeadlineRequest {
                calendar: c.fixture.procedures.calendar.clone(),
                receive_time: Some(now_plus_days(0)),
                processing_time: Some(ProcessingTime {
                    budget: Some(processing_time::Budget::WorkingDays(3)),
                }),
                suspensions: Vec::new(),
                supplement_mode: SupplementMode::Restart as i32,
            }),
        },
        Case {
            method: "/eiso.procedures.v1.CalendarService/UpdateCalendar",
            run: unary!(calendars, update_calendar, |c| UpdateCalendarRequest {
                calendar: Some(Calendar {
                    name: c.fixture.procedures.calendar.clone(),
                    working_days: [1, 2, 3, 4, 5].into(),
                    ..Default::default()
                }),
                update_mask: mask(&["working_days"]),
                etag: String::new(),
            }),
        },
        Case {
            method: "/eiso.procedures.v1.CalendarService/UpdateCalendarYear",
            run: unary!(calendars, update_calendar_year, |c| UpdateCalendarYearRequest {
                year: Some(CalendarYear {
                    etag: String::new(),
                    ..c.fixture.procedures.year.clone()
                }),
                etag: String::new(),
            }),
        },
        Case {
            method: "/eiso.procedures.v1.CalendarService/ProposeCalendarYear",
            run: unary!(calendars, propose_calendar_year, |c| ProposeCalendarYearRequest {
                name: c.fixture.procedures.next_year.clone()
            }),
        },
        Case {
            method: "/eiso.procedures.v1.ProcedureService/GetProcedure",
            run: unary!(catalogue, get_procedure, |c| GetProcedureRequest {
                name: c.fixture.procedures.procedure.clone()
            }),
        },
        Case {
            method: "/eiso.procedures.v1.ProcedureService/ListProcedures",
            run: listed!(
                catalogue,
                list_procedures,
                |c| ListProceduresRequest {
                    page_size: 1000,
                    ..Default::default()
                },
                c.fixture.procedures.procedure.clone()
            ),
        },
        Case {
            method: "/eiso.procedures.v1.ProcedureService/ExportProcedures",
            run: unary!(catalogue, export_procedures, |c| ExportProceduresRequest {
                format: TableFormat::Csv as i32,
                filter: String::new(),
            }),
        },
        Case {
            method: "/eiso.procedures.v1.ProcedureService/CreateProcedure",
            run: unary!(catalogue, create_procedure, |c| CreateProcedureRequest {
                code: format!("9.{:06}", fresh()),
                version: Some(primary_transfer_version(&c.units.s1)),
                request_id: String::new(),
            }),
        },
        Case {
            method: "/eiso.procedures.v1.ProcedureService/CreateProcedureVersion",
            run: unary!(catalogue, create_procedure_version, |c| CreateProcedureVersionRequest {
                parent: c.fixture.procedures.procedure.clone()
            }),
        },
        Case {
            method: "/eiso.procedures.v1.ProcedureService/UpdateProcedureVersion",
            run: unary!(catalogue, update_procedure_version, |c| UpdateProcedureVersionRequest {
                version: Some(ProcedureVersion {
                    etag: String::new(),
                    field: format!("Giáo dục tiểu học ({})", fresh()),
                    ..c.fixture.procedures.draft.clone()
                }),
                etag: String::new(),
            }),
        },
        Case {
            method: "/eiso.procedures.v1.ProcedureService/PublishProcedureVersion",
            run: unary!(catalogue, publish_procedure_version, |c| {
                PublishProcedureVersionRequest {
                    name: c.fixture.procedures.draft.name.clone(),
                }
            }),
        },
        Case {
            method: "/eiso.procedures.v1.ProcedureService/WithdrawProcedure",
            run: unary!(catalogue, withdraw_procedure, |c| WithdrawProcedureRequest {
                name: c.fixture.procedures.withdrawn.clone(),
                reason: "Thủ tục bị bãi bỏ".into(),
            }),
        },
        Case {
            // Rows outside the caller's units come back as row errors: the
            // import got through only when every row could be taken.
            method: "/eiso.procedures.v1.ProcedureService/ImportProcedures",
            run: Box::new(|c: Call| {
                Box::pin(async move {
                    c.server
                        .catalogue(c.token())
                        .import_procedures(ImportProceduresRequest {
                            format: TableFormat::Csv as i32,
                            content: c.fixture.procedures.import.clone(),
                            publish: false,
                            validate_only: true,
                        })
                        .await
                        .map(|r| Seen::Listed(r.into_inner().errors.is_empty()))
                })
            }),
        },
        Case {
            method: "/eiso.procedures.v1.ProcedureService/WatchEvents",
            run: Box::new(|c: Call| {
                Box::pin(async move {
                    c.server
                        .catalogue(c.token())
                        .watch_events(WatchEventsRequest { after_sequence: 0 })
                        .await
                        .map(|_| Seen::Done)
                })
            }),
        },
        Case {
            method: "/eiso.procedures.v1.DossierService/ReceiveDossier",
            run: unary!(dossiers, receive_dossier, |c| receive(
                &c.units.s1,
                &c.fixture.procedures.procedure
            )),
        },
        Case {
            method: "/eiso.procedures.v1.DossierService/GetDossier",
            run: unary!(dossiers, get_dossier, |c| GetDossierRequest {
                name: c.fixture.procedures.dossier.clone()
            }),
        },
        Case {
            method: "/eiso.procedures.v1.DossierService/ListDossiers",
            run: listed!(
                dossiers,
                list_dossiers,
                |c| ListDossiersRequest {
                    page_size: 1000,
                    ..Default::default()
                },
                c.fixture.procedures.dossier.clone()
            ),
        },
        Case {
            method: "/eiso.procedures.v1.DossierService/RenderForm",
            run: unary!(dossiers, render_form, |c| RenderFormRequest {
                form: Form::Receipt as i32,
                dossier: c.fixture.procedures.dossier.clone(),
                agency: String::new(),
                year: 0,
            }),
        },
        Case {
            method: "/eiso.procedures.v1.DossierService/GetServiceStatistics",
            run: unary!(dossiers, get_service_statistics, |c| GetServiceStatisticsRequest {
                agency: c.units.s1.clone(),
                ..Default::default()
            }),
        },
        Case {
            method: "/eiso.procedures.v1.DossierService/HandOverDossier",
            run: unary!(dossiers, hand_over_dossier, |c| HandOverDossierRequest {
                name: c.fixture.procedures.dossier.clone(),
                step: 1,
                receiver: c.caller.user.clone(),
                note: "Chuyển thẩm định".into(),
            }),
        },
        Case {
            method: "/eiso.procedures.v1.DossierService/RequestSupplement",
            run: unary!(dossiers, request_supplement, |c| RequestSupplementRequest {
                name: c.fixture.procedures.dossier.clone(),
                reason: "Thiếu học bạ".into(),
                documents: vec!["Học bạ".into()],
            }),
        },
        Case {
            method: "/eiso.procedures.v1.DossierService/ReceiveSupplement",
            run: unary!(dossiers, receive_supplement, |c| ReceiveSupplementRequest {
                name: c.fixture.procedures.dossier.clone()
            }),
        },
        Case {
            method: "/eiso.procedures.v1.DossierService/ExtendDossier",
            run: unary!(dossiers, extend_dossier, |c| ExtendDossierRequest {
                name: c.fixture.procedures.dossier.clone(),
                reason: "Cần xác minh thêm".into(),
                new_appointment_time: Some(now_plus_days(20)),
            }),
        },
        Case {
            method: "/eiso.procedures.v1.DossierService/StopProcessing",
            run: unary!(dossiers, stop_processing, |c| StopProcessingRequest {
                name: c.fixture.procedures.dossier.clone(),
                reason: "Hồ sơ không đủ điều kiện".into(),
            }),
        },
        Case {
            method: "/eiso.procedures.v1.DossierService/CompleteDossier",
            run: unary!(dossiers, complete_dossier, |c| CompleteDossierRequest {
                name: c.fixture.procedures.dossier.clone(),
                result_summary: "Đồng ý chuyển trường".into(),
                digitised: true,
            }),
        },
        Case {
            method: "/eiso.procedures.v1.DossierService/ReturnResult",
            run: unary!(dossiers, return_result, |c| ReturnResultRequest {
                name: c.fixture.procedures.dossier.clone()
            }),
        },
        Case {
            method: "/eiso.procedures.v1.DossierService/RateDossier",
            run: unary!(dossiers, rate_dossier, |c| RateDossierRequest {
                name: c.fixture.procedures.dossier.clone(),
                satisfaction: Satisfaction::Satisfied as i32,
                comment: String::new(),
            }),
        },
        Case {
            method: "/eiso.procedures.v1.DossierService/RefuseDossier",
            run: unary!(dossiers, refuse_dossier, |c| RefuseDossierRequest {
                agency: c.units.s1.clone(),
                procedure: c.fixture.procedures.procedure.clone(),
                applicant: applicant(),
                reason: "Không thuộc thẩm quyền".into(),
                request_id: String::new(),
            }),
        },
        Case {
            method: "/eiso.procedures.v1.DossierService/WithdrawDossier",
            run: unary!(dossiers, withdraw_dossier, |c| WithdrawDossierRequest {
                name: c.fixture.procedures.dossier.clone(),
                reason: "Công dân rút hồ sơ".into(),
            }),
        },
    ]
}
