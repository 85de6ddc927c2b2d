//! Recording changes: every write transaction appends its events to the
//! service's outbox and one entry to its audit trail before it commits, and a
//! create stores its response under the caller's `request_id`, all in the same
//! transaction. [`Journal::watch`] serves the outbox as a stream.

use std::time::Duration;

use chrono::Utc;
use eiso_proto::eiso::event::v1::Event;
use eiso_proto::prost::Message;
use eiso_proto::prost_types::{Any, Timestamp};
use sea_orm::sea_query::{Expr, ExprTrait, Order, Query};
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbErr, SqlErr, Statement};
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;
use tokio::sync::watch;
use tokio_stream::wrappers::ReceiverStream;

use crate::audit::{self, NewEntry};
use crate::context::CallContext;
use crate::db::Db;
use crate::error::{ServiceError, ServiceResult};

/// An event to append: `<resource type>.<verb>` about `resource`.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub event_type: String,
    pub resource: String,
    pub payload: Option<Any>,
}

impl NewEvent {
    /// An event whose payload is the resource `message` (type URL from its
    /// full proto name).
    pub fn with<M: Message + eiso_proto::prost::Name>(event_type: &str, resource: &str, message: &M) -> Self {
        Self {
            event_type: event_type.to_string(),
            resource: resource.to_string(),
            payload: Some(Any {
                type_url: M::type_url(),
                value: message.encode_to_vec(),
            }),
        }
    }
}

/// The storage of a service plus the signal that wakes its event watchers.
#[derive(Debug, Clone)]
pub struct Journal {
    db: Db,
    committed: watch::Sender<i64>,
    /// Set at shutdown: open event streams end, so that the server can drain.
    closing: watch::Sender<bool>,
    /// How often watchers look for events committed by other replicas.
    poll_interval: Duration,
}

impl Journal {
    pub fn new(db: Db) -> Self {
        let (committed, _) = watch::channel(0);
        let (closing, _) = watch::channel(false);
        Self {
            db,
            committed,
            closing,
            poll_interval: Duration::from_secs(1),
        }
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Begins a write transaction on behalf of `ctx`.
    pub async fn begin(&self, ctx: &CallContext) -> ServiceResult<WriteTx<'_>> {
        let txn = self.db.begin_write().await?;
        Ok(WriteTx {
            journal: self,
            txn,
            ctx: ctx.clone(),
            events: Vec::new(),
            resource: String::new(),
        })
    }

