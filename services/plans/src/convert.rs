//! Dates and times between proto and domain; Asia/Ho_Chi_Minh for local dates.

use chrono::{DateTime, NaiveDate, Utc};
use eiso_platform::ServiceResult;
use eiso_proto::eiso::plans::v1::LocalDate;

/// The time zone of every user-facing date.
pub use eiso_platform::aip::time::TIME_ZONE;

pub fn local_date(instant: DateTime<Utc>) -> NaiveDate {
    instant.with_timezone(&TIME_ZONE).date_naive()
}

pub fn date_to_proto(date: NaiveDate) -> LocalDate {
    use chrono::Datelike;
    LocalDate {
        year: date.year(),
        month: date.month() as i32,
        day: date.day() as i32,
    }
}

/// The date of `date`, refused (naming `field`) when it does not exist or is
/// outside the years a request may name ([`eiso_platform::aip::time`]).
pub fn date_from_proto(date: &LocalDate, field: &str) -> ServiceResult<NaiveDate> {
    eiso_platform::aip::time::date(date.year, date.month, date.day, field)
}

pub use eiso_platform::aip::time::{optional_timestamp as ts, stored_instant as from_ts};

/// `dd/mm/yyyy`.
pub fn vn_date(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}
