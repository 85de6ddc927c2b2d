//! The two cookies of the web app, read and written in one place.
//!
//! - `eiso_session`: the access token the identity service issued at sign-in
//!   (the same token a gRPC client sends as a bearer token, so expiry, the
//!   lockout and a deactivated user behave the same on both paths).
//! - `eiso_csrf`: a random value every form repeats in a hidden field
//!   ([`crate::csrf`]).
//!
//! Both are `HttpOnly` (no script reads them), `SameSite=Lax` (`Strict` for
//! the CSRF value) and `Secure` when the request came over HTTPS through a
//! proxy that says so.

use http::HeaderMap;
use http::header::{COOKIE, SET_COOKIE};

pub const SESSION: &str = "eiso_session";
pub const CSRF: &str = "eiso_csrf";

/// The value of cookie `name` in the request, if sent once or more (the first).
pub fn get<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim_matches('"'))
        .filter(|value| !value.is_empty())
}

/// Whether the browser reached us over HTTPS (directly or through a proxy).
pub fn is_https(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

/// A `Set-Cookie` value. `max_age` in seconds; `None` for a cookie that ends
/// with the browser session, `Some(0)` to delete it.
pub fn set(name: &str, value: &str, max_age: Option<i64>, same_site: &str, secure: bool) -> String {
    let mut cookie = format!("{name}={value}; Path=/; HttpOnly; SameSite={same_site}");
    if let Some(seconds) = max_age {
        cookie.push_str(&format!("; Max-Age={}", seconds.max(0)));
    }
    if secure {
        cookie.push_str("; Secure");
    }
    cookie
}

/// The session cookie holding `token` until `expire_time` (as of `now`).
pub fn session(
    token: &str,
    expire_time: Option<&eiso_proto::prost_types::Timestamp>,
    now: chrono::DateTime<chrono::Utc>,
    secure: bool,
) -> String {
    let max_age = crate::format::instant(expire_time)
        .map(|expiry| (expiry - now).num_seconds())
        .unwrap_or(0);
    set(SESSION, token, Some(max_age), "Lax", secure)
}

/// Adds a `Set-Cookie` header.
pub fn append(headers: &mut HeaderMap, cookie: String) {
    if let Ok(value) = cookie.parse() {
        headers.append(SET_COOKIE, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_cookie_among_others() {
        let mut headers = HeaderMap::new();
        headers.append(COOKIE, "a=1; eiso_session=v1.abc.def".parse().expect("a valid header"));
        headers.append(COOKIE, "eiso_csrf=xyz".parse().expect("a valid header"));
        assert_eq!(get(&headers, SESSION), Some("v1.abc.def"));
        assert_eq!(get(&headers, CSRF), Some("xyz"));
        assert_eq!(get(&headers, "missing"), None);
    }

    #[test]
    fn an_empty_cookie_is_no_cookie() {
        let mut headers = HeaderMap::new();
        headers.append(COOKIE, "eiso_session=".parse().expect("a valid header"));
        assert_eq!(get(&headers, SESSION), None);
    }

    #[test]
    fn set_cookie_has_the_safety_attributes() {
        assert_eq!(
            set(SESSION, "t", Some(3600), "Lax", true),
            "eiso_session=t; Path=/; HttpOnly; SameSite=Lax; Max-Age=3600; Secure"
        );
        assert_eq!(
            set(CSRF, "", Some(0), "Strict", false),
            "eiso_csrf=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"
        );
    }
}
