//! Quản trị — người dùng: the people and their roles at their units; a new
//! account with its first role; a role added to or taken from a person; an
//! account locked or unlocked. The identity service decides where an
//! administrator may act (their unit and the units below it) and keeps one
//! administrator able to sign in.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use eiso_platform::ServiceError;
use eiso_proto::eiso::identity::v1::{self as pb, Role, user};
use eiso_proto::labels::{Label, ProtoEnum};
use http::HeaderMap;
use minijinja::{Value, context};
use serde::Deserialize;

use super::every_page::every_page;
use super::fields::Fields;
use super::methods::{CREATE_USER, LIST_USERS, UPDATE_USER};
use crate::Web;
use crate::error::PageError;
use crate::session::Session;

#[derive(Deserialize, Default)]
pub struct UsersQuery {
    #[serde(default)]
    da: String,
}

#[derive(Default)]
struct Typed {
    username: String,
    name: String,
    email: String,
    role: String,
    unit: String,
    request_id: String,
    problem: Option<String>,
}

fn done_message(done: &str) -> Option<&'static str> {
    Some(match done {
        "them" => "Đã tạo tài khoản.",
        "vai-tro" => "Đã thêm vai trò.",
        "bo-vai-tro" => "Đã bỏ vai trò.",
        "khoa" => "Đã khóa tài khoản.",
        "mo-khoa" => "Đã mở khóa tài khoản.",
        _ => return None,
    })
}

async fn render(web: &Web, session: &Session, typed: Typed, done: &str) -> Result<Html<String>, PageError> {
    session.context(LIST_USERS)?;
    let users = every_page(100, |page_token| {
        let request = pb::ListUsersRequest {
            page_size: 1000,
            page_token,
            order_by: "username".into(),
            ..Default::default()
        };
        async move {
            web.identity()
                .list_users(request)
                .await
                .map(|answer| (answer.users, answer.next_page_token))
        }
    })
    .await?;
    let units = super::admin_units::all_units(web, session).await?;
    let unit_names: HashMap<&str, &str> = units
        .iter()
        .map(|u| (u.name.as_str(), u.display_name.as_str()))
        .collect();
    let may_update = session.may(UPDATE_USER);
    let rows: Vec<Value> = users
        .iter()
        .map(|u| {
            let state = user::State::try_from(u.state).unwrap_or_default();
            let bindings: Vec<Value> = u
                .role_bindings
                .iter()
                .enumerate()
                .map(|(index, b)| {
                    context! {
                        index,
                        role => Role::try_from(b.role).unwrap_or_default().label_vi(),
                        unit => unit_names.get(b.unit.as_str()).copied().unwrap_or(b.unit.as_str()),
                    }
                })
                .collect();
            context! {
                id => u.name.trim_start_matches("users/"),
                username => u.username,
                name => u.display_name,
                email => u.email,
                state => state.label_vi(),
                state_key => state.short_name(),
                active => state == user::State::Active,
                etag => u.etag,
                bindings,
            }
        })
        .collect();
    let mut choices = Vec::new();
    if session.may(CREATE_USER) || may_update {
        for unit in session.covered_units(web, 500).await {
            let name = unit_names.get(unit.as_str()).copied().unwrap_or_default().to_string();
            choices.push(context! { selected => unit == typed.unit, value => unit, name });
        }
    }
    let roles: Vec<Value> = Role::values()
        .into_iter()
        .filter(|r| *r != Role::Unspecified)
        .map(|r| {
            let key = r.short_name();
            context! { selected => key == typed.role, key, label => r.label_vi() }
        })
        .collect();
    web.pages().render(
        "admin_users.html",
        context! {
            frame => session.frame(),
            title => "Người dùng",
            rows,
            may_create => session.may(CREATE_USER),
            may_update,
            units => choices,
            roles,
            username => typed.username,
            name => typed.name,
            email => typed.email,
            request_id => super::fields::request_id_or_new(typed.request_id),
            problem => typed.problem,
            done => done_message(done),
        },
    )
}

pub async fn page(
    State(web): State<Web>,
    session: Session,
    Query(query): Query<UsersQuery>,
) -> Result<Html<String>, PageError> {
    render(&web, &session, Typed::default(), &query.da).await
}

