//! The search index's sources: each service's event stream, and the loading
//! of an item's current state, through [`SearchReads`] (the services in this
//! process, or over gRPC), as a principal that sees everything (the index
//! records who may see each item; the search filters by it).
//!
//! Events name what changed; an item is always reloaded whole, so handling
//! an event twice, or out of date, converges on the current state.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use eiso_platform::directory::Directory;
use eiso_platform::policy::ALL_ROLES;
use eiso_platform::{ServiceError, ServiceResult};
use eiso_proto::eiso::documents::v1 as docs;
use eiso_proto::eiso::event::v1::Event;
use eiso_proto::eiso::identity::v1::Role;
use eiso_proto::labels::Label;
use eiso_proto::prost::Message;
use eiso_proto::prost_types::{Any, Timestamp};
use eiso_search::extract;
use eiso_search::source::Answer;
use eiso_search::{Change, SearchItem, Source, readers};
use futures::stream::{BoxStream, StreamExt, TryStreamExt};

use crate::search_reads::{SearchReads, Stream};

/// Fault injection for tests, never set in production: the name of a file
/// whose indexing kills this process, the way an allocation failure in a
/// parser does (see [`crate::inject_fault_abort_on_file`]).
static FAULT_ABORT_ON_FILE: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Sets the fault-injection hook (tests of the poison-event quarantine).
pub(crate) fn inject_fault_abort_on_file(file_name: String) {
    let _ = FAULT_ABORT_ON_FILE.set(file_name);
}

/// Dies if `file_name` is the one the fault-injection hook names: asks for a
/// terabyte (which fails under any memory cap, and aborts the process as an
/// allocation failure does: no panic, no unwinding), then aborts anyway.
fn fault_point(file_name: &str) {
    if FAULT_ABORT_ON_FILE.get().is_some_and(|name| name == file_name) {
        tracing::error!(
            file_name,
            "search: fault injection: aborting the process while indexing this file"
        );
        let mut hog: Vec<u8> = Vec::new();
        if hog.try_reserve_exact(1 << 40).is_err()
            && let Ok(layout) = std::alloc::Layout::array::<u8>(1 << 40)
        {
            std::alloc::handle_alloc_error(layout);
        }
        std::process::abort();
    }
}

/// The reader tokens of an item of `unit` that `roles` may read: the
/// platform's scoping rule, as the index keeps it.
async fn within(directory: &dyn Directory, roles: &[Role], unit: &str) -> ServiceResult<Vec<String>> {
    Ok(readers::within(roles, &directory.ancestors(unit).await?))
}

fn time(timestamp: Option<&Timestamp>) -> DateTime<Utc> {
    timestamp
        .and_then(eiso_platform::aip::time::stored_instant)
        .unwrap_or_default()
}

/// `DOCUMENT_TYPE_PROCEDURE` → `procedure`.
fn short(enum_name: &str, prefix: &str) -> String {
    enum_name.strip_prefix(prefix).unwrap_or(enum_name).to_ascii_lowercase()
}

/// The item an event is about: its resource name cut to the collection and id
/// (`documents/{id}/revisions/2/files/x` → `documents/{id}`).
fn subject(resource: &str) -> Option<String> {
    let mut parts = resource.splitn(3, '/');
    let collection = parts.next()?;
    let id = parts.next()?;
    (!id.is_empty()).then(|| format!("{collection}/{id}"))
}

/// Distinct subjects of `events` in `collections`, in first-seen order.
fn subjects(events: &[Event], collections: &[&str]) -> Vec<String> {
    let mut seen = Vec::new();
    for event in events {
        if let Some(subject) = subject(&event.resource)
            && collections.iter().any(|c| subject.starts_with(&format!("{c}/")))
            && !seen.contains(&subject)
        {
            seen.push(subject);
        }
    }
    seen
}

/// A missing item is deleted from the index; other failures are retried.
fn upsert_or_delete(name: &str, loaded: ServiceResult<SearchItem>) -> ServiceResult<Change> {
    match loaded {
        Ok(item) => Ok(Change::Upsert(Box::new(item))),
        Err(ServiceError::NotFound(_)) => Ok(Change::Delete(name.to_string())),
        Err(error) => Err(error),
    }
}

