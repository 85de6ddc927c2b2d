//! Internal audits (đánh giá nội bộ, ISO 9001 §9.2): a programme per year,
//! audits with scope, criteria by clause, auditees, subjects (the documents
//! and records examined), auditors and checklist, and their findings with
//! evidence links.
//!
//! Independence follows ISO 19011 §4: an auditor may not audit their own
//! work ([`own_work`]). Working in an auditee is no bar by itself, so that a
//! small office's trained staff can audit its processes.
//!
//! Columns: programmes — `unit`, `sort_key` the year. Audits — `parent` the
//! programme id, `unit` the programme's unit, `state`, `sort_key` the start
//! date. Findings — `parent` the audit id, `unit` the auditee, `kind` the
//! finding type.

use eiso_platform::aip::list::Spec;
use eiso_platform::aip::time::proto_date;
use eiso_platform::aip::{field_mask, names, text};
use eiso_platform::journal::{Begun, fingerprint};
use eiso_platform::links::{Contribution, Subject};
use eiso_platform::{CallContext, ServiceError, ServiceResult, Violations};
use eiso_proto::eiso::identity::v1::Role;
use eiso_proto::eiso::quality::v1 as pb;
use pb::audit::State;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, Query};

use crate::Quality;
use crate::common::{
    check_date, check_enum, clean_clause, clean_names, date_from_proto, date_key, effective_step, eq, required_text,
    today,
};
use crate::listing::{Field, List};
use crate::programmes;
use crate::store::{AUDIT_PROGRAMMES, AUDITS, FINDINGS, Row, stored};
use crate::write;

stored!(
    pb::AuditProgramme,
    AUDIT_PROGRAMMES,
    "quality.audit_programme",
    [etag, create_time, update_time]
);
stored!(pb::Audit, AUDITS, "quality.audit", [etag, create_time, update_time]);
stored!(
    pb::Finding,
    FINDINGS,
    "quality.finding",
    [etag, create_time, update_time],
    name = |row| format!("audits/{}/findings/{}", row.parent, row.id)
);

/// `audits/{a}/findings/{f}` → (a, f).
pub fn parse_finding(name: &str, field: &str) -> ServiceResult<(String, String)> {
    let bad = || ServiceError::invalid(field, "expected `audits/{id}/findings/{id}`");
    let (audit, finding) = name.split_once("/findings/").ok_or_else(bad)?;
    let audit = names::parse(audit, "audits", field).map_err(|_| bad())?;
    if !names::valid_id(finding) {
        return Err(bad());
    }
    Ok((audit, finding.to_string()))
}

/// Whether a finding type needs a corrective action.
pub fn is_nonconformity(kind: i32) -> bool {
    kind == pb::FindingType::MajorNonconformity as i32 || kind == pb::FindingType::MinorNonconformity as i32
}

/// ListAuditProgrammes.
pub(crate) const LIST_PROGRAMMES: List<pb::AuditProgramme> = programmes::list();
/// ListAudits: by programme, state and unit; by start date (default) or
/// creation.
pub(crate) const LIST_AUDITS: List<pb::Audit> = List::new(
    Spec::new(
        &["programme", "state", "unit"],
        &["start_date", "create_time"],
        "start_date",
    ),
    &[
        ("programme", Field::Id("parent", "auditProgrammes")),
        ("state", Field::state(|s| State::from_str_name(s).map(i32::from))),
        ("unit", Field::Text("unit")),
    ],
    &[("start_date", "sort_key")],
);
/// ListFindings: by type and auditee; by creation.
pub(crate) const LIST_FINDINGS: List<pb::Finding> = List::new(
    Spec::new(&["type", "auditee"], &["create_time"], "create_time"),
    &[
        (
            "type",
            Field::enumeration("kind", "FINDING_TYPE_", "finding type", |s| {
                pb::FindingType::from_str_name(s).map(i32::from)
            }),
        ),
        ("auditee", Field::Text("unit")),
    ],
    &[],
);

const AUDIT_FIELDS: [&str; 9] = [
    "title",
    "scope",
    "criteria",
    "auditees",
    "auditors",
    "subjects",
    "start_date",
    "end_date",
    "checklist",
];

