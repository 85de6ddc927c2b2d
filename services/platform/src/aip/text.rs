//! Text fields: Unicode NFC (Vietnamese typed on a Mac or pasted from a PDF
//! often arrives decomposed), trimmed, bounded, without control characters.

use unicode_normalization::UnicodeNormalization;

use crate::error::Violations;

/// Normalises `value` to NFC and trims it; records a violation for `field`
/// if it is empty while `required`, longer than `max_chars`, or holds control
/// characters. Returns the normalised text.
pub fn clean(violations: &mut Violations, field: &str, value: &str, required: bool, max_chars: usize) -> String {
    let text: String = value.trim().nfc().collect();
    if required && text.is_empty() {
        violations.add(field, "is required");
    } else if text.chars().count() > max_chars {
        violations.add(field, format!("is longer than {max_chars} characters"));
    } else if text.chars().any(|c| c.is_control()) {
        violations.add(field, "must not contain control characters");
    }
    text
}

/// NFC form of `value`, for comparisons and lookups.
pub fn nfc(value: &str) -> String {
    value.nfc().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decomposed_vietnamese_is_composed() {
        let decomposed = "Phòng Giáo dục".nfd().collect::<String>();
        assert_ne!(decomposed, "Phòng Giáo dục");
        let mut v = Violations::new();
        assert_eq!(clean(&mut v, "display_name", &decomposed, true, 200), "Phòng Giáo dục");
        assert!(v.is_empty());
    }

    #[test]
    fn bad_text_is_reported_by_field() {
        let mut v = Violations::new();
        clean(&mut v, "a", "   ", true, 10);
        clean(&mut v, "b", "ữữữữữữữữữữữ", true, 10);
        clean(&mut v, "c", "x\u{0}y", false, 10);
        clean(&mut v, "d", "", false, 10);
        let error = v.check().expect_err("three violations");
        assert_eq!(
            error.to_string(),
            "invalid request: a: is required; b: is longer than 10 characters; c: must not contain control characters"
        );
    }
}
