//! The notifier's tables: its cursor in the procedures service's event
//! stream, and the messages, each kept from the event that made it until it
//! is sent (and after, as the record that it was). A message's key is its
//! event and channel, so an event taken in again adds nothing.

use eiso_platform::ServiceResult;
use eiso_platform::db::Db;
use eiso_platform::outward;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict, Order, Query, SelectStatement};
use sea_orm::{ConnectionTrait, QueryResult};

use crate::notice::Channel;

const TABLE: &str = "notify_messages";
const CURSORS: &str = "notify_cursors";

/// Where a message stands (numbered as every outward item's state).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(i32)]
pub enum State {
    /// Waits its turn.
    Pending = outward::PENDING,
    /// Taken by the server.
    Sent = outward::DELIVERED,
    /// The last attempt failed; the next is due at `next_attempt_us`.
    Failing = outward::FAILING,
    /// Failed too often: waits for an administrator to send it again.
    Parked = outward::PARKED,
}

impl State {
    fn of(value: i32) -> Self {
        match value {
            outward::DELIVERED => Self::Sent,
            outward::FAILING => Self::Failing,
            outward::PARKED => Self::Parked,
            _ => Self::Pending,
        }
    }
}

/// One message to an applicant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// `{sequence}.{channel}`: the event that made it and its channel.
    pub id: String,
    /// `dossiers/{id}`.
    pub dossier: String,
    /// The dossier's agency, `units/{id}`: whose the message is.
    pub agency: String,
    /// The event's sequence in the stream.
    pub sequence: i64,
    pub channel: Channel,
    /// `received`, `supplement`, `extended`, `result`.
    pub kind: String,
    /// The e-mail address or phone number.
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub state: State,
    pub attempts: i32,
    pub last_error: String,
    pub last_attempt_us: Option<i64>,
    pub next_attempt_us: i64,
    /// When the event happened.
    pub create_us: i64,
    pub sent_us: Option<i64>,
}

impl Message {
    /// The key of the message `channel` carries for the event at `sequence`.
    pub fn key(sequence: i64, channel: Channel) -> String {
        format!("{sequence}.{}", channel.name())
    }
}

const COLUMNS: [&str; 16] = [
    "id",
    "dossier",
    "agency",
    "sequence",
    "channel",
    "kind",
    "recipient",
    "subject",
    "body",
    "state",
    "attempts",
    "last_error",
    "last_attempt_us",
    "next_attempt_us",
    "create_us",
    "sent_us",
];

impl Message {
    fn from_row(row: &QueryResult) -> ServiceResult<Self> {
        let channel: String = row.try_get("", "channel")?;
        Ok(Self {
            id: row.try_get("", "id")?,
            dossier: row.try_get("", "dossier")?,
            agency: row.try_get("", "agency")?,
            sequence: row.try_get("", "sequence")?,
            channel: Channel::of_name(&channel).unwrap_or(Channel::Email),
            kind: row.try_get("", "kind")?,
            recipient: row.try_get("", "recipient")?,
            subject: row.try_get("", "subject")?,
            body: row.try_get("", "body")?,
            state: State::of(row.try_get("", "state")?),
            attempts: row.try_get("", "attempts")?,
            last_error: row.try_get("", "last_error")?,
            last_attempt_us: row.try_get("", "last_attempt_us")?,
            next_attempt_us: row.try_get("", "next_attempt_us")?,
            create_us: row.try_get("", "create_us")?,
            sent_us: row.try_get("", "sent_us")?,
        })
    }

    fn select() -> SelectStatement {
        let mut query = Query::select();
        query.columns(COLUMNS).from(TABLE);
        query
    }

    /// The messages `query` reads.
    async fn all(db: &Db, query: &SelectStatement) -> ServiceResult<Vec<Self>> {
        db.reader().query_all(query).await?.iter().map(Self::from_row).collect()
    }
}

/// The stream's position: events up to it are taken in.
pub async fn cursor(db: &Db, stream: &str) -> ServiceResult<i64> {
    outward::cursor(db, CURSORS, stream).await
}

/// Takes in the event at `sequence` of `stream` with the messages it made
/// (none for most events), in one transaction with the cursor's move. A
/// message taken in before is not taken again.
pub async fn take_in(db: &Db, stream: &str, sequence: i64, messages: &[Message]) -> ServiceResult<()> {
    let txn = db.begin_write().await?;
    for message in messages {
        txn.execute(
            Query::insert()
                .into_table(TABLE)
                .columns(COLUMNS)
                .values_panic([
                    message.id.clone().into(),
                    message.dossier.clone().into(),
                    message.agency.clone().into(),
                    message.sequence.into(),
                    message.channel.name().into(),
                    message.kind.clone().into(),
                    message.recipient.clone().into(),
                    message.subject.clone().into(),
                    message.body.clone().into(),
                    (message.state as i32).into(),
                    message.attempts.into(),
                    message.last_error.clone().into(),
                    message.last_attempt_us.into(),
                    message.next_attempt_us.into(),
                    message.create_us.into(),
                    message.sent_us.into(),
                ])
                .on_conflict(OnConflict::column("id").do_nothing().to_owned()),
        )
        .await?;
    }
    outward::advance(&txn, CURSORS, stream, sequence).await?;
    txn.commit().await?;
    Ok(())
}

