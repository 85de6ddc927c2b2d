//! TLS on the listener: the server speaks TLS with the certificate and key
//! of `[tls]`; with a client CA, a district system presents its own
//! certificate (required, or optional beside tokens). Certificates are made
//! by the test (rcgen), as an office's CA would issue them.

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Identity};
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_client::HealthClient;

/// A CA, the server's certificate for `localhost`, and a district's client
/// certificate, as PEM files in a directory.
struct Pki {
    dir: tempfile::TempDir,
    ca: String,
    client: (String, String),
    stranger: (String, String),
}

fn issue(issuer: &Issuer<'_, KeyPair>, names: Vec<String>, common_name: &str) -> (String, String) {
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(names).unwrap();
    params.distinguished_name.push(DnType::CommonName, common_name);
    let cert = params.signed_by(&key, issuer).unwrap();
    (cert.pem(), key.serialize_pem())
}

fn ca(name: &str) -> (String, Issuer<'static, KeyPair>) {
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(Vec::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    let cert = params.self_signed(&key).unwrap();
    (cert.pem(), Issuer::new(params, key))
}

fn pki() -> Pki {
    let (ca_pem, issuer) = ca("CA Sở Giáo dục và Đào tạo (thử)");
    let server = issue(&issuer, vec!["localhost".into()], "eiso");
    let client = issue(&issuer, Vec::new(), "he-thong-quan-hai-an");
    let (_, other) = ca("Another CA");
    let stranger = issue(&other, Vec::new(), "not-a-district");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ca.pem"), &ca_pem).unwrap();
    std::fs::write(dir.path().join("tls.crt"), &server.0).unwrap();
    std::fs::write(dir.path().join("tls.key"), &server.1).unwrap();
    Pki {
        dir,
        ca: ca_pem,
        client,
        stranger,
    }
}

/// A server on TLS (its storage in a temporary directory), stopped when
/// dropped.
struct Server {
    port: u16,
    _stop: tokio::sync::oneshot::Sender<()>,
    _data: tempfile::TempDir,
}

async fn start(pki: &Pki, client_ca: bool, optional: bool) -> Server {
    let data = tempfile::tempdir().unwrap();
    let mut config = eiso_tests::test_config();
    config.data_dir = data.path().to_path_buf();
    config.tls = Some(eiso_platform::config::TlsConfig {
        cert_file: pki.dir.path().join("tls.crt"),
        key_file: pki.dir.path().join("tls.key"),
        client_ca_file: client_ca.then(|| pki.dir.path().join("ca.pem")),
        client_auth_optional: optional,
    });
    let app = eiso_server::App::prepare(config).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(app.serve(listener, async {
        let _ = stopped.await;
    }));
    Server {
        port,
        _stop: stop,
        _data: data,
    }
}

/// A health check over TLS to `server`, as `identity` where given.
async fn health(server: &Server, ca: &str, identity: Option<&(String, String)>) -> Result<i32, String> {
    let mut tls = ClientTlsConfig::new()
        .ca_certificate(Certificate::from_pem(ca))
        .domain_name("localhost");
    if let Some((cert, key)) = identity {
        tls = tls.identity(Identity::from_pem(cert, key));
    }
    let channel = Channel::from_shared(format!("https://localhost:{}", server.port))
        .unwrap()
        .tls_config(tls)
        .map_err(|e| e.to_string())?
        .connect()
        .await
        .map_err(|e| format!("{e:?}"))?;
    HealthClient::new(channel)
        .check(HealthCheckRequest::default())
        .await
        .map(|r| r.into_inner().status)
        .map_err(|s| format!("{s:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_listener_speaks_tls_and_refuses_plain_connections() {
    let pki = pki();
    let server = start(&pki, false, false).await;
    assert_eq!(health(&server, &pki.ca, None).await, Ok(1), "SERVING over TLS");
    // A client that does not trust the office's CA does not get through.
    let (other_ca, _) = ca("Not the office's CA");
    assert!(health(&server, &other_ca, None).await.is_err());
    // Nor does plain HTTP/2.
    let plain = Channel::from_shared(format!("http://127.0.0.1:{}", server.port))
        .unwrap()
        .connect()
        .await;
    let refused = match plain {
        Err(_) => true,
        Ok(channel) => HealthClient::new(channel)
            .check(HealthCheckRequest::default())
            .await
            .is_err(),
    };
    assert!(refused, "plain HTTP/2 is not served");
    drop(server);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn district_systems_present_certificates_of_the_offices_ca() {
    let pki = pki();
    // Required: no certificate, or one of another CA, is refused.
    let server = start(&pki, true, false).await;
    assert_eq!(health(&server, &pki.ca, Some(&pki.client)).await, Ok(1));
    assert!(
        health(&server, &pki.ca, None).await.is_err(),
        "a certificate is required"
    );
    assert!(
        health(&server, &pki.ca, Some(&pki.stranger)).await.is_err(),
        "another CA's"
    );
    drop(server);
    // Optional: without one is served; a wrong one is still refused.
    let server = start(&pki, true, true).await;
    assert_eq!(health(&server, &pki.ca, None).await, Ok(1));
    assert_eq!(health(&server, &pki.ca, Some(&pki.client)).await, Ok(1));
    assert!(health(&server, &pki.ca, Some(&pki.stranger)).await.is_err());
    drop(server);
}

#[tokio::test]
async fn a_missing_certificate_file_stops_the_start_named() {
    let mut config = eiso_tests::test_config();
    let data = tempfile::tempdir().unwrap();
    config.data_dir = data.path().to_path_buf();
    config.tls = Some(eiso_platform::config::TlsConfig {
        cert_file: data.path().join("khong-co.crt"),
        key_file: data.path().join("khong-co.key"),
        ..Default::default()
    });
    let refused = eiso_server::App::prepare(config).await.err().expect("refused");
    assert!(format!("{refused:#}").contains("khong-co.crt"), "{refused:#}");
}
