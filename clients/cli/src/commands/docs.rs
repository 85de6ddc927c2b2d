//! `eiso docs …`: controlled documents, their revisions and workflow,
//! acknowledgements and periodic review. Files are in [`super::files`].

use std::cell::Cell;

use chrono::Utc;
use eiso_proto::eiso::documents::v1::{
    AcknowledgeRevisionRequest, Acknowledgement, ApproveRevisionRequest, CheckInRevisionRequest,
    CheckOutRevisionRequest, CreateDocumentRequest, CreateRevisionRequest, Document, DocumentType, ExternalOrigin,
    GetDocumentRequest, GetRevisionRequest, ListAcknowledgementsRequest, ListDocumentsRequest,
    ListReviewDueDocumentsRequest, ListRevisionsRequest, ObsoleteDocumentRequest, PublishRevisionRequest,
    RejectRevisionRequest, Review, Revision, SubmitRevisionRequest,
};
use eiso_proto::eiso::documents::v1::{Confidentiality, document, review, revision};
use serde_json::{Value, json};

use super::files::{file_json, files_table};
use super::{created, list_method, list_pages, list_query, note_next_page, print_page, request_id, with_retry_hint};
use crate::cli::{
    DocAcksArgs, DocCreateArgs, DocHistoryArgs, DocPublishArgs, DocReviewDueArgs, DocReviseArgs, DocShowArgs,
    DocSubmitArgs, DocsCommand, QueryArgs,
};
use crate::context::Ctx;
use crate::directory::Labels;
use crate::enum_arg::arg_cell;
use crate::error::CliError;
use crate::names::{DocumentOrRevision, enum_json, nfc, required_text, state_cell};
use crate::output::{
    self, details_table, format_local, json_time, local_cell, stamped_details_table, table, to_timestamp, to_utc,
};

/// Runs a `docs` subcommand.
pub async fn run(ctx: &Ctx, command: DocsCommand) -> Result<(), CliError> {
    match command {
        DocsCommand::Create(args) => create(ctx, args).await,
        DocsCommand::List(args) => list(ctx, args).await,
        DocsCommand::Show(args) => show(ctx, args).await,
        DocsCommand::History(args) => history(ctx, args).await,
        DocsCommand::Revise(args) => revise(ctx, args).await,
        DocsCommand::Upload(args) => super::files::upload(ctx, args).await,
        DocsCommand::Download(args) => super::files::download(ctx, args).await,
        DocsCommand::Checkout { revision } => {
            let request = ctx.request(CheckOutRevisionRequest { name: revision })?;
            let revision = ctx.answer(ctx.documents().check_out_revision(request)).await?;
            print_revision(ctx, &revision).await
        }
        DocsCommand::Checkin { revision, force } => {
            let reason = if force {
                ctx.required_reason("docs checkin --force")?
            } else {
                ctx.reason.clone().unwrap_or_default()
            };
            let request = ctx.request(CheckInRevisionRequest {
                name: revision,
                force,
                reason,
            })?;
            let revision = ctx.answer(ctx.documents().check_in_revision(request)).await?;
            print_revision(ctx, &revision).await
        }
        DocsCommand::Submit(args) => submit(ctx, args).await,
        DocsCommand::Approve { revision, comment } => {
            let request = ctx.request(ApproveRevisionRequest {
                name: revision,
                comment: comment.as_deref().map(nfc).unwrap_or_default(),
            })?;
            let revision = ctx.answer(ctx.documents().approve_revision(request)).await?;
            print_revision(ctx, &revision).await
        }
        DocsCommand::Reject { revision, comment } => {
            let comment = required_text(&comment, "docs reject", "--comment TEXT", "what must change")?;
            let request = ctx.request(RejectRevisionRequest {
                name: revision,
                comment,
            })?;
            let revision = ctx.answer(ctx.documents().reject_revision(request)).await?;
            print_revision(ctx, &revision).await
        }
        DocsCommand::Publish(args) => publish(ctx, args).await,
        DocsCommand::Obsolete { document, etag } => {
            let reason = ctx.required_reason("docs obsolete")?;
            let request = ctx.request(ObsoleteDocumentRequest {
                name: document,
                reason,
                etag: etag.unwrap_or_default(),
            })?;
            let document = ctx.answer(ctx.documents().obsolete_document(request)).await?;
            print_document(ctx, &document, None).await
        }
        DocsCommand::Ack { revision } => {
            let request = ctx.request(AcknowledgeRevisionRequest { name: revision })?;
            let acknowledgement = ctx.answer(ctx.documents().acknowledge_revision(request)).await?;
            if ctx.json() {
                output::print_json(&ack_json(&acknowledgement))
            } else {
                output::print_table(&details_table([
                    ("revision", acknowledgement.revision.clone()),
                    ("display name", acknowledgement.display_name.clone()),
                    ("acknowledged", local_cell(acknowledgement.acknowledge_time.as_ref())),
                ]))
            }
        }
        DocsCommand::Acks(args) => acks(ctx, args).await,
        DocsCommand::ReviewDue(args) => review_due(ctx, args).await,
    }
}

