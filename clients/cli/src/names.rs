//! Parsing what people type — resource names, `ROLE@UNIT`, unit kinds,
//! document types, procedures, dossiers, copy kinds — and showing enum values
//! back to them (the procedures' in Vietnamese, as the forms print them).

use clap::ValueEnum;
use eiso_proto::eiso::documents::v1::{Confidentiality, Disposition, DocumentType, document, record, review, revision};
use eiso_proto::eiso::identity::v1::{Role, RoleBinding, UnitKind, unit, user};
use eiso_proto::eiso::procedures::v1::{
    Channel, CopyKind, DossierStatus, Form, OnlineLevel, Outcome, ProcedureLevel, ReceivedDocument, Satisfaction,
    SupplementMode, Weekday, procedure, procedure_version,
};
use serde_json::{Value, json};
use unicode_normalization::UnicodeNormalization;

/// Resource collections whose names the CLI accepts.
pub const UNITS: &str = "units";
/// See [`UNITS`].
pub const USERS: &str = "users";
/// See [`UNITS`].
pub const CLIENTS: &str = "clients";
/// See [`UNITS`].
pub const TRAILS: &str = "trails";
/// See [`UNITS`].
pub const DOCUMENTS: &str = "documents";
/// See [`UNITS`].
pub const RECORDS: &str = "records";
/// See [`UNITS`].
pub const PROCEDURES: &str = "procedures";
/// See [`UNITS`].
pub const DOSSIERS: &str = "dossiers";
/// See [`UNITS`].
pub const CALENDARS: &str = "calendars";

/// `collection/id` from either `collection/id` or a bare `id`.
pub fn normalise_name(collection: &str, input: &str) -> Result<String, String> {
    let input = input.trim();
    let id = input
        .strip_prefix(collection)
        .and_then(|rest| rest.strip_prefix('/'))
        .unwrap_or(input);
    if id.is_empty() {
        return Err(format!("expected `{collection}/ID` or `ID`, got an empty name"));
    }
    if id.contains('/') || id.chars().any(char::is_whitespace) {
        return Err(format!(
            "`{input}` is not a {collection} name: expected `{collection}/ID` or `ID`"
        ));
    }
    Ok(format!("{collection}/{id}"))
}

/// clap value parser for a unit name.
pub fn unit_name(input: &str) -> Result<String, String> {
    normalise_name(UNITS, input)
}

/// clap value parser for a unit name that may be empty, meaning "none".
pub fn optional_unit_name(input: &str) -> Result<String, String> {
    if input.trim().is_empty() {
        Ok(String::new())
    } else {
        unit_name(input)
    }
}

/// clap value parser for a user name.
pub fn user_name(input: &str) -> Result<String, String> {
    normalise_name(USERS, input)
}

/// clap value parser for an API client name.
pub fn client_name(input: &str) -> Result<String, String> {
    normalise_name(CLIENTS, input)
}

/// clap value parser for an audit trail: `identity` or `trails/identity`.
pub fn trail_name(input: &str) -> Result<String, String> {
    normalise_name(TRAILS, input)
}

/// The id part of `collection/id`.
pub fn short_id(name: &str) -> &str {
    name.rsplit_once('/').map_or(name, |(_, id)| id)
}

/// Text as people type it, in Unicode NFC (the composed form a Vietnamese
/// keyboard on Windows sends; macOS may send the decomposed one), trimmed.
pub fn nfc(text: &str) -> String {
    text.trim().nfc().collect()
}

/// A role as typed on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RoleArg {
    /// Manages units, users and API clients.
    Admin,
    /// ISO document controller (thư ký ISO).
    DocumentController,
    /// One-stop counter staff (cán bộ một cửa).
    CounterStaff,
    /// Processing officer (chuyên viên).
    ProcessingOfficer,
    /// Leader (lãnh đạo).
    Leader,
    /// ISO internal auditor.
    InternalAuditor,
    /// Read-only access.
    Viewer,
}

impl From<RoleArg> for Role {
    fn from(role: RoleArg) -> Self {
        match role {
            RoleArg::Admin => Role::Admin,
            RoleArg::DocumentController => Role::DocumentController,
            RoleArg::CounterStaff => Role::CounterStaff,
            RoleArg::ProcessingOfficer => Role::ProcessingOfficer,
            RoleArg::Leader => Role::Leader,
            RoleArg::InternalAuditor => Role::InternalAuditor,
            RoleArg::Viewer => Role::Viewer,
        }
    }
}

/// The command-line name of a role (`document-controller`).
pub fn role_label(role: i32) -> String {
    let arg = match Role::try_from(role) {
        Ok(Role::Admin) => RoleArg::Admin,
        Ok(Role::DocumentController) => RoleArg::DocumentController,
        Ok(Role::CounterStaff) => RoleArg::CounterStaff,
        Ok(Role::ProcessingOfficer) => RoleArg::ProcessingOfficer,
        Ok(Role::Leader) => RoleArg::Leader,
        Ok(Role::InternalAuditor) => RoleArg::InternalAuditor,
        Ok(Role::Viewer) => RoleArg::Viewer,
        Ok(Role::Unspecified) => return "unspecified".to_string(),
        Err(_) => return format!("role({role})"),
    };
    value_name(arg)
}

/// clap value parser for `ROLE@UNIT`, e.g. `counter-staff@units/mot-cua` or
/// `viewer@31-gddt`. The role is case-insensitive and `_` may stand for `-`.
pub fn parse_role_binding(input: &str) -> Result<RoleBinding, String> {
    let (role, unit) = input
        .trim()
        .split_once('@')
        .ok_or_else(|| format!("`{input}` is not ROLE@UNIT (e.g. viewer@units/31-gddt)"))?;
    let role_text = role.trim().to_ascii_lowercase().replace('_', "-");
    let role_text = role_text.strip_prefix("role-").unwrap_or(&role_text);
    let role = RoleArg::from_str(role_text, true).map_err(|_| {
        let known = RoleArg::value_variants()
            .iter()
            .map(|role| value_name(*role))
            .collect::<Vec<_>>()
            .join(", ");
        format!("`{role}` is not a role: expected one of {known}")
    })?;
    Ok(RoleBinding {
        role: Role::from(role) as i32,
        unit: unit_name(unit)?,
    })
}

/// `role@units/id`, as [`parse_role_binding`] reads it back.
pub fn role_binding_label(binding: &RoleBinding) -> String {
    format!("{}@{}", role_label(binding.role), binding.unit)
}

/// Role bindings for a table cell: one a line.
pub fn role_bindings_cell(bindings: &[RoleBinding]) -> String {
    bindings.iter().map(role_binding_label).collect::<Vec<_>>().join("\n")
}

/// Role bindings for JSON.
pub fn role_bindings_json(bindings: &[RoleBinding]) -> Value {
    Value::Array(
        bindings
            .iter()
            .map(|binding| {
                json!({
                    "role": enum_json(Role::try_from(binding.role).map(|role| role.as_str_name()), binding.role),
                    "unit": binding.unit,
                })
            })
            .collect(),
    )
}

