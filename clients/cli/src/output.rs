//! Tables for people, JSON for scripts, and the time formats of each.
//!
//! Tables show times in Asia/Ho_Chi_Minh as `dd/mm/yyyy HH:MM`; JSON shows
//! them in RFC 3339, UTC. Writing to a closed pipe (`eiso users list | head`)
//! ends the output quietly instead of failing.

use std::io::{self, Write};

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, SecondsFormat, TimeZone, Utc};
use chrono_tz::Tz;
use clap::ValueEnum;
use comfy_table::{ContentArrangement, Table, presets};
use eiso_proto::eiso::documents::v1::{Document, Record, Revision};
use eiso_proto::eiso::identity::v1::{Unit, User};
use eiso_proto::eiso::procedures::v1::{LocalDate, Procedure};
use eiso_proto::labels::Label;
use eiso_proto::prost_types::Timestamp;
use serde_json::Value;

use crate::error::CliError;

/// The office's time zone: every time a person reads is in it.
pub const TIME_ZONE: Tz = chrono_tz::Asia::Ho_Chi_Minh;

/// How results are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Tables for people.
    Table,
    /// JSON for scripts: RFC 3339 UTC times, enum values as in the proto.
    Json,
}

/// A protobuf timestamp as a UTC time; `None` when it is out of range.
pub fn to_utc(timestamp: &Timestamp) -> Option<DateTime<Utc>> {
    let nanos = u32::try_from(timestamp.nanos).ok()?;
    DateTime::from_timestamp(timestamp.seconds, nanos)
}

/// `dd/mm/yyyy HH:MM` in Asia/Ho_Chi_Minh.
pub fn format_local(time: DateTime<Utc>) -> String {
    time.with_timezone(&TIME_ZONE).format("%d/%m/%Y %H:%M").to_string()
}

/// A timestamp field for a table: empty when unset.
pub fn local_cell(timestamp: Option<&Timestamp>) -> String {
    match timestamp {
        None => String::new(),
        Some(timestamp) => to_utc(timestamp).map_or_else(|| "(invalid time)".to_string(), format_local),
    }
}

/// RFC 3339 in UTC with a `Z`, with fractional seconds only when there are any.
pub fn format_rfc3339(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// A timestamp field for JSON: null when unset or out of range.
pub fn json_time(timestamp: Option<&Timestamp>) -> Value {
    timestamp
        .and_then(to_utc)
        .map_or(Value::Null, |time| Value::String(format_rfc3339(time)))
}

/// A time as a person types it: `dd/mm/yyyy HH:MM` or `dd/mm/yyyy` (00:00)
/// in Asia/Ho_Chi_Minh, or RFC 3339 with its offset. A clap value parser.
pub fn parse_time(input: &str) -> Result<DateTime<Utc>, String> {
    let input = input.trim();
    if let Ok(time) = DateTime::parse_from_rfc3339(input) {
        return Ok(time.with_timezone(&Utc));
    }
    let local = NaiveDateTime::parse_from_str(input, "%d/%m/%Y %H:%M")
        .or_else(|_| NaiveDate::parse_from_str(input, "%d/%m/%Y").map(|date| date.and_time(NaiveTime::MIN)));
    let local = local.map_err(|_| {
        format!(
            "`{input}` is not a time: expected \"dd/mm/yyyy HH:MM\" or dd/mm/yyyy (Asia/Ho_Chi_Minh), \
             or RFC 3339 such as 2025-07-01T09:00:00+07:00"
        )
    })?;
    TIME_ZONE
        .from_local_datetime(&local)
        .single()
        .map(|time| time.with_timezone(&Utc))
        .ok_or_else(|| format!("`{input}` does not exist in Asia/Ho_Chi_Minh"))
}

/// A day as a person types it: `dd/mm/yyyy` (or ISO `yyyy-mm-dd`). A clap
/// value parser.
pub fn parse_date(input: &str) -> Result<NaiveDate, String> {
    let input = input.trim();
    NaiveDate::parse_from_str(input, "%d/%m/%Y")
        .or_else(|_| NaiveDate::parse_from_str(input, "%Y-%m-%d"))
        .map_err(|_| format!("`{input}` is not a day: expected dd/mm/yyyy, e.g. 01/07/2025"))
}

/// A day as the API takes it.
pub fn local_date(day: NaiveDate) -> LocalDate {
    LocalDate {
        year: day.year(),
        month: i32::try_from(day.month()).unwrap_or_default(),
        day: i32::try_from(day.day()).unwrap_or_default(),
    }
}

/// A day typed as [`parse_date`] reads it, as the API takes it.
pub fn parse_local_date(input: &str) -> Result<LocalDate, CliError> {
    parse_date(input).map(local_date).map_err(CliError::Usage)
}

/// A day from the API as `dd/mm/yyyy`; empty when unset.
pub fn local_date_text(date: Option<&LocalDate>) -> String {
    date.map(|d| format!("{:02}/{:02}/{}", d.day, d.month, d.year))
        .unwrap_or_default()
}

/// A local day's name in Vietnamese (`Thứ Hai` … `Chủ nhật`), as
/// [`Weekday`](eiso_proto::eiso::procedures::v1::Weekday) labels it.
pub fn weekday_vi(day: chrono::Weekday) -> &'static str {
    let number = i32::try_from(day.number_from_monday()).unwrap_or_default();
    eiso_proto::eiso::procedures::v1::Weekday::label_vi_of(number).unwrap_or_default()
}

