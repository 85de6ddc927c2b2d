//! `--setup`: the unit and the two users the benchmark runs as, created by an
//! administrator; and, without it, finding the unit the document controller
//! works in.

use anyhow::{Context as _, bail};
use eiso_proto::eiso::identity::v1::{CreateUserRequest, Role, RoleBinding, UnitKind, User, WhoAmIRequest};
use eiso_proto::tonic::Code;
use eiso_proto::tonic::transport::Channel;

use crate::session::{Session, call_error};

/// A user to create: sign-in name, password and role.
pub struct NewUser<'a> {
    pub username: &'a str,
    pub password: &'a str,
    pub role: Role,
}

/// Creates (or finds) the unit with code `unit_code` and creates `users` in it;
/// returns the unit's name. Users that already exist are left as they are.
pub async fn run(channel: &Channel, admin: &Session, unit_code: &str, users: &[NewUser<'_>]) -> anyhow::Result<String> {
    let mut identity = admin.identity(channel.clone());
    let (unit, _) = eiso_benchkit::unit(
        &mut identity,
        unit_code,
        "Tổ đo hiệu năng quản lý tài liệu",
        UnitKind::Office,
    )
    .await?;
    for user in users {
        let created = identity
            .create_user(CreateUserRequest {
                user: Some(User {
                    username: user.username.to_string(),
                    display_name: format!("Người đo hiệu năng {}", user.username),
                    role_bindings: vec![RoleBinding {
                        role: user.role as i32,
                        unit: unit.clone(),
                    }],
                    ..Default::default()
                }),
                password: user.password.to_string(),
                request_id: uuid::Uuid::new_v4().to_string(),
            })
            .await;
        match created {
            Ok(_) => eprintln!("eiso-docbench: created user {} ({:?})", user.username, user.role),
            Err(status) if status.code() == Code::AlreadyExists => {
                eprintln!("eiso-docbench: user {} already exists; kept", user.username)
            }
            Err(status) => return Err(call_error(&format!("cannot create user {}", user.username), &status)),
        }
    }
    Ok(unit)
}

/// The unit in which `controller` is a document controller.
pub async fn controller_unit(channel: &Channel, controller: &Session, username: &str) -> anyhow::Result<String> {
    let me = controller
        .identity(channel.clone())
        .who_am_i(WhoAmIRequest {})
        .await
        .map_err(|status| call_error("WhoAmI failed", &status))
        .context("cannot find the document controller's unit")?
        .into_inner();
    match me
        .role_bindings
        .iter()
        .find(|binding| binding.role == Role::DocumentController as i32)
    {
        Some(binding) => Ok(binding.unit.clone()),
        None => bail!("{username} is not a document controller (use --setup, or another --username)"),
    }
}
