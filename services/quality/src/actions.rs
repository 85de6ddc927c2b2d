//! Corrective actions (hành động khắc phục, ISO 9001 §10.2): opened from a
//! nonconformity, planned (root cause, actions with owners and due dates),
//! implemented by the owners, verified effective by someone else, closed.
//!
//! OPEN → ACTIONS_PLANNED → IMPLEMENTED → VERIFIED_EFFECTIVE → CLOSED, and
//! IMPLEMENTED → NOT_EFFECTIVE → ACTIONS_PLANNED when the verification finds
//! the cause still there. Planning again replaces the plan and keeps the
//! replaced one, with what was done of it, in the action's `history`.
//!
//! Columns: `parent` the audit id, `unit` the finding's auditee, `state`,
//! `sort_key` the due date (the earliest action's, else the action's own).

use chrono::NaiveDate;
use eiso_platform::aip::list::Spec;
use eiso_platform::aip::time::{proto_date, timestamp};
use eiso_platform::aip::{names, text};
use eiso_platform::effective::Effective;
use eiso_platform::journal::{Begun, fingerprint};
use eiso_platform::scope::Scope;
use eiso_platform::{CallContext, ServiceError, ServiceResult, Violations};
use eiso_proto::eiso::identity::v1::Role;
use eiso_proto::eiso::procedures::v1::LocalDate;
use eiso_proto::eiso::quality::v1 as pb;
use pb::corrective_action::State;
use sea_orm::sea_query::{Expr, ExprTrait};

use crate::Quality;
use crate::audits::{is_nonconformity, parse_finding};
use crate::common::{check_date, check_date_opt, check_name, date_key, effective_step, eq, required_text, today};
use crate::listing::{Field, List};
use crate::store::{AUDITS, CORRECTIVE_ACTIONS, FINDINGS, Row, stored};
use crate::write;

/// States in which a corrective action is still to be carried out: past its
/// due date, it is overdue.
pub const PENDING: [State; 3] = [State::Open, State::ActionsPlanned, State::NotEffective];

/// ListCorrectiveActions: by state, unit and audit; by creation (default) or
/// due date.
pub(crate) const LIST_ACTIONS: List<pb::CorrectiveAction> = List::new(
    Spec::new(&["state", "unit", "audit"], &["create_time", "due_date"], "create_time"),
    &[
        ("state", Field::state(|s| State::from_str_name(s).map(i32::from))),
        ("unit", Field::Text("unit")),
        ("audit", Field::Id("parent", "audits")),
    ],
    &[("due_date", "sort_key")],
);
/// ListOverdueCorrectiveActions: by due date, the longest overdue first.
pub(crate) const LIST_OVERDUE: List<pb::CorrectiveAction> = List::new(
    Spec::new(&[], &["due_date"], "due_date"),
    &[],
    &[("due_date", "sort_key")],
);

stored!(
    pb::CorrectiveAction,
    CORRECTIVE_ACTIONS,
    "quality.corrective_action",
    [etag, create_time, update_time]
);

fn wrong_state(id: &str, state: i32, wanted: &str) -> ServiceError {
    let current = State::try_from(state)
        .map(|s| s.as_str_name())
        .unwrap_or("STATE_UNSPECIFIED");
    ServiceError::precondition(
        "CORRECTIVE_ACTION_STATE",
        format!("correctiveActions/{id}"),
        format!("correctiveActions/{id} is {current}; this needs it {wanted}"),
    )
}

/// When a corrective action is due: the earliest planned action's due
/// date, else the action's own.
pub(crate) fn action_due(action: &pb::CorrectiveAction) -> Option<NaiveDate> {
    let dates = action
        .actions
        .iter()
        .filter_map(|a| a.due_date.as_ref())
        .chain(if action.actions.is_empty() {
            action.due_date.as_ref()
        } else {
            None
        });
    dates
        .filter_map(|d| crate::common::date_from_proto(Some(d), "due_date").ok())
        .min()
}

