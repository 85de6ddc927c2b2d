//! Revisions and their workflow: draft → in review → approved → effective →
//! superseded/obsolete; a rejection sends a revision back to draft with the
//! reviewers' comments. Check-out locks a draft for one editor.

use chrono::{DateTime, Utc};
use eiso_platform::aip::{etag, field_mask, list, names, text};
use eiso_platform::journal::{Begun, fingerprint};
use eiso_platform::{CallContext, NewEvent, Principal, ServiceError, ServiceResult, Violations, WriteTx};
use eiso_proto::eiso::documents::v1::{
    ApproveRevisionRequest, CheckInRevisionRequest, CheckOutRevisionRequest, CreateRevisionRequest, GetRevisionRequest,
    ListRevisionsRequest, ListRevisionsResponse, PublishRevisionRequest, RejectRevisionRequest, Revision,
    SubmitRevisionRequest, UpdateRevisionRequest, document, review, revision,
};
use eiso_proto::eiso::identity::v1::Role;
use sea_orm::sea_query::{Expr, ExprTrait, Order, Query};
use sea_orm::{ConnectionTrait, DatabaseTransaction};

use crate::Documents;
use crate::access::readable_documents;
use crate::acks::INSERT_COLUMNS;
use crate::documents::next_review;
use crate::rows::{
    REVISION_COLUMNS, RevisionRow, files_of, get_document, get_revision, parse_revision_name, revision_proto,
};

fn state_name(state: i32) -> &'static str {
    match revision::State::try_from(state) {
        Ok(revision::State::Draft) => "a draft",
        Ok(revision::State::InReview) => "in review",
        Ok(revision::State::Approved) => "approved",
        Ok(revision::State::Effective) => "effective",
        Ok(revision::State::Superseded) => "superseded",
        Ok(revision::State::Obsolete) => "obsolete",
        _ => "in an unknown state",
    }
}

/// FAILED_PRECONDITION `reason` unless `revision` is in `state`: "{name} is
/// {its state}: {why}".
fn require_state(revision: &RevisionRow, state: revision::State, reason: &'static str, why: &str) -> ServiceResult<()> {
    if revision.state == state as i32 {
        return Ok(());
    }
    Err(ServiceError::precondition(
        reason,
        revision.name(),
        format!("{} is {}: {why}", revision.name(), state_name(revision.state)),
    ))
}

/// FAILED_PRECONDITION unless `revision` is a draft the caller may edit.
pub fn ensure_editable(revision: &RevisionRow, principal: &Principal) -> ServiceResult<()> {
    require_state(
        revision,
        revision::State::Draft,
        "REVISION_NOT_DRAFT",
        "only drafts change (approved and later revisions are immutable)",
    )?;
    if let Some(holder) = &revision.checked_out_by
        && holder != &principal.name
    {
        return Err(ServiceError::precondition(
            "REVISION_CHECKED_OUT",
            revision.name(),
            format!(
                "{} is checked out by {holder}; ask them to check it in",
                revision.name()
            ),
        ));
    }
    Ok(())
}

/// The change summary and reason of a revision, checked and cleaned.
fn clean_change(input: &Revision) -> ServiceResult<(String, String)> {
    let mut violations = Violations::new();
    let summary = text::clean(
        &mut violations,
        "revision.change_summary",
        &input.change_summary,
        false,
        2000,
    );
    let reason = text::clean(
        &mut violations,
        "revision.change_reason",
        &input.change_reason,
        false,
        2000,
    );
    violations.check()?;
    Ok((summary, reason))
}

/// The end of a change to a revision: saved at `now`, its `event` queued
/// with the revision as answered, committed; the revision.
async fn commit_revision(
    mut tx: WriteTx<'_>,
    row: &mut RevisionRow,
    now: DateTime<Utc>,
    event: &str,
) -> ServiceResult<Revision> {
    row.save(tx.txn(), now).await?;
    let revision = revision_proto(tx.txn(), row).await?;
    tx.event(NewEvent::with(event, &revision.name, &revision));
    tx.commit().await?;
    Ok(revision)
}

async fn pending_revision(txn: &DatabaseTransaction, document_id: &str) -> ServiceResult<Option<RevisionRow>> {
    let row = txn
        .query_one(
            Query::select()
                .columns(REVISION_COLUMNS)
                .from("revisions")
                .and_where(Expr::col("document_id").eq(document_id.to_string()))
                .and_where(Expr::col("state").is_in([
                    revision::State::Draft as i32,
                    revision::State::InReview as i32,
                    revision::State::Approved as i32,
                ]))
                .limit(1),
        )
        .await?;
    row.as_ref().map(RevisionRow::from_row).transpose()
}

