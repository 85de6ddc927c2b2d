//! Plans, tasks and targets: create, read, update; task progress and evidence.

use chrono::NaiveDate;
use eiso_platform::aip::time::{proto_date, timestamp};
use eiso_platform::aip::{etag, field_mask, list, names, text};
use eiso_platform::effective::Effective;
use eiso_platform::journal::{Begun, fingerprint};
use eiso_platform::{CallContext, NewEvent, ServiceError, ServiceResult, Violations};
use eiso_proto::eiso::plans::v1 as pb;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, Order, Query};

use crate::Plans;
use crate::access::{Seen, is_invisible};
use crate::convert::{date_from_proto, local_date};
use crate::progress;
use crate::rows::{self, PlanRow, TargetRow, TaskRow, new_plan_id, parse_child, parse_plan};
use crate::table::{parent_number, valid_number};
use crate::timeframe;

pub const MAX_TEXT: usize = 2000;

use eiso_platform::aip::enums::check as check_enum;

use eiso_platform::spreadsheet::fold;

/// Names a unit is written as in a plan: its display name, its code, and for an education
/// office the usual abbreviations.
fn unit_spellings(display_name: &str, code: &str) -> Vec<String> {
    let mut out = vec![fold(display_name), fold(code)];
    let name = fold(display_name);
    if name.starts_with("phòng giáo dục và đào tạo") {
        out.extend(
            ["phòng gd&đt", "phòng gdđt", "phòng gd-đt", "phòng giáo dục và đào tạo"]
                .into_iter()
                .map(String::from),
        );
    }
    out.retain(|s| !s.is_empty());
    out
}

/// What unit names resolve to: (folded spelling, `units/{id}`).
pub type UnitAliases = Vec<(String, String)>;

/// The units `written` names, in the order of `aliases`, without repeats.
pub fn resolve_units(written: &str, aliases: &UnitAliases) -> Vec<String> {
    let folded = fold(written);
    let mut out: Vec<String> = Vec::new();
    for (spelling, unit) in aliases {
        if !spelling.is_empty() && folded.contains(spelling.as_str()) && !out.contains(unit) {
            out.push(unit.clone());
        }
    }
    out
}

impl Plans {
    /// The default unit aliases of a plan: the issuing unit's spellings.
    pub(crate) async fn issuing_aliases(&self, issuing_unit: &str) -> ServiceResult<UnitAliases> {
        Ok(match self.directory.unit(issuing_unit).await? {
            Some(unit) => unit_spellings(&unit.display_name, &unit.code)
                .into_iter()
                .map(|s| (s, issuing_unit.to_string()))
                .collect(),
            None => Vec::new(),
        })
    }

    pub(crate) async fn check_unit(&self, unit: &str, field: &str) -> ServiceResult<()> {
        names::parse(unit, "units", field)?;
        match self.directory.unit(unit).await? {
            None => Err(ServiceError::invalid(field, format!("{unit} does not exist"))),
            Some(found) if !found.active => Err(ServiceError::precondition(
                "UNIT_NOT_ACTIVE",
                unit,
                format!("{unit} is merged or dissolved; use its successor"),
            )),
            Some(_) => Ok(()),
        }
    }

    /// Checks a plan's content.
    pub(crate) async fn clean_plan(&self, input: &pb::Plan, prefix: &str) -> ServiceResult<pb::Plan> {
        let mut v = Violations::new();
        let f = |name: &str| format!("{prefix}.{name}");
        let title = text::clean(&mut v, &f("title"), &input.title, true, 500);
        if !(2000..=2200).contains(&input.year) {
            v.add(f("year"), "must be a year between 2000 and 2200");
        }
        if input.legal_bases.len() > 100 {
            v.add(f("legal_bases"), "at most 100");
        }
        let legal_bases: Vec<String> = input
            .legal_bases
            .iter()
            .enumerate()
            .map(|(i, basis)| text::clean(&mut v, &f(&format!("legal_bases[{i}]")), basis, true, MAX_TEXT))
            .collect();
        if input.report_recipients.len() > 30 {
            v.add(f("report_recipients"), "at most 30");
        }
        let report_recipients: Vec<String> = input
            .report_recipients
            .iter()
            .enumerate()
            .map(|(i, to)| text::clean(&mut v, &f(&format!("report_recipients[{i}]")), to, true, 200))
            .collect();
        if input.issuing_unit.is_empty() {
            v.add(f("issuing_unit"), "is required");
        }
        v.check()?;
        self.check_unit(&input.issuing_unit, &f("issuing_unit")).await?;
        Ok(pb::Plan {
            year: input.year,
            issuing_unit: input.issuing_unit.clone(),
            title,
            legal_bases,
            report_recipients,
            ..Default::default()
        })
    }

