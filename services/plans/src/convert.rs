//! Dates and times between proto and domain; Asia/Ho_Chi_Minh for local dates.

use chrono::{DateTime, NaiveDate, Utc};
use eiso_platform::ServiceResult;
use eiso_platform::aip::time::TIME_ZONE;
use eiso_proto::eiso::plans::v1::LocalDate;

pub fn local_date(instant: DateTime<Utc>) -> NaiveDate {
    instant.with_timezone(&TIME_ZONE).date_naive()
}

/// The date of `date`, refused (naming `field`) when it does not exist or is
/// outside the years a request may name ([`eiso_platform::aip::time`]).
pub fn date_from_proto(date: &LocalDate, field: &str) -> ServiceResult<NaiveDate> {
    eiso_platform::aip::time::date(date.year, date.month, date.day, field)
}

/// `dd/mm/yyyy`.
pub fn vn_date(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}
