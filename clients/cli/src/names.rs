//! Parsing what people type — resource names, `ROLE@UNIT`, the enum values
//! flags offer ([`Choices`]), procedures, dossiers, copy kinds — and showing
//! enum values back to them (the procedures' in Vietnamese, as the forms print
//! them).

use clap::ValueEnum;
use eiso_proto::eiso::documents::v1::{Confidentiality, Disposition, DocumentType};
use eiso_proto::eiso::identity::v1::{Role, RoleBinding, UnitKind};
use eiso_proto::eiso::procedures::v1::{ApplicantType, Channel, CopyKind, Form, ReceivedDocument, Satisfaction};
use eiso_proto::labels::{Label, ProtoEnum};
use serde_json::{Value, json};
use unicode_normalization::UnicodeNormalization;

use crate::directory::Labels;
use crate::enum_arg::{self, Choice, Choices, arg_cell};
use crate::error::CliError;

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

/// [`nfc`] of text a command needs: [`CliError::needs`] when it is blank.
pub fn required_text(text: &str, command: &str, flag: &str, what: &str) -> Result<String, CliError> {
    let text = nfc(text);
    if text.is_empty() {
        return Err(CliError::needs(command, flag, what));
    }
    Ok(text)
}

/// A role, as `ROLE@UNIT` names it.
impl Choices for Role {
    const CHOICES: &'static [Choice<Self>] = &[
        Choice::new(Role::Admin, "Manages units, users and API clients"),
        Choice::new(Role::DocumentController, "ISO document controller (thư ký ISO)"),
        Choice::new(Role::CounterStaff, "One-stop counter staff (cán bộ một cửa)"),
        Choice::new(Role::ProcessingOfficer, "Processing officer (chuyên viên)"),
        Choice::new(Role::Leader, "Leader (lãnh đạo)"),
        Choice::new(Role::InternalAuditor, "ISO internal auditor"),
        Choice::new(Role::Viewer, "Read-only access"),
    ];
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
    let role: Role = enum_arg::parse(role_text, true).ok_or_else(|| {
        let known = enum_arg::arg_names::<Role>().join(", ");
        format!("`{role}` is not a role: expected one of {known}")
    })?;
    Ok(RoleBinding {
        role: role as i32,
        unit: unit_name(unit)?,
    })
}

/// `role@units/id`, as [`parse_role_binding`] reads it back.
pub fn role_binding_label(binding: &RoleBinding) -> String {
    format!("{}@{}", arg_cell::<Role>(binding.role, "role"), binding.unit)
}

