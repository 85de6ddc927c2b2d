//! Dossiers through every path on a controlled clock, and the statistics
//! checked against figures computed by hand.

use chrono::{DateTime, Utc};
use eiso_platform::clock::Clock;
use eiso_proto::eiso::identity::v1::Role;
use eiso_proto::eiso::procedures::v1::*;
use eiso_proto::tonic_types::StatusExt;
use eiso_tests::counter::{Office, transfer_receipt, transfer_version};
use eiso_tests::values::{bad_fields, local_time, timestamp};
use eiso_tests::{Backend, TestServer};
use tonic::Code;

/// A local (UTC+7) time.
fn at(m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    local_time(2025, m, d, h, min)
}

/// The applicant of [`transfer_receipt`] called `name`.
fn applicant(name: &str) -> Option<Applicant> {
    transfer_receipt("", name, Channel::Direct).applicant
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dossiers_through_every_path_and_the_statistics() {
    let (clock, time) = Clock::manual(at(3, 10, 8, 0));
    let server = TestServer::start_with_clock(Backend::fresh().await, clock).await;
    let Office {
        unit: office,
        controller: editor,
    } = server.education_office().await;
    let (clerk, counter_token) = server.user_with_role("mot.cua", Role::CounterStaff, &office.name).await;
    let (officer, officer_token) = server
        .user_with_role("chuyen.vien", Role::ProcessingOfficer, &office.name)
        .await;
    let (leader, leader_token) = server.user_with_role("lanh.dao", Role::Leader, &office.name).await;
    let (_, viewer_token) = server.user_with_role("thanh.tra", Role::Viewer, &office.name).await;

    let mut catalogue = server.catalogue(&editor);
    let version = ProcedureVersion {
        steps: vec![
            ProcedureStep {
                display_name: "Tiếp nhận".into(),
                handler: "Một cửa".into(),
                working_hours: 4,
            },
            ProcedureStep {
                display_name: "Thẩm định".into(),
                handler: "Chuyên viên".into(),
                working_hours: 16,
            },
            ProcedureStep {
                display_name: "Ký duyệt".into(),
                handler: "Lãnh đạo".into(),
                working_hours: 4,
            },
        ],
        ..transfer_version(&office.name)
    };
    let created = catalogue
        .create_procedure(CreateProcedureRequest {
            code: "2.002481".into(),
            version: Some(version),
            request_id: String::new(),
        })
        .await
        .unwrap()
        .into_inner();

    let mut counter = server.dossiers(&counter_token);
    let receive = |name: &str, channel: Channel, request_id: &str| ReceiveDossierRequest {
        request_id: request_id.into(),
        ..transfer_receipt(&office.name, name, channel)
    };

    // Not published yet: refused with the reason.
    let status = counter
        .receive_dossier(receive("Nguyễn Văn A", Channel::Direct, ""))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::FailedPrecondition);
    catalogue
        .publish_procedure_version(PublishProcedureVersionRequest {
            name: created.version.unwrap().name,
        })
        .await
        .unwrap();

    // Monday 10/3 08:00: two counters receive at the same instant.
    let mut other_counter = server.dossiers(&counter_token);
    let (d1, d2) = tokio::join!(
        counter.receive_dossier(receive("Nguyễn Văn An", Channel::Direct, "r-1")),
        other_counter.receive_dossier(receive("Trần Thị Bình", Channel::Online, "r-2")),
    );
    let (d1, d2) = (d1.unwrap().into_inner(), d2.unwrap().into_inner());
    let mut codes = vec![d1.code.clone(), d2.code.clone()];
    codes.sort();
    assert_eq!(
        codes,
        ["PGD-250310-0001", "PGD-250310-0002"],
        "distinct consecutive codes"
    );
    // Due 3 working days later: Mon 7 h, Tue 8, Wed 8, Thu 07:00–08:00.
    assert_eq!(d1.due_time, Some(timestamp(at(3, 13, 8, 0))));
    assert_eq!(d1.appointment_time, d1.due_time);
    // The intake, step 1 for people (step = 0), is the counter's: recorded at
    // receipt, by the receiving clerk for the counter, who holds the dossier.
    // Its 4 h norm from 08:00: 08:00–11:30, then 13:30–14:00.
    assert_eq!(d1.status, DossierStatus::Received as i32);
    assert_eq!(d1.current_step, 0);
    assert_eq!(d1.assignee, clerk.name);
    assert_eq!(d1.handovers.len(), 1, "{:?}", d1.handovers);
    let intake = &d1.handovers[0];
    assert!(intake.intake);
    assert_eq!(intake.step, 0);
    assert_eq!((&intake.giver, &intake.receiver), (&clerk.name, &clerk.name));
    assert_eq!(intake.giver_unit, office.name);
    assert_eq!(intake.handover_time, d1.receive_time);
    assert_eq!(intake.step_due_time, Some(timestamp(at(3, 10, 14, 0))));
    assert_eq!(d1.history.len(), 1);
    assert_eq!(d1.history[0].actor, clerk.name);
    // A retry returns the same dossier.
    let again = counter
        .receive_dossier(receive("Nguyễn Văn An", Channel::Direct, "r-1"))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(again.name, d1.name);
    let d3 = counter
        .receive_dossier(receive("Lê Văn Cường", Channel::Direct, ""))
        .await
        .unwrap()
        .into_inner();
    let d4 = counter
        .receive_dossier(receive("Phạm Thị Dung", Channel::Direct, ""))
        .await
        .unwrap()
        .into_inner();
    let d5 = counter
        .receive_dossier(receive("Hoàng Văn Em", Channel::Postal, ""))
        .await
        .unwrap()
        .into_inner();
    let d7 = counter
        .receive_dossier(receive("Vũ Thị Giang", Channel::Direct, ""))
        .await
        .unwrap()
        .into_inner();
    let refused = counter
        .refuse_dossier(RefuseDossierRequest {
            agency: office.name.clone(),
            procedure: "procedures/2.002481".into(),
            applicant: applicant("Đỗ Văn Hải"),
            reason: "Không thuộc thẩm quyền giải quyết".into(),
            request_id: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(refused.status, DossierStatus::NotReceived as i32);
    assert_eq!(d7.code, "PGD-250310-0006");

    // Personal data: the counter sees it, a viewer does not.
    assert_eq!(d1.applicant.as_ref().unwrap().full_name, "Nguyễn Văn An");
    let seen = server
        .dossiers(&viewer_token)
        .get_dossier(GetDossierRequest { name: d1.name.clone() })
        .await
        .unwrap()
        .into_inner();
    assert!(seen.applicant.is_none());

    // 08:10: the control slip; steps go in order, the intake being done.
    time.set(at(3, 10, 8, 10));
    let status = counter
        .hand_over_dossier(HandOverDossierRequest {
            name: d1.name.clone(),
            step: 0,
            receiver: officer.name.clone(),
            note: String::new(),
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::FailedPrecondition, "out of order");
    assert!(
        status
            .message()
            .contains("is at step 1, the intake at the counter; the next hand-over is to step 2 (step = 1)"),
        "steps are numbered from 1 for people: {status:?}"
    );
    let handed = counter
        .hand_over_dossier(HandOverDossierRequest {
            name: d1.name.clone(),
            step: 1,
            receiver: officer.name.clone(),
            note: "Đủ hồ sơ".into(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(handed.status, DossierStatus::InProgress as i32);
    assert_eq!(handed.current_step, 1);
    assert_eq!(handed.assignee, officer.name);
    // The second step's 16 h norm from 08:10: Monday 6 h 50, Tuesday 8 h,
    // Wednesday 07:00–08:10.
    assert_eq!(handed.handovers.len(), 2);
    let first = &handed.handovers[1];
    assert!(!first.intake);
    assert_eq!((&first.giver, &first.receiver), (&clerk.name, &officer.name));
    assert_eq!(first.giver_unit, office.name);
    assert_eq!(first.step_due_time, Some(timestamp(at(3, 12, 8, 10))));
    let mut officer_client = server.dossiers(&officer_token);
    officer_client
        .hand_over_dossier(HandOverDossierRequest {
            name: d1.name.clone(),
            step: 2,
            receiver: leader.name.clone(),
            note: "Đề nghị duyệt".into(),
        })
        .await
        .unwrap();
    let status = officer_client
        .hand_over_dossier(HandOverDossierRequest {
            name: d1.name.clone(),
            step: 9,
            receiver: leader.name.clone(),
            note: String::new(),
        })
        .await
        .unwrap_err();
    assert!(
        status
            .message()
            .contains("has 3 step(s); step 10 (step = 9) does not exist"),
        "{status:?}"
    );
    // The control slip prints the intake as its first row, by the clerk.
    let slip = counter
        .render_form(RenderFormRequest {
            form: Form::ControlSlip as i32,
            dossier: d1.name.clone(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .html;
    for said in [
        "Tiếp nhận: 08:00 10/03/2025",
        "Người tiếp nhận (ký)</div><div class=\"room\"></div><div>Người dùng mot.cua (Phòng Giáo dục và Đào tạo)",
        "Giao: 08:10 10/03/2025",
    ] {
        assert!(slip.contains(said), "{said}\n{slip}");
    }

    // 14:00: a supplement for D4 (restart mode: the clock stops).
    time.set(at(3, 10, 14, 0));
    let waiting = officer_client
        .request_supplement(RequestSupplementRequest {
            name: d4.name.clone(),
            reason: "Thiếu học bạ".into(),
            documents: vec!["Học bạ (bản sao)".into()],
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(waiting.status, DossierStatus::SupplementRequested as i32);
    assert!(waiting.due_time.is_none());

    // Tuesday 09:00: D3 gets its one extension.
    time.set(at(3, 11, 9, 0));
    let mut leader_client = server.dossiers(&leader_token);
    let extend = |name: &str| ExtendDossierRequest {
        name: name.into(),
        reason: "Cần xác minh thêm với trường nơi đi".into(),
        new_appointment_time: Some(timestamp(at(3, 14, 17, 0))),
    };
    let extended = leader_client
        .extend_dossier(extend(&d3.name))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(extended.appointment_time, Some(timestamp(at(3, 14, 17, 0))));
    assert_eq!(extended.due_time, d3.due_time, "the original due time still decides");
    let status = leader_client.extend_dossier(extend(&d3.name)).await.unwrap_err();
    assert_eq!(status.code(), Code::FailedPrecondition, "only once");

    // 10:00: D1 completed two days early, returned, rated.
    time.set(at(3, 11, 10, 0));
    let done = leader_client
        .complete_dossier(CompleteDossierRequest {
            name: d1.name.clone(),
            result_summary: "Đồng ý chuyển trường".into(),
            digitised: false,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(done.outcome, Outcome::Early as i32);
    let status = counter
        .rate_dossier(RateDossierRequest {
            name: d1.name.clone(),
            satisfaction: Satisfaction::VerySatisfied as i32,
            comment: String::new(),
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::FailedPrecondition, "no rating before return");
    counter
        .return_result(ReturnResultRequest { name: d1.name.clone() })
        .await
        .unwrap();
    counter
        .rate_dossier(RateDossierRequest {
            name: d1.name.clone(),
            satisfaction: Satisfaction::VerySatisfied as i32,
            comment: "Nhanh".into(),
        })
        .await
        .unwrap();

    // Wednesday 10:00: too late to extend D7 (6 working hours left).
    time.set(at(3, 12, 10, 0));
    let status = leader_client.extend_dossier(extend(&d7.name)).await.unwrap_err();
    assert_eq!(status.code(), Code::FailedPrecondition);
    assert!(status.message().contains("one working day"), "{}", status.message());

    // 14:00: D4's supplement arrives; 3 working days restart from now:
    // Wed 3 h, Thu 8, Fri 8, Mon 07:00–11:30 and 13:30–14:00 → Mon 17/3 14:00.
    time.set(at(3, 12, 14, 0));
    let resumed = counter
        .receive_supplement(ReceiveSupplementRequest { name: d4.name.clone() })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(resumed.due_time, Some(timestamp(at(3, 17, 14, 0))));
    assert_eq!(resumed.status, DossierStatus::Received as i32);

    // 15:00: D5 withdrawn by the applicant.
    time.set(at(3, 12, 15, 0));
    counter
        .withdraw_dossier(WithdrawDossierRequest {
            name: d5.name.clone(),
            reason: "Gia đình đổi ý".into(),
        })
        .await
        .unwrap();

    // Thursday 08:00, exactly at its due time: D2 on time, digitised.
    time.set(at(3, 13, 8, 0));
    let on_time = officer_client
        .complete_dossier(CompleteDossierRequest {
            name: d2.name.clone(),
            result_summary: "Đồng ý".into(),
            digitised: true,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(on_time.outcome, Outcome::OnTime as i32);
    counter
        .return_result(ReturnResultRequest { name: d2.name.clone() })
        .await
        .unwrap();
    counter
        .rate_dossier(RateDossierRequest {
            name: d2.name.clone(),
            satisfaction: Satisfaction::Dissatisfied as i32,
            comment: String::new(),
        })
        .await
        .unwrap();

    // Friday 10:00: D3 after its original due time is late, extension or not.
    time.set(at(3, 14, 10, 0));
    let late = officer_client
        .complete_dossier(CompleteDossierRequest {
            name: d3.name.clone(),
            result_summary: "Đồng ý".into(),
            digitised: false,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(late.outcome, Outcome::Late as i32);
    counter
        .return_result(ReturnResultRequest { name: d3.name.clone() })
        .await
        .unwrap();
    counter
        .rate_dossier(RateDossierRequest {
            name: d3.name.clone(),
            satisfaction: Satisfaction::Satisfied as i32,
            comment: String::new(),
        })
        .await
        .unwrap();

    // Overdue and per-officer lists.
    let overdue = counter
        .list_dossiers(ListDossiersRequest {
            filter: format!("agency = \"{}\" AND due = overdue", office.name),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .dossiers;
    assert_eq!(
        overdue.iter().map(|d| d.code.as_str()).collect::<Vec<_>>(),
        [d7.code.as_str()]
    );

    // By channel and by day of receipt: what the filter returns is what the
    // whole list holds of that channel or day (local days, UTC+7).
    let listed = async |filter: &str| -> Vec<String> {
        let mut codes: Vec<String> = server
            .dossiers(&leader_token)
            .list_dossiers(ListDossiersRequest {
                filter: filter.into(),
                page_size: 1000,
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner()
            .dossiers
            .into_iter()
            .map(|d| d.code)
            .collect();
        codes.sort();
        codes
    };
    let all = server
        .dossiers(&leader_token)
        .list_dossiers(ListDossiersRequest {
            page_size: 1000,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .dossiers;
    let expected = |keep: &dyn Fn(&Dossier) -> bool| {
        let mut codes: Vec<String> = all.iter().filter(|d| keep(d)).map(|d| d.code.clone()).collect();
        codes.sort();
        codes
    };
    let online = listed("channel = CHANNEL_ONLINE").await;
    assert!(!online.is_empty());
    assert_eq!(online, expected(&|d| d.channel == Channel::Online as i32));
    // Every dossier of the week was received on Monday 10 March.
    let on = |from: DateTime<Utc>, until: DateTime<Utc>| {
        expected(&|d: &Dossier| {
            let t = d.receive_time.as_ref().unwrap().seconds;
            t >= from.timestamp() && t < until.timestamp()
        })
    };
    let monday = listed(r#"receive_time >= "2025-03-10" AND receive_time < "2025-03-11""#).await;
    assert_eq!(monday, on(at(3, 10, 0, 0), at(3, 11, 0, 0)));
    assert_eq!(monday.len(), all.len());
    assert_eq!(listed(r#"receive_time >= "2025-03-11""#).await, Vec::<String>::new());
    assert_eq!(
        listed(r#"receive_time < "2025-03-10T00:00:00+07:00""#).await,
        Vec::<String>::new(),
        "an RFC 3339 time with its offset"
    );
    assert_eq!(listed(r#"receive_time <= "2025-03-10T23:59:59+07:00""#).await, monday);
    for (bad, says) in [
        (r#"receive_time >= "11/03/2025""#, "receive_time takes"),
        (r#"code < "A""#, "`code` takes only `=` or `!=`"),
        ("channel = CHANNEL_FAX", "channel"),
    ] {
        let status = server
            .dossiers(&leader_token)
            .list_dossiers(ListDossiersRequest {
                filter: bad.into(),
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert_eq!(status.code(), Code::InvalidArgument, "{bad}");
        assert!(status.message().contains(says), "{bad}: {}", status.message());
    }

    // The week by hand: 6 received (the refusal is not), D1 early, D2 on
    // time, D3 late; D4 running within time, D7 overdue; D5 withdrawn; one
    // of six online; one of three results digitised; two of three ratings
    // satisfied.
    let stats = server
        .dossiers(&viewer_token)
        .get_service_statistics(GetServiceStatisticsRequest {
            agency: office.name.clone(),
            procedure: "procedures/2.002481".into(),
            start_date: Some(LocalDate {
                year: 2025,
                month: 3,
                day: 10,
            }),
            end_date: Some(LocalDate {
                year: 2025,
                month: 3,
                day: 14,
            }),
            group_by: 0,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (
            stats.received,
            stats.early,
            stats.on_time,
            stats.late,
            stats.in_progress,
            stats.overdue,
            stats.ended_otherwise,
            stats.rated
        ),
        (6, 1, 1, 1, 1, 1, 1, 3)
    );
    let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
    assert!(close(stats.on_time_rate, 2.0 / 3.0), "{stats:?}");
    assert!(close(stats.online_share, 1.0 / 6.0), "{stats:?}");
    assert!(close(stats.digitised_rate, 1.0 / 3.0), "{stats:?}");
    assert!(close(stats.satisfaction_rate, 2.0 / 3.0), "{stats:?}");
    // The week before has nothing.
    let empty = counter
        .get_service_statistics(GetServiceStatisticsRequest {
            start_date: Some(LocalDate {
                year: 2025,
                month: 3,
                day: 3,
            }),
            end_date: Some(LocalDate {
                year: 2025,
                month: 3,
                day: 9,
            }),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(empty.received, 0);

    // Two sets of the dossier handed in: the receipt says so; 0 or 21 sets are named.
    for sets in [-1, 21] {
        let status = counter
            .receive_dossier(ReceiveDossierRequest {
                dossier_sets: sets,
                ..receive("Lê Văn Sáu", Channel::Direct, "")
            })
            .await
            .unwrap_err();
        assert_eq!(bad_fields(&status), ["dossier_sets"], "{sets} sets");
    }
    let two_sets = counter
        .receive_dossier(ReceiveDossierRequest {
            dossier_sets: 2,
            ..receive("Lê Văn Sáu", Channel::Direct, "")
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(two_sets.dossier_sets, 2);
    let receipt = counter
        .render_form(RenderFormRequest {
            form: Form::Receipt as i32,
            dossier: two_sets.name.clone(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(receipt.html.contains("2. Số lượng hồ sơ: 02 bộ."), "{}", receipt.html);

    // The printable forms: the receipt of D1 and the year's register.
    let receipt = counter
        .render_form(RenderFormRequest {
            form: Form::Receipt as i32,
            dossier: d1.name.clone(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(
        receipt.html.contains("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"),
        "{}",
        receipt.html
    );
    assert!(receipt.html.contains(&d1.code) && receipt.html.contains("Nguyễn Văn An"));
    assert_eq!(receipt.file_name, format!("phieu-tiep-nhan-{}.html", d1.code));
    let register = counter
        .render_form(RenderFormRequest {
            form: Form::Register as i32,
            agency: office.name.clone(),
            year: 2025,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    for dossier in [&d1, &d2, &d3, &d4, &d5, &d7] {
        assert!(
            register.html.contains(&dossier.code),
            "{} missing from the register",
            dossier.code
        );
    }
    assert!(
        !register.html.contains(&refused.code),
        "a refusal is not in the register"
    );
    // A form that makes no sense for the dossier is refused, saying why.
    for (form, dossier) in [(Form::Receipt, &refused), (Form::Refusal, &d1), (Form::Apology, &d1)] {
        let status = counter
            .render_form(RenderFormRequest {
                form: form as i32,
                dossier: dossier.name.clone(),
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert_eq!(status.code(), Code::FailedPrecondition, "{form:?} of {}", dossier.code);
        assert!(status.message().contains("cannot be printed"), "{status:?}");
    }
    let status = server
        .dossiers(&viewer_token)
        .render_form(RenderFormRequest {
            form: Form::Receipt as i32,
            dossier: d1.name.clone(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::PermissionDenied);

    // Every change is in the procedures trail, which is whole.
    let verification = server.verify_trail("trails/procedures").await;
    assert!(verification.intact);
    server.stop().await;
}

#[tokio::test]
async fn a_receipt_into_an_unconfirmed_calendar_year_names_the_year_and_who_confirms_it() {
    // Tuesday 29/12/2026, 09:00: three working days run into 2027, whose
    // days off nobody has confirmed.
    let (clock, _time) = Clock::manual(local_time(2026, 12, 29, 9, 0));
    let server = TestServer::start_with_clock(Backend::fresh().await, clock).await;
    let Office {
        unit: office,
        controller,
    } = server.education_office().await;
    server.transfer_procedure(&controller, &office.name).await;
    let (_, clerk) = server.user_with_role("mot.cua", Role::CounterStaff, &office.name).await;
    let receipt = transfer_receipt(&office.name, "Nguyễn Văn An", Channel::Direct);
    let status = server
        .dossiers(&clerk)
        .receive_dossier(receipt.clone())
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::FailedPrecondition, "{status:?}");
    let unit_id = office.name.trim_start_matches("units/");
    let violation = status
        .get_details_precondition_failure()
        .and_then(|failure| failure.violations.into_iter().next())
        .expect("a precondition failure in the details");
    assert_eq!(violation.r#type, "CALENDAR_YEAR_MISSING");
    assert_eq!(violation.subject, format!("calendars/{unit_id}/years/2027"));
    for said in [
        "the time runs into 2027, and the 2027 holiday calendar is not confirmed yet",
        "an administrator (role ROLE_ADMIN)",
        &format!("`eiso calendar confirm {unit_id} --year 2027`"),
    ] {
        assert!(status.message().contains(said), "{said}: {}", status.message());
    }
    // Nothing was received.
    let listed = server
        .dossiers(&server.admin_token)
        .list_dossiers(ListDossiersRequest::default())
        .await
        .unwrap()
        .into_inner();
    assert!(listed.dossiers.is_empty());

    // Once an administrator confirms 2027, the same receipt goes through:
    // 1/1 off, due Monday 4/1 at 09:00.
    let mut calendars = server.calendars(&server.admin_token);
    let proposal = calendars
        .propose_calendar_year(ProposeCalendarYearRequest {
            name: violation.subject.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    calendars
        .update_calendar_year(UpdateCalendarYearRequest {
            year: Some(proposal),
            etag: String::new(),
        })
        .await
        .unwrap();
    let received = server
        .dossiers(&clerk)
        .receive_dossier(receipt)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(received.due_time, Some(timestamp(local_time(2027, 1, 4, 9, 0))));
    server.stop().await;
}
