//! ImportPlan and ExportPlan: a plan with its tasks (and targets) from and to the appendix
//! table. An import is all or nothing: every cell that cannot be read is reported at once,
//! as `rows[N].<column title>` (N the spreadsheet's row number).

use std::collections::HashMap;

use eiso_platform::aip::names;
use eiso_platform::blocking;
use eiso_platform::error::FieldViolation;
use eiso_platform::journal::{Begun, fingerprint};
use eiso_platform::{CallContext, NewEvent, ServiceError, ServiceResult, Violations};
use eiso_proto::eiso::plans::v1 as pb;

use crate::Plans;
use crate::plans::UnitAliases;
use crate::rows::{self, PlanRow, TargetRow, TaskRow, new_plan_id, parse_plan};
use crate::table::{self, TARGET_COLUMNS, TASK_COLUMNS, parent_number};

fn task_column(field: &str) -> &'static str {
    match field {
        "number" => TASK_COLUMNS[0],
        "content" => TASK_COLUMNS[1],
        "responsible_units_text" => TASK_COLUMNS[2],
        "product" => TASK_COLUMNS[3],
        "time_frame" => TASK_COLUMNS[4],
        "notes" => TASK_COLUMNS[5],
        _ => "STT",
    }
}

fn target_column(field: &str) -> &'static str {
    match field {
        "number" => TARGET_COLUMNS[0],
        "text" => TARGET_COLUMNS[1],
        "measure" => TARGET_COLUMNS[2],
        "comparator" => TARGET_COLUMNS[3],
        _ => TARGET_COLUMNS[4],
    }
}

fn table_format(value: i32) -> ServiceResult<pb::TableFormat> {
    match pb::TableFormat::try_from(value) {
        Ok(pb::TableFormat::Unspecified) | Err(_) => Err(ServiceError::invalid("format", "is required: CSV or XLSX")),
        Ok(format) => Ok(format),
    }
}

impl Plans {
    pub async fn import_plan(
        &self,
        ctx: &CallContext,
        request: pb::ImportPlanRequest,
    ) -> ServiceResult<pb::ImportPlanResponse> {
        let print = fingerprint(&request);
        let format = table_format(request.format)?;
        let plan = self
            .clean_plan(&request.plan.clone().unwrap_or_default(), "plan")
            .await?;
        self.method_scope(ctx).await?.require(&plan.issuing_unit, "the plan")?;
        let id = new_plan_id(&request.plan_id)?;
        let mut aliases: UnitAliases = Vec::new();
        let mut given: Vec<(&String, &String)> = request.unit_aliases.iter().collect();
        given.sort();
        for (written, unit) in given {
            let field = format!("unit_aliases[{written}]");
            self.check_unit(unit, &field).await?;
            let spelling = eiso_platform::aip::text::nfc(written)
                .to_lowercase()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            if spelling.is_empty() {
                return Err(ServiceError::invalid(field, "the written name is empty"));
            }
            aliases.push((spelling, unit.clone()));
        }
        aliases.extend(self.issuing_aliases(&plan.issuing_unit).await?);

        let to_error = |problems: table::Problems| {
            ServiceError::InvalidArgument(
                problems
                    .into_iter()
                    .map(|(field, description)| FieldViolation::new(field, description))
                    .collect(),
            )
        };
        let (content, targets_content) = (request.content, request.targets_content);
        let (task_rows, target_rows) = blocking::run(move || {
            let tasks = table::read_tasks(format, &content)?;
            let targets = if targets_content.is_empty() {
                Vec::new()
            } else {
                table::read_targets(format, &targets_content)?
            };
            Ok((tasks, targets))
        })
        .await?
        .map_err(to_error)?;
        let mut v = Violations::new();
        let mut tasks = Vec::new();
        for row in &task_rows {
            let input = pb::Task {
                number: row.number.clone(),
                content: row.content.clone(),
                responsible_units_text: row.units.clone(),
                product: row.product.clone(),
                time_frame: row.time_frame.clone(),
                notes: row.notes.clone(),
                ..Default::default()
            };
            let line = row.row;
            tasks.push(self.clean_task(
                &input,
                plan.year,
                &aliases,
                &|f| format!("rows[{line}].{}", task_column(f)),
                &mut v,
            ));
        }
        let mut targets = Vec::new();
        for row in &target_rows {
            let input = pb::Target {
                number: row.number.clone(),
                text: row.text.clone(),
                measure: row.measure as i32,
                comparator: row.comparator as i32,
                threshold_percent: row.threshold_percent,
                ..Default::default()
            };
            let line = row.row;
            targets.push(self.clean_target(
                &input,
                &|f| format!("targets_rows[{line}].{}", target_column(f)),
                &mut v,
            ));
        }
        v.check()?;
        let task_count = tasks.len() as i32;
        let target_count = targets.len() as i32;
        if request.validate_only {
            return Ok(pb::ImportPlanResponse {
                plan: Some(pb::Plan {
                    task_count,
                    target_count,
                    ..plan
                }),
                task_count,
                target_count,
            });
        }

        let mut tx = match self
            .journal
            .begin_idempotent::<pb::ImportPlanResponse>(ctx, &print)
            .await?
        {
            Begun::Fresh(tx) => *tx,
            Begun::Replayed(done) => return Ok(done),
        };
        let now = self.clock.now();
        let plan_row = PlanRow {
            id: id.clone(),
            content: plan,
            create_time: now,
            update_time: now,
            version: 1,
        };
        plan_row.insert(tx.txn()).await?;
        let mut ids: HashMap<String, String> = HashMap::new();
        for mut task in tasks {
            let task_id = names::new_id();
            if let Some(parent) = parent_number(&task.number).and_then(|p| ids.get(p)) {
                task.parent = format!("plans/{id}/tasks/{parent}");
            }
            ids.insert(task.number.clone(), task_id.clone());
            TaskRow {
                id: task_id,
                ..TaskRow::new(&id, task, now)
            }
            .create(&mut tx)
            .await?;
        }
        for target in targets {
            TargetRow::new(&id, target, now).create(&mut tx).await?;
        }
        self.refresh_sections(&mut tx, &id).await?;
        let plan = plan_row.to_proto(tx.txn()).await?;
        tx.event(NewEvent::with("plans.plan.created", &plan.name, &plan));
        tx.audit_resource(&plan.name);
        tx.commit_idempotent(pb::ImportPlanResponse {
            plan: Some(plan),
            task_count,
            target_count,
        })
        .await
    }

