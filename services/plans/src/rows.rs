//! Storage: each resource as its protobuf encoding plus the columns lists use.

use chrono::{DateTime, Utc};
use eiso_platform::aip::time::timestamp;
use eiso_platform::aip::{etag, names};
use eiso_platform::{NewEvent, ServiceError, ServiceResult, WriteTx, versioned};
use eiso_proto::eiso::plans::v1 as pb;
use eiso_proto::prost::Message;
use sea_orm::sea_query::{Expr, ExprTrait, Order, Query, SelectStatement};
use sea_orm::{ConnectionTrait, QueryResult};

use crate::table::sort_key;

fn decode<M: Message + Default>(row: &QueryResult) -> ServiceResult<M> {
    let bytes: Vec<u8> = row.try_get("", "content")?;
    M::decode(bytes.as_slice()).map_err(ServiceError::internal)
}

/// `plans/{id}` → id.
pub fn parse_plan(name: &str, field: &str) -> ServiceResult<String> {
    names::parse(name, "plans", field)
}

/// The id of a new plan: the `plan_id` the caller chose, or a new one when
/// none was given.
pub fn new_plan_id(plan_id: &str) -> ServiceResult<String> {
    if plan_id.is_empty() {
        Ok(names::new_id())
    } else if names::valid_id(plan_id) {
        Ok(plan_id.to_string())
    } else {
        Err(ServiceError::invalid("plan_id", "must be 1–63 of a-z, 0-9 and -"))
    }
}

/// `plans/{p}/{collection}/{id}` → (p, id).
pub fn parse_child(name: &str, collection: &str, field: &str) -> ServiceResult<(String, String)> {
    let bad = || {
        ServiceError::invalid(
            field,
            format!(
                "expected `plans/{{id}}/{collection}/{{id}}`, got `{}`",
                name.chars().take(80).collect::<String>()
            ),
        )
    };
    let parts: Vec<&str> = name.split('/').collect();
    match parts.as_slice() {
        ["plans", plan, c, id] if *c == collection && names::valid_id(plan) && names::valid_id(id) => {
            Ok((plan.to_string(), id.to_string()))
        }
        _ => Err(bad()),
    }
}

// ---------------------------------------------------------------------------------------
// Plans

pub struct PlanRow {
    pub id: String,
    pub content: pb::Plan,
    pub create_time: DateTime<Utc>,
    pub update_time: DateTime<Utc>,
    pub version: i64,
}

const PLAN_COLUMNS: [&str; 7] = [
    "id",
    "year",
    "issuing_unit",
    "content",
    "create_time",
    "update_time",
    "version",
];

impl PlanRow {
    pub fn from_row(row: &QueryResult) -> ServiceResult<Self> {
        Ok(Self {
            id: row.try_get("", "id")?,
            content: decode(row)?,
            create_time: row.try_get("", "create_time")?,
            update_time: row.try_get("", "update_time")?,
            version: row.try_get("", "version")?,
        })
    }

    pub fn name(&self) -> String {
        format!("plans/{}", self.id)
    }

    pub async fn to_proto(&self, db: &impl ConnectionTrait) -> ServiceResult<pb::Plan> {
        let count = |table: &'static str| {
            let id = self.id.clone();
            async move {
                let row = db
                    .query_one(
                        Query::select()
                            .expr_as(Expr::col("id").count(), "n")
                            .from(table)
                            .and_where(Expr::col("plan_id").eq(id)),
                    )
                    .await?;
                let n: i64 = match row {
                    Some(row) => row.try_get("", "n")?,
                    None => 0,
                };
                Ok::<i32, ServiceError>(n as i32)
            }
        };
        Ok(pb::Plan {
            name: self.name(),
            task_count: count("plan_tasks").await?,
            target_count: count("plan_targets").await?,
            create_time: Some(timestamp(self.create_time)),
            update_time: Some(timestamp(self.update_time)),
            etag: etag::compute(&self.name(), self.version),
            ..self.content.clone()
        })
    }

    pub async fn insert(&self, db: &impl ConnectionTrait) -> ServiceResult<()> {
        db.execute(Query::insert().into_table("plans").columns(PLAN_COLUMNS).values_panic([
            self.id.clone().into(),
            self.content.year.into(),
            self.content.issuing_unit.clone().into(),
            self.content.encode_to_vec().into(),
            self.create_time.into(),
            self.update_time.into(),
            self.version.into(),
        ]))
        .await
        .map_err(|e| ServiceError::unique(e, || format!("plans/{} already exists", self.id)))?;
        Ok(())
    }

    pub async fn save(&mut self, db: &impl ConnectionTrait, now: DateTime<Utc>) -> ServiceResult<()> {
        let mut update = Query::update();
        update
            .table("plans")
            .value("content", self.content.encode_to_vec())
            .value("update_time", now)
            .and_where(Expr::col("id").eq(self.id.clone()));
        versioned::update(db, update, self.version, &self.name(), ServiceError::from).await?;
        self.version += 1;
        self.update_time = now;
        Ok(())
    }
}

