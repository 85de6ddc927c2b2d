//! Blob store tests against the real local filesystem (a temporary directory).

#![allow(clippy::unwrap_used)]

use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use eiso_blobs::{BlobError, BlobStore, valid_digest};
use futures::StreamExt;
use sha2::{Digest, Sha256};

mod common;
use common::{chunks, random, sweep_keeping};

const CHUNK: usize = 64 * 1024;

fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// Every file under `dir`, recursively (including object_store's hidden `#n` files).
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}

fn stored_file(root: &Path, digest: &str) -> PathBuf {
    root.join("sha256").join(&digest[..2]).join(digest)
}

/// Reads a blob fully, checking every chunk's size bound.
async fn read_all(store: &BlobStore, digest: &str, chunk_size: usize) -> Result<Vec<u8>, BlobError> {
    let mut reader = store.get(digest, chunk_size).await?;
    let mut out = Vec::new();
    while let Some(chunk) = reader.next().await {
        let chunk = chunk?;
        assert!(!chunk.is_empty(), "empty chunk");
        assert!(chunk.len() <= chunk_size, "chunk of {} > {chunk_size}", chunk.len());
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

#[tokio::test]
async fn round_trip_of_various_sizes() {
    let dir = tempfile::tempdir().unwrap();
    let store = BlobStore::local(&dir.path().join("blobs")).unwrap();
    let root = dir.path().join("blobs");
    for (i, size) in [0, 1, CHUNK, CHUNK + 1, 20 * 1024 * 1024].into_iter().enumerate() {
        let data = random(size, i as u64);
        // Client chunks of an odd size, unrelated to the part and read sizes.
        let blob = store.put(chunks(&data, 7919), u64::MAX).await.unwrap();
        assert_eq!(blob.digest, sha256_hex(&data), "size {size}");
        assert_eq!(blob.size, size as u64);
        assert!(valid_digest(&blob.digest));
        assert_eq!(
            std::fs::read(stored_file(&root, &blob.digest)).unwrap(),
            data,
            "on disk, size {size}"
        );

        let back = read_all(&store, &blob.digest, CHUNK).await.unwrap();
        assert!(back == data, "round trip differs for size {size}");
        assert_eq!(store.exists(&blob.digest).await.unwrap(), Some(size as u64));
        assert_eq!(store.verify(&blob.digest).await.unwrap(), blob);
        assert_eq!(store.get(&blob.digest, CHUNK).await.unwrap().size(), size as u64);
    }
    // Other read chunk sizes, including 1 byte and larger than the file.
    let data = random(10_000, 99);
    let blob = store.put(chunks(&data, 1000), u64::MAX).await.unwrap();
    for cs in [1, 999, 1000, 9_999, 10_000, 10_001, 1 << 20] {
        assert!(
            read_all(&store, &blob.digest, cs).await.unwrap() == data,
            "chunk size {cs}"
        );
    }
    assert!(
        files_under(&root.join("staging")).is_empty(),
        "staging left: {:?}",
        files_under(&root.join("staging"))
    );
}

#[tokio::test]
async fn same_content_is_stored_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = BlobStore::local(dir.path()).unwrap();
    let data = random(3 * 1024 * 1024 + 17, 1);
    let a = store.put(chunks(&data, 65_536), u64::MAX).await.unwrap();
    let b = store.put(chunks(&data, 4_000), u64::MAX).await.unwrap();
    assert_eq!(a, b);
    // Concurrently, too.
    let (c, d) = tokio::join!(
        store.put(chunks(&data, 100_000), u64::MAX),
        store.put(chunks(&data, 12_345), u64::MAX)
    );
    assert_eq!(c.unwrap(), a);
    assert_eq!(d.unwrap(), a);
    assert_eq!(
        files_under(&dir.path().join("sha256")),
        vec![stored_file(dir.path(), &a.digest)]
    );
    assert!(files_under(&dir.path().join("staging")).is_empty());
    assert!(read_all(&store, &a.digest, CHUNK).await.unwrap() == data);
}

#[tokio::test]
async fn over_the_limit_is_refused_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = BlobStore::local(dir.path()).unwrap();

    // Exactly the limit is accepted.
    let ok = store.put(chunks(&random(1000, 2), 300), 1000).await.unwrap();
    assert_eq!(ok.size, 1000);

    // Over it, small, and large enough that parts were already written to staging.
    for (size, max) in [(1001usize, 1000u64), (5 * 1024 * 1024, 2 * 1024 * 1024)] {
        let data = random(size, size as u64);
        match store.put(chunks(&data, 65_536), max).await {
            Err(BlobError::TooLarge { max: m }) => assert_eq!(m, max),
            other => panic!("expected TooLarge, got {other:?}"),
        }
        assert_eq!(store.exists(&sha256_hex(&data)).await.unwrap(), None);
    }
    assert_eq!(
        files_under(&dir.path().join("sha256")),
        vec![stored_file(dir.path(), &ok.digest)]
    );
    assert!(
        files_under(&dir.path().join("staging")).is_empty(),
        "{:?}",
        files_under(&dir.path().join("staging"))
    );
}

