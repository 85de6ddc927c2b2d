//! Agencies' calendars as stored: settings (office hours, working days,
//! receipt cutoff) and confirmed years. An agency without stored data works
//! on the standard calendar with the shipped years (2024–2026) until an
//! administrator changes it.

use chrono::{DateTime, Utc};
use eiso_platform::aip::time::{optional_instant, optional_timestamp, proto_date, required_instant, timestamp};
use eiso_platform::aip::{etag, field_mask, names};
use eiso_platform::scope::Scope;
use eiso_platform::{CallContext, NewEvent, ServiceError, ServiceResult, Violations};
use eiso_proto::eiso::procedures::v1 as pb;
use sea_orm::ConnectionTrait;

use crate::Procedures;
use crate::calendar::{
    CalendarDay, OfficeCalendar, OfficeHours, OfficeInterval, ProposalOptions, Suspension, YearCalendar, YearStatus,
    data,
};
use crate::convert::*;
use crate::rows::calendars::{calendar_years, find_calendar};
use crate::rows::{CalendarRow, CalendarYearRow};

/// An agency's calendar with the versions of its stored parts.
pub struct StoredCalendar {
    pub unit_id: String,
    pub calendar: OfficeCalendar,
    pub version: i64,
    pub update_time: Option<DateTime<Utc>>,
    /// Stored year rows: year → (version, update time).
    pub years: Vec<(i32, i64, DateTime<Utc>)>,
}

impl StoredCalendar {
    pub fn name(&self) -> String {
        format!("calendars/{}", self.unit_id)
    }

    pub fn to_proto(&self) -> pb::Calendar {
        pb::Calendar {
            name: self.name(),
            office_hours: self
                .calendar
                .office_hours()
                .intervals()
                .iter()
                .map(|i| pb::OfficeHours {
                    start: Some(time_to_proto(i.start)),
                    end: Some(time_to_proto(i.end)),
                })
                .collect(),
            working_days: self
                .calendar
                .working_weekdays()
                .iter()
                .map(|d| weekday_to_proto(*d) as i32)
                .collect(),
            receipt_cutoff: self.calendar.receipt_cutoff().map(time_to_proto),
            update_time: optional_timestamp(self.update_time),
            etag: etag::compute(&self.name(), self.version),
        }
    }

    pub fn year_proto(&self, year: &YearCalendar) -> pb::CalendarYear {
        let name = format!("{}/years/{}", self.name(), year.year);
        let stored = self.years.iter().find(|(y, _, _)| *y == year.year);
        let day = |d: &CalendarDay| pb::SpecialDay {
            date: Some(proto_date(d.date)),
            label: d.label.clone(),
        };
        pb::CalendarYear {
            etag: etag::compute(&name, stored.map(|(_, v, _)| *v).unwrap_or(0)),
            name,
            year: year.year,
            days_off: year.days_off.iter().map(day).collect(),
            makeup_days: year.make_up_days.iter().map(day).collect(),
            proposal: year.status == YearStatus::Proposal,
            update_time: optional_timestamp(stored.map(|(_, _, t)| *t)),
        }
    }
}

/// `calendars/{unit id}` → the unit id.
fn parse_calendar(name: &str, field: &str) -> ServiceResult<String> {
    names::parse(name, "calendars", field)
}

/// `calendars/{unit id}/years/{year}`.
fn parse_year(name: &str, field: &str) -> ServiceResult<(String, i32)> {
    let bad = || ServiceError::invalid(field, "expected `calendars/{unit id}/years/{year}`");
    let (calendar, year) = name.split_once("/years/").ok_or_else(bad)?;
    let year: i32 = year.parse().map_err(|_| bad())?;
    if !(1900..=2199).contains(&year) {
        return Err(ServiceError::invalid(field, "the year must be between 1900 and 2199"));
    }
    Ok((parse_calendar(calendar, field)?, year))
}

