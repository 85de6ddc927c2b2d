//! Service-quality measures of a period: dossiers received in it, how they
//! ended (early, on time, late, otherwise), what is still running or overdue,
//! the online share, the digitised-result rate and satisfaction.
//!
//! Read from the counts kept beside the dossiers ([`kept`], `crate::counts`);
//! [`scan`] counts the same from the dossier rows, the definition they are
//! tested against ([`count`] with [`Counting::Scan`]).

mod kept;
mod scan;

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, NaiveTime, Utc};
use eiso_platform::aip::names;
use eiso_platform::aip::time::{proto_date, timestamp};
use eiso_platform::scope::Scope;
use eiso_platform::{CallContext, ServiceError, ServiceResult};
use eiso_proto::eiso::procedures::v1 as pb;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, SelectStatement};

use crate::Procedures;
use crate::calendar;
use crate::catalogue::parse_procedure;
use crate::convert::date_from_proto;

fn ratio(part: i64, whole: i64) -> f64 {
    if whole == 0 { 0.0 } else { part as f64 / whole as f64 }
}

/// Where the figures are counted from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counting {
    /// The counts kept beside the dossiers: what the service answers with.
    Kept,
    /// Every dossier row of the period: the definition, for comparison.
    Scan,
}

/// Named figures of one pass.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Values(HashMap<String, i64>);

impl Values {
    fn set(&mut self, name: &str, value: i64) {
        self.0.insert(name.to_string(), value);
    }

    fn get(&self, name: &str) -> ServiceResult<i64> {
        self.0
            .get(name)
            .copied()
            .ok_or_else(|| ServiceError::internal(format!("statistics figure {name} was not counted")))
    }

    fn all_zero(&self) -> bool {
        self.0.values().all(|v| *v == 0)
    }
}

/// Values by group key ("" when not grouped).
type Grouped = Vec<(String, Values)>;

fn ungrouped(grouped: Grouped) -> ServiceResult<Values> {
    grouped
        .into_iter()
        .find(|(key, _)| key.is_empty())
        .map(|(_, values)| values)
        .ok_or_else(|| ServiceError::internal("the statistics query returned no row"))
}

/// A month of a period, cut to the period: its first day, and the
/// instants `[from, until)` counted in it.
struct Month {
    first: NaiveDate,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
}

impl Procedures {
    /// PERMISSION_DENIED (the field named) unless the roles of the caller's
    /// method cover `agency`, a unit a request asks about. Units themselves
    /// are seen by every signed-in user; what they hold is not.
    pub(crate) async fn require_agency_covered(
        &self,
        ctx: &CallContext,
        agency: &str,
        field: &str,
    ) -> ServiceResult<Scope> {
        let scope = Scope::of_method(self.directory.as_ref(), ctx).await?;
        if !scope.covers(agency) {
            return Err(ServiceError::PermissionDenied(format!(
                "{field}: {agency} is outside the units your role covers"
            )));
        }
        Ok(scope)
    }

    /// GetServiceStatistics for a caller: the agency asked about must be
    /// covered by the caller's units; without one, only the dossiers of the
    /// covered agencies are counted. With `group_by`, the period figures of
    /// each agency or procedure too.
    pub async fn service_statistics(
        &self,
        ctx: &CallContext,
        request: pb::GetServiceStatisticsRequest,
    ) -> ServiceResult<pb::ServiceStatistics> {
        let scope = self.request_scope(ctx, &request).await?;
        count(
            self.journal.db().reader(),
            Counting::Kept,
            &request,
            &scope,
            self.clock.now(),
        )
        .await
    }

    /// NOT_FOUND unless `agency` names an existing unit: statistics of a
    /// unit that does not exist are not a page of zeros. Units are seen by
    /// every signed-in user, so this discloses nothing.
    async fn require_agency_exists(&self, agency: &str) -> ServiceResult<()> {
        names::parse(agency, "units", "agency")?;
        match self.directory.unit(agency).await? {
            Some(_) => Ok(()),
            None => Err(ServiceError::NotFound(agency.to_string())),
        }
    }

