//! The items the rebuild reads back, written through the documents service
//! as users write them: the corpus's documents, each title the item's title
//! and each body an uploaded `text/plain` file (the server extracts its text
//! in a child process, at the upload and again at the rebuild). A share of
//! them are controlled documents published through the whole cycle
//! (create, revision, upload, submit, approve, publish: only an effective
//! revision's files are indexed), the rest records with their file (create,
//! upload). Clients (one connection each) take the next item from a shared
//! counter.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, ensure};
use eiso_benchkit::{Bearer, Session, call_error};
use eiso_proto::eiso::documents::v1::document_service_client::DocumentServiceClient;
use eiso_proto::eiso::documents::v1::{
    ApproveRevisionRequest, Confidentiality, CreateDocumentRequest, CreateRecordRequest, CreateRevisionRequest,
    Disposition, Document, DocumentType, PublishRevisionRequest, Record, Revision, SubmitRevisionRequest,
    UploadFileHeader, UploadFileRequest, revision, upload_file_request,
};
use eiso_proto::tonic::service::interceptor::InterceptedService;
use eiso_proto::tonic::transport::Channel;

use crate::corpus::Corpus;

type Documents = DocumentServiceClient<InterceptedService<Channel, Bearer>>;

/// The document types the published documents take in turn.
const TYPES: [DocumentType; 4] = [
    DocumentType::Procedure,
    DocumentType::Instruction,
    DocumentType::Form,
    DocumentType::Policy,
];

/// What the load needs.
pub struct Plan {
    pub corpus: Arc<Corpus>,
    /// One per client.
    pub channels: Vec<Channel>,
    /// A document controller of `unit`: creates, uploads, submits, publishes.
    pub controller: Session,
    /// A reviewer (leader) of `unit`: approves.
    pub reviewer: Session,
    /// `units/{id}`.
    pub unit: String,
    /// Makes this run's document codes unique.
    pub run: String,
    /// Share of the items that are published documents (the rest are records).
    pub document_share: f64,
}

/// What the load did.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    pub documents: u64,
    pub records: u64,
    /// Title + body bytes sent (UTF-8), over all items.
    pub text_bytes: u64,
    /// Write calls made.
    pub calls: u64,
    pub elapsed: Duration,
}

impl Loaded {
    pub fn items(&self) -> u64 {
        self.documents + self.records
    }
}

/// Whether item `i` is a published document: `share` of the items, spread
/// evenly (item i is one when ⌊(i+1)·share⌋ > ⌊i·share⌋).
pub fn is_document(i: u64, share: f64) -> bool {
    ((i + 1) as f64 * share).floor() > (i as f64 * share).floor()
}

/// Writes every item of the corpus; fails at the first failed call.
pub async fn run(plan: Plan) -> anyhow::Result<Loaded> {
    let plan = Arc::new(plan);
    let next = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicU64::new(0));
    let total = plan.corpus.docs.len() as u64;
    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for client in 0..plan.channels.len() {
        let (plan, next, done) = (plan.clone(), next.clone(), done.clone());
        tasks.spawn(async move { client_loop(&plan, client, &next, &done).await });
    }
    let progress = {
        let done = done.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(30)).await;
                let n = done.load(Ordering::Relaxed);
                let seconds = start.elapsed().as_secs_f64();
                eprintln!(
                    "eiso-searchbench rebuild: loaded {n} of {total} items in {seconds:.0}s ({:.0} items/s)",
                    n as f64 / seconds
                );
            }
        })
    };
    let mut loaded = Loaded::default();
    let mut failure = None;
    while let Some(joined) = tasks.join_next().await {
        match joined.context("a load client panicked").and_then(|r| r) {
            Ok(part) => {
                loaded.documents += part.documents;
                loaded.records += part.records;
                loaded.text_bytes += part.text_bytes;
                loaded.calls += part.calls;
            }
            Err(error) => {
                // Stop the others: no new item is taken after a failure.
                next.store(u64::MAX / 2, Ordering::Relaxed);
                failure.get_or_insert(error);
            }
        }
    }
    progress.abort();
    if let Some(error) = failure {
        return Err(error);
    }
    loaded.elapsed = start.elapsed();
    Ok(loaded)
}

async fn client_loop(plan: &Plan, client: usize, next: &AtomicU64, done: &AtomicU64) -> anyhow::Result<Loaded> {
    let channel = plan.channels[client].clone();
    let mut controller = DocumentServiceClient::with_interceptor(channel.clone(), plan.controller.bearer());
    let mut reviewer = DocumentServiceClient::with_interceptor(channel, plan.reviewer.bearer());
    let mut loaded = Loaded::default();
    loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        let Some(doc) = plan.corpus.docs.get(i as usize) else {
            return Ok(loaded);
        };
        loaded.text_bytes += (doc.title.len() + doc.body.len()) as u64;
        if is_document(i, plan.document_share) {
            let code = format!("RB-{}-{i}", plan.run);
            let r#type = TYPES[(i as usize / 7) % TYPES.len()];
            loaded.calls += published_document(plan, &mut controller, &mut reviewer, &code, r#type, i).await?;
            loaded.documents += 1;
        } else {
            loaded.calls += record(plan, &mut controller, i).await?;
            loaded.records += 1;
        }
        done.fetch_add(1, Ordering::Relaxed);
    }
}

