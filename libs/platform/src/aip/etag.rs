//! Etags (AIP-154): opaque, derived from the resource name and its version
//! counter; a stale etag in an update is refused with ABORTED.

use sha2::{Digest, Sha256};

use crate::error::ServiceError;

pub fn compute(name: &str, version: i64) -> String {
    let digest = Sha256::digest(format!("{name}\u{0}{version}").as_bytes());
    format!("\"{}\"", &hex::encode(digest)[..16])
}

/// `Ok` if `given` is empty (no check asked) or matches the current etag.
pub fn check(given: &str, name: &str, version: i64) -> Result<(), ServiceError> {
    if given.is_empty() || given == compute(name, version) {
        Ok(())
    } else {
        Err(ServiceError::Aborted(format!(
            "{name} was changed by someone else since you read it (etag mismatch); get it again and retry"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_etags_abort() {
        let current = compute("units/a", 3);
        assert!(check("", "units/a", 3).is_ok());
        assert!(check(&current, "units/a", 3).is_ok());
        assert!(matches!(check(&current, "units/a", 4), Err(ServiceError::Aborted(_))));
        assert_ne!(compute("units/a", 3), compute("units/b", 3));
    }
}
