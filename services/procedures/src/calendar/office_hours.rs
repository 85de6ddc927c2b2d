//! Office hours: the local intervals of a working day during which processing time runs.

use chrono::{NaiveTime, TimeDelta};
use serde::{Deserialize, Serialize};

/// One interval of office hours, `[start, end)` in local time, within a single day.
///
/// An interval cannot cross midnight. Its end is still a valid due instant: a budget that runs
/// out exactly at `end` is due at `end` (closing time), not at the next opening.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfficeInterval {
    /// Opening time (local).
    pub start: NaiveTime,
    /// Closing time (local), after `start`.
    pub end: NaiveTime,
}

impl OfficeInterval {
    /// An interval from `start` to `end`; it is checked when it becomes part of
    /// [`OfficeHours`].
    pub const fn new(start: NaiveTime, end: NaiveTime) -> Self {
        Self { start, end }
    }

    /// Length of the interval.
    pub fn duration(&self) -> TimeDelta {
        self.end - self.start
    }
}

/// Why a list of intervals is not valid office hours.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OfficeHoursError {
    /// No interval at all: no time would ever count.
    #[error("office hours are empty: at least one interval is needed")]
    Empty,
    /// An interval whose end is not after its start (this also rejects intervals that would
    /// cross midnight).
    #[error("office interval #{index} ({start}–{end}) does not end after it starts")]
    EmptyInterval {
        /// Position of the interval in the list (0-based).
        index: usize,
        /// Its start.
        start: NaiveTime,
        /// Its end.
        end: NaiveTime,
    },
    /// An interval that starts before the previous one has ended.
    #[error(
        "office interval #{index} starts at {start}, before interval #{previous} ends at {previous_end}: \
         intervals must be ordered and must not overlap"
    )]
    OutOfOrder {
        /// Position of the offending interval (0-based).
        index: usize,
        /// Its start.
        start: NaiveTime,
        /// Position of the interval before it.
        previous: usize,
        /// End of the interval before it.
        previous_end: NaiveTime,
    },
}

/// The office hours of a working day: a non-empty, ordered list of non-overlapping local
/// intervals. Intervals may touch (`…–11:30`, `11:30–…`), which is the same as one interval.
///
/// Serialised as the list of intervals, and validated when deserialised.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "Vec<OfficeInterval>", into = "Vec<OfficeInterval>")]
pub struct OfficeHours {
    intervals: Vec<OfficeInterval>,
}

impl OfficeHours {
    /// Office hours from a list of intervals, validated: non-empty, every interval ends after
    /// it starts, ordered and non-overlapping.
    pub fn new(intervals: Vec<OfficeInterval>) -> Result<Self, OfficeHoursError> {
        if intervals.is_empty() {
            return Err(OfficeHoursError::Empty);
        }
        for (index, interval) in intervals.iter().enumerate() {
            if interval.end <= interval.start {
                return Err(OfficeHoursError::EmptyInterval {
                    index,
                    start: interval.start,
                    end: interval.end,
                });
            }
        }
        for (index, pair) in intervals.windows(2).enumerate() {
            if let [previous, next] = pair
                && next.start < previous.end
            {
                return Err(OfficeHoursError::OutOfOrder {
                    index: index + 1,
                    start: next.start,
                    previous: index,
                    previous_end: previous.end,
                });
            }
        }
        Ok(Self { intervals })
    }

    /// The intervals, in order.
    pub fn intervals(&self) -> &[OfficeInterval] {
        &self.intervals
    }

    /// Working time in one working day: the sum of the intervals.
    pub fn per_day(&self) -> TimeDelta {
        self.intervals.iter().map(OfficeInterval::duration).sum()
    }

    /// Whether `time` lies inside an interval, `[start, end)`.
    pub fn contains(&self, time: NaiveTime) -> bool {
        self.intervals.iter().any(|i| i.start <= time && time < i.end)
    }

    /// Whether `time` is the end of an interval (a closing time, e.g. 11:30 or 17:00).
    pub fn is_closing_time(&self, time: NaiveTime) -> bool {
        self.intervals.iter().any(|i| i.end == time)
    }
}

/// The production default seen in one-stop systems: 07:00–11:30 and 13:30–17:00 (8 hours).
impl Default for OfficeHours {
    fn default() -> Self {
        Self {
            intervals: vec![
                OfficeInterval::new(hm(7, 0), hm(11, 30)),
                OfficeInterval::new(hm(13, 30), hm(17, 0)),
            ],
        }
    }
}

impl TryFrom<Vec<OfficeInterval>> for OfficeHours {
    type Error = OfficeHoursError;

    fn try_from(intervals: Vec<OfficeInterval>) -> Result<Self, Self::Error> {
        Self::new(intervals)
    }
}