    /// The statistics of `agency`'s dossiers over the days `start` to `end`,
    /// every procedure together, unchecked: for in-process callers (a plan's
    /// measures, a management review) that checked the caller's access to the
    /// unit they ask about.
    pub async fn statistics(
        &self,
        agency: &str,
        start: NaiveDate,
        end: NaiveDate,
    ) -> ServiceResult<pb::ServiceStatistics> {
        self.require_agency_exists(agency).await?;
        let request = pb::GetServiceStatisticsRequest {
            agency: agency.to_string(),
            procedure: String::new(),
            start_date: Some(proto_date(start)),
            end_date: Some(proto_date(end)),
            group_by: 0,
        };
        count(
            self.journal.db().reader(),
            Counting::Kept,
            &request,
            &Scope::Everywhere,
            self.clock.now(),
        )
        .await
    }

    /// The scope of a caller's statistics request, as [`Self::service_statistics`] checks it.
    async fn request_scope(
        &self,
        ctx: &CallContext,
        request: &pb::GetServiceStatisticsRequest,
    ) -> ServiceResult<Scope> {
        if request.agency.is_empty() {
            Scope::of_method(self.directory.as_ref(), ctx).await
        } else {
            self.require_agency_exists(&request.agency).await?;
            self.require_agency_covered(ctx, &request.agency, "agency").await
        }
    }

    /// The period figures of a GetServiceStatistics request broken down by
    /// agency or by procedure in one pass, for the agencies the caller may
    /// see (the same checks as [`Self::service_statistics`]).
    pub async fn period_figures_by(
        &self,
        ctx: &CallContext,
        request: &pb::GetServiceStatisticsRequest,
        by: pb::StatisticsGroup,
    ) -> ServiceResult<Vec<pb::GroupFigures>> {
        let scope = self.request_scope(ctx, request).await?;
        let bounds = Bounds::of(request)?;
        let filter = bounds.filter(&request.agency, &scope);
        let now = self.clock.now();
        let as_of = Ord::min(bounds.until, now);
        group_figures(
            self.journal.db().reader(),
            Counting::Kept,
            &filter,
            &bounds,
            as_of,
            now,
            by,
        )
        .await
    }

    /// Dossiers finished in each month of the request's period (local
    /// months; the first and last may be partial), in time (early or on
    /// time) and late, in one pass: what the on-time rate by month is drawn
    /// from. The same checks as [`Self::service_statistics`].
    pub async fn finished_by_month(
        &self,
        ctx: &CallContext,
        request: pb::GetServiceStatisticsRequest,
    ) -> ServiceResult<Vec<MonthFinished>> {
        let scope = self.request_scope(ctx, &request).await?;
        count_by_month(
            self.journal.db().reader(),
            Counting::Kept,
            &request,
            &scope,
            self.clock.now(),
        )
        .await
    }
}

/// Everything GetServiceStatistics answers for `request`, over the agencies
/// `scope` covers, as at `now`, counted as `counting` says. Unchecked: the
/// caller checked the request's agency against its caller.
pub async fn count(
    db: &impl ConnectionTrait,
    counting: Counting,
    request: &pb::GetServiceStatisticsRequest,
    scope: &Scope,
    now: DateTime<Utc>,
) -> ServiceResult<pb::ServiceStatistics> {
    let by = eiso_platform::aip::enums::parse_with_default::<pb::StatisticsGroup>(request.group_by, "group_by")?;
    let bounds = Bounds::of(request)?;
    let filter = bounds.filter(&request.agency, scope);
    let as_of = Ord::min(bounds.until, now);
    let cohort = match counting {
        Counting::Kept => kept::cohort(db, &filter, bounds.from, bounds.until, now).await?,
        Counting::Scan => scan::cohort(db, &filter, bounds.from, bounds.until, now).await?,
    };
    let period = period_values(db, counting, &filter, bounds.from, as_of, None).await?;
    let mut stats = pb::ServiceStatistics {
        received: cohort.get("received")?,
        early: cohort.get("early")?,
        on_time: cohort.get("on_time")?,
        late: cohort.get("late")?,
        overdue: cohort.get("overdue")?,
        ended_otherwise: cohort.get("ended")?,
        rated: cohort.get("rated")?,
        period: Some(period_from(&ungrouped(period)?, as_of, now, bounds.until)?),
        ..Default::default()
    };
    stats.in_progress = cohort.get("active")? - stats.overdue;
    let (online, completed, digitised, satisfied) = (
        cohort.get("online")?,
        cohort.get("completed")?,
        cohort.get("digitised")?,
        cohort.get("satisfied")?,
    );
    stats.on_time_rate = ratio(stats.early + stats.on_time, stats.early + stats.on_time + stats.late);
    stats.online_share = ratio(online, stats.received);
    stats.digitised_rate = ratio(digitised, completed);
    stats.satisfaction_rate = ratio(satisfied, stats.rated);
    stats.groups = group_figures(db, counting, &filter, &bounds, as_of, now, by).await?;
    Ok(stats)
}

