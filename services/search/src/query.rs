//! Running a search against a generation: the caller's query combined with
//! the visibility filter and the facet filters in one tantivy query, so that
//! counts, facets and pages only ever include what the caller may see.
//!
//! A search goes in up to three stages, each only when the one before found
//! (almost) nothing:
//!
//! 1. **All words** as typed, each with or without diacritics, with the
//!    abbreviations it may stand for and the code it may be ([`crate::plan`]).
//! 2. **Spelled alike**, when stage 1 found fewer than [`FEW`]: each word of 4
//!    letters or more may also be a word of the index one edit away (two from 8
//!    letters, [`crate::fuzzy`]). What stage 1 found stays first; the response says
//!    so and suggests the query respelled ("chuyển trường" for `chuyen truogn`).
//! 3. **Some words**, when nothing has all of them: the items matching the most
//!    words first (minimum-should-match), marked as partial.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use tantivy::collector::{Count, FacetCollector, FacetCounts, TopDocs};
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, EnableScoring, Explanation, Occur, PhraseQuery, Query, QueryClone,
    Scorer, TermQuery, Weight,
};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{DocAddress, DocId, DocSet, Order, Searcher, SegmentReader, TantivyDocument, Term};

use crate::abbreviations::Abbreviations;
use crate::analysis::{folded_analyzer, normalize, tokens};
use crate::generation::Generation;
use crate::item::{facet_segment_to_value, truncate};
use crate::plan::{Clause, Plan, Unit, Word};
use crate::schema::Fields;
use crate::snippet::{Marks, Snippets};

/// Who is searching, as reader tokens (see [`crate::item::readers`]).
#[derive(Debug, Clone, Default)]
pub struct Caller {
    pub tokens: Vec<String>,
    /// Whether personal data (applicants) is searched and shown.
    pub personal_data: bool,
}

/// How results are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Ordering {
    #[default]
    Relevance,
    NewestFirst,
    OldestFirst,
}

/// A search to run.
#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    pub text: String,
    pub kinds: Vec<String>,
    pub units: Vec<String>,
    pub types: Vec<String>,
    pub statuses: Vec<String>,
    pub ordering: Ordering,
    pub offset: usize,
    pub limit: usize,
}

/// One result.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub name: String,
    pub kind: String,
    pub title: String,
    pub snippet: String,
    /// Highlighted ranges of `snippet`, in Unicode code points.
    pub highlights: Vec<(usize, usize)>,
    pub score: f32,
    pub unit: String,
    pub item_type: String,
    pub status: String,
    pub update_time: Option<DateTime<Utc>>,
    /// The person the item is about (a dossier's applicant): only for callers who
    /// may see personal data.
    pub applicant: String,
}

/// Which stage found the results (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Matching {
    /// Every result has every word (or what it stands for).
    #[default]
    AllWords,
    /// Some results have words spelled alike instead; they come after the others.
    SpelledAlike,
    /// No item has every word: the results have some, the most first.
    SomeWords,
}

/// A page of results with the totals.
#[derive(Debug, Clone, Default)]
pub struct Results {
    pub hits: Vec<Hit>,
    pub total: u64,
    /// (facet, value, count): facet is `kind`, `unit`, `type` or `status`.
    pub facets: Vec<(String, String, u64)>,
    pub matching: Matching,
    /// The query respelled as the index spells it, when words spelled alike were used.
    pub suggestion: Option<String>,
}

/// Fewer results than this from all the words as typed, and words spelled alike are tried.
pub const FEW: usize = 3;
/// Bytes of an item's text searched for the snippet's passage.
const SNIPPET_SOURCE_BYTES: usize = 64 << 10;
pub const FACETS: [&str; 4] = ["kind", "unit", "type", "status"];

