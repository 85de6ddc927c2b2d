//! Users: create, read, list, update (display name, email, role bindings,
//! state) and passwords.

use chrono::Utc;
use eiso_platform::aip::{etag, field_mask, list, names, text};
use eiso_platform::auth::{hash_password, verify_password};
use eiso_platform::journal::{Begun, fingerprint};
use eiso_platform::{CallContext, NewEvent, ServiceError, ServiceResult, Violations};
use eiso_proto::eiso::identity::v1::{
    CreateUserRequest, ListUsersRequest, ListUsersResponse, Role, SetUserPasswordRequest, UpdateUserRequest, User, user,
};
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, Query};

use crate::Identity;
use crate::rows::{USER_COLUMNS, UserRow, bindings_of, get_user, set_bindings, users_bound_where};
use crate::scope;
use crate::units::{check_bindings, check_request_id};

pub const MIN_PASSWORD_CHARS: usize = 10;

pub fn check_username(violations: &mut Violations, field: &str, username: &str) -> String {
    let username = username.trim().to_ascii_lowercase();
    if username.is_empty() {
        violations.add(field, "is required");
    } else if !(3..=64).contains(&username.len())
        || !username
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
    {
        violations.add(field, "must be 3–64 characters of a–z, 0–9, `.`, `_` or `-`");
    }
    username
}

pub fn check_password(violations: &mut Violations, field: &str, password: &str) {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        violations.add(field, format!("must be at least {MIN_PASSWORD_CHARS} characters"));
    } else if chars > 256 {
        violations.add(field, "must be at most 256 characters");
    }
}

fn check_email(violations: &mut Violations, field: &str, email: &str) -> String {
    let email = text::clean(violations, field, email, false, 254);
    if !email.is_empty() {
        let valid = match email.split_once('@') {
            Some((local, domain)) => !local.is_empty() && domain.contains('.') && !email.contains(char::is_whitespace),
            None => false,
        };
        if !valid {
            violations.add(field, "is not an email address");
        }
    }
    email
}

/// Active users holding the admin role, other than `except`.
async fn other_active_admins(db: &impl ConnectionTrait, except: &str) -> ServiceResult<bool> {
    let row = db
        .query_one(
            Query::select()
                .expr(Expr::val(1))
                .from("users")
                .and_where(Expr::col("id").ne(except.to_string()))
                .and_where(Expr::col("state").eq(user::State::Active as i32))
                .and_where(users_bound_where(Expr::col("role").eq(Role::Admin as i32))),
        )
        .await?;
    Ok(row.is_some())
}

impl Identity {
    pub async fn create_user(&self, ctx: &CallContext, request: CreateUserRequest) -> ServiceResult<User> {
        // The fingerprint must not keep the password: hash the request without it.
        let mut printable = request.clone();
        printable.password = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(request.password.as_bytes()));
        let print = fingerprint(&printable);
        let input = request.user.unwrap_or_default();
        let mut violations = Violations::new();
        let username = check_username(&mut violations, "user.username", &input.username);
        let display_name = text::clean(&mut violations, "user.display_name", &input.display_name, true, 200);
        let email = check_email(&mut violations, "user.email", &input.email);
        check_password(&mut violations, "password", &request.password);
        check_request_id(&mut violations, &ctx.request_id);
        violations.check()?;
        let password_hash = hash_blocking(request.password).await?;

