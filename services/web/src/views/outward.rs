//! What the pages of the outward deliveries share, the national portal's
//! sync (`/quan-tri/dong-bo`) and the notifications to applicants
//! (`/quan-tri/thong-bao`): lists by state that open on the parked items
//! (they wait for someone), filtered by a unit among those the person's
//! reading roles cover, with "Gửi lại" where an administrator's role covers
//! an item's unit (the service checks it again), and the resend itself.

use axum::response::{Html, IntoResponse, Redirect, Response};
use eiso_platform::scope::Scope;
use eiso_platform::{CallContext, ServiceError, ServiceResult, policy};
use eiso_proto::labels::{Label, ProtoEnum};
use http::HeaderMap;
use minijinja::{Value, context};
use serde::Deserialize;

use super::fields::{Fields, check_id, is_unit_name, unit_choices};
use crate::error::PageError;
use crate::names::Names;
use crate::session::Session;
use crate::{Web, format};

/// Items on a list's page.
pub const PAGE_SIZE: i32 = 50;

/// A list page's address: `?loai=` (the tab), `don_vi=`, `trang=`, `da=`.
#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    pub loai: String,
    /// Unit (`units/{id}`).
    #[serde(default)]
    pub don_vi: String,
    /// The page token.
    #[serde(default)]
    pub trang: String,
    /// What was just done (`gui-lai`).
    #[serde(default)]
    pub da: String,
}

/// A delivery's list page: where it is, what reads its lists, and the
/// lists by state (`?loai=`), the first the one it opens on.
pub struct ListPage<S: 'static> {
    /// The page's address.
    pub page: &'static str,
    pub template: &'static str,
    pub title: &'static str,
    /// The method that reads the lists: the unit filter offers the units
    /// its roles cover.
    pub method: &'static str,
    pub tabs: &'static [(&'static str, S)],
    /// What the page says once a resend is done (`?da=gui-lai`).
    pub resent: &'static str,
}

/// The list an address asks for.
pub struct Listing<S> {
    pub key: &'static str,
    pub state: S,
    /// The unit chosen, empty for all.
    pub unit: String,
    /// The API's filter of both.
    pub filter: String,
    pub page_token: String,
    /// The address's query without the page (`loai`, `don_vi`), encoded.
    query: String,
    /// Whether a resend was just done.
    resent: bool,
}

impl<S: ProtoEnum + Label + PartialEq> ListPage<S> {
    /// The tab of the address's `loai`, the first when it is empty.
    pub fn find(&self, key: &str) -> Result<(&'static str, S), PageError> {
        let found = if key.is_empty() {
            self.tabs.first()
        } else {
            self.tabs.iter().find(|(k, _)| *k == key)
        };
        found
            .copied()
            .ok_or_else(|| PageError::BadRequest("Không có danh sách này.".into()))
    }

    /// The list's address for a state (the API's number).
    pub fn href(&self, state: i32) -> String {
        match self.tabs.iter().position(|(_, s)| (*s).into() == state) {
            Some(i) if i > 0 => format!("{}?loai={}", self.page, self.tabs[i].0),
            _ => self.page.to_string(),
        }
    }

    /// The list `query` asks for (refused when it names no tab, or no unit).
    pub fn listing(&self, query: &ListQuery) -> Result<Listing<S>, PageError> {
        let (key, state) = self.find(&query.loai)?;
        let unit = query.don_vi.trim().to_string();
        Ok(Listing {
            key,
            state,
            filter: filter(state, &unit)?,
            page_token: query.trang.clone(),
            query: format::query_string(&[("loai", &query.loai), ("don_vi", &unit)]),
            resent: query.da == "gui-lai",
            unit,
        })
    }

    /// What the page shows besides its rows and columns: the tabs, the unit
    /// filter, the next page, and what was just done or refused.
    pub async fn context(
        &self,
        web: &Web,
        session: &Session,
        names: &mut Names<'_>,
        listing: &Listing<S>,
        next_page: &str,
        problem: Option<&str>,
    ) -> Value {
        let key = listing.key;
        context! {
            frame => session.frame(),
            title => self.title,
            configured => true,
            tabs => self
                .tabs
                .iter()
                .map(|(k, s)| context! { key => k, label => s.label_vi(), current => *k == key })
                .collect::<Vec<_>>(),
            tab => listing.state.label_vi(),
            // The page's own links carry no `loai` for the first tab.
            loai => if self.tabs.first().is_some_and(|(first, _)| *first == key) { "" } else { key },
            units => units(web, session, names, self.method, &listing.unit).await,
            unit => listing.unit,
            next_page,
            query => listing.query,
            done => listing.resent.then_some(self.resent),
            problem,
        }
    }

    /// The page without the delivery configured: its template says so.
    pub fn not_configured(&self, web: &Web, session: &Session) -> Result<Html<String>, PageError> {
        web.pages().render(
            self.template,
            context! { frame => session.frame(), title => self.title, configured => false },
        )
    }
}

