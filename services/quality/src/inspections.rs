//! Inspections of the units an office manages (kiểm tra các trường): a
//! programme per year and managing unit listing its population, inspections
//! planned, done or cancelled, and the coverage of a period.
//!
//! Columns: programmes — `unit` the managing unit, `sort_key` the year
//! (`0000`-padded). Inspections — `parent` the programme id, `unit` the unit
//! inspected, `state`, `sort_key` the planned date.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate};
use eiso_platform::aip::list::Spec;
use eiso_platform::aip::time::proto_date;
use eiso_platform::aip::{field_mask, names, text};
use eiso_platform::effective::Effective;
use eiso_platform::journal::{Begun, fingerprint};
use eiso_platform::{CallContext, ServiceError, ServiceResult, Violations};
use eiso_proto::eiso::quality::v1 as pb;
use pb::inspection::State;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait};

use crate::Quality;
use crate::common::{check_date, clean_names, date_from_proto, date_key, eq, required_text, today};
use crate::listing::{Field, List};
use crate::programmes::{self, year_key};
use crate::store::{INSPECTION_PROGRAMMES, INSPECTIONS, Row, stored};
use crate::write;

/// The inspection coverage of a managing unit in a period: unit names
/// (`units/{id}`), sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InspectionCoverage {
    /// The population units with an inspection done in the period.
    pub inspected: Vec<String>,
    /// The units of the managing unit's programmes for the period's years.
    pub population: Vec<String>,
}

impl InspectionCoverage {
    /// inspected ÷ population, 0 when the population is empty.
    pub fn share(&self) -> f64 {
        if self.population.is_empty() {
            0.0
        } else {
            self.inspected.len() as f64 / self.population.len() as f64
        }
    }
}

stored!(
    pb::InspectionProgramme,
    INSPECTION_PROGRAMMES,
    "quality.inspection_programme",
    [etag, create_time, update_time]
);
stored!(
    pb::Inspection,
    INSPECTIONS,
    "quality.inspection",
    [etag, create_time, update_time]
);

/// ListInspectionProgrammes.
pub(crate) const LIST_PROGRAMMES: List<pb::InspectionProgramme> = programmes::list();
/// ListInspections: by programme, unit and state; by planned date (default)
/// or creation.
pub(crate) const LIST_INSPECTIONS: List<pb::Inspection> = List::new(
    Spec::new(
        &["programme", "unit", "state"],
        &["planned_date", "create_time"],
        "planned_date",
    ),
    &[
        ("programme", Field::Id("parent", "inspectionProgrammes")),
        ("unit", Field::Text("unit")),
        ("state", Field::state(|s| State::from_str_name(s).map(i32::from))),
    ],
    &[("planned_date", "sort_key")],
);

impl Quality {
    /// The inspection `id` after the check of a change to it: read within
    /// the unit inspected, changed by those who hold its programme's unit.
    async fn checked_inspection(
        &self,
        ctx: &CallContext,
        db: &impl ConnectionTrait,
        id: &str,
    ) -> ServiceResult<Row<pb::Inspection>> {
        let name = format!("inspections/{id}");
        let row: Row<pb::Inspection> = INSPECTIONS.get(db, id).await?;
        let programme: Row<pb::InspectionProgramme> = INSPECTION_PROGRAMMES
            .find(db, &row.parent)
            .await?
            .ok_or_else(|| ServiceError::internal(format!("{name} has no programme")))?;
        self.authorize_change(ctx, &programme.unit, &row.unit, &name).await?;
        Ok(row)
    }

    /// The inspection `id` at `etag`, still planned, moved to `state` (for
    /// the caller to fill in and commit).
    async fn planned_inspection(
        &self,
        ctx: &CallContext,
        db: &impl ConnectionTrait,
        id: &str,
        etag: &str,
        state: State,
    ) -> ServiceResult<Row<pb::Inspection>> {
        let mut row = self.checked_inspection(ctx, db, id).await?;
        row.check_etag(etag)?;
        row.require_state(
            State::Planned as i32,
            "INSPECTION_NOT_PLANNED",
            "is not planned: it was done or cancelled already",
        )?;
        row.state = state as i32;
        row.message.state = state as i32;
        Ok(row)
    }

