//! The shipped calendar data for 2024–2026: the days off and make-up working days of civil
//! servants as listed in DOMAIN.md ("Working days"). An administrator can edit them; later
//! years start from [`propose_year`](super::propose_year).
//!
//! Each announced break is listed whole ("nghỉ từ … đến hết …"), weekend days included (they
//! change nothing: the working-day rule already excludes them), so that the data reads like
//! the announcement.

use chrono::NaiveDate;

use super::year::{CalendarDay, YearCalendar, YearStatus};

/// Tết Dương lịch (1/1).
pub const NEW_YEAR: &str = "Tết Dương lịch";
/// Tết Nguyên đán (lunar new year).
pub const TET: &str = "Tết Nguyên đán";
/// Giỗ Tổ Hùng Vương (10/3 lunar).
pub const HUNG_KINGS: &str = "Giỗ Tổ Hùng Vương";
/// Ngày Chiến thắng (30/4).
pub const VICTORY_DAY: &str = "Ngày Chiến thắng";
/// Quốc tế Lao động (1/5).
pub const LABOUR_DAY: &str = "Quốc tế Lao động";
/// Quốc khánh (2/9).
pub const NATIONAL_DAY: &str = "Quốc khánh";
/// The day next to 2/9 that the Labour Code adds.
pub const NATIONAL_DAY_ADJACENT: &str = "Quốc khánh (ngày liền kề)";
/// A bridge day given off in exchange for a make-up working day.
pub const BRIDGE_DAY: &str = "Ngày nghỉ hoán đổi";
/// A day off in lieu of a holiday that fell on a weekly rest day (Điều 111).
pub const DAY_OFF_IN_LIEU: &str = "Nghỉ bù";
/// A weekly rest day inside an announced break.
pub const WEEKEND_IN_BREAK: &str = "Nghỉ hằng tuần";
/// A make-up working day.
pub const MAKE_UP_DAY: &str = "Ngày làm bù";

/// The years shipped with eiso.
pub const SHIPPED_YEARS: std::ops::RangeInclusive<i32> = 2024..=2026;

struct Entry {
    date: NaiveDate,
    label: &'static str,
    reason: Option<&'static str>,
}

/// A date checked at compile time (the tables below are constants).
const fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(year, month, day) {
        Some(date) => date,
        None => panic!("invalid date in the shipped calendar data"),
    }
}

const fn e(year: i32, month: u32, day: u32, label: &'static str) -> Entry {
    Entry {
        date: ymd(year, month, day),
        label,
        reason: None,
    }
}

const fn r(year: i32, month: u32, day: u32, label: &'static str, reason: &'static str) -> Entry {
    Entry {
        date: ymd(year, month, day),
        label,
        reason: Some(reason),
    }
}

const DAYS_OFF_2024: &[Entry] = &[
    e(2024, 1, 1, NEW_YEAR),
    // Tết Giáp Thìn: Thursday 8/2 to Wednesday 14/2 (mùng 1 is Saturday 10/2).
    e(2024, 2, 8, TET),
    e(2024, 2, 9, TET),
    e(2024, 2, 10, TET),
    e(2024, 2, 11, TET),
    e(2024, 2, 12, TET),
    e(2024, 2, 13, TET),
    e(2024, 2, 14, TET),
    e(2024, 4, 18, HUNG_KINGS),
    // 27/4–1/5, with Monday 29/4 swapped for Saturday 4/5.
    r(2024, 4, 27, WEEKEND_IN_BREAK, "trong kỳ nghỉ 27/4–01/5/2024"),
    r(2024, 4, 28, WEEKEND_IN_BREAK, "trong kỳ nghỉ 27/4–01/5/2024"),
    r(2024, 4, 29, BRIDGE_DAY, "hoán đổi với ngày làm bù thứ Bảy 04/5/2024"),
    e(2024, 4, 30, VICTORY_DAY),
    e(2024, 5, 1, LABOUR_DAY),
    // 31/8–3/9: 2/9 is a Monday, the adjacent day is Tuesday 3/9.
    r(2024, 8, 31, WEEKEND_IN_BREAK, "trong kỳ nghỉ 31/8–03/9/2024"),
    r(2024, 9, 1, WEEKEND_IN_BREAK, "trong kỳ nghỉ 31/8–03/9/2024"),
    e(2024, 9, 2, NATIONAL_DAY),
    e(2024, 9, 3, NATIONAL_DAY_ADJACENT),
];

