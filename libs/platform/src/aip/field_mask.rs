//! Field masks (AIP-134).

use eiso_proto::prost_types::FieldMask;

use crate::error::ServiceError;

/// The paths of `mask`, checked against `allowed`. `*` stands for every
/// allowed path. A missing or empty mask is refused: an update must say what
/// it changes.
pub fn paths(mask: Option<&FieldMask>, allowed: &[&'static str]) -> Result<Vec<&'static str>, ServiceError> {
    let Some(mask) = mask.filter(|m| !m.paths.is_empty()) else {
        return Err(ServiceError::invalid(
            "update_mask",
            format!("is required: list the fields to change among {}", allowed.join(", ")),
        ));
    };
    let mut out = Vec::new();
    for path in &mask.paths {
        if path == "*" {
            return Ok(allowed.to_vec());
        }
        match allowed.iter().find(|a| **a == path.as_str()) {
            Some(a) if !out.contains(a) => out.push(*a),
            Some(_) => {}
            None => {
                return Err(ServiceError::invalid(
                    "update_mask",
                    format!("`{path}` cannot be updated; updatable fields: {}", allowed.join(", ")),
                ));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_are_checked() {
        let mask = |p: &[&str]| FieldMask {
            paths: p.iter().map(|s| s.to_string()).collect(),
        };
        assert_eq!(
            paths(Some(&mask(&["email"])), &["display_name", "email"]).expect("ok"),
            ["email"]
        );
        assert_eq!(
            paths(Some(&mask(&["*"])), &["display_name", "email"])
                .expect("ok")
                .len(),
            2
        );
        assert!(paths(None, &["email"]).is_err());
        assert!(paths(Some(&mask(&["password_hash"])), &["email"]).is_err());
    }
}