/// Weights: titles weigh more than bodies; a word typed with its diacritics adds the
/// exact fields' weight to the folded ones', so exact spellings rank first.
const TITLE: f32 = 2.0;
const TITLE_EXACT: f32 = 3.0;
const BODY: f32 = 1.0;
const BODY_EXACT: f32 = 1.5;
const PERSONAL: f32 = 2.0;
const PERSONAL_EXACT: f32 = 3.0;
/// An abbreviation's other form, relative to the form typed.
const ALTERNATIVE: f32 = 0.7;
/// A code met in the `codes` field.
const CODE: f32 = 2.0;
/// A word spelled alike, relative to the word typed.
const SPELLED_ALIKE: f32 = 0.3;
/// Score of each word matched by a partial result: more words always rank first.
const COVERAGE: f32 = 100.0;
/// Score of two words of a partial result side by side as typed, below one more word.
const ADJACENT: f32 = 40.0;

/// The query text normalised to NFC (what the plan is made from). Kept for callers
/// that parse a query themselves (the benchmark's prototypes).
pub fn sanitize(text: &str) -> String {
    normalize(text).replace(':', " ")
}

/// A filter: one of `values` must match, and it adds nothing to the score.
/// A disjunction of term queries rather than a `TermSetQuery`, which reads
/// the whole postings of every term into a bitset on each search (for `all`,
/// every document): measured 3.6 → 2.9 ms per query on 100,000 documents.
fn term_set(field: Field, values: &[String]) -> Box<dyn Query> {
    let terms: Vec<(Occur, Box<dyn Query>)> = values
        .iter()
        .map(|v| {
            let term = Term::from_field_text(field, v);
            (
                Occur::Should,
                Box::new(TermQuery::new(term, IndexRecordOption::Basic)) as Box<dyn Query>,
            )
        })
        .collect();
    Box::new(BoostQuery::new(Box::new(BooleanQuery::new(terms)), 0.0))
}

/// The text fields a caller searches, with their weights.
struct TextFields {
    folded: Vec<(Field, f32)>,
    exact: Vec<(Field, f32)>,
    codes: Field,
}

impl TextFields {
    fn of(f: &Fields, caller: &Caller) -> TextFields {
        let mut folded = vec![(f.title, TITLE), (f.body, BODY)];
        let mut exact = vec![(f.title_exact, TITLE_EXACT), (f.body_exact, BODY_EXACT)];
        if caller.personal_data {
            folded.push((f.personal, PERSONAL));
            exact.push((f.personal_exact, PERSONAL_EXACT));
        }
        TextFields {
            folded,
            exact,
            codes: f.codes,
        }
    }

    fn folded_only(&self) -> Vec<Field> {
        self.folded.iter().map(|(f, _)| *f).collect()
    }
}

fn boosted(query: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
    if boost == 1.0 {
        query
    } else {
        Box::new(BoostQuery::new(query, boost))
    }
}

fn term(field: Field, text: &str, boost: f32) -> Box<dyn Query> {
    let term = Term::from_field_text(field, text);
    boosted(Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs)), boost)
}

/// Words side by side in `field` (one word: the word).
fn phrase<S: AsRef<str>>(field: Field, words: &[S], boost: f32) -> Box<dyn Query> {
    match words {
        [word] => term(field, word.as_ref(), boost),
        _ => {
            let terms = words.iter().map(|w| Term::from_field_text(field, w.as_ref())).collect();
            boosted(Box::new(PhraseQuery::new(terms)), boost)
        }
    }
}

fn any(mut parts: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    if parts.len() == 1
        && let Some(part) = parts.pop()
    {
        return part;
    }
    Box::new(BooleanQuery::union(parts))
}

fn all(mut parts: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    if parts.len() == 1
        && let Some(part) = parts.pop()
    {
        return part;
    }
    Box::new(BooleanQuery::intersection(parts))
}

fn word_query(fields: &TextFields, word: &Word, spelled_alike: bool) -> Box<dyn Query> {
    let mut parts = Vec::new();
    for &(field, boost) in &fields.folded {
        parts.push(term(field, &word.folded, boost));
        if spelled_alike {
            for other in &word.fuzzy {
                parts.push(term(field, other, boost * SPELLED_ALIKE));
            }
        }
    }
    if let Some(exact) = &word.exact {
        for &(field, boost) in &fields.exact {
            parts.push(term(field, exact, boost));
        }
    }
    any(parts)
}

