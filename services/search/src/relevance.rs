//! The relevance set: Vietnamese queries over a small office corpus, each with the
//! results an officer would accept (`relevance/corpus.toml`, `relevance/queries.toml`
//! in this crate), measured with hits@k and the mean reciprocal rank, so that a
//! ranking change is measured, not guessed. `tests/relevance.rs` holds the floor;
//! `cargo run -p eiso-search --example relevance` prints the table.

use std::path::Path;

use anyhow::{Context as _, anyhow};
use chrono::{TimeZone, Utc};
use serde::Deserialize;

use crate::abbreviations::Abbreviations;
use crate::generation::{Change, Generation};
use crate::item::{SearchItem, readers};
use crate::query::{self, Caller, Matching, SearchQuery};

/// The set shipped with the crate.
pub const CORPUS: &str = include_str!("../relevance/corpus.toml");
pub const QUERIES: &str = include_str!("../relevance/queries.toml");

/// Results looked at per query.
const DEPTH: usize = 10;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Corpus {
    item: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    name: String,
    kind: String,
    title: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    personal: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Queries {
    query: Vec<Case>,
}

/// One query and what is acceptable.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    pub text: String,
    /// What the query exercises: `plain`, `abbreviation`, `typo`, `code` …
    pub why: String,
    /// Every acceptable result.
    pub expect: Vec<String>,
}

/// How one query fared.
#[derive(Debug, Clone)]
pub struct Row {
    pub case: Case,
    /// 1-based rank of the first acceptable result in the top [`DEPTH`].
    pub rank: Option<usize>,
    pub top: Vec<String>,
    pub matching: Matching,
    pub suggestion: Option<String>,
}

/// The measures over the whole set.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub rows: Vec<Row>,
    pub items: usize,
}

impl Report {
    /// Share of queries with an acceptable result in the top `k`.
    pub fn hits_at(&self, k: usize) -> f64 {
        if self.rows.is_empty() {
            return 0.0;
        }
        let hits = self
            .rows
            .iter()
            .filter(|r| r.rank.is_some_and(|rank| rank <= k))
            .count();
        hits as f64 / self.rows.len() as f64
    }

    /// Mean over the queries of 1 / rank of the first acceptable result (0 if none in
    /// the top [`DEPTH`]).
    pub fn mrr(&self) -> f64 {
        if self.rows.is_empty() {
            return 0.0;
        }
        let sum: f64 = self
            .rows
            .iter()
            .filter_map(|r| r.rank)
            .map(|rank| 1.0 / rank as f64)
            .sum();
        sum / self.rows.len() as f64
    }

    /// The rows whose first acceptable result is not in the top `k`.
    pub fn misses(&self, k: usize) -> Vec<&Row> {
        self.rows
            .iter()
            .filter(|r| r.rank.is_none_or(|rank| rank > k))
            .collect()
    }

    /// The table and the measures, in Markdown.
    pub fn markdown(&self) -> String {
        let mut out = format!(
            "Relevance set: {} queries over {} items; hits@1 {:.3}, hits@3 {:.3}, hits@10 {:.3}, MRR {:.3}\n\n",
            self.rows.len(),
            self.items,
            self.hits_at(1),
            self.hits_at(3),
            self.hits_at(DEPTH),
            self.mrr()
        );
        out.push_str("| # | query | kind | rank | found as | first result |\n|---:|---|---|---:|---|---|\n");
        for (i, row) in self.rows.iter().enumerate() {
            let rank = row.rank.map_or("–".to_string(), |r| r.to_string());
            let matching = match (row.matching, &row.suggestion) {
                (Matching::AllWords, _) => "all words".to_string(),
                (Matching::SpelledAlike, Some(s)) => format!("spelled alike → {s}"),
                (Matching::SpelledAlike, None) => "spelled alike".to_string(),
                (Matching::SomeWords, _) => "some words".to_string(),
            };
            out.push_str(&format!(
                "| {} | `{}` | {} | {} | {} | {} |\n",
                i + 1,
                row.case.text.replace('|', "\\|"),
                row.case.why,
                rank,
                matching,
                row.top.first().map_or("–", String::as_str)
            ));
        }
        let mut kinds: Vec<&str> = self.rows.iter().map(|r| r.case.why.as_str()).collect();
        kinds.sort_unstable();
        kinds.dedup();
        out.push_str("\n| kind | queries | hits@3 | MRR |\n|---|---:|---:|---:|\n");
        for kind in kinds {
            let rows: Vec<Row> = self.rows.iter().filter(|r| r.case.why == kind).cloned().collect();
            let part = Report {
                rows,
                items: self.items,
            };
            out.push_str(&format!(
                "| {kind} | {} | {:.3} | {:.3} |\n",
                part.rows.len(),
                part.hits_at(3),
                part.mrr()
            ));
        }
        out
    }
}

