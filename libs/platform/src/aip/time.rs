//! Times and dates in requests, checked against what the domain can hold.
//!
//! An office's documents, dossiers, plans and audits live within a human
//! lifetime or two of today: eiso accepts years [`FIRST_YEAR`]..=[`LAST_YEAR`]
//! (the range of the office calendar and its lunar holidays). Anything else
//! in a request — a dossier extended to the year 10000, an `as_of` of 2^62
//! seconds, a timestamp whose nanos are not 0..=999,999,999 — is refused with
//! INVALID_ARGUMENT naming the field, never stored, never printed.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use eiso_proto::prost_types::Timestamp;

use crate::error::{ServiceError, ServiceResult, Violations};

/// The time zone of every user-facing time: Asia/Ho_Chi_Minh (UTC+7, no
/// daylight saving time since 1975). Stored time is UTC.
pub const TIME_ZONE: chrono_tz::Tz = chrono_tz::Asia::Ho_Chi_Minh;

/// A stored instant as a protobuf timestamp.
pub fn timestamp(time: DateTime<Utc>) -> Timestamp {
    Timestamp {
        seconds: time.timestamp(),
        nanos: time.timestamp_subsec_nanos() as i32,
    }
}

/// An optional stored instant as a protobuf timestamp.
pub fn optional_timestamp(time: Option<DateTime<Utc>>) -> Option<Timestamp> {
    time.map(timestamp)
}

/// A timestamp eiso wrote itself (stored, or from its own messages) as an
/// instant; `None` when it cannot be one. Timestamps from requests go
/// through [`instant`], which refuses what the domain cannot hold.
pub fn stored_instant(time: &Timestamp) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(time.seconds, time.nanos.max(0) as u32)
}

/// The first year a request may name.
pub const FIRST_YEAR: i32 = 1900;
/// The last year a request may name.
pub const LAST_YEAR: i32 = 2199;

fn range() -> String {
    format!("must be in the years {FIRST_YEAR} to {LAST_YEAR}")
}

/// `year` if it is in [`FIRST_YEAR`]..=[`LAST_YEAR`], else INVALID_ARGUMENT naming `field`.
pub fn year(year: i64, field: &str) -> ServiceResult<i32> {
    i32::try_from(year)
        .ok()
        .filter(|y| (FIRST_YEAR..=LAST_YEAR).contains(y))
        .ok_or_else(|| ServiceError::invalid(field, format!("year {year} {}", range())))
}

/// The instant of `time`, or INVALID_ARGUMENT naming `field` when its nanos
/// are out of range or it falls outside the domain's years.
pub fn instant(time: &Timestamp, field: &str) -> ServiceResult<DateTime<Utc>> {
    if !(0..=999_999_999).contains(&time.nanos) {
        return Err(ServiceError::invalid(
            field,
            format!("nanos {} must be from 0 to 999999999", time.nanos),
        ));
    }
    let at = u32::try_from(time.nanos)
        .ok()
        .and_then(|nanos| DateTime::from_timestamp(time.seconds, nanos))
        .filter(|at| (FIRST_YEAR..=LAST_YEAR).contains(&at.year()))
        .ok_or_else(|| ServiceError::invalid(field, format!("{} seconds {}", time.seconds, range())))?;
    Ok(at)
}

/// [`instant`] of an optional field: `None` stays `None`.
pub fn optional_instant(time: Option<&Timestamp>, field: &str) -> ServiceResult<Option<DateTime<Utc>>> {
    time.map(|t| instant(t, field)).transpose()
}

/// [`instant`] of a field a request must set: INVALID_ARGUMENT naming
/// `field` (`is required`) when it is missing.
pub fn required_instant(time: Option<&Timestamp>, field: &str) -> ServiceResult<DateTime<Utc>> {
    instant(time.ok_or_else(|| ServiceError::invalid(field, "is required"))?, field)
}

/// The calendar date `year-month-day`, or INVALID_ARGUMENT naming `field`
/// when it does not exist or falls outside the domain's years.
pub fn date(year: i32, month: i32, day: i32, field: &str) -> ServiceResult<NaiveDate> {
    let date = u32::try_from(month)
        .ok()
        .zip(u32::try_from(day).ok())
        .and_then(|(month, day)| NaiveDate::from_ymd_opt(year, month, day))
        .ok_or_else(|| ServiceError::invalid(field, format!("{year}-{month}-{day} is not a date")))?;
    if !(FIRST_YEAR..=LAST_YEAR).contains(&date.year()) {
        return Err(ServiceError::invalid(field, format!("{date} {}", range())));
    }
    Ok(date)
}

/// The API's calendar date messages — `eiso.procedures.v1.LocalDate` and
/// `eiso.plans.v1.LocalDate`, the same three fields in two packages — to and
/// from [`NaiveDate`].
pub trait ProtoDate: Sized {
    /// The message of `date`.
    fn from_naive(date: NaiveDate) -> Self;

    /// The date the message names, `None` when there is no such day. The
    /// years are not checked: a request's date goes through [`date`].
    fn to_naive(&self) -> Option<NaiveDate>;
}

