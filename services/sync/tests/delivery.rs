//! Delivery from the event stream to the portal's simulator, on SQLite (or
//! PostgreSQL when `EISO_TEST_DATABASE_URL` is set): each dossier's changes
//! arrive in order and once; an event taken in twice is delivered once; a
//! dossier the portal refuses is parked with its error without holding up
//! the others, and goes through when sent again; while the portal is down
//! nothing is lost, attempts wait their backoff, and the lag shows.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};
use eiso_platform::ServiceResult;
use eiso_platform::outward::testing::{TestDb, dossier_event};
use eiso_portal_sim::{Config as SimConfig, Simulator};
use eiso_proto::eiso::event::v1::Event;
use eiso_proto::eiso::procedures::v1::{Applicant, ApplicantType, Dossier, DossierStatus};
use eiso_proto::prost_types::Timestamp;
use eiso_sync::delivery::{Delivery, Lookups, Retry};
use eiso_sync::record::{Handler, Names};
use eiso_sync::store::{self, State};
use eiso_sync::{Portal, PortalConfig};

const AGENCY: &str = "000.31.H31";
const RECEIVED: i64 = 1_741_159_800;

/// Names as the procedures and identity services would give them; while
/// `broken` holds, the agency's name is lost (the portal refuses the dossier).
struct Fixed {
    broken: AtomicBool,
}

#[eiso_proto::tonic::async_trait]
impl Lookups for Fixed {
    async fn names(&self, _dossier: &Dossier) -> ServiceResult<Names> {
        Ok(Names {
            procedure_code: "1.004492".into(),
            procedure_name: "Chuyển trường đối với học sinh trung học cơ sở".into(),
            agency_name: if self.broken.load(Ordering::SeqCst) {
                String::new()
            } else {
                "Phòng Giáo dục và Đào tạo".into()
            },
            ..Default::default()
        })
    }

    async fn handler(&self, user: &str) -> Handler {
        Handler {
            name: user.into(),
            ..Default::default()
        }
    }

    async fn applicant(&self, _dossier: &Dossier) -> ServiceResult<Option<Applicant>> {
        Ok(Some(Applicant {
            full_name: "Trần Văn Nam".into(),
            r#type: ApplicantType::Citizen as i32,
            ..Default::default()
        }))
    }
}

struct Setup {
    simulator: Simulator,
    delivery: Delivery,
    lookups: Arc<Fixed>,
    db: TestDb,
}

impl Setup {
    async fn finish(self) {
        self.simulator.shutdown().await;
        self.db.finish().await;
    }
}

async fn setup(retry: Retry) -> Setup {
    let db = TestDb::fresh::<eiso_migrations::sync::Migrator>("sync").await;
    let simulator = Simulator::start(SimConfig::default().with_account("eiso", "mat-khau-cong", AGENCY))
        .await
        .expect("the simulator");
    let mut config = PortalConfig::new(&simulator.url(), "eiso", "mat-khau-cong", AGENCY);
    config.timeout = Duration::from_millis(500);
    let portal = Arc::new(Portal::new(config).expect("a client"));
    let lookups = Arc::new(Fixed {
        broken: AtomicBool::new(false),
    });
    let delivery = Delivery::new(db.db.clone(), portal, lookups.clone(), retry);
    Setup {
        simulator,
        delivery,
        lookups,
        db,
    }
}

fn at(seconds: i64) -> Option<Timestamp> {
    Some(Timestamp { seconds, nanos: 0 })
}

fn dossier(id: &str, status: DossierStatus) -> Dossier {
    Dossier {
        name: format!("dossiers/{id}"),
        code: format!("H31-{id}"),
        agency: "units/pgd".into(),
        // Events carry no personal data: the applicant is looked up.
        applicant: None,
        status: status as i32,
        receive_time: at(RECEIVED),
        appointment_time: at(RECEIVED + 3 * 86_400),
        complete_time: (status == DossierStatus::Completed).then_some(Timestamp {
            seconds: RECEIVED + 86_400,
            nanos: 0,
        }),
        ..Default::default()
    }
}

fn event(sequence: i64, kind: &str, d: &Dossier) -> Event {
    dossier_event(sequence, kind, d, at(RECEIVED + sequence))
}

fn now() -> DateTime<Utc> {
    Utc::now()
}

#[tokio::test]
async fn each_dossier_arrives_in_order_and_once() {
    let s = setup(Retry::default()).await;
    let a = |status| dossier("a", status);
    let b = dossier("b", DossierStatus::Received);
    let other = Event {
        sequence: 4,
        r#type: "procedures.procedure.created".into(),
        ..Default::default()
    };
    let events = vec![
        event(1, "received", &a(DossierStatus::Received)),
        event(2, "received", &b),
        event(3, "handed_over", &a(DossierStatus::InProgress)),
        event(3, "handed_over", &a(DossierStatus::InProgress)),
        other,
        event(5, "completed", &a(DossierStatus::Completed)),
    ];
    s.delivery
        .follow(futures::stream::iter(events.into_iter().map(Ok)))
        .await
        .expect("taken in");
    assert_eq!(s.delivery.cursor().await.expect("cursor"), 5);
    let round = s.delivery.round(now()).await.expect("a round");
    assert_eq!(round.delivered, 4, "{round:?}");
    assert_eq!(s.simulator.dossier("H31-a").expect("a").states, ["2", "4", "9"]);
    assert_eq!(s.simulator.dossier("H31-b").expect("b").states, ["2"]);
    for id in ["dossiers/a", "dossiers/b"] {
        let sync = store::get(s.delivery.db(), id).await.expect("read").expect("kept");
        assert_eq!(sync.state, State::Synced, "{sync:?}");
        assert!(sync.portal_known);
    }
    assert_eq!(store::oldest_pending_us(s.delivery.db()).await.expect("lag"), None);
    assert_eq!(
        s.delivery.round(now()).await.expect("a round").delivered,
        0,
        "nothing twice"
    );
    // A change after the dossier was synced is delivered in its turn.
    s.delivery
        .take_in(&event(6, "returned", &a(DossierStatus::Returned)), now())
        .await
        .expect("taken in");
    assert_eq!(s.delivery.round(now()).await.expect("a round").delivered, 1);
    assert_eq!(s.simulator.dossier("H31-a").expect("a").states, ["2", "4", "9", "10"]);
    s.finish().await;
}

