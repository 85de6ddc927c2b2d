//! Reports on a plan: quarterly, half-year and annual ones (the seed plan's Section V: data to
//! the 25th of the quarter's last month, to 24 June, to 23 December) and reports on demand.
//! Each is generated once per plan, kind and period, rendered as a workbook and a printable
//! page, filed as a quality record in the documents service and kept here.
//!
//! The scheduler ([`Scheduler`]) looks at the clock every interval and generates what is due:
//! a periodic report is due from 17:00 (local) on its cut-off day, after office hours, for 31
//! days (a server that was down catches up; a plan imported long after its year does not
//! file a backlog). A report's id is derived from its period (`2024-q1`), and it is filed
//! under a request id derived from plan and period: a restart, a retry or two replicas
//! running the scheduler at once file one record and keep one report.

use std::time::Duration;

use chrono::{Datelike, Days, NaiveDate, NaiveTime};
use eiso_platform::aip::text;
use eiso_platform::aip::time::{TIME_ZONE, proto_date, stored_instant, timestamp};
use eiso_platform::aip::{list, names};
use eiso_platform::blocking;
use eiso_platform::journal::{Begun, fingerprint};
use eiso_platform::lease::Lease;
use eiso_platform::links::RecordToFile;
use eiso_platform::{CallContext, NewEvent, ServiceError, ServiceResult, Violations};
use eiso_proto::eiso::plans::v1 as pb;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, Order, Query};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::Plans;

/// How long a re-issue's turn outlives its holder: longer than a re-issue
/// takes (recounting, rendering, filing the files), short enough that a
/// replica killed in the middle does not hold the report up for long.
const REISSUE_TURN: Duration = Duration::from_secs(120);
use crate::convert::{date_from_proto, local_date, vn_date};
use crate::evaluate::{is_leaf, task_at};
use crate::plans::MAX_TEXT;
use crate::report;
use crate::report_changes;
use crate::rows::{self, PlanRow, ReportRow, parse_child, parse_plan};

/// The method name reports are generated and filed under.
pub const GENERATE_METHOD: &str = "/eiso.plans.v1.PlanService/GenerateReport";

/// Months a filed report is kept (5 years).
pub const RETENTION_MONTHS: i32 = 60;

/// The local hour from which a periodic report is due on its cut-off day.
const DUE_HOUR: u32 = 17;

/// Days after the cut-off during which a missed report is still generated.
const CATCH_UP_DAYS: u64 = 31;

const ROMAN: [&str; 4] = ["I", "II", "III", "IV"];

/// A report's period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    pub kind: pb::ReportKind,
    /// `2024-Q1`, `2024-H1`, `2024`, `2024-03-01..2024-03-31`.
    pub key: String,
    /// The report id: `2024-q1`, `2024-h1`, `2024-year`; on demand, a new id.
    pub id: String,
    pub start: NaiveDate,
    pub cut_off: NaiveDate,
    pub title: String,
}

fn date(year: i32, month: u32, day: u32) -> ServiceResult<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, day).ok_or_else(|| ServiceError::invalid("year", "is out of range"))
}

const TITLE: &str = "Báo cáo kết quả thực hiện cải cách hành chính";
/// A report's type in its symbol (`05/BC-PGDĐT`), Nghị định 30/2020/NĐ-CP Phụ lục III.
const REPORT_SYMBOL: &str = "BC";

/// Quarter `q` (1–4) of `year`: from the day after the previous quarter's cut-off (1 January
/// for the first) to the 25th of the quarter's last month.
pub fn quarter(year: i32, q: u32) -> ServiceResult<Period> {
    if !(1..=4).contains(&q) {
        return Err(ServiceError::invalid("quarter", "must be 1, 2, 3 or 4"));
    }
    let start = if q == 1 {
        date(year, 1, 1)?
    } else {
        date(year, (q - 1) * 3, 26)?
    };
    Ok(Period {
        kind: pb::ReportKind::Quarterly,
        key: format!("{year}-Q{q}"),
        id: format!("{year}-q{q}"),
        start,
        cut_off: date(year, q * 3, 25)?,
        title: format!("{TITLE} quý {} năm {year}", ROMAN[(q - 1) as usize]),
    })
}

