//! Optimistic concurrency for rows with a `version` column: an update writes
//! only if the row still has the version that was read, and bumps it. Two
//! writers that read the same version cannot both win; the loser gets ABORTED
//! and retries from a fresh read (AIP-154's etags are this version, hashed).

use sea_orm::sea_query::{Expr, ExprTrait, UpdateStatement};
use sea_orm::{ConnectionTrait, DbErr};

use crate::error::{ServiceError, ServiceResult};

/// The error of an update that matched no row because `name` changed since
/// it was read.
pub fn changed_concurrently(name: &str) -> ServiceError {
    ServiceError::Aborted(format!("{name} changed concurrently; retry"))
}

/// Runs `update` (which names its row with its own conditions) only if the
/// row's `version` column still holds `version`, and sets it to
/// `version + 1`. ABORTED naming `name` when the row changed meanwhile; a
/// database error goes through `map_err` (`ServiceError::from`, or a unique
/// key becoming ALREADY_EXISTS). The caller then holds `version + 1`.
pub async fn update(
    db: &impl ConnectionTrait,
    mut update: UpdateStatement,
    version: i64,
    name: &str,
    map_err: impl FnOnce(DbErr) -> ServiceError,
) -> ServiceResult<()> {
    update
        .value("version", version + 1)
        .and_where(Expr::col("version").eq(version));
    let result = db.execute(&update).await.map_err(map_err)?;
    if result.rows_affected() == 1 {
        Ok(())
    } else {
        Err(changed_concurrently(name))
    }
}
