//! Backup and restore of the scaled-out shape, as deploy/README.md tells an
//! operator to do it: `pg_dump --format=custom` of the database, then a copy
//! of the bucket; restored with `pg_restore` into a new database and the
//! bucket's objects into a new bucket; a server started on them serves what
//! was there — the sign-in, a record's file (checked against its digest on
//! the way out), a dossier, intact audit trails, and a search index rebuilt
//! from the restored data. PostgreSQL only (the embedded setup's backup is a
//! copy of its data directory while it is stopped).

use std::path::Path;
use std::process::Command;

use eiso_blobs::test_server::{BUCKET, S3Server};
use eiso_platform::config::Config;
use eiso_proto::eiso::procedures::v1::GetDossierRequest;
use eiso_tests::documents::download;
use eiso_tests::{Backend, TestServer};

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn run(command: &mut Command) {
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{command:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_of_the_database_and_the_bucket_restores_a_working_office() {
    let Some(admin_url) = std::env::var("EISO_TEST_DATABASE_URL").ok().filter(|u| !u.is_empty()) else {
        println!("note: the backup test runs on PostgreSQL only (EISO_TEST_DATABASE_URL)");
        return;
    };
    let Some(s3) = S3Server::start() else { return };
    let bucket = |s3: &S3Server| Config::load(None, &s3.env().into_iter().collect()).unwrap().blob_store;
    let server = TestServer::start_configured(|config| config.blob_store = bucket(&s3)).await;
    let made = crate::transfer::make_office(&server).await;
    let (school, file, content) = (&made.school, &made.file, &made.content);

    // The backup: the database first, then the bucket (content is never
    // changed in place, so every file the dump refers to is in the copy).
    let backup = tempfile::tempdir().unwrap();
    let dump = backup.path().join("eiso.dump");
    let url = server.config.database_url.clone().unwrap();
    run(Command::new("pg_dump")
        .args(["--format=custom", "--file"])
        .arg(&dump)
        .arg(&url));
    copy_dir(&s3.root().join(BUCKET), &backup.path().join("bucket"));
    let backend = server.stop_keep().await;
    drop(s3);

    // The restore: a new database, a new bucket.
    let database = format!("eiso_r_{}", uuid::Uuid::new_v4().simple());
    let restored_url = format!("{}/{database}", admin_url.rsplit_once('/').unwrap().0);
    run(Command::new("psql")
        .arg(&admin_url)
        .args(["-v", "ON_ERROR_STOP=1", "-qc"])
        .arg(format!("CREATE DATABASE {database}")));
    run(Command::new("pg_restore")
        .args(["--no-owner", "--exit-on-error", "--dbname"])
        .arg(&restored_url)
        .arg(&dump));
    let restored_s3 = S3Server::start().unwrap();
    copy_dir(&backup.path().join("bucket"), &restored_s3.root().join(BUCKET));
    let restored = Backend::Postgres {
        admin_url: admin_url.clone(),
        database,
        url: restored_url,
        files: tempfile::tempdir().unwrap(),
    };
    let server2 = TestServer::start_on_configured(restored, |config| config.blob_store = bucket(&restored_s3)).await;

    // What was there is there: the sign-in (start_on_configured signed in as
    // admin), the record's file whole, the dossier, the trails intact.
    let controller = server2.login("thu.ky", "thu.ky-password").await.unwrap();
    let (_, downloaded) = download(&mut server2.documents(&controller), file).await;
    assert!(&downloaded == content, "the file came back different");
    let dossier = server2
        .dossiers(&server2.admin_token)
        .get_dossier(GetDossierRequest {
            name: school.dossier.name.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(dossier.code, school.dossier.code);
    for trail in ["trails/identity", "trails/documents", "trails/procedures"] {
        let verification = server2.verify_trail(trail).await;
        assert!(verification.intact, "{trail}: {verification:?}");
        assert!(verification.entries_checked > 0, "{trail}");
    }
    // The search index is not backed up: the restored server builds it.
    let found = crate::search::searchable(&server2, &server2.admin_token, "chuyen truong", "dossier").await;
    assert!(found.results.iter().any(|r| r.name == school.dossier.name));
    server2.stop().await;
    backend.drop_storage().await;
}
