//! Crash safety of document control: the real `eiso-server` process is killed
//! with SIGKILL while clients upload files and drive revisions through review
//! and publication, then started again on the same data. Everything the server
//! acknowledged must be there and intact, nothing half-done may be visible,
//! the audit trail must still verify, and the server must keep working.
//!
//! Each client records every call that returned OK, and the one call it had in
//! flight when the server died (whose outcome is unknown: it may or may not
//! have happened). Runs on SQLite, or on a fresh PostgreSQL database when
//! `EISO_TEST_DATABASE_URL` is set. The moment of the kill and the file sizes
//! come from a seed that is printed; `EISO_TEST_CRASH_SEED=<n>` replays one.

#![allow(clippy::unwrap_used)]

mod process;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use eiso_proto::eiso::audit::v1::VerifyAuditTrailRequest;
use eiso_proto::eiso::audit::v1::audit_service_client::AuditServiceClient;
use eiso_proto::eiso::documents::v1::document_service_client::DocumentServiceClient;
use eiso_proto::eiso::documents::v1::*;
use eiso_proto::eiso::identity::v1::{Role, UnitKind};
use eiso_proto::eiso::search::v1::SearchRequest;
use eiso_proto::eiso::search::v1::search_service_client::SearchServiceClient;
use eiso_tests::search::wait_caught_up;
use eiso_tests::{ADMIN_PASSWORD, Documents, bearer};
use process::{CALL_TIMEOUT, ServerProcess, Storage, connect, login, password_of, unit_with_people};
use sha2::{Digest, Sha256};
use tokio::sync::watch;
use tonic::transport::Channel;

const KIB: u64 = 1024;
const MIB: u64 = 1024 * KIB;
/// Clients that only upload files to a draft, and clients that publish in a loop.
const UPLOADERS: usize = 3;
const PUBLISHERS: usize = 3;
/// Clients that create documents and retitle them as fast as they can: the
/// search index takes in a change per call.
const CATALOGUERS: usize = 2;
/// Bounds on each client's loop, whatever happens to the kill.
const MAX_UPLOADS: usize = 200;
const MAX_CYCLES: usize = 200;
/// The kill comes this long after the clients start (chosen by the seed), and
/// not before at least this much was acknowledged.
const KILL_AFTER_MS: std::ops::Range<u64> = 1000..2500;
const MIN_UPLOADS_BEFORE_KILL: u64 = 3;
const MIN_PUBLISHES_BEFORE_KILL: u64 = 1;
/// Deadline: reaching the minimum progress.
const PROGRESS_DEADLINE: Duration = Duration::from_secs(120);
const UPLOAD_CHUNK: usize = 256 * 1024;

fn documents(channel: Channel, token: &str) -> Documents {
    DocumentServiceClient::with_interceptor(channel, bearer(Some(token)))
        .max_decoding_message_size(16 << 20)
        .max_encoding_message_size(16 << 20)
}

/// The people of the test: a document controller who authors and publishes,
/// and a leader who reviews.
struct People {
    unit: String,
    controller_token: String,
    reviewer_token: String,
    reviewer: String,
}

const CONTROLLER: &str = "thu.ky.iso";
const REVIEWER: &str = "lanh.dao";

async fn set_up_people(channel: &Channel) -> People {
    let unit = unit_with_people(
        channel,
        ("PGD", "Phòng Giáo dục và Đào tạo", UnitKind::Office),
        &[(CONTROLLER, Role::DocumentController), (REVIEWER, Role::Leader)],
    )
    .await;
    let (controller_token, _) = login(channel, CONTROLLER, &password_of(CONTROLLER)).await;
    let (reviewer_token, reviewer) = login(channel, REVIEWER, &password_of(REVIEWER)).await;
    People {
        unit,
        controller_token,
        reviewer_token,
        reviewer,
    }
}

// ---------------------------------------------------------------------------
// Content: generated from a seed, with its SHA-256 known in advance.

/// SplitMix64: a small, seedable generator (the test needs reproducibility, not quality).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// A size between `min` and `max`, spread evenly on a log scale so that
    /// small files are as common as large ones.
    fn size(&mut self, min: u64, max: u64) -> u64 {
        let unit = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        let size = min as f64 * (max as f64 / min as f64).powf(unit);
        (size as u64).clamp(min, max)
    }
}

/// `size` bytes from `seed`, and their lowercase hex SHA-256.
fn content(seed: u64, size: u64) -> (Vec<u8>, String) {
    let mut rng = Rng(seed);
    let mut bytes = Vec::with_capacity(size as usize + 8);
    while (bytes.len() as u64) < size {
        bytes.extend_from_slice(&rng.next().to_le_bytes());
    }
    bytes.truncate(size as usize);
    let sha256 = hex::encode(Sha256::digest(&bytes));
    (bytes, sha256)
}

// ---------------------------------------------------------------------------
// Calls.

async fn create_document(client: &mut Documents, unit: &str, code: &str) -> Result<Document, tonic::Status> {
    let response = client
        .create_document(CreateDocumentRequest {
            document: Some(Document {
                code: code.into(),
                title: format!("Quy trình {code}"),
                r#type: DocumentType::Procedure as i32,
                owner_unit: unit.into(),
                confidentiality: Confidentiality::Internal as i32,
                review_interval_months: 12,
                ..Default::default()
            }),
            request_id: uuid::Uuid::new_v4().to_string(),
        })
        .await?;
    Ok(response.into_inner())
}

