//! The management review (xem xét của lãnh đạo, ISO 9001 §9.3): a data pack
//! assembled from the audits, findings, corrective actions, inspections,
//! service statistics, satisfaction and targets of a period, rendered as a
//! workbook and a printable Vietnamese page ([`render`]), and filed as a
//! quality record through [`ResourceLinks::file_record`].
//!
//! What goes into the pack, for unit U and period [start, end]:
//! - audits: those of U's audit programmes with a day in the period, and the
//!   findings of those audits counted by type;
//! - corrective actions: those opened on audits of U's programmes; open = not
//!   closed now, overdue = not implemented and past the due date today,
//!   closed = closed in the period, effective / not effective = verifications
//!   made in the period;
//! - inspections: [`Quality::inspection_coverage`] of U in the period;
//! - service statistics and satisfaction of dossiers U received in the period
//!   and the targets of U's plan for the end date's year, from
//!   [`ReviewSources`].
//!
//! Columns of `management_reviews`: `unit`, `sort_key` the end date.

pub mod render;
mod sources;

pub use render::Templates;
pub use sources::{Answer, ReviewSources, ServiceStatistics, TargetFigure};

use chrono::{Datelike, NaiveDate};
use eiso_platform::aip::list::Spec;
use eiso_platform::aip::time::{TIME_ZONE, proto_date};
use eiso_platform::aip::{names, text};
use eiso_platform::journal::{Begun, fingerprint};
use eiso_platform::links::RecordToFile;
use eiso_platform::{CallContext, ServiceError, ServiceResult, Violations};
use eiso_proto::eiso::procedures::v1::LocalDate;
use eiso_proto::eiso::quality::v1 as pb;
use eiso_proto::prost_types::Timestamp;
use sea_orm::sea_query::{Expr, ExprTrait};

use crate::Quality;
use crate::actions::PENDING;
use crate::actions::action_due;
use crate::common::{date_from_proto, date_key, eq, local_date, period, today};
use crate::listing::{Field, List};
use crate::store::{AUDITS, CORRECTIVE_ACTIONS, FINDINGS, MANAGEMENT_REVIEWS, Row, stored};
use crate::write;

/// Records of management reviews are kept permanently (0 months): ISO 9001
/// sets no period, and the office's own rule is not known to eiso.
pub const RETENTION_MONTHS: i32 = 0;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// ListManagementReviews: by unit; by creation.
pub(crate) const LIST_REVIEWS: List<pb::ManagementReview> = List::new(
    Spec::new(&["unit"], &["create_time"], "create_time"),
    &[("unit", Field::Text("unit"))],
    &[],
);

stored!(
    pb::ManagementReview,
    MANAGEMENT_REVIEWS,
    "quality.management_review",
    [create_time]
);

/// The default title: `Báo cáo xem xét của lãnh đạo năm 2024` for a calendar
/// year, else with the period's dates.
pub fn default_title(start: NaiveDate, end: NaiveDate) -> String {
    use chrono::Datelike;
    if start.month() == 1 && start.day() == 1 && end.month() == 12 && end.day() == 31 && start.year() == end.year() {
        format!("Báo cáo xem xét của lãnh đạo năm {}", start.year())
    } else {
        format!(
            "Báo cáo xem xét của lãnh đạo từ ngày {} đến ngày {}",
            crate::common::date_vi(start),
            crate::common::date_vi(end)
        )
    }
}

