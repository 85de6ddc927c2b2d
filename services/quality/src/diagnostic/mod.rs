//! The ISO 18091 diagnostic (TCVN ISO 18091:2020): an indicator set in four
//! quadrants, editable by an administrator ([`indicators`] is what ships), a
//! red / yellow / green assessment of each indicator per period with
//! evidence, and the comparison of two periods.
//!
//! Columns: indicators — `id` the code, `kind` the quadrant, `state` 1 when
//! in use, `sort_key` the number padded for ordering. Diagnostics — `unit`,
//! `sort_key` the period. Assessments — `id` `{diagnostic}/{code}`, `parent`
//! the diagnostic id, `kind` the colour, `state` the quadrant, `sort_key` the
//! indicator's.

pub mod indicators;

use std::collections::BTreeMap;

use eiso_platform::aip::list::Spec;
use eiso_platform::aip::{field_mask, names, text};
use eiso_platform::journal::{Begun, fingerprint};
use eiso_platform::{CallContext, ServiceError, ServiceResult, Violations};
use eiso_proto::eiso::quality::v1 as pb;
use pb::{Change, Colour, Quadrant};
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait};

use crate::Quality;
use crate::common::{check_enum, check_name, eq};
use crate::listing::{Field, List};
use crate::store::{ASSESSMENTS, DIAGNOSTICS, INDICATORS, Row, stored};
use crate::write;

/// ListIndicators: by quadrant and whether in use; in the set's order,
/// quadrant then number (the request has no `order_by`), 100 a page.
pub(crate) const LIST_INDICATORS: List<pb::Indicator> = List::new(
    Spec::new(&["quadrant", "active"], &["quadrant", "number"], "quadrant, number").sizes(100, 1000),
    &[
        (
            "quadrant",
            Field::enumeration("kind", "QUADRANT_", "quadrant", |s| {
                Quadrant::from_str_name(s).map(i32::from)
            }),
        ),
        ("active", Field::Flag("state")),
    ],
    &[("quadrant", "kind"), ("number", "sort_key")],
);
/// ListDiagnostics: by unit and period; by period (the request has no
/// `order_by`).
pub(crate) const LIST_DIAGNOSTICS: List<pb::Diagnostic> = List::new(
    Spec::new(&["unit", "period"], &["period"], "period"),
    &[("unit", Field::Text("unit")), ("period", Field::Text("sort_key"))],
    &[("period", "sort_key")],
);

stored!(pb::Indicator, INDICATORS, "quality.indicator", [etag, update_time]);
stored!(pb::Diagnostic, DIAGNOSTICS, "quality.diagnostic", [etag, create_time]);
stored!(
    pb::Assessment,
    ASSESSMENTS,
    "quality.assessment",
    [update_time],
    name = |row| format!("diagnostics/{}/assessments/{}", row.parent, code_of(&row.id))
);

fn code_of(assessment_id: &str) -> &str {
    assessment_id.rsplit('/').next().unwrap_or(assessment_id)
}

/// `1.10` → `001.010`: numbers sort as numbers.
fn number_key(number: &str) -> String {
    number
        .split('.')
        .map(|part| format!("{:0>3}", part))
        .collect::<Vec<_>>()
        .join(".")
}

fn valid_number(number: &str) -> bool {
    !number.is_empty()
        && number.len() <= 20
        && number
            .split('.')
            .all(|p| !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()))
}

fn rank(colour: i32) -> Option<i32> {
    match Colour::try_from(colour) {
        Ok(Colour::Red) => Some(1),
        Ok(Colour::Yellow) => Some(2),
        Ok(Colour::Green) => Some(3),
        _ => None,
    }
}

/// How `current` compares with `base`; unspecified when either is unassessed.
pub fn change(base: i32, current: i32) -> Change {
    match (rank(base), rank(current)) {
        (Some(b), Some(c)) if c > b => Change::Improved,
        (Some(b), Some(c)) if c < b => Change::Worsened,
        (Some(_), Some(_)) => Change::Unchanged,
        _ => Change::Unspecified,
    }
}

const QUADRANTS: [Quadrant; 4] = [
    Quadrant::Institutional,
    Quadrant::Economic,
    Quadrant::Social,
    Quadrant::Environmental,
];

