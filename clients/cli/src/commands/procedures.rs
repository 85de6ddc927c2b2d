//! `eiso procedures …`: the versioned catalogue of administrative procedures
//! (thủ tục hành chính), imported and exported as CSV or XLSX.

use std::path::Path;

use eiso_proto::eiso::procedures::v1::{
    CopyKind, OnlineLevel, ProcedureLevel, SupplementMode, procedure, procedure_version,
};
use eiso_proto::eiso::procedures::v1::{
    ExportProceduresRequest, GetProcedureRequest, ImportProceduresRequest, ImportProceduresResponse,
    ListProceduresRequest, Procedure, ProcedureVersion, ProcessingTime, PublishProcedureVersionRequest, TableFormat,
    WithdrawProcedureRequest, processing_time,
};
use serde_json::{Value, json};

use super::files::{refuse_to_replace, save_bytes};
use super::{list_query, print_page};
use crate::cli::{ProcExportArgs, ProcImportArgs, ProceduresCommand, QueryArgs};
use crate::context::Ctx;
use crate::directory::Labels;
use crate::error::CliError;
use crate::names::{enum_json, label_cell, state_cell};
use crate::output::{self, details_table, format_vnd, json_time, local_cell, stamped_details_table, table};

/// Runs a `procedures` subcommand.
pub async fn run(ctx: &Ctx, command: ProceduresCommand) -> Result<(), CliError> {
    match command {
        ProceduresCommand::Import(args) => import(ctx, args).await,
        ProceduresCommand::Export(args) => export(ctx, args).await,
        ProceduresCommand::List(args) => list(ctx, args).await,
        ProceduresCommand::Show { procedure } => {
            let procedure = get(ctx, &procedure).await?;
            print_procedure(ctx, &procedure).await
        }
        ProceduresCommand::Publish { version } => {
            let request = ctx.request(PublishProcedureVersionRequest { name: version })?;
            let version = ctx.answer(ctx.procedures().publish_procedure_version(request)).await?;
            if ctx.json() {
                return output::print_json(&version_json(&version));
            }
            print_version_tables(ctx, &version).await
        }
        ProceduresCommand::Withdraw { procedure } => {
            let reason = ctx.required_reason("procedures withdraw")?;
            let request = ctx.request(WithdrawProcedureRequest {
                name: procedure,
                reason,
            })?;
            let procedure = ctx.answer(ctx.procedures().withdraw_procedure(request)).await?;
            print_procedure(ctx, &procedure).await
        }
    }
}

/// `procedures/CODE` or `procedures/CODE/versions/N`, with its content.
pub async fn get(ctx: &Ctx, name: &str) -> Result<Procedure, CliError> {
    let request = ctx.request(GetProcedureRequest { name: name.to_string() })?;
    ctx.answer(ctx.procedures().get_procedure(request)).await
}

/// The table format of a file, from its extension.
pub fn table_format(path: &Path) -> Result<TableFormat, CliError> {
    match super::files::extension(path).as_str() {
        "csv" => Ok(TableFormat::Csv),
        "xlsx" => Ok(TableFormat::Xlsx),
        _ => Err(CliError::Usage(format!(
            "{}: the format follows the extension, .csv or .xlsx",
            path.display()
        ))),
    }
}

async fn import(ctx: &Ctx, args: ProcImportArgs) -> Result<(), CliError> {
    let format = table_format(&args.file)?;
    ctx.ensure_signed_in()?;
    let content = tokio::fs::read(&args.file)
        .await
        .map_err(|error| anyhow::Error::new(error).context(format!("cannot read {}", args.file.display())))?;
    let request = ctx.request(ImportProceduresRequest {
        format: format as i32,
        content,
        publish: args.publish,
        validate_only: args.dry_run,
    })?;
    let report = ctx.answer(ctx.procedures().import_procedures(request)).await?;
    if ctx.json() {
        output::print_json(&json!({
            "created": report.created,
            "versioned": report.versioned,
            "unchanged": report.unchanged,
            "error_count": refused_count(&report),
            "errors": report.errors.iter().map(|error| json!({
                "row": error.row,
                "column": error.column,
                "description": error.description,
            })).collect::<Vec<_>>(),
            "validate_only": args.dry_run,
        }))?;
    } else {
        output::print(&import_report(&report, args.dry_run, args.publish))?;
    }
    if report.errors.is_empty() {
        Ok(())
    } else {
        Err(CliError::RowsRefused {
            count: refused_count(&report),
            dry_run: args.dry_run,
        })
    }
}

