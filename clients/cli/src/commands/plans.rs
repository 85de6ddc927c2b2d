//! `eiso plans …`: administrative-reform plans (kế hoạch CCHC): import the appendix table
//! (with its targets), list and show plans and tasks, record progress, link evidence, see the
//! targets against live data, generate and fetch the periodic reports.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use eiso_proto::eiso::plans::v1::plan_service_client::PlanServiceClient;
use eiso_proto::eiso::plans::v1::*;
use eiso_proto::labels::{Label, ProtoEnum};
use eiso_proto::tonic::transport::Channel;
use serde_json::{Value, json};

use super::files::{refuse_to_replace, save_bytes};
use super::print_list;
use super::procedures::table_format;
use crate::context::Ctx;
use crate::directory::Labels;
use crate::enum_arg::{Choice, Choices, EnumArg};
use crate::error::CliError;
use crate::output::{self, details_table, json_time, local_cell, table};

/// `eiso plans`.
#[derive(Debug, Subcommand)]
pub enum PlansCommand {
    /// Creates a plan from its appendix table (STT, Nội dung công việc, Đơn vị thực hiện,
    /// Sản phẩm, Thời gian hoàn thành, Ghi chú), CSV or XLSX, with its targets table
    Import(ImportArgs),
    /// Writes a plan's tasks (or targets) as the appendix table
    Export(ExportArgs),
    /// Lists plans
    List {
        /// Only this unit's plans (`units/ID`)
        #[arg(long)]
        unit: Option<String>,
        /// Only this year's
        #[arg(long)]
        year: Option<i32>,
    },
    /// Shows a plan
    Show {
        /// `plans/ID`
        plan: String,
    },
    /// Sets who the plan's reports are sent to (Nơi nhận), in the printed order;
    /// none: the body above the issuing unit
    Recipients {
        /// `plans/ID`
        plan: String,
        /// A recipient, e.g. "Sở GD&ĐT"; repeat for several
        #[arg(long = "to")]
        recipients: Vec<String>,
    },
    /// Lists a plan's tasks in the plan's order
    Tasks {
        /// `plans/ID`
        plan: String,
    },
    /// Appends a progress note to a task (100 marks it done)
    Progress {
        /// `plans/ID/tasks/ID`
        task: String,
        /// Percent done, 0–100
        #[arg(long)]
        percent: i32,
        /// What was done
        #[arg(long)]
        note: String,
        /// The day it was done, when entered later (dd/mm/yyyy); today if not given
        #[arg(long, value_name = "DD/MM/YYYY")]
        effective_date: Option<String>,
        /// Why it is entered late (required with an earlier --effective-date)
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// Evidence of tasks: documents, revisions, records, dossiers
    #[command(subcommand)]
    Evidence(EvidenceCommand),
    /// The plan's targets against live data: figures and met / at risk / missed
    Targets {
        /// `plans/ID`
        plan: String,
        /// Measure as of this day (dd/mm/yyyy or yyyy-mm-dd); today when not given
        #[arg(long)]
        as_of: Option<String>,
    },
    /// Generates or exports a report
    #[command(subcommand)]
    Report(ReportCommand),
    /// Lists a plan's reports
    Reports {
        /// `plans/ID`
        plan: String,
    },
}

/// `eiso plans import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The appendix table, .csv or .xlsx
    pub file: PathBuf,
    /// The targets table (STT, Chỉ tiêu, Cách đo, So sánh, Ngưỡng (%)), same format
    #[arg(long)]
    pub targets: Option<PathBuf>,
    /// The year of the plan
    #[arg(long)]
    pub year: i32,
    /// The issuing unit, `units/ID`
    #[arg(long)]
    pub unit: String,
    /// The plan's title
    #[arg(long)]
    pub title: String,
    /// A legal basis (căn cứ); repeat for several
    #[arg(long = "legal-basis")]
    pub legal_bases: Vec<String>,
    /// Who the plan's reports are sent to (Nơi nhận), e.g. "Sở GD&ĐT"; repeat for several
    #[arg(long = "report-recipient")]
    pub report_recipients: Vec<String>,
    /// A unit as written in the table, mapped to eiso: `TEXT=units/ID`; repeat for several
    #[arg(long = "alias")]
    pub aliases: Vec<String>,
    /// The plan id to use (a-z, 0-9, -)
    #[arg(long)]
    pub id: Option<String>,
    /// Check the files only; create nothing
    #[arg(long)]
    pub dry_run: bool,
}

