//! A subset of AIP-160 filters: comparisons `field = value` (or `!=`) joined
//! by `AND`, values quoted (`"…"`, with `\"` and `\\` escapes) or bare words;
//! on the fields a service names as ordered (times), also `<`, `<=`, `>` and
//! `>=`. Each service names the fields it accepts; anything else is refused
//! with the offending part named.

use crate::error::ServiceError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Op {
    /// `<`, `<=`, `>` or `>=`: allowed only on ordered fields.
    pub fn is_ordering(self) -> bool {
        !matches!(self, Op::Eq | Op::Ne)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    pub field: String,
    pub op: Op,
    pub value: String,
}

fn invalid(description: impl Into<String>) -> ServiceError {
    ServiceError::invalid("filter", description)
}

/// Parses `filter`, accepting only `allowed` fields, each with `=` or `!=`.
pub fn parse(filter: &str, allowed: &[&str]) -> Result<Vec<Condition>, ServiceError> {
    parse_ordered(filter, allowed, &[])
}

/// [`parse`], with `<`, `<=`, `>` and `>=` also accepted on the `ordered` fields.
pub fn parse_ordered(filter: &str, allowed: &[&str], ordered: &[&str]) -> Result<Vec<Condition>, ServiceError> {
    if filter.len() > 2000 {
        return Err(invalid("is longer than 2000 characters"));
    }
    let tokens = tokenize(filter)?;
    let mut conditions = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if !conditions.is_empty() {
            match &tokens[i] {
                Token::Word(w) if w == "AND" => i += 1,
                other => return Err(invalid(format!("expected AND before {}", other.describe()))),
            }
        }
        let field = match tokens.get(i) {
            Some(Token::Word(w)) => w.clone(),
            Some(other) => return Err(invalid(format!("expected a field name, found {}", other.describe()))),
            None => return Err(invalid("ends after AND")),
        };
        if !allowed.contains(&field.as_str()) {
            return Err(invalid(format!(
                "cannot filter on `{field}`; filterable fields: {}",
                allowed.join(", ")
            )));
        }
        let op = match tokens.get(i + 1) {
            Some(Token::Op(op)) => *op,
            _ => return Err(invalid(format!("expected `=` or `!=` after `{field}`"))),
        };
        if op.is_ordering() && !ordered.contains(&field.as_str()) {
            return Err(invalid(format!("`{field}` takes only `=` or `!=`")));
        }
        let value = match tokens.get(i + 2) {
            Some(Token::Word(w)) | Some(Token::Quoted(w)) => w.clone(),
            _ => return Err(invalid(format!("expected a value after `{field}`"))),
        };
        conditions.push(Condition { field, op, value });
        i += 3;
    }
    Ok(conditions)
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Word(String),
    Quoted(String),
    Op(Op),
}

impl Token {
    fn describe(&self) -> String {
        match self {
            Token::Word(w) => format!("`{w}`"),
            Token::Quoted(q) => format!("\"{q}\""),
            Token::Op(op) => format!(
                "`{}`",
                match op {
                    Op::Eq => "=",
                    Op::Ne => "!=",
                    Op::Lt => "<",
                    Op::Le => "<=",
                    Op::Gt => ">",
                    Op::Ge => ">=",
                }
            ),
        }
    }
}

fn tokenize(text: &str) -> Result<Vec<Token>, ServiceError> {
    let mut tokens = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '=' => {
                chars.next();
                tokens.push(Token::Op(Op::Eq));
            }
            '!' => {
                chars.next();
                if chars.next() != Some('=') {
                    return Err(invalid("`!` must be followed by `=`"));
                }
                tokens.push(Token::Op(Op::Ne));
            }
            '<' | '>' => {
                chars.next();
                let equal = chars.next_if_eq(&'=').is_some();
                tokens.push(Token::Op(match (c, equal) {
                    ('<', false) => Op::Lt,
                    ('<', true) => Op::Le,
                    ('>', false) => Op::Gt,
                    _ => Op::Ge,
                }));
            }
            '"' => {
                chars.next();
                let mut value = String::new();
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(escaped) => value.push(escaped),
                            None => return Err(invalid("unterminated string")),
                        },
                        Some(other) => value.push(other),
                        None => return Err(invalid("unterminated string")),
                    }
                }
                tokens.push(Token::Quoted(value));
            }
            _ => {
                let mut word = String::new();
                while let Some(&c) = chars.peek() {
                    if c.is_whitespace() || matches!(c, '=' | '!' | '"' | '<' | '>') {
                        break;
                    }
                    word.push(c);
                    chars.next();
                }
                tokens.push(Token::Word(word));
            }
        }
    }
    Ok(tokens)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_conjunctions() {
        let c = parse(r#"parent = "units/a" AND state != STATE_ACTIVE"#, &["parent", "state"]).expect("valid");
        assert_eq!(
            c,
            vec![
                Condition {
                    field: "parent".into(),
                    op: Op::Eq,
                    value: "units/a".into()
                },
                Condition {
                    field: "state".into(),
                    op: Op::Ne,
                    value: "STATE_ACTIVE".into()
                },
            ]
        );
        assert!(parse("", &["x"]).expect("empty").is_empty());
        assert_eq!(
            parse(r#"code="a \"b\"""#, &["code"]).expect("escapes")[0].value,
            "a \"b\""
        );
    }

    #[test]
    fn ordered_fields_take_comparisons() {
        let c = parse_ordered(
            r#"receive_time >= "2026-01-01T00:00:00+07:00" AND receive_time<"2026-04-01" AND code = x"#,
            &["receive_time", "code"],
            &["receive_time"],
        )
        .expect("valid");
        assert_eq!(
            c.iter().map(|c| (c.op, c.value.as_str())).collect::<Vec<_>>(),
            [
                (Op::Ge, "2026-01-01T00:00:00+07:00"),
                (Op::Lt, "2026-04-01"),
                (Op::Eq, "x")
            ]
        );
        let ops: Vec<Op> = parse_ordered("t < 1 AND t <= 2 AND t > 3 AND t >= 4", &["t"], &["t"])
            .expect("valid")
            .iter()
            .map(|c| c.op)
            .collect();
        assert_eq!(ops, [Op::Lt, Op::Le, Op::Gt, Op::Ge]);
        let refused = parse_ordered("code < x", &["code", "t"], &["t"]).expect_err("code is not ordered");
        assert!(
            refused.to_string().contains("`code` takes only `=` or `!=`"),
            "{refused}"
        );
    }

    #[test]
    fn refuses_what_it_does_not_understand() {
        for bad in [
            "password = x",
            "code",
            "code =",
            "code = x OR code = y",
            "code = \"x",
            "code ! x",
            "code < x",
            "code >= x",
        ] {
            let error = parse(bad, &["code"]).expect_err(bad);
            assert!(
                matches!(&error, ServiceError::InvalidArgument(v) if v[0].field == "filter"),
                "{bad}"
            );
        }
    }
}
