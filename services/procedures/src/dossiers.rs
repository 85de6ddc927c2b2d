//! Dossiers from receipt to rating: codes, deadlines on the agency's
//! calendar, supplements (restart or pause), the control slip, the one
//! extension, and the outcome against the original due time. Every status
//! change is in the dossier's history; personal data is shown only to the
//! roles that handle dossiers and never goes into events or logs.

use chrono::{DateTime, Utc};
use eiso_platform::aip::filter::{self, Condition};
use eiso_platform::aip::{list, names, text};
use eiso_platform::journal::{Begun, fingerprint};
use eiso_platform::scope::{self, Scope, authorize};
use eiso_platform::{CallContext, NewEvent, Principal, ServiceError, ServiceResult, Violations, WriteTx};
use eiso_proto::eiso::identity::v1::Role;
use eiso_proto::eiso::procedures::v1 as pb;
use pb::DossierStatus as S;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, Query, SimpleExpr};

use crate::Procedures;
use crate::calendar::{self, Deadline, Suspension};
use crate::calendars;
use crate::catalogue::parse_procedure;
use crate::convert::{calendar_error, outcome_to_proto, processing_time_from_proto, supplement_mode_from_proto};
use crate::rows::dossiers::{self as dossier_rows, DocumentJson, ExtensionJson, HandoverJson, SupplementJson};
use crate::rows::versions::get_version;
use crate::rows::{DOSSIER_COLUMNS, DossierRow, VersionRow};

/// Roles that see applicants' personal data.
pub const PERSONAL_DATA_ROLES: [Role; 3] = [Role::CounterStaff, Role::ProcessingOfficer, Role::Leader];

/// Statuses in which the clock runs or waits (not finished).
pub const ACTIVE: [S; 4] = [S::Received, S::InProgress, S::SupplementRequested, S::AwaitingPayment];

/// ListDossiers: in pages of 50 (1,000 at most), newest first by default.
const LIST: list::Spec = list::Spec::new(
    &[
        "agency",
        "procedure",
        "status",
        "assignee",
        "code",
        "due",
        "channel",
        "receive_time",
    ],
    &["receive_time", "due_time", "code"],
    "receive_time desc",
)
.ordered(&["receive_time"]);

/// The SQL of a ListDossiers filter condition; `due = soon` ends at `soon`,
/// worked out beforehand (it needs the agency's calendar).
fn dossier_condition(
    condition: &Condition,
    now: DateTime<Utc>,
    soon: Option<DateTime<Utc>>,
) -> ServiceResult<SimpleExpr> {
    let value = &condition.value;
    Ok(match condition.field.as_str() {
        "agency" => Expr::col("agency").eq(value.clone()),
        "procedure" => Expr::col("procedure_code").eq(parse_procedure(value, "filter")?),
        "status" => Expr::col("status").eq(list::enum_value(value, "DOSSIER_STATUS_", "status", S::from_str_name)?),
        "assignee" => Expr::col("assignee").eq(value.clone()),
        "code" => Expr::col("code").eq(value.clone()),
        "channel" => Expr::col("channel").eq(list::enum_value(
            value,
            "CHANNEL_",
            "channel",
            pb::Channel::from_str_name,
        )?),
        "receive_time" => {
            let time = filter_time(value)?;
            let column = Expr::col("receive_time");
            match condition.op {
                filter::Op::Lt => column.lt(time),
                filter::Op::Le => column.lte(time),
                filter::Op::Gt => column.gt(time),
                filter::Op::Ge => column.gte(time),
                filter::Op::Eq | filter::Op::Ne => column.eq(time),
            }
        }
        _ => {
            let active = Expr::col("status").is_in(ACTIVE.map(|s| s as i32));
            match (value.as_str(), soon) {
                ("overdue", _) => active.and(Expr::col("due_time").lt(now)),
                // Due within one working day of the agency's calendar.
                ("soon", Some(horizon)) => active
                    .and(Expr::col("due_time").gte(now))
                    .and(Expr::col("due_time").lte(horizon)),
                _ => return Err(ServiceError::invalid("filter", "due takes \"soon\" or \"overdue\"")),
            }
        }
    })
}

/// A time in a filter: an RFC 3339 instant, or a day `2026-01-31` meaning
/// its start in the office's time zone.
fn filter_time(value: &str) -> ServiceResult<DateTime<Utc>> {
    if let Ok(instant) = DateTime::parse_from_rfc3339(value) {
        return Ok(instant.with_timezone(&Utc));
    }
    chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .ok()
        .and_then(|day| calendar::from_local(day.and_time(chrono::NaiveTime::MIN)).ok())
        .ok_or_else(|| {
            ServiceError::invalid(
                "filter",
                format!("receive_time takes an RFC 3339 time or a day YYYY-MM-DD, not \"{value}\""),
            )
        })
}