/// `eiso plans export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// `plans/ID`
    pub plan: String,
    /// Where to write, .csv or .xlsx
    pub file: PathBuf,
    /// Write the targets table instead of the tasks
    #[arg(long)]
    pub targets: bool,
    /// Replace the file if it exists
    #[arg(long)]
    pub force: bool,
}

/// `eiso plans evidence`.
#[derive(Debug, Subcommand)]
pub enum EvidenceCommand {
    /// Links a document, revision, record or dossier to a task
    Add {
        /// `plans/ID/tasks/ID`
        task: String,
        /// `documents/ID`, `documents/ID/revisions/N`, `records/ID` or `dossiers/ID`
        resource: String,
    },
    /// Unlinks it
    Remove {
        /// `plans/ID/tasks/ID`
        task: String,
        /// The linked resource
        resource: String,
    },
    /// The tasks a resource is evidence for
    Tasks {
        /// `documents/ID`, `documents/ID/revisions/N`, `records/ID` or `dossiers/ID`
        resource: String,
    },
}

/// A report's kind.
impl Choices for ReportKind {
    const CHOICES: &'static [Choice<Self>] = &[
        Choice::new(
            ReportKind::Quarterly,
            "Quarterly (data to the 25th of the quarter's last month)",
        ),
        Choice::new(ReportKind::HalfYear, "Half-year (data to 24/6)"),
        Choice::new(ReportKind::Annual, "Annual (data to 23/12)"),
        Choice::new(ReportKind::OnDemand, "Any period within the plan's year"),
    ];
}

/// `eiso plans report`.
#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Generates a report (a periodic one once per period) and files it as a quality record
    Generate {
        /// `plans/ID`
        plan: String,
        /// The kind
        #[arg(long, value_parser = EnumArg::<ReportKind>::new())]
        kind: ReportKind,
        /// For a quarterly report: 1–4
        #[arg(long, default_value_t = 0)]
        quarter: i32,
        /// For an on-demand report: first day
        #[arg(long)]
        from: Option<String>,
        /// For an on-demand report: last day
        #[arg(long)]
        to: Option<String>,
    },
    /// Re-issues a filed report as at its cut-off when late entries changed its figures:
    /// its next revision, and the next revision of its record
    Reissue {
        /// `plans/ID/reports/ID`
        report: String,
        /// Why it is re-issued
        #[arg(long)]
        reason: String,
    },
    /// Writes a report as .xlsx or printable .html
    Export {
        /// `plans/ID/reports/ID`
        report: String,
        /// Where to write, .xlsx or .html
        file: PathBuf,
        /// Replace the file if it exists
        #[arg(long)]
        force: bool,
    },
}

fn client(ctx: &Ctx) -> PlanServiceClient<Channel> {
    ctx.plans()
}

/// A day typed as dd/mm/yyyy, as the plans service takes it (its own `LocalDate`).
fn date(text: &str) -> Result<LocalDate, CliError> {
    let day = output::parse_local_date(text)?;
    Ok(LocalDate {
        year: day.year,
        month: day.month,
        day: day.day,
    })
}

fn date_text(date: Option<&LocalDate>) -> String {
    date.map(|d| format!("{:02}/{:02}/{}", d.day, d.month, d.year))
        .unwrap_or_default()
}

/// A status's Vietnamese label as a sentence reads it, in lower case.
fn status_text<E: Label>(status: i32) -> String {
    let label = E::of(status).unwrap_or_default().label_vi();
    let mut chars = label.chars();
    chars
        .next()
        .map(|first| first.to_lowercase().chain(chars).collect())
        .unwrap_or_default()
}

/// An enum value's proto name, or null for a number this client does not know.
fn enum_name<E: ProtoEnum>(value: i32) -> Value {
    E::name_of(value).map_or(Value::Null, Value::from)
}

