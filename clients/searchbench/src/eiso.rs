//! eiso search through the eiso-search crate itself: a [`Generation`] in a
//! temporary directory, fed through [`Generation::apply`] in batches and
//! committed with [`Generation::flush`], queried with [`query::run`] (the
//! service's path) and with [`Plan::new`] + [`query::build`] (the query of all
//! the words, the service's first stage) + a plain top-10 collector.

use std::path::Path;
use std::sync::{Arc, LazyLock};
use std::time::{Duration, Instant};

use anyhow::{Context as _, anyhow};
use chrono::DateTime;
use eiso_search::abbreviations::Abbreviations;
use eiso_search::analysis::{folded_analyzer, tokens};
use eiso_search::generation::Generation;
use eiso_search::plan::Plan;
use eiso_search::query::{self, Caller, SearchQuery};
use eiso_search::snippet::{Marks, Snippets};
use eiso_search::{Change, SearchItem, readers};
use tantivy::collector::{Count, FacetCollector, TopDocs};
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, QueryParser, TermQuery, TermSetQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{TantivyDocument, Term};

use crate::corpus::{Corpus, Doc};

/// The service's built-in abbreviations.
static ABBREVIATIONS: LazyLock<Abbreviations> = LazyLock::new(Abbreviations::builtin);

/// Items per `Generation::apply` call (the followers apply one page of events at a time).
pub const BATCH: usize = 500;
const STREAM: &str = "searchbench";

/// The index and how it was built.
pub struct Built {
    pub generation: Arc<Generation>,
    /// `Generation::open` → every batch applied → `flush()` returned (the commit).
    pub build: Duration,
    pub segments_at_flush: usize,
    pub bytes_at_flush: u64,
    /// `close()` (waits for the writer's merges) and open again.
    pub settle: Duration,
    pub segments: usize,
    pub bytes: u64,
}

fn item(index: usize, doc: &Doc) -> SearchItem {
    SearchItem {
        name: format!("documents/{index}"),
        kind: "document".to_string(),
        title: doc.title.clone(),
        body: doc.body.clone(),
        personal: String::new(),
        unit: format!("units/{}", doc.unit),
        item_type: doc.item_type.to_string(),
        status: doc.status.to_string(),
        readers: vec![readers::EVERYONE.to_string()],
        update_time: DateTime::from_timestamp(doc.update_time, 0).unwrap_or_default(),
    }
}

async fn open(dir: &Path) -> anyhow::Result<Arc<Generation>> {
    let dir = dir.to_path_buf();
    tokio::task::spawn_blocking(move || Generation::open(1, &dir))
        .await?
        .context("cannot open the eiso index")
}

fn segments(generation: &Generation) -> usize {
    generation.reader.searcher().segment_readers().len()
}

pub async fn build(corpus: &Corpus, dir: &Path) -> anyhow::Result<Built> {
    let start = Instant::now();
    let generation = open(dir).await?;
    for (batch, docs) in corpus.docs.chunks(BATCH).enumerate() {
        let changes = docs
            .iter()
            .enumerate()
            .map(|(offset, doc)| Change::Upsert(Box::new(item(batch * BATCH + offset, doc))))
            .collect();
        let cursor = ((batch + 1) * BATCH).min(corpus.docs.len()) as i64;
        generation
            .apply(STREAM, cursor, docs.len() as u64, changes)
            .await
            .map_err(|e| anyhow!("eiso apply: {e}"))?;
    }
    generation.flush().await.map_err(|e| anyhow!("eiso flush: {e}"))?;
    let build = start.elapsed();
    let segments_at_flush = segments(&generation);
    let bytes_at_flush = generation.disk_bytes();
    anyhow::ensure!(
        generation.document_count() == corpus.docs.len() as u64,
        "eiso holds {} documents, expected {}",
        generation.document_count(),
        corpus.docs.len()
    );

    let start = Instant::now();
    generation.close().await;
    drop(generation);
    let generation = open(dir).await?;
    let settle = start.elapsed();
    Ok(Built {
        segments: segments(&generation),
        bytes: generation.disk_bytes(),
        generation,
        build,
        segments_at_flush,
        bytes_at_flush,
        settle,
    })
}

