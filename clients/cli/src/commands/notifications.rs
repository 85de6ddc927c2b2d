//! `eiso notifications …`: the messages to applicants (e-mail, SMS) — the
//! parked ones waiting for an administrator, one dossier's, and a dossier's
//! parked ones sent again.

use clap::Subcommand;
use eiso_proto::eiso::notify::v1::notification::{Channel as NotificationChannel, Kind, State};
use eiso_proto::eiso::notify::v1::notification_service_client::NotificationServiceClient;
use eiso_proto::eiso::notify::v1::*;
use eiso_proto::tonic::transport::Channel;
use serde_json::{Value, json};

use super::{filter_fields, filter_value, list_method, print_page};
use crate::cli::PageArgs;
use crate::context::Ctx;
use crate::enum_arg::{Choice, Choices, EnumArg, arg_cell};
use crate::error::CliError;
use crate::output::{self, json_time, local_cell, table};

/// `eiso notifications`.
#[derive(Debug, Subcommand)]
pub enum NotificationsCommand {
    /// Lists notifications in the order their events happened
    List {
        /// Only notifications in this state
        #[arg(long, value_parser = EnumArg::<State>::new())]
        state: Option<State>,
        /// Only this dossier's (`dossiers/ID` or its id)
        #[arg(long)]
        dossier: Option<String>,
        /// Only this agency's dossiers (`units/ID`)
        #[arg(long)]
        agency: Option<String>,
        #[command(flatten)]
        page: PageArgs,
    },
    /// Sends a dossier's parked notifications again at the next round
    Resend {
        /// `dossiers/ID` or its id
        dossier: String,
    },
}

impl Choices for State {
    const CHOICES: &'static [Choice<Self>] = &[
        Choice::new(State::Pending, "Waiting its turn"),
        Choice::new(State::Sent, "Taken by the mail server or the SMS gateway"),
        Choice::new(State::Failing, "The last attempt failed; tried again later"),
        Choice::new(State::Parked, "Failed too often; waits for `eiso notifications resend`"),
    ];
}

impl Choices for NotificationChannel {
    const CHOICES: &'static [Choice<Self>] = &[
        Choice::new(NotificationChannel::Email, "E-mail"),
        Choice::new(NotificationChannel::Sms, "SMS"),
    ];
}

impl Choices for Kind {
    const CHOICES: &'static [Choice<Self>] = &[
        Choice::new(Kind::Received, "The dossier was received"),
        Choice::new(Kind::SupplementRequested, "A supplement is asked for"),
        Choice::new(Kind::Extended, "The processing was extended"),
        Choice::new(Kind::ResultReady, "The result is ready"),
    ];
}

fn client(ctx: &Ctx) -> NotificationServiceClient<Channel> {
    ctx.notifications()
}

fn dossier_name(typed: &str) -> String {
    let typed = typed.trim().trim_end_matches('/');
    if typed.starts_with("dossiers/") {
        typed.to_string()
    } else {
        format!("dossiers/{typed}")
    }
}

fn notification_json(n: &Notification) -> Value {
    json!({
        "name": n.name,
        "dossier": n.dossier,
        "agency": n.agency,
        "kind": arg_cell::<Kind>(n.kind, "kind"),
        "channel": arg_cell::<NotificationChannel>(n.channel, "channel"),
        "recipient": n.recipient,
        "subject": n.subject,
        "state": arg_cell::<State>(n.state, "state"),
        "attempts": n.attempts,
        "last_error": n.last_error,
        "last_attempt_time": json_time(n.last_attempt_time.as_ref()),
        "next_attempt_time": json_time(n.next_attempt_time.as_ref()),
        "create_time": json_time(n.create_time.as_ref()),
        "send_time": json_time(n.send_time.as_ref()),
    })
}

fn print_notifications(ctx: &Ctx, notifications: &[Notification], next: &str) -> Result<(), CliError> {
    print_page(
        ctx,
        "notifications",
        notifications,
        next,
        notification_json,
        "no notifications",
        |notifications| {
            let mut rows = table([
                "DOSSIER",
                "KIND",
                "CHANNEL",
                "TO",
                "STATE",
                "ATTEMPTS",
                "SENT",
                "LAST ERROR",
            ]);
            for n in notifications {
                rows.add_row(vec![
                    n.dossier.clone(),
                    arg_cell::<Kind>(n.kind, "kind"),
                    arg_cell::<NotificationChannel>(n.channel, "channel"),
                    n.recipient.clone(),
                    arg_cell::<State>(n.state, "state"),
                    n.attempts.to_string(),
                    local_cell(n.send_time.as_ref()),
                    n.last_error.clone(),
                ]);
            }
            rows
        },
    )
}

/// Runs a `notifications` subcommand.
pub async fn run(ctx: &Ctx, command: NotificationsCommand) -> Result<(), CliError> {
    match command {
        NotificationsCommand::List {
            state,
            dossier,
            agency,
            page,
        } => {
            let filter = filter_fields([
                ("state", state.map(|state| state.as_str_name().to_string())),
                ("dossier", dossier.map(|dossier| filter_value(&dossier_name(&dossier)))),
                ("agency", agency.as_deref().map(filter_value)),
            ]);
            let (notifications, next) = list_method!(
                ctx,
                &page,
                |page_size, page_token| ListNotificationsRequest {
                    page_size,
                    page_token,
                    filter: filter.clone(),
                },
                client(ctx),
                list_notifications,
                notifications,
            )
            .await?;
            print_notifications(ctx, &notifications, &next)
        }
        NotificationsCommand::Resend { dossier } => {
            let request = ctx.request(ResendNotificationsRequest {
                dossier: dossier_name(&dossier),
            })?;
            let answer = ctx.answer(client(ctx).resend_notifications(request)).await?;
            if ctx.json() {
                return output::print_json(&json!({
                    "notifications": answer.notifications.iter().map(notification_json).collect::<Vec<_>>(),
                }));
            }
            print_notifications(ctx, &answer.notifications, "")
        }
    }
}
