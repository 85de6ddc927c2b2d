//! Evidence links, audit subjects and record filing for plans and quality,
//! answered by the documents and procedures services: in process through
//! their public library APIs ([`InProcessLinks`]), or over gRPC from the
//! process that hosts them ([`remote::RemoteLinks`]). What the answers are
//! made of (which reads, in which order, what a subject's contributors are,
//! how a record is filed or revised) is [`ServiceLinks`], once for both.

pub mod remote;

use std::future::Future;

use eiso_documents::Documents;
use eiso_platform::links::{Answer, Contribution, LinkedResource, RecordToFile, ResourceLinks, Subject};
use eiso_platform::{CallContext, ServiceError, ServiceResult};
use eiso_procedures::Procedures;
use eiso_proto::eiso::documents::v1 as docs;
use eiso_proto::eiso::procedures::v1 as procs;

pub use remote::RemoteLinks;

/// What [`ServiceLinks`] asks of the documents and procedures services, each
/// as `ctx`'s caller (a caller's read sees what that caller may see; a write
/// is checked and recorded as that caller's).
pub trait LinkSource: Send + Sync + 'static {
    fn get_document(
        &self,
        ctx: &CallContext,
        request: docs::GetDocumentRequest,
    ) -> impl Future<Output = ServiceResult<docs::Document>> + Send;

    fn get_revision(
        &self,
        ctx: &CallContext,
        request: docs::GetRevisionRequest,
    ) -> impl Future<Output = ServiceResult<docs::Revision>> + Send;

    fn list_revisions(
        &self,
        ctx: &CallContext,
        request: docs::ListRevisionsRequest,
    ) -> impl Future<Output = ServiceResult<docs::ListRevisionsResponse>> + Send;

    fn get_record(
        &self,
        ctx: &CallContext,
        request: docs::GetRecordRequest,
    ) -> impl Future<Output = ServiceResult<docs::Record>> + Send;

    /// Who filed `record`, which `ctx`'s caller has just read with
    /// [`Self::get_record`] (so may see): the actor of its creation in the
    /// documents audit trail; `None` when the trail has none.
    fn record_filer(
        &self,
        ctx: &CallContext,
        record: &docs::Record,
    ) -> impl Future<Output = ServiceResult<Option<String>>> + Send;

    fn create_record(
        &self,
        ctx: &CallContext,
        request: docs::CreateRecordRequest,
    ) -> impl Future<Output = ServiceResult<docs::Record>> + Send;

    /// Uploads `content` as one file under `header.parent`.
    fn upload(
        &self,
        ctx: &CallContext,
        header: docs::UploadFileHeader,
        content: Vec<u8>,
    ) -> impl Future<Output = ServiceResult<docs::File>> + Send;

    fn close_record(
        &self,
        ctx: &CallContext,
        request: docs::CloseRecordRequest,
    ) -> impl Future<Output = ServiceResult<docs::Record>> + Send;

    fn revise_record(
        &self,
        ctx: &CallContext,
        request: docs::ReviseRecordRequest,
    ) -> impl Future<Output = ServiceResult<docs::Record>> + Send;

    /// The next number in `unit`'s register of issued documents for `year`.
    fn allocate_issue_number(
        &self,
        ctx: &CallContext,
        unit: &str,
        year: i32,
    ) -> impl Future<Output = ServiceResult<i64>> + Send;

    fn get_dossier(
        &self,
        ctx: &CallContext,
        request: procs::GetDossierRequest,
    ) -> impl Future<Output = ServiceResult<procs::Dossier>> + Send;
}

/// The documents and procedures services of this process, through their
/// public library APIs.
pub struct InProcessLinks {
    pub documents: Documents,
    pub procedures: Procedures,
}

impl LinkSource for InProcessLinks {
    async fn get_document(
        &self,
        ctx: &CallContext,
        request: docs::GetDocumentRequest,
    ) -> ServiceResult<docs::Document> {
        self.documents.get_document(ctx, request).await
    }

    async fn get_revision(
        &self,
        ctx: &CallContext,
        request: docs::GetRevisionRequest,
    ) -> ServiceResult<docs::Revision> {
        self.documents.get_revision(ctx, request).await
    }

    async fn list_revisions(
        &self,
        ctx: &CallContext,
        request: docs::ListRevisionsRequest,
    ) -> ServiceResult<docs::ListRevisionsResponse> {
        self.documents.list_revisions(ctx, request).await
    }

