//! Distribution and acknowledgement: who was asked to read a published
//! revision (fixed when it was published), who has, and who has not.

use chrono::{DateTime, Utc};
use eiso_platform::aip::{filter, list};
use eiso_platform::journal::timestamp;
use eiso_platform::{CallContext, NewEvent, ServiceError, ServiceResult};
use eiso_proto::eiso::documents::v1::{
    AcknowledgeRevisionRequest, Acknowledgement, ListAcknowledgementsRequest, ListAcknowledgementsResponse, revision,
};
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, Func, Order, Query};

use crate::Documents;
use crate::rows::{get_document, get_revision, parse_revision_name};

const COLUMNS: [&str; 4] = ["user_name", "display_name", "required", "acknowledge_time"];

/// Every column of `acknowledgements`: the revision's key, then [`COLUMNS`].
pub(crate) const INSERT_COLUMNS: [&str; 6] = [
    "document_id",
    "number",
    "user_name",
    "display_name",
    "required",
    "acknowledge_time",
];

fn to_proto(revision: &str, row: &sea_orm::QueryResult) -> ServiceResult<Acknowledgement> {
    let time: Option<DateTime<Utc>> = row.try_get("", "acknowledge_time")?;
    Ok(Acknowledgement {
        revision: revision.to_string(),
        user: row.try_get("", "user_name")?,
        display_name: row.try_get("", "display_name")?,
        acknowledge_time: time.map(timestamp),
    })
}

impl Documents {
    pub async fn acknowledge(
        &self,
        ctx: &CallContext,
        request: AcknowledgeRevisionRequest,
    ) -> ServiceResult<Acknowledgement> {
        let (id, number) = parse_revision_name(&request.name, "name")?;
        if !ctx.principal.name.starts_with("users/") {
            return Err(ServiceError::precondition(
                "NOT_A_USER",
                &ctx.principal.name,
                "only users acknowledge reading a document",
            ));
        }
        let mut tx = self.journal.begin(ctx).await?;
        let document = get_document(tx.txn(), &id).await?;
        self.ensure_readable(&ctx.principal, &document).await?;
        let revision = get_revision(tx.txn(), &id, number).await?;
        if revision.state != revision::State::Effective as i32 {
            return Err(ServiceError::precondition(
                "REVISION_NOT_EFFECTIVE",
                revision.name(),
                format!(
                    "{} is not the effective revision; acknowledge the one in use",
                    revision.name()
                ),
            ));
        }
        let key = |q: &mut sea_orm::sea_query::SelectStatement| {
            q.and_where(Expr::col("document_id").eq(id.clone()))
                .and_where(Expr::col("number").eq(number))
                .and_where(Expr::col("user_name").eq(ctx.principal.name.clone()));
        };
        let mut select = Query::select();
        select.columns(COLUMNS).from("acknowledgements");
        key(&mut select);
        let existing = tx.txn().query_one(&select).await?;
        let already: Option<DateTime<Utc>> = match &existing {
            Some(row) => row.try_get("", "acknowledge_time")?,
            None => None,
        };
        if already.is_some() {
            let row = existing.ok_or_else(|| ServiceError::internal("acknowledgement vanished"))?;
            return to_proto(&request.name, &row);
        }
        let now = Utc::now();
        if existing.is_some() {
            tx.txn()
                .execute(
                    Query::update()
                        .table("acknowledgements")
                        .value("acknowledge_time", now)
                        .and_where(Expr::col("document_id").eq(id.clone()))
                        .and_where(Expr::col("number").eq(number))
                        .and_where(Expr::col("user_name").eq(ctx.principal.name.clone())),
                )
                .await?;
        } else {
            tx.txn()
                .execute(
                    Query::insert()
                        .into_table("acknowledgements")
                        .columns(INSERT_COLUMNS)
                        .values_panic([
                            id.clone().into(),
                            number.into(),
                            ctx.principal.name.clone().into(),
                            ctx.principal.display_name.clone().into(),
                            false.into(),
                            Some(now).into(),
                        ]),
                )
                .await?;
        }
        let acknowledgement = Acknowledgement {
            revision: request.name.clone(),
            user: ctx.principal.name.clone(),
            display_name: ctx.principal.display_name.clone(),
            acknowledge_time: Some(timestamp(now)),
        };
        tx.event(NewEvent::with(
            "documents.revision.acknowledged",
            &request.name,
            &acknowledgement,
        ));
        tx.commit().await?;
        Ok(acknowledgement)
    }

    pub async fn list_acknowledgements(
        &self,
        ctx: &CallContext,
        request: ListAcknowledgementsRequest,
    ) -> ServiceResult<ListAcknowledgementsResponse> {
        let (id, number) = parse_revision_name(&request.parent, "parent")?;
        const SPEC: list::Spec = list::Spec::new(&["acknowledged"], &[], "").sizes(100, 1000);
        let listing = eiso_platform::listing!(&SPEC, request, under request.parent, unordered)?;
        let db = self.journal.db().reader();
        let document = get_document(db, &id).await?;
        self.ensure_readable(&ctx.principal, &document).await?;
        // Who has read what is oversight of the owner unit, for the method's roles.
        self.method_scope(ctx)
            .await?
            .require_visible(&document.owner_unit, &document.name())?;
        get_revision(db, &id, number).await?;

        let of_revision = |q: &mut sea_orm::sea_query::SelectStatement| {
            q.from("acknowledgements")
                .and_where(Expr::col("document_id").eq(id.clone()))
                .and_where(Expr::col("number").eq(number));
        };
        let mut query = Query::select();
        query.columns(COLUMNS);
        of_revision(&mut query);
        for condition in &listing.conditions {
            let wanted = match (condition.value.as_str(), condition.op) {
                ("true", filter::Op::Eq) | ("false", filter::Op::Ne) => true,
                ("false", filter::Op::Eq) | ("true", filter::Op::Ne) => false,
                _ => return Err(ServiceError::invalid("filter", "acknowledged takes true or false")),
            };
            query.and_where(if wanted {
                Expr::col("acknowledge_time").is_not_null()
            } else {
                Expr::col("acknowledge_time").is_null()
            });
        }
        query
            .order_by("display_name", Order::Asc)
            .order_by("user_name", Order::Asc);
        listing.limit(&mut query);
        let (rows, next_page_token) = listing.rows(db, &query).await?;
        let acknowledgements = rows
            .iter()
            .map(|r| to_proto(&request.parent, r))
            .collect::<ServiceResult<Vec<_>>>()?;

        let count = |acknowledged: bool| {
            let mut q = Query::select();
            q.expr_as(Func::count(Expr::col("user_name")), "n");
            of_revision(&mut q);
            q.and_where(Expr::col("required").eq(true));
            if acknowledged {
                q.and_where(Expr::col("acknowledge_time").is_not_null());
            }
            q
        };
        let required: i64 = match db.query_one(&count(false)).await? {
            Some(row) => row.try_get("", "n")?,
            None => 0,
        };
        let acknowledged: i64 = match db.query_one(&count(true)).await? {
            Some(row) => row.try_get("", "n")?,
            None => 0,
        };
        Ok(ListAcknowledgementsResponse {
            acknowledgements,
            required_count: required as i32,
            acknowledged_count: acknowledged as i32,
            next_page_token,
        })
    }
}
