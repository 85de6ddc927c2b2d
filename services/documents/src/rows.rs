//! Rows of the documents tables and their mapping to the API messages.

use chrono::{DateTime, Utc};
use eiso_platform::aip::etag;
use eiso_platform::journal::timestamp;
use eiso_platform::{ServiceError, ServiceResult};
use eiso_proto::eiso::documents::v1::{
    Disposition, DispositionAct, Document, ExternalOrigin, File, Record, RecordRevision, Review, Revision, document,
    record,
};
use sea_orm::sea_query::{Expr, ExprTrait, Order, Query};
use sea_orm::{ConnectionTrait, DbErr, QueryResult};
use serde::{Deserialize, Serialize};

use crate::table::Table;

use eiso_platform::aip::time::optional_timestamp as ts;

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct ExternalOriginJson {
    pub issuer: String,
    pub reference: String,
    pub issue_time: Option<DateTime<Utc>>,
}

pub const DOCUMENT_COLUMNS: [&str; 16] = [
    "id",
    "owner_unit",
    "code",
    "title",
    "doc_type",
    "confidentiality",
    "review_interval_months",
    "tags",
    "external_origin",
    "state",
    "effective_revision",
    "latest_revision",
    "next_review_time",
    "create_time",
    "update_time",
    "version",
];

const DOCUMENTS: Table<16> = Table {
    name: "documents",
    columns: DOCUMENT_COLUMNS,
    key: 1,
};

#[derive(Debug, Clone)]
pub struct DocumentRow {
    pub id: String,
    pub owner_unit: String,
    pub code: String,
    pub title: String,
    pub doc_type: i32,
    pub confidentiality: i32,
    pub review_interval_months: i32,
    pub tags: Vec<String>,
    pub external_origin: Option<ExternalOriginJson>,
    pub state: i32,
    pub effective_revision: i32,
    pub latest_revision: i32,
    pub next_review_time: Option<DateTime<Utc>>,
    pub create_time: DateTime<Utc>,
    pub update_time: DateTime<Utc>,
    pub version: i64,
}

impl DocumentRow {
    pub fn from_row(row: &QueryResult) -> ServiceResult<Self> {
        let tags: String = row.try_get("", "tags")?;
        let external: String = row.try_get("", "external_origin")?;
        Ok(Self {
            id: row.try_get("", "id")?,
            owner_unit: row.try_get("", "owner_unit")?,
            code: row.try_get("", "code")?,
            title: row.try_get("", "title")?,
            doc_type: row.try_get("", "doc_type")?,
            confidentiality: row.try_get("", "confidentiality")?,
            review_interval_months: row.try_get("", "review_interval_months")?,
            tags: serde_json::from_str(&tags).map_err(ServiceError::internal)?,
            external_origin: serde_json::from_str(&external).map_err(ServiceError::internal)?,
            state: row.try_get("", "state")?,
            effective_revision: row.try_get("", "effective_revision")?,
            latest_revision: row.try_get("", "latest_revision")?,
            next_review_time: row.try_get("", "next_review_time")?,
            create_time: row.try_get("", "create_time")?,
            update_time: row.try_get("", "update_time")?,
            version: row.try_get("", "version")?,
        })
    }

    pub fn name(&self) -> String {
        format!("documents/{}", self.id)
    }

    pub fn is_obsolete(&self) -> bool {
        self.state == document::State::Obsolete as i32
    }

    /// FAILED_PRECONDITION unless the document is in use: "{name} {says}"
    /// when it is obsolete.
    pub fn ensure_not_obsolete(&self, says: &str) -> ServiceResult<()> {
        if !self.is_obsolete() {
            return Ok(());
        }
        Err(ServiceError::precondition(
            "DOCUMENT_OBSOLETE",
            self.name(),
            format!("{} {says}", self.name()),
        ))
    }

