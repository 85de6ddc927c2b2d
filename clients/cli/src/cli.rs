//! The command line: every command, flag and its help.

use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, Utc};
use clap::{ArgGroup, Args, Parser, Subcommand};
use eiso_proto::eiso::documents::v1::{Confidentiality, Disposition, DocumentType};
use eiso_proto::eiso::identity::v1::{RoleBinding, UnitKind};
use eiso_proto::eiso::procedures::v1::{ApplicantType, Channel, Form, ReceivedDocument, Satisfaction, Suspension};

use crate::enum_arg::EnumArg;
use crate::error::EXIT_CODES_HELP;
use crate::names::{
    DocumentOrRevision, DossierRef, DueArg, client_name, document_name, document_or_revision, dossier_ref, file_name,
    optional_unit_name, parse_received_document, parse_role_binding, procedure_name, procedure_or_version,
    procedure_version_name, record_name, revision_name, trail_name, unit_name, upload_parent_name, user_name,
};
use crate::output::{OutputFormat, parse_date, parse_time, to_timestamp};

/// The server used when neither `--server`, `EISO_SERVER` nor a saved session
/// names one.
pub const DEFAULT_SERVER: &str = "http://127.0.0.1:50051";

/// The help heading of the flags every command takes.
const GLOBAL: &str = "Global options";

/// eiso: manage the organisation, users, API clients, controlled documents,
/// quality records, the procedures catalogue, office calendars, dossiers at
/// the one-stop counter and the audit trail of an eiso server.
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
    /// rename, merge, dissolve, revoke, docs obsolete, docs checkin --force,
    /// records dispose, procedures withdraw and dossiers refuse, supplement,
    /// extend and stop, which also send it as their reason; docs create and docs
    /// revise keep it as the new revision's change reason; dossiers withdraw
    /// records it as the applicant's reason)
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
    /// The catalogue of administrative procedures (thủ tục hành chính):
    /// import, export, list, show, publish, withdraw
    #[command(subcommand)]
    Procedures(ProceduresCommand),
    /// Office calendars: office hours, days off and make-up days, and the due
    /// time of a processing time
    #[command(subcommand)]
    Calendar(CalendarCommand),
    /// Dossiers (hồ sơ) at the one-stop counter: receive, hand over, complete,
    /// return, rate, list, show, print the forms, statistics
    #[command(subcommand)]
    Dossiers(DossiersCommand),
    /// Search everything you may see, in Vietnamese with or without
    /// diacritics: `eiso search "ho so chuyen truong"`; `eiso search status`,
    /// `eiso search rebuild`
    Search(SearchArgs),
    /// Reform plans (kế hoạch CCHC): import, export, list, show, tasks, progress, evidence,
    /// targets, reports
    #[command(subcommand)]
    Plans(crate::commands::plans::PlansCommand),
    /// The dossiers' sync with the National Public Service Portal: status,
    /// list (e.g. --state parked), show, resend
    #[command(subcommand)]
    Sync(crate::commands::sync::SyncCommand),
    /// The messages to applicants (e-mail, SMS): list (e.g. --state parked,
    /// --dossier ID), resend
    #[command(subcommand)]
    Notifications(crate::commands::notifications::NotificationsCommand),
    /// The quality system: inspections, internal audits, findings, corrective
    /// actions, management reviews, the ISO 18091 diagnostic
    #[command(subcommand)]
    Quality(crate::commands::quality::QualityCommand),
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
    #[arg(long, value_parser = EnumArg::<UnitKind>::new())]
    pub kind: UnitKind,
    /// Parent unit (`units/ID` or `ID`); none for a root
    #[arg(long, value_name = "UNIT", value_parser = unit_name)]
    pub parent: Option<String>,
    /// Where the unit's documents are dated (địa danh, e.g. "Hải An"); the
    /// nearest unit above's when not given
    #[arg(long, value_name = "PLACE")]
    pub place_name: Option<String>,
    #[command(flatten)]
    pub letterhead: LetterheadArgs,
    /// Idempotency key: repeat a create that may have failed with the same id
    /// and the server returns the first result instead of creating twice
    /// [default: a new UUID]
    #[arg(long, value_name = "ID")]
    pub request_id: Option<String>,
}

