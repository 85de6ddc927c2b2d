//! Quản trị — đơn vị: the organisation's units as a tree (each with its
//! code, kind and state, merged and dissolved ones marked with what they
//! became), and a new unit added under one the administrator manages. The
//! identity service decides where an administrator may add (their unit and
//! the units below it).

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use eiso_platform::ServiceError;
use eiso_proto::eiso::identity::v1::{self as pb, UnitKind, unit};
use eiso_proto::labels::{Label, ProtoEnum};
use http::HeaderMap;
use minijinja::{Value, context};
use serde::Deserialize;

use super::every_page::every_page;
use super::fields::Fields;
use super::methods::{CREATE_UNIT, LIST_UNITS};
use crate::Web;
use crate::error::PageError;
use crate::session::Session;

/// Every unit, by pages of a thousand.
pub async fn all_units(web: &Web, session: &Session) -> Result<Vec<pb::Unit>, PageError> {
    session.context(LIST_UNITS)?;
    every_page(100, |page_token| {
        let request = pb::ListUnitsRequest {
            page_size: 1000,
            page_token,
            ..Default::default()
        };
        async move {
            web.identity()
                .list_units(request)
                .await
                .map(|answer| (answer.units, answer.next_page_token))
        }
    })
    .await
}

/// The units in tree order (each after its parent), with their depth.
fn tree(units: &[pb::Unit]) -> Vec<(usize, &pb::Unit)> {
    let mut children: HashMap<&str, Vec<&pb::Unit>> = HashMap::new();
    let known: Vec<&str> = units.iter().map(|u| u.name.as_str()).collect();
    let mut roots = Vec::new();
    for u in units {
        if u.parent.is_empty() || !known.contains(&u.parent.as_str()) {
            roots.push(u);
        } else {
            children.entry(u.parent.as_str()).or_default().push(u);
        }
    }
    let by_name = |a: &&pb::Unit, b: &&pb::Unit| a.display_name.cmp(&b.display_name);
    roots.sort_by(by_name);
    for list in children.values_mut() {
        list.sort_by(by_name);
    }
    let mut out = Vec::new();
    let mut stack: Vec<(usize, &pb::Unit)> = roots.into_iter().rev().map(|u| (0, u)).collect();
    while let Some((depth, u)) = stack.pop() {
        out.push((depth, u));
        if let Some(list) = children.get(u.name.as_str()) {
            stack.extend(list.iter().rev().map(|c| (depth + 1, *c)));
        }
    }
    out
}

#[derive(Deserialize, Default)]
pub struct UnitsQuery {
    #[serde(default)]
    da: String,
}

#[derive(Default)]
struct Typed {
    code: String,
    name: String,
    kind: String,
    parent: String,
    request_id: String,
    problem: Option<String>,
}

async fn render(web: &Web, session: &Session, typed: Typed, done: bool) -> Result<Html<String>, PageError> {
    let units = all_units(web, session).await?;
    let names: HashMap<&str, &str> = units
        .iter()
        .map(|u| (u.name.as_str(), u.display_name.as_str()))
        .collect();
    let rows: Vec<Value> = tree(&units)
        .into_iter()
        .map(|(depth, u)| {
            let state = unit::State::try_from(u.state).unwrap_or_default();
            context! {
                depth => depth.min(6),
                id => u.name.trim_start_matches("units/"),
                code => u.code,
                name => u.display_name,
                kind => UnitKind::try_from(u.kind).unwrap_or_default().label_vi(),
                state => state.label_vi(),
                state_key => state.short_name(),
                successor => names.get(u.successor.as_str()).copied().unwrap_or_default(),
                former => u.former_names.iter().map(|f| f.display_name.clone()).collect::<Vec<_>>().join("; "),
            }
        })
        .collect();
    let may_create = session.may(CREATE_UNIT);
    let mut parents = Vec::new();
    if may_create {
        for unit in session.covered_units(web, 500).await {
            let name = names.get(unit.as_str()).copied().unwrap_or_default().to_string();
            parents.push(context! { selected => unit == typed.parent, value => unit, name });
        }
    }
    let kinds: Vec<Value> = UnitKind::values()
        .into_iter()
        .filter(|k| *k != UnitKind::Unspecified)
        .map(|k| {
            let key = k.short_name();
            context! { selected => key == typed.kind, key, label => k.label_vi() }
        })
        .collect();
    web.pages().render(
        "admin_units.html",
        context! {
            frame => session.frame(),
            title => "Đơn vị",
            rows,
            may_create,
            parents,
            kinds,
            code => typed.code,
            heading => typed.name,
            request_id => super::fields::request_id_or_new(typed.request_id),
            problem => typed.problem,
            done => done.then_some("Đã thêm đơn vị."),
        },
    )
}

