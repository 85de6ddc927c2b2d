//! `eiso-dossierbench`: set up an agency, its counter and a published
//! procedure through the API (`--setup`); measure dossiers received per second
//! (`receive`); fill the procedures database with a year of dossiers
//! (`seed`); time `GetServiceStatistics` over them (`stats`); measure
//! hand-overs per second (`transitions`) and the database's own commit rate
//! (`raw-commits`); print the report.

mod cli;
mod pages;
mod people;
mod raw;
mod receive;
mod report;
mod seed;
mod session;
mod setup;
mod spread;
mod stats;
mod transitions;
mod workcal;

use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context as _, bail};
use clap::Parser as _;
use eiso_benchkit::servers::Servers;
use eiso_proto::tonic::transport::Channel;
use serde_json::{Map, Value, json};

use crate::cli::{Args, Command, Synchronous};
use crate::session::Session;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

fn main() -> ExitCode {
    let args = Args::parse();
    eiso_benchkit::main("eiso-dossierbench", || run(args))
}

fn env_password(var: &str) -> anyhow::Result<String> {
    let password = std::env::var(var).with_context(|| format!("the environment variable {var} is not set"))?;
    if password.is_empty() {
        bail!("the environment variable {var} is empty");
    }
    Ok(password)
}

fn random_seed() -> u64 {
    uuid::Uuid::new_v4().as_u64_pair().0
}

