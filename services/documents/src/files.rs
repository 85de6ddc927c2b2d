//! Files of draft revisions and open records: streamed in and out in chunks,
//! stored once by SHA-256, checked against it on every read.

use bytes::Bytes;
use chrono::Utc;
use eiso_blobs::BlobError;
use eiso_platform::aip::{names, text};
use eiso_platform::{CallContext, NewEvent, ServiceError, ServiceResult, Violations};
use eiso_proto::eiso::documents::v1::{DeleteFileRequest, File, UploadFileHeader};
use futures::{Stream, StreamExt};
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, Query};

use crate::revisions::ensure_editable;
use crate::rows::{FILE_COLUMNS, FileRow, get_document, get_record, get_revision, parse_revision_name};
use crate::{Documents, blob_claims};

/// What a file hangs on.
enum Parent {
    Revision { document_id: String, number: i32 },
    Record { id: String },
}

fn parse_parent(name: &str, field: &str) -> ServiceResult<Parent> {
    if name.starts_with("records/") {
        Ok(Parent::Record {
            id: names::parse(name, "records", field)?,
        })
    } else {
        let (document_id, number) = parse_revision_name(name, field)?;
        Ok(Parent::Revision { document_id, number })
    }
}

/// Splits `…/files/{id}` into the parent and the file id.
fn parse_file_name(name: &str) -> ServiceResult<(Parent, String, String)> {
    let bad = || {
        ServiceError::invalid(
            "name",
            "expected `documents/{id}/revisions/{n}/files/{id}` or `records/{id}/files/{id}`",
        )
    };
    let (parent, id) = name.rsplit_once("/files/").ok_or_else(bad)?;
    if !names::valid_id(id) {
        return Err(bad());
    }
    Ok((parse_parent(parent, "name")?, parent.to_string(), id.to_string()))
}

pub fn blob_error(error: BlobError) -> ServiceError {
    match error {
        BlobError::TooLarge { .. } => ServiceError::ResourceExhausted(error.to_string()),
        BlobError::Corrupt { .. } => ServiceError::DataLoss(error.to_string()),
        BlobError::InvalidDigest => ServiceError::invalid("expected_sha256", error.to_string()),
        BlobError::Interrupted(_) => ServiceError::Aborted(format!("the upload was interrupted: {error}")),
        BlobError::NotFound { .. } => ServiceError::DataLoss(format!("stored content is missing: {error}")),
        other => ServiceError::Unavailable(other.to_string()),
    }
}

impl Documents {
    /// Deletes stored content that no live file refers to and that is older than
    /// `older_than`: content stored by an upload cut off before its file was
    /// recorded, and content destroyed with its record. Safe while uploads run,
    /// on this replica or another sharing the store and the database: each
    /// digest is taken against the uploads' holds before it is deleted
    /// ([`blob_claims`]). Returns how many were deleted.
    pub async fn sweep_unreferenced_content(&self, older_than: std::time::Duration) -> ServiceResult<usize> {
        let db = self.journal.db();
        blob_claims::drop_expired(db).await?;
        let keep = self.referenced_content(None).await?;
        let candidates = self.blobs.unreferenced(&keep, older_than).await.map_err(blob_error)?;
        let mut removed = 0;
        for digest in candidates {
            if !blob_claims::take_for_sweep(db, &digest).await? {
                continue;
            }
            // Taken: no upload can reuse it now. One may have recorded a file
            // on it since the listing.
            let outcome = async {
                if self.referenced_content(Some(&digest)).await?.is_empty() {
                    self.blobs.delete(&digest).await.map_err(blob_error)
                } else {
                    Ok(false)
                }
            }
            .await;
            blob_claims::give_back(db, &digest).await?;
            if outcome? {
                removed += 1;
            }
        }
        Ok(removed)
    }

    /// The digests live files refer to: all, or whether `digest` is one.
    async fn referenced_content(&self, digest: Option<&str>) -> ServiceResult<std::collections::HashSet<String>> {
        let mut query = Query::select();
        query
            .distinct()
            .column("sha256")
            .from("files")
            .and_where(Expr::col("destroyed").eq(false));
        if let Some(digest) = digest {
            query.and_where(Expr::col("sha256").eq(digest));
        }
        // A new read: it sees every file committed before it began.
        let rows = self.journal.db().reader().query_all(&query).await?;
        let mut keep = std::collections::HashSet::with_capacity(rows.len());
        for row in rows {
            keep.insert(row.try_get::<String>("", "sha256")?);
        }
        Ok(keep)
    }

    /// FAILED_PRECONDITION unless files may be added to or removed from `parent` by the caller.
    async fn ensure_parent_writable(
        &self,
        db: &impl ConnectionTrait,
        ctx: &CallContext,
        parent: &Parent,
        name: &str,
    ) -> ServiceResult<()> {
        match parent {
            Parent::Revision { document_id, number } => {
                let document = get_document(db, document_id).await?;
                self.ensure_access(ctx, &document).await?;
                let revision = get_revision(db, document_id, *number).await?;
                ensure_editable(&revision, &ctx.principal)
            }
            Parent::Record { id } => {
                let record = get_record(db, id).await?;
                self.ensure_record_access(ctx, &record).await?;
                if !record.is_open() {
                    return Err(ServiceError::precondition(
                        "RECORD_CLOSED",
                        name,
                        format!("{name} is closed: its files no longer change"),
                    ));
                }
                Ok(())
            }
        }
    }