/// A document published with the body as its file: 6 calls.
async fn published_document(
    plan: &Plan,
    controller: &mut Documents,
    reviewer: &mut Documents,
    code: &str,
    r#type: DocumentType,
    i: u64,
) -> anyhow::Result<u64> {
    let doc = &plan.corpus.docs[i as usize];
    let document: Document = controller
        .create_document(CreateDocumentRequest {
            document: Some(Document {
                code: code.to_string(),
                title: doc.title.clone(),
                r#type: r#type as i32,
                owner_unit: plan.unit.clone(),
                confidentiality: Confidentiality::Internal as i32,
                review_interval_months: 12,
                ..Default::default()
            }),
            request_id: uuid::Uuid::new_v4().to_string(),
        })
        .await
        .map_err(|status| call_error(&format!("CreateDocument {code}"), &status))?
        .into_inner();
    let draft: Revision = controller
        .create_revision(CreateRevisionRequest {
            parent: document.name.clone(),
            revision: Some(Revision {
                change_summary: "Ban hành lần đầu".to_string(),
                ..Default::default()
            }),
            request_id: uuid::Uuid::new_v4().to_string(),
        })
        .await
        .map_err(|status| call_error(&format!("CreateRevision of {}", document.name), &status))?
        .into_inner();
    upload(controller, &draft.name, &format!("{code}.txt"), &doc.body).await?;
    controller
        .submit_revision(SubmitRevisionRequest {
            name: draft.name.clone(),
            reviewers: vec![plan.reviewer.principal.clone()],
            etag: String::new(),
        })
        .await
        .map_err(|status| call_error(&format!("SubmitRevision {}", draft.name), &status))?;
    reviewer
        .approve_revision(ApproveRevisionRequest {
            name: draft.name.clone(),
            comment: "Đồng ý".to_string(),
        })
        .await
        .map_err(|status| call_error(&format!("ApproveRevision {}", draft.name), &status))?;
    let published = controller
        .publish_revision(PublishRevisionRequest {
            name: draft.name.clone(),
            ..Default::default()
        })
        .await
        .map_err(|status| call_error(&format!("PublishRevision {}", draft.name), &status))?
        .into_inner();
    ensure!(
        published.state == revision::State::Effective as i32,
        "{} is not effective after publication",
        draft.name
    );
    Ok(6)
}

/// A record with the body as its file: 2 calls.
async fn record(plan: &Plan, controller: &mut Documents, i: u64) -> anyhow::Result<u64> {
    let doc = &plan.corpus.docs[i as usize];
    let record: Record = controller
        .create_record(CreateRecordRequest {
            record: Some(Record {
                title: doc.title.clone(),
                owner_unit: plan.unit.clone(),
                retention_months: 60,
                disposition: Disposition::Destroy as i32,
                ..Default::default()
            }),
            request_id: uuid::Uuid::new_v4().to_string(),
        })
        .await
        .map_err(|status| call_error(&format!("CreateRecord (item {i})"), &status))?
        .into_inner();
    upload(
        controller,
        &record.name,
        &format!("ho-so-{}-{i}.txt", plan.run),
        &doc.body,
    )
    .await?;
    Ok(2)
}

/// Uploads `text` as a `text/plain` file, in one message after the header.
async fn upload(client: &mut Documents, parent: &str, file_name: &str, text: &str) -> anyhow::Result<()> {
    let messages = [
        UploadFileRequest {
            part: Some(upload_file_request::Part::Header(UploadFileHeader {
                parent: parent.to_string(),
                file_name: file_name.to_string(),
                content_type: "text/plain; charset=utf-8".to_string(),
                expected_sha256: String::new(),
            })),
        },
        UploadFileRequest {
            part: Some(upload_file_request::Part::Chunk(text.as_bytes().to_vec())),
        },
    ];
    let file = client
        .upload_file(futures::stream::iter(messages))
        .await
        .map_err(|status| call_error(&format!("UploadFile to {parent}"), &status))?
        .into_inner();
    ensure!(
        file.size as usize == text.len(),
        "the server stored {} bytes of {file_name}, not the {} sent",
        file.size,
        text.len()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_share_is_spread_evenly() {
        let count = |share: f64| (0..1000).filter(|&i| is_document(i, share)).count();
        assert_eq!(count(0.2), 200);
        assert_eq!(count(0.0), 0);
        assert_eq!(count(1.0), 1000);
        // No run of records longer than 1/share - 1 between documents.
        let documents: Vec<u64> = (0..100).filter(|&i| is_document(i, 0.25)).collect();
        assert!(documents.windows(2).all(|w| w[1] - w[0] == 4));
    }
}
