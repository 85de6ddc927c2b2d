//! How times and durations read on a page: Asia/Ho_Chi_Minh, `dd/mm/yyyy`,
//! working time in days and hours of the office's own working day.

use chrono::{DateTime, NaiveDate, NaiveTime, TimeDelta, Utc};
use eiso_platform::aip::time::{ProtoDate, TIME_ZONE};
use eiso_platform::vi::{self, Zeros};
use eiso_proto::prost_types::Timestamp;

/// A stored (UTC) instant as the office reads it: `05/03/2025 14:30`.
pub fn datetime(instant: DateTime<Utc>) -> String {
    instant.with_timezone(&TIME_ZONE).format("%d/%m/%Y %H:%M").to_string()
}

/// The date only: `05/03/2025`.
pub fn date(instant: DateTime<Utc>) -> String {
    instant.with_timezone(&TIME_ZONE).format("%d/%m/%Y").to_string()
}

/// A protobuf timestamp as [`datetime`], empty when unset or out of range.
pub fn timestamp(ts: Option<&Timestamp>) -> String {
    instant(ts).map(datetime).unwrap_or_default()
}

/// A protobuf timestamp as an instant.
pub fn instant(ts: Option<&Timestamp>) -> Option<DateTime<Utc>> {
    ts.and_then(|ts| DateTime::from_timestamp(ts.seconds, ts.nanos.clamp(0, 999_999_999) as u32))
}

/// The day of an API date message (either package's), `None` when unset or
/// no such day.
pub fn day<D: ProtoDate>(date: Option<&D>) -> Option<NaiveDate> {
    date.and_then(ProtoDate::to_naive)
}

/// An API date message as [`day`] reads it, `dd/mm/yyyy`; empty when unset
/// or no such day.
pub fn day_text<D: ProtoDate>(date: Option<&D>) -> String {
    day(date).map(|d| d.format("%d/%m/%Y").to_string()).unwrap_or_default()
}

/// A day as a person types it in a date field: `dd/mm/yyyy` (`d/m/yyyy`,
/// with `/`, `-` or `.`), or `yyyy-mm-dd` as in an address kept from an
/// earlier page. `None` for anything else, and for a day that does not exist.
pub fn parse_day(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Some(day);
    }
    let parts: Vec<&str> = text.split(['/', '-', '.']).collect();
    let [day, month, year] = parts.as_slice() else {
        return None;
    };
    let number = |part: &str, digits: std::ops::RangeInclusive<usize>| {
        (digits.contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit()))
            .then(|| part.parse::<u32>().ok())
            .flatten()
    };
    NaiveDate::from_ymd_opt(number(year, 4..=4)? as i32, number(month, 1..=2)?, number(day, 1..=2)?)
}

/// The instant a day in Vietnam begins (its midnight, in UTC).
pub fn start_of_day(day: NaiveDate) -> DateTime<Utc> {
    use chrono::TimeZone;
    let midnight = day.and_time(NaiveTime::MIN);
    TIME_ZONE
        .from_local_datetime(&midnight)
        .single()
        .map_or_else(|| midnight.and_utc(), |local| local.with_timezone(&Utc))
}

/// A time of day as typed: `HH:MM` (`H:MM`, or `HHhMM` as Vietnamese write it).
pub fn parse_time(text: &str) -> Option<NaiveTime> {
    let text = text.trim().replace(['h', 'H'], ":");
    NaiveTime::parse_from_str(&text, "%H:%M").ok()
}

/// `text` percent-encoded for an address's query (letters, digits and
/// `-_.~/` kept).
pub fn percent_encode(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// An address's query from (key, value) pairs: values trimmed and
/// percent-encoded, empty ones left out.
pub fn query_string(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(key, value)| (key, value.trim()))
        .filter(|(_, value)| !value.is_empty())
        .map(|(key, value)| format!("{key}={}", percent_encode(value)))
        .collect::<Vec<_>>()
        .join("&")
}

/// A number as the pages write it: at most two decimals, without trailing
/// zeros, `95`, `92,5` ([`vi::decimal`]).
pub fn decimal(value: f64) -> String {
    vi::decimal(value, 2, Zeros::Dropped)
}