/// `dd/mm/yyyy HH:MM (Thứ Năm)` in Asia/Ho_Chi_Minh: what a clerk reads out.
pub fn format_local_day(time: DateTime<Utc>) -> String {
    let local = time.with_timezone(&TIME_ZONE);
    format!("{} ({})", local.format("%d/%m/%Y %H:%M"), weekday_vi(local.weekday()))
}

/// A timestamp field with its weekday for a table: empty when unset.
pub fn local_day_cell(timestamp: Option<&Timestamp>) -> String {
    match timestamp {
        None => String::new(),
        Some(timestamp) => to_utc(timestamp).map_or_else(|| "(invalid time)".to_string(), format_local_day),
    }
}

/// An amount in đồng, thousands grouped with dots: `1.500.000 đồng`.
pub fn format_vnd(amount: i64) -> String {
    let digits = amount.unsigned_abs().to_string();
    let mut grouped = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push('.');
        }
        grouped.push(digit);
    }
    let sign = if amount < 0 { "-" } else { "" };
    format!("{sign}{grouped} đồng")
}

/// A fraction 0–1 as a percentage with one decimal, the decimal mark a comma
/// as Vietnamese reports write it: `66,7%`.
pub fn format_percent(fraction: f64) -> String {
    if !fraction.is_finite() {
        return "–".to_string();
    }
    format!("{:.1}%", fraction * 100.0).replace('.', ",")
}

/// Working time for people: `13 giờ 30 phút`, `2 giờ`, `45 phút`.
pub fn format_working_time(seconds: i64) -> String {
    let minutes = (seconds.max(0) + 59) / 60;
    let (hours, minutes) = (minutes / 60, minutes % 60);
    match (hours, minutes) {
        (0, minutes) => format!("{minutes} phút"),
        (hours, 0) => format!("{hours} giờ"),
        (hours, minutes) => format!("{hours} giờ {minutes} phút"),
    }
}

/// A UTC time as a protobuf timestamp.
pub fn to_timestamp(time: DateTime<Utc>) -> Timestamp {
    Timestamp {
        seconds: time.timestamp(),
        nanos: i32::try_from(time.timestamp_subsec_nanos()).unwrap_or(0),
    }
}

/// A size in bytes for people: `512 B`, `1.5 KiB`, `5.0 MiB`, `1.2 GiB`.
pub fn format_size(bytes: i64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64;
    let mut unit = "B";
    for next in UNITS {
        if value < 1024.0 {
            break;
        }
        value /= 1024.0;
        unit = next;
    }
    format!("{value:.1} {unit}")
}

/// `1 month`, `12 months`.
pub fn months(count: i32) -> String {
    if count == 1 {
        "1 month".to_string()
    } else {
        format!("{count} months")
    }
}

/// A table with the house style; `headers` names the columns.
pub fn table<I, S>(headers: I) -> Table
where
    I: IntoIterator<Item = S>,
    S: Into<comfy_table::Cell>,
{
    let mut table = Table::new();
    table
        .load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(headers);
    table
}

