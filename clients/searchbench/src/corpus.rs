//! The synthetic corpus and the query set, both deterministic from a seed,
//! and the ground truth: which documents contain every word of a query once
//! both are folded (NFC, lower case, diacritics removed, đ→d), found by a
//! plain scan that shares no code with any engine.

use std::collections::{HashMap, HashSet};

use eiso_benchkit::splitmix::SplitMix64;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::vocab::{self, Topic};

/// SplitMix64 (`eiso-benchkit`), with the draws the corpus needs.
pub struct Rng(SplitMix64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(SplitMix64(seed ^ 0x005e_ed0f_e150))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 * n as f64) as usize % n.max(1)
    }

    /// Uniform in `lo..=hi`.
    pub fn between(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// One of `words`.
    pub fn word(&mut self, words: &[&'static str]) -> &'static str {
        words[self.below(words.len())]
    }

    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}

/// Zipf-distributed ranks: rank `r` (from 0) has weight `1 / (r + 1)^s`.
pub struct Zipf {
    cumulative: Vec<f64>,
}

impl Zipf {
    pub fn new(n: usize, s: f64) -> Self {
        let mut total = 0.0;
        let cumulative = (0..n)
            .map(|r| {
                total += 1.0 / ((r + 1) as f64).powf(s);
                total
            })
            .collect();
        Zipf { cumulative }
    }

    pub fn sample(&self, rng: &mut Rng) -> usize {
        let total = self.cumulative.last().copied().unwrap_or(0.0);
        let x = rng.unit() * total;
        self.cumulative
            .partition_point(|&c| c <= x)
            .min(self.cumulative.len() - 1)
    }
}

/// One document of the corpus.
pub struct Doc {
    pub title: String,
    pub body: String,
    /// Title and body are in decomposed form (NFD).
    pub nfd: bool,
    pub unit: usize,
    pub item_type: &'static str,
    pub status: &'static str,
    /// Seconds since the Unix epoch.
    pub update_time: i64,
}

pub struct Corpus {
    pub docs: Vec<Doc>,
}

impl Corpus {
    /// UTF-8 bytes of title + body over all documents.
    pub fn text_bytes(&self) -> usize {
        self.docs.iter().map(|d| d.title.len() + d.body.len()).sum()
    }
}

/// Folding for the ground truth: NFD, combining marks dropped, đ→d, lower case.
pub fn fold(text: &str) -> String {
    text.nfd()
        .filter(|c| !is_combining_mark(*c))
        .map(|c| match c {
            'đ' | 'Đ' => 'd',
            c => c,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// Words of (folded) text: maximal runs of letters and digits.
pub fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty())
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

struct Generator {
    rng: Rng,
    function: Zipf,
    /// Every content word (general and all topics), in a seeded frequency order.
    content: Vec<&'static str>,
    content_zipf: Zipf,
    topic_zipfs: Vec<Zipf>,
    /// Every full name (family, middle, given), in a seeded order: the long tail.
    people: Vec<String>,
    people_zipf: Zipf,
}

impl Generator {
    fn new(seed: u64) -> Self {
        let mut rng = Rng::new(seed);
        let mut seen = HashSet::new();
        let mut content: Vec<&'static str> = vocab::GENERAL
            .iter()
            .chain(vocab::TOPICS.iter().flat_map(|t| t.words.iter()))
            .copied()
            .filter(|w| seen.insert(*w))
            .collect();
        rng.shuffle(&mut content);
        let content_zipf = Zipf::new(content.len(), 1.0);
        let topic_zipfs = vocab::TOPICS.iter().map(|t| Zipf::new(t.words.len(), 0.8)).collect();
        let mut people: Vec<String> = vocab::FAMILY_NAMES
            .iter()
            .flat_map(|family| {
                vocab::MIDDLE_NAMES.iter().flat_map(move |middle| {
                    vocab::GIVEN_NAMES
                        .iter()
                        .map(move |given| format!("{family} {middle} {given}"))
                })
            })
            .collect();
        rng.shuffle(&mut people);
        let people_zipf = Zipf::new(people.len(), 0.9);
        Generator {
            rng,
            function: Zipf::new(vocab::FUNCTION.len(), 1.1),
            content,
            content_zipf,
            topic_zipfs,
            people,
            people_zipf,
        }
    }

    fn person(&mut self) -> String {
        let title = self.rng.word(&["ông", "bà", "em", "thầy", "cô", "đồng chí"]);
        let name = &self.people[self.people_zipf.sample(&mut self.rng)];
        format!("{title} {name}")
    }

    fn school(&mut self) -> String {
        let level = self.rng.word(vocab::LEVELS);
        let name = self.rng.word(vocab::SCHOOL_NAMES);
        format!("trường {level} {name}")
    }

    fn place(&mut self) -> String {
        let kind = self
            .rng
            .word(&["phường", "xã", "thị trấn", "quận", "huyện", "tỉnh", "thành phố"]);
        let place = self.rng.word(vocab::PLACES);
        format!("{kind} {place}")
    }

    fn entity(&mut self) -> String {
        match self.rng.below(5) {
            0 | 1 => self.person(),
            2 => self.school(),
            _ => self.place(),
        }
    }

    fn year(&mut self) -> usize {
        self.rng.between(2018, 2026)
    }

    fn reference(&mut self) -> String {
        match self.rng.below(3) {
            0 => format!(
                "ngày {} tháng {} năm {}",
                self.rng.between(1, 28),
                self.rng.between(1, 12),
                self.year()
            ),
            1 => format!(
                "số {}/{}/{}",
                self.rng.between(1, 999),
                self.year(),
                self.rng.word(vocab::NUMBER_SUFFIXES)
            ),
            _ => format!("năm học {}-{}", self.year(), self.year() + 1),
        }
    }

    fn title(&mut self, topic: &Topic) -> String {
        let mut title = self.rng.word(vocab::TITLE_HEADS).to_string();
        if self.rng.chance(0.7) {
            title.push(' ');
            title.push_str(self.rng.word(vocab::TITLE_ACTIONS));
        }
        title.push(' ');
        title.push_str(self.rng.word(topic.objects));
        if self.rng.chance(0.75) {
            let qualifier = match self.rng.below(7) {
                0 => format!("cấp {}", self.rng.word(vocab::LEVELS)),
                1 => {
                    let year = self.year();
                    format!("năm học {year}-{}", year + 1)
                }
                2 => format!("tại ủy ban nhân dân {}", self.place()),
                3 => format!("của {}", self.school()),
                4 => format!("trên địa bàn {}", self.place()),
                5 => format!("quý {} năm {}", self.rng.word(&["I", "II", "III", "IV"]), self.year()),
                _ => "theo cơ chế một cửa".to_string(),
            };
            title.push(' ');
            title.push_str(&qualifier);
        }
        title
    }

    /// A body of 50–400 words (syllables, as whitespace separates them),
    /// references and the heading not counted.
    fn body(&mut self, topic_index: usize) -> String {
        let topic = &vocab::TOPICS[topic_index];
        let target = self.rng.between(50, 400);
        let mut body = String::with_capacity(target * 8);
        if self.rng.chance(0.25) {
            body.push_str(self.rng.word(vocab::HEADINGS));
            body.push('\n');
        }
        let mut words = 0;
        let mut sentences = 0;
        while words < target {
            let length = self.rng.between(5, 14);
            let mut sentence: Vec<String> = Vec::with_capacity(length + 1);
            for _ in 0..length {
                let r = self.rng.unit();
                let word = if r < 0.28 {
                    vocab::FUNCTION[self.function.sample(&mut self.rng)].to_string()
                } else if r < 0.65 {
                    topic.words[self.topic_zipfs[topic_index].sample(&mut self.rng)].to_string()
                } else if r < 0.90 {
                    self.content[self.content_zipf.sample(&mut self.rng)].to_string()
                } else {
                    self.entity()
                };
                let syllables = word.split(' ').count();
                if words + syllables > target && !sentence.is_empty() {
                    words = target;
                    break;
                }
                words += syllables;
                sentence.push(word);
            }
            if self.rng.chance(0.12) {
                let at = self.rng.below(sentence.len() + 1);
                sentence.insert(at, self.reference());
            }
            let mut text = String::new();
            for (i, word) in sentence.iter().enumerate() {
                if i > 0 {
                    text.push_str(if self.rng.chance(0.06) { ", " } else { " " });
                }
                text.push_str(word);
            }
            if !body.is_empty() && !body.ends_with('\n') {
                body.push(' ');
            }
            body.push_str(&capitalise(&text));
            body.push(if self.rng.chance(0.1) { ';' } else { '.' });
            sentences += 1;
            if sentences % self.rng.between(3, 6) == 0 {
                body.push('\n');
            }
        }
        body
    }

    fn doc(&mut self) -> Doc {
        let topic = self.rng.below(vocab::TOPICS.len());
        let mut title = self.title(&vocab::TOPICS[topic]);
        let mut body = self.body(topic);
        let nfd = self.rng.chance(0.10);
        if nfd {
            title = title.nfd().collect();
            body = body.nfd().collect();
        }
        Doc {
            title,
            body,
            nfd,
            unit: self.rng.below(40),
            item_type: self.rng.word(vocab::ITEM_TYPES),
            status: self.rng.word(vocab::STATUSES),
            update_time: 1_577_836_800 + self.rng.below(6 * 365 * 86_400) as i64,
        }
    }
}

/// `docs` documents from `seed`.
pub fn generate(docs: usize, seed: u64) -> Corpus {
    let mut generator = Generator::new(seed);
    Corpus {
        docs: (0..docs).map(|_| generator.doc()).collect(),
    }
}

/// A query as a user types it: lower case, no diacritics.
pub struct Query {
    pub text: String,
    /// Where it comes from: `title`, `body`, `topic` or `vocabulary`.
    pub origin: &'static str,
    /// Whether the words it was typed from had a đ (folded to d by the user).
    pub had_d_stroke: bool,
}

/// Every word the generator writes, lower case, to cut text back into words.
struct Lexicon {
    words: HashSet<String>,
    function: HashSet<String>,
    /// Syllables in the longest word.
    longest: usize,
}

impl Lexicon {
    fn new() -> Self {
        let lists: [&[&str]; 9] = [
            vocab::FUNCTION,
            vocab::GENERAL,
            vocab::TITLE_HEADS,
            vocab::TITLE_ACTIONS,
            vocab::LEVELS,
            vocab::PLACES,
            vocab::SCHOOL_NAMES,
            vocab::HEADINGS,
            vocab::GIVEN_NAMES,
        ];
        let mut words: HashSet<String> = lists.iter().flat_map(|l| l.iter()).map(|w| w.to_lowercase()).collect();
        for topic in vocab::TOPICS {
            words.extend(topic.words.iter().chain(topic.objects).map(|w| w.to_lowercase()));
        }
        for family in vocab::FAMILY_NAMES {
            for middle in vocab::MIDDLE_NAMES {
                for given in vocab::GIVEN_NAMES {
                    words.insert(format!("{family} {middle} {given}").to_lowercase());
                }
            }
        }
        let longest = words.iter().map(|w| w.split(' ').count()).max().unwrap_or(1);
        let function = vocab::FUNCTION.iter().map(|w| w.to_string()).collect();
        Lexicon {
            words,
            function,
            longest,
        }
    }

    /// Cuts `tokens` (syllables) into words, longest match first: (start, syllables, known).
    fn segments(&self, tokens: &[&str]) -> Vec<(usize, usize, bool)> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < tokens.len() {
            let found = (1..=self.longest.min(tokens.len() - i))
                .rev()
                .find(|&n| self.words.contains(&tokens[i..i + n].join(" ")));
            let n = found.unwrap_or(1);
            out.push((i, n, found.is_some()));
            i += n;
        }
        out
    }
}

/// `count` distinct queries of 1–4 syllables: one or two words (as the
/// generator wrote them) from the title or the body of a random document, or
/// words of the vocabulary (which may match nothing).
pub fn queries(corpus: &Corpus, count: usize, seed: u64) -> Vec<Query> {
    let mut rng = Rng::new(seed.wrapping_mul(31).wrapping_add(7));
    let lexicon = Lexicon::new();
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(count);
    let mut attempts = 0;
    while out.len() < count && attempts < count * 100 {
        attempts += 1;
        let roll = rng.below(10);
        let (origin, original): (&'static str, String) = if roll < 7 {
            let doc = &corpus.docs[rng.below(corpus.docs.len())];
            let (origin, text) = if roll < 4 {
                ("title", &doc.title)
            } else {
                ("body", &doc.body)
            };
            let lower: String = text.nfc().flat_map(char::to_lowercase).collect();
            let tokens: Vec<&str> = words(&lower).collect();
            let segments = lexicon.segments(&tokens);
            let word = |k: usize| tokens[segments[k].0..segments[k].0 + segments[k].1].join(" ");
            let usable = |k: usize| {
                let (_, n, known) = segments[k];
                known && n <= 4 && !lexicon.function.contains(&word(k))
            };
            let candidates: Vec<usize> = (0..segments.len()).filter(|&k| usable(k)).collect();
            if candidates.is_empty() {
                continue;
            }
            let k = *rng.pick(&candidates);
            let mut phrase = word(k);
            let syllables = segments[k].1;
            if rng.chance(0.5) {
                // The word with the next one, as in `tiếp nhận hồ sơ`.
                if k + 1 < segments.len() && usable(k + 1) && syllables + segments[k + 1].1 <= 4 {
                    phrase = format!("{phrase} {}", word(k + 1));
                }
            } else if rng.chance(0.3) {
                // Two keywords of the same document.
                let j = *rng.pick(&candidates);
                if j != k && syllables + segments[j].1 <= 4 {
                    phrase = format!("{phrase} {}", word(j));
                }
            }
            (origin, phrase)
        } else if roll < 9 {
            let topic = rng.pick(vocab::TOPICS);
            let mut text = rng.word(topic.words).to_string();
            if rng.chance(0.6) {
                text.push(' ');
                text.push_str(rng.word(topic.words));
            }
            ("topic", text.to_lowercase())
        } else {
            let mut text = rng.word(vocab::GENERAL).to_string();
            if rng.chance(0.5) {
                text.push(' ');
                text.push_str(rng.word(vocab::GENERAL));
            }
            ("vocabulary", text.to_lowercase())
        };
        let folded = fold(&original);
        let tokens: Vec<&str> = words(&folded).take(4).collect();
        let text = tokens.join(" ");
        let rejected = tokens.is_empty()
            || tokens.iter().any(|t| t.chars().any(|c| c.is_ascii_digit()))
            || (tokens.len() == 1 && tokens[0].len() < 2)
            || !seen.insert(text.clone());
        if rejected {
            continue;
        }
        let original_words: Vec<&str> = words(&original).take(4).collect();
        out.push(Query {
            text,
            origin,
            had_d_stroke: original_words.iter().any(|w| w.contains('đ')),
        });
    }
    out
}

/// For each query, the indices (ascending) of the documents whose folded
/// title + body contain all its words. Scans every document once, on
/// `threads` threads.
pub fn truth(corpus: &Corpus, queries: &[Query], threads: usize) -> Vec<Vec<u32>> {
    let mut ids: HashMap<String, usize> = HashMap::new();
    let query_ids: Vec<Vec<usize>> = queries
        .iter()
        .map(|q| {
            words(&q.text)
                .map(|w| {
                    let next = ids.len();
                    *ids.entry(w.to_string()).or_insert(next)
                })
                .collect()
        })
        .collect();
    let vocabulary = ids.len();
    let threads = threads.max(1);
    let chunk = corpus.docs.len().div_ceil(threads).max(1);
    let partial: Vec<Vec<Vec<u32>>> = std::thread::scope(|scope| {
        let handles: Vec<_> = corpus
            .docs
            .chunks(chunk)
            .enumerate()
            .map(|(part, docs)| {
                let (ids, query_ids) = (&ids, &query_ids);
                scope.spawn(move || {
                    let mut relevant = vec![Vec::new(); query_ids.len()];
                    let mut present = vec![false; vocabulary];
                    for (offset, doc) in docs.iter().enumerate() {
                        present.iter_mut().for_each(|p| *p = false);
                        let text = fold(&format!("{} {}", doc.title, doc.body));
                        for word in words(&text) {
                            if let Some(&id) = ids.get(word) {
                                present[id] = true;
                            }
                        }
                        let index = (part * chunk + offset) as u32;
                        for (q, words) in query_ids.iter().enumerate() {
                            if words.iter().all(|&id| present[id]) {
                                relevant[q].push(index);
                            }
                        }
                    }
                    relevant
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            .collect()
    });
    let mut relevant = vec![Vec::new(); queries.len()];
    for part in partial {
        for (q, docs) in part.into_iter().enumerate() {
            relevant[q].extend(docs);
        }
    }
    relevant
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_removes_every_diacritic_and_d_stroke() {
        assert_eq!(fold("Hồ sơ CHUYỂN trường Đặng"), "ho so chuyen truong dang");
        let nfd: String = "Ủy ban nhân dân phường Đằng Lâm".nfd().collect();
        assert_eq!(fold(&nfd), "uy ban nhan dan phuong dang lam");
    }

    #[test]
    fn corpus_and_queries_are_deterministic() {
        let a = generate(50, 7);
        let b = generate(50, 7);
        assert!(
            a.docs
                .iter()
                .zip(&b.docs)
                .all(|(x, y)| x.title == y.title && x.body == y.body)
        );
        let qa: Vec<String> = queries(&a, 20, 7).into_iter().map(|q| q.text).collect();
        let qb: Vec<String> = queries(&b, 20, 7).into_iter().map(|q| q.text).collect();
        assert_eq!(qa, qb);
        assert!(qa.iter().all(|q| q.is_ascii()));
    }

    #[test]
    fn truth_requires_every_word() {
        let corpus = Corpus {
            docs: ["Hồ sơ chuyển trường", "hồ sơ tuyển sinh", "Đường"]
                .iter()
                .map(|t| Doc {
                    title: t.to_string(),
                    body: String::new(),
                    nfd: false,
                    unit: 0,
                    item_type: "",
                    status: "",
                    update_time: 0,
                })
                .collect(),
        };
        let q = |text: &str| Query {
            text: text.to_string(),
            origin: "test",
            had_d_stroke: false,
        };
        let relevant = truth(&corpus, &[q("ho so"), q("ho so chuyen"), q("duong"), q("xyz")], 2);
        assert_eq!(relevant, [vec![0, 1], vec![0], vec![2], vec![]]);
    }
}