/// Closes `generation`, merges its segments into one with a tantivy writer of
/// the bench's own (the service has no such step today), and opens it again.
pub async fn merge_to_one(generation: Arc<Generation>, dir: &Path) -> anyhow::Result<(Arc<Generation>, Duration)> {
    let start = Instant::now();
    generation.close().await;
    drop(generation);
    let path = dir.to_path_buf();
    tokio::task::spawn_blocking(move || -> tantivy::Result<()> {
        let index = tantivy::Index::open_in_dir(&path)?;
        let mut writer: tantivy::IndexWriter<TantivyDocument> = index.writer_with_num_threads(1, 64 << 20)?;
        let segments = index.searchable_segment_ids()?;
        if segments.len() > 1 {
            writer.merge(&segments).wait()?;
        }
        writer.wait_merging_threads()
    })
    .await??;
    let generation = open(dir).await?;
    Ok((generation, start.elapsed()))
}

pub fn segment_count(generation: &Generation) -> usize {
    segments(generation)
}

/// The caller the benchmark searches as: the token every signed-in user holds.
pub fn caller() -> Caller {
    Caller {
        tokens: vec![readers::EVERYONE.to_string()],
        personal_data: false,
    }
}

fn search_query(text: &str) -> SearchQuery {
    SearchQuery {
        text: text.to_string(),
        limit: 10,
        ..Default::default()
    }
}

fn doc_index(name: &str) -> anyhow::Result<u32> {
    name.strip_prefix("documents/")
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| anyhow!("unexpected item name {name}"))
}

/// The document index of a stored item, from its name.
fn stored_index(generation: &Generation, doc: &TantivyDocument) -> anyhow::Result<u32> {
    let name = doc
        .get_first(generation.fields.name)
        .and_then(|v| v.as_str())
        .unwrap_or_default();
    doc_index(name)
}

/// The service's path: `query::run` (top 10 with snippets, total, facets).
pub fn run_service(generation: &Generation, caller: &Caller, text: &str) -> anyhow::Result<(Vec<u32>, u64)> {
    let results = query::run(generation, caller, &search_query(text), &ABBREVIATIONS)?;
    let hits = results
        .hits
        .iter()
        .map(|h| doc_index(&h.name))
        .collect::<anyhow::Result<_>>()?;
    Ok((hits, results.total))
}

/// How a query is run, for the profile of the query path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// `Plan::new` + `query::build` only (parse, abbreviations, visibility filter).
    Parse,
    /// … + top 10 by score, no stored fields.
    Top10,
    /// … + the stored name of each hit: what the SQL baselines return.
    Ids,
    /// … + `Count` (the total).
    IdsCount,
    /// … + `Count` + the facet counts.
    IdsCountFacets,
    /// … + the plan's `Marks` the snippets are made with (no snippet made).
    IdsCountFacetsGenerators,
    /// `query::run`: all of the above + snippets.
    Service,
    /// `Ids` + a passage of title and body per hit (no count, no facets).
    IdsSnippets,
    /// Before issue 14, prototype: tantivy's `QueryParser` on the folded fields
    /// (title, body) only, the filter a `TermSetQuery`.
    FoldedOnly,
    /// Before issue 14: the `QueryParser` query without the visibility filter.
    NoFilter,
    /// Before issue 14: the service's query then, tantivy's `QueryParser` on the
    /// four text fields with the visibility filter as `TermQuery`s.
    TermFilter,
    /// Not equivalent, a ceiling: the folded body field alone, no filter, so
    /// that a multi-word query is a pure term intersection (block-max WAND).
    BodyIntersection,
    /// Before issue 14, the service's path: the `QueryParser` query with its filter,
    /// total and facets, and a tantivy `SnippetGenerator` snippet per hit (the
    /// body's when a query word is in it, else the title's).
    ServiceBefore,
    /// The query the Lucene engine runs, in tantivy: every folded word required,
    /// each `title^2 OR body`, the `readers` filter as in `query::build`; no
    /// abbreviations, no codes. Ids.
    LuceneShape,
}

impl Stage {
    pub const PROFILE: [Stage; 14] = [
        Stage::Parse,
        Stage::Top10,
        Stage::Ids,
        Stage::IdsCount,
        Stage::IdsCountFacets,
        Stage::IdsCountFacetsGenerators,
        Stage::Service,
        Stage::IdsSnippets,
        Stage::FoldedOnly,
        Stage::NoFilter,
        Stage::TermFilter,
        Stage::BodyIntersection,
        Stage::ServiceBefore,
        Stage::LuceneShape,
    ];

