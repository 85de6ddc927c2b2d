//! The procedures catalogue: procedures and their versions. A dossier keeps
//! the version it was received under; publishing a new version changes
//! nothing that is running.

use chrono::Utc;
use eiso_platform::aip::enums::check as check_enum;
use eiso_platform::aip::filter::Condition;
use eiso_platform::aip::{etag, list, names, text};
use eiso_platform::journal::{Begun, fingerprint};
use eiso_platform::scope::Scope;
use eiso_platform::{CallContext, NewEvent, ServiceError, ServiceResult, Violations};
use eiso_proto::eiso::procedures::v1 as pb;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, Query, SimpleExpr};

use crate::Procedures;
use crate::convert::processing_time_from_proto;
use crate::rows::{PROCEDURE_COLUMNS, ProcedureRow, VersionRow, procedures, versions};

/// National procedure codes: `2.002481`, `1.001234.000.00.00.H31`.
pub fn valid_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= 40
        && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.')
        && !code.starts_with('.')
        && !code.ends_with('.')
}

/// `procedures/{code}` → code.
pub fn parse_procedure(name: &str, field: &str) -> ServiceResult<String> {
    match name.strip_prefix("procedures/") {
        Some(code) if valid_code(code) => Ok(code.to_string()),
        _ => Err(ServiceError::invalid(
            field,
            "expected `procedures/{national code}`, e.g. `procedures/2.002481`",
        )),
    }
}

/// `procedures/{code}/versions/{n}` → (code, n).
pub fn parse_version(name: &str, field: &str) -> ServiceResult<(String, i32)> {
    let bad = || ServiceError::invalid(field, "expected `procedures/{code}/versions/{number}`");
    let (procedure, number) = name.split_once("/versions/").ok_or_else(bad)?;
    let number: i32 = number.parse().map_err(|_| bad())?;
    if number < 1 {
        return Err(bad());
    }
    Ok((parse_procedure(procedure, field)?, number))
}

/// The most steps, required documents, fees and legal bases a procedure
/// version may list: a draft's size is bounded (real procedures have a few
/// of each; a thousand is a mistake or an attack).
pub const MAX_STEPS: usize = 50;
pub const MAX_REQUIRED_DOCUMENTS: usize = 100;
pub const MAX_FEES: usize = 50;
pub const MAX_LEGAL_BASIS: usize = 50;
/// The most characters of a resource name in a version (agency, process document).
const MAX_NAME_CHARS: usize = 200;

/// INVALID_ARGUMENT naming each list of `input` that is longer than its bound.
fn check_counts(input: &pb::ProcedureVersion, prefix: &str) -> ServiceResult<()> {
    let mut v = Violations::new();
    for (field, count, max) in [
        ("steps", input.steps.len(), MAX_STEPS),
        (
            "required_documents",
            input.required_documents.len(),
            MAX_REQUIRED_DOCUMENTS,
        ),
        ("fees", input.fees.len(), MAX_FEES),
        ("legal_basis", input.legal_basis.len(), MAX_LEGAL_BASIS),
    ] {
        if count > max {
            v.add(
                format!("{prefix}.{field}"),
                format!("has {count} entries; at most {max} are allowed"),
            );
        }
    }
    for (field, value) in [("agency", &input.agency), ("process_document", &input.process_document)] {
        if value.chars().count() > MAX_NAME_CHARS {
            v.add(
                format!("{prefix}.{field}"),
                format!("is longer than {MAX_NAME_CHARS} characters"),
            );
        }
    }
    v.check()
}

/// ListProcedures: filters on the columns of the version shown, in pages of
/// 50 (1,000 at most).
const LIST: list::Spec = list::Spec::new(&["state", "field", "agency", "level"], &["code", "update_time"], "code");

