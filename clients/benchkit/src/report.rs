//! How a bench client prints its report: as text for a person or as pretty
//! JSON for scripts.

use anyhow::Context as _;
use clap::ValueEnum;
use serde_json::Value;

/// How the report is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
}

/// Prints the report in `format`: `text` as it is (it ends with its own
/// newline), or `json` pretty-printed with a newline.
pub fn print(format: OutputFormat, text: impl FnOnce() -> String, json: impl FnOnce() -> Value) -> anyhow::Result<()> {
    match format {
        OutputFormat::Text => print!("{}", text()),
        OutputFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&json()).context("cannot encode the report")?
        ),
    }
    Ok(())
}
