//! Rows of the identity tables and their mapping to the API messages.

use chrono::{DateTime, Utc};
use eiso_platform::aip::{etag, names};
use eiso_platform::journal::timestamp;
use eiso_platform::{ServiceError, ServiceResult, versioned};
use eiso_proto::eiso::identity::v1::{ApiClient, Role, RoleBinding, Unit, UnitNameChange, User, unit, user};
use sea_orm::sea_query::{Expr, ExprTrait, Query, SimpleExpr};
use sea_orm::{ConnectionTrait, QueryResult};
use serde::{Deserialize, Serialize};

pub const UNIT_COLUMNS: [&str; 15] = [
    "id",
    "code",
    "display_name",
    "kind",
    "parent_id",
    "state",
    "successor_id",
    "former_names",
    "create_time",
    "update_time",
    "version",
    "place_name",
    "document_symbol",
    "signer_title",
    "signer_name",
];

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct FormerName {
    pub code: String,
    pub display_name: String,
    pub change_time: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct UnitRow {
    pub id: String,
    pub code: String,
    pub display_name: String,
    pub kind: i32,
    pub parent_id: Option<String>,
    pub state: i32,
    pub successor_id: Option<String>,
    pub former_names: Vec<FormerName>,
    pub create_time: DateTime<Utc>,
    pub update_time: DateTime<Utc>,
    pub version: i64,
    /// Where its documents are dated (địa danh); empty: the nearest above.
    pub place_name: String,
    /// Its abbreviation in document symbols (`PGDĐT`); may be empty.
    pub document_symbol: String,
    /// The title its head signs under (`TRƯỞNG PHÒNG`); may be empty.
    pub signer_title: String,
    /// The name under its head's signature; may be empty.
    pub signer_name: String,
}

impl UnitRow {
    /// A new active unit, made `now`: no successor, no former names, no place
    /// name or letterhead of its own.
    pub fn new_active(
        code: String,
        display_name: String,
        kind: i32,
        parent_id: Option<String>,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            id: names::new_id(),
            code,
            display_name,
            kind,
            parent_id,
            state: unit::State::Active as i32,
            successor_id: None,
            former_names: Vec::new(),
            create_time: now,
            update_time: now,
            version: 1,
            place_name: String::new(),
            document_symbol: String::new(),
            signer_title: String::new(),
            signer_name: String::new(),
        }
    }

    pub fn from_row(row: &QueryResult) -> ServiceResult<Self> {
        let former: String = row.try_get("", "former_names")?;
        Ok(Self {
            id: row.try_get("", "id")?,
            code: row.try_get("", "code")?,
            display_name: row.try_get("", "display_name")?,
            kind: row.try_get("", "kind")?,
            parent_id: row.try_get("", "parent_id")?,
            state: row.try_get("", "state")?,
            successor_id: row.try_get("", "successor_id")?,
            former_names: serde_json::from_str(&former).map_err(ServiceError::internal)?,
            create_time: row.try_get("", "create_time")?,
            update_time: row.try_get("", "update_time")?,
            version: row.try_get("", "version")?,
            place_name: row.try_get("", "place_name")?,
            document_symbol: row.try_get("", "document_symbol")?,
            signer_title: row.try_get("", "signer_title")?,
            signer_name: row.try_get("", "signer_name")?,
        })
    }

    pub fn name(&self) -> String {
        format!("units/{}", self.id)
    }

    pub fn is_active(&self) -> bool {
        self.state == unit::State::Active as i32
    }

    /// FAILED_PRECONDITION unless the unit is active: merged and dissolved
    /// units are history and do not change.
    pub fn ensure_active(&self) -> ServiceResult<()> {
        if self.is_active() {
            return Ok(());
        }
        Err(ServiceError::precondition(
            "UNIT_NOT_ACTIVE",
            self.name(),
            format!(
                "{} ({}) is merged or dissolved; it no longer changes",
                self.name(),
                self.display_name
            ),
        ))
    }

    pub fn to_proto(&self) -> Unit {
        Unit {
            name: self.name(),
            code: self.code.clone(),
            display_name: self.display_name.clone(),
            kind: self.kind,
            parent: self
                .parent_id
                .as_ref()
                .map(|id| format!("units/{id}"))
                .unwrap_or_default(),
            state: self.state,
            successor: self
                .successor_id
                .as_ref()
                .map(|id| format!("units/{id}"))
                .unwrap_or_default(),
            former_names: self
                .former_names
                .iter()
                .map(|f| UnitNameChange {
                    code: f.code.clone(),
                    display_name: f.display_name.clone(),
                    change_time: Some(timestamp(f.change_time)),
                })
                .collect(),
            create_time: Some(timestamp(self.create_time)),
            update_time: Some(timestamp(self.update_time)),
            etag: etag::compute(&self.name(), self.version),
            place_name: self.place_name.clone(),
            document_symbol: self.document_symbol.clone(),
            signer_title: self.signer_title.clone(),
            signer_name: self.signer_name.clone(),
        }
    }

    /// Inserts the row.
    pub async fn insert(&self, db: &impl ConnectionTrait) -> ServiceResult<()> {
        db.execute(
            Query::insert().into_table("units").columns(UNIT_COLUMNS).values_panic([
                self.id.clone().into(),
                self.code.clone().into(),
                self.display_name.clone().into(),
                self.kind.into(),
                self.parent_id.clone().into(),
                self.state.into(),
                self.successor_id.clone().into(),
                serde_json::to_string(&self.former_names)
                    .map_err(ServiceError::internal)?
                    .into(),
                self.create_time.into(),
                self.update_time.into(),
                self.version.into(),
                self.place_name.clone().into(),
                self.document_symbol.clone().into(),
                self.signer_title.clone().into(),
                self.signer_name.clone().into(),
            ]),
        )
        .await
        .map_err(|e| ServiceError::unique(e, || format!("a unit with code `{}` already exists", self.code)))?;
        Ok(())
    }

    /// Writes every mutable column back, bumping the version. Fails with
    /// ABORTED if the row changed since it was read.
    pub async fn save(&mut self, db: &impl ConnectionTrait, now: DateTime<Utc>) -> ServiceResult<()> {
        let mut update = Query::update();
        update
            .table("units")
            .value("code", self.code.clone())
            .value("display_name", self.display_name.clone())
            .value("kind", self.kind)
            .value("parent_id", self.parent_id.clone())
            .value("state", self.state)
            .value("successor_id", self.successor_id.clone())
            .value(
                "former_names",
                serde_json::to_string(&self.former_names).map_err(ServiceError::internal)?,
            )
            .value("place_name", self.place_name.clone())
            .value("document_symbol", self.document_symbol.clone())
            .value("signer_title", self.signer_title.clone())
            .value("signer_name", self.signer_name.clone())
            .value("update_time", now)
            .and_where(Expr::col("id").eq(self.id.clone()));
        versioned::update(db, update, self.version, &self.name(), |e| {
            ServiceError::unique(e, || format!("a unit with code `{}` already exists", self.code))
        })
        .await?;
        self.version += 1;
        self.update_time = now;
        Ok(())
    }
}

