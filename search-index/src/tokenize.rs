//! Unicode-aware tokenising for the directory's many scripts: words of letters, digits and the marks that
//! belong to them (Arabic, Ge'ez/Tigrinya, Indic, Latin with Polish or Romani diacritics), lowercased, with
//! diacritics and Arabic letter variants folded, then ASCII-folded; descriptions are also stemmed in English.

use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, RemoveLongFilter, Stemmer, StopWordFilter, TextAnalyzer,
    TextAnalyzerBuilder, Token, TokenFilter, TokenStream, Tokenizer, TokenizerManager,
};

/// Names, themes, communities and towns: folded words.
pub(crate) const FOLDED: &str = "cg_folded";
/// Descriptions: folded words, stemmed in English.
pub(crate) const FOLDED_ENGLISH: &str = "cg_folded_english";

/// Words longer than this (in bytes) are dropped: they are not words people search for.
const LONGEST_WORD_BYTES: usize = 80;

/// Registers this crate's analyzers with an index's tokenizer manager (they are not stored in the index).
pub(crate) fn register(tokenizers: &TokenizerManager) {
    tokenizers.register(FOLDED, folded());
    tokenizers.register(FOLDED_ENGLISH, folded_english());
}

/// Folded words, before any language's filters: what every analyzer here starts with.
fn folded_words() -> TextAnalyzerBuilder<impl Tokenizer> {
    TextAnalyzer::builder(WordTokenizer::default())
        .filter(RemoveLongFilter::limit(LONGEST_WORD_BYTES))
        .filter(AsciiFoldingFilter)
}

pub(crate) fn folded() -> TextAnalyzer {
    folded_words().build()
}

pub(crate) fn folded_english() -> TextAnalyzer {
    folded_words().filter(Stemmer::new(Language::English)).build()
}

/// `folded_english` with `filter` between folding and stemming (highlighting uses it to skip words).
pub(crate) fn folded_english_where(filter: impl TokenFilter) -> TextAnalyzer {
    folded_words()
        .filter(filter)
        .filter(Stemmer::new(Language::English))
        .build()
}

/// The words of a search text that must each match: folded words without English stop words (unless the
/// text is nothing but stop words).
pub(crate) fn query_words(text: &str) -> Vec<String> {
    let mut without_stop_words = folded_words()
        .filter(StopWordFilter::new(Language::English).expect("tantivy ships English stop words"))
        .build();
    let words = tokens(&mut without_stop_words, text);
    if words.is_empty() {
        tokens(&mut folded(), text)
    } else {
        words
    }
}

/// The texts of the tokens `analyzer` makes of `text`.
pub(crate) fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut stream = analyzer.token_stream(text);
    let mut words = Vec::new();
    while stream.advance() {
        words.push(stream.token().text.clone());
    }
    words
}

/// Splits text into words and folds each word's letters (see `fold_into`). Offsets point into the original
/// text, so snippets highlight what was written.
#[derive(Clone, Default)]
pub(crate) struct WordTokenizer {
    token: Token,
}

pub(crate) struct WordTokenStream<'a> {
    text: &'a str,
    position: usize,
    token: &'a mut Token,
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = WordTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordTokenStream<'a> {
        self.token.reset();
        WordTokenStream {
            text,
            position: 0,
            token: &mut self.token,
        }
    }
}

