//! `eiso-search`: full-text search in Vietnamese across every service, as a
//! read model built only from the services' event streams.
//!
//! - [`analysis`] — NFC, diacritic-folded, exact and code analyzers.
//! - [`abbreviations`]: `THCS` = "trung học cơ sở" and the like, as data.
//! - [`schema`], [`item`]: the index layout and what a source gives for one resource.
//! - [`generation`]: one index directory, its single writer thread (commits
//!   carry the stream cursors in their payload) and its reader.
//! - [`source`]: the [`Source`] trait (one per event stream) and the follower task.
//! - [`quarantine`]: counted attempts, and poison events set aside.
//! - [`engine`]: [`Search`] — serving, rebuild-and-swap, status, searches.
//! - [`syntax`], [`plan`]: what officers type (words, `"phrases"`, `-excluded`, codes),
//!   as clauses with their abbreviations and codes.
//! - [`query`]: the tantivy queries (all words, then spelled alike, then some words)
//!   with visibility and facet filters; [`fuzzy`] finds words spelled alike, [`snippet`]
//!   the passages to show.
//! - [`relevance`]: the relevance set (queries with their acceptable results) and its measures.
//! - [`extract`]: text of PDF, DOCX, XLSX, HTML and plain files.
//! - [`grpc`]: the gRPC service, `eiso.search.v1.SearchService`.

pub mod abbreviations;
pub mod analysis;
pub mod engine;
pub mod extract;
pub mod fuzzy;
pub mod generation;
pub mod grpc;
pub mod item;
pub mod plan;
pub mod quarantine;
pub mod query;
pub mod relevance;
pub mod schema;
pub mod snippet;
pub mod source;
pub mod syntax;

pub use engine::{Entry, Search, read_entries};
pub use generation::Change;
pub use grpc::SearchApi;
pub use item::{SearchItem, readers};
pub use source::Source;

/// The service name, as used for its storage directory and stream cursors.
pub const SERVICE_NAME: &str = "search";
