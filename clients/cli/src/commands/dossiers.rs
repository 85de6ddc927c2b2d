//! `eiso dossiers …`: dossiers (hồ sơ) at the one-stop counter, from receipt
//! to the return of the result and the applicant's rating, with their legal
//! deadlines, printable forms and the service statistics.

use std::path::PathBuf;

use eiso_proto::eiso::procedures::v1::{
    Applicant, Channel, CompleteDossierRequest, Dossier, DossierStatus, ExtendDossierRequest, Form, GetDossierRequest,
    GetServiceStatisticsRequest, HandOverDossierRequest, ListDossiersRequest, ProcedureStep, RateDossierRequest,
    ReceiveDossierRequest, ReceiveSupplementRequest, RefuseDossierRequest, RenderFormRequest, RequestSupplementRequest,
    ReturnResultRequest, Satisfaction, ServiceStatistics, StopProcessingRequest, WithdrawDossierRequest,
};
use eiso_proto::eiso::procedures::v1::{CopyKind, Outcome};
use eiso_proto::tonic::Status;
use serde_json::{Value, json};

use super::files::{check_target, safe_file_name, save_bytes};
use super::{created, filter_and, filter_value, list_method, print_page, request_id};
use crate::cli::{
    ApplicantArgs, DossierHandoverArgs, DossierListArgs, DossierPrintArgs, DossierReceiveArgs, DossierRefuseArgs,
    DossierStatsArgs, DossiersCommand,
};
use crate::context::Ctx;
use crate::directory::Labels;
use crate::error::CliError;
use crate::names::{DossierRef, enum_json, label_cell, nfc, required_text};
use crate::output::{
    self, details_table, format_percent, json_time, local_cell, local_date, local_day_cell, table, to_timestamp,
};

/// Runs a `dossiers` subcommand.
pub async fn run(ctx: &Ctx, command: DossiersCommand) -> Result<(), CliError> {
    match command {
        DossiersCommand::Receive(args) => receive(ctx, args).await,
        DossiersCommand::Refuse(args) => refuse(ctx, args).await,
        DossiersCommand::Supplement(args) => {
            let reason = ctx.required_reason("dossiers supplement")?;
            let documents: Vec<String> = args
                .documents
                .iter()
                .map(|document| nfc(document))
                .filter(|document| !document.is_empty())
                .collect();
            if documents.is_empty() {
                return Err(CliError::needs(
                    "dossiers supplement",
                    "--document TEXT",
                    "what the applicant must add",
                ));
            }
            let name = resolve(ctx, args.dossier).await?;
            let request = ctx.request(RequestSupplementRequest {
                name,
                reason,
                documents,
            })?;
            let dossier = ctx.answer(ctx.dossiers().request_supplement(request)).await?;
            print_changed(ctx, &dossier, Some("supplement")).await
        }
        DossiersCommand::Resume { dossier } => {
            let name = resolve(ctx, dossier).await?;
            let request = ctx.request(ReceiveSupplementRequest { name })?;
            let dossier = ctx.answer(ctx.dossiers().receive_supplement(request)).await?;
            print_changed(ctx, &dossier, None).await
        }
        DossiersCommand::Handover(args) => handover(ctx, args).await,
        DossiersCommand::Extend(args) => {
            let reason = ctx.required_reason("dossiers extend")?;
            let name = resolve(ctx, args.dossier).await?;
            let request = ctx.request(ExtendDossierRequest {
                name,
                reason,
                new_appointment_time: Some(to_timestamp(args.new_appointment)),
            })?;
            let dossier = ctx.answer(ctx.dossiers().extend_dossier(request)).await?;
            print_changed(ctx, &dossier, Some("apology")).await
        }
        DossiersCommand::Stop { dossier } => {
            let reason = ctx.required_reason("dossiers stop")?;
            let name = resolve(ctx, dossier).await?;
            let request = ctx.request(StopProcessingRequest { name, reason })?;
            let dossier = ctx.answer(ctx.dossiers().stop_processing(request)).await?;
            print_changed(ctx, &dossier, None).await
        }
        DossiersCommand::Withdraw { dossier } => {
            let name = resolve(ctx, dossier).await?;
            let request = ctx.request(WithdrawDossierRequest {
                name,
                reason: ctx.reason.clone().unwrap_or_default(),
            })?;
            let dossier = ctx.answer(ctx.dossiers().withdraw_dossier(request)).await?;
            print_changed(ctx, &dossier, None).await
        }
        DossiersCommand::Complete(args) => {
            let result_summary = required_text(
                &args.result,
                "dossiers complete",
                "--result TEXT",
                "the result, in short",
            )?;
            let name = resolve(ctx, args.dossier).await?;
            let request = ctx.request(CompleteDossierRequest {
                name,
                result_summary,
                digitised: args.digitised,
            })?;
            let dossier = ctx.answer(ctx.dossiers().complete_dossier(request)).await?;
            print_changed(ctx, &dossier, None).await
        }
        DossiersCommand::Return { dossier } => {
            let name = resolve(ctx, dossier).await?;
            let request = ctx.request(ReturnResultRequest { name })?;
            let dossier = ctx.answer(ctx.dossiers().return_result(request)).await?;
            print_changed(ctx, &dossier, None).await
        }
        DossiersCommand::Rate(args) => {
            let name = resolve(ctx, args.dossier).await?;
            let request = ctx.request(RateDossierRequest {
                name,
                satisfaction: args.rating as i32,
                comment: args.comment.as_deref().map(nfc).unwrap_or_default(),
            })?;
            let dossier = ctx.answer(ctx.dossiers().rate_dossier(request)).await?;
            print_changed(ctx, &dossier, None).await
        }
        DossiersCommand::List(args) => list(ctx, args).await,
        DossiersCommand::Show { dossier } => show(ctx, dossier).await,
        DossiersCommand::Print(args) => print_form(ctx, args).await,
        DossiersCommand::Stats(args) => stats(ctx, args).await,
    }
}

