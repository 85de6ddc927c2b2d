//! `eiso calendar …`: an agency's working time (office hours, working days,
//! days off and make-up days) and the due times counted in it.

use std::path::Path;

use chrono::{Datelike, NaiveDate, Utc};
use eiso_proto::eiso::procedures::v1::Weekday;
use eiso_proto::eiso::procedures::v1::{
    Calendar, CalendarYear, ComputeDeadlineRequest, ComputeDeadlineResponse, GetCalendarRequest,
    GetCalendarYearRequest, LocalDate, LocalTime, ProcessingTime, ProposeCalendarYearRequest, SpecialDay,
    SupplementMode, Suspension, UpdateCalendarYearRequest, processing_time,
};
use eiso_proto::tonic::Code;
use serde::Deserialize;
use serde_json::{Value, json};

use super::procedures::{processing_time_json, processing_time_label};
use crate::cli::{CalendarCommand, CalendarConfirmArgs, CalendarProposeArgs, CalendarShowArgs, DeadlineArgs};
use crate::context::Ctx;
use crate::error::CliError;
use crate::names::{calendar_name, enum_json, label_cell, nfc};
use crate::output::{
    self, TIME_ZONE, details_table, format_local_day, format_working_time, json_time, local_cell, local_day_cell,
    table, to_timestamp, weekday_vi,
};

/// Runs a `calendar` subcommand.
pub async fn run(ctx: &Ctx, command: CalendarCommand) -> Result<(), CliError> {
    match command {
        CalendarCommand::Show(args) => show(ctx, args).await,
        CalendarCommand::Propose(args) => propose(ctx, args).await,
        CalendarCommand::Confirm(args) => confirm(ctx, args).await,
        CalendarCommand::Deadline(args) => deadline(ctx, args).await,
    }
}

async fn show(ctx: &Ctx, args: CalendarShowArgs) -> Result<(), CliError> {
    let name = calendar_name(&args.agency);
    let year = args.year.unwrap_or_else(|| Utc::now().with_timezone(&TIME_ZONE).year());
    let mut client = ctx.calendars();
    let calendar = ctx
        .answer(client.get_calendar(ctx.request(GetCalendarRequest { name: name.clone() })?))
        .await?;
    let request = ctx.request(GetCalendarYearRequest {
        name: format!("{name}/years/{year}"),
    })?;
    // A year nobody has set is not an error: the calendar is still shown.
    let days = match client.get_calendar_year(request).await {
        Ok(response) => Some(response.into_inner()),
        Err(status) if status.code() == Code::NotFound => None,
        Err(status) => return Err(ctx.rpc_error(status)),
    };
    if ctx.json() {
        return output::print_json(&json!({
            "calendar": calendar_json(&calendar),
            "year": days.as_ref().map_or(Value::Null, year_json),
        }));
    }
    output::print_table(&calendar_details(&calendar))?;
    match &days {
        Some(days) => print_year_tables(days),
        None => output::print(&format!(
            "\nno days off or make-up days are set for {year}: an administrator can start from \
             `eiso calendar propose {} --year {year}`",
            args.agency
        )),
    }
}

async fn propose(ctx: &Ctx, args: CalendarProposeArgs) -> Result<(), CliError> {
    let request = ctx.request(ProposeCalendarYearRequest {
        name: format!("{}/years/{}", calendar_name(&args.agency), args.year),
    })?;
    let proposal = ctx.answer(ctx.calendars().propose_calendar_year(request)).await?;
    print_year(
        ctx,
        &proposal,
        "a proposal only: nothing was stored; check it against the government's announcement",
    )
}

