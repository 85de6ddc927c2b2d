//! The figures read from the kept counts (`crate::counts`): each figure a
//! signed sum of day ranges of counts, in one query over `dossier_counts`
//! (a row per agency, procedure, figure and day, whatever the number of
//! dossiers), plus, when a range ends at an instant that is not a local
//! midnight (a period still running ends now), that day's part counted from
//! the dossiers changed or due that day. Equal to [`super::scan`] by
//! construction; `tests/api` compares them on random periods.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Days, Utc};
use eiso_platform::{ServiceError, ServiceResult};
use eiso_proto::eiso::procedures::v1 as pb;
use pb::DossierStatus as S;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, Query, UnionType};

use super::{Filter, Grouped, Month, Values};
use crate::counts::{COUNTED_COLUMNS, Count, Counted, Figure, day_start, local_day};

/// Counts of `figure` whose day lies in a range: from the day `from` begins
/// (a local midnight) and before the instant `before`; and whose second day
/// lies from `from2` and before `before2` (local midnights).
#[derive(Debug, Clone, Copy)]
struct Term {
    figure: Figure,
    from: Option<DateTime<Utc>>,
    before: Option<DateTime<Utc>>,
    from2: Option<DateTime<Utc>>,
    before2: Option<DateTime<Utc>>,
}

impl Term {
    fn of(figure: Figure) -> Self {
        Self {
            figure,
            from: None,
            before: None,
            from2: None,
            before2: None,
        }
    }

    fn from(mut self, from: DateTime<Utc>) -> Self {
        self.from = Some(from);
        self
    }

    fn before(mut self, before: DateTime<Utc>) -> Self {
        self.before = Some(before);
        self
    }

    fn in_range(self, from: DateTime<Utc>, before: DateTime<Utc>) -> Self {
        self.from(from).before(before)
    }

    /// The second day from `from2` on.
    fn from2(mut self, from2: DateTime<Utc>) -> Self {
        self.from2 = Some(from2);
        self
    }

    fn range2(mut self, from2: DateTime<Utc>, before2: DateTime<Utc>) -> Self {
        self.from2 = Some(from2);
        self.before2 = Some(before2);
        self
    }

    /// The day `before` falls in when it is not that day's first instant:
    /// the counts of that day are read from the dossiers.
    fn partial_day(&self) -> ServiceResult<Option<i32>> {
        let Some(before) = self.before else { return Ok(None) };
        let day = local_day(before);
        Ok((day_start(day)? != before).then_some(day))
    }

    /// Whether a count from the rows of its partial day is in the range.
    fn holds(&self, count: &Count) -> bool {
        let before2 = |limit: Option<DateTime<Utc>>| limit.is_none_or(|t| count.day2 < local_day(t));
        count.figure == self.figure
            && self.from.is_none_or(|t| count.day >= local_day(t))
            && self.before.is_none_or(|t| count.at < t)
            && self.from2.is_none_or(|t| count.day2 >= local_day(t))
            && before2(self.before2)
    }

    /// The condition on stored counts: whole days only.
    fn condition(&self) -> Expr {
        let mut condition = Expr::col("figure").eq(self.figure as i16);
        if let Some(t) = self.from {
            condition = condition.and(Expr::col("day").gte(local_day(t)));
        }
        if let Some(t) = self.before {
            condition = condition.and(Expr::col("day").lt(local_day(t)));
        }
        if let Some(t) = self.from2 {
            condition = condition.and(Expr::col("day2").gte(local_day(t)));
        }
        if let Some(t) = self.before2 {
            condition = condition.and(Expr::col("day2").lt(local_day(t)));
        }
        condition
    }
}

/// Named values, each a signed sum of terms.
#[derive(Default)]
struct Plan {
    terms: Vec<Term>,
    values: Vec<(String, Vec<(i64, usize)>)>,
}

impl Plan {
    /// The value `name`: the sum of `plus` less the sum of `minus`.
    fn value(&mut self, name: &str, plus: &[Term], minus: &[Term]) -> &mut Self {
        let mut parts = Vec::new();
        for (sign, terms) in [(1, plus), (-1, minus)] {
            for term in terms {
                parts.push((sign, self.terms.len()));
                self.terms.push(*term);
            }
        }
        self.values.push((name.to_string(), parts));
        self
    }