/// The dossier's name: as given, or found by its code.
pub async fn resolve(ctx: &Ctx, dossier: DossierRef) -> Result<String, CliError> {
    let code = match dossier {
        DossierRef::Name(name) => return Ok(name),
        DossierRef::Code(code) => code,
    };
    let request = ctx.request(ListDossiersRequest {
        page_size: 2,
        filter: format!("code = {}", filter_value(&code)),
        ..ListDossiersRequest::default()
    })?;
    let found = ctx.answer(ctx.dossiers().list_dossiers(request)).await?.dossiers;
    match found.as_slice() {
        [one] => Ok(one.name.clone()),
        [] => Err(ctx.rpc_error(Status::not_found(format!("no dossier has the code {code}")))),
        _ => Err(CliError::Usage(format!(
            "several dossiers have the code {code}: name one as dossiers/ID (`eiso dossiers list --filter 'code = \
             \"{code}\"'` lists them)"
        ))),
    }
}

/// The applicant from the flags, in NFC.
pub fn applicant(args: &ApplicantArgs) -> Applicant {
    let text = |value: &Option<String>| value.as_deref().map(nfc).unwrap_or_default();
    Applicant {
        full_name: nfc(&args.name),
        id_number: text(&args.id_number),
        phone: text(&args.phone),
        address: text(&args.address),
        email: text(&args.email),
        r#type: args.applicant_type as i32,
    }
}

async fn receive(ctx: &Ctx, args: DossierReceiveArgs) -> Result<(), CliError> {
    let applicant = applicant(&args.applicant);
    if applicant.full_name.is_empty() {
        return Err(CliError::needs(
            "dossiers receive",
            "--name",
            "the applicant's full name",
        ));
    }
    let request_id = request_id(args.request_id.as_deref());
    let request = ctx.request(ReceiveDossierRequest {
        agency: args.agency,
        procedure: args.procedure,
        applicant: Some(applicant),
        summary: args.summary.as_deref().map(nfc).unwrap_or_default(),
        channel: args.channel as i32,
        documents: args.documents,
        request_id: request_id.clone(),
        dossier_sets: args.sets,
    })?;
    let dossier = created(ctx, &request_id, ctx.dossiers().receive_dossier(request)).await?;
    if ctx.json() {
        return output::print_json(&dossier_json(&dossier));
    }
    output::print_table(&receipt_table(&dossier))?;
    output::note(&format!(
        "print the receipt for the applicant: eiso dossiers print {} --form receipt",
        dossier.code
    ));
    Ok(())
}