/// The period figures broken down by agency or by procedure in one pass:
/// each group that has dossiers to count, keyed `units/{id}` or
/// `procedures/{code}`, in the order of the keys (none for no grouping).
async fn group_figures(
    db: &impl ConnectionTrait,
    counting: Counting,
    filter: &Filter<'_>,
    bounds: &Bounds,
    as_of: DateTime<Utc>,
    now: DateTime<Utc>,
    by: pb::StatisticsGroup,
) -> ServiceResult<Vec<pb::GroupFigures>> {
    let column = match by {
        pb::StatisticsGroup::Unspecified => return Ok(Vec::new()),
        pb::StatisticsGroup::Agency => "agency",
        pb::StatisticsGroup::Procedure => "procedure_code",
    };
    let mut groups = Vec::new();
    for (key, values) in period_values(db, counting, filter, bounds.from, as_of, Some(column)).await? {
        if values.all_zero() {
            continue;
        }
        groups.push(pb::GroupFigures {
            key: if by == pb::StatisticsGroup::Procedure {
                format!("procedures/{key}")
            } else {
                key
            },
            period: Some(period_from(&values, as_of, now, bounds.until)?),
        });
    }
    groups.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(groups)
}

async fn period_values(
    db: &impl ConnectionTrait,
    counting: Counting,
    filter: &Filter<'_>,
    from: DateTime<Utc>,
    as_of: DateTime<Utc>,
    group: Option<&str>,
) -> ServiceResult<Grouped> {
    match counting {
        Counting::Kept => kept::period(db, filter, from, as_of, group).await,
        Counting::Scan => scan::period(db, filter, from, as_of, group).await,
    }
}

/// Dossiers finished in each month of `request`'s period over the agencies
/// `scope` covers ([`Procedures::finished_by_month`]), counted as `counting` says.
pub async fn count_by_month(
    db: &impl ConnectionTrait,
    counting: Counting,
    request: &pb::GetServiceStatisticsRequest,
    scope: &Scope,
    now: DateTime<Utc>,
) -> ServiceResult<Vec<MonthFinished>> {
    let bounds = Bounds::of(request)?;
    let filter = bounds.filter(&request.agency, scope);
    let as_of = Ord::min(bounds.until, now);
    let mut months = Vec::new();
    let mut first = bounds.start.with_day(1).unwrap_or(bounds.start);
    while first <= bounds.end && months.len() < 240 {
        let next = first.checked_add_months(Months::new(1)).unwrap_or(first);
        let local = |day: NaiveDate| calendar::from_local(day.and_time(NaiveTime::MIN)).map_err(ServiceError::internal);
        months.push(Month {
            first,
            from: Ord::max(local(first)?, bounds.from),
            until: Ord::min(local(next)?, as_of),
        });
        if next == first {
            break;
        }
        first = next;
    }
    let values = match counting {
        Counting::Kept => kept::finished(db, &filter, &months).await?,
        Counting::Scan => scan::finished(db, &filter, bounds.from, as_of, &months).await?,
    };
    months
        .iter()
        .enumerate()
        .map(|(i, month)| {
            Ok(MonthFinished {
                month: month.first,
                in_time: values.get(&format!("in_time_{i}"))?,
                late: values.get(&format!("late_{i}"))?,
            })
        })
        .collect()
}

/// Dossiers finished in one month ([`Procedures::finished_by_month`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthFinished {
    /// The month's first day (local).
    pub month: NaiveDate,
    /// Finished early or on time.
    pub in_time: i64,
    pub late: i64,
}