impl Quality {
    pub async fn create_audit_programme(
        &self,
        ctx: &CallContext,
        request: pb::CreateAuditProgrammeRequest,
    ) -> ServiceResult<pb::AuditProgramme> {
        let print = fingerprint(&request);
        let input = request.programme.unwrap_or_default();
        let mut v = Violations::new();
        let title = text::clean(&mut v, "programme.title", &input.title, true, 500);
        let objectives = text::clean(&mut v, "programme.objectives", &input.objectives, false, 10_000);
        programmes::check_unit_and_year(&mut v, &input.unit, input.year);
        v.check()?;
        self.check_programme_unit(ctx, &input.unit).await?;
        let tx = match self.journal.begin_idempotent::<pb::AuditProgramme>(ctx, &print).await? {
            Begun::Fresh(tx) => *tx,
            Begun::Replayed(done) => return Ok(done),
        };
        let programme = pb::AuditProgramme {
            unit: input.unit.clone(),
            year: input.year,
            title,
            objectives,
            ..Default::default()
        };
        let row = programmes::new_row(programme, input.unit, input.year, self.clock.now());
        write::create(tx, &row).await
    }

    pub async fn get_audit_programme(
        &self,
        ctx: &CallContext,
        request: pb::GetAuditProgrammeRequest,
    ) -> ServiceResult<pb::AuditProgramme> {
        self.get(ctx, &request.name).await
    }

    pub async fn list_audit_programmes(
        &self,
        ctx: &CallContext,
        request: pb::ListAuditProgrammesRequest,
    ) -> ServiceResult<pb::ListAuditProgrammesResponse> {
        let (rows, next_page_token) = self.page_in_scope(ctx, &LIST_PROGRAMMES, &request).await?;
        Ok(pb::ListAuditProgrammesResponse {
            programmes: rows.iter().map(Row::answer).collect(),
            next_page_token,
        })
    }

    /// Checks and normalises an audit's content (the fields of [`AUDIT_FIELDS`]).
    fn clean_audit(&self, input: &pb::Audit) -> ServiceResult<pb::Audit> {
        let mut v = Violations::new();
        let title = text::clean(&mut v, "audit.title", &input.title, true, 500);
        let scope = text::clean(&mut v, "audit.scope", &input.scope, true, 5000);
        let mut criteria: Vec<String> = Vec::new();
        for (i, clause) in input.criteria.iter().enumerate() {
            let clause = clean_clause(&mut v, &format!("audit.criteria[{i}]"), clause, true);
            if !criteria.contains(&clause) {
                criteria.push(clause);
            }
        }
        if input.criteria.is_empty() {
            v.add("audit.criteria", "needs at least one ISO 9001 clause");
        }
        let auditees = clean_names(&mut v, &input.auditees, "units", "audit.auditees", true);
        let auditors = clean_names(&mut v, &input.auditors, "users", "audit.auditors", true);
        let subjects = clean_subjects(&mut v, &input.subjects);
        let start = check_date(&mut v, input.start_date.as_ref(), "audit.start_date");
        let end = check_date(&mut v, input.end_date.as_ref(), "audit.end_date");
        if let (Some(s), Some(e)) = (start, end)
            && e < s
        {
            v.add("audit.end_date", "must not be before start_date");
        }
        let mut checklist = Vec::new();
        for (i, item) in input.checklist.iter().enumerate() {
            let f = format!("audit.checklist[{i}]");
            let clause = clean_clause(&mut v, &format!("{f}.clause"), &item.clause, true);
            let question = text::clean(&mut v, &format!("{f}.question"), &item.question, true, 2000);
            check_enum::<pb::ChecklistResult>(&mut v, &format!("{f}.result"), item.result, false);
            let note = text::clean(&mut v, &format!("{f}.note"), &item.note, false, 5000);
            checklist.push(pb::ChecklistItem {
                clause,
                question,
                result: item.result,
                note,
            });
        }
        if input.checklist.len() > 500 {
            v.add("audit.checklist", "has more than 500 questions");
        }
        v.check()?;
        Ok(pb::Audit {
            title,
            scope,
            criteria,
            auditees,
            auditors,
            subjects,
            start_date: start.map(proto_date),
            end_date: end.map(proto_date),
            checklist,
            ..Default::default()
        })
    }

