//! The index layout. [`SCHEMA_VERSION`] is written into every commit's
//! payload; an index written with another version (or another layout) is
//! rebuilt from the streams by itself.

use tantivy::schema::{
    DateOptions, DateTimePrecision, FacetOptions, Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions,
};

use crate::analysis::{CODES, EXACT, FOLDED};

/// Bump on any change to [`Fields::schema`] or to what goes into a field.
/// 2: reader tokens are role bindings (`at:ROLE@units/{id}`), the units above included.
/// 3: quality items carry their types and states in Vietnamese, and their unit's name.
/// 4: ISO 18091 diagnostics and their assessments (colour and change in Vietnamese).
/// 5: `codes`: the codes of title and body without their dots, dashes and slashes.
pub const SCHEMA_VERSION: i32 = 5;

/// The fields of the index.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// The resource name: the key updates and deletes go by.
    pub name: Field,
    pub kind: Field,
    /// Title, diacritics folded; stored (NFC) for display and snippets.
    pub title: Field,
    /// Title with diacritics kept.
    pub title_exact: Field,
    /// Body text, diacritics folded; stored (NFC) for snippets.
    pub body: Field,
    pub body_exact: Field,
    /// Personal data (a dossier's applicant): only searched for roles that may see it.
    pub personal: Field,
    pub personal_exact: Field,
    /// Codes in the title and body, joined (`1.004492` → `1004492`): see [`CODES`].
    pub codes: Field,
    pub unit: Field,
    pub item_type: Field,
    pub status: Field,
    /// Who may see the item: `all`, `unit:{id}`, `role:{ROLE}` tokens.
    pub readers: Field,
    /// `/kind/…`, `/unit/…`, `/type/…`, `/status/…` for facet counts.
    pub facets: Field,
    pub update_time: Field,
}

fn text(analyzer: &str, stored: bool) -> TextOptions {
    let options = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(analyzer)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    if stored { options.set_stored() } else { options }
}

impl Fields {
    pub fn schema() -> (Schema, Fields) {
        let mut builder = Schema::builder();
        let fields = Fields {
            name: builder.add_text_field("name", STRING | STORED),
            kind: builder.add_text_field("kind", STRING | STORED),
            title: builder.add_text_field("title", text(FOLDED, true)),
            title_exact: builder.add_text_field("title_exact", text(EXACT, false)),
            body: builder.add_text_field("body", text(FOLDED, true)),
            body_exact: builder.add_text_field("body_exact", text(EXACT, false)),
            personal: builder.add_text_field("personal", text(FOLDED, true)),
            personal_exact: builder.add_text_field("personal_exact", text(EXACT, false)),
            codes: builder.add_text_field(
                "codes",
                TextOptions::default().set_indexing_options(
                    TextFieldIndexing::default()
                        .set_tokenizer(CODES)
                        .set_index_option(IndexRecordOption::WithFreqs),
                ),
            ),
            unit: builder.add_text_field("unit", STRING | STORED),
            item_type: builder.add_text_field("type", STRING | STORED),
            status: builder.add_text_field("status", STRING | STORED),
            readers: builder.add_text_field("readers", STRING),
            facets: builder.add_facet_field("facets", FacetOptions::default()),
            // Microseconds: changes within one second still sort in order.
            update_time: builder.add_date_field(
                "update_time",
                DateOptions::default()
                    .set_indexed()
                    .set_stored()
                    .set_fast()
                    .set_precision(DateTimePrecision::Microseconds),
            ),
        };
        (builder.build(), fields)
    }

    /// The fields of an existing index's schema, if it has exactly this layout.
    pub fn matching(schema: &Schema) -> Option<Fields> {
        let (expected, fields) = Fields::schema();
        let same = serde_json::to_value(&expected).ok()? == serde_json::to_value(schema).ok()?;
        same.then_some(fields)
    }
}