/// The document a create sends, from the flags; an error for an external
/// document without its origin.
pub fn new_document(args: &DocCreateArgs) -> Result<Document, CliError> {
    let external_origin = match (&args.issuer, &args.reference) {
        (Some(issuer), Some(reference)) => Some(ExternalOrigin {
            issuer: nfc(issuer),
            reference: nfc(reference),
            issue_time: args.issued.map(to_timestamp),
        }),
        _ => None,
    };
    if args.doc_type == DocumentType::External && external_origin.is_none() {
        return Err(CliError::Usage(
            "an external document needs --issuer and --reference (e.g. --issuer \"Chính phủ\" --reference \
             118/2025/NĐ-CP)"
                .to_string(),
        ));
    }
    Ok(Document {
        code: args.code.trim().to_string(),
        title: nfc(&args.title),
        r#type: args.doc_type as i32,
        owner_unit: args.owner_unit.clone(),
        confidentiality: args.confidentiality as i32,
        review_interval_months: args.review_months.unwrap_or_default(),
        tags: args
            .tags
            .iter()
            .map(|tag| nfc(tag))
            .filter(|tag| !tag.is_empty())
            .collect(),
        external_origin,
        ..Document::default()
    })
}

async fn create(ctx: &Ctx, args: DocCreateArgs) -> Result<(), CliError> {
    let document = new_document(&args)?;
    let request_id = request_id(args.request_id.as_deref());
    let request = ctx.request(CreateDocumentRequest {
        document: Some(document),
        request_id: request_id.clone(),
    })?;
    let mut client = ctx.documents();
    let mut document = created(ctx, &request_id, client.create_document(request)).await?;
    if args.no_revision {
        return print_created(ctx, &document, None).await;
    }

    // The draft's own idempotency key follows from the document's, so that
    // repeating the whole command with --request-id creates neither twice.
    let request = ctx.request(CreateRevisionRequest {
        parent: document.name.clone(),
        revision: Some(Revision {
            change_summary: args.summary.as_deref().map(nfc).unwrap_or_default(),
            change_reason: ctx.reason.clone().unwrap_or_default(),
            ..Revision::default()
        }),
        request_id: format!("{request_id}:draft"),
    })?;
    let revision = client.create_revision(request).await.map_err(|status| {
        let error = with_retry_hint(ctx.rpc_error(status), &request_id);
        if matches!(error, CliError::Rpc { hint: Some(_), .. }) {
            error
        } else {
            error.with_hint(format!(
                "the document was created as {0}, without a draft: start one with `eiso docs revise {0}`",
                document.name
            ))
        }
    })?;
    let revision = revision.into_inner();
    // Creating the draft changed the document (latest revision, etag).
    match ctx.request(GetDocumentRequest {
        name: document.name.clone(),
        as_of_time: None,
    }) {
        Ok(request) => match client.get_document(request).await {
            Ok(response) => document = response.into_inner(),
            Err(status) => output::warn(&format!("cannot read the document back: {}", ctx.rpc_error(status))),
        },
        Err(error) => output::warn(&error.to_string()),
    }
    print_created(ctx, &document, Some(&revision)).await
}

