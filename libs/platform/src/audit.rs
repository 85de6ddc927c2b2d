//! The append-only, hash-chained audit trail of one service.
//!
//! Each entry's hash is SHA-256 over its fields (length-prefixed, so no two
//! different entries serialise alike) and the previous entry's hash. Changing,
//! inserting or deleting a row breaks the chain at that row, and
//! [`verify`] reports the first broken link. Entries of successful changes are
//! written in the change's own transaction; failed calls are recorded in a
//! transaction of their own.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Order, Query};
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbErr, QueryResult};
use sha2::{Digest, Sha256};

use crate::db::Db;

pub use eiso_migrations::platform::GENESIS_HASH;

/// An audit entry before it is chained.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewEntry {
    pub actor: String,
    pub method: String,
    pub resource: String,
    /// google.rpc.Code of the outcome.
    pub code: i32,
    pub message: String,
    pub reason: String,
    pub request_id: String,
}

/// A stored entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub sequence: i64,
    pub create_time_us: i64,
    pub entry: NewEntry,
    pub previous_hash: String,
    pub hash: String,
}

impl Entry {
    pub fn create_time(&self) -> DateTime<Utc> {
        DateTime::from_timestamp_micros(self.create_time_us).unwrap_or_default()
    }

    fn from_row(row: &QueryResult) -> Result<Self, DbErr> {
        Ok(Self {
            sequence: row.try_get("", "sequence")?,
            create_time_us: row.try_get("", "create_time_us")?,
            entry: NewEntry {
                actor: row.try_get("", "actor")?,
                method: row.try_get("", "method")?,
                resource: row.try_get("", "resource")?,
                code: row.try_get("", "code")?,
                message: row.try_get("", "message")?,
                reason: row.try_get("", "reason")?,
                request_id: row.try_get("", "request_id")?,
            },
            previous_hash: row.try_get("", "previous_hash")?,
            hash: row.try_get("", "hash")?,
        })
    }
}

/// The hash of an entry: SHA-256 over the length-prefixed fields.
pub fn entry_hash(sequence: i64, create_time_us: i64, entry: &NewEntry, previous_hash: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"eiso-audit-v1");
    hasher.update(sequence.to_be_bytes());
    hasher.update(create_time_us.to_be_bytes());
    hasher.update(entry.code.to_be_bytes());
    for field in [
        &entry.actor,
        &entry.method,
        &entry.resource,
        &entry.message,
        &entry.reason,
        &entry.request_id,
        &previous_hash.to_string(),
    ] {
        hasher.update((field.len() as u64).to_be_bytes());
        hasher.update(field.as_bytes());
    }
    hex::encode(hasher.finalize())
}

const COLUMNS: [&str; 11] = [
    "sequence",
    "create_time_us",
    "actor",
    "method",
    "resource",
    "code",
    "message",
    "reason",
    "request_id",
    "previous_hash",
    "hash",
];

/// The most characters an entry's message or reason keeps: the trail can
/// never be cleaned up, so a failed import's megabyte of errors must not land
/// in it.
pub const MAX_TEXT_CHARS: usize = 1000;
/// The most characters of the short fields (actor, method, resource, request id).
pub const MAX_NAME_CHARS: usize = 300;

impl NewEntry {
    /// The entry as it is stored: every field cut to its bound.
    pub fn bounded(self) -> Self {
        use crate::error::truncate_chars;
        Self {
            actor: truncate_chars(&self.actor, MAX_NAME_CHARS),
            method: truncate_chars(&self.method, MAX_NAME_CHARS),
            resource: truncate_chars(&self.resource, MAX_NAME_CHARS),
            code: self.code,
            message: truncate_chars(&self.message, MAX_TEXT_CHARS),
            reason: truncate_chars(&self.reason, MAX_TEXT_CHARS),
            request_id: truncate_chars(&self.request_id, MAX_NAME_CHARS),
        }
    }
}

/// The audit chain's head row (its sequence and hash) as `sql`, which reads
/// or moves it, returns it.
async fn chain_head(db: &impl ConnectionTrait, sql: &str) -> Result<(i64, String), DbErr> {
    let head = db
        .query_one_raw(sea_orm::Statement::from_string(db.get_database_backend(), sql))
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("audit chain head".into()))?;
    Ok((head.try_get("", "sequence")?, head.try_get("", "hash")?))
}

