//! When to try a delivery to an outside system again, and when to stop: the
//! national portal's sync and the applicants' notifications both wait after a
//! failure for a time that doubles with each one (with jitter, so a system
//! coming back is not hit by every waiting item at once), and park an item
//! that keeps failing until an administrator sends it again.

use std::time::Duration;

/// The backoff and the limits of one kind of delivery.
#[derive(Debug, Clone)]
pub struct Retry {
    /// The wait after the first failure; it doubles with each one after.
    pub first: Duration,
    /// The longest wait.
    pub longest: Duration,
    /// Failures to no answer (the other side down, a timeout) before an item
    /// is parked.
    pub attempts: i32,
    /// Refusals (the other side answered no) before an item is parked: fewer,
    /// since sending the same again is refused again.
    pub refusals: i32,
}

impl Default for Retry {
    fn default() -> Self {
        Self {
            first: Duration::from_secs(5),
            longest: Duration::from_secs(3600),
            attempts: 24,
            refusals: 3,
        }
    }
}

impl Retry {
    /// The wait after the `attempts`-th failure in a row, `jitter` (0–1)
    /// taking it down to as little as half.
    pub fn delay(&self, attempts: i32, jitter: f64) -> Duration {
        let doublings = attempts.saturating_sub(1).clamp(0, 30) as u32;
        let full = self.first.saturating_mul(1u32 << doublings).min(self.longest);
        full.mul_f64(1.0 - jitter.clamp(0.0, 1.0) / 2.0)
    }

    /// Whether the `attempts`-th failure in a row parks the item: `retryable`
    /// when nobody answered, not when the other side refused.
    pub fn parks(&self, attempts: i32, retryable: bool) -> bool {
        attempts >= if retryable { self.attempts } else { self.refusals }
    }

    /// When the next attempt is due after the `attempts`-th failure at
    /// `now_us` (microseconds), with a random jitter.
    pub fn next_attempt_us(&self, attempts: i32, now_us: i64) -> i64 {
        let wait = self.delay(attempts, rand::random::<f64>());
        now_us.saturating_add(i64::try_from(wait.as_micros()).unwrap_or(i64::MAX / 2))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_doubles_to_its_ceiling_and_jitter_takes_at_most_half() {
        let retry = Retry {
            first: Duration::from_secs(5),
            longest: Duration::from_secs(60),
            ..Retry::default()
        };
        assert_eq!(retry.delay(1, 0.0), Duration::from_secs(5));
        assert_eq!(retry.delay(2, 0.0), Duration::from_secs(10));
        assert_eq!(retry.delay(4, 0.0), Duration::from_secs(40));
        assert_eq!(retry.delay(5, 0.0), Duration::from_secs(60), "capped");
        assert_eq!(retry.delay(500, 0.0), Duration::from_secs(60), "no overflow");
        assert_eq!(retry.delay(2, 1.0), Duration::from_secs(5), "jitter halves at most");
        let next = retry.next_attempt_us(1, 1_000_000);
        assert!((3_500_000..=6_000_000).contains(&next), "{next}");
    }

    #[test]
    fn a_refusal_parks_sooner_than_no_answer() {
        let retry = Retry::default();
        assert!(retry.parks(retry.refusals, false));
        assert!(!retry.parks(retry.refusals, true));
        assert!(retry.parks(retry.attempts, true));
    }
}