    /// The auditees exist and lie within the programme's unit; the subjects
    /// exist, are visible to the caller and belong to a unit within it; the
    /// auditors exist and none audits their own work ([`own_work`]).
    async fn check_audit_people(
        &self,
        ctx: &CallContext,
        programme_unit: &str,
        audit: &pb::Audit,
    ) -> ServiceResult<()> {
        for (i, auditee) in audit.auditees.iter().enumerate() {
            let field = format!("audit.auditees[{i}]");
            self.check_unit(auditee, &field).await?;
            if !self
                .directory
                .ancestors(auditee)
                .await?
                .iter()
                .any(|a| a == programme_unit)
            {
                return Err(ServiceError::invalid(
                    field,
                    format!("{auditee} is outside {programme_unit}, the programme's unit"),
                ));
            }
        }
        for (i, auditor) in audit.auditors.iter().enumerate() {
            self.check_user(auditor, &format!("audit.auditors[{i}]")).await?;
        }
        let mut subjects = Vec::new();
        for (i, name) in audit.subjects.iter().enumerate() {
            let field = format!("audit.subjects[{i}]");
            let subject = self.links.subject(ctx, name, &field).await?;
            if !self
                .directory
                .ancestors(&subject.owner_unit)
                .await?
                .iter()
                .any(|a| a == programme_unit)
            {
                return Err(ServiceError::invalid(
                    field,
                    format!(
                        "{name} belongs to {}, outside {programme_unit}, the programme's unit",
                        subject.owner_unit
                    ),
                ));
            }
            subjects.push(subject);
        }
        // The units whose processes the audit examines, each with the units
        // above it (a leader bound there answers for it too).
        let mut examined = Vec::new();
        let owners = subjects.iter().map(|s| (&s.owner_unit, Some(s.name.as_str())));
        for (unit, subject) in audit.auditees.iter().map(|a| (a, None)).chain(owners) {
            examined.push(Examined {
                unit: unit.clone(),
                subject: subject.map(str::to_string),
                above: self.directory.ancestors(unit).await?,
            });
        }
        for auditor in &audit.auditors {
            let bindings = self.directory.bindings(auditor).await?;
            if let Some(own) = own_work(auditor, &bindings, &subjects, &examined) {
                return Err(ServiceError::precondition(
                    "AUDITOR_NOT_INDEPENDENT",
                    auditor.clone(),
                    format!("{}: {OWN_WORK_RULE}", own.describe(auditor)),
                ));
            }
        }
        Ok(())
    }

    pub async fn create_audit(&self, ctx: &CallContext, request: pb::CreateAuditRequest) -> ServiceResult<pb::Audit> {
        let print = fingerprint(&request);
        let input = request.audit.unwrap_or_default();
        let programme_id = names::parse(&input.programme, "auditProgrammes", "audit.programme")?;
        let content = self.clean_audit(&input)?;
        let programme: Row<pb::AuditProgramme> = self
            .programme_to_plan_in(ctx, &programme_id, &input.programme, "audit.programme")
            .await?;
        self.check_audit_people(ctx, &programme.message.unit, &content).await?;
        let tx = match self.journal.begin_idempotent::<pb::Audit>(ctx, &print).await? {
            Begun::Fresh(tx) => *tx,
            Begun::Replayed(done) => return Ok(done),
        };
        let now = self.clock.now();
        let mut row = Row::new(
            names::new_id(),
            pb::Audit {
                programme: format!("auditProgrammes/{programme_id}"),
                state: State::Planned as i32,
                ..content
            },
            now,
        );
        row.parent = programme_id;
        row.unit = programme.message.unit.clone();
        row.state = State::Planned as i32;
        row.sort_key = start_key(&row.message);
        write::create(tx, &row).await
    }

    pub async fn get_audit(&self, ctx: &CallContext, request: pb::GetAuditRequest) -> ServiceResult<pb::Audit> {
        self.get(ctx, &request.name).await
    }

    pub async fn list_audits(
        &self,
        ctx: &CallContext,
        request: pb::ListAuditsRequest,
    ) -> ServiceResult<pb::ListAuditsResponse> {
        let (rows, next_page_token) = self.page_in_scope(ctx, &LIST_AUDITS, &request).await?;
        Ok(pb::ListAuditsResponse {
            audits: rows.iter().map(Row::answer).collect(),
            next_page_token,
        })
    }