/// Items of a batch the documents source loads at once.
const ITEMS_IN_FLIGHT: usize = 4;

/// The documents service: controlled documents (metadata and the text of the
/// effective revision's files) and records.
pub struct DocumentsSource {
    pub reads: Arc<dyn SearchReads>,
    /// Where the text of files is extracted (a child process in the server).
    pub extractor: extract::Extractor,
    /// Places each document and record in the unit tree.
    pub directory: Arc<dyn Directory>,
}

impl DocumentsSource {
    /// Names and text of `files`, each extracted by the extractor (a file
    /// that cannot be read is indexed by name only).
    async fn files_text(&self, files: &[docs::File]) -> String {
        let mut text = String::new();
        for file in files {
            fault_point(&file.file_name);
            text.push_str(&file.file_name);
            text.push('\n');
            let Some(format) = extract::format(&file.content_type, &file.file_name) else {
                continue;
            };
            if file.size < 0 || file.size as u64 > extract::MAX_INPUT_BYTES {
                continue;
            }
            match self.reads.file_content(&file.name).await {
                Ok(content) => match self.extractor.text(format, content).await {
                    Ok(extracted) => {
                        text.push_str(&extracted);
                        text.push('\n');
                    }
                    Err(error) => tracing::warn!(file = %file.name, %error, "search: no text taken; name only"),
                },
                Err(error) => tracing::warn!(file = %file.name, %error, "search: cannot read file"),
            }
            if text.len() > eiso_search::item::MAX_BODY_BYTES {
                break;
            }
        }
        text
    }

    async fn document(&self, name: &str) -> ServiceResult<SearchItem> {
        let document = self.reads.document(name).await?;
        let mut body = String::new();
        for tag in &document.tags {
            body.push_str(tag);
            body.push('\n');
        }
        if let Some(origin) = &document.external_origin {
            body.push_str(&format!("{} {}\n", origin.issuer, origin.reference));
        }
        if document.effective_revision > 0 {
            let revision = self
                .reads
                .revision(&format!("{name}/revisions/{}", document.effective_revision))
                .await?;
            body.push_str(&revision.change_summary);
            body.push('\n');
            body.push_str(&self.files_text(&revision.files).await);
        }
        let restricted = document.confidentiality == docs::Confidentiality::Restricted as i32;
        let readers = if restricted {
            within(self.directory.as_ref(), &ALL_ROLES, &document.owner_unit).await?
        } else {
            vec![readers::EVERYONE.to_string()]
        };
        Ok(SearchItem {
            name: document.name.clone(),
            kind: "document".to_string(),
            title: format!("{} {}", document.code, document.title),
            body,
            personal: String::new(),
            unit: document.owner_unit.clone(),
            item_type: short(document.r#type().as_str_name(), "DOCUMENT_TYPE_"),
            status: short(document.state().as_str_name(), "STATE_"),
            readers,
            update_time: time(document.update_time.as_ref()),
        })
    }

    async fn record(&self, name: &str) -> ServiceResult<SearchItem> {
        let record = self.reads.record(name).await?;
        Ok(SearchItem {
            name: record.name.clone(),
            kind: "record".to_string(),
            title: record.title.clone(),
            body: self.files_text(&record.files).await,
            personal: String::new(),
            unit: record.owner_unit.clone(),
            item_type: String::new(),
            status: short(record.state().as_str_name(), "STATE_"),
            readers: within(self.directory.as_ref(), &ALL_ROLES, &record.owner_unit).await?,
            update_time: time(record.update_time.as_ref().or(record.create_time.as_ref())),
        })
    }
}

impl Source for DocumentsSource {
    fn stream(&self) -> &'static str {
        eiso_documents::SERVICE_NAME
    }

