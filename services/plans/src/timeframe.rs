//! Time frames as plans write them (thời gian hoàn thành), parsed into date ranges.
//!
//! | written | range |
//! |---|---|
//! | `Tháng 1,2 năm 2024`, `Tháng 1, 2 năm 2024`, `Tháng 1 và 2 năm 2024`, `Tháng 1-3/2024` | first day of the first month – last day of the last |
//! | `Tháng 3 năm 2024`, `Tháng 3/2024`, `Tháng 03/2024` | that month |
//! | `Quý I năm 2024`, `Quý 1/2024`, `Quý I, II năm 2024` | the quarter(s) |
//! | `Thực hiện quý 2 năm 2024` | the quarter (`Thực hiện`, `Hoàn thành`, `Trong` are dropped) |
//! | `Thực hiện cả năm 2024`, `Cả năm 2024`, `Năm 2024`, `Trong năm 2024` | 1/1 – 31/12 |
//! | `6 tháng đầu năm 2024`, `6 tháng cuối năm 2024` | 1/1 – 30/6, 1/7 – 31/12 |
//! | `Từ tháng 3 đến tháng 5 năm 2024` | 1/3 – 31/5 |
//! | `Trước ngày 30/6/2024`, `Trước 30/6/2024` | 1/1 of that year – 30/6 |
//! | `Ngày 15/3/2024`, `15/3/2024` | that day |
//! | `Thường xuyên`, `Hằng tháng`, `Hằng quý` | the plan's year |
//!
//! A form without a year (`Quý I`, `Tháng 5`) takes the plan's year. The seed plan uses the
//! first, third, fifth and sixth forms; the others are the usual variants of the same style.
//! Input is NFC-normalised and compared case-insensitively, white space squashed.

use chrono::{Datelike, NaiveDate};
use unicode_normalization::UnicodeNormalization;

/// A parsed time frame: first and last day, inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeFrame {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

/// Why a time frame cannot be read.
pub type ParseError = String;

fn year_range(year: i32) -> Option<TimeFrame> {
    Some(TimeFrame {
        start: NaiveDate::from_ymd_opt(year, 1, 1)?,
        end: NaiveDate::from_ymd_opt(year, 12, 31)?,
    })
}

fn month_range(year: i32, first: u32, last: u32) -> Option<TimeFrame> {
    let start = NaiveDate::from_ymd_opt(year, first, 1)?;
    let end = last_day_of_month(year, last)?;
    Some(TimeFrame { start, end })
}

pub fn last_day_of_month(year: i32, month: u32) -> Option<NaiveDate> {
    let (next_year, next_month) = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
    NaiveDate::from_ymd_opt(next_year, next_month, 1)?.pred_opt()
}

fn roman_or_number(word: &str) -> Option<u32> {
    match word {
        "i" | "1" => Some(1),
        "ii" | "2" => Some(2),
        "iii" | "3" => Some(3),
        "iv" | "4" => Some(4),
        _ => None,
    }
}

/// Splits `…năm 2024`, `…/2024` or a trailing `2024` off `text`: (rest, year).
fn split_year(text: &str) -> (String, Option<i32>) {
    let text = text.trim();
    for suffix in ["năm ", "/", " "] {
        if let Some(index) = text.rfind(suffix) {
            let year_text = text[index + suffix.len()..].trim();
            if year_text.len() == 4
                && year_text.bytes().all(|b| b.is_ascii_digit())
                && let Ok(year) = year_text.parse::<i32>()
            {
                let rest = text[..index].trim().trim_end_matches([',', '/', '-']).trim();
                return (rest.to_string(), Some(year));
            }
        }
    }
    if text.len() == 4
        && text.bytes().all(|b| b.is_ascii_digit())
        && let Ok(year) = text.parse::<i32>()
    {
        return (String::new(), Some(year));
    }
    (text.to_string(), None)
}