/// What the clerk reads to the applicant: the code and the appointment first.
pub fn receipt_table(dossier: &Dossier) -> comfy_table::Table {
    let mut rows = vec![
        ("CODE", dossier.code.clone()),
        ("APPOINTMENT", local_day_cell(dossier.appointment_time.as_ref())),
        ("DUE", local_day_cell(dossier.due_time.as_ref())),
        ("name", dossier.name.clone()),
        ("status", label_cell::<DossierStatus>(dossier.status, "status")),
        ("procedure", dossier.procedure_version.clone()),
    ];
    if let Some(applicant) = &dossier.applicant {
        rows.push(("applicant", applicant.full_name.clone()));
    }
    rows.push(("received", local_day_cell(dossier.receive_time.as_ref())));
    rows.push(("documents", dossier.documents.len().to_string()));
    details_table(rows)
}

async fn refuse(ctx: &Ctx, args: DossierRefuseArgs) -> Result<(), CliError> {
    let reason = ctx.required_reason("dossiers refuse")?;
    let request_id = request_id(args.request_id.as_deref());
    let request = ctx.request(RefuseDossierRequest {
        agency: args.agency,
        procedure: args.procedure,
        applicant: Some(applicant(&args.applicant)),
        reason,
        request_id: request_id.clone(),
    })?;
    let dossier = created(ctx, &request_id, ctx.dossiers().refuse_dossier(request)).await?;
    print_changed(ctx, &dossier, Some("refusal")).await
}

async fn handover(ctx: &Ctx, args: DossierHandoverArgs) -> Result<(), CliError> {
    let name = resolve(ctx, args.dossier).await?;
    // The API numbers steps from 0; people, the forms and `procedures show` from 1.
    let step = match args.step {
        Some(step) => step - 1,
        None => get(ctx, &name).await?.current_step + 1,
    };
    let request = ctx.request(HandOverDossierRequest {
        name,
        step,
        receiver: args.to,
        note: args.note.as_deref().map(nfc).unwrap_or_default(),
    })?;
    let dossier = ctx.answer(ctx.dossiers().hand_over_dossier(request)).await?;
    print_changed(ctx, &dossier, Some("control-slip")).await
}

async fn get(ctx: &Ctx, name: &str) -> Result<Dossier, CliError> {
    let request = ctx.request(GetDossierRequest { name: name.to_string() })?;
    ctx.answer(ctx.dossiers().get_dossier(request)).await
}

/// Prints a dossier after a change; in tables, with the form to print next.
async fn print_changed(ctx: &Ctx, dossier: &Dossier, form: Option<&str>) -> Result<(), CliError> {
    if ctx.json() {
        return output::print_json(&dossier_json(dossier));
    }
    let labels = Labels::of(ctx, dossier_people(dossier)).await;
    output::print_table(&dossier_details(dossier, None, &labels))?;
    if let Some(form) = form {
        output::note(&format!(
            "print the form: eiso dossiers print {} --form {form}",
            dossier.code
        ));
    }
    Ok(())
}

async fn list(ctx: &Ctx, args: DossierListArgs) -> Result<(), CliError> {
    let agency = args
        .agency
        .as_deref()
        .map(|agency| format!("agency = {}", filter_value(agency)));
    let assignee = args
        .assignee
        .as_deref()
        .map(|assignee| format!("assignee = {}", filter_value(assignee)));
    let due = args
        .due
        .map(|due| format!("due = {}", filter_value(due.filter_value())));
    let filter = filter_and(
        [
            args.filter.as_deref(),
            agency.as_deref(),
            assignee.as_deref(),
            due.as_deref(),
        ]
        .into_iter()
        .flatten(),
    );
    let (dossiers, next) = list_method!(
        ctx,
        &args.page,
        |page_size, page_token| ListDossiersRequest {
            page_size,
            page_token,
            filter: filter.clone(),
            order_by: args.order_by.clone().unwrap_or_default(),
        },
        ctx.dossiers(),
        list_dossiers,
        dossiers,
    )
    .await?;
    let labels = Labels::of(ctx, dossiers.iter().map(|dossier| dossier.assignee.as_str())).await;
    print_page(
        ctx,
        "dossiers",
        &dossiers,
        &next,
        dossier_json,
        "no dossiers",
        |dossiers| dossiers_table(dossiers, &labels),
    )
}

