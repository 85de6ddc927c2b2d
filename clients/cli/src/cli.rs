//! The command line: every command, flag and its help.

use clap::{Args, Parser, Subcommand};
use eiso_proto::eiso::identity::v1::RoleBinding;

use crate::error::EXIT_CODES_HELP;
use crate::names::{KindArg, client_name, optional_unit_name, parse_role_binding, trail_name, unit_name, user_name};
use crate::output::OutputFormat;

/// The server used when neither `--server`, `EISO_SERVER` nor a saved session
/// names one.
pub const DEFAULT_SERVER: &str = "http://127.0.0.1:50051";

/// The help heading of the flags every command takes.
const GLOBAL: &str = "Global options";

/// eiso: manage the organisation, users, API clients and the audit trail of an eiso server.
#[derive(Debug, Parser)]
#[command(
    name = "eiso",
    version,
    after_help = "Exit codes: see `eiso --help`.",
    after_long_help = EXIT_CODES_HELP,
)]
pub struct Cli {
    /// Server address [default: the saved session's server, else http://127.0.0.1:50051]
    #[arg(long, global = true, env = "EISO_SERVER", value_name = "URL", help_heading = GLOBAL)]
    pub server: Option<String>,

    /// How to print results
    #[arg(long, short = 'o', global = true, value_enum, default_value_t = OutputFormat::Table, help_heading = GLOBAL)]
    pub output: OutputFormat,

    /// Bearer token to use instead of the saved session
    #[arg(
        long,
        global = true,
        env = "EISO_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN",
        help_heading = GLOBAL
    )]
    pub token: Option<String>,

    /// Why you are making this change; recorded in the audit trail (required by
    /// rename, merge, dissolve and revoke)
    #[arg(long, global = true, value_name = "TEXT", help_heading = GLOBAL)]
    pub reason: Option<String>,

    #[command(subcommand)]
    pub command: Command,
}

/// The top-level commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Sign in (a person with username and password, or a machine client with
    /// its id and secret) and save the session
    Login(LoginArgs),
    /// Forget the saved session
    Logout,
    /// Show who the current token belongs to and what it may do
    Whoami,
    /// Organisation units: list, show, create, update, rename, merge, dissolve
    #[command(subcommand)]
    Units(UnitsCommand),
    /// User accounts
    #[command(subcommand)]
    Users(UsersCommand),
    /// Machine clients (district or provincial systems)
    #[command(subcommand)]
    Clients(ClientsCommand),
    /// The hash-chained audit trail
    #[command(subcommand)]
    Audit(AuditCommand),
}

/// `eiso login`.
#[derive(Debug, Args)]
pub struct LoginArgs {
    /// Your username (asked for when not given)
    #[arg(long, conflicts_with = "client_id")]
    pub username: Option<String>,
    /// Read the password from the first line of standard input instead of
    /// prompting (for scripts)
    #[arg(long, conflicts_with = "client_id")]
    pub password_stdin: bool,
    /// Sign in as a machine client with this client id
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,
    /// Read the client secret from the first line of standard input instead of
    /// prompting
    #[arg(long, requires = "client_id")]
    pub client_secret_stdin: bool,
}

/// Paging flags of every list.
#[derive(Debug, Args)]
pub struct PageArgs {
    /// At most this many results per page (server default when not given)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(i32).range(1..=1000))]
    pub page_size: Option<i32>,
    /// Start from this page (the token printed after a page)
    #[arg(long, value_name = "TOKEN")]
    pub page_token: Option<String>,
    /// Follow every page to the end
    #[arg(long)]
    pub all: bool,
}

/// Filter and order of a list.
#[derive(Debug, Args)]
pub struct QueryArgs {
    /// AIP-160 filter, e.g. 'state = "STATE_ACTIVE"'
    #[arg(long, value_name = "F")]
    pub filter: Option<String>,
    /// Order, e.g. 'display_name' or 'create_time desc'
    #[arg(long, value_name = "O")]
    pub order_by: Option<String>,
    #[command(flatten)]
    pub page: PageArgs,
}

/// `eiso units …`.
#[derive(Debug, Subcommand)]
pub enum UnitsCommand {
    /// List units (filter over code, parent, kind, state)
    List(QueryArgs),
    /// Show one unit
    Show {
        /// `units/ID` or `ID`
        #[arg(value_name = "NAME_OR_ID", value_parser = unit_name)]
        unit: String,
    },
    /// Create a unit
    Create(UnitCreateArgs),
    /// Change a unit's display name, kind or parent (only the fields given)
    Update(UnitUpdateArgs),
    /// Rename a unit, keeping its former name on record (needs --reason)
    Rename(UnitRenameArgs),
    /// Merge units into a successor (needs --reason)
    Merge(UnitMergeArgs),
    /// Dissolve a unit (needs --reason)
    Dissolve(UnitDissolveArgs),
}

