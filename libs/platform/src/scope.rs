//! Unit scoping: the one rule every service applies to every resource that
//! belongs to a unit (ARCHITECTURE, Security).
//!
//! A role binding at unit U covers U and every unit below it — never the
//! units above it or beside it. A binding at a root unit (one without a
//! parent) covers the whole system, new roots included, as in identity: the
//! root is where the system's own administrators and auditors sit. Which
//! bindings count depends on the act:
//!
//! - [`Scope::of_method`]: the bindings whose role the method's row of the
//!   [`policy`](crate::policy) table grants (a school's document controller
//!   publishes the school's documents, not the district's);
//! - [`Scope::of_reader`]: every binding, for reading what the caller's units
//!   hold;
//! - [`require_root`]: global operations (rebuilding the index, every API
//!   client, the event streams, the audit trails) need a binding of the
//!   method's roles at a root unit.
//!
//! Reads check inside the query, before paging ([`Scope::condition`]); single
//! reads answer NOT_FOUND for what is out of scope, so that existence is not
//! disclosed ([`Scope::require_visible`]); writes answer PERMISSION_DENIED
//! ([`Scope::require`]), including for the unit a write moves a resource to.

use std::collections::BTreeSet;

use eiso_proto::eiso::identity::v1::Role;
use sea_orm::sea_query::{Expr, ExprTrait, SimpleExpr};

use crate::directory::Directory;
use crate::policy::{self, Access};
use crate::{CallContext, Principal, ServiceError, ServiceResult};

/// The principal name of work the server does by itself (first start,
/// scheduled reports, the search indexer): it is not bound to units.
pub const SYSTEM: &str = "system";

/// The units an act reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// The server's own work.
    Everywhere,
    /// These units (`units/{id}`): the bindings' units and every unit below them.
    Units(BTreeSet<String>),
}

/// The roles a method's row grants; `None` when any binding counts.
fn method_roles(method: &str) -> Option<&'static [Role]> {
    match policy::rule(method).map(|rule| rule.access) {
        Some(Access::Roles(roles)) => Some(roles),
        _ => None,
    }
}

fn bound_units<'p>(principal: &'p Principal, roles: Option<&'p [Role]>) -> impl Iterator<Item = &'p str> + 'p {
    principal
        .bindings
        .iter()
        .filter(move |(role, _)| roles.is_none_or(|roles| roles.contains(role)))
        .map(|(_, unit)| unit.as_str())
        .filter(|unit| !unit.is_empty())
}

impl Scope {
    /// The units the caller reaches with the roles `ctx.method`'s row grants.
    pub async fn of_method(directory: &dyn Directory, ctx: &CallContext) -> ServiceResult<Self> {
        Self::of_roles(directory, &ctx.principal, method_roles(&ctx.method)).await
    }

    /// The units the caller reaches with any of its bindings.
    pub async fn of_reader(directory: &dyn Directory, principal: &Principal) -> ServiceResult<Self> {
        Self::of_roles(directory, principal, None).await
    }

    /// The units the bindings of `roles` (`None`: every binding) reach.
    pub async fn of_roles(
        directory: &dyn Directory,
        principal: &Principal,
        roles: Option<&[Role]>,
    ) -> ServiceResult<Self> {
        if principal.name == SYSTEM {
            return Ok(Self::Everywhere);
        }
        let mut units = BTreeSet::new();
        for unit in bound_units(principal, roles) {
            if units.contains(unit) {
                continue;
            }
            if directory.ancestors(unit).await?.len() == 1 {
                return Ok(Self::Everywhere);
            }
            units.extend(directory.subtree(unit).await?);
        }
        Ok(Self::Units(units))
    }

    /// Whether `unit` (`units/{id}`) is in scope.
    pub fn covers(&self, unit: &str) -> bool {
        match self {
            Self::Everywhere => true,
            Self::Units(units) => units.contains(unit),
        }
    }

