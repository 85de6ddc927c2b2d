//! Leases on background work among replicas sharing one database: one
//! holder at a time, renewed while it lives, taken over when it stops
//! renewing or gives the lease back — on both backends.

use std::time::Duration;

use chrono::Utc;
use eiso_platform::clock::Clock;
use eiso_platform::db::{Db, StorageTarget};
use eiso_platform::lease::Lease;
use eiso_tests::TestServer;

/// The plans service's database, which holds the lease on its reports.
async fn plans_db(server: &TestServer) -> Db {
    let target = StorageTarget::for_service(&server.config, "plans");
    Db::open::<eiso_migrations::plans::Migrator>(&target, &server.config)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_holder_at_a_time_and_another_takes_over_when_it_stops_renewing() {
    let server = TestServer::start().await;
    let db = plans_db(&server).await;
    let start = Utc::now();
    let (clock, time) = Clock::manual(start);
    let lease = |holder: &str| {
        Lease::new(db.clone(), "test.work", holder)
            .with_ttl(Duration::from_secs(10))
            .with_clock(clock.clone())
    };
    let at = |seconds: i64| start + chrono::Duration::seconds(seconds);
    let (a, b) = (lease("a"), lease("b"));
    assert!(a.hold().await.unwrap(), "free: taken");
    assert!(!b.hold().await.unwrap(), "held by a");
    time.set(at(9));
    assert!(a.hold().await.unwrap(), "renewed until 19 s");
    time.set(at(18));
    assert!(!b.hold().await.unwrap(), "still a's: renewed");
    time.set(at(20));
    assert!(b.hold().await.unwrap(), "a stopped renewing: b takes over");
    assert!(!a.hold().await.unwrap(), "a has lost it");
    b.release().await.unwrap();
    assert!(a.hold().await.unwrap(), "given back: taken at once");
    // Another name is another lease.
    assert!(
        Lease::new(db.clone(), "other.work", "b")
            .with_clock(clock.clone())
            .hold()
            .await
            .unwrap()
    );

    // Ten processes asking at once for an expired lease: exactly one wins.
    time.set(at(60));
    let holders: Vec<Lease> = (0..10).map(|i| lease(&format!("h{i}"))).collect();
    let won = futures::future::join_all(holders.iter().map(Lease::hold)).await;
    let winners = won.into_iter().filter(|held| *held.as_ref().unwrap()).count();
    assert_eq!(winners, 1);
    db.close().await;
    server.stop().await;
}
