//! Moving an office from the embedded default (SQLite files, the local file
//! store) to the scaled shape (PostgreSQL, an S3 bucket) and back, as
//! deploy/README.md tells an operator to: stop the server, `eiso-server
//! export --to DIR`, `eiso-server import --from DIR` with the other
//! configuration, start. Here through `eiso_server::transfer`, which the
//! subcommands call. After each move a server started on the new storage
//! serves what was there: the sign-in and a token issued before the move, a
//! record's file byte for byte, the dossier with its code, intact audit
//! trails, and a search index rebuilt from the data.

use std::path::Path;

use eiso_blobs::test_server::S3Server;
use eiso_platform::config::Config;
use eiso_proto::eiso::procedures::v1::GetDossierRequest;
use eiso_server::transfer::{self, Summary};
use eiso_tests::counter::{Office, SchoolWithDossier};
use eiso_tests::documents::{PDF, download, file_record, record_to_destroy, upload};
use eiso_tests::{Backend, TestServer, test_config};

/// What a test made before a move (or a backup), to find after it.
pub struct Made {
    pub school: SchoolWithDossier,
    /// The resource name of the record's file, and its content.
    pub file: String,
    pub content: Vec<u8>,
}

/// An office with a dossier, and a record with a file of about 300 kB.
pub async fn make_office(server: &TestServer) -> Made {
    let school = server.school_with_dossier().await;
    let Office { unit, controller } = &school.office;
    let mut documents = server.documents(controller);
    let record = file_record(
        &mut documents,
        record_to_destroy("Sổ theo dõi hồ sơ năm 2024", &unit.name),
    )
    .await;
    let content: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    let file = upload(&mut documents, &record.name, "so-theo-doi.pdf", PDF, &content)
        .await
        .unwrap();
    Made {
        school,
        file: file.name,
        content,
    }
}

