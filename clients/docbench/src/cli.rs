//! Command-line flags.

use std::time::Duration;

use clap::{ArgGroup, Parser, ValueEnum};
use eiso_benchkit::report::OutputFormat;

/// eiso-docbench: how fast a running eiso server does document control.
///
/// Measures (1) drafts per second: a new document and its first revision
/// (CreateDocument + CreateRevision), `--revisions` times; (2) full publish
/// cycles per second: CreateRevision, a 1 KiB upload, SubmitRevision,
/// ApproveRevision (by the reviewer), PublishRevision, `--cycles` times; each
/// spread over `--concurrency` clients with a connection each; and (3) the
/// upload and download rate of one `--file-mib` file, generated on the fly
/// from a seeded generator (never held in memory) and checked by SHA-256 on
/// the way back. `--username` must be a document controller and
/// `--reviewer-username` a reviewer (e.g. a leader) of the same unit; with
/// `--setup`, an administrator's credentials create the unit and both users
/// first. Exits 1 if a call fails or the file comes back different.
#[derive(Debug, Parser)]
#[command(version, args_override_self = true)]
#[command(group(ArgGroup::new("password_source").required(true).args(["password_stdin", "password_env"])))]
pub struct Args {
    /// The server, http://HOST:PORT.
    #[arg(long, value_name = "URL", default_value = "http://127.0.0.1:50051")]
    pub server: String,
    /// Another replica of the same server (repeat for each): the clients
    /// spread their connections over `--server` and these.
    #[arg(long = "replica", value_name = "URL")]
    pub replicas: Vec<String>,
    /// A document controller: creates, uploads, submits and publishes.
    #[arg(long, value_name = "NAME")]
    pub username: String,
    /// Read the document controller's password from the first line of standard input.
    #[arg(long)]
    pub password_stdin: bool,
    /// Read the document controller's password from this environment variable.
    #[arg(long, value_name = "VAR")]
    pub password_env: Option<String>,
    /// The reviewer who approves every revision (not the document controller).
    #[arg(long, value_name = "NAME")]
    pub reviewer_username: String,
    /// The environment variable holding the reviewer's password.
    #[arg(long, value_name = "VAR")]
    pub reviewer_password_env: String,
    /// First create the unit `--unit-code` and both users (with the passwords
    /// given above) as the administrator; users that already exist are kept.
    #[arg(long)]
    pub setup: bool,
    /// The administrator who runs `--setup`.
    #[arg(long, value_name = "NAME", default_value = "admin")]
    pub admin_username: String,
    /// The environment variable holding the administrator's password (for `--setup`).
    #[arg(long, value_name = "VAR")]
    pub admin_password_env: Option<String>,
    /// The code of the unit `--setup` creates (or reuses).
    #[arg(long, value_name = "CODE", default_value = "DOCBENCH")]
    pub unit_code: String,
    /// How many documents with a draft to create.
    #[arg(long, value_name = "N", default_value_t = 500, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub revisions: u32,
    /// How many full publish cycles to run.
    #[arg(long, value_name = "N", default_value_t = 200, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub cycles: u32,
    /// Clients calling at once, each with its own connection.
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=256))]
    pub concurrency: u32,
    /// Size of the large file, in MiB.
    #[arg(long, value_name = "MIB", default_value_t = 200, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub file_mib: u32,
    /// Size of each upload message, in KiB.
    #[arg(long, value_name = "KIB", default_value_t = 1024, value_parser = clap::value_parser!(u32).range(1..=8192))]
    pub chunk_kib: u32,
    /// Seed of the file's content (random if not given; printed either way).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// How the large file goes up: `grpc` (UploadFile) or `web` (the
    /// document page's upload, multipart/form-data over HTTP/1.1, signed in
    /// on the sign-in page with the document controller's password).
    #[arg(long, value_enum, value_name = "HOW", default_value_t = UploadVia::Grpc)]
    pub upload_via: UploadVia,
    /// Times each page this many times (after one warm-up call).
    #[arg(long, value_name = "N", default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub pages_repeat: u32,
    /// Before timing the pages, wait until the search index holds this many
    /// items (needs --admin-password-env).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub expect_items: u64,
    /// Run only one part: the revision rates, the file transfer or the pages.
    #[arg(long, value_enum, value_name = "PART")]
    pub only: Option<Part>,
    /// Deadline of each call (the upload and the download are one call each).
    #[arg(long, value_name = "SECONDS", default_value_t = 600, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub timeout_seconds: u64,
    /// Report format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub output: OutputFormat,
}

impl Args {
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout_seconds)
    }

    pub fn runs(&self, part: Part) -> bool {
        // The pages only when asked: they want a server already filled.
        match self.only {
            None => part != Part::Pages,
            Some(only) => only == part,
        }
    }
}

/// The way the large file is uploaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum UploadVia {
    Grpc,
    Web,
}

/// A part of the benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Part {
    /// Drafts per second and publish cycles per second.
    Revisions,
    /// Upload and download of one large file.
    Files,
    /// The document controller's pages: lists, search, inbox (`--only pages`).
    Pages,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_later_flag_overrides_an_earlier_one() {
        let args = Args::try_parse_from([
            "eiso-docbench",
            "--username",
            "a",
            "--password-env",
            "P",
            "--reviewer-username",
            "b",
            "--reviewer-password-env",
            "Q",
            "--file-mib",
            "200",
            "--file-mib",
            "5",
        ])
        .map_err(|e| e.to_string());
        assert_eq!(args.map(|a| a.file_mib), Ok(5));
    }

    #[test]
    fn a_password_source_is_required() {
        let args = Args::try_parse_from([
            "eiso-docbench",
            "--username",
            "a",
            "--reviewer-username",
            "b",
            "--reviewer-password-env",
            "Q",
        ]);
        assert!(args.is_err());
    }
}
