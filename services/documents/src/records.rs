//! Quality records (hồ sơ ISO): kept as evidence for a retention period,
//! then disposed of by rule as a recorded act, never silently deleted.

use chrono::{Months, SubsecRound, Utc};
use eiso_platform::aip::{etag, list, names, text};
use eiso_platform::audit::{self, EntryFilter};
use eiso_platform::journal::{Begun, fingerprint};
use eiso_platform::{CallContext, NewEvent, ServiceError, ServiceResult, Violations};
use eiso_proto::eiso::documents::v1::{
    CloseRecordRequest, CreateRecordRequest, DisposeRecordRequest, Disposition, GetRecordRequest,
    ListRecordsDueForDispositionRequest, ListRecordsDueForDispositionResponse, ListRecordsRequest, ListRecordsResponse,
    Record, ReviseRecordRequest, record,
};
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, Order, Query, SelectStatement};

use crate::Documents;
use crate::rows::{
    DispositionActJson, RECORD_COLUMNS, RecordRevisionJson, RecordRow, disposition_label, files_of, get_document,
    get_record,
};

/// Longest retention accepted: 100 years.
const MAX_RETENTION_MONTHS: i32 = 1200;

impl Documents {
    async fn record_proto(&self, db: &impl ConnectionTrait, row: &RecordRow) -> ServiceResult<Record> {
        Ok(row.to_proto(files_of(db, &row.name()).await?))
    }

    /// The page of records `query` selects (limited by `listing`), and the
    /// token of the next page.
    async fn record_page(
        &self,
        listing: &list::Listing,
        query: &SelectStatement,
    ) -> ServiceResult<(Vec<Record>, String)> {
        let db = self.journal.db().reader();
        let (rows, next_page_token) = listing.rows(db, query).await?;
        let mut records = Vec::with_capacity(rows.len());
        for row in &rows {
            records.push(self.record_proto(db, &RecordRow::from_row(row)?).await?);
        }
        Ok((records, next_page_token))
    }

    pub async fn create_record(&self, ctx: &CallContext, request: CreateRecordRequest) -> ServiceResult<Record> {
        let print = fingerprint(&request);
        let input = request.record.unwrap_or_default();
        let mut violations = Violations::new();
        let title = text::clean(&mut violations, "record.title", &input.title, true, 300);
        if !(0..=MAX_RETENTION_MONTHS).contains(&input.retention_months) {
            violations.add(
                "record.retention_months",
                "must be between 0 (permanent) and 1200 months",
            );
        }
        match Disposition::try_from(input.disposition) {
            Ok(Disposition::Unspecified) => violations.add("record.disposition", "is required"),
            Err(_) => violations.add("record.disposition", format!("unknown value {}", input.disposition)),
            Ok(Disposition::Destroy) | Ok(Disposition::TransferToArchive) if input.retention_months == 0 => violations
                .add(
                    "record.disposition",
                    "a record kept permanently (retention 0) can only be kept",
                ),
            Ok(_) => {}
        }
        if input.owner_unit.is_empty() {
            violations.add("record.owner_unit", "is required");
        }
        violations.check()?;
        self.check_unit(&input.owner_unit, "record.owner_unit").await?;
        self.method_scope(ctx)
            .await?
            .require(&input.owner_unit, "the new record")?;
        let document_id = names::parse_optional(&input.document, "documents", "record.document")?;
        if let Some(id) = &document_id {
            let missing = || ServiceError::invalid("record.document", format!("{} does not exist", input.document));
            let document = get_document(self.journal.db().reader(), id)
                .await
                .map_err(|_| missing())?;
            self.ensure_readable(&ctx.principal, &document)
                .await
                .map_err(|_| missing())?;
        }

        let mut tx = match self.journal.begin_idempotent::<Record>(ctx, &print).await? {
            Begun::Fresh(tx) => *tx,
            Begun::Replayed(done) => return Ok(done),
        };
        let now = Utc::now();
        let row = RecordRow {
            id: names::new_id(),
            title,
            document_id,
            owner_unit: input.owner_unit,
            retention_months: input.retention_months,
            disposition: input.disposition,
            state: record::State::Open as i32,
            close_time: None,
            retention_end_time: None,
            disposition_act: None,
            create_time: now,
            update_time: now,
            version: 1,
            revisions: Vec::new(),
        };
        row.insert(tx.txn()).await?;
        let record = row.to_proto(Vec::new());
        tx.event(NewEvent::with("documents.record.created", &record.name, &record));
        tx.commit_idempotent(record).await
    }