async fn print_created(ctx: &Ctx, document: &Document, draft: Option<&Revision>) -> Result<(), CliError> {
    if ctx.json() {
        return output::print_json(&json!({
            "document": document_json(document),
            "revision": draft.map_or(Value::Null, revision_json),
        }));
    }
    let labels = Labels::of(ctx, [document.owner_unit.as_str()]).await;
    output::print_table(&document_details(document, &labels))?;
    if let Some(draft) = draft {
        output::print(&format!("draft: {}", draft.name))?;
        output::note(&format!(
            "next: eiso docs upload {} FILE, then eiso docs submit {} --reviewer USER",
            draft.name, draft.name
        ));
    }
    Ok(())
}

async fn list(ctx: &Ctx, args: QueryArgs) -> Result<(), CliError> {
    let (documents, next) = list_query!(
        ctx,
        args,
        ctx.documents(),
        list_documents,
        ListDocumentsRequest,
        documents
    )
    .await?;
    print_page(
        ctx,
        "documents",
        &documents,
        &next,
        document_json,
        "no documents",
        documents_table,
    )
}

async fn show(ctx: &Ctx, args: DocShowArgs) -> Result<(), CliError> {
    match args.target {
        DocumentOrRevision::Document(name) => {
            let request = ctx.request(GetDocumentRequest {
                name,
                as_of_time: args.as_of.map(to_timestamp),
            })?;
            let document = ctx.answer(ctx.documents().get_document(request)).await?;
            print_document(ctx, &document, args.as_of.map(format_local).as_deref()).await
        }
        DocumentOrRevision::Revision(name) => {
            if args.as_of.is_some() {
                return Err(CliError::Usage(
                    "--as-of picks the revision effective at a time: give a document, not a revision".to_string(),
                ));
            }
            let request = ctx.request(GetRevisionRequest { name })?;
            let revision = ctx.answer(ctx.documents().get_revision(request)).await?;
            print_revision(ctx, &revision).await
        }
    }
}

async fn history(ctx: &Ctx, args: DocHistoryArgs) -> Result<(), CliError> {
    let (revisions, next) = list_method!(
        ctx,
        &args.page,
        |page_size, page_token| ListRevisionsRequest {
            parent: args.document.clone(),
            page_size,
            page_token,
            filter: String::new(),
        },
        ctx.documents(),
        list_revisions,
        revisions,
    )
    .await?;
    let labels = Labels::of(ctx, revisions.iter().map(|revision| revision.author.as_str())).await;
    print_page(
        ctx,
        "revisions",
        &revisions,
        &next,
        revision_json,
        &format!(
            "{} has no revision yet: start one with `eiso docs revise {}`",
            args.document, args.document
        ),
        |revisions| history_table(revisions, &labels),
    )
}

async fn revise(ctx: &Ctx, args: DocReviseArgs) -> Result<(), CliError> {
    let request_id = request_id(args.request_id.as_deref());
    let request = ctx.request(CreateRevisionRequest {
        parent: args.document,
        revision: Some(Revision {
            change_summary: args.summary.as_deref().map(nfc).unwrap_or_default(),
            change_reason: ctx.reason.clone().unwrap_or_default(),
            ..Revision::default()
        }),
        request_id: request_id.clone(),
    })?;
    let revision = created(ctx, &request_id, ctx.documents().create_revision(request)).await?;
    print_revision(ctx, &revision).await?;
    if !ctx.json() {
        output::note(&format!("next: eiso docs upload {} FILE", revision.name));
    }
    Ok(())
}

async fn submit(ctx: &Ctx, args: DocSubmitArgs) -> Result<(), CliError> {
    let request = ctx.request(SubmitRevisionRequest {
        name: args.revision,
        reviewers: args.reviewers,
        etag: args.etag.unwrap_or_default(),
    })?;
    let revision = ctx.answer(ctx.documents().submit_revision(request)).await?;
    print_revision(ctx, &revision).await
}

async fn publish(ctx: &Ctx, args: DocPublishArgs) -> Result<(), CliError> {
    let request = ctx.request(PublishRevisionRequest {
        name: args.revision,
        acknowledgement_users: args.ack_users,
        acknowledgement_units: args.ack_units,
        etag: args.etag.unwrap_or_default(),
    })?;
    let revision = ctx.answer(ctx.documents().publish_revision(request)).await?;
    print_revision(ctx, &revision).await
}

