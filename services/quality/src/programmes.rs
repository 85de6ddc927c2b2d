//! Yearly programmes: an inspection programme and an audit programme are
//! both a unit's plan for one year. They are checked, stored (`unit`, and
//! `sort_key` the year in four digits) and listed the same way.

use chrono::{DateTime, Utc};
use eiso_platform::aip::names;
use eiso_platform::{CallContext, ServiceError, ServiceResult, Violations};

use crate::Quality;
use crate::common::check_name;
use crate::listing::{Field, List};
use crate::store::{Row, Stored};
use eiso_platform::aip::list::Spec;

/// The year as `sort_key` keeps it: four digits.
pub fn year_key(year: i32) -> String {
    format!("{year:04}")
}

/// Checks a new programme's `programme.unit` and `programme.year`.
pub fn check_unit_and_year(v: &mut Violations, unit: &str, year: i32) {
    if unit.is_empty() {
        v.add("programme.unit", "is required");
    } else {
        check_name(v, unit, "units", "programme.unit");
    }
    if !(2000..=2100).contains(&year) {
        v.add("programme.year", "must be a year between 2000 and 2100");
    }
}

/// The row of a new programme of `unit` for `year`.
pub fn new_row<M: Stored>(message: M, unit: String, year: i32, now: DateTime<Utc>) -> Row<M> {
    let mut row = Row::new(names::new_id(), message, now);
    row.unit = unit;
    row.sort_key = year_key(year);
    row
}

/// The list of a kind of programme: by unit and year; by year (default) or
/// creation.
pub const fn list<M: Stored>() -> List<M> {
    List::new(
        Spec::new(&["unit", "year"], &["year", "create_time"], "year"),
        &[("unit", Field::Text("unit")), ("year", Field::Year)],
        &[("year", "sort_key")],
    )
}

impl Quality {
    /// The checks of a new programme's unit: an active unit the caller's
    /// method covers.
    pub(crate) async fn check_programme_unit(&self, ctx: &CallContext, unit: &str) -> ServiceResult<()> {
        self.check_unit(unit, "programme.unit").await?;
        self.require_unit(ctx, unit, "the programme").await
    }

    /// The programme `name` (id `id`, given in `field`) that an audit or an
    /// inspection is planned in: one that does not exist, or that the caller
    /// may not read, is reported as missing; the caller must hold its unit.
    pub(crate) async fn programme_to_plan_in<M: Stored>(
        &self,
        ctx: &CallContext,
        id: &str,
        name: &str,
        field: &str,
    ) -> ServiceResult<Row<M>> {
        let missing = || ServiceError::invalid(field, format!("{name} does not exist"));
        let programme: Row<M> = M::TABLE
            .find(self.journal.db().reader(), id)
            .await?
            .ok_or_else(missing)?;
        if !self.reads(ctx, &programme.unit).await? {
            return Err(missing());
        }
        self.require_unit(ctx, &programme.unit, name).await?;
        Ok(programme)
    }
}