    async fn get_record(&self, ctx: &CallContext, request: docs::GetRecordRequest) -> ServiceResult<docs::Record> {
        self.documents.get_record(ctx, request).await
    }

    async fn record_filer(&self, ctx: &CallContext, record: &docs::Record) -> ServiceResult<Option<String>> {
        self.documents.record_filer(ctx, &record.name).await
    }

    async fn create_record(
        &self,
        ctx: &CallContext,
        request: docs::CreateRecordRequest,
    ) -> ServiceResult<docs::Record> {
        self.documents.create_record(ctx, request).await
    }

    async fn upload(
        &self,
        ctx: &CallContext,
        header: docs::UploadFileHeader,
        content: Vec<u8>,
    ) -> ServiceResult<docs::File> {
        let chunks = futures::stream::iter([Ok::<_, std::io::Error>(bytes::Bytes::from(content))]);
        self.documents.upload(ctx, header, chunks).await
    }

    async fn close_record(&self, ctx: &CallContext, request: docs::CloseRecordRequest) -> ServiceResult<docs::Record> {
        self.documents.close_record(ctx, request).await
    }

    async fn revise_record(
        &self,
        ctx: &CallContext,
        request: docs::ReviseRecordRequest,
    ) -> ServiceResult<docs::Record> {
        self.documents.revise_record(ctx, request).await
    }

    async fn allocate_issue_number(&self, ctx: &CallContext, unit: &str, year: i32) -> ServiceResult<i64> {
        self.documents.next_issue_number(ctx, unit, year).await
    }

    async fn get_dossier(&self, ctx: &CallContext, request: procs::GetDossierRequest) -> ServiceResult<procs::Dossier> {
        self.procedures.get_dossier(ctx, request).await
    }
}

/// [`ResourceLinks`] over a [`LinkSource`]: [`ServiceLinks::in_process`] in
/// a process hosting documents and procedures, [`ServiceLinks::remote`] in
/// one that calls them over gRPC.
pub struct ServiceLinks<S> {
    source: S,
}

impl ServiceLinks<InProcessLinks> {
    pub fn in_process(documents: Documents, procedures: Procedures) -> Self {
        Self {
            source: InProcessLinks { documents, procedures },
        }
    }
}

impl<S: LinkSource> ServiceLinks<S> {
    /// Links answered by `source`.
    pub fn new(source: S) -> Self {
        Self { source }
    }

    pub fn source(&self) -> &S {
        &self.source
    }
}

/// A lookup that failed for any reason other than an outage is reported as
/// "does not exist" on the caller's field: existence of what the caller may
/// not see is not disclosed.
fn missing(field: &str, name: &str, error: ServiceError) -> ServiceError {
    match error {
        ServiceError::Unavailable(_) | ServiceError::Internal(_) | ServiceError::DataLoss(_) => error,
        _ => ServiceError::invalid(field, format!("{name} does not exist or is not visible to you")),
    }
}

impl<S: LinkSource> ServiceLinks<S> {
    /// The document `document`, read for the link `name` in `field`
    /// (INVALID_ARGUMENT when it cannot be read: [`missing`]).
    async fn linked_document(
        &self,
        reader: &CallContext,
        document: String,
        field: &str,
        name: &str,
    ) -> ServiceResult<docs::Document> {
        let request = docs::GetDocumentRequest {
            name: document,
            as_of_time: None,
        };
        self.source
            .get_document(reader, request)
            .await
            .map_err(|e| missing(field, name, e))
    }

    /// The record `name`, read for the link in `field` (as [`Self::linked_document`]).
    async fn linked_record(&self, reader: &CallContext, field: &str, name: &str) -> ServiceResult<docs::Record> {
        let request = docs::GetRecordRequest { name: name.to_string() };
        self.source
            .get_record(reader, request)
            .await
            .map_err(|e| missing(field, name, e))
    }

