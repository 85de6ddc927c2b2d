//! `eiso-searchbench rebuild`: a rebuild of a running eiso-server's search
//! index through the service (issue 15, target 4: ≥ 20 MB/s of text at
//! 100,000 items). The corpus's documents are written through the API
//! ([`load`]); once the live index has caught up, `RebuildIndex` replays every
//! event stream into a new generation, each item reloaded from the service
//! databases and each file's text extracted again, as in production; the
//! bench polls `GetIndexStatus` until it is done and reports the server's
//! figures with the server process's CPU time and peak RSS
//! ([`server_process`]).

mod load;
mod server_process;

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail, ensure};
use eiso_benchkit::servers::Servers;
use eiso_benchkit::{Session, call_error};
use eiso_proto::eiso::identity::v1::{CreateUserRequest, Role, RoleBinding, UnitKind, User};
use eiso_proto::eiso::search::v1::search_service_client::SearchServiceClient;
use eiso_proto::eiso::search::v1::{
    GetIndexStatusRequest, IndexStatus, RebuildIndexRequest, RebuildProgress, rebuild_progress,
};
use eiso_proto::prost_types::Timestamp;
use eiso_proto::tonic::Code;

use crate::corpus;
use crate::report;
use server_process::{CpuTimes, ServerProcess};

/// Flags of `eiso-searchbench rebuild`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The server, http://HOST:PORT.
    #[arg(long, value_name = "URL", default_value = "http://127.0.0.1:50083")]
    server: String,
    /// The server's process id (same machine): its CPU time and peak RSS
    /// over the rebuild are read from /proc, and `--perf-data` records it.
    #[arg(long, value_name = "PID")]
    server_pid: Option<u32>,
    /// The administrator: sets up the unit and the users, asks for the rebuild.
    #[arg(long, value_name = "NAME", default_value = "admin")]
    admin_username: String,
    /// The environment variable holding the administrator's password.
    #[arg(long, value_name = "VAR")]
    admin_password_env: String,
    /// The environment variable holding the password of the two users the
    /// bench creates (a document controller and a leader who approves).
    #[arg(long, value_name = "VAR")]
    user_password_env: String,
    /// The unit the items belong to (created if missing).
    #[arg(long, value_name = "CODE", default_value = "REBUILDBENCH")]
    unit_code: String,
    /// Items to write: the first `--items` documents of the corpus.
    #[arg(long, value_name = "N", default_value_t = 100_000)]
    items: usize,
    /// Share of the items written as controlled documents published through
    /// the whole cycle (6 calls); the others are records with one file (2 calls).
    #[arg(long, value_name = "SHARE", default_value_t = 0.2)]
    document_share: f64,
    /// Seed of the corpus.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Clients writing at once, one connection each.
    #[arg(long, value_name = "N", default_value_t = 16)]
    concurrency: u32,
    /// Write nothing: rebuild what the server already holds.
    #[arg(long)]
    skip_load: bool,
    /// Rebuilds one after the other (each reported).
    #[arg(long, value_name = "N", default_value_t = 1)]
    rebuilds: u32,
    /// Record the server with `perf record -g` over the last rebuild into this file.
    #[arg(long, value_name = "FILE", requires = "server_pid")]
    perf_data: Option<PathBuf>,
    /// How long the live index may take to catch up, and a rebuild to finish.
    #[arg(long, value_name = "SECONDS", default_value_t = 7200)]
    timeout_secs: u64,
    /// The database behind the server, as printed in the report (`SQLite`, `PostgreSQL`).
    #[arg(long, value_name = "TEXT", default_value = "SQLite")]
    backend: String,
    /// The source revision, printed in the report (rebuild.sh passes `git rev-parse`).
    #[arg(long)]
    revision: Option<String>,
}

type Search = SearchServiceClient<
    eiso_proto::tonic::service::interceptor::InterceptedService<
        eiso_proto::tonic::transport::Channel,
        eiso_benchkit::Bearer,
    >,
>;

/// How often `GetIndexStatus` is asked during a rebuild.
const POLL: Duration = Duration::from_millis(100);