    pub async fn update_audit(&self, ctx: &CallContext, request: pb::UpdateAuditRequest) -> ServiceResult<pb::Audit> {
        let input = request.audit.unwrap_or_default();
        let id = names::parse(&input.name, "audits", "audit.name")?;
        let paths = field_mask::paths(request.update_mask.as_ref(), &AUDIT_FIELDS)?;
        let (tx, mut row) = self.begin_change::<pb::Audit>(ctx, &id, &request.etag).await?;
        if row.state == State::Completed as i32 {
            return Err(ServiceError::precondition(
                "AUDIT_COMPLETED",
                format!("audits/{id}"),
                format!("audits/{id} is completed and cannot change"),
            ));
        }
        let mut merged = row.message.clone();
        for path in &paths {
            match *path {
                "title" => merged.title = input.title.clone(),
                "scope" => merged.scope = input.scope.clone(),
                "criteria" => merged.criteria = input.criteria.clone(),
                "auditees" => merged.auditees = input.auditees.clone(),
                "auditors" => merged.auditors = input.auditors.clone(),
                "subjects" => merged.subjects = input.subjects.clone(),
                "start_date" => merged.start_date = input.start_date,
                "end_date" => merged.end_date = input.end_date,
                _ => merged.checklist = input.checklist.clone(),
            }
        }
        let content = self.clean_audit(&merged)?;
        if paths.iter().any(|p| matches!(*p, "auditees" | "auditors" | "subjects")) {
            self.check_audit_people(ctx, &row.unit, &content).await?;
        }
        row.message = pb::Audit {
            programme: row.message.programme.clone(),
            state: row.message.state,
            finding_count: row.message.finding_count,
            conclusion: row.message.conclusion.clone(),
            ..content
        };
        row.sort_key = start_key(&row.message);
        self.commit_change(tx, row, "updated").await
    }

    pub async fn start_audit(&self, ctx: &CallContext, request: pb::StartAuditRequest) -> ServiceResult<pb::Audit> {
        let id = names::parse(&request.name, "audits", "name")?;
        let started = effective_step(
            request.effective_date.as_ref(),
            &request.reason,
            today(self.clock.now()),
            None,
        )?;
        let ctx = &started.audited(ctx);
        let (tx, mut row) = self.begin_change::<pb::Audit>(ctx, &id, &request.etag).await?;
        row.require_state(State::Planned as i32, "AUDIT_NOT_PLANNED", "has already started")?;
        row.state = State::InProgress as i32;
        row.message.state = row.state;
        row.message.started_date = Some(proto_date(started.day));
        self.commit_change(tx, row, "started").await
    }

    pub async fn complete_audit(
        &self,
        ctx: &CallContext,
        request: pb::CompleteAuditRequest,
    ) -> ServiceResult<pb::Audit> {
        let id = names::parse(&request.name, "audits", "name")?;
        let conclusion = required_text("conclusion", &request.conclusion, 20_000)?;
        let current: Row<pb::Audit> = self.checked(ctx, self.journal.db().reader(), &id).await?;
        let started = current
            .message
            .started_date
            .as_ref()
            .and_then(|d| date_from_proto(Some(d), "started_date").ok());
        let completed = effective_step(
            request.effective_date.as_ref(),
            &request.reason,
            today(self.clock.now()),
            started.map(|day| (day, "the day the audit started")),
        )?;
        let ctx = &completed.audited(ctx);
        let (tx, mut row) = self.begin_change::<pb::Audit>(ctx, &id, &request.etag).await?;
        row.require_state(State::InProgress as i32, "AUDIT_NOT_IN_PROGRESS", "is not in progress")?;
        row.message.completed_date = Some(proto_date(completed.day));
        let findings: Vec<Row<pb::Finding>> = FINDINGS
            .list(tx.txn(), vec![eq("parent", id.clone())], &[], None, 0)
            .await?;
        let without: Vec<String> = findings
            .iter()
            .filter(|f| is_nonconformity(f.kind) && f.message.corrective_action.is_empty())
            .map(|f| format!("audits/{id}/findings/{}", f.id))
            .collect();
        if !without.is_empty() {
            return Err(ServiceError::precondition(
                "NONCONFORMITY_WITHOUT_CORRECTIVE_ACTION",
                format!("audits/{id}"),
                format!(
                    "open a corrective action for each nonconformity before completing the audit: {}",
                    without.join(", ")
                ),
            ));
        }
        row.state = State::Completed as i32;
        row.message.state = row.state;
        row.message.conclusion = conclusion;
        self.commit_change(tx, row, "completed").await
    }

