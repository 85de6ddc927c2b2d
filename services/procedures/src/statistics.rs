//! Service-quality measures of a period: dossiers received in it, how they
//! ended (early, on time, late, otherwise), what is still running or overdue,
//! the online share, the digitised-result rate and satisfaction.

use chrono::{Days, NaiveTime};
use eiso_platform::aip::names;
use eiso_platform::scope::Scope;
use eiso_platform::{CallContext, ServiceError, ServiceResult};
use eiso_proto::eiso::procedures::v1 as pb;
use pb::DossierStatus as S;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, Func, Query};

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
        let scope = if request.agency.is_empty() {
            Scope::of_method(self.directory.as_ref(), ctx).await?
        } else {
            names::parse(&request.agency, "units", "agency")?;
            self.require_agency_covered(ctx, &request.agency, "agency").await?
        };
        self.count_statistics(request, &scope).await
    }

    /// The statistics of every agency, unchecked: for in-process callers (a
    /// plan's measures, a management review) that checked the caller's access
    /// to the unit they ask about.
    pub async fn statistics(&self, request: pb::GetServiceStatisticsRequest) -> ServiceResult<pb::ServiceStatistics> {
        self.count_statistics(request, &Scope::Everywhere).await
    }

    async fn count_statistics(
        &self,
        request: pb::GetServiceStatisticsRequest,
        scope: &Scope,
    ) -> ServiceResult<pb::ServiceStatistics> {
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
        if !request.agency.is_empty() {
            names::parse(&request.agency, "units", "agency")?;
        }
        let procedure = if request.procedure.is_empty() {
            None
        } else {
            Some(parse_procedure(&request.procedure, "procedure")?)
        };
        let now = self.clock.now();

        // One pass over the period's index entries with conditional sums:
        // a single result row, no grouping sort (clients/dossierbench).
        let count_if = |condition: Expr| Func::sum(Expr::case(condition, 1).finally(0));
        let active = || Expr::col("status").is_in(ACTIVE.map(|s| s as i32));
        let completed = || Expr::col("status").is_in([S::Completed as i32, S::Returned as i32]);
        let outcome = |o: pb::Outcome| Expr::col("outcome").eq(o as i32);
        let mut query = Query::select();
        query
            .expr_as(Func::count(Expr::col(Asterisk)), Alias::new("received"))
            .expr_as(count_if(outcome(pb::Outcome::Early)), Alias::new("early"))
            .expr_as(count_if(outcome(pb::Outcome::OnTime)), Alias::new("on_time"))
            .expr_as(count_if(outcome(pb::Outcome::Late)), Alias::new("late"))
            .expr_as(count_if(active()), Alias::new("active"))
            .expr_as(
                count_if(active().and(Expr::col("due_time").lt(now))),
                Alias::new("overdue"),
            )
            .expr_as(
                count_if(Expr::col("status").is_in([S::Withdrawn as i32, S::Stopped as i32])),
                Alias::new("ended"),
            )
            .expr_as(
                count_if(Expr::col("channel").eq(pb::Channel::Online as i32)),
                Alias::new("online"),
            )
            .expr_as(count_if(completed()), Alias::new("completed"))
            .expr_as(
                count_if(completed().and(Expr::col("result_digitised").eq(true))),
                Alias::new("digitised"),
            )
            .expr_as(count_if(Expr::col("satisfaction").ne(0)), Alias::new("rated"))
            .expr_as(
                count_if(Expr::col("satisfaction").is_in([
                    pb::Satisfaction::VerySatisfied as i32,
                    pb::Satisfaction::Satisfied as i32,
                ])),
                Alias::new("satisfied"),
            )
            .from("dossiers")
            .and_where(Expr::col("receive_time").gte(from))
            .and_where(Expr::col("receive_time").lt(until))
            .and_where(Expr::col("status").is_not_in([
                S::NotReceived as i32,
                S::Registered as i32,
                S::Unspecified as i32,
            ]));
        if !request.agency.is_empty() {
            query.and_where(Expr::col("agency").eq(request.agency.clone()));
        }
        if let Some(covered) = scope.condition("agency") {
            query.and_where(covered);
        }
        if let Some(code) = procedure {
            query.and_where(Expr::col("procedure_code").eq(code));
        }
        let row = self
            .journal
            .db()
            .reader()
            .query_one(&query)
            .await?
            .ok_or_else(|| ServiceError::internal("the statistics query returned no row"))?;
        // SUM over no rows is NULL; integers come back as i64 on both backends.
        let get = |column: &str| -> ServiceResult<i64> { Ok(row.try_get::<Option<i64>>("", column)?.unwrap_or(0)) };
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
        Ok(stats)
    }
}