    async fn resolve_inner(&self, ctx: &CallContext, name: &str, field: &str) -> ServiceResult<LinkedResource> {
        // A link shows what the caller may read of its target, whatever the
        // caller is doing when it asks.
        let documents = &ctx.as_method("/eiso.documents.v1.DocumentService/GetDocument");
        let dossiers = &ctx.as_method("/eiso.procedures.v1.DossierService/GetDossier");
        let parts: Vec<&str> = name.split('/').collect();
        let linked = |kind: &str, title: String| LinkedResource {
            name: name.to_string(),
            kind: kind.to_string(),
            title,
        };
        match parts.as_slice() {
            ["documents", _] => {
                let document = self.linked_document(documents, name.to_string(), field, name).await?;
                Ok(linked("document", format!("{} {}", document.code, document.title)))
            }
            ["documents", id, "revisions", number] => {
                let document = self
                    .linked_document(documents, format!("documents/{id}"), field, name)
                    .await?;
                self.source
                    .get_revision(documents, docs::GetRevisionRequest { name: name.to_string() })
                    .await
                    .map_err(|e| missing(field, name, e))?;
                Ok(linked(
                    "revision",
                    format!("{} {} (lần ban hành {number})", document.code, document.title),
                ))
            }
            ["records", _] => {
                let record = self.linked_record(documents, field, name).await?;
                Ok(linked("record", record.title))
            }
            ["dossiers", _] => {
                let dossier = self
                    .source
                    .get_dossier(dossiers, procs::GetDossierRequest { name: name.to_string() })
                    .await
                    .map_err(|e| missing(field, name, e))?;
                Ok(linked("dossier", dossier.code))
            }
            _ => Err(ServiceError::invalid(
                field,
                "must be `documents/{id}`, `documents/{id}/revisions/{n}`, `records/{id}` or `dossiers/{id}`",
            )),
        }
    }

    async fn subject_inner(&self, ctx: &CallContext, name: &str, field: &str) -> ServiceResult<Subject> {
        let reader = &ctx.as_method("/eiso.documents.v1.DocumentService/GetDocument");
        let parts: Vec<&str> = name.split('/').collect();
        match parts.as_slice() {
            ["documents", _] => {
                let document = self.linked_document(reader, name.to_string(), field, name).await?;
                let mut revisions = Vec::new();
                let mut page_token = String::new();
                loop {
                    let page = self
                        .source
                        .list_revisions(
                            reader,
                            docs::ListRevisionsRequest {
                                parent: name.to_string(),
                                page_size: 1000,
                                page_token,
                                filter: String::new(),
                            },
                        )
                        .await
                        .map_err(|e| missing(field, name, e))?;
                    revisions.extend(page.revisions);
                    if page.next_page_token.is_empty() {
                        break;
                    }
                    page_token = page.next_page_token;
                }
                revisions.sort_by_key(|r| r.number);
                let mut contributors: Vec<(String, Contribution)> = revisions
                    .iter()
                    .map(|r| (r.author.clone(), Contribution::Authored(r.number)))
                    .collect();
                // The reviews of the effective revision's last round: the
                // round that approved it.
                if let Some(effective) = &document.revision {
                    contributors.extend(
                        effective
                            .reviews
                            .iter()
                            .filter(|r| r.decision == docs::review::Decision::Approved as i32)
                            .map(|r| (r.reviewer.clone(), Contribution::Approved(effective.number))),
                    );
                }
                Ok(Subject {
                    name: name.to_string(),
                    kind: "document".into(),
                    owner_unit: document.owner_unit,
                    contributors,
                })
            }
            ["records", _] => {
                let record = self.linked_record(reader, field, name).await?;
                let filer = self
                    .source
                    .record_filer(reader, &record)
                    .await
                    .map_err(|e| missing(field, name, e))?;
                let contributors = filer
                    .map(|filer| (filer, Contribution::Filed))
                    .into_iter()
                    .chain(
                        record
                            .revisions
                            .iter()
                            .map(|r| (r.actor.clone(), Contribution::Revised(r.revision))),
                    )
                    .collect();
                Ok(Subject {
                    name: name.to_string(),
                    kind: "record".into(),
                    owner_unit: record.owner_unit,
                    contributors,
                })
            }
            _ => Err(ServiceError::invalid(
                field,
                "must be `documents/{id}` or `records/{id}`",
            )),
        }
    }

