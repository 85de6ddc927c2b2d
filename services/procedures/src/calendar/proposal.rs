//! A proposal of the days off of a new year, from the rules of the Labour Code 2019 (Bộ luật
//! Lao động 2019, Điều 111–112). The exact days (Tết span, bridge days, make-up Saturdays)
//! are announced each year, so the result is only a [`YearStatus::Proposal`]: an
//! administrator checks it against the announcement, edits it and confirms it.
//!
//! Rules applied:
//! - 1/1 (Tết Dương lịch); 30/4 (Ngày Chiến thắng); 1/5 (Quốc tế Lao động);
//! - Tết Âm lịch, 5 days: by default the last day of the lunar year (the eve) and mùng 1–4
//!   ([`ProposalOptions`] changes the span);
//! - Giỗ Tổ Hùng Vương, 10/3 lunar (of the regular 3rd month in a year with a leap 3rd month);
//! - 2/9 (Quốc khánh) and one adjacent day, 1/9 or 3/9: the one that gives the longer break
//!   together with the weekly rest days (then the one needing fewer days in lieu; then 1/9);
//! - a holiday on a weekly rest day gives the next working day off (Điều 111, nghỉ bù).
//!
//! No bridge days or make-up working days are proposed: they are government decisions.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate, TimeDelta, Weekday};
use serde::{Deserialize, Serialize};

use super::data::{DAY_OFF_IN_LIEU, HUNG_KINGS, LABOUR_DAY, NATIONAL_DAY, NEW_YEAR, TET, VICTORY_DAY};
use super::lunar::{self, LunarDate};
use super::year::{CalendarDay, YearCalendar, YearStatus};
use super::{CalendarError, OfficeCalendar, Result, check_weekdays};

const LABOUR_CODE_112: &str = "Điều 112 Bộ luật Lao động 2019";
const LABOUR_CODE_111: &str = "Điều 111 Bộ luật Lao động 2019";

/// The most Tết days a proposal accepts (the law gives 5).
pub const MAX_TET_DAYS: u32 = 15;

/// Options of a proposal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ProposalOptions {
    /// Tết days before mùng 1 (1 = the last day of the lunar year, the eve).
    pub tet_days_before: u32,
    /// Tết days from mùng 1 on (4 = mùng 1 to mùng 4).
    pub tet_days_from: u32,
}

/// The eve and mùng 1–4: the usual choice for the 5 days of Tết.
impl Default for ProposalOptions {
    fn default() -> Self {
        Self {
            tet_days_before: 1,
            tet_days_from: 4,
        }
    }
}

impl OfficeCalendar {
    /// A proposal for `year` with this calendar's weekly working days (see [`propose_year`]).
    pub fn propose_year(&self, year: i32, options: &ProposalOptions) -> Result<YearCalendar> {
        propose_year(year, &self.working_weekdays, options)
    }
}