pub async fn find_unit(db: &impl ConnectionTrait, id: &str) -> ServiceResult<Option<UnitRow>> {
    let row = db
        .query_one(
            Query::select()
                .columns(UNIT_COLUMNS)
                .from("units")
                .and_where(Expr::col("id").eq(id.to_string())),
        )
        .await?;
    row.as_ref().map(UnitRow::from_row).transpose()
}

/// The unit, or NOT_FOUND naming it.
pub async fn get_unit(db: &impl ConnectionTrait, id: &str) -> ServiceResult<UnitRow> {
    find_unit(db, id)
        .await?
        .ok_or_else(|| ServiceError::NotFound(format!("units/{id}")))
}

pub const USER_COLUMNS: [&str; 9] = [
    "id",
    "username",
    "display_name",
    "email",
    "password_hash",
    "state",
    "create_time",
    "update_time",
    "version",
];

#[derive(Debug, Clone)]
pub struct UserRow {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub email: String,
    pub password_hash: String,
    pub state: i32,
    pub create_time: DateTime<Utc>,
    pub update_time: DateTime<Utc>,
    pub version: i64,
}

impl UserRow {
    pub fn from_row(row: &QueryResult) -> ServiceResult<Self> {
        Ok(Self {
            id: row.try_get("", "id")?,
            username: row.try_get("", "username")?,
            display_name: row.try_get("", "display_name")?,
            email: row.try_get("", "email")?,
            password_hash: row.try_get("", "password_hash")?,
            state: row.try_get("", "state")?,
            create_time: row.try_get("", "create_time")?,
            update_time: row.try_get("", "update_time")?,
            version: row.try_get("", "version")?,
        })
    }