    async fn file_inner(&self, ctx: &CallContext, record: RecordToFile) -> ServiceResult<String> {
        let mut create_ctx = ctx.clone();
        create_ctx.request_id = record.request_id.clone();
        let created = self
            .source
            .create_record(
                &create_ctx,
                docs::CreateRecordRequest {
                    record: Some(docs::Record {
                        title: record.title,
                        owner_unit: record.owner_unit,
                        retention_months: record.retention_months,
                        disposition: docs::Disposition::Keep as i32,
                        ..Default::default()
                    }),
                    request_id: record.request_id,
                },
            )
            .await?;
        // A retry is answered with the record as the first attempt created
        // it: read it as it is now, attach only what is not there yet, and
        // close it once.
        let current = self
            .source
            .get_record(ctx, docs::GetRecordRequest { name: created.name })
            .await?;
        if current.state == docs::record::State::Open as i32 {
            self.attach_and_close(ctx, &current, record.files).await?;
        }
        Ok(current.name)
    }

    /// Uploads the files `record` lacks by name, then closes it.
    async fn attach_and_close(
        &self,
        ctx: &CallContext,
        record: &docs::Record,
        files: Vec<(String, String, Vec<u8>)>,
    ) -> ServiceResult<docs::Record> {
        let mut file_ctx = ctx.clone();
        file_ctx.request_id = String::new();
        let current: Vec<&str> = match record.revisions.last() {
            // In a revision, only its own files count as there.
            Some(revision) => record
                .files
                .iter()
                .filter(|f| revision.files.contains(&f.name))
                .map(|f| f.file_name.as_str())
                .collect(),
            None => record.files.iter().map(|f| f.file_name.as_str()).collect(),
        };
        for (file_name, content_type, content) in files {
            if current.contains(&file_name.as_str()) {
                continue;
            }
            self.source
                .upload(
                    &file_ctx,
                    docs::UploadFileHeader {
                        parent: record.name.clone(),
                        file_name,
                        content_type,
                        expected_sha256: String::new(),
                    },
                    content,
                )
                .await?;
        }
        self.source
            .close_record(
                &file_ctx,
                docs::CloseRecordRequest {
                    name: record.name.clone(),
                    etag: String::new(),
                },
            )
            .await
    }

    async fn revise_inner(
        &self,
        ctx: &CallContext,
        record: &str,
        revision: i32,
        reason: &str,
        files: Vec<(String, String, Vec<u8>)>,
    ) -> ServiceResult<()> {
        let current = self
            .source
            .get_record(
                ctx,
                docs::GetRecordRequest {
                    name: record.to_string(),
                },
            )
            .await?;
        let open = current.state == docs::record::State::Open as i32;
        let revised = match current.revision {
            // Made already, by an earlier attempt or by another caller.
            at if at == revision && !open => return Ok(()),
            // An attempt cut off after opening the revision is finished, not
            // opened again.
            at if at == revision && !current.revisions.is_empty() => current,
            at if at == revision - 1 && !open => {
                // Over the record as read: of two callers at once, one opens it.
                self.source
                    .revise_record(
                        ctx,
                        docs::ReviseRecordRequest {
                            name: record.to_string(),
                            reason: reason.to_string(),
                            etag: current.etag.clone(),
                        },
                    )
                    .await?
            }
            at => {
                return Err(ServiceError::Aborted(format!(
                    "{record} is at revision {at}, not ready for revision {revision}; read it again"
                )));
            }
        };
        self.attach_and_close(ctx, &revised, files).await?;
        Ok(())
    }
}

impl<S: LinkSource> ResourceLinks for ServiceLinks<S> {
    fn resolve<'a>(&'a self, ctx: &'a CallContext, name: &'a str, field: &'a str) -> Answer<'a, LinkedResource> {
        Box::pin(self.resolve_inner(ctx, name, field))
    }

    fn subject<'a>(&'a self, ctx: &'a CallContext, name: &'a str, field: &'a str) -> Answer<'a, Subject> {
        Box::pin(self.subject_inner(ctx, name, field))
    }

    fn file_record<'a>(&'a self, ctx: &'a CallContext, record: RecordToFile) -> Answer<'a, String> {
        Box::pin(self.file_inner(ctx, record))
    }

    fn revise_record<'a>(
        &'a self,
        ctx: &'a CallContext,
        record: &'a str,
        revision: i32,
        reason: &'a str,
        files: Vec<(String, String, Vec<u8>)>,
    ) -> Answer<'a, ()> {
        Box::pin(self.revise_inner(ctx, record, revision, reason, files))
    }

    fn issue_number<'a>(&'a self, ctx: &'a CallContext, unit: &'a str, year: i32) -> Answer<'a, i64> {
        Box::pin(self.source.allocate_issue_number(ctx, unit, year))
    }
}
