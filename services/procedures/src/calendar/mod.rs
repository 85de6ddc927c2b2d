//! The office calendar and the deadline rule of dossiers (DOMAIN.md, "Dossiers: lifecycle
//! and the deadline rule", "Working time", "Working days").
//!
//! - [`OfficeCalendar`] holds the office hours, the weekly working days, the per-year days off
//!   and make-up working days ([`YearCalendar`]) and an optional receipt cutoff. It is data: it
//!   (de)serialises with serde, is validated when built or deserialised, and ships with the
//!   2024–2026 data ([`data`]).
//! - All inputs and outputs are instants in UTC (`DateTime<Utc>`); every rule applies in local
//!   time in [`TIME_ZONE`] (Asia/Ho_Chi_Minh, UTC+7).
//! - A date is a working day iff (its weekday is a working weekday and it is not a day off) or
//!   it is a make-up working day. A year without data (or only proposed, not confirmed) is an
//!   error for any computation that needs it, never a guess.
//! - Deadlines ([`OfficeCalendar::due`], [`OfficeCalendar::due_with_events`]): the processing
//!   time is a budget of working time counted only inside office hours on working days.
//! - [`classify`] tells early / on time / late; [`lunar`] is the Vietnamese lunar calendar
//!   (UTC+7) used by [`propose_year`] to propose the days off of a new year.

pub mod data;
mod deadline;
mod explanation;
pub mod lunar;
mod office_hours;
mod outcome;
mod proposal;
mod year;

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc, Weekday};
use serde::{Deserialize, Serialize};

pub use deadline::{Deadline, MAX_DAYS_WITHOUT_WORK, ProcessingTime, SupplementMode, Suspension};
pub use explanation::{Explanation, NotedDay, Stretch};
pub use lunar::LunarDate;
pub use office_hours::{OfficeHours, OfficeHoursError, OfficeInterval};
pub use outcome::{Outcome, classify};
pub use proposal::{MAX_TET_DAYS, ProposalOptions, propose_year};
pub use year::{CalendarDay, YearCalendar, YearError, YearStatus};

/// The time zone in which every calendar rule applies (the platform's one).
pub use eiso_platform::aip::time::TIME_ZONE;