    pub fn name(&self) -> String {
        format!("users/{}", self.id)
    }

    pub fn is_active(&self) -> bool {
        self.state == user::State::Active as i32
    }

    pub fn to_proto(&self, bindings: &[(Role, String)]) -> User {
        User {
            name: self.name(),
            username: self.username.clone(),
            display_name: self.display_name.clone(),
            email: self.email.clone(),
            role_bindings: bindings_to_proto(bindings),
            state: self.state,
            create_time: Some(timestamp(self.create_time)),
            update_time: Some(timestamp(self.update_time)),
            etag: etag::compute(&self.name(), self.version),
        }
    }

    pub async fn insert(&self, db: &impl ConnectionTrait) -> ServiceResult<()> {
        db.execute(Query::insert().into_table("users").columns(USER_COLUMNS).values_panic([
            self.id.clone().into(),
            self.username.clone().into(),
            self.display_name.clone().into(),
            self.email.clone().into(),
            self.password_hash.clone().into(),
            self.state.into(),
            self.create_time.into(),
            self.update_time.into(),
            self.version.into(),
        ]))
        .await
        .map_err(|e| ServiceError::unique(e, || format!("a user with username `{}` already exists", self.username)))?;
        Ok(())
    }

    pub async fn save(&mut self, db: &impl ConnectionTrait, now: DateTime<Utc>) -> ServiceResult<()> {
        let mut update = Query::update();
        update
            .table("users")
            .value("display_name", self.display_name.clone())
            .value("email", self.email.clone())
            .value("password_hash", self.password_hash.clone())
            .value("state", self.state)
            .value("update_time", now)
            .and_where(Expr::col("id").eq(self.id.clone()));
        versioned::update(db, update, self.version, &self.name(), ServiceError::from).await?;
        self.version += 1;
        self.update_time = now;
        Ok(())
    }
}

pub async fn find_user_by(
    db: &impl ConnectionTrait,
    column: &'static str,
    value: &str,
) -> ServiceResult<Option<UserRow>> {
    let row = db
        .query_one(
            Query::select()
                .columns(USER_COLUMNS)
                .from("users")
                .and_where(Expr::col(column).eq(value.to_string())),
        )
        .await?;
    row.as_ref().map(UserRow::from_row).transpose()
}

pub async fn get_user(db: &impl ConnectionTrait, id: &str) -> ServiceResult<UserRow> {
    find_user_by(db, "id", id)
        .await?
        .ok_or_else(|| ServiceError::NotFound(format!("users/{id}")))
}

pub fn bindings_to_proto(bindings: &[(Role, String)]) -> Vec<RoleBinding> {
    bindings
        .iter()
        .map(|(role, unit)| RoleBinding {
            role: *role as i32,
            unit: unit.clone(),
        })
        .collect()
}

