//! [`LinkSource`] over gRPC: the documents and procedures services of
//! another eiso process, for a process that hosts plans and quality without
//! them (issue 13).
//!
//! Whose token a call carries: a caller's reads and writes go with the
//! caller's own bearer token ([`Upstream::call_as`]), so that the other side
//! decides what the caller may see or do, exactly as it does in process;
//! the server's own work ([`SYSTEM`], the report scheduler) goes as this
//! process's service identity ([`Upstream::call`]). A caller without a token
//! (a web session, whose calls never reach here in a split process) cannot
//! be answered for: INTERNAL. A record's filer is read from the documents
//! audit trail as the service identity, once the caller's own read of the
//! record has succeeded.

use std::future::Future;
use std::sync::Arc;

use eiso_platform::scope::SYSTEM;
use eiso_platform::{CallContext, ServiceError, ServiceResult};
use eiso_proto::eiso::audit::v1 as audit;
use eiso_proto::eiso::audit::v1::audit_service_client::AuditServiceClient;
use eiso_proto::eiso::documents::v1 as docs;
use eiso_proto::eiso::documents::v1::document_service_client::DocumentServiceClient;
use eiso_proto::eiso::procedures::v1 as procs;
use eiso_proto::eiso::procedures::v1::dossier_service_client::DossierServiceClient;
use eiso_proto::tonic::transport::Channel;
use eiso_proto::tonic::{Request, Response, Status};
use eiso_remote::Upstream;
use eiso_remote::error::from_status;

use super::{LinkSource, ServiceLinks};

/// The largest message read (a document with many revisions' files listed).
const MAX_MESSAGE_BYTES: usize = 64 << 20;
/// The content of an upload is sent in pieces of this size.
const CHUNK_BYTES: usize = 1 << 20;

/// Whose token a call to another process carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caller<'a> {
    /// This process's service identity.
    Service,
    /// The caller's own bearer token.
    Token(&'a str),
}

/// Whose token a call made for `ctx` carries: the caller's own; the service
/// identity's for the server's own work. INTERNAL for a caller without one.
pub fn caller(ctx: &CallContext) -> ServiceResult<Caller<'_>> {
    if ctx.principal.name == SYSTEM {
        return Ok(Caller::Service);
    }
    match &ctx.token {
        Some(token) => Ok(Caller::Token(token.expose())),
        None => Err(ServiceError::Internal(format!(
            "{} called {} without a bearer token, and the documents and procedures services are in another \
             process: there is no token to ask them as the caller",
            ctx.principal.name, ctx.method
        ))),
    }
}

/// Calls `method` on `upstream` as `caller`, its status back as the error it
/// stands for.
pub async fn call<Req, Res, F, Fut>(
    upstream: &Upstream,
    caller: Caller<'_>,
    method: &str,
    request: Req,
    send: F,
) -> ServiceResult<Res>
where
    Req: Clone,
    F: Fn(Channel, Request<Req>) -> Fut,
    Fut: Future<Output = Result<Response<Res>, Status>>,
{
    let answer = match caller {
        Caller::Service => upstream.call(method, request, send).await,
        Caller::Token(token) => upstream.call_as(token, method, request, send).await,
    };
    answer.map_err(|status| from_status(&status))
}

fn documents(channel: Channel) -> DocumentServiceClient<Channel> {
    DocumentServiceClient::new(channel).max_decoding_message_size(MAX_MESSAGE_BYTES)
}

/// The documents and procedures services of another process (they may be
/// the same process).
pub struct RemoteLinks {
    pub documents: Arc<Upstream>,
    pub procedures: Arc<Upstream>,
}

impl ServiceLinks<RemoteLinks> {
    pub fn remote(documents: Arc<Upstream>, procedures: Arc<Upstream>) -> Self {
        Self::new(RemoteLinks { documents, procedures })
    }
}

impl RemoteLinks {
    /// One call to the documents service as `ctx`'s caller.
    async fn as_caller<Req, Res, F, Fut>(
        &self,
        ctx: &CallContext,
        method: &str,
        request: Req,
        send: F,
    ) -> ServiceResult<Res>
    where
        Req: Clone,
        F: Fn(Channel, Request<Req>) -> Fut,
        Fut: Future<Output = Result<Response<Res>, Status>>,
    {
        call(&self.documents, caller(ctx)?, method, request, send).await
    }
}

impl LinkSource for RemoteLinks {
    async fn get_document(
        &self,
        ctx: &CallContext,
        request: docs::GetDocumentRequest,
    ) -> ServiceResult<docs::Document> {
        self.as_caller(
            ctx,
            "/eiso.documents.v1.DocumentService/GetDocument",
            request,
            |channel, request| async move { documents(channel).get_document(request).await },
        )
        .await
    }

