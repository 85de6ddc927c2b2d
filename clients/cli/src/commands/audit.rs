//! `eiso audit list` and `eiso audit verify`.

use eiso_proto::eiso::audit::v1::{
    AuditEntry, ListAuditEntriesRequest, VerifyAuditTrailRequest, VerifyAuditTrailResponse,
};
use eiso_proto::tonic::Code;
use serde_json::{Value, json};

use super::{list_pages, print_page};
use crate::cli::{AuditCommand, AuditListArgs};
use crate::context::Ctx;
use crate::error::{CliError, code_name};
use crate::names::short_id;
use crate::output::{self, json_time, local_cell, table};

/// Runs an `audit` subcommand.
pub async fn run(ctx: &Ctx, command: AuditCommand) -> Result<(), CliError> {
    match command {
        AuditCommand::List(args) => list(ctx, args).await,
        AuditCommand::Verify { trail } => {
            let request = ctx.request(VerifyAuditTrailRequest { name: trail.clone() })?;
            let response = ctx.answer(ctx.audit().verify_audit_trail(request)).await?;
            report_verification(ctx, &trail, &response)
        }
    }
}

async fn list(ctx: &Ctx, args: AuditListArgs) -> Result<(), CliError> {
    let (entries, next) = list_pages(
        ctx,
        &args.page,
        |page_size, page_token| ListAuditEntriesRequest {
            parent: args.trail.clone(),
            page_size,
            page_token,
            filter: args.filter.clone().unwrap_or_default(),
        },
        ctx.audit(),
        |mut client, request| async move { client.list_audit_entries(request).await },
        |answer| (answer.audit_entries, answer.next_page_token),
    )
    .await?;

    print_page(
        ctx,
        "audit_entries",
        &entries,
        &next,
        entry_json,
        "no audit entries",
        entries_table,
    )
}

fn entries_table(entries: &[AuditEntry]) -> comfy_table::Table {
    let mut table = table(["SEQ", "TIME", "ACTOR", "METHOD", "RESOURCE", "RESULT", "REASON"]);
    for entry in entries {
        table.add_row(vec![
            entry.sequence.to_string(),
            local_cell(entry.create_time.as_ref()),
            entry.actor.clone(),
            short_method(&entry.method).to_string(),
            entry.resource.clone(),
            result_label(entry.code),
            entry.reason.clone(),
        ]);
    }
    table
}

/// Prints the outcome; a broken trail is an error (exit code 1) after the
/// result has been printed.
fn report_verification(ctx: &Ctx, trail: &str, response: &VerifyAuditTrailResponse) -> Result<(), CliError> {
    let trail = short_id(trail);
    if ctx.json() {
        output::print_json(&json!({
            "trail": format!("trails/{trail}"),
            "intact": response.intact,
            "entries_checked": response.entries_checked,
            "first_broken_sequence": response.first_broken_sequence,
            "detail": response.detail,
        }))?;
    } else if response.intact {
        output::print(&format!(
            "the {trail} audit trail is intact: {} entries checked",
            response.entries_checked
        ))?;
    }
    verification_result(trail, response)
}

/// `Ok` for an intact trail, [`CliError::TrailBroken`] naming the first broken
/// sequence otherwise.
pub fn verification_result(trail: &str, response: &VerifyAuditTrailResponse) -> Result<(), CliError> {
    if response.intact {
        Ok(())
    } else {
        Err(CliError::TrailBroken {
            trail: trail.to_string(),
            sequence: response.first_broken_sequence,
            detail: response.detail.clone(),
            checked: response.entries_checked,
        })
    }
}

/// `IdentityService/CreateUser` from `/eiso.identity.v1.IdentityService/CreateUser`.
pub fn short_method(method: &str) -> &str {
    method.rsplit_once('.').map_or(method, |(_, rest)| rest)
}

/// `OK`, `PERMISSION_DENIED`, … from a google.rpc.Code number.
pub fn result_label(code: i32) -> String {
    if (0..=16).contains(&code) {
        code_name(Code::from_i32(code)).to_string()
    } else {
        format!("code {code}")
    }
}

fn entry_json(entry: &AuditEntry) -> Value {
    json!({
        "name": entry.name,
        "sequence": entry.sequence,
        "create_time": json_time(entry.create_time.as_ref()),
        "actor": entry.actor,
        "method": entry.method,
        "resource": entry.resource,
        "code": entry.code,
        "message": entry.message,
        "reason": entry.reason,
        "request_id": entry.request_id,
        "previous_hash": entry.previous_hash,
        "hash": entry.hash,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::EXIT_TRAIL_BROKEN;

    #[test]
    fn a_broken_trail_names_the_first_broken_sequence_and_exits_1() {
        let response = VerifyAuditTrailResponse {
            intact: false,
            entries_checked: 40,
            first_broken_sequence: 17,
            detail: "hash mismatch".to_string(),
        };
        let error = verification_result("identity", &response).err();
        assert_eq!(error.as_ref().map(CliError::exit_code), Some(EXIT_TRAIL_BROKEN));
        let text = error.map(|error| error.to_string()).unwrap_or_default();
        assert!(text.contains("identity audit trail is BROKEN"), "{text}");
        assert!(text.contains("sequence 17 (hash mismatch)"), "{text}");
    }

    #[test]
    fn an_intact_trail_is_ok() {
        let response = VerifyAuditTrailResponse {
            intact: true,
            entries_checked: 40,
            ..VerifyAuditTrailResponse::default()
        };
        assert!(verification_result("identity", &response).is_ok());
    }

    #[test]
    fn methods_and_codes_read_well() {
        assert_eq!(
            short_method("/eiso.identity.v1.IdentityService/CreateUser"),
            "IdentityService/CreateUser"
        );
        assert_eq!(result_label(0), "OK");
        assert_eq!(result_label(7), "PERMISSION_DENIED");
        assert_eq!(result_label(99), "code 99");
    }
}