#[tokio::test]
async fn a_failing_client_stream_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = BlobStore::local(dir.path()).unwrap();
    let data = random(3 * 1024 * 1024, 3);
    let failing = chunks(&data, 65_536)
        .chain(futures::stream::iter([Err(std::io::Error::other("client went away"))]))
        .chain(chunks(&data, 65_536));
    match store.put(failing, u64::MAX).await {
        Err(BlobError::Interrupted(e)) => assert!(e.to_string().contains("client went away")),
        other => panic!("expected Interrupted, got {other:?}"),
    }
    assert!(files_under(dir.path()).is_empty(), "{:?}", files_under(dir.path()));
    assert_eq!(store.exists(&sha256_hex(&data)).await.unwrap(), None);

    // A BlobError from the stream itself comes back unchanged.
    let refused = futures::stream::iter([Ok(Bytes::from_static(b"abc")), Err(BlobError::TooLarge { max: 3 })]);
    assert!(matches!(
        store.put(refused, u64::MAX).await,
        Err(BlobError::TooLarge { max: 3 })
    ));
    assert!(files_under(dir.path()).is_empty());
}

#[tokio::test]
async fn a_dropped_upload_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = BlobStore::local(dir.path()).unwrap();
    let data = random(2 * 1024 * 1024, 4);
    let stalled = chunks(&data, 65_536).chain(futures::stream::pending());
    let put = store.put(stalled, u64::MAX);
    assert!(tokio::time::timeout(Duration::from_millis(300), put).await.is_err());
    // object_store removes its temporary file from a blocking task when the upload drops.
    for _ in 0..100 {
        if files_under(dir.path()).is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(files_under(dir.path()).is_empty(), "{:?}", files_under(dir.path()));
}

async fn first_error(store: &BlobStore, digest: &str, chunk_size: usize) -> (usize, Option<BlobError>) {
    let mut reader = store.get(digest, chunk_size).await.unwrap();
    let mut received = 0;
    while let Some(item) = reader.next().await {
        match item {
            Ok(chunk) => received += chunk.len(),
            Err(e) => {
                assert!(reader.next().await.is_none(), "stream continues after an error");
                return (received, Some(e));
            }
        }
    }
    (received, None)
}

#[tokio::test]
async fn corruption_is_detected_and_the_whole_wrong_file_never_delivered() {
    let dir = tempfile::tempdir().unwrap();
    let store = BlobStore::local(dir.path()).unwrap();
    let size = 300 * 1024 + 5;

    // Flip one byte: early, in the last chunk, in the very last byte.
    for (i, at) in [10, size - 100, size - 1].into_iter().enumerate() {
        let data = random(size, 10 + i as u64);
        let blob = store.put(chunks(&data, 65_536), u64::MAX).await.unwrap();
        let path = stored_file(dir.path(), &blob.digest);
        let mut f = std::fs::OpenOptions::new().read(true).write(true).open(&path).unwrap();
        f.seek(SeekFrom::Start(at as u64)).unwrap();
        f.write_all(&[data[at] ^ 0x01]).unwrap();
        drop(f);

        for cs in [CHUNK, 1000, size, 1 << 20] {
            let (received, err) = first_error(&store, &blob.digest, cs).await;
            assert!(
                matches!(&err, Some(BlobError::Corrupt { digest }) if *digest == blob.digest),
                "{err:?}"
            );
            assert!(
                received < size,
                "received the full wrong file ({received} bytes, chunk {cs})"
            );
        }
        assert!(matches!(
            store.verify(&blob.digest).await,
            Err(BlobError::Corrupt { .. })
        ));
    }

    // Truncated and extended files.
    let data = random(size, 20);
    let blob = store.put(chunks(&data, 65_536), u64::MAX).await.unwrap();
    let path = stored_file(dir.path(), &blob.digest);
    std::fs::write(&path, &data[..size - 1]).unwrap();
    let (received, err) = first_error(&store, &blob.digest, CHUNK).await;
    assert!(matches!(err, Some(BlobError::Corrupt { .. })) && received < size - 1);
    let mut longer = data.clone();
    longer.push(0);
    std::fs::write(&path, &longer).unwrap();
    let (received, err) = first_error(&store, &blob.digest, CHUNK).await;
    assert!(matches!(err, Some(BlobError::Corrupt { .. })) && received < size);
    assert!(matches!(
        store.verify(&blob.digest).await,
        Err(BlobError::Corrupt { .. })
    ));

    // Uploading the same content again repairs a blob whose size is wrong.
    assert_eq!(store.put(chunks(&data, 65_536), u64::MAX).await.unwrap(), blob);
    assert_eq!(store.verify(&blob.digest).await.unwrap(), blob);
}