async fn create_revision(client: &mut Documents, document: &str) -> Result<Revision, tonic::Status> {
    let response = client
        .create_revision(CreateRevisionRequest {
            parent: document.into(),
            revision: Some(Revision {
                change_summary: "Cập nhật quy trình".into(),
                ..Default::default()
            }),
            request_id: uuid::Uuid::new_v4().to_string(),
        })
        .await?;
    Ok(response.into_inner())
}

async fn upload(client: &mut Documents, parent: &str, file_name: &str, content: &[u8]) -> Result<File, tonic::Status> {
    let mut messages = vec![UploadFileRequest {
        part: Some(upload_file_request::Part::Header(UploadFileHeader {
            parent: parent.into(),
            file_name: file_name.into(),
            content_type: "application/pdf".into(),
            expected_sha256: String::new(),
        })),
    }];
    for chunk in content.chunks(UPLOAD_CHUNK) {
        messages.push(UploadFileRequest {
            part: Some(upload_file_request::Part::Chunk(chunk.to_vec())),
        });
    }
    let response = client.upload_file(futures::stream::iter(messages)).await?;
    Ok(response.into_inner())
}

async fn submit(client: &mut Documents, revision: &str, reviewer: &str) -> Result<Revision, tonic::Status> {
    let response = client
        .submit_revision(SubmitRevisionRequest {
            name: revision.into(),
            reviewers: vec![reviewer.into()],
            etag: String::new(),
        })
        .await?;
    Ok(response.into_inner())
}

async fn approve(client: &mut Documents, revision: &str) -> Result<Revision, tonic::Status> {
    let response = client
        .approve_revision(ApproveRevisionRequest {
            name: revision.into(),
            comment: "Đồng ý".into(),
        })
        .await?;
    Ok(response.into_inner())
}

async fn publish(client: &mut Documents, revision: &str) -> Result<Revision, tonic::Status> {
    let response = client
        .publish_revision(PublishRevisionRequest {
            name: revision.into(),
            ..Default::default()
        })
        .await?;
    Ok(response.into_inner())
}

/// Downloads a file, hashing as it streams: its metadata, SHA-256 and size.
async fn download(client: &mut Documents, name: &str) -> Result<(File, String, u64), tonic::Status> {
    let mut stream = client
        .download_file(DownloadFileRequest { name: name.into() })
        .await?
        .into_inner();
    let mut file = None;
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    while let Some(message) = stream.message().await? {
        match message.part {
            Some(download_file_response::Part::File(f)) => file = Some(f),
            Some(download_file_response::Part::Chunk(chunk)) => {
                size += chunk.len() as u64;
                hasher.update(&chunk);
            }
            None => {}
        }
    }
    let file = file.ok_or_else(|| tonic::Status::internal("the download carried no metadata"))?;
    Ok((file, hex::encode(hasher.finalize()), size))
}

async fn list_documents(client: &mut Documents) -> Vec<Document> {
    process::all_pages(|page_token| {
        let mut client = client.clone();
        async move {
            let page = client
                .list_documents(ListDocumentsRequest {
                    page_size: 1000,
                    page_token,
                    ..Default::default()
                })
                .await
                .unwrap()
                .into_inner();
            (page.documents, page.next_page_token)
        }
    })
    .await
}

/// A document as the server shows it now: with its current revision, and all
/// its revisions, oldest first.
struct Seen {
    document: Document,
    revisions: Vec<Revision>,
}

async fn inspect(client: &mut Documents, name: &str) -> Seen {
    let document = client
        .get_document(GetDocumentRequest {
            name: name.into(),
            as_of_time: None,
        })
        .await
        .unwrap()
        .into_inner();
    let mut revisions = process::all_pages(|page_token| {
        let mut client = client.clone();
        async move {
            let page = client
                .list_revisions(ListRevisionsRequest {
                    parent: name.into(),
                    page_size: 1000,
                    page_token,
                    filter: String::new(),
                })
                .await
                .unwrap()
                .into_inner();
            (page.revisions, page.next_page_token)
        }
    })
    .await;
    revisions.sort_by_key(|r| r.number);
    Seen { document, revisions }
}

// ---------------------------------------------------------------------------
// The clients' record of what the server acknowledged.

/// How far a revision got; `Published` covers EFFECTIVE and SUPERSEDED.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Step {
    Created = 1,
    Submitted = 2,
    Approved = 3,
    Published = 4,
}

impl Step {
    /// The method that takes a revision to this step, and the state it
    /// answers with.
    fn call(self) -> (&'static str, revision::State) {
        match self {
            Step::Created => ("CreateRevision", revision::State::Draft),
            Step::Submitted => ("SubmitRevision", revision::State::InReview),
            Step::Approved => ("ApproveRevision", revision::State::Approved),
            Step::Published => ("PublishRevision", revision::State::Effective),
        }
    }
}

fn step_of(state: i32) -> Option<Step> {
    match revision::State::try_from(state).ok()? {
        revision::State::Draft => Some(Step::Created),
        revision::State::InReview => Some(Step::Submitted),
        revision::State::Approved => Some(Step::Approved),
        revision::State::Effective | revision::State::Superseded => Some(Step::Published),
        _ => None,
    }
}

fn state_name(state: i32) -> String {
    revision::State::try_from(state)
        .map(|s| s.as_str_name().to_string())
        .unwrap_or_else(|_| format!("state {state}"))
}

/// A file upload: acknowledged (`name` set) or in flight at the kill.
#[derive(Debug, Clone)]
struct FileLog {
    name: String,
    sha256: String,
    size: u64,
}