/// The role bindings of a principal (`kind` is `user` or `client`), as
/// (role, `units/{id}`), ordered.
pub async fn bindings_of(db: &impl ConnectionTrait, kind: &str, id: &str) -> ServiceResult<Vec<(Role, String)>> {
    let rows = db
        .query_all(
            Query::select()
                .columns(["role", "unit_id"])
                .from("role_bindings")
                .and_where(Expr::col("principal_kind").eq(kind.to_string()))
                .and_where(Expr::col("principal_id").eq(id.to_string()))
                .order_by("role", sea_orm::sea_query::Order::Asc)
                .order_by("unit_id", sea_orm::sea_query::Order::Asc),
        )
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let role: i32 = row.try_get("", "role")?;
        let unit: String = row.try_get("", "unit_id")?;
        if let Ok(role) = Role::try_from(role) {
            out.push((role, format!("units/{unit}")));
        }
    }
    Ok(out)
}

/// The users (their `id`) holding a role binding that meets `condition`.
pub fn users_bound_where(condition: SimpleExpr) -> SimpleExpr {
    Expr::col("id").in_subquery(
        Query::select()
            .column("principal_id")
            .from("role_bindings")
            .and_where(Expr::col("principal_kind").eq("user"))
            .and_where(condition)
            .to_owned(),
    )
}

/// Replaces the role bindings of a principal.
pub async fn set_bindings(
    db: &impl ConnectionTrait,
    kind: &str,
    id: &str,
    bindings: &[(Role, String)],
) -> ServiceResult<()> {
    db.execute(
        Query::delete()
            .from_table("role_bindings")
            .and_where(Expr::col("principal_kind").eq(kind.to_string()))
            .and_where(Expr::col("principal_id").eq(id.to_string())),
    )
    .await?;
    if bindings.is_empty() {
        return Ok(());
    }
    let mut insert = Query::insert();
    insert
        .into_table("role_bindings")
        .columns(["principal_kind", "principal_id", "role", "unit_id"]);
    for (role, unit) in bindings {
        let unit_id = unit.trim_start_matches("units/").to_string();
        insert.values_panic([kind.into(), id.into(), (*role as i32).into(), unit_id.into()]);
    }
    db.execute(&insert).await?;
    Ok(())
}

pub const CLIENT_COLUMNS: [&str; 6] = [
    "id",
    "display_name",
    "secret_hash",
    "revoked",
    "create_time",
    "revoke_time",
];

#[derive(Debug, Clone)]
pub struct ClientRow {
    pub id: String,
    pub display_name: String,
    pub secret_hash: String,
    pub revoked: bool,
    pub create_time: DateTime<Utc>,
    pub revoke_time: Option<DateTime<Utc>>,
}

impl ClientRow {
    pub fn from_row(row: &QueryResult) -> ServiceResult<Self> {
        Ok(Self {
            id: row.try_get("", "id")?,
            display_name: row.try_get("", "display_name")?,
            secret_hash: row.try_get("", "secret_hash")?,
            revoked: row.try_get("", "revoked")?,
            create_time: row.try_get("", "create_time")?,
            revoke_time: row.try_get("", "revoke_time")?,
        })
    }

    pub fn name(&self) -> String {
        format!("clients/{}", self.id)
    }

    pub fn to_proto(&self, bindings: &[(Role, String)]) -> ApiClient {
        ApiClient {
            name: self.name(),
            display_name: self.display_name.clone(),
            role_bindings: bindings_to_proto(bindings),
            revoked: self.revoked,
            create_time: Some(timestamp(self.create_time)),
            revoke_time: self.revoke_time.map(timestamp),
        }
    }
}

pub async fn find_client(db: &impl ConnectionTrait, id: &str) -> ServiceResult<Option<ClientRow>> {
    let row = db
        .query_one(
            Query::select()
                .columns(CLIENT_COLUMNS)
                .from("api_clients")
                .and_where(Expr::col("id").eq(id.to_string())),
        )
        .await?;
    row.as_ref().map(ClientRow::from_row).transpose()
}
