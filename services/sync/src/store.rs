//! The sync's own tables: the cursor in the procedures service's event
//! stream, each dossier's sync state, and the changes not yet delivered.
//! Taking an event in is one transaction with the cursor's move, so a
//! restart neither loses nor doubles one.

use eiso_platform::ServiceResult;
use eiso_platform::db::Db;
use eiso_platform::outward;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Order, Query, SelectStatement};
use sea_orm::{ConnectionTrait, QueryResult};

/// Where a dossier's delivery stands (numbered as every outward item's
/// state).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(i32)]
pub enum State {
    /// Changes wait to be delivered.
    Pending = outward::PENDING,
    /// The portal has the newest change.
    Synced = outward::DELIVERED,
    /// The last attempt failed; the next one is due at `next_attempt_us`.
    Failing = outward::FAILING,
    /// Failed too often: waits for an administrator to send it again.
    Parked = outward::PARKED,
}

impl State {
    fn of(value: i32) -> Self {
        match value {
            outward::DELIVERED => Self::Synced,
            outward::FAILING => Self::Failing,
            outward::PARKED => Self::Parked,
            _ => Self::Pending,
        }
    }
}

/// One dossier's sync state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DossierSync {
    /// `dossiers/{id}`.
    pub dossier: String,
    pub code: String,
    pub agency: String,
    pub state: State,
    /// The newest change taken in, and the newest the portal has.
    pub seen_sequence: i64,
    pub synced_sequence: i64,
    /// Whether the portal is known to have the dossier.
    pub portal_known: bool,
    /// Failed attempts since the last delivery.
    pub attempts: i32,
    pub last_error: String,
    pub last_attempt_us: Option<i64>,
    pub next_attempt_us: i64,
    /// When the oldest change not delivered was made.
    pub pending_since_us: Option<i64>,
    /// When the dossier was received.
    pub receive_time_us: Option<i64>,
}

/// What a change tells of its dossier besides the change itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keys {
    pub code: String,
    /// `units/{id}`.
    pub agency: String,
    pub receive_time_us: Option<i64>,
}

const COLUMNS: [&str; 13] = [
    "dossier",
    "code",
    "agency",
    "state",
    "seen_sequence",
    "synced_sequence",
    "portal_known",
    "attempts",
    "last_error",
    "last_attempt_us",
    "next_attempt_us",
    "pending_since_us",
    "receive_time_us",
];

impl DossierSync {
    fn from_row(row: &QueryResult) -> ServiceResult<Self> {
        Ok(Self {
            dossier: row.try_get("", "dossier")?,
            code: row.try_get("", "code")?,
            agency: row.try_get("", "agency")?,
            state: State::of(row.try_get("", "state")?),
            seen_sequence: row.try_get("", "seen_sequence")?,
            synced_sequence: row.try_get("", "synced_sequence")?,
            portal_known: row.try_get("", "portal_known")?,
            attempts: row.try_get("", "attempts")?,
            last_error: row.try_get("", "last_error")?,
            last_attempt_us: row.try_get("", "last_attempt_us")?,
            next_attempt_us: row.try_get("", "next_attempt_us")?,
            pending_since_us: row.try_get("", "pending_since_us")?,
            receive_time_us: row.try_get("", "receive_time_us")?,
        })
    }

    fn select() -> SelectStatement {
        let mut query = Query::select();
        query.columns(COLUMNS).from("sync_dossiers");
        query
    }

    /// The dossiers' states `query` reads.
    async fn all(db: &Db, query: &SelectStatement) -> ServiceResult<Vec<Self>> {
        db.reader().query_all(query).await?.iter().map(Self::from_row).collect()
    }
}

/// A change taken in: the dossier as it was after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub dossier: String,
    pub sequence: i64,
    pub event_type: String,
    /// The dossier's protobuf encoding.
    pub payload: Vec<u8>,
    pub create_time_us: i64,
}

/// The stream's position: events up to it are taken in.
pub async fn cursor(db: &Db, stream: &str) -> ServiceResult<i64> {
    outward::cursor(db, "sync_cursors", stream).await
}

