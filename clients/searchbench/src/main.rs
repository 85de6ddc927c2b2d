//! `eiso-searchbench`: eiso search against PostgreSQL full-text search and
//! SQLite FTS5, in one run, on one synthetic Vietnamese corpus and one query
//! set typed without diacritics. Prints a Markdown report: build time, index
//! size, queries per second, p50/p99 latency and recall@10 against a ground
//! truth computed by a plain scan.

mod corpus;
mod eiso;
mod measure;
mod postgres;
mod report;
mod sqlite;
mod vocab;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context as _;
use clap::Parser;

use crate::eiso::Stage;
use crate::measure::{EngineReport, Pass, Results};
use crate::report::{Facts, Profile};

#[derive(Debug, Parser)]
#[command(name = "eiso-searchbench", about = "eiso search vs PostgreSQL FTS vs SQLite FTS5")]
struct Args {
    /// Documents in the synthetic corpus.
    #[arg(long, default_value_t = 100_000)]
    docs: usize,
    /// Queries in the query set.
    #[arg(long, default_value_t = 500)]
    queries: usize,
    /// Seed of the corpus and the query set.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// PostgreSQL server (user, host, port); the database name is --pg-database.
    #[arg(
        long,
        env = "SEARCHBENCH_PG_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/postgres"
    )]
    pg_url: String,
    /// Database created (dropped first if it exists) and dropped at the end.
    #[arg(long, default_value = "eiso_searchbench")]
    pg_database: String,
    /// Keep the PostgreSQL database after the run.
    #[arg(long)]
    keep_database: bool,
    #[arg(long)]
    skip_postgres: bool,
    #[arg(long)]
    skip_sqlite: bool,
    /// Timed passes over the query set per engine; the one with the median
    /// wall time is reported.
    #[arg(long, default_value_t = 3)]
    repeat: usize,
    /// No further timed pass of an engine starts once its passes took this long.
    #[arg(long, default_value_t = 60.0)]
    pass_budget_secs: f64,
    /// Skip the rows of eiso's index merged into one segment.
    #[arg(long)]
    no_merged: bool,
    /// Skip the profile of eiso's query path.
    #[arg(long)]
    no_profile: bool,
    /// Where the eiso index and the SQLite file go (a temporary directory inside it).
    #[arg(long, default_value_os_t = std::env::temp_dir())]
    work_dir: PathBuf,
    /// Also write the Markdown report to this file.
    #[arg(long)]
    markdown: Option<PathBuf>,
    /// The source revision, printed in the report (bench.sh passes `git rev-parse`).
    #[arg(long)]
    revision: Option<String>,
    /// Write the query set to this file (TSV: query, origin, relevant documents) and go on.
    #[arg(long)]
    dump_queries: Option<PathBuf>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("eiso-searchbench: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn progress(start: Instant, message: impl std::fmt::Display) {
    eprintln!("[{:7.1}s] {message}", start.elapsed().as_secs_f64());
}

