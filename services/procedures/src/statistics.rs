//! Service-quality measures of a period: dossiers received in it, how they
//! ended (early, on time, late, otherwise), what is still running or overdue,
//! the online share, the digitised-result rate and satisfaction.

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, NaiveTime, Utc};
use eiso_platform::aip::names;
use eiso_platform::aip::time::timestamp;
use eiso_platform::scope::Scope;
use eiso_platform::{CallContext, ServiceError, ServiceResult};
use eiso_proto::eiso::procedures::v1 as pb;
use pb::DossierStatus as S;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, Query, SelectStatement};

use crate::Procedures;
use crate::calendar;
use crate::catalogue::parse_procedure;
use crate::convert::date_from_proto;
use crate::dossiers::ACTIVE;

fn ratio(part: i64, whole: i64) -> f64 {
    if whole == 0 { 0.0 } else { part as f64 / whole as f64 }
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
    /// covered agencies are counted.
    pub async fn service_statistics(
        &self,
        ctx: &CallContext,
        request: pb::GetServiceStatisticsRequest,
    ) -> ServiceResult<pb::ServiceStatistics> {
        let by = eiso_platform::aip::enums::parse_with_default::<pb::StatisticsGroup>(request.group_by, "group_by")?;
        let scope = self.request_scope(ctx, &request).await?;
        let groups = self.period_figures_by(ctx, &request, by).await?;
        let mut stats = self.count_statistics(request, &scope).await?;
        stats.groups = groups;
        Ok(stats)
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

    /// The statistics of every agency, unchecked: for in-process callers (a
    /// plan's measures, a management review) that checked the caller's access
    /// to the unit they ask about.
    pub async fn statistics(&self, request: pb::GetServiceStatisticsRequest) -> ServiceResult<pb::ServiceStatistics> {
        if !request.agency.is_empty() {
            self.require_agency_exists(&request.agency).await?;
        }
        self.count_statistics(request, &Scope::Everywhere).await
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
    /// see (the same checks): each group that has dossiers to count, keyed
    /// `units/{id}` or `procedures/{code}` (none for no grouping).
    pub async fn period_figures_by(
        &self,
        ctx: &CallContext,
        request: &pb::GetServiceStatisticsRequest,
        by: pb::StatisticsGroup,
    ) -> ServiceResult<Vec<pb::GroupFigures>> {
        let column = match by {
            pb::StatisticsGroup::Unspecified => return Ok(Vec::new()),
            pb::StatisticsGroup::Agency => "agency",
            pb::StatisticsGroup::Procedure => "procedure_code",
        };
        let scope = self.request_scope(ctx, request).await?;
        let bounds = Bounds::of(request)?;
        let now = self.clock.now();
        let filter = Filter {
            agency: &request.agency,
            scope: &scope,
            procedure: bounds.procedure.as_deref(),
        };
        let (sums, as_of) = period_sums(&filter, bounds.from, bounds.until, now);
        sums.run_grouped(self.journal.db().reader(), column)
            .await?
            .into_iter()
            .map(|(key, get)| {
                Ok(pb::GroupFigures {
                    key: if by == pb::StatisticsGroup::Procedure {
                        format!("procedures/{key}")
                    } else {
                        key
                    },
                    period: Some(period_from(&get, as_of, now, bounds.until)?),
                })
            })
            .collect()
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
        let bounds = Bounds::of(&request)?;
        let filter = Filter {
            agency: &request.agency,
            scope: &scope,
            procedure: bounds.procedure.as_deref(),
        };
        let as_of = Ord::min(bounds.until, self.clock.now());
        let mut months = Vec::new();
        let mut first = bounds.start.with_day(1).unwrap_or(bounds.start);
        while first <= bounds.end && months.len() < 240 {
            let next = first.checked_add_months(Months::new(1)).unwrap_or(first);
            let local =
                |day: NaiveDate| calendar::from_local(day.and_time(NaiveTime::MIN)).map_err(ServiceError::internal);
            let from = Ord::max(local(first)?, bounds.from);
            let until = Ord::min(local(next)?, as_of);
            months.push((first, from, until));
            if next == first {
                break;
            }
            first = next;
        }
        let mut sums = Sums::over(&filter);
        sums.query
            .and_where(Expr::col("end_time").gte(bounds.from))
            .and_where(Expr::col("end_time").lt(as_of))
            .and_where(Expr::col("status").is_in([S::Completed as i32, S::Returned as i32]));
        for (i, (_, from, until)) in months.iter().enumerate() {
            let in_month = || Expr::col("end_time").gte(*from).and(Expr::col("end_time").lt(*until));
            sums.count(
                &format!("in_time_{i}"),
                in_month().and(Expr::col("outcome").is_in([pb::Outcome::Early as i32, pb::Outcome::OnTime as i32])),
            )
            .count(
                &format!("late_{i}"),
                in_month().and(Expr::col("outcome").eq(pb::Outcome::Late as i32)),
            );
        }
        let get = sums.run(self.journal.db().reader()).await?;
        months
            .iter()
            .enumerate()
            .map(|(i, (month, ..))| {
                Ok(MonthFinished {
                    month: *month,
                    in_time: get(&format!("in_time_{i}"))?,
                    late: get(&format!("late_{i}"))?,
                })
            })
            .collect()
    }

    async fn count_statistics(
        &self,
        request: pb::GetServiceStatisticsRequest,
        scope: &Scope,
    ) -> ServiceResult<pb::ServiceStatistics> {
        let Bounds {
            from, until, procedure, ..
        } = Bounds::of(&request)?;
        let now = self.clock.now();

        let filter = Filter {
            agency: &request.agency,
            scope,
            procedure: procedure.as_deref(),
        };
        let active = || Expr::col("status").is_in(ACTIVE.map(|s| s as i32));
        let completed = || Expr::col("status").is_in([S::Completed as i32, S::Returned as i32]);
        let outcome = |o: pb::Outcome| Expr::col("outcome").eq(o as i32);
        let mut sums = Sums::over(&filter);
        sums.query
            .and_where(Expr::col("receive_time").gte(from))
            .and_where(Expr::col("receive_time").lt(until));
        sums.count("received", Expr::value(true))
            .count("early", outcome(pb::Outcome::Early))
            .count("on_time", outcome(pb::Outcome::OnTime))
            .count("late", outcome(pb::Outcome::Late))
            .count("active", active())
            .count("overdue", active().and(Expr::col("due_time").lt(now)))
            .count("ended", ended())
            .count("online", Expr::col("channel").eq(pb::Channel::Online as i32))
            .count("completed", completed())
            .count("digitised", completed().and(Expr::col("result_digitised").eq(true)))
            .count("rated", Expr::col("satisfaction").ne(0))
            .count(
                "satisfied",
                Expr::col("satisfaction").is_in([
                    pb::Satisfaction::VerySatisfied as i32,
                    pb::Satisfaction::Satisfied as i32,
                ]),
            );
        let get = sums.run(self.journal.db().reader()).await?;
        let mut stats = pb::ServiceStatistics {
            received: get("received")?,
            early: get("early")?,
            on_time: get("on_time")?,
            late: get("late")?,
            overdue: get("overdue")?,
            ended_otherwise: get("ended")?,
            rated: get("rated")?,
            ..Default::default()
        };
        stats.in_progress = get("active")? - stats.overdue;
        let (online, completed, digitised, satisfied) =
            (get("online")?, get("completed")?, get("digitised")?, get("satisfied")?);
        stats.on_time_rate = ratio(stats.early + stats.on_time, stats.early + stats.on_time + stats.late);
        stats.online_share = ratio(online, stats.received);
        stats.digitised_rate = ratio(digitised, completed);
        stats.satisfaction_rate = ratio(satisfied, stats.rated);
        stats.period = Some(self.period_figures(&filter, from, until, now).await?);
        Ok(stats)
    }

    /// The period `[from, until)` as the reporting forms count it, as at its
    /// end, or as at `now` while it is not over (see `PeriodFigures`).
    async fn period_figures(
        &self,
        filter: &Filter<'_>,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> ServiceResult<pb::PeriodFigures> {
        let (sums, as_of) = period_sums(filter, from, until, now);
        let get = sums.run(self.journal.db().reader()).await?;
        period_from(&get, as_of, now, until)
    }
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

/// The one pass that counts the period figures of `[from, until)`, and the
/// instant they are as at.
fn period_sums(
    filter: &Filter<'_>,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
    now: DateTime<Utc>,
) -> (Sums, DateTime<Utc>) {
    let as_of = Ord::min(until, now);
    let received_in = || Expr::col("receive_time").gte(from);
    // Running at `as_of`: not ended by then.
    let running = || Expr::col("end_time").is_null().or(Expr::col("end_time").gte(as_of));
    let ended_in = || Expr::col("end_time").gte(from).and(Expr::col("end_time").lt(as_of));
    let completed_in = || ended_in().and(Expr::col("status").is_in([S::Completed as i32, S::Returned as i32]));
    let outcome = |o: pb::Outcome| completed_in().and(Expr::col("outcome").eq(o as i32));
    let channel = |c: pb::Channel| received_in().and(Expr::col("channel").eq(c as i32));
    let not_returned = Expr::col("return_time")
        .is_null()
        .or(Expr::col("return_time").gte(as_of));
    let mut sums = Sums::over(filter);
    sums.query
        .and_where(Expr::col("receive_time").lt(as_of))
        .and_where(Expr::col("end_time").is_null().or(Expr::col("end_time").gte(from)));
    sums.count("carried_over", Expr::col("receive_time").lt(from))
        .count("received", received_in())
        .count("online", channel(pb::Channel::Online))
        .count("direct", channel(pb::Channel::Direct))
        .count("postal", channel(pb::Channel::Postal))
        .count("early", outcome(pb::Outcome::Early))
        .count("on_time", outcome(pb::Outcome::OnTime))
        .count("late", outcome(pb::Outcome::Late))
        .count("not_returned", completed_in().and(not_returned))
        .count("ended", ended_in().and(ended()))
        .count("running", running())
        // Waiting for a supplement, a dossier has no due time: not overdue.
        .count("overdue", running().and(Expr::col("due_time").lt(as_of)));
    (sums, as_of)
}

/// The period figures from the sums of [`period_sums`].
fn period_from(
    get: &impl Fn(&str) -> ServiceResult<i64>,
    as_of: DateTime<Utc>,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> ServiceResult<pb::PeriodFigures> {
    let mut period = pb::PeriodFigures {
        as_of_time: Some(timestamp(as_of)),
        open: now < until,
        carried_over: get("carried_over")?,
        received: get("received")?,
        received_online: get("online")?,
        received_direct: get("direct")?,
        received_postal: get("postal")?,
        finished_early: get("early")?,
        finished_on_time: get("on_time")?,
        finished_late: get("late")?,
        finished_not_returned: get("not_returned")?,
        withdrawn_or_stopped: get("ended")?,
        in_progress_overdue: get("overdue")?,
        ..Default::default()
    };
    period.to_handle = period.carried_over + period.received;
    period.in_progress_within_time = get("running")? - period.in_progress_overdue;
    let in_time = period.finished_early + period.finished_on_time;
    period.on_time_rate = ratio(in_time, in_time + period.finished_late);
    period.late_rate = ratio(period.finished_late + period.in_progress_overdue, period.to_handle);
    Ok(period)
}

/// Withdrawn by the applicant or stopped.
fn ended() -> Expr {
    Expr::col("status").is_in([S::Withdrawn as i32, S::Stopped as i32])
}

/// One pass over the dossiers a call counts, with a conditional sum per
/// figure: a single result row, no grouping sort (clients/dossierbench).
struct Sums {
    query: SelectStatement,
}

impl Sums {
    /// Over the received dossiers (refused and merely registered ones never
    /// count) that `filter` selects.
    fn over(filter: &Filter<'_>) -> Self {
        let mut query = Query::select();
        query.from("dossiers").and_where(Expr::col("status").is_not_in([
            S::NotReceived as i32,
            S::Registered as i32,
            S::Unspecified as i32,
        ]));
        filter.apply(&mut query);
        Self { query }
    }

    /// The figure `name`: how many of the dossiers meet `condition`.
    fn count(&mut self, name: &str, condition: Expr) -> &mut Self {
        self.query
            .expr_as(Func::sum(Expr::case(condition, 1).finally(0)), Alias::new(name));
        self
    }

    /// Runs the query grouped by `column`: each group's value and its
    /// figures by name.
    async fn run_grouped(
        mut self,
        db: &impl ConnectionTrait,
        column: &str,
    ) -> ServiceResult<Vec<(String, impl Fn(&str) -> ServiceResult<i64>)>> {
        self.query
            .expr_as(Expr::col(column.to_string()), Alias::new("group_key"))
            .group_by_col(column.to_string());
        let rows = db.query_all(&self.query).await?;
        rows.into_iter()
            .map(|row| {
                let key: String = row.try_get("", "group_key")?;
                Ok((key, move |name: &str| {
                    Ok(row.try_get::<Option<i64>>("", name)?.unwrap_or(0))
                }))
            })
            .collect()
    }

    /// Runs the query: each figure by its name.
    async fn run(&self, db: &impl ConnectionTrait) -> ServiceResult<impl Fn(&str) -> ServiceResult<i64>> {
        let row = db
            .query_one(&self.query)
            .await?
            .ok_or_else(|| ServiceError::internal("the statistics query returned no row"))?;
        // SUM over no rows is NULL; integers come back as i64 on both backends.
        Ok(move |name: &str| Ok(row.try_get::<Option<i64>>("", name)?.unwrap_or(0)))
    }
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
        if !self.agency.is_empty() {
            query.and_where(Expr::col("agency").eq(self.agency));
        }
        if let Some(covered) = self.scope.condition("agency") {
            query.and_where(covered);
        }
        if let Some(code) = self.procedure {
            query.and_where(Expr::col("procedure_code").eq(code));
        }
    }
}
