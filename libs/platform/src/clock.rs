//! Time as the services see it. Production uses the system clock; tests set
//! the time and move it forward instead of sleeping.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};

/// A source of the current time.
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>);

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Self(Arc::new(Utc::now))
    }

    /// A clock that shows `start` until moved with the returned handle.
    pub fn manual(start: DateTime<Utc>) -> (Self, ManualClock) {
        let now = Arc::new(Mutex::new(start));
        let shared = now.clone();
        let clock = Self(Arc::new(move || match shared.lock() {
            Ok(now) => *now,
            Err(poisoned) => *poisoned.into_inner(),
        }));
        (clock, ManualClock(now))
    }

    pub fn now(&self) -> DateTime<Utc> {
        (self.0)()
    }
}

impl Default for Clock {
    fn default() -> Self {
        Self::system()
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Clock({})", self.now())
    }
}

/// The handle that sets a manual clock.
#[derive(Clone, Debug)]
pub struct ManualClock(Arc<Mutex<DateTime<Utc>>>);

impl ManualClock {
    pub fn set(&self, time: DateTime<Utc>) {
        match self.0.lock() {
            Ok(mut now) => *now = time,
            Err(poisoned) => *poisoned.into_inner() = time,
        }
    }
}