fn run(args: Args) -> anyhow::Result<()> {
    let start = Instant::now();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(cores.clamp(2, 4))
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let load_start = report::load_average();

    progress(
        start,
        format_args!("generating {} documents (seed {})", args.docs, args.seed),
    );
    let began = Instant::now();
    let corpus = corpus::generate(args.docs, args.seed);
    let corpus_time = began.elapsed();
    let queries = corpus::queries(&corpus, args.queries, args.seed);
    anyhow::ensure!(!queries.is_empty(), "no queries generated");
    let texts: Arc<Vec<String>> = Arc::new(queries.iter().map(|q| q.text.clone()).collect());
    progress(
        start,
        format_args!("ground truth of {} queries (plain scan)", queries.len()),
    );
    let began = Instant::now();
    let truth = corpus::truth(&corpus, &queries, cores);
    let truth_time = began.elapsed();
    if let Some(path) = &args.dump_queries {
        let lines: String = queries
            .iter()
            .zip(&truth)
            .map(|(q, relevant)| format!("{}\t{}\t{}\n", q.text, q.origin, relevant.len()))
            .collect();
        std::fs::write(path, lines).with_context(|| format!("cannot write {}", path.display()))?;
    }

    let work = tempfile::Builder::new()
        .prefix("eiso-searchbench-")
        .tempdir_in(&args.work_dir)
        .with_context(|| format!("cannot create a directory in {}", args.work_dir.display()))?;
    let mut reports = Vec::new();
    let mut notes = Vec::new();

    // eiso search.
    progress(start, "eiso: building (Generation::apply in batches, then flush)");
    let built = runtime.block_on(eiso::build(&corpus, &work.path().join("eiso")))?;
    progress(start, format_args!("eiso: built in {:.1}s", built.build.as_secs_f64()));
    notes.push(format!(
        "eiso: {} items per `Generation::apply`; at the `flush()` commit {} segments, {:.1} MB; \
         `close()` (waits for merges) and reopen took {:.1}s more → {} segments, {:.1} MB, queried below.",
        eiso::BATCH,
        built.segments_at_flush,
        report::mb(built.bytes_at_flush),
        built.settle.as_secs_f64(),
        built.segments,
        report::mb(built.bytes),
    ));
    let mut generation = built.generation.clone();
    let caller = eiso::caller();
    let mut totals = Vec::with_capacity(texts.len());
    let mut service_results = Vec::with_capacity(texts.len());
    for text in texts.iter() {
        let (hits, total) = eiso::run_service(&generation, &caller, text)?;
        service_results.push(hits);
        totals.push(total);
    }
    progress(start, "eiso: timed passes");
    let budget = std::time::Duration::from_secs_f64(args.pass_budget_secs);
    let repeat = args.repeat.max(1);
    let service_pass = repeated(repeat, budget, || {
        measure::sequential(&texts, |q| eiso::run_service(&generation, &caller, q).map(|r| r.0))
    })?;
    let ids_results = measure::sequential(&texts, |q| eiso::run_stage(&generation, &caller, q, Stage::Ids))?.1;
    let ids_pass = repeated(repeat, budget, || {
        measure::sequential(&texts, |q| eiso::run_stage(&generation, &caller, q, Stage::Ids))
    })?;
    if ids_results != service_results {
        let differing = ids_results.iter().zip(&service_results).filter(|(a, b)| a != b).count();
        notes.push(format!(
            "eiso: the top 10 of `query::build` + `TopDocs` differ from `query::run`'s for {differing} queries"
        ));
    }
    let service_two = two_threads(&texts, |q| eiso::run_service(&generation, &caller, q).map(|r| r.0))?;
    let ids_two = two_threads(&texts, |q| eiso::run_stage(&generation, &caller, q, Stage::Ids))?;
    let mut profile = Vec::new();
    if !args.no_profile {
        progress(start, "eiso: profile of the query path (stages interleaved per query)");
        let stages = Stage::PROFILE;
        let mut latencies = vec![Vec::with_capacity(texts.len()); stages.len()];
        let mut results: Vec<Results> = vec![Vec::with_capacity(texts.len()); stages.len()];
        for text in texts.iter() {
            for (s, &stage) in stages.iter().enumerate() {
                let began = Instant::now();
                let hits = eiso::run_stage(&generation, &caller, text, stage)?;
                latencies[s].push(began.elapsed());
                results[s].push(hits);
            }
        }
        for ((stage, latencies), results) in stages.into_iter().zip(latencies).zip(results) {
            let recall = if matches!(stage, Stage::Parse | Stage::Top10) {
                None
            } else {
                Some(measure::recall_at_10(&results, &truth, |_| true).0)
            };
            let wall = latencies.iter().sum();
            profile.push(Profile {
                stage: stage.describe(),
                pass: Pass { latencies, wall },
                recall,
            });
        }
    }
    reports.push(EngineReport {
        engine: "eiso search — `query::run` (service path)".to_string(),
        build: built.build,
        index_bytes: built.bytes,
        sequential: service_pass,
        two_threads_qps: Some(service_two),
        results: service_results.clone(),
        totals: Some(totals),
    });
    reports.push(EngineReport {
        engine: "eiso search — `query::build` + top-10 ids".to_string(),
        build: built.build,
        index_bytes: built.bytes,
        sequential: ids_pass,
        two_threads_qps: Some(ids_two),
        results: ids_results,
        totals: None,
    });

    // The same index merged into one segment: what a merge after a rebuild would give.
    if built.segments > 1 && !args.no_merged {
        progress(
            start,
            "eiso: merging into one segment (an experiment, not the service's behaviour)",
        );
        let (merged, merge_time) = runtime.block_on(eiso::merge_to_one(generation, &work.path().join("eiso")))?;
        generation = merged;
        let segments = eiso::segment_count(&generation);
        let results = measure::sequential(&texts, |q| eiso::run_service(&generation, &caller, q).map(|r| r.0))?.1;
        let pass = repeated(repeat, budget, || {
            measure::sequential(&texts, |q| eiso::run_service(&generation, &caller, q).map(|r| r.0))
        })?;
        let two = two_threads(&texts, |q| eiso::run_service(&generation, &caller, q).map(|r| r.0))?;
        let ids_pass = repeated(repeat, budget, || {
            measure::sequential(&texts, |q| eiso::run_stage(&generation, &caller, q, Stage::Ids))
        })?;
        let ids_two = two_threads(&texts, |q| eiso::run_stage(&generation, &caller, q, Stage::Ids))?;
        notes.push(format!(
            "eiso, merged rows: the {} segments merged into {segments} by the bench's own tantivy writer in {:.1}s \
             (build time = build + merge; eiso-search does not do this itself).",
            built.segments,
            merge_time.as_secs_f64()
        ));
        let bytes = generation.disk_bytes();
        reports.push(EngineReport {
            engine: "eiso search — `query::run`, merged to 1 segment".to_string(),
            build: built.build + merge_time,
            index_bytes: bytes,
            sequential: pass,
            two_threads_qps: Some(two),
            results,
            totals: None,
        });
        let ids_results = measure::sequential(&texts, |q| eiso::run_stage(&generation, &caller, q, Stage::Ids))?.1;
        reports.push(EngineReport {
            engine: "eiso search — top-10 ids, merged to 1 segment".to_string(),
            build: built.build + merge_time,
            index_bytes: bytes,
            sequential: ids_pass,
            two_threads_qps: Some(ids_two),
            results: ids_results,
            totals: None,
        });
    }
    runtime.block_on(generation.close());
    drop(generation);

    // PostgreSQL.
    if !args.skip_postgres {
        progress(start, "postgres: building (COPY, GIN, ANALYZE)");
        let report = runtime.block_on(run_postgres(
            &args,
            (repeat, budget),
            &corpus,
            texts.clone(),
            &mut notes,
        ))?;
        reports.push(report);
    }

    // SQLite FTS5.
    if !args.skip_sqlite {
        progress(start, "sqlite: building (INSERTs in one transaction, optimize)");
        let report = runtime.block_on(run_sqlite(
            (repeat, budget),
            &corpus,
            &work.path().join("fts5.db"),
            texts.clone(),
            &mut notes,
        ))?;
        reports.push(report);
    }

    let facts = Facts {
        args: {
            // The revision is printed on its own.
            let mut words = Vec::new();
            let mut arguments = std::env::args().skip(1);
            while let Some(word) = arguments.next() {
                if word == "--revision" {
                    arguments.next();
                } else if !word.starts_with("--revision=") {
                    words.push(word);
                }
            }
            words.join(" ")
        },
        revision: args.revision.clone(),
        cpu: report::cpu_model(),
        cores,
        memory_gb: report::memory_gb(),
        load_start,
        load_end: report::load_average(),
        corpus: &corpus,
        corpus_time,
        queries: &queries,
        truth: &truth,
        truth_time,
        repeat,
        pass_budget_secs: args.pass_budget_secs,
        wall: start.elapsed(),
    };
    let markdown = report::markdown(&facts, &reports, &profile, &notes);
    println!("{markdown}");
    if let Some(path) = &args.markdown {
        std::fs::write(path, &markdown).with_context(|| format!("cannot write {}", path.display()))?;
    }
    progress(start, "done");
    Ok(())
}

