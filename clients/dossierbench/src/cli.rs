//! Command-line flags.

use std::time::Duration;

use clap::{Args as ClapArgs, Parser, Subcommand, ValueEnum};
use eiso_benchkit::report::OutputFormat;

/// eiso-dossierbench: how fast a running eiso server receives dossiers, and how
/// long `GetServiceStatistics` takes over a year of them.
///
/// `--setup` (with an administrator's password) first creates, through the
/// API, the agencies (communes), a counter-staff user bound to all of them, a
/// document controller, and procedure 2.002481 (3 working days; steps 4 + 16
/// + 4 hours), published; whatever already exists is kept. Then:
///
/// `receive`: N clients, each with its own connection, receive M dossiers in
/// total through ReceiveDossier; reports dossiers per second and latency
/// percentiles, and checks every code is distinct.
///
/// `seed`: bulk-inserts synthetic dossiers spread over a year straight into
/// the procedures database (a SQLite file, or the `procedures` schema of a
/// PostgreSQL database) until it holds `--total` dossiers. On SQLite, run it
/// while the server is stopped.
///
/// `stats`: calls GetServiceStatistics for the whole year, for one agency and
/// for all, `--repeat` times each; reports min / median / max.
///
/// `transitions`: receives M dossiers, then hands each over (HandOverDossier,
/// intake to step 2) with N clients; reports transitions per second.
///
/// `raw-commits`: no server: the database's own rate of single-row INSERT +
/// COMMIT transactions, opened as the server opens it (the baseline of
/// issue 15, target 1).
///
/// Exits 1 if a call fails or a check does not hold.
#[derive(Debug, Parser)]
#[command(version, args_override_self = true)]
pub struct Args {
    /// The server, http://HOST:PORT.
    #[arg(long, value_name = "URL", default_value = "http://127.0.0.1:50051", global = true)]
    pub server: String,
    /// Another replica of the same server (repeat for each): `receive`'s
    /// clients spread their connections over `--server` and these.
    #[arg(long = "replica", value_name = "URL", global = true)]
    pub replicas: Vec<String>,
    /// First create the agencies, the two users and the procedure, as the
    /// administrator (`--admin-password-env`); what exists is kept.
    #[arg(long)]
    pub setup: bool,
    /// The administrator who runs `--setup`.
    #[arg(long, value_name = "NAME", default_value = "admin", global = true)]
    pub admin_username: String,
    /// The environment variable holding the administrator's password.
    #[arg(long, value_name = "VAR", default_value = "EISO_ADMIN_PASSWORD", global = true)]
    pub admin_password_env: String,
    /// The counter-staff user who receives dossiers (and reads the statistics).
    #[arg(long, value_name = "NAME", default_value = "dossierbench.motcua", global = true)]
    pub counter_username: String,
    /// The document controller who creates and publishes the procedure.
    #[arg(long, value_name = "NAME", default_value = "dossierbench.thuky", global = true)]
    pub controller_username: String,
    /// The leader of the agencies, who opens the dashboard (`pages`).
    #[arg(long, value_name = "NAME", default_value = "dossierbench.lanhdao", global = true)]
    pub leader_username: String,
    /// The environment variable holding the benchmark users' password.
    #[arg(long, value_name = "VAR", default_value = "DOSSIERBENCH_PASSWORD", global = true)]
    pub password_env: String,
    /// How many agencies `--setup` creates (the counter receives at all of them).
    #[arg(long = "agencies", value_name = "N", default_value_t = 3, value_parser = clap::value_parser!(u8).range(1..=3), global = true)]
    pub agency_count: u8,
    /// The procedure's national code.
    #[arg(long, value_name = "CODE", default_value = "2.002481", global = true)]
    pub procedure: String,
    /// Deadline of each call.
    #[arg(long, value_name = "SECONDS", default_value_t = 120, value_parser = clap::value_parser!(u64).range(1..=86_400), global = true)]
    pub timeout_seconds: u64,
    /// Report format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text, global = true)]
    pub output: OutputFormat,
    #[command(subcommand)]
    pub command: Option<Command>,
}

