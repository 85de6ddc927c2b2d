//! Tìm kiếm: one search over everything the person may see — documents,
//! records, procedures, dossiers, plan tasks and reports, the quality
//! system — with the matched words marked in each snippet, counts by kind,
//! unit, type and status as links that narrow the search, newest first on
//! request, and one page at a time. The search service decides what the
//! person may see (the platform's scoping rule); this page only shows it.

use axum::extract::{Query, State};
use axum::response::Html;
use eiso_proto::eiso::search::v1::{FacetCount, SearchRequest, SearchResult};
use eiso_proto::labels::Label;
use minijinja::context;
use serde::{Deserialize, Serialize};

use eiso_platform::ServiceError;

use super::methods::SEARCH;
use crate::error::PageError;
use crate::names::Names;
use crate::session::Session;
use crate::{Web, format};

/// What the page says when the words hold nothing to look for.
const NOTHING_TO_LOOK_FOR: &str = "Không có từ nào để tìm. Hãy gõ ít nhất một từ hoặc mã không có dấu trừ (-) \
     dính liền phía trước; dấu trừ dính liền một từ nghĩa là loại trừ từ đó.";

/// Whether the service refused the words themselves (only `-word`s, only
/// punctuation), rather than a filter or a page token.
pub(super) fn nothing_to_look_for(error: &ServiceError) -> bool {
    matches!(error, ServiceError::InvalidArgument(violations) if violations.iter().any(|v| v.field == "query"))
}

/// Results a page.
const PAGE_SIZE: i32 = 20;

/// The longest query the page sends (the service's own limit).
const MAX_QUERY_CHARS: usize = 500;

/// The kinds of item, by the search service's name: how the page calls them.
const KINDS: &[(&str, &str)] = &[
    ("document", "Tài liệu"),
    ("record", "Hồ sơ chất lượng"),
    ("procedure", "Thủ tục hành chính"),
    ("dossier", "Hồ sơ TTHC"),
    ("plan_task", "Nhiệm vụ kế hoạch"),
    ("plan_report", "Báo cáo kế hoạch"),
    ("audit", "Cuộc đánh giá nội bộ"),
    ("finding", "Phát hiện đánh giá"),
    ("corrective_action", "Hành động khắc phục"),
    ("inspection", "Kiểm tra"),
    ("diagnostic", "Chẩn đoán ISO 18091"),
    ("assessment", "Đánh giá chỉ số"),
];

fn kind_label(kind: &str) -> String {
    KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or_else(|| kind.to_string(), |(_, label)| label.to_string())
}

/// A type or status as the index holds it (`published`, `minor_nonconformity`)
/// in Vietnamese, by the labels beside the proto; for an item of `kind`, or
/// when the kinds are mixed (`kind` empty) as the first kind that has it.
fn value_label(kind: &str, facet: &str, value: &str) -> String {
    use eiso_proto::eiso::documents::v1::{DocumentType, document, record};
    use eiso_proto::eiso::plans::v1::{ReportKind, TaskStatus};
    use eiso_proto::eiso::procedures::v1::{DossierStatus, procedure};
    use eiso_proto::eiso::quality::v1::{Change, Colour, FindingType, audit, corrective_action, inspection};

    fn of<E: Label>(value: &str) -> Option<&'static str> {
        E::from_short_name(value).map(|e| e.label_vi())
    }
    let in_kind = |kind: &str| match (kind, facet) {
        ("document", "type") => of::<DocumentType>(value),
        ("document", "status") => of::<document::State>(value),
        ("record", "status") => of::<record::State>(value),
        ("procedure", "status") => of::<procedure::State>(value),
        ("dossier", "status") => of::<DossierStatus>(value),
        ("plan_task", "status") => of::<TaskStatus>(value),
        ("plan_report", "type") => of::<ReportKind>(value),
        ("finding", "type") => of::<FindingType>(value),
        ("finding", "status") => match value {
            "open" => Some("Chưa có hành động khắc phục"),
            "action_raised" => Some("Đã có hành động khắc phục"),
            _ => None,
        },
        ("corrective_action", "status") => of::<corrective_action::State>(value),
        ("audit", "status") => of::<audit::State>(value),
        ("inspection", "status") => of::<inspection::State>(value),
        ("assessment", "type") => of::<Colour>(value),
        ("assessment", "status") => of::<Change>(value),
        _ => None,
    };
    let label = if kind.is_empty() {
        KINDS.iter().find_map(|(kind, _)| in_kind(kind))
    } else {
        in_kind(kind)
    };
    label.map_or_else(|| value.replace('_', " "), str::to_string)
}

