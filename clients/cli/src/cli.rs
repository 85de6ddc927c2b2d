//! The command line: every command, flag and its help.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use clap::{Args, Parser, Subcommand};
use eiso_proto::eiso::identity::v1::RoleBinding;

use crate::error::EXIT_CODES_HELP;
use crate::names::{
    ConfidentialityArg, DispositionArg, DocTypeArg, DocumentOrRevision, KindArg, client_name, document_name,
    document_or_revision, file_name, optional_unit_name, parse_role_binding, record_name, revision_name, trail_name,
    unit_name, upload_parent_name, user_name,
};
use crate::output::{OutputFormat, parse_time};

/// The server used when neither `--server`, `EISO_SERVER` nor a saved session
/// names one.
pub const DEFAULT_SERVER: &str = "http://127.0.0.1:50051";

/// The help heading of the flags every command takes.
const GLOBAL: &str = "Global options";

/// eiso: manage the organisation, users, API clients, controlled documents,
/// quality records and the audit trail of an eiso server.
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
    /// rename, merge, dissolve, revoke, docs obsolete, docs checkin --force and
    /// records dispose; docs create and docs revise also keep it as the new
    /// revision's change reason)
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
    /// Controlled documents: create, revise, upload, review, publish,
    /// download, acknowledge
    #[command(subcommand)]
    Docs(DocsCommand),
    /// Quality records (hồ sơ): create, close, dispose at the end of retention
    #[command(subcommand)]
    Records(RecordsCommand),
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

/// How revisions are written on the command line, repeated in each help text.
const REVISION_HELP: &str = "`documents/ID/revisions/N` or the short `ID/N` (document id, slash, revision number)";

/// `eiso docs …`.
#[derive(Debug, Subcommand)]
#[command(
    after_help = "Names: a document is `documents/ID` or `ID`; a revision is `documents/ID/revisions/N` \
                        or `ID/N`; a file is the full name `eiso docs show` prints."
)]
pub enum DocsCommand {
    /// Create a controlled document and (unless --no-revision) its first
    /// draft; the global --reason becomes the draft's change reason
    Create(DocCreateArgs),
    /// List documents (filter over code, type, owner_unit, state,
    /// confidentiality, tag)
    List(QueryArgs),
    /// Show a document with its effective revision (files, reviews), or one
    /// revision when given `ID/N`
    Show(DocShowArgs),
    /// A document's revisions, newest first: its amendment history
    History(DocHistoryArgs),
    /// Start a new draft revision of a document; the global --reason becomes
    /// its change reason
    Revise(DocReviseArgs),
    /// Upload a file to a draft revision or an open record
    Upload(UploadArgs),
    /// Download a file, checking its SHA-256
    Download(DownloadArgs),
    /// Lock a draft for yourself while you edit it
    Checkout {
        #[arg(value_name = "REVISION", value_parser = revision_name, help = REVISION_HELP)]
        revision: String,
    },
    /// Release the lock on a draft (another editor's with --force, which
    /// needs --reason)
    Checkin {
        #[arg(value_name = "REVISION", value_parser = revision_name, help = REVISION_HELP)]
        revision: String,
        /// Release another editor's lock (document controllers only; needs
        /// --reason, recorded in the audit trail)
        #[arg(long)]
        force: bool,
    },
    /// Send a draft for review by the named reviewers (not its author)
    Submit(DocSubmitArgs),
    /// Approve a revision you were asked to review
    Approve {
        #[arg(value_name = "REVISION", value_parser = revision_name, help = REVISION_HELP)]
        revision: String,
        /// Your comment
        #[arg(long, value_name = "TEXT")]
        comment: Option<String>,
    },
    /// Reject a revision you were asked to review: it goes back to draft
    Reject {
        #[arg(value_name = "REVISION", value_parser = revision_name, help = REVISION_HELP)]
        revision: String,
        /// What must change
        #[arg(long, value_name = "TEXT")]
        comment: String,
    },
    /// Publish an approved revision: it becomes effective and the previous
    /// one superseded
    Publish(DocPublishArgs),
    /// Withdraw a document from use (needs --reason)
    Obsolete {
        /// `documents/ID` or `ID`
        #[arg(value_name = "DOCUMENT", value_parser = document_name)]
        document: String,
        /// Refuse the change if the document changed since this etag was read
        #[arg(long)]
        etag: Option<String>,
    },
    /// Record that you have read an effective revision
    Ack {
        #[arg(value_name = "REVISION", value_parser = revision_name, help = REVISION_HELP)]
        revision: String,
    },
    /// Who was asked to acknowledge a revision, and who has
    Acks(DocAcksArgs),
    /// Effective documents whose periodic review is due or overdue
    ReviewDue(DocReviewDueArgs),
}

