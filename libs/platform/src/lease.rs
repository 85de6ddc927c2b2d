//! A lease on a piece of background work that one process at a time must do
//! among replicas sharing a database — filing the periodic reports, sending
//! the applicants' notifications, synchronising with the national portal —
//! held in the `leases` table of the database of the service whose work it
//! is (so a process that does not host identity can do it): taken where it
//! is free or expired, renewed by its holder on each round, handed over when
//! the holder stops renewing for the lease's time to live (killed, or cut
//! off from the database) or gives it back at shutdown.

use std::time::Duration;

use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};

use crate::ServiceResult;
use crate::clock::Clock;
use crate::db::Db;

const TABLE: &str = "leases";

/// How long a lease outlives its holder's last renewal unless told otherwise.
pub const DEFAULT_TTL: Duration = Duration::from_secs(10);

/// One process's claim on the lease `name`.
#[derive(Clone)]
pub struct Lease {
    db: Db,
    name: String,
    holder: String,
    ttl: Duration,
    clock: Clock,
}

impl std::fmt::Debug for Lease {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lease")
            .field("name", &self.name)
            .field("holder", &self.holder)
            .field("ttl", &self.ttl)
            .finish()
    }
}

fn micros(duration: Duration) -> i64 {
    i64::try_from(duration.as_micros()).unwrap_or(i64::MAX)
}

impl Lease {
    /// The lease `name` in `db` as `holder` (unique per process: a new
    /// process is a new holder) would hold it.
    pub fn new(db: Db, name: impl Into<String>, holder: impl Into<String>) -> Self {
        Self {
            db,
            name: name.into(),
            holder: holder.into(),
            ttl: DEFAULT_TTL,
            clock: Clock::system(),
        }
    }

    /// The same lease with another time to live.
    pub fn with_ttl(self, ttl: Duration) -> Self {
        Self { ttl, ..self }
    }

    /// The same lease timed by `clock` (tests; leases are about real time,
    /// so the server keeps the system clock even where its services do not).
    pub fn with_clock(self, clock: Clock) -> Self {
        Self { clock, ..self }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Takes the lease where it is free or expired, renews it where this
    /// process holds it: `true` while this process holds it until now + ttl.
    /// One statement, so two processes asking at once cannot both win.
    pub async fn hold(&self) -> ServiceResult<bool> {
        let now = self.clock.now().timestamp_micros();
        let until = now.saturating_add(micros(self.ttl));
        let stored = |column: &'static str| Expr::col((TABLE, column));
        let txn = self.db.begin_write().await?;
        let written = txn
            .execute(
                Query::insert()
                    .into_table(TABLE)
                    .columns(["name", "holder", "until_us"])
                    .values_panic([self.name.clone().into(), self.holder.clone().into(), until.into()])
                    .on_conflict(
                        OnConflict::column("name")
                            .values([
                                ("holder", Expr::val(self.holder.clone())),
                                ("until_us", Expr::val(until)),
                            ])
                            .action_and_where(stored("holder").eq(self.holder.clone()).or(stored("until_us").lt(now)))
                            .to_owned(),
                    ),
            )
            .await?;
        txn.commit().await?;
        Ok(written.rows_affected() == 1)
    }

    /// Gives the lease back (at shutdown), so another replica takes it at
    /// once rather than after the time to live.
    pub async fn release(&self) -> ServiceResult<()> {
        let txn = self.db.begin_write().await?;
        txn.execute(
            Query::delete()
                .from_table(TABLE)
                .and_where(Expr::col("name").eq(self.name.clone()))
                .and_where(Expr::col("holder").eq(self.holder.clone())),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }
}