    /// Checks a finding's content against its audit; resolves its evidence.
    async fn clean_finding(
        &self,
        ctx: &CallContext,
        audit: &pb::Audit,
        input: &pb::Finding,
        evidence: bool,
    ) -> ServiceResult<pb::Finding> {
        let mut v = Violations::new();
        check_enum::<pb::FindingType>(&mut v, "finding.type", input.r#type, true);
        let clause = clean_clause(&mut v, "finding.clause", &input.clause, true);
        let statement = text::clean(&mut v, "finding.statement", &input.statement, true, 10_000);
        if input.auditee.is_empty() {
            v.add("finding.auditee", "is required");
        } else if !audit.auditees.contains(&input.auditee) {
            v.add(
                "finding.auditee",
                format!("{} is not an auditee of the audit", input.auditee),
            );
        }
        v.check()?;
        let names: Vec<String> = input.evidence.iter().map(|e| e.name.clone()).collect();
        let evidence = if evidence {
            self.resolve_evidence(ctx, &names, "finding.evidence").await?
        } else {
            Vec::new()
        };
        Ok(pb::Finding {
            r#type: input.r#type,
            clause,
            statement,
            auditee: input.auditee.clone(),
            evidence,
            ..Default::default()
        })
    }

    pub async fn create_finding(
        &self,
        ctx: &CallContext,
        request: pb::CreateFindingRequest,
    ) -> ServiceResult<pb::Finding> {
        let print = fingerprint(&request);
        let audit_id = names::parse(&request.parent, "audits", "parent")?;
        let input = request.finding.unwrap_or_default();
        let audit: Row<pb::Audit> = self.checked(ctx, self.journal.db().reader(), &audit_id).await?;
        let content = self.clean_finding(ctx, &audit.message, &input, true).await?;
        if let Some(done) = self.journal.replay::<pb::Finding>(ctx, &print).await? {
            return Ok(done);
        }
        if !audit.message.auditors.contains(&ctx.principal.name) {
            return Err(ServiceError::PermissionDenied(format!(
                "only the auditors of {} record its findings",
                request.parent
            )));
        }
        let mut tx = match self.journal.begin_idempotent::<pb::Finding>(ctx, &print).await? {
            Begun::Fresh(tx) => *tx,
            Begun::Replayed(done) => return Ok(done),
        };
        let mut audit: Row<pb::Audit> = AUDITS.get(tx.txn(), &audit_id).await?;
        audit.require_state(
            State::InProgress as i32,
            "AUDIT_NOT_IN_PROGRESS",
            "is not in progress: start it to record findings",
        )?;
        let now = self.clock.now();
        let mut row = Row::new(
            names::new_id(),
            pb::Finding {
                author: ctx.principal.name.clone(),
                ..content
            },
            now,
        );
        row.parent = audit_id;
        row.unit = row.message.auditee.clone();
        row.kind = row.message.r#type;
        let finding = write::insert(&mut tx, &row).await?;
        audit.message.finding_count += 1;
        write::save(&mut tx, &mut audit, now, "updated").await?;
        tx.commit_idempotent(finding).await
    }

    pub async fn get_finding(&self, ctx: &CallContext, request: pb::GetFindingRequest) -> ServiceResult<pb::Finding> {
        let (audit, id) = parse_finding(&request.name, "name")?;
        let db = self.journal.db().reader();
        let row = self.checked_finding(ctx, db, &audit, &id, &request.name).await?;
        Ok(self.shown(ctx, row.answer()).await)
    }

    /// The finding `audit_id`/`id` (`name`) after the platform's check for
    /// the caller's method (a finding belongs to its audit's unit). One that
    /// does not exist and one the caller may not read are both NOT_FOUND
    /// naming `name`.
    async fn checked_finding(
        &self,
        ctx: &CallContext,
        db: &impl ConnectionTrait,
        audit_id: &str,
        id: &str,
        name: &str,
    ) -> ServiceResult<Row<pb::Finding>> {
        let missing = || ServiceError::NotFound(name.to_string());
        let audit: Row<pb::Audit> = AUDITS.find(db, audit_id).await?.ok_or_else(missing)?;
        let row: Row<pb::Finding> = FINDINGS
            .find(db, id)
            .await?
            .filter(|f| f.parent == audit_id)
            .ok_or_else(missing)?;
        self.authorize(ctx, &audit.unit, name).await?;
        Ok(row)
    }

    pub async fn list_findings(
        &self,
        ctx: &CallContext,
        request: pb::ListFindingsRequest,
    ) -> ServiceResult<pb::ListFindingsResponse> {
        let listing = LIST_FINDINGS.read_under(&request.parent, &request)?;
        let mut within = Vec::new();
        if request.parent != "audits/-" {
            within.push(eq("parent", names::parse(&request.parent, "audits", "parent")?));
        }
        // Findings of the audits the caller reads.
        if let Some(covered) = self.method_scope(ctx).await?.condition("unit") {
            within.push(
                Expr::col("parent").in_subquery(
                    Query::select()
                        .column("id")
                        .from(AUDITS.name)
                        .and_where(covered)
                        .to_owned(),
                ),
            );
        }
        let (rows, next_page_token) = LIST_FINDINGS.page(self.journal.db().reader(), &listing, within).await?;
        Ok(pb::ListFindingsResponse {
            findings: self.shown_rows(ctx, &rows).await,
            next_page_token,
        })
    }

    pub async fn update_finding(
        &self,
        ctx: &CallContext,
        request: pb::UpdateFindingRequest,
    ) -> ServiceResult<pb::Finding> {
        let input = request.finding.unwrap_or_default();
        let (audit_id, id) = parse_finding(&input.name, "finding.name")?;
        let paths = field_mask::paths(
            request.update_mask.as_ref(),
            &["type", "clause", "statement", "auditee", "evidence"],
        )?;
        let db = self.journal.db().reader();
        let current = self.checked_finding(ctx, db, &audit_id, &id, &input.name).await?;
        let audit: Row<pb::Audit> = AUDITS.get(db, &audit_id).await?;
        let mut merged = current.message.clone();
        for path in &paths {
            match *path {
                "type" => merged.r#type = input.r#type,
                "clause" => merged.clause = input.clause.clone(),
                "statement" => merged.statement = input.statement.clone(),
                "auditee" => merged.auditee = input.auditee.clone(),
                _ => merged.evidence = input.evidence.clone(),
            }
        }
        let relink = paths.contains(&"evidence");
        let mut content = self.clean_finding(ctx, &audit.message, &merged, relink).await?;
        if !relink {
            content.evidence = current.message.evidence.clone();
        }
        let tx = self.journal.begin(ctx).await?;
        let audit: Row<pb::Audit> = AUDITS.get(tx.txn(), &audit_id).await?;
        let mut row: Row<pb::Finding> = FINDINGS.get(tx.txn(), &id).await?;
        row.check_etag(&request.etag)?;
        if audit.state == State::Completed as i32 {
            return Err(ServiceError::precondition(
                "AUDIT_COMPLETED",
                format!("audits/{audit_id}"),
                format!("audits/{audit_id} is completed: its findings cannot change"),
            ));
        }
        if !row.message.corrective_action.is_empty() && !is_nonconformity(content.r#type) {
            return Err(ServiceError::precondition(
                "FINDING_HAS_CORRECTIVE_ACTION",
                input.name.clone(),
                format!(
                    "{} has corrective action {}: it stays a nonconformity",
                    input.name, row.message.corrective_action
                ),
            ));
        }
        row.message = pb::Finding {
            corrective_action: row.message.corrective_action.clone(),
            author: row.message.author.clone(),
            ..content
        };
        row.unit = row.message.auditee.clone();
        row.kind = row.message.r#type;
        let finding = self.commit_change(tx, row, "updated").await?;
        Ok(self.shown(ctx, finding).await)
    }
}

/// The most subjects one audit examines.
const MAX_SUBJECTS: usize = 100;

/// Cleans an audit's subjects: trimmed, each `documents/{id}` or
/// `records/{id}`, no repeats.
fn clean_subjects(v: &mut Violations, items: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let field = format!("audit.subjects[{i}]");
        let item = item.trim().to_string();
        if !["documents", "records"]
            .iter()
            .any(|collection| names::parse(&item, collection, &field).is_ok())
        {
            v.add(field, "must be `documents/{id}` or `records/{id}`");
        } else if out.contains(&item) {
            v.add(field, format!("{item} is listed twice"));
        } else {
            out.push(item);
        }
    }
    if items.len() > MAX_SUBJECTS {
        v.add("audit.subjects", format!("has more than {MAX_SUBJECTS} entries"));
    }
    out
}