/// How many row errors an import reported (a server before `error_count`
/// sent them all).
fn refused_count(report: &ImportProceduresResponse) -> usize {
    (report.error_count.max(0) as usize).max(report.errors.len())
}

/// What an import did (or would do), and each refused row as
/// `row N, COLUMN: what is wrong`.
pub fn import_report(report: &ImportProceduresResponse, dry_run: bool, publish: bool) -> String {
    let mut lines = Vec::new();
    if dry_run {
        lines.push("dry run: nothing was changed; an import would give".to_string());
    }
    lines.push(format!("created:   {}", report.created));
    lines.push(format!("versioned: {}", report.versioned));
    lines.push(format!("unchanged: {}", report.unchanged));
    let refused = refused_count(report);
    if refused > 0 {
        lines.push(format!("refused:   {refused}"));
    }
    if report.created + report.versioned > 0 {
        lines.push(
            match (dry_run, publish) {
                (true, true) => "the new procedures and versions would be published",
                (true, false) => "the new procedures and versions would be drafts",
                (false, true) => "the new procedures and versions are published: dossiers are received under them",
                (false, false) => {
                    "the new procedures and versions are drafts: publish each with `eiso procedures publish CODE/N`"
                }
            }
            .to_string(),
        );
    }
    for error in &report.errors {
        if error.column.is_empty() {
            lines.push(format!("row {}: {}", error.row, error.description));
        } else {
            lines.push(format!("row {}, {}: {}", error.row, error.column, error.description));
        }
    }
    if refused > report.errors.len() {
        lines.push(format!("… and {} more", refused - report.errors.len()));
    }
    lines.join("\n")
}

async fn export(ctx: &Ctx, args: ProcExportArgs) -> Result<(), CliError> {
    let format = table_format(&args.file)?;
    refuse_to_replace(&args.file, args.force, "add --force to replace it")?;
    let request = ctx.request(ExportProceduresRequest {
        format: format as i32,
        filter: args.filter.unwrap_or_default(),
    })?;
    let exported = ctx.answer(ctx.procedures().export_procedures(request)).await?;
    save_bytes(&args.file, &exported.content).await?;
    let path = args.file.display().to_string();
    if ctx.json() {
        return output::print_json(&json!({
            "path": path,
            "file_name": exported.file_name,
            "size": exported.content.len(),
        }));
    }
    output::print(&format!(
        "saved the catalogue to {path} ({})",
        output::format_size(i64::try_from(exported.content.len()).unwrap_or(i64::MAX))
    ))
}

async fn list(ctx: &Ctx, args: QueryArgs) -> Result<(), CliError> {
    let (procedures, next) = list_query!(
        ctx,
        args,
        ctx.procedures(),
        list_procedures,
        ListProceduresRequest,
        procedures
    )
    .await?;
    print_page(
        ctx,
        "procedures",
        &procedures,
        &next,
        procedure_json,
        "no procedures",
        procedures_table,
    )
}

/// Documents, required or received, for a table: number, name, kind of copy
/// and sets, from `(name, copy kind, sets)`.
pub fn documents_table<'a>(documents: impl IntoIterator<Item = (&'a str, i32, i32)>) -> comfy_table::Table {
    let mut table = table(["NO.", "DOCUMENT", "COPY", "SETS"]);
    for (index, (name, copy_kind, sets)) in documents.into_iter().enumerate() {
        table.add_row(vec![
            (index + 1).to_string(),
            name.to_string(),
            label_cell::<CopyKind>(copy_kind, "copy"),
            sets.to_string(),
        ]);
    }
    table
}