/// `eiso docs create`.
#[derive(Debug, Args)]
pub struct DocCreateArgs {
    /// Document code, unique within the owner unit (e.g. QT-TTHC-01)
    #[arg(long)]
    pub code: String,
    /// Title in Vietnamese (e.g. "Quy trình tiếp nhận và trả kết quả hồ sơ")
    #[arg(long)]
    pub title: String,
    /// Kind of documented information
    #[arg(long = "type", value_enum, value_name = "TYPE")]
    pub doc_type: DocTypeArg,
    /// The unit that owns it (`units/ID` or `ID`)
    #[arg(long, value_name = "UNIT", value_parser = unit_name)]
    pub owner_unit: String,
    /// Who may read it
    #[arg(long, value_enum, default_value_t = ConfidentialityArg::Internal)]
    pub confidentiality: ConfidentialityArg,
    /// Months between periodic reviews (0 or none: no periodic review)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(i32).range(0..=120))]
    pub review_months: Option<i32>,
    /// A free tag (e.g. "một cửa"); repeat for several
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// External documents: the issuing body (e.g. "Chính phủ")
    #[arg(long, value_name = "TEXT", requires = "reference")]
    pub issuer: Option<String>,
    /// External documents: number and symbol (e.g. 118/2025/NĐ-CP)
    #[arg(long, value_name = "TEXT", requires = "issuer")]
    pub reference: Option<String>,
    /// External documents: date of issue, dd/mm/yyyy
    #[arg(long, value_name = "DATE", value_parser = parse_time, requires = "issuer")]
    pub issued: Option<DateTime<Utc>>,
    /// Create the document only, without its first draft revision
    #[arg(long, conflicts_with = "summary")]
    pub no_revision: bool,
    /// What the first draft is (its change summary, e.g. "Ban hành lần đầu")
    #[arg(long, value_name = "TEXT")]
    pub summary: Option<String>,
    /// Idempotency key: repeat a create that may have failed with the same id
    /// and the server returns the first result instead of creating twice
    /// [default: a new UUID]
    #[arg(long, value_name = "ID")]
    pub request_id: Option<String>,
}

/// `eiso docs show`.
#[derive(Debug, Args)]
pub struct DocShowArgs {
    /// A document (`documents/ID` or `ID`) or one of its revisions
    /// (`documents/ID/revisions/N` or `ID/N`)
    #[arg(value_name = "DOCUMENT_OR_REVISION", value_parser = document_or_revision)]
    pub target: DocumentOrRevision,
    /// Show the revision that was effective at this time instead of now:
    /// "dd/mm/yyyy HH:MM" (Asia/Ho_Chi_Minh) or RFC 3339
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub as_of: Option<DateTime<Utc>>,
}

/// `eiso docs history`.
#[derive(Debug, Args)]
pub struct DocHistoryArgs {
    /// `documents/ID` or `ID`
    #[arg(value_name = "DOCUMENT", value_parser = document_name)]
    pub document: String,
    #[command(flatten)]
    pub page: PageArgs,
}

/// `eiso docs revise`.
#[derive(Debug, Args)]
pub struct DocReviseArgs {
    /// `documents/ID` or `ID`
    #[arg(value_name = "DOCUMENT", value_parser = document_name)]
    pub document: String,
    /// What changes in this revision (the amendment record)
    #[arg(long, value_name = "TEXT")]
    pub summary: Option<String>,
    /// Idempotency key [default: a new UUID]
    #[arg(long, value_name = "ID")]
    pub request_id: Option<String>,
}

/// `eiso docs upload`.
#[derive(Debug, Args)]
pub struct UploadArgs {
    /// A draft revision (`documents/ID/revisions/N` or `ID/N`) or an open
    /// record (`records/ID`)
    #[arg(value_name = "REVISION_OR_RECORD", value_parser = upload_parent_name)]
    pub parent: String,
    /// The file to upload
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// MIME type [default: guessed from the extension: pdf, docx, xlsx, doc,
    /// xls, odt, txt, png, jpg; else application/octet-stream]
    #[arg(long, value_name = "MIME")]
    pub content_type: Option<String>,
    /// The name to store it under [default: FILE's own name]
    #[arg(long, value_name = "NAME")]
    pub file_name: Option<String>,
}