impl Quality {
    /// Loads the shipped indicator set when there is none yet (first start).
    /// Returns how many indicators were added.
    pub async fn ensure_indicator_set(&self) -> ServiceResult<usize> {
        let db = self.journal.db().reader();
        let existing: Vec<Row<pb::Indicator>> = INDICATORS.list(db, vec![], &[], Some(1), 0).await?;
        if !existing.is_empty() {
            return Ok(0);
        }
        let ctx = CallContext::system("/eiso.quality.v1.QualityService/EnsureIndicatorSet");
        match self.load_indicator_set(&ctx).await {
            // Replicas starting together: another one loaded it at the same moment.
            Err(ServiceError::AlreadyExists(_)) => Ok(0),
            other => other,
        }
    }

    async fn load_indicator_set(&self, ctx: &CallContext) -> ServiceResult<usize> {
        let mut tx = self.journal.begin(ctx).await?;
        // Another replica may have loaded it meanwhile.
        let existing: Vec<Row<pb::Indicator>> = INDICATORS.list(tx.txn(), vec![], &[], Some(1), 0).await?;
        if !existing.is_empty() {
            return Ok(0);
        }
        let now = self.clock.now();
        tx.audit_resource("indicators");
        for shipped in &indicators::SHIPPED {
            let mut row = Row::new(
                indicators::code(shipped.number),
                pb::Indicator {
                    quadrant: shipped.quadrant as i32,
                    number: shipped.number.to_string(),
                    title: shipped.title.to_string(),
                    english_title: shipped.english_title.to_string(),
                    wording_verified: false,
                    active: true,
                    ..Default::default()
                },
                now,
            );
            row.kind = shipped.quadrant as i32;
            row.state = 1;
            row.sort_key = number_key(shipped.number);
            write::insert(&mut tx, &row).await?;
        }
        tx.commit().await?;
        Ok(indicators::SHIPPED.len())
    }

    fn clean_indicator(input: &pb::Indicator, v: &mut Violations) -> pb::Indicator {
        check_enum::<Quadrant>(v, "indicator.quadrant", input.quadrant, true);
        let number = input.number.trim().to_string();
        if !valid_number(&number) {
            v.add("indicator.number", "must be numbers separated by dots, e.g. `1.13`");
        } else if !number.starts_with(&format!("{}.", input.quadrant)) && input.quadrant != 0 {
            v.add(
                "indicator.number",
                format!("must start with its quadrant's number `{}.`", input.quadrant),
            );
        }
        pb::Indicator {
            quadrant: input.quadrant,
            number,
            title: text::clean(v, "indicator.title", &input.title, true, 500),
            english_title: text::clean(v, "indicator.english_title", &input.english_title, false, 500),
            description: text::clean(v, "indicator.description", &input.description, false, 5000),
            wording_verified: input.wording_verified,
            active: input.active,
            ..Default::default()
        }
    }

    pub async fn create_indicator(
        &self,
        ctx: &CallContext,
        request: pb::CreateIndicatorRequest,
    ) -> ServiceResult<pb::Indicator> {
        // The system's one indicator set: changed from the root unit, and
        // anyone else is refused before the request is looked at.
        self.require_root(ctx).await?;
        let input = request.indicator.unwrap_or_default();
        let mut v = Violations::new();
        if !names::valid_id(&request.indicator_id) {
            v.add("indicator_id", "must be 1–63 of `a-z 0-9 -`, e.g. `1-13`");
        }
        let content = Self::clean_indicator(&input, &mut v);
        v.check()?;
        let mut tx = self.journal.begin(ctx).await?;
        if INDICATORS
            .find::<pb::Indicator>(tx.txn(), &request.indicator_id)
            .await?
            .is_some()
        {
            return Err(ServiceError::AlreadyExists(format!(
                "indicators/{} already exists",
                request.indicator_id
            )));
        }
        let now = self.clock.now();
        let mut row = Row::new(request.indicator_id.clone(), content, now);
        row.kind = row.message.quadrant;
        row.state = i32::from(row.message.active);
        row.sort_key = number_key(&row.message.number);
        let indicator = write::insert(&mut tx, &row).await?;
        tx.commit().await?;
        Ok(indicator)
    }

    pub async fn list_indicators(
        &self,
        request: pb::ListIndicatorsRequest,
    ) -> ServiceResult<pb::ListIndicatorsResponse> {
        let listing = LIST_INDICATORS.read(&request)?;
        let (rows, next_page_token) = LIST_INDICATORS.page(self.journal.db().reader(), &listing, None).await?;
        Ok(pb::ListIndicatorsResponse {
            indicators: rows.iter().map(Row::answer).collect(),
            next_page_token,
        })
    }