/// A unit kind as typed on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    /// A specialised office or department (phòng, sở).
    Office,
    /// A commune, ward or special zone (xã, phường, đặc khu).
    Commune,
    /// A province or centrally-run city (tỉnh, thành phố).
    Province,
    /// A district-level unit (huyện, quận), kept for history.
    District,
    /// A public administration service centre or one-stop counter.
    ServiceCentre,
    /// Preschool (mầm non).
    Preschool,
    /// Primary school (tiểu học).
    PrimarySchool,
    /// Lower-secondary school (trung học cơ sở).
    LowerSecondarySchool,
    /// Upper-secondary school (trung học phổ thông).
    UpperSecondarySchool,
    /// School spanning several levels (trường liên cấp).
    MultiLevelSchool,
    /// Any other unit.
    Other,
}

impl From<KindArg> for UnitKind {
    fn from(kind: KindArg) -> Self {
        match kind {
            KindArg::Office => UnitKind::Office,
            KindArg::Commune => UnitKind::Commune,
            KindArg::Province => UnitKind::Province,
            KindArg::District => UnitKind::District,
            KindArg::ServiceCentre => UnitKind::ServiceCentre,
            KindArg::Preschool => UnitKind::Preschool,
            KindArg::PrimarySchool => UnitKind::PrimarySchool,
            KindArg::LowerSecondarySchool => UnitKind::LowerSecondarySchool,
            KindArg::UpperSecondarySchool => UnitKind::UpperSecondarySchool,
            KindArg::MultiLevelSchool => UnitKind::MultiLevelSchool,
            KindArg::Other => UnitKind::Other,
        }
    }
}

/// The command-line name of a unit kind (`service-centre`).
pub fn kind_label(kind: i32) -> String {
    let arg = match UnitKind::try_from(kind) {
        Ok(UnitKind::Office) => KindArg::Office,
        Ok(UnitKind::Commune) => KindArg::Commune,
        Ok(UnitKind::Province) => KindArg::Province,
        Ok(UnitKind::District) => KindArg::District,
        Ok(UnitKind::ServiceCentre) => KindArg::ServiceCentre,
        Ok(UnitKind::Preschool) => KindArg::Preschool,
        Ok(UnitKind::PrimarySchool) => KindArg::PrimarySchool,
        Ok(UnitKind::LowerSecondarySchool) => KindArg::LowerSecondarySchool,
        Ok(UnitKind::UpperSecondarySchool) => KindArg::UpperSecondarySchool,
        Ok(UnitKind::MultiLevelSchool) => KindArg::MultiLevelSchool,
        Ok(UnitKind::Other) => KindArg::Other,
        Ok(UnitKind::Unspecified) => return "unspecified".to_string(),
        Err(_) => return format!("kind({kind})"),
    };
    value_name(arg)
}

/// A unit kind for JSON: the proto enum name.
pub fn kind_json(kind: i32) -> Value {
    enum_json(UnitKind::try_from(kind).map(|kind| kind.as_str_name()), kind)
}

/// A unit state for a table.
pub fn unit_state_label(state: i32) -> String {
    match unit::State::try_from(state) {
        Ok(unit::State::Active) => "active".to_string(),
        Ok(unit::State::Merged) => "merged".to_string(),
        Ok(unit::State::Dissolved) => "dissolved".to_string(),
        Ok(unit::State::Unspecified) => "unspecified".to_string(),
        Err(_) => format!("state({state})"),
    }
}

/// A unit state for JSON: the proto enum name.
pub fn unit_state_json(state: i32) -> Value {
    enum_json(unit::State::try_from(state).map(|state| state.as_str_name()), state)
}

/// A user state for a table.
pub fn user_state_label(state: i32) -> String {
    match user::State::try_from(state) {
        Ok(user::State::Active) => "active".to_string(),
        Ok(user::State::Disabled) => "disabled".to_string(),
        Ok(user::State::Unspecified) => "unspecified".to_string(),
        Err(_) => format!("state({state})"),
    }
}

/// A user state for JSON: the proto enum name.
pub fn user_state_json(state: i32) -> Value {
    enum_json(user::State::try_from(state).map(|state| state.as_str_name()), state)
}

/// clap value parser for a document name: `documents/ID` or `ID`.
pub fn document_name(input: &str) -> Result<String, String> {
    normalise_name(DOCUMENTS, input)
}

/// clap value parser for a record name: `records/ID` or `ID`.
pub fn record_name(input: &str) -> Result<String, String> {
    normalise_name(RECORDS, input)
}

/// Whether `id` can be the id part of a name: not empty, no `/`, no spaces.
fn plain_id(id: &str) -> bool {
    !id.is_empty() && !id.contains('/') && !id.chars().any(char::is_whitespace)
}

/// clap value parser for a revision: the full `documents/ID/revisions/N`, or
/// the short `ID/N` (the document's id, a slash, the revision number).
pub fn revision_name(input: &str) -> Result<String, String> {
    let input = input.trim();
    let expected = || format!("`{input}` is not a revision: expected `documents/ID/revisions/N` or `ID/N`");
    let (id, number) = match input.strip_prefix("documents/") {
        Some(rest) => match rest.split_once("/revisions/") {
            Some(parts) => parts,
            None if plain_id(rest) => return Err(names_a_document(input, rest)),
            None => return Err(expected()),
        },
        None => match input.split_once('/') {
            Some(parts) => parts,
            None if plain_id(input) => return Err(names_a_document(input, input)),
            None => return Err(expected()),
        },
    };
    if !plain_id(id) || number.is_empty() || !number.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(expected());
    }
    match number.parse::<i32>() {
        Ok(number) if number >= 1 => Ok(format!("{DOCUMENTS}/{id}/revisions/{number}")),
        _ => Err(format!("`{input}`: revision numbers start at 1")),
    }
}

fn names_a_document(input: &str, id: &str) -> String {
    format!(
        "`{input}` names a document, not one of its revisions: add the revision number, e.g. `{id}/1` \
         (`eiso docs history {id}` lists them)"
    )
}

/// clap value parser for where an upload goes: a draft revision (either form
/// [`revision_name`] takes) or an open record (`records/ID`).
pub fn upload_parent_name(input: &str) -> Result<String, String> {
    let input = input.trim();
    if input.starts_with("records/") {
        return record_name(input);
    }
    revision_name(input).map_err(|error| format!("{error}; for a record use `records/ID`"))
}

/// clap value parser for a stored file: `PARENT/files/ID`, where PARENT is a
/// revision (either form) or `records/ID`; `eiso docs show` prints them.
pub fn file_name(input: &str) -> Result<String, String> {
    let input = input.trim();
    let expected = || {
        format!(
            "`{input}` is not a file name: expected `documents/ID/revisions/N/files/FILE_ID` or \
             `records/ID/files/FILE_ID`, as `eiso docs show` prints them"
        )
    };
    let (parent, id) = input.rsplit_once("/files/").ok_or_else(expected)?;
    if !plain_id(id) {
        return Err(expected());
    }
    let parent = upload_parent_name(parent).map_err(|_| expected())?;
    Ok(format!("{parent}/files/{id}"))
}

