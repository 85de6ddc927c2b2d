//! What a resource name stands for, to show people names instead of ids: a
//! user's or a unit's display name from the identity directory, a document's
//! code and title, a record's title. Each name is asked once; one that cannot
//! be read (not visible to the caller, gone, the server unreachable) shows as
//! the name itself, so a table never fails for want of a label. JSON output
//! keeps the names and has no need of this.

use std::collections::HashMap;

use eiso_proto::eiso::documents::v1::{GetDocumentRequest, GetRecordRequest};
use eiso_proto::eiso::identity::v1::{GetUnitRequest, GetUserRequest};

use crate::context::Ctx;

/// Labels of resource names, looked up by [`Labels::of`].
#[derive(Debug, Default)]
pub struct Labels {
    known: HashMap<String, String>,
}

impl Labels {
    /// Looks up every distinct name of `names` (`users/…`, `units/…`,
    /// `documents/…`, `records/…`; others are left as they are). Asks
    /// nothing when the output is JSON, which shows the names themselves.
    pub async fn of<'a>(ctx: &Ctx, names: impl IntoIterator<Item = &'a str>) -> Self {
        let mut labels = Self::default();
        if ctx.json() {
            return labels;
        }
        for name in names {
            if name.is_empty() || labels.known.contains_key(name) {
                continue;
            }
            if let Some(label) = lookup(ctx, name).await {
                labels.known.insert(name.to_string(), label);
            }
        }
        labels
    }

    /// What `name` stands for, or `name` itself when it could not be read.
    pub fn label(&self, name: &str) -> String {
        self.known.get(name).cloned().unwrap_or_else(|| name.to_string())
    }

    /// The labels of `names`, one a line (for a table cell).
    pub fn lines(&self, names: &[String]) -> String {
        names.iter().map(|n| self.label(n)).collect::<Vec<_>>().join("\n")
    }
}

async fn lookup(ctx: &Ctx, name: &str) -> Option<String> {
    let name = name.to_string();
    let collection = name.split('/').next().unwrap_or_default();
    let label = match collection {
        "users" => {
            let request = ctx.request(GetUserRequest { name }).ok()?;
            ctx.identity().get_user(request).await.ok()?.into_inner().display_name
        }
        "units" => {
            let request = ctx.request(GetUnitRequest { name }).ok()?;
            ctx.identity().get_unit(request).await.ok()?.into_inner().display_name
        }
        "documents" => {
            let request = ctx.request(GetDocumentRequest { name, as_of_time: None }).ok()?;
            let document = ctx.documents().get_document(request).await.ok()?.into_inner();
            format!("{} {}", document.code, document.title)
        }
        "records" => {
            let request = ctx.request(GetRecordRequest { name }).ok()?;
            ctx.documents().get_record(request).await.ok()?.into_inner().title
        }
        _ => return None,
    };
    (!label.trim().is_empty()).then_some(label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_name_shows_as_itself() {
        let mut labels = Labels::default();
        labels.known.insert("users/an".to_string(), "Nguyễn Văn An".to_string());
        assert_eq!(labels.label("users/an"), "Nguyễn Văn An");
        assert_eq!(labels.label("users/binh"), "users/binh");
        assert_eq!(
            labels.lines(&["users/an".to_string(), "units/x".to_string()]),
            "Nguyễn Văn An\nunits/x"
        );
    }
}