pub fn half_year(year: i32) -> ServiceResult<Period> {
    Ok(Period {
        kind: pb::ReportKind::HalfYear,
        key: format!("{year}-H1"),
        id: format!("{year}-h1"),
        start: date(year, 1, 1)?,
        cut_off: date(year, 6, 24)?,
        title: format!("{TITLE} 6 tháng đầu năm {year}"),
    })
}

pub fn annual(year: i32) -> ServiceResult<Period> {
    Ok(Period {
        kind: pb::ReportKind::Annual,
        key: format!("{year}"),
        id: format!("{year}-year"),
        start: date(year, 1, 1)?,
        cut_off: date(year, 12, 23)?,
        title: format!("{TITLE} năm {year}"),
    })
}

/// Every periodic report of a year, by cut-off.
pub fn periodic(year: i32) -> ServiceResult<Vec<Period>> {
    let mut all = vec![
        quarter(year, 1)?,
        quarter(year, 2)?,
        half_year(year)?,
        quarter(year, 3)?,
    ];
    all.push(annual(year)?);
    all.push(quarter(year, 4)?);
    Ok(all)
}

fn file_stem(plan_year: i32, period: &Period) -> String {
    match period.kind {
        pb::ReportKind::OnDemand => format!(
            "bao-cao-cchc-{}-{}",
            period.start.format("%Y%m%d"),
            period.cut_off.format("%Y%m%d")
        ),
        _ => format!("bao-cao-cchc-{}", period.id).replace(&format!("{plan_year}-year"), &plan_year.to_string()),
    }
}