impl Documents {
    async fn load_revision(
        &self,
        txn: &impl ConnectionTrait,
        ctx: &CallContext,
        name: &str,
    ) -> ServiceResult<RevisionRow> {
        let (id, number) = parse_revision_name(name, "name")?;
        let document = get_document(txn, &id).await?;
        self.ensure_access(ctx, &document).await?;
        get_revision(txn, &id, number).await
    }

    pub async fn create_revision(&self, ctx: &CallContext, request: CreateRevisionRequest) -> ServiceResult<Revision> {
        let print = fingerprint(&request);
        let id = names::parse(&request.parent, "documents", "parent")?;
        let input = request.revision.unwrap_or_default();
        let (summary, reason) = clean_change(&input)?;

        let mut tx = match self.journal.begin_idempotent::<Revision>(ctx, &print).await? {
            Begun::Fresh(tx) => *tx,
            Begun::Replayed(done) => return Ok(done),
        };
        let mut document = get_document(tx.txn(), &id).await?;
        self.ensure_access(ctx, &document).await?;
        document.ensure_not_obsolete("is obsolete: it takes no new revision")?;
        if let Some(open) = pending_revision(tx.txn(), &id).await? {
            return Err(ServiceError::precondition(
                "REVISION_PENDING",
                open.name(),
                format!(
                    "{} is {}: finish or publish it before starting another",
                    open.name(),
                    state_name(open.state)
                ),
            ));
        }
        let now = Utc::now();
        let row = RevisionRow {
            document_id: id.clone(),
            number: document.latest_revision + 1,
            state: revision::State::Draft as i32,
            change_summary: summary,
            change_reason: reason,
            author: ctx.principal.name.clone(),
            review_round: 0,
            checked_out_by: None,
            checkout_time: None,
            submit_time: None,
            approve_time: None,
            effective_time: None,
            end_time: None,
            create_time: now,
            update_time: now,
            version: 1,
        };
        row.insert(tx.txn()).await?;
        document.latest_revision = row.number;
        document.save(tx.txn(), now).await?;
        let revision = row.to_proto(Vec::new(), Vec::new());
        tx.event(NewEvent::with("documents.revision.created", &revision.name, &revision));
        tx.commit_idempotent(revision).await
    }

    pub async fn get_revision(&self, ctx: &CallContext, request: GetRevisionRequest) -> ServiceResult<Revision> {
        let db = self.journal.db().reader();
        let row = self.load_revision(db, ctx, &request.name).await?;
        revision_proto(db, &row).await
    }

    pub async fn list_revisions(
        &self,
        ctx: &CallContext,
        request: ListRevisionsRequest,
    ) -> ServiceResult<ListRevisionsResponse> {
        const SPEC: list::Spec = list::Spec::new(&["state", "pending_reviewer"], &[], "");
        let every = request.parent == "documents/-";
        let id = if every {
            None
        } else {
            Some(names::parse(&request.parent, "documents", "parent")?)
        };
        let listing = eiso_platform::listing!(&SPEC, request, under request.parent, unordered)?;
        let db = self.journal.db().reader();
        let mut query = Query::select();
        query.columns(REVISION_COLUMNS).from("revisions");
        match &id {
            Some(id) => {
                let document = get_document(db, id).await?;
                self.ensure_readable(&ctx.principal, &document).await?;
                query.and_where(Expr::col("document_id").eq(id.clone()));
                query.order_by("number", Order::Desc);
            }
            None => {
                let mut readable = Query::select();
                readable.column("id").from("documents");
                if let Some(visible) = readable_documents(&self.reader_scope(&ctx.principal).await?) {
                    readable.and_where(visible);
                }
                query.and_where(Expr::col("document_id").in_subquery(readable));
                query
                    .order_by("update_time", Order::Desc)
                    .order_by("document_id", Order::Asc)
                    .order_by("number", Order::Desc);
            }
        }
        listing.filter(&mut query, |condition| {
            let value = &condition.value;
            Ok(match condition.field.as_str() {
                "state" => Expr::col("state").eq(list::state_value(value, revision::State::from_str_name)?),
                _ => {
                    names::parse(value, "users", "filter")?;
                    Expr::col("state")
                        .eq(revision::State::InReview as i32)
                        .and(Expr::exists(
                            Query::select()
                                .expr(Expr::val(1))
                                .from("reviews")
                                .and_where(Expr::col(("reviews", "document_id")).equals(("revisions", "document_id")))
                                .and_where(Expr::col(("reviews", "number")).equals(("revisions", "number")))
                                .and_where(Expr::col(("reviews", "round")).equals(("revisions", "review_round")))
                                .and_where(Expr::col(("reviews", "reviewer")).eq(value.clone()))
                                .and_where(Expr::col(("reviews", "decision")).eq(review::Decision::Pending as i32))
                                .to_owned(),
                        ))
                }
            })
        })?;
        listing.limit(&mut query);
        let mut rows = db.query_all(&query).await?;
        let next_page_token = listing.finish(&mut rows);
        let mut revisions = Vec::new();
        for row in &rows {
            revisions.push(revision_proto(db, &RevisionRow::from_row(row)?).await?);
        }
        Ok(ListRevisionsResponse {
            revisions,
            next_page_token,
        })
    }

