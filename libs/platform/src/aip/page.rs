//! Page sizes and opaque page tokens (AIP-158). A token records where the
//! next page starts and a hash of the query it belongs to, so a token cannot
//! be replayed against a different filter or order.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::ServiceError;

/// The page size to use: `default` for 0, capped at `max`; negative refused.
pub fn size(requested: i32, default: u64, max: u64) -> Result<u64, ServiceError> {
    match requested {
        n if n < 0 => Err(ServiceError::invalid("page_size", "must not be negative")),
        0 => Ok(default),
        n => Ok((n as u64).min(max)),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Token {
    /// Hash of the query (filter, order, anything that shapes the result).
    q: String,
    /// Rows to skip.
    o: u64,
}

fn query_hash(query: &str) -> String {
    hex::encode(&Sha256::digest(query.as_bytes())[..8])
}

/// The offset a token stands for, checked against `query`; an empty token is
/// the first page.
pub fn decode(token: &str, query: &str) -> Result<u64, ServiceError> {
    if token.is_empty() {
        return Ok(0);
    }
    let parsed: Token = URL_SAFE_NO_PAD
        .decode(token)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or_else(|| ServiceError::invalid("page_token", "is not a token this server issued"))?;
    if parsed.q != query_hash(query) {
        return Err(ServiceError::invalid(
            "page_token",
            "belongs to a different query: keep filter and order_by the same while paging",
        ));
    }
    Ok(parsed.o)
}

/// The token for the page starting at `offset`, or empty when `has_more` is false.
pub fn encode(query: &str, offset: u64, has_more: bool) -> String {
    if !has_more {
        return String::new();
    }
    let token = Token {
        q: query_hash(query),
        o: offset,
    };
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(&token).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_stay_with_their_query() {
        let token = encode("filter=a", 50, true);
        assert_eq!(decode(&token, "filter=a").expect("same query"), 50);
        assert!(decode(&token, "filter=b").is_err());
        assert!(decode("not-a-token", "filter=a").is_err());
        assert_eq!(decode("", "anything").expect("first page"), 0);
        assert_eq!(encode("q", 10, false), "");
    }

    #[test]
    fn sizes_are_bounded() {
        assert_eq!(size(0, 50, 1000).expect("default"), 50);
        assert_eq!(size(5000, 50, 1000).expect("capped"), 1000);
        assert!(size(-1, 50, 1000).is_err());
    }
}
