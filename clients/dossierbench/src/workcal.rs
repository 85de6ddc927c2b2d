//! A small copy of the standard office calendar for seeding: 07:00–11:30 and
//! 13:30–17:00 (UTC+7), Monday to Friday, with the 2025 days off and make-up
//! Saturday, and the start of 2026. The server computes real deadlines; the
//! seeder only needs plausible ones.

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Utc, Weekday};

/// Vietnam's offset from UTC (no daylight saving).
pub const UTC_OFFSET_HOURS: i64 = 7;

/// Office intervals: (start, end) in minutes after midnight.
const OFFICE: [(u32, u32); 2] = [(7 * 60, 11 * 60 + 30), (13 * 60 + 30, 17 * 60)];

/// Weekdays off (holidays, Tết, bridge days) in 2025 and early 2026.
const DAYS_OFF: [(i32, u32, u32); 17] = [
    (2025, 1, 1),
    (2025, 1, 27),
    (2025, 1, 28),
    (2025, 1, 29),
    (2025, 1, 30),
    (2025, 1, 31),
    (2025, 4, 7),
    (2025, 4, 30),
    (2025, 5, 1),
    (2025, 5, 2),
    (2025, 9, 1),
    (2025, 9, 2),
    (2026, 1, 1),
    (2026, 1, 2),
    (2026, 2, 16),
    (2026, 2, 17),
    (2026, 2, 18),
];

/// Saturdays worked in lieu.
const MAKE_UP: [(i32, u32, u32); 2] = [(2025, 4, 26), (2026, 1, 10)];

fn date((y, m, d): (i32, u32, u32)) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

/// Whether `day` is a working day.
pub fn is_working(day: NaiveDate) -> bool {
    if MAKE_UP.iter().any(|d| date(*d) == Some(day)) {
        return true;
    }
    !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) && !DAYS_OFF.iter().any(|d| date(*d) == Some(day))
}

/// The working days of `year`, in order.
pub fn working_days(year: i32) -> Vec<NaiveDate> {
    let Some(first) = NaiveDate::from_ymd_opt(year, 1, 1) else {
        return Vec::new();
    };
    first
        .iter_days()
        .take_while(|d| d.year() == year)
        .filter(|d| is_working(*d))
        .collect()
}

/// Working minutes in a day.
pub fn minutes_per_day() -> u32 {
    OFFICE.iter().map(|(start, end)| end - start).sum()
}

fn at(day: NaiveDate, minutes: u32) -> NaiveDateTime {
    day.and_time(NaiveTime::MIN) + TimeDelta::minutes(i64::from(minutes))
}

/// The local time `offset` working minutes into `day` (0 is the opening).
pub fn office_time(day: NaiveDate, offset_seconds: u32) -> NaiveDateTime {
    let mut left = offset_seconds;
    for (start, end) in OFFICE {
        let length = (end - start) * 60;
        if left < length {
            return at(day, start) + TimeDelta::seconds(i64::from(left));
        }
        left -= length;
    }
    at(day, OFFICE[1].1)
}

/// `minutes` working minutes after local time `from` (outside office hours
/// the count starts at the next opening).
pub fn add_working(from: NaiveDateTime, minutes: i64) -> NaiveDateTime {
    let mut left = TimeDelta::minutes(minutes);
    let mut day = from.date();
    let mut time = from;
    loop {
        if is_working(day) {
            for (start, end) in OFFICE {
                let (start, end) = (at(day, start), at(day, end));
                if time >= end {
                    continue;
                }
                let begin = time.max(start);
                let available = end - begin;
                if left <= available {
                    return begin + left;
                }
                left -= available;
                time = end;
            }
        }
        day = match day.checked_add_days(Days::new(1)) {
            Some(next) => next,
            None => return time,
        };
        time = day.and_time(NaiveTime::MIN);
    }
}

pub fn to_utc(local: NaiveDateTime) -> DateTime<Utc> {
    (local - TimeDelta::hours(UTC_OFFSET_HOURS)).and_utc()
}

pub fn to_local(time: DateTime<Utc>) -> NaiveDateTime {
    time.naive_utc() + TimeDelta::hours(UTC_OFFSET_HOURS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local(m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2025, m, d)
            .and_then(|d| d.and_hms_opt(h, min, 0))
            .unwrap_or_default()
    }

    #[test]
    fn three_working_days_as_the_server_counts_them() {
        // Monday 10/3 08:00: Mon 7 h, Tue 8, Wed 8, Thu 07:00–08:00.
        assert_eq!(add_working(local(3, 10, 8, 0), 24 * 60), local(3, 13, 8, 0));
        // Friday 25/4 at 16:00 runs into the make-up Saturday.
        assert_eq!(add_working(local(4, 25, 16, 0), 2 * 60), local(4, 26, 8, 0));
        // Over the 30/4–2/5 break.
        assert_eq!(add_working(local(4, 29, 16, 0), 2 * 60), local(5, 5, 8, 0));
    }

    #[test]
    fn a_year_of_working_days() {
        let days = working_days(2025);
        assert!(days.len() > 240 && days.len() < 255, "{}", days.len());
        assert_eq!(minutes_per_day(), 8 * 60);
        assert_eq!(
            office_time(days[0], 0).time(),
            NaiveTime::from_hms_opt(7, 0, 0).unwrap_or_default()
        );
        assert_eq!(
            office_time(days[0], 4 * 3600 + 1800).time(),
            NaiveTime::from_hms_opt(13, 30, 0).unwrap_or_default()
        );
    }
}
