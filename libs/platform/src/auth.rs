//! Passwords (argon2id) and access tokens (HMAC-SHA256 signed, short-lived).
//!
//! A token is `v1.<claims>.<signature>`, both parts base64url without padding;
//! the claims are JSON. The signing keys live in the identity database so every
//! replica verifies every other's tokens.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use eiso_proto::eiso::identity::v1::Role;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::context::Principal;

/// Hashes a password with argon2id and a random salt (PHC string format).
pub fn hash_password(password: &str) -> Result<String, argon2::password_hash::Error> {
    let mut salt_bytes = [0u8; 16];
    rand::fill(&mut salt_bytes);
    let salt = SaltString::encode_b64(&salt_bytes)?;
    Ok(Argon2::default().hash_password(password.as_bytes(), &salt)?.to_string())
}

/// Checks a password against a stored hash; a malformed hash never matches.
pub fn verify_password(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(hash) => Argon2::default().verify_password(password.as_bytes(), &hash).is_ok(),
        Err(_) => false,
    }
}

/// A random secret of `bytes` bytes, base64url.
pub fn random_secret(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::fill(buf.as_mut_slice());
    URL_SAFE_NO_PAD.encode(buf)
}

/// Letters and digits a person reads off paper or a screen and types back
/// without mistaking one for another (no 0/O, 1/I/L), upper case.
pub const READABLE: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// `len` random characters of `alphabet` (a code a person types: a rating
/// code, a demo password).
pub fn random_code(alphabet: &[u8], len: usize) -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    (0..len)
        .map(|_| char::from(alphabet[rng.random_range(0..alphabet.len())]))
        .collect()
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
struct Claims {
    /// Principal name.
    sub: String,
    /// Display name.
    name: String,
    /// Username (users only).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    usr: String,
    /// Role bindings as (role number, unit name).
    roles: Vec<(i32, String)>,
    /// Issued at, seconds since the epoch.
    iat: i64,
    /// Expires at, seconds since the epoch.
    exp: i64,
    /// When the person signed in (a renewed token keeps it), seconds since
    /// the epoch; absent in tokens issued before renewal existed (then `iat`).
    #[serde(default, skip_serializing_if = "is_zero")]
    ath: i64,
    /// Signing key id.
    kid: String,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TokenError {
    #[error("the token is malformed")]
    Malformed,
    #[error("the token's signature is not valid")]
    BadSignature,
    #[error("the token expired; sign in again")]
    Expired,
}

/// Signs and verifies access tokens with one HMAC key.
#[derive(Clone)]
pub struct TokenSigner {
    key_id: String,
    key: Vec<u8>,
}

impl std::fmt::Debug for TokenSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSigner")
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

type HmacSha256 = Hmac<Sha256>;

impl TokenSigner {
    pub fn new(key_id: impl Into<String>, key: Vec<u8>) -> Self {
        Self {
            key_id: key_id.into(),
            key,
        }
    }

    fn mac(&self) -> HmacSha256 {
        // HMAC takes keys of any length.
        match HmacSha256::new_from_slice(&self.key) {
            Ok(mac) => mac,
            Err(_) => unreachable!("HMAC accepts keys of every length"),
        }
    }

    pub fn issue(&self, principal: &Principal) -> String {
        let claims = Claims {
            sub: principal.name.clone(),
            name: principal.display_name.clone(),
            usr: principal.username.clone(),
            roles: principal
                .bindings
                .iter()
                .map(|(role, unit)| (*role as i32, unit.clone()))
                .collect(),
            iat: principal.issue_time.timestamp(),
            exp: principal.expire_time.timestamp(),
            ath: principal.issue_time.timestamp(),
            kid: self.key_id.clone(),
        };
        self.sign(&claims)
    }

    fn sign(&self, claims: &Claims) -> String {
        let body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).unwrap_or_default());
        let signing_input = format!("v1.{body}");
        let mut mac = self.mac();
        mac.update(signing_input.as_bytes());
        let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        format!("{signing_input}.{signature}")
    }

    /// A new token for the holder of `token` (still valid at `now`), valid
    /// for `ttl` from `now`, as long as the sign-in it started from is less
    /// than `max_age` old: `None` once it is, and the person signs in again.
    /// The new token keeps the time of the sign-in.
    pub fn renew(
        &self,
        token: &str,
        now: DateTime<Utc>,
        ttl: chrono::Duration,
        max_age: chrono::Duration,
    ) -> Result<Option<(String, DateTime<Utc>)>, TokenError> {
        let mut claims = self.verified_claims(token, now)?;
        let signed_in = if claims.ath == 0 { claims.iat } else { claims.ath };
        let expire = now + ttl;
        if expire.timestamp() > signed_in + max_age.num_seconds() {
            return Ok(None);
        }
        claims.ath = signed_in;
        claims.iat = now.timestamp();
        claims.exp = expire.timestamp();
        Ok(Some((self.sign(&claims), expire)))
    }

    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<Principal, TokenError> {
        let claims = self.verified_claims(token, now)?;
        let bindings = claims
            .roles
            .into_iter()
            .filter_map(|(role, unit)| Role::try_from(role).ok().map(|role| (role, unit)))
            .collect();
        Ok(Principal {
            name: claims.sub,
            display_name: claims.name,
            username: claims.usr,
            bindings,
            issue_time: DateTime::from_timestamp(claims.iat, 0).ok_or(TokenError::Malformed)?,
            expire_time: DateTime::from_timestamp(claims.exp, 0).ok_or(TokenError::Malformed)?,
        })
    }

    fn verified_claims(&self, token: &str, now: DateTime<Utc>) -> Result<Claims, TokenError> {
        let (signing_input, signature) = token.rsplit_once('.').ok_or(TokenError::Malformed)?;
        let body = signing_input.strip_prefix("v1.").ok_or(TokenError::Malformed)?;
        let signature = URL_SAFE_NO_PAD.decode(signature).map_err(|_| TokenError::Malformed)?;
        let mut mac = self.mac();
        mac.update(signing_input.as_bytes());
        mac.verify_slice(&signature).map_err(|_| TokenError::BadSignature)?;
        let claims: Claims = URL_SAFE_NO_PAD
            .decode(body)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .ok_or(TokenError::Malformed)?;
        if claims.kid != self.key_id {
            return Err(TokenError::BadSignature);
        }
        if claims.exp <= now.timestamp() {
            return Err(TokenError::Expired);
        }
        Ok(claims)
    }
}

