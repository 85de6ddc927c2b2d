//! The Markdown report.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use crate::corpus::{self, Corpus, Query};
use crate::measure::{self, EngineReport, Pass};

pub struct Facts<'a> {
    pub args: String,
    pub revision: Option<String>,
    pub cpu: String,
    pub cores: usize,
    pub memory_gb: f64,
    pub load_start: String,
    pub load_end: String,
    pub corpus: &'a Corpus,
    pub corpus_time: Duration,
    pub queries: &'a [Query],
    pub truth: &'a [Vec<u32>],
    pub truth_time: Duration,
    pub repeat: usize,
    pub pass_budget_secs: f64,
    /// Queries per chunk of the head-to-head with Lucene.
    pub lucene_chunk: usize,
    pub wall: Duration,
}

/// One way of running eiso's query path, timed over the whole query set.
pub struct Profile {
    pub stage: &'static str,
    pub pass: Pass,
    pub recall: Option<f64>,
}

/// One way of running the query set in the head-to-head with Lucene.
pub struct Contender {
    pub way: String,
    /// One timed pass per round, the rounds alternating the contenders.
    pub passes: Vec<Pass>,
    /// Queries per second with two threads, one run per round.
    pub two_threads_qps: Vec<f64>,
    /// The top 10s of the warm-up pass.
    pub results: measure::Results,
    /// A way of Lucene's: the fastest of them (one client) is the baseline.
    pub lucene: bool,
}

/// Megabytes (10^6 bytes).
pub fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".to_string())
}

/// What follows `key` on the first line of `file` that starts with it.
fn proc_line(file: &str, key: &str) -> Option<String> {
    let text = std::fs::read_to_string(file).ok()?;
    text.lines().find_map(|l| l.strip_prefix(key)).map(str::to_string)
}

pub fn cpu_model() -> String {
    proc_line("/proc/cpuinfo", "model name")
        .and_then(|rest| rest.split(':').nth(1).map(|m| m.trim().to_string()))
        .unwrap_or_else(|| "unknown CPU".to_string())
}

pub fn memory_gb() -> f64 {
    proc_line("/proc/meminfo", "MemTotal:")
        .and_then(|rest| rest.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0 / 1024.0)
}

/// Three significant digits or so.
fn qps(value: f64) -> String {
    if value < 100.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.0}")
    }
}

fn ratio(part: usize, whole: usize) -> String {
    format!("{part} ({:.1}%)", 100.0 * part as f64 / whole.max(1) as f64)
}

