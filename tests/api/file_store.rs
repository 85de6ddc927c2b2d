//! Files in a bucket of S3-compatible storage (a real S3 server, s3s-fs,
//! started by the test), configured as an operator would: through the
//! `EISO_BLOB_STORE_*` and `AWS_*` variables.

use std::time::Duration;

use eiso_blobs::test_server::{BUCKET, S3Server};
use eiso_platform::config::{BlobStoreConfig, Config};
use eiso_proto::eiso::documents::v1::DeleteFileRequest;
use eiso_tests::TestServer;
use eiso_tests::counter::Office;
use eiso_tests::documents::{PDF, download, file_record, record_to_destroy, upload};

/// `[blob_store]` as the server's environment names `server`'s bucket.
fn bucket(server: &S3Server) -> BlobStoreConfig {
    Config::load(None, &server.env().into_iter().collect())
        .unwrap()
        .blob_store
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_go_to_the_bucket_and_come_back_whole() {
    let Some(s3) = S3Server::start() else { return };
    let server = TestServer::start_configured(|config| config.blob_store = bucket(&s3)).await;
    let Office { unit, controller } = server.education_office().await;
    let mut client = server.documents(&controller);
    let record = file_record(&mut client, record_to_destroy("Sổ theo dõi hồ sơ năm 2024", &unit.name)).await;
    // Larger than one S3 part (5 MiB), and a small one.
    let large: Vec<u8> = (0..7 * 1024 * 1024 + 17).map(|i: usize| (i * 31 % 251) as u8).collect();
    let small = b"so theo doi".to_vec();
    for (file_name, content) in [("so-theo-doi.pdf", &large), ("ghi-chu.pdf", &small)] {
        let file = upload(&mut client, &record.name, file_name, PDF, content)
            .await
            .unwrap();
        let (_, downloaded) = download(&mut client, &file.name).await;
        assert_eq!(&downloaded, content, "{file_name}");
        // In the bucket under its content's address, not on the local disk.
        let object = s3
            .root()
            .join(BUCKET)
            .join("sha256")
            .join(&file.sha256[..2])
            .join(&file.sha256);
        assert_eq!(
            std::fs::metadata(&object).unwrap().len(),
            content.len() as u64,
            "{file_name}"
        );
    }
    assert!(!server.config.data_dir.join("blobs").join("sha256").exists());
    server.stop().await;
}

#[tokio::test]
async fn a_bucket_that_does_not_answer_stops_the_start_with_its_name() {
    let Some(s3) = S3Server::start() else { return };
    let mut config = eiso_tests::test_config();
    let data = tempfile::tempdir().unwrap();
    config.data_dir = data.path().to_path_buf();
    config.blob_store = BlobStoreConfig {
        bucket: "khong-co".into(),
        ..bucket(&s3)
    };
    let refused = eiso_server::App::prepare(config)
        .await
        .err()
        .expect("the start is refused");
    let message = format!("{refused:#}");
    assert!(message.contains("bucket khong-co at http://127.0.0.1:"), "{message}");
}

/// Two replicas on one database and one file store: one sweeps the content
/// no file refers to while the other stores the same content again. Whatever
/// the interleaving, a file that was recorded has its content.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sweep_on_one_replica_never_deletes_what_another_is_storing() {
    // On the S3 server where there is one, else on the disk both share.
    let s3 = S3Server::start();
    let server = TestServer::start_configured(|config| {
        if let Some(s3) = &s3 {
            config.blob_store = bucket(s3);
        }
    })
    .await;
    let mut config = server.config.clone();
    let search = tempfile::tempdir().unwrap();
    config.search_dir = Some(search.path().to_path_buf());
    let sweeper = eiso_server::App::prepare(config).await.unwrap();
    let Office { unit, controller } = server.education_office().await;
    let mut client = server.documents(&controller);
    let record = file_record(&mut client, record_to_destroy("Sổ theo dõi hồ sơ năm 2024", &unit.name)).await;
    let mut swept = 0;
    for round in 0..40u32 {
        let content: Vec<u8> = (0..200_000u32)
            .map(|i| (i.wrapping_mul(round + 7) % 253) as u8)
            .collect();
        // Stored, then no longer referred to: what a sweep deletes.
        let first = upload(&mut client, &record.name, "ban-1.pdf", PDF, &content)
            .await
            .unwrap();
        client
            .delete_file(DeleteFileRequest { name: first.name })
            .await
            .unwrap();
        let mut again = client.clone();
        let (sweep, stored) = tokio::join!(
            sweeper
                .documents()
                .expect("hosts documents")
                .sweep_unreferenced_content(Duration::ZERO),
            upload(&mut again, &record.name, "ban-2.pdf", PDF, &content)
        );
        swept += sweep.unwrap();
        let stored = stored.unwrap();
        let (_, downloaded) = download(&mut client, &stored.name).await;
        assert!(downloaded == content, "round {round}: the file's content is gone");
        client
            .delete_file(DeleteFileRequest { name: stored.name })
            .await
            .unwrap();
    }
    // Both orders happened: some sweeps deleted the content before the
    // upload stored it again.
    assert!(swept > 0, "no sweep deleted anything");
    server.stop().await;
}
