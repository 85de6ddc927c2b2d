//! `eiso login`, `eiso logout`, `eiso whoami`.

use chrono::Utc;
use eiso_proto::eiso::identity::v1::login_request::Credentials;
use eiso_proto::eiso::identity::v1::{ClientCredentials, LoginRequest, PasswordCredentials, WhoAmIRequest};
use eiso_proto::tonic::Code;
use serde_json::json;

use super::{prompt_line, prompt_secret, read_stdin_line};
use crate::cli::LoginArgs;
use crate::context::Ctx;
use crate::directory::Labels;
use crate::error::CliError;
use crate::names::{binding_units, role_bindings_cell, role_bindings_json};
use crate::output::{self, details_table, format_local, format_rfc3339, json_time, local_cell, to_utc};
use crate::session::{self, Session};

/// Signs in and saves the session.
pub async fn login(ctx: &Ctx, args: LoginArgs) -> Result<(), CliError> {
    let (credentials, what) = match args.client_id {
        Some(client_id) => {
            let client_secret = if args.client_secret_stdin {
                read_stdin_line("client secret")?
            } else {
                prompt_secret("Client secret: ", "--client-secret-stdin")?
            };
            let client_id = client_id.trim();
            let client_id = client_id.strip_prefix("clients/").unwrap_or(client_id).to_string();
            (
                Credentials::Client(ClientCredentials {
                    client_id,
                    client_secret,
                }),
                "client id or secret",
            )
        }
        None => {
            let username = match args.username {
                Some(username) => username.trim().to_string(),
                None => prompt_line("Username: ", "username", "--username")?,
            };
            let password = if args.password_stdin {
                read_stdin_line("password")?
            } else {
                prompt_secret(&format!("Password for {username}: "), "--password-stdin")?
            };
            (
                Credentials::Password(PasswordCredentials { username, password }),
                "username or password",
            )
        }
    };

    let request = ctx.anonymous_request(LoginRequest {
        credentials: Some(credentials),
    })?;
    let response = match ctx.identity().login(request).await {
        Ok(response) => response.into_inner(),
        Err(status) if status.code() == Code::Unauthenticated => {
            return Err(CliError::LoginRefused {
                what,
                detail: status.message().to_string(),
            });
        }
        Err(status) => return Err(ctx.rpc_error(status)),
    };

    let expire_time = response
        .expire_time
        .as_ref()
        .and_then(to_utc)
        .ok_or_else(|| anyhow::anyhow!("the server's login answer has no valid expire_time; nothing was saved"))?;
    if response.access_token.is_empty() {
        return Err(anyhow::anyhow!("the server's login answer has no access token; nothing was saved").into());
    }
    let saved = Session {
        server: ctx.server.clone(),
        token: response.access_token,
        expire_time,
        principal: response.principal,
    };
    session::save(&ctx.session_path, &saved)?;

    if ctx.json() {
        output::print_json(&json!({
            "server": saved.server,
            "principal": saved.principal,
            "expire_time": format_rfc3339(saved.expire_time),
            "session_file": ctx.session_path.display().to_string(),
        }))
    } else {
        output::print(&format!(
            "signed in to {} as {} until {} (Asia/Ho_Chi_Minh)",
            saved.server,
            saved.principal,
            format_local(saved.expire_time)
        ))
    }
}

/// Deletes the saved session. Tokens are not revocable one by one: the token
/// itself keeps working until it expires.
pub fn logout(ctx: &Ctx) -> Result<(), CliError> {
    let deleted = session::delete(&ctx.session_path)?;
    if ctx.json() {
        output::print_json(&json!({
            "signed_out": deleted,
            "session_file": ctx.session_path.display().to_string(),
        }))
    } else if deleted {
        output::print(&format!("signed out: deleted {}", ctx.session_path.display()))
    } else {
        output::print("not signed in: there was no saved session")
    }
}

/// Shows who the token belongs to.
pub async fn whoami(ctx: &Ctx) -> Result<(), CliError> {
    let request = ctx.request(WhoAmIRequest {})?;
    let me = ctx.answer(ctx.identity().who_am_i(request)).await?;
    if ctx.json() {
        return output::print_json(&json!({
            "server": ctx.server,
            "principal": me.principal,
            "display_name": me.display_name,
            "username": me.username,
            "role_bindings": role_bindings_json(&me.role_bindings),
            "expire_time": json_time(me.expire_time.as_ref()),
        }));
    }
    let mut rows = vec![
        ("server", ctx.server.clone()),
        ("principal", me.principal.clone()),
        ("display name", me.display_name.clone()),
    ];
    if !me.username.is_empty() {
        rows.push(("username", me.username.clone()));
    }
    let labels = Labels::of(ctx, binding_units(&me.role_bindings)).await;
    rows.push(("roles", role_bindings_cell(&me.role_bindings, &labels)));
    rows.push(("token expires", local_cell(me.expire_time.as_ref())));
    output::print_table(&details_table(rows))?;
    if let Some(expiry) = me.expire_time.as_ref().and_then(to_utc) {
        let left = expiry - Utc::now();
        if left < chrono::Duration::minutes(10) {
            output::warn(&format!(
                "the token expires in {} min: run `eiso login` soon",
                left.num_minutes().max(0)
            ));
        }
    }
    Ok(())
}