    async fn get_revision(
        &self,
        ctx: &CallContext,
        request: docs::GetRevisionRequest,
    ) -> ServiceResult<docs::Revision> {
        self.as_caller(
            ctx,
            "/eiso.documents.v1.DocumentService/GetRevision",
            request,
            |channel, request| async move { documents(channel).get_revision(request).await },
        )
        .await
    }

    async fn list_revisions(
        &self,
        ctx: &CallContext,
        request: docs::ListRevisionsRequest,
    ) -> ServiceResult<docs::ListRevisionsResponse> {
        self.as_caller(
            ctx,
            "/eiso.documents.v1.DocumentService/ListRevisions",
            request,
            |channel, request| async move { documents(channel).list_revisions(request).await },
        )
        .await
    }

    async fn get_record(&self, ctx: &CallContext, request: docs::GetRecordRequest) -> ServiceResult<docs::Record> {
        self.as_caller(
            ctx,
            "/eiso.documents.v1.DocumentService/GetRecord",
            request,
            |channel, request| async move { documents(channel).get_record(request).await },
        )
        .await
    }

    async fn record_filer(&self, _ctx: &CallContext, record: &docs::Record) -> ServiceResult<Option<String>> {
        // The caller has read the record; who filed it is in the trail,
        // which only an auditor may list: asked as the service identity.
        let request = audit::ListAuditEntriesRequest {
            parent: "trails/documents".to_string(),
            page_size: 1,
            page_token: String::new(),
            filter: format!("resource = \"{}\" AND code = 0", record.name.replace('"', "")),
            order_by: String::new(),
        };
        let entries = call(
            &self.documents,
            Caller::Service,
            "/eiso.audit.v1.AuditService/ListAuditEntries",
            request,
            |channel, request| async move { AuditServiceClient::new(channel).list_audit_entries(request).await },
        )
        .await?;
        Ok(entries.audit_entries.into_iter().next().map(|entry| entry.actor))
    }

    async fn create_record(
        &self,
        ctx: &CallContext,
        request: docs::CreateRecordRequest,
    ) -> ServiceResult<docs::Record> {
        self.as_caller(
            ctx,
            "/eiso.documents.v1.DocumentService/CreateRecord",
            request,
            |channel, request| async move { documents(channel).create_record(request).await },
        )
        .await
    }

    async fn upload(
        &self,
        ctx: &CallContext,
        header: docs::UploadFileHeader,
        content: Vec<u8>,
    ) -> ServiceResult<docs::File> {
        use docs::upload_file_request::Part;
        let parts: Vec<docs::UploadFileRequest> = std::iter::once(Part::Header(header))
            .chain(content.chunks(CHUNK_BYTES).map(|chunk| Part::Chunk(chunk.to_vec())))
            .map(|part| docs::UploadFileRequest { part: Some(part) })
            .collect();
        self.as_caller(
            ctx,
            "/eiso.documents.v1.DocumentService/UploadFile",
            parts,
            |channel, request: Request<Vec<docs::UploadFileRequest>>| async move {
                documents(channel).upload_file(request.map(futures::stream::iter)).await
            },
        )
        .await
    }

    async fn close_record(&self, ctx: &CallContext, request: docs::CloseRecordRequest) -> ServiceResult<docs::Record> {
        self.as_caller(
            ctx,
            "/eiso.documents.v1.DocumentService/CloseRecord",
            request,
            |channel, request| async move { documents(channel).close_record(request).await },
        )
        .await
    }

    async fn revise_record(
        &self,
        ctx: &CallContext,
        request: docs::ReviseRecordRequest,
    ) -> ServiceResult<docs::Record> {
        self.as_caller(
            ctx,
            "/eiso.documents.v1.DocumentService/ReviseRecord",
            request,
            |channel, request| async move { documents(channel).revise_record(request).await },
        )
        .await
    }

    async fn allocate_issue_number(&self, ctx: &CallContext, unit: &str, year: i32) -> ServiceResult<i64> {
        let request = docs::AllocateIssueNumberRequest {
            unit: unit.to_string(),
            year,
        };
        let issued = self
            .as_caller(
                ctx,
                "/eiso.documents.v1.DocumentService/AllocateIssueNumber",
                request,
                |channel, request| async move { documents(channel).allocate_issue_number(request).await },
            )
            .await?;
        Ok(issued.number)
    }

    async fn get_dossier(&self, ctx: &CallContext, request: procs::GetDossierRequest) -> ServiceResult<procs::Dossier> {
        call(
            &self.procedures,
            caller(ctx)?,
            "/eiso.procedures.v1.DossierService/GetDossier",
            request,
            |channel, request| async move {
                DossierServiceClient::new(channel)
                    .max_decoding_message_size(MAX_MESSAGE_BYTES)
                    .get_dossier(request)
                    .await
            },
        )
        .await
    }
}
