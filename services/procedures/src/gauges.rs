//! What an operator watches of the counter's work (ARCHITECTURE.md,
//! Observability): the dossiers still open, by status, and those overdue now —
//! counted through the `(status, due_time)` index, so a count reads only the
//! open dossiers, never the years of finished ones.

use eiso_platform::ServiceResult;
use eiso_proto::eiso::procedures::v1::DossierStatus as S;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, Query};

use crate::Procedures;
use crate::dossiers::ACTIVE;

/// The statuses of a dossier not yet finished: registered, being handled, or
/// with its result waiting at the counter.
pub const OPEN: [S; 6] = [
    S::Registered,
    S::Received,
    S::InProgress,
    S::SupplementRequested,
    S::AwaitingPayment,
    S::Completed,
];

/// Open dossiers by status, and the overdue ones, now.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DossierGauges {
    /// Each of [`OPEN`], with how many dossiers have it (0 included).
    pub open: Vec<(S, i64)>,
    /// Dossiers whose clock runs and whose due time has passed.
    pub overdue: i64,
}

impl Procedures {
    /// The gauges, across every agency (for the operator, not a user).
    pub async fn dossier_gauges(&self) -> ServiceResult<DossierGauges> {
        let db = self.journal.db().reader();
        let mut open = Vec::with_capacity(OPEN.len());
        for status in OPEN {
            open.push((status, count(db, Expr::col("status").eq(status as i32)).await?));
        }
        let now = self.clock.now();
        let overdue = count(
            db,
            Expr::col("status")
                .is_in(ACTIVE.map(|s| s as i32))
                .and(Expr::col("due_time").lt(now)),
        )
        .await?;
        Ok(DossierGauges { open, overdue })
    }
}

async fn count(db: &impl ConnectionTrait, condition: sea_orm::sea_query::SimpleExpr) -> ServiceResult<i64> {
    let row = db
        .query_one(
            Query::select()
                .expr_as(Expr::col("id").count(), "n")
                .from("dossiers")
                .and_where(condition),
        )
        .await?;
    Ok(row.map(|r| r.try_get::<i64>("", "n")).transpose()?.unwrap_or(0))
}
