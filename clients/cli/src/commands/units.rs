//! `eiso units …`.

use eiso_proto::eiso::identity::v1::unit;
use eiso_proto::eiso::identity::v1::{
    CreateUnitRequest, DissolveUnitRequest, GetUnitRequest, ListUnitsRequest, MergeUnitsRequest, RenameUnitRequest,
    Unit, UnitKind, UpdateUnitRequest,
};
use serde_json::{Value, json};

use super::update_mask::UpdateMask;
use super::{created, list_query, print_page, request_id};
use crate::cli::{UnitCreateArgs, UnitDissolveArgs, UnitMergeArgs, UnitRenameArgs, UnitUpdateArgs, UnitsCommand};
use crate::context::Ctx;
use crate::directory::Labels;
use crate::enum_arg::arg_cell;
use crate::error::CliError;
use crate::names::{enum_json, nfc, state_cell};
use crate::output::{self, json_time, local_cell, stamped_details_table, table};

/// Runs a `units` subcommand.
pub async fn run(ctx: &Ctx, command: UnitsCommand) -> Result<(), CliError> {
    match command {
        UnitsCommand::List(args) => {
            let (units, next) = list_query!(ctx, args, ctx.identity(), list_units, ListUnitsRequest, units).await?;
            let labels = Labels::of(ctx, units.iter().map(|unit| unit.parent.as_str())).await;
            print_page(ctx, "units", &units, &next, unit_json, "no units", |units| {
                units_table(units, &labels)
            })
        }
        UnitsCommand::Show { unit } => {
            let request = ctx.request(GetUnitRequest { name: unit })?;
            let unit = ctx.answer(ctx.identity().get_unit(request)).await?;
            print_one(ctx, &unit).await
        }
        UnitsCommand::Create(args) => create(ctx, args).await,
        UnitsCommand::Update(args) => update(ctx, args).await,
        UnitsCommand::Rename(args) => rename(ctx, args).await,
        UnitsCommand::Merge(args) => merge(ctx, args).await,
        UnitsCommand::Dissolve(args) => dissolve(ctx, args).await,
    }
}

async fn create(ctx: &Ctx, args: UnitCreateArgs) -> Result<(), CliError> {
    let request_id = request_id(args.request_id.as_deref());
    let request = ctx.request(CreateUnitRequest {
        unit: Some(Unit {
            code: args.code.trim().to_string(),
            display_name: nfc(&args.name),
            kind: args.kind as i32,
            parent: args.parent.unwrap_or_default(),
            place_name: args.place_name.as_deref().map(nfc).unwrap_or_default(),
            document_symbol: args.letterhead.document_symbol.as_deref().map(nfc).unwrap_or_default(),
            signer_title: args.letterhead.signer_title.as_deref().map(nfc).unwrap_or_default(),
            signer_name: args.letterhead.signer_name.as_deref().map(nfc).unwrap_or_default(),
            ..Unit::default()
        }),
        request_id: request_id.clone(),
    })?;
    let unit = created(ctx, &request_id, ctx.identity().create_unit(request)).await?;
    print_one(ctx, &unit).await
}

/// The unit fields an update sends and the mask naming them, from the flags
/// given; an error when no flag was given.
pub fn update_request(args: &UnitUpdateArgs) -> Result<UpdateUnitRequest, CliError> {
    let mut unit = Unit {
        name: args.unit.clone(),
        ..Unit::default()
    };
    let mut mask = UpdateMask::default();
    if let Some(name) = &args.name {
        unit.display_name = nfc(name);
        mask.add("display_name");
    }
    if let Some(kind) = args.kind {
        unit.kind = kind as i32;
        mask.add("kind");
    }
    if let Some(parent) = &args.parent {
        unit.parent.clone_from(parent);
        mask.add("parent");
    }
    if let Some(place) = &args.place_name {
        unit.place_name = nfc(place);
        mask.add("place_name");
    }
    let letterhead = &args.letterhead;
    for (value, path, field) in [
        (
            &letterhead.document_symbol,
            "document_symbol",
            &mut unit.document_symbol,
        ),
        (&letterhead.signer_title, "signer_title", &mut unit.signer_title),
        (&letterhead.signer_name, "signer_name", &mut unit.signer_name),
    ] {
        if let Some(value) = value {
            *field = nfc(value);
            mask.add(path);
        }
    }
    Ok(UpdateUnitRequest {
        update_mask: Some(
            mask.or_refuse("--name, --kind, --parent, --place-name, --document-symbol, --signer-title, --signer-name")?,
        ),
        unit: Some(unit),
        etag: args.etag.clone().unwrap_or_default(),
    })
}

async fn update(ctx: &Ctx, args: UnitUpdateArgs) -> Result<(), CliError> {
    let request = ctx.request(update_request(&args)?)?;
    let unit = ctx.answer(ctx.identity().update_unit(request)).await?;
    print_one(ctx, &unit).await
}

