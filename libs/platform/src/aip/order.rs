//! `order_by` (AIP-132): `field [asc|desc], …` over the fields a list allows.

use crate::error::ServiceError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderTerm {
    pub field: &'static str,
    pub descending: bool,
}

/// Parses `order_by`; empty gives `default`.
pub fn parse(order_by: &str, allowed: &[&'static str], default: &'static str) -> Result<Vec<OrderTerm>, ServiceError> {
    let text = if order_by.trim().is_empty() { default } else { order_by };
    let mut terms = Vec::new();
    for part in text.split(',') {
        let words: Vec<&str> = part.split_whitespace().collect();
        let (field, descending) = match words.as_slice() {
            [field] => (*field, false),
            [field, dir] if dir.eq_ignore_ascii_case("asc") => (*field, false),
            [field, dir] if dir.eq_ignore_ascii_case("desc") => (*field, true),
            _ => {
                return Err(ServiceError::invalid(
                    "order_by",
                    format!("cannot read `{}`", part.trim()),
                ));
            }
        };
        let Some(field) = allowed.iter().find(|a| **a == field) else {
            return Err(ServiceError::invalid(
                "order_by",
                format!("cannot order by `{field}`; allowed: {}", allowed.join(", ")),
            ));
        };
        terms.push(OrderTerm { field, descending });
    }
    Ok(terms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_checks() {
        let t = parse("display_name desc, code", &["code", "display_name"], "code").expect("ok");
        assert_eq!(
            t,
            vec![
                OrderTerm {
                    field: "display_name",
                    descending: true
                },
                OrderTerm {
                    field: "code",
                    descending: false
                }
            ]
        );
        assert_eq!(parse("", &["code"], "code").expect("default")[0].field, "code");
        assert!(parse("password", &["code"], "code").is_err());
        assert!(parse("code sideways", &["code"], "code").is_err());
    }
}