/// The SQL of a filter condition on the catalogue (ListProcedures,
/// ExportProcedures): enum values by name ([`list::enum_value`]).
pub(crate) fn procedure_condition(condition: &Condition) -> ServiceResult<SimpleExpr> {
    let value = &condition.value;
    Ok(match condition.field.as_str() {
        "state" => Expr::col("state").eq(list::enum_value(
            value,
            "STATE_",
            "state",
            pb::procedure::State::from_str_name,
        )?),
        "field" => Expr::col("field").eq(value.clone()),
        "agency" => Expr::col("agency").eq(value.clone()),
        _ => Expr::col("level").eq(list::enum_value(
            value,
            "PROCEDURE_LEVEL_",
            "level",
            pb::ProcedureLevel::from_str_name,
        )?),
    })
}

impl Procedures {
    /// The check of a change to `procedure`: the method's roles must cover
    /// the agency that performs it now. The catalogue is public, so a caller
    /// outside is told PERMISSION_DENIED.
    async fn authorize_procedure(&self, ctx: &CallContext, procedure: &ProcedureRow) -> ServiceResult<()> {
        Scope::of_method(self.directory.as_ref(), ctx)
            .await?
            .require(&procedure.agency, &procedure.name())
    }

    /// PERMISSION_DENIED unless the method's roles cover `agency`, the agency
    /// a write creates a procedure at or moves it to (`what` names the field).
    async fn require_agency(&self, ctx: &CallContext, agency: &str, what: &str) -> ServiceResult<()> {
        Scope::of_method(self.directory.as_ref(), ctx)
            .await?
            .require(agency, what)
    }

    /// Checks and normalises a version's content; keeps only content fields.
    async fn clean_content(&self, input: &pb::ProcedureVersion, prefix: &str) -> ServiceResult<pb::ProcedureVersion> {
        // Counts first: a list of 100,000 entries is refused as one problem,
        // not checked entry by entry.
        check_counts(input, prefix)?;
        let mut v = Violations::new();
        let f = |name: &str| format!("{prefix}.{name}");
        let display_name = text::clean(&mut v, &f("display_name"), &input.display_name, true, 500);
        let field = text::clean(&mut v, &f("field"), &input.field, true, 200);
        check_enum::<pb::ProcedureLevel>(&mut v, &f("level"), input.level, true);
        check_enum::<pb::SupplementMode>(&mut v, &f("supplement_mode"), input.supplement_mode, false);
        check_enum::<pb::OnlineLevel>(&mut v, &f("online_level"), input.online_level, false);
        if let Err(ServiceError::InvalidArgument(errors)) =
            processing_time_from_proto(input.processing_time.as_ref(), &f("processing_time"))
        {
            for e in errors {
                v.add(e.field, e.description);
            }
        }
        let mut steps = Vec::new();
        for (i, step) in input.steps.iter().enumerate() {
            let sf = f(&format!("steps[{i}]"));
            let display_name = text::clean(&mut v, &format!("{sf}.display_name"), &step.display_name, true, 300);
            let handler = text::clean(&mut v, &format!("{sf}.handler"), &step.handler, false, 300);
            if !(1..=2920).contains(&step.working_hours) {
                v.add(format!("{sf}.working_hours"), "must be between 1 and 2920");
            }
            steps.push(pb::ProcedureStep {
                display_name,
                handler,
                working_hours: step.working_hours,
            });
        }
        let mut documents = Vec::new();
        for (i, doc) in input.required_documents.iter().enumerate() {
            let df = f(&format!("required_documents[{i}]"));
            let display_name = text::clean(&mut v, &format!("{df}.display_name"), &doc.display_name, true, 500);
            check_enum::<pb::CopyKind>(&mut v, &format!("{df}.copy_kind"), doc.copy_kind, true);
            if !(1..=100).contains(&doc.sets) {
                v.add(format!("{df}.sets"), "must be between 1 and 100");
            }
            documents.push(pb::RequiredDocument {
                display_name,
                copy_kind: doc.copy_kind,
                sets: doc.sets,
            });
        }
        let mut fees = Vec::new();
        for (i, fee) in input.fees.iter().enumerate() {
            let ff = f(&format!("fees[{i}]"));
            let description = text::clean(&mut v, &format!("{ff}.description"), &fee.description, true, 300);
            if fee.amount_vnd < 0 {
                v.add(format!("{ff}.amount_vnd"), "must not be negative");
            }
            fees.push(pb::Fee {
                description,
                amount_vnd: fee.amount_vnd,
            });
        }
        let legal_basis: Vec<String> = input
            .legal_basis
            .iter()
            .enumerate()
            .map(|(i, l)| text::clean(&mut v, &f(&format!("legal_basis[{i}]")), l, true, 500))
            .collect();
        if !input.process_document.is_empty()
            && let Err(ServiceError::InvalidArgument(errors)) =
                names::parse(&input.process_document, "documents", &f("process_document"))
        {
            for e in errors {
                v.add(e.field, e.description);
            }
        }
        if input.agency.is_empty() {
            v.add(f("agency"), "is required");
        }
        v.check()?;
        self.active_unit(&input.agency, &f("agency"), "use its successor")
            .await?;
        Ok(pb::ProcedureVersion {
            display_name,
            field,
            level: input.level,
            agency: input.agency.clone(),
            processing_time: input.processing_time,
            supplement_mode: if input.supplement_mode == 0 {
                pb::SupplementMode::Restart as i32
            } else {
                input.supplement_mode
            },
            steps,
            required_documents: documents,
            fees,
            legal_basis,
            online_level: input.online_level,
            process_document: input.process_document.clone(),
            ..Default::default()
        })
    }