/// What `eiso docs show` was asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DocumentOrRevision {
    /// `documents/ID`.
    Document(String),
    /// `documents/ID/revisions/N`.
    Revision(String),
}

/// clap value parser for a document (`documents/ID`, `ID`) or one of its
/// revisions (`documents/ID/revisions/N`, `ID/N`).
pub fn document_or_revision(input: &str) -> Result<DocumentOrRevision, String> {
    let input = input.trim();
    let id = input.strip_prefix("documents/").unwrap_or(input);
    let revision = id.contains('/');
    if revision {
        revision_name(input).map(DocumentOrRevision::Revision)
    } else {
        document_name(input).map(DocumentOrRevision::Document)
    }
}

/// A document type as typed on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DocTypeArg {
    /// Quy trình (QT).
    Procedure,
    /// Chính sách chất lượng.
    Policy,
    /// Sổ tay chất lượng.
    QualityManual,
    /// Mục tiêu chất lượng.
    Objectives,
    /// Hướng dẫn (HD).
    Instruction,
    /// Biểu mẫu (BM).
    Form,
    /// Hồ sơ: a record template or register.
    Record,
    /// Văn bản bên ngoài (laws, decrees, circulars, standards): needs
    /// --issuer and --reference.
    External,
}

impl From<DocTypeArg> for DocumentType {
    fn from(kind: DocTypeArg) -> Self {
        match kind {
            DocTypeArg::Procedure => DocumentType::Procedure,
            DocTypeArg::Policy => DocumentType::Policy,
            DocTypeArg::QualityManual => DocumentType::QualityManual,
            DocTypeArg::Objectives => DocumentType::Objectives,
            DocTypeArg::Instruction => DocumentType::Instruction,
            DocTypeArg::Form => DocumentType::Form,
            DocTypeArg::Record => DocumentType::Record,
            DocTypeArg::External => DocumentType::External,
        }
    }
}

/// The command-line name of a document type (`quality-manual`).
pub fn doc_type_label(kind: i32) -> String {
    let arg = match DocumentType::try_from(kind) {
        Ok(DocumentType::Procedure) => DocTypeArg::Procedure,
        Ok(DocumentType::Policy) => DocTypeArg::Policy,
        Ok(DocumentType::QualityManual) => DocTypeArg::QualityManual,
        Ok(DocumentType::Objectives) => DocTypeArg::Objectives,
        Ok(DocumentType::Instruction) => DocTypeArg::Instruction,
        Ok(DocumentType::Form) => DocTypeArg::Form,
        Ok(DocumentType::Record) => DocTypeArg::Record,
        Ok(DocumentType::External) => DocTypeArg::External,
        Ok(DocumentType::Unspecified) => return "unspecified".to_string(),
        Err(_) => return format!("type({kind})"),
    };
    value_name(arg)
}

/// A document type for JSON: the proto enum name.
pub fn doc_type_json(kind: i32) -> Value {
    enum_json(DocumentType::try_from(kind).map(|kind| kind.as_str_name()), kind)
}

/// Who may read a document, as typed on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ConfidentialityArg {
    /// Anyone, including the public.
    Public,
    /// Every signed-in user.
    Internal,
    /// Users of the owner unit, document controllers, leaders and auditors.
    Restricted,
}

impl From<ConfidentialityArg> for Confidentiality {
    fn from(level: ConfidentialityArg) -> Self {
        match level {
            ConfidentialityArg::Public => Confidentiality::Public,
            ConfidentialityArg::Internal => Confidentiality::Internal,
            ConfidentialityArg::Restricted => Confidentiality::Restricted,
        }
    }
}

/// The command-line name of a confidentiality level.
pub fn confidentiality_label(level: i32) -> String {
    let arg = match Confidentiality::try_from(level) {
        Ok(Confidentiality::Public) => ConfidentialityArg::Public,
        Ok(Confidentiality::Internal) => ConfidentialityArg::Internal,
        Ok(Confidentiality::Restricted) => ConfidentialityArg::Restricted,
        Ok(Confidentiality::Unspecified) => return "unspecified".to_string(),
        Err(_) => return format!("confidentiality({level})"),
    };
    value_name(arg)
}

/// A confidentiality level for JSON: the proto enum name.
pub fn confidentiality_json(level: i32) -> Value {
    enum_json(Confidentiality::try_from(level).map(|level| level.as_str_name()), level)
}

/// What happens to a record at the end of its retention, as typed on the
/// command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DispositionArg {
    /// Keep it (permanently or for a further period).
    Keep,
    /// Destroy its content; its description and the act stay on record.
    Destroy,
    /// Transfer it to the archive (lưu trữ lịch sử).
    Transfer,
}

impl From<DispositionArg> for Disposition {
    fn from(disposition: DispositionArg) -> Self {
        match disposition {
            DispositionArg::Keep => Disposition::Keep,
            DispositionArg::Destroy => Disposition::Destroy,
            DispositionArg::Transfer => Disposition::TransferToArchive,
        }
    }
}

/// The command-line name of a disposition.
pub fn disposition_label(disposition: i32) -> String {
    let arg = match Disposition::try_from(disposition) {
        Ok(Disposition::Keep) => DispositionArg::Keep,
        Ok(Disposition::Destroy) => DispositionArg::Destroy,
        Ok(Disposition::TransferToArchive) => DispositionArg::Transfer,
        Ok(Disposition::Unspecified) => return "unspecified".to_string(),
        Err(_) => return format!("disposition({disposition})"),
    };
    value_name(arg)
}

/// A disposition for JSON: the proto enum name.
pub fn disposition_json(disposition: i32) -> Value {
    enum_json(
        Disposition::try_from(disposition).map(|disposition| disposition.as_str_name()),
        disposition,
    )
}

/// A document state for a table.
pub fn document_state_label(state: i32) -> String {
    match document::State::try_from(state) {
        Ok(document::State::Draft) => "draft".to_string(),
        Ok(document::State::Effective) => "effective".to_string(),
        Ok(document::State::Obsolete) => "obsolete".to_string(),
        Ok(document::State::Unspecified) => "unspecified".to_string(),
        Err(_) => format!("state({state})"),
    }
}

/// A document state for JSON: the proto enum name.
pub fn document_state_json(state: i32) -> Value {
    enum_json(document::State::try_from(state).map(|state| state.as_str_name()), state)
}

/// A revision state for a table.
pub fn revision_state_label(state: i32) -> String {
    match revision::State::try_from(state) {
        Ok(revision::State::Draft) => "draft".to_string(),
        Ok(revision::State::InReview) => "in review".to_string(),
        Ok(revision::State::Approved) => "approved".to_string(),
        Ok(revision::State::Effective) => "effective".to_string(),
        Ok(revision::State::Superseded) => "superseded".to_string(),
        Ok(revision::State::Obsolete) => "obsolete".to_string(),
        Ok(revision::State::Unspecified) => "unspecified".to_string(),
        Err(_) => format!("state({state})"),
    }
}