impl Quality {
    /// Assembles the data of a review of `unit` for [start, end].
    pub async fn review_pack(
        &self,
        ctx: &CallContext,
        sources: &dyn ReviewSources,
        unit: &str,
        start: NaiveDate,
        end: NaiveDate,
    ) -> ServiceResult<pb::ManagementReviewPack> {
        use chrono::Datelike;
        let db = self.journal.db().reader();
        let all_audits: Vec<Row<pb::Audit>> = AUDITS
            .list(db, vec![eq("unit", unit.to_string())], &[("sort_key", false)], None, 0)
            .await?;
        let mut quality = pb::QualityFigures::default();
        let mut audits = Vec::new();
        let mut period_audit_ids = Vec::new();
        for audit in &all_audits {
            let (Ok(first), Ok(last)) = (
                date_from_proto(audit.message.start_date.as_ref(), "start_date"),
                date_from_proto(audit.message.end_date.as_ref(), "end_date"),
            ) else {
                continue;
            };
            if first > end || last < start {
                continue;
            }
            quality.audits += 1;
            if audit.state == pb::audit::State::Completed as i32 {
                quality.audits_completed += 1;
            }
            period_audit_ids.push(audit.id.clone());
            audits.push(pb::AuditSummary {
                name: format!("audits/{}", audit.id),
                title: audit.message.title.clone(),
                state: audit.state,
                start_date: audit.message.start_date,
                finding_count: audit.message.finding_count,
            });
        }
        if !period_audit_ids.is_empty() {
            let findings: Vec<Row<pb::Finding>> = FINDINGS
                .list(db, vec![Expr::col("parent").is_in(period_audit_ids)], &[], None, 0)
                .await?;
            for finding in &findings {
                match pb::FindingType::try_from(finding.kind) {
                    Ok(pb::FindingType::MajorNonconformity) => quality.major_nonconformities += 1,
                    Ok(pb::FindingType::MinorNonconformity) => quality.minor_nonconformities += 1,
                    Ok(pb::FindingType::Observation) => quality.observations += 1,
                    Ok(pb::FindingType::OpportunityForImprovement) => quality.opportunities_for_improvement += 1,
                    _ => {}
                }
            }
        }
        let mut open_corrective_actions = Vec::new();
        let all_ids: Vec<String> = all_audits.iter().map(|a| a.id.clone()).collect();
        if !all_ids.is_empty() {
            let actions: Vec<Row<pb::CorrectiveAction>> = CORRECTIVE_ACTIONS
                .list(
                    db,
                    vec![Expr::col("parent").is_in(all_ids)],
                    &[("sort_key", false)],
                    None,
                    0,
                )
                .await?;
            // By the days things happened, entered since or not: open at the
            // period's end, closed and verified in it.
            let as_at = Ord::min(end, today(self.clock.now()));
            let within = |d: Option<NaiveDate>| d.is_some_and(|d| d >= start && d <= end);
            let day = |d: &Option<LocalDate>, recorded: Option<&Timestamp>| {
                d.as_ref()
                    .and_then(|d| date_from_proto(Some(d), "day").ok())
                    .or_else(|| local_date(recorded))
            };
            for action in &actions {
                let a = &action.message;
                let opened = day(&a.open_date, a.create_time.as_ref());
                let closed = day(&a.close_date, a.close_time.as_ref())
                    .filter(|_| action.state == pb::corrective_action::State::Closed as i32);
                let open_at_end = opened.is_some_and(|d| d <= end) && closed.is_none_or(|d| d > end);
                if open_at_end {
                    quality.corrective_actions_open += 1;
                    open_corrective_actions.push(action.answer());
                    let carried_out = day(&a.implement_date, None).is_some_and(|d| d <= end)
                        && !PENDING.iter().any(|s| *s as i32 == action.state);
                    let due = action_due(a);
                    if !carried_out && due.is_some_and(|due| due < as_at) {
                        quality.corrective_actions_overdue += 1;
                    }
                } else if within(closed) {
                    quality.corrective_actions_closed += 1;
                }
                for verification in &a.verifications {
                    if within(day(&verification.verify_date, verification.verify_time.as_ref())) {
                        if verification.effective {
                            quality.verifications_effective += 1;
                        } else {
                            quality.verifications_not_effective += 1;
                        }
                    }
                }
            }
        }
        let coverage = self.inspection_coverage(unit, start, end).await?;
        let statistics = sources.service_statistics(ctx, unit, start, end).await?;
        let targets = sources.target_figures(ctx, unit, end.year()).await?;
        Ok(pb::ManagementReviewPack {
            quality: Some(quality),
            audits,
            open_corrective_actions,
            service: Some(pb::ServiceFigures {
                carried_over: statistics.carried_over,
                received: statistics.received,
                withdrawn_or_stopped: statistics.withdrawn_or_stopped,
                early: statistics.early,
                on_time: statistics.on_time,
                late: statistics.late,
                in_progress: statistics.in_progress,
                overdue: statistics.overdue,
                on_time_rate: statistics.on_time_rate,
                digitised_rate: statistics.digitised_rate,
                rated: statistics.rated,
                satisfaction_rate: statistics.satisfaction_rate,
            }),
            inspections: Some(pb::InspectionCoverage {
                unit: unit.to_string(),
                share: coverage.share(),
                population: coverage.population,
                inspected: coverage.inspected,
            }),
            targets: targets
                .into_iter()
                .map(|t| pb::TargetFigure {
                    title: t.title,
                    threshold: t.threshold,
                    actual: t.actual,
                    status: t.status,
                })
                .collect(),
        })
    }

