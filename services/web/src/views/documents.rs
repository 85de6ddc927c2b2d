//! Tài liệu: the controlled documents the person may read, filtered by type,
//! owner unit, state and confidentiality, with the words of the search box
//! sent to the search page (documents only).

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use eiso_proto::eiso::documents::v1::{self as pb, Confidentiality, DocumentType, document};
use eiso_proto::labels::{Label, ProtoEnum};
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::methods::LIST_DOCUMENTS;
use crate::error::PageError;
use crate::names::Names;
use crate::session::Session;
use crate::{Web, format};

/// Documents a page.
const PAGE_SIZE: i32 = 50;

#[derive(Deserialize, Default)]
pub struct ListQuery {
    /// Words: the search page answers them.
    #[serde(default)]
    q: String,
    /// Document type, by its short name (`procedure`).
    #[serde(default)]
    loai: String,
    /// Owner unit, `units/{id}`.
    #[serde(default)]
    don_vi: String,
    /// State (`effective`).
    #[serde(default)]
    trang_thai: String,
    /// Confidentiality (`restricted`).
    #[serde(default)]
    mat: String,
    #[serde(default)]
    trang: String,
}

impl ListQuery {
    /// The list's filter, each value checked before it reaches it.
    fn filter(&self) -> Result<String, PageError> {
        let bad = |what: &str| PageError::BadRequest(format!("Bộ lọc không hợp lệ: {what}."));
        let mut out = Vec::new();
        let loai = self.loai.trim();
        if !loai.is_empty() {
            let kind = DocumentType::from_short_name(loai).ok_or_else(|| bad("loại tài liệu"))?;
            out.push(format!("type = {}", kind.as_str_name()));
        }
        let unit = self.don_vi.trim();
        if !unit.is_empty() {
            if !super::fields::is_unit_name(unit) {
                return Err(bad("đơn vị"));
            }
            out.push(format!("owner_unit = \"{unit}\""));
        }
        let state = self.trang_thai.trim();
        if !state.is_empty() {
            let state = document::State::from_short_name(state).ok_or_else(|| bad("trạng thái"))?;
            out.push(format!("state = {}", state.as_str_name()));
        }
        let level = self.mat.trim();
        if !level.is_empty() {
            let level = Confidentiality::from_short_name(level).ok_or_else(|| bad("mức mật"))?;
            out.push(format!("confidentiality = {}", level.as_str_name()));
        }
        Ok(out.join(" AND "))
    }

    /// The address's query without the page: what the next page's link keeps.
    fn query_string(&self) -> String {
        format::query_string(&[
            ("loai", &self.loai),
            ("don_vi", &self.don_vi),
            ("trang_thai", &self.trang_thai),
            ("mat", &self.mat),
        ])
    }
}

/// One document as a row of the list.
#[derive(Serialize)]
struct Row {
    id: String,
    code: String,
    title: String,
    kind: String,
    unit: String,
    confidentiality: String,
    state: String,
    state_key: String,
    /// "2" for the effective revision 2; empty when none is.
    effective: String,
    updated: String,
}

/// The choices of an enum filter: (short name, label, chosen), unset left out.
pub fn choices<E: Label>(chosen: &str) -> Vec<minijinja::Value> {
    E::values()
        .into_iter()
        .filter(|value| (*value).into() != 0)
        .map(|value| {
            let key = value.short_name();
            context! { selected => key == chosen.trim(), key, label => value.label_vi() }
        })
        .collect()
}

pub async fn page(
    State(web): State<Web>,
    session: Session,
    Query(query): Query<ListQuery>,
) -> Result<Response, PageError> {
    // Words go to the search page, which finds them in the documents' text.
    if !query.q.trim().is_empty() {
        let to = format!("/tim-kiem?q={}&loai=document", format::percent_encode(query.q.trim()));
        return Ok(Redirect::to(&to).into_response());
    }
    let ctx = session.context(LIST_DOCUMENTS)?;
    let response = web
        .documents()
        .list_documents(
            &ctx,
            pb::ListDocumentsRequest {
                filter: query.filter()?,
                order_by: "code".into(),
                page_size: PAGE_SIZE,
                page_token: query.trang.trim().to_string(),
            },
        )
        .await?;
    let mut names = Names::new(&web);
    let mut rows = Vec::new();
    for d in &response.documents {
        let state = document::State::try_from(d.state).unwrap_or_default();
        rows.push(Row {
            id: d.name.trim_start_matches("documents/").to_string(),
            code: d.code.clone(),
            title: d.title.clone(),
            kind: DocumentType::try_from(d.r#type).unwrap_or_default().label_vi().into(),
            unit: names.unit(&d.owner_unit).await,
            confidentiality: Confidentiality::try_from(d.confidentiality)
                .unwrap_or_default()
                .label_vi()
                .into(),
            state: state.label_vi().into(),
            state_key: state.short_name(),
            effective: if d.effective_revision > 0 {
                d.effective_revision.to_string()
            } else {
                String::new()
            },
            updated: format::timestamp(d.update_time.as_ref()),
        });
    }
    let covered = session.covered_units(&web, 200).await;
    let units = super::fields::unit_choices(&mut names, covered, query.don_vi.trim()).await;
    let filtered = !query.query_string().is_empty();
    Ok(web
        .pages()
        .render(
            "documents.html",
            context! {
                frame => session.frame(),
                may_create => session.may(super::methods::CREATE_DOCUMENT),
                title => "Tài liệu",
                rows,
                kinds => choices::<DocumentType>(&query.loai),
                states => choices::<document::State>(&query.trang_thai),
                levels => choices::<Confidentiality>(&query.mat),
                units,
                filtered,
                query => query.query_string(),
                next_page => format::percent_encode(&response.next_page_token),
            },
        )?
        .into_response())
}

/// The page of a document, from its list row or a search result.
pub fn href(name: &str) -> String {
    format!("/tai-lieu/{}", name.trim_start_matches("documents/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_reach_the_list_only_as_known_values() {
        let query = ListQuery {
            loai: "procedure".into(),
            don_vi: "units/abc-1".into(),
            trang_thai: "effective".into(),
            mat: "restricted".into(),
            ..Default::default()
        };
        assert_eq!(
            query.filter().expect("known values"),
            "type = DOCUMENT_TYPE_PROCEDURE AND owner_unit = \"units/abc-1\" AND state = STATE_EFFECTIVE \
             AND confidentiality = CONFIDENTIALITY_RESTRICTED"
        );
        for bad in [
            ListQuery {
                loai: "procedure OR 1".into(),
                ..Default::default()
            },
            ListQuery {
                don_vi: "units/a\" OR \"".into(),
                ..Default::default()
            },
            ListQuery {
                mat: "secret".into(),
                ..Default::default()
            },
        ] {
            assert!(matches!(bad.filter(), Err(PageError::BadRequest(_))));
        }
    }
}
