//! `eiso quality …`: the quality system — inspections of the units an office
//! manages, internal audits and their findings, corrective actions, management
//! reviews and the ISO 18091 diagnostic.

use clap::{Args, Subcommand};
use eiso_proto::eiso::quality::v1::quality_service_client::QualityServiceClient;
use eiso_proto::eiso::quality::v1::*;
use eiso_proto::labels::ProtoEnum;
use eiso_proto::tonic::transport::Channel;
use serde_json::{Value, json};

use super::{created, print_list, request_id};
use crate::context::Ctx;
use crate::directory::Labels;
use crate::enum_arg::{Choice, Choices, EnumArg};
use crate::error::CliError;
use crate::names::{label_cell, nfc, state_cell};
use crate::output::{self, details_table, format_percent, local_cell, local_date_text, parse_local_date, table};

/// `eiso quality`.
#[derive(Debug, Subcommand)]
pub enum QualityCommand {
    /// Inspections of the units an office manages (schools), and their coverage
    #[command(subcommand)]
    Inspections(InspectionsCommand),
    /// Internal audits (ISO 9001 §9.2): programmes, audits, start, complete
    #[command(subcommand)]
    Audits(AuditsCommand),
    /// Findings of an audit, with evidence
    #[command(subcommand)]
    Findings(FindingsCommand),
    /// Corrective actions (ISO 9001 §10.2): open, plan, implement, verify, close, overdue
    #[command(subcommand)]
    Actions(ActionsCommand),
    /// Management reviews (ISO 9001 §9.3): generate the data pack, list, show
    #[command(subcommand)]
    Reviews(ReviewsCommand),
    /// The ISO 18091 diagnostic: indicators, assessments, comparison of two periods
    #[command(subcommand)]
    Diagnostic(DiagnosticCommand),
}

/// `eiso quality inspections`.
#[derive(Debug, Subcommand)]
pub enum InspectionsCommand {
    /// Creates the inspection programme of a unit for a year
    Programme {
        /// The managing unit, `units/ID`
        #[arg(long)]
        unit: String,
        /// The year
        #[arg(long)]
        year: i32,
        /// Title
        #[arg(long)]
        title: String,
        /// A unit to inspect, `units/ID`; repeat for each
        #[arg(long = "member")]
        members: Vec<String>,
    },
    /// Plans an inspection of one unit of a programme
    Plan {
        /// `inspectionProgrammes/ID`
        #[arg(long)]
        programme: String,
        /// The unit inspected, `units/ID`
        #[arg(long)]
        unit: String,
        /// Planned day (dd/mm/yyyy)
        #[arg(long)]
        date: String,
        /// An inspector, `users/ID`; repeat for each
        #[arg(long = "inspector", required = true)]
        inspectors: Vec<String>,
        /// Idempotency key (a retry with the same key plans once)
        #[arg(long)]
        request_id: Option<String>,
    },
    /// Records that an inspection was done
    Complete {
        /// `inspections/ID`
        inspection: String,
        /// Day it was done (dd/mm/yyyy)
        #[arg(long)]
        date: String,
        /// What it found
        #[arg(long)]
        findings: String,
        /// Evidence: `documents/ID`, `records/ID`, `dossiers/ID` …; repeat for each
        #[arg(long = "evidence")]
        evidence: Vec<String>,
        /// Why it is entered after --date (required when --date is before today)
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// Cancels a planned inspection (give --reason)
    Cancel {
        /// `inspections/ID`
        inspection: String,
    },
    /// Lists inspections
    List {
        /// Only this programme's, `inspectionProgrammes/ID`
        #[arg(long)]
        programme: Option<String>,
        /// Only in this state: planned, done, cancelled
        #[arg(long)]
        state: Option<String>,
    },
    /// The share of a unit's population inspected in a period
    Coverage {
        /// The managing unit, `units/ID`
        #[arg(long)]
        unit: String,
        /// First day (dd/mm/yyyy)
        #[arg(long)]
        from: String,
        /// Last day (dd/mm/yyyy)
        #[arg(long)]
        to: String,
    },
}

/// `eiso quality audits`.
#[derive(Debug, Subcommand)]
pub enum AuditsCommand {
    /// Creates the audit programme of a year
    Programme {
        /// The unit audited, `units/ID`
        #[arg(long)]
        unit: String,
        /// The year
        #[arg(long)]
        year: i32,
        /// Title
        #[arg(long)]
        title: String,
    },
    /// Plans an audit
    Create(AuditArgs),
    /// Lists audits
    List {
        /// Only this programme's, `auditProgrammes/ID`
        #[arg(long)]
        programme: Option<String>,
    },
    /// Shows an audit: title, scope, criteria, subjects, auditees and
    /// auditors by name, dates, state and checklist
    Show {
        /// `audits/ID`
        audit: String,
    },
    /// The audit's checklist: list, add or remove questions
    #[command(subcommand)]
    Checklist(ChecklistCommand),
    /// Starts an audit
    Start {
        /// `audits/ID`
        audit: String,
        #[command(flatten)]
        late: Late,
    },
    /// Completes an audit (every nonconformity needs a corrective action first)
    Complete {
        /// `audits/ID`
        audit: String,
        /// The conclusion
        #[arg(long)]
        conclusion: String,
        #[command(flatten)]
        late: Late,
    },
}

/// `eiso quality audits create`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// `auditProgrammes/ID`
    #[arg(long)]
    pub programme: String,
    /// Title
    #[arg(long)]
    pub title: String,
    /// Scope
    #[arg(long)]
    pub scope: String,
    /// An ISO 9001 clause audited, e.g. 7.5; repeat for each
    #[arg(long = "clause", required = true)]
    pub clauses: Vec<String>,
    /// A unit audited, `units/ID`; repeat for each
    #[arg(long = "auditee", required = true)]
    pub auditees: Vec<String>,
    /// An auditor, `users/ID`; repeat for each. None may audit their own
    /// work: a subject they wrote, approved, filed or revised, or a unit they lead
    #[arg(long = "auditor", required = true)]
    pub auditors: Vec<String>,
    /// What the audit examines: a process's controlled document, `documents/ID`, or a record, `records/ID`;
    /// repeat for each
    #[arg(long = "subject")]
    pub subjects: Vec<String>,
    /// First day (dd/mm/yyyy)
    #[arg(long)]
    pub from: String,
    /// Last day (dd/mm/yyyy)
    #[arg(long)]
    pub to: String,
    /// Idempotency key
    #[arg(long)]
    pub request_id: Option<String>,
}