    /// Checks a version's content as an import would (no write).
    pub async fn check_content(&self, input: &pb::ProcedureVersion) -> ServiceResult<()> {
        self.clean_content(input, "version").await.map(|_| ())
    }

    pub async fn create_procedure(
        &self,
        ctx: &CallContext,
        request: pb::CreateProcedureRequest,
    ) -> ServiceResult<pb::Procedure> {
        let print = fingerprint(&request);
        let code = request.code.trim().to_string();
        if !valid_code(&code) {
            return Err(ServiceError::invalid(
                "code",
                "must be 1–40 letters, digits and dots, e.g. `2.002481`",
            ));
        }
        let content = self
            .clean_content(&request.version.unwrap_or_default(), "version")
            .await?;
        self.require_agency(ctx, &content.agency, "version.agency").await?;
        let mut tx = match self.journal.begin_idempotent::<pb::Procedure>(ctx, &print).await? {
            Begun::Fresh(tx) => *tx,
            Begun::Replayed(done) => return Ok(done),
        };
        let now = Utc::now();
        ProcedureRow {
            code: code.clone(),
            state: pb::procedure::State::Draft as i32,
            published_version: 0,
            latest_version: 1,
            agency: content.agency.clone(),
            field: content.field.clone(),
            level: content.level,
            create_time: now,
            update_time: now,
            version: 1,
        }
        .insert(tx.txn())
        .await?;
        let version = VersionRow::draft(&code, 1, content, now);
        version.insert(tx.txn()).await?;
        let procedure = procedures::get_procedure(tx.txn(), &code)
            .await?
            .to_proto(Some(version.to_proto()));
        tx.event(NewEvent::with(
            "procedures.procedure.created",
            &procedure.name,
            &procedure,
        ));
        tx.commit_idempotent(procedure).await
    }

    pub async fn get_procedure(&self, request: pb::GetProcedureRequest) -> ServiceResult<pb::Procedure> {
        let db = self.journal.db().reader();
        if request.name.contains("/versions/") {
            let (code, number) = parse_version(&request.name, "name")?;
            let row = procedures::get_procedure(db, &code).await?;
            let version = versions::get_version(db, &code, number).await?;
            return Ok(row.to_proto(Some(version.to_proto())));
        }
        let code = parse_procedure(&request.name, "name")?;
        let row = procedures::get_procedure(db, &code).await?;
        let version = versions::get_version(db, &code, row.shown_version()).await?;
        Ok(row.to_proto(Some(version.to_proto())))
    }

