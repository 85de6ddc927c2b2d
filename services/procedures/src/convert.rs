//! Conversions between the API's calendar messages and the engine's types.

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeDelta, Utc, Weekday};
use eiso_platform::{ServiceError, ServiceResult};
use eiso_proto::eiso::procedures::v1 as pb;
use eiso_proto::prost_types::{Duration, Timestamp};

use crate::calendar::{ProcessingTime, SupplementMode};

pub fn date_to_proto(date: NaiveDate) -> pb::LocalDate {
    pb::LocalDate {
        year: date.year(),
        month: date.month() as i32,
        day: date.day() as i32,
    }
}

/// The date of `date`, refused (naming `field`) when it does not exist or is
/// outside the years a request may name ([`eiso_platform::aip::time`]).
pub fn date_from_proto(date: &pb::LocalDate, field: &str) -> ServiceResult<NaiveDate> {
    eiso_platform::aip::time::date(date.year, date.month, date.day, field)
}

pub fn time_to_proto(time: NaiveTime) -> pb::LocalTime {
    use chrono::Timelike;
    pb::LocalTime {
        hours: time.hour() as i32,
        minutes: time.minute() as i32,
    }
}

pub fn time_from_proto(time: &pb::LocalTime, field: &str) -> ServiceResult<NaiveTime> {
    u32::try_from(time.hours)
        .ok()
        .zip(u32::try_from(time.minutes).ok())
        .and_then(|(h, m)| NaiveTime::from_hms_opt(h, m, 0))
        .ok_or_else(|| ServiceError::invalid(field, format!("{}:{} is not a time of day", time.hours, time.minutes)))
}

pub fn weekday_to_proto(day: Weekday) -> pb::Weekday {
    match day {
        Weekday::Mon => pb::Weekday::Monday,
        Weekday::Tue => pb::Weekday::Tuesday,
        Weekday::Wed => pb::Weekday::Wednesday,
        Weekday::Thu => pb::Weekday::Thursday,
        Weekday::Fri => pb::Weekday::Friday,
        Weekday::Sat => pb::Weekday::Saturday,
        Weekday::Sun => pb::Weekday::Sunday,
    }
}

pub fn weekday_from_proto(day: i32, field: &str) -> ServiceResult<Weekday> {
    Ok(match pb::Weekday::try_from(day) {
        Ok(pb::Weekday::Monday) => Weekday::Mon,
        Ok(pb::Weekday::Tuesday) => Weekday::Tue,
        Ok(pb::Weekday::Wednesday) => Weekday::Wed,
        Ok(pb::Weekday::Thursday) => Weekday::Thu,
        Ok(pb::Weekday::Friday) => Weekday::Fri,
        Ok(pb::Weekday::Saturday) => Weekday::Sat,
        Ok(pb::Weekday::Sunday) => Weekday::Sun,
        _ => return Err(ServiceError::invalid(field, format!("unknown weekday {day}"))),
    })
}

pub fn processing_time_from_proto(time: Option<&pb::ProcessingTime>, field: &str) -> ServiceResult<ProcessingTime> {
    use pb::processing_time::Budget;
    match time.and_then(|t| t.budget.as_ref()) {
        Some(Budget::WorkingDays(n)) if (1..=365).contains(n) => Ok(ProcessingTime::WorkingDays(*n as u32)),
        Some(Budget::WorkingHours(n)) if (1..=2920).contains(n) => Ok(ProcessingTime::WorkingHours(*n as u32)),
        Some(Budget::WorkingDays(_)) => Err(ServiceError::invalid(field, "working days must be between 1 and 365")),
        Some(Budget::WorkingHours(_)) => Err(ServiceError::invalid(field, "working hours must be between 1 and 2920")),
        None => Err(ServiceError::invalid(
            field,
            "is required: working days or working hours",
        )),
    }
}

/// The supplement mode of a request: unset is RESTART (the proto says so), a
/// number the proto does not define is refused naming `field`.
pub fn supplement_mode_from_proto(mode: i32, field: &str) -> ServiceResult<SupplementMode> {
    Ok(
        match eiso_platform::aip::enums::parse_with_default::<pb::SupplementMode>(mode, field)? {
            pb::SupplementMode::Pause => SupplementMode::Pause,
            pb::SupplementMode::Restart | pb::SupplementMode::Unspecified => SupplementMode::Restart,
        },
    )
}

pub use eiso_platform::aip::time::optional_timestamp as ts;

/// The instant of a request's timestamp, refused (naming `field`) outside the
/// years a request may name ([`eiso_platform::aip::time`]).
pub fn from_ts(time: Option<&Timestamp>, field: &str) -> ServiceResult<Option<DateTime<Utc>>> {
    eiso_platform::aip::time::optional_instant(time, field)
}

pub fn duration(delta: TimeDelta) -> Duration {
    Duration {
        seconds: delta.num_seconds(),
        nanos: delta.subsec_nanos(),
    }
}

/// Engine errors: configuration gaps are preconditions an administrator can
/// fix; anything else about the input is an invalid argument.
pub fn calendar_error(error: crate::calendar::CalendarError, subject: &str) -> ServiceError {
    calendar_error_at(error, subject, "calendar")
}

/// [`calendar_error`] for a request whose `field` led the computation out of
/// the calendar's range of years: that is the request's fault
/// (INVALID_ARGUMENT naming `field`), not a gap an administrator can fill.
pub fn calendar_error_at(error: crate::calendar::CalendarError, subject: &str, field: &str) -> ServiceError {
    use crate::calendar::CalendarError as E;
    use eiso_platform::aip::time::{FIRST_YEAR, LAST_YEAR};
    match error {
        E::YearNotConfigured(year) | E::YearNotConfirmed(year) | E::LunarYearOutOfRange(year)
            if !(FIRST_YEAR..=LAST_YEAR).contains(&year) =>
        {
            ServiceError::invalid(
                field,
                format!("reaches the year {year}, outside the calendar's years {FIRST_YEAR} to {LAST_YEAR}"),
            )
        }
        E::LunarYearOutOfRange(year) => {
            ServiceError::invalid(field, format!("the lunar calendar has no data for {year}"))
        }
        E::OutOfRange => ServiceError::invalid(field, "is outside the range of dates the calendar supports"),
        E::YearNotConfigured(year) => ServiceError::precondition(
            "CALENDAR_YEAR_MISSING",
            subject,
            format!("the calendar has no data for {year}: an administrator must confirm that year first"),
        ),
        E::YearNotConfirmed(year) => ServiceError::precondition(
            "CALENDAR_YEAR_UNCONFIRMED",
            subject,
            format!("{year} is only a proposal: an administrator must confirm it first"),
        ),
        E::InvalidSuspension { index, reason } => {
            ServiceError::invalid(format!("suspensions[{index}]"), reason.to_string())
        }
        other => ServiceError::precondition("CALENDAR", subject, other.to_string()),
    }
}