/// The due key ([`action_due`]) the list orders and filters by.
fn due_key(action: &pb::CorrectiveAction) -> String {
    action_due(action).map(date_key).unwrap_or_default()
}

impl Quality {
    pub async fn create_corrective_action(
        &self,
        ctx: &CallContext,
        request: pb::CreateCorrectiveActionRequest,
    ) -> ServiceResult<pb::CorrectiveAction> {
        let print = fingerprint(&request);
        let input = request.corrective_action.unwrap_or_default();
        let (audit_id, finding_id) = parse_finding(&input.finding, "corrective_action.finding")?;
        let mut v = Violations::new();
        let due = if input.due_date.is_some() {
            check_date(&mut v, input.due_date.as_ref(), "corrective_action.due_date")
        } else {
            None
        };
        let open_day = if input.open_date.is_some() {
            check_date(&mut v, input.open_date.as_ref(), "corrective_action.open_date")
        } else {
            None
        };
        let opened = Effective::check(
            &mut v,
            open_day,
            &request.reason,
            today(self.clock.now()),
            ("corrective_action.open_date", "reason"),
            None,
        );
        if let Some(due) = due
            && due < opened.day
        {
            v.add(
                "corrective_action.due_date",
                "must not be before the day the action was opened (open_date)",
            );
        }
        v.check()?;
        let ctx = &opened.audited(ctx);
        // The finding: one the caller may not read is reported as missing;
        // the action is opened in the unit audited.
        let missing =
            || ServiceError::invalid("corrective_action.finding", format!("{} does not exist", input.finding));
        let db = self.journal.db().reader();
        let audit: Row<pb::Audit> = AUDITS.find(db, &audit_id).await?.ok_or_else(missing)?;
        let finding: Row<pb::Finding> = FINDINGS
            .find(db, &finding_id)
            .await?
            .filter(|f| f.parent == audit_id)
            .ok_or_else(missing)?;
        if !self.reads(ctx, &audit.unit).await? {
            return Err(missing());
        }
        self.require_unit(ctx, &finding.message.auditee, "the corrective action")
            .await?;
        let mut tx = match self
            .journal
            .begin_idempotent::<pb::CorrectiveAction>(ctx, &print)
            .await?
        {
            Begun::Fresh(tx) => *tx,
            Begun::Replayed(done) => return Ok(done),
        };
        let mut finding: Row<pb::Finding> = FINDINGS
            .find(tx.txn(), &finding_id)
            .await?
            .filter(|f| f.parent == audit_id)
            .ok_or_else(|| {
                ServiceError::invalid("corrective_action.finding", format!("{} does not exist", input.finding))
            })?;
        if !is_nonconformity(finding.kind) {
            return Err(ServiceError::precondition(
                "FINDING_NOT_NONCONFORMITY",
                input.finding.clone(),
                format!(
                    "{} is not a nonconformity: observations and opportunities need no corrective action",
                    input.finding
                ),
            ));
        }
        if !finding.message.corrective_action.is_empty() {
            return Err(ServiceError::AlreadyExists(format!(
                "{} already has corrective action {}",
                input.finding, finding.message.corrective_action
            )));
        }
        let now = self.clock.now();
        let id = names::new_id();
        let mut row = Row::new(
            id.clone(),
            pb::CorrectiveAction {
                finding: input.finding.clone(),
                nonconformity: finding.message.statement.clone(),
                unit: finding.message.auditee.clone(),
                due_date: due.map(proto_date),
                state: State::Open as i32,
                open_date: Some(proto_date(opened.day)),
                ..Default::default()
            },
            now,
        );
        row.parent = audit_id;
        row.unit = finding.message.auditee.clone();
        row.state = State::Open as i32;
        row.sort_key = due_key(&row.message);
        let action = write::insert(&mut tx, &row).await?;
        finding.message.corrective_action = format!("correctiveActions/{id}");
        write::save(&mut tx, &mut finding, now, "updated").await?;
        tx.commit_idempotent(action).await
    }

