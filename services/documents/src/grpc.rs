//! The tonic adapter: read the call context, call the service, map errors.

use bytes::Bytes;
use eiso_platform::grpc::{BoxStream, GrpcResult as Result, reply};
use eiso_platform::{CallContext, ServiceError};
use eiso_proto::eiso::documents::v1::document_service_server::DocumentService;
use eiso_proto::eiso::documents::v1::*;
use eiso_proto::tonic::{Request, Response, Status, Streaming};
use futures::StreamExt;

use crate::Documents;

eiso_platform::grpc_service! {
    /// `eiso.documents.v1.DocumentService` over [`Documents`].
    pub struct DocumentApi(documents: Documents);

    impl DocumentService for DocumentApi {
        rpc create_document(CreateDocumentRequest) -> Document => call create_document, request_id;
        rpc get_document(GetDocumentRequest) -> Document => call get_document;
        rpc list_documents(ListDocumentsRequest) -> ListDocumentsResponse => call list_documents;
        rpc update_document(UpdateDocumentRequest) -> Document => call update_document;
        rpc obsolete_document(ObsoleteDocumentRequest) -> Document => call obsolete_document;
        rpc list_review_due_documents(ListReviewDueDocumentsRequest) -> ListReviewDueDocumentsResponse
            => call list_review_due;
        rpc record_periodic_review(RecordPeriodicReviewRequest) -> Document => call record_periodic_review;

        rpc create_revision(CreateRevisionRequest) -> Revision => call create_revision, request_id;
        rpc get_revision(GetRevisionRequest) -> Revision => call get_revision;
        rpc list_revisions(ListRevisionsRequest) -> ListRevisionsResponse => call list_revisions;
        rpc update_revision(UpdateRevisionRequest) -> Revision => call update_revision;
        rpc check_out_revision(CheckOutRevisionRequest) -> Revision => call check_out;
        rpc check_in_revision(CheckInRevisionRequest) -> Revision => call check_in;
        rpc submit_revision(SubmitRevisionRequest) -> Revision => call submit;
        rpc approve_revision(ApproveRevisionRequest) -> Revision => call approve;
        rpc reject_revision(RejectRevisionRequest) -> Revision => call reject;
        rpc publish_revision(PublishRevisionRequest) -> Revision => call publish;
        rpc acknowledge_revision(AcknowledgeRevisionRequest) -> Acknowledgement => call acknowledge;
        rpc list_acknowledgements(ListAcknowledgementsRequest) -> ListAcknowledgementsResponse
            => call list_acknowledgements;

        rpc create_record(CreateRecordRequest) -> Record => call create_record, request_id;
        rpc get_record(GetRecordRequest) -> Record => call get_record;
        rpc list_records(ListRecordsRequest) -> ListRecordsResponse => call list_records;
        rpc close_record(CloseRecordRequest) -> Record => call close_record;
        rpc revise_record(ReviseRecordRequest) -> Record => call revise_record;
        rpc list_records_due_for_disposition(ListRecordsDueForDispositionRequest)
            -> ListRecordsDueForDispositionResponse
            => call list_due_for_disposition;
        rpc dispose_record(DisposeRecordRequest) -> Record => call dispose_record;
        rpc allocate_issue_number(AllocateIssueNumberRequest) -> IssueNumber => call allocate_issue_number;
        stream watch_events(WatchEventsRequest) -> WatchEventsResponse => events;

        // Files: the content travels as a stream; deleting answers an empty message.

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
    }
}