/// A proposal of the days off of `year` from the rules, each with a Vietnamese reason, for
/// an office whose weekly working days are `working_weekdays` (the other days are weekly rest
/// days, for the days in lieu). Marked [`YearStatus::Proposal`].
pub fn propose_year(year: i32, working_weekdays: &[Weekday], options: &ProposalOptions) -> Result<YearCalendar> {
    check_weekdays(working_weekdays)?;
    let tet_days = options.tet_days_before.saturating_add(options.tet_days_from);
    if tet_days == 0 || tet_days > MAX_TET_DAYS {
        return Err(CalendarError::ProposalOptions("Tết must last from 1 to 15 days"));
    }
    let date = |month, day| NaiveDate::from_ymd_opt(year, month, day).ok_or(CalendarError::OutOfRange);

    let mut base = Holidays::default();
    base.add(
        date(1, 1)?,
        NEW_YEAR,
        NEW_YEAR,
        format!("{LABOUR_CODE_112}: ngày 01/01 dương lịch"),
    );
    let tet = lunar::new_year(year)?;
    for offset in -i64::from(options.tet_days_before)..i64::from(options.tet_days_from) {
        let day = tet + TimeDelta::days(offset);
        let lunar = lunar::solar_to_lunar(day)?;
        base.add(
            day,
            TET,
            TET,
            format!("{LABOUR_CODE_112}: Tết Âm lịch, {}", tet_day_name(lunar, offset)),
        );
    }
    let hung = lunar::lunar_to_solar(LunarDate::new(year, 3, 10))?;
    base.add(
        hung,
        HUNG_KINGS,
        HUNG_KINGS,
        format!(
            "{LABOUR_CODE_112}: ngày 10 tháng 3 âm lịch năm {}",
            lunar::year_name(year)
        ),
    );
    base.add(
        date(4, 30)?,
        VICTORY_DAY,
        VICTORY_DAY,
        format!("{LABOUR_CODE_112}: ngày 30/4 (Ngày Giải phóng miền Nam, thống nhất đất nước)"),
    );
    base.add(
        date(5, 1)?,
        LABOUR_DAY,
        LABOUR_DAY,
        format!("{LABOUR_CODE_112}: ngày 01/5"),
    );
    let national_day = date(9, 2)?;
    base.add(
        national_day,
        NATIONAL_DAY,
        NATIONAL_DAY,
        format!("{LABOUR_CODE_112}: ngày 02/9"),
    );

    // The day adjacent to 2/9: try both and keep the better break.
    let options = [date(9, 1)?, date(9, 3)?].map(|adjacent| {
        let mut holidays = base.clone();
        holidays.add(adjacent, NATIONAL_DAY, "", String::new());
        let (with_in_lieu, in_lieu) = holidays.with_days_in_lieu(working_weekdays);
        let run = break_around(&with_in_lieu.dates(), national_day, working_weekdays);
        Candidate { adjacent, run, in_lieu }
    });
    let [before, after] = options;
    let (chosen, other, why) = if after.run.len > before.run.len {
        (after, before, Choice::LongerBreak)
    } else if before.run.len > after.run.len {
        (before, after, Choice::LongerBreak)
    } else if after.in_lieu < before.in_lieu {
        (after, before, Choice::FewerDaysInLieu)
    } else if before.in_lieu < after.in_lieu {
        (before, after, Choice::FewerDaysInLieu)
    } else {
        (before, after, Choice::Tie)
    };
    let (label, reason) = adjacent_day_text(&chosen, &other, why);
    base.add(chosen.adjacent, NATIONAL_DAY, &label, reason);

    let (holidays, _) = base.with_days_in_lieu(working_weekdays);
    let mut proposal = YearCalendar {
        year,
        status: YearStatus::Proposal,
        days_off: holidays
            .days
            .into_iter()
            .map(|h| CalendarDay::with_reason(h.date, h.label, h.reason))
            .collect(),
        make_up_days: Vec::new(),
    };
    proposal.sort();
    proposal
        .validate()
        .map_err(|source| CalendarError::Year { year, source })?;
    Ok(proposal)
}

#[derive(Clone, Debug)]
struct Holiday {
    date: NaiveDate,
    /// Short name, for the days in lieu.
    name: String,
    label: String,
    reason: String,
}

#[derive(Clone, Debug, Default)]
struct Holidays {
    days: Vec<Holiday>,
}

impl Holidays {
    /// Adds a holiday; two holidays on the same date make one day off with both names (the
    /// Code gives no extra day for that).
    fn add(&mut self, date: NaiveDate, name: &str, label: &str, reason: String) {
        let label = if label.is_empty() { name } else { label };
        if let Some(existing) = self.days.iter_mut().find(|h| h.date == date) {
            existing.name = format!("{} và {name}", existing.name);
            existing.label = format!("{} và {label}", existing.label);
            if !reason.is_empty() {
                existing.reason = format!("{}; {reason}", existing.reason);
            }
        } else {
            self.days.push(Holiday {
                date,
                name: name.to_owned(),
                label: label.to_owned(),
                reason,
            });
        }
    }