/// Loads an agency's calendar (the standard one with the shipped years when
/// nothing is stored).
pub async fn load(db: &impl ConnectionTrait, unit_id: &str) -> ServiceResult<StoredCalendar> {
    let (mut calendar, version, update_time) = match find_calendar(db, unit_id).await? {
        Some(row) => (row.settings, row.version, Some(row.update_time)),
        None => (OfficeCalendar::standard(), 0, None),
    };
    for year in data::shipped_years() {
        calendar.set_year(year).map_err(ServiceError::internal)?;
    }
    let mut years = Vec::new();
    for row in calendar_years(db, unit_id).await? {
        years.push((row.data.year, row.version, row.update_time));
        calendar.set_year(row.data).map_err(ServiceError::internal)?;
    }
    Ok(StoredCalendar {
        unit_id: unit_id.to_string(),
        calendar,
        version,
        update_time,
        years,
    })
}

/// The calendar of `agency` (`units/{id}`), as [`load`].
pub async fn load_agency(db: &impl ConnectionTrait, agency: &str) -> ServiceResult<StoredCalendar> {
    load(db, agency.trim_start_matches("units/")).await
}

fn clean_days(violations: &mut Violations, field: &str, days: &[pb::SpecialDay]) -> Vec<CalendarDay> {
    let mut out = Vec::new();
    for (i, day) in days.iter().enumerate() {
        let label = eiso_platform::aip::text::clean(violations, &format!("{field}[{i}].label"), &day.label, true, 100);
        match day
            .date
            .as_ref()
            .map(|d| date_from_proto(d, &format!("{field}[{i}].date")))
        {
            Some(Ok(date)) => out.push(CalendarDay {
                date,
                label,
                reason: None,
            }),
            Some(Err(ServiceError::InvalidArgument(v))) => {
                for v in v {
                    violations.add(v.field, v.description);
                }
            }
            _ => violations.add(format!("{field}[{i}].date"), "is required"),
        }
    }
    out
}

impl Procedures {
    /// NOT_FOUND unless the agency exists.
    async fn ensure_agency(&self, unit_id: &str) -> ServiceResult<()> {
        let name = format!("units/{unit_id}");
        match self.directory.unit(&name).await? {
            Some(_) => Ok(()),
            None => Err(ServiceError::NotFound(format!("calendars/{unit_id} (no unit {name})"))),
        }
    }

    /// An agency's calendar is changed (or a year proposed for it) only by
    /// the method's roles bound at the agency or above it: the calendar sets
    /// the legal deadline of every dossier the agency receives. Calendars
    /// are public, so a caller outside is told PERMISSION_DENIED.
    async fn authorize_calendar(&self, ctx: &CallContext, unit_id: &str) -> ServiceResult<()> {
        Scope::of_method(self.directory.as_ref(), ctx)
            .await?
            .require(&format!("units/{unit_id}"), &format!("calendars/{unit_id}"))
    }

    pub async fn get_calendar(&self, request: pb::GetCalendarRequest) -> ServiceResult<pb::Calendar> {
        let unit_id = parse_calendar(&request.name, "name")?;
        self.ensure_agency(&unit_id).await?;
        Ok(load(self.journal.db().reader(), &unit_id).await?.to_proto())
    }

