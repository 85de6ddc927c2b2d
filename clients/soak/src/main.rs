//! `eiso-soak`: sign in, open one connection per client, let every client call
//! the identity service until the time is up, then report throughput,
//! latencies and errors (and, with `--verify`, the audit trail's integrity).

mod auth;
mod cli;
mod report;
mod workload;

use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use clap::Parser as _;
use eiso_benchkit::splitmix::SplitMix64;
use eiso_proto::eiso::audit::v1::VerifyAuditTrailRequest;
use eiso_proto::eiso::audit::v1::audit_service_client::AuditServiceClient;
use eiso_proto::tonic::transport::{Channel, Endpoint};
use eiso_proto::tonic::{Code, Status};

use crate::auth::Auth;
use crate::cli::Args;
use crate::report::{AuditCheck, LogScan, Report, Stats, mentions_locked};
use crate::workload::Plan;

/// The trail `--verify` checks: the one the identity calls write to.
const TRAIL: &str = "trails/identity";
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Deadline for sign-in and for verifying the trail, which reads every entry.
const CONTROL_TIMEOUT: Duration = Duration::from_secs(600);
const PROGRESS_EVERY: Duration = Duration::from_secs(10);

fn main() -> ExitCode {
    let args = Args::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("eiso-soak: cannot start the async runtime: {error}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(run(args)) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("eiso-soak: {error:#}");
            ExitCode::from(2)
        }
    }
}

/// Runs the soak and prints the report; `Ok(false)` when it found a problem.
async fn run(args: Args) -> anyhow::Result<bool> {
    let password = read_password(&args)?;
    if !args.server.starts_with("http://") {
        bail!("`{}` is not a server address: expected http://HOST:PORT", args.server);
    }
    let endpoint = Endpoint::from_shared(args.server.clone())
        .with_context(|| format!("`{}` is not a server address", args.server))?
        .connect_timeout(CONNECT_TIMEOUT)
        .tcp_nodelay(true);

    let control = endpoint
        .clone()
        .timeout(CONTROL_TIMEOUT)
        .connect()
        .await
        .with_context(|| format!("cannot connect to {}", args.server))?;
    let auth = Auth::login(control.clone(), args.username.clone(), password)
        .await
        .map_err(|status| status_error(&format!("cannot sign in as {}", args.username), &status))?;
    eprintln!(
        "eiso-soak: signed in as {}; opening {} connections",
        args.username, args.clients
    );

    // One connection per client, all open before the clock starts.
    let workers = endpoint.timeout(args.timeout);
    let channels: Vec<Channel> = futures::future::try_join_all((0..args.clients).map(|_| workers.connect()))
        .await
        .with_context(|| format!("cannot open {} connections to {}", args.clients, args.server))?;

    let seed = uuid::Uuid::new_v4().as_u128();
    let run_id = format!("{:08X}", (seed >> 96) as u32);
    let start = Instant::now();
    let plan = Arc::new(Plan {
        run_id: run_id.clone(),
        mix: args.mix.clone(),
        start,
        deadline: start + args.duration,
        auth: Arc::clone(&auth),
        done: AtomicU64::new(0),
        failed: AtomicU64::new(0),
    });
    eprintln!(
        "eiso-soak: run {run_id}: {} clients for {:.1} s, mix {}",
        args.clients,
        args.duration.as_secs_f64(),
        args.mix
    );

    let mut seeds = SplitMix64(seed as u64);
    let tasks: Vec<_> = channels
        .into_iter()
        .zip(0..)
        .map(|(channel, index)| {
            tokio::spawn(workload::run_client(
                index,
                channel,
                Arc::clone(&plan),
                seeds.next_u64(),
            ))
        })
        .collect();
    let progress = tokio::spawn(report_progress(Arc::clone(&plan)));
    let mut stats = Stats::default();
    for result in futures::future::join_all(tasks).await {
        stats.merge(result.context("a client task failed")?);
    }
    let elapsed = start.elapsed();
    progress.abort();

    let mut report = Report::new(
        args.server.clone(),
        run_id,
        args.clients,
        args.mix.to_string(),
        args.duration,
        elapsed,
        auth.relogins(),
        stats,
        |op| args.mix.contains(op),
    );
    if args.verify {
        report.audit = Some(verify(control, &auth).await);
    }
    if let Some(path) = &args.server_log {
        report.server_log = Some(scan_log(path));
    }

    eiso_benchkit::report::print(args.output, || report.to_text(), || report.to_json())?;
    Ok(!report.has_problems())
}

fn read_password(args: &Args) -> anyhow::Result<String> {
    let password = if let Some(var) = &args.password_env {
        std::env::var(var).with_context(|| format!("the environment variable {var} is not set"))?
    } else {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .context("cannot read the password from standard input")?;
        line.trim_end_matches(['\r', '\n']).to_string()
    };
    if password.is_empty() {
        bail!("the password is empty");
    }
    Ok(password)
}

/// Prints the number of calls so far to stderr every few seconds.
async fn report_progress(plan: Arc<Plan>) {
    let mut ticks = tokio::time::interval_at((plan.start + PROGRESS_EVERY).into(), PROGRESS_EVERY);
    loop {
        ticks.tick().await;
        eprintln!(
            "eiso-soak: [{:>5.0} s] {} calls, {} failed",
            plan.start.elapsed().as_secs_f64(),
            plan.done.load(Ordering::Relaxed),
            plan.failed.load(Ordering::Relaxed)
        );
    }
}

async fn verify(channel: Channel, auth: &Arc<Auth>) -> AuditCheck {
    let mut client = AuditServiceClient::with_interceptor(channel, auth.interceptor());
    let request = VerifyAuditTrailRequest {
        name: TRAIL.to_string(),
    };
    let generation = auth.generation();
    let mut result = client.verify_audit_trail(request.clone()).await;
    if let Err(status) = &result
        && status.code() == Code::Unauthenticated
    {
        result = match auth.refresh(generation).await {
            Ok(()) => client.verify_audit_trail(request).await,
            Err(status) => Err(status),
        };
    }
    match result {
        Ok(response) => {
            let response = response.into_inner();
            AuditCheck::Checked {
                trail: TRAIL.to_string(),
                intact: response.intact,
                entries_checked: response.entries_checked,
                first_broken_sequence: response.first_broken_sequence,
                detail: response.detail,
            }
        }
        Err(status) => AuditCheck::CallFailed {
            trail: TRAIL.to_string(),
            code: status.code(),
            message: status.message().to_string(),
        },
    }
}

/// Counts the server log's lines that report SQLite lock contention.
fn scan_log(path: &Path) -> LogScan {
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(error) => {
            return LogScan::Unreadable {
                path: path.to_path_buf(),
                error: error.to_string(),
            };
        }
    };
    let mut locked_lines = 0;
    let mut first = None;
    for line in BufReader::new(file).split(b'\n') {
        let line = match line {
            Ok(line) => String::from_utf8_lossy(&line).into_owned(),
            Err(error) => {
                return LogScan::Unreadable {
                    path: path.to_path_buf(),
                    error: error.to_string(),
                };
            }
        };
        if mentions_locked(&line) {
            locked_lines += 1;
            first.get_or_insert(line);
        }
    }
    LogScan::Scanned {
        path: path.to_path_buf(),
        locked_lines,
        first,
    }
}

fn status_error(what: &str, status: &Status) -> anyhow::Error {
    anyhow::anyhow!("{what}: {}: {}", report::code_name(status.code()), status.message())
}