/// `eiso quality audits checklist`.
#[derive(Debug, Subcommand)]
pub enum ChecklistCommand {
    /// Lists the questions, numbered
    List {
        /// `audits/ID`
        audit: String,
    },
    /// Adds a question at the end
    Add {
        /// `audits/ID`
        audit: String,
        /// The ISO 9001 clause, e.g. 7.5.3
        #[arg(long)]
        clause: String,
        /// The question
        #[arg(long)]
        question: String,
    },
    /// Removes a question by its number in `checklist list`
    Remove {
        /// `audits/ID`
        audit: String,
        /// The question's number, from 1
        number: usize,
    },
}

/// Kinds of finding, as typed.
impl Choices for FindingType {
    const CHOICES: &'static [Choice<Self>] = &[
        Choice::named(FindingType::MajorNonconformity, "major", "Major nonconformity"),
        Choice::named(FindingType::MinorNonconformity, "minor", "Minor nonconformity"),
        Choice::new(FindingType::Observation, "Observation"),
        Choice::named(
            FindingType::OpportunityForImprovement,
            "ofi",
            "Opportunity for improvement",
        ),
    ];
}

/// `eiso quality findings`.
#[derive(Debug, Subcommand)]
pub enum FindingsCommand {
    /// Records a finding of an audit in progress
    Add {
        /// `audits/ID`
        audit: String,
        /// The type
        #[arg(long = "type", value_name = "KIND", value_parser = EnumArg::<FindingType>::new())]
        kind: FindingType,
        /// ISO 9001 clause, e.g. 7.5.3
        #[arg(long)]
        clause: String,
        /// The statement
        #[arg(long)]
        statement: String,
        /// The unit concerned, `units/ID`
        #[arg(long)]
        auditee: String,
        /// Evidence: `documents/ID`, `documents/ID/revisions/N`, `records/ID`, `dossiers/ID`
        #[arg(long = "evidence")]
        evidence: Vec<String>,
    },
    /// Lists the findings of an audit (or of all audits)
    List {
        /// `audits/ID`; every audit when not given
        audit: Option<String>,
    },
}

/// When a step of a corrective action happened, if it is entered later.
#[derive(Debug, Clone, Args)]
pub struct Late {
    /// The day it happened (dd/mm/yyyy), when entered later; today if not given
    #[arg(long, value_name = "DD/MM/YYYY")]
    pub effective_date: Option<String>,
    /// Why it is entered late (required with an earlier --effective-date)
    #[arg(long, default_value = "")]
    pub reason: String,
}

impl Late {
    fn date(&self) -> Result<Option<eiso_proto::eiso::procedures::v1::LocalDate>, CliError> {
        self.effective_date.as_deref().map(parse_local_date).transpose()
    }
}

/// `eiso quality actions`.
#[derive(Debug, Subcommand)]
pub enum ActionsCommand {
    /// Opens the corrective action of a nonconformity
    Open {
        /// `audits/ID/findings/ID`
        finding: String,
        /// Idempotency key
        #[arg(long)]
        request_id: Option<String>,
        #[command(flatten)]
        late: Late,
    },
    /// Records the root cause and the actions
    Plan {
        /// `correctiveActions/ID`
        action: String,
        /// The root cause
        #[arg(long)]
        root_cause: String,
        /// An action as `DESCRIPTION|users/ID|dd/mm/yyyy`; repeat for each
        #[arg(long = "action", required = true)]
        actions: Vec<String>,
        #[command(flatten)]
        late: Late,
    },
    /// Records that the actions were carried out
    Implement {
        /// `correctiveActions/ID`
        action: String,
        /// What was done
        #[arg(long)]
        note: String,
        #[command(flatten)]
        late: Late,
    },
    /// Records the verification of effectiveness
    Verify {
        /// `correctiveActions/ID`
        action: String,
        /// The actions did not remove the cause (back to planning)
        #[arg(long)]
        not_effective: bool,
        /// What was checked
        #[arg(long)]
        note: String,
        #[command(flatten)]
        late: Late,
    },
    /// Closes an action verified effective
    Close {
        /// `correctiveActions/ID`
        action: String,
        #[command(flatten)]
        late: Late,
    },
    /// Shows one corrective action: its plan, verifications and the earlier
    /// plans it replaced
    Show {
        /// `correctiveActions/ID`
        action: String,
    },
    /// Lists corrective actions
    List {
        /// Only in this state, e.g. open, actions_planned, closed
        #[arg(long)]
        state: Option<String>,
    },
    /// Lists corrective actions past their due date
    Overdue {
        /// Only this unit's, `units/ID`
        #[arg(long)]
        unit: Option<String>,
    },
}

/// `eiso quality reviews`.
#[derive(Debug, Subcommand)]
pub enum ReviewsCommand {
    /// Generates the management review pack of a period and files it as a record
    Generate {
        /// The unit, `units/ID`
        #[arg(long)]
        unit: String,
        /// First day (dd/mm/yyyy)
        #[arg(long)]
        from: String,
        /// Last day (dd/mm/yyyy)
        #[arg(long)]
        to: String,
        /// Title (a default is made from the period)
        #[arg(long)]
        title: Option<String>,
        /// Idempotency key
        #[arg(long)]
        request_id: Option<String>,
    },
    /// Lists management reviews
    List,
    /// Shows one review's pack
    Show {
        /// `managementReviews/ID`
        review: String,
    },
}

/// Colours, as typed.
impl Choices for Colour {
    const CHOICES: &'static [Choice<Self>] = &[
        Choice::new(Colour::Red, "Red"),
        Choice::new(Colour::Yellow, "Yellow"),
        Choice::new(Colour::Green, "Green"),
    ];
}

/// `eiso quality diagnostic`.
#[derive(Debug, Subcommand)]
pub enum DiagnosticCommand {
    /// Lists the indicator set
    Indicators,
    /// Opens the diagnostic of a unit for a period
    Create {
        /// The unit, `units/ID`
        #[arg(long)]
        unit: String,
        /// The period, e.g. 2024
        #[arg(long)]
        period: String,
        /// Title
        #[arg(long)]
        title: Option<String>,
    },
    /// Assesses one indicator
    Assess {
        /// `diagnostics/ID`
        diagnostic: String,
        /// The indicator, by its number as the diagnostic prints it (1.1) or its
        /// name (`indicators/1-1`)
        #[arg(long)]
        indicator: String,
        /// The colour
        #[arg(long, value_parser = EnumArg::<Colour>::new())]
        colour: Colour,
        /// Why
        #[arg(long)]
        note: Option<String>,
        /// Evidence; repeat for each
        #[arg(long = "evidence")]
        evidence: Vec<String>,
    },
    /// Shows a diagnostic with its assessments
    Show {
        /// `diagnostics/ID`
        diagnostic: String,
    },
    /// Compares two diagnostics of the same unit
    Compare {
        /// The earlier, `diagnostics/ID`
        base: String,
        /// The later, `diagnostics/ID`
        current: String,
    },
}

