//! Figures and their printing: latency percentiles, min / median / max.

use std::time::Duration;

use eiso_benchkit::percentile::Percentiles;
use eiso_benchkit::rate::Rate;
use serde_json::{Value, json};

/// Calls by `clients` clients, each on its own connection, after `warmup`
/// unmeasured ones: how fast the measured ones went.
#[derive(Debug)]
pub struct Measured {
    pub clients: usize,
    pub warmup: usize,
    pub rate: Rate,
}

impl Measured {
    /// Adds to the report object `json` the method `call`
    /// (`package.Service/Method`), the clients, the counts, the time, the rate
    /// (as `rate_key`) and the latency.
    pub fn add_json(&self, json: &mut Value, call: &str, rate_key: &str) {
        for (key, value) in [
            ("call", json!(call)),
            ("clients", json!(self.clients)),
            ("count", json!(self.rate.count)),
            ("warmup", json!(self.warmup)),
            ("seconds", json!(self.rate.elapsed.as_secs_f64())),
            (rate_key, json!(self.rate.per_second())),
            (
                "latency_ms",
                json!(Latency::of(&self.rate.latencies).map(Latency::to_json)),
            ),
        ] {
            json[key] = value;
        }
    }

    /// `method: N dossiers by C clients in S s = R unit/s`, and the latency.
    pub fn to_text(&self, method: &str, unit: &str) -> String {
        let mut text = format!(
            "{method}: {} dossiers by {} clients in {:.2} s = {:.1} {unit}/s\n",
            self.rate.count,
            self.clients,
            self.rate.elapsed.as_secs_f64(),
            self.rate.per_second()
        );
        if let Some(latency) = Latency::of(&self.rate.latencies) {
            text += &format!("  latency: {}\n", latency.to_text());
        }
        text
    }
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// Latency percentiles, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Latency {
    pub mean: f64,
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    pub max: f64,
}

impl Latency {
    pub fn of(latencies: &[Duration]) -> Option<Latency> {
        Percentiles::of(latencies).map(|at| Latency {
            mean: at.mean_ms(),
            p50: at.ms(0.50),
            p95: at.ms(0.95),
            p99: at.ms(0.99),
            max: at.ms(1.0),
        })
    }

    pub fn to_json(self) -> Value {
        json!({"mean": self.mean, "p50": self.p50, "p95": self.p95, "p99": self.p99, "max": self.max})
    }

    pub fn to_text(self) -> String {
        format!(
            "p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms, mean {:.1} ms",
            self.p50, self.p95, self.p99, self.max, self.mean
        )
    }
}

/// Min, median and max of a few timings, in milliseconds, and the first one
/// (the coldest).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spread {
    pub first: f64,
    pub min: f64,
    pub median: f64,
    pub max: f64,
}

impl Spread {
    pub fn of(timings: &[Duration]) -> Option<Spread> {
        let first = ms(*timings.first()?);
        let mut sorted: Vec<f64> = timings.iter().map(|d| ms(*d)).collect();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        let median = if n % 2 == 1 {
            sorted[n / 2]
        } else {
            (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
        };
        Some(Spread {
            first,
            min: sorted[0],
            median,
            max: sorted[n - 1],
        })
    }

    pub fn to_json(self) -> Value {
        json!({"first": self.first, "min": self.min, "median": self.median, "max": self.max})
    }

    pub fn to_text(self) -> String {
        format!(
            "min {:.1} ms, median {:.1} ms, max {:.1} ms (first call {:.1} ms)",
            self.min, self.median, self.max, self.first
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_and_median() {
        let timings: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        let latency = Latency::of(&timings);
        assert_eq!(
            latency.map(|l| (l.p50, l.p95, l.p99, l.max)),
            Some((50.0, 95.0, 99.0, 100.0))
        );
        let spread = Spread::of(&[
            Duration::from_millis(30),
            Duration::from_millis(10),
            Duration::from_millis(20),
        ]);
        assert_eq!(
            spread.map(|s| (s.first, s.min, s.median, s.max)),
            Some((30.0, 10.0, 20.0, 30.0))
        );
        assert_eq!(Spread::of(&[]), None);
    }
}