    pub async fn get_corrective_action(
        &self,
        ctx: &CallContext,
        request: pb::GetCorrectiveActionRequest,
    ) -> ServiceResult<pb::CorrectiveAction> {
        self.get(ctx, &request.name).await
    }

    pub async fn list_corrective_actions(
        &self,
        ctx: &CallContext,
        request: pb::ListCorrectiveActionsRequest,
    ) -> ServiceResult<pb::ListCorrectiveActionsResponse> {
        let (rows, next_page_token) = self.page_in_scope(ctx, &LIST_ACTIONS, &request).await?;
        Ok(pb::ListCorrectiveActionsResponse {
            corrective_actions: rows.iter().map(Row::answer).collect(),
            next_page_token,
        })
    }

    /// Corrective actions not yet implemented whose due date is before today
    /// (local), the longest overdue first.
    pub async fn list_overdue_corrective_actions(
        &self,
        ctx: &CallContext,
        request: pb::ListOverdueCorrectiveActionsRequest,
    ) -> ServiceResult<pb::ListOverdueCorrectiveActionsResponse> {
        let mut filters = vec![
            Expr::col("state").is_in(PENDING.map(|s| s as i32)),
            Expr::col("sort_key").ne(""),
            Expr::col("sort_key").lt(date_key(today(self.clock.now()))),
        ];
        if !request.unit.is_empty() {
            names::parse(&request.unit, "units", "unit")?;
            self.require_covered(ctx, &request.unit).await?;
            filters.push(eq("unit", request.unit.clone()));
        }
        filters.extend(self.method_scope(ctx).await?.condition("unit"));
        let listing = LIST_OVERDUE.read_under(&format!("overdue|{}", request.unit), &request)?;
        let (rows, next_page_token) = LIST_OVERDUE.page(self.journal.db().reader(), &listing, filters).await?;
        Ok(pb::ListOverdueCorrectiveActionsResponse {
            corrective_actions: rows.iter().map(Row::answer).collect(),
            next_page_token,
        })
    }

    pub async fn plan_corrective_action(
        &self,
        ctx: &CallContext,
        request: pb::PlanCorrectiveActionRequest,
    ) -> ServiceResult<pb::CorrectiveAction> {
        let id = names::parse(&request.name, "correctiveActions", "name")?;
        let mut v = Violations::new();
        let root_cause = text::clean(&mut v, "root_cause", &request.root_cause, true, 10_000);
        let effective_day = check_date_opt(&mut v, request.effective_date.as_ref(), "effective_date");
        let current = self.current_action(ctx, &id).await?;
        let planned = Effective::check(
            &mut v,
            effective_day,
            &request.reason,
            today(self.clock.now()),
            ("effective_date", "reason"),
            Some((last_step_day(&current), "the corrective action's last step")),
        );
        let mut actions = Vec::new();
        for (i, action) in request.actions.iter().enumerate() {
            let f = format!("actions[{i}]");
            let description = text::clean(&mut v, &format!("{f}.description"), &action.description, true, 5000);
            check_name(&mut v, &action.owner, "users", &format!("{f}.owner"));
            let due = check_date(&mut v, action.due_date.as_ref(), &format!("{f}.due_date"));
            if let Some(due) = due
                && due < planned.day
            {
                v.add(
                    format!("{f}.due_date"),
                    "must not be before the day the actions are planned (effective_date)",
                );
            }
            actions.push(pb::PlannedAction {
                description,
                owner: action.owner.clone(),
                due_date: due.map(proto_date),
            });
        }
        if request.actions.is_empty() {
            v.add("actions", "needs at least one action");
        } else if request.actions.len() > 100 {
            v.add("actions", "has more than 100 actions");
        }
        v.check()?;
        for (i, action) in actions.iter().enumerate() {
            self.check_user(&action.owner, &format!("actions[{i}].owner")).await?;
        }
        let ctx = &planned.audited(ctx);
        let (tx, mut row) = self
            .begin_change::<pb::CorrectiveAction>(ctx, &id, &request.etag)
            .await?;
        if ![State::Open, State::ActionsPlanned, State::NotEffective]
            .iter()
            .any(|s| *s as i32 == row.state)
        {
            return Err(wrong_state(&id, row.state, "OPEN, ACTIONS_PLANNED or NOT_EFFECTIVE"));
        }
        let now = self.clock.now();
        if row.state != State::Open as i32 {
            let replaced = replaced_plan(&mut row.message, row.state, &ctx.principal.name, now);
            row.message.history.push(replaced);
        }
        row.message.root_cause = root_cause;
        row.message.actions = actions;
        row.message.plan_date = Some(proto_date(planned.day));
        row.message.planner = ctx.principal.name.clone();
        row.message.plan_time = Some(timestamp(now));
        row.message.plan_late_reason = planned.reason.clone();
        row.state = State::ActionsPlanned as i32;
        row.message.state = row.state;
        row.sort_key = due_key(&row.message);
        self.commit_change(tx, row, "planned").await
    }