/// Up to `repeat` passes, no more once `budget` is spent; the one with the median wall time.
fn repeated(
    repeat: usize,
    budget: std::time::Duration,
    mut pass: impl FnMut() -> anyhow::Result<(Pass, Results)>,
) -> anyhow::Result<Pass> {
    let began = Instant::now();
    let mut passes = Vec::with_capacity(repeat);
    while passes.len() < repeat.max(1) && (passes.is_empty() || began.elapsed() < budget) {
        passes.push(pass()?.0);
    }
    Ok(measure::median(passes))
}

/// Two threads sharing the query set (one takes the even queries, the other
/// the odd ones); queries per second over both.
fn two_threads(texts: &[String], search: impl Fn(&str) -> anyhow::Result<Vec<u32>> + Sync) -> anyhow::Result<f64> {
    let n = texts.len();
    let began = Instant::now();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..2)
            .map(|t| {
                let search = &search;
                scope.spawn(move || -> anyhow::Result<()> {
                    for text in texts.iter().skip(t).step_by(2) {
                        search(text)?;
                    }
                    Ok(())
                })
            })
            .collect();
        for handle in handles {
            handle
                .join()
                .map_err(|_| anyhow::anyhow!("a query thread panicked"))??;
        }
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(n as f64 / began.elapsed().as_secs_f64())
}

/// A sequential timed pass of an async `search(conn, text)`.
macro_rules! async_pass {
    ($search:path, $conn:expr, $texts:expr) => {{
        let mut latencies = Vec::with_capacity($texts.len());
        let mut results: Results = Vec::with_capacity($texts.len());
        let start = Instant::now();
        for text in $texts.iter() {
            let begin = Instant::now();
            let hits = $search($conn, text).await?;
            latencies.push(begin.elapsed());
            results.push(hits);
        }
        let wall = start.elapsed();
        (Pass { latencies, wall }, results)
    }};
}