fn phrase_query(fields: &TextFields, words: &[Word]) -> Box<dyn Query> {
    let folded: Vec<&str> = words.iter().map(|w| w.folded.as_str()).collect();
    let mut parts: Vec<Box<dyn Query>> = fields
        .folded
        .iter()
        .map(|&(field, boost)| phrase(field, &folded, boost))
        .collect();
    if words.iter().any(|w| w.exact.is_some()) {
        let exact: Vec<&str> = words.iter().map(|w| w.exact.as_deref().unwrap_or(&w.folded)).collect();
        parts.extend(fields.exact.iter().map(|&(field, boost)| phrase(field, &exact, boost)));
    }
    any(parts)
}

fn clause_query(fields: &TextFields, clause: &Clause, spelled_alike: bool) -> Box<dyn Query> {
    let units = clause
        .units
        .iter()
        .map(|unit| match unit {
            Unit::Word(word) => word_query(fields, word, spelled_alike),
            Unit::Phrase(words) => phrase_query(fields, words),
        })
        .collect();
    let mut parts = vec![all(units)];
    for alternative in &clause.alternatives {
        for &(field, boost) in &fields.folded {
            parts.push(phrase(field, alternative, boost * ALTERNATIVE));
        }
    }
    if let Some(code) = &clause.code {
        parts.push(term(fields.codes, code, CODE));
    }
    any(parts)
}

/// An excluded clause. tantivy 0.27's exclusion asks its docset `seek_danger` for each
/// candidate in turn, which a phrase scorer refuses (a debug assertion) once it has
/// moved past a candidate; this wrapper answers with the plain `seek`, which is exact
/// for an exclusion.
#[derive(Debug)]
struct Excluded(Box<dyn Query>);

impl Clone for Excluded {
    fn clone(&self) -> Self {
        Excluded(self.0.box_clone())
    }
}

struct ExcludedWeight(Box<dyn Weight>);

struct ExcludedScorer(Box<dyn Scorer>);

impl Query for Excluded {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(ExcludedWeight(self.0.weight(enable_scoring)?)))
    }
}

impl Weight for ExcludedWeight {
    fn scorer(&self, reader: &SegmentReader, boost: f32) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(ExcludedScorer(self.0.scorer(reader, boost)?)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.0.explain(reader, doc)
    }
}

impl DocSet for ExcludedScorer {
    fn advance(&mut self) -> DocId {
        self.0.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.0.seek(target)
    }

    fn doc(&self) -> DocId {
        self.0.doc()
    }

    fn size_hint(&self) -> u32 {
        self.0.size_hint()
    }
}

impl Scorer for ExcludedScorer {
    fn score(&mut self) -> f32 {
        self.0.score()
    }
}

/// How the words of the plan are combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    AllWords,
    SpelledAlike,
    /// At least this many of the clauses.
    SomeWords(usize),
}

/// The text part of the query at `stage`; `None` when the plan has nothing to find.
fn text_query(fields: &TextFields, plan: &Plan, stage: Stage) -> Option<Box<dyn Query>> {
    if plan.required.is_empty() {
        return None;
    }
    let spelled_alike = stage != Stage::AllWords;
    let clauses: Vec<Box<dyn Query>> = plan
        .required
        .iter()
        .map(|clause| clause_query(fields, clause, spelled_alike))
        .collect();
    Some(match stage {
        Stage::AllWords | Stage::SpelledAlike => all(clauses),
        Stage::SomeWords(minimum) => {
            let counted = clauses
                .into_iter()
                .map(|clause| {
                    let constant: Box<dyn Query> = Box::new(ConstScoreQuery::new(clause.box_clone(), COVERAGE));
                    (
                        Occur::Should,
                        Box::new(BooleanQuery::union(vec![constant, clause])) as Box<dyn Query>,
                    )
                })
                .collect();
            let some: Box<dyn Query> = Box::new(BooleanQuery::with_minimum_required_clauses(counted, minimum.max(1)));
            // Words typed side by side and found so rank first among the items with as many words.
            let mut parts = vec![(Occur::Must, some)];
            for pair in plan.required.windows(2) {
                let (Some(Unit::Word(a)), Some(Unit::Word(b))) = (single(&pair[0]), single(&pair[1])) else {
                    continue;
                };
                let words = [a.folded.as_str(), b.folded.as_str()];
                let side_by_side = any(fields
                    .folded
                    .iter()
                    .map(|&(field, _)| phrase(field, &words, 1.0))
                    .collect());
                parts.push((
                    Occur::Should,
                    Box::new(ConstScoreQuery::new(side_by_side, ADJACENT)) as Box<dyn Query>,
                ));
            }
            Box::new(BooleanQuery::new(parts))
        }
    })
}

