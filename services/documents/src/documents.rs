//! Documents: create, read (with the revision effective now or at a past
//! time), list, update, withdraw, periodic review.

use chrono::{DateTime, Months, Utc};
use eiso_platform::aip::{etag, field_mask, list, names, text};
use eiso_platform::journal::{Begun, fingerprint};
use eiso_platform::{CallContext, NewEvent, ServiceError, ServiceResult, Violations};
use eiso_proto::eiso::documents::v1::{
    Confidentiality, CreateDocumentRequest, Document, DocumentType, GetDocumentRequest, ListDocumentsRequest,
    ListDocumentsResponse, ListReviewDueDocumentsRequest, ListReviewDueDocumentsResponse, ObsoleteDocumentRequest,
    RecordPeriodicReviewRequest, UpdateDocumentRequest, document, revision,
};
use sea_orm::sea_query::{Expr, ExprTrait, Order, Query, SelectStatement};

use crate::Documents;
use crate::access::readable_documents;
use crate::rows::{
    DOCUMENT_COLUMNS, DocumentRow, ExternalOriginJson, get_document, revision_effective_at, revision_proto,
};

/// Document codes: 1–40 of `A-Z a-z 0-9 . _ - /`, e.g. `QT-TTHC-01`.
fn check_code(violations: &mut Violations, field: &str, code: &str) -> String {
    let code = code.trim().to_string();
    if code.is_empty() {
        violations.add(field, "is required");
    } else if code.len() > 40 || !code.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-/".contains(&b)) {
        violations.add(
            field,
            "must be 1–40 characters of letters, digits, `.`, `_`, `-` or `/`",
        );
    }
    code
}

fn check_enum<T: TryFrom<i32>>(violations: &mut Violations, field: &str, value: i32) {
    if value == 0 {
        violations.add(field, "is required");
    } else if T::try_from(value).is_err() {
        violations.add(field, format!("unknown value {value}"));
    }
}

