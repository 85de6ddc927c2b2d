//! `eiso.search.v1.SearchService`: request checking and the tonic adapter.

use eiso_platform::aip::list::Listing;
use eiso_platform::grpc::reply;
use eiso_platform::{CallContext, ServiceError, ServiceResult, Violations};
use eiso_proto::eiso::search::v1::search_service_server::SearchService;
use eiso_proto::eiso::search::v1::*;
use eiso_proto::tonic::{Request, Response, Status};

use crate::engine::{RebuildState, Search, Status as EngineStatus};
use crate::query::{Matching, Ordering, SearchQuery};

/// Longest query accepted, in characters.
const MAX_QUERY_CHARS: usize = 500;
/// Most values per filter list.
const MAX_FILTER_VALUES: usize = 50;
const DEFAULT_PAGE: u64 = 20;
const MAX_PAGE: u64 = 100;

use eiso_platform::aip::time::timestamp;

/// The search the request asks for, checked, with its page.
pub fn parse_request(request: &SearchRequest) -> ServiceResult<(SearchQuery, Listing)> {
    let mut violations = Violations::new();
    let text = request.query.trim();
    if text.is_empty() {
        violations.add("query", "is required");
    } else if text.chars().count() > MAX_QUERY_CHARS {
        violations.add("query", format!("must be at most {MAX_QUERY_CHARS} characters"));
    }
    for (field, values) in [
        ("kinds", &request.kinds),
        ("units", &request.units),
        ("types", &request.types),
        ("statuses", &request.statuses),
    ] {
        if values.len() > MAX_FILTER_VALUES {
            violations.add(field, format!("at most {MAX_FILTER_VALUES} values"));
        }
        if values.iter().any(|v| v.trim().is_empty() || v.len() > 200) {
            violations.add(field, "values must be non-empty and at most 200 bytes");
        }
    }
    let ordering = match request
        .order_by
        .trim()
        .to_ascii_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()[..]
    {
        [] => Ordering::Relevance,
        ["update_time", "desc"] => Ordering::NewestFirst,
        ["update_time"] | ["update_time", "asc"] => Ordering::OldestFirst,
        _ => {
            violations.add(
                "order_by",
                "must be empty (relevance), `update_time` or `update_time desc`",
            );
            Ordering::Relevance
        }
    };
    violations.check()?;
    let page = Listing::paged(
        request.page_size,
        &request.page_token,
        &fingerprint(request),
        DEFAULT_PAGE,
        MAX_PAGE,
    )?;
    let query = SearchQuery {
        text: text.to_string(),
        kinds: request.kinds.clone(),
        units: request.units.clone(),
        types: request.types.clone(),
        statuses: request.statuses.clone(),
        ordering,
        offset: page.offset as usize,
        limit: page.size as usize,
    };
    Ok((query, page))
}

/// What a page token is bound to: everything but the page.
fn fingerprint(request: &SearchRequest) -> String {
    format!(
        "{}\u{1}{:?}\u{1}{:?}\u{1}{:?}\u{1}{:?}\u{1}{}",
        request.query, request.kinds, request.units, request.types, request.statuses, request.order_by
    )
}

impl Search {
    /// `Search`: the caller's visible results.
    pub async fn run_search(&self, ctx: &CallContext, request: SearchRequest) -> ServiceResult<SearchResponse> {
        let (query, page) = parse_request(&request)?;
        let offset = query.offset;
        let results = self.search(&ctx.principal, query).await?;
        let has_more = (offset + results.hits.len()) < results.total as usize;
        Ok(SearchResponse {
            next_page_token: page.token_after(page.offset + page.size, has_more),
            total_size: results.total as i64,
            results: results
                .hits
                .into_iter()
                .map(|hit| SearchResult {
                    name: hit.name,
                    kind: hit.kind,
                    title: hit.title,
                    snippet: hit.snippet,
                    highlights: hit
                        .highlights
                        .into_iter()
                        .map(|(start, end)| Highlight {
                            start: start as i32,
                            end: end as i32,
                        })
                        .collect(),
                    score: hit.score,
                    unit: hit.unit,
                    r#type: hit.item_type,
                    status: hit.status,
                    update_time: hit.update_time.map(timestamp),
                    applicant: hit.applicant,
                })
                .collect(),
            facets: results
                .facets
                .into_iter()
                .map(|(facet, value, count)| FacetCount {
                    facet,
                    value,
                    count: count as i64,
                })
                .collect(),
            suggestion: results.suggestion.unwrap_or_default(),
            spelled_alike: results.matching == Matching::SpelledAlike,
            partial: results.matching == Matching::SomeWords,
        })
    }