/// Appends `entry` (cut to its bounds, see [`NewEntry::bounded`]) inside
/// `txn`. Locks the trail's head row first, so concurrent appenders chain one
/// after the other.
pub async fn append(txn: &DatabaseTransaction, entry: NewEntry) -> Result<i64, DbErr> {
    let entry = entry.bounded();
    let (sequence, previous_hash) = chain_head(
        txn,
        "UPDATE chain_heads SET sequence = sequence + 1 WHERE name = 'audit' RETURNING sequence, hash",
    )
    .await?;
    let create_time_us = Utc::now().timestamp_micros();
    let hash = entry_hash(sequence, create_time_us, &entry, &previous_hash);

    txn.execute(
        Query::update()
            .table("chain_heads")
            .value("hash", hash.clone())
            .and_where(Expr::col("name").eq("audit")),
    )
    .await?;
    txn.execute(
        Query::insert()
            .into_table("audit_entries")
            .columns(COLUMNS)
            .values_panic([
                sequence.into(),
                create_time_us.into(),
                entry.actor.into(),
                entry.method.into(),
                entry.resource.into(),
                entry.code.into(),
                entry.message.into(),
                entry.reason.into(),
                entry.request_id.into(),
                previous_hash.into(),
                hash.into(),
            ]),
    )
    .await?;
    Ok(sequence)
}

/// Records a call that changed nothing (a refused or failed mutation), in a
/// transaction of its own.
pub async fn record_outcome(db: &Db, entry: NewEntry) -> Result<i64, DbErr> {
    let txn = db.begin_write().await?;
    let sequence = append(&txn, entry).await?;
    txn.commit().await?;
    Ok(sequence)
}

/// Exact-match filter over the trail.
#[derive(Debug, Clone, Default)]
pub struct EntryFilter {
    pub actor: Option<String>,
    pub method: Option<String>,
    pub resource: Option<String>,
    pub code: Option<i32>,
}

/// Up to `limit` entries after `after_sequence`, oldest first.
pub async fn list(db: &Db, after_sequence: i64, limit: u64, filter: &EntryFilter) -> Result<Vec<Entry>, DbErr> {
    list_from(db, Cursor::After(after_sequence), limit, filter).await
}

/// Where a listing of a trail starts, and which way it goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cursor {
    /// Oldest first, from the entry after this sequence (0: the first).
    After(i64),
    /// Newest first, from the entry before this sequence (`i64::MAX`: the last).
    Before(i64),
}

/// Up to `limit` entries matching `filter` from `cursor` on, in its order.
pub async fn list_from(db: &Db, cursor: Cursor, limit: u64, filter: &EntryFilter) -> Result<Vec<Entry>, DbErr> {
    let mut query = Query::select();
    query.columns(COLUMNS).from("audit_entries").limit(limit);
    match cursor {
        Cursor::After(sequence) => query
            .and_where(Expr::col("sequence").gt(sequence))
            .order_by("sequence", Order::Asc),
        Cursor::Before(sequence) => query
            .and_where(Expr::col("sequence").lt(sequence))
            .order_by("sequence", Order::Desc),
    };
    if let Some(actor) = &filter.actor {
        query.and_where(Expr::col("actor").eq(actor.clone()));
    }
    if let Some(method) = &filter.method {
        query.and_where(Expr::col("method").eq(method.clone()));
    }
    if let Some(resource) = &filter.resource {
        query.and_where(Expr::col("resource").eq(resource.clone()));
    }
    if let Some(code) = filter.code {
        query.and_where(Expr::col("code").eq(code));
    }
    db.reader()
        .query_all(&query)
        .await?
        .iter()
        .map(Entry::from_row)
        .collect()
}

/// The result of checking a trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub entries_checked: i64,
    /// The first entry that does not match, and what did not.
    pub first_broken: Option<(i64, String)>,
}

