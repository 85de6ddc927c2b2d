//! Who may read and change what, by the platform's one scoping rule
//! ([`eiso_platform::scope`]): a plan belongs to its issuing unit, and its
//! tasks, targets and reports to the plan's unit. A binding covers its unit
//! and the units below it. Reads are checked inside the queries of lists;
//! one resource out of scope is NOT_FOUND to a caller who may not read it and
//! PERMISSION_DENIED to one who may read but not change it. The officers of
//! a unit a task is assigned to (its responsible units) record its progress
//! and evidence, also on a plan of a unit above theirs.
//!
//! Evidence links show what the caller may see of their target: a link to a
//! document the caller may not read keeps its name but shows
//! [`HIDDEN_TITLE`] instead of the title stored when it was added.

use std::collections::HashMap;

use eiso_platform::scope::{self, Scope, authorize};
use eiso_platform::{CallContext, ServiceError, ServiceResult};
use eiso_proto::eiso::plans::v1 as pb;
use sea_orm::ConnectionTrait;

use crate::rows::{self, PlanRow, TaskRow};
use crate::{Plans, groups};

pub use eiso_platform::links::{HIDDEN_TITLE, Sight as Visibility, is_invisible};

/// What a listing has looked up once for all its tasks: what the caller may
/// see, and the schools of each plan's groups.
#[derive(Default)]
pub(crate) struct Seen {
    pub(crate) sight: Visibility,
    groups: HashMap<(String, Vec<i32>), Vec<String>>,
}

impl Plans {
    /// The units the roles of the caller's method reach.
    pub(crate) async fn method_scope(&self, ctx: &CallContext) -> ServiceResult<Scope> {
        Scope::of_method(self.directory.as_ref(), ctx).await
    }

    /// The platform's check of `name`, a plan or a part of one, for the
    /// caller's method.
    pub(crate) async fn authorize_plan(&self, ctx: &CallContext, plan: &PlanRow, name: &str) -> ServiceResult<()> {
        authorize(self.directory.as_ref(), ctx, &plan.content.issuing_unit, name).await
    }

    /// The check of progress and evidence on a task: the method's roles
    /// cover the plan's unit or one of the task's responsible units;
    /// otherwise as [`Self::authorize_plan`].
    pub(crate) async fn authorize_task_work(
        &self,
        ctx: &CallContext,
        plan: &PlanRow,
        task: &TaskRow,
    ) -> ServiceResult<()> {
        let scope = self.method_scope(ctx).await?;
        if scope.covers(&plan.content.issuing_unit)
            || scope.covers_any(task.content.responsible_units.iter().map(String::as_str))
        {
            return Ok(());
        }
        let kinds = groups::school_kinds(&task.content.responsible_units_text);
        if !kinds.is_empty() {
            let schools = self
                .directory
                .units_of_kinds(&plan.content.issuing_unit, &kinds)
                .await?;
            if scope.covers_any(schools.iter().map(String::as_str)) {
                return Ok(());
            }
        }
        self.authorize_plan(ctx, plan, &plan.name()).await
    }

    /// The global check of the event stream.
    pub(crate) async fn require_root(&self, ctx: &CallContext) -> ServiceResult<()> {
        scope::require_root(self.directory.as_ref(), ctx).await
    }

    /// `task` as the caller sees it: the schools of the groups it names
    /// among its responsible units ([`groups`]), the titles of evidence the
    /// caller may not see hidden.
    pub(crate) async fn shown(
        &self,
        ctx: &CallContext,
        seen: &mut Seen,
        mut task: pb::Task,
    ) -> ServiceResult<pb::Task> {
        let kinds = groups::school_kinds(&task.responsible_units_text);
        if !kinds.is_empty() {
            let plan_id = task.name.split('/').nth(1).unwrap_or_default().to_string();
            let key = (plan_id, kinds.iter().map(|k| *k as i32).collect::<Vec<_>>());
            if !seen.groups.contains_key(&key) {
                let plan = rows::get_plan(self.journal.db().reader(), &key.0).await?;
                let schools = self
                    .directory
                    .units_of_kinds(&plan.content.issuing_unit, &kinds)
                    .await?;
                seen.groups.insert(key.clone(), schools);
            }
            for school in &seen.groups[&key] {
                if !task.responsible_units.contains(school) {
                    task.responsible_units.push(school.clone());
                }
            }
            task.responsible_unit_kinds = key.1;
        }
        for evidence in &mut task.evidence {
            seen.sight
                .title(self.links.as_ref(), ctx, &evidence.resource, &mut evidence.title)
                .await;
        }
        Ok(task)
    }

    /// One task as the caller sees it.
    pub(crate) async fn shown_one(&self, ctx: &CallContext, task: pb::Task) -> ServiceResult<pb::Task> {
        self.shown(ctx, &mut Seen::default(), task).await
    }
}

impl Plans {
    /// The plan `plans/{plan_id}` after the platform's check for the caller's
    /// method: NOT_FOUND naming the plan when it does not exist or the caller
    /// may not read it.
    pub(crate) async fn checked_plan(
        &self,
        ctx: &CallContext,
        db: &impl ConnectionTrait,
        plan_id: &str,
    ) -> ServiceResult<PlanRow> {
        let plan = rows::get_plan(db, plan_id).await?;
        self.authorize_plan(ctx, &plan, &plan.name()).await?;
        Ok(plan)
    }

    /// A task and its plan for recording progress or evidence
    /// ([`Self::authorize_task_work`]). A task that does not exist is
    /// reported as such only to a caller who may read its plan.
    pub(crate) async fn task_for_work(
        &self,
        ctx: &CallContext,
        db: &impl ConnectionTrait,
        plan_id: &str,
        id: &str,
    ) -> ServiceResult<(PlanRow, TaskRow)> {
        let plan = rows::get_plan(db, plan_id).await?;
        let task = match rows::get_task(db, plan_id, id).await {
            Ok(task) => task,
            Err(ServiceError::NotFound(name)) => {
                if !Scope::of_reader(self.directory.as_ref(), &ctx.principal)
                    .await?
                    .covers(&plan.content.issuing_unit)
                {
                    return Err(ServiceError::NotFound(plan.name()));
                }
                return Err(ServiceError::NotFound(name));
            }
            Err(error) => return Err(error),
        };
        self.authorize_task_work(ctx, &plan, &task).await?;
        Ok((plan, task))
    }
}
