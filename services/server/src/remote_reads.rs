//! [`SearchReads`] over gRPC, for a search replica: the services' event
//! streams (`WatchEvents`) and heads (`EventService`), and the resources the
//! events name, read where `[upstream]` says each service is (its url, or
//! the service's route) as its service identity (an API client bound at the root unit as administrator, to follow
//! the streams, and as leader, to read applicants' data).
//!
//! Reads are retried on UNAVAILABLE within their deadline ([`Upstream`]); a
//! stream that breaks or ends is followed again from the index's cursor by
//! the index's follower.

use std::future::Future;
use std::sync::Arc;

use eiso_platform::ServiceResult;
use eiso_proto::eiso::documents::v1 as docs;
use eiso_proto::eiso::documents::v1::document_service_client::DocumentServiceClient;
use eiso_proto::eiso::event::v1::event_service_client::EventServiceClient;
use eiso_proto::eiso::event::v1::{Event, GetEventStreamRequest};
use eiso_proto::eiso::plans::v1 as plans;
use eiso_proto::eiso::plans::v1::plan_service_client::PlanServiceClient;
use eiso_proto::eiso::procedures::v1 as procs;
use eiso_proto::eiso::procedures::v1::dossier_service_client::DossierServiceClient;
use eiso_proto::eiso::procedures::v1::procedure_service_client::ProcedureServiceClient;
use eiso_proto::eiso::quality::v1 as quality;
use eiso_proto::eiso::quality::v1::quality_service_client::QualityServiceClient;
use eiso_proto::tonic::transport::Channel;
use eiso_proto::tonic::{Request, Response, Status};
use eiso_remote::error::from_status;
use eiso_remote::{Routes, Upstream};
use futures::stream::{self, BoxStream, StreamExt};

use crate::search_reads::{Answer, SearchReads, Stream};

/// The largest message read from upstream (a document with many revisions'
/// files listed, a dossier with its history).
const MAX_MESSAGE_BYTES: usize = 64 << 20;

/// The services at `[upstream]`, read over gRPC.
pub struct RemoteReads {
    /// Unary reads, with the configured deadline.
    routes: Arc<Routes>,
    /// File downloads: the same processes with a deadline long enough for
    /// the largest file the indexer reads.
    files: Arc<Routes>,
}

impl RemoteReads {
    pub fn new(routes: Arc<Routes>, files: Arc<Routes>) -> Self {
        Self { routes, files }
    }

    /// One unary read as the service identity, where `method`'s service is.
    async fn get<Req, Res, F, Fut>(&self, method: &str, request: Req, send: F) -> ServiceResult<Res>
    where
        Req: Clone,
        F: Fn(Channel, Request<Req>) -> Fut,
        Fut: Future<Output = Result<Response<Res>, Status>>,
    {
        self.routes
            .for_method(method)
            .call(method, request, send)
            .await
            .map_err(|status| from_status(&status))
    }
}

/// Opens `stream`'s `WatchEvents` after `after_sequence` as the service
/// identity (no deadline: the stream lasts).
async fn open_stream(
    upstream: Arc<Upstream>,
    stream: Stream,
    after_sequence: i64,
) -> Result<BoxStream<'static, Result<Option<Event>, Status>>, Status> {
    let authorization = upstream.service_authorization().await?;
    let channel = upstream.channel();
    macro_rules! watch {
        ($client:ident, $package:ident) => {{
            let mut request = Request::new($package::WatchEventsRequest { after_sequence });
            request.metadata_mut().insert("authorization", authorization);
            $client::new(channel)
                .max_decoding_message_size(MAX_MESSAGE_BYTES)
                .watch_events(request)
                .await?
                .into_inner()
                .map(|answer| answer.map(|answer| answer.event))
                .boxed()
        }};
    }
    Ok(match stream {
        Stream::Documents => watch!(DocumentServiceClient, docs),
        Stream::Procedures => watch!(ProcedureServiceClient, procs),
        Stream::Plans => watch!(PlanServiceClient, plans),
        Stream::Quality => watch!(QualityServiceClient, quality),
    })
}

