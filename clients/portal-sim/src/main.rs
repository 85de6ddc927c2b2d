//! `portal-sim`: the DVCQG portal simulator on a port, for the demo and for
//! tests that run outside Rust. Each call is logged on one line.
//!
//! `portal-sim --listen 127.0.0.1:8780 --account canbo:secret:000.00.00.H12`

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser as _;
use eiso_portal_sim::{Account, Config, Simulator};
use tracing::{error, info};
use tracing_subscriber::EnvFilter;

/// A simulator of the National Public Service Portal's (Cổng DVCQG) dossier
/// synchronisation endpoint, with a control API under /_sim/.
#[derive(clap::Parser)]
#[command(name = "portal-sim", version)]
struct Args {
    /// Where to listen (plain HTTP).
    #[arg(long, default_value = "127.0.0.1:8780")]
    listen: SocketAddr,
    /// An account that may sign in, `username:password:AGENCYCODE`; repeat
    /// for more.
    #[arg(long = "account", required = true)]
    accounts: Vec<Account>,
    /// How long a session lasts after sign-in, in seconds.
    #[arg(long, default_value_t = 1800)]
    session_lifetime_secs: u64,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt().with_env_filter(filter).init();
    let config = Config {
        listen: args.listen,
        accounts: args.accounts,
        session_lifetime: Duration::from_secs(args.session_lifetime_secs),
    };
    let simulator = match Simulator::start(config).await {
        Ok(simulator) => simulator,
        Err(error) => {
            error!(%error, listen = %args.listen, "cannot listen");
            return ExitCode::FAILURE;
        }
    };
    info!(url = %simulator.url(), "portal simulator listening");
    stop_requested().await;
    info!("stopping");
    simulator.shutdown().await;
    ExitCode::SUCCESS
}

/// SIGINT or SIGTERM.
async fn stop_requested() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut terminate) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = terminate.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