    pub async fn implement_corrective_action(
        &self,
        ctx: &CallContext,
        request: pb::ImplementCorrectiveActionRequest,
    ) -> ServiceResult<pb::CorrectiveAction> {
        let id = names::parse(&request.name, "correctiveActions", "name")?;
        let note = required_text("note", &request.note, 10_000)?;
        let done = self
            .effective_step(ctx, &id, request.effective_date.as_ref(), &request.reason)
            .await?;
        let ctx = &done.audited(ctx);
        let (tx, mut row) = self
            .begin_change::<pb::CorrectiveAction>(ctx, &id, &request.etag)
            .await?;
        let owner = row.message.actions.iter().any(|a| a.owner == ctx.principal.name);
        let leader = Scope::of_roles(self.directory.as_ref(), &ctx.principal, Some(&[Role::Leader]))
            .await?
            .covers(&row.unit);
        if !owner && !leader {
            return Err(ServiceError::PermissionDenied(format!(
                "only the owners of correctiveActions/{id}'s actions or a leader of its unit report it implemented"
            )));
        }
        if row.state != State::ActionsPlanned as i32 {
            return Err(wrong_state(&id, row.state, "ACTIONS_PLANNED"));
        }
        row.message.implementation_note = note;
        row.message.implement_date = Some(proto_date(done.day));
        row.state = State::Implemented as i32;
        row.message.state = row.state;
        self.commit_change(tx, row, "implemented").await
    }

    pub async fn verify_corrective_action(
        &self,
        ctx: &CallContext,
        request: pb::VerifyCorrectiveActionRequest,
    ) -> ServiceResult<pb::CorrectiveAction> {
        let id = names::parse(&request.name, "correctiveActions", "name")?;
        let note = required_text("note", &request.note, 10_000)?;
        let verified = self
            .effective_step(ctx, &id, request.effective_date.as_ref(), &request.reason)
            .await?;
        let ctx = &verified.audited(ctx);
        let (mut tx, mut row) = self
            .begin_change::<pb::CorrectiveAction>(ctx, &id, &request.etag)
            .await?;
        if row.state != State::Implemented as i32 {
            return Err(wrong_state(&id, row.state, "IMPLEMENTED"));
        }
        if row.message.actions.iter().any(|a| a.owner == ctx.principal.name) {
            return Err(ServiceError::precondition(
                "VERIFIER_IS_OWNER",
                ctx.principal.name.clone(),
                format!(
                    "{} owns an action of correctiveActions/{id}: effectiveness is verified by someone else",
                    ctx.principal.name
                ),
            ));
        }
        let now = self.clock.now();
        row.message.verifications.push(pb::Verification {
            verifier: ctx.principal.name.clone(),
            effective: request.effective,
            note,
            verify_time: Some(timestamp(now)),
            verify_date: Some(proto_date(verified.day)),
            late_reason: verified.reason.clone(),
        });
        row.state = if request.effective {
            State::VerifiedEffective as i32
        } else {
            State::NotEffective as i32
        };
        row.message.state = row.state;
        let action = write::save(&mut tx, &mut row, now, "verified").await?;
        tx.commit().await?;
        Ok(action)
    }

