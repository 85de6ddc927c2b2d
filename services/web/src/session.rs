//! The signed-in person of a page: the session cookie's token verified as the
//! gateway verifies a bearer token, and the call context a handler passes to
//! a service, authorised by the same policy table.

use axum::extract::FromRequestParts;
use eiso_platform::context::{CallContext, Principal};
use eiso_platform::gateway::TokenVerifier;
use eiso_platform::policy;
use eiso_proto::eiso::identity::v1::Role;
use http::request::Parts;
use serde::Serialize;

use crate::error::PageError;
use crate::{Web, cookies, csrf};

/// A signed-in request.
pub struct Session {
    pub principal: Principal,
    /// The value the page's forms carry in their `csrf` field.
    pub csrf: csrf::Token,
    /// Reads the audit trails: the role for them at a root unit (the trails
    /// span every unit), so that the menu offers only what is allowed.
    pub reads_trails: bool,
}

impl FromRequestParts<Web> for Session {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, web: &Web) -> Result<Self, Self::Rejection> {
        let next = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".into());
        let token = cookies::get(&parts.headers, cookies::SESSION).ok_or(PageError::SignIn { next: next.clone() })?;
        let principal = web
            .verifier()
            .verify(token)
            .await
            .map_err(|_| PageError::SignIn { next })?;
        let mut session = Self {
            principal,
            csrf: csrf::Token::for_request(&parts.headers),
            reads_trails: false,
        };
        if let Ok(ctx) = session.context(crate::views::methods::LIST_AUDIT_ENTRIES) {
            session.reads_trails = eiso_platform::scope::require_root(web.directory(), &ctx).await.is_ok();
        }
        Ok(session)
    }
}

impl Session {
    /// The context for calling `method` (`/package.Service/Method`), refused
    /// as the gateway refuses it when the person's roles do not allow it.
    pub fn context(&self, method: &str) -> Result<CallContext, PageError> {
        let roles: Vec<Role> = self.principal.roles().collect();
        if !policy::allows(method, &roles) {
            return Err(PageError::Forbidden(format!("roles do not allow {method}")));
        }
        Ok(CallContext {
            method: method.to_string(),
            principal: self.principal.clone(),
            reason: String::new(),
            request_id: String::new(),
            token: None,
        })
    }

    /// Whether the person may call `method` at all (to show or hide an action;
    /// the service still checks the unit).
    pub fn may(&self, method: &str) -> bool {
        let roles: Vec<Role> = self.principal.roles().collect();
        policy::allows(method, &roles)
    }

    /// The units where the person holds `role`.
    pub fn units_with(&self, role: Role) -> Vec<String> {
        let mut units: Vec<String> = self
            .principal
            .bindings
            .iter()
            .filter(|(r, _)| *r == role)
            .map(|(_, unit)| unit.clone())
            .collect();
        units.dedup();
        units
    }

    /// The units the person's roles cover: each bound unit and the units
    /// below it (at most `limit`), as `units/{id}`.
    pub async fn covered_units(&self, web: &Web, limit: usize) -> Vec<String> {
        self.covered_units_where(web, limit, |_| true).await
    }

    /// The units covered by the person's bindings of the roles `holds`
    /// accepts: each bound unit and the units below it (at most `limit`).
    pub async fn covered_units_where(&self, web: &Web, limit: usize, holds: impl Fn(Role) -> bool) -> Vec<String> {
        let mut units: Vec<String> = Vec::new();
        for bound in self
            .principal
            .bindings
            .iter()
            .filter(|(role, _)| holds(*role))
            .map(|(_, unit)| unit)
        {
            for unit in web.directory().subtree(bound).await.unwrap_or_default() {
                if !units.contains(&unit) && units.len() < limit {
                    units.push(unit);
                }
            }
        }
        units
    }