macro_rules! proto_date {
    ($($message:ty),*) => {$(
        impl ProtoDate for $message {
            fn from_naive(date: NaiveDate) -> Self {
                Self {
                    year: date.year(),
                    month: date.month() as i32,
                    day: date.day() as i32,
                }
            }

            fn to_naive(&self) -> Option<NaiveDate> {
                NaiveDate::from_ymd_opt(self.year, self.month.try_into().ok()?, self.day.try_into().ok()?)
            }
        }
    )*};
}

proto_date!(
    eiso_proto::eiso::procedures::v1::LocalDate,
    eiso_proto::eiso::plans::v1::LocalDate
);

/// `date` as the API's calendar date message (either package's).
pub fn proto_date<D: ProtoDate>(date: NaiveDate) -> D {
    D::from_naive(date)
}

/// Like [`instant`], recording the problem in `violations` instead.
pub fn check_instant(violations: &mut Violations, time: Option<&Timestamp>, field: &str) -> Option<DateTime<Utc>> {
    match optional_instant(time, field) {
        Ok(at) => at,
        Err(error) => {
            violations.absorb(error);
            None
        }
    }
}

/// The date line of an administrative document after its place name, as
/// Nghị định 30/2020/NĐ-CP writes it: `ngày 05 tháng 3 năm 2025` (a day
/// below 10 and the months 1 and 2 with a leading zero, no other).
pub fn document_date(day: NaiveDate) -> String {
    let month = match day.month() {
        month @ (1 | 2) => format!("{month:02}"),
        month => month.to_string(),
    };
    format!("ngày {:02} tháng {month} năm {}", day.day(), day.year())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_dates_pad_as_the_decree_says() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("a day");
        assert_eq!(document_date(day(2025, 3, 5)), "ngày 05 tháng 3 năm 2025");
        assert_eq!(document_date(day(2025, 2, 28)), "ngày 28 tháng 02 năm 2025");
        assert_eq!(document_date(day(2024, 12, 23)), "ngày 23 tháng 12 năm 2024");
    }

    fn ts(seconds: i64, nanos: i32) -> Timestamp {
        Timestamp { seconds, nanos }
    }

    #[test]
    fn instants_outside_the_domain_are_refused_by_field() {
        assert!(instant(&ts(1_700_000_000, 0), "t").is_ok());
        for bad in [
            ts(1 << 62, 0),
            ts(-(1 << 62), 0),
            ts(253_402_300_800, 0),
            ts(0, -1),
            ts(0, 1_000_000_000),
        ] {
            let error = instant(&bad, "as_of_time").expect_err("refused");
            assert!(
                matches!(&error, ServiceError::InvalidArgument(v) if v[0].field == "as_of_time"),
                "{error}"
            );
        }
        // 1 January 2200 is past the last year; 31 December 2199 is not.
        assert!(instant(&ts(7_258_118_400, 0), "t").is_err());
        assert!(instant(&ts(7_258_118_399, 0), "t").is_ok());
        assert!(instant(&ts(-2_208_988_800, 0), "t").is_ok());
        assert!(instant(&ts(-2_208_988_801, 0), "t").is_err());
    }

    #[test]
    fn required_instants_name_their_field() {
        assert!(required_instant(Some(&ts(1_700_000_000, 0)), "t").is_ok());
        for (bad, description) in [
            (None, "is required"),
            (Some(ts(0, -1)), "nanos -1 must be from 0 to 999999999"),
        ] {
            let error = required_instant(bad.as_ref(), "receive_time").expect_err("refused");
            assert!(
                matches!(&error, ServiceError::InvalidArgument(v)
                    if v[0].field == "receive_time" && v[0].description == description),
                "{error}"
            );
        }
    }

    #[test]
    fn proto_dates_round_trip() {
        use eiso_proto::eiso::{plans, procedures};
        let day = NaiveDate::from_ymd_opt(2025, 3, 5).expect("a day");
        let message: procedures::v1::LocalDate = proto_date(day);
        assert_eq!((message.year, message.month, message.day), (2025, 3, 5));
        assert_eq!(message.to_naive(), Some(day));
        assert_eq!(proto_date::<plans::v1::LocalDate>(day).to_naive(), Some(day));
        let not_a_day = plans::v1::LocalDate {
            year: 2025,
            month: 2,
            day: 30,
        };
        assert_eq!(not_a_day.to_naive(), None);
        let negative = plans::v1::LocalDate {
            year: 2025,
            month: -1,
            day: 1,
        };
        assert_eq!(negative.to_naive(), None);
    }

    #[test]
    fn dates_outside_the_domain_are_refused() {
        assert!(date(2026, 2, 28, "d").is_ok());
        assert!(date(2026, 2, 29, "d").is_err());
        assert!(date(10_000, 1, 1, "d").is_err());
        assert!(date(1899, 12, 31, "d").is_err());
        assert!(date(2026, -1, 1, "d").is_err());
        assert!(year(2199, "y").is_ok());
        assert!(year(1 << 40, "y").is_err());
    }
}
