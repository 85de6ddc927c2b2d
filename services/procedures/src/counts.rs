//! The dossier counts kept beside the dossiers (`dossier_counts`): for each
//! agency, procedure, figure and local day, how many dossiers count there.
//! A dossier's [`Counted`] part gives its [`Count`]s; every insert and save
//! of a dossier applies the difference between its counts before and after,
//! in the same transaction, so the table always equals what
//! [`rebuild`] would count from the dossiers.
//!
//! A count's day is the local day of an instant of the dossier, its `at`;
//! where the figure is read with a second bound (a completed dossier's end,
//! a running one's receipt), `day2` is that bound's day. Where a figure is
//! read "before T", its instant is the latest of the times the figure's
//! condition compares with T (a dossier running at T was received before T
//! and did not end before it: the receipt and the end, compared as one), so
//! that every figure of a period is a sum of day ranges: see
//! `statistics::kept`, which reads them.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use eiso_platform::{ServiceError, ServiceResult};
use eiso_proto::eiso::procedures::v1 as pb;
use pb::DossierStatus as S;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{ConnectionTrait, DatabaseTransaction, QueryResult, TransactionTrait};

use crate::calendar;
use crate::dossiers::ACTIVE;
use crate::rows::DossierRow;

/// What a count counts. Numbers are stored; never renumber one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(i16)]
pub(crate) enum Figure {
    /// Received; day of receipt.
    Received = 1,
    ReceivedOnline = 2,
    ReceivedDirect = 3,
    ReceivedPostal = 4,
    /// Ended (any way); day of the later of receipt and end.
    Ended = 5,
    /// Completed (or returned) early, on time, late, in any way; day of
    /// the later of receipt and end, `day2` the end's.
    DoneEarly = 6,
    DoneOnTime = 7,
    DoneLate = 8,
    Done = 9,
    /// Completed and returned; day of the latest of receipt, end and
    /// return, `day2` the end's.
    Returned = 10,
    /// Withdrawn or stopped; day of the later of receipt and end, `day2`
    /// the end's.
    WithdrawnOrStopped = 11,
    /// Has a due time; day of the later of receipt and due time.
    Due = 12,
    /// Has a due time and ended; day of the latest of receipt, due time and
    /// end.
    DueEnded = 13,
    /// By the day of receipt, as the dossier stands now: its outcome,
    /// whether it runs, ended otherwise, completed, digitised, rated,
    /// satisfied.
    NowEarly = 20,
    NowOnTime = 21,
    NowLate = 22,
    NowActive = 23,
    NowWithdrawnOrStopped = 24,
    NowCompleted = 25,
    NowDigitised = 26,
    NowRated = 27,
    NowSatisfied = 28,
    /// Running now with a due time: day of the due time, `day2` the
    /// receipt's.
    NowRunningDue = 29,
}

/// One dossier counted once under `figure` on `day` (and `day2`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Count {
    pub figure: Figure,
    pub day: i32,
    pub day2: i32,
    /// The instant `day` is the local day of: what the current day's part
    /// of a period compares.
    pub at: DateTime<Utc>,
}

/// The local day (Asia/Ho_Chi_Minh) of `instant`, as days since the common era.
pub(crate) fn local_day(instant: DateTime<Utc>) -> i32 {
    use chrono::Datelike;
    calendar::local_time(instant).date().num_days_from_ce()
}

/// The instant local day `day` begins.
pub(crate) fn day_start(day: i32) -> ServiceResult<DateTime<Utc>> {
    let date = NaiveDate::from_num_days_from_ce_opt(day).ok_or_else(|| ServiceError::internal("day out of range"))?;
    calendar::from_local(date.and_time(NaiveTime::MIN)).map_err(ServiceError::internal)
}

/// The columns of a dossier that its counts depend on.
pub(crate) const COUNTED_COLUMNS: [&str; 11] = [
    "agency",
    "procedure_code",
    "status",
    "channel",
    "outcome",
    "result_digitised",
    "satisfaction",
    "receive_time",
    "due_time",
    "end_time",
    "return_time",
];

/// The part of a dossier its counts depend on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counted {
    pub(crate) agency: String,
    pub(crate) procedure_code: String,
    status: i32,
    channel: i32,
    outcome: i32,
    result_digitised: bool,
    satisfaction: i32,
    receive_time: DateTime<Utc>,
    due_time: Option<DateTime<Utc>>,
    end_time: Option<DateTime<Utc>>,
    return_time: Option<DateTime<Utc>>,
}

