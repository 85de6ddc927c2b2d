//! Cross-site request forgery: every form carries the value of the
//! `eiso_csrf` cookie in a hidden `csrf` field, and a POST whose field does not
//! match its cookie is refused before anything else is read. Another site can
//! make a browser send the cookie but cannot read it to fill the field; the
//! session cookie's `SameSite=Lax` is a second guard.

use http::HeaderMap;
use sha2::{Digest, Sha256};

use crate::cookies;

/// The CSRF value a page's forms must carry: the browser's cookie, or a new
/// one (with the `Set-Cookie` header to send) when it has none yet.
pub struct Token {
    pub value: String,
    pub set_cookie: Option<String>,
}

impl Token {
    pub fn for_request(headers: &HeaderMap) -> Self {
        match cookies::get(headers, cookies::CSRF).filter(|value| is_well_formed(value)) {
            Some(value) => Self {
                value: value.to_string(),
                set_cookie: None,
            },
            None => {
                let value = eiso_platform::auth::random_secret(32);
                let set_cookie = cookies::set(cookies::CSRF, &value, None, "Strict", cookies::is_https(headers));
                Self {
                    value,
                    set_cookie: Some(set_cookie),
                }
            }
        }
    }
}

fn is_well_formed(value: &str) -> bool {
    (32..=64).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Whether a submitted form's `csrf` field matches the browser's cookie.
pub fn check(headers: &HeaderMap, submitted: Option<&str>) -> bool {
    match (cookies::get(headers, cookies::CSRF), submitted) {
        (Some(cookie), Some(field)) if is_well_formed(cookie) => {
            // Compare digests: equal length, no early exit on the first
            // differing byte of the secret itself.
            Sha256::digest(cookie.as_bytes()) == Sha256::digest(field.as_bytes())
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::header::COOKIE;

    fn with_cookie(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(COOKIE, format!("eiso_csrf={value}").parse().expect("a valid header"));
        headers
    }

    #[test]
    fn a_new_browser_gets_a_cookie_and_keeps_it() {
        let first = Token::for_request(&HeaderMap::new());
        assert!(
            first
                .set_cookie
                .as_deref()
                .is_some_and(|c| c.contains("SameSite=Strict"))
        );
        let again = Token::for_request(&with_cookie(&first.value));
        assert_eq!(again.value, first.value);
        assert!(again.set_cookie.is_none());
    }

    #[test]
    fn only_the_matching_field_passes() {
        let value = "a".repeat(43);
        let headers = with_cookie(&value);
        assert!(check(&headers, Some(&value)));
        assert!(!check(&headers, Some(&"b".repeat(43))));
        assert!(!check(&headers, None));
        assert!(!check(&HeaderMap::new(), Some(&value)));
        // A cookie the server could not have set is not trusted.
        assert!(!check(&with_cookie("short"), Some("short")));
    }
}
