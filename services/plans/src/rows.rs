//! Storage: each resource as its protobuf encoding plus the columns lists use.

use chrono::{DateTime, Utc};
use eiso_platform::aip::{etag, names};
use eiso_platform::{ServiceError, ServiceResult, versioned};
use eiso_proto::eiso::plans::v1 as pb;
use eiso_proto::prost::Message;
use sea_orm::sea_query::{Expr, ExprTrait, Order, Query};
use sea_orm::{ConnectionTrait, QueryResult};

use crate::convert::ts;
use crate::table::sort_key;

fn decode<M: Message + Default>(row: &QueryResult) -> ServiceResult<M> {
    let bytes: Vec<u8> = row.try_get("", "content")?;
    M::decode(bytes.as_slice()).map_err(ServiceError::internal)
}

/// `plans/{id}` → id.
pub fn parse_plan(name: &str, field: &str) -> ServiceResult<String> {
    names::parse(name, "plans", field)
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
            create_time: ts(Some(self.create_time)),
            update_time: ts(Some(self.update_time)),
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
        .map_err(|e| match e.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
                ServiceError::AlreadyExists(format!("plans/{} already exists", self.id))
            }
            _ => e.into(),
        })?;
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
// Tasks

pub struct TaskRow {
    pub plan_id: String,
    pub id: String,
    pub content: pb::Task,
    pub create_time: DateTime<Utc>,
    pub update_time: DateTime<Utc>,
    pub version: i64,
}