/// The rule an AUDITOR_NOT_INDEPENDENT refusal quotes.
const OWN_WORK_RULE: &str = "an auditor may not audit their own work (ISO 19011 §4 / ISO 9001 §9.2.2 c)";

/// A unit whose processes an audit examines: an auditee, or the owner of
/// one of its subjects.
#[derive(Debug, Clone)]
struct Examined {
    unit: String,
    /// The subject it owns; `None` for an auditee.
    subject: Option<String>,
    /// `unit` and the units above it, nearest first.
    above: Vec<String>,
}

/// Why auditing would be an auditor's own work.
#[derive(Debug, Clone, PartialEq, Eq)]
enum OwnWork {
    /// They made the subject what it is.
    Contributed {
        subject: String,
        contribution: Contribution,
    },
    /// They hold the leader role at `at`, which covers `unit`: an auditee,
    /// or the owner of `subject`.
    Leads {
        at: String,
        unit: String,
        subject: Option<String>,
    },
}

impl OwnWork {
    /// What the auditor did, for the refusal's message.
    fn describe(&self, auditor: &str) -> String {
        match self {
            Self::Contributed { subject, contribution } => {
                let did = match contribution {
                    Contribution::Authored(n) => format!("authored revision {n} of {subject}"),
                    Contribution::Approved(n) => {
                        format!("approved revision {n} of {subject}, its effective revision,")
                    }
                    Contribution::Filed => format!("filed {subject}"),
                    Contribution::Revised(n) => format!("revised {subject} (its revision {n})"),
                };
                format!("{auditor} {did} which this audit examines")
            }
            Self::Leads { at, unit, subject } => {
                let lead = if at == unit {
                    format!("{auditor} is a leader of {unit}")
                } else {
                    format!("{auditor} is a leader at {at}, above {unit}")
                };
                match subject {
                    None => format!("{lead}, an auditee of this audit, and answers for its processes"),
                    Some(subject) => format!("{lead}, which owns {subject}, and answers for what this audit examines"),
                }
            }
        }
    }
}