impl From<OfficeHours> for Vec<OfficeInterval> {
    fn from(hours: OfficeHours) -> Self {
        hours.intervals
    }
}

/// `hh:mm` as a time; for constants only (out-of-range values give midnight, never used so).
pub(crate) const fn hm(hour: u32, minute: u32) -> NaiveTime {
    match NaiveTime::from_hms_opt(hour, minute, 0) {
        Some(time) => time,
        None => NaiveTime::MIN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Office hours of `intervals`, each (start hour, minute, end hour, minute).
    fn hours_of(intervals: &[(u32, u32, u32, u32)]) -> Result<OfficeHours, OfficeHoursError> {
        OfficeHours::new(
            intervals
                .iter()
                .map(|&(h1, m1, h2, m2)| OfficeInterval::new(hm(h1, m1), hm(h2, m2)))
                .collect(),
        )
    }

    #[test]
    fn default_is_eight_hours_in_two_intervals() {
        let hours = OfficeHours::default();
        assert_eq!(hours.intervals().len(), 2);
        // 07:00–11:30 is 4 h 30, 13:30–17:00 is 3 h 30.
        assert_eq!(hours.per_day(), TimeDelta::hours(8));
        assert!(OfficeHours::new(hours.intervals().to_vec()).is_ok());
    }

    #[test]
    fn common_alternative_is_also_eight_hours() {
        let hours = hours_of(&[(8, 0, 12, 0), (13, 0, 17, 0)]).expect("valid office hours");
        assert_eq!(hours.per_day(), TimeDelta::hours(8));
    }

    #[test]
    fn empty_hours_are_refused() {
        assert_eq!(OfficeHours::new(vec![]), Err(OfficeHoursError::Empty));
    }

    #[test]
    fn interval_ending_before_it_starts_is_refused() {
        let err = hours_of(&[(7, 0, 11, 30), (17, 0, 13, 30)]).expect_err("reversed interval");
        assert_eq!(
            err,
            OfficeHoursError::EmptyInterval {
                index: 1,
                start: hm(17, 0),
                end: hm(13, 30)
            }
        );
        let zero = hours_of(&[(7, 0, 7, 0)]);
        assert!(matches!(zero, Err(OfficeHoursError::EmptyInterval { index: 0, .. })));
    }

    #[test]
    fn overlapping_or_unordered_intervals_are_refused() {
        let overlapping = hours_of(&[(7, 0, 12, 0), (11, 30, 17, 0)]);
        assert_eq!(
            overlapping,
            Err(OfficeHoursError::OutOfOrder {
                index: 1,
                start: hm(11, 30),
                previous: 0,
                previous_end: hm(12, 0)
            })
        );
        let unordered = hours_of(&[(13, 30, 17, 0), (7, 0, 11, 30)]);
        assert!(matches!(unordered, Err(OfficeHoursError::OutOfOrder { index: 1, .. })));
        let message = unordered.expect_err("unordered").to_string();
        assert!(message.contains("must be ordered"), "{message}");
    }

    #[test]
    fn touching_intervals_are_accepted() {
        let hours = hours_of(&[(7, 0, 11, 30), (11, 30, 12, 0)]).expect("touching intervals");
        assert_eq!(hours.per_day(), TimeDelta::minutes(300));
    }

    #[test]
    fn contains_is_half_open_and_closing_times_are_known() {
        let hours = OfficeHours::default();
        assert!(hours.contains(hm(7, 0)));
        assert!(!hours.contains(hm(11, 30)));
        assert!(!hours.contains(hm(12, 0)));
        assert!(hours.contains(hm(13, 30)));
        assert!(!hours.contains(hm(6, 59)));
        assert!(hours.is_closing_time(hm(11, 30)));
        assert!(hours.is_closing_time(hm(17, 0)));
        assert!(!hours.is_closing_time(hm(13, 30)));
    }

    #[test]
    fn serde_validates() {
        let json = r#"[{"start":"07:00","end":"11:30"},{"start":"13:30","end":"17:00:00"}]"#;
        let hours: OfficeHours = serde_json::from_str(json).expect("valid json");
        assert_eq!(hours, OfficeHours::default());
        let bad = r#"[{"start":"13:30","end":"17:00"},{"start":"07:00","end":"11:30"}]"#;
        let err = serde_json::from_str::<OfficeHours>(bad).expect_err("unordered");
        assert!(err.to_string().contains("must be ordered"), "{err}");
        let round_trip: OfficeHours =
            serde_json::from_str(&serde_json::to_string(&hours).expect("serialise")).expect("deserialise");
        assert_eq!(round_trip, hours);
    }
}