/// Dossiers for a table; the applicant column only when the caller's role
/// sees applicants.
pub fn dossiers_table(dossiers: &[Dossier], labels: &Labels) -> comfy_table::Table {
    let applicants = dossiers.iter().any(|dossier| dossier.applicant.is_some());
    let mut headers = vec!["CODE", "STATUS"];
    if applicants {
        headers.push("APPLICANT");
    }
    headers.extend(["DUE", "APPOINTMENT", "ASSIGNEE", "OUTCOME"]);
    let mut table = table(headers);
    for dossier in dossiers {
        let mut row = vec![
            dossier.code.clone(),
            label_cell::<DossierStatus>(dossier.status, "status"),
        ];
        if applicants {
            row.push(
                dossier
                    .applicant
                    .as_ref()
                    .map(|applicant| applicant.full_name.clone())
                    .unwrap_or_default(),
            );
        }
        row.extend([
            local_cell(dossier.due_time.as_ref()),
            local_cell(dossier.appointment_time.as_ref()),
            labels.label(&dossier.assignee),
            label_cell::<Outcome>(dossier.outcome, "outcome"),
        ]);
        table.add_row(row);
    }
    table
}

async fn show(ctx: &Ctx, dossier: DossierRef) -> Result<(), CliError> {
    let name = resolve(ctx, dossier).await?;
    let dossier = get(ctx, &name).await?;
    if ctx.json() {
        return output::print_json(&dossier_json(&dossier));
    }
    // The step names come from the procedure version the dossier was received
    // under; without them the steps are shown by number only.
    let steps = super::procedures::get(ctx, &dossier.procedure_version)
        .await
        .ok()
        .and_then(|procedure| procedure.version)
        .map(|version| version.steps);
    let labels = Labels::of(ctx, dossier_people(&dossier)).await;
    print_dossier_tables(&dossier, steps.as_deref(), &labels)
}

/// The units and people a dossier names: its agency, its assignee, who handed
/// it over to whom and who changed its status.
pub fn dossier_people(dossier: &Dossier) -> impl Iterator<Item = &str> {
    [dossier.agency.as_str(), dossier.assignee.as_str()]
        .into_iter()
        .chain(
            dossier
                .handovers
                .iter()
                .flat_map(|handover| [handover.giver.as_str(), handover.receiver.as_str()]),
        )
        .chain(dossier.history.iter().map(|change| change.actor.as_str()))
}

/// Everything about a dossier: its details, the documents received, the
/// control slip, supplements, the extension and the history.
pub fn print_dossier_tables(
    dossier: &Dossier,
    steps: Option<&[ProcedureStep]>,
    labels: &Labels,
) -> Result<(), CliError> {
    output::print_table(&dossier_details(dossier, steps, labels))?;
    output::print_section(
        "Documents received",
        "none listed",
        dossier.documents.is_empty(),
        || {
            super::procedures::documents_table(
                dossier
                    .documents
                    .iter()
                    .map(|document| (document.display_name.as_str(), document.copy_kind, document.sets)),
            )
        },
    )?;
    output::print_section(
        "Control slip",
        "not handed over yet",
        dossier.handovers.is_empty(),
        || {
            let mut table = table(["STEP", "FROM", "TO", "HANDED OVER", "STEP DUE", "NOTE"]);
            for handover in &dossier.handovers {
                let mut step = step_cell(handover.step, steps);
                if handover.intake {
                    step.push_str(" (intake)");
                }
                table.add_row(vec![
                    step,
                    labels.label(&handover.giver),
                    labels.label(&handover.receiver),
                    local_cell(handover.handover_time.as_ref()),
                    local_cell(handover.step_due_time.as_ref()),
                    handover.note.clone(),
                ]);
            }
            table
        },
    )?;
    if !dossier.supplements.is_empty() {
        output::print("\nSupplements")?;
        let mut table = table(["REQUESTED", "REASON", "DOCUMENTS", "RECEIVED"]);
        for supplement in &dossier.supplements {
            table.add_row(vec![
                local_cell(supplement.request_time.as_ref()),
                supplement.reason.clone(),
                supplement.documents.join("\n"),
                supplement
                    .receive_time
                    .as_ref()
                    .map_or_else(|| "still waiting".to_string(), |time| local_cell(Some(time))),
            ]);
        }
        output::print_table(&table)?;
    }
    if let Some(extension) = &dossier.extension {
        output::print("\nExtension")?;
        output::print_table(&details_table([
            ("requested", local_cell(extension.request_time.as_ref())),
            ("reason", extension.reason.clone()),
            (
                "new appointment",
                local_day_cell(extension.new_appointment_time.as_ref()),
            ),
        ]))?;
    }
    output::print("\nHistory")?;
    let mut table = table(["TIME", "STATUS", "BY", "NOTE"]);
    for change in &dossier.history {
        table.add_row(vec![
            local_cell(change.change_time.as_ref()),
            label_cell::<DossierStatus>(change.status, "status"),
            labels.label(&change.actor),
            change.note.clone(),
        ]);
    }
    output::print_table(&table)
}

