//! The statistics read from the kept counts equal a full scan of the
//! dossiers (issue 15): four months of random counter work on the controlled
//! clock (receipts at two agencies for two procedures, refusals, supplements,
//! extensions, completions, returns, ratings, withdrawals, stops), and at
//! checkpoints — at whatever time of day the work left the clock, so with
//! dossiers received, ended and due earlier that day — GetServiceStatistics
//! on random periods (past, current, future),
//! agencies, procedures and groupings compared with the same figures counted
//! from every dossier row; the months' on-time figures too. At the end the
//! counts kept change by change equal the counts made afresh from the table.

use chrono::{Duration, NaiveDate};
use eiso_benchkit::splitmix::SplitMix64;
use eiso_platform::clock::Clock;
use eiso_platform::scope::Scope;
use eiso_procedures::Counting;
use eiso_procedures::statistics::{count, count_by_month};
use eiso_proto::eiso::identity::v1::Role;
use eiso_proto::eiso::procedures::v1::*;
use eiso_tests::counter::{Office, TRANSFER, primary_transfer_version, transfer_receipt};
use eiso_tests::values::local_time;
use eiso_tests::{Backend, TestServer};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

const PRIMARY: &str = "2.002482";

fn pick<T: Clone>(rng: &mut SplitMix64, items: &[T]) -> T {
    items[(rng.next_u64() % items.len() as u64) as usize].clone()
}

fn local_date(day: NaiveDate) -> Option<LocalDate> {
    use chrono::Datelike;
    Some(LocalDate {
        year: day.year(),
        month: day.month() as i32,
        day: day.day() as i32,
    })
}

