//! Quản trị — hệ thống kết nối: the other systems that call eiso's API (the
//! province's one-stop system, the reporting portal), each with its roles;
//! a new one registered, its secret shown once; one revoked with a reason.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use eiso_platform::ServiceError;
use eiso_proto::eiso::identity::v1::{self as pb, Role};
use eiso_proto::labels::{Label, ProtoEnum};
use http::HeaderMap;
use minijinja::{Value, context};
use serde::Deserialize;

use super::fields::Fields;
use super::methods::{CREATE_API_CLIENT, LIST_API_CLIENTS, REVOKE_API_CLIENT};
use crate::error::PageError;
use crate::names::Names;
use crate::session::Session;
use crate::{Web, format};

#[derive(Deserialize, Default)]
pub struct ClientsQuery {
    #[serde(default)]
    da: String,
}

/// What the page shows besides the list: a secret just made, a refusal.
#[derive(Default)]
struct Outcome {
    created: Option<(String, String, String)>,
    problem: Option<String>,
    done: bool,
}

async fn render(web: &Web, session: &Session, outcome: Outcome) -> Result<Html<String>, PageError> {
    let answer = web
        .identity()
        .list_api_clients(
            &session.context(LIST_API_CLIENTS)?,
            pb::ListApiClientsRequest {
                page_size: 1000,
                ..Default::default()
            },
        )
        .await?;
    let mut names = Names::new(web);
    let mut rows = Vec::new();
    for c in &answer.api_clients {
        let mut roles = Vec::new();
        for b in &c.role_bindings {
            roles.push(format!(
                "{} – {}",
                Role::try_from(b.role).unwrap_or_default().label_vi(),
                names.unit(&b.unit).await
            ));
        }
        rows.push(context! {
            id => c.name.trim_start_matches("clients/"),
            name => c.display_name,
            roles,
            revoked => c.revoked,
            created => format::timestamp(c.create_time.as_ref()),
            revoked_at => format::timestamp(c.revoke_time.as_ref()),
        });
    }
    let mut units = Vec::new();
    for unit in session.covered_units(web, 500).await {
        let name = names.unit(&unit).await;
        units.push(context! { value => unit, name });
    }
    let roles: Vec<Value> = Role::values()
        .into_iter()
        .filter(|r| !matches!(r, Role::Unspecified | Role::Admin))
        .map(|r| context! { key => r.short_name(), label => r.label_vi() })
        .collect();
    web.pages().render(
        "admin_clients.html",
        context! {
            frame => session.frame(),
            title => "Hệ thống kết nối",
            rows,
            units,
            roles,
            may_create => session.may(CREATE_API_CLIENT),
            created => outcome.created.map(|(name, id, secret)| context! { name, id, secret }),
            problem => outcome.problem,
            done => outcome.done.then_some("Đã thu hồi quyền kết nối."),
            request_id => uuid::Uuid::new_v4().to_string(),
        },
    )
}

pub async fn page(
    State(web): State<Web>,
    session: Session,
    Query(query): Query<ClientsQuery>,
) -> Result<Html<String>, PageError> {
    let outcome = Outcome {
        done: query.da == "thu-hoi",
        ..Default::default()
    };
    render(&web, &session, outcome).await
}

/// A new system: its credentials shown on this answer only.
pub async fn create(
    State(web): State<Web>,
    session: Session,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let fields = Fields(form);
    let ctx = fields
        .create_context(&web, &headers, &session, CREATE_API_CLIENT)
        .await?;
    let result = web
        .identity()
        .create_api_client(
            &ctx,
            pb::CreateApiClientRequest {
                api_client: Some(pb::ApiClient {
                    display_name: fields.get("ten").to_string(),
                    role_bindings: vec![pb::RoleBinding {
                        role: Role::from_short_name(fields.get("vai_tro")).map_or(-1, |r| r as i32),
                        unit: fields.get("don_vi").to_string(),
                    }],
                    ..Default::default()
                }),
                request_id: ctx.request_id.clone(),
            },
        )
        .await;
    let outcome = match web.audited(&session, CREATE_API_CLIENT, result).await {
        Ok(made) => {
            let name = made.api_client.map(|c| c.display_name).unwrap_or_default();
            let page = render(
                &web,
                &session,
                Outcome {
                    created: Some((name, made.client_id, made.client_secret)),
                    ..Default::default()
                },
            )
            .await?;
            // The secret is on this page only: never kept by a cache.
            let mut response = page.into_response();
            response
                .headers_mut()
                .insert(http::header::CACHE_CONTROL, http::HeaderValue::from_static("no-store"));
            return Ok(response);
        }
        Err(ServiceError::InvalidArgument(violations)) => Outcome {
            problem: Some(super::fields::say_violations(&violations, |field| match field {
                "api_client.display_name" => Some("Nhập tên hệ thống."),
                f if f.starts_with("api_client.role_bindings") => Some("Chọn vai trò và đơn vị."),
                _ => None,
            })),
            ..Default::default()
        },
        Err(ServiceError::PermissionDenied(_) | ServiceError::NotFound(_)) => Outcome {
            problem: Some("Bạn không quản trị đơn vị này.".into()),
            ..Default::default()
        },
        Err(other) => return Err(other.into()),
    };
    let page = render(&web, &session, outcome).await?;
    Ok((http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// A system's access revoked, with the reason.
pub async fn revoke(
    State(web): State<Web>,
    session: Session,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    super::fields::check_id(&id)?;
    let fields = Fields::checked(form, &headers)?;
    let ctx = web.write_context(&session, REVOKE_API_CLIENT).await?;
    // The trail keeps why a system lost its access: the page asks for it.
    let result = if fields.get("ly_do").is_empty() {
        Err(ServiceError::invalid("reason", "say why the access is revoked"))
    } else {
        web.identity()
            .revoke_api_client(
                &ctx,
                pb::RevokeApiClientRequest {
                    name: format!("clients/{id}"),
                    reason: fields.get("ly_do").to_string(),
                },
            )
            .await
    };
    let problem = match web.audited(&session, REVOKE_API_CLIENT, result).await {
        Ok(_) => return Ok(Redirect::to("/quan-tri/ket-noi?da=thu-hoi").into_response()),
        Err(ServiceError::InvalidArgument(_)) => "Nhập lý do thu hồi.".to_string(),
        Err(ServiceError::FailedPrecondition { .. }) => "Hệ thống này đã bị thu hồi.".to_string(),
        Err(ServiceError::PermissionDenied(_)) => "Bạn không quản trị hệ thống này.".to_string(),
        Err(other) => return Err(other.into()),
    };
    let page = render(
        &web,
        &session,
        Outcome {
            problem: Some(problem),
            ..Default::default()
        },
    )
    .await?;
    Ok((http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}