/// Role bindings for a table cell, one a line: `role@` the unit's name.
pub fn role_bindings_cell(bindings: &[RoleBinding], labels: &Labels) -> String {
    bindings
        .iter()
        .map(|binding| {
            format!(
                "{}@{}",
                arg_cell::<Role>(binding.role, "role"),
                labels.label(&binding.unit)
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The units of `bindings`, to look up for [`role_bindings_cell`].
pub fn binding_units(bindings: &[RoleBinding]) -> impl Iterator<Item = &str> {
    bindings.iter().map(|binding| binding.unit.as_str())
}

/// Role bindings for JSON.
pub fn role_bindings_json(bindings: &[RoleBinding]) -> Value {
    Value::Array(
        bindings
            .iter()
            .map(|binding| {
                json!({
                    "role": enum_json::<Role>(binding.role),
                    "unit": binding.unit,
                })
            })
            .collect(),
    )
}

/// A unit kind, with the Vietnamese words and abbreviations offices use for it
/// (`phòng`, `mn`, `thcs` …) as aliases.
impl Choices for UnitKind {
    const CHOICES: &'static [Choice<Self>] = &[
        Choice::aliased(
            UnitKind::Office,
            "A specialised office or department (phòng, sở)",
            &["phòng", "sở"],
        ),
        Choice::aliased(
            UnitKind::Commune,
            "A commune, ward or special zone (xã, phường, đặc khu)",
            &["xã", "phường", "đặc-khu"],
        ),
        Choice::aliased(
            UnitKind::Province,
            "A province or centrally-run city (tỉnh, thành phố)",
            &["tỉnh", "thành-phố"],
        ),
        Choice::aliased(
            UnitKind::District,
            "A district-level unit (huyện, quận), kept for history",
            &["huyện", "quận"],
        ),
        Choice::aliased(
            UnitKind::ServiceCentre,
            "A public administration service centre or one-stop counter",
            &["một-cửa", "trung-tâm-phục-vụ-hành-chính-công"],
        ),
        Choice::aliased(UnitKind::Preschool, "Preschool (mầm non)", &["mn", "mầm-non"]),
        Choice::aliased(
            UnitKind::PrimarySchool,
            "Primary school (tiểu học)",
            &["th", "tiểu-học"],
        ),
        Choice::aliased(
            UnitKind::LowerSecondarySchool,
            "Lower-secondary school (trung học cơ sở)",
            &["thcs", "trung-học-cơ-sở"],
        ),
        Choice::aliased(
            UnitKind::UpperSecondarySchool,
            "Upper-secondary school (trung học phổ thông)",
            &["thpt", "trung-học-phổ-thông"],
        ),
        Choice::aliased(
            UnitKind::MultiLevelSchool,
            "School spanning several levels (trường liên cấp)",
            &["liên-cấp"],
        ),
        Choice::aliased(UnitKind::Other, "Any other unit", &["khác"]),
    ];
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

/// A document type.
impl Choices for DocumentType {
    const CHOICES: &'static [Choice<Self>] = &[
        Choice::new(DocumentType::Procedure, "Quy trình (QT)"),
        Choice::new(DocumentType::Policy, "Chính sách chất lượng"),
        Choice::new(DocumentType::QualityManual, "Sổ tay chất lượng"),
        Choice::new(DocumentType::Objectives, "Mục tiêu chất lượng"),
        Choice::new(DocumentType::Instruction, "Hướng dẫn (HD)"),
        Choice::new(DocumentType::Form, "Biểu mẫu (BM)"),
        Choice::new(DocumentType::Record, "Hồ sơ: a record template or register"),
        Choice::new(
            DocumentType::External,
            "Văn bản bên ngoài (laws, decrees, circulars, standards): needs --issuer and --reference",
        ),
    ];
}

/// Who may read a document.
impl Choices for Confidentiality {
    const CHOICES: &'static [Choice<Self>] = &[
        Choice::new(Confidentiality::Public, "Anyone, including the public"),
        Choice::new(Confidentiality::Internal, "Every signed-in user"),
        Choice::new(
            Confidentiality::Restricted,
            "Users of the owner unit, document controllers, leaders and auditors",
        ),
    ];
}

/// What happens to a record at the end of its retention.
impl Choices for Disposition {
    const CHOICES: &'static [Choice<Self>] = &[
        Choice::new(Disposition::Keep, "Keep it (permanently or for a further period)"),
        Choice::new(
            Disposition::Destroy,
            "Destroy its content; its description and the act stay on record",
        ),
        Choice::named(
            Disposition::TransferToArchive,
            "transfer",
            "Transfer it to the archive (lưu trữ lịch sử)",
        ),
    ];
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

/// How a dossier came in.
impl Choices for Channel {
    const CHOICES: &'static [Choice<Self>] = &[
        Choice::new(Channel::Direct, "At the counter (trực tiếp)"),
        Choice::new(Channel::Online, "Through the online public service portal (trực tuyến)"),
        Choice::new(Channel::Postal, "By post (qua dịch vụ bưu chính)"),
    ];
}

/// Who the applicant is.
impl Choices for ApplicantType {
    const CHOICES: &'static [Choice<Self>] = &[
        Choice::new(ApplicantType::Citizen, "A person (công dân)"),
        Choice::new(ApplicantType::Business, "A business (doanh nghiệp)"),
        Choice::new(ApplicantType::Agency, "An agency or organisation (cơ quan, tổ chức)"),
        Choice::new(ApplicantType::Other, "Anyone else (khác)"),
    ];
}

/// The applicant's rating.
impl Choices for Satisfaction {
    const CHOICES: &'static [Choice<Self>] = &[
        Choice::new(Satisfaction::VerySatisfied, "Rất hài lòng"),
        Choice::new(Satisfaction::Satisfied, "Hài lòng"),
        Choice::new(Satisfaction::Acceptable, "Chấp nhận được"),
        Choice::new(Satisfaction::Dissatisfied, "Không hài lòng"),
    ];
}

