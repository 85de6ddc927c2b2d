//! The report: as text for a person, as JSON for scripts.

use std::fmt::Write as _;
use std::time::{Duration, SystemTime};

use eiso_benchkit::percentile::Percentiles;
use eiso_benchkit::rate::Rate;
use serde_json::{Value, json};

use crate::files::{FileRun, Transfer};

const MIB: f64 = 1024.0 * 1024.0;

/// What was measured; a part not run is `None`.
#[derive(Debug)]
pub struct Report {
    pub server: String,
    pub run: String,
    pub concurrency: usize,
    pub drafts: Option<Rate>,
    pub cycles: Option<Rate>,
    pub file: Option<FileRun>,
    pub pages: Option<crate::pages::PagesRun>,
}

/// Latency percentiles, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Latency {
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub max: f64,
}

impl Latency {
    pub fn of(latencies: &[Duration]) -> Option<Latency> {
        Percentiles::of(latencies).map(|at| Latency {
            p50: at.ms(0.50),
            p90: at.ms(0.90),
            p99: at.ms(0.99),
            max: at.ms(1.0),
        })
    }
}

fn unix_ms(time: SystemTime) -> u64 {
    time.duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

fn rate_json(rate: &Rate, what: &str) -> Value {
    let latency = Latency::of(&rate.latencies);
    json!({
        "what": what,
        "count": rate.count,
        "seconds": rate.elapsed.as_secs_f64(),
        "per_second": rate.per_second(),
        "latency_ms": latency.map(|l| json!({"p50": l.p50, "p90": l.p90, "p99": l.p99, "max": l.max})),
    })
}

fn transfer_json(transfer: &Transfer) -> Value {
    json!({
        "bytes": transfer.bytes,
        "seconds": transfer.elapsed.as_secs_f64(),
        "mb_per_s": transfer.mb_per_second(),
        "mib_per_s": transfer.bytes as f64 / MIB / transfer.elapsed.as_secs_f64().max(1e-9),
        "sha256": transfer.sha256,
        "start_unix_ms": unix_ms(transfer.started),
        "end_unix_ms": unix_ms(transfer.ended),
    })
}

const DRAFTS: &str = "CreateDocument + CreateRevision";
const CYCLES: &str = "CreateRevision, UploadFile (1 KiB), SubmitRevision, ApproveRevision, PublishRevision";

impl Report {
    pub fn to_json(&self) -> Value {
        json!({
            "server": self.server,
            "run": self.run,
            "concurrency": self.concurrency,
            "revisions": {
                "documents_with_draft": self.drafts.as_ref().map(|r| rate_json(r, DRAFTS)),
                "publish_cycles": self.cycles.as_ref().map(|r| rate_json(r, CYCLES)),
            },
            "file": self.file.as_ref().map(|f| json!({
                "name": f.file,
                "bytes": f.upload.bytes,
                "mib": f.upload.bytes as f64 / MIB,
                "seed": f.seed,
                "chunk_bytes": f.chunk_bytes,
                "sha256": f.expected_sha256,
                "upload": transfer_json(&f.upload),
                "download": transfer_json(&f.download),
                "download_identical": f.download.sha256 == f.expected_sha256 && f.download.bytes == f.upload.bytes,
            })),
            "pages": self.pages.as_ref().map(|p| json!({
                "index_items": p.items,
                "pages": p.pages.iter().map(eiso_benchkit::pages::Page::to_json).collect::<Vec<_>>(),
            })),
        })
    }

    pub fn to_text(&self) -> String {
        let mut out = String::new();
        if let Some(pages) = &self.pages {
            if let Some(items) = pages.items {
                let _ = writeln!(out, "  search index: {items} items");
            }
            for page in &pages.pages {
                out.push_str("  ");
                out.push_str(&page.to_text());
            }
        }
        let _ = writeln!(
            out,
            "eiso-docbench: {} (run {}, {} clients)",
            self.server, self.run, self.concurrency
        );
        for (label, rate, what) in [
            ("documents with a draft", &self.drafts, DRAFTS),
            ("full publish cycles", &self.cycles, CYCLES),
        ] {
            let Some(rate) = rate else { continue };
            let _ = write!(
                out,
                "  {label:<24}{:>6} in {:>7.2} s = {:>8.1} /s",
                rate.count,
                rate.elapsed.as_secs_f64(),
                rate.per_second()
            );
            if let Some(l) = Latency::of(&rate.latencies) {
                let _ = write!(
                    out,
                    "   latency p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
                    l.p50, l.p90, l.p99, l.max
                );
            }
            let _ = writeln!(out, "\n  {:<24}({what})", "");
        }
        if let Some(file) = &self.file {
            for (label, transfer) in [("upload", &file.upload), ("download", &file.download)] {
                let _ = writeln!(
                    out,
                    "  {label:<24}{:>6.1} MiB in {:>6.2} s = {:>8.1} MB/s",
                    transfer.bytes as f64 / MIB,
                    transfer.elapsed.as_secs_f64(),
                    transfer.mb_per_second()
                );
            }
            let _ = writeln!(
                out,
                "  {:<24}sha256 {} (seed {}, {} KiB chunks): downloaded content identical",
                "",
                file.expected_sha256,
                file.seed,
                file.chunk_bytes / 1024
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let latencies: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        let l = Latency::of(&latencies).unwrap_or(Latency {
            p50: 0.0,
            p90: 0.0,
            p99: 0.0,
            max: 0.0,
        });
        assert_eq!((l.p50, l.p90, l.p99, l.max), (50.0, 90.0, 99.0, 100.0));
        assert_eq!(Latency::of(&[]), None);
    }
}