/// Whether auditing `subjects` and the `examined` units would be
/// `auditor`'s own work (ISO 19011 §4; ISO 9001 §9.2.2 c): they wrote a
/// subject's revision, approved its effective one, filed or revised a
/// subject record, or hold the leader role (per `bindings`) at or above an
/// examined unit. Holding another role in an auditee is no bar.
fn own_work(
    auditor: &str,
    bindings: &[(Role, String)],
    subjects: &[Subject],
    examined: &[Examined],
) -> Option<OwnWork> {
    let contributed = subjects.iter().find_map(|subject| {
        subject
            .contributors
            .iter()
            .find(|(who, _)| who == auditor)
            .map(|(_, contribution)| OwnWork::Contributed {
                subject: subject.name.clone(),
                contribution: *contribution,
            })
    });
    contributed.or_else(|| {
        examined.iter().find_map(|e| {
            bindings
                .iter()
                .filter(|(role, _)| *role == Role::Leader)
                .find(|(_, at)| e.above.contains(at))
                .map(|(_, at)| OwnWork::Leads {
                    at: at.clone(),
                    unit: e.unit.clone(),
                    subject: e.subject.clone(),
                })
        })
    })
}

fn start_key(audit: &pb::Audit) -> String {
    audit
        .start_date
        .as_ref()
        .and_then(|d| crate::common::date_from_proto(Some(d), "start_date").ok())
        .map(date_key)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn document(contributors: &[(&str, Contribution)]) -> Subject {
        Subject {
            name: "documents/qt-01".into(),
            kind: "document".into(),
            owner_unit: "units/office".into(),
            contributors: contributors.iter().map(|(u, c)| (u.to_string(), *c)).collect(),
        }
    }

    /// The one-unit office under its district, audited as itself.
    fn office() -> Vec<Examined> {
        vec![Examined {
            unit: "units/office".into(),
            subject: None,
            above: vec!["units/office".into(), "units/district".into()],
        }]
    }

    #[test]
    fn staff_of_the_auditee_audit_what_is_not_their_own_work() {
        let subjects = [document(&[
            ("users/author", Contribution::Authored(1)),
            ("users/approver", Contribution::Approved(1)),
        ])];
        let staff = [
            (Role::CounterStaff, "units/office".to_string()),
            (Role::InternalAuditor, "units/office".to_string()),
        ];
        assert_eq!(own_work("users/staff", &staff, &subjects, &office()), None);
    }

    #[test]
    fn authors_approvers_filers_and_revisers_audit_their_own_work() {
        let subjects = [
            document(&[
                ("users/author", Contribution::Authored(2)),
                ("users/approver", Contribution::Approved(2)),
            ]),
            Subject {
                name: "records/so-01".into(),
                kind: "record".into(),
                owner_unit: "units/office".into(),
                contributors: vec![
                    ("users/filer".into(), Contribution::Filed),
                    ("users/reviser".into(), Contribution::Revised(2)),
                ],
            },
        ];
        for (who, subject, contribution, says) in [
            (
                "users/author",
                "documents/qt-01",
                Contribution::Authored(2),
                "users/author authored revision 2 of documents/qt-01 which",
            ),
            (
                "users/approver",
                "documents/qt-01",
                Contribution::Approved(2),
                "approved revision 2 of documents/qt-01, its effective revision,",
            ),
            (
                "users/filer",
                "records/so-01",
                Contribution::Filed,
                "filed records/so-01",
            ),
            (
                "users/reviser",
                "records/so-01",
                Contribution::Revised(2),
                "revised records/so-01 (its revision 2)",
            ),
        ] {
            let own = own_work(who, &[], &subjects, &office());
            assert_eq!(
                own,
                Some(OwnWork::Contributed {
                    subject: subject.into(),
                    contribution
                })
            );
            let message = own.map(|o| o.describe(who)).unwrap_or_default();
            assert!(message.contains(says), "{message}");
        }
    }

    #[test]
    fn a_leader_at_or_above_an_examined_unit_answers_for_its_processes() {
        let at_office = [(Role::Leader, "units/office".to_string())];
        let own = own_work("users/head", &at_office, &[], &office());
        assert_eq!(
            own,
            Some(OwnWork::Leads {
                at: "units/office".into(),
                unit: "units/office".into(),
                subject: None
            })
        );
        let message = own.map(|o| o.describe("users/head")).unwrap_or_default();
        assert!(
            message.contains("users/head is a leader of units/office, an auditee"),
            "{message}"
        );

        let above = [(Role::Leader, "units/district".to_string())];
        assert!(own_work("users/chair", &above, &[], &office()).is_some());
        // A leader beside the office, or one below it, does not answer for it.
        let beside = [
            (Role::Leader, "units/school".to_string()),
            (Role::InternalAuditor, "units/office".to_string()),
        ];
        assert_eq!(own_work("users/other", &beside, &[], &office()), None);
    }

    #[test]
    fn a_leader_of_a_subjects_owner_answers_for_the_subject() {
        let examined = [Examined {
            unit: "units/school".into(),
            subject: Some("documents/qt-01".into()),
            above: vec!["units/school".into(), "units/office".into()],
        }];
        let at_school = [(Role::Leader, "units/school".to_string())];
        let message = own_work("users/head", &at_school, &[], &examined)
            .map(|o| o.describe("users/head"))
            .unwrap_or_default();
        assert!(message.contains("which owns documents/qt-01"), "{message}");
    }

    #[test]
    fn subjects_are_documents_or_records_listed_once() {
        let mut v = Violations::new();
        let subjects = clean_subjects(
            &mut v,
            &[" documents/a ".into(), "records/b".into(), "documents/a".into()],
        );
        assert_eq!(subjects, ["documents/a", "records/b"]);
        let error = v.check().unwrap_err();
        assert!(format!("{error:?}").contains("audit.subjects[2]"), "{error:?}");
        let mut v = Violations::new();
        clean_subjects(&mut v, &["dossiers/c".into(), "documents/a/revisions/1".into()]);
        let error = format!("{:?}", v.check().unwrap_err());
        assert!(
            error.contains("audit.subjects[0]") && error.contains("audit.subjects[1]"),
            "{error}"
        );
    }
}
