//! eiso-readbench: how many GetDossier and GetDocument calls a running eiso
//! server answers per second, beside a bare tonic service in a process of
//! its own (this binary, `echo-server`) that answers each call at once with
//! as many bytes as the dossier takes: the same machine, transport,
//! connection count and message sizes, so the ratio is what eiso's own work
//! costs (the gateway's token check and policy, the read, the encoding).
//!
//! Needs dossiers (`eiso-dossierbench --setup receive`) and, for GetDocument,
//! documents (`eiso-docbench --setup ...`) on the server; reads them as the
//! administrator.

use std::process::{ExitCode, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use clap::{Parser, Subcommand};
use eiso_benchkit::percentile::Percentiles;
use eiso_benchkit::report::{self, OutputFormat};
use eiso_benchkit::servers::Servers;
use eiso_benchkit::{Bearer, Session, call_error};
use eiso_proto::eiso::documents::v1::document_service_client::DocumentServiceClient;
use eiso_proto::eiso::documents::v1::{GetDocumentRequest, ListDocumentsRequest};
use eiso_proto::eiso::procedures::v1::dossier_service_client::DossierServiceClient;
use eiso_proto::eiso::procedures::v1::{GetDossierRequest, ListDossiersRequest};
use prost::Message as _;
use serde_json::{Value, json};
use tokio::io::AsyncBufReadExt;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Channel, Server};
use tonic::{Request, Response, Status};

mod echo {
    tonic::include_proto!("readbench.v1");
}

use echo::echo_service_client::EchoServiceClient;
use echo::echo_service_server::{EchoService, EchoServiceServer};
use echo::{EchoRequest, EchoResponse};

/// eiso-readbench: GetDossier and GetDocument per second against a bare
/// tonic service on the same machine and connections.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Measures the echo baseline, then GetDossier and GetDocument.
    Run(RunArgs),
    /// The baseline service: prints `listening ADDR`, serves until killed.
    #[command(hide = true)]
    EchoServer {
        #[arg(long, default_value = "127.0.0.1:0")]
        listen: std::net::SocketAddr,
    },
}

#[derive(Debug, clap::Args)]
struct RunArgs {
    /// The server, http://HOST:PORT.
    #[arg(long, value_name = "URL", default_value = "http://127.0.0.1:50051")]
    server: String,
    /// Connections, each with one call in flight at a time.
    #[arg(long, default_value_t = 32, value_parser = clap::value_parser!(u32).range(1..=1024))]
    connections: u32,
    /// How long each target is measured.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
    seconds: u64,
    /// Calls before the clock starts, for each target (connections warm, caches filled).
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u64).range(0..=600))]
    warmup_seconds: u64,
    /// The administrator who reads.
    #[arg(long, value_name = "NAME", default_value = "admin")]
    admin_username: String,
    /// The environment variable holding the administrator's password.
    #[arg(long, value_name = "VAR", default_value = "EISO_ADMIN_PASSWORD")]
    admin_password_env: String,
    /// Report format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    output: OutputFormat,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match args.command {
        Command::EchoServer { listen } => eiso_benchkit::main("eiso-readbench echo-server", || echo_server(listen)),
        Command::Run(args) => eiso_benchkit::main("eiso-readbench", || run(args)),
    }
}

struct Echo;

#[tonic::async_trait]
impl EchoService for Echo {
    async fn echo(&self, request: Request<EchoRequest>) -> Result<Response<EchoResponse>, Status> {
        let size = request.into_inner().response_bytes as usize;
        Ok(Response::new(EchoResponse {
            payload: vec![b'x'; size.min(16 << 20)],
        }))
    }
}

async fn echo_server(listen: std::net::SocketAddr) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(listen).await?;
    println!("listening {}", listener.local_addr()?);
    // As eiso-server serves: TCP_NODELAY on every connection.
    let incoming = tonic::transport::server::TcpIncoming::from(listener).with_nodelay(Some(true));
    Server::builder()
        .add_service(EchoServiceServer::new(Echo))
        .serve_with_incoming(incoming)
        .await?;
    Ok(())
}

