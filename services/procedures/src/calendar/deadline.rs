//! The deadline rule: processing time is a budget of working time, counted only inside office
//! hours on working days, in local time (DOMAIN.md, "Working time").
//!
//! - A start outside office hours (night, weekend, holiday, lunch break) begins at the next
//!   working instant.
//! - The due time is the instant the budget runs out; a budget that runs out exactly at a
//!   closing time (11:30, 17:00) is due at that closing time, not at the next opening.
//! - N working days are N × (working hours per day) of working time, so a dossier received at
//!   10:00 with 1 working day is due at 10:00 the next working day.
//! - Supplement requests suspend the dossier ([`SupplementMode`]).
//!
//! Every loop is bounded: each working day consumes at least one office interval of the
//! budget, a run of days without working time stops after [`MAX_DAYS_WITHOUT_WORK`] days, and
//! a day in a year without data stops the computation with
//! [`CalendarError::YearNotConfigured`].

use std::fmt;

use chrono::{DateTime, NaiveTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use super::{CalendarError, OfficeCalendar, Result, from_local, local_time};

/// A search for working time gives up after this many consecutive days without any (a guard;
/// validated calendars have a working day in every configured year).
pub const MAX_DAYS_WITHOUT_WORK: u32 = 366;

/// The statutory processing time of a procedure (thời hạn giải quyết).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProcessingTime {
    /// N working days: N × the working hours of a day.
    WorkingDays(u32),
    /// N working hours.
    WorkingHours(u32),
}

impl fmt::Display for ProcessingTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::WorkingDays(n) => write!(f, "{n} working days"),
            Self::WorkingHours(n) => write!(f, "{n} working hours"),
        }
    }
}

/// What a supplement request does to the clock; a per-procedure setting.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SupplementMode {
    /// The decree's rule and the default: when the complete dossier arrives, the processing
    /// time restarts from zero (the full budget from the arrival).
    #[default]
    Restart,
    /// The clock stops when the supplement is requested and resumes when it arrives, with
    /// the working time already used deducted.
    Pause,
}

/// A period during which the dossier waits for the applicant (supplement requested at `from`,
/// complete dossier received at `to`; `None` while still waiting).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Suspension {
    /// When the supplement was requested.
    pub from: DateTime<Utc>,
    /// When the complete dossier arrived, if it has.
    pub to: Option<DateTime<Utc>>,
}

/// The due time of a dossier, or the lack of one while it waits for the applicant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Deadline {
    /// Due at this instant.
    Due(DateTime<Utc>),
    /// Suspended since `since` (a supplement is awaited): there is no due time; when the
    /// supplement arrives, `remaining` working time will be left.
    Suspended {
        /// When the open suspension began.
        since: DateTime<Utc>,
        /// Working time left once the clock runs again (the full budget in restart mode).
        remaining: TimeDelta,
    },
}

impl Deadline {
    /// The due time, if the dossier is not suspended.
    pub fn due(&self) -> Option<DateTime<Utc>> {
        match self {
            Self::Due(due) => Some(*due),
            Self::Suspended { .. } => None,
        }
    }
}

impl OfficeCalendar {
    /// The working-time budget of a processing time: days × working hours per day, or hours.
    pub fn budget(&self, processing_time: ProcessingTime) -> Result<TimeDelta> {
        let too_large = || CalendarError::BudgetTooLarge(processing_time);
        match processing_time {
            ProcessingTime::WorkingDays(days) => {
                let days = i32::try_from(days).map_err(|_| too_large())?;
                self.hours_per_day().checked_mul(days).ok_or_else(too_large)
            }
            ProcessingTime::WorkingHours(hours) => TimeDelta::try_hours(i64::from(hours)).ok_or_else(too_large),
        }
    }

    /// The due time of `budget` working time counted from `start`.
    ///
    /// A start outside office hours counts from the next working instant; the due time is the
    /// instant the budget runs out, and may be a closing time. A zero budget gives the next
    /// working instant. Needs the data of every year the count goes through.
    pub fn due(&self, start: DateTime<Utc>, budget: TimeDelta) -> Result<DateTime<Utc>> {
        if budget < TimeDelta::zero() {
            return Err(CalendarError::NegativeBudget);
        }
        let local = local_time(start);
        let mut date = local.date();
        let mut position = local.time();
        let mut remaining = budget;
        let mut days_without_work = 0;
        let mut without_work_since = None;
        loop {
            let before = remaining;
            let open_later = self.office_hours.intervals().iter().any(|i| position < i.end);
            if open_later && self.is_working_day(date)? {
                for interval in self.office_hours.intervals() {
                    if position >= interval.end {
                        continue;
                    }
                    let begin = position.max(interval.start);
                    let available = interval.end - begin;
                    if remaining <= available {
                        let due = date
                            .and_time(begin)
                            .checked_add_signed(remaining)
                            .ok_or(CalendarError::OutOfRange)?;
                        return from_local(due);
                    }
                    remaining -= available;
                }
            }
            if remaining == before {
                let since = *without_work_since.get_or_insert(date);
                days_without_work += 1;
                if days_without_work > MAX_DAYS_WITHOUT_WORK {
                    return Err(CalendarError::NoWorkingTime {
                        from: since,
                        days: MAX_DAYS_WITHOUT_WORK,
                    });
                }
            } else {
                days_without_work = 0;
                without_work_since = None;
            }
            date = date.succ_opt().ok_or(CalendarError::OutOfRange)?;
            position = NaiveTime::MIN;
        }
    }

