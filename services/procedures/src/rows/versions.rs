//! The `procedure_versions` table: a version's content as its protobuf
//! encoding (exactly what was published), plus its place in the lifecycle and
//! the columns lists filter on.

use chrono::{DateTime, Utc};
use eiso_platform::aip::etag;
use eiso_platform::aip::time::{optional_timestamp, timestamp};
use eiso_platform::{ServiceError, ServiceResult, versioned};
use eiso_proto::eiso::procedures::v1 as pb;
use eiso_proto::prost::Message;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ConnectionTrait, QueryResult};

pub const VERSION_COLUMNS: [&str; 11] = [
    "code",
    "number",
    "state",
    "agency",
    "field",
    "level",
    "content",
    "publish_time",
    "create_time",
    "update_time",
    "version",
];

/// A stored version: its content plus its place in the lifecycle.
pub struct VersionRow {
    pub code: String,
    pub number: i32,
    pub state: i32,
    pub content: pb::ProcedureVersion,
    pub publish_time: Option<DateTime<Utc>>,
    pub create_time: DateTime<Utc>,
    pub update_time: DateTime<Utc>,
    pub version: i64,
}

impl VersionRow {
    /// A new draft of procedure `code` numbered `number`, created `now`.
    pub fn draft(code: &str, number: i32, content: pb::ProcedureVersion, now: DateTime<Utc>) -> Self {
        Self {
            code: code.to_string(),
            number,
            state: pb::procedure_version::State::Draft as i32,
            content,
            publish_time: None,
            create_time: now,
            update_time: now,
            version: 1,
        }
    }

    pub fn from_row(row: &QueryResult) -> ServiceResult<Self> {
        let bytes: Vec<u8> = row.try_get("", "content")?;
        Ok(Self {
            code: row.try_get("", "code")?,
            number: row.try_get("", "number")?,
            state: row.try_get("", "state")?,
            content: pb::ProcedureVersion::decode(bytes.as_slice()).map_err(ServiceError::internal)?,
            publish_time: row.try_get("", "publish_time")?,
            create_time: row.try_get("", "create_time")?,
            update_time: row.try_get("", "update_time")?,
            version: row.try_get("", "version")?,
        })
    }

    pub fn name(&self) -> String {
        format!("procedures/{}/versions/{}", self.code, self.number)
    }

    pub fn is_draft(&self) -> bool {
        self.state == pb::procedure_version::State::Draft as i32
    }

    pub fn to_proto(&self) -> pb::ProcedureVersion {
        pb::ProcedureVersion {
            name: self.name(),
            number: self.number,
            state: self.state,
            publish_time: optional_timestamp(self.publish_time),
            create_time: Some(timestamp(self.create_time)),
            update_time: Some(timestamp(self.update_time)),
            etag: etag::compute(&self.name(), self.version),
            ..self.content.clone()
        }
    }

    pub async fn insert(&self, db: &impl ConnectionTrait) -> ServiceResult<()> {
        db.execute(
            Query::insert()
                .into_table("procedure_versions")
                .columns(VERSION_COLUMNS)
                .values_panic([
                    self.code.clone().into(),
                    self.number.into(),
                    self.state.into(),
                    self.content.agency.clone().into(),
                    self.content.field.clone().into(),
                    self.content.level.into(),
                    self.content.encode_to_vec().into(),
                    self.publish_time.into(),
                    self.create_time.into(),
                    self.update_time.into(),
                    self.version.into(),
                ]),
        )
        .await?;
        Ok(())
    }

    /// Writes every mutable column back, bumping the version; ABORTED if the
    /// row changed since it was read.
    pub async fn save(&mut self, db: &impl ConnectionTrait, now: DateTime<Utc>) -> ServiceResult<()> {
        let mut update = Query::update();
        update
            .table("procedure_versions")
            .value("state", self.state)
            .value("agency", self.content.agency.clone())
            .value("field", self.content.field.clone())
            .value("level", self.content.level)
            .value("content", self.content.encode_to_vec())
            .value("publish_time", self.publish_time)
            .value("update_time", now)
            .and_where(Expr::col("number").eq(self.number));
        update.and_where(Expr::col("code").eq(self.code.clone()));
        versioned::update(db, update, self.version, &self.name(), Into::into).await?;
        self.version += 1;
        self.update_time = now;
        Ok(())
    }
}

/// Version `number` of procedure `code`, or NOT_FOUND naming it.
pub async fn get_version(db: &impl ConnectionTrait, code: &str, number: i32) -> ServiceResult<VersionRow> {
    let row = db
        .query_one(
            Query::select()
                .columns(VERSION_COLUMNS)
                .from("procedure_versions")
                .and_where(Expr::col("code").eq(code.to_string()))
                .and_where(Expr::col("number").eq(number)),
        )
        .await?
        .ok_or_else(|| ServiceError::NotFound(format!("procedures/{code}/versions/{number}")))?;
    VersionRow::from_row(&row)
}