impl Counted {
    pub(crate) fn of(row: &DossierRow) -> Self {
        Self {
            agency: row.agency.clone(),
            procedure_code: row.procedure_code.clone(),
            status: row.status,
            channel: row.channel,
            outcome: row.outcome,
            result_digitised: row.result_digitised,
            satisfaction: row.satisfaction,
            receive_time: row.receive_time,
            due_time: row.due_time,
            end_time: row.end_time,
            return_time: row.return_time,
        }
    }

    /// From a row selecting [`COUNTED_COLUMNS`].
    pub(crate) fn from_row(row: &QueryResult) -> ServiceResult<Self> {
        Ok(Self {
            agency: row.try_get("", "agency")?,
            procedure_code: row.try_get("", "procedure_code")?,
            status: row.try_get("", "status")?,
            channel: row.try_get("", "channel")?,
            outcome: row.try_get("", "outcome")?,
            result_digitised: row.try_get("", "result_digitised")?,
            satisfaction: row.try_get("", "satisfaction")?,
            receive_time: row.try_get("", "receive_time")?,
            due_time: row.try_get("", "due_time")?,
            end_time: row.try_get("", "end_time")?,
            return_time: row.try_get("", "return_time")?,
        })
    }

    /// Refused at intake or merely registered: counted nowhere.
    fn is_counted(&self) -> bool {
        !matches!(
            S::try_from(self.status),
            Ok(S::NotReceived | S::Registered | S::Unspecified) | Err(_)
        )
    }

    /// Where this dossier counts.
    pub(crate) fn counts(&self) -> Vec<Count> {
        let mut counts = Vec::with_capacity(12);
        if !self.is_counted() {
            return counts;
        }
        let mut add = |figure: Figure, at: DateTime<Utc>, day2: i32| {
            counts.push(Count {
                figure,
                day: local_day(at),
                day2,
                at,
            })
        };
        let received = self.receive_time;
        let status = S::try_from(self.status).unwrap_or(S::Unspecified);
        let completed = matches!(status, S::Completed | S::Returned);
        let outcome = pb::Outcome::try_from(self.outcome).unwrap_or(pb::Outcome::Unspecified);

        add(Figure::Received, received, 0);
        match pb::Channel::try_from(self.channel) {
            Ok(pb::Channel::Online) => add(Figure::ReceivedOnline, received, 0),
            Ok(pb::Channel::Direct) => add(Figure::ReceivedDirect, received, 0),
            Ok(pb::Channel::Postal) => add(Figure::ReceivedPostal, received, 0),
            _ => {}
        }
        if let Some(end) = self.end_time {
            let ended = Ord::max(received, end);
            let end_day = local_day(end);
            add(Figure::Ended, ended, 0);
            if completed {
                add(Figure::Done, ended, end_day);
                match outcome {
                    pb::Outcome::Early => add(Figure::DoneEarly, ended, end_day),
                    pb::Outcome::OnTime => add(Figure::DoneOnTime, ended, end_day),
                    pb::Outcome::Late => add(Figure::DoneLate, ended, end_day),
                    _ => {}
                }
                if let Some(returned) = self.return_time {
                    add(Figure::Returned, Ord::max(ended, returned), end_day);
                }
            }
            if matches!(status, S::Withdrawn | S::Stopped) {
                add(Figure::WithdrawnOrStopped, ended, end_day);
            }
        }
        if let Some(due) = self.due_time {
            add(Figure::Due, Ord::max(received, due), 0);
            if let Some(end) = self.end_time {
                add(Figure::DueEnded, Ord::max(Ord::max(received, due), end), 0);
            }
        }

        // By the day of receipt, as the dossier stands now.
        match outcome {
            pb::Outcome::Early => add(Figure::NowEarly, received, 0),
            pb::Outcome::OnTime => add(Figure::NowOnTime, received, 0),
            pb::Outcome::Late => add(Figure::NowLate, received, 0),
            _ => {}
        }
        if ACTIVE.contains(&status) {
            add(Figure::NowActive, received, 0);
            if let Some(due) = self.due_time {
                add(Figure::NowRunningDue, due, local_day(received));
            }
        }
        if matches!(status, S::Withdrawn | S::Stopped) {
            add(Figure::NowWithdrawnOrStopped, received, 0);
        }
        if completed {
            add(Figure::NowCompleted, received, 0);
            if self.result_digitised {
                add(Figure::NowDigitised, received, 0);
            }
        }
        if self.satisfaction != 0 {
            add(Figure::NowRated, received, 0);
        }
        if matches!(
            pb::Satisfaction::try_from(self.satisfaction),
            Ok(pb::Satisfaction::VerySatisfied | pb::Satisfaction::Satisfied)
        ) {
            add(Figure::NowSatisfied, received, 0);
        }
        counts
    }
}

/// The key of a stored count.
type Key = (String, String, Figure, i32, i32);