/// How a unit's documents are numbered and signed (Nghị định 30/2020/NĐ-CP).
#[derive(Debug, Args)]
pub struct LetterheadArgs {
    /// Its abbreviation in document symbols, e.g. "PGDĐT": reports are numbered
    /// "Số: 15/BC-PGDĐT"
    #[arg(long, value_name = "SYMBOL")]
    pub document_symbol: Option<String>,
    /// The title its head signs under, e.g. "TRƯỞNG PHÒNG"
    #[arg(long, value_name = "TITLE")]
    pub signer_title: Option<String>,
    /// The name printed under the signature, e.g. "Nguyễn Thị Minh Thu"
    #[arg(long, value_name = "NAME")]
    pub signer_name: Option<String>,
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
    #[arg(long, value_parser = EnumArg::<UnitKind>::new())]
    pub kind: Option<UnitKind>,
    /// New parent unit; an empty value ("") makes the unit a root
    #[arg(long, value_name = "UNIT", value_parser = optional_unit_name)]
    pub parent: Option<String>,
    /// Where its documents are dated (địa danh); "" to take the nearest unit above's
    #[arg(long, value_name = "PLACE")]
    pub place_name: Option<String>,
    #[command(flatten)]
    pub letterhead: LetterheadArgs,
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
    /// Recompute the hash chain of every service's trail, one line each, or of
    /// the one --trail names; exits with 1 when a trail is broken
    Verify {
        /// Only this trail (a service name) [default: every trail]
        #[arg(long, value_parser = trail_name)]
        trail: Option<String>,
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
    /// Newest entries first (the trail's order reversed)
    #[arg(long)]
    pub newest_first: bool,
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
    #[arg(long = "type", value_name = "TYPE", value_parser = EnumArg::<DocumentType>::new())]
    pub doc_type: DocumentType,
    /// The unit that owns it (`units/ID` or `ID`)
    #[arg(long, value_name = "UNIT", value_parser = unit_name)]
    pub owner_unit: String,
    /// Who may read it
    #[arg(long, value_parser = EnumArg::<Confidentiality>::new(), default_value = "internal")]
    pub confidentiality: Confidentiality,
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
    #[arg(long, value_parser = EnumArg::<Disposition>::new())]
    pub disposition: Disposition,
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

/// How procedure versions are written on the command line.
const VERSION_HELP: &str = "`procedures/CODE/versions/N` or `CODE/N` (e.g. 2.002481/2)";

/// `eiso procedures …`.
#[derive(Debug, Subcommand)]
#[command(
    after_help = "Names: a procedure is its national code (2.002481) or `procedures/2.002481`; a version is \
                  `procedures/2.002481/versions/2` or `2.002481/2`."
)]
pub enum ProceduresCommand {
    /// Import procedures from a CSV or XLSX file, one procedure a row (the
    /// columns of `eiso procedures export`): creates new ones and drafts new
    /// versions of changed ones
    #[command(
        after_help = "Each refused row is printed as `row N, COLUMN: what is wrong` (rows count the header as \
                      row 1); the other rows are still imported. Exits with 0 when every row was accepted, and \
                      with 4 when some were refused (with --dry-run: would be refused; nothing changes)."
    )]
    Import(ProcImportArgs),
    /// Export the catalogue's published versions to a CSV or XLSX file, in the
    /// columns `eiso procedures import` reads
    Export(ProcExportArgs),
    /// List procedures with their published versions (filter over state,
    /// field, agency, level)
    List(QueryArgs),
    /// Show a procedure's published version (or the version asked): steps
    /// with their hours, required documents, fees, legal basis
    Show {
        /// A procedure (2.002481, `procedures/2.002481`) or one of its versions
        /// (`procedures/2.002481/versions/2`, `2.002481/2`)
        #[arg(value_name = "CODE_OR_NAME", value_parser = procedure_or_version)]
        procedure: String,
    },
    /// Publish a draft version: new dossiers are received under it, running
    /// ones keep theirs
    Publish {
        #[arg(value_name = "VERSION", value_parser = procedure_version_name, help = VERSION_HELP)]
        version: String,
    },
    /// Withdraw a procedure: no new dossiers, running ones continue (needs
    /// --reason)
    Withdraw {
        /// The national code (2.002481) or `procedures/CODE`
        #[arg(value_name = "CODE", value_parser = procedure_name)]
        procedure: String,
    },
}

