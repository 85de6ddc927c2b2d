//! The sign-in lockout backs off per (account, client address): failures from
//! one address cannot lock the administrator out from another; the lock grows
//! with each failure past the free ones; a success clears it; the state is in
//! the database, so it outlives a restart (and is shared by replicas).

use std::net::IpAddr;

use chrono::Utc;
use eiso_platform::clock::Clock;
use eiso_proto::eiso::identity::v1::identity_service_client::IdentityServiceClient;
use eiso_proto::eiso::identity::v1::{LoginRequest, PasswordCredentials, login_request};
use eiso_tests::{ADMIN_PASSWORD, Backend, TestServer};
use tonic::Code;
use tonic::transport::{Channel, Endpoint};

/// A connection to `server` from the local address `from` (any 127.x.y.z is
/// this machine).
async fn connect_from(server: &TestServer, from: &str) -> Channel {
    Endpoint::from_shared(format!("http://{}", server.addr))
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
