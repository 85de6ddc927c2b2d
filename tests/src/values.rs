//! Values that requests carry and answers are checked by: local times and
//! dates of an office in Vietnam, field masks, and the fields an
//! INVALID_ARGUMENT status names.

use chrono::{DateTime, NaiveDate, Utc};
use eiso_proto::eiso::procedures::v1::LocalDate;
use eiso_proto::prost_types::{FieldMask, Timestamp};
use tonic_types::StatusExt;

/// A local (UTC+7) time, to the minute.
pub fn local_time(year: i32, month: u32, day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    let local = NaiveDate::from_ymd_opt(year, month, day)
        .unwrap()
        .and_hms_opt(hour, minute, 0)
        .unwrap();
    (local - chrono::Duration::hours(7)).and_utc()
}

/// `time` in whole seconds.
pub fn timestamp(time: DateTime<Utc>) -> Timestamp {
    Timestamp {
        seconds: time.timestamp(),
        nanos: 0,
    }
}

/// A calendar date (the procedures service's `LocalDate`).
pub fn date(year: i32, month: i32, day: i32) -> Option<LocalDate> {
    Some(LocalDate { year, month, day })
}

/// An update mask of `paths`.
pub fn mask(paths: &[&str]) -> Option<FieldMask> {
    Some(FieldMask {
        paths: paths.iter().map(|p| p.to_string()).collect(),
    })
}

/// The fields an INVALID_ARGUMENT status names in its bad-request details,
/// in order; none when it has no such details.
pub fn bad_fields(status: &tonic::Status) -> Vec<String> {
    status
        .get_error_details()
        .bad_request()
        .map(|b| b.field_violations.iter().map(|v| v.field.clone()).collect())
        .unwrap_or_default()
}

/// The first field an INVALID_ARGUMENT status names, after asserting the
/// status is one; empty when it names none.
pub fn bad_field(status: &tonic::Status) -> String {
    assert_eq!(status.code(), tonic::Code::InvalidArgument, "{status:?}");
    bad_fields(status).into_iter().next().unwrap_or_default()
}
