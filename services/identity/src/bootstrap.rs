//! First start: a root unit and the `admin` user.

use chrono::Utc;
use eiso_platform::aip::names;
use eiso_platform::auth::random_secret;
use eiso_platform::{CallContext, NewEvent, ServiceError, ServiceResult};
use eiso_proto::eiso::identity::v1::{Role, UnitKind, user};
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::Query;

use crate::Identity;
use crate::rows::{UnitRow, UserRow, set_bindings};
use crate::users::hash_blocking;

/// What the first start did about the administrator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdminSetup {
    /// Users already existed.
    Existing,
    /// `admin` was created with the password from `EISO_ADMIN_PASSWORD`.
    FromEnvironment,
    /// `admin` was created with this generated password, to be shown once.
    Generated(String),
}

/// Creates the root unit and the `admin` user if there are no users yet.
/// Safe when several replicas start at once: the loser of the race finds
/// the username taken and leaves it.
pub async fn ensure_bootstrap(identity: &Identity, admin_password: Option<&str>) -> ServiceResult<AdminSetup> {
    let db = identity.journal().db();
    let any_user = db
        .reader()
        .query_one(Query::select().column("id").from("users").limit(1))
        .await?;
    if any_user.is_some() {
        return Ok(AdminSetup::Existing);
    }
    let (password, setup) = match admin_password {
        Some(p) => (p.to_string(), AdminSetup::FromEnvironment),
        None => {
            let generated = random_secret(15);
            (generated.clone(), AdminSetup::Generated(generated))
        }
    };
    let password_hash = hash_blocking(password).await?;
    let ctx = CallContext::system("eiso-server/bootstrap").with_reason("first start");
    let mut tx = identity.journal().begin(&ctx).await?;
    let now = Utc::now();
    let root = UnitRow::new_active("ROOT".into(), "Đơn vị gốc".into(), UnitKind::Other as i32, None, now);
    let admin = UserRow {
        id: names::new_id(),
        username: "admin".into(),
        display_name: "Quản trị hệ thống".into(),
        email: String::new(),
        password_hash,
        state: user::State::Active as i32,
        create_time: now,
        update_time: now,
        version: 1,
    };
    let inserted = async {
        root.insert(tx.txn()).await?;
        admin.insert(tx.txn()).await?;
        set_bindings(tx.txn(), "user", &admin.id, &[(Role::Admin, root.name())]).await
    }
    .await;
    match inserted {
        Ok(()) => {}
        Err(ServiceError::AlreadyExists(_)) => return Ok(AdminSetup::Existing),
        Err(other) => return Err(other),
    }
    let unit = root.to_proto();
    let user = admin.to_proto(&[(Role::Admin, root.name())]);
    tx.event(NewEvent::with("identity.unit.created", &unit.name, &unit));
    tx.event(NewEvent::with("identity.user.created", &user.name, &user));
    tx.audit_resource(&user.name);
    tx.commit().await?;
    Ok(setup)
}
