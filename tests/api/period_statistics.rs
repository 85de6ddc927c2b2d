//! Period statistics as the reporting forms count them (issue 19): a year of
//! dossiers on the controlled clock that cross quarter boundaries, each
//! period's figures checked against values worked out by hand below.
//!
//! One procedure of 3 working days (office hours 07:00–11:30, 13:30–17:00):
//! received on a Monday at 08:00 it is due on the Thursday at 08:00 (Mon 7 h,
//! Tue 8, Wed 8, Thu 1). "Early" is an earlier calendar day than the due day;
//! "on time" the due day, before the due time; "late" after it; an
//! extension's new appointment changes none of that (the original due time
//! decides).
//!
//! | dossier | channel | received | due | then |
//! |---|---|---|---|---|
//! | A | direct | Mon 16/12/2024 | Thu 19/12/2024 | completed Mon 6/1 (late), returned 6/1 |
//! | B | online | Mon 10/3 | Thu 13/3 | completed Wed 12/3 (early), returned 14/3 |
//! | H | direct | Mon 17/3 | Thu 20/3 | completed Thu 20/3 07:30 (on time), returned Wed 2/4 |
//! | C | direct | Mon 24/3 | Thu 27/3 | extended 25/3 to 3/4; completed Wed 2/4 (late), returned 2/4 |
//! | D | postal | Mon 24/3 | none while waiting | supplement asked 25/3, received Tue 8/4 → due Fri 11/4 08:00; completed 11/4 07:30 (on time), returned 11/4 |
//! | E | direct | Mon 5/5 | Thu 8/5 | withdrawn Tue 6/5 |
//! | F | online | Mon 23/6 | Thu 26/6 | never finished |
//! | G | direct | Mon 30/6 | Thu 3/7 | completed Wed 2/7 (early), never returned |
//! | I | direct | Mon 8/9 | Thu 11/9 | stopped Tue 9/9 |

use chrono::{DateTime, Utc};
use eiso_platform::clock::Clock;
use eiso_proto::eiso::procedures::v1::*;
use eiso_tests::counter::{Office, transfer_receipt};
use eiso_tests::values::{date, local_time, timestamp};
use eiso_tests::{Backend, TestServer};
use tonic::Code;