/// A 0-based step as people number it, with its name when known:
/// `2. Thẩm định hồ sơ`.
fn step_cell(step: i32, steps: Option<&[ProcedureStep]>) -> String {
    let name = usize::try_from(step)
        .ok()
        .and_then(|index| steps?.get(index))
        .map(|step| step.display_name.as_str());
    match name {
        Some(name) => format!("{}. {name}", step + 1),
        None => (step + 1).to_string(),
    }
}

/// A dossier's details, from its code to its rating.
pub fn dossier_details(dossier: &Dossier, steps: Option<&[ProcedureStep]>, labels: &Labels) -> comfy_table::Table {
    let mut rows = vec![
        ("code", dossier.code.clone()),
        ("name", dossier.name.clone()),
        ("status", label_cell::<DossierStatus>(dossier.status, "status")),
        ("procedure", dossier.procedure_version.clone()),
        ("agency", labels.label(&dossier.agency)),
    ];
    match &dossier.applicant {
        Some(applicant) => {
            rows.push(("applicant", applicant.full_name.clone()));
            let optional = [
                ("id number", &applicant.id_number),
                ("phone", &applicant.phone),
                ("address", &applicant.address),
                ("email", &applicant.email),
            ];
            for (label, value) in optional {
                if !value.is_empty() {
                    rows.push((label, value.clone()));
                }
            }
        }
        None => rows.push(("applicant", "(not shown to your role)".to_string())),
    }
    if !dossier.summary.is_empty() {
        rows.push(("summary", dossier.summary.clone()));
    }
    rows.push(("channel", label_cell::<Channel>(dossier.channel, "channel")));
    rows.push(("received", local_day_cell(dossier.receive_time.as_ref())));
    let running = matches!(
        DossierStatus::try_from(dossier.status),
        Ok(DossierStatus::Received | DossierStatus::InProgress | DossierStatus::AwaitingPayment)
    );
    if dossier.due_time.is_some() {
        rows.push(("due", local_day_cell(dossier.due_time.as_ref())));
    } else if dossier.status == DossierStatus::SupplementRequested as i32 {
        rows.push(("due", "the clock is stopped until the supplement arrives".to_string()));
    }
    if dossier.appointment_time.is_some() {
        rows.push(("appointment", local_day_cell(dossier.appointment_time.as_ref())));
    }
    if dossier.current_step >= 0 {
        let mut step = step_cell(dossier.current_step, steps);
        if dossier.handovers.last().is_some_and(|handover| handover.intake) {
            step.push_str(" (intake, not handed over yet)");
        }
        rows.push(("current step", step));
    } else if running {
        rows.push(("current step", "not handed over yet".to_string()));
    }
    if !dossier.assignee.is_empty() {
        rows.push(("assignee", labels.label(&dossier.assignee)));
    }
    if dossier.complete_time.is_some() {
        rows.push(("completed", local_cell(dossier.complete_time.as_ref())));
        rows.push(("result", dossier.result_summary.clone()));
        rows.push((
            "digitised result",
            if dossier.result_digitised { "yes" } else { "no" }.to_string(),
        ));
    }
    if dossier.outcome != 0 {
        rows.push(("outcome", label_cell::<Outcome>(dossier.outcome, "outcome")));
    }
    if dossier.return_time.is_some() {
        rows.push(("returned", local_cell(dossier.return_time.as_ref())));
    }
    if dossier.satisfaction != 0 {
        rows.push((
            "rating",
            label_cell::<Satisfaction>(dossier.satisfaction, "satisfaction"),
        ));
    }
    rows.push(("updated", local_cell(dossier.update_time.as_ref())));
    rows.push(("etag", dossier.etag.clone()));
    details_table(rows)
}