/// `eiso docs download`.
#[derive(Debug, Args)]
pub struct DownloadArgs {
    /// The file's full name, as `eiso docs show` prints it
    /// (`documents/ID/revisions/N/files/FILE_ID` or `records/ID/files/FILE_ID`)
    #[arg(value_name = "FILE_NAME", value_parser = file_name)]
    pub file: String,
    /// Where to save it: a path, or a directory to save it in under its own
    /// name [default: its own name in the current directory]. (`-o` is the
    /// output format, so this is `-O`.)
    #[arg(long = "to", short = 'O', value_name = "PATH")]
    pub to: Option<PathBuf>,
    /// Replace the file at PATH if there is one
    #[arg(long)]
    pub force: bool,
}

/// `eiso docs submit`.
#[derive(Debug, Args)]
pub struct DocSubmitArgs {
    #[arg(value_name = "REVISION", value_parser = revision_name, help = REVISION_HELP)]
    pub revision: String,
    /// A reviewer (`users/ID` or `ID`); repeat for several
    #[arg(long = "reviewer", value_name = "USER", required = true, value_parser = user_name)]
    pub reviewers: Vec<String>,
    /// Refuse the change if the revision changed since this etag was read
    #[arg(long)]
    pub etag: Option<String>,
}

/// `eiso docs publish`.
#[derive(Debug, Args)]
pub struct DocPublishArgs {
    #[arg(value_name = "REVISION", value_parser = revision_name, help = REVISION_HELP)]
    pub revision: String,
    /// A user who must acknowledge reading it (`users/ID` or `ID`); repeatable
    #[arg(long = "ack-user", value_name = "USER", value_parser = user_name)]
    pub ack_users: Vec<String>,
    /// A unit whose users must acknowledge reading it (`units/ID` or `ID`);
    /// repeatable
    #[arg(long = "ack-unit", value_name = "UNIT", value_parser = unit_name)]
    pub ack_units: Vec<String>,
    /// Refuse the change if the revision changed since this etag was read
    #[arg(long)]
    pub etag: Option<String>,
}

/// `eiso docs acks`.
#[derive(Debug, Args)]
pub struct DocAcksArgs {
    #[arg(value_name = "REVISION", value_parser = revision_name, help = REVISION_HELP)]
    pub revision: String,
    /// Only those who have not acknowledged yet
    #[arg(long)]
    pub pending: bool,
    #[command(flatten)]
    pub page: PageArgs,
}

/// `eiso docs review-due`.
#[derive(Debug, Args)]
pub struct DocReviewDueArgs {
    /// Include documents due within this many days (0: overdue only)
    #[arg(long, value_name = "N", default_value_t = 30, value_parser = clap::value_parser!(i32).range(0..=3660))]
    pub within_days: i32,
    #[command(flatten)]
    pub page: PageArgs,
}

/// `eiso records …`.
#[derive(Debug, Subcommand)]
#[command(
    after_help = "Names: a record is `records/ID` or `ID`. Upload a record's files with \
                        `eiso docs upload records/ID FILE`."
)]
pub enum RecordsCommand {
    /// Create a quality record (hồ sơ)
    Create(RecordCreateArgs),
    /// List records (filter over owner_unit, document, state, disposition)
    List(QueryArgs),
    /// Show one record with its files
    Show {
        /// `records/ID` or `ID`
        #[arg(value_name = "RECORD", value_parser = record_name)]
        record: String,
    },
    /// Close a record: its files freeze and its retention period starts
    Close {
        /// `records/ID` or `ID`
        #[arg(value_name = "RECORD", value_parser = record_name)]
        record: String,
        /// Refuse the change if the record changed since this etag was read
        #[arg(long)]
        etag: Option<String>,
    },
    /// Closed records whose retention has ended and that await disposition
    Due(RecordDueArgs),
    /// Carry out a record's disposition (needs --reason and --reference)
    Dispose {
        /// `records/ID` or `ID`
        #[arg(value_name = "RECORD", value_parser = record_name)]
        record: String,
        /// The minutes or decision, e.g. "Biên bản hủy số 05/BB-PGD"
        #[arg(long, value_name = "REF")]
        reference: String,
        /// Refuse the change if the record changed since this etag was read
        #[arg(long)]
        etag: Option<String>,
    },
}