    pub async fn get_record(&self, ctx: &CallContext, request: GetRecordRequest) -> ServiceResult<Record> {
        let id = names::parse(&request.name, "records", "name")?;
        let db = self.journal.db().reader();
        let row = get_record(db, &id).await?;
        self.ensure_record_access(ctx, &row).await?;
        self.record_proto(db, &row).await
    }

    /// Who filed the record `name` (`records/{id}`), when the caller may
    /// read it: the actor of its creation, the first successful change this
    /// service's audit trail holds for it. `None` when the trail has none.
    pub async fn record_filer(&self, ctx: &CallContext, name: &str) -> ServiceResult<Option<String>> {
        let id = names::parse(name, "records", "name")?;
        let row = get_record(self.journal.db().reader(), &id).await?;
        self.ensure_record_access(ctx, &row).await?;
        let created = EntryFilter {
            resource: Some(row.name()),
            code: Some(0),
            ..Default::default()
        };
        let entries = audit::list(self.journal.db(), 0, 1, &created).await?;
        Ok(entries.into_iter().next().map(|e| e.entry.actor))
    }

    pub async fn list_records(
        &self,
        ctx: &CallContext,
        request: ListRecordsRequest,
    ) -> ServiceResult<ListRecordsResponse> {
        const SPEC: list::Spec = list::Spec::new(
            &["owner_unit", "document", "state", "disposition"],
            &["create_time", "title", "retention_end_time"],
            "create_time",
        );
        let listing = eiso_platform::listing!(&SPEC, request)?;
        let mut query = Query::select();
        query.columns(RECORD_COLUMNS).from("records");
        if let Some(covered) = self.reader_scope(&ctx.principal).await?.condition("owner_unit") {
            query.and_where(covered);
        }
        listing.filter(&mut query, |condition| {
            let value = &condition.value;
            Ok(match condition.field.as_str() {
                "owner_unit" => Expr::col("owner_unit").eq(value.clone()),
                "document" => Expr::col("document_id").eq(names::parse(value, "documents", "filter")?),
                "state" => Expr::col("state").eq(list::state_value(value, record::State::from_str_name)?),
                _ => Expr::col("disposition").eq(list::enum_value(
                    value,
                    "DISPOSITION_",
                    "disposition",
                    Disposition::from_str_name,
                )?),
            })
        })?;
        listing.order_and_limit(&mut query, "id");
        let (records, next_page_token) = self.record_page(&listing, &query).await?;
        Ok(ListRecordsResponse {
            records,
            next_page_token,
        })
    }

    pub async fn close_record(&self, ctx: &CallContext, request: CloseRecordRequest) -> ServiceResult<Record> {
        let id = names::parse(&request.name, "records", "name")?;
        let mut tx = self.journal.begin(ctx).await?;
        let mut row = get_record(tx.txn(), &id).await?;
        self.ensure_record_access(ctx, &row).await?;
        etag::check(&request.etag, &row.name(), row.version)?;
        if !row.is_open() {
            return Err(ServiceError::precondition(
                "RECORD_CLOSED",
                row.name(),
                format!("{} is already closed", row.name()),
            ));
        }
        let now = Utc::now();
        row.state = record::State::Closed as i32;
        row.close_time = Some(now);
        row.retention_end_time = if row.retention_months == 0 {
            None
        } else {
            now.checked_add_months(Months::new(row.retention_months as u32))
        };
        row.save(tx.txn(), now).await?;
        let record = self.record_proto(tx.txn(), &row).await?;
        tx.event(NewEvent::with("documents.record.closed", &record.name, &record));
        tx.commit().await?;
        Ok(record)
    }

