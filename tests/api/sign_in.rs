//! The sign-in lockout backs off per (account, client address): failures from
//! one address cannot lock the administrator out from another; the lock grows
//! with each failure past the free ones; a success clears it; the state is in
//! the database, so it outlives a restart (and is shared by replicas).

use std::net::IpAddr;

use chrono::Utc;
use eiso_platform::clock::Clock;
use eiso_proto::eiso::identity::v1::identity_service_client::IdentityServiceClient;
use eiso_proto::eiso::identity::v1::{LoginRequest, PasswordCredentials, login_request};
use eiso_tests::replica::Replica;
use eiso_tests::{ADMIN_PASSWORD, Backend, TestServer};
use tonic::Code;
use tonic::transport::{Channel, Endpoint};

/// A connection to `server` from the local address `from` (any 127.x.y.z is
/// this machine).
async fn connect_from(server: &TestServer, from: &str) -> Channel {
    connect_to(server.addr, from).await
}

/// A connection to the server at `addr` from the local address `from`.
async fn connect_to(addr: std::net::SocketAddr, from: &str) -> Channel {
    Endpoint::from_shared(format!("http://{addr}"))
        .unwrap()
        .local_address(Some(from.parse::<IpAddr>().unwrap()))
        .connect()
        .await
        .unwrap()
}

async fn login(channel: &Channel, password: &str) -> Result<(), tonic::Status> {
    IdentityServiceClient::new(channel.clone())
        .login(LoginRequest {
            credentials: Some(login_request::Credentials::Password(PasswordCredentials {
                username: "admin".into(),
                password: password.into(),
            })),
        })
        .await
        .map(|_| ())
}