pub async fn run(args: Args) -> anyhow::Result<()> {
    ensure!(
        (0.0..=1.0).contains(&args.document_share),
        "--document-share must be between 0 and 1"
    );
    ensure!(args.concurrency >= 1, "--concurrency must be at least 1");
    let admin_password = env_password(&args.admin_password_env)?;
    let user_password = env_password(&args.user_password_env)?;
    let servers = Servers::new(&args.server, &[], Duration::from_secs(10), Duration::from_secs(120))?;
    let control = servers.control().await?;
    let admin = Session::login(&control, &args.admin_username, &admin_password).await?;
    let mut search: Search = SearchServiceClient::with_interceptor(control.clone(), admin.bearer());
    let process = args.server_pid.map(ServerProcess::new).transpose()?;

    let mut out = String::new();
    let load_average = report::load_average();
    writeln!(out, "# eiso-searchbench rebuild")?;
    writeln!(out)?;
    writeln!(
        out,
        "Revision {}; {}, {} cores, {:.1} GB; eiso-server on {} at {}{}; load average {load_average} at the start.",
        args.revision.as_deref().unwrap_or("unknown"),
        report::cpu_model(),
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        report::memory_gb(),
        args.backend,
        args.server,
        process
            .as_ref()
            .map(|p| format!(" (pid {})", p.pid()))
            .unwrap_or_default(),
    )?;

    if !args.skip_load {
        let before = status(&mut search).await?;
        let (controller, reviewer, unit) = setup(&control, &admin, &args, &user_password).await?;
        eprintln!(
            "eiso-searchbench rebuild: generating {} documents (seed {})",
            args.items, args.seed
        );
        let corpus = Arc::new(corpus::generate(args.items, args.seed));
        let channels = servers.clients(args.concurrency).await?;
        let run = format!("{:06X}", uuid::Uuid::new_v4().as_u64_pair().0 & 0xff_ffff);
        eprintln!(
            "eiso-searchbench rebuild: writing {} items, {} clients (run {run})",
            args.items, args.concurrency
        );
        let load_before = report::load_average();
        let loaded = load::run(load::Plan {
            corpus,
            channels,
            controller,
            reviewer,
            unit,
            run,
            document_share: args.document_share,
        })
        .await?;
        let load_after = report::load_average();
        eprintln!("eiso-searchbench rebuild: waiting for the live index to catch up");
        let expected = before.document_count + loaded.items() as i64;
        let (caught_up, after) = catch_up(&mut search, expected, args.timeout_secs).await?;
        write_load(&mut out, &args, &loaded, caught_up, &after, (&load_before, &load_after))?;
    }

    writeln!(out)?;
    writeln!(
        out,
        "## The rebuild (RebuildIndex, then GetIndexStatus every {} ms)",
        POLL.as_millis()
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "| # | items indexed (upserts) | MB of text | seconds (server / client) | MB/s (server / client) | items/s | events | \
         server CPU s (own + extraction children) | cores busy | peak RSS (RSS before) | load average before → after |"
    )?;
    writeln!(out, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")?;
    for round in 1..=args.rebuilds.max(1) {
        let perf = if round == args.rebuilds.max(1) {
            args.perf_data.as_deref()
        } else {
            None
        };
        let measured = rebuild(&mut search, process.as_ref(), perf, args.timeout_secs).await?;
        writeln!(out, "{}", measured.row(round))?;
        eprintln!("eiso-searchbench rebuild: {}", measured.row(round));
    }
    let final_status = status(&mut search).await?;
    write_writer_baseline(&mut out, &args).await?;
    writeln!(out)?;
    writeln!(
        out,
        "After: {} items in the serving index, {:.1} MB on disk. An item whose events fall into two batches of the \
         stream is loaded and indexed twice: the server counts upserts, and their text. MB = 10^6 bytes of item \
         text (UTF-8) as the server counts it; the server's seconds are from the rebuild's start to its end time, the client's from \
         RebuildIndex sent to `STATE_DONE` seen; CPU from /proc/PID/stat (extraction children counted once reaped); \
         peak RSS is VmHWM, reset (clear_refs) before each rebuild; cores busy = server CPU s / client seconds.",
        final_status.document_count,
        final_status.index_bytes as f64 / 1e6
    )?;
    print!("{out}");
    Ok(())
}

/// The baseline, in the same run: the same items' text fed straight to an
/// index generation (`Generation::apply` in batches, then the commit), as the
/// search benchmark builds its index: what the index writer alone does on
/// this machine, without the databases, the files and the extraction.
async fn write_writer_baseline(out: &mut String, args: &Args) -> anyhow::Result<()> {
    eprintln!(
        "eiso-searchbench rebuild: the index writer alone on the same {} items",
        args.items
    );
    let corpus = corpus::generate(args.items, args.seed);
    let work = tempfile::Builder::new()
        .prefix("eiso-rebuildbench-writer")
        .tempdir()
        .context("cannot make a temporary directory")?;
    let load_before = report::load_average();
    let built = crate::eiso::build(&corpus, work.path()).await?;
    let load_after = report::load_average();
    let megabytes = corpus.text_bytes() as f64 / 1e6;
    let seconds = built.build.as_secs_f64();
    writeln!(out)?;
    writeln!(
        out,
        "Baseline, the index writer alone on the same {} items ({megabytes:.1} MB of title and body, \
         `Generation::apply` in batches of {}, then the commit): {seconds:.1} s = {:.2} MB/s, {:.0} items/s; \
         load average {load_before} → {load_after}.",
        corpus.docs.len(),
        crate::eiso::BATCH,
        megabytes / seconds,
        corpus.docs.len() as f64 / seconds,
    )?;
    built.generation.close().await;
    Ok(())
}

fn env_password(var: &str) -> anyhow::Result<String> {
    let password = std::env::var(var).with_context(|| format!("the environment variable {var} is not set"))?;
    ensure!(!password.is_empty(), "the environment variable {var} is empty");
    Ok(password)
}

/// The unit and its two users (kept if they exist), signed in.
async fn setup(
    control: &eiso_proto::tonic::transport::Channel,
    admin: &Session,
    args: &Args,
    password: &str,
) -> anyhow::Result<(Session, Session, String)> {
    let mut identity = admin.identity(control.clone());
    let (unit, _) = eiso_benchkit::unit(
        &mut identity,
        &args.unit_code,
        "Tổ đo hiệu năng xây lại chỉ mục",
        UnitKind::Office,
    )
    .await?;
    let suffix = args.unit_code.to_lowercase();
    let controller_name = format!("{suffix}.thuky");
    let reviewer_name = format!("{suffix}.lanhdao");
    for (username, role) in [
        (&controller_name, Role::DocumentController),
        (&reviewer_name, Role::Leader),
    ] {
        let created = identity
            .create_user(CreateUserRequest {
                user: Some(User {
                    username: username.clone(),
                    display_name: format!("Người đo hiệu năng {username}"),
                    role_bindings: vec![RoleBinding {
                        role: role as i32,
                        unit: unit.clone(),
                    }],
                    ..Default::default()
                }),
                password: password.to_string(),
                request_id: uuid::Uuid::new_v4().to_string(),
            })
            .await;
        match created {
            Ok(_) => {}
            Err(status) if status.code() == Code::AlreadyExists => {}
            Err(status) => return Err(call_error(&format!("cannot create user {username}"), &status)),
        }
    }
    let controller = Session::login(control, &controller_name, password).await?;
    let reviewer = Session::login(control, &reviewer_name, password).await?;
    Ok((controller, reviewer, unit))
}

async fn status(search: &mut Search) -> anyhow::Result<IndexStatus> {
    Ok(search
        .get_index_status(GetIndexStatusRequest {})
        .await
        .map_err(|status| call_error("GetIndexStatus", &status))?
        .into_inner())
}

/// Waits until no stream lags and the index holds `expected` items; how long it took.
async fn catch_up(search: &mut Search, expected: i64, timeout_secs: u64) -> anyhow::Result<(Duration, IndexStatus)> {
    let start = Instant::now();
    loop {
        let status = status(search).await?;
        if status.streams.iter().all(|s| s.lag == 0) && status.document_count >= expected {
            return Ok((start.elapsed(), status));
        }
        if start.elapsed().as_secs() > timeout_secs {
            let lag: i64 = status.streams.iter().map(|s| s.lag).sum();
            bail!(
                "the live index has not caught up in {timeout_secs}s: {} items of {expected}, {lag} events behind",
                status.document_count
            );
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

fn write_load(
    out: &mut String,
    args: &Args,
    loaded: &load::Loaded,
    caught_up: Duration,
    after: &IndexStatus,
    (load_before, load_after): (&str, &str),
) -> anyhow::Result<()> {
    let seconds = loaded.elapsed.as_secs_f64();
    writeln!(out)?;
    writeln!(
        out,
        "## The load ({} clients; {:.0}% published documents, the rest records)",
        args.concurrency,
        args.document_share * 100.0
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "| items | published documents | records | MB of text sent | write calls | seconds | items/s | MB/s | calls/s | live index caught up after | load average before → after |"
    )?;
    writeln!(out, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")?;
    writeln!(
        out,
        "| {} | {} | {} | {:.1} | {} | {seconds:.1} | {:.0} | {:.2} | {:.0} | {:.1} s | {load_before} → {load_after} |",
        loaded.items(),
        loaded.documents,
        loaded.records,
        loaded.text_bytes as f64 / 1e6,
        loaded.calls,
        loaded.items() as f64 / seconds,
        loaded.text_bytes as f64 / 1e6 / seconds,
        loaded.calls as f64 / seconds,
        caught_up.as_secs_f64(),
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "The live index then held {} items, {:.1} MB on disk.",
        after.document_count,
        after.index_bytes as f64 / 1e6
    )?;
    Ok(())
}

/// One rebuild, measured.
struct Measured {
    progress: RebuildProgress,
    client: Duration,
    cpu: Option<CpuTimes>,
    peak_rss_kib: Option<u64>,
    rss_before_kib: Option<u64>,
    load_before: String,
    load_after: String,
}

impl Measured {
    fn row(&self, round: u32) -> String {
        let p = &self.progress;
        let server = seconds_between(p.start_time.as_ref(), p.end_time.as_ref());
        let client = self.client.as_secs_f64();
        let mb = p.bytes as f64 / 1e6;
        let cpu = self.cpu.map_or("–".to_string(), |c| {
            format!("{:.1} ({:.1} + {:.1})", c.own + c.children, c.own, c.children)
        });
        let busy = self
            .cpu
            .map_or("–".to_string(), |c| format!("{:.2}", (c.own + c.children) / client));
        let mib = |kib: Option<u64>| kib.map_or("–".to_string(), |kib| format!("{:.0} MiB", kib as f64 / 1024.0));
        let peak = format!("{} ({})", mib(self.peak_rss_kib), mib(self.rss_before_kib));
        format!(
            "| {round} | {} | {mb:.1} | {server:.1} / {client:.1} | {:.2} / {:.2} | {:.0} | {} | {cpu} | {busy} | {peak} | {} → {} |",
            p.documents,
            p.megabytes_per_second,
            mb / client,
            p.documents_per_second,
            p.events,
            self.load_before,
            self.load_after,
        )
    }
}

fn seconds_between(start: Option<&Timestamp>, end: Option<&Timestamp>) -> f64 {
    let seconds = |t: &Timestamp| t.seconds as f64 + f64::from(t.nanos) / 1e9;
    match (start, end) {
        (Some(start), Some(end)) => seconds(end) - seconds(start),
        _ => f64::NAN,
    }
}

/// `perf record -g -F 499` of the server (and the children it starts), stopped (SIGINT, so that it writes its file) when dropped.
struct Perf {
    child: std::process::Child,
}

impl Perf {
    fn start(pid: u32, file: &std::path::Path) -> anyhow::Result<Self> {
        let child = std::process::Command::new("perf")
            .args(["record", "-g", "-F", "499", "--quiet", "-p", &pid.to_string(), "-o"])
            .arg(file)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .spawn()
            .context("cannot start perf record (is perf installed?)")?;
        Ok(Perf { child })
    }

    fn stop(mut self) -> anyhow::Result<()> {
        let pid = self.child.id().to_string();
        let _ = std::process::Command::new("kill").args(["-INT", &pid]).status();
        let status = self.child.wait().context("cannot wait for perf")?;
        // perf exits with the signal's status when it stops on SIGINT.
        ensure!(
            status.success() || status.code().is_none() || status.code() == Some(130),
            "perf record failed: {status}"
        );
        Ok(())
    }
}

impl Drop for Perf {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = std::process::Command::new("kill")
                .args(["-INT", &self.child.id().to_string()])
                .status();
            let _ = self.child.wait();
        }
    }
}

async fn rebuild(
    search: &mut Search,
    process: Option<&ServerProcess>,
    perf_data: Option<&std::path::Path>,
    timeout_secs: u64,
) -> anyhow::Result<Measured> {
    if let Some(process) = process
        && let Err(error) = process.reset_peak()
    {
        eprintln!("eiso-searchbench rebuild: {error:#}; the peak RSS is the process's since its start");
    }
    let perf = match (perf_data, process) {
        (Some(file), Some(process)) => {
            let perf = Perf::start(process.pid(), file)?;
            // perf needs a moment to attach to every thread.
            tokio::time::sleep(Duration::from_secs(2)).await;
            Some(perf)
        }
        _ => None,
    };
    let load_before = report::load_average();
    let rss_before_kib = process.map(ServerProcess::rss_kib).transpose()?;
    let cpu_before = process.map(ServerProcess::cpu).transpose()?;
    let began = Instant::now();
    let started = search
        .rebuild_index(RebuildIndexRequest {})
        .await
        .map_err(|status| call_error("RebuildIndex", &status))?
        .into_inner()
        .rebuild
        .context("RebuildIndex answered without the rebuild's progress")?;
    let start_time = started.start_time;
    ensure!(
        started.state == rebuild_progress::State::Running as i32
            || started.state == rebuild_progress::State::Done as i32,
        "RebuildIndex answered with the rebuild in state {:?}: {}",
        started.state(),
        started.error
    );
    let mut last_report = Instant::now();
    let progress = loop {
        let rebuild = status(search)
            .await?
            .rebuild
            .context("GetIndexStatus answered without the rebuild's progress")?;
        ensure!(
            rebuild.start_time == start_time,
            "another rebuild (started {:?}) replaced ours (started {:?})",
            rebuild.start_time,
            start_time
        );
        match rebuild.state() {
            rebuild_progress::State::Done => break rebuild,
            rebuild_progress::State::Failed => bail!("the rebuild failed: {}", rebuild.error),
            rebuild_progress::State::Unspecified => bail!("the server reports no rebuild after RebuildIndex"),
            rebuild_progress::State::Running => {}
        }
        if began.elapsed().as_secs() > timeout_secs {
            bail!(
                "the rebuild is still running after {timeout_secs}s: {} items, {} events remaining",
                rebuild.documents,
                rebuild.events_remaining
            );
        }
        if last_report.elapsed() >= Duration::from_secs(10) {
            last_report = Instant::now();
            eprintln!(
                "eiso-searchbench rebuild: {:.0}s, {} items, {:.1} MB, {} events read, {} remaining",
                began.elapsed().as_secs_f64(),
                rebuild.documents,
                rebuild.bytes as f64 / 1e6,
                rebuild.events,
                rebuild.events_remaining
            );
        }
        tokio::time::sleep(POLL).await;
    };
    let client = began.elapsed();
    let cpu = match (process, cpu_before) {
        (Some(process), Some(before)) => Some(process.cpu()? - before),
        _ => None,
    };
    let load_after = report::load_average();
    let peak_rss_kib = process.map(ServerProcess::peak_rss_kib).transpose()?;
    if let Some(perf) = perf {
        perf.stop()?;
    }
    Ok(Measured {
        progress,
        client,
        cpu,
        peak_rss_kib,
        rss_before_kib,
        load_before,
        load_after,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_between_timestamps() {
        let t = |seconds, nanos| Timestamp { seconds, nanos };
        let s = seconds_between(Some(&t(10, 500_000_000)), Some(&t(12, 0)));
        assert!((s - 1.5).abs() < 1e-9);
        assert!(seconds_between(None, Some(&t(1, 0))).is_nan());
    }
}
