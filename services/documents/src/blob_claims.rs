//! Claims on stored content, so that replicas sharing one file store can
//! sweep content no file refers to while others upload.
//!
//! The race they close: a sweep lists content that no file refers to; an
//! upload of the same bytes finds the content already stored and records a
//! file on it; the sweep deletes the content; the new file has nothing
//! behind it. With claims (table `blob_claims`, a row per claimant and
//! digest):
//!
//! - an upload **holds** the digest from before it makes the content
//!   visible (or finds it there) until its file row is committed, then lets
//!   go;
//! - a sweep **takes** the digest (claimant [`SWEEPER`]), then checks that
//!   no upload holds it and that no file refers to it, deletes the content
//!   and gives the digest back.
//!
//! Each side writes its claim, commits, then looks for the other's: of two
//! that overlap, the one that looks second sees the first, so they never
//! both go on. An upload that sees a sweep lets go and waits for the digest
//! to be given back, then stores the content afresh; a sweep that sees a
//! hold leaves the digest. A claim left by a killed process expires: a hold
//! after [`HOLD`], a sweep's after [`STALE_SWEEP`].

use std::time::Duration;

use eiso_blobs::BlobError;
use eiso_platform::ServiceResult;
use eiso_platform::db::Db;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};

const TABLE: &str = "blob_claims";
/// The claimant of a sweep's claims.
const SWEEPER: &str = "sweep";

/// After how long an upload's hold is taken to be a killed upload's.
pub const HOLD: Duration = Duration::from_secs(3600);
/// After how long a sweep's claim is taken to be a killed sweep's.
pub const STALE_SWEEP: Duration = Duration::from_secs(600);
/// How long an upload waits for a sweep to give a digest back.
const WAIT_FOR_SWEEP: Duration = Duration::from_secs(30);

fn micros(duration: Duration) -> i64 {
    i64::try_from(duration.as_micros()).unwrap_or(i64::MAX)
}

fn now_us() -> i64 {
    chrono::Utc::now().timestamp_micros()
}

/// `(digest, claimant)` written with the time, in its own transaction.
async fn claim(db: &Db, digest: &str, claimant: &str) -> ServiceResult<bool> {
    let txn = db.begin_write().await?;
    let written = txn
        .execute(
            Query::insert()
                .into_table(TABLE)
                .columns(["digest", "claimant", "at_us"])
                .values_panic([digest.into(), claimant.into(), now_us().into()])
                .on_conflict(OnConflict::columns(["digest", "claimant"]).do_nothing().to_owned()),
        )
        .await?;
    txn.commit().await?;
    Ok(written.rows_affected() == 1)
}

/// Deletes the claim `(digest, claimant)`.
async fn unclaim(db: &Db, digest: &str, claimant: &str) -> ServiceResult<()> {
    let txn = db.begin_write().await?;
    txn.execute(
        Query::delete()
            .from_table(TABLE)
            .and_where(Expr::col("digest").eq(digest))
            .and_where(Expr::col("claimant").eq(claimant)),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Whether a live claim on `digest` other than `claimant`'s is of the kind
/// `sweep` (`true`) or a hold (`false`) — read after one's own commit.
async fn others(db: &Db, digest: &str, sweeps: bool) -> ServiceResult<bool> {
    let (kind, stale) = if sweeps {
        (Expr::col("claimant").eq(SWEEPER), STALE_SWEEP)
    } else {
        (Expr::col("claimant").ne(SWEEPER), HOLD)
    };
    let found = db
        .reader()
        .query_one(
            Query::select()
                .expr(Expr::val(1))
                .from(TABLE)
                .and_where(Expr::col("digest").eq(digest))
                .and_where(kind)
                .and_where(Expr::col("at_us").gte(now_us().saturating_sub(micros(stale))))
                .limit(1),
        )
        .await?;
    Ok(found.is_some())
}

/// Holds `digest` for the upload `claimant` (any id unique to it); waits
/// while a sweep has the digest. [`BlobError::Store`] when the sweep does not
/// give it back in time.
pub async fn hold(db: &Db, digest: &str, claimant: &str) -> Result<(), BlobError> {
    let failed =
        |e: eiso_platform::ServiceError| BlobError::Store(format!("cannot hold the content for the upload: {e}"));
    let deadline = tokio::time::Instant::now() + WAIT_FOR_SWEEP;
    loop {
        claim(db, digest, claimant).await.map_err(failed)?;
        if !others(db, digest, true).await.map_err(failed)? {
            return Ok(());
        }
        unclaim(db, digest, claimant).await.map_err(failed)?;
        if tokio::time::Instant::now() >= deadline {
            return Err(BlobError::Store(
                "the same content is being swept by another replica: try the upload again".into(),
            ));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Lets go of an upload's hold (its file is recorded, or it failed).
pub async fn let_go(db: &Db, digest: &str, claimant: &str) -> ServiceResult<()> {
    unclaim(db, digest, claimant).await
}

/// Takes `digest` for a sweep: `false` where an upload holds it or another
/// sweep has it.
pub async fn take_for_sweep(db: &Db, digest: &str) -> ServiceResult<bool> {
    if !claim(db, digest, SWEEPER).await? {
        return Ok(false);
    }
    if others(db, digest, false).await? {
        unclaim(db, digest, SWEEPER).await?;
        return Ok(false);
    }
    Ok(true)
}

/// Gives back a digest a sweep took.
pub async fn give_back(db: &Db, digest: &str) -> ServiceResult<()> {
    unclaim(db, digest, SWEEPER).await
}

/// Drops the claims of killed uploads and sweeps.
pub async fn drop_expired(db: &Db) -> ServiceResult<u64> {
    let now = now_us();
    let txn = db.begin_write().await?;
    let dropped = txn
        .execute(
            Query::delete().from_table(TABLE).cond_where(
                Expr::col("claimant")
                    .ne(SWEEPER)
                    .and(Expr::col("at_us").lt(now.saturating_sub(micros(HOLD))))
                    .or(Expr::col("claimant")
                        .eq(SWEEPER)
                        .and(Expr::col("at_us").lt(now.saturating_sub(micros(STALE_SWEEP))))),
            ),
        )
        .await?;
    txn.commit().await?;
    Ok(dropped.rows_affected())
}
