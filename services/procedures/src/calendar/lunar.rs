//! The Vietnamese lunar calendar (âm lịch), computed at UTC+7.
//!
//! The algorithm is Hồ Ngọc Đức's ("Thuật toán tính âm lịch"): mean new moons corrected with
//! the main periodic terms (after Meeus), the sun's apparent longitude, and the rules of the
//! Chinese-style lunisolar calendar:
//! - a month begins on the local day of a new moon;
//! - month 11 is the month that contains the winter solstice;
//! - a year (from one month 11 to the next) with 13 months has a leap month: the first month,
//!   after month 11, that contains no major solar term (trung khí), takes the number of the
//!   month before it.
//!
//! Everything is computed in local time, so the UTC offset matters: Vietnam uses UTC+7 and
//! China UTC+8, which gives different calendars in some years (Tết 1985 is 21 January in
//! Vietnam and 20 February in China; Tết 2007 is 17 February in Vietnam, 18 February in
//! China; Tết 2030 is 2 February in Vietnam, 3 February in China). Supported range:
//! 1800–2199.
//!
//! Accuracy: checked month by month for 1900–2100 against the same rules computed from an
//! ephemeris (PyEphem new moons and solar terms at UTC+7), the two agree on every month except
//! three month starts whose new moon falls within two minutes of local midnight (June 1944,
//! December 2072, November 2077: one day later here); none is a Tết or a 10/3.

use std::f64::consts::PI;
use std::fmt;

use chrono::{Datelike, NaiveDate, TimeDelta};
use serde::{Deserialize, Serialize};

use super::{CalendarError, Result};

/// The UTC offset of Vietnam, in hours, at which the Vietnamese lunar calendar is computed.
pub const VIETNAM_UTC_OFFSET_HOURS: f64 = 7.0;

/// The Gregorian years the conversions accept.
pub const SUPPORTED_YEARS: std::ops::RangeInclusive<i32> = 1800..=2199;

/// A date of the lunar calendar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LunarDate {
    /// The lunar year, numbered like the Gregorian year in which it mostly falls (the lunar
    /// year 2024 runs from Tết 10/2/2024 to 28/1/2025).
    pub year: i32,
    /// 1–12 (12 is tháng Chạp, 1 tháng Giêng).
    pub month: u32,
    /// 1–30.
    pub day: u32,
    /// Whether the month is the leap month (tháng nhuận) that repeats `month`.
    pub leap: bool,
}

impl LunarDate {
    /// A date of a regular (non-leap) month.
    pub const fn new(year: i32, month: u32, day: u32) -> Self {
        Self {
            year,
            month,
            day,
            leap: false,
        }
    }
}

/// `ngày 10 tháng 3 năm 2026`, `ngày 1 tháng 2 nhuận năm 2023`.
impl fmt::Display for LunarDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let leap = if self.leap { " nhuận" } else { "" };
        write!(
            f,
            "ngày {} tháng {}{} năm {} âm lịch",
            self.day, self.month, leap, self.year
        )
    }
}

/// The Vietnamese lunar date of a solar (Gregorian) date.
pub fn solar_to_lunar(date: NaiveDate) -> Result<LunarDate> {
    solar_to_lunar_at(date, VIETNAM_UTC_OFFSET_HOURS)
}

/// The solar (Gregorian) date of a Vietnamese lunar date; an error if the lunar date does not
/// exist (day 30 of a 29-day month, a leap month the year does not have).
pub fn lunar_to_solar(lunar: LunarDate) -> Result<NaiveDate> {
    lunar_to_solar_at(lunar, VIETNAM_UTC_OFFSET_HOURS)
}

/// Tết Nguyên đán (1/1 lunar) of the lunar year `year`, in Vietnam.
pub fn new_year(year: i32) -> Result<NaiveDate> {
    lunar_to_solar(LunarDate::new(year, 1, 1))
}

