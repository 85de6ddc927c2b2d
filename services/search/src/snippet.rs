//! Snippets: the passage of an item's text that shows best why it matched, with
//! the matched words marked.
//!
//! - Each field's text (title, applicant, body) is scanned for the query's words, its
//!   phrases, its abbreviations' phrases, its respellings and its codes. The snippet
//!   comes from the field matching the most parts of the query, the title first when
//!   fields tie.
//! - A passage starts at the beginning of the line holding its first match (or a few
//!   words before the match in a long line), so that what precedes it on other lines
//!   (a revision's change summary, a file name) stays out.
//! - A word typed with diacritics (`sở`) is marked where it is written so (`sở`),
//!   and only where no such spelling is in the text, where it folds alike (`sơ`).

use std::collections::HashMap;

use tantivy::tokenizer::TextAnalyzer;

use crate::analysis::{codes_analyzer, folded_analyzer, tokens};
use crate::plan::{Plan, Unit};

/// Characters of a passage, at most.
pub const PASSAGE_CHARS: usize = 220;
/// Characters kept before the first match when its line starts further back.
const LEAD_CHARS: usize = 40;
/// Matches considered as the start of a passage in one text.
const MAX_STARTS: usize = 256;

/// What to mark, from a plan: each folded word or phrase with the clauses it is part of.
/// Clauses are sets of bits: a query has at most [`crate::syntax::MAX_PIECES`] (≤ 64).
type Clauses = u64;

fn bit(clause: usize) -> Clauses {
    1 << (clause % 64)
}

#[derive(Debug, Default)]
pub struct Marks {
    words: HashMap<String, Clauses>,
    /// Phrases by their first word: (the words, the clause, whether it is another
    /// form of the clause rather than the clause as typed).
    phrases: HashMap<String, Vec<(Vec<String>, Clauses, bool)>>,
    /// Folded word → how it was typed, when with diacritics.
    exact: HashMap<String, String>,
    codes: HashMap<String, Clauses>,
}

impl Marks {
    pub fn new(plan: &Plan) -> Marks {
        let mut marks = Marks::default();
        for (clause_id, clause) in plan.required.iter().enumerate() {
            for unit in &clause.units {
                match unit {
                    Unit::Word(word) => {
                        for folded in std::iter::once(&word.folded).chain(&word.fuzzy) {
                            marks.add_word(folded, clause_id);
                        }
                        if let Some(exact) = &word.exact {
                            marks.exact.insert(word.folded.clone(), exact.clone());
                        }
                    }
                    Unit::Phrase(words) => {
                        marks.add_phrase(words.iter().map(|w| w.folded.clone()).collect(), clause_id, false);
                    }
                }
            }
            for alternative in &clause.alternatives {
                marks.add_phrase(alternative.clone(), clause_id, true);
            }
            if let Some(code) = &clause.code {
                *marks.codes.entry(code.clone()).or_default() |= bit(clause_id);
            }
        }
        marks
    }

    fn add_word(&mut self, word: &str, clause: usize) {
        *self.words.entry(word.to_string()).or_default() |= bit(clause);
    }

    /// A phrase; one word of another form counts as a phrase of one (it is marked only
    /// where the clause as typed is not).
    fn add_phrase(&mut self, words: Vec<String>, clause: usize, other_form: bool) {
        match words.len() {
            0 => {}
            1 if !other_form => self.add_word(&words[0], clause),
            _ => self
                .phrases
                .entry(words[0].clone())
                .or_default()
                .push((words, bit(clause), other_form)),
        }
    }
}

/// A passage with its marks.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Passage {
    pub text: String,
    /// Marked ranges of `text`, in Unicode code points.
    pub highlights: Vec<(usize, usize)>,
    /// How many clauses of the query it shows.
    pub coverage: usize,
}

#[derive(Debug, Clone)]
struct Match<'m> {
    from: usize,
    to: usize,
    clauses: Clauses,
    /// The folded word it matched as a single word (for the exact-spelling rule).
    word: Option<&'m str>,
    /// It is another form of its clause (an abbreviation's).
    other_form: bool,
}

/// A phrase matched up to a word, waiting for the next.
struct Partial<'m> {
    phrase: &'m (Vec<String>, Clauses, bool),
    matched: usize,
    from: usize,
}

/// Analyzers, made once per search.
pub struct Snippets {
    folded: TextAnalyzer,
    codes: TextAnalyzer,
}

impl Default for Snippets {
    fn default() -> Self {
        Snippets {
            folded: folded_analyzer(),
            codes: codes_analyzer(),
        }
    }
}

/// Where a passage showing the match at `from` begins, its line starting at `line`:
/// the line's start, or a word boundary at most [`LEAD_CHARS`] before the match.
fn start_before(text: &str, line: usize, from: usize) -> usize {
    if from - line <= LEAD_CHARS {
        return line;
    }
    let Some((skip, _)) = text[line..from].char_indices().rev().nth(LEAD_CHARS - 1) else {
        return line;
    };
    let skip = line + skip;
    match text[skip..from].find(char::is_whitespace) {
        Some(space) => {
            let at = skip + space;
            at + text[at..].chars().next().map_or(0, char::len_utf8)
        }
        None => from,
    }
}