    pub fn describe(self) -> &'static str {
        match self {
            Stage::Parse => "`Plan::new` + `query::build` only (parse, abbreviations, visibility filter)",
            Stage::Top10 => "… + `TopDocs` top 10 (no stored fields)",
            Stage::Ids => "… + stored `name` of the 10 hits (= the SQL baselines' work)",
            Stage::IdsCount => "… + `Count` in the same search",
            Stage::IdsCountFacets => "… + `Count` + `FacetCollector` (4 facets)",
            Stage::IdsCountFacetsGenerators => "… + the plan's snippet `Marks` (no snippet made)",
            Stage::Service => "`query::run` (… + a snippet per hit, `Hit` assembled)",
            Stage::IdsSnippets => "`Ids` + a title and body passage per hit (no `Count`, no facets)",
            Stage::FoldedOnly => {
                "before issue 14, prototype: `QueryParser` on `title`, `body` only, `TermSetQuery` filter, ids"
            }
            Stage::NoFilter => "before issue 14: the `QueryParser` query without the `readers` filter, ids",
            Stage::TermFilter => "before issue 14: the service's `QueryParser` query with its `readers` filter, ids",
            Stage::BodyIntersection => {
                "ceiling, not equivalent: folded `body` only, no filter (a pure term intersection: block-max WAND)"
            }
            Stage::ServiceBefore => "before issue 14: `query::run` as it was (`QueryParser`, `SnippetGenerator`s)",
            Stage::LuceneShape => {
                "Lucene's query in tantivy: each word `title^2` OR `body`, all required, `readers` filter, ids"
            }
        }
    }
}

fn readers_filter(generation: &Generation, caller: &Caller) -> Box<dyn Query> {
    let terms = caller
        .tokens
        .iter()
        .map(|t| Term::from_field_text(generation.fields.readers, t));
    Box::new(BoostQuery::new(Box::new(TermSetQuery::new(terms)), 0.0))
}

/// The same filter from one `TermQuery` per token (frequencies not read).
fn readers_term_filter(generation: &Generation, caller: &Caller) -> Box<dyn Query> {
    let clauses = caller
        .tokens
        .iter()
        .map(|t| {
            let term = Term::from_field_text(generation.fields.readers, t);
            (
                Occur::Should,
                Box::new(TermQuery::new(term, IndexRecordOption::Basic)) as Box<dyn Query>,
            )
        })
        .collect();
    Box::new(BoostQuery::new(Box::new(BooleanQuery::new(clauses)), 0.0))
}

/// The query the service made before issue 14 (tantivy's `QueryParser`, without
/// the filter clause) on the four text fields, or on the two folded ones.
fn text_query(generation: &Generation, text: &str, folded_only: bool) -> Box<dyn Query> {
    let f = &generation.fields;
    let fields = if folded_only {
        vec![f.title, f.body]
    } else {
        vec![f.title, f.title_exact, f.body, f.body_exact]
    };
    let mut parser = QueryParser::for_index(&generation.index, fields);
    parser.set_conjunction_by_default();
    parser.set_field_boost(f.title, 2.0);
    parser.set_field_boost(f.title_exact, 3.0);
    parser.set_field_boost(f.body, 1.0);
    parser.set_field_boost(f.body_exact, 1.5);
    parser.parse_query_lenient(&query::sanitize(text)).0
}

fn filtered(text_query: Box<dyn Query>, filter: Box<dyn Query>) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(vec![
        (Occur::Must, text_query),
        (Occur::Must, filter),
    ]))
}

/// The query LuceneBench.java makes (see [`Stage::LuceneShape`]).
fn lucene_shape(generation: &Generation, caller: &Caller, text: &str) -> Box<dyn Query> {
    let f = &generation.fields;
    let words = tokens(&mut folded_analyzer(), &query::sanitize(text));
    let clauses = words
        .iter()
        .map(|token| {
            let either: Box<dyn Query> = Box::new(BooleanQuery::union(vec![
                Box::new(BoostQuery::new(
                    Box::new(TermQuery::new(
                        Term::from_field_text(f.title, &token.text),
                        IndexRecordOption::WithFreqs,
                    )),
                    2.0,
                )),
                Box::new(TermQuery::new(
                    Term::from_field_text(f.body, &token.text),
                    IndexRecordOption::WithFreqs,
                )),
            ]));
            (Occur::Must, either)
        })
        .chain(std::iter::once((Occur::Must, readers_term_filter(generation, caller))))
        .collect();
    Box::new(BooleanQuery::new(clauses))
}