/// `eiso procedures import`.
#[derive(Debug, Args)]
pub struct ProcImportArgs {
    /// The file: `.csv` (UTF-8 with a header row) or `.xlsx` (first sheet)
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Publish what is imported (otherwise new versions stay drafts)
    #[arg(long)]
    pub publish: bool,
    /// Check only: report what would change, change nothing
    #[arg(long)]
    pub dry_run: bool,
}

/// `eiso procedures export`.
#[derive(Debug, Args)]
pub struct ProcExportArgs {
    /// Where to save it; the format follows the extension, `.csv` or `.xlsx`
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// AIP-160 filter over state, field, agency, level, e.g. 'field = "Giáo dục trung học"'
    #[arg(long, value_name = "F")]
    pub filter: Option<String>,
    /// Replace FILE if it exists
    #[arg(long)]
    pub force: bool,
}

/// `eiso calendar …`.
#[derive(Debug, Subcommand)]
#[command(
    after_help = "AGENCY is the unit whose calendar it is, `units/ID` or `ID`; its calendar is `calendars/ID`. \
                  Times are local (Asia/Ho_Chi_Minh)."
)]
pub enum CalendarCommand {
    /// Show an agency's office hours and working days, and one year's days
    /// off and make-up working days
    Show(CalendarShowArgs),
    /// Propose a year's days off and make-up days from the rules (Labour Code
    /// 2019, the lunar calendar) for an administrator to confirm; stores nothing
    Propose(CalendarProposeArgs),
    /// Confirm a year's days off and make-up days, so that deadlines may run
    /// into it (an administrator of the agency or a unit above it): the
    /// year's stored proposal or, when none is stored, the rules' proposal;
    /// or the days in --from FILE. A year already confirmed is left as it is
    Confirm(CalendarConfirmArgs),
    /// Compute when a processing time is due, as the server computes it for a
    /// dossier received at that moment
    Deadline(DeadlineArgs),
}

/// `eiso calendar show`.
#[derive(Debug, Args)]
pub struct CalendarShowArgs {
    /// The agency, `units/ID` or `ID`
    #[arg(value_name = "AGENCY", value_parser = unit_name)]
    pub agency: String,
    /// The year whose days off to show [default: this year]
    #[arg(long, value_name = "YEAR", value_parser = clap::value_parser!(i32).range(1900..=2199))]
    pub year: Option<i32>,
}

/// `eiso calendar propose`.
#[derive(Debug, Args)]
pub struct CalendarProposeArgs {
    /// The agency, `units/ID` or `ID`
    #[arg(value_name = "AGENCY", value_parser = unit_name)]
    pub agency: String,
    /// The year to propose
    #[arg(long, value_name = "YEAR", value_parser = clap::value_parser!(i32).range(1900..=2199))]
    pub year: i32,
}

/// `eiso calendar confirm`.
#[derive(Debug, Args)]
#[command(
    after_help = "To confirm the days the government announced rather than the rules' proposal: \
                        `eiso calendar propose AGENCY --year YEAR -o json > YEAR.json`, correct the file, \
                        then `eiso calendar confirm AGENCY --year YEAR --from YEAR.json`."
)]
pub struct CalendarConfirmArgs {
    /// The agency, `units/ID` or `ID`
    #[arg(value_name = "AGENCY", value_parser = unit_name)]
    pub agency: String,
    /// The year to confirm
    #[arg(long, value_name = "YEAR", value_parser = clap::value_parser!(i32).range(1900..=2199))]
    pub year: i32,
    /// Confirm these days instead: a year as `eiso calendar propose -o json`
    /// prints it (its `days_off` and `makeup_days`); replaces a confirmed year
    #[arg(long, value_name = "FILE")]
    pub from: Option<PathBuf>,
}

