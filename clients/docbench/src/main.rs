//! `eiso-docbench`: sign in as a document controller and a reviewer (after
//! creating them with `--setup`), measure draft creation and publish cycles
//! per second over several connections, then the upload and download rate of
//! one large file, and print the report.

mod calls;
mod cli;
mod content;
mod files;
mod pages;
mod report;
mod revisions;
mod session;
mod setup;

use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context as _, bail};
use clap::Parser as _;
use eiso_benchkit::servers::Servers;
use eiso_proto::eiso::identity::v1::Role;
use eiso_proto::tonic::transport::Channel;

use crate::cli::{Args, Part, UploadVia};
use crate::report::Report;
use crate::revisions::Bench;
use crate::session::Session;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

fn main() -> ExitCode {
    let args = Args::parse();
    eiso_benchkit::main("eiso-docbench", || run(args))
}

async fn run(args: Args) -> anyhow::Result<()> {
    let password = controller_password(&args)?;
    let reviewer_password = env_password(&args.reviewer_password_env)?;
    let servers = Servers::new(&args.server, &args.replicas, CONNECT_TIMEOUT, args.timeout())?;
    let control = servers.control().await?;

    if args.setup {
        let Some(var) = &args.admin_password_env else {
            bail!("--setup needs the administrator's password: --admin-password-env VAR");
        };
        let admin = Session::login(&control, &args.admin_username, &env_password(var)?).await?;
        let users = [
            setup::NewUser {
                username: &args.username,
                password: &password,
                role: Role::DocumentController,
            },
            setup::NewUser {
                username: &args.reviewer_username,
                password: &reviewer_password,
                role: Role::Leader,
            },
        ];
        let unit = setup::run(&control, &admin, &args.unit_code, &users).await?;
        eprintln!("eiso-docbench: set up {unit} ({})", args.unit_code);
    }
    let controller = Session::login(&control, &args.username, &password).await?;
    // Every sign-in costs the server an argon2 verification (19 MiB): none
    // that the parts run do not need.
    let reviewer = if args.runs(Part::Revisions) {
        Some(Session::login(&control, &args.reviewer_username, &reviewer_password).await?)
    } else {
        None
    };
    let unit = setup::controller_unit(&control, &controller, &args.username).await?;

    // One connection per client, all open before any clock starts.
    let channels: Vec<Channel> = servers.clients(args.concurrency).await?;
    let random = uuid::Uuid::new_v4().as_u64_pair();
    let run = format!("{:06X}", random.0 & 0xff_ffff);
    let bench = Bench {
        channels,
        controller,
        reviewer,
        unit,
        run: run.clone(),
    };
    let mut report = Report {
        server: args.server.clone(),
        run,
        concurrency: bench.channels.len(),
        drafts: None,
        cycles: None,
        file: None,
        pages: None,
    };

    if args.runs(Part::Revisions) {
        eprintln!("eiso-docbench: {} documents with a draft …", args.revisions);
        report.drafts = Some(revisions::drafts(&bench, args.revisions).await?);
        eprintln!("eiso-docbench: {} publish cycles …", args.cycles);
        report.cycles = Some(revisions::publish_cycles(&bench, args.cycles).await?);
    }
    if args.runs(Part::Files) {
        let size = u64::from(args.file_mib) << 20;
        let seed = args.seed.unwrap_or(random.1);
        eprintln!(
            "eiso-docbench: a {} MiB file up and down (seed {seed}) …",
            args.file_mib
        );
        let chunk = args.chunk_kib as usize * 1024;
        let web = match args.upload_via {
            UploadVia::Grpc => None,
            UploadVia::Web => Some(files::WebUpload {
                addr: args.server.trim_start_matches("http://").parse().with_context(|| {
                    format!(
                        "`{}` is not http://IP:PORT (the web upload needs an address)",
                        args.server
                    )
                })?,
                username: args.username.clone(),
                password: password.clone(),
            }),
        };
        report.file = Some(files::transfer(&bench, control.clone(), size, chunk, seed, web).await?);
    }

    if args.runs(Part::Pages) {
        let admin = match &args.admin_password_env {
            Some(var) => {
                let admin_password = env_password(var)?;
                let session = Session::login(&control, &args.admin_username, &admin_password).await?;
                Some((admin_password, session))
            }
            None => None,
        };
        eprintln!("eiso-docbench: the pages, {} calls each …", args.pages_repeat);
        report.pages = Some(
            pages::run(pages::Plan {
                addr: pages::addr(&args.server)?,
                controller: (&args.username, &password),
                admin: admin
                    .as_ref()
                    .map(|(password, session)| (args.admin_username.as_str(), password.as_str(), session)),
                channel: control.clone(),
                expect_items: args.expect_items,
                session: &bench.controller,
                repeat: args.pages_repeat,
            })
            .await?,
        );
    }

    eiso_benchkit::report::print(args.output, || report.to_text(), || report.to_json())
}

fn controller_password(args: &Args) -> anyhow::Result<String> {
    if let Some(var) = &args.password_env {
        return env_password(var);
    }
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .context("cannot read the password from standard input")?;
    let password = line.trim_end_matches(['\r', '\n']).to_string();
    if password.is_empty() {
        bail!("the password on standard input is empty");
    }
    Ok(password)
}

fn env_password(var: &str) -> anyhow::Result<String> {
    let password = std::env::var(var).with_context(|| format!("the environment variable {var} is not set"))?;
    if password.is_empty() {
        bail!("the environment variable {var} is empty");
    }
    Ok(password)
}