/// A report's files as filed: the workbook and the printable page.
fn report_files(stem: &str, xlsx: &[u8], html: &str) -> Vec<(String, String, Vec<u8>)> {
    vec![
        (
            format!("{stem}.xlsx"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            xlsx.to_vec(),
        ),
        (
            format!("{stem}.html"),
            "text/html; charset=utf-8".to_string(),
            html.as_bytes().to_vec(),
        ),
    ]
}

fn is_unique_violation(error: &ServiceError) -> bool {
    matches!(error, ServiceError::AlreadyExists(_))
}

impl Plans {
    /// The report's content at its cut-off.
    async fn report_content(&self, ctx: &CallContext, plan: &PlanRow, period: &Period) -> ServiceResult<pb::Report> {
        let db = self.journal.db().reader();
        let tasks = rows::all_tasks(db, &plan.id).await?;
        let cut_off = period.cut_off;
        let mut progress = Vec::new();
        for task in &tasks {
            let t = &task.content;
            let section = t.time_frame.is_empty();
            let at = task_at(t, cut_off);
            // What had happened by the cut-off, entered since or not.
            let updates = crate::progress::by(t, cut_off);
            let latest = updates.last();
            let percent = if at.done.is_some() {
                100
            } else {
                latest.map_or(0, |p| Ord::min(p.percent, 99))
            };
            let status = if t.status == pb::TaskStatus::Cancelled as i32 {
                pb::TaskStatus::Cancelled
            } else if at.done.is_some() {
                pb::TaskStatus::Done
            } else if percent > 0 {
                pb::TaskStatus::InProgress
            } else {
                pb::TaskStatus::NotStarted
            };
            let late = is_leaf(t, &tasks)
                && match (at.done, at.end) {
                    (Some(done), Some(end)) => done > end,
                    (None, Some(end)) => end <= cut_off,
                    _ => false,
                };
            let evidence_count = t
                .evidence
                .iter()
                .filter(|e| {
                    e.add_time
                        .as_ref()
                        .and_then(stored_instant)
                        .map(local_date)
                        .is_some_and(|d| d <= cut_off)
                })
                .count() as i32;
            progress.push(pb::TaskProgress {
                task: task.name(),
                number: t.number.clone(),
                content: t.content.clone(),
                time_frame: t.time_frame.clone(),
                status: status as i32,
                percent: if section { 0 } else { percent },
                latest_note: latest.map(|p| p.note.clone()).unwrap_or_default(),
                evidence_count,
                late,
                section,
            });
        }
        let targets = self.evaluate_plan(ctx, plan, cut_off).await?;
        let dossiers = match self
            .measures
            .service_statistics(ctx, &plan.content.issuing_unit, period.start, cut_off)
            .await?
        {
            Some(s) => {
                let pct = |n: i64, d: i64| {
                    if d == 0 {
                        0.0
                    } else {
                        (n as f64 * 10_000.0 / d as f64).round() / 100.0
                    }
                };
                pb::DossierFigures {
                    available: true,
                    carried_over: s.carried_over,
                    received: s.received,
                    to_handle: s.carried_over + s.received,
                    withdrawn_or_stopped: s.withdrawn_or_stopped,
                    early: s.early,
                    on_time: s.on_time,
                    late: s.late,
                    in_progress: s.in_progress,
                    overdue: s.overdue,
                    rated: s.rated,
                    on_time_percent: pct(s.early + s.on_time, s.early + s.on_time + s.late + s.overdue),
                    satisfaction_percent: pct(s.satisfied, s.rated),
                    digitised_percent: pct(s.digitised, s.completed),
                }
            }
            None => pb::DossierFigures::default(),
        };
        Ok(pb::Report {
            name: format!("plans/{}/reports/{}", plan.id, period.id),
            kind: period.kind as i32,
            period: period.key.clone(),
            period_start: Some(proto_date(period.start)),
            cut_off_date: Some(proto_date(cut_off)),
            title: period.title.clone(),
            tasks: progress,
            targets,
            dossiers: Some(dossiers),
            generated_by: ctx.principal.name.clone(),
            revision: 1,
            ..Default::default()
        })
    }

    /// Who issues the plan's reports, as printed: the issuing unit, the body
    /// above it, where and how its documents are dated, numbered and signed.
    async fn issuer(&self, unit: &str) -> ServiceResult<report::Issuer> {
        let mut issuer = report::Issuer::default();
        if let Some(u) = self.directory.unit(unit).await? {
            issuer.unit_name = u.display_name;
            issuer.place_name = u.place_name;
            issuer.letterhead = u.letterhead;
        }
        if let Some(parent) = self.directory.ancestors(unit).await?.get(1) {
            issuer.superior_name = self
                .directory
                .unit(parent)
                .await?
                .map(|u| u.display_name)
                .unwrap_or_default();
        }
        Ok(issuer)
    }

    /// The report's printable page and workbook.
    async fn render(&self, plan: &PlanRow, content: &pb::Report) -> ServiceResult<(String, Vec<u8>)> {
        let plan_proto = plan.to_proto(self.journal.db().reader()).await?;
        let issuer = self.issuer(&plan.content.issuing_unit).await?;
        let view = report::view(content, &plan_proto, &issuer);
        let html = self.templates.render(&view).map_err(ServiceError::internal)?;
        let xlsx = blocking::run(move || report::workbook(&view))
            .await?
            .map_err(ServiceError::internal)?;
        Ok((html, xlsx))
    }

    /// The number and symbol a report issued on `day` by `unit` gets: the
    /// next in the unit's register of issued documents for that year.
    async fn document_number(&self, ctx: &CallContext, unit: &str, day: NaiveDate) -> ServiceResult<String> {
        let number = self.links.issue_number(ctx, unit, day.year()).await?;
        let letterhead = self
            .directory
            .unit(unit)
            .await?
            .map(|u| u.letterhead)
            .unwrap_or_default();
        Ok(letterhead.number(number, REPORT_SYMBOL))
    }

    /// Builds, files and keeps the report of `period`, or returns the one already kept.
    async fn generate(
        &self,
        ctx: &CallContext,
        plan: &PlanRow,
        period: &Period,
        filing_request_id: String,
    ) -> ServiceResult<pb::Report> {
        if period.kind != pb::ReportKind::OnDemand
            && let Some(existing) = rows::find_report(self.journal.db().reader(), &plan.id, &period.id, false).await?
        {
            return Ok(existing.content);
        }
        let mut content = self.report_content(ctx, plan, period).await?;
        // Filed under the system principal for periodic reports, so that the scheduler and
        // someone asking for the same report at the same time file the same record.
        let filing_ctx = if period.kind == pb::ReportKind::OnDemand {
            ctx.clone()
        } else {
            let mut system = CallContext::system(GENERATE_METHOD);
            system.reason = format!("generated for {}", ctx.principal.name);
            system
        };
        // Issued on its cut-off day, in that year's register.
        content.document_number = self
            .document_number(&filing_ctx, &plan.content.issuing_unit, period.cut_off)
            .await?;
        let (html, xlsx) = self.render(plan, &content).await?;
        let stem = file_stem(plan.content.year, period);
        let record = self
            .links
            .file_record(
                &filing_ctx,
                RecordToFile {
                    title: content.title.clone(),
                    owner_unit: plan.content.issuing_unit.clone(),
                    retention_months: RETENTION_MONTHS,
                    files: report_files(&stem, &xlsx, &html),
                    request_id: filing_request_id,
                },
            )
            .await?;
        content.record = record;
        let now = self.clock.now();
        content.create_time = Some(timestamp(now));
        let row = ReportRow {
            plan_id: plan.id.clone(),
            id: period.id.clone(),
            content: content.clone(),
            xlsx,
            html,
        };
        let mut tx = self.journal.begin(ctx).await?;
        match row.insert(tx.txn(), &period.cut_off.to_string(), now).await {
            Ok(()) => {}
            Err(error) if is_unique_violation(&error) => {
                drop(tx);
                // Another replica kept it first (with the same record).
                return rows::find_report(self.journal.db().reader(), &plan.id, &period.id, false)
                    .await?
                    .map(|r| r.content)
                    .ok_or(error);
            }
            Err(error) => return Err(error),
        }
        tx.event(NewEvent::with("plans.report.generated", &content.name, &content));
        tx.commit().await?;
        Ok(content)
    }

    pub async fn generate_report(
        &self,
        ctx: &CallContext,
        request: pb::GenerateReportRequest,
    ) -> ServiceResult<pb::Report> {
        let plan_id = parse_plan(&request.parent, "parent")?;
        let plan = self.checked_plan(ctx, self.journal.db().reader(), &plan_id).await?;
        let year = plan.content.year;
        let kind = pb::ReportKind::try_from(request.kind).unwrap_or(pb::ReportKind::Unspecified);
        let period = match kind {
            pb::ReportKind::Unspecified => {
                return Err(ServiceError::invalid(
                    "kind",
                    "is required: QUARTERLY, HALF_YEAR, ANNUAL or ON_DEMAND",
                ));
            }
            pb::ReportKind::Quarterly => quarter(year, u32::try_from(request.quarter).unwrap_or(0))?,
            pb::ReportKind::HalfYear => half_year(year)?,
            pb::ReportKind::Annual => annual(year)?,
            pb::ReportKind::OnDemand => {
                let start = match &request.start_date {
                    Some(d) => date_from_proto(d, "start_date")?,
                    None => date(year, 1, 1)?,
                };
                let end = match &request.end_date {
                    Some(d) => date_from_proto(d, "end_date")?,
                    None => Ord::min(self.today(), date(year, 12, 31)?),
                };
                if end < start {
                    return Err(ServiceError::invalid("end_date", "must not be before start_date"));
                }
                if start < date(year, 1, 1)? || end > date(year, 12, 31)? {
                    return Err(ServiceError::invalid(
                        "start_date",
                        format!("the period must lie within the plan's year {year}"),
                    ));
                }
                Period {
                    kind,
                    key: format!("{start}..{end}"),
                    id: names::new_id(),
                    start,
                    cut_off: end,
                    title: format!("{TITLE} từ ngày {} đến ngày {}", vn_date(start), vn_date(end)),
                }
            }
        };
        if kind == pb::ReportKind::OnDemand {
            let ctx = ctx.clone().with_request_id(&request.request_id);
            // A retry returns the first call's report (and files nothing).
            if let Some(done) = self.journal.replay::<pb::Report>(&ctx, &fingerprint(&request)).await? {
                return Ok(done);
            }
            let filing = if request.request_id.is_empty() {
                String::new()
            } else {
                format!("plans-report:{plan_id}:{}:{}", ctx.principal.name, request.request_id)
            };
            return self.generate_on_demand(&ctx, &plan, &period, filing, &request).await;
        }
        let ctx = ctx.clone().with_request_id("");
        self.generate(&ctx, &plan, &period, format!("plans-report:{plan_id}:{}", period.id))
            .await
    }

    async fn generate_on_demand(
        &self,
        ctx: &CallContext,
        plan: &PlanRow,
        period: &Period,
        filing: String,
        request: &pb::GenerateReportRequest,
    ) -> ServiceResult<pb::Report> {
        // The idempotency key covers the request, not the content name.
        let keyed = ctx.clone().with_request_id("");
        let report = self.generate(&keyed, plan, period, filing).await?;
        if !ctx.request_id.is_empty() {
            // Remember the answer under the caller's request_id.
            if let Begun::Fresh(tx) = self
                .journal
                .begin_idempotent::<pb::Report>(ctx, &fingerprint(request))
                .await?
            {
                return tx.commit_idempotent(report).await;
            }
        }
        Ok(report)
    }

    /// Re-issues a kept report as at its cut-off, when what it counts has
    /// changed since its last issue (late entries): its next revision, filed
    /// as the next revision of its record, saying who, why and what changed.
    /// FAILED_PRECONDITION (REPORT_UNCHANGED) when nothing has.
    pub async fn reissue_report(
        &self,
        ctx: &CallContext,
        request: pb::ReissueReportRequest,
    ) -> ServiceResult<pb::Report> {
        parse_child(&request.name, "reports", "name")?;
        // One re-issue of a report at a time, among every replica: the
        // record's revision and the report's are two services' writes, and
        // two callers finishing one record revision at once would attach its
        // files twice. A lease in this service's database, given back when
        // done (or expired, if this process dies meanwhile).
        let turn = Lease::new(
            self.journal.db().clone(),
            format!("plans.reissue:{}", request.name),
            names::new_id(),
        )
        .with_ttl(REISSUE_TURN);
        if !turn.hold().await? {
            return Err(ServiceError::Aborted(format!(
                "{} is being re-issued by another request; read it again when that is done",
                request.name
            )));
        }
        let reissued = self.reissue_in_turn(ctx, request).await;
        if let Err(error) = turn.release().await {
            tracing::warn!(%error, lease = turn.name(), "cannot give back a re-issue's turn; it expires by itself");
        }
        reissued
    }

    /// [`Self::reissue_report`] once its turn is taken.
    async fn reissue_in_turn(&self, ctx: &CallContext, request: pb::ReissueReportRequest) -> ServiceResult<pb::Report> {
        let (plan_id, id) = parse_child(&request.name, "reports", "name")?;
        let mut v = Violations::new();
        let reason = text::clean(&mut v, "reason", &request.reason, true, MAX_TEXT);
        v.check()?;
        let ctx = &ctx.clone().with_reason(&reason);
        let db = self.journal.db().reader();
        let plan = self.checked_plan(ctx, db, &plan_id).await?;
        let kept = rows::find_report(db, &plan_id, &id, false)
            .await?
            .ok_or_else(|| ServiceError::NotFound(request.name.clone()))?;
        let before = kept.content;
        let date = |d: &Option<pb::LocalDate>, field: &str| {
            d.as_ref()
                .ok_or_else(|| ServiceError::internal(format!("{} has no {field}", before.name)))
                .and_then(|d| date_from_proto(d, field))
        };
        let period = Period {
            kind: pb::ReportKind::try_from(before.kind).unwrap_or(pb::ReportKind::OnDemand),
            key: before.period.clone(),
            id: id.clone(),
            start: date(&before.period_start, "period_start")?,
            cut_off: date(&before.cut_off_date, "cut_off_date")?,
            title: before.title.clone(),
        };
        let fresh = self.report_content(ctx, &plan, &period).await?;
        let changes = report_changes::changes(&before, &fresh);
        let revision = Ord::max(before.revision, 1);
        if changes.is_empty() {
            return Err(ServiceError::precondition(
                "REPORT_UNCHANGED",
                before.name.clone(),
                format!(
                    "nothing {} counts as at its cut-off {} has changed since revision {revision} was issued",
                    before.name, period.cut_off
                ),
            ));
        }
        let now = self.clock.now();
        let mut content = pb::Report {
            name: before.name.clone(),
            record: before.record.clone(),
            // The same document, issued again under its number.
            document_number: before.document_number.clone(),
            create_time: before.create_time,
            revision: revision + 1,
            revisions: before.revisions.clone(),
            ..fresh
        };
        content.revisions.push(pb::ReportRevision {
            revision: revision + 1,
            issued_by: ctx.principal.name.clone(),
            issue_time: Some(timestamp(now)),
            reason: reason.clone(),
            changes,
        });
        let (html, xlsx) = self.render(&plan, &content).await?;
        let stem = format!("{}-lan-{}", file_stem(plan.content.year, &period), revision + 1);
        // The record's revision first, keyed by the report's: two re-issues at
        // once make one record revision (the other is ABORTED here or at the
        // report's compare-and-set below), and a re-issue cut off between the
        // two is finished by the next.
        if !before.record.is_empty() {
            self.links
                .revise_record(
                    ctx,
                    &before.record,
                    revision + 1,
                    &format!("{} re-issued as revision {}: {reason}", before.name, revision + 1),
                    report_files(&stem, &xlsx, &html),
                )
                .await?;
        }
        let mut tx = self.journal.begin(ctx).await?;
        let row = ReportRow {
            plan_id: plan_id.clone(),
            id,
            content: content.clone(),
            xlsx,
            html,
        };
        // Only over the revision read: two re-issues at once make one.
        row.replace(tx.txn(), &before).await?;
        tx.event(NewEvent::with("plans.report.reissued", &content.name, &content));
        tx.commit().await?;
        Ok(content)
    }

    pub async fn get_report(&self, ctx: &CallContext, request: pb::GetReportRequest) -> ServiceResult<pb::Report> {
        let (plan_id, id) = parse_child(&request.name, "reports", "name")?;
        let db = self.journal.db().reader();
        self.checked_plan(ctx, db, &plan_id).await?;
        rows::find_report(db, &plan_id, &id, false)
            .await?
            .map(|r| r.content)
            .ok_or_else(|| ServiceError::NotFound(request.name.clone()))
    }

    pub async fn list_reports(
        &self,
        ctx: &CallContext,
        request: pb::ListReportsRequest,
    ) -> ServiceResult<pb::ListReportsResponse> {
        let plan_id = parse_plan(&request.parent, "parent")?;
        const SPEC: list::Spec = list::Spec::new(&["kind"], &[], "").sizes(50, 500);
        let listing = eiso_platform::listing!(&SPEC, request, under request.parent, unordered)?;
        let db = self.journal.db().reader();
        self.checked_plan(ctx, db, &plan_id).await?;
        let mut query = Query::select();
        query
            .columns(["plan_id", "id", "content"])
            .from("plan_reports")
            .and_where(Expr::col("plan_id").eq(plan_id.clone()));
        listing.filter(&mut query, |condition| {
            Ok(Expr::col("kind").eq(list::enum_value(
                &condition.value,
                "REPORT_KIND_",
                "kind",
                pb::ReportKind::from_str_name,
            )?))
        })?;
        query
            .order_by("cut_off", Order::Desc)
            .order_by("create_time", Order::Desc);
        listing.limit(&mut query);
        let (found, next_page_token) = listing.rows(db, &query).await?;
        let reports = found
            .iter()
            .map(|row| ReportRow::from_row(row, false).map(|r| r.content))
            .collect::<ServiceResult<Vec<_>>>()?;
        Ok(pb::ListReportsResponse {
            reports,
            next_page_token,
        })
    }

    pub async fn export_report(
        &self,
        ctx: &CallContext,
        request: pb::ExportReportRequest,
    ) -> ServiceResult<pb::ExportReportResponse> {
        let (plan_id, id) = parse_child(&request.name, "reports", "name")?;
        let format = pb::ReportFormat::try_from(request.format).unwrap_or(pb::ReportFormat::Unspecified);
        if format == pb::ReportFormat::Unspecified {
            return Err(ServiceError::invalid("format", "is required: XLSX or HTML"));
        }
        let db = self.journal.db().reader();
        self.checked_plan(ctx, db, &plan_id).await?;
        let row = rows::find_report(db, &plan_id, &id, true)
            .await?
            .ok_or_else(|| ServiceError::NotFound(request.name.clone()))?;
        let stem = format!("bao-cao-cchc-{}", row.content.period.to_lowercase().replace("..", "-"));
        Ok(match format {
            pb::ReportFormat::Html => pb::ExportReportResponse {
                content: row.html.into_bytes(),
                file_name: format!("{stem}.html"),
                content_type: "text/html; charset=utf-8".to_string(),
            },
            _ => pb::ExportReportResponse {
                content: row.xlsx,
                file_name: format!("{stem}.xlsx"),
                content_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            },
        })
    }

    /// The scheduler's pass: generates every periodic report that is due and not yet kept.
    /// Returns the names of the reports it generated.
    pub async fn run_due_reports(&self) -> ServiceResult<Vec<String>> {
        let now = self.clock.now().with_timezone(&TIME_ZONE).naive_local();
        let today = now.date();
        let due_time = NaiveTime::from_hms_opt(DUE_HOUR, 0, 0).unwrap_or(NaiveTime::MIN);
        let ctx = CallContext::system(GENERATE_METHOD);
        let db = self.journal.db().reader();
        let mut query = rows::plan_select();
        query
            .and_where(Expr::col("year").gte(chrono::Datelike::year(&today) - 1))
            .and_where(Expr::col("year").lte(chrono::Datelike::year(&today)))
            .order_by("id", Order::Asc);
        let plans = db
            .query_all(&query)
            .await?
            .iter()
            .map(PlanRow::from_row)
            .collect::<ServiceResult<Vec<_>>>()?;
        let mut generated = Vec::new();
        for plan in plans {
            for period in periodic(plan.content.year)? {
                let due = now >= period.cut_off.and_time(due_time)
                    && period
                        .cut_off
                        .checked_add_days(Days::new(CATCH_UP_DAYS))
                        .is_some_and(|last| today <= last);
                if !due || rows::find_report(db, &plan.id, &period.id, false).await?.is_some() {
                    continue;
                }
                match self
                    .generate(&ctx, &plan, &period, format!("plans-report:{}:{}", plan.id, period.id))
                    .await
                {
                    Ok(report) => {
                        tracing::info!(report = %report.name, "periodic report generated");
                        generated.push(report.name);
                    }
                    Err(error) => {
                        tracing::warn!(plan = %plan.id, period = %period.key, %error, "cannot generate a periodic report")
                    }
                }
            }
        }
        Ok(generated)
    }
}

/// The background task that generates periodic reports.
pub struct Scheduler;

impl Scheduler {
    /// Runs [`Plans::run_due_reports`] now and then every `interval` until `shutdown` turns true.
    /// Runs the due reports every `interval` while this process holds
    /// `lease` (one replica at a time), until `shutdown`; gives the lease
    /// back then.
    pub fn spawn(
        plans: Plans,
        interval: Duration,
        lease: Lease,
        mut shutdown: watch::Receiver<bool>,
    ) -> JoinHandle<()> {
        tokio::spawn(async move {
            loop {
                if *shutdown.borrow() {
                    break;
                }
                match lease.hold().await {
                    Ok(true) => {
                        if let Err(error) = plans.run_due_reports().await {
                            tracing::warn!(%error, "the report scheduler's pass failed");
                        }
                    }
                    Ok(false) => {}
                    Err(error) => tracing::warn!(%error, "the report scheduler cannot renew its lease"),
                }
                tokio::select! {
                    _ = tokio::time::sleep(interval) => {}
                    _ = shutdown.wait_for(|stop| *stop) => break,
                }
            }
            if let Err(error) = lease.release().await {
                tracing::warn!(%error, "the report scheduler cannot give its lease back");
            }
        })
    }
}

/// A report being re-issued in this process, until dropped.
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_offs_follow_the_seed() {
        let d = |m, day| NaiveDate::from_ymd_opt(2024, m, day).expect("date");
        let all = periodic(2024).expect("periods");
        let cut_offs: Vec<(String, NaiveDate, NaiveDate)> =
            all.iter().map(|p| (p.key.clone(), p.start, p.cut_off)).collect();
        assert_eq!(
            cut_offs,
            [
                ("2024-Q1".to_string(), d(1, 1), d(3, 25)),
                ("2024-Q2".to_string(), d(3, 26), d(6, 25)),
                ("2024-H1".to_string(), d(1, 1), d(6, 24)),
                ("2024-Q3".to_string(), d(6, 26), d(9, 25)),
                ("2024".to_string(), d(1, 1), d(12, 23)),
                ("2024-Q4".to_string(), d(9, 26), d(12, 25)),
            ]
        );
        assert_eq!(
            all[0].title,
            "Báo cáo kết quả thực hiện cải cách hành chính quý I năm 2024"
        );
        assert!(quarter(2024, 5).is_err());
    }
}