/// Errors of the calendar and deadline computations.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// A computation needs a year for which the calendar holds no data.
    #[error("year {0} is not configured in the office calendar")]
    YearNotConfigured(i32),
    /// A computation needs a year whose data is only a proposal.
    #[error("year {0} is only a proposal: an administrator must confirm it before it is used")]
    YearNotConfirmed(i32),
    /// Invalid office hours.
    #[error("invalid office hours: {0}")]
    OfficeHours(#[from] OfficeHoursError),
    /// Invalid data for one year.
    #[error("invalid data for year {year}: {source}")]
    Year {
        /// The year.
        year: i32,
        /// What is wrong.
        source: YearError,
    },
    /// Invalid weekly working days.
    #[error("invalid working weekdays: {0}")]
    WorkingWeekdays(&'static str),
    /// A search for working time went through this many days without finding any (a guard:
    /// validated calendars do not get here).
    #[error("no working time in the {days} days from {from}")]
    NoWorkingTime {
        /// The first day searched.
        from: NaiveDate,
        /// How many days were searched.
        days: u32,
    },
    /// A suspension (supplement request) that does not fit the dossier's timeline.
    #[error("invalid suspension #{index}: {reason}")]
    InvalidSuspension {
        /// Position in the list (0-based).
        index: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// A negative working-time budget.
    #[error("a working-time budget must not be negative")]
    NegativeBudget,
    /// A processing time too large to represent.
    #[error("processing time {0} is too large")]
    BudgetTooLarge(ProcessingTime),
    /// A date beyond what the computation supports.
    #[error("date out of the supported range")]
    OutOfRange,
    /// A local time that does not exist in [`TIME_ZONE`] (only possible for dates before 1975).
    #[error("local time {0} does not exist in Asia/Ho_Chi_Minh")]
    NonexistentLocalTime(NaiveDateTime),
    /// A lunar date that does not exist (e.g. day 30 of a 29-day month, or a leap month the
    /// year does not have).
    #[error("lunar date {0} does not exist")]
    InvalidLunarDate(LunarDate),
    /// A year outside the range the lunar calendar supports.
    #[error("year {0} is outside the supported range of the lunar calendar (1800–2199)")]
    LunarYearOutOfRange(i32),
    /// Invalid options for a proposal.
    #[error("invalid proposal options: {0}")]
    ProposalOptions(&'static str),
}

/// Result of the calendar computations.
pub type Result<T, E = CalendarError> = std::result::Result<T, E>;

/// The office calendar of an agency: office hours, weekly working days, per-year days off and
/// make-up working days, and an optional receipt cutoff.
///
/// Always valid: built through [`OfficeCalendar::new`] and the setters, or deserialised (which
/// validates). Serialised as
/// `{"office_hours": [...], "working_weekdays": ["Mon", ...], "receipt_cutoff": null, "years": [...]}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "CalendarSpec", into = "CalendarSpec")]
pub struct OfficeCalendar {
    office_hours: OfficeHours,
    working_weekdays: Vec<Weekday>,
    receipt_cutoff: Option<NaiveTime>,
    years: BTreeMap<i32, YearCalendar>,
}

/// Monday to Friday.
pub const MONDAY_TO_FRIDAY: [Weekday; 5] = [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri];

impl OfficeCalendar {
    /// A calendar with the given office hours and weekly working days, and no year configured
    /// yet. The weekdays must be non-empty and distinct.
    pub fn new(office_hours: OfficeHours, working_weekdays: Vec<Weekday>) -> Result<Self> {
        check_weekdays(&working_weekdays)?;
        Ok(Self {
            office_hours,
            working_weekdays,
            receipt_cutoff: None,
            years: BTreeMap::new(),
        })
    }

    /// The standard calendar of a Vietnamese state agency: 07:00–11:30 and 13:30–17:00,
    /// Monday to Friday, the shipped 2024–2026 data ([`data::shipped_years`]), no receipt
    /// cutoff.
    pub fn standard() -> Self {
        Self {
            office_hours: OfficeHours::default(),
            working_weekdays: MONDAY_TO_FRIDAY.to_vec(),
            receipt_cutoff: None,
            years: data::shipped_years().into_iter().map(|y| (y.year, y)).collect(),
        }
    }

    /// The office hours.
    pub fn office_hours(&self) -> &OfficeHours {
        &self.office_hours
    }

    /// Replaces the office hours (already validated by [`OfficeHours::new`]).
    pub fn set_office_hours(&mut self, office_hours: OfficeHours) {
        self.office_hours = office_hours;
    }

    /// The weekly working days.
    pub fn working_weekdays(&self) -> &[Weekday] {
        &self.working_weekdays
    }

    /// Replaces the weekly working days; every configured year must still have a working day.
    pub fn set_working_weekdays(&mut self, working_weekdays: Vec<Weekday>) -> Result<()> {
        check_weekdays(&working_weekdays)?;
        let candidate = Self {
            working_weekdays,
            ..self.clone()
        };
        for year in candidate.years.values() {
            candidate.check_year_has_work(year)?;
        }
        *self = candidate;
        Ok(())
    }

    /// The receipt cutoff, if set.
    ///
    /// *Unverified* rule (DOMAIN.md: "paper dossiers received after 15:00 are handed to the
    /// processing unit the next working day"); off by default. When set, a dossier (or a
    /// supplement) received on a working day strictly after this local time starts the clock
    /// at the opening of the next working day. It applies to receipts
    /// ([`OfficeCalendar::receipt_start`]), not to [`OfficeCalendar::due`].
    pub fn receipt_cutoff(&self) -> Option<NaiveTime> {
        self.receipt_cutoff
    }

    /// Sets or clears the receipt cutoff (see [`OfficeCalendar::receipt_cutoff`]).
    pub fn set_receipt_cutoff(&mut self, cutoff: Option<NaiveTime>) {
        self.receipt_cutoff = cutoff;
    }

    /// Builder form of [`OfficeCalendar::set_receipt_cutoff`].
    #[must_use]
    pub fn with_receipt_cutoff(mut self, cutoff: Option<NaiveTime>) -> Self {
        self.receipt_cutoff = cutoff;
        self
    }

    /// The data of one year, if configured (confirmed or proposed).
    pub fn year(&self, year: i32) -> Option<&YearCalendar> {
        self.years.get(&year)
    }

    /// All configured years, in order.
    pub fn years(&self) -> impl Iterator<Item = &YearCalendar> {
        self.years.values()
    }

    /// Adds or replaces the data of a year, after validating it (dates in the year, no
    /// duplicates or conflicts, at least one working day). Returns the data it replaced.
    pub fn set_year(&mut self, year: YearCalendar) -> Result<Option<YearCalendar>> {
        year.validate().map_err(|source| CalendarError::Year {
            year: year.year,
            source,
        })?;
        self.check_year_has_work(&year)?;
        Ok(self.years.insert(year.year, year))
    }

    /// Removes the data of a year.
    pub fn remove_year(&mut self, year: i32) -> Option<YearCalendar> {
        self.years.remove(&year)
    }

    /// Working time in one working day (8 hours with the default office hours).
    pub fn hours_per_day(&self) -> chrono::TimeDelta {
        self.office_hours.per_day()
    }

    /// Whether `weekday` is a weekly working day.
    pub fn is_working_weekday(&self, weekday: Weekday) -> bool {
        self.working_weekdays.contains(&weekday)
    }

    /// Whether the local date `date` is a working day. Needs the year's confirmed data.
    pub fn is_working_day(&self, date: NaiveDate) -> Result<bool> {
        let year = self.confirmed_year(date.year())?;
        Ok(self.is_working_day_in(year, date))
    }

    /// Whether the instant lies inside office hours (`[start, end)` of an interval) on a
    /// working day.
    pub fn is_working_instant(&self, instant: DateTime<Utc>) -> Result<bool> {
        let local = local_time(instant);
        Ok(self.office_hours.contains(local.time()) && self.is_working_day(local.date())?)
    }

    /// Whether the instant is a closing time (the end of an interval) on a working day; such
    /// an instant is a valid due time.
    pub fn is_closing_instant(&self, instant: DateTime<Utc>) -> Result<bool> {
        let local = local_time(instant);
        Ok(self.office_hours.is_closing_time(local.time()) && self.is_working_day(local.date())?)
    }

    fn confirmed_year(&self, year: i32) -> Result<&YearCalendar> {
        match self.years.get(&year) {
            None => Err(CalendarError::YearNotConfigured(year)),
            Some(data) if data.status == YearStatus::Proposal => Err(CalendarError::YearNotConfirmed(year)),
            Some(data) => Ok(data),
        }
    }

    fn is_working_day_in(&self, year: &YearCalendar, date: NaiveDate) -> bool {
        (self.is_working_weekday(date.weekday()) && !year.is_day_off(date)) || year.is_make_up_day(date)
    }

    fn check_year_has_work(&self, year: &YearCalendar) -> Result<()> {
        let first = NaiveDate::from_ymd_opt(year.year, 1, 1).ok_or(CalendarError::OutOfRange)?;
        let has_work = first
            .iter_days()
            .take_while(|d| d.year() == year.year)
            .any(|d| self.is_working_day_in(year, d));
        if has_work {
            Ok(())
        } else {
            Err(CalendarError::Year {
                year: year.year,
                source: YearError::NoWorkingDay { year: year.year },
            })
        }
    }
}

/// The standard calendar ([`OfficeCalendar::standard`]).
impl Default for OfficeCalendar {
    fn default() -> Self {
        Self::standard()
    }
}

fn check_weekdays(weekdays: &[Weekday]) -> Result<()> {
    if weekdays.is_empty() {
        return Err(CalendarError::WorkingWeekdays(
            "at least one weekday must be a working day",
        ));
    }
    for (i, day) in weekdays.iter().enumerate() {
        if weekdays[..i].contains(day) {
            return Err(CalendarError::WorkingWeekdays("a weekday is listed twice"));
        }
    }
    Ok(())
}

/// The serialised form of [`OfficeCalendar`]; deserialising validates it.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CalendarSpec {
    #[serde(default)]
    office_hours: OfficeHours,
    #[serde(default = "default_weekdays")]
    working_weekdays: Vec<Weekday>,
    #[serde(default)]
    receipt_cutoff: Option<NaiveTime>,
    #[serde(default)]
    years: Vec<YearCalendar>,
}

fn default_weekdays() -> Vec<Weekday> {
    MONDAY_TO_FRIDAY.to_vec()
}

impl TryFrom<CalendarSpec> for OfficeCalendar {
    type Error = CalendarError;

    fn try_from(spec: CalendarSpec) -> Result<Self> {
        let mut calendar = OfficeCalendar::new(spec.office_hours, spec.working_weekdays)?;
        calendar.receipt_cutoff = spec.receipt_cutoff;
        for year in spec.years {
            let number = year.year;
            if calendar.set_year(year)?.is_some() {
                return Err(CalendarError::Year {
                    year: number,
                    source: YearError::DuplicateYear { year: number },
                });
            }
        }
        Ok(calendar)
    }
}

impl From<OfficeCalendar> for CalendarSpec {
    fn from(calendar: OfficeCalendar) -> Self {
        Self {
            office_hours: calendar.office_hours,
            working_weekdays: calendar.working_weekdays,
            receipt_cutoff: calendar.receipt_cutoff,
            years: calendar.years.into_values().collect(),
        }
    }
}

/// The local (Asia/Ho_Chi_Minh) date and time of an instant.
pub fn local_time(instant: DateTime<Utc>) -> NaiveDateTime {
    instant.with_timezone(&TIME_ZONE).naive_local()
}

/// The instant of a local (Asia/Ho_Chi_Minh) date and time. An ambiguous local time (none
/// since 1975) takes the earlier instant; a non-existent one is an error.
pub fn from_local(local: NaiveDateTime) -> Result<DateTime<Utc>> {
    match TIME_ZONE.from_local_datetime(&local) {
        LocalResult::Single(t) => Ok(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(earlier, _) => Ok(earlier.with_timezone(&Utc)),
        LocalResult::None => Err(CalendarError::NonexistentLocalTime(local)),
    }
}

#[cfg(test)]
pub(crate) mod test_util {
    use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

    use super::{from_local, local_time};

    /// A local date.
    pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
    }

    /// The instant of a local date and time (Asia/Ho_Chi_Minh).
    pub fn at(y: i32, m: u32, day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
        let local = d(y, m, day).and_hms_opt(hour, minute, 0).expect("valid time");
        from_local(local).expect("local time exists")
    }

    /// Renders an instant in local time, for readable assertion failures.
    pub fn show(instant: DateTime<Utc>) -> String {
        local_time(instant).format("%a %Y-%m-%d %H:%M:%S").to_string()
    }

    pub fn hours(h: i64) -> TimeDelta {
        TimeDelta::hours(h)
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;

    use super::test_util::{at, d};
    use super::*;

    #[test]
    fn local_time_is_utc_plus_seven() {
        let instant = at(2024, 3, 4, 7, 0);
        assert_eq!(instant.to_rfc3339(), "2024-03-04T00:00:00+00:00");
        assert_eq!(local_time(instant), d(2024, 3, 4).and_hms_opt(7, 0, 0).expect("time"));
    }

    #[test]
    fn standard_calendar_has_eight_hours_mon_to_fri_and_shipped_years() {
        let calendar = OfficeCalendar::standard();
        assert_eq!(calendar.hours_per_day(), TimeDelta::hours(8));
        assert_eq!(calendar.working_weekdays(), &MONDAY_TO_FRIDAY);
        assert_eq!(
            calendar.years().map(|y| y.year).collect::<Vec<_>>(),
            vec![2024, 2025, 2026]
        );
        assert_eq!(calendar.receipt_cutoff(), None);
        assert_eq!(OfficeCalendar::default(), calendar);
    }

    #[test]
    fn working_day_rule() {
        let calendar = OfficeCalendar::standard();
        // An ordinary Monday and Saturday.
        assert_eq!(calendar.is_working_day(d(2024, 3, 4)), Ok(true));
        assert_eq!(calendar.is_working_day(d(2024, 3, 9)), Ok(false));
        // Holidays on weekdays: Hùng Kings 2024 (Thu), Tết 2024 (Mon 12/2), bridge Mon 29/4/2024.
        assert_eq!(calendar.is_working_day(d(2024, 4, 18)), Ok(false));
        assert_eq!(calendar.is_working_day(d(2024, 2, 12)), Ok(false));
        assert_eq!(calendar.is_working_day(d(2024, 4, 29)), Ok(false));
        // Make-up Saturdays are working days.
        assert_eq!(calendar.is_working_day(d(2024, 5, 4)), Ok(true));
        assert_eq!(calendar.is_working_day(d(2025, 4, 26)), Ok(true));
        assert_eq!(calendar.is_working_day(d(2026, 1, 10)), Ok(true));
        // The Saturday after the make-up one is a weekend again.
        assert_eq!(calendar.is_working_day(d(2024, 5, 11)), Ok(false));
    }

    #[test]
    fn unconfigured_and_unconfirmed_years_are_errors() {
        let mut calendar = OfficeCalendar::standard();
        assert_eq!(
            calendar.is_working_day(d(2027, 1, 4)),
            Err(CalendarError::YearNotConfigured(2027))
        );
        assert_eq!(
            calendar.is_working_day(d(2023, 12, 29)),
            Err(CalendarError::YearNotConfigured(2023))
        );
        let mut proposal = YearCalendar::new(2027);
        proposal.status = YearStatus::Proposal;
        assert_eq!(calendar.set_year(proposal), Ok(None));
        assert_eq!(
            calendar.is_working_day(d(2027, 1, 4)),
            Err(CalendarError::YearNotConfirmed(2027))
        );
        let mut confirmed = calendar.year(2027).cloned().expect("2027 set");
        confirmed.confirm();
        assert!(calendar.set_year(confirmed).expect("valid").is_some());
        assert_eq!(calendar.is_working_day(d(2027, 1, 4)), Ok(true));
        assert!(calendar.remove_year(2027).is_some());
        assert_eq!(
            calendar.is_working_day(d(2027, 1, 4)),
            Err(CalendarError::YearNotConfigured(2027))
        );
    }

    #[test]
    fn weekdays_are_validated() {
        assert_eq!(
            OfficeCalendar::new(OfficeHours::default(), vec![]),
            Err(CalendarError::WorkingWeekdays(
                "at least one weekday must be a working day"
            ))
        );
        assert_eq!(
            OfficeCalendar::new(OfficeHours::default(), vec![Weekday::Mon, Weekday::Mon]),
            Err(CalendarError::WorkingWeekdays("a weekday is listed twice"))
        );
    }

    /// 2030 with every day that `off` picks as a day off.
    fn year_2030_off(off: impl Fn(&NaiveDate) -> bool) -> YearCalendar {
        let mut year = YearCalendar::new(2030);
        year.days_off = d(2030, 1, 1)
            .iter_days()
            .take_while(|day| day.year() == 2030)
            .filter(off)
            .map(|day| CalendarDay::new(day, "Nghỉ"))
            .collect();
        year
    }

    #[test]
    fn a_year_without_any_working_day_is_refused() {
        let mut calendar = OfficeCalendar::new(OfficeHours::default(), MONDAY_TO_FRIDAY.to_vec()).expect("valid");
        let mut year = year_2030_off(|_| true);
        assert_eq!(
            calendar.set_year(year.clone()),
            Err(CalendarError::Year {
                year: 2030,
                source: YearError::NoWorkingDay { year: 2030 }
            })
        );
        // One make-up day is enough.
        year.days_off.retain(|day| day.date != d(2030, 6, 1));
        year.make_up_days.push(CalendarDay::new(d(2030, 6, 1), "Ngày làm bù"));
        assert_eq!(calendar.set_year(year), Ok(None));
        // Changing the weekdays re-checks the years: Saturday 1/6/2030 is a make-up day, still worked.
        assert_eq!(calendar.set_working_weekdays(vec![Weekday::Sun]), Ok(()));
    }

    #[test]
    fn changing_weekdays_rechecks_years() {
        let mut calendar = OfficeCalendar::new(OfficeHours::default(), MONDAY_TO_FRIDAY.to_vec()).expect("valid");
        // Every Sunday of 2030 is a day off; with Sunday as the only working weekday nothing is left.
        let year = year_2030_off(|day| day.weekday() == Weekday::Sun);
        assert_eq!(calendar.set_year(year), Ok(None));
        let before = calendar.clone();
        assert!(matches!(
            calendar.set_working_weekdays(vec![Weekday::Sun]),
            Err(CalendarError::Year {
                year: 2030,
                source: YearError::NoWorkingDay { .. }
            })
        ));
        assert_eq!(calendar, before, "a refused change leaves the calendar as it was");
    }

    #[test]
    fn serde_round_trip_and_validation() {
        let calendar = OfficeCalendar::standard().with_receipt_cutoff(NaiveTime::from_hms_opt(15, 0, 0));
        let json = serde_json::to_string_pretty(&calendar).expect("serialise");
        assert!(json.contains("\"working_weekdays\""), "{json}");
        assert!(json.contains("Tết Nguyên đán"), "{json}");
        let back: OfficeCalendar = serde_json::from_str(&json).expect("deserialise");
        assert_eq!(back, calendar);

        // Defaults: office hours and weekdays may be omitted.
        let minimal: OfficeCalendar = serde_json::from_str(r#"{"years":[{"year":2030}]}"#).expect("minimal");
        assert_eq!(minimal.hours_per_day(), TimeDelta::hours(8));
        assert_eq!(minimal.is_working_day(d(2030, 1, 1)), Ok(true));

        // Invalid data is refused with the reason.
        let overlapping = r#"{"office_hours":[{"start":"07:00","end":"12:00"},{"start":"11:00","end":"17:00"}]}"#;
        let err = serde_json::from_str::<OfficeCalendar>(overlapping).expect_err("overlap");
        assert!(err.to_string().contains("must not overlap"), "{err}");
        let duplicate_year = r#"{"years":[{"year":2030},{"year":2030}]}"#;
        let err = serde_json::from_str::<OfficeCalendar>(duplicate_year).expect_err("duplicate year");
        assert!(err.to_string().contains("2030"), "{err}");
        let stray = r#"{"years":[{"year":2030,"days_off":[{"date":"2031-01-01","label":"Tết Dương lịch"}]}]}"#;
        let err = serde_json::from_str::<OfficeCalendar>(stray).expect_err("stray date");
        assert!(err.to_string().contains("2031-01-01"), "{err}");
        let unknown = r#"{"timezone":"Asia/Bangkok"}"#;
        assert!(serde_json::from_str::<OfficeCalendar>(unknown).is_err());
    }
}