/// A revision state for JSON: the proto enum name.
pub fn revision_state_json(state: i32) -> Value {
    enum_json(revision::State::try_from(state).map(|state| state.as_str_name()), state)
}

/// A reviewer's decision for a table.
pub fn decision_label(decision: i32) -> String {
    match review::Decision::try_from(decision) {
        Ok(review::Decision::Pending) => "pending".to_string(),
        Ok(review::Decision::Approved) => "approved".to_string(),
        Ok(review::Decision::Rejected) => "rejected".to_string(),
        Ok(review::Decision::Unspecified) => "unspecified".to_string(),
        Err(_) => format!("decision({decision})"),
    }
}

/// A reviewer's decision for JSON: the proto enum name.
pub fn decision_json(decision: i32) -> Value {
    enum_json(
        review::Decision::try_from(decision).map(|decision| decision.as_str_name()),
        decision,
    )
}

/// A record state for a table.
pub fn record_state_label(state: i32) -> String {
    match record::State::try_from(state) {
        Ok(record::State::Open) => "open".to_string(),
        Ok(record::State::Closed) => "closed".to_string(),
        Ok(record::State::Disposed) => "disposed".to_string(),
        Ok(record::State::Unspecified) => "unspecified".to_string(),
        Err(_) => format!("state({state})"),
    }
}

/// A record state for JSON: the proto enum name.
pub fn record_state_json(state: i32) -> Value {
    enum_json(record::State::try_from(state).map(|state| state.as_str_name()), state)
}

/// clap value parser for a procedure: `procedures/CODE` or the bare national
/// code (`2.002481`).
pub fn procedure_name(input: &str) -> Result<String, String> {
    let input = input.trim();
    let code = input.strip_prefix("procedures/").unwrap_or(input);
    if plain_id(code) {
        Ok(format!("{PROCEDURES}/{code}"))
    } else if code.contains("/versions/") || code.contains('/') {
        Err(format!(
            "`{input}` names a version: give the procedure alone, e.g. `{}`",
            code.split('/').next().unwrap_or_default()
        ))
    } else {
        Err(format!(
            "`{input}` is not a procedure: expected its national code (e.g. 2.002481) or `procedures/CODE`"
        ))
    }
}

/// clap value parser for a procedure version: the full
/// `procedures/CODE/versions/N`, or the short `CODE/N`.
pub fn procedure_version_name(input: &str) -> Result<String, String> {
    let input = input.trim();
    let expected =
        || format!("`{input}` is not a procedure version: expected `procedures/CODE/versions/N` or `CODE/N`");
    let rest = input.strip_prefix("procedures/").unwrap_or(input);
    let (code, number) = match rest.split_once("/versions/").or_else(|| rest.split_once('/')) {
        Some(parts) => parts,
        None if plain_id(rest) => {
            return Err(format!(
                "`{input}` names a procedure, not one of its versions: add the version number, e.g. `{rest}/1` \
                 (`eiso procedures show {rest}` shows the published and the latest)"
            ));
        }
        None => return Err(expected()),
    };
    if !plain_id(code) || number.is_empty() || !number.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(expected());
    }
    match number.parse::<i32>() {
        Ok(number) if number >= 1 => Ok(format!("{PROCEDURES}/{code}/versions/{number}")),
        _ => Err(format!("`{input}`: version numbers start at 1")),
    }
}

/// clap value parser for what `eiso procedures show` takes: a procedure
/// (`2.002481`, `procedures/2.002481`) or one of its versions
/// (`procedures/2.002481/versions/2`, `2.002481/2`).
pub fn procedure_or_version(input: &str) -> Result<String, String> {
    let input = input.trim();
    let rest = input.strip_prefix("procedures/").unwrap_or(input);
    if rest.contains('/') {
        procedure_version_name(input)
    } else {
        procedure_name(input)
    }
}

/// The calendar of agency `units/ID`: `calendars/ID`.
pub fn calendar_name(unit: &str) -> String {
    format!("{CALENDARS}/{}", short_id(unit))
}

/// A dossier as typed on the command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DossierRef {
    /// `dossiers/ID`.
    Name(String),
    /// Its code, e.g. `PGD-250310-0001`, looked up on the server.
    Code(String),
}