#[tokio::test]
async fn a_refused_dossier_is_parked_without_holding_up_the_others_and_goes_through_when_sent_again() {
    let s = setup(Retry {
        refusals: 2,
        first: Duration::from_secs(1),
        ..Retry::default()
    })
    .await;
    s.lookups.broken.store(true, Ordering::SeqCst);
    s.delivery
        .take_in(&event(1, "received", &dossier("bad", DossierStatus::Received)), now())
        .await
        .expect("taken in");
    let round = s.delivery.round(now()).await.expect("a round");
    assert_eq!((round.failed, round.parked), (1, 0), "refused once: tried again later");
    let later = now() + chrono::Duration::seconds(5);
    s.delivery
        .take_in(&event(2, "received", &dossier("good", DossierStatus::Received)), later)
        .await
        .expect("taken in");
    // The names are broken for every dossier: the second one is refused too (its first time).
    let round = s.delivery.round(later).await.expect("a round");
    assert_eq!(round.parked, 1, "refused twice: parked ({round:?})");
    let parked = store::in_state(s.delivery.db(), State::Parked, 10)
        .await
        .expect("listed");
    assert_eq!(parked.len(), 1);
    assert_eq!(parked[0].dossier, "dossiers/bad");
    assert!(parked[0].last_error.contains("DonViXuLy"), "{}", parked[0].last_error);
    assert_eq!(
        store::get(s.delivery.db(), "dossiers/good")
            .await
            .expect("read")
            .expect("kept")
            .state,
        State::Failing,
        "the other dossier failed for the same reason and is not parked yet"
    );

    // Names fixed: the good one goes through at its next attempt; the parked one waits for an administrator.
    s.lookups.broken.store(false, Ordering::SeqCst);
    let much_later = later + chrono::Duration::hours(2);
    let round = s.delivery.round(much_later).await.expect("a round");
    assert_eq!(round.delivered, 1, "{round:?}");
    assert!(s.simulator.dossier("H31-good").is_some());
    assert!(s.simulator.dossier("H31-bad").is_none(), "parked stays parked");
    assert!(s.delivery.resend("dossiers/bad", much_later).await.expect("resent"));
    assert!(
        !s.delivery
            .resend("dossiers/good", much_later)
            .await
            .expect("not parked")
    );
    assert_eq!(s.delivery.round(much_later).await.expect("a round").delivered, 1);
    assert_eq!(s.simulator.dossier("H31-bad").expect("bad").states, ["2"]);
    s.finish().await;
}

#[tokio::test]
async fn while_the_portal_is_down_nothing_is_lost_attempts_wait_and_the_lag_shows() {
    let s = setup(Retry {
        first: Duration::from_secs(10),
        ..Retry::default()
    })
    .await;
    let start = now();
    for (sequence, id) in [(1, "x"), (2, "y")] {
        s.delivery
            .take_in(
                &event(sequence, "received", &dossier(id, DossierStatus::Received)),
                start,
            )
            .await
            .expect("taken in");
    }
    s.simulator.set_down(true);
    let round = s.delivery.round(start).await.expect("a round");
    assert_eq!((round.delivered, round.failed, round.parked), (0, 2, 0));
    let sync = store::get(s.delivery.db(), "dossiers/x")
        .await
        .expect("read")
        .expect("kept");
    assert_eq!(sync.state, State::Failing);
    assert!(sync.last_error.contains("503"), "{}", sync.last_error);
    assert!(
        sync.next_attempt_us >= start.timestamp_micros() + 5_000_000,
        "backoff with jitter ≥ half of 10 s"
    );
    assert_eq!(
        store::oldest_pending_us(s.delivery.db()).await.expect("lag"),
        Some(RECEIVED * 1_000_000 + 1_000_000),
        "the lag counts from the oldest change not delivered"
    );
    assert_eq!(
        s.delivery.round(start).await.expect("a round"),
        Default::default(),
        "not before the backoff"
    );
    s.simulator.set_down(false);
    let round = s
        .delivery
        .round(start + chrono::Duration::seconds(11))
        .await
        .expect("a round");
    assert_eq!(round.delivered, 2, "{round:?}");
    assert_eq!(store::oldest_pending_us(s.delivery.db()).await.expect("lag"), None);
    s.finish().await;
}

/// More dossiers due than one batch reads (1,000): one round delivers them
/// all rather than one batch an interval.
#[tokio::test]
async fn a_round_delivers_more_than_a_batch() {
    let s = setup(Retry::default()).await;
    let events = (1..=1_100).map(|n| event(n, "received", &dossier(&format!("d{n}"), DossierStatus::Received)));
    s.delivery
        .follow(futures::stream::iter(events.map(Ok)))
        .await
        .expect("taken in");
    let round = s.delivery.round(now()).await.expect("a round");
    assert_eq!(round.delivered, 1_100, "{round:?}");
    assert_eq!(store::counts(s.delivery.db()).await.expect("counted"), (0, 1_100, 0));
    s.finish().await;
}