async fn print_form(ctx: &Ctx, args: DossierPrintArgs) -> Result<(), CliError> {
    // When the path is known now, refuse before calling the server.
    let early = args.to.as_deref().filter(|to| !to.is_dir()).map(PathBuf::from);
    if let Some(target) = &early {
        check_target(target, args.force)?;
    }
    let request = if args.register {
        let (Some(agency), Some(year)) = (args.agency, args.year) else {
            return Err(CliError::Usage(
                "the register needs --agency UNIT and --year YEAR".to_string(),
            ));
        };
        RenderFormRequest {
            form: Form::Register as i32,
            dossier: String::new(),
            agency,
            year,
        }
    } else {
        let (Some(dossier), Some(form)) = (args.dossier, args.form) else {
            return Err(CliError::Usage(
                "name the dossier and the --form to print, or print the --register".to_string(),
            ));
        };
        RenderFormRequest {
            form: form as i32,
            dossier: resolve(ctx, dossier).await?,
            agency: String::new(),
            year: 0,
        }
    };
    let form = request.form;
    let rendered = ctx.answer(ctx.dossiers().render_form(ctx.request(request)?)).await?;
    let own_name = safe_file_name(&rendered.file_name, "bieu-mau.html");
    let target = match (early, args.to) {
        (Some(target), _) => target,
        (None, Some(directory)) => directory.join(own_name),
        (None, None) => PathBuf::from(own_name),
    };
    check_target(&target, args.force)?;
    save_bytes(&target, rendered.html.as_bytes()).await?;
    let path = target.display().to_string();
    if ctx.json() {
        return output::print_json(&json!({
            "form": enum_json::<Form>(form),
            "file_name": rendered.file_name,
            "path": path,
        }));
    }
    output::print(&format!("saved to {path}: open it in a browser to print"))
}

async fn stats(ctx: &Ctx, args: DossierStatsArgs) -> Result<(), CliError> {
    if args.to < args.from {
        return Err(CliError::Usage(format!(
            "--to {} is before --from {}",
            args.to.format("%d/%m/%Y"),
            args.from.format("%d/%m/%Y")
        )));
    }
    let request = ctx.request(GetServiceStatisticsRequest {
        agency: args.agency.clone().unwrap_or_default(),
        procedure: args.procedure.clone().unwrap_or_default(),
        start_date: Some(local_date(args.from)),
        end_date: Some(local_date(args.to)),
        group_by: 0,
    })?;
    let statistics = ctx.answer(ctx.dossiers().get_service_statistics(request)).await?;
    if ctx.json() {
        return output::print_json(&statistics_json(&statistics));
    }
    let mut heading = format!(
        "Dossiers received from {} to {}",
        args.from.format("%d/%m/%Y"),
        args.to.format("%d/%m/%Y")
    );
    heading.push_str(&match &args.agency {
        Some(agency) => format!(" at {agency}"),
        None => " at every agency".to_string(),
    });
    if let Some(procedure) = &args.procedure {
        heading.push_str(&format!(", {procedure}"));
    }
    output::print(&heading)?;
    output::print_table(&statistics_table(&statistics))
}

/// The measures for a table, rates as percentages.
pub fn statistics_table(statistics: &ServiceStatistics) -> comfy_table::Table {
    details_table([
        ("received", statistics.received.to_string()),
        ("early (trước hạn)", statistics.early.to_string()),
        ("on time (đúng hạn)", statistics.on_time.to_string()),
        ("late (quá hạn)", statistics.late.to_string()),
        ("in progress, within time", statistics.in_progress.to_string()),
        ("in progress, overdue", statistics.overdue.to_string()),
        ("withdrawn or stopped", statistics.ended_otherwise.to_string()),
        ("on-time rate", format_percent(statistics.on_time_rate)),
        ("online share", format_percent(statistics.online_share)),
        ("digitised results", format_percent(statistics.digitised_rate)),
        ("rated", statistics.rated.to_string()),
        ("satisfied", format_percent(statistics.satisfaction_rate)),
    ])
}

