//! `eiso users …`.

use eiso_proto::eiso::identity::v1::{
    CreateUserRequest, GetUserRequest, ListUsersRequest, SetUserPasswordRequest, UpdateUserRequest, User,
    WhoAmIRequest, user,
};
use eiso_proto::prost_types::FieldMask;
use serde_json::{Value, json};

use super::update_mask::UpdateMask;
use super::{created, list_query, print_page, prompt_new_password, prompt_secret, read_stdin_line, request_id};
use crate::cli::{SetPasswordArgs, UserCreateArgs, UserStateArgs, UserUpdateArgs, UsersCommand};
use crate::context::Ctx;
use crate::directory::Labels;
use crate::error::CliError;
use crate::names::{binding_units, enum_json, nfc, role_bindings_cell, role_bindings_json, state_cell};
use crate::output::{self, json_time, local_cell, stamped_details_table, table};

/// Runs a `users` subcommand.
pub async fn run(ctx: &Ctx, command: UsersCommand) -> Result<(), CliError> {
    match command {
        UsersCommand::List(args) => {
            let (users, next) = list_query!(ctx, args, ctx.identity(), list_users, ListUsersRequest, users).await?;
            let labels = Labels::of(ctx, users.iter().flat_map(|user| binding_units(&user.role_bindings))).await;
            print_page(ctx, "users", &users, &next, user_json, "no users", |users| {
                users_table(users, &labels)
            })
        }
        UsersCommand::Show { user } => {
            let user = get(ctx, user).await?;
            print_one(ctx, &user).await
        }
        UsersCommand::Create(args) => create(ctx, args).await,
        UsersCommand::Update(args) => {
            let request = update_request(&args)?;
            send_update(ctx, request).await
        }
        UsersCommand::SetPassword(args) => set_password(ctx, args).await,
        UsersCommand::Disable(args) => send_update(ctx, state_request(&args, user::State::Disabled)).await,
        UsersCommand::Enable(args) => send_update(ctx, state_request(&args, user::State::Active)).await,
    }
}

async fn get(ctx: &Ctx, name: String) -> Result<User, CliError> {
    let request = ctx.request(GetUserRequest { name })?;
    ctx.answer(ctx.identity().get_user(request)).await
}

async fn create(ctx: &Ctx, args: UserCreateArgs) -> Result<(), CliError> {
    let username = args.username.trim().to_string();
    // Check what can be checked before asking for a password.
    ctx.ensure_signed_in()?;
    let password = if args.password_stdin {
        read_stdin_line("initial password")?
    } else {
        prompt_new_password(&format!("Initial password for {username}: "), "--password-stdin")?
    };
    let request_id = request_id(args.request_id.as_deref());
    let request = ctx.request(CreateUserRequest {
        user: Some(User {
            username,
            display_name: nfc(&args.name),
            email: args.email.as_deref().map(str::trim).unwrap_or_default().to_string(),
            role_bindings: args.roles,
            ..User::default()
        }),
        password,
        request_id: request_id.clone(),
    })?;
    let user = created(ctx, &request_id, ctx.identity().create_user(request)).await?;
    print_one(ctx, &user).await
}

/// The user fields an update sends and the mask naming them, from the flags
/// given; an error when no flag was given.
pub fn update_request(args: &UserUpdateArgs) -> Result<UpdateUserRequest, CliError> {
    let mut user = User {
        name: args.user.clone(),
        ..User::default()
    };
    let mut mask = UpdateMask::default();
    if let Some(name) = &args.name {
        user.display_name = nfc(name);
        mask.add("display_name");
    }
    if let Some(email) = &args.email {
        user.email = email.trim().to_string();
        mask.add("email");
    }
    if !args.roles.is_empty() || args.clear_roles {
        user.role_bindings.clone_from(&args.roles);
        mask.add("role_bindings");
    }
    Ok(UpdateUserRequest {
        update_mask: Some(mask.or_refuse("--name, --email, --role, --clear-roles")?),
        user: Some(user),
        etag: args.etag.clone().unwrap_or_default(),
    })
}

/// `disable` and `enable`: an update of `state` alone.
pub fn state_request(args: &UserStateArgs, state: user::State) -> UpdateUserRequest {
    UpdateUserRequest {
        user: Some(User {
            name: args.user.clone(),
            state: state as i32,
            ..User::default()
        }),
        update_mask: Some(FieldMask {
            paths: vec!["state".to_string()],
        }),
        etag: args.etag.clone().unwrap_or_default(),
    }
}

async fn send_update(ctx: &Ctx, request: UpdateUserRequest) -> Result<(), CliError> {
    let request = ctx.request(request)?;
    let user = ctx.answer(ctx.identity().update_user(request)).await?;
    print_one(ctx, &user).await
}