/// Confirms a year: the days in `--from`, or the year's stored proposal, or
/// the rules' proposal when nothing is stored. A confirmed year is left as it
/// is unless `--from` replaces it (with its etag: no lost update).
async fn confirm(ctx: &Ctx, args: CalendarConfirmArgs) -> Result<(), CliError> {
    // The file first: a mistake in it is found before calling the server.
    let from = args
        .from
        .as_deref()
        .map(|path| read_year_file(path, args.year))
        .transpose()?;
    let name = format!("{}/years/{}", calendar_name(&args.agency), args.year);
    let mut client = ctx.calendars();
    let stored = match client
        .get_calendar_year(ctx.request(GetCalendarYearRequest { name: name.clone() })?)
        .await
    {
        Ok(response) => Some(response.into_inner()),
        Err(status) if status.code() == Code::NotFound => None,
        Err(status) => return Err(ctx.rpc_error(status)),
    };
    let etag = stored.as_ref().map(|year| year.etag.clone()).unwrap_or_default();
    let (days_off, makeup_days) = match (from, stored) {
        (Some(days), _) => days,
        (None, Some(year)) if !year.proposal => {
            return print_year(
                ctx,
                &year,
                &format!(
                    "{} is already confirmed: nothing changed (to replace its days, use --from FILE)",
                    args.year
                ),
            );
        }
        (None, Some(proposal)) => (proposal.days_off, proposal.makeup_days),
        (None, None) => {
            let request = ctx.request(ProposeCalendarYearRequest { name: name.clone() })?;
            let proposal = ctx.answer(client.propose_calendar_year(request)).await?;
            (proposal.days_off, proposal.makeup_days)
        }
    };
    let request = ctx.request(UpdateCalendarYearRequest {
        year: Some(CalendarYear {
            name,
            year: args.year,
            days_off,
            makeup_days,
            ..CalendarYear::default()
        }),
        etag,
    })?;
    let confirmed = ctx.answer(client.update_calendar_year(request)).await?;
    print_year(
        ctx,
        &confirmed,
        &format!("{} is confirmed: deadlines may now run into it", confirmed.year),
    )
}

/// A year's days as `eiso calendar propose -o json` prints them ([`year_json`]).
#[derive(Deserialize)]
struct YearFile {
    year: Option<i32>,
    #[serde(default)]
    days_off: Vec<DayFile>,
    #[serde(default)]
    makeup_days: Vec<DayFile>,
}

#[derive(Deserialize)]
struct DayFile {
    date: DateFile,
    label: String,
}

#[derive(Deserialize)]
struct DateFile {
    year: i32,
    month: i32,
    day: i32,
}

/// The days off and make-up days of `year` in the JSON file at `path`;
/// a usage error naming the file when it is not such a year.
fn read_year_file(path: &Path, year: i32) -> Result<(Vec<SpecialDay>, Vec<SpecialDay>), CliError> {
    let text = std::fs::read_to_string(path)
        .map_err(|error| anyhow::Error::new(error).context(format!("cannot read {}", path.display())))?;
    parse_year_file(&text, year).map_err(|problem| CliError::Usage(format!("{}: {problem}", path.display())))
}

fn parse_year_file(text: &str, year: i32) -> Result<(Vec<SpecialDay>, Vec<SpecialDay>), String> {
    let file: YearFile = serde_json::from_str(text)
        .map_err(|error| format!("not a year as `eiso calendar propose -o json` prints it ({error})"))?;
    if let Some(other) = file.year.filter(|other| *other != year) {
        return Err(format!("it holds the year {other}, not {year}"));
    }
    let days = |days: Vec<DayFile>| {
        days.into_iter()
            .map(|day| SpecialDay {
                date: Some(LocalDate {
                    year: day.date.year,
                    month: day.date.month,
                    day: day.date.day,
                }),
                label: nfc(&day.label),
            })
            .collect()
    };
    Ok((days(file.days_off), days(file.makeup_days)))
}

async fn deadline(ctx: &Ctx, args: DeadlineArgs) -> Result<(), CliError> {
    let received = args.received.unwrap_or_else(Utc::now);
    let budget = match (args.days, args.hours) {
        (Some(days), _) => processing_time::Budget::WorkingDays(days),
        (None, Some(hours)) => processing_time::Budget::WorkingHours(hours),
        (None, None) => {
            return Err(CliError::Usage(
                "give the processing time with --days N or --hours N".to_string(),
            ));
        }
    };
    let processing_time = ProcessingTime { budget: Some(budget) };
    let mode = if args.pause {
        SupplementMode::Pause
    } else {
        SupplementMode::Restart
    };
    if args
        .supplements
        .iter()
        .rev()
        .skip(1)
        .any(|span| span.end_time.is_none())
    {
        return Err(CliError::Usage(
            "only the last --supplement may still be open (FROM..)".to_string(),
        ));
    }
    let request = ComputeDeadlineRequest {
        calendar: calendar_name(&args.agency),
        receive_time: Some(to_timestamp(received)),
        processing_time: Some(processing_time),
        suspensions: args.supplements,
        supplement_mode: mode as i32,
    };
    let response = ctx
        .answer(ctx.calendars().compute_deadline(ctx.request(request.clone())?))
        .await?;
    if ctx.json() {
        return output::print_json(&deadline_json(&request, &response));
    }
    output::print_table(&deadline_details(&request, &response))
}