    fn dates(&self) -> BTreeSet<NaiveDate> {
        self.days.iter().map(|h| h.date).collect()
    }

    /// Adds a day in lieu, the next working day not already off, for each holiday on a weekly
    /// rest day (in date order, so that a run of holidays gets consecutive days). Returns the
    /// holidays with those days, and how many were added.
    fn with_days_in_lieu(&self, working_weekdays: &[Weekday]) -> (Holidays, usize) {
        let mut days = self.days.clone();
        days.sort_by_key(|h| h.date);
        let mut taken: BTreeSet<NaiveDate> = days.iter().map(|h| h.date).collect();
        let mut added = Vec::new();
        for holiday in &days {
            if working_weekdays.contains(&holiday.date.weekday()) {
                continue;
            }
            // At least one weekday is a working day, so a free one comes within a few weeks;
            // the bound only guards the loop.
            let free = holiday
                .date
                .iter_days()
                .skip(1)
                .take(400)
                .find(|d| working_weekdays.contains(&d.weekday()) && !taken.contains(d));
            if let Some(free) = free {
                taken.insert(free);
                added.push(Holiday {
                    date: free,
                    name: holiday.name.clone(),
                    label: format!("{DAY_OFF_IN_LIEU} {}", holiday.name),
                    reason: format!(
                        "{LABOUR_CODE_111}: {} ngày {} trùng {} (ngày nghỉ hằng tuần), nghỉ bù vào ngày làm việc kế tiếp",
                        holiday.name,
                        dmy(holiday.date),
                        weekday_name(holiday.date.weekday())
                    ),
                });
            }
        }
        let count = added.len();
        days.extend(added);
        (Holidays { days }, count)
    }
}

#[derive(Clone, Copy, Debug)]
struct Run {
    first: NaiveDate,
    last: NaiveDate,
    len: u32,
}

#[derive(Clone, Copy, Debug)]
struct Candidate {
    adjacent: NaiveDate,
    run: Run,
    in_lieu: usize,
}

#[derive(Clone, Copy, Debug)]
enum Choice {
    LongerBreak,
    FewerDaysInLieu,
    Tie,
}

/// The run of consecutive days off (holidays or weekly rest days) around `day`.
fn break_around(off: &BTreeSet<NaiveDate>, day: NaiveDate, working_weekdays: &[Weekday]) -> Run {
    let is_off = |d: &NaiveDate| off.contains(d) || !working_weekdays.contains(&d.weekday());
    let first = day.iter_days().rev().take(60).take_while(is_off).last().unwrap_or(day);
    let last = day.iter_days().take(60).take_while(is_off).last().unwrap_or(day);
    let len = u32::try_from((last - first).num_days() + 1).unwrap_or(0);
    Run { first, last, len }
}

fn adjacent_day_text(chosen: &Candidate, other: &Candidate, why: Choice) -> (String, String) {
    let day = dm(chosen.adjacent);
    let run = |c: &Candidate| format!("{} ngày ({}–{})", c.run.len, dm(c.run.first), dm(c.run.last));
    let (short, explanation) = match why {
        Choice::LongerBreak => (
            format!("chọn {day}: kỳ nghỉ dài hơn"),
            format!(
                "chọn {day} vì kỳ nghỉ liền với ngày nghỉ hằng tuần dài {}, so với {} nếu chọn {}",
                run(chosen),
                run(other),
                dm(other.adjacent)
            ),
        ),
        Choice::FewerDaysInLieu => (
            format!("chọn {day}: ít ngày nghỉ bù hơn"),
            format!(
                "hai lựa chọn cho kỳ nghỉ dài bằng nhau ({}); chọn {day} vì cần ít ngày nghỉ bù hơn ({} so với {})",
                run(chosen),
                chosen.in_lieu,
                other.in_lieu
            ),
        ),
        Choice::Tie => (
            format!("đề xuất {day}"),
            format!(
                "chọn {day} hay {} cho kỳ nghỉ dài bằng nhau ({} ngày); đề xuất {day}, cần xác nhận theo thông báo chính thức",
                dm(other.adjacent),
                chosen.run.len
            ),
        ),
    };
    (
        format!("{NATIONAL_DAY} (ngày liền kề, {short})"),
        format!("{LABOUR_CODE_112}: ngày 02/9 và 01 ngày liền kề (01/9 hoặc 03/9); {explanation}"),
    )
}