/// `eiso calendar deadline`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("budget").required(true).args(["days", "hours"])))]
pub struct DeadlineArgs {
    /// The agency whose calendar counts the time, `units/ID` or `ID`
    #[arg(value_name = "AGENCY", value_parser = unit_name)]
    pub agency: String,
    /// When the dossier is received [default: now]: "dd/mm/yyyy HH:MM"
    /// (Asia/Ho_Chi_Minh) or RFC 3339
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub received: Option<DateTime<Utc>>,
    /// The processing time in working days
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(i32).range(1..=3650))]
    pub days: Option<i32>,
    /// The processing time in working hours
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(i32).range(1..=87600))]
    pub hours: Option<i32>,
    /// A wait for the applicant's supplement, "dd/mm/yyyy HH:MM..dd/mm/yyyy
    /// HH:MM", or "dd/mm/yyyy HH:MM.." while still waiting; repeat for several,
    /// in order
    #[arg(long = "supplement", value_name = "FROM..TO", value_parser = parse_suspension)]
    pub supplements: Vec<Suspension>,
    /// The clock pauses during a supplement and resumes where it stopped
    /// [default: it restarts from zero when the complete dossier arrives]
    #[arg(long)]
    pub pause: bool,
}

/// clap value parser for `FROM..TO` or `FROM..`: a supplement's span.
pub fn parse_suspension(input: &str) -> Result<Suspension, String> {
    let (from, to) = input.split_once("..").ok_or_else(|| {
        format!("`{input}` is not a span: expected \"dd/mm/yyyy HH:MM..dd/mm/yyyy HH:MM\" or \"dd/mm/yyyy HH:MM..\"")
    })?;
    let start = parse_time(from)?;
    let end = if to.trim().is_empty() {
        None
    } else {
        let end = parse_time(to)?;
        if end < start {
            return Err(format!("`{input}`: the supplement arrives before it was requested"));
        }
        Some(end)
    };
    Ok(Suspension {
        start_time: Some(to_timestamp(start)),
        end_time: end.map(to_timestamp),
    })
}

/// `eiso dossiers …`.
#[derive(Debug, Subcommand)]
#[command(
    after_help = "Names: a dossier is `dossiers/ID`, `ID`, or its code as printed on the receipt \
                  (PGD-250310-0001). Times are local (Asia/Ho_Chi_Minh)."
)]
pub enum DossiersCommand {
    /// Receive a complete dossier at the counter: prints its code and the
    /// appointment to give the applicant
    Receive(DossierReceiveArgs),
    /// Record a dossier refused at intake (needs --reason: why it is refused)
    Refuse(DossierRefuseArgs),
    /// Ask the applicant for missing documents; the clock stops (needs --reason)
    Supplement(DossierSupplementArgs),
    /// Record that the requested supplement arrived; the clock restarts or
    /// resumes as the procedure says
    Resume {
        #[arg(value_name = "DOSSIER", value_parser = dossier_ref)]
        dossier: DossierRef,
    },
    /// Hand the dossier on to the next step of its procedure (the control slip)
    Handover(DossierHandoverArgs),
    /// Give a new appointment with an apology: once, and at least one working
    /// day before the due time (needs --reason: why it is late)
    Extend(DossierExtendArgs),
    /// Stop processing (needs --reason)
    Stop {
        #[arg(value_name = "DOSSIER", value_parser = dossier_ref)]
        dossier: DossierRef,
    },
    /// Record that the applicant withdrew the dossier (--reason: theirs, if
    /// they gave one)
    Withdraw {
        #[arg(value_name = "DOSSIER", value_parser = dossier_ref)]
        dossier: DossierRef,
    },
    /// Complete processing with the result
    Complete(DossierCompleteArgs),
    /// Record that the result was returned to the applicant
    Return {
        #[arg(value_name = "DOSSIER", value_parser = dossier_ref)]
        dossier: DossierRef,
    },
    /// Record the applicant's rating of a returned dossier
    Rate(DossierRateArgs),
    /// List dossiers, newest first
    List(DossierListArgs),
    /// Show a dossier: applicant, documents, deadlines, the control slip,
    /// supplements and its whole history
    Show {
        #[arg(value_name = "DOSSIER", value_parser = dossier_ref)]
        dossier: DossierRef,
    },
    /// Save a printable form of a dossier, or an agency's yearly register, as
    /// an HTML page to print from a browser
    Print(DossierPrintArgs),
    /// The service-quality measures of the dossiers received in a period
    Stats(DossierStatsArgs),
}

