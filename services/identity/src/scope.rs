//! Where an administrator's power reaches. A role binding holds on its unit
//! and every unit below it; an administrator bound to a root unit (one
//! without a parent) administers the whole system, including new roots.

use eiso_platform::{CallContext, Principal, ServiceError, ServiceResult};
use eiso_proto::eiso::identity::v1::Role;
use sea_orm::ConnectionTrait;

use crate::rows::find_unit;

/// Deepest tree the ancestor walk follows; deeper means a corrupt tree.
const MAX_DEPTH: usize = 64;

/// The unit ids `principal` holds `role` on.
fn scopes(principal: &Principal, role: Role) -> Vec<&str> {
    principal
        .bindings
        .iter()
        .filter(|(r, _)| *r == role)
        .map(|(_, unit)| unit.trim_start_matches("units/"))
        .collect()
}

/// Whether `principal` holds `role` on a root unit.
pub async fn is_global(db: &impl ConnectionTrait, principal: &Principal, role: Role) -> ServiceResult<bool> {
    for id in scopes(principal, role) {
        if let Some(unit) = find_unit(db, id).await?
            && unit.parent_id.is_none()
        {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Whether `principal` holds `role` on `unit_id` or one of its ancestors.
pub async fn reaches(
    db: &impl ConnectionTrait,
    principal: &Principal,
    role: Role,
    unit_id: &str,
) -> ServiceResult<bool> {
    let scopes = scopes(principal, role);
    if scopes.is_empty() {
        return Ok(false);
    }
    let mut cursor = Some(unit_id.to_string());
    for _ in 0..MAX_DEPTH {
        let Some(id) = cursor else { return Ok(false) };
        if scopes.contains(&id.as_str()) {
            return Ok(true);
        }
        cursor = find_unit(db, &id).await?.and_then(|unit| unit.parent_id);
    }
    Err(ServiceError::internal(format!(
        "units/{unit_id} is more than {MAX_DEPTH} levels deep"
    )))
}

/// PERMISSION_DENIED unless the caller administers `unit_id` (`None`: a new
/// root, which needs a system administrator). The system itself (first start)
/// passes.
pub async fn require_admin_over(
    db: &impl ConnectionTrait,
    principal: &Principal,
    unit_id: Option<&str>,
) -> ServiceResult<()> {
    if principal.name == "system" {
        return Ok(());
    }
    let allowed = match unit_id {
        Some(id) => reaches(db, principal, Role::Admin, id).await? || is_global(db, principal, Role::Admin).await?,
        None => is_global(db, principal, Role::Admin).await?,
    };
    if allowed {
        return Ok(());
    }
    Err(ServiceError::PermissionDenied(match unit_id {
        Some(id) => format!("units/{id} is outside the units you administer"),
        None => "only an administrator of a root unit can create or manage root units".to_string(),
    }))
}

/// PERMISSION_DENIED unless the caller holds one of the method's roles at a
/// root unit: global operations (the identity event stream).
pub async fn require_root(db: &impl ConnectionTrait, ctx: &CallContext) -> ServiceResult<()> {
    if ctx.principal.name == eiso_platform::scope::SYSTEM {
        return Ok(());
    }
    let roles: Vec<Role> = match eiso_platform::policy::rule(&ctx.method).map(|rule| rule.access) {
        Some(eiso_platform::policy::Access::Roles(roles)) => roles.to_vec(),
        _ => ctx.principal.roles().collect(),
    };
    for role in roles {
        if is_global(db, &ctx.principal, role).await? {
            return Ok(());
        }
    }
    Err(ServiceError::PermissionDenied(
        "this operation spans every unit: it needs the role at a root unit".to_string(),
    ))
}

/// PERMISSION_DENIED unless the caller administers every unit of a user's
/// or client's `bindings`; one without bindings needs a system administrator.
pub async fn require_admin_over_principal(
    db: &impl ConnectionTrait,
    principal: &Principal,
    bindings: &[(Role, String)],
) -> ServiceResult<()> {
    if bindings.is_empty() {
        return require_admin_over(db, principal, None).await;
    }
    for (_, unit) in bindings {
        require_admin_over(db, principal, Some(unit.trim_start_matches("units/"))).await?;
    }
    Ok(())
}