    pub fn to_proto(&self, revision: Option<Revision>) -> Document {
        Document {
            name: self.name(),
            code: self.code.clone(),
            title: self.title.clone(),
            r#type: self.doc_type,
            owner_unit: self.owner_unit.clone(),
            confidentiality: self.confidentiality,
            review_interval_months: self.review_interval_months,
            tags: self.tags.clone(),
            external_origin: self.external_origin.as_ref().map(|e| ExternalOrigin {
                issuer: e.issuer.clone(),
                reference: e.reference.clone(),
                issue_time: ts(e.issue_time),
            }),
            state: self.state,
            effective_revision: self.effective_revision,
            latest_revision: self.latest_revision,
            revision,
            next_review_time: ts(self.next_review_time),
            create_time: Some(timestamp(self.create_time)),
            update_time: Some(timestamp(self.update_time)),
            etag: etag::compute(&self.name(), self.version),
        }
    }

    fn values(&self) -> ServiceResult<[sea_orm::Value; 16]> {
        Ok([
            self.id.clone().into(),
            self.owner_unit.clone().into(),
            self.code.clone().into(),
            self.title.clone().into(),
            self.doc_type.into(),
            self.confidentiality.into(),
            self.review_interval_months.into(),
            serde_json::to_string(&self.tags)
                .map_err(ServiceError::internal)?
                .into(),
            serde_json::to_string(&self.external_origin)
                .map_err(ServiceError::internal)?
                .into(),
            self.state.into(),
            self.effective_revision.into(),
            self.latest_revision.into(),
            self.next_review_time.into(),
            self.create_time.into(),
            self.update_time.into(),
            self.version.into(),
        ])
    }

    /// A unique key violated: the owner unit has a document with this code.
    fn code_taken(&self, error: DbErr) -> ServiceError {
        ServiceError::unique(error, || {
            format!("{} already has a document with code `{}`", self.owner_unit, self.code)
        })
    }

    pub async fn insert(&self, db: &impl ConnectionTrait) -> ServiceResult<()> {
        DOCUMENTS
            .insert(db, self.values()?)
            .await
            .map_err(|e| self.code_taken(e))
    }

    /// Writes every column back, bumping the version (ABORTED if it changed).
    pub async fn save(&mut self, db: &impl ConnectionTrait, now: DateTime<Utc>) -> ServiceResult<()> {
        self.update_time = now;
        DOCUMENTS
            .save(db, self.values()?, self.version, &self.name(), |e| self.code_taken(e))
            .await?;
        self.version += 1;
        Ok(())
    }
}

pub async fn get_document(db: &impl ConnectionTrait, id: &str) -> ServiceResult<DocumentRow> {
    let row = DOCUMENTS.get(db, id, || format!("documents/{id}")).await?;
    DocumentRow::from_row(&row)
}

pub const REVISION_COLUMNS: [&str; 16] = [
    "document_id",
    "number",
    "state",
    "change_summary",
    "change_reason",
    "author",
    "review_round",
    "checked_out_by",
    "checkout_time",
    "submit_time",
    "approve_time",
    "effective_time",
    "end_time",
    "create_time",
    "update_time",
    "version",
];

const REVISIONS: Table<16> = Table {
    name: "revisions",
    columns: REVISION_COLUMNS,
    key: 2,
};

#[derive(Debug, Clone)]
pub struct RevisionRow {
    pub document_id: String,
    pub number: i32,
    pub state: i32,
    pub change_summary: String,
    pub change_reason: String,
    pub author: String,
    pub review_round: i32,
    pub checked_out_by: Option<String>,
    pub checkout_time: Option<DateTime<Utc>>,
    pub submit_time: Option<DateTime<Utc>>,
    pub approve_time: Option<DateTime<Utc>>,
    pub effective_time: Option<DateTime<Utc>>,
    pub end_time: Option<DateTime<Utc>>,
    pub create_time: DateTime<Utc>,
    pub update_time: DateTime<Utc>,
    pub version: i64,
}