/// Recomputes the chain from the first entry, in batches, and stops at the
/// first broken link: a changed field, a missing or inserted entry, or a head
/// row that does not match the last entry. A trail written to while it is
/// read is not broken: entries appended after a batch was read are read once
/// the head shows them.
pub async fn verify(db: &Db) -> Result<Verification, DbErr> {
    const BATCH: u64 = 1000;
    let mut expected_previous = GENESIS_HASH.to_string();
    let mut expected_sequence = 1i64;
    let mut checked = 0i64;
    // The head read after the entries, last round: a later head means
    // entries were appended meanwhile (each with the head, in one
    // transaction), which the next round reads.
    let mut seen_head = None;
    'rounds: loop {
        loop {
            let batch = list(db, expected_sequence - 1, BATCH, &EntryFilter::default()).await?;
            for entry in &batch {
                checked += 1;
                if entry.sequence != expected_sequence {
                    return Ok(Verification {
                        entries_checked: checked,
                        first_broken: Some((
                            expected_sequence,
                            format!(
                                "entry {expected_sequence} is missing (next stored entry is {})",
                                entry.sequence
                            ),
                        )),
                    });
                }
                if entry.previous_hash != expected_previous {
                    return Ok(Verification {
                        entries_checked: checked,
                        first_broken: Some((
                            entry.sequence,
                            "previous_hash does not match the hash of the entry before".to_string(),
                        )),
                    });
                }
                let recomputed = entry_hash(entry.sequence, entry.create_time_us, &entry.entry, &entry.previous_hash);
                if recomputed != entry.hash {
                    return Ok(Verification {
                        entries_checked: checked,
                        first_broken: Some((entry.sequence, "content does not match its hash".to_string())),
                    });
                }
                expected_previous = entry.hash.clone();
                expected_sequence += 1;
            }
            if (batch.len() as u64) < BATCH {
                break;
            }
        }
        // Entries deleted from the end show up against the head row.
        let (head_sequence, head_hash) = chain_head(
            db.reader(),
            "SELECT sequence, hash FROM chain_heads WHERE name = 'audit'",
        )
        .await?;
        if head_sequence > expected_sequence - 1 && seen_head != Some(head_sequence) {
            seen_head = Some(head_sequence);
            continue 'rounds;
        }
        if head_sequence != expected_sequence - 1 || head_hash != expected_previous {
            return Ok(Verification {
                entries_checked: checked,
                first_broken: Some((
                    expected_sequence,
                    format!(
                        "the trail ends at entry {} but {head_sequence} were written",
                        expected_sequence - 1
                    ),
                )),
            });
        }
        return Ok(Verification {
            entries_checked: checked,
            first_broken: None,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_entries_are_bounded() {
        let entry = NewEntry {
            actor: "a".repeat(10_000),
            method: "/m".into(),
            resource: "r".repeat(10_000),
            code: 3,
            message: "ư".repeat(1_000_000),
            reason: "x".repeat(5_000),
            request_id: "q".repeat(5_000),
        }
        .bounded();
        assert_eq!(entry.message.chars().count(), MAX_TEXT_CHARS + 1);
        assert!(entry.message.ends_with('…'));
        assert_eq!(entry.reason.chars().count(), MAX_TEXT_CHARS + 1);
        assert!(entry.actor.len() <= MAX_NAME_CHARS + 3);
        assert!(entry.resource.len() <= MAX_NAME_CHARS + 3);
        assert!(entry.request_id.len() <= MAX_NAME_CHARS + 3);
        assert_eq!(entry.method, "/m");
    }

    #[test]
    fn hash_covers_every_field() {
        let base = NewEntry {
            actor: "users/1".into(),
            method: "/m".into(),
            resource: "units/1".into(),
            code: 0,
            message: String::new(),
            reason: "Quyết định 123".into(),
            request_id: "r".into(),
        };
        let h = entry_hash(1, 10, &base, GENESIS_HASH);
        let mut changed = base.clone();
        changed.reason = "Quyết định 124".into();
        assert_ne!(h, entry_hash(1, 10, &changed, GENESIS_HASH));
        assert_ne!(h, entry_hash(2, 10, &base, GENESIS_HASH));
        assert_ne!(h, entry_hash(1, 11, &base, GENESIS_HASH));
        // Moving text between adjacent fields changes the hash too.
        let mut shifted = base.clone();
        shifted.actor = "users/1/m".into();
        shifted.method = String::new();
        assert_ne!(h, entry_hash(1, 10, &shifted, GENESIS_HASH));
    }
}
