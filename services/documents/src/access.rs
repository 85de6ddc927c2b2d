//! Who may read and change what, by the platform's one scoping rule
//! ([`eiso_platform::scope`]): public and internal documents are read by
//! every signed-in user; a restricted one only within the caller's units (a
//! binding covers its unit and the units below it). Every change checks the
//! method's roles against the owner unit, and records are read and changed
//! only within the caller's units. Reads are checked inside queries, so that
//! lists and pages never show what the caller may not see.

use eiso_platform::scope::{Scope, authorize, is_change};
use eiso_platform::{CallContext, Principal, ServiceResult};
use eiso_proto::eiso::documents::v1::Confidentiality;
use sea_orm::sea_query::{Expr, ExprTrait, SimpleExpr};

use crate::Documents;
use crate::rows::{DocumentRow, RecordRow};

impl Documents {
    /// The units whose restricted documents and records the caller reads.
    pub async fn reader_scope(&self, principal: &Principal) -> ServiceResult<Scope> {
        Scope::of_reader(self.directory.as_ref(), principal).await
    }

    /// The units the roles of the caller's method reach.
    pub async fn method_scope(&self, ctx: &CallContext) -> ServiceResult<Scope> {
        Scope::of_method(self.directory.as_ref(), ctx).await
    }

    /// NOT_FOUND (not PERMISSION_DENIED: its existence is not disclosed)
    /// unless the caller may read `document`.
    pub async fn ensure_readable(&self, principal: &Principal, document: &DocumentRow) -> ServiceResult<()> {
        if document.confidentiality != Confidentiality::Restricted as i32 {
            return Ok(());
        }
        self.reader_scope(principal)
            .await?
            .require_visible(&document.owner_unit, &document.name())
    }

    /// [`Self::ensure_readable`], and for a change PERMISSION_DENIED unless
    /// the method's roles cover the document's owner unit.
    pub async fn ensure_access(&self, ctx: &CallContext, document: &DocumentRow) -> ServiceResult<()> {
        self.ensure_readable(&ctx.principal, document).await?;
        if is_change(&ctx.method) {
            self.method_scope(ctx)
                .await?
                .require(&document.owner_unit, &document.name())?;
        }
        Ok(())
    }

    /// PERMISSION_DENIED unless the caller holds the method's role at a root
    /// unit (the event stream, which carries every unit's changes).
    pub async fn require_root(&self, ctx: &CallContext) -> ServiceResult<()> {
        eiso_platform::scope::require_root(self.directory.as_ref(), ctx).await
    }

    /// The platform's check of a record for the caller's method
    /// ([`eiso_platform::scope::authorize`]).
    pub async fn ensure_record_access(&self, ctx: &CallContext, record: &RecordRow) -> ServiceResult<()> {
        authorize(self.directory.as_ref(), ctx, &record.owner_unit, &record.name()).await
    }
}

/// The condition on `documents` rows that a caller with `scope` may read.
pub fn readable_documents(scope: &Scope) -> Option<SimpleExpr> {
    scope.condition("owner_unit").map(|covered| {
        Expr::col("confidentiality")
            .ne(Confidentiality::Restricted as i32)
            .or(covered)
    })
}