#[derive(Debug)]
struct RevisionLog {
    name: String,
    number: i32,
    /// The last step the server acknowledged.
    done: Step,
    /// The last step asked for: `done`, or the one in flight at the kill.
    attempted: Step,
    uploads: Vec<FileLog>,
    upload_in_flight: Option<FileLog>,
}

#[derive(Debug)]
struct DocumentLog {
    name: String,
    /// A CreateRevision was in flight at the kill.
    revision_in_flight: bool,
    revisions: Vec<RevisionLog>,
}

#[derive(Debug, Default)]
struct ClientLog {
    document: Option<DocumentLog>,
    /// A call that failed while the server was still alive.
    failure: Option<String>,
}

#[derive(Debug, Default, Clone, Copy)]
struct Progress {
    uploads: u64,
    publishes: u64,
    /// Clients that stopped on a failure while the server was up.
    failures: u64,
}

/// What the clients share while they run.
struct Shared {
    killed: AtomicBool,
    progress: watch::Sender<Progress>,
    unit: String,
    reviewer: String,
    controller_token: String,
    reviewer_token: String,
    run: String,
}

/// Why a client stopped early.
enum Stop {
    /// A call failed after the kill: its outcome is unknown.
    Killed,
    /// A call failed while the server was alive, or answered something wrong.
    Failed(String),
}

impl Shared {
    fn killed(&self) -> bool {
        self.killed.load(Ordering::SeqCst)
    }

    /// Classifies a failed call: expected once the server was killed.
    fn stop(&self, what: &str, status: tonic::Status) -> Stop {
        if self.killed() {
            Stop::Killed
        } else {
            Stop::Failed(format!(
                "{what} failed while the server was up: {:?}: {}",
                status.code(),
                status.message()
            ))
        }
    }
}

/// One step of a revision's way (`call`, made by the step's method):
/// marked attempted before the call goes out and done once it is answered,
/// the answer in the step's state.
async fn advance(
    shared: &Shared,
    rev: &mut RevisionLog,
    step: Step,
    call: impl Future<Output = Result<Revision, tonic::Status>>,
) -> Result<(), Stop> {
    let (what, state) = step.call();
    rev.attempted = step;
    let answered = call.await.map_err(|s| shared.stop(what, s))?;
    rev.done = step;
    expect_state(what, &answered, state)
}

fn expect_state(what: &str, revision: &Revision, state: revision::State) -> Result<(), Stop> {
    if revision.state == state as i32 {
        Ok(())
    } else {
        Err(Stop::Failed(format!(
            "{what} of {} answered {}, not {}",
            revision.name,
            state_name(revision.state),
            state.as_str_name()
        )))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Uploader,
    Publisher,
    Cataloguer,
}

async fn run_client(index: usize, kind: Kind, channel: Channel, shared: Arc<Shared>, seed: u64) -> ClientLog {
    let mut log = ClientLog::default();
    let result = match kind {
        Kind::Publisher => publisher_steps(index, channel, &shared, Rng(seed), &mut log).await,
        Kind::Uploader => uploader_steps(index, channel, &shared, Rng(seed), &mut log).await,
        Kind::Cataloguer => cataloguer_steps(index, channel, &shared).await,
    };
    if let Err(Stop::Failed(why)) = result {
        log.failure = Some(why);
        shared.progress.send_modify(|p| p.failures += 1);
    }
    log
}

/// Creates documents and retitles each once, until the server dies.
async fn cataloguer_steps(index: usize, channel: Channel, shared: &Shared) -> Result<(), Stop> {
    let mut client = documents(channel, &shared.controller_token);
    for i in 0..MAX_CYCLES * 10 {
        if shared.killed() {
            break;
        }
        let code = format!("QT-CAT-{}-{index}-{i}", shared.run);
        let document = create_document(&mut client, &shared.unit, &code)
            .await
            .map_err(|s| shared.stop("CreateDocument", s))?;
        client
            .update_document(UpdateDocumentRequest {
                document: Some(Document {
                    name: document.name.clone(),
                    title: format!("Quy trình {code} (sửa đổi)"),
                    ..Default::default()
                }),
                update_mask: Some(eiso_proto::prost_types::FieldMask {
                    paths: vec!["title".into()],
                }),
                etag: String::new(),
            })
            .await
            .map_err(|s| shared.stop("UpdateDocument", s))?;
    }
    Ok(())
}

/// Creates a document and one draft, then uploads files of 100 KiB to 8 MiB
/// to it until the server dies.
async fn uploader_steps(
    index: usize,
    channel: Channel,
    shared: &Shared,
    mut rng: Rng,
    log: &mut ClientLog,
) -> Result<(), Stop> {
    let mut client = documents(channel, &shared.controller_token);
    let code = format!("QT-UP-{}-{index}", shared.run);
    let doc = logged_document(&mut client, shared, log, &code).await?;
    let rev = logged_revision(&mut client, shared, doc).await?;
    for i in 0..MAX_UPLOADS {
        if shared.killed() {
            break;
        }
        upload_logged(&mut client, shared, rev, &mut rng, i, 100 * KIB, 8 * MIB).await?;
        shared.progress.send_modify(|p| p.uploads += 1);
    }
    Ok(())
}

/// Creates a document, then cycles create → upload → submit → approve →
/// publish until the server dies.
async fn publisher_steps(
    index: usize,
    channel: Channel,
    shared: &Shared,
    mut rng: Rng,
    log: &mut ClientLog,
) -> Result<(), Stop> {
    let mut controller = documents(channel.clone(), &shared.controller_token);
    let mut reviewer = documents(channel, &shared.reviewer_token);
    let code = format!("QT-PUB-{}-{index}", shared.run);
    let doc = logged_document(&mut controller, shared, log, &code).await?;
    for cycle in 0..MAX_CYCLES {
        if shared.killed() {
            break;
        }
        let rev = logged_revision(&mut controller, shared, doc).await?;
        upload_logged(&mut controller, shared, rev, &mut rng, cycle, 100 * KIB, MIB).await?;

        let name = rev.name.clone();
        advance(
            shared,
            rev,
            Step::Submitted,
            submit(&mut controller, &name, &shared.reviewer),
        )
        .await?;
        advance(shared, rev, Step::Approved, approve(&mut reviewer, &name)).await?;
        advance(shared, rev, Step::Published, publish(&mut controller, &name)).await?;
        shared.progress.send_modify(|p| p.publishes += 1);
    }
    Ok(())
}

/// Creates the document `code`, logged in `log`.
async fn logged_document<'a>(
    client: &mut Documents,
    shared: &Shared,
    log: &'a mut ClientLog,
    code: &str,
) -> Result<&'a mut DocumentLog, Stop> {
    let document = create_document(client, &shared.unit, code)
        .await
        .map_err(|s| shared.stop("CreateDocument", s))?;
    Ok(log.document.insert(DocumentLog {
        name: document.name,
        revision_in_flight: false,
        revisions: Vec::new(),
    }))
}