/// Working time left before a due time, as the counter says it:
/// `còn 1 ngày 3 giờ làm việc`, or `quá hạn 2 giờ làm việc` when negative.
/// `day` is the length of the office's working day.
pub fn working_time_left(left: TimeDelta, day: TimeDelta) -> String {
    let amount = working_duration(left.abs(), day);
    if left < TimeDelta::zero() {
        format!("quá hạn {amount} làm việc")
    } else {
        format!("còn {amount} làm việc")
    }
}

/// A length of working time in days and hours of the office's working day
/// `day`: `1 ngày 3 giờ`, `45 phút`.
pub fn working_duration(time: TimeDelta, day: TimeDelta) -> String {
    let minutes = time.num_minutes().max(0);
    let day_minutes = day.num_minutes().max(1);
    let (days, rest) = (minutes / day_minutes, minutes % day_minutes);
    let (hours, mins) = (rest / 60, rest % 60);
    let mut parts = Vec::new();
    if days > 0 {
        parts.push(format!("{days} ngày"));
    }
    if hours > 0 {
        parts.push(format!("{hours} giờ"));
    }
    if days == 0 && (mins > 0 || hours == 0) {
        parts.push(format!("{mins} phút"));
    }
    parts.join(" ")
}

/// A length of clock time as people say it, in days, hours and minutes:
/// `2 ngày 3 giờ`, `45 phút` (how far the portal's sync lags).
pub fn elapsed(time: TimeDelta) -> String {
    working_duration(time, TimeDelta::days(1))
}

/// Template filter `datetime`: an RFC 3339 instant as [`datetime`].
pub fn datetime_filter(value: String) -> String {
    DateTime::parse_from_rfc3339(&value)
        .map(|t| datetime(t.with_timezone(&Utc)))
        .unwrap_or(value)
}

/// Template filter `date`: an RFC 3339 instant as [`date`].
pub fn date_filter(value: String) -> String {
    DateTime::parse_from_rfc3339(&value)
        .map(|t| date(t.with_timezone(&Utc)))
        .unwrap_or(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn days_are_read_as_people_type_them() {
        let day = NaiveDate::from_ymd_opt(2025, 3, 5);
        for text in ["05/03/2025", "5/3/2025", " 05-03-2025 ", "5.3.2025", "2025-03-05"] {
            assert_eq!(parse_day(text), day, "{text}");
        }
        for text in [
            "",
            "31/02/2025",
            "05/13/2025",
            "05/03/25",
            "2025/03/05",
            "5/3",
            "a5/03/2025",
            "005/03/2025",
        ] {
            assert_eq!(parse_day(text), None, "{text}");
        }
        assert_eq!(parse_time("17:00"), NaiveTime::from_hms_opt(17, 0, 0));
        assert_eq!(parse_time("8h30"), NaiveTime::from_hms_opt(8, 30, 0));
        assert_eq!(parse_time("25:00"), None);
    }

    #[test]
    fn numbers_read_in_vietnamese() {
        assert_eq!(decimal(95.0), "95");
        assert_eq!(decimal(92.5), "92,5");
        assert_eq!(decimal(99.25), "99,25");
        assert_eq!(decimal(0.0), "0");
    }

    #[test]
    fn times_read_in_vietnam() {
        let t = Utc.with_ymd_and_hms(2025, 3, 5, 17, 30, 0).unwrap();
        assert_eq!(datetime(t), "06/03/2025 00:30");
        assert_eq!(date(t), "06/03/2025");
        assert_eq!(datetime_filter("2025-03-05T07:30:00Z".into()), "05/03/2025 14:30");
    }

    #[test]
    fn working_time_reads_in_days_and_hours() {
        let day = TimeDelta::hours(8);
        assert_eq!(
            working_time_left(TimeDelta::hours(11), day),
            "còn 1 ngày 3 giờ làm việc"
        );
        assert_eq!(
            working_time_left(TimeDelta::minutes(90), day),
            "còn 1 giờ 30 phút làm việc"
        );
        assert_eq!(working_time_left(TimeDelta::hours(16), day), "còn 2 ngày làm việc");
        assert_eq!(working_time_left(TimeDelta::zero(), day), "còn 0 phút làm việc");
        assert_eq!(working_time_left(-TimeDelta::hours(2), day), "quá hạn 2 giờ làm việc");
        assert_eq!(elapsed(TimeDelta::hours(27)), "1 ngày 3 giờ");
        assert_eq!(elapsed(TimeDelta::minutes(45)), "45 phút");
    }
}
