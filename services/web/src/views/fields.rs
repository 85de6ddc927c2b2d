//! A submitted HTML form as name/value pairs (a field may repeat: ticked
//! checkboxes), and the CSRF check every POST starts with.

use http::HeaderMap;

use crate::csrf;
use eiso_platform::CallContext;
use eiso_proto::eiso::procedures::v1::{ApplicantType, Channel, Satisfaction};
use eiso_proto::labels::Label;
use minijinja::{Value, context};

use crate::Web;
use crate::error::PageError;
use crate::names::Names;
use crate::session::Session;

pub struct Fields(pub Vec<(String, String)>);

/// Whether an id taken from a page's address may name a resource: letters,
/// digits and dashes only (anything else is no page).
pub fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// An id taken from a page's address, refused as no page unless it is
/// [`valid_id`].
pub fn check_id(id: &str) -> Result<(), PageError> {
    if valid_id(id) { Ok(()) } else { Err(PageError::NotFound) }
}

/// The `request_id` a create form carries ([`Fields::create_context`]): the
/// one it was sent with when a refused form is shown again, so that sending
/// it once more still creates one thing; a new one on a fresh form.
pub fn request_id_or_new(sent: String) -> String {
    if sent.is_empty() {
        uuid::Uuid::new_v4().to_string()
    } else {
        sent
    }
}

/// A refused call's violations in Vietnamese, one sentence each, in order
/// and without repeats: `say` tells what a violation of an API field means;
/// a field it does not know is quoted.
pub fn say_violations(
    violations: &[eiso_platform::error::FieldViolation],
    say: impl Fn(&str) -> Option<&'static str>,
) -> String {
    let mut said: Vec<String> = Vec::new();
    for v in violations {
        let sentence = say(&v.field).map_or_else(|| format!("Giá trị không hợp lệ ({}).", v.field), str::to_string);
        if !said.contains(&sentence) {
            said.push(sentence);
        }
    }
    said.join(" ")
}