/// Creates a draft of `doc`, logged: in flight until it is answered.
async fn logged_revision<'a>(
    client: &mut Documents,
    shared: &Shared,
    doc: &'a mut DocumentLog,
) -> Result<&'a mut RevisionLog, Stop> {
    doc.revision_in_flight = true;
    let revision = create_revision(client, &doc.name)
        .await
        .map_err(|s| shared.stop("CreateRevision", s))?;
    doc.revision_in_flight = false;
    Ok(push_revision(doc, &revision))
}

fn push_revision<'a>(doc: &'a mut DocumentLog, revision: &Revision) -> &'a mut RevisionLog {
    doc.revisions.push(RevisionLog {
        name: revision.name.clone(),
        number: revision.number,
        done: Step::Created,
        attempted: Step::Created,
        uploads: Vec::new(),
        upload_in_flight: None,
    });
    doc.revisions.last_mut().unwrap()
}

/// Uploads a generated file of `min..=max` bytes to `rev` and records it.
async fn upload_logged(
    client: &mut Documents,
    shared: &Shared,
    rev: &mut RevisionLog,
    rng: &mut Rng,
    i: usize,
    min: u64,
    max: u64,
) -> Result<(), Stop> {
    let size = rng.size(min, max);
    let (bytes, sha256) = content(rng.next(), size);
    rev.upload_in_flight = Some(FileLog {
        name: String::new(),
        sha256: sha256.clone(),
        size,
    });
    // The revision number in the name lets the search check find stale text.
    let file = upload(
        client,
        &rev.name,
        &format!("tai-lieu-{i}-lan{}.pdf", rev.number),
        &bytes,
    )
    .await
    .map_err(|s| shared.stop("UploadFile", s))?;
    rev.upload_in_flight = None;
    if file.sha256 != sha256 || file.size as u64 != size {
        return Err(Stop::Failed(format!(
            "UploadFile of {size} bytes (sha256 {sha256}) answered {} bytes, sha256 {}",
            file.size, file.sha256
        )));
    }
    rev.uploads.push(FileLog {
        name: file.name,
        sha256,
        size,
    });
    Ok(())
}

// ---------------------------------------------------------------------------
// Checks after the restart.

/// What must hold of any document, whatever was in flight: at most one
/// EFFECTIVE revision and the document pointing at it; SUPERSEDED only below
/// an effective revision; at most one open revision, the latest.
fn check_invariants(seen: &Seen, problems: &mut Vec<String>) {
    let doc = &seen.document;
    let name = &doc.name;
    let numbers: Vec<i32> = seen.revisions.iter().map(|r| r.number).collect();
    let expected: Vec<i32> = (1..=numbers.len() as i32).collect();
    if numbers != expected {
        problems.push(format!("{name}: revision numbers {numbers:?} are not 1..=n"));
    }
    if doc.latest_revision != numbers.last().copied().unwrap_or(0) {
        problems.push(format!(
            "{name}: latest_revision {} but the last revision is {:?}",
            doc.latest_revision,
            numbers.last()
        ));
    }
    let effective: Vec<&Revision> = seen
        .revisions
        .iter()
        .filter(|r| r.state == revision::State::Effective as i32)
        .collect();
    if effective.len() > 1 {
        let list: Vec<i32> = effective.iter().map(|r| r.number).collect();
        problems.push(format!("{name}: {} EFFECTIVE revisions {list:?}", effective.len()));
    }
    let current = effective.last().map(|r| r.number).unwrap_or(0);
    if doc.effective_revision != current {
        problems.push(format!(
            "{name}: effective_revision {} but the EFFECTIVE revision is {current}",
            doc.effective_revision
        ));
    }
    let expected_state = if current > 0 {
        document::State::Effective
    } else {
        document::State::Draft
    };
    if doc.state != expected_state as i32 {
        problems.push(format!(
            "{name}: document state {} with EFFECTIVE revision {current}",
            doc.state
        ));
    }
    if doc.revision.as_ref().map(|r| r.number).unwrap_or(0) != current {
        problems.push(format!(
            "{name}: GetDocument shows revision {:?} as current, not {current}",
            doc.revision.as_ref().map(|r| r.number)
        ));
    }
    for r in &effective {
        if r.effective_time.is_none() || r.end_time.is_some() {
            problems.push(format!(
                "{}: EFFECTIVE without effective_time or with an end_time",
                r.name
            ));
        }
    }
    let open: Vec<&Revision> = seen
        .revisions
        .iter()
        .filter(|r| matches!(step_of(r.state), Some(Step::Created | Step::Submitted | Step::Approved)))
        .collect();
    if open.len() > 1 || open.iter().any(|r| Some(&r.number) != numbers.last()) {
        let list: Vec<i32> = open.iter().map(|r| r.number).collect();
        problems.push(format!("{name}: open revisions {list:?}: at most one, the latest"));
    }
    for r in &seen.revisions {
        if r.state == revision::State::Superseded as i32 {
            // Half-published: superseded with nothing effective after it.
            if r.number >= current {
                problems.push(format!(
                    "{}: SUPERSEDED but the effective revision is {current}",
                    r.name
                ));
            }
            if r.effective_time.is_none() || r.end_time.is_none() {
                problems.push(format!("{}: SUPERSEDED without effective_time and end_time", r.name));
            }
        } else if step_of(r.state).is_none() {
            problems.push(format!("{}: unexpected state {}", r.name, state_name(r.state)));
        }
    }
}