const MAKE_UP_2024: &[Entry] = &[r(2024, 5, 4, MAKE_UP_DAY, "làm bù cho ngày nghỉ thứ Hai 29/4/2024")];

const DAYS_OFF_2025: &[Entry] = &[
    e(2025, 1, 1, NEW_YEAR),
    // Tết Ất Tỵ: Saturday 25/1 to Sunday 2/2 (mùng 1 is Wednesday 29/1).
    e(2025, 1, 25, TET),
    e(2025, 1, 26, TET),
    e(2025, 1, 27, TET),
    e(2025, 1, 28, TET),
    e(2025, 1, 29, TET),
    e(2025, 1, 30, TET),
    e(2025, 1, 31, TET),
    e(2025, 2, 1, TET),
    e(2025, 2, 2, TET),
    e(2025, 4, 7, HUNG_KINGS),
    // 30/4–4/5, with Friday 2/5 swapped for Saturday 26/4.
    e(2025, 4, 30, VICTORY_DAY),
    e(2025, 5, 1, LABOUR_DAY),
    r(2025, 5, 2, BRIDGE_DAY, "hoán đổi với ngày làm bù thứ Bảy 26/4/2025"),
    r(2025, 5, 3, WEEKEND_IN_BREAK, "trong kỳ nghỉ 30/4–04/5/2025"),
    r(2025, 5, 4, WEEKEND_IN_BREAK, "trong kỳ nghỉ 30/4–04/5/2025"),
    // 30/8–2/9: 2/9 is a Tuesday, the adjacent day is Monday 1/9.
    r(2025, 8, 30, WEEKEND_IN_BREAK, "trong kỳ nghỉ 30/8–02/9/2025"),
    r(2025, 8, 31, WEEKEND_IN_BREAK, "trong kỳ nghỉ 30/8–02/9/2025"),
    e(2025, 9, 1, NATIONAL_DAY_ADJACENT),
    e(2025, 9, 2, NATIONAL_DAY),
];

const MAKE_UP_2025: &[Entry] = &[r(2025, 4, 26, MAKE_UP_DAY, "làm bù cho ngày nghỉ thứ Sáu 02/5/2025")];