fn procedures_table(procedures: &[Procedure]) -> comfy_table::Table {
    let mut table = table(["CODE", "NAME", "FIELD", "LEVEL", "PROCESSING TIME", "STATE", "VERSION"]);
    for procedure in procedures {
        let version = procedure.version.as_ref();
        table.add_row(vec![
            procedure.code.clone(),
            version.map(|version| version.display_name.clone()).unwrap_or_default(),
            version.map(|version| version.field.clone()).unwrap_or_default(),
            version
                .map(|version| label_cell::<ProcedureLevel>(version.level, "level"))
                .unwrap_or_default(),
            version
                .map(|version| processing_time_label(version.processing_time.as_ref()))
                .unwrap_or_default(),
            state_cell::<procedure::State>(procedure.state, "state"),
            versions_cell(procedure),
        ]);
    }
    table
}

/// `2`, `2 (draft 3)`, `none (draft 1)`.
fn versions_cell(procedure: &Procedure) -> String {
    let published = if procedure.published_version > 0 {
        procedure.published_version.to_string()
    } else {
        "none".to_string()
    };
    if procedure.latest_version > procedure.published_version {
        format!("{published} (draft {})", procedure.latest_version)
    } else {
        published
    }
}

/// `3 ngày làm việc`, `8 giờ làm việc`, as the catalogue writes it.
pub fn processing_time_label(time: Option<&ProcessingTime>) -> String {
    match time.and_then(|time| time.budget) {
        Some(processing_time::Budget::WorkingDays(days)) => format!("{days} ngày làm việc"),
        Some(processing_time::Budget::WorkingHours(hours)) => format!("{hours} giờ làm việc"),
        None => String::new(),
    }
}

/// A processing time for JSON: `{"working_days": 3}` or `{"working_hours": 8}`.
pub fn processing_time_json(time: Option<&ProcessingTime>) -> Value {
    match time.and_then(|time| time.budget) {
        Some(processing_time::Budget::WorkingDays(days)) => json!({ "working_days": days }),
        Some(processing_time::Budget::WorkingHours(hours)) => json!({ "working_hours": hours }),
        None => Value::Null,
    }
}

async fn print_procedure(ctx: &Ctx, procedure: &Procedure) -> Result<(), CliError> {
    if ctx.json() {
        return output::print_json(&procedure_json(procedure));
    }
    output::print_table(&procedure_details(procedure))?;
    match &procedure.version {
        Some(version) => {
            output::print(&format!(
                "\nVersion {} ({})",
                version.number,
                state_cell::<procedure_version::State>(version.state, "state")
            ))?;
            print_version_tables(ctx, version).await
        }
        None if procedure.latest_version > 0 => output::print(&format!(
            "\nno version is published; the latest is {}/versions/{}",
            procedure.name, procedure.latest_version
        )),
        None => Ok(()),
    }
}

fn procedure_details(procedure: &Procedure) -> comfy_table::Table {
    let mut rows = vec![("name", procedure.name.clone()), ("code", procedure.code.clone())];
    if let Some(version) = &procedure.version {
        rows.push(("display name", version.display_name.clone()));
    }
    rows.push(("state", state_cell::<procedure::State>(procedure.state, "state")));
    rows.push(("versions", versions_cell(procedure)));
    stamped_details_table(rows, procedure)
}

/// A version's details, then its steps, required documents, fees and legal
/// basis.
async fn print_version_tables(ctx: &Ctx, version: &ProcedureVersion) -> Result<(), CliError> {
    let labels = Labels::of(ctx, [version.agency.as_str()]).await;
    output::print_table(&version_details(version, &labels))?;
    output::print_section("Steps", "none listed", version.steps.is_empty(), || {
        steps_table(version)
    })?;
    output::print_section(
        "Required documents",
        "none listed",
        version.required_documents.is_empty(),
        || {
            documents_table(
                version
                    .required_documents
                    .iter()
                    .map(|document| (document.display_name.as_str(), document.copy_kind, document.sets)),
            )
        },
    )?;
    output::print_section(
        "Fees",
        "none (không thu phí, lệ phí)",
        version.fees.is_empty(),
        || {
            let mut table = table(["DESCRIPTION", "AMOUNT"]);
            for fee in &version.fees {
                table.add_row(vec![fee.description.clone(), format_vnd(fee.amount_vnd)]);
            }
            table
        },
    )?;
    if !version.legal_basis.is_empty() {
        output::print("\nLegal basis")?;
        let lines: Vec<String> = version
            .legal_basis
            .iter()
            .enumerate()
            .map(|(index, basis)| format!("{}. {basis}", index + 1))
            .collect();
        output::print(&lines.join("\n"))?;
    }
    Ok(())
}

