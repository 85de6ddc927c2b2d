//! The blob store on a real S3-compatible server (s3s-fs, started per test):
//! the same guarantees as on a local disk — stored once, verified on read,
//! nothing partial visible — and two replicas uploading the same file at once.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use eiso_blobs::test_server::{BUCKET, S3Server};
use eiso_blobs::{BlobError, BlobStore, S3Location};
use futures::StreamExt;
use sha2::{Digest, Sha256};

mod common;
use common::{chunks, random, sweep_keeping};

async fn read_all(store: &BlobStore, digest: &str) -> Result<Vec<u8>, BlobError> {
    let mut reader = store.get(digest, 256 * 1024).await?;
    let mut out = Vec::new();
    while let Some(chunk) = reader.next().await {
        out.extend_from_slice(&chunk?);
    }
    Ok(out)
}

/// Every object key in the bucket (s3s-fs keeps `<root>/<bucket>/<key>`).
fn keys(server: &S3Server) -> Vec<String> {
    fn walk(dir: &std::path::Path, base: &std::path::Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, base, out);
            } else {
                out.push(path.strip_prefix(base).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    let base = server.root().join(BUCKET);
    let mut out = Vec::new();
    walk(&base, &base, &mut out);
    out.retain(|k| !k.starts_with(".s3s") && !k.contains("/.s3s"));
    out.sort();
    out
}

#[tokio::test]
async fn files_of_every_size_go_in_and_come_back_verified() {
    let Some(server) = S3Server::start() else { return };
    let store = BlobStore::s3(&server.location()).unwrap();
    store.check().await.unwrap();
    // Empty, small, one byte over an S3 part (5 MiB), and several parts.
    for (len, seed) in [
        (0usize, 1u64),
        (1, 2),
        (70_000, 3),
        (5 * 1024 * 1024 + 1, 4),
        (12 * 1024 * 1024, 5),
    ] {
        let data = random(len, seed);
        let stored = store.put(chunks(&data, 64 * 1024), u64::MAX).await.unwrap();
        assert_eq!(stored.digest, hex::encode(Sha256::digest(&data)), "{len}");
        assert_eq!(stored.size, len as u64);
        assert_eq!(store.exists(&stored.digest).await.unwrap(), Some(len as u64));
        assert_eq!(read_all(&store, &stored.digest).await.unwrap(), data, "{len}");
        assert_eq!(store.verify(&stored.digest).await.unwrap().size, len as u64);
    }
    // Only content is left: no staging object, no partial one.
    let keys = keys(&server);
    assert_eq!(keys.len(), 5, "{keys:?}");
    assert!(keys.iter().all(|k| k.starts_with("sha256/")), "{keys:?}");
}

#[tokio::test]
async fn two_replicas_uploading_the_same_file_at_once_store_it_once() {
    // With the store's conditional copy (`multipart`: If-None-Match on the
    // completion, which s3s-fs refuses with 412 as AWS S3 does) and without.
    for mode in [Some("multipart"), None] {
        let Some(server) = S3Server::start() else { return };
        let location = S3Location {
            copy_if_not_exists: mode.map(str::to_string),
            ..server.location()
        };
        let one = BlobStore::s3(&location).unwrap();
        let two = BlobStore::s3(&location).unwrap();
        let data = random(6 * 1024 * 1024, 7);
        for round in 0..4 {
            let (a, b) = tokio::join!(
                one.put(chunks(&data, 100_000), u64::MAX),
                two.put(chunks(&data, 64 * 1024), u64::MAX)
            );
            let (a, b) = (a.unwrap(), b.unwrap());
            assert_eq!(a, b, "{mode:?} round {round}");
            assert_eq!(read_all(&one, &a.digest).await.unwrap(), data);
            assert_eq!(read_all(&two, &a.digest).await.unwrap(), data);
        }
        assert_eq!(keys(&server).len(), 1, "{mode:?}: {:?}", keys(&server));
    }
}

#[tokio::test]
async fn a_damaged_object_is_never_delivered_whole() {
    let Some(server) = S3Server::start() else { return };
    let store = BlobStore::s3(&server.location()).unwrap();
    let data = random(600_000, 9);
    let stored = store.put(chunks(&data, 64 * 1024), u64::MAX).await.unwrap();
    // One byte changed behind the store's back, the size kept.
    let file = server
        .root()
        .join(BUCKET)
        .join("sha256")
        .join(&stored.digest[..2])
        .join(&stored.digest);
    let mut bytes = std::fs::read(&file).unwrap();
    bytes[123_456] ^= 0x55;
    std::fs::write(&file, &bytes).unwrap();
    match read_all(&store, &stored.digest).await {
        Err(BlobError::Corrupt { digest }) => assert_eq!(digest, stored.digest),
        other => panic!("expected Corrupt, got {:?}", other.map(|d| d.len())),
    }
    assert!(matches!(
        store.verify(&stored.digest).await,
        Err(BlobError::Corrupt { .. })
    ));
}

#[tokio::test]
async fn refused_and_cut_off_uploads_leave_nothing() {
    let Some(server) = S3Server::start() else { return };
    let store = BlobStore::s3(&server.location()).unwrap();
    let data = random(7 * 1024 * 1024, 11);
    match store.put(chunks(&data, 64 * 1024), 6 * 1024 * 1024).await {
        Err(BlobError::TooLarge { max }) => assert_eq!(max, 6 * 1024 * 1024),
        other => panic!("expected TooLarge, got {other:?}"),
    }
    let failing = chunks(&data[..3 * 1024 * 1024], 64 * 1024).chain(futures::stream::once(async {
        Err(std::io::Error::other("client went away"))
    }));
    assert!(matches!(
        store.put(failing, u64::MAX).await,
        Err(BlobError::Interrupted(_))
    ));
    // Give the aborts a moment: they are requests too.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(keys(&server), Vec::<String>::new());
}

#[tokio::test]
async fn unreferenced_content_and_abandoned_staging_are_swept() {
    let Some(server) = S3Server::start() else { return };
    let store = BlobStore::s3(&server.location()).unwrap();
    let kept = store.put(chunks(&random(1000, 12), 100), u64::MAX).await.unwrap();
    let orphan = store.put(chunks(&random(1000, 13), 100), u64::MAX).await.unwrap();
    sweep_keeping(&store, &kept.digest).await;
    assert_eq!(store.exists(&orphan.digest).await.unwrap(), None);
    assert_eq!(store.exists(&kept.digest).await.unwrap(), Some(1000));
    assert_eq!(store.sweep_staging(Duration::ZERO).await.unwrap(), 0);
}

#[tokio::test]
async fn a_wrong_bucket_or_key_is_found_at_the_check() {
    let Some(server) = S3Server::start() else { return };
    let wrong_bucket = BlobStore::s3(&S3Location {
        bucket: "no-such-bucket".into(),
        ..server.location()
    })
    .unwrap();
    assert!(matches!(wrong_bucket.check().await, Err(BlobError::Store(_))));
    let wrong_key = BlobStore::s3(&S3Location {
        secret_access_key: Some("not-the-secret".into()),
        ..server.location()
    })
    .unwrap();
    let refused = wrong_key.check().await.unwrap_err().to_string();
    assert!(!refused.contains("not-the-secret"), "{refused}");
    assert!(BlobStore::s3(&server.location()).unwrap().check().await.is_ok());
}

#[tokio::test]
async fn an_upload_while_the_store_is_down_fails_and_the_next_one_succeeds() {
    let Some(mut server) = S3Server::start() else { return };
    let store = BlobStore::s3(&server.location()).unwrap();
    let before = store.put(chunks(&random(5000, 14), 1000), u64::MAX).await.unwrap();
    server.kill();
    let down = store.put(chunks(&random(5000, 15), 1000), u64::MAX).await;
    assert!(matches!(down, Err(BlobError::Store(_))), "{down:?}");
    server.restart();
    let after = store.put(chunks(&random(5000, 15), 1000), u64::MAX).await.unwrap();
    assert_eq!(read_all(&store, &before.digest).await.unwrap(), random(5000, 14));
    assert_eq!(read_all(&store, &after.digest).await.unwrap(), random(5000, 15));
}