fn client(ctx: &Ctx) -> QualityServiceClient<Channel> {
    ctx.quality()
}

fn links(items: &[String]) -> Vec<EvidenceLink> {
    items
        .iter()
        .map(|name| EvidenceLink {
            name: name.clone(),
            ..Default::default()
        })
        .collect()
}

/// Runs a `quality` subcommand.
pub async fn run(ctx: &Ctx, command: QualityCommand) -> Result<(), CliError> {
    match command {
        QualityCommand::Inspections(command) => inspections(ctx, command).await,
        QualityCommand::Audits(command) => audits(ctx, command).await,
        QualityCommand::Findings(command) => findings(ctx, command).await,
        QualityCommand::Actions(command) => actions(ctx, command).await,
        QualityCommand::Reviews(command) => reviews(ctx, command).await,
        QualityCommand::Diagnostic(command) => diagnostic(ctx, command).await,
    }
}

fn inspection_json(i: &Inspection) -> Value {
    json!({
        "name": i.name,
        "programme": i.programme,
        "unit": i.unit,
        "planned_date": local_date_text(i.planned_date.as_ref()),
        "done_date": local_date_text(i.done_date.as_ref()),
        "state": inspection::State::of(i.state).unwrap_or_default().short_name(),
        "inspectors": i.inspectors,
        "findings": i.findings,
        "evidence": i.evidence.iter().map(|e| e.name.clone()).collect::<Vec<_>>(),
    })
}

/// Inspections, each with the unit inspected and the inspectors by name.
async fn print_inspections(ctx: &Ctx, items: &[Inspection]) -> Result<(), CliError> {
    let names = items.iter().flat_map(|i| std::iter::once(&i.unit).chain(&i.inspectors));
    let labels = Labels::of(ctx, names.map(String::as_str)).await;
    print_list(
        ctx,
        "inspections",
        items,
        inspection_json,
        [
            "Tên",
            "Đơn vị",
            "Người kiểm tra",
            "Ngày dự kiến",
            "Ngày thực hiện",
            "Trạng thái",
        ],
        |i| {
            vec![
                i.name.clone(),
                labels.label(&i.unit),
                labels.lines(&i.inspectors),
                local_date_text(i.planned_date.as_ref()),
                local_date_text(i.done_date.as_ref()),
                inspection_json(i)["state"].as_str().unwrap_or_default().to_string(),
            ]
        },
    )
}

async fn inspections(ctx: &Ctx, command: InspectionsCommand) -> Result<(), CliError> {
    let mut client = client(ctx);
    match command {
        InspectionsCommand::Programme {
            unit,
            year,
            title,
            members,
        } => {
            let id = request_id(None);
            let request = ctx.request(CreateInspectionProgrammeRequest {
                programme: Some(InspectionProgramme {
                    unit,
                    year,
                    title,
                    population: members,
                    ..Default::default()
                }),
                request_id: id.clone(),
            })?;
            let p = created(ctx, &id, client.create_inspection_programme(request)).await?;
            if ctx.json() {
                return output::print_json(&json!({
                    "name": p.name, "unit": p.unit, "year": p.year, "title": p.title, "population": p.population,
                }));
            }
            let labels = Labels::of(ctx, [p.unit.as_str()]).await;
            output::print_table(&details_table([
                ("Tên", p.name),
                ("Đơn vị", labels.label(&p.unit)),
                ("Năm", p.year.to_string()),
                ("Tiêu đề", p.title),
                ("Số đơn vị", p.population.len().to_string()),
            ]))
        }
        InspectionsCommand::Plan {
            programme,
            unit,
            date: day,
            inspectors,
            request_id: given,
        } => {
            let id = request_id(given.as_deref());
            let request = ctx.request(CreateInspectionRequest {
                inspection: Some(Inspection {
                    programme,
                    unit,
                    planned_date: Some(parse_local_date(&day)?),
                    inspectors,
                    ..Default::default()
                }),
                request_id: id.clone(),
            })?;
            let i = created(ctx, &id, client.create_inspection(request)).await?;
            print_inspections(ctx, &[i]).await
        }
        InspectionsCommand::Complete {
            inspection,
            date: day,
            findings,
            evidence,
            reason,
        } => {
            let request = ctx.request(CompleteInspectionRequest {
                name: inspection,
                done_date: Some(parse_local_date(&day)?),
                findings,
                evidence,
                etag: String::new(),
                reason,
            })?;
            let i = ctx.answer(client.complete_inspection(request)).await?;
            print_inspections(ctx, &[i]).await
        }
        InspectionsCommand::Cancel { inspection } => {
            let reason = ctx.required_reason("quality inspections cancel")?;
            let request = ctx.request(CancelInspectionRequest {
                name: inspection,
                reason,
                etag: String::new(),
            })?;
            let i = ctx.answer(client.cancel_inspection(request)).await?;
            print_inspections(ctx, &[i]).await
        }
        InspectionsCommand::List { programme, state } => {
            let filter = super::filter_and([
                programme
                    .map(|p| format!("programme = {}", super::filter_value(&p)))
                    .unwrap_or_default()
                    .as_str(),
                state
                    .map(|s| format!("state = {}", s.to_uppercase()))
                    .unwrap_or_default()
                    .as_str(),
            ]);
            let request = ctx.request(ListInspectionsRequest {
                filter,
                page_size: 1000,
                ..Default::default()
            })?;
            let items = ctx.answer(client.list_inspections(request)).await?.inspections;
            print_inspections(ctx, &items).await
        }
        InspectionsCommand::Coverage { unit, from, to } => {
            let request = ctx.request(GetInspectionCoverageRequest {
                unit,
                start_date: Some(parse_local_date(&from)?),
                end_date: Some(parse_local_date(&to)?),
            })?;
            let c = ctx.answer(client.get_inspection_coverage(request)).await?;
            if ctx.json() {
                return output::print_json(&json!({
                    "unit": c.unit, "inspected": c.inspected, "population": c.population, "share": c.share,
                }));
            }
            let labels = Labels::of(ctx, [c.unit.as_str()]).await;
            output::print_table(&details_table([
                ("Đơn vị", labels.label(&c.unit)),
                ("Đã kiểm tra", format!("{}/{}", c.inspected.len(), c.population.len())),
                ("Tỷ lệ", format_percent(c.share)),
            ]))
        }
    }
}