    /// Checks a task's content fields (number, content, units, product, time frame, notes,
    /// status) and derives its dates and units. `fields` names each field in errors.
    pub(crate) fn clean_task(
        &self,
        input: &pb::Task,
        plan_year: i32,
        aliases: &UnitAliases,
        fields: &dyn Fn(&str) -> String,
        violations: &mut Violations,
    ) -> pb::Task {
        let number = clean_number(
            &input.number,
            "task",
            "1, 1.1, 2.3 or a roman numeral I, II",
            fields,
            violations,
        );
        let content = text::clean(violations, &fields("content"), &input.content, true, MAX_TEXT);
        let units_text = text::clean(
            violations,
            &fields("responsible_units_text"),
            &input.responsible_units_text,
            false,
            1000,
        );
        let product = text::clean(violations, &fields("product"), &input.product, false, 1000);
        let time_frame = text::clean(violations, &fields("time_frame"), &input.time_frame, false, 200);
        let notes = text::clean(violations, &fields("notes"), &input.notes, false, MAX_TEXT);
        check_enum::<pb::TaskStatus>(violations, &fields("status"), input.status, false);
        let section = number.split('.').count() == 1 && units_text.is_empty() && product.is_empty();
        let (start, end) = if time_frame.is_empty() {
            if !section {
                violations.add(
                    fields("time_frame"),
                    "is required for a task (only a section, with no unit or product, may leave it empty)",
                );
            }
            (None, None)
        } else {
            match timeframe::parse(&time_frame, plan_year) {
                Ok(frame) => (Some(proto_date(frame.start)), Some(proto_date(frame.end))),
                Err(error) => {
                    violations.add(fields("time_frame"), error);
                    (None, None)
                }
            }
        };
        pb::Task {
            number,
            content,
            responsible_units: resolve_units(&units_text, aliases),
            responsible_units_text: units_text,
            product,
            time_frame,
            start_date: start,
            end_date: end,
            notes,
            status: if input.status == 0 {
                pb::TaskStatus::NotStarted as i32
            } else {
                input.status
            },
            ..Default::default()
        }
    }

    pub(crate) fn clean_target(
        &self,
        input: &pb::Target,
        fields: &dyn Fn(&str) -> String,
        violations: &mut Violations,
    ) -> pb::Target {
        let number = clean_number(&input.number, "target", "1, 4.1", fields, violations);
        let text = text::clean(violations, &fields("text"), &input.text, true, MAX_TEXT);
        check_enum::<pb::Measure>(violations, &fields("measure"), input.measure, true);
        check_enum::<pb::Comparator>(violations, &fields("comparator"), input.comparator, false);
        if !(0.0..=100.0).contains(&input.threshold_percent) {
            violations.add(fields("threshold_percent"), "must be between 0 and 100");
        }
        if input.manual_numerator < 0 || input.manual_denominator < 0 {
            violations.add(fields("manual_numerator"), "figures must not be negative");
        } else if input.manual_numerator > input.manual_denominator && input.manual_denominator > 0 {
            violations.add(fields("manual_numerator"), "must not exceed manual_denominator");
        }
        pb::Target {
            number,
            text,
            measure: input.measure,
            comparator: if input.comparator == 0 {
                pb::Comparator::AtLeast as i32
            } else {
                input.comparator
            },
            threshold_percent: input.threshold_percent,
            manual_numerator: input.manual_numerator,
            manual_denominator: input.manual_denominator,
            ..Default::default()
        }
    }

    // -----------------------------------------------------------------------------------
    // Plans

