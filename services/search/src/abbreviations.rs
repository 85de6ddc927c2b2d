//! Vietnamese administrative abbreviations (`THCS` = "trung học cơ sở"), as data.
//!
//! The list shipped with the service is `data/abbreviations.txt` (built in); an office
//! adds its own in [`FILE_NAME`] in the search directory, read when the index opens.
//! Each line is a group of equivalent forms separated by ` = `; a form is one or more
//! words, compared after folding (`GD&ĐT`, `gd dt` and `GD-ĐT` are one form). A query
//! holding one form of a group also matches the others, each as a phrase: `thcs` finds
//! "trung học cơ sở", and `trung hoc co so` finds "THCS".

use std::collections::HashMap;
use std::path::Path;

use tantivy::tokenizer::TextAnalyzer;

use crate::analysis::{folded_analyzer, normalize, tokens};

/// The list shipped with the service.
pub const BUILTIN: &str = include_str!("../data/abbreviations.txt");
/// The office's additions, in the search directory.
pub const FILE_NAME: &str = "abbreviations.txt";

/// Most lines in a file, bytes in a line, and words in a form: the list is read
/// into memory and matched against every query.
const MAX_LINES: usize = 5_000;
const MAX_LINE_BYTES: usize = 1_000;
pub const MAX_FORM_WORDS: usize = 12;

/// A line that is not a group of forms.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct LineError {
    pub line: usize,
    pub message: String,
}

/// Groups of equivalent forms, each form a sequence of folded words.
#[derive(Debug, Clone, Default)]
pub struct Abbreviations {
    groups: Vec<Vec<Vec<String>>>,
    /// First word of a form → (group, form) holding it.
    by_first: HashMap<String, Vec<(usize, usize)>>,
}

/// A form found in a query: how many words it spans and what else it may be written as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub words: usize,
    /// The other forms of every group holding it, each a sequence of folded words.
    pub others: Vec<Vec<String>>,
}

impl Abbreviations {
    /// The list shipped with the service.
    pub fn builtin() -> Abbreviations {
        let mut list = Abbreviations::default();
        if let Err(error) = list.add(BUILTIN) {
            // The built-in list is checked by a test; never fail a search over it.
            tracing::error!(%error, "search: the built-in abbreviations do not parse");
        }
        list
    }

    /// The built-in list with the office's additions from `dir`/[`FILE_NAME`], if the file is there.
    pub fn load(dir: &Path) -> anyhow::Result<Abbreviations> {
        let mut list = Abbreviations::builtin();
        let path = dir.join(FILE_NAME);
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                list.add(&text)
                    .map_err(|e| anyhow::anyhow!("the abbreviations in {}: {e}", path.display()))?;
                tracing::info!(path = %path.display(), groups = list.len(), "search: abbreviations added");
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => anyhow::bail!("cannot read {}: {error}", path.display()),
        }
        Ok(list)
    }

    /// Adds the groups of `text` (the file format, see the module docs).
    pub fn add(&mut self, text: &str) -> Result<(), LineError> {
        let mut analyzer = folded_analyzer();
        let text = normalize(text);
        for (index, line) in text.lines().enumerate() {
            let number = index + 1;
            let error = |message: &str| LineError {
                line: number,
                message: message.to_string(),
            };
            if number > MAX_LINES {
                return Err(error(&format!("at most {MAX_LINES} lines")));
            }
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if line.len() > MAX_LINE_BYTES {
                return Err(error(&format!("longer than {MAX_LINE_BYTES} bytes")));
            }
            let mut group: Vec<Vec<String>> = Vec::new();
            for form in line.split(" = ") {
                let words = folded_words(&mut analyzer, form);
                if words.is_empty() {
                    return Err(error(
                        "expected forms separated by ` = `, e.g. `THCS = trung học cơ sở`",
                    ));
                }
                if words.len() > MAX_FORM_WORDS {
                    return Err(error(&format!("a form has at most {MAX_FORM_WORDS} words")));
                }
                if !group.contains(&words) {
                    group.push(words);
                }
            }
            if group.len() < 2 {
                return Err(error("expected at least two forms separated by ` = `"));
            }
            let id = self.groups.len();
            for (form, words) in group.iter().enumerate() {
                self.by_first.entry(words[0].clone()).or_default().push((id, form));
            }
            self.groups.push(group);
        }
        Ok(())
    }

    /// Groups in the list.
    pub fn len(&self) -> usize {
        self.groups.len()
    }

    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// The longest form starting at `words[0]` that ends where `ends` allows (a word
    /// boundary the query's spelling does not cut, e.g. not inside `QT-TTHC-01`).
    pub fn find(&self, words: &[&str], ends: impl Fn(usize) -> bool) -> Option<Found> {
        let first = words.first()?;
        let candidates = self.by_first.get(*first)?;
        let mut best: Option<&[String]> = None;
        for &(group, form) in candidates {
            let form = &self.groups[group][form];
            let fits = form.len() <= words.len()
                && form.iter().zip(words).all(|(a, b)| a == b)
                && ends(form.len())
                && best.is_none_or(|b| form.len() > b.len());
            if fits {
                best = Some(form);
            }
        }
        let found = best?;
        let mut others: Vec<Vec<String>> = Vec::new();
        for &(group, _) in candidates {
            let forms = &self.groups[group];
            if !forms.iter().any(|f| f.as_slice() == found) {
                continue;
            }
            for form in forms {
                if form.as_slice() != found && !others.contains(form) {
                    others.push(form.clone());
                }
            }
        }
        Some(Found {
            words: found.len(),
            others,
        })
    }
}