/// `HH:MM`.
fn time_label(time: Option<&LocalTime>) -> String {
    time.map(|time| format!("{:02}:{:02}", time.hours, time.minutes))
        .unwrap_or_default()
}

fn time_json(time: Option<&LocalTime>) -> Value {
    time.map_or(
        Value::Null,
        |time| json!({ "hours": time.hours, "minutes": time.minutes }),
    )
}

fn date_of(date: Option<&LocalDate>) -> Option<NaiveDate> {
    let date = date?;
    NaiveDate::from_ymd_opt(
        date.year,
        u32::try_from(date.month).ok()?,
        u32::try_from(date.day).ok()?,
    )
}

fn date_json(date: Option<&LocalDate>) -> Value {
    date.map_or(
        Value::Null,
        |date| json!({ "year": date.year, "month": date.month, "day": date.day }),
    )
}

fn calendar_details(calendar: &Calendar) -> comfy_table::Table {
    let hours = calendar
        .office_hours
        .iter()
        .map(|span| format!("{}–{}", time_label(span.start.as_ref()), time_label(span.end.as_ref())))
        .collect::<Vec<_>>()
        .join(", ");
    let days = calendar
        .working_days
        .iter()
        .map(|day| label_cell::<Weekday>(*day, "weekday"))
        .collect::<Vec<_>>()
        .join(", ");
    let cutoff = match &calendar.receipt_cutoff {
        Some(cutoff) => format!(
            "{}: a receipt after it starts the clock on the next working day",
            time_label(Some(cutoff))
        ),
        None => "none: the clock starts at receipt".to_string(),
    };
    details_table([
        ("calendar", calendar.name.clone()),
        ("office hours", hours),
        ("working days", days),
        ("receipt cutoff", cutoff),
        (
            "updated",
            if calendar.update_time.is_some() {
                local_cell(calendar.update_time.as_ref())
            } else {
                "never: the standard calendar".to_string()
            },
        ),
        ("etag", calendar.etag.clone()),
    ])
}

/// Prints a year: as JSON, or as its tables and then `note`.
fn print_year(ctx: &Ctx, year: &CalendarYear, note: &str) -> Result<(), CliError> {
    if ctx.json() {
        return output::print_json(&year_json(year));
    }
    print_year_tables(year)?;
    output::note(note);
    Ok(())
}

/// A year's days off and make-up days, in date order, in one table.
fn print_year_tables(year: &CalendarYear) -> Result<(), CliError> {
    let mut heading = format!("\nDays off and make-up working days in {}", year.year);
    if year.proposal {
        heading.push_str(" (PROPOSAL: not confirmed)");
    } else if year.update_time.is_some() {
        heading.push_str(&format!(", confirmed {}", local_cell(year.update_time.as_ref())));
    }
    output::print(&heading)?;
    if year.days_off.is_empty() && year.makeup_days.is_empty() {
        return output::print("none");
    }
    output::print_table(&year_table(year))
}

fn year_table(year: &CalendarYear) -> comfy_table::Table {
    let mut days: Vec<(Option<NaiveDate>, &str, &SpecialDay)> = year
        .days_off
        .iter()
        .map(|day| (date_of(day.date.as_ref()), "ngày nghỉ", day))
        .chain(
            year.makeup_days
                .iter()
                .map(|day| (date_of(day.date.as_ref()), "ngày làm bù", day)),
        )
        .collect();
    days.sort_by_key(|(date, _, _)| *date);
    let mut table = table(["DATE", "DAY", "KIND", "LABEL"]);
    for (date, kind, day) in days {
        table.add_row(vec![
            date.map(|date| date.format("%d/%m/%Y").to_string()).unwrap_or_default(),
            date.map(|date| weekday_vi(date.weekday()).to_string())
                .unwrap_or_default(),
            kind.to_string(),
            day.label.clone(),
        ]);
    }
    table
}

