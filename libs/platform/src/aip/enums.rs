//! Enum fields of requests. prost keeps an enum as its `i32`, so a client can
//! send a number the proto does not define; such a value is refused with
//! INVALID_ARGUMENT naming the field, never read as some default.

use crate::error::{ServiceError, ServiceResult, Violations};

/// Records a violation for `field` if `value` is unset (0) while `required`,
/// or is not a value of `T`.
pub fn check<T: TryFrom<i32>>(violations: &mut Violations, field: &str, value: i32, required: bool) {
    if let Err(error) = parse::<T>(value, field, required) {
        violations.absorb(error);
    }
}

/// The value of `T` that `value` names; `None` when unset (0) and not
/// `required`. INVALID_ARGUMENT naming `field` when unset but required, or
/// unknown.
pub fn parse<T: TryFrom<i32>>(value: i32, field: &str, required: bool) -> ServiceResult<Option<T>> {
    if value == 0 && !required {
        return Ok(None);
    }
    if value == 0 {
        return Err(ServiceError::invalid(field, "is required"));
    }
    T::try_from(value)
        .map(Some)
        .map_err(|_| ServiceError::invalid(field, format!("unknown value {value}")))
}

/// Like [`parse`] for a field whose unset value (0) is itself meaningful (a
/// proto default such as `MODE_RESTART = 0`): only unknown numbers are refused.
pub fn parse_with_default<T: TryFrom<i32>>(value: i32, field: &str) -> ServiceResult<T> {
    T::try_from(value).map_err(|_| ServiceError::invalid(field, format!("unknown value {value}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use eiso_proto::eiso::identity::v1::Role;

    #[test]
    fn unknown_and_missing_values_are_refused() {
        assert_eq!(parse::<Role>(0, "role", false).expect("unset is fine"), None);
        assert!(parse::<Role>(0, "role", true).is_err());
        assert!(parse::<Role>(9999, "role", false).is_err());
        assert!(parse::<Role>(Role::Admin as i32, "role", true).is_ok());
        let mut v = Violations::new();
        check::<Role>(&mut v, "binding.role", 42, false);
        let error = v.check().expect_err("one violation");
        assert_eq!(error.to_string(), "invalid request: binding.role: unknown value 42");
    }
}