    /// The first instant at or after `instant` inside office hours on a working day.
    pub fn next_working_instant(&self, instant: DateTime<Utc>) -> Result<DateTime<Utc>> {
        self.due(instant, TimeDelta::zero())
    }

    /// When the clock starts for something received at `received` (a dossier, or the
    /// supplement that completes it): the next working instant, or, if a receipt cutoff is set
    /// and `received` is on a working day strictly after it, the opening of the next working
    /// day.
    pub fn receipt_start(&self, received: DateTime<Utc>) -> Result<DateTime<Utc>> {
        let local = local_time(received);
        if let Some(cutoff) = self.receipt_cutoff
            && local.time() > cutoff
            && self.is_working_day(local.date())?
        {
            let next_day = local.date().succ_opt().ok_or(CalendarError::OutOfRange)?;
            return self.next_working_instant(from_local(next_day.and_time(NaiveTime::MIN))?);
        }
        self.next_working_instant(received)
    }

    /// The appointment of a dossier received at `received` with no supplement: the receipt
    /// cutoff applies, then [`OfficeCalendar::due`].
    pub fn due_for_receipt(&self, received: DateTime<Utc>, processing_time: ProcessingTime) -> Result<DateTime<Utc>> {
        self.due(self.receipt_start(received)?, self.budget(processing_time)?)
    }

    /// Working time between two instants: the length of `[a, b]` inside office hours on
    /// working days. Negative if `b` is before `a`.
    pub fn working_time_between(&self, a: DateTime<Utc>, b: DateTime<Utc>) -> Result<TimeDelta> {
        if b < a {
            return Ok(-self.working_time_between(b, a)?);
        }
        let (a, b) = (local_time(a), local_time(b));
        let mut total = TimeDelta::zero();
        let mut date = a.date();
        while date <= b.date() {
            let mut in_day = TimeDelta::zero();
            for interval in self.office_hours.intervals() {
                let begin = date.and_time(interval.start).max(a);
                let end = date.and_time(interval.end).min(b);
                if end > begin {
                    in_day += end - begin;
                }
            }
            if !in_day.is_zero() && self.is_working_day(date)? {
                total += in_day;
            }
            date = date.succ_opt().ok_or(CalendarError::OutOfRange)?;
        }
        Ok(total)
    }

    /// The due time of a dossier received at `received` with `budget` working time, given its
    /// supplement requests in order (the dossier's timeline).
    ///
    /// - The clock starts at [`OfficeCalendar::receipt_start`]`(received)`; the arrival of a
    ///   supplement is a receipt too (the cutoff applies to it).
    /// - [`SupplementMode::Restart`]: after each suspension the full budget starts again from
    ///   the arrival: due = due(arrival, budget).
    /// - [`SupplementMode::Pause`]: the working time used before the request is deducted:
    ///   due = due(arrival, budget − used before `from`), accumulated over suspensions.
    /// - An open suspension (`to: None`) gives [`Deadline::Suspended`].
    /// - A suspension that begins at or after the due time in force has no effect, nor have
    ///   the ones after it: the dossier was already due (late stays late; a request after the
    ///   due time cannot buy a new deadline).
    ///
    /// Suspensions must begin at or after the receipt, end at or after they begin, not overlap,
    /// and only the last may be open; otherwise [`CalendarError::InvalidSuspension`].
    pub fn due_with_events(
        &self,
        received: DateTime<Utc>,
        budget: TimeDelta,
        mode: SupplementMode,
        suspensions: &[Suspension],
    ) -> Result<Deadline> {
        check_suspensions(received, suspensions)?;
        let mut start = self.receipt_start(received)?;
        let mut remaining = budget;
        let mut due = self.due(start, remaining)?;
        for suspension in suspensions {
            if suspension.from >= due {
                break;
            }
            remaining = match mode {
                SupplementMode::Restart => budget,
                SupplementMode::Pause => {
                    let used = self.working_time_between(start, suspension.from.max(start))?;
                    remaining - used
                }
            };
            let Some(to) = suspension.to else {
                return Ok(Deadline::Suspended {
                    since: suspension.from,
                    remaining,
                });
            };
            start = self.receipt_start(to)?;
            due = self.due(start, remaining)?;
        }
        Ok(Deadline::Due(due))
    }
}