/// A two-column table of labelled values, for one resource.
pub fn details_table<'a>(rows: impl IntoIterator<Item = (&'a str, String)>) -> Table {
    let mut table = Table::new();
    table
        .load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic);
    for (label, value) in rows {
        table.add_row(vec![label.to_string(), value]);
    }
    table
}

/// A stored resource's stamps: when it was created and last updated, and its
/// etag.
pub trait Stamped {
    fn stamps(&self) -> (Option<&Timestamp>, Option<&Timestamp>, &str);
}

macro_rules! stamped {
    ($($resource:ty),* $(,)?) => {$(
        impl Stamped for $resource {
            fn stamps(&self) -> (Option<&Timestamp>, Option<&Timestamp>, &str) {
                (self.create_time.as_ref(), self.update_time.as_ref(), &self.etag)
            }
        }
    )*};
}

stamped!(Document, Revision, Record, Procedure, Unit, User);

/// [`details_table`] of `rows`, then what every stored resource shows last:
/// when it was created and updated, and its etag.
pub fn stamped_details_table<'a>(rows: impl IntoIterator<Item = (&'a str, String)>, resource: &impl Stamped) -> Table {
    let (create_time, update_time, etag) = resource.stamps();
    details_table(rows.into_iter().chain([
        ("created", local_cell(create_time)),
        ("updated", local_cell(update_time)),
        ("etag", etag.to_string()),
    ]))
}

/// Prints a section of what is shown: `\nHEADING` and its table, or
/// `\nHEADING: NONE` when it is empty.
pub fn print_section(heading: &str, none: &str, empty: bool, table: impl FnOnce() -> Table) -> Result<(), CliError> {
    if empty {
        return print(&format!("\n{heading}: {none}"));
    }
    print(&format!("\n{heading}"))?;
    print_table(&table())
}

/// Writes `text` and a newline to standard output.
pub fn print(text: &str) -> Result<(), CliError> {
    let mut stdout = io::stdout().lock();
    let written = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.write_all(b"\n"))
        .and_then(|()| stdout.flush());
    match written {
        Err(error) if error.kind() != io::ErrorKind::BrokenPipe => Err(anyhow::Error::new(error)
            .context("cannot write to standard output")
            .into()),
        _ => Ok(()),
    }
}

/// Prints a table.
pub fn print_table(table: &Table) -> Result<(), CliError> {
    print(&table.to_string())
}

/// Prints a JSON value, pretty.
pub fn print_json(value: &Value) -> Result<(), CliError> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|error| anyhow::Error::new(error).context("cannot encode the result as JSON"))?;
    print(&text)
}

/// A note for the person at the terminal, on standard error, so that it never
/// mixes with the results on standard output.
pub fn note(text: &str) {
    let _ = writeln!(io::stderr().lock(), "{text}");
}