/// Takes in the event at `sequence` of `stream`: `change` (a dossier's, or
/// `None` for an event the sync does not deliver) and the cursor's move, in
/// one transaction. A change taken in before is not taken twice.
pub async fn take_in(
    db: &Db,
    stream: &str,
    sequence: i64,
    change: Option<(&Change, &Keys)>,
    now_us: i64,
) -> ServiceResult<()> {
    let txn = db.begin_write().await?;
    if let Some((change, keys)) = change {
        let inserted = txn
            .execute(
                Query::insert()
                    .into_table("sync_changes")
                    .columns(["dossier", "sequence", "event_type", "payload", "create_time_us"])
                    .values_panic([
                        change.dossier.clone().into(),
                        change.sequence.into(),
                        change.event_type.clone().into(),
                        change.payload.clone().into(),
                        change.create_time_us.into(),
                    ])
                    .on_conflict(OnConflict::columns(["dossier", "sequence"]).do_nothing().to_owned()),
            )
            .await?
            .rows_affected();
        if inserted > 0 {
            let known = find(&txn, &change.dossier).await?;
            match known {
                None => {
                    txn.execute(
                        Query::insert()
                            .into_table("sync_dossiers")
                            .columns(COLUMNS)
                            .values_panic([
                                change.dossier.clone().into(),
                                keys.code.clone().into(),
                                keys.agency.clone().into(),
                                (State::Pending as i32).into(),
                                change.sequence.into(),
                                0i64.into(),
                                false.into(),
                                0i32.into(),
                                "".into(),
                                Option::<i64>::None.into(),
                                now_us.into(),
                                Some(change.create_time_us).into(),
                                keys.receive_time_us.into(),
                            ]),
                    )
                    .await?;
                }
                Some(known) => {
                    let mut update = Query::update();
                    update
                        .table("sync_dossiers")
                        .value("seen_sequence", Ord::max(known.seen_sequence, change.sequence))
                        .value("code", keys.code.clone())
                        .value("agency", keys.agency.clone())
                        .and_where(Expr::col("dossier").eq(change.dossier.clone()));
                    if keys.receive_time_us.is_some() {
                        update.value("receive_time_us", keys.receive_time_us);
                    }
                    if known.state == State::Synced {
                        update
                            .value("state", State::Pending as i32)
                            .value("next_attempt_us", now_us)
                            .value("pending_since_us", change.create_time_us);
                    }
                    txn.execute(&update).await?;
                }
            }
        }
    }
    outward::advance(&txn, "sync_cursors", stream, sequence).await?;
    txn.commit().await?;
    Ok(())
}

async fn find(db: &impl ConnectionTrait, dossier: &str) -> ServiceResult<Option<DossierSync>> {
    db.query_one(DossierSync::select().and_where(Expr::col("dossier").eq(dossier)))
        .await?
        .as_ref()
        .map(DossierSync::from_row)
        .transpose()
}

/// One dossier's sync state.
pub async fn get(db: &Db, dossier: &str) -> ServiceResult<Option<DossierSync>> {
    find(db.reader(), dossier).await
}

/// The dossiers whose next attempt is due at `now_us`, longest waiting first.
pub async fn due(db: &Db, now_us: i64, limit: u64) -> ServiceResult<Vec<DossierSync>> {
    DossierSync::all(
        db,
        DossierSync::select()
            .and_where(Expr::col("state").is_in([State::Pending as i32, State::Failing as i32]))
            .and_where(Expr::col("next_attempt_us").lte(now_us))
            .order_by("next_attempt_us", Order::Asc)
            .limit(limit),
    )
    .await
}

/// The oldest change of `dossier` after `after`, if any.
pub async fn next_change(db: &Db, dossier: &str, after: i64) -> ServiceResult<Option<Change>> {
    let row = db
        .reader()
        .query_one(
            Query::select()
                .columns(["dossier", "sequence", "event_type", "payload", "create_time_us"])
                .from("sync_changes")
                .and_where(Expr::col("dossier").eq(dossier))
                .and_where(Expr::col("sequence").gt(after))
                .order_by("sequence", Order::Asc)
                .limit(1),
        )
        .await?;
    row.map(|row| {
        Ok(Change {
            dossier: row.try_get("", "dossier")?,
            sequence: row.try_get("", "sequence")?,
            event_type: row.try_get("", "event_type")?,
            payload: row.try_get("", "payload")?,
            create_time_us: row.try_get("", "create_time_us")?,
        })
    })
    .transpose()
}

