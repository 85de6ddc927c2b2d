//! `eiso-server`: parse flags, load configuration, set up telemetry, bind,
//! serve until SIGINT or SIGTERM.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use eiso_identity::AdminSetup;
use eiso_platform::config::Config;

/// eiso-server: the electronic ISO system's services, on one port.
///
/// With no configuration it keeps its data under ./data (SQLite) and listens
/// on 127.0.0.1:50051. Settings come from built-in defaults, then the TOML
/// file (--config or EISO_CONFIG), then EISO_* variables, then these flags.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// TOML configuration file (see deploy/eiso.example.toml).
    #[arg(long, value_name = "PATH", global = true)]
    config: Option<PathBuf>,
    /// Address to listen on [env: EISO_LISTEN_ADDR] [default: 127.0.0.1:50051].
    #[arg(long, value_name = "ADDR")]
    listen: Option<SocketAddr>,
    /// Data directory for SQLite files [env: EISO_DATA_DIR] [default: ./data].
    #[arg(long, value_name = "DIR", global = true)]
    data_dir: Option<PathBuf>,
    /// A postgres:// URL switches storage to PostgreSQL [env: EISO_DATABASE_URL].
    #[arg(long, value_name = "URL", global = true)]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Option<Mode>,
}

#[derive(Debug, clap::Subcommand)]
enum Mode {
    /// Internal: the text of one file (stdin) to stdout, under memory and CPU
    /// limits; the search indexer runs the server's own binary this way, so
    /// that a file that makes a parser run away costs only this process.
    #[command(hide = true)]
    Extract {
        #[arg(long)]
        format: String,
        /// Skip the checks made before parsing (tests of the limits).
        #[arg(long, hide = true)]
        unchecked: bool,
    },
    /// Writes the office (every service's tables and every stored file) to
    /// DIR, a new or empty directory, for `import`. Stop the server first.
    /// Reads the storage the configuration names, as the server would.
    Export {
        #[arg(long, value_name = "DIR")]
        to: PathBuf,
    },
    /// Puts an office exported to DIR into the storage the configuration
    /// names (SQLite files or PostgreSQL; the local file store or a bucket).
    /// Stop the servers first. The search index is rebuilt at the next start.
    Import {
        #[arg(long, value_name = "DIR")]
        from: PathBuf,
        /// Replace the office the target already holds (refused otherwise).
        #[arg(long)]
        replace: bool,
    },
}

fn main() -> ExitCode {
    return_large_buffers();
    let args = Args::parse();
    if let Some(Mode::Extract { format, unchecked }) = &args.command {
        return eiso_search::extract::child_main(format, *unchecked);
    }
    let env: BTreeMap<String, String> = std::env::vars().collect();
    // A fault-injection hook for the quarantine's crash-loop test (the
    // `EISO_TEST_` prefix keeps it out of the configuration): the indexer
    // kills the process on the file of this name. Never set it in production.
    if let Some(file_name) = env.get("EISO_TEST_FAULT_ABORT_ON_FILE").filter(|n| !n.is_empty()) {
        eprintln!("eiso-server: fault injection on: the indexer dies on files named {file_name:?}");
        eiso_server::inject_fault_abort_on_file(file_name.clone());
    }
    let mut config = match Config::load(args.config.as_deref(), &env) {
        Ok(config) => config,
        Err(error) => {
            eprintln!("eiso-server: configuration error: {error}");
            return ExitCode::from(2);
        }
    };
    if let Some(listen) = args.listen {
        config.listen_addr = listen;
    }
    if let Some(dir) = args.data_dir {
        config.data_dir = dir;
    }
    if let Some(url) = args.database_url {
        config.database_url = Some(url);
    }
    if let Err(error) = config.validate() {
        eprintln!("eiso-server: configuration error: {error}");
        return ExitCode::from(2);
    }

    let workers = config
        .worker_threads
        .unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2));
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("eiso-server: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = match args.command {
        Some(Mode::Export { to }) => runtime.block_on(transfer(config, Transfer::Export { to })),
        Some(Mode::Import { from, replace }) => runtime.block_on(transfer(config, Transfer::Import { from, replace })),
        _ => runtime.block_on(run(config, workers)),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("eiso-server: {error:#}");
            ExitCode::FAILURE
        }
    }
}