    pub async fn generate_management_review_pack(
        &self,
        ctx: &CallContext,
        request: pb::GenerateManagementReviewPackRequest,
    ) -> ServiceResult<pb::ManagementReview> {
        let print = fingerprint(&request);
        names::parse(&request.unit, "units", "unit")?;
        self.require_unit(ctx, &request.unit, "the management review").await?;
        let (start, end) = period(request.start_date.as_ref(), request.end_date.as_ref())?;
        let mut v = Violations::new();
        let title = text::clean(&mut v, "title", &request.title, false, 500);
        v.check()?;
        let title = if title.is_empty() {
            default_title(start, end)
        } else {
            title
        };
        if let Some(done) = self.journal.replay::<pb::ManagementReview>(ctx, &print).await? {
            return Ok(done);
        }
        let sources = self.sources.clone().ok_or_else(|| {
            ServiceError::precondition(
                "REVIEW_SOURCES_MISSING",
                "managementReviews",
                "this server has no source of service statistics and targets for management reviews",
            )
        })?;
        let unit = self
            .directory
            .unit(&request.unit)
            .await?
            .ok_or_else(|| ServiceError::invalid("unit", format!("{} does not exist", request.unit)))?;
        let pack = self
            .review_pack(ctx, sources.as_ref(), &request.unit, start, end)
            .await?;
        let now = self.clock.now();
        let superior_name = match self.directory.ancestors(&request.unit).await?.get(1) {
            Some(parent) => self
                .directory
                .unit(parent)
                .await?
                .map(|u| u.display_name)
                .unwrap_or_default(),
            None => String::new(),
        };
        // Issued today, under the next number of the unit's register.
        let year = now.with_timezone(&TIME_ZONE).year();
        let number = self.links.issue_number(ctx, &request.unit, year).await?;
        let mut review = pb::ManagementReview {
            document_number: unit.letterhead.number(number, "BC"),
            unit: request.unit.clone(),
            start_date: Some(proto_date(start)),
            end_date: Some(proto_date(end)),
            title: title.clone(),
            pack: Some(pack),
            author: ctx.principal.name.clone(),
            ..Default::default()
        };
        let document = render::Document {
            review: review.clone(),
            unit_name: unit.display_name.clone(),
            author_name: ctx.principal.display_name.clone(),
            issue_time: now,
            place_name: unit.place_name.clone(),
            letterhead: unit.letterhead.clone(),
            superior_name,
        };
        let templates = self.templates.clone();
        let (xlsx, html) = eiso_platform::blocking::run(move || {
            let xlsx = render::workbook(&document)?;
            let html = templates.page(&document)?;
            Ok::<_, ServiceError>((xlsx, html))
        })
        .await??;
        let stem = format!("xem-xet-lanh-dao-{}-{}", date_key(start), date_key(end));
        let record_request = if ctx.request_id.is_empty() {
            names::new_id()
        } else {
            format!("management-review:{}", ctx.request_id)
        };
        let record = self
            .links
            .file_record(
                ctx,
                RecordToFile {
                    title: title.clone(),
                    owner_unit: request.unit.clone(),
                    retention_months: RETENTION_MONTHS,
                    files: vec![
                        (format!("{stem}.xlsx"), XLSX.to_string(), xlsx),
                        (
                            format!("{stem}.html"),
                            "text/html; charset=utf-8".to_string(),
                            html.into_bytes(),
                        ),
                    ],
                    request_id: record_request,
                },
            )
            .await?;
        review.record = record;
        let tx = match self
            .journal
            .begin_idempotent::<pb::ManagementReview>(ctx, &print)
            .await?
        {
            Begun::Fresh(tx) => *tx,
            Begun::Replayed(done) => return Ok(done),
        };
        let mut row = Row::new(names::new_id(), review, now);
        row.unit = request.unit.clone();
        row.sort_key = date_key(end);
        write::create(tx, &row).await
    }

    pub async fn get_management_review(
        &self,
        ctx: &CallContext,
        request: pb::GetManagementReviewRequest,
    ) -> ServiceResult<pb::ManagementReview> {
        self.get(ctx, &request.name).await
    }

    pub async fn list_management_reviews(
        &self,
        ctx: &CallContext,
        request: pb::ListManagementReviewsRequest,
    ) -> ServiceResult<pb::ListManagementReviewsResponse> {
        let (rows, next_page_token) = self.page_in_scope(ctx, &LIST_REVIEWS, &request).await?;
        Ok(pb::ListManagementReviewsResponse {
            management_reviews: rows.iter().map(Row::answer).collect(),
            next_page_token,
        })
    }
}
