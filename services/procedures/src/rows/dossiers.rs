//! The `dossiers` table, and `dossier_sequences` that numbers their codes.
//! The applicant's personal data has columns of its own, so that it is never
//! part of a payload by accident; documents, hand-overs, supplements, the
//! extension and the history are JSON text. `eiso-dossierbench` seeds this
//! table with these rows.

use chrono::{DateTime, Utc};
use eiso_platform::aip::etag;
use eiso_platform::aip::time::{optional_timestamp, timestamp};
use eiso_platform::{ServiceError, ServiceResult, versioned};
use eiso_proto::eiso::procedures::v1 as pb;
use pb::DossierStatus as S;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{ConnectionTrait, QueryResult};
use serde::{Deserialize, Serialize};

use super::{json, parse_json};
use crate::counts::{self, Counted};

/// A document received with the dossier (`documents`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct DocumentJson {
    pub display_name: String,
    pub copy_kind: i32,
    pub sets: i32,
}

/// A row of the control slip (`handovers`): the intake, then each hand-over
/// to a step.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct HandoverJson {
    pub step: i32,
    pub giver: String,
    pub receiver: String,
    pub time: DateTime<Utc>,
    pub step_due: DateTime<Utc>,
    pub note: String,
    /// The intake (step 0), recorded at receipt; false in rows from before it was.
    #[serde(default)]
    pub intake: bool,
    /// The unit the giver acted for (`units/{id}`); empty in rows from before it was kept.
    #[serde(default)]
    pub giver_unit: String,
}

impl HandoverJson {
    /// The intake: step 0, the counter's, done at `time` by `clerk` acting
    /// for `counter`, who holds the dossier until the first hand-over.
    pub fn intake(clerk: &str, counter: &str, time: DateTime<Utc>, step_due: DateTime<Utc>) -> Self {
        Self {
            step: 0,
            giver: clerk.to_string(),
            receiver: clerk.to_string(),
            time,
            step_due,
            note: String::new(),
            intake: true,
            giver_unit: counter.to_string(),
        }
    }
}

/// A supplement asked for, and when it came (`supplements`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SupplementJson {
    pub request_time: DateTime<Utc>,
    pub reason: String,
    pub documents: Vec<String>,
    pub receive_time: Option<DateTime<Utc>>,
}

/// The one extension (`extension`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ExtensionJson {
    pub request_time: DateTime<Utc>,
    pub reason: String,
    pub new_appointment: DateTime<Utc>,
}

/// A status change (`history`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ChangeJson {
    pub status: i32,
    pub time: DateTime<Utc>,
    pub actor: String,
    pub note: String,
}

/// The columns of `dossiers`, in the order of [`DossierRow::values`].
pub const DOSSIER_COLUMNS: [&str; 35] = [
    "id",
    "code",
    "agency",
    "procedure_code",
    "procedure_version",
    "status",
    "channel",
    "applicant_name",
    "applicant_id_number",
    "applicant_phone",
    "applicant_address",
    "applicant_email",
    "summary",
    "documents",
    "receive_time",
    "due_time",
    "appointment_time",
    "current_step",
    "assignee",
    "handovers",
    "supplements",
    "extension",
    "complete_time",
    "result_summary",
    "result_digitised",
    "return_time",
    "satisfaction",
    "outcome",
    "end_time",
    "history",
    "rating_code",
    "update_time",
    "version",
    "dossier_sets",
    "applicant_type",
];