const DAYS_OFF_2026: &[Entry] = &[
    // 1–4/1, with Friday 2/1 swapped for Saturday 10/1.
    e(2026, 1, 1, NEW_YEAR),
    r(2026, 1, 2, BRIDGE_DAY, "hoán đổi với ngày làm bù thứ Bảy 10/01/2026"),
    r(2026, 1, 3, WEEKEND_IN_BREAK, "trong kỳ nghỉ 01/01–04/01/2026"),
    r(2026, 1, 4, WEEKEND_IN_BREAK, "trong kỳ nghỉ 01/01–04/01/2026"),
    // Tết Bính Ngọ: Saturday 14/2 to Sunday 22/2 (mùng 1 is Tuesday 17/2).
    e(2026, 2, 14, TET),
    e(2026, 2, 15, TET),
    e(2026, 2, 16, TET),
    e(2026, 2, 17, TET),
    e(2026, 2, 18, TET),
    e(2026, 2, 19, TET),
    e(2026, 2, 20, TET),
    e(2026, 2, 21, TET),
    e(2026, 2, 22, TET),
    // 10/3 lunar is Sunday 26/4; the day off in lieu is Monday 27/4.
    e(2026, 4, 26, HUNG_KINGS),
    r(
        2026,
        4,
        27,
        "Nghỉ bù Giỗ Tổ Hùng Vương",
        "Giỗ Tổ Hùng Vương (26/4/2026) trùng Chủ nhật, nghỉ bù vào thứ Hai 27/4/2026",
    ),
    // 30/4–3/5.
    e(2026, 4, 30, VICTORY_DAY),
    e(2026, 5, 1, LABOUR_DAY),
    r(2026, 5, 2, WEEKEND_IN_BREAK, "trong kỳ nghỉ 30/4–03/5/2026"),
    r(2026, 5, 3, WEEKEND_IN_BREAK, "trong kỳ nghỉ 30/4–03/5/2026"),
    // Only 2/9 is shipped. To be confirmed by the administrator from the official
    // announcement (DOMAIN.md marks them unverified): the day adjacent to 2/9/2026
    // (Tuesday 1/9 or Thursday 3/9), and the proposed new holiday 24/11 (Ngày Văn hóa
    // Việt Nam), which is deliberately NOT shipped.
    e(2026, 9, 2, NATIONAL_DAY),
];

const MAKE_UP_2026: &[Entry] = &[r(2026, 1, 10, MAKE_UP_DAY, "làm bù cho ngày nghỉ thứ Sáu 02/01/2026")];

fn build(year: i32, days_off: &[Entry], make_up: &[Entry]) -> YearCalendar {
    let convert = |entries: &[Entry]| {
        entries
            .iter()
            .map(|entry| CalendarDay {
                date: entry.date,
                label: entry.label.to_owned(),
                reason: entry.reason.map(str::to_owned),
            })
            .collect()
    };
    YearCalendar {
        year,
        status: YearStatus::Confirmed,
        days_off: convert(days_off),
        make_up_days: convert(make_up),
    }
}

/// The shipped data of one year, if shipped.
pub fn shipped_year(year: i32) -> Option<YearCalendar> {
    match year {
        2024 => Some(build(2024, DAYS_OFF_2024, MAKE_UP_2024)),
        2025 => Some(build(2025, DAYS_OFF_2025, MAKE_UP_2025)),
        2026 => Some(build(2026, DAYS_OFF_2026, MAKE_UP_2026)),
        _ => None,
    }
}

/// The shipped data of 2024–2026, confirmed.
pub fn shipped_years() -> Vec<YearCalendar> {
    SHIPPED_YEARS.filter_map(shipped_year).collect()
}

#[cfg(test)]
mod tests {
    use chrono::{Datelike, Weekday};

    use super::*;
    use crate::calendar::test_util::d;
    use crate::calendar::{MONDAY_TO_FRIDAY, OfficeCalendar, OfficeHours};

    /// The weekdays (Mon–Fri) of a year that are not worked, and its make-up days: what the
    /// data actually changes.
    fn effect(year: i32) -> (Vec<NaiveDate>, Vec<NaiveDate>) {
        let calendar = OfficeCalendar::standard();
        let weekdays_off = d(year, 1, 1)
            .iter_days()
            .take_while(|day| day.year() == year)
            .filter(|day| MONDAY_TO_FRIDAY.contains(&day.weekday()))
            .filter(|day| calendar.is_working_day(*day) == Ok(false))
            .collect();
        let make_up = d(year, 1, 1)
            .iter_days()
            .take_while(|day| day.year() == year)
            .filter(|day| matches!(day.weekday(), Weekday::Sat | Weekday::Sun))
            .filter(|day| calendar.is_working_day(*day) == Ok(true))
            .collect();
        (weekdays_off, make_up)
    }