fn version_details(version: &ProcedureVersion, labels: &Labels) -> comfy_table::Table {
    let mut rows = vec![
        ("version", version.name.clone()),
        ("state", state_cell::<procedure_version::State>(version.state, "state")),
        ("display name", version.display_name.clone()),
        ("field", version.field.clone()),
        ("level", label_cell::<ProcedureLevel>(version.level, "level")),
        ("agency", labels.label(&version.agency)),
        (
            "processing time",
            processing_time_label(version.processing_time.as_ref()),
        ),
        (
            "supplement",
            label_cell::<SupplementMode>(version.supplement_mode, "mode"),
        ),
        (
            "online service",
            label_cell::<OnlineLevel>(version.online_level, "online"),
        ),
    ];
    if !version.process_document.is_empty() {
        rows.push(("process document", version.process_document.clone()));
    }
    if version.publish_time.is_some() {
        rows.push(("published", local_cell(version.publish_time.as_ref())));
    }
    rows.push(("updated", local_cell(version.update_time.as_ref())));
    rows.push(("etag", version.etag.clone()));
    details_table(rows)
}

/// Steps numbered from 1, with their norms and their total.
pub fn steps_table(version: &ProcedureVersion) -> comfy_table::Table {
    let mut table = table(["STEP", "WHAT", "WHO", "HOURS"]);
    for (index, step) in version.steps.iter().enumerate() {
        table.add_row(vec![
            (index + 1).to_string(),
            step.display_name.clone(),
            step.handler.clone(),
            step.working_hours.to_string(),
        ]);
    }
    let total: i64 = version.steps.iter().map(|step| i64::from(step.working_hours)).sum();
    table.add_row(vec![
        String::new(),
        "total".to_string(),
        String::new(),
        total.to_string(),
    ]);
    table
}

/// A procedure for JSON output, with its version when it has one.
pub fn procedure_json(procedure: &Procedure) -> Value {
    json!({
        "name": procedure.name,
        "code": procedure.code,
        "state": enum_json::<procedure::State>(procedure.state),
        "published_version": procedure.published_version,
        "latest_version": procedure.latest_version,
        "version": procedure.version.as_ref().map_or(Value::Null, version_json),
        "create_time": json_time(procedure.create_time.as_ref()),
        "update_time": json_time(procedure.update_time.as_ref()),
        "etag": procedure.etag,
    })
}

/// A procedure version for JSON output.
pub fn version_json(version: &ProcedureVersion) -> Value {
    json!({
        "name": version.name,
        "number": version.number,
        "state": enum_json::<procedure_version::State>(version.state),
        "display_name": version.display_name,
        "field": version.field,
        "level": enum_json::<ProcedureLevel>(version.level),
        "agency": version.agency,
        "processing_time": processing_time_json(version.processing_time.as_ref()),
        "supplement_mode": enum_json::<SupplementMode>(version.supplement_mode),
        "steps": version.steps.iter().map(|step| json!({
            "display_name": step.display_name,
            "handler": step.handler,
            "working_hours": step.working_hours,
        })).collect::<Vec<_>>(),
        "required_documents": version.required_documents.iter().map(|document| json!({
            "display_name": document.display_name,
            "copy_kind": enum_json::<CopyKind>(document.copy_kind),
            "sets": document.sets,
        })).collect::<Vec<_>>(),
        "fees": version.fees.iter().map(|fee| json!({
            "description": fee.description,
            "amount_vnd": fee.amount_vnd,
        })).collect::<Vec<_>>(),
        "legal_basis": version.legal_basis,
        "online_level": enum_json::<OnlineLevel>(version.online_level),
        "process_document": version.process_document,
        "publish_time": json_time(version.publish_time.as_ref()),
        "create_time": json_time(version.create_time.as_ref()),
        "update_time": json_time(version.update_time.as_ref()),
        "etag": version.etag,
    })
}

#[cfg(test)]
mod tests {
    use eiso_proto::eiso::procedures::v1::{
        CopyKind, Fee, ImportRowError, ProcedureLevel, ProcedureStep, RequiredDocument, procedure, procedure_version,
    };