    /// Checks a population: each an existing unit strictly below `unit`.
    async fn check_population(&self, unit: &str, population: &[String], field: &str) -> ServiceResult<()> {
        for (i, member) in population.iter().enumerate() {
            let field = format!("{field}[{i}]");
            self.check_unit(member, &field).await?;
            let ancestors = self.directory.ancestors(member).await?;
            if member == unit || !ancestors.iter().any(|a| a == unit) {
                return Err(ServiceError::invalid(
                    field,
                    format!("{member} is not a unit under {unit}"),
                ));
            }
        }
        Ok(())
    }

    pub async fn create_inspection_programme(
        &self,
        ctx: &CallContext,
        request: pb::CreateInspectionProgrammeRequest,
    ) -> ServiceResult<pb::InspectionProgramme> {
        let print = fingerprint(&request);
        let input = request.programme.unwrap_or_default();
        let mut v = Violations::new();
        let title = text::clean(&mut v, "programme.title", &input.title, true, 500);
        programmes::check_unit_and_year(&mut v, &input.unit, input.year);
        let population = clean_names(&mut v, &input.population, "units", "programme.population", false);
        v.check()?;
        self.check_programme_unit(ctx, &input.unit).await?;
        self.check_population(&input.unit, &population, "programme.population")
            .await?;

        let tx = match self
            .journal
            .begin_idempotent::<pb::InspectionProgramme>(ctx, &print)
            .await?
        {
            Begun::Fresh(tx) => *tx,
            Begun::Replayed(done) => return Ok(done),
        };
        let existing: Vec<Row<pb::InspectionProgramme>> = INSPECTION_PROGRAMMES
            .list(
                tx.txn(),
                vec![eq("unit", input.unit.clone()), eq("sort_key", year_key(input.year))],
                &[],
                Some(1),
                0,
            )
            .await?;
        if let Some(other) = existing.first() {
            return Err(ServiceError::AlreadyExists(format!(
                "{} already has the inspection programme of {}: inspectionProgrammes/{}",
                input.unit, input.year, other.id
            )));
        }
        let programme = pb::InspectionProgramme {
            unit: input.unit.clone(),
            year: input.year,
            title,
            population,
            ..Default::default()
        };
        let row = programmes::new_row(programme, input.unit, input.year, self.clock.now());
        write::create(tx, &row).await
    }

    pub async fn get_inspection_programme(
        &self,
        ctx: &CallContext,
        request: pb::GetInspectionProgrammeRequest,
    ) -> ServiceResult<pb::InspectionProgramme> {
        self.get(ctx, &request.name).await
    }

    pub async fn list_inspection_programmes(
        &self,
        ctx: &CallContext,
        request: pb::ListInspectionProgrammesRequest,
    ) -> ServiceResult<pb::ListInspectionProgrammesResponse> {
        let (rows, next_page_token) = self.page_in_scope(ctx, &LIST_PROGRAMMES, &request).await?;
        Ok(pb::ListInspectionProgrammesResponse {
            programmes: rows.iter().map(Row::answer).collect(),
            next_page_token,
        })
    }

    pub async fn update_inspection_programme(
        &self,
        ctx: &CallContext,
        request: pb::UpdateInspectionProgrammeRequest,
    ) -> ServiceResult<pb::InspectionProgramme> {
        let input = request.programme.unwrap_or_default();
        let id = names::parse(&input.name, "inspectionProgrammes", "programme.name")?;
        let paths = field_mask::paths(request.update_mask.as_ref(), &["title", "population"])?;
        let mut v = Violations::new();
        let title = text::clean(&mut v, "programme.title", &input.title, paths.contains(&"title"), 500);
        let population = clean_names(&mut v, &input.population, "units", "programme.population", false);
        v.check()?;
        let (tx, mut row) = self
            .begin_change::<pb::InspectionProgramme>(ctx, &id, &request.etag)
            .await?;
        for path in paths {
            match path {
                "title" => row.message.title = title.clone(),
                _ => {
                    let unit = row.message.unit.clone();
                    self.check_population(&unit, &population, "programme.population")
                        .await?;
                    row.message.population = population.clone();
                }
            }
        }
        self.commit_change(tx, row, "updated").await
    }