    pub async fn create_plan(&self, ctx: &CallContext, request: pb::CreatePlanRequest) -> ServiceResult<pb::Plan> {
        let print = fingerprint(&request);
        let content = self.clean_plan(&request.plan.unwrap_or_default(), "plan").await?;
        self.method_scope(ctx)
            .await?
            .require(&content.issuing_unit, "the plan")?;
        let id = new_plan_id(&request.plan_id)?;
        let mut tx = match self.journal.begin_idempotent::<pb::Plan>(ctx, &print).await? {
            Begun::Fresh(tx) => *tx,
            Begun::Replayed(done) => return Ok(done),
        };
        let now = self.clock.now();
        let row = PlanRow {
            id,
            content,
            create_time: now,
            update_time: now,
            version: 1,
        };
        row.insert(tx.txn()).await?;
        let plan = row.to_proto(tx.txn()).await?;
        tx.event(NewEvent::with("plans.plan.created", &plan.name, &plan));
        tx.commit_idempotent(plan).await
    }

    pub async fn get_plan(&self, ctx: &CallContext, request: pb::GetPlanRequest) -> ServiceResult<pb::Plan> {
        let id = parse_plan(&request.name, "name")?;
        let db = self.journal.db().reader();
        self.checked_plan(ctx, db, &id).await?.to_proto(db).await
    }

    pub async fn list_plans(
        &self,
        ctx: &CallContext,
        request: pb::ListPlansRequest,
    ) -> ServiceResult<pb::ListPlansResponse> {
        const SPEC: list::Spec =
            list::Spec::new(&["issuing_unit", "year"], &["year", "create_time"], "year desc").sizes(50, 500);
        let listing = eiso_platform::listing!(&SPEC, request)?;
        let mut query = rows::plan_select();
        if let Some(covered) = self.method_scope(ctx).await?.condition("issuing_unit") {
            query.and_where(covered);
        }
        listing.filter(&mut query, |condition| {
            Ok(match condition.field.as_str() {
                "year" => Expr::col("year")
                    .eq(condition.value.parse::<i32>().map_err(|_| {
                        ServiceError::invalid("filter", format!("`{}` is not a year", condition.value))
                    })?),
                _ => Expr::col("issuing_unit").eq(condition.value.clone()),
            })
        })?;
        listing.order_and_limit(&mut query, "id");
        let db = self.journal.db().reader();
        let (found, next_page_token) = listing.rows(db, &query).await?;
        let mut plans = Vec::new();
        for row in &found {
            plans.push(PlanRow::from_row(row)?.to_proto(db).await?);
        }
        Ok(pb::ListPlansResponse { plans, next_page_token })
    }

    pub async fn update_plan(&self, ctx: &CallContext, request: pb::UpdatePlanRequest) -> ServiceResult<pb::Plan> {
        let input = request.plan.unwrap_or_default();
        let id = parse_plan(&input.name, "plan.name")?;
        let paths = field_mask::paths(
            request.update_mask.as_ref(),
            &["title", "legal_bases", "report_recipients"],
        )?;
        let mut tx = self.journal.begin(ctx).await?;
        let mut row = self.checked_plan(ctx, tx.txn(), &id).await?;
        etag::check(&request.etag, &row.name(), row.version)?;
        let mut merged = row.content.clone();
        for path in paths {
            match path {
                "title" => merged.title = input.title.clone(),
                "legal_bases" => merged.legal_bases = input.legal_bases.clone(),
                _ => merged.report_recipients = input.report_recipients.clone(),
            }
        }
        row.content = self.clean_plan(&merged, "plan").await?;
        row.save(tx.txn(), self.clock.now()).await?;
        let plan = row.to_proto(tx.txn()).await?;
        tx.event(NewEvent::with("plans.plan.updated", &plan.name, &plan));
        tx.commit().await?;
        Ok(plan)
    }

    // -----------------------------------------------------------------------------------
    // Tasks

    pub async fn create_task(&self, ctx: &CallContext, request: pb::CreateTaskRequest) -> ServiceResult<pb::Task> {
        let print = fingerprint(&request);
        let plan_id = parse_plan(&request.parent, "parent")?;
        let plan = self.checked_plan(ctx, self.journal.db().reader(), &plan_id).await?;
        let aliases = self.issuing_aliases(&plan.content.issuing_unit).await?;
        let mut v = Violations::new();
        let content = self.clean_task(
            &request.task.unwrap_or_default(),
            plan.content.year,
            &aliases,
            &|f| format!("task.{f}"),
            &mut v,
        );
        v.check()?;
        let mut tx = match self.journal.begin_idempotent::<pb::Task>(ctx, &print).await? {
            Begun::Fresh(tx) => *tx,
            Begun::Replayed(done) => return Ok(done),
        };
        let mut content = content;
        if let Some(parent) = parent_number(&content.number) {
            let parent_row = rows::task_by_number(tx.txn(), &plan_id, parent).await?.ok_or_else(|| {
                ServiceError::invalid("task.number", format!("task {parent} (the parent) does not exist"))
            })?;
            content.parent = parent_row.name();
        }
        let now = self.clock.now();
        let task = TaskRow::new(&plan_id, content, now).create(&mut tx).await?;
        self.refresh_sections(&mut tx, &plan_id).await?;
        tx.commit_idempotent(task).await
    }