    pub async fn update_calendar(
        &self,
        ctx: &CallContext,
        request: pb::UpdateCalendarRequest,
    ) -> ServiceResult<pb::Calendar> {
        let input = request.calendar.unwrap_or_default();
        let unit_id = parse_calendar(&input.name, "calendar.name")?;
        let paths = field_mask::paths(
            request.update_mask.as_ref(),
            &["office_hours", "working_days", "receipt_cutoff"],
        )?;
        self.ensure_agency(&unit_id).await?;
        self.authorize_calendar(ctx, &unit_id).await?;
        let mut tx = self.journal.begin(ctx).await?;
        let mut stored = load(tx.txn(), &unit_id).await?;
        etag::check(&request.etag, &stored.name(), stored.version)?;
        if paths.contains(&"office_hours") {
            let mut intervals = Vec::new();
            for (i, hours) in input.office_hours.iter().enumerate() {
                let field = format!("calendar.office_hours[{i}]");
                let start = time_from_proto(
                    hours
                        .start
                        .as_ref()
                        .ok_or_else(|| ServiceError::invalid(&field, "start is required"))?,
                    &field,
                )?;
                let end = time_from_proto(
                    hours
                        .end
                        .as_ref()
                        .ok_or_else(|| ServiceError::invalid(&field, "end is required"))?,
                    &field,
                )?;
                intervals.push(OfficeInterval::new(start, end));
            }
            let hours = OfficeHours::new(intervals)
                .map_err(|e| ServiceError::invalid("calendar.office_hours", e.to_string()))?;
            stored.calendar.set_office_hours(hours);
        }
        if paths.contains(&"working_days") {
            let days = input
                .working_days
                .iter()
                .enumerate()
                .map(|(i, d)| weekday_from_proto(*d, &format!("calendar.working_days[{i}]")))
                .collect::<ServiceResult<Vec<_>>>()?;
            stored
                .calendar
                .set_working_weekdays(days)
                .map_err(|e| ServiceError::invalid("calendar.working_days", e.to_string()))?;
        }
        if paths.contains(&"receipt_cutoff") {
            let cutoff = input
                .receipt_cutoff
                .as_ref()
                .map(|t| time_from_proto(t, "calendar.receipt_cutoff"))
                .transpose()?;
            stored.calendar.set_receipt_cutoff(cutoff);
        }
        let now = Utc::now();
        let mut row = CalendarRow {
            unit_id: unit_id.clone(),
            settings: stored.calendar.clone(),
            update_time: now,
            version: stored.version,
        };
        if row.version == 0 {
            row.version = 1;
            row.insert(tx.txn()).await?;
        } else {
            row.save(tx.txn(), now).await?;
        }
        stored.version = row.version;
        stored.update_time = Some(now);
        let calendar = stored.to_proto();
        tx.event(NewEvent::with("procedures.calendar.updated", &calendar.name, &calendar));
        tx.commit().await?;
        Ok(calendar)
    }

    pub async fn get_calendar_year(&self, request: pb::GetCalendarYearRequest) -> ServiceResult<pb::CalendarYear> {
        let (unit_id, year) = parse_year(&request.name, "name")?;
        self.ensure_agency(&unit_id).await?;
        let stored = load(self.journal.db().reader(), &unit_id).await?;
        let data = stored
            .calendar
            .year(year)
            .ok_or_else(|| ServiceError::NotFound(request.name.clone()))?;
        Ok(stored.year_proto(data))
    }

    pub async fn list_calendar_years(
        &self,
        request: pb::ListCalendarYearsRequest,
    ) -> ServiceResult<pb::ListCalendarYearsResponse> {
        let unit_id = parse_calendar(&request.parent, "parent")?;
        self.ensure_agency(&unit_id).await?;
        let stored = load(self.journal.db().reader(), &unit_id).await?;
        let mut years: Vec<_> = stored.calendar.years().map(|y| stored.year_proto(y)).collect();
        years.sort_by_key(|y| y.year);
        Ok(pb::ListCalendarYearsResponse { years })
    }

    pub async fn update_calendar_year(
        &self,
        ctx: &CallContext,
        request: pb::UpdateCalendarYearRequest,
    ) -> ServiceResult<pb::CalendarYear> {
        let input = request.year.unwrap_or_default();
        let (unit_id, year) = parse_year(&input.name, "year.name")?;
        let mut violations = Violations::new();
        let days_off = clean_days(&mut violations, "year.days_off", &input.days_off);
        let make_up_days = clean_days(&mut violations, "year.makeup_days", &input.makeup_days);
        violations.check()?;
        self.ensure_agency(&unit_id).await?;
        self.authorize_calendar(ctx, &unit_id).await?;
        let data = YearCalendar {
            year,
            status: YearStatus::Confirmed,
            days_off,
            make_up_days,
        };
        let mut tx = self.journal.begin(ctx).await?;
        let mut stored = load(tx.txn(), &unit_id).await?;
        let name = format!("{}/years/{year}", stored.name());
        let current_version = stored
            .years
            .iter()
            .find(|(y, _, _)| *y == year)
            .map(|(_, v, _)| *v)
            .unwrap_or(0);
        etag::check(&request.etag, &name, current_version)?;
        stored
            .calendar
            .set_year(data.clone())
            .map_err(|e| ServiceError::invalid("year", e.to_string()))?;
        let now = Utc::now();
        CalendarYearRow {
            unit_id: unit_id.clone(),
            data: data.clone(),
            update_time: now,
            version: current_version + 1,
        }
        .put(tx.txn())
        .await?;
        stored.years.retain(|(y, _, _)| *y != year);
        stored.years.push((year, current_version + 1, now));
        let proto = stored.year_proto(&data);
        tx.event(NewEvent::with("procedures.calendar_year.updated", &proto.name, &proto));
        tx.commit().await?;
        Ok(proto)
    }