/// The one unit of a clause that has no other form.
fn single(clause: &Clause) -> Option<&Unit> {
    match clause.units.as_slice() {
        [unit] if clause.alternatives.is_empty() => Some(unit),
        _ => None,
    }
}

/// The whole query at `stage`: the caller's text, what the caller may see, the filters.
fn full(generation: &Generation, caller: &Caller, query: &SearchQuery, plan: &Plan, stage: Stage) -> Box<dyn Query> {
    let f = &generation.fields;
    let fields = TextFields::of(f, caller);
    let Some(text) = text_query(&fields, plan, stage) else {
        return Box::new(tantivy::query::EmptyQuery);
    };
    let mut clauses: Vec<(Occur, Box<dyn Query>)> =
        vec![(Occur::Must, text), (Occur::Must, term_set(f.readers, &caller.tokens))];
    for (field, values) in [
        (f.kind, &query.kinds),
        (f.unit, &query.units),
        (f.item_type, &query.types),
        (f.status, &query.statuses),
    ] {
        if !values.is_empty() {
            clauses.push((Occur::Must, term_set(field, values)));
        }
    }
    for clause in &plan.excluded {
        clauses.push((Occur::MustNot, Box::new(Excluded(clause_query(&fields, clause, false)))));
    }
    Box::new(BooleanQuery::new(clauses))
}

/// The query of all the words as typed (the first stage), for `plan`.
pub fn build(generation: &Generation, caller: &Caller, query: &SearchQuery, plan: &Plan) -> Box<dyn Query> {
    full(generation, caller, query, plan, Stage::AllWords)
}

fn stored(doc: &TantivyDocument, field: Field) -> String {
    doc.get_first(field)
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_string()
}

/// One page of one query.
struct Page {
    total: usize,
    addresses: Vec<(f32, DocAddress)>,
    facets: FacetCounts,
}

fn page(
    searcher: &Searcher,
    query: &dyn Query,
    ordering: Ordering,
    offset: usize,
    limit: usize,
) -> tantivy::Result<Page> {
    let mut facets = FacetCollector::for_field("facets");
    for facet in FACETS {
        facets.add_facet(format!("/{facet}").as_str());
    }
    let top = TopDocs::with_limit(limit.max(1)).and_offset(offset);
    let (total, addresses, facets) = match ordering {
        Ordering::Relevance => searcher.search(query, &(Count, top.order_by_score(), facets))?,
        Ordering::NewestFirst | Ordering::OldestFirst => {
            let order = if ordering == Ordering::NewestFirst {
                Order::Desc
            } else {
                Order::Asc
            };
            let (total, top, counts) = searcher.search(
                query,
                &(
                    Count,
                    top.order_by_fast_field::<tantivy::DateTime>("update_time", order),
                    facets,
                ),
            )?;
            (
                total,
                top.into_iter().map(|(_, address)| (0.0, address)).collect(),
                counts,
            )
        }
    };
    Ok(Page {
        total,
        addresses,
        facets,
    })
}

/// The texts of a hit a snippet may come from: the title, the applicant (for callers
/// who may see personal data), the body's first [`SNIPPET_SOURCE_BYTES`].
fn snippet(
    snippets: &mut Snippets,
    marks: &Marks,
    fields: &Fields,
    caller: &Caller,
    doc: &TantivyDocument,
) -> (String, Vec<(usize, usize)>) {
    let mut best: Option<crate::snippet::Passage> = None;
    let personal = if caller.personal_data {
        Some(fields.personal)
    } else {
        None
    };
    for field in [Some(fields.title), personal, Some(fields.body)].into_iter().flatten() {
        let mut text = stored(doc, field);
        truncate(&mut text, SNIPPET_SOURCE_BYTES);
        let one_line = field == fields.personal;
        if let Some(passage) = snippets.passage(marks, &text, one_line)
            && best.as_ref().is_none_or(|b| passage.coverage > b.coverage)
        {
            best = Some(passage);
        }
    }
    best.map(|p| (p.text, p.highlights)).unwrap_or_default()
}