fn audit_json(a: &Audit) -> Value {
    json!({
        "name": a.name,
        "programme": a.programme,
        "title": a.title,
        "scope": a.scope,
        "state": audit::State::of(a.state).unwrap_or_default().short_name(),
        "criteria": a.criteria,
        "subjects": a.subjects,
        "auditees": a.auditees,
        "auditors": a.auditors,
        "start_date": local_date_text(a.start_date.as_ref()),
        "end_date": local_date_text(a.end_date.as_ref()),
        "checklist": checklist_json(&a.checklist),
        "finding_count": a.finding_count,
        "conclusion": a.conclusion,
        "etag": a.etag,
    })
}

fn checklist_json(items: &[ChecklistItem]) -> Vec<Value> {
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            json!({
                "number": i + 1,
                "clause": item.clause,
                "question": item.question,
                "result": ChecklistResult::of(item.result).unwrap_or_default().short_name(),
                "note": item.note,
            })
        })
        .collect()
}

/// A checklist as a table: number, clause, question, result, note.
fn checklist_table(items: &[ChecklistItem]) -> comfy_table::Table {
    let mut t = table(["Số", "Điều khoản", "Câu hỏi", "Kết quả", "Ghi chú"]);
    for (i, item) in items.iter().enumerate() {
        let result = if item.result == ChecklistResult::Unspecified as i32 {
            String::new()
        } else {
            state_cell::<ChecklistResult>(item.result, "result")
        };
        t.add_row(vec![
            (i + 1).to_string(),
            item.clause.clone(),
            item.question.clone(),
            result,
            item.note.clone(),
        ]);
    }
    t
}

/// An audit in full, its people and subjects by name; as JSON, ids.
async fn print_audit_details(ctx: &Ctx, a: &Audit) -> Result<(), CliError> {
    if ctx.json() {
        return output::print_json(&json!({ "audits": [audit_json(a)] }));
    }
    let names = a.auditees.iter().chain(&a.auditors).chain(&a.subjects);
    let labels = Labels::of(ctx, names.map(String::as_str)).await;
    let mut rows = vec![
        ("Tên", a.name.clone()),
        ("Cuộc đánh giá", a.title.clone()),
        ("Phạm vi", a.scope.clone()),
        ("Tiêu chí (ISO 9001)", a.criteria.join(", ")),
        ("Tài liệu, hồ sơ được xem xét", labels.lines(&a.subjects)),
        ("Đơn vị được đánh giá", labels.lines(&a.auditees)),
        ("Chuyên gia đánh giá", labels.lines(&a.auditors)),
        (
            "Thời gian",
            format!(
                "{} – {}",
                local_date_text(a.start_date.as_ref()),
                local_date_text(a.end_date.as_ref())
            ),
        ),
        ("Trạng thái", state_cell::<audit::State>(a.state, "state")),
        ("Số phát hiện", a.finding_count.to_string()),
    ];
    if !a.conclusion.is_empty() {
        rows.push(("Kết luận", a.conclusion.clone()));
    }
    output::print_table(&details_table(rows))?;
    print_checklist_tables(&a.checklist)
}

fn print_checklist_tables(items: &[ChecklistItem]) -> Result<(), CliError> {
    if items.is_empty() {
        return output::print("\nChưa có câu hỏi đánh giá (eiso quality audits checklist add)");
    }
    output::print(&format!("\nDanh mục câu hỏi đánh giá ({})", items.len()))?;
    output::print_table(&checklist_table(items))
}

/// `eiso quality audits checklist …`: reads the audit, changes its
/// checklist and saves it with the etag read (a change made meanwhile by
/// someone else is refused, not overwritten).
async fn checklist(ctx: &Ctx, command: ChecklistCommand) -> Result<(), CliError> {
    let mut client = client(ctx);
    let name = match &command {
        ChecklistCommand::List { audit }
        | ChecklistCommand::Add { audit, .. }
        | ChecklistCommand::Remove { audit, .. } => audit.clone(),
    };
    let current = ctx
        .answer(client.get_audit(ctx.request(GetAuditRequest { name: name.clone() })?))
        .await?;
    let mut items = current.checklist.clone();
    match command {
        ChecklistCommand::List { .. } => return print_checklist(ctx, &current),
        ChecklistCommand::Add { clause, question, .. } => items.push(ChecklistItem {
            clause: nfc(&clause),
            question: nfc(&question),
            ..Default::default()
        }),
        ChecklistCommand::Remove { number, .. } => {
            if number == 0 || number > items.len() {
                return Err(CliError::Usage(format!(
                    "{name} has {} question(s): give a number from 1 to {} (eiso quality audits checklist list {name})",
                    items.len(),
                    items.len()
                )));
            }
            items.remove(number - 1);
        }
    }
    let updated = ctx
        .answer(client.update_audit(ctx.request(UpdateAuditRequest {
            audit: Some(Audit {
                name,
                checklist: items,
                ..Default::default()
            }),
            update_mask: Some(eiso_proto::prost_types::FieldMask {
                paths: vec!["checklist".to_string()],
            }),
            etag: current.etag,
        })?))
        .await?;
    print_checklist(ctx, &updated)
}

fn print_checklist(ctx: &Ctx, a: &Audit) -> Result<(), CliError> {
    if ctx.json() {
        return output::print_json(&json!({
            "audit": a.name,
            "etag": a.etag,
            "checklist": checklist_json(&a.checklist),
        }));
    }
    output::print(&format!("{} — {}", a.name, a.title))?;
    print_checklist_tables(&a.checklist)
}

/// Audits, each with the units audited by name.
async fn print_audits(ctx: &Ctx, items: &[Audit]) -> Result<(), CliError> {
    let labels = Labels::of(ctx, items.iter().flat_map(|a| &a.auditees).map(String::as_str)).await;
    print_list(
        ctx,
        "audits",
        items,
        audit_json,
        [
            "Tên",
            "Cuộc đánh giá",
            "Đơn vị được đánh giá",
            "Từ ngày",
            "Trạng thái",
            "Phát hiện",
        ],
        |a| {
            vec![
                a.name.clone(),
                a.title.clone(),
                labels.lines(&a.auditees),
                local_date_text(a.start_date.as_ref()),
                audit_json(a)["state"].as_str().unwrap_or_default().to_string(),
                a.finding_count.to_string(),
            ]
        },
    )
}

