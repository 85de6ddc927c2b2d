//! Resource names: `collection/{id}`.

use crate::error::ServiceError;

/// Whether `id` is an acceptable resource id: 1–63 of `a-z 0-9 -`.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 63
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The id of `name` in `collection`, e.g. `units/abc` → `abc`. `field` names
/// the request field in the error.
pub fn parse(name: &str, collection: &str, field: &str) -> Result<String, ServiceError> {
    if name.is_empty() {
        return Err(ServiceError::invalid(
            field,
            format!("is required (a resource name like `{collection}/…`)"),
        ));
    }
    match name.strip_prefix(collection).and_then(|rest| rest.strip_prefix('/')) {
        Some(id) if valid_id(id) => Ok(id.to_string()),
        _ => Err(ServiceError::invalid(
            field,
            format!(
                "`{}` is not a {collection} resource name (expected `{collection}/{{id}}`)",
                truncate(name, 80)
            ),
        )),
    }
}

/// Like [`parse`], for optional references: empty gives `None`.
pub fn parse_optional(name: &str, collection: &str, field: &str) -> Result<Option<String>, ServiceError> {
    if name.is_empty() {
        Ok(None)
    } else {
        parse(name, collection, field).map(Some)
    }
}

/// A new resource id: a UUIDv7 (time-ordered) in lower-case hex with dashes.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        text.chars().take(max).collect::<String>() + "…"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_and_name_the_field() {
        assert_eq!(parse("units/0193-ab", "units", "name").expect("valid"), "0193-ab");
        for bad in ["", "units/", "users/1", "units/ABC", "units/a/b", "units/x y"] {
            let error = parse(bad, "units", "unit.parent").expect_err(bad);
            assert!(
                matches!(&error, ServiceError::InvalidArgument(v) if v[0].field == "unit.parent"),
                "{bad}"
            );
        }
        assert!(valid_id(&new_id()));
    }
}