    /// Recomputes the dates of section tasks (no time frame of their own) from their
    /// descendants; queues an event for each one that changed.
    pub(crate) async fn refresh_sections(
        &self,
        tx: &mut eiso_platform::WriteTx<'_>,
        plan_id: &str,
    ) -> ServiceResult<()> {
        let tasks = rows::all_tasks(tx.txn(), plan_id).await?;
        let span = |number: &str| {
            let prefix = format!("{number}.");
            let mut start: Option<NaiveDate> = None;
            let mut end: Option<NaiveDate> = None;
            for task in tasks.iter().filter(|t| t.content.number.starts_with(&prefix)) {
                if task.content.time_frame.is_empty() {
                    continue;
                }
                if let (Some(s), Some(e)) = (&task.content.start_date, &task.content.end_date) {
                    let s = crate::convert::date_from_proto(s, "start_date").ok();
                    let e = crate::convert::date_from_proto(e, "end_date").ok();
                    start = match (start, s) {
                        (Some(a), Some(b)) => Some(Ord::min(a, b)),
                        (a, b) => a.or(b),
                    };
                    end = match (end, e) {
                        (Some(a), Some(b)) => Some(Ord::max(a, b)),
                        (a, b) => a.or(b),
                    };
                }
            }
            (start.map(proto_date), end.map(proto_date))
        };
        let now = self.clock.now();
        for mut task in tasks.iter().filter(|t| t.content.time_frame.is_empty()).cloned() {
            let (start, end) = span(&task.content.number);
            if task.content.start_date != start || task.content.end_date != end {
                task.content.start_date = start;
                task.content.end_date = end;
                task.save(tx.txn(), now).await?;
                let proto = task.to_proto();
                tx.event(NewEvent::with("plans.task.updated", &proto.name, &proto));
            }
        }
        Ok(())
    }

    /// A task, to those who read its plan and to the units it is assigned
    /// to (who record its progress: [`Self::authorize_task_work`]).
    pub async fn get_task(&self, ctx: &CallContext, request: pb::GetTaskRequest) -> ServiceResult<pb::Task> {
        let (plan_id, id) = parse_child(&request.name, "tasks", "name")?;
        let db = self.journal.db().reader();
        let (_, task) = self.task_for_work(ctx, db, &plan_id, &id).await?;
        self.shown_one(ctx, task.to_proto()).await
    }

    pub async fn list_tasks(
        &self,
        ctx: &CallContext,
        request: pb::ListTasksRequest,
    ) -> ServiceResult<pb::ListTasksResponse> {
        let plan_id = parse_plan(&request.parent, "parent")?;
        const SPEC: list::Spec = list::Spec::new(&["status", "parent"], &["number"], "number").sizes(200, 1000);
        let listing = eiso_platform::listing!(&SPEC, request, under request.parent)?;
        let db = self.journal.db().reader();
        self.checked_plan(ctx, db, &plan_id).await?;
        let mut query = rows::task_select();
        query.and_where(Expr::col("plan_id").eq(plan_id.clone()));
        listing.filter(&mut query, |condition| {
            Ok(match condition.field.as_str() {
                "status" => Expr::col("status").eq(list::enum_value(
                    &condition.value,
                    "TASK_STATUS_",
                    "status",
                    pb::TaskStatus::from_str_name,
                )?),
                _ => {
                    let parent_id = if condition.value.is_empty() {
                        String::new()
                    } else {
                        parse_child(&condition.value, "tasks", "filter")?.1
                    };
                    Expr::col("parent_id").eq(parent_id)
                }
            })
        })?;
        // `number` is the only order: the tasks' outline order, by sort key.
        query.order_by("sort_key", Order::Asc);
        listing.limit(&mut query);
        let (found, next_page_token) = listing.rows(db, &query).await?;
        let mut seen = Seen::default();
        let mut tasks = Vec::new();
        for row in &found {
            let task = TaskRow::from_row(row)?.to_proto();
            tasks.push(self.shown(ctx, &mut seen, task).await?);
        }
        Ok(pb::ListTasksResponse { tasks, next_page_token })
    }