    /// Begins a create that is idempotent by `ctx.request_id`. The key is
    /// claimed first thing in the transaction: a concurrent retry waits for
    /// this one (or finds it committed) and gets its response instead of
    /// creating twice. Without a `request_id` this is [`Journal::begin`].
    pub async fn begin_idempotent<M: Message + Default>(
        &self,
        ctx: &CallContext,
        fingerprint: &str,
    ) -> ServiceResult<Begun<'_, M>> {
        if ctx.request_id.is_empty() {
            return Ok(Begun::Fresh(Box::new(self.begin(ctx).await?)));
        }
        if let Some(done) = self.replay::<M>(ctx, fingerprint).await? {
            return Ok(Begun::Replayed(done));
        }
        let tx = self.begin(ctx).await?;
        let claimed = tx
            .txn
            .execute(
                Query::insert()
                    .into_table("idempotency_keys")
                    .columns([
                        "scope",
                        "request_id",
                        "request_hash",
                        "resource",
                        "response",
                        "create_time_us",
                    ])
                    .values_panic([
                        idempotency_scope(ctx).into(),
                        ctx.request_id.clone().into(),
                        fingerprint.to_string().into(),
                        "".into(),
                        Vec::<u8>::new().into(),
                        Utc::now().timestamp_micros().into(),
                    ]),
            )
            .await;
        match claimed {
            Ok(_) => Ok(Begun::Fresh(Box::new(tx))),
            Err(error) if matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
                drop(tx);
                match self.replay::<M>(ctx, fingerprint).await? {
                    Some(done) => Ok(Begun::Replayed(done)),
                    None => Err(ServiceError::Aborted(
                        "a concurrent request with this request_id failed; retry".into(),
                    )),
                }
            }
            Err(error) => Err(error.into()),
        }
    }

    /// The response stored for `ctx.request_id` by an earlier identical call,
    /// if any. A `request_id` reused for a different request is refused.
    pub async fn replay<M: Message + Default>(&self, ctx: &CallContext, fingerprint: &str) -> ServiceResult<Option<M>> {
        if ctx.request_id.is_empty() {
            return Ok(None);
        }
        let row = self
            .db
            .reader()
            .query_one(
                Query::select()
                    .columns(["request_hash", "response"])
                    .from("idempotency_keys")
                    .and_where(Expr::col("scope").eq(idempotency_scope(ctx)))
                    .and_where(Expr::col("request_id").eq(ctx.request_id.clone())),
            )
            .await?;
        let Some(row) = row else { return Ok(None) };
        let stored_hash: String = row.try_get("", "request_hash")?;
        if stored_hash != fingerprint {
            return Err(ServiceError::invalid(
                "request_id",
                "was already used for a different request; use a new request_id for a new request",
            ));
        }
        let bytes: Vec<u8> = row.try_get("", "response")?;
        let message = M::decode(bytes.as_slice()).map_err(ServiceError::internal)?;
        Ok(Some(message))
    }

    /// Told the sequence of each event this process commits (and of those
    /// other replicas commit, as watchers find them): wait on it to follow
    /// changes without reading the events.
    pub fn commits(&self) -> watch::Receiver<i64> {
        self.committed.subscribe()
    }

    /// The sequence of the latest committed event (0 when there is none).
    pub async fn head_sequence(&self) -> ServiceResult<i64> {
        let row = self
            .db
            .reader()
            .query_one(
                Query::select()
                    .expr_as(Expr::col("sequence").max(), "head")
                    .from("outbox_events"),
            )
            .await?;
        Ok(row
            .and_then(|row| row.try_get::<Option<i64>>("", "head").ok())
            .flatten()
            .unwrap_or(0))
    }

    /// Events after `after_sequence`: first those stored, then each new one as
    /// it commits. A task feeds the stream; it stops when the receiver is
    /// dropped (the client went away) or on a storage error, which it sends.
    pub fn watch(&self, after_sequence: i64) -> ReceiverStream<ServiceResult<Event>> {
        const BATCH: u64 = 500;
        let (tx, rx) = mpsc::channel(BATCH as usize);
        let db = self.db.clone();
        let mut committed = self.committed.subscribe();
        let mut closing = self.closing.subscribe();
        let poll_interval = self.poll_interval;
        tokio::spawn(async move {
            let mut cursor = after_sequence;
            loop {
                if *closing.borrow() {
                    return;
                }
                let batch = match read_events(&db, cursor, BATCH).await {
                    Ok(batch) => batch,
                    Err(error) => {
                        let _ = tx.send(Err(error.into())).await;
                        return;
                    }
                };
                let full = batch.len() as u64 == BATCH;
                for event in batch {
                    cursor = event.sequence;
                    if tx.send(Ok(event)).await.is_err() {
                        return;
                    }
                }
                if full {
                    continue;
                }
                // Caught up: wait for a local commit past the cursor, for the
                // poll interval (other replicas), or for the client to leave.
                tokio::select! {
                    _ = tx.closed() => return,
                    _ = closing.wait_for(|closing| *closing) => return,
                    _ = tokio::time::timeout(poll_interval, committed.wait_for(|latest| *latest > cursor)) => {}
                }
            }
        });
        ReceiverStream::new(rx)
    }

    /// Ends every open event stream (at shutdown); consumers resume from
    /// their cursor on another replica or after the restart.
    pub fn close_watchers(&self) {
        self.closing.send_replace(true);
    }

    fn notify(&self, sequence: i64) {
        self.committed.send_if_modified(|latest| {
            if sequence > *latest {
                *latest = sequence;
                true
            } else {
                false
            }
        });
    }
}

/// The columns of `outbox_events`, as they are written and read.
const OUTBOX_COLUMNS: [&str; 7] = [
    "sequence",
    "event_type",
    "resource",
    "actor",
    "payload_type",
    "payload",
    "create_time_us",
];

async fn read_events(db: &Db, after_sequence: i64, limit: u64) -> Result<Vec<Event>, DbErr> {
    let rows = db
        .reader()
        .query_all(
            Query::select()
                .columns(OUTBOX_COLUMNS)
                .from("outbox_events")
                .and_where(Expr::col("sequence").gt(after_sequence))
                .order_by("sequence", Order::Asc)
                .limit(limit),
        )
        .await?;
    rows.iter()
        .map(|row| {
            let payload_type: String = row.try_get("", "payload_type")?;
            let payload: Vec<u8> = row.try_get("", "payload")?;
            let create_time_us: i64 = row.try_get("", "create_time_us")?;
            Ok(Event {
                sequence: row.try_get("", "sequence")?,
                r#type: row.try_get("", "event_type")?,
                resource: row.try_get("", "resource")?,
                actor: row.try_get("", "actor")?,
                create_time: Some(timestamp_from_micros(create_time_us)),
                payload: (!payload_type.is_empty()).then_some(Any {
                    type_url: payload_type,
                    value: payload,
                }),
            })
        })
        .collect()
}

