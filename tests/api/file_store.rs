//! Files in a bucket of S3-compatible storage (a real S3 server, s3s-fs,
//! started by the test), configured as an operator would: through the
//! `EISO_BLOB_STORE_*` and `AWS_*` variables.

use eiso_blobs::test_server::{BUCKET, S3Server};
use eiso_platform::config::{BlobStoreConfig, Config};
use eiso_tests::TestServer;
use eiso_tests::counter::Office;
use eiso_tests::documents::{PDF, download, record_to_destroy, upload};

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
    let record = client
        .create_record(record_to_destroy("Sổ theo dõi hồ sơ năm 2024", &unit.name))
        .await
        .unwrap()
        .into_inner();
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