async fn set_password(ctx: &Ctx, args: SetPasswordArgs) -> Result<(), CliError> {
    let me = ctx
        .answer(ctx.identity().who_am_i(ctx.request(WhoAmIRequest {})?))
        .await?;
    let name = args.user.unwrap_or_else(|| me.principal.clone());
    if !name.starts_with("users/") {
        return Err(CliError::Usage(format!(
            "{name} is not a user: machine clients have secrets, not passwords"
        )));
    }
    let own = name == me.principal;
    let (current_password, new_password) = match (own, args.password_stdin) {
        (true, true) => (read_stdin_line("current password")?, read_stdin_line("new password")?),
        (true, false) => (
            prompt_secret("Current password: ", "--password-stdin")?,
            prompt_new_password("New password: ", "--password-stdin")?,
        ),
        (false, true) => (String::new(), read_stdin_line("new password")?),
        (false, false) => (
            String::new(),
            prompt_new_password(&format!("New password for {name}: "), "--password-stdin")?,
        ),
    };
    let request = ctx.request(SetUserPasswordRequest {
        name: name.clone(),
        current_password,
        new_password,
    })?;
    ctx.identity()
        .set_user_password(request)
        .await
        .map_err(|status| ctx.rpc_error(status))?;
    if ctx.json() {
        output::print_json(&json!({ "name": name, "password_set": true }))
    } else {
        output::print(&format!("password set for {name}"))
    }
}

fn users_table(users: &[User], labels: &Labels) -> comfy_table::Table {
    let mut table = table(["NAME", "USERNAME", "DISPLAY NAME", "EMAIL", "ROLES", "STATE", "UPDATED"]);
    for user in users {
        table.add_row(vec![
            user.name.clone(),
            user.username.clone(),
            user.display_name.clone(),
            user.email.clone(),
            role_bindings_cell(&user.role_bindings, labels),
            state_cell::<user::State>(user.state, "state"),
            local_cell(user.update_time.as_ref()),
        ]);
    }
    table
}

async fn print_one(ctx: &Ctx, user: &User) -> Result<(), CliError> {
    if ctx.json() {
        return output::print_json(&user_json(user));
    }
    let labels = Labels::of(ctx, binding_units(&user.role_bindings)).await;
    output::print_table(&stamped_details_table(
        [
            ("name", user.name.clone()),
            ("username", user.username.clone()),
            ("display name", user.display_name.clone()),
            ("email", user.email.clone()),
            ("roles", role_bindings_cell(&user.role_bindings, &labels)),
            ("state", state_cell::<user::State>(user.state, "state")),
        ],
        user,
    ))
}

/// A user for JSON output.
pub fn user_json(user: &User) -> Value {
    json!({
        "name": user.name,
        "username": user.username,
        "display_name": user.display_name,
        "email": user.email,
        "role_bindings": role_bindings_json(&user.role_bindings),
        "state": enum_json::<user::State>(user.state),
        "create_time": json_time(user.create_time.as_ref()),
        "update_time": json_time(user.update_time.as_ref()),
        "etag": user.etag,
    })
}

#[cfg(test)]
mod tests {
    use eiso_proto::eiso::identity::v1::{Role, RoleBinding};

    use super::*;

    fn update_args() -> UserUpdateArgs {
        UserUpdateArgs {
            user: "users/an".to_string(),
            name: None,
            email: None,
            roles: Vec::new(),
            clear_roles: false,
            etag: None,
        }
    }

    fn paths(request: &UpdateUserRequest) -> Vec<&str> {
        crate::commands::update_mask::paths(request.update_mask.as_ref())
    }

    #[test]
    fn roles_given_replace_the_bindings() -> Result<(), CliError> {
        let viewer = RoleBinding {
            role: Role::Viewer as i32,
            unit: "units/31".to_string(),
        };
        let request = update_request(&UserUpdateArgs {
            roles: vec![viewer.clone()],
            email: Some(String::new()),
            ..update_args()
        })?;
        assert_eq!(paths(&request), vec!["email", "role_bindings"]);
        assert_eq!(request.user.map(|user| user.role_bindings), Some(vec![viewer]));
        Ok(())
    }

    #[test]
    fn clear_roles_sends_an_empty_list_under_the_mask() -> Result<(), CliError> {
        let request = update_request(&UserUpdateArgs {
            clear_roles: true,
            ..update_args()
        })?;
        assert_eq!(paths(&request), vec!["role_bindings"]);
        assert_eq!(request.user.map(|user| user.role_bindings.len()), Some(0));
        Ok(())
    }

    #[test]
    fn an_update_without_flags_is_refused() {
        assert!(matches!(update_request(&update_args()), Err(CliError::Usage(_))));
    }

    #[test]
    fn disable_and_enable_update_only_the_state() {
        let args = UserStateArgs {
            user: "users/an".to_string(),
            etag: Some("e7".to_string()),
        };
        let request = state_request(&args, user::State::Disabled);
        assert_eq!(paths(&request), vec!["state"]);
        assert_eq!(request.etag, "e7");
        assert_eq!(request.user.map(|user| user.state), Some(user::State::Disabled as i32));
        let request = state_request(&args, user::State::Active);
        assert_eq!(request.user.map(|user| user.state), Some(user::State::Active as i32));
    }
}