impl RevisionRow {
    pub fn from_row(row: &QueryResult) -> ServiceResult<Self> {
        Ok(Self {
            document_id: row.try_get("", "document_id")?,
            number: row.try_get("", "number")?,
            state: row.try_get("", "state")?,
            change_summary: row.try_get("", "change_summary")?,
            change_reason: row.try_get("", "change_reason")?,
            author: row.try_get("", "author")?,
            review_round: row.try_get("", "review_round")?,
            checked_out_by: row.try_get("", "checked_out_by")?,
            checkout_time: row.try_get("", "checkout_time")?,
            submit_time: row.try_get("", "submit_time")?,
            approve_time: row.try_get("", "approve_time")?,
            effective_time: row.try_get("", "effective_time")?,
            end_time: row.try_get("", "end_time")?,
            create_time: row.try_get("", "create_time")?,
            update_time: row.try_get("", "update_time")?,
            version: row.try_get("", "version")?,
        })
    }

    pub fn name(&self) -> String {
        format!("documents/{}/revisions/{}", self.document_id, self.number)
    }

    pub fn to_proto(&self, files: Vec<File>, reviews: Vec<Review>) -> Revision {
        Revision {
            name: self.name(),
            number: self.number,
            state: self.state,
            change_summary: self.change_summary.clone(),
            change_reason: self.change_reason.clone(),
            author: self.author.clone(),
            files,
            reviews,
            review_round: self.review_round,
            checked_out_by: self.checked_out_by.clone().unwrap_or_default(),
            checkout_time: ts(self.checkout_time),
            submit_time: ts(self.submit_time),
            approve_time: ts(self.approve_time),
            effective_time: ts(self.effective_time),
            end_time: ts(self.end_time),
            create_time: Some(timestamp(self.create_time)),
            update_time: Some(timestamp(self.update_time)),
            etag: etag::compute(&self.name(), self.version),
            earlier_reviews: Vec::new(),
        }
    }

    fn values(&self) -> [sea_orm::Value; 16] {
        [
            self.document_id.clone().into(),
            self.number.into(),
            self.state.into(),
            self.change_summary.clone().into(),
            self.change_reason.clone().into(),
            self.author.clone().into(),
            self.review_round.into(),
            self.checked_out_by.clone().into(),
            self.checkout_time.into(),
            self.submit_time.into(),
            self.approve_time.into(),
            self.effective_time.into(),
            self.end_time.into(),
            self.create_time.into(),
            self.update_time.into(),
            self.version.into(),
        ]
    }

    pub async fn insert(&self, db: &impl ConnectionTrait) -> ServiceResult<()> {
        Ok(REVISIONS.insert(db, self.values()).await?)
    }

    pub async fn save(&mut self, db: &impl ConnectionTrait, now: DateTime<Utc>) -> ServiceResult<()> {
        self.update_time = now;
        REVISIONS
            .save(db, self.values(), self.version, &self.name(), ServiceError::from)
            .await?;
        self.version += 1;
        Ok(())
    }
}

pub async fn find_revision(
    db: &impl ConnectionTrait,
    document_id: &str,
    number: i32,
) -> ServiceResult<Option<RevisionRow>> {
    let row = db
        .query_one(
            Query::select()
                .columns(REVISION_COLUMNS)
                .from("revisions")
                .and_where(Expr::col("document_id").eq(document_id.to_string()))
                .and_where(Expr::col("number").eq(number)),
        )
        .await?;
    row.as_ref().map(RevisionRow::from_row).transpose()
}

pub async fn get_revision(db: &impl ConnectionTrait, document_id: &str, number: i32) -> ServiceResult<RevisionRow> {
    find_revision(db, document_id, number)
        .await?
        .ok_or_else(|| ServiceError::NotFound(format!("documents/{document_id}/revisions/{number}")))
}

/// The revision effective at `time`, if any.
pub async fn revision_effective_at(
    db: &impl ConnectionTrait,
    document_id: &str,
    time: DateTime<Utc>,
) -> ServiceResult<Option<RevisionRow>> {
    let row = db
        .query_one(
            Query::select()
                .columns(REVISION_COLUMNS)
                .from("revisions")
                .and_where(Expr::col("document_id").eq(document_id.to_string()))
                .and_where(Expr::col("effective_time").lte(time))
                .and_where(Expr::col("end_time").is_null().or(Expr::col("end_time").gt(time)))
                .order_by("number", Order::Desc)
                .limit(1),
        )
        .await?;
    row.as_ref().map(RevisionRow::from_row).transpose()
}

