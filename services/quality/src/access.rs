//! Who may read and change what, by the platform's one scoping rule
//! ([`eiso_platform::scope`]): a binding covers its unit and the units below
//! it. Inspection programmes, audit programmes, corrective actions,
//! management reviews and diagnostics belong to their `unit`; an audit to its
//! programme's unit; a finding to its audit's unit. An inspection is read
//! within the unit inspected (and so by the units above it) and changed by
//! those who hold its programme, the managing unit above: a school does not
//! plan, complete or cancel its own inspection. The indicator set is the
//! system's one: changing it is a global operation.
//!
//! Reads are checked inside the queries of lists; one resource out of scope
//! is NOT_FOUND to a caller who may not read it and PERMISSION_DENIED to one
//! who may read it but not change it. Evidence links show what the caller may
//! see of their target: [`HIDDEN_TITLE`] instead of the title stored when the
//! link was made.

use eiso_platform::aip::names;
use eiso_platform::scope::{self, Scope, authorize, is_change};
use eiso_platform::{CallContext, ServiceError, ServiceResult};
use eiso_proto::eiso::quality::v1 as pb;
use sea_orm::ConnectionTrait;

use crate::Quality;
use crate::store::{Row, Stored};

pub use eiso_platform::links::{HIDDEN_TITLE, Sight as Visibility};

impl Quality {
    /// The units the roles of the caller's method reach.
    pub(crate) async fn method_scope(&self, ctx: &CallContext) -> ServiceResult<Scope> {
        Scope::of_method(self.directory.as_ref(), ctx).await
    }

    /// The platform's check of `name`, which belongs to `unit`, for the
    /// caller's method.
    pub(crate) async fn authorize(&self, ctx: &CallContext, unit: &str, name: &str) -> ServiceResult<()> {
        authorize(self.directory.as_ref(), ctx, unit, name).await
    }

    /// The check of a change to `name`, read within `read_unit` and changed
    /// by those whose method's roles cover `change_unit`: PERMISSION_DENIED
    /// to a caller who reads it, NOT_FOUND to others.
    pub(crate) async fn authorize_change(
        &self,
        ctx: &CallContext,
        change_unit: &str,
        read_unit: &str,
        name: &str,
    ) -> ServiceResult<()> {
        if self.method_scope(ctx).await?.covers(change_unit) {
            return Ok(());
        }
        if is_change(&ctx.method) && self.reads(ctx, read_unit).await? {
            return Err(ServiceError::PermissionDenied(format!(
                "{name} belongs to {change_unit}, outside the units your role covers"
            )));
        }
        Err(ServiceError::NotFound(name.to_string()))
    }

    /// Whether any of the caller's bindings covers `unit`.
    pub(crate) async fn reads(&self, ctx: &CallContext, unit: &str) -> ServiceResult<bool> {
        Ok(Scope::of_reader(self.directory.as_ref(), &ctx.principal)
            .await?
            .covers(unit))
    }

    /// PERMISSION_DENIED unless the method's roles cover `unit`, where a
    /// write creates `what` or moves it to.
    pub(crate) async fn require_unit(&self, ctx: &CallContext, unit: &str, what: &str) -> ServiceResult<()> {
        self.method_scope(ctx).await?.require(unit, what)
    }

    /// NOT_FOUND unless the method's roles cover `unit`, a unit a read asks
    /// about.
    pub(crate) async fn require_covered(&self, ctx: &CallContext, unit: &str) -> ServiceResult<()> {
        self.method_scope(ctx).await?.require_visible(unit, unit)
    }

    /// The global check: the event stream and the indicator set.
    pub(crate) async fn require_root(&self, ctx: &CallContext) -> ServiceResult<()> {
        scope::require_root(self.directory.as_ref(), ctx).await
    }

    /// The resource as the caller sees it: the titles of the evidence links
    /// it may not see hidden.
    pub(crate) async fn shown<M: Evidenced>(&self, ctx: &CallContext, resource: M) -> M {
        self.shown_with(ctx, &mut Visibility::default(), resource).await
    }

    /// The resources of `rows` as the caller sees them.
    pub(crate) async fn shown_rows<M: Evidenced + Stored>(&self, ctx: &CallContext, rows: &[Row<M>]) -> Vec<M> {
        let mut seen = Visibility::default();
        let mut shown = Vec::with_capacity(rows.len());
        for row in rows {
            shown.push(self.shown_with(ctx, &mut seen, row.answer()).await);
        }
        shown
    }

    async fn shown_with<M: Evidenced>(&self, ctx: &CallContext, seen: &mut Visibility, mut resource: M) -> M {
        for link in resource.evidence() {
            seen.title(self.links.as_ref(), ctx, &link.name, &mut link.title).await;
        }
        resource
    }

    /// The row `id` of `M` after the platform's check for the caller's
    /// method: it belongs to its `unit`.
    pub(crate) async fn checked<M: Stored>(
        &self,
        ctx: &CallContext,
        db: &impl ConnectionTrait,
        id: &str,
    ) -> ServiceResult<Row<M>> {
        let row: Row<M> = M::TABLE.get(db, id).await?;
        self.authorize(ctx, &row.unit, &row.name()).await?;
        Ok(row)
    }

    /// The row a Get request's `name` names, [`Self::checked`].
    pub(crate) async fn get_checked<M: Stored>(&self, ctx: &CallContext, name: &str) -> ServiceResult<Row<M>> {
        let id = names::parse(name, M::TABLE.collection, "name")?;
        self.checked(ctx, self.journal.db().reader(), &id).await
    }

    /// The resource a Get request's `name` names, as answered.
    pub(crate) async fn get<M: Stored>(&self, ctx: &CallContext, name: &str) -> ServiceResult<M> {
        Ok(self.get_checked(ctx, name).await?.answer())
    }
}

/// A resource with evidence links.
pub(crate) trait Evidenced {
    fn evidence(&mut self) -> &mut [pb::EvidenceLink];
}

macro_rules! evidenced {
    ($($message:ty),*) => {$(
        impl Evidenced for $message {
            fn evidence(&mut self) -> &mut [pb::EvidenceLink] {
                &mut self.evidence
            }
        }
    )*};
}

evidenced!(pb::Inspection, pb::Finding, pb::Assessment);