/// The list's filter: the state, and the unit the person chose (refused when
/// it is not a unit's name).
fn filter<S: ProtoEnum>(state: S, unit: &str) -> Result<String, PageError> {
    let mut filter = format!("state = {}", state.as_str_name());
    if !unit.is_empty() {
        if !is_unit_name(unit) {
            return Err(PageError::BadRequest("Bộ lọc không hợp lệ: đơn vị.".into()));
        }
        filter.push_str(&format!(" AND agency = \"{unit}\""));
    }
    Ok(filter)
}

/// The units the filter offers: those the person's roles that may call
/// `method` cover, by name, `chosen` selected.
async fn units(web: &Web, session: &Session, names: &mut Names<'_>, method: &str, chosen: &str) -> Vec<Value> {
    let units = session
        .covered_units_where(web, 200, |role| policy::allows(method, &[role]))
        .await;
    unit_choices(names, units, chosen).await
}

/// The units where the person may call `method` (an administrator's
/// resend), when the person's roles allow it at all.
pub async fn scope(web: &Web, session: &Session, method: &str) -> Result<Option<Scope>, PageError> {
    if !session.may(method) {
        return Ok(None);
    }
    Ok(Some(
        Scope::of_method(web.directory(), &session.context(method)?).await?,
    ))
}

/// What a "Gửi lại" form asks for and says.
pub struct Resend<'a> {
    /// The method, `…/Resend…`.
    pub method: &'static str,
    /// The dossier's id in the address.
    pub id: &'a str,
    /// Where to go once it is done.
    pub done: String,
    /// Why nothing was sent when nothing of the dossier is parked.
    pub not_parked: &'static str,
}

/// A parked dossier's deliveries sent again from a page: the form's CSRF
/// value checked, the call authorised and audited as the same gRPC call is.
/// A refusal the person can act on is said on the list (`page`, 422).
pub async fn resend<T, Call, Page>(
    web: &Web,
    session: &Session,
    headers: &HeaderMap,
    form: &Fields,
    resend: Resend<'_>,
    call: impl FnOnce(CallContext) -> Call,
    page: impl FnOnce(&'static str) -> Page,
) -> Result<Response, PageError>
where
    Call: Future<Output = Option<ServiceResult<T>>>,
    Page: Future<Output = Result<Html<String>, PageError>>,
{
    check_id(resend.id)?;
    form.check_csrf(headers)?;
    let ctx = web.write_context(session, resend.method).await?;
    // Nothing to send when the delivery is not configured.
    let result = call(ctx).await.ok_or(PageError::NotFound)?;
    let problem = match web.audited(session, resend.method, result).await {
        Ok(_) => return Ok(Redirect::to(&resend.done).into_response()),
        Err(ServiceError::FailedPrecondition { .. }) => resend.not_parked,
        Err(ServiceError::PermissionDenied(_)) => "Bạn không quản trị đơn vị của hồ sơ này.",
        Err(other) => return Err(other.into()),
    };
    let page = page(problem).await?;
    Ok((http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use eiso_proto::eiso::sync::v1::dossier_sync::State;

    const LISTS: ListPage<State> = ListPage {
        page: "/quan-tri/dong-bo",
        template: "admin_sync.html",
        title: "",
        method: "",
        tabs: &[("bi-dung", State::Parked), ("cho-gui", State::Pending)],
        resent: "",
    };

    fn query(loai: &str, don_vi: &str) -> ListQuery {
        ListQuery {
            loai: loai.into(),
            don_vi: don_vi.into(),
            ..ListQuery::default()
        }
    }

    #[test]
    fn a_page_opens_on_its_first_list() {
        assert_eq!(LISTS.find("").ok().map(|(_, s)| s), Some(State::Parked));
        assert_eq!(LISTS.find("cho-gui").ok().map(|(_, s)| s), Some(State::Pending));
        assert!(LISTS.find("bi-mat").is_err());
        assert_eq!(LISTS.href(State::Parked as i32), "/quan-tri/dong-bo");
        assert_eq!(LISTS.href(State::Pending as i32), "/quan-tri/dong-bo?loai=cho-gui");
        assert_eq!(LISTS.href(99), "/quan-tri/dong-bo");
    }

    #[test]
    fn the_filter_takes_a_unit_name_only() {
        let listing = LISTS.listing(&query("", "")).ok();
        assert_eq!(listing.map(|l| l.filter).as_deref(), Some("state = STATE_PARKED"));
        let listing = LISTS.listing(&query("cho-gui", " units/abc ")).ok();
        assert_eq!(
            listing.map(|l| (l.filter, l.query)),
            Some((
                "state = STATE_PENDING AND agency = \"units/abc\"".to_string(),
                "loai=cho-gui&don_vi=units/abc".to_string()
            ))
        );
        assert!(LISTS.listing(&query("", "units/\" OR 1")).is_err());
        assert!(LISTS.listing(&query("khac", "")).is_err());
    }
}