    pub async fn update_task(&self, ctx: &CallContext, request: pb::UpdateTaskRequest) -> ServiceResult<pb::Task> {
        let input = request.task.unwrap_or_default();
        let (plan_id, id) = parse_child(&input.name, "tasks", "task.name")?;
        let paths = field_mask::paths(
            request.update_mask.as_ref(),
            &[
                "content",
                "responsible_units_text",
                "product",
                "time_frame",
                "notes",
                "status",
            ],
        )?;
        let plan = self.checked_plan(ctx, self.journal.db().reader(), &plan_id).await?;
        let aliases = self.issuing_aliases(&plan.content.issuing_unit).await?;
        let mut tx = self.journal.begin(ctx).await?;
        let mut row = rows::get_task(tx.txn(), &plan_id, &id).await?;
        etag::check(&request.etag, &row.name(), row.version)?;
        let mut merged = row.content.clone();
        for path in &paths {
            match *path {
                "content" => merged.content = input.content.clone(),
                "responsible_units_text" => merged.responsible_units_text = input.responsible_units_text.clone(),
                "product" => merged.product = input.product.clone(),
                "time_frame" => merged.time_frame = input.time_frame.clone(),
                "notes" => merged.notes = input.notes.clone(),
                _ => merged.status = input.status,
            }
        }
        let mut v = Violations::new();
        let clean = self.clean_task(&merged, plan.content.year, &aliases, &|f| format!("task.{f}"), &mut v);
        if paths.contains(&"status") && input.status == 0 {
            v.add("task.status", "is required");
        }
        v.check()?;
        let now = self.clock.now();
        let was_done = row.content.status == pb::TaskStatus::Done as i32;
        let content = &mut row.content;
        content.content = clean.content;
        content.responsible_units_text = clean.responsible_units_text;
        content.responsible_units = clean.responsible_units;
        content.product = clean.product;
        content.time_frame = clean.time_frame;
        content.start_date = clean.start_date;
        content.end_date = clean.end_date;
        content.notes = clean.notes;
        content.status = clean.status;
        let done = content.status == pb::TaskStatus::Done as i32;
        if done && !was_done {
            content.complete_time = Some(timestamp(now));
            content.complete_date = Some(proto_date(local_date(now)));
        } else if !done {
            content.complete_time = None;
            content.complete_date = None;
        }
        row.save(tx.txn(), now).await?;
        let task = row.to_proto();
        tx.event(NewEvent::with("plans.task.updated", &task.name, &task));
        self.refresh_sections(&mut tx, &plan_id).await?;
        tx.commit().await?;
        self.shown_one(ctx, task).await
    }

    pub async fn record_progress(
        &self,
        ctx: &CallContext,
        request: pb::RecordTaskProgressRequest,
    ) -> ServiceResult<pb::Task> {
        let print = fingerprint(&request);
        let (plan_id, id) = parse_child(&request.name, "tasks", "name")?;
        let mut v = Violations::new();
        if !(0..=100).contains(&request.percent) {
            v.add("percent", "must be between 0 and 100");
        }
        let note = text::clean(&mut v, "note", &request.note, true, MAX_TEXT);
        let day = request
            .effective_date
            .as_ref()
            .map(|d| date_from_proto(d, "effective_date"))
            .transpose()?;
        let (plan, _) = self
            .task_for_work(ctx, self.journal.db().reader(), &plan_id, &id)
            .await?;
        let year_start = NaiveDate::from_ymd_opt(plan.content.year, 1, 1)
            .ok_or_else(|| ServiceError::invalid("effective_date", "the plan's year is out of range"))?;
        let effective = Effective::check(
            &mut v,
            day,
            &request.reason,
            self.today(),
            ("effective_date", "reason"),
            Some((year_start, "the plan's year")),
        );
        v.check()?;
        // The trail keeps when it was entered (the entry's time), by whom, and
        // when it happened with why it comes late.
        let ctx = &effective.audited(ctx);
        let mut tx = match self.journal.begin_idempotent::<pb::Task>(ctx, &print).await? {
            Begun::Fresh(tx) => *tx,
            Begun::Replayed(done) => return self.shown_one(ctx, done).await,
        };
        let (_, mut row) = self.task_for_work(ctx, tx.txn(), &plan_id, &id).await?;
        if row.content.status == pb::TaskStatus::Cancelled as i32 {
            return Err(ServiceError::precondition(
                "TASK_CANCELLED",
                row.name(),
                format!("{} is cancelled", row.name()),
            ));
        }
        let now = self.clock.now();
        let content = &mut row.content;
        content.progress.push(pb::ProgressUpdate {
            percent: request.percent,
            note,
            time: Some(timestamp(now)),
            author: ctx.principal.name.clone(),
            effective_date: Some(proto_date(effective.day)),
            reason: effective.reason,
        });
        progress::settle(content, now);
        row.save(tx.txn(), now).await?;
        let task = row.to_proto();
        tx.event(NewEvent::with("plans.task.progressed", &task.name, &task));
        let task = tx.commit_idempotent(task).await?;
        self.shown_one(ctx, task).await
    }

