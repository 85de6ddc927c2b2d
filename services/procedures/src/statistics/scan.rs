//! The figures counted from the dossier rows themselves, one pass each: the
//! definition the kept counts ([`super::kept`]) must equal, and what tests
//! and `eiso-dossierbench stats --scan` compare them with.

use chrono::{DateTime, Utc};
use eiso_platform::{ServiceError, ServiceResult};
use eiso_proto::eiso::procedures::v1 as pb;
use pb::DossierStatus as S;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, Query, SelectStatement};

use super::{Filter, Grouped, Month, Values};
use crate::dossiers::ACTIVE;

/// The period `[from, until)` as at `as_of` ([`super::PERIOD_VALUES`]).
pub(super) async fn period(
    db: &impl ConnectionTrait,
    filter: &Filter<'_>,
    from: DateTime<Utc>,
    as_of: DateTime<Utc>,
    group: Option<&str>,
) -> ServiceResult<Grouped> {
    // A period not begun yet: what runs at `as_of` would be carried over.
    let from = Ord::min(from, as_of);
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
    sums.run(db, group).await
}

/// The dossiers received in `[from, until)` as they stand at `now`
/// ([`super::COHORT_VALUES`]).
pub(super) async fn cohort(
    db: &impl ConnectionTrait,
    filter: &Filter<'_>,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
    now: DateTime<Utc>,
) -> ServiceResult<Values> {
    let active = || Expr::col("status").is_in(ACTIVE.map(|s| s as i32));
    let completed = || Expr::col("status").is_in([S::Completed as i32, S::Returned as i32]);
    let outcome = |o: pb::Outcome| Expr::col("outcome").eq(o as i32);
    let mut sums = Sums::over(filter);
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
    super::ungrouped(sums.run(db, None).await?)
}

/// Dossiers completed in each of `months`, within `[from, as_of)`: in time
/// (`in_time_{i}`) and late (`late_{i}`).
pub(super) async fn finished(
    db: &impl ConnectionTrait,
    filter: &Filter<'_>,
    from: DateTime<Utc>,
    as_of: DateTime<Utc>,
    months: &[Month],
) -> ServiceResult<Values> {
    let mut sums = Sums::over(filter);
    sums.query
        .and_where(Expr::col("end_time").gte(from))
        .and_where(Expr::col("end_time").lt(as_of))
        .and_where(Expr::col("status").is_in([S::Completed as i32, S::Returned as i32]));
    for (i, month) in months.iter().enumerate() {
        let in_month = || {
            Expr::col("end_time")
                .gte(month.from)
                .and(Expr::col("end_time").lt(month.until))
        };
        sums.count(
            &format!("in_time_{i}"),
            in_month().and(Expr::col("outcome").is_in([pb::Outcome::Early as i32, pb::Outcome::OnTime as i32])),
        )
        .count(
            &format!("late_{i}"),
            in_month().and(Expr::col("outcome").eq(pb::Outcome::Late as i32)),
        );
    }
    super::ungrouped(sums.run(db, None).await?)
}

/// Withdrawn by the applicant or stopped.
fn ended() -> Expr {
    Expr::col("status").is_in([S::Withdrawn as i32, S::Stopped as i32])
}

/// One pass over the dossiers a call counts, with a conditional sum per
/// figure: a single result row (or one per group), no sort.
struct Sums {
    query: SelectStatement,
    names: Vec<String>,
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
        Self {
            query,
            names: Vec::new(),
        }
    }

    /// The figure `name`: how many of the dossiers meet `condition`.
    fn count(&mut self, name: &str, condition: Expr) -> &mut Self {
        self.query
            .expr_as(Func::sum(Expr::case(condition, 1).finally(0)), Alias::new(name));
        self.names.push(name.to_string());
        self
    }

    /// Runs the query, grouped by `group` if given: each group's value (""
    /// ungrouped) and its figures.
    async fn run(mut self, db: &impl ConnectionTrait, group: Option<&str>) -> ServiceResult<Grouped> {
        if let Some(column) = group {
            self.query
                .expr_as(Expr::col(column.to_string()), Alias::new("group_key"))
                .group_by_col(column.to_string());
        }
        let rows = db.query_all(&self.query).await?;
        if group.is_none() && rows.len() != 1 {
            return Err(ServiceError::internal("the statistics query returned no row"));
        }
        rows.iter()
            .map(|row| {
                let key = match group {
                    Some(_) => row.try_get("", "group_key")?,
                    None => String::new(),
                };
                let mut values = Values::default();
                for name in &self.names {
                    // SUM over no rows is NULL; integers come back as i64 on both backends.
                    values.set(name, row.try_get::<Option<i64>>("", name)?.unwrap_or(0));
                }
                Ok((key, values))
            })
            .collect()
    }
}