async fn audits(ctx: &Ctx, command: AuditsCommand) -> Result<(), CliError> {
    let mut client = client(ctx);
    let audit = match command {
        AuditsCommand::Programme { unit, year, title } => {
            let id = request_id(None);
            let request = ctx.request(CreateAuditProgrammeRequest {
                programme: Some(AuditProgramme {
                    unit,
                    year,
                    title,
                    ..Default::default()
                }),
                request_id: id.clone(),
            })?;
            let p = created(ctx, &id, client.create_audit_programme(request)).await?;
            if ctx.json() {
                return output::print_json(
                    &json!({ "name": p.name, "unit": p.unit, "year": p.year, "title": p.title }),
                );
            }
            let labels = Labels::of(ctx, [p.unit.as_str()]).await;
            return output::print_table(&details_table([
                ("Tên", p.name),
                ("Đơn vị", labels.label(&p.unit)),
                ("Năm", p.year.to_string()),
                ("Tiêu đề", p.title),
            ]));
        }
        AuditsCommand::Create(args) => {
            let id = request_id(args.request_id.as_deref());
            let request = ctx.request(CreateAuditRequest {
                audit: Some(Audit {
                    programme: args.programme,
                    title: args.title,
                    scope: args.scope,
                    criteria: args.clauses,
                    auditees: args.auditees,
                    auditors: args.auditors,
                    subjects: args.subjects,
                    start_date: Some(parse_local_date(&args.from)?),
                    end_date: Some(parse_local_date(&args.to)?),
                    ..Default::default()
                }),
                request_id: id.clone(),
            })?;
            created(ctx, &id, client.create_audit(request)).await?
        }
        AuditsCommand::List { programme } => {
            let request = ctx.request(ListAuditsRequest {
                filter: programme
                    .map(|p| format!("programme = {}", super::filter_value(&p)))
                    .unwrap_or_default(),
                page_size: 1000,
                ..Default::default()
            })?;
            let items = ctx.answer(client.list_audits(request)).await?.audits;
            return print_audits(ctx, &items).await;
        }
        AuditsCommand::Show { audit } => {
            let audit = ctx
                .answer(client.get_audit(ctx.request(GetAuditRequest { name: audit })?))
                .await?;
            return print_audit_details(ctx, &audit).await;
        }
        AuditsCommand::Checklist(command) => return checklist(ctx, command).await,
        AuditsCommand::Start { audit, late } => {
            ctx.answer(client.start_audit(ctx.request(StartAuditRequest {
                name: audit,
                etag: String::new(),
                effective_date: late.date()?,
                reason: late.reason,
            })?))
            .await?
        }
        AuditsCommand::Complete {
            audit,
            conclusion,
            late,
        } => {
            ctx.answer(client.complete_audit(ctx.request(CompleteAuditRequest {
                name: audit,
                conclusion,
                etag: String::new(),
                effective_date: late.date()?,
                reason: late.reason,
            })?))
            .await?
        }
    };
    print_audits(ctx, &[audit]).await
}