    use super::*;

    fn version() -> ProcedureVersion {
        ProcedureVersion {
            name: "procedures/2.002481/versions/1".to_string(),
            number: 1,
            state: procedure_version::State::Published as i32,
            display_name: "Chuyển trường đối với học sinh trung học cơ sở".to_string(),
            level: ProcedureLevel::Commune as i32,
            processing_time: Some(ProcessingTime {
                budget: Some(processing_time::Budget::WorkingDays(3)),
            }),
            steps: vec![
                ProcedureStep {
                    display_name: "Tiếp nhận".to_string(),
                    handler: "Một cửa".to_string(),
                    working_hours: 2,
                },
                ProcedureStep {
                    display_name: "Thẩm định hồ sơ".to_string(),
                    handler: "Chuyên viên".to_string(),
                    working_hours: 22,
                },
            ],
            required_documents: vec![RequiredDocument {
                display_name: "Giấy khai sinh".to_string(),
                copy_kind: CopyKind::CertifiedCopy as i32,
                sets: 1,
            }],
            fees: vec![Fee {
                description: "Lệ phí".to_string(),
                amount_vnd: 1_500_000,
            }],
            legal_basis: vec!["Thông tư số 50/2021/TT-BGDĐT".to_string()],
            ..ProcedureVersion::default()
        }
    }

    #[test]
    fn the_format_follows_the_extension() {
        assert_eq!(table_format(Path::new("a.CSV")).ok(), Some(TableFormat::Csv));
        assert_eq!(table_format(Path::new("thủ tục.xlsx")).ok(), Some(TableFormat::Xlsx));
        assert!(matches!(table_format(Path::new("a.xls")), Err(CliError::Usage(_))));
        assert!(matches!(table_format(Path::new("a")), Err(CliError::Usage(_))));
    }

    #[test]
    fn refused_rows_are_listed_with_row_and_column() {
        let report = ImportProceduresResponse {
            created: 11,
            versioned: 0,
            unchanged: 0,
            errors: vec![
                ImportRowError {
                    row: 14,
                    column: "Cơ quan thực hiện".to_string(),
                    description: "units/x does not exist".to_string(),
                },
                ImportRowError {
                    row: 15,
                    column: String::new(),
                    description: "the row is empty".to_string(),
                },
            ],
            error_count: 2,
        };
        let text = import_report(&report, false, true);
        assert!(text.contains("created:   11"), "{text}");
        assert!(
            text.contains("row 14, Cơ quan thực hiện: units/x does not exist"),
            "{text}"
        );
        assert!(text.contains("row 15: the row is empty"), "{text}");
        assert!(import_report(&report, true, true).starts_with("dry run"));
    }

    #[test]
    fn versions_show_steps_copies_and_fees_in_vietnamese() {
        let version = version();
        let text = steps_table(&version).to_string();
        assert!(text.contains("Thẩm định hồ sơ") && text.contains("24"), "{text}");
        assert_eq!(
            processing_time_label(version.processing_time.as_ref()),
            "3 ngày làm việc"
        );
        let value = version_json(&version);
        assert_eq!(value["state"], "STATE_PUBLISHED");
        assert_eq!(value["level"], "PROCEDURE_LEVEL_COMMUNE");
        assert_eq!(value["processing_time"]["working_days"], 3);
        assert_eq!(value["required_documents"][0]["copy_kind"], "COPY_KIND_CERTIFIED_COPY");
        assert_eq!(value["fees"][0]["amount_vnd"], 1_500_000);
        assert_eq!(value["supplement_mode"], "SUPPLEMENT_MODE_UNSPECIFIED");
        let procedure = Procedure {
            name: "procedures/2.002481".to_string(),
            code: "2.002481".to_string(),
            state: procedure::State::Published as i32,
            published_version: 1,
            latest_version: 2,
            version: Some(version),
            ..Procedure::default()
        };
        assert_eq!(versions_cell(&procedure), "1 (draft 2)");
        let text = procedures_table(std::slice::from_ref(&procedure)).to_string();
        assert!(text.contains("Cấp xã") && text.contains("published"), "{text}");
        assert_eq!(procedure_json(&procedure)["version"]["number"], 1);
    }
}