/// The fields a document's create and update check alike, in this order:
/// title (required when set), type, confidentiality, review interval, tags
/// and external origin; `set(field)` says whether the call sets `field`
/// (every one on create, the mask's on update). The cleaned title, tags and
/// external origin.
fn check_fields(
    violations: &mut Violations,
    input: &Document,
    set: impl Fn(&str) -> bool,
) -> (String, Vec<String>, Option<ExternalOriginJson>) {
    let title = text::clean(violations, "document.title", &input.title, set("title"), 300);
    if set("type") {
        check_enum::<DocumentType>(violations, "document.type", input.r#type);
    }
    if set("confidentiality") {
        check_enum::<Confidentiality>(violations, "document.confidentiality", input.confidentiality);
    }
    check_interval(
        violations,
        "document.review_interval_months",
        input.review_interval_months,
    );
    let tags = clean_tags(violations, &input.tags);
    let external = clean_external(violations, input);
    (title, tags, external)
}

fn check_interval(violations: &mut Violations, field: &str, months: i32) {
    if !(0..=120).contains(&months) {
        violations.add(field, "must be between 0 (no periodic review) and 120 months");
    }
}

fn clean_tags(violations: &mut Violations, tags: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    if tags.len() > 20 {
        violations.add("document.tags", "at most 20 tags");
    }
    for (i, tag) in tags.iter().enumerate() {
        let tag = text::clean(violations, &format!("document.tags[{i}]"), tag, true, 50).to_lowercase();
        if !out.contains(&tag) {
            out.push(tag);
        }
    }
    out
}

fn clean_external(violations: &mut Violations, document: &Document) -> Option<ExternalOriginJson> {
    let origin = document.external_origin.as_ref()?;
    let issuer = text::clean(violations, "document.external_origin.issuer", &origin.issuer, true, 200);
    let reference = text::clean(
        violations,
        "document.external_origin.reference",
        &origin.reference,
        true,
        100,
    );
    Some(ExternalOriginJson {
        issuer,
        reference,
        issue_time: eiso_platform::aip::time::check_instant(
            violations,
            origin.issue_time.as_ref(),
            "document.external_origin.issue_time",
        ),
    })
}

/// When the next periodic review is due after a review (or publication) at `from`.
pub fn next_review(from: DateTime<Utc>, interval_months: i32) -> Option<DateTime<Utc>> {
    if interval_months <= 0 {
        return None;
    }
    from.checked_add_months(Months::new(interval_months as u32))
}

impl Documents {
    /// Checks that a unit exists and is active.
    pub async fn check_unit(&self, unit: &str, field: &str) -> ServiceResult<()> {
        names::parse(unit, "units", field)?;
        match self.directory.unit(unit).await?.map(|u| u.active) {
            Some(true) => Ok(()),
            Some(false) => Err(ServiceError::precondition(
                "UNIT_NOT_ACTIVE",
                unit,
                format!("{unit} is merged or dissolved; use its successor"),
            )),
            None => Err(ServiceError::invalid(field, format!("{unit} does not exist"))),
        }
    }

    pub async fn create_document(&self, ctx: &CallContext, request: CreateDocumentRequest) -> ServiceResult<Document> {
        let print = fingerprint(&request);
        let input = request.document.unwrap_or_default();
        let mut violations = Violations::new();
        let code = check_code(&mut violations, "document.code", &input.code);
        let (title, tags, external) = check_fields(&mut violations, &input, |_| true);
        if input.r#type == DocumentType::External as i32 && external.is_none() {
            violations.add("document.external_origin", "is required for external documents");
        }
        if input.owner_unit.is_empty() {
            violations.add("document.owner_unit", "is required");
        }
        violations.check()?;
        self.check_unit(&input.owner_unit, "document.owner_unit").await?;
        self.method_scope(ctx)
            .await?
            .require(&input.owner_unit, "the new document")?;

        let mut tx = match self.journal.begin_idempotent::<Document>(ctx, &print).await? {
            Begun::Fresh(tx) => *tx,
            Begun::Replayed(done) => return Ok(done),
        };
        let now = Utc::now();
        let row = DocumentRow {
            id: names::new_id(),
            owner_unit: input.owner_unit.clone(),
            code,
            title,
            doc_type: input.r#type,
            confidentiality: input.confidentiality,
            review_interval_months: input.review_interval_months,
            tags,
            external_origin: external,
            state: document::State::Draft as i32,
            effective_revision: 0,
            latest_revision: 0,
            next_review_time: None,
            create_time: now,
            update_time: now,
            version: 1,
        };
        row.insert(tx.txn()).await?;
        let document = row.to_proto(None);
        tx.event(NewEvent::with("documents.document.created", &document.name, &document));
        tx.commit_idempotent(document).await
    }

    pub async fn get_document(&self, ctx: &CallContext, request: GetDocumentRequest) -> ServiceResult<Document> {
        let id = names::parse(&request.name, "documents", "name")?;
        let at = eiso_platform::aip::time::optional_instant(request.as_of_time.as_ref(), "as_of_time")?
            .unwrap_or_else(Utc::now);
        let db = self.journal.db().reader();
        let row = get_document(db, &id).await?;
        self.ensure_readable(&ctx.principal, &row).await?;
        let revision = match revision_effective_at(db, &id, at).await? {
            Some(revision) => Some(revision_proto(db, &revision).await?),
            None => None,
        };
        Ok(row.to_proto(revision))
    }

    pub async fn list_documents(
        &self,
        ctx: &CallContext,
        request: ListDocumentsRequest,
    ) -> ServiceResult<ListDocumentsResponse> {
        const SPEC: list::Spec = list::Spec::new(
            &["code", "type", "owner_unit", "state", "confidentiality", "tag"],
            &["code", "title", "update_time"],
            "code",
        );
        let listing = eiso_platform::listing!(&SPEC, request)?;
        let mut query = Query::select();
        query.columns(DOCUMENT_COLUMNS).from("documents");
        if let Some(visible) = readable_documents(&self.reader_scope(&ctx.principal).await?) {
            query.and_where(visible);
        }
        listing.filter(&mut query, |condition| {
            let value = &condition.value;
            Ok(match condition.field.as_str() {
                "code" => Expr::col("code").eq(value.clone()),
                "owner_unit" => Expr::col("owner_unit").eq(value.clone()),
                "tag" => Expr::col("tags").like(format!(
                    "%{}%",
                    serde_json::to_string(&value.to_lowercase()).map_err(ServiceError::internal)?
                )),
                "type" => Expr::col("doc_type").eq(list::enum_value(
                    value,
                    "DOCUMENT_TYPE_",
                    "document type",
                    DocumentType::from_str_name,
                )?),
                "confidentiality" => Expr::col("confidentiality").eq(list::enum_value(
                    value,
                    "CONFIDENTIALITY_",
                    "confidentiality",
                    Confidentiality::from_str_name,
                )?),
                _ => Expr::col("state").eq(list::state_value(value, document::State::from_str_name)?),
            })
        })?;
        listing.order_and_limit(&mut query, "id");
        let (documents, next_page_token) = self.document_page(&listing, &query).await?;
        Ok(ListDocumentsResponse {
            documents,
            next_page_token,
        })
    }

    /// One page of documents (without revisions) for `listing`.
    async fn document_page(
        &self,
        listing: &list::Listing,
        query: &SelectStatement,
    ) -> ServiceResult<(Vec<Document>, String)> {
        let (rows, next_page_token) = listing.rows(self.journal.db().reader(), query).await?;
        let documents = rows
            .iter()
            .map(|r| DocumentRow::from_row(r).map(|d| d.to_proto(None)))
            .collect::<ServiceResult<Vec<_>>>()?;
        Ok((documents, next_page_token))
    }

    pub async fn update_document(&self, ctx: &CallContext, request: UpdateDocumentRequest) -> ServiceResult<Document> {
        let input = request.document.unwrap_or_default();
        let id = names::parse(&input.name, "documents", "document.name")?;
        let paths = field_mask::paths(
            request.update_mask.as_ref(),
            &[
                "title",
                "type",
                "owner_unit",
                "confidentiality",
                "review_interval_months",
                "tags",
                "external_origin",
            ],
        )?;
        let mut violations = Violations::new();
        let (title, tags, external) = check_fields(&mut violations, &input, |field| paths.contains(&field));
        violations.check()?;
        if paths.contains(&"owner_unit") {
            self.check_unit(&input.owner_unit, "document.owner_unit").await?;
            // Moving a document is a change in the unit it goes to as well.
            self.method_scope(ctx)
                .await?
                .require(&input.owner_unit, "document.owner_unit")?;
        }

        let mut tx = self.journal.begin(ctx).await?;
        let mut row = get_document(tx.txn(), &id).await?;
        self.ensure_access(ctx, &row).await?;
        etag::check(&request.etag, &row.name(), row.version)?;
        row.ensure_not_obsolete("is obsolete and no longer changes")?;
        for path in &paths {
            match *path {
                "title" => row.title = title.clone(),
                "type" => row.doc_type = input.r#type,
                "owner_unit" => row.owner_unit = input.owner_unit.clone(),
                "confidentiality" => row.confidentiality = input.confidentiality,
                "review_interval_months" => {
                    row.review_interval_months = input.review_interval_months;
                    let base = revision_effective_at(tx.txn(), &id, Utc::now())
                        .await?
                        .and_then(|r| r.effective_time);
                    row.next_review_time = base.and_then(|b| next_review(b, row.review_interval_months));
                }
                "tags" => row.tags = tags.clone(),
                _ => row.external_origin = external.clone(),
            }
        }
        if row.doc_type == DocumentType::External as i32 && row.external_origin.is_none() {
            return Err(ServiceError::invalid(
                "document.external_origin",
                "is required for external documents",
            ));
        }
        row.save(tx.txn(), Utc::now()).await?;
        let document = row.to_proto(None);
        tx.event(NewEvent::with("documents.document.updated", &document.name, &document));
        tx.commit().await?;
        Ok(document)
    }

    pub async fn obsolete_document(
        &self,
        ctx: &CallContext,
        request: ObsoleteDocumentRequest,
    ) -> ServiceResult<Document> {
        let id = names::parse(&request.name, "documents", "name")?;
        if request.reason.trim().is_empty() {
            return Err(ServiceError::invalid("reason", "say why the document is withdrawn"));
        }
        let ctx = ctx.clone().with_reason(&request.reason);
        let mut tx = self.journal.begin(&ctx).await?;
        let mut row = get_document(tx.txn(), &id).await?;
        self.ensure_access(&ctx, &row).await?;
        etag::check(&request.etag, &row.name(), row.version)?;
        row.ensure_not_obsolete("is already obsolete")?;
        let now = Utc::now();
        let mut effective = None;
        if row.effective_revision > 0 {
            let mut revision = crate::rows::get_revision(tx.txn(), &id, row.effective_revision).await?;
            revision.state = revision::State::Obsolete as i32;
            revision.end_time = Some(now);
            revision.save(tx.txn(), now).await?;
            let proto = revision_proto(tx.txn(), &revision).await?;
            tx.event(NewEvent::with("documents.revision.obsoleted", &proto.name, &proto));
            effective = Some(proto);
        }
        row.state = document::State::Obsolete as i32;
        row.next_review_time = None;
        row.save(tx.txn(), now).await?;
        let document = row.to_proto(effective);
        tx.event(NewEvent::with(
            "documents.document.obsoleted",
            &document.name,
            &document,
        ));
        tx.audit_resource(&document.name);
        tx.commit().await?;
        Ok(document)
    }

    pub async fn list_review_due(
        &self,
        ctx: &CallContext,
        request: ListReviewDueDocumentsRequest,
    ) -> ServiceResult<ListReviewDueDocumentsResponse> {
        if !(0..=3660).contains(&request.within_days) {
            return Err(ServiceError::invalid("within_days", "must be between 0 and 3660"));
        }
        let key = format!("review-due|{}", request.within_days);
        let listing = list::Listing::paged(request.page_size, &request.page_token, &key, 100, 1000)?;
        let horizon = Utc::now() + chrono::Duration::days(i64::from(request.within_days));
        let mut query = Query::select();
        query
            .columns(DOCUMENT_COLUMNS)
            .from("documents")
            .and_where(Expr::col("state").eq(document::State::Effective as i32))
            .and_where(Expr::col("next_review_time").lte(horizon));
        // Due reviews are work for the method's roles, in the units they cover.
        if let Some(covered) = self.method_scope(ctx).await?.condition("owner_unit") {
            query.and_where(covered);
        }
        query
            .order_by("next_review_time", Order::Asc)
            .order_by("id", Order::Asc);
        listing.limit(&mut query);
        let (documents, next_page_token) = self.document_page(&listing, &query).await?;
        Ok(ListReviewDueDocumentsResponse {
            documents,
            next_page_token,
        })
    }

    pub async fn record_periodic_review(
        &self,
        ctx: &CallContext,
        request: RecordPeriodicReviewRequest,
    ) -> ServiceResult<Document> {
        let id = names::parse(&request.name, "documents", "name")?;
        let ctx = ctx.clone().with_reason(&request.comment);
        let mut tx = self.journal.begin(&ctx).await?;
        let mut row = get_document(tx.txn(), &id).await?;
        self.ensure_access(&ctx, &row).await?;
        if row.state != document::State::Effective as i32 {
            return Err(ServiceError::precondition(
                "DOCUMENT_NOT_EFFECTIVE",
                row.name(),
                format!("{} has no effective revision to review", row.name()),
            ));
        }
        if row.review_interval_months == 0 {
            return Err(ServiceError::precondition(
                "NO_PERIODIC_REVIEW",
                row.name(),
                format!("{} has no periodic review interval", row.name()),
            ));
        }
        let now = Utc::now();
        row.next_review_time = next_review(now, row.review_interval_months);
        row.save(tx.txn(), now).await?;
        let document = row.to_proto(None);
        tx.event(NewEvent::with("documents.document.reviewed", &document.name, &document));
        tx.commit().await?;
        Ok(document)
    }
}