    fn watch(&self, after_sequence: i64) -> BoxStream<'static, ServiceResult<Event>> {
        self.reads.watch(Stream::Documents, after_sequence)
    }

    fn head(&self) -> Answer<'_, i64> {
        self.reads.head(Stream::Documents)
    }

    fn subject(&self, event: &Event) -> Option<String> {
        subjects(std::slice::from_ref(event), &["documents", "records"]).pop()
    }

    fn changes<'a>(&'a self, events: &'a [Event]) -> Answer<'a, Vec<Change>> {
        Box::pin(async move {
            // Several items in flight: each waits on its reads and its files'
            // extraction, not on the CPU (a rebuild reloads every item).
            futures::stream::iter(subjects(events, &["documents", "records"]))
                .map(|name| async move {
                    let loaded = if name.starts_with("documents/") {
                        self.document(&name).await
                    } else {
                        self.record(&name).await
                    };
                    upsert_or_delete(&name, loaded)
                })
                .buffered(ITEMS_IN_FLIGHT)
                .try_collect()
                .await
        })
    }
}

/// The procedures service: the catalogue and dossiers (with the applicant's
/// data as personal data).
pub struct ProceduresSource {
    pub reads: Arc<dyn SearchReads>,
    pub directory: Arc<dyn Directory>,
}

impl ProceduresSource {
    async fn procedure(&self, name: &str) -> ServiceResult<SearchItem> {
        let procedure = self.reads.procedure(name).await?;
        let version = procedure.version.clone().unwrap_or_default();
        let mut body = format!("{}\n{}\n", procedure.code, version.field);
        for step in &version.steps {
            body.push_str(&step.display_name);
            body.push('\n');
        }
        for document in &version.required_documents {
            body.push_str(&document.display_name);
            body.push('\n');
        }
        for fee in &version.fees {
            body.push_str(&fee.description);
            body.push('\n');
        }
        for basis in &version.legal_basis {
            body.push_str(basis);
            body.push('\n');
        }
        Ok(SearchItem {
            name: procedure.name.clone(),
            kind: "procedure".to_string(),
            title: format!("{} {}", procedure.code, version.display_name),
            body,
            personal: String::new(),
            unit: version.agency.clone(),
            item_type: version.field.clone(),
            status: short(procedure.state().as_str_name(), "STATE_"),
            readers: vec![readers::EVERYONE.to_string()],
            update_time: time(procedure.update_time.as_ref()),
        })
    }

    async fn dossier(&self, name: &str, procedures: &mut HashMap<String, String>) -> ServiceResult<SearchItem> {
        let dossier = self.reads.dossier(name).await?;
        let procedure_title = match procedures.get(&dossier.procedure_version) {
            Some(title) => title.clone(),
            None => {
                let title = self
                    .reads
                    .procedure(&dossier.procedure_version)
                    .await
                    .map(|p| p.version.map(|v| v.display_name).unwrap_or_default())
                    .unwrap_or_default();
                procedures.insert(dossier.procedure_version.clone(), title.clone());
                title
            }
        };
        let mut body = format!("{}\n{}\n{}\n", dossier.summary, procedure_title, dossier.result_summary);
        for document in &dossier.documents {
            body.push_str(&document.display_name);
            body.push('\n');
        }
        let personal = dossier
            .applicant
            .as_ref()
            .map(|a| [a.full_name.as_str(), &a.id_number, &a.phone, &a.address, &a.email].join("\n"))
            .unwrap_or_default();
        Ok(SearchItem {
            name: dossier.name.clone(),
            kind: "dossier".to_string(),
            title: format!("{} {}", dossier.code, procedure_title),
            body,
            personal,
            unit: dossier.agency.clone(),
            item_type: dossier
                .procedure_version
                .split('/')
                .nth(1)
                .unwrap_or_default()
                .to_string(),
            status: short(dossier.status().as_str_name(), "DOSSIER_STATUS_"),
            readers: within(self.directory.as_ref(), &ALL_ROLES, &dossier.agency).await?,
            update_time: time(dossier.update_time.as_ref()),
        })
    }
}