/// What the clients were told must be there: every acknowledged step and
/// upload; and nothing that was never asked for.
fn check_against_log(seen: &Seen, log: &DocumentLog, problems: &mut Vec<String>) {
    for rev in &log.revisions {
        let Some(found) = seen.revisions.iter().find(|r| r.name == rev.name) else {
            problems.push(format!("{}: acknowledged as created but missing", rev.name));
            continue;
        };
        if found.number != rev.number {
            problems.push(format!("{}: number {} not {}", rev.name, found.number, rev.number));
        }
        match step_of(found.state) {
            Some(step) if step >= rev.done && step <= rev.attempted => {}
            _ => problems.push(format!(
                "{}: {} after the restart, but {:?} was acknowledged and {:?} the last asked for",
                rev.name,
                state_name(found.state),
                rev.done,
                rev.attempted
            )),
        }
        for upload in &rev.uploads {
            match found.files.iter().find(|f| f.name == upload.name) {
                None => problems.push(format!("{}: acknowledged upload missing", upload.name)),
                Some(f) if f.sha256 != upload.sha256 || f.size as u64 != upload.size => problems.push(format!(
                    "{}: listed as {} bytes sha256 {}, uploaded {} bytes sha256 {}",
                    upload.name, f.size, f.sha256, upload.size, upload.sha256
                )),
                Some(_) => {}
            }
        }
        let unknown: Vec<&File> = found
            .files
            .iter()
            .filter(|f| !rev.uploads.iter().any(|u| u.name == f.name))
            .collect();
        let explained = match (&unknown[..], &rev.upload_in_flight) {
            ([], _) => true,
            ([f], Some(sent)) => f.sha256 == sent.sha256 && f.size as u64 == sent.size,
            _ => false,
        };
        if !explained {
            let list: Vec<_> = unknown.iter().map(|f| (&f.name, f.size, &f.sha256)).collect();
            problems.push(format!(
                "{}: files nobody uploaded {list:?} (in flight: {:?})",
                rev.name, rev.upload_in_flight
            ));
        }
    }
    let logged = log.revisions.len();
    for extra in seen.revisions.iter().skip(logged) {
        let allowed = log.revision_in_flight
            && extra.number == logged as i32 + 1
            && extra.state == revision::State::Draft as i32
            && extra.files.is_empty();
        if !allowed {
            problems.push(format!(
                "{}: {} with {} files, never acknowledged (creation in flight: {})",
                extra.name,
                state_name(extra.state),
                extra.files.len(),
                log.revision_in_flight
            ));
        }
    }
}

/// Downloads every file of every revision and checks it against its listing.
/// Returns the number of bytes read.
async fn check_files(client: &mut Documents, seen: &Seen, problems: &mut Vec<String>) -> u64 {
    let mut bytes = 0;
    for revision in &seen.revisions {
        for file in &revision.files {
            match download(client, &file.name).await {
                Ok((meta, sha256, size)) => {
                    bytes += size;
                    if sha256 != file.sha256 || size != file.size as u64 || meta.sha256 != file.sha256 {
                        problems.push(format!(
                            "{}: downloaded {size} bytes sha256 {sha256}, listed {} bytes sha256 {}",
                            file.name, file.size, file.sha256
                        ));
                    }
                }
                Err(status) => problems.push(format!(
                    "{}: download failed: {:?}: {}",
                    file.name,
                    status.code(),
                    status.message()
                )),
            }
        }
    }
    bytes
}