async fn run(args: Args) -> anyhow::Result<()> {
    if args.command.is_none() && !args.setup {
        bail!(
            "nothing to do: give --setup and/or a command (setup, receive, transitions, seed, stats, pages, raw-commits); see --help"
        );
    }
    let mut report = Map::new();
    let mut text = String::new();
    report.insert("server".into(), json!(args.server));
    if !args.replicas.is_empty() {
        report.insert("replicas".into(), json!(args.replicas));
    }

    if args.setup || matches!(args.command, Some(Command::Setup)) {
        let control = Servers::new(&args.server, &[], CONNECT_TIMEOUT, args.timeout())?
            .control()
            .await?;
        let admin = Session::login(&control, &args.admin_username, &env_password(&args.admin_password_env)?).await?;
        let password = env_password(&args.password_env)?;
        let done = setup::run(
            &control,
            &admin,
            &setup::Plan {
                agencies: usize::from(args.agency_count),
                counter_username: &args.counter_username,
                controller_username: &args.controller_username,
                leader_username: &args.leader_username,
                password: &password,
                procedure: &args.procedure,
            },
        )
        .await?;
        text += &format!(
            "setup: agencies {}; {} published; created: {}\n",
            done.agencies.join(", "),
            done.procedure_version,
            if done.created.is_empty() {
                "nothing (all there)".to_string()
            } else {
                done.created.join(", ")
            }
        );
        report.insert(
            "setup".into(),
            json!({
                "agencies": done.agencies,
                "procedure_version": done.procedure_version,
                "created": done.created,
            }),
        );
    }

    match &args.command {
        None | Some(Command::Setup) => {}
        Some(Command::Receive(receive_args)) => {
            let servers = Servers::new(&args.server, &args.replicas, CONNECT_TIMEOUT, args.timeout())?;
            let control = servers.control().await?;
            let counter = Session::login(&control, &args.counter_username, &env_password(&args.password_env)?).await?;
            let agencies = setup::counter_agencies(&control, &counter, &args.counter_username).await?;
            // One connection per client, all open before any clock starts.
            let channels: Vec<Channel> = servers.clients(receive_args.calls.clients).await?;
            let seed = receive_args.calls.seed.unwrap_or_else(random_seed);
            eprintln!(
                "eiso-dossierbench: receiving {} dossiers (+{} warm-up) with {} clients (seed {seed}) …",
                receive_args.calls.count, receive_args.calls.warmup, receive_args.calls.clients
            );
            let run = receive::run(receive::Plan {
                channels: &channels,
                counter: &counter,
                agencies: &agencies,
                procedure: &args.procedure,
                count: receive_args.calls.count as usize,
                warmup: receive_args.calls.warmup as usize,
                seed,
            })
            .await?;
            if let Some(path) = &receive_args.names_out {
                let mut names = run.names.join("\n");
                names.push('\n');
                std::fs::write(path, names).with_context(|| format!("cannot write {}", path.display()))?;
            }
            text += &run.to_text();
            report.insert("receive".into(), run.to_json());
        }
        Some(Command::Transitions(transitions_args)) => {
            let servers = Servers::new(&args.server, &args.replicas, CONNECT_TIMEOUT, args.timeout())?;
            let control = servers.control().await?;
            let password = env_password(&args.password_env)?;
            let counter = Session::login(&control, &args.counter_username, &password).await?;
            let leader = Session::login(&control, &args.leader_username, &password).await?;
            let channels: Vec<Channel> = servers.clients(transitions_args.calls.clients).await?;
            let count = transitions_args.calls.count as usize;
            let warmup = transitions_args.calls.warmup as usize;
            let (names, received) = match &transitions_args.dossiers {
                Some(path) => {
                    let names =
                        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
                    let names: Vec<String> = names.lines().filter(|l| !l.is_empty()).map(str::to_string).collect();
                    if names.len() <= warmup {
                        bail!(
                            "{} names {} dossiers, no more than the warm-up ({warmup})",
                            path.display(),
                            names.len()
                        );
                    }
                    (names, None)
                }
                None => {
                    let agencies = setup::counter_agencies(&control, &counter, &args.counter_username).await?;
                    let seed = transitions_args.calls.seed.unwrap_or_else(random_seed);
                    eprintln!(
                        "eiso-dossierbench: receiving {} dossiers to hand over with {} clients (seed {seed}) …",
                        count + warmup,
                        transitions_args.calls.clients
                    );
                    let received = receive::run(receive::Plan {
                        channels: &channels,
                        counter: &counter,
                        agencies: &agencies,
                        procedure: &args.procedure,
                        count,
                        warmup,
                        seed,
                    })
                    .await?;
                    (received.names.clone(), Some(received))
                }
            };
            let names = &names[..names.len().min(count + warmup)];
            eprintln!(
                "eiso-dossierbench: handing over {} dossiers (+{warmup} warm-up) with {} clients …",
                names.len() - warmup.min(names.len()),
                transitions_args.calls.clients
            );
            let run = transitions::run(transitions::Plan {
                channels: &channels,
                counter: &counter,
                receiver: &leader.principal,
                dossiers: names,
                warmup,
            })
            .await?;
            text += &run.to_text();
            let mut json = run.to_json();
            if let Some(received) = received {
                text += &format!(
                    "  (the dossiers handed over were received first: {:.1} dossiers/s)\n",
                    received.calls.rate.per_second()
                );
                if let Value::Object(fields) = &mut json {
                    fields.insert("receipts_before".into(), received.to_json());
                }
            }
            report.insert("transitions".into(), json);
        }
        Some(Command::RawCommits(raw_args)) => {
            eprintln!(
                "eiso-dossierbench: raw commits{} with {} tasks for {} s (+{} s warm-up) …",
                if raw_args.hot_row { " on a hot row" } else { "" },
                raw_args.clients,
                raw_args.seconds,
                raw_args.warmup_seconds
            );
            let seconds = |s: f64, flag: &str| {
                Duration::try_from_secs_f64(s).with_context(|| format!("{flag} must be a duration in seconds, got {s}"))
            };
            let run = raw::run(raw::Plan {
                database_url: &raw_args.database_url,
                schema: &raw_args.schema,
                clients: raw_args.clients as usize,
                warmup: seconds(raw_args.warmup_seconds, "--warmup-seconds")?,
                duration: seconds(raw_args.seconds, "--seconds")?,
                synchronous: match raw_args.synchronous {
                    Synchronous::Full => eiso_platform::config::SqliteSynchronous::Full,
                    Synchronous::Normal => eiso_platform::config::SqliteSynchronous::Normal,
                },
                payload_bytes: raw_args.payload_bytes as usize,
                hot_row: raw_args.hot_row,
                keep: raw_args.keep,
            })
            .await?;
            text += &run.to_text();
            report.insert("raw_commits".into(), run.to_json());
        }
        Some(Command::Seed(seed_args)) => {
            let seed = seed_args.seed.unwrap_or_else(random_seed);
            eprintln!(
                "eiso-dossierbench: seeding up to {} dossiers (seed {seed}) …",
                seed_args.total
            );
            let run = seed::run(seed::Plan {
                database_url: &seed_args.database_url,
                schema: &seed_args.schema,
                total: seed_args.total,
                year: seed_args.year,
                batch: seed_args.batch,
                batches_per_transaction: seed_args.batches_per_transaction,
                agencies: &seed_args.agencies,
                procedure: &args.procedure,
                analyze: seed_args.analyze,
                seed,
            })
            .await?;
            text += &run.to_text();
            report.insert("seed".into(), run.to_json());
        }
        Some(Command::Stats(stats_args)) => {
            let servers = Servers::new(&args.server, &args.replicas, CONNECT_TIMEOUT, args.timeout())?;
            let control = servers.control().await?;
            let counter = Session::login(&control, &args.counter_username, &env_password(&args.password_env)?).await?;
            let one = match &stats_args.agency {
                Some(agency) => agency.clone(),
                None => setup::counter_agencies(&control, &counter, &args.counter_username)
                    .await?
                    .remove(0),
            };
            eprintln!(
                "eiso-dossierbench: GetServiceStatistics for {} × {} …",
                stats_args.year, stats_args.repeat
            );
            let database = match &stats_args.database_url {
                Some(url) => Some(seed::connect(url, &stats_args.schema).await?.0),
                None => None,
            };
            let queries = stats::run(
                &control,
                &counter,
                &[one, String::new()],
                &stats_args.procedure,
                stats_args.year,
                stats_args.repeat,
                database.as_ref(),
            )
            .await?;
            if let Some(wrong) = queries.iter().find(|q| q.scan.as_ref().is_some_and(|s| !s.equal)) {
                bail!(
                    "GetServiceStatistics ({}, {}) differs from a scan of the dossiers",
                    wrong.agency,
                    wrong.procedure
                );
            }
            for query in &queries {
                text += &query.to_text();
            }
            report.insert(
                "stats".into(),
                json!({
                    "year": stats_args.year,
                    "repeat": stats_args.repeat,
                    "queries": queries.iter().map(stats::Query::to_json).collect::<Vec<_>>(),
                }),
            );
        }
        Some(Command::Pages(pages_args)) => {
            let password = env_password(&args.password_env)?;
            eprintln!(
                "eiso-dossierbench: the web app's pages for {} × {} …",
                pages_args.year, pages_args.repeat
            );
            let (pages, assets) = pages::run(&pages::Plan {
                server: &args.server,
                counter: (&args.counter_username, &password),
                leader: (&args.leader_username, &password),
                year: pages_args.year,
                procedure: &args.procedure,
                repeat: pages_args.repeat,
            })
            .await?;
            for page in &pages {
                text += &page.to_text();
            }
            text += &format!("the app's own CSS and JavaScript: {assets} bytes\n");
            report.insert(
                "pages".into(),
                json!({
                    "year": pages_args.year,
                    "repeat": pages_args.repeat,
                    "pages": pages.iter().map(pages::Page::to_json).collect::<Vec<_>>(),
                    "assets_bytes": assets,
                }),
            );
        }
    }

    eiso_benchkit::report::print(args.output, || text, || Value::Object(report))
}