/// Who the applicant is.
#[derive(Debug, Args)]
pub struct ApplicantArgs {
    /// The applicant's full name (or the organisation's)
    #[arg(long = "name", value_name = "FULL_NAME")]
    pub name: String,
    /// Citizen ID number (số định danh cá nhân / CCCD)
    #[arg(long, value_name = "NUMBER")]
    pub id_number: Option<String>,
    /// Phone number
    #[arg(long, value_name = "PHONE")]
    pub phone: Option<String>,
    /// Address
    #[arg(long, value_name = "TEXT")]
    pub address: Option<String>,
    /// Email address
    #[arg(long, value_name = "EMAIL")]
    pub email: Option<String>,
    /// Who the applicant is: the forms address a person as "Ông/Bà"
    #[arg(long = "applicant-type", value_parser = EnumArg::<ApplicantType>::new(), default_value = "citizen")]
    pub applicant_type: ApplicantType,
}

/// `eiso dossiers receive`.
#[derive(Debug, Args)]
pub struct DossierReceiveArgs {
    /// The handling agency, `units/ID` or `ID`
    #[arg(long, value_name = "UNIT", value_parser = unit_name)]
    pub agency: String,
    /// The procedure, by national code (2.002481) or `procedures/CODE`; the
    /// dossier is received under its published version
    #[arg(long, value_name = "CODE", value_parser = procedure_name)]
    pub procedure: String,
    #[command(flatten)]
    pub applicant: ApplicantArgs,
    /// What is asked, in short (trích yếu)
    #[arg(long, value_name = "TEXT")]
    pub summary: Option<String>,
    /// How it came in
    #[arg(long, value_parser = EnumArg::<Channel>::new(), default_value = "direct")]
    pub channel: Channel,
    /// A document received, "Tên giấy tờ|KIND|SETS" with KIND ban-chinh,
    /// ban-sao-chung-thuc, ban-sao or chinh-hoac-sao-chung-thuc [default:
    /// ban-chinh] and SETS [default: 1]; repeat for several
    #[arg(long = "document", value_name = "DOCUMENT", value_parser = parse_received_document)]
    pub documents: Vec<ReceivedDocument>,
    /// How many sets of the dossier (bộ hồ sơ) the applicant hands in
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub sets: i32,
    /// Idempotency key: repeat a receipt that may have failed with the same id
    /// and the server does not receive the dossier twice [default: a new UUID]
    #[arg(long, value_name = "ID")]
    pub request_id: Option<String>,
}

/// `eiso dossiers refuse`.
#[derive(Debug, Args)]
pub struct DossierRefuseArgs {
    /// The agency, `units/ID` or `ID`
    #[arg(long, value_name = "UNIT", value_parser = unit_name)]
    pub agency: String,
    /// The procedure asked for, by national code or `procedures/CODE`
    #[arg(long, value_name = "CODE", value_parser = procedure_name)]
    pub procedure: String,
    #[command(flatten)]
    pub applicant: ApplicantArgs,
    /// Idempotency key [default: a new UUID]
    #[arg(long, value_name = "ID")]
    pub request_id: Option<String>,
}

/// `eiso dossiers supplement`.
#[derive(Debug, Args)]
pub struct DossierSupplementArgs {
    #[arg(value_name = "DOSSIER", value_parser = dossier_ref)]
    pub dossier: DossierRef,
    /// A document the applicant must add, e.g. "Học bạ (bản sao)"; repeat for
    /// several
    #[arg(long = "document", value_name = "TEXT", required = true)]
    pub documents: Vec<String>,
}

/// `eiso dossiers handover`.
#[derive(Debug, Args)]
pub struct DossierHandoverArgs {
    #[arg(value_name = "DOSSIER", value_parser = dossier_ref)]
    pub dossier: DossierRef,
    /// The step handed to, numbered from 1 as `eiso procedures show` lists
    /// them; it must be the next one [default: the next one]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(i32).range(1..=1000))]
    pub step: Option<i32>,
    /// Who receives it, `users/ID` or `ID`
    #[arg(long = "to", value_name = "USER", value_parser = user_name)]
    pub to: String,
    /// Your result or note for the next person
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
}

/// `eiso dossiers extend`.
#[derive(Debug, Args)]
pub struct DossierExtendArgs {
    #[arg(value_name = "DOSSIER", value_parser = dossier_ref)]
    pub dossier: DossierRef,
    /// The new appointment, after the current due time: "dd/mm/yyyy HH:MM"
    /// (Asia/Ho_Chi_Minh) or RFC 3339
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub new_appointment: DateTime<Utc>,
}