fn deadline_details(request: &ComputeDeadlineRequest, response: &ComputeDeadlineResponse) -> comfy_table::Table {
    let mut rows = vec![
        ("calendar", request.calendar.clone()),
        ("received", local_day_cell(request.receive_time.as_ref())),
        (
            "processing time",
            processing_time_label(request.processing_time.as_ref()),
        ),
    ];
    for span in &request.suspensions {
        rows.push((
            "supplement",
            format!(
                "{} – {}",
                local_cell(span.start_time.as_ref()),
                span.end_time
                    .as_ref()
                    .map_or_else(|| "still waiting".to_string(), |end| local_cell(Some(end)))
            ),
        ));
    }
    if !request.suspensions.is_empty() {
        rows.push((
            "while waiting",
            if request.supplement_mode == SupplementMode::Pause as i32 {
                "the clock pauses and resumes"
            } else {
                "the clock restarts from zero"
            }
            .to_string(),
        ));
    }
    rows.push(("clock starts", local_day_cell(response.start_time.as_ref())));
    match (&response.due_time, &response.remaining) {
        (Some(due), _) => rows.push((
            "due",
            output::to_utc(due).map_or_else(|| "(invalid time)".to_string(), format_local_day),
        )),
        (None, Some(remaining)) => rows.push((
            "remaining",
            format!(
                "{} of working time, once the supplement arrives",
                format_working_time(remaining.seconds)
            ),
        )),
        (None, None) => rows.push(("due", "not known while a supplement is awaited".to_string())),
    }
    details_table(rows)
}

fn deadline_json(request: &ComputeDeadlineRequest, response: &ComputeDeadlineResponse) -> Value {
    json!({
        "calendar": request.calendar,
        "receive_time": json_time(request.receive_time.as_ref()),
        "processing_time": processing_time_json(request.processing_time.as_ref()),
        "suspensions": request.suspensions.iter().map(suspension_json).collect::<Vec<_>>(),
        "supplement_mode": enum_json::<SupplementMode>(request.supplement_mode),
        "start_time": json_time(response.start_time.as_ref()),
        "due_time": json_time(response.due_time.as_ref()),
        "remaining": response
            .remaining
            .as_ref()
            .map_or(Value::Null, |remaining| Value::from(format!("{}s", remaining.seconds))),
    })
}

fn suspension_json(span: &Suspension) -> Value {
    json!({
        "start_time": json_time(span.start_time.as_ref()),
        "end_time": json_time(span.end_time.as_ref()),
    })
}

/// A calendar for JSON output.
pub fn calendar_json(calendar: &Calendar) -> Value {
    json!({
        "name": calendar.name,
        "office_hours": calendar.office_hours.iter().map(|span| json!({
            "start": time_json(span.start.as_ref()),
            "end": time_json(span.end.as_ref()),
        })).collect::<Vec<_>>(),
        "working_days": calendar.working_days.iter().map(|day| enum_json::<Weekday>(*day)).collect::<Vec<_>>(),
        "receipt_cutoff": time_json(calendar.receipt_cutoff.as_ref()),
        "update_time": json_time(calendar.update_time.as_ref()),
        "etag": calendar.etag,
    })
}

/// A calendar year for JSON output.
pub fn year_json(year: &CalendarYear) -> Value {
    let day = |day: &SpecialDay| json!({ "date": date_json(day.date.as_ref()), "label": day.label });
    json!({
        "name": year.name,
        "year": year.year,
        "days_off": year.days_off.iter().map(day).collect::<Vec<_>>(),
        "makeup_days": year.makeup_days.iter().map(day).collect::<Vec<_>>(),
        "proposal": year.proposal,
        "update_time": json_time(year.update_time.as_ref()),
        "etag": year.etag,
    })
}

#[cfg(test)]
mod tests {
    use eiso_proto::eiso::procedures::v1::{OfficeHours, Weekday};
    use eiso_proto::prost_types::Duration;

    use super::*;
    use crate::output::parse_time;

    fn day(year: i32, month: i32, date: i32, label: &str) -> SpecialDay {
        SpecialDay {
            date: Some(LocalDate { year, month, day: date }),
            label: label.to_string(),
        }
    }