/// The service's path before issue 14 (see [`Stage::ServiceBefore`]), on today's index.
fn service_before(generation: &Generation, caller: &Caller, text: &str) -> anyhow::Result<Vec<u32>> {
    let searcher = generation.reader.searcher();
    let full = filtered(
        text_query(generation, text, false),
        readers_term_filter(generation, caller),
    );
    let mut facets = FacetCollector::for_field("facets");
    for facet in query::FACETS {
        facets.add_facet(format!("/{facet}").as_str());
    }
    let (_, top, _) = searcher.search(&*full, &(Count, TopDocs::with_limit(10).order_by_score(), facets))?;
    let mut generators = Vec::new();
    for field in [generation.fields.body, generation.fields.title] {
        let mut generator = SnippetGenerator::create(&searcher, &*full, field)?;
        generator.set_max_num_chars(220);
        generators.push((field, generator));
    }
    let mut hits = Vec::with_capacity(top.len());
    for (_, address) in top {
        let doc: TantivyDocument = searcher.doc(address)?;
        let snippet = generators
            .iter()
            .map(|(field, generator)| {
                let mut text = doc
                    .get_first(*field)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string();
                eiso_search::item::truncate(&mut text, 64 << 10);
                generator.snippet(&text)
            })
            .reduce(|body, title| {
                if body.highlighted().is_empty() && !title.highlighted().is_empty() {
                    title
                } else {
                    body
                }
            });
        std::hint::black_box(snippet);
        hits.push(stored_index(generation, &doc)?);
    }
    Ok(hits)
}

/// Runs `text` the way `stage` says; returns the top-10 document indices.
pub fn run_stage(generation: &Generation, caller: &Caller, text: &str, stage: Stage) -> anyhow::Result<Vec<u32>> {
    if stage == Stage::Service {
        return Ok(run_service(generation, caller, text)?.0);
    }
    if stage == Stage::ServiceBefore {
        return service_before(generation, caller, text);
    }
    let searcher = generation.reader.searcher();
    let full = match stage {
        Stage::FoldedOnly => filtered(text_query(generation, text, true), readers_filter(generation, caller)),
        Stage::NoFilter => text_query(generation, text, false),
        Stage::TermFilter => filtered(
            text_query(generation, text, false),
            readers_term_filter(generation, caller),
        ),
        Stage::LuceneShape => lucene_shape(generation, caller, text),
        Stage::BodyIntersection => {
            let mut parser = QueryParser::for_index(&generation.index, vec![generation.fields.body]);
            parser.set_conjunction_by_default();
            parser.parse_query_lenient(&query::sanitize(text)).0
        }
        _ => {
            let plan = Plan::new(text, &ABBREVIATIONS);
            query::build(generation, caller, &search_query(text), &plan)
        }
    };
    let top = TopDocs::with_limit(10).order_by_score();
    let addresses = match stage {
        Stage::Parse => return Ok(Vec::new()),
        Stage::IdsCount => searcher.search(&*full, &(Count, top))?.1,
        Stage::IdsCountFacets | Stage::IdsCountFacetsGenerators => {
            let mut facets = FacetCollector::for_field("facets");
            for facet in query::FACETS {
                facets.add_facet(format!("/{facet}").as_str());
            }
            let addresses = searcher.search(&*full, &(Count, top, facets))?.1;
            if stage == Stage::IdsCountFacetsGenerators {
                std::hint::black_box(Marks::new(&Plan::new(text, &ABBREVIATIONS)));
            }
            addresses
        }
        _ => searcher.search(&*full, &top)?,
    };
    if stage == Stage::Top10 {
        return Ok(addresses.iter().map(|(_, a)| a.doc_id).collect());
    }
    let mut snippets =
        (stage == Stage::IdsSnippets).then(|| (Marks::new(&Plan::new(text, &ABBREVIATIONS)), Snippets::default()));
    let mut hits = Vec::with_capacity(addresses.len());
    for (_, address) in addresses {
        let doc: TantivyDocument = searcher.doc(address)?;
        // As `query::run` does: a passage of the title and of the body, the best kept.
        if let Some((marks, snippets)) = snippets.as_mut() {
            for field in [generation.fields.title, generation.fields.body] {
                let text = doc.get_first(field).and_then(|v| v.as_str()).unwrap_or_default();
                std::hint::black_box(snippets.passage(marks, text, false));
            }
        }
        hits.push(stored_index(generation, &doc)?);
    }
    Ok(hits)
}