fn hit(
    searcher: &Searcher,
    fields: &Fields,
    caller: &Caller,
    snippets: &mut Snippets,
    marks: &Marks,
    (score, address): (f32, DocAddress),
) -> tantivy::Result<Hit> {
    let doc: TantivyDocument = searcher.doc(address)?;
    let (snippet, highlights) = snippet(snippets, marks, fields, caller, &doc);
    let update_time = doc
        .get_first(fields.update_time)
        .and_then(|v| v.as_datetime())
        .and_then(|t| DateTime::from_timestamp_micros(t.into_timestamp_micros()));
    let applicant = if caller.personal_data {
        stored(&doc, fields.personal)
            .lines()
            .next()
            .unwrap_or_default()
            .trim()
            .to_string()
    } else {
        String::new()
    };
    Ok(Hit {
        name: stored(&doc, fields.name),
        kind: stored(&doc, fields.kind),
        title: stored(&doc, fields.title),
        snippet,
        highlights,
        score,
        unit: stored(&doc, fields.unit),
        item_type: stored(&doc, fields.item_type),
        status: stored(&doc, fields.status),
        update_time,
        applicant,
    })
}

/// The query as `doc` spells it: each word that is in no item respelled as `doc`
/// has it, and words typed without diacritics given theirs, each from the place in
/// `doc` where it stands beside the query's other words if there is one (so that
/// `chuyen truogn` becomes "chuyển trường", not "chuyên trường"). `None` when no
/// word needed respelling.
fn suggestion(
    searcher: &Searcher,
    fields: &Fields,
    plan: &Plan,
    address: DocAddress,
) -> tantivy::Result<Option<String>> {
    let doc: TantivyDocument = searcher.doc(address)?;
    let mut text = stored(&doc, fields.title);
    text.push('\n');
    text.push_str(&stored(&doc, fields.body));
    truncate(&mut text, SNIPPET_SOURCE_BYTES);
    // The item's words, folded and as written.
    let written: Vec<(String, String)> = tokens(&mut folded_analyzer(), &text)
        .into_iter()
        .map(|t| {
            let spelt = text.get(t.offset_from..t.offset_to).unwrap_or_default().to_lowercase();
            (t.text, spelt)
        })
        .collect();
    let in_doc = |word: &str| written.iter().any(|(folded, _)| folded == word);
    let words: HashMap<&str, &Word> = plan
        .required
        .iter()
        .flat_map(|c| &c.units)
        .flat_map(Unit::words)
        .map(|w| (w.folded.as_str(), w))
        .collect();
    // For each piece: the folded words of `doc` it may be, in order of preference (none:
    // kept as typed), and whether they are a respelling.
    let choices: Vec<(Vec<&str>, bool)> = plan
        .pieces
        .iter()
        .map(|(piece, single)| {
            let word = single
                .as_deref()
                .filter(|_| !piece.excluded)
                .and_then(|folded| words.get(folded));
            match word {
                // Typed with its diacritics: kept as typed.
                Some(word) if word.exact.is_some() => (Vec::new(), false),
                Some(word) if in_doc(&word.folded) => (vec![word.folded.as_str()], false),
                Some(word) => {
                    let others: Vec<&str> = word.fuzzy.iter().map(String::as_str).filter(|w| in_doc(w)).collect();
                    let respelt = !others.is_empty();
                    (others, respelt)
                }
                None => (Vec::new(), false),
            }
        })
        .collect();
    if !choices.iter().any(|(_, respelt)| *respelt) {
        return Ok(None);
    }
    let may_be = |piece: Option<usize>, folded: &str| piece.is_some_and(|p| choices[p].0.contains(&folded));
    let mut out = Vec::new();
    for (at, ((piece, _), (candidates, _))) in plan.pieces.iter().zip(&choices).enumerate() {
        if candidates.is_empty() {
            out.push(piece.typed());
            continue;
        }
        // The occurrence beside the most neighbours; the first preferred word, then the first place.
        let mut best: Option<(usize, &str)> = None;
        for candidate in candidates {
            for (i, (folded, spelt)) in written.iter().enumerate() {
                if folded != candidate {
                    continue;
                }
                let before = i > 0 && may_be(at.checked_sub(1), &written[i - 1].0);
                let after =
                    i + 1 < written.len() && may_be(Some(at + 1).filter(|&n| n < choices.len()), &written[i + 1].0);
                let score = usize::from(before) + usize::from(after);
                if best.is_none_or(|(b, _)| score > b) {
                    best = Some((score, spelt.as_str()));
                }
            }
        }
        out.push(best.map_or_else(|| piece.typed(), |(_, spelt)| spelt.to_string()));
    }
    Ok(Some(out.join(" ")))
}