    #[test]
    fn a_calendar_reads_in_local_words() {
        let calendar = Calendar {
            name: "calendars/u-1".to_string(),
            office_hours: vec![
                OfficeHours {
                    start: Some(LocalTime { hours: 7, minutes: 0 }),
                    end: Some(LocalTime { hours: 11, minutes: 30 }),
                },
                OfficeHours {
                    start: Some(LocalTime { hours: 13, minutes: 30 }),
                    end: Some(LocalTime { hours: 17, minutes: 0 }),
                },
            ],
            working_days: vec![Weekday::Monday as i32, Weekday::Friday as i32],
            ..Calendar::default()
        };
        let text = calendar_details(&calendar).to_string();
        assert!(text.contains("07:00–11:30, 13:30–17:00"), "{text}");
        assert!(text.contains("Thứ Hai, Thứ Sáu"), "{text}");
        assert!(text.contains("the standard calendar"), "{text}");
        let value = calendar_json(&calendar);
        assert_eq!(value["working_days"][0], "WEEKDAY_MONDAY");
        assert_eq!(value["office_hours"][1]["start"]["hours"], 13);
        assert_eq!(value["receipt_cutoff"], Value::Null);
    }

    #[test]
    fn days_off_and_make_up_days_are_one_table_in_date_order() {
        let year = CalendarYear {
            name: "calendars/u-1/years/2025".to_string(),
            year: 2025,
            days_off: vec![day(2025, 5, 2, "Nghỉ bù"), day(2025, 1, 1, "Tết Dương lịch")],
            makeup_days: vec![day(2025, 4, 26, "Ngày làm bù")],
            ..CalendarYear::default()
        };
        let text = year_table(&year).to_string();
        let first = text.find("01/01/2025").unwrap_or(usize::MAX);
        let makeup = text.find("26/04/2025").unwrap_or(0);
        let bridge = text.find("02/05/2025").unwrap_or(0);
        assert!(first < makeup && makeup < bridge, "{text}");
        assert!(text.contains("Thứ Bảy") && text.contains("ngày làm bù"), "{text}");
        assert_eq!(year_json(&year)["makeup_days"][0]["date"]["month"], 4);
    }

    #[test]
    fn a_year_file_is_read_back_as_propose_prints_it() {
        let printed = year_json(&CalendarYear {
            name: "calendars/u-1/years/2027".to_string(),
            year: 2027,
            days_off: vec![day(2027, 1, 1, "Te\u{0302}\u{0301}t Dương lịch")],
            makeup_days: vec![day(2027, 2, 20, "Ngày làm bù")],
            proposal: true,
            ..CalendarYear::default()
        });
        let (days_off, makeup_days) = parse_year_file(&printed.to_string(), 2027).unwrap_or_default();
        assert_eq!(days_off, [day(2027, 1, 1, "Tết Dương lịch")], "labels in NFC");
        assert_eq!(makeup_days, [day(2027, 2, 20, "Ngày làm bù")]);
        let other = parse_year_file(&printed.to_string(), 2028).err().unwrap_or_default();
        assert!(other.contains("holds the year 2027, not 2028"), "{other}");
        let broken = parse_year_file("{\"days_off\": [{\"label\": \"x\"}]}", 2027)
            .err()
            .unwrap_or_default();
        assert!(broken.contains("missing field `date`"), "{broken}");
    }

    #[test]
    fn a_deadline_shows_its_due_time_or_what_remains() {
        let received = parse_time("10/03/2025 08:00").ok().map(to_timestamp);
        let due = parse_time("13/03/2025 08:00").ok().map(to_timestamp);
        let request = ComputeDeadlineRequest {
            calendar: "calendars/u-1".to_string(),
            receive_time: received,
            processing_time: Some(ProcessingTime {
                budget: Some(processing_time::Budget::WorkingDays(3)),
            }),
            suspensions: Vec::new(),
            supplement_mode: SupplementMode::Restart as i32,
        };
        let response = ComputeDeadlineResponse {
            due_time: due,
            start_time: received,
            remaining: None,
        };
        let text = deadline_details(&request, &response).to_string();
        assert!(text.contains("13/03/2025 08:00 (Thứ Năm)"), "{text}");
        assert!(text.contains("10/03/2025 08:00 (Thứ Hai)"), "{text}");
        let value = deadline_json(&request, &response);
        assert_eq!(value["due_time"], "2025-03-13T01:00:00Z");
        assert_eq!(value["processing_time"]["working_days"], 3);

        let waiting = ComputeDeadlineResponse {
            due_time: None,
            start_time: received,
            remaining: Some(Duration {
                seconds: 13 * 3600 + 30 * 60,
                nanos: 0,
            }),
        };
        let text = deadline_details(&request, &waiting).to_string();
        assert!(text.contains("13 giờ 30 phút of working time"), "{text}");
        assert_eq!(deadline_json(&request, &waiting)["remaining"], "48600s");
    }
}
