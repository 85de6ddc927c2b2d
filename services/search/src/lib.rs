//! `eiso-search`: full-text search in Vietnamese across every service, as a
//! read model built only from the services' event streams.
//!
//! - [`analysis`] — NFC, diacritic-folded and exact analyzers.
//! - [`schema`], [`item`]: the index layout and what a source gives for one resource.
//! - [`generation`]: one index directory, its single writer thread (commits
//!   carry the stream cursors in their payload) and its reader.
//! - [`source`]: the [`Source`] trait (one per event stream) and the follower task.
//! - [`quarantine`]: counted attempts, and poison events set aside.
//! - [`engine`]: [`Search`] — serving, rebuild-and-swap, status, searches.
//! - [`query`]: the tantivy query with visibility and facet filters, snippets.
//! - [`extract`]: text of PDF, DOCX, XLSX, HTML and plain files.
//! - [`grpc`]: the gRPC service, `eiso.search.v1.SearchService`.

pub mod analysis;
pub mod engine;
pub mod extract;
pub mod generation;
pub mod grpc;
pub mod item;
pub mod quarantine;
pub mod query;
pub mod schema;
pub mod source;

pub use engine::{Entry, Search, read_entries};
pub use generation::Change;
pub use grpc::SearchApi;
pub use item::{SearchItem, readers};
pub use source::Source;

/// The service name, as used for its storage directory and stream cursors.
pub const SERVICE_NAME: &str = "search";