async fn rename(ctx: &Ctx, args: UnitRenameArgs) -> Result<(), CliError> {
    let reason = ctx.required_reason("units rename")?;
    let request = ctx.request(RenameUnitRequest {
        name: args.unit,
        display_name: args.name.as_deref().map(nfc).unwrap_or_default(),
        code: args.code.as_deref().map(str::trim).unwrap_or_default().to_string(),
        reason,
        etag: args.etag.unwrap_or_default(),
    })?;
    let unit = ctx.answer(ctx.identity().rename_unit(request)).await?;
    print_one(ctx, &unit).await
}

async fn merge(ctx: &Ctx, args: UnitMergeArgs) -> Result<(), CliError> {
    let reason = ctx.required_reason("units merge")?;
    if args.sources.contains(&args.into) {
        return Err(CliError::Usage(format!("{} cannot be merged into itself", args.into)));
    }
    let request = ctx.request(MergeUnitsRequest {
        sources: args.sources,
        successor: args.into,
        reason,
    })?;
    let response = ctx.answer(ctx.identity().merge_units(request)).await?;
    if ctx.json() {
        return output::print_json(&json!({
            "sources": response.sources.iter().map(unit_json).collect::<Vec<_>>(),
            "successor": response.successor.as_ref().map_or(Value::Null, unit_json),
        }));
    }
    let labels = Labels::of(ctx, response.sources.iter().map(|unit| unit.parent.as_str())).await;
    output::print_table(&units_table(&response.sources, &labels))?;
    if let Some(successor) = &response.successor {
        output::print(&format!(
            "merged {} unit(s) into {} ({})",
            response.sources.len(),
            successor.name,
            successor.display_name
        ))?;
    }
    Ok(())
}

async fn dissolve(ctx: &Ctx, args: UnitDissolveArgs) -> Result<(), CliError> {
    let reason = ctx.required_reason("units dissolve")?;
    let request = ctx.request(DissolveUnitRequest {
        name: args.unit,
        successor: args.successor.unwrap_or_default(),
        reason,
        etag: args.etag.unwrap_or_default(),
    })?;
    let unit = ctx.answer(ctx.identity().dissolve_unit(request)).await?;
    print_one(ctx, &unit).await
}

async fn print_one(ctx: &Ctx, unit: &Unit) -> Result<(), CliError> {
    if ctx.json() {
        return output::print_json(&unit_json(unit));
    }
    let labels = Labels::of(ctx, [unit.parent.as_str(), unit.successor.as_str()]).await;
    output::print_table(&unit_details(unit, &labels))
}

fn units_table(units: &[Unit], labels: &Labels) -> comfy_table::Table {
    let mut table = table(["NAME", "CODE", "DISPLAY NAME", "KIND", "PARENT", "STATE", "UPDATED"]);
    for unit in units {
        table.add_row(vec![
            unit.name.clone(),
            unit.code.clone(),
            unit.display_name.clone(),
            arg_cell::<UnitKind>(unit.kind, "kind"),
            labels.label(&unit.parent),
            state_cell::<unit::State>(unit.state, "state"),
            local_cell(unit.update_time.as_ref()),
        ]);
    }
    table
}

fn unit_details(unit: &Unit, labels: &Labels) -> comfy_table::Table {
    let mut rows = vec![
        ("name", unit.name.clone()),
        ("code", unit.code.clone()),
        ("display name", unit.display_name.clone()),
        ("kind", arg_cell::<UnitKind>(unit.kind, "kind")),
        ("parent", labels.label(&unit.parent)),
        ("state", state_cell::<unit::State>(unit.state, "state")),
    ];
    if !unit.successor.is_empty() {
        rows.push(("successor", labels.label(&unit.successor)));
    }
    for (label, value) in [
        ("place name", &unit.place_name),
        ("document symbol", &unit.document_symbol),
        ("signer title", &unit.signer_title),
        ("signer name", &unit.signer_name),
    ] {
        if !value.is_empty() {
            rows.push((label, value.clone()));
        }
    }
    if !unit.former_names.is_empty() {
        let former = unit
            .former_names
            .iter()
            .map(|change| {
                format!(
                    "{} {} (until {})",
                    change.code,
                    change.display_name,
                    local_cell(change.change_time.as_ref())
                )
            })
            .collect::<Vec<_>>()
            .join("\n");
        rows.push(("former names", former));
    }
    stamped_details_table(rows, unit)
}

/// A unit for JSON output.
pub fn unit_json(unit: &Unit) -> Value {
    json!({
        "name": unit.name,
        "code": unit.code,
        "display_name": unit.display_name,
        "kind": enum_json::<UnitKind>(unit.kind),
        "parent": unit.parent,
        "state": enum_json::<unit::State>(unit.state),
        "successor": unit.successor,
        "place_name": unit.place_name,
        "document_symbol": unit.document_symbol,
        "signer_title": unit.signer_title,
        "signer_name": unit.signer_name,
        "former_names": unit.former_names.iter().map(|change| json!({
            "code": change.code,
            "display_name": change.display_name,
            "change_time": json_time(change.change_time.as_ref()),
        })).collect::<Vec<_>>(),
        "create_time": json_time(unit.create_time.as_ref()),
        "update_time": json_time(unit.update_time.as_ref()),
        "etag": unit.etag,
    })
}

