//! Per-year calendar data: days off (public holidays, days off in lieu, bridge days) and
//! make-up working days, as announced each year.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// Whether a year's data has been confirmed by an administrator.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum YearStatus {
    /// The days announced for the year, confirmed by an administrator (or shipped).
    /// Only confirmed years are used for deadlines.
    #[default]
    Confirmed,
    /// Generated from the rules by [`propose_year`](super::propose_year); an administrator
    /// must check it against the official announcement and confirm it before use.
    Proposal,
}

/// One dated entry of a year: a day off or a make-up working day.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarDay {
    /// The local calendar date.
    pub date: NaiveDate,
    /// Short Vietnamese name, e.g. "Tết Nguyên đán", "Ngày làm bù".
    pub label: String,
    /// Why this day is in the list (set by the proposal generator; optional for admin data).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl CalendarDay {
    /// A day with a label and no reason.
    pub fn new(date: NaiveDate, label: impl Into<String>) -> Self {
        Self {
            date,
            label: label.into(),
            reason: None,
        }
    }

    /// A day with a label and a reason.
    pub fn with_reason(date: NaiveDate, label: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            date,
            label: label.into(),
            reason: Some(reason.into()),
        }
    }
}

/// The calendar data of one year.
///
/// A date is a working day iff (its weekday is a working weekday and it is not in
/// `days_off`) or it is in `make_up_days`. Days off that fall on a weekend may be listed or
/// not (an announcement "nghỉ từ 25/1 đến hết 2/2" is usually entered whole).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct YearCalendar {
    /// The Gregorian year.
    pub year: i32,
    /// Confirmed or only proposed.
    #[serde(default)]
    pub status: YearStatus,
    /// Public holidays, days off in lieu (nghỉ bù) and bridge days (nghỉ hoán đổi).
    #[serde(default)]
    pub days_off: Vec<CalendarDay>,
    /// Days that are worked although their weekday is not a working weekday (ngày làm bù),
    /// typically a Saturday worked in exchange for a bridge day.
    #[serde(default)]
    pub make_up_days: Vec<CalendarDay>,
}

impl YearCalendar {
    /// An empty confirmed year: weekdays only, no holiday.
    pub fn new(year: i32) -> Self {
        Self {
            year,
            status: YearStatus::Confirmed,
            days_off: Vec::new(),
            make_up_days: Vec::new(),
        }
    }

    /// Whether `date` is listed as a day off.
    pub fn is_day_off(&self, date: NaiveDate) -> bool {
        self.days_off.iter().any(|d| d.date == date)
    }

    /// Whether `date` is listed as a make-up working day.
    pub fn is_make_up_day(&self, date: NaiveDate) -> bool {
        self.make_up_days.iter().any(|d| d.date == date)
    }

    /// The entry for `date`, day off or make-up day, if any.
    pub fn entry(&self, date: NaiveDate) -> Option<&CalendarDay> {
        self.days_off
            .iter()
            .chain(self.make_up_days.iter())
            .find(|d| d.date == date)
    }

    /// Marks the year as confirmed (what the admin does after checking a proposal).
    pub fn confirm(&mut self) {
        self.status = YearStatus::Confirmed;
    }

    /// Sorts both lists by date (for display and stable serialisation).
    pub fn sort(&mut self) {
        self.days_off.sort_by_key(|d| d.date);
        self.make_up_days.sort_by_key(|d| d.date);
    }

