//! Vietnamese text analysis for tantivy.
//!
//! Two analyzers, registered on an index by [`register`]:
//!
//! - [`FOLDED`] (`vi_folded`): NFC → simple tokens → drop tokens of 40 bytes or more →
//!   lower case → ASCII folding (ư→u, ơ→o, đ→d, ạ/ả/ấ…→a). `ho so chuyen truong` matches
//!   `hồ sơ chuyển trường`.
//! - [`EXACT`] (`vi_exact`): the same without folding, so that a query typed with its
//!   diacritics can be boosted towards exact matches.
//! - [`CODES`] (`vi_codes`): codes written with dots, dashes or slashes (`1.004492`,
//!   `QT-TTHC-01`, `61/2018/NĐ-CP`, a dossier's `PGD-240301-0001`) as one token each,
//!   without their joiners, lower case and folded (`1004492`, `qttthc01`,
//!   `612018ndcp`), so that a code typed without its dots is found ([`code_key`]).
//!
//! Both start with Unicode NFC normalisation ([`NfcTokenizer`]): tantivy's
//! `AsciiFoldingFilter` only folds precomposed letters, and text in decomposed form (NFD,
//! common in pasted and Mac-made files) would otherwise be split into fragments at every
//! combining mark. Query strings must go through [`normalize`] as well before parsing.
//!
//! **Offsets.** Token offsets refer to the NFC-normalised text, not to the input. Store
//! text already normalised with [`normalize`] and generate snippets/highlights on that
//! stored text, otherwise the highlighted ranges may be off for NFD input.

use tantivy::Index;
use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer, Token, TokenStream, Tokenizer,
};
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// Name of the diacritic-folding analyzer.
pub const FOLDED: &str = "vi_folded";
/// Name of the diacritic-preserving analyzer.
pub const EXACT: &str = "vi_exact";
/// Name of the analyzer of codes (see the module docs).
pub const CODES: &str = "vi_codes";

/// Tokens of this many bytes (UTF-8) or more are dropped (base64 blobs, hashes…).
pub const MAX_TOKEN_BYTES: usize = 40;

/// Unicode NFC normalisation. Apply it to text before storing it and to every query string.
pub fn normalize(text: &str) -> String {
    match is_nfc_quick(text.chars()) {
        IsNormalized::Yes => text.to_owned(),
        _ => text.nfc().collect(),
    }
}

/// A tokenizer that normalises the whole text to NFC, then delegates to `inner`.
///
/// Offsets of the produced tokens refer to the normalised text (see the module docs).
#[derive(Clone, Default)]
pub struct NfcTokenizer<T> {
    inner: T,
    buffer: String,
}

impl<T> NfcTokenizer<T> {
    /// Wraps `inner` so that it always sees NFC text.
    pub fn new(inner: T) -> Self {
        Self {
            inner,
            buffer: String::new(),
        }
    }
}

impl<T: Tokenizer> Tokenizer for NfcTokenizer<T> {
    type TokenStream<'a> = T::TokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        if is_nfc_quick(text.chars()) == IsNormalized::Yes {
            return self.inner.token_stream(text);
        }
        self.buffer.clear();
        self.buffer.extend(text.nfc());
        self.inner.token_stream(&self.buffer)
    }
}

fn base() -> NfcTokenizer<SimpleTokenizer> {
    NfcTokenizer::new(SimpleTokenizer::default())
}

/// NFC → simple tokens → remove long → lower case → ASCII folding.
///
/// tantivy 0.27's `AsciiFoldingFilter` maps đ/Đ to d itself (tested below), so no extra
/// filter is needed for it.
pub fn folded_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(base())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// NFC → simple tokens → remove long → lower case; diacritics are kept.
pub fn exact_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(base())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .build()
}

/// Characters that join the parts of a code: `1.004492`, `QT-TTHC-01`, `61/2018/NĐ-CP`.
pub fn is_code_joiner(c: char) -> bool {
    matches!(c, '.' | '-' | '/' | '_')
}

