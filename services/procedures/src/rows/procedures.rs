//! The `procedures` table: one row a procedure, with the agency, field and
//! level of the version it shows (published, else the latest draft) for
//! filtering the catalogue.

use chrono::{DateTime, Utc};
use eiso_platform::aip::etag;
use eiso_platform::aip::time::timestamp;
use eiso_platform::{ServiceError, ServiceResult, versioned};
use eiso_proto::eiso::procedures::v1 as pb;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ConnectionTrait, QueryResult};

pub const PROCEDURE_COLUMNS: [&str; 10] = [
    "code",
    "state",
    "published_version",
    "latest_version",
    "agency",
    "field",
    "level",
    "create_time",
    "update_time",
    "version",
];

pub struct ProcedureRow {
    pub code: String,
    pub state: i32,
    pub published_version: i32,
    pub latest_version: i32,
    pub agency: String,
    pub field: String,
    pub level: i32,
    pub create_time: DateTime<Utc>,
    pub update_time: DateTime<Utc>,
    pub version: i64,
}

impl ProcedureRow {
    pub fn from_row(row: &QueryResult) -> ServiceResult<Self> {
        Ok(Self {
            code: row.try_get("", "code")?,
            state: row.try_get("", "state")?,
            published_version: row.try_get("", "published_version")?,
            latest_version: row.try_get("", "latest_version")?,
            agency: row.try_get("", "agency")?,
            field: row.try_get("", "field")?,
            level: row.try_get("", "level")?,
            create_time: row.try_get("", "create_time")?,
            update_time: row.try_get("", "update_time")?,
            version: row.try_get("", "version")?,
        })
    }

    pub fn name(&self) -> String {
        format!("procedures/{}", self.code)
    }

    /// The version a reader sees: the published one, else the latest draft.
    pub fn shown_version(&self) -> i32 {
        if self.published_version > 0 {
            self.published_version
        } else {
            self.latest_version
        }
    }

    /// Keeps the filter columns in step with the version shown.
    pub fn show(&mut self, content: &pb::ProcedureVersion) {
        self.agency = content.agency.clone();
        self.field = content.field.clone();
        self.level = content.level;
    }

    pub fn to_proto(&self, version: Option<pb::ProcedureVersion>) -> pb::Procedure {
        pb::Procedure {
            name: self.name(),
            code: self.code.clone(),
            state: self.state,
            published_version: self.published_version,
            latest_version: self.latest_version,
            version,
            create_time: Some(timestamp(self.create_time)),
            update_time: Some(timestamp(self.update_time)),
            etag: etag::compute(&self.name(), self.version),
        }
    }

    /// Inserts the row; ALREADY_EXISTS when the code is in the catalogue.
    pub async fn insert(&self, db: &impl ConnectionTrait) -> ServiceResult<()> {
        db.execute(
            Query::insert()
                .into_table("procedures")
                .columns(PROCEDURE_COLUMNS)
                .values_panic([
                    self.code.clone().into(),
                    self.state.into(),
                    self.published_version.into(),
                    self.latest_version.into(),
                    self.agency.clone().into(),
                    self.field.clone().into(),
                    self.level.into(),
                    self.create_time.into(),
                    self.update_time.into(),
                    self.version.into(),
                ]),
        )
        .await
        .map_err(|e| ServiceError::unique(e, || format!("procedures/{} is already in the catalogue", self.code)))?;
        Ok(())
    }

    /// Writes every mutable column back, bumping the version; ABORTED if the
    /// row changed since it was read.
    pub async fn save(&mut self, db: &impl ConnectionTrait, now: DateTime<Utc>) -> ServiceResult<()> {
        let mut update = Query::update();
        update
            .table("procedures")
            .value("state", self.state)
            .value("published_version", self.published_version)
            .value("latest_version", self.latest_version)
            .value("agency", self.agency.clone())
            .value("field", self.field.clone())
            .value("level", self.level)
            .value("update_time", now);
        update.and_where(Expr::col("code").eq(self.code.clone()));
        versioned::update(db, update, self.version, &self.name(), Into::into).await?;
        self.version += 1;
        self.update_time = now;
        Ok(())
    }
}

/// The procedure, if the catalogue holds it.
pub async fn find_procedure(db: &impl ConnectionTrait, code: &str) -> ServiceResult<Option<ProcedureRow>> {
    let row = db
        .query_one(
            Query::select()
                .columns(PROCEDURE_COLUMNS)
                .from("procedures")
                .and_where(Expr::col("code").eq(code.to_string())),
        )
        .await?;
    row.as_ref().map(ProcedureRow::from_row).transpose()
}

/// The procedure, or NOT_FOUND naming it.
pub async fn get_procedure(db: &impl ConnectionTrait, code: &str) -> ServiceResult<ProcedureRow> {
    find_procedure(db, code)
        .await?
        .ok_or_else(|| ServiceError::NotFound(format!("procedures/{code}")))
}