fn plan_json(plan: &Plan) -> Value {
    json!({
        "name": plan.name,
        "year": plan.year,
        "issuing_unit": plan.issuing_unit,
        "title": plan.title,
        "legal_bases": plan.legal_bases,
        "report_recipients": plan.report_recipients,
        "task_count": plan.task_count,
        "target_count": plan.target_count,
        "create_time": json_time(plan.create_time.as_ref()),
    })
}

fn task_json(task: &Task) -> Value {
    json!({
        "name": task.name,
        "number": task.number,
        "parent": task.parent,
        "content": task.content,
        "responsible_units_text": task.responsible_units_text,
        "responsible_units": task.responsible_units,
        "product": task.product,
        "time_frame": task.time_frame,
        "start_date": date_text(task.start_date.as_ref()),
        "end_date": date_text(task.end_date.as_ref()),
        "notes": task.notes,
        "status": enum_name::<TaskStatus>(task.status),
        "progress_percent": task.progress_percent,
        "evidence": task.evidence.iter().map(|e| json!({
            "resource": e.resource,
            "kind": e.kind,
            "title": e.title,
            "add_time": json_time(e.add_time.as_ref()),
        })).collect::<Vec<_>>(),
        "complete_time": json_time(task.complete_time.as_ref()),
    })
}

fn evaluation_json(e: &TargetEvaluation) -> Value {
    let target = e.target.clone().unwrap_or_default();
    json!({
        "target": target.name,
        "number": target.number,
        "text": target.text,
        "measure": enum_name::<Measure>(target.measure),
        "threshold_percent": target.threshold_percent,
        "numerator": e.numerator,
        "denominator": e.denominator,
        "percent": e.percent,
        "status": enum_name::<TargetStatus>(e.status),
        "explanation": e.explanation,
        "late_tasks": e.late_tasks.iter().map(|t| t.number.clone()).collect::<Vec<_>>(),
    })
}

fn report_json(report: &Report) -> Value {
    json!({
        "name": report.name,
        "kind": enum_name::<ReportKind>(report.kind),
        "period": report.period,
        "period_start": date_text(report.period_start.as_ref()),
        "cut_off_date": date_text(report.cut_off_date.as_ref()),
        "title": report.title,
        "record": report.record,
        "generated_by": report.generated_by,
        "revision": report.revision,
        "revisions": report.revisions.iter().map(|r| json!({
            "revision": r.revision,
            "issued_by": r.issued_by,
            "issue_time": json_time(r.issue_time.as_ref()),
            "reason": r.reason,
            "changes": r.changes,
        })).collect::<Vec<_>>(),
        "targets": report.targets.iter().map(evaluation_json).collect::<Vec<_>>(),
        "create_time": json_time(report.create_time.as_ref()),
    })
}

/// The tasks, each with the units responsible for it by name (as written in
/// the plan when eiso could not resolve them to units).
async fn print_tasks(ctx: &Ctx, tasks: &[Task]) -> Result<(), CliError> {
    let units = tasks
        .iter()
        .flat_map(|task| task.responsible_units.iter().map(String::as_str));
    let labels = Labels::of(ctx, units).await;
    print_list(
        ctx,
        "tasks",
        tasks,
        task_json,
        [
            "STT",
            "Nội dung công việc",
            "Đơn vị thực hiện",
            "Thời gian",
            "Tình trạng",
            "%",
            "Minh chứng",
        ],
        |task| {
            vec![
                task.number.clone(),
                task.content.clone(),
                if task.responsible_units.is_empty() {
                    task.responsible_units_text.clone()
                } else {
                    labels.lines(&task.responsible_units)
                },
                task.time_frame.clone(),
                if task.time_frame.is_empty() {
                    String::new()
                } else {
                    status_text::<TaskStatus>(task.status)
                },
                task.progress_percent.to_string(),
                task.evidence.len().to_string(),
            ]
        },
    )
}