pub fn timestamp_from_micros(us: i64) -> Timestamp {
    Timestamp {
        seconds: us.div_euclid(1_000_000),
        nanos: (us.rem_euclid(1_000_000) * 1000) as i32,
    }
}

pub use crate::aip::time::timestamp;

fn idempotency_scope(ctx: &CallContext) -> String {
    format!("{} {}", ctx.method, ctx.principal.name)
}

/// A stable fingerprint of a request message, to tell a retry from a reuse of
/// the same `request_id` for something else.
pub fn fingerprint<M: Message>(request: &M) -> String {
    hex::encode(Sha256::digest(request.encode_to_vec()))
}

/// The start of an idempotent create.
pub enum Begun<'j, M> {
    /// First time: do the work in this transaction.
    Fresh(Box<WriteTx<'j>>),
    /// A retry: the first call's response.
    Replayed(M),
}

/// A write transaction that will append its events and audit entry when it
/// commits. Dropping it without committing rolls everything back.
pub struct WriteTx<'j> {
    journal: &'j Journal,
    txn: DatabaseTransaction,
    ctx: CallContext,
    events: Vec<NewEvent>,
    resource: String,
}

impl WriteTx<'_> {
    /// The transaction, for the service's own statements.
    pub fn txn(&self) -> &DatabaseTransaction {
        &self.txn
    }

    /// Queues an event; the audit entry names the first event's resource
    /// unless [`WriteTx::audit_resource`] says otherwise.
    pub fn event(&mut self, event: NewEvent) {
        if self.resource.is_empty() {
            self.resource = event.resource.clone();
        }
        self.events.push(event);
    }

    pub fn audit_resource(&mut self, resource: &str) {
        self.resource = resource.to_string();
    }

    /// Appends the events and the audit entry and commits.
    pub async fn commit(self) -> ServiceResult<()> {
        self.finish(None).await.map(|_| ())
    }

    /// Like [`WriteTx::commit`], and stores `response` under the call's
    /// `request_id` (claimed by [`Journal::begin_idempotent`]), so that a
    /// retry gets it back.
    pub async fn commit_idempotent<M: Message>(self, response: M) -> ServiceResult<M> {
        self.finish(Some(response.encode_to_vec())).await?;
        Ok(response)
    }

    async fn finish(self, idempotent: Option<Vec<u8>>) -> ServiceResult<i64> {
        let WriteTx {
            journal,
            txn,
            ctx,
            events,
            resource,
        } = self;
        let now_us = Utc::now().timestamp_micros();
        let actor = ctx.principal.name.clone();

        if let Some(response) = idempotent
            && !ctx.request_id.is_empty()
        {
            txn.execute(
                Query::update()
                    .table("idempotency_keys")
                    .value("response", response)
                    .value("resource", resource.clone())
                    .and_where(Expr::col("scope").eq(idempotency_scope(&ctx)))
                    .and_where(Expr::col("request_id").eq(ctx.request_id.clone())),
            )
            .await?;
        }

        let mut last_sequence = 0;
        if !events.is_empty() {
            // Reserve the sequence range under the head row's lock.
            let count = events.len() as i64;
            let head = txn
                .query_one_raw(Statement::from_string(
                    txn.get_database_backend(),
                    format!(
                        "UPDATE chain_heads SET sequence = sequence + {count} WHERE name = 'outbox' RETURNING sequence"
                    ),
                ))
                .await?
                .ok_or_else(|| ServiceError::internal("outbox chain head missing"))?;
            last_sequence = head.try_get("", "sequence")?;
            let mut insert = Query::insert();
            insert.into_table("outbox_events").columns(OUTBOX_COLUMNS);
            for (i, event) in events.into_iter().enumerate() {
                let (payload_type, payload) = match event.payload {
                    Some(any) => (any.type_url, any.value),
                    None => (String::new(), Vec::new()),
                };
                insert.values_panic([
                    (last_sequence - count + 1 + i as i64).into(),
                    event.event_type.into(),
                    event.resource.into(),
                    actor.clone().into(),
                    payload_type.into(),
                    payload.into(),
                    now_us.into(),
                ]);
            }
            txn.execute(&insert).await?;
        }

        audit::append(
            &txn,
            NewEntry {
                actor,
                method: ctx.method.clone(),
                resource,
                code: 0,
                message: String::new(),
                reason: ctx.reason.clone(),
                request_id: ctx.request_id.clone(),
            },
        )
        .await?;
        txn.commit().await?;
        if last_sequence > 0 {
            journal.notify(last_sequence);
        }
        Ok(last_sequence)
    }
}