impl Source for ProceduresSource {
    fn stream(&self) -> &'static str {
        eiso_procedures::SERVICE_NAME
    }

    fn watch(&self, after_sequence: i64) -> BoxStream<'static, ServiceResult<Event>> {
        self.reads.watch(Stream::Procedures, after_sequence)
    }

    fn head(&self) -> Answer<'_, i64> {
        self.reads.head(Stream::Procedures)
    }

    fn subject(&self, event: &Event) -> Option<String> {
        subjects(std::slice::from_ref(event), &["procedures", "dossiers"]).pop()
    }

    fn changes<'a>(&'a self, events: &'a [Event]) -> Answer<'a, Vec<Change>> {
        Box::pin(async move {
            let mut procedures = HashMap::new();
            let mut changes = Vec::new();
            for name in subjects(events, &["procedures", "dossiers"]) {
                let loaded = if name.starts_with("procedures/") {
                    self.procedure(&name).await
                } else {
                    self.dossier(&name, &mut procedures).await
                };
                changes.push(upsert_or_delete(&name, loaded)?);
            }
            Ok(changes)
        })
    }
}

/// The unit a plan or quality resource belongs to, as its event tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    Unit(String),
    /// The plan's issuing unit (tasks and reports), `plans/{id}`.
    Plan(String),
    /// The audit's programme's unit (audits and findings), `audits/{id}`.
    Audit(String),
    /// The diagnostic's unit (its assessments), `diagnostics/{id}`.
    Diagnostic(String),
}

/// An item from an event's payload, before its readers are known.
pub struct PayloadItem {
    item: SearchItem,
    /// The roles whose bindings over the owner unit read it.
    roles: &'static [Role],
    owner: Owner,
    /// Whether its title ends with its unit's name (added once the name is
    /// looked up: an inspection is "Kiểm tra Trường Tiểu học …").
    unit_in_title: bool,
}

/// A service whose events carry the whole resource (plans, quality): each
/// event's payload is indexed as it is; the last event of a resource wins.
/// Its readers are the platform's scoping rule over the unit it belongs to.
pub struct PayloadSource {
    stream: Stream,
    item: fn(&Any) -> Option<PayloadItem>,
    owners: Arc<Owners>,
}

/// Finds the unit a plan or quality resource belongs to.
pub struct Owners {
    reads: Arc<dyn SearchReads>,
    directory: Arc<dyn Directory>,
}

impl Owners {
    /// The owner's unit; `None` when the owning resource is gone.
    async fn unit(&self, owner: &Owner) -> ServiceResult<Option<String>> {
        let found = match owner {
            Owner::Unit(unit) => Ok(unit.clone()),
            Owner::Plan(name) => self.reads.plan(name).await.map(|plan| plan.issuing_unit),
            Owner::Audit(name) => match self.reads.audit(name).await {
                Ok(audit) => self
                    .reads
                    .audit_programme(&audit.programme)
                    .await
                    .map(|programme| programme.unit),
                Err(error) => Err(error),
            },
            Owner::Diagnostic(name) => self.reads.diagnostic(name).await.map(|diagnostic| diagnostic.unit),
        };
        match found {
            Ok(unit) if !unit.is_empty() => Ok(Some(unit)),
            Ok(_) | Err(ServiceError::NotFound(_)) | Err(ServiceError::InvalidArgument(_)) => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// The display name of `unit`, `None` when it has none or is unknown.
    async fn unit_name(&self, unit: &str) -> ServiceResult<Option<String>> {
        if unit.is_empty() {
            return Ok(None);
        }
        let found = self.directory.unit(unit).await?;
        Ok(found
            .map(|unit| unit.display_name)
            .filter(|name| !name.trim().is_empty()))
    }

    /// Who reads what belongs to `unit`: nobody when it belongs to no unit.
    async fn readers(&self, roles: &[Role], unit: Option<&str>) -> ServiceResult<Vec<String>> {
        match unit {
            Some(unit) => within(self.directory.as_ref(), roles, unit).await,
            None => Ok(Vec::new()),
        }
    }
}

impl Source for PayloadSource {
    fn stream(&self) -> &'static str {
        self.stream.name()
    }

    fn watch(&self, after_sequence: i64) -> BoxStream<'static, ServiceResult<Event>> {
        self.owners.reads.watch(self.stream, after_sequence)
    }