pub async fn get_plan(db: &impl ConnectionTrait, id: &str) -> ServiceResult<PlanRow> {
    let row = db
        .query_one(
            Query::select()
                .columns(PLAN_COLUMNS)
                .from("plans")
                .and_where(Expr::col("id").eq(id.to_string())),
        )
        .await?
        .ok_or_else(|| ServiceError::NotFound(format!("plans/{id}")))?;
    PlanRow::from_row(&row)
}

pub fn plan_select() -> sea_orm::sea_query::SelectStatement {
    let mut query = Query::select();
    query.columns(PLAN_COLUMNS).from("plans");
    query
}

// ---------------------------------------------------------------------------------------
// Tasks and targets: the resources under a plan

/// A kind of resource stored under a plan, as its protobuf plus the columns
/// lists filter and sort on.
pub trait Child: Message + Default + Clone + eiso_proto::prost::Name {
    const TABLE: &'static str;
    /// Its word in event types: `plans.{KIND}.created`.
    const KIND: &'static str;
    /// The collection in its name: `plans/{plan}/{COLLECTION}/{id}`.
    const COLLECTION: &'static str;
    const COLUMNS: &'static [&'static str];

    /// The values of the columns between `id` and `content`, in order.
    fn indexed(&self) -> Vec<sea_orm::Value>;
    /// The same columns as they change on save, by name.
    fn changed(&self) -> Vec<(&'static str, sea_orm::Value)>;
    /// The message of a second resource with the same unique key.
    fn duplicate(&self, name: &str, plan_id: &str) -> String;
    /// The content with the row's name, times and etag.
    fn shown(&self, name: String, create_time: DateTime<Utc>, update_time: DateTime<Utc>, etag: String) -> Self;
}

/// [`Child::shown`] for a message with `name`, `create_time`, `update_time`
/// and `etag` fields.
macro_rules! shown {
    () => {
        fn shown(&self, name: String, create_time: DateTime<Utc>, update_time: DateTime<Utc>, etag: String) -> Self {
            Self {
                name,
                create_time: Some(timestamp(create_time)),
                update_time: Some(timestamp(update_time)),
                etag,
                ..self.clone()
            }
        }
    };
}

impl Child for pb::Task {
    const TABLE: &'static str = "plan_tasks";
    const KIND: &'static str = "task";
    const COLLECTION: &'static str = "tasks";
    const COLUMNS: &'static [&'static str] = &[
        "plan_id",
        "id",
        "number",
        "sort_key",
        "parent_id",
        "status",
        "content",
        "create_time",
        "update_time",
        "version",
    ];

    fn indexed(&self) -> Vec<sea_orm::Value> {
        let parent_id = self.parent.rsplit('/').next().unwrap_or("").to_string();
        vec![
            self.number.clone().into(),
            sort_key(&self.number).into(),
            parent_id.into(),
            self.status.into(),
        ]
    }

    fn changed(&self) -> Vec<(&'static str, sea_orm::Value)> {
        vec![("status", self.status.into())]
    }

    fn duplicate(&self, _name: &str, plan_id: &str) -> String {
        format!("plans/{plan_id} already has a task numbered {}", self.number)
    }

    shown!();
}

impl Child for pb::Target {
    const TABLE: &'static str = "plan_targets";
    const KIND: &'static str = "target";
    const COLLECTION: &'static str = "targets";
    const COLUMNS: &'static [&'static str] = &[
        "plan_id",
        "id",
        "sort_key",
        "content",
        "create_time",
        "update_time",
        "version",
    ];

    fn indexed(&self) -> Vec<sea_orm::Value> {
        vec![sort_key(&self.number).into()]
    }

    fn changed(&self) -> Vec<(&'static str, sea_orm::Value)> {
        vec![("sort_key", sort_key(&self.number).into())]
    }

    fn duplicate(&self, name: &str, _plan_id: &str) -> String {
        format!("{name} already exists")
    }

    shown!();
}