/// Runs `query` for `caller`. CPU-bound: call it off the async runtime.
pub fn run(
    generation: &Generation,
    caller: &Caller,
    query: &SearchQuery,
    abbreviations: &Abbreviations,
) -> tantivy::Result<Results> {
    let mut plan = Plan::new(&query.text, abbreviations);
    if plan.required.is_empty() {
        return Ok(Results::default());
    }
    let searcher = generation.reader.searcher();
    let fields = &generation.fields;
    let limit = query.limit.max(1);
    let strict = full(generation, caller, query, &plan, Stage::AllWords);
    let mut found = page(&searcher, &*strict, query.ordering, query.offset, limit)?;
    let mut matching = Matching::AllWords;
    let mut suggested = None;
    if found.total < FEW {
        let text_fields = TextFields::of(fields, caller).folded_only();
        if crate::fuzzy::expand(&searcher, &text_fields, &mut plan)? {
            let alike = full(generation, caller, query, &plan, Stage::SpelledAlike);
            if query.ordering == Ordering::Relevance {
                // What all the words found comes first, then the rest by score.
                let first: Vec<(f32, DocAddress)> =
                    searcher.search(&*strict, &TopDocs::with_limit(FEW).order_by_score())?;
                let wider = page(
                    &searcher,
                    &*alike,
                    query.ordering,
                    0,
                    query.offset + limit + first.len(),
                )?;
                if wider.total > found.total {
                    let more: Vec<(f32, DocAddress)> = wider
                        .addresses
                        .into_iter()
                        .filter(|(_, a)| !first.iter().any(|(_, f)| f == a))
                        .collect();
                    if let Some(&(_, address)) = more.first() {
                        suggested = suggestion(&searcher, fields, &plan, address)?;
                    }
                    found = Page {
                        total: wider.total,
                        addresses: first.into_iter().chain(more).skip(query.offset).take(limit).collect(),
                        facets: wider.facets,
                    };
                    matching = Matching::SpelledAlike;
                }
            } else {
                let wider = page(&searcher, &*alike, query.ordering, query.offset, limit)?;
                if wider.total > found.total {
                    found = wider;
                    matching = Matching::SpelledAlike;
                }
            }
        }
        let clauses = plan.required.len();
        if found.total == 0 && clauses >= 2 {
            let mut minimums = vec![clauses.div_ceil(2), 1];
            minimums.dedup();
            for minimum in minimums {
                let some = full(generation, caller, query, &plan, Stage::SomeWords(minimum));
                let partial = page(&searcher, &*some, query.ordering, query.offset, limit)?;
                if partial.total > 0 {
                    found = partial;
                    matching = Matching::SomeWords;
                    break;
                }
            }
        }
    }
    let marks = Marks::new(&plan);
    let mut snippets = Snippets::default();
    let mut hits = Vec::with_capacity(found.addresses.len());
    for address in found.addresses {
        hits.push(hit(&searcher, fields, caller, &mut snippets, &marks, address)?);
    }
    let mut facet_rows = Vec::new();
    for facet in FACETS {
        for (value, count) in found.facets.get(format!("/{facet}").as_str()) {
            let path = value.to_path();
            if let Some(last) = path.last() {
                facet_rows.push((facet.to_string(), facet_segment_to_value(last), count));
            }
        }
    }
    Ok(Results {
        hits,
        total: found.total as u64,
        facets: facet_rows,
        matching,
        suggestion: suggested,
    })
}