    pub async fn close_corrective_action(
        &self,
        ctx: &CallContext,
        request: pb::CloseCorrectiveActionRequest,
    ) -> ServiceResult<pb::CorrectiveAction> {
        let id = names::parse(&request.name, "correctiveActions", "name")?;
        let closed = self
            .effective_step(ctx, &id, request.effective_date.as_ref(), &request.reason)
            .await?;
        let ctx = &closed.audited(ctx);
        let (mut tx, mut row) = self
            .begin_change::<pb::CorrectiveAction>(ctx, &id, &request.etag)
            .await?;
        if row.state != State::VerifiedEffective as i32 {
            return Err(wrong_state(&id, row.state, "VERIFIED_EFFECTIVE"));
        }
        let now = self.clock.now();
        row.state = State::Closed as i32;
        row.message.state = row.state;
        row.message.close_time = Some(timestamp(now));
        row.message.close_date = Some(proto_date(closed.day));
        let action = write::save(&mut tx, &mut row, now, "closed").await?;
        tx.commit().await?;
        Ok(action)
    }
}

impl Quality {
    /// The corrective action `id` as the caller's method may see it, before
    /// a change (NOT_FOUND otherwise, as the change would answer).
    async fn current_action(&self, ctx: &CallContext, id: &str) -> ServiceResult<pb::CorrectiveAction> {
        let db = self.journal.db().reader();
        let row: Row<pb::CorrectiveAction> = CORRECTIVE_ACTIONS
            .find(db, id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("correctiveActions/{id}")))?;
        if !self.reads(ctx, &row.unit).await? {
            return Err(ServiceError::NotFound(format!("correctiveActions/{id}")));
        }
        Ok(row.message)
    }

    /// The day a step of the corrective action `id` happened, as its request
    /// says ([`Effective`]): not after today, not before its last step.
    async fn effective_step(
        &self,
        ctx: &CallContext,
        id: &str,
        day: Option<&LocalDate>,
        reason: &str,
    ) -> ServiceResult<Effective> {
        let current = self.current_action(ctx, id).await?;
        effective_step(
            day,
            reason,
            today(self.clock.now()),
            Some((last_step_day(&current), "the corrective action's last step")),
        )
    }
}

/// The plan of `action` as its history keeps it once `by` replaces it at
/// `now`, in `state`; what was carried out of it leaves the action with it.
fn replaced_plan(
    action: &mut pb::CorrectiveAction,
    state: i32,
    by: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> pb::ActionPlanRevision {
    let due_date = action_due(action).map(proto_date);
    pb::ActionPlanRevision {
        root_cause: std::mem::take(&mut action.root_cause),
        due_date,
        actions: std::mem::take(&mut action.actions),
        planner: std::mem::take(&mut action.planner),
        plan_time: action.plan_time.take(),
        plan_date: action.plan_date.take(),
        late_reason: std::mem::take(&mut action.plan_late_reason),
        implementation_note: std::mem::take(&mut action.implementation_note),
        implement_date: action.implement_date.take(),
        replaced_state: state,
        replaced_by: by.to_string(),
        replace_time: Some(timestamp(now)),
    }
}

/// The day of a corrective action's latest step: opened, planned, carried
/// out, verified or closed (for one recorded before these days were kept,
/// the day it was created).
pub(crate) fn last_step_day(action: &pb::CorrectiveAction) -> NaiveDate {
    let day = |d: &Option<LocalDate>| {
        d.as_ref()
            .and_then(|d| crate::common::date_from_proto(Some(d), "day").ok())
    };
    [
        day(&action.open_date),
        day(&action.plan_date),
        day(&action.implement_date),
        day(&action.close_date),
    ]
    .into_iter()
    .chain(action.verifications.iter().map(|v| day(&v.verify_date)))
    .flatten()
    .max()
    .or_else(|| crate::common::local_date(action.create_time.as_ref()))
    .unwrap_or(NaiveDate::MIN)
}
