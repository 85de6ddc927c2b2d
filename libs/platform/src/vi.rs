//! Numbers and times as Vietnamese write them: a comma for the decimal mark
//! (`92,5`, `96,2%`), the time of day in hours and minutes before the date
//! (`14 giờ 30 phút, ngày 05/03/2025`), and text without its marks where a
//! channel cannot carry them (SMS). The one formatter behind the printed
//! reports and review packs, the workbooks, the notifications and the web
//! app's pages.

use chrono::{DateTime, Datelike, Timelike, Utc};
use unicode_normalization::UnicodeNormalization;

use crate::aip::time::TIME_ZONE;

/// Which trailing zeros a number keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Zeros {
    /// Every decimal place: `96,0`.
    Kept,
    /// Trailing zeros dropped, and the comma with them: `96`, `92,5`.
    Dropped,
}

/// `value` with `places` decimals and a comma for the decimal mark.
///
/// It rounds as `format!` does (the exact binary value, ties to even); a
/// caller that rounds half away from zero, as people do, rounds first:
/// `decimal((fraction * 1000.0).round() / 10.0, 1, Zeros::Kept)`.
pub fn decimal(value: f64, places: usize, zeros: Zeros) -> String {
    let text = format!("{value:.places$}");
    let text = match zeros {
        Zeros::Dropped if text.contains('.') => text.trim_end_matches('0').trim_end_matches('.'),
        _ => &text,
    };
    text.replace('.', ",")
}

/// `05/03/2025`: the day of `instant` in Vietnam.
pub fn short_date(instant: DateTime<Utc>) -> String {
    instant.with_timezone(&TIME_ZONE).format("%d/%m/%Y").to_string()
}

/// `14 giờ 30 phút, ngày 05/03/2025`: `instant` in Vietnam, as the forms
/// and letters to applicants write a time.
pub fn time_and_date(instant: DateTime<Utc>) -> String {
    let t = instant.with_timezone(&TIME_ZONE);
    format!(
        "{:02} giờ {:02} phút, ngày {:02}/{:02}/{:04}",
        t.hour(),
        t.minute(),
        t.day(),
        t.month(),
        t.year()
    )
}

/// `text` without diacritics, `đ` as `d`: `Phòng Giáo dục và Đào tạo` →
/// `Phong Giao duc va Dao tao`.
pub fn unaccented(text: &str) -> String {
    text.nfd()
        .filter(|c| !('\u{0300}'..='\u{036F}').contains(c))
        .map(|c| match c {
            'đ' => 'd',
            'Đ' => 'D',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_in_vietnam_time() {
        let instant = DateTime::parse_from_rfc3339("2025-03-05T07:30:00Z")
            .expect("an instant")
            .with_timezone(&Utc);
        assert_eq!(time_and_date(instant), "14 giờ 30 phút, ngày 05/03/2025");
        let night = DateTime::parse_from_rfc3339("2025-03-04T18:00:00Z")
            .expect("an instant")
            .with_timezone(&Utc);
        assert_eq!(short_date(night), "05/03/2025", "01:00 the next day in Vietnam");
    }

    #[test]
    fn text_loses_its_marks_and_keeps_its_letters() {
        assert_eq!(
            unaccented("Phòng Giáo dục và Đào tạo: hồ sơ đã có kết quả"),
            "Phong Giao duc va Dao tao: ho so da co ket qua"
        );
        assert_eq!(unaccented("TRƯỜNG THCS Ngô Quyền"), "TRUONG THCS Ngo Quyen");
    }

    #[test]
    fn numbers_read_in_vietnamese() {
        assert_eq!(decimal(95.0, 2, Zeros::Dropped), "95");
        assert_eq!(decimal(92.5, 2, Zeros::Dropped), "92,5");
        assert_eq!(decimal(99.25, 2, Zeros::Dropped), "99,25");
        assert_eq!(decimal(33.333, 2, Zeros::Dropped), "33,33");
        assert_eq!(decimal(0.0, 2, Zeros::Dropped), "0");
        assert_eq!(decimal(100.0, 0, Zeros::Dropped), "100");
        assert_eq!(decimal(96.0, 1, Zeros::Kept), "96,0");
        assert_eq!(decimal(96.25, 1, Zeros::Kept), "96,2");
        assert_eq!(decimal((0.9625 * 1000.0_f64).round() / 10.0, 1, Zeros::Kept), "96,3");
        assert_eq!(decimal(f64::NAN, 2, Zeros::Dropped), "NaN");
    }
}