async fn print_report(ctx: &Ctx, report: &Report) -> Result<(), CliError> {
    if ctx.json() {
        return output::print_json(&report_json(report));
    }
    let people = std::iter::once(&report.generated_by).chain(report.revisions.iter().map(|r| &r.issued_by));
    let labels = Labels::of(ctx, people.map(String::as_str)).await;
    output::print_table(&details_table([
        ("name", report.name.clone()),
        ("title", report.title.clone()),
        ("period", report.period.clone()),
        ("cut-off", date_text(report.cut_off_date.as_ref())),
        ("record", report.record.clone()),
        ("generated by", labels.label(&report.generated_by)),
        ("created", local_cell(report.create_time.as_ref())),
        ("revision", Ord::max(report.revision, 1).to_string()),
    ]))?;
    // Each re-issue: when, by whom, why, and what it changed.
    for revision in &report.revisions {
        println!(
            "lần {} ({}, {}): {}",
            revision.revision,
            local_cell(revision.issue_time.as_ref()),
            labels.label(&revision.issued_by),
            revision.reason
        );
        for change in &revision.changes {
            println!("  - {change}");
        }
    }
    Ok(())
}

/// Runs a `plans` subcommand.
pub async fn run(ctx: &Ctx, command: PlansCommand) -> Result<(), CliError> {
    match command {
        PlansCommand::Import(args) => import(ctx, args).await,
        PlansCommand::Export(args) => {
            let format = table_format(&args.file)?;
            refuse_to_replace(&args.file, args.force, "add --force to replace it")?;
            let request = ctx.request(ExportPlanRequest {
                name: args.plan,
                format: format as i32,
                targets: args.targets,
            })?;
            let exported = ctx.answer(client(ctx).export_plan(request)).await?;
            save_export(ctx, &args.file, &exported.content).await
        }
        PlansCommand::List { unit, year } => {
            let mut filter = Vec::new();
            if let Some(unit) = unit {
                filter.push(format!("issuing_unit = {}", super::filter_value(&unit)));
            }
            if let Some(year) = year {
                filter.push(format!("year = {year}"));
            }
            let request = ctx.request(ListPlansRequest {
                filter: filter.join(" AND "),
                page_size: 500,
                ..Default::default()
            })?;
            let plans = ctx.answer(client(ctx).list_plans(request)).await?.plans;
            let labels = Labels::of(ctx, plans.iter().map(|plan| plan.issuing_unit.as_str())).await;
            print_list(
                ctx,
                "plans",
                &plans,
                plan_json,
                ["name", "year", "unit", "title", "tasks", "targets"],
                |plan| {
                    vec![
                        plan.name.clone(),
                        plan.year.to_string(),
                        labels.label(&plan.issuing_unit),
                        plan.title.clone(),
                        plan.task_count.to_string(),
                        plan.target_count.to_string(),
                    ]
                },
            )
        }
        PlansCommand::Show { plan } => {
            let request = ctx.request(GetPlanRequest { name: plan })?;
            let plan = ctx.answer(client(ctx).get_plan(request)).await?;
            if ctx.json() {
                return output::print_json(&plan_json(&plan));
            }
            let labels = Labels::of(ctx, [plan.issuing_unit.as_str()]).await;
            output::print_table(&details_table([
                ("name", plan.name.clone()),
                ("year", plan.year.to_string()),
                ("issuing unit", labels.label(&plan.issuing_unit)),
                ("title", plan.title.clone()),
                ("legal bases", plan.legal_bases.join("\n")),
                ("report recipients", plan.report_recipients.join("\n")),
                ("tasks", plan.task_count.to_string()),
                ("targets", plan.target_count.to_string()),
                ("created", local_cell(plan.create_time.as_ref())),
            ]))
        }
        PlansCommand::Recipients { plan, recipients } => {
            let request = ctx.request(UpdatePlanRequest {
                plan: Some(Plan {
                    name: plan,
                    report_recipients: recipients,
                    ..Default::default()
                }),
                update_mask: Some(eiso_proto::prost_types::FieldMask {
                    paths: vec!["report_recipients".into()],
                }),
                etag: String::new(),
            })?;
            let plan = ctx.answer(client(ctx).update_plan(request)).await?;
            if ctx.json() {
                return output::print_json(&plan_json(&plan));
            }
            println!("{}: reports go to {}", plan.name, {
                if plan.report_recipients.is_empty() {
                    "the body above the issuing unit".to_string()
                } else {
                    plan.report_recipients.join("; ")
                }
            });
            Ok(())
        }
        PlansCommand::Tasks { plan } => {
            let request = ctx.request(ListTasksRequest {
                parent: plan,
                page_size: 1000,
                ..Default::default()
            })?;
            let tasks = ctx.answer(client(ctx).list_tasks(request)).await?.tasks;
            print_tasks(ctx, &tasks).await
        }
        PlansCommand::Progress {
            task,
            percent,
            note,
            effective_date,
            reason,
        } => {
            let request = ctx.request(RecordTaskProgressRequest {
                name: task,
                percent,
                note,
                request_id: uuid::Uuid::new_v4().to_string(),
                effective_date: effective_date.as_deref().map(date).transpose()?,
                reason,
            })?;
            let task = ctx.answer(client(ctx).record_task_progress(request)).await?;
            print_tasks(ctx, std::slice::from_ref(&task)).await
        }
        PlansCommand::Evidence(command) => match command {
            EvidenceCommand::Add { task, resource } => {
                let request = ctx.request(AddTaskEvidenceRequest { name: task, resource })?;
                let task = ctx.answer(client(ctx).add_task_evidence(request)).await?;
                print_evidence(ctx, &task)
            }
            EvidenceCommand::Remove { task, resource } => {
                let request = ctx.request(RemoveTaskEvidenceRequest { name: task, resource })?;
                let task = ctx.answer(client(ctx).remove_task_evidence(request)).await?;
                print_evidence(ctx, &task)
            }
            EvidenceCommand::Tasks { resource } => {
                let request = ctx.request(ListTasksByEvidenceRequest {
                    resource,
                    page_size: 1000,
                    ..Default::default()
                })?;
                let tasks = ctx.answer(client(ctx).list_tasks_by_evidence(request)).await?.tasks;
                print_tasks(ctx, &tasks).await
            }
        },
        PlansCommand::Targets { plan, as_of } => {
            let as_of_date = as_of.as_deref().map(date).transpose()?;
            let request = ctx.request(EvaluateTargetsRequest { name: plan, as_of_date })?;
            let evaluations = ctx.answer(client(ctx).evaluate_targets(request)).await?.evaluations;
            print_list(
                ctx,
                "evaluations",
                &evaluations,
                evaluation_json,
                ["STT", "Chỉ tiêu", "Mục tiêu", "Thực hiện", "Số liệu", "Đánh giá"],
                |e| {
                    let target = e.target.clone().unwrap_or_default();
                    vec![
                        target.number,
                        target.text,
                        format!("{}%", target.threshold_percent),
                        if e.denominator == 0 {
                            "–".to_string()
                        } else {
                            format!("{}%", e.percent)
                        },
                        e.explanation.clone(),
                        status_text::<TargetStatus>(e.status),
                    ]
                },
            )
        }
        PlansCommand::Report(ReportCommand::Generate {
            plan,
            kind,
            quarter,
            from,
            to,
        }) => {
            let request = ctx.request(GenerateReportRequest {
                parent: plan,
                kind: kind as i32,
                quarter,
                start_date: from.as_deref().map(date).transpose()?,
                end_date: to.as_deref().map(date).transpose()?,
                request_id: uuid::Uuid::new_v4().to_string(),
            })?;
            let report = ctx.answer(client(ctx).generate_report(request)).await?;
            print_report(ctx, &report).await
        }
        PlansCommand::Report(ReportCommand::Reissue { report, reason }) => {
            let request = ctx.request(ReissueReportRequest { name: report, reason })?;
            let report = ctx.answer(client(ctx).reissue_report(request)).await?;
            print_report(ctx, &report).await
        }
        PlansCommand::Report(ReportCommand::Export { report, file, force }) => {
            let extension = super::files::extension(&file);
            let format = match extension.as_str() {
                "xlsx" => ReportFormat::Xlsx,
                "html" | "htm" => ReportFormat::Html,
                _ => {
                    return Err(CliError::Usage(format!(
                        "{}: the format follows the extension, .xlsx or .html",
                        file.display()
                    )));
                }
            };
            refuse_to_replace(&file, force, "add --force to replace it")?;
            let request = ctx.request(ExportReportRequest {
                name: report,
                format: format as i32,
            })?;
            let exported = ctx.answer(client(ctx).export_report(request)).await?;
            save_export(ctx, &file, &exported.content).await
        }
        PlansCommand::Reports { plan } => {
            let request = ctx.request(ListReportsRequest {
                parent: plan,
                page_size: 500,
                ..Default::default()
            })?;
            let reports = ctx.answer(client(ctx).list_reports(request)).await?.reports;
            print_list(
                ctx,
                "reports",
                &reports,
                report_json,
                ["name", "title", "cut-off", "record"],
                |report| {
                    vec![
                        report.name.clone(),
                        report.title.clone(),
                        date_text(report.cut_off_date.as_ref()),
                        report.record.clone(),
                    ]
                },
            )
        }
    }
}

