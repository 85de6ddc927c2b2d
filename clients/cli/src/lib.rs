//! `eiso`, the command-line client of the eiso services.
//!
//! `main.rs` only calls [`main`]; each command group lives in `commands/`.

pub mod cli;
pub mod commands;
pub mod context;
pub mod directory;
pub mod enum_arg;
pub mod error;
pub mod names;
pub mod output;
pub mod session;

use std::process::ExitCode;

use clap::Parser;

use crate::error::{CliError, EXIT_LOCAL, EXIT_OK};

/// Parses the command line, runs the command, prints any error on standard
/// error and returns the exit code documented in `eiso --help`.
pub fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            output::note(&format!("error: cannot start the async runtime: {error}"));
            return ExitCode::from(EXIT_LOCAL);
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(()) => ExitCode::from(EXIT_OK),
        Err(error) => {
            report(&error);
            ExitCode::from(error.exit_code())
        }
    }
}

fn report(error: &CliError) {
    match error {
        CliError::Local(error) => output::note(&format!("error: {error:#}")),
        other => output::note(&format!("error: {other}")),
    }
}