/// The leap month of the lunar year `year` (from its Tết to the next), if any.
pub fn leap_month(year: i32) -> Result<Option<u32>> {
    let mut month_start = new_year(year)?;
    let next_new_year = new_year(year + 1)?;
    // A lunar year has 12 or 13 months; the bound only guards the loop.
    for _ in 0..13 {
        let lunar = solar_to_lunar(month_start)?;
        if lunar.leap {
            return Ok(Some(lunar.month));
        }
        month_start = next_month_start(month_start)?;
        if month_start >= next_new_year {
            break;
        }
    }
    Ok(None)
}

/// The first day of the lunar month after the one that starts on `month_start`.
fn next_month_start(month_start: NaiveDate) -> Result<NaiveDate> {
    let after_29 = month_start + TimeDelta::days(29);
    if solar_to_lunar(after_29)?.day == 1 {
        Ok(after_29)
    } else {
        Ok(month_start + TimeDelta::days(30))
    }
}

const STEMS: [&str; 10] = ["Giáp", "Ất", "Bính", "Đinh", "Mậu", "Kỷ", "Canh", "Tân", "Nhâm", "Quý"];
const BRANCHES: [&str; 12] = [
    "Tý", "Sửu", "Dần", "Mão", "Thìn", "Tỵ", "Ngọ", "Mùi", "Thân", "Dậu", "Tuất", "Hợi",
];

/// The sexagenary (Can Chi) name of a lunar year: 2024 is "Giáp Thìn", 2025 "Ất Tỵ".
pub fn year_name(year: i32) -> String {
    let stem = STEMS[(year + 6).rem_euclid(10) as usize];
    let branch = BRANCHES[(year + 8).rem_euclid(12) as usize];
    format!("{stem} {branch}")
}

/// Like [`solar_to_lunar`], at another UTC offset (8.0 gives the Chinese calendar).
pub fn solar_to_lunar_at(date: NaiveDate, utc_offset_hours: f64) -> Result<LunarDate> {
    check_year(date.year())?;
    let tz = utc_offset_hours;
    let yy = date.year();
    let day_number = julian_day(date);
    let k = floor((day_number as f64 - 2_415_021.076_998_695) / 29.530_588_853);
    // The mean lunation `k` can be one too late when the true new moon lags the mean one
    // (e.g. 2054-05-07, the day before a new moon at 00:00 UTC+7): step back until the month
    // starts on or before the day.
    let mut month_start = new_moon_day(k + 1, tz);
    let mut back = k;
    while month_start > day_number && back > k - 3 {
        month_start = new_moon_day(back, tz);
        back -= 1;
    }
    let mut a11 = lunar_month_11(yy, tz);
    let b11;
    let mut lunar_year;
    if a11 >= month_start {
        lunar_year = yy;
        b11 = a11;
        a11 = lunar_month_11(yy - 1, tz);
    } else {
        lunar_year = yy + 1;
        b11 = lunar_month_11(yy + 1, tz);
    }
    let day = day_number - month_start + 1;
    let diff = (month_start - a11).div_euclid(29);
    let mut leap = false;
    let mut month = diff + 11;
    if b11 - a11 > 365 {
        let leap_month_diff = leap_month_offset(a11, tz);
        if diff >= leap_month_diff {
            month = diff + 10;
            if diff == leap_month_diff {
                leap = true;
            }
        }
    }
    if month > 12 {
        month -= 12;
    }
    if month >= 11 && diff < 4 {
        lunar_year -= 1;
    }
    Ok(LunarDate {
        year: lunar_year,
        month: u32::try_from(month).map_err(|_| CalendarError::OutOfRange)?,
        day: u32::try_from(day).map_err(|_| CalendarError::OutOfRange)?,
        leap,
    })
}