/// One task or target of a plan.
#[derive(Clone)]
pub struct ChildRow<M> {
    pub plan_id: String,
    pub id: String,
    pub content: M,
    pub create_time: DateTime<Utc>,
    pub update_time: DateTime<Utc>,
    pub version: i64,
}

pub type TaskRow = ChildRow<pb::Task>;
pub type TargetRow = ChildRow<pb::Target>;

impl<M: Child> ChildRow<M> {
    /// A new resource under `plan_id` with a new id, at version 1.
    pub fn new(plan_id: &str, content: M, now: DateTime<Utc>) -> Self {
        Self {
            plan_id: plan_id.to_string(),
            id: names::new_id(),
            content,
            create_time: now,
            update_time: now,
            version: 1,
        }
    }

    /// Inserts a new resource and queues its `created` event; what it is now.
    pub async fn create(&self, tx: &mut WriteTx<'_>) -> ServiceResult<M> {
        self.insert(tx.txn()).await?;
        let proto = self.to_proto();
        let event_type = format!("plans.{}.created", M::KIND);
        tx.event(NewEvent::with(&event_type, &self.name(), &proto));
        Ok(proto)
    }

    pub fn from_row(row: &QueryResult) -> ServiceResult<Self> {
        Ok(Self {
            plan_id: row.try_get("", "plan_id")?,
            id: row.try_get("", "id")?,
            content: decode(row)?,
            create_time: row.try_get("", "create_time")?,
            update_time: row.try_get("", "update_time")?,
            version: row.try_get("", "version")?,
        })
    }

    pub fn name(&self) -> String {
        format!("plans/{}/{}/{}", self.plan_id, M::COLLECTION, self.id)
    }

    pub fn to_proto(&self) -> M {
        let name = self.name();
        let etag = etag::compute(&name, self.version);
        self.content.shown(name, self.create_time, self.update_time, etag)
    }

    pub async fn insert(&self, db: &impl ConnectionTrait) -> ServiceResult<()> {
        let mut values: Vec<sea_orm::Value> = vec![self.plan_id.clone().into(), self.id.clone().into()];
        values.extend(self.content.indexed());
        values.extend([
            self.content.encode_to_vec().into(),
            self.create_time.into(),
            self.update_time.into(),
            self.version.into(),
        ]);
        db.execute(
            Query::insert()
                .into_table(M::TABLE)
                .columns(M::COLUMNS.iter().copied())
                .values_panic(values.into_iter().map(Expr::from)),
        )
        .await
        .map_err(|e| ServiceError::unique(e, || self.content.duplicate(&self.name(), &self.plan_id)))?;
        Ok(())
    }

    pub async fn save(&mut self, db: &impl ConnectionTrait, now: DateTime<Utc>) -> ServiceResult<()> {
        let mut update = Query::update();
        update.table(M::TABLE);
        for (column, value) in self.content.changed() {
            update.value(column, value);
        }
        update
            .value("content", self.content.encode_to_vec())
            .value("update_time", now)
            .and_where(Expr::col("plan_id").eq(self.plan_id.clone()))
            .and_where(Expr::col("id").eq(self.id.clone()));
        versioned::update(db, update, self.version, &self.name(), ServiceError::from).await?;
        self.version += 1;
        self.update_time = now;
        Ok(())
    }
}

/// The rows of `M` under `plan_id` where `column` is `value`.
fn child_select<M: Child>(plan_id: &str) -> SelectStatement {
    let mut query = Query::select();
    query
        .columns(M::COLUMNS.iter().copied())
        .from(M::TABLE)
        .and_where(Expr::col("plan_id").eq(plan_id.to_string()));
    query
}

async fn get_child<M: Child>(db: &impl ConnectionTrait, plan_id: &str, id: &str) -> ServiceResult<ChildRow<M>> {
    let row = db
        .query_one(child_select::<M>(plan_id).and_where(Expr::col("id").eq(id.to_string())))
        .await?
        .ok_or_else(|| ServiceError::NotFound(format!("plans/{plan_id}/{}/{id}", M::COLLECTION)))?;
    ChildRow::from_row(&row)
}

/// Every row of `M` of a plan, in the plan's order.
async fn all_children<M: Child>(db: &impl ConnectionTrait, plan_id: &str) -> ServiceResult<Vec<ChildRow<M>>> {
    let rows = db
        .query_all(
            child_select::<M>(plan_id)
                .order_by("sort_key", Order::Asc)
                .order_by("id", Order::Asc),
        )
        .await?;
    rows.iter().map(ChildRow::from_row).collect()
}

