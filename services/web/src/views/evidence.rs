//! Evidence: what a plan's task or an audit's finding links to (a document,
//! one of its revisions, a quality record, a dossier) — named in Vietnamese,
//! linked to its page, and found by words through the search service among
//! what the person may see.

use eiso_proto::eiso::search::v1::SearchRequest;
use minijinja::{Value, context};

use super::methods::SEARCH;
use crate::Web;
use crate::error::PageError;
use crate::session::Session;

/// What kind of evidence a search kind or a link's kind is.
pub fn kind_label(kind: &str) -> &'static str {
    match kind {
        "document" => "Tài liệu",
        "revision" => "Lần ban hành tài liệu",
        "record" => "Hồ sơ chất lượng",
        "dossier" => "Hồ sơ TTHC",
        _ => "Minh chứng",
    }
}

/// The page of a linked resource, where the app has one.
pub fn href(resource: &str) -> String {
    let parts: Vec<&str> = resource.split('/').collect();
    match parts.as_slice() {
        ["documents", id, ..] if super::fields::valid_id(id) => format!("/tai-lieu/{id}"),
        ["records", id] if super::fields::valid_id(id) => format!("/ho-so-chat-luong/{id}"),
        ["dossiers", id] if super::fields::valid_id(id) => format!("/ho-so/{id}"),
        _ => String::new(),
    }
}

/// Documents, records and dossiers found by `words` (at most ten), each
/// marked when it is already in `linked`.
pub async fn find(web: &Web, session: &Session, words: &str, linked: &[&str]) -> Result<Vec<Value>, PageError> {
    let words = words.trim();
    if words.is_empty() {
        return Ok(Vec::new());
    }
    let answer = web
        .search()
        .run_search(
            &session.context(SEARCH)?,
            SearchRequest {
                query: words.chars().take(500).collect(),
                kinds: vec!["document".into(), "record".into(), "dossier".into()],
                page_size: 10,
                ..Default::default()
            },
        )
        .await?;
    Ok(answer
        .results
        .into_iter()
        .map(|r| {
            context! {
                linked => linked.contains(&r.name.as_str()),
                resource => r.name,
                title => r.title,
                kind => kind_label(&r.kind),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evidence_links_to_the_page_of_what_it_names() {
        assert_eq!(href("documents/a/revisions/2"), "/tai-lieu/a");
        assert_eq!(href("records/r"), "/ho-so-chat-luong/r");
        assert_eq!(href("dossiers/d"), "/ho-so/d");
        assert_eq!(href("records/r/files/f"), "");
        assert_eq!(href("documents/<x>"), "");
    }
}