/// What a dossier's deadline is computed from: its agency's calendar, the
/// procedure version's budget and supplement rule, its supplements.
struct DeadlineInputs {
    calendar: calendar::OfficeCalendar,
    /// The calendar's name, `calendars/{unit id}`, for its errors.
    calendar_name: String,
    budget: chrono::TimeDelta,
    mode: calendar::SupplementMode,
    suspensions: Vec<Suspension>,
}

impl DeadlineInputs {
    async fn of(db: &impl ConnectionTrait, row: &DossierRow, version: &VersionRow) -> ServiceResult<Self> {
        let stored = calendars::load_agency(db, &row.agency).await?;
        let time = processing_time_from_proto(version.content.processing_time.as_ref(), "processing_time")?;
        let budget = stored
            .calendar
            .budget(time)
            .map_err(|e| calendar_error(e, &stored.name(), &row.name()))?;
        let suspensions = row
            .supplements
            .iter()
            .map(|s| Suspension {
                from: s.request_time,
                to: s.receive_time,
            })
            .collect();
        Ok(Self {
            calendar_name: stored.name(),
            calendar: stored.calendar,
            budget,
            mode: supplement_mode_from_proto(version.content.supplement_mode, "supplement_mode")?,
            suspensions,
        })
    }

    /// The due time of `row`, from its receipt and supplements.
    fn deadline(&self, row: &DossierRow) -> ServiceResult<Deadline> {
        self.calendar
            .due_with_events(row.receive_time, self.budget, self.mode, &self.suspensions)
            .map_err(|e| calendar_error(e, &self.calendar_name, &row.name()))
    }
}

/// The norm of `step` (0-based) of a procedure version; zero for a step it
/// does not define (the intake and the processing of a procedure without
/// steps).
fn step_norm(version: &VersionRow, step: i32) -> chrono::TimeDelta {
    let hours = usize::try_from(step)
        .ok()
        .and_then(|index| version.content.steps.get(index))
        .map_or(0, |s| s.working_hours);
    chrono::TimeDelta::hours(i64::from(hours))
}

/// How many steps a dossier of `version` goes through: the version's, or,
/// when it defines none, two (the intake at the counter and the processing).
fn step_count(version: &VersionRow) -> i32 {
    match i32::try_from(version.content.steps.len()) {
        Ok(0) => 2,
        Ok(steps) => steps,
        Err(_) => i32::MAX,
    }
}

fn not_in(row: &DossierRow, allowed: &[S], action: &str) -> ServiceError {
    ServiceError::precondition(
        "DOSSIER_STATUS",
        row.name(),
        format!(
            "{} is {}: it cannot {action} (only when {})",
            row.code,
            status_label(row.status()),
            allowed
                .iter()
                .map(|s| status_label(*s))
                .collect::<Vec<_>>()
                .join(" or ")
        ),
    )
}

pub fn status_label(status: S) -> &'static str {
    match status {
        S::Registered => "registered online and not yet received",
        S::Received => "received",
        S::NotReceived => "refused at intake",
        S::InProgress => "in progress",
        S::SupplementRequested => "waiting for a supplement",
        S::AwaitingPayment => "waiting for payment",
        S::Withdrawn => "withdrawn",
        S::Stopped => "stopped",
        S::Completed => "completed",
        S::Returned => "returned",
        S::Unspecified => "in an unknown status",
    }
}