impl SearchReads for RemoteReads {
    fn watch(&self, stream: Stream, after_sequence: i64) -> BoxStream<'static, ServiceResult<Event>> {
        let upstream = self.routes.to(stream.name());
        stream::once(open_stream(upstream, stream, after_sequence))
            .flat_map(|opened| match opened {
                Ok(events) => events.boxed(),
                Err(status) => stream::once(async move { Err(status) }).boxed(),
            })
            .filter_map(|answer| async move {
                match answer {
                    Ok(event) => event.map(Ok),
                    Err(status) => Some(Err(from_status(&status))),
                }
            })
            .boxed()
    }

    fn head(&self, stream: Stream) -> Answer<'_, i64> {
        Box::pin(async move {
            let request = GetEventStreamRequest {
                name: format!("eventStreams/{}", stream.name()),
            };
            // Asked where the stream's service is (any process would pass it on).
            let stream = self
                .routes
                .to(stream.name())
                .call(
                    "/eiso.event.v1.EventService/GetEventStream",
                    request,
                    |channel, request| async move { EventServiceClient::new(channel).get_event_stream(request).await },
                )
                .await
                .map_err(|status| from_status(&status))?;
            Ok(stream.head_sequence)
        })
    }

    fn document<'a>(&'a self, name: &'a str) -> Answer<'a, docs::Document> {
        let request = docs::GetDocumentRequest {
            name: name.to_string(),
            as_of_time: None,
        };
        Box::pin(self.get(
            "/eiso.documents.v1.DocumentService/GetDocument",
            request,
            |channel, request| async move {
                DocumentServiceClient::new(channel)
                    .max_decoding_message_size(MAX_MESSAGE_BYTES)
                    .get_document(request)
                    .await
            },
        ))
    }

    fn revision<'a>(&'a self, name: &'a str) -> Answer<'a, docs::Revision> {
        let request = docs::GetRevisionRequest { name: name.to_string() };
        Box::pin(self.get(
            "/eiso.documents.v1.DocumentService/GetRevision",
            request,
            |channel, request| async move {
                DocumentServiceClient::new(channel)
                    .max_decoding_message_size(MAX_MESSAGE_BYTES)
                    .get_revision(request)
                    .await
            },
        ))
    }

    fn record<'a>(&'a self, name: &'a str) -> Answer<'a, docs::Record> {
        let request = docs::GetRecordRequest { name: name.to_string() };
        Box::pin(self.get(
            "/eiso.documents.v1.DocumentService/GetRecord",
            request,
            |channel, request| async move {
                DocumentServiceClient::new(channel)
                    .max_decoding_message_size(MAX_MESSAGE_BYTES)
                    .get_record(request)
                    .await
            },
        ))
    }

    fn file_content<'a>(&'a self, name: &'a str) -> Answer<'a, Vec<u8>> {
        Box::pin(async move {
            let request = docs::DownloadFileRequest { name: name.to_string() };
            let mut parts = self
                .files
                .to("documents")
                .call(
                    "/eiso.documents.v1.DocumentService/DownloadFile",
                    request,
                    |channel, request| async move { DocumentServiceClient::new(channel).download_file(request).await },
                )
                .await
                .map_err(|status| from_status(&status))?;
            let mut content = Vec::new();
            while let Some(part) = parts.next().await {
                let part = part.map_err(|status| from_status(&status))?;
                if let Some(docs::download_file_response::Part::Chunk(chunk)) = part.part {
                    content.extend_from_slice(&chunk);
                }
            }
            Ok(content)
        })
    }

    fn procedure<'a>(&'a self, name: &'a str) -> Answer<'a, procs::Procedure> {
        let request = procs::GetProcedureRequest { name: name.to_string() };
        Box::pin(self.get(
            "/eiso.procedures.v1.ProcedureService/GetProcedure",
            request,
            |channel, request| async move {
                ProcedureServiceClient::new(channel)
                    .max_decoding_message_size(MAX_MESSAGE_BYTES)
                    .get_procedure(request)
                    .await
            },
        ))
    }

    fn dossier<'a>(&'a self, name: &'a str) -> Answer<'a, procs::Dossier> {
        let request = procs::GetDossierRequest { name: name.to_string() };
        Box::pin(self.get(
            "/eiso.procedures.v1.DossierService/GetDossier",
            request,
            |channel, request| async move {
                DossierServiceClient::new(channel)
                    .max_decoding_message_size(MAX_MESSAGE_BYTES)
                    .get_dossier(request)
                    .await
            },
        ))
    }

    fn plan<'a>(&'a self, name: &'a str) -> Answer<'a, plans::Plan> {
        let request = plans::GetPlanRequest { name: name.to_string() };
        Box::pin(self.get(
            "/eiso.plans.v1.PlanService/GetPlan",
            request,
            |channel, request| async move {
                PlanServiceClient::new(channel)
                    .max_decoding_message_size(MAX_MESSAGE_BYTES)
                    .get_plan(request)
                    .await
            },
        ))
    }

    fn audit<'a>(&'a self, name: &'a str) -> Answer<'a, quality::Audit> {
        let request = quality::GetAuditRequest { name: name.to_string() };
        Box::pin(self.get(
            "/eiso.quality.v1.QualityService/GetAudit",
            request,
            |channel, request| async move {
                QualityServiceClient::new(channel)
                    .max_decoding_message_size(MAX_MESSAGE_BYTES)
                    .get_audit(request)
                    .await
            },
        ))
    }

    fn audit_programme<'a>(&'a self, name: &'a str) -> Answer<'a, quality::AuditProgramme> {
        let request = quality::GetAuditProgrammeRequest { name: name.to_string() };
        Box::pin(self.get(
            "/eiso.quality.v1.QualityService/GetAuditProgramme",
            request,
            |channel, request| async move {
                QualityServiceClient::new(channel)
                    .max_decoding_message_size(MAX_MESSAGE_BYTES)
                    .get_audit_programme(request)
                    .await
            },
        ))
    }

    fn diagnostic<'a>(&'a self, name: &'a str) -> Answer<'a, quality::Diagnostic> {
        let request = quality::GetDiagnosticRequest { name: name.to_string() };
        Box::pin(self.get(
            "/eiso.quality.v1.QualityService/GetDiagnostic",
            request,
            |channel, request| async move {
                QualityServiceClient::new(channel)
                    .max_decoding_message_size(MAX_MESSAGE_BYTES)
                    .get_diagnostic(request)
                    .await
            },
        ))
    }
}
