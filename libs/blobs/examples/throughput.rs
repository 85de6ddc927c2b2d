//! Put and get a generated 200 MiB stream through a local blob store and print the
//! throughput and the process's peak RSS.
//!
//! ```text
//! cargo run --release -p eiso-blobs --example throughput [-- <MiB> [<dir>]]
//! ```
//!
//! The data is generated on the fly (never held in memory); the directory defaults to a
//! temporary directory under the system's temp dir.

#![allow(clippy::unwrap_used)]

use std::time::Instant;

use bytes::Bytes;
use eiso_blobs::BlobStore;
use futures::StreamExt;

/// Client chunk size (a typical gRPC message payload).
const CLIENT_CHUNK: usize = 256 * 1024;
/// Download chunk size.
const READ_CHUNK: usize = 256 * 1024;

fn status(field: &str) -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with(field)).map(|l| l.trim().to_owned()))
        .unwrap_or_else(|| format!("{field} unavailable"))
}

/// Pseudo-random chunks from xorshift64*, generated as the stream is polled.
fn generated(total: u64) -> impl futures::Stream<Item = Result<Bytes, std::io::Error>> + Send {
    futures::stream::unfold((0u64, 0x9e37_79b9_7f4a_7c15u64), move |(sent, mut x)| async move {
        if sent >= total {
            return None;
        }
        let len = (total - sent).min(CLIENT_CHUNK as u64) as usize;
        let mut buf = Vec::with_capacity(len + 8);
        while buf.len() < len {
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            buf.extend_from_slice(&x.wrapping_mul(0x2545_f491_4f6c_dd1d).to_le_bytes());
        }
        buf.truncate(len);
        Some((Ok(Bytes::from(buf)), (sent + len as u64, x)))
    })
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let mib: u64 = args.next().map(|a| a.parse().unwrap()).unwrap_or(200);
    let base = args
        .next()
        .map(std::path::PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let dir = tempfile::tempdir_in(base).unwrap();
    let store = BlobStore::local(dir.path()).unwrap();
    let total = mib * 1024 * 1024;
    let mb = total as f64 / 1e6;
    println!("store: {}  size: {mib} MiB ({mb:.1} MB)", dir.path().display());
    println!("after start: {}", status("VmHWM"));

    // Generation alone, for reference (its cost is included in the put figure).
    let t = Instant::now();
    let mut n = 0u64;
    let mut gen_stream = std::pin::pin!(generated(total));
    while let Some(c) = gen_stream.next().await {
        n += c.unwrap().len() as u64;
    }
    assert_eq!(n, total);
    let gen_s = t.elapsed().as_secs_f64();
    println!("generate only: {:7.1} MB/s  ({gen_s:.2} s)", mb / gen_s);

    let t = Instant::now();
    let blob = store.put(generated(total), u64::MAX).await.unwrap();
    let put_s = t.elapsed().as_secs_f64();
    assert_eq!(blob.size, total);
    println!(
        "put (hash + write + fsync + link): {:7.1} MB/s  ({put_s:.2} s)  sha256 {}",
        mb / put_s,
        blob.digest
    );
    println!("after put: {}", status("VmHWM"));

    let t = Instant::now();
    let mut reader = store.get(&blob.digest, READ_CHUNK).await.unwrap();
    let mut got = 0u64;
    while let Some(chunk) = reader.next().await {
        got += chunk.unwrap().len() as u64;
    }
    let get_s = t.elapsed().as_secs_f64();
    assert_eq!(got, total);
    println!(
        "get (read + verify, page cache warm): {:7.1} MB/s  ({get_s:.2} s)",
        mb / get_s
    );

    // Dedup path: same content again.
    let t = Instant::now();
    let again = store.put(generated(total), u64::MAX).await.unwrap();
    assert_eq!(again, blob);
    let dup_s = t.elapsed().as_secs_f64();
    println!(
        "put of existing content (dedup): {:7.1} MB/s  ({dup_s:.2} s)",
        mb / dup_s
    );

    println!("peak RSS: {}   current: {}", status("VmHWM"), status("VmRSS"));
}