/// The printable forms of a dossier (the register, form 06, has a flag of its own).
impl Choices for Form {
    const CHOICES: &'static [Choice<Self>] = &[
        Choice::new(
            Form::Receipt,
            "01: receipt and appointment (giấy tiếp nhận hồ sơ và hẹn trả kết quả)",
        ),
        Choice::named(
            Form::SupplementRequest,
            "supplement",
            "02: supplement request (phiếu yêu cầu bổ sung, hoàn thiện hồ sơ)",
        ),
        Choice::new(Form::Refusal, "03: refusal (phiếu từ chối tiếp nhận giải quyết hồ sơ)"),
        Choice::new(
            Form::Apology,
            "04: apology and new appointment (phiếu xin lỗi và hẹn lại ngày trả kết quả)",
        ),
        Choice::new(
            Form::ControlSlip,
            "05: control slip (phiếu kiểm soát quá trình giải quyết hồ sơ)",
        ),
    ];
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

/// A state (or another English-named enum value) for a table: its proto
/// name without the prefix, in lower case words (`in review`); `WHAT(N)` for a
/// number this client does not know (a newer server's).
pub fn state_cell<E: ProtoEnum>(value: i32, what: &str) -> String {
    E::of(value).map_or_else(
        || format!("{what}({value})"),
        |value| value.short_name().replace('_', " "),
    )
}

/// A value with a Vietnamese label for a table, as the forms print it; empty
/// when unset, `WHAT(N)` for a number this client does not know.
pub fn label_cell<E: Label>(value: i32, what: &str) -> String {
    E::label_vi_of(value).map_or_else(|| format!("{what}({value})"), str::to_string)
}