    pub async fn list_procedures(
        &self,
        request: pb::ListProceduresRequest,
    ) -> ServiceResult<pb::ListProceduresResponse> {
        let listing = eiso_platform::listing!(&LIST, request)?;
        let mut query = Query::select();
        query.columns(PROCEDURE_COLUMNS).from("procedures");
        listing.filter(&mut query, procedure_condition)?;
        listing.order_and_limit(&mut query, "code");
        let db = self.journal.db().reader();
        let mut rows = db.query_all(&query).await?;
        let next_page_token = listing.finish(&mut rows);
        let mut procedures = Vec::new();
        for row in &rows {
            let procedure = ProcedureRow::from_row(row)?;
            let version = versions::get_version(db, &procedure.code, procedure.shown_version()).await?;
            procedures.push(procedure.to_proto(Some(version.to_proto())));
        }
        Ok(pb::ListProceduresResponse {
            procedures,
            next_page_token,
        })
    }

    pub async fn create_version(
        &self,
        ctx: &CallContext,
        request: pb::CreateProcedureVersionRequest,
    ) -> ServiceResult<pb::ProcedureVersion> {
        let code = parse_procedure(&request.parent, "parent")?;
        let mut tx = self.journal.begin(ctx).await?;
        let mut procedure = procedures::get_procedure(tx.txn(), &code).await?;
        self.authorize_procedure(ctx, &procedure).await?;
        let latest = versions::get_version(tx.txn(), &code, procedure.latest_version).await?;
        if latest.content.agency != procedure.agency {
            self.require_agency(ctx, &latest.content.agency, "version.agency")
                .await?;
        }
        if latest.is_draft() {
            return Err(ServiceError::precondition(
                "VERSION_DRAFT_EXISTS",
                latest.name(),
                format!("{} is still a draft: edit or publish it", latest.name()),
            ));
        }
        let now = Utc::now();
        let draft = VersionRow::draft(&code, procedure.latest_version + 1, latest.content.clone(), now);
        draft.insert(tx.txn()).await?;
        procedure.latest_version = draft.number;
        procedure.save(tx.txn(), now).await?;
        let version = draft.to_proto();
        tx.event(NewEvent::with("procedures.version.created", &version.name, &version));
        tx.commit().await?;
        Ok(version)
    }

    pub async fn update_version(
        &self,
        ctx: &CallContext,
        request: pb::UpdateProcedureVersionRequest,
    ) -> ServiceResult<pb::ProcedureVersion> {
        let input = request.version.unwrap_or_default();
        let (code, number) = parse_version(&input.name, "version.name")?;
        let content = self.clean_content(&input, "version").await?;
        let mut tx = self.journal.begin(ctx).await?;
        let mut procedure = procedures::get_procedure(tx.txn(), &code).await?;
        self.authorize_procedure(ctx, &procedure).await?;
        // A draft naming another agency moves the procedure there when it is shown or published.
        if content.agency != procedure.agency {
            self.require_agency(ctx, &content.agency, "version.agency").await?;
        }
        let mut row = versions::get_version(tx.txn(), &code, number).await?;
        etag::check(&request.etag, &row.name(), row.version)?;
        if !row.is_draft() {
            return Err(ServiceError::precondition(
                "VERSION_NOT_DRAFT",
                row.name(),
                format!("{} is published: start a new version to change it", row.name()),
            ));
        }
        row.content = content;
        let now = Utc::now();
        row.save(tx.txn(), now).await?;
        if procedure.published_version == 0 {
            procedure.show(&row.content);
            procedure.save(tx.txn(), now).await?;
        }
        let version = row.to_proto();
        tx.event(NewEvent::with("procedures.version.updated", &version.name, &version));
        tx.commit().await?;
        Ok(version)
    }