impl Args {
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout_seconds)
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Only the setup (same as `--setup` with no command).
    Setup,
    /// Dossiers received per second through ReceiveDossier.
    Receive(ReceiveArgs),
    /// Bulk-insert a year of synthetic dossiers into the procedures database.
    Seed(SeedArgs),
    /// GetServiceStatistics latency over the year.
    Stats(StatsArgs),
    /// The web app's dossier lists and dashboard over the year.
    Pages(PagesArgs),
    /// Dossiers handed over per second through HandOverDossier.
    Transitions(TransitionsArgs),
    /// The database's own rate of single-row INSERT + COMMIT (no server).
    RawCommits(RawCommitsArgs),
}

#[derive(Debug, ClapArgs)]
pub struct TransitionsArgs {
    #[command(flatten)]
    pub calls: Calls,
    /// Hand over the dossiers this file names (`receive --names-out`, all
    /// still at the counter's intake) instead of receiving new ones (then
    /// `--count` is at most as many as the file names less the warm-up).
    #[arg(long, value_name = "FILE")]
    pub dossiers: Option<std::path::PathBuf>,
}

/// How many calls a write bench makes, and from how many clients
/// (`receive`, `transitions`).
#[derive(Debug, ClapArgs)]
pub struct Calls {
    /// Clients calling at once, each with its own connection.
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub clients: u32,
    /// Dossiers in total (spread over the clients; `transitions` receives
    /// them first unless `--dossiers` names them).
    #[arg(long, value_name = "M", default_value_t = 5000, value_parser = clap::value_parser!(u32).range(1..=10_000_000))]
    pub count: u32,
    /// Dossiers before the clock starts (not counted in the rate).
    #[arg(long, value_name = "N", default_value_t = 100)]
    pub warmup: u32,
    /// Seed of the applicants' data (random if not given; printed either way).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
}

/// `synchronous` of the SQLite baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Synchronous {
    Full,
    Normal,
}

#[derive(Debug, ClapArgs)]
pub struct RawCommitsArgs {
    /// A postgres:// URL (a schema of that database is created, used and
    /// dropped), or a SQLite file to create (removed afterwards).
    #[arg(long, value_name = "URL_OR_SQLITE_FILE")]
    pub database_url: String,
    /// The PostgreSQL schema to create and drop.
    #[arg(long, value_name = "NAME", default_value = "raw_commits")]
    pub schema: String,
    /// Tasks committing at once (they share the server's pool: one writer
    /// on SQLite, `[postgres] max_connections` on PostgreSQL).
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub clients: u32,
    /// How long the measured part runs.
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0)]
    pub seconds: f64,
    /// How long the tasks commit before the clock starts.
    #[arg(long, value_name = "SECONDS", default_value_t = 1.0)]
    pub warmup_seconds: f64,
    /// SQLite's `synchronous` (the server's default is full).
    #[arg(long, value_enum, default_value_t = Synchronous::Full)]
    pub synchronous: Synchronous,
    /// Bytes of text in each row.
    #[arg(long, value_name = "N", default_value_t = 200, value_parser = clap::value_parser!(u32).range(0..=1_000_000))]
    pub payload_bytes: u32,
    /// Also update one shared row in each transaction, first (as every eiso
    /// write updates its service's outbox and audit chain heads).
    #[arg(long)]
    pub hot_row: bool,
    /// Keep the SQLite file or the PostgreSQL schema.
    #[arg(long)]
    pub keep: bool,
}

#[derive(Debug, ClapArgs)]
pub struct PagesArgs {
    /// Calls per page (after one warm-up call).
    #[arg(long, value_name = "K", default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub repeat: u32,
    /// The year the dashboard shows.
    #[arg(long, value_name = "YYYY", default_value_t = 2025)]
    pub year: i32,
}

#[derive(Debug, ClapArgs)]
pub struct ReceiveArgs {
    #[command(flatten)]
    pub calls: Calls,
    /// Write the name of every dossier received to this file, one a line,
    /// the warm-up's first (for `transitions --dossiers`).
    #[arg(long, value_name = "FILE")]
    pub names_out: Option<std::path::PathBuf>,
}