    pub async fn create_inspection(
        &self,
        ctx: &CallContext,
        request: pb::CreateInspectionRequest,
    ) -> ServiceResult<pb::Inspection> {
        let print = fingerprint(&request);
        let input = request.inspection.unwrap_or_default();
        let mut v = Violations::new();
        let programme_id = match names::parse(&input.programme, "inspectionProgrammes", "inspection.programme") {
            Ok(id) => Some(id),
            Err(ServiceError::InvalidArgument(errors)) => {
                for e in errors {
                    v.add(e.field, e.description);
                }
                None
            }
            Err(other) => return Err(other),
        };
        crate::common::check_name(&mut v, &input.unit, "units", "inspection.unit");
        let planned = check_date(&mut v, input.planned_date.as_ref(), "inspection.planned_date");
        let inspectors = clean_names(&mut v, &input.inspectors, "users", "inspection.inspectors", true);
        v.check()?;
        let (Some(programme_id), Some(planned)) = (programme_id, planned) else {
            return Err(ServiceError::internal("checked fields missing"));
        };
        for (i, inspector) in inspectors.iter().enumerate() {
            self.check_user(inspector, &format!("inspection.inspectors[{i}]"))
                .await?;
        }
        let programme: Row<pb::InspectionProgramme> = self
            .programme_to_plan_in(ctx, &programme_id, &input.programme, "inspection.programme")
            .await?;
        if !programme.message.population.contains(&input.unit) {
            return Err(ServiceError::invalid(
                "inspection.unit",
                format!("{} is not in the population of {}", input.unit, input.programme),
            ));
        }
        if planned.year() != programme.message.year {
            return Err(ServiceError::invalid(
                "inspection.planned_date",
                format!("must fall in {}, the programme's year", programme.message.year),
            ));
        }

        let tx = match self.journal.begin_idempotent::<pb::Inspection>(ctx, &print).await? {
            Begun::Fresh(tx) => *tx,
            Begun::Replayed(done) => return Ok(done),
        };
        let now = self.clock.now();
        let mut row = Row::new(
            names::new_id(),
            pb::Inspection {
                programme: format!("inspectionProgrammes/{programme_id}"),
                unit: input.unit.clone(),
                planned_date: Some(proto_date(planned)),
                inspectors,
                state: State::Planned as i32,
                ..Default::default()
            },
            now,
        );
        row.parent = programme_id;
        row.unit = input.unit;
        row.state = State::Planned as i32;
        row.sort_key = date_key(planned);
        write::create(tx, &row).await
    }

    pub async fn get_inspection(
        &self,
        ctx: &CallContext,
        request: pb::GetInspectionRequest,
    ) -> ServiceResult<pb::Inspection> {
        let inspection = self.get(ctx, &request.name).await?;
        Ok(self.shown(ctx, inspection).await)
    }

    pub async fn list_inspections(
        &self,
        ctx: &CallContext,
        request: pb::ListInspectionsRequest,
    ) -> ServiceResult<pb::ListInspectionsResponse> {
        let (rows, next_page_token) = self.page_in_scope(ctx, &LIST_INSPECTIONS, &request).await?;
        Ok(pb::ListInspectionsResponse {
            inspections: self.shown_rows(ctx, &rows).await,
            next_page_token,
        })
    }