/// `eiso units create`.
#[derive(Debug, Args)]
pub struct UnitCreateArgs {
    /// Administrative code, unique among units (e.g. 31-GDDT)
    #[arg(long)]
    pub code: String,
    /// Display name in Vietnamese (e.g. "Phòng Giáo dục và Đào tạo")
    #[arg(long)]
    pub name: String,
    /// Kind of unit
    #[arg(long, value_enum)]
    pub kind: KindArg,
    /// Parent unit (`units/ID` or `ID`); none for a root
    #[arg(long, value_name = "UNIT", value_parser = unit_name)]
    pub parent: Option<String>,
    /// Idempotency key: repeat a create that may have failed with the same id
    /// and the server returns the first result instead of creating twice
    /// [default: a new UUID]
    #[arg(long, value_name = "ID")]
    pub request_id: Option<String>,
}

/// `eiso units update`.
#[derive(Debug, Args)]
pub struct UnitUpdateArgs {
    /// `units/ID` or `ID`
    #[arg(value_name = "NAME_OR_ID", value_parser = unit_name)]
    pub unit: String,
    /// New display name (use `units rename` to keep the old one on record)
    #[arg(long)]
    pub name: Option<String>,
    /// New kind
    #[arg(long, value_enum)]
    pub kind: Option<KindArg>,
    /// New parent unit; an empty value ("") makes the unit a root
    #[arg(long, value_name = "UNIT", value_parser = optional_unit_name)]
    pub parent: Option<String>,
    /// Refuse the change if the unit changed since this etag was read
    #[arg(long)]
    pub etag: Option<String>,
}

/// `eiso units rename`.
#[derive(Debug, Args)]
pub struct UnitRenameArgs {
    /// `units/ID` or `ID`
    #[arg(value_name = "NAME_OR_ID", value_parser = unit_name)]
    pub unit: String,
    /// New display name
    #[arg(long, required_unless_present = "code")]
    pub name: Option<String>,
    /// New code
    #[arg(long)]
    pub code: Option<String>,
    /// Refuse the change if the unit changed since this etag was read
    #[arg(long)]
    pub etag: Option<String>,
}

/// `eiso units merge`.
#[derive(Debug, Args)]
pub struct UnitMergeArgs {
    /// The unit the sources merge into; it must be active
    #[arg(long, value_name = "SUCCESSOR", value_parser = unit_name)]
    pub into: String,
    /// The units merged away
    #[arg(value_name = "SOURCE", required = true, num_args = 1.., value_parser = unit_name)]
    pub sources: Vec<String>,
}

/// `eiso units dissolve`.
#[derive(Debug, Args)]
pub struct UnitDissolveArgs {
    /// `units/ID` or `ID`
    #[arg(value_name = "NAME_OR_ID", value_parser = unit_name)]
    pub unit: String,
    /// The unit that takes over its work; its children move there
    #[arg(long, value_name = "UNIT", value_parser = unit_name)]
    pub successor: Option<String>,
    /// Refuse the change if the unit changed since this etag was read
    #[arg(long)]
    pub etag: Option<String>,
}

/// `eiso users …`.
#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// List users (filter over username, state, role, unit)
    List(QueryArgs),
    /// Show one user
    Show {
        /// `users/ID` or `ID`
        #[arg(value_name = "NAME_OR_ID", value_parser = user_name)]
        user: String,
    },
    /// Create a user; the initial password is prompted for, or read with
    /// --password-stdin
    Create(UserCreateArgs),
    /// Change a user's display name, email or roles (only the fields given)
    Update(UserUpdateArgs),
    /// Set a password: your own (omit NAME; asks for the current one too) or,
    /// as an administrator, someone else's
    SetPassword(SetPasswordArgs),
    /// Disable a user: they cannot sign in and their tokens stop working
    Disable(UserStateArgs),
    /// Enable a disabled user
    Enable(UserStateArgs),
}

/// `eiso users create`.
#[derive(Debug, Args)]
pub struct UserCreateArgs {
    /// Sign-in name: 3–64 characters of a–z, 0–9, `.`, `_`, `-`
    #[arg(long)]
    pub username: String,
    /// Full name in Vietnamese
    #[arg(long)]
    pub name: String,
    /// Contact address
    #[arg(long)]
    pub email: Option<String>,
    /// A role within a unit and the units below it, as ROLE@UNIT; repeat for
    /// several. Roles: admin, document-controller, counter-staff,
    /// processing-officer, leader, internal-auditor, viewer
    #[arg(long = "role", value_name = "ROLE@UNIT", required = true, value_parser = parse_role_binding)]
    pub roles: Vec<RoleBinding>,
    /// Read the initial password from the first line of standard input
    #[arg(long)]
    pub password_stdin: bool,
    /// Idempotency key [default: a new UUID]
    #[arg(long, value_name = "ID")]
    pub request_id: Option<String>,
}