/// A warning on standard error.
pub fn warn(text: &str) {
    note(&format!("warning: {text}"));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_time_is_ho_chi_minh_day_first() {
        // 2025-07-01T00:00:00Z is 07:00 the same day in Hà Nội (UTC+7, no DST).
        let timestamp = Timestamp {
            seconds: 1_751_328_000,
            nanos: 0,
        };
        assert_eq!(local_cell(Some(&timestamp)), "01/07/2025 07:00");
    }

    #[test]
    fn local_time_crosses_midnight_into_the_next_day() {
        // 2024-12-31T17:30:00Z is 00:30 on New Year's Day in Hà Nội.
        let time = DateTime::parse_from_rfc3339("2024-12-31T17:30:00Z")
            .map(|time| time.with_timezone(&Utc))
            .ok();
        assert_eq!(time.map(format_local).as_deref(), Some("01/01/2025 00:30"));
    }

    #[test]
    fn json_time_is_rfc3339_utc() {
        let timestamp = Timestamp {
            seconds: 1_751_328_000,
            nanos: 500_000_000,
        };
        assert_eq!(
            json_time(Some(&timestamp)),
            Value::String("2025-07-01T00:00:00.500Z".into())
        );
        assert_eq!(
            json_time(Some(&Timestamp {
                seconds: 1_751_328_000,
                nanos: 0
            })),
            Value::String("2025-07-01T00:00:00Z".into())
        );
        assert_eq!(json_time(None), Value::Null);
    }

    #[test]
    fn unset_and_invalid_times() {
        assert_eq!(local_cell(None), "");
        let invalid = Timestamp { seconds: 0, nanos: -1 };
        assert_eq!(local_cell(Some(&invalid)), "(invalid time)");
        assert_eq!(json_time(Some(&invalid)), Value::Null);
    }

    #[test]
    fn tables_keep_vietnamese_text() {
        let mut table = table(["MÃ", "TÊN"]);
        table.add_row(vec!["31-GDDT", "Phòng Giáo dục và Đào tạo"]);
        let text = table.to_string();
        assert!(text.contains("Phòng Giáo dục và Đào tạo"), "{text}");
    }

    #[test]
    fn people_type_times_in_ho_chi_minh_or_rfc3339() {
        let expected = DateTime::parse_from_rfc3339("2025-07-01T02:30:00Z")
            .map(|time| time.with_timezone(&Utc))
            .ok();
        assert_eq!(parse_time("01/07/2025 09:30").ok(), expected);
        assert_eq!(parse_time("2025-07-01T09:30:00+07:00").ok(), expected);
        assert_eq!(parse_time("2025-07-01T02:30:00Z").ok(), expected);
        let midnight = DateTime::parse_from_rfc3339("2025-06-30T17:00:00Z")
            .map(|time| time.with_timezone(&Utc))
            .ok();
        assert_eq!(parse_time("01/07/2025").ok(), midnight);
        assert!(parse_time("2025-07-01").is_err());
        assert!(parse_time("31/02/2025 10:00").is_err());
        assert!(parse_time("07/01/2025 25:00").is_err());
        let timestamp = expected.map(to_timestamp);
        assert_eq!(local_cell(timestamp.as_ref()), "01/07/2025 09:30");
    }

    #[test]
    fn money_rates_and_working_time_read_as_in_vietnamese_reports() {
        assert_eq!(format_vnd(0), "0 đồng");
        assert_eq!(format_vnd(50_000), "50.000 đồng");
        assert_eq!(format_vnd(1_500_000), "1.500.000 đồng");
        assert_eq!(format_vnd(-1_000), "-1.000 đồng");
        assert_eq!(format_percent(2.0 / 3.0), "66,7%");
        assert_eq!(format_percent(1.0), "100,0%");
        assert_eq!(format_percent(0.0), "0,0%");
        assert_eq!(format_working_time(13 * 3600 + 30 * 60), "13 giờ 30 phút");
        assert_eq!(format_working_time(7200), "2 giờ");
        assert_eq!(format_working_time(45 * 60), "45 phút");
    }

    #[test]
    fn days_are_typed_day_first_and_shown_with_their_weekday() {
        assert_eq!(
            parse_date("10/03/2025"),
            Ok(NaiveDate::from_ymd_opt(2025, 3, 10).unwrap_or_default())
        );
        assert_eq!(parse_date("2025-03-10"), parse_date("10/03/2025"));
        assert!(parse_date("31/02/2025").is_err());
        let thursday = parse_time("13/03/2025 08:00").map(format_local_day);
        assert_eq!(thursday.as_deref(), Ok("13/03/2025 08:00 (Thứ Năm)"));
    }

    #[test]
    fn sizes_read_well() {
        assert_eq!(format_size(0), "0 B");
        assert_eq!(format_size(1023), "1023 B");
        assert_eq!(format_size(1536), "1.5 KiB");
        assert_eq!(format_size(5 << 20), "5.0 MiB");
        assert_eq!(format_size(3 << 30), "3.0 GiB");
        assert_eq!(months(1), "1 month");
        assert_eq!(months(12), "12 months");
    }

    #[test]
    fn days_become_local_dates_and_back() {
        let date = NaiveDate::from_ymd_opt(2025, 3, 10).unwrap_or_default();
        assert_eq!(
            local_date(date),
            LocalDate {
                year: 2025,
                month: 3,
                day: 10
            }
        );
        assert_eq!(local_date_text(Some(&local_date(date))), "10/03/2025");
        assert_eq!(parse_local_date("10/03/2025").ok(), Some(local_date(date)));
        assert_eq!(local_date_text(None), "");
    }
}