    /// PERMISSION_DENIED unless `unit` is in scope; `what` names the resource.
    pub fn require(&self, unit: &str, what: &str) -> ServiceResult<()> {
        if self.covers(unit) {
            return Ok(());
        }
        Err(ServiceError::PermissionDenied(format!(
            "{what} belongs to {unit}, outside the units your role covers"
        )))
    }

    /// NOT_FOUND for `name` unless `unit` is in scope: a caller does not learn
    /// that a resource outside its units exists.
    pub fn require_visible(&self, unit: &str, name: &str) -> ServiceResult<()> {
        if self.covers(unit) {
            return Ok(());
        }
        Err(ServiceError::NotFound(name.to_string()))
    }

    /// The SQL condition `column IN (units)`; `None` when everything is in scope.
    pub fn condition(&self, column: &str) -> Option<SimpleExpr> {
        self.condition_on(Expr::col(column.to_string()))
    }

    /// [`Self::condition`] on an expression that yields the unit.
    pub fn condition_on(&self, unit: SimpleExpr) -> Option<SimpleExpr> {
        match self {
            Self::Everywhere => None,
            Self::Units(units) if units.is_empty() => Some(Expr::val(1).eq(0)),
            Self::Units(units) => Some(unit.is_in(units.iter().cloned())),
        }
    }

    /// Whether any of `units` is in scope (resources that belong to several
    /// units, such as an audit of several auditees).
    pub fn covers_any<'a>(&self, units: impl IntoIterator<Item = &'a str>) -> bool {
        match self {
            Self::Everywhere => true,
            Self::Units(scope) => units.into_iter().any(|unit| scope.contains(unit)),
        }
    }
}

/// The unit the caller acts for when its method reaches `unit`: the nearest
/// of `unit` and the units above it where the caller holds one of the
/// method's roles (a clerk bound at the service centre above an office
/// receives for the office as the centre). Empty for the server's own work
/// and for a caller with no such binding.
pub async fn acting_unit(directory: &dyn Directory, ctx: &CallContext, unit: &str) -> ServiceResult<String> {
    let bound: BTreeSet<&str> = bound_units(&ctx.principal, method_roles(&ctx.method)).collect();
    if bound.is_empty() {
        return Ok(String::new());
    }
    Ok(directory
        .ancestors(unit)
        .await?
        .into_iter()
        .find(|above| bound.contains(above.as_str()))
        .unwrap_or_default())
}

/// Whether `method` changes something (its row in the table is audited).
pub fn is_change(method: &str) -> bool {
    policy::rule(method).is_some_and(|rule| rule.audited)
}

/// The check of one resource (`name`) that belongs to `unit`, for the
/// caller's method: passes when the method's roles cover the unit. Otherwise
/// NOT_FOUND when the caller may not even read the resource, or when the
/// method only reads; PERMISSION_DENIED when it sees the resource but may not
/// change it.
pub async fn authorize(directory: &dyn Directory, ctx: &CallContext, unit: &str, name: &str) -> ServiceResult<()> {
    if Scope::of_method(directory, ctx).await?.covers(unit) {
        return Ok(());
    }
    if is_change(&ctx.method) && Scope::of_reader(directory, &ctx.principal).await?.covers(unit) {
        return Err(ServiceError::PermissionDenied(format!(
            "{name} belongs to {unit}, outside the units your role covers"
        )));
    }
    Err(ServiceError::NotFound(name.to_string()))
}