fn is_zero(value: &i64) -> bool {
    *value == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn principal(now: DateTime<Utc>) -> Principal {
        Principal {
            name: "users/1".into(),
            display_name: "Nguyễn Văn An".into(),
            username: "an.nv".into(),
            bindings: vec![(Role::CounterStaff, "units/2".into())],
            issue_time: now,
            expire_time: now + Duration::minutes(15),
        }
    }

    #[test]
    fn a_token_is_renewed_until_its_sign_in_is_too_old() {
        let signer = TokenSigner::new("k1", b"secret key".to_vec());
        let now = Utc::now();
        let token = signer.issue(&principal(now));
        let (ttl, max_age) = (Duration::minutes(15), Duration::hours(1));
        // Renewed: valid from now for the TTL, the same person.
        let later = now + Duration::minutes(10);
        let (renewed, expire) = signer
            .renew(&token, later, ttl, max_age)
            .expect("valid")
            .expect("renewed");
        assert_eq!(expire.timestamp(), (later + ttl).timestamp());
        let back = signer
            .verify(&renewed, later + Duration::minutes(14))
            .expect("still valid after the first expiry");
        assert_eq!(
            (back.name.as_str(), back.display_name.as_str()),
            ("users/1", "Nguyễn Văn An")
        );
        // Renewed again and again, but never past the sign-in's max age.
        let mut current = renewed;
        let mut at = later;
        let mut renewals = 1;
        while let Some((next, _)) = signer
            .renew(&current, at + Duration::minutes(10), ttl, max_age)
            .expect("valid")
        {
            current = next;
            at += Duration::minutes(10);
            renewals += 1;
        }
        assert_eq!(
            renewals, 4,
            "10, 20, 30, 40 minutes after sign-in; at 50 the new expiry would pass the hour"
        );
        // An expired or forged token is not renewed.
        assert_eq!(
            signer.renew(&token, now + Duration::minutes(16), ttl, max_age),
            Err(TokenError::Expired)
        );
        let other = TokenSigner::new("k1", b"another key".to_vec());
        assert_eq!(other.renew(&token, later, ttl, max_age), Err(TokenError::BadSignature));
    }

    #[test]
    fn token_round_trips_and_expires() {
        let signer = TokenSigner::new("k1", b"secret key".to_vec());
        let now = Utc::now();
        let token = signer.issue(&principal(now));
        let back = signer.verify(&token, now).expect("valid");
        assert_eq!(back.name, "users/1");
        assert_eq!(back.display_name, "Nguyễn Văn An");
        assert_eq!(back.bindings, vec![(Role::CounterStaff, "units/2".to_string())]);
        assert_eq!(
            signer.verify(&token, now + Duration::minutes(16)),
            Err(TokenError::Expired)
        );
    }

    #[test]
    fn tampered_or_foreign_tokens_are_refused() {
        let signer = TokenSigner::new("k1", b"secret key".to_vec());
        let now = Utc::now();
        let token = signer.issue(&principal(now));
        let other = TokenSigner::new("k1", b"another key".to_vec());
        assert_eq!(other.verify(&token, now), Err(TokenError::BadSignature));
        // Swap the claims for an admin's and keep the signature.
        let mut admin = principal(now);
        admin.bindings = vec![(Role::Admin, "units/1".into())];
        let forged_body = other.issue(&admin);
        let (forged_input, _) = forged_body.rsplit_once('.').expect("dot");
        let (_, signature) = token.rsplit_once('.').expect("dot");
        assert_eq!(
            signer.verify(&format!("{forged_input}.{signature}"), now),
            Err(TokenError::BadSignature)
        );
        assert_eq!(signer.verify("garbage", now), Err(TokenError::Malformed));
        assert_eq!(signer.verify("v1.a.b", now), Err(TokenError::Malformed));
    }

    #[test]
    fn passwords_hash_and_verify() {
        let hash = hash_password("mật khẩu dài hơn 10").expect("hash");
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("mật khẩu dài hơn 10", &hash));
        assert!(!verify_password("mat khau dai hon 10", &hash));
        assert!(!verify_password("x", "not a hash"));
    }
}