    pub async fn export_plan(
        &self,
        ctx: &CallContext,
        request: pb::ExportPlanRequest,
    ) -> ServiceResult<pb::ExportPlanResponse> {
        let id = parse_plan(&request.name, "name")?;
        let format = table_format(request.format)?;
        let db = self.journal.db().reader();
        self.checked_plan(ctx, db, &id).await?;
        let extension = if format == pb::TableFormat::Xlsx { "xlsx" } else { "csv" };
        let (content, stem) = if request.targets {
            let targets: Vec<table::TargetRow> = rows::all_targets(db, &id)
                .await?
                .into_iter()
                .map(|t| table::TargetRow {
                    row: 0,
                    number: t.content.number.clone(),
                    text: t.content.text.clone(),
                    measure: pb::Measure::try_from(t.content.measure).unwrap_or(pb::Measure::Unspecified),
                    comparator: pb::Comparator::try_from(t.content.comparator).unwrap_or(pb::Comparator::AtLeast),
                    threshold_percent: t.content.threshold_percent,
                })
                .collect();
            let bytes = blocking::run(move || match format {
                pb::TableFormat::Xlsx => table::targets_xlsx(&targets),
                _ => table::targets_csv(&targets),
            })
            .await?;
            (bytes, "chi-tieu")
        } else {
            let tasks: Vec<table::TaskRow> = rows::all_tasks(db, &id)
                .await?
                .into_iter()
                .map(|t| table::TaskRow {
                    row: 0,
                    section: t.content.time_frame.is_empty(),
                    number: t.content.number,
                    content: t.content.content,
                    units: t.content.responsible_units_text,
                    product: t.content.product,
                    time_frame: t.content.time_frame,
                    notes: t.content.notes,
                })
                .collect();
            let bytes = blocking::run(move || match format {
                pb::TableFormat::Xlsx => table::tasks_xlsx(&tasks),
                _ => table::tasks_csv(&tasks),
            })
            .await?;
            (bytes, "ke-hoach")
        };
        Ok(pb::ExportPlanResponse {
            content: content.map_err(ServiceError::internal)?,
            file_name: format!("{stem}-{id}.{extension}"),
        })
    }
}
