//! The register of issued documents (sổ đăng ký văn bản đi): a unit numbers
//! the documents it issues from 1 each calendar year (Nghị định
//! 30/2020/NĐ-CP, Điều 15 and Phụ lục I), across the services that issue
//! them — the plans service's periodic reports and the quality service's
//! management review packs share one sequence. Each number is taken in its
//! own transaction with an audit entry, so that a number once given is never
//! given again; a document whose issue fails after taking one leaves a gap
//! the register's audit trail explains.

use eiso_platform::{CallContext, ServiceError, ServiceResult};
use eiso_proto::eiso::documents::v1::{AllocateIssueNumberRequest, IssueNumber};
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};

use crate::Documents;

impl Documents {
    /// AllocateIssueNumber: [`Self::next_issue_number`] for a service that
    /// issues documents in another process, the number with its name.
    pub async fn allocate_issue_number(
        &self,
        ctx: &CallContext,
        request: AllocateIssueNumberRequest,
    ) -> ServiceResult<IssueNumber> {
        let AllocateIssueNumberRequest { unit, year } = request;
        let number = self.next_issue_number(ctx, &unit, year).await?;
        Ok(IssueNumber {
            name: format!("{unit}/issueNumbers/{year}/{number}"),
            number,
        })
    }

    /// The next number in `unit`'s register for `year`: 1 for its first
    /// document of the year. The caller's method must cover `unit`.
    pub async fn next_issue_number(&self, ctx: &CallContext, unit: &str, year: i32) -> ServiceResult<i64> {
        self.check_unit(unit, "unit").await?;
        if !(1900..=9999).contains(&year) {
            return Err(ServiceError::invalid("year", format!("{year} is not a year")));
        }
        self.method_scope(ctx)
            .await?
            .require(unit, &format!("{unit}'s register of issued documents"))?;
        let mut tx = self.journal.begin(ctx).await?;
        tx.txn()
            .execute(
                Query::insert()
                    .into_table("issue_numbers")
                    .columns(["unit", "year", "last"])
                    .values_panic([unit.into(), year.into(), 1i64.into()])
                    .on_conflict(
                        OnConflict::columns(["unit", "year"])
                            .value("last", Expr::col(("issue_numbers", "last")).add(1))
                            .to_owned(),
                    ),
            )
            .await?;
        let row = tx
            .txn()
            .query_one(
                Query::select()
                    .column("last")
                    .from("issue_numbers")
                    .and_where(Expr::col("unit").eq(unit))
                    .and_where(Expr::col("year").eq(year)),
            )
            .await?
            .ok_or_else(|| ServiceError::internal("the register row just written is missing"))?;
        let number: i64 = row.try_get("", "last")?;
        tx.audit_resource(&format!("{unit}/issueNumbers/{year}/{number}"));
        tx.commit().await?;
        Ok(number)
    }
}
