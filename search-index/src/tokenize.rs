//! Unicode-aware tokenising for the directory's many scripts: words of letters, digits and the marks that
//! belong to them (Arabic, Ge'ez/Tigrinya, Indic, Latin with Polish or Romani diacritics), lowercased, with
//! diacritics and Arabic letter variants folded, then ASCII-folded; descriptions are also stemmed in English.

use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, RemoveLongFilter, Stemmer, StopWordFilter, TextAnalyzer, Token,
    TokenStream, Tokenizer, TokenizerManager,
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

pub(crate) fn folded() -> TextAnalyzer {
    TextAnalyzer::builder(WordTokenizer::default())
        .filter(RemoveLongFilter::limit(LONGEST_WORD_BYTES))
        .filter(AsciiFoldingFilter)
        .build()
}

pub(crate) fn folded_english() -> TextAnalyzer {
    TextAnalyzer::builder(WordTokenizer::default())
        .filter(RemoveLongFilter::limit(LONGEST_WORD_BYTES))
        .filter(AsciiFoldingFilter)
        .filter(Stemmer::new(Language::English))
        .build()
}

/// The words of a search text that must each match: folded words without English stop words (unless the
/// text is nothing but stop words).
pub(crate) fn query_words(text: &str) -> Vec<String> {
    let mut without_stop_words = TextAnalyzer::builder(WordTokenizer::default())
        .filter(RemoveLongFilter::limit(LONGEST_WORD_BYTES))
        .filter(AsciiFoldingFilter)
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
        let rest = &self.text[self.position..];
        let Some(start) = rest
            .char_indices()
            .find(|(_, c)| c.is_alphanumeric())
            .map(|(at, _)| self.position + at)
        else {
            self.position = self.text.len();
            return false;
        };
        let end = self.text[start..]
            .char_indices()
            .find(|(_, c)| !is_word_char(*c))
            .map_or(self.text.len(), |(at, _)| start + at);
        for c in self.text[start..end].chars() {
            fold_into(c, &mut self.token.text);
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
    use super::{folded, folded_english, query_words, tokens};

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