/// Like [`lunar_to_solar`], at another UTC offset (8.0 gives the Chinese calendar).
pub fn lunar_to_solar_at(lunar: LunarDate, utc_offset_hours: f64) -> Result<NaiveDate> {
    let tz = utc_offset_hours;
    check_year(lunar.year)?;
    if !(1..=12).contains(&lunar.month) || !(1..=30).contains(&lunar.day) {
        return Err(CalendarError::InvalidLunarDate(lunar));
    }
    let (a11, b11) = if lunar.month < 11 {
        (lunar_month_11(lunar.year - 1, tz), lunar_month_11(lunar.year, tz))
    } else {
        (lunar_month_11(lunar.year, tz), lunar_month_11(lunar.year + 1, tz))
    };
    let k = floor(0.5 + (a11 as f64 - 2_415_021.076_998_695) / 29.530_588_853);
    let mut off = i64::from(lunar.month) - 11;
    if off < 0 {
        off += 12;
    }
    if b11 - a11 > 365 {
        let leap_off = leap_month_offset(a11, tz);
        let mut leap_month = leap_off - 2;
        if leap_month < 0 {
            leap_month += 12;
        }
        if lunar.leap && i64::from(lunar.month) != leap_month {
            return Err(CalendarError::InvalidLunarDate(lunar));
        } else if lunar.leap || off >= leap_off {
            off += 1;
        }
    } else if lunar.leap {
        return Err(CalendarError::InvalidLunarDate(lunar));
    }
    let month_start = new_moon_day(k + off, tz);
    let date = date_from_julian_day(month_start + i64::from(lunar.day) - 1)?;
    // Day 30 of a 29-day month lands on the next month: refuse it.
    if solar_to_lunar_at(date, tz)? != lunar {
        return Err(CalendarError::InvalidLunarDate(lunar));
    }
    Ok(date)
}

fn check_year(year: i32) -> Result<()> {
    if SUPPORTED_YEARS.contains(&year) {
        Ok(())
    } else {
        Err(CalendarError::LunarYearOutOfRange(year))
    }
}

fn floor(x: f64) -> i64 {
    // The values are Julian day numbers and month counts, far inside i64.
    x.floor() as i64
}

/// Julian day number of a Gregorian date (2000-01-01 is 2 451 545).
fn julian_day(date: NaiveDate) -> i64 {
    i64::from(date.num_days_from_ce()) + 1_721_425
}

fn date_from_julian_day(jd: i64) -> Result<NaiveDate> {
    i32::try_from(jd - 1_721_425)
        .ok()
        .and_then(NaiveDate::from_num_days_from_ce_opt)
        .ok_or(CalendarError::OutOfRange)
}

/// Julian day (with fraction, UT) of the `k`-th new moon after the one of 1900-01-01.
fn new_moon(k: i64) -> f64 {
    let k = k as f64;
    let t = k / 1236.85;
    let t2 = t * t;
    let t3 = t2 * t;
    let dr = PI / 180.0;
    let mut jd1 = 2_415_020.759_33 + 29.530_588_68 * k + 0.000_117_8 * t2 - 0.000_000_155 * t3;
    jd1 += 0.000_33 * ((166.56 + 132.87 * t - 0.009_173 * t2) * dr).sin();
    // Sun's mean anomaly, moon's mean anomaly, moon's argument of latitude.
    let m = 359.2242 + 29.105_356_08 * k - 0.000_033_3 * t2 - 0.000_003_47 * t3;
    let mpr = 306.0253 + 385.816_918_06 * k + 0.010_730_6 * t2 + 0.000_012_36 * t3;
    let f = 21.2964 + 390.670_506_46 * k - 0.001_652_8 * t2 - 0.000_002_39 * t3;
    let mut c1 = (0.1734 - 0.000_393 * t) * (m * dr).sin() + 0.0021 * (2.0 * dr * m).sin();
    c1 = c1 - 0.4068 * (mpr * dr).sin() + 0.0161 * (dr * 2.0 * mpr).sin();
    c1 -= 0.0004 * (dr * 3.0 * mpr).sin();
    c1 = c1 + 0.0104 * (dr * 2.0 * f).sin() - 0.0051 * (dr * (m + mpr)).sin();
    c1 = c1 - 0.0074 * (dr * (m - mpr)).sin() + 0.0004 * (dr * (2.0 * f + m)).sin();
    c1 = c1 - 0.0004 * (dr * (2.0 * f - m)).sin() - 0.0006 * (dr * (2.0 * f + mpr)).sin();
    c1 = c1 + 0.0010 * (dr * (2.0 * f - mpr)).sin() + 0.0005 * (dr * (2.0 * mpr + m)).sin();
    let delta_t = if t < -11.0 {
        0.001 + 0.000_839 * t + 0.000_226_1 * t2 - 0.000_008_45 * t3 - 0.000_000_081 * t * t3
    } else {
        -0.000_278 + 0.000_265 * t + 0.000_262 * t2
    };
    jd1 + c1 - delta_t
}