        let mut tx = match self.journal.begin_idempotent::<User>(ctx, &print).await? {
            Begun::Fresh(tx) => *tx,
            Begun::Replayed(done) => return Ok(done),
        };
        let bindings = check_bindings(tx.txn(), &input.role_bindings, "user.role_bindings").await?;
        scope::require_admin_over_principal(tx.txn(), &ctx.principal, &bindings).await?;
        let now = Utc::now();
        let row = UserRow {
            id: names::new_id(),
            username,
            display_name,
            email,
            password_hash,
            state: user::State::Active as i32,
            create_time: now,
            update_time: now,
            version: 1,
        };
        row.insert(tx.txn()).await?;
        set_bindings(tx.txn(), "user", &row.id, &bindings).await?;
        let user = row.to_proto(&bindings);
        tx.event(NewEvent::with("identity.user.created", &user.name, &user));
        tx.commit_idempotent(user).await
    }

    pub async fn get_user(&self, name: &str) -> ServiceResult<User> {
        let id = names::parse(name, "users", "name")?;
        let db = self.journal.db().reader();
        let row = get_user(db, &id).await?;
        let bindings = bindings_of(db, "user", &id).await?;
        Ok(row.to_proto(&bindings))
    }

    pub async fn list_users(&self, request: ListUsersRequest) -> ServiceResult<ListUsersResponse> {
        const SPEC: list::Spec = list::Spec::new(
            &["username", "state", "role", "unit", "within_unit"],
            &["username", "display_name", "create_time"],
            "username",
        );
        let listing = eiso_platform::listing!(&SPEC, request)?;
        // `within_unit`: the unit and the active units below it, as the
        // directory's `users_within` reads them (one walk per condition).
        let mut within = std::collections::HashMap::new();
        for condition in listing.conditions.iter().filter(|c| c.field == "within_unit") {
            names::parse(&condition.value, "units", "filter")?;
            let units = self.active_within(&condition.value).await?;
            within.insert(condition.value.clone(), units);
        }
        let mut query = Query::select();
        query.columns(USER_COLUMNS).from("users");
        listing.filter(&mut query, |condition| {
            let value = &condition.value;
            let bound = |column: &'static str, value: sea_orm::Value| users_bound_where(Expr::col(column).eq(value));
            Ok(match condition.field.as_str() {
                "username" => Expr::col("username").eq(value.to_ascii_lowercase()),
                "state" => Expr::col("state").eq(list::enum_value(
                    value,
                    "STATE_",
                    "user state",
                    user::State::from_str_name,
                )?),
                "role" => bound(
                    "role",
                    list::enum_value(value, "ROLE_", "role", Role::from_str_name)?.into(),
                ),
                "unit" => bound("unit_id", names::parse(value, "units", "filter")?.into()),
                _ => users_bound_where(Expr::col("unit_id").is_in(within.get(value).cloned().unwrap_or_default())),
            })
        })?;
        listing.order_and_limit(&mut query, "id");
        let db = self.journal.db().reader();
        let (rows, next_page_token) = listing.rows(db, &query).await?;
        let mut users = Vec::new();
        for row in &rows {
            let row = UserRow::from_row(row)?;
            let bindings = bindings_of(db, "user", &row.id).await?;
            users.push(row.to_proto(&bindings));
        }
        Ok(ListUsersResponse { users, next_page_token })
    }

    pub async fn update_user(&self, ctx: &CallContext, request: UpdateUserRequest) -> ServiceResult<User> {
        let input = request.user.unwrap_or_default();
        let id = names::parse(&input.name, "users", "user.name")?;
        let paths = field_mask::paths(
            request.update_mask.as_ref(),
            &["display_name", "email", "role_bindings", "state"],
        )?;
        let mut violations = Violations::new();
        let display_name = text::clean(
            &mut violations,
            "user.display_name",
            &input.display_name,
            paths.contains(&"display_name"),
            200,
        );
        let email = check_email(&mut violations, "user.email", &input.email);
        if paths.contains(&"state") {
            match user::State::try_from(input.state) {
                Ok(user::State::Active) | Ok(user::State::Disabled) => {}
                _ => violations.add("user.state", "must be STATE_ACTIVE or STATE_DISABLED"),
            }
        }
        violations.check()?;

        let mut tx = self.journal.begin(ctx).await?;
        let mut row = get_user(tx.txn(), &id).await?;
        scope::require_admin_over_principal(tx.txn(), &ctx.principal, &bindings_of(tx.txn(), "user", &id).await?)
            .await?;
        etag::check(&request.etag, &row.name(), row.version)?;
        let mut bindings = bindings_of(tx.txn(), "user", &id).await?;
        if paths.contains(&"display_name") {
            row.display_name = display_name;
        }
        if paths.contains(&"email") {
            row.email = email;
        }
        if paths.contains(&"state") {
            row.state = input.state;
        }
        if paths.contains(&"role_bindings") {
            bindings = check_bindings(tx.txn(), &input.role_bindings, "user.role_bindings").await?;
            scope::require_admin_over_principal(tx.txn(), &ctx.principal, &bindings).await?;
            set_bindings(tx.txn(), "user", &id, &bindings).await?;
        }
        let still_admin = row.is_active() && bindings.iter().any(|(role, _)| *role == Role::Admin);
        if !still_admin && !other_active_admins(tx.txn(), &id).await? {
            return Err(ServiceError::precondition(
                "LAST_ADMIN",
                row.name(),
                "this would leave no active administrator: give another user the admin role first",
            ));
        }
        row.save(tx.txn(), Utc::now()).await?;
        let user = row.to_proto(&bindings);
        tx.event(NewEvent::with("identity.user.updated", &user.name, &user));
        tx.commit().await?;
        self.verifier.forget(&user.name);
        Ok(user)
    }

    pub async fn set_user_password(&self, ctx: &CallContext, request: SetUserPasswordRequest) -> ServiceResult<()> {
        let id = names::parse(&request.name, "users", "name")?;
        let own = ctx.principal.name == request.name;
        if !own && !ctx.principal.is_admin() {
            return Err(ServiceError::PermissionDenied(
                "only an administrator can set another user's password".into(),
            ));
        }
        let mut violations = Violations::new();
        check_password(&mut violations, "new_password", &request.new_password);
        if own && request.current_password.is_empty() {
            violations.add("current_password", "is required to change your own password");
        }
        violations.check()?;

        let current = get_user(self.journal.db().reader(), &id).await?;
        if !own {
            let bindings = bindings_of(self.journal.db().reader(), "user", &id).await?;
            scope::require_admin_over_principal(self.journal.db().reader(), &ctx.principal, &bindings).await?;
        }
        if own && !verify_blocking(request.current_password, current.password_hash.clone()).await? {
            return Err(ServiceError::invalid(
                "current_password",
                "is not your current password",
            ));
        }
        let new_hash = hash_blocking(request.new_password).await?;
        let mut tx = self.journal.begin(ctx).await?;
        let mut row = get_user(tx.txn(), &id).await?;
        row.password_hash = new_hash;
        row.save(tx.txn(), Utc::now()).await?;
        // The event says that it changed, never what to.
        tx.event(NewEvent {
            event_type: "identity.user.password_changed".into(),
            resource: row.name(),
            payload: None,
        });
        tx.commit().await?;
        Ok(())
    }
}

/// Argon2 takes 19 MiB and tens of milliseconds per hash on purpose. Hashes
/// run off the async workers, at most one per CPU at a time, so a burst of
/// sign-ins queues instead of multiplying memory and starving other calls.
fn hashing_slots() -> &'static tokio::sync::Semaphore {
    static SLOTS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    SLOTS
        .get_or_init(|| tokio::sync::Semaphore::new(std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2)))
}

async fn argon2<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> ServiceResult<T> {
    let _slot = hashing_slots().acquire().await.map_err(ServiceError::internal)?;
    eiso_platform::blocking::run(work).await
}

pub async fn hash_blocking(password: String) -> ServiceResult<String> {
    argon2(move || hash_password(&password))
        .await?
        .map_err(ServiceError::internal)
}

pub async fn verify_blocking(password: String, hash: String) -> ServiceResult<bool> {
    argon2(move || verify_password(&password, &hash)).await
}