/// Whether `input` has the shape of a dossier code, `<agency code>-YYMMDD-NNNN`
/// (never the shape of an id, which is a UUID).
pub fn is_dossier_code(input: &str) -> bool {
    let mut parts = input.rsplitn(3, '-');
    let (Some(number), Some(day), Some(agency)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    number.len() >= 4
        && number.bytes().all(|byte| byte.is_ascii_digit())
        && day.len() == 6
        && day.bytes().all(|byte| byte.is_ascii_digit())
        && !agency.is_empty()
        && plain_id(agency)
}

/// clap value parser for a dossier: `dossiers/ID`, `ID`, or its code as
/// printed on the receipt (`PGD-250310-0001`).
pub fn dossier_ref(input: &str) -> Result<DossierRef, String> {
    let input = input.trim();
    if is_dossier_code(input) {
        return Ok(DossierRef::Code(input.to_string()));
    }
    normalise_name(DOSSIERS, input)
        .map(DossierRef::Name)
        .map_err(|_| format!("`{input}` is not a dossier: expected `dossiers/ID`, `ID` or its code (PGD-250310-0001)"))
}

/// Text folded for matching what people type: lower case, without Vietnamese
/// diacritics (`đ` becomes `d`), words joined by `-`.
pub fn fold(text: &str) -> String {
    let plain: String = text
        .trim()
        .nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .map(|c| match c {
            'đ' | 'Đ' => 'd',
            other => other.to_ascii_lowercase(),
        })
        .collect();
    plain
        .split(|c: char| c.is_whitespace() || c == '_' || c == '-')
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

/// A copy kind as typed: `ban-chinh`, `ban-sao-chung-thuc`, `ban-sao`,
/// `chinh-hoac-sao-chung-thuc`, the Vietnamese words themselves (`Bản
/// chính`) or the English names (`original`, `certified-copy`, `photocopy`,
/// `original-or-certified`).
pub fn parse_copy_kind(input: &str) -> Result<CopyKind, String> {
    match fold(input).as_str() {
        "ban-chinh" | "chinh" | "original" => Ok(CopyKind::Original),
        "ban-sao-co-chung-thuc"
        | "ban-sao-chung-thuc"
        | "sao-chung-thuc"
        | "chung-thuc"
        | "certified-copy"
        | "certified" => Ok(CopyKind::CertifiedCopy),
        "ban-sao" | "sao" | "ban-photo" | "photo" | "photocopy" => Ok(CopyKind::Photocopy),
        "ban-chinh-hoac-ban-sao-co-chung-thuc"
        | "ban-chinh-hoac-ban-sao-chung-thuc"
        | "ban-chinh-hoac-sao-chung-thuc"
        | "chinh-hoac-sao-chung-thuc"
        | "original-or-certified" => Ok(CopyKind::OriginalOrCertified),
        _ => Err(format!(
            "`{}` is not a kind of copy: expected ban-chinh, ban-sao-chung-thuc, ban-sao or \
             chinh-hoac-sao-chung-thuc",
            input.trim()
        )),
    }
}

/// clap value parser for a document received: `Tên|KIND|SETS`, e.g.
/// `Đơn xin chuyển trường|ban-chinh|1`; the kind defaults to `ban-chinh`
/// and the sets to 1 (`2 bộ` is read as 2).
pub fn parse_received_document(input: &str) -> Result<ReceivedDocument, String> {
    let parts: Vec<&str> = input.split('|').collect();
    if parts.len() > 3 {
        return Err(format!(
            "`{input}` has too many `|`: expected \"Tên giấy tờ|ban-chinh|1\""
        ));
    }
    let display_name = nfc(parts.first().copied().unwrap_or_default());
    if display_name.is_empty() {
        return Err(format!(
            "`{input}`: the document's name is missing (expected \"Tên giấy tờ|ban-chinh|1\")"
        ));
    }
    let copy_kind = match parts.get(1).map(|kind| kind.trim()) {
        None | Some("") => CopyKind::Original,
        Some(kind) => parse_copy_kind(kind)?,
    };
    let sets = match parts.get(2).map(|sets| fold(sets)) {
        None => 1,
        Some(sets) if sets.is_empty() => 1,
        Some(sets) => {
            let number = sets.strip_suffix("-bo").unwrap_or(&sets);
            match number.parse::<i32>() {
                Ok(sets) if (1..=100).contains(&sets) => sets,
                _ => {
                    return Err(format!(
                        "`{input}`: the number of sets must be a whole number from 1 to 100"
                    ));
                }
            }
        }
    };
    Ok(ReceivedDocument {
        display_name,
        copy_kind: copy_kind as i32,
        sets,
    })
}

/// How a dossier came in, as typed on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ChannelArg {
    /// At the counter (trực tiếp).
    Direct,
    /// Through the online public service portal (trực tuyến).
    Online,
    /// By post (qua dịch vụ bưu chính).
    Postal,
}

impl From<ChannelArg> for Channel {
    fn from(channel: ChannelArg) -> Self {
        match channel {
            ChannelArg::Direct => Channel::Direct,
            ChannelArg::Online => Channel::Online,
            ChannelArg::Postal => Channel::Postal,
        }
    }
}

/// The applicant's rating, as typed on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SatisfactionArg {
    /// Rất hài lòng.
    VerySatisfied,
    /// Hài lòng.
    Satisfied,
    /// Chấp nhận được.
    Acceptable,
    /// Không hài lòng.
    Dissatisfied,
}

impl From<SatisfactionArg> for Satisfaction {
    fn from(rating: SatisfactionArg) -> Self {
        match rating {
            SatisfactionArg::VerySatisfied => Satisfaction::VerySatisfied,
            SatisfactionArg::Satisfied => Satisfaction::Satisfied,
            SatisfactionArg::Acceptable => Satisfaction::Acceptable,
            SatisfactionArg::Dissatisfied => Satisfaction::Dissatisfied,
        }
    }
}

/// A printable form of a dossier, as typed on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FormArg {
    /// 01: receipt and appointment (giấy tiếp nhận hồ sơ và hẹn trả kết quả).
    Receipt,
    /// 02: supplement request (phiếu yêu cầu bổ sung, hoàn thiện hồ sơ).
    Supplement,
    /// 03: refusal (phiếu từ chối tiếp nhận giải quyết hồ sơ).
    Refusal,
    /// 04: apology and new appointment (phiếu xin lỗi và hẹn lại ngày trả kết quả).
    Apology,
    /// 05: control slip (phiếu kiểm soát quá trình giải quyết hồ sơ).
    ControlSlip,
}

impl From<FormArg> for Form {
    fn from(form: FormArg) -> Self {
        match form {
            FormArg::Receipt => Form::Receipt,
            FormArg::Supplement => Form::SupplementRequest,
            FormArg::Refusal => Form::Refusal,
            FormArg::Apology => Form::Apology,
            FormArg::ControlSlip => Form::ControlSlip,
        }
    }
}

/// Which deadlines `eiso dossiers list --due` picks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DueArg {
    /// Running dossiers due within one working day.
    Soon,
    /// Running dossiers past their due time.
    Overdue,
}

impl DueArg {
    /// The value of the `due` filter.
    pub fn filter_value(self) -> &'static str {
        match self {
            DueArg::Soon => "soon",
            DueArg::Overdue => "overdue",
        }
    }
}

/// A dossier status for a table, in Vietnamese as the forms print it.
pub fn dossier_status_label(status: i32) -> String {
    let label = match DossierStatus::try_from(status) {
        Ok(DossierStatus::Registered) => "Mới đăng ký",
        Ok(DossierStatus::Received) => "Đã tiếp nhận",
        Ok(DossierStatus::NotReceived) => "Từ chối tiếp nhận",
        Ok(DossierStatus::InProgress) => "Đang giải quyết",
        Ok(DossierStatus::SupplementRequested) => "Chờ bổ sung hồ sơ",
        Ok(DossierStatus::AwaitingPayment) => "Chờ thực hiện nghĩa vụ tài chính",
        Ok(DossierStatus::Withdrawn) => "Đã rút hồ sơ",
        Ok(DossierStatus::Stopped) => "Dừng xử lý",
        Ok(DossierStatus::Completed) => "Đã có kết quả",
        Ok(DossierStatus::Returned) => "Đã trả kết quả",
        Ok(DossierStatus::Unspecified) => "",
        Err(_) => return format!("status({status})"),
    };
    label.to_string()
}

/// A dossier status for JSON: the proto enum name.
pub fn dossier_status_json(status: i32) -> Value {
    enum_json(
        DossierStatus::try_from(status).map(|status| status.as_str_name()),
        status,
    )
}

/// An outcome for a table: `Trước hạn`, `Đúng hạn`, `Quá hạn`, or empty
/// while unresolved.
pub fn outcome_label(outcome: i32) -> String {
    let label = match Outcome::try_from(outcome) {
        Ok(Outcome::Early) => "Trước hạn",
        Ok(Outcome::OnTime) => "Đúng hạn",
        Ok(Outcome::Late) => "Quá hạn",
        Ok(Outcome::Unspecified) => "",
        Err(_) => return format!("outcome({outcome})"),
    };
    label.to_string()
}

/// An outcome for JSON: the proto enum name.
pub fn outcome_json(outcome: i32) -> Value {
    enum_json(Outcome::try_from(outcome).map(|outcome| outcome.as_str_name()), outcome)
}