/// Numbers of a list `1,2`, `1, 2`, `1 và 2`, `1-3`, `1 - 3`, `1 đến 3` (ranges expanded).
fn number_list(text: &str, parse: fn(&str) -> Option<u32>) -> Option<Vec<u32>> {
    let normalised = text
        .replace(" và ", ",")
        .replace(" đến ", "-")
        .replace('–', "-")
        .replace(';', ",");
    let mut out = Vec::new();
    for part in normalised.split(',') {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        if let Some((a, b)) = part.split_once('-') {
            let (a, b) = (parse(a.trim())?, parse(b.trim())?);
            if a > b {
                return None;
            }
            out.extend(a..=b);
        } else {
            out.push(parse(part)?);
        }
    }
    (!out.is_empty()).then_some(out)
}

fn month_number(word: &str) -> Option<u32> {
    let month: u32 = word.trim().parse().ok()?;
    (1..=12).contains(&month).then_some(month)
}

fn parse_date(text: &str) -> Option<NaiveDate> {
    let parts: Vec<&str> = text.trim().split(['/', '-', '.']).collect();
    let [day, month, year] = parts.as_slice() else {
        return None;
    };
    if year.len() != 4 {
        return None;
    }
    NaiveDate::from_ymd_opt(year.parse().ok()?, month.parse().ok()?, day.parse().ok()?)
}

