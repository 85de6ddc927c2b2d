//! What the blob store's tests share, on a local disk and on S3 alike.

use std::collections::HashSet;
use std::time::Duration;

use bytes::Bytes;
use eiso_blobs::BlobStore;
use futures::Stream;
use rand::{Rng, SeedableRng, rngs::StdRng};

/// `len` bytes of noise, the same for the same `seed`.
pub fn random(len: usize, seed: u64) -> Vec<u8> {
    let mut v = vec![0u8; len];
    StdRng::seed_from_u64(seed).fill(&mut v[..]);
    v
}

/// The data as a client stream of `piece`-sized chunks.
pub fn chunks(data: &[u8], piece: usize) -> impl Stream<Item = Result<Bytes, std::io::Error>> + Send + use<> {
    let pieces: Vec<_> = data.chunks(piece).map(|c| Ok(Bytes::copy_from_slice(c))).collect();
    futures::stream::iter(pieces)
}

/// Sweeps `store` keeping the content `kept`, which it holds with one
/// unreferenced blob: content newer than the age limit stays, referenced or
/// not; once old enough, the unreferenced blob goes.
pub async fn sweep_keeping(store: &BlobStore, kept: &str) {
    let keep = HashSet::from([kept.to_string()]);
    assert_eq!(
        store
            .sweep_unreferenced(&keep, Duration::from_secs(3600))
            .await
            .unwrap(),
        0
    );
    assert_eq!(store.sweep_unreferenced(&keep, Duration::ZERO).await.unwrap(), 1);
}