impl TokenStream for WordTokenStream<'_> {
    fn advance(&mut self) -> bool {
        self.token.text.clear();
        let Some(start) = next_word_start(self.text, self.position) else {
            self.position = self.text.len();
            return false;
        };
        let mut end = start;
        // ASCII (most of what is written here) is lowercased byte by byte; other letters are folded.
        while let Some(&byte) = self.text.as_bytes().get(end) {
            if byte.is_ascii() {
                if !byte.is_ascii_alphanumeric() {
                    break;
                }
                self.token.text.push(char::from(byte.to_ascii_lowercase()));
                end += 1;
            } else {
                let c = self.text[end..].chars().next().expect("a character starts here");
                if !is_word_char(c) {
                    break;
                }
                fold_into(c, &mut self.token.text);
                end += c.len_utf8();
            }
        }
        self.position = end;
        self.token.offset_from = start;
        self.token.offset_to = end;
        self.token.position = self.token.position.wrapping_add(1);
        true
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

/// Where the first letter or digit at or after byte `from` of `text` starts, if any; ASCII bytes are
/// judged without decoding them.
fn next_word_start(text: &str, from: usize) -> Option<usize> {
    let mut at = from;
    while let Some(&byte) = text.as_bytes().get(at) {
        if byte.is_ascii() {
            if byte.is_ascii_alphanumeric() {
                return Some(at);
            }
            at += 1;
        } else {
            let c = text[at..].chars().next().expect("a character starts here");
            if c.is_alphanumeric() {
                return Some(at);
            }
            at += c.len_utf8();
        }
    }
    None
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || is_dropped_mark(c) || is_kept_mark(c)
}

/// Diacritics and joiners that do not change which word is meant: Latin combining accents, Arabic short
/// vowels and signs, the tatweel, zero-width (non-)joiners.
fn is_dropped_mark(c: char) -> bool {
    matches!(c as u32,
        0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F
        | 0x0610..=0x061A | 0x064B..=0x065F | 0x0670 | 0x06D6..=0x06DC | 0x06DF..=0x06E8 | 0x06EA..=0x06ED
        | 0x0640 | 0x200C | 0x200D)
}

/// Marks that are part of the spelling: Ge'ez combining marks and the vowel signs of Indic scripts.
fn is_kept_mark(c: char) -> bool {
    matches!(c as u32, 0x135D..=0x135F | 0x0900..=0x0DFF)
}

/// Appends the folded form of `c`: lowercase, diacritics dropped, Arabic and Persian letter variants
/// unified (alef forms, alef maksura, teh marbuta, Persian yeh and keheh).
fn fold_into(c: char, word: &mut String) {
    if is_dropped_mark(c) {
        return;
    }
    match c {
        'أ' | 'إ' | 'آ' | 'ٱ' => word.push('ا'),
        'ى' | 'ی' => word.push('ي'),
        'ة' => word.push('ه'),
        'ک' => word.push('ك'),
        _ => word.extend(c.to_lowercase()),
    }
}

#[cfg(test)]
mod tests {
    use rand::{Rng, SeedableRng};
    use tantivy::tokenizer::{TokenStream, Tokenizer};

    use super::{fold_into, folded, folded_english, is_word_char, query_words, tokens, WordTokenizer};

    /// Words, their folded text and their spans, found a character at a time (the tokenizer takes ASCII
    /// a byte at a time).
    fn words_char_by_char(text: &str) -> Vec<(String, usize, usize)> {
        let mut words = Vec::new();
        let mut chars = text.char_indices().peekable();
        while let Some((start, c)) = chars.next() {
            if !c.is_alphanumeric() {
                continue;
            }
            let (mut word, mut end) = (String::new(), start + c.len_utf8());
            fold_into(c, &mut word);
            while let Some(&(at, c)) = chars.peek() {
                if !is_word_char(c) {
                    break;
                }
                fold_into(c, &mut word);
                end = at + c.len_utf8();
                chars.next();
            }
            words.push((word, start, end));
        }
        words
    }

    #[test]
    fn ascii_and_other_scripts_are_split_and_folded_as_a_character_at_a_time() {
        let pieces = [
            "Hello",
            "WORLD",
            "drop-in",
            "42",
            " ",
            ", ",
            "Łódź",
            "é",
            "e\u{301}",
            "جَمْعِيَّة",
            "ማሕበር፡",
            "हिन्दी",
            "\u{200D}",
            "ß",
            "İ",
            "’s",
            "\t",
            "À1b",
        ];
        let mut random = rand::rngs::StdRng::seed_from_u64(3);
        let mut tokenizer = WordTokenizer::default();
        for _ in 0..2_000 {
            let text: String = (0..random.gen_range(0..12))
                .map(|_| pieces[random.gen_range(0..pieces.len())])
                .collect();
            let mut stream = tokenizer.token_stream(&text);
            let mut words = Vec::new();
            while stream.advance() {
                let token = stream.token();
                words.push((token.text.clone(), token.offset_from, token.offset_to));
            }
            assert_eq!(words, words_char_by_char(&text), "{text:?}");
        }
    }

    #[test]
    fn latin_words_are_lowercased_and_accent_folded() {
        assert_eq!(
            tokens(&mut folded(), "Łódź Stowarzyszenie, ŻYCIE"),
            ["lodz", "stowarzyszenie", "zycie"]
        );
        assert_eq!(tokens(&mut folded(), "Rromani čhavo"), ["rromani", "chavo"]);
        // A decomposed accent (e + combining acute) folds like the composed one.
        assert_eq!(tokens(&mut folded(), "cafe\u{301} café"), ["cafe", "cafe"]);
    }

    #[test]
    fn arabic_words_keep_together_and_lose_their_vowel_marks() {
        assert_eq!(tokens(&mut folded(), "جَمْعِيَّة اللاجئين"), ["جمعيه", "اللاجئين"]);
        assert_eq!(tokens(&mut folded(), "أحمد"), tokens(&mut folded(), "احمد"));
    }

    #[test]
    fn geez_words_split_on_the_ethiopic_wordspace() {
        assert_eq!(
            tokens(&mut folded(), "ማሕበር፡ኤርትራውያን ሸፊልድ"),
            ["ማሕበር", "ኤርትራውያን", "ሸፊልድ"]
        );
    }

    #[test]
    fn offsets_point_into_the_original_text() {
        let mut analyzer = folded();
        let mut stream = analyzer.token_stream("¡Hola, Łódź!");
        let mut spans = Vec::new();
        while stream.advance() {
            spans.push((stream.token().offset_from, stream.token().offset_to));
        }
        assert_eq!(spans, [(2, 6), (8, 15)]);
    }

    #[test]
    fn descriptions_are_stemmed_and_queries_drop_stop_words() {
        assert_eq!(tokens(&mut folded_english(), "Housing advice"), ["hous", "advic"]);
        assert_eq!(query_words("legal aid in the North"), ["legal", "aid", "north"]);
        assert_eq!(query_words("the"), ["the"]);
    }
}
