//! Quản trị — đồng bộ Cổng Dịch vụ công quốc gia: how the dossiers' sync
//! with the national portal stands (for a reader at a root unit: the portal,
//! the dossiers by state and the lag), the dossiers by state within the
//! person's units, and a parked dossier sent again by an administrator. The
//! dossier's own page shows its line of it ([`dossier_line`]).

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{Html, Response};
use eiso_platform::ServiceError;
use eiso_proto::eiso::sync::v1::{self as pb, dossier_sync::State as SyncState};
use eiso_proto::labels::{Label, ProtoEnum};
use http::HeaderMap;
use minijinja::{Value, context};

use super::fields::Fields;
use super::methods::{GET_DOSSIER_SYNC, GET_SYNC_STATUS, LIST_DOSSIER_SYNCS, RESEND_DOSSIER_SYNC};
use super::outward::{self, ListPage, ListQuery};
use crate::error::PageError;
use crate::names::Names;
use crate::session::Session;
use crate::{Web, format};

/// The page's address.
const PAGE: &str = "/quan-tri/dong-bo";

/// The lists, by their address (`?loai=`): the parked dossiers first, as the
/// page opens, since they wait for someone.
const LISTS: ListPage<SyncState> = ListPage {
    page: PAGE,
    template: "admin_sync.html",
    title: "Đồng bộ Cổng Dịch vụ công quốc gia",
    method: LIST_DOSSIER_SYNCS,
    tabs: &[
        ("bi-dung", SyncState::Parked),
        ("dang-loi", SyncState::Failing),
        ("cho-gui", SyncState::Pending),
        ("da-dong-bo", SyncState::Synced),
    ],
    resent: "Đã đưa hồ sơ vào hàng chờ gửi lại: hồ sơ được gửi lên Cổng ở lượt gửi tới.",
};

/// The sync as a whole, for a reader at a root unit (`None` for the others:
/// the office's figures span every unit).
async fn status(web: &Web, session: &Session, sync: &eiso_sync::service::Sync) -> Result<Option<Value>, PageError> {
    let ctx = session.context(GET_SYNC_STATUS)?;
    let status = match sync.get_sync_status(&ctx, pb::GetSyncStatusRequest {}).await {
        Ok(status) => status,
        Err(ServiceError::PermissionDenied(_)) => return Ok(None),
        Err(other) => return Err(other.into()),
    };
    let oldest = format::instant(status.oldest_pending_time.as_ref());
    Ok(Some(context! {
        portal_url => status.portal_url,
        pending => status.pending_dossiers,
        synced => status.synced_dossiers,
        parked => status.parked_dossiers,
        oldest => oldest.map(format::datetime),
        lag => oldest.map(|t| format::elapsed(web.clock().now() - t)),
    }))
}

async fn render(
    web: &Web,
    session: &Session,
    query: &ListQuery,
    problem: Option<&str>,
) -> Result<Html<String>, PageError> {
    let ctx = session.context(LIST_DOSSIER_SYNCS)?;
    let listing = LISTS.listing(query)?;
    let Some(sync) = web.sync() else {
        return LISTS.not_configured(web, session);
    };
    let answer = sync
        .list_dossier_syncs(
            &ctx,
            pb::ListDossierSyncsRequest {
                page_size: outward::PAGE_SIZE,
                page_token: listing.page_token.clone(),
                filter: listing.filter.clone(),
            },
        )
        .await?;
    // "Gửi lại" where the person's administrator role covers the dossier's
    // unit (the service checks it again).
    let resend_scope = outward::scope(web, session, RESEND_DOSSIER_SYNC).await?;
    let mut names = Names::new(web);
    let mut rows = Vec::new();
    let mut resend_column = false;
    for s in &answer.dossier_syncs {
        let parked = s.state == SyncState::Parked as i32;
        let resend = parked && resend_scope.as_ref().is_some_and(|scope| scope.covers(&s.agency));
        resend_column |= resend;
        rows.push(context! {
            id => s.dossier.trim_start_matches("dossiers/"),
            code => s.code,
            agency => names.unit(&s.agency).await,
            attempts => s.attempts,
            last_error => s.last_error,
            last_attempt => format::timestamp(s.last_attempt_time.as_ref()),
            next_attempt => format::timestamp(s.next_attempt_time.as_ref()),
            pending_since => format::timestamp(s.pending_since_time.as_ref()),
            resend,
        });
    }
    let state = listing.state;
    web.pages().render(
        LISTS.template,
        context! {
            status => status(web, session, sync).await?,
            rows,
            // The columns that say something in this list.
            errors_column => matches!(state, SyncState::Parked | SyncState::Failing),
            next_column => matches!(state, SyncState::Failing | SyncState::Pending),
            resend_column,
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

/// A parked dossier sent again: the same call as `eiso sync resend`,
/// authorised and audited as it is.
pub async fn resend(
    State(web): State<Web>,
    session: Session,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let request = pb::ResendDossierSyncRequest {
        name: format!("dossiers/{id}/sync"),
    };
    let sync = web.sync();
    outward::resend(
        &web,
        &session,
        &headers,
        &Fields(form),
        outward::Resend {
            method: RESEND_DOSSIER_SYNC,
            id: &id,
            done: format!("{PAGE}?da=gui-lai"),
            not_parked: "Hồ sơ này không còn bị dừng: hệ thống đang tự gửi hồ sơ lên Cổng.",
        },
        |ctx| async move { Some(sync?.resend_dossier_sync(&ctx, request).await) },
        |problem| async { render(&web, &session, &ListQuery::default(), Some(problem)).await },
    )
    .await
}

/// The dossier page's line of its sync with the portal, for a person who
/// may read it; `None` without a portal, or when the sync has not taken the
/// dossier in (yet).
pub async fn dossier_line(web: &Web, session: &Session, dossier: &str) -> Option<Value> {
    let sync = web.sync()?;
    let ctx = session.context(GET_DOSSIER_SYNC).ok()?;
    let name = format!("{dossier}/sync");
    let s = match sync.get_dossier_sync(&ctx, pb::GetDossierSyncRequest { name }).await {
        Ok(s) => s,
        Err(ServiceError::NotFound(_) | ServiceError::PermissionDenied(_)) => return None,
        Err(error) => {
            // The dossier's page stands without it.
            tracing::warn!(dossier, %error, "cannot read the dossier's sync with the portal");
            return None;
        }
    };
    let state = SyncState::try_from(s.state).unwrap_or_default();
    Some(context! {
        state => state.label_vi(),
        state_key => state.short_name(),
        synced_sequence => s.synced_sequence,
        attempts => s.attempts,
        last_error => s.last_error,
        last_attempt => format::timestamp(s.last_attempt_time.as_ref()),
        next_attempt => format::timestamp(s.next_attempt_time.as_ref()),
        pending_since => format::timestamp(s.pending_since_time.as_ref()),
        href => LISTS.href(s.state),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_opens_on_the_parked_dossiers() {
        assert_eq!(LISTS.find("").ok().map(|(_, s)| s), Some(SyncState::Parked));
        assert_eq!(LISTS.href(SyncState::Parked as i32), "/quan-tri/dong-bo");
        assert_eq!(
            LISTS.href(SyncState::Synced as i32),
            "/quan-tri/dong-bo?loai=da-dong-bo"
        );
    }
}