/// What was there is there, on `server`.
async fn check_office(server: &TestServer, made: &Made, shape: &str) {
    // The sign-in (the admin signed in to start the server), and a token
    // issued before the move: the signing key moved with identity's tables.
    server.login("thu.ky", "thu.ky-password").await.unwrap();
    let (_, downloaded) = download(&mut server.documents(&made.school.office.controller), &made.file).await;
    assert!(downloaded == made.content, "{shape}: the file came back different");
    let dossier = server
        .dossiers(&server.admin_token)
        .get_dossier(GetDossierRequest {
            name: made.school.dossier.name.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(dossier.code, made.school.dossier.code, "{shape}");
    for trail in [
        "trails/identity",
        "trails/documents",
        "trails/procedures",
        "trails/plans",
        "trails/quality",
    ] {
        let verification = server.verify_trail(trail).await;
        assert!(verification.intact, "{shape}: {trail}: {verification:?}");
        if ["trails/identity", "trails/documents", "trails/procedures"].contains(&trail) {
            assert!(verification.entries_checked > 0, "{shape}: {trail}");
        }
    }
    // The index is not carried: the server built it from the databases.
    let found = crate::search::searchable(server, &server.admin_token, "chuyen truong", "dossier").await;
    assert!(
        found.results.iter().any(|r| r.name == made.school.dossier.name),
        "{shape}: the rebuilt index does not find the dossier"
    );
}

/// Every table of the export was imported with as many rows.
fn assert_same_rows(exported: &Summary, imported: &Summary) {
    assert_eq!(exported.service_names(), imported.service_names());
    for service in &exported.services {
        for (table, rows) in &service.tables {
            assert_eq!(
                imported.rows(&service.name, table),
                Some(*rows),
                "{}.{table}",
                service.name
            );
        }
    }
    assert_eq!(
        (exported.files, exported.file_bytes),
        (imported.files, imported.file_bytes)
    );
}

fn bucket(s3: &S3Server) -> eiso_platform::config::BlobStoreConfig {
    Config::load(None, &s3.env().into_iter().collect()).unwrap().blob_store
}

fn sqlite() -> Backend {
    Backend::Sqlite {
        dir: tempfile::tempdir().unwrap(),
    }
}

/// The test configuration on `backend` (and the bucket, if given).
fn config_of(backend: &Backend, s3: Option<&S3Server>) -> Config {
    let mut config = test_config();
    if let Some(s3) = s3 {
        config.blob_store = bucket(s3);
    }
    backend.configure(&mut config);
    config
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_office_moves_from_the_embedded_default_to_postgresql_and_a_bucket_and_back() {
    if std::env::var("EISO_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
        .is_none()
    {
        println!("note: the move to the scaled shape needs PostgreSQL (EISO_TEST_DATABASE_URL)");
        return;
    }
    let Some(s3) = S3Server::start() else { return };

    // The embedded default: SQLite files and the local file store.
    let server = TestServer::start_on(sqlite()).await;
    let made = make_office(&server).await;
    let embedded = server.config.clone();
    let embedded_storage = server.stop_keep().await;

    // Export with the embedded configuration ...
    let dumps = tempfile::tempdir().unwrap();
    let dump = dumps.path().join("eiso-2026-12-07");
    let exported = transfer::export(&embedded, &dump).await.unwrap();
    println!("{exported}");
    assert_eq!(
        exported.service_names(),
        ["identity", "documents", "procedures", "plans", "quality"]
    );
    assert_eq!((exported.files, exported.file_bytes), (1, 300_000));
    assert!(exported.rows("identity", "users").unwrap() >= 3);
    assert_eq!(exported.rows("procedures", "dossiers"), Some(1));
    assert!(dump.join("manifest.json").is_file());
    assert!(dump.join("identity").join("audit_entries.jsonl").is_file());

    // ... import with the scaled one: a new database, a bucket.
    let scaled = Backend::fresh().await;
    assert!(scaled.is_postgres());
    let imported = transfer::import(&config_of(&scaled, Some(&s3)), &dump, false)
        .await
        .unwrap();
    println!("{imported}");
    assert_same_rows(&exported, &imported);
    let server = TestServer::start_on_configured(scaled, |config| config.blob_store = bucket(&s3)).await;
    check_office(&server, &made, "PostgreSQL and S3").await;

    // And back: export from PostgreSQL and the bucket, import into a new
    // data directory of SQLite files and the local file store.
    let scaled_config = server.config.clone();
    let scaled = server.stop_keep().await;
    let dump = dumps.path().join("eiso-back");
    let exported = transfer::export(&scaled_config, &dump).await.unwrap();
    println!("{exported}");
    assert_eq!((exported.files, exported.file_bytes), (1, 300_000));
    let embedded_again = sqlite();
    let imported = transfer::import(&config_of(&embedded_again, None), &dump, false)
        .await
        .unwrap();
    assert_same_rows(&exported, &imported);
    let server = TestServer::start_on(embedded_again).await;
    check_office(&server, &made, "SQLite again").await;

    server.stop().await;
    scaled.drop_storage().await;
    embedded_storage.drop_storage().await;
}

fn error_text(error: anyhow::Error) -> String {
    format!("{error:#}")
}

fn replace_in(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{} has no {from:?}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

/// On SQLite at both ends, whatever the test backend: what import refuses.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_refuses_a_target_that_holds_an_office_and_a_damaged_dump() {
    let server = TestServer::start_on(sqlite()).await;
    server.education_office().await;
    let source = server.config.clone();
    let source_storage = server.stop_keep().await;

    let dumps = tempfile::tempdir().unwrap();
    let dump = dumps.path().join("dump");
    let exported = transfer::export(&source, &dump).await.unwrap();
    // Not into a directory that holds something.
    let error = error_text(transfer::export(&source, &dump).await.unwrap_err());
    assert!(error.contains("is not empty"), "{error}");
    // Not from a data directory without an office.
    let nothing = sqlite();
    let error = error_text(
        transfer::export(&config_of(&nothing, None), &dumps.path().join("nothing"))
            .await
            .unwrap_err(),
    );
    assert!(error.contains("no office to export"), "{error}");

    let target = sqlite();
    let config = config_of(&target, None);
    let imported = transfer::import(&config, &dump, false).await.unwrap();
    assert_same_rows(&exported, &imported);

    // The target now holds an office: refused, naming where, unless replaced.
    let error = error_text(transfer::import(&config, &dump, false).await.unwrap_err());
    assert!(error.contains("already holds an office"), "{error}");
    assert!(error.contains("identity"), "{error}");
    assert!(error.contains("--replace"), "{error}");
    let replaced = transfer::import(&config, &dump, true).await.unwrap();
    assert_same_rows(&exported, &replaced);

    // A damaged line: refused with the file and the line, nothing written.
    let users = dump.join("identity").join("users.jsonl");
    let rows = exported.rows("identity", "users").unwrap();
    let mut text = std::fs::read_to_string(&users).unwrap();
    text.push_str("{\"id\": \"damaged\n");
    std::fs::write(&users, &text).unwrap();
    let error = error_text(transfer::import(&config, &dump, true).await.unwrap_err());
    assert!(error.contains(&format!("users.jsonl line {}", rows + 1)), "{error}");
    text.truncate(text.len() - "{\"id\": \"damaged\n".len());
    std::fs::write(&users, &text).unwrap();

    // A dump of a newer eiso (a migration this one does not know).
    let manifest = dump.join("manifest.json");
    replace_in(
        &manifest,
        "\"m0007_leases\"",
        "\"m0007_leases\", \"m9999_from_the_future\"",
    );
    let error = error_text(transfer::import(&config, &dump, true).await.unwrap_err());
    assert!(
        error.contains("newer eiso") && error.contains("m9999_from_the_future"),
        "{error}"
    );
    replace_in(&manifest, ", \"m9999_from_the_future\"", "");

    // The target still serves the office it held.
    let server = TestServer::start_on(target).await;
    server.login("thu.ky", "thu.ky-password").await.unwrap();
    server.stop().await;
    source_storage.drop_storage().await;
}