/// The sun's apparent longitude, in radians in `[0, 2π)`, at Julian day `jdn` (UT).
fn sun_longitude(jdn: f64) -> f64 {
    let t = (jdn - 2_451_545.0) / 36_525.0;
    let t2 = t * t;
    let dr = PI / 180.0;
    let m = 357.529_10 + 35_999.050_30 * t - 0.000_155_9 * t2 - 0.000_000_48 * t * t2;
    let l0 = 280.466_45 + 36_000.769_83 * t + 0.000_303_2 * t2;
    let mut dl = (1.914_600 - 0.004_817 * t - 0.000_014 * t2) * (dr * m).sin();
    dl += (0.019_993 - 0.000_101 * t) * (dr * 2.0 * m).sin() + 0.000_290 * (dr * 3.0 * m).sin();
    let l = (l0 + dl) * dr;
    l - 2.0 * PI * (l / (2.0 * PI)).floor()
}

/// The local day (Julian day number) of the `k`-th new moon.
fn new_moon_day(k: i64, tz: f64) -> i64 {
    floor(new_moon(k) + 0.5 + tz / 24.0)
}

/// Which of the 12 sectors of 30° the sun is in at the start of local day `day_number`
/// (0 = from the spring equinox; 9 = from the winter solstice).
fn sun_sector(day_number: i64, tz: f64) -> i64 {
    floor(sun_longitude(day_number as f64 - 0.5 - tz / 24.0) / PI * 6.0)
}

/// The first day (Julian day number) of lunar month 11 of the year that ends in Gregorian
/// year `yy`: the month containing the winter solstice.
fn lunar_month_11(yy: i32, tz: f64) -> i64 {
    let end_of_year = NaiveDate::from_ymd_opt(yy, 12, 31).map_or(0, julian_day);
    let off = end_of_year - 2_415_021;
    let k = floor(off as f64 / 29.530_588_853);
    let nm = new_moon_day(k, tz);
    if sun_sector(nm, tz) >= 9 {
        new_moon_day(k - 1, tz)
    } else {
        nm
    }
}