/// "mùng 1 tháng Giêng năm Ất Tỵ", "ngày cuối năm Giáp Thìn (29 tháng Chạp, giao thừa)".
fn tet_day_name(lunar: LunarDate, offset_from_new_year: i64) -> String {
    let year = lunar::year_name(lunar.year);
    let month = match (lunar.month, lunar.leap) {
        (1, false) => "tháng Giêng".to_owned(),
        (12, false) => "tháng Chạp".to_owned(),
        (m, false) => format!("tháng {m}"),
        (m, true) => format!("tháng {m} nhuận"),
    };
    if offset_from_new_year == -1 {
        format!("ngày cuối năm {year} ({} {month}, giao thừa)", lunar.day)
    } else if lunar.day <= 10 {
        format!("mùng {} {month} năm {year}", lunar.day)
    } else {
        format!("ngày {} {month} năm {year}", lunar.day)
    }
}

fn weekday_name(weekday: Weekday) -> &'static str {
    match weekday {
        Weekday::Mon => "thứ Hai",
        Weekday::Tue => "thứ Ba",
        Weekday::Wed => "thứ Tư",
        Weekday::Thu => "thứ Năm",
        Weekday::Fri => "thứ Sáu",
        Weekday::Sat => "thứ Bảy",
        Weekday::Sun => "Chủ nhật",
    }
}

fn dm(date: NaiveDate) -> String {
    format!("{:02}/{:02}", date.day(), date.month())
}