    pub async fn add_evidence(
        &self,
        ctx: &CallContext,
        request: pb::AddTaskEvidenceRequest,
    ) -> ServiceResult<pb::Task> {
        let (plan_id, id) = parse_child(&request.name, "tasks", "name")?;
        if request.resource.is_empty() {
            return Err(ServiceError::invalid("resource", "is required"));
        }
        self.task_for_work(ctx, self.journal.db().reader(), &plan_id, &id)
            .await?;
        // Exists and is visible to the caller (checked by the service that owns it).
        let linked = self.links.resolve(ctx, &request.resource, "resource").await?;
        let mut tx = self.journal.begin(ctx).await?;
        let (_, mut row) = self.task_for_work(ctx, tx.txn(), &plan_id, &id).await?;
        if row.content.evidence.iter().any(|e| e.resource == linked.name) {
            return self.shown_one(ctx, row.to_proto()).await;
        }
        if row.content.evidence.len() >= 500 {
            return Err(ServiceError::precondition(
                "TOO_MUCH_EVIDENCE",
                row.name(),
                "a task holds at most 500 evidence links",
            ));
        }
        let now = self.clock.now();
        row.content.evidence.push(pb::Evidence {
            resource: linked.name.clone(),
            kind: linked.kind,
            title: linked.title,
            actor: ctx.principal.name.clone(),
            add_time: Some(timestamp(now)),
        });
        tx.txn()
            .execute(
                Query::insert()
                    .into_table("task_evidence")
                    .columns(["resource", "plan_id", "task_id", "sort_key"])
                    .values_panic([
                        linked.name.into(),
                        plan_id.clone().into(),
                        id.clone().into(),
                        crate::table::sort_key(&row.content.number).into(),
                    ]),
            )
            .await?;
        row.save(tx.txn(), now).await?;
        let task = row.to_proto();
        tx.event(NewEvent::with("plans.task.evidence_added", &task.name, &task));
        tx.commit().await?;
        self.shown_one(ctx, task).await
    }

    pub async fn remove_evidence(
        &self,
        ctx: &CallContext,
        request: pb::RemoveTaskEvidenceRequest,
    ) -> ServiceResult<pb::Task> {
        let (plan_id, id) = parse_child(&request.name, "tasks", "name")?;
        if request.resource.is_empty() {
            return Err(ServiceError::invalid("resource", "is required"));
        }
        let mut tx = self.journal.begin(ctx).await?;
        let (_, mut row) = self.task_for_work(ctx, tx.txn(), &plan_id, &id).await?;
        let before = row.content.evidence.len();
        row.content.evidence.retain(|e| e.resource != request.resource);
        if row.content.evidence.len() == before {
            return Err(ServiceError::NotFound(format!(
                "{} as evidence of {}",
                request.resource,
                row.name()
            )));
        }
        tx.txn()
            .execute(
                Query::delete()
                    .from_table("task_evidence")
                    .and_where(Expr::col("resource").eq(request.resource.clone()))
                    .and_where(Expr::col("plan_id").eq(plan_id.clone()))
                    .and_where(Expr::col("task_id").eq(id.clone())),
            )
            .await?;
        row.save(tx.txn(), self.clock.now()).await?;
        let task = row.to_proto();
        tx.event(NewEvent::with("plans.task.evidence_removed", &task.name, &task));
        tx.commit().await?;
        self.shown_one(ctx, task).await
    }