#[derive(Deserialize, Default)]
pub struct SearchQuery {
    /// The words.
    #[serde(default)]
    q: String,
    /// Kind (`document` …).
    #[serde(default)]
    loai: String,
    /// Unit (`units/{id}`).
    #[serde(default)]
    don_vi: String,
    /// Type (`procedure`, `minor_nonconformity` …).
    #[serde(default)]
    kieu: String,
    /// Status.
    #[serde(default)]
    trang_thai: String,
    /// `moi-nhat`: newest first; otherwise by relevance.
    #[serde(default)]
    sap_xep: String,
    /// The next page's token.
    #[serde(default)]
    trang: String,
}

impl SearchQuery {
    /// The narrowing filters: (parameter, value), set ones only.
    fn filters(&self) -> [(&'static str, &str); 4] {
        [
            ("loai", self.loai.trim()),
            ("don_vi", self.don_vi.trim()),
            ("kieu", self.kieu.trim()),
            ("trang_thai", self.trang_thai.trim()),
        ]
    }

    /// The address of this search with `changes` applied (an empty value
    /// drops the parameter), always from its first page.
    fn address(&self, changes: &[(&str, &str)]) -> String {
        let mut params: Vec<(&str, &str)> = vec![("q", self.q.trim())];
        params.extend(self.filters());
        params.push(("sap_xep", self.sap_xep.trim()));
        for (key, value) in changes {
            if let Some(param) = params.iter_mut().find(|(k, _)| k == key) {
                param.1 = value;
            }
        }
        format!("/tim-kiem?{}", format::query_string(&params))
    }
}

/// A piece of a snippet: marked when it is a matched word.
#[derive(Serialize)]
struct Piece {
    text: String,
    hit: bool,
}

/// `snippet` cut at its highlights (ranges of Unicode code points, as the
/// service gives them); ranges out of order or out of bounds are ignored.
fn pieces(snippet: &str, result: &SearchResult) -> Vec<Piece> {
    let chars: Vec<char> = snippet.chars().collect();
    let mut out = Vec::new();
    let mut at = 0usize;
    for highlight in &result.highlights {
        let (Ok(start), Ok(end)) = (usize::try_from(highlight.start), usize::try_from(highlight.end)) else {
            continue;
        };
        if start < at || end <= start || end > chars.len() {
            continue;
        }
        if start > at {
            out.push(Piece {
                text: chars[at..start].iter().collect(),
                hit: false,
            });
        }
        out.push(Piece {
            text: chars[start..end].iter().collect(),
            hit: true,
        });
        at = end;
    }
    if at < chars.len() {
        out.push(Piece {
            text: chars[at..].iter().collect(),
            hit: false,
        });
    }
    out
}

/// One result as the page shows it.
#[derive(Serialize)]
struct Found {
    title: String,
    /// The page that shows it, where the app has one.
    href: String,
    kind: String,
    unit: String,
    status: String,
    updated: String,
    /// A dossier's applicant, for those who may see personal data.
    applicant: String,
    snippet: Vec<Piece>,
}

/// The page of the item `name`, where the app has one.
fn page_of(name: &str, kind: &str) -> String {
    match (kind, name.split_once('/')) {
        ("dossier", Some((_, id))) => format!("/ho-so/{id}"),
        ("document", Some(_)) => super::documents::href(name),
        ("record", Some(_)) => super::records::href(name),
        _ => String::new(),
    }
}

/// Whether `value` is a national procedure code (`2.002481`).
fn is_procedure_code(value: &str) -> bool {
    value.starts_with(|c: char| c.is_ascii_digit())
        && value.contains('.')
        && value.chars().all(|c| c.is_ascii_digit() || c == '.')
}

/// One value of a facet as a link that narrows the search, or widens it
/// again when it is the value chosen.
#[derive(Serialize)]
struct FacetLink {
    label: String,
    count: i64,
    href: String,
    chosen: bool,
}

#[derive(Serialize)]
struct Facet {
    title: &'static str,
    links: Vec<FacetLink>,
}

async fn facets(web: &Web, query: &SearchQuery, counts: &[FacetCount]) -> Vec<Facet> {
    let mut names = Names::new(web);
    let mut out = Vec::new();
    for (facet, param, title, chosen) in [
        ("kind", "loai", "Loại", query.loai.trim()),
        ("unit", "don_vi", "Đơn vị", query.don_vi.trim()),
        ("type", "kieu", "Phân loại", query.kieu.trim()),
        ("status", "trang_thai", "Trạng thái", query.trang_thai.trim()),
    ] {
        let mut links = Vec::new();
        for count in counts.iter().filter(|c| c.facet == facet && !c.value.is_empty()) {
            let label = match facet {
                "kind" => kind_label(&count.value),
                "unit" => names.unit(&count.value).await,
                // A dossier's type is its procedure's code: shown by the procedure's title.
                "type" if is_procedure_code(&count.value) => {
                    names.procedure(&format!("procedures/{}", count.value)).await
                }
                _ => value_label(query.loai.trim(), facet, &count.value),
            };
            let is_chosen = count.value == chosen;
            links.push(FacetLink {
                label,
                count: count.count,
                href: query.address(&[(param, if is_chosen { "" } else { count.value.as_str() })]),
                chosen: is_chosen,
            });
        }
        if !links.is_empty() {
            out.push(Facet { title, links });
        }
    }
    out
}

pub async fn page(
    State(web): State<Web>,
    session: Session,
    Query(query): Query<SearchQuery>,
) -> Result<Html<String>, PageError> {
    let ctx = session.context(SEARCH)?;
    let words = query.q.trim();
    if words.chars().count() > MAX_QUERY_CHARS {
        return Err(PageError::BadRequest(format!(
            "Nội dung tìm kiếm dài quá {MAX_QUERY_CHARS} ký tự."
        )));
    }
    let newest = query.sap_xep == "moi-nhat";
    let mut found = Vec::new();
    let mut facet_links = Vec::new();
    let mut total = 0;
    let mut next_page = String::new();
    let mut suggestion = None;
    let mut partial = false;
    let mut spelled_alike = false;
    let mut refused = None;
    if !words.is_empty() {
        let one = |value: &str| {
            let value = value.trim();
            if value.is_empty() {
                Vec::new()
            } else {
                vec![value.to_string()]
            }
        };
        let answer = match web
            .search()
            .run_search(
                &ctx,
                SearchRequest {
                    query: words.to_string(),
                    kinds: one(&query.loai),
                    units: one(&query.don_vi),
                    types: one(&query.kieu),
                    statuses: one(&query.trang_thai),
                    order_by: if newest {
                        "update_time desc".into()
                    } else {
                        String::new()
                    },
                    page_size: PAGE_SIZE,
                    page_token: query.trang.trim().to_string(),
                },
            )
            .await
        {
            Ok(answer) => answer,
            // Words with nothing to look for (only `-word`s, only punctuation):
            // the page says so beside the box, where they can be changed.
            Err(error) if nothing_to_look_for(&error) => {
                refused = Some(NOTHING_TO_LOOK_FOR);
                Default::default()
            }
            Err(error) => return Err(error.into()),
        };
        if !answer.suggestion.is_empty() {
            suggestion = Some(context! {
                text => answer.suggestion.clone(),
                href => query.address(&[("q", answer.suggestion.as_str())]),
            });
        }
        partial = answer.partial;
        spelled_alike = answer.spelled_alike;
        let mut names = Names::new(&web);
        for result in &answer.results {
            found.push(Found {
                title: result.title.clone(),
                href: page_of(&result.name, &result.kind),
                kind: kind_label(&result.kind),
                unit: if result.unit.is_empty() {
                    String::new()
                } else {
                    names.unit(&result.unit).await
                },
                status: if result.status.is_empty() {
                    String::new()
                } else {
                    value_label(&result.kind, "status", &result.status)
                },
                updated: format::timestamp(result.update_time.as_ref()),
                applicant: result.applicant.clone(),
                snippet: pieces(&result.snippet, result),
            });
        }
        facet_links = facets(&web, &query, &answer.facets).await;
        total = answer.total_size;
        if !answer.next_page_token.is_empty() {
            next_page = format!(
                "{}&trang={}",
                query.address(&[]),
                format::percent_encode(&answer.next_page_token)
            );
        }
    }
    let filtered = query.filters().iter().any(|(_, value)| !value.is_empty());
    web.pages().render(
        "search.html",
        context! {
            frame => session.frame(),
            title => if words.is_empty() { "Tìm kiếm".to_string() } else { format!("Tìm kiếm: {words}") },
            q => words,
            searched => !words.is_empty(),
            newest,
            by_relevance => query.address(&[("sap_xep", "")]),
            by_time => query.address(&[("sap_xep", "moi-nhat")]),
            clear_filters => filtered.then(|| query.address(&[("loai", ""), ("don_vi", ""), ("kieu", ""), ("trang_thai", "")])),
            filters => query.filters().iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| context! { key => k, value => v }).collect::<Vec<_>>(),
            total,
            refused,
            suggestion,
            partial,
            spelled_alike,
            results => found,
            facets => facet_links,
            next_page,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use eiso_proto::eiso::search::v1::Highlight;

    fn result(ranges: &[(i32, i32)]) -> SearchResult {
        SearchResult {
            highlights: ranges.iter().map(|&(start, end)| Highlight { start, end }).collect(),
            ..Default::default()
        }
    }

    fn marked(snippet: &str, ranges: &[(i32, i32)]) -> String {
        pieces(snippet, &result(ranges))
            .iter()
            .map(|p| if p.hit { format!("[{}]", p.text) } else { p.text.clone() })
            .collect()
    }

    #[test]
    fn highlights_are_code_points_not_bytes() {
        assert_eq!(marked("Hồ sơ chuyển trường", &[(6, 12)]), "Hồ sơ [chuyển] trường");
        assert_eq!(
            marked("Hồ sơ chuyển trường", &[(0, 2), (13, 19)]),
            "[Hồ] sơ chuyển [trường]"
        );
    }

    #[test]
    fn ranges_that_do_not_fit_are_left_out() {
        assert_eq!(marked("abc", &[(2, 9)]), "abc");
        assert_eq!(marked("abcdef", &[(3, 4), (1, 2)]), "abc[d]ef");
        assert_eq!(marked("abc", &[(-1, 2), (2, 2)]), "abc");
    }

    #[test]
    fn a_facet_link_keeps_the_words_and_the_other_filters() {
        let query = SearchQuery {
            q: "chuyển trường".into(),
            loai: "document".into(),
            trang: "abc".into(),
            ..Default::default()
        };
        assert_eq!(
            query.address(&[("trang_thai", "published")]),
            "/tim-kiem?q=chuy%E1%BB%83n%20tr%C6%B0%E1%BB%9Dng&loai=document&trang_thai=published"
        );
        assert_eq!(
            query.address(&[("loai", "")]),
            "/tim-kiem?q=chuy%E1%BB%83n%20tr%C6%B0%E1%BB%9Dng"
        );
    }
}
