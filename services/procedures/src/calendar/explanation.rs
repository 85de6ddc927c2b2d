//! Why a dossier is due when it is: the steps of [`OfficeCalendar::due_with_events`] laid
//! out for a person (the counter clerk answering an applicant, an inspector checking a late
//! dossier): when the clock started and why then, each stretch the clock ran and what it
//! used, each wait for a supplement and the rule applied after it, and every day between the
//! start and the due time that did not count (weekends, holidays, days off in lieu) or that
//! counted although it is a weekend (make-up days).

use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Utc, Weekday};

use super::{Deadline, OfficeCalendar, Result, SupplementMode, Suspension, local_time};

/// One stretch during which the clock ran.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stretch {
    /// When it started counting (a receipt, or the arrival of a supplement, moved to the
    /// next working instant or past the receipt cutoff).
    pub counted_from: DateTime<Utc>,
    /// What started it: the receipt or the arrival of a supplement.
    pub received: DateTime<Utc>,
    /// The working time it had to run.
    pub budget: TimeDelta,
    /// When it stopped: a supplement request, or the due time.
    pub until: Option<DateTime<Utc>>,
    /// Stopped by a supplement request (rather than running to the due time).
    pub suspended: bool,
}

/// A day in the window that is not what its weekday says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotedDay {
    pub date: NaiveDate,
    /// The calendar's name for it, or the weekday's (`Thứ Bảy`, `Chủ nhật`).
    pub label: String,
    /// A working day on a non-working weekday (ngày làm bù), rather than a day off.
    pub worked: bool,
}

/// The whole account of a deadline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Explanation {
    pub received: DateTime<Utc>,
    pub budget: TimeDelta,
    pub mode: SupplementMode,
    pub stretches: Vec<Stretch>,
    /// Days off on working weekdays between the first start and the due time (or today
    /// while suspended), and make-up days in that window.
    pub days: Vec<NotedDay>,
    /// The days of that window not worked by their weekday (weekends), counted.
    pub weekend_days: usize,
    pub deadline: Deadline,
    /// The length of the calendar's working day (to read the budget in days).
    pub working_day: TimeDelta,
}

/// At most this many days are listed (a very long window lists its first days).
const MAX_DAYS: usize = 120;

impl OfficeCalendar {
    /// The account of [`OfficeCalendar::due_with_events`] for the same inputs; `now` ends
    /// the window of days while the dossier waits for a supplement.
    pub fn explain(
        &self,
        received: DateTime<Utc>,
        budget: TimeDelta,
        mode: SupplementMode,
        suspensions: &[Suspension],
        now: DateTime<Utc>,
    ) -> Result<Explanation> {
        let deadline = self.due_with_events(received, budget, mode, suspensions)?;
        let mut stretches = Vec::new();
        let mut start = self.receipt_start(received)?;
        let mut from = received;
        let mut remaining = budget;
        let mut due = self.due(start, remaining)?;
        for suspension in suspensions {
            if suspension.from >= due {
                break;
            }
            stretches.push(Stretch {
                counted_from: start,
                received: from,
                budget: remaining,
                until: Some(suspension.from),
                suspended: true,
            });
            remaining = match mode {
                SupplementMode::Restart => budget,
                SupplementMode::Pause => remaining - self.working_time_between(start, suspension.from.max(start))?,
            };
            let Some(to) = suspension.to else {
                break;
            };
            from = to;
            start = self.receipt_start(to)?;
            due = self.due(start, remaining)?;
        }
        if let Deadline::Due(due) = deadline {
            stretches.push(Stretch {
                counted_from: start,
                received: from,
                budget: remaining,
                until: Some(due),
                suspended: false,
            });
        }
        let first = local_time(self.receipt_start(received)?).date();
        let last = local_time(deadline.due().unwrap_or(now).max(received)).date();
        let mut days = Vec::new();
        let mut weekend_days = 0;
        for date in first.iter_days().take_while(|d| *d <= last).take(MAX_DAYS * 4) {
            let working = self.is_working_day(date)?;
            let weekday_works = self.is_working_weekday(date.weekday());
            if !working && !weekday_works {
                weekend_days += 1;
            }
            if working == weekday_works || days.len() >= MAX_DAYS {
                continue;
            }
            let listed = self
                .year(date.year())
                .and_then(|y| y.entry(date))
                .map(|d| d.label.clone());
            days.push(NotedDay {
                date,
                label: listed.unwrap_or_else(|| weekday_name(date.weekday()).to_string()),
                worked: working,
            });
        }
        Ok(Explanation {
            received,
            budget,
            mode,
            stretches,
            days,
            weekend_days,
            deadline,
            working_day: self.hours_per_day(),
        })
    }
}