/// Hashes every object under `blobs/sha256/`: each must be complete, its
/// content matching the digest it is stored under, whether a file row refers
/// to it or not (an upload killed after the link but before its row). Returns
/// the digests stored and the names of anything else found there.
async fn check_blob_store(data_dir: PathBuf, problems: &mut Vec<String>) -> (Vec<String>, Vec<String>) {
    let (found, mut stray) = tokio::task::spawn_blocking(move || {
        let mut found = Vec::new();
        let mut stray = Vec::new();
        let root = data_dir.join("blobs").join("sha256");
        for prefix in std::fs::read_dir(&root).unwrap() {
            let prefix = prefix.unwrap().path();
            for entry in std::fs::read_dir(&prefix).unwrap() {
                let path = entry.unwrap().path();
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                if name.len() == 64 && name.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
                    let digest = hex::encode(Sha256::digest(std::fs::read(&path).unwrap()));
                    found.push((name, digest));
                } else {
                    stray.push(path.display().to_string());
                }
            }
        }
        (found, stray)
    })
    .await
    .unwrap();
    for (name, digest) in &found {
        if name != digest {
            problems.push(format!("blob {name} holds content with sha256 {digest}"));
        }
    }
    stray.sort();
    (found.into_iter().map(|(name, _)| name).collect(), stray)
}

/// Files left in `blobs/staging/` (uploads cut off by the kill; swept after a day).
fn staging_files(data_dir: &std::path::Path) -> usize {
    std::fs::read_dir(data_dir.join("blobs").join("staging"))
        .map(|entries| entries.count())
        .unwrap_or(0)
}

/// How the calls in flight at the kill turned out: (kind, took effect).
fn resolve_in_flight(seen: &Seen, log: &DocumentLog) -> Vec<(&'static str, bool)> {
    let mut resolved = Vec::new();
    if log.revision_in_flight {
        resolved.push(("CreateRevision", seen.revisions.len() > log.revisions.len()));
    }
    for rev in &log.revisions {
        let Some(found) = seen.revisions.iter().find(|r| r.name == rev.name) else {
            continue;
        };
        if let Some(sent) = &rev.upload_in_flight {
            let stored = found
                .files
                .iter()
                .any(|f| f.sha256 == sent.sha256 && !rev.uploads.iter().any(|u| u.name == f.name));
            resolved.push(("UploadFile", stored));
        }
        if rev.attempted != rev.done {
            let kind = match rev.attempted {
                Step::Created => "CreateRevision",
                Step::Submitted => "SubmitRevision",
                Step::Approved => "ApproveRevision",
                Step::Published => "PublishRevision",
            };
            resolved.push((kind, step_of(found.state) == Some(rev.attempted)));
        }
    }
    resolved
}

async fn verify_trail(channel: &Channel, token: &str, trail: &str, problems: &mut Vec<String>) -> i64 {
    let response = AuditServiceClient::with_interceptor(channel.clone(), bearer(Some(token)))
        .verify_audit_trail(VerifyAuditTrailRequest { name: trail.into() })
        .await
        .unwrap()
        .into_inner();
    if !response.intact {
        problems.push(format!(
            "{trail} is broken at entry {}: {}",
            response.first_broken_sequence, response.detail
        ));
    }
    response.entries_checked
}

/// Takes a document's open revision (in whatever state the crash left it)
/// through to publication; returns its number, if it had one.
async fn finish_open_revision(
    controller: &mut Documents,
    reviewer: &mut Documents,
    reviewer_name: &str,
    seen: &Seen,
) -> Option<i32> {
    let open = seen
        .revisions
        .iter()
        .rfind(|r| matches!(step_of(r.state), Some(Step::Created | Step::Submitted | Step::Approved)))?;
    let mut state = open.state;
    if state == revision::State::Draft as i32 {
        if open.files.is_empty() {
            let (bytes, _) = content(u64::from(open.number.unsigned_abs()), 200 * KIB);
            upload(controller, &open.name, "sau-khi-khoi-dong-lai.pdf", &bytes)
                .await
                .unwrap();
        }
        state = submit(controller, &open.name, reviewer_name).await.unwrap().state;
    }
    if state == revision::State::InReview as i32 {
        state = approve(reviewer, &open.name).await.unwrap().state;
    }
    assert_eq!(state, revision::State::Approved as i32, "{}", open.name);
    let published = publish(controller, &open.name).await.unwrap();
    assert_eq!(published.state, revision::State::Effective as i32);
    Some(open.number)
}