/// The checked dates of a statistics request: its local days, the instants
/// they span (`[from, until)`), and the procedure's code if one is asked.
struct Bounds {
    start: NaiveDate,
    end: NaiveDate,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
    procedure: Option<String>,
}

impl Bounds {
    /// The dossiers counted: of `agency` (all if empty) within `scope`, of
    /// the request's procedure if it names one.
    fn filter<'a>(&'a self, agency: &'a str, scope: &'a Scope) -> Filter<'a> {
        Filter {
            agency,
            scope,
            procedure: self.procedure.as_deref(),
        }
    }

    fn of(request: &pb::GetServiceStatisticsRequest) -> ServiceResult<Self> {
        let start = date_from_proto(
            request
                .start_date
                .as_ref()
                .ok_or_else(|| ServiceError::invalid("start_date", "is required"))?,
            "start_date",
        )?;
        let end = date_from_proto(
            request
                .end_date
                .as_ref()
                .ok_or_else(|| ServiceError::invalid("end_date", "is required"))?,
            "end_date",
        )?;
        if end < start {
            return Err(ServiceError::invalid("end_date", "must not be before start_date"));
        }
        let from = calendar::from_local(start.and_time(NaiveTime::MIN)).map_err(ServiceError::internal)?;
        let until = calendar::from_local(
            end.checked_add_days(Days::new(1))
                .ok_or_else(|| ServiceError::invalid("end_date", "is out of range"))?
                .and_time(NaiveTime::MIN),
        )
        .map_err(ServiceError::internal)?;
        let procedure = if request.procedure.is_empty() {
            None
        } else {
            Some(parse_procedure(&request.procedure, "procedure")?)
        };
        Ok(Self {
            start,
            end,
            from,
            until,
            procedure,
        })
    }
}

/// The period figures from the values of a period ([`kept::period`], [`scan::period`]).
fn period_from(
    values: &Values,
    as_of: DateTime<Utc>,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> ServiceResult<pb::PeriodFigures> {
    let mut period = pb::PeriodFigures {
        as_of_time: Some(timestamp(as_of)),
        open: now < until,
        carried_over: values.get("carried_over")?,
        received: values.get("received")?,
        received_online: values.get("online")?,
        received_direct: values.get("direct")?,
        received_postal: values.get("postal")?,
        finished_early: values.get("early")?,
        finished_on_time: values.get("on_time")?,
        finished_late: values.get("late")?,
        finished_not_returned: values.get("not_returned")?,
        withdrawn_or_stopped: values.get("ended")?,
        in_progress_overdue: values.get("overdue")?,
        ..Default::default()
    };
    period.to_handle = period.carried_over + period.received;
    period.in_progress_within_time = values.get("running")? - period.in_progress_overdue;
    let in_time = period.finished_early + period.finished_on_time;
    period.on_time_rate = ratio(in_time, in_time + period.finished_late);
    period.late_rate = ratio(period.finished_late + period.in_progress_overdue, period.to_handle);
    Ok(period)
}

/// Which dossiers a statistics call counts: of one agency, of the agencies
/// the caller's scope covers, of one procedure.
struct Filter<'a> {
    agency: &'a str,
    scope: &'a Scope,
    procedure: Option<&'a str>,
}

impl Filter<'_> {
    fn apply(&self, query: &mut SelectStatement) {
        self.apply_on(query, Expr::col)
    }

    /// [`Self::apply`] with the columns in expressions no index serves
    /// (`agency || ''`): for a query that must find its rows through other
    /// indexes, which a planner without statistics (SQLite) would otherwise
    /// pass over for an index on the filter's columns.
    fn apply_unindexed(&self, query: &mut SelectStatement) {
        self.apply_on(query, |column| Expr::cust(format!("({column} || '')")))
    }

    fn apply_on(&self, query: &mut SelectStatement, column: impl Fn(&'static str) -> Expr) {
        if !self.agency.is_empty() {
            query.and_where(column("agency").eq(self.agency));
        }
        if let Some(covered) = self.scope.condition_on(column("agency")) {
            query.and_where(covered);
        }
        if let Some(code) = self.procedure {
            query.and_where(column("procedure_code").eq(code));
        }
    }
}