/// A copy kind for a table, in Vietnamese.
pub fn copy_kind_label(kind: i32) -> String {
    let label = match CopyKind::try_from(kind) {
        Ok(CopyKind::Original) => "Bản chính",
        Ok(CopyKind::CertifiedCopy) => "Bản sao có chứng thực",
        Ok(CopyKind::Photocopy) => "Bản sao",
        Ok(CopyKind::OriginalOrCertified) => "Bản chính hoặc bản sao có chứng thực",
        Ok(CopyKind::Unspecified) => "",
        Err(_) => return format!("copy({kind})"),
    };
    label.to_string()
}

/// A copy kind for JSON: the proto enum name.
pub fn copy_kind_json(kind: i32) -> Value {
    enum_json(CopyKind::try_from(kind).map(|kind| kind.as_str_name()), kind)
}

/// A rating for a table, in Vietnamese; empty when not rated.
pub fn satisfaction_label(rating: i32) -> String {
    let label = match Satisfaction::try_from(rating) {
        Ok(Satisfaction::VerySatisfied) => "Rất hài lòng",
        Ok(Satisfaction::Satisfied) => "Hài lòng",
        Ok(Satisfaction::Acceptable) => "Chấp nhận được",
        Ok(Satisfaction::Dissatisfied) => "Không hài lòng",
        Ok(Satisfaction::Unspecified) => "",
        Err(_) => return format!("satisfaction({rating})"),
    };
    label.to_string()
}

/// A rating for JSON: the proto enum name.
pub fn satisfaction_json(rating: i32) -> Value {
    enum_json(
        Satisfaction::try_from(rating).map(|rating| rating.as_str_name()),
        rating,
    )
}

/// A channel for a table, in Vietnamese.
pub fn channel_label(channel: i32) -> String {
    let label = match Channel::try_from(channel) {
        Ok(Channel::Direct) => "Trực tiếp",
        Ok(Channel::Online) => "Trực tuyến",
        Ok(Channel::Postal) => "Qua dịch vụ bưu chính",
        Ok(Channel::Unspecified) => "",
        Err(_) => return format!("channel({channel})"),
    };
    label.to_string()
}

/// A channel for JSON: the proto enum name.
pub fn channel_json(channel: i32) -> Value {
    enum_json(Channel::try_from(channel).map(|channel| channel.as_str_name()), channel)
}

/// A procedure's level for a table, in Vietnamese as the catalogue writes it.
pub fn level_label(level: i32) -> String {
    let label = match ProcedureLevel::try_from(level) {
        Ok(ProcedureLevel::Central) => "Cấp trung ương",
        Ok(ProcedureLevel::Provincial) => "Cấp tỉnh",
        Ok(ProcedureLevel::Commune) => "Cấp xã",
        Ok(ProcedureLevel::District) => "Cấp huyện",
        Ok(ProcedureLevel::Unspecified) => "",
        Err(_) => return format!("level({level})"),
    };
    label.to_string()
}

/// A procedure's level for JSON: the proto enum name.
pub fn level_json(level: i32) -> Value {
    enum_json(ProcedureLevel::try_from(level).map(|level| level.as_str_name()), level)
}

/// An online service level for a table, in Vietnamese.
pub fn online_level_label(level: i32) -> String {
    let label = match OnlineLevel::try_from(level) {
        Ok(OnlineLevel::Information) => "Cung cấp thông tin",
        Ok(OnlineLevel::Partial) => "Một phần",
        Ok(OnlineLevel::Full) => "Toàn trình",
        Ok(OnlineLevel::Unspecified) => "",
        Err(_) => return format!("online({level})"),
    };
    label.to_string()
}

/// An online service level for JSON: the proto enum name.
pub fn online_level_json(level: i32) -> Value {
    enum_json(OnlineLevel::try_from(level).map(|level| level.as_str_name()), level)
}

/// A supplement mode for a table, in Vietnamese (unset counts as restart).
pub fn supplement_mode_label(mode: i32) -> String {
    let label = match SupplementMode::try_from(mode) {
        Ok(SupplementMode::Restart | SupplementMode::Unspecified) => "Tính lại từ đầu",
        Ok(SupplementMode::Pause) => "Tạm dừng",
        Err(_) => return format!("mode({mode})"),
    };
    label.to_string()
}

/// A supplement mode for JSON: the proto enum name.
pub fn supplement_mode_json(mode: i32) -> Value {
    enum_json(SupplementMode::try_from(mode).map(|mode| mode.as_str_name()), mode)
}

/// A weekday in Vietnamese (`Thứ Hai` … `Chủ nhật`).
pub fn weekday_label(day: i32) -> String {
    let label = match Weekday::try_from(day) {
        Ok(Weekday::Monday) => "Thứ Hai",
        Ok(Weekday::Tuesday) => "Thứ Ba",
        Ok(Weekday::Wednesday) => "Thứ Tư",
        Ok(Weekday::Thursday) => "Thứ Năm",
        Ok(Weekday::Friday) => "Thứ Sáu",
        Ok(Weekday::Saturday) => "Thứ Bảy",
        Ok(Weekday::Sunday) => "Chủ nhật",
        Ok(Weekday::Unspecified) => "",
        Err(_) => return format!("weekday({day})"),
    };
    label.to_string()
}

/// A weekday for JSON: the proto enum name.
pub fn weekday_json(day: i32) -> Value {
    enum_json(Weekday::try_from(day).map(|day| day.as_str_name()), day)
}

/// A procedure's state for a table.
pub fn procedure_state_label(state: i32) -> String {
    match procedure::State::try_from(state) {
        Ok(procedure::State::Draft) => "draft".to_string(),
        Ok(procedure::State::Published) => "published".to_string(),
        Ok(procedure::State::Withdrawn) => "withdrawn".to_string(),
        Ok(procedure::State::Unspecified) => "unspecified".to_string(),
        Err(_) => format!("state({state})"),
    }
}

/// A procedure's state for JSON: the proto enum name.
pub fn procedure_state_json(state: i32) -> Value {
    enum_json(
        procedure::State::try_from(state).map(|state| state.as_str_name()),
        state,
    )
}

/// A procedure version's state for a table.
pub fn version_state_label(state: i32) -> String {
    match procedure_version::State::try_from(state) {
        Ok(procedure_version::State::Draft) => "draft".to_string(),
        Ok(procedure_version::State::Published) => "published".to_string(),
        Ok(procedure_version::State::Superseded) => "superseded".to_string(),
        Ok(procedure_version::State::Unspecified) => "unspecified".to_string(),
        Err(_) => format!("state({state})"),
    }
}

/// A procedure version's state for JSON: the proto enum name.
pub fn version_state_json(state: i32) -> Value {
    enum_json(
        procedure_version::State::try_from(state).map(|state| state.as_str_name()),
        state,
    )
}

/// An enum value for JSON: its proto name, or the number when this client
/// does not know it (a newer server).
pub fn enum_json<E>(name: Result<&'static str, E>, number: i32) -> Value {
    name.map_or_else(|_| Value::from(number), Value::from)
}