    pub async fn list_tasks_by_evidence(
        &self,
        ctx: &CallContext,
        request: pb::ListTasksByEvidenceRequest,
    ) -> ServiceResult<pb::ListTasksByEvidenceResponse> {
        let resource = request.resource.trim().to_string();
        let parts: Vec<&str> = resource.split('/').collect();
        let is_id = |id: &str| names::valid_id(id);
        let document = match parts.as_slice() {
            ["documents", id] if is_id(id) => true,
            ["documents", id, "revisions", n] if is_id(id) && n.parse::<u32>().is_ok() => false,
            ["records", id] | ["dossiers", id] if is_id(id) => false,
            _ => {
                return Err(ServiceError::invalid(
                    "resource",
                    "must be `documents/{id}`, `documents/{id}/revisions/{n}`, `records/{id}` or `dossiers/{id}`",
                ));
            }
        };
        let listing = list::Listing::paged(request.page_size, &request.page_token, &resource, 100, 1000)?;
        // A resource the caller may not see answers as one that does not
        // exist (no task names it): its existence is not disclosed.
        match self.links.resolve(ctx, &resource, "resource").await {
            Ok(_) => {}
            Err(error) if is_invisible(&error) => {
                return Ok(pb::ListTasksByEvidenceResponse::default());
            }
            Err(error) => return Err(error),
        }
        let mut query = Query::select();
        query
            .distinct()
            .columns(["plan_id", "task_id", "sort_key"])
            .from("task_evidence");
        if let Some(covered) = self.method_scope(ctx).await?.condition("issuing_unit") {
            query.and_where(
                Expr::col("plan_id")
                    .in_subquery(Query::select().column("id").from("plans").and_where(covered).to_owned()),
            );
        }
        if document {
            query.and_where(
                Expr::col("resource")
                    .eq(resource.clone())
                    .or(Expr::col("resource").like(format!("{resource}/revisions/%"))),
            );
        } else {
            query.and_where(Expr::col("resource").eq(resource.clone()));
        }
        query
            .order_by("plan_id", Order::Asc)
            .order_by("sort_key", Order::Asc)
            .order_by("task_id", Order::Asc);
        listing.limit(&mut query);
        let db = self.journal.db().reader();
        let (found, next_page_token) = listing.rows(db, &query).await?;
        let mut seen = Seen::default();
        let mut tasks = Vec::new();
        for row in &found {
            let plan_id: String = row.try_get("", "plan_id")?;
            let task_id: String = row.try_get("", "task_id")?;
            let task = rows::get_task(db, &plan_id, &task_id).await?.to_proto();
            tasks.push(self.shown(ctx, &mut seen, task).await?);
        }
        Ok(pb::ListTasksByEvidenceResponse { tasks, next_page_token })
    }

    // -----------------------------------------------------------------------------------
    // Targets

    pub async fn create_target(
        &self,
        ctx: &CallContext,
        request: pb::CreateTargetRequest,
    ) -> ServiceResult<pb::Target> {
        let print = fingerprint(&request);
        let plan_id = parse_plan(&request.parent, "parent")?;
        let mut v = Violations::new();
        let content = self.clean_target(&request.target.unwrap_or_default(), &|f| format!("target.{f}"), &mut v);
        v.check()?;
        self.checked_plan(ctx, self.journal.db().reader(), &plan_id).await?;
        let mut tx = match self.journal.begin_idempotent::<pb::Target>(ctx, &print).await? {
            Begun::Fresh(tx) => *tx,
            Begun::Replayed(done) => return Ok(done),
        };
        rows::get_plan(tx.txn(), &plan_id).await?;
        if rows::all_targets(tx.txn(), &plan_id)
            .await?
            .iter()
            .any(|t| t.content.number == content.number)
        {
            return Err(ServiceError::AlreadyExists(format!(
                "plans/{plan_id} already has a target numbered {}",
                content.number
            )));
        }
        let now = self.clock.now();
        let target = TargetRow::new(&plan_id, content, now).create(&mut tx).await?;
        tx.commit_idempotent(target).await
    }