/// The weekday as Vietnamese writes it (the API's label).
fn weekday_name(weekday: Weekday) -> &'static str {
    use eiso_proto::labels::Label;
    crate::convert::weekday_to_proto(weekday).label_vi()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::test_util::{at, d, hours, show};

    #[test]
    fn the_days_around_30_april_2025_are_named_and_the_weekends_counted() {
        let calendar = OfficeCalendar::standard();
        // Thursday 24/4/2025, 10:00; five working days (40 working hours).
        let received = at(2025, 4, 24, 10, 0);
        let budget = hours(40);
        let account = calendar
            .explain(received, budget, SupplementMode::Restart, &[], received)
            .expect("explained");
        let due = calendar
            .due_with_events(received, budget, SupplementMode::Restart, &[])
            .expect("due")
            .due()
            .expect("a due time");
        assert_eq!(account.deadline, Deadline::Due(due));
        assert_eq!(show(due), "Mon 2025-05-05 10:00:00");
        assert_eq!(account.stretches.len(), 1);
        assert_eq!(account.stretches[0].counted_from, received);
        assert_eq!(account.stretches[0].until, Some(due));
        let days: Vec<_> = account
            .days
            .iter()
            .map(|n| (n.date, n.label.as_str(), n.worked))
            .collect();
        assert_eq!(
            days,
            [
                (d(2025, 4, 26), "Ngày làm bù", true),
                (d(2025, 4, 30), "Ngày Chiến thắng", false),
                (d(2025, 5, 1), "Quốc tế Lao động", false),
                (d(2025, 5, 2), "Ngày nghỉ hoán đổi", false),
            ]
        );
        // Sunday 27/4, Saturday 3/5 and Sunday 4/5.
        assert_eq!(account.weekend_days, 3);
    }

    #[test]
    fn a_supplement_splits_the_clock_by_the_procedures_rule() {
        let calendar = OfficeCalendar::standard();
        let received = at(2025, 3, 10, 8, 0);
        let budget = hours(24);
        let asked = at(2025, 3, 11, 9, 0);
        let came = at(2025, 3, 13, 14, 0);
        let suspensions = [Suspension {
            from: asked,
            to: Some(came),
        }];
        for (mode, second_budget) in [
            (SupplementMode::Restart, budget),
            (
                SupplementMode::Pause,
                budget - calendar.working_time_between(received, asked).expect("used"),
            ),
        ] {
            let account = calendar
                .explain(received, budget, mode, &suspensions, came)
                .expect("explained");
            assert_eq!(account.stretches.len(), 2, "{mode:?}");
            assert!(account.stretches[0].suspended);
            assert_eq!(account.stretches[0].until, Some(asked));
            assert_eq!(account.stretches[1].received, came);
            assert_eq!(account.stretches[1].budget, second_budget, "{mode:?}");
            assert_eq!(
                account.stretches[1].until,
                calendar
                    .due_with_events(received, budget, mode, &suspensions)
                    .expect("due")
                    .due()
            );
        }
        // Still waiting: one stretch, suspended, and no due time.
        let open = [Suspension { from: asked, to: None }];
        let account = calendar
            .explain(received, budget, SupplementMode::Restart, &open, at(2025, 3, 20, 9, 0))
            .expect("explained");
        assert_eq!(account.stretches.len(), 1);
        assert!(account.deadline.due().is_none());
        assert_eq!(account.weekend_days, 2, "15–16/3, up to today");
    }
}