/// An enum value for JSON: its proto name, or the number when this client
/// does not know it (a newer server).
pub fn enum_json<E: ProtoEnum>(value: i32) -> Value {
    E::name_of(value).map_or_else(|| Value::from(value), Value::from)
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
        for role in enum_arg::choices::<Role>() {
            let binding = RoleBinding {
                role: role as i32,
                unit: "units/x".to_string(),
            };
            assert_eq!(parse_role_binding(&role_binding_label(&binding)), Ok(binding));
        }
        assert_eq!(arg_cell::<Role>(99, "role"), "role(99)");
        assert_eq!(
            arg_cell::<Role>(Role::DocumentController as i32, "role"),
            "document-controller"
        );
    }

    #[test]
    fn unit_kinds_are_accepted_by_their_vietnamese_names_with_or_without_diacritics() {
        let kind = |text: &str| enum_arg::parse::<UnitKind>(text, false);
        assert_eq!(kind("phòng"), Some(UnitKind::Office));
        assert_eq!(kind("PHONG"), Some(UnitKind::Office));
        assert_eq!(kind("mn"), Some(UnitKind::Preschool));
        assert_eq!(kind("Mầm non"), Some(UnitKind::Preschool));
        assert_eq!(kind("mam-non"), Some(UnitKind::Preschool));
        assert_eq!(kind("TH"), Some(UnitKind::PrimarySchool));
        assert_eq!(kind("tiểu-học"), Some(UnitKind::PrimarySchool));
        assert_eq!(kind("THCS"), Some(UnitKind::LowerSecondarySchool));
        assert_eq!(kind("thpt"), Some(UnitKind::UpperSecondarySchool));
        assert_eq!(kind("phường"), Some(UnitKind::Commune));
        assert_eq!(kind("liên cấp"), Some(UnitKind::MultiLevelSchool));
        let decomposed: String = "tiểu học".nfd().collect();
        assert_eq!(kind(&decomposed), Some(UnitKind::PrimarySchool), "typed decomposed");
        assert_eq!(kind("trường"), None);
        assert_eq!(kind("unspecified"), None);
        assert_eq!(kind(""), None);
    }

    #[test]
    fn kind_labels_match_the_command_line() {
        for name in enum_arg::arg_names::<UnitKind>() {
            let kind: Option<UnitKind> = enum_arg::parse(&name, false);
            assert_eq!(kind.map(|kind| arg_cell::<UnitKind>(kind as i32, "kind")), Some(name));
        }
        assert_eq!(
            arg_cell::<UnitKind>(UnitKind::ServiceCentre as i32, "kind"),
            "service-centre"
        );
        assert_eq!(
            enum_json::<UnitKind>(UnitKind::Office as i32),
            Value::from("UNIT_KIND_OFFICE")
        );
        assert_eq!(enum_json::<UnitKind>(42), Value::from(42));
    }

    #[test]
    fn vietnamese_text_is_composed() {
        // "Phòng" typed with a combining grave accent (NFD) becomes one code point.
        let decomposed = "Pho\u{300}ng";
        assert_eq!(nfc(decomposed), "Phòng");
        assert_eq!(nfc(decomposed).chars().count(), 5);
    }

    #[test]
    fn required_text_is_composed_and_blank_text_is_refused() {
        let required = |text| required_text(text, "docs reject", "--comment TEXT", "what must change");
        assert!(matches!(required(" Pho\u{300}ng "), Ok(text) if text == "Phòng"));
        assert!(matches!(
            required("  "),
            Err(CliError::Usage(message)) if message == "`eiso docs reject` needs --comment TEXT: what must change"
        ));
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
        use eiso_proto::eiso::procedures::v1::{DossierStatus, Outcome, Weekday};
        assert_eq!(
            label_cell::<DossierStatus>(DossierStatus::InProgress as i32, "status"),
            "Đang giải quyết"
        );
        assert_eq!(
            label_cell::<DossierStatus>(DossierStatus::Returned as i32, "status"),
            "Đã trả kết quả"
        );
        assert_eq!(
            enum_json::<DossierStatus>(DossierStatus::SupplementRequested as i32),
            Value::from("DOSSIER_STATUS_SUPPLEMENT_REQUESTED")
        );
        assert_eq!(label_cell::<Outcome>(Outcome::OnTime as i32, "outcome"), "Đúng hạn");
        assert_eq!(label_cell::<Outcome>(Outcome::Unspecified as i32, "outcome"), "");
        assert_eq!(enum_json::<Outcome>(Outcome::Late as i32), Value::from("OUTCOME_LATE"));
        assert_eq!(label_cell::<CopyKind>(CopyKind::Photocopy as i32, "copy"), "Bản sao");
        assert_eq!(
            label_cell::<Satisfaction>(Satisfaction::Acceptable as i32, "satisfaction"),
            "Chấp nhận được"
        );
        assert_eq!(label_cell::<Weekday>(Weekday::Sunday as i32, "weekday"), "Chủ nhật");
        assert_eq!(label_cell::<Weekday>(9, "weekday"), "weekday(9)");
        assert_eq!(enum_json::<DossierStatus>(99), Value::from(99));
        assert_eq!(
            enum_arg::parse("control-slip", false),
            Some(Form::ControlSlip),
            "the CLI's names map to the forms"
        );
        assert_eq!(enum_arg::parse("supplement", false), Some(Form::SupplementRequest));
        assert_eq!(
            enum_arg::parse("very-satisfied", false),
            Some(Satisfaction::VerySatisfied)
        );
    }

    #[test]
    fn document_enums_read_back() {
        use eiso_proto::eiso::documents::v1::{review, revision};
        fn read_back<E: Choices + std::fmt::Debug>(what: &str) {
            for name in enum_arg::arg_names::<E>() {
                let value: Option<E> = enum_arg::parse(&name, false);
                assert_eq!(value.map(|value| arg_cell::<E>(value.into(), what)), Some(name));
            }
        }
        read_back::<DocumentType>("type");
        read_back::<Confidentiality>("confidentiality");
        read_back::<Disposition>("disposition");
        assert_eq!(
            arg_cell::<DocumentType>(DocumentType::QualityManual as i32, "type"),
            "quality-manual"
        );
        assert_eq!(
            enum_json::<DocumentType>(DocumentType::Procedure as i32),
            Value::from("DOCUMENT_TYPE_PROCEDURE")
        );
        assert_eq!(
            enum_json::<Disposition>(Disposition::TransferToArchive as i32),
            Value::from("DISPOSITION_TRANSFER_TO_ARCHIVE")
        );
        assert_eq!(
            enum_json::<revision::State>(revision::State::InReview as i32),
            Value::from("STATE_IN_REVIEW")
        );
        assert_eq!(
            state_cell::<revision::State>(revision::State::InReview as i32, "state"),
            "in review"
        );
        assert_eq!(enum_json::<review::Decision>(42), Value::from(42));
    }
}