    /// Sums the terms over the counts `filter` selects, grouped by `group`
    /// (`agency` or `procedure_code`) if given, and adds the partial days'
    /// counts from the dossiers.
    async fn run(&self, db: &impl ConnectionTrait, filter: &Filter<'_>, group: Option<&str>) -> ServiceResult<Grouped> {
        let mut sums: BTreeMap<String, Vec<i64>> = BTreeMap::new();
        if !self.terms.is_empty() {
            let mut query = Query::select();
            query.from("dossier_counts");
            filter.apply(&mut query);
            let figures: BTreeSet<i16> = self.terms.iter().map(|t| t.figure as i16).collect();
            query.and_where(Expr::col("figure").is_in(figures));
            for (i, term) in self.terms.iter().enumerate() {
                query.expr_as(
                    Func::sum(Expr::case(term.condition(), Expr::col("n")).finally(0)),
                    Alias::new(format!("t{i}")),
                );
            }
            if let Some(column) = group {
                query
                    .expr_as(Expr::col(column.to_string()), Alias::new("group_key"))
                    .group_by_col(column.to_string());
            }
            for row in db.query_all(&query).await? {
                let key = match group {
                    Some(_) => row.try_get("", "group_key")?,
                    None => String::new(),
                };
                let values = (0..self.terms.len())
                    .map(|i| Ok(row.try_get::<Option<i64>>("", &format!("t{i}"))?.unwrap_or(0)))
                    .collect::<ServiceResult<Vec<i64>>>()?;
                sums.insert(key, values);
            }
        }
        self.add_partial_days(db, filter, group, &mut sums).await?;
        if group.is_none() {
            sums.entry(String::new()).or_insert_with(|| vec![0; self.terms.len()]);
        }
        Ok(sums
            .into_iter()
            .map(|(key, terms)| {
                let mut values = Values::default();
                for (name, parts) in &self.values {
                    values.set(name, parts.iter().map(|(sign, i)| sign * terms[*i]).sum());
                }
                (key, values)
            })
            .collect())
    }

    /// The counts of each partial day ([`Term::partial_day`]), from the
    /// dossiers that could count on it: changed on it (every time a count's
    /// day comes from is set by a change, which sets `update_time`), or due
    /// on it.
    async fn add_partial_days(
        &self,
        db: &impl ConnectionTrait,
        filter: &Filter<'_>,
        group: Option<&str>,
        sums: &mut BTreeMap<String, Vec<i64>>,
    ) -> ServiceResult<()> {
        let mut days = BTreeSet::new();
        for term in &self.terms {
            if let Some(day) = term.partial_day()? {
                days.insert(day);
            }
        }
        for day in days {
            let start = day_start(day)?;
            let end = start
                .checked_add_days(Days::new(1))
                .ok_or_else(|| ServiceError::internal("day out of range"))?;
            // The day's dossiers found through the time indexes, then
            // filtered: through the filter's columns' indexes, a planner would
            // read every dossier of an agency to find the few of one day.
            // Running dossiers due on it count by their due time alone; every
            // other figure can count a dossier changed on it.
            let on_day: Vec<&Term> = self
                .terms
                .iter()
                .filter(|t| t.partial_day().ok().flatten() == Some(day))
                .collect();
            let by_due = |figure: Figure| matches!(figure, Figure::Due | Figure::DueEnded | Figure::NowRunningDue);
            let changed = on_day.iter().any(|t| t.figure != Figure::NowRunningDue).then(|| {
                Query::select()
                    .column("id")
                    .from("dossiers")
                    .and_where(Expr::col("update_time").gte(start))
                    .to_owned()
            });
            let due = on_day.iter().any(|t| by_due(t.figure)).then(|| {
                Query::select()
                    .column("id")
                    .from("dossiers")
                    .and_where(Expr::col("due_time").gte(start))
                    .and_where(Expr::col("due_time").lt(end))
                    .to_owned()
            });
            let ids = match (changed, due) {
                (Some(mut changed), Some(due)) => changed.union(UnionType::Distinct, due).to_owned(),
                (Some(only), None) | (None, Some(only)) => only,
                (None, None) => continue,
            };
            let mut query = Query::select();
            query
                .columns(COUNTED_COLUMNS)
                .from("dossiers")
                .and_where(Expr::col("id").in_subquery(ids))
                .and_where(Expr::col("status").is_not_in([
                    S::NotReceived as i32,
                    S::Registered as i32,
                    S::Unspecified as i32,
                ]));
            filter.apply_unindexed(&mut query);
            for row in db.query_all(&query).await? {
                let dossier = Counted::from_row(&row)?;
                let key = match group {
                    Some("agency") => dossier.agency.clone(),
                    Some(_) => dossier.procedure_code.clone(),
                    None => String::new(),
                };
                let counts: Vec<Count> = dossier.counts().into_iter().filter(|c| c.day == day).collect();
                for (i, term) in self.terms.iter().enumerate() {
                    if term.partial_day()? != Some(day) {
                        continue;
                    }
                    let n = counts.iter().filter(|c| term.holds(c)).count() as i64;
                    if n != 0 {
                        sums.entry(key.clone()).or_insert_with(|| vec![0; self.terms.len()])[i] += n;
                    }
                }
            }
        }
        Ok(())
    }
}