/// The measures for JSON: proto field names, rates as fractions.
pub fn statistics_json(statistics: &ServiceStatistics) -> Value {
    json!({
        "received": statistics.received,
        "early": statistics.early,
        "on_time": statistics.on_time,
        "late": statistics.late,
        "in_progress": statistics.in_progress,
        "overdue": statistics.overdue,
        "ended_otherwise": statistics.ended_otherwise,
        "on_time_rate": statistics.on_time_rate,
        "online_share": statistics.online_share,
        "digitised_rate": statistics.digitised_rate,
        "satisfaction_rate": statistics.satisfaction_rate,
        "rated": statistics.rated,
    })
}

/// A dossier for JSON output: every field, the applicant null when the
/// caller's role does not see it.
pub fn dossier_json(dossier: &Dossier) -> Value {
    json!({
        "name": dossier.name,
        "code": dossier.code,
        "procedure_version": dossier.procedure_version,
        "agency": dossier.agency,
        "applicant": dossier.applicant.as_ref().map_or(Value::Null, |applicant| json!({
            "full_name": applicant.full_name,
            "id_number": applicant.id_number,
            "phone": applicant.phone,
            "address": applicant.address,
            "email": applicant.email,
        })),
        "summary": dossier.summary,
        "channel": enum_json::<Channel>(dossier.channel),
        "documents": dossier.documents.iter().map(|document| json!({
            "display_name": document.display_name,
            "copy_kind": enum_json::<CopyKind>(document.copy_kind),
            "sets": document.sets,
        })).collect::<Vec<_>>(),
        "status": enum_json::<DossierStatus>(dossier.status),
        "receive_time": json_time(dossier.receive_time.as_ref()),
        "due_time": json_time(dossier.due_time.as_ref()),
        "appointment_time": json_time(dossier.appointment_time.as_ref()),
        "current_step": dossier.current_step,
        "assignee": dossier.assignee,
        "handovers": dossier.handovers.iter().map(|handover| json!({
            "step": handover.step,
            "giver": handover.giver,
            "receiver": handover.receiver,
            "handover_time": json_time(handover.handover_time.as_ref()),
            "step_due_time": json_time(handover.step_due_time.as_ref()),
            "note": handover.note,
            "intake": handover.intake,
            "giver_unit": handover.giver_unit,
        })).collect::<Vec<_>>(),
        "supplements": dossier.supplements.iter().map(|supplement| json!({
            "request_time": json_time(supplement.request_time.as_ref()),
            "reason": supplement.reason,
            "documents": supplement.documents,
            "receive_time": json_time(supplement.receive_time.as_ref()),
        })).collect::<Vec<_>>(),
        "extension": dossier.extension.as_ref().map_or(Value::Null, |extension| json!({
            "request_time": json_time(extension.request_time.as_ref()),
            "reason": extension.reason,
            "new_appointment_time": json_time(extension.new_appointment_time.as_ref()),
        })),
        "complete_time": json_time(dossier.complete_time.as_ref()),
        "result_summary": dossier.result_summary,
        "result_digitised": dossier.result_digitised,
        "return_time": json_time(dossier.return_time.as_ref()),
        "satisfaction": enum_json::<Satisfaction>(dossier.satisfaction),
        "outcome": enum_json::<Outcome>(dossier.outcome),
        "history": dossier.history.iter().map(|change| json!({
            "status": enum_json::<DossierStatus>(change.status),
            "change_time": json_time(change.change_time.as_ref()),
            "actor": change.actor,
            "note": change.note,
        })).collect::<Vec<_>>(),
        "update_time": json_time(dossier.update_time.as_ref()),
        "etag": dossier.etag,
    })
}

#[cfg(test)]
mod tests {
    use eiso_proto::eiso::procedures::v1::{CopyKind, Handover, Outcome, ReceivedDocument, StatusChange};

    use super::*;
    use crate::output::parse_time;

