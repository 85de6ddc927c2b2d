//! The logical query: the [pieces](crate::syntax) of what was typed, analysed into
//! folded words, with the abbreviations they may stand for and the codes they may be.
//! [`crate::query`] turns a plan into tantivy queries; [`crate::snippet`] highlights
//! what it matches.

use tantivy::tokenizer::TextAnalyzer;

use crate::abbreviations::Abbreviations;
use crate::analysis::{code_key, folded_analyzer, tokens};
use crate::syntax::{self, Piece};

/// Most words of one phrase (quoted, or a code such as `61/2018/NĐ-CP`).
pub const MAX_PHRASE_WORDS: usize = 16;
/// Most ways of writing one quoted phrase with its abbreviations swapped.
pub const MAX_VARIANTS: usize = 8;

/// One word of the query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// Lower case, diacritics folded: what the folded fields hold.
    pub folded: String,
    /// Lower case with its diacritics, when it was typed with some (`sở`), for the
    /// exact fields; `None` when typed without (`so`).
    pub exact: Option<String>,
    /// Words of the index spelled alike (typo tolerance), filled by the fuzzy stage.
    pub fuzzy: Vec<String>,
}

impl Word {
    /// Whether the fuzzy stage may look for words spelled like it: letters only, and
    /// long enough for one edit not to make it another word (see [`crate::fuzzy`]).
    pub fn may_be_misspelt(&self) -> bool {
        crate::fuzzy::distance_for(&self.folded) > 0
    }
}

/// Something every match holds: a word anywhere, or words side by side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unit {
    Word(Word),
    Phrase(Vec<Word>),
}

impl Unit {
    fn of(mut words: Vec<Word>) -> Option<Unit> {
        match words.len() {
            0 => None,
            1 => words.pop().map(Unit::Word),
            _ => Some(Unit::Phrase(words)),
        }
    }

    pub fn words(&self) -> &[Word] {
        match self {
            Unit::Word(word) => std::slice::from_ref(word),
            Unit::Phrase(words) => words,
        }
    }
}

/// A part of the query a match must satisfy (or, excluded, must not): all its units,
/// or one of its alternatives, or its code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    pub units: Vec<Unit>,
    /// Other ways of writing it (abbreviations), each a phrase of folded words.
    pub alternatives: Vec<Vec<String>>,
    /// The code it may be, joined as the `codes` field holds it (`1004492`).
    pub code: Option<String>,
}

/// What was typed, as clauses.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub required: Vec<Clause>,
    pub excluded: Vec<Clause>,
    /// The pieces as typed, each with its single word if it is one (for suggestions).
    pub pieces: Vec<(Piece, Option<String>)>,
}

fn analyse(analyzer: &mut TextAnalyzer, text: &str) -> Vec<Word> {
    tokens(analyzer, text)
        .into_iter()
        .take(MAX_PHRASE_WORDS)
        .map(|token| {
            let exact = text
                .get(token.offset_from..token.offset_to)
                .map(str::to_lowercase)
                .filter(|exact| *exact != token.text);
            Word {
                folded: token.text,
                exact,
                fuzzy: Vec::new(),
            }
        })
        .collect()
}

fn folded(words: &[Word]) -> Vec<&str> {
    words.iter().map(|w| w.folded.as_str()).collect()
}

fn code_of(words: &[Word]) -> Option<String> {
    code_key(&folded(words))
}

/// The other ways of writing `words` with each abbreviation in them swapped for its
/// other forms, at most [`MAX_VARIANTS`].
fn variants(abbreviations: &Abbreviations, words: &[&str]) -> Vec<Vec<String>> {
    // Segments of the phrase, each with its ways of writing (the first as typed).
    let mut segments: Vec<Vec<Vec<String>>> = Vec::new();
    let mut at = 0;
    while at < words.len() {
        match abbreviations.find(&words[at..], |_| true) {
            Some(found) => {
                let mut ways = vec![words[at..at + found.words].iter().map(|w| w.to_string()).collect()];
                ways.extend(found.others);
                segments.push(ways);
                at += found.words;
            }
            None => {
                segments.push(vec![vec![words[at].to_string()]]);
                at += 1;
            }
        }
    }
    let mut out: Vec<Vec<String>> = vec![Vec::new()];
    for ways in &segments {
        let mut next = Vec::new();
        'product: for prefix in &out {
            for way in ways {
                if next.len() > MAX_VARIANTS {
                    break 'product;
                }
                let mut variant = prefix.clone();
                variant.extend(way.iter().cloned());
                next.push(variant);
            }
        }
        out = next;
    }
    // The first is the phrase as typed.
    out.into_iter().skip(1).take(MAX_VARIANTS).collect()
}

