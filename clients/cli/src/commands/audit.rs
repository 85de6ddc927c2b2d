//! `eiso audit list` and `eiso audit verify`.

use eiso_proto::eiso::audit::v1::{
    AuditEntry, ListAuditEntriesRequest, ListAuditTrailsRequest, VerifyAuditTrailRequest, VerifyAuditTrailResponse,
};
use eiso_proto::tonic::Code;
use serde_json::{Value, json};

use super::{list_method, print_page};
use crate::cli::{AuditCommand, AuditListArgs};
use crate::context::Ctx;
use crate::directory::Labels;
use crate::error::{CliError, code_name};
use crate::names::short_id;
use crate::output::{self, json_time, local_cell, table};

/// Runs an `audit` subcommand.
pub async fn run(ctx: &Ctx, command: AuditCommand) -> Result<(), CliError> {
    match command {
        AuditCommand::List(args) => list(ctx, args).await,
        AuditCommand::Verify { trail: Some(trail) } => {
            let request = ctx.request(VerifyAuditTrailRequest { name: trail.clone() })?;
            let response = ctx.answer(ctx.audit().verify_audit_trail(request)).await?;
            report_verification(ctx, &trail, &response)
        }
        AuditCommand::Verify { trail: None } => verify_every_trail(ctx).await,
    }
}

/// Verifies every trail the server keeps, one line each (one JSON document
/// for all); a broken trail does not stop the others from being checked.
async fn verify_every_trail(ctx: &Ctx) -> Result<(), CliError> {
    let request = ctx.request(ListAuditTrailsRequest {})?;
    let trails = ctx.answer(ctx.audit().list_audit_trails(request)).await?.audit_trails;
    let mut results = Vec::new();
    for trail in trails {
        let request = ctx.request(VerifyAuditTrailRequest {
            name: trail.name.clone(),
        })?;
        let response = ctx.answer(ctx.audit().verify_audit_trail(request)).await?;
        results.push((trail.name, response));
    }
    if ctx.json() {
        output::print_json(&json!({
            "intact": results.iter().all(|(_, response)| response.intact),
            "trails": results
                .iter()
                .map(|(trail, response)| verification_json(trail, response))
                .collect::<Vec<_>>(),
        }))?;
    } else {
        output::print(&verification_lines(&results))?;
    }
    every_trail_result(&results)
}

/// One line per trail: `identity   intact   42 entries checked`, or the
/// first broken sequence.
fn verification_lines(results: &[(String, VerifyAuditTrailResponse)]) -> String {
    let width = results
        .iter()
        .map(|(trail, _)| short_id(trail).chars().count())
        .max()
        .unwrap_or(0);
    results
        .iter()
        .map(|(trail, response)| {
            let trail = short_id(trail);
            let result = if response.intact {
                "intact".to_string()
            } else {
                format!(
                    "BROKEN from sequence {}{}",
                    response.first_broken_sequence,
                    if response.detail.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", response.detail)
                    }
                )
            };
            format!(
                "{trail:<width$}  {result}, {} entries checked",
                response.entries_checked
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `Ok` when every trail is intact, [`CliError::TrailsBroken`] naming the
/// broken ones otherwise.
fn every_trail_result(results: &[(String, VerifyAuditTrailResponse)]) -> Result<(), CliError> {
    let broken: Vec<(String, i64)> = results
        .iter()
        .filter(|(_, response)| !response.intact)
        .map(|(trail, response)| (short_id(trail).to_string(), response.first_broken_sequence))
        .collect();
    if broken.is_empty() {
        Ok(())
    } else {
        Err(CliError::TrailsBroken {
            broken,
            checked: results.len(),
        })
    }
}

fn verification_json(trail: &str, response: &VerifyAuditTrailResponse) -> Value {
    json!({
        "trail": format!("trails/{}", short_id(trail)),
        "intact": response.intact,
        "entries_checked": response.entries_checked,
        "first_broken_sequence": response.first_broken_sequence,
        "detail": response.detail,
    })
}

async fn list(ctx: &Ctx, args: AuditListArgs) -> Result<(), CliError> {
    let (entries, next) = list_method!(
        ctx,
        &args.page,
        |page_size, page_token| ListAuditEntriesRequest {
            parent: args.trail.clone(),
            page_size,
            page_token,
            filter: args.filter.clone().unwrap_or_default(),
            order_by: if args.newest_first {
                "sequence desc".into()
            } else {
                String::new()
            },
        },
        ctx.audit(),
        list_audit_entries,
        audit_entries,
    )
    .await?;

    let names = entries
        .iter()
        .flat_map(|entry| [entry.actor.as_str(), entry.resource.as_str()]);
    let labels = Labels::of(ctx, names.filter(|name| is_person_or_unit(name))).await;
    print_page(
        ctx,
        "audit_entries",
        &entries,
        &next,
        entry_json,
        "no audit entries",
        |entries| entries_table(entries, &labels),
    )
}

/// Whether `name` is a user or a unit, the resources shown by name in the
/// trail (a document is shown by its name: its code and title would hide
/// which revision the entry is about).
fn is_person_or_unit(name: &str) -> bool {
    name.starts_with("users/") || name.starts_with("units/")
}

fn entries_table(entries: &[AuditEntry], labels: &Labels) -> comfy_table::Table {
    let mut table = table(["SEQ", "TIME", "ACTOR", "METHOD", "RESOURCE", "RESULT", "REASON"]);
    for entry in entries {
        table.add_row(vec![
            entry.sequence.to_string(),
            local_cell(entry.create_time.as_ref()),
            labels.label(&entry.actor),
            short_method(&entry.method).to_string(),
            labels.label(&entry.resource),
            result_label(entry.code),
            entry.reason.clone(),
        ]);
    }
    table
}

/// Prints the outcome; a broken trail is an error (exit code 1) after the
/// result has been printed.
fn report_verification(ctx: &Ctx, trail: &str, response: &VerifyAuditTrailResponse) -> Result<(), CliError> {
    let short = short_id(trail);
    if ctx.json() {
        output::print_json(&verification_json(trail, response))?;
    } else if response.intact {
        output::print(&format!(
            "the {short} audit trail is intact: {} entries checked",
            response.entries_checked
        ))?;
    }
    verification_result(short, response)
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
    fn every_trail_gets_a_line_and_one_broken_trail_fails_them_all() {
        let intact = |checked| VerifyAuditTrailResponse {
            intact: true,
            entries_checked: checked,
            ..VerifyAuditTrailResponse::default()
        };
        let broken = VerifyAuditTrailResponse {
            intact: false,
            entries_checked: 40,
            first_broken_sequence: 17,
            detail: "hash mismatch".to_string(),
        };
        let results = vec![
            ("trails/documents".to_string(), broken),
            ("trails/identity".to_string(), intact(42)),
            ("trails/quality".to_string(), intact(3)),
        ];
        let lines = verification_lines(&results);
        assert_eq!(
            lines,
            "documents  BROKEN from sequence 17 (hash mismatch), 40 entries checked\n\
             identity   intact, 42 entries checked\n\
             quality    intact, 3 entries checked"
        );
        let error = every_trail_result(&results).err();
        assert_eq!(error.as_ref().map(CliError::exit_code), Some(EXIT_TRAIL_BROKEN));
        let text = error.map(|error| error.to_string()).unwrap_or_default();
        assert!(
            text.starts_with("1 of 3 audit trails is BROKEN: documents from sequence 17;"),
            "{text}"
        );
        assert!(every_trail_result(&results[1..]).is_ok());
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