// ---------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_work_survives_a_kill_during_uploads_and_publications() {
    let seed = std::env::var("EISO_TEST_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or_else(|| uuid::Uuid::new_v4().as_u64_pair().0);
    let storage = Storage::fresh().await;
    let logs = tempfile::tempdir().unwrap();
    let mut rng = Rng(seed);
    let kill_after = Duration::from_millis(KILL_AFTER_MS.start + rng.below(KILL_AFTER_MS.end - KILL_AFTER_MS.start));
    eprintln!(
        "crash test: seed {seed} (EISO_TEST_CRASH_SEED), {}, kill after {kill_after:?}",
        storage.backend_name()
    );

    // First life: set up the people, then let the clients work and kill it.
    let mut server = ServerProcess::start(&storage, logs.path().join("first.log")).await;
    let url = server.url();
    let control = connect(&url).await;
    let people = set_up_people(&control).await;
    let (progress_tx, mut progress) = watch::channel(Progress::default());
    let shared = Arc::new(Shared {
        killed: AtomicBool::new(false),
        progress: progress_tx,
        unit: people.unit.clone(),
        reviewer: people.reviewer.clone(),
        controller_token: people.controller_token.clone(),
        reviewer_token: people.reviewer_token.clone(),
        run: format!("{:04X}", seed & 0xffff),
    });
    let mut clients = Vec::new();
    for index in 0..UPLOADERS + PUBLISHERS + CATALOGUERS {
        // One connection per client, opened before the clock starts.
        let channel = connect(&url).await;
        let kind = match index {
            i if i < UPLOADERS => Kind::Uploader,
            i if i < UPLOADERS + PUBLISHERS => Kind::Publisher,
            _ => Kind::Cataloguer,
        };
        clients.push(tokio::spawn(run_client(
            index,
            kind,
            channel,
            shared.clone(),
            rng.next(),
        )));
    }
    let started = Instant::now();
    let reached = matches!(
        tokio::time::timeout(
            PROGRESS_DEADLINE,
            progress.wait_for(|p| p.failures > 0
                || (p.uploads >= MIN_UPLOADS_BEFORE_KILL && p.publishes >= MIN_PUBLISHES_BEFORE_KILL)),
        )
        .await,
        Ok(Ok(_))
    );
    let at_kill = *progress.borrow();
    if !reached || at_kill.failures > 0 {
        shared.killed.store(true, Ordering::SeqCst);
        server.kill();
        let failures: Vec<_> = futures::future::join_all(clients)
            .await
            .into_iter()
            .filter_map(|log| log.unwrap().failure)
            .collect();
        panic!("the clients failed or made too little progress in {PROGRESS_DEADLINE:?} ({at_kill:?}): {failures:#?}");
    }
    tokio::time::sleep_until((started + kill_after).into()).await;
    shared.killed.store(true, Ordering::SeqCst);
    server.kill();
    let killed_at = started.elapsed();
    let client_logs: Vec<ClientLog> = tokio::time::timeout(CALL_TIMEOUT, futures::future::join_all(clients))
        .await
        .expect("the clients did not stop after the kill")
        .into_iter()
        .map(|log| log.unwrap())
        .collect();
    let failures: Vec<&String> = client_logs.iter().filter_map(|l| l.failure.as_ref()).collect();
    assert!(failures.is_empty(), "calls failed before the kill: {failures:#?}");
    let progress_at_kill = *progress.borrow();
    eprintln!(
        "crash test: killed after {killed_at:?}: {} uploads and {} publications acknowledged",
        progress_at_kill.uploads, progress_at_kill.publishes
    );
    drop(server);

    // Second life, on the same data.
    let server = ServerProcess::start(&storage, logs.path().join("second.log")).await;
    let control = connect(&server.url()).await;
    let (controller_token, _) = login(&control, CONTROLLER, &password_of(CONTROLLER)).await;
    let (reviewer_token, _) = login(&control, REVIEWER, &password_of(REVIEWER)).await;
    let (admin_token, _) = login(&control, "admin", ADMIN_PASSWORD).await;
    let mut controller = documents(control.clone(), &controller_token);
    let mut reviewer = documents(control.clone(), &reviewer_token);
    let mut problems = Vec::new();

    let all = list_documents(&mut controller).await;
    let mut downloaded = 0;
    let mut referenced = std::collections::HashSet::new();
    for document in &all {
        let seen = inspect(&mut controller, &document.name).await;
        check_invariants(&seen, &mut problems);
        downloaded += check_files(&mut controller, &seen, &mut problems).await;
        referenced.extend(
            seen.revisions
                .iter()
                .flat_map(|r| r.files.iter().map(|f| f.sha256.clone())),
        );
    }
    let mut logged = Vec::new();
    let mut in_flight = Vec::new();
    for log in client_logs.iter().filter_map(|l| l.document.as_ref()) {
        if !all.iter().any(|d| d.name == log.name) {
            problems.push(format!("{}: acknowledged as created but not listed", log.name));
            continue;
        }
        let seen = inspect(&mut controller, &log.name).await;
        check_against_log(&seen, log, &mut problems);
        in_flight.extend(resolve_in_flight(&seen, log));
        logged.push(seen);
    }
    let (blobs, stray) = check_blob_store(storage.data_dir.clone(), &mut problems).await;
    let documents_entries = verify_trail(&control, &admin_token, "trails/documents", &mut problems).await;
    verify_trail(&control, &admin_token, "trails/identity", &mut problems).await;
    assert!(
        problems.is_empty(),
        "after the restart (seed {seed}):\n{}",
        problems.join("\n")
    );
    let unreferenced = blobs.iter().filter(|digest| !referenced.contains(*digest)).count();
    let staging = staging_files(&storage.data_dir);
    let outcomes: Vec<String> = in_flight
        .iter()
        .map(|(kind, happened)| format!("{kind} {}", if *happened { "took effect" } else { "did not" }))
        .collect();
    eprintln!(
        "crash test: after the restart {} documents check out, {downloaded} bytes downloaded intact, \
         {} stored blobs match their digests ({unreferenced} referenced by no file, {} other files {stray:?}, \
         {staging} staging files left), {documents_entries} audit entries verified; in flight at the kill: {outcomes:?}",
        all.len(),
        blobs.len(),
        stray.len()
    );

    // The server keeps working: every revision the crash left open (drafts
    // full of uploads, half-reviewed ones) can be taken to publication …
    for seen in &logged {
        let before = seen.document.effective_revision;
        let Some(number) = finish_open_revision(&mut controller, &mut reviewer, &people.reviewer, seen).await else {
            continue;
        };
        let after = inspect(&mut controller, &seen.document.name).await;
        check_invariants(&after, &mut problems);
        assert_eq!(after.document.effective_revision, number, "{}", seen.document.name);
        if before > 0 {
            let previous = &after.revisions[before as usize - 1];
            assert_eq!(previous.state, revision::State::Superseded as i32, "{}", previous.name);
        }
    }
    // … and a new document goes all the way, its file intact.
    let document = create_document(&mut controller, &people.unit, "QT-SAU-KHOI-DONG")
        .await
        .unwrap();
    let revision = create_revision(&mut controller, &document.name).await.unwrap();
    let (bytes, sha256) = content(seed ^ 0x5eed, 3 * MIB + 17);
    let file = upload(&mut controller, &revision.name, "moi.pdf", &bytes)
        .await
        .unwrap();
    assert_eq!(file.sha256, sha256);
    submit(&mut controller, &revision.name, &people.reviewer).await.unwrap();
    approve(&mut reviewer, &revision.name).await.unwrap();
    let published = publish(&mut controller, &revision.name).await.unwrap();
    assert_eq!(published.state, revision::State::Effective as i32);
    let (_, got, size) = download(&mut controller, &file.name).await.unwrap();
    assert_eq!((got, size), (sha256, bytes.len() as u64));
    let after = inspect(&mut controller, &document.name).await;
    check_invariants(&after, &mut problems);
    let entries_after = verify_trail(&control, &admin_token, "trails/documents", &mut problems).await;
    assert!(entries_after > documents_entries);
    assert!(
        problems.is_empty(),
        "after finishing work on the restarted server (seed {seed}):\n{}",
        problems.join("\n")
    );

    check_search_index(&control, &admin_token, &mut controller, &storage, &mut problems).await;
    assert!(
        problems.is_empty(),
        "the search index after the restart (seed {seed}):\n{}",
        problems.join("\n")
    );

    drop(server);
    storage.backend.drop_storage().await;
}

