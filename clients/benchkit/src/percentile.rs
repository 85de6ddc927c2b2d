//! Nearest-rank percentiles, the one way every bench client ranks its
//! latencies.

use std::time::Duration;

/// The value at the nearest rank for `fraction` (0.5 for the median, 0.99 for
/// p99) of values sorted in ascending order; `None` when there are none.
pub fn nearest_rank<T: Copy>(sorted: &[T], fraction: f64) -> Option<T> {
    let rank = (fraction * sorted.len() as f64).ceil() as usize;
    let index = rank.clamp(1, sorted.len().max(1)) - 1;
    sorted.get(index).copied()
}

/// Latencies sorted once, to read several percentiles of, in milliseconds.
pub struct Percentiles(Vec<Duration>);

impl Percentiles {
    /// `None` when there are no latencies.
    pub fn of(latencies: &[Duration]) -> Option<Percentiles> {
        let mut sorted = latencies.to_vec();
        sorted.sort_unstable();
        (!sorted.is_empty()).then_some(Percentiles(sorted))
    }

    /// The nearest-rank latency for `fraction` (1.0 for the slowest).
    pub fn ms(&self, fraction: f64) -> f64 {
        nearest_rank(&self.0, fraction).map_or(0.0, ms)
    }

    /// The mean latency.
    pub fn mean_ms(&self) -> f64 {
        self.0.iter().map(|d| ms(*d)).sum::<f64>() / self.0.len() as f64
    }
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rank_is_rounded_up_and_kept_in_range() {
        let values: Vec<u32> = (1..=100).collect();
        assert_eq!(nearest_rank(&values, 0.5), Some(50));
        assert_eq!(nearest_rank(&values, 0.99), Some(99));
        assert_eq!(nearest_rank(&values, 1.0), Some(100));
        assert_eq!(nearest_rank(&values, 0.0), Some(1));
        assert_eq!(nearest_rank(&[7, 9], 0.5), Some(7));
        assert_eq!(nearest_rank::<u32>(&[], 0.5), None);
    }

    #[test]
    fn latencies_in_milliseconds() {
        let latencies: Vec<Duration> = (1..=4).rev().map(Duration::from_millis).collect();
        let percentiles = Percentiles::of(&latencies);
        assert_eq!(
            percentiles.map(|p| (p.ms(0.5), p.ms(1.0), p.mean_ms())),
            Some((2.0, 4.0, 2.5))
        );
        assert!(Percentiles::of(&[]).is_none());
    }
}
