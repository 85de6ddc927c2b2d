//! What every outward delivery that follows an event stream keeps (the
//! national portal's sync, the applicants' notifications): its cursor in the
//! stream, moved in the same transaction as what the events brought, and
//! each item's failed attempts (with [`crate::retry::Retry`] deciding when
//! the next one is due and when the item is parked), their states and what
//! an administrator sees and re-sends of them. Each delivery has its own
//! tables of the same shape; these functions take their names.

use std::future::Future;

use chrono::{DateTime, Utc};
use eiso_proto::eiso::event::v1::Event;
use futures::{Stream, StreamExt};
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query, SimpleExpr};

use crate::aip::list::{self, Listing};
use crate::db::Db;
use crate::directory::Directory;
use crate::retry::Retry;
use crate::scope::Scope;
use crate::{CallContext, ServiceResult};

#[cfg(feature = "testing")]
pub mod testing;

// The states every outward item passes through, as its table stores them
// (column `state`) and as the APIs number them: each delivery's own `State`
// takes its numbers from these.

/// Waits its turn.
pub const PENDING: i32 = 1;
/// The other side has it (sent, synced).
pub const DELIVERED: i32 = 2;
/// The last attempt failed; the next is due at `next_attempt_us`.
pub const FAILING: i32 = 3;
/// Failed too often: waits for an administrator to send it again.
pub const PARKED: i32 = 4;

/// Takes in every event `events` brings, until it ends: `take_in` each as it
/// comes, at the time it comes; the first error stops it.
pub async fn follow<F, Fut>(events: impl Stream<Item = ServiceResult<Event>>, mut take_in: F) -> ServiceResult<()>
where
    F: FnMut(Event, DateTime<Utc>) -> Fut,
    Fut: Future<Output = ServiceResult<()>>,
{
    let mut events = std::pin::pin!(events);
    while let Some(event) = events.next().await {
        take_in(event?, Utc::now()).await?;
    }
    Ok(())
}

/// Events of `stream` up to this one are taken in (0: none yet), from the
/// cursors table `table` (`stream` text key, `after_sequence`).
pub async fn cursor(db: &Db, table: &str, stream: &str) -> ServiceResult<i64> {
    let row = db
        .reader()
        .query_one(
            Query::select()
                .column("after_sequence")
                .from(table.to_string())
                .and_where(Expr::col("stream").eq(stream)),
        )
        .await?;
    Ok(match row {
        Some(row) => row.try_get("", "after_sequence")?,
        None => 0,
    })
}

/// Moves the cursor of `stream` to `sequence`, in the caller's transaction.
pub async fn advance(txn: &impl ConnectionTrait, table: &str, stream: &str, sequence: i64) -> ServiceResult<()> {
    txn.execute(
        Query::insert()
            .into_table(table.to_string())
            .columns(["stream", "after_sequence"])
            .values_panic([stream.into(), sequence.into()])
            .on_conflict(OnConflict::column("stream").update_column("after_sequence").to_owned()),
    )
    .await?;
    Ok(())
}

/// A failed attempt at one item.
#[derive(Debug, Clone)]
pub struct Failure<'a> {
    pub error: &'a str,
    /// Failed attempts in a row, this one included.
    pub attempts: i32,
    pub now_us: i64,
    pub next_attempt_us: i64,
    /// Whether it is parked; if not, it is failing (tried again at
    /// `next_attempt_us`).
    pub parked: bool,
}

impl<'a> Failure<'a> {
    /// The failure, with `error`, of the attempt at `now_us` that follows
    /// `attempts` failed ones in a row: parked when `retry` says so (fewer
    /// tries for a refusal than for a `retryable` error), else due again
    /// after its backoff.
    pub fn after(retry: &Retry, attempts: i32, error: &'a str, retryable: bool, now_us: i64) -> Self {
        let attempts = attempts + 1;
        Self {
            error,
            attempts,
            now_us,
            parked: retry.parks(attempts, retryable),
            next_attempt_us: retry.next_attempt_us(attempts, now_us),
        }
    }
}

/// Records `failure` on the row of `table` whose `key_column` is `key`
/// (columns `state`, `attempts`, `last_error`, `last_attempt_us`,
/// `next_attempt_us`); the error cut to a message's length.
pub async fn failed(db: &Db, table: &str, key_column: &str, key: &str, failure: Failure<'_>) -> ServiceResult<()> {
    let error = crate::error::truncate_chars(failure.error, crate::error::MAX_MESSAGE_CHARS);
    let state = if failure.parked { PARKED } else { FAILING };
    let txn = db.begin_write().await?;
    txn.execute(
        Query::update()
            .table(table.to_string())
            .value("state", state)
            .value("attempts", failure.attempts)
            .value("last_error", error)
            .value("last_attempt_us", failure.now_us)
            .value("next_attempt_us", failure.next_attempt_us)
            .and_where(Expr::col(key_column.to_string()).eq(key)),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The parked rows of `table` whose `key_column` is `key` are sent again at
/// once (pending, their attempts counted anew), in the caller's transaction;
/// how many were parked.
pub async fn resend(
    txn: &impl ConnectionTrait,
    table: &str,
    key_column: &str,
    key: &str,
    now_us: i64,
) -> ServiceResult<u64> {
    let changed = txn
        .execute(
            Query::update()
                .table(table.to_string())
                .value("state", PENDING)
                .value("attempts", 0i32)
                .value("next_attempt_us", now_us)
                .and_where(Expr::col(key_column.to_string()).eq(key))
                .and_where(Expr::col("state").eq(PARKED)),
        )
        .await?
        .rows_affected();
    Ok(changed)
}

/// The rows of `table` by state: (pending or failing, delivered, parked).
pub async fn counts(db: &Db, table: &str) -> ServiceResult<(i64, i64, i64)> {
    let rows = db
        .reader()
        .query_all(
            Query::select()
                .column("state")
                .expr_as(Expr::cust("COUNT(*)"), "n")
                .from(table.to_string())
                .group_by_col("state"),
        )
        .await?;
    let mut counts = (0, 0, 0);
    for row in &rows {
        let n: i64 = row.try_get("", "n")?;
        match row.try_get::<i32>("", "state")? {
            DELIVERED => counts.1 += n,
            PARKED => counts.2 += n,
            // Pending, failing, and a number no state has (read as pending).
            _ => counts.0 += n,
        }
    }
    Ok(counts)
}

/// The conditions of a list request's `listing` on an outward table: `state`
/// by the API's name of it (`state_of_name`; the stored numbers are the
/// API's), any other field of the list's spec by its column.
pub fn list_conditions<E: Into<i32>>(
    listing: &Listing,
    state_of_name: impl Fn(&str) -> Option<E>,
) -> ServiceResult<Vec<SimpleExpr>> {
    listing.conditions(|c| {
        Ok(match c.field.as_str() {
            "state" => Expr::col("state").eq(list::enum_value(&c.value, "STATE_", "state", &state_of_name)?),
            field => Expr::col(field.to_string()).eq(c.value.clone()),
        })
    })
}

/// `conditions` narrowed to the items of the units the caller's roles cover
/// for its method (column `agency`: an item is its dossier's agency's).
pub async fn in_scope(
    directory: &dyn Directory,
    ctx: &CallContext,
    mut conditions: Vec<SimpleExpr>,
) -> ServiceResult<Vec<SimpleExpr>> {
    if let Some(scope) = Scope::of_method(directory, ctx).await?.condition("agency") {
        conditions.push(scope);
    }
    Ok(conditions)
}
