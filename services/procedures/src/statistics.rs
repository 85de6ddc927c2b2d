//! Service-quality measures of a period: dossiers received in it, how they
//! ended (early, on time, late, otherwise), what is still running or overdue,
//! the online share, the digitised-result rate and satisfaction.

use chrono::{Days, NaiveTime};
use eiso_platform::aip::names;
use eiso_platform::{ServiceError, ServiceResult};
use eiso_proto::eiso::procedures::v1 as pb;
use pb::DossierStatus as S;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, Query};

use crate::Procedures;
use crate::calendar;
use crate::catalogue::parse_procedure;
use crate::convert::date_from_proto;
use crate::dossiers::ACTIVE;

fn ratio(part: i64, whole: i64) -> f64 {
    if whole == 0 { 0.0 } else { part as f64 / whole as f64 }
}

impl Procedures {
    pub async fn statistics(&self, request: pb::GetServiceStatisticsRequest) -> ServiceResult<pb::ServiceStatistics> {
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

        // One grouped scan of the period; the groups are few.
        let mut query = Query::select();
        query
            .columns(["status", "outcome", "channel", "result_digitised", "satisfaction"])
            .expr_as(Func::count(Expr::col("id")), Alias::new("n"))
            .expr_as(
                Func::sum(Expr::case(Expr::col("due_time").lt(now), 1).finally(0)),
                Alias::new("past_due"),
            )
            .from("dossiers")
            .and_where(Expr::col("receive_time").gte(from))
            .and_where(Expr::col("receive_time").lt(until))
            .group_by_columns(["status", "outcome", "channel", "result_digitised", "satisfaction"]);
        if !request.agency.is_empty() {
            query.and_where(Expr::col("agency").eq(request.agency.clone()));
        }
        if let Some(code) = procedure {
            query.and_where(Expr::col("procedure_code").eq(code));
        }
        let rows = self.journal.db().reader().query_all(&query).await?;

        let mut stats = pb::ServiceStatistics::default();
        let (mut online, mut completed, mut digitised, mut satisfied) = (0i64, 0i64, 0i64, 0i64);
        for row in rows {
            let status = S::try_from(row.try_get::<i32>("", "status")?).unwrap_or(S::Unspecified);
            let outcome = pb::Outcome::try_from(row.try_get::<i32>("", "outcome")?).unwrap_or(pb::Outcome::Unspecified);
            let channel: i32 = row.try_get("", "channel")?;
            let result_digitised: bool = row.try_get("", "result_digitised")?;
            let satisfaction = pb::Satisfaction::try_from(row.try_get::<i32>("", "satisfaction")?)
                .unwrap_or(pb::Satisfaction::Unspecified);
            let n: i64 = row.try_get("", "n")?;
            let past_due: i64 = row.try_get::<Option<i64>>("", "past_due")?.unwrap_or(0);
            if matches!(status, S::NotReceived | S::Registered | S::Unspecified) {
                continue;
            }
            stats.received += n;
            if channel == pb::Channel::Online as i32 {
                online += n;
            }
            match outcome {
                pb::Outcome::Early => stats.early += n,
                pb::Outcome::OnTime => stats.on_time += n,
                pb::Outcome::Late => stats.late += n,
                pb::Outcome::Unspecified => {}
            }
            if matches!(status, S::Completed | S::Returned) {
                completed += n;
                if result_digitised {
                    digitised += n;
                }
            }
            if ACTIVE.contains(&status) {
                stats.overdue += past_due;
                stats.in_progress += n - past_due;
            }
            if matches!(status, S::Withdrawn | S::Stopped) {
                stats.ended_otherwise += n;
            }
            if satisfaction != pb::Satisfaction::Unspecified {
                stats.rated += n;
                if matches!(
                    satisfaction,
                    pb::Satisfaction::VerySatisfied | pb::Satisfaction::Satisfied
                ) {
                    satisfied += n;
                }
            }
        }
        stats.on_time_rate = ratio(stats.early + stats.on_time, stats.early + stats.on_time + stats.late);
        stats.online_share = ratio(online, stats.received);
        stats.digitised_rate = ratio(digitised, completed);
        stats.satisfaction_rate = ratio(satisfied, stats.rated);
        Ok(stats)
    }
}