pub const FILE_COLUMNS: [&str; 8] = [
    "id",
    "parent",
    "file_name",
    "content_type",
    "size",
    "sha256",
    "destroyed",
    "create_time",
];

#[derive(Debug, Clone)]
pub struct FileRow {
    pub id: String,
    pub parent: String,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub destroyed: bool,
    pub create_time: DateTime<Utc>,
}

impl FileRow {
    pub fn from_row(row: &QueryResult) -> ServiceResult<Self> {
        Ok(Self {
            id: row.try_get("", "id")?,
            parent: row.try_get("", "parent")?,
            file_name: row.try_get("", "file_name")?,
            content_type: row.try_get("", "content_type")?,
            size: row.try_get("", "size")?,
            sha256: row.try_get("", "sha256")?,
            destroyed: row.try_get("", "destroyed")?,
            create_time: row.try_get("", "create_time")?,
        })
    }

    pub fn name(&self) -> String {
        format!("{}/files/{}", self.parent, self.id)
    }

    pub fn to_proto(&self) -> File {
        File {
            name: self.name(),
            file_name: self.file_name.clone(),
            content_type: self.content_type.clone(),
            size: self.size,
            sha256: self.sha256.clone(),
            create_time: Some(timestamp(self.create_time)),
        }
    }

    pub async fn insert(&self, db: &impl ConnectionTrait) -> ServiceResult<()> {
        db.execute(Query::insert().into_table("files").columns(FILE_COLUMNS).values_panic([
            self.id.clone().into(),
            self.parent.clone().into(),
            self.file_name.clone().into(),
            self.content_type.clone().into(),
            self.size.into(),
            self.sha256.clone().into(),
            self.destroyed.into(),
            self.create_time.into(),
        ]))
        .await?;
        Ok(())
    }
}

/// The files of `parent`, oldest first (destroyed ones left out).
pub async fn files_of(db: &impl ConnectionTrait, parent: &str) -> ServiceResult<Vec<File>> {
    let rows = db
        .query_all(
            Query::select()
                .columns(FILE_COLUMNS)
                .from("files")
                .and_where(Expr::col("parent").eq(parent.to_string()))
                .and_where(Expr::col("destroyed").eq(false))
                .order_by("create_time", Order::Asc)
                .order_by("id", Order::Asc),
        )
        .await?;
    rows.iter()
        .map(|r| FileRow::from_row(r).map(|f| f.to_proto()))
        .collect()
}

/// The reviews of one round of a revision.
pub async fn reviews_of(
    db: &impl ConnectionTrait,
    document_id: &str,
    number: i32,
    round: i32,
) -> ServiceResult<Vec<Review>> {
    reviews_where(db, document_id, number, Expr::col("round").eq(round)).await
}

/// The decisions of the rounds before `round` (those a rejection ended, and
/// any reviewer who decided before it), oldest round first.
pub async fn earlier_reviews(
    db: &impl ConnectionTrait,
    document_id: &str,
    number: i32,
    round: i32,
) -> ServiceResult<Vec<Review>> {
    let condition = Expr::col("round")
        .lt(round)
        .and(Expr::col("decision").ne(eiso_proto::eiso::documents::v1::review::Decision::Pending as i32));
    reviews_where(db, document_id, number, condition).await
}

async fn reviews_where(
    db: &impl ConnectionTrait,
    document_id: &str,
    number: i32,
    condition: sea_orm::sea_query::SimpleExpr,
) -> ServiceResult<Vec<Review>> {
    let rows = db
        .query_all(
            Query::select()
                .columns(["reviewer", "round", "decision", "comment", "decide_time"])
                .from("reviews")
                .and_where(Expr::col("document_id").eq(document_id.to_string()))
                .and_where(Expr::col("number").eq(number))
                .and_where(condition)
                .order_by("round", Order::Asc)
                .order_by("reviewer", Order::Asc),
        )
        .await?;
    rows.iter()
        .map(|row| {
            let decide_time: Option<DateTime<Utc>> = row.try_get("", "decide_time")?;
            Ok(Review {
                reviewer: row.try_get("", "reviewer")?,
                round: row.try_get("", "round")?,
                decision: row.try_get("", "decision")?,
                comment: row.try_get("", "comment")?,
                decide_time: ts(decide_time),
            })
        })
        .collect()
}