fn finding_json(f: &Finding) -> Value {
    json!({
        "name": f.name,
        "type": FindingType::of(f.r#type).unwrap_or_default().short_name(),
        "clause": f.clause,
        "statement": f.statement,
        "auditee": f.auditee,
        "evidence": f.evidence.iter().map(|e| json!({ "name": e.name, "kind": e.kind, "title": e.title })).collect::<Vec<_>>(),
        "corrective_action": f.corrective_action,
    })
}

async fn findings(ctx: &Ctx, command: FindingsCommand) -> Result<(), CliError> {
    let mut client = client(ctx);
    let items = match command {
        FindingsCommand::Add {
            audit,
            kind,
            clause,
            statement,
            auditee,
            evidence,
        } => {
            let id = request_id(None);
            let request = ctx.request(CreateFindingRequest {
                parent: audit,
                finding: Some(Finding {
                    r#type: kind as i32,
                    clause,
                    statement,
                    auditee,
                    evidence: links(&evidence),
                    ..Default::default()
                }),
                request_id: id.clone(),
            })?;
            vec![created(ctx, &id, client.create_finding(request)).await?]
        }
        FindingsCommand::List { audit } => {
            let request = ctx.request(ListFindingsRequest {
                parent: audit.unwrap_or_else(|| "audits/-".to_string()),
                page_size: 1000,
                ..Default::default()
            })?;
            ctx.answer(client.list_findings(request)).await?.findings
        }
    };
    let labels = Labels::of(ctx, items.iter().map(|f| f.auditee.as_str())).await;
    print_list(
        ctx,
        "findings",
        &items,
        finding_json,
        ["Tên", "Loại", "Đơn vị", "Điều khoản", "Nội dung", "Hành động khắc phục"],
        |f| {
            vec![
                f.name.clone(),
                finding_json(f)["type"].as_str().unwrap_or_default().to_string(),
                labels.label(&f.auditee),
                f.clause.clone(),
                f.statement.clone(),
                f.corrective_action.clone(),
            ]
        },
    )
}

fn planned_json(actions: &[PlannedAction]) -> Vec<Value> {
    actions
        .iter()
        .map(|p| {
            json!({
                "description": p.description, "owner": p.owner, "due_date": local_date_text(p.due_date.as_ref()),
            })
        })
        .collect()
}

fn action_json(a: &CorrectiveAction) -> Value {
    let state = |s: i32| corrective_action::State::of(s).unwrap_or_default().short_name();
    json!({
        "name": a.name,
        "finding": a.finding,
        "unit": a.unit,
        "state": state(a.state),
        "nonconformity": a.nonconformity,
        "root_cause": a.root_cause,
        "actions": planned_json(&a.actions),
        "planner": a.planner,
        "plan_date": local_date_text(a.plan_date.as_ref()),
        "plan_late_reason": a.plan_late_reason,
        "implementation_note": a.implementation_note,
        "verifications": a.verifications.iter().map(|v| json!({
            "verifier": v.verifier, "effective": v.effective, "note": v.note,
            "verify_date": local_date_text(v.verify_date.as_ref()),
        })).collect::<Vec<_>>(),
        "history": a.history.iter().map(|h| json!({
            "root_cause": h.root_cause,
            "actions": planned_json(&h.actions),
            "due_date": local_date_text(h.due_date.as_ref()),
            "planner": h.planner,
            "plan_date": local_date_text(h.plan_date.as_ref()),
            "late_reason": h.late_reason,
            "implementation_note": h.implementation_note,
            "implement_date": local_date_text(h.implement_date.as_ref()),
            "replaced_state": state(h.replaced_state),
            "replaced_by": h.replaced_by,
            "replace_time": output::json_time(h.replace_time.as_ref()),
        })).collect::<Vec<_>>(),
    })
}

/// The planned actions as a table, their owners by name.
fn planned_table(actions: &[PlannedAction], labels: &Labels) -> comfy_table::Table {
    let mut t = table(["Hành động", "Người thực hiện", "Hạn"]);
    for p in actions {
        t.add_row(vec![
            p.description.clone(),
            labels.label(&p.owner),
            local_date_text(p.due_date.as_ref()),
        ]);
    }
    t
}

/// A corrective action in full: the current plan, the verifications and
/// the plans it replaced, oldest first; people by name. As JSON, ids.
async fn print_action_details(ctx: &Ctx, a: &CorrectiveAction) -> Result<(), CliError> {
    if ctx.json() {
        return output::print_json(&json!({ "corrective_actions": [action_json(a)] }));
    }
    let people = std::iter::once(&a.planner)
        .chain(a.actions.iter().map(|p| &p.owner))
        .chain(a.verifications.iter().map(|v| &v.verifier))
        .chain(a.history.iter().flat_map(|h| {
            [&h.planner, &h.replaced_by]
                .into_iter()
                .chain(h.actions.iter().map(|p| &p.owner))
        }));
    let labels = Labels::of(ctx, people.map(String::as_str)).await;
    let when = |day: Option<&eiso_proto::eiso::procedures::v1::LocalDate>, who: &str, late: &str| {
        let mut text = local_date_text(day);
        if !who.is_empty() {
            text = format!("{text}, {}", labels.label(who));
        }
        if !late.is_empty() {
            text = format!("{text} (nhập muộn: {late})");
        }
        text
    };
    let mut rows = vec![
        ("Tên", a.name.clone()),
        ("Điểm không phù hợp", a.nonconformity.clone()),
        ("Phát hiện", a.finding.clone()),
        ("Trạng thái", state_cell::<corrective_action::State>(a.state, "state")),
        ("Nguyên nhân gốc", a.root_cause.clone()),
    ];
    if a.plan_date.is_some() {
        rows.push((
            "Lập kế hoạch",
            when(a.plan_date.as_ref(), &a.planner, &a.plan_late_reason),
        ));
    }
    if !a.implementation_note.is_empty() {
        rows.push((
            "Đã thực hiện",
            format!(
                "{}: {}",
                local_date_text(a.implement_date.as_ref()),
                a.implementation_note
            ),
        ));
    }
    output::print_table(&details_table(rows))?;
    if !a.actions.is_empty() {
        output::print_table(&planned_table(&a.actions, &labels))?;
    }
    if !a.verifications.is_empty() {
        output::print("\nKiểm tra hiệu lực")?;
        let mut t = table(["Ngày", "Người kiểm tra", "Có hiệu lực", "Ghi chú"]);
        for v in &a.verifications {
            t.add_row(vec![
                local_date_text(v.verify_date.as_ref()),
                labels.label(&v.verifier),
                if v.effective { "có" } else { "không" }.to_string(),
                v.note.clone(),
            ]);
        }
        output::print_table(&t)?;
    }
    for (i, h) in a.history.iter().enumerate() {
        let why = match corrective_action::State::of(h.replaced_state) {
            Some(corrective_action::State::NotEffective) => "thực hiện nhưng không có hiệu lực".to_string(),
            Some(corrective_action::State::ActionsPlanned) => "thay đổi trước khi thực hiện".to_string(),
            _ => state_cell::<corrective_action::State>(h.replaced_state, "state"),
        };
        output::print(&format!("\nKế hoạch trước đây {} (đã thay)", i + 1))?;
        let mut rows = vec![
            ("Nguyên nhân gốc", h.root_cause.clone()),
            ("Lập kế hoạch", when(h.plan_date.as_ref(), &h.planner, &h.late_reason)),
            ("Hạn", local_date_text(h.due_date.as_ref())),
        ];
        if !h.implementation_note.is_empty() {
            rows.push((
                "Đã thực hiện",
                format!(
                    "{}: {}",
                    local_date_text(h.implement_date.as_ref()),
                    h.implementation_note
                ),
            ));
        }
        rows.push((
            "Thay thế",
            format!(
                "{}, {}: {why}",
                local_cell(h.replace_time.as_ref()),
                labels.label(&h.replaced_by)
            ),
        ));
        output::print_table(&details_table(rows))?;
        output::print_table(&planned_table(&h.actions, &labels))?;
    }
    Ok(())
}

/// Corrective actions, each with its unit and the owners of its actions by name.
async fn print_actions(ctx: &Ctx, items: &[CorrectiveAction]) -> Result<(), CliError> {
    let names = items
        .iter()
        .flat_map(|a| std::iter::once(&a.unit).chain(a.actions.iter().map(|p| &p.owner)));
    let labels = Labels::of(ctx, names.map(String::as_str)).await;
    print_list(
        ctx,
        "corrective_actions",
        items,
        action_json,
        [
            "Tên",
            "Điểm không phù hợp",
            "Đơn vị",
            "Người thực hiện",
            "Trạng thái",
            "Hạn",
        ],
        |a| {
            let due = a
                .actions
                .iter()
                .map(|p| local_date_text(p.due_date.as_ref()))
                .collect::<Vec<_>>()
                .join(", ");
            let mut owners: Vec<String> = a.actions.iter().map(|p| labels.label(&p.owner)).collect();
            owners.dedup();
            vec![
                a.name.clone(),
                a.nonconformity.clone(),
                labels.label(&a.unit),
                owners.join("\n"),
                action_json(a)["state"].as_str().unwrap_or_default().to_string(),
                due,
            ]
        },
    )
}

/// `indicators/{id}` of an indicator typed by its number (`1.1`), its id
/// (`1-1`) or its name: an id is its number with `-` for `.`.
fn indicator_name(typed: &str) -> String {
    let typed = typed.trim();
    let id = typed.strip_prefix("indicators/").unwrap_or(typed);
    format!("indicators/{}", id.replace('.', "-"))
}

/// `DESCRIPTION|users/ID|dd/mm/yyyy` → a planned action.
fn planned_action(text: &str) -> Result<PlannedAction, CliError> {
    let parts: Vec<&str> = text.split('|').map(str::trim).collect();
    match parts.as_slice() {
        [description, owner, due] => Ok(PlannedAction {
            description: description.to_string(),
            owner: owner.to_string(),
            due_date: Some(parse_local_date(due)?),
        }),
        _ => Err(CliError::Usage(format!(
            "`{text}`: write an action as DESCRIPTION|users/ID|dd/mm/yyyy"
        ))),
    }
}

async fn actions(ctx: &Ctx, command: ActionsCommand) -> Result<(), CliError> {
    let mut client = client(ctx);
    let action = match command {
        ActionsCommand::Open {
            finding,
            request_id: given,
            late,
        } => {
            let id = request_id(given.as_deref());
            let request = ctx.request(CreateCorrectiveActionRequest {
                corrective_action: Some(CorrectiveAction {
                    finding,
                    open_date: late.date()?,
                    ..Default::default()
                }),
                request_id: id.clone(),
                reason: late.reason,
            })?;
            created(ctx, &id, client.create_corrective_action(request)).await?
        }
        ActionsCommand::Plan {
            action,
            root_cause,
            actions,
            late,
        } => {
            let actions = actions
                .iter()
                .map(|a| planned_action(a))
                .collect::<Result<Vec<_>, _>>()?;
            ctx.answer(client.plan_corrective_action(ctx.request(PlanCorrectiveActionRequest {
                name: action,
                root_cause,
                actions,
                etag: String::new(),
                effective_date: late.date()?,
                reason: late.reason,
            })?))
            .await?
        }
        ActionsCommand::Implement { action, note, late } => {
            ctx.answer(
                client.implement_corrective_action(ctx.request(ImplementCorrectiveActionRequest {
                    name: action,
                    note,
                    etag: String::new(),
                    effective_date: late.date()?,
                    reason: late.reason,
                })?),
            )
            .await?
        }
        ActionsCommand::Verify {
            action,
            not_effective,
            note,
            late,
        } => {
            ctx.answer(
                client.verify_corrective_action(ctx.request(VerifyCorrectiveActionRequest {
                    name: action,
                    effective: !not_effective,
                    note,
                    etag: String::new(),
                    effective_date: late.date()?,
                    reason: late.reason,
                })?),
            )
            .await?
        }
        ActionsCommand::Close { action, late } => {
            ctx.answer(
                client.close_corrective_action(ctx.request(CloseCorrectiveActionRequest {
                    name: action,
                    etag: String::new(),
                    effective_date: late.date()?,
                    reason: late.reason,
                })?),
            )
            .await?
        }
        ActionsCommand::Show { action } => {
            let action = ctx
                .answer(client.get_corrective_action(ctx.request(GetCorrectiveActionRequest { name: action })?))
                .await?;
            return print_action_details(ctx, &action).await;
        }
        ActionsCommand::List { state } => {
            let items = ctx
                .answer(
                    client.list_corrective_actions(
                        ctx.request(ListCorrectiveActionsRequest {
                            filter: state
                                .map(|s| format!("state = {}", s.to_uppercase()))
                                .unwrap_or_default(),
                            page_size: 1000,
                            ..Default::default()
                        })?,
                    ),
                )
                .await?
                .corrective_actions;
            return print_actions(ctx, &items).await;
        }
        ActionsCommand::Overdue { unit } => {
            let items = ctx
                .answer(
                    client.list_overdue_corrective_actions(ctx.request(ListOverdueCorrectiveActionsRequest {
                        unit: unit.unwrap_or_default(),
                        page_size: 1000,
                        ..Default::default()
                    })?),
                )
                .await?
                .corrective_actions;
            return print_actions(ctx, &items).await;
        }
    };
    print_actions(ctx, &[action]).await
}

fn review_json(r: &ManagementReview) -> Value {
    let pack = r.pack.clone().unwrap_or_default();
    let q = pack.quality.unwrap_or_default();
    let s = pack.service.unwrap_or_default();
    let i = pack.inspections.unwrap_or_default();
    json!({
        "name": r.name,
        "unit": r.unit,
        "title": r.title,
        "start_date": local_date_text(r.start_date.as_ref()),
        "end_date": local_date_text(r.end_date.as_ref()),
        "record": r.record,
        "audits": q.audits,
        "major_nonconformities": q.major_nonconformities,
        "minor_nonconformities": q.minor_nonconformities,
        "observations": q.observations,
        "opportunities_for_improvement": q.opportunities_for_improvement,
        "corrective_actions_open": q.corrective_actions_open,
        "corrective_actions_overdue": q.corrective_actions_overdue,
        "corrective_actions_closed": q.corrective_actions_closed,
        "dossiers_received": s.received,
        "on_time_rate": s.on_time_rate,
        "satisfaction_rate": s.satisfaction_rate,
        "inspected": i.inspected.len(),
        "population": i.population.len(),
        "targets": pack.targets.iter().map(|t| json!({
            "title": t.title, "threshold": t.threshold, "actual": t.actual, "status": t.status,
        })).collect::<Vec<_>>(),
    })
}

async fn reviews(ctx: &Ctx, command: ReviewsCommand) -> Result<(), CliError> {
    let mut client = client(ctx);
    let review = match command {
        ReviewsCommand::Generate {
            unit,
            from,
            to,
            title,
            request_id: given,
        } => {
            let id = request_id(given.as_deref());
            let request = ctx.request(GenerateManagementReviewPackRequest {
                unit,
                start_date: Some(parse_local_date(&from)?),
                end_date: Some(parse_local_date(&to)?),
                title: title.unwrap_or_default(),
                request_id: id.clone(),
            })?;
            created(ctx, &id, client.generate_management_review_pack(request)).await?
        }
        ReviewsCommand::List => {
            let items = ctx
                .answer(
                    client.list_management_reviews(ctx.request(ListManagementReviewsRequest {
                        page_size: 1000,
                        ..Default::default()
                    })?),
                )
                .await?
                .management_reviews;
            return print_list(
                ctx,
                "management_reviews",
                &items,
                review_json,
                ["Tên", "Tiêu đề", "Hồ sơ lưu"],
                |r| vec![r.name.clone(), r.title.clone(), r.record.clone()],
            );
        }
        ReviewsCommand::Show { review } => {
            ctx.answer(client.get_management_review(ctx.request(GetManagementReviewRequest { name: review })?))
                .await?
        }
    };
    let json = review_json(&review);
    if ctx.json() {
        return output::print_json(&json);
    }
    let value = |key: &str| json[key].to_string();
    output::print_table(&details_table([
        ("Tên", review.name.clone()),
        ("Tiêu đề", review.title.clone()),
        (
            "Kỳ",
            format!(
                "{} – {}",
                value("start_date").trim_matches('"'),
                value("end_date").trim_matches('"')
            ),
        ),
        ("Hồ sơ lưu", review.record.clone()),
        ("Cuộc đánh giá", value("audits")),
        (
            "Không phù hợp nặng / nhẹ",
            format!(
                "{} / {}",
                value("major_nonconformities"),
                value("minor_nonconformities")
            ),
        ),
        (
            "HĐKP chưa đóng / quá hạn",
            format!(
                "{} / {}",
                value("corrective_actions_open"),
                value("corrective_actions_overdue")
            ),
        ),
        ("Hồ sơ TTHC tiếp nhận", value("dossiers_received")),
        (
            "Đơn vị đã kiểm tra",
            format!("{}/{}", value("inspected"), value("population")),
        ),
    ]))
}

async fn diagnostic(ctx: &Ctx, command: DiagnosticCommand) -> Result<(), CliError> {
    let mut client = client(ctx);
    match command {
        DiagnosticCommand::Indicators => {
            let items = ctx
                .answer(client.list_indicators(ctx.request(ListIndicatorsRequest {
                    page_size: 1000,
                    ..Default::default()
                })?))
                .await?
                .indicators;
            print_list(
                ctx,
                "indicators",
                &items,
                |i| {
                    json!({
                        "name": i.name, "number": i.number, "title": i.title, "english_title": i.english_title,
                        "quadrant": Quadrant::try_from(i.quadrant).unwrap_or_default().as_str_name(),
                        "wording_verified": i.wording_verified, "active": i.active,
                    })
                },
                ["Số", "Chỉ số", "Đã đối chiếu"],
                |i| {
                    vec![
                        i.number.clone(),
                        i.title.clone(),
                        if i.wording_verified { "có" } else { "chưa" }.to_string(),
                    ]
                },
            )
        }
        DiagnosticCommand::Create { unit, period, title } => {
            let id = request_id(None);
            let request = ctx.request(CreateDiagnosticRequest {
                diagnostic: Some(Diagnostic {
                    unit,
                    period,
                    title: title.unwrap_or_default(),
                    ..Default::default()
                }),
                request_id: id.clone(),
            })?;
            let d = created(ctx, &id, client.create_diagnostic(request)).await?;
            print_diagnostic(ctx, &d).await
        }
        DiagnosticCommand::Assess {
            diagnostic,
            indicator,
            colour,
            note,
            evidence,
        } => {
            let indicator = indicator_name(&indicator);
            let a = ctx
                .answer(client.assess_indicator(ctx.request(AssessIndicatorRequest {
                    diagnostic,
                    assessment: Some(Assessment {
                        indicator,
                        colour: colour as i32,
                        note: note.unwrap_or_default(),
                        evidence: links(&evidence),
                        ..Default::default()
                    }),
                })?))
                .await?;
            let colour = Colour::of(a.colour).unwrap_or_default().short_name();
            if ctx.json() {
                return output::print_json(&json!({ "name": a.name, "indicator": a.indicator, "colour": colour }));
            }
            output::print(&format!("{}: {colour}", a.name))
        }
        DiagnosticCommand::Show { diagnostic } => {
            let d = ctx
                .answer(client.get_diagnostic(ctx.request(GetDiagnosticRequest { name: diagnostic })?))
                .await?;
            print_diagnostic(ctx, &d).await
        }
        DiagnosticCommand::Compare { base, current } => {
            let c = ctx
                .answer(client.compare_periods(ctx.request(ComparePeriodsRequest { base, current })?))
                .await?;
            let change = |v: i32| Change::of(v).unwrap_or_default().short_name();
            let colour = |v: i32| Colour::of(v).unwrap_or_default().short_name();
            if ctx.json() {
                return output::print_json(&json!({
                    "improved": c.improved,
                    "worsened": c.worsened,
                    "unchanged": c.unchanged,
                    "changes": c.changes.iter().map(|x| json!({
                        "indicator": x.indicator, "number": x.number,
                        "base": colour(x.base), "current": colour(x.current), "change": change(x.change),
                    })).collect::<Vec<_>>(),
                }));
            }
            let mut t = table(["Số", "Kỳ trước", "Kỳ này", "Thay đổi"]);
            for x in c.changes.iter().filter(|x| x.base != 0 || x.current != 0) {
                t.add_row(vec![
                    x.number.clone(),
                    label_cell::<Colour>(x.base, "colour"),
                    label_cell::<Colour>(x.current, "colour"),
                    label_cell::<Change>(x.change, "change"),
                ]);
            }
            output::print_table(&t)?;
            output::print(&format!(
                "tốt lên {}, xấu đi {}, không đổi {}",
                c.improved, c.worsened, c.unchanged
            ))
        }
    }
}

async fn print_diagnostic(ctx: &Ctx, d: &Diagnostic) -> Result<(), CliError> {
    let colour = |v: i32| Colour::of(v).unwrap_or_default().short_name();
    if ctx.json() {
        return output::print_json(&json!({
            "name": d.name,
            "unit": d.unit,
            "period": d.period,
            "assessments": d.assessments.iter().map(|a| json!({
                "indicator": a.indicator, "colour": colour(a.colour), "note": a.note,
                "previous_colour": colour(a.previous_colour),
                "change": Change::of(a.change).unwrap_or_default().short_name(),
            })).collect::<Vec<_>>(),
        }));
    }
    let mut t = table(["Chỉ số", "Màu", "So với kỳ trước", "Ghi chú"]);
    for a in &d.assessments {
        let number = a.indicator.rsplit('/').next().unwrap_or_default().replace('-', ".");
        let compared = if a.change == 0 {
            String::new()
        } else {
            format!(
                "{} (kỳ trước {})",
                label_cell::<Change>(a.change, "change"),
                label_cell::<Colour>(a.previous_colour, "colour").to_lowercase()
            )
        };
        t.add_row(vec![
            number,
            label_cell::<Colour>(a.colour, "colour"),
            compared,
            a.note.clone(),
        ]);
    }
    let labels = Labels::of(ctx, [d.unit.as_str()]).await;
    output::print(&format!("{} ({}, {})", d.name, labels.label(&d.unit), d.period))?;
    output::print_table(&t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_indicator_is_one_whichever_way_it_is_spelled() {
        for typed in ["1.10", "1-10", "indicators/1-10", "indicators/1.10", " 1.10 "] {
            assert_eq!(indicator_name(typed), "indicators/1-10", "{typed}");
        }
    }

    #[test]
    fn planned_actions_are_read_from_one_flag() {
        let action = planned_action("Phân công cán bộ | users/abc | 14/06/2024").expect("valid");
        assert_eq!(action.owner, "users/abc");
        assert_eq!(action.due_date.map(|d| (d.year, d.month, d.day)), Some((2024, 6, 14)));
        assert!(planned_action("chỉ có mô tả").is_err());
    }
}