/// Saves an exported table or report at `file` and says where it went.
async fn save_export(ctx: &Ctx, file: &Path, content: &[u8]) -> Result<(), CliError> {
    save_bytes(file, content).await?;
    let path = file.display().to_string();
    if ctx.json() {
        return output::print_json(&json!({ "path": path, "bytes": content.len() }));
    }
    output::print(&format!("wrote {path}"))
}

fn print_evidence(ctx: &Ctx, task: &Task) -> Result<(), CliError> {
    if ctx.json() {
        return output::print_json(&task_json(task));
    }
    let mut t = table(["resource", "kind", "title", "linked"]);
    for e in &task.evidence {
        t.add_row(vec![
            e.resource.clone(),
            e.kind.clone(),
            e.title.clone(),
            local_cell(e.add_time.as_ref()),
        ]);
    }
    output::print_table(&t)
}

async fn import(ctx: &Ctx, args: ImportArgs) -> Result<(), CliError> {
    let format = table_format(&args.file)?;
    if let Some(targets) = &args.targets
        && table_format(targets)? != format
    {
        return Err(CliError::Usage(
            "the tasks and targets tables must have the same format".to_string(),
        ));
    }
    let mut unit_aliases = HashMap::new();
    for alias in &args.aliases {
        let (written, unit) = alias
            .split_once('=')
            .ok_or_else(|| CliError::Usage(format!("--alias {alias}: write TEXT=units/ID")))?;
        unit_aliases.insert(written.trim().to_string(), unit.trim().to_string());
    }
    ctx.ensure_signed_in()?;
    let read = |path: &PathBuf| {
        std::fs::read(path).map_err(|error| {
            CliError::from(anyhow::Error::new(error).context(format!("cannot read {}", path.display())))
        })
    };
    let content = read(&args.file)?;
    let targets_content = match &args.targets {
        Some(path) => read(path)?,
        None => Vec::new(),
    };
    let request = ctx.request(ImportPlanRequest {
        plan: Some(Plan {
            year: args.year,
            issuing_unit: args.unit,
            title: args.title,
            legal_bases: args.legal_bases,
            report_recipients: args.report_recipients,
            ..Default::default()
        }),
        plan_id: args.id.unwrap_or_default(),
        format: format as i32,
        content,
        targets_content,
        unit_aliases,
        validate_only: args.dry_run,
        request_id: uuid::Uuid::new_v4().to_string(),
    })?;
    let imported = ctx.answer(client(ctx).import_plan(request)).await?;
    let plan = imported.plan.unwrap_or_default();
    if ctx.json() {
        return output::print_json(&json!({
            "plan": plan_json(&plan),
            "task_count": imported.task_count,
            "target_count": imported.target_count,
            "validate_only": args.dry_run,
        }));
    }
    let mut lines = Vec::new();
    if args.dry_run {
        lines.push("dry run: nothing was changed; an import would give".to_string());
    } else {
        lines.push(format!("plan:    {}", plan.name));
    }
    lines.push(format!("tasks:   {}", imported.task_count));
    lines.push(format!("targets: {}", imported.target_count));
    output::print(&lines.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_read_in_lower_case_vietnamese() {
        assert_eq!(status_text::<TaskStatus>(TaskStatus::Done as i32), "đã hoàn thành");
        assert_eq!(status_text::<TaskStatus>(0), "chưa thực hiện");
        assert_eq!(status_text::<TaskStatus>(99), "chưa thực hiện");
        assert_eq!(
            status_text::<TargetStatus>(TargetStatus::AtRisk as i32),
            "có nguy cơ không đạt"
        );
        assert_eq!(
            status_text::<TargetStatus>(TargetStatus::NoData as i32),
            "chưa có số liệu"
        );
    }
}
