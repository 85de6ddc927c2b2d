//! What every outward delivery that follows an event stream keeps (the
//! national portal's sync, the applicants' notifications): its cursor in the
//! stream, moved in the same transaction as what the events brought, and
//! each item's failed attempts (with [`crate::retry::Retry`] deciding when
//! the next one is due and when the item is parked). Each delivery has its
//! own tables of the same shape; these functions take their names.

use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};

use crate::ServiceResult;
use crate::db::Db;

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
    /// The state it is left in: failing (tried again) or parked.
    pub state: i32,
}

/// Records `failure` on the row of `table` whose `key_column` is `key`
/// (columns `state`, `attempts`, `last_error`, `last_attempt_us`,
/// `next_attempt_us`); the error cut to a message's length.
pub async fn failed(db: &Db, table: &str, key_column: &str, key: &str, failure: Failure<'_>) -> ServiceResult<()> {
    let error = crate::error::truncate_chars(failure.error, crate::error::MAX_MESSAGE_CHARS);
    let txn = db.begin_write().await?;
    txn.execute(
        Query::update()
            .table(table.to_string())
            .value("state", failure.state)
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

/// How many rows of `table` are in each `state`.
pub async fn counts_by_state(db: &Db, table: &str) -> ServiceResult<Vec<(i32, i64)>> {
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
    rows.iter()
        .map(|row| Ok((row.try_get("", "state")?, row.try_get("", "n")?)))
        .collect()
}