    pub async fn get_target(&self, ctx: &CallContext, request: pb::GetTargetRequest) -> ServiceResult<pb::Target> {
        let (plan_id, id) = parse_child(&request.name, "targets", "name")?;
        let db = self.journal.db().reader();
        self.checked_plan(ctx, db, &plan_id).await?;
        Ok(rows::get_target(db, &plan_id, &id).await?.to_proto())
    }

    pub async fn list_targets(
        &self,
        ctx: &CallContext,
        request: pb::ListTargetsRequest,
    ) -> ServiceResult<pb::ListTargetsResponse> {
        let plan_id = parse_plan(&request.parent, "parent")?;
        let listing = list::Listing::paged(request.page_size, &request.page_token, &request.parent, 100, 500)?;
        let db = self.journal.db().reader();
        self.checked_plan(ctx, db, &plan_id).await?;
        let mut page: Vec<TargetRow> = rows::all_targets(db, &plan_id)
            .await?
            .into_iter()
            .skip(listing.offset as usize)
            .take(listing.fetch() as usize)
            .collect();
        let next_page_token = listing.finish(&mut page);
        Ok(pb::ListTargetsResponse {
            targets: page.iter().map(TargetRow::to_proto).collect(),
            next_page_token,
        })
    }

    pub async fn update_target(
        &self,
        ctx: &CallContext,
        request: pb::UpdateTargetRequest,
    ) -> ServiceResult<pb::Target> {
        let input = request.target.unwrap_or_default();
        let (plan_id, id) = parse_child(&input.name, "targets", "target.name")?;
        let paths = field_mask::paths(
            request.update_mask.as_ref(),
            &[
                "text",
                "measure",
                "comparator",
                "threshold_percent",
                "manual_numerator",
                "manual_denominator",
            ],
        )?;
        let mut tx = self.journal.begin(ctx).await?;
        self.checked_plan(ctx, tx.txn(), &plan_id).await?;
        let mut row = rows::get_target(tx.txn(), &plan_id, &id).await?;
        etag::check(&request.etag, &row.name(), row.version)?;
        let mut merged = row.content.clone();
        for path in paths {
            match path {
                "text" => merged.text = input.text.clone(),
                "measure" => merged.measure = input.measure,
                "comparator" => merged.comparator = input.comparator,
                "threshold_percent" => merged.threshold_percent = input.threshold_percent,
                "manual_numerator" => merged.manual_numerator = input.manual_numerator,
                _ => merged.manual_denominator = input.manual_denominator,
            }
        }
        let mut v = Violations::new();
        row.content = self.clean_target(&merged, &|f| format!("target.{f}"), &mut v);
        v.check()?;
        row.save(tx.txn(), self.clock.now()).await?;
        let target = row.to_proto();
        tx.event(NewEvent::with("plans.target.updated", &target.name, &target));
        tx.commit().await?;
        Ok(target)
    }

    /// Today in Asia/Ho_Chi_Minh, by the service's clock.
    pub(crate) fn today(&self) -> NaiveDate {
        local_date(self.clock.now())
    }
}

/// A task's or target's number without its trailing dot; a violation naming
/// `number` if it is missing or not a number such as `examples`.
fn clean_number(
    input: &str,
    what: &str,
    examples: &str,
    fields: &dyn Fn(&str) -> String,
    violations: &mut Violations,
) -> String {
    let number = input.trim().trim_end_matches('.').to_string();
    if number.is_empty() {
        violations.add(fields("number"), "is required");
    } else if !valid_number(&number) {
        violations.add(
            fields("number"),
            format!("`{number}` is not a {what} number (write {examples})"),
        );
    }
    number
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_resolve_from_the_issuing_units_spellings() {
        let aliases: UnitAliases = unit_spellings("Phòng Giáo dục và Đào tạo quận Hải An", "31-HAIAN-GDDT")
            .into_iter()
            .map(|s| (s, "units/gddt".to_string()))
            .collect();
        assert_eq!(
            resolve_units("Phòng GD&ĐT, các trường MN, TH, THCS", &aliases),
            ["units/gddt"]
        );
        assert_eq!(resolve_units("Phòng\nGD&ĐT", &aliases), ["units/gddt"]);
        assert!(resolve_units("Các trường MN", &aliases).is_empty());
    }
}