pub async fn get_task(db: &impl ConnectionTrait, plan_id: &str, id: &str) -> ServiceResult<TaskRow> {
    get_child(db, plan_id, id).await
}

pub async fn get_target(db: &impl ConnectionTrait, plan_id: &str, id: &str) -> ServiceResult<TargetRow> {
    get_child(db, plan_id, id).await
}

pub async fn task_by_number(db: &impl ConnectionTrait, plan_id: &str, number: &str) -> ServiceResult<Option<TaskRow>> {
    let row = db
        .query_one(child_select::<pb::Task>(plan_id).and_where(Expr::col("number").eq(number.to_string())))
        .await?;
    row.as_ref().map(TaskRow::from_row).transpose()
}

/// Every task of a plan, in the plan's order.
pub async fn all_tasks(db: &impl ConnectionTrait, plan_id: &str) -> ServiceResult<Vec<TaskRow>> {
    all_children(db, plan_id).await
}

/// Every target of a plan, in the plan's order.
pub async fn all_targets(db: &impl ConnectionTrait, plan_id: &str) -> ServiceResult<Vec<TargetRow>> {
    all_children(db, plan_id).await
}

pub fn task_select() -> SelectStatement {
    let mut query = Query::select();
    query.columns(pb::Task::COLUMNS.iter().copied()).from(pb::Task::TABLE);
    query
}

// ---------------------------------------------------------------------------------------
// Reports

pub struct ReportRow {
    pub plan_id: String,
    pub id: String,
    pub content: pb::Report,
    pub xlsx: Vec<u8>,
    pub html: String,
}

const REPORT_COLUMNS: [&str; 8] = [
    "plan_id",
    "id",
    "kind",
    "cut_off",
    "content",
    "xlsx",
    "html",
    "create_time",
];

impl ReportRow {
    pub fn from_row(row: &QueryResult, files: bool) -> ServiceResult<Self> {
        Ok(Self {
            plan_id: row.try_get("", "plan_id")?,
            id: row.try_get("", "id")?,
            content: decode(row)?,
            xlsx: if files { row.try_get("", "xlsx")? } else { Vec::new() },
            html: if files { row.try_get("", "html")? } else { String::new() },
        })
    }

    pub async fn insert(&self, db: &impl ConnectionTrait, cut_off: &str, now: DateTime<Utc>) -> ServiceResult<()> {
        db.execute(
            Query::insert()
                .into_table("plan_reports")
                .columns(REPORT_COLUMNS)
                .values_panic([
                    self.plan_id.clone().into(),
                    self.id.clone().into(),
                    self.content.kind.into(),
                    cut_off.to_string().into(),
                    self.content.encode_to_vec().into(),
                    self.xlsx.clone().into(),
                    self.html.clone().into(),
                    now.into(),
                ]),
        )
        .await?;
        Ok(())
    }
}

impl ReportRow {
    /// Writes this row's content and files over the report as `before` was
    /// read; ABORTED when it has changed since (another re-issue).
    pub async fn replace(&self, db: &impl ConnectionTrait, before: &pb::Report) -> ServiceResult<()> {
        let done = db
            .execute(
                Query::update()
                    .table("plan_reports")
                    .value("content", self.content.encode_to_vec())
                    .value("xlsx", self.xlsx.clone())
                    .value("html", self.html.clone())
                    .and_where(Expr::col("plan_id").eq(self.plan_id.clone()))
                    .and_where(Expr::col("id").eq(self.id.clone()))
                    .and_where(Expr::col("content").eq(before.encode_to_vec())),
            )
            .await?;
        if done.rows_affected() == 0 {
            return Err(ServiceError::Aborted(format!(
                "{} changed while it was re-issued; read it again",
                before.name
            )));
        }
        Ok(())
    }
}

pub async fn find_report(
    db: &impl ConnectionTrait,
    plan_id: &str,
    id: &str,
    files: bool,
) -> ServiceResult<Option<ReportRow>> {
    let mut query = Query::select();
    if files {
        query.columns(REPORT_COLUMNS);
    } else {
        query.columns(["plan_id", "id", "content"]);
    }
    let row = db
        .query_one(
            query
                .from("plan_reports")
                .and_where(Expr::col("plan_id").eq(plan_id.to_string()))
                .and_where(Expr::col("id").eq(id.to_string())),
        )
        .await?;
    row.as_ref().map(|r| ReportRow::from_row(r, files)).transpose()
}