// ---------------------------------------------------------------------------
// The search index after the crash.

/// Once the indexer has caught up, the index holds exactly the documents the
/// database holds (no missing, no duplicate entry), as they are now, and
/// each one's text is that of its effective revision (no stale revision):
/// the files of revision n are named `…-lan{n}.pdf`.
async fn check_search_index(
    channel: &Channel,
    admin_token: &str,
    controller: &mut Documents,
    storage: &Storage,
    problems: &mut Vec<String>,
) {
    let mut search = SearchServiceClient::with_interceptor(channel.clone(), bearer(Some(admin_token)));
    match wait_caught_up(&mut search, Duration::from_secs(60)).await {
        // Resumed from the cursors of its last commit, not rebuilt.
        Ok(status) => {
            if let Some(rebuild) = status.rebuild {
                problems.push(format!("the index was rebuilt after the kill: {rebuild:?}"));
            }
        }
        Err(status) => {
            problems.push(format!("the search index did not catch up in 60 s: {status:?}"));
            return;
        }
    }

    let documents = list_documents(controller).await;
    let state = |d: &Document| {
        document::State::try_from(d.state)
            .map(|s| s.as_str_name().trim_start_matches("STATE_").to_ascii_lowercase())
            .unwrap_or_default()
    };
    let mut expected: Vec<eiso_search::Entry> = documents
        .iter()
        .map(|d| eiso_search::Entry {
            name: d.name.clone(),
            kind: "document".into(),
            title: format!("{} {}", d.code, d.title),
            status: state(d),
        })
        .collect();
    expected.sort();
    let indexed = eiso_search::read_entries(&storage.data_dir.join("search")).unwrap();
    for entry in &indexed {
        if !expected.contains(entry) {
            problems.push(format!("indexed but not so in the database: {entry:?}"));
        }
    }
    for entry in &expected {
        match indexed.iter().filter(|e| *e == entry).count() {
            1 => {}
            0 => problems.push(format!("missing from the index: {entry:?}")),
            n => problems.push(format!("indexed {n} times: {entry:?}")),
        }
    }

    // Which documents each `lan{n}` must find: those whose effective
    // revision has a file so named (files uploaded after the restart are not).
    let mut marked: std::collections::BTreeMap<i32, Vec<String>> = Default::default();
    for document in documents.iter().filter(|d| d.effective_revision > 0) {
        let number = document.effective_revision;
        let seen = inspect(controller, &document.name).await;
        let marker = format!("-lan{number}.pdf");
        if seen.revisions[number as usize - 1]
            .files
            .iter()
            .any(|f| f.file_name.ends_with(&marker))
        {
            marked.entry(number).or_default().push(document.name.clone());
        }
    }
    let latest = documents.iter().map(|d| d.effective_revision).max().unwrap_or(0);
    for number in 1..=latest {
        let mut want = marked.remove(&number).unwrap_or_default();
        want.sort();
        let mut found = Vec::new();
        let mut page_token = String::new();
        loop {
            let page = search
                .search(SearchRequest {
                    query: format!("lan{number}"),
                    kinds: vec!["document".into()],
                    page_size: 100,
                    page_token,
                    ..Default::default()
                })
                .await
                .unwrap()
                .into_inner();
            found.extend(page.results.into_iter().map(|r| r.name));
            if page.next_page_token.is_empty() {
                break;
            }
            page_token = page.next_page_token;
        }
        found.sort();
        for name in want.iter().filter(|name| !found.contains(name)) {
            problems.push(format!(
                "{name}: the text of its effective revision {number} is not searchable"
            ));
        }
        for name in found.iter().filter(|name| !want.contains(name)) {
            problems.push(format!(
                "{name}: found by the text of revision {number}, which is not its effective one"
            ));
        }
    }
    eprintln!(
        "crash test: the search index holds exactly the {} documents, each with its effective revision's text",
        expected.len()
    );
}
