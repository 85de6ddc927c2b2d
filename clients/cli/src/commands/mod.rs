//! One module per command group, and what they share: paging ([`pages`]),
//! idempotency keys, and reading secrets from the terminal or standard input.

pub mod audit;
pub mod auth;
pub mod calendar;
pub mod clients;
pub mod docs;
pub mod dossiers;
pub mod files;
pub mod notifications;
pub mod pages;
pub mod plans;
pub mod procedures;
pub mod quality;
pub mod records;
pub mod search;
pub mod sync;
pub mod units;
pub mod update_mask;
pub mod users;

pub(crate) use pages::{list_method, list_query};
pub use pages::{list_pages, note_next_page, print_list, print_page};

use std::future::Future;
use std::io::{self, BufRead, IsTerminal, Write};

use eiso_proto::tonic::{Code, Response, Status};

use crate::cli::{Cli, Command};
use crate::context::Ctx;
use crate::error::CliError;

/// Runs the command the user gave.
pub async fn run(cli: Cli) -> Result<(), CliError> {
    let ctx = Ctx::new(&cli)?;
    match cli.command {
        Command::Login(args) => auth::login(&ctx, args).await,
        Command::Logout => auth::logout(&ctx),
        Command::Whoami => auth::whoami(&ctx).await,
        Command::Units(command) => units::run(&ctx, command).await,
        Command::Users(command) => users::run(&ctx, command).await,
        Command::Clients(command) => clients::run(&ctx, command).await,
        Command::Audit(command) => audit::run(&ctx, command).await,
        Command::Docs(command) => docs::run(&ctx, command).await,
        Command::Records(command) => records::run(&ctx, command).await,
        Command::Procedures(command) => procedures::run(&ctx, command).await,
        Command::Calendar(command) => calendar::run(&ctx, command).await,
        Command::Dossiers(command) => dossiers::run(&ctx, command).await,
        Command::Search(args) => search::run(&ctx, args).await,
        Command::Plans(command) => plans::run(&ctx, command).await,
        Command::Quality(command) => quality::run(&ctx, command).await,
        Command::Sync(command) => sync::run(&ctx, command).await,
        Command::Notifications(command) => notifications::run(&ctx, command).await,
    }
}

/// A value for an AIP-160 filter: quoted, with `"` and `\\` escaped.
pub fn filter_value(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Conditions joined by AND, skipping empty ones.
pub fn filter_and<'a>(conditions: impl IntoIterator<Item = &'a str>) -> String {
    conditions
        .into_iter()
        .map(str::trim)
        .filter(|condition| !condition.is_empty())
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// The filter `FIELD = VALUE AND …` of the fields given a value (a filter
/// value already as [`filter_value`] or an enum name).
pub fn filter_fields<const N: usize>(fields: [(&str, Option<String>); N]) -> String {
    fields
        .into_iter()
        .filter_map(|(field, value)| Some(format!("{field} = {}", value?)))
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// The idempotency key of a create: the one given, or a new UUID.
pub fn request_id(given: Option<&str>) -> String {
    given
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_string)
}

/// When a create failed in a way that leaves its outcome unknown, tells the
/// user how to repeat it safely with the same request id.
pub fn with_retry_hint(error: CliError, request_id: &str) -> CliError {
    match error.code() {
        Some(Code::Unavailable | Code::DeadlineExceeded | Code::Cancelled | Code::Unknown | Code::Internal) => error
            .with_hint(format!(
                "it may or may not have been created: repeat the same command with --request-id {request_id} \
                 and the server will not create it twice"
            )),
        _ => error,
    }
}

/// What a create answers, or its error with [`with_retry_hint`]:
/// `created(ctx, &request_id, ctx.identity().create_unit(request)).await?`.
pub async fn created<T>(
    ctx: &Ctx,
    request_id: &str,
    call: impl Future<Output = Result<Response<T>, Status>>,
) -> Result<T, CliError> {
    ctx.answer(call)
        .await
        .map_err(|error| with_retry_hint(error, request_id))
}

/// Reads one line from standard input without its line ending; an empty line
/// or end of input is an error naming `what` was expected.
pub fn read_stdin_line(what: &str) -> Result<String, CliError> {
    let mut line = String::new();
    io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|error| anyhow::Error::new(error).context(format!("cannot read the {what} from standard input")))?;
    let line = strip_line_ending(&line);
    if line.is_empty() {
        return Err(CliError::Usage(format!(
            "expected the {what} on standard input, found nothing"
        )));
    }
    Ok(line.to_string())
}