/// A quoted phrase, or an excluded piece: one clause with the abbreviations it holds.
fn whole(abbreviations: &Abbreviations, piece: &Piece, words: Vec<Word>) -> Option<Clause> {
    let code = code_of(&words);
    let alternatives = if piece.quoted {
        variants(abbreviations, &folded(&words))
    } else {
        let n = words.len();
        abbreviations
            .find(&folded(&words), |end| end == n)
            .map(|found| found.others)
            .unwrap_or_default()
    };
    Some(Clause {
        units: vec![Unit::of(words)?],
        alternatives,
        code,
    })
}

impl Plan {
    /// The plan of `text`.
    pub fn new(text: &str, abbreviations: &Abbreviations) -> Plan {
        let mut analyzer = folded_analyzer();
        let mut plan = Plan::default();
        let analysed: Vec<(Piece, Vec<Word>)> = syntax::pieces(text)
            .into_iter()
            .map(|piece| {
                let words = analyse(&mut analyzer, &piece.text);
                (piece, words)
            })
            .filter(|(_, words)| !words.is_empty())
            .collect();
        for (piece, words) in &analysed {
            let single = (!piece.quoted && words.len() == 1).then(|| words[0].folded.clone());
            plan.pieces.push((piece.clone(), single));
        }
        let mut at = 0;
        while at < analysed.len() {
            let (piece, words) = &analysed[at];
            if piece.excluded || piece.quoted {
                let clause = whole(abbreviations, piece, words.clone());
                let target = if piece.excluded {
                    &mut plan.excluded
                } else {
                    &mut plan.required
                };
                target.extend(clause);
                at += 1;
                continue;
            }
            // The plain pieces from here: the longest abbreviation starting here that
            // ends at the end of a piece.
            let run: Vec<&(Piece, Vec<Word>)> = analysed[at..]
                .iter()
                .take_while(|(p, _)| !p.excluded && !p.quoted)
                .collect();
            let mut ends = Vec::new();
            let mut all = Vec::new();
            for (_, words) in &run {
                all.extend(folded(words));
                ends.push(all.len());
            }
            let found = abbreviations.find(&all, |n| ends.contains(&n));
            let (taken, alternatives) = match found {
                Some(found) => (
                    ends.iter().position(|&e| e == found.words).map_or(1, |i| i + 1),
                    found.others,
                ),
                None => (1, Vec::new()),
            };
            let units: Vec<Unit> = run[..taken].iter().filter_map(|(_, w)| Unit::of(w.clone())).collect();
            let code = if taken == 1 { code_of(words) } else { None };
            plan.required.push(Clause {
                units,
                alternatives,
                code,
            });
            at += taken;
        }
        plan
    }

    /// Whether any required word was typed with diacritics.
    pub fn has_diacritics(&self) -> bool {
        self.required
            .iter()
            .flat_map(|c| &c.units)
            .flat_map(Unit::words)
            .any(|w| w.exact.is_some())
    }