    /// `GetIndexStatus`. The quarantined events span every unit: only a
    /// caller bound at a root unit sees them.
    pub async fn index_status(&self, ctx: &CallContext) -> ServiceResult<IndexStatus> {
        let mut status = self.status().await?;
        match eiso_platform::scope::require_root(self.directory(), ctx).await {
            Ok(()) => {}
            Err(ServiceError::PermissionDenied(_)) => {
                status.quarantined.clear();
                status.quarantined_count = 0;
            }
            Err(error) => return Err(error),
        }
        Ok(status_proto(status))
    }

    /// `RebuildIndex`.
    pub async fn request_rebuild(&self, ctx: &CallContext) -> ServiceResult<IndexStatus> {
        // The index holds every unit's items: rebuilding it is global.
        eiso_platform::scope::require_root(self.directory(), ctx).await?;
        tracing::info!(by = %ctx.principal.name, "search: rebuild requested");
        self.rebuild("requested").await?;
        self.index_status(ctx).await
    }
}

fn status_proto(status: EngineStatus) -> IndexStatus {
    let rebuild = &status.rebuild;
    IndexStatus {
        streams: status
            .streams
            .iter()
            .map(|s| StreamStatus {
                stream: s.stream.clone(),
                indexed_sequence: s.indexed,
                head_sequence: s.head,
                lag: (s.head - s.indexed).max(0),
            })
            .collect(),
        document_count: status.documents as i64,
        index_bytes: status.disk_bytes as i64,
        schema_version: crate::schema::SCHEMA_VERSION,
        rebuild: (rebuild.state != RebuildState::None).then(|| RebuildProgress {
            state: match rebuild.state {
                RebuildState::None => rebuild_progress::State::Unspecified,
                RebuildState::Running => rebuild_progress::State::Running,
                RebuildState::Done => rebuild_progress::State::Done,
                RebuildState::Failed => rebuild_progress::State::Failed,
            } as i32,
            reason: rebuild.reason.clone(),
            start_time: rebuild.start_time.map(timestamp),
            end_time: rebuild.end_time.map(timestamp),
            events: rebuild.events as i64,
            documents: rebuild.documents as i64,
            bytes: rebuild.bytes as i64,
            events_remaining: rebuild.events_remaining as i64,
            documents_per_second: rebuild.documents_per_second(),
            megabytes_per_second: rebuild.megabytes_per_second(),
            error: rebuild.error.clone(),
        }),
        commit_time: status.commit_time.map(timestamp),
        quarantined_events: status
            .quarantined
            .iter()
            .map(|q| QuarantinedEvent {
                stream: q.stream.clone(),
                sequence: q.sequence,
                resource: q.resource.clone(),
                reason: q.reason.clone(),
                attempts: q.attempts.min(i32::MAX as u32) as i32,
                quarantine_time: Some(timestamp(q.time)),
            })
            .collect(),
        quarantined_event_count: status.quarantined_count as i64,
    }
}

eiso_platform::grpc_service! {
    /// The tonic service.
    pub struct SearchApi(search: Search);

    impl SearchService for SearchApi {
        rpc search(SearchRequest) -> SearchResponse => call run_search;

        // The index's status and its rebuild need only the caller.

        async fn get_index_status(
            &self,
            request: Request<GetIndexStatusRequest>,
        ) -> Result<Response<IndexStatus>, Status> {
            let ctx = CallContext::from_request(&request)?;
            reply(self.search.index_status(&ctx).await)
        }

        async fn rebuild_index(&self, request: Request<RebuildIndexRequest>) -> Result<Response<IndexStatus>, Status> {
            let ctx = CallContext::from_request(&request)?;
            reply(self.search.request_rebuild(&ctx).await)
        }
    }
}
