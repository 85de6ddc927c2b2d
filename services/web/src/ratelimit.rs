//! A limit on how often one client address may try something (the public
//! dossier lookup): at most `limit` tries in a sliding `window`, counted in
//! this process's memory. Addresses are forgotten when their window passes;
//! at most `MAX_ADDRESSES` are tracked, the stalest dropped first.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const MAX_ADDRESSES: usize = 10_000;

pub struct RateLimit {
    limit: usize,
    window: Duration,
    tries: Mutex<HashMap<Option<IpAddr>, Vec<Instant>>>,
}

impl RateLimit {
    pub fn new(limit: usize, window: Duration) -> Self {
        Self {
            limit,
            window,
            tries: Mutex::new(HashMap::new()),
        }
    }

    /// Records a try from `address` at `now`; false when it is over the limit
    /// (the refused try is not counted).
    pub fn allow(&self, address: Option<IpAddr>, now: Instant) -> bool {
        let Ok(mut tries) = self.tries.lock() else {
            return false;
        };
        if tries.len() >= MAX_ADDRESSES && !tries.contains_key(&address) {
            let window = self.window;
            tries.retain(|_, times| times.last().is_some_and(|t| now.duration_since(*t) < window));
            if tries.len() >= MAX_ADDRESSES
                && let Some(stalest) = tries
                    .iter()
                    .min_by_key(|(_, times)| times.last().copied())
                    .map(|(k, _)| *k)
            {
                tries.remove(&stalest);
            }
        }
        let times = tries.entry(address).or_default();
        times.retain(|t| now.duration_since(*t) < self.window);
        if times.len() >= self.limit {
            return false;
        }
        times.push(now);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_over_its_limit_waits_for_the_window() {
        let limit = RateLimit::new(3, Duration::from_secs(60));
        let a = Some("192.0.2.1".parse().expect("an address"));
        let b = Some("192.0.2.2".parse().expect("an address"));
        let start = Instant::now();
        assert!((0..3).all(|_| limit.allow(a, start)));
        assert!(!limit.allow(a, start));
        assert!(limit.allow(b, start), "another address has its own count");
        assert!(limit.allow(a, start + Duration::from_secs(61)));
    }
}