    /// Checks the year on its own: every date in the year, no date twice, no date both off and
    /// worked, every label non-empty. (That at least one day of the year is worked depends on
    /// the weekly working days and is checked by the office calendar.)
    pub fn validate(&self) -> Result<(), YearError> {
        let mut seen = BTreeSet::new();
        for (list, days) in [
            (DayList::DaysOff, &self.days_off),
            (DayList::MakeUpDays, &self.make_up_days),
        ] {
            for day in days {
                if day.date.year() != self.year {
                    return Err(YearError::DateOutsideYear {
                        year: self.year,
                        date: day.date,
                    });
                }
                if day.label.trim().is_empty() {
                    return Err(YearError::EmptyLabel { date: day.date });
                }
                if !seen.insert(day.date) {
                    return Err(if list == DayList::MakeUpDays && self.is_day_off(day.date) {
                        YearError::BothOffAndWorked { date: day.date }
                    } else {
                        YearError::Duplicate { date: day.date }
                    });
                }
            }
        }
        Ok(())
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum DayList {
    DaysOff,
    MakeUpDays,
}

/// Why a year's data is not valid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum YearError {
    /// A listed date belongs to another year.
    #[error("{date} is listed in the data of year {year}")]
    DateOutsideYear {
        /// The year being validated.
        year: i32,
        /// The stray date.
        date: NaiveDate,
    },
    /// A date is listed twice.
    #[error("{date} is listed twice")]
    Duplicate {
        /// The date.
        date: NaiveDate,
    },
    /// A date is both a day off and a make-up working day.
    #[error("{date} is both a day off and a make-up working day")]
    BothOffAndWorked {
        /// The date.
        date: NaiveDate,
    },
    /// A day without a name.
    #[error("{date} has an empty label")]
    EmptyLabel {
        /// The date.
        date: NaiveDate,
    },
    /// The same year is given twice.
    #[error("year {year} is given twice")]
    DuplicateYear {
        /// The year.
        year: i32,
    },
    /// No day of the year would be a working day: no deadline could ever fall in it.
    #[error("year {year} has no working day")]
    NoWorkingDay {
        /// The year.
        year: i32,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
    }

    #[test]
    fn validate_accepts_a_plain_year() {
        let mut year = YearCalendar::new(2024);
        year.days_off
            .push(CalendarDay::new(d(2024, 4, 29), "Ngày nghỉ hoán đổi"));
        year.make_up_days.push(CalendarDay::new(d(2024, 5, 4), "Ngày làm bù"));
        assert_eq!(year.validate(), Ok(()));
        assert!(year.is_day_off(d(2024, 4, 29)));
        assert!(year.is_make_up_day(d(2024, 5, 4)));
        assert_eq!(year.entry(d(2024, 5, 4)).map(|e| e.label.as_str()), Some("Ngày làm bù"));
        assert_eq!(year.entry(d(2024, 5, 5)), None);
    }

    #[test]
    fn validate_refuses_a_date_of_another_year() {
        let mut year = YearCalendar::new(2025);
        year.days_off.push(CalendarDay::new(d(2026, 1, 1), "Tết Dương lịch"));
        assert_eq!(
            year.validate(),
            Err(YearError::DateOutsideYear {
                year: 2025,
                date: d(2026, 1, 1)
            })
        );
    }

    #[test]
    fn validate_refuses_duplicates_conflicts_and_empty_labels() {
        let mut year = YearCalendar::new(2025);
        year.days_off.push(CalendarDay::new(d(2025, 1, 1), "Tết Dương lịch"));
        year.days_off.push(CalendarDay::new(d(2025, 1, 1), "Tết Dương lịch"));
        assert_eq!(year.validate(), Err(YearError::Duplicate { date: d(2025, 1, 1) }));

        year.days_off.pop();
        year.make_up_days.push(CalendarDay::new(d(2025, 1, 1), "Ngày làm bù"));
        assert_eq!(
            year.validate(),
            Err(YearError::BothOffAndWorked { date: d(2025, 1, 1) })
        );

        year.make_up_days.clear();
        year.days_off.push(CalendarDay::new(d(2025, 4, 30), "  "));
        assert_eq!(year.validate(), Err(YearError::EmptyLabel { date: d(2025, 4, 30) }));
    }

    #[test]
    fn serde_defaults_and_refuses_unknown_keys() {
        let year: YearCalendar = serde_json::from_str(r#"{"year":2030}"#).expect("minimal year");
        assert_eq!(year, YearCalendar::new(2030));
        let proposal: YearCalendar = serde_json::from_str(
            r#"{"year":2030,"status":"proposal","days_off":[{"date":"2030-01-01","label":"Tết Dương lịch","reason":"Điều 112"}]}"#,
        )
        .expect("proposal");
        assert_eq!(proposal.status, YearStatus::Proposal);
        assert_eq!(proposal.days_off[0].reason.as_deref(), Some("Điều 112"));
        assert!(serde_json::from_str::<YearCalendar>(r#"{"year":2030,"holidays":[]}"#).is_err());
    }
}