/// The period `[from, until)` as at `as_of` ([`super::PERIOD_VALUES`]).
pub(super) async fn period(
    db: &impl ConnectionTrait,
    filter: &Filter<'_>,
    from: DateTime<Utc>,
    as_of: DateTime<Utc>,
    group: Option<&str>,
) -> ServiceResult<Grouped> {
    use Figure as F;
    let t = Term::of;
    let mut plan = Plan::default();
    // Running at `as_of`: received before it, not ended before it.
    plan.value("running", &[t(F::Received).before(as_of)], &[t(F::Ended).before(as_of)])
        .value("overdue", &[t(F::Due).before(as_of)], &[t(F::DueEnded).before(as_of)]);
    if from < as_of {
        let ended_in = |figure| t(figure).before(as_of).from2(from);
        plan.value(
            "carried_over",
            &[t(F::Received).before(from)],
            &[t(F::Ended).before(from)],
        )
        .value("received", &[t(F::Received).in_range(from, as_of)], &[])
        .value("online", &[t(F::ReceivedOnline).in_range(from, as_of)], &[])
        .value("direct", &[t(F::ReceivedDirect).in_range(from, as_of)], &[])
        .value("postal", &[t(F::ReceivedPostal).in_range(from, as_of)], &[])
        .value("early", &[ended_in(F::DoneEarly)], &[])
        .value("on_time", &[ended_in(F::DoneOnTime)], &[])
        .value("late", &[ended_in(F::DoneLate)], &[])
        .value("not_returned", &[ended_in(F::Done)], &[ended_in(F::Returned)])
        .value("ended", &[ended_in(F::WithdrawnOrStopped)], &[]);
    } else {
        // Not begun: what runs at `as_of` would be carried over; nothing
        // else has happened in it.
        plan.value(
            "carried_over",
            &[t(F::Received).before(as_of)],
            &[t(F::Ended).before(as_of)],
        );
        for name in [
            "received",
            "online",
            "direct",
            "postal",
            "early",
            "on_time",
            "late",
            "not_returned",
            "ended",
        ] {
            plan.value(name, &[], &[]);
        }
    }
    plan.run(db, filter, group).await
}

/// The dossiers received in `[from, until)` (local midnights) as they stand
/// at `now` ([`super::COHORT_VALUES`]).
pub(super) async fn cohort(
    db: &impl ConnectionTrait,
    filter: &Filter<'_>,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
    now: DateTime<Utc>,
) -> ServiceResult<Values> {
    use Figure as F;
    let received = |figure| Term::of(figure).in_range(from, until);
    let mut plan = Plan::default();
    plan.value("received", &[received(F::Received)], &[])
        .value("early", &[received(F::NowEarly)], &[])
        .value("on_time", &[received(F::NowOnTime)], &[])
        .value("late", &[received(F::NowLate)], &[])
        .value("active", &[received(F::NowActive)], &[])
        .value(
            "overdue",
            &[Term::of(F::NowRunningDue).before(now).range2(from, until)],
            &[],
        )
        .value("ended", &[received(F::NowWithdrawnOrStopped)], &[])
        .value("online", &[received(F::ReceivedOnline)], &[])
        .value("completed", &[received(F::NowCompleted)], &[])
        .value("digitised", &[received(F::NowDigitised)], &[])
        .value("rated", &[received(F::NowRated)], &[])
        .value("satisfied", &[received(F::NowSatisfied)], &[]);
    super::ungrouped(plan.run(db, filter, None).await?)
}

/// Dossiers completed in each of `months` (within the period), in time and late.
pub(super) async fn finished(
    db: &impl ConnectionTrait,
    filter: &Filter<'_>,
    months: &[Month],
) -> ServiceResult<Values> {
    use Figure as F;
    let mut plan = Plan::default();
    for (i, month) in months.iter().enumerate() {
        let ended_in = |figure| Term::of(figure).before(month.until).from2(month.from);
        plan.value(
            &format!("in_time_{i}"),
            &[ended_in(F::DoneEarly), ended_in(F::DoneOnTime)],
            &[],
        )
        .value(&format!("late_{i}"), &[ended_in(F::DoneLate)], &[]);
    }
    super::ungrouped(plan.run(db, filter, None).await?)
}