/// The baseline, in a process of its own; killed when dropped.
struct EchoProcess {
    /// Held so that dropping the process kills it (`kill_on_drop`).
    _child: tokio::process::Child,
    url: String,
}

impl EchoProcess {
    async fn start() -> anyhow::Result<Self> {
        let program = std::env::current_exe().context("cannot find this binary")?;
        let mut child = tokio::process::Command::new(program)
            .arg("echo-server")
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .context("cannot start the echo server")?;
        let stdout = child.stdout.take().context("the echo server has no stdout")?;
        let mut lines = tokio::io::BufReader::new(stdout).lines();
        let line = tokio::time::timeout(Duration::from_secs(10), lines.next_line())
            .await
            .context("the echo server did not start")??
            .context("the echo server exited")?;
        let Some(addr) = line.strip_prefix("listening ") else {
            bail!("the echo server said `{line}`");
        };
        Ok(Self {
            _child: child,
            url: format!("http://{addr}"),
        })
    }
}

/// One target's figures.
struct Measured {
    name: &'static str,
    calls: usize,
    seconds: f64,
    latencies: Percentiles,
}

impl Measured {
    fn per_second(&self) -> f64 {
        self.calls as f64 / self.seconds
    }
}

/// `connections` connections to `url`, each opened before the clock starts.
async fn connections(url: &str, count: u32) -> anyhow::Result<Vec<Channel>> {
    Servers::new(url, &[], Duration::from_secs(5), Duration::from_secs(30))?
        .clients(count)
        .await
}

/// A call on a connection: the `i`-th of its loop.
type Call = Arc<dyn Fn(Channel, usize) -> futures::future::BoxFuture<'static, Result<(), Status>> + Send + Sync>;

/// Each connection calls in a loop, one call in flight: `warmup`, then
/// `seconds` counted.
async fn measure(
    name: &'static str,
    channels: Vec<Channel>,
    call: Call,
    warmup: Duration,
    seconds: Duration,
) -> anyhow::Result<Measured> {
    let started = Instant::now();
    let counted_from = started + warmup;
    let until = counted_from + seconds;
    let workers = channels.into_iter().enumerate().map(|(c, channel)| {
        let call = call.clone();
        tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut i = c * 7919;
            loop {
                let at = Instant::now();
                if at >= until {
                    break;
                }
                call(channel.clone(), i).await?;
                if at >= counted_from {
                    latencies.push(at.elapsed());
                }
                i += 1;
            }
            Ok::<_, Status>(latencies)
        })
    });
    let mut all = Vec::new();
    for worker in futures::future::join_all(workers).await {
        let latencies = worker
            .context("a client task failed")?
            .map_err(|status| call_error(name, &status))?;
        all.extend(latencies);
    }
    let latencies = Percentiles::of(&all).with_context(|| format!("{name}: no call was counted"))?;
    Ok(Measured {
        name,
        calls: all.len(),
        seconds: seconds.as_secs_f64(),
        latencies,
    })
}

type Dossiers = DossierServiceClient<InterceptedService<Channel, Bearer>>;
type Documents = DocumentServiceClient<InterceptedService<Channel, Bearer>>;