/// How many months after month 11 (starting on `a11`) the leap month comes: the first month
/// whose start and the next month's start see the sun in the same sector (no major term).
fn leap_month_offset(a11: i64, tz: f64) -> i64 {
    let k = floor((a11 as f64 - 2_415_021.076_998_695) / 29.530_588_853 + 0.5);
    let mut i = 1;
    let mut arc = sun_sector(new_moon_day(k + i, tz), tz);
    loop {
        let last = arc;
        i += 1;
        arc = sun_sector(new_moon_day(k + i, tz), tz);
        if arc == last || i >= 14 {
            break;
        }
    }
    i - 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::test_util::d;

    #[test]
    fn julian_day_numbers() {
        assert_eq!(julian_day(d(2000, 1, 1)), 2_451_545);
        assert_eq!(julian_day(d(1900, 1, 1)), 2_415_021);
        assert_eq!(date_from_julian_day(2_451_545), Ok(d(2000, 1, 1)));
    }

    #[test]
    fn tet_dates_in_vietnam() {
        let known = [
            (2020, d(2020, 1, 25)),
            (2021, d(2021, 2, 12)),
            (2022, d(2022, 2, 1)),
            (2023, d(2023, 1, 22)),
            (2024, d(2024, 2, 10)),
            (2025, d(2025, 1, 29)),
            (2026, d(2026, 2, 17)),
            (2027, d(2027, 2, 6)),
            // Not 3/2 (the Chinese date): the new moon is at 16:07 UTC on 2/2/2030, 23:07 in
            // Hà Nội but 00:07 on 3/2 in Beijing.
            (2030, d(2030, 2, 2)),
        ];
        for (year, tet) in known {
            assert_eq!(new_year(year), Ok(tet), "Tết {year}");
            assert_eq!(solar_to_lunar(tet), Ok(LunarDate::new(year, 1, 1)), "{tet}");
        }
    }

    #[test]
    fn vietnam_differs_from_china_in_1985_2007_and_2030() {
        // 1985: Vietnam 21/1, China 20/2 (a different month 11 / leap month placement).
        assert_eq!(new_year(1985), Ok(d(1985, 1, 21)));
        assert_eq!(lunar_to_solar_at(LunarDate::new(1985, 1, 1), 8.0), Ok(d(1985, 2, 20)));
        // 2007: the new moon of 17/2 at 16:14 UTC is 23:14 in Hà Nội but 00:14 on 18/2 in Beijing.
        assert_eq!(new_year(2007), Ok(d(2007, 2, 17)));
        assert_eq!(lunar_to_solar_at(LunarDate::new(2007, 1, 1), 8.0), Ok(d(2007, 2, 18)));
        assert_eq!(solar_to_lunar(d(2007, 2, 17)), Ok(LunarDate::new(2007, 1, 1)));
        assert_eq!(solar_to_lunar_at(d(2007, 2, 17), 8.0).map(|l| l.month), Ok(12));
        // 2030: Vietnam 2/2, China 3/2.
        assert_eq!(new_year(2030), Ok(d(2030, 2, 2)));
        assert_eq!(lunar_to_solar_at(LunarDate::new(2030, 1, 1), 8.0), Ok(d(2030, 2, 3)));
    }

    #[test]
    fn hung_kings_anniversary() {
        for (year, date) in [(2024, d(2024, 4, 18)), (2025, d(2025, 4, 7)), (2026, d(2026, 4, 26))] {
            assert_eq!(lunar_to_solar(LunarDate::new(year, 3, 10)), Ok(date), "{year}");
            assert_eq!(solar_to_lunar(date), Ok(LunarDate::new(year, 3, 10)));
        }
        // 2023 has a leap 2nd month (22/3–19/4/2023): month 3 starts 20/4, so 10/3 is 29/4.
        assert_eq!(lunar_to_solar(LunarDate::new(2023, 3, 10)), Ok(d(2023, 4, 29)));
    }

    #[test]
    fn leap_months() {
        // Leap 2nd month of 2023 starts 22/3/2023; leap 6th of 2025 starts 25/7/2025;
        // leap 4th of 2020 starts 23/5/2020.
        let leap = |year, month| LunarDate {
            year,
            month,
            day: 1,
            leap: true,
        };
        assert_eq!(solar_to_lunar(d(2023, 3, 22)), Ok(leap(2023, 2)));
        assert_eq!(
            solar_to_lunar(d(2023, 3, 21)).map(|l| (l.month, l.leap)),
            Ok((2, false))
        );
        assert_eq!(lunar_to_solar(leap(2023, 2)), Ok(d(2023, 3, 22)));
        assert_eq!(lunar_to_solar(leap(2025, 6)), Ok(d(2025, 7, 25)));
        assert_eq!(lunar_to_solar(LunarDate::new(2025, 7, 1)), Ok(d(2025, 8, 23)));
        assert_eq!(lunar_to_solar(leap(2020, 4)), Ok(d(2020, 5, 23)));
        assert_eq!(leap_month(2023), Ok(Some(2)));
        assert_eq!(leap_month(2025), Ok(Some(6)));
        assert_eq!(leap_month(2020), Ok(Some(4)));
        assert_eq!(leap_month(2024), Ok(None));
        assert_eq!(leap_month(2026), Ok(None));
        // A leap month the year does not have.
        assert_eq!(
            lunar_to_solar(leap(2024, 3)),
            Err(CalendarError::InvalidLunarDate(leap(2024, 3)))
        );
        assert_eq!(
            lunar_to_solar(leap(2025, 5)),
            Err(CalendarError::InvalidLunarDate(leap(2025, 5)))
        );
    }

    #[test]
    fn invalid_and_out_of_range_dates() {
        // Tháng Chạp of the lunar year 2024 has 29 days (Tết 2025 is 29/1, the eve is 28/1).
        assert_eq!(lunar_to_solar(LunarDate::new(2024, 12, 29)), Ok(d(2025, 1, 28)));
        assert_eq!(
            lunar_to_solar(LunarDate::new(2024, 12, 30)),
            Err(CalendarError::InvalidLunarDate(LunarDate::new(2024, 12, 30)))
        );
        assert!(lunar_to_solar(LunarDate::new(2024, 13, 1)).is_err());
        assert!(lunar_to_solar(LunarDate::new(2024, 1, 0)).is_err());
        assert_eq!(
            solar_to_lunar(d(1700, 1, 1)),
            Err(CalendarError::LunarYearOutOfRange(1700))
        );
        assert_eq!(new_year(2300), Err(CalendarError::LunarYearOutOfRange(2300)));
    }

    #[test]
    fn conversion_round_trips_and_days_follow_each_other() {
        // Every day 1900–2100: lunar → solar gives the day back, and consecutive days are
        // either the next day of the same month or day 1 of the next month (after 29 or 30).
        let mut previous = solar_to_lunar(d(1899, 12, 31)).expect("in range");
        for date in d(1900, 1, 1).iter_days().take_while(|x| x.year() <= 2100) {
            let lunar = solar_to_lunar(date).expect("in range");
            assert_eq!(lunar_to_solar(lunar), Ok(date), "{date} → {lunar}");
            if lunar.day == 1 {
                assert!(
                    previous.day == 29 || previous.day == 30,
                    "{date}: month after {previous}"
                );
                let next_month = if lunar.leap {
                    lunar.month == previous.month && !previous.leap
                } else {
                    lunar.month == previous.month % 12 + 1
                };
                assert!(next_month, "{date}: {previous} then {lunar}");
                if lunar.month == 1 && !lunar.leap {
                    assert_eq!(lunar.year, previous.year + 1, "{date}");
                    assert!(
                        (d(lunar.year, 1, 21)..=d(lunar.year, 2, 20)).contains(&date),
                        "Tết {date}"
                    );
                }
            } else {
                assert_eq!(
                    (lunar.year, lunar.month, lunar.day, lunar.leap),
                    (previous.year, previous.month, previous.day + 1, previous.leap),
                    "{date}"
                );
            }
            previous = lunar;
        }
    }

    #[test]
    fn day_before_a_new_moon_at_midnight() {
        // The new moon of May 2054 is at 17:00:14 UTC on 7/5, 00:00:14 on 8/5 in Hà Nội: 7/5
        // is the last day of a month, 8/5 the first of the next (the plain algorithm gave
        // "day 0" for 7/5).
        let last = solar_to_lunar(d(2054, 5, 7)).expect("in range");
        let first = solar_to_lunar(d(2054, 5, 8)).expect("in range");
        assert!(last.day == 29 || last.day == 30, "{last}");
        assert_eq!(first.day, 1, "{first}");
    }

    #[test]
    fn year_names() {
        assert_eq!(year_name(2024), "Giáp Thìn");
        assert_eq!(year_name(2025), "Ất Tỵ");
        assert_eq!(year_name(2026), "Bính Ngọ");
        assert_eq!(year_name(1985), "Ất Sửu");
    }

    #[test]
    fn display() {
        assert_eq!(
            LunarDate::new(2026, 3, 10).to_string(),
            "ngày 10 tháng 3 năm 2026 âm lịch"
        );
        let leap = LunarDate {
            year: 2023,
            month: 2,
            day: 1,
            leap: true,
        };
        assert_eq!(leap.to_string(), "ngày 1 tháng 2 nhuận năm 2023 âm lịch");
    }
}