const TASK_COLUMNS: [&str; 10] = [
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

impl TaskRow {
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
        format!("plans/{}/tasks/{}", self.plan_id, self.id)
    }

    pub fn to_proto(&self) -> pb::Task {
        pb::Task {
            name: self.name(),
            create_time: ts(Some(self.create_time)),
            update_time: ts(Some(self.update_time)),
            etag: etag::compute(&self.name(), self.version),
            ..self.content.clone()
        }
    }

    fn parent_id(&self) -> String {
        self.content.parent.rsplit('/').next().unwrap_or("").to_string()
    }

    pub async fn insert(&self, db: &impl ConnectionTrait) -> ServiceResult<()> {
        db.execute(
            Query::insert()
                .into_table("plan_tasks")
                .columns(TASK_COLUMNS)
                .values_panic([
                    self.plan_id.clone().into(),
                    self.id.clone().into(),
                    self.content.number.clone().into(),
                    sort_key(&self.content.number).into(),
                    self.parent_id().into(),
                    self.content.status.into(),
                    self.content.encode_to_vec().into(),
                    self.create_time.into(),
                    self.update_time.into(),
                    self.version.into(),
                ]),
        )
        .await
        .map_err(|e| match e.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => ServiceError::AlreadyExists(format!(
                "plans/{} already has a task numbered {}",
                self.plan_id, self.content.number
            )),
            _ => e.into(),
        })?;
        Ok(())
    }

    pub async fn save(&mut self, db: &impl ConnectionTrait, now: DateTime<Utc>) -> ServiceResult<()> {
        self.content.update_time = ts(Some(now));
        let mut update = Query::update();
        update
            .table("plan_tasks")
            .value("status", self.content.status)
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

pub async fn get_task(db: &impl ConnectionTrait, plan_id: &str, id: &str) -> ServiceResult<TaskRow> {
    let row = db
        .query_one(
            Query::select()
                .columns(TASK_COLUMNS)
                .from("plan_tasks")
                .and_where(Expr::col("plan_id").eq(plan_id.to_string()))
                .and_where(Expr::col("id").eq(id.to_string())),
        )
        .await?
        .ok_or_else(|| ServiceError::NotFound(format!("plans/{plan_id}/tasks/{id}")))?;
    TaskRow::from_row(&row)
}

pub async fn task_by_number(db: &impl ConnectionTrait, plan_id: &str, number: &str) -> ServiceResult<Option<TaskRow>> {
    let row = db
        .query_one(
            Query::select()
                .columns(TASK_COLUMNS)
                .from("plan_tasks")
                .and_where(Expr::col("plan_id").eq(plan_id.to_string()))
                .and_where(Expr::col("number").eq(number.to_string())),
        )
        .await?;
    row.as_ref().map(TaskRow::from_row).transpose()
}

/// Every task of a plan, in the plan's order.
pub async fn all_tasks(db: &impl ConnectionTrait, plan_id: &str) -> ServiceResult<Vec<TaskRow>> {
    let rows = db
        .query_all(
            Query::select()
                .columns(TASK_COLUMNS)
                .from("plan_tasks")
                .and_where(Expr::col("plan_id").eq(plan_id.to_string()))
                .order_by("sort_key", Order::Asc),
        )
        .await?;
    rows.iter().map(TaskRow::from_row).collect()
}

pub fn task_select() -> sea_orm::sea_query::SelectStatement {
    let mut query = Query::select();
    query.columns(TASK_COLUMNS).from("plan_tasks");
    query
}

// ---------------------------------------------------------------------------------------
// Targets

pub struct TargetRow {
    pub plan_id: String,
    pub id: String,
    pub content: pb::Target,
    pub create_time: DateTime<Utc>,
    pub update_time: DateTime<Utc>,
    pub version: i64,
}

const TARGET_COLUMNS: [&str; 7] = [
    "plan_id",
    "id",
    "sort_key",
    "content",
    "create_time",
    "update_time",
    "version",
];

impl TargetRow {
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
        format!("plans/{}/targets/{}", self.plan_id, self.id)
    }

    pub fn to_proto(&self) -> pb::Target {
        pb::Target {
            name: self.name(),
            create_time: ts(Some(self.create_time)),
            update_time: ts(Some(self.update_time)),
            etag: etag::compute(&self.name(), self.version),
            ..self.content.clone()
        }
    }

    pub async fn insert(&self, db: &impl ConnectionTrait) -> ServiceResult<()> {
        db.execute(
            Query::insert()
                .into_table("plan_targets")
                .columns(TARGET_COLUMNS)
                .values_panic([
                    self.plan_id.clone().into(),
                    self.id.clone().into(),
                    sort_key(&self.content.number).into(),
                    self.content.encode_to_vec().into(),
                    self.create_time.into(),
                    self.update_time.into(),
                    self.version.into(),
                ]),
        )
        .await
        .map_err(|e| match e.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
                ServiceError::AlreadyExists(format!("{} already exists", self.name()))
            }
            _ => e.into(),
        })?;
        Ok(())
    }

    pub async fn save(&mut self, db: &impl ConnectionTrait, now: DateTime<Utc>) -> ServiceResult<()> {
        let mut update = Query::update();
        update
            .table("plan_targets")
            .value("sort_key", sort_key(&self.content.number))
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

pub async fn get_target(db: &impl ConnectionTrait, plan_id: &str, id: &str) -> ServiceResult<TargetRow> {
    let row = db
        .query_one(
            Query::select()
                .columns(TARGET_COLUMNS)
                .from("plan_targets")
                .and_where(Expr::col("plan_id").eq(plan_id.to_string()))
                .and_where(Expr::col("id").eq(id.to_string())),
        )
        .await?
        .ok_or_else(|| ServiceError::NotFound(format!("plans/{plan_id}/targets/{id}")))?;
    TargetRow::from_row(&row)
}

pub async fn all_targets(db: &impl ConnectionTrait, plan_id: &str) -> ServiceResult<Vec<TargetRow>> {
    let rows = db
        .query_all(
            Query::select()
                .columns(TARGET_COLUMNS)
                .from("plan_targets")
                .and_where(Expr::col("plan_id").eq(plan_id.to_string()))
                .order_by("sort_key", Order::Asc)
                .order_by("id", Order::Asc),
        )
        .await?;
    rows.iter().map(TargetRow::from_row).collect()
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