    fn head(&self) -> Answer<'_, i64> {
        self.owners.reads.head(self.stream)
    }

    fn changes<'a>(&'a self, events: &'a [Event]) -> Answer<'a, Vec<Change>> {
        Box::pin(async move {
            let mut changes = Vec::new();
            for event in events {
                if event.r#type.ends_with(".deleted") {
                    changes.push(Change::Delete(event.resource.clone()));
                    continue;
                }
                let Some(payload) = event.payload.as_ref().and_then(self.item) else {
                    continue;
                };
                let mut item = payload.item;
                let owner = self.owners.unit(&payload.owner).await?;
                item.readers = self.owners.readers(payload.roles, owner.as_deref()).await?;
                // An item that names no unit of its own is its owner's.
                if item.unit.is_empty() {
                    item.unit = owner.unwrap_or_default();
                }
                // Found by its unit's name, and shown with it rather than its id.
                let unit_name = self.owners.unit_name(&item.unit).await?;
                let unit_label = unit_name.as_deref().unwrap_or(&item.unit);
                if payload.unit_in_title {
                    item.title = format!("{} {unit_label}", item.title);
                }
                if let Some(unit_name) = &unit_name {
                    item.body = lines([item.body.as_str(), unit_name]);
                }
                changes.push(Change::Upsert(Box::new(item)));
            }
            Ok(changes)
        })
    }
}

fn decode<M: Message + Default + eiso_proto::prost::Name>(payload: &Any) -> Option<M> {
    (payload.type_url == M::type_url())
        .then(|| M::decode(payload.value.as_slice()).ok())
        .flatten()
}