async fn acks(ctx: &Ctx, args: DocAcksArgs) -> Result<(), CliError> {
    let filter = if args.pending {
        "acknowledged = false".to_string()
    } else {
        String::new()
    };
    // Every page carries the same counts; keep the last.
    let counts = Cell::new((0, 0));
    let (acknowledgements, next) = list_pages(
        ctx,
        &args.page,
        |page_size, page_token| ListAcknowledgementsRequest {
            parent: args.revision.clone(),
            filter: filter.clone(),
            page_size,
            page_token,
        },
        ctx.documents(),
        |mut client, request| async move { client.list_acknowledgements(request).await },
        |answer| {
            counts.set((answer.required_count, answer.acknowledged_count));
            (answer.acknowledgements, answer.next_page_token)
        },
    )
    .await?;
    let (required, acknowledged) = counts.get();
    if ctx.json() {
        return output::print_json(&json!({
            "revision": args.revision,
            "acknowledgements": acknowledgements.iter().map(ack_json).collect::<Vec<_>>(),
            "required_count": required,
            "acknowledged_count": acknowledged,
            "next_page_token": next,
        }));
    }
    if acknowledgements.is_empty() {
        output::print(if args.pending {
            "nobody is left to acknowledge"
        } else {
            "no acknowledgements"
        })?;
    } else {
        // People by name; their ids are in the JSON output.
        let mut table = table(["USER", "ACKNOWLEDGED"]);
        for acknowledgement in &acknowledgements {
            let who = if acknowledgement.display_name.is_empty() {
                &acknowledgement.user
            } else {
                &acknowledgement.display_name
            };
            table.add_row(vec![
                who.clone(),
                acknowledgement
                    .acknowledge_time
                    .as_ref()
                    .map_or_else(|| "not yet".to_string(), |time| local_cell(Some(time))),
            ]);
        }
        output::print_table(&table)?;
    }
    output::print(&format!(
        "{acknowledged} of {required} required acknowledgements received"
    ))?;
    note_next_page(&next);
    Ok(())
}

async fn review_due(ctx: &Ctx, args: DocReviewDueArgs) -> Result<(), CliError> {
    let (documents, next) = list_method!(
        ctx,
        &args.page,
        |page_size, page_token| ListReviewDueDocumentsRequest {
            within_days: args.within_days,
            page_size,
            page_token,
        },
        ctx.documents(),
        list_review_due_documents,
        documents,
    )
    .await?;
    print_page(
        ctx,
        "documents",
        &documents,
        &next,
        document_json,
        &format!("no periodic review due within {} days", args.within_days),
        review_due_table,
    )
}

fn review_due_table(documents: &[Document]) -> comfy_table::Table {
    let now = Utc::now();
    let mut table = table(["NAME", "CODE", "TITLE", "REVISION", "REVIEW DUE", "STATUS"]);
    for document in documents {
        let due = document.next_review_time.as_ref();
        let overdue = due.and_then(to_utc).is_some_and(|due| due < now);
        table.add_row(vec![
            document.name.clone(),
            document.code.clone(),
            document.title.clone(),
            document.effective_revision.to_string(),
            local_cell(due),
            if overdue { "overdue" } else { "due soon" }.to_string(),
        ]);
    }
    table
}

/// Prints a document and, in tables, its revision (effective now, or at
/// `as_of` when given: that time as shown to people).
async fn print_document(ctx: &Ctx, document: &Document, as_of: Option<&str>) -> Result<(), CliError> {
    if ctx.json() {
        return output::print_json(&document_json(document));
    }
    let labels = Labels::of(ctx, [document.owner_unit.as_str()]).await;
    output::print_table(&document_details(document, &labels))?;
    match (&document.revision, as_of) {
        (Some(revision), _) => {
            let heading = match as_of {
                Some(time) => format!("\nRevision {} (effective at {time})", revision.number),
                None => format!(
                    "\nRevision {} ({})",
                    revision.number,
                    state_cell::<revision::State>(revision.state, "state")
                ),
            };
            output::print(&heading)?;
            print_revision_tables(ctx, revision).await
        }
        (None, Some(time)) => output::print(&format!("\nno revision was effective at {time}")),
        (None, None) if document.latest_revision > 0 => output::print(&format!(
            "\nno revision is effective yet; the latest is {}/revisions/{}",
            document.name, document.latest_revision
        )),
        (None, None) => Ok(()),
    }
}