#[derive(Debug, ClapArgs)]
pub struct SeedArgs {
    /// The number of dossiers the database should hold when done.
    #[arg(long, value_name = "N", default_value_t = 1_000_000)]
    pub total: u64,
    /// A postgres:// URL (the procedures schema of that database), or the
    /// SQLite file `procedures.db` (or the data directory that holds it).
    #[arg(long, value_name = "URL_OR_SQLITE_FILE")]
    pub database_url: String,
    /// The PostgreSQL schema of the procedures service.
    #[arg(long, value_name = "NAME", default_value = "procedures")]
    pub schema: String,
    /// The year the receive times are spread over (its working hours).
    #[arg(long, value_name = "YYYY", default_value_t = 2025, value_parser = clap::value_parser!(i32).range(2025..=2025))]
    pub year: i32,
    /// Rows per INSERT statement.
    #[arg(long, value_name = "N", default_value_t = 500, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub batch: u32,
    /// INSERT statements per transaction.
    #[arg(long, value_name = "N", default_value_t = 40, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub batches_per_transaction: u32,
    /// An agency (`units/{id}`) to spread the dossiers over; repeat for up to
    /// three. By default the agencies found in the database (the dossiers
    /// already received, then the procedure's).
    #[arg(long = "agency", value_name = "UNIT")]
    pub agencies: Vec<String>,
    /// Run ANALYZE on the table afterwards (the server itself never does on
    /// SQLite; PostgreSQL's autovacuum does it on its own).
    #[arg(long)]
    pub analyze: bool,
    /// Seed of the synthetic data (random if not given; printed either way).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
}

#[derive(Debug, ClapArgs)]
pub struct StatsArgs {
    /// Calls per measured query.
    #[arg(long, value_name = "K", default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub repeat: u32,
    /// The year asked for (1 January to 31 December).
    #[arg(long, value_name = "YYYY", default_value_t = 2025)]
    pub year: i32,
    /// The agency of the one-agency query, `units/{id}`; by default the
    /// counter user's first agency.
    #[arg(long, value_name = "UNIT")]
    pub agency: Option<String>,
    /// Also measure each query for this procedure alone, `procedures/{code}`.
    #[arg(long, value_name = "PROCEDURE", default_value = "")]
    pub procedure: String,
    /// The procedures database (as `seed --database-url`): each answer is
    /// then compared with the same figures counted by a scan of every
    /// dossier row, read straight from it, and the scan is timed once.
    #[arg(long, value_name = "URL_OR_SQLITE_FILE")]
    pub database_url: Option<String>,
    /// The PostgreSQL schema of the procedures service.
    #[arg(long, value_name = "NAME", default_value = "procedures")]
    pub schema: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `line` (its words) as the command line after `eiso-dossierbench`.
    fn parse(line: &str) -> Result<Args, String> {
        let words = std::iter::once("eiso-dossierbench").chain(line.split_whitespace());
        Args::try_parse_from(words).map_err(|e| e.to_string())
    }

    #[test]
    fn global_flags_go_after_the_command() {
        let args = parse("receive --clients 32 --count 10 --server http://127.0.0.1:1 --output json");
        let args = args.as_ref();
        assert!(matches!(
            args.map(|a| &a.command),
            Ok(Some(Command::Receive(ReceiveArgs {
                calls: Calls {
                    clients: 32,
                    count: 10,
                    ..
                },
                ..
            })))
        ));
        assert_eq!(args.map(|a| a.output), Ok(OutputFormat::Json));
    }

    #[test]
    fn the_command_line_is_consistent() {
        use clap::CommandFactory as _;
        Args::command().debug_assert();
        let args = parse("seed --database-url /tmp/x --agency units/a --agency units/b --agencies 2");
        assert!(matches!(
            args.as_ref().map(|a| (&a.command, a.agency_count)),
            Ok((Some(Command::Seed(SeedArgs { agencies, .. })), 2)) if agencies.len() == 2
        ));
    }

    #[test]
    fn raw_commits_and_transitions() {
        let args = parse("raw-commits --database-url /tmp/raw.db --clients 32 --seconds 2.5 --hot-row");
        assert!(matches!(
            args.as_ref().map(|a| &a.command),
            Ok(Some(Command::RawCommits(RawCommitsArgs {
                clients: 32,
                hot_row: true,
                synchronous: Synchronous::Full,
                payload_bytes: 200,
                ..
            })))
        ));
        assert!(parse("raw-commits").is_err());
        let args = parse("transitions --clients 8 --dossiers /tmp/names.txt");
        assert!(matches!(
            args.as_ref().map(|a| &a.command),
            Ok(Some(Command::Transitions(TransitionsArgs {
                calls: Calls {
                    clients: 8,
                    count: 5000,
                    warmup: 100,
                    ..
                },
                dossiers: Some(_),
            })))
        ));
    }

    #[test]
    fn seed_needs_a_database() {
        assert!(parse("seed --total 10").is_err());
    }
}