/// `eiso dossiers complete`.
#[derive(Debug, Args)]
pub struct DossierCompleteArgs {
    #[arg(value_name = "DOSSIER", value_parser = dossier_ref)]
    pub dossier: DossierRef,
    /// The result, in short (e.g. "Đồng ý chuyển trường")
    #[arg(long, value_name = "TEXT")]
    pub result: String,
    /// The result is issued as a digitised (electronic) document
    #[arg(long)]
    pub digitised: bool,
}

/// `eiso dossiers rate`.
#[derive(Debug, Args)]
pub struct DossierRateArgs {
    #[arg(value_name = "DOSSIER", value_parser = dossier_ref)]
    pub dossier: DossierRef,
    /// The applicant's rating
    #[arg(value_name = "RATING", value_parser = EnumArg::<Satisfaction>::new())]
    pub rating: Satisfaction,
    /// The applicant's comment
    #[arg(long, value_name = "TEXT")]
    pub comment: Option<String>,
}

/// `eiso dossiers list`.
#[derive(Debug, Args)]
pub struct DossierListArgs {
    /// AIP-160 filter over agency, procedure, status, assignee, code, due,
    /// e.g. 'status = "DOSSIER_STATUS_IN_PROGRESS"'; joined by AND with the
    /// flags below
    #[arg(long, value_name = "F")]
    pub filter: Option<String>,
    /// Only running dossiers due within one working day, or already overdue
    #[arg(long, value_enum, value_name = "WHEN")]
    pub due: Option<DueArg>,
    /// Only this agency's, `units/ID` or `ID`
    #[arg(long, value_name = "UNIT", value_parser = unit_name)]
    pub agency: Option<String>,
    /// Only those held by this officer, `users/ID` or `ID`
    #[arg(long, value_name = "USER", value_parser = user_name)]
    pub assignee: Option<String>,
    /// Order: 'receive_time desc' (default), 'due_time', 'code'
    #[arg(long, value_name = "O")]
    pub order_by: Option<String>,
    #[command(flatten)]
    pub page: PageArgs,
}

/// `eiso dossiers print`.
#[derive(Debug, Args)]
pub struct DossierPrintArgs {
    /// The dossier whose form to print
    #[arg(
        value_name = "DOSSIER",
        value_parser = dossier_ref,
        required_unless_present = "register",
        conflicts_with = "register"
    )]
    pub dossier: Option<DossierRef>,
    /// The form
    #[arg(
        long,
        value_parser = EnumArg::<Form>::new(),
        required_unless_present = "register",
        conflicts_with = "register"
    )]
    pub form: Option<Form>,
    /// Print an agency's yearly register of dossiers (form 06) instead
    #[arg(long, requires_all = ["agency", "year"])]
    pub register: bool,
    /// The register's agency, `units/ID` or `ID`
    #[arg(long, value_name = "UNIT", value_parser = unit_name, requires = "register")]
    pub agency: Option<String>,
    /// The register's year
    #[arg(long, value_name = "YEAR", value_parser = clap::value_parser!(i32).range(2000..=2199), requires = "register")]
    pub year: Option<i32>,
    /// Where to save the page: a path, or a directory to save it in [default:
    /// the name the server suggests, in the current directory]. (`-o` is the
    /// output format, so this is `-O`.)
    #[arg(long = "to", short = 'O', value_name = "PATH")]
    pub to: Option<PathBuf>,
    /// Replace the file at PATH if there is one
    #[arg(long)]
    pub force: bool,
}

/// `eiso dossiers stats`.
#[derive(Debug, Args)]
#[command(
    after_help = "Rates are percentages with one decimal, written with a decimal comma as reports write them \
                  (66,7%); -o json gives the fractions."
)]
pub struct DossierStatsArgs {
    /// The agency, `units/ID` or `ID` [default: every agency]
    #[arg(long, value_name = "UNIT", value_parser = unit_name)]
    pub agency: Option<String>,
    /// Only this procedure, by national code or `procedures/CODE`
    #[arg(long, value_name = "CODE", value_parser = procedure_name)]
    pub procedure: Option<String>,
    /// First day of the period, dd/mm/yyyy
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub from: NaiveDate,
    /// Last day of the period, dd/mm/yyyy (included)
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub to: NaiveDate,
}