    /// What every page's frame shows of the person.
    pub fn frame(&self) -> Frame {
        Frame {
            user: self.principal.display_name.clone(),
            csrf: self.csrf.value.clone(),
            counter: self.may(crate::views::methods::RECEIVE_DOSSIER),
            officer: self.principal.has_role(Role::ProcessingOfficer) || self.principal.has_role(Role::Leader),
            leader: self.principal.has_role(Role::Leader),
            auditor: self.reads_trails,
            quality: self.may(crate::views::methods::LIST_CORRECTIVE_ACTIONS),
            admin: self.may(crate::views::methods::CREATE_UNIT) || self.may(crate::views::methods::UPDATE_USER),
            reviewer: self.may(crate::views::methods::APPROVE_REVISION)
                || self.may(crate::views::methods::PUBLISH_REVISION),
            sync: self.may(crate::views::methods::LIST_DOSSIER_SYNCS),
            notifications: self.may(crate::views::methods::LIST_NOTIFICATIONS),
        }
    }
}

/// The page frame's facts: who is signed in, the forms' CSRF value, and
/// which menu entries apply.
#[derive(Debug, Clone, Serialize)]
pub struct Frame {
    pub user: String,
    pub csrf: String,
    /// Receives dossiers: the counter's menu.
    pub counter: bool,
    /// Is handed dossiers to process: "my work".
    pub officer: bool,
    /// Answers for the unit's figures: the dashboard.
    pub leader: bool,
    /// Reads the audit trails (oversight roles).
    pub auditor: bool,
    /// Reads the quality system (the office's roles, not the counter).
    pub quality: bool,
    /// Reviews or publishes documents: the review inbox.
    pub reviewer: bool,
    /// Manages units and people: the administration's pages.
    pub admin: bool,
    /// Reads the dossiers' sync with the national portal: its page.
    pub sync: bool,
    /// Reads the notifications to applicants: their page.
    pub notifications: bool,
}

/// Keeps a person at work signed in: once half of the session token's
/// lifetime has passed, the response carries a renewed token (up to the
/// identity service's limit on a sign-in's age; then sign-in again). Not
/// when the page itself set the session cookie (sign-in, sign-out).
pub async fn renew_sessions(
    axum::extract::State(web): axum::extract::State<Web>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let token = cookies::get(request.headers(), cookies::SESSION).map(str::to_string);
    let https = cookies::is_https(request.headers());
    let mut response = next.run(request).await;
    let Some(token) = token.filter(|t| !t.is_empty()) else {
        return response;
    };
    let prefix = format!("{}=", cookies::SESSION);
    let sets_session = response
        .headers()
        .get_all(http::header::SET_COOKIE)
        .iter()
        .any(|v| v.to_str().is_ok_and(|v| v.starts_with(&prefix)));
    if sets_session {
        return response;
    }
    if let Ok(Some(renewed)) = web.identity().renew(&token).await {
        let cookie = cookies::session(
            &renewed.access_token,
            renewed.expire_time.as_ref(),
            chrono::Utc::now(),
            https,
        );
        cookies::append(response.headers_mut(), cookie);
    }
    response
}

/// A local path to come back to after sign-in, percent-encoded for a query.
pub fn encode_next(next: &str) -> String {
    crate::format::percent_encode(safe_next(next))
}

/// `next` if it is a path on this site, else `/`: never a redirect elsewhere
/// (`//evil.example`, `https://…`, `/\evil`).
pub fn safe_next(next: &str) -> &str {
    let local = next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') && !next.contains("://");
    if local && !next.chars().any(char::is_control) {
        next
    } else {
        "/"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(safe_next("/ho-so?trang=2"), "/ho-so?trang=2");
        assert_eq!(safe_next("//evil.example/"), "/");
        assert_eq!(safe_next("https://evil.example/"), "/");
        assert_eq!(safe_next("/\\evil.example"), "/");
        assert_eq!(safe_next("ho-so"), "/");
        assert_eq!(encode_next("/ho-so?a=1&b=2"), "/ho-so%3Fa%3D1%26b%3D2");
    }
}