pub async fn page(
    State(web): State<Web>,
    session: Session,
    Query(query): Query<UnitsQuery>,
) -> Result<Html<String>, PageError> {
    render(&web, &session, Typed::default(), query.da == "them").await
}

/// A new unit under one the administrator manages.
pub async fn create(
    State(web): State<Web>,
    session: Session,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let fields = Fields(form);
    let ctx = fields.create_context(&web, &headers, &session, CREATE_UNIT).await?;
    let mut typed = Typed {
        code: fields.get("ma").to_string(),
        name: fields.get("ten").to_string(),
        kind: fields.get("loai").to_string(),
        parent: fields.get("cap_tren").to_string(),
        request_id: ctx.request_id.clone(),
        problem: None,
    };
    let result = web
        .identity()
        .create_unit(
            &ctx,
            pb::CreateUnitRequest {
                unit: Some(pb::Unit {
                    code: typed.code.clone(),
                    display_name: typed.name.clone(),
                    kind: UnitKind::from_short_name(&typed.kind).map_or(-1, |k| k as i32),
                    parent: typed.parent.clone(),
                    ..Default::default()
                }),
                request_id: ctx.request_id.clone(),
            },
        )
        .await;
    typed.problem = Some(match web.audited(&session, CREATE_UNIT, result).await {
        Ok(_) => return Ok(Redirect::to("/quan-tri/don-vi?da=them").into_response()),
        Err(ServiceError::InvalidArgument(violations)) => {
            super::fields::say_violations(&violations, |field| match field {
                "unit.code" => Some("Mã đơn vị: chữ cái, chữ số và dấu gạch ngang, ví dụ 31-HAIAN-GDDT."),
                "unit.display_name" => Some("Nhập tên đơn vị."),
                "unit.kind" => Some("Chọn loại đơn vị."),
                "unit.parent" => Some("Chọn đơn vị cấp trên."),
                _ => None,
            })
        }
        Err(ServiceError::AlreadyExists(_)) => format!("Đã có đơn vị mã {}.", typed.code),
        Err(ServiceError::PermissionDenied(_) | ServiceError::NotFound(_)) => {
            "Bạn không quản trị đơn vị cấp trên này.".to_string()
        }
        Err(other) => return Err(other.into()),
    });
    let page = render(&web, &session, typed, false).await?;
    Ok((http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(name: &str, display: &str, parent: &str) -> pb::Unit {
        pb::Unit {
            name: name.into(),
            display_name: display.into(),
            parent: parent.into(),
            ..Default::default()
        }
    }

    #[test]
    fn each_unit_follows_its_parent_and_siblings_go_by_name() {
        let units = [
            unit("units/c", "Trường B", "units/a"),
            unit("units/a", "Phòng GD", "units/r"),
            unit("units/r", "UBND", ""),
            unit("units/b", "Trường A", "units/a"),
            unit("units/d", "Tổ", "units/c"),
        ];
        let order: Vec<(usize, &str)> = tree(&units)
            .into_iter()
            .map(|(d, u)| (d, u.display_name.as_str()))
            .collect();
        assert_eq!(
            order,
            [
                (0, "UBND"),
                (1, "Phòng GD"),
                (2, "Trường A"),
                (2, "Trường B"),
                (3, "Tổ")
            ]
        );
    }
}