fn clean_applicant(v: &mut Violations, input: Option<&pb::Applicant>) -> pb::Applicant {
    let a = input.cloned().unwrap_or_default();
    let full_name = text::clean(v, "applicant.full_name", &a.full_name, true, 200);
    let id_number = text::clean(v, "applicant.id_number", &a.id_number, false, 20);
    if !id_number.chars().all(|c| c.is_ascii_alphanumeric()) {
        v.add("applicant.id_number", "must be letters and digits only");
    }
    let phone = text::clean(v, "applicant.phone", &a.phone, false, 20);
    if !phone.chars().all(|c| c.is_ascii_digit() || " +.-".contains(c)) {
        v.add(
            "applicant.phone",
            "must be a phone number (digits, spaces, `+`, `.`, `-`)",
        );
    }
    let address = text::clean(v, "applicant.address", &a.address, false, 500);
    let email = text::clean(v, "applicant.email", &a.email, false, 254);
    if !email.is_empty() && !email.contains('@') {
        v.add("applicant.email", "is not an email address");
    }
    let kind = match pb::ApplicantType::try_from(a.r#type) {
        // Unset reads as a person.
        Ok(pb::ApplicantType::Unspecified) => pb::ApplicantType::Citizen,
        Ok(kind) => kind,
        Err(_) => {
            v.add("applicant.type", format!("unknown value {}", a.r#type));
            pb::ApplicantType::Citizen
        }
    };
    pb::Applicant {
        full_name,
        id_number,
        phone,
        address,
        email,
        r#type: kind as i32,
    }
}

impl Procedures {
    fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// The agencies whose applicants' personal data `principal` sees: those
    /// its bindings of the roles that handle dossiers cover.
    async fn personal_data_scope(&self, principal: &Principal) -> ServiceResult<Scope> {
        Scope::of_roles(self.directory.as_ref(), principal, Some(&PERSONAL_DATA_ROLES)).await
    }

    /// The platform's check of a dossier (it belongs to its receiving agency)
    /// for the caller's method: NOT_FOUND outside the caller's units, so that
    /// nothing of the dossier shows, PERMISSION_DENIED when the caller sees
    /// it but the method's roles do not reach it.
    async fn authorize_dossier(&self, ctx: &CallContext, row: &DossierRow) -> ServiceResult<()> {
        authorize(self.directory.as_ref(), ctx, &row.agency, &row.name()).await
    }

    /// PERMISSION_DENIED unless the method's roles cover `agency`, where a
    /// new dossier is to be registered.
    async fn require_agency_scope(&self, ctx: &CallContext, agency: &str) -> ServiceResult<()> {
        Scope::of_method(self.directory.as_ref(), ctx)
            .await?
            .require(agency, "the new dossier")
    }

    /// Begins a change of the dossier `name`, as the caller's method may
    /// make it ([`Self::authorize_dossier`]).
    async fn open(&self, ctx: &CallContext, name: &str) -> ServiceResult<(WriteTx<'_>, DossierRow)> {
        let tx = self.journal.begin(ctx).await?;
        let row = self.load(tx.txn(), name).await?;
        self.authorize_dossier(ctx, &row).await?;
        Ok((tx, row))
    }

    /// [`Self::open`] for a change made only in the `allowed` statuses:
    /// FAILED_PRECONDITION otherwise, saying the dossier cannot `action`.
    async fn open_in(
        &self,
        ctx: &CallContext,
        name: &str,
        allowed: &[S],
        action: &str,
    ) -> ServiceResult<(WriteTx<'_>, DossierRow)> {
        let (tx, row) = self.open(ctx, name).await?;
        if !allowed.contains(&row.status()) {
            return Err(not_in(&row, allowed, action));
        }
        Ok((tx, row))
    }

    async fn load(&self, db: &impl ConnectionTrait, name: &str) -> ServiceResult<DossierRow> {
        dossier_rows::get_dossier(db, &names::parse(name, "dossiers", "name")?).await
    }

    /// The next dossier code of `agency` for the local day of `time`.
    async fn next_code(
        &self,
        db: &impl ConnectionTrait,
        agency: &str,
        agency_code: &str,
        time: DateTime<Utc>,
    ) -> ServiceResult<String> {
        let day = calendar::local_time(time).format("%y%m%d").to_string();
        let last = dossier_rows::next_dossier_number(db, agency, &day).await?;
        Ok(format!("{agency_code}-{day}-{last:04}"))
    }

    async fn agency(&self, name: &str, field: &str) -> ServiceResult<eiso_platform::directory::DirectoryUnit> {
        names::parse(name, "units", field)?;
        self.active_unit(name, field, "receive under its successor").await
    }

    /// The due time of a dossier from its receipt and supplements.
    async fn deadline(
        &self,
        db: &impl ConnectionTrait,
        row: &DossierRow,
        version: &VersionRow,
    ) -> ServiceResult<Deadline> {
        DeadlineInputs::of(db, row, version).await?.deadline(row)
    }

    /// Why dossier `name` is due when it is ([`calendar::Explanation`]), for a
    /// caller who may read the dossier (NOT_FOUND otherwise, as GetDossier).
    pub async fn explain_deadline(&self, ctx: &CallContext, name: &str) -> ServiceResult<calendar::Explanation> {
        let db = self.journal.db().reader();
        let row = self.load(db, name).await?;
        self.authorize_dossier(ctx, &row).await?;
        let version = get_version(db, &row.procedure_code, row.procedure_version).await?;
        let inputs = DeadlineInputs::of(db, &row, &version).await?;
        inputs
            .calendar
            .explain(
                row.receive_time,
                inputs.budget,
                inputs.mode,
                &inputs.suspensions,
                self.now(),
            )
            .map_err(|e| calendar_error(e, &inputs.calendar_name, &row.name()))
    }

    pub(crate) async fn finish(
        &self,
        mut tx: WriteTx<'_>,
        mut row: DossierRow,
        event: &str,
        ctx: &CallContext,
    ) -> ServiceResult<pb::Dossier> {
        row.save(tx.txn(), self.now()).await?;
        // Events carry the dossier without personal data.
        let public = row.to_proto(false);
        tx.event(NewEvent::with(event, &public.name, &public));
        let personal = self.personal_data_scope(&ctx.principal).await?.covers(&row.agency);
        tx.commit().await?;
        Ok(row.to_proto(personal))
    }

    pub async fn receive_dossier(
        &self,
        ctx: &CallContext,
        request: pb::ReceiveDossierRequest,
    ) -> ServiceResult<pb::Dossier> {
        let print = fingerprint(&request);
        let mut v = Violations::new();
        let applicant = clean_applicant(&mut v, request.applicant.as_ref());
        let summary = text::clean(&mut v, "summary", &request.summary, false, 1000);
        let channel = match pb::Channel::try_from(request.channel) {
            Ok(pb::Channel::Unspecified) => pb::Channel::Direct as i32,
            Ok(channel) => channel as i32,
            Err(_) => {
                v.add("channel", format!("unknown value {}", request.channel));
                0
            }
        };
        let mut documents = Vec::new();
        for (i, d) in request.documents.iter().enumerate() {
            let display_name = text::clean(
                &mut v,
                &format!("documents[{i}].display_name"),
                &d.display_name,
                true,
                500,
            );
            if pb::CopyKind::try_from(d.copy_kind).is_err() {
                v.add(
                    format!("documents[{i}].copy_kind"),
                    format!("unknown value {}", d.copy_kind),
                );
            }
            if !(1..=100).contains(&d.sets) {
                v.add(format!("documents[{i}].sets"), "must be between 1 and 100");
            }
            documents.push(DocumentJson {
                display_name,
                copy_kind: d.copy_kind,
                sets: d.sets,
            });
        }
        if request.procedure.is_empty() {
            v.add("procedure", "is required");
        }
        let dossier_sets = match request.dossier_sets {
            0 => 1,
            sets if (1..=20).contains(&sets) => sets,
            _ => {
                v.add("dossier_sets", "must be between 1 and 20");
                1
            }
        };
        v.check()?;
        let agency = self.agency(&request.agency, "agency").await?;
        self.require_agency_scope(ctx, &agency.name).await?;
        let personal = self.personal_data_scope(&ctx.principal).await?.covers(&agency.name);
        let counter = scope::acting_unit(self.directory.as_ref(), ctx, &agency.name).await?;

        let mut tx = match self.journal.begin_idempotent::<pb::Dossier>(ctx, &print).await? {
            Begun::Fresh(tx) => *tx,
            Begun::Replayed(done) => return Ok(done),
        };
        let version = self
            .published_version(tx.txn(), &request.procedure, "procedure")
            .await?;
        let now = self.now();
        let mut row = DossierRow {
            id: names::new_id(),
            agency: agency.name.clone(),
            procedure_code: version.code.clone(),
            procedure_version: version.number,
            channel,
            applicant,
            summary,
            documents,
            rating_code: crate::rating::new_rating_code(),
            dossier_sets,
            ..DossierRow::at_intake(now)
        };
        row.change(S::Received, now, &ctx.principal.name, "");
        let inputs = DeadlineInputs::of(tx.txn(), &row, &version).await?;
        let due = inputs.deadline(&row)?.due();
        row.due_time = due;
        row.appointment_time = due;
        // The intake is the counter's step, done now by the receiving clerk;
        // its norm counts from when the clock starts, as the deadline's does.
        let intake_due = inputs
            .calendar
            .receipt_start(now)
            .and_then(|start| inputs.calendar.due(start, step_norm(&version, 0)))
            .map_err(|e| calendar_error(e, &inputs.calendar_name, &row.name()))?;
        row.record_intake(&ctx.principal.name, &counter, intake_due);
        // The code last, just before the insert: its number row stays locked
        // until the commit and serialises the agency's receipts of the day,
        // so the calendar's reads above are done before it is taken.
        row.code = self.next_code(tx.txn(), &agency.name, &agency.code, now).await?;
        row.insert(tx.txn()).await?;
        let public = row.to_proto(false);
        tx.event(NewEvent::with("procedures.dossier.received", &public.name, &public));
        tx.commit_idempotent(row.to_proto(personal)).await
    }

    pub async fn refuse_dossier(
        &self,
        ctx: &CallContext,
        request: pb::RefuseDossierRequest,
    ) -> ServiceResult<pb::Dossier> {
        let print = fingerprint(&request);
        let mut v = Violations::new();
        let applicant = clean_applicant(&mut v, request.applicant.as_ref());
        let reason = text::clean(&mut v, "reason", &request.reason, true, 2000);
        v.check()?;
        let agency = self.agency(&request.agency, "agency").await?;
        self.require_agency_scope(ctx, &agency.name).await?;
        let personal = self.personal_data_scope(&ctx.principal).await?.covers(&agency.name);
        let code = parse_procedure(&request.procedure, "procedure")?;
        let ctx = ctx.clone().with_reason(&reason);
        let mut tx = match self.journal.begin_idempotent::<pb::Dossier>(&ctx, &print).await? {
            Begun::Fresh(tx) => *tx,
            Begun::Replayed(done) => return Ok(done),
        };
        let version = self
            .published_version(tx.txn(), &request.procedure, "procedure")
            .await?;
        let now = self.now();
        let mut row = DossierRow {
            id: names::new_id(),
            code: self.next_code(tx.txn(), &agency.name, &agency.code, now).await?,
            agency: agency.name.clone(),
            procedure_code: code,
            procedure_version: version.number,
            applicant,
            ..DossierRow::at_intake(now)
        };
        row.change(S::NotReceived, now, &ctx.principal.name, &reason);
        row.insert(tx.txn()).await?;
        let public = row.to_proto(false);
        tx.event(NewEvent::with("procedures.dossier.refused", &public.name, &public));
        tx.commit_idempotent(row.to_proto(personal)).await
    }

    /// A dossier with the applicant's data, unchecked: for the server's own
    /// work (the search indexer) and for callers that checked the caller's
    /// access to the dossier's agency already.
    pub async fn dossier_with_personal_data(&self, name: &str) -> ServiceResult<pb::Dossier> {
        Ok(self.load(self.journal.db().reader(), name).await?.to_proto(true))
    }

    /// A dossier as the caller's method may see it: NOT_FOUND outside the
    /// units its roles cover; the applicant's data only where a binding of a
    /// role that handles dossiers covers the agency.
    pub async fn get_dossier(&self, ctx: &CallContext, request: pb::GetDossierRequest) -> ServiceResult<pb::Dossier> {
        let row = self.load(self.journal.db().reader(), &request.name).await?;
        self.authorize_dossier(ctx, &row).await?;
        let personal = self.personal_data_scope(&ctx.principal).await?.covers(&row.agency);
        Ok(row.to_proto(personal))
    }

    pub async fn list_dossiers(
        &self,
        ctx: &CallContext,
        request: pb::ListDossiersRequest,
    ) -> ServiceResult<pb::ListDossiersResponse> {
        let listing = eiso_platform::listing!(&LIST, request)?;
        let now = self.now();
        let mut query = Query::select();
        query.columns(DOSSIER_COLUMNS).from("dossiers");
        // Only the dossiers of the caller's units, before paging.
        if let Some(covered) = Scope::of_method(self.directory.as_ref(), ctx)
            .await?
            .condition("agency")
        {
            query.and_where(covered);
        }
        let soon = if listing.conditions.iter().any(|c| c.field == "due" && c.value == "soon") {
            Some(self.due_soon_horizon(&listing.conditions, now).await?)
        } else {
            None
        };
        listing.filter(&mut query, |condition| dossier_condition(condition, now, soon))?;
        listing.order_and_limit(&mut query, "id");
        let mut rows = self.journal.db().reader().query_all(&query).await?;
        let next_page_token = listing.finish(&mut rows);
        let personal = self.personal_data_scope(&ctx.principal).await?;
        let dossiers = rows
            .iter()
            .map(|r| DossierRow::from_row(r).map(|d| d.to_proto(personal.covers(&d.agency))))
            .collect::<ServiceResult<Vec<_>>>()?;
        Ok(pb::ListDossiersResponse {
            dossiers,
            next_page_token,
        })
    }

    /// Where `due = soon` ends: one working day from `now` on the calendar
    /// of the agency the filter names (the standard calendar when it names
    /// none).
    async fn due_soon_horizon(&self, conditions: &[Condition], now: DateTime<Utc>) -> ServiceResult<DateTime<Utc>> {
        let agency = conditions
            .iter()
            .rfind(|c| c.field == "agency" && c.op == filter::Op::Eq)
            .map_or("", |c| c.value.as_str());
        let stored = calendars::load_agency(self.journal.db().reader(), agency).await?;
        let day = stored.calendar.hours_per_day();
        stored
            .calendar
            .due(now, day)
            .map_err(|e| calendar_error(e, &stored.name(), "filter"))
    }

    pub async fn hand_over(
        &self,
        ctx: &CallContext,
        request: pb::HandOverDossierRequest,
    ) -> ServiceResult<pb::Dossier> {
        let mut v = Violations::new();
        let note = text::clean(&mut v, "note", &request.note, false, 2000);
        v.check()?;
        names::parse(&request.receiver, "users", "receiver")?;
        match self.directory.user(&request.receiver).await? {
            None => {
                return Err(ServiceError::invalid(
                    "receiver",
                    format!("{} does not exist", request.receiver),
                ));
            }
            Some(user) if !user.active => {
                return Err(ServiceError::precondition(
                    "USER_DISABLED",
                    &request.receiver,
                    format!("{} is disabled", request.receiver),
                ));
            }
            Some(_) => {}
        }
        let (tx, mut row) = self
            .open_in(ctx, &request.name, &[S::Received, S::InProgress], "be handed over")
            .await?;
        let version = get_version(tx.txn(), &row.procedure_code, row.procedure_version).await?;
        let steps = step_count(&version);
        let expected = row.current_step + 1;
        if request.step != expected || request.step >= steps {
            return Err(ServiceError::precondition(
                "HANDOVER_OUT_OF_ORDER",
                row.name(),
                // Steps are numbered from 1 for people, from 0 in `step`.
                if request.step >= steps || request.step < 0 {
                    format!(
                        "{}'s procedure has {steps} step(s); step {} (step = {}) does not exist",
                        row.code,
                        i64::from(request.step) + 1,
                        request.step
                    )
                } else if row.current_step < 0 {
                    format!(
                        "{} has not been handed over yet: the first hand-over is to step 1 (step = 0)",
                        row.code
                    )
                } else {
                    let intake = if row.handovers.last().is_some_and(|h| h.intake) {
                        ", the intake at the counter"
                    } else {
                        ""
                    };
                    format!(
                        "{} is at step {}{intake}; the next hand-over is to step {} (step = {expected})",
                        row.code,
                        row.current_step + 1,
                        expected + 1
                    )
                },
            ));
        }
        let now = self.now();
        let stored = calendars::load_agency(tx.txn(), &row.agency).await?;
        let step_due = stored
            .calendar
            .due(now, step_norm(&version, request.step))
            .map_err(|e| calendar_error(e, &stored.name(), &row.name()))?;
        let giver_unit = scope::acting_unit(self.directory.as_ref(), ctx, &row.agency).await?;
        row.handovers.push(HandoverJson {
            step: request.step,
            giver: ctx.principal.name.clone(),
            receiver: request.receiver.clone(),
            time: now,
            step_due,
            note: note.clone(),
            intake: false,
            giver_unit,
        });
        row.current_step = request.step;
        row.assignee = request.receiver.clone();
        if row.status() == S::Received {
            row.change(S::InProgress, now, &ctx.principal.name, &note);
        }
        self.finish(tx, row, "procedures.dossier.handed_over", ctx).await
    }

    pub async fn request_supplement(
        &self,
        ctx: &CallContext,
        request: pb::RequestSupplementRequest,
    ) -> ServiceResult<pb::Dossier> {
        let mut v = Violations::new();
        let reason = text::clean(&mut v, "reason", &request.reason, true, 2000);
        if request.documents.is_empty() {
            v.add("documents", "name at least one document to add");
        }
        let documents: Vec<String> = request
            .documents
            .iter()
            .enumerate()
            .map(|(i, d)| text::clean(&mut v, &format!("documents[{i}]"), d, true, 500))
            .collect();
        v.check()?;
        let ctx = ctx.clone().with_reason(&reason);
        let (tx, mut row) = self
            .open_in(
                &ctx,
                &request.name,
                &[S::Received, S::InProgress],
                "be asked for a supplement",
            )
            .await?;
        // A supplement is requested within 3 working days of receipt.
        let now = self.now();
        let stored = calendars::load_agency(tx.txn(), &row.agency).await?;
        let limit = stored
            .calendar
            .due(
                stored
                    .calendar
                    .receipt_start(row.receive_time)
                    .map_err(|e| calendar_error(e, &stored.name(), &row.name()))?,
                stored.calendar.hours_per_day() * 3,
            )
            .map_err(|e| calendar_error(e, &stored.name(), &row.name()))?;
        if now > limit {
            return Err(ServiceError::precondition(
                "SUPPLEMENT_TOO_LATE",
                row.name(),
                format!(
                    "a supplement must be requested within 3 working days of receipt (by {})",
                    local(limit)
                ),
            ));
        }
        row.supplements.push(SupplementJson {
            request_time: now,
            reason: reason.clone(),
            documents,
            receive_time: None,
        });
        row.due_time = None;
        row.change(S::SupplementRequested, now, &ctx.principal.name, &reason);
        self.finish(tx, row, "procedures.dossier.supplement_requested", &ctx)
            .await
    }

    pub async fn receive_supplement(
        &self,
        ctx: &CallContext,
        request: pb::ReceiveSupplementRequest,
    ) -> ServiceResult<pb::Dossier> {
        let (tx, mut row) = self
            .open_in(ctx, &request.name, &[S::SupplementRequested], "receive a supplement")
            .await?;
        let now = self.now();
        if let Some(open) = row.supplements.last_mut() {
            open.receive_time = Some(now);
        }
        let version = get_version(tx.txn(), &row.procedure_code, row.procedure_version).await?;
        let due = self.deadline(tx.txn(), &row, &version).await?.due();
        row.due_time = due;
        if row.extension.is_none() {
            row.appointment_time = due;
        }
        // Back to where it was when the supplement was asked for: received
        // (at the intake) or in progress.
        let back = row
            .history
            .iter()
            .rev()
            .skip_while(|c| c.status != S::SupplementRequested as i32)
            .nth(1)
            .and_then(|c| S::try_from(c.status).ok())
            .filter(|s| matches!(s, S::Received | S::InProgress))
            .unwrap_or(S::InProgress);
        row.change(back, now, &ctx.principal.name, "đã nhận hồ sơ bổ sung");
        self.finish(tx, row, "procedures.dossier.supplement_received", ctx)
            .await
    }

    pub async fn extend(&self, ctx: &CallContext, request: pb::ExtendDossierRequest) -> ServiceResult<pb::Dossier> {
        let mut v = Violations::new();
        let reason = text::clean(&mut v, "reason", &request.reason, true, 2000);
        v.check()?;
        let new_appointment =
            eiso_platform::aip::time::required_instant(request.new_appointment_time.as_ref(), "new_appointment_time")?;
        let ctx = ctx.clone().with_reason(&reason);
        let (tx, mut row) = self
            .open_in(&ctx, &request.name, &[S::Received, S::InProgress], "be extended")
            .await?;
        if row.extension.is_some() {
            return Err(ServiceError::precondition(
                "ALREADY_EXTENDED",
                row.name(),
                format!("{} was already given a new appointment once", row.code),
            ));
        }
        let due = row
            .due_time
            .ok_or_else(|| ServiceError::precondition("NO_DUE_TIME", row.name(), "the dossier has no due time"))?;
        let now = self.now();
        let stored = calendars::load_agency(tx.txn(), &row.agency).await?;
        let left = if now >= due {
            chrono::TimeDelta::zero()
        } else {
            stored
                .calendar
                .working_time_between(now, due)
                .map_err(|e| calendar_error(e, &stored.name(), &row.name()))?
        };
        if left < stored.calendar.hours_per_day() {
            return Err(ServiceError::precondition(
                "EXTENSION_TOO_LATE",
                row.name(),
                format!(
                    "an extension must be given at least one working day before the due time ({})",
                    local(due)
                ),
            ));
        }
        if new_appointment <= due {
            return Err(ServiceError::invalid(
                "new_appointment_time",
                format!("must be after the current due time ({})", local(due)),
            ));
        }
        row.extension = Some(ExtensionJson {
            request_time: now,
            reason: reason.clone(),
            new_appointment,
        });
        row.appointment_time = Some(new_appointment);
        self.finish(tx, row, "procedures.dossier.extended", &ctx).await
    }

    async fn end(
        &self,
        ctx: &CallContext,
        name: &str,
        status: S,
        reason: &str,
        event: &str,
    ) -> ServiceResult<pb::Dossier> {
        let mut v = Violations::new();
        let reason = text::clean(&mut v, "reason", reason, status == S::Stopped, 2000);
        v.check()?;
        let ctx = ctx.clone().with_reason(&reason);
        let action = if status == S::Stopped {
            "be stopped"
        } else {
            "be withdrawn"
        };
        let (tx, mut row) = self.open_in(&ctx, name, &ACTIVE, action).await?;
        let now = self.now();
        row.assignee = String::new();
        row.change(status, now, &ctx.principal.name, &reason);
        self.finish(tx, row, event, &ctx).await
    }

    pub async fn stop_processing(
        &self,
        ctx: &CallContext,
        request: pb::StopProcessingRequest,
    ) -> ServiceResult<pb::Dossier> {
        self.end(
            ctx,
            &request.name,
            S::Stopped,
            &request.reason,
            "procedures.dossier.stopped",
        )
        .await
    }

    pub async fn withdraw(&self, ctx: &CallContext, request: pb::WithdrawDossierRequest) -> ServiceResult<pb::Dossier> {
        self.end(
            ctx,
            &request.name,
            S::Withdrawn,
            &request.reason,
            "procedures.dossier.withdrawn",
        )
        .await
    }

    pub async fn complete(&self, ctx: &CallContext, request: pb::CompleteDossierRequest) -> ServiceResult<pb::Dossier> {
        let mut v = Violations::new();
        let result = text::clean(&mut v, "result_summary", &request.result_summary, true, 2000);
        v.check()?;
        let (tx, mut row) = self
            .open_in(ctx, &request.name, &[S::Received, S::InProgress], "be completed")
            .await?;
        let due = row
            .due_time
            .ok_or_else(|| ServiceError::precondition("NO_DUE_TIME", row.name(), "the dossier has no due time"))?;
        let now = self.now();
        // The original due time decides, whatever the new appointment.
        row.outcome = outcome_to_proto(calendar::classify(now, due)) as i32;
        row.complete_time = Some(now);
        row.result_summary = result.clone();
        row.result_digitised = request.digitised;
        row.change(S::Completed, now, &ctx.principal.name, &result);
        self.finish(tx, row, "procedures.dossier.completed", ctx).await
    }

    pub async fn return_result(
        &self,
        ctx: &CallContext,
        request: pb::ReturnResultRequest,
    ) -> ServiceResult<pb::Dossier> {
        let (tx, mut row) = self
            .open_in(ctx, &request.name, &[S::Completed], "have its result returned")
            .await?;
        let now = self.now();
        row.return_time = Some(now);
        row.assignee = String::new();
        row.change(S::Returned, now, &ctx.principal.name, "");
        self.finish(tx, row, "procedures.dossier.returned", ctx).await
    }

    pub async fn rate(&self, ctx: &CallContext, request: pb::RateDossierRequest) -> ServiceResult<pb::Dossier> {
        match pb::Satisfaction::try_from(request.satisfaction) {
            Ok(pb::Satisfaction::Unspecified) => return Err(ServiceError::invalid("satisfaction", "is required")),
            Err(_) => {
                return Err(ServiceError::invalid(
                    "satisfaction",
                    format!("unknown value {}", request.satisfaction),
                ));
            }
            Ok(_) => {}
        }
        let mut v = Violations::new();
        let comment = text::clean(&mut v, "comment", &request.comment, false, 2000);
        v.check()?;
        let ctx = ctx.clone().with_reason(&comment);
        let (tx, mut row) = self.open(&ctx, &request.name).await?;
        if row.status() != S::Returned {
            return Err(ServiceError::precondition(
                "NOT_RETURNED",
                row.name(),
                format!(
                    "{} is {}: an applicant rates a dossier once its result is returned",
                    row.code,
                    status_label(row.status())
                ),
            ));
        }
        if row.satisfaction != 0 {
            return Err(ServiceError::precondition(
                "ALREADY_RATED",
                row.name(),
                format!("{} was already rated", row.code),
            ));
        }
        row.satisfaction = request.satisfaction;
        self.finish(tx, row, "procedures.dossier.rated", &ctx).await
    }
}

/// A time for messages, in local time.
fn local(time: DateTime<Utc>) -> String {
    calendar::local_time(time).format("%H:%M %d/%m/%Y").to_string()
}
