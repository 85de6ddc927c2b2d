//! What the index holds about one resource, as a source produces it.

use chrono::{DateTime, Utc};
use eiso_proto::eiso::identity::v1::Role;
use tantivy::schema::Facet;
use tantivy::{DateTime as TantivyDateTime, TantivyDocument};

use crate::analysis::normalize;
use crate::schema::Fields;

/// Longest body text indexed per item, in bytes; the rest is cut off.
pub const MAX_BODY_BYTES: usize = 4 << 20;

/// One searchable resource.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchItem {
    /// Resource name, e.g. `documents/{id}`; unique in the index.
    pub name: String,
    /// `document`, `record`, `procedure`, `dossier`, `plan_task` …
    pub kind: String,
    pub title: String,
    pub body: String,
    /// Personal data (a dossier's applicant), searchable only by roles that may see it,
    /// one value a line; the first line names the person (shown with a result to the
    /// callers who may see personal data).
    pub personal: String,
    /// Owning unit `units/{id}`, or empty.
    pub unit: String,
    pub item_type: String,
    pub status: String,
    /// Who may see it: see [`readers`].
    pub readers: Vec<String>,
    pub update_time: DateTime<Utc>,
}

/// Reader tokens: an item lists the tokens that admit a caller; a caller
/// holds a token for each of its role bindings (see [`crate::Caller`]). The
/// platform's scoping rule — a binding at a unit covers that unit and the
/// units below it — is kept by an item listing, for each role that may read
/// it, its own unit and every unit above it.
pub mod readers {
    use super::Role;

    /// Every signed-in caller.
    pub const EVERYONE: &str = "all";

    /// Stands for any root unit: a binding at a root covers the whole system.
    pub const ANY_ROOT: &str = "root";

    /// Callers holding `role` bound at `unit`.
    pub fn bound(role: Role, unit: &str) -> String {
        format!("at:{}@{unit}", role.as_str_name())
    }

    /// The tokens of an item that `roles` may read and that belongs to the
    /// unit whose `chain` is given (the unit first, then the units above it);
    /// the roles' bindings at any root read it too.
    pub fn within(roles: &[Role], chain: &[String]) -> Vec<String> {
        chain
            .iter()
            .map(String::as_str)
            .chain([ANY_ROOT])
            .flat_map(|unit| roles.iter().map(move |role| bound(*role, unit)))
            .collect()
    }
}

/// Cuts `text` to at most `max` bytes at a character boundary.
pub fn truncate(text: &mut String, max: usize) {
    if text.len() > max {
        let mut end = max;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
}

fn facet_value(value: &str) -> String {
    // Facet path segments may not contain `/`.
    value.replace('/', "\u{2215}")
}

/// The status of an item indexed by name only because its event is quarantined.
pub const QUARANTINED: &str = "quarantined";

/// The kind of the item `name` names, from its last collection:
/// `records/{id}` → `record`, `plans/{id}/tasks/{id}` → `plan_task`.
fn kind_of(name: &str) -> String {
    let collections: Vec<&str> = name.split('/').step_by(2).collect();
    match collections.as_slice() {
        ["plans", "tasks"] => "plan_task".to_string(),
        ["plans", "reports"] => "plan_report".to_string(),
        [.., "correctiveActions"] | [.., "corrective_actions"] => "corrective_action".to_string(),
        [.., last] => last.strip_suffix('s').unwrap_or(last).to_string(),
        [] => String::new(),
    }
}

impl SearchItem {
    /// The item `name` by its name only: what the index holds of an item
    /// whose event is quarantined. Only root administrators find it (who may
    /// read the item is not known), under the status `quarantined`.
    pub fn name_only(name: &str) -> SearchItem {
        SearchItem {
            name: name.to_string(),
            kind: kind_of(name),
            title: name.to_string(),
            body: String::new(),
            personal: String::new(),
            unit: String::new(),
            item_type: String::new(),
            status: QUARANTINED.to_string(),
            readers: vec![readers::bound(Role::Admin, readers::ANY_ROOT)],
            update_time: Utc::now(),
        }
    }

    /// UTF-8 bytes of text this item puts into the index.
    pub fn text_bytes(&self) -> usize {
        self.title.len() + self.body.len() + self.personal.len()
    }

    pub(crate) fn to_document(&self, fields: &Fields) -> TantivyDocument {
        let title = normalize(&self.title);
        let mut body = normalize(&self.body);
        truncate(&mut body, MAX_BODY_BYTES);
        let personal = normalize(&self.personal);
        let mut doc = TantivyDocument::default();
        doc.add_text(fields.name, &self.name);
        doc.add_text(fields.kind, &self.kind);
        doc.add_text(fields.title, &title);
        doc.add_text(fields.title_exact, &title);
        doc.add_text(fields.body, &body);
        doc.add_text(fields.body_exact, &body);
        doc.add_text(fields.codes, &title);
        doc.add_text(fields.codes, &body);
        if !personal.is_empty() {
            doc.add_text(fields.personal, &personal);
            doc.add_text(fields.personal_exact, &personal);
        }
        doc.add_text(fields.unit, &self.unit);
        doc.add_text(fields.item_type, &self.item_type);
        doc.add_text(fields.status, &self.status);
        for reader in &self.readers {
            doc.add_text(fields.readers, reader);
        }
        doc.add_facet(fields.facets, Facet::from_path(["kind", &facet_value(&self.kind)]));
        if !self.unit.is_empty() {
            doc.add_facet(fields.facets, Facet::from_path(["unit", &facet_value(&self.unit)]));
        }
        if !self.item_type.is_empty() {
            doc.add_facet(fields.facets, Facet::from_path(["type", &facet_value(&self.item_type)]));
        }
        if !self.status.is_empty() {
            doc.add_facet(fields.facets, Facet::from_path(["status", &facet_value(&self.status)]));
        }
        doc.add_date(
            fields.update_time,
            TantivyDateTime::from_timestamp_micros(self.update_time.timestamp_micros()),
        );
        doc
    }
}

pub(crate) fn facet_segment_to_value(segment: &str) -> String {
    segment.replace('\u{2215}', "/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_only_item_has_the_kind_of_its_collection() {
        assert_eq!(SearchItem::name_only("records/r1").kind, "record");
        assert_eq!(SearchItem::name_only("dossiers/d").kind, "dossier");
        assert_eq!(SearchItem::name_only("plans/p/tasks/t").kind, "plan_task");
        assert_eq!(SearchItem::name_only("audits/a/findings/f").kind, "finding");
        assert_eq!(SearchItem::name_only("").kind, "");
        let item = SearchItem::name_only("documents/x");
        assert_eq!((item.title.as_str(), item.body.as_str()), ("documents/x", ""));
    }
}