    pub async fn update_indicator(
        &self,
        ctx: &CallContext,
        request: pb::UpdateIndicatorRequest,
    ) -> ServiceResult<pb::Indicator> {
        let input = request.indicator.unwrap_or_default();
        let id = names::parse(&input.name, "indicators", "indicator.name")?;
        let paths = field_mask::paths(
            request.update_mask.as_ref(),
            &[
                "number",
                "title",
                "english_title",
                "description",
                "wording_verified",
                "active",
            ],
        )?;
        self.require_root(ctx).await?;
        let tx = self.journal.begin(ctx).await?;
        let mut row: Row<pb::Indicator> = INDICATORS.get(tx.txn(), &id).await?;
        row.check_etag(&request.etag)?;
        let mut merged = row.message.clone();
        for path in &paths {
            match *path {
                "number" => merged.number = input.number.clone(),
                "title" => merged.title = input.title.clone(),
                "english_title" => merged.english_title = input.english_title.clone(),
                "description" => merged.description = input.description.clone(),
                "wording_verified" => merged.wording_verified = input.wording_verified,
                _ => merged.active = input.active,
            }
        }
        let mut v = Violations::new();
        let content = Self::clean_indicator(&merged, &mut v);
        v.check()?;
        row.message = content;
        row.state = i32::from(row.message.active);
        row.sort_key = number_key(&row.message.number);
        self.commit_change(tx, row, "updated").await
    }

    pub async fn create_diagnostic(
        &self,
        ctx: &CallContext,
        request: pb::CreateDiagnosticRequest,
    ) -> ServiceResult<pb::Diagnostic> {
        let print = fingerprint(&request);
        let input = request.diagnostic.unwrap_or_default();
        let mut v = Violations::new();
        if input.unit.is_empty() {
            v.add("diagnostic.unit", "is required");
        } else {
            check_name(&mut v, &input.unit, "units", "diagnostic.unit");
        }
        let period = text::clean(&mut v, "diagnostic.period", &input.period, true, 50);
        let title = text::clean(&mut v, "diagnostic.title", &input.title, false, 500);
        v.check()?;
        self.check_unit(&input.unit, "diagnostic.unit").await?;
        self.require_unit(ctx, &input.unit, "the diagnostic").await?;
        let tx = match self.journal.begin_idempotent::<pb::Diagnostic>(ctx, &print).await? {
            Begun::Fresh(tx) => *tx,
            Begun::Replayed(done) => return Ok(done),
        };
        let same: Vec<Row<pb::Diagnostic>> = DIAGNOSTICS
            .list(
                tx.txn(),
                vec![eq("unit", input.unit.clone()), eq("sort_key", period.clone())],
                &[],
                Some(1),
                0,
            )
            .await?;
        if let Some(other) = same.first() {
            return Err(ServiceError::AlreadyExists(format!(
                "{} already has a diagnostic for {period}: diagnostics/{}",
                input.unit, other.id
            )));
        }
        let now = self.clock.now();
        let mut row = Row::new(
            names::new_id(),
            pb::Diagnostic {
                unit: input.unit.clone(),
                period: period.clone(),
                title,
                ..Default::default()
            },
            now,
        );
        row.unit = input.unit;
        row.sort_key = period;
        write::create(tx, &row).await
    }

    async fn assessments_of(&self, diagnostic_id: &str) -> ServiceResult<Vec<Row<pb::Assessment>>> {
        ASSESSMENTS
            .list(
                self.journal.db().reader(),
                vec![eq("parent", diagnostic_id.to_string())],
                &[("state", false), ("sort_key", false)],
                None,
                0,
            )
            .await
    }

    /// The diagnostic `id` after the platform's check for the caller's method.
    async fn checked_diagnostic(&self, ctx: &CallContext, id: &str) -> ServiceResult<Row<pb::Diagnostic>> {
        self.checked(ctx, self.journal.db().reader(), id).await
    }

    pub async fn get_diagnostic(
        &self,
        ctx: &CallContext,
        request: pb::GetDiagnosticRequest,
    ) -> ServiceResult<pb::Diagnostic> {
        let row: Row<pb::Diagnostic> = self.get_checked(ctx, &request.name).await?;
        let assessments = self.assessments_of(&row.id).await?;
        let mut diagnostic = row.answer();
        diagnostic.assessments.extend(self.shown_rows(ctx, &assessments).await);
        Ok(diagnostic)
    }

