//! What the search index reads of the other services: their event streams
//! and the current state of the resources the events name, as a principal
//! that sees everything (the index records who may see each item; the search
//! filters by it).
//!
//! [`SearchReads`] is the seam between the index's sources
//! (`search_sources`) and where the services are: [`LocalReads`] calls the
//! services this process hosts through their library API; a search replica
//! in its own process reads the same over gRPC.

use std::future::Future;
use std::pin::Pin;

use chrono::Utc;
use eiso_documents::Documents;
use eiso_plans::Plans;
use eiso_platform::{CallContext, Principal, ServiceResult};
use eiso_procedures::Procedures;
use eiso_proto::eiso::documents::v1 as docs;
use eiso_proto::eiso::event::v1::Event;
use eiso_proto::eiso::identity::v1::Role;
use eiso_proto::eiso::plans::v1 as plans;
use eiso_proto::eiso::procedures::v1 as procs;
use eiso_proto::eiso::quality::v1 as quality;
use eiso_quality::Quality;
use futures::StreamExt;
use futures::stream::BoxStream;

pub type Answer<'a, T> = Pin<Box<dyn Future<Output = ServiceResult<T>> + Send + 'a>>;

/// An event stream the index follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Documents,
    Procedures,
    Plans,
    Quality,
}

impl Stream {
    /// The stream's name, which is its service's (and the index's cursor key).
    pub fn name(self) -> &'static str {
        match self {
            Stream::Documents => eiso_documents::SERVICE_NAME,
            Stream::Procedures => eiso_procedures::SERVICE_NAME,
            Stream::Plans => eiso_plans::SERVICE_NAME,
            Stream::Quality => eiso_quality::SERVICE_NAME,
        }
    }
}

/// The reads the index's sources make. Every read answers as of now;
/// `NotFound` when the resource is gone (the index then deletes its item).
pub trait SearchReads: Send + Sync + 'static {
    /// Events of `stream` after `after_sequence`, then new ones as they are committed.
    fn watch(&self, stream: Stream, after_sequence: i64) -> BoxStream<'static, ServiceResult<Event>>;
    /// The latest sequence of `stream` (0 if empty).
    fn head(&self, stream: Stream) -> Answer<'_, i64>;
    fn document<'a>(&'a self, name: &'a str) -> Answer<'a, docs::Document>;
    fn revision<'a>(&'a self, name: &'a str) -> Answer<'a, docs::Revision>;
    fn record<'a>(&'a self, name: &'a str) -> Answer<'a, docs::Record>;
    /// A file's whole content (the caller has checked its size first).
    fn file_content<'a>(&'a self, name: &'a str) -> Answer<'a, Vec<u8>>;
    fn procedure<'a>(&'a self, name: &'a str) -> Answer<'a, procs::Procedure>;
    /// A dossier with its applicant's personal data.
    fn dossier<'a>(&'a self, name: &'a str) -> Answer<'a, procs::Dossier>;
    fn plan<'a>(&'a self, name: &'a str) -> Answer<'a, plans::Plan>;
    fn audit<'a>(&'a self, name: &'a str) -> Answer<'a, quality::Audit>;
    fn audit_programme<'a>(&'a self, name: &'a str) -> Answer<'a, quality::AuditProgramme>;
    fn diagnostic<'a>(&'a self, name: &'a str) -> Answer<'a, quality::Diagnostic>;
}

/// The services this process hosts, read through their library API.
pub struct LocalReads {
    pub documents: Documents,
    pub procedures: Procedures,
    pub plans: Plans,
    pub quality: Quality,
}

/// Who the indexer reads as in this process.
fn system_context() -> CallContext {
    let now = Utc::now();
    CallContext {
        method: "/eiso.search.v1.SearchService/Index".to_string(),
        principal: Principal {
            // The indexer reads everything; the index filters for each reader.
            name: eiso_platform::scope::SYSTEM.to_string(),
            display_name: "search indexer".to_string(),
            username: String::new(),
            bindings: vec![(Role::Admin, String::new())],
            issue_time: now,
            expire_time: now + chrono::Duration::days(36500),
        },
        reason: String::new(),
        request_id: String::new(),
        token: None,
    }
}

impl LocalReads {
    fn journal(&self, stream: Stream) -> &eiso_platform::Journal {
        match stream {
            Stream::Documents => self.documents.journal(),
            Stream::Procedures => self.procedures.journal(),
            Stream::Plans => self.plans.journal(),
            Stream::Quality => self.quality.journal(),
        }
    }
}

impl SearchReads for LocalReads {
    fn watch(&self, stream: Stream, after_sequence: i64) -> BoxStream<'static, ServiceResult<Event>> {
        self.journal(stream).watch(after_sequence).boxed()
    }

    fn head(&self, stream: Stream) -> Answer<'_, i64> {
        Box::pin(self.journal(stream).head_sequence())
    }

    fn document<'a>(&'a self, name: &'a str) -> Answer<'a, docs::Document> {
        Box::pin(async move {
            let request = docs::GetDocumentRequest {
                name: name.to_string(),
                as_of_time: None,
            };
            self.documents.get_document(&system_context(), request).await
        })
    }

    fn revision<'a>(&'a self, name: &'a str) -> Answer<'a, docs::Revision> {
        Box::pin(async move {
            let request = docs::GetRevisionRequest { name: name.to_string() };
            self.documents.get_revision(&system_context(), request).await
        })
    }

    fn record<'a>(&'a self, name: &'a str) -> Answer<'a, docs::Record> {
        Box::pin(async move {
            let request = docs::GetRecordRequest { name: name.to_string() };
            self.documents.get_record(&system_context(), request).await
        })
    }

    fn file_content<'a>(&'a self, name: &'a str) -> Answer<'a, Vec<u8>> {
        Box::pin(async move {
            let (_, chunks) = self.documents.download(&system_context(), name).await?;
            let mut chunks = std::pin::pin!(chunks);
            let mut content = Vec::new();
            while let Some(chunk) = chunks.next().await {
                content.extend_from_slice(&chunk?);
            }
            Ok(content)
        })
    }

    fn procedure<'a>(&'a self, name: &'a str) -> Answer<'a, procs::Procedure> {
        Box::pin(async move {
            let request = procs::GetProcedureRequest { name: name.to_string() };
            self.procedures.get_procedure(request).await
        })
    }

    fn dossier<'a>(&'a self, name: &'a str) -> Answer<'a, procs::Dossier> {
        Box::pin(self.procedures.dossier_with_personal_data(name))
    }

    fn plan<'a>(&'a self, name: &'a str) -> Answer<'a, plans::Plan> {
        Box::pin(async move {
            let request = plans::GetPlanRequest { name: name.to_string() };
            self.plans.get_plan(&system_context(), request).await
        })
    }

    fn audit<'a>(&'a self, name: &'a str) -> Answer<'a, quality::Audit> {
        Box::pin(async move {
            let request = quality::GetAuditRequest { name: name.to_string() };
            self.quality.get_audit(&system_context(), request).await
        })
    }

    fn audit_programme<'a>(&'a self, name: &'a str) -> Answer<'a, quality::AuditProgramme> {
        Box::pin(async move {
            let request = quality::GetAuditProgrammeRequest { name: name.to_string() };
            self.quality.get_audit_programme(&system_context(), request).await
        })
    }

    fn diagnostic<'a>(&'a self, name: &'a str) -> Answer<'a, quality::Diagnostic> {
        Box::pin(async move {
            let request = quality::GetDiagnosticRequest { name: name.to_string() };
            self.quality.get_diagnostic(&system_context(), request).await
        })
    }
}