#[derive(Debug, Clone)]
pub struct DossierRow {
    pub id: String,
    pub code: String,
    pub agency: String,
    pub procedure_code: String,
    pub procedure_version: i32,
    pub status: i32,
    pub channel: i32,
    pub applicant: pb::Applicant,
    pub summary: String,
    pub documents: Vec<DocumentJson>,
    pub receive_time: DateTime<Utc>,
    pub due_time: Option<DateTime<Utc>>,
    pub appointment_time: Option<DateTime<Utc>>,
    /// The step the dossier is at: 0 from receipt (the intake); -1 for a
    /// dossier refused at intake or received before the intake was recorded.
    pub current_step: i32,
    pub assignee: String,
    pub handovers: Vec<HandoverJson>,
    pub supplements: Vec<SupplementJson>,
    pub extension: Option<ExtensionJson>,
    pub complete_time: Option<DateTime<Utc>>,
    pub result_summary: String,
    pub result_digitised: bool,
    pub return_time: Option<DateTime<Utc>>,
    pub satisfaction: i32,
    pub outcome: i32,
    /// When the dossier stopped running: completed, withdrawn or stopped
    /// (period statistics count from receipt to here).
    pub end_time: Option<DateTime<Utc>>,
    pub history: Vec<ChangeJson>,
    /// The one-time code on the receipt with which the applicant rates the
    /// service from the public lookup page; empty for dossiers received
    /// before there were codes. Never in the API's messages.
    pub rating_code: String,
    pub update_time: DateTime<Utc>,
    pub version: i64,
    /// Sets of the dossier (bộ hồ sơ) handed in.
    pub dossier_sets: i32,
    /// Where the dossier counted when it was read ([`Counted`]), so that a
    /// save moves its counts; `None` for a dossier not read from the table.
    pub counted_as: Option<Counted>,
}

impl DossierRow {
    /// A dossier as it stands at intake at `time`: received then, nothing
    /// after it yet (no deadline, step, hand-over, supplement, extension,
    /// result or history), version 1. The caller fills in who, what and where,
    /// and a receipt its intake ([`Self::record_intake`]).
    pub fn at_intake(time: DateTime<Utc>) -> Self {
        Self {
            id: String::new(),
            code: String::new(),
            agency: String::new(),
            procedure_code: String::new(),
            procedure_version: 0,
            status: S::Received as i32,
            channel: pb::Channel::Direct as i32,
            applicant: pb::Applicant::default(),
            summary: String::new(),
            documents: Vec::new(),
            receive_time: time,
            due_time: None,
            appointment_time: None,
            current_step: -1,
            assignee: String::new(),
            handovers: Vec::new(),
            supplements: Vec::new(),
            extension: None,
            complete_time: None,
            result_summary: String::new(),
            result_digitised: false,
            return_time: None,
            satisfaction: 0,
            outcome: 0,
            end_time: None,
            history: Vec::new(),
            rating_code: String::new(),
            update_time: time,
            version: 1,
            dossier_sets: 1,
            counted_as: None,
        }
    }

    pub fn from_row(row: &QueryResult) -> ServiceResult<Self> {
        let extension: Option<String> = row.try_get("", "extension")?;
        Ok(Self {
            id: row.try_get("", "id")?,
            code: row.try_get("", "code")?,
            agency: row.try_get("", "agency")?,
            procedure_code: row.try_get("", "procedure_code")?,
            procedure_version: row.try_get("", "procedure_version")?,
            status: row.try_get("", "status")?,
            channel: row.try_get("", "channel")?,
            applicant: pb::Applicant {
                full_name: row.try_get("", "applicant_name")?,
                id_number: row.try_get("", "applicant_id_number")?,
                phone: row.try_get("", "applicant_phone")?,
                address: row.try_get("", "applicant_address")?,
                email: row.try_get("", "applicant_email")?,
                r#type: row.try_get("", "applicant_type")?,
            },
            summary: row.try_get("", "summary")?,
            documents: parse_json(row, "documents")?,
            receive_time: row.try_get("", "receive_time")?,
            due_time: row.try_get("", "due_time")?,
            appointment_time: row.try_get("", "appointment_time")?,
            current_step: row.try_get("", "current_step")?,
            assignee: row.try_get("", "assignee")?,
            handovers: parse_json(row, "handovers")?,
            supplements: parse_json(row, "supplements")?,
            extension: extension
                .map(|e| serde_json::from_str(&e))
                .transpose()
                .map_err(ServiceError::internal)?,
            complete_time: row.try_get("", "complete_time")?,
            result_summary: row.try_get("", "result_summary")?,
            result_digitised: row.try_get("", "result_digitised")?,
            return_time: row.try_get("", "return_time")?,
            satisfaction: row.try_get("", "satisfaction")?,
            outcome: row.try_get("", "outcome")?,
            end_time: row.try_get("", "end_time")?,
            history: parse_json(row, "history")?,
            rating_code: row.try_get("", "rating_code")?,
            update_time: row.try_get("", "update_time")?,
            version: row.try_get("", "version")?,
            dossier_sets: row.try_get("", "dossier_sets")?,
            counted_as: Some(Counted::from_row(row)?),
        })
    }

