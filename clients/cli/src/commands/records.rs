//! `eiso records …`: quality records (hồ sơ) kept for a retention period,
//! then disposed of as a recorded act.

use eiso_proto::eiso::documents::v1::record;
use eiso_proto::eiso::documents::v1::{
    CloseRecordRequest, CreateRecordRequest, DisposeRecordRequest, Disposition, GetRecordRequest,
    ListRecordsDueForDispositionRequest, ListRecordsRequest, Record,
};
use serde_json::{Value, json};

use super::files::{file_json, files_table};
use super::{created, list_method, list_query, print_page, request_id};
use crate::cli::{QueryArgs, RecordCreateArgs, RecordDueArgs, RecordsCommand};
use crate::context::Ctx;
use crate::directory::Labels;
use crate::enum_arg::arg_cell;
use crate::error::CliError;
use crate::names::{enum_json, nfc, required_text, state_cell};
use crate::output::{self, json_time, local_cell, stamped_details_table, table, to_timestamp};

/// Runs a `records` subcommand.
pub async fn run(ctx: &Ctx, command: RecordsCommand) -> Result<(), CliError> {
    match command {
        RecordsCommand::Create(args) => create(ctx, args).await,
        RecordsCommand::List(args) => list(ctx, args).await,
        RecordsCommand::Show { record } => {
            let request = ctx.request(GetRecordRequest { name: record })?;
            let record = ctx.answer(ctx.documents().get_record(request)).await?;
            print_one(ctx, &record).await
        }
        RecordsCommand::Close { record, etag } => {
            let request = ctx.request(CloseRecordRequest {
                name: record,
                etag: etag.unwrap_or_default(),
            })?;
            let record = ctx.answer(ctx.documents().close_record(request)).await?;
            print_one(ctx, &record).await
        }
        RecordsCommand::Due(args) => due(ctx, args).await,
        RecordsCommand::Dispose {
            record,
            reference,
            etag,
        } => {
            let reason = ctx.required_reason("records dispose")?;
            let reference = required_text(
                &reference,
                "records dispose",
                "--reference",
                "the minutes or decision, e.g. \"Biên bản hủy số 05/BB-PGD\"",
            )?;
            let request = ctx.request(DisposeRecordRequest {
                name: record,
                reason,
                reference,
                etag: etag.unwrap_or_default(),
            })?;
            let record = ctx.answer(ctx.documents().dispose_record(request)).await?;
            print_one(ctx, &record).await
        }
    }
}

/// The record a create sends, from the flags.
pub fn new_record(args: &RecordCreateArgs) -> Record {
    Record {
        title: nfc(&args.title),
        document: args.document.clone().unwrap_or_default(),
        owner_unit: args.owner_unit.clone(),
        retention_months: args.retention_months,
        disposition: args.disposition as i32,
        ..Record::default()
    }
}

async fn create(ctx: &Ctx, args: RecordCreateArgs) -> Result<(), CliError> {
    let request_id = request_id(args.request_id.as_deref());
    let request = ctx.request(CreateRecordRequest {
        record: Some(new_record(&args)),
        request_id: request_id.clone(),
    })?;
    let record = created(ctx, &request_id, ctx.documents().create_record(request)).await?;
    print_one(ctx, &record).await?;
    if !ctx.json() {
        output::note(&format!("add its files with: eiso docs upload {} FILE", record.name));
    }
    Ok(())
}

async fn list(ctx: &Ctx, args: QueryArgs) -> Result<(), CliError> {
    let (records, next) = list_query!(ctx, args, ctx.documents(), list_records, ListRecordsRequest, records).await?;
    let labels = Labels::of(ctx, records.iter().map(|record| record.owner_unit.as_str())).await;
    print_page(ctx, "records", &records, &next, record_json, "no records", |records| {
        records_table(records, &labels)
    })
}

async fn due(ctx: &Ctx, args: RecordDueArgs) -> Result<(), CliError> {
    let as_of_time = args.as_of.map(to_timestamp);
    let (records, next) = list_method!(
        ctx,
        &args.page,
        |page_size, page_token| ListRecordsDueForDispositionRequest {
            as_of_time,
            page_size,
            page_token,
        },
        ctx.documents(),
        list_records_due_for_disposition,
        records,
    )
    .await?;
    let labels = Labels::of(ctx, records.iter().map(|record| record.owner_unit.as_str())).await;
    print_page(
        ctx,
        "records",
        &records,
        &next,
        record_json,
        "no records await disposition",
        |records| records_table(records, &labels),
    )
}

fn records_table(records: &[Record], labels: &Labels) -> comfy_table::Table {
    let mut table = table([
        "NAME",
        "TITLE",
        "OWNER UNIT",
        "STATE",
        "RETENTION",
        "DISPOSITION",
        "RETENTION ENDS",
    ]);
    for record in records {
        table.add_row(vec![
            record.name.clone(),
            record.title.clone(),
            labels.label(&record.owner_unit),
            state_cell::<record::State>(record.state, "state"),
            retention_label(record.retention_months),
            arg_cell::<Disposition>(record.disposition, "disposition"),
            local_cell(record.retention_end_time.as_ref()),
        ]);
    }
    table
}