async fn run(args: RunArgs) -> anyhow::Result<()> {
    let password = std::env::var(&args.admin_password_env)
        .with_context(|| format!("set {} to the administrator's password", args.admin_password_env))?;
    let control = connections(&args.server, 1).await?.remove(0);
    let session = Session::login(&control, &args.admin_username, &password).await?;
    let bearer = session.bearer();

    let mut dossiers = DossierServiceClient::with_interceptor(control.clone(), bearer.clone());
    let dossier_names: Vec<String> = dossiers
        .list_dossiers(ListDossiersRequest {
            page_size: 500,
            ..Default::default()
        })
        .await
        .map_err(|status| call_error("cannot list dossiers", &status))?
        .into_inner()
        .dossiers
        .into_iter()
        .map(|d| d.name)
        .collect();
    if dossier_names.is_empty() {
        bail!("the server holds no dossiers: run `eiso-dossierbench --setup receive` first");
    }
    let mut documents = DocumentServiceClient::with_interceptor(control.clone(), bearer.clone());
    let document_names: Vec<String> = documents
        .list_documents(ListDocumentsRequest {
            page_size: 500,
            ..Default::default()
        })
        .await
        .map_err(|status| call_error("cannot list documents", &status))?
        .into_inner()
        .documents
        .into_iter()
        .map(|d| d.name)
        .collect();

    // The baseline's message sizes: a GetDossier request and its answer.
    let request = GetDossierRequest {
        name: dossier_names[0].clone(),
    };
    let answer = dossiers
        .get_dossier(request.clone())
        .await
        .map_err(|status| call_error("cannot read a dossier", &status))?
        .into_inner();
    let (request_bytes, response_bytes) = (request.encoded_len(), answer.encoded_len());

    let warmup = Duration::from_secs(args.warmup_seconds);
    let seconds = Duration::from_secs(args.seconds);
    let mut measured = Vec::new();

    let echo = EchoProcess::start().await?;
    let padding = vec![b'n'; request_bytes];
    let call: Call = Arc::new(move |channel, _| {
        let request = EchoRequest {
            padding: padding.clone(),
            response_bytes: response_bytes as u32,
        };
        Box::pin(async move { EchoServiceClient::new(channel).echo(request).await.map(|_| ()) })
    });
    let channels = connections(&echo.url, args.connections).await?;
    measured.push(measure("echo (bare tonic)", channels, call, warmup, seconds).await?);
    drop(echo);

    let names = Arc::new(dossier_names);
    let (for_dossiers, dossier_bearer) = (names.clone(), bearer.clone());
    let call: Call = Arc::new(move |channel, i| {
        let name = for_dossiers[i % for_dossiers.len()].clone();
        let mut client: Dossiers = DossierServiceClient::with_interceptor(channel, dossier_bearer.clone());
        Box::pin(async move { client.get_dossier(GetDossierRequest { name }).await.map(|_| ()) })
    });
    let channels = connections(&args.server, args.connections).await?;
    measured.push(measure("GetDossier", channels, call, warmup, seconds).await?);

    if document_names.is_empty() {
        eprintln!("eiso-readbench: no documents on the server: GetDocument not measured (run eiso-docbench first)");
    } else {
        let names = Arc::new(document_names);
        let call: Call = Arc::new(move |channel, i| {
            let name = names[i % names.len()].clone();
            let mut client: Documents = DocumentServiceClient::with_interceptor(channel, bearer.clone());
            Box::pin(async move {
                client
                    .get_document(GetDocumentRequest { name, as_of_time: None })
                    .await
                    .map(|_| ())
            })
        });
        let channels = connections(&args.server, args.connections).await?;
        measured.push(measure("GetDocument", channels, call, warmup, seconds).await?);
    }

    let baseline = measured[0].per_second();
    report::print(
        args.output,
        || {
            let mut text = format!(
                "{} connections, {} s each after {} s warm-up; echo answers {response_bytes} bytes to {request_bytes}\n",
                args.connections, args.seconds, args.warmup_seconds
            );
            text.push_str("target                 calls/s    p50 ms   p99 ms   of echo\n");
            for m in &measured {
                text.push_str(&format!(
                    "{:<20} {:>9.0} {:>9.2} {:>8.2} {:>8.1}%\n",
                    m.name,
                    m.per_second(),
                    m.latencies.ms(0.5),
                    m.latencies.ms(0.99),
                    100.0 * m.per_second() / baseline
                ));
            }
            text
        },
        || {
            json!({
                "connections": args.connections,
                "seconds": args.seconds,
                "request_bytes": request_bytes,
                "response_bytes": response_bytes,
                "targets": measured.iter().map(|m| json!({
                    "name": m.name,
                    "calls": m.calls,
                    "per_second": m.per_second(),
                    "p50_ms": m.latencies.ms(0.5),
                    "p99_ms": m.latencies.ms(0.99),
                    "of_echo": m.per_second() / baseline,
                })).collect::<Vec<Value>>(),
            })
        },
    )
}