    #[test]
    fn shipped_years_are_valid_and_confirmed() {
        let mut calendar = OfficeCalendar::new(OfficeHours::default(), MONDAY_TO_FRIDAY.to_vec()).expect("valid");
        for year in shipped_years() {
            assert_eq!(year.status, YearStatus::Confirmed);
            let number = year.year;
            assert_eq!(calendar.set_year(year), Ok(None), "year {number}");
        }
        assert_eq!(calendar.years().count(), 3);
        assert_eq!(shipped_year(2023), None);
        assert_eq!(shipped_year(2027), None);
    }

    #[test]
    fn weekdays_off_2024() {
        // 1/1 (Mon); Tết 8,9 (Thu, Fri), 12,13,14/2 (Mon–Wed); Hùng Kings 18/4 (Thu);
        // 29/4 (Mon, bridge), 30/4 (Tue), 1/5 (Wed); 2/9 (Mon), 3/9 (Tue).
        let expected = vec![
            d(2024, 1, 1),
            d(2024, 2, 8),
            d(2024, 2, 9),
            d(2024, 2, 12),
            d(2024, 2, 13),
            d(2024, 2, 14),
            d(2024, 4, 18),
            d(2024, 4, 29),
            d(2024, 4, 30),
            d(2024, 5, 1),
            d(2024, 9, 2),
            d(2024, 9, 3),
        ];
        assert_eq!(effect(2024), (expected, vec![d(2024, 5, 4)]));
    }

    #[test]
    fn weekdays_off_2025() {
        // 1/1 (Wed); Tết 27–31/1 (Mon–Fri); Hùng Kings 7/4 (Mon); 30/4 (Wed), 1/5 (Thu),
        // 2/5 (Fri, bridge); 1/9 (Mon), 2/9 (Tue).
        let expected = vec![
            d(2025, 1, 1),
            d(2025, 1, 27),
            d(2025, 1, 28),
            d(2025, 1, 29),
            d(2025, 1, 30),
            d(2025, 1, 31),
            d(2025, 4, 7),
            d(2025, 4, 30),
            d(2025, 5, 1),
            d(2025, 5, 2),
            d(2025, 9, 1),
            d(2025, 9, 2),
        ];
        assert_eq!(effect(2025), (expected, vec![d(2025, 4, 26)]));
    }

    #[test]
    fn weekdays_off_2026() {
        // 1/1 (Thu), 2/1 (Fri, bridge); Tết 16–20/2 (Mon–Fri); 27/4 (Mon, in lieu of Sunday
        // 26/4); 30/4 (Thu), 1/5 (Fri); 2/9 (Wed) only; 24/11 is not shipped.
        let expected = vec![
            d(2026, 1, 1),
            d(2026, 1, 2),
            d(2026, 2, 16),
            d(2026, 2, 17),
            d(2026, 2, 18),
            d(2026, 2, 19),
            d(2026, 2, 20),
            d(2026, 4, 27),
            d(2026, 4, 30),
            d(2026, 5, 1),
            d(2026, 9, 2),
        ];
        assert_eq!(effect(2026), (expected, vec![d(2026, 1, 10)]));
    }

    #[test]
    fn labels_are_vietnamese_and_precomposed() {
        for year in shipped_years() {
            for day in year.days_off.iter().chain(year.make_up_days.iter()) {
                let texts = std::iter::once(day.label.as_str()).chain(day.reason.as_deref());
                for text in texts {
                    // NFC: Vietnamese letters are precomposed, so NFC text has no combining
                    // diacritical mark (U+0300–U+036F); NFD text would.
                    assert!(
                        !text.chars().any(|c| ('\u{0300}'..='\u{036F}').contains(&c)),
                        "{}: {text:?} is not NFC",
                        day.date
                    );
                }
            }
        }
        let tet = shipped_year(2024)
            .and_then(|y| y.entry(d(2024, 2, 10)).map(|e| e.label.clone()))
            .expect("Tết 2024");
        assert_eq!(tet, "Tết Nguyên đán");
        assert_eq!(TET.chars().count(), 14);
    }
}