    pub async fn list_diagnostics(
        &self,
        ctx: &CallContext,
        request: pb::ListDiagnosticsRequest,
    ) -> ServiceResult<pb::ListDiagnosticsResponse> {
        let (rows, next_page_token) = self.page_in_scope(ctx, &LIST_DIAGNOSTICS, &request).await?;
        Ok(pb::ListDiagnosticsResponse {
            diagnostics: rows.iter().map(Row::answer).collect(),
            next_page_token,
        })
    }

    pub async fn assess_indicator(
        &self,
        ctx: &CallContext,
        request: pb::AssessIndicatorRequest,
    ) -> ServiceResult<pb::Assessment> {
        let diagnostic_id = names::parse(&request.diagnostic, "diagnostics", "diagnostic")?;
        let input = request.assessment.unwrap_or_default();
        // An indicator is named by its number as people read it (`1.1`) or
        // as its id spells it (`1-1`): one indicator either way.
        let code = names::parse(
            &indicators::code(&input.indicator),
            "indicators",
            "assessment.indicator",
        )?;
        let mut v = Violations::new();
        check_enum::<Colour>(&mut v, "assessment.colour", input.colour, true);
        let note = text::clean(&mut v, "assessment.note", &input.note, false, 5000);
        v.check()?;
        let db = self.journal.db().reader();
        let diagnostic = self.checked_diagnostic(ctx, &diagnostic_id).await?;
        let indicator: Row<pb::Indicator> = INDICATORS.find(db, &code).await?.ok_or_else(|| {
            ServiceError::invalid("assessment.indicator", format!("{} does not exist", input.indicator))
        })?;
        if !indicator.message.active {
            return Err(ServiceError::precondition(
                "INDICATOR_NOT_ACTIVE",
                input.indicator.clone(),
                format!("{} is out of use", input.indicator),
            ));
        }
        let names: Vec<String> = input.evidence.iter().map(|e| e.name.clone()).collect();
        let evidence = self.resolve_evidence(ctx, &names, "assessment.evidence").await?;
        let mut tx = self.journal.begin(ctx).await?;
        let now = self.clock.now();
        let id = format!("{diagnostic_id}/{code}");
        let (before, after) = neighbours(tx.txn(), &diagnostic).await?;
        let previous_colour = match &before {
            Some(before) => ASSESSMENTS
                .find::<pb::Assessment>(tx.txn(), &format!("{}/{code}", before.id))
                .await?
                .map_or(0, |a| a.message.colour),
            None => 0,
        };
        let message = pb::Assessment {
            indicator: format!("indicators/{code}"),
            quadrant: indicator.message.quadrant,
            colour: input.colour,
            evidence,
            note,
            assessor: ctx.principal.name.clone(),
            previous_colour,
            change: change(previous_colour, input.colour) as i32,
            ..Default::default()
        };
        // The next period's assessment of the indicator now compares with this one.
        if let Some(after) = after
            && let Some(mut next) = ASSESSMENTS
                .find::<pb::Assessment>(tx.txn(), &format!("{}/{code}", after.id))
                .await?
            && next.message.previous_colour != input.colour
        {
            next.message.previous_colour = input.colour;
            next.message.change = change(input.colour, next.message.colour) as i32;
            ASSESSMENTS.save(tx.txn(), &mut next, now).await?;
            write::event(&mut tx, &next, "recorded");
        }
        let row = match ASSESSMENTS.find::<pb::Assessment>(tx.txn(), &id).await? {
            Some(mut row) => {
                row.message = message;
                row.kind = input.colour;
                ASSESSMENTS.save(tx.txn(), &mut row, now).await?;
                row
            }
            None => {
                let mut row = Row::new(id, message, now);
                row.parent = diagnostic_id;
                row.kind = input.colour;
                row.state = indicator.message.quadrant;
                row.sort_key = indicator.sort_key.clone();
                ASSESSMENTS.insert(tx.txn(), &row).await?;
                row
            }
        };
        let assessment = write::event(&mut tx, &row, "recorded");
        tx.commit().await?;
        Ok(self.shown(ctx, assessment).await)
    }

