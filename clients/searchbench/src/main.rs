//! `eiso-searchbench`: eiso search against PostgreSQL full-text search,
//! SQLite FTS5 and Apache Lucene, in one run, on one synthetic Vietnamese
//! corpus and one query set typed without diacritics. Prints a Markdown
//! report: build time, index size, queries per second, p50/p99 latency and
//! recall@10 against a ground truth computed by a plain scan; eiso's top-10
//! path and Lucene also side by side (see `run_lucene`).
//!
//! `eiso-searchbench rebuild` measures a rebuild of a running eiso-server's
//! index through the service instead (see [`rebuild`]).

mod corpus;
mod eiso;
mod lucene;
mod measure;
mod postgres;
mod rebuild;
mod report;
mod sqlite;
mod vocab;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use clap::{Parser, Subcommand};

use crate::eiso::Stage;
use crate::measure::{EngineReport, Pass, Results};
use crate::report::{Contender, Facts, Profile};

#[derive(Debug, Parser)]
#[command(
    name = "eiso-searchbench",
    about = "eiso search vs PostgreSQL FTS vs SQLite FTS5 vs Apache Lucene",
    args_conflicts_with_subcommands = true
)]
struct Args {
    #[command(subcommand)]
    command: Option<Command>,
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
    /// Skip Apache Lucene (needs java, javac and Debian's liblucene8-java jars).
    #[arg(long)]
    skip_lucene: bool,
    /// Where lucene-core-*.jar and lucene-analyzers-common-*.jar are.
    #[arg(long, env = "SEARCHBENCH_LUCENE_JARS", default_value = "/usr/share/java")]
    lucene_jars: PathBuf,
    /// Rounds of the head-to-head with Lucene: in each, one timed pass of every way over
    /// the query set, the ways alternating chunk by chunk (`--lucene-chunk`).
    #[arg(long, default_value_t = 5)]
    lucene_rounds: usize,
    /// Record the Lucene JVM with Java Flight Recorder into this file
    /// (`jfr print --events jdk.ExecutionSample FILE` reads its samples).
    #[arg(long)]
    lucene_jfr: Option<PathBuf>,
    /// Queries per chunk of the head-to-head with Lucene (see `run_lucene`).
    #[arg(long, default_value_t = 50)]
    lucene_chunk: usize,
    /// Untimed Lucene passes before the rounds, until this long (the JVM's JIT compiler).
    #[arg(long, default_value_t = 20.0)]
    lucene_warmup_secs: f64,
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
    /// Where the eiso index, the SQLite file and the Lucene index go (a temporary directory inside it).
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

#[derive(Debug, Subcommand)]
enum Command {
    /// A rebuild of a running eiso-server's search index through the service:
    /// the corpus written through the API as published documents and records
    /// with a text file each, then RebuildIndex, timed until it is done
    /// (clients/searchbench/rebuild.sh starts the server and runs it).
    Rebuild(rebuild::Args),
}

fn main() -> ExitCode {
    let mut args = Args::parse();
    if let Some(Command::Rebuild(rebuild)) = args.command.take() {
        return eiso_benchkit::main("eiso-searchbench rebuild", || rebuild::run(rebuild));
    }
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

    // Apache Lucene, head to head with eiso's top-10 path: passes alternated.
    let mut contenders = Vec::new();
    if !args.skip_lucene {
        let search = |q: &str, stage| eiso::run_stage(&generation, &caller, q, stage);
        let (lucene_contenders, lucene_reports) = run_lucene(
            &args,
            start,
            &corpus,
            &texts,
            &work.path().join("lucene"),
            search,
            &mut notes,
        )?;
        contenders = lucene_contenders;
        reports.extend(lucene_reports);
    }

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
        lucene_chunk: args.lucene_chunk,
        wall: start.elapsed(),
    };
    let markdown = report::markdown(&facts, &reports, &contenders, &profile, &notes);
    println!("{markdown}");
    if let Some(path) = &args.markdown {
        std::fs::write(path, &markdown).with_context(|| format!("cannot write {}", path.display()))?;
    }
    progress(start, "done");
    Ok(())
}

