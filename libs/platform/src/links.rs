//! What plans and quality need of other services' resources: checking that an
//! evidence link (a document, a revision, a record, a dossier) exists and is
//! visible to the caller, who made a document or record what it is (so that
//! no one audits their own work), and filing a generated report as a quality
//! record.
//! In `eiso-server` an in-process adapter answers through the documents and
//! procedures services' public library APIs, never their tables.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;

use crate::{CallContext, ServiceError, ServiceResult};

/// A resource of another service, as the caller may see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkedResource {
    /// Its resource name, e.g. `documents/{id}/revisions/2`.
    pub name: String,
    /// `document`, `revision`, `record` or `dossier`.
    pub kind: String,
    /// A human-readable title (document code and title, record title, dossier code).
    pub title: String,
}

/// What someone did that makes a document or a record their own work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Contribution {
    /// Wrote revision `n` of the document.
    Authored(i32),
    /// Reviewed and approved revision `n` of the document, its effective one.
    Approved(i32),
    /// Filed the record.
    Filed,
    /// Opened revision `n` of the record (2, 3, …).
    Revised(i32),
}

/// A controlled document or a record, with where it belongs and who made it
/// what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    /// `documents/{id}` or `records/{id}`.
    pub name: String,
    /// `document` or `record`.
    pub kind: String,
    /// The unit that owns (keeps) it, `units/{id}`.
    pub owner_unit: String,
    /// Who contributed what, `users/{id}` (or `system`), in the order done.
    pub contributors: Vec<(String, Contribution)>,
}

/// A generated file to keep as a quality record.
#[derive(Debug, Clone)]
pub struct RecordToFile {
    /// Record title, in Vietnamese, e.g. `Báo cáo CCHC quý I năm 2024`.
    pub title: String,
    /// The unit keeping it, `units/{id}`.
    pub owner_unit: String,
    /// Months to keep after closing (0 = permanently).
    pub retention_months: i32,
    /// Files to attach: (file name, MIME type, content).
    pub files: Vec<(String, String, Vec<u8>)>,
    /// Makes filing idempotent: the same key files once.
    pub request_id: String,
}

pub type Answer<'a, T> = Pin<Box<dyn Future<Output = ServiceResult<T>> + Send + 'a>>;

pub trait ResourceLinks: Send + Sync + 'static {
    /// Checks that `name` (`documents/{id}`, `documents/{id}/revisions/{n}`,
    /// `records/{id}` or `dossiers/{id}`) exists and that `ctx`'s principal may
    /// see it. A malformed or missing name is INVALID_ARGUMENT naming `field`;
    /// one the caller may not see is reported the same as a missing one.
    fn resolve<'a>(&'a self, ctx: &'a CallContext, name: &'a str, field: &'a str) -> Answer<'a, LinkedResource>;

    /// The document `documents/{id}` or record `records/{id}` with its
    /// owner and contributors, when `ctx`'s principal may see it. Any other
    /// name, a missing one and one the caller may not see are
    /// INVALID_ARGUMENT naming `field`.
    fn subject<'a>(&'a self, ctx: &'a CallContext, name: &'a str, field: &'a str) -> Answer<'a, Subject>;

    /// Creates a record, attaches the files, closes it; returns `records/{id}`.
    fn file_record<'a>(&'a self, ctx: &'a CallContext, record: RecordToFile) -> Answer<'a, String>;

    /// Makes `revision` of the closed record `record` for `reason`: opens
    /// it, attaches `files` (file name, MIME type, content), closes it.
    /// Done already (an earlier attempt, or another caller at the same
    /// moment) is OK; a record that is elsewhere than `revision - 1` or
    /// `revision` is ABORTED, so two callers racing make one revision.
    fn revise_record<'a>(
        &'a self,
        ctx: &'a CallContext,
        record: &'a str,
        revision: i32,
        reason: &'a str,
        files: Vec<(String, String, Vec<u8>)>,
    ) -> Answer<'a, ()>;

    /// The next number in `unit`'s register of issued documents for `year`
    /// (numbered from 1 each year, across every service that issues).
    fn issue_number<'a>(&'a self, ctx: &'a CallContext, unit: &'a str, year: i32) -> Answer<'a, i64>;
}

/// The title a link shows to a caller who may not see its target (the
/// link's name stays; what the target is does not show through).
pub const HIDDEN_TITLE: &str = "Tài liệu không có quyền xem";

/// Whether an error of [`ResourceLinks::resolve`] says "not there for you"
/// rather than "cannot tell now".
pub fn is_invisible(error: &ServiceError) -> bool {
    matches!(
        error,
        ServiceError::InvalidArgument(_) | ServiceError::NotFound(_) | ServiceError::PermissionDenied(_)
    )
}

/// What one request has learnt of link targets: whether the caller sees
/// each, asked once per target.
#[derive(Default)]
pub struct Sight {
    seen: HashMap<String, bool>,
}

impl Sight {
    /// Whether `ctx`'s caller may see `resource`. A target whose service
    /// cannot say now counts as unseen (logged), rather than failing the read.
    pub async fn sees(&mut self, links: &dyn ResourceLinks, ctx: &CallContext, resource: &str) -> bool {
        if ctx.principal.name == crate::scope::SYSTEM {
            return true;
        }
        if let Some(known) = self.seen.get(resource) {
            return *known;
        }
        let visible = match links.resolve(ctx, resource, "evidence").await {
            Ok(_) => true,
            Err(error) => {
                if !is_invisible(&error) {
                    tracing::warn!(%resource, %error, "cannot check a link");
                }
                false
            }
        };
        self.seen.insert(resource.to_string(), visible);
        visible
    }

    /// `title` as the caller may see it: [`HIDDEN_TITLE`] for a target it may not see.
    pub async fn title(&mut self, links: &dyn ResourceLinks, ctx: &CallContext, resource: &str, title: &mut String) {
        if !self.sees(links, ctx, resource).await {
            *title = HIDDEN_TITLE.to_string();
        }
    }
}