    pub async fn update_revision(&self, ctx: &CallContext, request: UpdateRevisionRequest) -> ServiceResult<Revision> {
        let input = request.revision.unwrap_or_default();
        let paths = field_mask::paths(request.update_mask.as_ref(), &["change_summary", "change_reason"])?;
        let (summary, reason) = clean_change(&input)?;
        let tx = self.journal.begin(ctx).await?;
        let mut row = self.load_revision(tx.txn(), ctx, &input.name).await?;
        etag::check(&request.etag, &row.name(), row.version)?;
        ensure_editable(&row, &ctx.principal)?;
        if paths.contains(&"change_summary") {
            row.change_summary = summary;
        }
        if paths.contains(&"change_reason") {
            row.change_reason = reason;
        }
        commit_revision(tx, &mut row, Utc::now(), "documents.revision.updated").await
    }

    pub async fn check_out(&self, ctx: &CallContext, request: CheckOutRevisionRequest) -> ServiceResult<Revision> {
        let tx = self.journal.begin(ctx).await?;
        let mut row = self.load_revision(tx.txn(), ctx, &request.name).await?;
        ensure_editable(&row, &ctx.principal)?;
        if row.checked_out_by.as_deref() == Some(ctx.principal.name.as_str()) {
            return revision_proto(tx.txn(), &row).await;
        }
        let now = Utc::now();
        row.checked_out_by = Some(ctx.principal.name.clone());
        row.checkout_time = Some(now);
        commit_revision(tx, &mut row, now, "documents.revision.checked_out").await
    }

    pub async fn check_in(&self, ctx: &CallContext, request: CheckInRevisionRequest) -> ServiceResult<Revision> {
        let ctx = ctx.clone().with_reason(&request.reason);
        let tx = self.journal.begin(&ctx).await?;
        let mut row = self.load_revision(tx.txn(), &ctx, &request.name).await?;
        let Some(holder) = row.checked_out_by.clone() else {
            return Err(ServiceError::precondition(
                "REVISION_NOT_CHECKED_OUT",
                row.name(),
                format!("{} is not checked out", row.name()),
            ));
        };
        let forced = holder != ctx.principal.name;
        if forced {
            if !request.force {
                return Err(ServiceError::precondition(
                    "REVISION_CHECKED_OUT",
                    row.name(),
                    format!(
                        "{} is checked out by {holder}; only they, or a document controller with force, can check it in",
                        row.name()
                    ),
                ));
            }
            if !ctx.principal.has_role(Role::DocumentController) {
                return Err(ServiceError::PermissionDenied(
                    "only a document controller can force a check-in".into(),
                ));
            }
            if request.reason.trim().is_empty() {
                return Err(ServiceError::invalid("reason", "say why the lock is forced"));
            }
        }
        row.checked_out_by = None;
        row.checkout_time = None;
        let event = if forced {
            "documents.revision.check_in_forced"
        } else {
            "documents.revision.checked_in"
        };
        commit_revision(tx, &mut row, Utc::now(), event).await
    }

