//! Conversions between the API's calendar messages and the engine's types.

use chrono::{NaiveDate, NaiveTime, TimeDelta, Weekday};
use eiso_platform::{ServiceError, ServiceResult};
use eiso_proto::eiso::procedures::v1 as pb;
use eiso_proto::prost_types::Duration;

use crate::calendar::{Outcome, ProcessingTime, SupplementMode};

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

/// How a dossier was resolved, as the API (and its Vietnamese label) says it.
pub fn outcome_to_proto(outcome: Outcome) -> pb::Outcome {
    match outcome {
        Outcome::Early => pb::Outcome::Early,
        Outcome::OnTime => pb::Outcome::OnTime,
        Outcome::Late => pb::Outcome::Late,
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

pub fn duration(delta: TimeDelta) -> Duration {
    Duration {
        seconds: delta.num_seconds(),
        nanos: delta.subsec_nanos(),
    }
}

/// The reason (PreconditionFailure type) when working time runs into a year
/// for which an agency's calendar holds no days off at all.
pub const CALENDAR_YEAR_MISSING: &str = "CALENDAR_YEAR_MISSING";
/// The reason when working time runs into a year whose days off are only a
/// proposal.
pub const CALENDAR_YEAR_UNCONFIRMED: &str = "CALENDAR_YEAR_UNCONFIRMED";

/// Engine errors met in `calendar` (`calendars/{unit id}`) while working on
/// `subject`: configuration gaps are preconditions an administrator can fix;
/// anything else about the input is an invalid argument.
pub fn calendar_error(error: crate::calendar::CalendarError, calendar: &str, subject: &str) -> ServiceError {
    calendar_error_at(error, calendar, subject, "calendar")
}

/// [`calendar_error`] for a request whose `field` led the computation out of
/// the calendar's range of years: that is the request's fault
/// (INVALID_ARGUMENT naming `field`), not a gap an administrator can fill.
///
/// A year that is not confirmed is FAILED_PRECONDITION with the reason
/// [`CALENDAR_YEAR_MISSING`] or [`CALENDAR_YEAR_UNCONFIRMED`], whose subject
/// is the year (`calendars/{unit id}/years/{year}`), and whose message says
/// who confirms it and how.
pub fn calendar_error_at(
    error: crate::calendar::CalendarError,
    calendar: &str,
    subject: &str,
    field: &str,
) -> ServiceError {
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
        E::YearNotConfigured(year) => year_not_confirmed(CALENDAR_YEAR_MISSING, calendar, year, "is not confirmed yet"),
        E::YearNotConfirmed(year) => {
            year_not_confirmed(CALENDAR_YEAR_UNCONFIRMED, calendar, year, "is proposed, not confirmed")
        }
        E::InvalidSuspension { index, reason } => {
            ServiceError::invalid(format!("suspensions[{index}]"), reason.to_string())
        }
        other => ServiceError::precondition("CALENDAR", subject, other.to_string()),
    }
}

/// Working time ran into `year`, whose holiday calendar in `calendar` `state`:
/// the year, who confirms it, and the command that does.
fn year_not_confirmed(kind: &'static str, calendar: &str, year: i32, state: &str) -> ServiceError {
    let unit_id = calendar.trim_start_matches("calendars/");
    ServiceError::precondition(
        kind,
        format!("{calendar}/years/{year}"),
        format!(
            "the time runs into {year}, and the {year} holiday calendar {state}: an administrator \
             (role ROLE_ADMIN) of units/{unit_id} or a unit above it confirms it with \
             `eiso calendar confirm {unit_id} --year {year}`"
        ),
    )
}

/// The calendar (`calendars/{unit id}`) and year of an error that says
/// working time ran into a year not confirmed there ([`calendar_error`]);
/// `None` for any other error.
pub fn unconfirmed_calendar_year(error: &ServiceError) -> Option<(&str, i32)> {
    match error {
        ServiceError::FailedPrecondition { kind, subject, .. }
            if *kind == CALENDAR_YEAR_MISSING || *kind == CALENDAR_YEAR_UNCONFIRMED =>
        {
            let (calendar, year) = subject.split_once("/years/")?;
            Some((calendar, year.parse().ok()?))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::CalendarError;

    #[test]
    fn a_year_not_confirmed_names_the_year_and_who_confirms_it() {
        let error = calendar_error(CalendarError::YearNotConfirmed(2027), "calendars/u-1", "dossiers/d-1");
        assert_eq!(error.code(), eiso_proto::tonic::Code::FailedPrecondition);
        assert_eq!(unconfirmed_calendar_year(&error), Some(("calendars/u-1", 2027)));
        let text = error.to_string();
        for said in [
            "the 2027 holiday calendar is proposed, not confirmed",
            "an administrator (role ROLE_ADMIN) of units/u-1 or a unit above it",
            "`eiso calendar confirm u-1 --year 2027`",
        ] {
            assert!(text.contains(said), "{said}: {text}");
        }
        let ServiceError::FailedPrecondition { kind, subject, .. } =
            calendar_error(CalendarError::YearNotConfigured(2028), "calendars/u-1", "dossiers/d-1")
        else {
            panic!("a precondition");
        };
        assert_eq!(
            (kind, subject.as_str()),
            (CALENDAR_YEAR_MISSING, "calendars/u-1/years/2028")
        );
        // Out of the calendar's range of years, it is the request that is wrong.
        let far = calendar_error_at(
            CalendarError::YearNotConfigured(2300),
            "calendars/u-1",
            "x",
            "receive_time",
        );
        assert_eq!(far.code(), eiso_proto::tonic::Code::InvalidArgument);
        assert_eq!(unconfirmed_calendar_year(&far), None);
    }
}