    fn dossier() -> Dossier {
        let at = |text: &str| parse_time(text).ok().map(to_timestamp);
        Dossier {
            name: "dossiers/d-1".to_string(),
            code: "PGD-250310-0001".to_string(),
            procedure_version: "procedures/2.002481/versions/1".to_string(),
            agency: "units/pgd".to_string(),
            applicant: Some(Applicant {
                full_name: "Nguyễn Văn An".to_string(),
                phone: "0912 345 678".to_string(),
                ..Applicant::default()
            }),
            channel: Channel::Direct as i32,
            documents: vec![ReceivedDocument {
                display_name: "Giấy khai sinh".to_string(),
                copy_kind: CopyKind::CertifiedCopy as i32,
                sets: 1,
            }],
            status: DossierStatus::Returned as i32,
            receive_time: at("10/03/2025 08:00"),
            due_time: at("13/03/2025 08:00"),
            appointment_time: at("13/03/2025 08:00"),
            current_step: 1,
            handovers: vec![Handover {
                step: 1,
                giver: "users/u-1".to_string(),
                receiver: "users/u-2".to_string(),
                handover_time: at("10/03/2025 08:10"),
                step_due_time: at("10/03/2025 14:10"),
                note: "Đủ hồ sơ".to_string(),
                intake: false,
                giver_unit: "units/pgd".to_string(),
            }],
            outcome: Outcome::Early as i32,
            satisfaction: Satisfaction::VerySatisfied as i32,
            history: vec![StatusChange {
                status: DossierStatus::Received as i32,
                change_time: at("10/03/2025 08:00"),
                actor: "users/u-1".to_string(),
                note: String::new(),
            }],
            ..Dossier::default()
        }
    }

    #[test]
    fn the_receipt_puts_the_code_and_the_appointment_first() {
        let text = receipt_table(&dossier()).to_string();
        let code = text.find("PGD-250310-0001").unwrap_or(usize::MAX);
        let appointment = text.find("13/03/2025 08:00 (Thứ Năm)").unwrap_or(usize::MAX);
        let name = text.find("dossiers/d-1").unwrap_or(0);
        assert!(code < appointment && appointment < name, "{text}");
    }

    #[test]
    fn tables_speak_vietnamese_and_json_speaks_proto() {
        let dossier = dossier();
        let steps = [
            ProcedureStep {
                display_name: "Tiếp nhận".to_string(),
                ..ProcedureStep::default()
            },
            ProcedureStep {
                display_name: "Thẩm định hồ sơ".to_string(),
                ..ProcedureStep::default()
            },
        ];
        let text = dossier_details(&dossier, Some(&steps), &Labels::default()).to_string();
        for expected in [
            "Đã trả kết quả",
            "Trước hạn",
            "Rất hài lòng",
            "2. Thẩm định hồ sơ",
            "Trực tiếp",
        ] {
            assert!(text.contains(expected), "no `{expected}` in\n{text}");
        }
        let text = dossiers_table(std::slice::from_ref(&dossier), &Labels::default()).to_string();
        assert!(text.contains("APPLICANT") && text.contains("Nguyễn Văn An"), "{text}");
        let hidden = Dossier {
            applicant: None,
            ..dossier.clone()
        };
        let text = dossiers_table(std::slice::from_ref(&hidden), &Labels::default()).to_string();
        assert!(!text.contains("APPLICANT"), "{text}");

        let value = dossier_json(&dossier);
        assert_eq!(value["status"], "DOSSIER_STATUS_RETURNED");
        assert_eq!(value["outcome"], "OUTCOME_EARLY");
        assert_eq!(value["satisfaction"], "SATISFACTION_VERY_SATISFIED");
        assert_eq!(value["channel"], "CHANNEL_DIRECT");
        assert_eq!(value["documents"][0]["copy_kind"], "COPY_KIND_CERTIFIED_COPY");
        assert_eq!(value["due_time"], "2025-03-13T01:00:00Z");
        assert_eq!(value["handovers"][0]["step"], 1);
        assert_eq!(value["history"][0]["status"], "DOSSIER_STATUS_RECEIVED");
        assert_eq!(dossier_json(&hidden)["applicant"], Value::Null);
        assert_eq!(
            label_cell::<CopyKind>(CopyKind::CertifiedCopy as i32, "copy"),
            "Bản sao có chứng thực"
        );
    }

    #[test]
    fn statistics_show_rates_as_percentages() {
        let statistics = ServiceStatistics {
            received: 6,
            on_time_rate: 2.0 / 3.0,
            satisfaction_rate: 1.0,
            ..ServiceStatistics::default()
        };
        let text = statistics_table(&statistics).to_string();
        assert!(text.contains("66,7%") && text.contains("100,0%"), "{text}");
        let value = statistics_json(&statistics);
        assert_eq!(value["received"], 6);
        assert!(
            value["on_time_rate"]
                .as_f64()
                .is_some_and(|rate| (rate - 2.0 / 3.0).abs() < 1e-9)
        );
    }
}