pub fn markdown(
    facts: &Facts,
    reports: &[EngineReport],
    contenders: &[Contender],
    profile: &[Profile],
    notes: &[String],
) -> String {
    let mut out = String::new();
    let corpus = facts.corpus;
    let docs = corpus.docs.len();
    let nfd = corpus.docs.iter().filter(|d| d.nfd).count();
    let body_words: usize = corpus.docs.iter().map(|d| corpus::words(&d.body).count()).sum();
    let queries = facts.queries;
    let with_relevant = facts.truth.iter().filter(|t| !t.is_empty()).count();
    let mut origins: BTreeMap<&str, usize> = BTreeMap::new();
    let mut lengths: BTreeMap<usize, usize> = BTreeMap::new();
    for q in queries {
        *origins.entry(q.origin).or_default() += 1;
        *lengths.entry(corpus::words(&q.text).count()).or_default() += 1;
    }
    let mut sizes: Vec<usize> = facts.truth.iter().map(Vec::len).collect();
    sizes.sort_unstable();
    let quantile = |p: f64| {
        let at = ((sizes.len() as f64 - 1.0) * p).round() as usize;
        sizes.get(at).map_or(0.0, |&n| 100.0 * n as f64 / docs.max(1) as f64)
    };
    let d_stroke = |q: usize| queries[q].had_d_stroke;
    let d_queries = (0..queries.len())
        .filter(|&q| d_stroke(q) && !facts.truth[q].is_empty())
        .count();

    let _ = writeln!(
        out,
        "Run: `eiso-searchbench {}`{} — wall time {:.0}s.",
        facts.args,
        facts
            .revision
            .as_ref()
            .map_or(String::new(), |r| format!(" at revision {r}")),
        facts.wall.as_secs_f64()
    );
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "- Machine: {}, {} cores, {:.1} GB RAM; load average {} at the start, {} at the end.",
        facts.cpu, facts.cores, facts.memory_gb, facts.load_start, facts.load_end
    );
    let _ = writeln!(
        out,
        "- Corpus: {docs} documents, {:.1} MB of text (title + body, UTF-8), {} in NFD, {:.0} words (syllables) per body \
         on average, generated in {:.1}s.",
        mb(corpus.text_bytes() as u64),
        ratio(nfd, docs),
        body_words as f64 / docs.max(1) as f64,
        facts.corpus_time.as_secs_f64()
    );
    let _ = writeln!(
        out,
        "- Queries: {} typed without diacritics (origin: {}; words: {}); {} have at least one relevant document \
         (relevant documents as a share of the corpus: p10 {:.2}%, p25 {:.2}%, median {:.2}%, p75 {:.2}%, p90 {:.2}%, max {:.1}%); {d_queries} of those were typed from words with đ. \
         Ground truth by a plain scan in {:.1}s.",
        queries.len(),
        origins
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect::<Vec<_>>()
            .join(", "),
        lengths
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect::<Vec<_>>()
            .join(", "),
        with_relevant,
        quantile(0.1),
        quantile(0.25),
        quantile(0.5),
        quantile(0.75),
        quantile(0.9),
        quantile(1.0),
        facts.truth_time.as_secs_f64()
    );
    let _ = writeln!(
        out,
        "- Timing: an untimed warm-up pass per engine (its top 10s give the recall), then up to {} timed passes \
         (no new one once an engine's passes took {:.0}s), one client, sequential, top 10; QPS, p50 and p99 are \
         from the pass with the median wall time. QPS (2 threads): two clients at once sharing the query set \
         (even / odd queries), after the passes. \
         Index size: MB = 10^6 bytes on disk.",
        facts.repeat, facts.pass_budget_secs
    );
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "| engine | build time (s) | index size (MB) | QPS | QPS (2 threads) | p50 (ms) | p99 (ms) | recall@10 \
         | QPS ÷ PostgreSQL's (1 / 2 threads) |"
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    let postgres = reports.iter().find(|r| r.engine.starts_with("PostgreSQL"));
    for r in reports {
        let (recall, _) = measure::recall_at_10(&r.results, facts.truth, |_| true);
        let versus = match postgres {
            Some(pg) => format!(
                "{:.1}× / {}",
                r.sequential.qps() / pg.sequential.qps(),
                match (r.two_threads_qps, pg.two_threads_qps) {
                    (Some(a), Some(b)) => format!("{:.1}×", a / b),
                    _ => "–".to_string(),
                }
            ),
            None => "–".to_string(),
        };
        let _ = writeln!(
            out,
            "| {} | {:.1} | {:.0} | {} | {} | {:.2} | {:.2} | {:.3} | {versus} |",
            r.engine,
            r.build.as_secs_f64(),
            mb(r.index_bytes),
            qps(r.sequential.qps()),
            r.two_threads_qps.map_or("–".to_string(), qps),
            r.sequential.percentile_ms(50.0),
            r.sequential.percentile_ms(99.0),
            recall
        );
    }
    if reports.iter().any(|r| r.engine.starts_with("Apache Lucene")) {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "The engines' rows ran one after the other, each under the machine's load of its moment; Lucene's are \
             from the head-to-head below, where eiso's top-10 path and Lucene ran side by side, chunk by chunk: \
             the ratios to Lucene are that table's."
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "recall@10 split by whether the query was typed from words with đ, and results vs the truth \
         (\"total\" = the engine's count of matches):"
    );
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "| engine | recall@10, đ queries ({d_queries}) | recall@10, other ({}) | queries with total = truth | \
         no result although relevant exist | Σ totals / Σ truth |",
        with_relevant - d_queries
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|");
    let truth_sum: usize = sizes.iter().sum();
    for r in reports {
        let (with_d, _) = measure::recall_at_10(&r.results, facts.truth, d_stroke);
        let (without_d, _) = measure::recall_at_10(&r.results, facts.truth, |q| !d_stroke(q));
        let empty = (0..queries.len())
            .filter(|&q| !facts.truth[q].is_empty() && r.results[q].is_empty())
            .count();
        let (equal, sum) = match &r.totals {
            Some(totals) => {
                let equal = totals
                    .iter()
                    .zip(facts.truth)
                    .filter(|(t, truth)| **t == truth.len() as u64)
                    .count();
                (
                    ratio(equal, queries.len()),
                    format!("{:.3}", totals.iter().sum::<u64>() as f64 / truth_sum.max(1) as f64),
                )
            }
            None => ("–".to_string(), "–".to_string()),
        };
        let _ = writeln!(
            out,
            "| {} | {with_d:.3} | {without_d:.3} | {equal} | {empty} | {sum} |",
            r.engine
        );
    }
    let medians: Vec<(Pass, f64)> = contenders
        .iter()
        .map(|c| {
            (
                measure::median(c.passes.clone()),
                measure::median_of(&c.two_threads_qps),
            )
        })
        .collect();
    let baseline = (0..contenders.len())
        .filter(|&c| contenders[c].lucene)
        .max_by(|&a, &b| medians[a].0.qps().total_cmp(&medians[b].0.qps()));
    if let Some(b) = baseline {
        let base = &contenders[b];
        let (base_pass, base_two) = &medians[b];
        let rounds = base.passes.len();
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "eiso against Apache Lucene: {rounds} rounds, each one timed pass of every way below over the query \
             set with one client, then the same with two threads (even / odd queries); the ways alternate chunk \
             by chunk ({} queries a chunk, every way runs a chunk before the next starts, the first way rotating), \
             so that the machine's load falls on all alike. Before them, one untimed pass of each (its top 10s \
             give the recall) and Lucene's JVM warm-up (below). QPS = queries / Σ latency, p50 and p99 from each \
             way's round with the median; QPS (2 threads) = queries / Σ chunk wall time, the median of the \
             rounds'; the baseline is Lucene's faster way (one client), here \"{}\":",
            facts.lucene_chunk, base.way
        );
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "| way | QPS per round | QPS | p50 (ms) | p99 (ms) | QPS (2 threads) per round | QPS (2 threads) | \
             recall@10 | QPS ÷ Lucene's (1 / 2 threads) | ÷ Lucene's per round, 1 thread (min – max) |"
        );
        let _ = writeln!(out, "|---|---|---:|---:|---:|---|---:|---:|---:|---:|");
        for (c, (median, two)) in contenders.iter().zip(&medians) {
            let (recall, _) = measure::recall_at_10(&c.results, facts.truth, |_| true);
            let per_round: Vec<f64> = c
                .passes
                .iter()
                .zip(&base.passes)
                .map(|(a, b)| a.qps() / b.qps())
                .collect();
            let (low, high) = per_round
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &r| {
                    (lo.min(r), hi.max(r))
                });
            let list = |values: &mut dyn Iterator<Item = f64>| values.map(qps).collect::<Vec<_>>().join(", ");
            let _ = writeln!(
                out,
                "| {} | {} | {} | {:.2} | {:.2} | {} | {} | {recall:.3} | {:.2}× / {:.2}× | {low:.2} – {high:.2} |",
                c.way,
                list(&mut c.passes.iter().map(Pass::qps)),
                qps(median.qps()),
                median.percentile_ms(50.0),
                median.percentile_ms(99.0),
                list(&mut c.two_threads_qps.iter().copied()),
                qps(*two),
                median.qps() / base_pass.qps(),
                two / base_two,
            );
        }
    }
    if !profile.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "eiso query path, one client: every query run once each way, the ways interleaved query by query \
             so that the machine's load falls on all rows alike; QPS = queries / Σ latency ({} queries; ms):",
            queries.len()
        );
        let _ = writeln!(out);
        let _ = writeln!(out, "| how the query runs | mean | p50 | p99 | QPS | recall@10 |");
        let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|");
        for p in profile {
            let _ = writeln!(
                out,
                "| {} | {:.3} | {:.3} | {:.3} | {:.0} | {} |",
                p.stage,
                p.pass.mean_ms(),
                p.pass.percentile_ms(50.0),
                p.pass.percentile_ms(99.0),
                p.pass.qps(),
                p.recall.map_or("–".to_string(), |r| format!("{r:.3}"))
            );
        }
    }
    let _ = writeln!(out);
    for note in notes {
        let _ = writeln!(out, "- {note}");
    }
    out
}