/// `eiso search …`: a search, or one of the index commands.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct SearchArgs {
    #[command(subcommand)]
    pub command: Option<SearchCommand>,
    /// The words to find; `"…"` inside the query is a phrase. To search for
    /// the word "status" or "rebuild" alone, quote it inside: '"status"'
    #[arg(value_name = "QUERY")]
    pub query: Vec<String>,
    /// Only this kind: document, record, procedure, dossier, plan_task,
    /// finding, corrective_action, inspection, audit, diagnostic, assessment (repeatable)
    #[arg(long, value_name = "KIND")]
    pub kind: Vec<String>,
    /// Only items of this unit, `units/ID` (repeatable)
    #[arg(long, value_name = "UNIT", value_parser = unit_name)]
    pub unit: Vec<String>,
    /// Only this type, e.g. procedure, form (repeatable)
    #[arg(long = "type", value_name = "TYPE")]
    pub r#type: Vec<String>,
    /// Only this status, e.g. effective, obsolete (repeatable)
    #[arg(long, value_name = "STATUS")]
    pub status: Vec<String>,
    /// Newest first instead of by relevance
    #[arg(long)]
    pub newest: bool,
    #[command(flatten)]
    pub page: PageArgs,
}

/// `eiso search status|rebuild`.
#[derive(Debug, Subcommand)]
pub enum SearchCommand {
    /// How far the index is behind each service, its size, the last rebuild
    Status,
    /// Rebuild the index from the services' event streams (administrators);
    /// the current index serves until the new one replaces it
    Rebuild {
        /// Start it and return without waiting
        #[arg(long)]
        no_wait: bool,
    },
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

    /// The kind `units create` was given, or clap's error.
    fn created_kind(kind: &str) -> Result<UnitKind, String> {
        let cli = Cli::try_parse_from(["eiso", "units", "create", "--code", "c", "--name", "n", "--kind", kind])
            .map_err(|error| error.to_string())?;
        match cli.command {
            Command::Units(UnitsCommand::Create(args)) => Ok(args.kind),
            other => Err(format!("not units create: {other:?}")),
        }
    }

