//! How fast a run went: items done over the wall-clock time for all of them.

use std::time::Duration;

/// Items done, the wall-clock time for all of them, and each one's latency.
#[derive(Debug, Clone)]
pub struct Rate {
    pub count: u64,
    pub elapsed: Duration,
    pub latencies: Vec<Duration>,
}

impl Rate {
    pub fn per_second(&self) -> f64 {
        self.count as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rate_is_items_over_wall_clock_time() {
        let rate = Rate {
            count: 50,
            elapsed: Duration::from_millis(250),
            latencies: Vec::new(),
        };
        assert!((rate.per_second() - 200.0).abs() < 1e-9);
    }
}