    pub async fn compare_periods(
        &self,
        ctx: &CallContext,
        request: pb::ComparePeriodsRequest,
    ) -> ServiceResult<pb::ComparePeriodsResponse> {
        let base_id = names::parse(&request.base, "diagnostics", "base")?;
        let current_id = names::parse(&request.current, "diagnostics", "current")?;
        let db = self.journal.db().reader();
        let base = self.checked_diagnostic(ctx, &base_id).await?;
        let current = self.checked_diagnostic(ctx, &current_id).await?;
        if base.unit != current.unit {
            return Err(ServiceError::invalid(
                "current",
                format!(
                    "is a diagnostic of {}, not of {} like the base",
                    current.unit, base.unit
                ),
            ));
        }
        let colours = |rows: Vec<Row<pb::Assessment>>| -> BTreeMap<String, i32> {
            rows.into_iter()
                .map(|r| (code_of(&r.id).to_string(), r.message.colour))
                .collect()
        };
        let base_colours = colours(self.assessments_of(&base_id).await?);
        let current_colours = colours(self.assessments_of(&current_id).await?);
        let indicators: Vec<Row<pb::Indicator>> = INDICATORS
            .list(db, vec![], &[("kind", false), ("sort_key", false)], None, 0)
            .await?;
        let mut response = pb::ComparePeriodsResponse::default();
        let mut base_counts: BTreeMap<i32, pb::QuadrantCounts> = BTreeMap::new();
        let mut current_counts: BTreeMap<i32, pb::QuadrantCounts> = BTreeMap::new();
        for q in QUADRANTS {
            let empty = pb::QuadrantCounts {
                quadrant: q as i32,
                ..Default::default()
            };
            base_counts.insert(q as i32, empty);
            current_counts.insert(q as i32, empty);
        }
        let count = |counts: &mut BTreeMap<i32, pb::QuadrantCounts>, quadrant: i32, colour: i32| {
            if let Some(c) = counts.get_mut(&quadrant) {
                match Colour::try_from(colour) {
                    Ok(Colour::Red) => c.red += 1,
                    Ok(Colour::Yellow) => c.yellow += 1,
                    Ok(Colour::Green) => c.green += 1,
                    _ => c.unassessed += 1,
                }
            }
        };
        for indicator in &indicators {
            let b = base_colours.get(&indicator.id).copied().unwrap_or(0);
            let c = current_colours.get(&indicator.id).copied().unwrap_or(0);
            // Indicators out of use count only where they were assessed.
            if !indicator.message.active && b == 0 && c == 0 {
                continue;
            }
            let quadrant = indicator.message.quadrant;
            count(&mut base_counts, quadrant, b);
            count(&mut current_counts, quadrant, c);
            let change = change(b, c);
            match change {
                Change::Improved => response.improved += 1,
                Change::Worsened => response.worsened += 1,
                Change::Unchanged => response.unchanged += 1,
                Change::Unspecified => {}
            }
            response.changes.push(pb::IndicatorChange {
                indicator: format!("indicators/{}", indicator.id),
                number: indicator.message.number.clone(),
                quadrant,
                base: b,
                current: c,
                change: change as i32,
            });
        }
        response.base_counts = base_counts.into_values().collect();
        response.current_counts = current_counts.into_values().collect();
        Ok(response)
    }
}

/// The unit's diagnostics of the periods just before and just after `diagnostic`'s.
async fn neighbours(
    db: &impl ConnectionTrait,
    diagnostic: &Row<pb::Diagnostic>,
) -> ServiceResult<(Option<Row<pb::Diagnostic>>, Option<Row<pb::Diagnostic>>)> {
    let mut nearest = Vec::new();
    for before in [true, false] {
        let key = diagnostic.sort_key.clone();
        let side = if before {
            Expr::col("sort_key").lt(key)
        } else {
            Expr::col("sort_key").gt(key)
        };
        let mut found = DIAGNOSTICS
            .list(
                db,
                vec![eq("unit", diagnostic.unit.clone()), side],
                &[("sort_key", before)],
                Some(1),
                0,
            )
            .await?;
        nearest.push(found.pop());
    }
    let after = nearest.pop().flatten();
    Ok((nearest.pop().flatten(), after))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_compare_red_yellow_green() {
        assert_eq!(change(Colour::Red as i32, Colour::Green as i32), Change::Improved);
        assert_eq!(change(Colour::Green as i32, Colour::Yellow as i32), Change::Worsened);
        assert_eq!(change(Colour::Yellow as i32, Colour::Yellow as i32), Change::Unchanged);
        assert_eq!(change(0, Colour::Yellow as i32), Change::Unspecified);
    }

    #[test]
    fn numbers_sort_as_numbers() {
        assert!(number_key("1.2") < number_key("1.10"));
        assert!(valid_number("1.13"));
        assert!(!valid_number("1..2"));
        assert!(!valid_number("a.1"));
    }
}