#[cfg(test)]
mod tests {
    use eiso_proto::eiso::identity::v1::{UnitNameChange, unit};
    use eiso_proto::prost_types::Timestamp;

    use super::*;

    fn update_args() -> UnitUpdateArgs {
        UnitUpdateArgs {
            unit: "units/31".to_string(),
            name: None,
            kind: None,
            parent: None,
            place_name: None,
            letterhead: crate::cli::LetterheadArgs {
                document_symbol: None,
                signer_title: None,
                signer_name: None,
            },
            etag: None,
        }
    }

    fn paths(request: &UpdateUnitRequest) -> Vec<&str> {
        crate::commands::update_mask::paths(request.update_mask.as_ref())
    }

    #[test]
    fn the_mask_names_only_the_flags_given() -> Result<(), CliError> {
        let request = update_request(&UnitUpdateArgs {
            name: Some("Phòng Giáo dục và Đào tạo".to_string()),
            etag: Some("e1".to_string()),
            ..update_args()
        })?;
        assert_eq!(paths(&request), vec!["display_name"]);
        assert_eq!(request.etag, "e1");
        let unit = request.unit.unwrap_or_default();
        assert_eq!(unit.name, "units/31");
        assert_eq!(unit.display_name, "Phòng Giáo dục và Đào tạo");

        let request = update_request(&UnitUpdateArgs {
            kind: Some(UnitKind::PrimarySchool),
            parent: Some("units/7".to_string()),
            ..update_args()
        })?;
        assert_eq!(paths(&request), vec!["kind", "parent"]);
        let unit = request.unit.unwrap_or_default();
        assert_eq!(unit.kind, UnitKind::PrimarySchool as i32);
        assert_eq!(unit.parent, "units/7");
        assert_eq!(unit.display_name, "", "fields outside the mask are not sent");
        Ok(())
    }

    #[test]
    fn the_letterhead_flags_send_their_fields_in_nfc() -> Result<(), CliError> {
        let decomposed: String = unicode_normalization::UnicodeNormalization::nfd("Nguyễn Thị Minh Thu").collect();
        let request = update_request(&UnitUpdateArgs {
            letterhead: crate::cli::LetterheadArgs {
                document_symbol: Some("PGDĐT".to_string()),
                signer_title: None,
                signer_name: Some(decomposed),
            },
            ..update_args()
        })?;
        assert_eq!(paths(&request), vec!["document_symbol", "signer_name"]);
        let unit = request.unit.unwrap_or_default();
        assert_eq!(unit.document_symbol, "PGDĐT");
        assert_eq!(unit.signer_name, "Nguyễn Thị Minh Thu");
        assert_eq!(unit.signer_title, "", "not given, not sent");
        Ok(())
    }

    #[test]
    fn an_empty_parent_is_sent_to_make_a_root() -> Result<(), CliError> {
        let request = update_request(&UnitUpdateArgs {
            parent: Some(String::new()),
            ..update_args()
        })?;
        assert_eq!(paths(&request), vec!["parent"]);
        Ok(())
    }

    #[test]
    fn an_update_without_flags_is_refused() {
        assert!(matches!(update_request(&update_args()), Err(CliError::Usage(_))));
    }

    #[test]
    fn json_has_rfc3339_times_and_proto_enum_names() {
        let unit = Unit {
            name: "units/31".to_string(),
            code: "31-GDDT".to_string(),
            display_name: "Phòng Giáo dục và Đào tạo".to_string(),
            kind: UnitKind::Office as i32,
            state: unit::State::Active as i32,
            former_names: vec![UnitNameChange {
                code: "31".to_string(),
                display_name: "Phòng Giáo dục".to_string(),
                change_time: Some(Timestamp {
                    seconds: 1_751_328_000,
                    nanos: 0,
                }),
            }],
            create_time: Some(Timestamp {
                seconds: 1_751_328_000,
                nanos: 0,
            }),
            ..Unit::default()
        };
        let value = unit_json(&unit);
        assert_eq!(value["kind"], "UNIT_KIND_OFFICE");
        assert_eq!(value["state"], "STATE_ACTIVE");
        assert_eq!(value["display_name"], "Phòng Giáo dục và Đào tạo");
        assert_eq!(value["create_time"], "2025-07-01T00:00:00Z");
        assert_eq!(value["update_time"], Value::Null);
        assert_eq!(value["former_names"][0]["change_time"], "2025-07-01T00:00:00Z");

        let text = unit_details(&unit, &Labels::default()).to_string();
        assert!(text.contains("01/07/2025 07:00"), "{text}");
        assert!(text.contains("office"), "{text}");
    }
}
