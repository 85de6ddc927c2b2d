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

/// The most characters of a file name (what common file systems hold).
pub const MAX_FILE_NAME_CHARS: usize = 255;

/// A file name as a user may give it: [`clean`]ed, required, at most
/// [`MAX_FILE_NAME_CHARS`], no path separators, and not `.`, `..` or any
/// other name made only of dots (each means a directory somewhere).
pub fn file_name(violations: &mut Violations, field: &str, value: &str) -> String {
    let mut mine = Violations::new();
    let name = clean(&mut mine, field, value, true, MAX_FILE_NAME_CHARS);
    if mine.is_empty() {
        if name.contains(['/', '\\']) {
            mine.add(field, "must not contain `/` or `\\`");
        } else if name.chars().all(|c| c == '.') {
            mine.add(field, "must not be `.`, `..` or only dots");
        }
    }
    if let Err(error) = mine.check() {
        violations.absorb(error);
    }
    name
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
    fn file_names_that_mean_a_path_are_refused() {
        for bad in [
            "",
            " ",
            ".",
            "..",
            "...",
            "a/b",
            "..\\x",
            "a\u{0}b",
            "a\nb",
            &"x".repeat(256),
        ] {
            let mut v = Violations::new();
            file_name(&mut v, "header.file_name", bad);
            assert!(!v.is_empty(), "{bad:?}");
        }
        for good in ["Quyết định 12.pdf", ".hidden", "a..b.docx", &"x".repeat(255)] {
            let mut v = Violations::new();
            file_name(&mut v, "header.file_name", good);
            assert!(v.is_empty(), "{good:?}");
        }
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