    pub async fn publish_version(
        &self,
        ctx: &CallContext,
        request: pb::PublishProcedureVersionRequest,
    ) -> ServiceResult<pb::ProcedureVersion> {
        let (code, number) = parse_version(&request.name, "name")?;
        let mut tx = self.journal.begin(ctx).await?;
        let mut procedure = procedures::get_procedure(tx.txn(), &code).await?;
        self.authorize_procedure(ctx, &procedure).await?;
        let mut row = versions::get_version(tx.txn(), &code, number).await?;
        if row.content.agency != procedure.agency {
            self.require_agency(ctx, &row.content.agency, "version.agency").await?;
        }
        if !row.is_draft() {
            return Err(ServiceError::precondition(
                "VERSION_NOT_DRAFT",
                row.name(),
                format!("{} is not a draft", row.name()),
            ));
        }
        // The step norms must add up to the processing time, in the agency's working hours.
        if !row.content.steps.is_empty() {
            let stored = crate::calendars::load_agency(tx.txn(), &row.content.agency).await?;
            let time = processing_time_from_proto(row.content.processing_time.as_ref(), "processing_time")?;
            let budget = stored
                .calendar
                .budget(time)
                .map_err(|e| crate::convert::calendar_error(e, &stored.name(), &row.name()))?;
            let steps: i64 = row.content.steps.iter().map(|s| i64::from(s.working_hours)).sum();
            if steps * 60 != budget.num_minutes() {
                return Err(ServiceError::precondition(
                    "STEPS_DO_NOT_ADD_UP",
                    row.name(),
                    format!(
                        "the steps add up to {steps} working hours but the processing time is {} working hours",
                        budget.num_minutes() as f64 / 60.0
                    ),
                ));
            }
        }
        let now = Utc::now();
        if procedure.published_version > 0 {
            let mut previous = versions::get_version(tx.txn(), &code, procedure.published_version).await?;
            previous.state = pb::procedure_version::State::Superseded as i32;
            previous.save(tx.txn(), now).await?;
        }
        row.state = pb::procedure_version::State::Published as i32;
        row.publish_time = Some(now);
        row.save(tx.txn(), now).await?;
        procedure.state = pb::procedure::State::Published as i32;
        procedure.published_version = number;
        procedure.show(&row.content);
        procedure.save(tx.txn(), now).await?;
        let version = row.to_proto();
        let whole = procedure.to_proto(Some(version.clone()));
        tx.event(NewEvent::with("procedures.procedure.published", &whole.name, &whole));
        tx.audit_resource(&version.name);
        tx.commit().await?;
        Ok(version)
    }

    pub async fn withdraw_procedure(
        &self,
        ctx: &CallContext,
        request: pb::WithdrawProcedureRequest,
    ) -> ServiceResult<pb::Procedure> {
        let code = parse_procedure(&request.name, "name")?;
        if request.reason.trim().is_empty() {
            return Err(ServiceError::invalid("reason", "say why the procedure is withdrawn"));
        }
        let ctx = ctx.clone().with_reason(&request.reason);
        let mut tx = self.journal.begin(&ctx).await?;
        let mut procedure = procedures::get_procedure(tx.txn(), &code).await?;
        self.authorize_procedure(&ctx, &procedure).await?;
        if procedure.state == pb::procedure::State::Withdrawn as i32 {
            return Err(ServiceError::precondition(
                "PROCEDURE_WITHDRAWN",
                procedure.name(),
                format!("{} is already withdrawn", procedure.name()),
            ));
        }
        procedure.state = pb::procedure::State::Withdrawn as i32;
        procedure.save(tx.txn(), Utc::now()).await?;
        let proto = procedure.to_proto(None);
        tx.event(NewEvent::with("procedures.procedure.withdrawn", &proto.name, &proto));
        tx.commit().await?;
        Ok(proto)
    }

    /// The published version dossiers are received under, or FAILED_PRECONDITION.
    pub async fn published_version(
        &self,
        db: &impl ConnectionTrait,
        name: &str,
        field: &str,
    ) -> ServiceResult<VersionRow> {
        let code = parse_procedure(name, field)?;
        let procedure = procedures::get_procedure(db, &code)
            .await
            .map_err(|_| ServiceError::invalid(field, format!("{name} is not in the catalogue")))?;
        if procedure.state != pb::procedure::State::Published as i32 || procedure.published_version == 0 {
            return Err(ServiceError::precondition(
                "PROCEDURE_NOT_PUBLISHED",
                name,
                format!("{name} has no published version: dossiers cannot be received under it"),
            ));
        }
        versions::get_version(db, &code, procedure.published_version).await
    }
}