enum Transfer {
    Export { to: PathBuf },
    Import { from: PathBuf, replace: bool },
}

/// `export` and `import`: the summary on stdout, progress in the log.
async fn transfer(config: Config, transfer: Transfer) -> anyhow::Result<()> {
    let log_format = match config.log.format {
        eiso_platform::config::LogFormat::Text => eiso_telemetry::LogFormat::Text,
        eiso_platform::config::LogFormat::Json => eiso_telemetry::LogFormat::Json,
    };
    let _telemetry = eiso_telemetry::init_with_format("eiso-server", &config.log.filter, log_format)?;
    let summary = match transfer {
        Transfer::Export { to } => eiso_server::transfer::export(&config, &to)
            .await
            .map_err(|e| e.context(format!("export to {} failed", to.display())))?,
        Transfer::Import { from, replace } => eiso_server::transfer::import(&config, &from, replace)
            .await
            .map_err(|e| e.context(format!("import from {} failed", from.display())))?,
    };
    println!("{summary}");
    Ok(())
}

async fn run(config: Config, workers: usize) -> anyhow::Result<()> {
    let log_format = match config.log.format {
        eiso_platform::config::LogFormat::Text => eiso_telemetry::LogFormat::Text,
        eiso_platform::config::LogFormat::Json => eiso_telemetry::LogFormat::Json,
    };
    let _telemetry = eiso_telemetry::init_with_format("eiso-server", &config.log.filter, log_format)?;
    tracing::info!(?config, workers, "starting");
    // Text of uploaded files is extracted by this binary in a child process.
    let program = std::env::current_exe().map_err(|e| anyhow::anyhow!("cannot find the server binary: {e}"))?;
    let extractor = eiso_server::Extractor::Child { program };
    if config.hosting().is_search_replica() {
        let replica = eiso_server::SearchReplica::prepare(config.clone(), extractor).await?;
        let listener = tokio::net::TcpListener::bind(config.listen_addr)
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.listen_addr))?;
        return replica.serve(listener, shutdown_signal()).await;
    }
    let app = eiso_server::App::prepare_with(config.clone(), eiso_platform::clock::Clock::system(), extractor).await?;
    match &app.admin_setup {
        // Users already existed, or identity is in another process.
        None | Some(AdminSetup::Existing) => {}
        Some(AdminSetup::FromEnvironment) => {
            tracing::info!("created user `admin` with the password from EISO_ADMIN_PASSWORD");
        }
        Some(AdminSetup::Generated(password)) => {
            // Printed once, to the terminal only: never to the log.
            eprintln!();
            eprintln!("  First start: created the administrator `admin`.");
            eprintln!("  Password (shown only now): {password}");
            eprintln!("  Sign in with `eiso login --username admin` and change it with `eiso users set-password`.");
            eprintln!();
        }
    }
    let listener = tokio::net::TcpListener::bind(config.listen_addr)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.listen_addr))?;
    app.serve(listener, shutdown_signal()).await
}

/// Makes glibc's allocator map every buffer of 1 MiB or more by itself and
/// unmap it when freed. By default the threshold rises to the size of the
/// largest buffer freed so far, so after the first sign-in each argon2 hash's
/// 19 MiB came from the heap arenas and stayed there: 100 sign-ins left the
/// server at 142 MiB. mimalloc, used before for that reason, kept 47 MiB of
/// committed arenas at idle (83 MiB RSS against 45 MiB with glibc;
/// `clients/memory-bench.sh`, docs/benchmarks.md).
#[allow(unsafe_code)]
fn return_large_buffers() {
    // SAFETY: mallopt only sets a tunable of the allocator; called first
    // thing in main, before any other thread exists.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => tracing::info!("SIGINT received, shutting down"),
        _ = terminate => tracing::info!("SIGTERM received, shutting down"),
    }
}