    pub async fn complete_inspection(
        &self,
        ctx: &CallContext,
        request: pb::CompleteInspectionRequest,
    ) -> ServiceResult<pb::Inspection> {
        let id = names::parse(&request.name, "inspections", "name")?;
        let mut v = Violations::new();
        let done = check_date(&mut v, request.done_date.as_ref(), "done_date");
        let findings = text::clean(&mut v, "findings", &request.findings, true, 20_000);
        v.check()?;
        let done = done.ok_or_else(|| ServiceError::internal("checked date missing"))?;
        let mut v = Violations::new();
        let done = Effective::check(
            &mut v,
            Some(done),
            &request.reason,
            today(self.clock.now()),
            ("done_date", "reason"),
            None,
        );
        v.check()?;
        let ctx = &done.audited(ctx);
        self.checked_inspection(ctx, self.journal.db().reader(), &id).await?;
        let evidence = self.resolve_evidence(ctx, &request.evidence, "evidence").await?;
        let tx = self.journal.begin(ctx).await?;
        let mut row = self
            .planned_inspection(ctx, tx.txn(), &id, &request.etag, State::Done)
            .await?;
        row.message.done_date = Some(proto_date(done.day));
        row.message.late_reason = done.reason.clone();
        row.message.findings = findings;
        row.message.evidence = evidence;
        let inspection = self.commit_change(tx, row, "completed").await?;
        Ok(self.shown(ctx, inspection).await)
    }

    pub async fn cancel_inspection(
        &self,
        ctx: &CallContext,
        request: pb::CancelInspectionRequest,
    ) -> ServiceResult<pb::Inspection> {
        let id = names::parse(&request.name, "inspections", "name")?;
        let reason = required_text("reason", &request.reason, 2000)?;
        let ctx = ctx.clone().with_reason(&reason);
        let tx = self.journal.begin(&ctx).await?;
        let mut row = self
            .planned_inspection(&ctx, tx.txn(), &id, &request.etag, State::Cancelled)
            .await?;
        row.message.cancel_reason = reason;
        let inspection = self.commit_change(tx, row, "cancelled").await?;
        Ok(self.shown(&ctx, inspection).await)
    }

    /// The inspection coverage of `unit` (`units/{id}`) from `start` to `end`
    /// (inclusive): the population is every unit of `unit`'s inspection
    /// programmes for the years the period touches; inspected are the distinct
    /// population units with an inspection done in the period.
    pub async fn inspection_coverage(
        &self,
        unit: &str,
        start: NaiveDate,
        end: NaiveDate,
    ) -> ServiceResult<InspectionCoverage> {
        names::parse(unit, "units", "unit")?;
        if end < start {
            return Err(ServiceError::invalid("end_date", "must not be before start_date"));
        }
        let db = self.journal.db().reader();
        let programmes: Vec<Row<pb::InspectionProgramme>> = INSPECTION_PROGRAMMES
            .list(
                db,
                vec![
                    eq("unit", unit.to_string()),
                    Expr::col("sort_key").gte(year_key(start.year())),
                    Expr::col("sort_key").lte(year_key(end.year())),
                ],
                &[],
                None,
                0,
            )
            .await?;
        let population: BTreeSet<String> = programmes
            .iter()
            .flat_map(|p| p.message.population.iter().cloned())
            .collect();
        if population.is_empty() {
            return Ok(InspectionCoverage::default());
        }
        let done: Vec<Row<pb::Inspection>> = INSPECTIONS
            .list(
                db,
                vec![
                    eq("state", State::Done as i32),
                    Expr::col("unit").is_in(population.iter().cloned().collect::<Vec<_>>()),
                ],
                &[],
                None,
                0,
            )
            .await?;
        let mut inspected = BTreeSet::new();
        for row in &done {
            let date = date_from_proto(row.message.done_date.as_ref(), "done_date")?;
            if date >= start && date <= end {
                inspected.insert(row.unit.clone());
            }
        }
        Ok(InspectionCoverage {
            inspected: inspected.into_iter().collect(),
            population: population.into_iter().collect(),
        })
    }

    pub async fn get_inspection_coverage(
        &self,
        ctx: &CallContext,
        request: pb::GetInspectionCoverageRequest,
    ) -> ServiceResult<pb::InspectionCoverage> {
        let (start, end) = crate::common::period(request.start_date.as_ref(), request.end_date.as_ref())?;
        names::parse(&request.unit, "units", "unit")?;
        self.require_covered(ctx, &request.unit).await?;
        let coverage = self.inspection_coverage(&request.unit, start, end).await?;
        Ok(pb::InspectionCoverage {
            unit: request.unit,
            share: coverage.share(),
            population: coverage.population,
            inspected: coverage.inspected,
        })
    }
}
