//! How every write starts and ends. A change starts with the row read in
//! its transaction, checked for the caller's method and against the
//! request's etag; a write ends with the row inserted or saved, its event
//! queued with the resource as answered (so the outbox carries exactly what
//! the caller gets), and the transaction committed with its audit entry.

use chrono::{DateTime, Utc};
use eiso_platform::{CallContext, NewEvent, ServiceResult, WriteTx};

use crate::Quality;
use crate::store::{Row, Stored};

/// Queues the `{EVENT}.{verb}` event of `row`; the resource it carries.
pub fn event<M: Stored>(tx: &mut WriteTx<'_>, row: &Row<M>, verb: &str) -> M {
    let resource = row.answer();
    tx.event(NewEvent::with(&format!("{}.{verb}", M::EVENT), &row.name(), &resource));
    resource
}

/// Inserts the new `row` and queues its `created` event; the resource.
pub async fn insert<M: Stored>(tx: &mut WriteTx<'_>, row: &Row<M>) -> ServiceResult<M> {
    M::TABLE.insert(tx.txn(), row).await?;
    Ok(event(tx, row, "created"))
}

/// Saves `row` at `now` if nobody changed it since it was read (ABORTED
/// otherwise) and queues its `verb` event; the resource.
pub async fn save<M: Stored>(
    tx: &mut WriteTx<'_>,
    row: &mut Row<M>,
    now: DateTime<Utc>,
    verb: &str,
) -> ServiceResult<M> {
    M::TABLE.save(tx.txn(), row, now).await?;
    Ok(event(tx, row, verb))
}

/// The end of a create: [`insert`], then the commit that keeps the answer
/// for retries with the call's `request_id`.
pub async fn create<M: Stored>(mut tx: WriteTx<'_>, row: &Row<M>) -> ServiceResult<M> {
    let resource = insert(&mut tx, row).await?;
    tx.commit_idempotent(resource).await
}

impl Quality {
    /// The start of a change to the row `id` of `M`: the transaction, and
    /// the row after the platform's check for the caller's method and the
    /// check of the request's `etag`.
    pub(crate) async fn begin_change<M: Stored>(
        &self,
        ctx: &CallContext,
        id: &str,
        etag: &str,
    ) -> ServiceResult<(WriteTx<'_>, Row<M>)> {
        let tx = self.journal.begin(ctx).await?;
        let row: Row<M> = self.checked(ctx, tx.txn(), id).await?;
        row.check_etag(etag)?;
        Ok((tx, row))
    }

    /// The end of a change: [`save`] now, then the commit.
    pub(crate) async fn commit_change<M: Stored>(
        &self,
        mut tx: WriteTx<'_>,
        mut row: Row<M>,
        verb: &str,
    ) -> ServiceResult<M> {
        let resource = save(&mut tx, &mut row, self.clock.now(), verb).await?;
        tx.commit().await?;
        Ok(resource)
    }
}
