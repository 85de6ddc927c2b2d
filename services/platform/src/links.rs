//! What plans and quality need of other services' resources: checking that an
//! evidence link (a document, a revision, a record, a dossier) exists and is
//! visible to the caller, and filing a generated report as a quality record.
//! In `eiso-server` an in-process adapter answers through the documents and
//! procedures services' public library APIs, never their tables.

use std::future::Future;
use std::pin::Pin;

use crate::{CallContext, ServiceResult};

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

    /// Creates a record, attaches the files, closes it; returns `records/{id}`.
    fn file_record<'a>(&'a self, ctx: &'a CallContext, record: RecordToFile) -> Answer<'a, String>;
}