async fn print_one(ctx: &Ctx, record: &Record) -> Result<(), CliError> {
    if ctx.json() {
        return output::print_json(&record_json(record));
    }
    let actor = record.disposition_act.as_ref().map(|act| act.actor.as_str());
    let names = [record.owner_unit.as_str(), record.document.as_str()]
        .into_iter()
        .chain(actor);
    let labels = Labels::of(ctx, names).await;
    output::print_table(&record_details(record, &labels))?;
    if !record.files.is_empty() {
        output::print("Files")?;
        output::print_table(&files_table(&record.files))?;
    }
    Ok(())
}

fn retention_label(months: i32) -> String {
    if months == 0 {
        "permanent".to_string()
    } else {
        output::months(months)
    }
}

fn record_details(record: &Record, labels: &Labels) -> comfy_table::Table {
    let mut rows = vec![
        ("name", record.name.clone()),
        ("title", record.title.clone()),
        ("owner unit", labels.label(&record.owner_unit)),
    ];
    if !record.document.is_empty() {
        rows.push(("document", labels.label(&record.document)));
    }
    rows.push(("state", state_cell::<record::State>(record.state, "state")));
    rows.push(("retention", retention_label(record.retention_months)));
    rows.push((
        "disposition",
        arg_cell::<Disposition>(record.disposition, "disposition"),
    ));
    if record.close_time.is_some() {
        rows.push(("closed", local_cell(record.close_time.as_ref())));
    }
    if record.retention_end_time.is_some() {
        rows.push(("retention ends", local_cell(record.retention_end_time.as_ref())));
    }
    if let Some(act) = &record.disposition_act {
        rows.push((
            "disposed",
            format!(
                "{} by {} on {}\n{}\n{}",
                arg_cell::<Disposition>(act.disposition, "disposition"),
                labels.label(&act.actor),
                local_cell(act.act_time.as_ref()),
                act.reference,
                act.reason
            ),
        ));
    }
    rows.push(("files", record.files.len().to_string()));
    stamped_details_table(rows, record)
}

/// A record for JSON output.
pub fn record_json(record: &Record) -> Value {
    json!({
        "name": record.name,
        "title": record.title,
        "document": record.document,
        "owner_unit": record.owner_unit,
        "retention_months": record.retention_months,
        "disposition": enum_json::<Disposition>(record.disposition),
        "state": enum_json::<record::State>(record.state),
        "files": record.files.iter().map(file_json).collect::<Vec<_>>(),
        "close_time": json_time(record.close_time.as_ref()),
        "retention_end_time": json_time(record.retention_end_time.as_ref()),
        "disposition_act": record.disposition_act.as_ref().map_or(Value::Null, |act| json!({
            "disposition": enum_json::<Disposition>(act.disposition),
            "actor": act.actor,
            "act_time": json_time(act.act_time.as_ref()),
            "reason": act.reason,
            "reference": act.reference,
        })),
        "create_time": json_time(record.create_time.as_ref()),
        "update_time": json_time(record.update_time.as_ref()),
        "etag": record.etag,
    })
}

#[cfg(test)]
mod tests {
    use eiso_proto::eiso::documents::v1::{DispositionAct, record};

    use super::*;

    #[test]
    fn a_new_record_carries_the_flags() {
        let record = new_record(&RecordCreateArgs {
            title: "Sổ theo dõi hồ sơ năm 2024".to_string(),
            owner_unit: "units/pgd".to_string(),
            retention_months: 60,
            disposition: Disposition::TransferToArchive,
            document: Some("documents/d-1".to_string()),
            request_id: None,
        });
        assert_eq!(record.disposition, Disposition::TransferToArchive as i32);
        assert_eq!(record.retention_months, 60);
        assert_eq!(record.document, "documents/d-1");
    }

    #[test]
    fn json_and_tables_show_the_disposition_act() {
        let record = Record {
            name: "records/r-1".to_string(),
            title: "Sổ theo dõi hồ sơ năm 2024".to_string(),
            state: record::State::Disposed as i32,
            disposition: Disposition::Destroy as i32,
            disposition_act: Some(DispositionAct {
                disposition: Disposition::Destroy as i32,
                actor: "users/u-1".to_string(),
                reference: "Biên bản hủy số 05/BB-PGD".to_string(),
                ..DispositionAct::default()
            }),
            ..Record::default()
        };
        let value = record_json(&record);
        assert_eq!(value["state"], "STATE_DISPOSED");
        assert_eq!(value["disposition"], "DISPOSITION_DESTROY");
        assert_eq!(value["disposition_act"]["reference"], "Biên bản hủy số 05/BB-PGD");
        assert_eq!(value["retention_end_time"], Value::Null);
        let text = record_details(&record, &Labels::default()).to_string();
        assert!(text.contains("Biên bản hủy số 05/BB-PGD"), "{text}");
        assert!(text.contains("permanent"), "{text}");
    }
}
