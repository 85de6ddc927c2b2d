//! Timing passes over the query set and the statistics the report prints.

use std::time::{Duration, Instant};

use eiso_benchkit::percentile::nearest_rank;

/// Top-10 document indices of every query, in rank order.
pub type Results = Vec<Vec<u32>>;

/// One sequential pass: the latency of every query and the wall time.
#[derive(Clone)]
pub struct Pass {
    pub latencies: Vec<Duration>,
    pub wall: Duration,
}

impl Pass {
    pub fn qps(&self) -> f64 {
        self.latencies.len() as f64 / self.wall.as_secs_f64()
    }

    pub fn percentile_ms(&self, p: f64) -> f64 {
        percentile(&self.latencies, p).as_secs_f64() * 1e3
    }

    pub fn mean_ms(&self) -> f64 {
        self.latencies.iter().map(Duration::as_secs_f64).sum::<f64>() / self.latencies.len().max(1) as f64 * 1e3
    }
}

/// The pass with the median wall time.
pub fn median(mut passes: Vec<Pass>) -> Pass {
    passes.sort_by_key(|p| p.wall);
    let middle = passes.len() / 2;
    passes.swap_remove(middle)
}

/// The median of `values` (the upper one of an even count).
pub fn median_of(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted.get(sorted.len() / 2).copied().unwrap_or(f64::NAN)
}

/// The `p`-th percentile (0..=100), nearest rank.
pub fn percentile(latencies: &[Duration], p: f64) -> Duration {
    let mut sorted = latencies.to_vec();
    sorted.sort();
    nearest_rank(&sorted, p / 100.0).unwrap_or(Duration::ZERO)
}

/// Runs `search` on every query in order, timing each.
pub fn sequential<E>(
    queries: &[String],
    mut search: impl FnMut(&str) -> Result<Vec<u32>, E>,
) -> Result<(Pass, Results), E> {
    let mut latencies = Vec::with_capacity(queries.len());
    let mut results = Vec::with_capacity(queries.len());
    let start = Instant::now();
    for query in queries {
        let begin = Instant::now();
        let hits = search(query)?;
        latencies.push(begin.elapsed());
        results.push(hits);
    }
    Ok((
        Pass {
            latencies,
            wall: start.elapsed(),
        },
        results,
    ))
}

/// What one engine measured.
pub struct EngineReport {
    pub engine: String,
    pub build: Duration,
    pub index_bytes: u64,
    pub sequential: Pass,
    /// Queries per second with two clients, each running the whole set.
    pub two_threads_qps: Option<f64>,
    pub results: Results,
    /// Total matches per query, when the engine was asked to count.
    pub totals: Option<Vec<u64>>,
}

/// recall@10 = |top10 ∩ relevant| / min(10, |relevant|), averaged over the
/// queries with at least one relevant document, restricted to `only`.
pub fn recall_at_10(results: &Results, truth: &[Vec<u32>], only: impl Fn(usize) -> bool) -> (f64, usize) {
    let mut sum = 0.0;
    let mut counted = 0;
    for (q, relevant) in truth.iter().enumerate() {
        if relevant.is_empty() || !only(q) {
            continue;
        }
        let found = results[q]
            .iter()
            .take(10)
            .filter(|d| relevant.binary_search(d).is_ok())
            .count();
        sum += found as f64 / relevant.len().min(10) as f64;
        counted += 1;
    }
    (if counted == 0 { f64::NAN } else { sum / counted as f64 }, counted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recall_counts_only_queries_with_relevant_documents() {
        let truth = vec![vec![1, 2, 3], vec![], (0..20).collect()];
        let results = vec![vec![1, 9], vec![4], (10..20).collect()];
        let (recall, counted) = recall_at_10(&results, &truth, |_| true);
        assert_eq!(counted, 2);
        assert!((recall - (1.0 / 3.0 + 1.0) / 2.0).abs() < 1e-9);
    }

    #[test]
    fn median_of_values() {
        assert_eq!(median_of(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median_of(&[4.0, 1.0, 3.0, 2.0]), 3.0);
        assert!(median_of(&[]).is_nan());
    }

    #[test]
    fn nearest_rank_percentiles() {
        let latencies: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile(&latencies, 50.0), Duration::from_millis(50));
        assert_eq!(percentile(&latencies, 99.0), Duration::from_millis(99));
    }
}
