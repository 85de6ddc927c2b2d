//! Parsing what people type — resource names, `ROLE@UNIT`, unit kinds — and
//! showing enum values back to them.

use clap::ValueEnum;
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

/// An enum value for JSON: its proto name, or the number when this client
/// does not know it (a newer server).
fn enum_json<E>(name: Result<&'static str, E>, number: i32) -> Value {
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
}