/// Prints a revision with its files and reviews.
async fn print_revision(ctx: &Ctx, revision: &Revision) -> Result<(), CliError> {
    if ctx.json() {
        output::print_json(&revision_json(revision))
    } else {
        print_revision_tables(ctx, revision).await
    }
}

/// The people of a revision: its author, who holds it checked out, its reviewers.
fn revision_people(revision: &Revision) -> impl Iterator<Item = &str> {
    [revision.author.as_str(), revision.checked_out_by.as_str()]
        .into_iter()
        .chain(revision.reviews.iter().map(|review| review.reviewer.as_str()))
}

async fn print_revision_tables(ctx: &Ctx, revision: &Revision) -> Result<(), CliError> {
    let labels = Labels::of(ctx, revision_people(revision)).await;
    output::print_table(&revision_details(revision, &labels))?;
    if revision.files.is_empty() {
        output::print("no files")?;
    } else {
        output::print("Files")?;
        output::print_table(&files_table(&revision.files))?;
    }
    if !revision.reviews.is_empty() {
        output::print(&format!("Reviews (round {})", revision.review_round))?;
        output::print_table(&reviews_table(&revision.reviews, &labels))?;
    }
    Ok(())
}

fn documents_table(documents: &[Document]) -> comfy_table::Table {
    let mut table = table(["NAME", "CODE", "TITLE", "TYPE", "STATE", "EFFECTIVE", "UPDATED"]);
    for document in documents {
        table.add_row(vec![
            document.name.clone(),
            document.code.clone(),
            document.title.clone(),
            arg_cell::<DocumentType>(document.r#type, "type"),
            state_cell::<document::State>(document.state, "state"),
            revision_number_cell(document.effective_revision),
            local_cell(document.update_time.as_ref()),
        ]);
    }
    table
}

fn history_table(revisions: &[Revision], labels: &Labels) -> comfy_table::Table {
    let mut table = table(["NO.", "STATE", "SUMMARY", "AUTHOR", "EFFECTIVE", "ENDED"]);
    for revision in revisions {
        table.add_row(vec![
            revision.number.to_string(),
            state_cell::<revision::State>(revision.state, "state"),
            revision.change_summary.clone(),
            labels.label(&revision.author),
            local_cell(revision.effective_time.as_ref()),
            local_cell(revision.end_time.as_ref()),
        ]);
    }
    table
}

fn reviews_table(reviews: &[Review], labels: &Labels) -> comfy_table::Table {
    let mut table = table(["REVIEWER", "ROUND", "DECISION", "COMMENT", "DECIDED"]);
    for review in reviews {
        table.add_row(vec![
            labels.label(&review.reviewer),
            review.round.to_string(),
            state_cell::<review::Decision>(review.decision, "decision"),
            review.comment.clone(),
            local_cell(review.decide_time.as_ref()),
        ]);
    }
    table
}

fn revision_number_cell(number: i32) -> String {
    if number > 0 {
        number.to_string()
    } else {
        "none".to_string()
    }
}

fn document_details(document: &Document, labels: &Labels) -> comfy_table::Table {
    let mut rows = vec![
        ("name", document.name.clone()),
        ("code", document.code.clone()),
        ("title", document.title.clone()),
        ("type", arg_cell::<DocumentType>(document.r#type, "type")),
        ("owner unit", labels.label(&document.owner_unit)),
        (
            "confidentiality",
            arg_cell::<Confidentiality>(document.confidentiality, "confidentiality"),
        ),
        ("state", state_cell::<document::State>(document.state, "state")),
        ("effective revision", revision_number_cell(document.effective_revision)),
        ("latest revision", revision_number_cell(document.latest_revision)),
    ];
    if let Some(origin) = &document.external_origin {
        rows.push(("issuer", origin.issuer.clone()));
        rows.push(("reference", origin.reference.clone()));
        if origin.issue_time.is_some() {
            rows.push(("issued", local_cell(origin.issue_time.as_ref())));
        }
    }
    if !document.tags.is_empty() {
        rows.push(("tags", document.tags.join(", ")));
    }
    rows.push((
        "periodic review",
        if document.review_interval_months > 0 {
            format!("every {}", output::months(document.review_interval_months))
        } else {
            "none".to_string()
        },
    ));
    if document.next_review_time.is_some() {
        rows.push(("next review", local_cell(document.next_review_time.as_ref())));
    }
    stamped_details_table(rows, document)
}

fn revision_details(revision: &Revision, labels: &Labels) -> comfy_table::Table {
    let mut rows = vec![
        ("name", revision.name.clone()),
        ("number", revision.number.to_string()),
        ("state", state_cell::<revision::State>(revision.state, "state")),
        ("change summary", revision.change_summary.clone()),
        ("change reason", revision.change_reason.clone()),
        ("author", labels.label(&revision.author)),
    ];
    if !revision.checked_out_by.is_empty() {
        rows.push((
            "checked out by",
            format!(
                "{} since {}",
                labels.label(&revision.checked_out_by),
                local_cell(revision.checkout_time.as_ref())
            ),
        ));
    }
    let times = [
        ("submitted", &revision.submit_time),
        ("approved", &revision.approve_time),
        ("effective", &revision.effective_time),
        ("ended", &revision.end_time),
    ];
    for (label, time) in times {
        if time.is_some() {
            rows.push((label, local_cell(time.as_ref())));
        }
    }
    stamped_details_table(rows, revision)
}

/// A document for JSON output, with its revision when it has one.
pub fn document_json(document: &Document) -> Value {
    json!({
        "name": document.name,
        "code": document.code,
        "title": document.title,
        "type": enum_json::<DocumentType>(document.r#type),
        "owner_unit": document.owner_unit,
        "confidentiality": enum_json::<Confidentiality>(document.confidentiality),
        "review_interval_months": document.review_interval_months,
        "tags": document.tags,
        "external_origin": document.external_origin.as_ref().map_or(Value::Null, |origin| json!({
            "issuer": origin.issuer,
            "reference": origin.reference,
            "issue_time": json_time(origin.issue_time.as_ref()),
        })),
        "state": enum_json::<document::State>(document.state),
        "effective_revision": document.effective_revision,
        "latest_revision": document.latest_revision,
        "revision": document.revision.as_ref().map_or(Value::Null, revision_json),
        "next_review_time": json_time(document.next_review_time.as_ref()),
        "create_time": json_time(document.create_time.as_ref()),
        "update_time": json_time(document.update_time.as_ref()),
        "etag": document.etag,
    })
}

/// A revision for JSON output, with its files and reviews.
pub fn revision_json(revision: &Revision) -> Value {
    json!({
        "name": revision.name,
        "number": revision.number,
        "state": enum_json::<revision::State>(revision.state),
        "change_summary": revision.change_summary,
        "change_reason": revision.change_reason,
        "author": revision.author,
        "files": revision.files.iter().map(file_json).collect::<Vec<_>>(),
        "reviews": revision.reviews.iter().map(|review| json!({
            "reviewer": review.reviewer,
            "round": review.round,
            "decision": enum_json::<review::Decision>(review.decision),
            "comment": review.comment,
            "decide_time": json_time(review.decide_time.as_ref()),
        })).collect::<Vec<_>>(),
        "review_round": revision.review_round,
        "checked_out_by": revision.checked_out_by,
        "checkout_time": json_time(revision.checkout_time.as_ref()),
        "submit_time": json_time(revision.submit_time.as_ref()),
        "approve_time": json_time(revision.approve_time.as_ref()),
        "effective_time": json_time(revision.effective_time.as_ref()),
        "end_time": json_time(revision.end_time.as_ref()),
        "create_time": json_time(revision.create_time.as_ref()),
        "update_time": json_time(revision.update_time.as_ref()),
        "etag": revision.etag,
    })
}

/// An acknowledgement for JSON output.
pub fn ack_json(acknowledgement: &Acknowledgement) -> Value {
    json!({
        "revision": acknowledgement.revision,
        "user": acknowledgement.user,
        "display_name": acknowledgement.display_name,
        "acknowledge_time": json_time(acknowledgement.acknowledge_time.as_ref()),
    })
}

#[cfg(test)]
mod tests {
    use eiso_proto::eiso::documents::v1::{Confidentiality, File, document, review, revision};
    use eiso_proto::prost_types::Timestamp;

    use super::*;

    fn create_args() -> DocCreateArgs {
        DocCreateArgs {
            code: " QT-TTHC-01 ".to_string(),
            title: "Quy trình tiếp nhận hồ sơ".to_string(),
            doc_type: DocumentType::Procedure,
            owner_unit: "units/pgd".to_string(),
            confidentiality: Confidentiality::Internal,
            review_months: Some(12),
            tags: vec!["Một cửa".to_string(), " ".to_string()],
            issuer: None,
            reference: None,
            issued: None,
            no_revision: false,
            summary: None,
            request_id: None,
        }
    }

    #[test]
    fn a_new_document_carries_the_flags() -> Result<(), CliError> {
        let document = new_document(&create_args())?;
        assert_eq!(document.code, "QT-TTHC-01");
        assert_eq!(document.r#type, DocumentType::Procedure as i32);
        assert_eq!(document.confidentiality, Confidentiality::Internal as i32);
        assert_eq!(document.review_interval_months, 12);
        assert_eq!(document.tags, ["Một cửa"]);
        assert_eq!(document.external_origin, None);
        Ok(())
    }

    #[test]
    fn an_external_document_needs_its_origin() {
        let args = DocCreateArgs {
            doc_type: DocumentType::External,
            ..create_args()
        };
        assert!(matches!(new_document(&args), Err(CliError::Usage(_))));
        let args = DocCreateArgs {
            doc_type: DocumentType::External,
            issuer: Some("Chính phủ".to_string()),
            reference: Some("118/2025/NĐ-CP".to_string()),
            ..create_args()
        };
        let origin = new_document(&args).ok().and_then(|document| document.external_origin);
        assert_eq!(
            origin.map(|origin| origin.reference),
            Some("118/2025/NĐ-CP".to_string())
        );
    }

    #[test]
    fn json_has_proto_names_and_rfc3339_times() {
        let time = Timestamp {
            seconds: 1_751_328_000,
            nanos: 0,
        };
        let document = Document {
            name: "documents/d-1".to_string(),
            title: "Quy trình tiếp nhận hồ sơ".to_string(),
            r#type: DocumentType::Procedure as i32,
            confidentiality: Confidentiality::Restricted as i32,
            state: document::State::Effective as i32,
            effective_revision: 2,
            revision: Some(Revision {
                name: "documents/d-1/revisions/2".to_string(),
                number: 2,
                state: revision::State::Effective as i32,
                effective_time: Some(time),
                files: vec![File {
                    name: "documents/d-1/revisions/2/files/f-1".to_string(),
                    file_name: "Quy trình.pdf".to_string(),
                    size: 5 << 20,
                    ..File::default()
                }],
                reviews: vec![Review {
                    reviewer: "users/u-1".to_string(),
                    decision: review::Decision::Approved as i32,
                    ..Review::default()
                }],
                ..Revision::default()
            }),
            ..Document::default()
        };
        let value = document_json(&document);
        assert_eq!(value["type"], "DOCUMENT_TYPE_PROCEDURE");
        assert_eq!(value["confidentiality"], "CONFIDENTIALITY_RESTRICTED");
        assert_eq!(value["state"], "STATE_EFFECTIVE");
        assert_eq!(value["external_origin"], Value::Null);
        assert_eq!(value["revision"]["state"], "STATE_EFFECTIVE");
        assert_eq!(value["revision"]["effective_time"], "2025-07-01T00:00:00Z");
        assert_eq!(value["revision"]["files"][0]["file_name"], "Quy trình.pdf");
        assert_eq!(value["revision"]["reviews"][0]["decision"], "DECISION_APPROVED");

        let text = document_details(&document, &Labels::default()).to_string();
        assert!(text.contains("Quy trình tiếp nhận hồ sơ"), "{text}");
        assert!(text.contains("restricted"), "{text}");
        let text = history_table(document.revision.as_slice(), &Labels::default()).to_string();
        assert!(text.contains("01/07/2025 07:00"), "{text}");
        assert!(text.contains("effective"), "{text}");
    }
}