fn check_suspensions(received: DateTime<Utc>, suspensions: &[Suspension]) -> Result<()> {
    let invalid = |index, reason| Err(CalendarError::InvalidSuspension { index, reason });
    let mut previous_end = received;
    for (index, suspension) in suspensions.iter().enumerate() {
        if suspension.from < received {
            return invalid(index, "it begins before the dossier was received");
        }
        if suspension.from < previous_end {
            return invalid(index, "it begins before the previous suspension ends");
        }
        match suspension.to {
            Some(to) if to < suspension.from => return invalid(index, "it ends before it begins"),
            Some(to) => previous_end = to,
            None if index + 1 < suspensions.len() => {
                return invalid(index, "it is still open but is not the last suspension");
            }
            None => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use chrono::Weekday;

    use super::*;
    use crate::calendar::test_util::{at, d, hours, show};
    use crate::calendar::{MONDAY_TO_FRIDAY, OfficeHours, OfficeInterval, YearCalendar};

    fn cal() -> OfficeCalendar {
        OfficeCalendar::standard()
    }

    fn days(n: u32) -> TimeDelta {
        cal().budget(ProcessingTime::WorkingDays(n)).expect("budget")
    }

    #[track_caller]
    fn assert_due(start: DateTime<Utc>, budget: TimeDelta, expected: DateTime<Utc>) {
        let due = cal().due(start, budget).expect("due");
        assert_eq!(show(due), show(expected), "start {}", show(start));
        // The working time from start to due is exactly the budget.
        assert_eq!(cal().working_time_between(start, due), Ok(budget));
    }

    #[test]
    fn budgets() {
        let calendar = cal();
        assert_eq!(calendar.budget(ProcessingTime::WorkingDays(1)), Ok(hours(8)));
        assert_eq!(calendar.budget(ProcessingTime::WorkingDays(15)), Ok(hours(120)));
        assert_eq!(calendar.budget(ProcessingTime::WorkingHours(4)), Ok(hours(4)));
        assert_eq!(
            calendar.budget(ProcessingTime::WorkingDays(u32::MAX)),
            Err(CalendarError::BudgetTooLarge(ProcessingTime::WorkingDays(u32::MAX)))
        );
        let short = OfficeCalendar::new(
            OfficeHours::new(vec![OfficeInterval::new(
                NaiveTime::from_hms_opt(8, 0, 0).expect("time"),
                NaiveTime::from_hms_opt(12, 0, 0).expect("time"),
            )])
            .expect("hours"),
            MONDAY_TO_FRIDAY.to_vec(),
        )
        .expect("calendar");
        assert_eq!(short.budget(ProcessingTime::WorkingDays(2)), Ok(hours(8)));
    }

    #[test]
    fn one_day_received_monday_0800_is_due_tuesday_0800() {
        // Mon 4/3/2024 08:00–11:30 (3.5 h) + 13:30–17:00 (3.5 h) = 7 h; 1 h left: Tue 07:00–08:00.
        assert_due(at(2024, 3, 4, 8, 0), days(1), at(2024, 3, 5, 8, 0));
    }

    #[test]
    fn three_days_received_friday_1600() {
        // Fri 8/3/2024 16:00–17:00 = 1 h (23 h left); Mon 11/3 8 h (15); Tue 12/3 8 h (7);
        // Wed 13/3 07:00–11:30 4.5 h (2.5), 13:30 + 2.5 h = 16:00.
        assert_due(at(2024, 3, 8, 16, 0), days(3), at(2024, 3, 13, 16, 0));
    }

    #[test]
    fn weekend_is_skipped() {
        // Fri 8/3/2024 10:00: 1.5 h + 3.5 h = 5 h; Mon 11/3 07:00–10:00 = 3 h.
        assert_due(at(2024, 3, 8, 10, 0), days(1), at(2024, 3, 11, 10, 0));
    }

    #[test]
    fn receipt_before_opening_starts_at_opening_and_ends_at_closing() {
        // Mon 4/3/2024 06:00 → 07:00; 8 h run out exactly at 17:00, due then (not Tue 07:00).
        assert_due(at(2024, 3, 4, 6, 0), days(1), at(2024, 3, 4, 17, 0));
    }

    #[test]
    fn receipt_at_lunch_ends_exactly_at_1130() {
        // Mon 4/3/2024 12:00 → 13:30; 13:30–17:00 = 3.5 h, 4.5 h left: Tue 07:00–11:30, due
        // at 11:30 (not 13:30).
        assert_due(at(2024, 3, 4, 12, 0), days(1), at(2024, 3, 5, 11, 30));
        // 4.5 working hours from Mon 07:00 end at 11:30 the same day.
        assert_due(at(2024, 3, 4, 7, 0), TimeDelta::minutes(270), at(2024, 3, 4, 11, 30));
    }

    #[test]
    fn receipt_in_the_evening_starts_next_morning() {
        // Mon 4/3/2024 17:30 → Tue 5/3 07:00, 8 h → Tue 17:00.
        assert_due(at(2024, 3, 4, 17, 30), days(1), at(2024, 3, 5, 17, 0));
        // Exactly at closing time: nothing left that day either.
        assert_due(at(2024, 3, 4, 17, 0), days(1), at(2024, 3, 5, 17, 0));
    }

    #[test]
    fn receipt_on_sunday_starts_monday() {
        // Sun 3/3/2024 10:00 → Mon 4/3 07:00 → Mon 17:00.
        assert_due(at(2024, 3, 3, 10, 0), days(1), at(2024, 3, 4, 17, 0));
    }

    #[test]
    fn receipt_on_a_holiday_starts_next_working_day() {
        // Thu 18/4/2024 is Giỗ Tổ Hùng Vương: start Fri 19/4 07:00; Fri 8 h + Mon 22/4 8 h.
        assert_due(at(2024, 4, 18, 9, 0), days(2), at(2024, 4, 22, 17, 0));
    }

    #[test]
    fn tet_2024_is_skipped() {
        // Wed 7/2/2024 09:00: 2.5 h + 3.5 h = 6 h (18 h left); 8–14/2 off; Thu 15/2 8 h (10);
        // Fri 16/2 8 h (2); Mon 19/2 07:00–09:00.
        assert_due(at(2024, 2, 7, 9, 0), days(3), at(2024, 2, 19, 9, 0));
    }

    #[test]
    fn labour_day_break_2024_and_make_up_saturday() {
        // Fri 26/4/2024 10:00: 1.5 h + 3.5 h = 5 h (19 h left); 27/4–1/5 off; Thu 2/5 8 h (11);
        // Fri 3/5 8 h (3); Sat 4/5 is a make-up working day: 07:00–10:00.
        assert_due(at(2024, 4, 26, 10, 0), days(3), at(2024, 5, 4, 10, 0));
        // Received on the make-up Saturday itself: 2.5 h + 3.5 h = 6 h; Mon 6/5 07:00–09:00.
        assert_due(at(2024, 5, 4, 9, 0), days(1), at(2024, 5, 6, 9, 0));
    }

    #[test]
    fn working_hours_procedure() {
        // 4 working hours from Mon 4/3/2024 15:00: 15:00–17:00 = 2 h; Tue 07:00–09:00.
        let budget = cal().budget(ProcessingTime::WorkingHours(4)).expect("budget");
        assert_due(at(2024, 3, 4, 15, 0), budget, at(2024, 3, 5, 9, 0));
        // 3 working hours from 10:00: 10:00–11:30 = 1.5 h; 13:30–15:00.
        assert_due(at(2024, 3, 4, 10, 0), hours(3), at(2024, 3, 4, 15, 0));
    }

    #[test]
    fn year_boundary_2025_2026() {
        // Tue 30/12/2025 10:00: 1.5 h + 3.5 h = 5 h (35 h left); Wed 31/12 8 h (27);
        // 1/1/2026 holiday, 2/1 bridge day, 3–4/1 weekend; Mon 5/1 (19); Tue 6/1 (11);
        // Wed 7/1 (3); Thu 8/1 07:00–10:00.
        assert_due(at(2025, 12, 30, 10, 0), days(5), at(2026, 1, 8, 10, 0));
        // 7 days (56 h): … Thu 8/1 8 h (11); Fri 9/1 (3); Sat 10/1 is a make-up day: 07:00–10:00.
        assert_due(at(2025, 12, 30, 10, 0), days(7), at(2026, 1, 10, 10, 0));
    }

    #[test]
    fn a_year_without_data_is_an_error_not_a_guess() {
        // Thu 31/12/2026 16:00: 1 h that day, the rest needs 2027.
        assert_eq!(
            cal().due(at(2026, 12, 31, 16, 0), days(1)),
            Err(CalendarError::YearNotConfigured(2027))
        );
        // Without 2026 data, a 2025 count that reaches 2026 fails.
        let mut calendar = cal();
        calendar.remove_year(2026);
        assert_eq!(
            calendar.due(at(2025, 12, 30, 10, 0), days(5)),
            Err(CalendarError::YearNotConfigured(2026))
        );
        // A count that ends on 31/12/2026 at closing time does not need 2027.
        assert_eq!(cal().due(at(2026, 12, 31, 7, 0), days(1)), Ok(at(2026, 12, 31, 17, 0)));
        assert_eq!(
            cal().due(at(2023, 12, 29, 9, 0), days(1)),
            Err(CalendarError::YearNotConfigured(2023))
        );
    }

    #[test]
    fn zero_and_negative_budgets() {
        assert_eq!(
            cal().due(at(2024, 3, 4, 12, 0), TimeDelta::zero()),
            Ok(at(2024, 3, 4, 13, 30))
        );
        assert_eq!(
            cal().next_working_instant(at(2024, 3, 4, 11, 30)),
            Ok(at(2024, 3, 4, 13, 30))
        );
        assert_eq!(
            cal().next_working_instant(at(2024, 3, 4, 10, 0)),
            Ok(at(2024, 3, 4, 10, 0))
        );
        assert_eq!(
            cal().due(at(2024, 3, 4, 8, 0), -hours(1)),
            Err(CalendarError::NegativeBudget)
        );
    }

    #[test]
    fn no_working_day_stops_with_an_error() {
        // Validation refuses a year without a working day, so build one past it: every day of
        // 2030 and 2031 off.
        let mut calendar = OfficeCalendar::new(OfficeHours::default(), MONDAY_TO_FRIDAY.to_vec()).expect("calendar");
        for year in [2030, 2031] {
            let mut data = YearCalendar::new(year);
            data.days_off = d(year, 1, 1)
                .iter_days()
                .take_while(|day| chrono::Datelike::year(day) == year)
                .map(|day| crate::calendar::CalendarDay::new(day, "Nghỉ"))
                .collect();
            calendar.years.insert(year, data);
        }
        assert_eq!(
            calendar.due(at(2030, 1, 1, 8, 0), days(1)),
            Err(CalendarError::NoWorkingTime {
                from: d(2030, 1, 1),
                days: MAX_DAYS_WITHOUT_WORK
            })
        );
        // With only 2030 all off, the count runs into 2031, which has no data.
        calendar.years.remove(&2031);
        assert_eq!(
            calendar.due(at(2030, 1, 1, 8, 0), days(1)),
            Err(CalendarError::YearNotConfigured(2031))
        );
    }

    #[test]
    fn other_office_hours_and_weekdays() {
        // 08:00–12:00, 13:00–17:00, Monday to Saturday.
        let mut weekdays = MONDAY_TO_FRIDAY.to_vec();
        weekdays.push(Weekday::Sat);
        let mut calendar = OfficeCalendar::new(
            OfficeHours::new(vec![
                OfficeInterval::new(
                    NaiveTime::from_hms_opt(8, 0, 0).expect("time"),
                    NaiveTime::from_hms_opt(12, 0, 0).expect("time"),
                ),
                OfficeInterval::new(
                    NaiveTime::from_hms_opt(13, 0, 0).expect("time"),
                    NaiveTime::from_hms_opt(17, 0, 0).expect("time"),
                ),
            ])
            .expect("hours"),
            weekdays,
        )
        .expect("calendar");
        calendar.set_year(YearCalendar::new(2024)).expect("year");
        // Fri 8/3/2024 16:00: 1 h; Sat 9/3 8 h; Mon 11/3 08:00–12:00 (4 h) → 15 h… 1 day = 8 h:
        // 1 h Fri + 7 h Sat (08:00–12:00, 13:00–16:00) → Sat 16:00.
        let budget = calendar.budget(ProcessingTime::WorkingDays(1)).expect("budget");
        assert_eq!(calendar.due(at(2024, 3, 8, 16, 0), budget), Ok(at(2024, 3, 9, 16, 0)));
        // Lunch 12:00–13:00: received 12:30 → 13:00, 4 h → 17:00.
        assert_eq!(
            calendar.due(at(2024, 3, 4, 12, 30), hours(4)),
            Ok(at(2024, 3, 4, 17, 0))
        );
    }

    #[test]
    fn working_time_between_counts_only_office_hours() {
        let calendar = cal();
        // Mon 4/3/2024 06:00 → Tue 5/3 09:00: 8 h Monday + 2 h Tuesday.
        assert_eq!(
            calendar.working_time_between(at(2024, 3, 4, 6, 0), at(2024, 3, 5, 9, 0)),
            Ok(hours(10))
        );
        // Reversed is negative.
        assert_eq!(
            calendar.working_time_between(at(2024, 3, 5, 9, 0), at(2024, 3, 4, 6, 0)),
            Ok(-hours(10))
        );
        // Lunch and nights count nothing.
        assert_eq!(
            calendar.working_time_between(at(2024, 3, 4, 11, 30), at(2024, 3, 4, 13, 30)),
            Ok(TimeDelta::zero())
        );
        // A whole week with Tết 2024: Mon 5/2 to Sun 18/2 has Mon–Wed 5–7/2 and Thu–Fri 15–16/2.
        assert_eq!(
            calendar.working_time_between(at(2024, 2, 5, 0, 0), at(2024, 2, 18, 23, 0)),
            Ok(hours(40))
        );
        // Evenings around the year's end do not need the next year.
        assert_eq!(
            calendar.working_time_between(at(2026, 12, 31, 18, 0), at(2027, 1, 1, 6, 0)),
            Ok(TimeDelta::zero())
        );
        assert_eq!(
            calendar.working_time_between(at(2026, 12, 31, 18, 0), at(2027, 1, 4, 8, 0)),
            Err(CalendarError::YearNotConfigured(2027))
        );
    }

    #[test]
    fn receipt_cutoff() {
        let cutoff = NaiveTime::from_hms_opt(15, 0, 0);
        let with = cal().with_receipt_cutoff(cutoff);
        let one_day = ProcessingTime::WorkingDays(1);
        // Mon 4/3/2024 15:30 with the cutoff: starts Tue 07:00, due Tue 17:00.
        assert_eq!(
            with.due_for_receipt(at(2024, 3, 4, 15, 30), one_day),
            Ok(at(2024, 3, 5, 17, 0))
        );
        // Without it: 15:30–17:00 = 1.5 h; Tue 07:00–11:30 (4.5, 2 h left); 13:30–15:30.
        assert_eq!(
            cal().due_for_receipt(at(2024, 3, 4, 15, 30), one_day),
            Ok(at(2024, 3, 5, 15, 30))
        );
        // At 15:00 exactly or before: the same day.
        assert_eq!(with.receipt_start(at(2024, 3, 4, 15, 0)), Ok(at(2024, 3, 4, 15, 0)));
        assert_eq!(with.receipt_start(at(2024, 3, 4, 14, 59)), Ok(at(2024, 3, 4, 14, 59)));
        assert_eq!(with.receipt_start(at(2024, 3, 4, 6, 0)), Ok(at(2024, 3, 4, 7, 0)));
        // Friday after the cutoff: Monday's opening.
        assert_eq!(with.receipt_start(at(2024, 3, 8, 16, 0)), Ok(at(2024, 3, 11, 7, 0)));
        // Before Tết 2024: Wed 7/2 16:00 → Thu 15/2 07:00.
        assert_eq!(with.receipt_start(at(2024, 2, 7, 16, 0)), Ok(at(2024, 2, 15, 7, 0)));
        // On a non-working day the cutoff changes nothing: Sat 9/3 16:00 → Mon 07:00.
        assert_eq!(with.receipt_start(at(2024, 3, 9, 16, 0)), Ok(at(2024, 3, 11, 7, 0)));
        // It applies to the arrival of a supplement too (restart from Tue 07:00).
        let deadline = with.due_with_events(
            at(2024, 3, 4, 8, 0),
            hours(8),
            SupplementMode::Restart,
            &[Suspension {
                from: at(2024, 3, 4, 9, 0),
                to: Some(at(2024, 3, 4, 16, 0)),
            }],
        );
        assert_eq!(deadline, Ok(Deadline::Due(at(2024, 3, 5, 17, 0))));
        // And `due` itself ignores it.
        assert_eq!(with.due(at(2024, 3, 4, 15, 30), hours(1)), Ok(at(2024, 3, 4, 16, 30)));
    }

    fn suspension(from: DateTime<Utc>, to: Option<DateTime<Utc>>) -> Suspension {
        Suspension { from, to }
    }

    #[test]
    fn restart_and_pause_differ() {
        // Received Mon 4/3/2024 08:00, 5 working days (40 h): without supplement due Mon 11/3 08:00.
        let received = at(2024, 3, 4, 8, 0);
        let calendar = cal();
        assert_eq!(
            calendar.due_with_events(received, days(5), SupplementMode::Restart, &[]),
            Ok(Deadline::Due(at(2024, 3, 11, 8, 0)))
        );
        // Supplement requested Wed 6/3 08:00, received Fri 8/3 08:00.
        let events = [suspension(at(2024, 3, 6, 8, 0), Some(at(2024, 3, 8, 8, 0)))];
        // Restart: 40 h from Fri 8/3 08:00 → same time 5 working days later, Fri 15/3 08:00.
        assert_eq!(
            calendar.due_with_events(received, days(5), SupplementMode::Restart, &events),
            Ok(Deadline::Due(at(2024, 3, 15, 8, 0)))
        );
        // Pause: used Mon 7 h + Tue 8 h + Wed 07:00–08:00 1 h = 16 h, 24 h left from Fri 8/3
        // 08:00: Fri 7 h (17), Mon 11/3 (9), Tue 12/3 (1), Wed 13/3 07:00–08:00.
        assert_eq!(
            calendar.due_with_events(received, days(5), SupplementMode::Pause, &events),
            Ok(Deadline::Due(at(2024, 3, 13, 8, 0)))
        );
    }

    #[test]
    fn several_suspensions_in_sequence() {
        let received = at(2024, 3, 4, 8, 0);
        let events = [
            suspension(at(2024, 3, 5, 8, 0), Some(at(2024, 3, 6, 8, 0))),
            suspension(at(2024, 3, 7, 8, 0), Some(at(2024, 3, 8, 13, 30))),
        ];
        // Restart: after the first, due Wed 13/3 08:00; the second (Thu 7/3) is before that, so
        // restart from Fri 8/3 13:30: 3.5 h (36.5 left), Mon–Thu 11–14/3 32 h (4.5),
        // Fri 15/3 07:00–11:30 → due at 11:30.
        assert_eq!(
            cal().due_with_events(received, days(5), SupplementMode::Restart, &events),
            Ok(Deadline::Due(at(2024, 3, 15, 11, 30)))
        );
        // Pause: before the first, Mon 7 h + Tue 1 h = 8 h (32 left); from Wed 6/3 08:00 to
        // Thu 7/3 08:00: 7 h + 1 h = 8 h (24 left); from Fri 8/3 13:30: 3.5 h (20.5),
        // Mon 11/3 (12.5), Tue 12/3 (4.5), Wed 13/3 07:00–11:30.
        assert_eq!(
            cal().due_with_events(received, days(5), SupplementMode::Pause, &events),
            Ok(Deadline::Due(at(2024, 3, 13, 11, 30)))
        );
    }

    #[test]
    fn open_suspension_has_no_due_time() {
        let received = at(2024, 3, 4, 8, 0);
        let events = [suspension(at(2024, 3, 5, 8, 0), None)];
        assert_eq!(
            cal().due_with_events(received, days(5), SupplementMode::Restart, &events),
            Ok(Deadline::Suspended {
                since: at(2024, 3, 5, 8, 0),
                remaining: hours(40)
            })
        );
        // Pause: Mon 08:00–17:00 7 h + Tue 07:00–08:00 1 h used.
        let deadline = cal().due_with_events(received, days(5), SupplementMode::Pause, &events);
        assert_eq!(
            deadline,
            Ok(Deadline::Suspended {
                since: at(2024, 3, 5, 8, 0),
                remaining: hours(32)
            })
        );
        assert_eq!(deadline.map(|d| d.due()), Ok(None));
    }

    #[test]
    fn suspension_after_the_due_time_changes_nothing() {
        // 1 working day from Mon 4/3/2024 08:00 is due Tue 5/3 08:00; a request on Wed 6/3 is too late.
        let received = at(2024, 3, 4, 8, 0);
        let events = [suspension(at(2024, 3, 6, 8, 0), Some(at(2024, 3, 7, 8, 0)))];
        for mode in [SupplementMode::Restart, SupplementMode::Pause] {
            assert_eq!(
                cal().due_with_events(received, days(1), mode, &events),
                Ok(Deadline::Due(at(2024, 3, 5, 8, 0))),
                "{mode:?}"
            );
            let open = [suspension(at(2024, 3, 6, 8, 0), None)];
            assert_eq!(
                cal().due_with_events(received, days(1), mode, &open),
                Ok(Deadline::Due(at(2024, 3, 5, 8, 0))),
                "{mode:?}"
            );
        }
    }

    #[test]
    fn suspension_before_the_clock_starts_uses_no_time() {
        // Received Sat 9/3/2024 (the clock starts Mon 11/3 07:00); supplement requested at once,
        // received Tue 12/3 07:00. Pause: nothing used, 8 h from Tue 07:00 → Tue 17:00.
        let events = [suspension(at(2024, 3, 9, 10, 0), Some(at(2024, 3, 12, 7, 0)))];
        assert_eq!(
            cal().due_with_events(at(2024, 3, 9, 9, 0), days(1), SupplementMode::Pause, &events),
            Ok(Deadline::Due(at(2024, 3, 12, 17, 0)))
        );
    }

    #[test]
    fn invalid_suspensions_are_refused() {
        let received = at(2024, 3, 4, 8, 0);
        let check =
            |events: &[Suspension]| match cal().due_with_events(received, days(5), SupplementMode::Pause, events) {
                Err(CalendarError::InvalidSuspension { index, .. }) => Some(index),
                _ => None,
            };
        assert_eq!(check(&[suspension(at(2024, 3, 4, 7, 0), None)]), Some(0));
        assert_eq!(
            check(&[suspension(at(2024, 3, 5, 8, 0), Some(at(2024, 3, 5, 7, 0)))]),
            Some(0)
        );
        assert_eq!(
            check(&[
                suspension(at(2024, 3, 5, 8, 0), Some(at(2024, 3, 6, 8, 0))),
                suspension(at(2024, 3, 6, 7, 0), Some(at(2024, 3, 7, 8, 0))),
            ]),
            Some(1)
        );
        assert_eq!(
            check(&[
                suspension(at(2024, 3, 5, 8, 0), None),
                suspension(at(2024, 3, 6, 8, 0), Some(at(2024, 3, 7, 8, 0))),
            ]),
            Some(0)
        );
        // Touching suspensions and a zero-length one are fine.
        assert_eq!(
            check(&[
                suspension(at(2024, 3, 5, 8, 0), Some(at(2024, 3, 5, 8, 0))),
                suspension(at(2024, 3, 5, 8, 0), Some(at(2024, 3, 6, 8, 0))),
            ]),
            None
        );
    }

    #[test]
    fn serde_forms() {
        let json = serde_json::to_string(&ProcessingTime::WorkingDays(5)).expect("json");
        assert_eq!(json, r#"{"working_days":5}"#);
        let hours: ProcessingTime = serde_json::from_str(r#"{"working_hours":4}"#).expect("json");
        assert_eq!(hours, ProcessingTime::WorkingHours(4));
        assert_eq!(
            serde_json::to_string(&SupplementMode::default()).expect("json"),
            r#""restart""#
        );
        assert_eq!(ProcessingTime::WorkingDays(5).to_string(), "5 working days");
    }

    #[test]
    fn fractional_instants_are_kept() {
        // 08:00:00.5 + 1 h → 09:00:00.5; the budget keeps sub-second precision.
        let start = at(2024, 3, 4, 8, 0) + TimeDelta::milliseconds(500);
        assert_eq!(
            cal().due(start, hours(1)),
            Ok(at(2024, 3, 4, 9, 0) + TimeDelta::milliseconds(500))
        );
    }
}

#[cfg(test)]
mod properties {
    use chrono::{NaiveDate, TimeDelta};
    use proptest::prelude::*;

    use super::*;
    use crate::calendar::{Outcome, classify};

    fn calendar() -> &'static OfficeCalendar {
        static CALENDAR: std::sync::OnceLock<OfficeCalendar> = std::sync::OnceLock::new();
        CALENDAR.get_or_init(OfficeCalendar::standard)
    }

    /// A receipt instant in 2024–2026 (local time), either any second or one of the boundary
    /// times that matter (openings, closings, lunch, cutoff, midnight).
    fn receipt() -> impl Strategy<Value = DateTime<Utc>> {
        let first = NaiveDate::from_ymd_opt(2024, 1, 1).expect("date");
        let day = 0..(366 + 365 + 365_i64);
        let boundary = prop::sample::select(vec![
            (0, 0),
            (6, 59),
            (7, 0),
            (11, 29),
            (11, 30),
            (12, 0),
            (13, 30),
            (15, 0),
            (16, 59),
            (17, 0),
            (23, 59),
        ]);
        let any_second = (day.clone(), 0..86_400_i64)
            .prop_map(move |(d, s)| first.and_time(NaiveTime::MIN) + TimeDelta::days(d) + TimeDelta::seconds(s));
        let at_boundary = (day, boundary).prop_map(move |(d, (h, m))| {
            first.and_time(NaiveTime::MIN) + TimeDelta::days(d) + TimeDelta::hours(h) + TimeDelta::minutes(m)
        });
        prop_oneof![any_second, at_boundary].prop_map(|local| from_local(local).expect("local time exists"))
    }

    fn budget() -> impl Strategy<Value = ProcessingTime> {
        prop_oneof![
            (1..=30_u32).prop_map(ProcessingTime::WorkingDays),
            (1..=40_u32).prop_map(ProcessingTime::WorkingHours),
        ]
    }

    /// The due time, or `None` if it would fall in 2027 (not configured): only a count that
    /// starts late in 2026 may need 2027.
    fn due_or_2027(start: DateTime<Utc>, budget: TimeDelta) -> Option<DateTime<Utc>> {
        match calendar().due(start, budget) {
            Ok(due) => Some(due),
            Err(CalendarError::YearNotConfigured(2027)) => {
                // 30 working days cannot reach 2027 from before mid-October 2026.
                assert!(local_time(start).date() >= NaiveDate::from_ymd_opt(2026, 10, 15).expect("date"));
                None
            }
            Err(other) => panic!("unexpected error {other}"),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        #[test]
        fn due_is_in_office_hours_on_a_working_day(start in receipt(), processing in budget()) {
            let budget = calendar().budget(processing).expect("budget");
            if let Some(due) = due_or_2027(start, budget) {
                let inside = calendar().is_working_instant(due).expect("configured");
                let closing = calendar().is_closing_instant(due).expect("configured");
                prop_assert!(inside || closing, "due {} is outside office hours", local_time(due));
                prop_assert!(due > start);
            }
        }

        #[test]
        fn due_grows_with_the_processing_time(start in receipt(), a in budget(), b in budget()) {
            let (a, b) = (calendar().budget(a).expect("budget"), calendar().budget(b).expect("budget"));
            let (small, large) = if a <= b { (a, b) } else { (b, a) };
            if let (Some(first), Some(second)) = (due_or_2027(start, small), due_or_2027(start, large)) {
                prop_assert!(first <= second, "{} > {}", local_time(first), local_time(second));
                if small < large {
                    prop_assert!(first < second);
                }
            }
        }

        #[test]
        fn working_time_to_the_due_time_is_the_budget(start in receipt(), processing in budget()) {
            let budget = calendar().budget(processing).expect("budget");
            if let Some(due) = due_or_2027(start, budget) {
                let effective = calendar().next_working_instant(start).expect("configured");
                prop_assert_eq!(calendar().working_time_between(effective, due), Ok(budget));
                prop_assert_eq!(calendar().working_time_between(start, due), Ok(budget));
            }
        }

        #[test]
        fn completing_at_the_due_time_is_not_late(start in receipt(), processing in budget()) {
            let budget = calendar().budget(processing).expect("budget");
            if let Some(due) = due_or_2027(start, budget) {
                let at_due = classify(due, due);
                prop_assert!(matches!(at_due, Outcome::OnTime | Outcome::Early));
                prop_assert_eq!(classify(due + TimeDelta::seconds(1), due), Outcome::Late);
            }
        }

        #[test]
        fn pause_never_ends_later_than_restart(
            start in receipt(),
            processing in budget(),
            wait in 1..(20 * 24 * 3600_i64),
            offset in 0..(10 * 24 * 3600_i64),
        ) {
            // One supplement request `offset` after receipt, answered `wait` later.
            let budget = calendar().budget(processing).expect("budget");
            let events = [Suspension {
                from: start + TimeDelta::seconds(offset),
                to: Some(start + TimeDelta::seconds(offset + wait)),
            }];
            let restart = calendar().due_with_events(start, budget, SupplementMode::Restart, &events);
            let pause = calendar().due_with_events(start, budget, SupplementMode::Pause, &events);
            if let (Ok(Deadline::Due(restart)), Ok(Deadline::Due(pause))) = (restart, pause) {
                prop_assert!(pause <= restart);
            }
        }
    }
}