/// The portal has `dossier` as of change `sequence`: later changes stay
/// pending, the delivered ones are dropped.
pub async fn delivered(db: &Db, dossier: &str, sequence: i64, now_us: i64) -> ServiceResult<()> {
    let txn = db.begin_write().await?;
    txn.execute(
        Query::delete()
            .from_table("sync_changes")
            .and_where(Expr::col("dossier").eq(dossier))
            .and_where(Expr::col("sequence").lte(sequence)),
    )
    .await?;
    let next = txn
        .query_one(
            Query::select()
                .expr(Expr::col("create_time_us").min())
                .from("sync_changes")
                .and_where(Expr::col("dossier").eq(dossier)),
        )
        .await?
        .map(|row| row.try_get_by_index::<Option<i64>>(0))
        .transpose()?
        .flatten();
    txn.execute(
        Query::update()
            .table("sync_dossiers")
            .value("synced_sequence", sequence)
            .value("portal_known", true)
            .value("attempts", 0i32)
            .value("last_error", "")
            .value("last_attempt_us", now_us)
            .value(
                "state",
                if next.is_some() { State::Pending } else { State::Synced } as i32,
            )
            .value("next_attempt_us", now_us)
            .value("pending_since_us", next)
            .and_where(Expr::col("dossier").eq(dossier)),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// An attempt at `dossier` failed: tried again at the failure's
/// `next_attempt_us`, or parked.
pub async fn failed(db: &Db, dossier: &str, failure: outward::Failure<'_>) -> ServiceResult<()> {
    outward::failed(db, "sync_dossiers", "dossier", dossier, failure).await
}

/// A parked dossier is sent again at once (its attempts counted anew), in
/// the caller's transaction; whether it was parked.
pub async fn resend(txn: &impl ConnectionTrait, dossier: &str, now_us: i64) -> ServiceResult<bool> {
    Ok(outward::resend(txn, "sync_dossiers", "dossier", dossier, now_us).await? > 0)
}

/// A page of dossiers by name, `conditions` (scope, filter) applied before
/// paging; `limit` rows from `offset`.
pub async fn page(
    db: &Db,
    conditions: Vec<sea_orm::sea_query::SimpleExpr>,
    offset: u64,
    limit: u64,
) -> ServiceResult<Vec<DossierSync>> {
    let mut query = DossierSync::select();
    for condition in conditions {
        query.and_where(condition);
    }
    query.order_by("dossier", Order::Asc).offset(offset).limit(limit);
    DossierSync::all(db, &query).await
}

/// Dossiers of `agency` received from `start_us` (inclusive) to `end_us`
/// (exclusive) that the portal has up to date.
pub async fn synced_received(db: &Db, agency: &str, start_us: i64, end_us: i64) -> ServiceResult<i64> {
    let row = db
        .reader()
        .query_one(
            Query::select()
                .expr(Expr::col("dossier").count())
                .from("sync_dossiers")
                .and_where(Expr::col("agency").eq(agency))
                .and_where(Expr::col("receive_time_us").gte(start_us))
                .and_where(Expr::col("receive_time_us").lt(end_us))
                .and_where(Expr::col("state").eq(State::Synced as i32)),
        )
        .await?;
    Ok(row.map(|row| row.try_get_by_index::<i64>(0)).transpose()?.unwrap_or(0))
}

/// Dossiers by state: (pending or failing, synced, parked).
pub async fn counts(db: &Db) -> ServiceResult<(i64, i64, i64)> {
    outward::counts(db, "sync_dossiers").await
}

/// The dossiers in `state`, by dossier name (at most `limit`).
pub async fn in_state(db: &Db, state: State, limit: u64) -> ServiceResult<Vec<DossierSync>> {
    DossierSync::all(
        db,
        DossierSync::select()
            .and_where(Expr::col("state").eq(state as i32))
            .order_by("dossier", Order::Asc)
            .limit(limit),
    )
    .await
}

/// When the oldest change not yet delivered was made (the sync's lag).
pub async fn oldest_pending_us(db: &Db) -> ServiceResult<Option<i64>> {
    let row = db
        .reader()
        .query_one(
            Query::select()
                .expr(Expr::col("pending_since_us").min())
                .from("sync_dossiers"),
        )
        .await?;
    Ok(row
        .map(|row| row.try_get_by_index::<Option<i64>>(0))
        .transpose()?
        .flatten())
}