/// A form's fields by the API field a violation names: (API field, form
/// field, what to say in Vietnamese).
pub type FieldTable = [(&'static str, &'static str, &'static str)];

/// A violation of the service as the form's field and its message: the
/// table's entry for the API field or one inside it (`a.b`, `a[0]`), or an
/// unnamed message quoting the field.
pub fn field_error(table: &FieldTable, field: &str) -> (String, String) {
    table
        .iter()
        .find(|(api, ..)| {
            field == *api || field.starts_with(&format!("{api}[")) || field.starts_with(&format!("{api}."))
        })
        .map(|(_, form, message)| (form.to_string(), message.to_string()))
        .unwrap_or_else(|| (String::new(), format!("Giá trị không hợp lệ ({field}).")))
}

/// The channels as the pages name them (`kenh=`): the form's value, the
/// channel, and its label.
pub const CHANNELS: [(&str, Channel, &str); 3] = [
    ("truc-tiep", Channel::Direct, "Trực tiếp"),
    ("truc-tuyen", Channel::Online, "Trực tuyến"),
    ("buu-chinh", Channel::Postal, "Bưu chính"),
];

/// The channel a page's `kenh` value names.
pub fn channel(value: &str) -> Option<Channel> {
    CHANNELS
        .iter()
        .find(|(key, ..)| *key == value)
        .map(|(_, channel, _)| *channel)
}

/// Who an applicant is, as the counter's pages name it (`loai_nguoi_nop=`).
/// Whether `value` is a unit's name, `units/{id}`, safe to put in a filter.
pub fn is_unit_name(value: &str) -> bool {
    value.strip_prefix("units/").is_some_and(valid_id)
}

/// A list's unit filter (`macros.html`'s `unit_select`): each of `units`
/// by its name, `selected` (a page's value) marked.
pub async fn unit_choices(names: &mut Names<'_>, units: Vec<String>, selected: &str) -> Vec<Value> {
    let mut choices = Vec::new();
    for unit in units {
        let name = names.unit(&unit).await;
        choices.push(context! { selected => unit == selected, value => unit, name });
    }
    choices
}

pub const APPLICANT_TYPES: [(&str, ApplicantType); 4] = [
    ("cong-dan", ApplicantType::Citizen),
    ("doanh-nghiep", ApplicantType::Business),
    ("co-quan", ApplicantType::Agency),
    ("khac", ApplicantType::Other),
];

/// The applicant's type a page's value names; a person when absent, `None`
/// for a value that names none.
pub fn applicant_type(value: &str) -> Option<ApplicantType> {
    if value.is_empty() {
        return Some(ApplicantType::Citizen);
    }
    APPLICANT_TYPES
        .iter()
        .find(|(key, _)| *key == value)
        .map(|(_, kind)| *kind)
}

/// The applicant types for a page's choice, `selected` (a page's value) marked.
pub fn applicant_types(selected: &str) -> Vec<Value> {
    APPLICANT_TYPES
        .iter()
        .enumerate()
        .map(|(i, (key, kind))| {
            let selected = *key == selected || (selected.is_empty() && i == 0);
            context! { key, label => kind.label_vi(), selected }
        })
        .collect()
}

impl Fields {
    /// A submitted form, refused unless its `csrf` field matches the
    /// browser's cookie ([`Fields::check_csrf`]).
    pub fn checked(form: Vec<(String, String)>, headers: &HeaderMap) -> Result<Self, PageError> {
        let fields = Fields(form);
        fields.check_csrf(headers)?;
        Ok(fields)
    }

    /// The applicant's type the form names (`loai_nguoi_nop`), as the API
    /// takes it: a value that names none is refused by the service, named.
    pub fn applicant_type(&self) -> i32 {
        applicant_type(self.get("loai_nguoi_nop")).map_or(-1, |kind| kind as i32)
    }

    /// The first value of `name`, trimmed; empty when absent.
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.trim())
            .unwrap_or("")
    }

    /// The first value of `name` as typed (a password: spaces count); empty
    /// when absent.
    pub fn raw(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
            .unwrap_or("")
    }

    /// The satisfaction chosen in radio group `name` (the `satisfaction`
    /// macro's values); unspecified when none was chosen.
    pub fn satisfaction(&self, name: &str) -> Satisfaction {
        match self.get(name) {
            "rat-hai-long" => Satisfaction::VerySatisfied,
            "hai-long" => Satisfaction::Satisfied,
            "chap-nhan" => Satisfaction::Acceptable,
            "khong-hai-long" => Satisfaction::Dissatisfied,
            _ => Satisfaction::Unspecified,
        }
    }

    /// Every value of `name`, in order.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// The context of a form that creates something: its CSRF value checked,
    /// `method` authorised for the person, and the form's `request_id`
    /// (written into the page when it was rendered) carried, so that a
    /// resubmitted form returns what the first one created.
    pub async fn create_context(
        &self,
        web: &Web,
        headers: &HeaderMap,
        session: &Session,
        method: &str,
    ) -> Result<CallContext, PageError> {
        self.check_csrf(headers)?;
        let mut ctx = web.write_context(session, method).await?;
        ctx.request_id = self.get("request_id").to_string();
        Ok(ctx)
    }

    /// Refuses the form unless its `csrf` field matches the browser's cookie.
    pub fn check_csrf(&self, headers: &HeaderMap) -> Result<(), PageError> {
        if csrf::check(headers, Some(self.get("csrf"))) {
            Ok(())
        } else {
            Err(PageError::Csrf)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use eiso_platform::error::FieldViolation;

    #[test]
    fn violations_are_said_once_each_and_unknown_fields_quoted() {
        let violations = [
            FieldViolation::new("audit.start_date", "x"),
            FieldViolation::new("audit.end_date", "y"),
            FieldViolation::new("mystery", "z"),
        ];
        let said = say_violations(&violations, |field| {
            field.ends_with("_date").then_some("Đến ngày không trước từ ngày.")
        });
        assert_eq!(said, "Đến ngày không trước từ ngày. Giá trị không hợp lệ (mystery).");
    }
}