    pub async fn submit(&self, ctx: &CallContext, request: SubmitRevisionRequest) -> ServiceResult<Revision> {
        if request.reviewers.is_empty() {
            return Err(ServiceError::invalid("reviewers", "name at least one reviewer"));
        }
        let mut reviewers: Vec<String> = Vec::new();
        for (i, reviewer) in request.reviewers.iter().enumerate() {
            let field = format!("reviewers[{i}]");
            names::parse(reviewer, "users", &field)?;
            match self.directory.user(reviewer).await? {
                None => return Err(ServiceError::invalid(field, format!("{reviewer} does not exist"))),
                Some(user) if !user.active => {
                    return Err(ServiceError::precondition(
                        "USER_DISABLED",
                        reviewer,
                        format!("{reviewer} ({}) is disabled", user.display_name),
                    ));
                }
                Some(_) => {}
            }
            if !reviewers.contains(reviewer) {
                reviewers.push(reviewer.clone());
            }
        }
        let tx = self.journal.begin(ctx).await?;
        let mut row = self.load_revision(tx.txn(), ctx, &request.name).await?;
        etag::check(&request.etag, &row.name(), row.version)?;
        ensure_editable(&row, &ctx.principal)?;
        if reviewers.contains(&row.author) {
            return Err(ServiceError::precondition(
                "SELF_REVIEW",
                row.name(),
                format!(
                    "{} wrote {}: an author cannot review their own revision",
                    row.author,
                    row.name()
                ),
            ));
        }
        if files_of(tx.txn(), &row.name()).await?.is_empty() {
            return Err(ServiceError::precondition(
                "REVISION_WITHOUT_FILES",
                row.name(),
                format!("{} has no file: upload the document before submitting", row.name()),
            ));
        }
        let now = Utc::now();
        row.review_round += 1;
        row.state = revision::State::InReview as i32;
        row.submit_time = Some(now);
        row.checked_out_by = None;
        row.checkout_time = None;
        let mut insert = Query::insert();
        insert.into_table("reviews").columns([
            "document_id",
            "number",
            "round",
            "reviewer",
            "decision",
            "comment",
            "decide_time",
        ]);
        for reviewer in &reviewers {
            insert.values_panic([
                row.document_id.clone().into(),
                row.number.into(),
                row.review_round.into(),
                reviewer.clone().into(),
                (review::Decision::Pending as i32).into(),
                "".into(),
                Option::<chrono::DateTime<Utc>>::None.into(),
            ]);
        }
        tx.txn().execute(&insert).await?;
        commit_revision(tx, &mut row, now, "documents.revision.submitted").await
    }

    /// Records the caller's decision in the current round.
    async fn decide(
        &self,
        ctx: &CallContext,
        name: &str,
        decision: review::Decision,
        comment: &str,
    ) -> ServiceResult<Revision> {
        let mut violations = Violations::new();
        let comment = text::clean(
            &mut violations,
            "comment",
            comment,
            decision == review::Decision::Rejected,
            2000,
        );
        violations.check()?;
        let ctx = ctx.clone().with_reason(&comment);
        let tx = self.journal.begin(&ctx).await?;
        let mut row = self.load_revision(tx.txn(), &ctx, name).await?;
        if row.state != revision::State::InReview as i32 {
            return Err(ServiceError::precondition(
                "REVISION_NOT_IN_REVIEW",
                row.name(),
                format!("{} is {}, not in review", row.name(), state_name(row.state)),
            ));
        }
        if row.author == ctx.principal.name {
            return Err(ServiceError::precondition(
                "SELF_REVIEW",
                row.name(),
                "an author cannot approve or reject their own revision",
            ));
        }
        let now = Utc::now();
        let updated = tx
            .txn()
            .execute(
                Query::update()
                    .table("reviews")
                    .value("decision", decision as i32)
                    .value("comment", comment.clone())
                    .value("decide_time", now)
                    .and_where(Expr::col("document_id").eq(row.document_id.clone()))
                    .and_where(Expr::col("number").eq(row.number))
                    .and_where(Expr::col("round").eq(row.review_round))
                    .and_where(Expr::col("reviewer").eq(ctx.principal.name.clone()))
                    .and_where(Expr::col("decision").eq(review::Decision::Pending as i32)),
            )
            .await?;
        if updated.rows_affected() != 1 {
            return Err(ServiceError::precondition(
                "NOT_A_PENDING_REVIEWER",
                row.name(),
                format!(
                    "{} is not a reviewer of {} with a decision pending",
                    ctx.principal.name,
                    row.name()
                ),
            ));
        }
        let event = match decision {
            review::Decision::Rejected => {
                row.state = revision::State::Draft as i32;
                "documents.revision.rejected"
            }
            _ => {
                let pending = tx
                    .txn()
                    .query_one(
                        Query::select()
                            .expr(Expr::val(1))
                            .from("reviews")
                            .and_where(Expr::col("document_id").eq(row.document_id.clone()))
                            .and_where(Expr::col("number").eq(row.number))
                            .and_where(Expr::col("round").eq(row.review_round))
                            .and_where(Expr::col("decision").ne(review::Decision::Approved as i32)),
                    )
                    .await?;
                if pending.is_none() {
                    row.state = revision::State::Approved as i32;
                    row.approve_time = Some(now);
                    "documents.revision.approved"
                } else {
                    "documents.revision.review_recorded"
                }
            }
        };
        commit_revision(tx, &mut row, now, event).await
    }