fn lines<'a>(parts: impl IntoIterator<Item = &'a str>) -> String {
    parts
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// `plans/{id}/tasks/{id}` → `plans/{id}` (and so for reports, findings).
fn parent_of(name: &str) -> String {
    name.splitn(3, '/').take(2).collect::<Vec<_>>().join("/")
}

/// Plan tasks and periodic reports; every role bound over the plan's unit reads them.
fn plan_item(payload: &Any) -> Option<PayloadItem> {
    use eiso_proto::eiso::plans::v1 as plans;
    let scoped = |item: SearchItem| PayloadItem {
        owner: Owner::Plan(parent_of(&item.name)),
        item,
        roles: &ALL_ROLES,
        unit_in_title: false,
    };
    if let Some(task) = decode::<plans::Task>(payload) {
        let progress: Vec<&str> = task.progress.iter().map(|p| p.note.as_str()).collect();
        let evidence: Vec<&str> = task.evidence.iter().map(|e| e.title.as_str()).collect();
        let status = task.status().label_vi();
        let mut title = format!("{} {}", task.number, task.content);
        eiso_search::item::truncate(&mut title, 400);
        return Some(scoped(SearchItem {
            name: task.name.clone(),
            kind: "plan_task".into(),
            title,
            body: lines(
                [
                    task.content.as_str(),
                    &task.product,
                    &task.responsible_units_text,
                    &task.time_frame,
                    &task.notes,
                    status,
                ]
                .into_iter()
                .chain(progress)
                .chain(evidence),
            ),
            personal: String::new(),
            unit: task.responsible_units.first().cloned().unwrap_or_default(),
            item_type: String::new(),
            status: short(task.status().as_str_name(), "TASK_STATUS_"),
            readers: Vec::new(),
            update_time: time(task.update_time.as_ref()),
        }));
    }
    if let Some(report) = decode::<plans::Report>(payload) {
        let tasks: Vec<String> = report
            .tasks
            .iter()
            .map(|t| format!("{} {} {}", t.number, t.content, t.latest_note))
            .collect();
        return Some(scoped(SearchItem {
            name: report.name.clone(),
            kind: "plan_report".into(),
            title: report.title.clone(),
            body: lines(
                [report.period.as_str()]
                    .into_iter()
                    .chain(tasks.iter().map(|t| t.as_str())),
            ),
            personal: String::new(),
            unit: String::new(),
            item_type: short(report.kind().as_str_name(), "REPORT_KIND_"),
            status: String::new(),
            readers: Vec::new(),
            update_time: time(report.create_time.as_ref()),
        }));
    }
    None
}

/// Who reads the quality system: as its read methods allow (not the counter).
const QUALITY_READERS: [Role; 6] = [
    Role::Admin,
    Role::DocumentController,
    Role::ProcessingOfficer,
    Role::Leader,
    Role::InternalAuditor,
    Role::Viewer,
];

/// Findings, corrective actions, audits and inspections.
fn quality_item(payload: &Any) -> Option<PayloadItem> {
    use eiso_proto::eiso::quality::v1 as quality;
    let item = |owner: Owner,
                name: &str,
                kind: &str,
                title: String,
                body: String,
                unit: &str,
                item_type: String,
                status: String,
                update: Option<&Timestamp>| PayloadItem {
        unit_in_title: false,
        item: SearchItem {
            name: name.to_string(),
            kind: kind.to_string(),
            title,
            body,
            personal: String::new(),
            unit: unit.to_string(),
            item_type,
            status,
            readers: Vec::new(),
            update_time: time(update),
        },
        roles: &QUALITY_READERS,
        owner,
    };
    if let Some(finding) = decode::<quality::Finding>(payload) {
        let evidence: Vec<&str> = finding.evidence.iter().map(|e| e.title.as_str()).collect();
        let kind = short(finding.r#type().as_str_name(), "FINDING_TYPE_");
        let kind_vi = finding.r#type().label_vi();
        let mut title = format!("{} ({kind_vi}) {}", finding.clause, finding.statement);
        eiso_search::item::truncate(&mut title, 400);
        let (status, status_vi) = if finding.corrective_action.is_empty() {
            ("open", "Chưa có hành động khắc phục")
        } else {
            ("action_raised", "Đã có hành động khắc phục")
        };
        // The type and status in Vietnamese and by their codes, as people search.
        let codes = format!("{} {status}", kind.replace('_', " "));
        return Some(item(
            Owner::Audit(parent_of(&finding.name)),
            &finding.name,
            "finding",
            title,
            lines(
                [finding.statement.as_str(), kind_vi, status_vi, &codes]
                    .into_iter()
                    .chain(evidence),
            ),
            &finding.auditee,
            kind,
            status.into(),
            finding.update_time.as_ref(),
        ));
    }
    if let Some(action) = decode::<quality::CorrectiveAction>(payload) {
        let planned: Vec<&str> = action.actions.iter().map(|a| a.description.as_str()).collect();
        let state = action.state();
        let codes = short(state.as_str_name(), "STATE_").replace('_', " ");
        let mut title = format!("Hành động khắc phục: {}", action.nonconformity);
        eiso_search::item::truncate(&mut title, 400);
        return Some(item(
            Owner::Unit(action.unit.clone()),
            &action.name,
            "corrective_action",
            title,
            lines(
                [
                    action.nonconformity.as_str(),
                    &action.root_cause,
                    &action.implementation_note,
                    state.label_vi(),
                    &codes,
                ]
                .into_iter()
                .chain(planned),
            ),
            &action.unit,
            String::new(),
            short(state.as_str_name(), "STATE_"),
            action.update_time.as_ref(),
        ));
    }
    if let Some(audit) = decode::<quality::Audit>(payload) {
        let checklist: Vec<String> = audit
            .checklist
            .iter()
            .map(|c| format!("{} {} {} {}", c.clause, c.question, c.result().label_vi(), c.note))
            .collect();
        return Some(item(
            Owner::Audit(audit.name.clone()),
            &audit.name,
            "audit",
            audit.title.clone(),
            lines(
                [audit.scope.as_str(), &audit.conclusion, audit.state().label_vi()]
                    .into_iter()
                    .chain(audit.criteria.iter().map(String::as_str))
                    .chain(checklist.iter().map(String::as_str)),
            ),
            audit.auditees.first().map(String::as_str).unwrap_or_default(),
            String::new(),
            short(audit.state().as_str_name(), "STATE_"),
            audit.update_time.as_ref(),
        ));
    }
    if let Some(diagnostic) = decode::<quality::Diagnostic>(payload) {
        let mut title = format!("Chẩn đoán ISO 18091 kỳ {}", diagnostic.period);
        if !diagnostic.title.is_empty() {
            title = format!("{title}: {}", diagnostic.title);
        }
        eiso_search::item::truncate(&mut title, 400);
        return Some(item(
            Owner::Unit(diagnostic.unit.clone()),
            &diagnostic.name,
            "diagnostic",
            title,
            lines([diagnostic.title.as_str(), &diagnostic.period]),
            &diagnostic.unit,
            String::new(),
            String::new(),
            diagnostic.create_time.as_ref(),
        ));
    }
    if let Some(assessment) = decode::<quality::Assessment>(payload) {
        let evidence: Vec<&str> = assessment.evidence.iter().map(|e| e.title.as_str()).collect();
        let number = assessment
            .indicator
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .replace('-', ".");
        let colour = assessment.colour();
        let change = assessment.change();
        let previous = assessment.previous_colour();
        let mut title = format!("Chỉ số {number}: {}", colour.label_vi());
        if change != quality::Change::Unspecified {
            title = format!(
                "{title} ({}, kỳ trước {})",
                change.label_vi(),
                previous.label_vi().to_lowercase()
            );
        }
        // The colour and the change in Vietnamese and by their codes, as people search.
        let compared = change != quality::Change::Unspecified;
        let change_code = if compared {
            short(change.as_str_name(), "CHANGE_")
        } else {
            String::new()
        };
        let change_vi = if compared { change.label_vi() } else { "" };
        let codes = format!("{} {change_code}", short(colour.as_str_name(), "COLOUR_"));
        return Some(item(
            Owner::Diagnostic(parent_of(&assessment.name)),
            &assessment.name,
            "assessment",
            title,
            lines(
                [assessment.note.as_str(), colour.label_vi(), change_vi, &codes]
                    .into_iter()
                    .chain(evidence),
            ),
            "",
            short(colour.as_str_name(), "COLOUR_"),
            change_code,
            assessment.update_time.as_ref(),
        ));
    }
    if let Some(inspection) = decode::<quality::Inspection>(payload) {
        let evidence: Vec<&str> = inspection.evidence.iter().map(|e| e.title.as_str()).collect();
        let inspected = item(
            Owner::Unit(inspection.unit.clone()),
            &inspection.name,
            "inspection",
            "Kiểm tra".to_string(),
            lines(
                [
                    inspection.findings.as_str(),
                    &inspection.cancel_reason,
                    inspection.state().label_vi(),
                ]
                .into_iter()
                .chain(evidence),
            ),
            &inspection.unit,
            String::new(),
            short(inspection.state().as_str_name(), "STATE_"),
            inspection.update_time.as_ref(),
        );
        return Some(PayloadItem {
            unit_in_title: true,
            ..inspected
        });
    }
    None
}

/// The sources of the index, read through `reads`.
pub fn sources(
    reads: Arc<dyn SearchReads>,
    extractor: extract::Extractor,
    directory: Arc<dyn Directory>,
) -> Vec<Arc<dyn Source>> {
    let owners = Arc::new(Owners {
        reads: reads.clone(),
        directory: directory.clone(),
    });
    vec![
        Arc::new(DocumentsSource {
            reads: reads.clone(),
            extractor,
            directory: directory.clone(),
        }),
        Arc::new(ProceduresSource { reads, directory }),
        Arc::new(PayloadSource {
            stream: Stream::Plans,
            item: plan_item,
            owners: owners.clone(),
        }),
        Arc::new(PayloadSource {
            stream: Stream::Quality,
            item: quality_item,
            owners,
        }),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_are_the_top_level_resources() {
        assert_eq!(
            subject("documents/abc/revisions/2/files/x").as_deref(),
            Some("documents/abc")
        );
        assert_eq!(subject("records/r1").as_deref(), Some("records/r1"));
        assert_eq!(subject("calendar"), None);
        let event = |resource: &str| Event {
            resource: resource.to_string(),
            ..Default::default()
        };
        let events = [
            event("documents/a/revisions/1"),
            event("calendars/default"),
            event("documents/a"),
            event("records/b/files/c"),
        ];
        assert_eq!(
            subjects(&events, &["documents", "records"]),
            ["documents/a", "records/b"]
        );
    }
}
