//! The query language, what officers type and nothing more:
//!
//! - words, all of them required, with or without diacritics;
//! - `"quoted phrases"` (straight or curly quotes; an unclosed quote runs to the end);
//! - `-word` and `-"a phrase"`: excluded, only when the dash is glued to them. A dash
//!   or a plus standing alone (`Chuyển trường - Tiểu học`, `chuyen truong + thcs`) is
//!   punctuation, like any other;
//! - codes as written: `1.004492`, `QT-TTHC-01`, `61/2018/NĐ-CP`, a dossier's code —
//!   dashes inside a word never exclude anything.
//!
//! Nothing else is syntax: `:`, `*`, `(`, `AND`… are text.

use crate::analysis::normalize;

/// Most pieces of a query that are used; the rest is ignored. A query is at most
/// 500 characters through the API, but the engine bounds its own work.
pub const MAX_PIECES: usize = 32;
/// Most characters of a query that are read.
pub const MAX_CHARS: usize = 2_000;

/// One piece of a query: a word as typed (between spaces) or a quoted phrase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    /// The text, without the quotes and the dash of an exclusion.
    pub text: String,
    pub quoted: bool,
    pub excluded: bool,
}

impl Piece {
    /// The piece as it can be typed again.
    pub fn typed(&self) -> String {
        let dash = if self.excluded { "-" } else { "" };
        if self.quoted {
            format!("{dash}\"{}\"", self.text)
        } else {
            format!("{dash}{}", self.text)
        }
    }
}

fn is_quote(c: char) -> bool {
    matches!(c, '"' | '“' | '”' | '„')
}

/// The pieces of `text` (normalised to NFC), in order, at most [`MAX_PIECES`].
pub fn pieces(text: &str) -> Vec<Piece> {
    let text: String = normalize(text).chars().take(MAX_CHARS).collect();
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    let mut word = String::new();
    // Closes the word being read; a lone dash or plus is dropped by the analysis later.
    let flush = |word: &mut String, out: &mut Vec<Piece>| {
        if word.is_empty() {
            return;
        }
        let text = std::mem::take(word);
        let glued =
            text.len() > 1 && text.starts_with('-') && text[1..].chars().next().is_some_and(char::is_alphanumeric);
        let piece = if glued {
            Piece {
                text: text[1..].to_string(),
                quoted: false,
                excluded: true,
            }
        } else {
            Piece {
                text,
                quoted: false,
                excluded: false,
            }
        };
        out.push(piece);
    };
    while let Some(c) = chars.next() {
        if out.len() >= MAX_PIECES {
            break;
        }
        if c.is_whitespace() {
            flush(&mut word, &mut out);
        } else if is_quote(c) {
            // `-"…"` excludes the phrase; any other text glued before a quote is a word.
            let excluded = word == "-";
            if excluded {
                word.clear();
            } else {
                flush(&mut word, &mut out);
            }
            let mut phrase = String::new();
            for c in chars.by_ref() {
                if is_quote(c) {
                    break;
                }
                phrase.push(c);
            }
            let phrase = phrase.split_whitespace().collect::<Vec<_>>().join(" ");
            if !phrase.is_empty() {
                out.push(Piece {
                    text: phrase,
                    quoted: true,
                    excluded,
                });
            }
        } else {
            word.push(c);
        }
    }
    if out.len() < MAX_PIECES {
        flush(&mut word, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(text: &str) -> Piece {
        Piece {
            text: text.into(),
            quoted: false,
            excluded: false,
        }
    }

    #[test]
    fn a_dash_excludes_only_when_glued_to_a_word() {
        assert_eq!(
            pieces("chuyen truong - tieu hoc"),
            [word("chuyen"), word("truong"), word("-"), word("tieu"), word("hoc")]
        );
        assert_eq!(
            pieces("chuyen truong -tieu hoc"),
            [
                word("chuyen"),
                word("truong"),
                Piece {
                    text: "tieu".into(),
                    quoted: false,
                    excluded: true
                },
                word("hoc")
            ]
        );
        assert_eq!(
            pieces("QT-TTHC-01 61/2018/NĐ-CP"),
            [word("QT-TTHC-01"), word("61/2018/NĐ-CP")]
        );
        assert_eq!(pieces("chuyen truong + thcs")[2], word("+"));
        assert_eq!(pieces("--")[0], word("--"));
    }

    #[test]
    fn quotes_make_phrases_and_an_open_quote_runs_to_the_end() {
        assert_eq!(
            pieces("\"quy trình  tiếp nhận\" -\"mầm non\" “hồ sơ” \"chuyển trường"),
            [
                Piece {
                    text: "quy trình tiếp nhận".into(),
                    quoted: true,
                    excluded: false
                },
                Piece {
                    text: "mầm non".into(),
                    quoted: true,
                    excluded: true
                },
                Piece {
                    text: "hồ sơ".into(),
                    quoted: true,
                    excluded: false
                },
                Piece {
                    text: "chuyển trường".into(),
                    quoted: true,
                    excluded: false
                },
            ]
        );
        assert!(pieces("\"\"\"\"\"\"").is_empty());
        assert_eq!(
            pieces("a\"b c\"d"),
            [
                word("a"),
                Piece {
                    text: "b c".into(),
                    quoted: true,
                    excluded: false
                },
                word("d")
            ]
        );
    }

    #[test]
    fn the_work_is_bounded() {
        let huge = "chuyển trường ".repeat(10_000);
        assert_eq!(pieces(&huge).len(), MAX_PIECES);
        let quotes = "\"".repeat(100_000);
        assert!(pieces(&quotes).is_empty());
        let piece = Piece {
            text: "mầm non".into(),
            quoted: true,
            excluded: true,
        };
        assert_eq!(piece.typed(), "-\"mầm non\"");
    }
}