/// Apache Lucene (LuceneBench.java in a JVM) head to head with eiso's top-10
/// path (`eiso` runs a query on the open generation). Each round is one timed
/// pass of every way, one client then two threads, made of chunks of queries:
/// every way runs a chunk before the next chunk starts, so that the machine's
/// load (other work on its 2 cores) falls on all ways alike. Returns the ways
/// of the head-to-head and Lucene's rows of the main table.
fn run_lucene(
    args: &Args,
    start: Instant,
    corpus: &corpus::Corpus,
    texts: &[String],
    dir: &std::path::Path,
    eiso: impl Fn(&str, Stage) -> anyhow::Result<Vec<u32>> + Sync,
    notes: &mut Vec<String>,
) -> anyhow::Result<(Vec<Contender>, Vec<EngineReport>)> {
    use lucene::Mode;

    progress(
        start,
        "lucene: compiling LuceneBench.java, building its index (one thread, then commit)",
    );
    let mut lucene = lucene::start(corpus, texts, dir, &args.lucene_jars, args.lucene_jfr.as_deref())?;
    progress(
        start,
        format_args!("lucene: built in {:.1}s", lucene.build.as_secs_f64()),
    );
    // The untimed passes: the top 10s give the recall (and the exact totals), then
    // more passes until the JIT compiler is done (the QPS of each goes in the notes).
    let (top_results, _) = lucene.results(Mode::Top)?;
    let (exact_results, exact_totals) = lucene.results(Mode::Exact)?;
    let warm_up = Instant::now();
    let mut warm_qps = Vec::new();
    while warm_qps.len() < 10 || warm_up.elapsed().as_secs_f64() < args.lucene_warmup_secs {
        warm_qps.push(lucene.pass(Mode::Top, 0..texts.len())?.qps());
        warm_qps.push(lucene.pass(Mode::Exact, 0..texts.len())?.qps());
    }
    let stages = [Stage::Ids, Stage::LuceneShape];
    let mut results: Vec<Results> = Vec::new();
    for stage in stages {
        results.push(measure::sequential(texts, |q| eiso(q, stage))?.1);
    }
    results.push(top_results.clone());
    results.push(exact_results.clone());
    let rounds = args.lucene_rounds.max(1);
    progress(
        start,
        format_args!(
            "eiso vs lucene: {rounds} rounds of alternated chunks of {} queries",
            args.lucene_chunk
        ),
    );
    // Each round goes through the query set in chunks; every way runs each chunk in
    // turn (the first way rotating from chunk to chunk), one client then two threads.
    let n = texts.len();
    let chunk = args.lucene_chunk.max(1);
    let mut passes: [Vec<Pass>; 4] = Default::default();
    let mut two: [Vec<f64>; 4] = Default::default();
    for _ in 0..rounds {
        let mut round: [Pass; 4] = std::array::from_fn(|_| Pass {
            latencies: Vec::with_capacity(n),
            wall: Duration::ZERO,
        });
        let mut two_walls = [Duration::ZERO; 4];
        for (c, from) in (0..n).step_by(chunk).enumerate() {
            let range = from..(from + chunk).min(n);
            let part = &texts[range.clone()];
            for k in 0..4 {
                let way = (c + k) % 4;
                let pass = match way {
                    0 | 1 => measure::sequential(part, |q| eiso(q, stages[way]))?.0,
                    2 => lucene.pass(Mode::Top, range.clone())?,
                    _ => lucene.pass(Mode::Exact, range.clone())?,
                };
                round[way].latencies.extend(pass.latencies);
                round[way].wall += pass.wall;
            }
            for k in 0..4 {
                let way = (c + k) % 4;
                two_walls[way] += match way {
                    0 | 1 => two_threads_wall(part, |q| eiso(q, stages[way]))?,
                    2 => lucene.two_threads(Mode::Top, range.clone())?,
                    _ => lucene.two_threads(Mode::Exact, range.clone())?,
                };
            }
        }
        for (way, pass) in round.into_iter().enumerate() {
            passes[way].push(pass);
            two[way].push(n as f64 / two_walls[way].as_secs_f64());
        }
    }
    let ways = [
        "eiso — `query::build` + top-10 ids (the service's query)",
        "eiso — Lucene's query in tantivy (`title^2` OR `body` per word, `readers` filter), ids",
        "Apache Lucene — `search(query, 10)` (Lucene's default top 10), stored id",
        "Apache Lucene — every match scored and counted, stored id",
    ];
    let mut contenders = Vec::new();
    for (((way, passes), two), results) in ways.into_iter().zip(passes).zip(two).zip(results) {
        contenders.push(Contender {
            lucene: way.starts_with("Apache Lucene"),
            way: way.to_string(),
            passes,
            two_threads_qps: two,
            results,
        });
    }
    let mut reports = Vec::new();
    for (c, results, totals) in [(2, top_results, None), (3, exact_results, Some(exact_totals))] {
        let contender = &contenders[c];
        reports.push(EngineReport {
            engine: contender.way.clone(),
            build: lucene.build,
            index_bytes: lucene.bytes,
            sequential: measure::median(contender.passes.clone()),
            two_threads_qps: Some(measure::median_of(&contender.two_threads_qps)),
            results,
            totals,
        });
    }
    notes.push(format!(
        "Lucene: {}, JVM flags `-Xms{heap} -Xmx{heap}`; LuceneBench.java compiled by the bench with `javac` against \
         {} (Debian's liblucene8-java: Maven's registry is not reachable from this machine); at the `commit()` {} \
         segments, {:.1} MB; `close()` (waits for merges) and reopen took {:.1}s more → {} segments, {:.1} MB \
         ({}), queried. Stored: the id only (eiso also stores title and body, and indexes them twice).",
        lucene.version,
        lucene
            .jars
            .iter()
            .map(|j| j.display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
        lucene.segments_at_commit,
        report::mb(lucene.bytes_at_commit),
        lucene.settle.as_secs_f64(),
        lucene.segments,
        report::mb(lucene.bytes),
        lucene.directory,
        heap = lucene::HEAP,
    ));
    notes.push(format!(
        "Lucene's JVM warm-up before the rounds: {} untimed passes, `search(query, 10)` and every match \
         alternately, QPS {} (after the two passes whose top 10s give the recall).",
        warm_qps.len(),
        warm_qps
            .iter()
            .map(|q| format!("{q:.0}"))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    notes.push(format!(
        "Lucene probes (NFC char filter, StandardTokenizer, LowerCaseFilter, ASCIIFoldingFilter): {}",
        lucene.probes.join("; ")
    ));
    lucene.finish()?;
    Ok((contenders, reports))
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
    Ok(texts.len() as f64 / two_threads_wall(texts, search)?.as_secs_f64())
}

/// The wall time of two threads sharing `texts` (even / odd ones).
fn two_threads_wall(
    texts: &[String],
    search: impl Fn(&str) -> anyhow::Result<Vec<u32>> + Sync,
) -> anyhow::Result<Duration> {
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
    Ok(began.elapsed())
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

/// Over `$pool`: the hit count of each of `$texts` by `$engine::count`, one
/// pass's results, the median of up to `$repeat` timed passes of
/// `$engine::search` while `$budget` lasts, and two clients' queries per second.
macro_rules! async_measured {
    ($engine:ident, $pool:expr, $texts:expr, $repeat:expr, $budget:expr) => {{
        let mut conn = $pool.acquire().await?;
        let mut totals = Vec::with_capacity($texts.len());
        for text in $texts.iter() {
            totals.push($engine::count(&mut conn, text).await?);
        }
        let (_, results) = async_pass!($engine::search, &mut conn, $texts);
        let began = Instant::now();
        let mut passes = Vec::with_capacity($repeat);
        while passes.len() < $repeat.max(1) && (passes.is_empty() || began.elapsed() < $budget) {
            passes.push(async_pass!($engine::search, &mut conn, $texts).0);
        }
        drop(conn);
        let two = async_two_clients!($engine::search, $pool, $texts.clone());
        (totals, results, measure::median(passes), two)
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
    let (totals, results, pass, two) = async_measured!(postgres, built.pool, texts, repeat, budget);
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
    let (totals, results, pass, two) = async_measured!(sqlite, built.pool, texts, repeat, budget);
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