#[tokio::test]
async fn invalid_digests_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = BlobStore::local(&dir.path().join("blobs")).unwrap();
    std::fs::write(dir.path().join("secret"), b"x").unwrap();
    let good = sha256_hex(b"hello");
    let bad = [
        "../etc/passwd".to_owned(),
        "../secret".to_owned(),
        good.to_uppercase(),
        good[..63].to_owned(),
        format!("{good}a"),
        format!("{}/../{}", &good[..2], &good[5..]),
        String::new(),
    ];
    for d in &bad {
        assert!(!valid_digest(d), "{d}");
        assert!(
            matches!(store.get(d, CHUNK).await, Err(BlobError::InvalidDigest)),
            "get {d}"
        );
        assert!(
            matches!(store.verify(d).await, Err(BlobError::InvalidDigest)),
            "verify {d}"
        );
        assert!(
            matches!(store.exists(d).await, Err(BlobError::InvalidDigest)),
            "exists {d}"
        );
    }
    assert!(matches!(store.get(&good, CHUNK).await, Err(BlobError::NotFound { .. })));
    assert!(matches!(store.verify(&good).await, Err(BlobError::NotFound { .. })));
    assert_eq!(store.exists(&good).await.unwrap(), None);
}

#[tokio::test]
async fn sweep_removes_abandoned_staging_files_only() {
    let dir = tempfile::tempdir().unwrap();
    let store = BlobStore::local(dir.path()).unwrap();
    // Nothing to sweep in a fresh store.
    assert_eq!(store.sweep_staging(Duration::from_secs(60)).await.unwrap(), 0);

    let kept = store.put(chunks(b"keep me", 3), u64::MAX).await.unwrap();
    let staging = dir.path().join("staging");
    std::fs::create_dir_all(&staging).unwrap();
    // What a kill leaves: a partial object_store temporary, and a completed staging object.
    let old = [
        staging.join("0b6c1b1e-8d5e-4f53-9d1c-7f0f3f1d2a11#1"),
        staging.join("4a7d3c2b-1e0f-4a9b-8c7d-6e5f4a3b2c1d"),
    ];
    let fresh = staging.join("9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a#1");
    let two_hours_ago = SystemTime::now() - Duration::from_secs(7200);
    for p in &old {
        let f = std::fs::File::create(p).unwrap();
        f.set_modified(two_hours_ago).unwrap();
    }
    std::fs::write(&fresh, b"upload in progress").unwrap();

    assert_eq!(store.sweep_staging(Duration::from_secs(3600)).await.unwrap(), 2);
    assert_eq!(files_under(&staging), vec![fresh.clone()]);
    assert_eq!(store.verify(&kept.digest).await.unwrap(), kept);
    assert_eq!(store.sweep_staging(Duration::ZERO).await.unwrap(), 1);
    assert!(files_under(&staging).is_empty());
}

#[tokio::test]
async fn unreferenced_content_is_swept_and_referenced_content_kept() {
    let dir = tempfile::tempdir().unwrap();
    let store = BlobStore::local(dir.path()).unwrap();
    let kept = store.put(chunks(&random(70_000, 1), 8192), 1 << 20).await.unwrap();
    let orphan = store.put(chunks(&random(50_000, 2), 8192), 1 << 20).await.unwrap();
    sweep_keeping(&store, &kept.digest).await;

    // The unreferenced content is gone, the referenced stays whole.
    assert!(matches!(
        read_all(&store, &orphan.digest, 4096).await,
        Err(BlobError::NotFound { .. })
    ));
    assert_eq!(read_all(&store, &kept.digest, 4096).await.unwrap(), random(70_000, 1));
    assert_eq!(store.exists(&orphan.digest).await.unwrap(), None);
}
