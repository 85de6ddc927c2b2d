//! Typo tolerance: the words of the index spelled like a query word, found in the
//! term dictionaries with tantivy's Levenshtein automaton (the one
//! [`FuzzyTermQuery`] uses), bounded in number so that no query expands to thousands
//! of terms.

use std::collections::HashMap;

use tantivy::query::FuzzyTermQuery;
use tantivy::schema::Field;
use tantivy::{Searcher, Term};

use crate::plan::Plan;

/// Most words one query word is respelled as (the closest, then the most frequent).
pub const MAX_PER_WORD: usize = 8;
/// Most respelled words in one query.
pub const MAX_TERMS: usize = 32;
/// Most dictionary entries read for one word, over every segment and field.
const MAX_SCANNED: usize = 1_000;

/// The edits a word may be away from what was typed: none for words of fewer than 4
/// letters (or with digits: codes are typed as they are), 1 from 4 letters, 2 from 8.
pub fn distance_for(folded: &str) -> u8 {
    if !folded.chars().all(char::is_alphabetic) {
        return 0;
    }
    match folded.chars().count() {
        n if n >= 8 => 2,
        n if n >= 4 => 1,
        _ => 0,
    }
}

/// Edit distance with adjacent transpositions counted as one edit (optimal string
/// alignment), as the automaton counts them.
pub fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    for i in 0..=a.len() {
        d[i * width] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(width) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[(i - 1) * width + j] + 1)
                .min(d[i * width + j - 1] + 1)
                .min(d[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[(i - 2) * width + j - 2] + 1);
            }
            d[i * width + j] = best;
        }
    }
    d[a.len() * width + b.len()]
}

/// The words of `fields` spelled like `word` (not `word` itself), closest and most
/// frequent first, at most `max`.
pub fn spelled_like(searcher: &Searcher, fields: &[Field], word: &str, max: usize) -> tantivy::Result<Vec<String>> {
    let edits = distance_for(word);
    let (Some(&first), true) = (fields.first(), edits > 0 && max > 0) else {
        return Ok(Vec::new());
    };
    let automaton = FuzzyTermQuery::new(Term::from_field_text(first, word), edits, true).automaton()?;
    let mut found: HashMap<String, u64> = HashMap::new();
    let mut scanned = 0;
    'scan: for segment in searcher.segment_readers() {
        for &field in fields {
            let inverted = segment.inverted_index(field)?;
            let mut stream = inverted.terms().search(&automaton).into_stream()?;
            while stream.advance() {
                scanned += 1;
                if scanned > MAX_SCANNED {
                    break 'scan;
                }
                let Ok(term) = std::str::from_utf8(stream.key()) else {
                    continue;
                };
                if term != word && term.chars().all(char::is_alphabetic) {
                    *found.entry(term.to_string()).or_default() += u64::from(stream.value().doc_freq);
                }
            }
        }
    }
    let mut ranked: Vec<(usize, u64, String)> = found
        .into_iter()
        .map(|(term, count)| (distance(word, &term), count, term))
        .collect();
    ranked.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then_with(|| a.2.cmp(&b.2)));
    Ok(ranked.into_iter().take(max).map(|(_, _, term)| term).collect())
}

/// Whether `word` is in none of `fields`.
fn absent(searcher: &Searcher, fields: &[Field], word: &str) -> tantivy::Result<bool> {
    for &field in fields {
        if searcher.doc_freq(&Term::from_field_text(field, word))? > 0 {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Fills the respellings of the plan's words that are in none of `fields` (a word
/// the index holds is taken as meant); whether any was found.
pub fn expand(searcher: &Searcher, fields: &[Field], plan: &mut Plan) -> tantivy::Result<bool> {
    let mut budget = MAX_TERMS;
    let mut any = false;
    for word in plan.misspellable() {
        if budget == 0 || !absent(searcher, fields, &word.folded)? {
            continue;
        }
        let max = budget.min(MAX_PER_WORD);
        word.fuzzy = spelled_like(searcher, fields, &word.folded, max)?;
        budget -= word.fuzzy.len();
        any |= !word.fuzzy.is_empty();
    }
    Ok(any)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_allowed_grow_with_the_word() {
        assert_eq!(distance_for("thi"), 0);
        assert_eq!(distance_for("truogn"), 1);
        assert_eq!(distance_for("chuyenxyz"), 2);
        assert_eq!(distance_for("1004492"), 0);
        assert_eq!(distance_for("qt01"), 0);
    }

    #[test]
    fn a_transposition_is_one_edit() {
        assert_eq!(distance("truogn", "truong"), 1);
        assert_eq!(distance("chuyen", "chuyen"), 0);
        assert_eq!(distance("chuyen", "chuyn"), 1);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("kiem", "kiemtra"), 3);
    }
}