fn tally(deltas: &mut HashMap<Key, i64>, counted: &Counted, sign: i64) {
    for c in counted.counts() {
        *deltas
            .entry((
                counted.agency.clone(),
                counted.procedure_code.clone(),
                c.figure,
                c.day,
                c.day2,
            ))
            .or_default() += sign;
    }
}

/// Adds `deltas` to the stored counts, in one statement per 500 keys.
async fn add(db: &impl ConnectionTrait, deltas: HashMap<Key, i64>) -> ServiceResult<()> {
    let mut deltas: Vec<(Key, i64)> = deltas.into_iter().filter(|(_, n)| *n != 0).collect();
    // One order for every writer, so that two transactions never wait on
    // each other's rows in opposite orders.
    deltas.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    for chunk in deltas.chunks(500) {
        let mut insert = Query::insert();
        insert
            .into_table("dossier_counts")
            .columns(["agency", "procedure_code", "figure", "day", "day2", "n"]);
        for ((agency, procedure, figure, day, day2), n) in chunk {
            insert.values_panic([
                agency.clone().into(),
                procedure.clone().into(),
                (*figure as i16).into(),
                (*day).into(),
                (*day2).into(),
                // A day's count fits an INTEGER; its sums are BIGINT.
                i32::try_from(*n).map_err(ServiceError::internal)?.into(),
            ]);
        }
        insert.on_conflict(
            OnConflict::columns(["agency", "procedure_code", "figure", "day", "day2"])
                .value(
                    "n",
                    Expr::col(("dossier_counts", "n")).add(Expr::col(("excluded", "n"))),
                )
                .to_owned(),
        );
        db.execute(&insert).await?;
    }
    Ok(())
}

/// Moves a dossier's counts from where `before` counted it (nowhere for a
/// new dossier) to where `after` does.
pub(crate) async fn change(db: &impl ConnectionTrait, before: Option<&Counted>, after: &Counted) -> ServiceResult<()> {
    if before == Some(after) {
        return Ok(());
    }
    let mut deltas = HashMap::new();
    if let Some(before) = before {
        tally(&mut deltas, before, -1);
    }
    tally(&mut deltas, after, 1);
    add(db, deltas).await
}

/// Counts every dossier afresh, replacing what is kept, in `txn`: for a
/// database filled before the counts were kept, or by a bulk loader
/// (`eiso-dossierbench seed`). Returns how many dossiers it read.
pub async fn rebuild(txn: &DatabaseTransaction) -> ServiceResult<u64> {
    txn.execute(Query::delete().from_table("dossier_counts")).await?;
    let mut deltas: HashMap<Key, i64> = HashMap::new();
    let mut read = 0u64;
    let mut after = String::new();
    loop {
        let rows = txn
            .query_all(
                Query::select()
                    .column("id")
                    .columns(COUNTED_COLUMNS)
                    .from("dossiers")
                    .and_where(Expr::col("id").gt(after.clone()))
                    .order_by("id", sea_orm::Order::Asc)
                    .limit(10_000),
            )
            .await?;
        let Some(last) = rows.last() else { break };
        after = last.try_get("", "id")?;
        for row in &rows {
            tally(&mut deltas, &Counted::from_row(row)?, 1);
        }
        read += rows.len() as u64;
        // Flush now and then so a large table never holds every key in memory
        // at once (each key is added to, never overwritten).
        if deltas.len() > 200_000 {
            add(txn, std::mem::take(&mut deltas)).await?;
        }
    }
    add(txn, deltas).await?;
    Ok(read)
}

/// Fills the counts on the first start after they were introduced: when
/// none are kept but some dossier would be counted. Returns how many
/// dossiers it read (0 when there was nothing to do).
pub async fn ensure_built(db: &eiso_platform::db::Db) -> ServiceResult<u64> {
    let reader = db.reader();
    let kept = reader
        .query_one(Query::select().column("figure").from("dossier_counts").limit(1))
        .await?;
    if kept.is_some() {
        return Ok(0);
    }
    let counted = reader
        .query_one(
            Query::select()
                .column("id")
                .from("dossiers")
                .and_where(Expr::col("status").is_not_in([
                    S::NotReceived as i32,
                    S::Registered as i32,
                    S::Unspecified as i32,
                ]))
                .limit(1),
        )
        .await?;
    if counted.is_none() {
        return Ok(0);
    }
    let txn = db.begin_write().await?;
    let read = rebuild(&txn).await?;
    txn.commit().await?;
    Ok(read)
}

/// Opens a transaction on `db` for [`rebuild`] (a bulk loader's connection).
pub async fn rebuild_on(db: &sea_orm::DatabaseConnection) -> ServiceResult<u64> {
    let txn = db.begin().await?;
    let read = rebuild(&txn).await?;
    txn.commit().await?;
    Ok(read)
}