    pub fn name(&self) -> String {
        format!("dossiers/{}", self.id)
    }

    pub fn status(&self) -> S {
        S::try_from(self.status).unwrap_or(S::Unspecified)
    }

    /// The row's values, in the order of [`DOSSIER_COLUMNS`].
    pub fn values(&self) -> ServiceResult<Vec<sea_orm::Value>> {
        Ok(vec![
            self.id.clone().into(),
            self.code.clone().into(),
            self.agency.clone().into(),
            self.procedure_code.clone().into(),
            self.procedure_version.into(),
            self.status.into(),
            self.channel.into(),
            self.applicant.full_name.clone().into(),
            self.applicant.id_number.clone().into(),
            self.applicant.phone.clone().into(),
            self.applicant.address.clone().into(),
            self.applicant.email.clone().into(),
            self.summary.clone().into(),
            json(&self.documents)?.into(),
            self.receive_time.into(),
            self.due_time.into(),
            self.appointment_time.into(),
            self.current_step.into(),
            self.assignee.clone().into(),
            json(&self.handovers)?.into(),
            json(&self.supplements)?.into(),
            self.extension.as_ref().map(json).transpose()?.into(),
            self.complete_time.into(),
            self.result_summary.clone().into(),
            self.result_digitised.into(),
            self.return_time.into(),
            self.satisfaction.into(),
            self.outcome.into(),
            self.end_time.into(),
            json(&self.history)?.into(),
            self.rating_code.clone().into(),
            self.update_time.into(),
            self.version.into(),
            self.dossier_sets.into(),
            self.applicant.r#type.into(),
        ])
    }

    /// Inserts the dossier and counts it ([`counts`]), in `db`'s transaction.
    pub async fn insert(&self, db: &impl ConnectionTrait) -> ServiceResult<()> {
        let values = self.values()?;
        db.execute(
            Query::insert()
                .into_table("dossiers")
                .columns(DOSSIER_COLUMNS)
                .values_panic(values.into_iter().map(Expr::from)),
        )
        .await?;
        counts::change(db, None, &Counted::of(self)).await
    }

    /// Writes every column back as of `now`, bumping the version, and moves
    /// its counts; ABORTED if the row changed since it was read.
    pub async fn save(&mut self, db: &impl ConnectionTrait, now: DateTime<Utc>) -> ServiceResult<()> {
        self.update_time = now;
        let mut update = Query::update();
        update.table("dossiers");
        for (column, value) in DOSSIER_COLUMNS.iter().zip(self.values()?) {
            if !matches!(*column, "id" | "version") {
                update.value(*column, value);
            }
        }
        update.and_where(Expr::col("id").eq(self.id.clone()));
        let before = self
            .counted_as
            .take()
            .ok_or_else(|| ServiceError::internal("a dossier is saved that was not read from the table"))?;
        versioned::update(db, update, self.version, &self.name(), Into::into).await?;
        let after = Counted::of(self);
        counts::change(db, Some(&before), &after).await?;
        self.counted_as = Some(after);
        self.version += 1;
        Ok(())
    }

    /// Records the intake, the counter's step 0, as done at the receive time
    /// by `clerk` for `counter` (its due time `step_due`): the first row of
    /// the control slip. The clerk holds the dossier until the first
    /// hand-over, which is to step 1.
    pub fn record_intake(&mut self, clerk: &str, counter: &str, step_due: DateTime<Utc>) {
        self.handovers
            .push(HandoverJson::intake(clerk, counter, self.receive_time, step_due));
        self.current_step = 0;
        self.assignee = clerk.to_string();
    }

    /// Moves the dossier to `status`, in its history; a status that ends
    /// the processing (completed, withdrawn, stopped) sets the end time.
    pub fn change(&mut self, status: S, time: DateTime<Utc>, actor: &str, note: &str) {
        self.status = status as i32;
        if matches!(status, S::Completed | S::Withdrawn | S::Stopped) {
            self.end_time = Some(time);
        }
        self.history.push(ChangeJson {
            status: status as i32,
            time,
            actor: actor.to_string(),
            note: note.to_string(),
        });
    }