fn value_name<T: ValueEnum>(value: T) -> String {
    value
        .to_possible_value()
        .map(|possible| possible.get_name().to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_accept_the_full_or_the_bare_form() {
        assert_eq!(unit_name("units/31-gddt"), Ok("units/31-gddt".to_string()));
        assert_eq!(unit_name("31-gddt"), Ok("units/31-gddt".to_string()));
        assert_eq!(unit_name("  31-gddt \n"), Ok("units/31-gddt".to_string()));
        assert_eq!(user_name("users/an"), Ok("users/an".to_string()));
        assert_eq!(trail_name("identity"), Ok("trails/identity".to_string()));
    }

    #[test]
    fn names_refuse_other_collections_and_empty_ids() {
        assert!(unit_name("users/an").is_err());
        assert!(unit_name("units/").is_err());
        assert!(unit_name("").is_err());
        assert!(unit_name("a b").is_err());
        assert!(unit_name("units/a/b").is_err());
        // A bare id that merely starts with the collection's letters is an id.
        assert_eq!(unit_name("unitsx"), Ok("units/unitsx".to_string()));
    }

    #[test]
    fn an_empty_parent_means_none() {
        assert_eq!(optional_unit_name(""), Ok(String::new()));
        assert_eq!(optional_unit_name("x"), Ok("units/x".to_string()));
    }

    #[test]
    fn role_at_unit_parses() {
        let binding = parse_role_binding("counter-staff@units/mot-cua");
        assert_eq!(
            binding,
            Ok(RoleBinding {
                role: Role::CounterStaff as i32,
                unit: "units/mot-cua".to_string()
            })
        );
        let binding = parse_role_binding("Document_Controller@31");
        assert_eq!(
            binding,
            Ok(RoleBinding {
                role: Role::DocumentController as i32,
                unit: "units/31".to_string()
            })
        );
        assert_eq!(
            parse_role_binding("ROLE_ADMIN@root").map(|b| b.role),
            Ok(Role::Admin as i32)
        );
    }

    #[test]
    fn role_at_unit_refuses_what_it_cannot_read() {
        assert!(parse_role_binding("viewer").is_err());
        assert!(parse_role_binding("viewer@").is_err());
        assert!(parse_role_binding("@units/x").is_err());
        let error = parse_role_binding("boss@units/x").err().unwrap_or_default();
        assert!(error.contains("internal-auditor"), "{error}");
    }

    #[test]
    fn role_labels_read_back() {
        for role in RoleArg::value_variants() {
            let binding = RoleBinding {
                role: Role::from(*role) as i32,
                unit: "units/x".to_string(),
            };
            assert_eq!(parse_role_binding(&role_binding_label(&binding)), Ok(binding));
        }
        assert_eq!(role_label(99), "role(99)");
    }

    #[test]
    fn kind_labels_match_the_command_line() {
        for kind in KindArg::value_variants() {
            let label = kind_label(UnitKind::from(*kind) as i32);
            assert_eq!(KindArg::from_str(&label, false), Ok(*kind));
        }
        assert_eq!(kind_label(UnitKind::ServiceCentre as i32), "service-centre");
        assert_eq!(kind_json(UnitKind::Office as i32), Value::from("UNIT_KIND_OFFICE"));
        assert_eq!(kind_json(42), Value::from(42));
    }

    #[test]
    fn vietnamese_text_is_composed() {
        // "Phòng" typed with a combining grave accent (NFD) becomes one code point.
        let decomposed = "Pho\u{300}ng";
        assert_eq!(nfc(decomposed), "Phòng");
        assert_eq!(nfc(decomposed).chars().count(), 5);
    }

    #[test]
    fn document_and_record_names_accept_the_full_or_the_bare_form() {
        assert_eq!(document_name("documents/d-1"), Ok("documents/d-1".to_string()));
        assert_eq!(document_name("d-1"), Ok("documents/d-1".to_string()));
        assert!(document_name("documents/d-1/revisions/2").is_err());
        assert_eq!(record_name("r-1"), Ok("records/r-1".to_string()));
        assert_eq!(record_name("records/r-1"), Ok("records/r-1".to_string()));
    }

    #[test]
    fn revisions_are_full_names_or_id_slash_number() {
        let full = Ok("documents/d-1/revisions/2".to_string());
        assert_eq!(revision_name("documents/d-1/revisions/2"), full);
        assert_eq!(revision_name("d-1/2"), full);
        assert_eq!(revision_name(" d-1/02 "), full);
        assert!(revision_name("d-1/0").is_err());
        assert!(revision_name("d-1/+2").is_err());
        assert!(revision_name("d-1/x").is_err());
        assert!(revision_name("d-1/2/3").is_err());
        assert!(revision_name("documents/d-1/revisions/").is_err());
        assert!(revision_name("d-1@2").is_err());
        let error = revision_name("d-1").err().unwrap_or_default();
        assert!(error.contains("names a document") && error.contains("d-1/1"), "{error}");
        let error = revision_name("documents/d-1").err().unwrap_or_default();
        assert!(error.contains("names a document"), "{error}");
    }

    #[test]
    fn uploads_go_to_a_revision_or_a_record() {
        assert_eq!(upload_parent_name("d-1/1"), Ok("documents/d-1/revisions/1".to_string()));
        assert_eq!(upload_parent_name("records/r-1"), Ok("records/r-1".to_string()));
        let error = upload_parent_name("r-1").err().unwrap_or_default();
        assert!(error.contains("records/ID"), "{error}");
    }

    #[test]
    fn file_names_keep_their_parent() {
        assert_eq!(
            file_name("documents/d-1/revisions/1/files/f-1"),
            Ok("documents/d-1/revisions/1/files/f-1".to_string())
        );
        assert_eq!(
            file_name("d-1/1/files/f-1"),
            Ok("documents/d-1/revisions/1/files/f-1".to_string())
        );
        assert_eq!(
            file_name("records/r-1/files/f-1"),
            Ok("records/r-1/files/f-1".to_string())
        );
        assert!(file_name("documents/d-1/revisions/1/files/").is_err());
        assert!(file_name("f-1").is_err());
        assert!(file_name("documents/d-1/files/f-1").is_err());
    }

    #[test]
    fn show_takes_a_document_or_a_revision() {
        assert_eq!(
            document_or_revision("d-1"),
            Ok(DocumentOrRevision::Document("documents/d-1".to_string()))
        );
        assert_eq!(
            document_or_revision("documents/d-1"),
            Ok(DocumentOrRevision::Document("documents/d-1".to_string()))
        );
        assert_eq!(
            document_or_revision("d-1/3"),
            Ok(DocumentOrRevision::Revision("documents/d-1/revisions/3".to_string()))
        );
        assert_eq!(
            document_or_revision("documents/d-1/revisions/3"),
            Ok(DocumentOrRevision::Revision("documents/d-1/revisions/3".to_string()))
        );
        let error = document_or_revision("documents/d-1/3").err().unwrap_or_default();
        assert!(error.contains("is not a revision"), "{error}");
    }

    #[test]
    fn procedures_are_codes_and_versions_code_slash_number() {
        assert_eq!(procedure_name("2.002481"), Ok("procedures/2.002481".to_string()));
        assert_eq!(
            procedure_name(" procedures/2.002481 "),
            Ok("procedures/2.002481".to_string())
        );
        assert!(procedure_name("procedures/2.002481/versions/2").is_err());
        assert!(procedure_name("2 002481").is_err());
        let full = Ok("procedures/2.002481/versions/2".to_string());
        assert_eq!(procedure_version_name("procedures/2.002481/versions/2"), full);
        assert_eq!(procedure_version_name("2.002481/2"), full);
        assert!(procedure_version_name("2.002481/0").is_err());
        assert!(procedure_version_name("2.002481/x").is_err());
        let error = procedure_version_name("2.002481").err().unwrap_or_default();
        assert!(
            error.contains("names a procedure") && error.contains("2.002481/1"),
            "{error}"
        );
        assert_eq!(procedure_or_version("2.002481"), Ok("procedures/2.002481".to_string()));
        assert_eq!(procedure_or_version("procedures/2.002481/versions/2"), full);
        assert_eq!(procedure_or_version("2.002481/2"), full);
        assert_eq!(calendar_name("units/u-1"), "calendars/u-1");
    }

    #[test]
    fn dossiers_are_names_ids_or_codes() {
        let id = "0195b5c2-7c1e-7a3b-9f00-123456789012";
        assert_eq!(dossier_ref(id), Ok(DossierRef::Name(format!("dossiers/{id}"))));
        assert_eq!(
            dossier_ref(&format!("dossiers/{id}")),
            Ok(DossierRef::Name(format!("dossiers/{id}")))
        );
        assert_eq!(
            dossier_ref("PGD-250310-0001"),
            Ok(DossierRef::Code("PGD-250310-0001".to_string()))
        );
        assert_eq!(
            dossier_ref("31-GDDT-250310-0012"),
            Ok(DossierRef::Code("31-GDDT-250310-0012".to_string()))
        );
        assert!(!is_dossier_code("250310-0001"));
        assert!(!is_dossier_code(id));
        assert!(dossier_ref("users/x").is_err());
    }

    #[test]
    fn copy_kinds_are_typed_with_or_without_diacritics() {
        assert_eq!(parse_copy_kind("ban-chinh"), Ok(CopyKind::Original));
        assert_eq!(parse_copy_kind("Bản chính"), Ok(CopyKind::Original));
        assert_eq!(parse_copy_kind("Bản sao có chứng thực"), Ok(CopyKind::CertifiedCopy));
        assert_eq!(parse_copy_kind("ban-sao-chung-thuc"), Ok(CopyKind::CertifiedCopy));
        assert_eq!(parse_copy_kind("ban_sao"), Ok(CopyKind::Photocopy));
        assert_eq!(
            parse_copy_kind("Bản chính hoặc bản sao có chứng thực"),
            Ok(CopyKind::OriginalOrCertified)
        );
        assert_eq!(
            parse_copy_kind("original-or-certified"),
            Ok(CopyKind::OriginalOrCertified)
        );
        assert!(parse_copy_kind("ban-nhap").is_err());
        assert_eq!(fold(" Đơn  xin_chuyển "), "don-xin-chuyen");
    }

    #[test]
    fn received_documents_are_name_kind_sets() {
        let document = parse_received_document("Giấy khai sinh|ban-sao-chung-thuc|2");
        assert_eq!(
            document,
            Ok(ReceivedDocument {
                display_name: "Giấy khai sinh".to_string(),
                copy_kind: CopyKind::CertifiedCopy as i32,
                sets: 2,
            })
        );
        let document = parse_received_document("Học bạ");
        assert_eq!(
            document.as_ref().map(|d| (d.copy_kind, d.sets)),
            Ok((CopyKind::Original as i32, 1))
        );
        assert_eq!(parse_received_document("Học bạ|Bản chính|1 bộ").map(|d| d.sets), Ok(1));
        assert!(parse_received_document("|ban-chinh|1").is_err());
        assert!(parse_received_document("Học bạ|ban-chinh|0").is_err());
        assert!(parse_received_document("Học bạ|ban-chinh|1|x").is_err());
    }

    #[test]
    fn procedure_enums_read_in_vietnamese_and_json_in_proto_names() {
        assert_eq!(
            dossier_status_label(DossierStatus::InProgress as i32),
            "Đang giải quyết"
        );
        assert_eq!(dossier_status_label(DossierStatus::Returned as i32), "Đã trả kết quả");
        assert_eq!(
            dossier_status_json(DossierStatus::SupplementRequested as i32),
            Value::from("DOSSIER_STATUS_SUPPLEMENT_REQUESTED")
        );
        assert_eq!(outcome_label(Outcome::OnTime as i32), "Đúng hạn");
        assert_eq!(outcome_label(Outcome::Unspecified as i32), "");
        assert_eq!(outcome_json(Outcome::Late as i32), Value::from("OUTCOME_LATE"));
        assert_eq!(copy_kind_label(CopyKind::Photocopy as i32), "Bản sao");
        assert_eq!(satisfaction_label(Satisfaction::Acceptable as i32), "Chấp nhận được");
        assert_eq!(weekday_label(Weekday::Sunday as i32), "Chủ nhật");
        assert_eq!(dossier_status_json(99), Value::from(99));
        assert_eq!(
            Form::from(FormArg::ControlSlip),
            Form::ControlSlip,
            "the CLI's names map to the forms"
        );
        assert_eq!(
            Satisfaction::from(SatisfactionArg::VerySatisfied),
            Satisfaction::VerySatisfied
        );
    }

    #[test]
    fn document_enums_read_back() {
        for kind in DocTypeArg::value_variants() {
            let label = doc_type_label(DocumentType::from(*kind) as i32);
            assert_eq!(DocTypeArg::from_str(&label, false), Ok(*kind));
        }
        for level in ConfidentialityArg::value_variants() {
            let label = confidentiality_label(Confidentiality::from(*level) as i32);
            assert_eq!(ConfidentialityArg::from_str(&label, false), Ok(*level));
        }
        for disposition in DispositionArg::value_variants() {
            let label = disposition_label(Disposition::from(*disposition) as i32);
            assert_eq!(DispositionArg::from_str(&label, false), Ok(*disposition));
        }
        assert_eq!(doc_type_label(DocumentType::QualityManual as i32), "quality-manual");
        assert_eq!(
            doc_type_json(DocumentType::Procedure as i32),
            Value::from("DOCUMENT_TYPE_PROCEDURE")
        );
        assert_eq!(
            disposition_json(Disposition::TransferToArchive as i32),
            Value::from("DISPOSITION_TRANSFER_TO_ARCHIVE")
        );
        assert_eq!(
            revision_state_json(revision::State::InReview as i32),
            Value::from("STATE_IN_REVIEW")
        );
        assert_eq!(revision_state_label(revision::State::InReview as i32), "in review");
        assert_eq!(decision_json(42), Value::from(42));
    }
}
