//! `eiso.audit.v1.AuditService`: read access to every service's trail.

use std::collections::HashMap;
use std::sync::Arc;

use eiso_proto::eiso::audit::v1::audit_service_server::AuditService;
use eiso_proto::eiso::audit::v1::{
    AuditEntry, AuditTrail, ListAuditEntriesRequest, ListAuditEntriesResponse, ListAuditTrailsRequest,
    ListAuditTrailsResponse, VerifyAuditTrailRequest, VerifyAuditTrailResponse,
};
use eiso_proto::tonic::{Request, Response, Status};

use crate::CallContext;
use crate::aip::filter;
use crate::aip::list::Spec;
use crate::audit::{self, EntryFilter};
use crate::db::Db;
use crate::directory::Directory;
use crate::error::ServiceError;
use crate::journal::timestamp_from_micros;
use crate::scope;

/// Serves the trails of the services hosted in this process. A trail holds
/// every unit's changes: reading it is a global operation, for the oversight
/// roles at a root unit ([`scope::require_root`]).
#[derive(Clone)]
pub struct AuditApi {
    trails: HashMap<String, Db>,
    directory: Arc<dyn Directory>,
}

/// ListAuditEntries: filters on who, what, which resource and the result;
/// in the trail's order (`sequence`), or newest first (`sequence desc`).
const ENTRIES: Spec = Spec::new(&["actor", "method", "resource", "code"], &["sequence"], "sequence").sizes(100, 1000);

impl AuditApi {
    pub fn new(trails: HashMap<String, Db>, directory: Arc<dyn Directory>) -> Self {
        Self { trails, directory }
    }

    fn trail(&self, name: &str, field: &str) -> Result<(&str, &Db), ServiceError> {
        let trail = name.strip_prefix("trails/").unwrap_or_default();
        self.trails
            .get_key_value(trail)
            .map(|(k, db)| (k.as_str(), db))
            .ok_or_else(|| {
                let mut known: Vec<_> = self.trails.keys().map(|k| format!("trails/{k}")).collect();
                known.sort();
                ServiceError::invalid(
                    field,
                    format!("`{name}` is not a trail here; known: {}", known.join(", ")),
                )
            })
    }
}

impl AuditApi {
    /// The entries of one trail, oldest or newest first, from the page token.s on.
    pub async fn list_entries(
        &self,
        ctx: &CallContext,
        request: ListAuditEntriesRequest,
    ) -> Result<ListAuditEntriesResponse, ServiceError> {
        scope::require_root(self.directory.as_ref(), ctx).await?;
        let (trail, db) = self.trail(&request.parent, "parent")?;
        let listing = crate::listing!(&ENTRIES, request, under request.parent)?;
        let mut entry_filter = EntryFilter::default();
        for condition in listing.conditions.clone() {
            if condition.op != filter::Op::Eq {
                return Err(ServiceError::invalid(
                    "filter",
                    "only `=` is supported on audit entries",
                ));
            }
            match condition.field.as_str() {
                "actor" => entry_filter.actor = Some(condition.value),
                "method" => entry_filter.method = Some(condition.value),
                "resource" => entry_filter.resource = Some(condition.value),
                _ => {
                    let code = condition
                        .value
                        .parse()
                        .map_err(|_| ServiceError::invalid("filter", "code must be a number (0 = OK)"))?;
                    entry_filter.code = Some(code);
                }
            }
        }
        // Paged by sequence, not offset (the trail grows while it is read):
        // the token holds the last sequence returned.
        let newest_first = listing.order.first().is_some_and(|term| term.descending);
        let cursor = match listing.offset as i64 {
            0 if newest_first => audit::Cursor::Before(i64::MAX),
            last if newest_first => audit::Cursor::Before(last),
            last => audit::Cursor::After(last),
        };
        let mut entries = audit::list_from(db, cursor, listing.fetch(), &entry_filter).await?;
        let has_more = entries.len() as u64 > listing.size;
        entries.truncate(listing.size as usize);
        let last = entries.last().map_or(0, |e| e.sequence);
        Ok(ListAuditEntriesResponse {
            audit_entries: entries
                .into_iter()
                .map(|e| AuditEntry {
                    name: format!("trails/{trail}/entries/{}", e.sequence),
                    sequence: e.sequence,
                    create_time: Some(timestamp_from_micros(e.create_time_us)),
                    actor: e.entry.actor,
                    method: e.entry.method,
                    resource: e.entry.resource,
                    code: e.entry.code,
                    message: e.entry.message,
                    reason: e.entry.reason,
                    request_id: e.entry.request_id,
                    previous_hash: e.previous_hash,
                    hash: e.hash,
                })
                .collect(),
            next_page_token: listing.token_after(last as u64, has_more),
        })
    }

    /// Whether a trail's hash chain is intact, entry by entry.
    pub async fn verify(
        &self,
        ctx: &CallContext,
        request: VerifyAuditTrailRequest,
    ) -> Result<VerifyAuditTrailResponse, ServiceError> {
        scope::require_root(self.directory.as_ref(), ctx).await?;
        let (_, db) = self.trail(&request.name, "name")?;
        let result = audit::verify(db).await?;
        let (first_broken_sequence, detail) = result.first_broken.unwrap_or((0, String::new()));
        Ok(VerifyAuditTrailResponse {
            intact: first_broken_sequence == 0,
            entries_checked: result.entries_checked,
            first_broken_sequence,
            detail,
        })
    }

    /// The trails served here, by name.
    pub async fn list_trails(&self, ctx: &CallContext) -> Result<ListAuditTrailsResponse, ServiceError> {
        scope::require_root(self.directory.as_ref(), ctx).await?;
        let mut names: Vec<_> = self.trails.keys().map(|trail| format!("trails/{trail}")).collect();
        names.sort();
        Ok(ListAuditTrailsResponse {
            audit_trails: names.into_iter().map(|name| AuditTrail { name }).collect(),
        })
    }
}

#[eiso_proto::tonic::async_trait]
impl AuditService for AuditApi {
    async fn list_audit_entries(
        &self,
        request: Request<ListAuditEntriesRequest>,
    ) -> Result<Response<ListAuditEntriesResponse>, Status> {
        let ctx = CallContext::from_request(&request)?;
        Ok(Response::new(self.list_entries(&ctx, request.into_inner()).await?))
    }

    async fn verify_audit_trail(
        &self,
        request: Request<VerifyAuditTrailRequest>,
    ) -> Result<Response<VerifyAuditTrailResponse>, Status> {
        let ctx = CallContext::from_request(&request)?;
        Ok(Response::new(self.verify(&ctx, request.into_inner()).await?))
    }

    async fn list_audit_trails(
        &self,
        request: Request<ListAuditTrailsRequest>,
    ) -> Result<Response<ListAuditTrailsResponse>, Status> {
        let ctx = CallContext::from_request(&request)?;
        Ok(Response::new(self.list_trails(&ctx).await?))
    }
}