    pub async fn propose_calendar_year(
        &self,
        ctx: &CallContext,
        request: pb::ProposeCalendarYearRequest,
    ) -> ServiceResult<pb::CalendarYear> {
        let (unit_id, year) = parse_year(&request.name, "name")?;
        self.ensure_agency(&unit_id).await?;
        self.authorize_calendar(ctx, &unit_id).await?;
        let stored = load(self.journal.db().reader(), &unit_id).await?;
        let proposal = stored
            .calendar
            .propose_year(year, &ProposalOptions::default())
            .map_err(|e| crate::convert::calendar_error_at(e, &stored.name(), &request.name, "name"))?;
        let mut proto = stored.year_proto(&proposal);
        proto.etag = String::new();
        proto.update_time = None;
        Ok(proto)
    }

    pub async fn compute_deadline(
        &self,
        request: pb::ComputeDeadlineRequest,
    ) -> ServiceResult<pb::ComputeDeadlineResponse> {
        let unit_id = parse_calendar(&request.calendar, "calendar")?;
        let received = required_instant(request.receive_time.as_ref(), "receive_time")?;
        let processing_time = processing_time_from_proto(request.processing_time.as_ref(), "processing_time")?;
        let supplement_mode = supplement_mode_from_proto(request.supplement_mode, "supplement_mode")?;
        let mut suspensions = Vec::new();
        for (i, s) in request.suspensions.iter().enumerate() {
            let field = format!("suspensions[{i}]");
            let from = required_instant(s.start_time.as_ref(), &format!("{field}.start_time"))?;
            let to = optional_instant(s.end_time.as_ref(), &format!("{field}.end_time"))?;
            suspensions.push(Suspension { from, to });
        }
        self.ensure_agency(&unit_id).await?;
        let stored = load(self.journal.db().reader(), &unit_id).await?;
        let calendar = &stored.calendar;
        let subject = request.calendar.as_str();
        let budget = calendar
            .budget(processing_time)
            .map_err(|e| calendar_error(e, subject, subject))?;
        let start = calendar
            .receipt_start(received)
            .map_err(|e| crate::convert::calendar_error_at(e, subject, subject, "receive_time"))?;
        let deadline = calendar
            .due_with_events(received, budget, supplement_mode, &suspensions)
            .map_err(|e| crate::convert::calendar_error_at(e, subject, subject, "receive_time"))?;
        Ok(match deadline {
            crate::calendar::Deadline::Due(due) => pb::ComputeDeadlineResponse {
                due_time: Some(timestamp(due)),
                start_time: Some(timestamp(start)),
                remaining: None,
            },
            crate::calendar::Deadline::Suspended { remaining, .. } => pb::ComputeDeadlineResponse {
                due_time: None,
                start_time: Some(timestamp(start)),
                remaining: Some(duration(remaining)),
            },
        })
    }
}

/// Working time left before due times, on one agency's calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkingTimeLeft {
    /// For each due time asked about, in order: the working time from now to
    /// it, negative when it has passed (overdue by that much).
    pub left: Vec<chrono::TimeDelta>,
    /// The length of the agency's working day, to say the time in days.
    pub working_day: chrono::TimeDelta,
}

impl Procedures {
    /// The working time from now to each of `due` on the calendar of
    /// `agency` (`units/{id}`): what a list of dossiers shows as "còn 1 ngày
    /// 3 giờ làm việc". A due time outside the calendar's known years counts
    /// as zero and is logged, so one odd dossier never breaks a list.
    pub async fn working_time_left(&self, agency: &str, due: &[DateTime<Utc>]) -> ServiceResult<WorkingTimeLeft> {
        let stored = load_agency(self.journal.db().reader(), agency).await?;
        let now = self.clock.now();
        let left = due
            .iter()
            .map(|due| {
                stored.calendar.working_time_between(now, *due).unwrap_or_else(|error| {
                    tracing::warn!(agency, %error, "working time outside the calendar's years");
                    chrono::TimeDelta::zero()
                })
            })
            .collect();
        Ok(WorkingTimeLeft {
            left,
            working_day: stored.calendar.hours_per_day(),
        })
    }
}
