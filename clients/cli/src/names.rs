//! Parsing what people type — resource names, `ROLE@UNIT`, unit kinds,
//! document types — and showing enum values back to them.

use clap::ValueEnum;
use eiso_proto::eiso::documents::v1::{Confidentiality, Disposition, DocumentType, document, record, review, revision};
use eiso_proto::eiso::identity::v1::{Role, RoleBinding, UnitKind, unit, user};
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
