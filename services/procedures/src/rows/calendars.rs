//! The `calendars` table (an agency's settings: office hours, working days,
//! receipt cutoff, as JSON without the years) and `calendar_years` (each
//! confirmed year of an agency as JSON). An agency without a row works on the
//! standard calendar.

use chrono::{DateTime, Utc};
use eiso_platform::{ServiceResult, versioned};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Order, Query};
use sea_orm::{ConnectionTrait, QueryResult};

use super::{json, parse_json};
use crate::calendar::{OfficeCalendar, YearCalendar};

pub const CALENDAR_COLUMNS: [&str; 4] = ["unit_id", "settings", "update_time", "version"];

/// An agency's calendar settings.
pub struct CalendarRow {
    pub unit_id: String,
    /// Stored without its years (those are [`CalendarYearRow`]s).
    pub settings: OfficeCalendar,
    pub update_time: DateTime<Utc>,
    pub version: i64,
}

/// The settings part of a calendar, as stored (without its years).
fn settings_json(calendar: &OfficeCalendar) -> ServiceResult<String> {
    let mut settings = calendar.clone();
    let years: Vec<i32> = settings.years().map(|y| y.year).collect();
    for year in years {
        settings.remove_year(year);
    }
    json(&settings)
}

impl CalendarRow {
    pub fn from_row(row: &QueryResult) -> ServiceResult<Self> {
        Ok(Self {
            unit_id: row.try_get("", "unit_id")?,
            settings: parse_json(row, "settings")?,
            update_time: row.try_get("", "update_time")?,
            version: row.try_get("", "version")?,
        })
    }

    pub fn name(&self) -> String {
        format!("calendars/{}", self.unit_id)
    }

    pub async fn insert(&self, db: &impl ConnectionTrait) -> ServiceResult<()> {
        db.execute(
            Query::insert()
                .into_table("calendars")
                .columns(CALENDAR_COLUMNS)
                .values_panic([
                    self.unit_id.clone().into(),
                    settings_json(&self.settings)?.into(),
                    self.update_time.into(),
                    self.version.into(),
                ]),
        )
        .await?;
        Ok(())
    }

    /// Writes the settings back as of `now`, bumping the version; ABORTED if
    /// the row changed since it was read.
    pub async fn save(&mut self, db: &impl ConnectionTrait, now: DateTime<Utc>) -> ServiceResult<()> {
        let mut update = Query::update();
        update
            .table("calendars")
            .value("settings", settings_json(&self.settings)?)
            .value("update_time", now);
        update.and_where(Expr::col("unit_id").eq(self.unit_id.clone()));
        versioned::update(db, update, self.version, &self.name(), Into::into).await?;
        self.version += 1;
        self.update_time = now;
        Ok(())
    }
}

/// The agency's calendar settings, if any are stored.
pub async fn find_calendar(db: &impl ConnectionTrait, unit_id: &str) -> ServiceResult<Option<CalendarRow>> {
    let row = db
        .query_one(
            Query::select()
                .columns(CALENDAR_COLUMNS)
                .from("calendars")
                .and_where(Expr::col("unit_id").eq(unit_id.to_string())),
        )
        .await?;
    row.as_ref().map(CalendarRow::from_row).transpose()
}

pub const YEAR_COLUMNS: [&str; 5] = ["unit_id", "year", "data", "update_time", "version"];

/// A confirmed year of an agency's calendar.
pub struct CalendarYearRow {
    pub unit_id: String,
    pub data: YearCalendar,
    pub update_time: DateTime<Utc>,
    pub version: i64,
}

impl CalendarYearRow {
    pub fn from_row(row: &QueryResult) -> ServiceResult<Self> {
        Ok(Self {
            unit_id: row.try_get("", "unit_id")?,
            data: parse_json(row, "data")?,
            update_time: row.try_get("", "update_time")?,
            version: row.try_get("", "version")?,
        })
    }

    /// Stores the year, replacing the agency's row for it if there is one.
    pub async fn put(&self, db: &impl ConnectionTrait) -> ServiceResult<()> {
        db.execute(
            Query::insert()
                .into_table("calendar_years")
                .columns(YEAR_COLUMNS)
                .values_panic([
                    self.unit_id.clone().into(),
                    self.data.year.into(),
                    json(&self.data)?.into(),
                    self.update_time.into(),
                    self.version.into(),
                ])
                .on_conflict(
                    OnConflict::columns(["unit_id", "year"])
                        .update_columns(["data", "update_time", "version"])
                        .to_owned(),
                ),
        )
        .await?;
        Ok(())
    }
}

/// The agency's stored years, earliest first.
pub async fn calendar_years(db: &impl ConnectionTrait, unit_id: &str) -> ServiceResult<Vec<CalendarYearRow>> {
    let rows = db
        .query_all(
            Query::select()
                .columns(YEAR_COLUMNS)
                .from("calendar_years")
                .and_where(Expr::col("unit_id").eq(unit_id.to_string()))
                .order_by("year", Order::Asc),
        )
        .await?;
    rows.iter().map(CalendarYearRow::from_row).collect()
}