/// PERMISSION_DENIED unless the caller holds one of `ctx.method`'s roles at a
/// root unit (a unit without a parent): global operations.
pub async fn require_root(directory: &dyn Directory, ctx: &CallContext) -> ServiceResult<()> {
    if ctx.principal.name == SYSTEM {
        return Ok(());
    }
    for unit in bound_units(&ctx.principal, method_roles(&ctx.method)) {
        if directory.ancestors(unit).await?.len() == 1 {
            return Ok(());
        }
    }
    Err(ServiceError::PermissionDenied(
        "this operation spans every unit: it needs the role at a root unit".to_string(),
    ))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::directory::{DirectoryUnit, DirectoryUser};
    use crate::links::Answer;
    use chrono::Utc;
    use eiso_proto::eiso::identity::v1::UnitKind;

    /// `units/r` ← `units/d` ← {`units/s1` ← `units/s1a`, `units/s2`}.
    struct Tree;

    fn chain(unit: &str) -> Vec<String> {
        let names: &[&str] = match unit {
            "units/r" => &["units/r"],
            "units/d" => &["units/d", "units/r"],
            "units/s1" => &["units/s1", "units/d", "units/r"],
            "units/s1a" => &["units/s1a", "units/s1", "units/d", "units/r"],
            "units/s2" => &["units/s2", "units/d", "units/r"],
            _ => &[],
        };
        names.iter().map(|n| n.to_string()).collect()
    }

    impl Directory for Tree {
        fn user<'a>(&'a self, _: &'a str) -> Answer<'a, Option<DirectoryUser>> {
            Box::pin(async { Ok(None) })
        }
        fn unit<'a>(&'a self, _: &'a str) -> Answer<'a, Option<DirectoryUnit>> {
            Box::pin(async { Ok(None) })
        }
        fn users_in_unit<'a>(&'a self, _: &'a str) -> Answer<'a, Vec<DirectoryUser>> {
            Box::pin(async { Ok(Vec::new()) })
        }
        fn ancestors<'a>(&'a self, unit: &'a str) -> Answer<'a, Vec<String>> {
            Box::pin(async move { Ok(chain(unit)) })
        }
        fn subtree<'a>(&'a self, unit: &'a str) -> Answer<'a, Vec<String>> {
            Box::pin(async move {
                Ok(["units/r", "units/d", "units/s1", "units/s1a", "units/s2"]
                    .into_iter()
                    .filter(|u| chain(u).iter().any(|a| a == unit))
                    .map(String::from)
                    .collect())
            })
        }
        fn units_of_kinds<'a>(&'a self, _: &'a str, _: &'a [UnitKind]) -> Answer<'a, Vec<String>> {
            Box::pin(async { Ok(Vec::new()) })
        }
        fn bindings<'a>(&'a self, _: &'a str) -> Answer<'a, Vec<(Role, String)>> {
            Box::pin(async { Ok(Vec::new()) })
        }
    }

    fn ctx(method: &str, bindings: &[(Role, &str)]) -> CallContext {
        let mut ctx = CallContext::system(method);
        ctx.principal.name = "users/1".into();
        ctx.principal.bindings = bindings.iter().map(|(r, u)| (*r, u.to_string())).collect();
        ctx.principal.expire_time = Utc::now();
        ctx
    }

    const PUBLISH: &str = "/eiso.documents.v1.DocumentService/PublishRevision";

    #[tokio::test]
    async fn a_binding_covers_its_unit_and_those_below_never_above_or_beside() {
        let ctx = ctx(PUBLISH, &[(Role::DocumentController, "units/s1")]);
        let scope = Scope::of_method(&Tree, &ctx).await.unwrap();
        assert!(scope.covers("units/s1"));
        assert!(scope.covers("units/s1a"));
        assert!(!scope.covers("units/d"));
        assert!(!scope.covers("units/s2"));
        assert!(!scope.covers("units/r"));
        assert_eq!(
            scope.require("units/d", "documents/x").unwrap_err().code(),
            eiso_proto::tonic::Code::PermissionDenied
        );
        assert_eq!(
            scope.require_visible("units/d", "documents/x").unwrap_err().code(),
            eiso_proto::tonic::Code::NotFound
        );
    }

    #[tokio::test]
    async fn only_the_methods_roles_count() {
        // A viewer at the district and a controller at a school: publishing
        // reaches the school only; reading reaches the district's tree.
        let ctx = ctx(
            PUBLISH,
            &[(Role::Viewer, "units/d"), (Role::DocumentController, "units/s1")],
        );
        let publish = Scope::of_method(&Tree, &ctx).await.unwrap();
        assert!(!publish.covers("units/d"));
        assert!(!publish.covers("units/s2"));
        let read = Scope::of_reader(&Tree, &ctx.principal).await.unwrap();
        assert!(read.covers("units/d") && read.covers("units/s2"));
    }

    #[tokio::test]
    async fn the_acting_unit_is_the_nearest_binding_of_the_methods_roles() {
        const RECEIVE: &str = "/eiso.procedures.v1.DossierService/ReceiveDossier";
        // A counter clerk at the district also bound at school 1, and a viewer there.
        let clerk = ctx(
            RECEIVE,
            &[(Role::CounterStaff, "units/d"), (Role::CounterStaff, "units/s1")],
        );
        assert_eq!(acting_unit(&Tree, &clerk, "units/s1a").await.unwrap(), "units/s1");
        assert_eq!(acting_unit(&Tree, &clerk, "units/s2").await.unwrap(), "units/d");
        assert_eq!(acting_unit(&Tree, &clerk, "units/r").await.unwrap(), "");
        let viewer = ctx(RECEIVE, &[(Role::Viewer, "units/s1")]);
        assert_eq!(acting_unit(&Tree, &viewer, "units/s1").await.unwrap(), "");
    }

    #[tokio::test]
    async fn authorize_hides_what_the_caller_cannot_read() {
        // A viewer at the district and a controller at school 1.
        let ctx = ctx(
            PUBLISH,
            &[(Role::Viewer, "units/d"), (Role::DocumentController, "units/s1")],
        );
        assert!(authorize(&Tree, &ctx, "units/s1a", "documents/x").await.is_ok());
        let code = |unit: &'static str| {
            let ctx = ctx.clone();
            async move { authorize(&Tree, &ctx, unit, "documents/x").await.unwrap_err().code() }
        };
        // Seen (district viewer) but not changeable: denied.
        assert_eq!(code("units/s2").await, eiso_proto::tonic::Code::PermissionDenied);
        // Not even seen: not found.
        assert_eq!(code("units/r").await, eiso_proto::tonic::Code::NotFound);
        // A read that the method's roles do not cover is not found either.
        let render = ctx.as_method("/eiso.procedures.v1.DossierService/RenderForm");
        assert_eq!(
            authorize(&Tree, &render, "units/s2", "dossiers/y")
                .await
                .unwrap_err()
                .code(),
            eiso_proto::tonic::Code::NotFound
        );
    }

    #[tokio::test]
    async fn global_operations_need_the_role_at_a_root() {
        let rebuild = "/eiso.search.v1.SearchService/RebuildIndex";
        assert!(
            require_root(&Tree, &ctx(rebuild, &[(Role::Admin, "units/r")]))
                .await
                .is_ok()
        );
        assert!(
            require_root(&Tree, &ctx(rebuild, &[(Role::Admin, "units/d")]))
                .await
                .is_err()
        );
        // A root binding of another role does not count.
        assert!(
            require_root(
                &Tree,
                &ctx(rebuild, &[(Role::Viewer, "units/r"), (Role::Admin, "units/d")])
            )
            .await
            .is_err()
        );
        assert!(require_root(&Tree, &CallContext::system(rebuild)).await.is_ok());
    }

    #[tokio::test]
    async fn a_root_binding_reaches_the_whole_system() {
        let root = ctx(PUBLISH, &[(Role::DocumentController, "units/r")]);
        assert_eq!(Scope::of_method(&Tree, &root).await.unwrap(), Scope::Everywhere);
        // Another role's root binding does not widen this method's scope.
        let mixed = ctx(
            PUBLISH,
            &[(Role::Viewer, "units/r"), (Role::DocumentController, "units/s2")],
        );
        let scope = Scope::of_method(&Tree, &mixed).await.unwrap();
        assert!(scope.covers("units/s2") && !scope.covers("units/s1"));
    }

    #[tokio::test]
    async fn no_binding_reaches_nothing() {
        let scope = Scope::of_reader(&Tree, &ctx(PUBLISH, &[]).principal).await.unwrap();
        assert!(!scope.covers("units/r"));
        assert!(scope.condition("unit").is_some());
    }
}