/// A revision as the API shows it: with its files, its current round's
/// reviews and the decisions of the rounds before.
pub async fn revision_proto(db: &impl ConnectionTrait, row: &RevisionRow) -> ServiceResult<Revision> {
    let files = files_of(db, &row.name()).await?;
    let reviews = reviews_of(db, &row.document_id, row.number, row.review_round).await?;
    let mut revision = row.to_proto(files, reviews);
    revision.earlier_reviews = earlier_reviews(db, &row.document_id, row.number, row.review_round).await?;
    Ok(revision)
}

pub const RECORD_COLUMNS: [&str; 14] = [
    "id",
    "title",
    "document_id",
    "owner_unit",
    "retention_months",
    "disposition",
    "state",
    "close_time",
    "retention_end_time",
    "disposition_act",
    "create_time",
    "update_time",
    "version",
    "revisions",
];

/// A revision of a record after the first (`revisions`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct RecordRevisionJson {
    pub revision: i32,
    pub reason: String,
    pub actor: String,
    pub time: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct DispositionActJson {
    pub disposition: i32,
    pub actor: String,
    pub act_time: DateTime<Utc>,
    pub reason: String,
    pub reference: String,
}

const RECORDS: Table<14> = Table {
    name: "records",
    columns: RECORD_COLUMNS,
    key: 1,
};

#[derive(Debug, Clone)]
pub struct RecordRow {
    pub id: String,
    pub title: String,
    pub document_id: Option<String>,
    pub owner_unit: String,
    pub retention_months: i32,
    pub disposition: i32,
    pub state: i32,
    pub close_time: Option<DateTime<Utc>>,
    pub retention_end_time: Option<DateTime<Utc>>,
    pub disposition_act: Option<DispositionActJson>,
    pub create_time: DateTime<Utc>,
    pub update_time: DateTime<Utc>,
    pub version: i64,
    /// The revisions after the first, oldest first.
    pub revisions: Vec<RecordRevisionJson>,
}

impl RecordRow {
    pub fn from_row(row: &QueryResult) -> ServiceResult<Self> {
        let act: Option<String> = row.try_get("", "disposition_act")?;
        Ok(Self {
            id: row.try_get("", "id")?,
            title: row.try_get("", "title")?,
            document_id: row.try_get("", "document_id")?,
            owner_unit: row.try_get("", "owner_unit")?,
            retention_months: row.try_get("", "retention_months")?,
            disposition: row.try_get("", "disposition")?,
            state: row.try_get("", "state")?,
            close_time: row.try_get("", "close_time")?,
            retention_end_time: row.try_get("", "retention_end_time")?,
            disposition_act: act
                .map(|a| serde_json::from_str(&a))
                .transpose()
                .map_err(ServiceError::internal)?,
            create_time: row.try_get("", "create_time")?,
            update_time: row.try_get("", "update_time")?,
            version: row.try_get("", "version")?,
            revisions: serde_json::from_str(&row.try_get::<String>("", "revisions")?)
                .map_err(ServiceError::internal)?,
        })
    }

    pub fn name(&self) -> String {
        format!("records/{}", self.id)
    }

    /// The revision the record is at: 1 as filed.
    pub fn revision(&self) -> i32 {
        self.revisions.last().map_or(1, |r| r.revision)
    }

    pub fn is_open(&self) -> bool {
        self.state == record::State::Open as i32
    }