/// Two pooled connections sharing the query set (even and odd queries), concurrently.
macro_rules! async_two_clients {
    ($search:path, $pool:expr, $texts:expr) => {{
        let texts: Arc<Vec<String>> = $texts;
        let n = texts.len();
        let mut connections = vec![$pool.acquire().await?, $pool.acquire().await?];
        let began = Instant::now();
        let mut tasks = tokio::task::JoinSet::new();
        for t in 0..2 {
            let mut conn = connections.pop().context("no connection")?;
            let texts = texts.clone();
            tasks.spawn(async move {
                for text in texts.iter().skip(t).step_by(2) {
                    $search(&mut *conn, text).await?;
                }
                Ok::<_, anyhow::Error>(())
            });
        }
        while let Some(done) = tasks.join_next().await {
            done??;
        }
        n as f64 / began.elapsed().as_secs_f64()
    }};
}

async fn run_postgres(
    args: &Args,
    (repeat, budget): (usize, std::time::Duration),
    corpus: &corpus::Corpus,
    texts: Arc<Vec<String>>,
    notes: &mut Vec<String>,
) -> anyhow::Result<EngineReport> {
    postgres::recreate(&args.pg_url, &args.pg_database).await?;
    let built = postgres::build(corpus, &args.pg_url, &args.pg_database).await?;
    let mut conn = built.pool.acquire().await?;
    let mut totals = Vec::with_capacity(texts.len());
    for text in texts.iter() {
        totals.push(postgres::count(&mut conn, text).await?);
    }
    let (_, results) = async_pass!(postgres::search, &mut conn, texts);
    let began = Instant::now();
    let mut passes = Vec::with_capacity(repeat);
    while passes.len() < repeat.max(1) && (passes.is_empty() || began.elapsed() < budget) {
        passes.push(async_pass!(postgres::search, &mut conn, texts).0);
    }
    let pass = measure::median(passes);
    drop(conn);
    let two = async_two_clients!(postgres::search, built.pool, texts.clone());
    notes.push(format!(
        "PostgreSQL: {}; GIN index {:.1} MB of the {:.1} MB total (heap + TOAST + indexes); \
         server defaults (shared_buffers, work_mem, maintenance_work_mem untouched).",
        built.version,
        report::mb(built.gin_bytes),
        report::mb(built.total_bytes)
    ));
    notes.push(format!("PostgreSQL probes: {}", built.probes.join("; ")));
    built.pool.close().await;
    if !args.keep_database {
        postgres::drop_database(&args.pg_url, &args.pg_database).await?;
    }
    Ok(EngineReport {
        engine: "PostgreSQL FTS (unaccent + GIN, ts_rank)".to_string(),
        build: built.build,
        index_bytes: built.total_bytes,
        sequential: pass,
        two_threads_qps: Some(two),
        results,
        totals: Some(totals),
    })
}

async fn run_sqlite(
    (repeat, budget): (usize, std::time::Duration),
    corpus: &corpus::Corpus,
    file: &std::path::Path,
    texts: Arc<Vec<String>>,
    notes: &mut Vec<String>,
) -> anyhow::Result<EngineReport> {
    let built = sqlite::build(corpus, file).await?;
    let mut conn = built.pool.acquire().await?;
    let mut totals = Vec::with_capacity(texts.len());
    for text in texts.iter() {
        totals.push(sqlite::count(&mut conn, text).await?);
    }
    let (_, results) = async_pass!(sqlite::search, &mut conn, texts);
    let began = Instant::now();
    let mut passes = Vec::with_capacity(repeat);
    while passes.len() < repeat.max(1) && (passes.is_empty() || began.elapsed() < budget) {
        passes.push(async_pass!(sqlite::search, &mut conn, texts).0);
    }
    let pass = measure::median(passes);
    drop(conn);
    let two = async_two_clients!(sqlite::search, built.pool, texts.clone());
    notes.push(format!(
        "SQLite {} (bundled by libsqlite3-sys): the build includes the final FTS5 `optimize` ({:.1}s).",
        built.version,
        built.optimize.as_secs_f64()
    ));
    notes.push(format!(
        "SQLite probes (`unicode61 remove_diacritics 2`; rows 'Đường đến trường', 'hồ sơ', NFD 'hồ sơ Đặng'): {}",
        built.probes.join("; ")
    ));
    built.pool.close().await;
    Ok(EngineReport {
        engine: "SQLite FTS5 (unicode61 remove_diacritics 2, bm25)".to_string(),
        build: built.build,
        index_bytes: built.bytes,
        sequential: pass,
        two_threads_qps: Some(two),
        results,
        totals: Some(totals),
    })
}