    /// The dossier, with the applicant's data when `personal`.
    pub fn to_proto(&self, personal: bool) -> pb::Dossier {
        pb::Dossier {
            name: self.name(),
            code: self.code.clone(),
            procedure_version: format!("procedures/{}/versions/{}", self.procedure_code, self.procedure_version),
            agency: self.agency.clone(),
            applicant: personal.then(|| self.applicant.clone()),
            summary: self.summary.clone(),
            channel: self.channel,
            documents: self
                .documents
                .iter()
                .map(|d| pb::ReceivedDocument {
                    display_name: d.display_name.clone(),
                    copy_kind: d.copy_kind,
                    sets: d.sets,
                })
                .collect(),
            status: self.status,
            receive_time: Some(timestamp(self.receive_time)),
            due_time: optional_timestamp(self.due_time),
            appointment_time: optional_timestamp(self.appointment_time),
            current_step: self.current_step,
            assignee: self.assignee.clone(),
            handovers: self
                .handovers
                .iter()
                .map(|h| pb::Handover {
                    step: h.step,
                    giver: h.giver.clone(),
                    receiver: h.receiver.clone(),
                    handover_time: Some(timestamp(h.time)),
                    step_due_time: Some(timestamp(h.step_due)),
                    note: h.note.clone(),
                    intake: h.intake,
                    giver_unit: h.giver_unit.clone(),
                })
                .collect(),
            supplements: self
                .supplements
                .iter()
                .map(|s| pb::Supplement {
                    request_time: Some(timestamp(s.request_time)),
                    reason: s.reason.clone(),
                    documents: s.documents.clone(),
                    receive_time: optional_timestamp(s.receive_time),
                })
                .collect(),
            extension: self.extension.as_ref().map(|e| pb::Extension {
                request_time: Some(timestamp(e.request_time)),
                reason: e.reason.clone(),
                new_appointment_time: Some(timestamp(e.new_appointment)),
            }),
            complete_time: optional_timestamp(self.complete_time),
            result_summary: self.result_summary.clone(),
            result_digitised: self.result_digitised,
            return_time: optional_timestamp(self.return_time),
            satisfaction: self.satisfaction,
            outcome: self.outcome,
            history: self
                .history
                .iter()
                .map(|c| pb::StatusChange {
                    status: c.status,
                    change_time: Some(timestamp(c.time)),
                    actor: c.actor.clone(),
                    note: c.note.clone(),
                })
                .collect(),
            update_time: Some(timestamp(self.update_time)),
            etag: etag::compute(&self.name(), self.version),
            dossier_sets: self.dossier_sets,
        }
    }
}

/// The dossier `id`, or NOT_FOUND naming it.
pub async fn get_dossier(db: &impl ConnectionTrait, id: &str) -> ServiceResult<DossierRow> {
    find_dossier_by(db, "id", id)
        .await?
        .ok_or_else(|| ServiceError::NotFound(format!("dossiers/{id}")))
}

/// The dossier whose `column` (`id` or `code`, both unique) is `value`.
pub async fn find_dossier_by(
    db: &impl ConnectionTrait,
    column: &str,
    value: &str,
) -> ServiceResult<Option<DossierRow>> {
    let found = db
        .query_one(
            Query::select()
                .columns(DOSSIER_COLUMNS)
                .from("dossiers")
                .and_where(Expr::col(column.to_string()).eq(value.to_string())),
        )
        .await?;
    found.as_ref().map(DossierRow::from_row).transpose()
}

/// The next number of `agency`'s dossier codes on `day`: 1, 2, … per agency
/// and day, never reused.
pub async fn next_dossier_number(db: &impl ConnectionTrait, agency: &str, day: &str) -> ServiceResult<i32> {
    let row = db
        .query_one(
            Query::insert()
                .into_table("dossier_sequences")
                .columns(["agency", "day", "last"])
                .values_panic([agency.into(), day.into(), 1.into()])
                .on_conflict(
                    OnConflict::columns(["agency", "day"])
                        .value("last", Expr::col(("dossier_sequences", "last")).add(1))
                        .to_owned(),
                )
                .returning_col("last"),
        )
        .await?
        .ok_or_else(|| ServiceError::internal("dossier sequence returned nothing"))?;
    Ok(row.try_get("", "last")?)
}
