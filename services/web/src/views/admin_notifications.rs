//! Quản trị — thông báo cho người nộp hồ sơ: the e-mails and SMS that tell
//! applicants where their dossier stands, by state within the person's
//! units, parked first; a dossier's parked ones sent again by an
//! administrator. The dossier's own page lists its notifications
//! ([`dossier_section`]).

use std::collections::HashSet;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{Html, Response};
use eiso_proto::eiso::notify::v1::{self as pb, notification};
use eiso_proto::labels::{Label, ProtoEnum};
use http::HeaderMap;
use minijinja::{Value, context};

use super::fields::Fields;
use super::methods::{GET_DOSSIER, LIST_NOTIFICATIONS, RESEND_NOTIFICATIONS};
use super::outward::{self, ListPage, ListQuery};
use crate::error::PageError;
use crate::names::Names;
use crate::session::Session;
use crate::{Web, format};

/// The page's address.
const PAGE: &str = "/quan-tri/thong-bao";

/// The lists, by their address (`?loai=`): the parked notifications first,
/// as the page opens, since they wait for someone.
const LISTS: ListPage<notification::State> = ListPage {
    page: PAGE,
    template: "admin_notifications.html",
    title: "Thông báo cho người nộp hồ sơ",
    method: LIST_NOTIFICATIONS,
    resent: "Đã đưa các thông báo bị dừng của hồ sơ vào hàng chờ gửi lại: thông báo được gửi ở lượt gửi tới.",
    tabs: &[
        ("bi-dung", notification::State::Parked),
        ("dang-loi", notification::State::Failing),
        ("cho-gui", notification::State::Pending),
        ("da-gui", notification::State::Sent),
    ],
};

/// What the dossier's page says when its parked notifications were sent
/// again (`?da=`).
pub const RESENT: (&str, &str) = ("gui-lai-thong-bao", "Gửi lại thông báo cho người nộp hồ sơ");

/// What a notification tells, how, and to whom, as both pages show it.
fn message(n: &pb::Notification) -> Value {
    let state = notification::State::of(n.state).unwrap_or_default();
    context! {
        id => n.dossier.trim_start_matches("dossiers/"),
        kind => notification::Kind::label_vi_of(n.kind).unwrap_or(""),
        channel => notification::Channel::label_vi_of(n.channel).unwrap_or(""),
        recipient => n.recipient,
        state => state.label_vi(),
        state_key => state.short_name(),
        attempts => n.attempts,
        last_error => n.last_error,
        last_attempt => format::timestamp(n.last_attempt_time.as_ref()),
        next_attempt => format::timestamp(n.next_attempt_time.as_ref()),
        created => format::timestamp(n.create_time.as_ref()),
        sent => format::timestamp(n.send_time.as_ref()),
    }
}

async fn render(
    web: &Web,
    session: &Session,
    query: &ListQuery,
    problem: Option<&str>,
) -> Result<Html<String>, PageError> {
    let ctx = session.context(LIST_NOTIFICATIONS)?;
    let listing = LISTS.listing(query)?;
    let Some(notifications) = web.notifications() else {
        return LISTS.not_configured(web, session);
    };
    let answer = notifications
        .list_notifications(
            &ctx,
            pb::ListNotificationsRequest {
                page_size: outward::PAGE_SIZE,
                page_token: listing.page_token.clone(),
                filter: listing.filter.clone(),
            },
        )
        .await?;
    // "Gửi lại" where the person's administrator role covers the dossier's
    // unit, once a dossier (the service sends all its parked ones).
    let resend_scope = outward::scope(web, session, RESEND_NOTIFICATIONS).await?;
    let mut offered = HashSet::new();
    // The dossiers' codes, as the person may read them.
    let dossiers = session.context(GET_DOSSIER)?;
    let mut names = Names::new(web);
    let mut rows = Vec::new();
    for n in &answer.notifications {
        let parked = n.state == notification::State::Parked as i32;
        let resend = parked
            && resend_scope.as_ref().is_some_and(|scope| scope.covers(&n.agency))
            && offered.insert(n.dossier.clone());
        rows.push(context! {
            code => names.dossier(&dossiers, &n.dossier).await,
            agency => names.unit(&n.agency).await,
            resend,
            ..message(n)
        });
    }
    let state = listing.state;
    web.pages().render(
        LISTS.template,
        context! {
            rows,
            // The columns that say something in this list.
            errors_column => matches!(state, notification::State::Parked | notification::State::Failing),
            next_column => matches!(state, notification::State::Failing | notification::State::Pending),
            sent_column => state == notification::State::Sent,
            resend_column => !offered.is_empty(),
            ..LISTS.context(web, session, &mut names, &listing, &answer.next_page_token, problem).await
        },
    )
}