    /// Opens the next revision of a closed record, to add files that
    /// supersede the ones filed; [`Self::close_record`] closes it again and
    /// its retention runs from then. What was filed before stays, listed as
    /// the earlier revision's.
    pub async fn revise_record(&self, ctx: &CallContext, request: ReviseRecordRequest) -> ServiceResult<Record> {
        let id = names::parse(&request.name, "records", "name")?;
        let mut violations = Violations::new();
        let reason = text::clean(&mut violations, "reason", &request.reason, true, 2000);
        violations.check()?;
        let ctx = ctx.clone().with_reason(&reason);
        let mut tx = self.journal.begin(&ctx).await?;
        let mut row = get_record(tx.txn(), &id).await?;
        self.ensure_record_access(&ctx, &row).await?;
        etag::check(&request.etag, &row.name(), row.version)?;
        if row.state != record::State::Closed as i32 {
            let (reason_code, why) = if row.is_open() {
                ("RECORD_OPEN", "is open: add the files and close it")
            } else {
                ("RECORD_DISPOSED", "was disposed of")
            };
            return Err(ServiceError::precondition(
                reason_code,
                row.name(),
                format!("{} {why}", row.name()),
            ));
        }
        // Microseconds, as the files' times are stored: a file added in this
        // revision is never dated before it.
        let now = Utc::now().trunc_subsecs(6);
        row.revisions.push(RecordRevisionJson {
            revision: row.revision() + 1,
            reason,
            actor: ctx.principal.name.clone(),
            time: now,
        });
        row.state = record::State::Open as i32;
        row.close_time = None;
        row.retention_end_time = None;
        row.save(tx.txn(), now).await?;
        let record = self.record_proto(tx.txn(), &row).await?;
        tx.event(NewEvent::with("documents.record.revised", &record.name, &record));
        tx.commit().await?;
        Ok(record)
    }

    pub async fn list_due_for_disposition(
        &self,
        ctx: &CallContext,
        request: ListRecordsDueForDispositionRequest,
    ) -> ServiceResult<ListRecordsDueForDispositionResponse> {
        let as_of = eiso_platform::aip::time::optional_instant(request.as_of_time.as_ref(), "as_of_time")?
            .unwrap_or_else(Utc::now);
        let key = format!("due|{}", as_of.timestamp_micros());
        let listing = list::Listing::paged(request.page_size, &request.page_token, &key, 100, 1000)?;
        let mut query = Query::select();
        query
            .columns(RECORD_COLUMNS)
            .from("records")
            .and_where(Expr::col("state").eq(record::State::Closed as i32))
            .and_where(Expr::col("retention_end_time").lte(as_of));
        if let Some(covered) = self.method_scope(ctx).await?.condition("owner_unit") {
            query.and_where(covered);
        }
        query
            .order_by("retention_end_time", Order::Asc)
            .order_by("id", Order::Asc);
        listing.limit(&mut query);
        let (records, next_page_token) = self.record_page(&listing, &query).await?;
        Ok(ListRecordsDueForDispositionResponse {
            records,
            next_page_token,
        })
    }

    pub async fn dispose_record(&self, ctx: &CallContext, request: DisposeRecordRequest) -> ServiceResult<Record> {
        let id = names::parse(&request.name, "records", "name")?;
        let mut violations = Violations::new();
        let reason = text::clean(&mut violations, "reason", &request.reason, true, 2000);
        let reference = text::clean(&mut violations, "reference", &request.reference, true, 200);
        violations.check()?;
        let ctx = ctx.clone().with_reason(&reason);
        let mut tx = self.journal.begin(&ctx).await?;
        let mut row = get_record(tx.txn(), &id).await?;
        self.ensure_record_access(&ctx, &row).await?;
        etag::check(&request.etag, &row.name(), row.version)?;
        let now = Utc::now();
        match (row.state, row.retention_end_time) {
            (state, _) if state != record::State::Closed as i32 => {
                return Err(ServiceError::precondition(
                    "RECORD_NOT_CLOSED",
                    row.name(),
                    format!("{} is not closed and past its retention", row.name()),
                ));
            }
            (_, None) => {
                return Err(ServiceError::precondition(
                    "RECORD_PERMANENT",
                    row.name(),
                    format!("{} is kept permanently", row.name()),
                ));
            }
            (_, Some(end)) if end > now => {
                return Err(ServiceError::precondition(
                    "RETENTION_RUNNING",
                    row.name(),
                    format!("{}'s retention runs until {}", row.name(), end.format("%Y-%m-%d")),
                ));
            }
            _ => {}
        }
        if row.disposition == Disposition::Destroy as i32 {
            // The content goes; the description, the file list and the act stay.
            tx.txn()
                .execute(
                    Query::update()
                        .table("files")
                        .value("destroyed", true)
                        .and_where(Expr::col("parent").eq(row.name())),
                )
                .await?;
        }
        row.state = record::State::Disposed as i32;
        row.disposition_act = Some(DispositionActJson {
            disposition: row.disposition,
            actor: ctx.principal.name.clone(),
            act_time: now,
            reason,
            reference,
        });
        row.save(tx.txn(), now).await?;
        let record = self.record_proto(tx.txn(), &row).await?;
        tracing::info!(record = %record.name, disposition = disposition_label(row.disposition), "record disposed");
        tx.event(NewEvent::with("documents.record.disposed", &record.name, &record));
        tx.commit().await?;
        Ok(record)
    }
}
