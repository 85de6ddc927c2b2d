//! `eiso sync …`: the dossiers' synchronisation with the National Public
//! Service Portal (Cổng Dịch vụ công quốc gia): how it stands, the dossiers
//! by state (the parked ones waiting for an administrator), and a parked
//! dossier sent again.

use clap::{Subcommand, ValueEnum};
use eiso_proto::eiso::sync::v1::sync_service_client::SyncServiceClient;
use eiso_proto::eiso::sync::v1::*;
use eiso_proto::tonic::transport::Channel;
use serde_json::{Value, json};

use super::{filter_fields, filter_value, list_method, print_page};
use crate::cli::PageArgs;
use crate::context::Ctx;
use crate::error::CliError;
use crate::output::{self, details_table, json_time, local_cell, table};

/// `eiso sync`.
#[derive(Debug, Subcommand)]
pub enum SyncCommand {
    /// How the sync stands: the portal, dossiers by state, the oldest change
    /// not yet delivered
    Status,
    /// Lists dossiers' sync states
    List {
        /// Only dossiers in this state
        #[arg(long, value_enum)]
        state: Option<StateArg>,
        /// Only this agency's dossiers (`units/ID`)
        #[arg(long)]
        agency: Option<String>,
        #[command(flatten)]
        page: PageArgs,
    },
    /// Shows one dossier's sync state
    Show {
        /// `dossiers/ID` (or its `…/sync`)
        dossier: String,
    },
    /// Sends a parked dossier again at the next delivery round
    Resend {
        /// `dossiers/ID` (or its `…/sync`)
        dossier: String,
    },
}

/// A sync state as typed.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum StateArg {
    Pending,
    Synced,
    Failing,
    Parked,
}

impl StateArg {
    fn filter(self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::Synced => "SYNCED",
            Self::Failing => "FAILING",
            Self::Parked => "PARKED",
        }
    }
}

fn client(ctx: &Ctx) -> SyncServiceClient<Channel> {
    ctx.sync()
}

/// `dossiers/ID/sync` of what was typed.
fn sync_name(dossier: &str) -> String {
    let dossier = dossier.trim().trim_end_matches('/');
    let dossier = dossier.strip_suffix("/sync").unwrap_or(dossier);
    if dossier.starts_with("dossiers/") {
        format!("{dossier}/sync")
    } else {
        format!("dossiers/{dossier}/sync")
    }
}

fn state_label(state: i32) -> &'static str {
    match dossier_sync::State::try_from(state).unwrap_or_default() {
        dossier_sync::State::Pending => "pending",
        dossier_sync::State::Synced => "synced",
        dossier_sync::State::Failing => "failing",
        dossier_sync::State::Parked => "parked",
        dossier_sync::State::Unspecified => "",
    }
}

fn sync_json(sync: &DossierSync) -> Value {
    json!({
        "name": sync.name,
        "dossier": sync.dossier,
        "code": sync.code,
        "agency": sync.agency,
        "state": state_label(sync.state),
        "seen_sequence": sync.seen_sequence,
        "synced_sequence": sync.synced_sequence,
        "attempts": sync.attempts,
        "last_error": sync.last_error,
        "last_attempt_time": json_time(sync.last_attempt_time.as_ref()),
        "next_attempt_time": json_time(sync.next_attempt_time.as_ref()),
        "pending_since_time": json_time(sync.pending_since_time.as_ref()),
    })
}

fn print_sync(ctx: &Ctx, sync: &DossierSync) -> Result<(), CliError> {
    if ctx.json() {
        return output::print_json(&sync_json(sync));
    }
    output::print(
        &details_table([
            ("Dossier", format!("{} ({})", sync.code, sync.dossier)),
            ("State", state_label(sync.state).to_string()),
            (
                "Changes",
                format!("{} delivered of {}", sync.synced_sequence, sync.seen_sequence),
            ),
            ("Attempts", sync.attempts.to_string()),
            ("Last error", sync.last_error.clone()),
            ("Last attempt", local_cell(sync.last_attempt_time.as_ref())),
            ("Next attempt", local_cell(sync.next_attempt_time.as_ref())),
            ("Waiting since", local_cell(sync.pending_since_time.as_ref())),
        ])
        .to_string(),
    )
}

/// Runs a `sync` subcommand.
pub async fn run(ctx: &Ctx, command: SyncCommand) -> Result<(), CliError> {
    match command {
        SyncCommand::Status => {
            let request = ctx.request(GetSyncStatusRequest {})?;
            let status = ctx.answer(client(ctx).get_sync_status(request)).await?;
            if ctx.json() {
                return output::print_json(&json!({
                    "configured": status.configured,
                    "portal_url": status.portal_url,
                    "pending_dossiers": status.pending_dossiers,
                    "synced_dossiers": status.synced_dossiers,
                    "parked_dossiers": status.parked_dossiers,
                    "oldest_pending_time": json_time(status.oldest_pending_time.as_ref()),
                    "cursor": status.cursor,
                }));
            }
            if !status.configured {
                return output::print("no national portal is configured: dossiers are not synchronised");
            }
            output::print(
                &details_table([
                    ("Portal", status.portal_url.clone()),
                    ("Synced", status.synced_dossiers.to_string()),
                    ("Waiting", status.pending_dossiers.to_string()),
                    ("Parked", status.parked_dossiers.to_string()),
                    ("Oldest waiting change", local_cell(status.oldest_pending_time.as_ref())),
                    ("Events taken in", status.cursor.to_string()),
                ])
                .to_string(),
            )
        }
        SyncCommand::List { state, agency, page } => {
            let filter = filter_fields([
                ("state", state.map(|state| state.filter().to_string())),
                ("agency", agency.as_deref().map(filter_value)),
            ]);
            let (syncs, next) = list_method!(
                ctx,
                &page,
                |page_size, page_token| ListDossierSyncsRequest {
                    page_size,
                    page_token,
                    filter: filter.clone(),
                },
                client(ctx),
                list_dossier_syncs,
                dossier_syncs,
            )
            .await?;
            print_page(ctx, "dossier_syncs", &syncs, &next, sync_json, "no dossiers", |syncs| {
                let mut rows = table(["CODE", "STATE", "ATTEMPTS", "NEXT ATTEMPT", "LAST ERROR"]);
                for sync in syncs {
                    rows.add_row(vec![
                        sync.code.clone(),
                        state_label(sync.state).to_string(),
                        sync.attempts.to_string(),
                        local_cell(sync.next_attempt_time.as_ref()),
                        sync.last_error.clone(),
                    ]);
                }
                rows
            })
        }
        SyncCommand::Show { dossier } => {
            let request = ctx.request(GetDossierSyncRequest {
                name: sync_name(&dossier),
            })?;
            let sync = ctx.answer(client(ctx).get_dossier_sync(request)).await?;
            print_sync(ctx, &sync)
        }
        SyncCommand::Resend { dossier } => {
            let request = ctx.request(ResendDossierSyncRequest {
                name: sync_name(&dossier),
            })?;
            let sync = ctx.answer(client(ctx).resend_dossier_sync(request)).await?;
            print_sync(ctx, &sync)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::sync_name;

    #[test]
    fn a_dossier_is_named_as_typed_or_by_its_id() {
        for typed in ["dossiers/abc", "abc", "dossiers/abc/sync", " dossiers/abc/ "] {
            assert_eq!(sync_name(typed), "dossiers/abc/sync", "{typed}");
        }
    }
}