pub async fn page(
    State(web): State<Web>,
    session: Session,
    Query(query): Query<ListQuery>,
) -> Result<Html<String>, PageError> {
    render(&web, &session, &query, None).await
}

/// A dossier's parked notifications sent again: the same call as `eiso
/// notifications resend`, authorised and audited as it is. From the
/// dossier's page (`ve=ho-so`) back to it, else to the list.
pub async fn resend(
    State(web): State<Web>,
    session: Session,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let form = Fields(form);
    let done = if form.get("ve") == "ho-so" {
        format!("/ho-so/{id}?da={}", RESENT.0)
    } else {
        format!("{PAGE}?da=gui-lai")
    };
    let request = pb::ResendNotificationsRequest {
        dossier: format!("dossiers/{id}"),
    };
    let notifications = web.notifications();
    outward::resend(
        &web,
        &session,
        &headers,
        &form,
        outward::Resend {
            method: RESEND_NOTIFICATIONS,
            id: &id,
            done,
            not_parked: "Hồ sơ này không còn thông báo nào bị dừng: hệ thống đang tự gửi các thông báo.",
        },
        |ctx| async move { Some(notifications?.resend_notifications(&ctx, request).await) },
        |problem| async { render(&web, &session, &ListQuery::default(), Some(problem)).await },
    )
    .await
}

/// The dossier page's section of its notifications, for a person whose
/// roles read them at the dossier's unit; `None` without a channel
/// configured, or for others. With "Gửi lại" when one is parked and the
/// person administers the unit.
pub async fn dossier_section(web: &Web, session: &Session, dossier: &str, agency: &str) -> Option<Value> {
    let notifications = web.notifications()?;
    let ctx = session.context(LIST_NOTIFICATIONS).ok()?;
    let covered = |method| async move {
        matches!(outward::scope(web, session, method).await, Ok(Some(scope)) if scope.covers(agency))
    };
    if !covered(LIST_NOTIFICATIONS).await {
        return None;
    }
    let request = pb::ListNotificationsRequest {
        page_size: 100,
        filter: format!("dossier = \"{dossier}\""),
        ..Default::default()
    };
    let listed = match notifications.list_notifications(&ctx, request).await {
        Ok(listed) => listed.notifications,
        Err(error) => {
            // The dossier's page stands without it.
            tracing::warn!(dossier, %error, "cannot read the dossier's notifications");
            return None;
        }
    };
    let parked = listed.iter().any(|n| n.state == notification::State::Parked as i32);
    Some(context! {
        rows => listed.iter().map(message).collect::<Vec<_>>(),
        resend => parked && covered(RESEND_NOTIFICATIONS).await,
        href => LISTS.href(if parked { notification::State::Parked as i32 } else { notification::State::Sent as i32 }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_opens_on_the_parked_notifications() {
        assert_eq!(LISTS.find("").ok().map(|(_, s)| s), Some(notification::State::Parked));
        assert_eq!(
            LISTS.href(notification::State::Sent as i32),
            "/quan-tri/thong-bao?loai=da-gui"
        );
    }
}