/// The stored counts, without the ones that came back to zero.
async fn stored_counts(db: &DatabaseConnection) -> Vec<(String, String, i16, i32, i32, i64)> {
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT agency, procedure_code, figure, day, day2, n FROM dossier_counts WHERE n <> 0 \
             ORDER BY agency, procedure_code, figure, day, day2",
        ))
        .await
        .expect("the counts are read");
    rows.iter()
        .map(|r| {
            (
                r.try_get("", "agency").unwrap(),
                r.try_get("", "procedure_code").unwrap(),
                r.try_get::<i16>("", "figure").unwrap(),
                r.try_get("", "day").unwrap(),
                r.try_get("", "day2").unwrap(),
                r.try_get::<i32>("", "n").unwrap() as i64,
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statistics_from_the_kept_counts_equal_a_scan_of_every_dossier() {
    let (clock, time) = Clock::manual(local_time(2025, 1, 6, 7, 0));
    let server = TestServer::start_with_clock(Backend::fresh().await, clock.clone()).await;
    let Office {
        unit: office,
        controller: editor,
    } = server.education_office().await;
    let school = server
        .create_unit("THCS-DL", "Trường THCS Đằng Lâm", &office.name)
        .await;
    let (mut counter, mut officer, mut leader) = server.counter_desks(&office.name).await;
    server.transfer_procedure(&editor, &office.name).await;
    server
        .publish_procedure(&editor, PRIMARY, primary_transfer_version(&office.name))
        .await;
    let db = server.backend.as_ref().unwrap().connect_raw("procedures").await;

    let agencies = [office.name.clone(), school.name.clone()];
    let procedures = [TRANSFER, PRIMARY];
    let channels = [Channel::Direct, Channel::Online, Channel::Postal];
    let mut rng = SplitMix64(20_250_106);
    let mut names: Vec<String> = Vec::new();
    let mut compared = 0;

    let first_day = NaiveDate::from_ymd_opt(2024, 12, 20).unwrap();
    for step in 0..320 {
        // Time moves on: minutes within the office day, or to a later day.
        let now = clock.now();
        let next = match rng.next_u64() % 10 {
            0 => now + Duration::days(1 + (rng.next_u64() % 3) as i64),
            _ => now + Duration::minutes(10 + (rng.next_u64() % 120) as i64),
        };
        time.set(next);

        let action = rng.next_u64() % 100;
        if action < 35 || names.is_empty() {
            let mut receipt = transfer_receipt(&pick(&mut rng, &agencies), "Nguyễn Văn An", pick(&mut rng, &channels));
            receipt.procedure = format!("procedures/{}", pick(&mut rng, &procedures));
            let received = counter.receive_dossier(receipt).await.expect("received").into_inner();
            names.push(received.name);
        } else if action < 38 {
            counter
                .refuse_dossier(RefuseDossierRequest {
                    agency: pick(&mut rng, &agencies),
                    procedure: format!("procedures/{TRANSFER}"),
                    applicant: transfer_receipt("", "Trần Thị Bình", Channel::Direct).applicant,
                    reason: "Không thuộc thẩm quyền".into(),
                    request_id: String::new(),
                })
                .await
                .expect("refused");
        } else {
            // Something happens to a dossier; what its status does not allow is refused.
            let name = pick(&mut rng, &names);
            let _ = match rng.next_u64() % 9 {
                0 => officer
                    .request_supplement(RequestSupplementRequest {
                        name,
                        reason: "Thiếu học bạ".into(),
                        documents: vec!["Học bạ".into()],
                    })
                    .await
                    .map(|_| ()),
                1 => counter
                    .receive_supplement(ReceiveSupplementRequest { name })
                    .await
                    .map(|_| ()),
                2 => leader
                    .extend_dossier(ExtendDossierRequest {
                        name,
                        reason: "Cần xác minh thêm".into(),
                        new_appointment_time: Some(eiso_tests::values::timestamp(next + Duration::days(10))),
                    })
                    .await
                    .map(|_| ()),
                3..=5 => leader
                    .complete_dossier(CompleteDossierRequest {
                        name,
                        result_summary: "Đồng ý".into(),
                        digitised: rng.next_u64().is_multiple_of(2),
                    })
                    .await
                    .map(|_| ()),
                6 => counter.return_result(ReturnResultRequest { name }).await.map(|_| ()),
                7 => counter
                    .rate_dossier(RateDossierRequest {
                        name,
                        satisfaction: pick(&mut rng, &[1, 2, 3, 4]),
                        comment: String::new(),
                    })
                    .await
                    .map(|_| ()),
                _ => {
                    if rng.next_u64().is_multiple_of(2) {
                        counter
                            .withdraw_dossier(WithdrawDossierRequest {
                                name,
                                reason: "Gia đình rút hồ sơ".into(),
                            })
                            .await
                            .map(|_| ())
                    } else {
                        leader
                            .stop_processing(StopProcessingRequest {
                                name,
                                reason: "Không đủ điều kiện".into(),
                            })
                            .await
                            .map(|_| ())
                    }
                }
            };
        }

        if step % 40 != 39 {
            continue;
        }
        // A checkpoint: random questions, answered from the counts and by a scan.
        let now = clock.now();
        let today = eiso_procedures::calendar::local_time(now).date();
        let span = (today - first_day).num_days() + 20;
        for _ in 0..25 {
            let start = first_day + Duration::days((rng.next_u64() % span as u64) as i64);
            let end = start + Duration::days((rng.next_u64() % 70) as i64);
            let request = GetServiceStatisticsRequest {
                agency: pick(&mut rng, &["".to_string(), agencies[0].clone(), agencies[1].clone()]),
                procedure: match pick(&mut rng, &["", TRANSFER, PRIMARY]) {
                    "" => String::new(),
                    code => format!("procedures/{code}"),
                },
                start_date: local_date(start),
                end_date: local_date(end),
                group_by: pick(&mut rng, &[0, 1, 2]),
            };
            let answered = leader
                .get_service_statistics(request.clone())
                .await
                .expect("statistics")
                .into_inner();
            let scanned = count(&db, Counting::Scan, &request, &Scope::Everywhere, now)
                .await
                .expect("scanned");
            assert_eq!(answered, scanned, "{request:?} at {now}");
            let kept_months = count_by_month(&db, Counting::Kept, &request, &Scope::Everywhere, now)
                .await
                .expect("months from the counts");
            let scanned_months = count_by_month(&db, Counting::Scan, &request, &Scope::Everywhere, now)
                .await
                .expect("months scanned");
            assert_eq!(kept_months, scanned_months, "{request:?} at {now}");
            compared += 1;
        }
    }
    assert_eq!(compared, 8 * 25);
    assert!(names.len() > 80, "{} dossiers", names.len());

    // What was kept change by change is what counting afresh makes.
    let kept = stored_counts(&db).await;
    let read = eiso_procedures::counts::rebuild_on(&db).await.expect("counted afresh");
    assert!(read as usize >= names.len());
    assert_eq!(kept, stored_counts(&db).await);
    server.stop().await;
}

/// A database whose dossiers were never counted (one from before m0007, or
/// filled around the service) is counted on the next start, and answers as
/// before; a start with the counts in place leaves them alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_start_counts_dossiers_that_were_never_counted() {
    let (clock, time) = Clock::manual(local_time(2025, 3, 3, 8, 0));
    let server = TestServer::start_with_clock(Backend::fresh().await, clock.clone()).await;
    let Office {
        unit: office,
        controller: editor,
    } = server.education_office().await;
    let (_, counter_token) = server.user_with_role("mot.cua", Role::CounterStaff, &office.name).await;
    let (_, leader_token) = server.user_with_role("lanh.dao", Role::Leader, &office.name).await;
    server.transfer_procedure(&editor, &office.name).await;
    let mut counter = server.dossiers(&counter_token);
    let mut leader = server.dossiers(&leader_token);
    for (i, channel) in [Channel::Direct, Channel::Online, Channel::Postal]
        .into_iter()
        .enumerate()
    {
        time.set(local_time(2025, 3, 3 + i as u32, 8, 0));
        let dossier = counter
            .receive_dossier(transfer_receipt(&office.name, "Lê Thị Hoa", channel))
            .await
            .unwrap()
            .into_inner();
        if i == 0 {
            time.set(local_time(2025, 3, 4, 9, 0));
            leader
                .complete_dossier(CompleteDossierRequest {
                    name: dossier.name,
                    result_summary: "Đồng ý".into(),
                    digitised: true,
                })
                .await
                .unwrap();
        }
    }
    time.set(local_time(2025, 3, 10, 8, 0));
    let request = GetServiceStatisticsRequest {
        agency: office.name.clone(),
        start_date: local_date(NaiveDate::from_ymd_opt(2025, 3, 1).unwrap()),
        end_date: local_date(NaiveDate::from_ymd_opt(2025, 3, 31).unwrap()),
        group_by: 1,
        ..Default::default()
    };
    let before = leader
        .get_service_statistics(request.clone())
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        before.period.as_ref().map(|p| (p.received, p.finished_early)),
        Some((3, 1))
    );
    let db = server.backend.as_ref().unwrap().connect_raw("procedures").await;
    let kept = stored_counts(&db).await;
    assert!(!kept.is_empty());
    db.execute_unprepared("DELETE FROM dossier_counts").await.unwrap();
    drop(db);
    let backend = server.stop_keep().await;

    let server = TestServer::start_with_clock(backend, clock.clone()).await;
    let db = server.backend.as_ref().unwrap().connect_raw("procedures").await;
    assert_eq!(stored_counts(&db).await, kept, "counted again on the start");
    let leader_token = server.login("lanh.dao", "lanh.dao-password").await.unwrap();
    let after = server
        .dossiers(&leader_token)
        .get_service_statistics(request)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(after, before);
    server.stop().await;
}