/// The figures a period should show: carried over, received (online,
/// direct, postal), finished (early, on time, late), finished not returned,
/// withdrawn or stopped, in progress (within time, overdue), as at `as_of`.
#[allow(clippy::too_many_arguments)]
fn expected(
    as_of: DateTime<Utc>,
    open: bool,
    carried_over: i64,
    received: [i64; 3],
    finished: [i64; 3],
    finished_not_returned: i64,
    withdrawn_or_stopped: i64,
    in_progress: [i64; 2],
) -> PeriodFigures {
    let [online, direct, postal] = received;
    let [early, on_time, late] = finished;
    let [within, overdue] = in_progress;
    let to_handle = carried_over + online + direct + postal;
    let ratio = |part: i64, whole: i64| if whole == 0 { 0.0 } else { part as f64 / whole as f64 };
    PeriodFigures {
        as_of_time: Some(timestamp(as_of)),
        open,
        carried_over,
        received: online + direct + postal,
        received_online: online,
        received_direct: direct,
        received_postal: postal,
        to_handle,
        finished_early: early,
        finished_on_time: on_time,
        finished_late: late,
        finished_not_returned,
        withdrawn_or_stopped,
        in_progress_within_time: within,
        in_progress_overdue: overdue,
        on_time_rate: ratio(early + on_time, early + on_time + late),
        late_rate: ratio(late + overdue, to_handle),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_year_of_dossiers_counted_by_period_with_carry_over_as_at_each_periods_end() {
    let (clock, time) = Clock::manual(local_time(2024, 12, 16, 7, 0));
    let server = TestServer::start_with_clock(Backend::fresh().await, clock).await;
    let Office {
        unit: office,
        controller: editor,
    } = server.education_office().await;
    let (mut counter, mut officer, mut leader) = server.counter_desks(&office.name).await;

    server.transfer_procedure(&editor, &office.name).await;

    let receive = |name: &str, channel: Channel| transfer_receipt(&office.name, name, channel);
    let complete = |name: &str| CompleteDossierRequest {
        name: name.into(),
        result_summary: "Đồng ý chuyển trường".into(),
        digitised: true,
    };
    let period = |start: Option<LocalDate>, end: Option<LocalDate>| GetServiceStatisticsRequest {
        agency: office.name.clone(),
        procedure: String::new(),
        start_date: start,
        end_date: end,
        group_by: 0,
    };
    let q1 = period(date(2025, 1, 1), date(2025, 3, 31));
    let q2 = period(date(2025, 4, 1), date(2025, 6, 30));
    let q3 = period(date(2025, 7, 1), date(2025, 9, 30));
    let h1 = period(date(2025, 1, 1), date(2025, 6, 30));
    let year = period(date(2025, 1, 1), date(2025, 12, 31));

    // A: received in December 2024, completed late in January.
    time.set(local_time(2024, 12, 16, 8, 0));
    let a = counter
        .receive_dossier(receive("Nguyễn Văn An", Channel::Direct))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(a.due_time, Some(timestamp(local_time(2024, 12, 19, 8, 0))));
    time.set(local_time(2025, 1, 6, 10, 0));
    let done = leader.complete_dossier(complete(&a.name)).await.unwrap().into_inner();
    assert_eq!(done.outcome, Outcome::Late as i32);
    time.set(local_time(2025, 1, 6, 14, 0));
    counter
        .return_result(ReturnResultRequest { name: a.name.clone() })
        .await
        .unwrap();

    // B: online, completed early, returned.
    time.set(local_time(2025, 3, 10, 8, 0));
    let b = counter
        .receive_dossier(receive("Trần Thị Bình", Channel::Online))
        .await
        .unwrap()
        .into_inner();
    time.set(local_time(2025, 3, 12, 10, 0));
    let done = leader.complete_dossier(complete(&b.name)).await.unwrap().into_inner();
    assert_eq!(done.outcome, Outcome::Early as i32);
    time.set(local_time(2025, 3, 14, 10, 0));
    counter
        .return_result(ReturnResultRequest { name: b.name.clone() })
        .await
        .unwrap();

    // H: completed on its due day before the due time; returned only in April.
    time.set(local_time(2025, 3, 17, 8, 0));
    let h = counter
        .receive_dossier(receive("Lê Văn Hùng", Channel::Direct))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(h.due_time, Some(timestamp(local_time(2025, 3, 20, 8, 0))));
    time.set(local_time(2025, 3, 20, 7, 30));
    let done = leader.complete_dossier(complete(&h.name)).await.unwrap().into_inner();
    assert_eq!(done.outcome, Outcome::OnTime as i32);

    // C and D on Monday 24/3. C is extended (a new appointment, same due time);
    // D waits for a supplement from Tuesday.
    time.set(local_time(2025, 3, 24, 8, 0));
    let c = counter
        .receive_dossier(receive("Phạm Thị Cúc", Channel::Direct))
        .await
        .unwrap()
        .into_inner();
    let d = counter
        .receive_dossier(receive("Hoàng Văn Dũng", Channel::Postal))
        .await
        .unwrap()
        .into_inner();
    time.set(local_time(2025, 3, 25, 9, 0));
    officer
        .request_supplement(RequestSupplementRequest {
            name: d.name.clone(),
            reason: "Thiếu học bạ".into(),
            documents: vec!["Học bạ (bản sao)".into()],
        })
        .await
        .unwrap();
    let extended = leader
        .extend_dossier(ExtendDossierRequest {
            name: c.name.clone(),
            reason: "Cần xác minh thêm với trường nơi đi".into(),
            new_appointment_time: Some(timestamp(local_time(2025, 4, 3, 17, 0))),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(extended.due_time, Some(timestamp(local_time(2025, 3, 27, 8, 0))));

    // April: H returned, C completed within its new appointment but after its
    // due time (late), D's supplement in (due restarts: Tue 7 h, Wed 8, Thu 8,
    // Fri 1 → Fri 11/4 08:00) and D completed on its due day.
    time.set(local_time(2025, 4, 2, 9, 0));
    counter
        .return_result(ReturnResultRequest { name: h.name.clone() })
        .await
        .unwrap();
    time.set(local_time(2025, 4, 2, 10, 0));
    let done = leader.complete_dossier(complete(&c.name)).await.unwrap().into_inner();
    assert_eq!(done.outcome, Outcome::Late as i32);
    time.set(local_time(2025, 4, 2, 14, 0));
    counter
        .return_result(ReturnResultRequest { name: c.name.clone() })
        .await
        .unwrap();
    time.set(local_time(2025, 4, 8, 8, 0));
    let resumed = counter
        .receive_supplement(ReceiveSupplementRequest { name: d.name.clone() })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(resumed.due_time, Some(timestamp(local_time(2025, 4, 11, 8, 0))));
    time.set(local_time(2025, 4, 11, 7, 30));
    let done = leader.complete_dossier(complete(&d.name)).await.unwrap().into_inner();
    assert_eq!(done.outcome, Outcome::OnTime as i32);
    time.set(local_time(2025, 4, 11, 14, 0));
    counter
        .return_result(ReturnResultRequest { name: d.name.clone() })
        .await
        .unwrap();

    // Q1, asked in mid-April, as at 1/4 00:00:
    // - carried over: A (received 2024, ended 6/1) = 1;
    // - received: B online; H, C direct; D postal = 4 → to handle 5;
    // - finished: B early, H on time, A late;
    // - finished not returned at 1/4: H (returned 2/4) = 1;
    // - in progress at 1/4: C overdue (due 27/3); D waiting for its supplement,
    //   within time. 5 = 3 finished + 0 withdrawn + 2 in progress.
    // - on time (1 + 1) ÷ 3; late (1 late + 1 overdue) ÷ 5.
    let end_of_q1 = local_time(2025, 4, 1, 0, 0);
    let q1_expected = expected(end_of_q1, false, 1, [1, 2, 1], [1, 1, 1], 1, 0, [1, 1]);
    time.set(local_time(2025, 4, 15, 9, 0));
    let stats = leader.get_service_statistics(q1.clone()).await.unwrap().into_inner();
    assert_eq!(stats.period, Some(q1_expected), "Q1 in April");

    // E: withdrawn the day after its receipt.
    time.set(local_time(2025, 5, 5, 8, 0));
    let e = counter
        .receive_dossier(receive("Vũ Thị Em", Channel::Direct))
        .await
        .unwrap()
        .into_inner();
    time.set(local_time(2025, 5, 6, 10, 0));
    counter
        .withdraw_dossier(WithdrawDossierRequest {
            name: e.name.clone(),
            reason: "Gia đình không chuyển nữa".into(),
        })
        .await
        .unwrap();

    // F (never finished) and G (completed early in July, never returned).
    time.set(local_time(2025, 6, 23, 8, 0));
    counter
        .receive_dossier(receive("Đặng Văn Phúc", Channel::Online))
        .await
        .unwrap();
    time.set(local_time(2025, 6, 30, 8, 0));
    let g = counter
        .receive_dossier(receive("Bùi Thị Giang", Channel::Direct))
        .await
        .unwrap()
        .into_inner();
    time.set(local_time(2025, 7, 2, 10, 0));
    let done = leader.complete_dossier(complete(&g.name)).await.unwrap().into_inner();
    assert_eq!(done.outcome, Outcome::Early as i32);

    // Q3 while it runs, as at now (2/7 11:00):
    // - carried over: F, G (both running at 1/7) = 2; received none;
    // - finished: G early, not returned; in progress: F overdue (due 26/6).
    //   2 = 1 + 0 + 1. On time 1 ÷ 1; late (0 + 1) ÷ 2.
    let now = local_time(2025, 7, 2, 11, 0);
    time.set(now);
    let stats = leader.get_service_statistics(q3).await.unwrap().into_inner();
    assert_eq!(
        stats.period,
        Some(expected(now, true, 2, [0, 0, 0], [1, 0, 0], 1, 0, [0, 1])),
        "Q3 while it runs"
    );

    // I: stopped the day after its receipt.
    time.set(local_time(2025, 9, 8, 8, 0));
    let i = counter
        .receive_dossier(receive("Ngô Văn Ích", Channel::Direct))
        .await
        .unwrap()
        .into_inner();
    time.set(local_time(2025, 9, 9, 10, 0));
    leader
        .stop_processing(StopProcessingRequest {
            name: i.name.clone(),
            reason: "Hồ sơ giả mạo giấy tờ".into(),
        })
        .await
        .unwrap();

    // February 2026: every period asked again.
    time.set(local_time(2026, 2, 2, 9, 0));
    let stats = leader.get_service_statistics(q1).await.unwrap().into_inner();
    assert_eq!(stats.period, Some(q1_expected), "Q1 asked again ten months later");

    // Q2, as at 1/7 00:00:
    // - carried over: C, D (running at 1/4) = 2;
    // - received: F online; E, G direct = 3 → to handle 5;
    // - finished: D on time, C late; both returned; E withdrawn;
    // - in progress at 1/7: F overdue (due 26/6), G within (due 3/7).
    //   5 = 2 + 1 + 2. On time 1 ÷ 2; late (1 + 1) ÷ 5.
    let end_of_h1 = local_time(2025, 7, 1, 0, 0);
    let stats = leader.get_service_statistics(q2).await.unwrap().into_inner();
    assert_eq!(
        stats.period,
        Some(expected(end_of_h1, false, 2, [1, 2, 0], [0, 1, 1], 0, 1, [1, 1])),
        "Q2"
    );

    // The half-year, as at 1/7 00:00:
    // - carried over: A = 1; received: B, F online; H, C, E, G direct; D
    //   postal = 7 → to handle 8;
    // - finished: B early; H, D on time; A, C late; all returned by 1/7;
    //   E withdrawn; in progress: F overdue, G within. 8 = 5 + 1 + 2.
    // - on time 3 ÷ 5; late (2 + 1) ÷ 8.
    let stats = leader.get_service_statistics(h1).await.unwrap().into_inner();
    assert_eq!(
        stats.period,
        Some(expected(end_of_h1, false, 1, [2, 4, 1], [1, 2, 2], 0, 1, [1, 1])),
        "the half-year"
    );

    // The year, as at 1/1/2026 00:00:
    // - carried over: A = 1; received: B, F online; H, C, E, G, I direct; D
    //   postal = 8 → to handle 9;
    // - finished: B, G early; H, D on time; A, C late; G not returned;
    //   E withdrawn, I stopped; in progress: F overdue. 9 = 6 + 2 + 1.
    // - on time 4 ÷ 6; late (2 + 1) ÷ 9.
    let stats = leader.get_service_statistics(year).await.unwrap().into_inner();
    assert_eq!(
        stats.period,
        Some(expected(
            local_time(2026, 1, 1, 0, 0),
            false,
            1,
            [2, 5, 1],
            [2, 2, 2],
            1,
            2,
            [0, 1]
        )),
        "the year"
    );

    // An agency that does not exist is not a page of zeros.
    let status = leader
        .get_service_statistics(GetServiceStatisticsRequest {
            agency: "units/khong-ton-tai".into(),
            ..period(date(2025, 1, 1), date(2025, 12, 31))
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::NotFound, "{status:?}");
    server.stop().await;
}