    pub async fn approve(&self, ctx: &CallContext, request: ApproveRevisionRequest) -> ServiceResult<Revision> {
        self.decide(ctx, &request.name, review::Decision::Approved, &request.comment)
            .await
    }

    pub async fn reject(&self, ctx: &CallContext, request: RejectRevisionRequest) -> ServiceResult<Revision> {
        self.decide(ctx, &request.name, review::Decision::Rejected, &request.comment)
            .await
    }

    pub async fn publish(&self, ctx: &CallContext, request: PublishRevisionRequest) -> ServiceResult<Revision> {
        // Who must acknowledge: resolved now and fixed with the publication.
        let mut readers: Vec<(String, String)> = Vec::new();
        for (i, user) in request.acknowledgement_users.iter().enumerate() {
            let field = format!("acknowledgement_users[{i}]");
            names::parse(user, "users", &field)?;
            let found = self
                .directory
                .user(user)
                .await?
                .ok_or_else(|| ServiceError::invalid(&field, format!("{user} does not exist")))?;
            if !readers.iter().any(|(n, _)| n == &found.name) {
                readers.push((found.name, found.display_name));
            }
        }
        for (i, unit) in request.acknowledgement_units.iter().enumerate() {
            let field = format!("acknowledgement_units[{i}]");
            self.check_unit(unit, &field).await?;
            for user in self.directory.users_in_unit(unit).await? {
                if !readers.iter().any(|(n, _)| n == &user.name) {
                    readers.push((user.name, user.display_name));
                }
            }
        }

        let mut tx = self.journal.begin(ctx).await?;
        let mut row = self.load_revision(tx.txn(), ctx, &request.name).await?;
        etag::check(&request.etag, &row.name(), row.version)?;
        require_state(
            &row,
            revision::State::Approved,
            "REVISION_NOT_APPROVED",
            "only an approved revision can be published",
        )?;
        let mut document = get_document(tx.txn(), &row.document_id).await?;
        document.ensure_not_obsolete("is obsolete")?;
        let now = Utc::now();
        if document.effective_revision > 0 {
            let mut previous = get_revision(tx.txn(), &row.document_id, document.effective_revision).await?;
            previous.state = revision::State::Superseded as i32;
            previous.end_time = Some(now);
            previous.save(tx.txn(), now).await?;
            let superseded = revision_proto(tx.txn(), &previous).await?;
            tx.event(NewEvent::with(
                "documents.revision.superseded",
                &superseded.name,
                &superseded,
            ));
        }
        row.state = revision::State::Effective as i32;
        row.effective_time = Some(now);
        row.save(tx.txn(), now).await?;
        document.state = document::State::Effective as i32;
        document.effective_revision = row.number;
        document.next_review_time = next_review(now, document.review_interval_months);
        document.save(tx.txn(), now).await?;
        if !readers.is_empty() {
            let mut insert = Query::insert();
            insert.into_table("acknowledgements").columns(INSERT_COLUMNS);
            for (user, display) in &readers {
                insert.values_panic([
                    row.document_id.clone().into(),
                    row.number.into(),
                    user.clone().into(),
                    display.clone().into(),
                    true.into(),
                    Option::<chrono::DateTime<Utc>>::None.into(),
                ]);
            }
            tx.txn().execute(&insert).await?;
        }
        let revision = revision_proto(tx.txn(), &row).await?;
        tx.event(NewEvent::with(
            "documents.revision.published",
            &revision.name,
            &revision,
        ));
        let document = document.to_proto(Some(revision.clone()));
        tx.event(NewEvent::with("documents.document.updated", &document.name, &document));
        tx.audit_resource(&revision.name);
        tx.commit().await?;
        Ok(revision)
    }
}
