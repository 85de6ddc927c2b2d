//! Search service for eiso.
//!
//! The service itself — the tantivy index of documents, procedures and dossiers, fed by the
//! services' event streams, with permission filtering, snippets, facets and the CLI — comes
//! in issue 5. For now this crate holds its Vietnamese text analysis (see [`analysis`]):
//! Unicode NFC normalisation, a diacritic-folded analyzer ([`analysis::FOLDED`]) so that
//! `ho so chuyen truong` finds `hồ sơ chuyển trường`, and an exact analyzer
//! ([`analysis::EXACT`]) that keeps diacritics so that queries typed with them rank exact
//! matches first.

pub mod analysis;