    /// The required single words the fuzzy stage may respell.
    pub fn misspellable(&mut self) -> impl Iterator<Item = &mut Word> {
        self.required
            .iter_mut()
            .flat_map(|c| c.units.iter_mut())
            .filter_map(|u| match u {
                Unit::Word(word) if word.may_be_misspelt() => Some(word),
                _ => None,
            })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::abbreviations::joined;

    fn list() -> Abbreviations {
        Abbreviations::builtin()
    }

    fn word(folded: &str) -> Word {
        Word {
            folded: folded.into(),
            exact: None,
            fuzzy: Vec::new(),
        }
    }

    #[test]
    fn an_abbreviation_stands_for_its_phrase_and_the_reverse() {
        let plan = Plan::new("chuyen truong thcs", &list());
        assert_eq!(plan.required.len(), 3);
        let thcs = &plan.required[2];
        assert_eq!(thcs.units, [Unit::Word(word("thcs"))]);
        assert_eq!(joined(&thcs.alternatives), ["trung hoc co so"]);

        let plan = Plan::new("chuyển trường trung học cơ sở", &list());
        assert_eq!(plan.required.len(), 3, "{plan:?}");
        let long = &plan.required[2];
        assert_eq!(long.units.len(), 4, "each word still counts on its own");
        assert_eq!(joined(&long.alternatives), ["thcs"]);
        assert!(plan.has_diacritics());
        assert_eq!(plan.required[0].units[0].words()[0].exact.as_deref(), Some("chuyển"));
    }

    #[test]
    fn a_spelling_with_punctuation_is_one_form() {
        let plan = Plan::new("nganh gd&dt", &list());
        let gd = plan.required.last().unwrap();
        assert_eq!(gd.units, [Unit::Phrase(vec![word("gd"), word("dt")])]);
        assert!(joined(&gd.alternatives).contains(&"giao duc va dao tao".to_string()));
        // "Phòng GD&ĐT" is a form itself: the two pieces make one clause.
        let plan = Plan::new("phong gd&dt", &list());
        assert_eq!(plan.required.len(), 1, "{plan:?}");
        assert_eq!(plan.required[0].units.len(), 2);
        let alternatives = joined(&plan.required[0].alternatives);
        assert!(alternatives.contains(&"pgddt".to_string()), "{alternatives:?}");
        assert!(alternatives.contains(&"phong giao duc va dao tao".to_string()));
    }

    #[test]
    fn codes_with_or_without_dots_meet_in_one_key() {
        for text in ["1.004492", "1004492"] {
            let plan = Plan::new(text, &list());
            assert_eq!(plan.required[0].code.as_deref(), Some("1004492"), "{text}");
        }
        let plan = Plan::new("61/2018/NĐ-CP", &list());
        assert_eq!(plan.required[0].code.as_deref(), Some("612018ndcp"));
        assert_eq!(plan.required[0].units[0].words().len(), 4);
        assert_eq!(
            Plan::new("QT-TTHC-01", &list()).required[0].code.as_deref(),
            Some("qttthc01")
        );
        assert_eq!(Plan::new("tthc", &list()).required[0].code, None);
    }

    #[test]
    fn quoted_phrases_get_their_abbreviations_swapped() {
        let plan = Plan::new("\"truong thcs dang lam\"", &list());
        let clause = &plan.required[0];
        assert_eq!(clause.units.len(), 1);
        assert_eq!(joined(&clause.alternatives), ["truong trung hoc co so dang lam"]);
        // Many abbreviations in one phrase: bounded.
        let many = format!("\"{}\"", "tt ".repeat(15));
        assert!(Plan::new(&many, &list()).required[0].alternatives.len() <= MAX_VARIANTS);
    }

    #[test]
    fn exclusions_and_lone_punctuation() {
        let plan = Plan::new("chuyen truong - tieu hoc + -thcs", &list());
        assert_eq!(plan.required.len(), 3, "chuyen, truong, tieu hoc: {plan:?}");
        assert_eq!(joined(&plan.required[2].alternatives), ["th"]);
        assert_eq!(plan.excluded.len(), 1);
        assert_eq!(joined(&plan.excluded[0].alternatives), ["trung hoc co so"]);
        assert!(Plan::new("- + – ???", &list()).required.is_empty());
    }

    #[test]
    fn only_long_letter_words_may_be_misspelt() {
        let mut plan = Plan::new("ho so chuyen truogn 2024 \"tiep nhan\"", &list());
        let words: Vec<String> = plan.misspellable().map(|w| w.folded.clone()).collect();
        assert_eq!(words, ["chuyen", "truogn"]);
    }
}