    pub fn to_proto(&self, files: Vec<File>) -> Record {
        // A file belongs to the revision that was open when it was added.
        let revisions = self
            .revisions
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let until = self.revisions.get(i + 1).map(|next| next.time);
                RecordRevision {
                    revision: r.revision,
                    reason: r.reason.clone(),
                    actor: r.actor.clone(),
                    create_time: Some(timestamp(r.time)),
                    files: files
                        .iter()
                        .filter(|f| {
                            let added = f.create_time.as_ref().map(|t| (t.seconds, t.nanos));
                            let key = |t: DateTime<Utc>| Some((t.timestamp(), t.timestamp_subsec_nanos() as i32));
                            added >= key(r.time) && until.is_none_or(|u| added < key(u))
                        })
                        .map(|f| f.name.clone())
                        .collect(),
                }
            })
            .collect();
        Record {
            revision: self.revision(),
            revisions,
            name: self.name(),
            title: self.title.clone(),
            document: self
                .document_id
                .as_ref()
                .map(|d| format!("documents/{d}"))
                .unwrap_or_default(),
            owner_unit: self.owner_unit.clone(),
            retention_months: self.retention_months,
            disposition: self.disposition,
            state: self.state,
            files,
            close_time: ts(self.close_time),
            retention_end_time: ts(self.retention_end_time),
            disposition_act: self.disposition_act.as_ref().map(|a| DispositionAct {
                disposition: a.disposition,
                actor: a.actor.clone(),
                act_time: Some(timestamp(a.act_time)),
                reason: a.reason.clone(),
                reference: a.reference.clone(),
            }),
            create_time: Some(timestamp(self.create_time)),
            update_time: Some(timestamp(self.update_time)),
            etag: etag::compute(&self.name(), self.version),
        }
    }

    fn values(&self) -> ServiceResult<[sea_orm::Value; 14]> {
        Ok([
            self.id.clone().into(),
            self.title.clone().into(),
            self.document_id.clone().into(),
            self.owner_unit.clone().into(),
            self.retention_months.into(),
            self.disposition.into(),
            self.state.into(),
            self.close_time.into(),
            self.retention_end_time.into(),
            self.disposition_act
                .as_ref()
                .map(serde_json::to_string)
                .transpose()
                .map_err(ServiceError::internal)?
                .into(),
            self.create_time.into(),
            self.update_time.into(),
            self.version.into(),
            serde_json::to_string(&self.revisions)
                .map_err(ServiceError::internal)?
                .into(),
        ])
    }

    pub async fn insert(&self, db: &impl ConnectionTrait) -> ServiceResult<()> {
        Ok(RECORDS.insert(db, self.values()?).await?)
    }

    pub async fn save(&mut self, db: &impl ConnectionTrait, now: DateTime<Utc>) -> ServiceResult<()> {
        self.update_time = now;
        RECORDS
            .save(db, self.values()?, self.version, &self.name(), ServiceError::from)
            .await?;
        self.version += 1;
        Ok(())
    }
}

pub async fn get_record(db: &impl ConnectionTrait, id: &str) -> ServiceResult<RecordRow> {
    let row = RECORDS.get(db, id, || format!("records/{id}")).await?;
    RecordRow::from_row(&row)
}

pub fn disposition_label(disposition: i32) -> &'static str {
    match Disposition::try_from(disposition) {
        Ok(Disposition::Keep) => "keep",
        Ok(Disposition::Destroy) => "destroy",
        Ok(Disposition::TransferToArchive) => "transfer to archive",
        _ => "unspecified",
    }
}

/// Parses `documents/{id}/revisions/{n}`.
pub fn parse_revision_name(name: &str, field: &str) -> ServiceResult<(String, i32)> {
    let bad = || {
        ServiceError::invalid(
            field,
            format!(
                "`{}` is not a revision name (expected `documents/{{id}}/revisions/{{number}}`)",
                name.chars().take(100).collect::<String>()
            ),
        )
    };
    let rest = name.strip_prefix("documents/").ok_or_else(bad)?;
    let (id, number) = rest.split_once("/revisions/").ok_or_else(bad)?;
    if !eiso_platform::aip::names::valid_id(id) {
        return Err(bad());
    }
    let number: i32 = number.parse().map_err(|_| bad())?;
    if number < 1 {
        return Err(bad());
    }
    Ok((id.to_string(), number))
}