fn dmy(date: NaiveDate) -> String {
    format!("{:02}/{:02}/{}", date.day(), date.month(), date.year())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::MONDAY_TO_FRIDAY;
    use crate::calendar::test_util::d;

    fn propose(year: i32) -> YearCalendar {
        propose_year(year, &MONDAY_TO_FRIDAY, &ProposalOptions::default()).expect("proposal")
    }

    fn dates(year: &YearCalendar) -> Vec<NaiveDate> {
        year.days_off.iter().map(|day| day.date).collect()
    }

    fn label(year: &YearCalendar, date: NaiveDate) -> &str {
        year.entry(date).map_or("", |day| day.label.as_str())
    }

    #[test]
    fn proposal_2025() {
        // Tết 29/1/2025 (Wed): eve 28/1 (29 tháng Chạp), mùng 1–4 = 29/1–1/2; 1/2 is a
        // Saturday → in lieu Monday 3/2. Hùng Kings 7/4. 2/9 is a Tuesday: 1/9 (Mon) makes a
        // 4-day break 30/8–2/9, 3/9 (Wed) only 2 days → 1/9.
        let year = propose(2025);
        assert_eq!(year.status, YearStatus::Proposal);
        assert!(year.make_up_days.is_empty());
        assert_eq!(
            dates(&year),
            vec![
                d(2025, 1, 1),
                d(2025, 1, 28),
                d(2025, 1, 29),
                d(2025, 1, 30),
                d(2025, 1, 31),
                d(2025, 2, 1),
                d(2025, 2, 3),
                d(2025, 4, 7),
                d(2025, 4, 30),
                d(2025, 5, 1),
                d(2025, 9, 1),
                d(2025, 9, 2),
            ]
        );
        for date in d(2025, 1, 28).iter_days().take(5) {
            assert_eq!(label(&year, date), "Tết Nguyên đán", "{date}");
        }
        assert_eq!(label(&year, d(2025, 2, 3)), "Nghỉ bù Tết Nguyên đán");
        assert_eq!(label(&year, d(2025, 4, 7)), "Giỗ Tổ Hùng Vương");
        assert!(label(&year, d(2025, 9, 1)).contains("chọn 01/09: kỳ nghỉ dài hơn"));
        let eve = year
            .entry(d(2025, 1, 28))
            .and_then(|e| e.reason.clone())
            .unwrap_or_default();
        assert!(
            eve.contains("ngày cuối năm Giáp Thìn (29 tháng Chạp, giao thừa)"),
            "{eve}"
        );
        let first = year
            .entry(d(2025, 1, 29))
            .and_then(|e| e.reason.clone())
            .unwrap_or_default();
        assert!(first.contains("mùng 1 tháng Giêng năm Ất Tỵ"), "{first}");
        let adjacent = year
            .entry(d(2025, 9, 1))
            .and_then(|e| e.reason.clone())
            .unwrap_or_default();
        assert!(adjacent.contains("4 ngày (30/08–02/09)"), "{adjacent}");
        assert!(year.days_off.iter().all(|day| day.reason.is_some()));
    }

    #[test]
    fn proposal_2026_moves_hung_kings_off_sunday() {
        // Tết 17/2/2026 (Tue): 16–20/2. Hùng Kings 26/4 is a Sunday → Monday 27/4 off.
        // 2/9 is a Wednesday: 1/9 and 3/9 give the same 2-day break → 1/9, flagged.
        let year = propose(2026);
        assert_eq!(
            dates(&year),
            vec![
                d(2026, 1, 1),
                d(2026, 2, 16),
                d(2026, 2, 17),
                d(2026, 2, 18),
                d(2026, 2, 19),
                d(2026, 2, 20),
                d(2026, 4, 26),
                d(2026, 4, 27),
                d(2026, 4, 30),
                d(2026, 5, 1),
                d(2026, 9, 1),
                d(2026, 9, 2),
            ]
        );
        assert_eq!(label(&year, d(2026, 4, 27)), "Nghỉ bù Giỗ Tổ Hùng Vương");
        let reason = year
            .entry(d(2026, 4, 27))
            .and_then(|e| e.reason.clone())
            .unwrap_or_default();
        assert!(reason.contains("26/04/2026 trùng Chủ nhật"), "{reason}");
        assert!(label(&year, d(2026, 9, 1)).contains("đề xuất 01/09"));
    }

    #[test]
    fn proposal_2024_prefers_the_adjacent_day_that_needs_no_day_in_lieu() {
        // Tết 10/2/2024 (Sat): eve 9/2, 10–13/2; 10 and 11/2 are weekend days → 14 and 15/2
        // in lieu. 2/9 is a Monday: 1/9 is a Sunday (→ 3/9 in lieu) and 3/9 both give
        // 31/8–3/9; 3/9 needs no day in lieu → 3/9 (the actual 2024 choice).
        let year = propose(2024);
        assert_eq!(
            dates(&year),
            vec![
                d(2024, 1, 1),
                d(2024, 2, 9),
                d(2024, 2, 10),
                d(2024, 2, 11),
                d(2024, 2, 12),
                d(2024, 2, 13),
                d(2024, 2, 14),
                d(2024, 2, 15),
                d(2024, 4, 18),
                d(2024, 4, 30),
                d(2024, 5, 1),
                d(2024, 9, 2),
                d(2024, 9, 3),
            ]
        );
        assert!(label(&year, d(2024, 9, 3)).contains("ít ngày nghỉ bù hơn"));
        assert_eq!(label(&year, d(2024, 2, 15)), "Nghỉ bù Tết Nguyên đán");
    }

    #[test]
    fn proposal_2023_leap_month_and_weekend_holidays() {
        // 2023 has a leap 2nd month, so Hùng Kings (10/3) is Saturday 29/4; 30/4 is a Sunday,
        // 1/5 a Monday: in lieu Tuesday 2/5 (for 29/4) and Wednesday 3/5 (for 30/4), i.e.
        // 29/4–3/5 as announced in 2023. 2/9 is a Saturday: 1/9 (Fri) gives 1–4/9 with one
        // day in lieu; 3/9 (Sun) gives 2–5/9 with two → 1/9 (the actual 2023 choice).
        let year = propose(2023);
        let from_april: Vec<_> = dates(&year).into_iter().filter(|date| date.month() >= 4).collect();
        assert_eq!(
            from_april,
            vec![
                d(2023, 4, 29),
                d(2023, 4, 30),
                d(2023, 5, 1),
                d(2023, 5, 2),
                d(2023, 5, 3),
                d(2023, 9, 1),
                d(2023, 9, 2),
                d(2023, 9, 4),
            ]
        );
        assert_eq!(label(&year, d(2023, 4, 29)), "Giỗ Tổ Hùng Vương");
        assert_eq!(label(&year, d(2023, 5, 2)), "Nghỉ bù Giỗ Tổ Hùng Vương");
        assert_eq!(label(&year, d(2023, 5, 3)), "Nghỉ bù Ngày Chiến thắng");
        assert_eq!(label(&year, d(2023, 9, 4)), "Nghỉ bù Quốc khánh");
    }

    #[test]
    fn tet_span_is_configurable() {
        // Two days before and three from mùng 1: 27/1–31/1/2025 (Mon–Fri), no day in lieu.
        let options = ProposalOptions {
            tet_days_before: 2,
            tet_days_from: 3,
        };
        let year = propose_year(2025, &MONDAY_TO_FRIDAY, &options).expect("proposal");
        let tet: Vec<_> = year
            .days_off
            .iter()
            .filter(|day| day.label.contains("Tết Nguyên đán"))
            .map(|day| day.date)
            .collect();
        assert_eq!(tet, d(2025, 1, 27).iter_days().take(5).collect::<Vec<_>>());
        let too_long = ProposalOptions {
            tet_days_before: 10,
            tet_days_from: 10,
        };
        assert!(matches!(
            propose_year(2025, &MONDAY_TO_FRIDAY, &too_long),
            Err(CalendarError::ProposalOptions(_))
        ));
        let serialised: ProposalOptions = serde_json::from_str("{}").expect("defaults");
        assert_eq!(serialised, ProposalOptions::default());
    }

    #[test]
    fn a_confirmed_proposal_is_usable() {
        let mut calendar = OfficeCalendar::standard();
        let proposal = calendar
            .propose_year(2027, &ProposalOptions::default())
            .expect("proposal");
        // Tết 6/2/2027 (Sat): eve 5/2 (Fri) and mùng 1–4 = 6–9/2.
        assert!(proposal.is_day_off(d(2027, 2, 5)) && proposal.is_day_off(d(2027, 2, 9)));
        calendar.set_year(proposal.clone()).expect("valid");
        assert_eq!(
            calendar.is_working_day(d(2027, 2, 10)),
            Err(CalendarError::YearNotConfirmed(2027))
        );
        let mut confirmed = proposal;
        confirmed.confirm();
        calendar.set_year(confirmed).expect("valid");
        assert_eq!(calendar.is_working_day(d(2027, 2, 5)), Ok(false));
        assert_eq!(calendar.is_working_day(d(2027, 1, 4)), Ok(true));
    }

    #[test]
    fn proposals_for_many_years_are_valid() {
        for year in 1900..=2100 {
            let proposal = propose(year);
            assert_eq!(proposal.validate(), Ok(()), "{year}");
            // 1/1, 5 Tết days, Hùng Kings, 30/4, 1/5, 2/9 and its neighbour, unless two coincide.
            assert!(proposal.days_off.len() >= 10, "{year}: {}", proposal.days_off.len());
            for day in &proposal.days_off {
                let is_weekend = matches!(day.date.weekday(), Weekday::Sat | Weekday::Sun);
                assert!(
                    !is_weekend || !day.label.starts_with(DAY_OFF_IN_LIEU),
                    "{year} {}",
                    day.date
                );
            }
        }
    }
}
