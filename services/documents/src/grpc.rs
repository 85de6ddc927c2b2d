//! The tonic adapter: read the call context, call the service, map errors.

use bytes::Bytes;
use eiso_platform::call;
use eiso_platform::grpc::{BoxStream, GrpcResult as Result, reply, watch};
use eiso_platform::{CallContext, ServiceError};
use eiso_proto::eiso::documents::v1::document_service_server::DocumentService;
use eiso_proto::eiso::documents::v1::*;
use eiso_proto::tonic::{Request, Response, Status, Streaming};
use futures::StreamExt;

use crate::Documents;

/// `eiso.documents.v1.DocumentService` over [`Documents`].
#[derive(Clone)]
pub struct DocumentApi {
    documents: Documents,
}

impl DocumentApi {
    pub fn new(documents: Documents) -> Self {
        Self { documents }
    }
}

#[eiso_proto::tonic::async_trait]
impl DocumentService for DocumentApi {
    async fn create_document(&self, request: Request<CreateDocumentRequest>) -> Result<Document> {
        call!(self.documents, request, create_document, request_id)
    }

    async fn get_document(&self, request: Request<GetDocumentRequest>) -> Result<Document> {
        call!(self.documents, request, get_document)
    }

    async fn list_documents(&self, request: Request<ListDocumentsRequest>) -> Result<ListDocumentsResponse> {
        call!(self.documents, request, list_documents)
    }

    async fn update_document(&self, request: Request<UpdateDocumentRequest>) -> Result<Document> {
        call!(self.documents, request, update_document)
    }

    async fn obsolete_document(&self, request: Request<ObsoleteDocumentRequest>) -> Result<Document> {
        call!(self.documents, request, obsolete_document)
    }

    async fn list_review_due_documents(
        &self,
        request: Request<ListReviewDueDocumentsRequest>,
    ) -> Result<ListReviewDueDocumentsResponse> {
        call!(self.documents, request, list_review_due)
    }

    async fn record_periodic_review(&self, request: Request<RecordPeriodicReviewRequest>) -> Result<Document> {
        call!(self.documents, request, record_periodic_review)
    }

    async fn create_revision(&self, request: Request<CreateRevisionRequest>) -> Result<Revision> {
        call!(self.documents, request, create_revision, request_id)
    }

    async fn get_revision(&self, request: Request<GetRevisionRequest>) -> Result<Revision> {
        call!(self.documents, request, get_revision)
    }

    async fn list_revisions(&self, request: Request<ListRevisionsRequest>) -> Result<ListRevisionsResponse> {
        call!(self.documents, request, list_revisions)
    }

    async fn update_revision(&self, request: Request<UpdateRevisionRequest>) -> Result<Revision> {
        call!(self.documents, request, update_revision)
    }

    async fn check_out_revision(&self, request: Request<CheckOutRevisionRequest>) -> Result<Revision> {
        call!(self.documents, request, check_out)
    }

    async fn check_in_revision(&self, request: Request<CheckInRevisionRequest>) -> Result<Revision> {
        call!(self.documents, request, check_in)
    }

    async fn upload_file(&self, request: Request<Streaming<UploadFileRequest>>) -> Result<File> {
        let ctx = CallContext::from_request(&request)?;
        let mut stream = request.into_inner();
        let header = match stream.message().await? {
            Some(UploadFileRequest {
                part: Some(upload_file_request::Part::Header(header)),
            }) => header,
            _ => {
                return Err(
                    ServiceError::invalid("header", "the first message of an upload must be its header").into(),
                );
            }
        };
        let chunks = stream.map(|message| match message {
            Ok(UploadFileRequest {
                part: Some(upload_file_request::Part::Chunk(chunk)),
            }) => Ok(Bytes::from(chunk)),
            Ok(_) => Err(Status::invalid_argument(
                "a header arrived after the content had started",
            )),
            Err(status) => Err(status),
        });
        reply(self.documents.upload(&ctx, header, chunks).await)
    }

    async fn delete_file(&self, request: Request<DeleteFileRequest>) -> Result<DeleteFileResponse> {
        let ctx = CallContext::from_request(&request)?;
        reply(
            self.documents
                .delete_file(&ctx, request.into_inner())
                .await
                .map(|()| DeleteFileResponse {}),
        )
    }

    type DownloadFileStream = BoxStream<DownloadFileResponse>;

    async fn download_file(&self, request: Request<DownloadFileRequest>) -> Result<Self::DownloadFileStream> {
        let ctx = CallContext::from_request(&request)?;
        let (file, chunks) = self.documents.download(&ctx, &request.into_inner().name).await?;
        let head = futures::stream::once(async move {
            Ok(DownloadFileResponse {
                part: Some(download_file_response::Part::File(file)),
            })
        });
        let body = chunks.map(|chunk| {
            chunk
                .map(|bytes| DownloadFileResponse {
                    part: Some(download_file_response::Part::Chunk(bytes.to_vec())),
                })
                .map_err(Status::from)
        });
        Ok(Response::new(Box::pin(head.chain(body))))
    }

    async fn submit_revision(&self, request: Request<SubmitRevisionRequest>) -> Result<Revision> {
        call!(self.documents, request, submit)
    }

    async fn approve_revision(&self, request: Request<ApproveRevisionRequest>) -> Result<Revision> {
        call!(self.documents, request, approve)
    }

    async fn reject_revision(&self, request: Request<RejectRevisionRequest>) -> Result<Revision> {
        call!(self.documents, request, reject)
    }

    async fn publish_revision(&self, request: Request<PublishRevisionRequest>) -> Result<Revision> {
        call!(self.documents, request, publish)
    }

    async fn acknowledge_revision(&self, request: Request<AcknowledgeRevisionRequest>) -> Result<Acknowledgement> {
        call!(self.documents, request, acknowledge)
    }

    async fn list_acknowledgements(
        &self,
        request: Request<ListAcknowledgementsRequest>,
    ) -> Result<ListAcknowledgementsResponse> {
        call!(self.documents, request, list_acknowledgements)
    }

    async fn create_record(&self, request: Request<CreateRecordRequest>) -> Result<Record> {
        call!(self.documents, request, create_record, request_id)
    }

    async fn get_record(&self, request: Request<GetRecordRequest>) -> Result<Record> {
        call!(self.documents, request, get_record)
    }

    async fn list_records(&self, request: Request<ListRecordsRequest>) -> Result<ListRecordsResponse> {
        call!(self.documents, request, list_records)
    }

    async fn close_record(&self, request: Request<CloseRecordRequest>) -> Result<Record> {
        call!(self.documents, request, close_record)
    }

    async fn list_records_due_for_disposition(
        &self,
        request: Request<ListRecordsDueForDispositionRequest>,
    ) -> Result<ListRecordsDueForDispositionResponse> {
        call!(self.documents, request, list_due_for_disposition)
    }

    async fn dispose_record(&self, request: Request<DisposeRecordRequest>) -> Result<Record> {
        call!(self.documents, request, dispose_record)
    }

    type WatchEventsStream = BoxStream<WatchEventsResponse>;

    async fn watch_events(&self, request: Request<WatchEventsRequest>) -> Result<Self::WatchEventsStream> {
        // The stream carries every unit's changes.
        let ctx = CallContext::from_request(&request)?;
        self.documents.require_root(&ctx).await?;
        watch(self.documents.journal(), request.into_inner().after_sequence, |event| {
            WatchEventsResponse { event: Some(event) }
        })
    }
}