/// Splits text into codes: runs of letters, digits and [joiners](is_code_joiner) with at
/// least one digit and at least two parts, each given as its letters and digits only
/// (`Số 61/2018/NĐ-CP,` → `612018NĐCP`). Everything else is left out.
#[derive(Clone, Default)]
pub struct CodeTokenizer {
    tokens: Vec<Token>,
}

/// The tokens of [`CodeTokenizer`].
pub struct CodeTokenStream<'a> {
    tokens: std::vec::Drain<'a, Token>,
    current: Token,
}

impl TokenStream for CodeTokenStream<'_> {
    fn advance(&mut self) -> bool {
        match self.tokens.next() {
            Some(token) => {
                self.current = token;
                true
            }
            None => false,
        }
    }

    fn token(&self) -> &Token {
        &self.current
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.current
    }
}

impl CodeTokenizer {
    fn push_run(&mut self, text: &str, start: usize, end: usize) {
        let raw = &text[start..end];
        let run = raw.trim_start_matches(is_code_joiner);
        let start = start + (raw.len() - run.len());
        let run = run.trim_end_matches(is_code_joiner);
        let parts = run.split(is_code_joiner).filter(|p| !p.is_empty()).count();
        if parts < 2 || !run.chars().any(|c| c.is_ascii_digit()) {
            return;
        }
        let position = self.tokens.len();
        self.tokens.push(Token {
            offset_from: start,
            offset_to: start + run.len(),
            position,
            text: run.chars().filter(|c| !is_code_joiner(*c)).collect(),
            position_length: 1,
        });
    }
}

impl Tokenizer for CodeTokenizer {
    type TokenStream<'a> = CodeTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> CodeTokenStream<'a> {
        self.tokens.clear();
        let mut run: Option<usize> = None;
        for (at, c) in text.char_indices() {
            let inside = c.is_alphanumeric() || is_code_joiner(c);
            match (inside, run) {
                (true, None) => run = Some(at),
                (false, Some(start)) => {
                    self.push_run(text, start, at);
                    run = None;
                }
                _ => {}
            }
        }
        if let Some(start) = run {
            self.push_run(text, start, text.len());
        }
        CodeTokenStream {
            tokens: self.tokens.drain(..),
            current: Token::default(),
        }
    }
}

/// NFC → codes → remove long → lower case → ASCII folding.
pub fn codes_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(NfcTokenizer::new(CodeTokenizer::default()))
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// The tokens of `text` by `analyzer`, with their offsets in the NFC text.
pub fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    analyzer.token_stream(text).process(&mut |t| out.push(t.clone()));
    out
}

/// What a query word (a run without spaces, e.g. `1.004492` or `1004492`) is in the
/// [`CODES`] field, if it holds a digit: its folded tokens joined (`1004492`). A code
/// in the text of an item is indexed the same way, so both spellings meet there.
pub fn code_key(folded_tokens: &[&str]) -> Option<String> {
    let key: String = folded_tokens.concat();
    (key.chars().any(|c| c.is_ascii_digit()) && key.len() < MAX_TOKEN_BYTES).then_some(key)
}