    #[test]
    fn units_create_takes_the_kinds_its_help_lists_and_vietnamese_aliases() {
        let mut command = Cli::command();
        let help = command
            .find_subcommand_mut("units")
            .and_then(|units| units.find_subcommand_mut("create"))
            .map(|create| create.render_long_help().to_string())
            .unwrap_or_default();
        for name in crate::enum_arg::arg_names::<UnitKind>() {
            assert!(help.contains(&format!("{name}:")), "{name} missing from\n{help}");
            assert!(created_kind(&name).is_ok(), "{name} listed but refused");
        }
        assert!(help.contains("also: mn, mầm-non"), "{help}");
        assert!(help.contains("also: thcs, trung-học-cơ-sở"), "{help}");
        assert_eq!(created_kind("phòng"), Ok(UnitKind::Office));
        assert_eq!(created_kind("phong"), Ok(UnitKind::Office));
        assert_eq!(created_kind("MN"), Ok(UnitKind::Preschool));
        assert_eq!(created_kind("Tiểu học"), Ok(UnitKind::PrimarySchool));
        assert_eq!(created_kind("thcs"), Ok(UnitKind::LowerSecondarySchool));
        assert_eq!(created_kind("THPT"), Ok(UnitKind::UpperSecondarySchool));
        let refused = created_kind("school");
        assert!(
            refused.as_ref().is_err_and(|error| error.contains("primary-school")),
            "a refusal lists the kinds: {refused:?}"
        );
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
            assert_eq!(args.confidentiality, Confidentiality::Internal);
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
    fn dossiers_receive_takes_documents_and_a_code_or_id() {
        let cli = Cli::try_parse_from([
            "eiso",
            "dossiers",
            "receive",
            "--agency",
            "pgd",
            "--procedure",
            "2.002481",
            "--name",
            "Nguyễn Văn An",
            "--document",
            "Đơn xin chuyển trường|ban-chinh|1",
            "--document",
            "Giấy khai sinh|ban-sao-chung-thuc",
            "--channel",
            "online",
        ]);
        let cli = cli.map_err(|error| error.to_string());
        assert!(cli.is_ok(), "{cli:?}");
        if let Ok(Cli {
            command: Command::Dossiers(DossiersCommand::Receive(args)),
            ..
        }) = cli
        {
            assert_eq!(args.agency, "units/pgd");
            assert_eq!(args.procedure, "procedures/2.002481");
            assert_eq!(args.channel, Channel::Online);
            assert_eq!(args.documents.len(), 2);
        }
        let result = Cli::try_parse_from([
            "eiso",
            "dossiers",
            "receive",
            "--agency",
            "pgd",
            "--procedure",
            "2.002481",
        ]);
        assert!(result.is_err(), "--name is required");
        let cli = Cli::try_parse_from(["eiso", "dossiers", "rate", "PGD-250310-0001", "very-satisfied"]);
        assert!(matches!(
            cli,
            Ok(Cli {
                command: Command::Dossiers(DossiersCommand::Rate(DossierRateArgs {
                    dossier: DossierRef::Code(_),
                    rating: Satisfaction::VerySatisfied,
                    ..
                })),
                ..
            })
        ));
        assert!(Cli::try_parse_from(["eiso", "dossiers", "rate", "d-1", "rat-hai-long"]).is_err());
    }

    #[test]
    fn dossiers_print_is_a_form_of_a_dossier_or_the_register() {
        assert!(Cli::try_parse_from(["eiso", "dossiers", "print", "d-1", "--form", "receipt", "-O", "a.html"]).is_ok());
        assert!(
            Cli::try_parse_from(["eiso", "dossiers", "print", "d-1"]).is_err(),
            "--form is required"
        );
        assert!(Cli::try_parse_from(["eiso", "dossiers", "print", "--form", "receipt"]).is_err());
        assert!(
            Cli::try_parse_from([
                "eiso",
                "dossiers",
                "print",
                "--register",
                "--agency",
                "pgd",
                "--year",
                "2025"
            ])
            .is_ok()
        );
        assert!(Cli::try_parse_from(["eiso", "dossiers", "print", "--register", "--agency", "pgd"]).is_err());
        assert!(Cli::try_parse_from(["eiso", "dossiers", "print", "d-1", "--form", "receipt", "--register"]).is_err());
    }

    #[test]
    fn calendar_deadline_takes_days_or_hours_and_supplement_spans() {
        let base = ["eiso", "calendar", "deadline", "pgd", "--received", "10/03/2025 08:00"];
        assert!(Cli::try_parse_from(base).is_err(), "--days or --hours is required");
        let mut both = base.to_vec();
        both.extend(["--days", "3", "--hours", "8"]);
        assert!(Cli::try_parse_from(both).is_err());
        let mut with_supplement = base.to_vec();
        with_supplement.extend([
            "--days",
            "3",
            "--supplement",
            "10/03/2025 14:00..12/03/2025 14:00",
            "--supplement",
            "13/03/2025 09:00..",
            "--pause",
        ]);
        let cli = Cli::try_parse_from(with_supplement).map_err(|error| error.to_string());
        assert!(cli.is_ok(), "{cli:?}");
        if let Ok(Cli {
            command: Command::Calendar(CalendarCommand::Deadline(args)),
            ..
        }) = cli
        {
            assert_eq!(args.agency, "units/pgd");
            assert_eq!(args.days, Some(3));
            assert!(args.pause);
            assert!(args.supplements[0].end_time.is_some());
            assert!(args.supplements[1].end_time.is_none());
        }
        assert!(parse_suspension("12/03/2025 14:00..10/03/2025 14:00").is_err());
        assert!(parse_suspension("12/03/2025 14:00").is_err());
    }

    #[test]
    fn procedures_commands_take_codes_and_versions() {
        let cli = Cli::try_parse_from(["eiso", "procedures", "publish", "2.002481/2"]);
        assert!(matches!(
            cli,
            Ok(Cli {
                command: Command::Procedures(ProceduresCommand::Publish { ref version }),
                ..
            }) if version == "procedures/2.002481/versions/2"
        ));
        assert!(Cli::try_parse_from(["eiso", "procedures", "publish", "2.002481"]).is_err());
        let help = Cli::command()
            .find_subcommand_mut("procedures")
            .and_then(|procedures| procedures.find_subcommand_mut("import"))
            .map(|import| import.render_long_help().to_string())
            .unwrap_or_default();
        assert!(help.contains("with 4 when some were refused"), "{help}");
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