/// What a refused change to a person says.
fn problem_of(error: ServiceError, typed: &Typed) -> Result<String, PageError> {
    Ok(match error {
        ServiceError::InvalidArgument(violations) => super::fields::say_violations(&violations, |field| {
            Some(match field {
                "user.username" => "Tên đăng nhập: chữ thường, chữ số, dấu chấm, gạch dưới hoặc gạch ngang.",
                "user.display_name" => "Nhập họ và tên.",
                "user.email" => "Địa chỉ email không hợp lệ.",
                "password" => "Mật khẩu ít nhất 10 ký tự.",
                f if f.starts_with("user.role_bindings") => "Chọn vai trò và đơn vị.",
                _ => return None,
            })
        }),
        ServiceError::AlreadyExists(_) => format!("Đã có người dùng “{}”.", typed.username),
        ServiceError::PermissionDenied(_) | ServiceError::NotFound(_) => {
            "Bạn không quản trị người dùng hay đơn vị này.".to_string()
        }
        ServiceError::FailedPrecondition { description, .. } => format!("Không thực hiện được: {description}"),
        ServiceError::Aborted(_) => "Tài khoản vừa được người khác thay đổi: xem lại rồi làm lại.".to_string(),
        other => return Err(other.into()),
    })
}

async fn refused(web: &Web, session: &Session, typed: Typed) -> Result<Response, PageError> {
    let page = render(web, session, typed, "").await?;
    Ok((http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// A new account with its first role at a unit.
pub async fn create(
    State(web): State<Web>,
    session: Session,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let fields = Fields(form);
    let ctx = fields.create_context(&web, &headers, &session, CREATE_USER).await?;
    let mut typed = Typed {
        username: fields.get("ten_dang_nhap").to_string(),
        name: fields.get("ho_ten").to_string(),
        email: fields.get("email").to_string(),
        role: fields.get("vai_tro").to_string(),
        unit: fields.get("don_vi").to_string(),
        request_id: ctx.request_id.clone(),
        problem: None,
    };
    let result = web
        .identity()
        .create_user(
            &ctx,
            pb::CreateUserRequest {
                user: Some(pb::User {
                    username: typed.username.clone(),
                    display_name: typed.name.clone(),
                    email: typed.email.clone(),
                    role_bindings: vec![pb::RoleBinding {
                        role: Role::from_short_name(&typed.role).map_or(-1, |r| r as i32),
                        unit: typed.unit.clone(),
                    }],
                    ..Default::default()
                }),
                password: fields.raw("mat_khau").to_string(),
                request_id: ctx.request_id.clone(),
            },
        )
        .await;
    match web.audited(&session, CREATE_USER, result).await {
        Ok(_) => Ok(Redirect::to("/quan-tri/nguoi-dung?da=them").into_response()),
        Err(error) => {
            typed.problem = Some(problem_of(error, &typed)?);
            refused(&web, &session, typed).await
        }
    }
}

/// A change to a person (`/quan-tri/nguoi-dung/{id}/{action}`): a role added
/// (`vai-tro`) or taken (`bo-vai-tro`, field `so`), locked or unlocked.
pub async fn change(
    State(web): State<Web>,
    session: Session,
    headers: HeaderMap,
    Path((id, action)): Path<(String, String)>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    if !super::fields::valid_id(&id) || done_message(&action).is_none() || action == "them" {
        return Err(PageError::NotFound);
    }
    let fields = Fields::checked(form, &headers)?;
    let ctx = web.write_context(&session, UPDATE_USER).await?;
    let name = format!("users/{id}");
    let current = web.identity().get_user(&name).await?;
    let mut changed = pb::User {
        name: name.clone(),
        ..Default::default()
    };
    let path = match action.as_str() {
        "vai-tro" => {
            let mut bindings = current.role_bindings.clone();
            bindings.push(pb::RoleBinding {
                role: Role::from_short_name(fields.get("vai_tro")).map_or(-1, |r| r as i32),
                unit: fields.get("don_vi").to_string(),
            });
            changed.role_bindings = bindings;
            "role_bindings"
        }
        "bo-vai-tro" => {
            let index: usize = fields.get("so").parse().map_err(|_| PageError::NotFound)?;
            if index >= current.role_bindings.len() {
                return Err(PageError::NotFound);
            }
            let mut bindings = current.role_bindings.clone();
            bindings.remove(index);
            changed.role_bindings = bindings;
            "role_bindings"
        }
        _ => {
            changed.state = if action == "khoa" {
                user::State::Disabled
            } else {
                user::State::Active
            } as i32;
            "state"
        }
    };
    let result = web
        .identity()
        .update_user(
            &ctx,
            pb::UpdateUserRequest {
                user: Some(changed),
                update_mask: Some(eiso_proto::prost_types::FieldMask {
                    paths: vec![path.into()],
                }),
                etag: fields.get("etag").to_string(),
            },
        )
        .await;
    match web.audited(&session, UPDATE_USER, result).await {
        Ok(_) => Ok(Redirect::to(&format!("/quan-tri/nguoi-dung?da={action}#u-{id}")).into_response()),
        Err(error) => {
            let typed = Typed {
                problem: Some(format!(
                    "{}: {}",
                    current.display_name,
                    problem_of(error, &Typed::default())?
                )),
                ..Default::default()
            };
            refused(&web, &session, typed).await
        }
    }
}