/// The items of a corpus file.
pub fn items(corpus: &str) -> anyhow::Result<Vec<SearchItem>> {
    let corpus: Corpus = toml::from_str(corpus).context("the relevance corpus")?;
    let time = Utc
        .with_ymd_and_hms(2024, 6, 1, 0, 0, 0)
        .single()
        .ok_or_else(|| anyhow!("a fixed time"))?;
    Ok(corpus
        .item
        .into_iter()
        .map(|e| SearchItem {
            name: e.name,
            kind: e.kind,
            title: e.title,
            body: e.body.trim().to_string(),
            personal: e.personal.trim().to_string(),
            unit: "units/pgd".to_string(),
            item_type: String::new(),
            status: String::new(),
            readers: vec![readers::EVERYONE.to_string()],
            update_time: time,
        })
        .collect())
}

/// The cases of a queries file.
pub fn cases(queries: &str) -> anyhow::Result<Vec<Case>> {
    let queries: Queries = toml::from_str(queries).context("the relevance queries")?;
    Ok(queries.query)
}

/// Indexes `corpus` in a new index under `dir` and runs every query of `queries` as
/// a caller who may see everything, personal data included.
pub async fn evaluate(corpus: &str, queries: &str, dir: &Path) -> anyhow::Result<Report> {
    let items = items(corpus)?;
    let cases = cases(queries)?;
    for case in &cases {
        for name in &case.expect {
            anyhow::ensure!(
                items.iter().any(|i| &i.name == name),
                "query `{}` expects {name}, which is not in the corpus",
                case.text
            );
        }
    }
    let path = dir.to_path_buf();
    let generation = tokio::task::spawn_blocking(move || Generation::open(1, &path)).await??;
    let count = items.len();
    let changes = items.into_iter().map(|i| Change::Upsert(Box::new(i))).collect();
    generation
        .apply("relevance", 1, count as u64, changes)
        .await
        .map_err(|e| anyhow!("indexing the corpus: {e}"))?;
    generation
        .flush()
        .await
        .map_err(|e| anyhow!("committing the corpus: {e}"))?;
    let caller = Caller {
        tokens: vec![readers::EVERYONE.to_string()],
        personal_data: true,
    };
    let abbreviations = Abbreviations::builtin();
    let searched = generation.clone();
    let rows = tokio::task::spawn_blocking(move || -> anyhow::Result<Vec<Row>> {
        let mut rows = Vec::new();
        for case in cases {
            let query = SearchQuery {
                text: case.text.clone(),
                limit: DEPTH,
                ..Default::default()
            };
            let results = query::run(&searched, &caller, &query, &abbreviations)?;
            let top: Vec<String> = results.hits.into_iter().map(|h| h.name).collect();
            let rank = top.iter().position(|n| case.expect.contains(n)).map(|i| i + 1);
            rows.push(Row {
                case,
                rank,
                top,
                matching: results.matching,
                suggestion: results.suggestion,
            });
        }
        Ok(rows)
    })
    .await??;
    generation.close().await;
    Ok(Report { rows, items: count })
}