/// Not sent yet (pending, failing or parked).
fn unsent() -> sea_orm::sea_query::SimpleExpr {
    Expr::col("state").ne(State::Sent as i32)
}

/// The messages due at `now_us` that are first in their line (no earlier
/// message of the same dossier and channel is unsent), oldest event first.
pub async fn due(db: &Db, now_us: i64, limit: u64) -> ServiceResult<Vec<Message>> {
    let (m, e) = (Alias::new("m"), Alias::new("e"));
    let mut earlier = Query::select();
    earlier
        .expr(Expr::val(1))
        .from_as(TABLE, e.clone())
        .and_where(Expr::col((e.clone(), Alias::new("dossier"))).equals((m.clone(), Alias::new("dossier"))))
        .and_where(Expr::col((e.clone(), Alias::new("channel"))).equals((m.clone(), Alias::new("channel"))))
        .and_where(Expr::col((e.clone(), Alias::new("sequence"))).lt(Expr::col((m.clone(), Alias::new("sequence")))))
        .and_where(Expr::col((e, Alias::new("state"))).ne(State::Sent as i32));
    let mut query = Query::select();
    query
        .columns(COLUMNS.map(|column| (m.clone(), Alias::new(column))))
        .from_as(TABLE, m.clone())
        .and_where(Expr::col((m.clone(), Alias::new("state"))).is_in([State::Pending as i32, State::Failing as i32]))
        .and_where(Expr::col((m.clone(), Alias::new("next_attempt_us"))).lte(now_us))
        .and_where(Expr::exists(earlier).not())
        .order_by((m, Alias::new("sequence")), Order::Asc)
        .limit(limit);
    Message::all(db, &query).await
}

/// The next unsent message of `dossier` on `channel` after `sequence`.
pub async fn next_in_line(db: &Db, dossier: &str, channel: Channel, sequence: i64) -> ServiceResult<Option<Message>> {
    db.reader()
        .query_one(
            Message::select()
                .and_where(Expr::col("dossier").eq(dossier))
                .and_where(Expr::col("channel").eq(channel.name()))
                .and_where(Expr::col("sequence").gt(sequence))
                .and_where(unsent())
                .order_by("sequence", Order::Asc)
                .limit(1),
        )
        .await?
        .as_ref()
        .map(Message::from_row)
        .transpose()
}

/// The server took message `id`.
pub async fn sent(db: &Db, id: &str, now_us: i64) -> ServiceResult<()> {
    let txn = db.begin_write().await?;
    txn.execute(
        Query::update()
            .table(TABLE)
            .value("state", State::Sent as i32)
            .value("last_error", "")
            .value("last_attempt_us", now_us)
            .value("sent_us", now_us)
            .and_where(Expr::col("id").eq(id)),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// An attempt at message `id` failed: tried again at the failure's
/// `next_attempt_us`, or parked.
pub async fn failed(db: &Db, id: &str, failure: outward::Failure<'_>) -> ServiceResult<()> {
    outward::failed(db, TABLE, "id", id, failure).await
}

/// The parked messages of `dossier` are sent again at once (their attempts
/// counted anew), in the caller's transaction; how many were parked.
pub async fn resend(txn: &impl ConnectionTrait, dossier: &str, now_us: i64) -> ServiceResult<u64> {
    outward::resend(txn, TABLE, "dossier", dossier, now_us).await
}

/// The messages of `dossier`, in the order of their events.
pub async fn of_dossier(db: &Db, dossier: &str) -> ServiceResult<Vec<Message>> {
    Message::all(
        db,
        Message::select()
            .and_where(Expr::col("dossier").eq(dossier))
            .order_by("sequence", Order::Asc)
            .order_by("channel", Order::Asc),
    )
    .await
}

/// The messages in `state`, oldest event first (at most `limit`).
pub async fn in_state(db: &Db, state: State, limit: u64) -> ServiceResult<Vec<Message>> {
    Message::all(
        db,
        Message::select()
            .and_where(Expr::col("state").eq(state as i32))
            .order_by("sequence", Order::Asc)
            .limit(limit),
    )
    .await
}

/// Messages by state: (pending or failing, sent, parked).
pub async fn counts(db: &Db) -> ServiceResult<(i64, i64, i64)> {
    outward::counts(db, TABLE).await
}

/// A page of messages in the order of their events, `conditions` (scope,
/// filter) applied before paging; `limit` rows from `offset`.
pub async fn page(
    db: &Db,
    conditions: Vec<sea_orm::sea_query::SimpleExpr>,
    offset: u64,
    limit: u64,
) -> ServiceResult<Vec<Message>> {
    let mut query = Message::select();
    for condition in conditions {
        query.and_where(condition);
    }
    query
        .order_by("sequence", Order::Asc)
        .order_by("channel", Order::Asc)
        .offset(offset)
        .limit(limit);
    Message::all(db, &query).await
}