fn assert_locked_for(result: Result<(), tonic::Status>, seconds: u64) {
    let status = result.expect_err("locked");
    assert_eq!(status.code(), Code::ResourceExhausted, "{status:?}");
    assert!(
        status.message().contains(&format!("try again in {seconds} second(s)")),
        "{}",
        status.message()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lockout_is_per_address_backs_off_and_resets() {
    let (clock, time) = Clock::manual(Utc::now());
    let now = Utc::now();
    let server = TestServer::start_with_clock(Backend::fresh().await, clock.clone()).await;
    let attacker = connect_from(&server, "127.0.0.2").await;
    let office = connect_from(&server, "127.0.0.3").await;

    // Five wrong passwords from the attacker's address cost nothing more…
    for _ in 0..5 {
        let status = login(&attacker, "guess").await.unwrap_err();
        assert_eq!(status.code(), Code::Unauthenticated, "{status:?}");
    }
    // …then that address is locked for 30 s, even with the right password.
    assert_locked_for(login(&attacker, ADMIN_PASSWORD).await, 30);
    // The administrator signs in from the office all the same, and a wrong
    // password there is just wrong.
    login(&office, ADMIN_PASSWORD).await.unwrap();
    assert_eq!(login(&office, "typo").await.unwrap_err().code(), Code::Unauthenticated);

    // The lock is in the database: a restart (or another replica) keeps it.
    let backend = server.stop_keep().await;
    let server = TestServer::start_with_clock(backend, clock.clone()).await;
    let attacker = connect_from(&server, "127.0.0.2").await;
    assert_locked_for(login(&attacker, "guess").await, 30);

    // Each further failure doubles the lock: 60 s, then 120 s.
    time.set(now + chrono::Duration::seconds(31));
    assert_eq!(
        login(&attacker, "guess").await.unwrap_err().code(),
        Code::Unauthenticated
    );
    assert_locked_for(login(&attacker, "guess").await, 60);
    time.set(now + chrono::Duration::seconds(31 + 61));
    assert_eq!(
        login(&attacker, "guess").await.unwrap_err().code(),
        Code::Unauthenticated
    );
    assert_locked_for(login(&attacker, "guess").await, 120);

    // After the lock, a success clears the count: five free failures again.
    time.set(now + chrono::Duration::seconds(31 + 61 + 121));
    login(&attacker, ADMIN_PASSWORD).await.unwrap();
    for _ in 0..5 {
        assert_eq!(
            login(&attacker, "guess").await.unwrap_err().code(),
            Code::Unauthenticated
        );
    }
    assert_locked_for(login(&attacker, "guess").await, 30);
    server.stop().await;
}

/// The stored failures of `admin` per client address.
async fn stored_failures(server: &TestServer) -> Vec<(String, i64)> {
    use sea_orm::ConnectionTrait;
    let db = server.backend.as_ref().unwrap().connect_raw("identity").await;
    let rows = db
        .query_all_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT address, failures FROM sign_in_failures WHERE account = 'user:admin' ORDER BY address",
        ))
        .await
        .unwrap();
    db.close().await.unwrap();
    rows.iter()
        .map(|row| {
            (
                row.try_get("", "address").unwrap(),
                row.try_get("", "failures").unwrap(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_share_one_lockout() {
    let (clock, time) = Clock::manual(Utc::now());
    let now = Utc::now();
    let server = TestServer::start_with_clock(Backend::fresh().await, clock.clone()).await;
    let replica = Replica::start(&server, clock.clone()).await;
    let one = connect_to(server.addr, "127.0.0.2").await;
    let other = connect_to(replica.addr, "127.0.0.2").await;

    // Five failures spread over both replicas lock the address on both, as
    // five on one would: a load balancer does not multiply the tries.
    for channel in [&one, &other, &one, &other, &other] {
        assert_eq!(login(channel, "guess").await.unwrap_err().code(), Code::Unauthenticated);
    }
    assert_locked_for(login(&one, ADMIN_PASSWORD).await, 30);
    assert_locked_for(login(&other, ADMIN_PASSWORD).await, 30);
    // Another address signs in through either.
    login(&connect_to(replica.addr, "127.0.0.3").await, ADMIN_PASSWORD)
        .await
        .unwrap();

    // The next failure, on the other replica, doubles the lock seen by the first.
    time.set(now + chrono::Duration::seconds(31));
    assert_eq!(login(&other, "guess").await.unwrap_err().code(), Code::Unauthenticated);
    assert_locked_for(login(&one, "guess").await, 60);

    // A success on one clears the count for both: five free failures again.
    time.set(now + chrono::Duration::seconds(31 + 61));
    login(&one, ADMIN_PASSWORD).await.unwrap();
    assert_eq!(stored_failures(&server).await, vec![]);
    for channel in [&other, &other, &one, &other, &one] {
        assert_eq!(login(channel, "guess").await.unwrap_err().code(), Code::Unauthenticated);
    }
    assert_locked_for(login(&other, "guess").await, 30);

    replica.stop().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_at_once_on_two_replicas_all_count() {
    let (clock, _time) = Clock::manual(Utc::now());
    let server = TestServer::start_with_clock(Backend::fresh().await, clock.clone()).await;
    let replica = Replica::start(&server, clock.clone()).await;
    let channels = [
        connect_to(server.addr, "127.0.0.2").await,
        connect_to(replica.addr, "127.0.0.2").await,
    ];

    // Eight wrong passwords at once, half through each replica. Those that
    // start after the fifth is counted are refused uncounted; every other
    // one counts, none lost to another's write.
    let attempts = (0..8).map(|i| login(&channels[i % 2], "guess"));
    let results = futures::future::join_all(attempts).await;
    let wrong = results
        .iter()
        .filter(|r| r.as_ref().is_err_and(|s| s.code() == Code::Unauthenticated))
        .count();
    let refused = results
        .iter()
        .filter(|r| r.as_ref().is_err_and(|s| s.code() == Code::ResourceExhausted))
        .count();
    assert_eq!(wrong + refused, 8, "{results:?}");
    assert!(wrong >= 5, "{results:?}");
    assert_eq!(
        stored_failures(&server).await,
        vec![("127.0.0.2".to_string(), wrong as i64)]
    );
    // The lock is the one after that many failures (the clock stands still).
    let seconds = 30 << (wrong - 5);
    assert_locked_for(login(&channels[1], ADMIN_PASSWORD).await, seconds);
    assert_locked_for(login(&channels[0], ADMIN_PASSWORD).await, seconds);

    replica.stop().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_a_day_old_are_forgotten_and_deleted() {
    let (clock, time) = Clock::manual(Utc::now());
    let now = Utc::now();
    let server = TestServer::start_with_clock(Backend::fresh().await, clock.clone()).await;
    let back = connect_to(server.addr, "127.0.0.2").await;
    let recent = connect_to(server.addr, "127.0.0.3").await;
    let gone = connect_to(server.addr, "127.0.0.4").await;
    for channel in [&back, &recent, &gone] {
        for _ in 0..5 {
            assert_eq!(login(channel, "guess").await.unwrap_err().code(), Code::Unauthenticated);
        }
    }

    // Just short of a day later one address fails again: its count goes on.
    time.set(now + chrono::Duration::hours(24) - chrono::Duration::seconds(1));
    assert_eq!(login(&recent, "guess").await.unwrap_err().code(), Code::Unauthenticated);
    // Just past the day the others' failures are forgotten: one that comes
    // back counts from one, and its failure deletes the other's row.
    time.set(now + chrono::Duration::hours(24) + chrono::Duration::seconds(1));
    assert_eq!(login(&back, "guess").await.unwrap_err().code(), Code::Unauthenticated);
    assert_eq!(
        stored_failures(&server).await,
        vec![("127.0.0.2".to_string(), 1), ("127.0.0.3".to_string(), 6)]
    );
    server.stop().await;
}