    /// Stores an upload and attaches it to its parent. The content is stored
    /// before the transaction; if anything fails after, the content stays
    /// unreferenced (invisible) and no file appears.
    pub async fn upload<S, E>(&self, ctx: &CallContext, header: UploadFileHeader, chunks: S) -> ServiceResult<File>
    where
        S: Stream<Item = Result<Bytes, E>> + Send,
        E: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let mut violations = Violations::new();
        let file_name = text::file_name(&mut violations, "header.file_name", &header.file_name);
        let content_type = match header.content_type.trim() {
            "" => "application/octet-stream".to_string(),
            value if value.len() <= 100 && value.contains('/') && value.is_ascii() => value.to_string(),
            _ => {
                violations.add("header.content_type", "is not a MIME type");
                String::new()
            }
        };
        if !header.expected_sha256.is_empty() && !eiso_blobs::valid_digest(&header.expected_sha256) {
            violations.add("header.expected_sha256", "must be 64 lowercase hex digits");
        }
        violations.check()?;
        let parent = parse_parent(&header.parent, "header.parent")?;
        self.ensure_parent_writable(self.journal.db().reader(), ctx, &parent, &header.parent)
            .await?;

        // Held from before the content is visible until its file row is
        // committed: a replica's sweep leaves it alone meanwhile.
        let db = self.journal.db();
        let claimant = names::new_id();
        let stored = self
            .blobs
            .put_claimed(chunks, self.limits.max_file_bytes, async |digest: &str| {
                blob_claims::hold(db, digest, &claimant).await
            })
            .await
            .map_err(blob_error)?;
        let recorded = self
            .record_file(ctx, &header, &parent, file_name, content_type, &stored)
            .await;
        if let Err(error) = blob_claims::let_go(db, &stored.digest, &claimant).await {
            tracing::warn!(%error, "cannot let go of an upload's hold; it expires by itself");
        }
        recorded
    }

    /// Records the stored content as a file of its parent.
    async fn record_file(
        &self,
        ctx: &CallContext,
        header: &UploadFileHeader,
        parent: &Parent,
        file_name: String,
        content_type: String,
        stored: &eiso_blobs::BlobRef,
    ) -> ServiceResult<File> {
        if !header.expected_sha256.is_empty() && header.expected_sha256 != stored.digest {
            return Err(ServiceError::invalid(
                "header.expected_sha256",
                format!(
                    "the content received has SHA-256 {}, not the one expected",
                    stored.digest
                ),
            ));
        }

        let mut tx = self.journal.begin(ctx).await?;
        // Checked again: the parent may have changed during the upload.
        self.ensure_parent_writable(tx.txn(), ctx, parent, &header.parent)
            .await?;
        let row = FileRow {
            id: names::new_id(),
            parent: header.parent.clone(),
            file_name,
            content_type,
            size: stored.size as i64,
            sha256: stored.digest.clone(),
            destroyed: false,
            create_time: Utc::now(),
        };
        row.insert(tx.txn()).await?;
        let file = row.to_proto();
        tx.event(NewEvent::with("documents.file.added", &file.name, &file));
        tx.commit().await?;
        Ok(file)
    }

    pub async fn delete_file(&self, ctx: &CallContext, request: DeleteFileRequest) -> ServiceResult<()> {
        let (parent, parent_name, id) = parse_file_name(&request.name)?;
        let mut tx = self.journal.begin(ctx).await?;
        self.ensure_parent_writable(tx.txn(), ctx, &parent, &parent_name)
            .await?;
        let deleted = tx
            .txn()
            .execute(
                Query::delete()
                    .from_table("files")
                    .and_where(Expr::col("id").eq(id))
                    .and_where(Expr::col("parent").eq(parent_name)),
            )
            .await?;
        if deleted.rows_affected() != 1 {
            return Err(ServiceError::NotFound(request.name));
        }
        tx.event(NewEvent {
            event_type: "documents.file.removed".into(),
            resource: request.name.clone(),
            payload: None,
        });
        tx.commit().await
    }

    /// The file's description and a stream of its content, checked against
    /// its digest as it is read (a mismatch ends the stream with DATA_LOSS
    /// before the last chunk).
    pub async fn download(
        &self,
        ctx: &CallContext,
        name: &str,
    ) -> ServiceResult<(File, impl Stream<Item = ServiceResult<Bytes>> + Send + use<>)> {
        let (parent, parent_name, id) = parse_file_name(name)?;
        let db = self.journal.db().reader();
        match &parent {
            Parent::Revision { document_id, .. } => {
                let document = get_document(db, document_id).await?;
                self.ensure_readable(&ctx.principal, &document).await?;
            }
            Parent::Record { id } => {
                let record = get_record(db, id).await?;
                self.ensure_record_access(ctx, &record).await?;
            }
        }
        let row = db
            .query_one(
                Query::select()
                    .columns(FILE_COLUMNS)
                    .from("files")
                    .and_where(Expr::col("id").eq(id))
                    .and_where(Expr::col("parent").eq(parent_name)),
            )
            .await?
            .ok_or_else(|| ServiceError::NotFound(name.to_string()))?;
        let row = FileRow::from_row(&row)?;
        if row.destroyed {
            return Err(ServiceError::precondition(
                "FILE_DESTROYED",
                name,
                format!("{name} was destroyed with its record"),
            ));
        }
        let stream = self
            .blobs
            .get(&row.sha256, self.limits.chunk_bytes)
            .await
            .map_err(blob_error)?;
        Ok((row.to_proto(), stream.map(|chunk| chunk.map_err(blob_error))))
    }
}