/// Parses `written`; `plan_year` fills in a missing year.
pub fn parse(written: &str, plan_year: i32) -> Result<TimeFrame, ParseError> {
    let text: String = written.nfc().collect::<String>().to_lowercase();
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let text = text.trim_end_matches(['.', ';']).trim().to_string();
    if text.is_empty() {
        return Err("is empty".to_string());
    }
    let unreadable = || {
        format!(
            "`{}` is not a time frame eiso can read; write e.g. `Tháng 1,2 năm {plan_year}`, `Quý I năm {plan_year}`, \
             `Thực hiện quý 2 năm {plan_year}`, `Thực hiện cả năm {plan_year}` or `Trước ngày 30/6/{plan_year}`",
            written.trim()
        )
    };
    let mut body = text.as_str();
    for prefix in ["thực hiện ", "hoàn thành ", "trong "] {
        if let Some(rest) = body.strip_prefix(prefix) {
            body = rest.trim();
        }
    }
    if matches!(
        body,
        "thường xuyên" | "hằng tháng" | "hàng tháng" | "hằng quý" | "hàng quý" | "cả năm" | "năm"
    ) {
        return year_range(plan_year).ok_or_else(unreadable);
    }
    // A single day, or "before" a day.
    for prefix in ["trước ngày ", "trước ", "ngày ", ""] {
        if let Some(rest) = body.strip_prefix(prefix)
            && let Some(date) = parse_date(rest)
        {
            let start = if prefix.starts_with("trước") {
                NaiveDate::from_ymd_opt(date.year(), 1, 1).ok_or_else(unreadable)?
            } else {
                date
            };
            return Ok(TimeFrame { start, end: date });
        }
    }
    let (rest, year) = split_year(body);
    let year = year.unwrap_or(plan_year);
    if !(1900..=2999).contains(&year) {
        return Err(unreadable());
    }
    let rest = rest.as_str();
    let range = match rest {
        "" | "cả" | "cả năm" | "năm" | "trong năm" | "cả năm học" => year_range(year),
        "6 tháng đầu" | "sáu tháng đầu" => month_range(year, 1, 6),
        "6 tháng cuối" | "sáu tháng cuối" => month_range(year, 7, 12),
        _ => {
            if let Some(list) = rest.strip_prefix("quý ") {
                let quarters = number_list(list, roman_or_number).ok_or_else(unreadable)?;
                let first = quarters.iter().min().copied().unwrap_or(1);
                let last = quarters.iter().max().copied().unwrap_or(4);
                month_range(year, first * 3 - 2, last * 3)
            } else if let Some(span) = rest.strip_prefix("từ tháng ") {
                let (a, b) = span.split_once(" đến tháng ").ok_or_else(unreadable)?;
                let (a, b) = (
                    month_number(a).ok_or_else(unreadable)?,
                    month_number(b).ok_or_else(unreadable)?,
                );
                if a > b {
                    return Err(unreadable());
                }
                month_range(year, a, b)
            } else if let Some(list) = rest.strip_prefix("tháng ") {
                let months = number_list(list, month_number).ok_or_else(unreadable)?;
                let first = months.iter().min().copied().unwrap_or(1);
                let last = months.iter().max().copied().unwrap_or(12);
                month_range(year, first, last)
            } else {
                None
            }
        }
    };
    range.ok_or_else(unreadable)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
    }

    fn range(text: &str) -> (NaiveDate, NaiveDate) {
        let frame = parse(text, 2024).unwrap_or_else(|e| panic!("{text}: {e}"));
        (frame.start, frame.end)
    }

    /// Every form the seed plan's appendix table uses, as the table writes it.
    #[test]
    fn the_seed_forms() {
        assert_eq!(range("Tháng 1,2 năm 2024"), (d(2024, 1, 1), d(2024, 2, 29)));
        assert_eq!(range("Quý I năm 2024"), (d(2024, 1, 1), d(2024, 3, 31)));
        assert_eq!(range("Thực hiện cả năm 2024"), (d(2024, 1, 1), d(2024, 12, 31)));
        assert_eq!(range("Thực hiện quý 2 năm 2024"), (d(2024, 4, 1), d(2024, 6, 30)));
    }

    #[test]
    fn variants_of_the_same_style() {
        assert_eq!(range("Tháng 1, 2 năm 2024"), (d(2024, 1, 1), d(2024, 2, 29)));
        assert_eq!(range("Tháng 1 và 2 năm 2024"), (d(2024, 1, 1), d(2024, 2, 29)));
        assert_eq!(range("Tháng 3/2024"), (d(2024, 3, 1), d(2024, 3, 31)));
        assert_eq!(range("tháng 03 năm 2025"), (d(2025, 3, 1), d(2025, 3, 31)));
        assert_eq!(range("Tháng 1-3/2024"), (d(2024, 1, 1), d(2024, 3, 31)));
        assert_eq!(range("Quý IV/2024"), (d(2024, 10, 1), d(2024, 12, 31)));
        assert_eq!(range("Quý I, II năm 2024"), (d(2024, 1, 1), d(2024, 6, 30)));
        assert_eq!(range("Quý III"), (d(2024, 7, 1), d(2024, 9, 30)));
        assert_eq!(range("Cả năm 2024"), (d(2024, 1, 1), d(2024, 12, 31)));
        assert_eq!(range("Năm 2024"), (d(2024, 1, 1), d(2024, 12, 31)));
        assert_eq!(range("Trong năm 2024"), (d(2024, 1, 1), d(2024, 12, 31)));
        assert_eq!(range("6 tháng đầu năm 2024"), (d(2024, 1, 1), d(2024, 6, 30)));
        assert_eq!(range("6 tháng cuối năm 2024"), (d(2024, 7, 1), d(2024, 12, 31)));
        assert_eq!(
            range("Từ tháng 3 đến tháng 5 năm 2024"),
            (d(2024, 3, 1), d(2024, 5, 31))
        );
        assert_eq!(range("Trước ngày 30/6/2024"), (d(2024, 1, 1), d(2024, 6, 30)));
        assert_eq!(range("Ngày 15/3/2024"), (d(2024, 3, 15), d(2024, 3, 15)));
        assert_eq!(range("Thường xuyên"), (d(2024, 1, 1), d(2024, 12, 31)));
        assert_eq!(
            range("  THỰC HIỆN   QUÝ 2   NĂM 2024. "),
            (d(2024, 4, 1), d(2024, 6, 30))
        );
    }

    #[test]
    fn decomposed_input_is_read() {
        let decomposed: String = "Thực hiện cả năm 2024".nfd().collect();
        assert_ne!(decomposed, "Thực hiện cả năm 2024");
        assert_eq!(range(&decomposed), (d(2024, 1, 1), d(2024, 12, 31)));
    }

    #[test]
    fn nonsense_is_refused_with_the_text() {
        for bad in [
            "",
            "sớm nhất có thể",
            "Quý V năm 2024",
            "Tháng 13 năm 2024",
            "Tháng 5-2 năm 2024",
            "31/2/2024",
            "Từ tháng 6 đến tháng 2 năm 2024",
            "Quý I năm 20245",
        ] {
            let error = parse(bad, 2024).expect_err(bad);
            if !bad.is_empty() {
                assert!(error.contains(bad.trim()), "{bad}: {error}");
            }
        }
    }
}