fn strip_line_ending(line: &str) -> &str {
    let line = line.strip_suffix('\n').unwrap_or(line);
    line.strip_suffix('\r').unwrap_or(line)
}

fn require_terminal(flag: &str) -> Result<(), CliError> {
    if io::stdin().is_terminal() {
        Ok(())
    } else {
        Err(CliError::Usage(format!(
            "standard input is not a terminal, so eiso cannot prompt: use {flag}"
        )))
    }
}

/// Asks for a line of visible text at the terminal (e.g. a username).
pub fn prompt_line(prompt: &str, what: &str, flag: &str) -> Result<String, CliError> {
    require_terminal(flag)?;
    let mut stderr = io::stderr().lock();
    let _ = write!(stderr, "{prompt}");
    let _ = stderr.flush();
    drop(stderr);
    let text = read_stdin_line(what)?;
    Ok(text.trim().to_string())
}

/// Asks for a secret at the terminal without echoing it.
pub fn prompt_secret(prompt: &str, flag: &str) -> Result<String, CliError> {
    require_terminal(flag)?;
    let secret = rpassword::prompt_password(prompt)
        .map_err(|error| anyhow::Error::new(error).context("cannot read the password from the terminal"))?;
    if secret.is_empty() {
        return Err(CliError::Usage("no password given".to_string()));
    }
    Ok(secret)
}

/// Asks for a new password twice at the terminal.
pub fn prompt_new_password(prompt: &str, flag: &str) -> Result<String, CliError> {
    let first = prompt_secret(prompt, flag)?;
    let second = prompt_secret("Repeat it: ", flag)?;
    if first != second {
        return Err(CliError::Usage(
            "the two passwords differ: nothing was changed".to_string(),
        ));
    }
    Ok(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_given_or_fresh() {
        assert_eq!(request_id(Some("r-1")), "r-1");
        let fresh = request_id(None);
        assert_eq!(
            uuid::Uuid::parse_str(&fresh).map(|id| id.get_version_num()).ok(),
            Some(4)
        );
        assert_ne!(fresh, request_id(None));
        assert_ne!(request_id(Some("  ")), "  ");
    }

    #[test]
    fn an_unknown_outcome_suggests_repeating_with_the_request_id() {
        use eiso_proto::tonic::Status;
        let error = with_retry_hint(CliError::rpc(Status::unavailable(""), "http://h:1"), "r-1");
        assert!(error.to_string().contains("--request-id r-1"));
        let error = with_retry_hint(CliError::rpc(Status::already_exists("code"), "http://h:1"), "r-1");
        assert!(!error.to_string().contains("--request-id"));
    }

    #[test]
    fn filters_quote_their_values_and_join_with_and() {
        assert_eq!(filter_value("PGD-250310-0001"), "\"PGD-250310-0001\"");
        assert_eq!(filter_value("a\"b\\c"), "\"a\\\"b\\\\c\"");
        assert_eq!(
            filter_and(["agency = \"units/x\"", " ", "due = \"soon\""]),
            "agency = \"units/x\" AND due = \"soon\""
        );
        assert_eq!(filter_and([]), "");
        assert_eq!(
            filter_fields([
                ("state", Some("PARKED".to_string())),
                ("dossier", None),
                ("agency", Some(filter_value("units/x"))),
            ]),
            "state = PARKED AND agency = \"units/x\""
        );
        assert_eq!(filter_fields([("state", None)]), "");
    }

    #[test]
    fn line_endings_are_stripped_but_spaces_kept() {
        assert_eq!(strip_line_ending("pass word \r\n"), "pass word ");
        assert_eq!(strip_line_ending("x\n"), "x");
        assert_eq!(strip_line_ending("x"), "x");
    }
}