/// `eiso records create`.
#[derive(Debug, Args)]
pub struct RecordCreateArgs {
    /// Title in Vietnamese (e.g. "Sổ theo dõi hồ sơ năm 2024")
    #[arg(long)]
    pub title: String,
    /// The unit keeping it (`units/ID` or `ID`)
    #[arg(long, value_name = "UNIT", value_parser = unit_name)]
    pub owner_unit: String,
    /// Months to keep it after it is closed (0: permanently)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(i32).range(0..=1200))]
    pub retention_months: i32,
    /// What happens when the retention ends
    #[arg(long, value_enum)]
    pub disposition: DispositionArg,
    /// The document (form or procedure) it is kept under (`documents/ID` or `ID`)
    #[arg(long, value_name = "DOCUMENT", value_parser = document_name)]
    pub document: Option<String>,
    /// Idempotency key [default: a new UUID]
    #[arg(long, value_name = "ID")]
    pub request_id: Option<String>,
}

/// `eiso records due`.
#[derive(Debug, Args)]
pub struct RecordDueArgs {
    /// Records whose retention ends by this time [default: now]: "dd/mm/yyyy
    /// HH:MM" (Asia/Ho_Chi_Minh) or RFC 3339
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub as_of: Option<DateTime<Utc>>,
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

    #[test]
    fn docs_commands_take_short_names_and_global_flags() {
        let cli = Cli::try_parse_from([
            "eiso",
            "docs",
            "submit",
            "d-1/2",
            "--reviewer",
            "u-1",
            "--reviewer",
            "users/u-2",
            "-o",
            "json",
        ]);
        let cli = cli.map_err(|error| error.to_string());
        assert!(cli.is_ok(), "{cli:?}");
        if let Ok(cli) = cli {
            assert_eq!(cli.output, OutputFormat::Json);
            assert!(matches!(
                cli.command,
                Command::Docs(DocsCommand::Submit(DocSubmitArgs { ref revision, ref reviewers, .. }))
                    if revision == "documents/d-1/revisions/2" && reviewers == &["users/u-1", "users/u-2"]
            ));
        }
        let result = Cli::try_parse_from(["eiso", "docs", "submit", "d-1/2"]);
        assert!(result.is_err(), "--reviewer is required");
        let result = Cli::try_parse_from(["eiso", "docs", "approve", "d-1"]);
        assert!(result.is_err(), "a document is not a revision");
    }

    #[test]
    fn download_saves_with_capital_o_because_small_o_is_the_format() {
        let cli = Cli::try_parse_from([
            "eiso",
            "docs",
            "download",
            "d-1/1/files/f-1",
            "-O",
            "/tmp/x.pdf",
            "-o",
            "json",
        ]);
        let cli = cli.map_err(|error| error.to_string());
        assert!(cli.is_ok(), "{cli:?}");
        if let Ok(cli) = cli {
            assert_eq!(cli.output, OutputFormat::Json);
            assert!(matches!(
                cli.command,
                Command::Docs(DocsCommand::Download(DownloadArgs { ref file, ref to, force: false }))
                    if file == "documents/d-1/revisions/1/files/f-1"
                        && to.as_deref() == Some(std::path::Path::new("/tmp/x.pdf"))
            ));
        }
    }

    #[test]
    fn docs_create_checks_its_flags() {
        let base = [
            "eiso",
            "docs",
            "create",
            "--code",
            "QT-TTHC-01",
            "--title",
            "Quy trình tiếp nhận hồ sơ",
            "--type",
            "procedure",
            "--owner-unit",
            "pgd",
        ];
        let cli = Cli::try_parse_from(base);
        assert!(cli.is_ok());
        if let Ok(Cli {
            command: Command::Docs(DocsCommand::Create(args)),
            ..
        }) = cli
        {
            assert_eq!(args.confidentiality, ConfidentialityArg::Internal);
            assert_eq!(args.owner_unit, "units/pgd");
            assert!(!args.no_revision);
        }
        let mut with_issuer = base.to_vec();
        with_issuer.extend(["--issuer", "Chính phủ"]);
        assert!(Cli::try_parse_from(with_issuer).is_err(), "--issuer needs --reference");
        let mut bad_months = base.to_vec();
        bad_months.extend(["--review-months", "121"]);
        assert!(Cli::try_parse_from(bad_months).is_err());
    }

    #[test]
    fn show_as_of_takes_a_local_time() {
        let cli = Cli::try_parse_from(["eiso", "docs", "show", "d-1", "--as-of", "01/07/2025 09:30"]);
        assert!(matches!(
            cli,
            Ok(Cli {
                command: Command::Docs(DocsCommand::Show(DocShowArgs { as_of: Some(_), .. })),
                ..
            })
        ));
        assert!(Cli::try_parse_from(["eiso", "docs", "show", "d-1", "--as-of", "hôm qua"]).is_err());
    }
}
