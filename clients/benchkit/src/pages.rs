//! Timing the web app's pages: each page asked once to warm up (and to check
//! it answers), then `repeat` times one after the other through the server's
//! port as a browser asks (HTTP/1.1, the session cookie); the time is the
//! client's, from the request to the full body, on the same machine.

use std::time::{Duration, Instant};

use anyhow::bail;
use serde_json::{Value, json};

use crate::browser::Browser;
use crate::percentile::Percentiles;

/// One page's timings.
#[derive(Debug)]
pub struct Page {
    /// Who asked it (`counter clerk`, `leader`, …).
    pub who: &'static str,
    pub path: String,
    pub timings: Vec<Duration>,
    /// The body's size, bytes.
    pub bytes: usize,
}

impl Page {
    /// Asks `path` as `browser` once to warm up, then `repeat` times; fails
    /// unless every answer is 200.
    pub async fn time(browser: &mut Browser, who: &'static str, path: String, repeat: u32) -> anyhow::Result<Page> {
        let warm = browser.get(&path).await;
        if warm.status != 200 {
            bail!("GET {path} answered {}: {}", warm.status, warm.body);
        }
        let mut timings = Vec::with_capacity(repeat as usize);
        for _ in 0..repeat {
            let started = Instant::now();
            let page = browser.get(&path).await;
            timings.push(started.elapsed());
            if page.status != 200 {
                bail!("GET {path} answered {}", page.status);
            }
        }
        Ok(Page {
            who,
            path,
            timings,
            bytes: warm.bytes.len(),
        })
    }

    pub fn to_json(&self) -> Value {
        json!({
            "who": self.who,
            "path": self.path,
            "calls": self.timings.len(),
            "bytes": self.bytes,
            "latency_ms": Percentiles::of(&self.timings).map(|at| json!({
                "mean": at.mean_ms(),
                "p50": at.ms(0.50),
                "p95": at.ms(0.95),
                "p99": at.ms(0.99),
                "max": at.ms(1.0),
            })),
        })
    }

    pub fn to_text(&self) -> String {
        let latency = Percentiles::of(&self.timings).map_or_else(String::new, |at| {
            format!(
                "p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms, mean {:.1} ms",
                at.ms(0.50),
                at.ms(0.95),
                at.ms(0.99),
                at.ms(1.0),
                at.mean_ms()
            )
        });
        format!(
            "GET {} as the {} ({} calls, {} KB): {latency}\n",
            self.path,
            self.who,
            self.timings.len(),
            self.bytes / 1024
        )
    }
}