/// The byte index `chars` characters after `start`, or the end.
fn advance_chars(text: &str, start: usize, chars: usize) -> usize {
    text[start..]
        .char_indices()
        .nth(chars)
        .map_or(text.len(), |(i, _)| start + i)
}

impl Snippets {
    /// Every match of `marks` in `text`, in order. The tokens are streamed, not kept:
    /// phrases are followed word by word.
    fn matches<'m>(&mut self, marks: &'m Marks, text: &str) -> Vec<Match<'m>> {
        let mut out = Vec::new();
        let mut partials: Vec<Partial<'m>> = Vec::new();
        let mut stream = self.folded.token_stream(text);
        while stream.advance() {
            let token = stream.token();
            if let Some((word, clauses)) = marks.words.get_key_value(&token.text) {
                out.push(Match {
                    from: token.offset_from,
                    to: token.offset_to,
                    clauses: *clauses,
                    word: Some(word.as_str()),
                    other_form: false,
                });
            }
            // Phrases under way that this word goes on (or ends), then those it starts.
            partials.retain_mut(|p| {
                if p.phrase.0[p.matched] != token.text {
                    return false;
                }
                p.matched += 1;
                true
            });
            partials.extend(
                marks
                    .phrases
                    .get(&token.text)
                    .into_iter()
                    .flatten()
                    .map(|phrase| Partial {
                        phrase,
                        matched: 1,
                        from: token.offset_from,
                    }),
            );
            partials.retain(|p| {
                let done = p.matched == p.phrase.0.len();
                if done {
                    out.push(Match {
                        from: p.from,
                        to: token.offset_to,
                        clauses: p.phrase.1,
                        word: None,
                        other_form: p.phrase.2,
                    });
                }
                !done
            });
        }
        if !marks.codes.is_empty() {
            for token in tokens(&mut self.codes, text) {
                if let Some(&clauses) = marks.codes.get(&token.text) {
                    out.push(Match {
                        from: token.offset_from,
                        to: token.offset_to,
                        clauses,
                        word: None,
                        other_form: false,
                    });
                }
            }
        }
        // Another form of a clause (`QT` for "quy trình") only where the text does not
        // have the clause as typed.
        let as_typed = out
            .iter()
            .filter(|m| !m.other_form)
            .fold(0, |clauses, m| clauses | m.clauses);
        out.retain(|m| !m.other_form || m.clauses & !as_typed != 0);
        // A word typed with diacritics: where the text has that spelling, only it.
        for (folded, exact) in &marks.exact {
            let spelled = |m: &Match| text[m.from..m.to].to_lowercase() == *exact;
            let is_word = |m: &Match| m.word == Some(folded.as_str());
            if out.iter().any(|m| is_word(m) && spelled(m)) {
                out.retain(|m| !is_word(m) || spelled(m));
            }
        }
        out.sort_by_key(|m| (m.from, std::cmp::Reverse(m.to)));
        out
    }

    /// The best passage of `text` for `marks`; `one_line` keeps it to one line (for
    /// personal data: only the line that matched is shown).
    pub fn passage(&mut self, marks: &Marks, text: &str, one_line: bool) -> Option<Passage> {
        let matches = self.matches(marks, text);
        let mut best: Option<(usize, usize, usize, usize)> = None; // (coverage, count, start, end)
        // The start of the line of the match at hand, found scanning forward only.
        let (mut line, mut scanned) = (0, 0);
        for first in matches.iter().take(MAX_STARTS) {
            if let Some(newline) = text[scanned..first.from].rfind('\n') {
                line = scanned + newline + 1;
            }
            scanned = scanned.max(first.from);
            let start = start_before(text, line, first.from);
            let mut end = advance_chars(text, start, PASSAGE_CHARS);
            if one_line {
                end = end.min(text[start..].find('\n').map_or(text.len(), |i| start + i));
            }
            let (mut clauses, mut count) = (0, 0);
            for m in &matches[matches.partition_point(|m| m.from < start)..] {
                if m.from >= end {
                    break;
                }
                if m.to <= end {
                    clauses |= m.clauses;
                    count += 1;
                }
            }
            let candidate = (clauses.count_ones() as usize, count, start, end);
            if best.is_none_or(|b| (candidate.0, candidate.1) > (b.0, b.1)) {
                best = Some(candidate);
            }
        }
        let (coverage, _, start, mut end) = best?;
        // Not cut inside a word: back to the last space when the text goes on.
        if end < text.len()
            && let Some(space) = text[start..end].rfind(char::is_whitespace)
        {
            let last_match = matches
                .iter()
                .filter(|m| m.from >= start && m.to <= end)
                .map(|m| m.to)
                .max()
                .unwrap_or(start);
            if start + space >= last_match {
                end = start + space;
            }
        }
        let passage = &text[start..end];
        let mut highlights: Vec<(usize, usize)> = Vec::new();
        for m in matches.iter().filter(|m| m.from >= start && m.to <= end) {
            let from = passage[..m.from - start].chars().count();
            let to = from + text[m.from..m.to].chars().count();
            match highlights.last_mut() {
                Some(last) if from < last.1 => last.1 = last.1.max(to),
                _ => highlights.push((from, to)),
            }
        }
        let text: String = passage
            .trim_end()
            .chars()
            .map(|c| if c.is_whitespace() { ' ' } else { c })
            .collect();
        let length = text.chars().count();
        highlights.retain(|&(_, to)| to <= length);
        Some(Passage {
            text,
            highlights,
            coverage,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::abbreviations::Abbreviations;

    fn marked(query: &str, text: &str) -> String {
        let plan = Plan::new(query, &Abbreviations::builtin());
        let passage = Snippets::default()
            .passage(&Marks::new(&plan), text, false)
            .unwrap_or_default();
        let chars: Vec<char> = passage.text.chars().collect();
        let mut out = String::new();
        let mut at = 0;
        for (from, to) in passage.highlights {
            out.extend(&chars[at..from]);
            out.push('[');
            out.extend(&chars[from..to]);
            out.push(']');
            at = to;
        }
        out.extend(&chars[at..]);
        out
    }

    #[test]
    fn a_passage_starts_at_the_line_of_its_match() {
        let body = "Ban hành lần đầu\nqt-gd-01.docx\nTiếp nhận hồ sơ chuyển trường tại bộ phận một cửa.";
        assert_eq!(
            marked("chuyen truong", body),
            "Tiếp nhận hồ sơ [chuyển] [trường] tại bộ phận một cửa."
        );
    }

    #[test]
    fn a_long_line_is_shown_from_a_few_words_before_the_match() {
        let body = format!("{} chuyển trường cuối cùng", "nội dung dài ".repeat(50));
        let shown = marked("chuyen truong", &body);
        assert!(shown.ends_with("[chuyển] [trường] cuối cùng"), "{shown}");
        assert!(shown.chars().count() <= LEAD_CHARS + 30, "{shown}");
        // It starts at a word.
        let plain = shown.replace(['[', ']'], "");
        assert!(body.contains(&format!(" {plain}")), "{shown}");
    }

    #[test]
    fn words_typed_with_diacritics_are_marked_where_so_spelt() {
        let text = "Sở giáo dục, sơ đồ tổ chức và cơ sở vật chất";
        assert_eq!(marked("sở", text), "[Sở] giáo dục, sơ đồ tổ chức và cơ [sở] vật chất");
        // Where only other spellings are there, they are marked.
        assert_eq!(marked("sở", "sơ đồ tổ chức"), "[sơ] đồ tổ chức");
        assert_eq!(marked("so", text), "[Sở] giáo dục, [sơ] đồ tổ chức và cơ [sở] vật chất");
    }

    #[test]
    fn abbreviations_phrases_and_codes_are_marked_whole() {
        assert_eq!(
            marked("thcs", "Trường trung học cơ sở Đằng Lâm; cơ sở vật chất"),
            "Trường [trung học cơ sở] Đằng Lâm; cơ sở vật chất"
        );
        assert_eq!(
            marked("1004492", "1.004492 Cho phép trường mầm non hoạt động giáo dục"),
            "[1.004492] Cho phép trường mầm non hoạt động giáo dục"
        );
    }

    #[test]
    fn another_form_is_marked_only_where_the_words_typed_are_not() {
        assert_eq!(
            marked("quy trinh kiem tra", "QT-01 Quy trình kiểm tra nội bộ"),
            "QT-01 [Quy] [trình] [kiểm] [tra] nội bộ"
        );
        assert_eq!(
            marked("quy trinh kiem tra", "QT-01 kiểm tra nội bộ"),
            "[QT]-01 [kiểm] [tra] nội bộ"
        );
    }

    #[test]
    fn the_passage_with_most_parts_of_the_query_wins() {
        let text = format!(
            "chuyển đi {}\nHồ sơ chuyển trường tiểu học.\ntrường học",
            "nơi khác ".repeat(30)
        );
        assert_eq!(
            marked("chuyen truong tieu hoc", &text),
            "Hồ sơ [chuyển] [trường] [tiểu] [học]. [trường] [học]"
        );
        let mut snippets = Snippets::default();
        let plan = Plan::new("chuyen", &Abbreviations::builtin());
        assert!(snippets.passage(&Marks::new(&plan), "không có", false).is_none());
        let one = snippets
            .passage(&Marks::new(&plan), "Nguyễn Văn A\nchuyển\n0912", true)
            .unwrap();
        assert_eq!(one.text, "chuyển");
    }
}