/// The folded words of `text`.
pub fn folded_words(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    tokens(analyzer, text).into_iter().map(|t| t.text).collect()
}

/// Forms as text, sorted (for tests).
#[cfg(test)]
pub(crate) fn joined(forms: &[Vec<String>]) -> Vec<String> {
    let mut out: Vec<String> = forms.iter().map(|f| f.join(" ")).collect();
    out.sort();
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_list_parses_and_holds_the_usual_abbreviations() {
        let mut list = Abbreviations::default();
        list.add(BUILTIN).expect("the built-in list parses");
        assert!(list.len() >= 60, "{}", list.len());
        for (short, long) in [
            ("thcs", "trung hoc co so"),
            ("thpt", "trung hoc pho thong"),
            ("th", "tieu hoc"),
            ("mn", "mam non"),
            ("gddt", "giao duc va dao tao"),
            ("cchc", "cai cach hanh chinh"),
            ("tthc", "thu tuc hanh chinh"),
            ("ubnd", "uy ban nhan dan"),
            ("hdnd", "hoi dong nhan dan"),
            ("bhxh", "bao hiem xa hoi"),
            ("cccd", "can cuoc cong dan"),
            ("cmnd", "chung minh nhan dan"),
            ("qd", "quyet dinh"),
            ("nd", "nghi dinh"),
            ("tt", "thong tu"),
            ("kh", "ke hoach"),
            ("bc", "bao cao"),
        ] {
            let found = list.find(&[short], |_| true).unwrap_or_else(|| panic!("{short}"));
            assert!(joined(&found.others).contains(&long.to_string()), "{short}: {found:?}");
            let words: Vec<&str> = long.split(' ').collect();
            let back = list.find(&words, |_| true).unwrap_or_else(|| panic!("{long}"));
            assert_eq!(back.words, words.len());
            assert!(joined(&back.others).contains(&short.to_string()), "{long}: {back:?}");
        }
    }

    #[test]
    fn forms_are_compared_folded_and_the_longest_wins() {
        let mut list = Abbreviations::default();
        list.add("# ghi chú\n\nGD&ĐT = GDĐT = giáo dục và đào tạo\nSở GD&ĐT = SGDĐT\n")
            .unwrap();
        assert_eq!(list.len(), 2);
        let found = list.find(&["gd", "dt", "nam"], |_| true).unwrap();
        assert_eq!(found.words, 2);
        assert_eq!(joined(&found.others), ["gddt", "giao duc va dao tao"]);
        // `so gd dt`: the three words of the longer form.
        let found = list.find(&["so", "gd", "dt"], |_| true).unwrap();
        assert_eq!((found.words, joined(&found.others)), (3, vec!["sgddt".to_string()]));
        // A form may not end inside a word of the query.
        assert!(list.find(&["gd", "dt"], |n| n != 2).is_none());
        assert!(list.find(&["giao", "duc"], |_| true).is_none());
    }

    #[test]
    fn a_form_in_two_groups_gets_the_others_of_both() {
        let mut list = Abbreviations::default();
        list.add("TT = thông tư\nTT = trung tâm\n").unwrap();
        let found = list.find(&["tt"], |_| true).unwrap();
        assert_eq!(joined(&found.others), ["thong tu", "trung tam"]);
    }

    #[test]
    fn bad_lines_are_refused_with_their_number() {
        for (text, line) in [
            ("THCS = trung học cơ sở\nTHPT\n", 2),
            ("THCS =  = x\n", 1),
            ("# a\n\n !!! = ???\n", 3),
        ] {
            let error = Abbreviations::default().add(text).unwrap_err();
            assert_eq!(error.line, line, "{text:?}: {error}");
        }
        let long = format!("A = {}", "b ".repeat(MAX_FORM_WORDS + 1));
        assert!(Abbreviations::default().add(&long).is_err());
    }

    #[test]
    fn an_office_file_adds_to_the_builtin_list() {
        let dir = tempfile::tempdir().unwrap();
        let builtin = Abbreviations::load(dir.path()).unwrap().len();
        std::fs::write(dir.path().join(FILE_NAME), "PGDĐT HA = Phòng GD&ĐT Hải An\n").unwrap();
        let list = Abbreviations::load(dir.path()).unwrap();
        assert_eq!(list.len(), builtin + 1);
        let found = list.find(&["pgddt", "ha"], |_| true).unwrap();
        assert_eq!(joined(&found.others), ["phong gd dt hai an"]);
        std::fs::write(dir.path().join(FILE_NAME), "chỉ một cách viết\n").unwrap();
        let error = Abbreviations::load(dir.path()).unwrap_err().to_string();
        assert!(error.contains("line 1"), "{error}");
    }
}