/// `eiso users update`.
#[derive(Debug, Args)]
pub struct UserUpdateArgs {
    /// `users/ID` or `ID`
    #[arg(value_name = "NAME_OR_ID", value_parser = user_name)]
    pub user: String,
    /// New full name
    #[arg(long)]
    pub name: Option<String>,
    /// New contact address; an empty value ("") removes it
    #[arg(long)]
    pub email: Option<String>,
    /// Replace all the user's roles with these (ROLE@UNIT, repeatable)
    #[arg(long = "role", value_name = "ROLE@UNIT", value_parser = parse_role_binding)]
    pub roles: Vec<RoleBinding>,
    /// Remove all the user's roles
    #[arg(long, conflicts_with = "roles")]
    pub clear_roles: bool,
    /// Refuse the change if the user changed since this etag was read
    #[arg(long)]
    pub etag: Option<String>,
}

/// `eiso users set-password`.
#[derive(Debug, Args)]
pub struct SetPasswordArgs {
    /// `users/ID` or `ID` [default: yourself]
    #[arg(value_name = "NAME_OR_ID", value_parser = user_name)]
    pub user: Option<String>,
    /// Read from standard input instead of prompting: the new password on the
    /// first line, or, for your own, the current password on the first line and
    /// the new one on the second
    #[arg(long)]
    pub password_stdin: bool,
}

/// `eiso users disable|enable`.
#[derive(Debug, Args)]
pub struct UserStateArgs {
    /// `users/ID` or `ID`
    #[arg(value_name = "NAME_OR_ID", value_parser = user_name)]
    pub user: String,
    /// Refuse the change if the user changed since this etag was read
    #[arg(long)]
    pub etag: Option<String>,
}

/// `eiso clients …`.
#[derive(Debug, Subcommand)]
pub enum ClientsCommand {
    /// Register a machine client; its secret is printed once
    Create(ClientCreateArgs),
    /// List machine clients
    List(PageArgs),
    /// Show one machine client
    Show {
        /// `clients/ID` or `ID`
        #[arg(value_name = "NAME_OR_ID", value_parser = client_name)]
        client: String,
    },
    /// Revoke a machine client: its secret stops working at once (needs --reason)
    Revoke {
        /// `clients/ID` or `ID`
        #[arg(value_name = "NAME_OR_ID", value_parser = client_name)]
        client: String,
    },
}

/// `eiso clients create`.
#[derive(Debug, Args)]
pub struct ClientCreateArgs {
    /// What the system is, e.g. "Hệ thống một cửa điện tử tỉnh"
    #[arg(long)]
    pub name: String,
    /// A role within a unit, as ROLE@UNIT; repeat for several
    #[arg(long = "role", value_name = "ROLE@UNIT", required = true, value_parser = parse_role_binding)]
    pub roles: Vec<RoleBinding>,
    /// Idempotency key [default: a new UUID]
    #[arg(long, value_name = "ID")]
    pub request_id: Option<String>,
}

/// `eiso audit …`.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// List a trail's entries, oldest first
    List(AuditListArgs),
    /// Recompute a trail's hash chain; exits with 1 when it is broken
    Verify {
        /// The trail (a service name)
        #[arg(long, default_value = "identity", value_parser = trail_name)]
        trail: String,
    },
}

/// `eiso audit list`.
#[derive(Debug, Args)]
pub struct AuditListArgs {
    /// The trail (a service name)
    #[arg(long, default_value = "identity", value_parser = trail_name)]
    pub trail: String,
    /// AIP-160 filter, e.g. 'actor = "users/…" AND code = 7'
    #[arg(long, value_name = "F")]
    pub filter: Option<String>,
    #[command(flatten)]
    pub page: PageArgs,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn global_flags_work_after_the_subcommand() {
        let cli = Cli::try_parse_from([
            "eiso",
            "units",
            "rename",
            "31",
            "--name",
            "Phòng Giáo dục",
            "--reason",
            "Quyết định số 12/QĐ-UBND",
            "-o",
            "json",
        ]);
        let cli = cli.map_err(|error| error.to_string());
        assert!(cli.is_ok(), "{cli:?}");
        if let Ok(cli) = cli {
            assert_eq!(cli.reason.as_deref(), Some("Quyết định số 12/QĐ-UBND"));
            assert_eq!(cli.output, OutputFormat::Json);
            assert!(matches!(
                cli.command,
                Command::Units(UnitsCommand::Rename(UnitRenameArgs { ref unit, .. })) if unit == "units/31"
            ));
        }
    }

    #[test]
    fn a_bad_role_binding_is_a_usage_error() {
        let result = Cli::try_parse_from(["eiso", "clients", "create", "--name", "x", "--role", "boss@units/a"]);
        assert!(result.is_err());
        let result = Cli::try_parse_from(["eiso", "clients", "create", "--name", "x"]);
        assert!(result.is_err(), "--role is required");
    }

    #[test]
    fn the_long_help_documents_exit_codes() {
        let help = Cli::command().render_long_help().to_string();
        assert!(help.contains("26  UNAUTHENTICATED"), "{help}");
    }
}