/// Registers [`FOLDED`], [`EXACT`] and [`CODES`] on `index`. Call it after every
/// open/create, before indexing or parsing queries: tokenizers are not persisted with
/// the index.
pub fn register(index: &Index) {
    let tokenizers = index.tokenizers();
    tokenizers.register(FOLDED, folded_analyzer());
    tokenizers.register(EXACT, exact_analyzer());
    tokenizers.register(CODES, codes_analyzer());
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::TopDocs;
    use tantivy::query::QueryParser;
    use tantivy::schema::{Field, IndexRecordOption, STORED, Schema, TextFieldIndexing, TextOptions, Value};
    use tantivy::{DocAddress, IndexReader, TantivyDocument, doc};

    fn tokens(mut analyzer: TextAnalyzer, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        analyzer.token_stream(text).process(&mut |t| out.push(t.text.clone()));
        out
    }

    fn nfd(text: &str) -> String {
        text.nfd().collect()
    }

    const TITLE: &str = "Hồ sơ chuyển trường";

    #[test]
    fn folded_and_exact_tokens() {
        assert_eq!(tokens(folded_analyzer(), TITLE), ["ho", "so", "chuyen", "truong"]);
        assert_eq!(tokens(exact_analyzer(), TITLE), ["hồ", "sơ", "chuyển", "trường"]);
    }

    #[test]
    fn nfd_input_gives_the_same_tokens() {
        let decomposed = nfd(TITLE);
        assert_ne!(decomposed, TITLE);
        assert_eq!(tokens(folded_analyzer(), &decomposed), tokens(folded_analyzer(), TITLE));
        assert_eq!(tokens(exact_analyzer(), &decomposed), tokens(exact_analyzer(), TITLE));
        // Without NFC, tantivy splits NFD text at the combining marks.
        let mut raw = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(AsciiFoldingFilter)
            .build();
        let mut fragments = 0;
        raw.token_stream(&decomposed).process(&mut |_| fragments += 1);
        assert!(fragments > 4, "expected fragments, got {fragments}");
    }

    #[test]
    fn d_with_stroke_folds_to_d() {
        assert_eq!(tokens(folded_analyzer(), "Đằng Lâm"), ["dang", "lam"]);
        assert_eq!(tokens(folded_analyzer(), &nfd("Đằng Lâm")), ["dang", "lam"]);
        assert_eq!(tokens(folded_analyzer(), "đĐ"), ["dd"]);
        assert_eq!(tokens(exact_analyzer(), "Đằng"), ["đằng"]);
    }

    #[test]
    fn a_long_phrase_folds_fully() {
        let text = "Giấy tiếp nhận hồ sơ và hẹn trả kết quả";
        let expected = ["giay", "tiep", "nhan", "ho", "so", "va", "hen", "tra", "ket", "qua"];
        assert_eq!(tokens(folded_analyzer(), text), expected);
        assert_eq!(tokens(folded_analyzer(), &nfd(text)), expected);
    }

    #[test]
    fn every_vietnamese_letter_folds_to_its_base_letter() {
        let groups = [
            ('a', "aàáảãạăằắẳẵặâầấẩẫậ"),
            ('e', "eèéẻẽẹêềếểễệ"),
            ('i', "iìíỉĩị"),
            ('o', "oòóỏõọôồốổỗộơờớởỡợ"),
            ('u', "uùúủũụưừứửữự"),
            ('y', "yỳýỷỹỵ"),
            ('d', "dđ"),
        ];
        for (base, letters) in groups {
            for letter in letters.chars() {
                let lower = letter.to_string();
                for input in [lower.clone(), lower.to_uppercase(), nfd(&lower)] {
                    let input = format!("x{input}x");
                    assert_eq!(tokens(folded_analyzer(), &input), [format!("x{base}x")], "{input}");
                }
            }
        }
    }

    #[test]
    fn codes_are_joined_without_their_dots_dashes_and_slashes() {
        let text = "Thủ tục 1.004492, quy trình QT-TTHC-01 (Nghị định 61/2018/NĐ-CP); hồ sơ \
                    PGD-240301-0001 giai đoạn 2021-2030. Mục 3. NĐ-CP, năm 2024.";
        assert_eq!(
            tokens(codes_analyzer(), text),
            ["1004492", "qttthc01", "612018ndcp", "pgd2403010001", "20212030"]
        );
        // The offsets name the code as written, without the joiners around it.
        let mut analyzer = codes_analyzer();
        let spans: Vec<&str> = super::tokens(&mut analyzer, "xem -QT-01- nay")
            .iter()
            .map(|t| &"xem -QT-01- nay"[t.offset_from..t.offset_to])
            .collect();
        assert_eq!(spans, ["QT-01"]);
        assert!(tokens(codes_analyzer(), "").is_empty());
        assert_eq!(code_key(&["1", "004492"]).as_deref(), Some("1004492"));
        assert_eq!(code_key(&["qt", "tthc"]), None, "no digit: not a code");
    }

    #[test]
    fn long_tokens_are_dropped() {
        let long = "x".repeat(MAX_TOKEN_BYTES);
        assert_eq!(tokens(folded_analyzer(), &format!("hồ {long} sơ")), ["ho", "so"]);
    }

    #[test]
    fn offsets_refer_to_the_normalised_text() {
        let decomposed = nfd(TITLE);
        let normalised = normalize(&decomposed);
        assert_eq!(normalised, TITLE);
        let mut analyzer = exact_analyzer();
        let mut spans = Vec::new();
        analyzer
            .token_stream(&decomposed)
            .process(&mut |t| spans.push((t.offset_from, t.offset_to)));
        let words: Vec<&str> = spans.iter().map(|&(a, b)| &normalised[a..b]).collect();
        assert_eq!(words, ["Hồ", "sơ", "chuyển", "trường"]);
    }

    struct Fixture {
        index: Index,
        reader: IndexReader,
        folded: Field,
        exact: Field,
    }

    fn fixture() -> tantivy::Result<Fixture> {
        let text = |analyzer: &str| {
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(analyzer)
                    .set_index_option(IndexRecordOption::WithFreqsAndPositions),
            )
        };
        let mut builder = Schema::builder();
        let folded = builder.add_text_field("title_folded", text(FOLDED));
        let exact = builder.add_text_field("title_exact", text(EXACT) | STORED);
        let index = Index::create_in_ram(builder.build());
        register(&index);
        let mut writer = index.writer_with_num_threads(1, 15_000_000)?;
        // Contrived: the second title folds to the same syllables as the first; it is
        // added in NFD form to check indexing normalises too.
        for title in [TITLE.to_owned(), nfd("Hộ sổ chuyến trưởng")] {
            writer.add_document(doc!(folded => title.as_str(), exact => normalize(&title)))?;
        }
        writer.commit()?;
        let reader = index.reader()?;
        Ok(Fixture {
            index,
            reader,
            folded,
            exact,
        })
    }

    impl Fixture {
        fn search(&self, parser: &QueryParser, query: &str) -> tantivy::Result<Vec<String>> {
            let query = parser
                .parse_query(&normalize(query))
                .map_err(|e| tantivy::TantivyError::InvalidArgument(e.to_string()))?;
            let searcher = self.reader.searcher();
            let hits: Vec<(f32, DocAddress)> = searcher.search(&query, &TopDocs::with_limit(10).order_by_score())?;
            hits.into_iter()
                .map(|(_, address)| {
                    let doc: TantivyDocument = searcher.doc(address)?;
                    Ok(doc
                        .get_first(self.exact)
                        .and_then(|v| v.as_str())
                        .unwrap_or_default()
                        .to_owned())
                })
                .collect()
        }
    }

    #[test]
    fn index_folded_exact_and_phrase_queries() -> tantivy::Result<()> {
        let f = fixture()?;
        let folded_only = QueryParser::for_index(&f.index, vec![f.folded]);

        let mut hits = f.search(&folded_only, "ho so chuyen truong")?;
        hits.sort();
        assert_eq!(hits, ["Hồ sơ chuyển trường", "Hộ sổ chuyến trưởng"]);

        // Typed with diacritics (and in NFD), searched on both fields, exact boosted.
        let mut both = QueryParser::for_index(&f.index, vec![f.folded, f.exact]);
        both.set_field_boost(f.exact, 2.0);
        for query in [TITLE.to_owned(), nfd(TITLE), format!("\"{TITLE}\"")] {
            let hits = f.search(&both, &query)?;
            assert_eq!(hits, ["Hồ sơ chuyển trường", "Hộ sổ chuyến trưởng"], "{query}");
        }

        assert_eq!(f.search(&folded_only, "\"chuyen truong\"")?.len(), 2);
        assert_eq!(f.search(&folded_only, "\"chuyển trường\"")?.len(), 2);
        assert!(f.search(&folded_only, "\"truong chuyen\"")?.is_empty());
        Ok(())
    }
}
